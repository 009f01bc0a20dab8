//! What the backend publishes for screens (limits, the store's day, the change of a cash
//! payment) is what its commands then enforce and record: screens keep no copy.

use serde_json::{json, Value};

use storepos::commands::{dispatch, App, ErrorCode};
use storepos::services::setup::{init_store, InitOptions};

fn store() -> (tempfile::TempDir, App, String) {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let tok = dispatch(&app, None, false, "session_login", json!({ "username": "cashier", "pin": "1111" })).unwrap()
        ["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Money is taken only in an open shift.
    dispatch(&app, Some(&tok), false, "shift_open", json!({ "float": "0" })).unwrap();
    (dir, app, tok)
}

fn product(app: &App, tok: &str) -> i64 {
    let ps = dispatch(app, Some(tok), false, "catalog_product_list", json!({})).unwrap();
    let list = ps.as_array().cloned().or_else(|| ps["products"].as_array().cloned()).unwrap();
    list.iter().find(|p| p["specifications"].as_array().is_none_or(|s| s.is_empty())).unwrap()["id"].as_i64().unwrap()
}

#[test]
fn published_limits_are_the_limits_sale_create_enforces() {
    let (_d, app, tok) = store();
    let call = |name: &str, body: Value| dispatch(&app, Some(&tok), false, name, body);
    let limits = call("session_get", json!({})).unwrap()["limits"].clone();
    let login_limits = dispatch(&app, None, false, "session_login", json!({ "username": "cashier", "pin": "1111" }))
        .unwrap()["limits"]
        .clone();
    assert_eq!(limits, login_limits);
    let max_q = limits["max_quantity"].as_i64().unwrap();
    let max_lines = limits["max_lines"].as_u64().unwrap() as usize;
    let max_text = limits["max_text"].as_u64().unwrap() as usize;
    let p = product(&app, &tok);
    let line = |q: i64| json!({ "product_id": p, "quantity": q });

    assert!(call("sale_create", json!({ "lines": [line(max_q)] })).is_ok());
    assert_eq!(call("sale_create", json!({ "lines": [line(max_q + 1)] })).unwrap_err().code, ErrorCode::Validation);
    assert!(call("sale_create", json!({ "lines": vec![line(1); max_lines] })).is_ok());
    assert_eq!(
        call("sale_create", json!({ "lines": vec![line(1); max_lines + 1] })).unwrap_err().code,
        ErrorCode::Validation
    );
    let text = |n: usize| "字".repeat(n);
    assert!(call("sale_create", json!({ "lines": [line(1)], "remark": text(max_text) })).is_ok());
    assert_eq!(
        call("sale_create", json!({ "lines": [line(1)], "remark": text(max_text + 1) })).unwrap_err().code,
        ErrorCode::Validation
    );
}

#[test]
fn the_change_quote_is_the_change_cash_pay_gives() {
    let (_d, app, tok) = store();
    let call = |name: &str, body: Value| dispatch(&app, Some(&tok), false, name, body);
    let p = product(&app, &tok);
    let sale = call("sale_create", json!({ "lines": [{ "product_id": p, "quantity": 3 }] })).unwrap();
    let due = sale["total"].clone();
    let short = call("cash_change_quote", json!({ "due": due, "tendered": "0.01" })).unwrap_err();
    let short_pay = call("sale_cash_pay", json!({ "client_ref": sale["client_ref"], "tendered": "0.01" })).unwrap_err();
    assert_eq!((short.code, &short.message_en), (short_pay.code, &short_pay.message_en));
    assert_eq!(
        call("cash_change_quote", json!({ "due": due, "tendered": "-1" })).unwrap_err().code,
        ErrorCode::Validation
    );
    let quoted = call("cash_change_quote", json!({ "due": due, "tendered": "100.00" })).unwrap();
    let paid = call("sale_cash_pay", json!({ "client_ref": sale["client_ref"], "tendered": "100.00" })).unwrap();
    assert_eq!(quoted["change"], paid["change"]);
    assert_eq!(paid["order"]["status"], "CLOSED_CONFIRMED");
}

#[test]
fn the_store_day_is_the_day_sales_are_booked_on() {
    let (_d, app, tok) = store();
    let call = |name: &str, body: Value| dispatch(&app, Some(&tok), false, name, body);
    let day = call("store_day_get", json!({})).unwrap();
    let p = product(&app, &tok);
    let sale = call("sale_create", json!({ "lines": [{ "product_id": p, "quantity": 1 }] })).unwrap();
    assert_eq!(day["business_day"], sale["business_day"]);
    assert_eq!(day["business_day"], call("session_get", json!({})).unwrap()["business_day"]);
    let listed = call("order_list", json!({ "day": day["business_day"] })).unwrap();
    assert_eq!(listed["total"], 1);
    assert!(dispatch(&app, None, false, "store_day_get", json!({})).is_err(), "behind the login");
}
