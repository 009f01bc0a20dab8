//! The one command table. Every transport — `storepos call`, `storepos serve`
//! (`POST /api/<command>`), the Tauri shell — goes through [`dispatch`]; nothing else
//! may reach the ledger. Each command is a typed request → typed response or
//! [`CommandError`], JSON in and out, with its role check here, not in a UI.

pub mod contract;

pub mod admin;
pub mod after_sales;
pub mod approvals;
pub mod backup;
pub mod catalog;
pub mod channels;
pub mod devices;
pub mod display;
pub mod drafts;
pub mod input;
pub mod lan;
pub mod logs;
pub mod member;
pub mod orders;
pub mod payments;
pub mod printing;
pub mod sales;
pub mod session;
pub mod shifts;
pub mod stats;
pub mod sync;
pub mod transition;

pub use crate::app::error::{CommandError, ErrorCode};
pub use crate::app::{App, Event, StoreConfig};
pub use lan::{LanStatus, LanSwitch};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::ledger::users::{Role, User};

/// The answer of a command that has nothing to say but "done" (`{}` on the wire).
#[derive(Debug, Clone, Copy, Default, Serialize, ts_rs::TS)]
pub struct Ack {}

/// Who is calling. `user` is None only for public commands. Its `Debug` leaves the
/// session token out (a context may end up in a log line).
#[derive(Clone)]
pub struct Ctx {
    pub user: Option<User>,
    /// The session token the caller presented (for logout).
    pub token: Option<String>,
    /// Set when the request came from an iPad/browser over `storepos serve`.
    pub via_lan: bool,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("user", &self.user)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("via_lan", &self.via_lan)
            .finish()
    }
}

impl Ctx {
    pub fn user(&self) -> Result<&User, CommandError> {
        self.user.as_ref().ok_or_else(CommandError::unauthenticated)
    }
    pub fn actor(&self) -> String {
        self.user.as_ref().map(|u| format!("{}#{}", u.username, u.id)).unwrap_or_else(|| "system".into())
    }
    pub fn system() -> Ctx {
        Ctx { user: None, token: None, via_lan: false }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// No session needed (the login screen).
    Public,
    /// Any logged-in user.
    Any,
    Roles(&'static [Role]),
}

pub const SELLERS: &[Role] = &[Role::Cashier, Role::Clerk, Role::Manager];
pub const CLERKS: &[Role] = &[Role::Clerk, Role::Manager];
pub const MANAGERS: &[Role] = &[Role::Manager];

type Handler = fn(&App, &Ctx, Value) -> Result<Value, CommandError>;

pub struct Command {
    pub name: &'static str,
    pub access: Access,
    pub run: Handler,
    /// The row's request and response types for the UI's contract, taken from the
    /// handler's signature (see [`contract`]).
    pub shape: fn(&mut contract::Collector) -> contract::Shape,
}

pub fn decode<T: DeserializeOwned>(v: Value) -> Result<T, CommandError> {
    // `null` or a missing body means "no arguments".
    let v = if v.is_null() { Value::Object(Default::default()) } else { v };
    serde_json::from_value(v).map_err(|e| {
        CommandError::new(ErrorCode::BadRequest, format!("请求格式不正确：{e}"), format!("malformed request: {e}"))
    })
}

pub fn encode<T: Serialize>(v: T) -> Result<Value, CommandError> {
    serde_json::to_value(v).map_err(|e| CommandError::new(ErrorCode::Internal, "内部错误", e.to_string()))
}

/// Declares a table row from a typed handler `fn(&App, &Ctx, Req) -> Result<Resp, _>`.
#[macro_export]
macro_rules! command {
    ($name:literal, $access:expr, $f:path) => {
        $crate::commands::Command {
            name: $name,
            access: $access,
            run: |app, ctx, v| $crate::commands::encode($f(app, ctx, $crate::commands::decode(v)?)?),
            shape: |c| $crate::commands::contract::describe(c, $f),
        }
    };
}

fn table() -> Vec<&'static [Command]> {
    vec![
        session::COMMANDS,
        catalog::COMMANDS,
        sales::COMMANDS,
        orders::COMMANDS,
        after_sales::COMMANDS,
        approvals::COMMANDS,
        admin::COMMANDS,
        printing::COMMANDS,
        payments::COMMANDS,
        lan::COMMANDS,
        sync::COMMANDS,
        stats::COMMANDS,
        shifts::COMMANDS,
        channels::COMMANDS,
        backup::COMMANDS,
        logs::COMMANDS,
        display::COMMANDS,
        devices::COMMANDS,
        drafts::COMMANDS,
        member::COMMANDS,
    ]
}

/// Every row of the table, in order.
pub fn commands() -> impl Iterator<Item = &'static Command> {
    table().into_iter().flat_map(|t| t.iter())
}

