//! More channels (issue 10): platforms other than the platform (`/rest/store`) that hold
//! orders — the omnichannel order center (seed 004) and the mall's `/api/orders` (seed 001).
//!
//! * [`OrderChannel`] — one trait for "a platform that holds orders": report a till sale
//!   (and find it again after a lost answer), tell it a status move, read one order, pull
//!   its orders, and the dialect's own order actions. Implementations: [`omni::Omni`] and
//!   [`api::MallApi`]. The platform (`/rest/store`) speaks through its own client.
//! * [`mapping`] — status tables to and from ours, as data; unknown statuses are kept raw.
//! * `crate::engine::channels` — one worker per channel: drains that channel's outbox streams (one ordered
//!   stream per order per channel), pulls, records health. A channel that is down never
//!   holds up another, nor the platform's worker.
//! * Settings: the `channels` ledger setting lists `{id, dialect, url, enabled, …}`; the
//!   credentials live in `DATA/channels.json` (mode 0600), never in the ledger.
//! * Which channels hear of a sale or a status move: `crate::engine::outbox::routing`.

pub mod api;
mod http;
pub mod mapping;
pub mod omni;

use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::order::Status;
use crate::domain::Money;
use crate::ledger::settings;

pub use mapping::ChannelStatus;

/// Which API a channel speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// Seeds 000/002: the platform (configured with `storepos init --central`).
    RestStore,
    /// Seed 004: the omnichannel order center. Every till sale is reported to it.
    Omni,
    /// Seed 001: a mall's `/api/orders`. Its orders are pulled and shown; people act on them.
    Api,
}

impl Dialect {
    pub fn as_str(&self) -> &'static str {
        match self {
            Dialect::RestStore => "rest-store",
            Dialect::Omni => "omni",
            Dialect::Api => "api",
        }
    }
    /// Till sales are reported to channels of this dialect.
    pub fn mirrors_sales(&self) -> bool {
        matches!(self, Dialect::Omni)
    }
}

/// Every way a channel call can fail. Like the platform client's errors, each says whether
/// the request may have been applied — what exactly-once needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The channel's business refusal (omni `{"status":{"code":400,…},"success":false}`,
    /// api `code != 0`): nothing applied.
    #[error("refused ({code}): {message}")]
    Refused { code: i64, message: String },
    #[error("not found: {detail}")]
    NotFound { detail: String },
    #[error("not authorized: {message}")]
    Auth { message: String },
    /// Another 4xx without a business envelope: nothing applied.
    #[error("HTTP {status}: {detail}")]
    Http { status: u16, detail: String },
    /// 5xx: the server may have committed before failing.
    #[error("server error HTTP {status}: {detail}")]
    Server { status: u16, detail: String },
    #[error("cannot reach the channel: {detail}")]
    Connect { detail: String },
    #[error("timed out waiting for the channel")]
    Timeout,
    #[error("connection lost: {detail}")]
    Reset { detail: String },
    #[error("undecodable answer: {detail}")]
    Undecodable { detail: String },
    /// The channel's API has no such operation.
    #[error("not supported by this channel: {what}")]
    Unsupported { what: String },
}

impl ChannelError {
    pub fn may_have_applied(&self) -> bool {
        matches!(
            self,
            ChannelError::Server { .. }
                | ChannelError::Timeout
                | ChannelError::Reset { .. }
                | ChannelError::Undecodable { .. }
        )
    }
    pub fn is_offline(&self) -> bool {
        matches!(self, ChannelError::Connect { .. } | ChannelError::Timeout | ChannelError::Reset { .. })
    }
    pub fn is_refusal(&self) -> bool {
        matches!(self, ChannelError::Refused { .. })
    }
    pub fn platform_message(&self) -> Option<&str> {
        match self {
            ChannelError::Refused { message, .. } | ChannelError::Auth { message } => Some(message),
            _ => None,
        }
    }
}

