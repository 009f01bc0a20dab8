//! The HTTP surface: `/rest/*` (the platform) and `/sim/*` (control, no auth, no faults).

// Early-return helpers hand back a ready axum Response; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::after_sales::{create_service, filter_services, service_detail, service_row, ServiceOutcome};
use crate::auth;
use crate::context::{Mode, Sim};
use crate::faults::FaultsPatch;
use crate::money::{fmt_dt, money};
use crate::online::create_online_order;
use crate::orders::{
    apply_action, build_items, counts, field_order_number, filter_orders, is_blank, json_u64, new_order_number,
    order_json, page_in, to_millis, LineError, Params, PutOutcome,
};
use crate::state::{Account, DeliveryType, Order, OrderStatus, OrderType, StatusChange};
use crate::wechat;

type S = State<Arc<Sim>>;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/rest/login", post(login))
        .route("/rest/logout", get(logout))
        .route("/rest/product", get(crate::big_catalog::products))
        .route("/rest/product/{id}", get(crate::big_catalog::product))
        .route("/rest/product_search", get(product_search))
        .route("/rest/store/order", post(create_order).get(list_orders))
        .route("/rest/store/order/{order_number}", get(order_detail).put(update_order))
        .route("/rest/store/order_count", get(order_count))
        .route("/rest/store/order_customer_service", post(create_after_sales).get(list_after_sales))
        .route("/rest/store/order_customer_service/{service_number}", get(after_sales_detail))
        .route("/rest/wx/push_order", post(push_order))
        .route("/sim/pay/{order_number}", post(sim_pay))
        .route("/sim/online-order", post(sim_online_order))
        .route("/sim/faults", get(get_faults).post(set_faults))
        .route("/sim/members", get(|| async { axum::Json(crate::members::MEMBERS) }))
        .route("/sim/state", get(sim_state))
        .route("/sim/reset", post(sim_reset))
        .route("/sim/clock", get(get_clock).post(set_clock))
        .route("/sim/accounts", get(list_accounts).post(add_account))
        .route("/sim/orders", get(sim_orders))
        .route("/sim/orders/all", get(sim_orders))
        .route("/sim/orders/{key}/status", post(sim_order_status))
        .route("/sim/catalog/generate", post(crate::big_catalog::generate))
        .fallback(not_found)
        .with_state(sim)
}

// ---- envelopes -------------------------------------------------------------------------

fn json_response(status: StatusCode, v: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json;charset=UTF-8")], v.to_string()).into_response()
}

pub fn ok_data(v: Value) -> Response {
    json_response(StatusCode::OK, json!({"status_code": 0, "data": v}))
}

pub fn ok_msg(m: &str) -> Response {
    json_response(StatusCode::OK, json!({"status_code": 0, "message": m}))
}

pub fn fail(m: &str) -> Response {
    json_response(StatusCode::OK, json!({"status_code": 1, "message": m}))
}

/// A servlet-container style HTML error page (what the real server answers for unknown
/// paths, orders that left the store and crashes).
pub fn html(code: u16, path: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    let path = path.replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n<title>Error {code} {reason}</title>\n</head>\n<body><h2>HTTP ERROR {code}</h2>\n<p>Problem accessing {path}. Reason:\n<pre>    {reason}</pre></p><hr><i><small>Powered by Jetty://</small></i><hr/>\n</body>\n</html>\n"
    );
    (status, [(header::CONTENT_TYPE, "text/html;charset=utf-8")], Body::from(body)).into_response()
}

async fn not_found(State(sim): S, headers: HeaderMap, uri: Uri) -> Response {
    match sim.cfg.mode {
        // Field: the security filter runs first, so without a valid token any unknown
        // path answers 401.
        Mode::Field if !uri.path().starts_with("/sim/") => match authorize(&sim, &headers) {
            Ok(_) => html(404, uri.path()),
            Err(r) => r,
        },
        Mode::Field => html(404, uri.path()),
        Mode::Documented => json_response(StatusCode::NOT_FOUND, json!({"status_code": 1, "message": "not.found"})),
    }
}

/// Parse a JSON body; an empty body is `{}`. Junk: field mode crashes (500 HTML),
/// documented mode answers status_code 1.
fn body_json(sim: &Sim, path: &str, bytes: &Bytes) -> Result<Value, Response> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(match sim.cfg.mode {
            Mode::Field => html(500, path),
            Mode::Documented => fail("invalid.request.body"),
        }),
    }
}

