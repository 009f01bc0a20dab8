//! Looking orders up, and the clerk's actions on online SELF_PICK / FLASH orders.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::transition::{record_transition, transition_prints, Transition};
use super::{Access, App, CommandError, Ctx, Event, CLERKS, MANAGERS};
use crate::command;
use crate::domain::counts::{order_count, CountMeaning, OrderCount};
use crate::domain::order::{Channel, Order, Status, SyncState};
use crate::domain::transitions::{apply_person_action, person_may, Action, Outcome};
use crate::ledger::{journal, orders};
use crate::services::printing::{self, Router};

pub const COMMANDS: &[super::Command] = &[
    command!("order_list", Access::Any, orders_list),
    command!("order_get", Access::Any, order_get),
    command!("order_action_apply", Access::Roles(CLERKS), order_action),
    command!("order_checkin", Access::Roles(CLERKS), order_checkin),
    command!("order_count_get", Access::Any, counts),
    command!("journal_list", Access::Roles(MANAGERS), journal_view),
];

#[derive(Deserialize, Default, TS)]
#[ts(rename = "OrderListRequest")]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct ListRequest {
    #[serde(default)]
    pub day: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub statuses: Vec<Status>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub sync_state: Option<SyncState>,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub offset: Option<i64>,
}

#[derive(Serialize, TS)]
#[ts(rename = "OrderListResponse")]
pub struct ListResponse {
    pub orders: Vec<Order>,
    pub total: i64,
}

pub fn parse_day(day: &str) -> Result<chrono::NaiveDate, CommandError> {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
        CommandError::validation(format!("日期「{day}」格式应为 YYYY-MM-DD"), format!("day {day:?} must be YYYY-MM-DD"))
    })
}

fn orders_list(app: &App, _: &Ctx, req: ListRequest) -> Result<ListResponse, CommandError> {
    if let Some(d) = &req.day {
        parse_day(d)?;
    }
    let f = orders::Filter {
        day: req.day,
        statuses: req.statuses,
        channel: req.channel,
        text: req.text,
        sync_state: req.sync_state,
        include_left_store: false,
        limit: req.limit.unwrap_or(50),
        offset: req.offset.unwrap_or(0),
    };
    let (orders, total) = orders::list(app.ledger().read(), &f)?;
    Ok(ListResponse { orders, total })
}

#[derive(Deserialize, TS)]
pub struct GetRequest {
    pub client_ref: String,
}

fn order_get(app: &App, _: &Ctx, req: GetRequest) -> Result<Order, CommandError> {
    Ok(orders::require(app.ledger().read(), &req.client_ref)?)
}

#[derive(Deserialize, TS)]
#[ts(rename = "OrderActionRequest")]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    pub client_ref: String,
    pub action: String,
}

fn order_action(app: &App, ctx: &Ctx, req: ActionRequest) -> Result<Order, CommandError> {
    if req.action == "checkin" {
        return order_checkin(app, ctx, GetRequest { client_ref: req.client_ref });
    }
    let action = Action::parse(&req.action).ok_or_else(|| {
        CommandError::validation(format!("未知操作「{}」", req.action), format!("unknown action {:?}", req.action))
    })?;
    if action == Action::Cancel {
        // One way to cancel, whichever command the screen used.
        return super::sales::order_cancel(
            app,
            ctx,
            super::sales::CancelRequest { client_ref: req.client_ref, reason: None, approval: None },
        );
    }
    let mut ledger = app.ledger();
    let order = orders::require(ledger.read(), &req.client_ref)?;
    if !person_may(order.channel, action) {
        // A counter sale is completed by taking its payment (the domain's rule, which also
        // keeps `complete` out of the order's allowed_actions).
        return Err(CommandError::new(
            super::ErrorCode::IllegalAction,
            "柜台订单请在收银界面收款完成",
            "a counter order is completed by taking its payment at the till",
        ));
    }
    super::transition::require_in_store(&order)?;
    let outcome = apply_person_action(order.channel, order.status, action)?;
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    let actor = ctx.actor();
    ledger.write(|tx| -> Result<(), CommandError> {
        match outcome {
            Outcome::To(next) => {
                record_transition(tx, &actor, &order, Transition { to: next, action, detail: None })?;
                transition_prints(tx, &printers, &order, next)?;
                // FLASH is *deliver*: its kitchen ticket prints when the clerk accepts it.
                if order.channel == Channel::Flash && action == Action::Accept {
                    Router { printers: &printers }.kitchen(
                        tx,
                        &order,
                        order.lines.as_deref().unwrap_or(&[]),
                        1,
                        false,
                    )?;
                }
            }
            Outcome::LeavesStore => {
                // A rejected order the kitchen already started: void its tickets.
                Router { printers: &printers }.kitchen_void(tx, &order)?;
                orders::set_left_store(tx, order.id)?;
                journal::append(
                    tx,
                    journal::Entry {
                        actor: &actor,
                        entity: "order",
                        entity_ref: &order.client_ref,
                        action: "reject",
                        before: Some(order.status.as_str()),
                        after: Some("LEFT_STORE"),
                        detail: None,
                    },
                )?;
                crate::engine::outbox::routing::order_moved(tx, &order, "reject", "LEFT_STORE")?;
            }
        }
        Ok(())
    })?;
    let order = orders::require(ledger.read(), &req.client_ref)?;
    drop(ledger);
    app.publish(Event::OrderChanged { client_ref: order.client_ref.clone(), status: order.status.as_str().into() });
    Ok(order)
}

