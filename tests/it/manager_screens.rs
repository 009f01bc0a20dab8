//! Issue 22 item 4 (the manager's screens) and three gaps of issue 23, on a real ledger
//! through the command table: the reconciliation refreshed from the platform now (the
//! field simulator on loopback, then unreachable, then not set up); the store's and till's
//! identity refused after init; a member sale found by its phone; a held cart's note kept
//! on recall; a receipt printed before the platform matched the member makes no claim.

use std::sync::Arc;

use serde_json::{json, Value};
use storepos::app::error::ErrorCode;
use storepos::commands::{dispatch, App, CommandError};
use storepos::services::print_service::ticket_for;
use storepos_printers::escpos_reader::decode;
use storepos_printers::{render, Paper, PrinterProfile};
use storepos_sim::Mode;

use crate::kitchen_on_payment::store;
use crate::sync_support::env;

/// A command on a blocking thread: the refresh waits for the platform, which answers
/// from this test's runtime.
async fn blocking(app: &Arc<App>, token: &str, name: &'static str, req: Value) -> Result<Value, CommandError> {
    let (app, token) = (app.clone(), token.to_string());
    tokio::task::spawn_blocking(move || dispatch(&app, Some(&token), false, name, req)).await.unwrap()
}

fn platform_total(r: &Value) -> i64 {
    r["figures"].as_array().unwrap().iter().find(|f| f["figure"] == "total").unwrap()["platform"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_refreshes_the_platform_figures_now() {
    let mut e = env(Mode::Field).await;
    let p = e.plain_products();
    let (sale, total) = e.sale(p[0].0, 1, "");
    e.pay_cash(&sale, &total);
    e.settle().await;
    storepos::app::config::save_platform(&e.path, &e.base, "store1", "store1pass").unwrap();
    let m = e.manager();

    // Only a manager asks the platform.
    let refused = blocking(&e.app, e.cashier(), "stats_reconcile_refresh", json!({})).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);

    let first = blocking(&e.app, m, "stats_reconcile_refresh", json!({})).await.unwrap();
    assert_eq!(first["source"], "sync", "{first}");
    assert!(first["fetched_at"].is_string(), "the figures say when they were fetched: {first}");
    let st = e.state().await;
    assert_eq!(platform_total(&first), st["orders"].as_array().unwrap().len() as i64, "{first}");

    // An order reaches the platform without this till syncing: the refresh sees it at once.
    e.online_order("FLASH", json!([{ "product_id": p[0].0, "quantity": 1 }])).await;
    let second = blocking(&e.app, m, "stats_reconcile_refresh", json!({})).await.unwrap();
    assert_eq!(platform_total(&second), platform_total(&first) + 1, "fetched now, not the stored copy");
    assert!(second["fetched_at"].as_str() >= first["fetched_at"].as_str());
    let stored = blocking(&e.app, m, "stats_reconcile", json!({})).await.unwrap();
    assert_eq!(stored["fetched_at"], second["fetched_at"], "the refresh keeps its answer like a sync round");

    // The platform gone: a typed refusal, and the last figures stay.
    e.sim.take().unwrap().shutdown().await;
    let offline = blocking(&e.app, m, "stats_reconcile_refresh", json!({})).await.unwrap_err();
    assert_eq!(offline.code, ErrorCode::Offline, "{offline:?}");
    assert_eq!(offline.details.as_ref().unwrap()["reason"], "platform_unreachable");
    assert!(offline.message_zh.contains("连不上平台"), "{}", offline.message_zh);
    let kept = blocking(&e.app, m, "stats_reconcile", json!({})).await.unwrap();
    assert_eq!(kept["fetched_at"], second["fetched_at"]);
    assert_eq!(platform_total(&kept), platform_total(&second));

    // No platform set up: nothing to refresh, said as such.
    std::fs::remove_file(storepos::app::config::path(&e.path)).unwrap();
    let none = blocking(&e.app, m, "stats_reconcile_refresh", json!({})).await.unwrap_err();
    assert_eq!(none.code, ErrorCode::IllegalAction);
    assert_eq!(none.details.as_ref().unwrap()["reason"], "platform_not_configured");
}

#[test]
fn the_store_and_till_identity_is_read_only_after_init() {
    let t = store();
    let before = t.ok(&t.manager, "settings_get", json!({}))["settings"].clone();
    for (key, value) in [("store_id", json!(2)), ("store_name", json!("别家店")), ("till_code", json!("T9"))] {
        let e = dispatch(&t.app, Some(&t.manager), false, "settings_set", json!({ "key": key, "value": value }))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::IllegalAction, "{key}: {e:?}");
        assert_eq!(e.details.as_ref().unwrap()["reason"], "identity_read_only");
        assert_eq!(e.details.as_ref().unwrap()["key"], key);
        assert!(e.message_zh.contains("初始化后不能修改"), "{}", e.message_zh);
    }
    let after = t.ok(&t.manager, "settings_get", json!({}))["settings"].clone();
    for key in ["store_id", "store_name", "till_code"] {
        assert_eq!(after[key], before[key], "{key} unchanged");
        assert!(!after[key].is_null(), "{key} is shown");
    }
    assert_eq!(t.app.config().till_code, before["till_code"].as_str().unwrap());
    // Other settings still change.
    t.ok(&t.manager, "settings_set", json!({ "key": "receipt_footer", "value": "谢谢惠顾" }));
}

