//! End-to-end sync flows against the real simulator, in both modes (documented and
//! field): counter sales, online SELF_PICK / FLASH orders, reject, after-sales, counts,
//! conflicts.
//! After-sales are created by the manager here: a clerk's cash out of the drawer needs a
//! manager's approval, which is `money_control::`'s subject.

use crate::sync_support;

use serde_json::json;
use storepos::domain::order::{Channel, PaymentMethod, Status, SyncState};
use storepos::ledger::outbox;
use storepos_sim::Mode;
use sync_support::*;

macro_rules! both_modes {
    ($($name:ident),* $(,)?) => {
        mod documented { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(storepos_sim::Mode::Documented).await } )* }
        mod field { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(storepos_sim::Mode::Field).await } )* }
    };
}

both_modes!(
    counter_sales_complete_and_cancel,
    self_pick_accept_complete,
    flash_accept_delivering_complete,
    flash_reject,
    after_sales_return_and_exchange,
    counts_reconcile,
    wechat_paid_then_cancelled_is_a_conflict
);

async fn counter_sales_complete_and_cancel(mode: Mode) {
    let e = env(mode).await;
    let p = e.plain_products();
    let (paid, total) = e.sale(p[0].0, 2, "少冰");
    e.pay_cash(&paid, &total);
    let (cancelled, _) = e.sale(p[1].0, 1, "");
    e.cancel(&cancelled);
    let (open, _) = e.sale(p[2].0, 3, "");
    let s = e.settle().await;
    assert_eq!(s.outbox_pending, 0, "{s:?}");
    assert_eq!(s.conflicts, 0, "{s:?}");
    let st = e.state().await;
    for (r, want) in [(&paid, "CLOSED_CONFIRMED"), (&cancelled, "CLOSED_CANCELED"), (&open, "CREATED_PAY_PENDING")] {
        let on = platform_orders_for(&st, r);
        assert_eq!(on.len(), 1, "{r} must exist exactly once");
        assert_eq!(on[0]["status"], want);
        assert_eq!(on[0]["type"], "STORE_ORDER");
        let local = e.order(r);
        assert_eq!(local["order_number"], on[0]["order_number"]);
        assert_eq!(local["status"], want);
        assert_eq!(local["sync_state"], "synced");
    }
    // The human remark travels with the marker.
    assert!(platform_orders_for(&st, &paid)[0]["remark"].as_str().unwrap().starts_with("少冰 [spos:"));
    let status = call(&e.app, e.cashier(), "sync_status_get", json!({}));
    assert_eq!(status["online"], true);
    assert_eq!(status["outbox_depth"], 0);
    assert_eq!(status["conflicts"], 0);
    assert!(status["last_success_at"].is_string());
}

async fn self_pick_accept_complete(mode: Mode) {
    let e = env(mode).await;
    let p = e.plain_products();
    let n = e.online_order("SELF_PICK", json!([{"product_id": p[0].0, "quantity": 2}])).await;
    let mut events = e.app.subscribe();
    let s = e.round().await;
    assert_eq!(s.pulled_new, 1, "{s:?}");
    let o = e.by_number(&n).expect("pulled");
    assert_eq!(o.channel, Channel::SelfPick);
    assert_eq!(o.status, Status::PaidConfirmPending);
    assert_eq!(o.payment_method, Some(PaymentMethod::Online));
    assert!(o.local_number.starts_with("W-"), "{}", o.local_number);
    assert_eq!(o.lines.as_ref().unwrap().len(), 1);
    assert_eq!(o.contact_user, "王伟");
    let mut saw = false;
    while let Ok(ev) = events.try_recv() {
        saw |= matches!(ev, storepos::commands::Event::OnlineOrder { .. });
    }
    assert!(saw, "an OnlineOrder event");
    // A second round does not insert it again.
    assert_eq!(e.round().await.pulled_new, 0);
    e.action(&o.client_ref, "accept");
    e.settle().await;
    assert_eq!(platform_order(&e.state().await, &n)["status"], "CONFIRMED_PICK_PENDING");
    e.action(&o.client_ref, "complete");
    let s = e.settle().await;
    assert_eq!((s.outbox_pending, s.conflicts), (0, 0), "{s:?}");
    assert_eq!(platform_order(&e.state().await, &n)["status"], "CLOSED_CONFIRMED");
    let o = e.by_number(&n).unwrap();
    assert_eq!((o.status, o.sync_state), (Status::ClosedConfirmed, SyncState::Synced));
}

