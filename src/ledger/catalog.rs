//! The catalog: categories, products, specifications and barcodes.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::Result;
use crate::domain::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Specification {
    pub id: i64,
    pub name: String,
    pub price: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
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
    let mut st = conn.prepare_cached("SELECT id, name, price_fen FROM specifications WHERE product_id = ?1 ORDER BY id")?;
    p.specifications = st
        .query_map([p.id], |r| Ok(Specification { id: r.get(0)?, name: r.get(1)?, price: Money::from_fen(r.get(2)?) }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(p)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Product>> {
    let p = conn.prepare_cached(&format!("{PRODUCT_SQL} WHERE p.id = ?1 AND p.active = 1"))?.query_row([id], product_row).optional()?;
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
pub fn search(conn: &Connection, query: &str, limit: i64) -> Result<Vec<Product>> {
    let q = query.trim();
    if q.is_empty() {
        return Ok(vec![]);
    }
    if q.chars().all(|c| c.is_ascii_digit()) && q.len() >= 6 {
        if let Some((p, _)) = by_barcode(conn, q)? {
            return Ok(vec![p]);
        }
    }
    let like = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let prefix = format!("{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let mut st = conn.prepare_cached(&format!(
        "{PRODUCT_SQL} WHERE p.active = 1 AND (p.name LIKE ?1 ESCAPE '\\' OR p.pinyin_initials LIKE ?2 ESCAPE '\\')
         ORDER BY (p.pinyin_initials LIKE ?2 ESCAPE '\\') DESC, p.id LIMIT ?3"
    ))?;
    let rows = st.query_map(params![like, prefix, limit], product_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|p| with_specs(conn, p)).collect()
}

pub fn list(conn: &Connection, category_id: Option<i64>) -> Result<Vec<Product>> {
    let mut st = conn.prepare_cached(&format!("{PRODUCT_SQL} WHERE p.active = 1 AND (?1 IS NULL OR p.category_id = ?1) ORDER BY p.category_id, p.id"))?;
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
