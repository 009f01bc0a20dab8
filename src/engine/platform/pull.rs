//! What the platform tells us: new online orders, status changes, the catalog, counts.

use std::collections::HashSet;

use chrono::Utc;

use super::outlet::{read_back, ACTOR};
use super::plan::{self, is_store_visible_online, parse_platform_time, LocalUpdate, ReadBack};
use super::{RoundSummary, SyncConfig};
use crate::app::{App, Event};
use crate::clients::platform::client::{OrderQuery, Platform, PlatformError};
use crate::clients::platform::types::PlatformOrder;
use crate::domain::order::{Channel, Conflict, Order, Status, SyncState};
use crate::domain::reconcile::Reconciliation;
use crate::engine::arrivals::{self, Incoming, IncomingLine};
use crate::ledger::outbox;
use crate::ledger::{journal, now_text, orders, time_text, LedgerError};

/// The till code of orders that arrived online.
pub const ONLINE_TILL: &str = "W";

fn note_err(s: &mut RoundSummary, what: &str, e: &PlatformError) {
    if e.is_offline() || matches!(e, PlatformError::LoginFailed { .. }) {
        s.online = false;
    }
    if unreachable(e) {
        s.push.unreachable = true;
    }
    s.error(format!("{what}: {e}"));
}

/// Nothing reaches the platform: a refused connection or a refused login. Only this ends a
/// pull; a read lost on a bad link skips its row and the pull goes on.
fn unreachable(e: &PlatformError) -> bool {
    matches!(e, PlatformError::Connect { .. } | PlatformError::LoginFailed { .. })
}

/// A read worth trying again at once: its answer was lost or garbled on the way (reads
/// change nothing, so a retry is always safe).
fn transient(e: &PlatformError) -> bool {
    matches!(
        e,
        PlatformError::Timeout
            | PlatformError::Reset { .. }
            | PlatformError::Server { .. }
            | PlatformError::Undecodable { .. }
    )
}

/// Tries a read up to [`READ_TRIES`] times within the round, with a short growing pause,
/// while it fails transiently.
async fn read<T, F, Fut>(mut call: F) -> Result<T, PlatformError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, PlatformError>>,
{
    let mut n = 0;
    loop {
        match call().await {
            Err(e) if transient(&e) && n + 1 < READ_TRIES => {
                n += 1;
                let pause = READ_PAUSE * (1 << n) + READ_PAUSE.mul_f64(rand::random::<f64>());
                tracing::debug!(error = %e, try_n = n, "read failed, trying again");
                tokio::time::sleep(pause).await;
            }
            r => return r,
        }
    }
}

/// Tries of one read within a round.
pub const READ_TRIES: u32 = 3;
const READ_PAUSE: std::time::Duration = std::time::Duration::from_millis(25);

fn ops_pending(conn: &rusqlite::Connection, stream: &str) -> Result<bool, LedgerError> {
    Ok(outbox::list_stream(conn, stream)?.iter().any(|r| r.state != "done"))
}

