//! Logging in with a PIN, sessions, and who is at the till.

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, ErrorCode};
use crate::app::auth;
use crate::command;
use crate::ledger::users::{self, User};
use crate::ledger::{journal, now_text, time_text};

pub const COMMANDS: &[super::Command] = &[
    command!("user_list", Access::Public, list_users),
    command!("session_login", Access::Public, login),
    command!("session_logout", Access::Any, logout),
    command!("session_get", Access::Any, whoami),
    command!("store_day_get", Access::Any, store_day),
];

/// The numeric limits the commands enforce, published so screens never keep a copy.
#[derive(Debug, Clone, Copy, Serialize, TS)]
pub struct Limits {
    /// Largest quantity of one line (`sale_create`).
    pub max_quantity: i64,
    /// Most lines in one sale.
    pub max_lines: usize,
    /// Longest remark, memo or reason, in characters.
    pub max_text: usize,
}

pub fn limits() -> Limits {
    Limits {
        max_quantity: crate::domain::order::MAX_QUANTITY,
        max_lines: super::sales::MAX_LINES,
        max_text: super::input::MAX_TEXT,
    }
}

/// The store's day as the backend books it (time zone and cut-off applied): screens ask
/// this instead of working it out from the device's clock.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StoreDay {
    pub business_day: String,
    pub timezone: String,
    pub cutoff_hour: u32,
}

fn store_day(app: &App, _: &Ctx, _: Empty) -> Result<StoreDay, CommandError> {
    let cfg = app.config();
    Ok(StoreDay {
        business_day: cfg.rule.day_of(Utc::now()).to_string(),
        timezone: cfg.timezone,
        cutoff_hour: cfg.cutoff_hour,
    })
}

/// A shift is long; a session outlives it a little, then the PIN is asked again.
const SESSION_HOURS: i64 = 14;

#[derive(Deserialize, TS)]
pub struct Empty {}

fn list_users(app: &App, _: &Ctx, _: Empty) -> Result<Vec<User>, CommandError> {
    Ok(users::list(app.ledger().read())?)
}

#[derive(Deserialize, TS)]
pub struct LoginRequest {
    pub username: String,
    pub pin: String,
}

#[derive(Serialize, TS)]
pub struct LoginResponse {
    pub token: String,
    pub user: User,
    pub till_code: String,
    /// The store's time zone (IANA name): screens show times in it, not the device's.
    pub timezone: String,
    /// Today's business day at the store (time zone and cut-off hour applied).
    pub business_day: String,
    /// Hour at which the store's business day starts (a late bar books 02:00 to yesterday).
    pub cutoff_hour: u32,
    pub limits: Limits,
}

fn bad_credentials() -> CommandError {
    CommandError::new(ErrorCode::Unauthenticated, "用户名或PIN不正确", "wrong username or PIN")
}

fn login(app: &App, _: &Ctx, req: LoginRequest) -> Result<LoginResponse, CommandError> {
    let mut ledger = app.ledger();
    let creds = users::credentials(ledger.read(), &req.username)?.filter(|c| c.active);
    let Some(creds) = creds else {
        // The name is not logged: a mistyped one may be a PIN typed in the wrong field.
        tracing::info!("login refused: no such active user");
        // Same cost as a real check, so timing does not tell which usernames exist.
        let _ = auth::verify_pin(
            &req.pin,
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        );
        return Err(bad_credentials());
    };
    let now = Utc::now();
    if let Some(until) = creds.locked_until.as_deref() {
        if until > time_text(now).as_str() {
            return Err(CommandError::new(
                ErrorCode::RateLimited,
                "PIN 错误次数过多，请稍后再试",
                "too many wrong PINs; try again later",
            )
            .with_details(serde_json::json!({ "locked_until": until })));
        }
    }
    let user = creds.user.clone();
    if !auth::verify_pin(&req.pin, &creds.pin_hash) {
        let failures = creds.failed_attempts + 1;
        let until = auth::lockout_seconds(failures).map(|s| time_text(now + Duration::seconds(s)));
        ledger.write(|tx| -> Result<(), CommandError> {
            users::record_failure(tx, user.id, until.as_deref())?;
            journal::append(
                tx,
                journal::Entry {
                    actor: &user.username,
                    entity: "user",
                    entity_ref: &user.id.to_string(),
                    action: "login_failed",
                    before: None,
                    after: None,
                    detail: Some(format!("attempt {failures}")),
                },
            )?;
            Ok(())
        })?;
        tracing::info!(user = %user.username, failures, "login refused: wrong PIN");
        return Err(bad_credentials());
    }
    let token = auth::new_token();
    let expires = time_text(now + Duration::hours(SESSION_HOURS));
    ledger.write(|tx| -> Result<(), CommandError> {
        users::record_success(tx, user.id)?;
        users::insert_session(tx, &auth::token_hash(&token), user.id, &now_text(), &expires)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &user.username,
                entity: "user",
                entity_ref: &user.id.to_string(),
                action: "login",
                before: None,
                after: None,
                detail: None,
            },
        )?;
        Ok(())
    })?;
    drop(ledger);
    tracing::info!(user = %user.username, role = user.role.as_str(), "logged in");
    let cfg = app.config();
    Ok(LoginResponse {
        token,
        user,
        till_code: cfg.till_code.clone(),
        business_day: cfg.rule.day_of(Utc::now()).to_string(),
        cutoff_hour: cfg.cutoff_hour,
        timezone: cfg.timezone,
        limits: limits(),
    })
}

pub fn user_for_token(app: &App, token: &str) -> Result<Option<User>, CommandError> {
    let u = users::session_user(app.ledger().read(), &auth::token_hash(token), &now_text())?;
    match u {
        Some(u) => Ok(Some(u)),
        None => Err(CommandError::new(
            ErrorCode::Unauthenticated,
            "登录已过期，请重新登录",
            "session expired; log in again",
        )),
    }
}

fn logout(app: &App, ctx: &Ctx, _: Empty) -> Result<super::Ack, CommandError> {
    if let Some(t) = &ctx.token {
        app.ledger().write(|tx| users::delete_session(tx, &auth::token_hash(t)))?;
    }
    Ok(super::Ack {})
}

/// `session_get`: who is logged in, at which till, and the store's day.
#[derive(Debug, Serialize, TS)]
pub struct SessionInfo {
    pub user: User,
    pub till_code: String,
    /// The store's time zone (IANA name).
    pub timezone: String,
    /// Today's business day at the store (time zone and cut-off hour applied).
    pub business_day: String,
    pub cutoff_hour: u32,
    /// The limits the commands enforce (screens take them from here, not a copy).
    pub limits: Limits,
    pub store: crate::app::StoreConfig,
}

fn whoami(app: &App, ctx: &Ctx, _: Empty) -> Result<SessionInfo, CommandError> {
    let cfg = app.config();
    Ok(SessionInfo {
        user: ctx.user()?.clone(),
        till_code: cfg.till_code.clone(),
        timezone: cfg.timezone.clone(),
        business_day: cfg.rule.day_of(Utc::now()).to_string(),
        cutoff_hour: cfg.cutoff_hour,
        limits: limits(),
        store: cfg,
    })
}
