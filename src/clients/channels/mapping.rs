//! Status mapping tables, as data: each channel's statuses to ours and ours to each
//! channel's, both tested in both directions. A status a table does not hold is kept
//! raw and shown as unknown ([`ChannelStatus::Unknown`]) — never guessed.

use serde::Serialize;

use crate::domain::order::Status;

/// A channel's status as we show it: the raw spelling always, ours when the table knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ChannelStatus {
    Known { raw: String, label_zh: &'static str, ours: Status },
    Unknown { raw: String },
}

impl ChannelStatus {
    pub fn raw(&self) -> &str {
        match self {
            ChannelStatus::Known { raw, .. } | ChannelStatus::Unknown { raw } => raw,
        }
    }
    pub fn ours(&self) -> Option<Status> {
        match self {
            ChannelStatus::Known { ours, .. } => Some(*ours),
            ChannelStatus::Unknown { .. } => None,
        }
    }
    pub fn label_zh(&self) -> String {
        match self {
            ChannelStatus::Known { label_zh, .. } => (*label_zh).to_string(),
            ChannelStatus::Unknown { raw } => format!("未知状态（{raw}）"),
        }
    }
}

// ---- seed 004: the omnichannel order center --------------------------------------------

/// One omni status: its number, its name in the document, what it means for us when the
/// order is delivered (ship_mode 1) and when it is picked up (ship_mode 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OmniRow {
    pub code: i64,
    pub label_zh: &'static str,
    pub express: Status,
    pub pickup: Status,
}

/// Numbers → ours. 20 (已签收, the customer signed for it) and everything after is closed
/// and confirmed for us. The document gives no number for a cancelled order; a cancelled
/// order is learned from `/master/orders?status=4` ([`OMNI_MASTER_BUCKETS`]).
pub const OMNI_FROM: &[OmniRow] = &[
    OmniRow { code: 5, label_zh: "待付款", express: Status::CreatedPayPending, pickup: Status::CreatedPayPending },
    OmniRow {
        code: 10, label_zh: "待发货", express: Status::PaidConfirmPending, pickup: Status::PaidConfirmPending
    },
    OmniRow {
        code: 12,
        label_zh: "配货中",
        express: Status::ConfirmedDeliverPending,
        pickup: Status::ConfirmedPickPending,
    },
    OmniRow {
        code: 13,
        label_zh: "待打印",
        express: Status::ConfirmedDeliverPending,
        pickup: Status::ConfirmedPickPending,
    },
    // 16 已发货: handed to the courier and on its way — seed 000's DELIVERED_CONFIRM_PENDING
    // (已发货), not DELIVERING (发货中). A pickup order at 16 is ready to be picked up.
    OmniRow {
        code: 16,
        label_zh: "已发货",
        express: Status::DeliveredConfirmPending,
        pickup: Status::ConfirmedPickPending,
    },
    OmniRow { code: 20, label_zh: "已签收", express: Status::ClosedConfirmed, pickup: Status::ClosedConfirmed },
    OmniRow { code: 30, label_zh: "已完成", express: Status::ClosedConfirmed, pickup: Status::ClosedConfirmed },
    OmniRow { code: 40, label_zh: "待评分", express: Status::ClosedConfirmed, pickup: Status::ClosedConfirmed },
    OmniRow { code: 45, label_zh: "评分完成", express: Status::ClosedConfirmed, pickup: Status::ClosedConfirmed },
];

/// The order of the omni walk (a status move only goes forward along it).
pub const OMNI_WALK: [i64; 9] = [5, 10, 12, 13, 16, 20, 30, 40, 45];

/// `/master/orders` buckets: 1 待发货 2 已发货 3 已完成 4 已取消.
pub const OMNI_MASTER_BUCKETS: &[(i64, &str, Option<Status>)] = &[
    (1, "待发货", None),
    (2, "已发货", None),
    (3, "已完成", Some(Status::ClosedConfirmed)),
    (4, "已取消", Some(Status::ClosedCanceled)),
];

/// One step of the omni walk: the endpoint and the number it lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OmniStep {
    pub path: &'static str,
    pub to: i64,
}

