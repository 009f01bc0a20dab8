//! Chaos on three channels at once: seeded faults (timeouts, resets, 5xx before and after
//! commit, garbage) on the primary, omni and api simulators together. After each schedule
//! the faults go off and every channel settles: every sale exists exactly once on every
//! channel it belongs to (the primary by remark marker, omni by `outside_target_id`) with
//! the right status, or is a recorded conflict; every mall action happened once.
//! And a channel that is down blocks no other: with the omni simulator killed, the
//! background workers still deliver everything to the primary and the mall; once omni
//! is back (state reloaded from its file) it catches up, still exactly once.
//!
//! `STOREPOS_CHANNELS_CHAOS` schedules (default 4; each is small, 150 ms client timeouts).

use crate::channels_support;
use crate::sync_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use channels_support::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use storepos::engine::channels::{self as worker, ChannelConfig};
use storepos::engine::platform::{settle, SyncConfig};

fn faults(rng: &mut StdRng, seed: u64) -> Value {
    let mut pick = |p: f64, v: f64| if rng.random_bool(p) { v } else { 0.0 };
    json!({
        "seed": seed,
        "timeout_rate": pick(0.5, 0.06),
        "reset_rate": pick(0.5, 0.1),
        "fail_rate": pick(0.5, 0.15),
        "garbage_rate": pick(0.4, 0.08),
        "drop_after_commit": pick(0.7, 0.25),
    })
}

