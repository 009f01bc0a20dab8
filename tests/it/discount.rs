//! Issue 22 item 3, discounts the platform never sees (整单优惠 / 抹零), through the
//! command table on a real ledger: role limits and the manager's approval, the journal,
//! cash only (WeChat charges the platform's price), the change, the day's figures, the
//! shift's cash, the Z report on screen and paper, the CSV, the receipt read back by the
//! ESC/POS decoder, and the reconciliation against the simulator (the platform order keeps
//! the full price).

use serde_json::{json, Value};

use storepos::commands::{CommandError, ErrorCode};
use storepos::domain::Money;
use storepos::ledger::print_jobs;
use storepos::services::print_service::ticket_for;
use storepos::services::printing::Payload;
use storepos_printers::escpos_reader::decode;
use storepos_printers::{render, Paper, PrinterProfile};

use crate::sync_support::{call, env, platform_orders_for};

use crate::support::store::Store;

/// The shared demo store, with this suite's own helpers on top.
struct T(Store);

impl std::ops::Deref for T {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.0
    }
}

fn store() -> T {
    T(Store::new())
}

impl T {
    /// A plain product of the demo catalog priced `fen`.
    fn product(&self, fen: i64) -> i64 {
        storepos::ledger::catalog::list(self.app.ledger().read(), None)
            .unwrap()
            .into_iter()
            .find(|p| p.price == Money::from_fen(fen) && p.specifications.is_empty())
            .unwrap_or_else(|| panic!("the demo catalog has a product at {fen} fen"))
            .id
    }
    /// A sale of `qty` × a ￥3.50 product (total ￥3.50 × qty); its client_ref.
    fn sale(&self, qty: i64) -> String {
        let pid = self.product(350);
        let o = self.ok(&self.cashier, "sale_create", json!({ "lines": [{ "product_id": pid, "quantity": qty }] }));
        o["client_ref"].as_str().unwrap().to_string()
    }
    fn discount(&self, tok: &str, sale: &str, discount: Value, approval: Option<&str>) -> Result<Value, CommandError> {
        self.call(tok, "sale_discount", json!({ "client_ref": sale, "discount": discount, "approval": approval }))
    }
    fn journal(&self, entity: &str, action: &str) -> Vec<(String, String, String)> {
        let c = self.app.ledger();
        let mut st = c
            .read()
            .prepare(
                "SELECT actor, entity_ref, coalesce(detail, '') FROM journal WHERE entity = ?1 AND action = ?2 ORDER BY id",
            )
            .unwrap();
        st.query_map([entity, action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    }
    /// The receipt of `sale` as it comes off the paper: rendered to ESC/POS and read back.
    fn receipt_paper(&self, sale: &str) -> String {
        let job = print_jobs::list(self.app.ledger().read(), None, Some(sale), 100)
            .unwrap()
            .into_iter()
            .find(|j| j.kind == "receipt")
            .expect("a receipt was queued on payment");
        let payload: Payload = serde_json::from_str(&job.payload).unwrap();
        let ticket = ticket_for(&self.app.config(), &payload, job.reprint).unwrap();
        let bytes = render(&ticket, &PrinterProfile::new("t", Paper::W80)).unwrap().bytes;
        let d = decode(&bytes, Paper::W80);
        assert!(d.errors.is_empty(), "the bytes are valid ESC/POS: {:?}", d.errors);
        d.plain_text().replace('\u{3000}', "")
    }
}

fn approval_required(e: &CommandError, why: &str) -> Value {
    assert_eq!(e.code, ErrorCode::ApprovalRequired, "{why}: {e:?}");
    let d = e.details.clone().unwrap();
    assert_eq!(d["rule"], "discount", "{why}: the refusal names the rule");
    d
}

#[test]
fn a_discount_within_the_limit_is_taken_above_it_needs_the_managers_pin_once() {
    let t = store();
    let sale = t.sale(4); // ￥14.00

    // A clerk's limit is 10 %: ￥1.40 off is within it, taken and journaled.
    let o = t.discount(&t.clerk, &sale, json!({ "kind": "amount", "amount": "1.40" }), None).unwrap();
    assert_eq!(
        (o["total"].as_str(), o["discount"].as_str(), o["due"].as_str()),
        (Some("14.00"), Some("1.40"), Some("12.60"))
    );
    assert_eq!(o["discount_kind"], "amount");
    let rows = t.journal("order", "discount");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].0.starts_with("clerk#") && rows[0].1 == sale, "{rows:?}");
    assert!(rows[0].2.contains("amount 1.40 off total 14.00") && rows[0].2.contains("due 12.60"), "{rows:?}");