pub const UP_PAID: OmniStep = OmniStep { path: "/orders/up_paid_status", to: 10 };
pub const UP_PENDING_SHIPMENT: OmniStep = OmniStep { path: "/orders/up_pending_shipment_status", to: 10 };
pub const UP_DISTRIBUTION: OmniStep = OmniStep { path: "/orders/up_distribution_status", to: 12 };
pub const UP_SHIPPED: OmniStep = OmniStep { path: "/orders/up_shipped_status", to: 16 };
pub const UP_FINISHED: OmniStep = OmniStep { path: "/orders/up_finished_status", to: 30 };

/// What telling the omni center "this order is now X (ours)" takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OmniTell {
    /// Walk forward until the order stands at `target` or beyond.
    Walk { target: i64, steps: &'static [OmniStep] },
    /// `POST /orders/cancel` with `from_client` 1 (merchant).
    Cancel,
    /// Nothing in seed 004 says it (refund statuses): kept local, shown, not sent.
    NotTold,
}

/// Ours → omni. A counter sale that is paid and handed over is walked all the way:
/// paid → pending shipment → shipped → finished.
pub const OMNI_TO: &[(Status, OmniTell)] = &[
    (Status::CreatedPayPending, OmniTell::Walk { target: 5, steps: &[] }),
    (Status::PaidConfirmPending, OmniTell::Walk { target: 10, steps: &[UP_PAID, UP_PENDING_SHIPMENT] }),
    (Status::ConfirmedPickPending, OmniTell::Walk { target: 12, steps: &[UP_PAID, UP_DISTRIBUTION] }),
    (Status::ConfirmedDeliverPending, OmniTell::Walk { target: 12, steps: &[UP_PAID, UP_DISTRIBUTION] }),
    (Status::Delivering, OmniTell::Walk { target: 16, steps: &[UP_PAID, UP_SHIPPED] }),
    (Status::DeliveredConfirmPending, OmniTell::Walk { target: 16, steps: &[UP_PAID, UP_SHIPPED] }),
    (
        Status::ClosedConfirmed,
        OmniTell::Walk { target: 30, steps: &[UP_PAID, UP_PENDING_SHIPMENT, UP_SHIPPED, UP_FINISHED] },
    ),
    (Status::ClosedCanceled, OmniTell::Cancel),
    (Status::ClosedPayTimeout, OmniTell::Cancel),
    (Status::CanceledReturnPending, OmniTell::NotTold),
    (Status::CanceledRefundPending, OmniTell::NotTold),
    (Status::ClosedRefunded, OmniTell::NotTold),
];

pub fn omni_status(code: i64, pickup: bool) -> ChannelStatus {
    match OMNI_FROM.iter().find(|r| r.code == code) {
        Some(r) => ChannelStatus::Known {
            raw: code.to_string(),
            label_zh: r.label_zh,
            ours: if pickup { r.pickup } else { r.express },
        },
        None => ChannelStatus::Unknown { raw: code.to_string() },
    }
}

/// A status learned from the merchant list bucket (4 → cancelled) when the number itself is
/// not one the document names.
pub fn omni_status_in_bucket(code: i64, pickup: bool, bucket: Option<i64>) -> ChannelStatus {
    match (omni_status(code, pickup), bucket) {
        (ChannelStatus::Unknown { raw }, Some(b)) => match OMNI_MASTER_BUCKETS.iter().find(|x| x.0 == b) {
            Some((_, label, Some(ours))) => ChannelStatus::Known { raw, label_zh: label, ours: *ours },
            _ => ChannelStatus::Unknown { raw },
        },
        (s, _) => s,
    }
}

pub fn omni_tell(ours: Status) -> OmniTell {
    OMNI_TO.iter().find(|(s, _)| *s == ours).map(|t| t.1).unwrap_or(OmniTell::NotTold)
}

/// Position on the walk (None: off the walk, e.g. cancelled or unknown).
pub fn omni_rank(code: i64) -> Option<usize> {
    OMNI_WALK.iter().position(|c| *c == code)
}

// ---- seed 001: the mall's /api/orders ----------------------------------------------------

