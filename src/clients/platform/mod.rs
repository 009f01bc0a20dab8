//! The platform's central `/rest` API: its wire types and the typed client.

pub mod client;
pub mod envelope_stream;
pub mod types;
pub mod wire;
