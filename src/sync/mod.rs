//! The sync engine: drains the outbox to the platform exactly once, pulls online orders
//! and status changes back, refreshes the catalog and reconciles `order_count`.
//!
//! * `plan`  — the pure decisions (backoff, lookups by marker, judging read-backs, diffs).
//! * `ops`   — one outbox operation against the platform (create / action / after_sales).
//! * `pull`  — online orders, status refresh, catalog, counts.
//! * `bench` — catch-up benchmark.
//!
//! The ledger lock is never held across a network call: each step reads what it needs,
//! releases the lock, talks to the platform, then writes the outcome in one short
//! transaction. Exactly-once rests on two rules: every create carries the order's
//! `client_ref` marker, and an operation that was ever attempted (its `attempts > 0`,
//! written *before* the request leaves) is looked up on the platform before it is sent
//! again — a crash between sending and recording is just another unknown outcome.

pub mod bench;
pub mod ops;
pub mod plan;
pub mod pull;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::{watch, Notify};

use crate::central::client::{ClientConfig, Platform, RestStore};
use crate::commands::{App, CommandError, ErrorCode, Event};
use crate::ledger::outbox::{self, CHANNEL_REST};
use crate::ledger::{now_text, settings};

/// Tunables. Production defaults; tests shrink the times.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Orders (streams) in flight at once.
    pub in_flight: usize,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Read-backs that may find an action not applied before it becomes a conflict.
    pub max_action_checks: u32,
    /// Attempts after which any operation is a conflict rather than retried forever.
    pub max_attempts: i64,
    /// How far before our own creation time a lookup scans (clock skew).
    pub lookup_margin: Duration,
    pub lookup_page_size: u32,
    pub lookup_max_pages: u32,
    /// Background loop: how often to poll for online orders / status changes.
    pub pull_interval: Duration,
    pub catalog_interval: Duration,
    /// Pages of the online order list scanned per pull.
    pub pull_pages: u32,
    /// Open local orders refreshed by detail per pull.
    pub refresh_limit: usize,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            in_flight: 8,
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(60),
            max_action_checks: 5,
            max_attempts: 60,
            lookup_margin: Duration::from_secs(15 * 60),
            lookup_page_size: 50,
            lookup_max_pages: 40,
            pull_interval: Duration::from_secs(10),
            catalog_interval: Duration::from_secs(600),
            pull_pages: 4,
            refresh_limit: 40,
        }
    }
}

