//! The platform (`/rest/store`) as an [`Outlet`] of the outbox engine: counter
//! order creates, order actions and after-sales services.
//!
//! Every operation is a loop: ask the policy (`crate::engine::outbox::policy::next`) for the next
//! step, do it (a request, a read, a ledger write), turn what came back into an
//! observation, ask again. What this file knows is the platform's protocol: which call
//! does a step, what its answers mean, what a done or held operation writes locally.
//!
//! Creates from one platform account go one at a time (the account's creates in the same
//! millisecond would share an order number, and concurrent creates deadlock in the
//! platform's database); reads, actions and services stay concurrent.

use chrono::Utc;
use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::plan::{
    self, classify_create, classify_put, classify_service, lookup_window, scan_orders, scan_services, LocalUpdate,
    ReadBack, Scan,
};
use super::SyncConfig;
use crate::app::{App, Event};
use crate::clients::platform::client::{CreateExtras, NewItem, OrderQuery, Platform, PlatformError, ServiceQuery};
use crate::clients::platform::wire::ServiceRow;
use crate::domain::member::MemberState;
use crate::domain::order::{client_ref_marker, generation_marker, Channel, Conflict, Order, Status, SyncState};
use crate::domain::transitions::Action;
use crate::domain::Money;
use crate::engine::outbox::steps::{drive, Calls, End};
use crate::engine::outbox::{blocking, policy, Family, Hold, Job, Known, Observed, Op, Outcome, Outlet, Reach, Tally};
use crate::ledger::after_sales::{self, Service};
use crate::ledger::customers::{self, SaleCustomer};
use crate::ledger::outbox::{self, PLATFORM_CHANNEL};
use crate::ledger::{journal, now_text, orders, LedgerError};

pub const ACTOR: &str = "sync";

pub struct RestOutlet<'c> {
    client: &'c dyn Platform,
    cfg: &'c SyncConfig,
    /// One create at a time for this platform account from this till, shared by every
    /// outlet that drains this till's ledger as the account (the background engine, a
    /// manual "sync now"). Another till is another machine: nothing here can order its
    /// creates against ours, so collisions with it are met by verification instead.
    creates: crate::app::CreateLane,
}

/// The least time between a create's answer and the next create from the same lane
/// (strictly more than the platform clock's millisecond).
const CREATE_GAP: std::time::Duration = std::time::Duration::from_micros(1500);

impl<'c> RestOutlet<'c> {
    pub fn new(client: &'c dyn Platform, cfg: &'c SyncConfig, app: &App) -> RestOutlet<'c> {
        RestOutlet { client, cfg, creates: app.create_lane(&client.account()) }
    }
}

impl Outlet for RestOutlet<'_> {
    fn channel(&self) -> &str {
        PLATFORM_CHANNEL
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job<'a>, t: &'a mut Tally) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let x = Run { app, job, client: self.client, cfg: self.cfg, outlet: self };
            match &job.op {
                Op::Create => x.create(t).await,
                Op::Action { action, expect } => match Action::parse(action) {
                    Some(a) => x.action(t, a, *expect).await,
                    None => x.hold_local(t, format!("无法识别的订单操作「{action}」")),
                },
                Op::AfterSales { service, marker, .. } => {
                    let marker = marker.clone().unwrap_or_else(|| client_ref_marker(service));
                    x.after_sales(t, service, &marker).await
                }
                other => x.hold_local(t, format!("主平台不处理「{}」操作", other.tag())),
            }
        })
    }
}

pub(crate) fn journal_entry<'a>(
    entity: &'a str,
    entity_ref: &'a str,
    action: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    detail: Option<String>,
) -> journal::Entry<'a> {
    journal::Entry { actor: ACTOR, entity, entity_ref, action, before, after, detail }
}

/// The remark a create carries: the cashier's words, then our marker.
pub fn compose_remark(human: &str, marker: &str) -> String {
    let h = human.trim();
    if h.is_empty() {
        marker.to_string()
    } else {
        format!("{h} {marker}")
    }
}

fn money_number(m: Money) -> Value {
    m.to_string().parse::<serde_json::Number>().map(Value::Number).unwrap_or(Value::Null)
}

fn parse_utc(s: &str) -> Option<chrono::DateTime<Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// Did a failed read or lookup show the platform unreachable?
fn note_offline(t: &mut Tally, e: &PlatformError) {
    if e.is_offline() || matches!(e, PlatformError::LoginFailed { .. }) {
        t.online = false;
    }
    if matches!(e, PlatformError::Connect { .. } | PlatformError::LoginFailed { .. }) {
        t.unreachable = true;
    }
}

