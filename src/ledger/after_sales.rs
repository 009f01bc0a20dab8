//! After-sales services (refund / return / exchange) and their lines.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Result;
use crate::domain::after_sales::{Quote, QuotedLine, ServiceType};
use crate::domain::after_sales_rules::{PlatformMode, RefundWay, Route};
use crate::domain::counts::OrderCount;
use crate::domain::order::{Status, SyncState};
use crate::domain::Money;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Service {
    #[serde(skip)]
    pub id: i64,
    pub client_ref: String,
    pub order_client_ref: Option<String>,
    pub order_number: Option<String>,
    pub service_type: ServiceType,
    pub service_number: Option<String>,
    pub status: String,
    pub reason: String,
    pub refund_fee: Option<Money>,
    pub supplementary_fee: Option<Money>,
    pub created_at: String,
    pub business_day: String,
    pub sync_state: SyncState,
    pub conflict: Option<String>,
    pub returns: Vec<QuotedLine>,
    pub exchanges: Vec<QuotedLine>,
    /// 门店自理: the platform cannot take it; never sent, never a conflict (sync_state
    /// 'local' in the table, shown as synced: nothing is owed to the platform).
    #[serde(default)]
    pub local_only: bool,
    /// Why it is local only (`StoreOnlyWhy` code).
    #[serde(default)]
    pub local_reason: Option<String>,
    /// How the money goes back; None on services recorded before migration 0008.
    #[serde(default)]
    pub refund_way: Option<RefundWay>,
    /// Send `"otherway": true` (refund_way OTHERWAY on a service the platform takes).
    #[serde(default)]
    pub otherway: bool,
    #[serde(default)]
    pub platform_mode: Option<String>,
    /// What the rules expect the order to become once the platform takes it.
    #[serde(default)]
    pub expected_order_status: Option<String>,
    /// What the platform confirmed (follow-up by the sync engine).
    #[serde(default)]
    pub platform_status: Option<String>,
    #[serde(default)]
    pub platform_refund_fee: Option<Money>,
    #[serde(default)]
    pub platform_supplementary_fee: Option<Money>,
    #[serde(default)]
    pub platform_order_status: Option<String>,
    #[serde(default)]
    pub platform_checked_at: Option<String>,
}

impl Service {
    /// The money figures as the stats take them: the platform's once it confirmed them.
    pub fn effective_refund(&self) -> Option<Money> {
        self.platform_refund_fee.or(self.refund_fee)
    }
    pub fn effective_supplement(&self) -> Option<Money> {
        self.platform_supplementary_fee.or(self.supplementary_fee)
    }
}

pub struct NewService<'a> {
    pub client_ref: &'a str,
    pub order_id: Option<i64>,
    pub reason: &'a str,
    pub quote: &'a Quote,
    pub created_by: i64,
    pub created_at: &'a str,
    pub business_day: &'a str,
}

/// Where the rules sent the service (migration 0008 columns).
pub struct Routing<'a> {
    pub mode: PlatformMode,
    pub route: &'a Route,
}

/// Records a service sent to the platform under the old rules (no routing known).
pub fn insert(tx: &Transaction<'_>, s: &NewService<'_>) -> Result<i64> {
    insert_inner(tx, s, None)
}

/// Records a service with its route: a store-only one is stored `local` (the caller must
/// not enqueue it), a platform one carries its refund way for the sync engine.
pub fn insert_routed(tx: &Transaction<'_>, s: &NewService<'_>, r: &Routing<'_>) -> Result<i64> {
    insert_inner(tx, s, Some(r))
}