/// Check the token; Ok(the account it belongs to).
fn authorize(sim: &Sim, headers: &HeaderMap) -> Result<Account, Response> {
    let h = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let g = sim.lock();
    let user = auth::check(sim, &g, h).map_err(|e| match sim.cfg.mode {
        Mode::Field => unauthorized(&e.message()),
        Mode::Documented => fail(&e.message()),
    })?;
    Sim::account(&g, &user).ok_or_else(|| match sim.cfg.mode {
        Mode::Field => unauthorized("auth.error"),
        Mode::Documented => fail("auth.error"),
    })
}

/// Field mode's 401: a JSON body without any Content-Type header.
fn unauthorized(message: &str) -> Response {
    let mut r = (StatusCode::UNAUTHORIZED, json!({"status_code": 401, "message": message}).to_string()).into_response();
    r.headers_mut().remove(header::CONTENT_TYPE);
    r
}

macro_rules! tryr {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

// ---- login & catalog -------------------------------------------------------------------

async fn login(State(sim): S, uri: Uri, body: Bytes) -> Response {
    let body = tryr!(body_json(&sim, uri.path(), &body));
    let user = body.get("username").and_then(Value::as_str).unwrap_or_default().to_string();
    match sim.mutate(|inner| auth::login(&sim, inner, &body).map(|t| (t, Sim::account(inner, &user)))) {
        Ok((token, account)) if sim.cfg.mode == Mode::Field => ok_data(json!({
            "access_token": token,
            "user_id": account.map(|a| a.user_id),
            "permissions": auth::permissions(),
        })),
        Ok((token, _)) => ok_data(json!({"access_token": token})),
        Err(m) => fail(&m),
    }
}

/// `GET /rest/logout`: resets the account's token, ending its sessions on every device.
async fn logout(State(sim): S, headers: HeaderMap) -> Response {
    let account = tryr!(authorize(&sim, &headers));
    sim.mutate(|inner| auth::logout(inner, &account.username));
    ok_msg("logout.success")
}

const CATALOG_DATE: &str = "2024-01-01 09:00:00";

fn product_json(sim: &Sim, p: &crate::catalog::Product, detail: bool) -> Value {
    let mut v = json!({
        "id": p.id,
        "name": p.name,
        "short_name": p.name,
        "category_id": p.category_id,
        "category_name": p.category_name,
        "price": money(p.price),
        "suggested_price": money(p.price),
        "cost_price": money(p.cost_price),
        "barcode": p.barcode,
        "unit": p.unit,
        "status": "ONSELL",
        "stock_balance": 9999,
        "free_shipping": 0,
        "origin": "",
        "brand": "",
        "cover": null,
        "promoted": 0,
        "sales": 0,
        "freight": 0,
        "sort_order": 100,
        "weight": 0,
        "bulk": 0,
        "allow_coupon": 0,
        "credit": 0,
        "created_date": CATALOG_DATE,
        "last_modified_date": CATALOG_DATE,
    });
    if detail {
        let specs: Vec<Value> = p
            .specifications
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "product_id": s.product_id,
                    "name": s.name,
                    "price": money(s.price),
                    "suggested_price": money(s.price),
                    "cost_price": money(p.cost_price),
                    "stock_balance": 9999,
                    "weight": 0,
                    "bulk": 0,
                })
            })
            .collect();
        if let Value::Object(m) = &mut v {
            m.insert("description".into(), json!(""));
            m.insert("images".into(), json!([]));
            m.insert("covers".into(), json!([]));
            m.insert("properties".into(), json!([]));
            m.insert("specifications".into(), Value::Array(specs));
        }
    }
    // Field: products carry the barcode twice, as `barcode` and `bar_code`.
    if sim.cfg.mode == Mode::Field {
        if let Value::Object(m) = &mut v {
            m.insert("bar_code".into(), json!(p.barcode));
        }
    }
    v
}

/// `GET /rest/product?all=true`: every ONSELL product (other parameters ignored, as the
/// seed says); without `all` it pages like the recommended list.
pub(crate) async fn products(State(sim): S, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref());
    let rows: Vec<Value> = sim.catalog.iter().map(|x| product_json(&sim, x, false)).collect();
    if p.get("all") == Some("true") {
        return ok_data(Value::Array(rows));
    }
    // Field: without all=true only recommended products are listed; none is recommended.
    if sim.cfg.mode == Mode::Field {
        return ok_data(json!([]));
    }
    let (n, size) = p.paging(50);
    ok_data(Value::Array(rows.into_iter().skip((n - 1) * size).take(size).collect()))
}

