//! `storepos demo`: the whole product on one machine, no setup. A fresh store in a temp
//! dir, the platform simulator on loopback sending online orders, the sync engine and
//! print workers (tickets go to a file), then the desktop window when a display and the
//! built shell are there, else `serve` with the URL printed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::services::setup::{init_store, InitOptions, DEMO_USERS};
use crate::transports::server::{serve, ServeOptions};

fn desktop_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let p = exe.parent()?.join("storepos-desktop");
    p.exists().then_some(p)
}

/// The demo's fresh store: a temp dir per process (its logs go there too).
pub fn data_dir() -> PathBuf {
    std::env::temp_dir().join(format!("storepos-demo-{}", std::process::id()))
}

pub fn run(listen: SocketAddr, online_per_min: f64, no_window: bool, seconds: u64) -> ExitCode {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("storepos demo: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async move {
        let dir = data_dir();
        let sim = match storepos_sim::start(storepos_sim::SimArgs {
            online_orders_per_min: online_per_min,
            ..Default::default()
        })
        .await
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("storepos demo: simulator: {e}");
                return ExitCode::from(1);
            }
        };
        let d = dir.clone();
        let base = sim.base_url();
        let init = tokio::task::spawn_blocking(move || -> Result<(), crate::commands::CommandError> {
            drop(init_store(&d, &InitOptions::default())?);
            crate::app::config::save_platform(&d, &base, "store1", "store1pass")
        })
        .await;
        match init {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                eprintln!("storepos demo: {}", e.message_zh);
                return ExitCode::from(1);
            }
            Err(e) => {
                eprintln!("storepos demo: {e}");
                return ExitCode::from(1);
            }
        }
        println!("storepos demo");
        println!("  ledger     {}", dir.join("storepos.db").display());
        println!("  platform   {} (simulator, field mode, {online_per_min} online orders/min)", sim.base_url());
        println!("  tickets    {}", dir.join("printer-main.bin").display());
        for (u, name, role, pin) in DEMO_USERS {
            println!("  user       {u:<8} {name} ({}) PIN {pin}", role.as_str());
        }
        let window = !no_window && std::env::var_os("DISPLAY").is_some() && desktop_binary().is_some();
        if window {
            let bin = desktop_binary().expect("checked");
            println!("  window     {}", bin.display());
            let status = tokio::process::Command::new(bin).env("STOREPOS_DATA", &dir).status().await;
            let _ = sim.shutdown().await;
            return match status {
                Ok(s) if s.success() => ExitCode::SUCCESS,
                _ => ExitCode::from(1),
            };
        }
        let mut opts = ServeOptions::loopback(&dir);
        opts.listen = listen;
        let handle = match serve(opts.clone()).await {
            Ok(h) => h,
            Err(crate::transports::server::ServeError::Bind { .. }) => {
                // The default port is taken: any free port will do for a demo.
                opts.listen = "127.0.0.1:0".parse().expect("literal");
                match serve(opts).await {
                    Ok(h) => h,
                    Err(e) => {
                        eprintln!("storepos demo: {e}");
                        return ExitCode::from(1);
                    }
                }
            }
            Err(e) => {
                eprintln!("storepos demo: {e}");
                return ExitCode::from(1);
            }
        };
        println!("  open       {}   (Ctrl-C to stop)", handle.url());
        if seconds > 0 {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
        } else {
            let _ = tokio::signal::ctrl_c().await;
        }
        let _ = handle.shutdown().await;
        let _ = sim.shutdown().await;
        ExitCode::SUCCESS
    })
}
