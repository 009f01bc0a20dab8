//! The store-side state machine, as data.
//!
//! `TRANSITIONS` is the table under "店员更新订单状态" in seed 000 (DESIGN.md repeats it).
//! A user action is checked against it ([`apply_action`]); a status *learned from the
//! platform* goes through [`apply_platform_status`] instead, because the field server
//! jumps several steps at once (a counter `complete` walks through three statuses, a FLASH
//! `accept` may land on DELIVERED_CONFIRM_PENDING).

use serde::{Deserialize, Serialize};

use super::order::{Channel, Order, Status};
use super::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Complete,
    Cancel,
    Accept,
    Reject,
    Delivering,
}

impl Action {
    pub const ALL: [Action; 5] = [Action::Complete, Action::Cancel, Action::Accept, Action::Reject, Action::Delivering];

    /// The platform wants these lower-case (the field server refuses upper case).
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Complete => "complete",
            Action::Cancel => "cancel",
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::Delivering => "delivering",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Where an action leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    To(Status),
    /// FLASH reject: the platform clears the store; the order leaves our lists.
    LeavesStore,
}

use Channel::*;
use Status::*;

pub const TRANSITIONS: &[(Channel, Status, Action, Outcome)] = &[
    (Counter, CreatedPayPending, Action::Complete, Outcome::To(ClosedConfirmed)),
    (Counter, CreatedPayPending, Action::Cancel, Outcome::To(ClosedCanceled)),
    // Paid by WeChat before the cashier pressed complete: the platform shows it paid.
    (Counter, PaidConfirmPending, Action::Complete, Outcome::To(ClosedConfirmed)),
    (SelfPick, PaidConfirmPending, Action::Accept, Outcome::To(ConfirmedPickPending)),
    (SelfPick, ConfirmedPickPending, Action::Complete, Outcome::To(ClosedConfirmed)),
    (Flash, PaidConfirmPending, Action::Accept, Outcome::To(ConfirmedDeliverPending)),
    (Flash, PaidConfirmPending, Action::Reject, Outcome::LeavesStore),
    (Flash, ConfirmedDeliverPending, Action::Delivering, Outcome::To(Status::Delivering)),
    (Flash, Status::Delivering, Action::Complete, Outcome::To(ClosedConfirmed)),
    // The field server's auto-deliver lands an accepted FLASH order here; complete must still work.
    (Flash, DeliveredConfirmPending, Action::Complete, Outcome::To(ClosedConfirmed)),
];

pub fn apply_action(channel: Channel, status: Status, action: Action) -> Result<Outcome, DomainError> {
    TRANSITIONS
        .iter()
        .find(|(c, s, a, _)| *c == channel && *s == status && *a == action)
        .map(|t| t.3)
        .ok_or(DomainError::IllegalAction { channel, status, action })
}

/// Every transition the table has from this status, including the ones only a payment
/// takes (the engine and the payment commands use it).
pub fn allowed_actions(channel: Channel, status: Status) -> Vec<Action> {
    TRANSITIONS.iter().filter(|(c, s, _, _)| *c == channel && *s == status).map(|t| t.2).collect()
}

/// Whether a person may ask for `action` directly (an order button, `order_action_apply`,
/// `order_cancel`), as opposed to a transition that only taking the payment makes: a counter
/// sale is completed by `sale_cash_pay` or its WeChat payment, never by a button — offering
/// `complete` on an unpaid counter order drew a button the backend then refused.
pub fn person_may(channel: Channel, action: Action) -> bool {
    !(channel == Counter && action == Action::Complete)
}

/// The actions a person may ask for on an order in `status`: what the order screens draw,
/// and exactly what the commands accept from a person ([`apply_person_action`]).
pub fn person_actions(channel: Channel, status: Status) -> Vec<Action> {
    allowed_actions(channel, status).into_iter().filter(|a| person_may(channel, *a)).collect()
}