pub(crate) async fn product(State(sim): S, Path(id): Path<String>, uri: Uri) -> Response {
    match id.trim().parse::<u64>().ok().and_then(|id| sim.product(id)) {
        Some(p) => ok_data(product_json(&sim, p, true)),
        None => match sim.cfg.mode {
            Mode::Field if id.trim().parse::<u64>().is_err() => html(404, uri.path()),
            Mode::Field => fail("product.is.null"),
            Mode::Documented => fail("invalid.product.id"),
        },
    }
}

/// `GET /rest/product_search?name=&barCode=`: `data` is an array, as in the seed, sliced
/// by pageNumber / pageSize (default 50). name matches a substring, barCode exactly.
async fn product_search(State(sim): S, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref());
    let name = p.get("name");
    let code = p.get("barCode");
    let rows: Vec<Value> = sim
        .catalog
        .iter()
        .filter(|x| name.is_none_or(|n| x.name.contains(n.trim())))
        .filter(|x| {
            code.is_none_or(|c| match sim.cfg.mode {
                // Field: a prefix match.
                Mode::Field => x.barcode.starts_with(c.trim()),
                Mode::Documented => x.barcode == c.trim(),
            })
        })
        .map(|x| product_json(&sim, x, false))
        .collect();
    let (n, size) = p.paging(50);
    ok_data(Value::Array(rows.into_iter().skip((n - 1) * size).take(size).collect()))
}

// ---- store orders ----------------------------------------------------------------------

/// A create's place in its account's in-progress creates (put in the request by the
/// accept loop *before* the configured latency, so overlap is observable).
#[derive(Debug, Clone)]
pub struct CreateTicket {
    pub account: String,
    pub ticket: u64,
}

async fn create_order(
    State(sim): S,
    headers: HeaderMap,
    uri: Uri,
    ticket: Option<axum::Extension<CreateTicket>>,
    body: Bytes,
) -> Response {
    let account = tryr!(authorize(&sim, &headers));
    let body = tryr!(body_json(&sim, uri.path(), &body));
    match sim.cfg.mode {
        Mode::Field => create_order_field(&sim, &account, ticket.map(|t| t.0), &body, uri.path()),
        Mode::Documented => create_order_documented(&sim, &account, &body),
    }
}

/// The common part of a new counter order.
fn new_counter_order(
    sim: &Sim,
    account: &Account,
    body: &Value,
    id: u64,
    number: String,
    items: Vec<crate::state::OrderItem>,
    total: rust_decimal::Decimal,
    now: chrono::DateTime<chrono::Utc>,
) -> Order {
    let field = sim.cfg.mode == Mode::Field;
    Order {
        id,
        order_number: number,
        order_type: OrderType::StoreOrder,
        delivery_type: DeliveryType::SelfPick,
        payment_type: match (field, body.get("payment_type").and_then(Value::as_str)) {
            // Field: stored as sent.
            (true, Some(p)) if !p.trim().is_empty() => p.to_string(),
            _ => "STORE".into(),
        },
        status: OrderStatus::CreatedPayPending,
        previous_status: None,
        store_id: Some(sim.cfg.store_id),
        original_store_id: sim.cfg.store_id,
        store_name: if field {
            // From the platform's store record, whatever the client sent.
            Some(sim.cfg.store_name.clone())
        } else {
            body.get("store_name").and_then(Value::as_str).map(str::to_string)
        },
        store_user_id: Some(account.user_id.to_string()),
        store_user_name: Some(account.username.clone()),
        user_id: account.user_id,
        user_name: account.username.clone(),
        // Stored as sent (seed 000 店员新建订单: `contact`).
        contact_user: body.pointer("/contact/contact_user").and_then(Value::as_str).unwrap_or_default().to_string(),
        phone: body.pointer("/contact/phone").and_then(Value::as_str).unwrap_or_default().to_string(),
        remark: body.get("remark").and_then(Value::as_str).map(str::to_string),
        total_price: total,
        created_date: now,
        pay_date: None,
        confirm_date: None,
        deliver_date: None,
        delivered_date: None,
        deal_date: None,
        trade_number: None,
        paid_after_cancel: false,
        items,
        history: vec![StatusChange {
            at: fmt_dt(now),
            action: "create".into(),
            from: None,
            to: OrderStatus::CreatedPayPending,
            note: None,
        }],
        account: Some(account.username.clone()),
        account_user_id: Some(account.user_id),
        customer: counter_customer(body),
    }
}

