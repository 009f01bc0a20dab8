//! Wire types of the platform's `/rest/store` API (seed 000). Money arrives as JSON
//! numbers and is decoded exactly into [`Money`] (serde_json `arbitrary_precision`).
//! Fields the platform may omit or null are defaulted: the real server is not always
//! faithful to its documents.

use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::Money;

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PlatformItem {
    #[serde(default)]
    pub id: Option<i64>,
    pub product_id: i64,
    #[serde(default)]
    pub product_specification_id: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub product_name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub product_specification_name: String,
    pub quantity: i64,
    /// Unit price.
    pub price: Money,
    #[serde(default)]
    pub final_price: Option<Money>,
    #[serde(default)]
    pub barcode: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PlatformOrder {
    #[serde(default)]
    pub id: Option<i64>,
    pub order_number: String,
    pub status: String,
    #[serde(default, rename = "type", deserialize_with = "null_default")]
    pub order_type: String,
    #[serde(default, deserialize_with = "null_default")]
    pub delivery_type: String,
    #[serde(default, deserialize_with = "null_default")]
    pub payment_type: String,
    pub total_price: Money,
    #[serde(default, deserialize_with = "null_default")]
    pub remark: String,
    #[serde(default, deserialize_with = "null_default")]
    pub contact_user: String,
    #[serde(default, deserialize_with = "null_default")]
    pub phone: String,
    #[serde(default, deserialize_with = "null_default")]
    pub created_date: String,
    #[serde(default)]
    pub pay_date: Option<String>,
    #[serde(default)]
    pub store_id: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub order_items: Vec<PlatformItem>,
    /// The order's user: the creating clerk's account, or the member the platform
    /// attached it to by `contact.phone` (a number or a string).
    #[serde(default)]
    pub user_id: Option<serde_json::Value>,
    /// The clerk who created it (结算店员).
    #[serde(default)]
    pub store_user_id: Option<serde_json::Value>,
}

impl PlatformOrder {
    fn id_of(v: &Option<serde_json::Value>) -> Option<i64> {
        match v {
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
    }
    /// The member the platform attached the order to: its user when that is not the
    /// clerk who created it.
    pub fn attached_member(&self) -> Option<i64> {
        match (Self::id_of(&self.user_id), Self::id_of(&self.store_user_id)) {
            (Some(u), Some(clerk)) if u != clerk => Some(u),
            _ => None,
        }
    }
}

/// Body of `POST /rest/store/order_customer_service`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceCreate {
    #[serde(default)]
    pub store_id: Option<serde_json::Value>,
    #[serde(default)]
    pub store_name: Option<String>,
    #[serde(default)]
    pub order_number: Option<String>,
    pub service_type: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub returns: Vec<ServiceReturn>,
    #[serde(default)]
    pub exchanges: Vec<ServiceExchange>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceReturn {
    pub product_id: i64,
    #[serde(default)]
    pub product_specification_id: Option<i64>,
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub refund_fee: Option<Money>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceExchange {
    pub product_id: i64,
    #[serde(default)]
    pub product_specification_id: Option<i64>,
    pub quantity: i64,
    /// Not in the platform's body; accepted so a quote can run without a catalog.
    #[serde(default, skip_serializing)]
    pub price: Option<Money>,
}