async fn flash_accept_delivering_complete(mode: Mode) {
    for auto in [false, true] {
        if auto && mode == Mode::Documented {
            continue;
        }
        let e = env_with(mode, |a| a.flash_auto_deliver = auto).await;
        let p = e.plain_products();
        let n = e
            .online_order(
                "FLASH",
                json!([{"product_id": p[1].0, "quantity": 1}, {"product_id": p[2].0, "quantity": 2}]),
            )
            .await;
        e.round().await;
        let o = e.by_number(&n).expect("pulled");
        assert_eq!(o.channel, Channel::Flash);
        e.action(&o.client_ref, "accept");
        e.settle().await;
        let o = e.by_number(&n).unwrap();
        if auto {
            // The field server jumped to DELIVERED_CONFIRM_PENDING: taken locally.
            assert_eq!(o.status, Status::DeliveredConfirmPending);
        } else {
            assert_eq!(o.status, Status::ConfirmedDeliverPending);
            e.action(&o.client_ref, "delivering");
            e.settle().await;
            assert_eq!(platform_order(&e.state().await, &n)["status"], "DELIVERING");
        }
        e.action(&o.client_ref, "complete");
        let s = e.settle().await;
        assert_eq!((s.outbox_pending, s.conflicts), (0, 0), "{s:?}");
        assert_eq!(platform_order(&e.state().await, &n)["status"], "CLOSED_CONFIRMED");
        assert_eq!(e.by_number(&n).unwrap().status, Status::ClosedConfirmed);
    }
}

async fn flash_reject(mode: Mode) {
    let e = env(mode).await;
    let p = e.plain_products();
    let n = e.online_order("FLASH", json!([{"product_id": p[0].0, "quantity": 1}])).await;
    e.round().await;
    let o = e.by_number(&n).unwrap();
    e.action(&o.client_ref, "reject");
    let s = e.settle().await;
    assert_eq!((s.outbox_pending, s.conflicts), (0, 0), "{s:?}");
    let st = e.state().await;
    assert!(platform_order(&st, &n)["store_id"].is_null(), "the store association is cleared");
    let o = e.by_number(&n).unwrap();
    assert!(o.left_store);
    assert_eq!(o.sync_state, SyncState::Synced);
    // Later pulls do not bring it back nor flag it.
    let s = e.round().await;
    assert_eq!(s.conflicts, 0);
    assert_eq!(s.pulled_new, 0);
}

async fn after_sales_return_and_exchange(mode: Mode) {
    let e = env(mode).await;
    let p = e.plain_products();
    for kind in ["RETURN", "EXCHANGE"] {
        // Field mode only takes services on DELIVERING / DELIVERED_CONFIRM_PENDING / CANCELED_*.
        let n = e
            .online_order(
                "FLASH",
                json!([{"product_id": p[0].0, "quantity": 3}, {"product_id": p[1].0, "quantity": 1}]),
            )
            .await;
        e.round().await;
        let o = e.by_number(&n).unwrap();
        e.action(&o.client_ref, "accept");
        e.settle().await;
        e.action(&o.client_ref, "delivering");
        e.settle().await;
        let req = if kind == "RETURN" {
            json!({"client_ref": o.client_ref, "service_type": "RETURN", "reason": "质量问题", "returns": [{"line_no": 1, "quantity": 2}]})
        } else {
            json!({"client_ref": o.client_ref, "service_type": "EXCHANGE", "reason": "换货", "returns": [{"line_no": 1, "quantity": 1}], "exchanges": [{"product_id": p[2].0, "quantity": 1}]})
        };
        let created = call(&e.app, e.manager(), "after_sales_create", req);
        let svc_ref = created["service"]["client_ref"].as_str().unwrap().to_string();
        let s = e.settle().await;
        assert_eq!((s.outbox_pending, s.conflicts), (0, 0), "{kind}: {s:?}");
        let st = e.state().await;
        let marker = storepos::domain::order::client_ref_marker(&svc_ref);
        let on: Vec<_> =
            st["services"].as_array().unwrap().iter().filter(|x| x["content"].as_str() == Some(&marker)).collect();
        assert_eq!(on.len(), 1, "{kind}: exactly one service on the platform");
        let local = storepos::ledger::after_sales::get(e.app.ledger().read(), &svc_ref).unwrap().unwrap();
        assert_eq!(local.sync_state, SyncState::Synced);
        assert_eq!(local.service_number.as_deref(), on[0]["service_number"].as_str(), "{kind}");
        if mode == Mode::Field {
            assert!(local.service_number.as_deref().unwrap().starts_with(&format!("{n}-")));
        }
        // The platform's figures are what the ledger keeps.
        let platform_fee: Option<storepos::domain::Money> = serde_json::from_value(on[0]["refund_fee"].clone()).ok();
        assert_eq!(local.refund_fee, platform_fee, "{kind}");
        assert_eq!(local.status, on[0]["status"].as_str().unwrap());
        // The order was refreshed from the platform.
        let po = platform_order(&st, &n);
        assert_eq!(e.by_number(&n).unwrap().status.as_str(), po["status"].as_str().unwrap(), "{kind}");
    }
}

