//! Login and token checks.
//!
//! Tokens look like the seed's: base64 of `{"token":"<40 hex>","login_name":"<user>"}`.
//! They expire `--token-ttl-s` seconds after login on the *sim* clock, so `/sim/clock`
//! can expire them too.

use chrono::Duration;
use rand::Rng;
use serde_json::{json, Value};

use crate::context::{Inner, Mode, Sim};
use crate::orders::is_blank;
use crate::state::Token;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    Missing,
    Bad,
    Expired,
}

impl AuthError {
    pub fn message(self) -> &'static str {
        match self {
            AuthError::Missing => "authorization.header.missing",
            AuthError::Bad => "auth.error",
            AuthError::Expired => "token.expired",
        }
    }
}

/// `POST /rest/login`: Ok(token) or Err(message for status_code 1).
pub fn login(sim: &Sim, inner: &mut Inner, body: &Value) -> Result<String, String> {
    if is_blank(body.get("username")) {
        return Err("username参数不能为空".into());
    }
    if is_blank(body.get("password")) {
        return Err("password参数不能为空".into());
    }
    let user = body.get("username").and_then(Value::as_str).unwrap_or_default();
    let pass = body.get("password").and_then(Value::as_str).unwrap_or_default();
    if user != sim.cfg.username {
        return Err("invalid.username".into());
    }
    if pass != sim.cfg.password {
        return Err("incorrect.password".into());
    }
    let secret: String = (0..40).map(|_| char::from(b"0123456789abcdef"[inner.rng.random_range(0..16)])).collect();
    // Built by hand: key order matters for the seed's look ("token" first).
    let token = base64(format!(r#"{{"token":"{secret}","login_name":{}}}"#, json!(user)).as_bytes());
    let now = inner.now();
    let expires_at = (sim.cfg.token_ttl_s > 0).then(|| now + Duration::seconds(sim.cfg.token_ttl_s as i64));
    inner.data.tokens.push(Token { token: token.clone(), username: user.to_string(), issued_at: now, expires_at });
    Ok(token)
}

/// Check the `Authorization` header value. Field mode also accepts a `Bearer ` prefix.
pub fn check(sim: &Sim, inner: &Inner, header: Option<&str>) -> Result<(), AuthError> {
    let raw = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(AuthError::Missing)?;
    let token = match (sim.cfg.mode, raw.strip_prefix("Bearer ")) {
        (Mode::Field, Some(t)) => t.trim(),
        _ => raw,
    };
    let t = inner.data.tokens.iter().find(|t| t.token == token).ok_or(AuthError::Bad)?;
    match t.expires_at {
        Some(exp) if inner.now() >= exp => Err(AuthError::Expired),
        _ => Ok(()),
    }
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
