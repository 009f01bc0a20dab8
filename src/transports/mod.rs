//! Layer 8: the ways in. Each is thin: it parses, authenticates where it must, and calls
//! the command table (the desktop shell in `src-tauri/` is the third transport).

pub mod background;
pub mod cli;
pub mod demo;
pub mod server;
