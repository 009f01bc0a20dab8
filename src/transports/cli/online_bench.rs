//! `storepos bench online`: paid on the platform → on the clerk's board (issue 24).
//!
//! Per link profile, a fresh simulator (field mode, loopback, in this process), a fresh
//! ledger in a temp dir and the real background sync worker (`engine::platform::spawn`,
//! what `storepos serve` and the demo run) with a chosen pull interval. Paid online orders
//! (SELF_PICK and FLASH, alternating) are placed on the simulator at a steady pace that is
//! not a multiple of the interval, so their phases against the pull cycle spread out. The
//! instant each is placed (the request to the simulator leaves; the order is paid when it
//! is stored) is the start; the end is the first instant the board's own query
//! (`order_list` with the board's active statuses, as the clerk) shows it, run whenever the
//! event the board listens to (`online_order`) arrives and every 50 ms besides.
//! The clerk accepts each order as it appears, as a clerk would.
//!
//! The figure the issue asks for is p99 / pull interval (target ≤ 3 under loss); "once"
//! says every placed order reached the ledger exactly once (none missing, none twice).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::bench::Figure;
use crate::clients::platform::client::{ClientConfig, Platform, PlatformClient};
use crate::commands::{dispatch, App};
use crate::engine::platform::SyncConfig;
use crate::services::setup::{init_store, InitOptions};

/// A link to the platform: what the simulator does to each `/rest` request.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LinkProfile {
    pub name: &'static str,
    /// Requests dropped before the server sees them (connection closed, nothing done).
    pub reset_rate: f64,
    /// Answers lost after the server did the work (500 or connection dropped).
    pub drop_after_commit: f64,
    /// Requests answered 502/5xx before anything is done.
    pub fail_rate: f64,
}

impl LinkProfile {
    pub const CLEAN: LinkProfile =
        LinkProfile { name: "clean", reset_rate: 0.0, drop_after_commit: 0.0, fail_rate: 0.0 };
    pub const DROPPED: LinkProfile =
        LinkProfile { name: "10% dropped", reset_rate: 0.10, drop_after_commit: 0.0, fail_rate: 0.0 };
    pub const LOST: LinkProfile =
        LinkProfile { name: "20% answers lost", reset_rate: 0.0, drop_after_commit: 0.20, fail_rate: 0.0 };
    pub const BAD_GATEWAY: LinkProfile =
        LinkProfile { name: "5% 502", reset_rate: 0.0, drop_after_commit: 0.0, fail_rate: 0.05 };
    pub const ALL_THREE: LinkProfile =
        LinkProfile { name: "all three", reset_rate: 0.10, drop_after_commit: 0.20, fail_rate: 0.05 };

    /// The five profiles of the issue, clean first.
    pub fn all() -> Vec<LinkProfile> {
        vec![Self::CLEAN, Self::DROPPED, Self::LOST, Self::BAD_GATEWAY, Self::ALL_THREE]
    }
}

/// How one run is shaped.
#[derive(Debug, Clone)]
pub struct OnlineOptions {
    /// Paid online orders placed per profile.
    pub orders: usize,
    /// The worker's pull interval.
    pub pull_interval: Duration,
    /// Time between two placed orders.
    pub spacing: Duration,
    /// The link profiles, each run on a fresh simulator and ledger.
    pub profiles: Vec<LinkProfile>,
    /// Seed of the simulator's fault draws.
    pub seed: u64,
    /// The engine's pull as it was before issue 24's fix, for a before/after figure in
    /// one run (see [`SyncConfig::prompt_pull`]).
    pub before_fix: bool,
}

impl OnlineOptions {
    /// The full run: 1 s interval, 60 orders per profile, every profile.
    pub fn full() -> OnlineOptions {
        OnlineOptions {
            orders: 60,
            pull_interval: Duration::from_millis(1000),
            spacing: Duration::from_millis(370),
            profiles: LinkProfile::all(),
            seed: 24,
            before_fix: false,
        }
    }

    /// Small enough for CI (a few seconds): 250 ms interval, 12 orders per profile.
    pub fn quick() -> OnlineOptions {
        OnlineOptions {
            orders: 12,
            pull_interval: Duration::from_millis(250),
            spacing: Duration::from_millis(90),
            ..OnlineOptions::full()
        }
    }
}

