//! The manager's backup commands: list, take one now, change folder / interval / keep.

use std::path::PathBuf;
use ts_rs::TS;

use serde::{Deserialize, Serialize};

use super::{Access, App, CommandError, Ctx, MANAGERS};
use crate::command;
use crate::ledger::{journal, settings};
use crate::services::backup::{self as service, BackupRecord, BackupSettings, Job};

pub const COMMANDS: &[super::Command] = &[
    command!("backup_list", Access::Roles(MANAGERS), backup_list),
    command!("backup_create", Access::Roles(MANAGERS), backup_now),
    command!("backup_settings_set", Access::Roles(MANAGERS), backup_settings_set),
];

#[derive(Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Serialize, TS)]
#[ts(rename = "BackupListResponse")]
pub struct ListResponse {
    pub settings: BackupSettings,
    /// Newest first; `present` says whether the file is still in the folder.
    pub backups: Vec<BackupRecord>,
    /// Operations waiting to reach the platform (automatic backups run while > 0).
    pub outbox_pending: i64,
}

fn backup_list(app: &App, _: &Ctx, _: Empty) -> Result<ListResponse, CommandError> {
    let settings = BackupSettings::load(app)?;
    let outbox_pending = crate::ledger::backup::outbox_pending(app.ledger().read())?;
    Ok(ListResponse { settings, backups: service::records(app.data_dir()), outbox_pending })
}

fn backup_now(app: &App, _: &Ctx, _: Empty) -> Result<BackupRecord, CommandError> {
    // The ledger lock is held only while planning; the copy runs beside the till.
    Job::plan(app)?.run("manual")
}

#[derive(Deserialize, TS)]
#[ts(rename = "BackupSettingsSetRequest")]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct SetRequest {
    /// An absolute folder (a USB stick, a network share); created if missing.
    pub dir: Option<String>,
    /// 0 (off) to 1440.
    pub interval_min: Option<u64>,
    /// 1 to 1000.
    pub keep: Option<u64>,
}

fn backup_settings_set(app: &App, ctx: &Ctx, req: SetRequest) -> Result<BackupSettings, CommandError> {
    let mut changes: Vec<(&str, serde_json::Value)> = Vec::new();
    if let Some(d) = &req.dir {
        let p = PathBuf::from(d);
        if !p.is_absolute() || d.chars().count() > 512 {
            return Err(CommandError::validation(
                "备份文件夹必须是绝对路径",
                "the backup folder must be an absolute path",
            ));
        }
        std::fs::create_dir_all(&p)
            .and_then(|_| {
                let probe = p.join(".storepos-write-test");
                std::fs::write(&probe, b"ok")?;
                std::fs::remove_file(&probe)
            })
            .map_err(|e| {
                CommandError::validation(
                    format!("备份文件夹 {d} 无法写入：{e}"),
                    format!("cannot write to backup folder {d}: {e}"),
                )
            })?;
        changes.push(("backup_dir", serde_json::json!(d)));
    }
    if let Some(i) = req.interval_min {
        if i > 1440 {
            return Err(CommandError::validation(
                "自动备份间隔为 0（关闭）到 1440 分钟",
                "interval: 0 (off) to 1440 minutes",
            ));
        }
        changes.push(("backup_interval_min", serde_json::json!(i)));
    }
    if let Some(k) = req.keep {
        if !(1..=1000).contains(&k) {
            return Err(CommandError::validation("保留份数为 1 到 1000", "keep: 1 to 1000"));
        }
        changes.push(("backup_keep", serde_json::json!(k)));
    }
    let actor = ctx.actor();
    app.ledger().write(|tx| -> Result<(), CommandError> {
        for (k, v) in &changes {
            let before = settings::set(tx, k, v)?;
            journal::append(
                tx,
                journal::Entry {
                    actor: &actor,
                    entity: "setting",
                    entity_ref: k,
                    action: "set",
                    before: before.map(|b| b.to_string()).as_deref(),
                    after: Some(&v.to_string()),
                    detail: None,
                },
            )?;
        }
        Ok(())
    })?;
    BackupSettings::load(app)
}
