//! Field mode, fact by fact (DESIGN.md "Where the real server differs from its
//! documents"), with the documented-mode counterpart where the two differ.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use storepos_sim::{start, Mode, SimArgs};

const STOCK: &str = "新建订单失败 - 库存不足";

fn body(remark: &str) -> Value {
    json!({"store_id": 1, "store_name": "总店", "payment_type": "STORE", "remark": remark,
           "order_items": [{"product_id": pid("农夫山泉550ml"), "quantity": 1}]})
}

/// A create without the helper's 2 ms pause.
async fn create_raw(t: &T, token: &str, remark: &str) -> Resp {
    let r =
        t.c.post(t.url("/rest/store/order")).header("Authorization", token).json(&body(remark)).send().await.unwrap();
    let status = r.status().as_u16();
    Resp { status, text: r.text().await.unwrap() }
}

async fn sim_orders(t: &T) -> Vec<Value> {
    t.get_noauth("/sim/orders").await.json()["orders"].as_array().unwrap().clone()
}

async fn login(t: &T, user: &str, pass: &str) -> String {
    t.post_noauth("/rest/login", json!({"username": user, "password": pass})).await.data()["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn set_status(t: &T, key: &str, status: &str) -> Resp {
    t.post_noauth(&format!("/sim/orders/{key}/status"), json!({"status": status})).await
}

/// A field sim without deadlocks (tests that fire creates concurrently turn them on).
async fn field() -> T {
    let t = sim(Mode::Field).await;
    t.faults(json!({"deadlock_rate": 0.0})).await;
    t
}

// ---- catalog --------------------------------------------------------------------------

#[tokio::test]
async fn catalog_field_quirks() {
    let t = field().await;
    assert_eq!(t.get_noauth("/rest/product").await.data(), json!([]), "only recommended products without all=true");
    let all = t.get_noauth("/rest/product?all=true").await.data();
    let p = &all[0];
    assert_eq!(p["barcode"], p["bar_code"]);
    let code = p["barcode"].as_str().unwrap();
    let found = t.get_noauth(&format!("/rest/product_search?barCode={}", &code[..code.len() - 3])).await.data();
    assert!(found.as_array().unwrap().iter().any(|x| x["id"] == p["id"]), "prefix match");
    let r = t.get_noauth("/rest/product/99999").await;
    assert_eq!((r.code(), r.message().as_str()), (1, "product.is.null"));
    let d = sim(Mode::Documented).await;
    assert_eq!(d.get_noauth("/rest/product/99999").await.message(), "invalid.product.id");
    assert_eq!(
        d.get_noauth(&format!("/rest/product_search?barCode={}", &code[..code.len() - 3])).await.data(),
        json!([])
    );
}

// ---- order numbers ----------------------------------------------------------------------

#[tokio::test]
async fn number_is_millisecond_stamp_plus_user_id() {
    let t = field().await;
    let o = t.counter_order(body("x")["order_items"].clone(), "x").await;
    let n = o["order_number"].as_str().unwrap();
    assert_eq!(n.len(), 16, "{n}");
    assert!(n.ends_with('2'), "default account is user 2: {n}");
    let d = t.get(&format!("/rest/store/order/{n}")).await.data();
    // yyMMddHHmmss of the number = the detail's created_date (Shanghai).
    let c = d["created_date"].as_str().unwrap().replace(['-', ' ', ':'], "");
    assert_eq!(&n[..12], &c[2..14], "{n} vs {c}");
    let o = &sim_orders(&t).await[0];
    assert_eq!((o["account"].as_str(), o["user_id"].as_u64()), (Some("store1"), Some(2)));
}

#[tokio::test]
async fn same_millisecond_numbers_collide_and_reach_the_first_order() {
    let t = field().await;
    t.faults(json!({"collide_rate": 1.0})).await;
    let a = create_raw(&t, &t.token, "marker-A").await.data();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let b = create_raw(&t, &t.token, "marker-B").await.data();
    let n = a["order_number"].as_str().unwrap().to_string();
    assert_eq!(b["order_number"], a["order_number"], "forced into A's millisecond");
    // Both stored, with their own ids.
    let all = sim_orders(&t).await;
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|o| o["order_number"] == n.as_str()));
    assert_ne!(all[0]["id"], all[1]["id"]);
    // Lists show both rows.
    assert_eq!(t.get("/rest/store/order?storeId=1").await.data()["totalRow"], 2);
    // GET reaches the first one only.
    assert_eq!(t.get(&format!("/rest/store/order/{n}")).await.data()["remark"], "marker-A");
    // PUT too: B keeps waiting while A is closed.
    assert_eq!(t.act(&n, "complete").await.message(), "更新订单成功！");
    let all = sim_orders(&t).await;
    let st = |m: &str| all.iter().find(|o| o["remark"] == m).unwrap()["status"].as_str().unwrap().to_string();
    assert_eq!(st("marker-A"), "CLOSED_CONFIRMED");
    assert_eq!(st("marker-B"), "CREATED_PAY_PENDING");
    // push_order by the number reaches A (closed), not the pending B.
    let r = t.post("/rest/wx/push_order", json!({"order_type": "Order", "order_number": n, "type": "NATIVE"})).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "retrieve.order.failure"));
    // After-sales by the number reaches A as well.
    let r = t
        .post(
            "/rest/store/order_customer_service",
            json!({"store_id": "1", "order_number": n, "service_type": "RETURN", "reason": "r",
                   "returns": [{"product_id": pid("农夫山泉550ml")}]}),
        )
        .await;
    assert_eq!(r.message(), "order.status.transfer.error", "A is CLOSED_CONFIRMED");
}

