//! Wire shapes the sync client reads besides [`super::types`]: the envelope, pages,
//! products, after-sales services and `order_count`. Decoding is pure and total: any
//! byte string (JSON, HTML, truncated) becomes a value or a typed [`PlatformError`],
//! never a panic.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::client::PlatformError;
use crate::domain::Money;

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Money that may be absent, null, or junk: junk decodes as None rather than failing
/// the whole row (a list row's price is never what we decide on).
fn lenient_money<'de, D>(d: D) -> Result<Option<Money>, D::Error>
where
    D: Deserializer<'de>,
{
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.and_then(|v| serde_json::from_value::<Money>(v).ok()))
}

/// Numbers or numeric strings (ids arrive both ways).
fn lenient_i64<'de, D>(d: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.to_string().parse().ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// `{"totalRow","pageNumber","lastPage","list":[…]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    #[serde(default, rename = "totalRow")]
    pub total_row: Option<i64>,
    #[serde(default, rename = "pageNumber")]
    pub page_number: Option<i64>,
    #[serde(default, rename = "lastPage")]
    pub last_page: Option<bool>,
    #[serde(default, rename = "totalPage")]
    pub total_page: Option<i64>,
    #[serde(default, rename = "pageSize")]
    pub page_size: Option<i64>,
    #[serde(default = "Vec::new", deserialize_with = "null_default")]
    pub list: Vec<T>,
}

impl<T> Page<T> {
    /// True when no later page can exist. A short or empty page always ends the list:
    /// the field server's `lastPage` is false even on an empty page past the end.
    pub fn is_last(&self, asked_size: usize) -> bool {
        if self.list.len() < asked_size || self.last_page == Some(true) {
            return true;
        }
        matches!((self.total_page, self.page_number), (Some(t), Some(n)) if n >= t && self.last_page.is_none())
    }
}

/// A row of `GET /rest/store/order` (no `order_items`). Only the number is required;
/// everything else is lenient so one odd field never hides a row from a lookup.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrderRow {
    pub order_number: String,
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
    #[serde(default, rename = "type", deserialize_with = "null_default")]
    pub order_type: String,
    #[serde(default, deserialize_with = "null_default")]
    pub delivery_type: String,
    #[serde(default, deserialize_with = "null_default")]
    pub payment_type: String,
    #[serde(default, deserialize_with = "lenient_money")]
    pub total_price: Option<Money>,
    #[serde(default, deserialize_with = "null_default")]
    pub remark: String,
    #[serde(default, deserialize_with = "null_default")]
    pub contact_user: String,
    #[serde(default, deserialize_with = "null_default")]
    pub phone: String,
    #[serde(default, deserialize_with = "null_default")]
    pub created_date: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub store_id: Option<i64>,
}

/// A catalog product (`/rest/product?all=true` rows; the detail adds specifications).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i64,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub category_id: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub category_name: String,
    pub price: Money,
    #[serde(default)]
    pub barcode: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
    #[serde(default)]
    pub specifications: Option<Vec<SpecificationRow>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpecificationRow {
    pub id: i64,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    pub price: Money,
    #[serde(default)]
    pub barcode: Option<String>,
}

/// An after-sales service row or detail.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceRow {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub service_number: String,
    #[serde(default, deserialize_with = "null_default")]
    pub service_type: String,
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
    #[serde(default, deserialize_with = "null_default")]
    pub reason: String,
    #[serde(default)]
    pub content: Option<String>,
    /// A JSON *string* on the wire (`[{"time","user","content"}]`); the content the
    /// clerk typed (our marker) is in there.
    #[serde(default)]
    pub log: Option<Value>,
    #[serde(default, deserialize_with = "lenient_money")]
    pub refund_fee: Option<Money>,
    #[serde(default, deserialize_with = "lenient_money")]
    pub supplementary_fee: Option<Money>,
    #[serde(default)]
    pub order_number: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub created_date: String,
}

impl ServiceRow {
    /// Every text the platform kept of what we sent: content, reason, log.
    pub fn texts(&self) -> Vec<String> {
        let mut v = vec![self.reason.clone()];
        if let Some(c) = &self.content {
            v.push(c.clone());
        }
        match &self.log {
            Some(Value::String(s)) => v.push(s.clone()),
            Some(other) => v.push(other.to_string()),
            None => {}
        }
        v
    }
}

/// `GET /rest/store/order_count`. `totalPrice` is a float on the field server: decoded
/// from its text, never through f64.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, TS)]
pub struct PlatformCount {
    #[serde(rename = "totalPrice", default, deserialize_with = "lenient_money")]
    pub total_price: Option<Money>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub total: Option<i64>,
    #[serde(rename = "handlePending", default, deserialize_with = "lenient_i64")]
    pub handle_pending: Option<i64>,
    #[serde(rename = "pickPending", default, deserialize_with = "lenient_i64")]
    pub pick_pending: Option<i64>,
    #[serde(rename = "deliverPending", default, deserialize_with = "lenient_i64")]
    pub deliver_pending: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub delivering: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub closed: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub cancled: Option<i64>,
}

