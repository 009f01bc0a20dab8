//! Orders as the store sees them: counter sales and online SELF_PICK / FLASH orders.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::discount::DiscountKind;
use super::{DomainError, Money};

/// How the order reached the store. Counter sales are the platform's `STORE_ORDER`;
/// SELF_PICK and FLASH are online `ORDER`s tied to this store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Channel {
    Counter,
    SelfPick,
    Flash,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::SelfPick, Channel::Flash];

    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Counter => "COUNTER",
            Channel::SelfPick => "SELF_PICK",
            Channel::Flash => "FLASH",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn order_type(&self) -> OrderType {
        match self {
            Channel::Counter => OrderType::StoreOrder,
            _ => OrderType::Order,
        }
    }

    /// The kitchen flow of seed 003: counter and FLASH orders are *deliver* (the
    /// ticket prints at once), SELF_PICK is *booking* (prints on check-in).
    pub fn kitchen_flow(&self) -> KitchenFlow {
        match self {
            Channel::SelfPick => KitchenFlow::Booking,
            _ => KitchenFlow::Deliver,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderType {
    StoreOrder,
    Order,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KitchenFlow {
    Booking,
    Deliver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentMethod {
    Cash,
    Wechat,
    /// Paid online on the platform before the order reached the store.
    Online,
}

impl PaymentMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentMethod::Cash => "CASH",
            PaymentMethod::Wechat => "WECHAT",
            PaymentMethod::Online => "ONLINE",
        }
    }
    pub fn parse(s: &str) -> Option<PaymentMethod> {
        [PaymentMethod::Cash, PaymentMethod::Wechat, PaymentMethod::Online].into_iter().find(|p| p.as_str() == s)
    }
}

macro_rules! statuses {
    ($($v:ident => $s:literal, $zh:literal;)*) => {
        /// The platform's twelve order statuses, spelled as the platform spells them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        pub enum Status { $(#[serde(rename = $s)] $v,)* }
        impl Status {
            pub const ALL: &'static [Status] = &[$(Status::$v,)*];
            pub fn as_str(&self) -> &'static str { match self { $(Status::$v => $s,)* } }
            pub fn label_zh(&self) -> &'static str { match self { $(Status::$v => $zh,)* } }
            pub fn parse(s: &str) -> Option<Status> { match s { $($s => Some(Status::$v),)* _ => None } }
        }
    };
}

statuses! {
    CreatedPayPending => "CREATED_PAY_PENDING", "待支付";
    ClosedPayTimeout => "CLOSED_PAY_TIMEOUT", "支付超时关闭";
    ClosedCanceled => "CLOSED_CANCELED", "已取消";
    PaidConfirmPending => "PAID_CONFIRM_PENDING", "已支付";
    ConfirmedDeliverPending => "CONFIRMED_DELIVER_PENDING", "待发货";
    Delivering => "DELIVERING", "发货中";
    DeliveredConfirmPending => "DELIVERED_CONFIRM_PENDING", "已发货";
    CanceledReturnPending => "CANCELED_RETURN_PENDING", "待退货";
    ClosedConfirmed => "CLOSED_CONFIRMED", "已确认收货";
    CanceledRefundPending => "CANCELED_REFUND_PENDING", "待退款";
    ClosedRefunded => "CLOSED_REFUNDED", "已退款";
    ConfirmedPickPending => "CONFIRMED_PICK_PENDING", "待取货";
}

impl Status {
    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            Status::ClosedPayTimeout | Status::ClosedCanceled | Status::ClosedConfirmed | Status::ClosedRefunded
        )
    }
}

/// A line as the cashier asked for it; the ledger fills in name and price from the
/// catalog. Unknown fields are refused: nobody slips a price in through a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct LineRequest {
    pub product_id: i64,
    #[serde(default)]
    pub specification_id: Option<i64>,
    pub quantity: i64,
    #[serde(default)]
    pub memo: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrderLine {
    pub line_no: i64,
    pub product_id: i64,
    pub specification_id: Option<i64>,
    pub name: String,
    pub category: String,
    pub station: Option<String>,
    pub unit_price: Money,
    pub quantity: i64,
    pub line_total: Money,
    pub memo: Option<String>,
}

