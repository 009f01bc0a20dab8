//! One worker per channel: drain that channel's outbox through the outbox engine (one
//! ordered stream per order, [`ChannelOutlet`]), pull the channel's orders, record its
//! health. Workers share nothing but the ledger, so a channel that is down (timeouts,
//! refusals) never holds up another or the platform's worker.

pub mod outlet;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::{json, Value};

use self::outlet::ChannelOutlet;
use crate::app::{App, Event, StoreConfig};
use crate::clients::channels::{ChannelError, OrderChannel, RemoteOrder};
use crate::domain::order::{Channel, Order, Status};
use crate::engine::arrivals::{Incoming, IncomingLine};
use crate::engine::outbox::worker::{Outcome, Rounds, Timing, WorkerHandle};
use crate::engine::outbox::{DrainConfig, Limits, Tally};
use crate::ledger::channels::{self as store, MirrorRow};
use crate::ledger::outbox;
use crate::ledger::{journal, now_text, orders, time_text, LedgerError};

pub const ACTOR: &str = "channels";
/// Till code of orders that came from another channel (the platform's online orders use "W").
pub const CHANNEL_TILL: &str = "C";
/// Open orders of a channel re-read one by one per pull, when its lists no longer show them.
pub const REFRESH_PER_ROUND: usize = 10;

#[derive(Debug, Clone)]
pub struct ChannelConfig {
    pub in_flight: usize,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub max_attempts: i64,
    pub pull_interval: Duration,
    pub pull_pages: u32,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            in_flight: 4,
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(60),
            max_attempts: 60,
            pull_interval: Duration::from_secs(15),
            pull_pages: 3,
        }
    }
}

impl ChannelConfig {
    pub fn drain_config(&self) -> DrainConfig {
        let limits = Limits { max_attempts: self.max_attempts.clamp(1, u32::MAX as i64) as u32, ..Limits::default() };
        DrainConfig {
            in_flight: self.in_flight,
            backoff_base: self.backoff_base,
            backoff_cap: self.backoff_cap,
            limits,
        }
    }

    /// Small times for tests against the local simulators.
    pub fn fast() -> ChannelConfig {
        ChannelConfig {
            backoff_base: Duration::from_millis(10),
            backoff_cap: Duration::from_millis(150),
            pull_interval: Duration::from_millis(200),
            ..ChannelConfig::default()
        }
    }
}

/// What one round of one channel did: the drain's tally plus what the pull found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChannelRound {
    pub channel: String,
    #[serde(flatten)]
    pub push: Tally,
    pub pulled_new: u64,
    pub pulled_updated: u64,
    pub outbox_pending: i64,
    pub conflicts: i64,
}

impl std::ops::Deref for ChannelRound {
    type Target = Tally;
    fn deref(&self) -> &Tally {
        &self.push
    }
}

impl std::ops::DerefMut for ChannelRound {
    fn deref_mut(&mut self) -> &mut Tally {
        &mut self.push
    }
}

/// One round: drain the due streams; then, when asked and reachable, pull.
pub async fn run_round(app: &App, ch: &dyn OrderChannel, cfg: &ChannelConfig, pull: bool) -> ChannelRound {
    use tracing::Instrument;
    static ROUNDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = ROUNDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let span = tracing::info_span!("round", id = n, channel = ch.id());
    let s = round_inner(app, ch, cfg, pull).instrument(span.clone()).await;
    span.in_scope(|| {
        let busy = s.ops_done + s.ops_retried + s.ops_conflicted > 0;
        if busy {
            tracing::info!(
                online = s.online,
                done = s.ops_done,
                retried = s.ops_retried,
                held = s.ops_conflicted,
                pending = s.outbox_pending,
                "channel round"
            );
        } else {
            tracing::debug!(online = s.online, pending = s.outbox_pending, pull, "channel round");
        }
        if let Some(e) = s.errors.last() {
            tracing::debug!(errors = s.errors.len(), last = %e, "channel round errors");
        }
    });
    s
}

