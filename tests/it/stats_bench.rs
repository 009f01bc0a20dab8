//! The statistics benchmark: a fast run for CI (20,000 orders) and the full one
//! (1,000,000 orders over a year; run with `cargo test --release --test it stats_bench:: -- --ignored --nocapture`).
//! Both assert what the benchmark builds and the query plan; the times are printed figures.

use storepos::services::stats::bench::run_stats_bench;

#[test]
fn stats_bench_small() {
    let r = run_stats_bench(20_000);
    assert_eq!(r.orders, 20_000);
    assert!(r.lines >= 2 * r.orders && r.lines <= 3 * r.orders, "about 2.5 lines per order: {}", r.lines);
    assert!(r.day_orders > 0);
    assert!(r.plans[0].contains("COVERING INDEX orders_day_stats"), "{:?}", r.plans);
    // Times are figures, printed, never asserted: the plan above is what makes it fast.
    eprintln!("stats bench (debug, 20,000 orders): {r:?}");
}

#[test]
#[ignore = "builds a 1,000,000-order ledger; run in release"]
fn stats_bench_one_million() {
    let r = run_stats_bench(1_000_000);
    assert_eq!(r.orders, 1_000_000);
    assert!(r.plans[0].contains("COVERING INDEX orders_day_stats"), "{:?}", r.plans);
    // The target is reported, not asserted (no wall-clock assertions in tests).
    println!(
        "stats_day median {:.3} ms (target {} ms: {})",
        r.stats_median_ms,
        r.target_ms,
        if r.within_target { "met" } else { "MISSED" }
    );
}
