//! The application state: the ledger, the store's configuration, the event bus
//! transports forward to screens, and the wake-ups of the background engines.
//!
//! It sits below `commands`, `sync`, `channels`, `payments` and the print service, so
//! each of them can run against it without importing the command table.

pub mod auth;
pub mod config;
pub mod devices;
pub mod display;
pub mod error;
pub mod lan;
pub mod logs;
pub mod qr;
pub mod tls;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use ts_rs::TS;

use serde::Serialize;
use tokio::sync::{broadcast, watch};

use crate::domain::business_day::BusinessDayRule;
use crate::ledger::{settings, Ledger, LedgerError};

/// Store-level configuration, read from the ledger's settings.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StoreConfig {
    pub store_id: i64,
    pub store_name: String,
    pub till_code: String,
    #[serde(skip)]
    pub rule: BusinessDayRule,
    pub timezone: String,
    pub cutoff_hour: u32,
    pub receipt_footer: String,
}

impl StoreConfig {
    pub fn load(ledger: &Ledger) -> Result<StoreConfig, LedgerError> {
        let c = ledger.read();
        let tz_name = settings::get_str(c, "timezone")?.unwrap_or_else(|| "Asia/Shanghai".into());
        let tz: chrono_tz::Tz = tz_name.parse().unwrap_or(chrono_tz::Asia::Shanghai);
        let cutoff = settings::get(c, "cutoff_hour")?.and_then(|v| v.as_u64()).unwrap_or(0).min(23) as u32;
        Ok(StoreConfig {
            store_id: settings::get(c, "store_id")?.and_then(|v| v.as_i64()).unwrap_or(1),
            store_name: settings::get_str(c, "store_name")?.unwrap_or_else(|| "演示门店".into()),
            till_code: settings::get_str(c, "till_code")?.unwrap_or_else(|| "T1".into()),
            rule: BusinessDayRule { tz, cutoff_hour: cutoff },
            timezone: tz.name().to_string(),
            cutoff_hour: cutoff,
            receipt_footer: settings::get_str(c, "receipt_footer")?.unwrap_or_else(|| "谢谢惠顾，欢迎再来".into()),
        })
    }
}

/// Something screens want to hear about without polling.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    OrderChanged {
        client_ref: String,
        status: String,
    },
    OnlineOrder {
        client_ref: String,
        local_number: String,
        channel: String,
    },
    Sync {
        online: bool,
        outbox_depth: i64,
        conflicts: i64,
    },
    PrintJob {
        id: i64,
        state: String,
    },
    Conflict {
        client_ref: String,
        message: String,
    },
    /// A manager revoked a paired device: its event stream ends, its next request is 401.
    DeviceRevoked {
        device_id: i64,
    },
}

/// Creates from one platform account, one at a time: the instant the last one was answered.
pub type CreateLane = Arc<tokio::sync::Mutex<Option<std::time::Instant>>>;

pub struct App {
    ledger: Mutex<Ledger>,
    /// Threads blocked in [`App::ledger`] (see [`App::ledger_wanted`]).
    ledger_waiters: std::sync::atomic::AtomicUsize,
    config: RwLock<StoreConfig>,
    data_dir: PathBuf,
    events: broadcast::Sender<Event>,
    /// Set once by `storepos serve`: switches the LAN listener (`lan_status_get`, `lan_set`).
    lan: OnceLock<Arc<dyn crate::app::lan::LanSwitch>>,
    /// Pairing codes and the device credential key (the rows are in the ledger).
    devices: crate::app::devices::DeviceHub,
    wakers: Arc<Wakers>,
    io: OnceLock<tokio::runtime::Runtime>,
    platform: Mutex<Option<Arc<crate::clients::platform::client::PlatformClient>>>,
    /// The customer display's state and pairing (memory; the token hash on disk).
    display: crate::app::display::DisplayHub,
    /// One create lane per platform account this till acts as (see `engine::platform::outlet`).
    create_lanes: Mutex<std::collections::HashMap<String, CreateLane>>,
}

impl App {
    pub fn open(data_dir: &Path) -> Result<App, LedgerError> {
        std::fs::create_dir_all(data_dir).map_err(|source| LedgerError::Io { path: data_dir.to_path_buf(), source })?;
        let ledger = Ledger::open(&data_dir.join("storepos.db"))?;
        let schema = ledger.read().pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap_or(-1);
        let app = Self::from_ledger(ledger, data_dir)?;
        let c = app.config();
        tracing::info!(
            data = %data_dir.display(),
            schema,
            store_id = c.store_id,
            till = %c.till_code,
            "store opened"
        );
        Ok(app)
    }

