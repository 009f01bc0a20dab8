//! Rendered bytes checked with the independent reader (and rqrr for QR).

use crate::fixtures::*;
use storepos_printers::escpos_reader::{decode, Decoded};
use storepos_printers::layout::{layout, LaidItem};
use storepos_printers::render::FEED_BEFORE_CUT;
use storepos_printers::templates::*;
use storepos_printers::{render, Paper, PrinterProfile, Ticket};

const PAPERS: [Paper; 2] = [Paper::W58, Paper::W80];

fn profile(paper: Paper) -> PrinterProfile {
    PrinterProfile { drawer: true, ..PrinterProfile::new("前台", paper) }
}

fn decoded(t: &Ticket, p: &PrinterProfile) -> Decoded {
    let r = render(t, p).expect("fixture tickets render");
    let d = decode(&r.bytes, p.paper);
    assert!(d.errors.is_empty(), "reader found problems at {:?}: {:?}", p.paper, d.errors);
    d
}

/// What the paper must show according to the layout (the preview's source).
fn expected_lines(t: &Ticket, paper: Paper) -> Vec<String> {
    let mut v = Vec::new();
    for item in layout(t, paper).items {
        match item {
            LaidItem::Line(l) => v.push(l.text),
            LaidItem::Cut => v.extend(std::iter::repeat_n(String::new(), FEED_BEFORE_CUT)),
            LaidItem::Qr(_) | LaidItem::DrawerKick => {}
        }
    }
    v
}

#[test]
fn receipt_text_reads_back_exactly_and_fits_both_papers() {
    for paper in PAPERS {
        let t = receipt(&receipt_data());
        let d = decoded(&t, &profile(paper));
        assert_eq!(d.texts(), expected_lines(&t, paper), "paper == layout at {paper:?}");
        let text = d.plain_text().replace('\n', "");
        for needle in
            ["宫保鸡丁盖浇饭（大份加蛋加肉丝）", "不要加辣椒", "少盐，多放香菜", "T1-0007", "￥90.40", "￥9.60", "现金"]
        {
            assert!(text.contains(needle), "{needle} on the {paper:?} receipt:\n{}", d.plain_text());
        }
        for l in &d.lines {
            assert!(l.columns <= paper.columns(), "{:?} is {} columns", l.text, l.columns);
        }
        assert_eq!(d.inits, 1, "one ESC @ at the start");
        assert_eq!(d.cuts, 1, "cutter profile gets one cut");
        assert_eq!(d.drawer_pulses, vec![(0, 25, 250)], "ESC p 0 25 250 exactly");
        let total = d.lines.iter().find(|l| l.text.starts_with("合计")).unwrap();
        assert!(total.bold && total.double_h && total.text.ends_with("￥90.40"));
        assert_eq!(total.columns, paper.columns(), "amount flush right");
    }
}

#[test]
fn drawer_pulse_bytes_are_exact() {
    let r = render(&receipt(&receipt_data()), &profile(Paper::W58)).unwrap();
    let pos = r.bytes.windows(5).position(|w| w == [0x1B, 0x70, 0x00, 0x19, 0xFA]);
    assert!(pos.is_some(), "1B 70 00 19 FA present");
    assert_eq!(r.bytes.windows(2).filter(|w| *w == [0x1B, 0x70]).count(), 1);
}

#[test]
fn no_cut_without_cutter_and_no_pulse_without_drawer() {
    let p = PrinterProfile { cutter: false, drawer: false, ..PrinterProfile::new("便携", Paper::W58) };
    let d = decoded(&receipt(&receipt_data()), &p);
    assert_eq!(d.cuts, 0);
    assert!(d.drawer_pulses.is_empty());
    let last: Vec<_> = d.texts().into_iter().rev().take(FEED_BEFORE_CUT).collect();
    assert!(last.iter().all(|t| t.is_empty()), "paper still fed past the tear bar");
    let no_drawer_flag = ReceiptData { open_drawer: false, ..receipt_data() };
    let d = decoded(&receipt(&no_drawer_flag), &profile(Paper::W58));
    assert!(d.drawer_pulses.is_empty(), "no kick unless the receipt asks (cash)");
}

#[test]
fn kitchen_ticket_styles_and_memo_survive() {
    for paper in PAPERS {
        let t = kitchen_ticket(&kitchen_data());
        let d = decoded(&t, &profile(paper));
        assert_eq!(d.texts(), expected_lines(&t, paper));
        let seq = d.lines.iter().find(|l| l.text == "0007").expect("sequence line");
        assert!(seq.double_w && seq.double_h && seq.bold);
        assert_eq!(seq.align, storepos_printers::Align::Center);
        let memo: String = d
            .lines
            .iter()
            .skip_while(|l| !l.text.starts_with("备注："))
            .take_while(|l| !l.text.starts_with('*'))
            .inspect(|l| assert!(l.bold && l.double_h, "memo is prominent: {l:?}"))
            .map(|l| l.text.clone())
            .collect();
        assert_eq!(memo, "备注：不要加辣椒，米饭多一点，餐具两份");
        let text = d.plain_text();
        assert!(text.contains("加　单") || d.texts().iter().any(|t| t.contains("加单")));
        assert!(d.texts().iter().any(|t| t.contains("重印")));
        assert_eq!(d.cuts, 1);
        assert!(d.drawer_pulses.is_empty(), "kitchen tickets never open the drawer");
    }
}

