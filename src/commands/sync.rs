//! Sync status and conflicts, for the status bar and the people who resolve conflicts.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, ErrorCode, Event, CLERKS, MANAGERS};
use crate::command;
use crate::domain::order::SyncState;
use crate::ledger::outbox::{self, PLATFORM_CHANNEL};
use crate::ledger::{after_sales, journal, orders};

pub const COMMANDS: &[super::Command] = &[
    command!("sync_status_get", Access::Any, sync_status),
    command!("conflict_list", Access::Any, conflicts_list),
    command!("conflict_resolve", Access::Roles(CLERKS), conflict_resolve),
    command!("stray_list", Access::Any, strays_list),
    command!("stray_void", Access::Roles(MANAGERS), stray_voided),
];

#[derive(Deserialize, Default, TS)]
pub struct Empty {}

#[derive(Serialize, TS)]
pub struct SyncStatus {
    /// False when no platform is set up (`storepos init --central …`): sales stay local.
    pub configured: bool,
    pub online: bool,
    pub last_success_at: Option<String>,
    pub outbox_depth: i64,
    /// Orders (or unlinked services) with operations waiting: what a person counts.
    pub orders_waiting: i64,
    pub oldest_pending_age_s: Option<i64>,
    pub conflicts: i64,
    pub last_error: Option<String>,
    /// Platform orders carrying one of our markers whose number reaches another order
    /// (created by two tills or requests in the same millisecond): sales were created
    /// again; a manager has these voided on the platform.
    pub strays: i64,
    /// The safe setup, said plainly where the sync state is shown.
    pub advice_zh: &'static str,
    pub advice_en: &'static str,
}

/// The platform numbers orders by account and millisecond: two tills on one account can
/// be given the same number. storepos copes (it checks every number it adopts), but the
/// safe setup is one platform account per till.
pub const ADVICE_ZH: &str = "建议每台收银机使用各自的平台账号：同一账号在同一毫秒下的两张订单会得到相同的平台单号。";
pub const ADVICE_EN: &str = "Use one platform account per till: the platform gives two orders of one account created in the same millisecond the same number.";

fn sync_status(app: &App, _: &Ctx, _: Empty) -> Result<SyncStatus, CommandError> {
    let ledger = app.ledger();
    let rec = crate::engine::platform::read_status(ledger.read());
    let d = outbox::depth(ledger.read(), PLATFORM_CHANNEL)?;
    let age = d
        .oldest_pending_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds().max(0));
    Ok(SyncStatus {
        configured: crate::app::config::path(app.data_dir()).exists(),
        online: rec.online,
        last_success_at: rec.last_success_at,
        outbox_depth: d.pending,
        orders_waiting: outbox::pending_streams(ledger.read(), PLATFORM_CHANNEL)?,
        oldest_pending_age_s: age,
        conflicts: d.conflicts,
        last_error: d.last_error.or(rec.last_error),
        strays: outbox::strays(ledger.read(), false)?.len() as i64,
        advice_zh: ADVICE_ZH,
        advice_en: ADVICE_EN,
    })
}

#[derive(Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
pub struct StraysRequest {
    /// Include the ones already marked voided.
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub all: bool,
}

fn strays_list(app: &App, _: &Ctx, req: StraysRequest) -> Result<Vec<outbox::Stray>, CommandError> {
    Ok(outbox::strays(app.ledger().read(), req.all)?)
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StrayVoidedRequest {
    pub id: i64,
}

/// A manager had the platform void a stray order: it leaves the list (journaled).
fn stray_voided(app: &App, ctx: &Ctx, req: StrayVoidedRequest) -> Result<Vec<outbox::Stray>, CommandError> {
    let actor = ctx.actor();
    app.ledger().write(|tx| -> Result<(), CommandError> {
        if !outbox::mark_stray_voided(tx, req.id)? {
            return Err(CommandError::not_found("没有这条待作废的平台订单", "no such open stray platform order"));
        }
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "platform_stray",
                entity_ref: &req.id.to_string(),
                action: "voided",
                before: None,
                after: None,
                detail: None,
            },
        )?;
        Ok(())
    })?;
    Ok(outbox::strays(app.ledger().read(), false)?)
}

#[derive(Serialize, TS)]
pub struct ConflictItem {
    pub client_ref: String,
    pub local_number: String,
    /// "order" or "after_sales".
    pub kind: &'static str,
    pub message: String,
    pub platform_message: Option<String>,
    pub created_at: String,
    /// The platform never created this sale: it may be kept on this till only.
    pub can_keep_local: bool,
}

