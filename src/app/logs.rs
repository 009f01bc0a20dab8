//! The store's log files: where they live, how a process starts writing them, and the
//! export a manager sends to the helpdesk.
//!
//! Library code only emits `tracing` events and spans; it never installs a subscriber
//! (tests run many apps in one process, with or without one). The binaries — `storepos`
//! (`src/main.rs`) and the desktop shell — call [`install`] once, first thing.
//!
//! Files: `DATA/logs/storepos.log.YYYY-MM-DD` (the UTC date; a new file each UTC day),
//! the newest [`KEEP_DAYS`] kept, older ones deleted when a file is opened or rotated.
//! The level comes from `STOREPOS_LOG` (EnvFilter syntax, e.g. `debug` or
//! `info,storepos::engine::platform=trace`), default `info`.
//!
//! Never logged: PINs, session / LAN / display tokens, the platform token and password,
//! customer phone numbers. Request structs that hold one have a redacting `Debug`, and
//! log lines name chosen fields only (`tests/it/logs.rs` greps the files of a real run).

use std::path::{Path, PathBuf};

/// The environment variable holding the filter.
pub const ENV: &str = "STOREPOS_LOG";
/// The filter when [`ENV`] is unset or unreadable.
pub const DEFAULT_FILTER: &str = "info";
/// The folder under the data directory.
pub const DIR: &str = "logs";
/// File names are `PREFIX.YYYY-MM-DD`.
pub const PREFIX: &str = "storepos.log";
/// Days (files) of logs kept on disk.
pub const KEEP_DAYS: usize = 14;

/// The HTTP stack's own debug lines (connection pools, frames) drown a till's story:
/// they stay at info unless `STOREPOS_LOG` names them (`hyper_util=debug`).
const QUIET_DEPENDENCIES: &str =
    "hyper=info,hyper_util=info,h2=info,reqwest=info,rustls=info,tower=info,axum=info,mio=info";

/// `DATA/logs`.
pub fn dir(data: &Path) -> PathBuf {
    data.join(DIR)
}

/// Where a process's warnings go besides the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stderr {
    /// Warnings and errors on stderr too (long-running CLI commands: serve, sync, demo).
    Warnings,
    /// Nothing on stderr: one-shot commands print their typed error there, and tests
    /// read it as JSON.
    Quiet,
}

/// Installs this process's subscriber: a file in `data`'s log folder (when given) at
/// the [`ENV`] level, and stderr at warn per `stderr`. Only binaries call it. A second
/// call, or a file that cannot be opened, leaves logging as it was and says so on
/// stderr: a till must sell even when its log folder is read-only.
pub fn install(data: Option<&Path>, stderr: Stderr) {
    use tracing_subscriber::filter::{EnvFilter, LevelFilter};
    use tracing_subscriber::prelude::*;

    let (filter, bad_filter) = match std::env::var(ENV) {
        Ok(s) if !s.trim().is_empty() => match EnvFilter::try_new(format!("{QUIET_DEPENDENCIES},{s}")) {
            Ok(f) => (f, None),
            Err(e) => (EnvFilter::new(DEFAULT_FILTER), Some(format!("{ENV}={s}: {e}"))),
        },
        _ => (EnvFilter::new(DEFAULT_FILTER), None),
    };
    let mut file_error = None;
    let file = data.and_then(|d| match appender(d) {
        Ok(a) => Some(a),
        Err(e) => {
            file_error = Some(format!("cannot open {}: {e}", dir(d).display()));
            None
        }
    });
    let file_layer = file.map(|a| {
        tracing_subscriber::fmt::layer().with_writer(a).with_ansi(false).with_target(true).with_filter(filter)
    });
    let stderr_layer = (stderr == Stderr::Warnings).then(|| {
        use std::io::IsTerminal;
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_filter(LevelFilter::WARN)
    });
    if tracing_subscriber::registry().with(file_layer).with(stderr_layer).try_init().is_err() {
        return;
    }
    if let Some(e) = bad_filter {
        tracing::warn!("ignoring the log filter ({e}); using {DEFAULT_FILTER}");
    }
    if let Some(e) = file_error {
        eprintln!("storepos: no log file: {e}");
    }
}

