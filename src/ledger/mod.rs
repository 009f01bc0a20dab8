//! The ledger: every byte of SQL in storepos lives under this module.
//!
//! SQLite on disk in WAL mode with `synchronous=FULL`: a commit that returned is on
//! disk, even if the process is killed the next instant. Every state change is one
//! transaction that writes the new state, a journal row and, when the platform must
//! hear of it, an outbox row ([`Ledger::write`] is the only way to get a transaction).

mod migrate;

pub mod after_sales;
pub mod approvals;
pub mod backup;
pub mod catalog;
pub mod channels;
pub mod customers;
pub mod devices;
pub mod drafts;
pub mod journal;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod print_jobs;
pub mod settings;
pub mod shifts;
pub mod stats;
pub mod users;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use migrate::MIGRATIONS;

/// `PRAGMA application_id` of a storepos ledger ("SPOS"), so we never adopt a foreign file.
pub const APPLICATION_ID: i32 = 0x5350_4F53;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{path} is not a storepos ledger (it is not an SQLite database); it was left untouched")]
    NotADatabase { path: PathBuf },
    #[error("{path} is an SQLite database of another program; it was left untouched")]
    ForeignDatabase { path: PathBuf },
    #[error("{path} is damaged ({detail}); it was left untouched — restore a backup")]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} was written by a newer storepos (schema {found}, this program knows {known}); it was left untouched"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("the disk is full: nothing was saved, free some space and try again")]
    DiskFull,
    #[error("the ledger is read-only: nothing was saved ({0})")]
    ReadOnly(String),
    #[error("the ledger is busy: another storepos holds it; try again")]
    Busy,
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Constraint(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("io error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DiskFull) => LedgerError::DiskFull,
            Some(C::ReadOnly) => LedgerError::ReadOnly(e.to_string()),
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => LedgerError::Busy,
            Some(C::ConstraintViolation) => LedgerError::Constraint(e.to_string()),
            _ => LedgerError::Sqlite(e),
        }
    }
}

pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    /// Set by SQLite's update hook when a transaction inserts an outbox row.
    outbox_inserted: Arc<AtomicBool>,
    /// Called after a commit that inserted outbox rows (the engines' wake-up).
    on_outbox: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Ledger {
    /// Opens (creating if absent) and migrates the ledger at `path`.
    pub fn open(path: &Path) -> Result<Ledger> {
        let existed = path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
        if existed {
            check_header(path)?;
            // SQLite would quietly open a read-only file read-only, and the first sale
            // would fail deep inside; say it up front instead.
            if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
                if e.kind() == std::io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(30) {
                    return Err(LedgerError::ReadOnly(format!("{}: {e}", path.display())));
                }
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(LedgerError::from)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let ledger = Ledger { conn, path: path.to_path_buf(), outbox_inserted: Arc::default(), on_outbox: None };
        if existed {
            ledger.check_identity()?;
        }
        ledger.conn.pragma_update(None, "journal_mode", "WAL")?;
        ledger.conn.pragma_update(None, "synchronous", "FULL")?;
        ledger.conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate::migrate(&ledger.conn, path)?;
        Ok(ledger)
    }

    /// An in-memory ledger for pure-logic tests (same schema, same code paths).
    pub fn open_in_memory() -> Result<Ledger> {
        let conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate::migrate(&conn, Path::new(":memory:"))?;
        Ok(Ledger { conn, path: PathBuf::from(":memory:"), outbox_inserted: Arc::default(), on_outbox: None })
    }

    fn check_identity(&self) -> Result<()> {
        let app_id: i32 =
            self.conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(|e| self.corrupt(e))?;
        let tables: i64 =
            self.conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).map_err(|e| self.corrupt(e))?;
        if app_id != APPLICATION_ID && tables > 0 {
            return Err(LedgerError::ForeignDatabase { path: self.path.clone() });
        }
        let check: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| self.corrupt(e))?;
        if check != "ok" {
            return Err(LedgerError::Corrupt { path: self.path.clone(), detail: check });
        }
        Ok(())
    }

    fn corrupt(&self, e: rusqlite::Error) -> LedgerError {
        match LedgerError::from(e) {
            LedgerError::Sqlite(e) => LedgerError::Corrupt { path: self.path.clone(), detail: e.to_string() },
            other => other,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Calls `f` after every commit that inserted outbox rows: the engines are woken
    /// once the row is there for them to read, never before the commit.
    pub fn on_outbox_commit(&mut self, f: Box<dyn Fn() + Send + Sync>) {
        let flag = self.outbox_inserted.clone();
        self.conn.update_hook(Some(move |action: rusqlite::hooks::Action, _db: &str, table: &str, _row: i64| {
            if table == "outbox" && action == rusqlite::hooks::Action::SQLITE_INSERT {
                flag.store(true, Ordering::Relaxed);
            }
        }));
        self.on_outbox = Some(f);
    }

    /// Runs `f` in one IMMEDIATE transaction (the write lock is taken up front, so two
    /// tills on one file serialize instead of failing halfway). Commits only if `f` is Ok.
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<LedgerError>,
    {
        self.outbox_inserted.store(false, Ordering::Relaxed);
        let out = immediate(&mut self.conn, f)?;
        if self.outbox_inserted.swap(false, Ordering::Relaxed) {
            if let Some(wake) = &self.on_outbox {
                wake();
            }
        }
        Ok(out)
    }

    /// Read-only access; reads see the last committed state.
    pub fn read(&self) -> &Connection {
        &self.conn
    }

    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// `f` in one IMMEDIATE transaction on `conn`, committed only if `f` is Ok (a refusal or
/// an error rolls it back when the transaction drops).
fn immediate<T, E>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
) -> std::result::Result<T, E>
where
    E: From<LedgerError>,
{
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(LedgerError::from)?;
    let out = f(&tx)?;
    tx.commit().map_err(LedgerError::from)?;
    Ok(out)
}

/// A second connection to the same ledger file for bulk data the platform can always send
/// again (the catalog): its commits run at `synchronous=NORMAL` (no fsync; the next
/// durable commit, a sale's, carries them to disk) and it never checkpoints on commit
/// (`wal_autocheckpoint=0`): [`SideWriter::checkpoint`] does that, passively, while the
/// caller holds nothing a sale needs. Reads on it see the last committed state without
/// taking the ledger from anyone (WAL readers do not block the writer).
///
/// Its writes must still be serialized with the main [`Ledger`]'s (hold the app's ledger
/// lock around [`SideWriter::write`]): two writers on one file would otherwise meet in
/// SQLite's busy handler, which sleeps in steps of milliseconds.
pub struct SideWriter {
    conn: Connection,
}

impl SideWriter {
    /// Opens the side connection next to `ledger`; `None` for an in-memory ledger
    /// (there is no file to share: callers write through the ledger itself).
    pub fn open(ledger: &Ledger) -> Result<Option<SideWriter>> {
        if ledger.path == Path::new(":memory:") {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&ledger.path, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // The file is already in WAL mode (the main connection set it, and it sticks).
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(Some(SideWriter { conn }))
    }

    /// One IMMEDIATE transaction on the side connection; commits only if `f` is Ok.
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<LedgerError>,
    {
        immediate(&mut self.conn, f)
    }

    /// Reads on the side connection (the last committed state).
    pub fn read(&self) -> &Connection {
        &self.conn
    }

    /// Copies what the WAL holds into the database file (PASSIVE: it never waits for,
    /// nor blocks, a writer), so the WAL stays short and no sale's commit has to do it.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }
}

fn check_header(path: &Path) -> Result<()> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|source| LedgerError::Io { path: path.into(), source })?;
    let n = f.read(&mut head).map_err(|source| LedgerError::Io { path: path.into(), source })?;
    if n < 16 || &head != b"SQLite format 3\0" {
        return Err(LedgerError::NotADatabase { path: path.into() });
    }
    Ok(())
}

/// Current time as stored: UTC, RFC 3339 with milliseconds (sorts as text).
pub fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_writer_is_not_durable_but_the_ledger_stays_so() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("storepos.db")).unwrap();
        let mut side = SideWriter::open(&ledger).unwrap().expect("a file ledger has a side connection");
        let sync = |c: &Connection| c.pragma_query_value(None, "synchronous", |r| r.get::<_, i64>(0)).unwrap();
        // FULL = 2 for sales, NORMAL = 1 for what can be fetched again.
        assert_eq!((sync(ledger.read()), sync(side.read())), (2, 1));
        let auto: i64 = side.read().pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0)).unwrap();
        assert_eq!(auto, 0, "the side connection never checkpoints on commit");
        side.write(|tx| {
            tx.execute("INSERT INTO settings (key, value) VALUES ('side', '1')", []).map_err(LedgerError::from)
        })
        .unwrap();
        side.checkpoint().unwrap();
        let v: String =
            ledger.read().query_row("SELECT value FROM settings WHERE key = 'side'", [], |r| r.get(0)).unwrap();
        assert_eq!(v, "1", "the ledger sees what the side connection committed");
        assert!(SideWriter::open(&Ledger::open_in_memory().unwrap()).unwrap().is_none());
    }
}
