//! One worker per channel: drain that channel's outbox (one ordered stream per order),
//! pull the channel's orders, record its health. Workers share nothing but the ledger, so a
//! channel that is down (timeouts, refusals) never holds up another or the primary engine.
//!
//! Exactly-once, per channel, on the same two rules as the primary engine: an operation is
//! marked attempted before its request leaves, and an attempted `report` is looked up on
//! the channel (by our `client_ref`) before it is ever sent again. Status moves and
//! actions read the order first and send only what is still missing.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use futures::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::{ChannelAction, ChannelError, OrderChannel, RemoteOrder, SaleReport, Tell};
use crate::commands::{App, Event};
use crate::domain::order::{Arrival, Channel, Conflict, Order, OrderLine, Status, SyncState};
use crate::domain::Money;
use crate::ledger::channels::{self as store, MirrorRow};
use crate::ledger::outbox::{self, OutboxRow};
use crate::ledger::{catalog, journal, now_text, orders, time_text, LedgerError};

pub const ACTOR: &str = "channels";
/// Till code of orders that came from another channel (the primary's online orders use "W").
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
        ChannelConfig { in_flight: 4, backoff_base: Duration::from_secs(1), backoff_cap: Duration::from_secs(60), max_attempts: 60, pull_interval: Duration::from_secs(15), pull_pages: 3 }
    }
}

impl ChannelConfig {
    /// Small times for tests against the local simulators.
    pub fn fast() -> ChannelConfig {
        ChannelConfig { backoff_base: Duration::from_millis(10), backoff_cap: Duration::from_millis(150), pull_interval: Duration::from_millis(200), ..ChannelConfig::default() }
    }
}

/// What one round of one channel did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChannelRound {
    pub channel: String,
    pub online: bool,
    pub ops_done: u64,
    pub ops_retried: u64,
    pub ops_conflicted: u64,
    pub lookups_found: u64,
    pub lookups_absent: u64,
    pub pulled_new: u64,
    pub pulled_updated: u64,
    pub outbox_pending: i64,
    pub conflicts: i64,
    pub errors: Vec<String>,
}