/// Polls the online order list (newest first) for new paid SELF_PICK / FLASH orders and
/// status changes of ones we hold. Answers the order numbers of ours whose status the
/// list gave: [`refresh_open`] would read the same from their details, so it need not
/// this round.
pub async fn pull_online(app: &App, client: &dyn Platform, cfg: &SyncConfig, s: &mut RoundSummary) -> Listed {
    let mut listed = Listed::new();
    let size = 50u32;
    for page in 1..=cfg.pull_pages.max(1) {
        let q =
            OrderQuery { page_number: page, page_size: size, order_type: Some("ORDER".into()), ..Default::default() };
        let p = match read(|| client.list_orders(&q)).await {
            Ok(p) => p,
            Err(e) => {
                if !unreachable(&e) {
                    s.pull_skipped += 1;
                }
                note_err(s, "order list", &e);
                return listed;
            }
        };
        let mut anything = false;
        for row in &p.list {
            let Some(status) = Status::parse(&row.status) else { continue };
            if !is_store_visible_online(status) {
                continue;
            }
            let local = {
                let ledger = app.ledger();
                orders::by_order_number(ledger.read(), &row.order_number)
            };
            match local {
                Ok(None) => {
                    anything = true;
                    match read(|| client.order_detail(&row.order_number)).await {
                        Ok(detail) => match insert_online(app, &detail) {
                            Ok(true) => s.pulled_new += 1,
                            Ok(false) => {}
                            Err(e) => s.error(format!("online order {}: {e}", row.order_number)),
                        },
                        // This row waits for the next pull; the others go on.
                        Err(e) => {
                            s.pull_skipped += 1;
                            note_err(s, "order detail", &e);
                            if unreachable(&e) {
                                return listed;
                            }
                        }
                    }
                }
                Ok(Some(o)) if o.status != status => {
                    anything = true;
                    if apply_platform(app, &o, ReadBack::Status(status), s) {
                        s.pulled_updated += 1;
                    }
                    listed.insert(row.order_number.clone());
                }
                Ok(Some(_)) => {
                    listed.insert(row.order_number.clone());
                }
                Err(e) => s.error(format!("ledger: {e}")),
            }
        }
        if !anything || p.list.is_empty() || p.is_last(size as usize) {
            break;
        }
    }
    listed
}

/// Order numbers whose platform status a round has already read from the list.
pub type Listed = HashSet<String>;

/// Reads back open local orders the platform knows (synced, not closed) and applies
/// their platform status: counter orders paid by WeChat, orders cancelled or taken
/// elsewhere, and online orders older than the pages `pull_online` scans. Orders in
/// `listed` (their status just came with the list) are not read again.
pub async fn refresh_open(app: &App, client: &dyn Platform, cfg: &SyncConfig, listed: &Listed, s: &mut RoundSummary) {
    let open: Vec<Order> = {
        let ledger = app.ledger();
        let statuses: Vec<Status> = Status::ALL.iter().copied().filter(|st| !st.is_closed()).collect();
        let f = orders::Filter {
            statuses,
            sync_state: Some(SyncState::Synced),
            limit: cfg.refresh_limit as i64,
            ..Default::default()
        };
        match orders::list(ledger.read(), &f) {
            Ok((v, _)) => v,
            Err(e) => {
                s.error(format!("ledger: {e}"));
                return;
            }
        }
    };
    let mut seen = HashSet::new();
    for o in open {
        let Some(n) = o.order_number.clone() else { continue };
        if listed.contains(&n) || !seen.insert(n.clone()) {
            continue;
        }
        match read(|| read_back(client, &n)).await {
            Ok(rb) => {
                if apply_platform(app, &o, rb, s) {
                    s.pulled_updated += 1;
                }
            }
            Err(e) => {
                note_err(s, "order detail", &e);
                if unreachable(&e) {
                    return;
                }
            }
        }
    }
}