/// What one profile measured.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileReport {
    pub profile: String,
    pub reset_rate: f64,
    pub drop_after_commit: f64,
    pub fail_rate: f64,
    /// "after" (the engine as built) or "before" (issue 24's fix turned off).
    pub engine: String,
    pub pull_interval_ms: u64,
    /// Orders placed on the platform.
    pub placed: usize,
    /// Orders seen on the board (within the deadline).
    pub arrived: usize,
    /// Placed orders never seen on the board.
    pub missing: usize,
    /// Platform orders held by more than one local order.
    pub duplicated: usize,
    /// Every placed order in the ledger exactly once.
    pub exactly_once: bool,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// p99 in pull intervals (the figure; target ≤ 3 under loss).
    pub p99_intervals: f64,
    /// Sync rounds the worker ran while the profile ran.
    pub sync_rounds: u64,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct OnlineReport {
    pub pull_interval_ms: u64,
    pub spacing_ms: u64,
    pub seed: u64,
    pub profiles: Vec<ProfileReport>,
}

/// The target the issue sets: p99 within three pull intervals on a lossy link.
pub const TARGET_INTERVALS: f64 = 3.0;

impl OnlineReport {
    /// One line per profile, aligned like the other benches' tables.
    pub fn table(&self) -> String {
        let mut out = format!(
            "online orders: paid on the platform → on the clerk's board (pull interval {} ms, one order every {} ms, fault seed {})\n",
            self.pull_interval_ms, self.spacing_ms, self.seed
        );
        out.push_str(&format!(
            "{:<18} {:<6} {:>7} {:>9} {:>9} {:>9} {:>9} {:>11}  {}\n",
            "link", "engine", "orders", "p50 ms", "p99 ms", "max ms", "p99/intv", "rounds", "exactly once"
        ));
        for p in &self.profiles {
            out.push_str(&format!(
                "{:<18} {:<6} {:>7} {:>9.0} {:>9.0} {:>9.0} {:>8.2}x {:>11}  {}\n",
                p.profile,
                p.engine,
                format!("{}/{}", p.arrived, p.placed),
                p.p50_ms,
                p.p99_ms,
                p.max_ms,
                p.p99_intervals,
                p.sync_rounds,
                if p.exactly_once {
                    "yes".to_string()
                } else {
                    format!("NO ({} missing, {} twice)", p.missing, p.duplicated)
                }
            ));
        }
        out
    }

    /// The figures for the common table: p50 and p99 per profile against the interval.
    pub fn figures(&self) -> Vec<Figure> {
        let mut v = Vec::new();
        for p in &self.profiles {
            let tag = if p.engine == "after" { String::new() } else { format!(", {}", p.engine) };
            let once = if p.exactly_once { "once" } else { "NOT once" };
            v.push(Figure {
                name: format!("online→board p50, {}{tag}", p.profile),
                value: p.p50_ms,
                unit: "ms".into(),
                baseline: Some(p.pull_interval_ms as f64),
                ratio: Some(p.p50_ms / p.pull_interval_ms as f64),
                target: "-".into(),
            });
            v.push(Figure {
                name: format!("online→board p99, {}{tag} ({}/{} {once})", p.profile, p.arrived, p.placed),
                value: p.p99_ms,
                unit: "ms".into(),
                baseline: Some(p.pull_interval_ms as f64),
                ratio: Some(p.p99_intervals),
                target: "≤ 3 intervals".into(),
            });
        }
        v
    }
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs every profile of `opts` on its own tokio runtime (call from synchronous code).
pub fn run_online_bench(opts: &OnlineOptions) -> Result<OnlineReport, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut profiles = Vec::new();
    for link in &opts.profiles {
        profiles.push(rt.block_on(run_profile(opts, *link))?);
    }
    Ok(OnlineReport {
        pull_interval_ms: opts.pull_interval.as_millis() as u64,
        spacing_ms: opts.spacing.as_millis() as u64,
        seed: opts.seed,
        profiles,
    })
}

