//! The reconciliation with the platform's `order_count`, pure and the only one: the sync
//! round runs it on each answer it keeps, the manager's `stats_reconcile` on the last one
//! kept. Every figure is compared with the ledger's in both meanings (documented and field),
//! over all orders and over those the platform has heard of, and each difference says why.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::counts::{in_total, order_count, CountMeaning, OrderCount};
use super::order::{Status, SyncState};
use super::Money;

/// Local orders grouped for reconciliation: `GROUP BY status, sync_state, has order_number`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncGroup {
    pub status: Status,
    pub sync_state: SyncState,
    pub has_order_number: bool,
    pub count: i64,
    /// At the platform's price (what the platform's `totalPrice` sums).
    pub total_fen: i64,
    /// Orders of the group with a store-side discount, and its sum (fen): the platform
    /// never hears of it.
    pub discounted: i64,
    pub discount_fen: i64,
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
                    zh: format!("平台把已送达、待顾客确认的订单（本机 {n} 笔）也算作配送中"),
                    en: format!("the platform also counts orders delivered and awaiting the customer's confirmation ({n} here) as delivering"),
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
                    zh: format!(
                        "平台的{}不算未付款（{a} 笔）、已送达待确认（{b} 笔）和超时未付关闭（{c} 笔）的订单",
                        if name == "totalPrice" { "销售额" } else { "订单数" }
                    ),
                    en: format!(
                        "the platform's {} leaves out unpaid orders ({a}), delivered orders awaiting confirmation ({b}) and orders closed unpaid ({c})",
                        if name == "totalPrice" { "sales" } else { "order count" }
                    ),
                });
            }
            _ => {}
        }
        if name == "totalPrice" {
            let (n, fen) = groups
                .iter()
                .filter(|g| feeds(CountMeaning::Field, name, g.status))
                .fold((0, 0), |a, g| (a.0 + g.discounted, a.1 + g.discount_fen));
            if n > 0 {
                let off = Money::from_fen(fen);
                ex.push(Explanation {
                    kind: "store_discount".into(),
                    count: n,
                    zh: format!(
                        "{n} 笔订单有本店优惠/抹零共 {}：平台按原价统计销售额，本店实收少 {}（不是差异）",
                        off.display_cny(),
                        off.display_cny()
                    ),
                    en: format!("{n} orders carry store discounts of {off} in all: the platform counts them at full price, the store took {off} less (not a difference)"),
                });
            }
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
                        zh: "找不到原因（不是未上传、冲突或平台的计数方式造成的）：请刷新平台数字，仍对不上请检查订单".into(),
                        en: "no reason found (not unsent orders, conflicts or how the platform counts): refresh the platform figures; if it stays, check the orders".into(),
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
                discounted: 0,
                discount_fen: 0,
            },
            SyncGroup {
                status: Status::Delivering,
                sync_state: SyncState::Synced,
                has_order_number: true,
                count: 1,
                total_fen: 500,
                discounted: 0,
                discount_fen: 0,
            },
            SyncGroup {
                status: Status::ClosedConfirmed,
                sync_state: SyncState::Pending,
                has_order_number: false,
                count: 4,
                total_fen: 4000,
                discounted: 0,
                discount_fen: 0,
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

    #[test]
    fn a_store_discount_is_explained_and_the_full_price_still_matches() {
        let groups = [SyncGroup {
            status: Status::ClosedConfirmed,
            sync_state: SyncState::Synced,
            has_order_number: true,
            count: 3,
            total_fen: 3840,
            discounted: 1,
            discount_fen: 80,
        }];
        // The platform priced the orders itself: its totalPrice is the full price.
        let platform = OrderCount { total_price: Money::from_fen(3840), total: 3, closed: 3, ..Default::default() };
        let r = reconcile(&groups, Some(&platform), 0);
        let price = r.figures.iter().find(|f| f.figure == "totalPrice").unwrap();
        assert_eq!(price.matches.as_deref(), Some("field"), "the discount never reaches the platform");
        let ex = price.explanations.iter().find(|e| e.kind == "store_discount").expect("the discount is explained");
        assert_eq!(ex.count, 1);
        assert!(ex.zh.contains("￥0.80") && ex.en.contains("0.80"), "{ex:?}");
        assert_eq!(r.all_explained, Some(true));
    }
}
