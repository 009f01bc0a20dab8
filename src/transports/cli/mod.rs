//! The `storepos` command line: a thin transport over the command table plus the
//! programs around it (simulator, server, demo, benchmarks).

pub mod bench;
pub mod loadgen;
pub mod online_bench;
pub mod quote;
pub mod stats;
pub mod sync;
pub mod sync_bench;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{self, App, CommandError};
use crate::services::setup::{init_store, InitOptions};

#[derive(Parser)]
#[command(name = "storepos", version, about = "Offline-first point of sale (门店收银)")]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Create (or complete) a store ledger with the demo catalog and users.
    Init {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 1)]
        store_id: i64,
        #[arg(long, default_value = "龙门客栈便利店")]
        store_name: String,
        #[arg(long, default_value = "T1")]
        till: String,
        /// Platform base URL, e.g. http://127.0.0.1:8700 (the simulator).
        #[arg(long)]
        central: Option<String>,
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        password: Option<String>,
        /// Also seed this many synthetic products (benchmarks, browser tests with a big catalog).
        #[arg(long, default_value_t = 0)]
        synthetic_skus: i64,
    },
    /// Sync with the platform: one full round (`--once`) or the engine until killed.
    Sync {
        #[arg(long)]
        data: PathBuf,
        /// One round (push the outbox, pull online orders, catalog, counts), then exit.
        #[arg(long)]
        once: bool,
        /// Print the round's summary as JSON.
        #[arg(long)]
        json: bool,
        /// Per-request timeout in milliseconds (default 10 s, connect 3 s).
        #[arg(long)]
        timeout_ms: Option<u64>,
        /// Orders in flight at once (default 8).
        #[arg(long)]
        in_flight: Option<usize>,
    },
    /// Run one command of the command table and print its JSON answer.
    Call {
        command: String,
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value = "{}")]
        json: String,
        /// Log in as this user first (with --pin).
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        pin: Option<String>,
        /// Or present an existing session token.
        #[arg(long)]
        session: Option<String>,
    },
    /// After-sales tools.
    AfterSales {
        #[command(subcommand)]
        cmd: AfterSalesCmd,
    },
    /// The platform simulator on a loopback port.
    Sim(storepos_sim::SimArgs),
    /// Serve the command table over HTTP (`POST /api/<command>`, SSE events) and the web UI.
    Serve {
        #[arg(long)]
        data: PathBuf,
        /// Loopback address for plain HTTP (default 127.0.0.1:8730).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Open to the store LAN at start: HTTPS with the store CA, paired devices only
        /// (managers can also switch it from Manager → 局域网; that choice is remembered).
        #[arg(long)]
        lan: bool,
        /// Where the LAN listener binds (default 0.0.0.0:8731).
        #[arg(long)]
        lan_listen: Option<std::net::SocketAddr>,
        /// The built web UI (default: ui/dist here or beside the binary's repository).
        #[arg(long)]
        ui: Option<PathBuf>,
    },
    /// Bring back a ledger backup after checking it (a sound storepos ledger of this store
    /// and till, a schema this program knows); the replaced ledger is kept in DIR/replaced/.
    /// Stop the till first.
    Restore {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        from: PathBuf,
    },
    /// Render a ticket from an order in the platform's detail format.
    Ticket {
        #[arg(long, value_parser = ["receipt", "kitchen"])]
        kind: String,
        #[arg(long, default_value = "80", value_parser = ["58", "80"])]
        width: String,
        #[arg(long)]
        order: PathBuf,
        #[arg(short = 'o', long)]
        out: Option<PathBuf>,
        /// Print the same layout as plain text instead of bytes.
        #[arg(long)]
        preview: bool,
    },
    /// A business day's statistics (gross, net, payment mix, hours, top products …).
    Stats {
        #[arg(long)]
        data: PathBuf,
        /// YYYY-MM-DD
        #[arg(long)]
        day: String,
        #[arg(long)]
        json: bool,
    },
    /// Writes orders.csv, lines.csv and summary.csv of a business day (UTF-8 with BOM).
    Export {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        day: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// The demo: a fresh store, the platform simulator with online orders arriving, and
    /// the desktop window when a display is available, else the browser UI's URL.
    Demo {
        /// Where the UI is served (browser mode).
        #[arg(long, default_value = "127.0.0.1:8730")]
        listen: std::net::SocketAddr,
        /// Online SELF_PICK / FLASH orders the simulator sends per minute.
        #[arg(long, default_value_t = 2.0)]
        online_orders_per_min: f64,
        /// Never open the desktop window, even with a display.
        #[arg(long)]
        no_window: bool,
        /// Stop after this many seconds (0 = run until Ctrl-C).
        #[arg(long, default_value_t = 0)]
        seconds: u64,
    },
    /// List the commands of the command table.
    Commands,
    /// Print the UI's TypeScript contract (every command's request and response, the
    /// error, the events), generated from the command table's Rust types.
    Contract {
        /// Write it to ui/src/backend/contract.gen.ts in this source tree instead.
        #[arg(long)]
        write: bool,
    },
    /// Measure performance figures, each as a ratio to a baseline of the same run.
    Bench {
        /// ledger | print | stats | sync | catalog | serve | serve-streams | backup | online | online-compare | all
        #[arg(default_value = "all")]
        which: String,
        #[arg(long)]
        json: bool,
        /// Smaller sizes for a quick run (CI).
        #[arg(long)]
        quick: bool,
    },
    /// Runs the background workers (print queue) of a store until killed.
    #[command(hide = true)]
    Printd {
        #[arg(long)]
        data: PathBuf,
    },
    /// Rings up sales in a loop, printing each client_ref after its commit (crash tests).
    #[command(hide = true)]
    Loadgen {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = u64::MAX)]
        count: u64,
        #[arg(long)]
        pay: bool,
        /// Also take one item back (a RETURN service) after each paid sale.
        #[arg(long)]
        after_sales: bool,
        #[arg(long, default_value = "cashier")]
        user: String,
        #[arg(long, default_value = "1111")]
        pin: String,
    },
}

