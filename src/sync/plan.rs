//! The sync engine's decisions, as pure functions: what to do with an answer, when to
//! try again, how to find our own order in the platform's lists, how a platform status
//! relates to ours, why counts differ. No IO here; `ops.rs` and `pull.rs` do the calls.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::Serialize;

use crate::central::client::CentralError;
use crate::central::wire::{OrderRow, PlatformCount, ServiceRow};
use crate::domain::counts::OrderCount;
use crate::domain::order::{parse_client_ref_marker, Channel, Status};
use crate::domain::transitions::{apply_action, apply_platform_status, reached, Action, PlatformChange};

/// Exponential backoff with jitter: `base · 2^failures`, capped, then scaled into
/// `[½, 1]` of that by `jitter01` ∈ [0, 1) (so retries of many orders spread out but
/// never wait longer than the cap).
pub fn backoff(failures: u32, base: Duration, cap: Duration, jitter01: f64) -> Duration {
    let exp = base.saturating_mul(1u32.checked_shl(failures.min(20)).unwrap_or(u32::MAX));
    let d = exp.min(cap);
    let j = if jitter01.is_finite() { jitter01.clamp(0.0, 1.0) } else { 0.5 };
    d / 2 + d.mul_f64(j / 2.0)
}

/// Platform times are `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai.
pub fn parse_platform_time(s: &str) -> Option<DateTime<Utc>> {
    let dt = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    Shanghai.from_local_datetime(&dt).earliest().map(|t| t.with_timezone(&Utc))
}

pub fn platform_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai).format("%Y-%m-%d").to_string()
}

pub fn platform_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The time window a lookup scans. Rows are newest first; the scan stops at the first
/// row created before `cutoff` (our creation minus a margin for clock skew).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub cutoff: DateTime<Utc>,
    /// Documented `startTime` / `endTime`.
    pub start_time: String,
    pub end_time: String,
    /// Field `createTime=D1&createTime=D2` (whole days: D2 is tomorrow, for skew).
    pub create_from: String,
    pub create_to: String,
}

pub fn lookup_window(created_at: DateTime<Utc>, now: DateTime<Utc>, margin: Duration) -> Window {
    let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::minutes(15));
    let cutoff = created_at - margin;
    let end = now.max(created_at) + chrono::Duration::days(1);
    Window {
        cutoff,
        start_time: platform_time(cutoff),
        end_time: platform_time(end),
        create_from: platform_date(cutoff),
        create_to: platform_date(end),
    }
}

/// The outcome of scanning one page of a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// Our marker is on this row.
    Found(String),
    /// Not on this page; older rows may follow.
    Continue,
    /// A row older than the window's cutoff was reached: it is not there.
    Absent,
}

/// Scans a newest-first page of order rows for `[spos:client_ref]`.
pub fn scan_orders(rows: &[OrderRow], client_ref: &str, cutoff: DateTime<Utc>) -> Scan {
    for r in rows {
        if parse_client_ref_marker(&r.remark) == Some(client_ref) {
            return Scan::Found(r.order_number.clone());
        }
    }
    // Only decide "absent" on a row we could date: an odd date never ends the scan early.
    if rows.iter().filter_map(|r| parse_platform_time(&r.created_date)).any(|t| t < cutoff) {
        Scan::Absent
    } else {
        Scan::Continue
    }
}

/// Does this service carry our marker (in content, reason or the log string)?
pub fn service_has_marker(row: &ServiceRow, marker: &str) -> bool {
    row.texts().iter().any(|t| t.contains(marker))
}

pub fn scan_services<'a>(rows: &'a [ServiceRow], marker: &str, cutoff: DateTime<Utc>) -> (Option<&'a ServiceRow>, bool) {
    let hit = rows.iter().find(|r| service_has_marker(r, marker));
    let past = rows.iter().filter_map(|r| parse_platform_time(&r.created_date)).any(|t| t < cutoff);
    (hit, past)
}

/// What to do after a failed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnError {
    /// Try later; `lookup_first` when the request may have been applied.
    Retry { lookup_first: bool },
    /// The platform said no: record a conflict with its words.
    Conflict { platform_message: String },
}

pub fn on_error(e: &CentralError) -> OnError {
    match e {
        CentralError::Refused { message } => OnError::Conflict { platform_message: message.clone() },
        other => OnError::Retry { lookup_first: other.may_have_applied() },
    }
}

/// What an action op expects: a status on the channel's path, or the order leaving the
/// store (FLASH reject).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Status(Status),
    LeftStore,
}

impl Expect {
    pub fn parse(s: &str) -> Option<Expect> {
        if s == "LEFT_STORE" {
            Some(Expect::LeftStore)
        } else {
            Status::parse(s).map(Expect::Status)
        }
    }
}