/// `contact`, `invoice`, `invoice_title`, `origin` of a counter create, as sent.
fn counter_customer(body: &Value) -> Option<crate::state::CounterCustomer> {
    let c = crate::state::CounterCustomer {
        contact: body.get("contact").filter(|v| v.is_object()).cloned(),
        invoice: body.get("invoice").filter(|v| !v.is_null()).cloned(),
        invoice_title: body.get("invoice_title").and_then(Value::as_str).map(str::to_string),
        origin: body.get("origin").and_then(Value::as_str).map(str::to_string),
        ..Default::default()
    };
    (c != crate::state::CounterCustomer::default()).then_some(c)
}

/// Field mode: the real server's validation, non-unique numbers, deadlocks.
fn create_order_field(
    sim: &Sim,
    account: &Account,
    ticket: Option<CreateTicket>,
    body: &Value,
    path: &str,
) -> Response {
    const STOCK: &str = "新建订单失败 - 库存不足";
    // Exactly three business draws per create, whatever happens next.
    let draw = {
        let mut g = sim.lock();
        let f = g.faults.clone();
        g.fault_rng.create_draw(&f)
    };
    if is_blank(body.get("store_id")) {
        return fail("新建订单失败 - 必须指定门店");
    }
    let lines = match body.get("order_items") {
        None | Some(Value::Null) => return html(500, path),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return html(500, path),
    };
    if lines.is_empty() {
        // No `新建订单失败 - ` prefix on this one (nor on 没有该产品).
        return fail("订单项为空");
    }
    if json_u64(body.get("store_id")) != Some(sim.cfg.store_id) {
        // The store lookup returns null and the server trips over it.
        return html(500, path);
    }
    // A phone of a platform user attaches the order to that member; asking the VIP and
    // store services for them can fail, and then nothing is stored.
    let member = body.pointer("/contact/phone").and_then(Value::as_str).and_then(crate::members::by_phone);
    if member.is_some() && sim.lock().faults.member_service_fail {
        return html(500, path);
    }
    let result = sim.mutate(|inner| {
        let overlapped = ticket.as_ref().is_some_and(|t| inner.create_overlapped(&t.account, t.ticket));
        if draw.stock_error || (overlapped && draw.deadlock_if_overlap) {
            return Err(LineError::Invalid("deadlock".into()));
        }
        let now = inner.now();
        let next_id = inner.data.next_order_id;
        let next_item = inner.data.next_item_id;
        let id = inner.data.alloc_order_id();
        let (items, total) = match build_items(sim, inner, &lines, id, true) {
            Ok(x) => x,
            Err(e) => {
                inner.data.next_order_id = next_id;
                inner.data.next_item_id = next_item;
                return Err(e);
            }
        };
        let entry = inner.creates.entry(account.username.clone()).or_default();
        let stamp = match (draw.collide, entry.last_stamp) {
            (true, Some(prev)) => prev,
            _ => to_millis(now),
        };
        entry.last_stamp = Some(stamp);
        // The stored total never goes below zero: a negative line reads back as 0.00.
        let total = total.max(rust_decimal::Decimal::ZERO);
        // The number ends with the order's user id: the member's once attached.
        let user_id = member.map_or(account.user_id, |m| m.user_id);
        let mut order =
            new_counter_order(sim, account, body, id, field_order_number(stamp, user_id), items, total, now);
        if let Some(m) = member {
            order.user_id = m.user_id;
            order.user_name = m.name.to_string();
            let c = order.customer.get_or_insert_with(Default::default);
            c.store_guide_user_id = Some(m.store_guide_user_id);
            c.store_guide_user_name = Some(m.store_guide_user_name.to_string());
            c.followed_store_id = Some(m.binding_store_id);
            c.binding_store_id = Some(m.binding_store_id);
        }
        inner.data.orders.push(order.clone());
        Ok(order)
    });
    match result {
        Ok(order) => {
            let mut v = order_json(&order, true, &[], Mode::Field);
            // The create answer carries the date only; the detail has the time.
            v["created_date"] =
                json!(order.created_date.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string());
            // A zero total is the integer 0 in the create answer (0.00 when read back).
            if order.total_price.is_zero() {
                v["total_price"] = json!(0);
            }
            ok_data(v)
        }
        Err(LineError::NoProduct) => fail("没有该产品"),
        Err(_) => fail(STOCK),
    }
}

