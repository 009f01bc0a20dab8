//! storepos-sim: a faithful HTTP simulator of the platform's central `/rest` API.
//!
//! Two behaviours (`--mode`): `documented` does what the seed documents say; `field` does
//! what the real server was observed doing (DESIGN.md "Where the real server differs").
//! Faults (latency, 5xx, resets, timeouts, garbage, commit-then-drop, lying PUTs, WeChat
//! outages) are drawn from a seeded RNG so a failing schedule can be replayed.
//! Control surface under `/sim/` (no auth, never faulted): see `routes.rs`.

pub mod after_sales;
pub mod auth;
pub mod big_catalog;
pub mod catalog;
pub mod context;
pub mod dialects;
pub mod faults;
pub mod members;
pub mod money;
pub mod online;
pub mod orders;
pub mod routes;
mod server;
pub mod state;
pub mod wechat;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use catalog::{demo_catalog, Category, Product, Specification};
pub use context::Mode;
pub use dialects::Dialect;
pub use faults::Faults;

/// Command-line arguments of `storepos sim` (flatten into the main CLI).
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Behave as the documents say (`documented`) or as the real server does (`field`).
    #[arg(long, value_enum, default_value_t = Mode::Field)]
    pub mode: Mode,
    /// Seed of the fault RNG and of the business randomness.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Delay before every /rest answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Probability of a 5xx before anything is done.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Probability of committing, then answering 500 or dropping the connection.
    #[arg(long, default_value_t = 0.0)]
    pub drop_after_commit: f64,
    /// Paid online orders (SELF_PICK / FLASH) arriving per minute.
    #[arg(long, default_value_t = 0.0)]
    pub online_orders_per_min: f64,
    /// Token lifetime in seconds on the sim clock (0 = never expires).
    #[arg(long, default_value_t = 86_400)]
    pub token_ttl_s: u64,
    /// Persist state as JSON in this file (atomic writes) and reload it on start.
    #[arg(long = "state")]
    pub state: Option<PathBuf>,
    /// The store this simulator serves.
    #[arg(long, default_value_t = 1)]
    pub store_id: u64,
    /// Store name shown on online orders.
    #[arg(long, default_value = "总店")]
    pub store_name: String,
    /// Store clerk account.
    #[arg(long, default_value = "store1")]
    pub username: String,
    #[arg(long, default_value = "store1pass")]
    pub password: String,
    /// Field mode: a FLASH accept jumps straight to DELIVERED_CONFIRM_PENDING.
    #[arg(long)]
    pub flash_auto_deliver: bool,
    /// Which platform to imitate: the primary `/rest/store` (seeds 000/002), the
    /// omnichannel order center (seed 004) or the mall's `/api/orders` (seed 001).
    #[arg(long, value_enum, default_value_t = Dialect::RestStore)]
    pub dialect: Dialect,
    /// The token the omni and api dialects accept (`Authorization: Bearer <token>`).
    #[arg(long, default_value = "spos-channel-token")]
    pub api_token: String,
    /// Field mode: probability that overlapping creates of one account deadlock
    /// (`新建订单失败 - 库存不足`, nothing stored). Default: 0.25 in field mode, 0 documented.
    #[arg(long)]
    pub deadlock_rate: Option<f64>,
    /// Field mode: probability that a create reuses the previous create's millisecond
    /// (same order number).
    #[arg(long, default_value_t = 0.0)]
    pub collide_rate: f64,
}

impl Default for SimArgs {
    fn default() -> Self {
        SimArgs {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            mode: Mode::Field,
            seed: 1,
            latency_ms: 0,
            fail_rate: 0.0,
            drop_after_commit: 0.0,
            online_orders_per_min: 0.0,
            token_ttl_s: 86_400,
            state: None,
            store_id: 1,
            store_name: "总店".into(),
            username: "store1".into(),
            password: "store1pass".into(),
            flash_auto_deliver: false,
            dialect: Dialect::RestStore,
            api_token: "spos-channel-token".into(),
            deadlock_rate: None,
            collide_rate: 0.0,
        }
    }
}

