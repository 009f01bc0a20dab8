//! Backups of the ledger: when they are taken, where they go, how many are kept, how
//! each is checked and recorded, and `storepos restore`.
//!
//! - **automatic**: every `backup_interval_min` minutes while operations wait in the
//!   outbox (the till then holds the only copy of those sales), started by
//!   [`crate::transports::background::start`];
//! - **at shift close and at day close**: [`after_close`] right after the close committed;
//! - **by hand**: the manager's `backup_create`.
//!
//! Each backup is an online copy ([`crate::ledger::backup::online_copy`]) from its own
//! read connection, so selling never waits on it; it is written as `*.partial`, checked
//! with `PRAGMA integrity_check`, then renamed into place; the folder keeps the newest
//! `backup_keep` backups of this till. Every attempt, good or failed, is recorded in
//! `backups.json` in the data directory (the manager screen lists it).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use ts_rs::TS;

use serde::{Deserialize, Serialize};

use crate::app::error::{CommandError, ErrorCode};
use crate::app::App;
use crate::ledger::backup::{self as sql, Pace};
use crate::ledger::{settings, LedgerError};

pub const DEFAULT_INTERVAL_MIN: u64 = 10;
pub const DEFAULT_KEEP: usize = 10;
/// Records kept in `backups.json` (newest first).
const MAX_RECORDS: usize = 200;
const MANIFEST: &str = "backups.json";

/// One backup at a time per process.
static RUNNING: Mutex<()> = Mutex::new(());
/// Backups started after a close, joined by short-lived processes before they exit.
static PENDING: Mutex<Vec<std::thread::JoinHandle<()>>> = Mutex::new(Vec::new());

#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupSettings {
    pub dir: PathBuf,
    /// Minutes between automatic backups while sales wait to sync; 0 turns them off.
    pub interval_min: u64,
    pub keep: usize,
}

impl BackupSettings {
    pub fn load(app: &App) -> Result<BackupSettings, CommandError> {
        let ledger = app.ledger();
        let c = ledger.read();
        let dir =
            settings::get_str(c, "backup_dir")?.map(PathBuf::from).unwrap_or_else(|| app.data_dir().join("backups"));
        let interval_min =
            settings::get(c, "backup_interval_min")?.and_then(|v| v.as_u64()).unwrap_or(DEFAULT_INTERVAL_MIN);
        let keep = settings::get(c, "backup_keep")?
            .and_then(|v| v.as_u64())
            .map(|k| k.max(1) as usize)
            .unwrap_or(DEFAULT_KEEP);
        Ok(BackupSettings { dir, interval_min, keep })
    }
}

/// One attempt, as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BackupRecord {
    pub file: String,
    pub reason: String,
    pub started_at: String,
    pub finished_at: String,
    pub ok: bool,
    pub integrity: String,
    pub bytes: u64,
    pub pages: i64,
    pub steps: u64,
    pub millis: u64,
    /// Of `millis`, the copy itself (the rest: integrity check, rename, rotation).
    #[serde(default)]
    pub copy_millis: u64,
    pub orders: i64,
    pub schema: i64,
    pub store_id: Option<i64>,
    pub till_code: Option<String>,
    pub error: Option<String>,
    /// Set when listing: whether the file is still in the folder (rotation removes old ones).
    #[serde(default)]
    pub present: bool,
}

/// Everything a backup needs, taken from the app in a moment; running it needs no lock.
#[derive(Debug, Clone)]
pub struct Job {
    pub ledger: PathBuf,
    pub data_dir: PathBuf,
    pub settings: BackupSettings,
    pub store_id: i64,
    pub till_code: String,
    pub pace: Pace,
}

impl Job {
    pub fn plan(app: &App) -> Result<Job, CommandError> {
        let settings = BackupSettings::load(app)?;
        let cfg = app.config();
        let ledger = app.ledger().path().to_path_buf();
        Ok(Job {
            ledger,
            data_dir: app.data_dir().to_path_buf(),
            settings,
            store_id: cfg.store_id,
            till_code: cfg.till_code,
            pace: Pace::default(),
        })
    }

    fn prefix(&self) -> String {
        format!("storepos-s{}-{}-", self.store_id, self.till_code)
    }

    /// Takes one backup now (after one already running, waiting at most 10 minutes). The
    /// work runs on its own low-priority thread: on a 2-core till the copy and its
    /// integrity check must yield the CPU to the cashier.
    pub fn run(&self, reason: &str) -> Result<BackupRecord, CommandError> {
        let r = self.run_unlogged(reason);
        match &r {
            Ok(b) => tracing::info!(reason, file = %b.file, bytes = b.bytes, ms = b.millis, ok = b.ok, "backup"),
            Err(e) => tracing::warn!(reason, error = %e.message_en, "backup failed"),
        }
        r
    }

