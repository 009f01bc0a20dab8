//! The platform's pure decisions: how its answers read as observations for
//! the outbox policy (`crate::engine::outbox::policy`), how to find our own order in its lists,
//! how a platform status learned by polling relates to ours, why counts differ. No IO
//! here; `outlet.rs` and `pull.rs` do the calls.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use crate::clients::platform::client::PlatformError;
use crate::clients::platform::types::PlatformOrder;
use crate::clients::platform::wire::{OrderRow, ServiceRow};
use crate::domain::order::{Channel, Status};
use crate::domain::transitions::{apply_platform_status, PlatformChange};
use crate::engine::outbox::Observed;

pub use crate::engine::outbox::backoff;

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

/// Scans a newest-first page of order rows for a marker (one generation's exactly).
pub fn scan_orders(rows: &[OrderRow], marker: &str, cutoff: DateTime<Utc>) -> Scan {
    for r in rows {
        if r.remark.contains(marker) {
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

pub fn scan_services<'a>(
    rows: &'a [ServiceRow],
    marker: &str,
    cutoff: DateTime<Utc>,
) -> (Option<&'a ServiceRow>, bool) {
    let hit = rows.iter().find(|r| service_has_marker(r, marker));
    let past = rows.iter().filter_map(|r| parse_platform_time(&r.created_date)).any(|t| t < cutoff);
    (hit, past)
}

/// The platform's answer to a counter-order create, as the policy sees it.
pub fn classify_create(r: &Result<PlatformOrder, PlatformError>) -> Observed {
    match r {
        Ok(po) if !po.order_number.trim().is_empty() => Observed::Created(po.order_number.clone()),
        // A success without a number proves nothing: look it up.
        Ok(_) => Observed::Unknown,
        // The field server's answer to any exception, a deadlock among them, and to real
        // stock shortage alike: nothing was stored either way.
        Err(PlatformError::Refused { message }) if message.contains("库存不足") => Observed::StockError,
        Err(e) => classify_error(e),
    }
}

/// The answer to `POST /rest/store/order_customer_service`. The field server stores the
/// service even when it answers `order.refund.failure` (the refund by the original path
/// failed; the service waits as CREATED and the order moves to CANCELED_RETURN_PENDING).
pub fn classify_service(r: &Result<String, PlatformError>) -> Observed {
    match r {
        Ok(_) => Observed::Accepted,
        Err(e) => classify_error(e),
    }
}

/// The answer to an order action (`PUT`): the policy reads the order back whatever it
/// says, keeping the platform's words when it refused.
pub fn classify_put(r: &Result<String, PlatformError>) -> Observed {
    match r {
        Ok(m) => Observed::Created(m.clone()),
        Err(PlatformError::NotFound { detail, .. }) => Observed::Refused(detail.clone()),
        Err(e) => classify_error(e),
    }
}

/// A failed call: refused (nothing applied), may have applied, or never arrived.
pub fn classify_error(e: &PlatformError) -> Observed {
    match e {
        PlatformError::Refused { message } => Observed::Refused(message.clone()),
        PlatformError::Server { .. } => Observed::ServerError,
        PlatformError::Timeout | PlatformError::Reset { .. } | PlatformError::Undecodable { .. } => Observed::Unknown,
        PlatformError::Http { status, detail } => Observed::Refused(format!("HTTP {status}: {detail}")),
        PlatformError::NotFound { detail, .. } => Observed::Refused(detail.clone()),
        PlatformError::Connect { .. } | PlatformError::Auth { .. } | PlatformError::LoginFailed { .. } => {
            Observed::Unreached
        }
    }
}

/// What reading an order back showed (polling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBack {
    Status(Status),
    /// 404: the order is not (or no longer) in this store.
    Gone,
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

pub fn platform_update(
    channel: Channel,
    local: Status,
    platform: Status,
    ops_pending: bool,
    has_after_sales: bool,
) -> LocalUpdate {
    if ops_pending {
        return LocalUpdate::Wait;
    }
    match apply_platform_status(channel, local, platform) {
        PlatformChange::Unchanged => LocalUpdate::Nothing,
        PlatformChange::Forward => LocalUpdate::Take(platform),
        PlatformChange::Diverged
            if has_after_sales
                && matches!(
                    platform,
                    Status::CanceledReturnPending | Status::CanceledRefundPending | Status::ClosedRefunded
                ) =>
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

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(scan_orders(&page1, "[spos:a]", w.cutoff), Scan::Found("2".into()));
        assert_eq!(scan_orders(&page1, "[spos:c]", w.cutoff), Scan::Continue);
        let page2 = [row("3", "", "2024-05-01 11:59:00"), row("4", "", "2024-05-01 11:00:00")];
        assert_eq!(scan_orders(&page2, "[spos:c]", w.cutoff), Scan::Absent);
        // Undatable rows never end a scan.
        assert_eq!(scan_orders(&[row("5", "", "yesterday")], "[spos:c]", w.cutoff), Scan::Continue);
        // A marker of another ref that merely contains ours does not match.
        assert_eq!(scan_orders(&[row("6", "[spos:ab]", "2024-05-01 12:00:00")], "[spos:a]", w.cutoff), Scan::Continue);
        // Generations are told apart.
        let regen = [row("7", "[spos:a/g1]", "2024-05-01 12:00:02"), row("8", "[spos:a]", "2024-05-01 12:00:01")];
        assert_eq!(scan_orders(&regen, "[spos:a/g1]", w.cutoff), Scan::Found("7".into()));
        assert_eq!(scan_orders(&regen, "[spos:a]", w.cutoff), Scan::Found("8".into()));
    }

    #[test]
    fn service_marker_found_in_the_log_string() {
        let s = ServiceRow {
            log: Some(serde_json::json!("[{\"time\":\"x\",\"user\":\"u\",\"content\":\"[spos:q1]\"}]")),
            ..Default::default()
        };
        assert!(service_has_marker(&s, "[spos:q1]"));
        assert!(!service_has_marker(&s, "[spos:q2]"));
    }

    /// The platform's answers of DESIGN's "create" and "after-sales" rows, as the policy
    /// sees them.
    #[test]
    fn answers_read_as_observations() {
        let refused = |m: &str| PlatformError::Refused { message: m.into() };
        let po = PlatformOrder { order_number: "2611241813167052".into(), ..Default::default() };
        assert_eq!(classify_create(&Ok(po)), Observed::Created("2611241813167052".into()));
        assert_eq!(classify_create(&Err(refused("新建订单失败 - 库存不足"))), Observed::StockError);
        assert_eq!(
            classify_create(&Err(refused("新建订单失败 - 没有该产品"))),
            Observed::Refused("新建订单失败 - 没有该产品".into())
        );
        assert_eq!(
            classify_create(&Err(refused("新建订单失败 - 必须指定门店"))),
            Observed::Refused("新建订单失败 - 必须指定门店".into())
        );
        assert_eq!(
            classify_create(&Err(PlatformError::Server { status: 500, detail: "<html>".into() })),
            Observed::ServerError
        );
        assert_eq!(classify_create(&Err(PlatformError::Timeout)), Observed::Unknown);
        assert_eq!(classify_create(&Err(PlatformError::Connect { detail: "".into() })), Observed::Unreached);
        // After-sales: stored (even the refund failure), refused, or a walk-in's 500.
        assert_eq!(classify_service(&Ok("order.refund.failure".into())), Observed::Accepted);
        assert_eq!(classify_service(&Ok("order.refunded".into())), Observed::Accepted);
        for m in ["暂不支持此种方式售后单", "order.status.transfer.error", "already.refund"] {
            assert_eq!(classify_service(&Err(refused(m))), Observed::Refused(m.into()));
        }
        assert_eq!(
            classify_service(&Err(PlatformError::Server { status: 500, detail: "".into() })),
            Observed::ServerError
        );
        // A PUT is judged by the read-back, never by its answer.
        assert!(matches!(classify_put(&Ok("更新订单成功！".into())), Observed::Created(_)));
        assert_eq!(
            classify_put(&Err(refused("更新订单失败 - 非法的操作"))),
            Observed::Refused("更新订单失败 - 非法的操作".into())
        );
    }

    #[test]
    fn polling_updates() {
        use Status::*;
        assert_eq!(
            platform_update(Channel::Flash, PaidConfirmPending, DeliveredConfirmPending, false, false),
            LocalUpdate::Take(DeliveredConfirmPending)
        );
        assert_eq!(
            platform_update(Channel::Flash, PaidConfirmPending, DeliveredConfirmPending, true, false),
            LocalUpdate::Wait
        );
        assert_eq!(
            platform_update(Channel::Counter, CreatedPayPending, CreatedPayPending, false, false),
            LocalUpdate::Nothing
        );
        assert!(matches!(
            platform_update(Channel::Counter, ClosedConfirmed, ClosedCanceled, false, false),
            LocalUpdate::TakeWithConflict(ClosedCanceled, _)
        ));
        assert_eq!(
            platform_update(Channel::Flash, Delivering, ClosedRefunded, false, true),
            LocalUpdate::Take(ClosedRefunded)
        );
        assert!(!is_store_visible_online(CreatedPayPending));
        assert!(is_store_visible_online(PaidConfirmPending));
    }
}
