//! The cash count of a shift, pure: the notes and coins a person counted, the cash the
//! drawer should hold, and the difference. The shift commands feed it the ledger's sums.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{DomainError, Money};

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
    /// Cash sales at the platform's price.
    pub cash_sales: Money,
    pub cash_sales_count: i64,
    /// Store-side discounts (整单优惠 / 抹零) on those sales: the drawer got this much less.
    pub cash_discounts: Money,
    pub cash_refunds: Money,
    pub cash_supplements: Money,
    pub moves_in: Money,
    pub moves_out: Money,
    pub expected: Money,
}

/// `float + cash sales − cash discounts − cash refunds + cash supplements + moves` (moves
/// out are negative).
#[allow(clippy::too_many_arguments)]
pub fn expected_cash(
    float: Money,
    cash_sales: Money,
    cash_sales_count: i64,
    cash_discounts: Money,
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
        cash_discounts,
        cash_refunds,
        cash_supplements,
        moves_in,
        moves_out,
        expected: float + cash_sales - cash_discounts - cash_refunds + cash_supplements + moves_in + moves_out,
    }
}

/// counted − expected: positive is over (长款), negative short (短款).
pub fn over_short(expected: Money, counted: Money) -> Money {
    counted - expected
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Money::from_fen(80),
            Money::yuan(10),
            Money::ZERO,
            &[Money::yuan(20), Money::yuan(-5)],
        );
        assert_eq!(e.expected, Money::from_fen(25420), "200 + 50 − 0.80 discount − 10 + 20 − 5");
        assert_eq!(over_short(e.expected, Money::yuan(250)), Money::from_fen(-420));
    }
}