async fn round_inner(app: &App, ch: &dyn OrderChannel, cfg: &ChannelConfig, pull: bool) -> ChannelRound {
    let mut s = ChannelRound { channel: ch.id().to_string(), push: Tally::online(), ..Default::default() };
    let d = crate::engine::outbox::drain(app, &ChannelOutlet::new(ch), &cfg.drain_config()).await;
    s.push.merge(d);
    let mut counts = None;
    if pull && s.online {
        match pull_once(app, ch, cfg, &mut s).await {
            Ok(c) => counts = c,
            Err(e) => {
                s.online &= !(e.is_offline() || matches!(e, ChannelError::Server { .. }));
                s.error(format!("pull: {e}"));
            }
        }
    }
    let mut ledger = app.ledger();
    if let Ok(d) = outbox::depth(ledger.read(), ch.id()) {
        s.outbox_pending = d.pending;
        s.conflicts = d.conflicts;
    }
    let err = s.errors.last().cloned();
    // A push-only round that found nothing due said nothing to the channel: it must not
    // report the channel online (a dead channel would look healthy until the next pull).
    let talked = pull || s.push.contacted() || !s.errors.is_empty();
    if talked {
        if let Err(e) = ledger.write(|tx| store::record_round(tx, ch.id(), s.online, err.as_deref(), counts.as_ref())) {
            tracing::warn!("cannot record the health of channel {}: {e}", ch.id());
        }
    }
    s
}

/// Rounds until nothing is pending on this channel (conflicts stay) or `deadline` passes.
pub async fn settle(app: &App, ch: &dyn OrderChannel, cfg: &ChannelConfig, deadline: Duration) -> ChannelRound {
    let until = Instant::now() + deadline;
    loop {
        let s = run_round(app, ch, cfg, false).await;
        let movable = outbox::movable(app.ledger().read(), ch.id()).unwrap_or(0);
        if movable == 0 || Instant::now() >= until {
            return s;
        }
        let wait = next_wait(app, ch.id(), cfg.backoff_cap).min(until.saturating_duration_since(Instant::now()));
        tokio::time::sleep(wait.max(Duration::from_millis(2))).await;
    }
}

fn next_wait(app: &App, channel: &str, cap: Duration) -> Duration {
    crate::engine::outbox::next_wait(app, channel, cap)
}

/// A mirror row for `r`, as held by `channel`.
pub fn mirror_of(
    channel: &str,
    r: &RemoteOrder,
    origin: &str,
    client_ref: Option<&str>,
    business_day: &str,
) -> MirrorRow {
    let now = now_text();
    MirrorRow {
        channel: channel.into(),
        remote_id: r.remote_id.clone(),
        number: r.number.clone(),
        origin: origin.into(),
        client_ref: client_ref.map(str::to_string),
        status_raw: r.status.raw().to_string(),
        status_label: Some(r.status.label_zh()),
        status_ours: r.status.ours().map(|s| s.as_str().to_string()),
        refund_raw: r.refund_raw.clone(),
        total_fen: r.total.map(|m| m.fen()),
        business_day: business_day.into(),
        created_at: r.created_at.map(time_text).unwrap_or_else(|| now.clone()),
        updated_at: now,
        detail: json!({ "contact": r.contact, "phone": r.phone, "remark": r.remark, "pickup": r.pickup, "lines": r.lines, "extra": r.extra }),
        conflict: None,
    }
}

// ---- pull -------------------------------------------------------------------------------

