//! Catch-up benchmark: N counter sales made offline (rung up and paid in cash), then the
//! platform comes back with a fixed latency and the engine drains the outbox.
//!
//! Each order costs 3 round trips in sequence (create; complete = PUT + read-back), and
//! at most `in_flight` orders are in flight, so the bound is
//! `ceil(orders / in_flight) × 3 × latency`. The report gives wall time / bound.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::sync::{drain, SyncConfig};
use crate::central::client::{ClientConfig, RestStore};
use crate::commands::{dispatch, App};
use crate::ledger::outbox::{self, CHANNEL_REST};
use crate::setup::{init_store, InitOptions};

#[derive(Debug, Clone)]
pub struct CatchupOptions {
    pub orders: usize,
    pub latency_ms: u64,
    pub in_flight: usize,
    /// Where the ledger lives (a temp dir when None).
    pub dir: Option<std::path::PathBuf>,
}

impl Default for CatchupOptions {
    fn default() -> Self {
        CatchupOptions { orders: 1000, latency_ms: 50, in_flight: 8, dir: None }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CatchupReport {
    pub orders: usize,
    pub ops: usize,
    pub in_flight: usize,
    pub latency_ms: u64,
    pub round_trips_per_order: u32,
    pub ideal_ms: u64,
    pub wall_ms: u64,
    pub ratio: f64,
    pub platform_orders: usize,
    pub ops_done: u64,
    pub outbox_pending: i64,
    pub conflicts: i64,
    pub setup_ms: u64,
}

impl std::fmt::Display for CatchupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sync catch-up: {} orders ({} ops), in-flight {}, latency {} ms: {} ms wall vs {} ms ideal (ceil({}/{}) x {} RTT x {} ms) = {:.2}x; {} on platform, {} pending, {} conflicts",
            self.orders,
            self.ops,
            self.in_flight,
            self.latency_ms,
            self.wall_ms,
            self.ideal_ms,
            self.orders,
            self.in_flight,
            self.round_trips_per_order,
            self.latency_ms,
            self.ratio,
            self.platform_orders,
            self.outbox_pending,
            self.conflicts
        )
    }
}

/// Runs the benchmark on its own tokio runtime (call from synchronous code).
pub fn run_catchup_bench(opts: CatchupOptions) -> Result<CatchupReport, String> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(catchup_bench(opts))
}

pub async fn catchup_bench(opts: CatchupOptions) -> Result<CatchupReport, String> {
    let setup = Instant::now();
    let (dir, _cleanup) = match &opts.dir {
        Some(d) => (d.clone(), None),
        None => {
            let d = std::env::temp_dir().join(format!("storepos-bench-{}", uuid::Uuid::now_v7()));
            (d.clone(), Some(RemoveOnDrop(d)))
        }
    };
    let app = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || init_store(&dir, &InitOptions::default())).await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?
    };
    let app = Arc::new(app);
    // Offline: ring up and pay every sale before the platform is reachable.
    {
        let app = app.clone();
        let n = opts.orders;
        tokio::task::spawn_blocking(move || make_sales(&app, n)).await.map_err(|e| e.to_string())??;
    }
    let sim = storepos_sim::start(storepos_sim::SimArgs { latency_ms: opts.latency_ms, ..Default::default() }).await.map_err(|e| e.to_string())?;
    let store = app.config();
    let cc = ClientConfig::new(&sim.base_url(), "store1", "store1pass", store.store_id, &store.store_name);
    let client = RestStore::new(cc).map_err(|e| e.to_string())?;
    // Log in before the clock starts: the bound counts order round trips only.
    crate::central::client::Platform::login(&client).await.map_err(|e| e.to_string())?;
    let cfg = SyncConfig { in_flight: opts.in_flight.max(1), ..SyncConfig::fast() };
    let ops = {
        let ledger = app.ledger();
        outbox::depth(ledger.read(), CHANNEL_REST).map_err(|e| e.to_string())?.pending as usize
    };
    let setup_ms = setup.elapsed().as_millis() as u64;
    let t = Instant::now();
    let s = drain(&app, &client, &cfg).await;
    let wall = t.elapsed();
    let depth = {
        let ledger = app.ledger();
        outbox::depth(ledger.read(), CHANNEL_REST).map_err(|e| e.to_string())?
    };
    let platform_orders = reqwest::get(format!("{}/sim/state", sim.base_url()))
        .await
        .map_err(|e| e.to_string())?
        .json::<serde_json::Value>()
        .await
        .map_err(|e| e.to_string())?["orders"]
        .as_array()
        .map(|a| a.len())
        .unwrap_or(0);
    sim.shutdown().await;
    let rtt = 3u32;
    let batches = opts.orders.div_ceil(cfg.in_flight) as u64;
    let ideal = Duration::from_millis(batches * rtt as u64 * opts.latency_ms);
    Ok(CatchupReport {
        orders: opts.orders,
        ops,
        in_flight: cfg.in_flight,
        latency_ms: opts.latency_ms,
        round_trips_per_order: rtt,
        ideal_ms: ideal.as_millis() as u64,
        wall_ms: wall.as_millis() as u64,
        ratio: if ideal.is_zero() { 0.0 } else { wall.as_secs_f64() / ideal.as_secs_f64() },
        platform_orders,
        ops_done: s.ops_done,
        outbox_pending: depth.pending,
        conflicts: depth.conflicts,
        setup_ms,
    })
}

fn make_sales(app: &App, n: usize) -> Result<(), String> {
    let login = dispatch(app, None, false, "login", serde_json::json!({ "username": "cashier", "pin": "1111" })).map_err(|e| e.to_string())?;
    let token = login["token"].as_str().ok_or("no session token")?.to_string();
    let products: Vec<i64> = crate::ledger::catalog::list(app.ledger().read(), None)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|p| p.specifications.is_empty())
        .map(|p| p.id)
        .take(5)
        .collect();
    for i in 0..n {
        let pid = products[i % products.len().max(1)];
        let o = dispatch(app, Some(&token), false, "sale_create", serde_json::json!({ "lines": [{ "product_id": pid, "quantity": 1 + (i % 3) as i64 }] }))
            .map_err(|e| e.to_string())?;
        let r = o["client_ref"].as_str().ok_or("no client_ref")?.to_string();
        let total = o["total"].as_str().unwrap_or("0").to_string();
        dispatch(app, Some(&token), false, "sale_pay_cash", serde_json::json!({ "client_ref": r, "tendered": total })).map_err(|e| e.to_string())?;
    }
    Ok(())
}

struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
