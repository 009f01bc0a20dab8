//! Orders: creation, the store-side transition table (documented and field flavours),
//! the JSON shapes of list rows and details, list filtering and the counts.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use rand::Rng;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::context::{Inner, Mode, Sim};
use crate::money::{fmt_dt, fmt_dt_opt, java_double, money, parse_month, parse_shanghai};
use crate::state::{DeliveryType, Order, OrderItem, OrderStatus, OrderType, Service, StatusChange};

/// Field mode: `yyMMddHHmmssSSS` (Shanghai) + the creating account's user id; NOT unique
/// (two creates by one account in the same millisecond share it).
pub fn field_order_number(stamp: DateTime<Utc>, user_id: u64) -> String {
    format!("{}{user_id}", stamp.with_timezone(&Shanghai).format("%y%m%d%H%M%S%3f"))
}

/// Truncate an instant to the millisecond (what a field order number can tell apart).
pub fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// Documented mode: a 16-digit order number: `yyMMddHHmmss` (Shanghai) + 4 random digits, unique.
pub fn new_order_number(inner: &mut Inner, now: DateTime<Utc>) -> String {
    let stamp = now.with_timezone(&Shanghai).format("%y%m%d%H%M%S").to_string();
    loop {
        let n: u32 = inner.rng.random_range(0..10_000);
        let candidate = format!("{stamp}{n:04}");
        if inner.data.order(&candidate).is_none() {
            return candidate;
        }
    }
}

/// Read an id that may arrive as a JSON number or a numeric string.
pub fn json_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// True when a field is absent, null or an empty string (the server's "参数不能为空").
pub fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

/// One requested line, validated against the catalog.
#[derive(Debug)]
pub enum LineError {
    Missing(&'static str),
    Invalid(String),
    /// The product does not exist (field: `没有该产品`).
    NoProduct,
}

/// Price the requested lines from the catalog (spec price when a spec is given).
/// `lenient` (field-mode counter orders): a missing quantity is stored as 0, and 0 or
/// negative quantities are stored as sent; a missing or unknown product is `NoProduct`.
pub fn build_items(
    sim: &Sim,
    inner: &mut Inner,
    lines: &[Value],
    order_id: u64,
    lenient: bool,
) -> Result<(Vec<OrderItem>, Decimal), LineError> {
    let mut items = Vec::new();
    let mut total = Decimal::ZERO;
    for line in lines {
        if is_blank(line.get("product_id")) {
            return Err(if lenient { LineError::NoProduct } else { LineError::Missing("product_id") });
        }
        let qty: i64 = if lenient {
            match line.get("quantity") {
                None | Some(Value::Null) => 0,
                Some(Value::Number(n)) => n.as_i64().ok_or_else(|| LineError::Invalid("invalid.quantity".into()))?,
                Some(Value::String(s)) if s.trim().is_empty() => 0,
                Some(Value::String(s)) => {
                    s.trim().parse().map_err(|_| LineError::Invalid("invalid.quantity".into()))?
                }
                Some(_) => return Err(LineError::Invalid("invalid.quantity".into())),
            }
        } else {
            if is_blank(line.get("quantity")) {
                return Err(LineError::Missing("quantity"));
            }
            json_u64(line.get("quantity"))
                .filter(|q| (1..=9999).contains(q))
                .ok_or_else(|| LineError::Invalid("invalid.quantity".into()))? as i64
        };
        let pid = match json_u64(line.get("product_id")) {
            Some(p) => p,
            None if lenient => return Err(LineError::Invalid("invalid.product.id".into())),
            None => return Err(LineError::Invalid("invalid.product.id".into())),
        };
        let product = match sim.product(pid) {
            Some(p) => p,
            None if lenient => return Err(LineError::NoProduct),
            None => return Err(LineError::Invalid("invalid.product.id".into())),
        };
        let (spec_id, spec_name, price) = match line.get("product_specification_id") {
            None | Some(Value::Null) => (None, None, product.price),
            v => {
                let sid = json_u64(v).ok_or_else(|| LineError::Invalid("invalid.product.specification.id".into()))?;
                let spec = product
                    .specification(sid)
                    .ok_or_else(|| LineError::Invalid("invalid.product.specification.id".into()))?;
                (Some(sid), Some(spec.name.clone()), spec.price)
            }
        };
        let final_price = price * Decimal::from(qty);
        total += final_price;
        items.push(OrderItem {
            id: inner.data.alloc_item_id(),
            order_id,
            product_id: pid,
            product_specification_id: spec_id,
            product_specification_name: spec_name,
            product_name: product.name.clone(),
            barcode: product.barcode.clone(),
            quantity: qty,
            price,
            final_price,
            cost_price: product.cost_price,
        });
    }
    Ok((items, total))
}

impl Order {
    /// Record one status step with its timestamps.
    pub fn step(&mut self, to: OrderStatus, action: &str, now: DateTime<Utc>) {
        let from = self.status;
        match to {
            OrderStatus::PaidConfirmPending if self.pay_date.is_none() => self.pay_date = Some(now),
            OrderStatus::ConfirmedPickPending | OrderStatus::ConfirmedDeliverPending => self.confirm_date = Some(now),
            OrderStatus::Delivering => self.deliver_date = Some(now),
            OrderStatus::DeliveredConfirmPending => self.delivered_date = Some(now),
            OrderStatus::ClosedConfirmed => {
                self.deal_date = Some(now);
                if self.pay_date.is_none() {
                    self.pay_date = Some(now);
                }
            }
            _ => {}
        }
        self.previous_status = Some(from);
        self.status = to;
        self.history.push(StatusChange {
            at: fmt_dt(now),
            action: action.to_string(),
            from: Some(from),
            to,
            note: None,
        });
    }

