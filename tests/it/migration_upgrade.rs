//! Upgrading real ledgers of every earlier schema version.
//!
//! `tests/fixtures/ledgers/v000N.db` is a ledger as storepos left it after migration N (1 to
//! the latest but one), holding rows of everything that version could hold: orders with
//! lines in several channels and states, a cash payment, a WeChat code, outbox ops (one
//! tried and unanswered, one after-sales op "created on platform"), print jobs, an
//! after-sales return, users, a session, settings, shifts with cash moves and a Z report,
//! channel orders, strays, platform counts. The files are committed: they are the history,
//! and the test reads them, never the generator. To add the fixture of a new version (after
//! adding migration N+1, the file for N), extend `populate` and run
//! `cargo test --test it migration_upgrade::regenerate_fixtures -- --ignored`: it writes the
//! missing files and keeps existing ones (`STOREPOS_REGENERATE_ALL_FIXTURES=1` rewrites all;
//! the output is deterministic: fixed times, fixed PIN salt).
//!
//! Each fixture is copied, opened through the real `App::open` → `Ledger::open` (which
//! migrates), checked (`PRAGMA integrity_check`), its schema compared with a freshly created
//! ledger's, its old rows compared column by column with the file's, and read back through
//! commands as the manager.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use serde_json::{json, Value};
use storepos::commands::{dispatch, App};
use storepos::ledger::{Ledger, LedgerError, APPLICATION_ID, MIGRATIONS};

use crate::support::schema;

/// The business day every fixture's orders belong to.
const DAY: &str = "2026-11-20";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ledgers")
}

fn fixture(version: usize) -> PathBuf {
    fixtures_dir().join(format!("v{version:04}.db"))
}

/// Every version a ledger in the field can be at, short of the current one.
fn earlier_versions() -> std::ops::RangeInclusive<usize> {
    1..=MIGRATIONS.len() - 1
}

/// Writes `v0001.db` … `v{latest-1}.db`: migrations 1..=N applied as `migrate` applies them
/// (one transaction each, `user_version` and `application_id` set), then `populate`.
#[test]
#[ignore = "rewrites the committed fixtures; run by hand after adding a migration"]
fn regenerate_fixtures() {
    std::fs::create_dir_all(fixtures_dir()).unwrap();
    // A fixed salt: the same file from the same code, byte for byte.
    let pins: Vec<String> = ["1111", "2222", "9999"]
        .iter()
        .map(|p| {
            use argon2::password_hash::{PasswordHasher, SaltString};
            let salt = SaltString::encode_b64(b"storepos fixture").unwrap();
            argon2::Argon2::default().hash_password(p.as_bytes(), &salt).unwrap().to_string()
        })
        .collect();
    // Existing fixtures are history and stay as committed, unless asked.
    let all = std::env::var_os("STOREPOS_REGENERATE_ALL_FIXTURES").is_some();
    for n in earlier_versions() {
        let path = fixture(n);
        if path.exists() && !all {
            eprintln!("{}: kept", path.display());
            continue;
        }
        let _ = std::fs::remove_file(&path);
        let c = Connection::open(&path).unwrap();
        // Small pages keep the files small (tens of KB); a plain rollback journal leaves one file.
        c.execute_batch("PRAGMA page_size = 1024; PRAGMA journal_mode = DELETE;").unwrap();
        for (i, (_, sql)) in MIGRATIONS.iter().enumerate().take(n) {
            let tx = c.unchecked_transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            tx.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
            tx.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
            tx.commit().unwrap();
        }
        let tx = c.unchecked_transaction().unwrap();
        populate(&tx, n, &pins);
        tx.commit().unwrap();
        c.execute_batch("VACUUM").unwrap();
        drop(c);
        eprintln!("{}: {} bytes", path.display(), std::fs::metadata(&path).unwrap().len());
    }
}