impl ChannelRound {
    fn error(&mut self, e: impl std::fmt::Display) {
        if self.errors.len() < 20 {
            self.errors.push(e.to_string());
        }
    }
    fn merge(&mut self, o: ChannelRound) {
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

/// The process-wide poke (a counter; every worker sees every change).
pub fn waker() -> &'static watch::Sender<u64> {
    static W: OnceLock<watch::Sender<u64>> = OnceLock::new();
    W.get_or_init(|| watch::channel(0).0)
}

enum Outcome {
    Done,
    Retry,
    Conflict,
}

/// One round: drain the due streams; then, when asked and reachable, pull.
pub async fn run_round(app: &App, ch: &dyn OrderChannel, cfg: &ChannelConfig, pull: bool) -> ChannelRound {
    let mut s = ChannelRound { channel: ch.id().to_string(), online: true, ..Default::default() };
    let d = drain(app, ch, cfg).await;
    s.merge(d);
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
    let talked = pull || s.ops_done + s.ops_retried + s.ops_conflicted > 0 || !s.errors.is_empty();
    if talked {
        if let Err(e) = ledger.write(|tx| store::record_round(tx, ch.id(), s.online, err.as_deref(), counts.as_ref())) {
            eprintln!("storepos channels: cannot record health of {}: {e}", ch.id());
        }
    }
    s
}

/// Rounds until nothing is pending on this channel (conflicts stay) or `deadline` passes.
pub async fn settle(app: &App, ch: &dyn OrderChannel, cfg: &ChannelConfig, deadline: Duration) -> ChannelRound {
    let until = Instant::now() + deadline;
    loop {
        let s = run_round(app, ch, cfg, false).await;
        if s.outbox_pending == 0 || Instant::now() >= until {
            return s;
        }
        let wait = next_wait(app, ch.id(), cfg.backoff_cap).min(until.saturating_duration_since(Instant::now()));
        tokio::time::sleep(wait.max(Duration::from_millis(2))).await;
    }
}

fn next_wait(app: &App, channel: &str, cap: Duration) -> Duration {
    let next = outbox::next_due(app.ledger().read(), channel).ok().flatten();
    match next.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()) {
        Some(t) => (t.with_timezone(&Utc) - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(cap),
        None => cap,
    }
}

async fn drain(app: &App, ch: &dyn OrderChannel, cfg: &ChannelConfig) -> ChannelRound {
    let mut s = ChannelRound { online: true, ..Default::default() };
    let mut tried: HashSet<String> = HashSet::new();
    let mut futs = FuturesUnordered::new();
    let limit = cfg.in_flight.max(1);
    loop {
        if futs.len() < limit && s.online {
            let heads = outbox::due_heads(app.ledger().read(), ch.id(), &now_text(), (limit * 2 + 8) as i64);
            match heads {
                Ok(heads) => {
                    for h in heads {
                        if futs.len() >= limit {
                            break;
                        }
                        if tried.insert(h.stream.clone()) {
                            let stream = h.stream.clone();
                            futs.push(async move { drain_stream(app, ch, cfg, &stream).await });
                        }
                    }
                }
                Err(e) => s.error(format!("outbox: {e}")),
            }
        }
        match futs.next().await {
            None => break,
            Some(r) => s.merge(r),
        }
    }
    s
}

async fn drain_stream(app: &App, ch: &dyn OrderChannel, cfg: &ChannelConfig, stream: &str) -> ChannelRound {
    let mut s = ChannelRound { online: true, ..Default::default() };
    loop {
        let head = store::stream_rows(app.ledger().read(), ch.id(), stream).map(|rows| rows.into_iter().find(|r| r.state != "done"));
        let row = match head {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                s.error(format!("outbox: {e}"));
                break;
            }
        };
        if row.state != "pending" || row.next_attempt_at > now_text() {
            break;
        }
        let op = Op { app, ch, cfg, row: &row };
        let out = match row.op.as_str() {
            "report" => op.report(&mut s).await,
            "status" => op.status(&mut s).await,
            "action" => op.action(&mut s).await,
            other => op.conflict(&mut s, &format!("无法识别的渠道操作「{other}」"), None, None),
        };
        match out {
            Outcome::Done => s.ops_done += 1,
            Outcome::Retry => {
                s.ops_retried += 1;
                break;
            }
            Outcome::Conflict => {
                s.ops_conflicted += 1;
                break;
            }
        }
    }
    s
}

struct Op<'a> {
    app: &'a App,
    ch: &'a dyn OrderChannel,
    cfg: &'a ChannelConfig,
    row: &'a OutboxRow,
}