/// What a person may do to `order` — the buttons the screens draw and exactly what the
/// commands accept ([`person_actions`]), plus `checkin` for a SELF_PICK order waiting for
/// its customer and not yet checked in (the booking flow prints the kitchen ticket once;
/// `order_checkin` refuses a second check-in).
pub fn allowed_for(order: &Order) -> Vec<String> {
    if order.left_store {
        return vec![];
    }
    let mut v: Vec<String> =
        person_actions(order.channel, order.status).iter().map(|a| a.as_str().to_string()).collect();
    if order.channel == Channel::SelfPick
        && order.status == Status::ConfirmedPickPending
        && order.checked_in_at.is_none()
    {
        v.push("checkin".into());
    }
    v
}

/// [`apply_action`] for an action a person asked for: refused unless [`person_actions`] lists it.
pub fn apply_person_action(channel: Channel, status: Status, action: Action) -> Result<Outcome, DomainError> {
    if !person_may(channel, action) {
        return Err(DomainError::IllegalAction { channel, status, action });
    }
    apply_action(channel, status, action)
}

/// The forward path of each channel; a status's position on it measures progress.
fn path(channel: Channel) -> &'static [Status] {
    match channel {
        Counter => {
            &[CreatedPayPending, PaidConfirmPending, Status::Delivering, DeliveredConfirmPending, ClosedConfirmed]
        }
        SelfPick => &[PaidConfirmPending, ConfirmedPickPending, ClosedConfirmed],
        Flash => {
            &[PaidConfirmPending, ConfirmedDeliverPending, Status::Delivering, DeliveredConfirmPending, ClosedConfirmed]
        }
    }
}

/// How a status reported by the platform relates to what we hold locally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PlatformChange {
    /// Same status.
    Unchanged,
    /// Moved forward along the channel's path, possibly several steps at once.
    Forward,
    /// Left the path: cancelled, refunded, timed out, or a step backwards. The platform
    /// wins, but people must be told.
    Diverged,
}

/// The platform is the authority on status: its answer is always taken. This says how
/// surprising it was, so the sync engine can raise a conflict when it diverged.
pub fn apply_platform_status(channel: Channel, local: Status, platform: Status) -> PlatformChange {
    if local == platform {
        return PlatformChange::Unchanged;
    }
    let p = path(channel);
    match (p.iter().position(|s| *s == local), p.iter().position(|s| *s == platform)) {
        (Some(a), Some(b)) if b > a => PlatformChange::Forward,
        _ => PlatformChange::Diverged,
    }
}

