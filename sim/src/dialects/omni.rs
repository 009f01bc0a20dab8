//! Seed 004: the omnichannel order center (全渠道订单同步接口).
//!
//! What the document says and this simulator does:
//! * `GET /orders` (user list, `status` 0 全部 1 待发货 2 待收货 3 待评价 4 待付款, `page`,
//!   `per_page`), `GET /master/orders` (merchant list, `status` 1 待发货 2 已发货 3 已完成
//!   4 已取消, `no_pay=0` 未付款, `create_at`, `search`, `page`, `per_page`).
//! * `GET /orders/<rid>`, `POST /orders/create` (201 "All created."), `GET /orders/freight`,
//!   `PUT /orders/<rid>/seller_remark`, `POST /orders/up_paid_status`,
//!   `POST /orders/check_order_paid`, `POST /orders/signed`, `POST /orders/cancel`
//!   (`from_client` 1 merchant / 2 consumer), the `up_*_status` walk, `DELETE /orders/delete`,
//!   `DELETE /master/orders/delete`.
//! * Statuses are numbers: 5 待付款, 10 待发货, 12 配货中, 13 待打印, 16 已发货, 20 已签收,
//!   30 已完成, 40 待评分, 45 评分完成. Times are unix seconds. Money is a JSON number.
//! * Errors: `{"status":{"code":400,"message":…},"success":false}` with that HTTP status.
//!
//! Where the document is silent, the choices made here (a client must not rely on more):
//! * A status move must go forward along 5 → 10 → 12 → 13 → 16 → 20 → 30 → 40 → 45 (steps
//!   may be skipped); repeating the current status or going back answers 400 订单状态错误.
//!   Anything from 10 on needs the order paid (`up_paid_status`, which also moves 5 → 10).
//! * The document gives no number for a cancelled order: this simulator answers
//!   [`CANCELED`] (90). Clients must learn cancellation from `/master/orders?status=4`.
//!   Cancelling twice answers 400 订单已取消.
//! * `outside_target_id` is stored but not unique: sending a create twice makes two orders.
//! * `search` on `/master/orders` matches the order's rid, its `outside_target_id`, or a
//!   product name (substring).
//! * List answers are `data: {"orders": [...], "count", "prev", "next"}` (the document's
//!   `order_list.js` was not included); newest first.

// Early-return helpers hand back a ready axum Response; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::Router;
use rand::Rng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{int_field, json_response, object_body, q_get, query_pairs, str_field, token_ok};
use crate::context::Sim;
use crate::money::money;

