//! Counter sales: ring up, take cash, cancel, reprint.

use chrono::{Timelike, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::transition::{record_transition, Transition};
use super::{Access, App, CommandError, Ctx, ErrorCode, Event, SELLERS};
use crate::command;
use crate::domain::approval::Act;
use crate::domain::cash;
use crate::domain::discount::{self, DiscountKind};
use crate::domain::kitchen::CounterMoment;
use crate::domain::order::{
    order_total, validate_quantity, Channel, LineRequest, Order, OrderLine, PaymentMethod, Status, SyncState,
};
use crate::domain::transitions::{apply_action, apply_person_action, Action, Outcome};
use crate::domain::{local_number, DomainError, Money};
use crate::ledger::{catalog, journal, orders, settings, time_text};
use crate::services::counter_kitchen::counter_kitchen;
use crate::services::printing::{self, Router};

pub const COMMANDS: &[super::Command] = &[
    command!("sale_create", Access::Roles(SELLERS), sale_create),
    command!("sale_discount", Access::Roles(SELLERS), sale_discount),
    command!("sale_cash_pay", Access::Roles(SELLERS), sale_pay_cash),
    command!("cash_tender_list", Access::Any, quick_tenders),
    command!("cash_change_quote", Access::Any, change_quote),
    command!("order_cancel", Access::Roles(SELLERS), order_cancel),
    command!("order_reprint", Access::Roles(SELLERS), order_reprint),
];

pub const MAX_LINES: usize = 200;
use super::input::check_text;

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct SaleCreate {
    pub lines: Vec<LineRequest>,
    #[serde(default)]
    pub remark: Option<String>,
    /// The customer's mobile (会员), name, and invoice title (发票抬头): see `member.rs`.
    #[serde(default)]
    pub member_phone: Option<String>,
    #[serde(default)]
    pub member_name: Option<String>,
    #[serde(default)]
    pub invoice_title: Option<String>,
}

/// Prices lines from the local catalog; the cashier never types a price.
pub fn price_lines(conn: &rusqlite::Connection, reqs: &[LineRequest]) -> Result<Vec<OrderLine>, CommandError> {
    if reqs.is_empty() {
        return Err(DomainError::EmptyOrder.into());
    }
    if reqs.len() > MAX_LINES {
        return Err(CommandError::validation(
            format!("一单最多 {MAX_LINES} 行"),
            format!("at most {MAX_LINES} lines per order"),
        ));
    }
    let mut out = Vec::with_capacity(reqs.len());
    for (i, l) in reqs.iter().enumerate() {
        validate_quantity(l.quantity)?;
        if let Some(m) = &l.memo {
            check_text("备注", "memo", m)?;
        }
        let p = catalog::get(conn, l.product_id)?.ok_or_else(|| {
            CommandError::not_found(
                format!("商品 {} 不存在", l.product_id),
                format!("unknown product {}", l.product_id),
            )
        })?;
        let (name, price) = match l.specification_id {
            None => (p.name.clone(), p.price),
            Some(sid) => {
                let s = p.specifications.iter().find(|s| s.id == sid).ok_or_else(|| {
                    CommandError::not_found(
                        format!("商品 {} 没有规格 {sid}", p.name),
                        format!("product {} has no specification {sid}", p.id),
                    )
                })?;
                (format!("{}({})", p.name, s.name), s.price)
            }
        };
        out.push(OrderLine::priced(
            i as i64 + 1,
            p.id,
            l.specification_id,
            name,
            p.category_name.clone(),
            p.station.clone(),
            price,
            l.quantity,
            l.memo.clone(),
        )?);
    }
    Ok(out)
}

fn sale_create(app: &App, ctx: &Ctx, req: SaleCreate) -> Result<Order, CommandError> {
    let user = ctx.user()?.clone();
    let remark = req.remark.unwrap_or_default();
    check_text("备注", "remark", &remark)?;
    let cfg = app.config();
    let now = Utc::now();
    let day = cfg.rule.day_of(now).to_string();
    let local_hour = now.with_timezone(&cfg.rule.tz).hour();
    let client_ref = uuid::Uuid::now_v7().to_string();
    let customer = super::member::customer_of(
        &client_ref,
        req.member_phone.as_deref(),
        req.member_name.as_deref(),
        req.invoice_title.as_deref(),
    )?;
    let actor = ctx.actor();
    let mut ledger = app.ledger();
    // Every read the sale needs happens inside its one transaction: each statement outside
    // one would be a transaction of its own (locks taken and released each time).
    let mut order = ledger.write(|tx| -> Result<Order, CommandError> {
        let lines = price_lines(tx, &req.lines)?;
        let printers = printing::printers(tx, app.data_dir())?;
        let seq = orders::next_day_seq(tx, &day, &cfg.till_code)?;
        let mut order = Order {
            id: 0,
            client_ref: client_ref.clone(),
            local_number: local_number::format(&cfg.till_code, seq),
            till_code: cfg.till_code.clone(),
            business_day: day.clone(),
            order_number: None,
            channel: Channel::Counter,
            order_type: Channel::Counter.order_type(),
            status: Status::CreatedPayPending,
            payment_method: None,
            total: order_total(&lines),
            discount: Money::ZERO,
            discount_kind: None,
            due: order_total(&lines),
            paid: None,
            change: None,
            remark: remark.clone(),
            // The member the cashier entered is the order's contact, so 今日订单 finds the
            // sale by phone (as it finds online orders by theirs).
            contact_user: customer.as_ref().and_then(|c| c.member_name.clone()).unwrap_or_default(),
            phone: customer.as_ref().and_then(|c| c.member_phone.clone()).unwrap_or_default(),
            cashier: Some(user.display_name.clone()),
            created_at: time_text(now),
            updated_at: time_text(now),
            sync_state: SyncState::Pending,
            conflict: None,
            left_store: false,
            checked_in_at: None,
            allowed_actions: vec![],
            lines: Some(lines.clone()),
        };
        order.id = orders::insert(tx, &order, &lines, Some(user.id), local_hour, seq)?;
        if let Some(c) = &customer {
            crate::ledger::customers::insert(tx, c)?;
        }
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "order",
                entity_ref: &client_ref,
                action: "create",
                before: None,
                after: Some(Status::CreatedPayPending.as_str()),
                detail: Some(format!("{} lines, total {}", lines.len(), order.total)),
            },
        )?;
        crate::engine::outbox::routing::sale_recorded(tx, &order, ctx.via_lan)?;
        // Pay first, then make: the kitchen ticket prints on payment unless the store
        // prints on order (`domain::kitchen`).
        counter_kitchen(tx, &printers, &order, CounterMoment::Rung)?;
        Ok(order)
    })?;
    drop(ledger);
    // The order as written (no read-back: the row holds exactly these fields, and the
    // columns the insert leaves to their defaults are the defaults `Order` carries).
    order.allowed_actions = crate::domain::transitions::allowed_for(&order);
    // The link between the till's request id and the sync engine's op lines.
    tracing::info!(client_ref = %client_ref, local_number = %order.local_number, total = %order.total, "sale recorded");
    app.publish(Event::OrderChanged { client_ref: client_ref.clone(), status: order.status.as_str().into() });
    Ok(order)
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PayCash {
    pub client_ref: String,
    pub tendered: Money,
}