/// A mirror row for `r`, as held by `channel`.
pub fn mirror_of(channel: &str, r: &RemoteOrder, origin: &str, client_ref: Option<&str>, business_day: &str) -> MirrorRow {
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

impl Op<'_> {
    fn premark(&self) -> Result<(), LedgerError> {
        self.app.ledger().write(|tx| outbox::mark_retry(tx, self.row.id, "sending", &now_text()))
    }

    fn retry(&self, s: &mut ChannelRound, e: &ChannelError) -> Outcome {
        if e.is_offline() || matches!(e, ChannelError::Auth { .. }) {
            s.online = false;
        }
        let err = e.to_string();
        if self.row.attempts >= self.cfg.max_attempts {
            return self.conflict(s, &format!("多次同步失败，已暂停：{err}"), None, None);
        }
        let failures = ((self.row.attempts + 1) / 2) as u32;
        let d = crate::sync::plan::backoff(failures, self.cfg.backoff_base, self.cfg.backoff_cap, rand::random::<f64>());
        let next = time_text(Utc::now() + chrono::Duration::from_std(d).unwrap_or_default());
        if let Err(e) = self.app.ledger().write(|tx| outbox::mark_retry(tx, self.row.id, &err, &next)) {
            s.error(format!("outbox: {e}"));
        }
        s.error(format!("{} {} {}: {err}", self.ch.id(), self.row.op, self.row.stream));
        Outcome::Retry
    }

    /// Holds the operation, flags the mirror (and the local order when it came from this
    /// channel), writes a journal row and tells people.
    fn conflict(&self, s: &mut ChannelRound, message: &str, platform_message: Option<String>, back: Option<&RemoteOrder>) -> Outcome {
        let channel = self.ch.id();
        let stream = self.row.stream.clone();
        let detail = format!("[{channel}] {}: {message}{}", self.row.op, platform_message.as_ref().map(|m| format!(" (渠道：{m})")).unwrap_or_default());
        let r = self.app.ledger().write(|tx| -> Result<(), LedgerError> {
            outbox::mark_conflict(tx, self.row.id, &detail)?;
            let mirror = store::by_client_ref(tx, channel, &stream)?;
            if let Some(m) = &mirror {
                if let Some(b) = back {
                    let mut fresh = mirror_of(channel, b, &m.origin, m.client_ref.as_deref(), &m.business_day);
                    fresh.created_at = m.created_at.clone();
                    store::upsert(tx, &fresh)?;
                }
                store::set_conflict(tx, channel, &m.remote_id, Some(&detail))?;
                if m.origin == "theirs" {
                    if let Some(o) = orders::get(tx, &stream)? {
                        let c = Conflict { message: message.to_string(), platform_message: platform_message.clone(), at: now_text() };
                        orders::set_sync_state(tx, o.id, SyncState::Conflict, Some(&c))?;
                    }
                }
            }
            journal::append(tx, journal::Entry { actor: ACTOR, entity: "order", entity_ref: &stream, action: "channel_conflict", before: None, after: None, detail: Some(detail.clone()) })?;
            Ok(())
        });
        if let Err(e) = r {
            s.error(format!("ledger: {e}"));
            return Outcome::Retry;
        }
        s.error(format!("conflict {stream}: {detail}"));
        self.app.publish(Event::Conflict { client_ref: stream, message: format!("[{channel}] {message}") });
        Outcome::Conflict
    }

    fn done_with(&self, s: &mut ChannelRound, mirror: Option<MirrorRow>) -> Outcome {
        let channel = self.ch.id();
        let stream = self.row.stream.clone();
        let r = self.app.ledger().write(|tx| -> Result<(), LedgerError> {
            if let Some(m) = &mirror {
                store::upsert(tx, m)?;
                store::set_conflict(tx, channel, &m.remote_id, None)?;
            }
            outbox::mark_done(tx, self.row.id)?;
            // A channel's own order is in sync once its stream is drained.
            if let Some(m) = store::by_client_ref(tx, channel, &stream)? {
                if m.origin == "theirs" && !store::stream_open(tx, channel, &stream)? {
                    if let Some(o) = orders::get(tx, &stream)? {
                        if o.sync_state == SyncState::Pending {
                            orders::set_sync_state(tx, o.id, SyncState::Synced, None)?;
                        }
                    }
                }
            }
            Ok(())
        });
        match r {
            Ok(()) => Outcome::Done,
            Err(e) => {
                s.error(format!("ledger: {e}"));
                Outcome::Retry
            }
        }
    }

    // ---- report: a till sale ------------------------------------------------------------

    async fn report(&self, s: &mut ChannelRound) -> Outcome {
        let channel = self.ch.id();
        let (order, known) = {
            let ledger = self.app.ledger();
            (orders::get(ledger.read(), &self.row.stream), store::by_client_ref(ledger.read(), channel, &self.row.stream))
        };
        let order = match order {
            Ok(Some(o)) => o,
            Ok(None) => return self.conflict(s, "本地没有这张订单", None, None),
            Err(e) => {
                s.error(format!("ledger: {e}"));
                return Outcome::Retry;
            }
        };
        if let Ok(Some(_)) = known {
            return self.done_with(s, None);
        }
        let created = chrono::DateTime::parse_from_rfc3339(&order.created_at).map(|t| t.with_timezone(&Utc)).unwrap_or_else(|_| Utc::now());
        if self.row.attempts > 0 {
            // The last attempt may have landed: look before sending again.
            match self.ch.find_sale(&order.client_ref, created).await {
                Ok(Some(r)) => {
                    s.lookups_found += 1;
                    return self.done_with(s, Some(mirror_of(channel, &r, "ours", Some(&order.client_ref), &order.business_day)));
                }
                Ok(None) => s.lookups_absent += 1,
                Err(e) => return self.retry(s, &e),
            }
        }
        if let Err(e) = self.premark() {
            s.error(format!("outbox: {e}"));
            return Outcome::Retry;
        }
        let lines = order.lines.clone().unwrap_or_default();
        let sale = SaleReport {
            client_ref: order.client_ref.clone(),
            from_client: self.row.payload.get("from_client").and_then(Value::as_i64).unwrap_or(5),
            remark: order.remark.clone(),
            items: lines
                .iter()
                .map(|l| (match l.specification_id {
                    Some(sp) => format!("{}-{sp}", l.product_id),
                    None => l.product_id.to_string(),
                }, l.quantity))
                .collect(),
            created_at: created,
        };
        match self.ch.report_sale(&sale).await {
            Ok(r) => self.done_with(s, Some(mirror_of(channel, &r, "ours", Some(&order.client_ref), &order.business_day))),
            Err(e @ (ChannelError::Refused { .. } | ChannelError::Unsupported { .. })) => self.conflict(s, "渠道拒绝了这笔销售", Some(e.to_string()), None),
            Err(e) => self.retry(s, &e),
        }
    }

    // ---- status: a status move of an order the channel holds ------------------------------

    async fn status(&self, s: &mut ChannelRound) -> Outcome {
        let channel = self.ch.id();
        let to = self.row.payload.get("to").and_then(Value::as_str).unwrap_or_default().to_string();
        let tell = if to == "LEFT_STORE" {
            Tell::Reject
        } else {
            match Status::parse(&to) {
                Some(st) => Tell::Status(st),
                None => return self.conflict(s, &format!("无法识别的状态「{to}」"), None, None),
            }
        };
        let mirror = store::by_client_ref(self.app.ledger().read(), channel, &self.row.stream);
        let m = match mirror {
            Ok(Some(m)) => m,
            Ok(None) => return self.conflict(s, "渠道上还没有这张订单", None, None),
            Err(e) => {
                s.error(format!("ledger: {e}"));
                return Outcome::Retry;
            }
        };
        let pickup = m.detail.get("pickup").and_then(Value::as_bool).unwrap_or(true);
        match self.ch.tell(&m.remote_id, pickup, tell).await {
            Ok(r) => {
                let mut fresh = mirror_of(channel, &r, &m.origin, m.client_ref.as_deref(), &m.business_day);
                fresh.created_at = m.created_at.clone();
                self.done_with(s, Some(fresh))
            }
            Err(ChannelError::Unsupported { what }) => {
                // Nothing in this channel's API says it: recorded, not sent.
                let note = format!("[{channel}] not told: {what}");
                let _ = self.app.ledger().write(|tx| journal::append(tx, journal::Entry { actor: ACTOR, entity: "order", entity_ref: &self.row.stream, action: "channel_not_told", before: None, after: Some(&to), detail: Some(note.clone()) }));
                self.done_with(s, None)
            }
            Err(e @ ChannelError::Refused { .. }) | Err(e @ ChannelError::NotFound { .. }) => {
                let back = self.ch.get_order(&m.remote_id).await.ok();
                self.conflict(s, "渠道拒绝了状态变更", Some(e.to_string()), back.as_ref())
            }
            Err(e) => self.retry(s, &e),
        }
    }

    // ---- action: a person's action on a channel's order ----------------------------------

    async fn action(&self, s: &mut ChannelRound) -> Outcome {
        let channel = self.ch.id();
        let remote_id = self.row.payload.get("remote_id").and_then(Value::as_str).unwrap_or_default().to_string();
        let action: ChannelAction = match self.row.payload.get("action").cloned().map(serde_json::from_value) {
            Some(Ok(a)) => a,
            _ => return self.conflict(s, "无法识别的渠道操作", None, None),
        };
        let keep = |r: &RemoteOrder| -> Option<MirrorRow> {
            let old = store::get(self.app.ledger().read(), channel, &r.remote_id).ok().flatten();
            let day = old.as_ref().map(|o| o.business_day.clone()).unwrap_or_else(|| self.app.config().rule.day_of(Utc::now()).to_string());
            let mut m = mirror_of(channel, r, old.as_ref().map(|o| o.origin.as_str()).unwrap_or("theirs"), old.as_ref().and_then(|o| o.client_ref.as_deref()), &day);
            if let Some(o) = old {
                m.created_at = o.created_at;
            }
            Some(m)
        };
        // Read first: an earlier attempt whose answer was lost may have done it already.
        let cur = match self.ch.get_order(&remote_id).await {
            Ok(c) => c,
            Err(e @ ChannelError::NotFound { .. }) => return self.conflict(s, "渠道上没有这张订单", Some(e.to_string()), None),
            Err(e) => return self.retry(s, &e),
        };
        if action.holds(&cur) {
            return self.done_with(s, keep(&cur));
        }
        if let Err(e) = self.premark() {
            s.error(format!("outbox: {e}"));
            return Outcome::Retry;
        }
        match self.ch.action(&remote_id, &action).await {
            Ok(_) => match self.ch.get_order(&remote_id).await {
                Ok(back) => self.done_with(s, keep(&back)),
                Err(_) => self.done_with(s, None),
            },
            Err(e @ (ChannelError::Refused { .. } | ChannelError::Unsupported { .. })) => {
                let back = self.ch.get_order(&remote_id).await.ok();
                if back.as_ref().map(|b| action.holds(b)).unwrap_or(false) {
                    return self.done_with(s, back.as_ref().and_then(keep));
                }
                if let Some(b) = &back {
                    if let Some(m) = keep(b) {
                        let _ = self.app.ledger().write(|tx| store::upsert(tx, &m));
                    }
                }
                self.conflict_remote(s, &remote_id, &format!("渠道拒绝了操作「{}」", action.name()), Some(e.to_string()))
            }
            Err(e) => self.retry(s, &e),
        }
    }

    /// A conflict on an order known by its remote id (not a local order).
    fn conflict_remote(&self, s: &mut ChannelRound, remote_id: &str, message: &str, platform_message: Option<String>) -> Outcome {
        let out = self.conflict(s, message, platform_message.clone(), None);
        let detail = format!("[{}] {}: {message}{}", self.ch.id(), self.row.op, platform_message.map(|m| format!(" (渠道：{m})")).unwrap_or_default());
        let _ = self.app.ledger().write(|tx| store::set_conflict(tx, self.ch.id(), remote_id, Some(&detail)));
        out
    }
}

