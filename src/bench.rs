//! `storepos bench`: every performance figure, each measured against a baseline taken
//! in the same run (the machines are noisy; ratios travel better than milliseconds).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::commands::dispatch;
use crate::ledger::catalog::{self, SeedProduct};
use crate::ledger::Ledger;
use crate::setup::{init_store, InitOptions};

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: String,
    pub baseline: Option<f64>,
    pub ratio: Option<f64>,
    pub target: String,
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    pct(&v, 0.5)
}

/// Checkout commit (order + lines + journal + outbox + kitchen job, durable) against a
/// bare durable single-row INSERT on the same disk with the same pragmas.
pub fn checkout_vs_insert(rounds: usize) -> Vec<Figure> {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = init_store(dir.path(), &InitOptions::default()).expect("init");
    let token = dispatch(&app, None, false, "login", serde_json::json!({"username":"cashier","pin":"1111"})).expect("login")["token"].as_str().unwrap().to_string();
    let bare = rusqlite::Connection::open(dir.path().join("bare.db")).expect("bare db");
    bare.pragma_update(None, "journal_mode", "WAL").unwrap();
    bare.pragma_update(None, "synchronous", "FULL").unwrap();
    bare.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)").unwrap();
    let req = serde_json::json!({"lines":[{"product_id":1,"quantity":2},{"product_id":31,"quantity":1,"memo":"少冰"},{"product_id":90,"quantity":1}]});
    let (mut sale, mut ins) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // Interleaved so both see the same disk weather.
        let t = Instant::now();
        dispatch(&app, Some(&token), false, "sale_create", req.clone()).expect("sale");
        sale.push(t.elapsed());
        let t = Instant::now();
        bare.execute("INSERT INTO t (v) VALUES (?1)", [format!("row {i}")]).unwrap();
        ins.push(t.elapsed());
    }
    let (s, b) = (median(sale), median(ins));
    vec![Figure {
        name: "checkout commit vs bare durable insert".into(),
        value: s.as_secs_f64() * 1e3,
        unit: "ms".into(),
        baseline: Some(b.as_secs_f64() * 1e3),
        ratio: Some(s.as_secs_f64() / b.as_secs_f64()),
        target: "ratio ≤ 1.5".into(),
    }]
}

/// Barcode look-up latency with a large catalog, against a primary-key read of one row.
pub fn barcode_lookup(skus: usize, lookups: usize) -> Vec<Figure> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ledger = Ledger::open(&dir.path().join("storepos.db")).expect("ledger");
    let seed: Vec<SeedProduct> = (1..=skus as i64)
        .map(|i| SeedProduct {
            id: i,
            name: format!("商品{i}号"),
            category_id: 1 + i % 12,
            category_name: format!("分类{}", 1 + i % 12),
            station: None,
            price: crate::domain::Money::from_fen(100 + i % 5000),
            barcode: Some(format!("69{:011}", i)),
            specifications: vec![],
        })
        .collect();
    ledger.write(|tx| catalog::upsert(tx, &seed)).expect("seed");
    let conn = ledger.read();
    let mut times = Vec::with_capacity(lookups);
    let mut base = Vec::with_capacity(lookups);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..lookups {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let i = 1 + (x % skus as u64) as i64;
        let code = format!("69{:011}", i);
        let t = Instant::now();
        let hit = catalog::by_barcode(conn, &code).expect("lookup");
        times.push(t.elapsed());
        assert!(hit.is_some());
        let t = Instant::now();
        let _: i64 = conn.prepare_cached("SELECT price_fen FROM products WHERE id = ?1").unwrap().query_row([i], |r| r.get(0)).unwrap();
        base.push(t.elapsed());
    }
    times.sort();
    base.sort();
    let p50 = pct(&times, 0.5).as_secs_f64() * 1e3;
    let p99 = pct(&times, 0.99).as_secs_f64() * 1e3;
    let b99 = pct(&base, 0.99).as_secs_f64() * 1e3;
    vec![
        Figure { name: format!("barcode lookup p50 ({skus} SKUs)"), value: p50, unit: "ms".into(), baseline: None, ratio: None, target: "-".into() },
        Figure { name: format!("barcode lookup p99 ({skus} SKUs)"), value: p99, unit: "ms".into(), baseline: Some(b99), ratio: Some(p99 / b99), target: "≤ 0.2 ms".into() },
    ]
}

pub fn print_table(figs: &[Figure]) {
    println!("{:<52} {:>12} {:>12} {:>8}  target", "figure", "value", "baseline", "ratio");
    for f in figs {
        println!(
            "{:<52} {:>9.4} {:<2} {:>12} {:>8}  {}",
            f.name,
            f.value,
            f.unit,
            f.baseline.map(|b| format!("{b:.4}")).unwrap_or_else(|| "-".into()),
            f.ratio.map(|r| format!("{r:.2}x")).unwrap_or_else(|| "-".into()),
            f.target
        );
    }
}

pub fn run(which: &str, json: bool, quick: bool) -> ExitCode {
    let mut figs = Vec::new();
    let all = which == "all";
    if all || which == "ledger" {
        figs.extend(checkout_vs_insert(if quick { 50 } else { 400 }));
        figs.extend(barcode_lookup(if quick { 10_000 } else { 100_000 }, if quick { 2_000 } else { 20_000 }));
    }
    if figs.is_empty() {
        eprintln!("unknown benchmark {which:?}; try: ledger, all");
        return ExitCode::from(2);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&figs).unwrap_or_default());
    } else {
        print_table(&figs);
    }
    ExitCode::SUCCESS
}
