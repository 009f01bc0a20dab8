//! `storepos after-sales quote`: the after-sales rules applied to files in the
//! platform's own formats (an order detail and a service-create body).
//!
//! An exchange product is priced, in this order, by a `price` in the request line, by the
//! ledger given with `--data`, or by the order's own line for that product; otherwise the
//! quote fails with `ExchangeUnpriced`. The demo catalog never prices anything here.
//! Beside the documented figures the answer says, per platform mode, where the service
//! would go and how the money would really move.

use std::collections::HashMap;
use std::path::Path;

use crate::clients::platform::types::{PlatformOrder, ServiceCreate};
use crate::commands::{CommandError, ErrorCode};
use crate::domain::after_sales::{quote, ExchangeLine, QuoteInput, ReturnRequest, ServiceType, SoldLine};
use crate::domain::after_sales_rules::{self as rules, OrderFacts, PlatformMode};
use crate::domain::order::{Channel, PaymentMethod, Status};
use crate::domain::Money;
use crate::ledger::{catalog, Ledger};

/// Where an exchange price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    Request,
    Ledger,
    OrderLine,
}

/// No price for an exchange product: not in the request, not in the `--data` ledger (or no
/// ledger given), not on the order. The CLI exits non-zero with this, never guessing.
pub fn exchange_unpriced(product_id: i64, spec: Option<i64>, had_ledger: bool) -> CommandError {
    let en = format!(
        "ExchangeUnpriced: no price for exchange product {product_id}{}: {} and it is not on the order (the demo catalog is never used)",
        spec.map(|s| format!(" spec {s}")).unwrap_or_default(),
        if had_ledger { "not in the --data ledger's catalog" } else { "no --data ledger given" }
    );
    CommandError::new(
        ErrorCode::NotFound,
        format!("换货商品 {product_id} 没有价格：请用 --data 指定门店数据，或在请求中写明价格"),
        en,
    )
}

/// Prices an exchange line: the ledger's catalog first, then the order's own line.
pub fn price_exchange(
    ledger: Option<&Ledger>,
    order_lines: &[SoldLine],
    product_id: i64,
    spec: Option<i64>,
) -> Option<(Money, PriceSource)> {
    if let Some(l) = ledger {
        if let Ok(Some(p)) = catalog::get(l.read(), product_id) {
            let hit = match spec {
                Some(s) => p.specifications.iter().find(|x| x.id == s).map(|x| x.price),
                None => Some(p.price),
            };
            if let Some(price) = hit {
                return Some((price, PriceSource::Ledger));
            }
        }
    }
    order_lines
        .iter()
        .find(|l| l.product_id == product_id && (spec.is_none() || l.specification_id == spec))
        .map(|l| (l.unit_price, PriceSource::OrderLine))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CommandError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CommandError::new(ErrorCode::NotFound, format!("无法读取 {}", path.display()), e.to_string()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CommandError::new(ErrorCode::BadRequest, format!("{} 不是合法 JSON", path.display()), e.to_string())
    })?;
    // Accept the whole envelope `{"status_code":0,"data":{…}}` as well as its `data`.
    let v = match v.get("data") {
        Some(d) if v.get("status_code").is_some() => d.clone(),
        _ => v,
    };
    serde_json::from_value(v).map_err(|e| {
        CommandError::new(ErrorCode::BadRequest, format!("{} 格式不正确：{e}", path.display()), e.to_string())
    })
}

pub fn quote_files(order: &Path, request: &Path, data: Option<&Path>) -> Result<serde_json::Value, CommandError> {
    let order: PlatformOrder = read_json(order)?;
    let req: ServiceCreate = read_json(request)?;
    let service_type = ServiceType::parse(&req.service_type).ok_or_else(|| {
        CommandError::validation(
            format!("未知售后类型 {}", req.service_type),
            format!("unknown service_type {:?}", req.service_type),
        )
    })?;
    let lines: Vec<SoldLine> = order
        .order_items
        .iter()
        .enumerate()
        .map(|(i, it)| SoldLine {
            line_no: i as i64 + 1,
            product_id: it.product_id,
            specification_id: it.product_specification_id,
            name: it.product_name.clone(),
            unit_price: it.price,
            quantity: it.quantity,
        })
        .collect();
    let ledger = match data {
        Some(d) => Some(Ledger::open(&d.join("storepos.db"))?),
        None => None,
    };
    let mut sources = Vec::new();
    let exchanges = req
        .exchanges
        .iter()
        .map(|e| {
            let (price, source) = match e.price {
                Some(p) => (p, PriceSource::Request),
                None => price_exchange(ledger.as_ref(), &lines, e.product_id, e.product_specification_id)
                    .ok_or_else(|| exchange_unpriced(e.product_id, e.product_specification_id, ledger.is_some()))?,
            };
            sources.push(serde_json::json!({ "product_id": e.product_id, "price": price, "source": source }));
            Ok(ExchangeLine {
                product_id: e.product_id,
                specification_id: e.product_specification_id,
                name: String::new(),
                unit_price: price,
                quantity: e.quantity,
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let returns: Vec<ReturnRequest> = req
        .returns
        .iter()
        .map(|r| ReturnRequest {
            line_no: None,
            product_id: Some(r.product_id),
            product_specification_id: r.product_specification_id,
            quantity: r.quantity,
            refund_fee: r.refund_fee,
            name: None,
        })
        .collect();
    let linked = req.order_number.as_deref().is_some_and(|n| !n.is_empty()) || service_type != ServiceType::Return;
    let q = quote(&QuoteInput {
        service_type,
        order_lines: linked.then_some(lines.as_slice()),
        already_returned: &HashMap::new(),
        refund_fee: None,
        returns: &returns,
        exchanges: &exchanges,
    })?;
    // Per platform mode: where the service would go and how the money would move.
    let facts = Status::parse(&order.status).map(|status| OrderFacts {
        status,
        channel: if order.order_type == "STORE_ORDER" {
            Channel::Counter
        } else if order.delivery_type == "FLASH" {
            Channel::Flash
        } else {
            Channel::SelfPick
        },
        payment: match order.payment_type.as_str() {
            "WXPAY" | "WECHAT" | "WX" => Some(PaymentMethod::Wechat),
            "STORE" | "CASH" | "" => Some(PaymentMethod::Cash),
            _ => Some(PaymentMethod::Online),
        },
        on_platform: true,
        platform_services: 0,
    });
    let mut modes = serde_json::Map::new();
    for mode in [PlatformMode::Field, PlatformMode::Documented] {
        let route = rules::route(mode, service_type, if linked { facts.as_ref() } else { None });
        let moves = rules::as_money_moves(&route, &q);
        let outlook = rules::outlook(&route, &moves);
        modes.insert(mode.as_str().into(), serde_json::json!({ "route": route, "refund_fee": moves.refund_fee, "supplementary_fee": moves.supplementary_fee, "says": outlook.says_en }));
    }
    Ok(
        serde_json::json!({ "refund_fee": q.refund_fee, "supplementary_fee": q.supplementary_fee, "exchange_prices": sources, "platform": modes }),
    )
}