impl OrderLine {
    /// Builds a priced line; the only place a line total is computed.
    #[allow(clippy::too_many_arguments)]
    pub fn priced(
        line_no: i64,
        product_id: i64,
        specification_id: Option<i64>,
        name: String,
        category: String,
        station: Option<String>,
        unit_price: Money,
        quantity: i64,
        memo: Option<String>,
    ) -> Result<OrderLine, DomainError> {
        validate_quantity(quantity)?;
        if unit_price.is_negative() {
            return Err(DomainError::NegativeAmount(unit_price.to_string()));
        }
        Ok(OrderLine {
            line_no,
            product_id,
            specification_id,
            name,
            category,
            station,
            unit_price,
            quantity,
            line_total: unit_price.times(quantity),
            memo: memo.filter(|m| !m.trim().is_empty()),
        })
    }
}

impl OrderLine {
    /// A line as a platform reports it: the platform's name and price are what the
    /// customer paid. The quantity is clamped into range and a negative price reads as
    /// zero, so an odd answer still lands on the board instead of being dropped.
    #[allow(clippy::too_many_arguments)]
    pub fn reported(
        line_no: i64,
        product_id: i64,
        specification_id: Option<i64>,
        name: String,
        category: String,
        station: Option<String>,
        unit_price: Money,
        quantity: i64,
    ) -> OrderLine {
        let quantity = quantity.clamp(1, 99_999);
        let unit_price = if unit_price.is_negative() { Money::ZERO } else { unit_price };
        OrderLine {
            line_no,
            product_id,
            specification_id,
            name,
            category,
            station,
            unit_price,
            quantity,
            line_total: unit_price.times(quantity),
            memo: None,
        }
    }
}

/// The largest quantity of one line (bounded so `price × qty` can never overflow).
pub const MAX_QUANTITY: i64 = 99_999;

/// Quantities are whole, positive, and at most [`MAX_QUANTITY`].
pub fn validate_quantity(q: i64) -> Result<(), DomainError> {
    if (1..=MAX_QUANTITY).contains(&q) {
        Ok(())
    } else {
        Err(DomainError::BadQuantity(q))
    }
}

pub fn order_total(lines: &[OrderLine]) -> Money {
    lines.iter().map(|l| l.line_total).sum()
}

/// Where the local record stands with the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SyncState {
    Pending,
    Synced,
    Conflict,
    /// Kept on this till only: a person decided the platform will not have it (a create
    /// it kept refusing). Counted in the day's figures, explained in reconciliation.
    Local,
}

impl SyncState {
    pub fn as_str(&self) -> &'static str {
        match self {
            SyncState::Pending => "pending",
            SyncState::Synced => "synced",
            SyncState::Conflict => "conflict",
            SyncState::Local => "local",
        }
    }
    pub fn parse(s: &str) -> SyncState {
        match s {
            "synced" => SyncState::Synced,
            "conflict" => SyncState::Conflict,
            "local" => SyncState::Local,
            _ => SyncState::Pending,
        }
    }
}

/// The remark marker that carries our `client_ref` to the platform. The platform has
/// no idempotency key, so after a lost answer the sync engine finds the order by this
/// marker before it would ever send the create again.
pub fn client_ref_marker(client_ref: &str) -> String {
    format!("[spos:{client_ref}]")
}

/// The marker of a sale's `generation`-th create on the platform. A sale is created
/// again (next generation) when the number of its earlier create turned out to reach
/// another order; each generation's order is told apart by its own marker.
pub fn generation_marker(client_ref: &str, generation: u32) -> String {
    if generation == 0 {
        client_ref_marker(client_ref)
    } else {
        format!("[spos:{client_ref}/g{generation}]")
    }
}

/// Finds a marker in a remark written by [`client_ref_marker`] or
/// [`generation_marker`]: the `client_ref` (whatever the generation).
pub fn parse_client_ref_marker(remark: &str) -> Option<&str> {
    let start = remark.find("[spos:")? + 6;
    let end = remark[start..].find(']')? + start;
    let inner = &remark[start..end];
    Some(match inner.rfind("/g") {
        Some(i) if inner[i + 2..].chars().all(|c| c.is_ascii_digit()) && i + 2 < inner.len() => &inner[..i],
        _ => inner,
    })
}

