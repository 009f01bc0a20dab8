//! The catch-up benchmark with fewer orders (the full 1,000 runs from `storepos bench`).
//! Ignored by default (it takes a while and prints wall-time figures; it asserts only outcomes): `cargo test --test it sync_bench:: -- --ignored --nocapture`.

use storepos::transports::cli::sync_bench::{run_catchup_bench, CatchupOptions};

#[test]
#[ignore]
fn catchup_small() {
    let orders = std::env::var("STOREPOS_BENCH_ORDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let dir = std::env::var("STOREPOS_BENCH_DIR")
        .ok()
        .map(|d| std::path::PathBuf::from(d).join(format!("bench-{}", std::process::id())));
    let latency_ms = std::env::var("STOREPOS_BENCH_LATENCY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let r = run_catchup_bench(CatchupOptions { orders, dir, latency_ms, ..CatchupOptions::default() }).unwrap();
    println!("{r}");
    assert_eq!(r.outbox_pending, 0);
    assert_eq!(r.conflicts, 0);
    assert_eq!(r.platform_orders, orders);
    // The ratio to the ideal is a figure (printed above), not an assertion.
}
