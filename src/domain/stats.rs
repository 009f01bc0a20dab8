//! The manager's figures, pure: day statistics from aggregated groups, comparisons and
//! ranges (the shift's cash count is in [`super::cash_count`], the reconciliation with the
//! platform's `order_count` in [`super::reconcile`]). The ledger hands in *groups* (one SQL
//! aggregate per question, on indexed columns); nothing here walks a year of rows.
//!
//! # What counts as a sale (gross sales)
//!
//! An order is a **sale** when money was really taken for it, whatever happened after:
//! its status is one of [`SALE_STATUSES`] — PAID_CONFIRM_PENDING,
//! CONFIRMED_PICK_PENDING, CONFIRMED_DELIVER_PENDING, DELIVERING,
//! DELIVERED_CONFIRM_PENDING, CLOSED_CONFIRMED, CANCELED_RETURN_PENDING,
//! CANCELED_REFUND_PENDING, CLOSED_REFUNDED — **and** it has not left the store
//! (`left_store = 0`, a rejected FLASH order). Not sales: CREATED_PAY_PENDING (not paid
//! yet), CLOSED_PAY_TIMEOUT (never paid), CLOSED_CANCELED (cancelled before payment).
//!
//! A paid order that is later returned stays in gross on the day it was sold; the money
//! given back is a **refund** on the day of its after-sales service (every service of
//! that business day except status CANCELED, synced or not). `supplements` are the
//! `supplementary_fee`s customers paid on exchanges that day.
//! **Discounts** (整单优惠 / 抹零, [`super::discount`]) are store-side adjustments on
//! counter sales: the platform order keeps its full price, so `gross` and every breakdown
//! (channel, payment mix, hour, cashier, products) stay at the platform's price and sum to
//! `gross`; `discounts` counts the discounted sales and the sum taken off them, on the
//! day they were sold. `net = gross − discounts − refunds + supplements` is the money the
//! store kept. `order_count` counts sales;
//! `average_ticket = gross / order_count`, rounded half away from zero to the fen (the
//! one rounding point), 0.00 on a day without sales.
//!
//! `by_status` counts every order of the day still in the store (all twelve statuses are
//! always present); `by_channel`, `payment_mix`, `by_hour`, `by_cashier`, the product
//! tops and `by_category` are over sales only, so each of them sums to `gross` /
//! `order_count` (categories and products sum line totals of sales). `cancelled` is the
//! CLOSED_CANCELED orders, `rejected` the orders that left the store.

use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::order::{Channel, PaymentMethod, Status};
use super::Money;

/// Statuses of orders whose money was taken (see the module documentation).
pub const SALE_STATUSES: &[Status] = &[
    Status::PaidConfirmPending,
    Status::ConfirmedPickPending,
    Status::ConfirmedDeliverPending,
    Status::Delivering,
    Status::DeliveredConfirmPending,
    Status::ClosedConfirmed,
    Status::CanceledReturnPending,
    Status::CanceledRefundPending,
    Status::ClosedRefunded,
];

pub fn is_sale(status: Status, left_store: bool) -> bool {
    !left_store && SALE_STATUSES.contains(&status)
}

/// The SQL list of sale statuses, for `status IN (…)` (constants, never user input).
pub fn sale_statuses_sql() -> String {
    SALE_STATUSES.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
}

/// The payment bucket of a sale: its method, or ONLINE for an online order that
/// carries none (it was paid on the platform), or UNKNOWN for a counter sale without one.
pub fn payment_bucket(method: Option<&str>, channel: &str) -> String {
    match method.and_then(PaymentMethod::parse) {
        Some(m) => m.as_str().to_string(),
        None if channel != Channel::Counter.as_str() => PaymentMethod::Online.as_str().to_string(),
        None => "UNKNOWN".to_string(),
    }
}

/// Shown for sales without a cashier (online orders).
pub const NO_CASHIER: &str = "（无收银员）";

/// One group of a day's orders, as `GROUP BY status, left_store, channel,
/// payment_method, local_hour, cashier_name` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderGroup {
    pub status: String,
    pub left_store: bool,
    pub channel: String,
    pub payment_method: Option<String>,
    pub local_hour: i64,
    pub cashier: Option<String>,
    pub count: i64,
    pub total_fen: i64,
    /// How many of these orders carry a store-side discount, and its sum in fen.
    pub discounted: i64,
    pub discount_fen: i64,
}