struct Run<'a> {
    app: &'a App,
    job: &'a Job<'a>,
    client: &'a dyn Platform,
    cfg: &'a SyncConfig,
    outlet: &'a RestOutlet<'a>,
}

impl Run<'_> {
    fn stream(&self) -> &str {
        &self.job.row.stream
    }

    fn retry(&self, t: &mut Tally, r: &policy::Retry) -> Outcome {
        self.job.retry(self.app, t, r)
    }

    /// A conflict found locally (nothing the platform said).
    fn hold_local(&self, t: &mut Tally, message: String) -> Outcome {
        let h = Hold { kind: policy::HoldKind::Refused, message, platform_message: None, read: None };
        self.hold(t, &h)
    }

    /// Holds the operation: the order (or service) is flagged with the platform's words,
    /// the platform's state taken when it was read, a journal row written.
    fn hold(&self, t: &mut Tally, h: &Hold) -> Outcome {
        let stream = self.stream().to_string();
        let row = self.job.row;
        let detail = format!(
            "{}: {}{}",
            row.op,
            h.message,
            h.platform_message.as_ref().map(|m| format!(" (平台：{m})")).unwrap_or_default()
        );
        let service_id = match &self.job.op {
            Op::AfterSales { id, .. } => *id,
            _ => None,
        };
        let is_service = matches!(self.job.op, Op::AfterSales { .. });
        let at = now_text();
        self.job.hold(self.app, t, h, &detail, |tx| {
            if let Some(o) = orders::get(tx, &stream)? {
                let c = Conflict {
                    message: h.message.clone(),
                    platform_message: h.platform_message.clone(),
                    at: at.clone(),
                };
                orders::set_sync_state(tx, o.id, SyncState::Conflict, Some(&c))?;
                match h.read {
                    Some(Reach::Ours(st)) if st != o.status => {
                        orders::set_status(tx, o.id, st)?;
                        journal::append(
                            tx,
                            journal_entry(
                                "order",
                                &stream,
                                "platform_status",
                                Some(o.status.as_str()),
                                Some(st.as_str()),
                                Some("refreshed from the platform on conflict".into()),
                            ),
                        )?;
                    }
                    Some(Reach::Gone) if o.channel != Channel::Counter && !o.left_store => {
                        orders::set_left_store(tx, o.id)?;
                        journal::append(
                            tx,
                            journal_entry(
                                "order",
                                &stream,
                                "platform_status",
                                Some(o.status.as_str()),
                                Some("LEFT_STORE"),
                                Some("the platform no longer lists it in this store".into()),
                            ),
                        )?;
                    }
                    _ => {}
                }
            }
            if let Some(id) = service_id {
                after_sales::set_conflict(tx, id, &detail)?;
            }
            journal::append(
                tx,
                journal_entry(
                    if is_service { "after_sales" } else { "order" },
                    &stream,
                    "sync_conflict",
                    None,
                    None,
                    Some(detail.clone()),
                ),
            )?;
            Ok(())
        })
    }

    fn load_order(&self) -> Result<Option<Order>, LedgerError> {
        blocking(|| orders::get(self.app.ledger().read(), self.stream()))
    }

    // ---- create ------------------------------------------------------------------------

    async fn create(&self, t: &mut Tally) -> Outcome {
        let order = match self.load_order() {
            Ok(Some(o)) => o,
            Ok(None) => return self.hold_local(t, "本地找不到该订单".into()),
            Err(e) => {
                return self.retry(
                    t,
                    &policy::Retry { unknown: self.job.row.unknown, checks: 0, ambiguous: 0, reason: e.to_string() },
                )
            }
        };
        let lines = order.lines.clone().unwrap_or_default();
        // The field server stores a line of quantity 0 or less: never send one.
        if let Some(l) = lines.iter().find(|l| l.quantity <= 0) {
            return self.hold_local(t, format!("订单行「{}」数量为 {}，平台会照单保存：请先改正", l.name, l.quantity));
        }
        let mut k = self.job.known(Family::Create { verify: true });
        k.adopted = order.order_number.is_some();
        // The customer (seed 000 contact / invoice): read at each attempt, so a member the
        // cashier dropped meanwhile is not sent again. The marker look-up before any resend
        // still finds an order an earlier attempt stored.
        let customer = blocking(|| customers::get(self.app.ledger().read(), &order.client_ref)).ok().flatten();
        let extras = create_extras(customer.as_ref());
        let mut calls =
            CreateCalls { run: self, order: &order, lines: &lines, extras, server_error: false, member_seen: None };
        let end = drive(self.app, self.job, k, &self.cfg.limits(), &mut calls, t).await;
        let (server_error, member_seen) = (calls.server_error, calls.member_seen);
        if let Some(c) =
            customer.as_ref().filter(|c| c.member_phone.is_some() && c.member_state == MemberState::Pending)
        {
            self.note_member(&order, c, &end, server_error, member_seen);
        }
        match end {
            End::Adopt(n) => self.adopt(t, &order, &n),
            End::Done(_) => self.adopt(t, &order, order.order_number.as_deref().unwrap_or_default()),
            End::Retry(r) => self.retry(t, &r),
            End::Hold(h) => self.hold(t, &h),
            End::Stopped(out) => out,
        }
    }

    /// What the platform made of the sale's member: attached (read back: the order's user
    /// is no longer the clerk), not a member, or — a create that failed on the server —
    /// one more failure, which after a few puts the choice to the cashier.
    fn note_member(
        &self,
        order: &Order,
        c: &SaleCustomer,
        end: &End,
        server_error: bool,
        member_seen: Option<Option<i64>>,
    ) {
        let r = blocking(|| {
            self.app.ledger().write(|tx| -> Result<(), LedgerError> {
                match (end, member_seen) {
                    (End::Adopt(_) | End::Done(_), Some(Some(user))) => {
                        customers::set_state(tx, &c.client_ref, MemberState::Matched, Some(user))
                    }
                    (End::Adopt(_) | End::Done(_), Some(None)) => {
                        customers::set_state(tx, &c.client_ref, MemberState::NotMember, None)
                    }
                    (End::Retry(_), _) if server_error => {
                        let n = customers::count_failure(tx, &c.client_ref)?;
                        tracing::warn!(failures = n, "create with a member failed on the platform");
                        Ok(())
                    }
                    _ => Ok(()),
                }
            })
        });
        if let Err(e) = r {
            tracing::warn!("member state not recorded: {e}");
        }
        self.app.publish(Event::OrderChanged {
            client_ref: order.client_ref.clone(),
            status: order.status.as_str().into(),
        });
    }

    /// The number reaches another order: remember the platform order that carries our
    /// marker but cannot be reached (a manager has it voided), and start over under the
    /// next marker generation. One transaction.
    async fn recreate(&self, order: &Order, stray: &str, generation: u32) -> Result<(), LedgerError> {
        // What the number reaches instead, for the manager's note (best effort).
        let reaches = self.client.order_detail(stray).await.ok().map(|po| po.remark);
        let row_id = self.job.row.id;
        let next = generation + 1;
        blocking(|| {
            self.app.ledger().write(|tx| -> Result<(), LedgerError> {
                outbox::record_stray(tx, &order.client_ref, stray, generation, reaches.as_deref())?;
                outbox::next_generation(tx, row_id, next)?;
                journal::append(
                    tx,
                    journal_entry(
                        "order",
                        &order.client_ref,
                        "platform_stray",
                        Some(stray),
                        None,
                        Some(format!(
                            "platform number {stray} reaches another order; created again as generation {next}"
                        )),
                    ),
                )?;
                Ok(())
            })
        })
    }

    fn adopt(&self, t: &mut Tally, order: &Order, number: &str) -> Outcome {
        let row_id = self.job.row.id;
        let r = blocking(|| {
            self.app.ledger().write(|tx| -> Result<(), LedgerError> {
                if order.order_number.as_deref() != Some(number) {
                    orders::set_order_number(tx, order.id, number)?;
                }
                outbox::mark_done(tx, row_id)?;
                journal::append(
                    tx,
                    journal_entry("order", &order.client_ref, "sync_create", None, Some(number), None),
                )?;
                if !outbox::later_pending(tx, PLATFORM_CHANNEL, &order.client_ref, row_id)? {
                    orders::set_sync_state(tx, order.id, SyncState::Synced, None)?;
                }
                Ok(())
            })
        });
        match r {
            Ok(()) => {
                tracing::info!(order_number = number, "platform number adopted");
                self.app.publish(Event::OrderChanged {
                    client_ref: order.client_ref.clone(),
                    status: order.status.as_str().into(),
                });
                Outcome::Done
            }
            Err(LedgerError::Constraint(m)) => {
                let h = Hold {
                    kind: policy::HoldKind::NotOurs,
                    message: format!("平台订单号 {number} 已属于另一本地订单"),
                    platform_message: Some(m),
                    read: None,
                };
                self.hold(t, &h)
            }
            Err(e) => self.retry(t, &policy::Retry { unknown: true, checks: 0, ambiguous: 0, reason: e.to_string() }),
        }
    }

    // ---- action ------------------------------------------------------------------------

    async fn action(&self, t: &mut Tally, action: Action, expect: crate::engine::outbox::Expect) -> Outcome {
        let order = match self.load_order() {
            Ok(Some(o)) => o,
            Ok(None) => return self.hold_local(t, "本地找不到该订单".into()),
            Err(e) => {
                return self.retry(
                    t,
                    &policy::Retry { unknown: false, checks: self.job.row.checks, ambiguous: 0, reason: e.to_string() },
                )
            }
        };
        let Some(number) = order.order_number.clone() else {
            return self.hold_local(t, "订单尚未在平台上建立，无法同步该操作".into());
        };
        let k = self.job.known(Family::Action { channel: order.channel, action, expect });
        let mut calls = ActionCalls { run: self, order: &order, number: &number, action, sent: false, refused: None };
        match drive(self.app, self.job, k, &self.cfg.limits(), &mut calls, t).await {
            End::Done(read) => self.finish_action(t, &order, expect, read),
            End::Retry(r) => self.retry(t, &r),
            End::Hold(h) => self.hold(t, &h),
            End::Stopped(out) => out,
            End::Adopt(_) => self.retry(
                t,
                &policy::Retry {
                    unknown: false,
                    checks: self.job.row.checks,
                    ambiguous: 0,
                    reason: "no outcome within one run".into(),
                },
            ),
        }
    }

    fn finish_action(
        &self,
        t: &mut Tally,
        order: &Order,
        expect: crate::engine::outbox::Expect,
        read: Option<Status>,
    ) -> Outcome {
        let stream = order.client_ref.clone();
        let row = self.job.row;
        let r = blocking(|| {
            self.app.ledger().write(|tx| -> Result<Option<Status>, LedgerError> {
                outbox::mark_done(tx, row.id)?;
                let cur = orders::require(tx, &stream)?;
                let more = outbox::later_pending(tx, PLATFORM_CHANNEL, &stream, row.id)?;
                let mut status = None;
                match read {
                    Some(st) if !more && st != cur.status => {
                        orders::set_status(tx, cur.id, st)?;
                        journal::append(
                            tx,
                            journal_entry(
                                "order",
                                &stream,
                                "platform_status",
                                Some(cur.status.as_str()),
                                Some(st.as_str()),
                                None,
                            ),
                        )?;
                        status = Some(st);
                    }
                    None if expect == crate::engine::outbox::Expect::LeftStore && !cur.left_store => {
                        orders::set_left_store(tx, cur.id)?
                    }
                    _ => {}
                }
                let name = match &self.job.op {
                    Op::Action { action, .. } => action.as_str(),
                    _ => "",
                };
                journal::append(tx, journal_entry("order", &stream, "sync_action", None, Some(name), None))?;
                if !more && cur.sync_state != SyncState::Conflict {
                    orders::set_sync_state(tx, cur.id, SyncState::Synced, None)?;
                }
                Ok(status)
            })
        });
        match r {
            Ok(st) => {
                if let Some(st) = st {
                    self.app.publish(Event::OrderChanged { client_ref: stream, status: st.as_str().into() });
                }
                Outcome::Done
            }
            Err(e) => self.retry(t, &policy::Retry { unknown: false, checks: 0, ambiguous: 0, reason: e.to_string() }),
        }
    }

    // ---- after-sales -------------------------------------------------------------------

    async fn after_sales(&self, t: &mut Tally, service_ref: &str, marker: &str) -> Outcome {
        let loaded = blocking(|| {
            let ledger = self.app.ledger();
            after_sales::get(ledger.read(), service_ref).and_then(|svc| {
                let order = match svc.as_ref().and_then(|x| x.order_client_ref.clone()) {
                    Some(r) => orders::get(ledger.read(), &r)?,
                    None => None,
                };
                Ok((svc, order))
            })
        });
        let (svc, order) = match loaded {
            Ok((Some(svc), order)) => (svc, order),
            Ok((None, _)) => return self.hold_local(t, "本地找不到该售后单".into()),
            Err(e) => {
                return self.retry(
                    t,
                    &policy::Retry {
                        unknown: self.job.row.unknown,
                        checks: self.job.row.checks,
                        ambiguous: 0,
                        reason: e.to_string(),
                    },
                )
            }
        };
        if svc.service_number.is_some() && svc.sync_state == SyncState::Synced {
            return self.finish_service(t, &svc, order.as_ref(), None).await;
        }
        if svc.order_client_ref.is_some() && svc.order_number.is_none() {
            return self.hold_local(t, "售后单所属订单尚未在平台上建立".into());
        }
        let k = self.job.known(Family::Service { walk_in: svc.order_client_ref.is_none() });
        let mut calls = ServiceCalls { run: self, svc: &svc, marker, hit: None };
        let end = drive(self.app, self.job, k, &self.cfg.limits(), &mut calls, t).await;
        let hit = calls.hit;
        match end {
            End::Adopt(_) => self.finish_service(t, &svc, order.as_ref(), hit).await,
            End::Retry(r) => self.retry(t, &r),
            End::Hold(h) => {
                let read = self.refresh_read(order.as_ref()).await;
                self.hold(t, &Hold { read: read.or(h.read), ..h })
            }
            End::Stopped(out) => out,
            End::Done(_) => self.retry(
                t,
                &policy::Retry {
                    unknown: false,
                    checks: self.job.row.checks,
                    ambiguous: 0,
                    reason: "no outcome within one run".into(),
                },
            ),
        }
    }

    async fn refresh_read(&self, order: Option<&Order>) -> Option<Reach> {
        let o = order?;
        let n = o.order_number.clone()?;
        read_back_ours(self.client, &n, o).await.ok()
    }

    async fn finish_service(
        &self,
        t: &mut Tally,
        svc: &Service,
        order: Option<&Order>,
        hit: Option<ServiceRow>,
    ) -> Outcome {
        // The service moves its order (CANCELED_RETURN_PENDING, CLOSED_REFUNDED): read it.
        let rb = self.refresh_read(order).await;
        let stream = self.stream().to_string();
        let row_id = self.job.row.id;
        let r = blocking(|| {
            self.app.ledger().write(|tx| -> Result<Option<Status>, LedgerError> {
                if let Some(h) = &hit {
                    let status = Some(h.status.as_str()).filter(|x| !x.is_empty());
                    after_sales::set_synced(
                        tx,
                        svc.id,
                        Some(h.service_number.as_str()).filter(|x| !x.is_empty()),
                        status,
                        h.refund_fee,
                    )?;
                    journal::append(
                        tx,
                        journal_entry(
                            "after_sales",
                            &svc.client_ref,
                            "sync_after_sales",
                            None,
                            Some(&h.service_number),
                            h.refund_fee.map(|m| format!("platform refund_fee {m}")),
                        ),
                    )?;
                }
                outbox::mark_done(tx, row_id)?;
                let mut changed = None;
                if let Some(o) = order {
                    let cur = orders::require(tx, &o.client_ref)?;
                    let more = outbox::later_pending(tx, PLATFORM_CHANNEL, &stream, row_id)?;
                    if let Some(Reach::Ours(st)) = rb {
                        match plan::platform_update(cur.channel, cur.status, st, more, true) {
                            LocalUpdate::Take(st) | LocalUpdate::TakeWithConflict(st, _) => {
                                orders::set_status(tx, cur.id, st)?;
                                journal::append(
                                    tx,
                                    journal_entry(
                                        "order",
                                        &cur.client_ref,
                                        "platform_status",
                                        Some(cur.status.as_str()),
                                        Some(st.as_str()),
                                        Some("after-sales".into()),
                                    ),
                                )?;
                                changed = Some(st);
                            }
                            LocalUpdate::Nothing | LocalUpdate::Wait => {}
                        }
                    }
                    if !more && cur.sync_state == SyncState::Pending {
                        orders::set_sync_state(tx, cur.id, SyncState::Synced, None)?;
                    }
                }
                Ok(changed)
            })
        });
        match r {
            Ok(changed) => {
                if let (Some(st), Some(o)) = (changed, order) {
                    self.app
                        .publish(Event::OrderChanged { client_ref: o.client_ref.clone(), status: st.as_str().into() });
                }
                Outcome::Done
            }
            Err(e) => self.retry(t, &policy::Retry { unknown: false, checks: 0, ambiguous: 0, reason: e.to_string() }),
        }
    }
}

