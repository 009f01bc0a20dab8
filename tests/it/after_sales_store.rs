//! Issue 14 at the ledger/domain boundary, through the command table (no platform):
//! store-only after-sales (门店自理) on a completed counter sale, REFUND with an amount,
//! a walk-in return, caps across services, refund path by payment, the slip's bytes, the
//! shift's cash and the day's stats; the follow-up functions the sync engine will call;
//! kitchen void (退单), 加单, unknown products at the default station and 结算单, decoded
//! from the bytes with the printers crate's reader.

use serde_json::{json, Value};

use storepos::commands::{dispatch, App, ErrorCode};
use storepos::domain::order::{Arrival, Channel, Order, OrderLine, Status};
use storepos::domain::Money;
use storepos::ledger::after_sales::{self, PlatformServiceView};
use storepos::ledger::{orders, print_jobs, settings};
use storepos::services::print_service::ticket_for;
use storepos::services::printing::{Payload, Router};
use storepos::services::setup::{init_store, InitOptions};
use storepos_printers::escpos_reader::decode;
use storepos_printers::{render, Paper, PrinterProfile};

struct T {
    _dir: tempfile::TempDir,
    app: App,
    cashier: String,
    clerk: String,
}

fn login(app: &App, u: &str, pin: &str) -> String {
    dispatch(app, None, false, "session_login", json!({ "username": u, "pin": pin })).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn store() -> T {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let cashier = login(&app, "cashier", "1111");
    let clerk = login(&app, "clerk", "2222");
    // This suite is about where a service goes; manager approval of the clerk's cash is
    // money_control's: here the clerk's limits are wide open.
    app.ledger()
        .write(|tx| {
            settings::set(tx, "approval_rules", &json!({ "after_sales_cash_over": null, "walk_in_return": false }))
                .map(|_| ())
        })
        .unwrap();
    T { _dir: dir, app, cashier, clerk }
}

impl T {
    fn call(&self, tok: &str, name: &str, body: Value) -> Result<Value, storepos::commands::CommandError> {
        dispatch(&self.app, Some(tok), false, name, body)
    }
    fn ok(&self, tok: &str, name: &str, body: Value) -> Value {
        self.call(tok, name, body).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }
    /// A product with a price (and, when asked, a kitchen station; else without one).
    fn product(&self, station: bool) -> (i64, Money) {
        let all = storepos::ledger::catalog::list(self.app.ledger().read(), None).unwrap();
        let p = all
            .iter()
            .find(|p| p.price > Money::ZERO && p.station.is_some() == station)
            .expect("demo catalog has such a product");
        (p.id, p.price)
    }
    fn station_of(&self, id: i64) -> Option<String> {
        storepos::ledger::catalog::get(self.app.ledger().read(), id).unwrap().and_then(|p| p.station)
    }
    /// A completed cash counter sale of `qty` × product.
    fn cash_sale(&self, pid: i64, qty: i64) -> String {
        let sale = self.ok(&self.cashier, "sale_create", json!({ "lines": [{ "product_id": pid, "quantity": qty }] }));
        let r = sale["client_ref"].as_str().unwrap().to_string();
        // Money is taken only in an open shift (a test may have opened one with its own float).
        let _ = self.call(&self.cashier, "shift_open", json!({ "float": "0" }));
        self.ok(&self.cashier, "sale_cash_pay", json!({ "client_ref": r, "tendered": "10000" }));
        r
    }
    fn outbox_services(&self) -> i64 {
        self.app
            .ledger()
            .read()
            .query_row("SELECT count(*) FROM outbox WHERE op = 'after_sales'", [], |r| r.get(0))
            .unwrap()
    }
    fn set_mode(&self, mode: &str) {
        self.app.ledger().write(|tx| settings::set(tx, "platform_mode", &json!(mode)).map(|_| ())).unwrap();
    }
    fn service(&self, v: &Value) -> after_sales::Service {
        after_sales::get(self.app.ledger().read(), v["service"]["client_ref"].as_str().unwrap()).unwrap().unwrap()
    }
    /// The text of a queued print job, rendered and decoded from its ESC/POS bytes.
    fn job_text(&self, job: &print_jobs::PrintJob) -> String {
        let payload: Payload = serde_json::from_str(&job.payload).unwrap();
        let ticket = ticket_for(&self.app.config(), &payload, job.reprint).unwrap();
        let bytes = render(&ticket, &PrinterProfile::new("t", Paper::W80)).unwrap().bytes;
        let d = decode(&bytes, Paper::W80);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        d.plain_text().replace('\u{3000}', "")
    }
    fn jobs(&self, client_ref: Option<&str>, kind: &str) -> Vec<print_jobs::PrintJob> {
        let mut v: Vec<_> = print_jobs::list(self.app.ledger().read(), None, client_ref, 1000)
            .unwrap()
            .into_iter()
            .filter(|j| j.kind == kind)
            .collect();
        v.reverse();
        v
    }
}

fn money(v: &Value) -> Money {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn store_only_return_on_a_completed_counter_sale() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "200" }));
    let (pid, price) = t.product(false);
    let sale = t.cash_sale(pid, 3);
    let before = money(&t.ok(&t.cashier, "shift_get", json!({}))["current"]["cash"]["expected"]);
    let req = json!({ "client_ref": sale, "service_type": "RETURN", "reason": "不想要了", "returns": [{ "line_no": 1, "quantity": 1 }] });

    // Before confirming: what will happen and what the customer gets back.
    let q = t.ok(&t.clerk, "after_sales_quote", req.clone());
    assert_eq!(q["route"]["route"], "store_only");
    assert_eq!(q["route"]["why"], "status_not_taken");
    assert_eq!(q["platform_mode"], "field");
    assert_eq!(q["outlook"]["local_only"], true);
    assert_eq!(money(&q["outlook"]["customer_gets"]), price);
    assert_eq!(money(&q["outlook"]["cash_out"]), price);
    assert!(q["outlook"]["says_zh"].as_str().unwrap().contains("门店自理"), "{q}");

    let c = t.ok(&t.clerk, "after_sales_create", req);
    let s = t.service(&c);
    assert!(s.local_only);
    assert_eq!(s.local_reason.as_deref(), Some("status_not_taken"));
    assert_eq!(s.refund_way.map(|w| w.as_str()), Some("OTHERWAY"));
    assert!(!s.otherway, "nothing is sent, so no otherway flag");
    assert_eq!(s.sync_state, storepos::domain::order::SyncState::Synced, "owes the platform nothing");
    assert_eq!(t.outbox_services(), 0, "never sent");
    let raw: String = t.app.ledger().read().query_row("SELECT sync_state FROM after_sales", [], |r| r.get(0)).unwrap();
    assert_eq!(raw, "local");
    // Never a conflict, even if something tries.
    t.app.ledger().write(|tx| after_sales::set_conflict(tx, s.id, "x")).unwrap();
    assert!(t.service(&c).conflict.is_none());
    // Journaled.
    let j: String = t
        .app
        .ledger()
        .read()
        .query_row("SELECT detail FROM journal WHERE entity = 'after_sales'", [], |r| r.get(0))
        .unwrap();
    assert!(j.contains("store-only (status_not_taken)") && j.contains("OTHERWAY"), "{j}");
    // The shift's cash: the refund left the drawer.
    let after = money(&t.ok(&t.cashier, "shift_get", json!({}))["current"]["cash"]["expected"]);
    assert_eq!(before - after, price);
    // The slip, from its bytes.
    let slips = t.jobs(None, "after_sales");
    assert_eq!(slips.len(), 1);
    let text = t.job_text(&slips[0]);
    assert!(text.contains("【门店自理】") && text.contains("不提交平台"), "{text}");
    assert!(text.contains("退款方式：现金退款（柜台）"), "{text}");
    // Caps: only 2 left to return.
    let three = json!({ "client_ref": sale, "service_type": "RETURN", "reason": "x", "returns": [{ "line_no": 1, "quantity": 3 }] });
    assert_eq!(t.call(&t.clerk, "after_sales_quote", three).unwrap_err().code, ErrorCode::Validation);
    let day = storepos::ledger::stats::day_after_sales(t.app.ledger().read(), &s.business_day).unwrap();
    assert_eq!((day.count, day.refund_fen), (1, price.fen()));
}