/// What a successful envelope carried.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Data(Value),
    Message(String),
}

impl Answer {
    pub fn message(&self) -> Option<&str> {
        match self {
            Answer::Message(m) => Some(m),
            Answer::Data(_) => None,
        }
    }
}

pub const AUTH_MESSAGES: &[&str] = &["token.expired", "auth.error", "authorization.header.missing"];

/// The start of an answer, for an error message (shown and logged): customers' phone
/// numbers masked.
fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let s = s.chars().filter(|c| !c.is_control() || *c == ' ').collect::<String>();
    crate::clients::transport::mask_phones(s.trim())
}

/// Decodes one HTTP answer into the envelope's content or a typed error. Pure.
pub fn decode_envelope(status: u16, body: &[u8]) -> Result<Answer, PlatformError> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let obj = json.as_ref().and_then(Value::as_object);
    let code = obj
        .and_then(|o| o.get("status_code"))
        .and_then(|c| c.as_i64().or_else(|| c.as_str().and_then(|s| s.trim().parse().ok())));
    let message = obj.and_then(|o| o.get("message")).and_then(Value::as_str).map(str::to_string);
    if status == 401 || code == Some(401) {
        return Err(PlatformError::Auth { message: message.unwrap_or_else(|| "401".into()) });
    }
    if status == 404 {
        return Err(PlatformError::NotFound { status, detail: message.unwrap_or_else(|| snippet(body)) });
    }
    if status >= 500 {
        return Err(PlatformError::Server { status, detail: snippet(body) });
    }
    if !(200..300).contains(&status) {
        return Err(PlatformError::Http { status, detail: message.unwrap_or_else(|| snippet(body)) });
    }
    let Some(o) = obj else {
        return Err(PlatformError::Undecodable { detail: snippet(body) });
    };
    match code {
        Some(0) => match o.get("data") {
            Some(d) if !d.is_null() => Ok(Answer::Data(d.clone())),
            _ => Ok(Answer::Message(message.unwrap_or_default())),
        },
        Some(_) => {
            let m = message.unwrap_or_default();
            if AUTH_MESSAGES.contains(&m.as_str()) {
                Err(PlatformError::Auth { message: m })
            } else {
                Err(PlatformError::Refused { message: m })
            }
        }
        None => Err(PlatformError::Undecodable { detail: snippet(body) }),
    }
}