    pub fn note(&mut self, action: &str, note: &str, now: DateTime<Utc>) {
        self.history.push(StatusChange {
            at: fmt_dt(now),
            action: action.to_string(),
            from: Some(self.status),
            to: self.status,
            note: Some(note.to_string()),
        });
    }

    /// "测试1 x 8. " as the platform writes it.
    pub fn description(&self) -> String {
        self.items.iter().map(|i| format!("{} x {}. ", i.product_name, i.quantity)).collect()
    }
}

/// The outcome of `PUT /rest/store/order/{n}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// The order moved (one or more recorded steps).
    Updated,
    /// Field mode: the step was illegal and silently skipped (still answered as success).
    Skipped,
    /// status_code 1 with this message.
    Refused(String),
    /// FLASH reject: the order left the store.
    StoreCleared,
}

pub const ACTIONS: [&str; 5] = ["complete", "cancel", "accept", "reject", "delivering"];

/// Apply a store action. `auto_deliver` is the field-mode FLASH accept jump.
pub fn apply_action(order: &mut Order, action: &str, mode: Mode, auto_deliver: bool, now: DateTime<Utc>) -> PutOutcome {
    use OrderStatus::*;
    let lower = action.to_ascii_lowercase();
    let known = ACTIONS.contains(&lower.as_str());
    match mode {
        Mode::Documented => {
            if !known {
                return PutOutcome::Refused("invalid.action".into());
            }
            let next = match (order.order_type, order.delivery_type, order.status, lower.as_str()) {
                (OrderType::StoreOrder, _, CreatedPayPending, "complete") => Some(ClosedConfirmed),
                // A counter order paid by WeChat (/sim/pay) is completed the same way.
                (OrderType::StoreOrder, _, PaidConfirmPending, "complete") => Some(ClosedConfirmed),
                (OrderType::StoreOrder, _, CreatedPayPending, "cancel") => Some(ClosedCanceled),
                (OrderType::Order, DeliveryType::SelfPick, PaidConfirmPending, "accept") => Some(ConfirmedPickPending),
                (OrderType::Order, DeliveryType::SelfPick, ConfirmedPickPending, "complete") => Some(ClosedConfirmed),
                (OrderType::Order, DeliveryType::Flash, PaidConfirmPending, "accept") => Some(ConfirmedDeliverPending),
                (OrderType::Order, DeliveryType::Flash, PaidConfirmPending, "reject") => {
                    reject(order, now);
                    return PutOutcome::StoreCleared;
                }
                (OrderType::Order, DeliveryType::Flash, ConfirmedDeliverPending, "delivering") => Some(Delivering),
                (OrderType::Order, DeliveryType::Flash, Delivering, "complete") => Some(ClosedConfirmed),
                _ => None,
            };
            match next {
                Some(to) => {
                    order.step(to, &lower, now);
                    PutOutcome::Updated
                }
                None => PutOutcome::Refused("order.status.transfer.error".into()),
            }
        }
        Mode::Field => match order.order_type {
            OrderType::StoreOrder => match (order.status, lower.as_str()) {
                (_, "accept" | "reject" | "delivering") => PutOutcome::Refused("更新订单失败 - 非法的操作".into()),
                (_, a) if !ACTIONS.contains(&a) => PutOutcome::Refused("更新订单失败 - 非法的操作".into()),
                (CreatedPayPending | PaidConfirmPending, "complete") => {
                    // The real server walks a counter order through the online states.
                    let walk: &[OrderStatus] = if order.status == CreatedPayPending {
                        &[PaidConfirmPending, Delivering, DeliveredConfirmPending, ClosedConfirmed]
                    } else {
                        &[Delivering, DeliveredConfirmPending, ClosedConfirmed]
                    };
                    for to in walk {
                        order.step(*to, "complete", now);
                    }
                    // The real server never fills previous_status on a counter order.
                    order.previous_status = None;
                    PutOutcome::Updated
                }
                (CreatedPayPending, "cancel") => {
                    order.step(ClosedCanceled, "cancel", now);
                    order.previous_status = None;
                    PutOutcome::Updated
                }
                _ => PutOutcome::Skipped,
            },
            OrderType::Order => {
                // Online-order actions are matched case-sensitively: "Accept" does nothing.
                let next = match (order.delivery_type, order.status, action) {
                    (DeliveryType::SelfPick, PaidConfirmPending, "accept") => vec![ConfirmedPickPending],
                    (DeliveryType::SelfPick, ConfirmedPickPending, "complete") => vec![ClosedConfirmed],
                    (DeliveryType::Flash, PaidConfirmPending, "accept") if auto_deliver => {
                        vec![ConfirmedDeliverPending, Delivering, DeliveredConfirmPending]
                    }
                    (DeliveryType::Flash, PaidConfirmPending, "accept") => vec![ConfirmedDeliverPending],
                    (DeliveryType::Flash, PaidConfirmPending, "reject") => {
                        reject(order, now);
                        return PutOutcome::StoreCleared;
                    }
                    (DeliveryType::Flash, ConfirmedDeliverPending, "delivering") => vec![Delivering],
                    (DeliveryType::Flash, Delivering | DeliveredConfirmPending, "complete") => vec![ClosedConfirmed],
                    _ => vec![],
                };
                if next.is_empty() {
                    return PutOutcome::Skipped;
                }
                for to in next {
                    order.step(to, action, now);
                }
                PutOutcome::Updated
            }
        },
    }
}