/// The walk, in order.
pub const WALK: [i64; 9] = [5, 10, 12, 13, 16, 20, 30, 40, 45];
/// What a cancelled order shows (undocumented).
pub const CANCELED: i64 = 90;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OmniItem {
    pub rid: String,
    pub product_name: String,
    pub quantity: i64,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub price: Decimal,
    pub express: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OmniOrder {
    pub rid: String,
    pub outside_target_id: Option<String>,
    pub from_client: i64,
    pub store_rid: String,
    pub status: i64,
    pub paid: bool,
    pub canceled_by: Option<i64>,
    pub ship_mode: i64,
    pub remark: Option<String>,
    pub buyer_remark: Option<String>,
    pub buyer_name: String,
    pub buyer_phone: String,
    pub created_at: i64,
    pub payed_at: i64,
    pub received_at: i64,
    pub items: Vec<OmniItem>,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub freight: Decimal,
    pub user_deleted: bool,
    pub master_deleted: bool,
    /// Every status set, with the sim time (for tests and `/sim/state`).
    pub history: Vec<(i64, i64)>,
}

impl OmniOrder {
    pub fn total_amount(&self) -> Decimal {
        self.items.iter().map(|i| i.price * Decimal::from(i.quantity)).sum()
    }

    pub fn to_json(&self, store_name: &str) -> Value {
        let total = self.total_amount();
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|i| {
                json!({
                    "commission_price": 0, "commission_rate": 0,
                    "cover": "",
                    "deal_price": money(i.price),
                    "express": i.express, "express_at": 0, "express_no": null,
                    "id_code": i.rid, "mode": "",
                    "price": money(i.price),
                    "product_name": i.product_name,
                    "quantity": i.quantity,
                    "rid": i.rid,
                    "s_color": "", "s_model": "", "s_weight": 0,
                    "sale_price": money(i.price),
                    "stock_count": 999,
                })
            })
            .collect();
        let mut v = json!({
            "buyer_address": if self.ship_mode == 2 { "到店自提" } else { "青年路" },
            "buyer_city": "上海", "buyer_country": "中国", "buyer_province": "上海",
            "buyer_name": self.buyer_name,
            "buyer_phone": self.buyer_phone,
            "buyer_tel": self.buyer_phone,
            "buyer_zipcode": "200000",
            "buyer_remark": self.buyer_remark,
            "blessing_utterance": null,
            "coupon_amount": 0,
            "created_at": self.created_at,
            "customer_order_id": null,
            "discount_amount": 0,
            "first_discount": 0,
            "freight": money(self.freight),
            "official_order_id": null,
            "outside_target_id": self.outside_target_id,
            "pay_amount": money(total + self.freight),
            "reach_minus": 0,
            "distributed": false,
            "remark": self.remark,
            "rid": self.rid,
            "ship_mode": self.ship_mode,
            "status": self.status,
            "store_name": store_name,
            "total_amount": money(total),
            "total_quantity": self.items.iter().map(|i| i.quantity).sum::<i64>(),
            "payed_at": self.payed_at,
            "received_at": self.received_at,
        });
        v["items"] = Value::Array(items);
        v
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OmniData {
    pub orders: Vec<OmniOrder>,
}

type S = State<Arc<Sim>>;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/orders", get(user_list))
        .route("/master/orders", get(master_list))
        .route("/orders/freight", get(freight))
        .route("/orders/create", post(create))
        .route("/orders/up_paid_status", post(up_paid))
        .route("/orders/check_order_paid", post(check_paid))
        .route("/orders/signed", post(signed))
        .route("/orders/cancel", post(cancel))
        .route("/orders/up_pending_shipment_status", post(|s: S, h: HeaderMap, b: Bytes| walk(s, h, b, 10)))
        .route("/orders/up_distribution_status", post(|s: S, h: HeaderMap, b: Bytes| walk(s, h, b, 12)))
        .route("/orders/up_pending_print_status", post(|s: S, h: HeaderMap, b: Bytes| walk(s, h, b, 13)))
        .route("/orders/up_shipped_status", post(|s: S, h: HeaderMap, b: Bytes| walk(s, h, b, 16)))
        .route("/orders/up_pending_rating_status", post(|s: S, h: HeaderMap, b: Bytes| walk(s, h, b, 40)))
        .route("/orders/up_rated_status", post(|s: S, h: HeaderMap, b: Bytes| walk(s, h, b, 45)))
        .route("/orders/up_finished_status", post(|s: S, h: HeaderMap, b: Bytes| walk(s, h, b, 30)))
        .route("/orders/delete", delete(user_delete))
        .route("/master/orders/delete", delete(master_delete))
        .route("/orders/{rid}", get(detail))
        .route("/orders/{rid}/seller_remark", put(seller_remark))
        .route("/sim/omni/merchant-order", post(sim_merchant_order))
        .route("/sim/state", get(sim_state))
        .route(
            "/sim/reset",
            post(|State(sim): S| async move {
                sim.reset();
                ok(200, "reset", None)
            }),
        )
        .route(
            "/sim/faults",
            get(|State(sim): S| async move { super::get_faults(&sim) })
                .post(|State(sim): S, b: Bytes| async move { super::set_faults(&sim, &b) }),
        )
        .route("/sim/clock", post(|State(sim): S, b: Bytes| async move { super::set_clock(&sim, &b) }))
        .fallback(|uri: Uri| async move { err(404, &format!("Not Found: {}", uri.path())) })
        .with_state(sim)
}

// ---- envelope -----------------------------------------------------------------------------

pub fn err(code: u16, message: &str) -> Response {
    let st = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(st, json!({"status": {"code": code, "message": message}, "success": false}))
}

fn ok(code: u16, message: &str, data: Option<Value>) -> Response {
    let st = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    let mut v = json!({"status": {"code": code, "message": message}, "success": true});
    if let Some(d) = data {
        v["data"] = d;
    }
    json_response(st, v)
}

fn ok_data(data: Value) -> Response {
    ok(200, "Ok all right.", Some(data))
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
        Err(err(401, "Unauthorized: token missing or invalid"))
    }
}

