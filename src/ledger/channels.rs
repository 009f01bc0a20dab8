//! SQL of the other channels (issue 10): the mirror of what each channel holds
//! (`channel_order_list`) and each channel's health (`channel_health`).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::{now_text, Result};

/// One order as a channel holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MirrorRow {
    pub channel: String,
    pub remote_id: String,
    pub number: String,
    /// `ours` (a till sale we reported) or `theirs` (the channel's own order).
    pub origin: String,
    pub client_ref: Option<String>,
    pub status_raw: String,
    pub status_label: Option<String>,
    /// Our status for it; None when the channel's status is unknown to us.
    pub status_ours: Option<String>,
    pub refund_raw: Option<String>,
    pub total_fen: Option<i64>,
    pub business_day: String,
    pub created_at: String,
    pub updated_at: String,
    pub detail: serde_json::Value,
    pub conflict: Option<String>,
}

const COLS: &str = "channel, remote_id, number, origin, client_ref, status_raw, status_label, status_ours, refund_raw, total_fen, business_day, created_at, updated_at, detail, conflict";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MirrorRow> {
    let detail: String = r.get(13)?;
    Ok(MirrorRow {
        channel: r.get(0)?,
        remote_id: r.get(1)?,
        number: r.get(2)?,
        origin: r.get(3)?,
        client_ref: r.get(4)?,
        status_raw: r.get(5)?,
        status_label: r.get(6)?,
        status_ours: r.get(7)?,
        refund_raw: r.get(8)?,
        total_fen: r.get(9)?,
        business_day: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        conflict: r.get(14)?,
    })
}

/// Inserts or refreshes a mirror row. An existing row keeps its origin and client_ref
/// unless the new one names a client_ref it lacked.
pub fn upsert(tx: &Transaction<'_>, m: &MirrorRow) -> Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO channel_orders ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (channel, remote_id) DO UPDATE SET
            number = excluded.number, client_ref = coalesce(channel_orders.client_ref, excluded.client_ref),
            status_raw = excluded.status_raw, status_label = excluded.status_label, status_ours = excluded.status_ours,
            refund_raw = excluded.refund_raw, total_fen = coalesce(excluded.total_fen, channel_orders.total_fen),
            updated_at = excluded.updated_at, detail = excluded.detail"
    ))?
    .execute(params![
        m.channel,
        m.remote_id,
        m.number,
        m.origin,
        m.client_ref,
        m.status_raw,
        m.status_label,
        m.status_ours,
        m.refund_raw,
        m.total_fen,
        m.business_day,
        m.created_at,
        m.updated_at,
        m.detail.to_string(),
        m.conflict
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, channel: &str, remote_id: &str) -> Result<Option<MirrorRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM channel_orders WHERE channel = ?1 AND remote_id = ?2"),
            params![channel, remote_id],
            row,
        )
        .optional()?)
}

pub fn by_client_ref(conn: &Connection, channel: &str, client_ref: &str) -> Result<Option<MirrorRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM channel_orders WHERE channel = ?1 AND client_ref = ?2"),
            params![channel, client_ref],
            row,
        )
        .optional()?)
}