#[derive(Serialize, TS)]
pub struct PayCashResponse {
    pub order: Order,
    pub change: Money,
}

fn sale_pay_cash(app: &App, ctx: &Ctx, req: PayCash) -> Result<PayCashResponse, CommandError> {
    let actor = ctx.actor();
    let till = app.config().till_code;
    let mut ledger = app.ledger();
    // The checks read inside the payment's one transaction (a refusal rolls it back).
    let (order, change) = ledger.write(|tx| -> Result<(Order, Money), CommandError> {
        let order = orders::require(tx, &req.client_ref)?;
        if order.channel != Channel::Counter || order.status != Status::CreatedPayPending {
            return Err(DomainError::IllegalAction {
                channel: order.channel,
                status: order.status,
                action: Action::Complete,
            }
            .into());
        }
        // The customer pays the platform's price less any store-side discount.
        let change = cash::change(order.due, req.tendered)?;
        super::shifts::require_open(tx, &till)?;
        let Outcome::To(next) = apply_action(order.channel, order.status, Action::Complete)? else {
            unreachable!("complete never leaves the store")
        };
        let printers = printing::printers(tx, app.data_dir())?;
        orders::set_payment(tx, order.id, PaymentMethod::Cash, Some(req.tendered), Some(change))?;
        record_transition(
            tx,
            &actor,
            &order,
            Transition {
                to: next,
                action: Action::Complete,
                detail: Some(format!("cash {} change {change}", req.tendered)),
            },
        )?;
        // The paid order as committed (read once, here, not again after the commit).
        let mut paid = orders::require(tx, &order.client_ref)?;
        paid.lines = order.lines.clone();
        Router { printers: &printers }.receipt(tx, &paid, true, None)?;
        counter_kitchen(tx, &printers, &paid, CounterMoment::Paid)?;
        Ok((paid, change))
    })?;
    drop(ledger);
    tracing::info!(client_ref = %order.client_ref, tendered = %req.tendered, change = %change, "sale paid in cash");
    app.publish(Event::OrderChanged { client_ref: order.client_ref.clone(), status: order.status.as_str().into() });
    Ok(PayCashResponse { order, change })
}