async fn counts_reconcile(mode: Mode) {
    let e = env(mode).await;
    let p = e.plain_products();
    let (a, ta) = e.sale(p[0].0, 1, "");
    e.pay_cash(&a, &ta);
    let (b, _) = e.sale(p[1].0, 1, "");
    e.cancel(&b);
    e.sale(p[2].0, 2, "");
    let n = e.online_order("SELF_PICK", json!([{"product_id": p[0].0, "quantity": 1}])).await;
    e.round().await;
    let f = e.online_order("FLASH", json!([{"product_id": p[1].0, "quantity": 1}])).await;
    e.round().await;
    e.action(&e.by_number(&n).unwrap().client_ref, "accept");
    let fo = e.by_number(&f).unwrap().client_ref;
    e.action(&fo, "accept");
    e.settle().await;
    e.action(&fo, "delivering");
    e.settle().await;
    let s = e.round().await;
    let r = s.counts.expect("counts report");
    assert_eq!(r.all_explained, Some(true), "{r:?}");
    // Every figure equals the ledger's in the platform's own meaning, over all orders or
    // over those it has heard of (the unpaid sale has not been sent).
    for f in &r.figures {
        assert_ne!(f.matches.as_deref(), Some("none"), "{f:?}");
        let p = f.platform.as_ref().unwrap();
        let own = if mode == Mode::Field {
            [&f.local_field, &f.local_synced_field]
        } else {
            [&f.local_documented, &f.local_synced_documented]
        };
        assert!(own.contains(&p), "{mode:?}: {f:?}");
    }
    assert!(r.figures.iter().any(|f| f.local_field != f.local_documented), "the two meanings never differed: {r:?}");
    // The manager reads the same reconciliation (Sync screen → 平台对账), from the answer
    // the round kept.
    let shown = call(&e.app, e.manager(), "stats_reconcile", json!({}));
    assert_eq!(shown["source"], "sync", "{shown}");
    assert_eq!(shown["all_explained"], true, "{shown}");
    assert_eq!(shown["figures"], serde_json::to_value(&r.figures).unwrap(), "{shown}");
    // An unsynced local sale shows up as a difference with its reason.
    let before = e.sim_get("/sim/faults").await;
    e.sim_post("/sim/faults", json!({"fail_rate": 1.0})).await;
    let (c, tc) = e.sale(p[0].0, 1, "");
    e.pay_cash(&c, &tc);
    storepos::engine::platform::drain(&e.app, &e.client, &e.cfg).await;
    e.sim_post("/sim/faults", json!({"fail_rate": before["fail_rate"]})).await;
    let r = storepos::engine::platform::pull::reconcile_counts(&e.app, &e.client).await.unwrap().unwrap();
    assert_eq!(r.all_explained, Some(true), "{r:?}");
    let total = r.figures.iter().find(|f| f.figure == "total").unwrap();
    assert_ne!(total.matches.as_deref(), Some("none"), "{total:?}");
    assert!(
        total.explanations.iter().any(|x| x.kind == "not_yet_synced" && x.count == 1),
        "the sale the platform never heard of is the difference, said so: {total:?}"
    );
    e.settle().await;
    let r = storepos::engine::platform::pull::reconcile_counts(&e.app, &e.client).await.unwrap().unwrap();
    assert_eq!(r.all_explained, Some(true), "{r:?}");
    assert!(r.figures.iter().all(|f| f.explanations.iter().all(|x| x.kind != "not_yet_synced")), "{r:?}");
}

