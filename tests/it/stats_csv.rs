//! CSV export: BOM, Chinese intact, RFC 4180 quoting, formula-injection guard — through
//! the `stats_day_export` command and the `storepos export` / `storepos stats` CLI.

use std::process::Command;

use serde_json::{json, Value};

use storepos::commands::{dispatch, App, ErrorCode};
use storepos::services::setup::{init_store, InitOptions};

fn login(app: &App, u: &str, pin: &str) -> String {
    dispatch(app, None, false, "session_login", json!({ "username": u, "pin": pin })).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A tiny RFC 4180 reader (quoted fields, doubled quotes, CRLF rows) to read back what we wrote.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let s = s.strip_prefix('\u{FEFF}').expect("BOM first");
    let (mut rows, mut row, mut cell, mut q) = (vec![], vec![], String::new(), false);
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match (q, c) {
            (true, '"') if it.peek() == Some(&'"') => {
                it.next();
                cell.push('"');
            }
            (true, '"') => q = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => q = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if it.peek() == Some(&'\n') => {
                it.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(cell.is_empty() && row.is_empty(), "file ends with CRLF");
    rows
}

fn setup() -> (tempfile::TempDir, App, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let cashier = login(&app, "cashier", "1111");
    // Money is taken only in an open shift.
    dispatch(&app, Some(&cashier), false, "shift_open", json!({ "float": "0" })).unwrap();
    let (pid,): (i64,) = app
        .ledger()
        .read()
        .query_row("SELECT id FROM products WHERE price_fen > 0 ORDER BY id LIMIT 1", [], |r| Ok((r.get(0)?,)))
        .unwrap();
    for remark in
        ["少冰, \"去糖\"\n第二行", "=HYPERLINK(\"http://x\",\"点我\")", "@SUM(A1)", "+86 138", "-2+3", "普通备注"]
    {
        let o = dispatch(
            &app,
            Some(&cashier),
            false,
            "sale_create",
            json!({ "lines": [{ "product_id": pid, "quantity": 1, "memo": "-辣" }], "remark": remark }),
        )
        .unwrap();
        dispatch(
            &app,
            Some(&cashier),
            false,
            "sale_cash_pay",
            json!({ "client_ref": o["client_ref"], "tendered": "500" }),
        )
        .unwrap();
    }
    let day = app.config().rule.day_of(chrono::Utc::now()).to_string();
    let manager = login(&app, "manager", "9999");
    (dir, app, manager, day)
}

#[test]
fn export_day_command_csv() {
    let (_dir, app, manager, day) = setup();
    let v: Value = dispatch(&app, Some(&manager), false, "stats_day_export", json!({ "day": day })).unwrap();
    for k in ["orders_csv", "lines_csv", "summary_csv"] {
        let s = v[k].as_str().unwrap();
        assert!(s.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]), "{k} has a BOM");
        assert!(s.ends_with("\r\n"));
    }
    let orders = parse_csv(v["orders_csv"].as_str().unwrap());
    assert_eq!(orders.len(), 7);
    let col = orders[0].iter().position(|h| h == "remark").unwrap();
    let remarks: Vec<&str> = orders[1..].iter().map(|r| r[col].as_str()).collect();
    assert_eq!(
        remarks,
        ["少冰, \"去糖\"\n第二行", "'=HYPERLINK(\"http://x\",\"点我\")", "'@SUM(A1)", "'+86 138", "'-2+3", "普通备注"]
    );
    let status = orders[0].iter().position(|h| h == "status").unwrap();
    assert!(orders[1..].iter().all(|r| r[status] == "CLOSED_CONFIRMED"));
    // The raw text quotes the comma/quote/newline cell per RFC 4180.
    assert!(v["orders_csv"].as_str().unwrap().contains("\"少冰, \"\"去糖\"\"\n第二行\""));

    let lines = parse_csv(v["lines_csv"].as_str().unwrap());
    assert_eq!(lines.len(), 7);
    let memo = lines[0].iter().position(|h| h == "memo").unwrap();
    assert_eq!(lines[1][memo], "'-辣");
    let name = lines[0].iter().position(|h| h == "name").unwrap();
    assert!(
        lines[1][name].chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "Chinese product name intact: {}",
        lines[1][name]
    );

    let summary = parse_csv(v["summary_csv"].as_str().unwrap());
    let gross = summary.iter().find(|r| r[0] == "total" && r[1] == "gross").unwrap();
    let stats = dispatch(&app, Some(&manager), false, "stats_day_get", json!({ "day": day })).unwrap();
    assert_eq!(gross[2], "6");
    assert_eq!(gross[3], stats["gross"].as_str().unwrap());
    assert_eq!(summary.iter().filter(|r| r[0] == "hour").count(), 24);

    assert_eq!(
        dispatch(&app, Some(&manager), false, "stats_day_export", json!({ "day": "yesterday" })).unwrap_err().code,
        ErrorCode::Validation
    );
}