// ---- the calls each step makes ------------------------------------------------------------

/// A counter order's create: sent one at a time per account, looked up by its marker,
/// its number verified by reading it back.
struct CreateCalls<'r, 'a> {
    run: &'r Run<'a>,
    order: &'r Order,
    lines: &'r [crate::domain::order::OrderLine],
    extras: CreateExtras,
    /// The last create answered 5xx (the member services failing answer so).
    server_error: bool,
    /// From the read-back of our order: Some(member's user id) or Some(None) (no member).
    member_seen: Option<Option<i64>>,
}

/// The create's customer fields: none once the cashier dropped the member (the invoice
/// title still travels).
fn create_extras(c: Option<&SaleCustomer>) -> CreateExtras {
    let Some(c) = c else { return CreateExtras::default() };
    let with_member = c.member_state != MemberState::Dropped;
    CreateExtras {
        phone: c.member_phone.clone().filter(|_| with_member),
        contact_user: c.member_name.clone().filter(|_| with_member),
        invoice_title: c.invoice_title.clone(),
    }
}

impl Calls for CreateCalls<'_, '_> {
    async fn send(&mut self, k: &Known, t: &mut Tally) -> Observed {
        let marker = generation_marker(&self.order.client_ref, k.generation);
        let remark = compose_remark(&self.order.remark, &marker);
        let items: Vec<NewItem> = self
            .lines
            .iter()
            .map(|l| NewItem { product_id: l.product_id, specification_id: l.specification_id, quantity: l.quantity })
            .collect();
        let answer = {
            // One create at a time for this account; the read-back that checks the
            // number runs outside the lane.
            let mut lane = self.run.outlet.creates.lock().await;
            // The platform stamps a number from its millisecond clock: a create sent
            // within a millisecond of the last answer could share its number. Loopback
            // answers in well under that, a real network never.
            if let Some(last) = *lane {
                tokio::time::sleep_until((last + CREATE_GAP).into()).await;
            }
            let answer = self.run.client.create_store_order(&remark, &items, &self.extras).await;
            *lane = Some(std::time::Instant::now());
            answer
        };
        if let Err(e) = &answer {
            note_offline(t, e);
        }
        self.server_error = matches!(answer, Err(PlatformError::Server { .. }));
        classify_create(&answer)
    }

