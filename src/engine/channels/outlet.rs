//! The other channels (omnichannel center, mall API) as an [`Outlet`] of the outbox
//! engine: report a till sale (looked up by our `client_ref` before any resend), tell a
//! status move, carry out a person's action on a channel's order. The drain, backoff and
//! bookkeeping are the engine's; this file knows what each operation means here.

use chrono::Utc;
use futures::future::BoxFuture;
use serde_json::Value;

use super::{mirror_of, ACTOR};
use crate::app::App;
use crate::clients::channels::{ChannelAction, ChannelError, OrderChannel, RemoteOrder, SaleReport, Tell};
use crate::domain::order::{Conflict, SyncState};
use crate::engine::outbox::steps::{drive, Calls, End};
use crate::engine::outbox::{
    blocking, policy, Expect, Family, Hold, HoldKind, Job, Known, Observed, Op, Outcome, Outlet, Tally,
};
use crate::ledger::channels::{self as store, MirrorRow};
use crate::ledger::{journal, now_text, orders, LedgerError};

pub struct ChannelOutlet<'c> {
    ch: &'c dyn OrderChannel,
}

impl<'c> ChannelOutlet<'c> {
    pub fn new(ch: &'c dyn OrderChannel) -> ChannelOutlet<'c> {
        ChannelOutlet { ch }
    }
}

impl Outlet for ChannelOutlet<'_> {
    fn channel(&self) -> &str {
        self.ch.id()
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job<'a>, t: &'a mut Tally) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let op = Run { app, ch: self.ch, job };
            match &job.op {
                Op::Report { from_client } => op.report(t, *from_client).await,
                Op::Status { to, .. } => op.status(t, *to).await,
                Op::ChannelAction { remote_id, action } => {
                    match serde_json::from_value::<ChannelAction>(action.clone()) {
                        Ok(a) => op.action(t, remote_id, &a).await,
                        Err(_) => op.conflict(t, "无法识别的渠道操作", None, None),
                    }
                }
                other => op.conflict(t, &format!("渠道不处理「{}」操作", other.tag()), None, None),
            }
        })
    }
}

/// A failed channel call as the policy sees it.
fn observe(e: &ChannelError) -> Observed {
    match e {
        ChannelError::Refused { message, .. } => Observed::Refused(message.clone()),
        ChannelError::Unsupported { what } => Observed::Refused(what.clone()),
        ChannelError::Server { .. } => Observed::ServerError,
        ChannelError::Timeout | ChannelError::Reset { .. } | ChannelError::Undecodable { .. } => Observed::Unknown,
        ChannelError::NotFound { detail } | ChannelError::Http { detail, .. } => Observed::Refused(detail.clone()),
        ChannelError::Connect { .. } | ChannelError::Auth { .. } => Observed::Unreached,
    }
}

fn note_offline(t: &mut Tally, e: &ChannelError) {
    if e.is_offline() || matches!(e, ChannelError::Auth { .. }) {
        t.online = false;
    }
    if matches!(e, ChannelError::Connect { .. } | ChannelError::Auth { .. }) {
        t.unreachable = true;
    }
}

struct Run<'a> {
    app: &'a App,
    ch: &'a dyn OrderChannel,
    job: &'a Job<'a>,
}

