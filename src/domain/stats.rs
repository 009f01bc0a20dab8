//! The manager's figures, pure: day statistics from aggregated groups, comparisons,
//! ranges, the cash count of a shift and the reconciliation with the platform's
//! `order_count`. The ledger hands in *groups* (one SQL aggregate per question, on
//! indexed columns); nothing here walks a year of rows.
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
//! `net = gross − refunds + supplements`. `order_count` counts sales;
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

use super::counts::{in_total, order_count, CountMeaning, OrderCount};
use super::order::{Channel, PaymentMethod, Status, SyncState};
use super::{DomainError, Money};

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
        refunds,
        supplements,
        net: gross - refunds + supplements,
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

// ---------------------------------------------------------------- cash count

/// Notes and coins a person counts, by the key the request uses, in fen.
pub const DENOMINATIONS: &[(&str, i64)] =
    &[("100", 10000), ("50", 5000), ("20", 2000), ("10", 1000), ("5", 500), ("1", 100), ("0.5", 50), ("0.1", 10)];

/// At most this many pieces of one denomination (keeps sums far from overflow).
pub const MAX_PIECES: i64 = 100_000;

/// The counted drawer: every key must be a known denomination and every number 0..=MAX_PIECES.
pub fn counted_total(counted: &BTreeMap<String, i64>) -> Result<Money, DomainError> {
    let mut fen = 0i64;
    for (k, n) in counted {
        let Some((_, unit)) = DENOMINATIONS.iter().find(|(d, _)| d == k) else {
            return Err(DomainError::Invalid(format!(
                "未知面额「{k}」（可用：100 50 20 10 5 1 0.5 0.1） / unknown denomination {k:?}"
            )));
        };
        if !(0..=MAX_PIECES).contains(n) {
            return Err(DomainError::Invalid(format!(
                "面额 {k} 的张数 {n} 无效 / count {n} for {k} must be 0..={MAX_PIECES}"
            )));
        }
        fen += unit * n;
    }
    Ok(Money::from_fen(fen))
}

/// What the drawer should hold at the end of a shift, and how that was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExpectedCash {
    pub float: Money,
    pub cash_sales: Money,
    pub cash_sales_count: i64,
    pub cash_refunds: Money,
    pub cash_supplements: Money,
    pub moves_in: Money,
    pub moves_out: Money,
    pub expected: Money,
}

/// `float + cash sales − cash refunds + cash supplements + moves` (moves out are negative).
pub fn expected_cash(
    float: Money,
    cash_sales: Money,
    cash_sales_count: i64,
    cash_refunds: Money,
    cash_supplements: Money,
    moves: &[Money],
) -> ExpectedCash {
    let moves_in: Money = moves.iter().copied().filter(|m| !m.is_negative()).sum();
    let moves_out: Money = moves.iter().copied().filter(|m| m.is_negative()).sum();
    ExpectedCash {
        float,
        cash_sales,
        cash_sales_count,
        cash_refunds,
        cash_supplements,
        moves_in,
        moves_out,
        expected: float + cash_sales - cash_refunds + cash_supplements + moves_in + moves_out,
    }
}

/// counted − expected: positive is over (长款), negative short (短款).
pub fn over_short(expected: Money, counted: Money) -> Money {
    counted - expected
}

// ---------------------------------------------------------------- reconciliation

/// Local orders grouped for reconciliation: `GROUP BY status, sync_state, has order_number`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncGroup {
    pub status: Status,
    pub sync_state: SyncState,
    pub has_order_number: bool,
    pub count: i64,
    pub total_fen: i64,
}

/// `order_count` over groups, with the domain's own rules (it is linear: one pseudo
/// order carrying a group's sum, its bucket counts times the group size).
pub fn count_groups<'a>(meaning: CountMeaning, groups: impl IntoIterator<Item = &'a SyncGroup>) -> OrderCount {
    let mut acc = OrderCount::default();
    for g in groups {
        let one = order_count(meaning, [(g.status, Money::from_fen(g.total_fen))]);
        acc.total_price += one.total_price;
        acc.total += one.total * g.count;
        acc.handle_pending += one.handle_pending * g.count;
        acc.pick_pending += one.pick_pending * g.count;
        acc.deliver_pending += one.deliver_pending * g.count;
        acc.delivering += one.delivering * g.count;
        acc.closed += one.closed * g.count;
        acc.cancled += one.cancled * g.count;
    }
    acc
}