/// Representative rows of what schema version `v` can hold. Times are fixed: the files
/// must not change when nothing about them changed.
fn populate(c: &Connection, v: usize, pins: &[String]) {
    let x = |sql: &str, p: &[&dyn rusqlite::ToSql]| {
        c.execute(sql, p).unwrap_or_else(|e| panic!("v{v}: {sql}: {e}"));
    };
    // ---- version 1: settings, users, sessions, catalog, orders, lines, after-sales,
    // journal, outbox, print jobs.
    for (k, val) in [
        ("store_id", "1"),
        ("store_name", "\"龙门客栈便利店\""),
        ("till_code", "\"T1\""),
        ("receipt_footer", "\"谢谢惠顾\""),
        ("cutoff_hour", "4"),
    ] {
        x("INSERT INTO settings (key, value) VALUES (?1, ?2)", params![k, val]);
    }
    for (i, (u, name, role)) in
        [("cashier", "小王", "cashier"), ("clerk", "小李", "clerk"), ("manager", "老张", "manager")].iter().enumerate()
    {
        x(
            "INSERT INTO users (id, username, display_name, role, pin_hash, failed_attempts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![i as i64 + 1, u, name, role, pins[i], (i == 1) as i64],
        );
    }
    x(
        "INSERT INTO users (id, username, display_name, role, pin_hash, active) VALUES (4, 'gone', '离职', 'cashier', ?1, 0)",
        params![pins[0]],
    );
    x(
        "INSERT INTO sessions VALUES ('5e551045e551045e551045e551045e551045e551045e551045e551045e5510450', 3,
         '2026-11-20T02:00:00.000Z', '2026-11-20T16:00:00.000Z')",
        params![],
    );
    x("INSERT INTO categories VALUES (1, '饮料', 'bar'), (2, '热食', 'kitchen')", params![]);
    x(
        "INSERT INTO products (id, name, category_id, price_fen, pinyin_initials) VALUES
         (1, '农夫山泉550ml', 1, 200, 'nfsq550ml'), (2, '红烧牛肉面', 2, 1800, 'hsnrm'), (3, '冰红茶', 1, 300, 'bhc')",
        params![],
    );
    x("INSERT INTO specifications VALUES (1, 2, '大碗', 2200)", params![]);
    x("INSERT INTO barcodes VALUES ('6921168509256', 1, NULL), ('6900000000022', 2, 1)", params![]);
    // (id, ref, seq, channel, status, method, total, paid, change, contact, left_store, order_number, sync)
    type OrderRow = (
        i64,
        &'static str,
        i64,
        &'static str,
        &'static str,
        Option<&'static str>,
        i64,
        Option<i64>,
        Option<i64>,
        &'static str,
        i64,
        Option<&'static str>,
        &'static str,
    );
    let orders: [OrderRow; 6] = [
        (
            1,
            "01a20e73-0000-7000-8000-000000000001",
            1,
            "COUNTER",
            "CLOSED_CONFIRMED",
            Some("CASH"),
            600,
            Some(10000),
            Some(9400),
            "",
            0,
            Some("2611201013167051"),
            "synced",
        ),
        (
            2,
            "01a20e73-0000-7000-8000-000000000002",
            2,
            "COUNTER",
            "CREATED_PAY_PENDING",
            None,
            2200,
            None,
            None,
            "",
            0,
            Some("2611201015167051"),
            "synced",
        ),
        (
            3,
            "01a20e73-0000-7000-8000-000000000003",
            3,
            "COUNTER",
            "CLOSED_CANCELED",
            None,
            300,
            None,
            None,
            "",
            0,
            None,
            "pending",
        ),
        (
            4,
            "01a20e73-0000-7000-8000-000000000004",
            4,
            "SELF_PICK",
            "PAID_CONFIRM_PENDING",
            Some("ONLINE"),
            1800,
            Some(1800),
            None,
            "王女士",
            0,
            Some("1811201000000001"),
            "synced",
        ),
        (
            5,
            "01a20e73-0000-7000-8000-000000000005",
            5,
            "FLASH",
            "DELIVERING",
            Some("ONLINE"),
            3600,
            Some(3600),
            None,
            "李先生",
            0,
            Some("1811201000000002"),
            "synced",
        ),
        (
            6,
            "01a20e73-0000-7000-8000-000000000006",
            6,
            "FLASH",
            "PAID_CONFIRM_PENDING",
            Some("ONLINE"),
            200,
            Some(200),
            None,
            "赵",
            1,
            Some("1811201000000003"),
            "synced",
        ),
    ];
    for (id, r, seq, ch, st, pm, total, paid, change, contact, left, number, sync) in orders {
        let at = format!("2026-11-20T0{}:1{}:00.000Z", 1 + id % 8, id);
        x(
            "INSERT INTO orders (id, client_ref, local_number, till_code, business_day, day_seq, order_number, channel,
               status, payment_method, total_fen, paid_fen, change_fen, remark, contact_user, phone, cashier_id,
               cashier_name, created_at, updated_at, local_hour, sync_state, left_store)
             VALUES (?1, ?2, ?3, 'T1', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?19, ?20, ?21)",
            params![
                id,
                r,
                format!("T1-{seq:04}"),
                DAY,
                seq,
                number,
                ch,
                st,
                pm,
                total,
                paid,
                change,
                format!("[spos:{r}]"),
                contact,
                if contact.is_empty() { "" } else { "13800000000" },
                (ch == "COUNTER").then_some(1),
                (ch == "COUNTER").then_some("小王"),
                at,
                9 + id % 8,
                sync,
                left
            ],
        );
    }
    let lines: &[(i64, i64, i64, Option<i64>, &str, &str, Option<&str>, i64, i64, Option<&str>)] = &[
        (1, 1, 1, None, "农夫山泉550ml", "饮料", Some("bar"), 200, 3, None),
        (2, 1, 2, Some(1), "红烧牛肉面 大碗", "热食", Some("kitchen"), 2200, 1, Some("不要加辣椒")),
        (3, 1, 3, None, "冰红茶", "饮料", Some("bar"), 300, 1, None),
        (4, 1, 2, None, "红烧牛肉面", "热食", Some("kitchen"), 1800, 1, None),
        (5, 1, 2, None, "红烧牛肉面", "热食", Some("kitchen"), 1800, 2, Some("少汤")),
        (6, 1, 1, None, "农夫山泉550ml", "饮料", Some("bar"), 200, 1, None),
    ];
    for (o, n, p, s, name, cat, station, price, q, memo) in lines {
        x(
            "INSERT INTO order_lines VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![o, n, p, s, name, cat, station, price, q, price * q, memo],
        );
    }
    x(
        "INSERT INTO after_sales (id, client_ref, order_id, service_type, service_number, status, reason, refund_fen,
           created_by, created_at, business_day, sync_state)
         VALUES (1, '01a20e73-0000-7000-8000-0000000000a1', 5, 'RETURN', '1811201000000002-7', 'CREATED', '汤洒了',
           1800, 2, '2026-11-20T06:00:00.000Z', ?1, 'synced')",
        params![DAY],
    );
    x("INSERT INTO after_sales_lines VALUES (1, 'return', 1, 1, 2, NULL, '红烧牛肉面', 1, 1800)", params![]);
    for (at, actor, entity, r, action, before, after) in [
        ("2026-11-20T01:00:00.000Z", "system", "store", "1", "init", None, None),
        (
            "2026-11-20T02:11:00.000Z",
            "cashier#1",
            "order",
            "01a20e73-0000-7000-8000-000000000001",
            "create",
            None,
            Some("CREATED_PAY_PENDING"),
        ),
        (
            "2026-11-20T02:11:05.000Z",
            "cashier#1",
            "order",
            "01a20e73-0000-7000-8000-000000000001",
            "complete",
            Some("CREATED_PAY_PENDING"),
            Some("CLOSED_CONFIRMED"),
        ),
        (
            "2026-11-20T06:00:00.000Z",
            "clerk#2",
            "after_sales",
            "01a20e73-0000-7000-8000-0000000000a1",
            "create",
            None,
            Some("CREATED"),
        ),
    ] {
        x(
            "INSERT INTO journal (at, actor, entity, entity_ref, action, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![at, actor, entity, r, action, before, after],
        );
    }
    // (stream, op, payload, state, attempts, last_error)
    for (stream, op, payload, state, attempts, err) in [
        ("01a20e73-0000-7000-8000-000000000001", "create", "{}", "done", 1, None),
        (
            "01a20e73-0000-7000-8000-000000000001",
            "action",
            r#"{"action":"complete","expect":"CLOSED_CONFIRMED"}"#,
            "done",
            1,
            None,
        ),
        // Sent once, no answer: after 0006 it must be marked `unknown` (look up before resending).
        ("01a20e73-0000-7000-8000-000000000003", "create", "{}", "pending", 2, Some("timeout")),
        (
            "01a20e73-0000-7000-8000-000000000003",
            "action",
            r#"{"action":"cancel","expect":"CLOSED_CANCELED"}"#,
            "pending",
            0,
            None,
        ),
        // The platform stored it without a number: after 0006 it is `accepted`.
        (
            "01a20e73-0000-7000-8000-0000000000a1",
            "after_sales",
            "{}",
            "pending",
            1,
            Some("created on platform, number unknown"),
        ),
    ] {
        x(
            "INSERT INTO outbox (stream, op, payload, state, attempts, next_attempt_at, last_error, created_at, done_at)
             VALUES (?1, ?2, ?3, ?4, ?5, '2026-11-20T03:00:00.000Z', ?6, '2026-11-20T02:11:00.000Z', ?7)",
            params![stream, op, payload, state, attempts, err, (state == "done").then_some("2026-11-20T02:12:00.000Z")],
        );
    }
    for (printer, kind, key, r, state, attempts, printed) in [
        (
            "main",
            "receipt",
            "receipt:01a20e73-0000-7000-8000-000000000001:r1",
            Some("01a20e73-0000-7000-8000-000000000001"),
            "printed",
            1,
            Some("2026-11-20T02:11:06.000Z"),
        ),
        (
            "kitchen",
            "kitchen",
            "kitchen:01a20e73-0000-7000-8000-000000000002:1",
            Some("01a20e73-0000-7000-8000-000000000002"),
            "queued",
            0,
            None,
        ),
        (
            "bar",
            "kitchen",
            "kitchen:01a20e73-0000-7000-8000-000000000003:1",
            Some("01a20e73-0000-7000-8000-000000000003"),
            "uncertain",
            3,
            None,
        ),
    ] {
        x(
            "INSERT INTO print_jobs (printer_id, kind, dedupe_key, client_ref, payload, state, attempts, next_attempt_at,
               created_at, printed_at)
             VALUES (?1, ?2, ?3, ?4, '{\"template\":\"receipt\"}', ?5, ?6, '2026-11-20T02:11:06.000Z',
               '2026-11-20T02:11:06.000Z', ?7)",
            params![printer, kind, key, r, state, attempts, printed],
        );
    }
    if v < 2 {
        return;
    }
    // ---- version 2: shifts, cash moves, Z reports.
    x(
        "INSERT INTO shifts (id, till_code, business_day, opened_at, opened_by, opened_by_name, float_fen, closed_at,
           closed_by, manager_id, manager_name, counted_json, counted_fen, expected_fen, over_short_fen, z_report_id)
         VALUES (1, 'T1', ?1, '2026-11-20T01:00:00.000Z', 1, '小王', 20000, '2026-11-20T08:00:00.000Z', 1, 3, '老张',
           '{\"100\":2,\"0.5\":1}', 20050, 20600, -550, 1)",
        params![DAY],
    );
    x(
        "INSERT INTO shifts (id, till_code, business_day, opened_at, opened_by, opened_by_name, float_fen)
         VALUES (2, 'T1', ?1, '2026-11-20T08:05:00.000Z', 1, '小王', 20000)",
        params![DAY],
    );
    x("INSERT INTO cash_moves VALUES (1, 1, '2026-11-20T04:00:00.000Z', -1000, '买冰块', 1, '小王')", params![]);
    x("INSERT INTO cash_moves VALUES (2, 2, '2026-11-20T09:00:00.000Z', 5000, '补零钱', 3, '老张')", params![]);
    x(
        "INSERT INTO z_reports VALUES (1, 'shift', 1, 'T1', ?1, '2026-11-20T08:00:00.000Z', '老张', '{\"gross\":\"6.00\"}')",
        params![DAY],
    );
    if v < 3 {
        return;
    }
    // ---- version 3: a WeChat code shown for the unpaid counter order.
    x(
        "INSERT INTO wechat_codes VALUES (1, '01a20e73-0000-7000-8000-000000000002', '2611201015167051',
           'weixin://wxpay/bizpayurl?pr=Fixture1', '2026-11-20T02:15:00.000Z', '2026-11-20T02:17:00.000Z', 'expired'),
           (2, '01a20e73-0000-7000-8000-000000000002', '2611201015167051',
           'weixin://wxpay/bizpayurl?pr=Fixture2', '2026-11-20T02:18:00.000Z', '2026-11-20T02:20:00.000Z', 'live')",
        params![],
    );
    if v < 4 {
        return;
    }
    // ---- version 4: other channels.
    x(
        "INSERT INTO channel_orders VALUES ('mall', 'm-1001', 'M1001', 'ours', '01a20e73-0000-7000-8000-000000000001',
           'FINISHED', '已完成', 'CLOSED_CONFIRMED', NULL, 600, ?1, '2026-11-20T02:12:00.000Z',
           '2026-11-20T02:12:00.000Z', '{}', NULL),
         ('mall', 'm-2002', 'M2002', 'theirs', NULL, 'WAIT_SELLER', '待接单', NULL, NULL, 900, ?1,
           '2026-11-20T05:00:00.000Z', '2026-11-20T05:00:00.000Z', '{\"items\":1}', NULL)",
        params![DAY],
    );
    x(
        "INSERT INTO channel_health VALUES ('mall', 1, '2026-11-20T05:00:00.000Z', '2026-11-20T05:00:00.000Z', NULL, '{\"orders\":2}')",
        params![],
    );
    if v >= 8 {
        // A person's action on a channel's order, as versions before 0009 tagged it
        // ('action', the platform's own tag); from 0009 on it has its own tag.
        let tag = if v >= 9 { "channel_action" } else { "action" };
        x(
            "INSERT INTO outbox (channel, stream, op, payload, state, attempts, next_attempt_at, created_at)
             VALUES ('mall', 'm-2002', ?1, '{\"remote_id\":\"m-2002\",\"action\":{\"action\":\"accept\"}}',
               'pending', 0, '2026-11-20T05:01:00.000Z', '2026-11-20T05:01:00.000Z')",
            params![tag],
        );
    }
    let money = 1 + MIGRATIONS.iter().position(|(n, _)| *n == "0010_money_control").expect("0010_money_control");
    if v >= money {
        // A manager's approval of a drawer opening, used once.
        x(
            "INSERT INTO approvals (id, rule, subject, amount_fen, requested_by, approved_by, approved_by_name,
               created_at, expires_at, used_at, used_by)
             VALUES ('ap-1', 'drawer_open', '', 0, 'cashier#1', 3, '老张', '2026-11-20T03:00:00.000Z',
               '2026-11-20T03:03:00.000Z', '2026-11-20T03:01:00.000Z', 'cashier#1')",
            params![],
        );
    }
    // Found by name, not by number: branches merge their migrations in another order.
    let devices = 1 + MIGRATIONS.iter().position(|(n, _)| *n == "0011_devices").expect("0011_devices");
    if v >= devices {
        // One live and one revoked iPad.
        x(
            "INSERT INTO devices (name, credential_hash, paired_at, paired_by, last_seen_at, revoked_at, revoked_by) VALUES
             ('前台 iPad', 'aa', '2026-11-20T01:00:00.000Z', 'manager#3', '2026-11-20T05:00:00.000Z', NULL, NULL),
             ('旧 iPad', 'bb', '2026-11-19T01:00:00.000Z', 'manager#3', NULL, '2026-11-20T01:30:00.000Z', 'manager#3')",
            params![],
        );
    }
    let counter_day = 1 + MIGRATIONS.iter().position(|(n, _)| *n == "0012_counter_day").expect("0012_counter_day");
    if v >= counter_day {
        // A till's saved cart, a held cart, a sale's member and invoice title.
        x(
            "INSERT INTO cart_drafts (device, user_id, cart, pending_client_ref, updated_at)
             VALUES ('screen-1', 1, '{\"lines\":[]}', NULL, '2026-11-20T05:00:00.000Z')",
            params![],
        );
        x(
            "INSERT INTO held_carts (hold_ref, till_code, business_day, note, cart, total, items, held_by, held_at)
             VALUES ('h-1', 'T1', ?1, '穿红衣服的', '{\"lines\":[]}', '7.00', 2, 'cashier#1', '2026-11-20T05:00:00.000Z')",
            params![DAY],
        );
        x(
            "INSERT INTO sale_customers (client_ref, member_phone, member_name, invoice_title, updated_at)
             VALUES ('01a20e73-0000-7000-8000-000000000002', '13800000000', '王伟', NULL, '2026-11-20T05:00:00.000Z')",
            params![],
        );
    }
    if v >= money {
        // A sale with 抹零 (the columns 0010 added; 0013 indexes them).
        x(
            "UPDATE orders SET discount_fen = 50, discount_kind = 'moling' WHERE client_ref = '01a20e73-0000-7000-8000-000000000002'",
            params![],
        );
    }
    if v < 6 {
        return;
    }
    // ---- version 6 (5 added indexes only): the outbox's typed state, strays.
    x("UPDATE outbox SET failures = 2, conflict_kind = NULL WHERE attempts = 2", params![]);
    x(
        "INSERT INTO platform_strays VALUES (1, '01a20e73-0000-7000-8000-000000000002', '2611201015167051', 0,
           '[spos:someone-else]', '2026-11-20T02:16:00.000Z', NULL)",
        params![],
    );
    if v < 7 {
        return;
    }
    // ---- version 7: incremental catalog sync.
    x("UPDATE products SET sync_hash = 1234567 + id, spec_due = (id = 2)", params![]);
    if v < 8 {
        return;
    }
    // ---- version 8: after-sales the store handles itself, the platform's counts.
    x("UPDATE after_sales SET local_only = 1, local_reason = 'status_not_taken', refund_way = 'OTHERWAY', platform_mode = 'field'", params![]);
    x(
        "INSERT INTO platform_order_counts (store_id, fetched_at, total_price_fen, total, handle_pending, pick_pending, deliver_pending, delivering, closed, cancled, raw)
         VALUES ('1', '2026-11-20T10:00:00.000Z', 1230, 3, 0, 0, 0, 0, 2, 1, '{}')",
        params![],
    );
}