#[test]
fn refund_with_an_amount_capped_across_services() {
    let t = store();
    let (pid, price) = t.product(false);
    let sale = t.cash_sale(pid, 2);
    let paid = price.times(2);
    let refund = |amount: Money| json!({ "client_ref": sale, "service_type": "REFUND", "reason": "少找钱", "refund_fee": amount });
    let q = t.ok(&t.clerk, "after_sales_quote", refund(Money::from_fen(1)));
    assert_eq!(q["route"]["why"], "refund_unsupported");
    assert_eq!(money(&q["refund_fee"]), Money::from_fen(1));
    // More than paid: refused, nothing recorded.
    assert_eq!(
        t.call(&t.clerk, "after_sales_create", refund(paid + Money::from_fen(1))).unwrap_err().code,
        ErrorCode::Validation
    );
    t.ok(&t.clerk, "after_sales_create", refund(Money::from_fen(1)));
    // A return of everything now exceeds paid − refunded before.
    let all = json!({ "client_ref": sale, "service_type": "RETURN", "reason": "x", "returns": [{ "line_no": 1, "quantity": 2 }] });
    assert_eq!(t.call(&t.clerk, "after_sales_create", all).unwrap_err().code, ErrorCode::Validation);
    let one = json!({ "client_ref": sale, "service_type": "RETURN", "reason": "x", "returns": [{ "line_no": 1, "quantity": 1 }] });
    t.ok(&t.clerk, "after_sales_create", one);
    assert_eq!(
        t.call(&t.clerk, "after_sales_create", refund(price)).unwrap_err().code,
        ErrorCode::Validation,
        "only price − 0.01 left"
    );
    t.ok(&t.clerk, "after_sales_create", refund(price - Money::from_fen(1)));
    assert_eq!(
        t.call(&t.clerk, "after_sales_create", refund(Money::from_fen(1))).unwrap_err().code,
        ErrorCode::Validation,
        "all given back"
    );
    assert_eq!(t.outbox_services(), 0);
}