impl SyncConfig {
    /// Small times for tests and benchmarks against the local simulator.
    pub fn fast() -> SyncConfig {
        SyncConfig {
            backoff_base: Duration::from_millis(10),
            backoff_cap: Duration::from_millis(200),
            pull_interval: Duration::from_millis(200),
            ..SyncConfig::default()
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundSummary {
    pub online: bool,
    pub duration_ms: u64,
    pub ops_done: u64,
    pub ops_retried: u64,
    pub ops_conflicted: u64,
    /// Lookups before a retry that found the platform already had it.
    pub lookups_found: u64,
    pub lookups_absent: u64,
    pub pulled_new: u64,
    pub pulled_updated: u64,
    pub catalog_products: Option<usize>,
    pub counts: Option<plan::CountsReport>,
    pub outbox_pending: i64,
    pub conflicts: i64,
    pub errors: Vec<String>,
}

impl RoundSummary {
    pub(crate) fn error(&mut self, e: impl std::fmt::Display) {
        if self.errors.len() < 20 {
            self.errors.push(e.to_string());
        }
    }
    fn merge(&mut self, o: RoundSummary) {
        self.ops_done += o.ops_done;
        self.ops_retried += o.ops_retried;
        self.ops_conflicted += o.ops_conflicted;
        self.lookups_found += o.lookups_found;
        self.lookups_absent += o.lookups_absent;
        self.online &= o.online;
        for e in o.errors {
            self.error(e);
        }
    }
}

/// Which parts a round runs.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    pub push: bool,
    pub pull: bool,
    pub catalog: bool,
    pub counts: bool,
}

impl Parts {
    pub const ALL: Parts = Parts { push: true, pull: true, catalog: true, counts: true };
    pub const PUSH: Parts = Parts { push: true, pull: false, catalog: false, counts: false };
}

/// The engine's status record (settings key `sync_status`), read by `sync_status`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StatusRecord {
    pub online: bool,
    pub last_success_at: Option<String>,
    pub last_round_at: Option<String>,
    pub last_error: Option<String>,
    pub last_catalog_at: Option<String>,
}

pub const STATUS_KEY: &str = "sync_status";

pub fn read_status(conn: &rusqlite::Connection) -> StatusRecord {
    settings::get(conn, STATUS_KEY).ok().flatten().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

fn write_status(app: &App, s: &RoundSummary, catalog_refreshed: bool) {
    let now = now_text();
    let mut ledger = app.ledger();
    let mut rec = read_status(ledger.read());
    rec.online = s.online;
    rec.last_round_at = Some(now.clone());
    if s.online {
        rec.last_success_at = Some(now.clone());
    }
    rec.last_error = s.errors.last().cloned();
    if catalog_refreshed {
        rec.last_catalog_at = Some(now);
    }
    let v = serde_json::to_value(&rec).unwrap_or_default();
    if let Err(e) = ledger.write(|tx| settings::set(tx, STATUS_KEY, &v)) {
        eprintln!("storepos sync: cannot record status: {e}");
    }
}

/// Runs a short blocking ledger step (an fsync'ed commit) without stalling the other
/// tasks of a multi-threaded runtime; inline on a current-thread runtime.
pub(crate) fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// The process-wide wake-up: commands poke it after writing an outbox row so the
/// engine does not wait for its next timer. Spurious wake-ups are harmless.
pub fn waker() -> Arc<Notify> {
    static W: OnceLock<Arc<Notify>> = OnceLock::new();
    W.get_or_init(|| Arc::new(Notify::new())).clone()
}

pub fn wake() {
    waker().notify_one();
}

/// One full round: push the outbox, then pull (online orders, status changes), catalog
/// and counts as `parts` says.
pub async fn run_round_parts(app: &App, client: &dyn Platform, cfg: &SyncConfig, parts: Parts) -> RoundSummary {
    let started = Instant::now();
    let mut s = RoundSummary { online: true, ..Default::default() };
    if parts.push {
        let d = drain(app, client, cfg).await;
        s.merge(d);
    }
    if parts.pull && s.online {
        pull::pull_online(app, client, cfg, &mut s).await;
        pull::refresh_open(app, client, cfg, &mut s).await;
    }
    let mut catalog_refreshed = false;
    if parts.catalog && s.online {
        match pull::refresh_catalog(app, client).await {
            Ok(n) => {
                s.catalog_products = Some(n);
                catalog_refreshed = true;
            }
            Err(e) => {
                s.online &= !e.is_offline();
                s.error(format!("catalog: {e}"));
            }
        }
    }
    if parts.counts && s.online {
        match pull::reconcile_counts(app, client).await {
            Ok(r) => s.counts = Some(r),
            Err(e) => {
                s.online &= !e.is_offline();
                s.error(format!("order_count: {e}"));
            }
        }
    }
    {
        let ledger = app.ledger();
        if let Ok(d) = outbox::depth(ledger.read(), CHANNEL_REST) {
            s.outbox_pending = d.pending;
            s.conflicts = d.conflicts;
        }
    }
    s.duration_ms = started.elapsed().as_millis() as u64;
    // A push-only round with nothing due never talked to the platform: it says nothing
    // about the link, so the recorded state stands (else every wake-up while offline,
    // with the rows in backoff, would report "online").
    let contacted = parts.pull
        || parts.catalog
        || parts.counts
        || !s.online
        || s.ops_done + s.ops_retried + s.ops_conflicted + s.lookups_found + s.lookups_absent > 0;
    if !contacted {
        s.online = read_status(app.ledger().read()).online;
    }
    write_status(app, &s, catalog_refreshed);
    app.publish(Event::Sync { online: s.online, outbox_depth: s.outbox_pending, conflicts: s.conflicts });
    s
}

/// A full round (push, pull, catalog, counts): what `storepos sync --once` runs.
pub async fn run_round(app: &App, client: &dyn Platform, cfg: &SyncConfig) -> RoundSummary {
    run_round_parts(app, client, cfg, Parts::ALL).await
}

/// Drains every due stream head, up to `in_flight` orders at once. Each order's
/// operations run in order inside one task; a new order starts as soon as a slot frees.
/// When the platform is unreachable no new order is started (in-flight ones finish).
pub async fn drain(app: &App, client: &dyn Platform, cfg: &SyncConfig) -> RoundSummary {
    let mut s = RoundSummary { online: true, ..Default::default() };
    let mut busy: HashSet<String> = HashSet::new();
    let mut tried: HashSet<String> = HashSet::new();
    let mut queue: std::collections::VecDeque<String> = Default::default();
    let mut exhausted = false;
    let mut futs = FuturesUnordered::new();
    let limit = cfg.in_flight.max(1);
    loop {
        // The due-heads query is not cheap on a long outbox: take a large batch and
        // feed the slots from it; ask again only when the batch is used up.
        while futs.len() < limit && s.online {
            if queue.is_empty() && !exhausted {
                let heads = blocking(|| {
                    let ledger = app.ledger();
                    outbox::due_heads(ledger.read(), CHANNEL_REST, &now_text(), 512)
                });
                match heads {
                    Ok(heads) => {
                        let fresh: Vec<String> = heads.into_iter().map(|h| h.stream).filter(|st| !busy.contains(st) && !tried.contains(st)).collect();
                        exhausted = fresh.is_empty();
                        queue.extend(fresh);
                    }
                    Err(e) => {
                        s.error(format!("outbox: {e}"));
                        exhausted = true;
                    }
                }
            }
            let Some(stream) = queue.pop_front() else { break };
            // A stream is driven once per round: what it left pending waits for its
            // backoff (no hot loop within a round).
            if busy.contains(&stream) || !tried.insert(stream.clone()) {
                continue;
            }
            busy.insert(stream.clone());
            futs.push(async move {
                let r = ops::drain_stream(app, client, cfg, &stream).await;
                (stream, r)
            });
        }
        match futs.next().await {
            None => break,
            Some((stream, r)) => {
                busy.remove(&stream);
                s.merge(r);
                // Work queued meanwhile by commands is picked up by the next round
                // (commands poke the engine): no re-query per completion.
            }
        }
    }
    s
}

/// Repeats rounds until the outbox holds nothing pending (conflicts stay) or `deadline`
/// passes; sleeps until the next row is due in between. Returns the last summary.
pub async fn settle(app: &App, client: &dyn Platform, cfg: &SyncConfig, deadline: Duration) -> RoundSummary {
    let until = Instant::now() + deadline;
    loop {
        let s = run_round_parts(app, client, cfg, Parts { push: true, pull: true, catalog: false, counts: false }).await;
        if s.outbox_pending == 0 || Instant::now() >= until {
            return s;
        }
        let wait = next_wait(app, cfg.backoff_cap).min(until.saturating_duration_since(Instant::now()));
        tokio::time::sleep(wait.max(Duration::from_millis(2))).await;
    }
}

/// Time until the earliest pending row is due (capped).
pub fn next_wait(app: &App, cap: Duration) -> Duration {
    let next = {
        let ledger = app.ledger();
        outbox::next_due(ledger.read(), CHANNEL_REST).ok().flatten()
    };
    match next.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()) {
        Some(t) => (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO).min(cap),
        None => cap,
    }
}

/// The background task.
pub struct SyncHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SyncHandle {
    pub fn wake(&self) {
        wake();
    }
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts the engine in the background of the current tokio runtime: a full round
/// every `pull_interval` (backing off while offline), and the outbox drained whenever a
/// row becomes due or a command pokes [`wake`]. No busy loop when offline.
pub fn spawn(app: Arc<App>, client: Arc<dyn Platform>, cfg: SyncConfig) -> SyncHandle {
    let (stop, mut stopped) = watch::channel(false);
    let notify = waker();
    let task = tokio::spawn(async move {
        let mut next_pull = Instant::now();
        let mut next_catalog = Instant::now();
        let mut offline_rounds: u32 = 0;
        loop {
            let now = Instant::now();
            let full = now >= next_pull;
            let parts = if full { Parts { push: true, pull: true, catalog: now >= next_catalog, counts: now >= next_catalog } } else { Parts::PUSH };
            let s = run_round_parts(&app, client.as_ref(), &cfg, parts).await;
            if full {
                if s.online {
                    offline_rounds = 0;
                    next_pull = Instant::now() + cfg.pull_interval;
                    if parts.catalog && s.catalog_products.is_some() {
                        next_catalog = Instant::now() + cfg.catalog_interval;
                    }
                } else {
                    offline_rounds = offline_rounds.saturating_add(1);
                    let j = rand::random::<f64>();
                    next_pull = Instant::now() + plan::backoff(offline_rounds, cfg.pull_interval, cfg.backoff_cap.max(cfg.pull_interval), j);
                }
            }
            let until_pull = next_pull.saturating_duration_since(Instant::now());
            let wait = next_wait(&app, until_pull.max(Duration::from_millis(5))).min(until_pull).max(Duration::from_millis(5));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = notify.notified() => {}
                _ = stopped.changed() => break,
            }
            if *stopped.borrow() {
                break;
            }
        }
    });
    SyncHandle { stop, task }
}

/// The client for a store: `DATA/central.json` plus the store's id and name.
pub fn client_for(app: &App) -> Result<Option<ClientConfig>, CommandError> {
    let Some(c) = crate::config::load_central(app.data_dir())? else { return Ok(None) };
    let store = app.config();
    Ok(Some(ClientConfig::from_central(&c, store.store_id, &store.store_name)))
}

/// Starts the engine for `app` when a platform is configured (for `serve`, the shell).
pub fn start_for_app(app: Arc<App>) -> Result<Option<SyncHandle>, CommandError> {
    let Some(cc) = client_for(&app)? else { return Ok(None) };
    let client = RestStore::new(cc).map_err(|e| CommandError::new(ErrorCode::Platform, "无法创建平台连接", e.to_string()))?;
    Ok(Some(spawn(app, Arc::new(client), SyncConfig::default())))
}

/// `storepos sync`: one full round (`--once`) or the engine until killed.
pub fn cli_run(data: &std::path::Path, once: bool, json: bool, timeout_ms: Option<u64>, in_flight: Option<usize>) -> std::process::ExitCode {
    use std::process::ExitCode;
    let fail = |e: &CommandError| {
        eprintln!("{}", serde_json::to_string(e).unwrap_or_else(|_| e.to_string()));
        ExitCode::from(2)
    };
    if !data.join("storepos.db").exists() {
        return fail(&CommandError::new(ErrorCode::NotFound, format!("{} 里没有账本，请先运行 storepos init", data.display()), format!("no ledger in {}; run storepos init first", data.display())));
    }
    let app = match App::open(data) {
        Ok(a) => Arc::new(a),
        Err(e) => return fail(&e),
    };
    let mut cc = match client_for(&app) {
        Ok(Some(c)) => c,
        Ok(None) => return fail(&CommandError::new(ErrorCode::NotFound, "尚未配置平台连接（storepos init --central …）", "no platform configured (storepos init --central …)")),
        Err(e) => return fail(&e),
    };
    if let Some(ms) = timeout_ms {
        cc = cc.with_timeouts(Duration::from_millis(ms.min(3000)), Duration::from_millis(ms));
    }
    let client: Arc<dyn Platform> = match RestStore::new(cc) {
        Ok(c) => Arc::new(c),
        Err(e) => return fail(&CommandError::new(ErrorCode::Platform, "无法创建平台连接", e.to_string())),
    };
    let mut cfg = SyncConfig::default();
    if let Some(n) = in_flight {
        cfg.in_flight = n.max(1);
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&CommandError::new(ErrorCode::Internal, "无法启动", e.to_string())),
    };
    if once {
        let s = rt.block_on(run_round(&app, client.as_ref(), &cfg));
        if json {
            println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
        } else {
            println!(
                "sync: {} · {} done, {} retry, {} conflict · {} new online, {} updated · outbox {} pending, {} conflicts",
                if s.online { "online" } else { "offline" },
                s.ops_done,
                s.ops_retried,
                s.ops_conflicted,
                s.pulled_new,
                s.pulled_updated,
                s.outbox_pending,
                s.conflicts
            );
        }
        return if s.online { ExitCode::SUCCESS } else { ExitCode::from(3) };
    }
    rt.block_on(async {
        let h = spawn(app.clone(), client, cfg);
        println!("storepos sync running");
        let _ = tokio::signal::ctrl_c().await;
        h.shutdown().await;
    });
    ExitCode::SUCCESS
}
