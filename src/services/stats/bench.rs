//! The statistics benchmark: a ledger file with `orders` synthetic orders spread over a
//! year (about 2.5 lines each, bulk-inserted in one transaction with prepared
//! statements), then `stats_day_get` for one day timed (median of several runs) next to a
//! plain `SELECT count(*) FROM orders WHERE business_day = ?` over the same day.
//! Target: ≤ 20 ms for 1,000,000 orders. `storepos bench` prints the report.

use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::ledger::stats::{self as sql, RawOrder};
use crate::ledger::Ledger;

pub const TARGET_MS: f64 = 20.0;
const RUNS: usize = 31;
const DAYS: i64 = 365;

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub orders: usize,
    pub lines: usize,
    pub days: i64,
    pub build_secs: f64,
    pub file_mb: f64,
    pub day: String,
    pub day_orders: i64,
    pub runs: usize,
    pub first_run_ms: f64,
    pub stats_median_ms: f64,
    pub stats_min_ms: f64,
    pub stats_max_ms: f64,
    pub count_median_ms: f64,
    /// stats_day median ÷ the count(*) median.
    pub ratio: f64,
    pub target_ms: f64,
    pub within_target: bool,
    pub plans: Vec<String>,
}

/// A tiny deterministic generator (SplitMix64) so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CATEGORIES: &[&str] = &["咖啡", "茶饮", "烘焙", "轻食", "零食", "饮料", "日用", "冷冻"];