/// Applies a status learned from the platform to a local order (unless local operations
/// are still on their way). Returns true when something changed.
fn apply_platform(app: &App, o: &Order, rb: ReadBack, s: &mut RoundSummary) -> bool {
    let mut event = None;
    let r = app.ledger().write(|tx| -> Result<bool, LedgerError> {
        let cur = orders::require(tx, &o.client_ref)?;
        if ops_pending(tx, &cur.client_ref)? || cur.left_store {
            return Ok(false);
        }
        let has_services = !orders::returned_quantities(tx, cur.id)?.is_empty();
        let (to, conflict) = match rb {
            ReadBack::Status(st) => match plan::platform_update(cur.channel, cur.status, st, false, has_services) {
                LocalUpdate::Nothing | LocalUpdate::Wait => return Ok(false),
                LocalUpdate::Take(st) => (Some(st), None),
                LocalUpdate::TakeWithConflict(st, m) => (Some(st), Some(m)),
            },
            ReadBack::Gone => (None, Some("订单已不在本店（被取消或改派）".to_string())),
        };
        match to {
            Some(st) => {
                orders::set_status(tx, cur.id, st)?;
                journal::append(
                    tx,
                    journal::Entry {
                        actor: ACTOR,
                        entity: "order",
                        entity_ref: &cur.client_ref,
                        action: "platform_status",
                        before: Some(cur.status.as_str()),
                        after: Some(st.as_str()),
                        detail: None,
                    },
                )?;
                event = Some(Event::OrderChanged { client_ref: cur.client_ref.clone(), status: st.as_str().into() });
            }
            None => {
                orders::set_left_store(tx, cur.id)?;
                journal::append(
                    tx,
                    journal::Entry {
                        actor: ACTOR,
                        entity: "order",
                        entity_ref: &cur.client_ref,
                        action: "platform_status",
                        before: Some(cur.status.as_str()),
                        after: Some("LEFT_STORE"),
                        detail: None,
                    },
                )?;
            }
        }
        if let Some(m) = conflict {
            let c = Conflict { message: m.clone(), platform_message: None, at: now_text() };
            orders::set_sync_state(tx, cur.id, SyncState::Conflict, Some(&c))?;
            journal::append(
                tx,
                journal::Entry {
                    actor: ACTOR,
                    entity: "order",
                    entity_ref: &cur.client_ref,
                    action: "sync_conflict",
                    before: None,
                    after: None,
                    detail: Some(m.clone()),
                },
            )?;
            event = Some(Event::Conflict { client_ref: cur.client_ref.clone(), message: m });
        }
        Ok(true)
    });
    match r {
        Ok(changed) => {
            if let Some(e) = event {
                app.publish(e);
            }
            changed
        }
        Err(e) => {
            s.error(format!("ledger: {e}"));
            false
        }
    }
}

