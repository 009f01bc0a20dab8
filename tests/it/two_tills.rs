//! Two tills of one store, each with its own ledger, selling at the same time against one
//! platform: local order numbers never collide, and both sync every sale exactly once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use storepos::clients::platform::client::{ClientConfig, PlatformClient};
use storepos::commands::{dispatch, App};
use storepos::engine::platform::{settle, SyncConfig};
use storepos::services::setup::{init_store, InitOptions};
use storepos_sim::{Mode, SimArgs};

fn till(code: &str) -> (tempfile::TempDir, Arc<App>, String) {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions { till_code: code.into(), ..InitOptions::default() }).unwrap();
    let t = dispatch(&app, None, false, "session_login", json!({"username":"cashier","pin":"1111"})).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Money is taken only in an open shift.
    dispatch(&app, Some(&t), false, "shift_open", json!({"float": "0"})).unwrap();
    (dir, Arc::new(app), t)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tills_never_collide_and_sync_exactly_once() {
    let sim = storepos_sim::start(SimArgs { mode: Mode::Field, ..SimArgs::default() }).await.unwrap();
    // A little latency and some answers lost after commit: the hard case for exactly-once.
    let http = reqwest::Client::new();
    http.post(format!("{}/sim/faults", sim.base_url()))
        .json(&json!({"latency_ms": 5, "drop_after_commit": 0.2, "seed": 7}))
        .send()
        .await
        .unwrap();
    let tills = [till("T1"), till("T2")];
    let per_till = 25;
    // Both tills sell at once (each on its own thread, as two machines would).
    let mut handles = Vec::new();
    for (_, app, token) in &tills {
        let (app, token) = (app.clone(), token.clone());
        handles.push(std::thread::spawn(move || {
            (0..per_till)
                .map(|i| {
                    let o = dispatch(
                        &app,
                        Some(&token),
                        false,
                        "sale_create",
                        json!({"lines":[{"product_id": 1 + i % 20, "quantity": 1}]}),
                    )
                    .unwrap();
                    if i % 2 == 0 {
                        dispatch(
                            &app,
                            Some(&token),
                            false,
                            "sale_cash_pay",
                            json!({"client_ref": o["client_ref"], "tendered": "100"}),
                        )
                        .unwrap();
                    }
                    (o["client_ref"].as_str().unwrap().to_string(), o["local_number"].as_str().unwrap().to_string())
                })
                .collect::<Vec<_>>()
        }));
    }
    let sold: Vec<(String, String)> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let numbers: HashSet<&String> = sold.iter().map(|s| &s.1).collect();
    assert_eq!(numbers.len(), sold.len(), "local order numbers collided");
    // Each till syncs with its own client, concurrently.
    let mut syncs = Vec::new();
    for (_, app, _) in &tills {
        let client = PlatformClient::new(
            ClientConfig::new(&sim.base_url(), "store1", "store1pass", 1, "店")
                .with_timeouts(Duration::from_millis(500), Duration::from_secs(2)),
        )
        .unwrap();
        let app = app.clone();
        syncs.push(tokio::spawn(
            async move { settle(&app, &client, &SyncConfig::fast(), Duration::from_secs(60)).await },
        ));
    }
    for s in syncs {
        let s = s.await.unwrap();
        assert_eq!(s.outbox_pending, 0, "{s:?}");
    }
    let state: Value = http.get(format!("{}/sim/state", sim.base_url())).send().await.unwrap().json().await.unwrap();
    let orders = state["orders"].as_array().unwrap();
    // Field: both tills log in as one account, so two creates in one millisecond share a
    // platform number. The loser's order stays on the platform as a stray (recorded for the
    // manager to void) and the sale is re-created under a new generation marker: every sale
    // has exactly one order beyond the strays its till recorded, and nothing else is there.
    let strays: Vec<storepos::ledger::outbox::Stray> = tills
        .iter()
        .flat_map(|(_, app, _)| storepos::ledger::outbox::strays(app.ledger().read(), true).unwrap())
        .collect();
    for (r, number) in &sold {
        let hits = orders
            .iter()
            .filter(|o| {
                o["remark"].as_str().and_then(storepos::domain::order::parse_client_ref_marker) == Some(r.as_str())
            })
            .count();
        let recorded = strays.iter().filter(|s| &s.client_ref == r).count();
        assert_eq!(hits, 1 + recorded, "{number} is on the platform {hits} times with {recorded} strays recorded");
    }
    assert_eq!(orders.len(), sold.len() + strays.len());
    sim.shutdown().await;
}
