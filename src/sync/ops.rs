//! One outbox operation against the platform: `create`, `action`, `after_sales`.
//!
//! Shape of every operation: read what it needs from the ledger (lock released), if it
//! was ever attempted look it up on the platform first, mark the attempt durably, send,
//! and record the outcome in one transaction: done, retry (with backoff), or conflict.

use chrono::Utc;
use serde_json::{json, Value};

use super::plan::{self, judge_action, lookup_window, on_error, scan_orders, scan_services, ActionVerdict, Expect, LocalUpdate, OnError, ReadBack, Scan};
use super::{RoundSummary, SyncConfig};
use crate::central::client::{CentralError, NewItem, OrderQuery, Platform, ServiceQuery};
use crate::central::wire::ServiceRow;
use crate::commands::{App, Event};
use crate::domain::order::{client_ref_marker, Channel, Conflict, Order, Status, SyncState};
use crate::domain::transitions::Action;
use crate::domain::Money;
use crate::ledger::after_sales::{self, Service};
use crate::ledger::outbox::{self, OutboxRow};
use crate::ledger::{journal, now_text, orders, time_text, LedgerError};

pub const ACTOR: &str = "sync";
/// `last_error` prefix of an after-sales op the platform accepted but whose number we
/// have not found yet: it is never sent again, only looked up.
pub const CREATED_MARK: &str = "created on platform; number not found yet";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Retry,
    Conflict,
}

/// Runs the due operations of one stream, in order, until one is not done.
pub async fn drain_stream(app: &App, client: &dyn Platform, cfg: &SyncConfig, stream: &str) -> RoundSummary {
    let mut s = RoundSummary { online: true, ..Default::default() };
    loop {
        let head = {
            let ledger = app.ledger();
            outbox::list_stream(ledger.read(), stream).map(|rows| rows.into_iter().find(|r| r.state != "done"))
        };
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
        let out = run_op(app, client, cfg, &row, &mut s).await;
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

async fn run_op(app: &App, client: &dyn Platform, cfg: &SyncConfig, row: &OutboxRow, s: &mut RoundSummary) -> Outcome {
    let op = Op { app, client, cfg, row };
    match row.op.as_str() {
        "create" => op.create(s).await,
        "action" => op.action(s).await,
        "after_sales" => op.after_sales(s).await,
        other => op.conflict(s, &format!("无法识别的同步操作「{other}」"), None, None),
    }
}

struct Op<'a> {
    app: &'a App,
    client: &'a dyn Platform,
    cfg: &'a SyncConfig,
    row: &'a OutboxRow,
}

fn journal_entry<'a>(entity: &'a str, entity_ref: &'a str, action: &'a str, before: Option<&'a str>, after: Option<&'a str>, detail: Option<String>) -> journal::Entry<'a> {
    journal::Entry { actor: ACTOR, entity, entity_ref, action, before, after, detail }
}

/// True when the stream has operations after `id` not yet done.
fn later_pending(conn: &rusqlite::Connection, stream: &str, id: i64) -> Result<bool, LedgerError> {
    Ok(outbox::list_stream(conn, stream)?.iter().any(|r| r.id > id && r.state != "done"))
}