#[test]
fn walk_in_return_is_store_only() {
    let t = store();
    let req = json!({ "service_type": "RETURN", "reason": "无小票退货", "returns": [{ "product_id": 424242, "name": "旧款水杯", "quantity": 2, "refund_fee": "15.50" }] });
    let q = t.ok(&t.clerk, "after_sales_quote", req.clone());
    assert_eq!(q["route"]["why"], "walk_in");
    assert_eq!(money(&q["outlook"]["customer_gets"]), Money::from_fen(1550));
    let c = t.ok(&t.clerk, "after_sales_create", req);
    let s = t.service(&c);
    assert!(s.local_only && s.order_client_ref.is_none());
    assert_eq!(s.returns[0].name, "旧款水杯");
    assert_eq!(t.outbox_services(), 0);
}

#[test]
fn documented_mode_sends_with_the_refund_way_of_the_payment() {
    let t = store();
    t.set_mode("documented");
    let (pid, _) = t.product(false);
    let sale = t.cash_sale(pid, 2);
    let c = t.ok(&t.clerk, "after_sales_create", json!({ "client_ref": sale, "service_type": "RETURN", "reason": "x", "returns": [{ "line_no": 1, "quantity": 1 }] }));
    assert_eq!(c["route"]["route"], "platform");
    assert_eq!(c["route"]["otherway"], true);
    let s = t.service(&c);
    assert!(!s.local_only && s.otherway);
    assert_eq!(s.expected_order_status.as_deref(), Some("CANCELED_RETURN_PENDING"));
    assert_eq!(t.outbox_services(), 1, "enqueued exactly as before");
    // The slip says the money went back in cash at the counter.
    let text = t.job_text(&t.jobs(None, "after_sales")[0]);
    assert!(text.contains("退款方式：现金退款（柜台）") && !text.contains("门店自理"), "{text}");

    // A platform-refused service consumes nothing.
    t.app.ledger().write(|tx| after_sales::set_conflict(tx, s.id, "order.status.transfer.error")).unwrap();
    let o = orders::require(t.app.ledger().read(), &sale).unwrap();
    assert!(orders::returned_quantities(t.app.ledger().read(), o.id).unwrap().is_empty());
    assert_eq!(after_sales::refunded_before(t.app.ledger().read(), o.id).unwrap(), Money::ZERO);
    t.ok(&t.clerk, "after_sales_quote", json!({ "client_ref": sale, "service_type": "RETURN", "reason": "x", "returns": [{ "line_no": 1, "quantity": 2 }] }));
}

