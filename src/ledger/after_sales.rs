//! After-sales services (refund / return / exchange) and their lines.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::Result;
use crate::domain::after_sales::{Quote, QuotedLine, ServiceType};
use crate::domain::order::SyncState;
use crate::domain::Money;

#[derive(Debug, Clone, Serialize, Deserialize)]
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

pub fn insert(tx: &Transaction<'_>, s: &NewService<'_>) -> Result<i64> {
    tx.execute(
        "INSERT INTO after_sales (client_ref, order_id, service_type, status, reason, refund_fen, supplementary_fen,
            created_by, created_at, business_day) VALUES (?1, ?2, ?3, 'CREATED', ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            s.client_ref,
            s.order_id,
            s.quote.service_type.as_str(),
            s.reason,
            s.quote.refund_fee.map(|m| m.fen()),
            s.quote.supplementary_fee.map(|m| m.fen()),
            s.created_by,
            s.created_at,
            s.business_day
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut st = tx.prepare_cached(
        "INSERT INTO after_sales_lines (service_id, kind, seq, line_no, product_id, specification_id, name, quantity, amount_fen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (kind, lines) in [("return", &s.quote.returns), ("exchange", &s.quote.exchanges)] {
        for (i, l) in lines.iter().enumerate() {
            st.execute(params![id, kind, i as i64, l.line_no, l.product_id, l.specification_id, l.name, l.quantity, l.amount.fen()])?;
        }
    }
    Ok(id)
}

const COLS: &str = "s.id, s.client_ref, o.client_ref, o.order_number, s.service_type, s.service_number, s.status, s.reason,
    s.refund_fen, s.supplementary_fen, s.created_at, s.business_day, s.sync_state, s.conflict";

fn service_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Service> {
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
        sync_state: SyncState::parse(&r.get::<_, String>(12)?),
        conflict: r.get(13)?,
        returns: vec![],
        exchanges: vec![],
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
        .prepare_cached(&format!("SELECT {COLS} FROM after_sales s LEFT JOIN orders o ON o.id = s.order_id WHERE s.client_ref = ?1"))?
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

pub fn set_synced(tx: &Transaction<'_>, id: i64, service_number: Option<&str>, status: Option<&str>, refund: Option<Money>) -> Result<()> {
    tx.execute(
        "UPDATE after_sales SET sync_state = 'synced', conflict = NULL, service_number = coalesce(?2, service_number),
            status = coalesce(?3, status), refund_fen = coalesce(?4, refund_fen) WHERE id = ?1",
        params![id, service_number, status, refund.map(|m| m.fen())],
    )?;
    Ok(())
}

pub fn set_conflict(tx: &Transaction<'_>, id: i64, message: &str) -> Result<()> {
    tx.execute("UPDATE after_sales SET sync_state = 'conflict', conflict = ?2 WHERE id = ?1", params![id, message])?;
    Ok(())
}
