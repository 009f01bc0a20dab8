//! DESIGN.md's transition tables, transcribed row by row as text and asserted against
//! `domain::transitions`. The rows below are copied from the document, not derived from
//! `TRANSITIONS`: if the code's table drifts from the document (a row lost, a target
//! changed, an action let through that the document does not list), one of these fails
//! and names the DESIGN row.

use storepos::domain::order::{Channel, OrderType, Status};
use storepos::domain::transitions::{
    allowed_actions, apply_action, apply_platform_status, reached, Action, Outcome, PlatformChange,
};

/// Where a DESIGN row leads: a status, or "store association cleared".
const LEAVES: &str = "store association cleared: the order leaves this store's lists";

/// "Store-side transitions" (DESIGN.md, under "店员更新订单状态"): order, from, action, to.
/// The order column is spelled as in the document.
const STORE_SIDE: &[(&str, &str, &str, &str)] = &[
    ("STORE_ORDER (counter, payment STORE, delivery SELF_PICK)", "CREATED_PAY_PENDING", "complete", "CLOSED_CONFIRMED"),
    ("STORE_ORDER", "CREATED_PAY_PENDING", "cancel", "CLOSED_CANCELED"),
    ("ORDER, SELF_PICK", "PAID_CONFIRM_PENDING", "accept", "CONFIRMED_PICK_PENDING"),
    ("ORDER, SELF_PICK", "CONFIRMED_PICK_PENDING", "complete", "CLOSED_CONFIRMED"),
    ("ORDER, FLASH", "PAID_CONFIRM_PENDING", "accept", "CONFIRMED_DELIVER_PENDING"),
    ("ORDER, FLASH", "PAID_CONFIRM_PENDING", "reject", LEAVES),
    ("ORDER, FLASH", "CONFIRMED_DELIVER_PENDING", "delivering", "DELIVERING"),
    ("ORDER, FLASH", "DELIVERING", "complete", "CLOSED_CONFIRMED"),
];

/// Said in words in the same table: "accept (reject not allowed)" for SELF_PICK.
const STORE_SIDE_REFUSED: &[(&str, &str, &str)] = &[("ORDER, SELF_PICK", "PAID_CONFIRM_PENDING", "reject")];

/// Rows the code has beyond DESIGN's table, each for a reason DESIGN gives elsewhere ("Where
/// the real server differs"). Listed here so a row added to the code without a reason fails.
const BEYOND_DESIGN: &[(&str, &str, &str, &str, &str)] = &[
    (
        "STORE_ORDER",
        "PAID_CONFIRM_PENDING",
        "complete",
        "CLOSED_CONFIRMED",
        "a counter order paid by WeChat shows PAID_CONFIRM_PENDING before the cashier completes it",
    ),
    (
        "ORDER, FLASH",
        "DELIVERED_CONFIRM_PENDING",
        "complete",
        "CLOSED_CONFIRMED",
        "field server: a FLASH accept may jump to DELIVERED_CONFIRM_PENDING; complete must still work",
    ),
];

/// "Where the real server differs", actions row: statuses the platform reports after our
/// action, several steps at once. (channel, status we held, status the platform answers, how
/// the sync engine must take it.)
const PLATFORM_SIDE: &[(&str, &str, &str, &str)] = &[
    // Counter `complete` walks PAID_CONFIRM_PENDING → DELIVERING → DELIVERED_CONFIRM_PENDING → CLOSED_CONFIRMED.
    ("STORE_ORDER", "CREATED_PAY_PENDING", "PAID_CONFIRM_PENDING", "forward"),
    ("STORE_ORDER", "CREATED_PAY_PENDING", "DELIVERING", "forward"),
    ("STORE_ORDER", "CREATED_PAY_PENDING", "DELIVERED_CONFIRM_PENDING", "forward"),
    ("STORE_ORDER", "CREATED_PAY_PENDING", "CLOSED_CONFIRMED", "forward"),
    ("STORE_ORDER", "PAID_CONFIRM_PENDING", "CLOSED_CONFIRMED", "forward"),
    // A FLASH `accept` may jump to DELIVERED_CONFIRM_PENDING.
    ("ORDER, FLASH", "PAID_CONFIRM_PENDING", "DELIVERED_CONFIRM_PENDING", "forward"),
    ("ORDER, FLASH", "CONFIRMED_DELIVER_PENDING", "DELIVERED_CONFIRM_PENDING", "forward"),
    // `cancel` after `complete` answers success and is skipped: the order stays closed.
    ("STORE_ORDER", "CLOSED_CONFIRMED", "CLOSED_CONFIRMED", "unchanged"),
    // After-sales end the order: a RETURN moves it to CANCELED_RETURN_PENDING, `otherway`
    // to CLOSED_REFUNDED. People must be told: off the forward path.
    ("ORDER, FLASH", "DELIVERING", "CANCELED_RETURN_PENDING", "diverged"),
    ("ORDER, FLASH", "DELIVERING", "CLOSED_REFUNDED", "diverged"),
    ("STORE_ORDER", "CLOSED_CONFIRMED", "CLOSED_REFUNDED", "diverged"),
    // A counter order the platform timed out or someone cancelled there.
    ("STORE_ORDER", "CREATED_PAY_PENDING", "CLOSED_PAY_TIMEOUT", "diverged"),
    ("STORE_ORDER", "CLOSED_CONFIRMED", "CLOSED_CANCELED", "diverged"),
];

