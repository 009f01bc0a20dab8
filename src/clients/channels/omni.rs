//! The omnichannel order center (seed 004) client.
//!
//! * A till sale is `POST /orders/create` with `from_client` 5 (POS) or 6 (PAD), ship mode
//!   2 (pick-up: the customer has the goods) and our `client_ref` in `outside_target_id`.
//!   After a lost answer the sale is looked up (`/master/orders?search=<client_ref>`,
//!   rows matched on `outside_target_id` exactly) and never sent twice.
//! * Status moves walk forward (`up_paid_status`, `up_pending_shipment_status`, …,
//!   `up_finished_status`) from wherever the order stands, read first: a repeated step is
//!   never sent, a refused one is read back. Cancel is `POST /orders/cancel`
//!   `from_client` 1 (merchant); cancellation is read back from `/master/orders?status=4`
//!   because the document gives no status number for it.
//! * Merchant orders are pulled from `/master/orders?status=1` (待发货).
//! * Errors: `{"status":{"code":400,"message":…},"success":false}` → [`ChannelError::Refused`].

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::http::{by_status, int, money, seg, text, Http, Raw, Verb};
use super::mapping::{self, omni_rank, omni_status_in_bucket, OmniTell, OMNI_WALK};
use super::{
    ChResult, ChannelAction, ChannelError, Dialect, OrderChannel, Pulled, RemoteLine, RemoteOrder, SaleReport, Tell,
};

pub struct Omni {
    id: String,
    http: Http,
    store_rid: String,
    address_rid: String,
}

/// Pages scanned when looking a sale up.
const LOOKUP_PAGES: u32 = 5;
const PER_PAGE: u32 = 50;

impl Omni {
    pub fn new(
        id: &str,
        url: &str,
        token: &str,
        store_rid: &str,
        address_rid: &str,
        timeouts: (Duration, Duration),
    ) -> ChResult<Omni> {
        Ok(Omni {
            id: id.into(),
            http: Http::new(url, token, timeouts)?,
            store_rid: store_rid.into(),
            address_rid: address_rid.into(),
        })
    }

    /// Decodes the seed-004 envelope: `data` on success, a typed error otherwise.
    fn decode(raw: Raw) -> ChResult<Value> {
        let Some(j) = raw.json else { return Err(by_status(raw.status, &raw.text)) };
        let code = int(j.get("status").and_then(|s| s.get("code"))).unwrap_or(i64::from(raw.status));
        let message = text(j.get("status").and_then(|s| s.get("message")));
        if j.get("success").and_then(Value::as_bool) == Some(true) && raw.status < 300 {
            return Ok(j.get("data").cloned().unwrap_or(Value::Null));
        }
        if raw.status >= 500 || code >= 500 {
            return Err(ChannelError::Server { status: raw.status.max(500), detail: message });
        }
        Err(match code {
            401 | 403 => ChannelError::Auth { message },
            404 => ChannelError::NotFound { detail: message },
            _ if j.get("success").is_none() => ChannelError::Undecodable { detail: raw.text },
            _ => ChannelError::Refused { code, message },
        })
    }

    async fn call(&self, verb: Verb, path: &str, query: &[(String, String)], body: Option<&Value>) -> ChResult<Value> {
        Self::decode(self.http.send(verb, path, query, body).await?)
    }