fn conflicts_list(app: &App, _: &Ctx, _: Empty) -> Result<Vec<ConflictItem>, CommandError> {
    let ledger = app.ledger();
    let conn = ledger.read();
    let f = orders::Filter {
        sync_state: Some(SyncState::Conflict),
        include_left_store: true,
        limit: 500,
        ..Default::default()
    };
    let (list, _) = orders::list(conn, &f)?;
    let mut out: Vec<ConflictItem> = list
        .into_iter()
        .map(|o| {
            let c = o.conflict.clone();
            ConflictItem {
                client_ref: o.client_ref,
                local_number: o.local_number,
                kind: "order",
                message: c.as_ref().map(|c| c.message.clone()).unwrap_or_default(),
                platform_message: c.as_ref().and_then(|c| c.platform_message.clone()),
                created_at: c.map(|c| c.at).unwrap_or(o.updated_at),
                can_keep_local: o.order_number.is_none() && o.channel == crate::domain::order::Channel::Counter,
            }
        })
        .collect();
    // Unlinked services (their own stream) in conflict.
    for s in after_sales::list(conn, None, 1000)? {
        if s.sync_state == SyncState::Conflict && s.order_client_ref.is_none() {
            out.push(ConflictItem {
                client_ref: s.client_ref.clone(),
                local_number: s.service_number.clone().unwrap_or_else(|| "售后".into()),
                kind: "after_sales",
                message: s.conflict.clone().unwrap_or_default(),
                platform_message: None,
                created_at: s.created_at.clone(),
                can_keep_local: false,
            });
        }
    }
    Ok(out)
}

#[derive(Deserialize, TS)]
#[ts(rename = "ConflictResolveRequest")]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub client_ref: String,
    /// "retry": send the held operation again; "accept_platform": drop the local
    /// operations and keep what the platform has; "keep_local": a sale the platform
    /// would not create stays on this till only (counted here, never sent).
    pub resolution: String,
}

#[derive(Serialize, TS)]
pub struct ResolveResponse {
    pub client_ref: String,
    pub resolution: String,
    /// Outbox operations put back in line (retry) or dropped (accept_platform).
    pub operations: usize,
}

fn conflict_resolve(app: &App, ctx: &Ctx, req: ResolveRequest) -> Result<ResolveResponse, CommandError> {
    let (retry, keep_local) = match req.resolution.as_str() {
        "retry" => (true, false),
        "accept_platform" => (false, false),
        "keep_local" => (false, true),
        other => {
            return Err(CommandError::validation(
                format!("未知的处理方式「{other}」"),
                format!("resolution must be retry, accept_platform or keep_local, not {other:?}"),
            ));
        }
    };
    let actor = ctx.actor();
    let mut ledger = app.ledger();
    let n = ledger.write(|tx| -> Result<usize, CommandError> {
        let rows = outbox::list_stream(tx, &req.client_ref)?;
        let order = orders::get(tx, &req.client_ref)?;
        let conflicted: Vec<_> = rows.iter().filter(|r| r.state == "conflict").collect();
        let order_in_conflict = order.as_ref().is_some_and(|o| o.sync_state == SyncState::Conflict);
        if conflicted.is_empty() && !order_in_conflict {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                "该单据没有待处理的同步冲突",
                "no sync conflict for this client_ref",
            ));
        }
        // "Take the platform's version" means nothing for an order the platform never
        // had: saying synced would hide a sale that exists only on this till.
        let unsent_create =
            order.as_ref().is_some_and(|o| o.order_number.is_none()) && conflicted.iter().any(|r| r.op == "create");
        if keep_local && !unsent_create {
            return Err(CommandError::new(
                ErrorCode::IllegalAction,
                "只有平台未建立的订单才能仅保留在本机",
                "only a sale the platform never created can be kept on this till only",
            ));
        }
        if !retry && !keep_local && unsent_create {
            return Err(CommandError::new(
                ErrorCode::IllegalAction,
                "平台上没有这张订单，无法采用平台版本：请检查后重试",
                "the platform never had this order, so there is no platform version to take: fix the cause and retry",
            ));
        }
        let mut n = 0;
        if retry {
            for r in &conflicted {
                outbox::requeue(tx, r.id)?;
                n += 1;
            }
        } else {
            // The platform's version wins: the held operation and everything queued
            // after it on this order are dropped (they were built on the local view).
            let first = conflicted.first().map(|r| r.id).unwrap_or(i64::MAX);
            for r in rows.iter().filter(|r| r.state != "done" && r.id >= first) {
                if r.state == "pending" {
                    outbox::mark_conflict(tx, r.id, "dropped", "dropped: platform version accepted")?;
                }
                outbox::abandon(tx, r.id)?;
                n += 1;
            }
        }
        let state = if retry {
            SyncState::Pending
        } else if keep_local {
            SyncState::Local
        } else {
            SyncState::Synced
        };
        if let Some(o) = &order {
            orders::set_sync_state(tx, o.id, state, None)?;
        }
        // A retried service stays flagged until the engine attaches its number.
        if !retry {
            for r in conflicted.iter().filter(|r| r.op == "after_sales") {
                if let Some(id) = r.payload.get("id").and_then(|v| v.as_i64()) {
                    after_sales::set_synced(tx, id, None, None, None)?;
                }
            }
        }
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: if order.is_some() { "order" } else { "after_sales" },
                entity_ref: &req.client_ref,
                action: "conflict_resolve",
                before: Some("conflict"),
                after: Some(state.as_str()),
                detail: Some(format!("{} ({n} operations)", req.resolution)),
            },
        )?;
        Ok(n)
    })?;
    drop(ledger);
    if retry {
        app.wake_engines();
    }
    let ledger = app.ledger();
    let d = outbox::depth(ledger.read(), PLATFORM_CHANNEL)?;
    let online = crate::engine::platform::read_status(ledger.read()).online;
    drop(ledger);
    app.publish(Event::Sync { online, outbox_depth: d.pending, conflicts: d.conflicts });
    Ok(ResolveResponse { client_ref: req.client_ref, resolution: req.resolution, operations: n })
}