/// Inserts an online order from its detail. Ok(false) when it is already there.
pub fn insert_online(app: &App, d: &PlatformOrder) -> Result<bool, LedgerError> {
    let Some(status) = Status::parse(&d.status) else { return Ok(false) };
    let channel = if d.delivery_type == "FLASH" { Channel::Flash } else { Channel::SelfPick };
    let cfg = app.config();
    let created = parse_platform_time(&d.created_date).unwrap_or_else(Utc::now);
    let lines = d
        .order_items
        .iter()
        .map(|it| IncomingLine {
            product_id: it.product_id,
            specification_id: it.product_specification_id,
            name: match (&it.product_specification_name, it.product_name.is_empty()) {
                (s, false) if !s.is_empty() => format!("{}({s})", it.product_name),
                (_, false) => it.product_name.clone(),
                (_, true) => String::new(),
            },
            unit: it.price,
            quantity: it.quantity,
        })
        .collect();
    let incoming = Incoming {
        till_code: ONLINE_TILL,
        order_number: Some(d.order_number.clone()),
        channel,
        status,
        total: Some(d.total_price),
        remark: d.remark.clone(),
        contact_user: d.contact_user.clone(),
        phone: d.phone.clone(),
        created,
        lines,
        actor: ACTOR,
        action: "online_order",
        source: format!("{} {}", channel.as_str(), d.order_number),
    };
    let mut ledger = app.ledger();
    let inserted = ledger.write(|tx| -> Result<Option<Order>, LedgerError> {
        if orders::by_order_number(tx, &d.order_number)?.is_some() {
            return Ok(None);
        }
        arrivals::record(tx, &cfg, incoming).map(Some)
    });
    drop(ledger);
    match inserted {
        Ok(Some(o)) => {
            app.publish(Event::OnlineOrder {
                client_ref: o.client_ref.clone(),
                local_number: o.local_number.clone(),
                channel: channel.as_str().into(),
            });
            Ok(true)
        }
        Ok(None) => Ok(false),
        // Another process inserted it meanwhile (order_number is unique).
        Err(LedgerError::Constraint(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// `GET /rest/product?all=true` into the local catalog: streamed, incremental, in small
/// transactions (see `crate::engine::catalog`).
pub use crate::engine::catalog::refresh_catalog;

/// Seconds between two reads of one service that is not final yet.
const FOLLOW_EVERY_S: i64 = 60;

/// Follows services the platform took until they reach a final status (REFUNDED, CANCELED,
/// EXCHANGED): a field refund "failure" still changes the order, so the till keeps reading
/// what the platform did rather than trusting its own expectation. A few per round, least
/// recently checked first.
pub async fn follow_services(app: &App, client: &dyn Platform, s: &mut RoundSummary) {
    let due = match crate::ledger::after_sales::to_follow(app.ledger().read(), 20) {
        Ok(v) => v,
        Err(e) => return s.error(format!("after-sales follow-up: {e}")),
    };
    // A service waiting on the platform (a refund "failure" stays CREATED until someone acts)
    // is read at most once a minute, not on every round.
    let recent = time_text(Utc::now() - chrono::Duration::seconds(FOLLOW_EVERY_S));
    for svc in due {
        if svc.platform_checked_at.as_deref().is_some_and(|at| at > recent.as_str()) {
            continue;
        }
        let Some(number) = svc.service_number.clone() else { continue };
        let row = match client.service_detail(&number).await {
            Ok(r) => r,
            Err(e) if e.is_offline() => {
                s.online = false;
                return s.error(format!("after-sales follow-up: {e}"));
            }
            Err(e) => {
                s.error(format!("after-sales {number}: {e}"));
                continue;
            }
        };
        let order_status = match svc.order_number.as_deref() {
            Some(n) => match read_back(client, n).await {
                Ok(ReadBack::Status(st)) => Some(st),
                _ => None,
            },
            None => None,
        };
        let now = now_text();
        let view = crate::ledger::after_sales::PlatformServiceView {
            service_number: Some(row.service_number.as_str()).filter(|x| !x.is_empty()),
            status: Some(row.status.as_str()).filter(|x| !x.is_empty()),
            refund_fee: row.refund_fee,
            supplementary_fee: row.supplementary_fee,
            order_status,
            checked_at: &now,
        };
        let changed = app.ledger().write(|tx| -> Result<bool, LedgerError> {
            let before = crate::ledger::after_sales::get(tx, &svc.client_ref)?.and_then(|x| x.platform_status);
            crate::ledger::after_sales::record_platform(tx, svc.id, &view)?;
            let moved = before.as_deref() != view.status;
            if moved {
                journal::append(
                    tx,
                    super::outlet::journal_entry(
                        "after_sales",
                        &svc.client_ref,
                        "platform_service_status",
                        before.as_deref(),
                        view.status,
                        None,
                    ),
                )?;
            }
            Ok(moved)
        });
        match changed {
            Ok(true) => s.pulled_updated += 1,
            Ok(false) => {}
            Err(e) => s.error(format!("after-sales {number}: {e}")),
        }
    }
}

/// Reads the platform's `order_count`, keeps it (`platform_order_counts`, what the manager's
/// reconciliation reads) and reconciles it with the ledger.
pub async fn reconcile_counts(app: &App, client: &dyn Platform) -> Result<Option<Reconciliation>, PlatformError> {
    let platform = client.order_count().await?;
    // Every answer is kept for the manager's reconciliation (platform_order_counts).
    let count = crate::domain::counts::OrderCount {
        total_price: platform.total_price.unwrap_or_default(),
        total: platform.total.unwrap_or(0),
        handle_pending: platform.handle_pending.unwrap_or(0),
        pick_pending: platform.pick_pending.unwrap_or(0),
        deliver_pending: platform.deliver_pending.unwrap_or(0),
        delivering: platform.delivering.unwrap_or(0),
        closed: platform.closed.unwrap_or(0),
        cancled: platform.cancled.unwrap_or(0),
    };
    let raw = serde_json::to_string(&platform).unwrap_or_default();
    let store_id = client.store_id().to_string();
    if let Err(e) = app.ledger().write(|tx| {
        crate::ledger::after_sales::store_platform_counts(
            tx,
            outbox::PLATFORM_CHANNEL,
            &store_id,
            &now_text(),
            &count,
            &raw,
        )
    }) {
        tracing::warn!("cannot store order_count: {e}");
    }
    // The one reconciliation engine (`domain::reconcile::reconcile`), the same the manager's
    // `stats_reconcile` runs over the row just stored.
    // None when the ledger cannot be read now (said in the log): no report beats a wrong one.
    match crate::ledger::stats::sync_groups(app.ledger().read(), None) {
        Ok(groups) => Ok(Some(crate::domain::reconcile::reconcile(&groups, Some(&count), 0))),
        Err(e) => {
            tracing::warn!("cannot read the ledger to reconcile order_count: {e}");
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    //! The pull side's ledger effects on an in-memory ledger (no network).
    use super::*;
    use crate::domain::Money;
    use crate::ledger::Ledger;

    fn app() -> App {
        App::from_ledger(Ledger::open_in_memory().unwrap(), std::path::Path::new("/nonexistent-storepos-test")).unwrap()
    }

    fn flash(number: &str) -> PlatformOrder {
        serde_json::from_value(serde_json::json!({
            "order_number": number, "status": "PAID_CONFIRM_PENDING", "type": "ORDER", "delivery_type": "FLASH",
            "payment_type": "WECHAT", "total_price": 34.80, "remark": "不要加辣椒", "contact_user": "王伟", "phone": "13800000000",
            "created_date": "2024-05-01 12:00:00",
            "order_items": [{"product_id": 1, "product_name": "测试1", "quantity": 3, "price": 11.60, "final_price": 34.80}]
        }))
        .unwrap()
    }

    #[test]
    fn online_orders_arrive_once_with_platform_money() {
        let app = app();
        let d = flash("2405011200000001");
        assert!(insert_online(&app, &d).unwrap());
        assert!(!insert_online(&app, &d).unwrap(), "a second pull inserts nothing");
        let o = orders::by_order_number(app.ledger().read(), "2405011200000001").unwrap().unwrap();
        assert_eq!(
            (o.channel, o.status, o.sync_state),
            (Channel::Flash, Status::PaidConfirmPending, SyncState::Synced)
        );
        assert_eq!(o.local_number, "W-0001");
        assert_eq!(o.total, Money::from_fen(3480));
        assert_eq!(o.payment_method, Some(crate::domain::order::PaymentMethod::Online));
        let l = &o.lines.as_ref().unwrap()[0];
        assert_eq!((l.unit_price, l.quantity, l.category.as_str()), (Money::from_fen(1160), 3, "线上"));
        assert!(insert_online(&app, &flash("2405011200000002")).unwrap());
        assert_eq!(
            orders::by_order_number(app.ledger().read(), "2405011200000002").unwrap().unwrap().local_number,
            "W-0002"
        );
    }

    #[test]
    fn platform_status_is_taken_and_divergence_is_a_conflict() {
        let app = app();
        insert_online(&app, &flash("2405011200000003")).unwrap();
        let get = || orders::by_order_number(app.ledger().read(), "2405011200000003").unwrap().unwrap();
        let mut s = RoundSummary::default();
        assert!(!apply_platform(&app, &get(), ReadBack::Status(Status::PaidConfirmPending), &mut s), "unchanged");
        assert!(
            apply_platform(&app, &get(), ReadBack::Status(Status::DeliveredConfirmPending), &mut s),
            "a forward jump"
        );
        assert_eq!((get().status, get().sync_state), (Status::DeliveredConfirmPending, SyncState::Synced));
        assert!(apply_platform(&app, &get(), ReadBack::Status(Status::ClosedCanceled), &mut s), "diverged");
        let o = get();
        assert_eq!((o.status, o.sync_state), (Status::ClosedCanceled, SyncState::Conflict));
        assert!(o.conflict.unwrap().message.contains("已取消"));
        let j = journal::list(app.ledger().read(), Some(&o.client_ref), None, 10).unwrap();
        assert!(j.iter().any(|r| r.action == "sync_conflict"));
        // Gone from the platform: left the store, flagged.
        insert_online(&app, &flash("2405011200000004")).unwrap();
        let o = orders::by_order_number(app.ledger().read(), "2405011200000004").unwrap().unwrap();
        assert!(apply_platform(&app, &o, ReadBack::Gone, &mut s));
        let o = orders::by_order_number(app.ledger().read(), "2405011200000004").unwrap().unwrap();
        assert!(o.left_store && o.sync_state == SyncState::Conflict);
    }
}