    /// An order object of seed 004 in our terms (`bucket`: the merchant list it came from).
    pub fn order_from(v: &Value, bucket: Option<i64>) -> ChResult<RemoteOrder> {
        let rid = text(v.get("rid"));
        if rid.is_empty() {
            return Err(ChannelError::Undecodable { detail: "order without rid".into() });
        }
        let code = int(v.get("status"))
            .ok_or_else(|| ChannelError::Undecodable { detail: format!("order {rid} without a numeric status") })?;
        let pickup = int(v.get("ship_mode")) == Some(2);
        let lines = v
            .get("items")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|it| RemoteLine {
                        sku: text(it.get("rid")),
                        name: text(it.get("product_name")),
                        quantity: int(it.get("quantity")).unwrap_or(1),
                        price: money(it.get("deal_price"))
                            .or_else(|| money(it.get("price")))
                            .unwrap_or(crate::domain::Money::ZERO),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let created_at = int(v.get("created_at")).and_then(|s| chrono::DateTime::from_timestamp(s, 0));
        let outside = text(v.get("outside_target_id"));
        Ok(RemoteOrder {
            remote_id: rid.clone(),
            number: rid,
            status: omni_status_in_bucket(code, pickup, bucket),
            refund_raw: None,
            our_ref: (!outside.is_empty()).then_some(outside),
            total: money(v.get("pay_amount")).or_else(|| money(v.get("total_amount"))),
            created_at,
            pickup,
            contact: text(v.get("buyer_name")),
            phone: text(v.get("buyer_phone")),
            remark: text(v.get("buyer_remark")),
            lines,
            extra: json!({
                "status_code": code,
                "ship_mode": int(v.get("ship_mode")),
                "payed_at": int(v.get("payed_at")),
                "received_at": int(v.get("received_at")),
                "seller_remark": v.get("remark").cloned().unwrap_or(Value::Null),
                "freight": v.get("freight").cloned().unwrap_or(Value::Null),
            }),
        })
    }

    fn orders_of(data: &Value, bucket: Option<i64>) -> (Vec<RemoteOrder>, bool) {
        let (rows, more) = match data {
            Value::Array(a) => (a.clone(), false),
            Value::Object(m) => (
                m.get("orders").or_else(|| m.get("list")).and_then(Value::as_array).cloned().unwrap_or_default(),
                m.get("next").and_then(Value::as_bool).unwrap_or(false),
            ),
            _ => (vec![], false),
        };
        (rows.iter().filter_map(|r| Self::order_from(r, bucket).ok()).collect(), more)
    }

    async fn master_page(
        &self,
        extra: &[(&str, String)],
        page: u32,
        bucket: Option<i64>,
    ) -> ChResult<(Vec<RemoteOrder>, bool)> {
        let mut q: Vec<(String, String)> =
            vec![("page".into(), page.to_string()), ("per_page".into(), PER_PAGE.to_string())];
        q.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let data = self.call(Verb::Get, "/master/orders", &q, None).await?;
        Ok(Self::orders_of(&data, bucket))
    }

    /// Is `rid` in the cancelled bucket?
    async fn is_canceled(&self, rid: &str) -> ChResult<bool> {
        let (rows, _) = self.master_page(&[("status", "4".into()), ("search", rid.into())], 1, Some(4)).await?;
        Ok(rows.iter().any(|o| o.remote_id == rid))
    }

    async fn detail(&self, rid: &str) -> ChResult<RemoteOrder> {
        let v = self.call(Verb::Get, &format!("/orders/{}", seg(rid)), &[], None).await?;
        let o = Self::order_from(&v, None)?;
        if o.status.ours().is_none() && self.is_canceled(rid).await? {
            return Self::order_from(&v, Some(4));
        }
        Ok(o)
    }

    async fn cancel(&self, rid: &str) -> ChResult<RemoteOrder> {
        let cur = self.detail(rid).await?;
        if cur.status.ours() == Some(crate::domain::order::Status::ClosedCanceled) {
            return Ok(cur);
        }
        match self.call(Verb::Post, "/orders/cancel", &[], Some(&json!({ "rid": rid, "from_client": 1 }))).await {
            Ok(_) => self.detail(rid).await,
            Err(e @ ChannelError::Refused { .. }) => {
                // Refused: maybe an earlier attempt whose answer was lost already did it.
                let back = self.detail(rid).await?;
                if back.status.ours() == Some(crate::domain::order::Status::ClosedCanceled) {
                    Ok(back)
                } else {
                    Err(e)
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn walk(&self, rid: &str, target: i64, steps: &[mapping::OmniStep]) -> ChResult<RemoteOrder> {
        let mut cur = self.detail(rid).await?;
        let target_rank = omni_rank(target).unwrap_or(0);
        for step in steps {
            let code = int(cur.extra.get("status_code")).unwrap_or(-1);
            let Some(rank) = omni_rank(code) else {
                return Err(ChannelError::Refused {
                    code: 409,
                    message: format!("order {rid} stands at status {code}, off the walk"),
                });
            };
            if rank >= target_rank {
                break;
            }
            let paid = int(cur.extra.get("payed_at")).unwrap_or(0) > 0;
            let is_paid_step = step.path == mapping::UP_PAID.path;
            if (is_paid_step && paid) || (!is_paid_step && omni_rank(step.to).unwrap_or(0) <= rank) {
                continue;
            }
            match self.call(Verb::Post, step.path, &[], Some(&json!({ "rid": rid }))).await {
                Ok(data) => {
                    cur = match data.get("order") {
                        Some(o) => Self::order_from(o, None)?,
                        None => self.detail(rid).await?,
                    };
                }
                Err(ChannelError::Refused { code, message }) => {
                    // Read back: a lost earlier answer may have moved it already.
                    cur = self.detail(rid).await?;
                    let now = int(cur.extra.get("status_code")).and_then(omni_rank);
                    if now.map(|r| r < omni_rank(step.to).unwrap_or(0)).unwrap_or(true) {
                        return Err(ChannelError::Refused { code, message });
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let at = int(cur.extra.get("status_code")).and_then(omni_rank);
        if at.map(|r| r >= target_rank).unwrap_or(false) {
            Ok(cur)
        } else {
            Err(ChannelError::Refused {
                code: 409,
                message: format!("order {rid} did not reach status {target} (stands at {})", cur.status.raw()),
            })
        }
    }
}

impl OrderChannel for Omni {
    fn id(&self) -> &str {
        &self.id
    }

    fn dialect(&self) -> Dialect {
        Dialect::Omni
    }

    fn report_sale<'a>(&'a self, sale: &'a SaleReport) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(async move {
            let items: Vec<Value> =
                sale.items.iter().map(|(sku, q)| json!({ "rid": sku, "quantity": q, "express_id": 0 })).collect();
            let mut store = json!({ "store_rid": self.store_rid, "items": items });
            if !sale.remark.trim().is_empty() {
                store["buyer_remark"] = json!(sale.remark);
            }
            let body = json!({
                "address_rid": self.address_rid,
                "outside_target_id": sale.client_ref,
                "ship_mode": 2,
                "from_client": sale.from_client.to_string(),
                "store_items": [store],
            });
            let data = self.call(Verb::Post, "/orders/create", &[], Some(&body)).await?;
            let first = data.get("orders").and_then(Value::as_array).and_then(|a| a.first()).cloned();
            match first {
                Some(o) => Self::order_from(&o, None),
                None => Err(ChannelError::Undecodable { detail: "create answer without orders".into() }),
            }
        })
    }

    fn find_sale<'a>(
        &'a self,
        client_ref: &'a str,
        _around: chrono::DateTime<chrono::Utc>,
    ) -> BoxFuture<'a, ChResult<Option<RemoteOrder>>> {
        Box::pin(async move {
            for page in 1..=LOOKUP_PAGES {
                let (rows, more) = self.master_page(&[("search", client_ref.to_string())], page, None).await?;
                // The search is loose (names, numbers): only an exact outside_target_id counts.
                if let Some(o) = rows.into_iter().find(|o| o.our_ref.as_deref() == Some(client_ref)) {
                    return Ok(Some(o));
                }
                if !more {
                    break;
                }
            }
            Ok(None)
        })
    }

    fn get_order<'a>(&'a self, remote_id: &'a str) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(self.detail(remote_id))
    }

    fn tell<'a>(&'a self, remote_id: &'a str, _pickup: bool, tell: Tell) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(async move {
            match tell {
                Tell::Reject => self.cancel(remote_id).await,
                Tell::Status(s) => match mapping::omni_tell(s) {
                    OmniTell::Cancel => self.cancel(remote_id).await,
                    OmniTell::Walk { target, steps } => self.walk(remote_id, target, steps).await,
                    OmniTell::NotTold => Err(ChannelError::Unsupported {
                        what: format!("status {} has no seed-004 equivalent", s.as_str()),
                    }),
                },
            }
        })
    }

