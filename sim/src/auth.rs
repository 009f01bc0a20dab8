//! Login and token checks.
//!
//! Tokens are base64 JSON: documented mode as the seed's `{"token":"<40 hex>","login_name":"<user>"}`,
//! field mode as the real server's `{"id":<user id>,"login_name":"<user>","token":"<40 hex>"}`.
//! They expire `--token-ttl-s` seconds after login on the *sim* clock, so `/sim/clock`
//! can expire them too.

use chrono::Duration;
use rand::Rng;
use serde_json::{json, Value};

use crate::context::{Inner, Mode, Sim};
use crate::orders::is_blank;
use crate::state::Token;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    Missing,
    Bad,
    Expired,
    /// Field mode: a token that is not even a token; the real server answers with the
    /// text of the Java exception its decoder threw.
    Garbage(String),
}

impl AuthError {
    pub fn message(&self) -> String {
        match self {
            AuthError::Missing => "authorization.header.missing".into(),
            AuthError::Bad => "auth.error".into(),
            AuthError::Expired => "token.expired".into(),
            AuthError::Garbage(m) => m.clone(),
        }
    }
}

/// `POST /rest/login`: Ok(token) or Err(message for status_code 1).
///
/// Field mode: one account gets the same token on every login until `GET /rest/logout`
/// (or expiry); a missing username reads `invalid.username`, a missing password
/// `incorrect.password`. Documented mode issues a fresh token per login.
pub fn login(sim: &Sim, inner: &mut Inner, body: &Value) -> Result<String, String> {
    let field = sim.cfg.mode == Mode::Field;
    if is_blank(body.get("username")) {
        return Err(if field { "invalid.username".into() } else { "username参数不能为空".into() });
    }
    if is_blank(body.get("password")) && !field {
        return Err("password参数不能为空".into());
    }
    let user = body.get("username").and_then(Value::as_str).unwrap_or_default();
    let pass = body.get("password").and_then(Value::as_str).unwrap_or_default();
    let Some(account) = Sim::account(inner, user) else {
        return Err("invalid.username".into());
    };
    if pass != account.password {
        return Err("incorrect.password".into());
    }
    let now = inner.now();
    if field {
        let live =
            inner.data.tokens.iter().rev().find(|t| t.username == user && t.expires_at.is_none_or(|exp| now < exp));
        if let Some(t) = live {
            return Ok(t.token.clone());
        }
    }
    // A seeded RNG replays after a restart from `--state`: never hand out a token that
    // an earlier (perhaps expired) session already had.
    let token = loop {
        let secret: String = (0..40).map(|_| char::from(b"0123456789abcdef"[inner.rng.random_range(0..16)])).collect();
        // Built by hand: key order matters. The seed's token is {"token","login_name"}; the
        // real server's also carries the account's user id: {"id","login_name","token"}.
        let text = if field {
            format!(r#"{{"id":{},"login_name":{},"token":"{secret}"}}"#, account.user_id, json!(user))
        } else {
            format!(r#"{{"token":"{secret}","login_name":{}}}"#, json!(user))
        };
        let token = base64(text.as_bytes());
        if !inner.data.tokens.iter().any(|t| t.token == token) {
            break token;
        }
    };
    let expires_at = (sim.cfg.token_ttl_s > 0).then(|| now + Duration::seconds(sim.cfg.token_ttl_s as i64));
    inner.data.tokens.push(Token { token: token.clone(), username: user.to_string(), issued_at: now, expires_at });
    Ok(token)
}

/// `GET /rest/logout`: every token of that account dies (on every device).
pub fn logout(inner: &mut Inner, username: &str) {
    inner.data.tokens.retain(|t| t.username != username);
}

/// What `permissions` the login answer carries (field mode).
pub fn permissions() -> Value {
    json!([
        "store:order:view",
        "store:order:create",
        "store:order:update",
        "store:order_customer_service",
        "store:order_count"
    ])
}

/// Check the `Authorization` header value; Ok(the account's username). Field mode also
/// accepts a `Bearer ` prefix.
pub fn check(sim: &Sim, inner: &Inner, header: Option<&str>) -> Result<String, AuthError> {
    let raw = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(AuthError::Missing)?;
    let token = match (sim.cfg.mode, raw.strip_prefix("Bearer ")) {
        (Mode::Field, Some(t)) => t.trim(),
        _ => raw,
    };
    let Some(t) = inner.data.tokens.iter().find(|t| t.token == token) else {
        if sim.cfg.mode == Mode::Field {
            if let Some(m) = java_decode_error(token) {
                return Err(AuthError::Garbage(m));
            }
        }
        return Err(AuthError::Bad);
    };
    match t.expires_at {
        Some(exp) if inner.now() >= exp => Err(AuthError::Expired),
        _ => Ok(t.username.clone()),
    }
}

/// The exception the real server's token decoder throws on something that is not a
/// token (None when the text decodes as a token-shaped JSON object).
fn java_decode_error(token: &str) -> Option<String> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    if let Some(c) = token.bytes().find(|b| !A.contains(b)) {
        return Some(format!("java.lang.IllegalArgumentException: Illegal base64 character {c:x}"));
    }
    let bytes = match unbase64(token) {
        Some(b) => b,
        None => {
            return Some("java.lang.IllegalArgumentException: Input byte array has wrong 4-byte ending unit".into())
        }
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) if v.get("token").is_some() => None,
        _ => {
            let text = String::from_utf8_lossy(&bytes);
            let head: String = text.chars().take(20).collect();
            Some(format!(
                "com.fasterxml.jackson.core.JsonParseException: Unrecognized token '{head}': was expecting ('true', 'false' or 'null')\n at [Source: (String)\"{text}\"; line: 1, column: {}]",
                head.chars().count() + 1
            ))
        }
    }
}

fn unbase64(s: &str) -> Option<Vec<u8>> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let s = s.trim_end_matches('=');
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.bytes() {
        let v = A.iter().position(|x| *x == b)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Expire every token issued so far (fault `expire_tokens_now`).
pub fn expire_all(inner: &mut Inner) {
    let now = inner.now() - Duration::seconds(1);
    for t in &mut inner.data.tokens {
        t.expires_at = Some(now);
    }
}

/// Standard base64 with padding (tokens only; not worth a dependency).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_seed() {
        // The seed's token decodes to {"token":"5609…","login_name":"abc"}.
        let s = r#"{"token":"5609a0ba90afaa3285fdd95f7110269f8ff0abd9","login_name":"abc"}"#;
        assert_eq!(
            super::base64(s.as_bytes()),
            "eyJ0b2tlbiI6IjU2MDlhMGJhOTBhZmFhMzI4NWZkZDk1ZjcxMTAyNjlmOGZmMGFiZDkiLCJsb2dpbl9uYW1lIjoiYWJjIn0="
        );
    }
}
