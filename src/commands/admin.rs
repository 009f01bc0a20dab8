//! The manager's commands: users and PINs, settings.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, ErrorCode, MANAGERS};
use crate::app::auth;
use crate::command;
use crate::ledger::users::{self, Role, User};
use crate::ledger::{journal, settings};

pub const COMMANDS: &[super::Command] = &[
    command!("user_create", Access::Roles(MANAGERS), users_create),
    command!("user_pin_set", Access::Roles(MANAGERS), users_set_pin),
    command!("settings_get", Access::Roles(MANAGERS), settings_get),
    command!("settings_set", Access::Roles(MANAGERS), settings_set),
];

fn bad_pin() -> CommandError {
    CommandError::validation("PIN 必须是 4 到 8 位数字", "PIN must be 4 to 8 digits")
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub pin: String,
}

fn users_create(app: &App, ctx: &Ctx, req: NewUser) -> Result<User, CommandError> {
    if !auth::valid_pin(&req.pin) {
        return Err(bad_pin());
    }
    let name_ok = |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max;
    if !name_ok(&req.username, 32)
        || !req.username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || !name_ok(&req.display_name, 32)
    {
        return Err(CommandError::validation(
            "用户名只能用字母数字下划线，姓名不超过 32 字",
            "username: letters, digits, _; names up to 32 chars",
        ));
    }
    let hash = auth::hash_pin(&req.pin).map_err(|e| CommandError::new(ErrorCode::Internal, "无法保存 PIN", e))?;
    let actor = ctx.actor();
    let mut ledger = app.ledger();
    let id = ledger
        .write(|tx| -> Result<i64, CommandError> {
            let id = users::insert(tx, &req.username, &req.display_name, req.role, &hash)?;
            journal::append(
                tx,
                journal::Entry {
                    actor: &actor,
                    entity: "user",
                    entity_ref: &id.to_string(),
                    action: "create",
                    before: None,
                    after: Some(req.role.as_str()),
                    detail: Some(req.username.clone()),
                },
            )?;
            Ok(id)
        })
        .map_err(|e| match e.code {
            ErrorCode::Storage if e.message_en.contains("UNIQUE") => {
                CommandError::new(ErrorCode::Conflict, "用户名已存在", "username already exists")
            }
            _ => e,
        })?;
    Ok(users::get(ledger.read(), id)?.expect("just inserted"))
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetPin {
    pub user_id: i64,
    pub pin: String,
}

fn users_set_pin(app: &App, ctx: &Ctx, req: SetPin) -> Result<super::Ack, CommandError> {
    if !auth::valid_pin(&req.pin) {
        return Err(bad_pin());
    }
    let hash = auth::hash_pin(&req.pin).map_err(|e| CommandError::new(ErrorCode::Internal, "无法保存 PIN", e))?;
    let actor = ctx.actor();
    let found = app.ledger().write(|tx| -> Result<bool, CommandError> {
        let ok = users::set_pin(tx, req.user_id, &hash)?;
        if ok {
            // Whoever knew the old PIN is signed out everywhere: each of that user's windows
            // gets `unauthenticated` on its next call and returns to the login screen.
            users::end_sessions_of(tx, req.user_id)?;
            journal::append(
                tx,
                journal::Entry {
                    actor: &actor,
                    entity: "user",
                    entity_ref: &req.user_id.to_string(),
                    action: "set_pin",
                    before: None,
                    after: None,
                    detail: None,
                },
            )?;
        }
        Ok(ok)
    })?;
    if !found {
        return Err(CommandError::not_found("用户不存在", "no such user"));
    }
    Ok(super::Ack {})
}

/// Settings people may change here, with a check of each value's shape. Secrets (the
/// platform password) are not settable or readable through commands.
/// `store_id`, `store_name` and `till_code` are the identity: set once by `storepos init` and
/// read-only here (a changed store id would send sales to another store; a changed till
/// code would restart local numbers under another name).
const SETTABLE: &[&str] = &[
    "timezone",
    "cutoff_hour",
    "receipt_footer",
    "printers",
    "cash_rounding",
    super::approvals::RULES_SETTING,
    "blind_close",
    "kitchen_print_on_order",
    super::sales::MOLING_UNIT_SETTING,
];

/// Settings shown read-only: the store's and the till's identity, set by `storepos init`
/// (the store name travels to the platform with every order and heads every receipt and Z).
pub const READ_ONLY: &[&str] = &["store_id", "store_name", "till_code"];

/// `settings_get`: the settable keys as stored (each its own JSON shape), and the
/// configuration in effect.
#[derive(Debug, Serialize, TS)]
pub struct SettingsView {
    pub settings: std::collections::BTreeMap<String, serde_json::Value>,
    pub effective: crate::app::StoreConfig,
}

fn settings_get(app: &App, _: &Ctx, _: super::session::Empty) -> Result<SettingsView, CommandError> {
    let all = settings::all(app.ledger().read())?;
    let mut settings: std::collections::BTreeMap<String, serde_json::Value> =
        all.into_iter().filter(|(k, _)| SETTABLE.contains(&k.as_str()) || READ_ONLY.contains(&k.as_str())).collect();
    // The rules in effect, defaults included, so the screen shows every one of them.
    let rules = super::approvals::rules(app.ledger().read())?;
    settings.insert(super::approvals::RULES_SETTING.into(), serde_json::to_value(rules).unwrap_or_default());
    settings.entry("blind_close".into()).or_insert(serde_json::Value::Bool(false));
    Ok(SettingsView { settings, effective: app.config() })
}

#[derive(Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetSetting {
    pub key: String,
    pub value: serde_json::Value,
}