async fn pull_once(
    app: &App,
    ch: &dyn OrderChannel,
    cfg: &ChannelConfig,
    s: &mut ChannelRound,
) -> Result<Option<Value>, ChannelError> {
    let pulled = ch.pull(cfg.pull_pages).await?;
    let channel = ch.id();
    let mut seen = HashSet::new();
    for r in &pulled.orders {
        seen.insert(r.remote_id.clone());
        match absorb(app, channel, r, pulled.for_board) {
            Ok(Absorbed::New) => s.pulled_new += 1,
            Ok(Absorbed::Updated) => s.pulled_updated += 1,
            Ok(Absorbed::Same) => {}
            Err(e) => s.error(format!("ledger: {e}")),
        }
    }
    // Open orders of the channel that its lists no longer show (moved elsewhere, or to a
    // status no list selects): read them one by one, a few per round.
    let stale =
        store::open_theirs(app.ledger().read(), channel, (REFRESH_PER_ROUND + seen.len()) as i64).unwrap_or_default();
    for m in stale.into_iter().filter(|m| !seen.contains(&m.remote_id)).take(REFRESH_PER_ROUND) {
        match ch.get_order(&m.remote_id).await {
            Ok(r) => match absorb(app, channel, &r, pulled.for_board) {
                Ok(Absorbed::Updated) => s.pulled_updated += 1,
                Ok(_) => {}
                Err(e) => s.error(format!("ledger: {e}")),
            },
            Err(e) if e.is_offline() || matches!(e, ChannelError::Server { .. }) => return Err(e),
            Err(e) => s.error(format!("refresh {}: {e}", m.remote_id)),
        }
        let _ = app.ledger().write(|tx| store::touch(tx, channel, &m.remote_id));
    }
    Ok(pulled.counts)
}

enum Absorbed {
    New,
    Updated,
    Same,
}

/// Takes one pulled order into the ledger: refreshes the mirror, puts a new order of the
/// channel's own on the clerk's board, moves a board order the channel moved.
fn absorb(app: &App, channel: &str, r: &RemoteOrder, for_board: bool) -> Result<Absorbed, LedgerError> {
    let cfg = app.config();
    let mut event = None;
    let out = app.ledger().write(|tx| -> Result<Absorbed, LedgerError> {
        let existing = store::get(tx, channel, &r.remote_id)?;
        // One of our own sales (outside_target_id names a local order)?
        let ours = match &r.our_ref {
            Some(cr) => orders::get(tx, cr)?.map(|o| (cr.clone(), o)),
            None => None,
        };
        if let Some((cr, o)) = ours {
            let mut m = mirror_of(channel, r, "ours", Some(&cr), &o.business_day);
            let changed = existing
                .as_ref()
                .map(|e| e.status_raw != m.status_raw || e.status_ours != m.status_ours)
                .unwrap_or(true);
            if let Some(e) = &existing {
                m.created_at = e.created_at.clone();
            }
            if changed {
                store::upsert(tx, &m)?;
            }
            return Ok(if changed { Absorbed::Updated } else { Absorbed::Same });
        }
        let day = cfg.rule.day_of(r.created_at.unwrap_or_else(Utc::now)).to_string();
        match existing {
            Some(e) => {
                let mut m = mirror_of(channel, r, &e.origin, e.client_ref.as_deref(), &e.business_day);
                m.created_at = e.created_at.clone();
                if e.status_raw == m.status_raw && e.status_ours == m.status_ours && e.refund_raw == m.refund_raw {
                    return Ok(Absorbed::Same);
                }
                store::upsert(tx, &m)?;
                // A board order the channel moved (cancelled by the customer, …).
                if let (Some(cr), Some(st)) = (&e.client_ref, r.status.ours()) {
                    if let Some(o) = orders::get(tx, cr)? {
                        if o.status != st && !o.left_store && !store::stream_open(tx, channel, cr)? {
                            orders::set_status(tx, o.id, st)?;
                            journal::append(
                                tx,
                                journal::Entry {
                                    actor: ACTOR,
                                    entity: "order",
                                    entity_ref: cr,
                                    action: "channel_status",
                                    before: Some(o.status.as_str()),
                                    after: Some(st.as_str()),
                                    detail: Some(format!("[{channel}] {}", r.status.raw())),
                                },
                            )?;
                            event = Some(Event::OrderChanged { client_ref: cr.clone(), status: st.as_str().into() });
                        }
                    }
                }
                Ok(Absorbed::Updated)
            }
            None => {
                let board = for_board
                    && matches!(r.status.ours(), Some(st) if !st.is_closed() && st != Status::CreatedPayPending);
                if !board {
                    store::upsert(tx, &mirror_of(channel, r, "theirs", None, &day))?;
                    return Ok(Absorbed::New);
                }
                let o = insert_board(tx, &cfg, channel, r)?;
                store::upsert(tx, &mirror_of(channel, r, "theirs", Some(&o.client_ref), &day))?;
                event = Some(Event::OnlineOrder {
                    client_ref: o.client_ref.clone(),
                    local_number: o.local_number.clone(),
                    channel: o.channel.as_str().into(),
                });
                Ok(Absorbed::New)
            }
        }
    })?;
    if let Some(e) = event {
        app.publish(e);
    }
    Ok(out)
}