/// `status` numbers → ours, with the list name that selects them.
pub const API_FROM: &[(i64, &str, &str, Status)] = &[
    (0, "wait", "待付款", Status::CreatedPayPending),
    (1, "paid", "已付款", Status::PaidConfirmPending),
    // 2 已发货 is seed 000's DELIVERED_CONFIRM_PENDING (已发货), not DELIVERING (发货中).
    (2, "shipped", "已发货", Status::DeliveredConfirmPending),
    (3, "completed", "已完成", Status::ClosedConfirmed),
    (4, "closed", "已关闭", Status::ClosedCanceled),
    (5, "completed", "已分发奖励", Status::ClosedConfirmed),
];

/// `refund_status` 0 未申请 1 申请中 2 退款成功 3 退款失败. While an application is open
/// (1) the order is ours CANCELED_REFUND_PENDING when it had not been received (status 1)
/// and CANCELED_RETURN_PENDING when it had (status 3); 2 is CLOSED_REFUNDED; 0 and 3
/// leave the order status as it is.
pub const API_REFUND: &[(i64, &str)] = &[(0, "未申请"), (1, "申请中"), (2, "退款成功"), (3, "退款失败")];

/// Ours → the list that shows such orders (`GET /api/orders?status=`).
pub const API_LIST_OF: &[(Status, &str)] = &[
    (Status::CreatedPayPending, "wait"),
    (Status::PaidConfirmPending, "paid"),
    (Status::Delivering, "shipped"),
    (Status::DeliveredConfirmPending, "shipped"),
    (Status::ClosedConfirmed, "completed"),
    (Status::ClosedCanceled, "closed"),
    (Status::CanceledRefundPending, "apply"),
    (Status::CanceledReturnPending, "apply"),
    (Status::ClosedRefunded, "apply"),
];

/// Every list name, in the order a pull walks them.
pub const API_LISTS: [&str; 6] = ["wait", "paid", "shipped", "completed", "closed", "apply"];

pub fn api_status(status: i64, refund_status: i64) -> ChannelStatus {
    let raw = if refund_status == 0 { status.to_string() } else { format!("{status}/refund {refund_status}") };
    let Some(&(_, _, label, base)) = API_FROM.iter().find(|r| r.0 == status) else {
        return ChannelStatus::Unknown { raw };
    };
    match refund_status {
        0 | 3 => {
            ChannelStatus::Known { raw, label_zh: if refund_status == 3 { "退款失败" } else { label }, ours: base }
        }
        1 if status == 1 => {
            ChannelStatus::Known { raw, label_zh: "退款申请中", ours: Status::CanceledRefundPending }
        }
        1 if status == 3 || status == 5 => {
            ChannelStatus::Known { raw, label_zh: "退货申请中", ours: Status::CanceledReturnPending }
        }
        2 => ChannelStatus::Known { raw, label_zh: "退款成功", ours: Status::ClosedRefunded },
        _ => ChannelStatus::Unknown { raw },
    }
}

pub fn api_list_of(ours: Status) -> Option<&'static str> {
    API_LIST_OF.iter().find(|(s, _)| *s == ours).map(|t| t.1)
}

// ---- the platform (/rest/store) -------------------------------------------------------------

