//! Catch-up benchmark against the simulator's field mode: N counter sales made offline
//! (rung up, most paid in cash, some cancelled), then the platform comes back with a
//! fixed latency and the engine drains the outbox.
//!
//! Creates from one platform account go one at a time (shared numbers and deadlocks
//! otherwise), so no engine can beat `orders × latency` for one account: that is the
//! bound the report divides by. Each order's other round trips (the read-back that
//! checks its number, the action and its read-back) overlap other orders' creates. With
//! one account per till, the tills' creates run side by side: the bound is the largest
//! till's `orders × latency`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::clients::platform::client::{ClientConfig, PlatformClient};
use crate::commands::{dispatch, App};
use crate::engine::platform::{drain, SyncConfig};
use crate::ledger::outbox::{self, PLATFORM_CHANNEL};
use crate::services::setup::{init_store, InitOptions};

#[derive(Debug, Clone)]
pub struct CatchupOptions {
    pub orders: usize,
    pub latency_ms: u64,
    pub in_flight: usize,
    /// Tills, one platform account each; the orders are split between them.
    pub tills: usize,
    /// Where the ledger lives (a temp dir when None).
    pub dir: Option<std::path::PathBuf>,
}

impl Default for CatchupOptions {
    fn default() -> Self {
        CatchupOptions { orders: 1000, latency_ms: 50, in_flight: 8, tills: 1, dir: None }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CatchupReport {
    pub orders: usize,
    pub tills: usize,
    pub ops: usize,
    pub in_flight: usize,
    pub latency_ms: u64,
    pub ideal_ms: u64,
    pub wall_ms: u64,
    pub ratio: f64,
    pub platform_orders: usize,
    pub recreated: u64,
    pub ops_done: u64,
    pub outbox_pending: i64,
    pub conflicts: i64,
    pub setup_ms: u64,
}

impl std::fmt::Display for CatchupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sync catch-up (field): {} orders on {} till(s)/account(s) ({} ops), in-flight {}, latency {} ms: {} ms wall vs {} ms one-create-at-a-time bound = {:.3}x; {} on platform, {} re-created, {} pending, {} conflicts",
            self.orders,
            self.tills,
            self.ops,
            self.in_flight,
            self.latency_ms,
            self.wall_ms,
            self.ideal_ms,
            self.ratio,
            self.platform_orders,
            self.recreated,
            self.outbox_pending,
            self.conflicts
        )
    }
}

/// Runs the benchmark on its own tokio runtime (call from synchronous code).
pub fn run_catchup_bench(opts: CatchupOptions) -> Result<CatchupReport, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(catchup_bench(opts))
}