struct Upgraded {
    _dir: tempfile::TempDir,
    app: App,
    manager: String,
    /// The fixture as committed, untouched.
    before: Connection,
}

fn upgrade(version: usize) -> Upgraded {
    let src = fixture(version);
    assert!(src.exists(), "missing fixture {} (see the module docs)", src.display());
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&src, dir.path().join("storepos.db")).unwrap();
    let found: i64 = Connection::open(&src).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(found, version as i64, "{} is at schema {found}", src.display());
    let app = App::open(dir.path()).unwrap_or_else(|e| panic!("v{version}: the upgrade failed: {e}"));
    let before = Connection::open_with_flags(&src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    Upgraded { _dir: dir, app, manager: String::new(), before }
}

/// Logging in writes (a session, expired ones cleared): only after the rows were compared.
fn log_in(u: &mut Upgraded, v: usize) {
    u.manager = dispatch(&u.app, None, false, "session_login", json!({"username":"manager","pin":"9999"}))
        .unwrap_or_else(|e| panic!("v{v}: the manager cannot log in after the upgrade: {e:?}"))["token"]
        .as_str()
        .unwrap()
        .to_string();
}

fn call(u: &Upgraded, cmd: &str, req: Value) -> Value {
    dispatch(&u.app, Some(&u.manager), false, cmd, req).unwrap_or_else(|e| panic!("{cmd}: {e:?}"))
}

