//! Orders and their lines.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{now_text, LedgerError, Result};
use crate::domain::discount::DiscountKind;
use crate::domain::order::{Channel, Conflict, Order, OrderLine, PaymentMethod, Status, SyncState};
use crate::domain::Money;

/// Next number in the per-day, per-till sequence; call inside the write transaction.
pub fn next_day_seq(tx: &Transaction<'_>, business_day: &str, till: &str) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT coalesce(max(day_seq), 0) + 1 FROM orders WHERE business_day = ?1 AND till_code = ?2",
        params![business_day, till],
        |r| r.get(0),
    )?)
}

pub fn insert(
    tx: &Transaction<'_>,
    o: &Order,
    lines: &[OrderLine],
    cashier_id: Option<i64>,
    local_hour: u32,
    day_seq: i64,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO orders (client_ref, local_number, till_code, business_day, day_seq, order_number, channel, status,
            payment_method, total_fen, paid_fen, change_fen, remark, contact_user, phone, cashier_id, cashier_name,
            created_at, updated_at, local_hour, sync_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?19, ?20)",
    )?
    .execute(params![
        o.client_ref,
        o.local_number,
        o.till_code,
        o.business_day,
        day_seq,
        o.order_number,
        o.channel.as_str(),
        o.status.as_str(),
        o.payment_method.map(|p| p.as_str()),
        o.total.fen(),
        o.paid.map(|m| m.fen()),
        o.change.map(|m| m.fen()),
        o.remark,
        o.contact_user,
        o.phone,
        cashier_id,
        o.cashier,
        o.created_at,
        local_hour,
        o.sync_state.as_str(),
    ])?;
    let id = tx.last_insert_rowid();
    let mut st = tx.prepare_cached(
        "INSERT INTO order_lines (order_id, line_no, product_id, specification_id, name, category, station,
            unit_price_fen, quantity, line_total_fen, memo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for l in lines {
        st.execute(params![
            id,
            l.line_no,
            l.product_id,
            l.specification_id,
            l.name,
            l.category,
            l.station,
            l.unit_price.fen(),
            l.quantity,
            l.line_total.fen(),
            l.memo
        ])?;
    }
    Ok(id)
}

const COLS: &str =
    "id, client_ref, local_number, till_code, business_day, order_number, channel, status, payment_method,
    total_fen, paid_fen, change_fen, remark, contact_user, phone, cashier_name, created_at, updated_at, sync_state,
    conflict, left_store, checked_in_at, discount_fen, discount_kind";

fn order_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Order> {
    let channel: String = r.get(6)?;
    let status: String = r.get(7)?;
    let pm: Option<String> = r.get(8)?;
    let conflict: Option<String> = r.get(19)?;
    let channel = Channel::parse(&channel).unwrap_or(Channel::Counter);
    let mut o = Order {
        id: r.get(0)?,
        client_ref: r.get(1)?,
        local_number: r.get(2)?,
        till_code: r.get(3)?,
        business_day: r.get(4)?,
        order_number: r.get(5)?,
        channel,
        order_type: channel.order_type(),
        status: Status::parse(&status).unwrap_or(Status::CreatedPayPending),
        payment_method: pm.as_deref().and_then(PaymentMethod::parse),
        total: Money::from_fen(r.get(9)?),
        discount: Money::from_fen(r.get(22)?),
        discount_kind: r.get::<_, Option<String>>(23)?.as_deref().and_then(DiscountKind::parse),
        due: crate::domain::discount::due(Money::from_fen(r.get(9)?), Money::from_fen(r.get(22)?)),
        paid: r.get::<_, Option<i64>>(10)?.map(Money::from_fen),
        change: r.get::<_, Option<i64>>(11)?.map(Money::from_fen),
        remark: r.get(12)?,
        contact_user: r.get(13)?,
        phone: r.get(14)?,
        cashier: r.get(15)?,
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
        sync_state: SyncState::parse(&r.get::<_, String>(18)?),
        conflict: conflict.and_then(|c| serde_json::from_str::<Conflict>(&c).ok()),
        left_store: r.get::<_, i64>(20)? == 1,
        checked_in_at: r.get(21)?,
        allowed_actions: vec![],
        lines: None,
    };
    o.allowed_actions = crate::domain::transitions::allowed_for(&o);
    Ok(o)
}

