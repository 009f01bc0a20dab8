//! `storepos after-sales quote`: the after-sales rules applied to files in the
//! platform's own formats (an order detail and a service-create body).

use std::collections::HashMap;
use std::path::Path;

use crate::central::types::{PlatformOrder, ServiceCreate};
use crate::commands::{CommandError, ErrorCode};
use crate::domain::after_sales::{quote, ExchangeLine, QuoteInput, ReturnRequest, ServiceType, SoldLine};
use crate::ledger::{catalog, Ledger};

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CommandError> {
    let text = std::fs::read_to_string(path).map_err(|e| CommandError::new(ErrorCode::NotFound, format!("无法读取 {}", path.display()), e.to_string()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| CommandError::new(ErrorCode::BadRequest, format!("{} 不是合法 JSON", path.display()), e.to_string()))?;
    // Accept the whole envelope `{"status_code":0,"data":{…}}` as well as its `data`.
    let v = match v.get("data") {
        Some(d) if v.get("status_code").is_some() => d.clone(),
        _ => v,
    };
    serde_json::from_value(v).map_err(|e| CommandError::new(ErrorCode::BadRequest, format!("{} 格式不正确：{e}", path.display()), e.to_string()))
}

pub fn quote_files(order: &Path, request: &Path, data: Option<&Path>) -> Result<serde_json::Value, CommandError> {
    let order: PlatformOrder = read_json(order)?;
    let req: ServiceCreate = read_json(request)?;
    let service_type = ServiceType::parse(&req.service_type)
        .ok_or_else(|| CommandError::validation(format!("未知售后类型 {}", req.service_type), format!("unknown service_type {:?}", req.service_type)))?;
    let lines: Vec<SoldLine> = order
        .order_items
        .iter()
        .enumerate()
        .map(|(i, it)| SoldLine { line_no: i as i64 + 1, product_id: it.product_id, specification_id: it.product_specification_id, name: it.product_name.clone(), unit_price: it.price, quantity: it.quantity })
        .collect();
    let ledger = match data {
        Some(d) => Some(Ledger::open(&d.join("storepos.db"))?),
        None => None,
    };
    let demo = crate::setup::demo_seed();
    let price_of = |pid: i64, sid: Option<i64>| -> Option<crate::domain::Money> {
        if let Some(l) = &ledger {
            let p = catalog::get(l.read(), pid).ok()??;
            return match sid {
                Some(s) => p.specifications.iter().find(|x| x.id == s).map(|x| x.price),
                None => Some(p.price),
            };
        }
        let p = demo.iter().find(|p| p.id == pid)?;
        match sid {
            Some(s) => p.specifications.iter().find(|x| x.0 == s).map(|x| x.2),
            None => Some(p.price),
        }
    };
    let exchanges = req
        .exchanges
        .iter()
        .map(|e| {
            let price = e.price.or_else(|| price_of(e.product_id, e.product_specification_id)).ok_or_else(|| {
                CommandError::not_found(format!("换货商品 {} 没有价格", e.product_id), format!("no price for exchange product {}", e.product_id))
            })?;
            Ok(ExchangeLine { product_id: e.product_id, specification_id: e.product_specification_id, name: String::new(), unit_price: price, quantity: e.quantity })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let returns: Vec<ReturnRequest> = req
        .returns
        .iter()
        .map(|r| ReturnRequest { line_no: None, product_id: Some(r.product_id), product_specification_id: r.product_specification_id, quantity: r.quantity, refund_fee: r.refund_fee, name: None })
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
    Ok(serde_json::json!({ "refund_fee": q.refund_fee, "supplementary_fee": q.supplementary_fee }))
}
