//! The /rest API in both modes, over real HTTP on 127.0.0.1.

mod common;

use common::*;
use serde_json::{json, Value};
use storepos_sim::Mode;

fn statuses_walked(order: &Value) -> Vec<String> {
    order["history"].as_array().unwrap().iter().map(|h| h["to"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn login_and_token_errors_field() {
    let t = sim_with(Mode::Field, |a| a.token_ttl_s = 60).await;
    let r = t.post_noauth("/rest/login", json!({"username": "nobody", "password": "x"})).await;
    assert_eq!((r.status, r.code(), r.message().as_str()), (200, 1, "invalid.username"));
    let r = t.post_noauth("/rest/login", json!({"username": "store1", "password": "x"})).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "incorrect.password"));
    let r = t.post_noauth("/rest/login", json!({"password": "x"})).await;
    assert_eq!(r.message(), "invalid.username");
    // A missing password reads like a wrong one.
    let r = t.post_noauth("/rest/login", json!({"username": "store1"})).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "incorrect.password"));

    let r = t.get_noauth("/rest/store/order?storeId=1").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json(), json!({"status_code": 401, "message": "authorization.header.missing"}));
    let r = t.get_with("/rest/store/order?storeId=1", "not-a-token").await;
    assert_eq!(r.status, 401);
    assert!(r.message().starts_with("java.lang.IllegalArgumentException"), "{}", r.text);
    let r = t.get_with("/rest/store/order?storeId=1", &format!("Bearer {}", t.token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(t.get("/rest/store/order?storeId=1").await.code(), 0);
    // Expiry on the sim clock.
    t.post_noauth("/sim/clock", json!({"advance_s": 61})).await;
    let r = t.get("/rest/store/order?storeId=1").await;
    assert_eq!((r.status, r.message().as_str()), (401, "token.expired"));
    // A fresh login works; expire_tokens_now kills it.
    let tok = t.post_noauth("/rest/login", json!({"username": "store1", "password": "store1pass"})).await.data()
        ["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(tok, t.token, "an expired token is not handed out again");
    assert_eq!(t.get_with("/rest/store/order?storeId=1", &tok).await.status, 200);
    t.faults(json!({"expire_tokens_now": true})).await;
    assert_eq!(t.get_with("/rest/store/order?storeId=1", &tok).await.message(), "token.expired");
    // Catalog works without a token.
    assert_eq!(t.get_noauth("/rest/product?all=true").await.code(), 0);
}

#[tokio::test]
async fn login_and_token_errors_documented() {
    let t = sim(Mode::Documented).await;
    let r = t.get_noauth("/rest/store/order?storeId=1&type=STORE_ORDER").await;
    assert_eq!((r.status, r.code(), r.message().as_str()), (200, 1, "authorization.header.missing"));
    // No "Bearer" in the documents.
    let r = t.get_with("/rest/store/order?storeId=1&type=STORE_ORDER", &format!("Bearer {}", t.token)).await;
    assert_eq!(r.message(), "auth.error");
    assert_eq!(t.get("/rest/store/order?storeId=1&type=STORE_ORDER").await.code(), 0);
    // Token looks like the seed's: base64 JSON with a login_name.
    assert!(t.token.starts_with("eyJ0b2tlbiI6"));
}

#[tokio::test]
async fn catalog_endpoints() {
    let t = sim(Mode::Field).await;
    let all = t.get_noauth("/rest/product?all=true").await.data();
    let all = all.as_array().unwrap();
    assert!(all.len() >= 220);
    let water = all.iter().find(|p| p["name"] == "农夫山泉550ml").unwrap();
    assert_eq!(num(&water["price"]), "2.00");
    let tea_id = pid("珍珠奶茶");
    let tea = t.get_noauth(&format!("/rest/product/{tea_id}")).await.data();
    let specs = tea["specifications"].as_array().unwrap();
    assert_eq!(specs.len(), 2);
    assert_eq!(specs[1]["name"], "大杯");
    assert_eq!(num(&specs[1]["price"]), "15.00");
    let code = water["barcode"].as_str().unwrap();
    let found = t.get_noauth(&format!("/rest/product_search?barCode={code}")).await.data();
    assert_eq!(found.as_array().unwrap().len(), 1);
    let found = t.get_noauth("/rest/product_search?name=%E5%A5%B6%E8%8C%B6&pageSize=3").await.data(); // 奶茶
    assert_eq!(found.as_array().unwrap().len(), 3);
    assert_eq!(t.get_noauth("/rest/product/99999").await.code(), 1);
}

#[tokio::test]
async fn counter_order_field_walk_and_quirks() {
    let t = sim(Mode::Field).await;
    let tea = storepos_sim::demo_catalog().into_iter().find(|p| p.name == "珍珠奶茶").unwrap();
    let big = tea.specifications.iter().find(|s| s.name == "大杯").unwrap().id;
    let o = t
        .counter_order(
            json!([{"product_id": pid("农夫山泉550ml"), "quantity": 2},
                   {"product_id": tea.id, "product_specification_id": big, "quantity": 1}]),
            "POS#ref=0190-abc",
        )
        .await;
    let n = o["order_number"].as_str().unwrap().to_string();
    assert_eq!(n.len(), 16);
    assert!(n.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(o["type"], "STORE_ORDER");
    assert_eq!(o["delivery_type"], "SELF_PICK");
    assert_eq!(o["payment_type"], "STORE");
    assert_eq!(o["status"], "CREATED_PAY_PENDING");
    assert_eq!(o["remark"], "POS#ref=0190-abc");
    assert_eq!(o["store_name"], "总店", "field mode takes store_name from the store record");
    assert_eq!(o["store_id"], "1");
    assert_eq!(o["contact_user"], Value::Null);
    assert_eq!(o["phone"], Value::Null);
    assert_eq!(num(&o["total_price"]), "19.00");
    let items = o["order_items"].as_array().unwrap();
    assert_eq!(num(&items[1]["price"]), "15.00");
    assert_eq!(items[1]["product_specification_name"], "大杯");
    // The create answer has the date only; the detail has the time.
    let created = o["created_date"].as_str().unwrap();
    assert_eq!(created.len(), 10);
    assert_eq!(&n[..2], &created[2..4]);
    assert_eq!(t.get(&format!("/rest/store/order/{n}")).await.data()["created_date"].as_str().unwrap().len(), 19);

    // accept on a counter order is refused; "Complete" in any case walks the order.
    let r = t.act(&n, "accept").await;
    assert_eq!((r.code(), r.message().as_str()), (1, "更新订单失败 - 非法的操作"));
    let r = t.act(&n, "complete").await;
    assert_eq!(r.json(), json!({"status_code": 0, "message": "更新订单成功！"}));
    assert_eq!(t.status_of(&n).await, "CLOSED_CONFIRMED");
    let d = t.get(&format!("/rest/store/order/{n}")).await.data();
    assert_eq!(d["previous_status"], Value::Null);
    assert!(d["pay_date"].is_string() && d["deliver_date"].is_string() && d["deal_date"].is_string());
    let st = t.state_order(&n).await;
    assert_eq!(
        statuses_walked(&st),
        ["CREATED_PAY_PENDING", "PAID_CONFIRM_PENDING", "DELIVERING", "DELIVERED_CONFIRM_PENDING", "CLOSED_CONFIRMED"]
    );
    // Illegal cancel after complete: silent success, nothing changes.
    let r = t.act(&n, "cancel").await;
    assert_eq!(r.message(), "更新订单成功！");
    assert_eq!(t.status_of(&n).await, "CLOSED_CONFIRMED");

    // cancel path
    let o2 = t.counter_order(json!([{"product_id": pid("茶叶蛋"), "quantity": 3}]), "r2").await;
    let n2 = o2["order_number"].as_str().unwrap();
    assert_eq!(num(&o2["total_price"]), "4.50");
    assert_eq!(t.act(n2, "cancel").await.code(), 0);
    assert_eq!(t.status_of(n2).await, "CLOSED_CANCELED");
    assert_eq!(t.act(n2, "complete").await.message(), "更新订单成功！");
    assert_eq!(t.status_of(n2).await, "CLOSED_CANCELED");

    // Unknown order: PUT and GET answer a 404 page like the real server.
    assert_eq!(t.act("1234567890123456", "complete").await.status, 404);
    assert_eq!(t.get("/rest/store/order/1234567890123456").await.status, 404);
}

#[tokio::test]
async fn counter_order_create_errors() {
    let f = sim(Mode::Field).await;
    let r = f.post("/rest/store/order", json!({"order_items": [{"product_id": 1, "quantity": 1}]})).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "新建订单失败 - 必须指定门店"));
    let r = f
        .post("/rest/store/order", json!({"store_id": 1, "order_items": [{"product_id": 99999, "quantity": 1}]}))
        .await;
    assert_eq!(r.message(), "没有该产品");
    let r = f.post("/rest/store/order", json!({"store_id": 1, "order_items": [{"product_id": 1, "product_specification_id": 99999, "quantity": 1}]})).await;
    assert_eq!(r.message(), "新建订单失败 - 库存不足", "any other exception");
    let r = f.post("/rest/store/order", json!({"store_id": 1, "order_items": []})).await;
    assert_eq!(r.message(), "订单项为空");
    assert_eq!(f.post("/rest/store/order", json!({"store_id": 1})).await.status, 500);
    assert_eq!(
        f.post("/rest/store/order", json!({"store_id": 9, "order_items": [{"product_id": 1, "quantity": 1}]}))
            .await
            .status,
        500
    );
    // Junk body: a crash page.
    let r = f.c.post(f.url("/rest/store/order")).header("Authorization", &f.token).body("{nope").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(f.state().await["orders"].as_array().unwrap().is_empty());

    let d = sim(Mode::Documented).await;
    let r =
        d.post("/rest/store/order", json!({"store_id": 1, "order_items": [{"product_id": 1, "quantity": 1}]})).await;
    assert_eq!(r.message(), "store_name参数不能为空");
    let r = d
        .post(
            "/rest/store/order",
            json!({"store_id": 1, "store_name": "总店", "order_items": [{"product_id": 99999, "quantity": 1}]}),
        )
        .await;
    assert_eq!(r.message(), "invalid.product.id");
    let o = d.counter_order(json!([{"product_id": 1, "quantity": 1}]), "x").await;
    assert_eq!(o["store_name"], "总店");
}

#[tokio::test]
async fn counter_order_documented() {
    let t = sim(Mode::Documented).await;
    let o = t.counter_order(json!([{"product_id": pid("农夫山泉550ml"), "quantity": 1}]), "m").await;
    let n = o["order_number"].as_str().unwrap();
    let r = t.act(n, "accept").await;
    assert_eq!((r.code(), r.message().as_str()), (1, "order.status.transfer.error"));
    let r = t.act(n, "complete").await;
    assert_eq!(r.json(), json!({"status_code": 0, "message": "更新订单成功"}));
    assert_eq!(t.status_of(n).await, "CLOSED_CONFIRMED");
    assert_eq!(statuses_walked(&t.state_order(n).await), ["CREATED_PAY_PENDING", "CLOSED_CONFIRMED"]);
    let r = t.act(n, "cancel").await;
    assert_eq!((r.code(), r.message().as_str()), (1, "order.status.transfer.error"));
    let o = t.counter_order(json!([{"product_id": 1, "quantity": 1}]), "m2").await;
    let n = o["order_number"].as_str().unwrap();
    assert_eq!(t.act(n, "cancel").await.code(), 0);
    assert_eq!(t.status_of(n).await, "CLOSED_CANCELED");
}

#[tokio::test]
async fn self_pick_both_modes() {
    for mode in [Mode::Field, Mode::Documented] {
        let t = sim(mode).await;
        let o = t.online_order("SELF_PICK", None).await;
        let n = o["order_number"].as_str().unwrap();
        assert_eq!(o["status"], "PAID_CONFIRM_PENDING");
        assert_eq!(o["type"], "ORDER");
        let r = t.act(n, "reject").await;
        match mode {
            Mode::Field => assert_eq!(r.message(), "更新订单成功！"),
            Mode::Documented => assert_eq!(r.code(), 1),
        }
        assert_eq!(t.status_of(n).await, "PAID_CONFIRM_PENDING");
        if mode == Mode::Field {
            // Online-order actions must be lower-case: silently skipped otherwise.
            assert_eq!(t.act(n, "ACCEPT").await.code(), 0);
            assert_eq!(t.status_of(n).await, "PAID_CONFIRM_PENDING");
        }
        assert_eq!(t.act(n, "accept").await.code(), 0);
        assert_eq!(t.status_of(n).await, "CONFIRMED_PICK_PENDING");
        assert_eq!(t.act(n, "complete").await.code(), 0);
        assert_eq!(t.status_of(n).await, "CLOSED_CONFIRMED");
    }
}

#[tokio::test]
async fn flash_both_modes_and_auto_deliver() {
    for mode in [Mode::Field, Mode::Documented] {
        let t = sim(mode).await;
        let o = t.online_order("FLASH", None).await;
        let n = o["order_number"].as_str().unwrap();
        assert_eq!(t.act(n, "accept").await.code(), 0);
        assert_eq!(t.status_of(n).await, "CONFIRMED_DELIVER_PENDING");
        assert_eq!(t.act(n, "delivering").await.code(), 0);
        assert_eq!(t.status_of(n).await, "DELIVERING");
        assert_eq!(t.act(n, "complete").await.code(), 0);
        assert_eq!(t.status_of(n).await, "CLOSED_CONFIRMED");
    }
    let t = sim(Mode::Field).await;
    t.faults(json!({"flash_auto_deliver": true})).await;
    let o = t.online_order("FLASH", None).await;
    let n = o["order_number"].as_str().unwrap();
    assert_eq!(t.act(n, "accept").await.code(), 0);
    assert_eq!(t.status_of(n).await, "DELIVERED_CONFIRM_PENDING");
    assert_eq!(t.act(n, "delivering").await.message(), "更新订单成功！");
    assert_eq!(t.status_of(n).await, "DELIVERED_CONFIRM_PENDING");
    assert_eq!(t.act(n, "complete").await.code(), 0);
    assert_eq!(t.status_of(n).await, "CLOSED_CONFIRMED");
}

#[tokio::test]
async fn flash_reject_clears_store() {
    let t = sim(Mode::Field).await;
    let o = t.online_order("FLASH", None).await;
    let n = o["order_number"].as_str().unwrap();
    assert_eq!(t.act(n, "reject").await.message(), "更新订单成功！");
    let r = t.get(&format!("/rest/store/order/{n}")).await;
    assert_eq!(r.status, 404);
    assert!(r.text.contains("<html"));
    let r = t.act(n, "accept").await;
    assert_eq!(r.status, 500);
    assert!(r.text.contains("<html"));
    let list = t.get("/rest/store/order?storeId=1&type=ORDER").await.data();
    assert_eq!(list["totalRow"], 0);
    let st = t.state_order(n).await;
    assert_eq!(st["store_id"], Value::Null);
    assert_eq!(st["original_store_id"], 1);

    let d = sim(Mode::Documented).await;
    let o = d.online_order("FLASH", None).await;
    let n = o["order_number"].as_str().unwrap();
    assert_eq!(d.act(n, "reject").await.code(), 0);
    assert_eq!(d.get(&format!("/rest/store/order/{n}")).await.message(), "invalid.order.id");
}

#[tokio::test]
async fn list_filters_field() {
    let t = sim(Mode::Field).await;
    let mut numbers = vec![];
    for i in 0..3 {
        let o = t.counter_order(json!([{"product_id": 1, "quantity": 1}]), &format!("mark-{i}")).await;
        numbers.push(o["order_number"].as_str().unwrap().to_string());
    }
    let on = t.online_order("SELF_PICK", None).await;
    let phone = on["phone"].as_str().unwrap().to_string();
    let contact = on["contact_user"].as_str().unwrap().to_string();
    assert_eq!(phone.len(), 11);
    assert!(phone.starts_with('1'));

    let all = t.get("/rest/store/order?storeId=1").await.data();
    assert_eq!(all["totalRow"], 4);
    assert_eq!(all["pageSize"], 30);
    assert_eq!(all["pageNumber"], 1);
    let rows = all["list"].as_array().unwrap();
    assert!(rows.iter().all(|r| r.get("order_items").is_none()));
    assert!(rows.iter().any(|r| r["remark"] == "mark-1"));
    // newest first
    assert_eq!(rows[0]["order_number"], on["order_number"]);

    let so = t.get("/rest/store/order?storeId=1&type=STORE_ORDER").await.data();
    assert_eq!(so["totalRow"], 3);
    let st = t.get("/rest/store/order?storeId=1&status=PAID_CONFIRM_PENDING&status=CLOSED_CANCELED").await.data();
    assert_eq!(st["totalRow"], 1);
    // search: exact match on order_number / contact_user / phone
    assert_eq!(
        t.get(&format!("/rest/store/order?storeId=1&storeId=1&search={}", numbers[1])).await.data()["totalRow"],
        1
    );
    assert_eq!(t.get(&format!("/rest/store/order?storeId=1&storeId=1&search={phone}")).await.data()["totalRow"], 1);
    assert_eq!(
        t.get(&format!("/rest/store/order?storeId=1&storeId=1&search={}", &phone[..7])).await.data()["totalRow"],
        0
    );
    let c =
        t.c.get(t.url("/rest/store/order"))
            .query(&[("storeId", "1"), ("search", contact.as_str())])
            .header("Authorization", &t.token);
    let v: Value = c.send().await.unwrap().json().await.unwrap();
    assert_eq!(v["data"]["totalRow"], 1);
    // startTime/endTime are ignored; createTime and month filter.
    assert_eq!(
        t.get("/rest/store/order?storeId=1&startTime=2001-01-01&endTime=2001-01-02").await.data()["totalRow"],
        4
    );
    assert_eq!(
        t.get("/rest/store/order?storeId=1&createTime=2001-01-01&createTime=2001-01-02").await.data()["totalRow"],
        0
    );
    let today = &rows[0]["created_date"].as_str().unwrap()[..10];
    assert_eq!(
        t.get(&format!("/rest/store/order?storeId=1&storeId=1&createTime={today}&createTime={today}")).await.data()
            ["totalRow"],
        4
    );
    assert_eq!(
        t.get(&format!("/rest/store/order?storeId=1&storeId=1&month={}", &today[..7])).await.data()["totalRow"],
        4
    );
    assert_eq!(t.get("/rest/store/order?storeId=1&month=2001-01").await.data()["totalRow"], 0);
    // paging
    let p2 = t.get("/rest/store/order?storeId=1&pageSize=3&pageNumber=2").await.data();
    assert_eq!(p2["list"].as_array().unwrap().len(), 1);
    assert_eq!(p2["totalPage"], 2);
    assert_eq!(p2["firstPage"], false);
    // The real server never sets lastPage.
    assert_eq!(p2["lastPage"], false);
}

#[tokio::test]
async fn list_filters_documented() {
    let t = sim(Mode::Documented).await;
    let o = t.counter_order(json!([{"product_id": 1, "quantity": 1}]), "m").await;
    let on = t.online_order("FLASH", None).await;
    assert_eq!(t.get("/rest/store/order?type=ORDER").await.message(), "storeId参数不能为空");
    assert_eq!(t.get("/rest/store/order?storeId=1").await.message(), "type参数不能为空");
    let today = &o["created_date"].as_str().unwrap()[..10];
    let q = format!("/rest/store/order?storeId=1&type=STORE_ORDER&startTime={today}&endTime={today}");
    assert_eq!(t.get(&q).await.data()["totalRow"], 1);
    let q = "/rest/store/order?storeId=1&type=STORE_ORDER&startTime=2001-01-01&endTime=2001-01-02";
    assert_eq!(t.get(q).await.data()["totalRow"], 0);
    // createTime / search are not documented: ignored.
    let q = "/rest/store/order?storeId=1&type=STORE_ORDER&createTime=2001-01-01&createTime=2001-01-02&search=zzz";
    assert_eq!(t.get(q).await.data()["totalRow"], 1);
    let q = format!("/rest/store/order?storeId=1&type=ORDER&phone={}", on["phone"].as_str().unwrap());
    assert_eq!(t.get(&q).await.data()["totalRow"], 1);
    let q = format!("/rest/store/order?storeId=1&type=STORE_ORDER&orderNumber={}", o["order_number"].as_str().unwrap());
    assert_eq!(t.get(&q).await.data()["totalRow"], 1);
    assert_eq!(t.get("/rest/store/order?storeId=2&type=STORE_ORDER").await.data()["totalRow"], 0);
}

#[tokio::test]
async fn counts_both_meanings() {
    for mode in [Mode::Field, Mode::Documented] {
        let t = sim(mode).await;
        // pending counter order 2.00; completed counter order 30.00; cancelled 11.00
        t.counter_order(json!([{"product_id": pid("农夫山泉550ml"), "quantity": 1}]), "a").await;
        let done = t.counter_order(json!([{"product_id": pid("青岛啤酒整提(6罐)"), "quantity": 1}]), "b").await;
        t.act(done["order_number"].as_str().unwrap(), "complete").await;
        let cx = t.counter_order(json!([{"product_id": pid("清风抽纸(3包)"), "quantity": 1}]), "c").await;
        t.act(cx["order_number"].as_str().unwrap(), "cancel").await;
        // FLASH in DELIVERED_CONFIRM_PENDING (field: auto deliver) or DELIVERING, 1.50
        t.faults(json!({"flash_auto_deliver": true})).await;
        let f = t.online_order("FLASH", Some(json!([{"product_id": pid("茶叶蛋"), "quantity": 1}]))).await;
        let fnum = f["order_number"].as_str().unwrap();
        t.act(fnum, "accept").await;
        if mode == Mode::Documented {
            t.act(fnum, "delivering").await;
        }
        // handle pending online order 1.50
        t.online_order("SELF_PICK", Some(json!([{"product_id": pid("茶叶蛋"), "quantity": 1}]))).await;
        let c = t.get("/rest/store/order_count?storeId=1").await.data();
        assert_eq!(c["handlePending"], 1);
        assert_eq!(c["closed"], 1);
        assert_eq!(c["cancled"], 1);
        assert_eq!(c["delivering"], 1);
        assert_eq!(c["pickPending"], 0);
        assert_eq!(c["deliverPending"], 0);
        match mode {
            Mode::Field => {
                // total leaves out CREATED_PAY_PENDING and DELIVERED_CONFIRM_PENDING
                assert_eq!(t.status_of(fnum).await, "DELIVERED_CONFIRM_PENDING");
                assert_eq!(c["total"], 3);
                assert_eq!(num(&c["totalPrice"]), "42.5");
            }
            Mode::Documented => {
                assert_eq!(c["total"], 5);
                assert_eq!(num(&c["totalPrice"]), "46.00");
            }
        }
    }
}

#[tokio::test]
async fn after_sales_documented() {
    let t = sim(Mode::Documented).await;
    let beer = pid("青岛啤酒整提(6罐)");
    let tissue = pid("清风抽纸(3包)");
    let o = t.counter_order(json!([{"product_id": beer, "quantity": 3}, {"product_id": 1, "quantity": 2}]), "x").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    t.act(&n, "complete").await;
    // Worked example: returns 3 × 30 = 90, exchanges 2 × 11 = 22 → refund 68.
    let r = t
        .post(
            "/rest/store/order_customer_service",
            json!({"store_id": "1", "store_name": "总店", "order_number": n, "service_type": "EXCHANGE",
                   "reason": "换货 #svc=abc", "content": "marker-xyz",
                   "returns": [{"product_id": beer, "quantity": 3}],
                   "exchanges": [{"product_id": tissue, "quantity": 2}]}),
        )
        .await;
    assert_eq!(r.json(), json!({"status_code": 0, "message": "order.customer.service.created"}));
    let list = t.get("/rest/store/order_customer_service?storeId=1&serviceType=EXCHANGE").await.data();
    assert_eq!(list["totalRow"], 1);
    let row = &list["list"][0];
    assert_eq!(num(&row["refund_fee"]), "68.00");
    assert_eq!(row["supplementary_fee"], Value::Null);
    assert_eq!(row["status"], "CREATED");
    assert!(row["log"].as_str().unwrap().contains("marker-xyz"));
    let sn = row["service_number"].as_str().unwrap();
    assert!(sn.ends_with("store1"));
    let d = t.get(&format!("/rest/store/order_customer_service/{sn}")).await.data();
    assert_eq!(num(&d["returns"][0]["refund_fee"]), "90.00");
    assert_eq!(num(&d["returns"][0]["price"]), "30.00");
    assert_eq!(d["returns"][0]["type"], "RETURN");
    assert_eq!(num(&d["exchanges"][0]["final_price"]), "22.00");
    assert_eq!(d["exchanges"][0]["refund_fee"], Value::Null);
    assert_eq!(d["order"]["order_number"], n.as_str());
    assert_eq!(d["order"]["status"], "CANCELED_RETURN_PENDING");
    assert_eq!(d["order_items"].as_array().unwrap().len(), 2);
    assert_eq!(d["reason"], "换货 #svc=abc");

    // Exchange worth more than the return: supplementary_fee.
    let o2 = t.counter_order(json!([{"product_id": tissue, "quantity": 1}]), "y").await;
    let n2 = o2["order_number"].as_str().unwrap().to_string();
    t.act(&n2, "complete").await;
    let r = t
        .post(
            "/rest/store/order_customer_service",
            json!({"store_id": 1, "store_name": "总店", "order_number": n2, "service_type": "EXCHANGE", "reason": "r",
                   "returns": [{"product_id": tissue, "quantity": 1}], "exchanges": [{"product_id": beer, "quantity": 1}]}),
        )
        .await;
    assert_eq!(r.code(), 0);
    // Linked RETURN takes the order line's quantity; unlinked needs quantity + refund_fee.
    let o3 = t.counter_order(json!([{"product_id": beer, "quantity": 2}]), "z").await;
    let n3 = o3["order_number"].as_str().unwrap().to_string();
    t.act(&n3, "complete").await;
    let r = t
        .post(
            "/rest/store/order_customer_service",
            json!({"store_id": 1, "store_name": "总店", "order_number": n3, "service_type": "RETURN", "reason": "r",
                   "returns": [{"product_id": beer}]}),
        )
        .await;
    assert_eq!(r.code(), 0);
    let r = t
        .post(
            "/rest/store/order_customer_service",
            json!({"store_id": 1, "store_name": "总店", "service_type": "RETURN", "reason": "r",
                   "returns": [{"product_id": beer, "quantity": 1}]}),
        )
        .await;
    assert_eq!(r.message(), "refund_fee参数不能为空");
    let r = t
        .post(
            "/rest/store/order_customer_service",
            json!({"store_id": 1, "store_name": "总店", "service_type": "RETURN", "reason": "r",
                   "returns": [{"product_id": beer, "quantity": 1, "refund_fee": 25.5}]}),
        )
        .await;
    assert_eq!(r.code(), 0);
    let all = t.get("/rest/store/order_customer_service?pageSize=2").await.data();
    assert_eq!(all["totalRow"], 4);
    assert_eq!(all["totalPage"], 2);
    let newest = &all["list"][0];
    assert_eq!(num(&newest["refund_fee"]), "25.5");
    assert_eq!(newest["order_number"], Value::Null);
    let second = &all["list"][1];
    assert_eq!(num(&second["refund_fee"]), "60.00");
    let sup = &t.get("/rest/store/order_customer_service?serviceType=EXCHANGE").await.data()["list"][0];
    assert_eq!(sup["refund_fee"], Value::Null);
    assert_eq!(num(&sup["supplementary_fee"]), "19.00");
    let r = t.get("/rest/store/order_customer_service?startTime=2001-01-01&endTime=2001-01-02").await.data();
    assert_eq!(r["totalRow"], 0);
}

#[tokio::test]
async fn after_sales_field() {
    let t = sim(Mode::Field).await;
    let beer = pid("青岛啤酒整提(6罐)");
    let tissue = pid("清风抽纸(3包)");
    let svc = |n: &str, ty: &str, returns: Value, exchanges: Value| {
        json!({"store_id": "1", "order_number": n, "service_type": ty, "reason": "r", "content": "c",
               "returns": returns, "exchanges": exchanges})
    };
    // A completed counter order cannot take after-sales.
    let o = t.counter_order(json!([{"product_id": beer, "quantity": 3}]), "x").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    t.act(&n, "complete").await;
    let r =
        t.post("/rest/store/order_customer_service", svc(&n, "RETURN", json!([{"product_id": beer}]), json!([]))).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "order.status.transfer.error"));
    let r = t.post("/rest/store/order_customer_service", svc(&n, "REFUND", json!([]), json!([]))).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "暂不支持此种方式售后单"));

    // A (WeChat-paid) FLASH order on its way: the worked example refunds the full value of
    // the returned lines; the exchange lines are not subtracted.
    let f = t
        .online_order("FLASH", Some(json!([{"product_id": beer, "quantity": 3}, {"product_id": 1, "quantity": 1}])))
        .await;
    let fnum = f["order_number"].as_str().unwrap().to_string();
    t.act(&fnum, "accept").await;
    t.act(&fnum, "delivering").await;
    let r = t
        .post(
            "/rest/store/order_customer_service",
            svc(
                &fnum,
                "EXCHANGE",
                json!([{"product_id": beer, "quantity": 3}]),
                json!([{"product_id": tissue, "quantity": 2}]),
            ),
        )
        .await;
    assert_eq!(r.json(), json!({"status_code": 0, "message": "order.refunded"}));
    let list = t.get("/rest/store/order_customer_service?storeId=1").await.data();
    let row = &list["list"][0];
    assert_eq!(num(&row["refund_fee"]), "90.00");
    assert_eq!(num(&row["supplementary_fee"]), "0.00");
    assert_eq!(row["status"], "REFUNDED");
    let sn = row["service_number"].as_str().unwrap();
    assert!(sn.starts_with(&format!("{fnum}-")), "{sn}");
    // The service ends the order: a second one is refused.
    assert_eq!(t.status_of(&fnum).await, "CLOSED_REFUNDED");
    let r =
        t.post("/rest/store/order_customer_service", svc(&fnum, "RETURN", json!([{"product_id": 1}]), json!([]))).await;
    assert_eq!((r.code(), r.message().as_str()), (1, "already.refund"));

    // RETURN: quantity capped at what was ordered; a lower client refund_fee wins.
    let g = t
        .online_order("FLASH", Some(json!([{"product_id": beer, "quantity": 3}, {"product_id": 1, "quantity": 1}])))
        .await;
    let gnum = g["order_number"].as_str().unwrap().to_string();
    t.act(&gnum, "accept").await;
    t.act(&gnum, "delivering").await;
    let r = t
        .post(
            "/rest/store/order_customer_service",
            svc(
                &gnum,
                "RETURN",
                json!([{"product_id": beer, "quantity": 9}, {"product_id": 1, "refund_fee": 1}]),
                json!([]),
            ),
        )
        .await;
    assert_eq!(r.message(), "order.refunded");
    let row = &t.get("/rest/store/order_customer_service?storeId=1&serviceType=RETURN").await.data()["list"][0];
    let d =
        t.get(&format!("/rest/store/order_customer_service/{}", row["service_number"].as_str().unwrap())).await.data();
    assert_eq!(d["returns"][0]["quantity"], 3);
    assert_eq!(num(&d["returns"][0]["refund_fee"]), "90.00");
    assert_eq!(num(&d["returns"][1]["refund_fee"]), "1.00");
    assert_eq!(num(&d["refund_fee"]), "91.00");
    assert_eq!(t.get("/rest/store/order_customer_service?storeId=1").await.data()["totalRow"], 2);
}