/// What the sync engine's follow-up writes, and what the stats then use.
#[test]
fn platform_follow_up_and_closed_refunded() {
    let t = store();
    t.set_mode("documented");
    let (pid, price) = t.product(false);
    let sale = t.cash_sale(pid, 2);
    let c = t.ok(&t.clerk, "after_sales_create", json!({ "client_ref": sale, "service_type": "RETURN", "reason": "x", "returns": [{ "line_no": 1, "quantity": 1 }] }));
    let s = t.service(&c);
    t.app
        .ledger()
        .write(|tx| after_sales::set_synced(tx, s.id, Some("2611241813167052-7"), Some("CREATED"), None))
        .unwrap();
    assert_eq!(after_sales::to_follow(t.app.ledger().read(), 10).unwrap().len(), 1);
    let lower = price - Money::from_fen(100);
    t.app
        .ledger()
        .write(|tx| {
            after_sales::record_platform(
                tx,
                s.id,
                &PlatformServiceView {
                    service_number: None,
                    status: Some("REFUNDED"),
                    refund_fee: Some(lower),
                    supplementary_fee: None,
                    order_status: Some(Status::ClosedRefunded),
                    checked_at: "2026-11-24T10:00:00.000Z",
                },
            )
        })
        .unwrap();
    let s = t.service(&c);
    assert_eq!(
        (s.status.as_str(), s.platform_status.as_deref(), s.platform_order_status.as_deref()),
        ("REFUNDED", Some("REFUNDED"), Some("CLOSED_REFUNDED"))
    );
    assert_eq!(s.effective_refund(), Some(lower));
    assert!(after_sales::to_follow(t.app.ledger().read(), 10).unwrap().is_empty(), "final");
    let day = storepos::ledger::stats::day_after_sales(t.app.ledger().read(), &s.business_day).unwrap();
    assert_eq!(day.refund_fen, lower.fen(), "stats use the platform-confirmed figure");
    // The order closed refunded (the engine sets it from the platform): it takes no more.
    let o = orders::require(t.app.ledger().read(), &sale).unwrap();
    t.app.ledger().write(|tx| orders::set_status(tx, o.id, Status::ClosedRefunded)).unwrap();
    let e = t.call(&t.clerk, "after_sales_quote", json!({ "client_ref": sale, "service_type": "RETURN", "reason": "x", "returns": [{ "line_no": 1, "quantity": 1 }] })).unwrap_err();
    assert_eq!(e.code, ErrorCode::IllegalAction);
    // A local-only service is never overwritten by the follow-up.
    t.set_mode("field");
    let w = t.ok(&t.clerk, "after_sales_create", json!({ "service_type": "RETURN", "reason": "x", "returns": [{ "product_id": 1, "quantity": 1, "refund_fee": "1" }] }));
    let w = t.service(&w);
    let touched = t
        .app
        .ledger()
        .write(|tx| {
            after_sales::record_platform(
                tx,
                w.id,
                &PlatformServiceView { status: Some("REFUNDED"), checked_at: "x", ..Default::default() },
            )
        })
        .unwrap();
    assert!(!touched);
    // order_count storage.
    let count = storepos::domain::counts::OrderCount {
        total: 3,
        closed: 2,
        total_price: Money::yuan(12),
        ..Default::default()
    };
    t.app
        .ledger()
        .write(|tx| after_sales::store_platform_counts(tx, "rest-store", "1", "2026-11-24T10:00:00.000Z", &count, "{}"))
        .unwrap();
    let (at, back) = after_sales::latest_platform_counts(t.app.ledger().read(), "rest-store").unwrap().unwrap();
    assert_eq!((at.as_str(), back), ("2026-11-24T10:00:00.000Z", count));
}

