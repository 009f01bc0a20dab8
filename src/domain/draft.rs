//! A cart that is not an order yet: the one being built on a screen (its draft) or one
//! parked with a note (挂单). Neither goes to the platform; only checkout (`sale_create`)
//! makes an order. Prices here are what the screen showed; `sale_create` prices again
//! from the catalog.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::order::validate_quantity;
use super::{DomainError, Money};

/// One line of a cart as the cashier's screen holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct CartLineDraft {
    pub product_id: i64,
    #[serde(default)]
    pub specification_id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub spec_name: Option<String>,
    pub unit_price: Money,
    pub quantity: i64,
    #[serde(default)]
    pub memo: String,
}

/// A cart: its lines, the order remark and, for item 4 of issue 23, the customer
/// (member phone and name) and the invoice title the cashier entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct CartDraft {
    pub lines: Vec<CartLineDraft>,
    #[serde(default)]
    pub remark: String,
    #[serde(default)]
    pub member_phone: Option<String>,
    #[serde(default)]
    pub member_name: Option<String>,
    #[serde(default)]
    pub invoice_title: Option<String>,
}

/// The most lines a cart may hold (as an order: `commands::sales::MAX_LINES`).
pub const MAX_DRAFT_LINES: usize = 200;
/// The longest text of a draft (names, memos, remark, note), in characters.
pub const MAX_DRAFT_TEXT: usize = 200;

impl CartDraft {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
            && self.remark.trim().is_empty()
            && self.member_phone.as_deref().unwrap_or("").is_empty()
            && self.member_name.as_deref().unwrap_or("").is_empty()
            && self.invoice_title.as_deref().unwrap_or("").is_empty()
    }

    /// Shape checks only (counts, lengths, quantities); the catalog is checked at checkout.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.lines.len() > MAX_DRAFT_LINES {
            return Err(DomainError::Invalid(format!(
                "一单最多 {MAX_DRAFT_LINES} 行 / at most {MAX_DRAFT_LINES} lines"
            )));
        }
        let long = |s: &str| s.chars().count() > MAX_DRAFT_TEXT;
        for l in &self.lines {
            validate_quantity(l.quantity)?;
            if l.unit_price.is_negative() {
                return Err(DomainError::NegativeAmount(l.unit_price.to_string()));
            }
            if long(&l.name) || long(&l.memo) || l.spec_name.as_deref().is_some_and(long) {
                return Err(too_long());
            }
        }
        for s in [Some(self.remark.as_str()), self.member_name.as_deref(), self.invoice_title.as_deref()]
            .into_iter()
            .flatten()
        {
            if long(s) {
                return Err(too_long());
            }
        }
        Ok(())
    }

    /// What the screen showed as due: Σ unit price × quantity.
    pub fn total(&self) -> Money {
        self.lines.iter().map(|l| l.unit_price.times(l.quantity)).sum()
    }

    /// Pieces in the cart.
    pub fn items(&self) -> i64 {
        self.lines.iter().map(|l| l.quantity).sum()
    }

    /// The cart as recalled from 挂单: its note (挂单备注) is kept as the sale's remark,
    /// after any remark already typed ("；" between them), so it stays on the screen, the
    /// receipt and the order. A note the remark already holds is not repeated; the result
    /// is cut to [`MAX_DRAFT_TEXT`] characters.
    pub fn recalled_with_note(&self, note: &str) -> CartDraft {
        let note = note.trim();
        let mut c = self.clone();
        let remark = c.remark.trim();
        c.remark = if note.is_empty() || remark.contains(note) {
            remark.to_string()
        } else if remark.is_empty() {
            note.to_string()
        } else {
            format!("{remark}；{note}")
        };
        if c.remark.chars().count() > MAX_DRAFT_TEXT {
            c.remark = c.remark.chars().take(MAX_DRAFT_TEXT).collect();
        }
        c
    }
}

fn too_long() -> DomainError {
    DomainError::Invalid(format!("文字过长（最多 {MAX_DRAFT_TEXT} 字）/ text too long (max {MAX_DRAFT_TEXT})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: i64, price: i64) -> CartLineDraft {
        CartLineDraft {
            product_id: 1,
            specification_id: None,
            name: "拿铁".into(),
            spec_name: None,
            unit_price: Money::yuan(price),
            quantity: q,
            memo: String::new(),
        }
    }

    #[test]
    fn a_recalled_cart_keeps_its_note_as_the_remark() {
        let cart = CartDraft { lines: vec![line(1, 3)], ..CartDraft::default() };
        assert_eq!(cart.recalled_with_note(" 红衣服，去取钱 ").remark, "红衣服，去取钱");
        let typed = CartDraft { remark: "少冰".into(), ..cart.clone() };
        assert_eq!(typed.recalled_with_note("红衣服").remark, "少冰；红衣服");
        assert_eq!(typed.recalled_with_note("").remark, "少冰");
        assert_eq!(typed.recalled_with_note("少冰").remark, "少冰", "not repeated");
        let long = CartDraft { remark: "茶".repeat(MAX_DRAFT_TEXT), ..cart.clone() };
        assert_eq!(long.recalled_with_note("红衣服").remark.chars().count(), MAX_DRAFT_TEXT);
        assert_eq!(typed.recalled_with_note("红衣服").lines, typed.lines);
    }

    #[test]
    fn totals_and_limits() {
        let c = CartDraft { lines: vec![line(2, 12), line(1, 5)], ..Default::default() };
        assert_eq!(c.total(), Money::yuan(29));
        assert_eq!(c.items(), 3);
        assert!(c.validate().is_ok());
        assert!(CartDraft { lines: vec![line(0, 1)], ..Default::default() }.validate().is_err(), "0 is no quantity");
        assert!(CartDraft { lines: vec![line(100_000, 1)], ..Default::default() }.validate().is_err());
        assert!(CartDraft::default().is_empty());
        assert!(!CartDraft { remark: "x".into(), ..Default::default() }.is_empty());
    }
}
