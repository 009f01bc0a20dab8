//! Z reports (交班报表 at a shift close, 日结报表 for a day) as self-describing JSON.
//!
//! The JSON is a superset of the printers crate's `ZReportData` (title, store, till,
//! business_day, opened_at, closed_at, cashier, manager, gross, refunds, net,
//! order_count, payment_mix[{label,count,amount}], cash{expected,counted,over_short},
//! sections[{heading, rows:[[label, value]]}], printed_at), so the print worker can
//! `serde_json::from_value::<ZReportData>(report)` and print it as is. Extra keys
//! (`kind`, `id`, `day`, `supplements`, `average_ticket`, `shift`, `stats`, …) keep the
//! full figures for screens and reprints. Built once; stored immutably by the caller.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::domain::cash_count::{ExpectedCash, DENOMINATIONS};
use crate::domain::order::{Channel, Status};
use crate::domain::stats::DayStats;
use crate::domain::Money;
use crate::ledger::shifts::{CashMove, Shift};

pub fn method_label(m: &str) -> &'static str {
    match m {
        "CASH" => "现金",
        "WECHAT" => "微信支付",
        "ONLINE" => "线上支付",
        _ => "未知方式",
    }
}

pub fn channel_label(c: &str) -> &'static str {
    match Channel::parse(c) {
        Some(Channel::Counter) => "柜台",
        Some(Channel::SelfPick) => "自提",
        Some(Channel::Flash) => "闪送",
        None => "其他",
    }
}

/// Local `YYYY-MM-DD HH:MM` of a stored UTC time (the text itself if it does not parse).
pub fn local_minute(tz: Tz, utc_text: &str) -> String {
    DateTime::parse_from_rfc3339(utc_text)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| utc_text.to_string())
}

fn m(x: Money) -> String {
    x.display_cny()
}

fn row(label: impl Into<String>, value: impl Into<String>) -> Value {
    json!([label.into(), value.into()])
}

fn section(heading: &str, rows: Vec<Value>) -> Option<Value> {
    (!rows.is_empty()).then(|| json!({ "heading": heading, "rows": rows }))
}

fn payment_mix(s: &DayStats) -> Vec<Value> {
    s.payment_mix
        .iter()
        .filter(|r| r.count > 0 || r.method != "UNKNOWN")
        .map(|r| json!({ "label": method_label(&r.method), "method": r.method, "count": r.count, "amount": r.amount }))
        .collect()
}

/// Sections every report shows, from the statistics of its window.
fn stat_sections(s: &DayStats, detailed: bool) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Vec::new();
    if s.discounts.count > 0 {
        after.push(row(format!("优惠/抹零 {}笔", s.discounts.count), m(-s.discounts.amount)));
    }
    after.extend([
        row("补差价", m(s.supplements)),
        row(format!("取消 {}笔", s.cancelled.count), m(s.cancelled.amount)),
        row(format!("拒单 {}笔", s.rejected.count), m(s.rejected.amount)),
        row("客单价", m(s.average_ticket)),
    ]);
    out.extend(section("其他", after));
    let statuses = Status::ALL
        .iter()
        .filter_map(|st| s.by_status.get(st.as_str()).filter(|n| **n > 0).map(|n| row(st.label_zh(), n.to_string())))
        .collect();
    out.extend(section("订单状态", statuses));
    let channels = Channel::ALL
        .iter()
        .filter_map(|c| {
            s.by_channel
                .get(c.as_str())
                .filter(|ca| ca.count > 0)
                .map(|ca| row(format!("{} {}笔", channel_label(c.as_str()), ca.count), m(ca.amount)))
        })
        .collect();
    out.extend(section("销售渠道", channels));
    if detailed {
        out.extend(section(
            "品类",
            s.by_category.iter().map(|c| row(format!("{} ×{}", c.name, c.quantity), m(c.amount))).collect(),
        ));
        out.extend(section(
            "热销商品",
            s.top_products_qty.iter().map(|p| row(format!("{} ×{}", p.name, p.quantity), m(p.amount))).collect(),
        ));
        out.extend(section(
            "时段",
            s.by_hour
                .iter()
                .filter(|h| h.count > 0)
                .map(|h| row(format!("{:02}:00-{:02}:00 {}笔", h.hour, (h.hour + 1) % 24, h.count), m(h.amount)))
                .collect(),
        ));
    }
    out.extend(section(
        "收银员",
        s.by_cashier.iter().map(|c| row(format!("{} {}笔", c.name, c.count), m(c.amount))).collect(),
    ));
    out
}

pub struct DayReportInput<'a> {
    pub id: i64,
    pub store: &'a str,
    pub tz: Tz,
    pub day_start: DateTime<Utc>,
    pub day_end: DateTime<Utc>,
    pub stats: &'a DayStats,
    pub created_at: DateTime<Utc>,
    pub created_by: &'a str,
}

