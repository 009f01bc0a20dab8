//! storepos: an offline-first point of sale for stores on a mall/chain platform.
//!
//! The tree is the architecture, one folder per layer, each using only the layers below
//! it (`tests/it/layers.rs` fails on an upward import; `docs/architecture.md` follows one
//! sale through them):
//!
//! 1. [`domain`] — every rule, pure (no IO): money, orders and their transitions,
//!    after-sales, stats, reconciliation.
//! 2. [`ledger`] — the SQLite ledger: migrations, one module of SQL per table family.
//! 3. [`clients`] — the platforms we talk to, as typed clients: the platform's `/rest`
//!    API ([`clients::platform`]) and the other channels ([`clients::channels`]).
//! 4. [`app`] — the running store: the [`app::App`] context (ledger handle, config,
//!    events), typed errors, credentials, logs, the customer display's hub.
//! 5. [`engine`] — the outbox and the outlets that drain it, the pulls back into the
//!    ledger, one worker loop per outlet.
//! 6. [`services`] — what the commands use beyond the ledger: printing, payments, stats,
//!    backups, store setup, the background workers.
//! 7. [`commands`] — the one command table every transport calls.
//! 8. [`transports`] — the HTTP server, the command line, the demo (the desktop shell in
//!    `src-tauri/` is the third).
//!
//! Printing bytes lives in the `storepos-printers` crate, the platform's simulator in
//! `storepos-sim`.

pub mod app;
pub mod clients;
pub mod commands;
pub mod domain;
pub mod engine;
pub mod ledger;
pub mod services;
pub mod transports;