/// The customer paid by WeChat on the platform while the cashier cancelled locally:
/// the cancel can never apply. Conflict recorded, order refreshed, people told.
async fn wechat_paid_then_cancelled_is_a_conflict(mode: Mode) {
    let e = env(mode).await;
    let p = e.plain_products();
    let (r, _) = e.sale(p[0].0, 1, "");
    e.settle().await;
    let number = e.order(&r)["order_number"].as_str().unwrap().to_string();
    // The customer scans the NATIVE QR and pays.
    let code = storepos::clients::platform::client::Platform::push_order(&e.client, &number).await.unwrap();
    assert!(code.starts_with("weixin://wxpay/bizpayurl?pr="), "{code}");
    e.sim_post(&format!("/sim/pay/{number}"), json!({})).await;
    e.cancel(&r);
    let mut events = e.app.subscribe();
    let s = e.settle().await;
    assert_eq!(s.conflicts, 1, "{s:?}");
    let o = e.order(&r);
    assert_eq!(o["sync_state"], "conflict");
    assert_eq!(o["status"], "PAID_CONFIRM_PENDING", "refreshed from the platform");
    assert!(o["conflict"]["message"].is_string());
    let mut saw = false;
    while let Ok(ev) = events.try_recv() {
        saw |= matches!(ev, storepos::commands::Event::Conflict { .. });
    }
    assert!(saw);
    let list = call(&e.app, e.cashier(), "conflict_list", json!({}));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["client_ref"], r.as_str());
    let j = call(&e.app, e.manager(), "journal_list", json!({"entity_ref": r}));
    assert!(j.as_array().unwrap().iter().any(|x| x["action"] == "sync_conflict"));
    // Cashiers may not resolve; clerks may. Accept the platform's version.
    assert!(try_call(
        &e.app,
        e.cashier(),
        "conflict_resolve",
        json!({"client_ref": r, "resolution": "accept_platform"})
    )
    .is_err());
    call(&e.app, e.clerk(), "conflict_resolve", json!({"client_ref": r, "resolution": "accept_platform"}));
    let o = e.order(&r);
    assert_eq!(o["sync_state"], "synced");
    assert_eq!(o["status"], "PAID_CONFIRM_PENDING");
    assert_eq!(call(&e.app, e.cashier(), "conflict_list", json!({})).as_array().unwrap().len(), 0);
    let d = outbox::depth(e.app.ledger().read(), outbox::PLATFORM_CHANNEL).unwrap();
    assert_eq!((d.pending, d.conflicts), (0, 0));
}

/// Field mode: the platform refuses a counter order it cannot fill: a conflict with the
/// platform's words; "retry" puts the operation back in line. A RETURN on a completed
/// counter order is never sent (the platform would refuse it): it is store-only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_refusals_become_conflicts() {
    let e = env(Mode::Field).await;
    // A product only this store knows: the field platform answers 没有该产品.
    {
        let mut l = e.app.ledger();
        l.write(|tx| {
            storepos::ledger::catalog::upsert(
                tx,
                &[storepos::ledger::catalog::SeedProduct {
                    id: 990_001,
                    name: "本店自制酸梅汤".into(),
                    category_id: 990,
                    category_name: "自制".into(),
                    station: None,
                    price: storepos::domain::Money::yuan(6),
                    barcode: None,
                    specifications: vec![],
                }],
            )
        })
        .unwrap();
    }
    let (r, _) = e.sale(990_001, 1, "");
    let s = e.settle().await;
    assert_eq!(s.conflicts, 1);
    let o = e.order(&r);
    assert_eq!(o["sync_state"], "conflict");
    assert_eq!(
        o["conflict"]["platform_message"],
        if e.mode == Mode::Field { "没有该产品" } else { "新建订单失败 - 库存不足" }
    );
    assert!(platform_orders_for(&e.state().await, &r).is_empty());
    call(&e.app, e.clerk(), "conflict_resolve", json!({"client_ref": r, "resolution": "retry"}));
    let s = e.settle().await;
    assert_eq!(s.conflicts, 1, "refused again, still recorded");

    let p = e.plain_products();
    let (c, t) = e.sale(p[0].0, 1, "");
    e.pay_cash(&c, &t);
    e.settle().await;
    // Issue 14: the till knows the platform never takes after-sales on a completed counter
    // order, so the return is handled by the store (门店自理): recorded, never sent, never a
    // conflict (it used to come back as `order.status.transfer.error`).
    let svc = call(
        &e.app,
        e.manager(),
        "after_sales_create",
        json!({"client_ref": c, "service_type": "RETURN", "reason": "不想要了", "returns": [{"line_no": 1, "quantity": 1}]}),
    );
    assert_eq!(svc["route"]["why"], "status_not_taken");
    let s = e.settle().await;
    assert_eq!(s.conflicts, 1, "{s:?}");
    let o = e.order(&c);
    assert_eq!(o["conflict"], serde_json::Value::Null);
    let local =
        storepos::ledger::after_sales::get(e.app.ledger().read(), svc["service"]["client_ref"].as_str().unwrap())
            .unwrap()
            .unwrap();
    assert!(local.local_only);
    assert_eq!(local.sync_state, SyncState::Synced);
    assert!(e.state().await["services"].as_array().unwrap().is_empty(), "nothing sent");
    let status = call(&e.app, e.cashier(), "sync_status_get", json!({}));
    assert_eq!(status["conflicts"], 1);
}

