//! storepos: an offline-first point of sale for stores on a mall/chain platform.
//!
//! The tree reads like the architecture: `domain` (pure rules) → `ledger` (SQLite) →
//! `commands` (the one command table every transport calls) → transports (`cli`,
//! `server`, the Tauri shell in `src-tauri/`). `sync` talks to the platform; printing
//! bytes lives in the `storepos-printers` crate.

pub mod domain;
pub mod ledger;
pub mod app;
pub mod outbox;
pub mod auth;
pub mod commands;
pub mod printing;
pub mod stats;
pub mod central;
pub mod sync;
pub mod catalog_sync;
pub mod channels;
pub mod setup;
pub mod cli;
pub mod config;
pub mod demo;
pub mod quote_cli;
pub mod sync_cli;
pub mod sync_bench;
pub mod server;
pub mod loadgen;
pub mod bench;
pub mod print_service;
pub mod background;
pub mod payments;
pub mod backup;
pub mod display;
