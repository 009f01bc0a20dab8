//! Shift close / Z report (日结). Kept generic: fixed header and totals, then
//! lists of rows the stats code fills in, so new figures need no change here.

use crate::money::fmt_money;
use crate::ticket::{TextStyle, Ticket};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A counted row: `微信支付  12笔  ￥345.00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZCountRow {
    /// Label (`现金`, `微信支付`).
    pub label: String,
    /// How many.
    pub count: i64,
    /// Sum.
    pub amount: Decimal,
}

/// Expected vs counted cash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashCount {
    /// Cash the till should hold.
    pub expected: Decimal,
    /// Cash counted by a person.
    pub counted: Decimal,
    /// counted − expected (as computed by the domain; printed as given).
    pub over_short: Decimal,
}

/// A titled list of already-formatted `(label, value)` rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZSection {
    /// Heading.
    pub heading: String,
    /// Rows.
    pub rows: Vec<(String, String)>,
}

/// Everything a Z report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZReportData {
    /// `日结报表` / `交班报表`.
    pub title: String,
    /// Store name.
    pub store: String,
    /// Till name.
    pub till: String,
    /// Business day (`2024-05-01`).
    pub business_day: String,
    /// Shift opened (local, formatted).
    pub opened_at: String,
    /// Shift closed (local, formatted).
    pub closed_at: String,
    /// Cashier.
    pub cashier: String,
    /// Manager who closed, if any.
    pub manager: Option<String>,
    /// Gross sales.
    pub gross: Decimal,
    /// Store-side discounts (整单优惠 / 抹零) taken off gross (positive number); printed
    /// when not zero.
    #[serde(default)]
    pub discounts: Decimal,
    /// Refunds (positive number).
    pub refunds: Decimal,
    /// Net sales.
    pub net: Decimal,
    /// Orders counted.
    pub order_count: i64,
    /// Payment mix.
    pub payment_mix: Vec<ZCountRow>,
    /// Cash drawer count, if done.
    pub cash: Option<CashCount>,
    /// Any further sections (status counts, top products, hourly, …).
    pub sections: Vec<ZSection>,
    /// Print time (local, formatted).
    pub printed_at: String,
}

/// Builds the Z report.
pub fn z_report(d: &ZReportData) -> Ticket {
    let mut t = Ticket::new()
        .styled(d.title.clone(), TextStyle::plain().center().bold().double_height())
        .center(d.store.clone())
        .separator()
        .columns("营业日", d.business_day.clone())
        .columns("收银台", d.till.clone())
        .columns("开班", d.opened_at.clone())
        .columns("结班", d.closed_at.clone())
        .columns("收银员", d.cashier.clone());
    if let Some(m) = &d.manager {
        t = t.columns("店长", m.clone());
    }
    t = t.separator().columns("订单数", d.order_count.to_string()).columns("销售额", fmt_money(d.gross));
    if !d.discounts.is_zero() {
        t = t.columns("优惠/抹零", fmt_money(-d.discounts));
    }
    t = t.columns("退款", fmt_money(d.refunds)).columns_styled("净额", fmt_money(d.net), TextStyle::plain().bold());
    if !d.payment_mix.is_empty() {
        t = t.separator().styled("支付方式", TextStyle::plain().bold());
        for r in &d.payment_mix {
            t = t.columns(format!("{} {}笔", r.label, r.count), fmt_money(r.amount));
        }
    }
    if let Some(c) = &d.cash {
        t = t
            .separator()
            .styled("现金盘点", TextStyle::plain().bold())
            .columns("应有", fmt_money(c.expected))
            .columns("实点", fmt_money(c.counted))
            .columns_styled(over_short_label(c.over_short), fmt_money(c.over_short.abs()), TextStyle::plain().bold());
    }
    for s in &d.sections {
        t = t.separator().styled(s.heading.clone(), TextStyle::plain().bold());
        for (label, value) in &s.rows {
            t = t.columns(label.clone(), value.clone());
        }
    }
    t.separator().text(format!("打印时间：{}", d.printed_at)).feed(1).text("签字：").cut()
}

/// counted − expected in the words of the counter: 长款 (more cash than expected), 短款
/// (less), 现金相符 (even); the amount beside it is always positive.
pub fn over_short_label(over_short: Decimal) -> &'static str {
    if over_short.is_zero() {
        "现金相符"
    } else if over_short.is_sign_negative() {
        "短款"
    } else {
        "长款"
    }
}