/// 日结报表: the whole ledger's business day.
pub fn day_report(i: &DayReportInput<'_>) -> Value {
    let s = i.stats;
    let fmt = |t: DateTime<Utc>| t.with_timezone(&i.tz).format("%Y-%m-%d %H:%M").to_string();
    json!({
        "kind": "day",
        "id": i.id,
        "title": "日结报表",
        "store": i.store,
        "till": "全部",
        "day": s.day,
        "business_day": s.day,
        "opened_at": fmt(i.day_start),
        "closed_at": fmt(i.day_end),
        "cashier": "—",
        "manager": i.created_by,
        "gross": s.gross,
        "discounts": s.discounts.amount,
        "refunds": s.refunds,
        "supplements": s.supplements,
        "net": s.net,
        "order_count": s.order_count,
        "average_ticket": s.average_ticket,
        "payment_mix": payment_mix(s),
        "cash": Value::Null,
        "sections": stat_sections(s, true),
        "printed_at": fmt(i.created_at),
        "generated_at": crate::ledger::time_text(i.created_at),
        "stats": s,
    })
}

pub struct ShiftReportInput<'a> {
    pub id: i64,
    pub store: &'a str,
    pub tz: Tz,
    pub shift: &'a Shift,
    pub closed_at: DateTime<Utc>,
    pub manager: &'a str,
    pub stats: &'a DayStats,
    pub cash: &'a ExpectedCash,
    pub counted: Money,
    pub over_short: Money,
    pub counted_pieces: &'a std::collections::BTreeMap<String, i64>,
    pub moves: &'a [CashMove],
}

/// 交班报表: one till's shift, with the cash count.
pub fn shift_report(i: &ShiftReportInput<'_>) -> Value {
    let s = i.stats;
    let c = i.cash;
    let mut sections = vec![json!({ "heading": "现金明细", "rows": [
        row("备用金", m(c.float)),
        row(format!("现金销售 {}笔", c.cash_sales_count), m(c.cash_sales)),
        row("现金优惠/抹零", m(-c.cash_discounts)),
        row("现金退款", m(-c.cash_refunds)),
        row("现金补差价", m(c.cash_supplements)),
        row("存入", m(c.moves_in)),
        row("取出", m(c.moves_out)),
    ]})];
    let pieces: Vec<Value> = DENOMINATIONS
        .iter()
        .filter_map(|(d, unit)| {
            i.counted_pieces
                .get(*d)
                .filter(|n| **n > 0)
                .map(|n| row(format!("{d}元 ×{n}"), m(Money::from_fen(unit * n))))
        })
        .collect();
    sections.extend(section("点钞", pieces));
    sections.extend(section(
        "钱箱存取",
        i.moves.iter().map(|mv| row(format!("{} {}", local_minute(i.tz, &mv.at), mv.reason), m(mv.amount))).collect(),
    ));
    sections.extend(stat_sections(s, false));
    let closed = i.closed_at.with_timezone(&i.tz).format("%Y-%m-%d %H:%M").to_string();
    json!({
        "kind": "shift",
        "id": i.id,
        "title": "交班报表",
        "store": i.store,
        "till": i.shift.till_code,
        "day": i.shift.business_day,
        "business_day": i.shift.business_day,
        "shift": i.shift.id,
        "opened_at": local_minute(i.tz, &i.shift.opened_at),
        "closed_at": closed,
        "cashier": i.shift.opened_by_name,
        "manager": i.manager,
        "gross": s.gross,
        "discounts": s.discounts.amount,
        "refunds": s.refunds,
        "supplements": s.supplements,
        "net": s.net,
        "order_count": s.order_count,
        "average_ticket": s.average_ticket,
        "payment_mix": payment_mix(s),
        "cash": { "expected": c.expected, "counted": i.counted, "over_short": i.over_short },
        "cash_detail": c,
        "counted_pieces": i.counted_pieces,
        "sections": sections,
        "printed_at": closed,
        "generated_at": crate::ledger::time_text(i.closed_at),
        "stats": s,
    })
}

/// A reprint's payload: the stored report, marked, with the print time of now.
pub fn for_reprint(report: &Value, tz: Tz, now: DateTime<Utc>) -> Value {
    let mut r = report.clone();
    if let Some(o) = r.as_object_mut() {
        let title = o.get("title").and_then(|t| t.as_str()).unwrap_or("报表").to_string();
        o.insert("title".into(), json!(format!("{title}（重印）")));
        o.insert("reprint".into(), json!(true));
        o.insert("printed_at".into(), json!(now.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()));
    }
    r
}
