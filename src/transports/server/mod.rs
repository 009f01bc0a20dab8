//! `storepos serve`: the command table over HTTP for browsers and iPads on the store
//! LAN and for end-to-end tests (DESIGN.md "Architecture"; the model is GitButler's
//! `but-server`). One route per concern:
//!
//! - `POST /api/{command}` → [`crate::commands::dispatch`] on a blocking thread, answered
//!   as `{"ok":true,"data":…}` or `{"ok":false,"error":CommandError}` with the status of
//!   [`crate::commands::ErrorCode::http_status`];
//! - `GET /api/events?session=…` → the app's [`crate::commands::Event`]s as SSE;
//! - `GET /api/health` → `{"ok":true,"data":{"version":…}}`, no session needed;
//! - everything else → the built UI (`ui/dist`) with an SPA fallback to `index.html`.
//!
//! Two listeners share one router ([`listen`]): the loopback one (plain HTTP, always on;
//! requests whose `Host`/`Origin` is not loopback are refused, against DNS rebinding) and
//! the LAN one ([`lan`]: HTTPS only with the store CA's certificate, [`crate::app::tls`]; switched on
//! by `--lan` or from the 局域网 tab), where every `/api/*` request must come from a paired
//! device ([`pairing`]). Every response carries a strict CSP and friends ([`guard`]). The
//! LAN address is an option of its own so tests can run the LAN listener on 127.0.0.1.

mod api;
pub mod guard;
pub mod lan;
pub mod listen;
pub mod pairing;
mod static_ui;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use tokio::sync::watch;

use crate::commands::{App, CommandError, ErrorCode, LanSwitch};
use crate::services::setup::{init_store, InitOptions};

/// Largest request body `POST /api/{command}` reads; a bigger one is a typed
/// `too_large` error (413), never a panic or a half-read body.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The default `--listen` address (loopback only).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8730";

/// How `storepos serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The store's data directory (holds `storepos.db`; must exist: `storepos init`).
    pub data: PathBuf,
    /// The plain-HTTP listener: loopback only.
    pub listen: SocketAddr,
    /// Open the LAN listener at start (it also opens when the manager left it on:
    /// `DATA/lan-on`).
    pub lan: bool,
    /// Where the LAN listener binds when on (HTTPS; default `0.0.0.0:8731`).
    pub lan_listen: SocketAddr,
    /// The built UI (`ui/dist`); `None` looks for it next to the current dir or the binary.
    pub ui_dir: Option<PathBuf>,
}

