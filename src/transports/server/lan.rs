//! LAN mode's token: random per start, kept in memory (the app's [`LanInfo`], which the
//! `lan_status_get` command shows managers) and written to `DATA/lan-token` (mode 0600) so
//! a local script can read it. Restarting the server rotates it.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use crate::commands::LanInfo;

/// The file in the data dir holding the current token.
pub const TOKEN_FILE: &str = "lan-token";

/// Makes a fresh token, stores it and builds the URL to open on an iPad.
pub fn start(data_dir: &Path, bound: SocketAddr) -> LanInfo {
    let token = crate::app::auth::new_token();
    if let Err(e) = write_private(&data_dir.join(TOKEN_FILE), &token) {
        tracing::warn!("could not write {}: {e}", data_dir.join(TOKEN_FILE).display());
    }
    let host = if bound.ip().is_unspecified() { lan_address().unwrap_or(bound.ip()) } else { bound.ip() };
    let host = match host {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    LanInfo { url: format!("http://{host}:{}/?lan_token={token}", bound.port()), token }
}

fn write_private(path: &Path, token: &str) -> std::io::Result<()> {
    crate::app::config::write_private(path, token.as_bytes())
}

/// The machine's first non-loopback IPv4 address as `hostname -I` lists it (no packets
/// sent). `None` off Linux or without one; the URL then shows 0.0.0.0 and the manager
/// substitutes the till's address.
fn lan_address() -> Option<IpAddr> {
    let out = std::process::Command::new("hostname").arg("-I").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|s| s.parse::<IpAddr>().ok())
        .find(|ip| ip.is_ipv4() && !ip.is_loopback())
}