/// The platform's figures as they arrive: `totalPrice` is a float on the field server,
/// so it is taken as a decimal and rounded to the fen here (a documented rounding point).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlatformCounts {
    #[serde(rename = "totalPrice", alias = "total_price", default)]
    #[ts(type = "string")]
    pub total_price: Decimal,
    #[serde(default)]
    pub total: i64,
    #[serde(rename = "handlePending", alias = "handle_pending", default)]
    pub handle_pending: i64,
    #[serde(rename = "pickPending", alias = "pick_pending", default)]
    pub pick_pending: i64,
    #[serde(rename = "deliverPending", alias = "deliver_pending", default)]
    pub deliver_pending: i64,
    #[serde(default)]
    pub delivering: i64,
    #[serde(default)]
    pub closed: i64,
    #[serde(default, alias = "canceled", alias = "cancelled")]
    pub cancled: i64,
}

impl PlatformCounts {
    pub fn to_order_count(&self) -> OrderCount {
        let fen =
            (self.total_price * Decimal::from(100)).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let fen = rust_decimal::prelude::ToPrimitive::to_i64(&fen).unwrap_or(0);
        OrderCount {
            total_price: Money::from_fen(fen),
            total: self.total,
            handle_pending: self.handle_pending,
            pick_pending: self.pick_pending,
            deliver_pending: self.deliver_pending,
            delivering: self.delivering,
            closed: self.closed,
            cancled: self.cancled,
        }
    }
}

pub const FIGURES: &[&str] =
    &["total", "totalPrice", "handlePending", "pickPending", "deliverPending", "delivering", "closed", "cancled"];

/// A figure's value: counts as numbers, `totalPrice` as a money string.
fn figure(c: &OrderCount, name: &str) -> serde_json::Value {
    match name {
        "totalPrice" => serde_json::json!(c.total_price),
        "total" => c.total.into(),
        "handlePending" => c.handle_pending.into(),
        "pickPending" => c.pick_pending.into(),
        "deliverPending" => c.deliver_pending.into(),
        "delivering" => c.delivering.into(),
        "closed" => c.closed.into(),
        _ => c.cancled.into(),
    }
}

fn figure_fen(c: &OrderCount, name: &str) -> i64 {
    match name {
        "totalPrice" => c.total_price.fen(),
        _ => figure(c, name).as_i64().unwrap_or(0),
    }
}

