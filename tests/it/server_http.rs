//! `storepos serve` end to end: a real server on 127.0.0.1:0 over a real ledger in a
//! temp dir, reqwest as the client, over the loopback listener (plain HTTP). The LAN
//! listener (HTTPS, paired devices) is tested in `lan_tls`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use storepos::services::setup::{init_store, InitOptions};
use storepos::transports::server::{self, ServeOptions, ServerHandle};
use tempfile::TempDir;

async fn start(lan: bool, ui_dir: Option<std::path::PathBuf>) -> (TempDir, ServerHandle) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || init_store(&path, &InitOptions::default()).map(drop))
        .await
        .unwrap()
        .expect("init store");
    let mut opts = ServeOptions::loopback(dir.path());
    opts.lan = lan;
    // A dir without index.html: the "UI not built" page, unless a test brings its own.
    opts.ui_dir = Some(ui_dir.unwrap_or_else(|| dir.path().join("no-ui")));
    let h = server::serve(opts).await.expect("serve");
    (dir, h)
}

struct Client {
    http: reqwest::Client,
    base: String,
    session: Option<String>,
}

impl Client {
    fn new(h: &ServerHandle) -> Client {
        Client { http: reqwest::Client::new(), base: h.url(), session: None }
    }

    async fn raw(&self, command: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let mut rb = self
            .http
            .post(format!("{}/api/{command}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = &self.session {
            rb = rb.header("X-Storepos-Session", s);
        }
        let r = rb.send().await.expect("request");
        let status = r.status();
        let v: Value = r.json().await.expect("every /api answer is JSON");
        (status, v)
    }

    async fn call(&self, command: &str, req: Value) -> (StatusCode, Value) {
        self.raw(command, req.to_string()).await
    }

    async fn ok(&self, command: &str, req: Value) -> Value {
        let (s, v) = self.call(command, req).await;
        assert_eq!(s, StatusCode::OK, "{command} should succeed: {v}");
        assert_eq!(v["ok"], true, "success envelope: {v}");
        v["data"].clone()
    }

    async fn login(&mut self, user: &str, pin: &str) {
        let d = self.ok("session_login", json!({ "username": user, "pin": pin })).await;
        self.session = Some(d["token"].as_str().expect("token").to_string());
    }
}

fn assert_typed(status: StatusCode, v: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status.as_u16(), want_status, "status for {want_code}: {v}");
    assert_eq!(v["ok"], false, "error envelope: {v}");
    assert_eq!(v["error"]["code"], want_code, "typed code: {v}");
    assert!(v["error"]["message_zh"].as_str().is_some_and(|s| !s.is_empty()), "a Chinese message for people: {v}");
    assert!(v["error"]["message_en"].as_str().is_some_and(|s| !s.is_empty()), "an English message: {v}");
}