/// Did the platform reach `expected` (or go past it on the same path)? An action is
/// confirmed only by reading the order back: the field server answers success even
/// when it silently skipped an illegal step.
pub fn reached(channel: Channel, expected: Status, actual: Status) -> bool {
    if expected == actual {
        return true;
    }
    let p = path(channel);
    matches!((p.iter().position(|s| *s == expected), p.iter().position(|s| *s == actual)), (Some(a), Some(b)) if b >= a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn any_status() -> impl Strategy<Value = Status> {
        proptest::sample::select(Status::ALL.to_vec())
    }
    fn any_channel() -> impl Strategy<Value = Channel> {
        proptest::sample::select(Channel::ALL.to_vec())
    }
    fn any_action() -> impl Strategy<Value = Action> {
        proptest::sample::select(Action::ALL.to_vec())
    }

    /// DESIGN's store-side table, row by row, and the steps it does not have.
    #[rstest]
    #[case::counter_paid(Counter, CreatedPayPending, Action::Complete, Ok(Outcome::To(ClosedConfirmed)))]
    #[case::counter_cancelled(Counter, CreatedPayPending, Action::Cancel, Ok(Outcome::To(ClosedCanceled)))]
    #[case::self_pick_accepted(SelfPick, PaidConfirmPending, Action::Accept, Ok(Outcome::To(ConfirmedPickPending)))]
    #[case::self_pick_picked_up(SelfPick, ConfirmedPickPending, Action::Complete, Ok(Outcome::To(ClosedConfirmed)))]
    #[case::flash_accepted(Flash, PaidConfirmPending, Action::Accept, Ok(Outcome::To(ConfirmedDeliverPending)))]
    #[case::flash_rejected_leaves(Flash, PaidConfirmPending, Action::Reject, Ok(Outcome::LeavesStore))]
    #[case::flash_out_for_delivery(
        Flash,
        ConfirmedDeliverPending,
        Action::Delivering,
        Ok(Outcome::To(Status::Delivering))
    )]
    #[case::flash_delivered(Flash, Status::Delivering, Action::Complete, Ok(Outcome::To(ClosedConfirmed)))]
    #[case::self_pick_cannot_be_rejected(SelfPick, PaidConfirmPending, Action::Reject, Err(()))]
    #[case::counter_cannot_be_accepted(Counter, CreatedPayPending, Action::Accept, Err(()))]
    #[case::no_cancel_after_complete(Counter, ClosedConfirmed, Action::Cancel, Err(()))]
    fn design_table_row(
        #[case] c: Channel,
        #[case] from: Status,
        #[case] a: Action,
        #[case] want: Result<Outcome, ()>,
    ) {
        assert_eq!(apply_action(c, from, a).map_err(|_| ()), want);
    }

    #[test]
    fn every_pair_is_exhaustively_checked() {
        // Every (channel, status, action): allowed exactly when the table has the row.
        let mut allowed = 0;
        for c in Channel::ALL {
            for s in Status::ALL {
                for a in Action::ALL {
                    let in_table = TRANSITIONS.iter().any(|t| t.0 == c && t.1 == *s && t.2 == a);
                    assert_eq!(apply_action(c, *s, a).is_ok(), in_table, "{c:?} {s:?} {a:?}");
                    assert_eq!(allowed_actions(c, *s).contains(&a), in_table);
                    allowed += in_table as usize;
                }
            }
        }
        assert_eq!(allowed, TRANSITIONS.len());
    }

    /// A status learned from the platform: forward (possibly several steps), or diverged.
    #[rstest]
    #[case::counter_complete_walks_three_steps(Counter, CreatedPayPending, ClosedConfirmed, PlatformChange::Forward)]
    #[case::flash_accept_may_land_delivered(
        Flash,
        PaidConfirmPending,
        DeliveredConfirmPending,
        PlatformChange::Forward
    )]
    #[case::completed_then_cancelled(Counter, ClosedConfirmed, ClosedCanceled, PlatformChange::Diverged)]
    #[case::delivering_back_to_paid(Flash, Status::Delivering, PaidConfirmPending, PlatformChange::Diverged)]
    fn platform_status(#[case] c: Channel, #[case] ours: Status, #[case] theirs: Status, #[case] want: PlatformChange) {
        assert_eq!(apply_platform_status(c, ours, theirs), want);
    }

    /// Has the order reached `expected` (what an action waits to read back)?
    #[rstest]
    #[case::same(Counter, ClosedConfirmed, ClosedConfirmed, true)]
    #[case::past_it_on_the_path(Flash, ConfirmedDeliverPending, DeliveredConfirmPending, true)]
    #[case::a_silently_skipped_complete(Counter, ClosedConfirmed, CreatedPayPending, false)]
    #[case::cancelled_is_not_completed(Counter, ClosedCanceled, ClosedConfirmed, false)]
    fn reached_rows(#[case] c: Channel, #[case] expected: Status, #[case] read: Status, #[case] want: bool) {
        assert_eq!(reached(c, expected, read), want);
    }

    proptest! {
        #[test]
        fn an_allowed_action_never_goes_backwards(c in any_channel(), s in any_status(), a in any_action()) {
            if let Ok(Outcome::To(next)) = apply_action(c, s, a) {
                prop_assert_ne!(apply_platform_status(c, s, next), PlatformChange::Unchanged);
                if next != ClosedCanceled {
                    prop_assert!(reached(c, s, next));
                }
            }
        }

        #[test]
        fn errors_name_the_refused_step(c in any_channel(), s in any_status(), a in any_action()) {
            match apply_action(c, s, a) {
                Err(DomainError::IllegalAction { channel, status, action }) => {
                    prop_assert_eq!((channel, status, action), (c, s, a));
                }
                Err(e) => prop_assert!(false, "unexpected {e:?}"),
                Ok(_) => {}
            }
        }
    }
}
