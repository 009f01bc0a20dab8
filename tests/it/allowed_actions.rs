//! `allowed_actions` is a promise to the screens: an order lists an action exactly when the
//! command behind its button accepts it. Checked on a real ledger for every channel, status
//! and paid-or-not (and already checked in, or left the store), each action tried on its own order through the command the UI calls
//! (`order_cancel` for cancel, `order_checkin` for check-in, `order_action_apply` otherwise).

use serde_json::json;
use storepos::commands::{dispatch, App};
use storepos::domain::money::Money;
use storepos::domain::order::{Channel, Order, OrderLine, PaymentMethod, Status, SyncState};
use storepos::ledger::orders;
use storepos::services::setup::{init_store, InitOptions};

const ACTIONS: [&str; 6] = ["accept", "reject", "delivering", "complete", "cancel", "checkin"];

fn order(client_ref: &str, channel: Channel, status: Status, paid: bool) -> (Order, Vec<OrderLine>) {
    let line =
        OrderLine::priced(1, 1, None, "测试".into(), "饮品".into(), None, Money::from_fen(500), 1, None).unwrap();
    let o = Order {
        id: 0,
        client_ref: client_ref.into(),
        local_number: client_ref.into(),
        till_code: "T1".into(),
        business_day: "2026-11-24".into(),
        order_number: None,
        channel,
        order_type: channel.order_type(),
        status,
        payment_method: paid.then_some(PaymentMethod::Cash),
        total: Money::from_fen(500),
        discount: Money::ZERO,
        discount_kind: None,
        due: Money::from_fen(500),
        paid: paid.then(|| Money::from_fen(500)),
        change: None,
        remark: String::new(),
        contact_user: String::new(),
        phone: String::new(),
        cashier: None,
        created_at: "2026-11-24T02:00:00.000Z".into(),
        updated_at: "2026-11-24T02:00:00.000Z".into(),
        sync_state: SyncState::Pending,
        conflict: None,
        left_store: false,
        checked_in_at: None,
        allowed_actions: vec![],
        lines: None,
    };
    (o, vec![line])
}

fn run(app: &App, token: &str, client_ref: &str, action: &str) -> Result<(), String> {
    let (name, req) = match action {
        "cancel" => ("order_cancel", json!({ "client_ref": client_ref })),
        "checkin" => ("order_checkin", json!({ "client_ref": client_ref })),
        _ => ("order_action_apply", json!({ "client_ref": client_ref, "action": action })),
    };
    dispatch(app, Some(token), false, name, req).map(|_| ()).map_err(|e| format!("{:?}: {}", e.code, e.message_en))
}

#[test]
fn an_order_lists_an_action_exactly_when_its_command_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let manager = dispatch(&app, None, false, "session_login", json!({"username": "manager", "pin": "9999"})).unwrap()
        ["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut seq = 0;
    let mut checked = 0;
    let mut offered = 0;
    let mut disagreements = vec![];
    for channel in Channel::ALL {
        for status in Status::ALL {
            for (paid, checked_in, left_store) in
                [(false, false, false), (true, false, false), (true, true, false), (true, false, true)]
            {
                for action in ACTIONS {
                    seq += 1;
                    let r = format!("aa-{seq}");
                    let (o, lines) = order(&r, channel, *status, paid);
                    app.ledger()
                        .write(|tx| -> storepos::ledger::Result<()> {
                            let id = orders::insert(tx, &o, &lines, None, 10, seq)?;
                            if checked_in {
                                orders::set_checked_in(tx, id)?;
                            }
                            if left_store {
                                orders::set_left_store(tx, id)?;
                            }
                            Ok(())
                        })
                        .unwrap();
                    let listed = dispatch(&app, Some(&manager), false, "order_get", json!({ "client_ref": r }))
                        .unwrap()["allowed_actions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|a| a == action);
                    let outcome = run(&app, &manager, &r, action);
                    checked += 1;
                    offered += listed as usize;
                    if listed != outcome.is_ok() {
                        disagreements.push(format!(
                            "{channel:?} {} paid={paid} checked_in={checked_in} left={left_store} {action}: listed={listed}, command said {outcome:?}",
                            status.as_str()
                        ));
                    }
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "allowed_actions and the commands disagree:\n{}", disagreements.join("\n"));
    // The check must have seen both sides (a table that offers nothing would pass vacuously).
    assert!(offered >= 10 && checked > offered, "offered {offered} of {checked}");
}

#[test]
fn an_unpaid_counter_order_offers_cancel_not_complete() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let cashier = dispatch(&app, None, false, "session_login", json!({"username": "cashier", "pin": "1111"})).unwrap()
        ["token"]
        .as_str()
        .unwrap()
        .to_string();
    let sale =
        dispatch(&app, Some(&cashier), false, "sale_create", json!({ "lines": [{ "product_id": 1, "quantity": 1 }] }))
            .unwrap();
    assert_eq!(sale["status"], "CREATED_PAY_PENDING");
    assert_eq!(sale["allowed_actions"], json!(["cancel"]));
}
