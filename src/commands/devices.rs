//! Devices on the store LAN (issue 24): the manager shows a one-time code (a QR on the
//! till), the iPad trades it for its own credential, the manager lists and revokes devices.
//! People still sign in with their PIN on the device; the credential only says which iPad
//! it is. The HTTP check of the credential is the server's (`pairing` module).

use std::time::Instant;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, Ack, App, CommandError, Ctx, ErrorCode, Event, MANAGERS};
use crate::app::devices::{CodeRefusal, CODE_TTL};
use crate::command;
use crate::ledger::devices::{self, Device};
use crate::ledger::{journal, now_text, time_text};

pub const COMMANDS: &[super::Command] = &[
    command!("device_pairing_start", Access::Roles(MANAGERS), pairing_start),
    command!("device_pair", Access::Public, pair),
    command!("device_list", Access::Roles(MANAGERS), list),
    command!("device_revoke", Access::Roles(MANAGERS), revoke),
];

/// Longest device name, in characters.
pub const MAX_NAME: usize = 40;

#[derive(Deserialize, TS)]
pub struct Empty {}

/// The code a manager shows; the QR carries `url`.
#[derive(Serialize, TS)]
pub struct PairingCode {
    pub code: String,
    /// `https://IP:port/?pair=CODE`: what the iPad's camera opens.
    pub url: String,
    /// The QR of `url`, drawn by the server.
    pub qr_svg: String,
    pub expires_at: String,
    pub ttl_seconds: u64,
}

fn io_error(e: std::io::Error) -> CommandError {
    CommandError::new(ErrorCode::Storage, "设备密钥文件无法读写", format!("the device key file: {e}"))
}

fn pairing_start(app: &App, ctx: &Ctx, _: Empty) -> Result<PairingCode, CommandError> {
    let url = app.lan().map(|l| l.status()).filter(|s| s.enabled).and_then(|s| s.url);
    let Some(base) = url else {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            "请先开启局域网访问，再配对设备",
            "switch the LAN on before pairing a device",
        ));
    };
    let code = app.devices().new_code(&ctx.actor(), Instant::now());
    let url = format!("{base}/?pair={code}");
    let expires = chrono::Utc::now() + chrono::Duration::from_std(CODE_TTL).expect("5 min");
    Ok(PairingCode {
        qr_svg: crate::services::payments::qr_svg(&url)?,
        code,
        url,
        expires_at: time_text(expires),
        ttl_seconds: CODE_TTL.as_secs(),
    })
}

#[derive(Deserialize, TS)]
pub struct DevicePairRequest {
    pub code: String,
    /// What the manager will see in 设备 ("收银台 iPad 1").
    pub name: String,
}

/// No `Debug`: the credential is a secret.
#[derive(Serialize, TS)]
pub struct DevicePairResponse {
    /// Send it as `X-Storepos-Device` on every LAN request (`?device=` on the event stream).
    pub credential: String,
    pub device: Device,
}

fn pair(app: &App, _: &Ctx, req: DevicePairRequest) -> Result<DevicePairResponse, CommandError> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(CommandError::validation(
            format!("设备名称须为 1 到 {MAX_NAME} 个字"),
            format!("the device name must be 1 to {MAX_NAME} characters"),
        ));
    }
    let by = app.devices().take_code(&req.code, Instant::now()).map_err(|r| match r {
        CodeRefusal::Invalid => CommandError::new(
            ErrorCode::Validation,
            "配对码无效或已过期，请在收银台重新生成",
            "the pairing code is wrong, used or expired: show a new one on the till",
        ),
        CodeRefusal::Withdrawn => CommandError::new(
            ErrorCode::RateLimited,
            "配对码输错次数过多，已作废，请在收银台重新生成",
            "too many wrong codes: that code was withdrawn, show a new one on the till",
        ),
    })?;
    let credential = crate::app::auth::new_token();
    let hash = app.devices().credential_hash(&credential).map_err(io_error)?;
    let at = now_text();
    let device = app.ledger().write(|tx| {
        let id = devices::insert(tx, name, &hash, &at, &by)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &by,
                entity: "device",
                entity_ref: &id.to_string(),
                action: "pair",
                before: None,
                after: Some(name),
                detail: None,
            },
        )?;
        devices::get(tx, id)?.ok_or_else(|| CommandError::new(ErrorCode::Internal, "内部错误", "device row vanished"))
    })?;
    tracing::info!(device = device.id, "device paired");
    Ok(DevicePairResponse { credential, device })
}

fn list(app: &App, _: &Ctx, _: Empty) -> Result<Vec<Device>, CommandError> {
    Ok(devices::list(app.ledger().read())?)
}

#[derive(Deserialize, TS)]
pub struct DeviceRevokeRequest {
    pub id: i64,
}

fn revoke(app: &App, ctx: &Ctx, req: DeviceRevokeRequest) -> Result<Ack, CommandError> {
    let actor = ctx.actor();
    let done = app.ledger().write(|tx| {
        let done = devices::revoke(tx, req.id, &now_text(), &actor)?;
        if done {
            journal::append(
                tx,
                journal::Entry {
                    actor: &actor,
                    entity: "device",
                    entity_ref: &req.id.to_string(),
                    action: "revoke",
                    before: None,
                    after: None,
                    detail: None,
                },
            )?;
        }
        Ok::<_, CommandError>(done)
    })?;
    if !done {
        return Err(CommandError::new(ErrorCode::NotFound, "没有这台设备，或已撤销", "no such live device"));
    }
    // After the commit: the server ends the device's event stream on this.
    app.publish(Event::DeviceRevoked { device_id: req.id });
    tracing::info!(device = req.id, "device revoked");
    Ok(Ack {})
}

/// The live device holding `credential`, for the transport's check. Notes the request as
/// its last-seen time (at most once a minute).
///
/// Errors: the key file cannot be read (storage), the ledger cannot be read.
pub fn device_for_credential(app: &App, credential: &str) -> Result<Option<Device>, CommandError> {
    let hash = app.devices().credential_hash(credential).map_err(io_error)?;
    let found = devices::live_by_hash(app.ledger().read(), &hash)?;
    if let Some(d) = &found {
        let now = chrono::Utc::now();
        let stale = time_text(now - chrono::Duration::seconds(60));
        if d.last_seen_at.as_deref().is_none_or(|t| t < stale.as_str()) {
            // A failed touch must not refuse the request: it is bookkeeping.
            let _ = app.ledger().write(|tx| devices::touch(tx, d.id, &time_text(now), &stale));
        }
    }
    Ok(found)
}
