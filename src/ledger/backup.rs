//! Online backups of the ledger and the checks a file must pass before it may replace one
//! (the SQL side; scheduling, rotation and records live in `crate::services::backup`).
//!
//! A backup copies pages with SQLite's online backup API from a *separate read-only
//! connection* that holds one read transaction for the whole copy. In WAL mode a reader
//! never blocks the writer, so a sale commits while the backup runs; and because the
//! read transaction stays open between steps, the copy is one consistent snapshot (the
//! state as of the moment it began) and is never restarted by those commits. Steps are
//! small and separated by pauses, so the copy does not starve the till of disk or CPU.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{LedgerError, Result, APPLICATION_ID, MIGRATIONS};

/// How much a copy writes before it flushes the written pages to disk.
const SYNC_EVERY_BYTES: u64 = 8 * 1024 * 1024;

/// How the copy is paced.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Pages (4 KiB each by default) copied per step.
    pub pages_per_step: i32,
    /// Sleep between steps.
    pub pause: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        // Measured by `storepos bench backup`: 256 pages (1 MiB) per step with a 4 ms
        // pause keeps the longest sale pause within target on a 2-core machine.
        Pace { pages_per_step: 256, pause: Duration::from_millis(4) }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Copied {
    pub pages: i64,
    pub steps: u64,
    pub bytes: u64,
    pub millis: u64,
}

/// Copies the ledger at `src` into a new file `dest` (which must not exist) as of the
/// moment the copy begins. The result is a self-contained file (rollback journal mode,
/// no `-wal` beside it), fsynced.
pub fn online_copy(src: &Path, dest: &Path, pace: Pace) -> Result<Copied> {
    let t0 = Instant::now();
    let source = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    source.busy_timeout(Duration::from_secs(5))?;
    // One read transaction for the whole copy: a consistent snapshot, no restarts.
    source.execute_batch("BEGIN")?;
    let _: i64 = source.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    let mut target = Connection::open(dest)?;
    let mut steps = 0u64;
    let pages;
    // Written pages are flushed every few MiB: a copy that left hundreds of MiB dirty
    // would make the kernel write them all at once, and the till's next commit (which
    // fsyncs) would wait behind them.
    let flush_every = (SYNC_EVERY_BYTES / (4096 * pace.pages_per_step.max(1) as u64)).max(1);
    let mut dest_fd: Option<std::fs::File> = None;
    {
        let b = Backup::new(&source, &mut target)?;
        loop {
            steps += 1;
            let r = b.step(pace.pages_per_step.max(1))?;
            if steps.is_multiple_of(flush_every) {
                if dest_fd.is_none() {
                    dest_fd = std::fs::File::open(dest).ok();
                }
                if let Some(f) = &dest_fd {
                    let _ = f.sync_data();
                }
            }
            match r {
                StepResult::Done => break,
                _ => std::thread::sleep(pace.pause),
            }
        }
        pages = b.progress().pagecount as i64;
    }
    drop(dest_fd);
    source.execute_batch("COMMIT")?;
    drop(source);
    // The copy carries the WAL flag of its source; a backup on a USB stick is better as
    // one file that needs nothing beside it.
    target.pragma_update(None, "journal_mode", "DELETE")?;
    drop(target);
    let f = std::fs::File::open(dest).map_err(|source| LedgerError::Io { path: dest.into(), source })?;
    f.sync_all().map_err(|source| LedgerError::Io { path: dest.into(), source })?;
    let bytes = f.metadata().map(|m| m.len()).unwrap_or(0);
    Ok(Copied { pages, steps, bytes, millis: t0.elapsed().as_millis() as u64 })
}

/// What a candidate ledger file is, read without changing it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileFacts {
    pub path: PathBuf,
    pub application_id: i32,
    pub schema: i64,
    pub store_id: Option<i64>,
    pub till_code: Option<String>,
    pub orders: i64,
    pub integrity: String,
}

/// Opens `path` read-only and immutable (nothing is written beside it, not even `-shm`).
fn open_untouched(path: &Path) -> Result<Connection> {
    let uri = format!("file:{}?immutable=1", path.display());
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Ok(Connection::open_with_flags(uri, flags)?)
}

fn corrupt(path: &Path, e: impl ToString) -> LedgerError {
    LedgerError::Corrupt { path: path.into(), detail: e.to_string() }
}

/// Reads a file's identity and runs `PRAGMA integrity_check` on it. Refuses (typed) a
/// file that is not SQLite, another program's database, or a damaged one; reports the
/// schema so the caller can refuse a newer one.
pub fn inspect(path: &Path) -> Result<FileFacts> {
    super::check_header(path)?;
    let conn = open_untouched(path)?;
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(|e| corrupt(path, e))?;
    if app_id != APPLICATION_ID {
        return Err(LedgerError::ForeignDatabase { path: path.into() });
    }
    let schema: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| corrupt(path, e))?;
    let integrity = integrity(&conn).map_err(|e| corrupt(path, e))?;
    if integrity != "ok" {
        return Err(LedgerError::Corrupt { path: path.into(), detail: integrity });
    }
    let setting = |key: &str| -> Option<serde_json::Value> {
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get::<_, String>(0))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
    };
    let store_id = setting("store_id").and_then(|v| v.as_i64());
    let till_code = setting("till_code").and_then(|v| v.as_str().map(str::to_string));
    let orders: i64 = conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).map_err(|e| corrupt(path, e))?;
    Ok(FileFacts { path: path.into(), application_id: app_id, schema, store_id, till_code, orders, integrity })
}

/// `PRAGMA integrity_check`, all messages joined ("ok" when sound).
pub fn integrity(conn: &Connection) -> rusqlite::Result<String> {
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows.join("; "))
}

/// The schema this program knows (the newest a restore accepts).
pub fn known_schema() -> i64 {
    MIGRATIONS.len() as i64
}

/// Folds the WAL into the main file and empties it, so the file alone is the ledger.
pub fn checkpoint(conn: &Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Adds `orders` synthetic closed cash orders (two lines each) in one statement per table
/// inside the caller's transaction: how the backup benchmark builds a big ledger fast.
pub fn bulk_fill(tx: &rusqlite::Transaction<'_>, orders: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO orders (client_ref, local_number, till_code, business_day, day_seq, channel, status, payment_method,
             total_fen, paid_fen, change_fen, cashier_name, created_at, updated_at, local_hour, sync_state)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         SELECT 'bulk-' || i, 'B9-' || i, 'B9', date('2025-01-01', '+' || (i % 365) || ' days'), i, 'COUNTER',
                'CLOSED_CONFIRMED', 'CASH', 2400, 3000, 600, '压测', '2025-01-01T08:00:00.000Z', '2025-01-01T08:00:00.000Z',
                i % 24, 'synced'
         FROM n",
        [orders],
    )?;
    tx.execute(
        "INSERT INTO order_lines (order_id, line_no, product_id, name, category, unit_price_fen, quantity, line_total_fen)
         SELECT id, l.no, l.no, CASE l.no WHEN 1 THEN '珍珠奶茶(大杯)' ELSE '鸡蛋仔' END, '饮品', 1200, 1, 1200
         FROM orders, (SELECT 1 AS no UNION ALL SELECT 2) AS l
         WHERE orders.till_code = 'B9'",
        [],
    )?;
    Ok(())
}

/// Operations waiting to reach a platform (any channel): while there are some, this
/// ledger holds the only copy of those sales and automatic backups run.
pub fn outbox_pending(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM outbox WHERE state = 'pending'", [], |r| r.get(0))?)
}
