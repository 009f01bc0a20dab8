//! The other platforms' order APIs (`storepos sim --dialect omni|api`).
//!
//! * `omni` — seed 004, the omnichannel order center (全渠道订单同步接口): `/orders/*`,
//!   `/master/orders`, numeric statuses, unix-second times, the
//!   `{"status":{"code","message"},"success"}` envelope.
//! * `api` — seed 001, a mall's `/api/orders` dialect: named list statuses, string prices
//!   (`"100.00"`), `refund_status` 0–3, `{"msg","code","data"}`.
//!
//! Both reuse the rest-store simulator's context: the seeded fault RNG and fault settings
//! (`/sim/faults`), the business RNG, the sim clock (`/sim/clock`) and `--state`
//! persistence (their data lives in [`DialectData`] inside the same state file). Faults
//! hit the dialect's own paths only, never `/sim/*`.
//!
//! Auth: the documents only say "token"; both accept `Authorization: Bearer <token>` or the
//! bare token, where the token is `--api-token`.

pub mod api;
pub mod omni;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::context::Sim;
use crate::faults::FaultsPatch;

/// Which platform the simulator imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// Seeds 000/002: the primary `/rest/store` platform.
    #[default]
    RestStore,
    /// Seed 004: the omnichannel order center.
    Omni,
    /// Seed 001: the mall's `/api/orders`.
    Api,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::RestStore => "rest-store",
            Dialect::Omni => "omni",
            Dialect::Api => "api",
        }
    }

    /// Requests on these paths draw a fate from the fault RNG; control paths never do.
    pub fn faulted(self, path: &str) -> bool {
        match self {
            Dialect::RestStore => path.starts_with("/rest/"),
            Dialect::Omni => path.starts_with("/orders") || path.starts_with("/master/"),
            Dialect::Api => path.starts_with("/api/"),
        }
    }
}

/// The dialects' persisted data (part of the state file; absent in old files).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DialectData {
    #[serde(default)]
    pub omni: omni::OmniData,
    #[serde(default)]
    pub api: api::ApiData,
}

pub(crate) fn json_response(status: StatusCode, v: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json;charset=UTF-8")], v.to_string()).into_response()
}

/// The bearer/bare token check shared by both dialects.
pub(crate) fn token_ok(sim: &Sim, headers: &HeaderMap) -> bool {
    let Some(h) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let h = h.trim();
    let t = h.strip_prefix("Bearer ").unwrap_or(h).trim();
    !t.is_empty() && t == sim.cfg.api_token
}

/// A JSON object body; empty means `{}`; anything else is None.
pub(crate) fn object_body(bytes: &Bytes) -> Option<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Some(json!({}));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Some(v),
        _ => None,
    }
}

pub(crate) fn str_field(v: &Value, k: &str) -> Option<String> {
    match v.get(k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn int_field(v: &Value, k: &str) -> Option<i64> {
    match v.get(k) {
        Some(Value::Number(n)) => n.to_string().parse().ok(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Query string → pairs (repeated keys kept).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok()).unwrap_or_default()
}

pub(crate) fn q_get<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
}

// ---- control surface shared by the dialects (no auth, no faults) -----------------------

pub(crate) fn get_faults(sim: &Sim) -> Response {
    let f = sim.lock().faults.clone();
    json_response(StatusCode::OK, serde_json::to_value(f).unwrap_or(Value::Null))
}

pub(crate) fn set_faults(sim: &Sim, body: &Bytes) -> Response {
    let Some(v) = object_body(body) else {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": "body must be a JSON object"}));
    };
    let patch: FaultsPatch = match serde_json::from_value(v) {
        Ok(p) => p,
        Err(e) => return json_response(StatusCode::BAD_REQUEST, json!({"error": format!("invalid faults: {e}")})),
    };
    let f = sim.mutate(|inner| {
        if inner.faults.apply(&patch) {
            inner.fault_rng = crate::faults::FaultRng::new(inner.faults.seed);
        }
        inner.faults.clone()
    });
    json_response(StatusCode::OK, serde_json::to_value(f).unwrap_or(Value::Null))
}

pub(crate) fn set_clock(sim: &Sim, body: &Bytes) -> Response {
    let v = object_body(body).unwrap_or(Value::Null);
    let Some(add) = int_field(&v, "advance_s") else {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": "advance_s required"}));
    };
    let off = sim.mutate(|inner| {
        inner.data.clock_offset_s = inner.data.clock_offset_s.saturating_add(add);
        inner.data.clock_offset_s
    });
    json_response(StatusCode::OK, json!({"offset_s": off}))
}
