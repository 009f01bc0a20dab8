//! Channel flows against the real simulators: a till sale reported to the omnichannel
//! center (seed 004) and walked to finished; merchant orders pulled onto the clerk's
//! board and fulfilled; the seed-001 `/api/orders` flows (lists with paging, details,
//! counts, cancel, receipt, refund and its withdrawal, payment status, unknown statuses).

use crate::channels_support;
use crate::sync_support;

use channels_support::*;
use serde_json::{json, Value};
use storepos::commands::dispatch;
use storepos::ledger::outbox;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn omni_till_sale_reported_and_walked_to_finished() {
    let t = three(11, None, 2000).await;
    let env = &t.env;
    let products = env.plain_products();
    let (p, _) = products[0].clone();

    // A paid sale, a cancelled sale, and a sale rung up on an iPad over the LAN.
    let (paid, total) = env.sale(p, 2, "少冰");
    env.pay_cash(&paid, &total);
    let (cancelled, _) = env.sale(p, 1, "");
    env.cancel(&cancelled);
    let pad = dispatch(
        &env.app,
        Some(env.cashier()),
        true,
        "sale_create",
        json!({"lines": [{"product_id": p, "quantity": 1}]}),
    )
    .unwrap();
    let pad = pad["client_ref"].as_str().unwrap().to_string();

    let r = t.settle("omni").await;
    assert_eq!(r.outbox_pending, 0, "{r:?}");
    assert_eq!(r.conflicts, 0, "{r:?}");

    let o = t.omni_orders_for(&paid).await;
    assert_eq!(o.len(), 1, "exactly once: {o:?}");
    assert_eq!(o[0]["from_client"], 5);
    assert_eq!(o[0]["status"], 30, "walked to finished");
    assert_eq!(o[0]["paid"], true);
    let walked: Vec<i64> = o[0]["history"].as_array().unwrap().iter().map(|h| h[0].as_i64().unwrap()).collect();
    assert_eq!(walked, vec![5, 10, 16, 30]);
    assert_eq!(o[0]["ship_mode"], 2);
    let m = mirror(env, "omni", &paid).unwrap();
    assert_eq!(m.status_ours.as_deref(), Some("CLOSED_CONFIRMED"));
    assert_eq!(m.origin, "ours");
    assert_eq!(m.total_fen, Some(storepos::domain::Money::parse(&total).unwrap().fen()));

    let c = t.omni_orders_for(&cancelled).await;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0]["canceled_by"], 1, "a merchant cancel");
    let mc = mirror(env, "omni", &cancelled).unwrap();
    assert_eq!(mc.status_ours.as_deref(), Some("CLOSED_CANCELED"), "learned from the 已取消 bucket");
    assert_eq!(mc.status_raw, "90", "the undocumented number is kept as it is");

    let pd = t.omni_orders_for(&pad).await;
    assert_eq!(pd.len(), 1);
    assert_eq!(pd[0]["from_client"], 6, "PAD: the sale came through storepos serve");
    assert_eq!(pd[0]["status"], 5);

    // The primary platform got the same sales, independently.
    let s = env.settle().await;
    assert_eq!(s.outbox_pending, 0);
    let st = env.state().await;
    for cr in [&paid, &cancelled, &pad] {
        assert_eq!(sync_support::platform_orders_for(&st, cr).len(), 1);
    }

    // Health and the day split by channel.
    let list = call(&env.app, env.cashier(), "channel_list", json!({}));
    let omni = list.as_array().unwrap().iter().find(|c| c["id"] == "omni").unwrap();
    assert_eq!(omni["backlog"], 0);
    assert_eq!(omni["conflicts"], 0);
    assert_eq!(omni["orders_known"], 3);
    assert!(list.as_array().unwrap().iter().any(|c| c["id"] == "rest-store" && c["primary"] == true));
    let day = env.order(&paid)["business_day"].as_str().unwrap().to_string();
    let stats = call(&env.app, env.manager(), "stats_channel_get", json!({"day": day}));
    let row = |ch: &str, origin: &str| {
        stats["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["channel"] == ch && r["origin"] == origin)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(row("omni", "ours")["orders"], 2, "{stats}");
    assert_eq!(row("omni", "ours")["canceled"], 1);
    assert_eq!(row("rest-store", "ours")["orders"], 2);
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn omni_merchant_orders_on_the_board_and_fulfilled() {
    let t = three(12, None, 2000).await;
    let env = &t.env;
    let pick = t
        .post(
            &t.omni,
            "/sim/omni/merchant-order",
            json!({"ship_mode": 2, "items": [{"rid": "1", "quantity": 2}], "buyer_name": "李雷"}),
        )
        .await["data"]["rid"]
        .as_str()
        .unwrap()
        .to_string();
    let express = t
        .post(&t.omni, "/sim/omni/merchant-order", json!({"ship_mode": 1, "items": [{"rid": "2", "quantity": 1}]}))
        .await["data"]["rid"]
        .as_str()
        .unwrap()
        .to_string();
    let rejected = t.post(&t.omni, "/sim/omni/merchant-order", json!({"ship_mode": 1})).await["data"]["rid"]
        .as_str()
        .unwrap()
        .to_string();

    let r = t.round("omni", true).await;
    assert!(r.online, "{r:?}");
    assert_eq!(r.pulled_new, 3, "{r:?}");
    // Pulling again adds nothing.
    assert_eq!(t.round("omni", true).await.pulled_new, 0);

    let local = |rid: &str| -> String {
        let m = storepos::ledger::channels::get(env.app.ledger().read(), "omni", rid).unwrap().unwrap();
        assert_eq!(m.origin, "theirs");
        m.client_ref.unwrap()
    };
    let (pick_ref, express_ref, rejected_ref) = (local(&pick), local(&express), local(&rejected));
    let o = env.order(&pick_ref);
    assert_eq!(o["channel"], "SELF_PICK");
    assert_eq!(o["status"], "PAID_CONFIRM_PENDING");
    assert_eq!(o["till_code"], "C");
    assert_eq!(o["contact_user"], "李雷");
    assert!(o["remark"].as_str().unwrap().contains(&pick), "the channel and its number are shown");
    assert_eq!(env.order(&express_ref)["channel"], "FLASH");
    // On the clerk's board like the primary's online orders.
    let board = call(&env.app, env.clerk(), "order_list", json!({"statuses": ["PAID_CONFIRM_PENDING"]}));
    assert_eq!(board["total"], 3);

    env.action(&pick_ref, "accept");
    env.action(&pick_ref, "complete");
    env.action(&express_ref, "accept");
    env.action(&express_ref, "delivering");
    env.action(&express_ref, "complete");
    env.action(&rejected_ref, "reject");
    let r = t.settle("omni").await;
    assert_eq!((r.outbox_pending, r.conflicts), (0, 0), "{r:?}");

    let st = t.get(&t.omni, "/sim/state").await;
    let find = |rid: &str| st["orders"].as_array().unwrap().iter().find(|o| o["rid"] == rid).cloned().unwrap();
    assert_eq!(find(&pick)["status"], 30);
    assert_eq!(find(&express)["status"], 30);
    let hist: Vec<i64> = find(&express)["history"].as_array().unwrap().iter().map(|h| h[0].as_i64().unwrap()).collect();
    assert_eq!(hist, vec![10, 12, 16, 30], "accept → 配货中, delivering → 已发货, complete → 已完成");
    assert_eq!(find(&rejected)["status"], 90);
    assert_eq!(find(&rejected)["canceled_by"], 1);
    assert_eq!(env.order(&pick_ref)["sync_state"], "synced");

    // The primary platform never hears of another channel's orders.
    for cr in [&pick_ref, &express_ref, &rejected_ref] {
        assert!(outbox::list_stream(env.app.ledger().read(), cr).unwrap().is_empty(), "no primary rows for {cr}");
        assert!(!storepos::ledger::channels::stream_rows(env.app.ledger().read(), "omni", cr).unwrap().is_empty());
    }
    let s = env.settle().await;
    assert_eq!(s.conflicts, 0, "{s:?}");

    // A customer cancels a new order on the channel: the board follows.
    let gone = t.post(&t.omni, "/sim/omni/merchant-order", json!({"ship_mode": 2})).await["data"]["rid"]
        .as_str()
        .unwrap()
        .to_string();
    t.round("omni", true).await;
    let gone_ref = local(&gone);
    let resp = t
        .env
        .http
        .post(format!("{}/orders/cancel", t.omni.base))
        .bearer_auth(TOKEN)
        .json(&json!({"rid": gone, "from_client": 2}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    t.round("omni", true).await;
    assert_eq!(env.order(&gone_ref)["status"], "CLOSED_CANCELED");
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mall_api_orders_pulled_shown_and_acted_on() {
    let t = three(13, None, 2000).await;
    let env = &t.env;
    let mk = |body: Value| {
        let t = &t;
        async move { t.post(&t.api, "/sim/api/order", body).await["data"]["id"].as_u64().unwrap() }
    };
    let wait = mk(json!({"status": 0, "sku_id": 1, "num": 3})).await;
    let paid = mk(json!({"status": 1})).await;
    let shipped = mk(json!({"status": 2})).await;
    let done = mk(json!({"status": 3})).await;
    let odd = mk(json!({"status": 1})).await;
    for _ in 0..25 {
        mk(json!({"status": 1})).await;
    }
    let r = t.round("mall", true).await;
    assert!(r.online, "{r:?}");
    assert_eq!(r.pulled_new, 30, "every list, past the first page of 20: {r:?}");
    // The mall moves one order to a status its document does not name: no list shows it
    // any more; the pull reads it by id.
    t.post(&t.api, &format!("/sim/api/{odd}/status"), json!({"status": 7})).await;
    let r = t.round("mall", true).await;
    assert_eq!(r.pulled_updated, 1, "{r:?}");

    let shown = call(&env.app, env.clerk(), "channel_order_list", json!({"channel": "mall", "limit": 100}));
    assert_eq!(shown["total"], 30);
    let row = |id: u64| {
        shown["orders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["remote_id"].as_str() == Some(id.to_string().as_str()))
            .cloned()
            .unwrap()
    };
    assert_eq!(row(wait)["status_ours"], "CREATED_PAY_PENDING");
    let sim_wait = t.api_order(wait).await;
    let fen = |s: &str| storepos::domain::Money::parse(s).unwrap().fen();
    let expect = fen(sim_wait["price"].to_string().trim_matches('"')) * 3;
    assert_eq!(row(wait)["total_fen"], expect, "string prices decoded exactly");
    // The unknown status is kept and shown, never guessed.
    assert_eq!(row(odd)["status_ours"], Value::Null);
    assert_eq!(row(odd)["status_raw"], "7");
    assert_eq!(row(odd)["status_label"], "未知状态（7）");
    let list = call(&env.app, env.cashier(), "channel_list", json!({}));
    let mall = list.as_array().unwrap().iter().find(|c| c["id"] == "mall").unwrap().clone();
    assert_eq!(mall["counts"], json!({"wait_pay": 1, "wait_send": 26, "wait_receipt": 1}));

    // Payment status.
    assert_eq!(
        call(&env.app, env.cashier(), "channel_payment_get", json!({"channel": "mall", "remote_id": paid.to_string()}))
            ["paid"],
        true
    );
    assert_eq!(
        call(&env.app, env.cashier(), "channel_payment_get", json!({"channel": "mall", "remote_id": wait.to_string()}))
            ["paid"],
        false
    );

    // Cancel (unpaid), receipt (shipped), refund applied then withdrawn, a return on a completed order.
    let act = |id: u64, body: Value| {
        let mut b = body;
        b["channel"] = json!("mall");
        b["remote_id"] = json!(id.to_string());
        call(&env.app, env.clerk(), "channel_order_action_apply", b)
    };
    act(wait, json!({"action": "cancel"}));
    act(shipped, json!({"action": "receipt"}));
    act(paid, json!({"action": "refund", "reason": "不想要了", "vouchers": ["a.png"]}));
    act(
        done,
        json!({"action": "refund", "reason": "换货", "express_code": "sf", "express_name": "顺丰", "express_no": "SF1"}),
    );
    let r = t.settle("mall").await;
    assert_eq!((r.outbox_pending, r.conflicts), (0, 0), "{r:?}");
    assert_eq!(t.api_order(wait).await["status"], 4);
    assert_eq!(t.api_order(shipped).await["status"], 3);
    assert_eq!(t.api_order(paid).await["refund_status"], 1);
    assert_eq!(t.api_order(done).await["refund_status"], 1);
    let m = storepos::ledger::channels::get(env.app.ledger().read(), "mall", &paid.to_string()).unwrap().unwrap();
    assert_eq!(m.status_ours.as_deref(), Some("CANCELED_REFUND_PENDING"));
    let m = storepos::ledger::channels::get(env.app.ledger().read(), "mall", &done.to_string()).unwrap().unwrap();
    assert_eq!(m.status_ours.as_deref(), Some("CANCELED_RETURN_PENDING"));
    act(paid, json!({"action": "refund_withdraw"}));
    t.settle("mall").await;
    assert_eq!(t.api_order(paid).await["refund_status"], 0);

    // Not allowed by the document: receipt on an order that was not shipped → a conflict,
    // surfaced per channel, resolved by a person.
    act(paid, json!({"action": "receipt"}));
    let r = t.settle("mall").await;
    assert_eq!(r.conflicts, 1, "{r:?}");
    let conflicts = call(&env.app, env.clerk(), "channel_conflict_list", json!({"channel": "mall"}));
    let c = &conflicts.as_array().unwrap()[0];
    assert!(c["last_error"].as_str().unwrap().contains("只有已发货的订单才能确认收货"), "{c}");
    let resolved = call(
        &env.app,
        env.clerk(),
        "channel_conflict_resolve",
        json!({"channel": "mall", "outbox_id": c["id"], "choice": "abandon"}),
    );
    assert_eq!(resolved["state"], "done");
    // An action the dialect does not have is refused up front.
    let e = try_call(
        &env.app,
        env.clerk(),
        "channel_order_action_apply",
        json!({"channel": "mall", "remote_id": "1", "action": "seller_remark", "remark": "x"}),
    )
    .unwrap_err();
    assert_eq!(e.code, storepos::commands::ErrorCode::IllegalAction);
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_settings_keep_credentials_out_of_the_ledger() {
    let t = three(14, None, 2000).await;
    let env = &t.env;
    let db = std::fs::read(env.path.join("storepos.db")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(TOKEN), "the token is not in the ledger");
    let f = env.path.join("channels.json");
    assert!(std::fs::read_to_string(&f).unwrap().contains(TOKEN));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // Managers only; bad input is a typed error.
    assert_eq!(
        try_call(&env.app, env.cashier(), "channel_set", json!({"channels": []})).unwrap_err().code,
        storepos::commands::ErrorCode::Forbidden
    );
    for bad in [
        json!({"channels": [{"id": "Bad Id", "dialect": "omni", "url": "http://127.0.0.1:1", "token": "x"}]}),
        json!({"channels": [{"id": "x", "dialect": "rest-store", "url": "http://127.0.0.1:1", "token": "x"}]}),
        json!({"channels": [{"id": "x", "dialect": "omni", "url": "ftp://h", "token": "x"}]}),
        json!({"channels": [{"id": "x", "dialect": "omni", "url": "http://127.0.0.1:1"}]}),
        json!({"channels": [{"id": "x", "dialect": "carrier-pigeon", "url": "http://127.0.0.1:1"}]}),
    ] {
        assert!(try_call(&env.app, env.manager(), "channel_set", bad.clone()).is_err(), "{bad}");
    }
    // Re-setting without a token keeps the one on file; disabling stops reports.
    call(
        &env.app,
        env.manager(),
        "channel_set",
        json!({"channels": [{"id": "omni", "dialect": "omni", "url": t.omni.base, "enabled": false}]}),
    );
    assert!(std::fs::read_to_string(&f).unwrap().contains(TOKEN));
    let (p, _) = env.plain_products()[0].clone();
    let (cr, _) = env.sale(p, 1, "");
    assert!(storepos::ledger::channels::stream_rows(env.app.ledger().read(), "omni", &cr).unwrap().is_empty());
    assert_eq!(outbox::list_stream(env.app.ledger().read(), &cr).unwrap().len(), 1);
    t.shutdown().await;
}
