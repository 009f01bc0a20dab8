//! Creating a store's ledger: settings, the demo catalog, the first users.

use std::path::Path;

use crate::app::auth;
use crate::app::error::{CommandError, ErrorCode};
use crate::app::App;
use crate::domain::Money;
use crate::ledger::catalog::{self, SeedProduct};
use crate::ledger::users::{self, Role};
use crate::ledger::{journal, settings, Ledger};

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub store_id: i64,
    pub store_name: String,
    pub till_code: String,
    /// Creates 小王 (cashier 1111), 小李 (clerk 2222), 老张 (manager 9999) when no user exists.
    pub demo_users: bool,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            store_id: 1, store_name: "龙门客栈便利店".into(), till_code: "T1".into(), demo_users: true
        }
    }
}

pub const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    ("cashier", "小王", Role::Cashier, "1111"),
    ("clerk", "小李", Role::Clerk, "2222"),
    ("manager", "老张", Role::Manager, "9999"),
];

/// The platform's demo catalog (the simulator serves the same products) as ledger rows.
pub fn demo_seed() -> Vec<SeedProduct> {
    storepos_sim::demo_catalog()
        .into_iter()
        .filter_map(|p| {
            Some(SeedProduct {
                id: p.id as i64,
                name: p.name,
                category_id: p.category_id as i64,
                category_name: p.category_name,
                station: p.kitchen_station,
                price: Money::new(p.price).ok()?,
                barcode: Some(p.barcode),
                specifications: p
                    .specifications
                    .into_iter()
                    .filter_map(|s| Some((s.id as i64, s.name, Money::new(s.price).ok()?, None)))
                    .collect(),
            })
        })
        .collect()
}

fn internal(e: impl std::fmt::Display) -> CommandError {
    CommandError::new(ErrorCode::Internal, "初始化失败", e.to_string())
}

/// Idempotent: a second `init` keeps existing data and only fills what is missing.
pub fn init_store(data_dir: &Path, opts: &InitOptions) -> Result<App, CommandError> {
    std::fs::create_dir_all(data_dir).map_err(internal)?;
    let mut ledger = Ledger::open(&data_dir.join("storepos.db"))?;
    let need_catalog = catalog::count(ledger.read())? == 0;
    let need_users = opts.demo_users && users::list(ledger.read())?.is_empty();
    let seed = if need_catalog { demo_seed() } else { vec![] };
    let hashes: Vec<String> = if need_users {
        DEMO_USERS.iter().map(|u| auth::hash_pin(u.3)).collect::<Result<_, _>>().map_err(internal)?
    } else {
        vec![]
    };
    ledger.write(|tx| -> Result<(), CommandError> {
        for (k, v) in [
            ("store_id", serde_json::json!(opts.store_id)),
            ("store_name", serde_json::json!(opts.store_name)),
            ("till_code", serde_json::json!(opts.till_code)),
        ] {
            if settings::get(tx, k)?.is_none() {
                settings::set(tx, k, &v)?;
            }
        }
        if need_catalog {
            catalog::upsert(tx, &seed)?;
        }
        for (u, h) in DEMO_USERS.iter().zip(&hashes) {
            users::insert(tx, u.0, u.1, u.2, h)?;
        }
        journal::append(
            tx,
            journal::Entry {
                actor: "system",
                entity: "store",
                entity_ref: &opts.store_id.to_string(),
                action: "init",
                before: None,
                after: None,
                detail: Some(format!("{} products seeded", seed.len())),
            },
        )?;
        Ok(())
    })?;
    // The store CA for LAN over TLS: made with the store, so its fingerprint can be noted
    // before any iPad is set up (idempotent; an existing CA is kept).
    crate::app::tls::StoreCa::load_or_create(data_dir).map_err(internal)?;
    Ok(App::from_ledger(ledger, data_dir)?)
}
