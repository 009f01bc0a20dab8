//! `lan_status_get` / `lan_set`: whether the till is open to the store LAN (HTTPS, paired
//! devices only), at which address, and with which store CA. The switch itself belongs to
//! the transport (`storepos serve`); the desktop shell has none and says so.

use serde::Deserialize;
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, ErrorCode, MANAGERS};
pub use crate::app::lan::{LanStatus, LanSwitch, CA_CERT_PATH, CA_PROFILE_PATH};
use crate::command;

pub const COMMANDS: &[super::Command] = &[
    command!("lan_status_get", Access::Roles(MANAGERS), lan_status),
    command!("lan_set", Access::Roles(MANAGERS), lan_set),
];

#[derive(Deserialize, TS)]
pub struct Empty {}

fn lan_status(app: &App, _: &Ctx, _: Empty) -> Result<LanStatus, CommandError> {
    Ok(app.lan().map(|l| l.status()).unwrap_or_else(LanStatus::unavailable))
}

#[derive(Deserialize, TS)]
pub struct LanSetRequest {
    pub enabled: bool,
}

fn lan_set(app: &App, ctx: &Ctx, req: LanSetRequest) -> Result<LanStatus, CommandError> {
    let Some(switch) = app.lan() else {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            "只有 storepos serve 能开启局域网访问",
            "only storepos serve can open the till to the LAN",
        ));
    };
    if !req.enabled {
        app.devices().withdraw_code();
    }
    let st = switch.set(req.enabled)?;
    tracing::info!(enabled = st.enabled, by = %ctx.actor(), "LAN switched");
    Ok(st)
}