impl Run<'_> {
    fn stream(&self) -> &str {
        &self.job.row.stream
    }

    fn premark(&self) -> Result<(), LedgerError> {
        self.job.mark_sending(self.app)
    }

    fn retry(&self, t: &mut Tally, e: &ChannelError) -> Outcome {
        note_offline(t, e);
        let r = policy::Retry {
            unknown: self.job.row.unknown || e.may_have_applied(),
            checks: self.job.row.checks,
            ambiguous: self.job.row.ambiguous,
            reason: e.to_string(),
        };
        if self.job.row.attempts >= self.job.cfg.limits.max_attempts as i64 && e.may_have_applied() {
            return self.conflict(t, &format!("多次同步失败，已暂停：{e}"), None, None);
        }
        self.job.retry(self.app, t, &r)
    }

    fn retry_ledger(&self, t: &mut Tally, e: &LedgerError) -> Outcome {
        let r = policy::Retry {
            unknown: self.job.row.unknown,
            checks: self.job.row.checks,
            ambiguous: self.job.row.ambiguous,
            reason: format!("ledger: {e}"),
        };
        self.job.retry(self.app, t, &r)
    }

    /// Holds the operation, flags the mirror (and the local order when it came from this
    /// channel), writes a journal row and tells people.
    fn conflict(
        &self,
        t: &mut Tally,
        message: &str,
        platform_message: Option<String>,
        back: Option<&RemoteOrder>,
    ) -> Outcome {
        self.hold(t, HoldKind::Refused, message, platform_message, back)
    }

    fn hold(
        &self,
        t: &mut Tally,
        kind: HoldKind,
        message: &str,
        platform_message: Option<String>,
        back: Option<&RemoteOrder>,
    ) -> Outcome {
        let channel = self.ch.id();
        let stream = self.stream().to_string();
        let detail = format!(
            "[{channel}] {}: {message}{}",
            self.job.row.op,
            platform_message.as_ref().map(|m| format!(" (渠道：{m})")).unwrap_or_default()
        );
        let h = Hold {
            kind,
            message: format!("[{channel}] {message}"),
            platform_message: platform_message.clone(),
            read: None,
        };
        self.job.hold(self.app, t, &h, &detail, |tx| {
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
                        let c = Conflict {
                            message: message.to_string(),
                            platform_message: platform_message.clone(),
                            at: now_text(),
                        };
                        orders::set_sync_state(tx, o.id, SyncState::Conflict, Some(&c))?;
                    }
                }
            }
            journal::append(
                tx,
                journal::Entry {
                    actor: ACTOR,
                    entity: "order",
                    entity_ref: &stream,
                    action: "channel_conflict",
                    before: None,
                    after: None,
                    detail: Some(detail.clone()),
                },
            )?;
            Ok(())
        })
    }

    fn done_with(&self, t: &mut Tally, mirror: Option<MirrorRow>) -> Outcome {
        let channel = self.ch.id();
        let stream = self.stream().to_string();
        let row_id = self.job.row.id;
        let r = blocking(|| {
            self.app.ledger().write(|tx| -> Result<(), LedgerError> {
                if let Some(m) = &mirror {
                    store::upsert(tx, m)?;
                    store::set_conflict(tx, channel, &m.remote_id, None)?;
                }
                crate::ledger::outbox::mark_done(tx, row_id)?;
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
            })
        });
        match r {
            Ok(()) => Outcome::Done,
            Err(e) => self.retry_ledger(t, &e),
        }
    }

    // ---- report: a till sale, created on the channel exactly once ------------------------

    async fn report(&self, t: &mut Tally, from_client: i64) -> Outcome {
        let channel = self.ch.id();
        let (order, known) = blocking(|| {
            let ledger = self.app.ledger();
            (orders::get(ledger.read(), self.stream()), store::by_client_ref(ledger.read(), channel, self.stream()))
        });
        let order = match order {
            Ok(Some(o)) => o,
            Ok(None) => return self.conflict(t, "本地没有这张订单", None, None),
            Err(e) => return self.retry_ledger(t, &e),
        };
        let mut k = self.job.known(Family::Create { verify: false });
        k.adopted = matches!(known, Ok(Some(_)));
        let created = chrono::DateTime::parse_from_rfc3339(&order.created_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc::now());
        let mut calls = ReportCalls { ch: self.ch, order: &order, from_client, created, got: None };
        let end = drive(self.app, self.job, k, &self.job.cfg.limits, &mut calls, t).await;
        match end {
            End::Done(_) => self.done_with(t, None),
            End::Adopt(_) => {
                let m = calls
                    .got
                    .as_ref()
                    .map(|r| mirror_of(channel, r, "ours", Some(&order.client_ref), &order.business_day));
                self.done_with(t, m)
            }
            End::Retry(r) => self.job.retry(self.app, t, &r),
            End::Hold(h) if h.kind == HoldKind::Refused => {
                self.hold(t, h.kind, "渠道拒绝了这笔销售", h.platform_message, None)
            }
            End::Hold(h) => self.hold(t, h.kind, &h.message, h.platform_message, None),
            End::Stopped(out) => out,
        }
    }

    // ---- status: a status move of an order the channel holds ------------------------------

    async fn status(&self, t: &mut Tally, to: Expect) -> Outcome {
        let channel = self.ch.id();
        let tell = match to {
            Expect::LeftStore => Tell::Reject,
            Expect::Status(st) => Tell::Status(st),
        };
        let m = match blocking(|| store::by_client_ref(self.app.ledger().read(), channel, self.stream())) {
            Ok(Some(m)) => m,
            Ok(None) => return self.conflict(t, "渠道上还没有这张订单", None, None),
            Err(e) => return self.retry_ledger(t, &e),
        };
        let pickup = m.detail.get("pickup").and_then(Value::as_bool).unwrap_or(true);
        // `tell` reads the order first and sends only what is still missing.
        match self.ch.tell(&m.remote_id, pickup, tell).await {
            Ok(r) => {
                let mut fresh = mirror_of(channel, &r, &m.origin, m.client_ref.as_deref(), &m.business_day);
                fresh.created_at = m.created_at.clone();
                self.done_with(t, Some(fresh))
            }
            Err(ChannelError::Unsupported { what }) => {
                // Nothing in this channel's API says it: recorded, not sent.
                let note = format!("[{channel}] not told: {what}");
                let to_s = to.as_str();
                let _ = blocking(|| {
                    self.app.ledger().write(|tx| {
                        journal::append(
                            tx,
                            journal::Entry {
                                actor: ACTOR,
                                entity: "order",
                                entity_ref: self.stream(),
                                action: "channel_not_told",
                                before: None,
                                after: Some(to_s),
                                detail: Some(note.clone()),
                            },
                        )
                    })
                });
                self.done_with(t, None)
            }
            Err(e @ ChannelError::Refused { .. }) | Err(e @ ChannelError::NotFound { .. }) => {
                let back = self.ch.get_order(&m.remote_id).await.ok();
                self.conflict(t, "渠道拒绝了状态变更", Some(e.to_string()), back.as_ref())
            }
            Err(e) => self.retry(t, &e),
        }
    }

    // ---- action: a person's action on a channel's order ----------------------------------

    async fn action(&self, t: &mut Tally, remote_id: &str, action: &ChannelAction) -> Outcome {
        let channel = self.ch.id();
        let keep = |r: &RemoteOrder| -> Option<MirrorRow> {
            let old = store::get(self.app.ledger().read(), channel, &r.remote_id).ok().flatten();
            let day = old
                .as_ref()
                .map(|o| o.business_day.clone())
                .unwrap_or_else(|| self.app.config().rule.day_of(Utc::now()).to_string());
            let mut m = mirror_of(
                channel,
                r,
                old.as_ref().map(|o| o.origin.as_str()).unwrap_or("theirs"),
                old.as_ref().and_then(|o| o.client_ref.as_deref()),
                &day,
            );
            if let Some(o) = old {
                m.created_at = o.created_at;
            }
            Some(m)
        };
        // Read first: an earlier attempt whose answer was lost may have done it already.
        let cur = match self.ch.get_order(remote_id).await {
            Ok(c) => c,
            Err(e @ ChannelError::NotFound { .. }) => {
                return self.conflict(t, "渠道上没有这张订单", Some(e.to_string()), None)
            }
            Err(e) => return self.retry(t, &e),
        };
        if action.holds(&cur) {
            return self.done_with(t, keep(&cur));
        }
        if let Err(e) = self.premark() {
            t.error(format!("outbox: {e}"));
            return Outcome::Retry;
        }
        match self.ch.action(remote_id, action).await {
            Ok(_) => match self.ch.get_order(remote_id).await {
                Ok(back) => self.done_with(t, keep(&back)),
                Err(_) => self.done_with(t, None),
            },
            Err(e @ (ChannelError::Refused { .. } | ChannelError::Unsupported { .. })) => {
                let back = self.ch.get_order(remote_id).await.ok();
                if back.as_ref().map(|b| action.holds(b)).unwrap_or(false) {
                    return self.done_with(t, back.as_ref().and_then(keep));
                }
                if let Some(b) = &back {
                    if let Some(m) = keep(b) {
                        let _ = self.app.ledger().write(|tx| store::upsert(tx, &m));
                    }
                }
                let out = self.conflict(t, &format!("渠道拒绝了操作「{}」", action.name()), Some(e.to_string()), None);
                let detail =
                    format!("[{channel}] {}: 渠道拒绝了操作「{}」 (渠道：{e})", self.job.row.op, action.name());
                let _ = self.app.ledger().write(|tx| store::set_conflict(tx, channel, remote_id, Some(&detail)));
                out
            }
            Err(e) => self.retry(t, &e),
        }
    }
}

