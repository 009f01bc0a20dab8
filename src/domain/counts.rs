//! The platform's `order_count` figures, computed from local orders, in both meanings.
//!
//! Documented (seed 000): `total` is every order, `totalPrice` their sum, `delivering`
//! only DELIVERING. Field (observed server, DESIGN.md): `delivering` also counts
//! DELIVERED_CONFIRM_PENDING, `total` leaves out CREATED_PAY_PENDING,
//! DELIVERED_CONFIRM_PENDING and CLOSED_PAY_TIMEOUT, and `totalPrice` sums the same
//! orders `total` counts (it arrives as a float; we keep it exact).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::order::Status;
use super::Money;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrderCount {
    #[serde(rename = "totalPrice")]
    pub total_price: Money,
    pub total: i64,
    #[serde(rename = "handlePending")]
    pub handle_pending: i64,
    #[serde(rename = "pickPending")]
    pub pick_pending: i64,
    #[serde(rename = "deliverPending")]
    pub deliver_pending: i64,
    pub delivering: i64,
    pub closed: i64,
    /// Spelled as the platform spells it.
    pub cancled: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CountMeaning {
    Documented,
    Field,
}

pub fn in_total(meaning: CountMeaning, s: Status) -> bool {
    match meaning {
        CountMeaning::Documented => true,
        CountMeaning::Field => {
            !matches!(s, Status::CreatedPayPending | Status::DeliveredConfirmPending | Status::ClosedPayTimeout)
        }
    }
}

pub fn order_count(meaning: CountMeaning, orders: impl IntoIterator<Item = (Status, Money)>) -> OrderCount {
    let mut c = OrderCount::default();
    for (s, price) in orders {
        if in_total(meaning, s) {
            c.total += 1;
            c.total_price += price;
        }
        match s {
            Status::PaidConfirmPending => c.handle_pending += 1,
            Status::ConfirmedPickPending => c.pick_pending += 1,
            Status::ConfirmedDeliverPending => c.deliver_pending += 1,
            Status::Delivering => c.delivering += 1,
            Status::DeliveredConfirmPending if meaning == CountMeaning::Field => c.delivering += 1,
            Status::ClosedConfirmed => c.closed += 1,
            Status::ClosedCanceled => c.cancled += 1,
            _ => {}
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_two_meanings_differ_where_design_says() {
        let orders = [
            (Status::CreatedPayPending, Money::yuan(5)),
            (Status::Delivering, Money::yuan(7)),
            (Status::DeliveredConfirmPending, Money::yuan(9)),
            (Status::ClosedConfirmed, Money::yuan(11)),
            (Status::ClosedCanceled, Money::yuan(1)),
        ];
        let d = order_count(CountMeaning::Documented, orders);
        let f = order_count(CountMeaning::Field, orders);
        assert_eq!((d.total, d.delivering, d.total_price), (5, 1, Money::yuan(33)));
        assert_eq!((f.total, f.delivering, f.total_price), (3, 2, Money::yuan(19)));
        assert_eq!((d.closed, d.cancled), (1, 1));
    }

    proptest! {
        #[test]
        fn buckets_never_exceed_documented_total(idx in proptest::collection::vec(0usize..12, 0..60)) {
            let orders: Vec<_> = idx.iter().map(|i| (Status::ALL[*i], Money::yuan(1))).collect();
            let d = order_count(CountMeaning::Documented, orders.clone());
            let f = order_count(CountMeaning::Field, orders.clone());
            prop_assert_eq!(d.total as usize, orders.len());
            prop_assert!(d.handle_pending + d.pick_pending + d.deliver_pending + d.delivering + d.closed + d.cancled <= d.total);
            prop_assert!(f.total <= d.total);
            prop_assert!(f.delivering >= d.delivering);
        }
    }
}
