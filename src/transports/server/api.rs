//! `/api/*`: the command table, the event stream and the health probe.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Extension, Json, Router};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::broadcast;

use super::listen::{Stopping, Via};
use super::pairing::DeviceId;
use super::MAX_BODY_BYTES;
use crate::commands::{self, App, CommandError, ErrorCode, Event};

/// Header carrying the session token `session_login` handed out.
pub const SESSION_HEADER: &str = "x-storepos-session";

/// How often an idle event stream sends a comment so proxies and iPads keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub(super) struct ServerState {
    pub app: Arc<App>,
    /// The app's events, serialised once for every open stream ([`fan_out`]).
    pub events: broadcast::Sender<Arc<WireEvent>>,
}

/// An app event as the event streams send it: serialised once, shared by every stream
/// (six iPads used to mean six serialisations of each event).
pub(super) struct WireEvent {
    kind: String,
    data: String,
    /// The device a `device_revoked` event names: that device's stream ends on it.
    revoked: Option<i64>,
}

impl WireEvent {
    fn of(ev: &Event) -> WireEvent {
        let v = serde_json::to_value(ev).unwrap_or(Value::Null);
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("message").to_string();
        let revoked = match ev {
            Event::DeviceRevoked { device_id } => Some(*device_id),
            _ => None,
        };
        WireEvent { kind, data: v.to_string(), revoked }
    }

    fn lagged(missed: u64) -> WireEvent {
        WireEvent {
            kind: "lagged".into(),
            data: json!({ "type": "lagged", "missed": missed }).to_string(),
            revoked: None,
        }
    }
}

/// Relays the app's events to the server's streams, each serialised once (and not at all
/// while no stream is open), until the server stops.
pub(super) fn fan_out(app: &App, mut stop: tokio::sync::watch::Receiver<bool>) -> broadcast::Sender<Arc<WireEvent>> {
    let (tx, _) = broadcast::channel(256);
    let out = tx.clone();
    let mut rx = app.subscribe();
    tokio::spawn(async move {
        let mut watching = true;
        loop {
            let got = if watching {
                tokio::select! {
                    changed = stop.changed() => {
                        // A dropped handle leaves the server running: keep relaying.
                        watching = changed.is_ok();
                        if *stop.borrow() {
                            return;
                        }
                        continue;
                    }
                    got = rx.recv() => got,
                }
            } else {
                rx.recv().await
            };
            let wire = match got {
                _ if out.receiver_count() == 0 => continue,
                Ok(ev) => WireEvent::of(&ev),
                Err(broadcast::error::RecvError::Lagged(n)) => WireEvent::lagged(n),
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let _ = out.send(Arc::new(wire));
        }
    });
    tx
}

/// The one way an error leaves the server: the typed envelope with the code's status.
pub(crate) fn error_response(e: CommandError) -> Response {
    let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, Json(json!({ "ok": false, "error": e }))).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

fn ok_response(data: Value) -> Response {
    let mut r = (StatusCode::OK, Json(json!({ "ok": true, "data": data }))).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

pub(super) fn router(state: ServerState) -> Router {
    let api = Router::new()
        .route("/api/health", get(health))
        .route("/api/events", get(events))
        .route("/api/display/state", get(display_state))
        .route("/api/display/events", get(display_events))
        .route("/api/{command}", post(call).fallback(wrong_method))
        .route("/api/{command}/{*rest}", any(unknown_path))
        .route("/api", any(unknown_path))
        .route("/api/", any(unknown_path))
        .layer(axum::middleware::from_fn_with_state(state.clone(), super::pairing::device_guard))
        .layer(axum::middleware::from_fn(request_id));
    api.with_state(state)
}

/// Header carrying the request id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Gives each `/api` request an id (a sane incoming `X-Request-Id`, else a new one),
/// runs it inside an `http{req=…}` span so every line it causes carries the id, and
/// returns the id in the answer's `X-Request-Id`. Logs the path, never the query: the
/// event streams carry their tokens there.
async fn request_id(req: Request, next: Next) -> Response {
    use tracing::Instrument;
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|s| crate::app::logs::sane_request_id(s))
        .map(str::to_string)
        .unwrap_or_else(crate::app::logs::new_request_id);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let span = tracing::info_span!("http", req = %id);
    let started = std::time::Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status().as_u16();
    span.in_scope(|| {
        tracing::trace!(%method, %path, status, ms = started.elapsed().as_millis() as u64, "http request");
    });
    if let Ok(v) = header::HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    resp
}

async fn health(Extension(via): Extension<Via>) -> Response {
    ok_response(json!({ "version": env!("CARGO_PKG_VERSION"), "lan": via.lan }))
}

async fn wrong_method() -> Response {
    error_response(CommandError::new(ErrorCode::BadRequest, "命令只接受 POST 请求", "commands take POST requests"))
}

async fn unknown_path() -> Response {
    error_response(CommandError::new(ErrorCode::UnknownCommand, "没有这个接口", "no such API path"))
}

fn too_large() -> CommandError {
    CommandError::new(
        ErrorCode::TooLarge,
        format!("请求内容过大（最多 {} KB）", MAX_BODY_BYTES / 1024),
        format!("request body too large (max {} KiB)", MAX_BODY_BYTES / 1024),
    )
}

/// Reads at most [`MAX_BODY_BYTES`], refusing early on a declared larger length.
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, CommandError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let mut buf = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            CommandError::new(
                ErrorCode::BadRequest,
                "请求内容读取失败",
                format!("could not read the request body: {e}"),
            )
        })?;
        if buf.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