    async fn look_up(&mut self, k: &Known, t: &mut Tally) -> Observed {
        let marker = generation_marker(&self.order.client_ref, k.generation);
        match lookup_order(self.run.client, self.run.cfg, self.order, &marker).await {
            Ok(Some(n)) => {
                t.lookups_found += 1;
                tracing::info!(number = %n, "looked up: the platform has it");
                Observed::Found(n)
            }
            Ok(None) => {
                t.lookups_absent += 1;
                tracing::info!("looked up: not on the platform");
                Observed::Absent
            }
            Err(e) => {
                note_offline(t, &e);
                t.error(format!("lookup {}: {e}", self.order.client_ref));
                Observed::ReadFailed
            }
        }
    }

    async fn verify(&mut self, n: &str, k: &Known, t: &mut Tally) -> Observed {
        let marker = generation_marker(&self.order.client_ref, k.generation);
        match self.run.client.order_detail(n).await {
            Ok(po) => {
                let ours = po.remark.contains(&marker);
                if ours {
                    self.member_seen = Some(po.attached_member());
                }
                Observed::Reaches { ours, number: n.to_string() }
            }
            Err(e) => {
                note_offline(t, &e);
                t.error(format!("read back {n}: {e}"));
                Observed::ReadFailed
            }
        }
    }

