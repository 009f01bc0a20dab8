//! The other channels (issue 10): their health, their settings, their orders, people's
//! actions on those orders, and the day split by channel.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, ErrorCode, CLERKS, MANAGERS};
use crate::clients::channels::{self, ChannelAction, ChannelSpec, Dialect, Secret};
use crate::command;
use crate::domain::Money;
use crate::ledger::channels::{self as store, DayByChannel, Health, MirrorRow};
use crate::ledger::outbox::{self, OutboxRow, PLATFORM_CHANNEL};
use crate::ledger::{journal, settings};

pub const COMMANDS: &[super::Command] = &[
    command!("channel_list", Access::Any, channels_list),
    command!("channel_set", Access::Roles(MANAGERS), channels_set),
    command!("channel_order_list", Access::Any, channel_orders),
    command!("channel_order_action_apply", Access::Roles(CLERKS), channel_order_action),
    command!("channel_payment_get", Access::Any, channel_payment_status),
    command!("channel_conflict_list", Access::Any, channel_conflicts),
    command!("channel_conflict_resolve", Access::Roles(CLERKS), channel_conflict_resolve),
    command!("stats_channel_get", Access::Roles(MANAGERS), stats_by_channel),
];

#[derive(Deserialize, Default, TS)]
pub struct Empty {}

#[derive(Serialize, TS)]
pub struct ChannelView {
    pub id: String,
    pub dialect: Dialect,
    pub url: Option<String>,
    pub enabled: bool,
    pub primary: bool,
    pub has_credentials: bool,
    pub online: bool,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    /// Operations waiting for this channel.
    pub backlog: i64,
    pub oldest_pending_at: Option<String>,
    pub conflicts: i64,
    /// Orders of this channel we hold a mirror of.
    pub orders_known: i64,
    /// The channel's own counts when it has some (seed 001 `order-counts`).
    pub counts: Option<serde_json::Value>,
}

fn channels_list(app: &App, _: &Ctx, _: Empty) -> Result<Vec<ChannelView>, CommandError> {
    let ledger = app.ledger();
    let conn = ledger.read();
    let mut out = vec![];
    let rec = crate::engine::platform::read_status(conn);
    let d = outbox::depth(conn, PLATFORM_CHANNEL)?;
    let central = crate::app::config::load_platform(app.data_dir()).ok().flatten();
    out.push(ChannelView {
        id: PLATFORM_CHANNEL.into(),
        dialect: Dialect::RestStore,
        url: central.as_ref().map(|c| c.url.clone()),
        enabled: central.is_some(),
        primary: true,
        has_credentials: central.is_some(),
        online: rec.online,
        last_success_at: rec.last_success_at,
        last_error: d.last_error.or(rec.last_error),
        backlog: d.pending,
        oldest_pending_at: d.oldest_pending_at,
        conflicts: d.conflicts,
        orders_known: conn
            .query_row("SELECT count(*) FROM orders WHERE order_number IS NOT NULL", [], |r| r.get(0))
            .unwrap_or(0),
        counts: None,
    });
    let secrets = crate::app::config::load_secrets(app.data_dir()).unwrap_or_default();
    for spec in channels::configured(conn) {
        let h: Health = store::health(conn, &spec.id)?;
        let d = outbox::depth(conn, &spec.id)?;
        out.push(ChannelView {
            id: spec.id.clone(),
            dialect: spec.dialect,
            url: Some(spec.url.clone()),
            enabled: spec.enabled,
            primary: false,
            has_credentials: secrets.get(&spec.id).map(|s| s.token.is_some() || s.password.is_some()).unwrap_or(false),
            online: h.online,
            last_success_at: h.last_success_at,
            last_error: d.last_error.or(h.last_error),
            backlog: d.pending,
            oldest_pending_at: d.oldest_pending_at,
            conflicts: d.conflicts,
            orders_known: store::count(conn, &spec.id)?,
            counts: h.counts,
        });
    }
    Ok(out)
}

