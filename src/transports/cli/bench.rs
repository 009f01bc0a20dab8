//! `storepos bench`: every performance figure, each measured against a baseline taken
//! in the same run (the machines are noisy; ratios travel better than milliseconds).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::commands::dispatch;
use crate::ledger::catalog::{self, SeedProduct};
use crate::ledger::Ledger;
use crate::services::setup::{init_store, InitOptions};

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
    let token = dispatch(&app, None, false, "session_login", serde_json::json!({"username":"cashier","pin":"1111"}))
        .expect("session_login")["token"]
        .as_str()
        .unwrap()
        .to_string();
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
        target: "ratio ≤ 1.3".into(),
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
        let _: i64 = conn
            .prepare_cached("SELECT price_fen FROM products WHERE id = ?1")
            .unwrap()
            .query_row([i], |r| r.get(0))
            .unwrap();
        base.push(t.elapsed());
    }
    times.sort();
    base.sort();
    let p50 = pct(&times, 0.5).as_secs_f64() * 1e3;
    let p99 = pct(&times, 0.99).as_secs_f64() * 1e3;
    let b99 = pct(&base, 0.99).as_secs_f64() * 1e3;
    vec![
        Figure {
            name: format!("barcode lookup p50 ({skus} SKUs)"),
            value: p50,
            unit: "ms".into(),
            baseline: None,
            ratio: None,
            target: "-".into(),
        },
        Figure {
            name: format!("barcode lookup p99 ({skus} SKUs)"),
            value: p99,
            unit: "ms".into(),
            baseline: Some(b99),
            ratio: Some(p99 / b99),
            target: "≤ 0.2 ms".into(),
        },
    ]
}

/// Receipt render to bytes (no QR, and with a raster QR), against GB18030-encoding the
/// same text: the floor any renderer pays.
pub fn receipt_render(rounds: usize) -> Vec<Figure> {
    use storepos_printers::templates::receipt::{receipt, ReceiptData, ReceiptLine};
    use storepos_printers::{render, Paper, PrinterProfile};
    let line = |i: i64| ReceiptLine {
        name: format!("珍珠奶茶(大杯) 第{i}杯"),
        quantity: 1 + i % 3,
        unit_price: rust_decimal::Decimal::new(1500 + i, 2),
        line_total: rust_decimal::Decimal::new((1500 + i) * (1 + i % 3), 2),
        memo: (i % 2 == 0).then(|| "少冰 不要加糖".to_string()),
    };
    let mut data = ReceiptData {
        title: None,
        customer: vec![],
        discount: None,
        store_name: "龙门客栈便利店".into(),
        local_number: "T1-0042".into(),
        platform_order_number: Some("2611231314001234".into()),
        time_local: "2026-11-23 21:14:00".into(),
        cashier: "小王".into(),
        lines: (0..8).map(line).collect(),
        remark: Some("不要加辣椒".into()),
        total: rust_decimal::Decimal::new(23456, 2),
        paid: Some(rust_decimal::Decimal::new(30000, 2)),
        change: Some(rust_decimal::Decimal::new(6544, 2)),
        payment_method: "现金".into(),
        qr: None,
        qr_caption: None,
        footer: "谢谢惠顾，欢迎再来".into(),
        reprint: false,
        open_drawer: true,
    };
    let profile = PrinterProfile::new("bench", Paper::W80);
    let text: String = storepos_printers::preview(&receipt(&data), Paper::W80);
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..rounds {
            f();
        }
        t.elapsed().as_secs_f64() * 1e6 / rounds as f64
    };
    let base = time(&mut || {
        std::hint::black_box(encoding_rs::GB18030.encode(&text));
    });
    let plain = time(&mut || {
        std::hint::black_box(render(&receipt(&data), &profile).expect("render"));
    });
    data.qr = Some("weixin://wxpay/bizpayurl?pr=AbCdEf1234".into());
    let with_qr = time(&mut || {
        std::hint::black_box(render(&receipt(&data), &profile).expect("render"));
    });
    vec![
        Figure {
            name: "receipt render, no QR".into(),
            value: plain,
            unit: "us".into(),
            baseline: Some(base),
            ratio: Some(plain / base),
            target: "≤ 100 us".into(),
        },
        Figure {
            name: "receipt render, raster QR".into(),
            value: with_qr,
            unit: "us".into(),
            baseline: Some(base),
            ratio: Some(with_qr / base),
            target: "-".into(),
        },
    ]
}

