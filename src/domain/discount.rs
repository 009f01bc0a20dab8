//! Store-side discounts on a counter sale (整单优惠 / 抹零), pure.
//!
//! The platform prices a counter order itself (product price × quantity), so a discount
//! cannot travel with the order: the platform order keeps the full price (`total`), the
//! store records the adjustment on the sale (`discount`) and the customer pays
//! `due = total − discount`. One adjustment per sale; asking again replaces it.
//!
//! # The arithmetic and its rounding points
//!
//! | ask | discount | rounding |
//! | --- | --- | --- |
//! | 抹零, unit 抹分 ([`MolingUnit::Fen`], the default) | the fen of the total: ￥12.83 → ￥0.03 off, pay ￥12.80 | none: the dropped part is exact |
//! | 抹零, unit 抹角 ([`MolingUnit::Jiao`]) | the jiao and fen: ￥12.83 → ￥0.83 off, pay ￥12.00 | none |
//! | an amount off (整单优惠 ￥2.00) | exactly that amount | none; more than two decimals is refused |
//! | a percent off (9折 = 10 % off) | `total × percent / 100`, **rounded down to the fen** | the one rounding point: towards zero, so the store never gives more than the percent asked and a role's percent limit compares exactly |
//!
//! 抹零 only ever drops (truncates): the customer never pays more than the total, and a
//! total that is already whole (in the unit) has nothing to drop, which is refused as
//! [`DiscountError::NothingToDrop`] rather than recorded as a zero discount.
//!
//! Bounds: a discount is never negative and never more than the total (`due` is never
//! below ￥0.00); an amount above the total is refused, not clamped, so the cashier sees
//! the typo. A percent is in `(0, 100]`. `due` is never `-0.00`: every figure is built
//! from non-negative fen.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Money;

/// How a sale's discount was asked for, as stored (`orders.discount_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    /// 抹零: the jiao and/or fen dropped.
    Moling,
    /// 整单优惠: a sum off the order (typed, or a percent turned into a sum).
    Amount,
}

impl DiscountKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            DiscountKind::Moling => "moling",
            DiscountKind::Amount => "amount",
        }
    }
    pub fn parse(s: &str) -> Option<DiscountKind> {
        match s {
            "moling" => Some(DiscountKind::Moling),
            "amount" => Some(DiscountKind::Amount),
            _ => None,
        }
    }
    /// The receipt's and the screen's word for it.
    pub fn label_zh(&self) -> &'static str {
        match self {
            DiscountKind::Moling => "抹零",
            DiscountKind::Amount => "整单优惠",
        }
    }
}

/// What 抹零 drops (store setting `moling_unit`: `"fen"` or `"jiao"`; default 抹分).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MolingUnit {
    /// 抹分: drop the fen, pay whole jiao.
    #[default]
    Fen,
    /// 抹角: drop the jiao and fen, pay whole yuan.
    Jiao,
}

impl MolingUnit {
    /// The unit paid in, in fen: 抹分 pays whole jiao (10 fen), 抹角 whole yuan (100 fen).
    fn step_fen(&self) -> i64 {
        match self {
            MolingUnit::Fen => 10,
            MolingUnit::Jiao => 100,
        }
    }
}

/// What the cashier asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// No discount (removes one asked for before).
    None,
    /// 抹零 in the store's unit.
    Moling(MolingUnit),
    /// A sum off the order.
    Amount(Money),
    /// A percent off the order (9折 is 10).
    Percent(Decimal),
}

/// A discount that fits its sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discount {
    /// None: no discount (then `amount` is zero).
    pub kind: Option<DiscountKind>,
    pub amount: Money,
    /// What the customer pays: `total − amount`, never below zero.
    pub due: Money,
}

/// Why an asked discount does not fit the sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscountError {
    /// An amount below zero.
    Negative,
    /// An amount above the sale's total.
    MoreThanTotal { amount: Money, total: Money },
    /// A percent outside `(0, 100]`.
    BadPercent(Decimal),
    /// 抹零 on a total that is already whole in the unit.
    NothingToDrop { total: Money },
}

impl DiscountError {
    pub fn label_zh(&self) -> String {
        match self {
            DiscountError::Negative => "优惠金额不能为负".into(),
            DiscountError::MoreThanTotal { amount, total } => {
                format!("优惠 {} 超过了订单合计 {}", amount.display_cny(), total.display_cny())
            }
            DiscountError::BadPercent(p) => format!("折扣比例 {p}% 无效：应在 0 到 100 之间"),
            DiscountError::NothingToDrop { total } => format!("合计 {} 没有零头可抹", total.display_cny()),
        }
    }
    pub fn label_en(&self) -> String {
        match self {
            DiscountError::Negative => "a discount cannot be negative".into(),
            DiscountError::MoreThanTotal { amount, total } => {
                format!("a discount of {amount} is more than the order total {total}")
            }
            DiscountError::BadPercent(p) => format!("percent off {p} must be above 0 and at most 100"),
            DiscountError::NothingToDrop { total } => format!("the total {total} has no small change to drop"),
        }
    }
}

/// The fen 抹零 drops from `total` (truncation to the unit; zero for a whole total).
pub fn moling(total: Money, unit: MolingUnit) -> Money {
    let fen = total.fen().max(0);
    Money::from_fen(fen % unit.step_fen())
}

/// `total × percent / 100`, rounded down to the fen.
pub fn percent_off(total: Money, percent: Decimal) -> Money {
    let d = (total.decimal() * percent / Decimal::from(100)).round_dp_with_strategy(2, RoundingStrategy::ToZero);
    Money::new(d).unwrap_or(Money::ZERO)
}