#[test]
fn raster_qr_decodes_to_the_exact_payload() {
    for paper in PAPERS {
        let d = decoded(&receipt(&pay_later_receipt()), &profile(paper));
        assert_eq!(d.raster_images.len(), 1);
        assert!(d.qr_payloads.is_empty(), "raster by default");
        let img = &d.raster_images[0];
        assert!(img.width_dots <= paper.dots() as usize);
        // The black modules' bounding box: ~200-260 dots with quiet zone, centered.
        let (mut minx, mut maxx) = (usize::MAX, 0);
        for y in 0..img.height {
            for x in 0..img.width_dots {
                if img.is_black(x, y) {
                    minx = minx.min(x);
                    maxx = maxx.max(x);
                }
            }
        }
        let symbol = maxx - minx + 1;
        let center = (minx + maxx) / 2;
        let mid = paper.dots() as usize / 2;
        assert!(center.abs_diff(mid) <= 8, "centered: {center} vs {mid}");
        assert!((150..=260).contains(&symbol), "symbol width {symbol}");
        assert!((200..=300).contains(&img.height), "height with quiet zone {}", img.height);
        let luma = img.to_luma();
        let mut prep = rqrr::PreparedImage::prepare_from_greyscale(img.width_dots, img.height, |x, y| {
            luma[y * img.width_dots + x]
        });
        let grids = prep.detect_grids();
        assert_eq!(grids.len(), 1, "one QR found at {paper:?}");
        let (_, content) = grids[0].decode().expect("QR decodes");
        assert_eq!(content, PAY_URL);
    }
}

#[test]
fn native_qr_is_model_2_level_m() {
    let p = PrinterProfile { native_qr: true, ..profile(Paper::W80) };
    let d = decoded(&receipt(&pay_later_receipt()), &p);
    assert!(d.raster_images.is_empty());
    assert_eq!(d.qr_payloads, vec![PAY_URL.to_string()]);
    let q = &d.native_qrs[0];
    assert_eq!((q.model, q.ec), (Some(0x32), Some(0x31)), "model 2, EC M");
    assert!(q.module_size.is_some_and(|m| (3..=16).contains(&m)));
}

#[test]
fn unprintable_characters_are_replaced_visibly_and_counted() {
    let t = Ticket::new().text("奶茶😀加冰€").text("坏\u{1b}@名\u{1d}V\u{0}").cut();
    let r = render(&t, &profile(Paper::W58)).unwrap();
    assert_eq!(r.replaced_chars, 5);
    let d = decode(&r.bytes, Paper::W58);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(&d.texts()[..2], ["奶茶?加冰?", "坏?@名?V?"]);
    assert_eq!(d.inits, 1, "an ESC inside a name must not become a command");
    assert_eq!(d.cuts, 1);
}

#[test]
fn hostile_inputs_never_panic_and_stay_within_paper() {
    let long_word = "W".repeat(100);
    let t = Ticket::new()
        .columns(&long_word, "￥1234567890123456789012345678.00")
        .columns("", "￥1.00")
        .columns("名", "")
        .styled("一".repeat(40), storepos_printers::TextStyle::plain().big().right())
        .text("\n\n")
        .separator_of('中')
        .qr("")
        .feed(0);
    for paper in PAPERS {
        decoded(&t, &profile(paper));
    }
    let huge = Ticket::new().qr("x".repeat(5000));
    assert!(render(&huge, &profile(Paper::W58)).is_err(), "too long for a QR: typed error");
}

#[test]
fn platform_order_json_prints_both_kinds() {
    let json = r#"{"status_code":0,"data":{"type":"ORDER","delivery_type":"SELF_PICK","order_number":"1807181114341472",
        "created_date":"2018-07-18 11:14:34","total_price":34.80,"payment_type":"WECHAT","remark":"不要加辣椒",
        "contact_user":"张三","phone":"18912345678","store_name":null,
        "order_items":[{"product_name":"测试1","quantity":3,"price":11.60,"final_price":34.80,"product_id":1}]}}"#;
    for paper in PAPERS {
        let r = ticket_from_platform_order(json, TicketKind::Receipt, paper).unwrap();
        let d = decoded(&r, &profile(paper));
        let text = d.plain_text();
        assert!(text.contains("￥34.80") && text.contains("3 x ￥11.60") && text.contains("微信支付"), "{text}");
        let k = ticket_from_platform_order(json, TicketKind::Kitchen, paper).unwrap();
        let d = decoded(&k, &profile(paper));
        let text = d.plain_text().replace('\n', "");
        assert!(text.contains("不要加辣椒") && text.contains("自提 / 预订") && text.contains("1472"), "{text}");
    }
}

