//! The omni (seed 004) and api (seed 001) dialects of the simulator, over real HTTP.

use serde_json::{json, Value};
use storepos_sim::{Dialect, SimArgs};

const TOKEN: &str = "spos-channel-token";

async fn req(c: &reqwest::Client, m: reqwest::Method, url: String, body: Option<Value>, auth: bool) -> (u16, Value) {
    let mut rb = c.request(m, url);
    if auth {
        rb = rb.bearer_auth(TOKEN);
    }
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    let st = r.status().as_u16();
    let text = r.text().await.unwrap();
    (st, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn omni_follows_seed_004() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("omni.json");
    let args = SimArgs { dialect: Dialect::Omni, state: Some(state.clone()), ..SimArgs::default() };
    let h = storepos_sim::start(args.clone()).await.unwrap();
    let b = h.base_url();
    let c = reqwest::Client::new();
    use reqwest::Method as M;

    let (st, v) = req(&c, M::GET, format!("{b}/master/orders"), None, false).await;
    assert_eq!((st, v["success"].clone(), v["status"]["code"].clone()), (401, json!(false), json!(401)));

    let body = json!({"address_rid": "store", "outside_target_id": "ref-1", "from_client": "5", "ship_mode": 2,
                      "store_items": [{"store_rid": "1", "items": [{"rid": "1", "quantity": 2, "express_id": 0}]}]});
    let (st, v) = req(&c, M::POST, format!("{b}/orders/create"), Some(body.clone()), true).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["status"]["message"], "All created.");
    let o = &v["data"]["orders"][0];
    assert_eq!(o["status"], 5);
    assert_eq!(o["outside_target_id"], "ref-1");
    assert!(o["created_at"].is_i64(), "unix seconds");
    let rid = o["rid"].as_str().unwrap().to_string();

    // Missing required field → the documented error envelope.
    let (st, v) = req(&c, M::POST, format!("{b}/orders/create"), Some(json!({"store_items": []})), true).await;
    assert_eq!((st, v["success"].clone()), (400, json!(false)));
    assert!(v["status"]["message"].as_str().unwrap().contains("address_rid"));

    // The walk: needs payment, goes forward only.
    let (st, v) = req(&c, M::POST, format!("{b}/orders/up_shipped_status"), Some(json!({"rid": rid})), true).await;
    assert_eq!((st, v["status"]["message"].clone()), (400, json!("订单未付款")));
    let (_, v) = req(&c, M::POST, format!("{b}/orders/up_paid_status"), Some(json!({"rid": rid})), true).await;
    assert_eq!(v["data"], json!({"is_paid": true, "rid": rid}));
    let (_, v) = req(&c, M::POST, format!("{b}/orders/up_shipped_status"), Some(json!({"rid": rid})), true).await;
    assert_eq!(v["data"]["order"]["status"], 16);
    let (st, v) = req(&c, M::POST, format!("{b}/orders/up_distribution_status"), Some(json!({"rid": rid})), true).await;
    assert_eq!((st, v["status"]["message"].clone()), (400, json!("订单状态错误")));
    let (_, v) = req(&c, M::POST, format!("{b}/orders/check_order_paid"), Some(json!({"rid": rid})), true).await;
    assert_eq!(v["data"]["paid"], true);

    // Merchant buckets and search by outside_target_id.
    let (_, v) = req(&c, M::GET, format!("{b}/master/orders?status=2"), None, true).await;
    assert_eq!(v["data"]["count"], 1);
    let (_, v) = req(&c, M::GET, format!("{b}/master/orders?search=ref-1"), None, true).await;
    assert_eq!(v["data"]["orders"][0]["rid"], rid.as_str());
    let (st, _) = req(&c, M::GET, format!("{b}/master/orders?status=9"), None, true).await;
    assert_eq!(st, 400);

    // Cancel once; twice is refused; it shows in bucket 4.
    let (st, _) =
        req(&c, M::POST, format!("{b}/orders/cancel"), Some(json!({"rid": rid, "from_client": 1})), true).await;
    assert_eq!(st, 200);
    let (st, v) =
        req(&c, M::POST, format!("{b}/orders/cancel"), Some(json!({"rid": rid, "from_client": 1})), true).await;
    assert_eq!((st, v["status"]["message"].clone()), (400, json!("订单已取消")));
    let (_, v) = req(&c, M::GET, format!("{b}/master/orders?status=4"), None, true).await;
    assert_eq!(v["data"]["count"], 1);

    // Faults hit the dialect's paths, never /sim.
    req(&c, M::POST, format!("{b}/sim/faults"), Some(json!({"fail_rate": 1.0})), false).await;
    let (st, _) = req(&c, M::GET, format!("{b}/orders/{rid}"), None, true).await;
    assert!(st >= 500);
    let (st, _) = req(&c, M::GET, format!("{b}/sim/state"), None, false).await;
    assert_eq!(st, 200);
    h.shutdown().await;

    // State survives a restart.
    let h = storepos_sim::start(args).await.unwrap();
    let b = h.base_url();
    let (_, v) = req(&c, M::GET, format!("{b}/orders/{rid}"), None, true).await;
    assert_eq!(v["data"]["status"], 90, "{v}");
    h.shutdown().await;
}

