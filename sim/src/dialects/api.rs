//! Seed 001: a mall's `/api/orders` dialect.
//!
//! What the document says and this simulator does:
//! * `GET /api/order-counts` → `wait_pay`, `wait_send`, `wait_receipt`.
//! * `GET /api/orders?status=wait|paid|shipped|completed|closed|apply&limit=20&offset=0`.
//! * `GET /api/orders/{id}` — the bare order object (no envelope, as documented).
//! * `DELETE /api/orders/{id}` — only `(status == 3 || 5 || 4) && refund_status == 0`.
//! * `PUT /api/orders/{id}/cancel` — only `status == 0`.
//! * `POST /api/orders/{id}/receipt` — only `status == 2`.
//! * `POST /api/orders/{id}/refund` — only `status == 1 || status == 3` (reason required).
//! * `DELETE /api/orders/{id}/refund` — only `refund_status == 1`.
//! * `GET /api/orders/{id}/logistics` — only `status == 2`.
//! * `POST /api/orders` — `num`, `sku_id`, `pay_type` (alipay|wxpay|sccb; sccb needs
//!   `pay_password`), `address_id`, `remark`, `merchant_id` → `order_id`.
//! * `GET /api/orders/{id}/status` → `{status: paid?}`; with `?mid=` the merchant's return
//!   address (the document lists both under the same path).
//! * Status numbers 0 待付款 1 已付款 2 已发货 3 已完成 4 已关闭 5 已分发奖励; `refund_status`
//!   0 未申请 1 申请中 2 退款成功 3 退款失败. Prices are strings with two decimals.
//!   Times are `yyyy-MM-dd HH:mm:ss` (Asia/Shanghai).
//!
//! Choices where the document is silent: a refused action answers HTTP 200
//! `{"msg":…, "code":1, "data":null}`; a missing or malformed parameter HTTP 422 with
//! `code` 422; an unknown order HTTP 404 `code` 404. `apply` lists every order with an
//! after-sales application (`refund_status != 0`). A refund may be applied again after it
//! failed (`refund_status == 3`). Lists are newest first.

// Early-return helpers hand back a ready axum Response; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use chrono::{DateTime, Utc};
use rand::Rng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{int_field, json_response, object_body, q_get, query_pairs, str_field, token_ok};
use crate::context::Sim;
use crate::money::{fmt_dt, fmt_dt_opt};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiOrder {
    pub id: u64,
    pub order_no: String,
    pub merchant_id: u64,
    pub sku_id: u64,
    pub spu_id: u64,
    pub spu_name: String,
    pub num: i64,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub price: Decimal,
    pub pay_type: String,
    pub remark: Option<String>,
    pub status: i64,
    pub refund_status: i64,
    pub refund_at: Option<DateTime<Utc>>,
    pub refund_info: Option<Value>,
    pub reason: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub send_at: Option<DateTime<Utc>>,
    pub receipt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted: bool,
}

fn price_text(d: Decimal) -> String {
    let mut d = d;
    d.rescale(2);
    d.to_string()
}

impl ApiOrder {
    pub fn total(&self) -> Decimal {
        self.price * Decimal::from(self.num)
    }