impl ServeOptions {
    /// Loopback on an OS-chosen port, no LAN token: what tests use.
    pub fn loopback(data: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            data: data.into(),
            listen: "127.0.0.1:0".parse().expect("literal address"),
            lan: false,
            lan_listen: "127.0.0.1:0".parse().expect("literal address"),
            ui_dir: None,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the store: {0}")]
    Open(#[from] CommandError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("refusing plain HTTP on non-loopback address {0}: use --lan (HTTPS, paired devices) with --lan-listen")]
    NotLoopback(SocketAddr),
    #[error("cannot open the LAN listener: {0}")]
    Lan(CommandError),
}

/// A running server. Dropping it leaves the server running until the runtime stops;
/// call [`ServerHandle::shutdown`] to stop it and wait for it.
pub struct ServerHandle {
    /// The bound address (the real port when asked for port 0).
    pub addr: SocketAddr,
    /// The app the server dispatches to (shared with in-process callers such as `demo`).
    pub app: Arc<App>,
    /// The LAN switch (on or off).
    pub lan: Arc<lan::LanControl>,
    /// The workers [`serve`] started (none for [`serve_app`]: its caller owns them).
    background: Option<crate::transports::background::Background>,
    shutdown: Option<watch::Sender<bool>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl ServerHandle {
    /// `http://ADDR` (loopback).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The LAN listener's address while it is on.
    pub fn lan_addr(&self) -> Option<SocketAddr> {
        self.lan.addr()
    }

    /// Stops accepting, ends open event streams and waits for in-flight requests.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            tracing::info!(addr = %self.addr, lan = self.lan.addr().is_some(), "server stopping");
            let _ = tx.send(true);
        }
        self.lan.shutdown().await;
        let served = (&mut self.task).await.unwrap_or_else(|e| Err(std::io::Error::other(e)));
        if let Some(bg) = self.background.take() {
            // Joining worker threads blocks.
            let _ = tokio::task::spawn_blocking(move || bg.stop()).await;
        }
        served
    }

    /// Runs until the server stops by itself (it does not, short of an IO error).
    pub async fn wait(mut self) -> std::io::Result<()> {
        let _keep = self.shutdown.take();
        (&mut self.task).await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Opens the ledger in `dir`, creating the store (demo catalog and users) when there is
/// none yet. Used by the desktop shell on first start; `serve` insists on an existing one.
pub fn open_or_init(dir: &Path) -> Result<App, CommandError> {
    if dir.join("storepos.db").exists() {
        Ok(App::open(dir)?)
    } else {
        init_store(dir, &InitOptions::default())
    }
}

/// The background workers every long-running transport starts once (`serve`, the
/// desktop shell): today [`crate::transports::background::start`] (print workers; the sync engine
/// joins there). Call it inside a tokio runtime and keep the answer alive: dropping it
/// stops the workers.
pub fn start_background(app: Arc<App>) -> crate::transports::background::Background {
    crate::transports::background::start(app)
}

/// Opens the store in `opts.data` and serves it. See [`serve_app`].
pub async fn serve(opts: ServeOptions) -> Result<ServerHandle, ServeError> {
    if !opts.data.join("storepos.db").exists() {
        return Err(ServeError::Open(CommandError::new(
            ErrorCode::NotFound,
            format!("{} 里没有账本，请先运行 storepos init", opts.data.display()),
            format!("no ledger in {}; run storepos init first", opts.data.display()),
        )));
    }
    let data = opts.data.clone();
    let app = tokio::task::spawn_blocking(move || App::open(&data))
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, "打开账本失败", e.to_string()))?
        .map_err(CommandError::from)?;
    let app = Arc::new(app);
    let mut handle = serve_app(app.clone(), opts).await?;
    handle.background = Some(start_background(app));
    Ok(handle)
}

/// Serves an already open app (does not start the background workers: the caller owns
/// them). Binds before returning, so `addr` answers as soon as this returns; opens the
/// LAN listener too when asked or left on.
pub async fn serve_app(app: Arc<App>, opts: ServeOptions) -> Result<ServerHandle, ServeError> {
    if !opts.listen.ip().is_loopback() {
        return Err(ServeError::NotLoopback(opts.listen));
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| ServeError::Bind { addr: opts.listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr: opts.listen, source })?;

    let control = Arc::new(lan::LanControl::new(&app, opts.lan_listen, tokio::runtime::Handle::current()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = api::ServerState { app: app.clone(), events: api::fan_out(&app, stop_rx.clone()) };
    let ui_dir = opts.ui_dir.clone().or_else(static_ui::default_dir);
    let router: Router = api::router(state)
        .merge(pairing::ca_router(control.clone()))
        .merge(static_ui::router(ui_dir))
        .layer(axum::middleware::from_fn(guard::host_origin_guard))
        .layer(axum::middleware::map_response(guard::security_headers));
    control.set_router(router.clone());
    app.set_lan(control.clone() as Arc<dyn LanSwitch>);

    let task = tokio::spawn(listen::run(listener, router, None, listen::Via { lan: false }, stop_rx));
    tracing::info!(%addr, "server listening");
    if opts.lan || control.remembered_on() {
        match control.start() {
            Ok(_) => {}
            Err(e) if opts.lan => {
                let _ = stop_tx.send(true);
                control.shutdown().await;
                return Err(ServeError::Lan(e));
            }
            // Left on by the manager but not possible now (address gone, port taken):
            // the till still sells; the 局域网 tab shows it off.
            Err(e) => tracing::warn!(error = %e.message_en, "could not reopen the LAN listener"),
        }
    }
    Ok(ServerHandle { addr, app, lan: control, background: None, shutdown: Some(stop_tx), task })
}

/// `storepos serve …`: prints `storepos serve listening on http://ADDR` first (tests read
/// the port from it), the LAN link when on, and runs until Ctrl-C.
pub fn run_cli(
    data: PathBuf,
    listen: Option<SocketAddr>,
    lan: bool,
    lan_listen: Option<SocketAddr>,
    ui_dir: Option<PathBuf>,
) -> std::process::ExitCode {
    use std::io::Write;
    let listen = listen.unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("literal address"));
    let lan_listen = lan_listen.unwrap_or_else(|| lan::DEFAULT_LAN_LISTEN.parse().expect("literal address"));
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("storepos serve: no tokio runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    rt.block_on(async move {
        let handle = match serve(ServeOptions { data, listen, lan, lan_listen, ui_dir }).await {
            Ok(h) => h,
            Err(ServeError::Open(e)) => {
                eprintln!("{}", serde_json::to_string(&e).unwrap_or_else(|_| e.to_string()));
                return std::process::ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("storepos serve: {e}");
                return std::process::ExitCode::from(1);
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "storepos serve listening on {}", handle.url());
        let st = handle.lan.status();
        if let Some(url) = &st.url {
            let _ = writeln!(
                out,
                "LAN on: {url} (HTTPS; pair each iPad from Manager → 局域网; store CA SHA-256 {})",
                st.ca_fingerprint.as_deref().unwrap_or("?")
            );
        }
        let _ = out.flush();
        drop(out);
        wait_for_stop_signal().await;
        eprintln!("storepos serve: stopping");
        tracing::info!("stop signal");
        let _ = handle.shutdown().await;
        std::process::ExitCode::SUCCESS
    })
}

/// Ctrl-C, or SIGTERM from a service manager: both stop the server cleanly (in-flight
/// requests finish, event streams end, print workers stop).
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
