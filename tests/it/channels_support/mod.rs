//! Shared harness of the channel tests: the primary simulator plus the omni (seed 004)
//! and api (seed 001) simulators on 127.0.0.1, a real ledger on disk, the real clients
//! and workers. No mocks.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use storepos::clients::channels::{self, OrderChannel};
use storepos::engine::channels::{self as worker, ChannelConfig, ChannelRound};
use storepos_sim::{Dialect, Mode, SimArgs, SimHandle};

#[allow(unused_imports)]
pub use crate::sync_support::{call, try_call, Env};

pub const TOKEN: &str = "spos-channel-token";

pub struct Side {
    pub handle: Option<SimHandle>,
    pub args: SimArgs,
    pub base: String,
}

impl Side {
    pub async fn start(args: SimArgs) -> Side {
        let h = storepos_sim::start(args.clone()).await.unwrap();
        let base = h.base_url();
        let mut args = args;
        args.listen = h.addr;
        Side { handle: Some(h), args, base }
    }
    pub async fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
    }
    /// Back on the same port (state reloaded from its file, if any).
    pub async fn restart(&mut self) {
        self.stop().await;
        for _ in 0..100 {
            if let Ok(h) = storepos_sim::start(self.args.clone()).await {
                self.handle = Some(h);
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("simulator did not come back on {}", self.args.listen);
    }
}

pub struct Three {
    pub env: Env,
    pub omni: Side,
    pub api: Side,
    pub ccfg: ChannelConfig,
}

pub async fn three(seed: u64, state_dir: Option<PathBuf>, timeout_ms: u64) -> Three {
    let env = crate::sync_support::env_with(Mode::Field, |a| a.seed = seed).await;
    let mut oa = SimArgs { dialect: Dialect::Omni, seed, ..SimArgs::default() };
    let mut aa = SimArgs { dialect: Dialect::Api, seed: seed + 1000, ..SimArgs::default() };
    if let Some(d) = &state_dir {
        oa.state = Some(d.join("omni.json"));
        aa.state = Some(d.join("api.json"));
    }
    let omni = Side::start(oa).await;
    let api = Side::start(aa).await;
    call(
        &env.app,
        env.manager(),
        "channel_set",
        json!({"channels": [
            {"id": "omni", "dialect": "omni", "url": omni.base, "token": TOKEN, "timeout_ms": timeout_ms},
            {"id": "mall", "dialect": "api", "url": api.base, "token": TOKEN, "timeout_ms": timeout_ms},
        ]}),
    );
    Three { env, omni, api, ccfg: ChannelConfig::fast() }
}

impl Three {
    pub fn channel(&self, id: &str) -> Arc<dyn OrderChannel> {
        let spec = channels::configured(self.env.app.ledger().read()).into_iter().find(|c| c.id == id).unwrap();
        let secret =
            storepos::app::config::load_secrets(self.env.app.data_dir()).unwrap().remove(id).unwrap_or_default();
        channels::build(&spec, &secret, self.env.app.config().store_id).unwrap()
    }
    pub async fn round(&self, id: &str, pull: bool) -> ChannelRound {
        let ch = self.channel(id);
        worker::run_round(&self.env.app, ch.as_ref(), &self.ccfg, pull).await
    }
    pub async fn settle(&self, id: &str) -> ChannelRound {
        let ch = self.channel(id);
        worker::settle(&self.env.app, ch.as_ref(), &self.ccfg, Duration::from_secs(20)).await
    }
    pub async fn get(&self, side: &Side, path: &str) -> Value {
        self.env.http.get(format!("{}{}", side.base, path)).send().await.unwrap().json().await.unwrap()
    }
    pub async fn post(&self, side: &Side, path: &str, body: Value) -> Value {
        let r = self.env.http.post(format!("{}{}", side.base, path)).json(&body).send().await.unwrap();
        let st = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(st.is_success(), "{path}: {st} {v}");
        v
    }
    /// The omni orders carrying `client_ref` as outside_target_id.
    pub async fn omni_orders_for(&self, client_ref: &str) -> Vec<Value> {
        let st = self.get(&self.omni, "/sim/state").await;
        st["orders"].as_array().unwrap().iter().filter(|o| o["outside_target_id"] == client_ref).cloned().collect()
    }
    pub async fn api_order(&self, id: u64) -> Value {
        let st = self.get(&self.api, "/sim/state").await;
        st["orders"].as_array().unwrap().iter().find(|o| o["id"] == id).cloned().unwrap()
    }
    pub async fn shutdown(mut self) {
        self.omni.stop().await;
        self.api.stop().await;
        if let Some(h) = self.env.sim.take() {
            h.shutdown().await;
        }
    }
}

pub fn mirror(env: &Env, channel: &str, client_ref: &str) -> Option<storepos::ledger::channels::MirrorRow> {
    storepos::ledger::channels::by_client_ref(env.app.ledger().read(), channel, client_ref).unwrap()
}
