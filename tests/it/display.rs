//! The customer display over HTTP: the till publishes, the paired display reads (state and
//! SSE), and the display's token opens nothing else — every command of the table refuses
//! it (the ledger is unchanged after trying them all), and so does the session event stream.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use storepos::commands::{find, names, Access};
use storepos::services::setup::{init_store, InitOptions};
use storepos::transports::server::{self, ServeOptions, ServerHandle};

use crate::support::fingerprint::{self, Fingerprint};

async fn start() -> (tempfile::TempDir, ServerHandle) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || init_store(&path, &InitOptions::default()).map(drop)).await.unwrap().unwrap();
    let mut opts = ServeOptions::loopback(dir.path());
    opts.ui_dir = Some(dir.path().join("no-ui"));
    (dir, server::serve(opts).await.unwrap())
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    session: Option<&str>,
    cmd: &str,
    body: Value,
) -> (StatusCode, Value) {
    let mut rb =
        http.post(format!("{base}/api/{cmd}")).header("content-type", "application/json").body(body.to_string());
    if let Some(s) = session {
        rb = rb.header("X-Storepos-Session", s);
    }
    let r = rb.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

/// Every table's rows, every column (`support::fingerprint`); a missing table cannot hide.
fn ledger_content(dir: &std::path::Path) -> Fingerprint {
    fingerprint::of_dir(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn display_follows_the_till_and_its_token_opens_nothing_else() {
    let (dir, h) = start().await;
    let base = h.url();
    let http = reqwest::Client::new();
    let (_, v) = call(&http, &base, None, "session_login", json!({"username":"cashier","pin":"1111"})).await;
    let cashier = v["data"]["token"].as_str().unwrap().to_string();

    // Not paired yet: nothing opens the display routes.
    let r = http.get(format!("{base}/api/display/state?token=abc")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let (s, v) = call(&http, &base, Some(&cashier), "display_pair", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["data"]["token"].as_str().unwrap().to_string();
    assert!(v["data"]["path"].as_str().unwrap().starts_with("/display?token="));

    // The cashier's session token is not a display token either.
    let r = http.get(format!("{base}/api/display/state?token={cashier}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // The event stream sends the current state at once, then every change.
    let sse = http.get(format!("{base}/api/display/events?token={token}")).send().await.unwrap();
    assert_eq!(sse.status(), StatusCode::OK);
    let mut body = sse;
    let mut buf = String::new();
    let mut next_event = async || -> Value {
        loop {
            if let Some(i) = buf.find("\n\n") {
                let block: String = buf.drain(..i + 2).collect();
                if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                    return serde_json::from_str(data.trim()).unwrap();
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), body.chunk())
                .await
                .expect("an event within 10 s")
                .unwrap()
                .unwrap();
            buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    };
    let first = next_event().await;
    assert_eq!(first["state"]["phase"], "idle");

    let cart = json!({"phase":"cart","lines":[{"name":"珍珠奶茶","spec":"大杯","quantity":2,"unit_price":"12.00","line_total":"24.00"}],"total":"24.00"});
    let (s, v) = call(&http, &base, Some(&cashier), "display_update", cart).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ev = next_event().await;
    assert_eq!(ev["state"]["phase"], "cart");
    assert_eq!(ev["state"]["lines"][0]["name"], "珍珠奶茶");
    assert_eq!(ev["state"]["total"], "24.00");
    assert_eq!(ev["till_code"], "T1");

    let code = "weixin://wxpay/bizpayurl?pr=Test123";
    let (s, _) =
        call(&http, &base, Some(&cashier), "display_update", json!({"phase":"wechat","total":"24.00","code_url":code}))
            .await;
    assert_eq!(s, StatusCode::OK);
    let ev = next_event().await;
    assert_eq!(ev["state"]["code_url"], code);
    assert!(ev["qr_svg"].as_str().unwrap().starts_with("<?xml") || ev["qr_svg"].as_str().unwrap().contains("<svg"));

    // Garbage is refused, typed: a non-WeChat URL, a wechat phase without a code.
    let (s, v) = call(
        &http,
        &base,
        Some(&cashier),
        "display_update",
        json!({"phase":"wechat","code_url":"javascript:alert(1)"}),
    )
    .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation")));
    let (s, _) = call(&http, &base, Some(&cashier), "display_update", json!({"phase":"wechat"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let r: Value =
        http.get(format!("{base}/api/display/state?token={token}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["data"]["state"]["phase"], "wechat");

    // The display's token is refused by every command that needs a session, and the ledger
    // is exactly as it was after trying them all.
    let before = ledger_content(dir.path());
    let mut refused = 0;
    for name in names() {
        let (s, v) = call(&http, &base, Some(&token), name, json!({})).await;
        match find(name).unwrap().access {
            Access::Public => assert_ne!(name, "display_update"),
            _ => {
                assert_eq!(s, StatusCode::UNAUTHORIZED, "{name} accepted the display token: {v}");
                assert_eq!(v["error"]["code"], "unauthenticated");
                refused += 1;
            }
        }
    }
    assert!(refused > 40, "only {refused} commands tried");
    // Public commands (the login screen) with the display token change nothing either
    // beyond what they do for anyone: list_users reads, login with no body is refused.
    assert_eq!(ledger_content(dir.path()), before, "a command changed the ledger for the display token");
    // Nor does it open the till's own event stream.
    let r = http.get(format!("{base}/api/events?session={token}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Pairing again retires the old token.
    let (_, v) = call(&http, &base, Some(&cashier), "display_pair", json!({})).await;
    let newer = v["data"]["token"].as_str().unwrap().to_string();
    assert_eq!(
        http.get(format!("{base}/api/display/state?token={token}")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        http.get(format!("{base}/api/display/state?token={newer}")).send().await.unwrap().status(),
        StatusCode::OK
    );
    drop(body);
    h.shutdown().await.unwrap();
}
