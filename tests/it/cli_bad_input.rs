//! Bad input through `storepos call`: a typed error on stderr, a non-zero exit, no panic,
//! and the ledger byte-for-byte unchanged in content.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::fingerprint::{self, Fingerprint};

fn storepos() -> Command {
    Command::new(env!("CARGO_BIN_EXE_storepos"))
}

fn call(data: &Path, session: &str, cmd: &str, json: &str) -> Output {
    storepos()
        .args(["call", cmd, "--data"])
        .arg(data)
        .args(["--session", session, "--json", json])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Every table's rows, every column (`support::fingerprint`): "unchanged" means this is identical.
fn snapshot(data: &Path) -> Fingerprint {
    fingerprint::of_dir(data)
}

fn login(data: &Path, user: &str, pin: &str) -> String {
    let o = storepos()
        .args(["call", "session_login", "--data"])
        .arg(data)
        .args(["--json", &format!(r#"{{"username":"{user}","pin":"{pin}"}}"#)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["token"].as_str().unwrap().to_string()
}

#[test]
fn bad_input_is_a_typed_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert!(storepos().args(["init", "--data"]).arg(data).stdout(Stdio::null()).status().unwrap().success());
    let cashier = login(data, "cashier", "1111");
    // An order to pay against, made before the snapshot.
    let o = call(data, &cashier, "sale_create", r#"{"lines":[{"product_id":1,"quantity":1}]}"#);
    assert!(o.status.success());
    let order: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = order["client_ref"].as_str().unwrap();

    let before = snapshot(data);
    let cases: Vec<(&str, String, &str)> = vec![
        ("no_such_command", "{}".into(), "unknown_command"),
        ("sale_create", "{not json".into(), "bad_request"),
        ("sale_create", "{}".into(), "bad_request"),
        ("sale_create", r#"{"lines":[]}"#.into(), "validation"),
        ("sale_create", r#"{"lines":[{"product_id":1,"quantity":0}]}"#.into(), "validation"),
        ("sale_create", r#"{"lines":[{"product_id":1,"quantity":-2}]}"#.into(), "validation"),
        ("sale_create", r#"{"lines":[{"product_id":1,"quantity":1.5}]}"#.into(), "bad_request"),
        ("sale_create", r#"{"lines":[{"product_id":999999,"quantity":1}]}"#.into(), "not_found"),
        ("sale_create", r#"{"lines":[{"product_id":1,"quantity":1}],"extra":1}"#.into(), "bad_request"),
        (
            "sale_create",
            format!(r#"{{"lines":[{{"product_id":1,"quantity":1}}],"remark":"{}"}}"#, "长".repeat(300)),
            "validation",
        ),
        ("sale_cash_pay", format!(r#"{{"client_ref":"{r}","tendered":"100.005"}}"#), "bad_request"),
        ("sale_cash_pay", format!(r#"{{"client_ref":"{r}","tendered":"0.01"}}"#), "validation"),
        ("sale_cash_pay", format!(r#"{{"client_ref":"{r}","tendered":"-5"}}"#), "validation"),
        ("sale_cash_pay", r#"{"client_ref":"nope","tendered":"5"}"#.into(), "not_found"),
        ("user_create", r#"{"username":"x","display_name":"x","role":"manager","pin":"1234"}"#.into(), "forbidden"),
        ("settings_set", r#"{"key":"till_code","value":"T9"}"#.into(), "forbidden"),
        ("order_action_apply", format!(r#"{{"client_ref":"{r}","action":"accept"}}"#), "forbidden"),
        ("catalog_search", format!(r#"{{"query":"{}"}}"#, "a".repeat(100)), "validation"),
    ];
    for (cmd, json, code) in &cases {
        let o = call(data, &cashier, cmd, json);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{cmd} {json} should fail");
        assert!(!stderr.contains("panicked"), "{cmd}: panic: {stderr}");
        let e: serde_json::Value = serde_json::from_str(stderr.trim())
            .unwrap_or_else(|_| panic!("{cmd}: stderr is not a typed error: {stderr}"));
        assert_eq!(e["code"], *code, "{cmd} {json}: {stderr}");
        assert!(!e["message_zh"].as_str().unwrap_or_default().is_empty());
        assert!(!e["message_en"].as_str().unwrap_or_default().is_empty());
    }
    // No session at all.
    let o = storepos().args(["call", "sale_create", "--data"]).arg(data).args(["--json", "{}"]).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unauthenticated"));
    assert_eq!(before, snapshot(data), "a refused command changed the ledger");
}

#[test]
fn foreign_and_corrupt_files_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let db = data.join("storepos.db");
    std::fs::write(&db, b"this is a shopping list, not a ledger\n").unwrap();
    let o = storepos().args(["call", "session_get", "--data"]).arg(data).output().unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not a storepos ledger"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read(&db).unwrap(), b"this is a shopping list, not a ledger\n");

    // Another program's SQLite database.
    std::fs::remove_file(&db).unwrap();
    rusqlite::Connection::open(&db).unwrap().execute_batch("CREATE TABLE recipes (name TEXT)").unwrap();
    let before = std::fs::read(&db).unwrap();
    let o = storepos().args(["init", "--data"]).arg(data).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("another program"));
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // A ledger from a newer storepos.
    std::fs::remove_file(&db).unwrap();
    assert!(storepos().args(["init", "--data"]).arg(data).stdout(Stdio::null()).status().unwrap().success());
    rusqlite::Connection::open(&db).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let o = storepos().args(["call", "user_list", "--data"]).arg(data).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("newer storepos"), "{}", String::from_utf8_lossy(&o.stderr));
    let v: i64 =
        rusqlite::Connection::open(&db).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(v, 99);
}

#[test]
fn after_sales_quote_cli_matches_the_seed_example() {
    let dir = tempfile::tempdir().unwrap();
    let order = dir.path().join("order.json");
    let req = dir.path().join("req.json");
    std::fs::write(&order, r#"{"order_number":"1807181114341472","status":"DELIVERING","total_price":150.00,"order_items":[{"product_id":130,"product_specification_id":22,"quantity":5,"price":30,"product_name":"测试1"}]}"#).unwrap();
    std::fs::write(&req, r#"{"store_id":"1","store_name":"总店","order_number":"1807181114341472","service_type":"EXCHANGE","reason":"AFSFSF","returns":[{"product_id":130,"product_specification_id":22,"quantity":3}],"exchanges":[{"product_id":122,"quantity":2,"price":11}]}"#).unwrap();
    let o =
        storepos().args(["after-sales", "quote", "--order"]).arg(&order).arg("--request").arg(&req).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["refund_fee"], "68.00");
    assert_eq!(v["supplementary_fee"], serde_json::Value::Null);
    // Returns asking for more than was ordered are refused.
    std::fs::write(
        &req,
        r#"{"order_number":"1","service_type":"RETURN","reason":"x","returns":[{"product_id":130,"quantity":6}]}"#,
    )
    .unwrap();
    let o =
        storepos().args(["after-sales", "quote", "--order"]).arg(&order).arg("--request").arg(&req).output().unwrap();
    assert!(!o.status.success());
}
