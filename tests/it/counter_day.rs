//! Issue 23, items 2 and 3 on a real ledger: an unpaid counter sale is paid after a restart
//! (and prints its kitchen ticket then); the cart being built survives `kill -9` of a real
//! `storepos serve`; 挂单/取单 parks a cart that is not an order (no order, no outbox row),
//! recalled once on another screen; carts left from an earlier business day are listed as
//! stale for the manager, who may discard them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use storepos::commands::{dispatch, App};

use crate::kitchen_on_payment::{login, store};

fn count(app: &App, sql: &str) -> i64 {
    app.ledger().read().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn cart(pid: i64, qty: i64) -> Value {
    json!({ "lines": [{ "product_id": pid, "name": "拿铁", "unit_price": "12.00", "quantity": qty, "memo": "" }], "remark": "" })
}

#[test]
fn an_unpaid_sale_is_paid_after_a_restart_and_the_screen_reopens_it() {
    let t = store();
    let pid = t.kitchen_product();
    let sale = t.ok(&t.cashier, "sale_create", json!({ "lines": [{ "product_id": pid, "quantity": 1 }] }));
    let r = sale["client_ref"].as_str().unwrap().to_string();
    t.ok(&t.cashier, "cart_draft_put", json!({ "device": "till-a", "cart": cart(pid, 1), "pending_client_ref": r }));
    let dir = t._dir.path().to_path_buf();
    let (keep, app) = (t._dir, t.app);
    drop(app); // the till goes down
    let app = App::open(&dir).unwrap();
    let cashier = login(&app, "cashier", "1111");
    let d = dispatch(&app, Some(&cashier), false, "cart_draft_get", json!({ "device": "till-a" })).unwrap();
    assert_eq!(d["pending"]["client_ref"], r.as_str(), "the screen reopens the unpaid sale: {d}");
    assert_eq!(d["cart"]["lines"][0]["quantity"], 1);
    // Another screen has no draft of its own.
    let other = dispatch(&app, Some(&cashier), false, "cart_draft_get", json!({ "device": "ipad-1" })).unwrap();
    assert!(other["cart"].is_null() && other["pending"].is_null(), "{other}");
    let paid =
        dispatch(&app, Some(&cashier), false, "sale_cash_pay", json!({ "client_ref": r, "tendered": "100" })).unwrap();
    assert_eq!(paid["order"]["status"], "CLOSED_CONFIRMED");
    let kitchen =
        count(&app, &format!("SELECT count(*) FROM print_jobs WHERE kind = 'kitchen' AND client_ref = '{r}'"));
    assert_eq!(kitchen, 1, "paid later: the kitchen ticket prints now");
    // Paid: the draft no longer reopens it.
    let d = dispatch(&app, Some(&cashier), false, "cart_draft_get", json!({ "device": "till-a" })).unwrap();
    assert!(d["pending"].is_null() && d["cart"].is_null(), "the cart became the paid sale: {d}");
    drop(keep);
}

struct Serve(Child, String);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &std::path::Path) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_storepos"))
        .args(["serve", "--data"])
        .arg(data)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn storepos serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("storepos serve listening on ").expect("listening line").to_string();
    Serve(child, url)
}

fn api(s: &Serve, token: Option<&str>, cmd: &str, body: Value) -> Value {
    let mut req = reqwest::blocking::Client::new().post(format!("{}/api/{cmd}", s.1)).json(&body);
    if let Some(t) = token {
        req = req.header("x-storepos-session", t);
    }
    let v: Value = req.send().unwrap().json().unwrap();
    assert_eq!(v["ok"], true, "{cmd}: {v}");
    v["data"].clone()
}

