//! Online orders placed by customers (type ORDER, SELF_PICK or FLASH), already paid by
//! WeChat: created by `POST /sim/online-order` or every `60 / --online-orders-per-min` s.

use rand::Rng;
use serde_json::{json, Value};

use crate::context::{Inner, Sim};
use crate::orders::{build_items, field_order_number, new_order_number, to_millis, LineError};
use crate::state::{DeliveryType, Order, OrderStatus, OrderType, StatusChange};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英",
    "小红", "建华", "志强", "晓东", "思雨", "子涵",
];
const MEMOS: &[&str] = &[
    "不要加辣椒",
    "少冰",
    "去冰",
    "少糖",
    "半糖",
    "多加珍珠",
    "热饮",
    "请放门口，谢谢",
    "到了打电话",
    "不要葱花",
    "餐具两份",
    "尽快送达",
];

/// Create one paid online order for the store. `body`: `{delivery_type?, items?,
/// contact_user?, phone?, remark?}`; anything absent is drawn from the seeded RNG.
pub fn create_online_order(sim: &Sim, inner: &mut Inner, body: &Value) -> Result<Order, String> {
    let now = inner.now();
    let delivery_type = match body.get("delivery_type").and_then(Value::as_str) {
        Some("SELF_PICK") => DeliveryType::SelfPick,
        Some("FLASH") => DeliveryType::Flash,
        Some(other) => return Err(format!("invalid.delivery_type {other}")),
        None => {
            if inner.rng.random_bool(0.5) {
                DeliveryType::SelfPick
            } else {
                DeliveryType::Flash
            }
        }
    };
    let lines: Vec<Value> = match body.get("items").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a.clone(),
        _ => {
            let n = inner.rng.random_range(1..=3);
            (0..n)
                .map(|_| {
                    let p = &sim.catalog[inner.rng.random_range(0..sim.catalog.len())];
                    let q = inner.rng.random_range(1..=3);
                    match p.specifications.len() {
                        0 => json!({"product_id": p.id, "quantity": q}),
                        k => json!({"product_id": p.id, "quantity": q,
                            "product_specification_id": p.specifications[inner.rng.random_range(0..k)].id}),
                    }
                })
                .collect()
        }
    };
    let id = inner.data.alloc_order_id();
    let (items, total) = build_items(sim, inner, &lines, id, false).map_err(|e| match e {
        LineError::Missing(f) => format!("{f}参数不能为空"),
        LineError::Invalid(m) => m,
        LineError::NoProduct => "invalid.product.id".into(),
    })?;
    let contact_user = match body.get("contact_user").and_then(Value::as_str) {
        Some(c) => c.to_string(),
        None => {
            let s = SURNAMES[inner.rng.random_range(0..SURNAMES.len())];
            let g = GIVEN[inner.rng.random_range(0..GIVEN.len())];
            format!("{s}{g}")
        }
    };
    let phone = match body.get("phone").and_then(Value::as_str) {
        Some(p) => p.to_string(),
        None => {
            let second = [3, 5, 7, 8, 9][inner.rng.random_range(0..5)];
            let rest: u64 = inner.rng.random_range(0..1_000_000_000);
            format!("1{second}{rest:09}")
        }
    };
    let remark = match body.get("remark") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) => None,
        _ => {
            if inner.rng.random_bool(0.7) {
                Some(MEMOS[inner.rng.random_range(0..MEMOS.len())].to_string())
            } else {
                None
            }
        }
    };
    let trade = format!("4200{}{:010}", now.format("%Y%m%d"), inner.rng.random_range(0..10_000_000_000u64));
    let user_id = inner.rng.random_range(1000..100_000);
    // Field: the number is the clock (ms) + the ordering customer's user id.
    let order_number = match sim.cfg.mode {
        crate::context::Mode::Field => field_order_number(to_millis(now), user_id),
        crate::context::Mode::Documented => new_order_number(inner, now),
    };
    let order = Order {
        id,
        order_number,
        order_type: OrderType::Order,
        delivery_type,
        payment_type: "WECHAT".into(),
        status: OrderStatus::PaidConfirmPending,
        previous_status: Some(OrderStatus::CreatedPayPending),
        store_id: Some(sim.cfg.store_id),
        original_store_id: sim.cfg.store_id,
        store_name: Some(sim.cfg.store_name.clone()),
        store_user_id: None,
        store_user_name: None,
        user_id,
        user_name: contact_user.clone(),
        contact_user,
        phone,
        remark,
        total_price: total,
        created_date: now,
        pay_date: Some(now),
        confirm_date: None,
        deliver_date: None,
        delivered_date: None,
        deal_date: None,
        trade_number: Some(trade),
        paid_after_cancel: false,
        items,
        history: vec![StatusChange {
            at: crate::money::fmt_dt(now),
            action: "customer-pay".into(),
            from: None,
            to: OrderStatus::PaidConfirmPending,
            note: None,
        }],
        account: None,
        account_user_id: None,
        customer: None,
    };
    inner.data.orders.push(order.clone());
    Ok(order)
}