impl From<crate::clients::platform::client::PlatformError> for ChannelError {
    fn from(e: crate::clients::platform::client::PlatformError) -> Self {
        use crate::clients::platform::client::PlatformError as C;
        match e {
            C::Refused { message } => ChannelError::Refused { code: 1, message },
            C::Auth { message } | C::LoginFailed { message } => ChannelError::Auth { message },
            C::NotFound { detail, .. } => ChannelError::NotFound { detail },
            C::Http { status, detail } => ChannelError::Http { status, detail },
            C::Server { status, detail } => ChannelError::Server { status, detail },
            C::Connect { detail } => ChannelError::Connect { detail },
            C::Timeout => ChannelError::Timeout,
            C::Reset { detail } => ChannelError::Reset { detail },
            C::Undecodable { detail } => ChannelError::Undecodable { detail },
        }
    }
}

pub type ChResult<T> = Result<T, ChannelError>;

/// One line of an order as a channel holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteLine {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub price: Money,
}

/// An order as a channel holds it, in the channel's own terms mapped to ours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteOrder {
    /// What the channel's API addresses it by (omni `rid`, api `id`, rest `order_number`).
    pub remote_id: String,
    /// What people read (omni `rid`, api `order_no`).
    pub number: String,
    pub status: ChannelStatus,
    /// The channel's refund state, raw (api `refund_status`).
    pub refund_raw: Option<String>,
    /// Our `client_ref`, when the channel carries it (omni `outside_target_id`, rest marker).
    pub our_ref: Option<String>,
    pub total: Option<Money>,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Picked up at the store (omni `ship_mode` 2) rather than delivered.
    pub pickup: bool,
    pub contact: String,
    pub phone: String,
    pub remark: String,
    pub lines: Vec<RemoteLine>,
    /// The channel's own numbers and extras worth showing (paid flags, refund info…).
    pub extra: Value,
}

/// A till sale as reported to a channel.
#[derive(Debug, Clone)]
pub struct SaleReport {
    pub client_ref: String,
    /// 5 POS, 6 PAD (the command came from a LAN device through `storepos serve`).
    pub from_client: i64,
    pub remark: String,
    /// (sku, quantity): `"<product id>"` or `"<product id>-<specification id>"`.
    pub items: Vec<(String, i64)>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// What a status row tells a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tell {
    Status(Status),
    /// The store turned the order down (FLASH reject): the channel's merchant cancel.
    Reject,
}

/// The actions a person may take on a channel's order (seed 001 mostly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ChannelAction {
    /// 001 `PUT /api/orders/{id}/cancel` (only unpaid) · 004 `POST /orders/cancel` (merchant).
    Cancel,
    /// 001 `POST /api/orders/{id}/receipt` (only shipped) · 004 `POST /orders/signed`.
    Receipt,
    /// 001 `POST /api/orders/{id}/refund`: a refund / return-exchange application.
    Refund {
        reason: String,
        #[serde(default)]
        remark: String,
        #[serde(default)]
        vouchers: Vec<String>,
        #[serde(default)]
        express_code: String,
        #[serde(default)]
        express_name: String,
        #[serde(default)]
        express_no: String,
        #[serde(default)]
        express_vouchers: Vec<String>,
    },
    /// 001 `DELETE /api/orders/{id}/refund`: withdraw an open application.
    RefundWithdraw,
    /// 004 `PUT /orders/<rid>/seller_remark`.
    SellerRemark { remark: String },
}

impl ChannelAction {
    pub fn name(&self) -> &'static str {
        match self {
            ChannelAction::Cancel => "cancel",
            ChannelAction::Receipt => "receipt",
            ChannelAction::Refund { .. } => "refund",
            ChannelAction::RefundWithdraw => "refund_withdraw",
            ChannelAction::SellerRemark { .. } => "seller_remark",
        }
    }
    /// True when `o` already shows the action's effect (so it must not be sent again).
    pub fn holds(&self, o: &RemoteOrder) -> bool {
        let refund = o.refund_raw.as_deref().unwrap_or("0");
        match self {
            ChannelAction::Cancel => o.status.ours() == Some(Status::ClosedCanceled),
            ChannelAction::Receipt => o.status.ours() == Some(Status::ClosedConfirmed),
            ChannelAction::Refund { .. } => refund == "1" || refund == "2",
            ChannelAction::RefundWithdraw => refund == "0",
            ChannelAction::SellerRemark { remark } => {
                o.extra.get("seller_remark").and_then(Value::as_str) == Some(remark.as_str())
            }
        }
    }
}

