//! The outbox: operations a platform must hear of, one ordered stream per order and
//! channel.
//!
//! Rows are written inside the user's transaction; the outbox engine (`crate::engine::outbox`)
//! drains them later. Only the head (lowest id) of a stream is ever eligible, so "create"
//! always reaches the platform before "complete" of the same order. The engine's state
//! of a row lives in typed columns (migration 0006); `last_error` is for people only.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::{now_text, Result};

pub const PLATFORM_CHANNEL: &str = "rest-store";

/// Inserts one operation (`op` is the typed operation's tag, `payload` its fields).
pub fn insert(tx: &Transaction<'_>, channel: &str, stream: &str, op: &str, payload: &serde_json::Value) -> Result<i64> {
    let now = now_text();
    tx.prepare_cached("INSERT INTO outbox (channel, stream, op, payload, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)")?
        .execute(params![channel, stream, op, payload.to_string(), now])?;
    Ok(tx.last_insert_rowid())
}

#[derive(Debug, Clone, Serialize, TS)]
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
    /// A request left and its outcome is not known: look it up before any resend.
    pub unknown: bool,
    /// The platform took it; it is only ever looked up again.
    pub accepted: bool,
    /// Marker generation of a create (bumped when a sale is created again).
    pub generation: u32,
    /// Re-creations since a person last looked at it.
    pub regens: u32,
    /// Read-backs that found an action not applied yet.
    pub checks: u32,
    /// Ambiguous answers so far (库存不足, a walk-in's 500).
    pub ambiguous: u32,
    /// Consecutive failed tries: the backoff exponent.
    pub failures: u32,
    /// Why a held row is held (`refused`, `stock`, `not_ours`, `attempts`, …).
    pub conflict_kind: Option<String>,
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
        unknown: r.get(10)?,
        accepted: r.get(11)?,
        generation: r.get(12)?,
        checks: r.get(13)?,
        ambiguous: r.get(14)?,
        failures: r.get(15)?,
        conflict_kind: r.get(16)?,
        regens: r.get(17)?,
    })
}

const COLS: &str = "id, channel, stream, op, payload, state, attempts, next_attempt_at, last_error, created_at, unknown, accepted, generation, checks, ambiguous, failures, conflict_kind, regens";

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

/// One stream of one channel, in order. A channel that is down must never hold up
/// another channel's operations on the same order, nor be resolved by them.
pub fn stream_rows(conn: &Connection, channel: &str, stream: &str) -> Result<Vec<OutboxRow>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {COLS} FROM outbox WHERE stream = ?1 AND channel = ?2 ORDER BY id"))?;
    let rows = st.query_map([stream, channel], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The platform's stream of one order.
pub fn list_stream(conn: &Connection, stream: &str) -> Result<Vec<OutboxRow>> {
    stream_rows(conn, PLATFORM_CHANNEL, stream)
}

/// True when the stream has operations after `id` not yet done.
pub fn later_pending(conn: &Connection, channel: &str, stream: &str, id: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE channel = ?1 AND stream = ?2 AND id > ?3 AND state != 'done')",
        params![channel, stream, id],
        |r| r.get(0),
    )?)
}

/// Written before a request leaves: after a crash the next run finds `unknown` and looks
/// the operation up instead of sending it blindly.
pub fn mark_sending(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("UPDATE outbox SET attempts = attempts + 1, unknown = 1, last_error = 'sending' WHERE id = ?1", [id])?;
    Ok(())
}

/// The typed state a retry leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetryState {
    pub unknown: bool,
    pub checks: u32,
    pub ambiguous: u32,
    pub failures: u32,
}

pub fn mark_retry(tx: &Transaction<'_>, id: i64, st: RetryState, error: &str, next_attempt_at: &str) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET unknown = ?2, checks = ?3, ambiguous = ?4, failures = ?5, last_error = ?6, next_attempt_at = ?7 WHERE id = ?1",
        params![id, st.unknown, st.checks, st.ambiguous, st.failures, error, next_attempt_at],
    )?;
    Ok(())
}

/// The platform took it (an after-sales service it stored): never sent again.
pub fn mark_accepted(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("UPDATE outbox SET accepted = 1, unknown = 0 WHERE id = ?1", [id])?;
    Ok(())
}

/// A create starts over under a new marker generation (its number reached another order).
pub fn next_generation(tx: &Transaction<'_>, id: i64, generation: u32) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET generation = ?2, regens = regens + 1, unknown = 0, ambiguous = 0 WHERE id = ?1",
        params![id, generation],
    )?;
    Ok(())
}

pub fn mark_done(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET state = 'done', done_at = ?2, last_error = NULL, unknown = 0 WHERE id = ?1",
        params![id, now_text()],
    )?;
    Ok(())
}

pub fn mark_conflict(tx: &Transaction<'_>, id: i64, kind: &str, error: &str) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET state = 'conflict', conflict_kind = ?2, last_error = ?3 WHERE id = ?1",
        params![id, kind, error],
    )?;
    Ok(())
}