#[test]
fn cli_export_and_stats() {
    let (dir, app, _manager, day) = setup();
    drop(app);
    let out = dir.path().join("out");
    let bin = env!("CARGO_BIN_EXE_storepos");
    let r = Command::new(bin)
        .args(["export", "--data"])
        .arg(dir.path())
        .args(["--day", &day, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for f in ["orders.csv", "lines.csv", "summary.csv"] {
        let b = std::fs::read(out.join(f)).unwrap();
        assert_eq!(&b[..3], &[0xEF, 0xBB, 0xBF], "{f}");
        assert!(String::from_utf8(b).is_ok());
    }
    let r =
        Command::new(bin).args(["stats", "--json", "--data"]).arg(dir.path()).args(["--day", &day]).output().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["order_count"], 6);
    let r = Command::new(bin).args(["stats", "--data"]).arg(dir.path()).args(["--day", &day]).output().unwrap();
    assert!(r.status.success());
    assert!(String::from_utf8_lossy(&r.stdout).contains("净额"));
    let r = Command::new(bin).args(["stats", "--data"]).arg(dir.path()).args(["--day", "2026-02-30"]).output().unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("validation"));
}

#[test]
fn compare_range_and_reconcile_commands() {
    let (_dir, app, manager, day) = setup();
    let call = |name: &str, body: Value| dispatch(&app, Some(&manager), false, name, body);
    let c = call("stats_compare", json!({ "day": day })).unwrap();
    assert_eq!(c["current"]["order_count"], 6);
    assert_eq!(c["previous"]["order_count"], 0);
    assert_eq!(c["deltas"]["order_count"]["delta"], 6);
    assert_eq!(c["deltas"]["gross"]["pct"], Value::Null);
    let w = call("stats_range_get", json!({ "week": day })).unwrap();
    assert_eq!(w["days"].as_array().unwrap().len(), 7);
    assert_eq!(w["totals"]["order_count"], 6);
    let m = call("stats_range_get", json!({ "month": &day[..7] })).unwrap();
    assert_eq!(m["totals"]["gross"], c["current"]["gross"]);
    assert_eq!(
        call("stats_range_get", json!({ "from": "2026-01-02", "to": "2026-01-01" })).unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(
        call("stats_range_get", json!({ "from": "2020-01-01", "to": "2026-01-01" })).unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(call("stats_range_get", json!({})).unwrap_err().code, ErrorCode::Validation);

    // Nothing synced yet: the platform has seen none of the six closed orders.
    let r = call("stats_reconcile", json!({ "platform": { "totalPrice": 0.0, "total": 0, "handlePending": 0, "pickPending": 0, "deliverPending": 0, "delivering": 0, "closed": 0, "cancled": 0 } })).unwrap();
    assert_eq!(r["source"], "request");
    let closed = r["figures"].as_array().unwrap().iter().find(|f| f["figure"] == "closed").unwrap();
    assert_eq!(closed["local_field"], 6);
    assert_eq!(closed["difference"], -6);
    assert_eq!(closed["matches"], "synced");
    assert!(closed["explanations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "not_yet_synced" && e["count"] == 6));
    assert_eq!(r["all_explained"], true);
    assert_eq!(r["unsynced"], 6);
    let none = call("stats_reconcile", json!({})).unwrap();
    assert_eq!(none["source"], "none");
    assert_eq!(none["platform"], Value::Null);
    // The sync engine's last stored `order_count` is used when no figures are given.
    let stored = storepos::domain::counts::OrderCount {
        total_price: storepos::domain::Money::from_fen(350),
        total: 1,
        closed: 1,
        ..Default::default()
    };
    app.ledger()
        .write(|tx| {
            storepos::ledger::after_sales::store_platform_counts(
                tx,
                "rest-store",
                "1",
                "2026-01-01T08:00:00.000Z",
                &stored,
                "{}",
            )
        })
        .unwrap();
    let synced = call("stats_reconcile", json!({})).unwrap();
    assert_eq!(synced["source"], "sync");
    assert_eq!(synced["fetched_at"], "2026-01-01T08:00:00.000Z");
    assert_eq!(synced["platform"]["totalPrice"], "3.50");
    assert_eq!(synced["platform"]["closed"], 1);
    // The engine's latest answer is the one used.
    app.ledger()
        .write(|tx| {
            let newer = storepos::domain::counts::OrderCount { total: 2, ..stored };
            storepos::ledger::after_sales::store_platform_counts(
                tx,
                "rest-store",
                "1",
                "2026-01-01T09:00:00.000Z",
                &newer,
                "{}",
            )
        })
        .unwrap();
    let latest = call("stats_reconcile", json!({})).unwrap();
    assert_eq!(latest["fetched_at"], "2026-01-01T09:00:00.000Z");
    assert_eq!(latest["platform"]["total"], 2);
}