/// The channel a local order came from, when it is a channel's own order.
pub fn origin_of(conn: &Connection, client_ref: &str) -> Result<Option<(String, String)>> {
    Ok(conn
        .query_row(
            "SELECT channel, remote_id FROM channel_orders WHERE client_ref = ?1 AND origin = 'theirs' LIMIT 1",
            [client_ref],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn list(conn: &Connection, channel: &str, day: Option<&str>, limit: i64, offset: i64) -> Result<Vec<MirrorRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM channel_orders WHERE channel = ?1 AND (?2 IS NULL OR business_day = ?2) ORDER BY created_at DESC, remote_id LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = st.query_map(params![channel, day, limit, offset], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection, channel: &str) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM channel_orders WHERE channel = ?1", [channel], |r| r.get(0))?)
}

pub fn set_conflict(tx: &Transaction<'_>, channel: &str, remote_id: &str, conflict: Option<&str>) -> Result<()> {
    tx.execute(
        "UPDATE channel_orders SET conflict = ?3 WHERE channel = ?1 AND remote_id = ?2",
        params![channel, remote_id, conflict],
    )?;
    Ok(())
}

/// Orders and amounts per channel for one business day: for each channel, the mirror
/// rows of that day (cancelled ones counted apart), and for the platform the
/// ledger's counter and online orders the platform knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DayByChannel {
    pub channel: String,
    pub origin: String,
    pub orders: i64,
    pub amount_fen: i64,
    pub canceled: i64,
    pub unknown_status: i64,
}

pub fn day_by_channel(conn: &Connection, day: &str) -> Result<Vec<DayByChannel>> {
    let mut st = conn.prepare_cached(
        "SELECT channel, origin,
                coalesce(sum(coalesce(status_ours, '') NOT IN ('CLOSED_CANCELED', 'CLOSED_PAY_TIMEOUT')), 0),
                coalesce(sum(CASE WHEN coalesce(status_ours, '') NOT IN ('CLOSED_CANCELED', 'CLOSED_PAY_TIMEOUT') THEN coalesce(total_fen, 0) END), 0),
                coalesce(sum(status_ours IN ('CLOSED_CANCELED', 'CLOSED_PAY_TIMEOUT')), 0),
                coalesce(sum(status_ours IS NULL), 0)
         FROM channel_orders WHERE business_day = ?1 GROUP BY channel, origin ORDER BY channel, origin",
    )?;
    let rows = st.query_map([day], |r| {
        Ok(DayByChannel {
            channel: r.get(0)?,
            origin: r.get(1)?,
            orders: r.get(2)?,
            amount_fen: r.get(3)?,
            canceled: r.get(4)?,
            unknown_status: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The platform's side of the day: ledger orders not from another channel,
/// split into counter sales and online orders (cancelled apart).
pub fn primary_day(conn: &Connection, day: &str) -> Result<Vec<DayByChannel>> {
    let mut st = conn.prepare_cached(
        "SELECT CASE WHEN o.channel = 'COUNTER' THEN 'ours' ELSE 'theirs' END AS origin,
                coalesce(sum(o.status NOT IN ('CLOSED_CANCELED', 'CLOSED_PAY_TIMEOUT')), 0),
                coalesce(sum(CASE WHEN o.status NOT IN ('CLOSED_CANCELED', 'CLOSED_PAY_TIMEOUT') THEN o.total_fen END), 0),
                coalesce(sum(o.status IN ('CLOSED_CANCELED', 'CLOSED_PAY_TIMEOUT')), 0)
         FROM orders o
         WHERE o.business_day = ?1 AND o.left_store = 0
           AND NOT EXISTS (SELECT 1 FROM channel_orders c WHERE c.client_ref = o.client_ref AND c.origin = 'theirs')
         GROUP BY 1 ORDER BY 1",
    )?;
    let rows = st.query_map([day], |r| {
        Ok(DayByChannel {
            channel: super::outbox::PLATFORM_CHANNEL.into(),
            origin: r.get(0)?,
            orders: r.get(1)?,
            amount_fen: r.get(2)?,
            canceled: r.get(3)?,
            unknown_status: 0,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Each channel's health as its worker last wrote it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    pub channel: String,
    pub online: bool,
    pub last_round_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub counts: Option<serde_json::Value>,
}

pub fn health(conn: &Connection, channel: &str) -> Result<Health> {
    let h = conn
        .query_row("SELECT channel, online, last_round_at, last_success_at, last_error, counts FROM channel_health WHERE channel = ?1", [channel], |r| {
            let counts: Option<String> = r.get(5)?;
            Ok(Health {
                channel: r.get(0)?,
                online: r.get::<_, i64>(1)? != 0,
                last_round_at: r.get(2)?,
                last_success_at: r.get(3)?,
                last_error: r.get(4)?,
                counts: counts.and_then(|c| serde_json::from_str(&c).ok()),
            })
        })
        .optional()?;
    Ok(h.unwrap_or(Health { channel: channel.into(), ..Default::default() }))
}

/// Records one round: `online`, its error, and counts when the channel reported some.
pub fn record_round(
    tx: &Transaction<'_>,
    channel: &str,
    online: bool,
    error: Option<&str>,
    counts: Option<&serde_json::Value>,
) -> Result<()> {
    let now = now_text();
    tx.execute(
        "INSERT INTO channel_health (channel, online, last_round_at, last_success_at, last_error, counts)
         VALUES (?1, ?2, ?3, CASE WHEN ?2 THEN ?3 END, ?4, ?5)
         ON CONFLICT (channel) DO UPDATE SET online = excluded.online, last_round_at = excluded.last_round_at,
            last_success_at = coalesce(excluded.last_success_at, channel_health.last_success_at),
            last_error = excluded.last_error, counts = coalesce(excluded.counts, channel_health.counts)",
        params![channel, online, now, error, counts.map(|c| c.to_string())],
    )?;
    Ok(())
}

/// Conflicted outbox rows of one channel (newest first).
pub fn conflicts(conn: &Connection, channel: &str) -> Result<Vec<super::outbox::OutboxRow>> {
    let ids: Vec<i64> = {
        let mut st = conn.prepare_cached(
            "SELECT id FROM outbox WHERE channel = ?1 AND state = 'conflict' ORDER BY id DESC LIMIT 500",
        )?;
        let rows = st.query_map([channel], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out = vec![];
    for id in ids {
        if let Some(r) = super::outbox::get(conn, id)? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Pending or conflicted rows of one stream on one channel.
pub fn stream_open(conn: &Connection, channel: &str, stream: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE channel = ?1 AND stream = ?2 AND state != 'done')",
        params![channel, stream],
        |r| r.get(0),
    )?)
}

/// The stream's rows on one channel, in order.
pub fn stream_rows(conn: &Connection, channel: &str, stream: &str) -> Result<Vec<super::outbox::OutboxRow>> {
    super::outbox::stream_rows(conn, channel, stream)
}

/// A channel's own orders still open here (or in a status we do not know), least recently
/// refreshed first: what a pull re-reads when the channel's lists no longer show them.
pub fn open_theirs(conn: &Connection, channel: &str, limit: i64) -> Result<Vec<MirrorRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM channel_orders WHERE channel = ?1 AND origin = 'theirs'
           AND (status_ours IS NULL OR status_ours NOT IN ('CLOSED_CANCELED', 'CLOSED_CONFIRMED', 'CLOSED_REFUNDED', 'CLOSED_PAY_TIMEOUT'))
         ORDER BY updated_at, remote_id LIMIT ?2"
    ))?;
    let rows = st.query_map(params![channel, limit], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Marks a mirror row as just read (so the refresh goes round all of them).
pub fn touch(tx: &Transaction<'_>, channel: &str, remote_id: &str) -> Result<()> {
    tx.execute(
        "UPDATE channel_orders SET updated_at = ?3 WHERE channel = ?1 AND remote_id = ?2",
        params![channel, remote_id, now_text()],
    )?;
    Ok(())
}
