//! Shared harness of the sync tests: a real simulator on 127.0.0.1, a real ledger on
//! disk (from `init_store`), the real client and engine. No mocks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{json, Value};
use storepos::clients::platform::client::{ClientConfig, PlatformClient};
use storepos::commands::{dispatch, App};
use storepos::engine::platform::{settle, SyncConfig};
use storepos::services::setup::{init_store, InitOptions};
use storepos_sim::{Mode, SimArgs, SimHandle};

/// A ledger made once per test binary (Argon2 hashing of the demo users and their
/// logins is the slow part), copied for each test: sessions survive the copy.
pub struct Template {
    pub dir: tempfile::TempDir,
    pub cashier: String,
    pub clerk: String,
    pub manager: String,
}

pub fn template() -> &'static Template {
    static T: OnceLock<Template> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let tokens = {
            let app = init_store(dir.path(), &InitOptions::default()).unwrap();
            let login = |u: &str, p: &str| {
                dispatch(&app, None, false, "session_login", json!({"username": u, "pin": p})).unwrap()["token"]
                    .as_str()
                    .unwrap()
                    .to_string()
            };
            let tokens = (login("cashier", "1111"), login("clerk", "2222"), login("manager", "9999"));
            // Money is taken only in an open shift: every store copied from here has one.
            dispatch(&app, Some(&tokens.0), false, "shift_open", json!({"float": "0"})).unwrap();
            tokens
        };
        // The App is dropped: SQLite checkpointed the WAL into the main file.
        Template { dir, cashier: tokens.0, clerk: tokens.1, manager: tokens.2 }
    })
}

/// A fresh store directory holding a copy of the template ledger.
pub fn fresh_store() -> (tempfile::TempDir, PathBuf) {
    let t = template();
    let base =
        if Path::new("/dev/shm").is_dir() { tempfile::tempdir_in("/dev/shm") } else { tempfile::tempdir() }.unwrap();
    let p = base.path().to_path_buf();
    std::fs::copy(t.dir.path().join("storepos.db"), p.join("storepos.db")).unwrap();
    (base, p)
}

