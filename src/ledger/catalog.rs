//! The catalog: categories, products, specifications and barcodes.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Result;
use crate::domain::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Specification {
    pub id: i64,
    pub name: String,
    pub price: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub category_id: i64,
    pub category_name: String,
    pub price: Money,
    pub barcode: Option<String>,
    pub pinyin_initials: String,
    pub specifications: Vec<Specification>,
    /// Kitchen station its lines print at (by category), if any.
    pub station: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub station: Option<String>,
}

/// A product as it arrives from the platform or the demo seed.
#[derive(Debug, Clone)]
pub struct SeedProduct {
    pub id: i64,
    pub name: String,
    pub category_id: i64,
    pub category_name: String,
    pub station: Option<String>,
    pub price: Money,
    pub barcode: Option<String>,
    pub specifications: Vec<(i64, String, Money, Option<String>)>,
}

/// Inserts or updates products (the catalog refresh and `storepos init` both use this).
pub fn upsert(tx: &Transaction<'_>, products: &[SeedProduct]) -> Result<usize> {
    let mut cat = tx.prepare_cached(
        "INSERT INTO categories (id, name, station) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, station = excluded.station",
    )?;
    let mut prod = tx.prepare_cached(
        "INSERT INTO products (id, name, category_id, price_fen, pinyin_initials) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, category_id = excluded.category_id,
           price_fen = excluded.price_fen, pinyin_initials = excluded.pinyin_initials, active = 1",
    )?;
    let mut spec = tx.prepare_cached(
        "INSERT INTO specifications (id, product_id, name, price_fen) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET product_id = excluded.product_id, name = excluded.name, price_fen = excluded.price_fen",
    )?;
    let mut code = tx.prepare_cached(
        "INSERT INTO barcodes (barcode, product_id, specification_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (barcode) DO UPDATE SET product_id = excluded.product_id, specification_id = excluded.specification_id",
    )?;
    for p in products {
        cat.execute(params![p.category_id, p.category_name, p.station])?;
        prod.execute(params![p.id, p.name, p.category_id, p.price.fen(), crate::domain::pinyin::initials(&p.name)])?;
        if let Some(b) = &p.barcode {
            code.execute(params![b, p.id, Option::<i64>::None])?;
        }
        for (sid, name, price, barcode) in &p.specifications {
            spec.execute(params![sid, p.id, name, price.fen()])?;
            if let Some(b) = barcode {
                code.execute(params![b, p.id, sid])?;
            }
        }
    }
    Ok(products.len())
}

const PRODUCT_SQL: &str = "SELECT p.id, p.name, p.category_id, c.name, p.price_fen,
        (SELECT barcode FROM barcodes b WHERE b.product_id = p.id AND b.specification_id IS NULL LIMIT 1),
        p.pinyin_initials, c.station
     FROM products p JOIN categories c ON c.id = p.category_id";

fn product_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: r.get(0)?,
        name: r.get(1)?,
        category_id: r.get(2)?,
        category_name: r.get(3)?,
        price: Money::from_fen(r.get(4)?),
        barcode: r.get(5)?,
        pinyin_initials: r.get(6)?,
        specifications: vec![],
        station: r.get(7)?,
    })
}