fn create_order_documented(sim: &Sim, account: &Account, body: &Value) -> Response {
    for f in ["store_id", "store_name", "order_items"] {
        if is_blank(body.get(f)) {
            return fail(&format!("{f}参数不能为空"));
        }
    }
    if json_u64(body.get("store_id")) != Some(sim.cfg.store_id) {
        return fail("invalid.store.id");
    }
    let Some(lines) = body.get("order_items").and_then(Value::as_array).cloned() else {
        return fail("invalid.order_items");
    };
    let result = sim.mutate(|inner| {
        let now = inner.now();
        let next_id = inner.data.next_order_id;
        let next_item = inner.data.next_item_id;
        let id = inner.data.alloc_order_id();
        let (items, total) = match build_items(sim, inner, &lines, id, false) {
            Ok(x) => x,
            Err(e) => {
                // Nothing committed: give the ids back.
                inner.data.next_order_id = next_id;
                inner.data.next_item_id = next_item;
                return Err(e);
            }
        };
        let number = new_order_number(inner, now);
        let order = new_counter_order(sim, account, body, id, number, items, total, now);
        inner.data.orders.push(order.clone());
        Ok(order)
    });
    match result {
        Ok(order) => ok_data(order_json(&order, true, &[], Mode::Documented)),
        Err(LineError::Missing(f)) => fail(&format!("{f}参数不能为空")),
        Err(LineError::Invalid(m)) => fail(&m),
        Err(LineError::NoProduct) => fail("invalid.product.id"),
    }
}

async fn update_order(
    State(sim): S,
    headers: HeaderMap,
    uri: Uri,
    Path(number): Path<String>,
    body: Bytes,
) -> Response {
    tryr!(authorize(&sim, &headers));
    let mode = sim.cfg.mode;
    let body = match body_json(&sim, uri.path(), &body) {
        Ok(v) => v,
        // Field: a body that is not a JSON object carries no action (checked first below).
        Err(_) if mode == Mode::Field => json!({}),
        Err(r) => return r,
    };
    // Field mode does not look at store_id at all.
    let required: &[&str] = match mode {
        Mode::Documented => &["store_id", "action"],
        Mode::Field => &["action"],
    };
    for f in required {
        if is_blank(body.get(*f)) {
            return fail(&format!("{f}参数不能为空"));
        }
    }
    let success = || match mode {
        Mode::Field => ok_msg("更新订单成功！"),
        Mode::Documented => ok_msg("更新订单成功"),
    };
    let action = body.get("action").and_then(Value::as_str).unwrap_or_default().to_string();
    let store_ok = mode == Mode::Field || json_u64(body.get("store_id")) == Some(sim.cfg.store_id);
    // Err(true): the number reaches no order; Err(false): it reaches an order that left the store.
    let outcome = sim.mutate(|inner| {
        let now = inner.now();
        let auto = inner.faults.flash_auto_deliver;
        let lying = inner.faults.lying_put;
        let store = sim.cfg.store_id;
        // The FIRST order stored with this number, as the real server does.
        let order = inner.data.order_mut(&number).ok_or(true)?;
        if order.store_id != Some(store) {
            return Err(false);
        }
        if lying {
            return Ok(PutOutcome::Skipped);
        }
        if !store_ok {
            return Ok(PutOutcome::Refused("invalid.store.id".into()));
        }
        Ok(apply_action(order, &action, mode, auto, now))
    });
    match (outcome, mode) {
        (Err(true), Mode::Field) => html(404, uri.path()),
        (Err(false), Mode::Field) => html(500, uri.path()),
        (Err(_), Mode::Documented) => fail("invalid.order.id"),
        (Ok(PutOutcome::Refused(m)), _) => fail(&m),
        (Ok(_), _) => success(),
    }
}

