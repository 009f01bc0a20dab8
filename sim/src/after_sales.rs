//! After-sales services (售后单): REFUND, RETURN, EXCHANGE at the store endpoint.
//!
//! Documented mode follows the seed: the service is CREATED and waits for the back office,
//! the linked order goes to CANCELED_RETURN_PENDING / CANCELED_REFUND_PENDING.
//! Field mode follows what the real server did: no REFUND, strict order statuses,
//! capped quantities, supplementary_fee always 0, and the refund runs at once.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::context::{Inner, Mode, Sim};
use crate::money::{decimal_from_json, fmt_dt, money_opt};
use crate::orders::{is_blank, item_json, json_u64, order_json, Params};
use crate::state::{LogEntry, Order, OrderStatus, Service, ServiceItem};

/// What `POST /rest/store/order_customer_service` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceOutcome {
    /// Documented: `order.customer.service.created`.
    Created,
    /// Field: the refund ran, `order.refunded`.
    Refunded,
    /// Field: `order.refund.failure` with status_code 0; the service IS stored (CREATED)
    /// and the order moved to CANCELED_RETURN_PENDING.
    RefundFailed,
    /// status_code 1 with this message.
    Refused(String),
    /// Field: the server throws (HTTP 500 HTML), e.g. a walk-in RETURN.
    Crash,
}

fn refuse<T>(m: impl Into<String>) -> Result<T, ServiceOutcome> {
    Err(ServiceOutcome::Refused(m.into()))
}

fn missing<T>(field: &str) -> Result<T, ServiceOutcome> {
    refuse(format!("{field}参数不能为空"))
}

struct Line {
    product_id: u64,
    spec_id: Option<u64>,
    quantity: Option<i64>,
    refund_fee: Option<Decimal>,
}

fn parse_lines(v: Option<&Value>) -> Result<Vec<Line>, ServiceOutcome> {
    let Some(Value::Array(arr)) = v else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for l in arr {
        if is_blank(l.get("product_id")) {
            return missing("product_id");
        }
        let product_id = match json_u64(l.get("product_id")) {
            Some(p) => p,
            None => return refuse("invalid.product.id"),
        };
        let spec_id = match l.get("product_specification_id") {
            None | Some(Value::Null) => None,
            v => match json_u64(v) {
                Some(s) => Some(s),
                None => return refuse("invalid.product.specification.id"),
            },
        };
        let quantity = match l.get("quantity") {
            None | Some(Value::Null) => None,
            v => match json_u64(v).filter(|q| (1..=9999).contains(q)) {
                Some(q) => Some(q as i64),
                None => return refuse("invalid.quantity"),
            },
        };
        let refund_fee = match l.get("refund_fee") {
            None | Some(Value::Null) => None,
            Some(v) => match decimal_from_json(v).filter(|d| !d.is_sign_negative()) {
                Some(d) => Some(d),
                None => return refuse("invalid.refund.fee"),
            },
        };
        out.push(Line { product_id, spec_id, quantity, refund_fee });
    }
    Ok(out)
}

/// Create a service. On `Err` nothing was changed. (`build` is the documented mode;
/// field mode is `build_field`.)
pub fn create_service(sim: &Sim, inner: &mut Inner, body: &Value) -> ServiceOutcome {
    let r = match sim.cfg.mode {
        Mode::Field => build_field(sim, inner, body),
        Mode::Documented => build(sim, inner, body),
    };
    match r {
        Ok(o) | Err(o) => o,
    }
}