#[tokio::test]
async fn collide_rate_is_seeded_and_zero_means_distinct() {
    async fn pattern(seed: u64, rate: f64) -> Vec<bool> {
        let t = field().await;
        t.faults(json!({"seed": seed, "collide_rate": rate})).await;
        let mut numbers: Vec<String> = vec![];
        for i in 0..16 {
            tokio::time::sleep(Duration::from_millis(3)).await;
            numbers.push(
                create_raw(&t, &t.token, &format!("c{i}")).await.data()["order_number"].as_str().unwrap().to_string(),
            );
        }
        numbers.windows(2).map(|w| w[0] == w[1]).collect()
    }
    let a = pattern(11, 0.5).await;
    let b = pattern(11, 0.5).await;
    assert_eq!(a, b, "same seed, same collisions");
    assert!(a.contains(&true) && a.contains(&false), "{a:?}");
    assert!(!pattern(11, 0.0).await.contains(&true));
}

#[tokio::test]
async fn documented_numbers_stay_unique() {
    let t = sim(Mode::Documented).await;
    t.faults(json!({"collide_rate": 1.0, "deadlock_rate": 1.0})).await;
    let a = create_raw(&t, &t.token, "a").await.data();
    let b = create_raw(&t, &t.token, "b").await.data();
    assert_ne!(a["order_number"], b["order_number"]);
    assert_eq!(t.get_noauth("/sim/faults").await.json()["deadlock_rate"], 1.0);
    assert_eq!(sim(Mode::Documented).await.get_noauth("/sim/faults").await.json()["deadlock_rate"], 0.0);
    assert_eq!(sim(Mode::Field).await.get_noauth("/sim/faults").await.json()["deadlock_rate"], 0.25);
}

// ---- accounts -----------------------------------------------------------------------------

#[tokio::test]
async fn two_accounts_numbers_differ_by_user_id() {
    let t = field().await;
    let r = t.post_noauth("/sim/accounts", json!({"username": "till2", "password": "p2", "user_id": 7})).await;
    assert_eq!(r.data(), json!({"username": "till2", "user_id": 7}));
    assert_eq!(
        t.post_noauth("/sim/accounts", json!({"username": "till2", "password": "x", "user_id": 8})).await.status,
        409
    );
    let accounts = t.get_noauth("/sim/accounts").await.data();
    assert_eq!(accounts, json!([{"username": "store1", "user_id": 2}, {"username": "till2", "user_id": 7}]));
    let tok2 = login(&t, "till2", "p2").await;
    assert_ne!(tok2, t.token);
    let a = create_raw(&t, &t.token, "one").await.data();
    let b = create_raw(&t, &tok2, "two").await.data();
    let (na, nb) = (a["order_number"].as_str().unwrap(), b["order_number"].as_str().unwrap());
    assert!(na.ends_with('2') && nb.ends_with('7'), "{na} {nb}");
    assert_eq!(b["store_user_name"], "till2");
    let o = sim_orders(&t).await.into_iter().find(|o| o["remark"] == "two").unwrap();
    assert_eq!((o["account"].as_str(), o["user_id"].as_u64()), (Some("till2"), Some(7)));
    // Login answer: permissions and the user id.
    let d = t.post_noauth("/rest/login", json!({"username": "till2", "password": "p2"})).await.data();
    assert!(d["permissions"].is_array());
    assert_eq!(d["user_id"], 7);
}

#[tokio::test]
async fn same_token_until_logout_which_ends_every_session() {
    let t = field().await;
    t.post_noauth("/sim/accounts", json!({"username": "till2", "password": "p2", "user_id": 3})).await.data();
    let other = login(&t, "till2", "p2").await;
    // A second device logging in gets the very same token.
    let device2 = login(&t, "store1", "store1pass").await;
    assert_eq!(device2, t.token);
    let r = t.get_with("/rest/logout", &device2).await;
    assert_eq!(r.code(), 0);
    // Both devices are out.
    let r = t.get("/rest/store/order?storeId=1").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), 401);
    // The other account is untouched.
    assert_eq!(t.get_with("/rest/store/order?storeId=1", &other).await.status, 200);
    // Logging in again hands out a new token.
    let fresh = login(&t, "store1", "store1pass").await;
    assert_ne!(fresh, t.token);
    assert_eq!(t.get_with("/rest/store/order?storeId=1", &fresh).await.status, 200);
}

