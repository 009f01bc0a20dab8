//! Tickets straight from a platform order detail (the `data` object of
//! `GET /rest/store/order/{n}`; the whole `{"status_code":0,"data":…}`
//! envelope is accepted too). Used by `storepos ticket --order ORDER.json`.
//!
//! Money is decoded from the JSON number text into `Decimal` (serde_json's
//! `arbitrary_precision` keeps the digits); it never passes through f64.
//! Note: with rust_decimal's `serde-str` feature on (as in this workspace) the
//! plain `Deserialize` for `Decimal` only accepts strings, so every money field
//! names the `arbitrary_precision` adapter explicitly.

use super::kitchen::{kitchen_ticket, Channel, Flow, KitchenData, KitchenLine};
use super::receipt::{receipt, ReceiptData, ReceiptLine};
use super::TemplateError;
use crate::profile::Paper;
use crate::ticket::Ticket;
use rust_decimal::Decimal;
use serde::Deserialize;

/// Which ticket to build from an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketKind {
    /// Customer receipt.
    Receipt,
    /// Kitchen ticket with every line of the order.
    Kitchen,
}

/// The fields of a platform order detail that tickets use. Unknown fields are
/// ignored; optional ones may be missing or `null`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PlatformOrder {
    /// 16-digit platform order number.
    pub order_number: String,
    /// `yyyy-MM-dd HH:mm:ss`, Asia/Shanghai.
    #[serde(default)]
    pub created_date: Option<String>,
    /// Order total.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub total_price: Decimal,
    /// `STORE`, `WECHAT`, …
    #[serde(default)]
    pub payment_type: Option<String>,
    /// Customer or cashier note.
    #[serde(default)]
    pub remark: Option<String>,
    /// Customer name (online orders).
    #[serde(default)]
    pub contact_user: Option<String>,
    /// Customer phone (online orders).
    #[serde(default)]
    pub phone: Option<String>,
    /// `SELF_PICK` or `FLASH`.
    #[serde(default)]
    pub delivery_type: Option<String>,
    /// `ORDER` (online) or `STORE_ORDER` (counter).
    #[serde(default, rename = "type")]
    pub order_type: Option<String>,
    /// Store name (often `null`).
    #[serde(default)]
    pub store_name: Option<String>,
    /// Clerk account that created a counter order.
    #[serde(default)]
    pub store_user_name: Option<String>,
    /// Lines.
    #[serde(default)]
    pub order_items: Vec<PlatformOrderItem>,
}

/// One `order_items` row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PlatformOrderItem {
    /// Product name.
    pub product_name: String,
    /// Specification name, if any.
    #[serde(default)]
    pub product_specification_name: Option<String>,
    /// Quantity.
    pub quantity: i64,
    /// Unit price.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub price: Decimal,
    /// Line total as charged; `price × quantity` when missing.
    #[serde(default, with = "rust_decimal::serde::arbitrary_precision_option")]
    pub final_price: Option<Decimal>,
    /// Product id (number or string on the wire).
    #[serde(default)]
    pub product_id: Option<serde_json::Value>,
}

