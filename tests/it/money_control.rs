//! Issue 22, "Money under control at the counter", through the command table on a real
//! ledger: every guarded act is refused without a manager's approval (typed
//! `approval_required` naming the rule), let through once with a fitting one, refused with a
//! reused, expired, wrong-amount or wrong-order one, and journaled (who approved what);
//! money is taken only in an open shift; blind close hides the expected cash from the
//! cashier.

use serde_json::{json, Value};

use storepos::commands::{CommandError, ErrorCode};
use storepos::domain::Money;
use storepos::ledger::{settings, LedgerError};

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
    fn product(&self) -> (i64, Money) {
        let all = storepos::ledger::catalog::list(self.app.ledger().read(), None).unwrap();
        let p = all.iter().find(|p| p.price > Money::ZERO).expect("demo catalog has a priced product");
        (p.id, p.price)
    }
    fn cash_sale(&self, pid: i64, qty: i64) -> String {
        let sale = self.ok(&self.cashier, "sale_create", json!({ "lines": [{ "product_id": pid, "quantity": qty }] }));
        let r = sale["client_ref"].as_str().unwrap().to_string();
        self.ok(&self.cashier, "sale_cash_pay", json!({ "client_ref": r, "tendered": "10000" }));
        r
    }
    fn journal(&self, entity: &str, action: &str) -> Vec<(String, String)> {
        let c = self.app.ledger();
        let mut st = c
            .read()
            .prepare("SELECT actor, coalesce(detail, '') FROM journal WHERE entity = ?1 AND action = ?2 ORDER BY id")
            .unwrap();
        st.query_map([entity, action], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    }
    fn expire_all(&self) {
        self.app
            .ledger()
            .write(|tx| {
                tx.execute_batch(
                    "DROP TRIGGER approvals_used_once; UPDATE approvals SET expires_at = '2000-01-01T00:00:00.000Z';",
                )
                .map_err(LedgerError::from)
            })
            .unwrap();
    }
}

fn assert_required(e: &CommandError, rule: &str, why: &str) {
    assert_eq!(e.code, ErrorCode::ApprovalRequired, "{why}: {e:?}");
    assert_eq!(e.details.as_ref().unwrap()["rule"], rule, "{why}: the refusal names the rule");
}

fn return_req(sale: &str, approval: Option<&str>) -> Value {
    json!({ "client_ref": sale, "service_type": "RETURN", "reason": "不想要了", "returns": [{ "line_no": 1, "quantity": 1 }], "approval": approval })
}

#[test]
fn a_clerks_cash_return_needs_the_managers_pin_once_for_that_order_and_amount() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "200" }));
    let (pid, price) = t.product();
    let sale = t.cash_sale(pid, 3);
    let other = t.cash_sale(pid, 3);

    // Without approval: refused, typed, naming the rule, the order and the amount; nothing recorded.
    let e = t.err(&t.clerk, "after_sales_create", return_req(&sale, None));
    assert_required(&e, "after_sales_cash", "cash out of the drawer by a clerk");
    let d = e.details.clone().unwrap();
    assert_eq!(d["subject"], sale.as_str());
    assert_eq!(d["amount"], price.to_string());
    assert!(t.ok(&t.manager, "after_sales_list", json!({})).as_array().unwrap().is_empty(), "nothing recorded");

    // A wrong PIN approves nothing.
    let bad = t.err(
        &t.clerk,
        "approval_grant",
        json!({ "rule": "after_sales_cash", "subject": sale, "amount": price, "manager_username": "manager", "manager_pin": "0000" }),
    );
    assert_eq!(bad.code, ErrorCode::Forbidden);
    // A cashier's PIN is not a manager's.
    let not_mgr = t.err(
        &t.clerk,
        "approval_grant",
        json!({ "rule": "after_sales_cash", "subject": sale, "amount": price, "manager_username": "cashier", "manager_pin": "1111" }),
    );
    assert_eq!(not_mgr.code, ErrorCode::Forbidden);

    // An approval for another amount or another order does not fit.
    let wrong_amount = t
        .ok(
            &t.clerk,
            "approval_grant",
            json!({ "rule": "after_sales_cash", "subject": sale, "amount": (price + Money::from_fen(1)), "manager_username": "manager", "manager_pin": "9999" }),
        )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let e2 = t.err(&t.clerk, "after_sales_create", return_req(&sale, Some(&wrong_amount)));
    assert_required(&e2, "after_sales_cash", "an approval for another amount");
    assert_eq!(e2.details.as_ref().unwrap()["unfit"], "other_amount");
    let for_other = t.grant(&t.clerk, &t.err(&t.clerk, "after_sales_create", return_req(&other, None)));
    let e3 = t.err(&t.clerk, "after_sales_create", return_req(&sale, Some(&for_other)));
    assert_eq!(e3.details.as_ref().unwrap()["unfit"], "other_subject", "an approval is bound to its order");

    // The right one lets it through, once.
    let id = t.grant(&t.clerk, &e);
    let done = t.ok(&t.clerk, "after_sales_create", return_req(&sale, Some(&id)));
    assert_eq!(done["outlook"]["cash_out"], price.to_string());
    let again = t.err(&t.clerk, "after_sales_create", return_req(&sale, Some(&id)));
    assert_eq!(again.details.as_ref().unwrap()["unfit"], "used", "single use");

    // The journal says who approved what, for whom.
    let grants = t.journal("approval", "grant");
    assert!(grants.iter().any(|(actor, d)| actor.starts_with("manager#")
        && d.contains("after_sales_cash")
        && d.contains(&price.to_string())));
    let uses = t.journal("approval", "use");
    assert_eq!(uses.len(), 1, "one act, one use: {uses:?}");
    assert!(uses[0].0.starts_with("clerk#") && uses[0].1.contains("approved by manager#"), "{uses:?}");
    let refused = t.journal("approval", "grant_refused");
    assert_eq!(refused.len(), 2, "each wrong PIN is journaled: {refused:?}");

    // The manager needs no one's approval.
    let third = t.cash_sale(pid, 1);
    t.ok(&t.manager, "after_sales_create", return_req(&third, None));
}

