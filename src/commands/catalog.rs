//! Catalog look-ups for the cashier: by barcode, by name or pinyin initials, by category.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx};
use crate::command;
use crate::ledger::catalog::{self, Category, Product, ProductPage};

pub const COMMANDS: &[super::Command] = &[
    command!("catalog_category_list", Access::Any, categories),
    command!("catalog_product_list", Access::Any, products),
    command!("catalog_search", Access::Any, search),
    command!("catalog_page_get", Access::Any, page),
    command!("catalog_barcode_get", Access::Any, by_barcode),
];

fn categories(app: &App, _: &Ctx, _: super::session::Empty) -> Result<Vec<Category>, CommandError> {
    Ok(catalog::categories(app.ledger().read())?)
}

#[derive(Deserialize, TS)]
#[ts(optional_fields = nullable)]
pub struct ProductsRequest {
    #[serde(default)]
    pub category_id: Option<i64>,
}

fn products(app: &App, _: &Ctx, req: ProductsRequest) -> Result<Vec<Product>, CommandError> {
    Ok(catalog::list(app.ledger().read(), req.category_id)?)
}

#[derive(Deserialize, TS)]
#[ts(optional_fields = nullable)]
pub struct SearchRequest {
    pub query: String,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn search(app: &App, _: &Ctx, req: SearchRequest) -> Result<Vec<Product>, CommandError> {
    if req.query.chars().count() > 64 {
        return Err(CommandError::validation("搜索内容过长", "search text is too long"));
    }
    Ok(catalog::search(app.ledger().read(), &req.query, req.limit.unwrap_or(30).clamp(1, 200))?)
}

#[derive(Deserialize, TS)]
pub struct BarcodeRequest {
    pub barcode: String,
}

/// `catalog_barcode_get`: the product, and the specification when the code names one.
#[derive(Debug, Serialize, TS)]
pub struct BarcodeHit {
    pub product: Product,
    pub specification_id: Option<i64>,
}

fn by_barcode(app: &App, _: &Ctx, req: BarcodeRequest) -> Result<BarcodeHit, CommandError> {
    let code = req.barcode.trim();
    if code.is_empty() || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(CommandError::validation(
            format!("条码「{code}」格式不正确"),
            format!("barcode {code:?} is malformed"),
        ));
    }
    match catalog::by_barcode(app.ledger().read(), code)? {
        Some((product, specification_id)) => Ok(BarcodeHit { product, specification_id }),
        None => Err(CommandError::not_found(
            format!("未找到条码 {code} 对应的商品"),
            format!("no product with barcode {code}"),
        )),
    }
}

#[derive(Deserialize, TS)]
#[ts(optional_fields = nullable)]
pub struct PageRequest {
    /// Search text (barcode, pinyin initials, part of the name); empty: the grid.
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub q: String,
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub offset: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
}

/// The grid and the search box: one page, ranked, with the total to size the scroll area.
fn page(app: &App, _: &Ctx, req: PageRequest) -> Result<ProductPage, CommandError> {
    if req.q.chars().count() > 64 {
        return Err(CommandError::validation("搜索内容过长", "search text is too long"));
    }
    let offset = req.offset.unwrap_or(0);
    if !(0..=1_000_000).contains(&offset) {
        return Err(CommandError::validation("分页位置不正确", "offset out of range"));
    }
    Ok(catalog::page(app.ledger().read(), &req.q, req.category_id, offset, req.limit.unwrap_or(60).clamp(1, 200))?)
}
