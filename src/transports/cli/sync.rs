//! `storepos sync`: one round with the platform, or the engine until Ctrl-C.

use std::sync::Arc;
use std::time::Duration;

use crate::clients::platform::client::{Platform, PlatformClient};
use crate::commands::{App, CommandError, ErrorCode};
use crate::engine::platform::{client_for, run_round, spawn, SyncConfig};

/// `storepos sync`: one full round (`--once`) or the engine until killed.
pub fn cli_run(
    data: &std::path::Path,
    once: bool,
    json: bool,
    timeout_ms: Option<u64>,
    in_flight: Option<usize>,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    let fail = |e: &CommandError| {
        eprintln!("{}", serde_json::to_string(e).unwrap_or_else(|_| e.to_string()));
        ExitCode::from(2)
    };
    if !data.join("storepos.db").exists() {
        return fail(&CommandError::new(
            ErrorCode::NotFound,
            format!("{} 里没有账本，请先运行 storepos init", data.display()),
            format!("no ledger in {}; run storepos init first", data.display()),
        ));
    }
    let app = match App::open(data) {
        Ok(a) => Arc::new(a),
        Err(e) => return fail(&e.into()),
    };
    let mut cc = match client_for(&app) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return fail(&CommandError::new(
                ErrorCode::NotFound,
                "尚未配置平台连接（storepos init --central …）",
                "no platform configured (storepos init --central …)",
            ))
        }
        Err(e) => return fail(&e.into()),
    };
    if let Some(ms) = timeout_ms {
        cc = cc.with_timeouts(Duration::from_millis(ms.min(3000)), Duration::from_millis(ms));
    }
    let client: Arc<dyn Platform> = match PlatformClient::new(cc) {
        Ok(c) => Arc::new(c),
        Err(e) => return fail(&CommandError::new(ErrorCode::Platform, "无法创建平台连接", e.to_string())),
    };
    let mut cfg = SyncConfig::default();
    if let Some(n) = in_flight {
        cfg.in_flight = n.max(1);
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&CommandError::new(ErrorCode::Internal, "无法启动", e.to_string())),
    };
    if once {
        let s = rt.block_on(run_round(&app, client.as_ref(), &cfg));
        if json {
            println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
        } else {
            println!(
                "sync: {} · {} done, {} retry, {} conflict · {} new online, {} updated · outbox {} pending, {} conflicts",
                if s.online { "online" } else { "offline" },
                s.ops_done,
                s.ops_retried,
                s.ops_conflicted,
                s.pulled_new,
                s.pulled_updated,
                s.outbox_pending,
                s.conflicts
            );
        }
        return if s.online { ExitCode::SUCCESS } else { ExitCode::from(3) };
    }
    rt.block_on(async {
        let h = spawn(app.clone(), client, cfg);
        println!("storepos sync running");
        let _ = tokio::signal::ctrl_c().await;
        h.shutdown().await;
    });
    ExitCode::SUCCESS
}