/// The typed refusal of a change to the store's or till's identity: `illegal_action`
/// with `details.reason = "identity_read_only"` and the key.
fn identity_read_only(key: &str) -> CommandError {
    let (zh, en) = match key {
        "store_id" => ("平台门店编号", "the platform store id"),
        "store_name" => ("门店名称", "the store name"),
        _ => ("收银台编号", "the till code"),
    };
    CommandError::new(
        ErrorCode::IllegalAction,
        format!("{zh}是门店和本机的身份，初始化后不能修改"),
        format!("{en} is the store's and till's identity and cannot be changed after init"),
    )
    .with_details(serde_json::json!({ "reason": "identity_read_only", "key": key }))
}

fn check_setting(key: &str, v: &serde_json::Value) -> Result<(), CommandError> {
    let ok = match key {
        "store_name" | "receipt_footer" => v.as_str().is_some_and(|s| s.chars().count() <= 64),
        "store_id" => v.as_i64().is_some_and(|n| n > 0),
        "till_code" => v.as_str().is_some_and(crate::domain::local_number::valid_till_code),
        "timezone" => v.as_str().is_some_and(|s| s.parse::<chrono_tz::Tz>().is_ok()),
        "cutoff_hour" => v.as_u64().is_some_and(|h| h <= 23),
        "cash_rounding" | "blind_close" | "kitchen_print_on_order" => v.is_boolean(),
        "moling_unit" => serde_json::from_value::<crate::domain::discount::MolingUnit>(v.clone()).is_ok(),
        "approval_rules" => serde_json::from_value::<crate::domain::approval::Rules>(v.clone()).is_ok(),
        "printers" => serde_json::from_value::<Vec<crate::services::printing::PrinterConfig>>(v.clone()).is_ok(),
        _ => false,
    };
    if READ_ONLY.contains(&key) {
        return Err(identity_read_only(key));
    }
    if !SETTABLE.contains(&key) {
        return Err(CommandError::validation(
            format!("不能修改设置「{key}」"),
            format!("setting {key:?} cannot be changed here"),
        ));
    }
    if !ok {
        return Err(CommandError::validation(format!("设置「{key}」的值无效"), format!("invalid value for {key:?}")));
    }
    Ok(())
}

fn settings_set(app: &App, ctx: &Ctx, req: SetSetting) -> Result<SetSetting, CommandError> {
    check_setting(&req.key, &req.value)?;
    let actor = ctx.actor();
    app.ledger().write(|tx| -> Result<(), CommandError> {
        let before = settings::set(tx, &req.key, &req.value)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "setting",
                entity_ref: &req.key,
                action: "set",
                before: before.map(|b| b.to_string()).as_deref(),
                after: Some(&req.value.to_string()),
                detail: None,
            },
        )?;
        Ok(())
    })?;
    app.reload_config()?;
    Ok(req)
}