/// An action confirmed by reading back: (channel, status the action expects, status read
/// back, confirmed?). From "only a read-back confirms" and the jumps above.
const READ_BACK: &[(&str, &str, &str, bool)] = &[
    ("STORE_ORDER", "CLOSED_CONFIRMED", "CLOSED_CONFIRMED", true),
    ("STORE_ORDER", "CLOSED_CONFIRMED", "CREATED_PAY_PENDING", false),
    ("ORDER, FLASH", "CONFIRMED_DELIVER_PENDING", "DELIVERED_CONFIRM_PENDING", true),
    ("ORDER, FLASH", "DELIVERING", "DELIVERED_CONFIRM_PENDING", true),
    ("ORDER, SELF_PICK", "CONFIRMED_PICK_PENDING", "PAID_CONFIRM_PENDING", false),
    ("STORE_ORDER", "CLOSED_CANCELED", "CLOSED_CONFIRMED", false),
];

/// The document's order column to our channel (and the platform's order type it implies).
fn channel(order: &str) -> Channel {
    let (ty, ch) = if order.starts_with("STORE_ORDER") {
        (OrderType::StoreOrder, Channel::Counter)
    } else if order == "ORDER, SELF_PICK" {
        (OrderType::Order, Channel::SelfPick)
    } else if order == "ORDER, FLASH" {
        (OrderType::Order, Channel::Flash)
    } else {
        panic!("unknown order column {order:?}")
    };
    assert_eq!(ch.order_type(), ty, "{order}: channel {ch:?} is the platform's {ty:?}");
    ch
}

fn status(s: &str) -> Status {
    Status::parse(s).unwrap_or_else(|| panic!("DESIGN names status {s:?}, which the code does not know"))
}

fn action(a: &str) -> Action {
    Action::parse(a).unwrap_or_else(|| panic!("DESIGN names action {a:?}, which the code does not know"))
}

fn outcome(to: &str) -> Outcome {
    if to == LEAVES {
        Outcome::LeavesStore
    } else {
        Outcome::To(status(to))
    }
}

#[test]
fn every_store_side_row_of_design_holds() {
    for (order, from, act, to) in STORE_SIDE {
        let row = format!("DESIGN row | {order} | {from} | {act} | {to} |");
        let got = apply_action(channel(order), status(from), action(act));
        assert_eq!(got, Ok(outcome(to)), "{row}");
        assert!(allowed_actions(channel(order), status(from)).contains(&action(act)), "{row}: not offered");
    }
    for (order, from, act) in STORE_SIDE_REFUSED {
        let got = apply_action(channel(order), status(from), action(act));
        assert!(got.is_err(), "DESIGN: {order} {from} {act} is not allowed, the code gives {got:?}");
    }
}

#[test]
fn actions_design_does_not_list_for_a_status_are_refused() {
    // For each (order, from) of the table, only the actions of its rows are allowed.
    for (order, from, _, _) in STORE_SIDE {
        // The document spells the first STORE_ORDER row out in full: compare channels.
        let listed: Vec<Action> =
            STORE_SIDE.iter().filter(|r| channel(r.0) == channel(order) && r.1 == *from).map(|r| action(r.2)).collect();
        for a in Action::ALL.into_iter().filter(|a| !listed.contains(a)) {
            let got = apply_action(channel(order), status(from), a);
            assert!(got.is_err(), "DESIGN lists no `{}` for {order} in {from}; the code gives {got:?}", a.as_str());
            assert!(!allowed_actions(channel(order), status(from)).contains(&a), "{order} {from} offers {a:?}");
        }
    }
}

#[test]
fn the_code_allows_nothing_beyond_design_and_its_documented_extensions() {
    let mut rows: Vec<(Channel, Status, Action, Outcome, &str)> =
        STORE_SIDE.iter().map(|(o, f, a, t)| (channel(o), status(f), action(a), outcome(t), "DESIGN table")).collect();
    rows.extend(BEYOND_DESIGN.iter().map(|(o, f, a, t, why)| (channel(o), status(f), action(a), outcome(t), *why)));
    for (c, s, a, want, why) in &rows {
        assert_eq!(apply_action(*c, *s, *a), Ok(*want), "{c:?} {s:?} {a:?} ({why})");
    }
    for c in Channel::ALL {
        for s in Status::ALL {
            for a in Action::ALL {
                if rows.iter().any(|r| r.0 == c && r.1 == *s && r.2 == a) {
                    continue;
                }
                let got = apply_action(c, *s, a);
                assert!(
                    got.is_err(),
                    "the code allows {} on {} {} -> {got:?}: neither DESIGN's table nor a documented extension",
                    a.as_str(),
                    c.as_str(),
                    s.as_str()
                );
            }
        }
    }
}

#[test]
fn platform_side_statuses_are_taken_as_design_says() {
    for (order, local, platform, want) in PLATFORM_SIDE {
        let want = match *want {
            "forward" => PlatformChange::Forward,
            "unchanged" => PlatformChange::Unchanged,
            "diverged" => PlatformChange::Diverged,
            w => panic!("{w}"),
        };
        assert_eq!(
            apply_platform_status(channel(order), status(local), status(platform)),
            want,
            "DESIGN (server): {order} held {local}, platform answers {platform}"
        );
    }
    for (order, expected, actual, confirmed) in READ_BACK {
        assert_eq!(
            reached(channel(order), status(expected), status(actual)),
            *confirmed,
            "DESIGN (read-back): {order} expected {expected}, read back {actual}"
        );
    }
}