/// Lines of the day's *sales*, grouped by product, line name and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineGroup {
    pub product_id: i64,
    pub name: String,
    pub category: String,
    pub quantity: i64,
    pub amount_fen: i64,
}

/// The day's after-sales services (CANCELED ones left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AfterSalesSums {
    pub count: i64,
    pub refund_fen: i64,
    pub supplementary_fen: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountAmount {
    pub count: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MethodRow {
    pub method: String,
    pub count: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HourRow {
    pub hour: u32,
    pub count: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProductRow {
    pub product_id: i64,
    pub name: String,
    pub quantity: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CategoryRow {
    pub name: String,
    pub quantity: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CashierRow {
    pub name: String,
    pub count: i64,
    pub amount: Money,
}

/// `stats_day_get`'s answer; the UI is written against exactly this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayStats {
    pub day: String,
    pub gross: Money,
    /// Sales with a store-side discount and the sum taken off (part of `gross`, not of `net`).
    pub discounts: CountAmount,
    pub refunds: Money,
    pub supplements: Money,
    pub net: Money,
    pub order_count: i64,
    pub average_ticket: Money,
    pub by_status: BTreeMap<String, i64>,
    pub by_channel: BTreeMap<String, CountAmount>,
    pub payment_mix: Vec<MethodRow>,
    pub by_hour: Vec<HourRow>,
    pub top_products_qty: Vec<ProductRow>,
    pub top_products_amount: Vec<ProductRow>,
    pub by_category: Vec<CategoryRow>,
    pub by_cashier: Vec<CashierRow>,
    pub cancelled: CountAmount,
    pub rejected: CountAmount,
}

pub const TOP_N: usize = 10;

/// `gross / count`, half away from zero to the fen; zero without sales.
pub fn average(gross: Money, count: i64) -> Money {
    if count <= 0 {
        return Money::ZERO;
    }
    let avg =
        (gross.decimal() / Decimal::from(count)).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Money::new(avg).unwrap_or(Money::ZERO)
}

pub fn day_stats(day: &str, orders: &[OrderGroup], lines: &[LineGroup], after: AfterSalesSums) -> DayStats {
    let mut by_status: BTreeMap<String, i64> = Status::ALL.iter().map(|s| (s.as_str().to_string(), 0)).collect();
    let mut by_channel: BTreeMap<String, CountAmount> =
        Channel::ALL.iter().map(|c| (c.as_str().to_string(), CountAmount::default())).collect();
    let mut pay: BTreeMap<String, CountAmount> = BTreeMap::new();
    let mut hours = [CountAmount::default(); 24];
    let mut cashiers: BTreeMap<String, CountAmount> = BTreeMap::new();
    let (mut gross_fen, mut count) = (0i64, 0i64);
    let mut discounts = CountAmount::default();
    let (mut cancelled, mut rejected) = (CountAmount::default(), CountAmount::default());
    let add = |ca: &mut CountAmount, n: i64, fen: i64| {
        ca.count += n;
        ca.amount += Money::from_fen(fen);
    };
    for g in orders {
        if g.left_store {
            add(&mut rejected, g.count, g.total_fen);
            continue;
        }
        *by_status.entry(g.status.clone()).or_insert(0) += g.count;
        let status = Status::parse(&g.status);
        if status == Some(Status::ClosedCanceled) {
            add(&mut cancelled, g.count, g.total_fen);
        }
        if !status.is_some_and(|s| is_sale(s, false)) {
            continue;
        }
        gross_fen += g.total_fen;
        count += g.count;
        add(&mut discounts, g.discounted, g.discount_fen);
        add(by_channel.entry(g.channel.clone()).or_default(), g.count, g.total_fen);
        add(pay.entry(payment_bucket(g.payment_method.as_deref(), &g.channel)).or_default(), g.count, g.total_fen);
        add(&mut hours[g.local_hour.rem_euclid(24) as usize], g.count, g.total_fen);
        let who = g.cashier.clone().filter(|c| !c.trim().is_empty()).unwrap_or_else(|| NO_CASHIER.to_string());
        add(cashiers.entry(who).or_default(), g.count, g.total_fen);
    }

    let mut payment_mix: Vec<MethodRow> = ["CASH", "WECHAT", "ONLINE"]
        .iter()
        .map(|m| {
            let ca = pay.remove(*m).unwrap_or_default();
            MethodRow { method: m.to_string(), count: ca.count, amount: ca.amount }
        })
        .collect();
    payment_mix.extend(pay.into_iter().map(|(method, ca)| MethodRow { method, count: ca.count, amount: ca.amount }));

    let by_hour = hours
        .iter()
        .enumerate()
        .map(|(h, ca)| HourRow { hour: h as u32, count: ca.count, amount: ca.amount })
        .collect();

    let mut by_cashier: Vec<CashierRow> =
        cashiers.into_iter().map(|(name, ca)| CashierRow { name, count: ca.count, amount: ca.amount }).collect();
    by_cashier.sort_by(|a, b| b.amount.cmp(&a.amount).then(b.count.cmp(&a.count)).then(a.name.cmp(&b.name)));

    // Products by id (the name shown is the smallest line name, e.g. 拿铁 before 拿铁(大杯)).
    let mut products: HashMap<i64, ProductRow> = HashMap::new();
    let mut categories: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for l in lines {
        let p = products.entry(l.product_id).or_insert_with(|| ProductRow {
            product_id: l.product_id,
            name: l.name.clone(),
            quantity: 0,
            amount: Money::ZERO,
        });
        if l.name < p.name {
            p.name = l.name.clone();
        }
        p.quantity += l.quantity;
        p.amount += Money::from_fen(l.amount_fen);
        let c = categories.entry(l.category.clone()).or_insert((0, 0));
        c.0 += l.quantity;
        c.1 += l.amount_fen;
    }
    let products: Vec<ProductRow> = products.into_values().collect();
    let mut top_products_qty = products.clone();
    top_products_qty.sort_by(|a, b| {
        b.quantity.cmp(&a.quantity).then(b.amount.cmp(&a.amount)).then(a.product_id.cmp(&b.product_id))
    });
    top_products_qty.truncate(TOP_N);
    let mut top_products_amount = products;
    top_products_amount.sort_by(|a, b| {
        b.amount.cmp(&a.amount).then(b.quantity.cmp(&a.quantity)).then(a.product_id.cmp(&b.product_id))
    });
    top_products_amount.truncate(TOP_N);
    let mut by_category: Vec<CategoryRow> = categories
        .into_iter()
        .map(|(name, (q, fen))| CategoryRow { name, quantity: q, amount: Money::from_fen(fen) })
        .collect();
    by_category.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.name.cmp(&b.name)));

    let gross = Money::from_fen(gross_fen);
    let refunds = Money::from_fen(after.refund_fen);
    let supplements = Money::from_fen(after.supplementary_fen);
    DayStats {
        day: day.to_string(),
        gross,
        discounts,
        refunds,
        supplements,
        net: gross - discounts.amount - refunds + supplements,
        order_count: count,
        average_ticket: average(gross, count),
        by_status,
        by_channel,
        payment_mix,
        by_hour,
        top_products_qty,
        top_products_amount,
        by_category,
        by_cashier,
        cancelled,
        rejected,
    }
}

// ---------------------------------------------------------------- comparisons and ranges

/// The headline figures of one day (a row of a range view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayTotals {
    pub day: String,
    pub gross: Money,
    pub discounts: CountAmount,
    pub refunds: Money,
    pub supplements: Money,
    pub net: Money,
    pub order_count: i64,
    pub average_ticket: Money,
    pub cancelled: CountAmount,
    pub rejected: CountAmount,
}

impl DayTotals {
    pub fn of(s: &DayStats) -> DayTotals {
        DayTotals {
            day: s.day.clone(),
            gross: s.gross,
            discounts: s.discounts,
            refunds: s.refunds,
            supplements: s.supplements,
            net: s.net,
            order_count: s.order_count,
            average_ticket: s.average_ticket,
            cancelled: s.cancelled,
            rejected: s.rejected,
        }
    }
}

/// One day's group for a range: `GROUP BY business_day, status, left_store`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayStatusGroup {
    pub day: String,
    pub status: String,
    pub left_store: bool,
    pub count: i64,
    pub total_fen: i64,
    pub discounted: i64,
    pub discount_fen: i64,
}