// ---- pull -------------------------------------------------------------------------------

async fn pull_once(app: &App, ch: &dyn OrderChannel, cfg: &ChannelConfig, s: &mut ChannelRound) -> Result<Option<Value>, ChannelError> {
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
    let stale = store::open_theirs(app.ledger().read(), channel, (REFRESH_PER_ROUND + seen.len()) as i64).unwrap_or_default();
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
            let changed = existing.as_ref().map(|e| e.status_raw != m.status_raw || e.status_ours != m.status_ours).unwrap_or(true);
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
                            journal::append(tx, journal::Entry { actor: ACTOR, entity: "order", entity_ref: cr, action: "channel_status", before: Some(o.status.as_str()), after: Some(st.as_str()), detail: Some(format!("[{channel}] {}", r.status.raw())) })?;
                            event = Some(Event::OrderChanged { client_ref: cr.clone(), status: st.as_str().into() });
                        }
                    }
                }
                Ok(Absorbed::Updated)
            }
            None => {
                let board = for_board && matches!(r.status.ours(), Some(st) if !st.is_closed() && st != Status::CreatedPayPending);
                if !board {
                    store::upsert(tx, &mirror_of(channel, r, "theirs", None, &day))?;
                    return Ok(Absorbed::New);
                }
                let o = insert_board(tx, &cfg, channel, r, &day)?;
                store::upsert(tx, &mirror_of(channel, r, "theirs", Some(&o.client_ref), &day))?;
                event = Some(Event::OnlineOrder { client_ref: o.client_ref.clone(), local_number: o.local_number.clone(), channel: o.channel.as_str().into() });
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
/// FLASH when delivered) that the primary platform never had (no order number).
fn insert_board(tx: &rusqlite::Transaction<'_>, cfg: &crate::commands::StoreConfig, channel: &str, r: &RemoteOrder, day: &str) -> Result<Order, LedgerError> {
    let created = r.created_at.unwrap_or_else(Utc::now);
    let local_hour = created.with_timezone(&cfg.rule.tz).hour();
    let kind = if r.pickup { Channel::SelfPick } else { Channel::Flash };
    let status = r.status.ours().unwrap_or(Status::PaidConfirmPending);
    let mut lines = vec![];
    for (i, l) in r.lines.iter().enumerate() {
        let (pid, spec) = match l.sku.split_once('-') {
            Some((p, s)) => (p.parse::<i64>().unwrap_or(0), s.parse::<i64>().ok()),
            None => (l.sku.parse::<i64>().unwrap_or(0), None),
        };
        let p = catalog::get(tx, pid)?;
        let (category, station) = p.as_ref().map(|p| (p.category_name.clone(), p.station.clone())).unwrap_or_else(|| ("线上".into(), None));
        let qty = l.quantity;
        let unit = if l.price.is_negative() { Money::ZERO } else { l.price };
        let name = if l.name.is_empty() { format!("商品 {}", l.sku) } else { l.name.clone() };
        lines.push(OrderLine::reported(i as i64 + 1, pid, spec, name, category, station, unit, qty));
    }
    let total = r.total.unwrap_or_else(|| crate::domain::order::order_total(&lines));
    let seq = orders::next_day_seq(tx, day, CHANNEL_TILL)?;
    let client_ref = uuid::Uuid::now_v7().to_string();
    let o = Order::arrived_online(Arrival {
        client_ref: client_ref.clone(),
        till_code: CHANNEL_TILL.into(),
        seq,
        business_day: day.into(),
        order_number: None,
        channel: kind,
        status,
        total,
        remark: format!("[{channel} {}] {}", r.number, r.remark).trim().to_string(),
        contact_user: r.contact.clone(),
        phone: r.phone.clone(),
        created_at: time_text(created),
        updated_at: now_text(),
        lines: lines.clone(),
    });
    orders::insert(tx, &o, &lines, None, local_hour, seq)?;
    journal::append(tx, journal::Entry {
        actor: ACTOR,
        entity: "order",
        entity_ref: &client_ref,
        action: "channel_order",
        before: None,
        after: Some(status.as_str()),
        detail: Some(format!("[{channel}] {} {} {} lines, total {total}", kind.as_str(), r.number, lines.len())),
    })?;
    Ok(o)
}

// ---- background ---------------------------------------------------------------------------

pub struct ChannelHandle {
    pub id: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ChannelHandle {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts one channel's worker on the current runtime: pushes whenever a row is due or a
/// command pokes, pulls every `pull_interval` (backing off while the channel is down).
pub fn spawn(app: Arc<App>, ch: Arc<dyn OrderChannel>, cfg: ChannelConfig) -> ChannelHandle {
    let (stop, mut stopped) = watch::channel(false);
    let id = ch.id().to_string();
    let mut poke = waker().subscribe();
    let task = tokio::spawn(async move {
        let mut next_pull = Instant::now();
        let mut down: u32 = 0;
        loop {
            let full = Instant::now() >= next_pull;
            let s = run_round(&app, ch.as_ref(), &cfg, full).await;
            if full {
                if s.online {
                    down = 0;
                    next_pull = Instant::now() + cfg.pull_interval;
                } else {
                    down = down.saturating_add(1);
                    next_pull = Instant::now() + crate::sync::plan::backoff(down, cfg.pull_interval, cfg.backoff_cap.max(cfg.pull_interval), rand::random::<f64>());
                }
            }
            let until_pull = next_pull.saturating_duration_since(Instant::now());
            let wait = next_wait(&app, ch.id(), until_pull.max(Duration::from_millis(5))).min(until_pull).max(Duration::from_millis(5));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                r = poke.changed() => {
                    if r.is_err() { tokio::time::sleep(wait).await; }
                    // The poking transaction commits right after the poke.
                    tokio::time::sleep(Duration::from_millis(15)).await;
                }
                _ = stopped.changed() => break,
            }
            if *stopped.borrow() {
                break;
            }
        }
    });
    ChannelHandle { id, stop, task }
}

/// Workers for every enabled channel of the store (the primary has its own engine).
pub fn start_for_app(app: Arc<App>, cfg: ChannelConfig) -> Vec<ChannelHandle> {
    let specs = super::configured(app.ledger().read());
    let secrets = match super::load_secrets(app.data_dir()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("storepos channels: {}", e.message_en);
            return vec![];
        }
    };
    let store_id = app.config().store_id;
    let mut out = vec![];
    for spec in specs.into_iter().filter(|c| c.enabled && c.dialect != super::Dialect::RestStore) {
        let secret = secrets.get(&spec.id).cloned().unwrap_or_default();
        match super::build(&spec, &secret, store_id) {
            Ok(ch) => out.push(spawn(app.clone(), ch, cfg.clone())),
            Err(e) => eprintln!("storepos channels: {} not started: {e}", spec.id),
        }
    }
    out
}