    fn pull<'a>(&'a self, pages: u32) -> BoxFuture<'a, ChResult<Pulled>> {
        Box::pin(async move {
            let mut out = Pulled { for_board: true, ..Default::default() };
            // 1 待发货: new merchant orders; 4 已取消: cancellations (the number is undocumented).
            for bucket in [1i64, 4] {
                for page in 1..=pages.max(1) {
                    let (rows, more) = self.master_page(&[("status", bucket.to_string())], page, Some(bucket)).await?;
                    out.orders.extend(rows);
                    if !more {
                        break;
                    }
                }
            }
            let _ = OMNI_WALK;
            Ok(out)
        })
    }

    fn action<'a>(&'a self, remote_id: &'a str, action: &'a ChannelAction) -> BoxFuture<'a, ChResult<String>> {
        Box::pin(async move {
            match action {
                ChannelAction::Cancel => self.cancel(remote_id).await.map(|_| "Ok all right.".into()),
                ChannelAction::Receipt => self
                    .walk(remote_id, 20, &[mapping::OmniStep { path: "/orders/signed", to: 20 }])
                    .await
                    .map(|_| "Ok all right.".into()),
                ChannelAction::SellerRemark { remark } => {
                    self.call(
                        Verb::Put,
                        &format!("/orders/{}/seller_remark", seg(remote_id)),
                        &[],
                        Some(&json!({ "remark": remark })),
                    )
                    .await?;
                    Ok("Ok all right.".into())
                }
                other => {
                    Err(ChannelError::Unsupported { what: format!("{} (seed 004 has no such call)", other.name()) })
                }
            }
        })
    }

    fn payment_status<'a>(&'a self, remote_id: &'a str) -> BoxFuture<'a, ChResult<bool>> {
        Box::pin(async move {
            let d = self.call(Verb::Post, "/orders/check_order_paid", &[], Some(&json!({ "rid": remote_id }))).await?;
            d.get("paid")
                .and_then(Value::as_bool)
                .ok_or_else(|| ChannelError::Undecodable { detail: "check_order_paid without paid".into() })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::Status;

    fn raw(status: u16, body: &str) -> Raw {
        Raw { status, json: serde_json::from_str::<Value>(body).ok().filter(Value::is_object), text: body.into() }
    }

    #[test]
    fn envelope_errors_are_typed() {
        assert_eq!(
            Omni::decode(raw(400, r#"{"status":{"code":400,"message":"订单状态错误"},"success":false}"#)),
            Err(ChannelError::Refused { code: 400, message: "订单状态错误".into() })
        );
        assert!(matches!(
            Omni::decode(raw(404, r#"{"status":{"code":404,"message":"Not Found"},"success":false}"#)),
            Err(ChannelError::NotFound { .. })
        ));
        assert!(matches!(
            Omni::decode(raw(401, r#"{"status":{"code":401,"message":"x"},"success":false}"#)),
            Err(ChannelError::Auth { .. })
        ));
        assert!(matches!(Omni::decode(raw(502, "<html>")), Err(ChannelError::Server { status: 502, .. })));
        assert!(matches!(
            Omni::decode(raw(200, "{\"status_code\":0,\"data\":{\"order_num")),
            Err(ChannelError::Undecodable { .. })
        ));
        assert_eq!(
            Omni::decode(raw(201, r#"{"data":{"x":1},"status":{"code":201,"message":"All created."},"success":true}"#)),
            Ok(json!({"x": 1}))
        );
    }

    #[test]
    fn order_decodes_exactly_and_keeps_unknown_status() {
        let v = json!({"rid": "D18070316803529", "status": 5, "ship_mode": 1, "pay_amount": 17.10, "created_at": 1530608616,
                       "outside_target_id": "abc", "items": [{"rid": "1", "product_name": "摩托", "quantity": 3, "deal_price": 1.7}]});
        let o = Omni::order_from(&v, None).unwrap();
        assert_eq!(o.total.unwrap().to_string(), "17.10");
        assert_eq!(o.status.ours(), Some(Status::CreatedPayPending));
        assert_eq!(o.created_at.unwrap().timestamp(), 1530608616);
        assert_eq!(o.our_ref.as_deref(), Some("abc"));
        assert_eq!(o.lines[0].price.to_string(), "1.70");
        let u = Omni::order_from(&json!({"rid": "D1", "status": 77}), None).unwrap();
        assert_eq!(u.status, super::super::ChannelStatus::Unknown { raw: "77".into() });
        assert!(Omni::order_from(&json!({"rid": "D1", "status": "x"}), None).is_err());
    }
}