    async fn recreate(&mut self, stray: &str, k: &Known, _t: &mut Tally) -> Result<(), String> {
        self.run.recreate(self.order, stray, k.generation).await.map_err(|e| e.to_string())
    }
}

/// An order action: read back first and after, since the platform answers success even
/// for a step it skipped.
struct ActionCalls<'r, 'a> {
    run: &'r Run<'a>,
    order: &'r Order,
    number: &'r str,
    action: Action,
    sent: bool,
    refused: Option<String>,
}

impl Calls for ActionCalls<'_, '_> {
    async fn send(&mut self, _k: &Known, t: &mut Tally) -> Observed {
        self.sent = true;
        let put = self.run.client.order_action(self.number, self.action.as_str()).await;
        if let Err(e) = &put {
            note_offline(t, e);
            self.refused = e.platform_message().map(str::to_string).filter(|_| e.is_refusal());
        }
        classify_put(&put)
    }

    async fn read_back(&mut self, _k: &Known, t: &mut Tally) -> Observed {
        match read_back_ours(self.run.client, self.number, self.order).await {
            Ok(at) => Observed::ReadBack { at, sent: self.sent, refused: self.refused.clone() },
            Err(e) => {
                note_offline(t, &e);
                t.error(format!("read back {}: {e}", self.number));
                Observed::ReadFailed
            }
        }
    }
}

