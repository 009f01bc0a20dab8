//! The outbox policy: what the engine knows of one operation and what it just observed
//! in, the next step out. One pure function, [`next`]; every request, read and write is
//! the engine's. The rules it encodes (DESIGN "Offline-first and exactly-once" and
//! "Where the real server differs"):
//!
//! * an operation whose last request may have landed (`unknown`) is looked up before it
//!   is ever sent again;
//! * a create's number is adopted only once reading it back finds our marker: a number
//!   that reaches another order (two creates in one millisecond share it) is recorded as
//!   a stray and the sale is created again under the next marker generation, a bounded
//!   number of times;
//! * `库存不足` on a create is ambiguous (a deadlock stores nothing, and so does real
//!   stock): look up, then retry with backoff, a bounded number of times;
//! * an action is sent only through a number that reaches our order, and is judged by
//!   reading the order back, never by the answer;
//! * an after-sales service the platform took (even with `order.refund.failure`, which
//!   stores it) is never sent again, only looked up;
//! * a refusal is a conflict with the platform's words; nothing is dropped silently.

use crate::domain::order::{Channel, Status};
use crate::domain::transitions::{apply_action, reached, Action};

use super::op::Expect;

/// Which kind of operation this is, with what judging it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Creating an order. `verify`: the platform's numbers may be shared (the platform
    /// `/rest/store`), so a number is adopted only after reading it back.
    Create { verify: bool },
    /// An action on an order the platform holds, judged by reading the order back.
    Action { channel: Channel, action: Action, expect: Expect },
    /// An after-sales service (its answer carries no number). `walk_in`: no order linked.
    Service { walk_in: bool },
}

/// What the engine knows of the operation (its typed outbox columns, kept current).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub family: Family,
    /// Requests sent so far.
    pub attempts: u32,
    /// A request left and its outcome is not known.
    pub unknown: bool,
    /// The platform took it (after-sales): only ever looked up.
    pub accepted: bool,
    pub generation: u32,
    /// Re-creations since a person last looked (bounded by `max_generations`).
    pub regens: u32,
    pub checks: u32,
    pub ambiguous: u32,
    /// A create whose checked number is already recorded locally.
    pub adopted: bool,
}

impl Known {
    pub fn new(family: Family) -> Known {
        Known {
            family,
            attempts: 0,
            unknown: false,
            accepted: false,
            generation: 0,
            regens: 0,
            checks: 0,
            ambiguous: 0,
            adopted: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests after which the operation is held for a person.
    pub max_attempts: u32,
    /// Read-backs finding an action not applied before it is held.
    pub max_checks: u32,
    /// Ambiguous answers (库存不足, a walk-in's 500) before it is held.
    pub max_ambiguous: u32,
    /// Marker generations a sale may use before it is held.
    pub max_generations: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_attempts: 60, max_checks: 5, max_ambiguous: 6, max_generations: 4 }
    }
}

/// Where an order read back by its number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Our order (it carries our marker), in this status.
    Ours(Status),
    /// The number reaches an order that is not ours.
    NotOurs,
    /// Not (or no longer) in this store.
    Gone,
}

/// What the engine just observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// Nothing yet: the operation was just picked up (or its generation just bumped).
    Start,
    /// A lookup by marker found it, under this number (or remote id).
    Found(String),
    /// A lookup positively went past where it would be: it is not there.
    Absent,
    /// A create answered with this number.
    Created(String),
    /// A number read back: whose order does it reach?
    Reaches { number: String, ours: bool },
    /// The platform took an after-sales service.
    Accepted,
    /// A business refusal, in the platform's words.
    Refused(String),
    /// `新建订单失败 - 库存不足`.
    StockError,
    /// 5xx: may have been applied.
    ServerError,
    /// Timeout, reset, garbage: may have been applied.
    Unknown,
    /// The request never reached the platform (connection refused, login failed).
    Unreached,
    /// A lookup or read-back failed: nothing learned.
    ReadFailed,
    /// An action's order read back; `sent`: this run sent the action; `refused`: the
    /// platform's words if it refused it.
    ReadBack { at: Reach, sent: bool, refused: Option<String> },
}