pub async fn catchup_bench(opts: CatchupOptions) -> Result<CatchupReport, String> {
    let setup = Instant::now();
    let tills = opts.tills.max(1);
    let sim = storepos_sim::start(storepos_sim::SimArgs {
        mode: storepos_sim::Mode::Field,
        latency_ms: opts.latency_ms,
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let http = reqwest::Client::new();
    let mut stores = Vec::new();
    for i in 0..tills {
        let (dir, cleanup) = match &opts.dir {
            Some(d) => (d.join(format!("till{i}")), None),
            None => {
                let d = std::env::temp_dir().join(format!("storepos-bench-{}", uuid::Uuid::now_v7()));
                (d.clone(), Some(RemoveOnDrop(d)))
            }
        };
        let app = {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || init_store(&dir, &InitOptions::default()))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?
        };
        let app = Arc::new(app);
        // Offline: ring up every sale before the platform is reachable.
        {
            let app = app.clone();
            let n = opts.orders / tills + usize::from(i < opts.orders % tills);
            tokio::task::spawn_blocking(move || make_sales(&app, n)).await.map_err(|e| e.to_string())??;
        }
        let (user, pass) = if i == 0 {
            ("store1".to_string(), "store1pass".to_string())
        } else {
            let (u, p) = (format!("till{i}"), format!("till{i}pass"));
            let r = http
                .post(format!("{}/sim/accounts", sim.base_url()))
                .json(&serde_json::json!({"username": u, "password": p, "user_id": 100 + i}))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !r.status().is_success() {
                return Err(format!("cannot add account {u}: {}", r.status()));
            }
            (u, p)
        };
        let store = app.config();
        let cc = ClientConfig::new(&sim.base_url(), &user, &pass, store.store_id, &store.store_name);
        let client = PlatformClient::new(cc).map_err(|e| e.to_string())?;
        // Log in before the clock starts: the bound counts order round trips only.
        crate::clients::platform::client::Platform::login(&client).await.map_err(|e| e.to_string())?;
        stores.push((app, client, cleanup));
    }
    let cfg = SyncConfig { in_flight: opts.in_flight.max(1), ..SyncConfig::fast() };
    let mut ops = 0;
    let mut largest = 0usize;
    for (app, _, _) in &stores {
        let ledger = app.ledger();
        ops += outbox::depth(ledger.read(), PLATFORM_CHANNEL).map_err(|e| e.to_string())?.pending as usize;
        largest =
            largest.max(outbox::pending_streams(ledger.read(), PLATFORM_CHANNEL).map_err(|e| e.to_string())? as usize);
    }
    let setup_ms = setup.elapsed().as_millis() as u64;
    let t = Instant::now();
    let drains = stores.iter().map(|(app, client, _)| drain(app, client, &cfg));
    let tallies = futures::future::join_all(drains).await;
    let wall = t.elapsed();
    let (mut pending, mut conflicts) = (0, 0);
    for (app, _, _) in &stores {
        let d = outbox::depth(app.ledger().read(), PLATFORM_CHANNEL).map_err(|e| e.to_string())?;
        pending += d.pending;
        conflicts += d.conflicts;
    }
    let platform_orders = http
        .get(format!("{}/sim/state", sim.base_url()))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json::<serde_json::Value>()
        .await
        .map_err(|e| e.to_string())?["orders"]
        .as_array()
        .map(|a| a.len())
        .unwrap_or(0);
    sim.shutdown().await;
    let ideal = Duration::from_millis(largest as u64 * opts.latency_ms);
    Ok(CatchupReport {
        orders: opts.orders,
        tills,
        ops,
        in_flight: cfg.in_flight,
        latency_ms: opts.latency_ms,
        ideal_ms: ideal.as_millis() as u64,
        wall_ms: wall.as_millis() as u64,
        ratio: if ideal.is_zero() { 0.0 } else { wall.as_secs_f64() / ideal.as_secs_f64() },
        platform_orders,
        recreated: tallies.iter().map(|t| t.recreated).sum(),
        ops_done: tallies.iter().map(|t| t.ops_done).sum(),
        outbox_pending: pending,
        conflicts,
        setup_ms,
    })
}

fn make_sales(app: &App, n: usize) -> Result<(), String> {
    let login =
        dispatch(app, None, false, "session_login", serde_json::json!({ "username": "cashier", "pin": "1111" }))
            .map_err(|e| e.to_string())?;
    let token = login["token"].as_str().ok_or("no session token")?.to_string();
    let products: Vec<i64> = crate::ledger::catalog::list(app.ledger().read(), None)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|p| p.specifications.is_empty())
        .map(|p| p.id)
        .take(5)
        .collect();
    // Money is taken only in an open shift (refused as conflict when one is already open).
    let _ = dispatch(app, Some(&token), false, "shift_open", serde_json::json!({ "float": "0" }));
    for i in 0..n {
        let pid = products[i % products.len().max(1)];
        let o = dispatch(
            app,
            Some(&token),
            false,
            "sale_create",
            serde_json::json!({ "lines": [{ "product_id": pid, "quantity": 1 + (i % 3) as i64 }] }),
        )
        .map_err(|e| e.to_string())?;
        let r = o["client_ref"].as_str().ok_or("no client_ref")?.to_string();
        let total = o["total"].as_str().unwrap_or("0").to_string();
        // Most sales paid in cash; every tenth cancelled (the till's real mix).
        if i % 10 == 9 {
            dispatch(app, Some(&token), false, "order_cancel", serde_json::json!({ "client_ref": r }))
                .map_err(|e| e.to_string())?;
        } else {
            dispatch(
                app,
                Some(&token),
                false,
                "sale_cash_pay",
                serde_json::json!({ "client_ref": r, "tendered": total }),
            )
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