    // ￥1.41 is above it: refused, typed, naming the rule, the sale and the amount; nothing changed.
    let e = t.discount(&t.clerk, &sale, json!({ "kind": "amount", "amount": "1.41" }), None).unwrap_err();
    let d = approval_required(&e, "a clerk above 10 %");
    assert_eq!((d["subject"].as_str(), d["amount"].as_str()), (Some(sale.as_str()), Some("1.41")));
    assert_eq!(t.ok(&t.cashier, "order_get", json!({ "client_ref": sale }))["discount"], "1.40", "nothing recorded");

    // A cashier's limit is 0 %: 9折 needs approval. An approval for another amount does not fit.
    let nine = json!({ "kind": "percent", "percent": "10" });
    let e = t.discount(&t.cashier, &sale, nine.clone(), None).unwrap_err();
    let d = approval_required(&e, "a cashier's 9折");
    assert_eq!(d["amount"], "1.40", "10 % of ￥14.00");
    let wrong = t.grant(
        &t.cashier,
        &t.discount(&t.cashier, &sale, json!({ "kind": "amount", "amount": "2" }), None).unwrap_err(),
    );
    let e2 = t.discount(&t.cashier, &sale, nine.clone(), Some(&wrong)).unwrap_err();
    assert_eq!(approval_required(&e2, "wrong amount").get("unfit").unwrap(), "other_amount");
    // One for another sale does not fit either.
    let other = t.sale(1);
    let for_other = t.grant(
        &t.cashier,
        &t.discount(&t.cashier, &other, json!({ "kind": "amount", "amount": "1.40" }), None).unwrap_err(),
    );
    let e3 = t.discount(&t.cashier, &sale, nine.clone(), Some(&for_other)).unwrap_err();
    assert_eq!(approval_required(&e3, "another sale")["unfit"], "other_subject");

    // The right one lets it through, once.
    let id = t.grant(&t.cashier, &e);
    let o = t.discount(&t.cashier, &sale, nine.clone(), Some(&id)).unwrap();
    assert_eq!((o["discount"].as_str(), o["due"].as_str()), (Some("1.40"), Some("12.60")));
    let again = t.discount(&t.cashier, &sale, nine, Some(&id)).unwrap_err();
    assert_eq!(approval_required(&again, "reused")["unfit"], "used", "single use");
    let uses = t.journal("approval", "use");
    assert_eq!(uses.len(), 1, "{uses:?}");
    assert!(uses[0].0.starts_with("cashier#") && uses[0].2.contains("approved by manager#"), "{uses:?}");
    let last = t.journal("order", "discount").pop().unwrap();
    assert!(last.2.contains("approved by manager#"), "the sale's journal row names the approver: {last:?}");

    // 抹零 is free for every role; a manager needs no one.
    t.ok(&t.manager, "settings_set", json!({ "key": "moling_unit", "value": "jiao" }));
    let s2 = t.sale(3); // ￥10.50
    let o = t.discount(&t.cashier, &s2, json!({ "kind": "moling" }), None).unwrap();
    assert_eq!(
        (o["discount"].as_str(), o["due"].as_str(), o["discount_kind"].as_str()),
        (Some("0.50"), Some("10.00"), Some("moling"))
    );
    let o = t.discount(&t.manager, &s2, json!({ "kind": "amount", "amount": "10.50" }), None).unwrap();
    assert_eq!(o["due"], "0.00", "never below ￥0.00");
    // Bad asks are typed refusals, not clamps.
    let e = t.discount(&t.manager, &s2, json!({ "kind": "amount", "amount": "10.51" }), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation, "{e:?}");
    let e = t.discount(&t.manager, &s2, json!({ "kind": "percent", "percent": "0" }), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation, "{e:?}");
    // Removing it gives the full price back.
    let o = t.discount(&t.cashier, &s2, json!({ "kind": "none" }), None).unwrap();
    assert_eq!((o["discount"].as_str(), o["due"].as_str()), (Some("0.00"), Some("10.50")));
    assert!(o["discount_kind"].is_null());
}

