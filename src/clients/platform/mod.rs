//! The platform's `/rest` API (seeds 000/002): its wire types and the typed client.

pub mod client;
pub mod envelope_stream;
pub mod types;
pub mod wire;
