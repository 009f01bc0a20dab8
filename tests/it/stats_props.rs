//! Day statistics against a straightforward recomputation over the raw rows: random
//! orders (days, hours, statuses, channels, payment methods, lines) and after-sales are
//! written through the ledger's own insert functions, then every figure is checked.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use proptest::prelude::*;

use storepos::domain::after_sales::{Quote, ServiceType};
use storepos::domain::business_day::BusinessDayRule;
use storepos::domain::order::{order_total, Channel, Order, OrderLine, PaymentMethod, Status, SyncState};
use storepos::domain::stats::{is_sale, DayStats, NO_CASHIER, TOP_N};
use storepos::domain::Money;
use storepos::ledger::after_sales::{self, NewService};
use storepos::ledger::{orders, Ledger};

const DAYS: [&str; 3] = ["2026-03-01", "2026-03-02", "2026-03-08"];
const CATS: [&str; 3] = ["咖啡", "烘焙", "零食,散装"];

#[derive(Debug, Clone)]
struct GenOrder {
    day: usize,
    hour: u32,
    status: usize,
    channel: usize,
    payment: usize,
    left_store: bool,
    cashier: usize,
    lines: Vec<(i64, bool, i64, i64)>, // product, spec variant, qty, unit price fen
}

#[derive(Debug, Clone)]
struct GenService {
    day: usize,
    canceled: bool,
    refund: Option<i64>,
    supplement: Option<i64>,
}

fn gen_order() -> impl Strategy<Value = GenOrder> {
    (
        0..3usize,
        0..24u32,
        0..12usize,
        0..3usize,
        0..4usize,
        prop::bool::weighted(0.1),
        0..3usize,
        prop::collection::vec((1..14i64, any::<bool>(), 1..6i64, 1..5000i64), 1..4),
    )
        .prop_map(|(day, hour, status, channel, payment, left_store, cashier, lines)| GenOrder {
            day,
            hour,
            status,
            channel,
            payment,
            left_store,
            cashier,
            lines,
        })
}

fn gen_service() -> impl Strategy<Value = GenService> {
    (0..3usize, prop::bool::weighted(0.2), prop::option::of(1..10_000i64), prop::option::of(1..3_000i64))
        .prop_map(|(day, canceled, refund, supplement)| GenService { day, canceled, refund, supplement })
}

fn product_name(p: i64, spec: bool) -> String {
    if spec {
        format!("商品{p}(大杯)")
    } else {
        format!("商品{p}")
    }
}

fn build(g: &GenOrder, seq: usize) -> (Order, Vec<OrderLine>) {
    let lines: Vec<OrderLine> = g
        .lines
        .iter()
        .enumerate()
        .map(|(i, (p, spec, q, price))| {
            OrderLine::priced(
                i as i64 + 1,
                *p,
                None,
                product_name(*p, *spec),
                CATS[(*p as usize) % 3].to_string(),
                None,
                Money::from_fen(*price),
                *q,
                None,
            )
            .unwrap()
        })
        .collect();
    let channel = Channel::ALL[g.channel];
    let order = Order {
        id: 0,
        client_ref: format!("ref-{seq}"),
        local_number: format!("T1-{seq:04}"),
        till_code: "T1".into(),
        business_day: DAYS[g.day].into(),
        order_number: None,
        channel,
        order_type: channel.order_type(),
        status: Status::ALL[g.status],
        payment_method: [None, Some(PaymentMethod::Cash), Some(PaymentMethod::Wechat), Some(PaymentMethod::Online)]
            [g.payment],
        total: order_total(&lines),
        discount: Money::ZERO,
        discount_kind: None,
        due: order_total(&lines),
        paid: None,
        change: None,
        remark: String::new(),
        contact_user: String::new(),
        phone: String::new(),
        cashier: [None, Some("小王".to_string()), Some("小李".to_string())][g.cashier].clone(),
        created_at: "2026-03-01T00:00:00.000Z".into(),
        updated_at: "2026-03-01T00:00:00.000Z".into(),
        sync_state: SyncState::Pending,
        conflict: None,
        left_store: g.left_store,
        checked_in_at: None,
        allowed_actions: vec![],
        lines: None,
    };
    (order, lines)
}