fn body(b: &Bytes) -> Result<Value, Response> {
    object_body(b).ok_or_else(|| err(400, "请求数据格式错误"))
}

fn rid_of(v: &Value) -> Result<String, Response> {
    str_field(v, "rid").ok_or_else(|| err(400, "rid参数不能为空"))
}

fn walk_index(code: i64) -> Option<usize> {
    WALK.iter().position(|c| *c == code)
}

// ---- lists ----------------------------------------------------------------------------------

fn paged(sim: &Sim, q: &[(String, String)], keep: impl Fn(&OmniOrder) -> bool) -> Response {
    let page = q_get(q, "page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).max(1);
    let per = q_get(q, "per_page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(10).clamp(1, 100);
    let g = sim.lock();
    let all: Vec<&OmniOrder> = g.data.dialects.omni.orders.iter().rev().filter(|o| keep(o)).collect();
    let count = all.len();
    let rows: Vec<Value> =
        all.iter().skip((page - 1) * per).take(per).map(|o| o.to_json(&sim.cfg.store_name)).collect();
    ok_data(json!({"orders": rows, "count": count, "prev": page > 1, "next": page * per < count}))
}

async fn user_list(State(sim): S, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    tryr!(auth(&sim, &h));
    let q = query_pairs(raw.as_deref());
    let status = match q_get(&q, "status").map(str::parse::<i64>) {
        None => 0,
        Some(Ok(s)) if (0..=4).contains(&s) => s,
        _ => return err(400, "订单状态错误"),
    };
    paged(&sim, &q, |o| {
        !o.user_deleted
            && match status {
                1 => matches!(o.status, 10 | 12 | 13),
                2 => o.status == 16,
                3 => matches!(o.status, 20 | 40),
                4 => o.status == 5,
                _ => true,
            }
    })
}

/// The merchant list bucket of an order (1 待发货 2 已发货 3 已完成 4 已取消), or None
/// when unpaid.
pub fn master_bucket(o: &OmniOrder) -> Option<i64> {
    if o.status == CANCELED {
        return Some(4);
    }
    match o.status {
        10 | 12 | 13 => Some(1),
        16 | 20 => Some(2),
        30 | 40 | 45 => Some(3),
        _ => None,
    }
}

async fn master_list(State(sim): S, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    tryr!(auth(&sim, &h));
    let q = query_pairs(raw.as_deref());
    let status = match q_get(&q, "status").map(str::parse::<i64>) {
        None => None,
        Some(Ok(s)) if (1..=4).contains(&s) => Some(s),
        _ => return err(400, "订单状态错误"),
    };
    let no_pay = q_get(&q, "no_pay").is_some();
    let search = q_get(&q, "search").map(str::to_string);
    let day = q_get(&q, "create_at").map(str::to_string);
    paged(&sim, &q, |o| {
        if o.master_deleted {
            return false;
        }
        if let Some(s) = status {
            if master_bucket(o) != Some(s) {
                return false;
            }
        }
        if no_pay && (o.paid || o.status == CANCELED) {
            return false;
        }
        if let Some(s) = &search {
            let hit = o.rid == *s
                || o.outside_target_id.as_deref() == Some(s.as_str())
                || o.items.iter().any(|i| i.product_name.contains(s.as_str()));
            if !hit {
                return false;
            }
        }
        if let Some(d) = &day {
            let on = chrono::DateTime::from_timestamp(o.created_at, 0)
                .map(|t| t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            if &on != d {
                return false;
            }
        }
        true
    })
}

async fn freight(State(sim): S, h: HeaderMap) -> Response {
    tryr!(auth(&sim, &h));
    ok_data(json!({"freight": 0}))
}

async fn detail(State(sim): S, h: HeaderMap, Path(rid): Path<String>) -> Response {
    tryr!(auth(&sim, &h));
    let g = sim.lock();
    match g.data.dialects.omni.orders.iter().find(|o| o.rid == rid) {
        Some(o) => ok_data(o.to_json(&sim.cfg.store_name)),
        None => err(404, "Not Found"),
    }
}

// ---- create ---------------------------------------------------------------------------------

fn new_rid(inner: &mut crate::context::Inner) -> String {
    let d = inner.now().with_timezone(&chrono_tz::Asia::Shanghai).format("%y%m%d").to_string();
    let n: u32 = inner.rng.random_range(0..100_000_000);
    format!("D{d}{n:08}")
}

/// Resolve a sku: `"<product id>"` or `"<product id>-<specification id>"`.
fn sku(sim: &Sim, rid: &str) -> Option<(String, Decimal)> {
    let (p, s) = match rid.split_once('-') {
        Some((p, s)) => (p.parse::<u64>().ok()?, Some(s.parse::<u64>().ok()?)),
        None => (rid.parse::<u64>().ok()?, None),
    };
    let prod = sim.product(p)?;
    match s {
        None => Some((prod.name.clone(), prod.price)),
        Some(sid) => {
            let sp = prod.specifications.iter().find(|x| x.id == sid)?;
            Some((format!("{}({})", prod.name, sp.name), sp.price))
        }
    }
}

fn parse_items(sim: &Sim, store: &Value) -> Result<Vec<OmniItem>, Response> {
    let items = store
        .get("items")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| err(400, "items参数不能为空"))?;
    let mut out = vec![];
    for it in items {
        let rid = str_field(it, "rid").ok_or_else(|| err(400, "rid参数不能为空"))?;
        let quantity = match it.get("quantity") {
            None => 1,
            Some(_) => int_field(it, "quantity")
                .filter(|q| (1..=99_999).contains(q))
                .ok_or_else(|| err(400, "quantity参数错误"))?,
        };
        let express = int_field(it, "express_id").ok_or_else(|| err(400, "express_id参数不能为空"))?;
        let (product_name, price) = sku(sim, &rid).ok_or_else(|| err(400, &format!("商品[{rid}]不存在")))?;
        out.push(OmniItem { rid, product_name, quantity, price, express });
    }
    Ok(out)
}

async fn create(State(sim): S, h: HeaderMap, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let v = tryr!(body(&b));
    if str_field(&v, "address_rid").is_none() {
        return err(400, "address_rid参数不能为空");
    }
    let from_client = match v.get("from_client") {
        None | Some(Value::Null) => 1,
        Some(_) => match int_field(&v, "from_client") {
            Some(c) if (1..=6).contains(&c) => c,
            _ => return err(400, "from_client参数错误"),
        },
    };
    let ship_mode = match v.get("ship_mode") {
        None | Some(Value::Null) => 1,
        Some(_) => match int_field(&v, "ship_mode") {
            Some(m @ (1 | 2)) => m,
            _ => return err(400, "ship_mode参数错误"),
        },
    };
    let stores = match v.get("store_items").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a.clone(),
        _ => return err(400, "store_items参数不能为空"),
    };
    let mut parsed = vec![];
    for st in &stores {
        let store_rid = str_field(st, "store_rid").ok_or_else(|| err(400, "store_rid参数不能为空"));
        let store_rid = tryr!(store_rid);
        if store_rid != sim.cfg.store_id.to_string() {
            return err(400, &format!("店铺[{store_rid}]不存在"));
        }
        let items = tryr!(parse_items(&sim, st));
        parsed.push((store_rid, st.get("buyer_remark").and_then(Value::as_str).map(str::to_string), items));
    }
    let outside = str_field(&v, "outside_target_id");
    let orders = sim.mutate(|inner| {
        let now = inner.now().timestamp();
        let mut made = vec![];
        for (store_rid, buyer_remark, items) in parsed {
            let o = OmniOrder {
                rid: new_rid(inner),
                outside_target_id: outside.clone(),
                from_client,
                store_rid,
                status: 5,
                paid: false,
                canceled_by: None,
                ship_mode,
                remark: None,
                buyer_remark,
                buyer_name: if from_client >= 5 { "门店顾客".into() } else { "线上顾客".into() },
                buyer_phone: String::new(),
                created_at: now,
                payed_at: 0,
                received_at: 0,
                items,
                freight: Decimal::ZERO,
                user_deleted: false,
                master_deleted: false,
                history: vec![(5, now)],
            };
            inner.data.dialects.omni.orders.push(o.clone());
            made.push(o);
        }
        made
    });
    let total: Decimal = orders.iter().map(|o| o.total_amount() + o.freight).sum();
    let rows: Vec<Value> = orders.iter().map(|o| o.to_json(&sim.cfg.store_name)).collect();
    ok(201, "All created.", Some(json!({"actual_payment": money(total), "bonus_amount": 0, "orders": rows})))
}

// ---- status moves ---------------------------------------------------------------------------

/// Mutate one order; `f` answers Err(message) to refuse with 400.
fn with_order(
    sim: &Sim,
    rid: &str,
    f: impl FnOnce(&mut OmniOrder, i64) -> Result<(), String>,
) -> Result<OmniOrder, Response> {
    sim.mutate(|inner| {
        let now = inner.now().timestamp();
        let Some(o) = inner.data.dialects.omni.orders.iter_mut().find(|o| o.rid == rid) else {
            return Err(err(404, "Not Found"));
        };
        let mut copy = o.clone();
        f(&mut copy, now).map_err(|m| err(400, &m))?;
        *o = copy.clone();
        Ok(copy)
    })
}

fn move_to(o: &mut OmniOrder, to: i64, now: i64) -> Result<(), String> {
    if o.status == CANCELED {
        return Err("订单已取消".into());
    }
    let (Some(cur), Some(next)) = (walk_index(o.status), walk_index(to)) else {
        return Err("订单状态错误".into());
    };
    if next <= cur {
        return Err("订单状态错误".into());
    }
    if to >= 10 && !o.paid {
        return Err("订单未付款".into());
    }
    o.status = to;
    if to == 20 {
        o.received_at = now;
    }
    o.history.push((to, now));
    Ok(())
}

async fn walk(State(sim): S, h: HeaderMap, b: Bytes, to: i64) -> Response {
    tryr!(auth(&sim, &h));
    let v = tryr!(body(&b));
    let rid = tryr!(rid_of(&v));
    let o = tryr!(with_order(&sim, &rid, |o, now| move_to(o, to, now)));
    ok_data(json!({"order": o.to_json(&sim.cfg.store_name), "rid": o.rid}))
}

async fn signed(s: S, h: HeaderMap, b: Bytes) -> Response {
    walk(s, h, b, 20).await
}

async fn up_paid(State(sim): S, h: HeaderMap, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let v = tryr!(body(&b));
    let rid = tryr!(rid_of(&v));
    let o = tryr!(with_order(&sim, &rid, |o, now| {
        if o.status == CANCELED {
            return Err("订单已取消".into());
        }
        if !o.paid {
            o.paid = true;
            o.payed_at = now;
        }
        if o.status == 5 {
            o.status = 10;
            o.history.push((10, now));
        }
        Ok(())
    }));
    ok_data(json!({"is_paid": o.paid, "rid": o.rid}))
}

async fn check_paid(State(sim): S, h: HeaderMap, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let v = tryr!(body(&b));
    let rid = tryr!(rid_of(&v));
    let g = sim.lock();
    match g.data.dialects.omni.orders.iter().find(|o| o.rid == rid) {
        Some(o) => ok_data(json!({"paid": o.paid, "rid": o.rid})),
        None => err(404, "Not Found"),
    }
}

async fn cancel(State(sim): S, h: HeaderMap, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let v = tryr!(body(&b));
    let rid = tryr!(rid_of(&v));
    let from = match int_field(&v, "from_client") {
        Some(c @ (1 | 2)) => c,
        _ => return err(400, "from_client参数错误"),
    };
    tryr!(with_order(&sim, &rid, |o, now| {
        if o.status == CANCELED {
            return Err("订单已取消".into());
        }
        // A consumer may cancel only before shipping; the merchant until it is finished.
        let limit = if from == 2 { 13 } else { 20 };
        if o.status > limit {
            return Err("订单状态错误".into());
        }
        o.status = CANCELED;
        o.canceled_by = Some(from);
        o.history.push((CANCELED, now));
        Ok(())
    }));
    ok(200, "Ok all right.", None)
}

async fn seller_remark(State(sim): S, h: HeaderMap, Path(rid): Path<String>, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let v = tryr!(body(&b));
    let Some(remark) = v.get("remark").and_then(Value::as_str).map(str::to_string) else {
        return err(400, "remark参数不能为空");
    };
    tryr!(with_order(&sim, &rid, |o, _| {
        o.remark = Some(remark);
        Ok(())
    }));
    ok(200, "Ok all right.", None)
}

fn deletable(o: &OmniOrder) -> Result<(), String> {
    if o.status == CANCELED || o.status >= 30 {
        Ok(())
    } else {
        Err("订单状态错误".into())
    }
}

async fn user_delete(State(sim): S, h: HeaderMap, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let v = tryr!(body(&b));
    let rid = tryr!(rid_of(&v));
    tryr!(with_order(&sim, &rid, |o, _| {
        deletable(o)?;
        o.user_deleted = true;
        Ok(())
    }));
    ok(200, "Ok all right.", None)
}

async fn master_delete(State(sim): S, h: HeaderMap, b: Bytes) -> Response {
    tryr!(auth(&sim, &h));
    let v = tryr!(body(&b));
    let rid = tryr!(rid_of(&v));
    tryr!(with_order(&sim, &rid, |o, _| {
        deletable(o)?;
        o.master_deleted = true;
        Ok(())
    }));
    ok(200, "Ok all right.", None)
}

// ---- control --------------------------------------------------------------------------------

/// A paid order placed by a customer elsewhere (mini program, `from_client` 1), waiting
/// for the store (status 10, merchant bucket 1 待发货). Body (all optional): `ship_mode`
/// (1 express, 2 pick-up), `items` `[{rid, quantity}]`, `buyer_name`, `buyer_phone`,
/// `buyer_remark`, `status` (any number, to play an undocumented status).
pub fn make_merchant_order(sim: &Sim, v: &Value) -> Result<OmniOrder, String> {
    let requested: Vec<(String, i64)> = v
        .get("items")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|it| Some((str_field(it, "rid")?, int_field(it, "quantity").unwrap_or(1).clamp(1, 999))))
                .collect()
        })
        .unwrap_or_default();
    sim.mutate(|inner| {
        let now = inner.now().timestamp();
        let picks = if requested.is_empty() {
            let n = inner.rng.random_range(1..=2);
            (0..n)
                .map(|_| {
                    let p = &sim.catalog[inner.rng.random_range(0..sim.catalog.len())];
                    (p.id.to_string(), inner.rng.random_range(1..=3))
                })
                .collect()
        } else {
            requested
        };
        let mut items = vec![];
        for (rid, quantity) in picks {
            let (product_name, price) = sku(sim, &rid).ok_or_else(|| format!("商品[{rid}]不存在"))?;
            items.push(OmniItem { rid, product_name, quantity, price, express: 4 });
        }
        let ship_mode = match int_field(v, "ship_mode") {
            Some(m @ (1 | 2)) => m,
            _ => {
                if inner.rng.random_bool(0.5) {
                    1
                } else {
                    2
                }
            }
        };
        let status = int_field(v, "status").unwrap_or(10);
        let n: u32 = inner.rng.random_range(0..10_000);
        let o = OmniOrder {
            rid: new_rid(inner),
            outside_target_id: None,
            from_client: 1,
            store_rid: sim.cfg.store_id.to_string(),
            status,
            paid: status != 5,
            canceled_by: None,
            ship_mode,
            remark: None,
            buyer_remark: v.get("buyer_remark").and_then(Value::as_str).map(str::to_string),
            buyer_name: str_field(v, "buyer_name").unwrap_or_else(|| format!("顾客{n:04}")),
            buyer_phone: str_field(v, "buyer_phone").unwrap_or_else(|| format!("1380000{n:04}")),
            created_at: now,
            payed_at: if status != 5 { now } else { 0 },
            received_at: 0,
            items,
            freight: Decimal::ZERO,
            user_deleted: false,
            master_deleted: false,
            history: vec![(status, now)],
        };
        inner.data.dialects.omni.orders.push(o.clone());
        Ok(o)
    })
}

async fn sim_merchant_order(State(sim): S, b: Bytes) -> Response {
    let v = object_body(&b).unwrap_or_else(|| json!({}));
    match make_merchant_order(&sim, &v) {
        Ok(o) => ok_data(o.to_json(&sim.cfg.store_name)),
        Err(m) => err(400, &m),
    }
}

async fn sim_state(State(sim): S) -> Response {
    let g = sim.lock();
    json_response(StatusCode::OK, serde_json::to_value(&g.data.dialects.omni).unwrap_or(Value::Null))
}