    pub fn to_json(&self) -> Value {
        let total = price_text(self.total());
        let shipped = self.send_at.is_some();
        json!({
            "id": self.id,
            "order_no": self.order_no,
            "user_id": 1,
            "merchant_id": self.merchant_id,
            "total_price": total,
            "pay_price": total,
            "token": "0.00",
            "paid_at": fmt_dt_opt(self.paid_at),
            "pay_type": self.pay_type,
            "receiving_address": {"area": "四川省成都市区", "name": "胡昊", "phone": "18382274309", "address": "环球中心"},
            "remark": self.remark,
            "refund_status": self.refund_status,
            "refund_at": fmt_dt_opt(self.refund_at),
            "refund_info": self.refund_info,
            "logistics": null,
            "send_at": fmt_dt_opt(self.send_at),
            "receipt_at": fmt_dt_opt(self.receipt_at),
            "express_code": if shipped { json!("jd") } else { Value::Null },
            "express_name": if shipped { json!("京东") } else { Value::Null },
            "express_no": if shipped { json!(format!("JD{:010}", self.id)) } else { Value::Null },
            "status": self.status,
            "extra": null,
            "reason": self.reason,
            "created_at": fmt_dt(self.created_at),
            "updated_at": fmt_dt(self.updated_at),
            "close_seconds": if self.status == 0 { 1800 } else { 0 },
            "spu_order": {
                "id": self.id, "spu_id": self.spu_id, "sku_id": self.sku_id, "order_id": self.id,
                "spu_name": self.spu_name, "spu_pic": "", "zone": "1", "attrs": [],
                "num": self.num, "price": price_text(self.price), "token": "0.00",
                "created_at": fmt_dt(self.created_at), "updated_at": fmt_dt(self.updated_at),
            },
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiData {
    pub next_id: u64,
    pub orders: Vec<ApiOrder>,
}

type S = State<Arc<Sim>>;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/api/order-counts", get(counts))
        .route("/api/orders", get(list).post(create))
        .route("/api/orders/{id}", get(detail).delete(remove))
        .route("/api/orders/{id}/cancel", put(cancel))
        .route("/api/orders/{id}/receipt", post(receipt))
        .route("/api/orders/{id}/refund", post(refund).delete(refund_withdraw))
        .route("/api/orders/{id}/logistics", get(logistics))
        .route("/api/orders/{id}/status", get(pay_status))
        .route("/sim/api/order", post(sim_order))
        .route("/sim/api/{id}/{what}", post(sim_move))
        .route("/sim/state", get(sim_state))
        .route(
            "/sim/reset",
            post(|State(sim): S| async move {
                sim.reset();
                ok("reset", Value::Null)
            }),
        )
        .route(
            "/sim/faults",
            get(|State(sim): S| async move { super::get_faults(&sim) })
                .post(|State(sim): S, b: Bytes| async move { super::set_faults(&sim, &b) }),
        )
        .route("/sim/clock", post(|State(sim): S, b: Bytes| async move { super::set_clock(&sim, &b) }))
        .fallback(|uri: Uri| async move { fail(StatusCode::NOT_FOUND, 404, &format!("not found: {}", uri.path())) })
        .with_state(sim)
}

fn ok(msg: &str, data: Value) -> Response {
    json_response(StatusCode::OK, json!({"msg": msg, "code": 0, "data": data}))
}

fn fail(st: StatusCode, code: i64, msg: &str) -> Response {
    json_response(st, json!({"msg": msg, "code": code, "data": null}))
}

fn refuse(msg: &str) -> Response {
    fail(StatusCode::OK, 1, msg)
}

macro_rules! tryr {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

fn auth(sim: &Sim, h: &HeaderMap) -> Result<(), Response> {
    if token_ok(sim, h) {
        Ok(())
    } else {
        Err(fail(StatusCode::UNAUTHORIZED, 401, "Unauthenticated."))
    }
}

fn id_of(s: &str) -> Result<u64, Response> {
    s.parse::<u64>().map_err(|_| fail(StatusCode::NOT_FOUND, 404, "订单不存在"))
}

async fn counts(State(sim): S, h: HeaderMap) -> Response {
    tryr!(auth(&sim, &h));
    let g = sim.lock();
    let live = g.data.dialects.api.orders.iter().filter(|o| !o.deleted);
    let (mut a, mut b, mut c) = (0, 0, 0);
    for o in live {
        match o.status {
            0 => a += 1,
            1 => b += 1,
            2 => c += 1,
            _ => {}
        }
    }
    ok("ok", json!({"wait_pay": a, "wait_send": b, "wait_receipt": c}))
}

/// Which list a named status selects.
pub fn in_list(name: &str, o: &ApiOrder) -> Option<bool> {
    Some(match name {
        "wait" => o.status == 0,
        "paid" => o.status == 1,
        "shipped" => o.status == 2,
        "completed" => o.status == 3 || o.status == 5,
        "closed" => o.status == 4,
        "apply" => o.refund_status != 0,
        _ => return None,
    })
}

async fn list(State(sim): S, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    tryr!(auth(&sim, &h));
    let q = query_pairs(raw.as_deref());
    let Some(name) = q_get(&q, "status") else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "status 不能为空");
    };
    let limit = match q_get(&q, "limit").map(str::parse::<usize>) {
        None => 20,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        _ => return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "limit 必须是 1 到 100 的整数"),
    };
    let offset = match q_get(&q, "offset").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        _ => return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "offset 必须是整数"),
    };
    let g = sim.lock();
    let mut rows = vec![];
    for o in g.data.dialects.api.orders.iter().rev().filter(|o| !o.deleted) {
        match in_list(name, o) {
            None => return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "status 不正确"),
            Some(true) => rows.push(o),
            Some(false) => {}
        }
    }
    let page: Vec<Value> = rows.into_iter().skip(offset).take(limit).map(ApiOrder::to_json).collect();
    ok("ok", Value::Array(page))
}