fn content_type_ok(headers: &HeaderMap) -> bool {
    // Requiring JSON (or nothing, for curl) makes a cross-site form post impossible
    // without a CORS preflight, which this server never grants.
    match headers.get(header::CONTENT_TYPE) {
        None => true,
        Some(v) => {
            v.to_str().map(|s| s.trim_start().to_ascii_lowercase().starts_with("application/json")).unwrap_or(false)
        }
    }
}

async fn call(
    State(s): State<ServerState>,
    Extension(via): Extension<Via>,
    Path(command): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match call_inner(&s, via, command, &headers, body).await {
        Ok(v) => ok_response(v),
        Err(e) if e.code == ErrorCode::TooLarge => {
            // The body was left unread, so hyper closes this connection after the answer.
            // Say so: a client that pooled the connection would otherwise send its next
            // request into a closing socket and fail with an incomplete message.
            let mut resp = error_response(e);
            resp.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
            resp
        }
        Err(e) => error_response(e),
    }
}

async fn call_inner(
    s: &ServerState,
    via: Via,
    command: String,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, CommandError> {
    if commands::find(&command).is_none() {
        return Err(CommandError::new(
            ErrorCode::UnknownCommand,
            format!("未知命令：{command}"),
            format!("unknown command: {command}"),
        ));
    }
    if !content_type_ok(headers) {
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            "请求须为 JSON（Content-Type: application/json）",
            "requests must be JSON (Content-Type: application/json)",
        ));
    }
    let bytes = read_body(headers, body).await?;
    let request: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).map_err(|e| {
            CommandError::new(ErrorCode::BadRequest, format!("JSON 格式错误：{e}"), format!("malformed JSON: {e}"))
        })?
    };
    let session = match headers.get(SESSION_HEADER) {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| CommandError::unauthenticated())?.to_string()).filter(|t| !t.is_empty()),
    };
    let via_lan = via.lan;
    let app = s.app.clone();
    // The blocking thread is outside this task: carry the request's span over.
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| commands::dispatch(&app, session.as_deref(), via_lan, &command, request))
    })
    .await
    .unwrap_or_else(|e| {
        Err(CommandError::new(ErrorCode::Internal, "内部错误，操作未完成", format!("command task failed: {e}")))
    })
}

#[derive(Deserialize)]
struct EventsQuery {
    session: Option<String>,
}