/// SELF_PICK is *booking*: the customer checks in (签到) and the kitchen ticket prints.
/// A second check-in is refused rather than printing twice; use reprint for that.
fn order_checkin(app: &App, ctx: &Ctx, req: GetRequest) -> Result<Order, CommandError> {
    let mut ledger = app.ledger();
    let order = orders::require(ledger.read(), &req.client_ref)?;
    // Named first: allowed_actions no longer lists checkin once it happened.
    if order.checked_in_at.is_some() {
        return Err(CommandError::new(
            super::ErrorCode::IllegalAction,
            "该订单已签到，出品单已打印；如需再打请用重印",
            "already checked in; use reprint",
        ));
    }
    if !order.allowed_actions.iter().any(|a| a == "checkin") {
        return Err(CommandError::new(
            super::ErrorCode::IllegalAction,
            format!("订单状态「{}」不能签到", order.status.label_zh()),
            "check-in is only for accepted SELF_PICK orders",
        ));
    }
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    let actor = ctx.actor();
    ledger.write(|tx| -> Result<(), CommandError> {
        orders::set_checked_in(tx, order.id)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "order",
                entity_ref: &order.client_ref,
                action: "checkin",
                before: None,
                after: None,
                detail: None,
            },
        )?;
        Router { printers: &printers }.kitchen(tx, &order, order.lines.as_deref().unwrap_or(&[]), 1, false)?;
        Ok(())
    })?;
    Ok(orders::require(ledger.read(), &req.client_ref)?)
}

#[derive(Deserialize, Default, TS)]
#[ts(optional_fields = nullable)]
pub struct CountsRequest {
    #[serde(default)]
    pub day: Option<String>,
}

#[derive(Serialize, TS)]
pub struct CountsResponse {
    pub documented: OrderCount,
    pub field: OrderCount,
}

fn counts(app: &App, _: &Ctx, req: CountsRequest) -> Result<CountsResponse, CommandError> {
    if let Some(d) = &req.day {
        parse_day(d)?;
    }
    let rows = orders::status_totals(app.ledger().read(), req.day.as_deref())?;
    Ok(CountsResponse {
        documented: order_count(CountMeaning::Documented, rows.clone()),
        field: order_count(CountMeaning::Field, rows),
    })
}

#[derive(Deserialize, TS)]
#[ts(optional_fields = nullable)]
pub struct JournalRequest {
    #[serde(default)]
    pub entity_ref: Option<String>,
    #[serde(default)]
    pub before_id: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn journal_view(app: &App, _: &Ctx, req: JournalRequest) -> Result<Vec<journal::JournalRow>, CommandError> {
    Ok(journal::list(
        app.ledger().read(),
        req.entity_ref.as_deref(),
        req.before_id,
        req.limit.unwrap_or(100).clamp(1, 1000),
    )?)
}
