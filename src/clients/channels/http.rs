//! The HTTP plumbing the channel clients share: one reqwest client with timeouts, the
//! token header, and the mapping of transport failures to [`ChannelError`].

use std::time::Duration;

use serde_json::Value;

use super::{ChResult, ChannelError};
use crate::clients::transport::Transport;

pub struct Http {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").field("base", &self.base).field("token", &"***").finish()
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

/// A raw answer: HTTP status and the parsed JSON body (None when the body is not JSON).
pub struct Raw {
    pub status: u16,
    pub json: Option<Value>,
    pub text: String,
}

fn transport(e: reqwest::Error) -> ChannelError {
    match crate::clients::transport::classify(e) {
        Transport::Connect { detail } => ChannelError::Connect { detail },
        Transport::Timeout => ChannelError::Timeout,
        Transport::Reset { detail } => ChannelError::Reset { detail },
        Transport::Undecodable { detail } => ChannelError::Undecodable { detail },
    }
}

impl Http {
    pub fn new(base: &str, token: &str, (connect, total): (Duration, Duration)) -> ChResult<Http> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ChannelError::Connect { detail: format!("not an http(s) URL: {base}") });
        }
        let client = reqwest::Client::builder()
            .connect_timeout(connect)
            .timeout(total)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("storepos/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ChannelError::Connect { detail: e.to_string() })?;
        Ok(Http { base, token: token.to_string(), client })
    }

    pub async fn send(
        &self,
        verb: Verb,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> ChResult<Raw> {
        let url = format!("{}{}", self.base, path);
        let mut rb = match verb {
            Verb::Get => self.client.get(&url),
            Verb::Post => self.client.post(&url),
            Verb::Put => self.client.put(&url),
            Verb::Delete => self.client.delete(&url),
        };
        if !query.is_empty() {
            rb = rb.query(query);
        }
        if !self.token.is_empty() {
            rb = rb.header(reqwest::header::AUTHORIZATION, format!("Bearer {}", self.token));
        }
        if let Some(b) = body {
            rb = rb.header(reqwest::header::CONTENT_TYPE, "application/json").body(b.to_string());
        }
        let started = std::time::Instant::now();
        let sent = async {
            let resp = rb.send().await.map_err(transport)?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.map_err(transport)?;
            Ok::<_, ChannelError>((status, bytes))
        }
        .await;
        // Path only (queries may name a customer); the bearer token is never logged.
        let ms = started.elapsed().as_millis() as u64;
        let (status, bytes) = match sent {
            Ok(ok) => ok,
            Err(e) => {
                tracing::debug!(method = ?verb, path, ms, error = %e, "channel call failed");
                return Err(e);
            }
        };
        tracing::debug!(method = ?verb, path, status, ms, "channel call");
        // Only for error messages (shown and logged): phones masked.
        let text = crate::clients::transport::mask_phones(
            &String::from_utf8_lossy(&bytes).chars().take(200).collect::<String>(),
        );
        let json = serde_json::from_slice::<Value>(&bytes).ok().filter(Value::is_object);
        Ok(Raw { status, json, text })
    }
}

/// Failure by HTTP status alone (no usable envelope).
pub fn by_status(status: u16, text: &str) -> ChannelError {
    let detail = text.to_string();
    match status {
        401 | 403 => ChannelError::Auth { message: detail },
        404 => ChannelError::NotFound { detail },
        500..=599 => ChannelError::Server { status, detail },
        200..=299 => ChannelError::Undecodable { detail },
        _ => ChannelError::Http { status, detail },
    }
}

/// A path segment: ids are digits and letters; anything else is escaped.
pub fn seg(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_string()
            } else {
                format!("%{:02X}", c as u32 & 0xff)
            }
        })
        .collect()
}

/// A JSON money value (number or string) decoded exactly; None when absent or not money.
pub fn money(v: Option<&Value>) -> Option<crate::domain::Money> {
    let s = match v? {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    let d = s.parse::<rust_decimal::Decimal>().ok().or_else(|| rust_decimal::Decimal::from_scientific(&s).ok())?;
    crate::domain::Money::new(d).ok()
}

pub fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}
