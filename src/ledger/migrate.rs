//! Numbered migrations from `migrations/`, embedded in the binary, tracked by `user_version`.

use std::path::Path;

use rusqlite::Connection;

use super::{LedgerError, Result, APPLICATION_ID};

pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    ("0002_shifts", include_str!("../../migrations/0002_shifts.sql")),
    ("0003_payments", include_str!("../../migrations/0003_payments.sql")),
    ("0004_channels", include_str!("../../migrations/0004_channels.sql")),
    ("0005_catalog_indexes", include_str!("../../migrations/0005_catalog_indexes.sql")),
    ("0006_outbox_state", include_str!("../../migrations/0006_outbox_state.sql")),
    ("0007_catalog_search", include_str!("../../migrations/0007_catalog_search.sql")),
    ("0008_after_sales_local", include_str!("../../migrations/0008_after_sales_local.sql")),
    ("0009_outbox_op_tags", include_str!("../../migrations/0009_outbox_op_tags.sql")),
    ("0010_money_control", include_str!("../../migrations/0010_money_control.sql")),
    ("0011_devices", include_str!("../../migrations/0011_devices.sql")),
    ("0012_counter_day", include_str!("../../migrations/0012_counter_day.sql")),
    ("0013_discount_stats", include_str!("../../migrations/0013_discount_stats.sql")),
    ("0014_checkout_pages", include_str!("../../migrations/0014_checkout_pages.sql")),
];

pub fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(LedgerError::TooNew { path: path.into(), found: version, known });
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tracing::info!(migration = name, to = i + 1, "ledger schema upgrade");
        // One transaction per migration: a crash leaves the previous version intact.
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    tracing::debug!(schema = known, was = version, "ledger schema checked");
    Ok(())
}