/// Read-backs that already found the action not applied, kept in `last_error`.
fn parse_checks(last_error: Option<&str>) -> u32 {
    let Some(e) = last_error else { return 0 };
    let Some(i) = e.find("not reached #") else { return 0 };
    e[i + 13..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().unwrap_or(0)
}

pub fn compose_remark(human: &str, client_ref: &str) -> String {
    let h = human.trim();
    if h.is_empty() {
        client_ref_marker(client_ref)
    } else {
        format!("{h} {}", client_ref_marker(client_ref))
    }
}

fn money_number(m: Money) -> Value {
    m.to_string().parse::<serde_json::Number>().map(Value::Number).unwrap_or(Value::Null)
}

fn parse_utc(s: &str) -> Option<chrono::DateTime<Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

impl Op<'_> {
    fn record_offline(&self, s: &mut RoundSummary, e: &CentralError) {
        if e.is_offline() || matches!(e, CentralError::LoginFailed { .. }) {
            s.online = false;
        }
    }

    /// Writes the attempt before the request leaves: after a crash the next run sees
    /// `attempts > 0` and looks the operation up instead of sending it blindly.
    fn premark(&self, note: &str) -> Result<(), LedgerError> {
        super::blocking(|| self.app.ledger().write(|tx| outbox::mark_retry(tx, self.row.id, note, &now_text())))
    }

    fn retry(&self, s: &mut RoundSummary, err: &str) -> Outcome {
        if self.row.attempts >= self.cfg.max_attempts {
            return self.conflict(s, &format!("多次同步失败，已暂停：{err}"), None, None);
        }
        let failures = ((self.row.attempts + 1) / 2) as u32;
        let d = plan::backoff(failures, self.cfg.backoff_base, self.cfg.backoff_cap, rand::random::<f64>());
        let next = time_text(Utc::now() + chrono::Duration::from_std(d).unwrap_or_default());
        if let Err(e) = super::blocking(|| self.app.ledger().write(|tx| outbox::mark_retry(tx, self.row.id, err, &next))) {
            s.error(format!("outbox: {e}"));
        }
        s.error(format!("{} {}: {err}", self.row.op, self.row.stream));
        Outcome::Retry
    }

    fn retry_err(&self, s: &mut RoundSummary, e: &CentralError) -> Outcome {
        self.record_offline(s, e);
        self.retry(s, &e.to_string())
    }

    /// Records a conflict: the op is held, the order flagged, the platform's state taken,
    /// a journal row written and people told.
    fn conflict(&self, s: &mut RoundSummary, message: &str, platform_message: Option<String>, platform: Option<ReadBack>) -> Outcome {
        let stream = self.row.stream.clone();
        let at = now_text();
        let detail = format!("{}: {message}{}", self.row.op, platform_message.as_ref().map(|m| format!(" (平台：{m})")).unwrap_or_default());
        let service_id = self.row.payload.get("id").and_then(Value::as_i64);
        let is_service = self.row.op == "after_sales";
        let r = super::blocking(|| self.app.ledger().write(|tx| -> Result<(), LedgerError> {
            outbox::mark_conflict(tx, self.row.id, &detail)?;
            if let Some(o) = orders::get(tx, &stream)? {
                let c = Conflict { message: message.to_string(), platform_message: platform_message.clone(), at: at.clone() };
                orders::set_sync_state(tx, o.id, SyncState::Conflict, Some(&c))?;
                match platform {
                    Some(ReadBack::Status(st)) if st != o.status => {
                        orders::set_status(tx, o.id, st)?;
                        journal::append(tx, journal_entry("order", &stream, "platform_status", Some(o.status.as_str()), Some(st.as_str()), Some("refreshed from the platform on conflict".into())))?;
                    }
                    Some(ReadBack::Gone) if o.channel != Channel::Counter && !o.left_store => {
                        orders::set_left_store(tx, o.id)?;
                        journal::append(tx, journal_entry("order", &stream, "platform_status", Some(o.status.as_str()), Some("LEFT_STORE"), Some("the platform no longer lists it in this store".into())))?;
                    }
                    _ => {}
                }
            }
            if is_service {
                if let Some(id) = service_id {
                    after_sales::set_conflict(tx, id, &detail)?;
                }
            }
            journal::append(tx, journal_entry(if is_service { "after_sales" } else { "order" }, &stream, "sync_conflict", None, None, Some(detail.clone())))?;
            Ok(())
        }));
        if let Err(e) = r {
            s.error(format!("ledger: {e}"));
            return Outcome::Retry;
        }
        s.error(format!("conflict {stream}: {detail}"));
        self.app.publish(Event::Conflict { client_ref: stream, message: message.to_string() });
        Outcome::Conflict
    }

    // ---- create ------------------------------------------------------------------------

    async fn create(&self, s: &mut RoundSummary) -> Outcome {
        let order = {
            let ledger = self.app.ledger();
            orders::get(ledger.read(), &self.row.stream)
        };
        let order = match order {
            Ok(Some(o)) => o,
            Ok(None) => return self.conflict(s, "本地找不到该订单", None, None),
            Err(e) => return self.retry(s, &e.to_string()),
        };
        if let Some(n) = order.order_number.clone() {
            return self.finish_create(s, &order, &n);
        }
        if self.row.attempts > 0 {
            match lookup_order(self.client, self.cfg, &order).await {
                Ok(Some(n)) => {
                    s.lookups_found += 1;
                    return self.finish_create(s, &order, &n);
                }
                Ok(None) => s.lookups_absent += 1,
                Err(e) => return self.retry_err(s, &e),
            }
        }
        if let Err(e) = self.premark("in flight") {
            return self.retry(s, &e.to_string());
        }
        let remark = compose_remark(&order.remark, &order.client_ref);
        let items: Vec<NewItem> = order
            .lines
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|l| NewItem { product_id: l.product_id, specification_id: l.specification_id, quantity: l.quantity })
            .collect();
        match self.client.create_store_order(&remark, &items).await {
            Ok(po) => self.finish_create(s, &order, &po.order_number),
            Err(e) => match on_error(&e) {
                OnError::Conflict { platform_message } => self.conflict(s, "平台拒绝新建该订单", Some(platform_message), None),
                OnError::Retry { .. } => self.retry_err(s, &e),
            },
        }
    }

    fn finish_create(&self, s: &mut RoundSummary, order: &Order, number: &str) -> Outcome {
        let r = super::blocking(|| self.app.ledger().write(|tx| -> Result<(), LedgerError> {
            if order.order_number.as_deref() != Some(number) {
                orders::set_order_number(tx, order.id, number)?;
            }
            outbox::mark_done(tx, self.row.id)?;
            journal::append(tx, journal_entry("order", &order.client_ref, "sync_create", None, Some(number), None))?;
            if !later_pending(tx, &order.client_ref, self.row.id)? {
                orders::set_sync_state(tx, order.id, SyncState::Synced, None)?;
            }
            Ok(())
        }));
        match r {
            Ok(()) => {
                self.app.publish(Event::OrderChanged { client_ref: order.client_ref.clone(), status: order.status.as_str().into() });
                Outcome::Done
            }
            Err(LedgerError::Constraint(m)) => self.conflict(s, &format!("平台订单号 {number} 已属于另一本地订单"), Some(m), None),
            Err(e) => self.retry(s, &e.to_string()),
        }
    }

    // ---- action ------------------------------------------------------------------------

    async fn action(&self, s: &mut RoundSummary) -> Outcome {
        let p = &self.row.payload;
        let action = p.get("action").and_then(Value::as_str).and_then(Action::parse);
        let expect = p.get("expect").and_then(Value::as_str).and_then(Expect::parse);
        let (Some(action), Some(expect)) = (action, expect) else {
            return self.conflict(s, &format!("无法识别的订单操作 {p}"), None, None);
        };
        let order = {
            let ledger = self.app.ledger();
            orders::get(ledger.read(), &self.row.stream)
        };
        let order = match order {
            Ok(Some(o)) => o,
            Ok(None) => return self.conflict(s, "本地找不到该订单", None, None),
            Err(e) => return self.retry(s, &e.to_string()),
        };
        let Some(number) = order.order_number.clone() else {
            return self.conflict(s, "订单尚未在平台上建立，无法同步该操作", None, None);
        };
        let checks = parse_checks(self.row.last_error.as_deref());
        let max = self.cfg.max_action_checks;
        if self.row.attempts > 0 {
            // The last attempt may have landed: look before sending again.
            match read_back(self.client, &number).await {
                Ok(rb) => match judge_action(order.channel, action, expect, rb, checks, max) {
                    ActionVerdict::Done => return self.finish_action(s, &order, expect, rb),
                    ActionVerdict::Conflict(m) => return self.conflict(s, &m, None, Some(rb)),
                    ActionVerdict::Retry(_) => {}
                },
                Err(e) => return self.retry_err(s, &e),
            }
        }
        // No durable "in flight" mark is needed here (unlike creates): sending an action
        // twice is harmless because only the read-back decides, and a refused repeat
        // of a step that already landed reads back as reached.
        let put = self.client.order_action(&number, action.as_str()).await;
        let platform_message = match &put {
            Err(CentralError::Refused { message }) => Some(message.clone()),
            _ => None,
        };
        if let Err(e) = &put {
            let read_anyway = e.may_have_applied() || e.is_refusal() || matches!(e, CentralError::NotFound { .. });
            if !read_anyway {
                return self.retry_err(s, e);
            }
        }
        // The answer proves nothing (the field server says 更新订单成功！ for skipped
        // steps): the order read back does.
        match read_back(self.client, &number).await {
            Ok(rb) => match judge_action(order.channel, action, expect, rb, checks, max) {
                ActionVerdict::Done => self.finish_action(s, &order, expect, rb),
                ActionVerdict::Conflict(m) => self.conflict(s, &m, platform_message, Some(rb)),
                ActionVerdict::Retry(m) => match platform_message {
                    Some(pm) => self.conflict(s, &format!("平台拒绝「{}」", action.as_str()), Some(pm), Some(rb)),
                    None => self.retry(s, &format!("{m}; not reached #{}", checks + 1)),
                },
            },
            Err(e) => self.retry_err(s, &e),
        }
    }

    fn finish_action(&self, s: &mut RoundSummary, order: &Order, expect: Expect, rb: ReadBack) -> Outcome {
        let stream = &order.client_ref;
        let r = super::blocking(|| self.app.ledger().write(|tx| -> Result<Option<Status>, LedgerError> {
            outbox::mark_done(tx, self.row.id)?;
            let cur = orders::require(tx, stream)?;
            let more = later_pending(tx, stream, self.row.id)?;
            let mut status = None;
            match rb {
                ReadBack::Status(st) if !more && st != cur.status => {
                    orders::set_status(tx, cur.id, st)?;
                    journal::append(tx, journal_entry("order", stream, "platform_status", Some(cur.status.as_str()), Some(st.as_str()), None))?;
                    status = Some(st);
                }
                ReadBack::Gone if expect == Expect::LeftStore && !cur.left_store => orders::set_left_store(tx, cur.id)?,
                _ => {}
            }
            journal::append(tx, journal_entry("order", stream, "sync_action", None, Some(self.row.payload.get("action").and_then(Value::as_str).unwrap_or("")), None))?;
            if !more && cur.sync_state != SyncState::Conflict {
                orders::set_sync_state(tx, cur.id, SyncState::Synced, None)?;
            }
            Ok(status)
        }));
        match r {
            Ok(st) => {
                if let Some(st) = st {
                    self.app.publish(Event::OrderChanged { client_ref: stream.clone(), status: st.as_str().into() });
                }
                Outcome::Done
            }
            Err(e) => self.retry(s, &e.to_string()),
        }
    }

    // ---- after-sales -------------------------------------------------------------------

    async fn after_sales(&self, s: &mut RoundSummary) -> Outcome {
        let p = &self.row.payload;
        let service_ref = p.get("service").and_then(Value::as_str).unwrap_or_default().to_string();
        let marker = p.get("marker").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| client_ref_marker(&service_ref));
        let loaded = {
            let ledger = self.app.ledger();
            after_sales::get(ledger.read(), &service_ref).and_then(|svc| {
                let order = match svc.as_ref().and_then(|x| x.order_client_ref.clone()) {
                    Some(r) => orders::get(ledger.read(), &r)?,
                    None => None,
                };
                Ok((svc, order))
            })
        };
        let (svc, order) = match loaded {
            Ok((Some(svc), order)) => (svc, order),
            Ok((None, _)) => return self.conflict(s, "本地找不到该售后单", None, None),
            Err(e) => return self.retry(s, &e.to_string()),
        };
        if svc.service_number.is_some() && svc.sync_state == SyncState::Synced {
            return self.finish_service(s, &svc, order.as_ref(), None).await;
        }
        if svc.order_client_ref.is_some() && svc.order_number.is_none() {
            return self.conflict(s, "售后单所属订单尚未在平台上建立", None, None);
        }
        let created_before = self.row.last_error.as_deref().is_some_and(|e| e.starts_with(CREATED_MARK));
        if self.row.attempts > 0 {
            match lookup_service(self.client, self.cfg, &svc, &marker).await {
                Ok(Some(hit)) => {
                    s.lookups_found += 1;
                    return self.finish_service(s, &svc, order.as_ref(), Some(hit)).await;
                }
                Ok(None) if created_before => return self.retry(s, CREATED_MARK),
                Ok(None) => s.lookups_absent += 1,
                Err(e) => {
                    self.record_offline(s, &e);
                    let msg = if created_before { format!("{CREATED_MARK}: {e}") } else { e.to_string() };
                    return self.retry(s, &msg);
                }
            }
        }
        if let Err(e) = self.premark("in flight") {
            return self.retry(s, &e.to_string());
        }
        let body = service_body(&svc, &marker);
        match self.client.create_service(&body).await {
            Ok(msg) if msg == "order.refund.failure" => {
                let rb = self.refresh_read(order.as_ref()).await;
                self.conflict(s, "平台退款失败，售后单未建立", Some(msg), rb)
            }
            Ok(_) => match lookup_service(self.client, self.cfg, &svc, &marker).await {
                Ok(Some(hit)) => self.finish_service(s, &svc, order.as_ref(), Some(hit)).await,
                Ok(None) => self.retry(s, CREATED_MARK),
                Err(e) => {
                    self.record_offline(s, &e);
                    self.retry(s, &format!("{CREATED_MARK}: {e}"))
                }
            },
            Err(e) => match on_error(&e) {
                OnError::Conflict { platform_message } => {
                    let rb = self.refresh_read(order.as_ref()).await;
                    self.conflict(s, "平台拒绝该售后单", Some(platform_message), rb)
                }
                OnError::Retry { .. } => self.retry_err(s, &e),
            },
        }
    }

    async fn refresh_read(&self, order: Option<&Order>) -> Option<ReadBack> {
        let n = order?.order_number.clone()?;
        read_back(self.client, &n).await.ok()
    }

    async fn finish_service(&self, s: &mut RoundSummary, svc: &Service, order: Option<&Order>, hit: Option<ServiceRow>) -> Outcome {
        // Refresh the linked order: a service moves it (CANCELED_RETURN_PENDING, CLOSED_REFUNDED).
        let rb = self.refresh_read(order).await;
        let stream = self.row.stream.clone();
        let r = super::blocking(|| self.app.ledger().write(|tx| -> Result<Option<Status>, LedgerError> {
            if let Some(h) = &hit {
                let status = Some(h.status.as_str()).filter(|x| !x.is_empty());
                after_sales::set_synced(tx, svc.id, Some(h.service_number.as_str()).filter(|x| !x.is_empty()), status, h.refund_fee)?;
                journal::append(tx, journal_entry("after_sales", &svc.client_ref, "sync_after_sales", None, Some(&h.service_number), h.refund_fee.map(|m| format!("platform refund_fee {m}"))))?;
            }
            outbox::mark_done(tx, self.row.id)?;
            let mut changed = None;
            if let Some(o) = order {
                let cur = orders::require(tx, &o.client_ref)?;
                let more = later_pending(tx, &stream, self.row.id)?;
                if let Some(ReadBack::Status(st)) = rb {
                    match plan::platform_update(cur.channel, cur.status, st, more, true) {
                        LocalUpdate::Take(st) | LocalUpdate::TakeWithConflict(st, _) => {
                            orders::set_status(tx, cur.id, st)?;
                            journal::append(tx, journal_entry("order", &cur.client_ref, "platform_status", Some(cur.status.as_str()), Some(st.as_str()), Some("after-sales".into())))?;
                            changed = Some(st);
                        }
                        LocalUpdate::Nothing | LocalUpdate::Wait => {}
                    }
                }
                if !more && cur.sync_state == SyncState::Pending {
                    orders::set_sync_state(tx, cur.id, SyncState::Synced, None)?;
                }
                return Ok(changed);
            }
            Ok(changed)
        }));
        match r {
            Ok(changed) => {
                if let (Some(st), Some(o)) = (changed, order) {
                    self.app.publish(Event::OrderChanged { client_ref: o.client_ref.clone(), status: st.as_str().into() });
                }
                Outcome::Done
            }
            Err(e) => self.retry(s, &e.to_string()),
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
    body
}

/// Reads an order back: its status, or Gone on 404.
pub async fn read_back(client: &dyn Platform, number: &str) -> Result<ReadBack, CentralError> {
    match client.order_detail(number).await {
        Ok(po) => Status::parse(&po.status)
            .map(ReadBack::Status)
            .ok_or_else(|| CentralError::Undecodable { detail: format!("unknown status {:?}", po.status) }),
        Err(CentralError::NotFound { .. }) => Ok(ReadBack::Gone),
        // Documented servers answer an unknown order with status_code 1.
        Err(CentralError::Refused { message }) if message == "invalid.order.id" => Ok(ReadBack::Gone),
        Err(e) => Err(e),
    }
}

/// Finds a counter order by its marker in the store's list, newest first, within the
/// window around its creation. Ok(None) only when the scan positively went past the
/// window or reached the last page; anything else is an error (never "absent").
pub async fn lookup_order(client: &dyn Platform, cfg: &SyncConfig, order: &Order) -> Result<Option<String>, CentralError> {
    let created = parse_utc(&order.created_at).unwrap_or_else(Utc::now);
    let w = lookup_window(created, Utc::now(), cfg.lookup_margin);
    let size = cfg.lookup_page_size.max(1);
    for page in 1..=cfg.lookup_max_pages.max(1) {
        let q = OrderQuery {
            page_number: page,
            page_size: size,
            order_type: Some("STORE_ORDER".into()),
            start_time: Some(w.start_time.clone()),
            end_time: Some(w.end_time.clone()),
            create_time: Some((w.create_from.clone(), w.create_to.clone())),
            ..Default::default()
        };
        let p = client.list_orders(&q).await?;
        match scan_orders(&p.list, &order.client_ref, w.cutoff) {
            Scan::Found(n) => return Ok(Some(n)),
            Scan::Absent => return Ok(None),
            Scan::Continue if p.list.is_empty() || p.is_last(size as usize) => return Ok(None),
            Scan::Continue => {}
        }
    }
    Err(CentralError::Undecodable { detail: format!("lookup of {} gave up after {} pages", order.client_ref, cfg.lookup_max_pages) })
}

/// Finds a service by its marker (the create answer carries no number).
pub async fn lookup_service(client: &dyn Platform, cfg: &SyncConfig, svc: &Service, marker: &str) -> Result<Option<ServiceRow>, CentralError> {
    let created = parse_utc(&svc.created_at).unwrap_or_else(Utc::now);
    let w = lookup_window(created, Utc::now(), cfg.lookup_margin);
    let size = cfg.lookup_page_size.max(1);
    for page in 1..=cfg.lookup_max_pages.max(1) {
        let q = ServiceQuery {
            page_number: page,
            page_size: size,
            service_type: Some(svc.service_type.as_str().into()),
            start_time: Some(w.start_time.clone()),
            end_time: Some(w.end_time.clone()),
            ..Default::default()
        };
        let p = client.list_services(&q).await?;
        let (hit, past) = scan_services(&p.list, marker, w.cutoff);
        if let Some(h) = hit {
            return Ok(Some(h.clone()));
        }
        if past || p.list.is_empty() || p.is_last(size as usize) {
            return Ok(None);
        }
    }
    Err(CentralError::Undecodable { detail: format!("service lookup gave up after {} pages", cfg.lookup_max_pages) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_survive_in_last_error() {
        assert_eq!(parse_checks(None), 0);
        assert_eq!(parse_checks(Some("timed out")), 0);
        assert_eq!(parse_checks(Some("not reached yet: platform still X; not reached #3")), 3);
        assert_eq!(parse_checks(Some("in flight; not reached #12")), 12);
    }

    #[test]
    fn remark_carries_the_marker() {
        assert_eq!(compose_remark("", "r1"), "[spos:r1]");
        assert_eq!(compose_remark(" 少冰 ", "r1"), "少冰 [spos:r1]");
        assert_eq!(crate::domain::order::parse_client_ref_marker(&compose_remark("少冰", "r1")), Some("r1"));
        assert_eq!(money_number(Money::from_fen(3480)).to_string(), "34.80");
    }
}
