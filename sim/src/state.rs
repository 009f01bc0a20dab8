//! The simulator's data: orders, after-sales services, WeChat codes, tokens, clock.
//!
//! Everything in [`Data`] is what `--state FILE` persists and what `/sim/state` shows,
//! so the types are plain serde structs. Behaviour lives in `orders.rs`,
//! `after_sales.rs`, `auth.rs` and `wechat.rs`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Every order status of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    CreatedPayPending,
    ClosedPayTimeout,
    ClosedCanceled,
    PaidConfirmPending,
    ConfirmedDeliverPending,
    Delivering,
    DeliveredConfirmPending,
    CanceledReturnPending,
    ClosedConfirmed,
    CanceledRefundPending,
    ClosedRefunded,
    ConfirmedPickPending,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 12] = [
        OrderStatus::CreatedPayPending,
        OrderStatus::ClosedPayTimeout,
        OrderStatus::ClosedCanceled,
        OrderStatus::PaidConfirmPending,
        OrderStatus::ConfirmedDeliverPending,
        OrderStatus::Delivering,
        OrderStatus::DeliveredConfirmPending,
        OrderStatus::CanceledReturnPending,
        OrderStatus::ClosedConfirmed,
        OrderStatus::CanceledRefundPending,
        OrderStatus::ClosedRefunded,
        OrderStatus::ConfirmedPickPending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::CreatedPayPending => "CREATED_PAY_PENDING",
            OrderStatus::ClosedPayTimeout => "CLOSED_PAY_TIMEOUT",
            OrderStatus::ClosedCanceled => "CLOSED_CANCELED",
            OrderStatus::PaidConfirmPending => "PAID_CONFIRM_PENDING",
            OrderStatus::ConfirmedDeliverPending => "CONFIRMED_DELIVER_PENDING",
            OrderStatus::Delivering => "DELIVERING",
            OrderStatus::DeliveredConfirmPending => "DELIVERED_CONFIRM_PENDING",
            OrderStatus::CanceledReturnPending => "CANCELED_RETURN_PENDING",
            OrderStatus::ClosedConfirmed => "CLOSED_CONFIRMED",
            OrderStatus::CanceledRefundPending => "CANCELED_REFUND_PENDING",
            OrderStatus::ClosedRefunded => "CLOSED_REFUNDED",
            OrderStatus::ConfirmedPickPending => "CONFIRMED_PICK_PENDING",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// ORDER (online, placed by a customer) or STORE_ORDER (counter, placed by a clerk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderType {
    Order,
    StoreOrder,
}

impl OrderType {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Order => "ORDER",
            OrderType::StoreOrder => "STORE_ORDER",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryType {
    SelfPick,
    Flash,
}

impl DeliveryType {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryType::SelfPick => "SELF_PICK",
            DeliveryType::Flash => "FLASH",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub id: u64,
    pub order_id: u64,
    pub product_id: u64,
    pub product_specification_id: Option<u64>,
    pub product_specification_name: Option<String>,
    pub product_name: String,
    pub barcode: String,
    /// Field mode stores 0 and negative quantities as sent.
    pub quantity: i64,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub price: Decimal,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub final_price: Decimal,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cost_price: Decimal,
}

/// One recorded status step (every step of a field-mode walk is its own entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub at: String,
    pub action: String,
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: u64,
    pub order_number: String,
    #[serde(rename = "type")]
    pub order_type: OrderType,
    pub delivery_type: DeliveryType,
    pub payment_type: String,
    pub status: OrderStatus,
    pub previous_status: Option<OrderStatus>,
    /// None once a FLASH order was rejected: it left every store's lists.
    pub store_id: Option<u64>,
    /// The store the order was placed for (kept after a reject, for /sim/state).
    pub original_store_id: u64,
    pub store_name: Option<String>,
    pub store_user_id: Option<String>,
    pub store_user_name: Option<String>,
    pub user_id: u64,
    pub user_name: String,
    pub contact_user: String,
    pub phone: String,
    pub remark: Option<String>,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub total_price: Decimal,
    pub created_date: DateTime<Utc>,
    pub pay_date: Option<DateTime<Utc>>,
    pub confirm_date: Option<DateTime<Utc>>,
    pub deliver_date: Option<DateTime<Utc>>,
    pub delivered_date: Option<DateTime<Utc>>,
    pub deal_date: Option<DateTime<Utc>>,
    pub trade_number: Option<String>,
    /// The customer paid (scanned an old WeChat code) after the order was cancelled.
    #[serde(default)]
    pub paid_after_cancel: bool,
    pub items: Vec<OrderItem>,
    pub history: Vec<StatusChange>,
    /// The platform account that created the order (counter orders); None for online
    /// orders placed by customers.
    #[serde(default)]
    pub account: Option<String>,
    /// That account's user id (the order number's suffix in field mode).
    #[serde(default)]
    pub account_user_id: Option<u64>,
    /// Counter orders: the `contact` object, `invoice`, `invoice_title` and `origin` as sent.
    #[serde(default)]
    pub customer: Option<CounterCustomer>,
}