async fn schedule(seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut t = three(seed, Some(dir.path().to_path_buf()), 150).await;
    t.env.client = sync_support::client_for(&t.env.base, 150);
    let mut rng = StdRng::seed_from_u64(seed);
    let products = t.env.plain_products();

    // The mall's orders to act on, before the faults start.
    let paid = t.post(&t.api, "/sim/api/order", json!({"status": 1})).await["data"]["id"].as_u64().unwrap();
    let shipped = t.post(&t.api, "/sim/api/order", json!({"status": 2})).await["data"]["id"].as_u64().unwrap();
    for side in [&t.omni, &t.api] {
        t.post(side, "/sim/faults", faults(&mut rng, seed)).await;
    }
    t.env.sim_post("/sim/faults", faults(&mut rng, seed)).await;

    // 4 sales: 2 paid, 1 cancelled, 1 left open; 2 mall actions.
    let mut sales = vec![];
    for i in 0..4 {
        let (p, _) = products[rng.random_range(0..products.len())].clone();
        let (cr, total) = t.env.sale(p, rng.random_range(1..=3), "");
        let fate = match i {
            0 | 1 => {
                t.env.pay_cash(&cr, &total);
                "paid"
            }
            2 => {
                t.env.cancel(&cr);
                "cancelled"
            }
            _ => "open",
        };
        sales.push((cr, fate));
    }
    let act = |id: u64, body: Value| {
        let mut b = body;
        b["channel"] = json!("mall");
        b["remote_id"] = json!(id.to_string());
        call(&t.env.app, t.env.clerk(), "channel_order_action_apply", b);
    };
    act(paid, json!({"action": "refund", "reason": "坏了"}));
    act(shipped, json!({"action": "receipt"}));

    // All three at once under faults, then faults off and settle.
    let (omni, mall) = (t.channel("omni"), t.channel("mall"));
    let cfg = t.ccfg.clone();
    let app = t.env.app.clone();
    let short = Duration::from_millis(700);
    tokio::join!(
        settle(&app, &t.env.client, &t.env.cfg, short),
        worker::settle(&app, omni.as_ref(), &cfg, short),
        worker::settle(&app, mall.as_ref(), &cfg, short),
    );
    // A simulator restart in the middle: its state comes back from the file.
    t.omni.restart().await;
    for side in [&t.omni, &t.api] {
        t.post(
            side,
            "/sim/faults",
            json!({"timeout_rate": 0, "reset_rate": 0, "fail_rate": 0, "garbage_rate": 0, "drop_after_commit": 0}),
        )
        .await;
    }
    t.env
        .sim_post(
            "/sim/faults",
            json!({"timeout_rate": 0, "reset_rate": 0, "fail_rate": 0, "garbage_rate": 0, "drop_after_commit": 0}),
        )
        .await;
    let long = Duration::from_secs(15);
    let (rs, os, ms) = tokio::join!(
        settle(&app, &t.env.client, &t.env.cfg, long),
        worker::settle(&app, omni.as_ref(), &cfg, long),
        worker::settle(&app, mall.as_ref(), &cfg, long),
    );
    assert_eq!(rs.outbox_pending, 0, "seed {seed}: primary {rs:?}");
    assert_eq!(os.outbox_pending, 0, "seed {seed}: omni {os:?}");
    assert_eq!(ms.outbox_pending, 0, "seed {seed}: mall {ms:?}");

    let st = t.env.state().await;
    for (cr, fate) in &sales {
        let on_rest = sync_support::platform_orders_for(&st, cr);
        assert_eq!(on_rest.len(), 1, "seed {seed}: {cr} on the primary {} times", on_rest.len());
        let conflicted = storepos::ledger::channels::stream_rows(app.ledger().read(), "omni", cr)
            .unwrap()
            .iter()
            .any(|r| r.state == "conflict");
        let on_omni = t.omni_orders_for(cr).await;
        assert_eq!(on_omni.len(), 1, "seed {seed}: {cr} ({fate}) on omni {} times", on_omni.len());
        if !conflicted {
            let want = match *fate {
                "paid" => 30,
                "cancelled" => 90,
                _ => 5,
            };
            assert_eq!(on_omni[0]["status"], want, "seed {seed}: {cr} ({fate}) {}", on_omni[0]);
        }
    }
    let conflicts_mall = ms.conflicts;
    if conflicts_mall == 0 {
        assert_eq!(t.api_order(paid).await["refund_status"], 1, "seed {seed}");
        assert_eq!(t.api_order(shipped).await["status"], 3, "seed {seed}");
    }
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_channels_under_seeded_faults() {
    let n: u64 = std::env::var("STOREPOS_CHANNELS_CHAOS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let started = Instant::now();
    for base in (0..n).step_by(2) {
        let a = tokio::spawn(schedule(1000 + base));
        let b = (base + 1 < n).then(|| tokio::spawn(schedule(1001 + base)));
        a.await.unwrap();
        if let Some(b) = b {
            b.await.unwrap();
        }
    }
    eprintln!("{n} schedules in {:?}", started.elapsed());
}

async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, limit: Duration, mut f: impl FnMut() -> F) {
    let until = Instant::now() + limit;
    while !f().await {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_down_blocks_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = three(77, Some(dir.path().to_path_buf()), 300).await;
    let shipped = t.post(&t.api, "/sim/api/order", json!({"status": 2})).await["data"]["id"].as_u64().unwrap();
    // The background engines, as `storepos serve` runs them.
    let app = t.env.app.clone();
    let primary = storepos::engine::platform::spawn(
        app.clone(),
        Arc::new(sync_support::client_for(&t.env.base, 300)),
        SyncConfig::fast(),
    );
    let cfg = ChannelConfig::fast();
    let workers = vec![
        worker::spawn(app.clone(), t.channel("omni"), cfg.clone()),
        worker::spawn(app.clone(), t.channel("mall"), cfg),
    ];

    t.omni.stop().await;
    let products = t.env.plain_products();
    let mut sales = vec![];
    for i in 0..5 {
        let (cr, total) = t.env.sale(products[i % products.len()].0, 1, "");
        t.env.pay_cash(&cr, &total);
        sales.push(cr);
    }
    call(
        &app,
        t.env.clerk(),
        "channel_order_action_apply",
        json!({"channel": "mall", "remote_id": shipped.to_string(), "action": "receipt"}),
    );

    // The primary and the mall get everything while omni is down.
    let env = &t.env;
    wait_until("the primary to hold every sale", Duration::from_secs(15), || async {
        let st = env.state().await;
        sales.iter().all(|cr| {
            let v = sync_support::platform_orders_for(&st, cr);
            v.len() == 1 && v[0]["status"] == "CLOSED_CONFIRMED"
        })
    })
    .await;
    let api = &t.api;
    wait_until("the mall receipt", Duration::from_secs(10), || async {
        let st: Value = env.http.get(format!("{}/sim/state", api.base)).send().await.unwrap().json().await.unwrap();
        st["orders"].as_array().unwrap().iter().any(|o| o["id"] == shipped && o["status"] == 3)
    })
    .await;
    // Omni's worker notices within a round or two (a busy CI machine may be slow to).
    let channel = |id: &str| {
        let list = call(&app, env.cashier(), "channel_list", json!({}));
        list.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone()
    };
    wait_until("omni to be reported offline", Duration::from_secs(15), || async { channel("omni")["online"] == false })
        .await;
    let list = call(&app, env.cashier(), "channel_list", json!({}));
    let omni = list.as_array().unwrap().iter().find(|c| c["id"] == "omni").unwrap().clone();
    assert_eq!(omni["online"], false, "{omni}");
    assert!(omni["backlog"].as_i64().unwrap() >= 5, "omni still owes the sales: {omni}");
    let mall = list.as_array().unwrap().iter().find(|c| c["id"] == "mall").unwrap().clone();
    assert_eq!(mall["backlog"], 0, "{mall}");

    // Omni comes back: it catches up, once per sale.
    t.omni.restart().await;
    app.wake_engines();
    let t = &t;
    wait_until("omni to catch up", Duration::from_secs(20), || async {
        let st: Value =
            t.env.http.get(format!("{}/sim/state", t.omni.base)).send().await.unwrap().json().await.unwrap();
        let orders = st["orders"].as_array().cloned().unwrap_or_default();
        sales.iter().all(|cr| {
            let v: Vec<&Value> = orders.iter().filter(|o| o["outside_target_id"] == cr.as_str()).collect();
            v.len() == 1 && v[0]["status"] == 30
        })
    })
    .await;
    for w in workers {
        w.shutdown().await;
    }
    primary.shutdown().await;
}
