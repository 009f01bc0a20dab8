//! The log files of a real run (`storepos init`, `storepos serve --lan` with an iPad paired
//! over HTTPS, `storepos call`,
//! each a child process at `STOREPOS_LOG=trace`, against the simulator on loopback):
//! every secret the run handled is absent from every line, and the lines a helpdesk
//! needs are there (commands, request ids, one sale followed to the platform).
//!
//! Child processes, because a process has one global subscriber: the test binary cannot
//! install one per test, and the library never installs any.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use storepos_sim::{Mode, SimArgs};

const BIN: &str = env!("CARGO_BIN_EXE_storepos");

/// The platform account's password: distinctive, so finding it means it leaked.
const PLATFORM_PASSWORD: &str = "Pw-kumquat-5729-secret";
/// A PIN tried and refused (a wrong PIN must not be logged either).
const WRONG_PIN: &str = "864297";
/// A manager made in the test with a PIN no timestamp or id is likely to contain.
const NEW_PIN: &str = "730519";
/// The online customer's phone.
const PHONE: &str = "13987654321";

fn storepos() -> Command {
    let mut c = Command::new(BIN);
    c.env("STOREPOS_LOG", "trace");
    c
}

/// Lines of every log file, each without its timestamp (a timestamp's digits are not a
/// leak and could match a PIN by chance).
fn log_lines(data: &Path) -> Vec<String> {
    let dir = data.join("logs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no log folder {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the run wrote log files in {}", dir.display());
    files
        .iter()
        .flat_map(|f| std::fs::read_to_string(f).unwrap().lines().map(str::to_string).collect::<Vec<_>>())
        .map(|l| l.split_once(' ').map(|(_, rest)| rest.to_string()).unwrap_or(l))
        .collect()
}