/// Documented mode takes a RETURN on a completed cash sale: the money goes back in cash at
/// the counter, so the service is sent with `"otherway": true` and the platform does not
/// refund the payment path as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cash_return_is_sent_otherway() {
    let e = env(Mode::Documented).await;
    let p = e.plain_products();
    let (c, t) = e.sale(p[0].0, 2, "");
    e.pay_cash(&c, &t);
    e.settle().await;
    let created = call(
        &e.app,
        e.manager(),
        "after_sales_create",
        json!({"client_ref": c, "service_type": "RETURN", "reason": "不想要了", "returns": [{"line_no": 1, "quantity": 1}]}),
    );
    assert_eq!(created["route"]["otherway"], true, "{created}");
    let s = e.settle().await;
    assert_eq!((s.outbox_pending, s.conflicts), (0, 0), "{s:?}");
    let st = e.state().await;
    let marker = storepos::domain::order::client_ref_marker(created["service"]["client_ref"].as_str().unwrap());
    let on: Vec<_> =
        st["services"].as_array().unwrap().iter().filter(|x| x["content"].as_str() == Some(&marker)).collect();
    assert_eq!(on.len(), 1);
    assert_eq!(on[0]["refund_way"], "OTHERWAY", "{}", on[0]);
}

/// Field: a refund on the default path that "fails" (`order.refund.failure`, status_code 0)
/// still stores the service and moves the order. The till takes the platform's word: the
/// service is synced under the platform's number, and the follow-up records what the
/// platform has (service CREATED, order CANCELED_RETURN_PENDING) and keeps following it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_refund_failure_is_followed_up() {
    let e = env(Mode::Field).await;
    e.sim_post("/sim/faults", json!({"refund_fail_rate": 1.0})).await;
    let p = e.plain_products();
    let n = e.online_order("FLASH", json!([{"product_id": p[0].0, "quantity": 2}])).await;
    e.round().await;
    let o = e.by_number(&n).unwrap();
    e.action(&o.client_ref, "accept");
    e.settle().await;
    e.action(&o.client_ref, "delivering");
    e.settle().await;
    let created = call(
        &e.app,
        e.manager(),
        "after_sales_create",
        json!({"client_ref": o.client_ref, "service_type": "RETURN", "reason": "质量问题", "returns": [{"line_no": 1, "quantity": 1}]}),
    );
    let svc_ref = created["service"]["client_ref"].as_str().unwrap().to_string();
    let s = e.settle().await;
    assert_eq!((s.outbox_pending, s.conflicts), (0, 0), "{s:?}");
    e.round().await;
    let local = storepos::ledger::after_sales::get(e.app.ledger().read(), &svc_ref).unwrap().unwrap();
    assert_eq!(local.sync_state, SyncState::Synced);
    assert!(local.service_number.as_deref().unwrap().starts_with(&format!("{n}-")), "{local:?}");
    assert_eq!(local.platform_status.as_deref(), Some("CREATED"), "{local:?}");
    assert_eq!(local.platform_order_status.as_deref(), Some("CANCELED_RETURN_PENDING"), "{local:?}");
    assert!(local.platform_checked_at.is_some());
    assert_eq!(e.by_number(&n).unwrap().status.as_str(), "CANCELED_RETURN_PENDING");
    let follow = storepos::ledger::after_sales::to_follow(e.app.ledger().read(), 10).unwrap();
    assert!(follow.iter().any(|x| x.client_ref == svc_ref), "not final: still followed");
    // Each round keeps the platform's order_count for the manager.
    assert!(storepos::ledger::after_sales::latest_platform_counts(e.app.ledger().read(), "rest-store")
        .unwrap()
        .is_some());
}