/// Why an operation is held for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldKind {
    /// The platform said no.
    Refused,
    /// `库存不足` again and again.
    Stock,
    /// The order's number reaches an order that is not ours.
    NotOurs,
    /// Too many marker generations: numbers keep colliding.
    Strays,
    /// Too many requests without an outcome.
    Attempts,
    /// An action the platform keeps not applying, or cannot apply from where it is.
    NotReached,
    /// The order is no longer in this store.
    Gone,
    /// The platform does not take walk-in returns (HTTP 500 each time).
    WalkIn,
    /// The platform took a service but it cannot be found.
    Lost,
}

impl HoldKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            HoldKind::Refused => "refused",
            HoldKind::Stock => "stock",
            HoldKind::NotOurs => "not_ours",
            HoldKind::Strays => "strays",
            HoldKind::Attempts => "attempts",
            HoldKind::NotReached => "not_reached",
            HoldKind::Gone => "gone",
            HoldKind::WalkIn => "walk_in",
            HoldKind::Lost => "lost",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    pub unknown: bool,
    pub checks: u32,
    pub ambiguous: u32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub kind: HoldKind,
    /// For people (Chinese first; the UI shows it).
    pub message: String,
    pub platform_message: Option<String>,
    /// The order as last read, for the local record.
    pub read: Option<Reach>,
}

/// The next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Look the operation up by its marker.
    LookUp,
    /// Send it (mark it `unknown` first).
    Send,
    /// Read this number back: does it reach our order?
    Verify(String),
    /// Record this number: done.
    Adopt(String),
    /// The number reaches another order: record it as a stray, bump the generation, and
    /// start over under the new marker.
    Recreate {
        stray: String,
    },
    /// Read the order back (actions).
    ReadBack,
    /// Record that the platform took it (after-sales), then look it up.
    Accept,
    /// Nothing more to do; for actions, the status read back.
    Done(Option<Status>),
    Retry(Retry),
    Hold(Hold),
}

fn hold(kind: HoldKind, message: impl Into<String>, platform_message: Option<String>, read: Option<Reach>) -> Step {
    Step::Hold(Hold { kind, message: message.into(), platform_message, read })
}

fn retry(k: &Known, unknown: bool, reason: impl Into<String>) -> Step {
    Step::Retry(Retry { unknown, checks: k.checks, ambiguous: k.ambiguous, reason: reason.into() })
}

/// The next step for an operation the engine knows as `k`, having just observed `o`.
pub fn next(k: &Known, o: &Observed, lim: &Limits) -> Step {
    let step = match k.family {
        Family::Create { verify } => create(k, o, lim, verify),
        Family::Action { channel, action, expect } => action_step(k, o, lim, channel, action, expect),
        Family::Service { walk_in } => service(k, o, lim, walk_in),
    };
    // However patient the rules, a row that keeps going out without an outcome is held
    // (a row that cannot reach the platform at all is not: being offline is normal).
    match step {
        Step::Retry(r) if k.attempts >= lim.max_attempts => {
            hold(HoldKind::Attempts, format!("多次同步仍无结果，已暂停：{}", r.reason), None, None)
        }
        s => s,
    }
}

fn create(k: &Known, o: &Observed, lim: &Limits, verify: bool) -> Step {
    let check = |n: &str| if verify { Step::Verify(n.to_string()) } else { Step::Adopt(n.to_string()) };
    match o {
        Observed::Start if k.adopted => Step::Done(None),
        Observed::Start if k.unknown => Step::LookUp,
        Observed::Start => Step::Send,
        Observed::Found(n) | Observed::Created(n) => check(n),
        Observed::Absent => Step::Send,
        Observed::Reaches { number, ours: true } => Step::Adopt(number.clone()),
        Observed::Reaches { number, ours: false } if k.regens + 1 < lim.max_generations => {
            Step::Recreate { stray: number.clone() }
        }
        Observed::Reaches { number, .. } => hold(
            HoldKind::Strays,
            format!(
                "平台订单号 {number} 指向别的订单，已重建 {} 次仍冲突：请每台收银机使用各自的平台账号",
                k.regens + 1
            ),
            None,
            None,
        ),
        Observed::Refused(m) => hold(HoldKind::Refused, "平台拒绝新建该订单", Some(m.clone()), None),
        Observed::StockError if k.ambiguous + 1 >= lim.max_ambiguous => hold(
            HoldKind::Stock,
            format!("平台连续 {} 次回答「库存不足」：可能确实缺货，请选择重试或仅保留在本地", k.ambiguous + 1),
            Some("新建订单失败 - 库存不足".into()),
            None,
        ),
        // A deadlock on the platform reads the same as real stock, and neither stored
        // anything; still look before sending again.
        Observed::StockError => Step::Retry(Retry {
            unknown: true,
            checks: k.checks,
            ambiguous: k.ambiguous + 1,
            reason: "新建订单失败 - 库存不足 (ambiguous)".into(),
        }),
        Observed::ServerError | Observed::Unknown => retry(k, true, "outcome unknown"),
        Observed::Unreached | Observed::ReadFailed => retry(k, k.unknown, "platform unreachable"),
        Observed::Accepted | Observed::ReadBack { .. } => retry(k, k.unknown, "unexpected answer to a create"),
    }
}

