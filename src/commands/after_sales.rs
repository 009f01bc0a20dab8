//! After-sales services: quote first (what the customer gets back or pays extra), then create.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::sales::check_text;
use super::{Access, App, CommandError, Ctx, CLERKS};
use crate::command;
use crate::domain::after_sales::{order_accepts_service, quote, ExchangeLine, Quote, QuoteInput, ReturnRequest, ServiceType, SoldLine};
use crate::domain::order::{client_ref_marker, Order};
use crate::domain::Money;
use crate::ledger::after_sales::{self, NewService, Service};
use crate::ledger::outbox::CHANNEL_REST;
use crate::ledger::{catalog, journal, orders, time_text};
use crate::printing::{self, Payload, Router};

pub const COMMANDS: &[super::Command] = &[
    command!("after_sales_quote", Access::Roles(CLERKS), after_sales_quote),
    command!("after_sales_create", Access::Roles(CLERKS), after_sales_create),
    command!("after_sales_list", Access::Roles(CLERKS), after_sales_list),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRequest {
    pub product_id: i64,
    #[serde(default)]
    pub specification_id: Option<i64>,
    pub quantity: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// The order it refers to; absent for an unlinked RETURN.
    #[serde(default)]
    pub client_ref: Option<String>,
    pub service_type: ServiceType,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub returns: Vec<ReturnRequest>,
    #[serde(default)]
    pub exchanges: Vec<ExchangeRequest>,
    #[serde(default)]
    pub refund_fee: Option<Money>,
}

fn sold_lines(order: &Order) -> Vec<SoldLine> {
    order
        .lines
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|l| SoldLine { line_no: l.line_no, product_id: l.product_id, specification_id: l.specification_id, name: l.name.clone(), unit_price: l.unit_price, quantity: l.quantity })
        .collect()
}

fn compute(conn: &rusqlite::Connection, req: &ServiceRequest) -> Result<(Option<Order>, Quote), CommandError> {
    check_text("原因", "reason", &req.reason)?;
    let order = match &req.client_ref {
        Some(r) => Some(orders::require(conn, r)?),
        None => None,
    };
    if let Some(o) = &order {
        order_accepts_service(o.status)?;
    }
    let already = match &order {
        Some(o) => orders::returned_quantities(conn, o.id)?,
        None => Default::default(),
    };
    let exchanges = req
        .exchanges
        .iter()
        .map(|e| {
            let p = catalog::get(conn, e.product_id)?.ok_or_else(|| CommandError::not_found(format!("商品 {} 不存在", e.product_id), format!("unknown product {}", e.product_id)))?;
            let (name, price) = match e.specification_id {
                None => (p.name.clone(), p.price),
                Some(sid) => {
                    let s = p.specifications.iter().find(|s| s.id == sid).ok_or_else(|| CommandError::not_found(format!("规格 {sid} 不存在"), format!("unknown specification {sid}")))?;
                    (format!("{}({})", p.name, s.name), s.price)
                }
            };
            Ok(ExchangeLine { product_id: p.id, specification_id: e.specification_id, name, unit_price: price, quantity: e.quantity })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let lines = order.as_ref().map(sold_lines);
    let q = quote(&QuoteInput {
        service_type: req.service_type,
        order_lines: lines.as_deref(),
        already_returned: &already,
        refund_fee: req.refund_fee,
        returns: &req.returns,
        exchanges: &exchanges,
    })?;
    Ok((order, q))
}

fn after_sales_quote(app: &App, _: &Ctx, req: ServiceRequest) -> Result<Quote, CommandError> {
    Ok(compute(app.ledger().read(), &req)?.1)
}

#[derive(Serialize)]
pub struct CreateResponse {
    #[serde(flatten)]
    pub quote: Quote,
    pub service: Service,
}

fn after_sales_create(app: &App, ctx: &Ctx, req: ServiceRequest) -> Result<CreateResponse, CommandError> {
    let user = ctx.user()?.clone();
    let cfg = app.config();
    let mut ledger = app.ledger();
    let (order, q) = compute(ledger.read(), &req)?;
    let client_ref = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    let actor = ctx.actor();
    ledger.write(|tx| -> Result<(), CommandError> {
        let id = after_sales::insert(tx, &NewService {
            client_ref: &client_ref,
            order_id: order.as_ref().map(|o| o.id),
            reason: &req.reason,
            quote: &q,
            created_by: user.id,
            created_at: &time_text(now),
            business_day: &cfg.rule.day_of(now).to_string(),
        })?;
        journal::append(tx, journal::Entry {
            actor: &actor,
            entity: "after_sales",
            entity_ref: &client_ref,
            action: "create",
            before: None,
            after: Some("CREATED"),
            detail: Some(format!("{} refund {:?} supplement {:?}", q.service_type.as_str(), q.refund_fee.map(|m| m.to_string()), q.supplementary_fee.map(|m| m.to_string()))),
        })?;
        // Same stream as its order, so the platform hears of the order before the service.
        let stream = order.as_ref().map(|o| o.client_ref.clone()).unwrap_or_else(|| client_ref.clone());
        crate::outbox::enqueue(tx, CHANNEL_REST, &stream, &crate::outbox::Op::AfterSales { service: client_ref.clone(), marker: Some(client_ref_marker(&client_ref)), id: Some(id) })?;
        let service = after_sales::get(tx, &client_ref)?.expect("just inserted");
        Router { printers: &printers }.payload(tx, "receipt", "after_sales", &format!("after_sales:{client_ref}"), &Payload::AfterSales { service, store_name: cfg.store_name.clone() })?;
        Ok(())
    })?;
    let service = after_sales::get(ledger.read(), &client_ref)?.expect("just committed");
    Ok(CreateResponse { quote: q, service })
}

#[derive(Deserialize)]
pub struct ListRequest {
    #[serde(default)]
    pub day: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn after_sales_list(app: &App, _: &Ctx, req: ListRequest) -> Result<Vec<Service>, CommandError> {
    Ok(after_sales::list(app.ledger().read(), req.day.as_deref(), req.limit.unwrap_or(100).clamp(1, 1000))?)
}