fn build(sim: &Sim, inner: &mut Inner, body: &Value) -> Result<ServiceOutcome, ServiceOutcome> {
    let mode = sim.cfg.mode;
    let now = inner.now();
    if is_blank(body.get("store_id")) {
        return missing("store_id");
    }
    if mode == Mode::Documented && is_blank(body.get("store_name")) {
        return missing("store_name");
    }
    if is_blank(body.get("service_type")) {
        return missing("service_type");
    }
    if is_blank(body.get("reason")) {
        return missing("reason");
    }
    let store_id = json_u64(body.get("store_id"));
    if store_id != Some(sim.cfg.store_id) {
        return refuse("invalid.store.id");
    }
    let service_type = body.get("service_type").and_then(Value::as_str).unwrap_or_default().to_string();
    if !matches!(service_type.as_str(), "REFUND" | "RETURN" | "EXCHANGE") {
        return refuse("invalid.service.type");
    }
    if mode == Mode::Field && service_type == "REFUND" {
        return refuse("暂不支持此种方式售后单");
    }
    let reason = body.get("reason").and_then(Value::as_str).unwrap_or_default().to_string();
    let content = body.get("content").and_then(Value::as_str).map(str::to_string);
    let images: Vec<String> = body
        .get("images")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let returns = parse_lines(body.get("returns"))?;
    let exchanges = parse_lines(body.get("exchanges"))?;
    let order_number = body.get("order_number").and_then(|v| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    if order_number.is_none() && service_type != "RETURN" {
        return missing("order_number");
    }
    if service_type != "REFUND" && returns.is_empty() {
        return missing("returns");
    }
    if service_type == "EXCHANGE" && exchanges.is_empty() {
        return missing("exchanges");
    }

    // The linked order, if any, must belong to this store and be in a status that allows it.
    let order: Option<Order> = match &order_number {
        None => None,
        Some(n) => match inner.data.order(n) {
            Some(o) if o.store_id == Some(sim.cfg.store_id) => Some(o.clone()),
            _ => return refuse("invalid.order.id"),
        },
    };
    if let Some(o) = &order {
        use OrderStatus::*;
        let allowed = match mode {
            Mode::Documented => matches!(
                o.status,
                PaidConfirmPending
                    | ConfirmedPickPending
                    | ConfirmedDeliverPending
                    | Delivering
                    | DeliveredConfirmPending
                    | ClosedConfirmed
            ),
            Mode::Field => {
                matches!(o.status, Delivering | DeliveredConfirmPending | CanceledReturnPending | CanceledRefundPending)
            }
        };
        if !allowed {
            return refuse("order.status.transfer.error");
        }
    }

    let service_id = inner.data.next_service_id.max(1);
    let mut next_item = inner.data.next_service_item_id.max(1);
    let mut alloc = || {
        let id = next_item;
        next_item += 1;
        id
    };

    // Return lines.
    let mut ret_items = Vec::new();
    for l in &returns {
        let (name, spec_name, price, cost, ordered) = match &order {
            Some(o) => {
                let line = o.items.iter().find(|i| {
                    i.product_id == l.product_id && (l.spec_id.is_none() || i.product_specification_id == l.spec_id)
                });
                let Some(line) = line else { return refuse("invalid.return.item") };
                (
                    line.product_name.clone(),
                    line.product_specification_name.clone(),
                    line.price,
                    line.cost_price,
                    Some(line.quantity),
                )
            }
            None => {
                let Some(p) = sim.product(l.product_id) else { return refuse("invalid.product.id") };
                let (spec_name, price) = match l.spec_id {
                    None => (None, p.price),
                    Some(sid) => match p.specification(sid) {
                        Some(s) => (Some(s.name.clone()), s.price),
                        None => return refuse("invalid.product.specification.id"),
                    },
                };
                (p.name.clone(), spec_name, price, p.cost_price, None)
            }
        };
        let qty = match (service_type.as_str(), ordered, mode) {
            // A linked RETURN takes the order line's quantity (documented); field caps
            // what the client sent at what was ordered.
            ("RETURN" | "REFUND", Some(q), Mode::Documented) => q,
            ("RETURN" | "REFUND", Some(q), Mode::Field) => l.quantity.unwrap_or(q).min(q),
            (_, None, _) => match l.quantity {
                Some(q) => q,
                None => return missing("quantity"),
            },
            ("EXCHANGE", Some(q), _) => match l.quantity {
                None => return missing("quantity"),
                Some(x) if x > q && mode == Mode::Documented => return refuse("invalid.quantity"),
                Some(x) => x.min(q),
            },
            (_, Some(q), _) => q,
        };
        let worth = price * Decimal::from(qty);
        let fee = match (&order, mode, service_type.as_str()) {
            (None, _, _) => match l.refund_fee {
                // Unlinked return: refund_fee is required; field mode keeps the lower figure.
                None => return missing("refund_fee"),
                Some(f) if mode == Mode::Field => f.min(worth),
                Some(f) => f,
            },
            (Some(_), Mode::Documented, "EXCHANGE") => worth,
            (Some(_), Mode::Documented, _) => l.refund_fee.unwrap_or(worth),
            (Some(_), Mode::Field, _) => l.refund_fee.map(|f| f.min(worth)).unwrap_or(worth),
        };
        ret_items.push(ServiceItem {
            id: alloc(),
            order_customer_service_id: service_id,
            item_type: "RETURN".into(),
            product_id: l.product_id,
            product_specification_id: l.spec_id,
            product_specification_name: spec_name,
            product_name: name,
            quantity: qty,
            price,
            final_price: worth,
            refund_fee: Some(fee),
            cost_price: cost,
        });
    }

    // Exchange lines: priced from the catalog.
    let mut exc_items = Vec::new();
    for l in &exchanges {
        let Some(p) = sim.product(l.product_id) else { return refuse("invalid.product.id") };
        let (spec_name, price) = match l.spec_id {
            None => (None, p.price),
            Some(sid) => match p.specification(sid) {
                Some(s) => (Some(s.name.clone()), s.price),
                None => return refuse("invalid.product.specification.id"),
            },
        };
        let Some(qty) = l.quantity else { return missing("quantity") };
        exc_items.push(ServiceItem {
            id: alloc(),
            order_customer_service_id: service_id,
            item_type: "EXCHANGE".into(),
            product_id: l.product_id,
            product_specification_id: l.spec_id,
            product_specification_name: spec_name,
            product_name: p.name.clone(),
            quantity: qty,
            price,
            final_price: price * Decimal::from(qty),
            refund_fee: None,
            cost_price: p.cost_price,
        });
    }

    let returned: Decimal = ret_items.iter().filter_map(|i| i.refund_fee).sum();
    let exchanged: Decimal = exc_items.iter().map(|i| i.final_price).sum();
    let (refund_fee, supplementary_fee) = match (service_type.as_str(), mode) {
        ("REFUND", _) => {
            let fee =
                if ret_items.is_empty() { order.as_ref().map(|o| o.total_price).unwrap_or_default() } else { returned };
            (Some(fee), None)
        }
        ("RETURN", Mode::Documented) => (Some(returned), None),
        ("RETURN", Mode::Field) => (Some(returned), Some(Decimal::ZERO)),
        (_, Mode::Documented) if returned > exchanged => (Some(returned - exchanged), None),
        (_, Mode::Documented) => (None, Some(exchanged - returned)),
        (_, Mode::Field) => (Some((returned - exchanged).max(Decimal::ZERO)), Some(Decimal::ZERO)),
    };

    let user = sim.cfg.username.clone();
    let service_number = match (&order, mode) {
        (Some(o), Mode::Field) => format!("{}-{}", o.order_number, service_id),
        _ => documented_number(now, &user, service_id),
    };
    let status = match (mode, service_type.as_str()) {
        (Mode::Documented, _) => "CREATED",
        (Mode::Field, "EXCHANGE") => "EXCHANGED",
        (Mode::Field, _) => "REFUNDED",
    };
    let mut log =
        vec![LogEntry { time: fmt_log_time(now), user: user.clone(), content: content.clone().unwrap_or_default() }];
    if mode == Mode::Field {
        log.push(LogEntry { time: fmt_log_time(now), user: user.clone(), content: "已完成退款".into() });
    }
    let service = Service {
        id: service_id,
        service_number,
        service_type: service_type.clone(),
        status: status.into(),
        store_id: sim.cfg.store_id.to_string(),
        store_name: body.get("store_name").and_then(Value::as_str).map(str::to_string),
        store_user_id: "1".into(),
        store_user_name: user,
        order_number: order.as_ref().map(|o| o.order_number.clone()),
        order_id: order.as_ref().map(|o| o.id),
        reason,
        content,
        images,
        log,
        refund_fee,
        supplementary_fee,
        returns: ret_items,
        exchanges: exc_items,
        created_date: now,
        // Documented mode keeps what the till asked for (`"otherway": true` → OTHERWAY) so
        // tests can see the flag arrive; it changes nothing else here.
        refund_way: matches!(body.get("otherway"), Some(Value::Bool(true))).then(|| "OTHERWAY".to_string()),
    };

    // Commit.
    inner.data.next_service_id = service_id + 1;
    inner.data.next_service_item_id = next_item;
    if let Some(o) = &order {
        let returned_now: Vec<(u64, Option<u64>, i64)> =
            service.returns.iter().map(|r| (r.product_id, r.product_specification_id, r.quantity)).collect();
        let prior: Vec<&Service> = inner
            .data
            .services
            .iter()
            .filter(|s| s.order_id == Some(o.id) && s.service_type == "RETURN" && s.status == "REFUNDED")
            .collect();
        let fully_returned = service_type == "RETURN"
            && o.items.iter().all(|i| {
                let done: i64 = prior
                    .iter()
                    .flat_map(|s| s.returns.iter())
                    .map(|r| (r.product_id, r.product_specification_id, r.quantity))
                    .chain(returned_now.iter().copied())
                    .filter(|(p, s, _)| *p == i.product_id && (s.is_none() || *s == i.product_specification_id))
                    .map(|(_, _, q)| q)
                    .sum();
                done >= i.quantity
            });
        if let Some(om) = inner.data.order_mut(&o.order_number) {
            let action = format!("after-sales {}", service.service_type);
            match mode {
                Mode::Documented => {
                    let to = if service_type == "REFUND" {
                        OrderStatus::CanceledRefundPending
                    } else {
                        OrderStatus::CanceledReturnPending
                    };
                    om.step(to, &action, now);
                }
                Mode::Field if fully_returned => om.step(OrderStatus::ClosedRefunded, &action, now),
                Mode::Field => om.note(&action, &format!("service {} refunded", service.service_number), now),
            }
        }
    }
    inner.data.services.push(service);
    Ok(match mode {
        Mode::Documented => ServiceOutcome::Created,
        Mode::Field => ServiceOutcome::Refunded,
    })
}

/// Field mode, as the real server was observed: at most one service per order and it ends
/// the order; REFUND unsupported; RETURN / EXCHANGE only on DELIVERING,
/// DELIVERED_CONFIRM_PENDING and CANCELED_*; a line is worth `order line price ×
/// quantity` (capped at what was ordered; a lower client refund_fee wins); an EXCHANGE
/// refunds its returned lines in full (`supplementary_fee` 0.00).
///
/// The refund runs at once:
/// - `"otherway": true` → `order.refunded`, service REFUNDED, order CLOSED_REFUNDED;
/// - default path (ORIGINAL_PATH) on a STORE / CASH (anything but WECHAT) order →
///   `order.refund.failure` with status_code 0, yet the service IS stored (CREATED) and
///   the order moves to CANCELED_RETURN_PENDING;
/// - default path on a WECHAT-paid order → the refund goes back through WeChat:
///   `order.refunded`, service REFUNDED, order CLOSED_REFUNDED (our judgment: the table
///   only saw the cash case), unless the `refund_fail_rate` draw says it failed, in which
///   case it reads like the cash case.
fn build_field(sim: &Sim, inner: &mut Inner, body: &Value) -> Result<ServiceOutcome, ServiceOutcome> {
    let now = inner.now();
    // Exactly one business draw per after-sales create.
    let wechat_fails = {
        let p = inner.faults.refund_fail_rate;
        inner.fault_rng.chance(p)
    };
    if is_blank(body.get("store_id")) {
        return missing("store_id");
    }
    if is_blank(body.get("service_type")) {
        return missing("service_type");
    }
    if is_blank(body.get("reason")) {
        return missing("reason");
    }
    if json_u64(body.get("store_id")) != Some(sim.cfg.store_id) {
        return refuse("invalid.store.id");
    }
    let service_type = body.get("service_type").and_then(Value::as_str).unwrap_or_default().to_string();
    match service_type.as_str() {
        "REFUND" => return refuse("暂不支持此种方式售后单"),
        "RETURN" | "EXCHANGE" => {}
        // The server's enum lookup throws: a 500 page.
        _ => return Err(ServiceOutcome::Crash),
    }
    // Checked before the order is looked at (so before `already.refund`).
    if !matches!(body.get("returns"), Some(Value::Array(a)) if !a.is_empty()) {
        return refuse(NO_RETURNS);
    }
    let order_number = body.get("order_number").and_then(|v| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    // A walk-in return (no order) trips the server over a null order.
    let Some(order_number) = order_number else { return Err(ServiceOutcome::Crash) };
    // The FIRST order stored with this number.
    let order = match inner.data.order(&order_number) {
        Some(o) if o.store_id == Some(sim.cfg.store_id) => o.clone(),
        None => return refuse("order.not.found"),
        // Seen: an unknown number. An order of no or another store is our guess.
        Some(_) => return refuse("invalid.order.id"),
    };
    if inner.data.services.iter().any(|s| s.order_id == Some(order.id)) {
        return refuse("already.refund");
    }
    {
        use OrderStatus::*;
        if !matches!(order.status, Delivering | DeliveredConfirmPending | CanceledReturnPending | CanceledRefundPending)
        {
            return refuse("order.status.transfer.error");
        }
    }
    let returns = parse_lines(body.get("returns"))?;
    let exchanges = parse_lines(body.get("exchanges"))?;
    if service_type == "EXCHANGE" && exchanges.is_empty() {
        return missing("exchanges");
    }
    let reason = body.get("reason").and_then(Value::as_str).unwrap_or_default().to_string();
    let content = body.get("content").and_then(Value::as_str).map(str::to_string);
    let images: Vec<String> = body
        .get("images")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let otherway = match body.get("otherway") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim() == "true",
        _ => false,
    };

    let service_id = inner.data.next_service_id.max(1);
    let mut next_item = inner.data.next_service_item_id.max(1);
    let mut alloc = || {
        let id = next_item;
        next_item += 1;
        id
    };
    let mut ret_items = Vec::new();
    for l in &returns {
        let line = order
            .items
            .iter()
            .find(|i| i.product_id == l.product_id && (l.spec_id.is_none() || i.product_specification_id == l.spec_id));
        let Some(line) = line else { return refuse("invalid.return.item") };
        let ordered = line.quantity.max(0);
        let qty = l.quantity.unwrap_or(ordered).min(ordered);
        let worth = line.price * Decimal::from(qty);
        let fee = l.refund_fee.map(|f| f.min(worth)).unwrap_or(worth);
        ret_items.push(ServiceItem {
            id: alloc(),
            order_customer_service_id: service_id,
            item_type: "RETURN".into(),
            product_id: l.product_id,
            product_specification_id: line.product_specification_id,
            product_specification_name: line.product_specification_name.clone(),
            product_name: line.product_name.clone(),
            quantity: qty,
            price: line.price,
            final_price: worth,
            refund_fee: Some(fee),
            cost_price: line.cost_price,
        });
    }
    let mut exc_items = Vec::new();
    for l in &exchanges {
        let Some(p) = sim.product(l.product_id) else { return refuse("invalid.product.id") };
        let (spec_name, price) = match l.spec_id {
            None => (None, p.price),
            Some(sid) => match p.specification(sid) {
                Some(s) => (Some(s.name.clone()), s.price),
                None => return refuse("invalid.product.specification.id"),
            },
        };
        let Some(qty) = l.quantity else { return missing("quantity") };
        let worth = price * Decimal::from(qty);
        exc_items.push(ServiceItem {
            id: alloc(),
            order_customer_service_id: service_id,
            item_type: "EXCHANGE".into(),
            product_id: l.product_id,
            product_specification_id: l.spec_id,
            product_specification_name: spec_name,
            product_name: p.name.clone(),
            quantity: qty,
            price,
            final_price: worth,
            // Exchange lines carry their own refund_fee (their value; not part of the refund).
            refund_fee: Some(worth),
            cost_price: p.cost_price,
        });
    }
    // Exchange lines are not subtracted: the returned lines are refunded in full.
    let refund_fee: Decimal = ret_items.iter().filter_map(|i| i.refund_fee).sum();

    let refunded = otherway || (order.payment_type == "WECHAT" && !wechat_fails);
    let user = sim.cfg.username.clone();
    // The real server's log times are on the 24-hour clock, like created_date.
    let mut log =
        vec![LogEntry { time: fmt_dt(now), user: user.clone(), content: content.clone().unwrap_or_default() }];
    if refunded {
        log.push(LogEntry { time: fmt_dt(now), user: user.clone(), content: "已完成退款".into() });
    }
    let service = Service {
        id: service_id,
        service_number: format!("{}-{}", order.order_number, service_id),
        service_type: service_type.clone(),
        status: if refunded { "REFUNDED" } else { "CREATED" }.into(),
        store_id: sim.cfg.store_id.to_string(),
        store_name: Some(sim.cfg.store_name.clone()),
        store_user_id: order.account_user_id.unwrap_or(crate::DEFAULT_USER_ID).to_string(),
        store_user_name: user,
        order_number: Some(order.order_number.clone()),
        order_id: Some(order.id),
        reason,
        content,
        images,
        log,
        refund_fee: Some(refund_fee),
        supplementary_fee: Some(Decimal::ZERO),
        returns: ret_items,
        exchanges: exc_items,
        created_date: now,
        refund_way: Some(if otherway { FIELD_OTHER_WAY } else { "ORIGINAL_PATH" }.into()),
    };
    // Commit.
    inner.data.next_service_id = service_id + 1;
    inner.data.next_service_item_id = next_item;
    let action = format!("after-sales {}", service.service_type);
    if let Some(om) = inner.data.orders.iter_mut().find(|o| o.id == order.id) {
        let to = if refunded { OrderStatus::ClosedRefunded } else { OrderStatus::CanceledReturnPending };
        om.step(to, &action, now);
    }
    inner.data.services.push(service);
    Ok(if refunded { ServiceOutcome::Refunded } else { ServiceOutcome::RefundFailed })
}

/// Field: a RETURN / EXCHANGE without `returns`.
pub const NO_RETURNS: &str = "售后单创建失败 - 退货单，换货单必须指定退货项目";

/// Field: how the real server spells the counter refund (`otherway`) in `refund_way`.
pub const FIELD_OTHER_WAY: &str = "OTHER_WAY";

/// The seed's number: `yyMMddHHmmss` + 3 digits + the clerk's name
/// ("180721143813797Administrator"). The 3 digits come from the id so numbers stay unique.
fn documented_number(now: DateTime<Utc>, user: &str, id: u64) -> String {
    format!("{}{:03}{}", now.with_timezone(&Shanghai).format("%y%m%d%H%M%S"), id % 1000, user)
}

/// The seed's log times are 12-hour without AM/PM ("2018-07-21 02:38:10" for 14:38): the
/// documented mode keeps them (field mode writes `fmt_dt`, the 24-hour clock).
fn fmt_log_time(now: DateTime<Utc>) -> String {
    now.with_timezone(&Shanghai).format("%Y-%m-%d %I:%M:%S").to_string()
}

fn service_common(s: &Service, mode: Mode) -> serde_json::Map<String, Value> {
    let money_opt = |d: Option<Decimal>| match mode {
        Mode::Field => d.map(crate::orders::money2).unwrap_or(Value::Null),
        Mode::Documented => money_opt(d),
    };
    let log: Vec<Value> = s.log.iter().map(|l| json!({"time": l.time, "user": l.user, "content": l.content})).collect();
    let mut m = serde_json::Map::new();
    m.insert("id".into(), json!(s.id));
    m.insert("service_number".into(), json!(s.service_number));
    m.insert("service_type".into(), json!(s.service_type));
    m.insert("status".into(), json!(s.status));
    m.insert("store_id".into(), json!(s.store_id));
    m.insert("store_name".into(), json!(s.store_name));
    m.insert("store_user_id".into(), json!(s.store_user_id));
    m.insert("store_user_name".into(), json!(s.store_user_name));
    m.insert("reason".into(), json!(s.reason));
    // images and log are JSON *strings* on the wire, as in the seed.
    m.insert("images".into(), json!(serde_json::to_string(&s.images).unwrap_or_else(|_| "[]".into())));
    m.insert("log".into(), json!(serde_json::to_string(&log).unwrap_or_else(|_| "[]".into())));
    m.insert("refund_fee".into(), money_opt(s.refund_fee));
    m.insert("supplementary_fee".into(), money_opt(s.supplementary_fee));
    m.insert("order_id".into(), json!(s.order_id));
    m.insert("created_date".into(), json!(fmt_dt(s.created_date)));
    for k in ["express_company", "express_code", "express_number"] {
        m.insert(k.into(), Value::Null);
    }
    m
}

/// A list row of `GET /rest/store/order_customer_service`.
pub fn service_row(s: &Service, mode: Mode) -> Value {
    let mut m = service_common(s, mode);
    m.insert("order_number".into(), json!(s.order_number));
    m.insert("user_name".into(), json!(s.store_user_name));
    Value::Object(m)
}

fn service_item_json(i: &ServiceItem, mode: Mode) -> Value {
    let money = |d: Decimal| crate::orders::money_in(mode, d);
    let money_opt = |d: Option<Decimal>| d.map(money).unwrap_or(Value::Null);
    json!({
        "id": i.id,
        "order_customer_service_id": i.order_customer_service_id,
        "type": i.item_type,
        "product_id": i.product_id,
        "product_specification_id": i.product_specification_id,
        "product_specification_name": i.product_specification_name,
        "product_name": i.product_name,
        "quantity": i.quantity,
        "price": money(i.price),
        "final_price": money(i.final_price),
        "refund_fee": money_opt(i.refund_fee),
        "cost_price": money(i.cost_price),
        "weight": 0,
        "cover": null,
        "marketing": null,
        "marketing_id": null,
        "marketing_description": null,
    })
}

/// `GET /rest/store/order_customer_service/{service_number}`.
pub fn service_detail(s: &Service, order: Option<&Order>, all: &[Service], mode: Mode) -> Value {
    let mut m = service_common(s, mode);
    m.insert("returns".into(), Value::Array(s.returns.iter().map(|i| service_item_json(i, mode)).collect()));
    // Field: `exchanges` is always there (an empty array on a RETURN).
    if s.service_type == "EXCHANGE" || mode == Mode::Field {
        m.insert("exchanges".into(), Value::Array(s.exchanges.iter().map(|i| service_item_json(i, mode)).collect()));
    }
    if mode == Mode::Field {
        // A state file from before OTHER_WAY may still say OTHERWAY.
        let way = s.refund_way.as_deref().map(|w| if w == "OTHERWAY" { FIELD_OTHER_WAY } else { w });
        m.insert("refund_way".into(), json!(way));
    }
    if let Some(o) = order {
        m.insert("order".into(), order_json(o, false, all, mode));
        m.insert("order_items".into(), Value::Array(o.items.iter().map(|i| item_json(i, mode)).collect()));
    }
    Value::Object(m)
}

/// Filter services for the list: storeId, serviceType, serviceNumber (or service_number),
/// startTime ~ endTime (both needed), newest first.
pub fn filter_services<'a>(services: &'a [Service], p: &Params) -> Vec<&'a Service> {
    let store = p.get("storeId");
    let ty = p.get("serviceType");
    let number = p.get("serviceNumber").or_else(|| p.get("service_number"));
    let range = match (p.get("startTime"), p.get("endTime")) {
        (Some(a), Some(b)) => Some((crate::money::parse_shanghai(a, false), crate::money::parse_shanghai(b, true))),
        _ => None,
    };
    let mut out: Vec<&Service> = services
        .iter()
        .filter(|s| store.is_none_or(|v| s.store_id == v.trim()))
        .filter(|s| ty.is_none_or(|v| s.service_type == v))
        .filter(|s| number.is_none_or(|v| s.service_number == v))
        .filter(|s| match range {
            None => true,
            Some((a, b)) => a.is_none_or(|a| s.created_date >= a) && b.is_none_or(|b| s.created_date <= b),
        })
        .collect();
    out.sort_by(|a, b| b.created_date.cmp(&a.created_date).then(b.id.cmp(&a.id)));
    out
}
