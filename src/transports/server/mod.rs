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
//! Security: every response carries a strict CSP and friends ([`guard`]). On loopback
//! (the default) requests whose `Host`/`Origin` is not loopback are refused (DNS
//! rebinding). In LAN mode every `/api/*` request must present the LAN token generated
//! at start ([`lan`]); the bind address and the token requirement are separate options
//! so tests can run LAN mode on 127.0.0.1.

mod api;
pub mod guard;
pub mod lan;
mod static_ui;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use tokio::sync::{oneshot, watch};

use crate::commands::{App, CommandError, ErrorCode, LanInfo};
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
    /// Where to bind. A non-loopback address requires `lan = true`.
    pub listen: SocketAddr,
    /// LAN mode: every `/api/*` request must carry `X-Storepos-Lan-Token` (or, for the
    /// SSE stream only, `?lan_token=`), commands see `via_lan = true`, and the
    /// Host check accepts IP literals instead of only loopback names.
    pub lan: bool,
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
    #[error("refusing to listen on non-loopback address {0} without --lan (which requires a token)")]
    NotLoopback(SocketAddr),
}

/// A running server. Dropping it leaves the server running until the runtime stops;
/// call [`ServerHandle::shutdown`] to stop it and wait for it.
pub struct ServerHandle {
    /// The bound address (the real port when asked for port 0).
    pub addr: SocketAddr,
    /// The app the server dispatches to (shared with in-process callers such as `demo`).
    pub app: Arc<App>,
    /// LAN mode's token and URL, when on.
    pub lan: Option<LanInfo>,
    /// The workers [`serve`] started (none for [`serve_app`]: its caller owns them).
    background: Option<crate::transports::background::Background>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl ServerHandle {
    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, ends open event streams and waits for in-flight requests.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            tracing::info!(addr = %self.addr, lan = self.lan.is_some(), "server stopping");
            let _ = tx.send(());
        }
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
/// them). Binds before returning, so `addr` answers as soon as this returns.
pub async fn serve_app(app: Arc<App>, opts: ServeOptions) -> Result<ServerHandle, ServeError> {
    if !opts.listen.ip().is_loopback() && !opts.lan {
        return Err(ServeError::NotLoopback(opts.listen));
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| ServeError::Bind { addr: opts.listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr: opts.listen, source })?;

    let lan = if opts.lan {
        let info = lan::start(app.data_dir(), addr);
        app.set_lan(info.clone());
        Some(info)
    } else {
        None
    };

    let (stop_tx, stop_rx) = watch::channel(false);
    let state = api::ServerState {
        app: app.clone(),
        lan_token: lan.as_ref().map(|l| Arc::<str>::from(l.token.as_str())),
        stopping: stop_rx,
    };
    let ui_dir = opts.ui_dir.clone().or_else(static_ui::default_dir);
    let router: Router = api::router(state)
        .merge(static_ui::router(ui_dir))
        .layer(axum::middleware::from_fn_with_state(guard::HostPolicy { lan: opts.lan }, guard::host_origin_guard))
        .layer(axum::middleware::map_response(guard::security_headers));

    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = shutdown_rx.await;
                // Event streams never end by themselves: tell them to, or the graceful
                // shutdown would wait for them forever.
                let _ = stop_tx.send(true);
            })
            .await
    });
    // The address only: the LAN URL carries the token.
    tracing::info!(%addr, lan = lan.is_some(), "server listening");
    Ok(ServerHandle { addr, app, lan, background: None, shutdown: Some(shutdown_tx), task })
}

/// `storepos serve …`: prints `storepos serve listening on http://ADDR` first (tests read
/// the port from it), the LAN link when on, and runs until Ctrl-C.
pub fn run_cli(
    data: PathBuf,
    listen: Option<SocketAddr>,
    lan: bool,
    ui_dir: Option<PathBuf>,
) -> std::process::ExitCode {
    use std::io::Write;
    let default_ip = if lan { "0.0.0.0" } else { "127.0.0.1" };
    let listen = listen.unwrap_or_else(|| {
        format!("{default_ip}:{}", DEFAULT_LISTEN.rsplit(':').next().unwrap_or("8730"))
            .parse()
            .expect("literal address")
    });
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("storepos serve: no tokio runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    rt.block_on(async move {
        let handle = match serve(ServeOptions { data, listen, lan, ui_dir }).await {
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
        if let Some(l) = &handle.lan {
            let _ = writeln!(
                out,
                "LAN mode: open {} on the store's iPads (token also in {})",
                l.url,
                handle.app.data_dir().join(lan::TOKEN_FILE).display()
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