/// An after-sales service: its answer carries no number, so it is always looked up.
struct ServiceCalls<'r, 'a> {
    run: &'r Run<'a>,
    svc: &'r Service,
    marker: &'r str,
    hit: Option<ServiceRow>,
}

impl Calls for ServiceCalls<'_, '_> {
    async fn send(&mut self, _k: &Known, t: &mut Tally) -> Observed {
        let answer = self.run.client.create_service(&service_body(self.svc, self.marker)).await;
        if let Err(e) = &answer {
            note_offline(t, e);
        }
        classify_service(&answer)
    }

    async fn look_up(&mut self, _k: &Known, t: &mut Tally) -> Observed {
        match lookup_service(self.run.client, self.run.cfg, self.svc, self.marker).await {
            Ok(Some(h)) => {
                t.lookups_found += 1;
                let n = h.service_number.clone();
                tracing::info!(number = %n, "looked up: the platform has it");
                self.hit = Some(h);
                Observed::Found(n)
            }
            Ok(None) => {
                t.lookups_absent += 1;
                tracing::info!("looked up: not on the platform");
                Observed::Absent
            }
            Err(e) => {
                note_offline(t, &e);
                t.error(format!("service lookup {}: {e}", self.svc.client_ref));
                Observed::ReadFailed
            }
        }
    }
}