#[test]
fn an_expired_approval_is_refused() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "0" }));
    let (pid, _) = t.product();
    let sale = t.cash_sale(pid, 1);
    let e = t.err(&t.clerk, "after_sales_create", return_req(&sale, None));
    let id = t.grant(&t.clerk, &e);
    t.expire_all();
    let e = t.err(&t.clerk, "after_sales_create", return_req(&sale, Some(&id)));
    assert_eq!(e.details.as_ref().unwrap()["unfit"], "expired");
}

#[test]
fn the_threshold_is_a_setting() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "0" }));
    let (pid, price) = t.product();
    let sale = t.cash_sale(pid, 2);
    // Up to the price, a clerk refunds cash alone.
    t.ok(&t.manager, "settings_set", json!({ "key": "approval_rules", "value": { "after_sales_cash_over": price } }));
    t.ok(&t.clerk, "after_sales_create", return_req(&sale, None));
    // A typo in the rules is refused, not ignored.
    let e = t.err(&t.manager, "settings_set", json!({ "key": "approval_rules", "value": { "drawr_open": false } }));
    assert_eq!(e.code, ErrorCode::Validation);
}

#[test]
fn a_walk_in_return_needs_approval() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "0" }));
    let (pid, _) = t.product();
    let req = |a: Option<&str>| json!({ "service_type": "RETURN", "reason": "无小票", "returns": [{ "product_id": pid, "quantity": 1, "refund_fee": "3.00" }], "approval": a });
    let e = t.err(&t.clerk, "after_sales_create", req(None));
    assert_required(&e, "walk_in_return", "a return without a receipt");
    assert_eq!(e.details.as_ref().unwrap()["subject"], "");
    let id = t.grant(&t.clerk, &e);
    t.ok(&t.clerk, "after_sales_create", req(Some(&id)));
    assert_eq!(t.err(&t.clerk, "after_sales_create", req(Some(&id))).details.unwrap()["unfit"], "used");
}

/// A WeChat-paid order (paid as the platform reports it).
fn wechat_paid(t: &T, pid: i64) -> String {
    let sale = t.ok(&t.cashier, "sale_create", json!({ "lines": [{ "product_id": pid, "quantity": 1 }] }));
    let r = sale["client_ref"].as_str().unwrap().to_string();
    t.app
        .ledger()
        .write(|tx| {
            tx.execute(
                "UPDATE orders SET payment_method = 'WECHAT', status = 'CLOSED_CONFIRMED', paid_fen = total_fen, change_fen = 0 WHERE client_ref = ?1",
                [&r],
            )
            .map_err(LedgerError::from)
        })
        .unwrap();
    r
}

#[test]
fn a_wechat_paid_order_goes_back_by_the_original_path_and_cash_needs_approval() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "100" }));
    let (pid, price) = t.product();
    let sale = wechat_paid(&t, pid);
    let refund = |cash: bool, a: Option<&str>| json!({ "client_ref": sale, "service_type": "REFUND", "reason": "少送了", "refund_fee": "1.00", "cash": cash, "approval": a });
    // By default: the original path, no drawer cash, no approval needed.
    let q = t.ok(&t.clerk, "after_sales_quote", refund(false, None));
    assert_eq!(q["outlook"]["refund_way"], "ORIGINAL_PATH");
    assert_eq!(q["outlook"]["cash_out"], "0.00", "a WeChat refund leaves the drawer alone");
    // Cash instead: refused without the manager.
    let e = t.err(&t.clerk, "after_sales_create", refund(true, None));
    assert_required(&e, "wechat_cash_refund", "cash for a WeChat-paid order");
    let id = t.grant(&t.clerk, &e);
    let done = t.ok(&t.clerk, "after_sales_create", refund(true, Some(&id)));
    assert_eq!(done["outlook"]["refund_way"], "OTHERWAY");
    assert_eq!(done["outlook"]["cash_out"], "1.00");
    let cash = t.ok(&t.manager, "shift_get", json!({}))["current"]["cash"].clone();
    assert_eq!(cash["cash_refunds"], "1.00", "the approved cash refund left the drawer");
    let _ = price;
    // And the original path goes through without anyone.
    t.ok(&t.clerk, "after_sales_create", refund(false, None));
    let cash = t.ok(&t.manager, "shift_get", json!({}))["current"]["cash"].clone();
    assert_eq!(cash["cash_refunds"], "1.00", "the original-path refund did not touch the drawer");
}

