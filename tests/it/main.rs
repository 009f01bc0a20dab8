//! The one integration-test binary: every suite is a module here, so the crate and its
//! dependencies are linked once, not once per file (two cores spend minutes on links).
//! Run one suite with `cargo test --test it <module>::`, e.g. `cargo test --test it sync_flows::`.
//!
//! Real parts only: a ledger on disk, the simulator on loopback, the built `storepos` binary
//! for the CLI and crash tests. Shared harnesses: [`sync_support`] and [`channels_support`]; [`support`] looks at ledger files
//! (content fingerprint, normalised schema).

mod channels_support;
mod support;
mod sync_support;

mod after_sales_store;
mod allowed_actions;
mod backup;
mod catalog_sync;
mod channels_chaos;
mod channels_flows;
mod cli_bad_input;
mod contract;
mod counter_day;
mod crash_ledger;
mod design_transitions;
mod discount;
mod disk_trouble;
mod display;
mod fuzz_commands;
mod kitchen_on_payment;
mod lan_tls;
mod layers;
mod logs;
mod manager_screens;
mod migration_upgrade;
mod money_control;
mod online_bench;
mod payments;
mod print_queue;
mod published_rules;
mod pull_bad_link;
mod security;
mod server_http;
mod shifts_flow;
mod stats_bench;
mod stats_csv;
mod stats_props;
mod sync_bench;
mod sync_chaos;
mod sync_field_facts;
mod sync_flows;
mod sync_member;
mod sync_refused_create;
mod sync_sigkill;
mod two_tills;