fn appender(data: &Path) -> Result<tracing_appender::rolling::RollingFileAppender, String> {
    // The appender prunes old files before it creates the folder.
    std::fs::create_dir_all(dir(data)).map_err(|e| e.to_string())?;
    tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(PREFIX)
        .max_log_files(KEEP_DAYS)
        .build(dir(data))
        .map_err(|e| e.to_string())
}

/// A short id for a request (HTTP or IPC) when the caller sent none: 12 hex digits,
/// unique enough to tell one request from the next in a day's log.
pub fn new_request_id() -> String {
    format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}

/// An incoming `X-Request-Id` is used only if it is short and plain (letters, digits,
/// `-`, `_`, `.`, `:`), so a client cannot write arbitrary text into the log.
pub fn sane_request_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

pub use crate::clients::transport::mask_phones;

/// The date part of a log file's name (`storepos.log.2026-11-24` → `2026-11-24`).
pub fn file_date(name: &str) -> Option<chrono::NaiveDate> {
    let d = name.strip_prefix(PREFIX)?.strip_prefix('.')?;
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

/// The log files of the `days` UTC days up to `today`, oldest first.
pub fn files_of_days(dir: &Path, today: chrono::NaiveDate, days: u32) -> std::io::Result<Vec<(PathBuf, String)>> {
    let first = today - chrono::Duration::days(i64::from(days.max(1)) - 1);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if file_date(&name).is_some_and(|d| d >= first && d <= today) && entry.file_type()?.is_file() {
            out.push((entry.path(), name));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_dates_are_read_from_names_only() {
        assert_eq!(file_date("storepos.log.2026-11-24"), chrono::NaiveDate::from_ymd_opt(2026, 11, 24));
        assert_eq!(file_date("storepos.log"), None);
        assert_eq!(file_date("storepos.log.2026-13-01"), None);
        assert_eq!(file_date("other.log.2026-11-24"), None);
    }

    #[test]
    fn request_ids_from_clients_are_short_and_plain() {
        assert!(sane_request_id("till-1.abc_DEF:9"));
        assert!(sane_request_id(&new_request_id()));
        assert!(!sane_request_id(""));
        assert!(!sane_request_id("a b"));
        assert!(!sane_request_id("x\ny"));
        assert!(!sane_request_id(&"a".repeat(65)));
    }

    #[test]
    fn phones_are_masked_and_order_numbers_kept() {
        assert_eq!(mask_phones(r#"{"phone":"13987654321","x":1}"#), r#"{"phone":"1**********","x":1}"#);
        assert_eq!(mask_phones("order 2611250106597942 ok"), "order 2611250106597942 ok");
        assert_eq!(mask_phones("电话13987654321。"), "电话1**********。");
        assert_eq!(mask_phones("12345678901"), "12345678901", "not a mobile prefix");
    }

    #[test]
    fn days_pick_the_files_of_the_last_days() {
        let d = tempfile::tempdir().expect("tempdir");
        for n in ["storepos.log.2026-11-20", "storepos.log.2026-11-22", "storepos.log.2026-11-24", "notes.txt"] {
            std::fs::write(d.path().join(n), n).expect("write");
        }
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
        let names = |days| -> Vec<String> {
            files_of_days(d.path(), today, days).expect("list").into_iter().map(|(_, n)| n).collect()
        };
        assert_eq!(names(1), ["storepos.log.2026-11-24"]);
        assert_eq!(names(3), ["storepos.log.2026-11-22", "storepos.log.2026-11-24"]);
        assert_eq!(names(14).len(), 3, "every dated log file within two weeks, nothing else");
    }
}