/// One channel as a manager sets it: the spec plus its credentials (kept out of the
/// ledger; an absent token keeps the one on file).
#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct ChannelInput {
    pub id: String,
    pub dialect: Dialect,
    pub url: String,
    #[serde(default = "yes")]
    #[ts(as = "Option<_>", optional)]
    pub enabled: bool,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub store_rid: Option<String>,
    #[serde(default)]
    pub address_rid: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, TS)]
#[ts(rename = "ChannelSetRequest")]
#[serde(deny_unknown_fields)]
pub struct SetRequest {
    pub channels: Vec<ChannelInput>,
}

fn channels_set(app: &App, ctx: &Ctx, req: SetRequest) -> Result<Vec<ChannelView>, CommandError> {
    let bad = |zh: String, en: String| Err(CommandError::validation(zh, en));
    let mut seen = std::collections::HashSet::new();
    if req.channels.len() > 20 {
        return bad("最多 20 个渠道".into(), "at most 20 channels".into());
    }
    for c in &req.channels {
        if c.id.is_empty()
            || c.id.len() > 40
            || !c.id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        {
            return bad(
                format!("渠道编号「{}」只能由小写字母、数字和 - 组成", c.id),
                format!("channel id {:?} must be [a-z0-9-]{{1,40}}", c.id),
            );
        }
        if !seen.insert(c.id.clone()) {
            return bad(format!("渠道编号「{}」重复", c.id), format!("duplicate channel id {:?}", c.id));
        }
        if c.id == PLATFORM_CHANNEL || c.dialect == Dialect::RestStore {
            return bad(
                "主平台（rest-store）请用 storepos init --central 配置".into(),
                "the primary rest-store platform is configured with storepos init --central".into(),
            );
        }
        let url = c.url.trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 300 {
            return bad(
                format!("渠道「{}」的地址必须以 http:// 或 https:// 开头", c.id),
                format!("channel {:?}: URL must start with http:// or https://", c.id),
            );
        }
        if c.timeout_ms == Some(0) {
            return bad("超时必须大于 0".into(), "timeout_ms must be positive".into());
        }
    }
    let mut secrets = crate::app::config::load_secrets(app.data_dir())?;
    for c in &req.channels {
        let old = secrets.remove(&c.id).unwrap_or_default();
        let s = Secret {
            token: c.token.clone().or(old.token),
            username: c.username.clone().or(old.username),
            password: c.password.clone().or(old.password),
        };
        if c.enabled && s.token.is_none() && s.password.is_none() {
            return bad(
                format!("渠道「{}」缺少凭据（token）", c.id),
                format!("channel {:?} needs credentials (token)", c.id),
            );
        }
        secrets.insert(c.id.clone(), s);
    }
    secrets.retain(|k, _| req.channels.iter().any(|c| &c.id == k));
    let specs: Vec<ChannelSpec> = req
        .channels
        .iter()
        .map(|c| ChannelSpec {
            id: c.id.clone(),
            dialect: c.dialect,
            url: c.url.trim_end_matches('/').to_string(),
            enabled: c.enabled,
            store_rid: c.store_rid.clone(),
            address_rid: c.address_rid.clone(),
            timeout_ms: c.timeout_ms,
        })
        .collect();
    crate::app::config::save_secrets(app.data_dir(), &secrets)?;
    let v =
        serde_json::to_value(&specs).map_err(|e| CommandError::new(ErrorCode::Internal, "内部错误", e.to_string()))?;
    let actor = ctx.actor();
    app.ledger().write(|tx| -> Result<(), CommandError> {
        settings::set(tx, channels::SETTINGS_KEY, &v)?;
        let ids: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "settings",
                entity_ref: channels::SETTINGS_KEY,
                action: "channels_set",
                before: None,
                after: None,
                detail: Some(ids.join(",")),
            },
        )?;
        Ok(())
    })?;
    channels_list(app, ctx, Empty {})
}

fn known_channel(app: &App, id: &str) -> Result<ChannelSpec, CommandError> {
    channels::configured(app.ledger().read())
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| CommandError::not_found(format!("没有渠道「{id}」"), format!("no channel {id:?}")))
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct OrdersRequest {
    pub channel: String,
    #[serde(default)]
    pub day: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub offset: Option<i64>,
}

