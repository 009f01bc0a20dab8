//! WeChat codes. A partial UNIQUE index makes "two live codes for one order" impossible.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::Result;

#[derive(Debug, Clone, Serialize)]
pub struct WechatCode {
    pub id: i64,
    pub client_ref: String,
    pub order_number: String,
    pub code_url: String,
    pub created_at: String,
    pub expires_at: String,
    pub state: String,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WechatCode> {
    Ok(WechatCode {
        id: r.get(0)?,
        client_ref: r.get(1)?,
        order_number: r.get(2)?,
        code_url: r.get(3)?,
        created_at: r.get(4)?,
        expires_at: r.get(5)?,
        state: r.get(6)?,
    })
}

const COLS: &str = "id, client_ref, order_number, code_url, created_at, expires_at, state";

pub fn latest(conn: &Connection, client_ref: &str) -> Result<Option<WechatCode>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM wechat_codes WHERE client_ref = ?1 ORDER BY id DESC LIMIT 1"),
            [client_ref],
            row,
        )
        .optional()?)
}

pub fn live(conn: &Connection, client_ref: &str) -> Result<Option<WechatCode>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM wechat_codes WHERE client_ref = ?1 AND state = 'live'"),
            [client_ref],
            row,
        )
        .optional()?)
}

/// Retires any live code of the order (as `superseded`) and records the new one.
pub fn insert_live(
    tx: &Transaction<'_>,
    client_ref: &str,
    order_number: &str,
    code_url: &str,
    created_at: &str,
    expires_at: &str,
) -> Result<i64> {
    tx.execute("UPDATE wechat_codes SET state = 'superseded' WHERE client_ref = ?1 AND state = 'live'", [client_ref])?;
    tx.execute(
        "INSERT INTO wechat_codes (client_ref, order_number, code_url, created_at, expires_at, state) VALUES (?1, ?2, ?3, ?4, ?5, 'live')",
        params![client_ref, order_number, code_url, created_at, expires_at],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn set_state(tx: &Transaction<'_>, id: i64, state: &str) -> Result<()> {
    tx.execute("UPDATE wechat_codes SET state = ?2 WHERE id = ?1", params![id, state])?;
    Ok(())
}

/// Codes a customer could still pay although the sale was cancelled (watched for a
/// late payment, which must become a refund, never be ignored).
pub fn cancelled_still_valid(conn: &Connection, now: &str) -> Result<Vec<WechatCode>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM wechat_codes WHERE state = 'cancelled' AND expires_at > ?1 ORDER BY id"
    ))?;
    let rows = st.query_map([now], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
