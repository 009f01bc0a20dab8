//! SQL for the manager's figures: one aggregate per question, on indexed columns, with
//! integer fen sums. The pure rules that turn these groups into figures are in
//! `crate::domain::stats`.
//!
//! Plans (checked with `EXPLAIN QUERY PLAN` in the tests):
//! - [`day_order_groups`] reads `SEARCH orders USING COVERING INDEX orders_day_stats (business_day=?)`.
//! - [`day_line_groups`] reads the day's sales from `orders_day_stats`, then each order's
//!   lines by primary key (`order_lines` is WITHOUT ROWID, clustered on `order_id`).
//! - [`day_after_sales`] reads the index `after_sales_day`.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, Transaction};

use super::Result;
use crate::domain::order::{Status, SyncState};
use crate::domain::reconcile::SyncGroup;
use crate::domain::stats::{sale_statuses_sql, AfterSalesSums, DayStatusGroup, LineGroup, OrderGroup};

pub fn day_order_groups(conn: &Connection, day: &str) -> Result<Vec<OrderGroup>> {
    let mut st = conn.prepare_cached(
        "SELECT status, left_store, channel, payment_method, local_hour, cashier_name, count(*), sum(total_fen), sum(discount_fen > 0), sum(discount_fen)
         FROM orders WHERE business_day = ?1
         GROUP BY status, left_store, channel, payment_method, local_hour, cashier_name",
    )?;
    let rows = st.query_map([day], |r| {
        Ok(OrderGroup {
            status: r.get(0)?,
            left_store: r.get::<_, i64>(1)? != 0,
            channel: r.get(2)?,
            payment_method: r.get(3)?,
            local_hour: r.get(4)?,
            cashier: r.get(5)?,
            count: r.get(6)?,
            total_fen: r.get(7)?,
            discounted: r.get(8)?,
            discount_fen: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn day_lines_sql() -> String {
    format!(
        "SELECT l.product_id, l.name, l.category, sum(l.quantity), sum(l.line_total_fen)
         FROM orders o INDEXED BY orders_day_stats JOIN order_lines l ON l.order_id = o.id
         WHERE o.business_day = ?1 AND o.status IN ({}) AND o.left_store = 0
         GROUP BY l.product_id, l.name, l.category",
        sale_statuses_sql()
    )
}

/// Lines of the day's sales, grouped by product, line name and category.
pub fn day_line_groups(conn: &Connection, day: &str) -> Result<Vec<LineGroup>> {
    let mut st = conn.prepare_cached(&day_lines_sql())?;
    let rows = st.query_map([day], |r| {
        Ok(LineGroup {
            product_id: r.get(0)?,
            name: r.get(1)?,
            category: r.get(2)?,
            quantity: r.get(3)?,
            amount_fen: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn day_after_sales(conn: &Connection, day: &str) -> Result<AfterSalesSums> {
    Ok(conn.prepare_cached(
        "SELECT count(*), coalesce(sum(coalesce(platform_refund_fen, refund_fen)), 0), coalesce(sum(coalesce(platform_supplementary_fen, supplementary_fen)), 0)
         FROM after_sales WHERE business_day = ?1 AND status != 'CANCELED'",
    )?
    .query_row([day], |r| Ok(AfterSalesSums { count: r.get(0)?, refund_fen: r.get(1)?, supplementary_fen: r.get(2)? }))?)
}

/// `[from, to]` (inclusive) grouped by day, status, left_store.
pub fn range_groups(conn: &Connection, from: &str, to: &str) -> Result<Vec<DayStatusGroup>> {
    let mut st = conn.prepare_cached(
        "SELECT business_day, status, left_store, count(*), sum(total_fen), sum(discount_fen > 0), sum(discount_fen) FROM orders
         WHERE business_day BETWEEN ?1 AND ?2 GROUP BY business_day, status, left_store",
    )?;
    let rows = st.query_map([from, to], |r| {
        Ok(DayStatusGroup {
            day: r.get(0)?,
            status: r.get(1)?,
            left_store: r.get::<_, i64>(2)? != 0,
            count: r.get(3)?,
            total_fen: r.get(4)?,
            discounted: r.get(5)?,
            discount_fen: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn range_after_sales(conn: &Connection, from: &str, to: &str) -> Result<BTreeMap<String, AfterSalesSums>> {
    let mut st = conn.prepare_cached(
        "SELECT business_day, count(*), coalesce(sum(coalesce(platform_refund_fen, refund_fen)), 0), coalesce(sum(coalesce(platform_supplementary_fen, supplementary_fen)), 0)
         FROM after_sales WHERE business_day BETWEEN ?1 AND ?2 AND status != 'CANCELED' GROUP BY business_day",
    )?;
    let rows = st.query_map([from, to], |r| {
        Ok((
            r.get::<_, String>(0)?,
            AfterSalesSums { count: r.get(1)?, refund_fen: r.get(2)?, supplementary_fen: r.get(3)? },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Orders still in the store (optionally of one day) grouped for reconciliation.
pub fn sync_groups(conn: &Connection, day: Option<&str>) -> Result<Vec<SyncGroup>> {
    let mut st = conn.prepare_cached(
        "SELECT status, sync_state, order_number IS NOT NULL, count(*), sum(total_fen), sum(discount_fen > 0), sum(discount_fen) FROM orders
         WHERE left_store = 0 AND (?1 IS NULL OR business_day = ?1)
         GROUP BY status, sync_state, order_number IS NOT NULL",
    )?;
    let rows = st.query_map([day], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)? != 0,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            (r.get::<_, i64>(5)?, r.get::<_, i64>(6)?),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (s, sync, has, n, fen, (discounted, discount_fen)) = row?;
        if let Some(status) = Status::parse(&s) {
            out.push(SyncGroup {
                status,
                sync_state: SyncState::parse(&sync),
                has_order_number: has,
                count: n,
                total_fen: fen,
                discounted,
                discount_fen,
            });
        }
    }
    Ok(out)
}

pub fn left_store_count(conn: &Connection, day: Option<&str>) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM orders WHERE left_store = 1 AND (?1 IS NULL OR business_day = ?1)",
        [day],
        |r| r.get(0),
    )?)
}

/// Orders in the store changed after `since` (an ISO time as the ledger writes them).
pub fn changed_since(conn: &Connection, since: &str, day: Option<&str>) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM orders WHERE left_store = 0 AND updated_at > ?1 AND (?2 IS NULL OR business_day = ?2)",
        rusqlite::params![since, day],
        |r| r.get(0),
    )?)
}

// ---------------------------------------------------------------- shift figures

/// Cash sales of one till in `[from, to)` by the time the money was taken (`paid_at`;
/// creation time for sales paid before migration 0010): count, fen at the platform's
/// price, and the fen of store-side discounts taken off them (the drawer got the difference).
pub fn cash_sales(conn: &Connection, till: &str, from: &str, to: &str) -> Result<(i64, i64, i64)> {
    let sql = format!(
        "SELECT count(*), coalesce(sum(total_fen), 0), coalesce(sum(discount_fen), 0) FROM orders
         WHERE till_code = ?1 AND coalesce(paid_at, created_at) >= ?2 AND coalesce(paid_at, created_at) < ?3
           AND payment_method = 'CASH'
           AND left_store = 0 AND status IN ({})",
        sale_statuses_sql()
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![till, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}

/// Refunds and supplements paid in cash in `[from, to)`: services refunded in cash at the
/// counter (`refund_way` OTHERWAY: cash sales, every store-only service, walk-in returns).
/// Services recorded before migration 0008 (no refund way) follow the old rule: on a cash
/// order or without an order. A WeChat refund by the original path leaves the drawer alone.
/// Platform-confirmed figures win once known.
pub fn cash_after_sales(conn: &Connection, from: &str, to: &str) -> Result<(i64, i64)> {
    Ok(conn.prepare_cached(
        "SELECT coalesce(sum(coalesce(s.platform_refund_fen, s.refund_fen)), 0),
                coalesce(sum(coalesce(s.platform_supplementary_fen, s.supplementary_fen)), 0)
         FROM after_sales s LEFT JOIN orders o ON o.id = s.order_id
         WHERE s.created_at >= ?1 AND s.created_at < ?2 AND s.status != 'CANCELED'
           AND (s.refund_way = 'OTHERWAY' OR (s.refund_way IS NULL AND (s.order_id IS NULL OR o.payment_method = 'CASH')))",
    )?
    .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Orders of one till in `[from, to)`, grouped like [`day_order_groups`]: a paid order by
/// the time it was paid (so the shift that took the money reports the sale), any other by
/// the time it was rung up.
pub fn window_order_groups(conn: &Connection, till: &str, from: &str, to: &str) -> Result<Vec<OrderGroup>> {
    let mut st = conn.prepare_cached(
        "SELECT status, left_store, channel, payment_method, local_hour, cashier_name, count(*), sum(total_fen), sum(discount_fen > 0), sum(discount_fen)
         FROM orders WHERE till_code = ?1 AND coalesce(paid_at, created_at) >= ?2 AND coalesce(paid_at, created_at) < ?3
         GROUP BY status, left_store, channel, payment_method, local_hour, cashier_name",
    )?;
    let rows = st.query_map(params![till, from, to], |r| {
        Ok(OrderGroup {
            status: r.get(0)?,
            left_store: r.get::<_, i64>(1)? != 0,
            channel: r.get(2)?,
            payment_method: r.get(3)?,
            local_hour: r.get(4)?,
            cashier: r.get(5)?,
            count: r.get(6)?,
            total_fen: r.get(7)?,
            discounted: r.get(8)?,
            discount_fen: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// All after-sales (not CANCELED) in `[from, to)`.
pub fn window_after_sales(conn: &Connection, from: &str, to: &str) -> Result<AfterSalesSums> {
    Ok(conn.prepare_cached(
        "SELECT count(*), coalesce(sum(coalesce(platform_refund_fen, refund_fen)), 0), coalesce(sum(coalesce(platform_supplementary_fen, supplementary_fen)), 0)
         FROM after_sales WHERE created_at >= ?1 AND created_at < ?2 AND status != 'CANCELED'",
    )?
    .query_row([from, to], |r| Ok(AfterSalesSums { count: r.get(0)?, refund_fen: r.get(1)?, supplementary_fen: r.get(2)? }))?)
}

// ---------------------------------------------------------------- export rows

#[derive(Debug, Clone)]
pub struct ExportOrder {
    pub id: i64,
    pub local_number: String,
    pub order_number: Option<String>,
    pub till_code: String,
    pub business_day: String,
    pub created_at: String,
    pub channel: String,
    pub status: String,
    pub payment_method: Option<String>,
    pub total_fen: i64,
    pub discount_fen: i64,
    pub discount_kind: Option<String>,
    pub paid_fen: Option<i64>,
    pub change_fen: Option<i64>,
    pub cashier: Option<String>,
    pub contact_user: String,
    pub phone: String,
    pub remark: String,
    pub sync_state: String,
    pub left_store: bool,
}

pub fn export_orders(conn: &Connection, day: &str) -> Result<Vec<ExportOrder>> {
    let mut st = conn.prepare_cached(
        "SELECT id, local_number, order_number, till_code, business_day, created_at, channel, status, payment_method,
                total_fen, paid_fen, change_fen, cashier_name, contact_user, phone, remark, sync_state, left_store,
                discount_fen, discount_kind
         FROM orders WHERE business_day = ?1 ORDER BY created_at, id",
    )?;
    let rows = st.query_map([day], |r| {
        Ok(ExportOrder {
            id: r.get(0)?,
            local_number: r.get(1)?,
            order_number: r.get(2)?,
            till_code: r.get(3)?,
            business_day: r.get(4)?,
            created_at: r.get(5)?,
            channel: r.get(6)?,
            status: r.get(7)?,
            payment_method: r.get(8)?,
            total_fen: r.get(9)?,
            paid_fen: r.get(10)?,
            change_fen: r.get(11)?,
            cashier: r.get(12)?,
            contact_user: r.get(13)?,
            phone: r.get(14)?,
            remark: r.get(15)?,
            sync_state: r.get(16)?,
            left_store: r.get::<_, i64>(17)? != 0,
            discount_fen: r.get(18)?,
            discount_kind: r.get(19)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone)]
pub struct ExportLine {
    pub order_id: i64,
    pub line_no: i64,
    pub product_id: i64,
    pub specification_id: Option<i64>,
    pub name: String,
    pub category: String,
    pub unit_price_fen: i64,
    pub quantity: i64,
    pub line_total_fen: i64,
    pub memo: Option<String>,
}

pub fn export_lines(conn: &Connection, day: &str) -> Result<Vec<ExportLine>> {
    let mut st = conn.prepare_cached(
        "SELECT l.order_id, l.line_no, l.product_id, l.specification_id, l.name, l.category, l.unit_price_fen, l.quantity,
                l.line_total_fen, l.memo
         FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.business_day = ?1 ORDER BY o.created_at, o.id, l.line_no",
    )?;
    let rows = st.query_map([day], |r| {
        Ok(ExportLine {
            order_id: r.get(0)?,
            line_no: r.get(1)?,
            product_id: r.get(2)?,
            specification_id: r.get(3)?,
            name: r.get(4)?,
            category: r.get(5)?,
            unit_price_fen: r.get(6)?,
            quantity: r.get(7)?,
            line_total_fen: r.get(8)?,
            memo: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------- bulk fill (benchmark)

/// A synthetic order for the benchmark's bulk fill (plain columns, fen).
#[derive(Debug, Clone)]
pub struct RawOrder {
    pub client_ref: String,
    pub till_code: String,
    pub business_day: String,
    pub day_seq: i64,
    pub channel: &'static str,
    pub status: &'static str,
    pub payment_method: Option<&'static str>,
    pub cashier_name: Option<String>,
    pub created_at: String,
    pub local_hour: u32,
    pub sync_state: &'static str,
    pub left_store: bool,
    /// (product_id, name, category, unit_price_fen, quantity)
    pub lines: Vec<(i64, String, String, i64, i64)>,
}

/// Inserts many orders with two prepared statements in the caller's transaction.
pub fn bulk_insert(tx: &Transaction<'_>, orders: impl IntoIterator<Item = RawOrder>) -> Result<(usize, usize)> {
    let mut o_st = tx.prepare(
        "INSERT INTO orders (client_ref, local_number, till_code, business_day, day_seq, channel, status, payment_method,
            total_fen, cashier_name, created_at, updated_at, local_hour, sync_state, left_store)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, ?14)",
    )?;
    let mut l_st = tx.prepare(
        "INSERT INTO order_lines (order_id, line_no, product_id, name, category, unit_price_fen, quantity, line_total_fen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let (mut n_o, mut n_l) = (0, 0);
    for o in orders {
        let total: i64 = o.lines.iter().map(|l| l.3 * l.4).sum();
        let local_number = format!("{}-{:04}", o.till_code, o.day_seq);
        o_st.execute(params![
            o.client_ref,
            local_number,
            o.till_code,
            o.business_day,
            o.day_seq,
            o.channel,
            o.status,
            o.payment_method,
            total,
            o.cashier_name,
            o.created_at,
            o.local_hour,
            o.sync_state,
            o.left_store as i64
        ])?;
        let id = tx.last_insert_rowid();
        for (i, l) in o.lines.iter().enumerate() {
            l_st.execute(params![id, i as i64 + 1, l.0, l.1, l.2, l.3, l.4, l.3 * l.4])?;
            n_l += 1;
        }
        n_o += 1;
    }
    Ok((n_o, n_l))
}

/// The benchmark's yardstick: the cheapest possible question about one day.
pub fn count_day(conn: &Connection, day: &str) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT count(*) FROM orders WHERE business_day = ?1")?.query_row([day], |r| r.get(0))?)
}

/// `EXPLAIN QUERY PLAN` of the day aggregates, for tests and the benchmark report.
pub fn day_plans(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for sql in [
        "SELECT status, left_store, channel, payment_method, local_hour, cashier_name, count(*), sum(total_fen), sum(discount_fen > 0), sum(discount_fen)
         FROM orders WHERE business_day = ?1 GROUP BY status, left_store, channel, payment_method, local_hour, cashier_name"
            .to_string(),
        day_lines_sql(),
    ] {
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = st.query_map(["2000-01-01"], |r| r.get::<_, String>(3))?;
        out.push(rows.collect::<rusqlite::Result<Vec<_>>>()?.join(" | "));
    }
    Ok(out)
}