/// Parses an order detail, or a success envelope around one.
pub fn parse_platform_order(json: &str) -> Result<PlatformOrder, TemplateError> {
    let mut v: serde_json::Value = serde_json::from_str(json)?;
    if let Some(obj) = v.as_object_mut() {
        if obj.contains_key("status_code") {
            let code = obj.get("status_code").and_then(|c| c.as_i64()).unwrap_or(-1);
            if code != 0 {
                let message = obj.get("message").and_then(|m| m.as_str()).unwrap_or("").to_string();
                return Err(TemplateError::PlatformError { code, message });
            }
            v = obj.remove("data").ok_or_else(|| TemplateError::Invalid("envelope without data".into()))?;
        }
    }
    let order: PlatformOrder = serde_json::from_value(v)?;
    if order.order_number.trim().is_empty() {
        return Err(TemplateError::Invalid("empty order_number".into()));
    }
    Ok(order)
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Display name of a platform `payment_type`.
pub fn payment_label(payment_type: Option<&str>) -> String {
    match payment_type.unwrap_or("") {
        "STORE" => "门店收款".into(),
        "CASH" => "现金".into(),
        "WECHAT" | "WXPAY" | "WX" | "WEIXIN" => "微信支付".into(),
        "ALIPAY" => "支付宝".into(),
        "" => "未知".into(),
        other => other.into(),
    }
}

fn item_name(i: &PlatformOrderItem) -> String {
    match non_empty(&i.product_specification_name) {
        Some(spec) => format!("{}({spec})", i.product_name),
        None => i.product_name.clone(),
    }
}

/// Receipt data for a platform order (no local number, no tender/change: the
/// platform detail does not carry them).
pub fn receipt_data(o: &PlatformOrder) -> ReceiptData {
    ReceiptData {
        title: None,
        customer: vec![],
        discount: None,
        store_name: non_empty(&o.store_name).unwrap_or("门店").to_string(),
        local_number: String::new(),
        platform_order_number: Some(o.order_number.clone()),
        time_local: o.created_date.clone().unwrap_or_default(),
        cashier: o.store_user_name.clone().unwrap_or_default(),
        lines: o
            .order_items
            .iter()
            .map(|i| ReceiptLine {
                name: item_name(i),
                quantity: i.quantity,
                unit_price: i.price,
                line_total: i.final_price.unwrap_or_else(|| i.price.saturating_mul(Decimal::from(i.quantity))),
                memo: None,
            })
            .collect(),
        remark: non_empty(&o.remark).map(str::to_string),
        total: o.total_price,
        paid: None,
        change: None,
        payment_method: payment_label(o.payment_type.as_deref()),
        qr: None,
        qr_caption: None,
        footer: "谢谢惠顾".into(),
        reprint: false,
        open_drawer: false,
    }
}

/// Kitchen data for a platform order: every line (the detail has no product
/// category, so no station routing), sequence = last 4 digits of the order
/// number. Counter and FLASH orders are the *deliver* flow, SELF_PICK the
/// *booking* flow (DESIGN.md "Kitchen tickets").
pub fn kitchen_data(o: &PlatformOrder) -> KitchenData {
    let channel = if o.order_type.as_deref() == Some("STORE_ORDER") {
        Channel::Counter
    } else if o.delivery_type.as_deref() == Some("FLASH") {
        Channel::Flash
    } else {
        Channel::SelfPick
    };
    let flow = match channel {
        Channel::SelfPick => Flow::Booking,
        Channel::Counter | Channel::Flash => Flow::Deliver,
    };
    let chars: Vec<char> = o.order_number.trim().chars().collect();
    let sequence: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    let contact = match (non_empty(&o.contact_user), non_empty(&o.phone)) {
        (Some(n), Some(p)) => Some(format!("{n} {p}")),
        (Some(n), None) => Some(n.to_string()),
        (None, Some(p)) => Some(p.to_string()),
        (None, None) => None,
    };
    KitchenData {
        void: false,
        station: "全部".into(),
        sequence,
        channel,
        flow,
        memo: non_empty(&o.remark).map(str::to_string),
        lines: o
            .order_items
            .iter()
            .map(|i| KitchenLine { name: item_name(i), quantity: i.quantity, memo: None })
            .collect(),
        addition: false,
        reprint: false,
        time_local: o.created_date.clone().unwrap_or_default(),
        pickup_contact: contact,
    }
}

/// Parses `json` (an order detail) and builds the ticket of `kind`. `paper` is
/// accepted so the CLI can pass its `--width`; the ticket itself is
/// width-independent (layout happens in `render` / `preview`).
pub fn ticket_from_platform_order(json: &str, kind: TicketKind, paper: Paper) -> Result<Ticket, TemplateError> {
    let _ = paper;
    let order = parse_platform_order(json)?;
    Ok(match kind {
        TicketKind::Receipt => receipt(&receipt_data(&order)),
        TicketKind::Kitchen => kitchen_ticket(&kitchen_data(&order)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decodes_money_exactly_from_json_numbers() {
        let json = r#"{"status_code":0,"data":{"order_number":"1807181114341472","total_price":34.80,
            "created_date":"2018-07-18 11:14:34","payment_type":"STORE","type":"STORE_ORDER",
            "order_items":[{"product_name":"测试1","quantity":3,"price":11.60,"final_price":34.80,"product_id":1},
                           {"product_name":"大数","quantity":1,"price":12345678901234567.89,"final_price":null}]}}"#;
        let o = parse_platform_order(json).unwrap();
        assert_eq!(o.total_price.to_string(), "34.80", "scale kept: no f64 round trip");
        assert_eq!(o.order_items[0].price, Decimal::from_str("11.60").unwrap());
        assert_eq!(o.order_items[1].price.to_string(), "12345678901234567.89");
        let d = receipt_data(&o);
        assert_eq!(d.lines[1].line_total.to_string(), "12345678901234567.89");
    }

    #[test]
    fn failure_envelope_and_garbage_are_typed_errors() {
        assert!(matches!(
            parse_platform_order(r#"{"status_code":1,"message":"invalid.order.id"}"#),
            Err(TemplateError::PlatformError { code: 1, .. })
        ));
        assert!(matches!(parse_platform_order("<html>"), Err(TemplateError::Json(_))));
        assert!(matches!(
            parse_platform_order(r#"{"order_number":"1","total_price":"abc"}"#),
            Err(TemplateError::Json(_))
        ));
        assert!(parse_platform_order(r#"{"order_number":"1","total_price":1e400}"#).is_err());
    }

    #[test]
    fn channel_and_flow_follow_design() {
        let base = r#"{"order_number":"2405011230001234","total_price":8,"type":"ORDER","delivery_type":"FLASH","contact_user":"张三","phone":"13800000000","remark":"不要加辣椒"}"#;
        let k = kitchen_data(&parse_platform_order(base).unwrap());
        assert_eq!((k.channel, k.flow, k.sequence.as_str()), (Channel::Flash, Flow::Deliver, "1234"));
        assert_eq!(k.pickup_contact.as_deref(), Some("张三 13800000000"));
        let sp = base.replace("FLASH", "SELF_PICK");
        let k = kitchen_data(&parse_platform_order(&sp).unwrap());
        assert_eq!((k.channel, k.flow), (Channel::SelfPick, Flow::Booking));
    }
}