/// What one pull found.
#[derive(Debug, Clone, Default)]
pub struct Pulled {
    pub orders: Vec<RemoteOrder>,
    /// Orders for the clerk's board (the channel's own, new or changed).
    pub for_board: bool,
    pub counts: Option<Value>,
}

/// "A platform that holds orders". Object-safe; one per configured channel.
pub trait OrderChannel: Send + Sync {
    fn id(&self) -> &str;
    fn dialect(&self) -> Dialect;
    /// Report a till sale; the answer is the order as the channel now holds it.
    fn report_sale<'a>(&'a self, sale: &'a SaleReport) -> BoxFuture<'a, ChResult<RemoteOrder>>;
    /// Find a reported sale by our `client_ref` (after a lost answer: never send twice).
    fn find_sale<'a>(
        &'a self,
        client_ref: &'a str,
        around: chrono::DateTime<chrono::Utc>,
    ) -> BoxFuture<'a, ChResult<Option<RemoteOrder>>>;
    fn get_order<'a>(&'a self, remote_id: &'a str) -> BoxFuture<'a, ChResult<RemoteOrder>>;
    /// Tell a status move; Ok once the channel shows it (read back where the API says nothing).
    fn tell<'a>(&'a self, remote_id: &'a str, pickup: bool, tell: Tell) -> BoxFuture<'a, ChResult<RemoteOrder>>;
    /// The channel's orders worth holding: its own new ones, changes, counts.
    fn pull<'a>(&'a self, pages: u32) -> BoxFuture<'a, ChResult<Pulled>>;
    fn action<'a>(&'a self, remote_id: &'a str, action: &'a ChannelAction) -> BoxFuture<'a, ChResult<String>>;
    /// Paid? (001 `GET /api/orders/{id}/status`, 004 `POST /orders/check_order_paid`).
    fn payment_status<'a>(&'a self, remote_id: &'a str) -> BoxFuture<'a, ChResult<bool>>;
}

// ---- settings ---------------------------------------------------------------------------

pub const SETTINGS_KEY: &str = "channels";

/// One configured channel, as the `channels` setting holds it (no credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSpec {
    pub id: String,
    pub dialect: Dialect,
    pub url: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Omni: our store's `store_rid` (default: the store id).
    #[serde(default)]
    pub store_rid: Option<String>,
    /// Omni: the `address_rid` sent with a till sale (pick-up at the store).
    #[serde(default)]
    pub address_rid: Option<String>,
    /// Client timeouts in ms (default 3000 connect / 10000 total).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

fn yes() -> bool {
    true
}

/// A channel's credentials (`DATA/channels.json`, mode 0600).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Secret {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

pub fn configured(conn: &rusqlite::Connection) -> Vec<ChannelSpec> {
    settings::get(conn, SETTINGS_KEY).ok().flatten().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

/// The client for one configured channel.
pub fn build(spec: &ChannelSpec, secret: &Secret, store_id: i64) -> ChResult<Arc<dyn OrderChannel>> {
    let t = spec.timeout_ms.unwrap_or(10_000).max(10);
    let timeouts = (Duration::from_millis(t.min(3_000)), Duration::from_millis(t));
    let token = secret.token.clone().unwrap_or_default();
    let store_rid = spec.store_rid.clone().unwrap_or_else(|| store_id.to_string());
    match spec.dialect {
        Dialect::Omni => Ok(Arc::new(omni::Omni::new(
            &spec.id,
            &spec.url,
            &token,
            &store_rid,
            spec.address_rid.as_deref().unwrap_or("store"),
            timeouts,
        )?)),
        Dialect::Api => Ok(Arc::new(api::MallApi::new(&spec.id, &spec.url, &token, timeouts)?)),
        Dialect::RestStore => Err(ChannelError::Unsupported {
            what: "the rest-store channel is the platform (storepos init --central)".into(),
        }),
    }
}
