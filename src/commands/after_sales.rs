//! After-sales services: quote first (what the customer gets back or pays extra), then create.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::input::check_text;
use super::{Access, App, CommandError, Ctx, CLERKS};
use crate::command;
use crate::domain::after_sales::{
    caps, check_refund_cap, quote, Caps, ExchangeLine, Quote, QuoteInput, ReturnRequest, ServiceType, SoldLine,
};
use crate::domain::after_sales_rules::{self as rules, OrderFacts, Outlook, PlatformMode, Route};
use crate::domain::approval::Act;
use crate::domain::order::{client_ref_marker, Channel, Order, PaymentMethod};
use crate::domain::Money;
use crate::ledger::after_sales::{self, NewService, Routing, Service};
use crate::ledger::{catalog, journal, orders, settings, time_text};
use crate::services::printing::{self, Payload, Router};

pub const COMMANDS: &[super::Command] = &[
    command!("after_sales_quote", Access::Roles(CLERKS), after_sales_quote),
    command!("after_sales_caps_get", Access::Roles(CLERKS), after_sales_caps),
    command!("after_sales_create", Access::Roles(CLERKS), after_sales_create),
    command!("after_sales_list", Access::Roles(CLERKS), after_sales_list),
];

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct ExchangeRequest {
    pub product_id: i64,
    #[serde(default)]
    pub specification_id: Option<i64>,
    pub quantity: i64,
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct ServiceRequest {
    /// The order it refers to; absent for an unlinked RETURN.
    #[serde(default)]
    pub client_ref: Option<String>,
    pub service_type: ServiceType,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub reason: String,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub returns: Vec<ReturnRequest>,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub exchanges: Vec<ExchangeRequest>,
    #[serde(default)]
    pub refund_fee: Option<Money>,
    /// Refund a WeChat- or online-paid order in cash from the drawer instead of by the
    /// original path (needs a manager's approval by default).
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub cash: bool,
    /// A manager's approval (`approval_grant`) for this service, when it needs one.
    #[serde(default)]
    pub approval: Option<String>,
}

fn sold_lines(order: &Order) -> Vec<SoldLine> {
    order
        .lines
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|l| SoldLine {
            line_no: l.line_no,
            product_id: l.product_id,
            specification_id: l.specification_id,
            name: l.name.clone(),
            unit_price: l.unit_price,
            quantity: l.quantity,
        })
        .collect()
}

/// The platform mode the after-sales rules follow: setting `platform_mode` ("field", the
/// default: the server as observed, or "documented").
pub fn platform_mode(conn: &rusqlite::Connection) -> Result<PlatformMode, CommandError> {
    Ok(settings::get_str(conn, "platform_mode")?.as_deref().and_then(PlatformMode::parse).unwrap_or_default())
}

/// What the rules need of an order.
pub fn order_facts(conn: &rusqlite::Connection, o: &Order) -> Result<OrderFacts, CommandError> {
    Ok(OrderFacts {
        status: o.status,
        channel: o.channel,
        payment: o.payment_method,
        // Counter sales are created on the platform by the sync engine; online orders are
        // on it when they carry its number (a secondary channel's own order does not).
        on_platform: o.order_number.is_some() || o.channel == Channel::Counter,
        platform_services: after_sales::platform_services(conn, o.id)?,
    })
}

pub struct Computed {
    pub order: Option<Order>,
    pub quote: Quote,
    pub route: Route,
    pub mode: PlatformMode,
    pub outlook: Outlook,
    pub caps: Option<Caps>,
    /// A WeChat/online payment refunded in cash (rule `wechat_cash_refund`).
    pub cash_for_online: bool,
}

/// The caps of a service on `order`: the same figures `compute` checks against.
fn order_caps(conn: &rusqlite::Connection, o: &Order) -> Result<Caps, CommandError> {
    let lines = sold_lines(o);
    Ok(caps(&lines, &orders::returned_quantities(conn, o.id)?, o.total, after_sales::refunded_before(conn, o.id)?))
}

