//! After-sales slip (售后单): refund, return or exchange.

use crate::money::fmt_money;
use crate::ticket::{TextStyle, Ticket};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Platform `service_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceType {
    /// REFUND: money only.
    Refund,
    /// RETURN: goods back and money.
    Return,
    /// EXCHANGE: goods back, other goods out.
    Exchange,
}

impl ServiceType {
    /// Label on paper.
    pub fn label(self) -> &'static str {
        match self {
            ServiceType::Refund => "退款",
            ServiceType::Return => "退货",
            ServiceType::Exchange => "换货",
        }
    }
}

/// A returned or exchanged line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterSalesLine {
    /// Product name.
    pub name: String,
    /// Quantity.
    pub quantity: i64,
    /// Value of the line (price × quantity), when known.
    pub amount: Option<Decimal>,
}

/// Everything an after-sales slip shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterSalesSlipData {
    /// Store name.
    pub store_name: String,
    /// Refund, return or exchange.
    pub service_type: ServiceType,
    /// Platform service number once known (`<order>-<id>`).
    pub service_number: Option<String>,
    /// Linked order (local or platform number), if any.
    pub order_ref: Option<String>,
    /// Goods coming back.
    pub returned: Vec<AfterSalesLine>,
    /// Goods going out (exchange).
    pub exchanged: Vec<AfterSalesLine>,
    /// Money back to the customer.
    pub refund_fee: Option<Decimal>,
    /// Money the customer pays on top (exchange).
    pub supplementary_fee: Option<Decimal>,
    /// Reason given.
    pub reason: Option<String>,
    /// Time, local, formatted.
    pub time_local: String,
    /// Clerk name.
    pub clerk: String,
    /// Prints `重印`.
    pub reprint: bool,
    /// How the money goes back, as printed (`现金退款（柜台）`, `原路退回`).
    #[serde(default)]
    pub refund_way: Option<String>,
    /// 门店自理: the platform does not take this service; the store pays it itself.
    #[serde(default)]
    pub store_only: bool,
}

/// Builds the after-sales slip.
pub fn after_sales_slip(d: &AfterSalesSlipData) -> Ticket {
    let mut t = Ticket::new()
        .styled(d.store_name.clone(), TextStyle::plain().center().bold())
        .styled(format!("售后单 - {}", d.service_type.label()), TextStyle::plain().center().bold().double_height());
    if d.reprint {
        t = super::banner(t, "重印");
    }
    if d.store_only {
        t = super::banner(t, "门店自理");
    }
    t = t.feed(1);
    t = t.text(format!(
        "服务单号：{}",
        d.service_number.as_deref().unwrap_or(if d.store_only {
            "(门店自理，不提交平台)"
        } else {
            "(待同步)"
        })
    ));
    if let Some(o) = &d.order_ref {
        t = t.text(format!("原订单：{o}"));
    }
    t = t.text(format!("时间：{}", d.time_local)).text(format!("经办：{}", d.clerk));
    if let Some(r) = d.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        t = t.text(format!("原因：{r}"));
    }
    let section = |mut t: Ticket, title: &str, lines: &[AfterSalesLine]| {
        if lines.is_empty() {
            return t;
        }
        t = t.separator().styled(title.to_string(), TextStyle::plain().bold());
        for l in lines {
            let right = l.amount.map(fmt_money).unwrap_or_default();
            t = t.columns(format!("{} x{}", l.name, l.quantity), right);
        }
        t
    };
    t = section(t, "退回商品", &d.returned);
    t = section(t, "换出商品", &d.exchanged);
    t = t.separator();
    if let Some(f) = d.refund_fee {
        t = t.columns_styled("退款金额", fmt_money(f), TextStyle::plain().bold().double_height());
    }
    if let Some(f) = d.supplementary_fee {
        t = t.columns_styled("补差金额", fmt_money(f), TextStyle::plain().bold().double_height());
    }
    if let Some(w) = d.refund_way.as_deref().filter(|w| !w.trim().is_empty()) {
        t = t.text(format!("退款方式：{w}"));
    }
    t.feed(1).text("顾客签字：").feed(1).cut()
}