/// Daily stats for one day of a ledger holding `orders` orders over a year, against a
/// plain `SELECT count(*)` over that day's rows.
pub fn daily_stats(orders: usize) -> Vec<Figure> {
    let r = crate::services::stats::bench::run_stats_bench(orders);
    vec![Figure {
        name: format!("daily stats ({} orders in ledger)", r.orders),
        value: r.stats_median_ms,
        unit: "ms".into(),
        baseline: Some(r.count_median_ms),
        ratio: Some(r.ratio),
        target: "≤ 20 ms".into(),
    }]
}

/// Catch-up of orders made offline (field mode) against the bound one-create-at-a-time
/// sets, with one platform account, then with one account per till (two tills).
pub fn sync_catchup(orders: usize) -> Vec<Figure> {
    let mut out = vec![];
    for tills in [1, 2] {
        match crate::transports::cli::sync_bench::run_catchup_bench(
            crate::transports::cli::sync_bench::CatchupOptions { orders, tills, ..Default::default() },
        ) {
            Ok(r) => {
                println!("{r}");
                out.push(Figure {
                    name: format!("sync catch-up {} orders @{} ms field, {} till(s)", r.orders, r.latency_ms, r.tills),
                    value: r.wall_ms as f64,
                    unit: "ms".into(),
                    baseline: Some(r.ideal_ms as f64),
                    ratio: Some(r.ratio),
                    target: "ratio ≤ 1.1 (vs creates one at a time)".into(),
                })
            }
            Err(e) => eprintln!("sync catch-up ({tills} tills) failed: {e}"),
        }
    }
    out
}

/// `storepos serve` as a process: start to first answered request, against the time to
/// start `storepos --version` (the cost of any process start on this machine).
pub fn serve_start(rounds: usize) -> Vec<Figure> {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(_) => return vec![],
    };
    let dir = tempfile::tempdir().expect("tempdir");
    drop(init_store(dir.path(), &InitOptions::default()).expect("init"));
    let (mut starts, mut bases) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        let _ = Command::new(&exe).arg("--version").stdout(Stdio::null()).status();
        bases.push(t.elapsed());
        let t = Instant::now();
        let mut child = match Command::new(&exe)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(_) => return vec![],
        };
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
        let url = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
        let addr = url.trim_start_matches("http://").to_string();
        // First answered request: a raw HTTP/1.1 GET of /api/health.
        loop {
            if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                use std::io::{Read, Write};
                let _ = write!(s, "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                let mut buf = [0u8; 12];
                if s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1 200") {
                    break;
                }
            }
            if t.elapsed() > Duration::from_secs(10) {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        starts.push(t.elapsed());
        let _ = child.kill();
        let _ = child.wait();
    }
    let (s, b) = (median(starts), median(bases));
    vec![Figure {
        name: "storepos serve start to first answer".into(),
        value: s.as_secs_f64() * 1e3,
        unit: "ms".into(),
        baseline: Some(b.as_secs_f64() * 1e3),
        ratio: Some(s.as_secs_f64() / b.as_secs_f64()),
        target: "≤ 200 ms".into(),
    }]
}