/// A remark for people: the marker removed.
pub fn strip_client_ref_marker(remark: &str) -> String {
    match (remark.find("[spos:"), remark.find(']')) {
        (Some(s), Some(e)) if e > s => format!("{}{}", &remark[..s], &remark[e + 1..]).trim().to_string(),
        _ => remark.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips() {
        assert_eq!(Status::ALL.len(), 12);
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
            let j = serde_json::to_string(s).unwrap();
            assert_eq!(j, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(Status::parse("CREATED_PAY_PENDDING"), None);
    }

    #[test]
    fn marker_round_trips_inside_a_human_remark() {
        let r = format!("少冰 {}", client_ref_marker("0190-abc"));
        assert_eq!(parse_client_ref_marker(&r), Some("0190-abc"));
        assert_eq!(strip_client_ref_marker(&r), "少冰");
        assert_eq!(parse_client_ref_marker("iPad 端收银界面"), None);
        let g = format!("少冰 {}", generation_marker("0190-abc", 2));
        assert_eq!(g, "少冰 [spos:0190-abc/g2]");
        assert_eq!(parse_client_ref_marker(&g), Some("0190-abc"));
        assert_eq!(strip_client_ref_marker(&g), "少冰");
        assert_eq!(generation_marker("0190-abc", 0), client_ref_marker("0190-abc"));
        // A generation-0 marker is not found inside a later generation's remark.
        assert!(!g.contains(&client_ref_marker("0190-abc")));
    }

    #[test]
    fn quantity_bounds() {
        assert!(validate_quantity(0).is_err());
        assert!(validate_quantity(-3).is_err());
        assert!(validate_quantity(1).is_ok());
        assert!(validate_quantity(100_000).is_err());
    }
}

/// A whole order as the ledger holds it and every transport shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Order {
    #[serde(skip)]
    pub id: i64,
    pub client_ref: String,
    pub local_number: String,
    pub till_code: String,
    pub business_day: String,
    /// The platform's 16-digit number, once sync has learned it.
    pub order_number: Option<String>,
    pub channel: Channel,
    pub order_type: OrderType,
    pub status: Status,
    pub payment_method: Option<PaymentMethod>,
    /// The platform's price (product price × quantity): what the platform order carries.
    pub total: Money,
    /// A store-side discount on a counter sale (`domain::discount`); zero without one.
    /// (Defaults keep print payloads stored before discounts readable.)
    #[serde(default)]
    pub discount: Money,
    #[serde(default)]
    pub discount_kind: Option<DiscountKind>,
    /// What the customer pays: `total − discount` (zero in a payload stored before discounts).
    #[serde(default)]
    pub due: Money,
    pub paid: Option<Money>,
    pub change: Option<Money>,
    pub remark: String,
    pub contact_user: String,
    pub phone: String,
    pub cashier: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub sync_state: SyncState,
    pub conflict: Option<Conflict>,
    pub left_store: bool,
    pub checked_in_at: Option<String>,
    /// What people may do next, from the transition table (the UI shows only these).
    pub allowed_actions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub lines: Option<Vec<OrderLine>>,
}

/// An online order as it arrives from a platform: paid there, already in sync, and
/// given a short local number under its own till code so people can call it out.
pub struct Arrival {
    pub client_ref: String,
    pub till_code: String,
    pub seq: i64,
    pub business_day: String,
    pub order_number: Option<String>,
    pub channel: Channel,
    pub status: Status,
    pub total: Money,
    pub remark: String,
    pub contact_user: String,
    pub phone: String,
    pub created_at: String,
    pub updated_at: String,
    pub lines: Vec<OrderLine>,
}

impl Order {
    pub fn arrived_online(a: Arrival) -> Order {
        Order {
            id: 0,
            client_ref: a.client_ref,
            local_number: super::local_number::format(&a.till_code, a.seq),
            till_code: a.till_code,
            business_day: a.business_day,
            order_number: a.order_number,
            channel: a.channel,
            order_type: a.channel.order_type(),
            status: a.status,
            payment_method: Some(PaymentMethod::Online),
            total: a.total,
            discount: Money::ZERO,
            discount_kind: None,
            due: a.total,
            paid: Some(a.total),
            change: None,
            remark: a.remark,
            contact_user: a.contact_user,
            phone: a.phone,
            cashier: None,
            created_at: a.created_at,
            updated_at: a.updated_at,
            sync_state: SyncState::Synced,
            conflict: None,
            left_store: false,
            checked_in_at: None,
            allowed_actions: vec![],
            lines: Some(a.lines),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Conflict {
    pub message: String,
    pub platform_message: Option<String>,
    pub at: String,
}
