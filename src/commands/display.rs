//! The customer display: the till publishes what the customer should see, and pairs one
//! display with a display-only token (see `crate::app::display`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, SELLERS};
use crate::app::display::DisplayState;
use crate::command;

pub const COMMANDS: &[super::Command] = &[
    command!("display_update", Access::Roles(SELLERS), display_update),
    command!("display_pair", Access::Roles(SELLERS), display_pair),
    command!("display_unpair", Access::Roles(SELLERS), display_unpair),
];

#[derive(Serialize, TS)]
pub struct UpdateResponse {
    pub seq: u64,
}

fn display_update(app: &App, _: &Ctx, req: DisplayState) -> Result<UpdateResponse, CommandError> {
    let cfg = app.config();
    Ok(UpdateResponse { seq: app.display().update(req, cfg.store_name, cfg.till_code)? })
}

#[derive(Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Serialize, TS)]
pub struct PairResponse {
    /// Accepted only by `GET /api/display/state` and `GET /api/display/events`.
    pub token: String,
    /// Open this on the display (same server): `/display?token=…`.
    pub path: String,
}

fn display_pair(app: &App, _: &Ctx, _: Empty) -> Result<PairResponse, CommandError> {
    let token = app.display().pair()?;
    // Over the LAN the display token is the display's only credential: the device check
    // lets the two display routes through on it (server `pairing` module).
    let path = format!("/display?token={token}");
    Ok(PairResponse { token, path })
}

fn display_unpair(app: &App, _: &Ctx, _: Empty) -> Result<super::Ack, CommandError> {
    app.display().unpair()?;
    Ok(super::Ack {})
}