#[test]
fn a_member_sale_is_found_by_its_phone() {
    let t = store();
    let pid = t.kitchen_product();
    let member = t.ok(
        &t.cashier,
        "sale_create",
        json!({ "lines": [{ "product_id": pid, "quantity": 1 }], "member_phone": "138 0013 8000", "member_name": "王先生" }),
    );
    let other = t.ok(&t.cashier, "sale_create", json!({ "lines": [{ "product_id": pid, "quantity": 1 }] }));
    assert_eq!(member["phone"], "13800138000");
    assert_eq!(member["contact_user"], "王先生");
    assert_eq!(other["phone"], "");
    for text in ["13800138000", "8000", "王先生"] {
        let found = t.ok(&t.cashier, "order_list", json!({ "text": text }));
        let refs: Vec<&str> =
            found["orders"].as_array().unwrap().iter().map(|o| o["client_ref"].as_str().unwrap()).collect();
        assert_eq!(refs, vec![member["client_ref"].as_str().unwrap()], "search {text:?}");
    }
}

#[test]
fn a_held_cart_comes_back_with_its_note() {
    let t = store();
    let pid = t.kitchen_product();
    let cart = json!({
        "lines": [{ "product_id": pid, "specification_id": null, "name": "拿铁", "spec_name": null,
                    "unit_price": "18.00", "quantity": 2, "memo": "" }],
        "remark": "少冰"
    });
    let held = t.ok(&t.cashier, "cart_hold", json!({ "device": "screen-a", "cart": cart, "note": "红衣服，去取钱" }));
    assert_eq!(held["note"], "红衣服，去取钱");
    // Recalled on another screen of the till.
    let back = t.ok(&t.cashier, "cart_recall", json!({ "hold_ref": held["hold_ref"], "device": "screen-b" }));
    assert_eq!(back["cart"]["remark"], "少冰；红衣服，去取钱", "{back}");
    let draft = t.ok(&t.cashier, "cart_draft_get", json!({ "device": "screen-b" }));
    assert_eq!(draft["cart"]["remark"], "少冰；红衣服，去取钱", "a reload keeps it: {draft}");
    assert_eq!(draft["cart"]["lines"][0]["quantity"], 2);
}

#[test]
fn a_receipt_before_sync_does_not_claim_the_member() {
    let t = store();
    let pid = t.kitchen_product();
    let o = t.ok(
        &t.cashier,
        "sale_create",
        json!({ "lines": [{ "product_id": pid, "quantity": 1 }], "member_phone": "13800138000", "member_name": "王先生" }),
    );
    let r = o["client_ref"].as_str().unwrap();
    t.ok(&t.cashier, "sale_cash_pay", json!({ "client_ref": r, "tendered": o["total"] }));
    assert_eq!(t.ok(&t.cashier, "sale_customer_get", json!({ "client_ref": r }))["member_state"], "pending");
    let jobs = t.ok(&t.cashier, "print_job_list", json!({ "client_ref": r }));
    let job = jobs.as_array().unwrap().iter().find(|j| j["kind"] == "receipt").expect("a receipt").clone();
    let payload: String = t
        .app
        .ledger()
        .read()
        .query_row("SELECT payload FROM print_jobs WHERE id = ?1", [job["id"].as_i64().unwrap()], |row| row.get(0))
        .unwrap();
    let ticket = ticket_for(&t.app.config(), &serde_json::from_str(&payload).unwrap(), false).unwrap();
    let text = decode(&render(&ticket, &PrinterProfile::new("t", Paper::W80)).unwrap().bytes, Paper::W80).plain_text();
    let line = text.lines().find(|l| l.contains("138****8000")).unwrap_or_else(|| panic!("no member line:\n{text}"));
    assert!(line.contains("待平台确认"), "the member is pending confirmation: {line}");
    assert!(!text.contains("13800138000"), "phone masked on paper:\n{text}");
}