#[derive(Serialize, TS)]
pub struct OrdersResponse {
    pub orders: Vec<MirrorRow>,
    pub total: i64,
}

fn channel_orders(app: &App, _: &Ctx, req: OrdersRequest) -> Result<OrdersResponse, CommandError> {
    known_channel(app, &req.channel)?;
    if let Some(d) = &req.day {
        super::orders::parse_day(d)?;
    }
    let ledger = app.ledger();
    let orders = store::list(
        ledger.read(),
        &req.channel,
        req.day.as_deref(),
        req.limit.unwrap_or(50).clamp(1, 500),
        req.offset.unwrap_or(0).max(0),
    )?;
    Ok(OrdersResponse { orders, total: store::count(ledger.read(), &req.channel)? })
}

/// (`deny_unknown_fields` does not combine with the flattened action.)
#[derive(Deserialize, TS)]
#[ts(rename = "ChannelOrderActionRequest")]
pub struct ActionRequest {
    pub channel: String,
    pub remote_id: String,
    #[serde(flatten)]
    pub action: ChannelAction,
}

#[derive(Serialize, TS)]
pub struct Queued {
    pub outbox_id: i64,
    pub stream: String,
}

/// Queues a person's action on a channel's order: sent by that channel's worker, read
/// back first so a lost answer never makes it happen twice.
fn channel_order_action(app: &App, ctx: &Ctx, req: ActionRequest) -> Result<Queued, CommandError> {
    let spec = known_channel(app, &req.channel)?;
    if req.remote_id.is_empty() || req.remote_id.len() > 64 {
        return Err(CommandError::validation("订单编号不正确", "bad remote_id"));
    }
    let ok = !matches!(
        (&spec.dialect, &req.action),
        (Dialect::Api, ChannelAction::SellerRemark { .. })
            | (Dialect::Omni, ChannelAction::Refund { .. } | ChannelAction::RefundWithdraw)
    );
    if !ok {
        return Err(CommandError::new(
            ErrorCode::IllegalAction,
            format!("渠道「{}」不支持该操作", spec.id),
            format!("{} has no {}", spec.dialect.as_str(), req.action.name()),
        ));
    }
    match &req.action {
        ChannelAction::Refund { reason, .. } if reason.trim().is_empty() => {
            return Err(CommandError::validation("请填写退款/退货理由", "reason is required"))
        }
        ChannelAction::Refund { reason, remark, .. } => {
            super::input::check_text("理由", "reason", reason)?;
            super::input::check_text("备注", "remark", remark)?;
        }
        ChannelAction::SellerRemark { remark } => super::input::check_text("备注", "remark", remark)?,
        _ => {}
    }
    let stream = format!("remote:{}", req.remote_id);
    let action = serde_json::to_value(&req.action).unwrap_or_default();
    let actor = ctx.actor();
    let id = app.ledger().write(|tx| -> Result<i64, CommandError> {
        let id = crate::engine::outbox::routing::channel_action(tx, &spec.id, &req.remote_id, action)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "channel_order",
                entity_ref: &stream,
                action: req.action.name(),
                before: None,
                after: None,
                detail: Some(format!("[{}] {}", spec.id, req.remote_id)),
            },
        )?;
        Ok(id)
    })?;
    Ok(Queued { outbox_id: id, stream })
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub channel: String,
    pub remote_id: String,
}

#[derive(Serialize, TS)]
pub struct PaymentResponse {
    pub paid: bool,
}

/// Asks the channel now (001 `GET /api/orders/{id}/status`, 004 `check_order_paid`).
fn channel_payment_status(app: &App, _: &Ctx, req: PaymentRequest) -> Result<PaymentResponse, CommandError> {
    let spec = known_channel(app, &req.channel)?;
    let secret = crate::app::config::load_secrets(app.data_dir())?.remove(&spec.id).unwrap_or_default();
    let ch = channels::build(&spec, &secret, app.config().store_id)
        .map_err(|e| CommandError::new(ErrorCode::Platform, "无法连接渠道", e.to_string()))?;
    let id = req.remote_id.clone();
    let r = app.run_io(async move { ch.payment_status(&id).await });
    match r {
        Ok(paid) => Ok(PaymentResponse { paid }),
        Err(e) if e.is_offline() => {
            Err(CommandError::new(ErrorCode::Platform, format!("渠道「{}」暂时无法连接", spec.id), e.to_string()))
        }
        Err(e) => Err(CommandError::new(
            ErrorCode::Platform,
            format!("渠道「{}」：{}", spec.id, e.platform_message().unwrap_or("查询失败")),
            e.to_string(),
        )),
    }
}

