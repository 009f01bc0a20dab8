//! Security as behaviour: roles are enforced by the command table for every transport,
//! PIN guessing is slowed down, prices cannot be sent in, secrets stay out of files
//! anyone can read and out of command output.

use serde_json::{json, Value};
use storepos::commands::{dispatch, names, App};
use storepos::services::setup::{init_store, InitOptions};

fn login(app: &App, u: &str, p: &str) -> String {
    dispatch(app, None, false, "session_login", json!({"username": u, "pin": p})).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn code(r: Result<Value, storepos::commands::CommandError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => serde_json::to_value(&e).unwrap()["code"].as_str().unwrap().to_string(),
    }
}

#[test]
fn roles_are_enforced_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let cashier = login(&app, "cashier", "1111");
    let clerk = login(&app, "clerk", "2222");
    let manager_only = [
        "user_create",
        "user_pin_set",
        "settings_get",
        "settings_set",
        "journal_list",
        "print_job_move",
        "stats_day_get",
        "stats_range_get",
        "stats_compare",
        "stats_reconcile",
        "stats_reconcile_refresh",
        "stats_day_export",
        "z_report_get",
        "z_report_list",
        "lan_status_get",
        "lan_set",
        "device_pairing_start",
        "device_list",
        "device_revoke",
        "backup_list",
        "backup_create",
        "backup_settings_set",
        "log_export",
    ];
    let clerk_and_up = [
        "order_action_apply",
        "order_checkin",
        "after_sales_quote",
        "after_sales_create",
        "after_sales_list",
        "conflict_resolve",
        "print_job_retry",
    ];
    for c in manager_only {
        assert!(names().contains(&c), "{c} is not a command any more: update this test");
        assert_eq!(code(dispatch(&app, Some(&cashier), false, c, json!({}))), "forbidden", "cashier ran {c}");
        assert_eq!(code(dispatch(&app, Some(&clerk), false, c, json!({}))), "forbidden", "clerk ran {c}");
    }
    for c in clerk_and_up {
        assert_eq!(code(dispatch(&app, Some(&cashier), false, c, json!({}))), "forbidden", "cashier ran {c}");
        assert_ne!(code(dispatch(&app, Some(&clerk), false, c, json!({}))), "forbidden", "clerk refused {c}");
    }
    // Without a session only the login screen's commands answer.
    for c in names() {
        let r = code(dispatch(&app, None, false, c, json!({})));
        if c == "user_list" || c == "session_login" || c == "device_pair" {
            assert_ne!(r, "unauthenticated");
        } else {
            assert_eq!(r, "unauthenticated", "{c} answered without a session");
        }
    }
    // A forged or stale token is no session.
    assert_eq!(code(dispatch(&app, Some("0123abcd"), false, "session_get", json!({}))), "unauthenticated");
    let t = login(&app, "cashier", "1111");
    dispatch(&app, Some(&t), false, "session_logout", json!({})).unwrap();
    assert_eq!(
        code(dispatch(&app, Some(&t), false, "session_get", json!({}))),
        "unauthenticated",
        "logout did not end the session"
    );
}

#[test]
fn a_changed_pin_signs_the_user_out_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let manager = login(&app, "manager", "9999");
    let till_a = login(&app, "cashier", "1111");
    let till_b = login(&app, "cashier", "1111");
    let users = dispatch(&app, Some(&manager), false, "user_list", json!({})).unwrap();
    let cashier = users.as_array().unwrap().iter().find(|u| u["username"] == "cashier").unwrap()["id"].clone();
    dispatch(&app, Some(&manager), false, "user_pin_set", json!({ "user_id": cashier, "pin": "4321" })).unwrap();
    for t in [&till_a, &till_b] {
        assert_eq!(code(dispatch(&app, Some(t), false, "session_get", json!({}))), "unauthenticated");
    }
    // The manager who changed it stays in; the new PIN works.
    dispatch(&app, Some(&manager), false, "session_get", json!({})).unwrap();
    login(&app, "cashier", "4321");
}

#[test]
fn prices_cannot_be_sent_in() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    let clerk = login(&app, "clerk", "2222");
    let r = dispatch(
        &app,
        Some(&clerk),
        false,
        "sale_create",
        json!({"lines":[{"product_id":1,"quantity":1,"unit_price":"0.01"}]}),
    );
    assert_eq!(code(r), "bad_request");
    let o =
        dispatch(&app, Some(&clerk), false, "sale_create", json!({"lines":[{"product_id":1,"quantity":1}]})).unwrap();
    let catalog = dispatch(&app, Some(&clerk), false, "catalog_product_list", json!({})).unwrap();
    assert_eq!(o["total"], catalog.as_array().unwrap().iter().find(|p| p["id"] == 1).unwrap()["price"]);
}

#[test]
fn pin_guessing_is_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    for i in 0..5 {
        let r = dispatch(&app, None, false, "session_login", json!({"username":"manager","pin": format!("000{i}")}));
        assert_eq!(code(r), "unauthenticated");
    }
    // Locked now: even the right PIN is refused until the lock-out ends.
    let r = dispatch(&app, None, false, "session_login", json!({"username":"manager","pin":"9999"}));
    assert_eq!(code(r), "rate_limited");
    // Unknown users get the same answer as wrong PINs (no user enumeration).
    let a = dispatch(&app, None, false, "session_login", json!({"username":"nobody","pin":"1234"})).unwrap_err();
    let b = dispatch(&app, None, false, "session_login", json!({"username":"cashier","pin":"0000"})).unwrap_err();
    assert_eq!((a.code, a.message_en), (b.code, b.message_en));
    // PINs are stored as Argon2id hashes only.
    let hashes: Vec<String> = app
        .ledger()
        .read()
        .prepare("SELECT pin_hash FROM users")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(hashes.iter().all(|h| h.starts_with("$argon2id$")));
    let journal = dispatch(&app, None, false, "journal_list", json!({}));
    assert_eq!(code(journal), "unauthenticated");
}

#[test]
fn the_platform_password_stays_secret() {
    let dir = tempfile::tempdir().unwrap();
    let app = init_store(dir.path(), &InitOptions::default()).unwrap();
    storepos::app::config::save_platform(dir.path(), "http://127.0.0.1:9", "store1", "s3cret-pass").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(storepos::app::config::path(dir.path())).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let cfg = storepos::app::config::load_platform(dir.path()).unwrap().unwrap();
    assert!(!format!("{cfg:?}").contains("s3cret-pass"));
    let manager = login(&app, "manager", "9999");
    let settings = dispatch(&app, Some(&manager), false, "settings_get", json!({})).unwrap();
    assert!(!settings.to_string().contains("s3cret-pass"));
    assert_eq!(
        code(dispatch(&app, Some(&manager), false, "settings_set", json!({"key":"central_password","value":"x"}))),
        "validation"
    );
    // Nor is it in the ledger a copied file would carry.
    drop(app);
    let db = std::fs::read(dir.path().join("storepos.db")).unwrap();
    assert!(!db.windows(11).any(|w| w == b"s3cret-pass"));
}
