//! A demo store on a real ledger in a temp dir, its three demo users signed in, driven
//! through the command table: the suites about the counter's money share it.

use serde_json::{json, Value};
use storepos::commands::{dispatch, App, CommandError};
use storepos::services::setup::{init_store, InitOptions};

pub struct Store {
    _dir: tempfile::TempDir,
    pub app: App,
    pub cashier: String,
    pub clerk: String,
    pub manager: String,
}

pub fn login(app: &App, u: &str, pin: &str) -> String {
    dispatch(app, None, false, "session_login", json!({ "username": u, "pin": pin })).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

impl Store {
    pub fn new() -> Store {
        let dir = tempfile::tempdir().unwrap();
        let app = init_store(dir.path(), &InitOptions::default()).unwrap();
        let cashier = login(&app, "cashier", "1111");
        let clerk = login(&app, "clerk", "2222");
        let manager = login(&app, "manager", "9999");
        Store { _dir: dir, app, cashier, clerk, manager }
    }
    pub fn call(&self, tok: &str, name: &str, body: Value) -> Result<Value, CommandError> {
        dispatch(&self.app, Some(tok), false, name, body)
    }
    pub fn ok(&self, tok: &str, name: &str, body: Value) -> Value {
        self.call(tok, name, body).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }
    pub fn err(&self, tok: &str, name: &str, body: Value) -> CommandError {
        match self.call(tok, name, body) {
            Ok(v) => panic!("{name} should have been refused, answered {v}"),
            Err(e) => e,
        }
    }
    /// The manager approves, over the shoulder of `tok`'s user, what the refusal asked for.
    pub fn grant(&self, tok: &str, refusal: &CommandError) -> String {
        let d = refusal.details.clone().expect("approval_required names what to approve");
        self.ok(
            tok,
            "approval_grant",
            json!({ "rule": d["rule"], "subject": d["subject"], "amount": d["amount"], "manager_username": "manager", "manager_pin": "9999" }),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}
