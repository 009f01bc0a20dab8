//! Test harness: a real simulator on 127.0.0.1 and a reqwest client.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{json, Value};
use storepos_sim::{start, Mode, SimArgs, SimHandle};

pub struct T {
    pub h: SimHandle,
    pub c: reqwest::Client,
    pub base: String,
    pub token: String,
}

pub struct Resp {
    pub status: u16,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn code(&self) -> i64 {
        self.json()["status_code"].as_i64().unwrap_or(-1)
    }
    pub fn message(&self) -> String {
        self.json()["message"].as_str().unwrap_or_default().to_string()
    }
    pub fn data(&self) -> Value {
        let v = self.json();
        assert_eq!(v["status_code"], json!(0), "not a success: {}", self.text);
        v["data"].clone()
    }
}

pub async fn sim(mode: Mode) -> T {
    sim_with(mode, |_| {}).await
}

pub async fn sim_with(mode: Mode, tweak: impl FnOnce(&mut SimArgs)) -> T {
    let mut args = SimArgs { mode, ..SimArgs::default() };
    tweak(&mut args);
    let h = start(args).await.expect("sim starts");
    let c = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let base = h.base_url();
    let mut t = T { h, c, base, token: String::new() };
    let r = t.post_noauth("/rest/login", json!({"username": "store1", "password": "store1pass"})).await;
    t.token = r.data()["access_token"].as_str().unwrap().to_string();
    t
}

async fn finish(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    Resp { status, text }
}

impl T {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
    pub async fn get(&self, path: &str) -> Resp {
        finish(self.c.get(self.url(path)).header("Authorization", &self.token).send().await.unwrap()).await
    }
    pub async fn get_noauth(&self, path: &str) -> Resp {
        finish(self.c.get(self.url(path)).send().await.unwrap()).await
    }
    pub async fn get_with(&self, path: &str, auth: &str) -> Resp {
        finish(self.c.get(self.url(path)).header("Authorization", auth).send().await.unwrap()).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        finish(self.c.post(self.url(path)).header("Authorization", &self.token).json(&body).send().await.unwrap()).await
    }
    pub async fn post_noauth(&self, path: &str, body: Value) -> Resp {
        finish(self.c.post(self.url(path)).json(&body).send().await.unwrap()).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        finish(self.c.put(self.url(path)).header("Authorization", &self.token).json(&body).send().await.unwrap()).await
    }
    pub async fn faults(&self, body: Value) -> Value {
        self.post_noauth("/sim/faults", body).await.json()
    }
    pub async fn state(&self) -> Value {
        self.get_noauth("/sim/state").await.json()
    }
    pub async fn state_order(&self, number: &str) -> Value {
        self.state().await["orders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["order_number"] == number)
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// A counter order; returns its detail. Waits 2 ms first: field-mode numbers are the
    /// creating millisecond + the user id, so two back-to-back creates on loopback can
    /// share a number (tests of that use `create_raw`).
    pub async fn counter_order(&self, items: Value, remark: &str) -> Value {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        let r = self
            .post(
                "/rest/store/order",
                json!({"store_id": 1, "store_name": "总店", "payment_type": "STORE", "remark": remark, "order_items": items}),
            )
            .await;
        r.data()
    }
    pub async fn online_order(&self, delivery: &str, items: Option<Value>) -> Value {
        let mut body = json!({"delivery_type": delivery});
        if let Some(i) = items {
            body["items"] = i;
        }
        self.post_noauth("/sim/online-order", body).await.data()
    }
    pub async fn act(&self, number: &str, action: &str) -> Resp {
        self.put(&format!("/rest/store/order/{number}"), json!({"store_id": "1", "action": action})).await
    }
    pub async fn status_of(&self, number: &str) -> String {
        self.get(&format!("/rest/store/order/{number}")).await.data()["status"].as_str().unwrap().to_string()
    }
}

/// Id of the first catalog product with this name.
pub fn pid(name: &str) -> u64 {
    storepos_sim::demo_catalog().iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no product {name}")).id
}

/// The JSON number exactly as sent.
pub fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => panic!("not a number: {other}"),
    }
}
