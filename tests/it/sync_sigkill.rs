//! SIGKILL in the middle of sync rounds: the `storepos` binary runs `sync --once`
//! against the simulator (with latency and commit-then-drop faults) and is killed at
//! random moments, again and again. Restarted, it settles: every order on the platform
//! exactly once, with the right status.

use crate::sync_support;

use std::process::{Command, Stdio};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use storepos::commands::App;
use storepos::domain::order::SyncState;
use storepos::ledger::{orders, outbox};
use storepos_sim::{Mode, SimArgs};
use sync_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_round_settles_exactly_once() {
    let sim = storepos_sim::start(SimArgs {
        mode: Mode::Field,
        latency_ms: 30,
        drop_after_commit: 0.2,
        seed: 7,
        ..SimArgs::default()
    })
    .await
    .unwrap();
    let base = sim.base_url();
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let (_dir, path) = fresh_store();
    storepos::app::config::save_platform(&path, &base, "store1", "store1pass").unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut want = Vec::new();
    {
        let app = App::open(&path).unwrap();
        let cashier = &template().cashier;
        let products: Vec<i64> = storepos::ledger::catalog::list(app.ledger().read(), None)
            .unwrap()
            .into_iter()
            .filter(|p| p.specifications.is_empty())
            .map(|p| p.id)
            .collect();
        for i in 0..40 {
            let o = call(
                &app,
                cashier,
                "sale_create",
                json!({"lines": [{"product_id": products[i % products.len()], "quantity": 1}]}),
            );
            let r = o["client_ref"].as_str().unwrap().to_string();
            let st = match rng.random_range(0..3) {
                0 => {
                    call(&app, cashier, "sale_cash_pay", json!({"client_ref": r, "tendered": o["total"]}));
                    "CLOSED_CONFIRMED"
                }
                1 => {
                    call(&app, cashier, "order_cancel", json!({"client_ref": r}));
                    "CLOSED_CANCELED"
                }
                _ => "CREATED_PAY_PENDING",
            };
            want.push((r, st));
        }
    }
    let bin = env!("CARGO_BIN_EXE_storepos");
    let args = |p: &std::path::Path| {
        ["sync", "--once", "--json", "--timeout-ms", "400", "--in-flight", "4", "--data", p.to_str().unwrap()]
            .map(str::to_string)
    };
    let mut kills = 0;
    let rounds: usize = std::env::var("STOREPOS_SYNC_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(24);
    for _ in 0..rounds {
        let mut child =
            Command::new(bin).args(args(&path)).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(rng.random_range(20..200))).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(kills >= rounds / 4, "the rounds must really be interrupted ({kills} kills)");
    // Faults off; sync again until the outbox is empty.
    http.post(format!("{base}/sim/faults")).json(&json!({"drop_after_commit": 0.0})).send().await.unwrap();
    let mut last = Value::Null;
    for _ in 0..20 {
        let out = Command::new(bin).args(args(&path)).output().unwrap();
        last = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        if last["outbox_pending"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["outbox_pending"], 0, "{last}");
    assert_eq!(last["conflicts"], 0, "{last}");
    let state: Value = http.get(format!("{base}/sim/state")).send().await.unwrap().json().await.unwrap();
    let app = App::open(&path).unwrap();
    for (r, st) in &want {
        let on = platform_orders_for(&state, r);
        assert_eq!(on.len(), 1, "{r} on the platform {} times", on.len());
        assert_eq!(on[0]["status"], *st);
        let local = orders::require(app.ledger().read(), r).unwrap();
        assert_eq!(local.order_number.as_deref(), on[0]["order_number"].as_str());
        assert_eq!(local.sync_state, SyncState::Synced);
    }
    assert_eq!(state["orders"].as_array().unwrap().len(), want.len(), "no stray orders");
    assert_eq!(outbox::depth(app.ledger().read(), outbox::PLATFORM_CHANNEL).unwrap().pending, 0);
    eprintln!("sigkill: {kills} kills; last round {last}");
    sim.shutdown().await;
}