/// The synthetic orders, generated lazily (no year of rows in memory).
pub fn synthetic_orders(n: usize, first_day: NaiveDate) -> impl Iterator<Item = RawOrder> {
    let mut rng = Rng(0x5EED_2026);
    let per_day = (n as i64 / DAYS).max(1);
    let tz = chrono_tz::Asia::Shanghai;
    (0..n).map(move |i| {
        let day_idx = (i as i64 / per_day).min(DAYS - 1);
        let day = first_day + Days::days(day_idx);
        let hour = 7 + rng.below(16) as u32;
        let minute = rng.below(60) as u32;
        let local = day.and_hms_opt(hour, minute, (i % 60) as u32).unwrap_or_default();
        let created = tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or_else(Utc::now);
        let channel = match rng.below(10) {
            0..=6 => "COUNTER",
            7 | 8 => "SELF_PICK",
            _ => "FLASH",
        };
        let status = match rng.below(100) {
            0..=84 => "CLOSED_CONFIRMED",
            85..=89 => "CLOSED_CANCELED",
            90..=92 => "CREATED_PAY_PENDING",
            93..=94 => "DELIVERING",
            95..=96 => "PAID_CONFIRM_PENDING",
            97 => "CLOSED_REFUNDED",
            98 => "CLOSED_PAY_TIMEOUT",
            _ => "DELIVERED_CONFIRM_PENDING",
        };
        let payment = match (channel, status) {
            (_, "CREATED_PAY_PENDING" | "CLOSED_CANCELED" | "CLOSED_PAY_TIMEOUT") => None,
            ("COUNTER", _) => Some(if rng.below(10) < 4 { "CASH" } else { "WECHAT" }),
            _ => Some("ONLINE"),
        };
        let left_store = channel == "FLASH" && rng.below(50) == 0;
        let n_lines = 1 + rng.below(4) as usize;
        let lines = (0..n_lines)
            .map(|_| {
                let pid = 1 + rng.below(60) as i64;
                let cat = CATEGORIES[(pid as usize) % CATEGORIES.len()].to_string();
                (pid, format!("商品{pid:02}"), cat, 300 + pid * 50, 1 + rng.below(3) as i64)
            })
            .collect();
        RawOrder {
            client_ref: format!("bench-{i:09}"),
            till_code: "T1".into(),
            business_day: day.to_string(),
            day_seq: i as i64 - day_idx * per_day + 1,
            channel,
            status,
            payment_method: payment,
            cashier_name: (channel == "COUNTER")
                .then(|| ["小王", "小李", "小张", "小赵"][rng.below(4) as usize].to_string()),
            created_at: crate::ledger::time_text(created),
            local_hour: hour,
            sync_state: if rng.below(100) < 97 { "synced" } else { "pending" },
            left_store,
            lines,
        }
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Builds the ledger in a temporary directory (removed afterwards), times, prints, returns.
pub fn run_stats_bench(orders: usize) -> BenchReport {
    let dir = std::env::temp_dir().join(format!(
        "storepos-stats-bench-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir for the benchmark");
    let path = dir.join("storepos.db");
    let first_day = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");

    let t0 = Instant::now();
    let (n_orders, n_lines) = {
        let mut ledger = Ledger::open(&path).expect("bench ledger");
        let _ = ledger.read().pragma_update(None, "cache_size", -262_144);
        let r = ledger.write(|tx| sql::bulk_insert(tx, synthetic_orders(orders, first_day))).expect("bulk insert");
        let _ = ledger.read().execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);");
        r
    };
    let build = t0.elapsed();
    let file_mb = std::fs::metadata(&path).map(|m| m.len() as f64 / 1_048_576.0).unwrap_or(0.0);

    // A fresh connection with the default cache, as the app has.
    let ledger = Ledger::open(&path).expect("reopen bench ledger");
    let conn = ledger.read();
    let day = (first_day + Days::days(DAYS / 2)).to_string();
    let t = Instant::now();
    let first = super::day_stats(conn, &day).expect("stats_day_get");
    let first_run = t.elapsed();
    let mut stats_t = Vec::with_capacity(RUNS);
    let mut count_t = Vec::with_capacity(RUNS);
    let mut day_orders = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let s = super::day_stats(conn, &day).expect("stats_day_get");
        stats_t.push(t.elapsed());
        assert_eq!(s, first);
        let t = Instant::now();
        day_orders = sql::count_day(conn, &day).expect("count");
        count_t.push(t.elapsed());
    }
    let plans = sql::day_plans(conn).unwrap_or_default();
    drop(ledger);
    let _ = std::fs::remove_dir_all(&dir);

    let (smin, smax) =
        (stats_t.iter().min().copied().unwrap_or_default(), stats_t.iter().max().copied().unwrap_or_default());
    let sm = median(stats_t);
    let cm = median(count_t);
    let report = BenchReport {
        orders: n_orders,
        lines: n_lines,
        days: DAYS,
        build_secs: build.as_secs_f64(),
        file_mb,
        day,
        day_orders,
        runs: RUNS,
        first_run_ms: ms(first_run),
        stats_median_ms: ms(sm),
        stats_min_ms: ms(smin),
        stats_max_ms: ms(smax),
        count_median_ms: ms(cm),
        ratio: if cm.is_zero() { 0.0 } else { sm.as_secs_f64() / cm.as_secs_f64() },
        target_ms: TARGET_MS,
        within_target: ms(sm) <= TARGET_MS,
        plans,
    };
    println!(
        "stats bench: {} orders / {} lines over {} days built in {:.1} s ({:.0} MB); day {} has {} orders\n  stats_day: median {:.3} ms (min {:.3}, max {:.3}, first {:.3}) over {} runs; target ≤ {} ms: {}\n  count(*) of the day: median {:.3} ms; ratio stats/count = {:.1}\n  plans: {}",
        report.orders,
        report.lines,
        report.days,
        report.build_secs,
        report.file_mb,
        report.day,
        report.day_orders,
        report.stats_median_ms,
        report.stats_min_ms,
        report.stats_max_ms,
        report.first_run_ms,
        report.runs,
        report.target_ms,
        if report.within_target { "OK" } else { "MISSED" },
        report.count_median_ms,
        report.ratio,
        report.plans.join(" || ")
    );
    report
}
