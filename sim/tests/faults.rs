//! Fault injection, replay, reset and the state file, over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use storepos_sim::{start, Mode, SimArgs};

fn order_body(remark: &str) -> serde_json::Value {
    json!({"store_id": 1, "store_name": "总店", "remark": remark, "order_items": [{"product_id": 1, "quantity": 1}]})
}

async fn orders_with_remark(t: &T, remark: &str) -> usize {
    t.state().await["orders"].as_array().unwrap().iter().filter(|o| o["remark"] == remark).count()
}

#[tokio::test]
async fn timeout_reset_fail_garbage_before_commit() {
    let t = sim(Mode::Field).await;
    // Timeout: the request is accepted and never answered.
    t.faults(json!({"timeout_rate": 1.0})).await;
    let short = reqwest::Client::builder().timeout(Duration::from_millis(400)).build().unwrap();
    let e =
        short.post(t.url("/rest/store/order")).header("Authorization", &t.token).json(&order_body("t1")).send().await;
    assert!(e.unwrap_err().is_timeout());
    // The control surface is never faulted.
    let f = t.faults(json!({"timeout_rate": 0.0, "reset_rate": 1.0})).await;
    assert_eq!(f["reset_rate"], 1.0);
    // Reset: the connection closes without an answer.
    let e = t.c.post(t.url("/rest/store/order")).header("Authorization", &t.token).json(&order_body("t2")).send().await;
    let e = e.unwrap_err();
    assert!(!e.is_timeout(), "{e:?}");
    // 5xx before commit.
    t.faults(json!({"reset_rate": 0.0, "fail_rate": 1.0})).await;
    let r = t.post("/rest/store/order", order_body("t3")).await;
    assert!(r.status >= 500, "{}", r.status);
    // Garbage: 200 with a body that is not JSON.
    t.faults(json!({"fail_rate": 0.0, "garbage_rate": 1.0})).await;
    let r = t.post("/rest/store/order", order_body("t4")).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    t.faults(json!({"garbage_rate": 0.0})).await;
    // None of them committed anything.
    assert!(t.state().await["orders"].as_array().unwrap().is_empty());
    let r = t.post("/rest/store/order", order_body("ok")).await;
    assert_eq!(r.code(), 0);
}

#[tokio::test]
async fn drop_after_commit_leaves_the_order() {
    let t = sim(Mode::Field).await;
    // Set after login: login is a /rest call too and would be dropped.
    t.faults(json!({"drop_after_commit": 1.0})).await;
    let (mut saw_500, mut saw_drop) = (false, false);
    for i in 0..12 {
        let remark = format!("client_ref=00000000-{i}");
        let r =
            t.c.post(t.url("/rest/store/order"))
                .header("Authorization", &t.token)
                .json(&order_body(&remark))
                .send()
                .await;
        match r {
            Ok(r) => {
                assert_eq!(r.status().as_u16(), 500);
                saw_500 = true;
            }
            Err(e) => {
                assert!(!e.is_timeout());
                saw_drop = true;
            }
        }
        // Committed exactly once regardless of the answer.
        assert_eq!(orders_with_remark(&t, &remark).await, 1);
    }
    assert!(saw_500 && saw_drop, "both kinds drawn in 12 tries");
}

#[tokio::test]
async fn lying_put_and_latency() {
    let t = sim(Mode::Field).await;
    let o = t.counter_order(json!([{"product_id": 1, "quantity": 1}]), "l").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    t.faults(json!({"lying_put": true})).await;
    assert_eq!(t.act(&n, "complete").await.message(), "更新订单成功！");
    assert_eq!(t.status_of(&n).await, "CREATED_PAY_PENDING");
    t.faults(json!({"lying_put": false, "latency_ms": 300})).await;
    // The delay is seen as behaviour, not measured: a client that gives up sooner than the
    // injected latency gets no answer; a patient one gets the normal answer.
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(100)).build().unwrap();
    let e = impatient
        .put(t.url(&format!("/rest/store/order/{n}")))
        .header("Authorization", &t.token)
        .json(&json!({"store_id": 1, "action": "complete"}))
        .send()
        .await;
    assert!(e.as_ref().is_err_and(|e| e.is_timeout()), "answered before the 300 ms latency: {e:?}");
    assert_eq!(t.act(&n, "complete").await.code(), 0);
    let f = t.get_noauth("/sim/faults").await.json();
    assert_eq!(f["latency_ms"], 300);
    assert_eq!(f["lying_put"], false);
}

#[tokio::test]
async fn same_seed_replays_the_same_schedule() {
    let t = sim(Mode::Field).await;
    let mut runs = vec![];
    for _ in 0..2 {
        t.faults(json!({"seed": 42, "fail_rate": 0.5})).await;
        let mut seq = vec![];
        for _ in 0..24 {
            seq.push(t.get_noauth("/rest/product/1").await.status);
        }
        runs.push(seq);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&200) && runs[0].iter().any(|s| *s >= 500));
}

#[tokio::test]
async fn reset_and_clock() {
    let t = sim(Mode::Field).await;
    t.counter_order(json!([{"product_id": 1, "quantity": 1}]), "r").await;
    t.faults(json!({"fail_rate": 0.5})).await;
    let c = t.post_noauth("/sim/clock", json!({"advance_s": 3600})).await.json();
    assert_eq!(c["offset_s"], 3600);
    let r = t.post_noauth("/sim/reset", json!({})).await;
    assert_eq!(r.status, 200);
    assert!(t.state().await["orders"].as_array().unwrap().is_empty());
    assert_eq!(t.get_noauth("/sim/faults").await.json()["fail_rate"], 0.0);
    assert_eq!(t.get_noauth("/sim/clock").await.json()["offset_s"], 0);
    // Still logged in after a reset.
    assert_eq!(t.get("/rest/store/order?storeId=1").await.code(), 0);
}

#[tokio::test]
async fn state_file_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim-state.json");
    let args = SimArgs { mode: Mode::Field, state: Some(file.clone()), ..SimArgs::default() };
    let t = sim_with(Mode::Field, |a| a.state = Some(file.clone())).await;
    let o = t.counter_order(json!([{"product_id": 1, "quantity": 2}]), "persist-me").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    t.act(&n, "complete").await;
    let token = t.token.clone();
    t.h.shutdown().await;
    // Atomic writes: only the state file, no temp file left, valid JSON.
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names, ["sim-state.json"]);
    let _: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();

    let h = start(args).await.unwrap();
    let c = reqwest::Client::new();
    let r: serde_json::Value = c
        .get(format!("{}/rest/store/order/{n}", h.base_url()))
        .header("Authorization", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["status"], "CLOSED_CONFIRMED");
    assert_eq!(r["data"]["remark"], "persist-me");
    assert_eq!(num(&r["data"]["total_price"]), "4.00");
    // New ids continue after the old ones.
    let r: serde_json::Value = c
        .post(format!("{}/rest/store/order", h.base_url()))
        .header("Authorization", &token)
        .json(&order_body("second"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["id"], 2);
    h.shutdown().await;
}
