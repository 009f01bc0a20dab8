//! Manager approval (授权): which acts need a manager's PIN, and whether an approval a
//! manager gave fits the act it is presented for. Pure: the commands pass the caller's
//! role, the rules (a store setting) and `now`; the ledger stores the approvals.
//!
//! One mechanism for every guarded act. A command that needs approval and has none
//! answers `approval_required` naming the [`Rule`] and the amount; the same screen asks a
//! manager for their PIN (`approval_grant`), which records a single-use approval bound to
//! that rule, subject (the order, or nothing) and amount, valid for [`APPROVAL_MINUTES`];
//! the command is retried with it and consumes it in the same transaction as the act.
//!
//! Approval never widens a role: a command a role may not call at all stays forbidden;
//! approval only lets a role do, once, what its own limit stops.
//!
//! | rule | guards | needs approval when (caller is not a manager) | default |
//! | --- | --- | --- | --- |
//! | `after_sales_cash` | cash out of the drawer for a refund / return / exchange | the cash refund is above `after_sales_cash_over` | always (over ¥0.00) |
//! | `walk_in_return` | a return without a receipt (no order) | `walk_in_return` is on | on |
//! | `wechat_cash_refund` | refunding a WeChat- or online-paid order in cash | `wechat_cash_refund` is on (else the refund goes back by the original path) | on |
//! | `drawer_open` | opening the drawer without a sale | `drawer_open` is on | on |
//! | `cancel_paid` | cancelling a sale that was already paid | `cancel_paid` is on | on |
//! | `discount` | a store-side discount on a sale | the discount is above the role's limit | cashier 0 %, clerk 10 % (抹零 free) |
//!
//! When several rules apply to one act, the first in this table's order of strength
//! ([`Rule::ALL`], strongest first) is the one asked for: one approval, one PIN.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Money;

/// How long a granted approval stays usable.
pub const APPROVAL_MINUTES: i64 = 3;

/// Who is acting, as far as approval cares (mirrors the user roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Cashier,
    Clerk,
    Manager,
}

/// A rule that can stop an act until a manager approves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    WechatCashRefund,
    WalkInReturn,
    AfterSalesCash,
    CancelPaid,
    DrawerOpen,
    Discount,
}

impl Rule {
    /// Strongest first: when several apply, the first is asked for.
    pub const ALL: [Rule; 6] = [
        Rule::WechatCashRefund,
        Rule::WalkInReturn,
        Rule::AfterSalesCash,
        Rule::CancelPaid,
        Rule::DrawerOpen,
        Rule::Discount,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Rule::WechatCashRefund => "wechat_cash_refund",
            Rule::WalkInReturn => "walk_in_return",
            Rule::AfterSalesCash => "after_sales_cash",
            Rule::CancelPaid => "cancel_paid",
            Rule::DrawerOpen => "drawer_open",
            Rule::Discount => "discount",
        }
    }
    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }
    /// What the manager is asked to approve, in words.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Rule::WechatCashRefund => "微信/线上付款的订单改用现金退款",
            Rule::WalkInReturn => "无小票退货",
            Rule::AfterSalesCash => "售后从钱箱付现金",
            Rule::CancelPaid => "取消已付款的订单",
            Rule::DrawerOpen => "无销售开钱箱",
            Rule::Discount => "超出权限的整单优惠",
        }
    }
    pub fn label_en(&self) -> &'static str {
        match self {
            Rule::WechatCashRefund => "refund a WeChat/online-paid order in cash",
            Rule::WalkInReturn => "a return without a receipt",
            Rule::AfterSalesCash => "after-sales cash out of the drawer",
            Rule::CancelPaid => "cancel a paid sale",
            Rule::DrawerOpen => "open the drawer without a sale",
            Rule::Discount => "a discount above your limit",
        }
    }
}