/// Per-day totals for every day of `days` (days without orders are zeros) and their sum.
pub fn range_totals(
    days: &[String],
    groups: &[DayStatusGroup],
    after: &BTreeMap<String, AfterSalesSums>,
) -> (Vec<DayTotals>, DayTotals) {
    let mut per: BTreeMap<&str, Vec<OrderGroup>> = days.iter().map(|d| (d.as_str(), vec![])).collect();
    for g in groups {
        if let Some(v) = per.get_mut(g.day.as_str()) {
            v.push(OrderGroup {
                status: g.status.clone(),
                left_store: g.left_store,
                channel: String::new(),
                payment_method: None,
                local_hour: 0,
                cashier: None,
                count: g.count,
                total_fen: g.total_fen,
                discounted: g.discounted,
                discount_fen: g.discount_fen,
            });
        }
    }
    let rows: Vec<DayTotals> = days
        .iter()
        .map(|d| {
            DayTotals::of(&day_stats(
                d,
                per.get(d.as_str()).map(|v| v.as_slice()).unwrap_or(&[]),
                &[],
                after.get(d).copied().unwrap_or_default(),
            ))
        })
        .collect();
    let mut sum = DayTotals {
        day: String::new(),
        gross: Money::ZERO,
        discounts: CountAmount::default(),
        refunds: Money::ZERO,
        supplements: Money::ZERO,
        net: Money::ZERO,
        order_count: 0,
        average_ticket: Money::ZERO,
        cancelled: CountAmount::default(),
        rejected: CountAmount::default(),
    };
    for r in &rows {
        sum.gross += r.gross;
        sum.discounts.count += r.discounts.count;
        sum.discounts.amount += r.discounts.amount;
        sum.refunds += r.refunds;
        sum.supplements += r.supplements;
        sum.net += r.net;
        sum.order_count += r.order_count;
        sum.cancelled.count += r.cancelled.count;
        sum.cancelled.amount += r.cancelled.amount;
        sum.rejected.count += r.rejected.count;
        sum.rejected.amount += r.rejected.amount;
    }
    sum.average_ticket = average(sum.gross, sum.order_count);
    sum.day = match (days.first(), days.last()) {
        (Some(a), Some(b)) => format!("{a}..{b}"),
        _ => String::new(),
    };
    (rows, sum)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MoneyDelta {
    pub current: Money,
    pub previous: Money,
    pub delta: Money,
    /// Change in percent with one decimal (`"12.5"`), `null` when the previous day is 0.
    pub pct: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountDelta {
    pub current: i64,
    pub previous: i64,
    pub delta: i64,
    pub pct: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Deltas {
    pub gross: MoneyDelta,
    pub refunds: MoneyDelta,
    pub supplements: MoneyDelta,
    pub net: MoneyDelta,
    pub order_count: CountDelta,
    pub average_ticket: MoneyDelta,
    pub cancelled: CountDelta,
    pub rejected: CountDelta,
}

fn pct(cur: Decimal, prev: Decimal) -> Option<String> {
    if prev.is_zero() {
        return None;
    }
    let p = ((cur - prev) * Decimal::from(100) / prev.abs())
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    let mut p = p;
    p.rescale(1);
    Some(p.to_string())
}

fn md(c: Money, p: Money) -> MoneyDelta {
    MoneyDelta { current: c, previous: p, delta: c - p, pct: pct(c.decimal(), p.decimal()) }
}

fn cd(c: i64, p: i64) -> CountDelta {
    CountDelta { current: c, previous: p, delta: c - p, pct: pct(Decimal::from(c), Decimal::from(p)) }
}

pub fn deltas(cur: &DayStats, prev: &DayStats) -> Deltas {
    Deltas {
        gross: md(cur.gross, prev.gross),
        refunds: md(cur.refunds, prev.refunds),
        supplements: md(cur.supplements, prev.supplements),
        net: md(cur.net, prev.net),
        order_count: cd(cur.order_count, prev.order_count),
        average_ticket: md(cur.average_ticket, prev.average_ticket),
        cancelled: cd(cur.cancelled.count, prev.cancelled.count),
        rejected: cd(cur.rejected.count, prev.rejected.count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(status: &str, left: bool, ch: &str, pm: Option<&str>, hour: i64, n: i64, fen: i64) -> OrderGroup {
        OrderGroup {
            status: status.into(),
            left_store: left,
            channel: ch.into(),
            payment_method: pm.map(str::to_string),
            local_hour: hour,
            cashier: None,
            count: n,
            total_fen: fen,
            discounted: 0,
            discount_fen: 0,
        }
    }

    #[test]
    fn discounts_stay_in_gross_and_come_off_net() {
        let sold = OrderGroup {
            discounted: 2,
            discount_fen: 130,
            ..g("CLOSED_CONFIRMED", false, "COUNTER", Some("CASH"), 9, 3, 3840)
        };
        // An unpaid discounted sale is not a sale: its discount is not counted either.
        let unpaid = OrderGroup {
            discounted: 1,
            discount_fen: 50,
            ..g("CREATED_PAY_PENDING", false, "COUNTER", None, 9, 1, 1280)
        };
        let s = day_stats(
            "2026-12-07",
            &[sold, unpaid],
            &[],
            AfterSalesSums { count: 1, refund_fen: 500, supplementary_fen: 0 },
        );
        assert_eq!(s.gross, Money::from_fen(3840), "gross is the platform's price");
        assert_eq!(s.discounts, CountAmount { count: 2, amount: Money::from_fen(130) });
        assert_eq!(s.net, Money::from_fen(3840 - 130 - 500), "net = gross − discounts − refunds + supplements");
        let mix: Money = s.payment_mix.iter().map(|r| r.amount).sum();
        assert_eq!(mix, s.gross, "the breakdowns still sum to gross");
    }

    #[test]
    fn empty_day_is_zeros() {
        let s = day_stats("2026-01-01", &[], &[], AfterSalesSums::default());
        assert_eq!(s.gross, Money::ZERO);
        assert_eq!(s.average_ticket, Money::ZERO);
        assert_eq!(s.by_hour.len(), 24);
        assert_eq!(s.by_status.len(), 12);
        assert_eq!(s.by_channel.len(), 3);
        assert_eq!(s.payment_mix.iter().map(|m| m.method.as_str()).collect::<Vec<_>>(), ["CASH", "WECHAT", "ONLINE"]);
        let j = serde_json::to_value(&s).unwrap();
        assert_eq!(j["gross"], "0.00");
        assert_eq!(j["by_channel"]["FLASH"]["amount"], "0.00");
    }

    #[test]
    fn sales_cancelled_rejected_and_average() {
        let groups = [
            g("CLOSED_CONFIRMED", false, "COUNTER", Some("CASH"), 9, 2, 1000),
            g("CLOSED_CONFIRMED", false, "FLASH", None, 10, 1, 1),
            g("CLOSED_CANCELED", false, "COUNTER", None, 9, 1, 700),
            g("CREATED_PAY_PENDING", false, "COUNTER", None, 9, 1, 500),
            g("PAID_CONFIRM_PENDING", true, "FLASH", Some("ONLINE"), 11, 1, 900),
        ];
        let s = day_stats("d", &groups, &[], AfterSalesSums { count: 1, refund_fen: 300, supplementary_fen: 50 });
        assert_eq!(s.gross, Money::from_fen(1001));
        assert_eq!(s.order_count, 3);
        assert_eq!(s.average_ticket, Money::from_fen(334)); // 333.67 → 334 fen
        assert_eq!(s.net, Money::from_fen(1001 - 300 + 50));
        assert_eq!(s.cancelled, CountAmount { count: 1, amount: Money::from_fen(700) });
        assert_eq!(s.rejected, CountAmount { count: 1, amount: Money::from_fen(900) });
        assert_eq!(s.by_status["CLOSED_CONFIRMED"], 3);
        assert_eq!(s.by_status["PAID_CONFIRM_PENDING"], 0);
        assert_eq!(s.payment_mix[2].count, 1); // FLASH without method → ONLINE
        assert_eq!(s.by_cashier[0].name, NO_CASHIER);
    }

    #[test]
    fn deltas_and_pct() {
        let a = day_stats(
            "a",
            &[g("CLOSED_CONFIRMED", false, "COUNTER", Some("CASH"), 9, 3, 1500)],
            &[],
            AfterSalesSums::default(),
        );
        let b = day_stats(
            "b",
            &[g("CLOSED_CONFIRMED", false, "COUNTER", Some("CASH"), 9, 2, 1000)],
            &[],
            AfterSalesSums::default(),
        );
        let d = deltas(&a, &b);
        assert_eq!(d.gross.delta, Money::from_fen(500));
        assert_eq!(d.gross.pct.as_deref(), Some("50.0"));
        assert_eq!(d.order_count.delta, 1);
        assert_eq!(deltas(&a, &day_stats("z", &[], &[], AfterSalesSums::default())).gross.pct, None);
    }
}