fn with_specs(conn: &Connection, mut p: Product) -> Result<Product> {
    let mut st =
        conn.prepare_cached("SELECT id, name, price_fen FROM specifications WHERE product_id = ?1 ORDER BY id")?;
    p.specifications = st
        .query_map([p.id], |r| Ok(Specification { id: r.get(0)?, name: r.get(1)?, price: Money::from_fen(r.get(2)?) }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(p)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Product>> {
    let p = conn
        .prepare_cached(&format!("{PRODUCT_SQL} WHERE p.id = ?1 AND p.active = 1"))?
        .query_row([id], product_row)
        .optional()?;
    p.map(|p| with_specs(conn, p)).transpose()
}

/// A scanned code: the product and, when the code belongs to one, its specification.
pub fn by_barcode(conn: &Connection, barcode: &str) -> Result<Option<(Product, Option<i64>)>> {
    let hit: Option<(i64, Option<i64>)> = conn
        .prepare_cached("SELECT product_id, specification_id FROM barcodes WHERE barcode = ?1")?
        .query_row([barcode], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match hit {
        Some((pid, sid)) => Ok(get(conn, pid)?.map(|p| (p, sid))),
        None => Ok(None),
    }
}

/// Name substring or pinyin-initials prefix ("nfsq" → 农夫山泉); a barcode matches exactly.
/// The first page of [`page`] (same ranking).
pub fn search(conn: &Connection, query: &str, limit: i64) -> Result<Vec<Product>> {
    if query.trim().is_empty() {
        return Ok(vec![]);
    }
    Ok(page(conn, query, None, 0, limit)?.items)
}

pub fn list(conn: &Connection, category_id: Option<i64>) -> Result<Vec<Product>> {
    let mut st = conn.prepare_cached(&format!(
        "{PRODUCT_SQL} WHERE p.active = 1 AND (?1 IS NULL OR p.category_id = ?1) ORDER BY p.category_id, p.id"
    ))?;
    let rows = st.query_map([category_id], product_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|p| with_specs(conn, p)).collect()
}

pub fn categories(conn: &Connection) -> Result<Vec<Category>> {
    let mut st = conn.prepare_cached("SELECT id, name, station FROM categories ORDER BY id")?;
    let rows = st.query_map([], |r| Ok(Category { id: r.get(0)?, name: r.get(1)?, station: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM products WHERE active = 1", [], |r| r.get(0))?)
}

/// One page of the grid or of a search.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ProductPage {
    pub items: Vec<Product>,
    /// How many match in all (a search counts at most [`SEARCH_COUNT_CAP`]).
    pub total: i64,
    pub has_more: bool,
}

/// A search never counts past this many hits (the screen shows "1000+").
pub const SEARCH_COUNT_CAP: i64 = 1000;

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The smallest string greater than every string starting with `prefix` (for index range scans).
fn prefix_end(prefix: &str) -> String {
    let mut s = prefix.to_string();
    s.push(char::MAX);
    s
}

/// The grid (no query) or a ranked search, both paged, optionally within one category.
///
/// Ranking: an exact barcode first, then pinyin-initials prefixes ("nfsq" → 农夫山泉), then
/// names containing the text (trigram FTS for 3+ characters, LIKE below that); ties by id.
pub fn page(conn: &Connection, query: &str, category_id: Option<i64>, offset: i64, limit: i64) -> Result<ProductPage> {
    let q = query.trim();
    let (ids, total) = if q.is_empty() {
        let total: i64 = conn
            .prepare_cached("SELECT count(*) FROM products WHERE active = 1 AND (?1 IS NULL OR category_id = ?1)")?
            .query_row([category_id], |r| r.get(0))?;
        let mut st = conn.prepare_cached(
            "SELECT id FROM products WHERE active = 1 AND (?1 IS NULL OR category_id = ?1) ORDER BY category_id, id LIMIT ?2 OFFSET ?3",
        )?;
        let ids = st
            .query_map(params![category_id, limit + 1, offset], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        (ids, total)
    } else {
        // Three tiers, each an index walk that stops at its LIMIT (no tier ever reads every
        // match of a one-letter query): exact barcode, pinyin-initials prefix (index order),
        // name contains (trigram FTS for 3+ characters, LIKE in id order below that).
        let lower = q.to_lowercase();
        let hi = prefix_end(&lower);
        let use_fts = q.chars().count() >= 3;
        let pattern = if use_fts { format!("\"{}\"", q.replace('"', "\"\"")) } else { format!("%{}%", like_escape(q)) };
        // (every tier names ?4, so one parameter list fits all three; `+p.active` keeps the
        // planner off the (active, category) index, which would walk every product)
        let filter = "+p.active = 1 AND (?2 IS NULL OR +p.category_id = ?2) AND ?4 IS NOT NULL";
        let tiers = [
            format!("SELECT p.id FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.barcode = ?1 AND {filter} LIMIT ?3"),
            format!("SELECT p.id FROM products p WHERE p.pinyin_initials >= ?1 AND p.pinyin_initials < ?4 AND {filter} ORDER BY p.pinyin_initials, p.id LIMIT ?3"),
            if use_fts {
                format!("SELECT p.id FROM products_fts f CROSS JOIN products p ON p.id = f.rowid WHERE products_fts MATCH ?1 AND {filter} ORDER BY f.rowid LIMIT ?3")
            } else {
                format!("SELECT p.id FROM products p WHERE p.name LIKE ?1 ESCAPE '\\' AND {filter} ORDER BY p.id LIMIT ?3")
            },
        ];
        let firsts = [q.to_string(), lower.clone(), pattern];
        let run = |want: i64| -> Result<Vec<i64>> {
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::new();
            for (sql, first) in tiers.iter().zip(&firsts) {
                let mut st = conn.prepare_cached(sql)?;
                let mut rows = st.query(params![first, category_id, want, hi])?;
                while let Some(r) = rows.next()? {
                    let id: i64 = r.get(0)?;
                    if seen.insert(id) {
                        out.push(id);
                    }
                }
                if out.len() as i64 >= want {
                    break;
                }
            }
            Ok(out)
        };
        let all = run(offset + limit + 1)?;
        let total =
            if (all.len() as i64) <= offset + limit { all.len() as i64 } else { run(SEARCH_COUNT_CAP)?.len() as i64 };
        (all.into_iter().skip(offset as usize).collect::<Vec<_>>(), total)
    };
    let has_more = ids.len() as i64 > limit;
    let mut items = Vec::with_capacity(ids.len().min(limit as usize));
    for id in ids.into_iter().take(limit as usize) {
        if let Some(p) = get(conn, id)? {
            items.push(p);
        }
    }
    Ok(ProductPage { items, total, has_more })
}

/// Seeds `n` synthetic products (ids from `first_id`) in one transaction: how benchmarks
/// and browser tests get a 100,000-SKU ledger in seconds. Names mix Chinese words and a code
/// (`CSP000123`), barcodes are `69` + 11 digits.
pub fn seed_synthetic(tx: &Transaction<'_>, first_id: i64, n: i64) -> Result<usize> {
    const BRANDS: &[&str] = &[
        "康师傅",
        "统一",
        "农夫",
        "旺旺",
        "伊利",
        "蒙牛",
        "达利园",
        "良品",
        "三只松鼠",
        "百草味",
        "洽洽",
        "卫龙",
        "徐福记",
        "雀巢",
        "立白",
        "蓝月亮",
    ];
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
        "洗衣液",
        "纸巾",
        "牙膏",
        "方便面",
        "果汁",
        "咖啡",
        "坚果",
        "蛋糕",
        "糖果",
    ];
    const SIZES: &[&str] = &["小包", "中包", "大包", "家庭装", "礼盒", "单支", "六连包", "散装"];
    const CATS: &[(i64, &str)] = &[
        (101, "休闲零食"),
        (102, "粮油调味"),
        (103, "酒水饮料"),
        (104, "个护清洁"),
        (105, "日配冷藏"),
        (106, "家居百货"),
        (107, "母婴用品"),
        (108, "冲调食品"),
    ];
    let mut cat = tx.prepare_cached("INSERT INTO categories (id, name) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING")?;
    for (id, name) in CATS {
        cat.execute(params![id, name])?;
    }
    let mut prod = tx.prepare_cached(
        "INSERT INTO products (id, name, category_id, price_fen, pinyin_initials) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, category_id = excluded.category_id,
           price_fen = excluded.price_fen, pinyin_initials = excluded.pinyin_initials, active = 1",
    )?;
    let mut code = tx.prepare_cached(
        "INSERT OR REPLACE INTO barcodes (barcode, product_id, specification_id) VALUES (?1, ?2, NULL)",
    )?;
    // The Chinese part repeats: its pinyin initials are worked out once per combination.
    let mut initials: std::collections::HashMap<(usize, usize, usize), String> = std::collections::HashMap::new();
    for k in 0..n {
        let id = first_id + k;
        let h = (id as u64).wrapping_mul(2_654_435_761);
        let parts = (
            (h % BRANDS.len() as u64) as usize,
            ((h >> 8) % ITEMS.len() as u64) as usize,
            ((h >> 16) % SIZES.len() as u64) as usize,
        );
        let words = format!("{}{}{}", BRANDS[parts.0], ITEMS[parts.1], SIZES[parts.2]);
        let py = initials.entry(parts).or_insert_with(|| crate::domain::pinyin::initials(&words));
        let name = format!("{words} CSP{k:06}");
        let pinyin = format!("{py}csp{k:06}");
        let (cid, _) = CATS[(k % CATS.len() as i64) as usize];
        prod.execute(params![id, name, cid, 100 + (h % 9900) as i64, pinyin])?;
        code.execute(params![synthetic_barcode(k), id])?;
    }
    Ok(n as usize)
}

/// The barcode [`seed_synthetic`] gives its `k`-th product.
pub fn synthetic_barcode(k: i64) -> String {
    format!("68{k:011}")
}

/// A product as the catalog sync applies it: the list row's fingerprint decides whether
/// anything is written at all.
#[derive(Debug, Clone)]
pub struct SyncRow {
    pub seed: SeedProduct,
    pub hash: i64,
    /// The product's specifications were fetched with it (`seed.specifications` is the whole truth).
    pub specs_known: bool,
}

/// Products with ids above `after`, at most `limit`, as id → (fingerprint, active, has
/// specifications): what the sync compares against (read in chunks, so no read holds the
/// ledger long).
pub fn sync_state(conn: &Connection, after: i64, limit: i64) -> Result<Vec<(i64, Option<i64>, bool, bool)>> {
    let mut st = conn.prepare_cached(
        "SELECT p.id, p.sync_hash, p.active, EXISTS (SELECT 1 FROM specifications s WHERE s.product_id = p.id)
         FROM products p WHERE p.id > ?1 ORDER BY p.id LIMIT ?2",
    )?;
    let rows = st.query_map([after, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Applies changed products: upsert, fingerprint, and which still need their specifications.
/// Specifications the platform no longer lists for a product whose detail was fetched are
/// dropped (their barcodes go with them); an order line keeps its own copy of name and price.
pub fn apply_sync(tx: &Transaction<'_>, rows: &[SyncRow]) -> Result<usize> {
    let seeds: Vec<SeedProduct> = rows.iter().map(|r| r.seed.clone()).collect();
    upsert(tx, &seeds)?;
    let mut mark = tx.prepare_cached("UPDATE products SET sync_hash = ?2, spec_due = ?3 WHERE id = ?1")?;
    let mut stale_codes = tx.prepare_cached("DELETE FROM barcodes WHERE product_id = ?1 AND specification_id IS NOT NULL AND specification_id NOT IN (SELECT value FROM json_each(?2))")?;
    let mut stale_specs = tx.prepare_cached(
        "DELETE FROM specifications WHERE product_id = ?1 AND id NOT IN (SELECT value FROM json_each(?2))",
    )?;
    for r in rows {
        mark.execute(params![r.seed.id, r.hash, !r.specs_known])?;
        if r.specs_known {
            let keep = serde_json::to_string(&r.seed.specifications.iter().map(|s| s.0).collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into());
            stale_codes.execute(params![r.seed.id, keep])?;
            // A specification an order line still names stays (foreign key); it is simply not offered.
            let _ = stale_specs.execute(params![r.seed.id, keep]);
        }
    }
    Ok(rows.len())
}

/// Products whose specifications must be fetched: new or changed ones not fetched yet
/// (at most `limit`), then every active product that has specifications (their prices refresh).
pub fn spec_due(conn: &Connection, limit: i64) -> Result<Vec<i64>> {
    let mut out: Vec<i64> = conn
        .prepare_cached("SELECT id FROM products WHERE spec_due = 1 AND active = 1 ORDER BY id LIMIT ?1")?
        .query_map([limit], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let with_specs: Vec<i64> = conn
        .prepare_cached("SELECT DISTINCT s.product_id FROM specifications s JOIN products p ON p.id = s.product_id WHERE p.active = 1 AND p.spec_due = 0 ORDER BY 1")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    out.extend(with_specs);
    Ok(out)
}

/// Products that left the platform: deactivated (kept for old orders), never deleted.
pub fn deactivate(tx: &Transaction<'_>, ids: &[i64]) -> Result<usize> {
    let mut st = tx.prepare_cached("UPDATE products SET active = 0, sync_hash = NULL WHERE id = ?1 AND active = 1")?;
    let mut n = 0;
    for id in ids {
        n += st.execute([id])?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Ledger;

    /// A few named products (the ranking cases below) among `n` synthetic ones.
    fn seeded(n: i64) -> Ledger {
        let named = |id: i64, name: &str| SeedProduct {
            id,
            name: name.to_string(),
            category_id: 1,
            category_name: "饮料".into(),
            station: None,
            price: crate::domain::Money::new(rust_decimal::Decimal::new(350, 2)).unwrap(),
            barcode: Some(format!("6900000000{id:03}")),
            specifications: vec![],
        };
        let seed: Vec<SeedProduct> = ["农夫山泉矿泉水", "可口可乐", "百事可乐", "零度可乐", "红烧牛肉面", "酸菜牛肉面"]
            .iter()
            .enumerate()
            .map(|(i, n)| named(i as i64 + 1, n))
            .collect();
        let mut l = Ledger::open_in_memory().unwrap();
        l.write(|tx| {
            upsert(tx, &seed)?;
            seed_synthetic(tx, 1_000_000, n)
        })
        .unwrap();
        l
    }

    #[test]
    fn catalog_page_ranks_barcode_then_pinyin_then_name() {
        let l = seeded(2_000);
        let c = l.read();
        // exact barcode
        let code = synthetic_barcode(1234);
        let p = page(c, &code, None, 0, 10).unwrap();
        assert_eq!(p.items[0].barcode.as_deref(), Some(code.as_str()));
        // the code in the name (trigram, case-insensitive)
        let p = page(c, "csp001234", None, 0, 10).unwrap();
        assert_eq!(p.items.len(), 1);
        assert!(p.items[0].name.ends_with("CSP001234"));
        // pinyin-initials prefix before a name that merely contains the text
        let p = page(c, "nfsq", None, 0, 5).unwrap();
        assert!(p.items[0].name.starts_with("农夫山泉"), "{:?}", p.items[0].name);
        // a CJK substring of two characters (LIKE) and of three (FTS)
        let p = page(c, "可乐", None, 0, 50).unwrap();
        assert!(p.items.iter().all(|x| x.name.contains("可乐")) && p.total >= 3);
        let p = page(c, "牛肉面", None, 0, 500).unwrap();
        assert!(p.items.iter().all(|x| x.name.contains("牛肉面")) && !p.items.is_empty());
        // paging
        let all = page(c, "", None, 0, 200).unwrap();
        assert_eq!(all.total, count(c).unwrap());
        assert!(all.has_more && all.items.len() == 200);
        let next = page(c, "", None, 200, 200).unwrap();
        assert!(next.items[0].id > all.items[199].id || next.items[0].category_id > all.items[199].category_id);
        let cat = page(c, "", Some(101), 0, 10).unwrap();
        assert!(cat.items.iter().all(|x| x.category_id == 101) && cat.total == 250);
        let p = get(c, 1_000_077).unwrap().unwrap();
        assert_eq!(p.pinyin_initials, crate::domain::pinyin::initials(&p.name));
        let none = page(c, "zzzzzzzz", None, 0, 10).unwrap();
        assert!(none.items.is_empty() && none.total == 0 && !none.has_more);
    }

    #[test]
    fn catalog_fts_follows_renames_and_deactivation() {
        let mut l = seeded(10);
        l.write(|tx| -> Result<()> {
            tx.execute("UPDATE products SET name = '特制桂花糕' WHERE id = 1000003", [])?;
            deactivate(tx, &[1000004])?;
            Ok(())
        })
        .unwrap();
        let c = l.read();
        assert_eq!(page(c, "桂花糕", None, 0, 10).unwrap().items[0].id, 1000003);
        assert!(page(c, "CSP000003", None, 0, 10).unwrap().items.is_empty());
        assert!(page(c, "CSP000004", None, 0, 10).unwrap().items.is_empty());
        assert!(get(c, 1000004).unwrap().is_none());
    }
}
