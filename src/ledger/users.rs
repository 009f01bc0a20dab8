//! Users, roles, PIN hashes, lock-outs and sessions. Hashing itself is in `crate::app::auth`.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Cashier,
    Clerk,
    Manager,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Clerk => "clerk",
            Role::Manager => "manager",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Cashier, Role::Clerk, Role::Manager].into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// A user's login facts. Its `Debug` leaves the PIN hash out.
#[derive(Clone)]
pub struct Credentials {
    pub user: User,
    pub pin_hash: String,
    pub active: bool,
    pub failed_attempts: i64,
    pub locked_until: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("pin_hash", &"***")
            .field("active", &self.active)
            .field("failed_attempts", &self.failed_attempts)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(3)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Cashier),
    })
}

pub fn insert(tx: &Transaction<'_>, username: &str, display_name: &str, role: Role, pin_hash: &str) -> Result<i64> {
    tx.execute(
        "INSERT INTO users (username, display_name, role, pin_hash) VALUES (?1, ?2, ?3, ?4)",
        params![username, display_name, role.as_str(), pin_hash],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn set_pin(tx: &Transaction<'_>, user_id: i64, pin_hash: &str) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE users SET pin_hash = ?2, failed_attempts = 0, locked_until = NULL WHERE id = ?1",
        params![user_id, pin_hash],
    )? == 1)
}

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut st =
        conn.prepare_cached("SELECT id, username, display_name, role FROM users WHERE active = 1 ORDER BY id")?;
    let rows = st.query_map([], user_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<User>> {
    Ok(conn.query_row("SELECT id, username, display_name, role FROM users WHERE id = ?1", [id], user_row).optional()?)
}

pub fn credentials(conn: &Connection, username: &str) -> Result<Option<Credentials>> {
    Ok(conn
        .query_row(
            "SELECT id, username, display_name, role, pin_hash, active, failed_attempts, locked_until FROM users WHERE username = ?1",
            [username],
            |r| {
                Ok(Credentials {
                    user: user_row(r)?,
                    pin_hash: r.get(4)?,
                    active: r.get::<_, i64>(5)? == 1,
                    failed_attempts: r.get(6)?,
                    locked_until: r.get(7)?,
                })
            },
        )
        .optional()?)
}

pub fn record_failure(tx: &Transaction<'_>, user_id: i64, locked_until: Option<&str>) -> Result<()> {
    tx.execute(
        "UPDATE users SET failed_attempts = failed_attempts + 1, locked_until = ?2 WHERE id = ?1",
        params![user_id, locked_until],
    )?;
    Ok(())
}

pub fn record_success(tx: &Transaction<'_>, user_id: i64) -> Result<()> {
    tx.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?1", [user_id])?;
    Ok(())
}

/// Ends every session of a user (a PIN that changed must not leave the old login open).
pub fn end_sessions_of(tx: &Transaction<'_>, user_id: i64) -> Result<usize> {
    Ok(tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?)
}

pub fn insert_session(tx: &Transaction<'_>, token_hash: &str, user_id: i64, now: &str, expires_at: &str) -> Result<()> {
    tx.execute("DELETE FROM sessions WHERE expires_at < ?1", [now])?;
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user_id, now, expires_at],
    )?;
    Ok(())
}

pub fn session_user(conn: &Connection, token_hash: &str, now: &str) -> Result<Option<User>> {
    Ok(conn
        .query_row(
            "SELECT u.id, u.username, u.display_name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1",
            params![token_hash, now],
            user_row,
        )
        .optional()?)
}

pub fn delete_session(tx: &Transaction<'_>, token_hash: &str) -> Result<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}