/// What a counter create carried about its customer (stored as sent), and the member the
/// platform attached the order to (field mode).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CounterCustomer {
    pub contact: Option<serde_json::Value>,
    pub invoice: Option<serde_json::Value>,
    pub invoice_title: Option<String>,
    pub origin: Option<String>,
    pub store_guide_user_id: Option<u64>,
    pub store_guide_user_name: Option<String>,
    pub followed_store_id: Option<u64>,
    pub binding_store_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceItem {
    pub id: u64,
    pub order_customer_service_id: u64,
    /// RETURN or EXCHANGE.
    #[serde(rename = "type")]
    pub item_type: String,
    pub product_id: u64,
    pub product_specification_id: Option<u64>,
    pub product_specification_name: Option<String>,
    pub product_name: String,
    pub quantity: i64,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub price: Decimal,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub final_price: Decimal,
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub refund_fee: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cost_price: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub time: String,
    pub user: String,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: u64,
    pub service_number: String,
    pub service_type: String,
    pub status: String,
    pub store_id: String,
    pub store_name: Option<String>,
    pub store_user_id: String,
    pub store_user_name: String,
    pub order_number: Option<String>,
    pub order_id: Option<u64>,
    pub reason: String,
    pub content: Option<String>,
    pub images: Vec<String>,
    pub log: Vec<LogEntry>,
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub refund_fee: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub supplementary_fee: Option<Decimal>,
    pub returns: Vec<ServiceItem>,
    pub exchanges: Vec<ServiceItem>,
    pub created_date: DateTime<Utc>,
    /// Field mode: ORIGINAL_PATH (the default) or OTHER_WAY (`"otherway": true`), as the real
    /// server spells them; documented mode OTHERWAY when the till sent `"otherway": true`.
    #[serde(default)]
    pub refund_way: Option<String>,
}

/// A platform account of this store (field mode has several; each has a user id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub username: String,
    pub password: String,
    pub user_id: u64,
}

/// A WeChat NATIVE code handed out by push_order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WxCode {
    pub code_url: String,
    pub order_number: String,
    pub created: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// A newer push_order for the same order replaced this code.
    pub superseded: bool,
    pub used: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub token: String,
    pub username: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Everything that persists across a restart (`--state FILE`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Data {
    pub next_order_id: u64,
    pub next_item_id: u64,
    pub next_service_id: u64,
    pub next_service_item_id: u64,
    pub orders: Vec<Order>,
    pub services: Vec<Service>,
    pub codes: Vec<WxCode>,
    pub tokens: Vec<Token>,
    /// Sim clock = wall clock + this offset (moved by `POST /sim/clock`).
    pub clock_offset_s: i64,
    /// Orders of the omni (seed 004) and api (seed 001) dialects.
    #[serde(default)]
    pub dialects: crate::dialects::DialectData,
    /// The store's accounts (the `--username` one first, user id 2); `POST /sim/accounts` adds more.
    #[serde(default)]
    pub accounts: Vec<Account>,
}

impl Data {
    pub fn new() -> Data {
        Data { next_order_id: 1, next_item_id: 1, next_service_id: 1, next_service_item_id: 1, ..Data::default() }
    }

    /// The FIRST order stored with this number (numbers may repeat in field mode).
    pub fn order(&self, number: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.order_number == number)
    }

    pub fn order_mut(&mut self, number: &str) -> Option<&mut Order> {
        self.orders.iter_mut().find(|o| o.order_number == number)
    }

    pub fn alloc_order_id(&mut self) -> u64 {
        let id = self.next_order_id.max(1);
        self.next_order_id = id + 1;
        id
    }

    pub fn alloc_item_id(&mut self) -> u64 {
        let id = self.next_item_id.max(1);
        self.next_item_id = id + 1;
        id
    }

    pub fn alloc_service_id(&mut self) -> u64 {
        let id = self.next_service_id.max(1);
        self.next_service_id = id + 1;
        id
    }

    pub fn alloc_service_item_id(&mut self) -> u64 {
        let id = self.next_service_item_id.max(1);
        self.next_service_item_id = id + 1;
        id
    }
}