#[test]
fn a_discounted_sale_is_paid_in_cash_only_and_the_change_is_on_the_discounted_amount() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "0" }));
    t.ok(&t.manager, "settings_set", json!({ "key": "moling_unit", "value": "jiao" }));
    let sale = t.sale(3); // ￥10.50
    t.discount(&t.cashier, &sale, json!({ "kind": "moling" }), None).unwrap();

    // WeChat NATIVE charges the platform's price: a discounted sale is refused there, typed.
    let e = t.err(&t.cashier, "wechat_start", json!({ "client_ref": sale }));
    assert_eq!(e.code, ErrorCode::IllegalAction, "{e:?}");
    assert_eq!(e.details.as_ref().unwrap()["reason"], "discount_cash_only");
    assert!(e.message_zh.contains("现金") && e.message_zh.contains("￥10.50"), "{e:?}");

    let paid = t.ok(&t.cashier, "sale_cash_pay", json!({ "client_ref": sale, "tendered": "20" }));
    assert_eq!(paid["change"], "10.00", "change on ￥10.00 due, not on the ￥10.50 total");
    assert_eq!(paid["order"]["total"], "10.50", "the platform's price is kept");

    // A paid sale is not discounted any more.
    let e = t.discount(&t.manager, &sale, json!({ "kind": "amount", "amount": "1" }), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::IllegalAction, "{e:?}");
    assert_eq!(e.details.as_ref().unwrap()["reason"], "not_unpaid");

    // The receipt says what was taken off and what was paid.
    let paper = t.receipt_paper(&sale);
    for want in ["合计", "￥10.50", "抹零", "-￥0.50", "应收", "￥10.00", "实收", "￥20.00", "找零"] {
        assert!(paper.contains(want), "receipt lacks {want:?}:\n{paper}");
    }
    assert!(!paper.contains("-0.00") && !paper.contains("-￥0.00"), "never -0.00:\n{paper}");
}