/// The store's approval rules (setting `approval_rules`, a JSON object; every field has
/// a default, so `{}` is the defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Cash refunds above this need approval; `null`: never. Default ¥0.00 (always).
    pub after_sales_cash_over: Option<Money>,
    pub walk_in_return: bool,
    pub wechat_cash_refund: bool,
    pub drawer_open: bool,
    pub cancel_paid: bool,
    /// A cashier's discount limit, whole percent of the order total.
    pub discount_pct_cashier: u32,
    /// A clerk's discount limit, whole percent of the order total.
    pub discount_pct_clerk: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            after_sales_cash_over: Some(Money::ZERO),
            walk_in_return: true,
            wechat_cash_refund: true,
            drawer_open: true,
            cancel_paid: true,
            discount_pct_cashier: 0,
            discount_pct_clerk: 10,
        }
    }
}

/// What a guarded command is about to do, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// An after-sales service. `cash_out`: money leaving the drawer (0 when refunded by
    /// the original path); `walk_in`: no order; `cash_for_online`: the order was paid by
    /// WeChat or online and the refund is asked for in cash.
    AfterSales { cash_out: Money, walk_in: bool, cash_for_online: bool },
    /// Opening the drawer without a sale.
    DrawerOpen,
    /// Cancelling a sale; `paid` when money was already taken.
    Cancel { paid: bool },
    /// A store-side discount of `discount` on an order of `total`; `moling`: only the
    /// jiao/fen are dropped (抹零), which every role may do.
    Discount { discount: Money, total: Money, moling: bool },
}

impl Act {
    /// The amount an approval for this act is bound to.
    pub fn amount(&self) -> Money {
        match self {
            Act::AfterSales { cash_out, .. } => *cash_out,
            Act::DrawerOpen | Act::Cancel { .. } => Money::ZERO,
            Act::Discount { discount, .. } => *discount,
        }
    }
}

/// The role's discount limit in percent (a manager has none).
pub fn discount_limit_pct(rules: &Rules, who: Who) -> Option<u32> {
    match who {
        Who::Cashier => Some(rules.discount_pct_cashier),
        Who::Clerk => Some(rules.discount_pct_clerk),
        Who::Manager => None,
    }
}

/// The rule that stops `act` for `who`, strongest first; None: the act is within the
/// role's own limits. A manager is never stopped (their own session is their PIN).
pub fn required(rules: &Rules, who: Who, act: &Act) -> Option<Rule> {
    if who == Who::Manager {
        return None;
    }
    let mut hits: Vec<Rule> = Vec::new();
    match *act {
        Act::AfterSales { cash_out, walk_in, cash_for_online } => {
            if cash_for_online && rules.wechat_cash_refund {
                hits.push(Rule::WechatCashRefund);
            }
            if walk_in && rules.walk_in_return {
                hits.push(Rule::WalkInReturn);
            }
            if matches!(rules.after_sales_cash_over, Some(over) if cash_out > over) {
                hits.push(Rule::AfterSalesCash);
            }
        }
        Act::DrawerOpen => {
            if rules.drawer_open {
                hits.push(Rule::DrawerOpen);
            }
        }
        Act::Cancel { paid } => {
            if paid && rules.cancel_paid {
                hits.push(Rule::CancelPaid);
            }
        }
        Act::Discount { discount, total, moling } => {
            let within = moling
                || discount == Money::ZERO
                || discount_limit_pct(rules, who).is_some_and(|pct| {
                    // discount ≤ total × pct / 100, compared exactly in decimals.
                    discount.decimal() * Decimal::from(100) <= total.decimal() * Decimal::from(pct)
                });
            if !within {
                hits.push(Rule::Discount);
            }
        }
    }
    Rule::ALL.into_iter().find(|r| hits.contains(r))
}

/// An approval as stored: who approved which rule for which subject and amount, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Approval {
    pub id: String,
    pub rule: Rule,
    /// The order it is for (its client_ref), or "" for acts without one (walk-in, drawer).
    pub subject: String,
    pub amount: Money,
    pub approved_by: String,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

