//! Manager approvals (migration 0010): granted by a manager's PIN, used once by the act
//! they were granted for. The rules that decide whether one fits are in
//! [`crate::domain::approval`].

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::Result;
use crate::domain::approval::{Approval, Rule};
use crate::domain::Money;

/// A new approval as the grant command records it.
pub struct NewApproval<'a> {
    pub id: &'a str,
    pub rule: Rule,
    pub subject: &'a str,
    pub amount: Money,
    pub requested_by: &'a str,
    pub approved_by: i64,
    pub approved_by_name: &'a str,
    pub created_at: &'a str,
    pub expires_at: &'a str,
}

pub fn insert(tx: &Transaction<'_>, a: &NewApproval<'_>) -> Result<()> {
    tx.execute(
        "INSERT INTO approvals (id, rule, subject, amount_fen, requested_by, approved_by, approved_by_name, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            a.id,
            a.rule.as_str(),
            a.subject,
            a.amount.fen(),
            a.requested_by,
            a.approved_by,
            a.approved_by_name,
            a.created_at,
            a.expires_at
        ],
    )?;
    Ok(())
}

/// One approval by id; a row whose rule this binary does not know reads as None.
pub fn get(conn: &Connection, id: &str) -> Result<Option<Approval>> {
    let row = conn
        .prepare_cached(
            "SELECT id, rule, subject, amount_fen, approved_by_name, created_at, expires_at, used_at FROM approvals WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(|(id, rule, subject, fen, by, created_at, expires_at, used_at)| {
        Some(Approval {
            id,
            rule: Rule::parse(&rule)?,
            subject,
            amount: Money::from_fen(fen),
            approved_by: by,
            created_at,
            expires_at,
            used_at,
        })
    }))
}

/// Marks an approval used by `used_by`; false when it was already used (a second request
/// racing the first).
pub fn consume(tx: &Transaction<'_>, id: &str, at: &str, used_by: &str) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE approvals SET used_at = ?2, used_by = ?3 WHERE id = ?1 AND used_at IS NULL",
        params![id, at, used_by],
    )? == 1)
}