fn insert_all(ledger: &mut Ledger, os: &[GenOrder], ss: &[GenService]) {
    ledger
        .write(|tx| -> Result<(), storepos::ledger::LedgerError> {
            for (i, g) in os.iter().enumerate() {
                let (o, lines) = build(g, i);
                let id = orders::insert(tx, &o, &lines, None, g.hour, i as i64 + 1)?;
                if g.left_store {
                    orders::set_left_store(tx, id)?;
                }
            }
            let user = storepos::ledger::users::insert(tx, "m", "店长", storepos::ledger::users::Role::Manager, "x")?;
            for (i, s) in ss.iter().enumerate() {
                let quote = Quote {
                    service_type: ServiceType::Return,
                    refund_fee: s.refund.map(Money::from_fen),
                    supplementary_fee: s.supplement.map(Money::from_fen),
                    returns: vec![],
                    exchanges: vec![],
                };
                let id = after_sales::insert(
                    tx,
                    &NewService {
                        client_ref: &format!("svc-{i}"),
                        order_id: None,
                        reason: "测试",
                        quote: &quote,
                        created_by: user,
                        created_at: "2026-03-01T00:00:00.000Z",
                        business_day: DAYS[s.day],
                    },
                )?;
                if s.canceled {
                    tx.execute("UPDATE after_sales SET status = 'CANCELED' WHERE id = ?1", [id])?;
                }
            }
            Ok(())
        })
        .unwrap();
}