/// Catalog sync of `n` generated products from the simulator (in this process, loopback),
/// first a full one into an empty catalog, then an incremental one (1% of prices changed,
/// 0.1% gone), while a cashier thread rings up a sale every 5 ms. The pause figure is the
/// slowest sale during the sync against the slowest sale of the same loop without a sync.
pub fn catalog_sync(n: u64) -> Vec<Figure> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(_) => return vec![],
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let app = Arc::new(init_store(dir.path(), &InitOptions::default()).expect("init"));
    let token = dispatch(&app, None, false, "session_login", serde_json::json!({"username":"cashier","pin":"1111"}))
        .expect("session_login")["token"]
        .as_str()
        .unwrap()
        .to_string();
    let sim = rt.block_on(storepos_sim::start(storepos_sim::SimArgs::default())).expect("sim");
    let base = sim.base_url();
    let client = crate::clients::platform::client::PlatformClient::new(
        crate::clients::platform::client::ClientConfig::new(&base, "store1", "store1pass", 1, "龙门客栈便利店"),
    )
    .expect("client");
    let http = reqwest::Client::new();
    let generate = |rev: u64| {
        rt.block_on(
            http.post(format!("{base}/sim/catalog/generate"))
                .json(&serde_json::json!({"n": n, "revision": rev}))
                .send(),
        )
        .expect("generate");
    };
    // A cashier ringing up sales; returns (sales, slowest).
    let sell_while = |f: &mut dyn FnMut()| -> (usize, Duration) {
        let stop = Arc::new(AtomicBool::new(false));
        let (app2, token2, stop2) = (app.clone(), token.clone(), stop.clone());
        let seller = std::thread::spawn(move || {
            let (mut n, mut worst) = (0usize, Duration::ZERO);
            let req = serde_json::json!({"lines": [{"product_id": 1, "quantity": 1}]});
            while !stop2.load(Ordering::Relaxed) {
                let t = Instant::now();
                let _ = dispatch(&app2, Some(&token2), false, "sale_create", req.clone());
                worst = worst.max(t.elapsed());
                n += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            (n, worst)
        });
        f();
        stop.store(true, Ordering::Relaxed);
        seller.join().unwrap_or((0, Duration::ZERO))
    };
    let (_, quiet_worst) = sell_while(&mut || std::thread::sleep(Duration::from_millis(1500)));
    generate(1);
    let mut full = None;
    let (sales1, worst1) =
        sell_while(&mut || full = Some(rt.block_on(crate::engine::catalog::refresh_catalog_report(&app, &client))));
    generate(2);
    let mut incr = None;
    let (sales2, worst2) =
        sell_while(&mut || incr = Some(rt.block_on(crate::engine::catalog::refresh_catalog_report(&app, &client))));
    drop(sim);
    let (Some(Ok(full)), Some(Ok(incr))) = (full, incr) else {
        eprintln!("catalog sync failed");
        return vec![];
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let worst = worst1.max(worst2);
    vec![
        Figure {
            name: format!("catalog sync {n} (full: {} written, {} txs)", full.changed, full.transactions),
            value: full.wall_ms,
            unit: "ms".into(),
            baseline: None,
            ratio: None,
            target: "≤ 10000 ms".into(),
        },
        Figure {
            name: format!("catalog sync {n} (incremental: {} changed, {} gone)", incr.changed, incr.deactivated),
            value: incr.wall_ms,
            unit: "ms".into(),
            baseline: Some(full.wall_ms),
            ratio: Some(incr.wall_ms / full.wall_ms),
            target: "< full".into(),
        },
        Figure {
            name: format!("slowest sale during sync ({} sales) vs without", sales1 + sales2),
            value: ms(worst),
            unit: "ms".into(),
            baseline: Some(ms(quiet_worst)),
            ratio: Some(ms(worst) / ms(quiet_worst).max(0.001)),
            target: "≤ 50 ms and ≤ 10x".into(),
        },
        Figure {
            name: "longest ledger hold by the sync".into(),
            value: full.longest_hold_ms.max(incr.longest_hold_ms),
            unit: "ms".into(),
            baseline: None,
            ratio: None,
            target: "≤ 50 ms".into(),
        },
    ]
}

/// The longest pause a sale sees while a backup of a big ledger runs, against the
/// longest pause of the same sales with no backup running.
pub fn backup_pause(orders: i64) -> Vec<Figure> {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = init_store(dir.path(), &InitOptions::default()).expect("init");
    let t0 = Instant::now();
    {
        let mut l = app.ledger();
        l.write(|tx| crate::ledger::backup::bulk_fill(tx, orders)).expect("bulk fill");
        crate::ledger::backup::checkpoint(l.read()).expect("checkpoint");
    }
    let build = t0.elapsed();
    let size_mb =
        std::fs::metadata(dir.path().join("storepos.db")).map(|m| m.len() as f64 / 1_048_576.0).unwrap_or(0.0);
    let token = dispatch(&app, None, false, "session_login", serde_json::json!({"username":"cashier","pin":"1111"}))
        .expect("session_login")["token"]
        .as_str()
        .unwrap()
        .to_string();
    let req = serde_json::json!({"lines":[{"product_id":1,"quantity":2},{"product_id":31,"quantity":1}]});
    let sale = || {
        let t = Instant::now();
        dispatch(&app, Some(&token), false, "sale_create", req.clone()).expect("sale");
        t.elapsed()
    };
    let mut job = crate::services::backup::Job::plan(&app).expect("plan");
    if let Some((p, ms)) = std::env::var("STOREPOS_BACKUP_PACE").ok().and_then(|v| {
        let (a, b) = v.split_once(',')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    }) {
        job.pace = crate::ledger::backup::Pace { pages_per_step: p, pause: Duration::from_millis(ms) };
    }
    let pace = job.pace;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let t_backup = Instant::now();
    let h = std::thread::spawn(move || {
        let r = job.run("bench");
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        r
    });
    // A brisk till: one sale every 10 ms (a real counter rings one up every few seconds).
    let gap = Duration::from_millis(10);
    let mut during = Vec::new();
    let mut slow = Vec::new();
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        let d = sale();
        if d > Duration::from_millis(20) {
            slow.push(format!("{:.1}s:{:.0}ms", t_backup.elapsed().as_secs_f64(), d.as_secs_f64() * 1e3));
        }
        during.push(d);
        std::thread::sleep(gap.saturating_sub(d));
    }
    if !slow.is_empty() {
        eprintln!("backup bench: sales over 20 ms (time into the backup: pause): {}", slow.join(" "));
    }
    let rec = h.join().expect("backup thread").expect("backup");
    let backup_s = t_backup.elapsed().as_secs_f64();
    // The baseline: as many sales at the same pace with no backup running (the machine's
    // own weather over the same stretch; the max of few samples would flatter the backup).
    let base: Vec<Duration> = (0..during.len().max(200))
        .map(|_| {
            let d = sale();
            std::thread::sleep(gap.saturating_sub(d));
            d
        })
        .collect();
    let max_ms = |v: &[Duration]| v.iter().max().copied().unwrap_or_default().as_secs_f64() * 1e3;
    let mut sorted = during.clone();
    sorted.sort();
    let p99 = pct(&sorted, 0.99).as_secs_f64() * 1e3;
    println!(
        "backup bench: {orders} orders built in {:.1} s ({size_mb:.0} MB); backup {:.1} s, {} pages in {} steps ({} pages/step, {} ms pause), integrity {} (copy {} ms of {} ms); {} sales during it (p99 {p99:.2} ms, max {:.2} ms), {} after it, no backup (max {:.2} ms)",
        build.as_secs_f64(),
        backup_s,
        rec.pages,
        rec.steps,
        pace.pages_per_step,
        pace.pause.as_millis(),
        rec.integrity,
        rec.copy_millis,
        rec.millis,
        during.len(),
        max_ms(&during),
        base.len(),
        max_ms(&base)
    );
    let (m, b) = (max_ms(&during), max_ms(&base));
    vec![Figure {
        name: format!("longest sale pause during backup ({orders} orders)"),
        value: m,
        unit: "ms".into(),
        baseline: Some(b),
        ratio: Some(if b > 0.0 { m / b } else { 0.0 }),
        target: "≤ 50 ms".into(),
    }]
}

