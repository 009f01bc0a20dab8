//! `storepos demo`: a fresh store in a temp dir. (Grows into the full demo: simulator,
//! online orders, and the desktop window or the browser UI.)

use std::process::ExitCode;

use crate::setup::{init_store, InitOptions, DEMO_USERS};

pub fn run() -> ExitCode {
    let dir = std::env::temp_dir().join(format!("storepos-demo-{}", std::process::id()));
    let app = match init_store(&dir, &InitOptions::default()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{}", e.message_zh);
            return ExitCode::from(1);
        }
    };
    let ledger = app.ledger();
    let c = ledger.read();
    let products = crate::ledger::catalog::count(c).unwrap_or(0);
    let cats = crate::ledger::catalog::categories(c).unwrap_or_default();
    println!("storepos demo ledger: {}", dir.join("storepos.db").display());
    println!("门店 {} · {} 个商品 · {} 个分类", app.config().store_name, products, cats.len());
    for (u, name, role, pin) in DEMO_USERS {
        println!("  用户 {u} ({name}, {}) PIN {pin}", role.as_str());
    }
    ExitCode::SUCCESS
}
