//! WAL checkpoints off the till's path.
//!
//! SQLite checkpoints a WAL automatically from inside whichever commit pushes it past the
//! threshold: that commit copies megabytes into the database file and fsyncs it while the
//! ledger's lock is held, so a cashier's sale can wait ~100 ms behind a catalog sync or a
//! backup that wrote the pages. Here a second connection runs `PASSIVE` checkpoints on its
//! own thread instead: a passive checkpoint never takes the writer lock, so commits go on
//! meanwhile. The main connection keeps a far higher automatic threshold only as a backstop
//! (should this thread ever fall behind).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How often the thread looks for frames to copy.
const EVERY: Duration = Duration::from_millis(100);
/// The main connection's automatic threshold while a checkpointer runs (pages; default 1000).
pub const BACKSTOP_PAGES: i64 = 20_000;

pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread for the ledger file at `path` (WAL mode already set by `Ledger::open`).
    pub fn spawn(path: &Path) -> std::io::Result<Checkpointer> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let _ = conn.pragma_update(None, "synchronous", "FULL");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let file: PathBuf = path.to_path_buf();
        let thread = std::thread::Builder::new().name("storepos-checkpoint".into()).spawn(move || {
            while !flag.load(Ordering::Acquire) {
                std::thread::park_timeout(EVERY);
                if flag.load(Ordering::Acquire) {
                    break;
                }
                // (busy, frames in the WAL, frames copied); a failure is retried next time and
                // the backstop still bounds the WAL.
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    if !matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)) {
                        eprintln!("storepos: checkpoint of {}: {e}", file.display());
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            }
        })?;
        Ok(Checkpointer { stop, thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}