fn action_step(k: &Known, o: &Observed, lim: &Limits, channel: Channel, action: Action, expect: Expect) -> Step {
    match o {
        // Always read first: the number must reach our order before anything is sent
        // through it, and an earlier attempt may have landed.
        Observed::Start => Step::ReadBack,
        // The request may or may not have been applied, or was refused: the order says.
        Observed::Refused(_)
        | Observed::ServerError
        | Observed::Unknown
        | Observed::Created(_)
        | Observed::Accepted => Step::ReadBack,
        Observed::ReadBack { at: Reach::NotOurs, .. } => {
            hold(HoldKind::NotOurs, "该平台订单号指向别的订单：不通过它做任何操作", None, Some(Reach::NotOurs))
        }
        Observed::ReadBack { at: Reach::Gone, .. } if expect == Expect::LeftStore => Step::Done(None),
        Observed::ReadBack { at: Reach::Gone, refused, .. } => {
            hold(HoldKind::Gone, "订单已不在本店（平台查不到该订单）", refused.clone(), Some(Reach::Gone))
        }
        Observed::ReadBack { at: Reach::Ours(got), sent, refused } => {
            let at = Reach::Ours(*got);
            if let Expect::Status(want) = expect {
                if reached(channel, want, *got) {
                    return Step::Done(Some(*got));
                }
            }
            if apply_action(channel, *got, action).is_err() {
                return hold(
                    HoldKind::NotReached,
                    format!("平台上的订单状态为「{}」，无法执行「{}」", got.label_zh(), action.as_str()),
                    refused.clone(),
                    Some(at),
                );
            }
            if !sent {
                return Step::Send;
            }
            if let Some(m) = refused {
                return hold(HoldKind::Refused, format!("平台拒绝「{}」", action.as_str()), Some(m.clone()), Some(at));
            }
            if k.checks + 1 >= lim.max_checks {
                return hold(
                    HoldKind::NotReached,
                    format!("平台多次未执行「{}」（仍为「{}」）", action.as_str(), got.label_zh()),
                    None,
                    Some(at),
                );
            }
            Step::Retry(Retry {
                unknown: false,
                checks: k.checks + 1,
                ambiguous: k.ambiguous,
                reason: format!("not applied yet: platform still {}", got.as_str()),
            })
        }
        Observed::Unreached | Observed::ReadFailed => retry(k, false, "platform unreachable"),
        Observed::Found(_) | Observed::Absent | Observed::Reaches { .. } | Observed::StockError => {
            retry(k, false, "unexpected answer to an action")
        }
    }
}

