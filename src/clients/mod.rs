//! Layer 3: the platforms we talk to, as typed clients. No ledger writes, no engine: a
//! client turns a call into a request and an answer (or a failure) into a typed value.
//!
//! * [`platform`] — the platform's `/rest` API (seeds 000/002), the store's home.
//! * [`channels`] — the other channels that hold orders (the omnichannel center, seed
//!   004; a mall's `/api/orders`, seed 001) and their configuration.
//! * [`transport`] — what a failed HTTP exchange means, once for every client.

pub mod channels;
pub mod platform;
pub mod transport;