/// A table's rows restricted to `cols`, as text, in rowid (or key) order.
fn rows(c: &Connection, table: &str, cols: &[String]) -> Vec<String> {
    let list = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let mut st = c.prepare(&format!("SELECT {list} FROM \"{table}\" ORDER BY {list}")).unwrap();
    let n = st.column_count();
    let show = |v: rusqlite::types::ValueRef<'_>| match v {
        rusqlite::types::ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
        other => format!("{other:?}"),
    };
    st.query_map([], |r| Ok((0..n).map(|i| show(r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|")))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn columns(c: &Connection, table: &str) -> Vec<String> {
    let mut st = c.prepare(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid")).unwrap();
    st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn fresh_schema() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let l = Ledger::open(&dir.path().join("storepos.db")).unwrap();
    schema::describe(l.read())
}

#[test]
fn every_earlier_schema_version_has_a_fixture() {
    for v in earlier_versions() {
        let p = fixture(v);
        let size = std::fs::metadata(&p).unwrap_or_else(|_| panic!("no fixture for schema {v}: {}", p.display())).len();
        assert!(size < 200_000, "{}: {size} bytes; keep fixtures small", p.display());
    }
}

#[test]
fn every_fixture_upgrades_to_the_current_schema_with_its_rows() {
    let fresh = fresh_schema();
    for v in earlier_versions() {
        let mut u = upgrade(v);
        let ledger = u.app.ledger();
        let c = ledger.read();
        assert_eq!(ledger.integrity_check().unwrap(), "ok", "v{v}");
        let fk: Vec<String> = rows(c, "pragma_foreign_key_check", &["table".into(), "rowid".into()]);
        assert!(fk.is_empty(), "v{v}: foreign keys broken after the upgrade: {fk:?}");
        let version: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64, "v{v}");
        let got = schema::describe(c);
        assert!(
            got == fresh,
            "v{v}: upgraded schema differs from a fresh ledger's:\n{}",
            schema::difference(&got, &fresh)
        );

        // Every row of every table the fixture had, every column it had: unchanged.
        let mut st = u
            .before
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'products_fts%'")
            .unwrap();
        let tables: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert!(tables.len() >= 14, "v{v}: {tables:?}");
        for t in &tables {
            let cols = columns(&u.before, t);
            let mut old = rows(&u.before, t, &cols);
            assert!(!old.is_empty() || t == "sqlite_sequence", "v{v}: fixture table {t} is empty: fill it in populate");
            if t == "outbox" && v < 9 {
                // 0009's data step, the one change an upgrade makes to a row.
                for r in &mut old {
                    if !r.contains("|\"rest-store\"|") {
                        *r = r.replacen("|\"action\"|", "|\"channel_action\"|", 1);
                    }
                }
            }
            assert_eq!(rows(c, t, &cols), old, "v{v}: rows of {t} changed in the upgrade");
        }
        drop(st);
        drop(ledger);
        log_in(&mut u, v);
        check_through_commands(&u, v);
    }
}

/// What a manager sees after the upgrade: the fixture's orders, day, after-sales, jobs.
fn check_through_commands(u: &Upgraded, v: usize) {
    let list = call(u, "order_list", json!({"day": DAY, "limit": 50}));
    let refs: Vec<&str> =
        list["orders"].as_array().unwrap().iter().map(|o| o["client_ref"].as_str().unwrap()).collect();
    // Six orders, one of which (the rejected FLASH order) has left the store's lists.
    assert_eq!(list["total"], 5, "v{v}: {list}");
    assert!(!refs.contains(&"01a20e73-0000-7000-8000-000000000006"), "v{v}: {refs:?}");
    let first = call(u, "order_get", json!({"client_ref": "01a20e73-0000-7000-8000-000000000001"}));
    assert_eq!((first["status"].as_str(), first["total"].as_str()), (Some("CLOSED_CONFIRMED"), Some("6.00")), "v{v}");
    assert_eq!(first["lines"].as_array().map(Vec::len), Some(1), "v{v}: {first}");

    let day = call(u, "stats_day_get", json!({"day": DAY}));
    // Sales of the day: the closed counter sale (6.00); cancelled and unpaid ones are not gross.
    assert_eq!(day["by_status"]["CLOSED_CONFIRMED"], 1, "v{v}: {day}");
    assert_eq!(day["by_status"]["CLOSED_CANCELED"], 1, "v{v}: {day}");
    assert_eq!(day["cancelled"]["count"], 1, "v{v}: {day}");

    let services = call(u, "after_sales_list", json!({}));
    assert!(services.to_string().contains("1811201000000002-7"), "v{v}: {services}");
    let jobs = call(u, "print_job_list", json!({}));
    assert!(jobs.to_string().contains("uncertain"), "v{v}: {jobs}");
    // 0007 filled the trigram index from the products already there.
    let hits = call(u, "catalog_search", json!({"query": "牛肉面"}));
    assert!(hits.to_string().contains("红烧牛肉面"), "v{v}: {hits}");

    let ledger = u.app.ledger();
    let c = ledger.read();
    if v < 6 {
        // 0006's data step: a create that was sent and never answered may have landed.
        let (unknown, accepted): (i64, i64) = c
            .query_row("SELECT sum(unknown), sum(accepted) FROM outbox WHERE state != 'done'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((unknown, accepted), (2, 1), "v{v}: tried rows are unknown, the stored service accepted");
    }
    if v >= 2 {
        let zs = c.query_row("SELECT count(*) FROM z_reports", [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(zs, 1, "v{v}");
    }
    // 0009: a channel row's tag alone says what it is, and it decodes.
    let mut st = c.prepare("SELECT channel, op, payload FROM outbox WHERE channel <> 'rest-store'").unwrap();
    let ops: Vec<(String, String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    for (channel, op, payload) in &ops {
        let decoded = storepos::engine::outbox::Op::decode(op, &serde_json::from_str(payload).unwrap());
        assert!(decoded.is_ok(), "v{v}: {channel} {op} {payload}: {decoded:?}");
        assert_ne!(op, "action", "v{v}: {channel} still tagged {op}");
    }
    if v >= 8 {
        assert!(ops.iter().any(|(ch, op, _)| ch == "mall" && op == "channel_action"), "v{v}: {ops:?}");
    }
}

#[test]
fn a_ledger_from_a_newer_storepos_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("storepos.db");
    drop(Ledger::open(&path).unwrap());
    let newer = MIGRATIONS.len() as i64 + 1;
    let c = Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", newer).unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(c);
    let bytes = std::fs::read(&path).unwrap();
    match Ledger::open(&path) {
        Err(LedgerError::TooNew { found, known, .. }) => {
            assert_eq!((found, known), (newer, MIGRATIONS.len() as i64));
        }
        Err(e) => panic!("expected TooNew, got {e:?}"),
        Ok(_) => panic!("a newer ledger was opened"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file was changed");
    // Through the commands' error type: storage, saying what happened in both languages.
    let e = storepos::commands::CommandError::from(App::open(dir.path()).err().unwrap());
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["code"], "storage", "{v}");
    assert!(e.message_en.contains("newer storepos"), "{v}");
    assert!(e.message_zh.contains("新版本"), "{v}");
}