fn reject(order: &mut Order, now: DateTime<Utc>) {
    let store = order.store_id.map(|s| s.to_string()).unwrap_or_default();
    order.store_id = None;
    order.store_name = None;
    order.note("reject", &format!("store {store} rejected: store association cleared"), now);
}

/// Field mode: money as a JSON number with exactly 2 decimals (`10.00`, `0.00`).
pub fn money2(d: Decimal) -> Value {
    let mut x = d.round_dp(2);
    x.rescale(2);
    money(x)
}

/// Money in an order payload: 2 decimals in field mode, the Decimal's own text documented.
pub fn money_in(mode: Mode, d: Decimal) -> Value {
    match mode {
        Mode::Field => money2(d),
        Mode::Documented => money(d),
    }
}

/// The order as a list row (no `order_items`) or as a detail (with items and the
/// after-sales services: documented `order_customer_service`, the latest one, as the
/// seed's detail shows; field `order_customer_services`, an array).
/// Field mode: money with 2 decimals, `store_id` a string, contact fields null on
/// counter orders.
pub fn order_json(order: &Order, detail: bool, services: &[Service], mode: Mode) -> Value {
    let field = mode == Mode::Field;
    let counter_field = field && order.order_type == OrderType::StoreOrder;
    let mut m = Map::new();
    let s = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
    m.insert("id".into(), json!(order.id));
    m.insert("type".into(), json!(order.order_type.as_str()));
    m.insert("order_number".into(), json!(order.order_number));
    m.insert("status".into(), json!(order.status.as_str()));
    m.insert("previous_status".into(), order.previous_status.map(|p| json!(p.as_str())).unwrap_or(Value::Null));
    m.insert("delivery_type".into(), json!(order.delivery_type.as_str()));
    m.insert("payment_type".into(), json!(order.payment_type));
    m.insert("trade_number".into(), s(&order.trade_number));
    m.insert(
        "store_id".into(),
        order.store_id.map(|v| if field { json!(v.to_string()) } else { json!(v) }).unwrap_or(Value::Null),
    );
    m.insert("store_name".into(), s(&order.store_name));
    m.insert("store_user_id".into(), s(&order.store_user_id));
    m.insert("store_user_name".into(), s(&order.store_user_name));
    m.insert("user_id".into(), json!(order.user_id));
    m.insert("user_name".into(), json!(order.user_name));
    let sent_contact = order.customer.as_ref().and_then(|c| c.contact.as_ref()).filter(|_| counter_field);
    if let Some(contact) = sent_contact {
        // A counter order with a `contact`: its fields as sent, the others null.
        for k in ["contact_user", "phone", "province", "city", "district", "street", "detail", "zip"] {
            m.insert(k.into(), contact.get(k).cloned().unwrap_or(Value::Null));
        }
    } else if counter_field {
        for k in ["contact_user", "phone", "province", "city", "district", "street", "detail", "zip"] {
            m.insert(k.into(), Value::Null);
        }
    } else {
        m.insert("contact_user".into(), json!(order.contact_user));
        m.insert("phone".into(), json!(order.phone));
        for k in ["province", "city", "district", "street", "detail", "zip"] {
            m.insert(k.into(), json!(""));
        }
    }
    if let Some(c) = &order.customer {
        m.insert("invoice".into(), c.invoice.clone().unwrap_or(Value::Null));
        m.insert("invoice_title".into(), s(&c.invoice_title));
        m.insert("origin".into(), s(&c.origin));
        let id = |v: Option<u64>| v.map(|x| if field { json!(x.to_string()) } else { json!(x) }).unwrap_or(Value::Null);
        m.insert("store_guide_user_id".into(), id(c.store_guide_user_id));
        m.insert("store_guide_user_name".into(), s(&c.store_guide_user_name));
        m.insert("followed_store_id".into(), id(c.followed_store_id));
        m.insert("binding_store_id".into(), id(c.binding_store_id));
    }
    m.insert("remark".into(), s(&order.remark));
    m.insert("description".into(), json!(order.description()));
    m.insert("cover".into(), Value::Null);
    m.insert("total_price".into(), money_in(mode, order.total_price));
    m.insert("freight".into(), if field { money2(Decimal::ZERO) } else { json!(0) });
    m.insert("pay_credit".into(), json!(0));
    m.insert("point_exchange_rate".into(), json!(100));
    m.insert("coupon_info".into(), Value::Null);
    m.insert("settled".into(), json!(0));
    m.insert("is_deleted".into(), json!(0));
    m.insert("is_deliver_reminder".into(), json!(0));
    m.insert("invoice".into(), json!(0));
    m.insert("invoice_title".into(), Value::Null);
    m.insert("receiving_time".into(), json!("anytime"));
    for k in ["express_company", "express_code", "express_number", "deliver_order_number"] {
        m.insert(k.into(), Value::Null);
    }
    for k in ["mid", "mname", "marketing", "marketing_id", "marketing_description"] {
        m.insert(k.into(), Value::Null);
    }
    m.insert("created_date".into(), json!(fmt_dt(order.created_date)));
    m.insert("pay_date".into(), fmt_dt_opt(order.pay_date));
    m.insert("confirm_date".into(), fmt_dt_opt(order.confirm_date));
    m.insert("deliver_date".into(), fmt_dt_opt(order.deliver_date));
    m.insert("delivered_date".into(), fmt_dt_opt(order.delivered_date));
    m.insert("deal_date".into(), fmt_dt_opt(order.deal_date));
    if detail && field {
        m.insert("order_items".into(), Value::Array(order.items.iter().map(|i| item_json(i, mode)).collect()));
        let svcs: Vec<Value> = services
            .iter()
            .filter(|s| s.order_id == Some(order.id))
            .map(|s| {
                json!({
                    "id": s.id,
                    "order_id": s.order_id,
                    "service_number": s.service_number,
                    "service_type": s.service_type,
                    "status": s.status,
                    "reason": s.reason,
                    "refund_fee": s.refund_fee.map(money2).unwrap_or(Value::Null),
                    "created_date": fmt_dt(s.created_date),
                    "express_code": null,
                    "express_number": null,
                    "express_company": null,
                })
            })
            .collect();
        m.insert("order_customer_services".into(), Value::Array(svcs));
    } else if detail {
        m.insert("order_items".into(), Value::Array(order.items.iter().map(|i| item_json(i, mode)).collect()));
        let svc = services.iter().filter(|s| s.order_id == Some(order.id)).max_by_key(|s| s.id);
        m.insert(
            "order_customer_service".into(),
            svc.map(|s| {
                json!({
                    "id": s.id,
                    "order_id": s.order_id,
                    "service_type": s.service_type,
                    "reason": s.reason,
                    "created_date": fmt_dt(s.created_date),
                    "express_code": null,
                    "express_number": null,
                    "express_company": null,
                })
            })
            .unwrap_or(Value::Null),
        );
    }
    Value::Object(m)
}

