//! storepos: an offline-first point of sale for stores on a mall/chain platform.
//!
//! The tree reads like the architecture: `domain` (pure rules) → `ledger` (SQLite) →
//! `commands` (the one command table every transport calls) → transports (`cli`,
//! `server`, the Tauri shell in `src-tauri/`). `sync` talks to the platform; printing
//! bytes lives in the `storepos-printers` crate.

pub mod app;
pub mod auth;
pub mod background;
pub mod backup;
pub mod bench;
pub mod catalog_sync;
pub mod central;
pub mod channels;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod devices;
pub mod display;
pub mod domain;
pub mod ledger;
pub mod loadgen;
pub mod logs;
pub mod outbox;
pub mod payments;
pub mod print_service;
pub mod printing;
pub mod quote_cli;
pub mod server;
pub mod setup;
pub mod stats;
pub mod sync;
pub mod sync_bench;
pub mod sync_cli;