fn compute(conn: &rusqlite::Connection, req: &ServiceRequest) -> Result<Computed, CommandError> {
    check_text("原因", "reason", &req.reason)?;
    let order = match &req.client_ref {
        Some(r) => Some(orders::require(conn, r)?),
        None => None,
    };
    let mode = platform_mode(conn)?;
    let facts = order.as_ref().map(|o| order_facts(conn, o)).transpose()?;
    let mut route = rules::route(mode, req.service_type, facts.as_ref());
    let online_paid = order
        .as_ref()
        .is_some_and(|o| matches!(o.payment_method, Some(PaymentMethod::Wechat) | Some(PaymentMethod::Online)));
    let cash_for_online = req.cash && online_paid;
    if cash_for_online {
        route = rules::with_cash(mode, req.service_type, route);
    }
    if let Route::Refused { why } = route {
        return Err(CommandError::new(super::ErrorCode::IllegalAction, why.label_zh(), why.label_en()));
    }
    let already = match &order {
        Some(o) => orders::returned_quantities(conn, o.id)?,
        None => Default::default(),
    };
    let exchanges = req
        .exchanges
        .iter()
        .map(|e| {
            let p = catalog::get(conn, e.product_id)?.ok_or_else(|| {
                CommandError::not_found(
                    format!("商品 {} 不存在", e.product_id),
                    format!("unknown product {}", e.product_id),
                )
            })?;
            let (name, price) = match e.specification_id {
                None => (p.name.clone(), p.price),
                Some(sid) => {
                    let s = p.specifications.iter().find(|s| s.id == sid).ok_or_else(|| {
                        CommandError::not_found(format!("规格 {sid} 不存在"), format!("unknown specification {sid}"))
                    })?;
                    (format!("{}({})", p.name, s.name), s.price)
                }
            };
            Ok(ExchangeLine {
                product_id: p.id,
                specification_id: e.specification_id,
                name,
                unit_price: price,
                quantity: e.quantity,
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let lines = order.as_ref().map(sold_lines);
    let refunded_before = match &order {
        Some(o) => after_sales::refunded_before(conn, o.id)?,
        None => Money::ZERO,
    };
    // The cap first for REFUND, so the clerk reads how much is still refundable.
    if let (Some(o), ServiceType::Refund, Some(fee)) = (&order, req.service_type, req.refund_fee) {
        cap(
            &Quote {
                service_type: ServiceType::Refund,
                refund_fee: Some(fee),
                supplementary_fee: None,
                returns: vec![],
                exchanges: vec![],
            },
            o.total,
            refunded_before,
        )?;
    }
    let q = quote(&QuoteInput {
        service_type: req.service_type,
        order_lines: lines.as_deref(),
        already_returned: &already,
        refund_fee: req.refund_fee,
        returns: &req.returns,
        exchanges: &exchanges,
    })?;
    if let Some(o) = &order {
        // Refunds ≤ paid − refunded before (earlier services that were not refused).
        cap(&q, o.total, refunded_before)?;
    }
    let q = rules::as_money_moves(&route, &q);
    let outlook = rules::outlook(&route, &q);
    let caps = order.as_ref().map(|o| order_caps(conn, o)).transpose()?;
    Ok(Computed { order, quote: q, route, mode, outlook, caps, cash_for_online })
}

/// Refunds ≤ paid − refunded before, said in words the clerk can act on.
fn cap(q: &Quote, paid: Money, refunded_before: Money) -> Result<(), CommandError> {
    check_refund_cap(q, paid, refunded_before).map_err(|e| {
        let left = paid - refunded_before;
        let left = if left.is_negative() { Money::ZERO } else { left };
        CommandError::validation(
            format!(
                "退款金额 ¥{} 超过可退金额 ¥{left}（实付 ¥{paid}，之前售后已退 ¥{refunded_before}）",
                q.refund_fee.unwrap_or(Money::ZERO)
            ),
            e.to_string(),
        )
    })
}

/// A quote and what will happen: where the service goes, how the money goes back, what
/// the customer gets — shown before the clerk confirms.
#[derive(Serialize, TS)]
pub struct QuoteResponse {
    #[serde(flatten)]
    pub quote: Quote,
    pub route: Route,
    pub platform_mode: PlatformMode,
    pub outlook: Outlook,
    /// The order's caps (linked services; null for a walk-in return): what may still be
    /// returned and refunded.
    pub caps: Option<Caps>,
}

fn after_sales_quote(app: &App, _: &Ctx, req: ServiceRequest) -> Result<QuoteResponse, CommandError> {
    let c = compute(app.ledger().read(), &req)?;
    Ok(QuoteResponse { quote: c.quote, route: c.route, platform_mode: c.mode, outlook: c.outlook, caps: c.caps })
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CapsRequest {
    pub client_ref: String,
}

/// What a service on this order may still take back (per line, and money), before the
/// clerk has chosen anything: the wizard's limits, from the rules `after_sales_quote`
/// enforces.
fn after_sales_caps(app: &App, _: &Ctx, req: CapsRequest) -> Result<Caps, CommandError> {
    let ledger = app.ledger();
    let o = orders::require(ledger.read(), &req.client_ref)?;
    order_caps(ledger.read(), &o)
}

#[derive(Serialize, TS)]
pub struct CreateResponse {
    #[serde(flatten)]
    pub quote: Quote,
    pub route: Route,
    pub outlook: Outlook,
    pub service: Service,
}

fn after_sales_create(app: &App, ctx: &Ctx, req: ServiceRequest) -> Result<CreateResponse, CommandError> {
    let user = ctx.user()?.clone();
    let cfg = app.config();
    let mut ledger = app.ledger();
    let c = compute(ledger.read(), &req)?;
    // Money out of the drawer, a walk-in return, cash for a WeChat payment: within the
    // clerk's own limits or approved by a manager's PIN (domain::approval).
    let subject = c.order.as_ref().map(|o| o.client_ref.clone()).unwrap_or_default();
    let act = Act::AfterSales {
        cash_out: c.outlook.cash_out,
        walk_in: c.order.is_none(),
        cash_for_online: c.cash_for_online,
    };
    let approved = super::approvals::guard(ledger.read(), &user, &act, &subject, req.approval.as_deref())?;
    let (order, q, route) = (c.order, c.quote, c.route);
    let client_ref = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    let actor = ctx.actor();
    ledger.write(|tx| -> Result<(), CommandError> {
        if let Some(a) = &approved {
            super::approvals::consume(tx, a, &actor, &format!("after_sales {client_ref}"))?;
        }
        let id = after_sales::insert_routed(
            tx,
            &NewService {
                client_ref: &client_ref,
                order_id: order.as_ref().map(|o| o.id),
                reason: &req.reason,
                quote: &q,
                created_by: user.id,
                created_at: &time_text(now),
                business_day: &cfg.rule.day_of(now).to_string(),
            },
            &Routing { mode: c.mode, route: &route },
        )?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "after_sales",
                entity_ref: &client_ref,
                action: "create",
                before: None,
                after: Some("CREATED"),
                detail: Some(format!(
                    "{} refund {:?} supplement {:?} {} refund_way {}",
                    q.service_type.as_str(),
                    q.refund_fee.map(|m| m.to_string()),
                    q.supplementary_fee.map(|m| m.to_string()),
                    match &route {
                        Route::StoreOnly { why, .. } => format!("store-only ({})", why.code()),
                        _ => "platform".to_string(),
                    },
                    route.refund_way().map(|w| w.as_str()).unwrap_or("-"),
                )),
            },
        )?;
        // A store-only service (门店自理) is never sent: nothing goes into the outbox.
        if !route.is_local_only() {
            // Same stream as its order, so the platform hears of the order before the service.
            let stream = order.as_ref().map(|o| o.client_ref.clone()).unwrap_or_else(|| client_ref.clone());
            crate::engine::outbox::routing::service_recorded(
                tx,
                &stream,
                &client_ref,
                &client_ref_marker(&client_ref),
                id,
            )?;
        }
        let service = after_sales::get(tx, &client_ref)?.expect("just inserted");
        Router { printers: &printers }.payload(
            tx,
            "receipt",
            "after_sales",
            &format!("after_sales:{client_ref}"),
            &Payload::AfterSales { service, store_name: cfg.store_name.clone() },
        )?;
        Ok(())
    })?;
    let service = after_sales::get(ledger.read(), &client_ref)?.expect("just committed");
    Ok(CreateResponse { quote: q, route, outlook: c.outlook, service })
}

#[derive(Deserialize, TS)]
#[ts(rename = "AfterSalesListRequest")]
#[ts(optional_fields = nullable)]
pub struct ListRequest {
    #[serde(default)]
    pub day: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn after_sales_list(app: &App, _: &Ctx, req: ListRequest) -> Result<Vec<Service>, CommandError> {
    Ok(after_sales::list(app.ledger().read(), req.day.as_deref(), req.limit.unwrap_or(100).clamp(1, 1000))?)
}
