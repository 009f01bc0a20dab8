//! The manager's day: day statistics, ranges and comparisons, Z reports, CSV export and
//! the statistics benchmark. Rules live in `crate::domain::stats`, SQL in
//! `crate::ledger::stats` / `crate::ledger::shifts`; this module puts them together for
//! the commands (`crate::commands::stats`, `crate::commands::shifts`) and the CLI.

pub mod bench;
pub mod csv;
pub mod zreport;

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::Connection;
use ts_rs::TS;

use crate::domain::stats::{self as rules, DayStats, DayTotals};
use crate::ledger::{stats as sql, LedgerError};

/// Statistics of one business day from the local ledger (synced or not): three indexed
/// aggregates and a pure fold over their groups.
pub fn day_stats(conn: &Connection, day: &str) -> Result<DayStats, LedgerError> {
    let orders = sql::day_order_groups(conn, day)?;
    let lines = sql::day_line_groups(conn, day)?;
    let after = sql::day_after_sales(conn, day)?;
    Ok(rules::day_stats(day, &orders, &lines, after))
}

/// Longest range `stats_range_get` answers, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

pub fn days_between(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push(d.to_string());
        d += Duration::days(1);
    }
    out
}

/// Monday..Sunday of the ISO week that holds `day`.
pub fn week_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = day - Duration::days(day.weekday().num_days_from_monday() as i64);
    (start, start + Duration::days(6))
}

/// First..last day of a month `YYYY-MM`.
pub fn month_of(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((first, next - Duration::days(1)))
}

/// Per-day totals of `[from, to]` (every day present, zeros included) and their sum.
pub fn range(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<(Vec<DayTotals>, DayTotals), LedgerError> {
    let days = days_between(from, to);
    let groups = sql::range_groups(conn, &from.to_string(), &to.to_string())?;
    let after = sql::range_after_sales(conn, &from.to_string(), &to.to_string())?;
    Ok(rules::range_totals(&days, &groups, &after))
}

/// The three CSV files of a day's export (each with a BOM; see [`csv`]).
#[derive(Debug, Clone, serde::Serialize, TS)]
pub struct ExportFiles {
    pub day: String,
    pub orders_csv: String,
    pub lines_csv: String,
    pub summary_csv: String,
    pub orders: usize,
    pub lines: usize,
}

fn yuan(fen: i64) -> String {
    crate::domain::Money::from_fen(fen).to_string()
}

/// Orders, lines and the day summary of one business day as CSV texts.
pub fn export_day(conn: &Connection, day: &str, tz: chrono_tz::Tz) -> Result<ExportFiles, LedgerError> {
    use std::collections::HashMap;
    let orders = sql::export_orders(conn, day)?;
    let lines = sql::export_lines(conn, day)?;
    let stats = day_stats(conn, day)?;
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let local = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|x| x.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|_| t.to_string())
    };
    let order_rows: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            vec![
                o.local_number.clone(),
                opt(&o.order_number),
                o.till_code.clone(),
                o.business_day.clone(),
                local(&o.created_at),
                o.channel.clone(),
                o.status.clone(),
                opt(&o.payment_method),
                yuan(o.total_fen),
                o.paid_fen.map(yuan).unwrap_or_default(),
                o.change_fen.map(yuan).unwrap_or_default(),
                opt(&o.cashier),
                o.contact_user.clone(),
                o.phone.clone(),
                crate::domain::order::strip_client_ref_marker(&o.remark),
                o.sync_state.clone(),
                if o.left_store { "1".into() } else { "0".into() },
                yuan(o.discount_fen),
                o.discount_kind.clone().unwrap_or_default(),
                yuan((o.total_fen - o.discount_fen).max(0)),
            ]
        })
        .collect();
    let numbers: HashMap<i64, (&str, Option<&str>)> =
        orders.iter().map(|o| (o.id, (o.local_number.as_str(), o.order_number.as_deref()))).collect();
    let line_rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let (local_number, order_number) = numbers.get(&l.order_id).copied().unwrap_or(("", None));
            vec![
                local_number.to_string(),
                order_number.unwrap_or("").to_string(),
                l.line_no.to_string(),
                l.product_id.to_string(),
                l.specification_id.map(|s| s.to_string()).unwrap_or_default(),
                l.name.clone(),
                l.category.clone(),
                yuan(l.unit_price_fen),
                l.quantity.to_string(),
                yuan(l.line_total_fen),
                l.memo.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let mut sum: Vec<Vec<String>> = Vec::new();
    let mut put = |section: &str, key: &str, count: String, amount: String| {
        sum.push(vec![section.into(), key.into(), count, amount])
    };
    put("total", "gross", stats.order_count.to_string(), stats.gross.to_string());
    put("total", "discounts", stats.discounts.count.to_string(), stats.discounts.amount.to_string());
    put("total", "refunds", String::new(), stats.refunds.to_string());
    put("total", "supplements", String::new(), stats.supplements.to_string());
    put("total", "net", String::new(), stats.net.to_string());
    put("total", "average_ticket", String::new(), stats.average_ticket.to_string());
    put("total", "cancelled", stats.cancelled.count.to_string(), stats.cancelled.amount.to_string());
    put("total", "rejected", stats.rejected.count.to_string(), stats.rejected.amount.to_string());
    for (k, n) in &stats.by_status {
        put("status", k, n.to_string(), String::new());
    }
    for (k, ca) in &stats.by_channel {
        put("channel", k, ca.count.to_string(), ca.amount.to_string());
    }
    for r in &stats.payment_mix {
        put("payment", &r.method, r.count.to_string(), r.amount.to_string());
    }
    for h in &stats.by_hour {
        put("hour", &format!("{:02}", h.hour), h.count.to_string(), h.amount.to_string());
    }
    for c in &stats.by_category {
        put("category", &c.name, c.quantity.to_string(), c.amount.to_string());
    }
    for p in &stats.top_products_qty {
        put("top_product_qty", &p.name, p.quantity.to_string(), p.amount.to_string());
    }
    for p in &stats.top_products_amount {
        put("top_product_amount", &p.name, p.quantity.to_string(), p.amount.to_string());
    }
    for c in &stats.by_cashier {
        put("cashier", &c.name, c.count.to_string(), c.amount.to_string());
    }
    Ok(ExportFiles {
        day: day.to_string(),
        orders_csv: csv::to_csv(
            &[
                "local_number",
                "order_number",
                "till",
                "business_day",
                "created_at_local",
                "channel",
                "status",
                "payment_method",
                "total",
                "paid",
                "change",
                "cashier",
                "contact_user",
                "phone",
                "remark",
                "sync_state",
                "left_store",
                "discount",
                "discount_kind",
                "due",
            ],
            &order_rows,
        ),
        lines_csv: csv::to_csv(
            &[
                "local_number",
                "order_number",
                "line_no",
                "product_id",
                "specification_id",
                "name",
                "category",
                "unit_price",
                "quantity",
                "line_total",
                "memo",
            ],
            &line_rows,
        ),
        summary_csv: csv::to_csv(&["section", "key", "count", "amount"], &sum),
        orders: orders.len(),
        lines: lines.len(),
    })
}