fn insert_inner(tx: &Transaction<'_>, s: &NewService<'_>, r: Option<&Routing<'_>>) -> Result<i64> {
    let (local_only, local_reason, refund_way, mode, expected) = match r {
        None => (false, None, None, None, None),
        Some(r) => match r.route {
            Route::StoreOnly { why, refund_way } => {
                (true, Some(why.code()), Some(refund_way.as_str()), Some(r.mode.as_str()), None)
            }
            Route::Platform { refund_way, order_after, .. } => {
                (false, None, Some(refund_way.as_str()), Some(r.mode.as_str()), order_after.map(|s| s.as_str()))
            }
            Route::Refused { .. } => {
                return Err(super::LedgerError::Constraint("a refused after-sales service is not recorded".into()))
            }
        },
    };
    // A store-only service is done when it is recorded: the money changed hands at the counter.
    let status = match (local_only, s.quote.service_type) {
        (false, _) => "CREATED",
        (true, ServiceType::Exchange) => "EXCHANGED",
        (true, _) => "REFUNDED",
    };
    tx.execute(
        "INSERT INTO after_sales (client_ref, order_id, service_type, status, reason, refund_fen, supplementary_fen,
            created_by, created_at, business_day, sync_state, local_only, local_reason, refund_way, platform_mode, expected_order_status)
         VALUES (?1, ?2, ?3, ?16, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            s.client_ref,
            s.order_id,
            s.quote.service_type.as_str(),
            s.reason,
            s.quote.refund_fee.map(|m| m.fen()),
            s.quote.supplementary_fee.map(|m| m.fen()),
            s.created_by,
            s.created_at,
            s.business_day,
            if local_only { "local" } else { "pending" },
            local_only as i64,
            local_reason,
            refund_way,
            mode,
            expected,
            status
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut st = tx.prepare_cached(
        "INSERT INTO after_sales_lines (service_id, kind, seq, line_no, product_id, specification_id, name, quantity, amount_fen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (kind, lines) in [("return", &s.quote.returns), ("exchange", &s.quote.exchanges)] {
        for (i, l) in lines.iter().enumerate() {
            st.execute(params![
                id,
                kind,
                i as i64,
                l.line_no,
                l.product_id,
                l.specification_id,
                l.name,
                l.quantity,
                l.amount.fen()
            ])?;
        }
    }
    Ok(id)
}

const COLS: &str =
    "s.id, s.client_ref, o.client_ref, o.order_number, s.service_type, s.service_number, s.status, s.reason,
    s.refund_fen, s.supplementary_fen, s.created_at, s.business_day, s.sync_state, s.conflict,
    s.local_only, s.local_reason, s.refund_way, s.platform_mode, s.expected_order_status, s.platform_status,
    s.platform_refund_fen, s.platform_supplementary_fen, s.platform_order_status, s.platform_checked_at";

fn service_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Service> {
    let local_only = r.get::<_, i64>(14)? != 0;
    let refund_way = r.get::<_, Option<String>>(16)?.as_deref().and_then(RefundWay::parse);
    let sync = r.get::<_, String>(12)?;
    Ok(Service {
        id: r.get(0)?,
        client_ref: r.get(1)?,
        order_client_ref: r.get(2)?,
        order_number: r.get(3)?,
        service_type: ServiceType::parse(&r.get::<_, String>(4)?).unwrap_or(ServiceType::Return),
        service_number: r.get(5)?,
        status: r.get(6)?,
        reason: r.get(7)?,
        refund_fee: r.get::<_, Option<i64>>(8)?.map(Money::from_fen),
        supplementary_fee: r.get::<_, Option<i64>>(9)?.map(Money::from_fen),
        created_at: r.get(10)?,
        business_day: r.get(11)?,
        // A local-only service owes the platform nothing.
        sync_state: if sync == "local" { SyncState::Synced } else { SyncState::parse(&sync) },
        conflict: r.get(13)?,
        returns: vec![],
        exchanges: vec![],
        local_only,
        local_reason: r.get(15)?,
        refund_way,
        otherway: !local_only && refund_way == Some(RefundWay::Otherway),
        platform_mode: r.get(17)?,
        expected_order_status: r.get(18)?,
        platform_status: r.get(19)?,
        platform_refund_fee: r.get::<_, Option<i64>>(20)?.map(Money::from_fen),
        platform_supplementary_fee: r.get::<_, Option<i64>>(21)?.map(Money::from_fen),
        platform_order_status: r.get(22)?,
        platform_checked_at: r.get(23)?,
    })
}

fn with_lines(conn: &Connection, mut s: Service) -> Result<Service> {
    let mut st = conn.prepare_cached(
        "SELECT kind, line_no, product_id, specification_id, name, quantity, amount_fen FROM after_sales_lines
         WHERE service_id = ?1 ORDER BY kind, seq",
    )?;
    let rows = st.query_map([s.id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            QuotedLine {
                line_no: r.get(1)?,
                product_id: r.get(2)?,
                specification_id: r.get(3)?,
                name: r.get(4)?,
                quantity: r.get(5)?,
                amount: Money::from_fen(r.get(6)?),
            },
        ))
    })?;
    for row in rows {
        let (kind, line) = row?;
        if kind == "return" {
            s.returns.push(line)
        } else {
            s.exchanges.push(line)
        }
    }
    Ok(s)
}