#[test]
fn the_cart_being_built_survives_kill_9_of_storepos_serve() {
    let t = store();
    let pid = t.kitchen_product();
    let dir = t._dir.path().to_path_buf();
    drop(t.app);
    let s = serve(&dir);
    let tok = api(&s, None, "session_login", json!({ "username": "cashier", "pin": "1111" }))["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut c = cart(pid, 3);
    c["remark"] = json!("外带");
    api(&s, Some(&tok), "cart_draft_put", json!({ "device": "desk-1", "cart": c }));
    drop(s); // SIGKILL: no destructor, no flush
    let s = serve(&dir);
    let tok = api(&s, None, "session_login", json!({ "username": "cashier", "pin": "1111" }))["token"]
        .as_str()
        .unwrap()
        .to_string();
    let d = api(&s, Some(&tok), "cart_draft_get", json!({ "device": "desk-1" }));
    assert_eq!(d["cart"]["lines"][0]["quantity"], 3, "the draft came back: {d}");
    assert_eq!(d["cart"]["remark"], "外带");
    // An emptied cart clears the draft.
    api(&s, Some(&tok), "cart_draft_put", json!({ "device": "desk-1", "cart": { "lines": [] } }));
    assert!(api(&s, Some(&tok), "cart_draft_get", json!({ "device": "desk-1" }))["cart"].is_null());
    drop(t._dir);
}

#[test]
fn a_held_cart_is_not_an_order_and_is_recalled_once_on_another_screen() {
    let t = store();
    let pid = t.kitchen_product();
    let orders_before = count(&t.app, "SELECT count(*) FROM orders");
    let outbox_before = count(&t.app, "SELECT count(*) FROM outbox");
    t.ok(&t.cashier, "cart_draft_put", json!({ "device": "desk-1", "cart": cart(pid, 2) }));
    let h =
        t.ok(&t.cashier, "cart_hold", json!({ "device": "desk-1", "cart": cart(pid, 2), "note": "穿红衣服的顾客" }));
    assert_eq!(h["total"], "24.00");
    assert_eq!(count(&t.app, "SELECT count(*) FROM orders"), orders_before, "a held cart is not an order");
    assert_eq!(count(&t.app, "SELECT count(*) FROM outbox"), outbox_before, "nothing goes to the platform");
    assert!(t.ok(&t.cashier, "cart_draft_get", json!({ "device": "desk-1" }))["cart"].is_null(), "screen freed");
    let list = t.ok(&t.cashier, "cart_held_list", json!({}));
    assert_eq!(list["held"].as_array().unwrap().len(), 1);
    assert_eq!(list["held"][0]["stale"], false);
    let hold_ref = h["hold_ref"].as_str().unwrap();
    // A screen with a cart of its own must not lose it to a recall.
    t.ok(&t.cashier, "cart_draft_put", json!({ "device": "ipad-2", "cart": cart(pid, 1) }));
    let e =
        dispatch(&t.app, Some(&t.cashier), false, "cart_recall", json!({ "hold_ref": hold_ref, "device": "ipad-2" }))
            .unwrap_err();
    assert_eq!(e.code, storepos::commands::ErrorCode::Conflict);
    t.ok(&t.cashier, "cart_draft_put", json!({ "device": "ipad-2", "cart": { "lines": [] } }));
    let back = t.ok(&t.cashier, "cart_recall", json!({ "hold_ref": hold_ref, "device": "ipad-2" }));
    assert_eq!(back["cart"]["lines"][0]["quantity"], 2);
    assert_eq!(
        t.ok(&t.cashier, "cart_draft_get", json!({ "device": "ipad-2" }))["cart"]["lines"][0]["quantity"],
        2,
        "the recalled cart is that screen's draft"
    );
    let again =
        dispatch(&t.app, Some(&t.cashier), false, "cart_recall", json!({ "hold_ref": hold_ref, "device": "x" }));
    assert!(again.is_err(), "recalled once, never twice");
    assert!(t.ok(&t.cashier, "cart_held_list", json!({}))["held"].as_array().unwrap().is_empty());
    // Hold validation: an empty cart, a quantity over the limit.
    assert!(dispatch(
        &t.app,
        Some(&t.cashier),
        false,
        "cart_hold",
        json!({ "device": "d", "cart": { "lines": [] }, "note": "" })
    )
    .is_err());
    assert!(dispatch(
        &t.app,
        Some(&t.cashier),
        false,
        "cart_hold",
        json!({ "device": "d", "cart": cart(pid, 100000), "note": "" })
    )
    .is_err());
}

#[test]
fn carts_held_past_the_business_day_are_listed_for_the_manager() {
    let t = store();
    let pid = t.kitchen_product();
    let h = t.ok(&t.cashier, "cart_hold", json!({ "device": "desk-1", "cart": cart(pid, 1), "note": "" }));
    let hold_ref = h["hold_ref"].as_str().unwrap();
    t.app
        .ledger()
        .write(|tx| -> Result<(), storepos::ledger::LedgerError> {
            tx.execute("UPDATE held_carts SET business_day = '2020-01-01'", [])?;
            Ok(())
        })
        .unwrap();
    let list = t.ok(&t.manager, "cart_held_list", json!({}));
    assert_eq!(list["held"][0]["stale"], true, "{list}");
    // Discarding is the manager's.
    assert!(dispatch(
        &t.app,
        Some(&t.cashier),
        false,
        "cart_held_discard",
        json!({ "hold_ref": hold_ref, "reason": "x" })
    )
    .is_err());
    t.ok(&t.manager, "cart_held_discard", json!({ "hold_ref": hold_ref, "reason": "顾客没回来" }));
    assert!(t.ok(&t.manager, "cart_held_list", json!({}))["held"].as_array().unwrap().is_empty());
}
