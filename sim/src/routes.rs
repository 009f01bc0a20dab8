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
use crate::orders::{apply_action, build_items, counts, filter_orders, is_blank, json_u64, new_order_number, order_json, page, LineError, Params, PutOutcome};
use crate::state::{DeliveryType, Order, OrderStatus, OrderType, StatusChange};
use crate::wechat;

type S = State<Arc<Sim>>;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/rest/login", post(login))
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
        .route("/sim/state", get(sim_state))
        .route("/sim/reset", post(sim_reset))
        .route("/sim/clock", get(get_clock).post(set_clock))
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

async fn not_found(State(sim): S, uri: Uri) -> Response {
    match sim.cfg.mode {
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

fn authorize(sim: &Sim, headers: &HeaderMap) -> Result<(), Response> {
    let h = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let g = sim.lock();
    auth::check(sim, &g, h).map_err(|e| match sim.cfg.mode {
        Mode::Field => json_response(StatusCode::UNAUTHORIZED, json!({"status_code": 401, "message": e.message()})),
        Mode::Documented => fail(e.message()),
    })
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
    match sim.mutate(|inner| auth::login(&sim, inner, &body)) {
        Ok(token) => ok_data(json!({"access_token": token})),
        Err(m) => fail(&m),
    }
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
    let _ = sim;
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
    let (n, size) = p.paging(50);
    ok_data(Value::Array(rows.into_iter().skip((n - 1) * size).take(size).collect()))
}

pub(crate) async fn product(State(sim): S, Path(id): Path<String>, uri: Uri) -> Response {
    match id.trim().parse::<u64>().ok().and_then(|id| sim.product(id)) {
        Some(p) => ok_data(product_json(&sim, p, true)),
        None => match sim.cfg.mode {
            Mode::Field if id.trim().parse::<u64>().is_err() => html(404, uri.path()),
            _ => fail("invalid.product.id"),
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
        .filter(|x| code.is_none_or(|c| x.barcode == c.trim()))
        .map(|x| product_json(&sim, x, false))
        .collect();
    let (n, size) = p.paging(50);
    ok_data(Value::Array(rows.into_iter().skip((n - 1) * size).take(size).collect()))
}

// ---- store orders ----------------------------------------------------------------------

async fn create_order(State(sim): S, headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
    tryr!(authorize(&sim, &headers));
    let body = tryr!(body_json(&sim, uri.path(), &body));
    let mode = sim.cfg.mode;
    let required: &[&str] = match mode {
        Mode::Documented => &["store_id", "store_name", "order_items"],
        Mode::Field => &["store_id", "order_items"],
    };
    for f in required {
        if is_blank(body.get(*f)) {
            return fail(&format!("{f}参数不能为空"));
        }
    }
    // Field mode: every other failure reads the same.
    let failure = |m: &str| match mode {
        Mode::Field => fail("新建订单失败 - 库存不足"),
        Mode::Documented => fail(m),
    };
    if json_u64(body.get("store_id")) != Some(sim.cfg.store_id) {
        return failure("invalid.store.id");
    }
    let Some(lines) = body.get("order_items").and_then(Value::as_array).cloned() else {
        return failure("invalid.order_items");
    };
    let result = sim.mutate(|inner| {
        let now = inner.now();
        let next_id = inner.data.next_order_id;
        let next_item = inner.data.next_item_id;
        let id = inner.data.alloc_order_id();
        let (items, total) = match build_items(&sim, inner, &lines, id) {
            Ok(x) => x,
            Err(e) => {
                // Nothing committed: give the ids back.
                inner.data.next_order_id = next_id;
                inner.data.next_item_id = next_item;
                return Err(e);
            }
        };
        let order = Order {
            id,
            order_number: new_order_number(inner, now),
            order_type: OrderType::StoreOrder,
            delivery_type: DeliveryType::SelfPick,
            payment_type: "STORE".into(),
            status: OrderStatus::CreatedPayPending,
            previous_status: None,
            store_id: Some(sim.cfg.store_id),
            original_store_id: sim.cfg.store_id,
            store_name: match mode {
                Mode::Field => None, // the real server ignores store_name
                Mode::Documented => body.get("store_name").and_then(Value::as_str).map(str::to_string),
            },
            store_user_id: Some("1".into()),
            store_user_name: Some(sim.cfg.username.clone()),
            user_id: 1,
            user_name: sim.cfg.username.clone(),
            contact_user: String::new(),
            phone: String::new(),
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
        };
        inner.data.orders.push(order.clone());
        Ok(order)
    });
    match result {
        Ok(order) => ok_data(order_json(&order, true, &[])),
        Err(LineError::Missing(f)) => fail(&format!("{f}参数不能为空")),
        Err(LineError::Invalid(m)) => failure(&m),
    }
}

async fn update_order(State(sim): S, headers: HeaderMap, uri: Uri, Path(number): Path<String>, body: Bytes) -> Response {
    tryr!(authorize(&sim, &headers));
    let body = tryr!(body_json(&sim, uri.path(), &body));
    let mode = sim.cfg.mode;
    for f in ["store_id", "action"] {
        if is_blank(body.get(f)) {
            return fail(&format!("{f}参数不能为空"));
        }
    }
    let success = || match mode {
        Mode::Field => ok_msg("更新订单成功！"),
        Mode::Documented => ok_msg("更新订单成功"),
    };
    let action = body.get("action").and_then(Value::as_str).unwrap_or_default().to_string();
    let store_ok = json_u64(body.get("store_id")) == Some(sim.cfg.store_id);
    let outcome = sim.mutate(|inner| {
        if inner.faults.lying_put {
            return Some(PutOutcome::Skipped);
        }
        let now = inner.now();
        let auto = inner.faults.flash_auto_deliver;
        let store = sim.cfg.store_id;
        let order = inner.data.order_mut(&number).filter(|o| o.store_id == Some(store))?;
        if !store_ok {
            return Some(PutOutcome::Refused("invalid.store.id".into()));
        }
        Some(apply_action(order, &action, mode, auto, now))
    });
    match (outcome, mode) {
        (None, Mode::Field) => html(500, uri.path()),
        (None, Mode::Documented) => fail("invalid.order.id"),
        (Some(PutOutcome::Refused(m)), _) => fail(&m),
        (Some(_), _) => success(),
    }
}

async fn order_detail(State(sim): S, headers: HeaderMap, uri: Uri, Path(number): Path<String>) -> Response {
    tryr!(authorize(&sim, &headers));
    let g = sim.lock();
    match g.data.order(&number) {
        Some(o) if o.store_id == Some(sim.cfg.store_id) => ok_data(order_json(o, true, &g.data.services)),
        // The order left the store (FLASH reject) or belongs to another one.
        Some(_) if sim.cfg.mode == Mode::Field => html(404, uri.path()),
        _ => fail("invalid.order.id"),
    }
}

fn store_param(sim: &Sim, p: &Params) -> Result<u64, Response> {
    match (p.get("storeId"), sim.cfg.mode) {
        (Some(s), _) => Ok(s.trim().parse::<u64>().unwrap_or(u64::MAX)),
        (None, Mode::Field) => Ok(sim.cfg.store_id),
        (None, Mode::Documented) => Err(fail("storeId参数不能为空")),
    }
}

async fn list_orders(State(sim): S, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    tryr!(authorize(&sim, &headers));
    let p = Params::parse(q.as_deref());
    let store = tryr!(store_param(&sim, &p));
    if sim.cfg.mode == Mode::Documented && p.get("type").is_none() {
        return fail("type参数不能为空");
    }
    let (n, size) = p.paging(30);
    let g = sim.lock();
    let rows: Vec<Value> =
        filter_orders(&g.data.orders, &p, sim.cfg.mode, store).into_iter().map(|o| order_json(o, false, &[])).collect();
    ok_data(page(rows, n, size))
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
    }
}

async fn list_after_sales(State(sim): S, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    tryr!(authorize(&sim, &headers));
    let p = Params::parse(q.as_deref());
    let (n, size) = p.paging(30);
    let g = sim.lock();
    let rows: Vec<Value> = filter_services(&g.data.services, &p)
        .into_iter()
        .filter(|s| s.store_id == sim.cfg.store_id.to_string())
        .map(service_row)
        .collect();
    ok_data(page(rows, n, size))
}

async fn after_sales_detail(State(sim): S, headers: HeaderMap, Path(number): Path<String>) -> Response {
    tryr!(authorize(&sim, &headers));
    let g = sim.lock();
    let store = sim.cfg.store_id.to_string();
    match g.data.services.iter().find(|s| s.service_number == number && s.store_id == store) {
        Some(s) => {
            let order = s.order_id.and_then(|id| g.data.orders.iter().find(|o| o.id == id));
            ok_data(service_detail(s, order, &g.data.services))
        }
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
    match sim.mutate(|inner| wechat::push_order(&sim, inner, &body)) {
        Ok(data) => ok_data(data),
        Err(m) => fail(&m),
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
    serde_json::from_slice::<Value>(bytes).map_err(|e| sim_error(StatusCode::BAD_REQUEST, &format!("invalid json: {e}")))
}

async fn sim_pay(State(sim): S, Path(number): Path<String>, body: Bytes) -> Response {
    let body = tryr!(loose_body(&body));
    match sim.mutate(|inner| wechat::pay(&sim, inner, &number, &body).map(|_| inner.data.order(&number).cloned())) {
        Ok(Some(o)) => ok_data(order_json(&o, true, &[])),
        Ok(None) => sim_error(StatusCode::NOT_FOUND, "invalid.order.id"),
        Err(m) if m == "invalid.order.id" => sim_error(StatusCode::NOT_FOUND, &m),
        Err(m) => sim_error(StatusCode::CONFLICT, &m),
    }
}

async fn sim_online_order(State(sim): S, body: Bytes) -> Response {
    let body = tryr!(loose_body(&body));
    match sim.mutate(|inner| create_online_order(&sim, inner, &body)) {
        Ok(o) => ok_data(order_json(&o, true, &[])),
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
