//! When a counter sale's kitchen ticket (出品单) prints (DESIGN.md, kitchen flow): a
//! counter sale is seed 003's *deliver* once it is paid — pay first, then make — so its
//! ticket prints on payment. A restaurant that cooks while the customer pays may turn on
//! the store setting `kitchen_print_on_order`; the ticket then prints when the sale is rung
//! up, and payment does not print it again (same ticket, same dedupe key). Nothing is made
//! for a sale that was never paid: cancelling an unpaid sale whose ticket never printed
//! sends no 退单 either.

/// The moment in a counter sale's life that may print its kitchen ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterMoment {
    /// `sale_create`: the sale is rung up, no money yet.
    Rung,
    /// Cash taken or WeChat confirmed by the platform.
    Paid,
}

/// Whether the kitchen ticket is due at `moment`. At `Paid` it is always due: when it
/// already printed on order, the queue's dedupe key keeps it from printing twice.
pub fn counter_ticket_due(moment: CounterMoment, print_on_order: bool) -> bool {
    match moment {
        CounterMoment::Rung => print_on_order,
        CounterMoment::Paid => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pay_first_then_make_unless_the_store_prints_on_order() {
        assert!(!counter_ticket_due(CounterMoment::Rung, false), "an unpaid sale makes nothing");
        assert!(counter_ticket_due(CounterMoment::Paid, false));
        assert!(counter_ticket_due(CounterMoment::Rung, true), "restaurants may cook on order");
        assert!(counter_ticket_due(CounterMoment::Paid, true), "deduped by key when printed on order");
    }
}
