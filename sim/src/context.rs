//! The shared simulator context: configuration, the locked data, RNGs, clock, persistence.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::catalog::{demo_catalog, Product};
use crate::faults::{FaultRng, Faults};
use crate::state::{Account, Data};
use crate::SimError;

/// Which server the simulator imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// What the seed documents say.
    Documented,
    /// What the real server was observed doing (DESIGN.md "Where the real server differs").
    #[default]
    Field,
}

/// Fixed configuration of one simulator run.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub seed: u64,
    pub store_id: u64,
    pub store_name: String,
    pub username: String,
    pub password: String,
    /// 0 = tokens never expire.
    pub token_ttl_s: u64,
    pub state_file: Option<PathBuf>,
    pub online_orders_per_min: f64,
    pub initial_faults: Faults,
    /// Which platform's API is served (`--dialect`).
    pub dialect: crate::dialects::Dialect,
    /// The token of the omni and api dialects.
    pub api_token: String,
}

/// The mutable part, behind one lock (never held across an await).
pub struct Inner {
    pub data: Data,
    pub faults: Faults,
    pub fault_rng: FaultRng,
    /// Business randomness (order number digits, codes, names); seeded, separate from
    /// the fault stream so business draws never shift the fault schedule.
    pub rng: StdRng,
    /// Field mode: per-account create bookkeeping (not persisted).
    pub creates: HashMap<String, AccountCreates>,
    pub next_ticket: u64,
}

/// One account's creates: the last number's instant and the creates in progress.
#[derive(Debug, Default)]
pub struct AccountCreates {
    /// The instant (ms precision) the previous create's number was made from.
    pub last_stamp: Option<DateTime<Utc>>,
    /// Creates in progress: (ticket, overlapped with another create of this account).
    pub inflight: Vec<(u64, bool)>,
}

impl Inner {
    /// A create of `account` starts (before its latency): returns its ticket. Every create
    /// in progress at the same time, this one included, is marked as overlapped.
    pub fn begin_create(&mut self, account: &str) -> u64 {
        self.next_ticket += 1;
        let ticket = self.next_ticket;
        let e = self.creates.entry(account.to_string()).or_default();
        let overlapped = !e.inflight.is_empty();
        if overlapped {
            for x in &mut e.inflight {
                x.1 = true;
            }
        }
        e.inflight.push((ticket, overlapped));
        ticket
    }

    /// Did this create overlap another create of the same account so far?
    pub fn create_overlapped(&self, account: &str, ticket: u64) -> bool {
        self.creates.get(account).and_then(|e| e.inflight.iter().find(|x| x.0 == ticket)).is_some_and(|x| x.1)
    }

    pub fn end_create(&mut self, account: &str, ticket: u64) {
        if let Some(e) = self.creates.get_mut(account) {
            e.inflight.retain(|x| x.0 != ticket);
        }
    }

    /// The account a token belongs to (username), if the token is known.
    pub fn account_of_token(&self, token: &str) -> Option<String> {
        self.data.tokens.iter().find(|t| t.token == token).map(|t| t.username.clone())
    }

    /// The simulator's clock: wall clock moved by `/sim/clock`.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.data.clock_offset_s)
    }
}

pub struct Sim {
    pub cfg: Config,
    pub catalog: Vec<Product>,
    by_id: HashMap<u64, usize>,
    inner: Mutex<Inner>,
}

impl Sim {
    pub fn new(cfg: Config) -> Result<Sim, SimError> {
        let data = match &cfg.state_file {
            Some(p) if p.exists() => load(p)?,
            _ => Data::new(),
        };
        let catalog = demo_catalog();
        let by_id = catalog.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let faults = cfg.initial_faults.clone();
        let inner = Inner {
            data,
            fault_rng: FaultRng::new(faults.seed),
            faults,
            rng: StdRng::seed_from_u64(cfg.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1)),
            creates: HashMap::new(),
            next_ticket: 0,
        };
        let sim = Sim { cfg, catalog, by_id, inner: Mutex::new(inner) };
        // Write the file at once so a parent sees a valid state file from the start; make
        // sure the default account exists (user id 2, as on the real platform).
        sim.mutate(|inner| sim.ensure_default_account(inner));
        Ok(sim)
    }

    fn ensure_default_account(&self, inner: &mut Inner) {
        let accounts = &mut inner.data.accounts;
        match accounts.iter_mut().find(|a| a.username == self.cfg.username) {
            Some(a) => a.password = self.cfg.password.clone(),
            None => accounts.insert(
                0,
                Account {
                    username: self.cfg.username.clone(),
                    password: self.cfg.password.clone(),
                    user_id: crate::DEFAULT_USER_ID,
                },
            ),
        }
    }

    /// The account with this username.
    pub fn account(inner: &Inner, username: &str) -> Option<Account> {
        inner.data.accounts.iter().find(|a| a.username == username).cloned()
    }

    pub fn product(&self, id: u64) -> Option<&Product> {
        self.by_id.get(&id).and_then(|i| self.catalog.get(*i))
    }

    /// Lock for reading (a poisoned lock is still usable: handlers never leave
    /// half-written data because every mutation builds its result before assigning).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run a mutation and persist the result before returning, so that "committed"
    /// means "on disk" when `--state` is set.
    pub fn mutate<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut g = self.lock();
        let r = f(&mut g);
        if let Some(path) = &self.cfg.state_file {
            if let Err(e) = save(path, &g.data) {
                eprintln!("storepos sim: cannot write state file {}: {e}", path.display());
            }
        }
        r
    }

    /// Back to an empty store: no orders, services or codes, clock at wall time, faults
    /// as given on the command line. Tokens and accounts survive so clients stay logged in.
    pub fn reset(&self) {
        self.mutate(|inner| {
            let tokens = std::mem::take(&mut inner.data.tokens);
            let accounts = std::mem::take(&mut inner.data.accounts);
            inner.data = Data::new();
            inner.data.tokens = tokens;
            inner.data.accounts = accounts;
            self.ensure_default_account(inner);
            for c in inner.creates.values_mut() {
                c.last_stamp = None;
            }
            inner.faults = self.cfg.initial_faults.clone();
            inner.fault_rng = FaultRng::new(inner.faults.seed);
        });
    }
}

fn load(path: &Path) -> Result<Data, SimError> {
    let text = std::fs::read_to_string(path).map_err(|e| SimError::State(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| SimError::State(format!("{}: {e}", path.display())))
}

/// Atomic write: temp file in the same directory, fsync, rename over the target.
fn save(path: &Path, data: &Data) -> std::io::Result<()> {
    use std::io::Write;
    let text = serde_json::to_vec_pretty(data).map_err(std::io::Error::other)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
