//! Layer 6: what the commands use beyond the ledger and the engine.

pub mod backup;
pub mod counter_kitchen;
pub mod payments;
pub mod print_service;
pub mod printing;
pub mod setup;
pub mod stats;