#[derive(Deserialize, TS)]
pub struct ChannelRequest {
    pub channel: String,
}

fn channel_conflicts(app: &App, _: &Ctx, req: ChannelRequest) -> Result<Vec<OutboxRow>, CommandError> {
    Ok(store::conflicts(app.ledger().read(), &req.channel)?)
}

#[derive(Deserialize, TS)]
#[ts(rename = "ChannelConflictResolveRequest")]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub channel: String,
    pub outbox_id: i64,
    /// `retry` (send again after a fresh read) or `abandon` (accept the channel's version).
    pub choice: String,
}

fn channel_conflict_resolve(app: &App, ctx: &Ctx, req: ResolveRequest) -> Result<OutboxRow, CommandError> {
    let mut ledger = app.ledger();
    let row = outbox::get(ledger.read(), req.outbox_id)?
        .filter(|r| r.channel == req.channel && r.channel != PLATFORM_CHANNEL)
        .ok_or_else(|| CommandError::not_found("没有这条渠道操作", "no such channel operation"))?;
    if row.state != "conflict" {
        return Err(CommandError::new(ErrorCode::IllegalAction, "该操作没有冲突", "the operation is not in conflict"));
    }
    let actor = ctx.actor();
    ledger.write(|tx| -> Result<(), CommandError> {
        match req.choice.as_str() {
            "retry" => outbox::requeue(tx, row.id)?,
            "abandon" => outbox::abandon(tx, row.id)?,
            other => {
                return Err(CommandError::validation(format!("未知选择「{other}」"), "choice must be retry or abandon"))
            }
        }
        if let Some(m) = store::by_client_ref(tx, &row.channel, &row.stream)? {
            store::set_conflict(tx, &row.channel, &m.remote_id, None)?;
        }
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "order",
                entity_ref: &row.stream,
                action: "channel_conflict_resolve",
                before: None,
                after: Some(&req.choice),
                detail: Some(format!("[{}] #{}", row.channel, row.id)),
            },
        )?;
        Ok(())
    })?;
    drop(ledger);
    outbox::get(app.ledger().read(), row.id)?
        .ok_or_else(|| CommandError::not_found("没有这条渠道操作", "no such channel operation"))
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DayRequest {
    pub day: String,
}

#[derive(Serialize, TS)]
pub struct ChannelDay {
    pub channel: String,
    /// `ours` (till sales) or `theirs` (the channel's own orders).
    pub origin: String,
    pub orders: i64,
    pub amount: Money,
    pub canceled: i64,
    pub unknown_status: i64,
}

#[derive(Serialize, TS)]
pub struct StatsByChannel {
    pub day: String,
    pub channels: Vec<ChannelDay>,
}

/// Orders and amounts per channel for one business day: the platform from the ledger, the
/// other channels from what they hold (their mirror rows of that day).
fn stats_by_channel(app: &App, _: &Ctx, req: DayRequest) -> Result<StatsByChannel, CommandError> {
    super::orders::parse_day(&req.day)?;
    let ledger = app.ledger();
    let mut rows: Vec<DayByChannel> = store::primary_day(ledger.read(), &req.day)?;
    rows.extend(store::day_by_channel(ledger.read(), &req.day)?);
    Ok(StatsByChannel {
        day: req.day,
        channels: rows
            .into_iter()
            .map(|r| ChannelDay {
                channel: r.channel,
                origin: r.origin,
                orders: r.orders,
                amount: Money::from_fen(r.amount_fen),
                canceled: r.canceled,
                unknown_status: r.unknown_status,
            })
            .collect(),
    })
}
