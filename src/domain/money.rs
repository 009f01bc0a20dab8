//! Money: CNY with exactly two decimals, on `rust_decimal`. No `f64` anywhere.
//!
//! JSON: we *write* money as a string (`"12.50"`) so no JavaScript client ever sees a
//! binary float, and we *read* strings or JSON numbers (`34.80`, `8`, `14566`). With
//! serde_json's `arbitrary_precision` a JSON number reaches us as its literal text, so
//! `34.80` is decoded exactly. In SQLite money is stored as integer fen, which keeps
//! `SUM()` exact and fast.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::DomainError;

/// On the wire a decimal string with two places (`"12.50"`); requests may send a JSON number too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, ts_rs::TS)]
#[ts(type = "string")]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Exact: refuses more than two decimals instead of rounding them away.
    pub fn new(d: Decimal) -> Result<Money, DomainError> {
        let n = d.normalize();
        if n.scale() > 2 {
            return Err(DomainError::TooManyDecimals(d.to_string()));
        }
        let mut d = n;
        d.rescale(2);
        Ok(Money(d))
    }

    pub fn from_fen(fen: i64) -> Money {
        Money(Decimal::new(fen, 2))
    }

    pub fn yuan(y: i64) -> Money {
        Money::from_fen(y * 100)
    }

    /// Integer fen; exact because the scale is at most 2.
    pub fn fen(&self) -> i64 {
        let mut d = self.0;
        d.rescale(2);
        i64::try_from(d.mantissa()).unwrap_or(if d.is_sign_negative() { i64::MIN } else { i64::MAX })
    }

    pub fn decimal(&self) -> Decimal {
        self.0
    }

    pub fn is_negative(&self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn times(&self, qty: i64) -> Money {
        Money::from_fen(self.fen() * qty)
    }

    pub fn parse(s: &str) -> Result<Money, DomainError> {
        let d = Decimal::from_str(s.trim()).map_err(|_| DomainError::BadAmount(s.to_string()))?;
        Money::new(d)
    }

    /// A non-negative amount, as taken from a person (prices, tendered cash).
    pub fn parse_non_negative(s: &str) -> Result<Money, DomainError> {
        let m = Money::parse(s)?;
        if m.is_negative() {
            return Err(DomainError::NegativeAmount(s.to_string()));
        }
        Ok(m)
    }

    /// `￥12.50` (U+FFE5, which GB18030 printer fonts have; `¥` U+00A5 is missing there).
    pub fn display_cny(&self) -> String {
        if self.is_negative() {
            format!("-\u{FFE5}{}", Money(-self.0))
        } else {
            format!("\u{FFE5}{}", self)
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        d.rescale(2);
        // A zero that went through a negation (`-refunds` with no refunds) prints "0.00",
        // never "-0.00", on screen and on paper.
        if d.is_zero() {
            d.set_sign_positive(true);
        }
        write!(f, "{d}")
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        // rust_decimal's visitor takes strings and (arbitrary-precision) JSON numbers exactly.
        let dec = <Decimal as Deserialize>::deserialize(d)?;
        Money::new(dec).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negated_zero_prints_without_a_sign() {
        let z = -Money::ZERO;
        assert_eq!(z.to_string(), "0.00", "a negated zero is zero");
        assert_eq!(z.display_cny(), "\u{FFE5}0.00");
        assert_eq!((Money::ZERO - Money::ZERO).to_string(), "0.00");
        assert_eq!(serde_json::to_value(-Money::ZERO).unwrap(), "0.00");
    }
    use proptest::prelude::*;

    #[test]
    fn json_numbers_decode_exactly() {
        for (json, want) in [("34.80", 3480), ("8", 800), ("14566", 1456600), ("\"12.5\"", 1250), ("0.1", 10)] {
            let m: Money = serde_json::from_str(json).unwrap();
            assert_eq!(m.fen(), want, "{json}");
        }
    }

    #[test]
    fn three_decimals_are_refused_not_rounded() {
        assert!(serde_json::from_str::<Money>("1.005").is_err());
        assert!(Money::parse("2.999").is_err());
        assert_eq!(Money::parse("2.990").unwrap().fen(), 299);
    }

    #[test]
    fn serializes_as_two_decimal_string() {
        assert_eq!(serde_json::to_string(&Money::from_fen(1250)).unwrap(), "\"12.50\"");
        assert_eq!(serde_json::to_string(&Money::yuan(8)).unwrap(), "\"8.00\"");
        assert_eq!(Money::from_fen(-300).display_cny(), "-\u{FFE5}3.00");
        assert_eq!(Money::from_fen(1250).display_cny(), "\u{FFE5}12.50");
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert!(matches!(Money::parse("abc"), Err(DomainError::BadAmount(_))));
        assert!(matches!(Money::parse_non_negative("-1"), Err(DomainError::NegativeAmount(_))));
    }

    proptest! {
        #[test]
        fn fen_roundtrip(fen in -1_000_000_000i64..1_000_000_000) {
            let m = Money::from_fen(fen);
            prop_assert_eq!(m.fen(), fen);
            let back: Money = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
            prop_assert_eq!(back, m);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
        }

        #[test]
        fn sums_are_exact(a in 0i64..10_000_000, b in 0i64..10_000_000, q in 1i64..1000) {
            prop_assert_eq!((Money::from_fen(a) + Money::from_fen(b)).fen(), a + b);
            prop_assert_eq!(Money::from_fen(a).times(q).fen(), a * q);
        }
    }
}