pub fn item_json(i: &OrderItem, mode: Mode) -> Value {
    json!({
        "id": i.id,
        "order_id": i.order_id,
        "product_id": i.product_id,
        "product_specification_id": i.product_specification_id,
        "product_specification_name": i.product_specification_name,
        "product_name": i.product_name,
        "quantity": i.quantity,
        "price": money_in(mode, i.price),
        "final_price": money_in(mode, i.final_price),
        "cost_price": money_in(mode, i.cost_price),
        "barcode": i.barcode,
        "status": "CREATED",
        "cover": null,
        "weight": 0,
        "bulk": 0,
        "partner_level_zone": 1,
        "store_location": null,
        "marketing": null,
        "marketing_id": null,
        "marketing_description": null,
    })
}

/// Query parameters of the order list, already split (repeatable keys keep every value).
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        Params(raw.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok()).unwrap_or_default())
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(key, v)| key == k && !v.trim().is_empty()).map(|(_, v)| v.as_str())
    }
    pub fn all(&self, k: &str) -> Vec<&str> {
        self.0.iter().filter(|(key, v)| key == k && !v.trim().is_empty()).map(|(_, v)| v.as_str()).collect()
    }
    /// Field mode paging: `pageSize` 0 or negative, `pageNumber` 0 or negative → Err(500);
    /// a non-numeric value → Err(404) (Spring cannot bind it); absent → the defaults.
    pub fn paging_field(&self, default_size: usize) -> Result<(usize, usize), u16> {
        let num = |k: &str, default: usize| -> Result<usize, u16> {
            match self.get(k) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<i64>() {
                    Err(_) => Err(404),
                    Ok(n) if n <= 0 => Err(500),
                    Ok(n) => Ok((n as usize).min(1_000_000)),
                },
            }
        };
        Ok((num("pageNumber", 1)?, num("pageSize", default_size)?.min(10_000)))
    }

    /// pageNumber / pageSize with the server's defaults; junk falls back to the default.
    pub fn paging(&self, default_size: usize) -> (usize, usize) {
        let n = self.get("pageNumber").and_then(|v| v.trim().parse::<usize>().ok()).filter(|n| *n >= 1).unwrap_or(1);
        let s = self
            .get("pageSize")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .unwrap_or(default_size)
            .min(10_000);
        (n, s)
    }
}