/// Puts a conflicted operation back in line (a person chose "retry"): counters start
/// over, but what is unknown stays unknown (it is still looked up before a resend).
pub fn requeue(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, conflict_kind = NULL, checks = 0, ambiguous = 0, failures = 0, attempts = 0, regens = 0
          WHERE id = ?1 AND state = 'conflict'",
        params![id, now_text()],
    )?;
    Ok(())
}

/// A pending create of `stream` is due now (the cashier changed what it sends, e.g.
/// dropped the member): what is unknown stays unknown, so it is still looked up first.
pub fn create_due_now(tx: &Transaction<'_>, channel: &str, stream: &str) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET next_attempt_at = ?3 WHERE channel = ?1 AND stream = ?2 AND op = 'create' AND state = 'pending'",
        params![channel, stream, now_text()],
    )?;
    Ok(())
}

/// Drops a conflicted operation: the platform's version was accepted instead.
pub fn abandon(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET state = 'done', done_at = ?2 WHERE id = ?1 AND state = 'conflict'",
        params![id, now_text()],
    )?;
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
                (SELECT last_error FROM outbox WHERE channel = ?1 AND state = 'pending' AND last_error IS NOT NULL AND last_error != 'sending' ORDER BY id LIMIT 1)
         FROM outbox WHERE channel = ?1 AND state != 'done'",
        [channel],
        |r| Ok(Depth { pending: r.get(0)?, conflicts: r.get(1)?, oldest_pending_at: r.get(2)?, last_error: r.get(3)? }),
    )?)
}

/// Pending rows that can still move on their own: not queued behind a held (conflict)
/// row of their stream. What waiting for the outbox to settle waits for.
pub fn movable(conn: &Connection, channel: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM outbox o WHERE o.channel = ?1 AND o.state = 'pending'
           AND NOT EXISTS (SELECT 1 FROM outbox c WHERE c.channel = o.channel AND c.stream = o.stream AND c.state = 'conflict' AND c.id < o.id)",
        [channel],
        |r| r.get(0),
    )?)
}

/// How many streams (orders, unlinked services) have operations waiting to be sent.
pub fn pending_streams(conn: &Connection, channel: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(DISTINCT stream) FROM outbox WHERE channel = ?1 AND state = 'pending'",
        [channel],
        |r| r.get(0),
    )?)
}

/// When the earliest pending row becomes due (for the engine's sleep).
pub fn next_due(conn: &Connection, channel: &str) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(next_attempt_at) FROM outbox WHERE channel = ?1 AND state = 'pending'",
        [channel],
        |r| r.get(0),
    )?)
}

// ---- platform orders we cannot reach --------------------------------------------------

/// A platform order that carries our marker but whose number reaches another order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Stray {
    pub id: i64,
    pub client_ref: String,
    pub order_number: String,
    pub generation: u32,
    pub reaches_remark: Option<String>,
    pub found_at: String,
    pub voided_at: Option<String>,
    /// The sale it is a copy of, as the till knows it (T-/W- number, amount, when rung
    /// up): what a manager groups strays by. None when the ledger has no such sale.
    pub local_number: Option<String>,
    pub total: Option<crate::domain::Money>,
    pub sale_created_at: Option<String>,
}

pub fn record_stray(
    tx: &Transaction<'_>,
    client_ref: &str,
    order_number: &str,
    generation: u32,
    reaches_remark: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO platform_strays (client_ref, order_number, generation, reaches_remark, found_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (client_ref, generation) DO NOTHING",
        params![client_ref, order_number, generation, reaches_remark, now_text()],
    )?;
    Ok(())
}

/// Strays not yet marked voided (newest first), or every one with `all`.
pub fn strays(conn: &Connection, all: bool) -> Result<Vec<Stray>> {
    let sql = format!(
        "SELECT s.id, s.client_ref, s.order_number, s.generation, s.reaches_remark, s.found_at, s.voided_at,
                o.local_number, o.total_fen, o.created_at
         FROM platform_strays s LEFT JOIN orders o ON o.client_ref = s.client_ref
         {} ORDER BY s.id DESC LIMIT 500",
        if all { "" } else { "WHERE s.voided_at IS NULL" }
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([], |r| {
        Ok(Stray {
            id: r.get(0)?,
            client_ref: r.get(1)?,
            order_number: r.get(2)?,
            generation: r.get(3)?,
            reaches_remark: r.get(4)?,
            found_at: r.get(5)?,
            voided_at: r.get(6)?,
            local_number: r.get(7)?,
            total: r.get::<_, Option<i64>>(8)?.map(crate::domain::Money::from_fen),
            sale_created_at: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A manager had the platform void it.
pub fn mark_stray_voided(tx: &Transaction<'_>, id: i64) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE platform_strays SET voided_at = ?2 WHERE id = ?1 AND voided_at IS NULL",
        params![id, now_text()],
    )? > 0)
}