#[test]
fn wechat_paid_platform_service_goes_back_the_original_path() {
    use storepos::domain::after_sales::ServiceType;
    use storepos::domain::after_sales_rules::{route, OrderFacts, PlatformMode, RefundWay, Route};
    use storepos::domain::order::PaymentMethod;
    let facts = OrderFacts {
        status: Status::Delivering,
        channel: Channel::Flash,
        payment: Some(PaymentMethod::Wechat),
        on_platform: true,
        platform_services: 0,
    };
    match route(PlatformMode::Field, ServiceType::Return, Some(&facts)) {
        Route::Platform { refund_way, otherway, order_after, .. } => {
            assert_eq!(
                (refund_way, otherway, order_after),
                (RefundWay::OriginalPath, false, Some(Status::CanceledReturnPending))
            );
        }
        r => panic!("{r:?}"),
    }
}

fn online_order(t: &T, lines: Vec<OrderLine>, status: Status) -> Order {
    let total = storepos::domain::order::order_total(&lines);
    let o = Order::arrived_online(Arrival {
        client_ref: uuid::Uuid::now_v7().to_string(),
        till_code: "W".into(),
        seq: 1,
        business_day: "2026-11-24".into(),
        order_number: Some("2611241813167099".into()),
        channel: Channel::Flash,
        status,
        total,
        remark: String::new(),
        contact_user: "王伟".into(),
        phone: "13800000000".into(),
        created_at: "2026-11-24T02:00:00.000Z".into(),
        updated_at: "2026-11-24T02:00:00.000Z".into(),
        lines: lines.clone(),
    });
    t.app.ledger().write(|tx| orders::insert(tx, &o, &lines, None, 10, 1).map(|_| ())).unwrap();
    orders::require(t.app.ledger().read(), &o.client_ref).unwrap()
}

#[test]
fn kitchen_void_after_a_cancel_goes_to_every_station_that_printed() {
    let t = store();
    let (hot, _) = t.product(true);
    // A second product on another station, if the demo catalog has one.
    let hot_station = t.station_of(hot);
    let other: Option<i64> = storepos::ledger::catalog::list(t.app.ledger().read(), None)
        .unwrap()
        .into_iter()
        .find(|p| p.price > Money::ZERO && p.station.is_some() && p.station != hot_station)
        .map(|p| p.id);
    let mut lines = vec![json!({ "product_id": hot, "quantity": 2 })];
    if let Some(o) = other {
        lines.push(json!({ "product_id": o, "quantity": 1 }));
    }
    // A restaurant that cooks on order (the store setting); by default the ticket waits
    // for payment and a cancel before it prints nothing (tests/it/kitchen_on_payment.rs).
    let mgr = login(&t.app, "manager", "9999");
    t.ok(&mgr, "settings_set", json!({ "key": "kitchen_print_on_order", "value": true }));
    let sale = t.ok(&t.cashier, "sale_create", json!({ "lines": lines }));
    let r = sale["client_ref"].as_str().unwrap();
    let printed = t.jobs(Some(r), "kitchen");
    assert!(!printed.is_empty(), "printed on order");
    assert!(t.job_text(&printed[0]).contains("柜台"));
    t.ok(&t.cashier, "order_cancel", json!({ "client_ref": r, "reason": "顾客不要了" }));
    let all = t.jobs(Some(r), "kitchen");
    let voids: Vec<_> = all.iter().filter(|j| j.dedupe_key.starts_with("kitchen-void:")).collect();
    assert_eq!(voids.len(), printed.len(), "one void per station that got a ticket");
    for (v, p) in voids.iter().zip(&printed) {
        assert_eq!(v.printer_id, p.printer_id);
        let text = t.job_text(v);
        assert!(text.contains("退单") && text.contains("停止制作"), "{text}");
        assert!(!text.contains("出品单"), "{text}");
    }
    // A second cancel attempt (or a retried event) does not void twice.
    let o = orders::require(t.app.ledger().read(), r).unwrap();
    let printers = storepos::services::printing::printers(t.app.ledger().read(), t.app.data_dir()).unwrap();
    t.app.ledger().write(|tx| Router { printers: &printers }.kitchen_void(tx, &o)).unwrap();
    assert_eq!(t.jobs(Some(r), "kitchen").len(), all.len());
    // A cancel with no kitchen ticket sends no void.
    let (plain, _) = t.product(false);
    let s2 = t.ok(&t.cashier, "sale_create", json!({ "lines": [{ "product_id": plain, "quantity": 1 }] }));
    let r2 = s2["client_ref"].as_str().unwrap();
    let n = t.jobs(Some(r2), "kitchen").len();
    t.ok(&t.cashier, "order_cancel", json!({ "client_ref": r2 }));
    assert_eq!(n, 0, "a product without a station prints no kitchen ticket");
    assert_eq!(t.jobs(Some(r2), "kitchen").len(), 0, "no void where no ticket went");
}

