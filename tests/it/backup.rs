//! Backups and restore: a backup taken while sales are being committed restores to a
//! sound ledger holding every sale committed before it began; rotation, records and roles;
//! `storepos restore` refuses another store's or till's ledger, a newer schema, a damaged
//! file and files that are not ledgers, and leaves the current ledger untouched then.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use storepos::commands::{dispatch, App};
use storepos::ledger::backup::{bulk_fill, Pace};
use storepos::ledger::{orders, Ledger};
use storepos::services::backup::Job;
use storepos::services::setup::{init_store, InitOptions};

fn login(app: &App, user: &str, pin: &str) -> String {
    dispatch(app, None, false, "session_login", json!({"username": user, "pin": pin})).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn restore(data: &Path, from: &Path) -> (i32, Value, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_storepos"))
        .args(["restore", "--data"])
        .arg(data)
        .arg("--from")
        .arg(from)
        .output()
        .unwrap();
    let parse = |b: &[u8]| serde_json::from_slice(b).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), parse(&out.stdout), parse(&out.stderr))
}

fn digest(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn backup_while_selling_restores_every_sale_committed_before_it() {
    let root = tempfile::tempdir().unwrap();
    let till = root.path().join("till");
    let app = Arc::new(init_store(&till, &InitOptions::default()).unwrap());
    // A ledger big enough that the copy takes many steps while sales go on.
    app.ledger().write(|tx| bulk_fill(tx, 30_000)).unwrap();
    let token = login(&app, "cashier", "1111");

    let done: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let seller = {
        let (app, done, stop, token) = (app.clone(), done.clone(), stop.clone(), token.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let o = dispatch(
                    &app,
                    Some(&token),
                    false,
                    "sale_create",
                    json!({"lines":[{"product_id":1,"quantity":2},{"product_id":31,"quantity":1}]}),
                )
                .unwrap();
                // Recorded only after the commit returned.
                done.lock().unwrap().push(o["client_ref"].as_str().unwrap().to_string());
            }
        })
    };
    while done.lock().unwrap().len() < 20 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let before: Vec<String> = done.lock().unwrap().clone();
    let mut job = Job::plan(&app).unwrap();
    job.pace = Pace { pages_per_step: 8, pause: Duration::from_millis(1) };
    let rec = job.run("test").unwrap();
    let after = done.lock().unwrap().len();
    stop.store(true, Ordering::SeqCst);
    seller.join().unwrap();
    assert!(rec.ok && rec.integrity == "ok", "{rec:?}");
    assert!(rec.steps > 50, "the copy should take many steps: {rec:?}");
    assert!(after > before.len(), "no sale was committed while the backup ran");
    eprintln!(
        "backup: {} steps, {} ms; {} sales before, {} more during",
        rec.steps,
        rec.millis,
        before.len(),
        after - before.len()
    );

    // Restore on a fresh machine (no ledger yet) and check the result.
    let fresh = root.path().join("fresh");
    let (code, out, err) = restore(&fresh, Path::new(&rec.file));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["integrity"], "ok");
    let ledger = Ledger::open(&fresh.join("storepos.db")).unwrap();
    assert_eq!(ledger.integrity_check().unwrap(), "ok");
    for r in &before {
        let o = orders::get(ledger.read(), r)
            .unwrap()
            .unwrap_or_else(|| panic!("sale {r} committed before the backup is missing"));
        assert_eq!(orders::lines(ledger.read(), o.id).unwrap().len(), 2, "{r} lost lines");
        let outbox: i64 =
            ledger.read().query_row("SELECT count(*) FROM outbox WHERE stream = ?1", [r], |x| x.get(0)).unwrap();
        assert!(outbox >= 1, "{r} lost its outbox row");
    }
    let bulk: i64 =
        ledger.read().query_row("SELECT count(*) FROM orders WHERE till_code = 'B9'", [], |x| x.get(0)).unwrap();
    assert_eq!(bulk, 30_000);
}

fn take_backup(app: &App) -> PathBuf {
    PathBuf::from(Job::plan(app).unwrap().run("manual").unwrap().file)
}

