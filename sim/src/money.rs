//! Money and time on the wire.
//!
//! Money leaves the simulator as JSON numbers built from the Decimal's own text
//! (serde_json's arbitrary_precision), so `34.80` stays `34.80` and no f64 is involved.
//! The one exception is the field-mode `order_count.totalPrice`, which the real server
//! sends as a Java double: we *format* it like `Double.toString` would, still without f64.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use rust_decimal::Decimal;
use serde_json::{Number, Value};

/// A Decimal as an exact JSON number.
pub fn money(d: Decimal) -> Value {
    d.to_string().parse::<Number>().map(Value::Number).unwrap_or(Value::Null)
}

pub fn money_opt(d: Option<Decimal>) -> Value {
    d.map(money).unwrap_or(Value::Null)
}

/// A Decimal as the real server's float rendering: `14566.0`, `34.8`.
pub fn java_double(d: Decimal) -> Value {
    let n = d.normalize();
    let s = if n.scale() == 0 { format!("{n}.0") } else { n.to_string() };
    s.parse::<Number>().map(Value::Number).unwrap_or(Value::Null)
}

/// Decode a JSON money value (number or numeric string) without going through f64.
pub fn decimal_from_json(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            n.to_string().parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(&n.to_string()).ok())
        }
        Value::String(s) => s.trim().parse::<Decimal>().ok(),
        _ => None,
    }
}

/// `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai.
pub fn fmt_dt(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai).format("%Y-%m-%d %H:%M:%S").to_string()
}

pub fn fmt_dt_opt(t: Option<DateTime<Utc>>) -> Value {
    t.map(|t| Value::String(fmt_dt(t))).unwrap_or(Value::Null)
}

/// Parse `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss` (Shanghai). A bare date means its start,
/// or with `end_of_day` the last second of that day.
pub fn parse_shanghai(s: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
        return Shanghai.from_local_datetime(&dt).earliest().map(|t| t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let naive = if end_of_day { d.and_hms_opt(23, 59, 59)? } else { d.and_hms_opt(0, 0, 0)? };
    Shanghai.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

/// `YYYY-MM` → [first second, last second] of that month in Shanghai.
pub fn parse_month(s: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").ok()?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    let last = next.pred_opt()?;
    Some((
        parse_shanghai(&first.format("%Y-%m-%d").to_string(), false)?,
        parse_shanghai(&last.format("%Y-%m-%d").to_string(), true)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_is_exact() {
        let v = money(Decimal::from_str("34.80").unwrap());
        assert_eq!(serde_json::to_string(&v).unwrap(), "34.80");
        assert_eq!(serde_json::to_string(&money(Decimal::from(8))).unwrap(), "8");
        assert_eq!(serde_json::to_string(&java_double(Decimal::from_str("14566.00").unwrap())).unwrap(), "14566.0");
        assert_eq!(serde_json::to_string(&java_double(Decimal::from_str("34.80").unwrap())).unwrap(), "34.8");
    }

    #[test]
    fn months() {
        let (a, b) = parse_month("2024-12").unwrap();
        assert_eq!(fmt_dt(a), "2024-12-01 00:00:00");
        assert_eq!(fmt_dt(b), "2024-12-31 23:59:59");
    }
}