#[test]
fn unknown_products_print_at_the_default_station_and_additions_read_jia_dan() {
    let t = store();
    let (hot, hot_price) = t.product(true);
    let known = OrderLine::reported(1, hot, None, "已知菜".into(), "热菜".into(), Some("热菜".into()), hot_price, 1);
    let unknown = OrderLine::reported(2, 987_654, None, "平台新品拌面".into(), "线上".into(), None, Money::yuan(18), 2);
    let o = online_order(&t, vec![known, unknown], Status::PaidConfirmPending);
    t.ok(&t.clerk, "order_action_apply", json!({ "client_ref": o.client_ref, "action": "accept" }));
    let jobs = t.jobs(Some(&o.client_ref), "kitchen");
    let texts: Vec<String> = jobs.iter().map(|j| t.job_text(j)).collect();
    assert!(texts.iter().any(|x| x.contains("平台新品拌面") && x.contains("【厨房】出品单")), "{texts:?}");
    assert!(texts.iter().any(|x| x.contains("已知菜")), "{texts:?}");
    // Lines added later print as 加单, only those lines.
    let printers = storepos::services::printing::printers(t.app.ledger().read(), t.app.data_dir()).unwrap();
    let o = orders::require(t.app.ledger().read(), &o.client_ref).unwrap();
    t.app.ledger().write(|tx| Router { printers: &printers }.kitchen_addition(tx, &o, &[2], 2)).unwrap();
    let add = t.jobs(Some(&o.client_ref), "kitchen").into_iter().last().unwrap();
    let text = t.job_text(&add);
    assert!(text.contains("【加单】") && text.contains("平台新品拌面") && !text.contains("已知菜"), "{text}");
    // Deliver, then complete: the settlement receipt (结算单) prints.
    t.ok(&t.clerk, "order_action_apply", json!({ "client_ref": o.client_ref, "action": "delivering" }));
    t.ok(&t.clerk, "order_action_apply", json!({ "client_ref": o.client_ref, "action": "complete" }));
    let receipts = t.jobs(Some(&o.client_ref), "receipt");
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    let text = t.job_text(&receipts[0]);
    assert!(text.contains("结算单") && text.contains("平台新品拌面"), "{text}");
}