/// A channel's own order on the clerk's board: an online order (SELF_PICK when picked up,
/// FLASH when delivered) that the platform never had (no order number).
fn insert_board(
    tx: &rusqlite::Transaction<'_>,
    cfg: &StoreConfig,
    channel: &str,
    r: &RemoteOrder,
) -> Result<Order, LedgerError> {
    let kind = if r.pickup { Channel::SelfPick } else { Channel::Flash };
    let lines = r
        .lines
        .iter()
        .map(|l| {
            let (product_id, specification_id) = match l.sku.split_once('-') {
                Some((p, s)) => (p.parse::<i64>().unwrap_or(0), s.parse::<i64>().ok()),
                None => (l.sku.parse::<i64>().unwrap_or(0), None),
            };
            let name = if l.name.is_empty() { format!("商品 {}", l.sku) } else { l.name.clone() };
            IncomingLine { product_id, specification_id, name, unit: l.price, quantity: l.quantity }
        })
        .collect();
    let incoming = Incoming {
        till_code: CHANNEL_TILL,
        order_number: None,
        channel: kind,
        status: r.status.ours().unwrap_or(Status::PaidConfirmPending),
        total: r.total,
        remark: format!("[{channel} {}] {}", r.number, r.remark).trim().to_string(),
        contact_user: r.contact.clone(),
        phone: r.phone.clone(),
        created: r.created_at.unwrap_or_else(Utc::now),
        lines,
        actor: ACTOR,
        action: "channel_order",
        source: format!("[{channel}] {} {}", kind.as_str(), r.number),
    };
    crate::engine::arrivals::record(tx, cfg, incoming)
}

// ---- background ---------------------------------------------------------------------------

/// A channel's rounds, for the one worker loop (`crate::engine::outbox::worker`).
struct ChannelRounds {
    ch: Arc<dyn OrderChannel>,
    cfg: ChannelConfig,
}

impl Rounds for ChannelRounds {
    fn channel(&self) -> &str {
        self.ch.id()
    }

    fn round<'a>(&'a self, app: &'a App, full: bool) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { run_round(app, self.ch.as_ref(), &self.cfg, full).await.online.into() })
    }
}

/// Starts one channel's worker on the current runtime: pushes whenever a row is due or a
/// command pokes, pulls every `pull_interval` (backing off while the channel is down).
pub fn spawn(app: Arc<App>, ch: Arc<dyn OrderChannel>, cfg: ChannelConfig) -> WorkerHandle {
    let timing = Timing { pull_interval: cfg.pull_interval, backoff_cap: cfg.backoff_cap };
    crate::engine::outbox::worker::spawn(app, Arc::new(ChannelRounds { ch, cfg }), timing)
}

/// Workers for every enabled channel of the store (the platform has its own).
pub fn start_for_app(app: Arc<App>, cfg: ChannelConfig) -> Vec<WorkerHandle> {
    let specs = crate::clients::channels::configured(app.ledger().read());
    let secrets = match crate::app::config::load_secrets(app.data_dir()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("channel secrets unreadable: {e}");
            return vec![];
        }
    };
    let store_id = app.config().store_id;
    let mut out = vec![];
    for spec in specs.into_iter().filter(|c| c.enabled && c.dialect != crate::clients::channels::Dialect::RestStore) {
        let secret = secrets.get(&spec.id).cloned().unwrap_or_default();
        match crate::clients::channels::build(&spec, &secret, store_id) {
            Ok(ch) => {
                tracing::info!(channel = %spec.id, dialect = ?spec.dialect, "channel worker started");
                out.push(spawn(app.clone(), ch, cfg.clone()))
            }
            Err(e) => tracing::warn!("channel {} not started: {e}", spec.id),
        }
    }
    out
}