/// What reading the order back showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBack {
    Status(Status),
    /// 404: the order is not (or no longer) in this store.
    Gone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionVerdict {
    /// The platform is where we wanted it (or past it on the same path).
    Done,
    /// Not there yet, and the action still applies from where it is: send again later.
    Retry(String),
    /// Not there, and it cannot get there by this action: a person must look.
    Conflict(String),
}

/// Decides an action after reading the order back. `checks` counts earlier read-backs
/// that found it not reached; after `max_checks` a still-unreached step is a conflict.
pub fn judge_action(channel: Channel, action: Action, expect: Expect, read: ReadBack, checks: u32, max_checks: u32) -> ActionVerdict {
    match (expect, read) {
        (Expect::LeftStore, ReadBack::Gone) => ActionVerdict::Done,
        (Expect::Status(_), ReadBack::Gone) => ActionVerdict::Conflict("订单已不在本店（平台查不到该订单）".into()),
        (Expect::Status(want), ReadBack::Status(got)) if reached(channel, want, got) => ActionVerdict::Done,
        (_, ReadBack::Status(got)) => {
            let still_applies = apply_action(channel, got, action).is_ok();
            if !still_applies {
                ActionVerdict::Conflict(format!("平台上的订单状态为「{}」，无法执行「{}」", got.label_zh(), action.as_str()))
            } else if checks + 1 >= max_checks {
                ActionVerdict::Conflict(format!("平台多次未执行「{}」（仍为「{}」）", action.as_str(), got.label_zh()))
            } else {
                ActionVerdict::Retry(format!("not reached yet: platform still {}", got.as_str()))
            }
        }
    }
}

/// How a platform status learned by polling should change a local order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalUpdate {
    Nothing,
    /// Take the platform's status (moved forward, or after our own after-sales).
    Take(Status),
    /// Take it, and tell people: it went somewhere our path does not lead.
    TakeWithConflict(Status, String),
    /// Local operations are still on their way: leave it to the push.
    Wait,
}

pub fn platform_update(channel: Channel, local: Status, platform: Status, ops_pending: bool, has_after_sales: bool) -> LocalUpdate {
    if ops_pending {
        return LocalUpdate::Wait;
    }
    match apply_platform_status(channel, local, platform) {
        PlatformChange::Unchanged => LocalUpdate::Nothing,
        PlatformChange::Forward => LocalUpdate::Take(platform),
        PlatformChange::Diverged
            if has_after_sales && matches!(platform, Status::CanceledReturnPending | Status::CanceledRefundPending | Status::ClosedRefunded) =>
        {
            LocalUpdate::Take(platform)
        }
        PlatformChange::Diverged => LocalUpdate::TakeWithConflict(
            platform,
            format!("平台上的订单状态变为「{}」（本地为「{}」）", platform.label_zh(), local.label_zh()),
        ),
    }
}

/// Online orders the store must see: paid and onward (not unpaid or timed out).
pub fn is_store_visible_online(status: Status) -> bool {
    !matches!(status, Status::CreatedPayPending | Status::ClosedPayTimeout)
}

/// One figure of `order_count` that differs from the ledger's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountDiff {
    pub field: &'static str,
    pub platform: String,
    pub local: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountsReport {
    /// Which meaning the platform's figures follow: "documented" or "field".
    pub meaning: &'static str,
    pub platform: PlatformCount,
    pub local: OrderCount,
    pub differences: Vec<CountDiff>,
}

