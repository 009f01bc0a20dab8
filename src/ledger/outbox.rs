//! The outbox: operations the platform must hear of, one ordered stream per order.
//!
//! Rows are written inside the user's transaction; the sync engine drains them later.
//! Only the head (lowest id) of a stream is ever eligible, so "create" always reaches
//! the platform before "complete" of the same order.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::{now_text, Result};

pub const CHANNEL_REST: &str = "rest-store";

pub fn enqueue(tx: &Transaction<'_>, channel: &str, stream: &str, op: &str, payload: &serde_json::Value) -> Result<i64> {
    let now = now_text();
    tx.prepare_cached("INSERT INTO outbox (channel, stream, op, payload, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)")?
        .execute(params![channel, stream, op, payload.to_string(), now])?;
    Ok(tx.last_insert_rowid())
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: String,
    pub stream: String,
    pub op: String,
    pub payload: serde_json::Value,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    let payload: String = r.get(4)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        channel: r.get(1)?,
        stream: r.get(2)?,
        op: r.get(3)?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        state: r.get(5)?,
        attempts: r.get(6)?,
        next_attempt_at: r.get(7)?,
        last_error: r.get(8)?,
        created_at: r.get(9)?,
    })
}

const COLS: &str = "id, channel, stream, op, payload, state, attempts, next_attempt_at, last_error, created_at";

/// Heads of pending streams that are due, oldest first. A stream whose head is in
/// conflict is held: later operations on that order wait for a person.
pub fn due_heads(conn: &Connection, channel: &str, now: &str, limit: i64) -> Result<Vec<OutboxRow>> {
    let sql = format!(
        "SELECT {COLS} FROM outbox o WHERE o.channel = ?1 AND o.state = 'pending' AND o.next_attempt_at <= ?2
           AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel AND p.stream = o.stream
                           AND p.id < o.id AND p.state != 'done')
         ORDER BY o.id LIMIT ?3"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params![channel, now, limit], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<OutboxRow>> {
    Ok(conn.query_row(&format!("SELECT {COLS} FROM outbox WHERE id = ?1"), [id], row).optional()?)
}

/// The primary channel's stream of one order. Other channels' rows of the same order
/// are their own streams (`crate::ledger::channels::stream_rows`): a channel that is down
/// must never hold up the primary's operations on that order, nor be resolved by them.
pub fn list_stream(conn: &Connection, stream: &str) -> Result<Vec<OutboxRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLS} FROM outbox WHERE stream = ?1 AND channel = '{CHANNEL_REST}' ORDER BY id"))?;
    let rows = st.query_map([stream], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn mark_done(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("UPDATE outbox SET state = 'done', done_at = ?2, last_error = NULL WHERE id = ?1", params![id, now_text()])?;
    Ok(())
}

pub fn mark_retry(tx: &Transaction<'_>, id: i64, error: &str, next_attempt_at: &str) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
        params![id, error, next_attempt_at],
    )?;
    Ok(())
}

pub fn mark_conflict(tx: &Transaction<'_>, id: i64, error: &str) -> Result<()> {
    tx.execute("UPDATE outbox SET state = 'conflict', attempts = attempts + 1, last_error = ?2 WHERE id = ?1", params![id, error])?;
    Ok(())
}

/// Puts a conflicted operation back in line (a person chose "retry").
pub fn requeue(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("UPDATE outbox SET state = 'pending', next_attempt_at = ?2 WHERE id = ?1 AND state = 'conflict'", params![id, now_text()])?;
    Ok(())
}

/// Drops a conflicted operation: the platform's version was accepted instead.
pub fn abandon(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("UPDATE outbox SET state = 'done', done_at = ?2 WHERE id = ?1 AND state = 'conflict'", params![id, now_text()])?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Depth {
    pub pending: i64,
    pub conflicts: i64,
    pub oldest_pending_at: Option<String>,
    pub last_error: Option<String>,
}

pub fn depth(conn: &Connection, channel: &str) -> Result<Depth> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'conflict'), 0),
                min(CASE WHEN state = 'pending' THEN created_at END),
                (SELECT last_error FROM outbox WHERE channel = ?1 AND state = 'pending' AND last_error IS NOT NULL ORDER BY id LIMIT 1)
         FROM outbox WHERE channel = ?1 AND state != 'done'",
        [channel],
        |r| Ok(Depth { pending: r.get(0)?, conflicts: r.get(1)?, oldest_pending_at: r.get(2)?, last_error: r.get(3)? }),
    )?)
}

/// How many streams (orders, unlinked services) have operations waiting to be sent.
pub fn pending_streams(conn: &Connection, channel: &str) -> Result<i64> {
    Ok(conn.query_row("SELECT count(DISTINCT stream) FROM outbox WHERE channel = ?1 AND state = 'pending'", [channel], |r| r.get(0))?)
}

/// When the earliest pending row becomes due (for the engine's sleep).
pub fn next_due(conn: &Connection, channel: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT min(next_attempt_at) FROM outbox WHERE channel = ?1 AND state = 'pending'", [channel], |r| r.get(0))?)
}
