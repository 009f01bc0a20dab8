//! The platform's central `/rest` API: its wire types and (with the sync work) the client.

pub mod types;
