//! Sync with the platform (`/rest/store`): the outbox drained through the
//! outbox engine (`crate::engine::outbox`, with [`outlet::RestOutlet`]), online orders and
//! status changes pulled back, the catalog refreshed, `order_count` reconciled.
//!
//! * `plan`        — the pure decisions: answers as observations, lookups by marker,
//!   platform statuses learned by polling, count differences.
//! * `outlet` — the platform's protocol for creates, actions and services.
//! * `pull`        — online orders, status refresh, catalog, counts.
//!
//! The ledger lock is never held across a network call: each step reads what it needs,
//! releases the lock, talks to the platform, then writes the outcome in one short
//! transaction. Exactly-once rests on three rules: every create carries the order's
//! marker, an operation that may have landed is looked up before it is sent again, and a
//! platform number is used only once it is known to reach our order.

pub mod outlet;
pub mod plan;
pub mod pull;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::app::{App, Event};
use crate::clients::platform::client::{ClientConfig, Platform, PlatformClient};
use crate::engine::outbox::worker::{Outcome, Rounds, Timing, WorkerHandle};
use crate::engine::outbox::{DrainConfig, Limits, Tally};
use crate::ledger::outbox::{self, PLATFORM_CHANNEL};
use crate::ledger::{now_text, settings, LedgerError};

/// Why the engine cannot start for a store.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("platform configuration: {0}")]
    Config(String),
    #[error("cannot create the platform client: {0}")]
    Client(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl From<SyncError> for crate::app::error::CommandError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Ledger(l) => l.into(),
            other => crate::app::error::CommandError::new(
                crate::app::error::ErrorCode::Platform,
                "无法连接平台（配置有误）",
                other.to_string(),
            ),
        }
    }
}

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
    /// Ambiguous answers (库存不足) before a create is held for a person.
    pub max_ambiguous: u32,
    /// Marker generations a sale may use before it is held.
    pub max_generations: u32,
    /// Issue 24's pull timing on a bad link: a pull that had to skip something (a list
    /// page or an order's detail could not be read even with retries) runs again soon,
    /// after a short jittered pause, rather than a whole interval later; and the status
    /// refresh leaves out the orders whose status this round's list has just given (fewer
    /// reads, a shorter round, the next pull sooner). Off only to measure the engine
    /// without them (`storepos bench online-compare`).
    pub prompt_pull: bool,
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
            max_ambiguous: 6,
            max_generations: 4,
            prompt_pull: true,
        }
    }
}

impl SyncConfig {
    pub fn limits(&self) -> Limits {
        Limits {
            max_attempts: self.max_attempts.clamp(1, u32::MAX as i64) as u32,
            max_checks: self.max_action_checks,
            max_ambiguous: self.max_ambiguous,
            max_generations: self.max_generations,
        }
    }

    pub fn drain_config(&self) -> DrainConfig {
        DrainConfig {
            in_flight: self.in_flight,
            backoff_base: self.backoff_base,
            backoff_cap: self.backoff_cap,
            limits: self.limits(),
        }
    }

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

/// What one round did: the drain's tally plus what the pulls found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundSummary {
    #[serde(flatten)]
    pub push: Tally,
    pub duration_ms: u64,
    pub pulled_new: u64,
    pub pulled_updated: u64,
    pub catalog_products: Option<usize>,
    pub counts: Option<crate::domain::reconcile::Reconciliation>,
    pub outbox_pending: i64,
    pub conflicts: i64,
    /// Platform orders carrying our marker that cannot be reached (not yet voided).
    pub strays: i64,
    /// What the online pull could not read this round even with retries (a list page, an
    /// order's detail): left for the next pull.
    pub pull_skipped: u64,
}

impl std::ops::Deref for RoundSummary {
    type Target = Tally;
    fn deref(&self) -> &Tally {
        &self.push
    }
}

impl std::ops::DerefMut for RoundSummary {
    fn deref_mut(&mut self) -> &mut Tally {
        &mut self.push
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
    if rec.online != s.online || rec.last_round_at.is_none() {
        if s.online {
            tracing::info!("platform reachable");
        } else {
            tracing::warn!(error = s.errors.last().map(String::as_str).unwrap_or(""), "platform unreachable");
        }
    }
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
        tracing::warn!("cannot record the sync status: {e}");
    }
}

/// One full round: push the outbox, then pull (online orders, status changes), catalog
/// and counts as `parts` says.
pub async fn run_round_parts(app: &App, client: &dyn Platform, cfg: &SyncConfig, parts: Parts) -> RoundSummary {
    use tracing::Instrument;
    static ROUNDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = ROUNDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let span = tracing::info_span!("round", id = n, channel = PLATFORM_CHANNEL);
    let s = round_inner(app, client, cfg, parts).instrument(span.clone()).await;
    span.in_scope(|| log_round(&s, parts.pull));
    s
}