pub struct Env {
    pub mode: Mode,
    pub sim: Option<SimHandle>,
    pub base: String,
    pub app: Arc<App>,
    pub client: PlatformClient,
    pub cfg: SyncConfig,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn client_for(base: &str, timeout_ms: u64) -> PlatformClient {
    let cc = ClientConfig::new(base, "store1", "store1pass", 1, "龙门客栈便利店")
        .with_timeouts(Duration::from_millis(timeout_ms.min(1000)), Duration::from_millis(timeout_ms));
    PlatformClient::new(cc).unwrap()
}

pub async fn env(mode: Mode) -> Env {
    env_with(mode, |_| {}).await
}

pub async fn env_with(mode: Mode, tweak: impl FnOnce(&mut SimArgs)) -> Env {
    let mut args = SimArgs { mode, ..SimArgs::default() };
    tweak(&mut args);
    let sim = storepos_sim::start(args).await.unwrap();
    let base = sim.base_url();
    let (dir, path) = fresh_store();
    let app = Arc::new(App::open(&path).unwrap());
    // The after-sales rules follow the platform the till talks to (issue 14).
    let platform_mode = if mode == Mode::Documented { "documented" } else { "field" };
    app.ledger()
        .write(|tx| storepos::ledger::settings::set(tx, "platform_mode", &serde_json::json!(platform_mode)).map(|_| ()))
        .unwrap();
    Env {
        mode,
        base: base.clone(),
        sim: Some(sim),
        app,
        client: client_for(&base, 2000),
        cfg: SyncConfig::fast(),
        // No pooled connections: a restarted simulator would leave a dead one behind
        // (hyper then fails the next request with IncompleteMessage).
        http: reqwest::Client::builder().timeout(Duration::from_secs(20)).pool_max_idle_per_host(0).build().unwrap(),
        dir,
        path,
    }
}

pub fn call(app: &App, token: &str, name: &str, req: Value) -> Value {
    dispatch(app, Some(token), false, name, req).unwrap_or_else(|e| panic!("{name} failed: {e:?}"))
}

pub fn try_call(app: &App, token: &str, name: &str, req: Value) -> Result<Value, storepos::commands::CommandError> {
    dispatch(app, Some(token), false, name, req)
}

impl Env {
    pub fn cashier(&self) -> &'static str {
        &template().cashier
    }
    pub fn clerk(&self) -> &'static str {
        &template().clerk
    }
    pub fn manager(&self) -> &'static str {
        &template().manager
    }

    /// Demo products without specifications.
    pub fn plain_products(&self) -> Vec<(i64, String)> {
        storepos::ledger::catalog::list(self.app.ledger().read(), None)
            .unwrap()
            .into_iter()
            .filter(|p| p.specifications.is_empty())
            .map(|p| (p.id, p.price.to_string()))
            .collect()
    }

    /// A counter sale; returns (client_ref, total).
    pub fn sale(&self, product: i64, qty: i64, remark: &str) -> (String, String) {
        let o = call(
            &self.app,
            self.cashier(),
            "sale_create",
            json!({"lines": [{"product_id": product, "quantity": qty}], "remark": remark}),
        );
        (o["client_ref"].as_str().unwrap().to_string(), o["total"].as_str().unwrap().to_string())
    }

    pub fn pay_cash(&self, client_ref: &str, total: &str) {
        call(&self.app, self.cashier(), "sale_cash_pay", json!({"client_ref": client_ref, "tendered": total}));
    }

    pub fn cancel(&self, client_ref: &str) {
        call(&self.app, self.cashier(), "order_cancel", json!({"client_ref": client_ref}));
    }

    pub fn order(&self, client_ref: &str) -> Value {
        call(&self.app, self.cashier(), "order_get", json!({"client_ref": client_ref}))
    }

    pub fn action(&self, client_ref: &str, action: &str) -> Value {
        call(&self.app, self.clerk(), "order_action_apply", json!({"client_ref": client_ref, "action": action}))
    }

    pub async fn sim_get(&self, path: &str) -> Value {
        self.http.get(format!("{}{}", self.base, path)).send().await.unwrap().json().await.unwrap()
    }

    pub async fn sim_post(&self, path: &str, body: Value) -> Value {
        let r = self.http.post(format!("{}{}", self.base, path)).json(&body).send().await.unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }

    /// A paid online order on the platform; returns its order number.
    pub async fn online_order(&self, delivery: &str, items: Value) -> String {
        let v = self.sim_post("/sim/online-order", json!({"delivery_type": delivery, "items": items, "contact_user": "王伟", "phone": "13800000000", "remark": "不要加辣椒"})).await;
        v["data"]["order_number"].as_str().unwrap().to_string()
    }

    pub async fn state(&self) -> Value {
        self.sim_get("/sim/state").await
    }

    pub async fn settle(&self) -> storepos::engine::platform::RoundSummary {
        settle(&self.app, &self.client, &self.cfg, Duration::from_secs(20)).await
    }

    pub async fn round(&self) -> storepos::engine::platform::RoundSummary {
        storepos::engine::platform::run_round(&self.app, &self.client, &self.cfg).await
    }

    /// The local order (by client_ref) that pulled the platform order `number`.
    pub fn by_number(&self, number: &str) -> Option<storepos::domain::order::Order> {
        storepos::ledger::orders::by_order_number(self.app.ledger().read(), number).unwrap()
    }
}

/// Platform orders carrying `[spos:client_ref]` in their remark.
pub fn platform_orders_for<'a>(state: &'a Value, client_ref: &str) -> Vec<&'a Value> {
    state["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["remark"].as_str().and_then(storepos::domain::order::parse_client_ref_marker) == Some(client_ref))
        .collect()
}

pub fn platform_order<'a>(state: &'a Value, number: &str) -> &'a Value {
    state["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["order_number"] == number)
        .unwrap_or_else(|| panic!("no platform order {number}"))
}

pub const MODES: [Mode; 2] = [Mode::Documented, Mode::Field];