/// The platform spells our statuses (they are its statuses).
pub fn rest_status(raw: &str) -> ChannelStatus {
    match Status::parse(raw) {
        Some(s) => ChannelStatus::Known { raw: raw.to_string(), label_zh: s.label_zh(), ours: s },
        None => ChannelStatus::Unknown { raw: raw.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omni_tables_agree_both_ways() {
        // Every walk target, read back, is the status we told (or a later one for pickup).
        for (ours, tell) in OMNI_TO {
            if let OmniTell::Walk { target, steps } = tell {
                let back = omni_status(*target, false).ours().unwrap();
                let pick = omni_status(*target, true).ours().unwrap();
                // Telling DELIVERING walks to 16, which reads back one step further on
                // (DELIVERED_CONFIRM_PENDING): forward, never back.
                assert!(
                    back == *ours
                        || pick == *ours
                        || (*ours == Status::Delivering && back == Status::DeliveredConfirmPending),
                    "{ours:?} → {target} → {back:?}/{pick:?}"
                );
                // The last step lands on the target; steps never go back.
                if let Some(last) = steps.last() {
                    assert_eq!(last.to, *target);
                }
                let ranks: Vec<usize> = steps.iter().map(|s| omni_rank(s.to).unwrap()).collect();
                assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ours:?} walk goes back");
            }
        }
        for s in Status::ALL {
            assert!(OMNI_TO.iter().any(|(x, _)| x == s), "{s:?} has no omni row");
        }
        for r in OMNI_FROM {
            assert!(omni_rank(r.code).is_some());
            assert!(matches!(omni_status(r.code, false), ChannelStatus::Known { .. }));
        }
    }

    #[test]
    fn omni_unknown_is_kept() {
        for code in [0, 1, 7, 90, -1, 999] {
            assert_eq!(omni_status(code, false), ChannelStatus::Unknown { raw: code.to_string() });
        }
        assert_eq!(omni_status(90, false).label_zh(), "未知状态（90）");
        assert_eq!(omni_status_in_bucket(90, false, Some(4)).ours(), Some(Status::ClosedCanceled));
        assert_eq!(omni_status_in_bucket(90, false, Some(4)).raw(), "90");
        assert_eq!(omni_status_in_bucket(77, false, Some(1)).ours(), None);
        assert_eq!(omni_status_in_bucket(16, true, Some(2)).ours(), Some(Status::ConfirmedPickPending));
    }

    #[test]
    fn api_tables_agree_both_ways() {
        for (ours, list) in API_LIST_OF {
            assert!(API_LISTS.contains(list));
            if *list != "apply" {
                let (code, _, _, _) = API_FROM.iter().find(|r| r.1 == *list).unwrap();
                // DELIVERING has no number of its own: it is found in the 已发货 list, which
                // reads back one step on (DELIVERED_CONFIRM_PENDING).
                let want = if *ours == Status::Delivering { Status::DeliveredConfirmPending } else { *ours };
                assert_eq!(api_status(*code, 0).ours(), Some(want));
            }
        }
        for (code, list, _, ours) in API_FROM {
            assert_eq!(api_list_of(*ours), Some(*list));
            assert!(API_LISTS.contains(list));
            assert_eq!(api_status(*code, 0).ours(), Some(*ours));
        }
        assert_eq!(api_status(1, 1).ours(), Some(Status::CanceledRefundPending));
        assert_eq!(api_list_of(Status::CanceledRefundPending), Some("apply"));
        assert_eq!(api_status(3, 1).ours(), Some(Status::CanceledReturnPending));
        assert_eq!(api_status(4, 2).ours(), Some(Status::ClosedRefunded));
        assert_eq!(api_status(1, 3).ours(), Some(Status::PaidConfirmPending));
        assert_eq!(api_status(1, 3).label_zh(), "退款失败");
    }

    #[test]
    fn shipped_means_delivered_confirm_pending() {
        // Seed 000: DELIVERED_CONFIRM_PENDING － 已发货. Seed 004 16 and seed 001 2 are both 已发货.
        assert_eq!(Status::DeliveredConfirmPending.label_zh(), "已发货");
        assert_eq!(omni_status(16, false).ours(), Some(Status::DeliveredConfirmPending));
        assert_eq!(omni_status(16, false).label_zh(), "已发货");
        assert_eq!(omni_status(16, true).ours(), Some(Status::ConfirmedPickPending));
        assert_eq!(api_status(2, 0).ours(), Some(Status::DeliveredConfirmPending));
        assert_eq!(api_status(2, 0).label_zh(), "已发货");
        assert_eq!(api_list_of(Status::DeliveredConfirmPending), Some("shipped"));
        assert_eq!(
            omni_tell(Status::DeliveredConfirmPending),
            OmniTell::Walk { target: 16, steps: &[UP_PAID, UP_SHIPPED] }
        );
    }

    #[test]
    fn api_unknown_is_kept() {
        assert_eq!(api_status(9, 0), ChannelStatus::Unknown { raw: "9".into() });
        assert_eq!(api_status(1, 7), ChannelStatus::Unknown { raw: "1/refund 7".into() });
        assert_eq!(api_status(0, 1), ChannelStatus::Unknown { raw: "0/refund 1".into() });
        assert_eq!(rest_status("CREATED_PAY_PENDDING"), ChannelStatus::Unknown { raw: "CREATED_PAY_PENDDING".into() });
        assert_eq!(rest_status("DELIVERING").ours(), Some(Status::Delivering));
    }
}