#[tokio::test]
async fn wechat_push_pay_expiry() {
    let t = sim(Mode::Field).await;
    let o = t.counter_order(json!([{"product_id": pid("青岛啤酒整提(6罐)"), "quantity": 1}]), "w").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    let push = |n: &str| json!({"order_type": "Order", "order_number": n, "type": "NATIVE"});
    let d = t.post("/rest/wx/push_order", push(&n)).await.data();
    let url = d["codeUrl"].as_str().unwrap().to_string();
    let pr = url.strip_prefix("weixin://wxpay/bizpayurl?pr=").unwrap();
    assert!((7..=10).contains(&pr.len()));
    assert_eq!(d["totalFee"], "3000");
    // A second push supersedes the first code.
    let url2 = t.post("/rest/wx/push_order", push(&n)).await.data()["codeUrl"].as_str().unwrap().to_string();
    assert_ne!(url, url2);
    let r = t.post_noauth(&format!("/sim/pay/{n}"), json!({"code_url": url})).await;
    assert_eq!((r.status, r.message().as_str()), (409, "code.superseded"));
    let r = t.post_noauth(&format!("/sim/pay/{n}"), json!({})).await;
    assert_eq!(r.status, 200);
    let paid = t.get(&format!("/rest/store/order/{n}")).await.data();
    assert_eq!(paid["status"], "PAID_CONFIRM_PENDING");
    assert_eq!(paid["payment_type"], "WECHAT");
    assert!(paid["pay_date"].is_string());
    // Only CREATED_PAY_PENDING orders get a code.
    assert_eq!(t.post("/rest/wx/push_order", push(&n)).await.code(), 1);
    // The clerk completes it: field walk from PAID_CONFIRM_PENDING.
    assert_eq!(t.act(&n, "complete").await.code(), 0);
    assert_eq!(t.status_of(&n).await, "CLOSED_CONFIRMED");

    // Expiry after 2 hours of sim time.
    let o = t.counter_order(json!([{"product_id": 1, "quantity": 1}]), "w2").await;
    let n = o["order_number"].as_str().unwrap().to_string();
    t.post("/rest/wx/push_order", push(&n)).await.data();
    t.post_noauth("/sim/clock", json!({"advance_s": 7201})).await;
    let r = t.post_noauth(&format!("/sim/pay/{n}"), json!({})).await;
    assert_eq!((r.status, r.message().as_str()), (409, "code.expired"));
    assert_eq!(t.status_of(&n).await, "CREATED_PAY_PENDING");

    // Paid after cancel: the status stays, the payment is recorded and flagged.
    t.post("/rest/wx/push_order", push(&n)).await.data();
    t.act(&n, "cancel").await;
    assert_eq!(t.post_noauth(&format!("/sim/pay/{n}"), json!({})).await.status, 200);
    let d = t.get(&format!("/rest/store/order/{n}")).await.data();
    assert_eq!(d["status"], "CLOSED_CANCELED");
    assert_eq!(d["payment_type"], "WECHAT");
    assert!(d["pay_date"].is_string());
    assert_eq!(t.state_order(&n).await["paid_after_cancel"], true);

    // WeChat unreachable.
    let o = t.counter_order(json!([{"product_id": 1, "quantity": 1}]), "w3").await;
    t.faults(json!({"push_order_fail": true})).await;
    let r = t.post("/rest/wx/push_order", push(o["order_number"].as_str().unwrap())).await;
    assert_eq!(r.status, 500);
}

#[tokio::test]
async fn unknown_paths_and_online_feed() {
    let f = sim_with(Mode::Field, |a| a.online_orders_per_min = 1200.0).await;
    let r = f.get("/rest/nope").await;
    assert_eq!(r.status, 404);
    assert!(r.text.contains("<html"));
    // Without a token an unknown path answers 401 (the security filter runs first).
    assert_eq!(f.get_noauth("/rest/nope").await.status, 401);
    let d = sim(Mode::Documented).await;
    let r = d.get("/rest/nope").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), 1);
    // 20 orders a second arrive on their own.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let list = f.get("/rest/store/order?storeId=1&type=ORDER").await.data();
    assert!(list["totalRow"].as_u64().unwrap() >= 3, "{list}");
    let o = &list["list"][0];
    assert_eq!(o["status"], "PAID_CONFIRM_PENDING");
    assert!(o["contact_user"].as_str().unwrap().chars().all(|c| !c.is_ascii()));
    f.h.shutdown().await;
}
