//! The counter sale's kitchen ticket at the moment [`crate::domain::kitchen`] says it is
//! due: called by `sale_create` (rung up), `sale_cash_pay` and the WeChat confirmation
//! (paid), inside their transactions.

use rusqlite::Transaction;

use crate::domain::kitchen::{counter_ticket_due, CounterMoment};
use crate::domain::order::{Channel, Order};
use crate::ledger::{settings, LedgerError};
use crate::services::printing::{PrinterConfig, Router};

/// The store setting (a JSON bool, default false): print counter kitchen tickets when the
/// sale is rung up instead of when it is paid.
pub const PRINT_ON_ORDER: &str = "kitchen_print_on_order";

/// The store's choice; anything but `true` means "on payment".
pub fn print_on_order(conn: &rusqlite::Connection) -> Result<bool, LedgerError> {
    Ok(settings::get(conn, PRINT_ON_ORDER)?.and_then(|v| v.as_bool()).unwrap_or(false))
}

/// Queues the counter sale's kitchen tickets if they are due at `moment`. `order` must
/// carry its lines. Revision 1 on both moments: the same ticket, never printed twice.
pub fn counter_kitchen(
    tx: &Transaction<'_>,
    printers: &[PrinterConfig],
    order: &Order,
    moment: CounterMoment,
) -> Result<Vec<i64>, LedgerError> {
    if order.channel != Channel::Counter || !counter_ticket_due(moment, print_on_order(tx)?) {
        return Ok(Vec::new());
    }
    let lines = order.lines.clone().unwrap_or_default();
    Router { printers }.kitchen(tx, order, &lines, 1, false)
}
