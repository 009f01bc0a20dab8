//! The append-only journal: who, when, what, before → after. Triggers refuse edits.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::{now_text, Result};

pub struct Entry<'a> {
    pub actor: &'a str,
    pub entity: &'a str,
    pub entity_ref: &'a str,
    pub action: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub detail: Option<String>,
}

pub fn append(tx: &Transaction<'_>, e: Entry<'_>) -> Result<i64> {
    tx.prepare_cached("INSERT INTO journal (at, actor, entity, entity_ref, action, before, after, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
        .execute(params![now_text(), e.actor, e.entity, e.entity_ref, e.action, e.before, e.after, e.detail])?;
    Ok(tx.last_insert_rowid())
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct JournalRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_ref: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: Option<String>,
}

pub fn list(
    conn: &Connection,
    entity_ref: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<JournalRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, at, actor, entity, entity_ref, action, before, after, detail FROM journal
         WHERE (?1 IS NULL OR entity_ref = ?1) AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = st.query_map(params![entity_ref, before_id, limit], |r| {
        Ok(JournalRow {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            entity: r.get(3)?,
            entity_ref: r.get(4)?,
            action: r.get(5)?,
            before: r.get(6)?,
            after: r.get(7)?,
            detail: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