async fn detail(State(sim): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    tryr!(auth(&sim, &h));
    let id = tryr!(id_of(&id));
    let g = sim.lock();
    match g.data.dialects.api.orders.iter().find(|o| o.id == id && !o.deleted) {
        // Documented: the bare object, no envelope.
        Some(o) => json_response(StatusCode::OK, o.to_json()),
        None => fail(StatusCode::NOT_FOUND, 404, "订单不存在"),
    }
}

/// Mutate one order; `f` answers Err(message) to refuse (code 1).
fn with_order(
    sim: &Sim,
    id: &str,
    f: impl FnOnce(&mut ApiOrder, DateTime<Utc>) -> Result<(), String>,
) -> Result<ApiOrder, Response> {
    let id = id_of(id)?;
    sim.mutate(|inner| {
        let now = inner.now();
        let Some(o) = inner.data.dialects.api.orders.iter_mut().find(|o| o.id == id && !o.deleted) else {
            return Err(fail(StatusCode::NOT_FOUND, 404, "订单不存在"));
        };
        let mut c = o.clone();
        f(&mut c, now).map_err(|m| refuse(&m))?;
        c.updated_at = now;
        *o = c.clone();
        Ok(c)
    })
}

async fn remove(State(sim): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    tryr!(auth(&sim, &h));
    tryr!(with_order(&sim, &id, |o, _| {
        if matches!(o.status, 3..=5) && o.refund_status == 0 {
            o.deleted = true;
            Ok(())
        } else {
            Err("只有已关闭或者已完成订单可以进行删除".into())
        }
    }));
    ok("删除成功", Value::Null)
}

async fn cancel(State(sim): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    tryr!(auth(&sim, &h));
    tryr!(with_order(&sim, &id, |o, _| {
        if o.status != 0 {
            return Err("只有待支付订单才能进行取消".into());
        }
        o.status = 4;
        o.reason = Some("用户取消".into());
        Ok(())
    }));
    ok("取消成功", Value::Null)
}

async fn receipt(State(sim): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    tryr!(auth(&sim, &h));
    tryr!(with_order(&sim, &id, |o, now| {
        if o.status != 2 {
            return Err("只有已发货的订单才能确认收货".into());
        }
        o.status = 3;
        o.receipt_at = Some(now);
        Ok(())
    }));
    ok("确认收货成功", Value::Null)
}