/// The setting that says what 抹零 drops: `"fen"` (抹分, the default) or `"jiao"` (抹角).
pub const MOLING_UNIT_SETTING: &str = "moling_unit";

/// What the cashier asks for on an unpaid sale: one adjustment, replacing any before.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DiscountAsk {
    /// Remove the sale's discount.
    None,
    /// 抹零 in the store's unit (setting `moling_unit`).
    Moling,
    /// 整单优惠: a sum off.
    Amount { amount: Money },
    /// 整单优惠 by percent off (9折 is `"10"`), rounded down to the fen.
    Percent {
        #[ts(type = "string")]
        percent: rust_decimal::Decimal,
    },
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct SaleDiscountRequest {
    pub client_ref: String,
    pub discount: DiscountAsk,
    /// A manager's approval (rule `discount`, bound to this sale and the discount's amount)
    /// when the discount is above the caller's role limit.
    #[serde(default)]
    pub approval: Option<String>,
}

/// A store-side discount (整单优惠 / 抹零) on an unpaid counter sale. The platform order
/// keeps the full price; the customer pays `due`. Refused on a paid sale, while a WeChat
/// code is live (the customer would pay the full price), and above the role's limit
/// without a manager's approval (`approval_required`, rule `discount`).
fn sale_discount(app: &App, ctx: &Ctx, req: SaleDiscountRequest) -> Result<Order, CommandError> {
    let user = ctx.user()?.clone();
    let mut ledger = app.ledger();
    let order = orders::require(ledger.read(), &req.client_ref)?;
    if order.channel != Channel::Counter {
        return Err(CommandError::new(
            ErrorCode::IllegalAction,
            "只有柜台销售可以优惠（线上订单由平台定价收款）",
            "only counter sales take a store discount (online orders were priced and paid on the platform)",
        ));
    }
    if order.status != Status::CreatedPayPending || order.payment_method.is_some() {
        return Err(CommandError::new(
            ErrorCode::IllegalAction,
            format!("订单「{}」已付款或已关闭，不能再优惠；如需退钱请走售后", order.status.label_zh()),
            "a paid or closed sale cannot be discounted; give money back through after-sales",
        )
        .with_details(serde_json::json!({ "reason": "not_unpaid" })));
    }
    if let Some(c) = crate::ledger::payments::live(ledger.read(), &order.client_ref)? {
        if c.expires_at > time_text(Utc::now()) {
            return Err(CommandError::new(
                ErrorCode::IllegalAction,
                "已出示微信收款码（按原价收款）：请先取消微信收款，再优惠",
                "a WeChat code for the full price is showing: cancel it before discounting",
            )
            .with_details(serde_json::json!({ "reason": "wechat_code_live" })));
        }
    }
    let ask = match req.discount {
        DiscountAsk::None => discount::Ask::None,
        DiscountAsk::Moling => discount::Ask::Moling(
            settings::get(ledger.read(), MOLING_UNIT_SETTING)?
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default(),
        ),
        DiscountAsk::Amount { amount } => discount::Ask::Amount(amount),
        DiscountAsk::Percent { percent } => discount::Ask::Percent(percent),
    };
    let d = discount::apply(order.total, ask).map_err(|e| {
        CommandError::validation(e.label_zh(), e.label_en()).with_details(serde_json::json!({ "reason": "discount" }))
    })?;
    let act = Act::Discount { discount: d.amount, total: order.total, moling: d.kind == Some(DiscountKind::Moling) };
    let approved = super::approvals::guard(ledger.read(), &user, &act, &order.client_ref, req.approval.as_deref())?;
    let actor = ctx.actor();
    ledger.write(|tx| -> Result<(), CommandError> {
        if let Some(a) = &approved {
            super::approvals::consume(tx, a, &actor, &format!("discount {} on {}", d.amount, order.client_ref))?;
        }
        orders::set_discount(tx, order.id, d.amount, d.kind)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "order",
                entity_ref: &order.client_ref,
                action: "discount",
                before: None,
                after: None,
                detail: Some(format!(
                    "{} {} off total {} (was {} off), due {}{}",
                    d.kind.map(|k| k.as_str()).unwrap_or("none"),
                    d.amount,
                    order.total,
                    order.discount,
                    d.due,
                    approved.as_ref().map(|a| format!(", approved by {}", a.approval.approved_by)).unwrap_or_default()
                )),
            },
        )?;
        Ok(())
    })?;
    let order = orders::require(ledger.read(), &req.client_ref)?;
    drop(ledger);
    tracing::info!(client_ref = %order.client_ref, discount = %order.discount, due = %order.due, "sale discounted");
    app.publish(Event::OrderChanged { client_ref: order.client_ref.clone(), status: order.status.as_str().into() });
    Ok(order)
}