/// `storepos after-sales quote`: an exchange is priced by the request, the `--data` ledger or
/// the order's own lines — never the demo catalog — else a typed error.
#[test]
fn quote_cli_never_prices_from_the_demo_catalog() {
    use storepos::transports::cli::quote::quote_files;
    let dir = tempfile::tempdir().unwrap();
    let order = dir.path().join("order.json");
    let req = dir.path().join("req.json");
    std::fs::write(&order, r#"{"order_number":"1807181114341472","status":"DELIVERING","type":"ORDER","delivery_type":"FLASH","payment_type":"WECHAT","total_price":172.00,"order_items":[{"product_id":130,"quantity":5,"price":30,"product_name":"测试1"},{"product_id":122,"quantity":2,"price":11,"product_name":"测试2"}]}"#).unwrap();
    // Product 122 is in the demo catalog, but without --data it is priced from the order's line.
    std::fs::write(&req, r#"{"order_number":"1807181114341472","service_type":"EXCHANGE","reason":"x","returns":[{"product_id":130,"quantity":3}],"exchanges":[{"product_id":122,"quantity":2}]}"#).unwrap();
    let v = quote_files(&order, &req, None).unwrap();
    assert_eq!(v["refund_fee"], "68.00");
    assert_eq!(v["exchange_prices"][0]["source"], "order_line");
    // Field: one service, refunded in full (90.00), the exchange goods paid at the counter.
    assert_eq!(v["platform"]["field"]["route"]["route"], "platform");
    assert_eq!(v["platform"]["field"]["refund_fee"], "90.00");
    assert_eq!(v["platform"]["field"]["supplementary_fee"], "22.00");
    assert_eq!(v["platform"]["documented"]["refund_fee"], "68.00");
    // A product neither on the order nor priced anywhere: typed error, no guess.
    std::fs::write(&req, r#"{"order_number":"1807181114341472","service_type":"EXCHANGE","reason":"x","returns":[{"product_id":130,"quantity":1}],"exchanges":[{"product_id":1,"quantity":1}]}"#).unwrap();
    let e = quote_files(&order, &req, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(e.message_en.starts_with("ExchangeUnpriced"), "{}", e.message_en);
    // With --data the ledger's catalog prices it.
    let data = dir.path().join("store");
    drop(init_store(&data, &InitOptions::default()).unwrap());
    let v = quote_files(&order, &req, Some(&data)).unwrap();
    assert_eq!(v["exchange_prices"][0]["source"], "ledger");
}

/// The wizard's limits (`after_sales_caps_get`, also in every linked quote) are exactly
/// where `after_sales_quote` starts refusing: the returnable quantity per line and the
/// money still refundable, after earlier services.
#[test]
fn published_caps_are_where_the_quote_refuses() {
    let t = store();
    let (pid, price) = t.product(false);
    let sale = t.cash_sale(pid, 3);
    let ret = |n: i64| json!({ "client_ref": sale, "service_type": "RETURN", "reason": "x", "returns": [{ "line_no": 1, "quantity": n }] });
    let refund = |m: Money| json!({ "client_ref": sale, "service_type": "REFUND", "reason": "x", "refund_fee": m });
    t.ok(&t.clerk, "after_sales_create", ret(1));
    let caps = t.ok(&t.clerk, "after_sales_caps_get", json!({ "client_ref": sale }));
    assert_eq!(caps["lines"][0]["ordered"], 3);
    let returnable = caps["lines"][0]["returnable"].as_i64().unwrap();
    assert_eq!(returnable, 2, "{caps}");
    let refundable = money(&caps["refundable"]);
    assert_eq!(refundable, price.times(2), "{caps}");

    let q = t.ok(&t.clerk, "after_sales_quote", ret(returnable));
    assert_eq!(q["caps"], caps, "the quote carries the same caps");
    assert_eq!(t.call(&t.clerk, "after_sales_quote", ret(returnable + 1)).unwrap_err().code, ErrorCode::Validation);
    t.ok(&t.clerk, "after_sales_quote", refund(refundable));
    assert_eq!(
        t.call(&t.clerk, "after_sales_quote", refund(refundable + Money::from_fen(1))).unwrap_err().code,
        ErrorCode::Validation
    );
}
