//! The durable print queue's rows. A job is inserted in the same transaction as the
//! event that causes it; `dedupe_key` (order + station + revision) is UNIQUE, so a
//! retried event can never queue the same ticket twice.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{now_text, Result};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PrintJob {
    pub id: i64,
    pub printer_id: String,
    pub kind: String,
    pub dedupe_key: String,
    pub client_ref: Option<String>,
    #[serde(skip_serializing)]
    pub payload: String,
    /// The table's CHECK constraint lists these.
    #[ts(type = "\"queued\" | \"printing\" | \"printed\" | \"failed\" | \"uncertain\"")]
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub reprint: bool,
    pub created_at: String,
    pub printed_at: Option<String>,
}

pub struct NewJob<'a> {
    pub printer_id: &'a str,
    pub kind: &'a str,
    pub dedupe_key: &'a str,
    pub client_ref: Option<&'a str>,
    pub payload: &'a str,
    pub reprint: bool,
}

/// Returns `None` when a job with the same dedupe key exists already.
pub fn enqueue(tx: &Transaction<'_>, j: &NewJob<'_>) -> Result<Option<i64>> {
    let now = now_text();
    let n = tx.prepare_cached(
        "INSERT INTO print_jobs (printer_id, kind, dedupe_key, client_ref, payload, reprint, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT (dedupe_key) DO NOTHING",
    )?
    .execute(params![j.printer_id, j.kind, j.dedupe_key, j.client_ref, j.payload, j.reprint as i64, now])?;
    Ok((n == 1).then(|| tx.last_insert_rowid()))
}

const COLS: &str =
    "id, printer_id, kind, dedupe_key, client_ref, payload, state, attempts, next_attempt_at, last_error, reprint, created_at, printed_at";

fn job_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PrintJob> {
    Ok(PrintJob {
        id: r.get(0)?,
        printer_id: r.get(1)?,
        kind: r.get(2)?,
        dedupe_key: r.get(3)?,
        client_ref: r.get(4)?,
        payload: r.get(5)?,
        state: r.get(6)?,
        attempts: r.get(7)?,
        next_attempt_at: r.get(8)?,
        last_error: r.get(9)?,
        reprint: r.get::<_, i64>(10)? == 1,
        created_at: r.get(11)?,
        printed_at: r.get(12)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<PrintJob>> {
    Ok(conn.query_row(&format!("SELECT {COLS} FROM print_jobs WHERE id = ?1"), [id], job_row).optional()?)
}

pub fn list(conn: &Connection, state: Option<&str>, client_ref: Option<&str>, limit: i64) -> Result<Vec<PrintJob>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM print_jobs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR client_ref = ?2) ORDER BY id DESC LIMIT ?3"
    ))?;
    let rows = st.query_map(params![state, client_ref, limit], job_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Takes the oldest due job of one printer and marks it `printing` in the same statement.
pub fn claim_next(tx: &Transaction<'_>, printer_id: &str, now: &str) -> Result<Option<PrintJob>> {
    let job = tx
        .prepare_cached(&format!(
            "SELECT {COLS} FROM print_jobs WHERE printer_id = ?1 AND state IN ('queued', 'failed') AND next_attempt_at <= ?2
             ORDER BY id LIMIT 1"
        ))?
        .query_row(params![printer_id, now], job_row)
        .optional()?;
    if let Some(j) = &job {
        tx.execute("UPDATE print_jobs SET state = 'printing', attempts = attempts + 1 WHERE id = ?1", [j.id])?;
    }
    Ok(job)
}

pub fn mark_printed(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute(
        "UPDATE print_jobs SET state = 'printed', printed_at = ?2, last_error = NULL WHERE id = ?1",
        params![id, now_text()],
    )?;
    Ok(())
}

/// Failed; retried at `retry_at`, or never (`None`: e.g. a ticket that cannot be rendered).
pub fn mark_failed(tx: &Transaction<'_>, id: i64, error: &str, retry_at: Option<&str>) -> Result<()> {
    tx.execute(
        "UPDATE print_jobs SET state = 'failed', last_error = ?2, next_attempt_at = coalesce(?3, '9999') WHERE id = ?1",
        params![id, error, retry_at],
    )?;
    Ok(())
}

/// Bytes may have reached paper; resending could print twice, so a person decides.
pub fn mark_uncertain(tx: &Transaction<'_>, id: i64, error: &str) -> Result<()> {
    tx.execute("UPDATE print_jobs SET state = 'uncertain', last_error = ?2 WHERE id = ?1", params![id, error])?;
    Ok(())
}

/// At a worker's start: a job of its printer left `printing` (storepos died mid-send)
/// becomes `uncertain`, never silently resent. Returns the ids.
pub fn recover_interrupted(tx: &Transaction<'_>, printer_id: &str) -> Result<Vec<i64>> {
    let ids = {
        let mut st = tx.prepare_cached("SELECT id FROM print_jobs WHERE printer_id = ?1 AND state = 'printing'")?;
        let rows = st.query_map([printer_id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<Vec<i64>>>()?
    };
    tx.execute(
        "UPDATE print_jobs SET state = 'uncertain', last_error = 'storepos stopped while printing: check the paper, reprint if missing'
         WHERE printer_id = ?1 AND state = 'printing'",
        [printer_id],
    )?;
    Ok(ids)
}

/// A person asked for it again: back in the queue, marked as a reprint.
pub fn requeue(tx: &Transaction<'_>, id: i64, printer_id: Option<&str>) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE print_jobs SET state = 'queued', next_attempt_at = ?2, printer_id = coalesce(?3, printer_id),
            reprint = CASE WHEN state IN ('uncertain', 'printed') THEN 1 ELSE reprint END
         WHERE id = ?1 AND state != 'printing'",
        params![id, now_text(), printer_id],
    )? == 1)
}

pub fn queued_count(conn: &Connection, printer_id: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM print_jobs WHERE printer_id = ?1 AND state IN ('queued', 'printing')",
        [printer_id],
        |r| r.get(0),
    )?)
}