#[tokio::test]
async fn unauthorized_is_json_without_content_type() {
    let t = field().await;
    let r = t.c.get(t.url("/rest/store/order?storeId=1")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.headers().get("content-type").is_none(), "{:?}", r.headers());
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["status_code"], 401);
    // A garbage token: the Java exception's text.
    let r = t.get_with("/rest/store/order?storeId=1", "%%%").await;
    assert!(r.message().contains("Exception"), "{}", r.text);
    let r = t.get_with("/rest/store/order?storeId=1", "aGVsbG8=").await; // base64("hello")
    assert!(r.message().contains("JsonParseException"), "{}", r.text);
    // Unknown path without a token: 401, with one: 404 page.
    assert_eq!(t.get_noauth("/rest/whatever").await.status, 401);
    assert_eq!(t.get("/rest/whatever").await.status, 404);
}

#[tokio::test]
async fn accounts_persist_with_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let t = sim_with(Mode::Field, |a| a.state = Some(file.clone())).await;
    t.post_noauth("/sim/accounts", json!({"username": "till9", "password": "p9", "user_id": 9})).await.data();
    t.h.shutdown().await;
    let h = start(SimArgs { mode: Mode::Field, state: Some(file), ..SimArgs::default() }).await.unwrap();
    let r: Value = reqwest::Client::new()
        .post(format!("{}/rest/login", h.base_url()))
        .json(&json!({"username": "till9", "password": "p9"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status_code"], 0, "{r}");
    h.shutdown().await;
}

// ---- deadlocks --------------------------------------------------------------------------

/// Fire `n` creates at once from one account; returns (remark, answer message or "ok").
async fn burst(t: &T, n: usize, tag: &str) -> Vec<(String, String)> {
    let futs = (0..n).map(|i| {
        let remark = format!("{tag}-{i}");
        async move {
            let r = create_raw(t, &t.token, &remark).await;
            let msg = if r.code() == 0 { "ok".to_string() } else { r.message() };
            (remark, msg)
        }
    });
    futures::future::join_all(futs).await
}

#[tokio::test]
async fn concurrent_creates_deadlock_and_store_nothing() {
    let t = field().await;
    t.faults(json!({"deadlock_rate": 0.5, "latency_ms": 150, "seed": 5})).await;
    let answers = burst(&t, 12, "dl").await;
    let stored = sim_orders(&t).await;
    let count = |m: &str| stored.iter().filter(|o| o["remark"] == m).count();
    let failed: Vec<_> = answers.iter().filter(|(_, m)| m == STOCK).collect();
    assert!(!failed.is_empty(), "some creates deadlock: {answers:?}");
    assert!(failed.len() < answers.len(), "not all: {answers:?}");
    for (remark, msg) in &answers {
        match msg.as_str() {
            "ok" => assert_eq!(count(remark), 1, "{remark}"),
            m => {
                assert_eq!(m, STOCK);
                assert_eq!(count(remark), 0, "nothing stored for {remark}");
            }
        }
    }
}

#[tokio::test]
async fn sequential_creates_never_deadlock() {
    let t = field().await;
    t.faults(json!({"deadlock_rate": 1.0, "latency_ms": 10})).await;
    for i in 0..8 {
        let r = create_raw(&t, &t.token, &format!("s{i}")).await;
        assert_eq!(r.code(), 0, "{}", r.text);
    }
    // ...while two at once with rate 1 always do.
    let answers = burst(&t, 2, "pair").await;
    assert!(answers.iter().all(|(_, m)| m == STOCK), "{answers:?}");
    // Different accounts never deadlock each other.
    t.post_noauth("/sim/accounts", json!({"username": "b", "password": "b", "user_id": 5})).await.data();
    let tok_b = login(&t, "b", "b").await;
    let (x, y) = tokio::join!(create_raw(&t, &t.token, "x"), create_raw(&t, &tok_b, "y"));
    assert_eq!((x.code(), y.code()), (0, 0), "{} {}", x.text, y.text);
}

#[tokio::test]
async fn stock_error_rate_fails_any_create() {
    let t = field().await;
    t.faults(json!({"stock_error_rate": 1.0})).await;
    let r = create_raw(&t, &t.token, "se").await;
    assert_eq!((r.code(), r.message().as_str()), (1, STOCK));
    assert!(sim_orders(&t).await.is_empty());
}

// ---- create validation and value types ---------------------------------------------------

#[tokio::test]
async fn zero_negative_and_missing_quantities_are_stored() {
    let t = field().await;
    let p = pid("农夫山泉550ml");
    let o = t
        .counter_order(
            json!([{"product_id": p, "quantity": 0}, {"product_id": p, "quantity": -2}, {"product_id": p}]),
            "q",
        )
        .await;
    let items = o["order_items"].as_array().unwrap();
    let q: Vec<i64> = items.iter().map(|i| i["quantity"].as_i64().unwrap()).collect();
    assert_eq!(q, [0, -2, 0]);
    // The line keeps its value; the order's total does not go below zero.
    assert_eq!(num(&items[1]["final_price"]), "-4.00");
    assert_eq!(num(&o["total_price"]), "0");
}

#[tokio::test]
async fn value_types_field() {
    let t = field().await;
    let r = t
        .post(
            "/rest/store/order",
            json!({"store_id": "1", "store_name": "别的名字", "payment_type": "CASH", "remark": "v",
                   "order_items": [{"product_id": pid("青岛啤酒整提(6罐)"), "quantity": 1}]}),
        )
        .await;
    let o = r.data();
    // Money: 2 decimals even for whole amounts, as written on the wire.
    assert!(r.text.contains(r#""total_price":30.00"#), "{}", r.text);
    assert!(r.text.contains(r#""freight":0.00"#), "{}", r.text);
    assert!(r.text.contains(r#""price":30.00"#), "{}", r.text);
    assert_eq!(o["store_id"], "1");
    assert_eq!(o["store_name"], "总店");
    assert_eq!(o["payment_type"], "CASH");
    assert_eq!(o["created_date"].as_str().unwrap().len(), 10);
    for k in ["contact_user", "phone", "province", "detail"] {
        assert_eq!(o[k], Value::Null, "{k}");
    }
    let n = o["order_number"].as_str().unwrap();
    let d = t.get(&format!("/rest/store/order/{n}")).await;
    assert!(d.text.contains(r#""total_price":30.00"#));
    let d = d.data();
    assert_eq!(d["created_date"].as_str().unwrap().len(), 19);
    assert_eq!(d["order_customer_services"], json!([]));
    let row = t.get("/rest/store/order?storeId=1").await;
    assert!(row.text.contains(r#""total_price":30.00"#), "{}", row.text);
    assert!(row.data()["list"][0].get("order_items").is_none());

    // Documented keeps the Decimal's own text and a numeric store_id.
    let d = sim(Mode::Documented).await;
    let r = d.post("/rest/store/order", body("d")).await;
    assert_eq!(r.data()["store_id"], 1);
    assert!(r.text.contains(r#""freight":0,"#), "{}", r.text);
}

// ---- lists, counts, paging ----------------------------------------------------------------

#[tokio::test]
async fn lists_need_our_store_id() {
    let t = field().await;
    for path in ["/rest/store/order", "/rest/store/order_count", "/rest/store/order_customer_service"] {
        let r = t.get(path).await;
        assert_eq!((r.code(), r.message().as_str()), (1, "查找失败 - 必须指定店铺id"), "{path}");
        let r = t.get(&format!("{path}?storeId=2")).await;
        assert_eq!((r.code(), r.message().as_str()), (1, "您不是此店铺的店员"), "{path}");
        assert_eq!(t.get(&format!("{path}?storeId=1")).await.code(), 0, "{path}");
    }
}

#[tokio::test]
async fn paging_errors_and_last_page() {
    let t = field().await;
    for i in 0..3 {
        t.counter_order(body("")["order_items"].clone(), &format!("p{i}")).await;
    }
    let html = |r: &Resp, code: u16| r.status == code && r.text.contains("<html");
    assert!(html(&t.get("/rest/store/order?storeId=1&pageSize=0").await, 500));
    assert!(html(&t.get("/rest/store/order?storeId=1&pageSize=-5").await, 500));
    assert!(html(&t.get("/rest/store/order?storeId=1&pageNumber=0").await, 500));
    assert!(html(&t.get("/rest/store/order?storeId=1&pageNumber=abc").await, 404));
    assert!(html(&t.get("/rest/store/order?storeId=1&pageSize=x").await, 404));
    let last = t.get("/rest/store/order?storeId=1&pageSize=2&pageNumber=2").await.data();
    assert_eq!((last["list"].as_array().unwrap().len(), &last["lastPage"]), (1, &json!(false)));
    let past = t.get("/rest/store/order?storeId=1&pageSize=2&pageNumber=9").await.data();
    assert_eq!((past["list"].as_array().unwrap().len(), &past["lastPage"]), (0, &json!(false)));
    // Defaults: page 1, size 30.
    let d = t.get("/rest/store/order?storeId=1").await.data();
    assert_eq!((d["pageNumber"].as_u64(), d["pageSize"].as_u64()), (Some(1), Some(30)));
}

#[tokio::test]
async fn list_date_filters_and_number_substring() {
    let t = field().await;
    let o = t.counter_order(body("")["order_items"].clone(), "f").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    let total = |q: String| {
        let t = &t;
        async move { t.get(&format!("/rest/store/order?storeId=1&{q}")).await.data()["totalRow"].as_u64().unwrap() }
    };
    // A single createTime is ignored; two make a range.
    assert_eq!(total("createTime=2001-01-01".into()).await, 1);
    assert_eq!(total("createTime=2001-01-01&createTime=2001-01-02".into()).await, 0);
    assert_eq!(total("startTime=2001-01-01&endTime=2001-01-02".into()).await, 1);
    assert_eq!(total("month=2001-01".into()).await, 0);
    assert_eq!(t.get("/rest/store/order?storeId=1&month=garbage").await.status, 500);
    // orderNumber: substring; search: exact.
    assert_eq!(total(format!("orderNumber={}", &n[4..12])).await, 1);
    assert_eq!(total(format!("search={}", &n[4..12])).await, 0);
    assert_eq!(total(format!("search={n}")).await, 1);
}

// ---- actions --------------------------------------------------------------------------------

#[tokio::test]
async fn put_quirks() {
    let t = field().await;
    let o = t.counter_order(body("")["order_items"].clone(), "a").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    let r = t.put(&format!("/rest/store/order/{n}"), json!({"store_id": 1})).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "action参数不能为空"));
    for a in ["accept", "reject", "delivering"] {
        assert_eq!(t.act(&n, a).await.message(), "更新订单失败 - 非法的操作", "{a}");
    }
    // store_id is not checked (another store's, or none at all).
    let r = t.put(&format!("/rest/store/order/{n}"), json!({"store_id": 999, "action": "complete"})).await;
    assert_eq!(r.message(), "更新订单成功！");
    assert_eq!(t.status_of(&n).await, "CLOSED_CONFIRMED");
    let r = t.put(&format!("/rest/store/order/{n}"), json!({"action": "cancel"})).await;
    assert_eq!(r.message(), "更新订单成功！", "skipped, still a success");
    assert_eq!(t.status_of(&n).await, "CLOSED_CONFIRMED");
    let r = t.act("2611240000000002", "complete").await;
    assert!(r.status == 404 && r.text.contains("<html"));
    // Documented: unknown number is a JSON refusal.
    let d = sim(Mode::Documented).await;
    assert_eq!(d.act("2611240000000002", "complete").await.message(), "invalid.order.id");
}

// ---- after-sales --------------------------------------------------------------------------

fn service(n: &str, ty: &str, returns: Value) -> Value {
    json!({"store_id": "1", "order_number": n, "service_type": ty, "reason": "r", "content": "svc-marker", "returns": returns})
}

#[tokio::test]
async fn cash_refund_failure_still_stores_the_service() {
    let t = field().await;
    let beer = pid("青岛啤酒整提(6罐)");
    let o = t.counter_order(json!([{"product_id": beer, "quantity": 2}]), "rf").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    // A fresh counter order cannot take after-sales...
    let r = t.post("/rest/store/order_customer_service", service(&n, "RETURN", json!([{"product_id": beer}]))).await;
    assert_eq!(r.message(), "order.status.transfer.error");
    // ...one on its way can.
    assert_eq!(set_status(&t, &n, "DELIVERING").await.data()["status"], "DELIVERING");
    let r = t
        .post("/rest/store/order_customer_service", service(&n, "RETURN", json!([{"product_id": beer, "quantity": 1}])))
        .await;
    assert_eq!(r.json(), json!({"status_code": 0, "message": "order.refund.failure"}));
    let list = t.get("/rest/store/order_customer_service?storeId=1").await.data();
    assert_eq!(list["totalRow"], 1, "the service IS stored");
    let sn = list["list"][0]["service_number"].as_str().unwrap().to_string();
    assert!(sn.starts_with(&format!("{n}-")));
    let d = t.get(&format!("/rest/store/order_customer_service/{sn}")).await.data();
    assert_eq!(d["status"], "CREATED");
    assert_eq!(d["refund_way"], "ORIGINAL_PATH");
    assert_eq!(num(&d["refund_fee"]), "30.00");
    assert_eq!(t.status_of(&n).await, "CANCELED_RETURN_PENDING");
    let od = t.get(&format!("/rest/store/order/{n}")).await.data();
    assert_eq!(od["order_customer_services"].as_array().unwrap().len(), 1);
    // Any later service: already.refund (although CANCELED_* would be allowed).
    let r = t.post("/rest/store/order_customer_service", service(&n, "RETURN", json!([{"product_id": beer}]))).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "already.refund"));
    // Unknown service number: a 404 page.
    let r = t.get(&format!("/rest/store/order_customer_service/{n}-999")).await;
    assert!(r.status == 404 && r.text.contains("<html"));
}

#[tokio::test]
async fn otherway_refunds_even_a_partial_return() {
    let t = field().await;
    let beer = pid("青岛啤酒整提(6罐)");
    let o = t.counter_order(json!([{"product_id": beer, "quantity": 3}]), "ow").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    set_status(&t, &n, "DELIVERED_CONFIRM_PENDING").await.data();
    let mut b = service(&n, "RETURN", json!([{"product_id": beer, "quantity": 1}]));
    b["otherway"] = json!(true);
    let r = t.post("/rest/store/order_customer_service", b).await;
    assert_eq!(r.json(), json!({"status_code": 0, "message": "order.refunded"}));
    assert_eq!(t.status_of(&n).await, "CLOSED_REFUNDED");
    let row = &t.get("/rest/store/order_customer_service?storeId=1").await.data()["list"][0];
    assert_eq!(row["status"], "REFUNDED");
    assert_eq!(num(&row["refund_fee"]), "30.00");
}

#[tokio::test]
async fn exchange_refunds_returned_lines_in_full() {
    let t = field().await;
    let beer = pid("青岛啤酒整提(6罐)");
    let o = t.counter_order(json!([{"product_id": beer, "quantity": 3}]), "ex").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    set_status(&t, &n, "CANCELED_REFUND_PENDING").await.data();
    let mut b = service(&n, "EXCHANGE", json!([{"product_id": beer, "quantity": 3}]));
    b["exchanges"] = json!([{"product_id": pid("清风抽纸(3包)"), "quantity": 2}]);
    let r = t.post("/rest/store/order_customer_service", b).await;
    assert_eq!(r.message(), "order.refund.failure", "cash order, default path");
    let row = t.get("/rest/store/order_customer_service?storeId=1").await;
    assert!(row.text.contains(r#""supplementary_fee":0.00"#), "{}", row.text);
    assert_eq!(num(&row.data()["list"][0]["refund_fee"]), "90.00");
}

#[tokio::test]
async fn walk_in_return_and_refund_type() {
    let t = field().await;
    let r = t
        .post(
            "/rest/store/order_customer_service",
            json!({"store_id": "1", "service_type": "RETURN", "reason": "r",
                   "returns": [{"product_id": 1, "quantity": 1, "refund_fee": 2}]}),
        )
        .await;
    assert!(r.status == 500 && r.text.contains("<html"));
    let o = t.counter_order(body("")["order_items"].clone(), "w").await;
    let n = o["order_number"].as_str().unwrap();
    set_status(&t, n, "DELIVERING").await.data();
    let r = t.post("/rest/store/order_customer_service", service(n, "REFUND", json!([]))).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "暂不支持此种方式售后单"));
    assert_eq!(t.get("/rest/store/order_customer_service?storeId=1").await.data()["totalRow"], 0);
}

// ---- push_order and the status control ----------------------------------------------------

#[tokio::test]
async fn push_order_field_answers() {
    let t = field().await;
    let push = |n: &str| json!({"order_type": "Order", "order_number": n, "type": "NATIVE"});
    let r = t.post("/rest/wx/push_order", push("2611240000000002")).await;
    assert!(r.status == 500 && r.text.contains("<html"), "unknown order");
    let o = t.counter_order(body("")["order_items"].clone(), "w").await;
    let n = o["order_number"].as_str().unwrap();
    assert_eq!(t.post("/rest/wx/push_order", push(n)).await.code(), 0);
    t.act(n, "cancel").await;
    let r = t.post("/rest/wx/push_order", push(n)).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "retrieve.order.failure"));
}

#[tokio::test]
async fn status_control_by_id_or_number() {
    let t = field().await;
    let o = t.counter_order(body("")["order_items"].clone(), "sc").await;
    let n = o["order_number"].as_str().unwrap();
    let id = o["id"].as_u64().unwrap();
    let r = set_status(&t, &id.to_string(), "CLOSED_CONFIRMED").await.data();
    assert_eq!(
        (r["id"].as_u64(), r["status"].as_str(), r["remark"].as_str()),
        (Some(id), Some("CLOSED_CONFIRMED"), Some("sc"))
    );
    assert_eq!(t.status_of(n).await, "CLOSED_CONFIRMED");
    assert_eq!(set_status(&t, n, "DELIVERING").await.data()["status"], "DELIVERING");
    assert_eq!(set_status(&t, "999999", "DELIVERING").await.status, 404);
    assert_eq!(set_status(&t, n, "NOPE").await.status, 400);
}

// ---- smaller facts (seen 2026-12-07) ---------------------------------------------------------

/// Standard base64 (padding optional), for reading tokens.
fn unbase64(s: &str) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for b in s.trim_end_matches('=').bytes() {
        acc = (acc << 6) | A.iter().position(|x| *x == b).expect("base64") as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The token's JSON, keys in the order they were written.
fn token_json(token: &str) -> String {
    String::from_utf8(unbase64(token)).unwrap()
}

#[tokio::test]
async fn login_token_carries_the_user_id() {
    let t = field().await;
    let text = token_json(&t.token);
    let v: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "login_name", "token"], "{text}");
    assert_eq!((v["id"].as_u64(), v["login_name"].as_str()), (Some(2), Some("store1")), "{text}");
    assert_eq!(v["token"].as_str().unwrap().len(), 40, "{text}");
    // Another account: its own id.
    t.post_noauth("/sim/accounts", json!({"username": "b", "password": "b", "user_id": 5})).await.data();
    let v: Value = serde_json::from_str(&token_json(&login(&t, "b", "b").await)).unwrap();
    assert_eq!((v["id"].as_u64(), v["login_name"].as_str()), (Some(5), Some("b")));
    // Documented keeps the seed's {"token","login_name"}.
    let d = sim(Mode::Documented).await;
    let v: Value = serde_json::from_str(&token_json(&d.token)).unwrap();
    assert!(v.get("id").is_none(), "{v}");
    assert_eq!(v["login_name"], "store1");
}

#[tokio::test]
async fn detail_of_an_unknown_number_is_a_404_page() {
    let t = field().await;
    let r = t.get("/rest/store/order/2611240000000002").await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(r.text.contains("<html"), "{}", r.text);
    // Documented: a JSON refusal.
    let d = sim(Mode::Documented).await;
    let r = d.get("/rest/store/order/2611240000000002").await;
    assert_eq!((r.status, r.code(), r.message().as_str()), (200, 1, "invalid.order.id"));
}

#[tokio::test]
async fn put_body_that_is_not_json_has_no_action() {
    let t = field().await;
    let o = t.counter_order(body("")["order_items"].clone(), "nj").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    for junk in ["{nope", "action=complete", "[1,2]"] {
        let r =
            t.c.put(t.url(&format!("/rest/store/order/{n}")))
                .header("Authorization", &t.token)
                .header("Content-Type", "application/json")
                .body(junk)
                .send()
                .await
                .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, 200, "{junk}: {text}");
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            json!({"status_code": 1, "message": "action参数不能为空"}),
            "{junk}"
        );
    }
    assert_eq!(t.status_of(&n).await, "CREATED_PAY_PENDING", "nothing done");
}

#[tokio::test]
async fn list_honours_payment_type() {
    let t = field().await;
    let items = body("")["order_items"].clone();
    for (remark, pt) in [("c1", "CASH"), ("w1", "WECHAT"), ("c2", "CASH")] {
        tokio::time::sleep(Duration::from_millis(2)).await;
        let r = t
            .post(
                "/rest/store/order",
                json!({"store_id": 1, "payment_type": pt, "remark": remark, "order_items": items}),
            )
            .await;
        r.data();
    }
    let remarks = |q: &'static str| {
        let t = &t;
        async move {
            let d = t.get(&format!("/rest/store/order?storeId=1&{q}")).await.data();
            d["list"].as_array().unwrap().iter().map(|o| o["remark"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(remarks("paymentType=CASH").await, ["c2", "c1"]);
    assert_eq!(remarks("paymentType=WECHAT").await, ["w1"]);
    assert!(remarks("paymentType=ALIPAY").await.is_empty());
    assert_eq!(remarks("paymentType=").await.len(), 3, "an empty value filters nothing");
}

#[tokio::test]
async fn zero_total_is_the_integer_0_and_a_negative_line_reads_back_0_00() {
    let t = field().await;
    let p = pid("农夫山泉550ml");
    for (remark, qty) in [("zero", 0), ("neg", -1)] {
        let r = t
            .post(
                "/rest/store/order",
                json!({"store_id": 1, "payment_type": "STORE", "remark": remark,
                       "order_items": [{"product_id": p, "quantity": qty}]}),
            )
            .await;
        assert!(r.text.contains(r#""total_price":0,"#), "{remark}: {}", r.text);
        let n = r.data()["order_number"].as_str().unwrap().to_string();
        let d = t.get(&format!("/rest/store/order/{n}")).await;
        assert!(d.text.contains(r#""total_price":0.00,"#), "{remark}: {}", d.text);
        let row = t.get(&format!("/rest/store/order?storeId=1&search={n}")).await;
        assert!(row.text.contains(r#""total_price":0.00,"#), "{remark}: {}", row.text);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // A non-zero total keeps its two decimals in the create answer.
    let r = t.post("/rest/store/order", body("pos")).await;
    assert!(r.text.contains(r#""total_price":2.00,"#), "{}", r.text);
}

#[tokio::test]
async fn create_validation_messages_without_prefix() {
    let t = field().await;
    let r = t.post("/rest/store/order", json!({"store_id": 1, "order_items": []})).await;
    assert_eq!(r.json(), json!({"status_code": 1, "message": "订单项为空"}));
    let r = t
        .post("/rest/store/order", json!({"store_id": 1, "order_items": [{"product_id": 99999, "quantity": 1}]}))
        .await;
    assert_eq!(r.json(), json!({"status_code": 1, "message": "没有该产品"}));
    let r = t.post("/rest/store/order", json!({"store_id": 1, "order_items": [{"quantity": 1}]})).await;
    assert_eq!(r.message(), "没有该产品");
    // The store check keeps its prefix.
    let r = t.post("/rest/store/order", json!({"order_items": [{"product_id": 1, "quantity": 1}]})).await;
    assert_eq!(r.message(), "新建订单失败 - 必须指定门店");
}

const NO_RETURNS: &str = "售后单创建失败 - 退货单，换货单必须指定退货项目";

/// A counter order moved to DELIVERING (after-sales are taken from there).
async fn delivering(t: &T, items: Value, remark: &str) -> String {
    let o = t.counter_order(items, remark).await;
    let n = o["order_number"].as_str().unwrap().to_string();
    set_status(t, &n, "DELIVERING").await.data();
    n
}

#[tokio::test]
async fn after_sales_refusals_seen_2026_12_07() {
    let t = field().await;
    let beer = pid("青岛啤酒整提(6罐)");
    // Unknown order number.
    let r = t
        .post(
            "/rest/store/order_customer_service",
            service("2611240000000002", "RETURN", json!([{"product_id": beer}])),
        )
        .await;
    assert_eq!((r.status, r.code(), r.message().as_str()), (200, 1, "order.not.found"));
    let n = delivering(&t, json!([{"product_id": beer, "quantity": 2}]), "as").await;
    // Unknown service type: a crash page.
    let r = t.post("/rest/store/order_customer_service", service(&n, "SWAP", json!([{"product_id": beer}]))).await;
    assert!(r.status == 500 && r.text.contains("<html"), "{} {}", r.status, r.text);
    // RETURN / EXCHANGE without returns (absent, null or empty).
    for ty in ["RETURN", "EXCHANGE"] {
        for returns in [None, Some(Value::Null), Some(json!([]))] {
            let mut b = service(&n, ty, json!([]));
            match &returns {
                None => {
                    b.as_object_mut().unwrap().remove("returns");
                }
                Some(v) => b["returns"] = v.clone(),
            }
            b["exchanges"] = json!([{"product_id": beer, "quantity": 1}]);
            let r = t.post("/rest/store/order_customer_service", b).await;
            assert_eq!((r.code(), r.message().as_str()), (1, NO_RETURNS), "{ty} {returns:?}");
        }
    }
    assert_eq!(t.get("/rest/store/order_customer_service?storeId=1").await.data()["totalRow"], 0, "nothing stored");
    // Checked before already.refund: a second service on the order still reads the same.
    let r = t
        .post("/rest/store/order_customer_service", service(&n, "RETURN", json!([{"product_id": beer, "quantity": 1}])))
        .await;
    assert_eq!(r.code(), 0, "{}", r.text);
    let r = t.post("/rest/store/order_customer_service", service(&n, "RETURN", json!([]))).await;
    assert_eq!((r.code(), r.message().as_str()), (1, NO_RETURNS));
    let r = t.post("/rest/store/order_customer_service", service(&n, "RETURN", json!([{"product_id": beer}]))).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "already.refund"));
}

/// The service detail's JSON of the only service of order `n`.
async fn service_of(t: &T, n: &str) -> Resp {
    let list = t.get("/rest/store/order_customer_service?storeId=1").await.data();
    let row = list["list"].as_array().unwrap().iter().find(|s| s["service_number"].as_str().unwrap().starts_with(n));
    let sn = row.expect("a service of the order")["service_number"].as_str().unwrap().to_string();
    t.get(&format!("/rest/store/order_customer_service/{sn}")).await
}

#[tokio::test]
async fn after_sales_detail_exchanges_refund_way_and_fees() {
    let t = field().await;
    let beer = pid("青岛啤酒整提(6罐)");
    let tissue = pid("清风抽纸(3包)");
    // A RETURN at the counter (otherway): refund_way OTHER_WAY, `exchanges` an empty array.
    let n = delivering(&t, json!([{"product_id": beer, "quantity": 2}]), "ret").await;
    let mut b = service(&n, "RETURN", json!([{"product_id": beer, "quantity": 1}]));
    b["otherway"] = json!(true);
    assert_eq!(t.post("/rest/store/order_customer_service", b).await.message(), "order.refunded");
    let d = service_of(&t, &n).await.data();
    assert_eq!(d["refund_way"], "OTHER_WAY", "{d}");
    assert_eq!(d["exchanges"], json!([]), "{d}");
    // An EXCHANGE on the default path: ORIGINAL_PATH; exchange lines carry their own
    // refund_fee (their value), the service's refund_fee is the returned lines' value.
    let n = delivering(&t, json!([{"product_id": beer, "quantity": 3}]), "exc").await;
    let mut b = service(&n, "EXCHANGE", json!([{"product_id": beer, "quantity": 3}]));
    b["exchanges"] = json!([{"product_id": tissue, "quantity": 2}]);
    assert_eq!(t.post("/rest/store/order_customer_service", b).await.message(), "order.refund.failure");
    let r = service_of(&t, &n).await;
    let d = r.data();
    assert_eq!(d["refund_way"], "ORIGINAL_PATH");
    let ex = &d["exchanges"][0];
    assert_eq!((num(&ex["final_price"]), num(&ex["refund_fee"])), ("22.00".into(), "22.00".into()), "{}", r.text);
    assert_eq!(num(&d["refund_fee"]), "90.00");
}

#[tokio::test]
async fn after_sales_log_times_use_the_24_hour_clock() {
    let t = field().await;
    // Move the sim clock into the afternoon (Shanghai), where 12- and 24-hour clocks differ.
    let now = t.get_noauth("/sim/clock").await.json()["now"].as_str().unwrap().to_string();
    let hour: i64 = now[11..13].parse().unwrap();
    if !(13..=21).contains(&hour) {
        t.post_noauth("/sim/clock", json!({"advance_s": (14 - hour).rem_euclid(24) * 3600})).await;
    }
    let beer = pid("青岛啤酒整提(6罐)");
    let n = delivering(&t, json!([{"product_id": beer, "quantity": 1}]), "log").await;
    let mut b = service(&n, "RETURN", json!([{"product_id": beer}]));
    b["otherway"] = json!(true);
    assert_eq!(t.post("/rest/store/order_customer_service", b).await.message(), "order.refunded");
    let d = service_of(&t, &n).await.data();
    let created = d["created_date"].as_str().unwrap();
    assert!((13..=23).contains(&created[11..13].parse::<i64>().unwrap()), "{created}");
    let log: Value = serde_json::from_str(d["log"].as_str().unwrap()).unwrap();
    let times: Vec<&str> = log.as_array().unwrap().iter().map(|l| l["time"].as_str().unwrap()).collect();
    assert_eq!(times.len(), 2, "{log}");
    for time in times {
        assert_eq!(time, created, "{log}");
    }
}
