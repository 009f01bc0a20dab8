//! Which outlets hear of what the till did: the one place that decides. Each function is
//! called inside the command's own transaction, so an outlet hears of exactly what the
//! ledger holds, and the engines are woken only after that transaction commits.
//!
//! * A counter sale: the platform creates it (its marker carries our `client_ref`); every
//!   enabled channel that mirrors sales (the omnichannel center) gets a report.
//! * A status move: an order that came from another channel is told to that channel only
//!   (the platform never had it); our own orders go to the platform and to each channel
//!   they were reported to.
//! * An after-sales service the platform takes: on its order's stream, after the order.
//! * A person's action on a channel's order: to that channel.

use super::{enqueue, Expect, Op};
use crate::clients::channels::configured;
use crate::domain::order::Order;
use crate::ledger::outbox::PLATFORM_CHANNEL;
use crate::ledger::{channels as mirrors, LedgerError};

/// A till sale was recorded. `via_lan`: the command came from a LAN device (a PAD).
pub fn sale_recorded(tx: &rusqlite::Transaction<'_>, order: &Order, via_lan: bool) -> Result<(), LedgerError> {
    enqueue(tx, PLATFORM_CHANNEL, &order.client_ref, &Op::Create)?;
    for ch in configured(tx).into_iter().filter(|c| c.enabled && c.dialect.mirrors_sales()) {
        enqueue(tx, &ch.id, &order.client_ref, &Op::Report { from_client: if via_lan { 6 } else { 5 } })?;
    }
    Ok(())
}

/// A local order moved by `action`; `expect` is our status spelling, or `LEFT_STORE` for
/// a reject.
pub fn order_moved(
    tx: &rusqlite::Transaction<'_>,
    order: &Order,
    action: &str,
    expect: &str,
) -> Result<(), LedgerError> {
    let to = Expect::parse(expect).ok_or_else(|| LedgerError::Constraint(format!("unknown status {expect:?}")))?;
    let status = Op::Status { action: action.to_string(), to };
    if let Some((channel, _)) = mirrors::origin_of(tx, &order.client_ref)? {
        enqueue(tx, &channel, &order.client_ref, &status)?;
        return Ok(());
    }
    enqueue(tx, PLATFORM_CHANNEL, &order.client_ref, &Op::Action { action: action.to_string(), expect: to })?;
    for ch in configured(tx).into_iter().filter(|c| c.dialect.mirrors_sales()) {
        if !mirrors::stream_rows(tx, &ch.id, &order.client_ref)?.is_empty() {
            enqueue(tx, &ch.id, &order.client_ref, &status)?;
        }
    }
    Ok(())
}

/// An after-sales service the platform takes (a store-only one is never routed). It
/// shares its order's stream, so the platform hears of the order before the service; a
/// walk-in service is its own stream.
pub fn service_recorded(
    tx: &rusqlite::Transaction<'_>,
    stream: &str,
    service_ref: &str,
    marker: &str,
    id: i64,
) -> Result<i64, LedgerError> {
    let op = Op::AfterSales { service: service_ref.to_string(), marker: Some(marker.to_string()), id: Some(id) };
    enqueue(tx, PLATFORM_CHANNEL, stream, &op)
}

/// A person's action on an order another channel holds.
pub fn channel_action(
    tx: &rusqlite::Transaction<'_>,
    channel: &str,
    remote_id: &str,
    action: serde_json::Value,
) -> Result<i64, LedgerError> {
    let op = Op::ChannelAction { remote_id: remote_id.to_string(), action };
    enqueue(tx, channel, &format!("remote:{remote_id}"), &op)
}
