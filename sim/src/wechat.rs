//! WeChat NATIVE pay: `POST /rest/wx/push_order` hands out a code; `POST /sim/pay/{n}`
//! plays the customer scanning it.
//!
//! A code is valid 2 hours on the sim clock; a new push_order for the same order
//! supersedes the previous code. A WeChat-paid counter order goes
//! CREATED_PAY_PENDING → PAID_CONFIRM_PENDING (payment_type WECHAT, pay_date and
//! trade_number set); the clerk then `complete`s it as usual. Paying a cancelled order
//! (an old code still on the customer's phone) records the payment, keeps the status and
//! sets `paid_after_cancel`; a client sees it as CLOSED_CANCELED with a pay_date.

use chrono::Duration;
use rand::Rng;
use serde_json::{json, Value};

use crate::context::{Inner, Sim};
use crate::orders::is_blank;
use crate::state::{OrderStatus, WxCode};

pub const CODE_VALIDITY_S: i64 = 2 * 3600;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn random_str(inner: &mut Inner, alphabet: &[u8], len: usize) -> String {
    (0..len).map(|_| char::from(alphabet[inner.rng.random_range(0..alphabet.len())])).collect()
}

/// Ok(data) or Err(message for status_code 1).
pub fn push_order(sim: &Sim, inner: &mut Inner, body: &Value) -> Result<Value, String> {
    for f in ["order_type", "order_number", "type"] {
        if is_blank(body.get(f)) {
            return Err(format!("{f}参数不能为空"));
        }
    }
    if body.get("type").and_then(Value::as_str) != Some("NATIVE") {
        return Err("invalid.type".into());
    }
    let number = body.get("order_number").and_then(Value::as_str).unwrap_or_default().to_string();
    let order = match inner.data.order(&number) {
        Some(o) if o.store_id == Some(sim.cfg.store_id) => o.clone(),
        _ => return Err("invalid.order.id".into()),
    };
    if order.status != OrderStatus::CreatedPayPending {
        return Err("order.status.invalid".into());
    }
    let now = inner.now();
    let code_url = loop {
        let len = inner.rng.random_range(7..=10);
        let c = format!("weixin://wxpay/bizpayurl?pr={}", random_str(inner, ALNUM, len));
        if !inner.data.codes.iter().any(|x| x.code_url == c) {
            break c;
        }
    };
    for c in inner.data.codes.iter_mut().filter(|c| c.order_number == number) {
        c.superseded = true;
    }
    inner.data.codes.push(WxCode {
        code_url: code_url.clone(),
        order_number: number,
        created: now,
        expires_at: now + Duration::seconds(CODE_VALIDITY_S),
        superseded: false,
        used: false,
    });
    let fen = (order.total_price * rust_decimal::Decimal::from(100)).round().to_string();
    let prepay = format!("wx{}{}", now.format("%d%H%M%S"), random_str(inner, b"0123456789abcdef", 22));
    Ok(json!({
        "timeStamp": now.timestamp().to_string(),
        "codeUrl": code_url,
        "package": format!("prepay_id={prepay}"),
        "paySign": random_str(inner, b"0123456789ABCDEF", 32),
        "totalFee": fen,
        "appId": "wx0000000000000000",
        "signType": "MD5",
        "title": order.description().trim().to_string(),
        "nonceStr": now.timestamp_millis().to_string(),
    }))
}

/// `/sim/pay/{n}`: Ok(()) or Err(message). Body (optional): `{"code_url": "...", "force": bool}`.
/// Without `force` the given code (or the order's latest one) must be current and unexpired.
pub fn pay(sim: &Sim, inner: &mut Inner, number: &str, body: &Value) -> Result<(), String> {
    let now = inner.now();
    let force = body.get("force").and_then(Value::as_bool).unwrap_or(false);
    let order = inner.data.order(number).cloned().ok_or("invalid.order.id")?;
    if order.pay_date.is_some() && order.payment_type == "WECHAT" {
        return Err("order.already.paid".into());
    }
    if !matches!(
        order.status,
        OrderStatus::CreatedPayPending | OrderStatus::ClosedCanceled | OrderStatus::ClosedPayTimeout
    ) {
        return Err("order.status.invalid".into());
    }
    if !force {
        let wanted = body.get("code_url").and_then(Value::as_str);
        let code = inner
            .data
            .codes
            .iter_mut()
            .filter(|c| c.order_number == number && wanted.is_none_or(|w| w == c.code_url))
            .max_by_key(|c| c.created)
            .ok_or("code.missing")?;
        if code.superseded {
            return Err("code.superseded".into());
        }
        if code.used {
            return Err("code.used".into());
        }
        if now >= code.expires_at {
            return Err("code.expired".into());
        }
        code.used = true;
    }
    let trade = format!("4200{}{}", now.format("%Y%m%d"), random_str(inner, b"0123456789", 10));
    let _ = sim;
    let Some(o) = inner.data.order_mut(number) else { return Err("invalid.order.id".into()) };
    o.payment_type = "WECHAT".into();
    o.pay_date = Some(now);
    o.trade_number = Some(trade);
    if o.status == OrderStatus::CreatedPayPending {
        o.step(OrderStatus::PaidConfirmPending, "wechat-pay", now);
    } else {
        o.paid_after_cancel = true;
        o.note("wechat-pay", "paid after the order was closed", now);
    }
    Ok(())
}