/// Compares the platform's counts with the ledger's (computed over orders the platform
/// knows, in both meanings). `unsynced` = local orders the platform has not heard of yet,
/// `conflicts` = orders in conflict.
pub fn explain_counts(platform: &PlatformCount, documented: &OrderCount, field: &OrderCount, unsynced: i64, conflicts: i64) -> CountsReport {
    fn fields(c: &OrderCount) -> [(&'static str, String); 8] {
        [
            ("totalPrice", c.total_price.to_string()),
            ("total", c.total.to_string()),
            ("handlePending", c.handle_pending.to_string()),
            ("pickPending", c.pick_pending.to_string()),
            ("deliverPending", c.deliver_pending.to_string()),
            ("delivering", c.delivering.to_string()),
            ("closed", c.closed.to_string()),
            ("cancled", c.cancled.to_string()),
        ]
    }
    let p = [
        ("totalPrice", platform.total_price.map(|m| m.to_string())),
        ("total", platform.total.map(|n| n.to_string())),
        ("handlePending", platform.handle_pending.map(|n| n.to_string())),
        ("pickPending", platform.pick_pending.map(|n| n.to_string())),
        ("deliverPending", platform.deliver_pending.map(|n| n.to_string())),
        ("delivering", platform.delivering.map(|n| n.to_string())),
        ("closed", platform.closed.map(|n| n.to_string())),
        ("cancled", platform.cancled.map(|n| n.to_string())),
    ];
    let mismatches = |c: &OrderCount| fields(c).iter().zip(p.iter()).filter(|((_, l), (_, pv))| pv.as_deref() != Some(l.as_str())).count();
    let (meaning, local) = if mismatches(field) < mismatches(documented) { ("field", *field) } else { ("documented", *documented) };
    let mut differences = Vec::new();
    for ((name, l), (_, pv)) in fields(&local).iter().zip(p.iter()) {
        let pv = pv.clone().unwrap_or_else(|| "(missing)".into());
        if pv == *l {
            continue;
        }
        let d_other = if meaning == "field" { fields(documented) } else { fields(field) };
        let other = d_other.iter().find(|(n, _)| n == name).map(|x| x.1.clone()).unwrap_or_default();
        let reason = if other == pv {
            format!("the platform counts {name} in the {} meaning", if meaning == "field" { "documented" } else { "field" })
        } else if unsynced > 0 {
            format!("{unsynced} local change(s) not yet on the platform")
        } else if conflicts > 0 {
            format!("{conflicts} order(s) in conflict")
        } else {
            "orders the platform holds that this ledger does not (older history, another till) or the reverse".into()
        };
        differences.push(CountDiff { field: name, platform: pv, local: l.clone(), reason });
    }
    CountsReport { meaning, platform: platform.clone(), local, differences }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::counts::{order_count, CountMeaning};
    use crate::domain::Money;
    use proptest::prelude::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn backoff_schedule() {
        let (b, c) = (ms(1000), ms(60_000));
        assert_eq!(backoff(0, b, c, 0.0), ms(500));
        assert_eq!(backoff(0, b, c, 1.0), ms(1000));
        assert_eq!(backoff(3, b, c, 1.0), ms(8000));
        assert_eq!(backoff(10, b, c, 1.0), ms(60_000));
        assert_eq!(backoff(99, b, c, 0.0), ms(30_000));
        assert_eq!(backoff(2, b, c, f64::NAN), ms(3000));
    }

    proptest! {
        #[test]
        fn backoff_is_bounded_and_monotone_in_the_cap(f in 0u32..200, j in 0.0f64..1.0) {
            let d = backoff(f, ms(50), ms(5000), j);
            prop_assert!(d <= ms(5000));
            prop_assert!(d >= ms(25));
        }
    }

    fn row(n: &str, remark: &str, created: &str) -> OrderRow {
        OrderRow { order_number: n.into(), remark: remark.into(), created_date: created.into(), ..Default::default() }
    }

    #[test]
    fn lookup_by_marker() {
        let created = parse_platform_time("2024-05-01 12:00:00").unwrap();
        let w = lookup_window(created, created + chrono::Duration::minutes(5), Duration::from_secs(600));
        assert_eq!(w.create_from, "2024-05-01");
        assert_eq!(w.create_to, "2024-05-02");
        assert_eq!(w.start_time, "2024-05-01 11:50:00");
        let page1 = [row("1", "少冰 [spos:b]", "2024-05-01 12:00:03"), row("2", "[spos:a]", "2024-05-01 12:00:01")];
        assert_eq!(scan_orders(&page1, "a", w.cutoff), Scan::Found("2".into()));
        assert_eq!(scan_orders(&page1, "c", w.cutoff), Scan::Continue);
        let page2 = [row("3", "", "2024-05-01 11:59:00"), row("4", "", "2024-05-01 11:00:00")];
        assert_eq!(scan_orders(&page2, "c", w.cutoff), Scan::Absent);
        // Undatable rows never end a scan.
        assert_eq!(scan_orders(&[row("5", "", "yesterday")], "c", w.cutoff), Scan::Continue);
        // A marker of another ref that merely contains ours does not match.
        assert_eq!(scan_orders(&[row("6", "[spos:ab]", "2024-05-01 12:00:00")], "a", w.cutoff), Scan::Continue);
    }

    #[test]
    fn service_marker_found_in_the_log_string() {
        let s = ServiceRow { log: Some(serde_json::json!("[{\"time\":\"x\",\"user\":\"u\",\"content\":\"[spos:q1]\"}]")), ..Default::default() };
        assert!(service_has_marker(&s, "[spos:q1]"));
        assert!(!service_has_marker(&s, "[spos:q2]"));
    }

    #[test]
    fn errors_decide() {
        assert_eq!(on_error(&CentralError::Refused { message: "新建订单失败 - 库存不足".into() }), OnError::Conflict { platform_message: "新建订单失败 - 库存不足".into() });
        assert_eq!(on_error(&CentralError::Timeout), OnError::Retry { lookup_first: true });
        assert_eq!(on_error(&CentralError::Connect { detail: "".into() }), OnError::Retry { lookup_first: false });
    }

    #[test]
    fn actions_are_judged_by_reading_back() {
        use Status::*;
        let j = |c, a, e, r, n| judge_action(c, a, e, r, n, 4);
        // Field walk of a counter complete: reached.
        assert_eq!(j(Channel::Counter, Action::Complete, Expect::Status(ClosedConfirmed), ReadBack::Status(ClosedConfirmed), 0), ActionVerdict::Done);
        // FLASH accept jumping ahead.
        assert_eq!(j(Channel::Flash, Action::Accept, Expect::Status(ConfirmedDeliverPending), ReadBack::Status(DeliveredConfirmPending), 0), ActionVerdict::Done);
        // Lying PUT: still applies → retry, then conflict.
        assert!(matches!(j(Channel::Counter, Action::Complete, Expect::Status(ClosedConfirmed), ReadBack::Status(CreatedPayPending), 0), ActionVerdict::Retry(_)));
        assert!(matches!(j(Channel::Counter, Action::Complete, Expect::Status(ClosedConfirmed), ReadBack::Status(CreatedPayPending), 3), ActionVerdict::Conflict(_)));
        // Silently skipped cancel after complete: cannot ever apply → conflict at once.
        assert!(matches!(j(Channel::Counter, Action::Cancel, Expect::Status(ClosedCanceled), ReadBack::Status(ClosedConfirmed), 0), ActionVerdict::Conflict(_)));
        // Reject: 404 afterwards is success.
        assert_eq!(j(Channel::Flash, Action::Reject, Expect::LeftStore, ReadBack::Gone, 0), ActionVerdict::Done);
        assert!(matches!(j(Channel::Flash, Action::Reject, Expect::LeftStore, ReadBack::Status(PaidConfirmPending), 0), ActionVerdict::Retry(_)));
        assert!(matches!(j(Channel::SelfPick, Action::Complete, Expect::Status(ClosedConfirmed), ReadBack::Gone, 0), ActionVerdict::Conflict(_)));
    }

    #[test]
    fn polling_updates() {
        use Status::*;
        assert_eq!(platform_update(Channel::Flash, PaidConfirmPending, DeliveredConfirmPending, false, false), LocalUpdate::Take(DeliveredConfirmPending));
        assert_eq!(platform_update(Channel::Flash, PaidConfirmPending, DeliveredConfirmPending, true, false), LocalUpdate::Wait);
        assert_eq!(platform_update(Channel::Counter, CreatedPayPending, CreatedPayPending, false, false), LocalUpdate::Nothing);
        assert!(matches!(platform_update(Channel::Counter, ClosedConfirmed, ClosedCanceled, false, false), LocalUpdate::TakeWithConflict(ClosedCanceled, _)));
        assert_eq!(platform_update(Channel::Flash, Delivering, ClosedRefunded, false, true), LocalUpdate::Take(ClosedRefunded));
        assert!(!is_store_visible_online(CreatedPayPending));
        assert!(is_store_visible_online(PaidConfirmPending));
    }

    #[test]
    fn counts_pick_the_meaning_and_say_why() {
        use Status::*;
        let orders = [(CreatedPayPending, Money::yuan(5)), (DeliveredConfirmPending, Money::yuan(9)), (ClosedConfirmed, Money::yuan(11))];
        let d = order_count(CountMeaning::Documented, orders);
        let f = order_count(CountMeaning::Field, orders);
        let platform = PlatformCount {
            total_price: Some(Money::yuan(11)),
            total: Some(1),
            handle_pending: Some(0),
            pick_pending: Some(0),
            deliver_pending: Some(0),
            delivering: Some(1),
            closed: Some(1),
            cancled: Some(0),
        };
        let r = explain_counts(&platform, &d, &f, 0, 0);
        assert_eq!(r.meaning, "field");
        assert!(r.differences.is_empty(), "{:?}", r.differences);
        let mut p2 = platform.clone();
        p2.closed = Some(2);
        let r = explain_counts(&p2, &d, &f, 1, 0);
        assert_eq!(r.differences.len(), 1);
        assert!(r.differences[0].reason.contains("not yet on the platform"));
        // Documented figures against the field computation: the reason names the meaning.
        let r = explain_counts(&PlatformCount { delivering: Some(0), ..platform.clone() }, &d, &f, 0, 0);
        assert!(r.differences.iter().any(|x| x.field == "delivering"));
    }
}