#[tokio::test]
async fn api_follows_seed_001() {
    let h = storepos_sim::start(SimArgs { dialect: Dialect::Api, ..SimArgs::default() }).await.unwrap();
    let b = h.base_url();
    let c = reqwest::Client::new();
    use reqwest::Method as M;
    let (_, v) = req(
        &c,
        M::POST,
        format!("{b}/api/orders"),
        Some(json!({"num": 2, "sku_id": 1, "pay_type": "wxpay", "address_id": 1})),
        true,
    )
    .await;
    let id = v["data"]["order_id"].as_u64().unwrap();
    let (st, v) = req(&c, M::GET, format!("{b}/api/orders/{id}"), None, true).await;
    assert_eq!(st, 200);
    assert!(v.get("code").is_none(), "the detail is the bare object");
    let price = v["total_price"].as_str().expect("prices are strings");
    assert_eq!(price.split('.').nth(1).map(str::len), Some(2), "two decimals: {price}");
    assert_eq!(v["status"], 0);
    let (_, v) = req(&c, M::GET, format!("{b}/api/orders?status=wait&limit=20&offset=0"), None, true).await;
    assert_eq!(v["code"], 0);
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    let (st, v) = req(&c, M::GET, format!("{b}/api/orders?limit=20"), None, true).await;
    assert_eq!((st, v["code"].clone()), (422, json!(422)));
    let (_, v) = req(&c, M::GET, format!("{b}/api/order-counts"), None, true).await;
    assert_eq!(v["data"], json!({"wait_pay": 1, "wait_send": 0, "wait_receipt": 0}));
    // Receipt needs shipped; refund needs paid or completed; cancel needs unpaid.
    let (_, v) = req(&c, M::POST, format!("{b}/api/orders/{id}/receipt"), None, true).await;
    assert_eq!(v["code"], 1);
    let (_, v) = req(&c, M::POST, format!("{b}/api/orders/{id}/refund"), Some(json!({"reason": "x"})), true).await;
    assert_eq!(v["code"], 1);
    let (_, v) = req(&c, M::GET, format!("{b}/api/orders/{id}/status"), None, true).await;
    assert_eq!(v["data"]["status"], false);
    req(&c, M::POST, format!("{b}/sim/api/{id}/pay"), None, false).await;
    let (_, v) = req(&c, M::PUT, format!("{b}/api/orders/{id}/cancel"), None, true).await;
    assert_eq!(v["code"], 1, "paid orders cannot be cancelled");
    let (_, v) = req(&c, M::POST, format!("{b}/api/orders/{id}/refund"), Some(json!({"reason": "坏了"})), true).await;
    assert_eq!(v["msg"], "提交成功");
    let (_, v) = req(&c, M::GET, format!("{b}/api/orders?status=apply"), None, true).await;
    assert_eq!(v["data"][0]["refund_status"], 1);
    let (_, v) = req(&c, M::DELETE, format!("{b}/api/orders/{id}/refund"), None, true).await;
    assert_eq!(v["msg"], "撤销成功");
    let (_, v) = req(&c, M::DELETE, format!("{b}/api/orders/{id}/refund"), None, true).await;
    assert_eq!(v["code"], 1, "only an open application can be withdrawn");
    let (st, _) = req(&c, M::GET, format!("{b}/api/orders/999"), None, true).await;
    assert_eq!(st, 404);
    let (st, _) = req(&c, M::GET, format!("{b}/api/orders/{id}"), None, false).await;
    assert_eq!(st, 401);
    h.shutdown().await;
}