#[test]
fn restore_refuses_what_it_must_and_leaves_the_ledger_alone() {
    let root = tempfile::tempdir().unwrap();
    let a = root.path().join("a");
    let app = init_store(&a, &InitOptions::default()).unwrap();
    let t = login(&app, "cashier", "1111");
    dispatch(&app, Some(&t), false, "sale_create", json!({"lines":[{"product_id":1,"quantity":1}]})).unwrap();
    let good = take_backup(&app);
    drop(app);

    // Another store, another till of the same store.
    let other_store = root.path().join("store7");
    drop(init_store(&other_store, &InitOptions { store_id: 7, ..InitOptions::default() }).unwrap());
    let other_till = root.path().join("t2");
    drop(init_store(&other_till, &InitOptions { till_code: "T2".into(), ..InitOptions::default() }).unwrap());

    // A newer schema.
    let newer = root.path().join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    // A damaged file: garbage over the middle pages, header intact.
    let corrupt = root.path().join("corrupt.db");
    let mut bytes = std::fs::read(&good).unwrap();
    let len = bytes.len();
    for b in &mut bytes[4096 * 2..len - 4096 * 2] {
        *b = 0xA5;
    }
    std::fs::write(&corrupt, &bytes).unwrap();
    // Not a database; another program's database.
    let text = root.path().join("notes.txt");
    std::fs::write(&text, "营业额 1234.00\n").unwrap();
    let foreign = root.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();

    let cases: Vec<(&Path, &Path, &str)> = vec![
        (&other_store, &good, "other_store"),
        (&other_till, &good, "other_till"),
        (&a, &newer, "newer_schema"),
        (&a, &corrupt, "corrupt"),
        (&a, &text, "not_a_ledger"),
        (&a, &foreign, "foreign"),
    ];
    for (data, from, reason) in cases {
        let db = data.join("storepos.db");
        let before = digest(&db);
        let (code, out, err) = restore(data, from);
        assert_eq!(code, 2, "{reason}: {out}");
        assert_eq!(err["code"], "validation", "{reason}: {err}");
        assert_eq!(err["details"]["reason"], reason, "{err}");
        assert!(err["message_zh"].as_str().unwrap().contains("未恢复"), "{err}");
        assert!(err["message_en"].as_str().unwrap().contains("nothing was restored"), "{err}");
        assert_eq!(digest(&db), before, "{reason}: the ledger changed");
        assert!(!data.join("replaced").exists(), "{reason}: something was moved aside");
    }

    // The good one is accepted; the replaced ledger is kept aside.
    let (code, out, err) = restore(&a, &good);
    assert_eq!(code, 0, "{err}");
    let kept = PathBuf::from(out["replaced_kept_at"].as_str().unwrap());
    assert!(kept.exists() && kept.starts_with(a.join("replaced")));
    assert_eq!(out["orders"], 1);
}

#[test]
fn backups_rotate_are_recorded_follow_closes_and_are_for_managers() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("till");
    let app = init_store(&data, &InitOptions::default()).unwrap();
    let manager = login(&app, "manager", "9999");
    let cashier = login(&app, "cashier", "1111");
    let folder = root.path().join("usb").join("备份");
    let code = |r: Result<Value, storepos::commands::CommandError>| {
        r.map(|_| "ok".to_string())
            .unwrap_or_else(|e| serde_json::to_value(&e).unwrap()["code"].as_str().unwrap().to_string())
    };

    assert_eq!(code(dispatch(&app, Some(&cashier), false, "backup_create", json!({}))), "forbidden");
    assert_eq!(code(dispatch(&app, Some(&cashier), false, "backup_list", json!({}))), "forbidden");
    assert_eq!(code(dispatch(&app, Some(&cashier), false, "backup_settings_set", json!({"keep": 2}))), "forbidden");
    assert_eq!(
        code(dispatch(&app, Some(&manager), false, "backup_settings_set", json!({"dir": "relative/path"}))),
        "validation"
    );
    assert_eq!(code(dispatch(&app, Some(&manager), false, "backup_settings_set", json!({"keep": 0}))), "validation");
    let s = dispatch(
        &app,
        Some(&manager),
        false,
        "backup_settings_set",
        json!({"dir": folder.to_str().unwrap(), "keep": 2, "interval_min": 5}),
    )
    .unwrap();
    assert_eq!(s["keep"], 2);
    assert_eq!(s["interval_min"], 5);

    for _ in 0..3 {
        let r = dispatch(&app, Some(&manager), false, "backup_create", json!({})).unwrap();
        assert_eq!(r["integrity"], "ok");
        std::thread::sleep(Duration::from_millis(5));
    }
    let files: Vec<_> =
        std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let list = dispatch(&app, Some(&manager), false, "backup_list", json!({})).unwrap();
    let recs = list["backups"].as_array().unwrap();
    assert_eq!(recs.len(), 3);
    assert_eq!(recs.iter().filter(|r| r["present"] == true).count(), 2);
    assert_eq!(recs[2]["present"], false, "the oldest is the one rotated out");

    // A shift close starts a backup.
    dispatch(&app, Some(&cashier), false, "shift_open", json!({"float": "100.00"})).unwrap();
    dispatch(
        &app,
        Some(&cashier),
        false,
        "shift_close",
        json!({"counted": {"100": 1}, "manager_username": "manager", "manager_pin": "9999"}),
    )
    .unwrap();
    storepos::services::backup::wait_pending();
    let list = dispatch(&app, Some(&manager), false, "backup_list", json!({})).unwrap();
    assert_eq!(list["backups"][0]["reason"], "shift_close", "{list}");
    assert_eq!(list["backups"][0]["ok"], true);
}