#[test]
fn a_discounted_sale_flows_into_the_days_figures_the_shifts_cash_the_z_report_and_the_csv() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "100" }));
    let plain = t.sale(2); // ￥7.00, no discount
    t.ok(&t.cashier, "sale_cash_pay", json!({ "client_ref": plain, "tendered": "7" }));
    let sale = t.sale(4); // ￥14.00 − ￥2.00
    t.discount(&t.manager, &sale, json!({ "kind": "amount", "amount": "2" }), None).unwrap();
    t.ok(&t.cashier, "sale_cash_pay", json!({ "client_ref": sale, "tendered": "12" }));
    let day =
        t.ok(&t.cashier, "order_get", json!({ "client_ref": sale }))["business_day"].as_str().unwrap().to_string();

    let s = t.ok(&t.manager, "stats_day_get", json!({ "day": day }));
    assert_eq!(s["gross"], "21.00", "gross at the platform's price: {s}");
    assert_eq!(s["discounts"], json!({ "count": 1, "amount": "2.00" }));
    assert_eq!(s["net"], "19.00", "net = gross − discounts − refunds + supplements");

    let cash = t.ok(&t.cashier, "shift_get", json!({}))["current"]["cash"].clone();
    assert_eq!(cash["cash_sales"], "21.00", "{cash}");
    assert_eq!(cash["cash_discounts"], "2.00", "{cash}");
    assert_eq!(cash["expected"], "119.00", "the drawer got ￥2.00 less than the platform's price: {cash}");

    let mut counted = serde_json::Map::new();
    counted.insert("100".into(), json!(1));
    counted.insert("10".into(), json!(1));
    counted.insert("5".into(), json!(1));
    counted.insert("1".into(), json!(4));
    let closed = t.ok(
        &t.cashier,
        "shift_close",
        json!({ "counted": counted, "manager_username": "manager", "manager_pin": "9999" }),
    );
    assert_eq!(closed["over_short"], "0.00", "counted what the discounted sales put in: {closed}");
    let z = closed["z_report"]["report"].clone();
    assert_eq!(z["discounts"], "2.00", "{z}");
    let text = z["sections"].to_string();
    assert!(text.contains("现金优惠/抹零") && text.contains("-￥2.00"), "{text}");
    assert!(text.contains("优惠/抹零 1笔"), "{text}");
    // The Z on paper.
    let data: storepos_printers::templates::z_report::ZReportData = serde_json::from_value(z).unwrap();
    let bytes = render(&storepos_printers::templates::z_report::z_report(&data), &PrinterProfile::new("t", Paper::W80))
        .unwrap()
        .bytes;
    let paper = decode(&bytes, Paper::W80).plain_text();
    assert!(paper.contains("优惠/抹零") && paper.contains("-￥2.00") && paper.contains("￥19.00"), "{paper}");
    assert!(!paper.contains("-￥0.00"), "{paper}");

    // The CSV lists the discount with the sale.
    let files = t.ok(&t.manager, "stats_day_export", json!({ "day": day }));
    let orders = files["orders_csv"].as_str().unwrap();
    let header = orders.lines().next().unwrap();
    assert!(header.ends_with("discount,discount_kind,due"), "{header}");
    let row = orders.lines().find(|l| l.contains(",14.00,")).expect("the discounted sale");
    assert!(row.ends_with(",2.00,amount,12.00"), "{row}");
    assert!(files["summary_csv"].as_str().unwrap().contains("total,discounts,1,2.00"));
}

/// Against the simulator: the platform order keeps the full price, its `totalPrice`
/// matches the ledger's, and the reconciliation says which sales were discounted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_keeps_the_full_price_and_the_reconciliation_explains_the_discount() {
    let e = env(storepos_sim::Mode::Field).await;
    let p = e.plain_products();
    let (a, _) = e.sale(p[0].0, 3, "");
    let o = call(
        &e.app,
        e.manager(),
        "sale_discount",
        json!({ "client_ref": a, "discount": { "kind": "amount", "amount": "1.00" } }),
    );
    let due = o["due"].as_str().unwrap().to_string();
    e.pay_cash(&a, &due);
    let (b, tb) = e.sale(p[1].0, 1, "");
    e.pay_cash(&b, &tb);
    e.settle().await;

    let st = e.state().await;
    let on = platform_orders_for(&st, &a);
    assert_eq!(on.len(), 1);
    let full: Money = serde_json::from_value(on[0]["total_price"].clone()).unwrap();
    assert_eq!(full.to_string(), o["total"].as_str().unwrap(), "the platform priced the order itself: full price");
    assert_ne!(full.to_string(), due, "the discount never reached the platform");

    let r = storepos::engine::platform::pull::reconcile_counts(&e.app, &e.client).await.unwrap().unwrap();
    assert_eq!(r.all_explained, Some(true), "{r:?}");
    let price = r.figures.iter().find(|f| f.figure == "totalPrice").unwrap();
    assert_eq!(price.matches.as_deref(), Some("field"), "{price:?}");
    let ex = price.explanations.iter().find(|x| x.kind == "store_discount").expect("the discount is explained");
    assert_eq!(ex.count, 1, "{ex:?}");
    assert!(ex.zh.contains("￥1.00") && ex.zh.contains("原价"), "{ex:?}");
    let shown = call(&e.app, e.manager(), "stats_reconcile", json!({}));
    assert!(shown["figures"].to_string().contains("store_discount"), "the manager's screen has it: {shown}");
}