    fn run_unlogged(&self, reason: &str) -> Result<BackupRecord, CommandError> {
        let job = self.clone();
        let reason = reason.to_string();
        std::thread::Builder::new()
            .name("backup".into())
            .spawn(move || {
                lower_priority();
                job.run_here(&reason)
            })
            .map_err(|e| CommandError::new(ErrorCode::Internal, "无法启动备份", e.to_string()))?
            .join()
            .unwrap_or_else(|_| Err(CommandError::new(ErrorCode::Internal, "备份中断", "backup thread panicked")))
    }

    fn run_here(&self, reason: &str) -> Result<BackupRecord, CommandError> {
        let _one = lock_running(Duration::from_secs(600))?;
        let started = chrono::Utc::now();
        let t0 = Instant::now();
        std::fs::create_dir_all(&self.settings.dir).map_err(|e| {
            CommandError::new(
                ErrorCode::Storage,
                format!("无法创建备份文件夹 {}", self.settings.dir.display()),
                e.to_string(),
            )
        })?;
        let name = format!("{}{}-{}.db", self.prefix(), started.format("%Y%m%dT%H%M%S%3fZ"), reason);
        let file = self.settings.dir.join(&name);
        let partial = self.settings.dir.join(format!("{name}.partial"));
        let _ = std::fs::remove_file(&partial);
        let outcome = (|| -> Result<(sql::Copied, sql::FileFacts), LedgerError> {
            let copied = sql::online_copy(&self.ledger, &partial, self.pace)?;
            let facts = sql::inspect(&partial)?;
            std::fs::rename(&partial, &file).map_err(|source| LedgerError::Io { path: file.clone(), source })?;
            sync_dir(&self.settings.dir);
            Ok((copied, facts))
        })();
        let finished_at = crate::ledger::now_text();
        let mut rec = BackupRecord {
            file: file.display().to_string(),
            reason: reason.to_string(),
            started_at: crate::ledger::time_text(started),
            finished_at,
            ok: false,
            integrity: String::new(),
            bytes: 0,
            pages: 0,
            steps: 0,
            millis: t0.elapsed().as_millis() as u64,
            copy_millis: 0,
            orders: 0,
            schema: 0,
            store_id: None,
            till_code: None,
            error: None,
            present: false,
        };
        match outcome {
            Ok((c, f)) => {
                rec.ok = true;
                rec.integrity = f.integrity;
                rec.bytes = c.bytes;
                rec.pages = c.pages;
                rec.steps = c.steps;
                rec.copy_millis = c.millis;
                rec.orders = f.orders;
                rec.schema = f.schema;
                rec.store_id = f.store_id;
                rec.till_code = f.till_code;
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                rec.error = Some(e.to_string());
                if let LedgerError::Corrupt { detail, .. } = &e {
                    rec.integrity = detail.clone();
                }
            }
        }
        let _ = append_record(&self.data_dir, &rec);
        if rec.ok {
            self.rotate();
            Ok(rec)
        } else {
            let why = rec.error.clone().unwrap_or_default();
            Err(CommandError::new(ErrorCode::Storage, format!("备份失败：{why}"), format!("backup failed: {why}"))
                .with_details(serde_json::to_value(&rec).unwrap_or_default()))
        }
    }

    /// Keeps the newest `keep` backups of this till in the folder (names sort by time).
    fn rotate(&self) {
        let prefix = self.prefix();
        let Ok(rd) = std::fs::read_dir(&self.settings.dir) else { return };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&prefix) && n.ends_with(".db"))
            .collect();
        names.sort();
        let excess = names.len().saturating_sub(self.settings.keep.max(1));
        for n in &names[..excess] {
            let _ = std::fs::remove_file(self.settings.dir.join(n));
        }
    }
}

/// Nice 10 for the calling thread only (Linux: niceness is per thread).
#[allow(unsafe_code)] // two plain libc calls, no pointers: the only unsafe in the crate
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take integers and touch no memory of ours.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