pub fn get(conn: &Connection, client_ref: &str) -> Result<Option<Service>> {
    let s = conn
        .prepare_cached(&format!(
            "SELECT {COLS} FROM after_sales s LEFT JOIN orders o ON o.id = s.order_id WHERE s.client_ref = ?1"
        ))?
        .query_row([client_ref], service_row)
        .optional()?;
    s.map(|s| with_lines(conn, s)).transpose()
}

pub fn list(conn: &Connection, day: Option<&str>, limit: i64) -> Result<Vec<Service>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM after_sales s LEFT JOIN orders o ON o.id = s.order_id
         WHERE (?1 IS NULL OR s.business_day = ?1) ORDER BY s.id DESC LIMIT ?2"
    ))?;
    let rows = st.query_map(params![day, limit], service_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|s| with_lines(conn, s)).collect()
}

pub fn set_synced(
    tx: &Transaction<'_>,
    id: i64,
    service_number: Option<&str>,
    status: Option<&str>,
    refund: Option<Money>,
) -> Result<()> {
    tx.execute(
        "UPDATE after_sales SET sync_state = 'synced', conflict = NULL, service_number = coalesce(?2, service_number),
            status = coalesce(?3, status), refund_fen = coalesce(?4, refund_fen) WHERE id = ?1",
        params![id, service_number, status, refund.map(|m| m.fen())],
    )?;
    Ok(())
}

/// Marks a service refused by the platform. A local-only service is never a conflict: the
/// call leaves it as it is.
pub fn set_conflict(tx: &Transaction<'_>, id: i64, message: &str) -> Result<()> {
    tx.execute(
        "UPDATE after_sales SET sync_state = 'conflict', conflict = ?2 WHERE id = ?1 AND local_only = 0",
        params![id, message],
    )?;
    Ok(())
}

/// What the platform says of a service and its order (the sync engine's follow-up:
/// `GET /rest/store/order_customer_service/{n}` and the order detail).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformServiceView<'a> {
    pub service_number: Option<&'a str>,
    /// CREATED, HANDLING, RETURN_PENDING, DELIVING, REFUND_PENDING, REFUNDED, CANCELED, EXCHANGED.
    pub status: Option<&'a str>,
    pub refund_fee: Option<Money>,
    pub supplementary_fee: Option<Money>,
    /// The order's status after the service, as the platform has it.
    pub order_status: Option<Status>,
    pub checked_at: &'a str,
}

/// Records the platform-confirmed status and figures of a service (never of a local-only
/// one). The local `status` follows the platform's; stats prefer the platform's money.
/// Returns false when nothing was updated (unknown id or local-only).
pub fn record_platform(tx: &Transaction<'_>, id: i64, v: &PlatformServiceView<'_>) -> Result<bool> {
    let n = tx.execute(
        "UPDATE after_sales SET service_number = coalesce(?2, service_number),
            platform_status = coalesce(?3, platform_status), status = coalesce(?3, status),
            platform_refund_fen = coalesce(?4, platform_refund_fen),
            platform_supplementary_fen = coalesce(?5, platform_supplementary_fen),
            platform_order_status = coalesce(?6, platform_order_status), platform_checked_at = ?7
         WHERE id = ?1 AND local_only = 0",
        params![
            id,
            v.service_number,
            v.status,
            v.refund_fee.map(|m| m.fen()),
            v.supplementary_fee.map(|m| m.fen()),
            v.order_status.map(|s| s.as_str()),
            v.checked_at
        ],
    )?;
    Ok(n > 0)
}

