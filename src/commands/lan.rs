//! `lan_status_get`: whether `storepos serve --lan` is on, and the link (with its token)
//! a manager opens on an iPad.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, MANAGERS};
use crate::command;

pub const COMMANDS: &[super::Command] = &[command!("lan_status_get", Access::Roles(MANAGERS), lan_status)];

pub use crate::app::LanInfo;

#[derive(Deserialize, TS)]
pub struct Empty {}

/// No `Debug`: the token and the URL are secrets.
#[derive(Serialize, TS)]
pub struct LanStatus {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub url: Option<String>,
}

fn lan_status(app: &App, _: &Ctx, _: Empty) -> Result<LanStatus, CommandError> {
    Ok(match app.lan() {
        Some(l) => LanStatus { enabled: true, token: Some(l.token), url: Some(l.url) },
        None => LanStatus { enabled: false, token: None, url: None },
    })
}
