//! Devices paired with this till over the store LAN (migration 0011). A row holds a keyed
//! hash of the device's credential, never the credential; revoking sets `revoked_at` and
//! keeps the row, so the manager still sees who it was.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::Result;

/// One paired device as the manager's 设备 list shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Device {
    pub id: i64,
    pub name: String,
    pub paired_at: String,
    /// Who showed the pairing code (`username#id`).
    pub paired_by: String,
    /// The last request it made (to the minute), `None` until its first.
    pub last_seen_at: Option<String>,
    pub revoked_at: Option<String>,
}

const COLUMNS: &str = "id, name, paired_at, paired_by, last_seen_at, revoked_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: r.get(0)?,
        name: r.get(1)?,
        paired_at: r.get(2)?,
        paired_by: r.get(3)?,
        last_seen_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

/// Records a newly paired device; returns its id.
pub fn insert(tx: &Transaction<'_>, name: &str, credential_hash: &str, at: &str, by: &str) -> Result<i64> {
    tx.execute(
        "INSERT INTO devices (name, credential_hash, paired_at, paired_by) VALUES (?1, ?2, ?3, ?4)",
        params![name, credential_hash, at, by],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Every device, live ones first, newest first.
pub fn list(c: &Connection) -> Result<Vec<Device>> {
    let mut st =
        c.prepare_cached(&format!("SELECT {COLUMNS} FROM devices ORDER BY revoked_at IS NOT NULL, id DESC"))?;
    let rows = st.query_map([], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The live (not revoked) device holding this credential hash.
pub fn live_by_hash(c: &Connection, credential_hash: &str) -> Result<Option<Device>> {
    Ok(c.prepare_cached(&format!("SELECT {COLUMNS} FROM devices WHERE credential_hash = ?1 AND revoked_at IS NULL"))?
        .query_row([credential_hash], row)
        .optional()?)
}

pub fn get(c: &Connection, id: i64) -> Result<Option<Device>> {
    Ok(c.prepare_cached(&format!("SELECT {COLUMNS} FROM devices WHERE id = ?1"))?.query_row([id], row).optional()?)
}

/// Marks a device revoked; false when it does not exist or already was.
pub fn revoke(tx: &Transaction<'_>, id: i64, at: &str, by: &str) -> Result<bool> {
    let n = tx.execute(
        "UPDATE devices SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, at, by],
    )?;
    Ok(n == 1)
}

/// Notes a request from the device, at most once per minute (`stale_before`): a busy iPad
/// must not turn every read into a ledger write.
pub fn touch(tx: &Transaction<'_>, id: i64, at: &str, stale_before: &str) -> Result<()> {
    tx.execute(
        "UPDATE devices SET last_seen_at = ?2 WHERE id = ?1 AND (last_seen_at IS NULL OR last_seen_at < ?3)",
        params![id, at, stale_before],
    )?;
    Ok(())
}
