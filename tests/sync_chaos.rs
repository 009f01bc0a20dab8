//! Chaos: seeded fault schedules against the real simulator (timeouts, resets, 5xx
//! before and after commit, garbage bodies, lying PUTs, token expiry, simulator restart
//! from its `--state` file). After each schedule the faults go off, sync settles, and
//! every local order must exist on the platform exactly once with the right status,
//! or be a recorded conflict.
//!
//! `STOREPOS_CHAOS_SCHEDULES` (default 320) schedules, split over both modes and run by
//! a few workers at once; each schedule is small (3 sales, 150 ms client timeouts).

mod sync_support;

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use storepos::commands::App;
use storepos::domain::order::SyncState;
use storepos::ledger::{journal, orders, outbox};
use storepos::sync::{run_round_parts, settle, Parts, SyncConfig};
use storepos_sim::{Mode, SimArgs, SimHandle};
use sync_support::*;

const TIMEOUT_MS: u64 = 150;

struct Sim {
    handle: Option<SimHandle>,
    args: SimArgs,
    base: String,
}

impl Sim {
    async fn start(args: SimArgs) -> Sim {
        let handle = storepos_sim::start(args.clone()).await.unwrap();
        let base = handle.base_url();
        let mut args = args;
        args.listen = handle.addr;
        Sim { handle: Some(handle), args, base }
    }
    /// Stop and start again on the same port (state reloaded from the file, if any).
    async fn restart(&mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
        for _ in 0..50 {
            match storepos_sim::start(self.args.clone()).await {
                Ok(h) => {
                    self.handle = Some(h);
                    return;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        panic!("simulator did not come back on {}", self.args.listen);
    }
    async fn shutdown(mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
    }
}

async fn post(http: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let r = http.post(format!("{base}{path}")).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}");
    r.json().await.unwrap()
}

fn faults_for(rng: &mut StdRng, seed: u64) -> Value {
    let mut pick = |p: f64, v: f64| if rng.random_bool(p) { v } else { 0.0 };
    json!({
        "seed": seed,
        "timeout_rate": pick(0.5, 0.08),
        "reset_rate": pick(0.5, 0.1),
        "fail_rate": pick(0.5, 0.15),
        "garbage_rate": pick(0.4, 0.08),
        "drop_after_commit": pick(0.7, 0.25),
        "lying_put": rng.random_bool(0.2),
    })
}

const FAULTS_OFF: &str = r#"{"timeout_rate":0,"reset_rate":0,"fail_rate":0,"garbage_rate":0,"drop_after_commit":0,"lying_put":false}"#;

#[derive(Default, Debug)]
struct Tally {
    schedules: usize,
    orders: usize,
    conflicts: usize,
    lookups_found: u64,
    retries: u64,
    restarts: usize,
}

/// One schedule; returns what it saw. Panics (with the seed) on any exactly-once breach.
async fn schedule(mode: Mode, seed: u64, sim: &mut Sim, http: &reqwest::Client) -> Tally {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut t = Tally { schedules: 1, ..Default::default() };
    post(http, &sim.base, "/sim/reset", json!({})).await;
    let (_dir, path) = fresh_store();
    let app = App::open(&path).unwrap();
    let client = client_for(&sim.base, TIMEOUT_MS);
    let cfg = SyncConfig { in_flight: 4, ..SyncConfig::fast() };
    let products: Vec<i64> = storepos::ledger::catalog::list(app.ledger().read(), None).unwrap().into_iter().filter(|p| p.specifications.is_empty()).map(|p| p.id).collect();
    let cashier = &template().cashier;
    // Three sales: paid in cash, cancelled, or left open.
    let mut want = Vec::new();
    for i in 0..3 {
        let pid = products[rng.random_range(0..products.len())];
        let o = call(&app, cashier, "sale_create", json!({"lines": [{"product_id": pid, "quantity": 1 + i}], "remark": format!("s{seed}")}));
        let r = o["client_ref"].as_str().unwrap().to_string();
        let status = match rng.random_range(0..3) {
            0 => {
                call(&app, cashier, "sale_pay_cash", json!({"client_ref": r, "tendered": o["total"]}));
                "CLOSED_CONFIRMED"
            }
            1 => {
                call(&app, cashier, "order_cancel", json!({"client_ref": r}));
                "CLOSED_CANCELED"
            }
            _ => "CREATED_PAY_PENDING",
        };
        want.push((r, status));
    }
    post(http, &sim.base, "/sim/faults", faults_for(&mut rng, seed)).await;
    if rng.random_bool(0.3) {
        post(http, &sim.base, "/sim/faults", json!({"expire_tokens_now": true})).await;
    }
    let restart_at = if sim.args.state.is_some() { Some(rng.random_range(0..2)) } else { None };
    for round in 0..2 {
        let s = run_round_parts(&app, &client, &cfg, Parts { push: true, pull: true, catalog: false, counts: false }).await;
        t.lookups_found += s.lookups_found;
        t.retries += s.ops_retried;
        if restart_at == Some(round) {
            sim.restart().await;
            t.restarts += 1;
            // A restarted simulator starts without faults: put the schedule's back.
            let mut again = StdRng::seed_from_u64(seed);
            post(http, &sim.base, "/sim/faults", faults_for(&mut again, seed ^ 0xabc)).await;
        }
        if rng.random_bool(0.2) {
            post(http, &sim.base, "/sim/faults", json!({"expire_tokens_now": true})).await;
        }
    }
    post(http, &sim.base, "/sim/faults", serde_json::from_str(FAULTS_OFF).unwrap()).await;
    let s = settle(&app, &client, &cfg, Duration::from_secs(15)).await;
    t.lookups_found += s.lookups_found;
    assert_eq!(s.outbox_pending, 0, "mode {mode:?} seed {seed}: outbox did not settle: {s:?}");
    let state: Value = http.get(format!("{}/sim/state", sim.base)).send().await.unwrap().json().await.unwrap();
    let store_orders = state["orders"].as_array().unwrap().iter().filter(|o| o["type"] == "STORE_ORDER").count();
    let mut expected_on_platform = 0;
    for (r, status) in &want {
        t.orders += 1;
        let local = orders::require(app.ledger().read(), r).unwrap();
        let on = platform_orders_for(&state, r);
        assert!(on.len() <= 1, "mode {mode:?} seed {seed}: {r} created {} times", on.len());
        if local.sync_state == SyncState::Conflict {
            // Recorded, not dropped: outbox row held, journal row, message.
            t.conflicts += 1;
            let rows = outbox::list_stream(app.ledger().read(), r).unwrap();
            assert!(rows.iter().any(|x| x.state == "conflict"), "seed {seed}: conflict without a held op");
            let j = journal::list(app.ledger().read(), Some(r), None, 100).unwrap();
            assert!(j.iter().any(|x| x.action == "sync_conflict"), "seed {seed}: conflict not journaled");
            assert!(local.conflict.is_some());
            expected_on_platform += on.len();
            continue;
        }
        assert_eq!(on.len(), 1, "mode {mode:?} seed {seed}: {r} must be on the platform exactly once");
        expected_on_platform += 1;
        assert_eq!(on[0]["status"], *status, "mode {mode:?} seed {seed}: {r} platform status");
        assert_eq!(local.order_number.as_deref(), on[0]["order_number"].as_str(), "seed {seed}");
        assert_eq!(local.status.as_str(), *status, "seed {seed}: local status");
        assert_eq!(local.sync_state, SyncState::Synced, "seed {seed}");
    }
    assert_eq!(store_orders, expected_on_platform, "mode {mode:?} seed {seed}: stray platform orders");
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_exactly_once() {
    let total: u64 = std::env::var("STOREPOS_CHAOS_SCHEDULES").ok().and_then(|v| v.parse().ok()).unwrap_or(320);
    let workers: u64 = 6;
    let started = Instant::now();
    template();
    let mut tasks = Vec::new();
    for w in 0..workers {
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).pool_max_idle_per_host(0).build().unwrap();
            let mut tally = Tally::default();
            let mut plain: Vec<(Mode, Sim)> = Vec::new();
            for mode in MODES {
                plain.push((mode, Sim::start(SimArgs { mode, seed: w + 1, ..SimArgs::default() }).await));
            }
            let state_dir = tempfile::tempdir().unwrap();
            let mut i = w;
            while i < total {
                let mode = MODES[(i % 2) as usize];
                let seed = 1000 + i;
                let t = if i % 10 == w % 10 {
                    // Every tenth schedule runs on a simulator with a state file and is restarted mid-way.
                    let file = state_dir.path().join(format!("sim-{i}.json"));
                    let mut sim = Sim::start(SimArgs { mode, seed, state: Some(file), ..SimArgs::default() }).await;
                    let t = schedule(mode, seed, &mut sim, &http).await;
                    sim.shutdown().await;
                    t
                } else {
                    let sim = &mut plain.iter_mut().find(|(m, _)| *m == mode).unwrap().1;
                    schedule(mode, seed, sim, &http).await
                };
                tally.schedules += t.schedules;
                tally.orders += t.orders;
                tally.conflicts += t.conflicts;
                tally.lookups_found += t.lookups_found;
                tally.retries += t.retries;
                tally.restarts += t.restarts;
                i += workers;
            }
            for (_, s) in plain {
                s.shutdown().await;
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await.unwrap();
        all.schedules += t.schedules;
        all.orders += t.orders;
        all.conflicts += t.conflicts;
        all.lookups_found += t.lookups_found;
        all.retries += t.retries;
        all.restarts += t.restarts;
    }
    eprintln!("chaos: {all:?} in {:.1} s", started.elapsed().as_secs_f64());
    assert_eq!(all.schedules as u64, total);
    assert!(total < 50 || all.lookups_found > 0, "faults never exercised a lookup: {all:?}");
}
