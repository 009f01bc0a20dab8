//! The mall's `/api/orders` (seed 001) client.
//!
//! Orders are pulled list by list (`status=wait|paid|shipped|completed|closed|apply`, with
//! `limit`/`offset` paging), read one by one (`/api/orders/{id}`, which answers the bare
//! object), counted (`/api/order-counts`) and shown. People act on them: cancel (unpaid
//! only), confirm receipt (shipped only), apply for a refund / return-exchange and withdraw
//! it, read the payment status. Prices are strings (`"100.00"`) decoded exactly into
//! [`crate::domain::Money`]; a price with more than two decimals is refused, not rounded.
//! Times are `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai. This dialect has no way to carry our
//! reference, so till sales are not reported to it.

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::http::{by_status, int, money, seg, text, Http, Raw, Verb};
use super::mapping::{api_status, API_LISTS};
use super::{
    ChResult, ChannelAction, ChannelError, Dialect, OrderChannel, Pulled, RemoteLine, RemoteOrder, SaleReport, Tell,
};

pub struct MallApi {
    id: String,
    http: Http,
}

pub const PAGE: u32 = 20;

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let n = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    chrono_tz::Asia::Shanghai.from_local_datetime(&n).earliest().map(|t| t.with_timezone(&chrono::Utc))
}

impl MallApi {
    pub fn new(id: &str, url: &str, token: &str, timeouts: (Duration, Duration)) -> ChResult<MallApi> {
        Ok(MallApi { id: id.into(), http: Http::new(url, token, timeouts)? })
    }

    /// `{"msg","code","data"}` → data; a bare order object (the documented detail answer)
    /// passes whole.
    fn decode(raw: Raw) -> ChResult<Value> {
        let Some(j) = raw.json else { return Err(by_status(raw.status, &raw.text)) };
        match int(j.get("code")) {
            Some(0) if raw.status < 300 => Ok(j.get("data").cloned().unwrap_or(Value::Null)),
            None if raw.status < 300 && j.get("id").is_some() => Ok(j),
            None => Err(by_status(raw.status, &raw.text)),
            Some(code) => {
                let message = text(j.get("msg"));
                Err(match (raw.status, code) {
                    (500..=599, _) => ChannelError::Server { status: raw.status, detail: message },
                    (401 | 403, _) | (_, 401 | 403) => ChannelError::Auth { message },
                    (404, _) | (_, 404) => ChannelError::NotFound { detail: message },
                    _ => ChannelError::Refused { code, message },
                })
            }
        }
    }

    async fn call(&self, verb: Verb, path: &str, query: &[(String, String)], body: Option<&Value>) -> ChResult<Value> {
        Self::decode(self.http.send(verb, path, query, body).await?)
    }

    /// A seed-001 order in our terms. Money that is not exact money is an error.
    pub fn order_from(v: &Value) -> ChResult<RemoteOrder> {
        let id = int(v.get("id")).ok_or_else(|| ChannelError::Undecodable { detail: "order without id".into() })?;
        let status = int(v.get("status"))
            .ok_or_else(|| ChannelError::Undecodable { detail: format!("order {id} without status") })?;
        let refund = int(v.get("refund_status")).unwrap_or(0);
        let total =
            match v.get("pay_price").or_else(|| v.get("total_price")) {
                None | Some(Value::Null) => None,
                Some(p) => Some(money(Some(p)).ok_or_else(|| ChannelError::Undecodable {
                    detail: format!("order {id}: price {p} is not money"),
                })?),
            };
        let spu = v.get("spu_order").cloned().unwrap_or(Value::Null);
        let lines = if spu.is_object() {
            vec![RemoteLine {
                sku: text(spu.get("sku_id")),
                name: text(spu.get("spu_name")),
                quantity: int(spu.get("num")).unwrap_or(1),
                price: money(spu.get("price")).ok_or_else(|| ChannelError::Undecodable {
                    detail: format!("order {id}: line price is not money"),
                })?,
            }]
        } else {
            vec![]
        };
        let addr = v.get("receiving_address").cloned().unwrap_or(Value::Null);
        Ok(RemoteOrder {
            remote_id: id.to_string(),
            number: text(v.get("order_no")),
            status: api_status(status, refund),
            refund_raw: Some(refund.to_string()),
            our_ref: None,
            total,
            created_at: v.get("created_at").and_then(Value::as_str).and_then(parse_time),
            pickup: false,
            contact: text(addr.get("name")),
            phone: text(addr.get("phone")),
            remark: text(v.get("remark")),
            lines,
            extra: json!({
                "status_code": status,
                "refund_status": refund,
                "pay_type": v.get("pay_type").cloned().unwrap_or(Value::Null),
                "paid_at": v.get("paid_at").cloned().unwrap_or(Value::Null),
                "send_at": v.get("send_at").cloned().unwrap_or(Value::Null),
                "receipt_at": v.get("receipt_at").cloned().unwrap_or(Value::Null),
                "refund_info": v.get("refund_info").cloned().unwrap_or(Value::Null),
                "reason": v.get("reason").cloned().unwrap_or(Value::Null),
                "express_name": v.get("express_name").cloned().unwrap_or(Value::Null),
                "express_no": v.get("express_no").cloned().unwrap_or(Value::Null),
            }),
        })
    }