/// The `data` of an answer as `T`; a message where data was expected, or data of the
/// wrong shape, is undecodable (outcome unknown).
pub fn data_as<T: serde::de::DeserializeOwned>(a: Answer) -> Result<T, PlatformError> {
    match a {
        Answer::Data(v) => serde_json::from_value(v)
            .map_err(|e| PlatformError::Undecodable { detail: format!("unexpected data: {e}") }),
        Answer::Message(m) => Err(PlatformError::Undecodable { detail: format!("expected data, got message {m:?}") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::platform::types::PlatformOrder;
    use proptest::prelude::*;

    #[test]
    fn envelopes() {
        assert_eq!(decode_envelope(200, br#"{"status_code":0,"message":"ok"}"#).unwrap(), Answer::Message("ok".into()));
        assert!(matches!(decode_envelope(200, br#"{"status_code":0,"data":{"a":1}}"#).unwrap(), Answer::Data(_)));
        match decode_envelope(200, "{\"status_code\":1,\"message\":\"新建订单失败 - 库存不足\"}".as_bytes()) {
            Err(PlatformError::Refused { message }) => assert_eq!(message, "新建订单失败 - 库存不足"),
            e => panic!("{e:?}"),
        }
        assert!(matches!(
            decode_envelope(401, br#"{"status_code":401,"message":"token.expired"}"#),
            Err(PlatformError::Auth { .. })
        ));
        assert!(matches!(
            decode_envelope(200, br#"{"status_code":1,"message":"auth.error"}"#),
            Err(PlatformError::Auth { .. })
        ));
        assert!(matches!(decode_envelope(404, b"<html>HTTP ERROR 404</html>"), Err(PlatformError::NotFound { .. })));
        let e = decode_envelope(500, b"<html>HTTP ERROR 500</html>").unwrap_err();
        assert!(matches!(e, PlatformError::Server { status: 500, .. }));
        assert!(e.may_have_applied());
        let g = decode_envelope(200, br#"{"status_code":0,"data":{"order_num"#).unwrap_err();
        assert!(matches!(g, PlatformError::Undecodable { .. }) && g.may_have_applied());
        assert!(!PlatformError::Refused { message: "x".into() }.may_have_applied());
    }

    #[test]
    fn money_in_rows_is_exact() {
        let row: OrderRow = serde_json::from_str(
            r#"{"order_number":"1807211438130001","total_price":34.80,"remark":null,"store_id":"1"}"#,
        )
        .unwrap();
        assert_eq!(row.total_price.unwrap().fen(), 3480);
        assert_eq!(row.store_id, Some(1));
        let c: PlatformCount = serde_json::from_str(r#"{"totalPrice":14566.0,"total":3,"cancled":1}"#).unwrap();
        assert_eq!(c.total_price.unwrap().fen(), 1456600);
        let o: PlatformOrder = serde_json::from_str(r#"{"order_number":"1","status":"PAID_CONFIRM_PENDING","total_price":8,"order_items":[{"product_id":1,"quantity":2,"price":4}]}"#).unwrap();
        assert_eq!(o.order_items[0].price.fen(), 400);
    }

    /// What the field-mode platform (and `storepos sim --mode field`) sends: string
    /// store_id, date-only create answer, 2-decimal money, null contact fields, an
    /// `order_customer_services` array and stored 0 / negative quantities.
    #[test]
    fn field_value_types_decode() {
        let create = r#"{"id":3,"order_number":"2611241813167052","type":"STORE_ORDER","status":"CREATED_PAY_PENDING",
            "previous_status":null,"payment_type":"CASH","store_id":"1","store_name":"总店","contact_user":null,"phone":null,
            "remark":"x [spos:1]","total_price":10.00,"freight":0.00,"created_date":"2026-11-24","pay_date":null,
            "order_items":[{"id":1,"product_id":1,"quantity":-2,"price":5.00,"final_price":-10.00,"cost_price":3.00}],
            "order_customer_services":[{"id":1,"service_number":"2611241813167052-1","status":"CREATED","refund_fee":10.00}]}"#;
        let o: PlatformOrder = serde_json::from_str(create).unwrap();
        assert_eq!((o.total_price.fen(), o.created_date.as_str(), o.contact_user.as_str()), (1000, "2026-11-24", ""));
        assert_eq!((o.order_items[0].quantity, o.order_items[0].final_price.unwrap().fen()), (-2, -1000));
        assert_eq!(o.store_id, Some(serde_json::json!("1")));
        let row: OrderRow = serde_json::from_str(create).unwrap();
        assert_eq!((row.store_id, row.total_price.unwrap().fen()), (Some(1), 1000));
        let svc: ServiceRow = serde_json::from_str(
            r#"{"service_number":"2611241813167052-1","refund_fee":90.00,"supplementary_fee":0.00,"status":"CREATED"}"#,
        )
        .unwrap();
        assert_eq!((svc.refund_fee.unwrap().fen(), svc.supplementary_fee.unwrap().fen()), (9000, 0));
    }

    fn decode_everything(status: u16, body: &[u8]) {
        if let Ok(a) = decode_envelope(status, body) {
            let _ = data_as::<Page<OrderRow>>(a.clone());
            let _ = data_as::<PlatformOrder>(a.clone());
            let _ = data_as::<Vec<ProductRow>>(a.clone());
            let _ = data_as::<Page<ServiceRow>>(a.clone());
            let _ = data_as::<PlatformCount>(a);
        }
    }

    proptest! {
        #[test]
        fn any_bytes_decode_without_panic(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..300)) {
            decode_everything(status, &body);
        }

        #[test]
        fn truncated_answers_are_typed(cut in 0usize..200) {
            let full = br#"{"status_code":0,"data":{"totalRow":1,"lastPage":true,"list":[{"order_number":"2401011200000001","status":"CREATED_PAY_PENDING","total_price":34.80,"remark":"x [spos:abc]"}]}}"#;
            let cut = cut.min(full.len());
            let r = decode_envelope(200, &full[..cut]);
            if cut < full.len() {
                let undecodable = matches!(r, Err(PlatformError::Undecodable { .. }));
                prop_assert!(undecodable, "cut {} gave {:?}", cut, r);
            }
            decode_everything(200, &full[..cut]);
        }

        #[test]
        fn arbitrary_json_values_never_panic(v in arb_json()) {
            let body = serde_json::json!({"status_code": 0, "data": v}).to_string();
            decode_everything(200, body.as_bytes());
            let body = serde_json::json!({"status_code": 0, "data": {"list": [v]}}).to_string();
            decode_everything(200, body.as_bytes());
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            "[0-9]{1,20}\\.[0-9]{0,8}"
                .prop_map(|s| s.parse::<serde_json::Number>().map(Value::Number).unwrap_or(Value::Null)),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::hash_map(
                    prop_oneof![
                        Just("order_number".to_string()),
                        Just("price".to_string()),
                        Just("list".to_string()),
                        Just("id".to_string()),
                        "[a-z_]{1,8}"
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