async fn ring_up_one(c: &Client) -> Value {
    let products = c.ok("catalog_product_list", json!({})).await;
    let p = &products.as_array().expect("product list")[0];
    let order = c.ok("sale_create", json!({ "lines": [{ "product_id": p["id"], "quantity": 1 }] })).await;
    assert_eq!(order["status"], "CREATED_PAY_PENDING", "a new counter sale waits for payment: {order}");
    order
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sale_and_cash_payment_over_http() {
    let (_dir, h) = start(false, None).await;
    let mut c = Client::new(&h);
    let users = c.ok("user_list", json!({})).await;
    assert!(users.as_array().is_some_and(|u| u.len() >= 3), "the login screen lists the demo users: {users}");
    c.login("cashier", "1111").await;
    let order = ring_up_one(&c).await;
    c.ok("shift_open", json!({ "float": "0" })).await;
    let paid = c.ok("sale_cash_pay", json!({ "client_ref": order["client_ref"], "tendered": "100.00" })).await;
    assert_eq!(paid["order"]["status"], "CLOSED_CONFIRMED", "cash received completes a counter sale: {paid}");
    let list = c.ok("order_list", json!({})).await;
    assert!(
        list["orders"].as_array().unwrap().iter().any(|o| o["client_ref"] == order["client_ref"]),
        "today's orders show the sale: {list}"
    );
    h.shutdown().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_typed_with_their_status() {
    let (_dir, h) = start(false, None).await;
    let mut c = Client::new(&h);

    let (s, v) = c.call("no_such_command", json!({})).await;
    assert_typed(s, &v, 404, "unknown_command");
    let (s, v) = c.raw("session_login", "{\"username\": ").await;
    assert_typed(s, &v, 400, "bad_request");
    let (s, v) = c.call("sale_create", json!({ "lines": [] })).await;
    assert_typed(s, &v, 401, "unauthenticated");
    let big = format!("{{\"query\":\"{}\"}}", "x".repeat(300 * 1024));
    let (s, v) = c.raw("catalog_search", big.clone()).await;
    assert_typed(s, &v, 413, "too_large");
    // The unread body ends the connection: the answer says so, or a pooled client's
    // next request would go into a closing socket (a flake seen in CI).
    let r = c
        .http
        .post(format!("{}/api/catalog_search", c.base))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers().get("connection").and_then(|v| v.to_str().ok()), Some("close"));

    c.login("cashier", "1111").await;
    let (s, v) = c.call("journal_list", json!({})).await;
    assert_typed(s, &v, 403, "forbidden");
    let (s, v) = c.call("sale_create", json!({ "lines": [{ "product_id": 999999, "quantity": 1 }] })).await;
    assert_typed(s, &v, 404, "not_found");

    // Wrong method and unknown paths under /api are typed too, never the SPA page.
    let r = c.http.get(format!("{}/api/session_login", c.base)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = c.http.get(format!("{}/api/a/b", c.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "unknown_command");
    // A form post (no CORS preflight in browsers) is refused.
    let r = c
        .http
        .post(format!("{}/api/user_list", c.base))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    h.shutdown().await.unwrap();
}

/// Reads the SSE body until `needle` shows up or the deadline passes.
async fn read_until(resp: &mut reqwest::Response, needle: &str, within: Duration) -> String {
    let mut seen = String::new();
    let deadline = Instant::now() + within;
    while !seen.contains(needle) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, resp.chunk()).await {
            Ok(Ok(Some(b))) => seen.push_str(&String::from_utf8_lossy(&b)),
            _ => break,
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stream_an_order_change_after_a_sale() {
    let (_dir, h) = start(false, None).await;
    let mut c = Client::new(&h);
    let r = c.http.get(format!("{}/api/events", c.base)).send().await.unwrap();
    assert_eq!(r.status(), 401, "the event stream needs a session");
    let r = c.http.get(format!("{}/api/events?session=forged", c.base)).send().await.unwrap();
    assert_eq!(r.status(), 401, "a forged session is refused");

    c.login("cashier", "1111").await;
    let mut es =
        c.http.get(format!("{}/api/events?session={}", c.base, c.session.as_deref().unwrap())).send().await.unwrap();
    assert_eq!(es.status(), 200);
    assert!(es.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let order = ring_up_one(&c).await;
    let seen = read_until(&mut es, order["client_ref"].as_str().unwrap(), Duration::from_secs(10)).await;
    assert!(seen.contains("event: order_changed"), "named SSE event: {seen}");
    let data = seen.lines().find(|l| l.starts_with("data:") && l.contains("order_changed")).expect("a data line");
    let ev: Value = serde_json::from_str(data.trim_start_matches("data:").trim()).unwrap();
    assert_eq!(ev["type"], "order_changed");
    assert_eq!(ev["client_ref"], order["client_ref"]);
    // Shutdown must not hang on the open stream.
    tokio::time::timeout(Duration::from_secs(10), h.shutdown())
        .await
        .expect("shutdown ends open event streams")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_and_host_origin_guard() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(ui.path().join("index.html"), "<!doctype html><div id=app>SPA</div>").unwrap();
    std::fs::create_dir(ui.path().join("assets")).unwrap();
    std::fs::write(ui.path().join("assets/app.js"), "console.log(1)").unwrap();
    let (_dir, h) = start(false, Some(ui.path().to_path_buf())).await;
    let http = reqwest::Client::new();
    let base = h.url();

    for path in ["/", "/orders/today", "/assets/app.js", "/api/health"] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let csp = r.headers().get("content-security-policy").expect("CSP on every response").to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("object-src 'none'"),
            "{csp}"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    }
    let page = http.get(format!("{base}/orders/today")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("SPA"), "deep links fall back to index.html: {page}");
    let health: Value = http.get(format!("{base}/api/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["data"]["version"], env!("CARGO_PKG_VERSION"));

    let r = http.get(format!("{base}/api/health")).header("host", "evil.example").send().await.unwrap();
    assert_eq!(r.status(), 403, "DNS rebinding: a foreign Host is refused");
    assert!(r.headers().contains_key("content-security-policy"), "refusals carry the headers too");
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    let r = http.get(format!("{base}/")).header("host", "evil.example:80").send().await.unwrap();
    assert_eq!(r.status(), 403, "the UI is guarded too");
    let r = http
        .post(format!("{base}/api/user_list"))
        .header("origin", "http://evil.example")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a cross-site Origin is refused");
    let r = http
        .post(format!("{base}/api/user_list"))
        .header("origin", base.clone())
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "same origin is fine");
    let r = http.get(format!("{base}/api/health")).header("host", "localhost").send().await.unwrap();
    assert_eq!(r.status(), 200, "localhost is loopback");
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_ui_serves_a_how_to_build_page() {
    let (_dir, h) = start(false, None).await;
    let r = reqwest::get(format!("{}/", h.url())).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("content-security-policy"));
    let body = r.text().await.unwrap();
    assert!(body.contains("npm run build"), "tells how to build the UI: {body}");
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lan_status_off_and_non_loopback_needs_lan() {
    let (dir, h) = start(false, None).await;
    let mut c = Client::new(&h);
    c.login("manager", "9999").await;
    let st = c.ok("lan_status_get", json!({})).await;
    assert_eq!(st["enabled"], false, "{st}");
    assert_eq!(st["switchable"], true, "storepos serve can open the LAN: {st}");
    assert!(st.get("url").is_none(), "no address while off: {st}");
    assert!(
        st["ca_fingerprint"].as_str().is_some_and(|f| f.len() == 95),
        "init made the store CA, its fingerprint is shown before any LAN start: {st}"
    );
    h.shutdown().await.unwrap();
    // Plain HTTP is refused on a non-loopback address before binding (the LAN listener
    // speaks HTTPS only).
    let mut opts = ServeOptions::loopback(dir.path());
    opts.listen = "0.0.0.0:0".parse().unwrap();
    assert!(matches!(server::serve(opts).await, Err(server::ServeError::NotLoopback(_))));
}

#[test]
fn serve_process_start_to_first_answer() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    init_store(dir.path(), &InitOptions::default()).expect("init");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_storepos"))
        .args(["serve", "--data"])
        .arg(dir.path())
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn storepos serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("first line");
    let printed = started.elapsed();
    let url = line
        .trim()
        .strip_prefix("storepos serve listening on ")
        .unwrap_or_else(|| panic!("first line names the address: {line:?}"))
        .to_string();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let answered = rt.block_on(async {
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(format!("{url}/api/health")).send().await {
                if r.status() == 200 {
                    return started.elapsed();
                }
            }
            assert!(started.elapsed() < Duration::from_secs(30), "serve answers within 30 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    let _ = child.kill();
    let _ = child.wait();
    eprintln!(
        "storepos serve: listening line after {} ms, first /api/health answer after {} ms",
        printed.as_millis(),
        answered.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_of_the_table_is_routed() {
    // One table, every transport: no command may be missing from HTTP. Without a session
    // each answers its own result or a typed error, never `unknown_command`.
    let (_dir, h) = start(false, None).await;
    let c = Client::new(&h);
    for name in storepos::commands::names() {
        let (s, v) = c.call(name, json!({})).await;
        assert_ne!(v["error"]["code"], "unknown_command", "{name} is routed ({s}): {v}");
    }
    h.shutdown().await.unwrap();
}