async fn refund(State(sim): S, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let Some(v) = object_body(&b) else { return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "请求格式不正确") };
    let Some(reason) = str_field(&v, "reason") else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "reason 不能为空");
    };
    let info = json!({
        "reason": reason,
        "remark": v.get("remark").cloned().unwrap_or(Value::Null),
        "vouchers": v.get("vouchers").cloned().unwrap_or(json!([])),
        "express_code": v.get("express_code").cloned().unwrap_or(Value::Null),
        "express_name": v.get("express_name").cloned().unwrap_or(Value::Null),
        "express_no": v.get("express_no").cloned().unwrap_or(Value::Null),
        "express_vouchers": v.get("express_vouchers").cloned().unwrap_or(json!([])),
    });
    tryr!(with_order(&sim, &id, |o, now| {
        if !(o.status == 1 || o.status == 3) {
            return Err("只有未收货/待发货才能申请退款/退货".into());
        }
        if !(o.refund_status == 0 || o.refund_status == 3) {
            return Err("已申请售后".into());
        }
        o.refund_status = 1;
        o.refund_at = Some(now);
        o.refund_info = Some(info);
        Ok(())
    }));
    ok("提交成功", Value::Null)
}

async fn refund_withdraw(State(sim): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    tryr!(auth(&sim, &h));
    tryr!(with_order(&sim, &id, |o, _| {
        if o.refund_status != 1 {
            return Err("只有申请中订单才能撤销".into());
        }
        o.refund_status = 0;
        o.refund_at = None;
        Ok(())
    }));
    ok("撤销成功", Value::Null)
}

async fn logistics(State(sim): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    tryr!(auth(&sim, &h));
    let id = tryr!(id_of(&id));
    let g = sim.lock();
    match g.data.dialects.api.orders.iter().find(|o| o.id == id && !o.deleted) {
        Some(o) if o.status == 2 => ok("", json!([{"time": fmt_dt_opt(o.send_at), "context": "您的订单已出库"}])),
        Some(_) => refuse("只有已发货的订单才能查看物流"),
        None => fail(StatusCode::NOT_FOUND, 404, "订单不存在"),
    }
}

async fn pay_status(State(sim): S, h: HeaderMap, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Response {
    tryr!(auth(&sim, &h));
    let id = tryr!(id_of(&id));
    let q = query_pairs(raw.as_deref());
    let g = sim.lock();
    let Some(o) = g.data.dialects.api.orders.iter().find(|o| o.id == id && !o.deleted) else {
        return fail(StatusCode::NOT_FOUND, 404, "订单不存在");
    };
    if q_get(&q, "mid").is_some() {
        return ok(
            "ok",
            json!({"consignee": sim.cfg.store_name, "tel": "02888888888", "address": "四川成都", "description": "请保持商品完好"}),
        );
    }
    ok("获取订单状态", json!({"status": o.paid_at.is_some()}))
}

fn new_order(
    sim: &Sim,
    inner: &mut crate::context::Inner,
    sku_id: u64,
    num: i64,
    pay_type: &str,
    remark: Option<String>,
    merchant_id: u64,
) -> Result<ApiOrder, String> {
    let p = sim.product(sku_id).ok_or_else(|| format!("SKU {sku_id} 不存在"))?;
    let id = inner.data.dialects.api.next_id.max(1);
    inner.data.dialects.api.next_id = id + 1;
    let now = inner.now();
    let tail: u32 = inner.rng.random_range(0..1_000_000);
    let o = ApiOrder {
        id,
        order_no: format!("{}{}{tail:06}", now.timestamp(), id % 10),
        merchant_id,
        sku_id,
        spu_id: p.id,
        spu_name: p.name.clone(),
        num,
        price: p.price,
        pay_type: pay_type.into(),
        remark,
        status: 0,
        refund_status: 0,
        refund_at: None,
        refund_info: None,
        reason: None,
        paid_at: None,
        send_at: None,
        receipt_at: None,
        created_at: now,
        updated_at: now,
        deleted: false,
    };
    inner.data.dialects.api.orders.push(o.clone());
    Ok(o)
}

async fn create(State(sim): S, h: HeaderMap, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let Some(v) = object_body(&b) else { return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "请求格式不正确") };
    let Some(num) = int_field(&v, "num").filter(|n| (1..=9999).contains(n)) else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "num 不正确");
    };
    let Some(sku) = int_field(&v, "sku_id").and_then(|s| u64::try_from(s).ok()) else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "sku_id 不能为空");
    };
    let pay_type = match str_field(&v, "pay_type").as_deref() {
        Some(p @ ("alipay" | "wxpay" | "sccb")) => p.to_string(),
        _ => return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "pay_type 不正确"),
    };
    if pay_type == "sccb" && str_field(&v, "pay_password").is_none() {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "pay_password 不能为空");
    }
    if int_field(&v, "address_id").is_none() {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, 422, "address_id 不能为空");
    }
    let merchant = int_field(&v, "merchant_id").and_then(|m| u64::try_from(m).ok()).unwrap_or(0);
    let remark = v.get("remark").and_then(Value::as_str).map(str::to_string);
    let r = sim.mutate(|inner| new_order(&sim, inner, sku, num, &pay_type, remark, merchant));
    match r {
        Ok(o) => ok(
            "",
            json!({"alipay_result": if pay_type == "alipay" { json!(format!("alipay_sdk=sim&order={}", o.order_no)) } else { Value::Null },
                                "wxpay_result": if pay_type == "wxpay" { json!({"app_id": "wxsim"}) } else { Value::Null },
                                "order_id": o.id}),
        ),
        Err(m) => refuse(&m),
    }
}