#[derive(Deserialize, TS)]
pub struct QuickTenders {
    pub due: Money,
}

fn quick_tenders(_: &App, _: &Ctx, req: QuickTenders) -> Result<Vec<Money>, CommandError> {
    if req.due.is_negative() {
        return Err(DomainError::NegativeAmount(req.due.to_string()).into());
    }
    Ok(cash::quick_tenders(req.due))
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct ChangeQuoteRequest {
    pub due: Money,
    pub tendered: Money,
}

#[derive(Serialize, TS)]
pub struct ChangeQuote {
    pub change: Money,
}

/// The change `sale_cash_pay` would hand back (the same rule, nothing recorded), so the
/// cash screen shows the backend's figure while the cashier types.
fn change_quote(_: &App, _: &Ctx, req: ChangeQuoteRequest) -> Result<ChangeQuote, CommandError> {
    if req.due.is_negative() {
        return Err(DomainError::NegativeAmount(req.due.to_string()).into());
    }
    Ok(ChangeQuote { change: cash::change(req.due, req.tendered)? })
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct CancelRequest {
    pub client_ref: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// A manager's approval (rule `cancel_paid`) when the sale was already paid.
    #[serde(default)]
    pub approval: Option<String>,
}

pub(super) fn order_cancel(app: &App, ctx: &Ctx, req: CancelRequest) -> Result<Order, CommandError> {
    if let Some(r) = &req.reason {
        check_text("原因", "reason", r)?;
    }
    let mut ledger = app.ledger();
    let order = orders::require(ledger.read(), &req.client_ref)?;
    super::transition::require_in_store(&order)?;
    let Outcome::To(next) = apply_person_action(order.channel, order.status, Action::Cancel)? else {
        unreachable!("cancel never leaves the store")
    };
    let actor = ctx.actor();
    // Money already taken: cancelling gives it back, so it is approved like a refund.
    let user = ctx.user()?.clone();
    let act = Act::Cancel { paid: order.payment_method.is_some() };
    let approved = super::approvals::guard(ledger.read(), &user, &act, &order.client_ref, req.approval.as_deref())?;
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    ledger.write(|tx| -> Result<(), CommandError> {
        if let Some(a) = &approved {
            super::approvals::consume(tx, a, &actor, &format!("cancel {}", order.client_ref))?;
        }
        record_transition(
            tx,
            &actor,
            &order,
            Transition { to: next, action: Action::Cancel, detail: req.reason.clone() },
        )?;
        // 退单 to every station that got this order's kitchen ticket.
        super::transition::transition_prints(tx, &printers, &order, next)
    })?;
    let order = orders::require(ledger.read(), &req.client_ref)?;
    drop(ledger);
    tracing::info!(client_ref = %order.client_ref, "sale canceled");
    app.publish(Event::OrderChanged { client_ref: order.client_ref.clone(), status: order.status.as_str().into() });
    Ok(order)
}

#[derive(Deserialize, TS)]
pub struct ReprintRequest {
    pub client_ref: String,
    pub kind: String,
}

/// The print jobs a command queued.
#[derive(Debug, Serialize, TS)]
pub struct JobsQueued {
    pub jobs: Vec<i64>,
}

fn order_reprint(app: &App, ctx: &Ctx, req: ReprintRequest) -> Result<JobsQueued, CommandError> {
    if req.kind != "receipt" && req.kind != "kitchen" {
        return Err(CommandError::validation("只能重印小票或出品单", "kind must be receipt or kitchen"));
    }
    let mut ledger = app.ledger();
    let order = orders::require(ledger.read(), &req.client_ref)?;
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    let actor = ctx.actor();
    let ids = ledger.write(|tx| -> Result<Vec<i64>, CommandError> {
        let ids = Router { printers: &printers }.reprint(tx, &order, &req.kind)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "order",
                entity_ref: &order.client_ref,
                action: "reprint",
                before: None,
                after: None,
                detail: Some(req.kind.clone()),
            },
        )?;
        Ok(ids)
    })?;
    Ok(JobsQueued { jobs: ids })
}