/// The platform's page object around one slice of `rows`. Field mode: `lastPage` is
/// always false (the real server never sets it).
pub fn page_in(mode: Mode, rows: Vec<Value>, page_number: usize, page_size: usize) -> Value {
    let mut v = page(rows, page_number, page_size);
    if mode == Mode::Field {
        v["lastPage"] = json!(false);
    }
    v
}

/// The platform's page object around one slice of `rows`.
pub fn page(rows: Vec<Value>, page_number: usize, page_size: usize) -> Value {
    let total = rows.len();
    let total_page = total.div_ceil(page_size);
    let start = (page_number - 1).saturating_mul(page_size);
    let list: Vec<Value> = rows.into_iter().skip(start).take(page_size).collect();
    json!({
        "totalRow": total,
        "pageNumber": page_number,
        "firstPage": page_number == 1,
        "lastPage": page_number >= total_page,
        "totalPage": total_page,
        "pageSize": page_size,
        "list": list,
    })
}

/// An inclusive creation-time window; either end may be open.
type Range = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Filter the store's orders for `GET /rest/store/order`, newest first.
/// Documented mode honours the documented parameters (startTime/endTime included);
/// field mode ignores startTime/endTime and honours createTime (twice; once is ignored),
/// month (Err on a malformed one: the server answers 500), search (exact on number,
/// contact, phone), paymentType (exact) and orderNumber as a substring.
#[allow(clippy::result_unit_err)] // the platform answers a bare 500 here: there is no detail to carry
pub fn filter_orders<'a>(orders: &'a [Order], p: &Params, mode: Mode, store_id: u64) -> Result<Vec<&'a Order>, ()> {
    let statuses: Vec<&str> = p.all("status");
    let order_type = p.get("type");
    let contact = p.get("contactUser");
    let phone = p.get("phone");
    let number = p.get("orderNumber");
    let mut range: Option<Range> = None;
    let mut search: Option<&str> = None;
    let mut payment: Option<&str> = None;
    match mode {
        Mode::Documented => {
            if let (Some(a), Some(b)) = (p.get("startTime"), p.get("endTime")) {
                range = Some((parse_shanghai(a, false), parse_shanghai(b, true)));
            }
        }
        Mode::Field => {
            let ct = p.all("createTime");
            if ct.len() >= 2 {
                range = Some((parse_shanghai(ct[0], false), parse_shanghai(ct[1], true)));
            } else if let Some(m) = p.get("month") {
                let (a, b) = parse_month(m).ok_or(())?;
                range = Some((Some(a), Some(b)));
            }
            search = p.get("search");
            payment = p.get("paymentType");
        }
    }
    let mut out: Vec<&Order> = orders
        .iter()
        .filter(|o| o.store_id == Some(store_id))
        .filter(|o| order_type.is_none_or(|t| o.order_type.as_str() == t))
        .filter(|o| statuses.is_empty() || statuses.contains(&o.status.as_str()))
        .filter(|o| contact.is_none_or(|c| o.contact_user == c))
        .filter(|o| phone.is_none_or(|ph| o.phone == ph))
        .filter(|o| {
            number.is_none_or(|n| match mode {
                Mode::Field => o.order_number.contains(n.trim()),
                Mode::Documented => o.order_number == n,
            })
        })
        .filter(|o| match range {
            None => true,
            Some((a, b)) => a.is_none_or(|a| o.created_date >= a) && b.is_none_or(|b| o.created_date <= b),
        })
        .filter(|o| search.is_none_or(|s| o.order_number == s || o.contact_user == s || o.phone == s))
        .filter(|o| payment.is_none_or(|pt| o.payment_type == pt))
        .collect();
    out.sort_by(|a, b| b.created_date.cmp(&a.created_date).then(b.id.cmp(&a.id)));
    Ok(out)
}