    /// One page of a named list.
    pub async fn list(&self, status: &str, limit: u32, offset: u32) -> ChResult<Vec<RemoteOrder>> {
        let q = vec![
            ("status".to_string(), status.to_string()),
            ("limit".to_string(), limit.to_string()),
            ("offset".to_string(), offset.to_string()),
        ];
        let data = self.call(Verb::Get, "/api/orders", &q, None).await?;
        let rows = data.as_array().cloned().unwrap_or_default();
        rows.iter().map(Self::order_from).collect()
    }

    pub async fn counts(&self) -> ChResult<Value> {
        self.call(Verb::Get, "/api/order-counts", &[], None).await
    }

    async fn detail(&self, id: &str) -> ChResult<RemoteOrder> {
        Self::order_from(&self.call(Verb::Get, &format!("/api/orders/{}", seg(id)), &[], None).await?)
    }
}

impl OrderChannel for MallApi {
    fn id(&self) -> &str {
        &self.id
    }

    fn dialect(&self) -> Dialect {
        Dialect::Api
    }

    fn report_sale<'a>(&'a self, _sale: &'a SaleReport) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(async {
            Err(ChannelError::Unsupported {
                what: "seed 001 orders are placed by customers (one SKU, an address, online payment)".into(),
            })
        })
    }

    fn find_sale<'a>(
        &'a self,
        _client_ref: &'a str,
        _around: chrono::DateTime<chrono::Utc>,
    ) -> BoxFuture<'a, ChResult<Option<RemoteOrder>>> {
        Box::pin(async { Ok(None) })
    }

    fn get_order<'a>(&'a self, remote_id: &'a str) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(self.detail(remote_id))
    }

    fn tell<'a>(&'a self, _remote_id: &'a str, _pickup: bool, _tell: Tell) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(async { Err(ChannelError::Unsupported { what: "seed 001 has no merchant status calls".into() }) })
    }

    fn pull<'a>(&'a self, pages: u32) -> BoxFuture<'a, ChResult<Pulled>> {
        Box::pin(async move {
            // The mall's orders are the store's to fulfil: they go on the clerk's board like
            // the omni center's and the platform's online orders (issue 14).
            let mut out = Pulled { for_board: true, ..Default::default() };
            for name in API_LISTS {
                for page in 0..pages.max(1) {
                    let rows = self.list(name, PAGE, page * PAGE).await?;
                    let n = rows.len();
                    out.orders.extend(rows);
                    if n < PAGE as usize {
                        break;
                    }
                }
            }
            out.counts = Some(self.counts().await?);
            // One order can sit in two lists (e.g. completed and apply): keep the last read.
            let mut seen = std::collections::HashSet::new();
            out.orders.reverse();
            out.orders.retain(|o| seen.insert(o.remote_id.clone()));
            out.orders.reverse();
            Ok(out)
        })
    }

    fn action<'a>(&'a self, remote_id: &'a str, action: &'a ChannelAction) -> BoxFuture<'a, ChResult<String>> {
        Box::pin(async move {
            let id = seg(remote_id);
            let (verb, path, body) = match action {
                ChannelAction::Cancel => (Verb::Put, format!("/api/orders/{id}/cancel"), None),
                ChannelAction::Receipt => (Verb::Post, format!("/api/orders/{id}/receipt"), None),
                ChannelAction::Refund {
                    reason,
                    remark,
                    vouchers,
                    express_code,
                    express_name,
                    express_no,
                    express_vouchers,
                } => (
                    Verb::Post,
                    format!("/api/orders/{id}/refund"),
                    Some(
                        json!({ "reason": reason, "remark": remark, "vouchers": vouchers, "express_code": express_code,
                                 "express_name": express_name, "express_no": express_no, "express_vouchers": express_vouchers }),
                    ),
                ),
                ChannelAction::RefundWithdraw => (Verb::Delete, format!("/api/orders/{id}/refund"), None),
                ChannelAction::SellerRemark { .. } => {
                    return Err(ChannelError::Unsupported { what: "seed 001 has no seller remark".into() })
                }
            };
            let raw = self.http.send(verb, &path, &[], body.as_ref()).await?;
            let msg = raw.json.as_ref().map(|j| text(j.get("msg"))).unwrap_or_default();
            Self::decode(raw)?;
            Ok(msg)
        })
    }

    fn payment_status<'a>(&'a self, remote_id: &'a str) -> BoxFuture<'a, ChResult<bool>> {
        Box::pin(async move {
            let d = self.call(Verb::Get, &format!("/api/orders/{}/status", seg(remote_id)), &[], None).await?;
            d.get("status")
                .and_then(Value::as_bool)
                .ok_or_else(|| ChannelError::Undecodable { detail: "payment status without status".into() })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::Status;

    #[test]
    fn string_prices_are_exact() {
        let v = json!({"id": 2, "order_no": "11351590054018403", "total_price": "100.00", "pay_price": "100.00", "status": 1, "refund_status": 0,
                       "created_at": "2020-05-21 17:40:18", "spu_order": {"sku_id": 1, "spu_name": "iphone12", "num": 1, "price": "1000.00"}});
        let o = MallApi::order_from(&v).unwrap();
        assert_eq!(o.total.unwrap().fen(), 10_000);
        assert_eq!(o.lines[0].price.fen(), 100_000);
        assert_eq!(o.status.ours(), Some(Status::PaidConfirmPending));
        assert_eq!(o.created_at.unwrap().to_rfc3339(), "2020-05-21T09:40:18+00:00");
        let bad = json!({"id": 3, "pay_price": "1.005", "status": 0});
        assert!(MallApi::order_from(&bad).is_err(), "three decimals are refused, not rounded");
        let junk = json!({"id": 3, "pay_price": "abc", "status": 0});
        assert!(MallApi::order_from(&junk).is_err());
    }

    #[test]
    fn envelope() {
        let r = |st: u16, b: &str| Raw {
            status: st,
            json: serde_json::from_str::<Value>(b).ok().filter(Value::is_object),
            text: b.into(),
        };
        assert_eq!(MallApi::decode(r(200, r#"{"msg":"ok","code":0,"data":[1]}"#)), Ok(json!([1])));
        assert_eq!(
            MallApi::decode(r(200, r#"{"msg":"只有待支付订单才能进行取消","code":1,"data":null}"#)),
            Err(ChannelError::Refused { code: 1, message: "只有待支付订单才能进行取消".into() })
        );
        assert!(matches!(
            MallApi::decode(r(404, r#"{"msg":"订单不存在","code":404,"data":null}"#)),
            Err(ChannelError::NotFound { .. })
        ));
        assert!(MallApi::decode(r(200, r#"{"id":2,"status":0}"#)).is_ok());
        assert!(matches!(MallApi::decode(r(503, "<html>")), Err(ChannelError::Server { .. })));
    }
}