pub fn find(name: &str) -> Option<&'static Command> {
    commands().find(|c| c.name == name)
}

pub fn names() -> Vec<&'static str> {
    commands().map(|c| c.name).collect()
}

/// Runs one command. `session` is the token `session_login` handed out.
pub fn dispatch(
    app: &App,
    session: Option<&str>,
    via_lan: bool,
    name: &str,
    request: Value,
) -> Result<Value, CommandError> {
    let started = std::time::Instant::now();
    // Every line a command logs (a sale's client_ref, a platform call) carries its name
    // and, once the session is checked, the user; the transports' spans add the request id.
    let span = tracing::info_span!("cmd", name, user = tracing::field::Empty);
    let _entered = span.enter();
    let answer = dispatch_inner(app, session, via_lan, name, request);
    log_outcome(&answer, started.elapsed());
    answer
}

/// One line per command: debug when it went as expected (a refusal is the user's, not
/// ours), warn when the fault is the till's (internal, storage), with the code and time.
/// Only the name, code and English message are logged, never the request or answer.
fn log_outcome(answer: &Result<Value, CommandError>, took: std::time::Duration) {
    let ms = took.as_millis() as u64;
    match answer {
        Ok(_) => tracing::debug!(ms, "command ok"),
        Err(e) if matches!(e.code, ErrorCode::Internal | ErrorCode::Storage) => {
            tracing::warn!(code = %code_name(e.code), ms, error = %e.message_en, "command failed")
        }
        Err(e) => tracing::debug!(code = %code_name(e.code), ms, "command refused"),
    }
}

/// The code as it goes over the wire (`not_found`), for log lines.
fn code_name(c: ErrorCode) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn dispatch_inner(
    app: &App,
    session: Option<&str>,
    via_lan: bool,
    name: &str,
    request: Value,
) -> Result<Value, CommandError> {
    let cmd = find(name).ok_or_else(|| {
        CommandError::new(ErrorCode::UnknownCommand, format!("未知命令：{name}"), format!("unknown command: {name}"))
    })?;
    let user = match (session, cmd.access) {
        // A stale token left in a browser tab must not lock it out of the login screen.
        (Some(token), Access::Public) => session::user_for_token(app, token).ok().flatten(),
        (Some(token), _) => session::user_for_token(app, token)?,
        (None, _) => None,
    };
    match (cmd.access, &user) {
        (Access::Public, _) => {}
        (_, None) => return Err(CommandError::unauthenticated()),
        (Access::Any, Some(_)) => {}
        (Access::Roles(roles), Some(u)) if roles.contains(&u.role) => {}
        (Access::Roles(_), Some(_)) => return Err(CommandError::forbidden()),
    }
    if let Some(u) = &user {
        tracing::Span::current().record("user", format!("{}#{}", u.username, u.id));
    }
    let ctx = Ctx { user, token: session.map(str::to_string), via_lan };
    // A panic in a handler must not take the till down: it becomes a typed error and
    // the open transaction is rolled back by SQLite.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (cmd.run)(app, &ctx, request))) {
        // Work a command queued for a platform wakes the engines by itself, once its
        // transaction has committed (`Ledger::on_outbox_commit`).
        Ok(r) => r,
        Err(_) => {
            Err(CommandError::new(ErrorCode::Internal, "内部错误，操作未完成", "internal error; nothing was changed"))
        }
    }
}