    pub fn from_ledger(mut ledger: Ledger, data_dir: &Path) -> Result<App, LedgerError> {
        let config = StoreConfig::load(&ledger)?;
        let (events, _) = broadcast::channel(256);
        let wakers = Arc::new(Wakers::default());
        // Engines hear of new outbox rows once the transaction that wrote them has
        // committed (never before: a woken engine must find the row).
        let w = wakers.clone();
        ledger.on_outbox_commit(Box::new(move || w.poke()));
        Ok(App {
            ledger: Mutex::new(ledger),
            ledger_waiters: Default::default(),
            config: RwLock::new(config),
            data_dir: data_dir.to_path_buf(),
            events,
            lan: OnceLock::new(),
            wakers,
            io: OnceLock::new(),
            platform: Mutex::new(None),
            display: crate::app::display::DisplayHub::new(data_dir),
            devices: crate::app::devices::DeviceHub::new(data_dir),
            create_lanes: Mutex::default(),
        })
    }

    /// The ledger, exclusively. A poisoned lock only means another thread panicked
    /// mid-command; SQLite rolled that transaction back, so the data is sound.
    pub fn ledger(&self) -> MutexGuard<'_, Ledger> {
        match self.ledger.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                self.ledger_waiters.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let g = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
                self.ledger_waiters.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                g
            }
        }
    }

    /// Someone (a sale, say) is waiting for the ledger right now: a long writer that can
    /// stop early (the catalog sync) commits what it has and lets them in.
    pub fn ledger_wanted(&self) -> bool {
        self.ledger_waiters.load(std::sync::atomic::Ordering::SeqCst) > 0
    }

    pub fn config(&self) -> StoreConfig {
        self.config.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn reload_config(&self) -> Result<(), LedgerError> {
        let c = StoreConfig::load(&self.ledger())?;
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = c;
        Ok(())
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn publish(&self, e: Event) {
        // No subscriber is fine: events are hints, the ledger is the truth.
        let _ = self.events.send(e);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Hands the app the server's LAN switch; the first call wins (one server per app).
    pub fn set_lan(&self, switch: Arc<dyn crate::app::lan::LanSwitch>) {
        let _ = self.lan.set(switch);
    }

    /// The create lane of a platform account on this till, shared by every engine that
    /// drains this ledger as that account (the background engine, a manual "sync now").
    /// It holds when the last create through it was answered.
    pub fn create_lane(&self, account: &str) -> CreateLane {
        let mut lanes = self.create_lanes.lock().unwrap_or_else(|p| p.into_inner());
        lanes.entry(account.to_string()).or_default().clone()
    }

    pub fn display(&self) -> &crate::app::display::DisplayHub {
        &self.display
    }

    /// The LAN switch when `storepos serve` runs this app (none in the desktop shell).
    pub fn lan(&self) -> Option<Arc<dyn crate::app::lan::LanSwitch>> {
        self.lan.get().cloned()
    }

    /// Pairing codes and the device credential key.
    pub fn devices(&self) -> &crate::app::devices::DeviceHub {
        &self.devices
    }

    /// The wake-ups of this app's outbox engines.
    pub fn wakers(&self) -> &Arc<Wakers> {
        &self.wakers
    }

    /// Tells every engine to look at the outbox now (after a commit: a person chose
    /// "retry", say). New outbox rows wake them by themselves.
    pub fn wake_engines(&self) {
        self.wakers.poke();
    }

    /// Runs platform IO from a synchronous command, whatever thread it is on (a Tauri or
    /// axum blocking thread is inside another runtime, where `block_on` would panic): the
    /// future runs on the app's own small IO runtime, made on first use.
    pub fn run_io<T: Send + 'static>(&self, fut: impl std::future::Future<Output = T> + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        self.io_runtime().spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv().expect("io task finished")
    }

    /// The app's IO runtime: synchronous commands' platform calls and the background
    /// engines run on it, whatever thread started them.
    pub fn io_runtime(&self) -> &tokio::runtime::Runtime {
        self.io.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("storepos-io")
                .enable_all()
                .build()
                .expect("io runtime")
        })
    }

    /// The store's platform client for synchronous commands (its login token is reused
    /// across commands); `make` builds it the first time.
    pub fn platform_client<E>(
        &self,
        make: impl FnOnce() -> Result<Arc<crate::clients::platform::client::PlatformClient>, E>,
    ) -> Result<Arc<crate::clients::platform::client::PlatformClient>, E> {
        let mut slot = self.platform.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let c = make()?;
        *slot = Some(c.clone());
        Ok(c)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // An app may be dropped inside another runtime (a test, the server): its own IO
        // runtime must not block there while shutting down.
        if let Some(rt) = self.io.take() {
            rt.shutdown_background();
        }
    }
}

/// The engines' wake-up: a counter every engine watches (a poke is never lost, however
/// many engines run, and a spurious one costs one look at the outbox).
#[derive(Debug)]
pub struct Wakers {
    tx: watch::Sender<u64>,
}

impl Default for Wakers {
    fn default() -> Self {
        Wakers { tx: watch::channel(0).0 }
    }
}

impl Wakers {
    pub fn poke(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }
}