/// `order_count` for one store, in the documented or the field meaning.
pub fn counts(orders: &[Order], store_id: u64, mode: Mode) -> Value {
    use OrderStatus::*;
    let mine: Vec<&Order> = orders.iter().filter(|o| o.store_id == Some(store_id)).collect();
    let n = |st: &[OrderStatus]| mine.iter().filter(|o| st.contains(&o.status)).count();
    match mode {
        Mode::Documented => {
            let total_price: Decimal = mine.iter().map(|o| o.total_price).sum();
            json!({
                "totalPrice": money(total_price),
                "total": mine.len(),
                "handlePending": n(&[PaidConfirmPending]),
                "pickPending": n(&[ConfirmedPickPending]),
                "deliverPending": n(&[ConfirmedDeliverPending]),
                "delivering": n(&[Delivering]),
                "closed": n(&[ClosedConfirmed]),
                "cancled": n(&[ClosedCanceled]),
            })
        }
        Mode::Field => {
            let counted: Vec<&&Order> = mine
                .iter()
                .filter(|o| !matches!(o.status, CreatedPayPending | DeliveredConfirmPending | ClosedPayTimeout))
                .collect();
            let total_price: Decimal = counted.iter().map(|o| o.total_price).sum();
            json!({
                "totalPrice": java_double(total_price),
                "total": counted.len(),
                "handlePending": n(&[PaidConfirmPending]),
                "pickPending": n(&[ConfirmedPickPending]),
                "deliverPending": n(&[ConfirmedDeliverPending]),
                "delivering": n(&[Delivering, DeliveredConfirmPending]),
                "closed": n(&[ClosedConfirmed]),
                "cancled": n(&[ClosedCanceled]),
            })
        }
    }
}