/// A client of the simulator's store under another platform account.
pub fn client_as(base: &str, username: &str, password: &str, timeout_ms: u64) -> PlatformClient {
    let cc = ClientConfig::new(base, username, password, 1, "龙门客栈便利店")
        .with_timeouts(Duration::from_millis(timeout_ms.min(1000)), Duration::from_millis(timeout_ms));
    PlatformClient::new(cc).unwrap()
}

/// The platform's promise for one local sale, checked against the simulator's state:
/// * a sale in conflict is recorded (held op, journal) and has at most one live order;
/// * a sale kept on this till only has no live order;
/// * otherwise its local number reaches — as the platform resolves numbers, the first
///   order stored with it — an order carrying this sale's marker, in `want` status;
/// * every other platform order carrying the marker is a stray the ledger recorded.
///
/// Returns "conflict", "local" or "synced".
pub fn check_exactly_once(app: &App, state: &Value, client_ref: &str, want: &str) -> Result<&'static str, String> {
    use storepos::domain::order::{parse_client_ref_marker, SyncState};
    let local = storepos::ledger::orders::require(app.ledger().read(), client_ref).map_err(|e| e.to_string())?;
    let all = state["orders"].as_array().ok_or("no orders in state")?;
    let on: Vec<&Value> =
        all.iter().filter(|o| o["remark"].as_str().and_then(parse_client_ref_marker) == Some(client_ref)).collect();
    let strays: Vec<String> = storepos::ledger::outbox::strays(app.ledger().read(), true)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|s| s.client_ref == client_ref)
        .map(|s| s.order_number)
        .collect();
    let describe = || {
        format!(
            "local {:?} {:?} number {:?}; platform {:?}; strays {strays:?}",
            local.status,
            local.sync_state,
            local.order_number,
            on.iter()
                .map(|o| (o["order_number"].clone(), o["remark"].clone(), o["status"].clone()))
                .collect::<Vec<_>>()
        )
    };
    match local.sync_state {
        SyncState::Conflict => {
            let rows =
                storepos::ledger::outbox::list_stream(app.ledger().read(), client_ref).map_err(|e| e.to_string())?;
            if !rows.iter().any(|x| x.state == "conflict") {
                return Err(format!("conflict without a held op: {}", describe()));
            }
            let j = storepos::ledger::journal::list(app.ledger().read(), Some(client_ref), None, 200)
                .map_err(|e| e.to_string())?;
            if !j.iter().any(|x| x.action == "sync_conflict") {
                return Err(format!("conflict not journaled: {}", describe()));
            }
            if on.len() > 1 + strays.len() {
                return Err(format!("more platform orders than one plus recorded strays: {}", describe()));
            }
            Ok("conflict")
        }
        SyncState::Local => {
            if on.len() > strays.len() {
                return Err(format!("kept local, yet live on the platform: {}", describe()));
            }
            Ok("local")
        }
        SyncState::Pending => Err(format!("not settled: {}", describe())),
        SyncState::Synced => {
            let n = local.order_number.clone().ok_or_else(|| format!("synced without a number: {}", describe()))?;
            // The platform resolves a number to the first order stored with it.
            let reached = all
                .iter()
                .find(|o| o["order_number"] == n.as_str())
                .ok_or_else(|| format!("number reaches nothing: {}", describe()))?;
            if reached["remark"].as_str().and_then(parse_client_ref_marker) != Some(client_ref) {
                return Err(format!("local number {n} reaches another order ({}): {}", reached["remark"], describe()));
            }
            if reached["status"] != want || local.status.as_str() != want {
                return Err(format!(
                    "status: platform {} local {} want {want}: {}",
                    reached["status"],
                    local.status.as_str(),
                    describe()
                ));
            }
            if on.len() != 1 + strays.len() {
                return Err(format!(
                    "{} platform orders carry the marker, {} strays recorded: {}",
                    on.len(),
                    strays.len(),
                    describe()
                ));
            }
            for o in &on {
                let num = o["order_number"].as_str().unwrap_or_default();
                if !std::ptr::eq(*o, reached) && !strays.iter().any(|s| s == num) {
                    return Err(format!(
                        "platform order {num} carries the marker but is neither ours nor a recorded stray: {}",
                        describe()
                    ));
                }
            }
            Ok("synced")
        }
    }
}
