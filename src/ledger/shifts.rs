//! Shifts, cash movements and the immutable Z reports (migration 0002).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Result;
use crate::domain::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Shift {
    pub id: i64,
    pub till_code: String,
    pub business_day: String,
    pub opened_at: String,
    pub opened_by: Option<i64>,
    pub opened_by_name: String,
    pub float: Money,
    pub closed_at: Option<String>,
    pub manager_name: Option<String>,
    pub counted: Option<Money>,
    pub expected: Option<Money>,
    pub over_short: Option<Money>,
    pub z_report_id: Option<i64>,
}

const COLS: &str =
    "id, till_code, business_day, opened_at, opened_by, opened_by_name, float_fen, closed_at, manager_name,
    counted_fen, expected_fen, over_short_fen, z_report_id";

fn shift_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Shift> {
    Ok(Shift {
        id: r.get(0)?,
        till_code: r.get(1)?,
        business_day: r.get(2)?,
        opened_at: r.get(3)?,
        opened_by: r.get(4)?,
        opened_by_name: r.get(5)?,
        float: Money::from_fen(r.get(6)?),
        closed_at: r.get(7)?,
        manager_name: r.get(8)?,
        counted: r.get::<_, Option<i64>>(9)?.map(Money::from_fen),
        expected: r.get::<_, Option<i64>>(10)?.map(Money::from_fen),
        over_short: r.get::<_, Option<i64>>(11)?.map(Money::from_fen),
        z_report_id: r.get(12)?,
    })
}

pub fn open_for_till(conn: &Connection, till: &str) -> Result<Option<Shift>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM shifts WHERE till_code = ?1 AND closed_at IS NULL"))?
        .query_row([till], shift_row)
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Shift>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM shifts WHERE id = ?1"))?
        .query_row([id], shift_row)
        .optional()?)
}

pub fn insert(
    tx: &Transaction<'_>,
    till: &str,
    business_day: &str,
    opened_at: &str,
    user_id: i64,
    user_name: &str,
    float: Money,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO shifts (till_code, business_day, opened_at, opened_by, opened_by_name, float_fen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![till, business_day, opened_at, user_id, user_name, float.fen()],
    )?;
    Ok(tx.last_insert_rowid())
}

pub struct Close<'a> {
    pub closed_at: &'a str,
    pub closed_by: i64,
    pub manager_id: i64,
    pub manager_name: &'a str,
    pub counted_json: &'a str,
    pub counted: Money,
    pub expected: Money,
    pub over_short: Money,
    pub z_report_id: i64,
}

/// Closes an open shift; false if it was not open (closed meanwhile).
pub fn close(tx: &Transaction<'_>, id: i64, c: &Close<'_>) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE shifts SET closed_at = ?2, closed_by = ?3, manager_id = ?4, manager_name = ?5, counted_json = ?6,
            counted_fen = ?7, expected_fen = ?8, over_short_fen = ?9, z_report_id = ?10
         WHERE id = ?1 AND closed_at IS NULL",
        params![
            id,
            c.closed_at,
            c.closed_by,
            c.manager_id,
            c.manager_name,
            c.counted_json,
            c.counted.fen(),
            c.expected.fen(),
            c.over_short.fen(),
            c.z_report_id
        ],
    )? == 1)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CashMove {
    pub id: i64,
    pub at: String,
    pub amount: Money,
    pub reason: String,
    pub user_name: String,
}

pub fn add_move(
    tx: &Transaction<'_>,
    shift_id: i64,
    at: &str,
    amount: Money,
    reason: &str,
    user_id: i64,
    user_name: &str,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO cash_moves (shift_id, at, amount_fen, reason, user_id, user_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![shift_id, at, amount.fen(), reason, user_id, user_name],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn moves(conn: &Connection, shift_id: i64) -> Result<Vec<CashMove>> {
    let mut st = conn.prepare_cached(
        "SELECT id, at, amount_fen, reason, user_name FROM cash_moves WHERE shift_id = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([shift_id], |r| {
        Ok(CashMove {
            id: r.get(0)?,
            at: r.get(1)?,
            amount: Money::from_fen(r.get(2)?),
            reason: r.get(3)?,
            user_name: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------- Z reports

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ZReportRow {
    pub id: i64,
    pub kind: String,
    pub shift_id: Option<i64>,
    pub till_code: String,
    pub business_day: String,
    pub created_at: String,
    pub created_by: String,
    pub report: serde_json::Value,
}

pub struct NewZReport<'a> {
    pub kind: &'a str,
    pub shift_id: Option<i64>,
    pub till_code: &'a str,
    pub business_day: &'a str,
    pub created_at: &'a str,
    pub created_by: &'a str,
    pub report: &'a serde_json::Value,
}

/// The id the next Z report will get (so the report can carry its own number);
/// call inside the write transaction that inserts it.
pub fn next_z_id(tx: &Transaction<'_>) -> Result<i64> {
    Ok(tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM z_reports", [], |r| r.get(0))?)
}

pub fn insert_z(tx: &Transaction<'_>, id: i64, z: &NewZReport<'_>) -> Result<i64> {
    tx.execute(
        "INSERT INTO z_reports (id, kind, shift_id, till_code, business_day, created_at, created_by, report)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![id, z.kind, z.shift_id, z.till_code, z.business_day, z.created_at, z.created_by, z.report.to_string()],
    )?;
    Ok(id)
}

const Z_COLS: &str = "id, kind, shift_id, till_code, business_day, created_at, created_by, report";

fn z_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ZReportRow> {
    let report: String = r.get(7)?;
    Ok(ZReportRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        shift_id: r.get(2)?,
        till_code: r.get(3)?,
        business_day: r.get(4)?,
        created_at: r.get(5)?,
        created_by: r.get(6)?,
        report: serde_json::from_str(&report).unwrap_or(serde_json::Value::Null),
    })
}

pub fn get_z(conn: &Connection, id: i64) -> Result<Option<ZReportRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {Z_COLS} FROM z_reports WHERE id = ?1"))?
        .query_row([id], z_row)
        .optional()?)
}

pub fn day_z(conn: &Connection, day: &str) -> Result<Option<ZReportRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {Z_COLS} FROM z_reports WHERE kind = 'day' AND business_day = ?1"))?
        .query_row([day], z_row)
        .optional()?)
}

/// Newest first; optionally one business day.
pub fn list_z(conn: &Connection, day: Option<&str>, limit: i64) -> Result<Vec<ZReportRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {Z_COLS} FROM z_reports WHERE (?1 IS NULL OR business_day = ?1) ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = st.query_map(params![day, limit], z_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
