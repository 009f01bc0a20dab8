//! Key/value settings (JSON values), read and written in transactions like everything else.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::Result;

pub fn get(conn: &Connection, key: &str) -> Result<Option<serde_json::Value>> {
    let v: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    Ok(v.and_then(|s| serde_json::from_str(&s).ok()))
}

pub fn get_str(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(get(conn, key)?.and_then(|v| v.as_str().map(str::to_string)))
}

pub fn set(tx: &Transaction<'_>, key: &str, value: &serde_json::Value) -> Result<Option<serde_json::Value>> {
    let before: Option<String> =
        tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value.to_string()],
    )?;
    Ok(before.and_then(|s| serde_json::from_str(&s).ok()))
}

pub fn all(conn: &Connection) -> Result<Vec<(String, serde_json::Value)>> {
    let mut st = conn.prepare("SELECT key, value FROM settings ORDER BY key")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for r in rows {
        let (k, v) = r?;
        out.push((k, serde_json::from_str(&v).unwrap_or(serde_json::Value::Null)));
    }
    Ok(out)
}
