//! Issue 23, item 1: a counter sale's kitchen ticket (出品单) prints when the sale is paid,
//! not when it is rung up; a sale cancelled before payment prints nothing in the kitchen
//! (no 出品单, no 退单); the store setting `kitchen_print_on_order` brings back printing on
//! order for restaurants (then a cancel voids it). Counter tickets read `柜台`, never
//! `外送`. Real ledger on disk; tickets read back from their ESC/POS bytes.

use serde_json::{json, Value};

use storepos::commands::{dispatch, App};
use storepos::domain::Money;
use storepos::ledger::print_jobs;
use storepos::services::print_service::ticket_for;
use storepos::services::printing::Payload;
use storepos::services::setup::{init_store, InitOptions};
use storepos_printers::escpos_reader::decode;
use storepos_printers::{render, Paper, PrinterProfile};

pub(crate) struct T {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) app: App,
    pub(crate) cashier: String,
    pub(crate) manager: String,
}

pub(crate) fn login(app: &App, u: &str, pin: &str) -> String {
    dispatch(app, None, false, "session_login", json!({ "username": u, "pin": pin })).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) fn store() -> T {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let cashier = login(&app, "cashier", "1111");
    let manager = login(&app, "manager", "9999");
    // Money is taken only in an open shift (issue 22).
    dispatch(&app, Some(&cashier), false, "shift_open", json!({ "float": "0" })).unwrap();
    T { _dir: dir, app, cashier, manager }
}

impl T {
    pub(crate) fn ok(&self, tok: &str, name: &str, body: Value) -> Value {
        dispatch(&self.app, Some(tok), false, name, body).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }
    /// A product with a kitchen station (the demo catalog's drinks and hot food).
    pub(crate) fn kitchen_product(&self) -> i64 {
        storepos::ledger::catalog::list(self.app.ledger().read(), None)
            .unwrap()
            .into_iter()
            .find(|p| p.price > Money::ZERO && p.station.is_some())
            .expect("demo catalog has kitchen products")
            .id
    }
    pub(crate) fn sale(&self) -> String {
        let pid = self.kitchen_product();
        let o = self.ok(
            &self.cashier,
            "sale_create",
            json!({ "lines": [{ "product_id": pid, "quantity": 2, "memo": "少冰" }], "remark": "不要加辣椒" }),
        );
        o["client_ref"].as_str().unwrap().to_string()
    }
    pub(crate) fn kitchen_jobs(&self, client_ref: &str) -> Vec<print_jobs::PrintJob> {
        print_jobs::list(self.app.ledger().read(), None, Some(client_ref), 1000)
            .unwrap()
            .into_iter()
            .filter(|j| j.kind == "kitchen")
            .collect()
    }
    /// The text on paper: the job rendered to ESC/POS and read back by the test reader.
    pub(crate) fn paper(&self, job: &print_jobs::PrintJob) -> String {
        let payload: Payload = serde_json::from_str(&job.payload).unwrap();
        let ticket = ticket_for(&self.app.config(), &payload, job.reprint).unwrap();
        let bytes = render(&ticket, &PrinterProfile::new("t", Paper::W58)).unwrap().bytes;
        let d = decode(&bytes, Paper::W58);
        assert!(d.errors.is_empty(), "the bytes are valid ESC/POS: {:?}", d.errors);
        d.plain_text().replace('\u{3000}', "")
    }
}

#[test]
fn the_kitchen_ticket_prints_when_the_counter_sale_is_paid() {
    let t = store();
    let r = t.sale();
    assert!(t.kitchen_jobs(&r).is_empty(), "rung up but unpaid: the kitchen makes nothing yet");
    t.ok(&t.cashier, "sale_cash_pay", json!({ "client_ref": r, "tendered": "500" }));
    let jobs = t.kitchen_jobs(&r);
    assert_eq!(jobs.len(), 1, "one 出品单 per station once paid: {jobs:?}");
    let text = t.paper(&jobs[0]);
    assert!(text.contains("出品单") && text.contains("x2") && text.contains("少冰"), "{text}");
    assert!(text.contains("不要加辣椒"), "the order memo prints on the kitchen ticket: {text}");
    assert!(text.contains("柜台"), "a counter ticket says 柜台: {text}");
    assert!(!text.contains("外送"), "外送 is for FLASH only: {text}");
    // A reprint of the receipt does not make the kitchen print again.
    t.ok(&t.cashier, "order_reprint", json!({ "client_ref": r, "kind": "receipt" }));
    assert_eq!(t.kitchen_jobs(&r).len(), 1);
}

#[test]
fn a_sale_cancelled_before_payment_prints_nothing_in_the_kitchen() {
    let t = store();
    let r = t.sale();
    t.ok(&t.cashier, "order_cancel", json!({ "client_ref": r, "reason": "顾客不要了" }));
    assert!(t.kitchen_jobs(&r).is_empty(), "no 出品单 and no 退单 for a sale never paid");
}

#[test]
fn a_store_that_prints_on_order_gets_one_ticket_and_a_void_on_cancel() {
    let t = store();
    t.ok(&t.manager, "settings_set", json!({ "key": "kitchen_print_on_order", "value": true }));
    let r = t.sale();
    assert_eq!(t.kitchen_jobs(&r).len(), 1, "printed on order");
    t.ok(&t.cashier, "sale_cash_pay", json!({ "client_ref": r, "tendered": "500" }));
    assert_eq!(t.kitchen_jobs(&r).len(), 1, "payment does not print the same ticket twice");

    let r2 = t.sale();
    t.ok(&t.cashier, "order_cancel", json!({ "client_ref": r2 }));
    let jobs = t.kitchen_jobs(&r2);
    assert_eq!(jobs.len(), 2, "the ticket and its 退单: {jobs:?}");
    assert!(jobs.iter().any(|j| t.paper(j).contains("停止制作")));
    // The setting is a bool, nothing else.
    assert!(dispatch(
        &t.app,
        Some(&t.manager),
        false,
        "settings_set",
        json!({ "key": "kitchen_print_on_order", "value": "yes" })
    )
    .is_err());
}