/// SSE: one `event: <type>` / `data: <Event JSON>` message per app event, keep-alive
/// comments in between. A lagging client skips what it missed (events are hints; the
/// ledger, read through commands, is the truth) and is told with a `lagged` event.
///
/// A paired device's stream also ends when the device is revoked, and every stream when
/// its listener closes (server stopping, LAN switched off).
async fn events(
    State(s): State<ServerState>,
    Extension(Stopping(stopping)): Extension<Stopping>,
    device: Option<Extension<DeviceId>>,
    Query(q): Query<EventsQuery>,
) -> Response {
    let device = device.map(|Extension(DeviceId(id))| id);
    let Some(token) = q.session.filter(|t| !t.is_empty()) else {
        return error_response(CommandError::unauthenticated());
    };
    let app = s.app.clone();
    let checked = tokio::task::spawn_blocking(move || commands::session::user_for_token(&app, &token)).await;
    match checked {
        Ok(Ok(Some(_))) => {}
        Ok(Ok(None)) => return error_response(CommandError::unauthenticated()),
        Ok(Err(e)) => return error_response(e),
        Err(e) => return error_response(CommandError::new(ErrorCode::Internal, "内部错误", e.to_string())),
    }
    let rx = s.events.subscribe();
    let stream = futures::stream::unfold((rx, stopping), move |(mut rx, mut stop)| async move {
        if *stop.borrow() {
            return None;
        }
        let msg = tokio::select! {
            _ = stop.changed() => return None,
            got = rx.recv() => match got {
                Ok(w) if w.revoked.is_some() && w.revoked == device => return None,
                Ok(w) => SseEvent::default().event(&w.kind).data(&w.data),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    let w = WireEvent::lagged(n);
                    SseEvent::default().event(w.kind).data(w.data)
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            },
        };
        Some((Ok::<_, Infallible>(msg), (rx, stop)))
    });
    let mut r = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

#[derive(Deserialize)]
struct DisplayQuery {
    token: Option<String>,
}

/// The display token, and nothing else, opens the two display routes.
fn display_allowed(s: &ServerState, q: &DisplayQuery) -> Result<(), CommandError> {
    match q.token.as_deref().filter(|t| !t.is_empty()) {
        None => Err(CommandError::new(
            ErrorCode::Unauthenticated,
            "客显需要配对令牌，请在收银台点「客显配对」",
            "the display needs its pairing token",
        )),
        Some(t) if s.app.display().accepts(t) => Ok(()),
        Some(_) => Err(CommandError::new(
            ErrorCode::Unauthenticated,
            "客显令牌无效或已被新的配对取代",
            "display token invalid or replaced by a newer pairing",
        )),
    }
}

/// `GET /api/display/state?token=…`: the till's display snapshot (read-only).
async fn display_state(State(s): State<ServerState>, Query(q): Query<DisplayQuery>) -> Response {
    match display_allowed(&s, &q) {
        Ok(()) => ok_response(serde_json::to_value(s.app.display().snapshot()).unwrap_or(Value::Null)),
        Err(e) => error_response(e),
    }
}

/// `GET /api/display/events?token=…`: SSE, one `display` event with the whole snapshot
/// at once and after every change. A lagging display just gets the newest one.
async fn display_events(
    State(s): State<ServerState>,
    Extension(Stopping(stopping)): Extension<Stopping>,
    Query(q): Query<DisplayQuery>,
) -> Response {
    if let Err(e) = display_allowed(&s, &q) {
        return error_response(e);
    }
    let app = s.app.clone();
    let rx = app.display().subscribe();
    let first = Some(app.display().snapshot());
    let stream = futures::stream::unfold((first, rx, stopping, app), |(first, mut rx, mut stop, app)| async move {
        let msg = |snap: &crate::app::display::Snapshot| {
            SseEvent::default().event("display").data(serde_json::to_string(snap).unwrap_or_default())
        };
        if let Some(f) = first {
            let m = msg(&f);
            return Some((Ok::<_, Infallible>(m), (None, rx, stop, app)));
        }
        if *stop.borrow() {
            return None;
        }
        let m = tokio::select! {
            _ = stop.changed() => return None,
            got = rx.recv() => match got {
                Ok(snap) => msg(&snap),
                Err(broadcast::error::RecvError::Lagged(_)) => msg(&app.display().snapshot()),
                Err(broadcast::error::RecvError::Closed) => return None,
            },
        };
        Some((Ok(m), (None, rx, stop, app)))
    });
    let mut r = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}