// ---- report's calls ---------------------------------------------------------------------

/// A till sale reported to a channel: looked up by our `client_ref` before any resend.
struct ReportCalls<'r> {
    ch: &'r dyn OrderChannel,
    order: &'r crate::domain::order::Order,
    from_client: i64,
    created: chrono::DateTime<Utc>,
    got: Option<RemoteOrder>,
}

impl Calls for ReportCalls<'_> {
    async fn send(&mut self, _k: &Known, t: &mut Tally) -> Observed {
        let lines = self.order.lines.clone().unwrap_or_default();
        let sale = SaleReport {
            client_ref: self.order.client_ref.clone(),
            from_client: self.from_client,
            remark: self.order.remark.clone(),
            items: lines
                .iter()
                .map(|l| {
                    let sku = match l.specification_id {
                        Some(sp) => format!("{}-{sp}", l.product_id),
                        None => l.product_id.to_string(),
                    };
                    (sku, l.quantity)
                })
                .collect(),
            created_at: self.created,
        };
        match self.ch.report_sale(&sale).await {
            Ok(r) => {
                let id = r.remote_id.clone();
                self.got = Some(r);
                Observed::Created(id)
            }
            Err(e) => {
                note_offline(t, &e);
                observe(&e)
            }
        }
    }

    async fn look_up(&mut self, _k: &Known, t: &mut Tally) -> Observed {
        match self.ch.find_sale(&self.order.client_ref, self.created).await {
            Ok(Some(r)) => {
                t.lookups_found += 1;
                let id = r.remote_id.clone();
                self.got = Some(r);
                Observed::Found(id)
            }
            Ok(None) => {
                t.lookups_absent += 1;
                Observed::Absent
            }
            Err(e) => {
                note_offline(t, &e);
                t.error(format!("{} lookup: {e}", self.ch.id()));
                Observed::ReadFailed
            }
        }
    }
}