/// A minimal HTTP/1.1 client on one keep-alive connection (what a browser tab holds),
/// so the bench measures the server and not a client library.
struct RawHttp {
    reader: std::io::BufReader<std::net::TcpStream>,
    writer: std::net::TcpStream,
}

impl RawHttp {
    fn connect(addr: &str) -> std::io::Result<RawHttp> {
        let s = std::net::TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(RawHttp { reader: std::io::BufReader::new(s.try_clone()?), writer: s })
    }

    /// `POST /api/{command}` as the UI sends it; the answer's `data` (or the error as text).
    fn call(
        &mut self,
        command: &str,
        session: Option<&str>,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        use std::io::{BufRead, Read, Write};
        let body = body.to_string();
        let mut req = format!(
            "POST /api/{command} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(t) = session {
            req.push_str(&format!("X-Storepos-Session: {t}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        self.writer.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
        let (mut len, mut chunked) = (None, false);
        let mut line = String::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Err("connection closed".into());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse::<usize>().ok();
            } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut buf = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line).map_err(|e| e.to_string())?;
                let n = usize::from_str_radix(line.trim(), 16).map_err(|e| e.to_string())?;
                let mut chunk = vec![0u8; n + 2];
                self.reader.read_exact(&mut chunk).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        } else {
            buf.resize(len.ok_or("no content-length")?, 0);
            self.reader.read_exact(&mut buf).map_err(|e| e.to_string())?;
        }
        let v: serde_json::Value = serde_json::from_slice(&buf).map_err(|e| e.to_string())?;
        match v.get("ok").and_then(|o| o.as_bool()) {
            Some(true) => Ok(v["data"].clone()),
            _ => Err(v.to_string()),
        }
    }
}

