//! The manager's log export: the last days of `DATA/logs/` in one file for the helpdesk.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, ErrorCode, MANAGERS};
use crate::app::logs;
use crate::command;

pub const COMMANDS: &[super::Command] = &[command!("log_export", Access::Roles(MANAGERS), log_export)];

/// Days exported when the request does not say.
pub const DEFAULT_DAYS: u32 = 3;
/// Most bytes of log text returned to the screen (the file on disk holds it all): a
/// fortnight at debug level could be large, and the newest lines matter most.
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct LogExportRequest {
    /// 1 ..= [`logs::KEEP_DAYS`] (default [`DEFAULT_DAYS`]).
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Debug, Serialize, TS)]
pub struct LogExportResponse {
    /// The export's name in `DATA/exports/` (also the download's name).
    pub file_name: String,
    /// Where it was written on the till.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    pub days: u32,
    /// The daily files it holds, oldest first.
    pub files: Vec<String>,
    /// The export's text for the browser to download (its newest [`MAX_TEXT_BYTES`]).
    pub text: String,
    /// True when `text` holds only the newest part of the file.
    pub truncated: bool,
}

fn storage(zh: &str, e: impl std::fmt::Display) -> CommandError {
    CommandError::new(ErrorCode::Storage, zh, e.to_string())
}

fn log_export(app: &App, ctx: &Ctx, req: LogExportRequest) -> Result<LogExportResponse, CommandError> {
    let days = req.days.unwrap_or(DEFAULT_DAYS);
    if days == 0 || days as usize > logs::KEEP_DAYS {
        return Err(CommandError::validation(
            format!("天数须在 1 到 {} 之间", logs::KEEP_DAYS),
            format!("days must be between 1 and {}", logs::KEEP_DAYS),
        ));
    }
    let dir = logs::dir(app.data_dir());
    // File names carry the UTC date (the appender's day).
    let now = chrono::Utc::now();
    let files = match logs::files_of_days(&dir, now.date_naive(), days) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(storage("无法读取日志目录", format!("{}: {e}", dir.display()))),
    };
    if files.is_empty() {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            format!("最近 {days} 天没有日志文件（{}）", dir.display()),
            format!("no log files of the last {days} days in {}", dir.display()),
        ));
    }
    let mut body = String::new();
    body.push_str(&format!(
        "# storepos {} logs, last {days} day(s), exported {} by {}\n",
        env!("CARGO_PKG_VERSION"),
        now.format("%Y-%m-%dT%H:%M:%SZ"),
        ctx.actor()
    ));
    for (path, name) in &files {
        let bytes = std::fs::read(path).map_err(|e| storage("无法读取日志文件", format!("{name}: {e}")))?;
        body.push_str(&format!("\n===== {name} =====\n"));
        body.push_str(&String::from_utf8_lossy(&bytes));
    }
    let out_dir = app.data_dir().join("exports");
    std::fs::create_dir_all(&out_dir).map_err(|e| storage("无法创建导出目录", e))?;
    let file_name = format!("storepos-logs-{}.txt", now.format("%Y%m%d-%H%M%S"));
    let path = out_dir.join(&file_name);
    std::fs::write(&path, body.as_bytes()).map_err(|e| storage("无法写出日志导出文件", e))?;
    let bytes = body.len() as u64;
    let (text, truncated) = newest_part(body, MAX_TEXT_BYTES);
    tracing::info!(file = %file_name, bytes, days, files = files.len(), "logs exported");
    Ok(LogExportResponse {
        file_name,
        path: path.display().to_string(),
        bytes,
        days,
        files: files.into_iter().map(|(_, n)| n).collect(),
        text,
        truncated,
    })
}

/// The last `max` bytes of `s`, cut at a line start (so no line is half shown).
fn newest_part(s: String, max: usize) -> (String, bool) {
    if s.len() <= max {
        return (s, false);
    }
    let mut cut = s.len() - max;
    while !s.is_char_boundary(cut) {
        cut += 1;
    }
    let start = s[cut..].find('\n').map(|i| cut + i + 1).unwrap_or(cut);
    (s[start..].to_string(), true)
}

#[cfg(test)]
mod tests {
    use super::newest_part;

    #[test]
    fn newest_part_keeps_whole_lines_from_the_end() {
        assert_eq!(newest_part("a\nb\n".into(), 10), ("a\nb\n".to_string(), false));
        assert_eq!(newest_part("first line\n第二行\nlast\n".into(), 9), ("last\n".to_string(), true));
    }
}