/// The body of `POST /rest/store/order_customer_service` (store fields added by the client).
pub fn service_body(svc: &Service, marker: &str) -> Value {
    let returns: Vec<Value> = svc
        .returns
        .iter()
        .map(|l| {
            let mut v = json!({ "product_id": l.product_id, "quantity": l.quantity });
            if let Some(sid) = l.specification_id {
                v["product_specification_id"] = json!(sid);
            }
            if svc.service_type != crate::domain::after_sales::ServiceType::Exchange {
                v["refund_fee"] = money_number(l.amount);
            }
            v
        })
        .collect();
    let exchanges: Vec<Value> = svc
        .exchanges
        .iter()
        .map(|l| {
            let mut v = json!({ "product_id": l.product_id, "quantity": l.quantity });
            if let Some(sid) = l.specification_id {
                v["product_specification_id"] = json!(sid);
            }
            v
        })
        .collect();
    let reason = if svc.reason.trim().is_empty() { "门店售后".to_string() } else { svc.reason.clone() };
    let mut body = json!({
        "service_type": svc.service_type.as_str(),
        "reason": reason,
        "content": marker,
        "returns": returns,
    });
    if let Some(n) = &svc.order_number {
        body["order_number"] = json!(n);
    }
    if !exchanges.is_empty() {
        body["exchanges"] = Value::Array(exchanges);
    }
    // Cash given back at the counter: the platform must not refund the payment path too
    // (issue 14: refund way by payment; only ever set on a service the platform takes).
    if svc.otherway {
        body["otherway"] = json!(true);
    }
    body
}

/// Reads an order back by its number: its status, or Gone on 404.
pub async fn read_back(client: &dyn Platform, number: &str) -> Result<ReadBack, PlatformError> {
    match client.order_detail(number).await {
        Ok(po) => Status::parse(&po.status)
            .map(ReadBack::Status)
            .ok_or_else(|| PlatformError::Undecodable { detail: format!("unknown status {:?}", po.status) }),
        Err(PlatformError::NotFound { .. }) => Ok(ReadBack::Gone),
        // Documented servers answer an unknown order with status_code 1.
        Err(PlatformError::Refused { message }) if message == "invalid.order.id" => Ok(ReadBack::Gone),
        Err(e) => Err(e),
    }
}

/// Reads an order back and checks that the number reaches *our* order: a counter order
/// must carry our marker (any generation); an online order is the platform's own and is
/// ours when its number is the one we hold.
pub async fn read_back_ours(client: &dyn Platform, number: &str, order: &Order) -> Result<Reach, PlatformError> {
    match client.order_detail(number).await {
        Ok(po) => {
            if order.channel == Channel::Counter
                && crate::domain::order::parse_client_ref_marker(&po.remark) != Some(order.client_ref.as_str())
            {
                return Ok(Reach::NotOurs);
            }
            Status::parse(&po.status)
                .map(Reach::Ours)
                .ok_or_else(|| PlatformError::Undecodable { detail: format!("unknown status {:?}", po.status) })
        }
        Err(PlatformError::NotFound { .. }) => Ok(Reach::Gone),
        Err(PlatformError::Refused { message }) if message == "invalid.order.id" => Ok(Reach::Gone),
        Err(e) => Err(e),
    }
}