/// Why a presented approval does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Unfit {
    Unknown,
    Used,
    Expired,
    OtherRule,
    OtherSubject,
    OtherAmount,
}

impl Unfit {
    pub fn label_zh(&self) -> &'static str {
        match self {
            Unfit::Unknown => "授权无效",
            Unfit::Used => "授权已使用过，每次授权只能用一次",
            Unfit::Expired => "授权已过期，请店长重新授权",
            Unfit::OtherRule => "授权不是给这项操作的",
            Unfit::OtherSubject => "授权不是给这笔订单的",
            Unfit::OtherAmount => "金额与授权时不同，请店长重新授权",
        }
    }
    pub fn label_en(&self) -> &'static str {
        match self {
            Unfit::Unknown => "unknown approval",
            Unfit::Used => "the approval was already used (single use)",
            Unfit::Expired => "the approval has expired",
            Unfit::OtherRule => "the approval is for another act",
            Unfit::OtherSubject => "the approval is for another order",
            Unfit::OtherAmount => "the amount differs from the approved one",
        }
    }
}

/// When an approval granted at `now` expires.
pub fn expires_at(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::minutes(APPROVAL_MINUTES)
}

/// Does `approval` (None: not found) fit `rule` on `subject` for `amount` at `now`?
/// Times are RFC 3339 UTC text, which orders like the instants.
pub fn fits(approval: Option<&Approval>, rule: Rule, subject: &str, amount: Money, now: &str) -> Result<(), Unfit> {
    let a = approval.ok_or(Unfit::Unknown)?;
    if a.used_at.is_some() {
        return Err(Unfit::Used);
    }
    if a.expires_at.as_str() <= now {
        return Err(Unfit::Expired);
    }
    if a.rule != rule {
        return Err(Unfit::OtherRule);
    }
    if a.subject != subject {
        return Err(Unfit::OtherSubject);
    }
    if a.amount != amount {
        return Err(Unfit::OtherAmount);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn cash(amount: &str) -> Act {
        Act::AfterSales { cash_out: m(amount), walk_in: false, cash_for_online: false }
    }

    #[rstest]
    #[case::cash_refund_by_clerk(Who::Clerk, cash("0.01"), Some(Rule::AfterSalesCash))]
    #[case::no_cash_no_approval(Who::Clerk, cash("0"), None)]
    #[case::manager_never_asked(Who::Manager, cash("500"), None)]
    #[case::walk_in_beats_cash(Who::Clerk, Act::AfterSales { cash_out: m("5"), walk_in: true, cash_for_online: false }, Some(Rule::WalkInReturn))]
    #[case::wechat_in_cash_first(Who::Clerk, Act::AfterSales { cash_out: m("5"), walk_in: false, cash_for_online: true }, Some(Rule::WechatCashRefund))]
    #[case::drawer(Who::Cashier, Act::DrawerOpen, Some(Rule::DrawerOpen))]
    #[case::cancel_unpaid(Who::Cashier, Act::Cancel { paid: false }, None)]
    #[case::cancel_paid(Who::Cashier, Act::Cancel { paid: true }, Some(Rule::CancelPaid))]
    #[case::moling_free(Who::Cashier, Act::Discount { discount: m("0.80"), total: m("12.80"), moling: true }, None)]
    #[case::cashier_any_discount(Who::Cashier, Act::Discount { discount: m("0.01"), total: m("100"), moling: false }, Some(Rule::Discount))]
    #[case::clerk_at_limit(Who::Clerk, Act::Discount { discount: m("10"), total: m("100"), moling: false }, None)]
    #[case::clerk_over_limit(Who::Clerk, Act::Discount { discount: m("10.01"), total: m("100"), moling: false }, Some(Rule::Discount))]
    #[case::manager_discount(Who::Manager, Act::Discount { discount: m("99"), total: m("100"), moling: false }, None)]
    fn default_rules(#[case] who: Who, #[case] act: Act, #[case] want: Option<Rule>) {
        assert_eq!(required(&Rules::default(), who, &act), want);
    }

    #[rstest]
    #[case::threshold_below(Rules { after_sales_cash_over: Some(Money::yuan(50)), ..Rules::default() }, cash("50"), None)]
    #[case::threshold_above(Rules { after_sales_cash_over: Some(Money::yuan(50)), ..Rules::default() }, cash("50.01"), Some(Rule::AfterSalesCash))]
    #[case::cash_never(Rules { after_sales_cash_over: None, ..Rules::default() }, cash("9999"), None)]
    #[case::walk_in_off_cash_still(Rules { walk_in_return: false, ..Rules::default() }, Act::AfterSales { cash_out: m("5"), walk_in: true, cash_for_online: false }, Some(Rule::AfterSalesCash))]
    #[case::drawer_off(Rules { drawer_open: false, ..Rules::default() }, Act::DrawerOpen, None)]
    fn rules_are_data(#[case] rules: Rules, #[case] act: Act, #[case] want: Option<Rule>) {
        assert_eq!(required(&rules, Who::Clerk, &act), want);
    }

    fn approval() -> Approval {
        Approval {
            id: "a1".into(),
            rule: Rule::AfterSalesCash,
            subject: "o1".into(),
            amount: m("12.50"),
            approved_by: "manager#3".into(),
            created_at: "2026-12-07T10:00:00.000Z".into(),
            expires_at: "2026-12-07T10:03:00.000Z".into(),
            used_at: None,
        }
    }

    #[rstest]
    #[case::fits(approval(), Rule::AfterSalesCash, "o1", "12.50", "2026-12-07T10:02:59.999Z", Ok(()))]
    #[case::expired(approval(), Rule::AfterSalesCash, "o1", "12.50", "2026-12-07T10:03:00.000Z", Err(Unfit::Expired))]
    #[case::used(Approval { used_at: Some("x".into()), ..approval() }, Rule::AfterSalesCash, "o1", "12.50", "2026-12-07T10:01:00.000Z", Err(Unfit::Used))]
    #[case::other_rule(approval(), Rule::DrawerOpen, "o1", "12.50", "2026-12-07T10:01:00.000Z", Err(Unfit::OtherRule))]
    #[case::other_order(
        approval(),
        Rule::AfterSalesCash,
        "o2",
        "12.50",
        "2026-12-07T10:01:00.000Z",
        Err(Unfit::OtherSubject)
    )]
    #[case::other_amount(
        approval(),
        Rule::AfterSalesCash,
        "o1",
        "12.51",
        "2026-12-07T10:01:00.000Z",
        Err(Unfit::OtherAmount)
    )]
    fn approval_fits(
        #[case] a: Approval,
        #[case] rule: Rule,
        #[case] subject: &str,
        #[case] amount: &str,
        #[case] now: &str,
        #[case] want: Result<(), Unfit>,
    ) {
        assert_eq!(fits(Some(&a), rule, subject, m(amount), now), want);
    }

    #[test]
    fn unknown_approval_does_not_fit() {
        assert_eq!(fits(None, Rule::DrawerOpen, "", Money::ZERO, "2026"), Err(Unfit::Unknown));
    }

    #[test]
    fn rules_setting_defaults_and_rejects_unknown_keys() {
        let r: Rules = serde_json::from_str("{}").unwrap();
        assert_eq!(r, Rules::default());
        let r: Rules = serde_json::from_str(r#"{"after_sales_cash_over":"50.00","drawer_open":false}"#).unwrap();
        assert_eq!(r.after_sales_cash_over, Some(Money::yuan(50)));
        assert!(!r.drawer_open);
        assert!(serde_json::from_str::<Rules>(r#"{"drawr_open":false}"#).is_err(), "a typo is refused, not ignored");
    }
}