/// Field mode: how often overlapping creates of one account deadlock by default.
pub const DEFAULT_FIELD_DEADLOCK_RATE: f64 = 0.25;

/// The user id of the default (`--username`) account.
pub const DEFAULT_USER_ID: u64 = 2;

fn clamp_rate(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("state file: {0}")]
    State(String),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// A running simulator.
pub struct SimHandle {
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting, close every connection, wait for the tasks to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Start the simulator in the background of the current tokio runtime.
pub async fn start(args: SimArgs) -> Result<SimHandle, SimError> {
    let initial_faults = Faults {
        latency_ms: args.latency_ms,
        fail_rate: args.fail_rate.clamp(0.0, 1.0),
        drop_after_commit: args.drop_after_commit.clamp(0.0, 1.0),
        flash_auto_deliver: args.flash_auto_deliver,
        seed: args.seed,
        collide_rate: clamp_rate(args.collide_rate),
        deadlock_rate: clamp_rate(args.deadlock_rate.unwrap_or(match args.mode {
            Mode::Field => DEFAULT_FIELD_DEADLOCK_RATE,
            Mode::Documented => 0.0,
        })),
        ..Faults::default()
    };
    let cfg = context::Config {
        mode: args.mode,
        seed: args.seed,
        store_id: args.store_id,
        store_name: args.store_name.clone(),
        username: args.username.clone(),
        password: args.password.clone(),
        token_ttl_s: args.token_ttl_s,
        state_file: args.state.clone(),
        online_orders_per_min: args.online_orders_per_min,
        initial_faults,
        dialect: args.dialect,
        api_token: args.api_token.clone(),
    };
    let sim = Arc::new(context::Sim::new(cfg)?);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| SimError::Bind { addr: args.listen, source })?;
    let addr = listener.local_addr()?;
    let (tx, rx) = watch::channel(false);
    let router = match args.dialect {
        Dialect::RestStore => routes::router(sim.clone()),
        Dialect::Omni => dialects::omni::router(sim.clone()),
        Dialect::Api => dialects::api::router(sim.clone()),
    };
    let mut tasks = vec![tokio::spawn(server::serve(listener, sim.clone(), router, rx.clone()))];
    if args.online_orders_per_min > 0.0 && args.online_orders_per_min.is_finite() {
        tasks.push(tokio::spawn(online_feed(sim, args.online_orders_per_min, rx)));
    }
    Ok(SimHandle { addr, shutdown: tx, tasks })
}

/// Paid online orders at a steady rate until shutdown.
async fn online_feed(sim: Arc<context::Sim>, per_min: f64, mut shutdown: watch::Receiver<bool>) {
    let every = Duration::from_secs_f64((60.0 / per_min).max(0.05));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {
                let r = match sim.cfg.dialect {
                    Dialect::Omni => dialects::omni::make_merchant_order(&sim, &serde_json::json!({})).map(|_| ()),
                    Dialect::Api => Ok(()),
                    Dialect::RestStore => sim.mutate(|inner| online::create_online_order(&sim, inner, &serde_json::json!({}))).map(|_| ()),
                };
                if let Err(e) = r {
                    eprintln!("storepos sim: online order not created: {e}");
                }
            }
            _ = shutdown.changed() => break,
        }
    }
}

/// Serve until Ctrl-C. Prints `storepos sim listening on http://ADDR` first, so a parent
/// process can read the port from stdout.
pub async fn run(args: SimArgs) -> Result<(), SimError> {
    let mode = args.mode;
    let dialect = args.dialect;
    let handle = start(args).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "storepos sim listening on {}", handle.base_url())?;
        out.flush()?;
    }
    eprintln!(
        "storepos sim: dialect {}, mode {mode:?}; control endpoints under {}/sim/",
        dialect.as_str(),
        handle.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}
