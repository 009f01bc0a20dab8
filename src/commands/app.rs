//! The application state every command runs against: the ledger, the store's
//! configuration, and the event bus transports forward to screens.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, RwLock};

use serde::Serialize;
use tokio::sync::broadcast;

use super::error::CommandError;
use crate::domain::business_day::BusinessDayRule;
use crate::ledger::{settings, Ledger, LedgerError};

/// Store-level configuration, read from the ledger's settings.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    OrderChanged { client_ref: String, status: String },
    OnlineOrder { client_ref: String, local_number: String, channel: String },
    Sync { online: bool, outbox_depth: i64, conflicts: i64 },
    PrintJob { id: i64, state: String },
    Conflict { client_ref: String, message: String },
}

pub struct App {
    ledger: Mutex<Ledger>,
    config: RwLock<StoreConfig>,
    data_dir: PathBuf,
    events: broadcast::Sender<Event>,
    /// Set once by `storepos serve --lan` after it binds (read by `lan_status`).
    lan: OnceLock<super::LanInfo>,
    /// The customer display's state and pairing (memory; the token hash on disk).
    display: crate::display::DisplayHub,
}

impl App {
    pub fn open(data_dir: &Path) -> Result<App, CommandError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            CommandError::new(super::ErrorCode::Storage, format!("无法创建数据目录 {}", data_dir.display()), e.to_string())
        })?;
        let ledger = Ledger::open(&data_dir.join("storepos.db"))?;
        Self::from_ledger(ledger, data_dir)
    }

    pub fn from_ledger(ledger: Ledger, data_dir: &Path) -> Result<App, CommandError> {
        let config = StoreConfig::load(&ledger)?;
        let (events, _) = broadcast::channel(256);
        let display = crate::display::DisplayHub::new(data_dir);
        Ok(App { ledger: Mutex::new(ledger), config: RwLock::new(config), data_dir: data_dir.to_path_buf(), events, lan: OnceLock::new(), display })
    }

    /// The ledger, exclusively. A poisoned lock only means another thread panicked
    /// mid-command; SQLite rolled that transaction back, so the data is sound.
    pub fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn config(&self) -> StoreConfig {
        self.config.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn reload_config(&self) -> Result<(), CommandError> {
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

    /// Records LAN mode's token and URL; the first call wins (one server per app).
    pub fn set_lan(&self, info: super::LanInfo) {
        let _ = self.lan.set(info);
    }

    pub fn display(&self) -> &crate::display::DisplayHub {
        &self.display
    }

    /// LAN mode's token and URL when `storepos serve --lan` runs this app.
    pub fn lan(&self) -> Option<super::LanInfo> {
        self.lan.get().cloned()
    }
}
