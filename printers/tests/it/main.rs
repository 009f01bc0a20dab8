//! Integration tests of storepos-printers, one binary (see STYLE.md §9).

mod fixtures;
mod golden;
mod queue;
mod render;
mod wrap;
