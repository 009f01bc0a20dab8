//! A sale the platform refuses to create (`新建订单失败 - 库存不足`: here a product it does
//! not carry) becomes a conflict people see, and "take the platform's version" is refused
//! for it: the platform has no version, and calling it synced would hide the sale.

use crate::sync_support;

use serde_json::json;
use storepos::domain::Money;
use storepos::ledger::catalog::{self, SeedProduct};
use storepos_sim::Mode;
use sync_support::{env, try_call};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_create_is_a_conflict_that_cannot_be_waved_through() {
    let e = env(Mode::Field).await;
    // A product only this till knows (added locally, never on the platform).
    e.app
        .ledger()
        .write(|tx| {
            catalog::upsert(
                tx,
                &[SeedProduct {
                    id: 90_001,
                    name: "本店自制酸梅汤".into(),
                    category_id: 1,
                    category_name: "饮料".into(),
                    station: None,
                    price: Money::yuan(6),
                    barcode: Some("2900000900014".into()),
                    specifications: vec![],
                }],
            )
        })
        .unwrap();
    let (r, _) = e.sale(90_001, 1, "");
    let s = e.settle().await;
    assert_eq!(s.conflicts, 1, "{s:?}");
    let o = e.order(&r);
    assert_eq!(o["sync_state"], "conflict");
    assert!(o["order_number"].is_null());
    let refused =
        try_call(&e.app, e.clerk(), "conflict_resolve", json!({"client_ref": r, "resolution": "accept_platform"}))
            .unwrap_err();
    assert_eq!(serde_json::to_value(&refused).unwrap()["code"], "illegal_action");
    assert_eq!(e.order(&r)["sync_state"], "conflict", "still visible");
    // Retrying is allowed (after the platform carries the product, it would go through).
    try_call(&e.app, e.clerk(), "conflict_resolve", json!({"client_ref": r, "resolution": "retry"})).unwrap();
    let state = e.state().await;
    assert!(state["orders"].as_array().unwrap().iter().all(|o| !o["remark"].as_str().unwrap_or_default().contains(&r)));
}