/// Which statuses feed a figure under a meaning.
fn feeds(meaning: CountMeaning, name: &str, s: Status) -> bool {
    match name {
        "total" | "totalPrice" => in_total(meaning, s),
        "handlePending" => s == Status::PaidConfirmPending,
        "pickPending" => s == Status::ConfirmedPickPending,
        "deliverPending" => s == Status::ConfirmedDeliverPending,
        "delivering" => {
            s == Status::Delivering || (meaning == CountMeaning::Field && s == Status::DeliveredConfirmPending)
        }
        "closed" => s == Status::ClosedConfirmed,
        _ => s == Status::ClosedCanceled,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Explanation {
    pub kind: String,
    pub count: i64,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FigureRow {
    pub figure: String,
    pub local_documented: serde_json::Value,
    pub local_field: serde_json::Value,
    /// Only orders the platform has already heard of in their current state.
    pub local_synced_field: serde_json::Value,
    /// The same orders in the documented meaning (a documented-mode server with a sale
    /// still waiting to sync matches only this one).
    pub local_synced_documented: serde_json::Value,
    pub platform: Option<serde_json::Value>,
    /// platform − local (field meaning); `null` without platform figures.
    pub difference: Option<serde_json::Value>,
    /// Which local figure the platform's equals: "field", "documented", "synced" (synced
    /// orders, field meaning), "synced_documented", or "none".
    pub matches: Option<String>,
    pub explanations: Vec<Explanation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Reconciliation {
    pub local_documented: OrderCount,
    pub local_field: OrderCount,
    pub local_synced_field: OrderCount,
    pub local_synced_documented: OrderCount,
    pub platform: Option<OrderCount>,
    pub unsynced: i64,
    pub never_sent: i64,
    pub conflicts: i64,
    pub figures: Vec<FigureRow>,
    pub all_explained: Option<bool>,
}

fn diff_value(name: &str, fen: i64) -> serde_json::Value {
    if name == "totalPrice" {
        serde_json::json!(Money::from_fen(fen))
    } else {
        fen.into()
    }
}

/// `changed_since_fetch`: local orders changed after the platform's figures were fetched
/// (the manager may read figures a few minutes old): a difference they can explain is not
/// called unexplained.
pub fn reconcile(groups: &[SyncGroup], platform: Option<&OrderCount>, changed_since_fetch: i64) -> Reconciliation {
    let local_documented = count_groups(CountMeaning::Documented, groups);
    let local_field = count_groups(CountMeaning::Field, groups);
    let synced = || groups.iter().filter(|g| g.sync_state == SyncState::Synced);
    let local_synced_field = count_groups(CountMeaning::Field, synced());
    let local_synced_documented = count_groups(CountMeaning::Documented, synced());
    let sum = |f: &dyn Fn(&SyncGroup) -> bool| groups.iter().filter(|g| f(g)).map(|g| g.count).sum::<i64>();
    let unsynced = sum(&|g| g.sync_state == SyncState::Pending);
    let never_sent = sum(&|g| g.sync_state == SyncState::Pending && !g.has_order_number);
    let conflicts = sum(&|g| g.sync_state == SyncState::Conflict);
    let status_count = |s: Status| sum(&|g| g.status == s);

    let mut figures = Vec::new();
    let mut all_explained = platform.map(|_| true);
    for name in FIGURES {
        let name = *name;
        let mut ex = Vec::new();
        let amount = |f: &dyn Fn(&SyncGroup) -> bool| -> (i64, i64) {
            groups
                .iter()
                .filter(|g| f(g) && feeds(CountMeaning::Field, name, g.status))
                .fold((0, 0), |a, g| (a.0 + g.count, a.1 + g.total_fen))
        };
        let (n_new, _) = amount(&|g| g.sync_state == SyncState::Pending && !g.has_order_number);
        if n_new > 0 {
            ex.push(Explanation {
                kind: "not_yet_synced".into(),
                count: n_new,
                zh: format!("{n_new} 笔订单尚未上传到平台，平台还不知道它们"),
                en: format!("{n_new} orders have not reached the platform yet"),
            });
        }
        let (n_changed, _) = amount(&|g| g.sync_state == SyncState::Pending && g.has_order_number);
        if n_changed > 0 {
            ex.push(Explanation {
                kind: "change_not_yet_synced".into(),
                count: n_changed,
                zh: format!("{n_changed} 笔订单的最新状态尚未同步，平台仍按旧状态统计"),
                en: format!("{n_changed} orders have a status change the platform has not heard of yet"),
            });
        }
        let (n_conf, _) = amount(&|g| g.sync_state == SyncState::Conflict);
        if n_conf > 0 {
            ex.push(Explanation {
                kind: "conflict".into(),
                count: n_conf,
                zh: format!("{n_conf} 笔订单与平台冲突，本地状态可能与平台不同"),
                en: format!("{n_conf} orders are in conflict with the platform; their local status may differ"),
            });
        }
        match name {
            "delivering" => {
                let n = status_count(Status::DeliveredConfirmPending);
                ex.push(Explanation {
                    kind: "field_meaning".into(),
                    count: n,
                    zh: format!("平台的 delivering 同时统计 DELIVERING 和 DELIVERED_CONFIRM_PENDING（本地后者 {n} 笔）；文档只算 DELIVERING"),
                    en: format!("the platform's delivering counts DELIVERING + DELIVERED_CONFIRM_PENDING ({n} local orders in the latter); the documents say DELIVERING only"),
                });
            }
            "total" | "totalPrice" => {
                let (a, b, c) = (
                    status_count(Status::CreatedPayPending),
                    status_count(Status::DeliveredConfirmPending),
                    status_count(Status::ClosedPayTimeout),
                );
                ex.push(Explanation {
                    kind: "field_meaning".into(),
                    count: a + b + c,
                    zh: format!("平台的 {name} 不含 CREATED_PAY_PENDING（{a} 笔）、DELIVERED_CONFIRM_PENDING（{b} 笔）、CLOSED_PAY_TIMEOUT（{c} 笔）；文档口径包含全部订单"),
                    en: format!("the platform's {name} leaves out CREATED_PAY_PENDING ({a}), DELIVERED_CONFIRM_PENDING ({b}) and CLOSED_PAY_TIMEOUT ({c}); the documented meaning counts every order"),
                });
            }
            _ => {}
        }
        let (pv, diff, matches) = match platform {
            Some(p) => {
                let pf = figure_fen(p, name);
                let m = if pf == figure_fen(&local_field, name) {
                    "field"
                } else if pf == figure_fen(&local_synced_field, name) {
                    "synced"
                } else if pf == figure_fen(&local_documented, name) {
                    "documented"
                } else if pf == figure_fen(&local_synced_documented, name) {
                    "synced_documented"
                } else {
                    "none"
                };
                if m == "none" && changed_since_fetch > 0 {
                    ex.push(Explanation {
                        kind: "changed_since_fetch".into(),
                        count: changed_since_fetch,
                        zh: format!("取数之后本机又有 {changed_since_fetch} 笔订单变化，平台数据是取数时的；下次同步后再对"),
                        en: format!("{changed_since_fetch} local orders changed after the platform's figures were fetched; compare again after the next sync"),
                    });
                } else if m == "none" {
                    all_explained = Some(false);
                    ex.push(Explanation {
                        kind: "unexplained".into(),
                        count: 0,
                        zh: "差异无法由未同步、冲突或口径解释：请刷新平台数据或检查订单".into(),
                        en: "the difference is not explained by unsynced orders, conflicts or the field meaning; refresh the platform figures or check the orders".into(),
                    });
                }
                (
                    Some(figure(p, name)),
                    Some(diff_value(name, pf - figure_fen(&local_field, name))),
                    Some(m.to_string()),
                )
            }
            None => (None, None, None),
        };
        figures.push(FigureRow {
            figure: name.to_string(),
            local_documented: figure(&local_documented, name),
            local_field: figure(&local_field, name),
            local_synced_field: figure(&local_synced_field, name),
            local_synced_documented: figure(&local_synced_documented, name),
            platform: pv,
            difference: diff,
            matches,
            explanations: ex,
        });
    }
    Reconciliation {
        local_documented,
        local_field,
        local_synced_field,
        local_synced_documented,
        platform: platform.copied(),
        unsynced,
        never_sent,
        conflicts,
        figures,
        all_explained,
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
        }
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
    fn counted_drawer() {
        let mut c = BTreeMap::new();
        c.insert("100".to_string(), 3);
        c.insert("0.5".to_string(), 3);
        c.insert("0.1".to_string(), 2);
        assert_eq!(counted_total(&c).unwrap(), Money::from_fen(30170));
        c.insert("3".to_string(), 1);
        assert!(counted_total(&c).is_err());
        let mut c = BTreeMap::new();
        c.insert("1".to_string(), -1);
        assert!(counted_total(&c).is_err());
        let e = expected_cash(
            Money::yuan(200),
            Money::yuan(50),
            2,
            Money::yuan(10),
            Money::ZERO,
            &[Money::yuan(20), Money::yuan(-5)],
        );
        assert_eq!(e.expected, Money::yuan(255));
        assert_eq!(over_short(e.expected, Money::yuan(250)), Money::yuan(-5));
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

    #[test]
    fn platform_float_total_price_is_rounded_to_fen() {
        let p: PlatformCounts =
            serde_json::from_str(r#"{"totalPrice": 14566.300000000001, "total": 3, "cancled": 1}"#).unwrap();
        let c = p.to_order_count();
        assert_eq!(c.total_price, Money::from_fen(1456630));
        assert_eq!((c.total, c.cancled), (3, 1));
    }

    #[test]
    fn reconcile_explains_meaning_and_unsynced() {
        let groups = [
            SyncGroup {
                status: Status::DeliveredConfirmPending,
                sync_state: SyncState::Synced,
                has_order_number: true,
                count: 2,
                total_fen: 2000,
            },
            SyncGroup {
                status: Status::Delivering,
                sync_state: SyncState::Synced,
                has_order_number: true,
                count: 1,
                total_fen: 500,
            },
            SyncGroup {
                status: Status::ClosedConfirmed,
                sync_state: SyncState::Pending,
                has_order_number: false,
                count: 4,
                total_fen: 4000,
            },
        ];
        // The platform has not seen the 4 new orders and uses the field meaning.
        let platform = OrderCount { total_price: Money::from_fen(500), total: 1, delivering: 3, ..Default::default() };
        let r = reconcile(&groups, Some(&platform), 0);
        let row = |n: &str| r.figures.iter().find(|f| f.figure == n).unwrap().clone();
        assert_eq!(row("delivering").matches.as_deref(), Some("field"));
        assert_eq!(row("total").matches.as_deref(), Some("synced"));
        assert_eq!(row("total").difference, Some(serde_json::json!(-4)));
        assert!(row("total").explanations.iter().any(|e| e.kind == "not_yet_synced" && e.count == 4));
        assert_eq!(row("closed").matches.as_deref(), Some("synced"));
        assert_eq!(r.all_explained, Some(true));
        assert_eq!(r.local_documented.total, 7);
        assert_eq!(r.local_field.total, 5);
        // Figures older than the ledger's last changes: a mismatch says so, and is not
        // counted unexplained; without such changes it is.
        let stale = OrderCount { total: 9, ..platform };
        let r = reconcile(&groups, Some(&stale), 0);
        assert_eq!(r.all_explained, Some(false));
        let r = reconcile(&groups, Some(&stale), 2);
        assert_eq!(r.all_explained, Some(true));
        let total = r.figures.iter().find(|f| f.figure == "total").unwrap();
        assert!(total.explanations.iter().any(|e| e.kind == "changed_since_fetch" && e.count == 2), "{total:?}");
    }
}
