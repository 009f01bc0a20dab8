//! The business day: the store's local calendar day, shifted by a cut-off hour so a bar
//! open till 03:00 books those sales to the day before. Times are stored as UTC.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessDayRule {
    pub tz: Tz,
    /// Hour (0..=23) at which a new business day starts; 0 = midnight.
    pub cutoff_hour: u32,
}

impl Default for BusinessDayRule {
    fn default() -> Self {
        BusinessDayRule { tz: chrono_tz::Asia::Shanghai, cutoff_hour: 0 }
    }
}

impl BusinessDayRule {
    pub fn new(tz: Tz, cutoff_hour: u32) -> Result<Self, super::DomainError> {
        if cutoff_hour > 23 {
            return Err(super::DomainError::Invalid(format!("cut-off hour {cutoff_hour} is not 0..=23")));
        }
        Ok(BusinessDayRule { tz, cutoff_hour })
    }

    pub fn day_of(&self, t: DateTime<Utc>) -> NaiveDate {
        // On the wall clock, as `bounds` resolves the cut-off: subtracting hours of absolute
        // time would misplace the hours around a DST change (a 23- or 25-hour day).
        (t.with_timezone(&self.tz).naive_local() - Duration::hours(self.cutoff_hour as i64)).date()
    }

    /// `[start, end)` in UTC of a business day. DST-safe: each bound is resolved in the zone.
    pub fn bounds(&self, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let at = |d: NaiveDate| {
            let naive = d.and_hms_opt(self.cutoff_hour, 0, 0).expect("valid hour");
            self.tz
                .from_local_datetime(&naive)
                .earliest()
                .unwrap_or_else(|| self.tz.from_utc_datetime(&naive))
                .with_timezone(&Utc)
        };
        (at(day), at(day + Duration::days(1)))
    }

    pub fn local_time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn shanghai_midnight_edges() {
        let r = BusinessDayRule::default();
        // 23:59:59 Shanghai on the 23rd is 15:59:59 UTC.
        assert_eq!(r.day_of(utc("2026-11-23T15:59:59Z")).to_string(), "2026-11-23");
        assert_eq!(r.day_of(utc("2026-11-23T16:00:00Z")).to_string(), "2026-11-24");
    }

    #[test]
    fn late_night_bar_books_to_the_day_before() {
        let r = BusinessDayRule::new(chrono_tz::Asia::Shanghai, 4).unwrap();
        // 03:59:59 Shanghai on the 24th belongs to the 23rd; 04:00:00 starts the 24th.
        assert_eq!(r.day_of(utc("2026-11-23T19:59:59Z")).to_string(), "2026-11-23");
        assert_eq!(r.day_of(utc("2026-11-23T20:00:00Z")).to_string(), "2026-11-24");
        let (a, b) = r.bounds(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(a, utc("2026-11-23T20:00:00Z"));
        assert_eq!(b, utc("2026-11-24T20:00:00Z"));
        assert!(BusinessDayRule::new(chrono_tz::Asia::Shanghai, 24).is_err());
    }

    #[test]
    fn a_25_hour_day_keeps_the_wall_clock_cutoff() {
        // Berlin leaves summer time on 2009-10-25; 13:00 CET is before that day's 14:00 cut-off.
        let r = BusinessDayRule::new(chrono_tz::Europe::Berlin, 14).unwrap();
        let t = utc("2009-10-25T12:00:00Z");
        assert_eq!(r.day_of(t).to_string(), "2009-10-24");
        let (a, b) = r.bounds(r.day_of(t));
        assert!(a <= t && t < b, "{t} not in [{a}, {b})");
    }

    proptest! {
        #[test]
        fn a_time_falls_inside_its_days_bounds(secs in 0i64..4_000_000_000, cut in 0u32..24) {
            let r = BusinessDayRule::new(chrono_tz::Europe::Berlin, cut).unwrap();
            let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let (a, b) = r.bounds(r.day_of(t));
            prop_assert!(a <= t && t < b, "{t} not in [{a}, {b})");
        }
    }
}
