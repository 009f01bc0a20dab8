//! The LAN listener's door: every `/api/*` request over the LAN carries a paired device's
//! credential (`X-Storepos-Device`, or `?device=` on the event stream, which an
//! EventSource cannot give headers). Without a live one the answer is 401
//! `device_unpaired` and the screen goes to pairing. Let through without one: the health
//! probe, `device_pair` itself and the customer display's two routes (their display token
//! is their credential). Also serves the store CA (`.crt`, iOS profile, a page with its
//! fingerprint) to anyone: it is public, and an iPad needs it before it can pair.

use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::api::{error_response, ServerState};
use super::lan::LanControl;
use super::listen::Via;
use crate::commands::lan::{CA_CERT_PATH, CA_PROFILE_PATH};
use crate::commands::{CommandError, ErrorCode};

/// Header carrying a paired device's credential.
pub const DEVICE_HEADER: &str = "x-storepos-device";

/// The paired device a LAN request came from (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceId(pub i64);

/// The answer that sends a screen to pairing.
pub fn unpaired() -> CommandError {
    CommandError::new(
        ErrorCode::DeviceUnpaired,
        "这台设备尚未配对或已被撤销，请在收银台「店长 → 局域网」扫码配对",
        "this device is not paired (or was revoked): pair it from the till's Manager → LAN",
    )
}

#[derive(Deserialize)]
struct DeviceQuery {
    device: Option<String>,
}

fn open_without_device(path: &str) -> bool {
    matches!(path, "/api/health" | "/api/device_pair" | "/api/display/state" | "/api/display/events")
}

/// The check itself (an `/api` layer). Loopback requests pass untouched.
pub(super) async fn device_guard(State(s): State<ServerState>, mut req: Request, next: Next) -> Response {
    let lan = req.extensions().get::<Via>().is_some_and(|v| v.lan);
    if !lan || open_without_device(req.uri().path()) {
        return next.run(req).await;
    }
    let presented: Option<String> = match req.headers().get(DEVICE_HEADER) {
        Some(v) => v.to_str().ok().map(str::to_string),
        None if req.uri().path() == "/api/events" => {
            Query::<DeviceQuery>::try_from_uri(req.uri()).ok().and_then(|q| q.0.device)
        }
        None => None,
    };
    let Some(credential) = presented.filter(|c| !c.is_empty() && c.len() <= 128) else {
        return error_response(unpaired());
    };
    let app = s.app.clone();
    let found =
        tokio::task::spawn_blocking(move || crate::commands::devices::device_for_credential(&app, &credential)).await;
    match found {
        Ok(Ok(Some(d))) => {
            req.extensions_mut().insert(DeviceId(d.id));
            next.run(req).await
        }
        Ok(Ok(None)) => error_response(unpaired()),
        Ok(Err(e)) => error_response(e),
        Err(e) => error_response(CommandError::new(ErrorCode::Internal, "内部错误", e.to_string())),
    }
}

/// `GET /lan/…`: the store CA for iPads (no credential: it is public).
pub(super) fn ca_router(lan: Arc<LanControl>) -> Router {
    Router::new()
        .route(CA_CERT_PATH, get(ca_cert))
        .route(CA_PROFILE_PATH, get(ca_profile))
        .route("/lan/ca", get(ca_page))
        .with_state(lan)
}

fn ca_unavailable(e: impl std::fmt::Display) -> Response {
    error_response(CommandError::new(ErrorCode::Storage, "门店根证书无法读取", format!("the store CA: {e}")))
}

fn download(body: Vec<u8>, mime: &'static str, name: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn ca_cert(State(lan): State<Arc<LanControl>>) -> Response {
    match lan.ca() {
        Ok(ca) => download(ca.der().to_vec(), "application/x-x509-ca-cert", "storepos-ca.crt"),
        Err(e) => ca_unavailable(e),
    }
}

async fn ca_profile(State(lan): State<Arc<LanControl>>) -> Response {
    match lan.ca() {
        Ok(ca) => download(
            ca.mobileconfig(&lan.store_name()).into_bytes(),
            "application/x-apple-aspen-config",
            "storepos-ca.mobileconfig",
        ),
        Err(e) => ca_unavailable(e),
    }
}

/// A page (no script, no inline style: the CSP allows neither) an iPad can open before it trusts anything: the fingerprint to
/// compare with the till's screen, the two downloads, the steps.
async fn ca_page(State(lan): State<Arc<LanControl>>) -> Response {
    let ca = match lan.ca() {
        Ok(ca) => ca,
        Err(e) => return ca_unavailable(e),
    };
    let fp = ca.fingerprint();
    let mut r = Html(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>storepos 门店根证书</title></head>
<body>
<h1>门店根证书 / Store CA</h1>
<p>SHA-256 指纹（与收银台「店长 → 局域网」上显示的一致才可安装）：</p>
<p><code><b>{fp}</b></code></p>
<ol>
<li><a href="{profile}">下载 iOS 描述文件（.mobileconfig）</a>，在「设置 → 已下载描述文件」中安装；</li>
<li>在「设置 → 通用 → 关于本机 → 证书信任设置」中打开对该证书的完全信任；</li>
<li>回到收银台扫描配对二维码。</li>
</ol>
<p>其他设备：<a href="{cert}">下载证书（.crt）</a>。 Other devices: download the certificate and trust it as a root.</p>
</body></html>
"#,
        profile = CA_PROFILE_PATH,
        cert = CA_CERT_PATH,
    ))
    .into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
