//! Layer 5: everything that moves between the ledger and the platforms.
//!
//! * [`outbox`] — the engine every outlet shares: operations, the policy, the one step
//!   loop, routing (which outlets hear of what), the one worker loop.
//! * [`platform`] — the platform's outlet, pulls and rounds.
//! * [`channels`] — the other channels' outlet, pulls and rounds.
//! * [`arrivals`] — the one way an order from any platform lands on the clerk's board.
//! * [`catalog`] — the catalog refresh from the platform.

pub mod arrivals;
pub mod catalog;
pub mod channels;
pub mod outbox;
pub mod platform;