/// A round that did something is worth a line at info; an idle one (nothing due, nothing
/// new) only at debug, or an open till would write a line every few seconds.
fn log_round(s: &RoundSummary, pulled: bool) {
    let busy = s.ops_done + s.ops_retried + s.ops_conflicted + s.recreated + s.pulled_new + s.pulled_updated > 0;
    macro_rules! round_line {
        ($lvl:ident) => {
            tracing::$lvl!(
                online = s.online,
                done = s.ops_done,
                retried = s.ops_retried,
                held = s.ops_conflicted,
                pulled_new = s.pulled_new,
                pulled_updated = s.pulled_updated,
                pending = s.outbox_pending,
                conflicts = s.conflicts,
                ms = s.duration_ms,
                pulled,
                "sync round"
            )
        };
    }
    if busy {
        round_line!(info);
    } else {
        round_line!(debug);
    }
    if let Some(e) = s.errors.last() {
        tracing::debug!(errors = s.errors.len(), last = %e, "sync round errors");
    }
}

async fn round_inner(app: &App, client: &dyn Platform, cfg: &SyncConfig, parts: Parts) -> RoundSummary {
    let started = Instant::now();
    let mut s = RoundSummary { push: Tally::online(), ..Default::default() };
    if parts.push {
        let d = drain(app, client, cfg).await;
        s.push.merge(d);
    }
    // A create whose answer was lost says nothing about the reads: pull unless nothing
    // reached the platform at all.
    if parts.pull && !s.push.unreachable {
        let listed = pull::pull_online(app, client, cfg, &mut s).await;
        let listed = if cfg.prompt_pull { listed } else { Default::default() };
        pull::refresh_open(app, client, cfg, &listed, &mut s).await;
        pull::follow_services(app, client, &mut s).await;
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
            // The answer itself is kept in `platform_order_counts` (the manager's
            // `stats_reconcile` reads it); the round reports the reconciliation.
            Ok(r) => s.counts = r,
            Err(e) => {
                s.online &= !e.is_offline();
                s.error(format!("order_count: {e}"));
            }
        }
    }
    {
        let ledger = app.ledger();
        if let Ok(d) = outbox::depth(ledger.read(), PLATFORM_CHANNEL) {
            s.outbox_pending = d.pending;
            s.conflicts = d.conflicts;
        }
        s.strays = outbox::strays(ledger.read(), false).map(|v| v.len() as i64).unwrap_or(0);
    }
    s.duration_ms = started.elapsed().as_millis() as u64;
    // A push-only round with nothing due never talked to the platform: it says nothing
    // about the link, so the recorded state stands (else every wake-up while offline,
    // with the rows in backoff, would report "online").
    let contacted = parts.pull || parts.catalog || parts.counts || s.push.contacted();
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

/// Drains the platform's outbox through the outbox engine.
pub async fn drain(app: &App, client: &dyn Platform, cfg: &SyncConfig) -> Tally {
    let outlet = outlet::RestOutlet::new(client, cfg, app);
    crate::engine::outbox::drain(app, &outlet, &cfg.drain_config()).await
}

/// Repeats rounds until nothing in the outbox can move on its own (held rows and what
/// waits behind them stay for a person) or `deadline` passes; sleeps until the next row
/// is due in between. Returns the last summary.
pub async fn settle(app: &App, client: &dyn Platform, cfg: &SyncConfig, deadline: Duration) -> RoundSummary {
    let until = Instant::now() + deadline;
    loop {
        let s =
            run_round_parts(app, client, cfg, Parts { push: true, pull: true, catalog: false, counts: false }).await;
        let movable = outbox::movable(app.ledger().read(), PLATFORM_CHANNEL).unwrap_or(0);
        if movable == 0 || Instant::now() >= until {
            return s;
        }
        let wait = next_wait(app, cfg.backoff_cap).min(until.saturating_duration_since(Instant::now()));
        tokio::time::sleep(wait.max(Duration::from_millis(2))).await;
    }
}

/// Time until the earliest pending row is due (capped).
pub fn next_wait(app: &App, cap: Duration) -> Duration {
    crate::engine::outbox::next_wait(app, PLATFORM_CHANNEL, cap)
}

/// The platform's rounds, for the one worker loop (`crate::engine::outbox::worker`): the outbox
/// every time, online orders and status changes on each full round, the catalog and
/// `order_count` every `catalog_interval`.
struct PlatformRounds {
    client: Arc<dyn Platform>,
    cfg: SyncConfig,
    next_catalog: std::sync::Mutex<Instant>,
    /// Early pulls in a row (after pulls that skipped something).
    early: std::sync::atomic::AtomicU32,
}

