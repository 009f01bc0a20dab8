//! The pure domain: every rule of the store lives here, with no IO.
//!
//! Nothing in this module touches the clock, the disk or the network; callers pass
//! `now`, rows and settings in. That keeps each rule testable on its own and lets
//! the ledger, the sync engine and the UI share one answer to "is this allowed?".

pub mod after_sales;
pub mod after_sales_rules;
pub mod approval;
pub mod business_day;
pub mod cash;
pub mod cash_count;
pub mod counts;
pub mod discount;
pub mod draft;
pub mod error;
pub mod kitchen;
pub mod local_number;
pub mod member;
pub mod money;
pub mod order;
pub mod pinyin;
pub mod reconcile;
pub mod stats;
pub mod transitions;

pub use error::DomainError;
pub use money::Money;