/// Seed 003 kitchen flow from the bytes: the deliver flow reads `外送`, a void ticket reads
/// `退单` with the lines to stop, an addition reads `加单`.
#[test]
fn kitchen_void_addition_and_deliver_read_back_from_the_bytes() {
    for paper in PAPERS {
        let base = KitchenData { addition: false, reprint: false, void: false, ..kitchen_data() };
        let d = decoded(&kitchen_ticket(&base), &profile(paper));
        let text = d.plain_text();
        assert!(text.contains("出品单") && text.contains("外送"), "{text}");
        assert!(!text.contains("即做") && !text.contains("退单") && !text.contains("加单"), "{text}");

        // A counter sale is made here for the customer at the counter: 柜台, no 外送.
        let counter = KitchenData { channel: Channel::Counter, ..base.clone() };
        let text = decoded(&kitchen_ticket(&counter), &profile(paper)).plain_text();
        assert!(text.contains("柜台") && !text.contains("外送"), "{text}");

        let void = KitchenData { void: true, ..base.clone() };
        let d = decoded(&kitchen_ticket(&void), &profile(paper));
        let text = d.plain_text().replace('\u{3000}', "");
        assert!(text.contains("【热菜】退单"), "{text}");
        assert!(text.contains("【退单】"), "banner: {text}");
        assert!(text.contains("停止制作"), "{text}");
        assert!(text.contains("退 3 份"), "{text}");
        assert!(!text.contains("出品单"), "{text}");
        // The banner is big (double width and height) and bold.
        let banner = d.lines.iter().find(|l| l.text.replace('\u{3000}', "").contains("【退单】")).unwrap();
        assert!(banner.bold && banner.double_w && banner.double_h);

        let add = KitchenData { addition: true, ..base.clone() };
        let text = decoded(&kitchen_ticket(&add), &profile(paper)).plain_text().replace('\u{3000}', "");
        assert!(text.contains("【加单】") && text.contains("出品单"), "{text}");
    }
}

/// An online order's settlement receipt carries `结算单`; a store-only after-sales slip says
/// so and how the money went back.
#[test]
fn settlement_title_and_store_only_slip_read_back() {
    for paper in PAPERS {
        let r = ReceiptData { title: Some("结算单".into()), ..receipt_data() };
        let text = decoded(&receipt(&r), &profile(paper)).plain_text();
        assert!(text.contains("结算单"), "{text}");
        let plain = decoded(&receipt(&receipt_data()), &profile(paper)).plain_text();
        assert!(!plain.contains("结算单"));

        let s = AfterSalesSlipData {
            store_only: true,
            refund_way: Some("现金退款（柜台）".into()),
            service_number: None,
            ..after_sales_data()
        };
        let text = decoded(&after_sales_slip(&s), &profile(paper)).plain_text().replace('\u{3000}', "");
        assert!(text.contains("【门店自理】"), "{text}");
        assert!(text.contains("不提交平台"), "{text}");
        assert!(text.contains("退款方式：现金退款（柜台）"), "{text}");
        let s = AfterSalesSlipData { refund_way: Some("原路退回".into()), ..after_sales_data() };
        let text = decoded(&after_sales_slip(&s), &profile(paper)).plain_text();
        assert!(text.contains("退款方式：原路退回") && !text.contains("门店自理"), "{text}");
    }
}

#[test]
fn a_discounted_receipt_says_what_was_taken_off_and_what_was_due() {
    use rust_decimal_macros::dec;
    let d = ReceiptData {
        total: dec!(12.80),
        discount: Some(ReceiptDiscount { label: "抹零".into(), amount: dec!(0.80) }),
        paid: Some(dec!(20.00)),
        change: Some(dec!(8.00)),
        ..receipt_data()
    };
    for paper in PAPERS {
        let dec = decoded(&receipt(&d), &profile(paper));
        let texts = dec.texts();
        let row = |label: &str| {
            texts
                .iter()
                .find(|t| t.starts_with(label))
                .unwrap_or_else(|| panic!("{label} on paper: {texts:?}"))
                .to_string()
        };
        assert!(row("合计").ends_with("￥12.80"), "{texts:?}");
        assert!(row("抹零").ends_with("-￥0.80"), "{texts:?}");
        assert!(row("应收").ends_with("￥12.00"), "{texts:?}");
        let due = dec.lines.iter().find(|l| l.text.starts_with("应收")).unwrap();
        assert!(due.bold && due.double_h, "what the customer pays is the big line: {due:?}");
    }
    // Without a discount the receipt is as before: one big 合计, no 应收.
    let plain = decoded(&receipt(&receipt_data()), &profile(Paper::W80));
    assert!(!plain.texts().iter().any(|t| t.starts_with("应收")));
}
