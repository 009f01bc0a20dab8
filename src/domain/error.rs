//! Typed domain errors. Each carries enough to build a Chinese and an English message.

use crate::domain::order::{Channel, Status};
use crate::domain::transitions::Action;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("amount {0} has more than 2 decimals")]
    TooManyDecimals(String),
    #[error("amount {0} is not a valid number")]
    BadAmount(String),
    #[error("amount {0} is negative")]
    NegativeAmount(String),
    #[error("quantity {0} must be a whole number from 1 to 99999")]
    BadQuantity(i64),
    #[error("action {action:?} is not allowed for a {channel:?} order in status {status:?}")]
    IllegalAction { channel: Channel, status: Status, action: Action },
    #[error("tendered {tendered} is less than the amount due {due}")]
    InsufficientTender { tendered: String, due: String },
    #[error("after-sales request invalid: {0}")]
    AfterSales(String),
    #[error("an order needs at least one line")]
    EmptyOrder,
    #[error("{0}")]
    Invalid(String),
}
