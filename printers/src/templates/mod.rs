//! Ticket templates: plain data in, [`Ticket`](crate::Ticket) out. The data
//! structs are this crate's own (no dependency on the main crate); money is
//! `rust_decimal::Decimal`, times are already-formatted local strings.

pub mod after_sales;
pub mod kitchen;
pub mod platform;
pub mod receipt;
pub mod z_report;

pub use after_sales::{after_sales_slip, AfterSalesLine, AfterSalesSlipData, ServiceType};
pub use kitchen::{kitchen_ticket, Channel, Flow, KitchenData, KitchenLine};
pub use platform::{parse_platform_order, ticket_from_platform_order, PlatformOrder, TicketKind};
pub use receipt::{receipt, ReceiptData, ReceiptDiscount, ReceiptLine};
pub use z_report::{z_report, CashCount, ZCountRow, ZReportData, ZSection};

/// Why a template could not produce a ticket.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The input JSON is not valid or lacks a required field / has a wrong type.
    #[error("order JSON not understood: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON is a platform failure envelope (`status_code` ≠ 0).
    #[error("platform answered status_code {code}: {message}")]
    PlatformError {
        /// `status_code`.
        code: i64,
        /// `message`.
        message: String,
    },
    /// A value is present but unusable (e.g. an empty order number).
    #[error("invalid order: {0}")]
    Invalid(String),
}

/// A `【重印】` style banner line (double size, centered, bold).
pub(crate) fn banner(t: crate::Ticket, text: &str) -> crate::Ticket {
    t.styled(format!("【{text}】"), crate::TextStyle::plain().center().bold().big())
}
