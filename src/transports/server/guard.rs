//! Response headers every answer carries, and the Host/Origin check that keeps web
//! pages on other sites (and DNS-rebinding tricks) away from the till's API.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use super::listen::Via;
use crate::commands::{CommandError, ErrorCode};

/// The page may load only its own scripts, styles and data; no plugins, no framing.
/// `'wasm-unsafe-eval'` lets it compile WebAssembly — the bundled barcode reader of camera
/// scanning (`ui/src/camera-scan.ts`) — and allows no `eval` and no inline script. The same
/// policy is in `tauri.conf.json` and the page's own meta tag (`ui/vite.config.ts`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the strict headers to every response (API, UI, errors alike).
pub async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

/// Which hosts the server answers to.
#[derive(Debug, Clone, Copy)]
pub struct HostPolicy {
    /// The LAN listener: IP-literal hosts are fine too (iPads open `https://192.168.x.y:port`).
    pub lan: bool,
}

/// The host part of a `Host` header value or an origin's authority: `a:1` → `a`,
/// `[::1]:1` → `::1`.
fn host_only(authority: &str) -> &str {
    let a = authority.trim();
    if let Some(rest) = a.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match a.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => a,
    }
}

/// `localhost`, `*.localhost`, 127.0.0.0/8, ::1.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h == "localhost" || h.ends_with(".localhost") {
        return true;
    }
    h.parse::<IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

fn host_allowed(policy: HostPolicy, host: &str) -> bool {
    // A DNS-rebinding page reaches us under *its* name (Host: evil.example): names other
    // than localhost are refused. In LAN mode an IP literal is how iPads reach the till.
    is_loopback_host(host) || (policy.lan && host.parse::<IpAddr>().is_ok())
}

/// The authority of an `Origin` header (`http://a:1` → `a:1`); `None` for `null` or junk.
fn origin_authority(origin: &str) -> Option<&str> {
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"))?;
    Some(rest.split('/').next().unwrap_or(rest))
}

fn refused(what_zh: &str, what_en: &str) -> Response {
    super::api::error_response(CommandError::new(
        ErrorCode::Forbidden,
        format!("拒绝访问：{what_zh}"),
        format!("refused: {what_en}"),
    ))
}

/// Refuses requests whose `Host` is not one this server answers to, whose `Origin` is
/// another site, or (on the loopback listener) that come from a non-loopback peer. The
/// listener a request came by is its [`Via`] extension (none: loopback rules).
pub async fn host_origin_guard(req: Request, next: Next) -> Response {
    let policy = HostPolicy { lan: req.extensions().get::<Via>().is_some_and(|v| v.lan) };
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if !policy.lan && peer.is_some_and(|p| !p.ip().is_loopback()) {
        return refused("只接受本机访问", "only loopback peers are served");
    }
    let host = req
        .headers()
        .get(header::HOST)
        .map(|v| v.to_str().unwrap_or("\u{0}").to_string())
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    // HTTP/1.0 without Host: only what the socket check above already admitted.
    let host = host.unwrap_or_default();
    if !host.is_empty() && !host_allowed(policy, host_only(&host)) {
        return refused("主机名不被允许", "Host header not allowed");
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let ok = match origin_authority(origin) {
            // Same origin as the page we served, or a loopback dev server (Vite).
            Some(auth) => auth.eq_ignore_ascii_case(&host) || is_loopback_host(host_only(auth)),
            None => false,
        };
        if !ok {
            return refused("来源不被允许", "Origin not allowed");
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_parsing_and_policy() {
        assert_eq!(host_only("127.0.0.1:8730"), "127.0.0.1");
        assert_eq!(host_only("[::1]:8730"), "::1");
        assert_eq!(host_only("localhost"), "localhost");
        let local = HostPolicy { lan: false };
        let lan = HostPolicy { lan: true };
        assert!(host_allowed(local, "localhost") && host_allowed(local, "127.0.0.1") && host_allowed(local, "::1"));
        assert!(!host_allowed(local, "evil.example"), "rebinding names are refused");
        assert!(!host_allowed(local, "192.168.1.5"), "loopback mode answers loopback names only");
        assert!(host_allowed(lan, "192.168.1.5"), "iPads reach the till by IP in LAN mode");
        assert!(!host_allowed(lan, "evil.example"), "LAN mode still refuses foreign names");
        assert_eq!(origin_authority("http://127.0.0.1:5173"), Some("127.0.0.1:5173"));
        assert_eq!(origin_authority("null"), None);
    }
}