fn service(k: &Known, o: &Observed, lim: &Limits, walk_in: bool) -> Step {
    match o {
        Observed::Start if k.accepted || k.unknown => Step::LookUp,
        Observed::Start => Step::Send,
        Observed::Found(n) => Step::Adopt(n.clone()),
        Observed::Absent if k.accepted && k.checks + 1 >= lim.max_checks.max(1) * 4 => {
            hold(HoldKind::Lost, "平台已受理该售后单，但查不到它的单号", None, None)
        }
        Observed::Absent if k.accepted => Step::Retry(Retry {
            unknown: false,
            checks: k.checks + 1,
            ambiguous: k.ambiguous,
            reason: "accepted by the platform; its number is not listed yet".into(),
        }),
        Observed::Absent => Step::Send,
        Observed::Accepted => Step::Accept,
        Observed::Refused(m) => hold(HoldKind::Refused, "平台拒绝该售后单", Some(m.clone()), None),
        // The field server answers every walk-in return (no order) with a 500 page.
        Observed::ServerError if walk_in && k.ambiguous + 1 >= 2 => {
            hold(HoldKind::WalkIn, "平台不受理无订单的退货（HTTP 500）：请按门店自理处理", None, None)
        }
        Observed::ServerError if walk_in => Step::Retry(Retry {
            unknown: true,
            checks: k.checks,
            ambiguous: k.ambiguous + 1,
            reason: "walk-in return answered 500".into(),
        }),
        Observed::ServerError | Observed::Unknown => retry(k, true, "outcome unknown"),
        Observed::StockError => {
            hold(HoldKind::Refused, "平台拒绝该售后单", Some("新建订单失败 - 库存不足".into()), None)
        }
        Observed::Unreached | Observed::ReadFailed => retry(k, k.unknown, "platform unreachable"),
        Observed::Created(n) | Observed::Reaches { number: n, .. } => Step::Adopt(n.clone()),
        Observed::ReadBack { .. } => retry(k, k.unknown, "unexpected answer to a service"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const L: Limits = Limits { max_attempts: 60, max_checks: 5, max_ambiguous: 6, max_generations: 4 };

    fn create(verify: bool) -> Known {
        Known::new(Family::Create { verify })
    }

    fn n() -> String {
        "2611241813167052".to_string()
    }
    fn fresh() -> Known {
        create(true)
    }
    /// Sent once, outcome unknown.
    fn unknown() -> Known {
        Known { unknown: true, attempts: 1, ..fresh() }
    }
    fn retry(unknown: bool, ambiguous: u32, reason: &str) -> Step {
        Step::Retry(Retry { unknown, checks: 0, ambiguous, reason: reason.into() })
    }

    /// The create policy, one row per case: what is known, what was just observed, the step.
    #[rstest]
    #[case::fresh_is_sent(fresh(), Observed::Start, Step::Send)]
    #[case::adopted_is_done(Known { adopted: true, ..fresh() }, Observed::Start, Step::Done(None))]
    #[case::unknown_is_looked_up_first(unknown(), Observed::Start, Step::LookUp)]
    #[case::looked_up_absent_is_sent(unknown(), Observed::Absent, Step::Send)]
    #[case::found_is_verified(unknown(), Observed::Found(n()), Step::Verify(n()))]
    #[case::created_is_verified(fresh(), Observed::Created(n()), Step::Verify(n()))]
    #[case::created_unverified_channel_adopts(create(false), Observed::Created(n()), Step::Adopt(n()))]
    #[case::found_unverified_channel_adopts(create(false), Observed::Found(n()), Step::Adopt(n()))]
    #[case::number_reaching_ours_is_adopted(fresh(), Observed::Reaches { number: n(), ours: true }, Step::Adopt(n()))]
    #[case::number_reaching_another_recreates(fresh(), Observed::Reaches { number: n(), ours: false }, Step::Recreate { stray: n() })]
    #[case::a_person_retried_so_the_bound_starts_over(Known { generation: 3, regens: 0, ..fresh() }, Observed::Reaches { number: n(), ours: false }, Step::Recreate { stray: n() })]
    #[case::server_error_is_unknown(fresh(), Observed::ServerError, retry(true, 0, "outcome unknown"))]
    #[case::lost_answer_is_unknown(fresh(), Observed::Unknown, retry(true, 0, "outcome unknown"))]
    #[case::unreached_sent_nothing(fresh(), Observed::Unreached, retry(false, 0, "platform unreachable"))]
    #[case::offline_forever_never_counts(Known { attempts: 0, ..fresh() }, Observed::Unreached, retry(false, 0, "platform unreachable"))]
    #[case::failed_lookup_stays_unknown(unknown(), Observed::ReadFailed, retry(true, 0, "platform unreachable"))]
    #[case::stock_error_is_ambiguous(
        fresh(),
        Observed::StockError,
        retry(true, 1, "新建订单失败 - 库存不足 (ambiguous)")
    )]
    fn create_step(#[case] k: Known, #[case] o: Observed, #[case] want: Step) {
        assert_eq!(next(&k, &o, &L), want);
    }

    /// When a create is held for a person, and why.
    #[rstest]
    #[case::too_many_strays(Known { generation: 3, regens: 3, ..fresh() }, Observed::Reaches { number: n(), ours: false }, HoldKind::Strays)]
    #[case::stock_error_too_often(Known { ambiguous: 5, unknown: true, attempts: 5, ..fresh() }, Observed::StockError, HoldKind::Stock)]
    #[case::refused(fresh(), Observed::Refused("新建订单失败 - 没有该产品".into()), HoldKind::Refused)]
    #[case::worn_out(Known { attempts: 60, unknown: true, ..fresh() }, Observed::Unknown, HoldKind::Attempts)]
    fn create_hold(#[case] k: Known, #[case] o: Observed, #[case] kind: HoldKind) {
        assert!(matches!(next(&k, &o, &L), Step::Hold(h) if h.kind == kind), "{:?}", next(&k, &o, &L));
    }

    /// Every row of DESIGN's store-side transition table, read back before and after
    /// sending, written from the table in DESIGN (not from `TRANSITIONS`).
    #[test]
    fn action_table_follows_design_rows() {
        use Status::*;
        let rows: &[(Channel, Status, Action, Expect)] = &[
            (Channel::Counter, CreatedPayPending, Action::Complete, Expect::Status(ClosedConfirmed)),
            (Channel::Counter, CreatedPayPending, Action::Cancel, Expect::Status(ClosedCanceled)),
            (Channel::SelfPick, PaidConfirmPending, Action::Accept, Expect::Status(ConfirmedPickPending)),
            (Channel::SelfPick, ConfirmedPickPending, Action::Complete, Expect::Status(ClosedConfirmed)),
            (Channel::Flash, PaidConfirmPending, Action::Accept, Expect::Status(ConfirmedDeliverPending)),
            (Channel::Flash, PaidConfirmPending, Action::Reject, Expect::LeftStore),
            (Channel::Flash, ConfirmedDeliverPending, Action::Delivering, Expect::Status(Delivering)),
            (Channel::Flash, Delivering, Action::Complete, Expect::Status(ClosedConfirmed)),
        ];
        for &(channel, from, action, expect) in rows {
            let k = Known::new(Family::Action { channel, action, expect });
            assert_eq!(next(&k, &Observed::Start, &L), Step::ReadBack, "{channel:?} {from:?} {action:?}");
            // Still at `from` before sending: send.
            assert_eq!(
                next(&k, &Observed::ReadBack { at: Reach::Ours(from), sent: false, refused: None }, &L),
                Step::Send
            );
            // Sent, and the platform shows the target: done.
            let after = match expect {
                Expect::Status(to) => Reach::Ours(to),
                Expect::LeftStore => Reach::Gone,
            };
            let done = next(&k, &Observed::ReadBack { at: after, sent: true, refused: None }, &L);
            assert!(matches!(done, Step::Done(_)), "{channel:?} {from:?} {action:?}: {done:?}");
            // Sent, answered 更新订单成功！, still at `from` (a lying PUT): retry, then hold.
            let lied = next(&k, &Observed::ReadBack { at: Reach::Ours(from), sent: true, refused: None }, &L);
            assert!(matches!(lied, Step::Retry(Retry { checks: 1, .. })), "{lied:?}");
            let tired = Known { checks: 4, ..k };
            assert!(matches!(
                next(&tired, &Observed::ReadBack { at: Reach::Ours(from), sent: true, refused: None }, &L),
                Step::Hold(Hold { kind: HoldKind::NotReached, .. })
            ));
            // The number reaches someone else's order: never sent through, held.
            assert!(matches!(
                next(&k, &Observed::ReadBack { at: Reach::NotOurs, sent: false, refused: None }, &L),
                Step::Hold(Hold { kind: HoldKind::NotOurs, .. })
            ));
            // A lost answer or a refusal: read back before deciding anything.
            assert_eq!(next(&k, &Observed::Unknown, &L), Step::ReadBack);
            assert_eq!(next(&k, &Observed::Refused("更新订单失败 - 非法的操作".into()), &L), Step::ReadBack);
        }
    }

    #[test]
    fn field_multi_step_jumps_count_as_reached() {
        // Field: a counter `complete` walks through DELIVERING and DELIVERED_CONFIRM_PENDING;
        // a FLASH accept may land on DELIVERED_CONFIRM_PENDING.
        let k = Known::new(Family::Action {
            channel: Channel::Flash,
            action: Action::Accept,
            expect: Expect::Status(Status::ConfirmedDeliverPending),
        });
        let s = next(
            &k,
            &Observed::ReadBack { at: Reach::Ours(Status::DeliveredConfirmPending), sent: true, refused: None },
            &L,
        );
        assert!(matches!(s, Step::Done(Some(Status::DeliveredConfirmPending))), "{s:?}");
    }

    #[test]
    fn an_action_that_cannot_apply_is_held_with_the_platform_state() {
        // cancel after the platform completed it (field: 更新订单成功！ and skipped).
        let k = Known::new(Family::Action {
            channel: Channel::Counter,
            action: Action::Cancel,
            expect: Expect::Status(Status::ClosedCanceled),
        });
        let s =
            next(&k, &Observed::ReadBack { at: Reach::Ours(Status::ClosedConfirmed), sent: true, refused: None }, &L);
        assert!(
            matches!(
                s,
                Step::Hold(Hold { kind: HoldKind::NotReached, read: Some(Reach::Ours(Status::ClosedConfirmed)), .. })
            ),
            "{s:?}"
        );
        let gone = next(&k, &Observed::ReadBack { at: Reach::Gone, sent: false, refused: None }, &L);
        assert!(matches!(gone, Step::Hold(Hold { kind: HoldKind::Gone, .. })));
    }

    fn service() -> Known {
        Known::new(Family::Service { walk_in: false })
    }
    /// The platform took it (its answer carries no number): only ever looked up.
    fn accepted() -> Known {
        Known { accepted: true, attempts: 1, ..service() }
    }
    fn walk_in() -> Known {
        Known::new(Family::Service { walk_in: true })
    }

    /// The after-sales policy, one row per case.
    #[rstest]
    #[case::fresh_is_sent(service(), Observed::Start, Step::Send)]
    #[case::accepted_is_looked_up(accepted(), Observed::Start, Step::LookUp)]
    #[case::unknown_is_looked_up(Known { unknown: true, attempts: 1, ..service() }, Observed::Start, Step::LookUp)]
    #[case::taken_is_recorded(service(), Observed::Accepted, Step::Accept)]
    #[case::found_is_adopted(accepted(), Observed::Found("N-1".into()), Step::Adopt("N-1".into()))]
    #[case::unknown_and_absent_is_sent(Known { unknown: true, ..service() }, Observed::Absent, Step::Send)]
    #[case::lost_answer_is_unknown(service(), Observed::Unknown, retry(true, 0, "outcome unknown"))]
    #[case::walk_in_500_is_ambiguous(walk_in(), Observed::ServerError, retry(true, 1, "walk-in return answered 500"))]
    fn service_step(#[case] k: Known, #[case] o: Observed, #[case] want: Step) {
        assert_eq!(next(&k, &o, &L), want);
    }

    /// Taken but not listed yet: never sent again, looked up until it is lost.
    #[rstest]
    #[case::accepted_absent_waits(accepted(), Observed::Absent, None)]
    #[case::accepted_absent_too_long_is_lost(Known { checks: 19, ..accepted() }, Observed::Absent, Some(HoldKind::Lost))]
    #[case::walk_in_500_twice_is_held(Known { ambiguous: 1, ..walk_in() }, Observed::ServerError, Some(HoldKind::WalkIn))]
    #[case::refused(service(), Observed::Refused("already.refund".into()), Some(HoldKind::Refused))]
    fn service_hold(#[case] k: Known, #[case] o: Observed, #[case] held: Option<HoldKind>) {
        match (next(&k, &o, &L), held) {
            (Step::Hold(h), Some(kind)) => assert_eq!(h.kind, kind),
            (Step::Retry(_), None) => {}
            (other, want) => panic!("{other:?}, wanted a hold {want:?}"),
        }
    }
}