/// Walks the store's list newest first, one page at a time, until `page` says the row was
/// found or positively absent. `page(number, size)` reads one page and answers `Some(hit)`,
/// `Ok(None)` for "absent" (the scan went past the window or the page came back short: the
/// field server's `lastPage` is false even past the end) or `Continue`. Running out of pages
/// is an error, never "absent".
async fn walk_pages<R, Fut>(
    cfg: &SyncConfig,
    what: &str,
    mut page: impl FnMut(u32, u32) -> Fut,
) -> Result<Option<R>, PlatformError>
where
    Fut: std::future::Future<Output = Result<PageScan<R>, PlatformError>>,
{
    let size = cfg.lookup_page_size.max(1);
    for number in 1..=cfg.lookup_max_pages.max(1) {
        match page(number, size).await? {
            PageScan::Found(hit) => return Ok(Some(hit)),
            PageScan::Absent => return Ok(None),
            PageScan::Continue => {}
        }
    }
    Err(PlatformError::Undecodable { detail: format!("lookup of {what} gave up after {} pages", cfg.lookup_max_pages) })
}

/// What one page of a lookup said.
enum PageScan<R> {
    Found(R),
    Absent,
    Continue,
}

/// Finds a counter order by one generation's marker in the store's list, newest first,
/// within the window around its creation. Ok(None) only when the scan positively went
/// past the window or ran out of rows; anything else is an error, never "absent".
pub async fn lookup_order(
    client: &dyn Platform,
    cfg: &SyncConfig,
    order: &Order,
    marker: &str,
) -> Result<Option<String>, PlatformError> {
    let created = parse_utc(&order.created_at).unwrap_or_else(Utc::now);
    let w = &lookup_window(created, Utc::now(), cfg.lookup_margin);
    walk_pages(cfg, &order.client_ref, |page_number, page_size| async move {
        let q = OrderQuery {
            page_number,
            page_size,
            order_type: Some("STORE_ORDER".into()),
            start_time: Some(w.start_time.clone()),
            end_time: Some(w.end_time.clone()),
            create_time: Some((w.create_from.clone(), w.create_to.clone())),
            ..Default::default()
        };
        let p = client.list_orders(&q).await?;
        Ok(match scan_orders(&p.list, marker, w.cutoff) {
            Scan::Found(n) => PageScan::Found(n),
            Scan::Absent => PageScan::Absent,
            Scan::Continue if p.list.len() < page_size as usize => PageScan::Absent,
            Scan::Continue => PageScan::Continue,
        })
    })
    .await
}

/// Finds a service by its marker (the create answer carries no number).
pub async fn lookup_service(
    client: &dyn Platform,
    cfg: &SyncConfig,
    svc: &Service,
    marker: &str,
) -> Result<Option<ServiceRow>, PlatformError> {
    let created = parse_utc(&svc.created_at).unwrap_or_else(Utc::now);
    let w = &lookup_window(created, Utc::now(), cfg.lookup_margin);
    walk_pages(cfg, "a service", |page_number, page_size| async move {
        let q = ServiceQuery {
            page_number,
            page_size,
            service_type: Some(svc.service_type.as_str().into()),
            start_time: Some(w.start_time.clone()),
            end_time: Some(w.end_time.clone()),
            ..Default::default()
        };
        let p = client.list_services(&q).await?;
        let (hit, past) = scan_services(&p.list, marker, w.cutoff);
        Ok(match hit {
            Some(h) => PageScan::Found(h.clone()),
            None if past || p.list.len() < page_size as usize => PageScan::Absent,
            None => PageScan::Continue,
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remark_carries_the_marker() {
        assert_eq!(compose_remark("", "[spos:r1]"), "[spos:r1]");
        assert_eq!(compose_remark(" 少冰 ", &generation_marker("r1", 2)), "少冰 [spos:r1/g2]");
        assert_eq!(crate::domain::order::parse_client_ref_marker(&compose_remark("少冰", "[spos:r1]")), Some("r1"));
        assert_eq!(money_number(Money::from_fen(3480)).to_string(), "34.80");
    }
}
