//! A large generated catalog on top of the demo one, for catalog-sync benchmarks and tests.
//!
//! `POST /sim/catalog/generate {"n":100000,"revision":1}` makes `GET /rest/product?all=true`
//! list the demo products plus `n` generated ones (ids from [`FIRST_ID`]); `{"n":0}` goes back
//! to the demo catalog alone. Each revision after the first changes the price of every 100th
//! product, the specification prices of the products that have some (every 5,000th), and
//! takes every 1,000th product off the platform — what an incremental sync must notice.
//! The generated catalog is a pure function of (n, revision): nothing is stored per product.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::context::Sim;
use crate::orders::Params;
use crate::routes::ok_data;

pub const FIRST_ID: u64 = 2_000_000;
const SPEC_FIRST_ID: u64 = 9_000_000;

#[derive(Debug, Clone, Copy, Default)]
struct Gen {
    n: u64,
    revision: u64,
}

/// Per simulator instance (tests run several in one process).
fn registry() -> &'static Mutex<HashMap<usize, Gen>> {
    static R: OnceLock<Mutex<HashMap<usize, Gen>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

fn key(sim: &Arc<Sim>) -> usize {
    Arc::as_ptr(sim) as usize
}

fn current(sim: &Arc<Sim>) -> Option<Gen> {
    registry().lock().unwrap_or_else(|e| e.into_inner()).get(&key(sim)).copied().filter(|g| g.n > 0)
}

const BRANDS: &[&str] =
    &["康师傅", "统一", "农夫", "旺旺", "伊利", "蒙牛", "达利园", "良品", "三只松鼠", "百草味", "洽洽", "卫龙"];
const ITEMS: &[&str] = &[
    "牛肉面",
    "酸奶",
    "饼干",
    "薯片",
    "瓜子",
    "辣条",
    "矿泉水",
    "绿茶",
    "面包",
    "火腿肠",
    "巧克力",
    "纸巾",
    "牙膏",
    "果汁",
];
const CATS: &[(u64, &str)] =
    &[(201, "休闲食品"), (202, "粮油副食"), (203, "饮料冲调"), (204, "日化用品"), (205, "冷藏冷冻"), (206, "家居用品")];

fn listed(g: Gen, i: u64) -> bool {
    i < g.n && !(g.revision >= 2 && i % 1000 == 999)
}

fn price_fen(g: Gen, i: u64) -> u64 {
    let h = i.wrapping_mul(2_654_435_761);
    100 + h % 9900 + if i.is_multiple_of(100) { 10 * g.revision.saturating_sub(1) } else { 0 }
}

fn fen(f: u64) -> String {
    format!("{}.{:02}", f / 100, f % 100)
}

fn name(i: u64) -> String {
    let h = i.wrapping_mul(2_654_435_761);
    format!(
        "{}{} GEN{:06}",
        BRANDS[(h % BRANDS.len() as u64) as usize],
        ITEMS[((h >> 8) % ITEMS.len() as u64) as usize],
        i
    )
}

fn row(out: &mut String, g: Gen, i: u64) {
    let (cid, cname) = CATS[(i % CATS.len() as u64) as usize];
    let p = fen(price_fen(g, i));
    let _ = write!(
        out,
        r#"{{"id":{},"name":"{n}","short_name":"{n}","category_id":{cid},"category_name":"{cname}","price":{p},"suggested_price":{p},"cost_price":{p},"barcode":"67{i:011}","bar_code":"67{i:011}","unit":"件","status":"ONSELL","stock_balance":9999,"created_date":"2024-01-01 09:00:00","last_modified_date":"2024-01-0{} 09:00:00"}}"#,
        FIRST_ID + i,
        g.revision.min(9),
        n = name(i),
    );
}

/// `POST /sim/catalog/generate {"n", "revision"?}`.
pub async fn generate(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let n = v.get("n").and_then(|x| x.as_u64()).unwrap_or(0).min(2_000_000);
    let revision = v.get("revision").and_then(|x| x.as_u64()).unwrap_or(1).max(1);
    registry().lock().unwrap_or_else(|e| e.into_inner()).insert(key(&sim), Gen { n, revision });
    ok_data(json!({ "n": n, "revision": revision }))
}

/// `GET /rest/product`: the demo catalog's handler unless a large catalog was generated.
pub async fn products(state: State<Arc<Sim>>, q: RawQuery) -> Response {
    let Some(g) = current(&state.0) else { return crate::routes::products(state, q).await };
    if Params::parse(q.0.as_deref()).get("all") != Some("true") {
        return crate::routes::products(state, q).await;
    }
    let mut out = String::with_capacity(g.n as usize * 420 + 64);
    out.push_str(r#"{"status_code":0,"data":["#);
    let mut first = true;
    for p in &state.0.catalog {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(
            &json!({"id": p.id, "name": p.name, "category_id": p.category_id, "category_name": p.category_name,
                    "price": crate::money::money(p.price), "barcode": p.barcode, "bar_code": p.barcode, "status": "ONSELL"})
            .to_string(),
        );
    }
    for i in 0..g.n {
        if listed(g, i) {
            if !first {
                out.push(',');
            }
            first = false;
            row(&mut out, g, i);
        }
    }
    out.push_str("]}");
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json;charset=UTF-8")], out).into_response()
}

/// `GET /rest/product/{id}`: generated products have details too (every 5,000th has two
/// specifications whose prices follow the revision).
pub async fn product(state: State<Arc<Sim>>, id: Path<String>, uri: Uri) -> Response {
    let gen_id = id.0.trim().parse::<u64>().ok().filter(|x| *x >= FIRST_ID).map(|x| x - FIRST_ID);
    match (current(&state.0), gen_id) {
        (Some(g), Some(i)) if listed(g, i) => {
            let mut s = String::new();
            row(&mut s, g, i);
            let mut v: serde_json::Value = serde_json::from_str(&s).unwrap_or_default();
            let specs: Vec<serde_json::Value> = if i % 5000 == 0 {
                (0..2u64)
                    .map(|k| {
                        let f = price_fen(g, i) + 100 * k + 10 * (g.revision - 1);
                        json!({"id": SPEC_FIRST_ID + 2 * i + k, "product_id": FIRST_ID + i, "name": if k == 0 { "标准装" } else { "加量装" },
                               "price": crate::money::money(rust_decimal::Decimal::new(f as i64, 2)), "stock_balance": 9999})
                    })
                    .collect()
            } else {
                vec![]
            };
            v["specifications"] = json!(specs);
            ok_data(v)
        }
        // A generated product taken off the platform answers as any unknown id does in
        // this mode (field: `product.is.null`).
        _ => crate::routes::product(state, id, uri).await,
    }
}
