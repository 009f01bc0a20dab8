//! `cart_drafts` and `held_carts` (migration 0012): carts that are not orders. The cart is
//! stored as the JSON of [`CartDraft`]; nothing here writes the outbox.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::{now_text, LedgerError, Result};
use crate::domain::draft::CartDraft;

fn to_json(c: &CartDraft) -> Result<String> {
    serde_json::to_string(c).map_err(|e| LedgerError::Constraint(e.to_string()))
}

fn from_json(s: &str) -> Result<CartDraft> {
    serde_json::from_str(s).map_err(|e| LedgerError::Constraint(format!("stored cart unreadable: {e}")))
}

/// One screen's draft.
#[derive(Debug, Clone)]
pub struct Draft {
    pub cart: CartDraft,
    pub pending_client_ref: Option<String>,
    pub updated_at: String,
}

pub fn get_draft(conn: &Connection, device: &str) -> Result<Option<Draft>> {
    let row = conn
        .prepare_cached("SELECT cart, pending_client_ref, updated_at FROM cart_drafts WHERE device = ?1")?
        .query_row([device], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?)))
        .optional()?;
    row.map(|(c, p, u)| Ok(Draft { cart: from_json(&c)?, pending_client_ref: p, updated_at: u })).transpose()
}

/// Writes the screen's draft; an empty cart with no unpaid sale removes it.
pub fn put_draft(
    tx: &Transaction<'_>,
    device: &str,
    user_id: Option<i64>,
    cart: &CartDraft,
    pending_client_ref: Option<&str>,
) -> Result<()> {
    if cart.is_empty() && pending_client_ref.is_none() {
        tx.prepare_cached("DELETE FROM cart_drafts WHERE device = ?1")?.execute([device])?;
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO cart_drafts (device, user_id, cart, pending_client_ref, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (device) DO UPDATE SET user_id = ?2, cart = ?3, pending_client_ref = ?4, updated_at = ?5",
    )?
    .execute(params![device, user_id, to_json(cart)?, pending_client_ref, now_text()])?;
    Ok(())
}

/// A parked cart (挂单).
#[derive(Debug, Clone, Serialize, TS)]
pub struct HeldCart {
    pub hold_ref: String,
    pub till_code: String,
    pub business_day: String,
    pub note: String,
    pub cart: CartDraft,
    pub total: crate::domain::Money,
    pub items: i64,
    pub held_by: String,
    pub held_at: String,
    pub recalled_at: Option<String>,
    pub recalled_by: Option<String>,
    pub discarded: bool,
}

const COLS: &str =
    "hold_ref, till_code, business_day, note, cart, total, items, held_by, held_at, recalled_at, recalled_by, discarded";

fn held_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(HeldCart, String)> {
    let total: String = r.get(5)?;
    Ok((
        HeldCart {
            hold_ref: r.get(0)?,
            till_code: r.get(1)?,
            business_day: r.get(2)?,
            note: r.get(3)?,
            cart: CartDraft::default(),
            total: crate::domain::Money::parse(&total).unwrap_or(crate::domain::Money::ZERO),
            items: r.get(6)?,
            held_by: r.get(7)?,
            held_at: r.get(8)?,
            recalled_at: r.get(9)?,
            recalled_by: r.get(10)?,
            discarded: r.get::<_, i64>(11)? == 1,
        },
        r.get(4)?,
    ))
}

fn finish(rows: Vec<(HeldCart, String)>) -> Result<Vec<HeldCart>> {
    rows.into_iter()
        .map(|(mut h, c)| {
            h.cart = from_json(&c)?;
            Ok(h)
        })
        .collect()
}

pub struct NewHold<'a> {
    pub hold_ref: &'a str,
    pub till_code: &'a str,
    pub business_day: &'a str,
    pub note: &'a str,
    pub cart: &'a CartDraft,
    pub held_by: &'a str,
}

pub fn hold(tx: &Transaction<'_>, h: &NewHold<'_>) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO held_carts (hold_ref, till_code, business_day, note, cart, total, items, held_by, held_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        h.hold_ref,
        h.till_code,
        h.business_day,
        h.note,
        to_json(h.cart)?,
        h.cart.total().to_string(),
        h.cart.items(),
        h.held_by,
        now_text()
    ])?;
    Ok(())
}

/// Open holds (not recalled, not discarded), oldest first.
pub fn open_holds(conn: &Connection) -> Result<Vec<HeldCart>> {
    let rows = conn
        .prepare_cached(&format!("SELECT {COLS} FROM held_carts WHERE recalled_at IS NULL ORDER BY held_at, id"))?
        .query_map([], held_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    finish(rows)
}

pub fn get_hold(conn: &Connection, hold_ref: &str) -> Result<Option<HeldCart>> {
    let rows = conn
        .prepare_cached(&format!("SELECT {COLS} FROM held_carts WHERE hold_ref = ?1"))?
        .query_map([hold_ref], held_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(finish(rows)?.pop())
}

/// Takes a hold back (or discards it). False when it was already taken: two screens
/// recalling the same cart get it once.
pub fn close_hold(tx: &Transaction<'_>, hold_ref: &str, by: &str, discarded: bool) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "UPDATE held_carts SET recalled_at = ?2, recalled_by = ?3, discarded = ?4
             WHERE hold_ref = ?1 AND recalled_at IS NULL",
        )?
        .execute(params![hold_ref, now_text(), by, discarded as i64])?;
    Ok(n == 1)
}
