//! `sale_customers` (migration 0012): the member phone / name and invoice title of a
//! counter sale, and what the platform made of the member.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::{now_text, Result};
use crate::domain::member::MemberState;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(optional_fields = nullable)]
pub struct SaleCustomer {
    pub client_ref: String,
    pub member_phone: Option<String>,
    pub member_name: Option<String>,
    pub invoice_title: Option<String>,
    pub member_state: MemberState,
    pub member_failures: u32,
    /// The platform user the order was attached to (when matched).
    pub member_user_id: Option<i64>,
    /// The till asks the cashier whether to send without the member.
    pub member_trouble: bool,
}

pub fn insert(tx: &Transaction<'_>, c: &SaleCustomer) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sale_customers (client_ref, member_phone, member_name, invoice_title, member_state, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        c.client_ref,
        c.member_phone,
        c.member_name,
        c.invoice_title,
        c.member_state.as_str(),
        now_text()
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, client_ref: &str) -> Result<Option<SaleCustomer>> {
    Ok(conn
        .prepare_cached(
            "SELECT client_ref, member_phone, member_name, invoice_title, member_state, member_failures, member_user_id
             FROM sale_customers WHERE client_ref = ?1",
        )?
        .query_row([client_ref], |r| {
            let state = MemberState::parse(&r.get::<_, String>(4)?);
            let failures = r.get::<_, i64>(5)?.max(0) as u32;
            let phone: Option<String> = r.get(1)?;
            Ok(SaleCustomer {
                client_ref: r.get(0)?,
                member_trouble: crate::domain::member::member_trouble(failures, phone.is_some(), state),
                member_phone: phone,
                member_name: r.get(2)?,
                invoice_title: r.get(3)?,
                member_state: state,
                member_failures: failures,
                member_user_id: r.get(6)?,
            })
        })
        .optional()?)
}

pub fn set_state(tx: &Transaction<'_>, client_ref: &str, state: MemberState, user_id: Option<i64>) -> Result<()> {
    tx.prepare_cached(
        "UPDATE sale_customers SET member_state = ?2, member_user_id = ?3, updated_at = ?4 WHERE client_ref = ?1",
    )?
    .execute(params![client_ref, state.as_str(), user_id, now_text()])?;
    Ok(())
}

/// One more create with the member failed; returns the count.
pub fn count_failure(tx: &Transaction<'_>, client_ref: &str) -> Result<u32> {
    tx.prepare_cached(
        "UPDATE sale_customers SET member_failures = member_failures + 1, updated_at = ?2 WHERE client_ref = ?1",
    )?
    .execute(params![client_ref, now_text()])?;
    Ok(get(tx, client_ref)?.map(|c| c.member_failures).unwrap_or(0))
}