async fn order_detail(State(sim): S, headers: HeaderMap, uri: Uri, Path(number): Path<String>) -> Response {
    tryr!(authorize(&sim, &headers));
    let g = sim.lock();
    match g.data.order(&number) {
        Some(o) if o.store_id == Some(sim.cfg.store_id) => ok_data(order_json(o, true, &g.data.services, sim.cfg.mode)),
        // Field: an unknown number, an order that left the store (FLASH reject) or one of
        // another store: a 404 page, as on PUT.
        _ if sim.cfg.mode == Mode::Field => html(404, uri.path()),
        _ => fail("invalid.order.id"),
    }
}

fn store_param(sim: &Sim, p: &Params) -> Result<u64, Response> {
    match (p.get("storeId"), sim.cfg.mode) {
        (None, Mode::Field) => Err(fail("查找失败 - 必须指定店铺id")),
        (None, Mode::Documented) => Err(fail("storeId参数不能为空")),
        (Some(s), Mode::Field) => match s.trim().parse::<u64>() {
            Ok(id) if id == sim.cfg.store_id => Ok(id),
            _ => Err(fail("您不是此店铺的店员")),
        },
        (Some(s), Mode::Documented) => Ok(s.trim().parse::<u64>().unwrap_or(u64::MAX)),
    }
}

/// Page number and size: field mode answers HTML errors for bad values.
fn paging(sim: &Sim, p: &Params, path: &str, default_size: usize) -> Result<(usize, usize), Response> {
    match sim.cfg.mode {
        Mode::Field => p.paging_field(default_size).map_err(|code| html(code, path)),
        Mode::Documented => Ok(p.paging(default_size)),
    }
}

async fn list_orders(State(sim): S, headers: HeaderMap, uri: Uri, RawQuery(q): RawQuery) -> Response {
    tryr!(authorize(&sim, &headers));
    let p = Params::parse(q.as_deref());
    let store = tryr!(store_param(&sim, &p));
    if sim.cfg.mode == Mode::Documented && p.get("type").is_none() {
        return fail("type参数不能为空");
    }
    let (n, size) = tryr!(paging(&sim, &p, uri.path(), 30));
    let g = sim.lock();
    let Ok(found) = filter_orders(&g.data.orders, &p, sim.cfg.mode, store) else {
        return html(500, uri.path());
    };
    let rows: Vec<Value> = found.into_iter().map(|o| order_json(o, false, &[], sim.cfg.mode)).collect();
    ok_data(page_in(sim.cfg.mode, rows, n, size))
}

async fn order_count(State(sim): S, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    tryr!(authorize(&sim, &headers));
    let p = Params::parse(q.as_deref());
    let store = tryr!(store_param(&sim, &p));
    let g = sim.lock();
    ok_data(counts(&g.data.orders, store, sim.cfg.mode))
}

// ---- after-sales -----------------------------------------------------------------------

async fn create_after_sales(State(sim): S, headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
    tryr!(authorize(&sim, &headers));
    let body = tryr!(body_json(&sim, uri.path(), &body));
    match sim.mutate(|inner| create_service(&sim, inner, &body)) {
        ServiceOutcome::Created => ok_msg("order.customer.service.created"),
        ServiceOutcome::Refunded => ok_msg("order.refunded"),
        ServiceOutcome::RefundFailed => ok_msg("order.refund.failure"),
        ServiceOutcome::Refused(m) => fail(&m),
        ServiceOutcome::Crash => html(500, uri.path()),
    }
}

async fn list_after_sales(State(sim): S, headers: HeaderMap, uri: Uri, RawQuery(q): RawQuery) -> Response {
    tryr!(authorize(&sim, &headers));
    let p = Params::parse(q.as_deref());
    if sim.cfg.mode == Mode::Field {
        tryr!(store_param(&sim, &p));
    }
    let (n, size) = tryr!(paging(&sim, &p, uri.path(), 30));
    let g = sim.lock();
    let rows: Vec<Value> = filter_services(&g.data.services, &p)
        .into_iter()
        .filter(|s| s.store_id == sim.cfg.store_id.to_string())
        .map(|s| service_row(s, sim.cfg.mode))
        .collect();
    ok_data(page_in(sim.cfg.mode, rows, n, size))
}