// ---- control --------------------------------------------------------------------------------

/// `POST /sim/api/order` `{sku_id?, num?, status?, refund_status?, remark?}`: an order as
/// if a customer had placed it (and it had moved to `status`). Any status number is
/// accepted, to play undocumented ones.
async fn sim_order(State(sim): S, b: Bytes) -> Response {
    let v = object_body(&b).unwrap_or_else(|| json!({}));
    let r = sim.mutate(|inner| {
        let sku = match int_field(&v, "sku_id").and_then(|s| u64::try_from(s).ok()) {
            Some(s) => s,
            None => sim.catalog[inner.rng.random_range(0..sim.catalog.len())].id,
        };
        let num = int_field(&v, "num").unwrap_or(1).clamp(1, 999);
        let mut o =
            new_order(&sim, inner, sku, num, "wxpay", v.get("remark").and_then(Value::as_str).map(str::to_string), 0)?;
        let status = int_field(&v, "status").unwrap_or(0);
        let now = inner.now();
        o.status = status;
        if status != 0 && status != 4 {
            o.paid_at = Some(now);
        }
        if matches!(status, 2 | 3 | 5) {
            o.send_at = Some(now);
        }
        if matches!(status, 3 | 5) {
            o.receipt_at = Some(now);
        }
        o.refund_status = int_field(&v, "refund_status").unwrap_or(0);
        if let Some(x) = inner.data.dialects.api.orders.iter_mut().find(|x| x.id == o.id) {
            *x = o.clone();
        }
        Ok::<_, String>(o)
    });
    match r {
        Ok(o) => ok("ok", o.to_json()),
        Err(m) => refuse(&m),
    }
}

/// `POST /sim/api/{id}/{pay|ship|refund-ok|refund-fail|status}`: the platform's own moves.
async fn sim_move(State(sim): S, Path((id, what)): Path<(String, String)>, b: Bytes) -> Response {
    let v = object_body(&b).unwrap_or_else(|| json!({}));
    let r = with_order(&sim, &id, |o, now| {
        match what.as_str() {
            "pay" if o.status == 0 => {
                o.status = 1;
                o.paid_at = Some(now);
            }
            "ship" if o.status == 1 => {
                o.status = 2;
                o.send_at = Some(now);
            }
            "refund-ok" if o.refund_status == 1 => {
                o.refund_status = 2;
                o.status = 4;
                o.reason = Some("退款成功".into());
            }
            "refund-fail" if o.refund_status == 1 => o.refund_status = 3,
            "status" => o.status = int_field(&v, "status").unwrap_or(o.status),
            _ => return Err(format!("{what} not possible now")),
        }
        Ok(())
    });
    match r {
        Ok(o) => ok("ok", o.to_json()),
        Err(r) => r,
    }
}

async fn sim_state(State(sim): S) -> Response {
    let g = sim.lock();
    json_response(StatusCode::OK, serde_json::to_value(&g.data.dialects.api).unwrap_or(Value::Null))
}