/// An iPad's event stream: `GET /api/events?session=…` held open on its own thread,
/// counting the events it reads, until [`EventStream::close`].
struct EventStream {
    socket: std::net::TcpStream,
    reader: std::thread::JoinHandle<usize>,
}

impl EventStream {
    fn open(addr: &str, session: &str) -> std::io::Result<EventStream> {
        use std::io::{BufRead, Write};
        let mut s = std::net::TcpStream::connect(addr)?;
        write!(
            s,
            "GET /api/events?session={session} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )?;
        let mut r = std::io::BufReader::new(s.try_clone()?);
        // The answer's status line: the stream is open once it is read.
        let mut status = String::new();
        r.read_line(&mut status)?;
        if !status.starts_with("HTTP/1.1 200") {
            return Err(std::io::Error::other(format!("event stream refused: {}", status.trim())));
        }
        let reader = std::thread::spawn(move || {
            let mut events = 0;
            let mut line = String::new();
            while matches!(r.read_line(&mut line), Ok(n) if n > 0) {
                if line.starts_with("event:") {
                    events += 1;
                }
                line.clear();
            }
            events
        });
        Ok(EventStream { socket: s, reader })
    }

    /// Hangs up; the number of events it read.
    fn close(self) -> usize {
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
        self.reader.join().unwrap_or(0)
    }
}

/// `storepos serve` as a process, sales rung up over HTTP as the UI does (`sale_create`,
/// then `sale_cash_pay`), with no event stream open and then with `ipads` streams open
/// (one session each, as the iPads hold them), in alternating rounds so both see the same
/// disk weather. The figure is the sale's p99 with the streams against without.
pub fn serve_streams(sales_per_side: usize, ipads: usize) -> Vec<Figure> {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let Ok(exe) = std::env::current_exe() else { return vec![] };
    let dir = tempfile::tempdir().expect("tempdir");
    drop(init_store(dir.path(), &InitOptions::default()).expect("init"));
    let Ok(mut child) = Command::new(&exe)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return vec![];
    };
    let mut line = String::new();
    let _ = std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
    let addr = line.trim().rsplit(' ').next().unwrap_or_default().trim_start_matches("http://").to_string();
    let run = || -> Result<(Vec<Duration>, Vec<Duration>, usize), String> {
        let mut till = RawHttp::connect(&addr).map_err(|e| e.to_string())?;
        let login = serde_json::json!({"username": "cashier", "pin": "1111"});
        let token = till.call("session_login", None, &login)?["token"].as_str().unwrap_or_default().to_string();
        till.call("shift_open", Some(&token), &serde_json::json!({"float": "0"}))?;
        let ipad_tokens: Vec<String> = (0..ipads)
            .map(|_| Ok(till.call("session_login", None, &login)?["token"].as_str().unwrap_or_default().to_string()))
            .collect::<Result<_, String>>()?;
        let req = serde_json::json!({"lines": [{"product_id": 1, "quantity": 2}, {"product_id": 31, "quantity": 1}]});
        let sale = |till: &mut RawHttp| -> Result<Duration, String> {
            let t = Instant::now();
            let order = till.call("sale_create", Some(&token), &req)?;
            let pay = serde_json::json!({"client_ref": order["client_ref"], "tendered": order["total"]});
            till.call("sale_cash_pay", Some(&token), &pay)?;
            let d = t.elapsed();
            // A brisk till; the streams deliver in between, as they would.
            std::thread::sleep(Duration::from_millis(2));
            Ok(d)
        };
        for _ in 0..10 {
            sale(&mut till)?; // warm-up
        }
        let (mut quiet, mut streamed, mut delivered) = (Vec::new(), Vec::new(), 0);
        let rounds = 4;
        for _ in 0..rounds {
            for _ in 0..sales_per_side / rounds {
                quiet.push(sale(&mut till)?);
            }
            let streams: Vec<EventStream> = ipad_tokens
                .iter()
                .map(|t| EventStream::open(&addr, t).map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?;
            for _ in 0..sales_per_side / rounds {
                streamed.push(sale(&mut till)?);
            }
            // Let the last events arrive before hanging up.
            std::thread::sleep(Duration::from_millis(20));
            delivered += streams.into_iter().map(EventStream::close).sum::<usize>();
        }
        Ok((quiet, streamed, delivered))
    };
    let outcome = run();
    let _ = child.kill();
    let _ = child.wait();
    let (mut quiet, mut streamed, delivered) = match outcome {
        Ok(r) => r,
        Err(e) => {
            eprintln!("serve-streams bench failed: {e}");
            return vec![];
        }
    };
    quiet.sort();
    streamed.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (q50, s50) = (ms(pct(&quiet, 0.5)), ms(pct(&streamed, 0.5)));
    let (q99, s99) = (ms(pct(&quiet, 0.99)), ms(pct(&streamed, 0.99)));
    vec![
        Figure {
            name: format!("HTTP sale p50, {ipads} event streams vs none"),
            value: s50,
            unit: "ms".into(),
            baseline: Some(q50),
            ratio: Some(s50 / q50),
            target: "-".into(),
        },
        Figure {
            name: format!("HTTP sale p99, {ipads} event streams vs none ({delivered} events read)"),
            value: s99,
            unit: "ms".into(),
            baseline: Some(q99),
            ratio: Some(s99 / q99),
            target: "ratio ≤ 1.2".into(),
        },
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
    if all || which == "print" {
        figs.extend(receipt_render(if quick { 200 } else { 5_000 }));
    }
    if all || which == "stats" {
        figs.extend(daily_stats(if quick { 20_000 } else { 1_000_000 }));
    }
    if all || which == "sync" {
        figs.extend(sync_catchup(if quick { 100 } else { 1_000 }));
    }
    if all || which == "catalog" {
        figs.extend(catalog_sync(if quick { 10_000 } else { 100_000 }));
    }
    if all || which == "serve" {
        figs.extend(serve_start(if quick { 3 } else { 15 }));
    }
    if all || which == "serve-streams" {
        figs.extend(serve_streams(if quick { 120 } else { 800 }, 6));
    }
    if all || which == "backup" {
        figs.extend(backup_pause(if quick { 20_000 } else { 1_000_000 }));
    }
    if all || which == "online" || which == "online-compare" {
        let base = if quick {
            super::online_bench::OnlineOptions::quick()
        } else {
            super::online_bench::OnlineOptions::full()
        };
        // `online-compare`: the engine without issue 24's re-pull first, then as built.
        let runs: &[bool] = if which == "online-compare" { &[true, false] } else { &[false] };
        let mut reports = Vec::new();
        for &before_fix in runs {
            let opts = super::online_bench::OnlineOptions { before_fix, ..base.clone() };
            match super::online_bench::run_online_bench(&opts) {
                Ok(r) => {
                    if !json {
                        print!("{}", r.table());
                    }
                    figs.extend(r.figures());
                    reports.push(r);
                }
                Err(e) => eprintln!("online bench failed: {e}"),
            }
        }
        // `bench online --json`: the whole report (every profile's fields), for machines.
        if json && !all {
            let v = match reports.as_slice() {
                [one] => serde_json::to_value(one),
                many => serde_json::to_value(many),
            };
            println!("{}", v.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default()).unwrap_or_default());
            return if reports.is_empty() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    }
    if figs.is_empty() {
        eprintln!(
            "unknown benchmark {which:?}; try: ledger, print, stats, sync, catalog, serve, serve-streams, backup, online, online-compare, all"
        );
        return ExitCode::from(2);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&figs).unwrap_or_default());
    } else {
        print_table(&figs);
    }
    ExitCode::SUCCESS
}