#[derive(Subcommand)]
pub enum AfterSalesCmd {
    /// Quote a service from an order in the platform's detail format and a service body.
    Quote {
        #[arg(long)]
        order: PathBuf,
        #[arg(long)]
        request: PathBuf,
        /// A ledger whose catalog prices exchange products. Without it an exchange product
        /// is priced from the order's own lines; the demo catalog is never used.
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

impl Cli {
    /// Where this command logs: `Some((data dir, stderr))` for commands that run the
    /// app (their file goes to `DATA/logs/`; the simulator has no data dir, stderr
    /// only), `None` for pure tools (ticket, quote, commands, bench) that need no log.
    pub fn log_target(&self) -> Option<(Option<PathBuf>, crate::app::logs::Stderr)> {
        use crate::app::logs::Stderr::{Quiet, Warnings};
        match &self.cmd {
            Cmd::Serve { data, .. } | Cmd::Sync { data, .. } | Cmd::Printd { data } => {
                Some((Some(data.clone()), Warnings))
            }
            Cmd::Init { data, .. } | Cmd::Call { data, .. } | Cmd::Restore { data, .. } | Cmd::Loadgen { data, .. } => {
                Some((Some(data.clone()), Quiet))
            }
            Cmd::Demo { .. } => Some((Some(crate::transports::demo::data_dir()), Warnings)),
            Cmd::Sim(_) => Some((None, Warnings)),
            Cmd::AfterSales { .. }
            | Cmd::Ticket { .. }
            | Cmd::Stats { .. }
            | Cmd::Export { .. }
            | Cmd::Commands
            | Cmd::Contract { .. }
            | Cmd::Bench { .. } => None,
        }
    }

    /// The subcommand's name, for the startup line.
    pub fn mode(&self) -> &'static str {
        match &self.cmd {
            Cmd::Init { .. } => "init",
            Cmd::Sync { .. } => "sync",
            Cmd::Call { .. } => "call",
            Cmd::AfterSales { .. } => "after-sales",
            Cmd::Sim(_) => "sim",
            Cmd::Serve { .. } => "serve",
            Cmd::Restore { .. } => "restore",
            Cmd::Ticket { .. } => "ticket",
            Cmd::Stats { .. } => "stats",
            Cmd::Export { .. } => "export",
            Cmd::Demo { .. } => "demo",
            Cmd::Commands => "commands",
            Cmd::Contract { .. } => "contract",
            Cmd::Bench { .. } => "bench",
            Cmd::Printd { .. } => "printd",
            Cmd::Loadgen { .. } => "loadgen",
        }
    }
}

fn fail(e: &CommandError) -> ExitCode {
    eprintln!("{}", serde_json::to_string(e).unwrap_or_else(|_| e.to_string()));
    ExitCode::from(2)
}

fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.cmd {
        Cmd::Init { data, store_id, store_name, till, central, username, password, synthetic_skus } => {
            if !crate::domain::local_number::valid_till_code(&till) {
                return fail(&CommandError::validation(
                    "收银台编号只能是 1-4 位大写字母或数字",
                    "till code must be 1-4 upper-case letters or digits",
                ));
            }
            let opts = InitOptions { store_id, store_name, till_code: till, demo_users: true };
            let app = match init_store(&data, &opts) {
                Ok(a) => a,
                Err(e) => return fail(&e),
            };
            if synthetic_skus > 0 {
                let seeded = app
                    .ledger()
                    .write(|tx| crate::ledger::catalog::seed_synthetic(tx, 1_000_000, synthetic_skus.min(1_000_000)));
                if let Err(e) = seeded {
                    return fail(&CommandError::from(e));
                }
            }
            if let Some(url) = central {
                if let Err(e) = crate::app::config::save_platform(
                    &data,
                    &url,
                    username.as_deref().unwrap_or(""),
                    password.as_deref().unwrap_or(""),
                ) {
                    return fail(&e);
                }
            }
            let products = crate::ledger::catalog::count(app.ledger().read()).unwrap_or(0);
            print_json(&serde_json::json!({ "data": data, "products": products, "store": app.config() }));
            ExitCode::SUCCESS
        }
        Cmd::Sync { data, once, json, timeout_ms, in_flight } => {
            crate::transports::cli::sync::cli_run(&data, once, json, timeout_ms, in_flight)
        }
        Cmd::Call { command, data, json, user, pin, session } => call(&command, &data, &json, user, pin, session),
        Cmd::AfterSales { cmd: AfterSalesCmd::Quote { order, request, data } } => {
            match crate::transports::cli::quote::quote_files(&order, &request, data.as_deref()) {
                Ok(v) => {
                    print_json(&v);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Cmd::Sim(args) => {
            let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
            match rt.block_on(storepos_sim::run(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("storepos sim: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Cmd::Serve { data, listen, lan, lan_listen, ui } => {
            crate::transports::server::run_cli(data, listen, lan, lan_listen, ui)
        }
        Cmd::Restore { data, from } => match crate::services::backup::restore(&data, &from) {
            Ok(r) => {
                print_json(&serde_json::to_value(&r).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Cmd::Ticket { kind, width, order, out, preview } => ticket(&kind, &width, &order, out.as_deref(), preview),
        Cmd::Stats { data, day, json } => crate::transports::cli::stats::stats(&data, &day, json),
        Cmd::Export { data, day, out } => crate::transports::cli::stats::export(&data, &day, &out),
        Cmd::Demo { listen, online_orders_per_min, no_window, seconds } => {
            crate::transports::demo::run(listen, online_orders_per_min, no_window, seconds)
        }
        Cmd::Bench { which, json, quick } => crate::transports::cli::bench::run(&which, json, quick),
        Cmd::Loadgen { data, count, pay, after_sales, user, pin } => {
            crate::transports::cli::loadgen::run(&data, count, pay, after_sales, &user, &pin)
        }
        Cmd::Printd { data } => match App::open(&data) {
            Ok(app) => {
                let _bg = crate::transports::background::start(std::sync::Arc::new(app));
                println!("storepos printd running");
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            }
            Err(e) => fail(&e.into()),
        },
        Cmd::Commands => {
            for n in commands::names() {
                println!("{n}");
            }
            ExitCode::SUCCESS
        }
        Cmd::Contract { write } => contract(write),
    }
}

fn contract(write: bool) -> ExitCode {
    let text = match commands::contract::generate() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if !write {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    // The source tree this binary was built from: the file is a source file.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(commands::contract::CONTRACT_PATH);
    match std::fs::write(&path, text) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

fn call(
    command: &str,
    data: &std::path::Path,
    json: &str,
    user: Option<String>,
    pin: Option<String>,
    session: Option<String>,
) -> ExitCode {
    if !data.join("storepos.db").exists() {
        return fail(&CommandError::new(
            commands::ErrorCode::NotFound,
            format!("{} 里没有账本，请先运行 storepos init", data.display()),
            format!("no ledger in {}; run storepos init first", data.display()),
        ));
    }
    let request: serde_json::Value = match serde_json::from_str(json) {
        Ok(v) => v,
        Err(e) => {
            return fail(&CommandError::new(
                commands::ErrorCode::BadRequest,
                format!("JSON 格式错误：{e}"),
                format!("malformed JSON: {e}"),
            ))
        }
    };
    let app = match App::open(data) {
        Ok(a) => a,
        Err(e) => return fail(&e.into()),
    };
    let token = match (user, pin, session) {
        (_, _, Some(t)) => Some(t),
        (Some(u), Some(p), None) => {
            match commands::dispatch(&app, None, false, "session_login", serde_json::json!({ "username": u, "pin": p }))
            {
                Ok(v) => v["token"].as_str().map(str::to_string),
                Err(e) => return fail(&e),
            }
        }
        (Some(_), None, None) => {
            return fail(&CommandError::validation("--user 需要同时给出 --pin", "--user needs --pin"))
        }
        _ => None,
    };
    let answer = commands::dispatch(&app, token.as_deref(), false, command, request);
    // A close starts a backup in its own thread: let it finish before the process ends.
    crate::services::backup::wait_pending();
    match answer {
        Ok(v) => {
            print_json(&v);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn ticket(kind: &str, width: &str, order: &std::path::Path, out: Option<&std::path::Path>, preview: bool) -> ExitCode {
    use storepos_printers::templates::platform::{ticket_from_platform_order, TicketKind};
    use storepos_printers::{Paper, PrinterProfile};
    let json = match std::fs::read_to_string(order) {
        Ok(j) => j,
        Err(e) => {
            return fail(&CommandError::new(
                commands::ErrorCode::NotFound,
                format!("无法读取 {}", order.display()),
                e.to_string(),
            ))
        }
    };
    let paper = if width == "58" { Paper::W58 } else { Paper::W80 };
    let kind = if kind == "kitchen" { TicketKind::Kitchen } else { TicketKind::Receipt };
    let t = match ticket_from_platform_order(&json, kind, paper) {
        Ok(t) => t,
        Err(e) => return fail(&CommandError::validation(format!("订单文件无效：{e}"), e.to_string())),
    };
    if preview {
        print!("{}", storepos_printers::preview(&t, paper));
        return ExitCode::SUCCESS;
    }
    let bytes = match storepos_printers::render(&t, &PrinterProfile::new("cli", paper)) {
        Ok(r) => r.bytes,
        Err(e) => return fail(&CommandError::validation(format!("无法生成小票：{e}"), e.to_string())),
    };
    let written = match out {
        Some(p) => std::fs::write(p, &bytes),
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&CommandError::new(commands::ErrorCode::Storage, "无法写出小票", e.to_string())),
    }
}
