//! Helpers shared by several suites that look at the ledger file itself.

pub mod fingerprint;
pub mod schema;
pub mod store;