fn lock_running(wait: Duration) -> Result<std::sync::MutexGuard<'static, ()>, CommandError> {
    let t0 = Instant::now();
    loop {
        match RUNNING.try_lock() {
            Ok(g) => return Ok(g),
            Err(std::sync::TryLockError::Poisoned(p)) => return Ok(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if t0.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(std::sync::TryLockError::WouldBlock) => {
                return Err(CommandError::new(
                    ErrorCode::Conflict,
                    "另一个备份正在进行，请稍后再试",
                    "another backup is running; try again later",
                ))
            }
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn manifest(data_dir: &Path) -> PathBuf {
    data_dir.join(MANIFEST)
}

pub fn records(data_dir: &Path) -> Vec<BackupRecord> {
    let mut v: Vec<BackupRecord> =
        std::fs::read(manifest(data_dir)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    for r in &mut v {
        r.present = r.ok && Path::new(&r.file).exists();
    }
    v
}

fn append_record(data_dir: &Path, rec: &BackupRecord) -> std::io::Result<()> {
    let mut v = records(data_dir);
    v.insert(0, rec.clone());
    v.truncate(MAX_RECORDS);
    let body = serde_json::to_vec_pretty(&v).map_err(std::io::Error::other)?;
    crate::app::config::write_private(&manifest(data_dir), &body)
}

/// Right after a shift close or a day close committed: a backup in its own thread (the
/// close answers at once). Short-lived processes call [`wait_pending`] before exiting.
pub fn after_close(app: &App, reason: &'static str) {
    if app.ledger().path() == Path::new(":memory:") {
        return;
    }
    let job = match Job::plan(app) {
        Ok(j) => j,
        Err(e) => {
            tracing::warn!(reason, error = %e.message_en, "no backup after a close");
            return;
        }
    };
    let h = std::thread::Builder::new().name("backup".into()).spawn(move || {
        // `run` logs the outcome.
        let _ = job.run(reason);
    });
    if let Ok(h) = h {
        PENDING.lock().unwrap_or_else(|p| p.into_inner()).push(h);
    }
}

/// Waits for backups started by [`after_close`] (the CLI calls it before it exits).
pub fn wait_pending() {
    let hs: Vec<_> = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|p| p.into_inner()));
    for h in hs {
        let _ = h.join();
    }
}

/// The automatic schedule: checks every few seconds; takes a backup when the interval has
/// passed since the last one and operations wait in the outbox.
pub fn start_auto(app: Arc<App>, stop: Arc<AtomicBool>) -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("backup-auto".into())
        .spawn(move || {
            let mut last: Option<Instant> = None;
            while !stop.load(Ordering::SeqCst) {
                for _ in 0..50 {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                let Ok(s) = BackupSettings::load(&app) else { continue };
                if s.interval_min == 0 {
                    continue;
                }
                let due = last.is_none_or(|t| t.elapsed() >= Duration::from_secs(s.interval_min * 60));
                if !due {
                    continue;
                }
                let pending = sql::outbox_pending(app.ledger().read()).unwrap_or(0);
                if pending == 0 {
                    continue;
                }
                if let Ok(job) = Job::plan(&app) {
                    match job.run("auto") {
                        Ok(_) => last = Some(Instant::now()),
                        Err(_) => {
                            // `run` logged why.
                            // Try again after a minute, not on the next tick.
                            last = Some(
                                Instant::now()
                                    - Duration::from_secs(s.interval_min * 60).saturating_sub(Duration::from_secs(60)),
                            );
                        }
                    }
                }
            }
        })
        .ok()
}

// ---------------------------------------------------------------- restore

#[derive(Debug, Serialize)]
pub struct RestoreReport {
    pub restored: PathBuf,
    pub from: PathBuf,
    /// Where the ledger it replaced was put (None when there was none).
    pub replaced_kept_at: Option<PathBuf>,
    pub store_id: Option<i64>,
    pub till_code: Option<String>,
    pub orders: i64,
    pub schema_of_backup: i64,
    pub schema_now: i64,
    pub integrity: String,
}

fn refuse(reason: &str, zh: String, en: String) -> CommandError {
    CommandError::new(ErrorCode::Validation, zh, en).with_details(serde_json::json!({ "reason": reason }))
}

fn refuse_ledger(from: &Path, e: LedgerError) -> CommandError {
    let f = from.display();
    match e {
        LedgerError::NotADatabase { .. } => refuse(
            "not_a_ledger",
            format!("{f} 不是 storepos 账本（不是 SQLite 数据库），未恢复"),
            format!("{f} is not a storepos ledger (not an SQLite database); nothing was restored"),
        ),
        LedgerError::ForeignDatabase { .. } => refuse(
            "foreign",
            format!("{f} 是其他程序的数据库，不是 storepos 账本，未恢复"),
            format!("{f} is another program's database, not a storepos ledger; nothing was restored"),
        ),
        LedgerError::Corrupt { detail, .. } => refuse(
            "corrupt",
            format!("{f} 已损坏（完整性检查未通过：{detail}），未恢复"),
            format!("{f} is damaged (integrity check: {detail}); nothing was restored"),
        ),
        other => CommandError::new(
            ErrorCode::Storage,
            format!("无法读取 {f}，未恢复"),
            format!("cannot read {f}: {other}; nothing was restored"),
        ),
    }
}

/// What the current ledger says it is (None when absent or unreadable: a damaged ledger is
/// exactly what a restore replaces).
fn current_identity(db: &Path) -> Option<(Option<i64>, Option<String>)> {
    if !db.exists() {
        return None;
    }
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let get = |k: &str| -> Option<serde_json::Value> {
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [k], |r| r.get::<_, String>(0))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
    };
    let store = get("store_id").and_then(|v| v.as_i64());
    let till = get("till_code").and_then(|v| v.as_str().map(str::to_string));
    if store.is_none() && till.is_none() {
        return None;
    }
    Some((store, till))
}

/// `storepos restore --data DIR --from FILE`: checks FILE (a sound storepos ledger, this
/// store and till, a schema this program knows), keeps the current ledger aside in
/// `DIR/replaced/`, puts FILE in its place and opens it (migrating an older schema).
/// Stop the till (serve / desktop) first.
pub fn restore(data: &Path, from: &Path) -> Result<RestoreReport, CommandError> {
    let r = restore_unlogged(data, from);
    match &r {
        Ok(_) => tracing::info!(from = %from.display(), "ledger restored from a backup"),
        Err(e) => tracing::warn!(from = %from.display(), code = ?e.code, error = %e.message_en, "restore refused"),
    }
    r
}

fn restore_unlogged(data: &Path, from: &Path) -> Result<RestoreReport, CommandError> {
    if !from.is_file() {
        return Err(refuse(
            "missing",
            format!("找不到备份文件 {}", from.display()),
            format!("no backup file at {}", from.display()),
        ));
    }
    let facts = sql::inspect(from).map_err(|e| refuse_ledger(from, e))?;
    let known = sql::known_schema();
    if facts.schema > known {
        return Err(refuse(
            "newer_schema",
            format!("{} 来自更新版本的 storepos（账本版本 {}，本程序只认识到 {}），请先升级程序，未恢复", from.display(), facts.schema, known),
            format!("{} was written by a newer storepos (schema {}, this program knows {}); upgrade first; nothing was restored", from.display(), facts.schema, known),
        ));
    }
    let db = data.join("storepos.db");
    if let Some((store, till)) = current_identity(&db) {
        if store.is_some() && facts.store_id != store {
            return Err(refuse(
                "other_store",
                format!("该备份属于门店 {}，本机账本属于门店 {}，未恢复", show(facts.store_id), show(store)),
                format!(
                    "this backup belongs to store {}, this ledger to store {}; nothing was restored",
                    show(facts.store_id),
                    show(store)
                ),
            ));
        }
        if till.is_some() && facts.till_code != till {
            return Err(refuse(
                "other_till",
                format!(
                    "该备份属于收银台 {}，本机是收银台 {}，未恢复",
                    facts.till_code.clone().unwrap_or_default(),
                    till.clone().unwrap_or_default()
                ),
                format!(
                    "this backup belongs to till {}, this is till {}; nothing was restored",
                    facts.till_code.clone().unwrap_or_default(),
                    till.unwrap_or_default()
                ),
            ));
        }
    }
    let io = |what: &str, e: std::io::Error| {
        CommandError::new(
            ErrorCode::Storage,
            format!("恢复失败（{what}），原账本未改动"),
            format!("restore failed ({what}): {e}; the ledger was not changed"),
        )
    };
    std::fs::create_dir_all(data).map_err(|e| io("create data dir", e))?;
    // Copy first: if anything fails before the swap, the current ledger is untouched.
    let incoming = data.join("storepos.db.restoring");
    std::fs::copy(from, &incoming).map_err(|e| io("copy", e))?;
    std::fs::File::open(&incoming).and_then(|f| f.sync_all()).map_err(|e| io("fsync", e))?;
    let mut kept = None;
    if db.exists() {
        // Fold the WAL in, so the file kept aside is the whole ledger.
        if let Ok(c) = rusqlite::Connection::open(&db) {
            let _ = sql::checkpoint(&c);
        }
        let aside = data.join("replaced");
        std::fs::create_dir_all(&aside).map_err(|e| io("create replaced/", e))?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ");
        let target = aside.join(format!("storepos-{stamp}.db"));
        std::fs::rename(&db, &target).map_err(|e| io("move the current ledger aside", e))?;
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", db.display()));
            if side.exists() {
                let _ = std::fs::rename(&side, PathBuf::from(format!("{}{ext}", target.display())));
            }
        }
        kept = Some(target);
    }
    std::fs::rename(&incoming, &db).map_err(|e| io("put the backup in place", e))?;
    sync_dir(data);
    let ledger = crate::ledger::Ledger::open(&db).map_err(CommandError::from)?;
    let integrity = ledger.integrity_check().map_err(CommandError::from)?;
    Ok(RestoreReport {
        restored: db,
        from: from.to_path_buf(),
        replaced_kept_at: kept,
        store_id: facts.store_id,
        till_code: facts.till_code,
        orders: facts.orders,
        schema_of_backup: facts.schema,
        schema_now: known,
        integrity,
    })
}

fn show(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "?".into())
}
