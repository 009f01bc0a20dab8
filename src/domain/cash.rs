//! Cash: change, quick-tender suggestions, and optional rounding to the jiao.

use super::{DomainError, Money};

/// Change for a cash payment: exact, never negative.
pub fn change(due: Money, tendered: Money) -> Result<Money, DomainError> {
    if tendered.is_negative() {
        return Err(DomainError::NegativeAmount(tendered.to_string()));
    }
    if tendered < due {
        return Err(DomainError::InsufficientTender { tendered: tendered.to_string(), due: due.to_string() });
    }
    Ok(tendered - due)
}

/// Buttons the cashier taps: exact, then the next 10 / 50 / 100 above the amount due.
pub fn quick_tenders(due: Money) -> Vec<Money> {
    let mut out = vec![due];
    let fen = due.fen();
    for step in [1000, 5000, 10000] {
        let next = Money::from_fen(((fen / step) + 1) * step);
        if !out.contains(&next) {
            out.push(next);
        }
    }
    out
}

/// Rounds the amount due to the nearest jiao (0.10), half up; returns the rounding
/// delta so it can be journaled as a line and totals still add up.
pub fn round_to_jiao(due: Money) -> (Money, Money) {
    let fen = due.fen();
    let rounded = ((fen + 5).div_euclid(10)) * 10;
    (Money::from_fen(rounded), Money::from_fen(rounded - fen))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quick_tender_examples() {
        let q: Vec<String> = quick_tenders(Money::from_fen(1250)).iter().map(|m| m.to_string()).collect();
        assert_eq!(q, ["12.50", "20.00", "50.00", "100.00"]);
        let q: Vec<String> = quick_tenders(Money::yuan(100)).iter().map(|m| m.to_string()).collect();
        assert_eq!(q, ["100.00", "110.00", "150.00", "200.00"]);
    }

    #[test]
    fn rounding_to_jiao() {
        assert_eq!(round_to_jiao(Money::from_fen(1234)), (Money::from_fen(1230), Money::from_fen(-4)));
        assert_eq!(round_to_jiao(Money::from_fen(1235)), (Money::from_fen(1240), Money::from_fen(5)));
    }

    proptest! {
        #[test]
        fn change_is_exact_and_never_negative(due in 0i64..10_000_000, extra in -100_000i64..10_000_000) {
            let d = Money::from_fen(due);
            let t = Money::from_fen(due + extra);
            match change(d, t) {
                Ok(c) => { prop_assert!(extra >= 0); prop_assert_eq!(c.fen(), extra); prop_assert!(!c.is_negative()); }
                Err(_) => prop_assert!(extra < 0 || due + extra < 0),
            }
        }

        #[test]
        fn quick_tenders_cover_the_due(due in 0i64..10_000_000) {
            for t in quick_tenders(Money::from_fen(due)) {
                prop_assert!(t.fen() >= due);
            }
        }
    }
}