/// Early pulls in a row at most; then the next pull waits its interval (a link that loses
/// a read in every pull must not turn the worker into a tight loop).
const MAX_EARLY_PULLS: u32 = 3;

/// The pause before an early pull: a fifth of the interval (50 ms to 2 s), jittered down
/// to half of that, so tills on one bad link do not pull in step.
fn early_pull_pause(interval: Duration, jitter01: f64) -> Duration {
    let d = (interval / 5).clamp(Duration::from_millis(50), Duration::from_secs(2));
    let j = if jitter01.is_finite() { jitter01.clamp(0.0, 1.0) } else { 0.5 };
    d / 2 + d.mul_f64(j / 2.0)
}

impl Rounds for PlatformRounds {
    fn channel(&self) -> &str {
        PLATFORM_CHANNEL
    }

    fn round<'a>(&'a self, app: &'a App, full: bool) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let catalog_due = full && Instant::now() >= *self.next_catalog.lock().unwrap_or_else(|p| p.into_inner());
            let parts = if full {
                Parts { push: true, pull: true, catalog: catalog_due, counts: catalog_due }
            } else {
                Parts::PUSH
            };
            let s = run_round_parts(app, self.client.as_ref(), &self.cfg, parts).await;
            if catalog_due && s.online && s.catalog_products.is_some() {
                *self.next_catalog.lock().unwrap_or_else(|p| p.into_inner()) =
                    Instant::now() + self.cfg.catalog_interval;
            }
            // Back off only when nothing reaches the platform; answers lost on a bad link
            // keep the rounds coming, so online orders still arrive within an interval.
            let reachable = !s.push.unreachable;
            // A pull that left a row (or a page) for later comes again soon: that order is
            // paid and waiting, and a whole interval more is what issue 24 measured.
            let mut pull_again_in = None;
            if full && reachable && self.cfg.prompt_pull {
                use std::sync::atomic::Ordering::Relaxed;
                if s.pull_skipped > 0 && self.early.load(Relaxed) < MAX_EARLY_PULLS {
                    self.early.fetch_add(1, Relaxed);
                    pull_again_in = Some(early_pull_pause(self.cfg.pull_interval, rand::random::<f64>()));
                } else {
                    self.early.store(0, Relaxed);
                }
            }
            Outcome { reachable, pull_again_in }
        })
    }
}

/// Starts the platform's worker in the background of the current tokio runtime: a full
/// round every `pull_interval` (backing off while offline; sooner after a pull that had
/// to skip a read, see [`SyncConfig::prompt_pull`]), and the outbox drained
/// whenever a row becomes due or a commit writes an outbox row.
pub fn spawn(app: Arc<App>, client: Arc<dyn Platform>, cfg: SyncConfig) -> WorkerHandle {
    let timing = Timing { pull_interval: cfg.pull_interval, backoff_cap: cfg.backoff_cap };
    let rounds = PlatformRounds {
        client,
        cfg,
        next_catalog: std::sync::Mutex::new(Instant::now()),
        early: std::sync::atomic::AtomicU32::new(0),
    };
    crate::engine::outbox::worker::spawn(app, Arc::new(rounds), timing)
}

/// The client for a store: `DATA/central.json` plus the store's id and name.
pub fn client_for(app: &App) -> Result<Option<ClientConfig>, SyncError> {
    let Some(c) = crate::app::config::load_platform(app.data_dir()).map_err(|e| SyncError::Config(e.message_en))?
    else {
        return Ok(None);
    };
    let store = app.config();
    Ok(Some(c.client_config(store.store_id, &store.store_name)))
}

/// Starts the engine for `app` when a platform is configured (for `serve`, the shell).
pub fn start_for_app(app: Arc<App>) -> Result<Option<WorkerHandle>, SyncError> {
    let Some(cc) = client_for(&app)? else { return Ok(None) };
    let client = PlatformClient::new(cc).map_err(|e| SyncError::Client(e.to_string()))?;
    Ok(Some(spawn(app, Arc::new(client), SyncConfig::default())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_early_pull_waits_a_jittered_fifth_of_the_interval_within_bounds() {
        let s = Duration::from_secs(1);
        assert_eq!(early_pull_pause(s, 0.0), Duration::from_millis(100));
        assert_eq!(early_pull_pause(s, 1.0), Duration::from_millis(200));
        // Production's 10 s interval: at most 2 s; a tiny test interval: at least 25 ms.
        assert_eq!(early_pull_pause(Duration::from_secs(10), 1.0), Duration::from_secs(2));
        assert_eq!(early_pull_pause(Duration::from_millis(10), 0.0), Duration::from_millis(25));
        assert_eq!(early_pull_pause(s, f64::NAN), Duration::from_millis(150));
    }
}
