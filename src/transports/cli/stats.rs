//! `storepos stats` and `storepos export`: the manager's figures from a ledger directory,
//! without a session (whoever runs the CLI on the store machine holds the file).

use std::path::Path;
use std::process::ExitCode;

use crate::commands::{App, CommandError, ErrorCode};

fn fail(e: &CommandError) -> ExitCode {
    eprintln!("{}", serde_json::to_string(e).unwrap_or_else(|_| e.to_string()));
    ExitCode::from(2)
}

fn open(data: &Path, day: &str) -> Result<App, CommandError> {
    crate::commands::orders::parse_day(day)?;
    if !data.join("storepos.db").exists() {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            format!("{} 里没有账本，请先运行 storepos init", data.display()),
            format!("no ledger in {}; run storepos init first", data.display()),
        ));
    }
    Ok(App::open(data)?)
}

pub fn stats(data: &Path, day: &str, json: bool) -> ExitCode {
    let app = match open(data, day) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let s = match crate::services::stats::day_stats(app.ledger().read(), day) {
        Ok(s) => s,
        Err(e) => return fail(&e.into()),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    println!("营业日 {}  ({})", s.day, app.config().store_name);
    println!("销售额 gross      {:>12}   订单 orders {}", s.gross.to_string(), s.order_count);
    println!("退款 refunds      {:>12}", s.refunds.to_string());
    println!("补差价 supplements {:>11}", s.supplements.to_string());
    println!("净额 net          {:>12}   客单价 average {}", s.net.to_string(), s.average_ticket);
    println!("取消 cancelled    {:>12}   ({} 笔)", s.cancelled.amount.to_string(), s.cancelled.count);
    println!("拒单 rejected     {:>12}   ({} 笔)", s.rejected.amount.to_string(), s.rejected.count);
    println!("支付方式 payment mix:");
    for m in &s.payment_mix {
        println!("  {:<8} {:>5} 笔 {:>12}", m.method, m.count, m.amount.to_string());
    }
    println!("渠道 channels:");
    for (c, ca) in &s.by_channel {
        println!("  {:<10} {:>5} 笔 {:>12}", c, ca.count, ca.amount.to_string());
    }
    println!("时段 hours:");
    for h in s.by_hour.iter().filter(|h| h.count > 0) {
        println!("  {:02}:00 {:>5} 笔 {:>12}", h.hour, h.count, h.amount.to_string());
    }
    println!("热销 top products (qty):");
    for p in &s.top_products_qty {
        println!("  {:>5} × {}  {}", p.quantity, p.name, p.amount);
    }
    ExitCode::SUCCESS
}

pub fn export(data: &Path, day: &str, out: &Path) -> ExitCode {
    let app = match open(data, day) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let files = match crate::services::stats::export_day(app.ledger().read(), day, app.config().rule.tz) {
        Ok(f) => f,
        Err(e) => return fail(&e.into()),
    };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(out)?;
        std::fs::write(out.join("orders.csv"), &files.orders_csv)?;
        std::fs::write(out.join("lines.csv"), &files.lines_csv)?;
        std::fs::write(out.join("summary.csv"), &files.summary_csv)?;
        Ok(())
    };
    if let Err(e) = write() {
        return fail(&CommandError::new(ErrorCode::Storage, format!("无法写入 {}", out.display()), e.to_string()));
    }
    println!(
        "{}",
        serde_json::json!({ "day": day, "out": out, "orders": files.orders, "lines": files.lines, "files": ["orders.csv", "lines.csv", "summary.csv"] })
    );
    ExitCode::SUCCESS
}