/// The discount `ask` gives on a sale of `total` (see the module table).
pub fn apply(total: Money, ask: Ask) -> Result<Discount, DiscountError> {
    let (kind, amount) = match ask {
        Ask::None => (None, Money::ZERO),
        Ask::Moling(unit) => {
            let off = moling(total, unit);
            if off == Money::ZERO {
                return Err(DiscountError::NothingToDrop { total });
            }
            (Some(DiscountKind::Moling), off)
        }
        Ask::Amount(a) => {
            if a.is_negative() {
                return Err(DiscountError::Negative);
            }
            if a > total {
                return Err(DiscountError::MoreThanTotal { amount: a, total });
            }
            // Zero off is no discount at all (nothing to record, nothing to print).
            ((a != Money::ZERO).then_some(DiscountKind::Amount), a)
        }
        Ask::Percent(p) => {
            if p <= Decimal::ZERO || p > Decimal::from(100) {
                return Err(DiscountError::BadPercent(p));
            }
            let off = percent_off(total, p);
            ((off != Money::ZERO).then_some(DiscountKind::Amount), off)
        }
    };
    Ok(Discount { kind, amount, due: due(total, amount) })
}

/// What the customer pays for a sale of `total` with `discount` off: never below zero,
/// never `-0.00`.
pub fn due(total: Money, discount: Money) -> Money {
    Money::from_fen((total.fen() - discount.fen()).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }
    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[rstest]
    #[case::fen_dropped("12.83", Ask::Moling(MolingUnit::Fen), Some(DiscountKind::Moling), "0.03", "12.80")]
    #[case::jiao_and_fen_dropped("12.83", Ask::Moling(MolingUnit::Jiao), Some(DiscountKind::Moling), "0.83", "12.00")]
    #[case::jiao_only("12.80", Ask::Moling(MolingUnit::Jiao), Some(DiscountKind::Moling), "0.80", "12.00")]
    #[case::under_a_yuan_to_zero("0.99", Ask::Moling(MolingUnit::Jiao), Some(DiscountKind::Moling), "0.99", "0.00")]
    #[case::amount("12.80", Ask::Amount(m("2")), Some(DiscountKind::Amount), "2.00", "10.80")]
    #[case::amount_whole_total("12.80", Ask::Amount(m("12.80")), Some(DiscountKind::Amount), "12.80", "0.00")]
    #[case::amount_zero_is_none("12.80", Ask::Amount(m("0")), None, "0.00", "12.80")]
    #[case::none("12.80", Ask::None, None, "0.00", "12.80")]
    #[case::nine_zhe("12.80", Ask::Percent(d("10")), Some(DiscountKind::Amount), "1.28", "11.52")]
    #[case::percent_rounds_down("12.85", Ask::Percent(d("10")), Some(DiscountKind::Amount), "1.28", "11.57")]
    #[case::eight_eight_zhe("33.33", Ask::Percent(d("12")), Some(DiscountKind::Amount), "3.99", "29.34")]
    #[case::percent_all("12.80", Ask::Percent(d("100")), Some(DiscountKind::Amount), "12.80", "0.00")]
    #[case::percent_rounds_to_nothing("0.05", Ask::Percent(d("10")), None, "0.00", "0.05")]
    fn discount_table(
        #[case] total: &str,
        #[case] ask: Ask,
        #[case] kind: Option<DiscountKind>,
        #[case] amount: &str,
        #[case] due: &str,
    ) {
        let got = apply(m(total), ask).expect("fits");
        assert_eq!(got, Discount { kind, amount: m(amount), due: m(due) }, "{total} with {ask:?}");
        assert_eq!(got.amount + got.due, m(total), "what is taken off plus what is paid is the platform's price");
        assert!(!got.due.to_string().starts_with('-'), "never -0.00: {}", got.due);
    }

    #[rstest]
    #[case::negative("12.80", Ask::Amount(m("-1")), DiscountError::Negative)]
    #[case::more_than_total("12.80", Ask::Amount(m("12.81")), DiscountError::MoreThanTotal { amount: m("12.81"), total: m("12.80") })]
    #[case::zero_percent("12.80", Ask::Percent(d("0")), DiscountError::BadPercent(d("0")))]
    #[case::over_hundred("12.80", Ask::Percent(d("100.5")), DiscountError::BadPercent(d("100.5")))]
    #[case::whole_jiao_nothing_to_drop("12.80", Ask::Moling(MolingUnit::Fen), DiscountError::NothingToDrop { total: m("12.80") })]
    #[case::whole_yuan_nothing_to_drop("12.00", Ask::Moling(MolingUnit::Jiao), DiscountError::NothingToDrop { total: m("12.00") })]
    fn refused(#[case] total: &str, #[case] ask: Ask, #[case] want: DiscountError) {
        assert_eq!(apply(m(total), ask), Err(want));
    }

    #[test]
    fn due_is_never_below_zero_nor_negative_zero() {
        assert_eq!(due(m("1.00"), m("2.00")).to_string(), "0.00");
        assert_eq!(due(m("0.00"), m("0.00")).to_string(), "0.00");
    }

    #[test]
    fn kind_and_unit_names_round_trip() {
        for k in [DiscountKind::Moling, DiscountKind::Amount] {
            assert_eq!(DiscountKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(serde_json::from_str::<MolingUnit>("\"jiao\"").unwrap(), MolingUnit::Jiao);
        assert_eq!(MolingUnit::default(), MolingUnit::Fen, "抹分 unless the store says 抹角");
    }
}
