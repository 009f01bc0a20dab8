//! Render benchmark (no criterion): `cargo bench -p storepos-printers`.
//! Prints µs per receipt render without QR and with a raster QR, each also as
//! a ratio to two baselines measured in the same run: copying the same number
//! of bytes (`Vec::extend`) and GB18030-encoding the receipt's text.

use std::hint::black_box;
use std::time::Instant;

use rust_decimal::Decimal;
use storepos_printers::templates::{receipt, ReceiptData, ReceiptLine};
use storepos_printers::{layout, render, Paper, PrinterProfile};

fn data(qr: bool) -> ReceiptData {
    let line = |name: &str, q: i64, p: i64, memo: Option<&str>| ReceiptLine {
        name: name.into(),
        quantity: q,
        unit_price: Decimal::new(p, 2),
        line_total: Decimal::new(p * q, 2),
        memo: memo.map(str::to_string),
    };
    ReceiptData {
        title: None,
        customer: vec![],
        discount: None,
        store_name: "小山咖啡·南京胜太路店".into(),
        local_number: "T1-0007".into(),
        platform_order_number: Some("2405011230001234".into()),
        time_local: "2024-05-01 12:30:05".into(),
        cashier: "王小明".into(),
        lines: vec![
            line("宫保鸡丁盖浇饭（大份加蛋加肉丝）", 2, 1620, Some("不要加辣椒")),
            line("Iced Latte 冰拿铁", 1, 2800, None),
            line("拉面", 3, 1000, Some("少盐，多放香菜")),
            line("酸梅汤", 2, 600, None),
            line("鲜肉小笼包（6只）", 1, 1800, None),
        ],
        remark: Some("打包带走".into()),
        total: Decimal::new(15240, 2),
        paid: Some(Decimal::new(20000, 2)),
        change: Some(Decimal::new(4760, 2)),
        payment_method: if qr { "微信支付" } else { "现金" }.into(),
        qr: qr.then(|| "weixin://wxpay/bizpayurl?pr=AbCdEf1".to_string()),
        qr_caption: qr.then(|| "请使用微信扫码支付".to_string()),
        footer: "谢谢惠顾，欢迎再来".into(),
        reprint: false,
        open_drawer: !qr,
    }
}

fn per_call_us(iters: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    t.elapsed().as_secs_f64() * 1e6 / iters as f64
}

fn main() {
    let profile = PrinterProfile { drawer: true, ..PrinterProfile::new("bench", Paper::W58) };
    for (label, qr, iters) in [("receipt, no QR", false, 20_000u32), ("receipt, raster QR", true, 2_000)] {
        let ticket = receipt(&data(qr));
        let bytes_len = render(&ticket, &profile).unwrap().bytes.len();
        let text: String = layout(&ticket, profile.paper)
            .items
            .iter()
            .filter_map(|i| match i {
                storepos_printers::layout::LaidItem::Line(l) => Some(l.text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let render_us = per_call_us(iters, || {
            black_box(render(black_box(&ticket), &profile).unwrap());
        });
        let src = vec![0x55u8; bytes_len];
        let copy_us = per_call_us(iters.max(20_000), || {
            let mut v = Vec::new();
            v.extend_from_slice(black_box(&src));
            black_box(v);
        });
        let encode_us = per_call_us(iters.max(20_000), || {
            black_box(encoding_rs::GB18030.encode(black_box(&text)));
        });
        println!(
            "{label:20} {bytes_len:6} bytes  render {render_us:8.2} µs/call  | copy {copy_us:6.3} µs (x{:.0})  | GB18030 encode of its {} chars {encode_us:6.2} µs (x{:.1})",
            render_us / copy_us,
            text.chars().count(),
            render_us / encode_us,
        );
    }
}