pub fn lines(conn: &Connection, order_id: i64) -> Result<Vec<OrderLine>> {
    let mut st = conn.prepare_cached(
        "SELECT line_no, product_id, specification_id, name, category, station, unit_price_fen, quantity, line_total_fen, memo
         FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
    )?;
    let rows = st.query_map([order_id], |r| {
        Ok(OrderLine {
            line_no: r.get(0)?,
            product_id: r.get(1)?,
            specification_id: r.get(2)?,
            name: r.get(3)?,
            category: r.get(4)?,
            station: r.get(5)?,
            unit_price: Money::from_fen(r.get(6)?),
            quantity: r.get(7)?,
            line_total: Money::from_fen(r.get(8)?),
            memo: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn get_where(conn: &Connection, clause: &str, key: &str) -> Result<Option<Order>> {
    let o = conn
        .prepare_cached(&format!("SELECT {COLS} FROM orders WHERE {clause}"))?
        .query_row([key], order_row)
        .optional()?;
    match o {
        Some(mut o) => {
            o.lines = Some(lines(conn, o.id)?);
            Ok(Some(o))
        }
        None => Ok(None),
    }
}

pub fn get(conn: &Connection, client_ref: &str) -> Result<Option<Order>> {
    get_where(conn, "client_ref = ?1", client_ref)
}

pub fn require(conn: &Connection, client_ref: &str) -> Result<Order> {
    get(conn, client_ref)?.ok_or_else(|| LedgerError::NotFound(format!("order {client_ref}")))
}

pub fn by_order_number(conn: &Connection, order_number: &str) -> Result<Option<Order>> {
    get_where(conn, "order_number = ?1", order_number)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub day: Option<String>,
    pub statuses: Vec<Status>,
    pub channel: Option<Channel>,
    pub text: Option<String>,
    pub sync_state: Option<SyncState>,
    pub include_left_store: bool,
    pub limit: i64,
    pub offset: i64,
}

pub fn list(conn: &Connection, f: &Filter) -> Result<(Vec<Order>, i64)> {
    // Statuses go in as a JSON array so the statement stays one cached, bound query.
    let statuses =
        serde_json::to_string(&f.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()).unwrap_or_default();
    let text = f.text.as_ref().filter(|t| !t.trim().is_empty()).map(|t| format!("%{}%", t.trim()));
    let where_ = "WHERE (?1 IS NULL OR business_day = ?1)
          AND (?2 = '[]' OR status IN (SELECT value FROM json_each(?2)))
          AND (?3 IS NULL OR channel = ?3)
          AND (?4 IS NULL OR local_number LIKE ?4 OR order_number LIKE ?4 OR contact_user LIKE ?4 OR phone LIKE ?4 OR remark LIKE ?4)
          AND (?5 IS NULL OR sync_state = ?5)
          AND (?6 = 1 OR left_store = 0)";
    let args = params![
        f.day,
        statuses,
        f.channel.map(|c| c.as_str()),
        text,
        f.sync_state.map(|s| s.as_str()),
        f.include_left_store as i64
    ];
    let total: i64 =
        conn.prepare_cached(&format!("SELECT count(*) FROM orders {where_}"))?.query_row(args, |r| r.get(0))?;
    let limit = if f.limit <= 0 { 50 } else { f.limit.min(500) };
    let mut st =
        conn.prepare_cached(&format!("SELECT {COLS} FROM orders {where_} ORDER BY id DESC LIMIT ?7 OFFSET ?8"))?;
    let rows = st.query_map(
        params![
            f.day,
            statuses,
            f.channel.map(|c| c.as_str()),
            text,
            f.sync_state.map(|s| s.as_str()),
            f.include_left_store as i64,
            limit,
            f.offset.max(0)
        ],
        order_row,
    )?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, total))
}

pub fn set_status(tx: &Transaction<'_>, id: i64, status: Status) -> Result<()> {
    tx.prepare_cached("UPDATE orders SET status = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
        id,
        status.as_str(),
        now_text()
    ])?;
    Ok(())
}

pub fn set_payment(
    tx: &Transaction<'_>,
    id: i64,
    method: PaymentMethod,
    paid: Option<Money>,
    change: Option<Money>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE orders SET payment_method = ?2, paid_fen = ?3, change_fen = ?4, updated_at = ?5, paid_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, method.as_str(), paid.map(|m| m.fen()), change.map(|m| m.fen()), now_text()])?;
    Ok(())
}

/// A store-side discount on an unpaid sale (zero and None remove it). The platform's
/// price (`total_fen`) never changes.
pub fn set_discount(tx: &Transaction<'_>, id: i64, discount: Money, kind: Option<DiscountKind>) -> Result<()> {
    tx.prepare_cached("UPDATE orders SET discount_fen = ?2, discount_kind = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, discount.fen(), kind.map(|k| k.as_str()), now_text()])?;
    Ok(())
}

pub fn set_left_store(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("UPDATE orders SET left_store = 1, updated_at = ?2 WHERE id = ?1", params![id, now_text()])?;
    Ok(())
}

pub fn set_checked_in(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("UPDATE orders SET checked_in_at = ?2, updated_at = ?2 WHERE id = ?1", params![id, now_text()])?;
    Ok(())
}

pub fn set_order_number(tx: &Transaction<'_>, id: i64, order_number: &str) -> Result<()> {
    tx.execute("UPDATE orders SET order_number = ?2 WHERE id = ?1", params![id, order_number])?;
    Ok(())
}

pub fn set_sync_state(tx: &Transaction<'_>, id: i64, state: SyncState, conflict: Option<&Conflict>) -> Result<()> {
    let c = conflict.map(|c| serde_json::to_string(c).unwrap_or_default());
    tx.prepare_cached("UPDATE orders SET sync_state = ?2, conflict = ?3 WHERE id = ?1")?.execute(params![
        id,
        state.as_str(),
        c
    ])?;
    Ok(())
}

/// Quantity already taken back per line by earlier RETURN / EXCHANGE services.
pub fn returned_quantities(conn: &Connection, order_id: i64) -> Result<HashMap<i64, i64>> {
    let mut st = conn.prepare_cached(
        "SELECT l.line_no, sum(l.quantity) FROM after_sales_lines l JOIN after_sales s ON s.id = l.service_id
         WHERE s.order_id = ?1 AND l.kind = 'return' AND l.line_no IS NOT NULL AND s.status != 'CANCELED'
           AND s.sync_state != 'conflict' GROUP BY l.line_no",
    )?;
    let rows = st.query_map([order_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (status, total) of every order still in this store, for the platform-count mirror.
pub fn status_totals(conn: &Connection, day: Option<&str>) -> Result<Vec<(Status, Money)>> {
    let mut st = conn.prepare_cached(
        "SELECT status, total_fen FROM orders WHERE left_store = 0 AND (?1 IS NULL OR business_day = ?1)",
    )?;
    let rows = st.query_map([day], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for r in rows {
        let (s, fen) = r?;
        if let Some(s) = Status::parse(&s) {
            out.push((s, Money::from_fen(fen)));
        }
    }
    Ok(out)
}
