//! Money on paper: `￥12.50`. The yen/yuan sign is U+FFE5 (full-width), because
//! U+00A5 `¥` is not in GBK printer fonts.

use rust_decimal::{Decimal, RoundingStrategy};

/// Formats an amount as `￥12.50` (always two decimals, half away from zero at
/// the third: display is a documented rounding point), negatives as `-￥3.00`.
/// `-0.001` prints as `￥0.00`, never `-￥0.00`.
pub fn fmt_money(amount: Decimal) -> String {
    // Display precision pads with zeros without rescaling the mantissa, so even
    // Decimal::MAX (which cannot take two more digits) prints without a panic.
    let r = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        return "￥0.00".to_string();
    }
    if r.is_sign_negative() {
        format!("-￥{:.2}", r.abs())
    } else {
        format!("￥{r:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_has_two_decimals_and_sign_before_currency() {
        assert_eq!(fmt_money(dec!(12.5)), "￥12.50");
        assert_eq!(fmt_money(dec!(8)), "￥8.00");
        assert_eq!(fmt_money(dec!(-3)), "-￥3.00");
        assert_eq!(fmt_money(dec!(0.005)), "￥0.01");
        assert_eq!(fmt_money(dec!(-0.001)), "￥0.00");
        assert_eq!(fmt_money(dec!(14566)), "￥14566.00");
        assert_eq!(fmt_money(Decimal::MAX), format!("￥{}.00", Decimal::MAX));
    }
}