#[test]
fn opening_the_drawer_without_a_sale_needs_approval() {
    let t = store();
    let e = t.err(&t.cashier, "drawer_open", json!({ "reason": "换零钱" }));
    assert_required(&e, "drawer_open", "a no-sale drawer open by a cashier");
    let id = t.grant(&t.cashier, &e);
    t.ok(&t.cashier, "drawer_open", json!({ "reason": "换零钱", "approval": id }));
    let e = t.err(&t.cashier, "drawer_open", json!({ "reason": "换零钱", "approval": id }));
    assert_eq!(e.details.unwrap()["unfit"], "used");
    // An approval for another act does not open the drawer.
    let (pid, _) = t.product();
    t.ok(&t.cashier, "shift_open", json!({ "float": "0" }));
    let sale = t.cash_sale(pid, 1);
    let other = t.grant(&t.clerk, &t.err(&t.clerk, "after_sales_create", return_req(&sale, None)));
    let e = t.err(&t.cashier, "drawer_open", json!({ "reason": "x", "approval": other }));
    assert_eq!(e.details.unwrap()["unfit"], "other_rule");
    t.ok(&t.manager, "drawer_open", json!({ "reason": "店长" }));
    assert_eq!(t.journal("drawer", "no_sale_open").len(), 2);
}

#[test]
fn approval_never_widens_a_role() {
    let t = store();
    t.ok(&t.cashier, "shift_open", json!({ "float": "0" }));
    let (pid, _) = t.product();
    let sale = t.cash_sale(pid, 1);
    let id = t.grant(&t.clerk, &t.err(&t.clerk, "after_sales_create", return_req(&sale, None)));
    // A cashier may not create after-sales at all: an approval does not change that.
    let e = t.err(&t.cashier, "after_sales_create", return_req(&sale, Some(&id)));
    assert_eq!(e.code, ErrorCode::Forbidden);
}

#[test]
fn money_is_taken_only_in_an_open_shift() {
    let t = store();
    let (pid, _) = t.product();
    let sale = t.ok(&t.cashier, "sale_create", json!({ "lines": [{ "product_id": pid, "quantity": 1 }] }));
    let r = sale["client_ref"].as_str().unwrap();
    let e = t.err(&t.cashier, "sale_cash_pay", json!({ "client_ref": r, "tendered": "100" }));
    assert_eq!(e.code, ErrorCode::NoOpenShift, "cash without a shift: {e:?}");
    let e = t.err(&t.cashier, "wechat_start", json!({ "client_ref": r }));
    assert_eq!(e.code, ErrorCode::NoOpenShift, "WeChat without a shift: {e:?}");
    t.ok(&t.cashier, "shift_open", json!({ "float": "50" }));
    t.ok(&t.cashier, "sale_cash_pay", json!({ "client_ref": r, "tendered": "100" }));
    // Rung up before the shift, paid in it: the shift took the money.
    let cash = t.ok(&t.cashier, "shift_get", json!({}))["current"]["cash"].clone();
    assert_eq!(cash["cash_sales_count"], 1, "the sale paid in this shift is its cash: {cash}");
    assert_eq!(cash["cash_sales"], sale["total"]);
    // And the shift's report counts it among its sales.
    let mut counted = serde_json::Map::new();
    counted.insert("50".into(), json!(1));
    let closed = t.ok(
        &t.cashier,
        "shift_close",
        json!({ "counted": counted, "manager_username": "manager", "manager_pin": "9999" }),
    );
    assert_eq!(
        closed["stats"]["order_count"], 1,
        "the shift's report has the sale it was paid for: {}",
        closed["stats"]
    );
}

#[test]
fn blind_close_hides_the_expected_cash_from_the_cashier_only() {
    let t = store();
    t.app.ledger().write(|tx| settings::set(tx, "blind_close", &json!(true)).map(|_| ())).unwrap();
    let opened = t.ok(&t.cashier, "shift_open", json!({ "float": "200" }));
    assert_eq!(opened["cash"], Value::Null, "the cashier does not see the expected cash");
    assert_eq!(opened["blind"], true);
    let mgr = t.ok(&t.manager, "shift_get", json!({}));
    assert_eq!(mgr["current"]["cash"]["expected"], "200.00", "the manager does");
    // The manager closes with the cashier's count and sees 短款 by the amount.
    let mut counted = serde_json::Map::new();
    counted.insert("100".into(), json!(1));
    counted.insert("50".into(), json!(1));
    let closed = t.ok(
        &t.cashier,
        "shift_close",
        json!({ "counted": counted, "manager_username": "manager", "manager_pin": "9999" }),
    );
    assert_eq!(closed["over_short"], "-50.00");
}
