//! One status change of an order as every command records it: the new status, its
//! journal row, the outlets that must hear of it, and the tickets it prints — all in the
//! caller's transaction.

use super::CommandError;
use crate::domain::order::{Channel, Order, Status, SyncState};
use crate::domain::transitions::Action;
use crate::ledger::{journal, orders};
use crate::services::printing::{self, Router};

pub struct Transition {
    pub to: Status,
    pub action: Action,
    pub detail: Option<String>,
}

/// One status change: new state, journal row, outbox row — all in the caller's transaction.
pub fn record_transition(
    tx: &rusqlite::Transaction<'_>,
    actor: &str,
    order: &Order,
    t: Transition,
) -> Result<(), CommandError> {
    orders::set_status(tx, order.id, t.to)?;
    journal::append(
        tx,
        journal::Entry {
            actor,
            entity: "order",
            entity_ref: &order.client_ref,
            action: t.action.as_str(),
            before: Some(order.status.as_str()),
            after: Some(t.to.as_str()),
            detail: t.detail,
        },
    )?;
    crate::engine::outbox::routing::order_moved(tx, order, t.action.as_str(), t.to.as_str())?;
    if order.sync_state == SyncState::Synced {
        orders::set_sync_state(tx, order.id, SyncState::Pending, None)?;
    }
    Ok(())
}

/// Tickets a status change prints (seed 003): a cancel after kitchen tickets went out
/// sends 退单 to every station that got one; completing an online order prints its
/// settlement receipt (结算单). Call in the transaction of the change.
pub fn transition_prints(
    tx: &rusqlite::Transaction<'_>,
    printers: &[printing::PrinterConfig],
    order: &Order,
    to: Status,
) -> Result<(), CommandError> {
    let router = Router { printers };
    match to {
        Status::ClosedCanceled | Status::ClosedPayTimeout => {
            router.kitchen_void(tx, order)?;
        }
        Status::ClosedConfirmed if order.channel != Channel::Counter => {
            let mut done = order.clone();
            done.status = to;
            router.settlement(tx, &done)?;
        }
        _ => {}
    }
    Ok(())
}

/// A rejected FLASH order has left the store: no person acts on it any more (`order_action_apply`
/// and `order_cancel` both refuse it in these words).
pub fn require_in_store(order: &Order) -> Result<(), CommandError> {
    if order.left_store {
        return Err(CommandError::new(
            super::ErrorCode::IllegalAction,
            "该订单已不属于本店",
            "this order has left the store",
        ));
    }
    Ok(())
}