/// Field: a RETURN the platform takes on a WeChat-paid FLASH order is refunded by the
/// original path at once; the till follows it to REFUNDED and the order to CLOSED_REFUNDED,
/// then stops following. A second service on that order, sent from elsewhere first, makes
/// the platform answer `already.refund`: the till's service becomes a conflict with the
/// platform's words and consumes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_return_followed_to_refunded_and_already_refund() {
    use storepos::clients::platform::client::Platform;
    let e = env(Mode::Field).await;
    let p = e.plain_products();
    let (n, cr) = delivering_flash(&e, p[0].0).await;
    let created = call(
        &e.app,
        e.manager(),
        "after_sales_create",
        json!({"client_ref": cr, "service_type": "RETURN", "reason": "质量问题", "returns": [{"line_no": 1, "quantity": 1}]}),
    );
    assert_eq!(created["route"]["route"], "platform", "{created}");
    let svc_ref = created["service"]["client_ref"].as_str().unwrap().to_string();
    e.settle().await;
    e.round().await;
    let local = storepos::ledger::after_sales::get(e.app.ledger().read(), &svc_ref).unwrap().unwrap();
    assert_eq!(local.platform_status.as_deref(), Some("REFUNDED"), "{local:?}");
    assert_eq!(local.platform_order_status.as_deref(), Some("CLOSED_REFUNDED"), "{local:?}");
    assert_eq!(e.by_number(&n).unwrap().status.as_str(), "CLOSED_REFUNDED");
    assert!(
        !storepos::ledger::after_sales::to_follow(e.app.ledger().read(), 10)
            .unwrap()
            .iter()
            .any(|x| x.client_ref == svc_ref),
        "final: no longer followed"
    );

    // Another order; a service for it reaches the platform from elsewhere first.
    let (n2, cr2) = delivering_flash(&e, p[0].0).await;
    e.client
        .create_service(
            &json!({"order_number": n2, "service_type": "RETURN", "reason": "其他收银台", "content": "elsewhere",
        "returns": [{"product_id": p[0].0, "quantity": 1}], "store_id": e.client.store_id()}),
        )
        .await
        .unwrap();
    let created = call(
        &e.app,
        e.manager(),
        "after_sales_create",
        json!({"client_ref": cr2, "service_type": "RETURN", "reason": "质量问题", "returns": [{"line_no": 1, "quantity": 1}]}),
    );
    let svc2 = created["service"]["client_ref"].as_str().unwrap().to_string();
    let s = e.settle().await;
    assert_eq!(s.conflicts, 1, "{s:?}");
    let local = storepos::ledger::after_sales::get(e.app.ledger().read(), &svc2).unwrap().unwrap();
    assert_eq!(local.sync_state, SyncState::Conflict, "{local:?}");
    assert!(local.conflict.as_deref().unwrap_or_default().contains("already.refund"), "{local:?}");
    let o2 = storepos::ledger::orders::require(e.app.ledger().read(), &cr2).unwrap();
    assert_eq!(
        storepos::ledger::after_sales::refunded_before(e.app.ledger().read(), o2.id).unwrap(),
        storepos::domain::Money::ZERO,
        "a refused service consumes nothing"
    );
}

/// A FLASH order from the platform, accepted and out for delivery (field mode takes
/// services from DELIVERING on). Returns (platform number, client_ref).
async fn delivering_flash(e: &sync_support::Env, product_id: i64) -> (String, String) {
    let n = e.online_order("FLASH", json!([{"product_id": product_id, "quantity": 2}])).await;
    e.round().await;
    let o = e.by_number(&n).unwrap();
    e.action(&o.client_ref, "accept");
    e.settle().await;
    e.action(&o.client_ref, "delivering");
    e.settle().await;
    (n, o.client_ref)
}