/// The board's columns of orders in progress (`ui/src/board.ts` `ACTIVE_STATUSES`).
const BOARD_STATUSES: [&str; 5] = [
    "PAID_CONFIRM_PENDING",
    "CONFIRMED_PICK_PENDING",
    "CONFIRMED_DELIVER_PENDING",
    "DELIVERING",
    "DELIVERED_CONFIRM_PENDING",
];

fn login(app: &App, user: &str, pin: &str) -> Result<String, String> {
    let v = dispatch(app, None, false, "session_login", serde_json::json!({ "username": user, "pin": pin }))
        .map_err(|e| e.to_string())?;
    v["token"].as_str().map(str::to_string).ok_or_else(|| "no session token".to_string())
}

/// The board's query, as the clerk: (client_ref, order_number, status) of what it shows.
fn board(app: &App, token: &str) -> Result<Vec<(String, String, String)>, String> {
    let v = dispatch(
        app,
        Some(token),
        false,
        "order_list",
        serde_json::json!({ "statuses": BOARD_STATUSES, "limit": 500 }),
    )
    .map_err(|e| e.to_string())?;
    Ok(v["orders"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|o| o["channel"].as_str() != Some("COUNTER"))
                .filter_map(|o| {
                    Some((
                        o["client_ref"].as_str()?.to_string(),
                        o["order_number"].as_str()?.to_string(),
                        o["status"].as_str().unwrap_or_default().to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default())
}

async fn run_profile(opts: &OnlineOptions, link: LinkProfile) -> Result<ProfileReport, String> {
    let sim = storepos_sim::start(storepos_sim::SimArgs {
        mode: storepos_sim::Mode::Field,
        seed: opts.seed,
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let base = sim.base_url();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let app = {
        let path = dir.path().to_path_buf();
        tokio::task::spawn_blocking(move || init_store(&path, &InitOptions::default()))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
    };
    let app = Arc::new(app);
    let clerk = login(&app, "clerk", "2222")?;
    let store = app.config();
    let cc = ClientConfig::new(&base, "store1", "store1pass", store.store_id, &store.store_name)
        .with_timeouts(Duration::from_secs(1), Duration::from_secs(3));
    let client = PlatformClient::new(cc).map_err(|e| e.to_string())?;
    // Logged in before the clock starts (a till that has been open a while).
    client.login().await.map_err(|e| e.to_string())?;
    let faults = serde_json::json!({
        "reset_rate": link.reset_rate,
        "drop_after_commit": link.drop_after_commit,
        "fail_rate": link.fail_rate,
        "seed": opts.seed,
    });
    let r = http.post(format!("{base}/sim/faults")).json(&faults).send().await.map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("cannot set the link's faults: {}", r.status()));
    }

    let mut events = app.subscribe();
    let cfg = SyncConfig { pull_interval: opts.pull_interval, prompt_pull: !opts.before_fix, ..SyncConfig::default() };
    let worker = crate::engine::platform::spawn(app.clone(), Arc::new(client), cfg);
    // The worker's first round (catalog, counts) before the first order.
    tokio::time::sleep(opts.pull_interval).await;

    // The customers: paid orders at a steady pace, SELF_PICK and FLASH in turn.
    let placed: Arc<std::sync::Mutex<HashMap<String, Instant>>> = Arc::default();
    let placing = {
        let (placed, http, base, n, spacing) = (placed.clone(), http.clone(), base.clone(), opts.orders, opts.spacing);
        tokio::spawn(async move {
            let start = Instant::now();
            for i in 0..n {
                tokio::time::sleep_until((start + spacing * i as u32).into()).await;
                let delivery = if i % 2 == 0 { "SELF_PICK" } else { "FLASH" };
                let t = Instant::now();
                let v: serde_json::Value = http
                    .post(format!("{base}/sim/online-order"))
                    .json(&serde_json::json!({ "delivery_type": delivery }))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?
                    .json()
                    .await
                    .map_err(|e| e.to_string())?;
                let number = v["data"]["order_number"].as_str().ok_or_else(|| format!("no order number: {v}"))?;
                placed.lock().unwrap_or_else(|p| p.into_inner()).insert(number.to_string(), t);
            }
            Ok::<(), String>(())
        })
    };

    // The clerk's board: looks whenever the event comes, and every few ms besides.
    let mut seen: HashMap<String, Instant> = HashMap::new();
    let mut rounds = 0u64;
    let mut placing = Some(placing);
    let mut deadline: Option<Instant> = None;
    let patience = (opts.pull_interval * 30).max(Duration::from_secs(10));
    loop {
        // The board looks again when an order arrives (the event it listens to), when
        // events were missed, and every 50 ms besides (the UI's own fallback is a 5 s poll).
        let look = tokio::select! {
            e = events.recv() => match e {
                Ok(crate::app::Event::Sync { .. }) => {
                    rounds += 1;
                    false
                }
                Ok(crate::app::Event::OnlineOrder { .. }) => true,
                Ok(_) => false,
                Err(_) => true,
            },
            _ = tokio::time::sleep(Duration::from_millis(50)) => true,
        };
        let now = Instant::now();
        let shown = if look {
            let (app, clerk) = (app.clone(), clerk.clone());
            tokio::task::spawn_blocking(move || board(&app, &clerk)).await.map_err(|e| e.to_string())??
        } else {
            vec![]
        };
        for (client_ref, number, status) in shown {
            if seen.contains_key(&number) {
                continue;
            }
            seen.insert(number, now);
            if status == "PAID_CONFIRM_PENDING" {
                // The clerk accepts it; its sync is the worker's business.
                let (app, clerk) = (app.clone(), clerk.clone());
                let r = tokio::task::spawn_blocking(move || {
                    dispatch(
                        &app,
                        Some(&clerk),
                        false,
                        "order_action_apply",
                        serde_json::json!({ "client_ref": client_ref, "action": "accept" }),
                    )
                })
                .await
                .map_err(|e| e.to_string())?;
                if let Err(e) = r {
                    tracing::warn!("bench clerk: accept refused: {e}");
                }
            }
        }
        if placing.as_ref().is_some_and(|h| h.is_finished()) {
            if let Some(h) = placing.take() {
                h.await.map_err(|e| e.to_string())??;
            }
            deadline = Some(Instant::now() + patience);
        }
        if placing.is_none() {
            let all_in = placed.lock().unwrap_or_else(|p| p.into_inner()).keys().all(|n| seen.contains_key(n));
            if all_in || deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
    }
    worker.shutdown().await;
    let placed = std::mem::take(&mut *placed.lock().unwrap_or_else(|p| p.into_inner()));

    let mut lat: Vec<f64> = placed
        .iter()
        .filter_map(|(n, t)| seen.get(n).map(|s| s.saturating_duration_since(*t).as_secs_f64() * 1e3))
        .collect();
    lat.sort_by(f64::total_cmp);
    let mut counts: HashMap<String, i64> = HashMap::new();
    {
        let ledger = app.ledger();
        let mut st = ledger
            .read()
            .prepare("SELECT order_number, count(*) FROM orders WHERE order_number IS NOT NULL GROUP BY order_number")
            .map_err(|e| e.to_string())?;
        let rows =
            st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(|e| e.to_string())?;
        for row in rows {
            let (number, n) = row.map_err(|e| e.to_string())?;
            counts.insert(number, n);
        }
    }
    let missing = placed.keys().filter(|n| counts.get(*n).copied().unwrap_or(0) == 0).count();
    let duplicated = placed.keys().filter(|n| counts.get(*n).copied().unwrap_or(0) > 1).count();
    sim.shutdown().await;
    let interval_ms = opts.pull_interval.as_secs_f64() * 1e3;
    let p99 = pct(&lat, 0.99);
    Ok(ProfileReport {
        profile: link.name.to_string(),
        reset_rate: link.reset_rate,
        drop_after_commit: link.drop_after_commit,
        fail_rate: link.fail_rate,
        engine: if opts.before_fix { "before" } else { "after" }.into(),
        pull_interval_ms: opts.pull_interval.as_millis() as u64,
        placed: placed.len(),
        arrived: lat.len(),
        missing,
        duplicated,
        exactly_once: missing == 0 && duplicated == 0 && lat.len() == placed.len(),
        p50_ms: pct(&lat, 0.5),
        p99_ms: p99,
        max_ms: lat.last().copied().unwrap_or(0.0),
        p99_intervals: p99 / interval_ms,
        sync_rounds: rounds,
    })
}