/// `secret` appears in `line` as itself (for a number: not inside a longer number).
fn leaks(line: &str, secret: &str) -> bool {
    let digits = secret.bytes().all(|b| b.is_ascii_digit());
    line.match_indices(secret).any(|(i, _)| {
        if !digits {
            return true;
        }
        let before = line[..i].bytes().last();
        let after = line[i + secret.len()..].bytes().next();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}

#[test]
fn leak_check_finds_what_it_looks_for() {
    // The check itself must be able to fail: a planted secret is found, a longer number
    // that merely contains a PIN is not.
    assert!(leaks(r#"cmd{name="session_login"}: request pin="730519""#, "730519"));
    assert!(leaks("token=abcdef0123", "abcdef0123"));
    assert!(!leaks("order_number=2611250730519004", "730519"));
}

#[test]
fn the_library_installs_no_subscriber() {
    // Apps opened and commands run in this process (as every other test here does) leave
    // the global subscriber alone: only the binaries install one.
    let dir = tempfile::tempdir().unwrap();
    let app =
        storepos::services::setup::init_store(dir.path(), &storepos::services::setup::InitOptions::default()).unwrap();
    let r = storepos::commands::dispatch(
        &app,
        None,
        false,
        "session_login",
        json!({ "username": "manager", "pin": "9999" }),
    );
    assert!(r.is_ok(), "{r:?}");
    assert!(!tracing::dispatcher::has_been_set(), "library code installed a global subscriber");
    assert!(!dir.path().join("logs").exists(), "no log folder without a subscriber");
}

struct Serve {
    child: Child,
    url: String,
    /// The LAN listener (HTTPS, paired devices), on loopback.
    lan: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path) -> Serve {
    let mut child = storepos()
        .args(["serve", "--listen", "127.0.0.1:0", "--lan", "--lan-listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn storepos serve");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).expect("first line");
    let mut lan_line = String::new();
    out.read_line(&mut lan_line).expect("second line");
    let lan = lan_line.split_whitespace().nth(2).unwrap_or_else(|| panic!("the LAN line: {lan_line:?}")).to_string();
    let url = line
        .trim()
        .strip_prefix("storepos serve listening on ")
        .unwrap_or_else(|| panic!("first line names the address: {line:?}"))
        .to_string();
    Serve { child, url, lan }
}

struct Http<'a> {
    s: &'a Serve,
    c: reqwest::Client,
}

impl Http<'_> {
    async fn call(&self, session: Option<&str>, req_id: Option<&str>, name: &str, body: Value) -> (Value, String) {
        let mut rb = self.c.post(format!("{}/api/{name}", self.s.url)).json(&body);
        if let Some(t) = session {
            rb = rb.header("x-storepos-session", t);
        }
        if let Some(id) = req_id {
            rb = rb.header("x-request-id", id);
        }
        let r = rb.send().await.unwrap();
        let id = r.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(!id.is_empty(), "{name}: every answer carries its request id");
        (r.json().await.unwrap(), id)
    }

    async fn ok(&self, session: Option<&str>, name: &str, body: Value) -> Value {
        let (v, _) = self.call(session, None, name, body).await;
        assert_eq!(v["ok"], true, "{name}: {v}");
        v["data"].clone()
    }

    async fn login(&self, user: &str, pin: &str) -> String {
        self.ok(None, "session_login", json!({ "username": user, "pin": pin })).await["token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_run_logs_no_secret_and_follows_a_sale() {
    // Field mode hands one live token per account: logging in again below returns the
    // very token the till's engine uses, so the test knows it.
    let sim = storepos_sim::start(SimArgs { mode: Mode::Field, deadlock_rate: Some(0.0), ..SimArgs::default() })
        .await
        .unwrap();
    let base = sim.base_url();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let add = |u: &str, id: u64| {
        http.post(format!("{base}/sim/accounts"))
            .json(&json!({ "username": u, "password": PLATFORM_PASSWORD, "user_id": id }))
    };
    let r: Value = add("logtill", 9301).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["status_code"], 0, "{r}");
    // An online order with the customer's phone, there before the till starts: its first
    // round pulls it.
    let r: Value = http
        .post(format!("{base}/sim/online-order"))
        .json(&json!({ "delivery_type": "SELF_PICK", "items": [{ "product_id": 101, "quantity": 1 }],
                       "contact_user": "王伟", "phone": PHONE, "remark": "到店自取" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status_code"], 0, "{r}");

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let out = storepos()
        .args(["init", "--data"])
        .arg(&data)
        .args(["--central", &base, "--username", "logtill", "--password", PLATFORM_PASSWORD])
        .output()
        .unwrap();
    assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));

    let s = serve(&data);
    let h = Http { s: &s, c: reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap() };
    let mut secrets: Vec<(String, &str)> = vec![
        (PLATFORM_PASSWORD.into(), "platform password"),
        (WRONG_PIN.into(), "wrong PIN"),
        (NEW_PIN.into(), "new PIN"),
        ("9999".into(), "manager PIN"),
        ("2222".into(), "clerk PIN"),
        (PHONE.into(), "customer phone"),
    ];

    let manager = h.login("manager", "9999").await;
    let clerk = h.login("clerk", "2222").await;
    // A refused PIN, and a PIN typed into the user name field.
    let (v, _) = h.call(None, None, "session_login", json!({ "username": "cashier", "pin": WRONG_PIN })).await;
    assert_eq!(v["error"]["code"], "unauthenticated", "{v}");
    let (v, _) = h.call(None, None, "session_login", json!({ "username": NEW_PIN, "pin": WRONG_PIN })).await;
    assert_eq!(v["error"]["code"], "unauthenticated", "{v}");
    h.ok(
        Some(&manager),
        "user_create",
        json!({ "username": "boss2", "display_name": "老李", "role": "manager", "pin": NEW_PIN }),
    )
    .await;
    let boss = h.login("boss2", NEW_PIN).await;
    secrets.extend([(manager.clone(), "manager session"), (clerk.clone(), "clerk session"), (boss.clone(), "session")]);

    // An iPad pairs over the LAN (HTTPS, the store CA pinned) and makes a request with its
    // credential: neither the one-time code nor the credential may reach a log line.
    let code = h.ok(Some(&manager), "device_pairing_start", json!({})).await["code"].as_str().unwrap().to_string();
    let ca = std::fs::read(data.join("lan-ca.crt")).unwrap();
    let ipad = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let paired: Value = ipad
        .post(format!("{}/api/device_pair", s.lan))
        .json(&json!({ "code": code, "name": "iPad" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let credential = paired["data"]["credential"].as_str().unwrap_or_else(|| panic!("{paired}")).to_string();
    let r = ipad
        .post(format!("{}/api/user_list", s.lan))
        .header("x-storepos-device", &credential)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the paired iPad is served");
    // Its event stream carries the credential in the query (an EventSource sets no headers).
    let es = ipad.get(format!("{}/api/events?session={clerk}&device={credential}", s.lan)).send().await.unwrap();
    assert_eq!(es.status(), 200);
    drop(es);
    secrets.extend([(code, "pairing code"), (credential, "device credential")]);

    // The sale, with our own request id, followed below to the platform.
    let products = h.ok(Some(&boss), "catalog_product_list", json!({})).await;
    let pid = products[0]["id"].clone();
    assert!(pid.is_i64(), "a product to sell: {products}");
    let (sale, sale_req) = h
        .call(
            Some(&boss),
            Some("it-sale-0001"),
            "sale_create",
            json!({ "lines": [{ "product_id": pid, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(sale["ok"], true, "{sale}");
    assert_eq!(sale_req, "it-sale-0001", "a sane incoming request id is kept");
    let client_ref = sale["data"]["client_ref"].as_str().unwrap().to_string();
    let total = sale["data"]["total"].as_str().unwrap().to_string();
    h.ok(Some(&boss), "shift_open", json!({ "float": "0" })).await;
    h.ok(Some(&boss), "sale_cash_pay", json!({ "client_ref": client_ref, "tendered": total })).await;
    // An id with spaces and braces is replaced, not written into the log.
    let (_, replaced) = h.call(Some(&boss), Some("evil id} INFO fake"), "session_get", json!({})).await;
    assert!(!replaced.contains(' ') && replaced.len() == 12, "a new id for an insane one: {replaced:?}");

    // The customer display's token and the event stream's tokens travel in queries.
    let pair = h.ok(Some(&boss), "display_pair", json!({})).await;
    let display = pair["token"].as_str().unwrap().to_string();
    secrets.push((display.clone(), "display token"));
    let r = h.c.get(format!("{}/api/display/state?token={display}", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let events = h.c.get(format!("{}/api/events?session={clerk}", s.url)).send().await.unwrap();
    assert_eq!(events.status(), 200);
    drop(events);

    // Wait for the engine: the sale reaches the platform, the online order reaches the till.
    let started = Instant::now();
    let (number, online) = loop {
        let o = h.ok(Some(&boss), "order_get", json!({ "client_ref": client_ref })).await;
        let found = h.ok(Some(&clerk), "order_list", json!({ "text": PHONE })).await;
        let n = found.as_array().or_else(|| found["orders"].as_array()).map(|a| a.len()).unwrap_or(0);
        if let (Some(number), true) = (o["order_number"].as_str(), n > 0) {
            break (number.to_string(), found);
        }
        assert!(started.elapsed() < Duration::from_secs(60), "sync within a minute: {o} / {found}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = online;
    // The platform's token for this account (field mode: the live one, the till's).
    let r: Value = http
        .post(format!("{base}/rest/login"))
        .json(&json!({ "username": "logtill", "password": PLATFORM_PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let platform_token = r["data"]["access_token"].as_str().expect("platform token").to_string();
    secrets.push((platform_token, "platform token"));

    // The CLI transport with a PIN on its command line logs too.
    let out = storepos()
        .args(["call", "session_get", "--user", "boss2", "--pin", NEW_PIN, "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "call: {}", String::from_utf8_lossy(&out.stderr));

    // The manager's export holds the same story.
    let export = h.ok(Some(&boss), "log_export", json!({ "days": 1 })).await;
    let text = export["text"].as_str().unwrap();
    assert!(text.contains("it-sale-0001"), "the export holds today's lines");
    assert!(data.join("exports").join(export["file_name"].as_str().unwrap()).is_file());
    let (v, _) = h.call(Some(&clerk), None, "log_export", json!({})).await;
    assert_eq!(v["error"]["code"], "forbidden", "{v}");

    drop(s);
    sim.shutdown().await;

    let lines = log_lines(&data);
    for (secret, what) in &secrets {
        let hits: Vec<&String> = lines.iter().filter(|l| leaks(l, secret)).take(3).collect();
        assert!(hits.is_empty(), "the {what} is in the log: {hits:#?}");
    }
    let export_file =
        std::fs::read_to_string(data.join("exports").join(export["file_name"].as_str().unwrap())).unwrap();
    for (secret, what) in &secrets {
        assert!(!leaks(&export_file, secret), "the {what} is in the export");
    }

    // What must be there: startup, commands with their request ids, the sale from the
    // request to the platform's number.
    let has = |needle: &[&str]| lines.iter().any(|l| needle.iter().all(|n| l.contains(n)));
    assert!(has(&["storepos starting", "mode=\"serve\""]), "startup line");
    assert!(has(&["store opened", "schema="]), "store line");
    assert!(
        has(&["http{req=it-sale-0001}", "cmd{name=\"sale_create\"", "sale recorded", &client_ref]),
        "the sale under its request id"
    );
    assert!(has(&["http{req=", "cmd{name=\"session_login\"", "command ok"]), "logins at debug");
    assert!(
        has(&["cmd{name=\"session_login\"", "command refused", "code=unauthenticated"]),
        "the refused PIN, by code"
    );
    assert!(
        has(&["op{", &format!("client_ref={client_ref}"), "platform call", "POST", "/rest/store/order"]),
        "the create sent"
    );
    assert!(has(&[&format!("client_ref={client_ref}"), "platform number adopted", &number]), "the number adopted");
    assert!(has(&["platform login", "username=logtill"]), "the platform login, without its password");
    assert!(has(&["storepos starting", "mode=\"call\""]), "the CLI's start");
    assert!(has(&["cmd{name=\"session_get\" user=\"boss2#", "command ok"]), "the CLI's command");
    assert!(has(&["path=/api/display/state", "status=200"]), "the display route, without its query");
    assert!(!lines.iter().any(|l| l.contains("INFO fake")), "a client's id cannot forge a log line");
}
