//! Shifts through the command table: open, cash moves, a cash sale, close with a wrong
//! and a right manager PIN, over/short, immutable Z reports, reprint, the day close, and
//! the Z report's ESC/POS bytes (printers crate reader) carrying the JSON's figures.

use serde_json::{json, Value};

use storepos::commands::{dispatch, App, ErrorCode};
use storepos::domain::Money;
use storepos::services::setup::{init_store, InitOptions};
use storepos_printers::escpos_reader::decode;
use storepos_printers::templates::{z_report, ZReportData};
use storepos_printers::{fmt_money, render, Paper, PrinterProfile};

fn login(app: &App, u: &str, pin: &str) -> String {
    dispatch(app, None, false, "session_login", json!({ "username": u, "pin": pin })).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn money(v: &Value) -> Money {
    serde_json::from_value(v.clone()).unwrap()
}

/// Pieces of notes/coins worth exactly `fen` (greedy).
fn pieces(mut fen: i64) -> Value {
    let mut m = serde_json::Map::new();
    for (k, unit) in storepos::domain::cash_count::DENOMINATIONS {
        let n = fen / unit;
        fen -= n * unit;
        m.insert(k.to_string(), json!(n));
    }
    assert_eq!(fen, 0);
    Value::Object(m)
}

fn decoded_value(text: &str, label: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line {label} in\n{text}"));
    line.split_whitespace().last().unwrap().to_string()
}

#[test]
fn a_whole_shift() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let cashier = login(&app, "cashier", "1111");
    let manager = login(&app, "manager", "9999");
    let call = |tok: &str, name: &str, body: Value| dispatch(&app, Some(tok), false, name, body);

    assert_eq!(call(&cashier, "shift_get", json!({})).unwrap()["current"], Value::Null);
    assert_eq!(
        call(&cashier, "shift_cash_move", json!({ "amount": "5", "reason": "x" })).unwrap_err().code,
        ErrorCode::NoOpenShift
    );
    let opened = call(&cashier, "shift_open", json!({ "float": "200" })).unwrap();
    assert_eq!(opened["shift"]["float"], "200.00");
    assert_eq!(opened["cash"]["expected"], "200.00");
    assert_eq!(
        call(&cashier, "shift_open", json!({ "float": "100" })).unwrap_err().code,
        ErrorCode::Conflict,
        "second open refused"
    );
    assert_eq!(call(&cashier, "shift_open", json!({ "float": "-1" })).unwrap_err().code, ErrorCode::Validation);

    call(&cashier, "shift_cash_move", json!({ "amount": "50.00", "reason": "换零钱" })).unwrap();
    call(&cashier, "shift_cash_move", json!({ "amount": -20, "reason": "买冰块" })).unwrap();
    assert_eq!(
        call(&cashier, "shift_cash_move", json!({ "amount": "0", "reason": "x" })).unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(
        call(&cashier, "shift_cash_move", json!({ "amount": "5", "reason": "  " })).unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(
        call(&cashier, "shift_cash_move", json!({ "amount": "5.001", "reason": "x" })).unwrap_err().code,
        ErrorCode::BadRequest
    );

    // A cash sale at this till during the shift.
    let (pid, price): (i64, i64) = app
        .ledger()
        .read()
        .query_row("SELECT id, price_fen FROM products WHERE price_fen > 0 ORDER BY id LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let sale = call(&cashier, "sale_create", json!({ "lines": [{ "product_id": pid, "quantity": 2 }] })).unwrap();
    call(&cashier, "sale_cash_pay", json!({ "client_ref": sale["client_ref"], "tendered": "1000" })).unwrap();
    let expected_fen = 20000 + 5000 - 2000 + 2 * price;
    let cur = call(&cashier, "shift_get", json!({})).unwrap();
    assert_eq!(money(&cur["current"]["cash"]["expected"]).fen(), expected_fen);
    assert_eq!(cur["current"]["cash"]["cash_sales_count"], 1);
    assert_eq!(cur["current"]["moves"].as_array().unwrap().len(), 2);

    // Wrong manager PIN: typed error, journaled, shift still open.
    let counted = pieces(expected_fen - 200); // two yuan short
    let e = call(
        &cashier,
        "shift_close",
        json!({ "counted": counted, "manager_username": "manager", "manager_pin": "0000" }),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(e.details.as_ref().unwrap()["reason"], "manager_pin");
    // Right PIN of someone who is not a manager: refused too.
    let e = call(
        &cashier,
        "shift_close",
        json!({ "counted": counted, "manager_username": "cashier", "manager_pin": "1111" }),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let refused: i64 = app
        .ledger()
        .read()
        .query_row("SELECT count(*) FROM journal WHERE entity = 'shift' AND action = 'close_refused'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(refused, 2);
    assert!(call(&cashier, "shift_get", json!({})).unwrap()["current"].is_object());
    // Bad denominations are a validation error.
    let e = call(
        &cashier,
        "shift_close",
        json!({ "counted": { "3": 1 }, "manager_username": "manager", "manager_pin": "9999" }),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);

    // The cashier closes with the manager's PIN.
    let closed = call(
        &cashier,
        "shift_close",
        json!({ "counted": counted, "manager_username": "manager", "manager_pin": "9999" }),
    )
    .unwrap();
    assert_eq!(money(&closed["cash"]["expected"]).fen(), expected_fen);
    assert_eq!(money(&closed["counted"]).fen(), expected_fen - 200);
    assert_eq!(closed["over_short"], "-2.00");
    assert!(closed["shift"]["closed_at"].is_string());
    assert_eq!(closed["shift"]["manager_name"], "老张");
    let z = &closed["z_report"];
    let zid = z["id"].as_i64().unwrap();
    let report = &z["report"];
    assert_eq!(report["kind"], "shift");
    assert_eq!(report["title"], "交班报表");
    assert_eq!(report["cash"]["over_short"], "-2.00");
    assert_eq!(money(&report["gross"]).fen(), 2 * price);
    assert_eq!(report["order_count"], 1);
    assert!(closed["print_job"].is_i64());
    let journal_close: i64 = app
        .ledger()
        .read()
        .query_row("SELECT count(*) FROM journal WHERE entity = 'shift' AND action = 'close'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal_close, 1);
    assert_eq!(call(&cashier, "shift_get", json!({})).unwrap()["current"], Value::Null);
    // The queued print job carries the report itself.
    let payload: String = app
        .ledger()
        .read()
        .query_row("SELECT payload FROM print_jobs WHERE id = ?1", [closed["print_job"].as_i64().unwrap()], |r| {
            r.get(0)
        })
        .unwrap();
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["template"], "z_report");
    assert_eq!(&payload["report"], report);

    // Immutable: the stored report and the closed shift refuse changes.
    {
        let l = app.ledger();
        let c = l.read();
        assert!(c.execute("UPDATE z_reports SET report = '{}' WHERE id = ?1", [zid]).is_err());
        assert!(c.execute("DELETE FROM z_reports WHERE id = ?1", [zid]).is_err());
        assert!(c.execute("UPDATE shifts SET counted_fen = 0", []).is_err());
        assert!(c.execute("DELETE FROM cash_moves", []).is_err());
    }

    // Reprint: a new job, marked; the stored report unchanged.
    assert_eq!(call(&cashier, "z_report_reprint", json!({ "id": zid })).unwrap_err().code, ErrorCode::Forbidden);
    let rp = call(&manager, "z_report_reprint", json!({ "id": zid })).unwrap();
    let job = rp["print_job"].as_i64().unwrap();
    assert_ne!(job, closed["print_job"].as_i64().unwrap());
    let payload: String =
        app.ledger().read().query_row("SELECT payload FROM print_jobs WHERE id = ?1", [job], |r| r.get(0)).unwrap();
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["report"]["title"], "交班报表（重印）");
    assert_eq!(payload["report"]["cash"], report["cash"]);
    assert_eq!(call(&manager, "z_report_reprint", json!({ "id": 999 })).unwrap_err().code, ErrorCode::NotFound);
    let list = call(&manager, "z_report_list", json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(&list[0]["report"], report);

    // The printed bytes, decoded by the printers crate's own reader, say the same figures.
    let data: ZReportData = serde_json::from_value(report.clone()).expect("the report JSON is ZReportData");
    let bytes = render(&z_report(&data), &PrinterProfile::new("前台", Paper::W80)).unwrap().bytes;
    let d = decode(&bytes, Paper::W80);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let text = d.plain_text();
    let f = |v: &Value| fmt_money(money(v).decimal());
    assert_eq!(decoded_value(&text, "销售额"), f(&report["gross"]));
    assert_eq!(decoded_value(&text, "退款"), f(&report["refunds"]));
    assert_eq!(decoded_value(&text, "净额"), f(&report["net"]));
    assert_eq!(decoded_value(&text, "订单数"), "1");
    assert_eq!(decoded_value(&text, "应有"), f(&report["cash"]["expected"]));
    assert_eq!(decoded_value(&text, "实点"), f(&report["cash"]["counted"]));
    assert_eq!(decoded_value(&text, "短款"), "\u{FFE5}2.00", "the paper says 短款 with the amount");
    assert_eq!(decoded_value(&text, "现金 1笔"), f(&report["gross"]));
    assert!(text.contains("交班报表") && text.contains("老张") && text.contains("换零钱"), "{text}");
    // No cash refunds in this shift: the paper says ￥0.00, never the negated zero ￥-0.00 / -￥0.00.
    assert_eq!(report["cash_detail"]["cash_refunds"], "0.00");
    assert_eq!(decoded_value(&text, "现金退款"), "\u{FFE5}0.00", "{text}");
    assert!(!text.contains("-0.00") && !text.contains("-\u{FFE5}0.00"), "a signed zero on paper:\n{text}");

    // A new shift may open after the close.
    call(&cashier, "shift_open", json!({ "float": "100" })).unwrap();

    // The day close: built once, then the same report comes back.
    let today = app.config().rule.day_of(chrono::Utc::now()).to_string();
    let day = call(&manager, "z_report_get", json!({ "day": today })).unwrap();
    assert_eq!(day["created"], true);
    assert_eq!(day["report"]["title"], "日结报表");
    assert_eq!(money(&day["report"]["gross"]).fen(), 2 * price);
    assert!(day["print_job"].is_i64());
    let again = call(&manager, "z_report_get", json!({ "day": today })).unwrap();
    assert_eq!(again["created"], false);
    assert_eq!(again["id"], day["id"]);
    let data: ZReportData = serde_json::from_value(day["report"].clone()).unwrap();
    let d = decode(&render(&z_report(&data), &PrinterProfile::new("前台", Paper::W58)).unwrap().bytes, Paper::W58);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(decoded_value(&d.plain_text(), "净额"), f(&day["report"]["net"]));
    assert_eq!(call(&manager, "z_report_get", json!({ "day": "2999-01-01" })).unwrap_err().code, ErrorCode::Validation);
    assert_eq!(call(&manager, "z_report_get", json!({ "day": "01/02/2026" })).unwrap_err().code, ErrorCode::Validation);

    // Figures through the command table; a cashier may not read them.
    let s = call(&manager, "stats_day_get", json!({ "day": today })).unwrap();
    assert_eq!(money(&s["gross"]).fen(), 2 * price);
    assert_eq!(s["payment_mix"][0]["method"], "CASH");
    assert_eq!(s["payment_mix"][0]["count"], 1);
    assert_eq!(call(&cashier, "stats_day_get", json!({ "day": today })).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(
        call(&manager, "stats_day_get", json!({ "day": "2026-13-01" })).unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(
        call(&manager, "stats_day_get", json!({ "day": today, "extra": 1 })).unwrap_err().code,
        ErrorCode::BadRequest
    );
}

#[test]
fn wrong_manager_pins_lock_out_like_a_login() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let cashier = login(&app, "cashier", "1111");
    dispatch(&app, Some(&cashier), false, "shift_open", json!({ "float": "0" })).unwrap();
    let close = |pin: &str| {
        dispatch(
            &app,
            Some(&cashier),
            false,
            "shift_close",
            json!({ "counted": {}, "manager_username": "manager", "manager_pin": pin }),
        )
    };
    for _ in 0..5 {
        assert_eq!(close("1234").unwrap_err().code, ErrorCode::Forbidden);
    }
    assert_eq!(close("9999").unwrap_err().code, ErrorCode::RateLimited, "locked after five misses");
    let e = dispatch(
        &app,
        Some(&cashier),
        false,
        "shift_close",
        json!({ "counted": {}, "manager_username": "nobody", "manager_pin": "9999" }),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
}