async fn after_sales_detail(State(sim): S, headers: HeaderMap, uri: Uri, Path(number): Path<String>) -> Response {
    tryr!(authorize(&sim, &headers));
    let g = sim.lock();
    let store = sim.cfg.store_id.to_string();
    match g.data.services.iter().find(|s| s.service_number == number && s.store_id == store) {
        Some(s) => {
            let order = s.order_id.and_then(|id| g.data.orders.iter().find(|o| o.id == id));
            ok_data(service_detail(s, order, &g.data.services, sim.cfg.mode))
        }
        None if sim.cfg.mode == Mode::Field => html(404, uri.path()),
        None => fail("invalid.service.number"),
    }
}

// ---- WeChat ----------------------------------------------------------------------------

async fn push_order(State(sim): S, headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
    tryr!(authorize(&sim, &headers));
    let body = tryr!(body_json(&sim, uri.path(), &body));
    if sim.lock().faults.push_order_fail {
        return html(500, uri.path());
    }
    match (sim.mutate(|inner| wechat::push_order(&sim, inner, &body)), sim.cfg.mode) {
        (Ok(data), _) => ok_data(data),
        // Field: an unknown order crashes the server; a wrong status reads retrieve.order.failure.
        (Err(m), Mode::Field) if m == "invalid.order.id" => html(500, uri.path()),
        (Err(m), Mode::Field) if m == "order.status.invalid" => fail("retrieve.order.failure"),
        (Err(m), _) => fail(&m),
    }
}

// ---- /sim control ----------------------------------------------------------------------

fn sim_error(code: StatusCode, m: &str) -> Response {
    json_response(code, json!({"status_code": 1, "message": m}))
}

fn loose_body(bytes: &Bytes) -> Result<Value, Response> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice::<Value>(bytes)
        .map_err(|e| sim_error(StatusCode::BAD_REQUEST, &format!("invalid json: {e}")))
}

async fn sim_pay(State(sim): S, Path(number): Path<String>, body: Bytes) -> Response {
    let body = tryr!(loose_body(&body));
    match sim.mutate(|inner| wechat::pay(&sim, inner, &number, &body).map(|_| inner.data.order(&number).cloned())) {
        Ok(Some(o)) => ok_data(order_json(&o, true, &[], sim.cfg.mode)),
        Ok(None) => sim_error(StatusCode::NOT_FOUND, "invalid.order.id"),
        Err(m) if m == "invalid.order.id" => sim_error(StatusCode::NOT_FOUND, &m),
        Err(m) => sim_error(StatusCode::CONFLICT, &m),
    }
}

async fn sim_online_order(State(sim): S, body: Bytes) -> Response {
    let body = tryr!(loose_body(&body));
    match sim.mutate(|inner| create_online_order(&sim, inner, &body)) {
        Ok(o) => ok_data(order_json(&o, true, &[], sim.cfg.mode)),
        Err(m) => sim_error(StatusCode::BAD_REQUEST, &m),
    }
}

async fn get_faults(State(sim): S) -> Response {
    let f = sim.lock().faults.clone();
    json_response(StatusCode::OK, serde_json::to_value(f).unwrap_or(Value::Null))
}

async fn set_faults(State(sim): S, body: Bytes) -> Response {
    let v = tryr!(loose_body(&body));
    let patch: FaultsPatch = match serde_json::from_value(v) {
        Ok(p) => p,
        Err(e) => return sim_error(StatusCode::BAD_REQUEST, &format!("invalid faults: {e}")),
    };
    let f = sim.mutate(|inner| {
        if inner.faults.apply(&patch) {
            inner.fault_rng = crate::faults::FaultRng::new(inner.faults.seed);
        }
        if patch.expire_tokens_now {
            auth::expire_all(inner);
        }
        inner.faults.clone()
    });
    json_response(StatusCode::OK, serde_json::to_value(f).unwrap_or(Value::Null))
}

async fn sim_state(State(sim): S) -> Response {
    let g = sim.lock();
    let v = json!({
        "mode": sim.cfg.mode,
        "store_id": sim.cfg.store_id,
        "now": fmt_dt(g.now()),
        "orders": serde_json::to_value(&g.data.orders).unwrap_or(Value::Null),
        "services": serde_json::to_value(&g.data.services).unwrap_or(Value::Null),
        "codes": serde_json::to_value(&g.data.codes).unwrap_or(Value::Null),
    });
    json_response(StatusCode::OK, v)
}

async fn sim_reset(State(sim): S) -> Response {
    sim.reset();
    json_response(StatusCode::OK, json!({"status_code": 0, "message": "reset"}))
}

