//! Our own accept loop around the axum router.
//!
//! axum::serve cannot drop one connection on purpose; the faults need exactly that
//! ("commit, then the client never hears back", "reset", "never answer"). Each
//! connection gets a kill switch that a request handler can pull; the connection task
//! then drops the hyper connection, which closes the socket without a response.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use futures::FutureExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::context::{Mode, Sim};
use crate::faults::Fate;
use crate::routes::{html, CreateTicket};

/// How long a "timeout" request hangs before its connection is closed anyway.
const HANG_FOR: Duration = Duration::from_secs(600);

pub async fn serve(listener: TcpListener, sim: Arc<Sim>, router: Router, mut shutdown: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let kill = Arc::new(Notify::new());
                let (sim, router, k) = (sim.clone(), router.clone(), kill.clone());
                let svc = hyper::service::service_fn(move |req| handle(sim.clone(), router.clone(), k.clone(), req));
                let mut sd = shutdown.clone();
                conns.spawn(async move {
                    let conn = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = kill.notified() => {}
                        _ = sd.changed() => {}
                    }
                });
            }
            _ = shutdown.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

/// Ends a create's in-progress registration when the request is done (or dropped).
struct CreateGuard {
    sim: Arc<Sim>,
    account: String,
    ticket: u64,
}

impl Drop for CreateGuard {
    fn drop(&mut self) {
        self.sim.lock().end_create(&self.account, self.ticket);
    }
}

fn create_ticket(sim: &Arc<Sim>, req: &mut Request<Incoming>, path: &str) -> Option<CreateGuard> {
    if sim.cfg.mode != Mode::Field
        || sim.cfg.dialect != crate::dialects::Dialect::RestStore
        || req.method() != hyper::Method::POST
        || path.trim_end_matches('/') != "/rest/store/order"
    {
        return None;
    }
    let raw = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())?.trim().to_string();
    let token = raw.strip_prefix("Bearer ").map(str::trim).unwrap_or(&raw).to_string();
    let (account, ticket) = {
        let mut g = sim.lock();
        let account = g.account_of_token(&token)?;
        let ticket = g.begin_create(&account);
        (account, ticket)
    };
    req.extensions_mut().insert(CreateTicket { account: account.clone(), ticket });
    Some(CreateGuard { sim: sim.clone(), account, ticket })
}

fn garbage() -> Response<Body> {
    // Looks like JSON to a content-type check, is not JSON: a truncated answer.
    let mut r = Response::new(Body::from("{\"status_code\":0,\"data\":{\"order_num"));
    *r.status_mut() = StatusCode::OK;
    r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json;charset=UTF-8"));
    r
}

async fn handle(
    sim: Arc<Sim>,
    router: Router,
    kill: Arc<Notify>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_string();
    let mut req = req;
    // Field mode: a counter-order create is "in progress" for its whole handling, the
    // configured latency included, so creates of one account can overlap (deadlocks).
    let _create_guard = create_ticket(&sim, &mut req, &path);
    // Faults only hit the platform API, never the /sim control surface.
    let fate = if sim.cfg.dialect.faulted(&path) {
        let (fate, latency) = {
            let mut g = sim.lock();
            let f = g.faults.clone();
            (g.fault_rng.draw(&f), f.latency_ms)
        };
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        fate
    } else {
        Fate::Normal
    };
    match fate {
        Fate::Timeout => {
            tokio::time::sleep(HANG_FOR).await;
            kill.notify_one();
            return futures::future::pending().await;
        }
        Fate::Reset => {
            kill.notify_one();
            return futures::future::pending().await;
        }
        Fate::FailBefore(code) => return Ok(html(code, &path)),
        Fate::Garbage => return Ok(garbage()),
        _ => {}
    }
    let req = req.map(Body::new);
    let resp = match AssertUnwindSafe(router.oneshot(req)).catch_unwind().await {
        Ok(Ok(r)) => r,
        Ok(Err(never)) => match never {},
        // A handler bug: answer like a crashed servlet, keep serving.
        Err(_) => html(500, &path),
    };
    match fate {
        Fate::FailAfterCommit => Ok(html(500, &path)),
        Fate::DropAfterCommit => {
            kill.notify_one();
            futures::future::pending().await
        }
        _ => Ok(resp),
    }
}
