//! Customer receipt (小票 / 结算单).

use crate::money::fmt_money;
use crate::ticket::{TextStyle, Ticket};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One sold line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// Product name (with specification if any).
    pub name: String,
    /// Quantity (negative on a return line).
    pub quantity: i64,
    /// Unit price.
    pub unit_price: Decimal,
    /// Line total as charged (after discounts; not recomputed here).
    pub line_total: Decimal,
    /// Line note, e.g. `少冰`.
    pub memo: Option<String>,
}

/// Everything a receipt shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptData {
    /// Store name, the header.
    pub store_name: String,
    /// Local order number people say aloud (`T1-0007`); empty = not printed.
    pub local_number: String,
    /// The platform's order number once known.
    pub platform_order_number: Option<String>,
    /// Order time, local, formatted.
    pub time_local: String,
    /// Cashier name.
    pub cashier: String,
    /// Sold lines.
    pub lines: Vec<ReceiptLine>,
    /// Order note (e.g. platform `remark`).
    pub remark: Option<String>,
    /// Amount due.
    pub total: Decimal,
    /// Amount tendered (cash), if any.
    pub paid: Option<Decimal>,
    /// Change given, if any.
    pub change: Option<Decimal>,
    /// Display name of the payment method (`现金`, `微信支付`).
    pub payment_method: String,
    /// QR payload (a WeChat `code_url` on a pay-later slip).
    pub qr: Option<String>,
    /// Caption printed above the QR code.
    pub qr_caption: Option<String>,
    /// Footer text (thanks, phone, …).
    pub footer: String,
    /// Prints a `重印` banner: this is a copy.
    pub reprint: bool,
    /// Pulse the cash drawer at the end (cash payments).
    pub open_drawer: bool,
    /// A title under the store name (`结算单`, the settlement receipt of an online order).
    #[serde(default)]
    pub title: Option<String>,
    /// The customer's lines (`会员：138****8000`, `发票抬头：…`), printed after the totals.
    #[serde(default)]
    pub customer: Vec<String>,
    /// A store-side discount taken off `total` (整单优惠 / 抹零): printed under 合计 with
    /// what the customer paid (应收 = total − discount).
    #[serde(default)]
    pub discount: Option<ReceiptDiscount>,
}

/// What was taken off a receipt's total, and under which word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDiscount {
    /// `整单优惠` or `抹零`.
    pub label: String,
    /// Positive; printed as `-￥2.00`.
    pub amount: Decimal,
}

/// Builds the receipt ticket: header, order facts, lines (name, then
/// `qty x unit` … line total), totals right-aligned, optional QR, footer, cut,
/// and a drawer pulse when `open_drawer`.
pub fn receipt(d: &ReceiptData) -> Ticket {
    let mut t = Ticket::new().styled(d.store_name.clone(), TextStyle::plain().center().bold().double_height());
    if let Some(title) = d.title.as_deref().filter(|x| !x.trim().is_empty()) {
        t = t.styled(title.to_string(), TextStyle::plain().center().bold());
    }
    if d.reprint {
        t = super::banner(t, "重印");
    }
    t = t.feed(1);
    if !d.local_number.is_empty() {
        t = t.styled(format!("单号：{}", d.local_number), TextStyle::plain().bold());
    }
    if let Some(n) = &d.platform_order_number {
        t = t.text(format!("平台单号：{n}"));
    }
    t = t.text(format!("时间：{}", d.time_local)).text(format!("收银员：{}", d.cashier)).separator();
    let mut count = 0i64;
    for l in &d.lines {
        count = count.saturating_add(l.quantity);
        t = t
            .text(l.name.clone())
            .columns(format!("  {} x {}", l.quantity, fmt_money(l.unit_price)), fmt_money(l.line_total));
        if let Some(m) = l.memo.as_deref().filter(|m| !m.trim().is_empty()) {
            t = t.text(format!("  备注：{m}"));
        }
    }
    t = t.separator().columns(format!("共 {count} 件"), "");
    match d.discount.as_ref().filter(|x| !x.amount.is_zero()) {
        None => t = t.columns_styled("合计", fmt_money(d.total), TextStyle::plain().bold().double_height()),
        Some(x) => {
            let due = (d.total - x.amount).max(Decimal::ZERO);
            t = t.columns("合计", fmt_money(d.total)).columns(x.label.clone(), fmt_money(-x.amount)).columns_styled(
                "应收",
                fmt_money(due),
                TextStyle::plain().bold().double_height(),
            );
        }
    }
    t = t.columns("支付方式", d.payment_method.clone());
    if let Some(p) = d.paid {
        t = t.columns("实收", fmt_money(p));
    }
    if let Some(c) = d.change {
        t = t.columns("找零", fmt_money(c));
    }
    if let Some(r) = d.remark.as_deref().filter(|r| !r.trim().is_empty()) {
        t = t.separator().text(format!("备注：{r}"));
    }
    if !d.customer.is_empty() {
        t = t.separator();
        for line in &d.customer {
            t = t.text(line.clone());
        }
    }
    if let Some(q) = &d.qr {
        t = t.separator();
        if let Some(c) = &d.qr_caption {
            t = t.center(c.clone());
        }
        t = t.qr(q.clone());
    }
    if !d.footer.is_empty() {
        t = t.feed(1).center(d.footer.clone());
    }
    t = t.cut();
    if d.open_drawer {
        t = t.drawer_kick();
    }
    t
}
