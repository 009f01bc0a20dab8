//! ESC/POS tickets for storepos: ticket model, layout (shared by preview and
//! paper), GB18030 encoding, byte renderer, an independent ESC/POS reader for
//! tests, ticket templates, printer drivers, the print-queue worker and a fake
//! network printer.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod driver;
pub mod encoding;
pub mod escpos_reader;
pub mod fake;
pub mod layout;
pub mod money;
pub mod profile;
pub mod queue;
pub mod render;
pub mod templates;
pub mod ticket;

pub use layout::{layout, preview};
pub use money::fmt_money;
pub use profile::{Paper, PrinterProfile, TextEncoding};
pub use render::{render, RenderError, Rendered};
pub use ticket::{Align, Block, TextStyle, Ticket};