/// Platform statuses after which a service no longer changes.
pub const FINAL_SERVICE_STATUSES: &[&str] = &["REFUNDED", "CANCELED", "EXCHANGED"];

/// Services the sync engine should follow up: sent and known by number, not local-only,
/// not yet read back in a final platform status (a create answered REFUNDED is still read
/// once: the order's status after it comes from that read). Least recently checked first.
pub fn to_follow(conn: &Connection, limit: i64) -> Result<Vec<Service>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM after_sales s LEFT JOIN orders o ON o.id = s.order_id
         WHERE s.local_only = 0 AND s.sync_state = 'synced' AND s.service_number IS NOT NULL
           AND coalesce(s.platform_status, '') NOT IN ('REFUNDED', 'CANCELED', 'EXCHANGED')
         ORDER BY coalesce(s.platform_checked_at, ''), s.id LIMIT ?1"
    ))?;
    let rows = st.query_map([limit], service_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|s| with_lines(conn, s)).collect()
}

/// Earlier services on an order as the caps see them: not cancelled, not refused by the
/// platform (a refused service consumes nothing).
pub fn counted_on_order(conn: &Connection, order_id: i64) -> Result<Vec<Service>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM after_sales s LEFT JOIN orders o ON o.id = s.order_id
         WHERE s.order_id = ?1 AND s.status != 'CANCELED' AND s.sync_state != 'conflict' ORDER BY s.id"
    ))?;
    let rows = st.query_map([order_id], service_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Money already given back on an order by earlier counted services.
pub fn refunded_before(conn: &Connection, order_id: i64) -> Result<Money> {
    Ok(counted_on_order(conn, order_id)?.iter().filter_map(|s| s.effective_refund()).sum())
}

/// Earlier services on an order that went (or go) to the platform.
pub fn platform_services(conn: &Connection, order_id: i64) -> Result<usize> {
    Ok(counted_on_order(conn, order_id)?.iter().filter(|s| !s.local_only).count())
}

// ---------------------------------------------------------------- platform order_count

/// Stores one `GET /rest/store/order_count` answer (the sync engine, once per round).
pub fn store_platform_counts(
    tx: &Transaction<'_>,
    channel: &str,
    store_id: &str,
    fetched_at: &str,
    c: &OrderCount,
    raw: &str,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO platform_order_counts (channel, store_id, fetched_at, total_price_fen, total, handle_pending, pick_pending,
            deliver_pending, delivering, closed, cancled, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![channel, store_id, fetched_at, c.total_price.fen(), c.total, c.handle_pending, c.pick_pending, c.deliver_pending, c.delivering, c.closed, c.cancled, raw],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The latest stored `order_count` of a channel: (fetched_at, counts).
pub fn latest_platform_counts(conn: &Connection, channel: &str) -> Result<Option<(String, OrderCount)>> {
    Ok(conn
        .prepare_cached(
            "SELECT fetched_at, total_price_fen, total, handle_pending, pick_pending, deliver_pending, delivering, closed, cancled
             FROM platform_order_counts WHERE channel = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([channel], |r| {
            Ok((
                r.get::<_, String>(0)?,
                OrderCount {
                    total_price: Money::from_fen(r.get(1)?),
                    total: r.get(2)?,
                    handle_pending: r.get(3)?,
                    pick_pending: r.get(4)?,
                    deliver_pending: r.get(5)?,
                    delivering: r.get(6)?,
                    closed: r.get(7)?,
                    cancled: r.get(8)?,
                },
            ))
        })
        .optional()?)
}