fn clock_json(now: chrono::DateTime<chrono::Utc>, offset: i64) -> Value {
    json!({"now": fmt_dt(now), "now_utc": now.to_rfc3339(), "offset_s": offset})
}

async fn get_clock(State(sim): S) -> Response {
    let g = sim.lock();
    json_response(StatusCode::OK, clock_json(g.now(), g.data.clock_offset_s))
}

async fn set_clock(State(sim): S, body: Bytes) -> Response {
    let v = tryr!(loose_body(&body));
    let Some(adv) = v.get("advance_s").and_then(Value::as_i64) else {
        return sim_error(StatusCode::BAD_REQUEST, "advance_s (integer seconds) required");
    };
    let (now, off) = sim.mutate(|inner| {
        inner.data.clock_offset_s = inner.data.clock_offset_s.saturating_add(adv.max(0));
        (inner.now(), inner.data.clock_offset_s)
    });
    json_response(StatusCode::OK, clock_json(now, off))
}

// ---- accounts and orders (field-mode tests) ---------------------------------------------

fn account_json(a: &Account) -> Value {
    json!({"username": a.username, "user_id": a.user_id})
}

async fn list_accounts(State(sim): S) -> Response {
    let g = sim.lock();
    ok_data(Value::Array(g.data.accounts.iter().map(account_json).collect()))
}

/// `POST /sim/accounts` `{"username","password","user_id"}`: another account of this store.
async fn add_account(State(sim): S, body: Bytes) -> Response {
    let v = tryr!(loose_body(&body));
    let username = v.get("username").and_then(Value::as_str).map(str::trim).unwrap_or_default().to_string();
    let password = v.get("password").and_then(Value::as_str).unwrap_or_default().to_string();
    let Some(user_id) = json_u64(v.get("user_id")) else {
        return sim_error(StatusCode::BAD_REQUEST, "user_id (integer) required");
    };
    if username.is_empty() || password.is_empty() {
        return sim_error(StatusCode::BAD_REQUEST, "username and password required");
    }
    let r = sim.mutate(|inner| {
        if inner.data.accounts.iter().any(|a| a.username == username) {
            return Err("account.exists");
        }
        if inner.data.accounts.iter().any(|a| a.user_id == user_id) {
            return Err("user_id.exists");
        }
        let a = Account { username: username.clone(), password: password.clone(), user_id };
        inner.data.accounts.push(a.clone());
        Ok(a)
    });
    match r {
        Ok(a) => ok_data(account_json(&a)),
        Err(m) => sim_error(StatusCode::CONFLICT, m),
    }
}

fn order_summary(o: &Order) -> Value {
    json!({
        "id": o.id,
        "order_number": o.order_number,
        "remark": o.remark,
        "status": o.status.as_str(),
        "type": o.order_type.as_str(),
        "account": o.account,
        "user_id": o.account_user_id,
        "store_id": o.store_id,
        "created_date": fmt_dt(o.created_date),
        "total_price": money(o.total_price),
    })
}

/// `GET /sim/orders` (= `/sim/orders/all`): every stored order in storage order, with its
/// internal id (duplicated numbers included).
async fn sim_orders(State(sim): S) -> Response {
    let g = sim.lock();
    json_response(StatusCode::OK, json!({"orders": g.data.orders.iter().map(order_summary).collect::<Vec<_>>()}))
}

/// `POST /sim/orders/{key}/status` `{"status":"CLOSED_CONFIRMED"}`: key = internal id, or
/// an order number (the first order stored with it).
async fn sim_order_status(State(sim): S, Path(key): Path<String>, body: Bytes) -> Response {
    let v = tryr!(loose_body(&body));
    let Some(status) = v.get("status").and_then(Value::as_str).and_then(OrderStatus::parse) else {
        return sim_error(StatusCode::BAD_REQUEST, "status (an order status) required");
    };
    let r = sim.mutate(|inner| {
        let now = inner.now();
        let by_id = key.trim().parse::<u64>().ok().and_then(|id| inner.data.orders.iter().position(|o| o.id == id));
        let idx = by_id.or_else(|| inner.data.orders.iter().position(|o| o.order_number == key))?;
        let o = &mut inner.data.orders[idx];
        o.step(status, "sim-set-status", now);
        Some(order_summary(o))
    });
    match r {
        Some(v) => ok_data(v),
        None => sim_error(StatusCode::NOT_FOUND, "invalid.order.id"),
    }
}