/// The plain recomputation: loop over the generated rows of the day.
fn check_day(s: &DayStats, day: usize, os: &[GenOrder], ss: &[GenService]) {
    let of_day: Vec<(usize, &GenOrder)> = os.iter().enumerate().filter(|(_, o)| o.day == day).collect();
    let total = |o: &GenOrder| o.lines.iter().map(|l| l.2 * l.3).sum::<i64>();
    let sales: Vec<&GenOrder> =
        of_day.iter().map(|(_, o)| *o).filter(|o| is_sale(Status::ALL[o.status], o.left_store)).collect();
    let gross: i64 = sales.iter().map(|o| total(o)).sum();
    assert_eq!(s.gross.fen(), gross, "gross");
    assert_eq!(s.order_count, sales.len() as i64, "order_count");
    let live: Vec<&GenService> = ss.iter().filter(|x| x.day == day && !x.canceled).collect();
    let refunds: i64 = live.iter().filter_map(|x| x.refund).sum();
    let supplements: i64 = live.iter().filter_map(|x| x.supplement).sum();
    assert_eq!(s.refunds.fen(), refunds);
    assert_eq!(s.supplements.fen(), supplements);
    assert_eq!(s.net.fen(), gross - refunds + supplements);
    if sales.is_empty() {
        assert_eq!(s.average_ticket, Money::ZERO);
    } else {
        // Half away from zero to the fen, in integers.
        let n = sales.len() as i64;
        assert_eq!(s.average_ticket.fen(), (2 * gross + n) / (2 * n));
    }
    // Statuses (in store only), cancelled, rejected.
    for st in Status::ALL {
        let n = of_day.iter().filter(|(_, o)| !o.left_store && Status::ALL[o.status] == *st).count() as i64;
        assert_eq!(s.by_status[st.as_str()], n, "by_status {st:?}");
    }
    let canc: Vec<&GenOrder> = of_day
        .iter()
        .map(|(_, o)| *o)
        .filter(|o| !o.left_store && Status::ALL[o.status] == Status::ClosedCanceled)
        .collect();
    assert_eq!(s.cancelled.count, canc.len() as i64);
    assert_eq!(s.cancelled.amount.fen(), canc.iter().map(|o| total(o)).sum::<i64>());
    let rej: Vec<&GenOrder> = of_day.iter().map(|(_, o)| *o).filter(|o| o.left_store).collect();
    assert_eq!(s.rejected.count, rej.len() as i64);
    assert_eq!(s.rejected.amount.fen(), rej.iter().map(|o| total(o)).sum::<i64>());
    // Channels, payment methods, hours, cashiers.
    for (i, c) in Channel::ALL.iter().enumerate() {
        let v: Vec<&&GenOrder> = sales.iter().filter(|o| o.channel == i).collect();
        assert_eq!(s.by_channel[c.as_str()].count, v.len() as i64);
        assert_eq!(s.by_channel[c.as_str()].amount.fen(), v.iter().map(|o| total(o)).sum::<i64>());
    }
    let bucket = |o: &GenOrder| match (o.payment, o.channel) {
        (1, _) => "CASH",
        (2, _) => "WECHAT",
        (3, _) => "ONLINE",
        (_, 0) => "UNKNOWN",
        _ => "ONLINE",
    };
    for m in ["CASH", "WECHAT", "ONLINE", "UNKNOWN"] {
        let v: Vec<&&GenOrder> = sales.iter().filter(|o| bucket(o) == m).collect();
        let row = s.payment_mix.iter().find(|r| r.method == m);
        match row {
            Some(r) => {
                assert_eq!(r.count, v.len() as i64, "{m}");
                assert_eq!(r.amount.fen(), v.iter().map(|o| total(o)).sum::<i64>(), "{m}");
            }
            None => assert!(m == "UNKNOWN" && v.is_empty()),
        }
    }
    assert_eq!(s.by_hour.len(), 24);
    for h in 0..24u32 {
        let v: Vec<&&GenOrder> = sales.iter().filter(|o| o.hour == h).collect();
        assert_eq!(s.by_hour[h as usize].hour, h);
        assert_eq!(s.by_hour[h as usize].count, v.len() as i64);
        assert_eq!(s.by_hour[h as usize].amount.fen(), v.iter().map(|o| total(o)).sum::<i64>());
    }
    let mut cashiers: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for o in &sales {
        let name = ["", "小王", "小李"][o.cashier];
        let e = cashiers.entry(if name.is_empty() { NO_CASHIER.to_string() } else { name.to_string() }).or_default();
        e.0 += 1;
        e.1 += total(o);
    }
    assert_eq!(s.by_cashier.len(), cashiers.len());
    for c in &s.by_cashier {
        assert_eq!((c.count, c.amount.fen()), cashiers[&c.name], "cashier {}", c.name);
    }
    // Products and categories from the lines of sales.
    let mut prods: HashMap<i64, (String, i64, i64)> = HashMap::new();
    let mut cats: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for o in &sales {
        for (p, spec, q, price) in &o.lines {
            let name = product_name(*p, *spec);
            let e = prods.entry(*p).or_insert((name.clone(), 0, 0));
            if name < e.0 {
                e.0 = name;
            }
            e.1 += q;
            e.2 += q * price;
            let c = cats.entry(CATS[(*p as usize) % 3].to_string()).or_default();
            c.0 += q;
            c.1 += q * price;
        }
    }
    assert_eq!(s.by_category.len(), cats.len());
    for c in &s.by_category {
        assert_eq!((c.quantity, c.amount.fen()), cats[&c.name]);
    }
    let mut by_qty: Vec<(i64, String, i64, i64)> =
        prods.iter().map(|(id, (n, q, a))| (*id, n.clone(), *q, *a)).collect();
    by_qty.sort_by(|a, b| b.2.cmp(&a.2).then(b.3.cmp(&a.3)).then(a.0.cmp(&b.0)));
    by_qty.truncate(TOP_N);
    let got: Vec<(i64, String, i64, i64)> =
        s.top_products_qty.iter().map(|p| (p.product_id, p.name.clone(), p.quantity, p.amount.fen())).collect();
    assert_eq!(got, by_qty);
    let mut by_amt: Vec<(i64, String, i64, i64)> =
        prods.iter().map(|(id, (n, q, a))| (*id, n.clone(), *q, *a)).collect();
    by_amt.sort_by(|a, b| b.3.cmp(&a.3).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    by_amt.truncate(TOP_N);
    let got: Vec<(i64, String, i64, i64)> =
        s.top_products_amount.iter().map(|p| (p.product_id, p.name.clone(), p.quantity, p.amount.fen())).collect();
    assert_eq!(got, by_amt);

    // Sums of the parts equal the totals.
    let sum = |v: Vec<Money>| v.into_iter().sum::<Money>();
    assert_eq!(sum(s.by_category.iter().map(|c| c.amount).collect()), s.gross, "categories sum to gross");
    assert_eq!(sum(s.by_hour.iter().map(|c| c.amount).collect()), s.gross, "hours sum to gross");
    assert_eq!(sum(s.payment_mix.iter().map(|c| c.amount).collect()), s.gross, "payment mix sums to gross");
    assert_eq!(sum(s.by_channel.values().map(|c| c.amount).collect()), s.gross);
    assert_eq!(sum(s.by_cashier.iter().map(|c| c.amount).collect()), s.gross);
    assert_eq!(s.by_hour.iter().map(|h| h.count).sum::<i64>(), s.order_count);
    assert_eq!(s.payment_mix.iter().map(|h| h.count).sum::<i64>(), s.order_count);
    assert_eq!(s.by_channel.values().map(|h| h.count).sum::<i64>(), s.order_count);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_figure_matches_a_recomputation(os in prop::collection::vec(gen_order(), 0..60), ss in prop::collection::vec(gen_service(), 0..8)) {
        let mut ledger = Ledger::open_in_memory().unwrap();
        insert_all(&mut ledger, &os, &ss);
        for (d, day) in DAYS.iter().enumerate() {
            let s = storepos::services::stats::day_stats(ledger.read(), day).unwrap();
            prop_assert_eq!(&s.day, *day);
            check_day(&s, d, &os, &ss);
        }
        // The range view's per-day totals are the day view's, and they add up.
        let (rows, totals) = storepos::services::stats::range(ledger.read(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()).unwrap();
        prop_assert_eq!(rows.len(), 8);
        for r in &rows {
            let s = storepos::services::stats::day_stats(ledger.read(), &r.day).unwrap();
            prop_assert_eq!((r.gross, r.refunds, r.supplements, r.net, r.order_count, r.average_ticket), (s.gross, s.refunds, s.supplements, s.net, s.order_count, s.average_ticket));
            prop_assert_eq!((r.cancelled, r.rejected), (s.cancelled, s.rejected));
        }
        prop_assert_eq!(totals.gross, rows.iter().map(|r| r.gross).sum::<Money>());
        prop_assert_eq!(totals.net, rows.iter().map(|r| r.net).sum::<Money>());
        prop_assert_eq!(totals.order_count, rows.iter().map(|r| r.order_count).sum::<i64>());
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Inserts one CLOSED_CONFIRMED cash sale at instant `t` under `rule`, as the sale path does.
fn sale_at(ledger: &mut Ledger, rule: &BusinessDayRule, t: DateTime<Utc>, seq: usize, fen: i64) {
    let day = rule.day_of(t);
    let hour = t.with_timezone(&rule.tz).hour();
    let g = GenOrder {
        day: 0,
        hour,
        status: 8,
        channel: 0,
        payment: 1,
        left_store: false,
        cashier: 1,
        lines: vec![(1, false, 1, fen)],
    };
    let (mut o, lines) = build(&g, seq);
    assert_eq!(o.status, Status::ClosedConfirmed);
    o.business_day = day.to_string();
    o.created_at = storepos::ledger::time_text(t);
    ledger.write(|tx| orders::insert(tx, &o, &lines, None, hour, seq as i64 + 1)).unwrap();
}

#[test]
fn shanghai_midnight_edges() {
    let rule = BusinessDayRule::default();
    let mut l = Ledger::open_in_memory().unwrap();
    sale_at(&mut l, &rule, utc("2026-11-23T15:59:59Z"), 1, 1000); // 23:59:59 on the 23rd
    sale_at(&mut l, &rule, utc("2026-11-23T16:00:00Z"), 2, 2000); // 00:00:00 on the 24th
    let d23 = storepos::services::stats::day_stats(l.read(), "2026-11-23").unwrap();
    let d24 = storepos::services::stats::day_stats(l.read(), "2026-11-24").unwrap();
    assert_eq!((d23.gross.fen(), d23.by_hour[23].count), (1000, 1));
    assert_eq!((d24.gross.fen(), d24.by_hour[0].count), (2000, 1));
}

#[test]
fn cutoff_four_books_the_small_hours_to_the_day_before() {
    let rule = BusinessDayRule::new(chrono_tz::Asia::Shanghai, 4).unwrap();
    let mut l = Ledger::open_in_memory().unwrap();
    sale_at(&mut l, &rule, utc("2026-11-23T19:59:59Z"), 1, 111); // 03:59:59 on the 24th → the 23rd
    sale_at(&mut l, &rule, utc("2026-11-23T20:00:00Z"), 2, 222); // 04:00:00 on the 24th → the 24th
    sale_at(&mut l, &rule, utc("2026-11-23T16:00:00Z"), 3, 333); // 00:00:00 on the 24th → the 23rd
    let d23 = storepos::services::stats::day_stats(l.read(), "2026-11-23").unwrap();
    let d24 = storepos::services::stats::day_stats(l.read(), "2026-11-24").unwrap();
    assert_eq!(d23.gross.fen(), 444);
    assert_eq!(d23.order_count, 2);
    assert_eq!((d23.by_hour[3].amount.fen(), d23.by_hour[0].amount.fen()), (111, 333));
    assert_eq!(d24.gross.fen(), 222);
    assert_eq!(d24.by_hour[4].count, 1);
}

#[test]
fn a_day_without_sales_is_zeros_not_an_error() {
    let l = Ledger::open_in_memory().unwrap();
    let s = storepos::services::stats::day_stats(l.read(), "2030-01-01").unwrap();
    let j = serde_json::to_value(&s).unwrap();
    assert_eq!(j["gross"], "0.00");
    assert_eq!(j["net"], "0.00");
    assert_eq!(j["average_ticket"], "0.00");
    assert_eq!(j["order_count"], 0);
    assert_eq!(j["by_hour"].as_array().unwrap().len(), 24);
    assert_eq!(j["by_status"].as_object().unwrap().len(), 12);
    for k in [
        "day",
        "gross",
        "refunds",
        "supplements",
        "net",
        "order_count",
        "average_ticket",
        "by_status",
        "by_channel",
        "payment_mix",
        "by_hour",
        "top_products_qty",
        "top_products_amount",
        "by_category",
        "by_cashier",
        "cancelled",
        "rejected",
        "discounts",
    ] {
        assert!(j.get(k).is_some(), "{k} missing");
    }
    assert_eq!(
        j["discounts"],
        serde_json::json!({ "count": 0, "amount": "0.00" }),
        "no discounts on a day without sales"
    );
    assert_eq!(j.as_object().unwrap().len(), 18, "exactly the documented shape");
}

#[test]
fn day_aggregates_use_the_covering_index() {
    let l = Ledger::open_in_memory().unwrap();
    let plans = storepos::ledger::stats::day_plans(l.read()).unwrap();
    assert!(plans[0].contains("COVERING INDEX orders_day_stats"), "{}", plans[0]);
    assert!(plans[1].contains("orders_day_stats") && plans[1].contains("PRIMARY KEY"), "{}", plans[1]);
    assert!(!plans.iter().any(|p| p.contains("SCAN orders")), "{plans:?}");
}
