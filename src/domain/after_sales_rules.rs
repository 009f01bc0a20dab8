//! The platform's after-sales rules as data, per platform mode (DESIGN.md, "Where the
//! real server differs", after-sales row; seed 000 "店员新建售后单").
//!
//! Before a service is recorded the till decides where it goes:
//!
//! - **Platform**: the platform takes it. What the order becomes, what the service's first
//!   status is and how the money goes back are known in advance and shown to the clerk.
//! - **Store only (门店自理)**: the platform cannot take it (a completed counter sale, a
//!   REFUND, a walk-in return, a second service on one order in field mode, an order the
//!   platform never had). The store still gives the money back: cash from the drawer for
//!   a cash sale, the original path for a WeChat/online payment (cash only with a
//!   manager's approval, see `domain::approval`); the service is recorded local-only, never sent and never a conflict.
//! - **Refused**: nobody may take it (nothing was paid, or the order is already refunded
//!   in full). Nothing is recorded and nothing is consumed.
//!
//! | mode | rule | field (observed) | documented |
//! | --- | --- | --- | --- |
//! | statuses taking a service | | DELIVERING, DELIVERED_CONFIRM_PENDING, CANCELED_* | any paid status |
//! | services per order | | one (a later one → `already.refund`) | any |
//! | REFUND | | `暂不支持此种方式售后单` | taken |
//! | walk-in RETURN (no order) | | HTTP 500 | taken |
//! | order after a service | | CANCELED_RETURN_PENDING (original path), CLOSED_REFUNDED (`otherway`) | CANCELED_RETURN_PENDING (RETURN / EXCHANGE), CANCELED_REFUND_PENDING (REFUND) |
//! | EXCHANGE money | | full value of the returned lines refunded, supplement 0.00 | returns − exchanges |

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::after_sales::{Quote, ServiceType};
use super::order::{Channel, PaymentMethod, Status};
use super::Money;

/// Which platform the till speaks to: the one observed (`field`) or the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "lowercase")]
pub enum PlatformMode {
    #[default]
    Field,
    Documented,
}

impl PlatformMode {
    pub fn parse(s: &str) -> Option<PlatformMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "field" => Some(PlatformMode::Field),
            "documented" => Some(PlatformMode::Documented),
            _ => None,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            PlatformMode::Field => "field",
            PlatformMode::Documented => "documented",
        }
    }
}

/// How the money goes back to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundWay {
    /// Back the way it was paid (WeChat, online payment): the platform refunds.
    OriginalPath,
    /// Cash out of the drawer at the counter; a platform service is sent with
    /// `"otherway": true` (the platform then records it REFUNDED at once).
    Otherway,
}

impl RefundWay {
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundWay::OriginalPath => "ORIGINAL_PATH",
            RefundWay::Otherway => "OTHERWAY",
        }
    }
    /// Reads what we store (`as_str`) and what the platform sends: the real server spells
    /// the counter refund `OTHER_WAY`, earlier simulators `OTHERWAY`.
    pub fn parse(s: &str) -> Option<RefundWay> {
        match s.trim() {
            "ORIGINAL_PATH" => Some(RefundWay::OriginalPath),
            "OTHERWAY" | "OTHER_WAY" => Some(RefundWay::Otherway),
            _ => None,
        }
    }
    /// The words on the slip and the screen.
    pub fn label_zh(&self) -> &'static str {
        match self {
            RefundWay::OriginalPath => "原路退回",
            RefundWay::Otherway => "现金退款（柜台）",
        }
    }
    pub fn label_en(&self) -> &'static str {
        match self {
            RefundWay::OriginalPath => "back by the original payment path",
            RefundWay::Otherway => "cash at the counter",
        }
    }
}

/// The refund path for a paid order: a cash (or unknown, i.e. counter) sale is refunded in
/// cash at the counter; a WeChat or online payment goes back the way it came.
pub fn refund_way_for(payment: Option<PaymentMethod>) -> RefundWay {
    match payment {
        Some(PaymentMethod::Wechat) | Some(PaymentMethod::Online) => RefundWay::OriginalPath,
        Some(PaymentMethod::Cash) | None => RefundWay::Otherway,
    }
}

/// Why the store handles a service itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StoreOnlyWhy {
    /// A return without an order: the field platform answers HTTP 500.
    WalkIn,
    /// REFUND: `暂不支持此种方式售后单`.
    RefundUnsupported,
    /// The platform does not take a service on an order in this status
    /// (`order.status.transfer.error`), e.g. every completed counter sale.
    StatusNotTaken,
    /// The platform already holds a service for this order (`already.refund`).
    AlreadyServiced,
    /// The order is not on the platform at all (a secondary channel's own order).
    NotOnPlatform,
}

impl StoreOnlyWhy {
    pub fn code(&self) -> &'static str {
        match self {
            StoreOnlyWhy::WalkIn => "walk_in",
            StoreOnlyWhy::RefundUnsupported => "refund_unsupported",
            StoreOnlyWhy::StatusNotTaken => "status_not_taken",
            StoreOnlyWhy::AlreadyServiced => "already_serviced",
            StoreOnlyWhy::NotOnPlatform => "not_on_platform",
        }
    }
    pub fn label_zh(&self) -> &'static str {
        match self {
            StoreOnlyWhy::WalkIn => "无单退货，平台不受理",
            StoreOnlyWhy::RefundUnsupported => "平台不支持仅退款售后",
            StoreOnlyWhy::StatusNotTaken => "该订单状态平台不受理售后（如已完成的柜台订单）",
            StoreOnlyWhy::AlreadyServiced => "该订单在平台上已有售后单，平台只受理一次",
            StoreOnlyWhy::NotOnPlatform => "该订单不在平台上",
        }
    }
    pub fn label_en(&self) -> &'static str {
        match self {
            StoreOnlyWhy::WalkIn => "a return without an order: the platform does not take it",
            StoreOnlyWhy::RefundUnsupported => "the platform does not support REFUND services",
            StoreOnlyWhy::StatusNotTaken => {
                "the platform takes no service on an order in this status (e.g. a completed counter sale)"
            }
            StoreOnlyWhy::AlreadyServiced => "the platform already holds a service for this order and takes only one",
            StoreOnlyWhy::NotOnPlatform => "the order is not on the platform",
        }
    }
}

/// Why nobody takes a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RefusedWhy {
    /// Waiting for payment, cancelled or timed out: nothing to give back.
    NothingPaid,
    /// CLOSED_REFUNDED: everything was already given back.
    AlreadyRefunded,
}

impl RefusedWhy {
    pub fn label_zh(&self) -> &'static str {
        match self {
            RefusedWhy::NothingPaid => "订单未付款或已取消，无可退款项",
            RefusedWhy::AlreadyRefunded => "订单已全额退款，不能再做售后",
        }
    }
    pub fn label_en(&self) -> &'static str {
        match self {
            RefusedWhy::NothingPaid => "the order was never paid (or is cancelled): nothing to give back",
            RefusedWhy::AlreadyRefunded => "the order is already refunded in full",
        }
    }
}

/// Where a service goes and what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum Route {
    Platform {
        refund_way: RefundWay,
        /// Sent as `"otherway": true`.
        otherway: bool,
        /// The service's status right after the platform takes it.
        service_status: &'static str,
        /// What the order becomes (None: unlinked, no order).
        order_after: Option<Status>,
        /// Field: an EXCHANGE refunds the returned lines in full; the exchange goods are
        /// collected at the counter.
        exchange_refunds_in_full: bool,
    },
    StoreOnly {
        why: StoreOnlyWhy,
        refund_way: RefundWay,
    },
    Refused {
        why: RefusedWhy,
    },
}

impl Route {
    pub fn is_local_only(&self) -> bool {
        matches!(self, Route::StoreOnly { .. })
    }
    pub fn refund_way(&self) -> Option<RefundWay> {
        match self {
            Route::Platform { refund_way, .. } | Route::StoreOnly { refund_way, .. } => Some(*refund_way),
            Route::Refused { .. } => None,
        }
    }
}

/// What the rules need to know of the order a service refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts {
    pub status: Status,
    pub channel: Channel,
    pub payment: Option<PaymentMethod>,
    /// The platform has (or will have) this order: it has an order number, or it
    /// is a counter sale the sync engine creates there.
    pub on_platform: bool,
    /// Services on this order already sent (or to be sent) to the platform; local-only
    /// and refused ones do not count.
    pub platform_services: usize,
}

/// Statuses in which something was paid and is not yet all given back.
fn paid(status: Status) -> Result<(), RefusedWhy> {
    use Status::*;
    match status {
        CreatedPayPending | ClosedPayTimeout | ClosedCanceled => Err(RefusedWhy::NothingPaid),
        ClosedRefunded => Err(RefusedWhy::AlreadyRefunded),
        _ => Ok(()),
    }
}

/// Statuses the platform takes a service in, per mode.
pub fn platform_takes_status(mode: PlatformMode, status: Status) -> bool {
    use Status::*;
    match mode {
        PlatformMode::Field => {
            matches!(status, Delivering | DeliveredConfirmPending | CanceledReturnPending | CanceledRefundPending)
        }
        PlatformMode::Documented => paid(status).is_ok(),
    }
}

/// At most this many services per order on the platform (None: unbounded).
pub fn services_per_order(mode: PlatformMode) -> Option<usize> {
    match mode {
        PlatformMode::Field => Some(1),
        PlatformMode::Documented => None,
    }
}

pub fn platform_takes_type(mode: PlatformMode, t: ServiceType, linked: bool) -> Result<(), StoreOnlyWhy> {
    match (mode, t, linked) {
        (PlatformMode::Field, ServiceType::Refund, _) => Err(StoreOnlyWhy::RefundUnsupported),
        (PlatformMode::Field, ServiceType::Return, false) => Err(StoreOnlyWhy::WalkIn),
        _ => Ok(()),
    }
}

/// What the order becomes once the platform takes the service.
pub fn order_after(mode: PlatformMode, t: ServiceType, refund_way: RefundWay) -> Status {
    match (mode, refund_way, t) {
        (PlatformMode::Field, RefundWay::Otherway, _) => Status::ClosedRefunded,
        (PlatformMode::Field, RefundWay::OriginalPath, _) => Status::CanceledReturnPending,
        (PlatformMode::Documented, _, ServiceType::Refund) => Status::CanceledRefundPending,
        (PlatformMode::Documented, _, _) => Status::CanceledReturnPending,
    }
}

/// The service's status right after the platform takes it.
pub fn service_status_after(mode: PlatformMode, refund_way: RefundWay) -> &'static str {
    match (mode, refund_way) {
        (PlatformMode::Field, RefundWay::Otherway) => "REFUNDED",
        _ => "CREATED",
    }
}

/// Decides where a service goes. `order` is None for a walk-in RETURN.
pub fn route(mode: PlatformMode, t: ServiceType, order: Option<&OrderFacts>) -> Route {
    let Some(o) = order else {
        // A walk-in return: the customer is paid in cash at the counter.
        return match platform_takes_type(mode, t, false) {
            Err(why) => Route::StoreOnly { why, refund_way: RefundWay::Otherway },
            Ok(()) => Route::Platform {
                refund_way: RefundWay::Otherway,
                otherway: true,
                service_status: "CREATED",
                order_after: None,
                exchange_refunds_in_full: false,
            },
        };
    };
    if let Err(why) = paid(o.status) {
        return Route::Refused { why };
    }
    let way = refund_way_for(o.payment);
    // Whatever the platform would have done, the store gives the money back itself: cash
    // for a cash sale; a WeChat or online payment back the way it came (the store refunds it
    // from its merchant account). Cash for such an order is asked for explicitly
    // ([`with_cash`]) and needs a manager's approval.
    let store = |why| Route::StoreOnly { why, refund_way: way };
    if !o.on_platform {
        return store(StoreOnlyWhy::NotOnPlatform);
    }
    if let Err(why) = platform_takes_type(mode, t, true) {
        return store(why);
    }
    if services_per_order(mode).is_some_and(|max| o.platform_services >= max) {
        return store(StoreOnlyWhy::AlreadyServiced);
    }
    if !platform_takes_status(mode, o.status) {
        return store(StoreOnlyWhy::StatusNotTaken);
    }
    Route::Platform {
        refund_way: way,
        otherway: way == RefundWay::Otherway,
        service_status: service_status_after(mode, way),
        order_after: Some(order_after(mode, t, way)),
        exchange_refunds_in_full: mode == PlatformMode::Field && t == ServiceType::Exchange,
    }
}

/// The route when the clerk asks to refund in cash (钱箱现金) an order paid by WeChat or
/// online: the same destination, the money out of the drawer instead of back by the
/// original path; a platform service is then sent with `"otherway": true`. A route that
/// already pays cash (or is refused) is unchanged.
pub fn with_cash(mode: PlatformMode, t: ServiceType, route: Route) -> Route {
    match route {
        Route::StoreOnly { why, .. } => Route::StoreOnly { why, refund_way: RefundWay::Otherway },
        Route::Platform { order_after, exchange_refunds_in_full, .. } => Route::Platform {
            refund_way: RefundWay::Otherway,
            otherway: true,
            service_status: service_status_after(mode, RefundWay::Otherway),
            order_after: order_after.map(|_| self::order_after(mode, t, RefundWay::Otherway)),
            exchange_refunds_in_full,
        },
        r @ Route::Refused { .. } => r,
    }
}

/// The quote as the money will really move. On the field platform an EXCHANGE refunds
/// the returned lines in full (`supplementary_fee` 0.00 there): the customer gets the
/// returned value back and pays the exchange goods at the counter. The net for the
/// customer is the same; the figures are the ones that happen.
pub fn as_money_moves(route: &Route, q: &Quote) -> Quote {
    let mut q = q.clone();
    if let Route::Platform { exchange_refunds_in_full: true, .. } = route {
        let back: Money = q.returns.iter().map(|l| l.amount).sum();
        let out: Money = q.exchanges.iter().map(|l| l.amount).sum();
        q.refund_fee = Some(back);
        q.supplementary_fee = (out != Money::ZERO).then_some(out);
    }
    q
}

/// What the wizard says before the clerk confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Outlook {
    pub local_only: bool,
    pub refund_way: Option<RefundWay>,
    /// Money the customer receives (0 when none).
    pub customer_gets: Money,
    /// Money the customer pays on top (0 when none).
    pub customer_pays: Money,
    /// Cash leaving the drawer now (refunds in cash) and entering it (supplements).
    pub cash_out: Money,
    pub cash_in: Money,
    pub order_after: Option<Status>,
    pub says_zh: String,
    pub says_en: String,
}

pub fn outlook(route: &Route, q: &Quote) -> Outlook {
    let gets = q.refund_fee.unwrap_or(Money::ZERO);
    let pays = q.supplementary_fee.unwrap_or(Money::ZERO);
    let (mut zh, mut en) = match route {
        Route::Platform { refund_way, order_after, .. } => (
            format!(
                "提交平台售后单；{}{}",
                match refund_way {
                    RefundWay::Otherway => "顾客在柜台领取现金退款",
                    RefundWay::OriginalPath => "退款由平台原路退回",
                },
                order_after.map(|s| format!("；订单将变为「{}」", s.label_zh())).unwrap_or_default()
            ),
            format!(
                "sent to the platform; {}{}",
                match refund_way {
                    RefundWay::Otherway => "the customer is refunded in cash at the counter (otherway)",
                    RefundWay::OriginalPath => "the platform refunds by the original payment path",
                },
                order_after.map(|s| format!("; the order becomes {}", s.as_str())).unwrap_or_default()
            ),
        ),
        Route::StoreOnly { why, refund_way: RefundWay::Otherway } => (
            format!("门店自理：{}。本店从钱箱付现金给顾客，不提交平台", why.label_zh()),
            format!(
                "Store only: {}. The store pays the customer in cash from the drawer; nothing is sent to the platform",
                why.label_en()
            ),
        ),
        Route::StoreOnly { why, refund_way: RefundWay::OriginalPath } => (
            format!("门店自理：{}。本店从商户账户原路退回顾客的微信/线上付款，不动钱箱，不提交平台", why.label_zh()),
            format!(
                "Store only: {}. The store refunds the WeChat/online payment by its original path from the merchant account; the drawer is not touched; nothing is sent to the platform",
                why.label_en()
            ),
        ),
        Route::Refused { why } => {
            (format!("不能办理：{}", why.label_zh()), format!("Cannot be done: {}", why.label_en()))
        }
    };
    if let Route::Platform { exchange_refunds_in_full: true, .. } = route {
        zh.push_str("（平台换货全额退回退货金额，换出商品在柜台另行收取）");
        en.push_str(" (the platform refunds the returned goods in full; the goods given are paid at the counter)");
    }
    if !matches!(route, Route::Refused { .. }) {
        zh.push_str(&format!("。顾客退回 ¥{gets}"));
        en.push_str(&format!(". The customer gets back ¥{gets}"));
        if pays != Money::ZERO {
            zh.push_str(&format!("，需补差价 ¥{pays}"));
            en.push_str(&format!(" and pays ¥{pays} on top"));
        }
        zh.push('。');
        en.push('.');
    }
    let cash = matches!(route.refund_way(), Some(RefundWay::Otherway));
    Outlook {
        local_only: route.is_local_only(),
        refund_way: route.refund_way(),
        customer_gets: gets,
        customer_pays: pays,
        cash_out: if cash { gets } else { Money::ZERO },
        cash_in: if matches!(route, Route::Refused { .. }) { Money::ZERO } else { pays },
        order_after: match route {
            Route::Platform { order_after, .. } => *order_after,
            _ => None,
        },
        says_zh: zh,
        says_en: en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlatformMode::*;
    use ServiceType::*;
    use Status::*;

    fn facts(status: Status, payment: Option<PaymentMethod>, services: usize) -> OrderFacts {
        OrderFacts { status, channel: Channel::Counter, payment, on_platform: true, platform_services: services }
    }

    /// Which statuses take a service, per mode: the table the wizard follows.
    #[test]
    fn statuses_table() {
        let table: &[(Status, bool, bool)] = &[
            // status, field, documented
            (CreatedPayPending, false, false),
            (ClosedPayTimeout, false, false),
            (ClosedCanceled, false, false),
            (PaidConfirmPending, false, true),
            (ConfirmedDeliverPending, false, true),
            (ConfirmedPickPending, false, true),
            (Delivering, true, true),
            (DeliveredConfirmPending, true, true),
            (CanceledReturnPending, true, true),
            (CanceledRefundPending, true, true),
            (ClosedConfirmed, false, true),
            (ClosedRefunded, false, false),
        ];
        assert_eq!(table.len(), Status::ALL.len());
        for (s, field, doc) in table {
            assert_eq!(platform_takes_status(Field, *s), *field, "field {s:?}");
            assert_eq!(platform_takes_status(Documented, *s), *doc, "documented {s:?}");
        }
    }

    /// Every (mode, type, status, payment, earlier services) case → route.
    #[test]
    fn route_table() {
        use PaymentMethod::*;
        type Row = (PlatformMode, ServiceType, Status, Option<PaymentMethod>, usize, &'static str);
        let rows: &[Row] = &[
            // completed counter sale: field never takes it
            (Field, Return, ClosedConfirmed, Some(Cash), 0, "store:status_not_taken"),
            (Field, Exchange, ClosedConfirmed, Some(Cash), 0, "store:status_not_taken"),
            (Documented, Return, ClosedConfirmed, Some(Cash), 0, "platform:OTHERWAY:CLOSED_REFUNDED?no"),
            // REFUND
            (Field, Refund, Delivering, Some(Wechat), 0, "store:refund_unsupported"),
            (Documented, Refund, Delivering, Some(Wechat), 0, "platform:ORIGINAL_PATH:CANCELED_REFUND_PENDING"),
            // taken by status, refund path by payment
            (Field, Return, Delivering, Some(Cash), 0, "platform:OTHERWAY:CLOSED_REFUNDED"),
            (Field, Return, DeliveredConfirmPending, Some(Wechat), 0, "platform:ORIGINAL_PATH:CANCELED_RETURN_PENDING"),
            (Field, Exchange, Delivering, Some(Online), 0, "platform:ORIGINAL_PATH:CANCELED_RETURN_PENDING"),
            (Field, Return, CanceledReturnPending, Some(Wechat), 0, "platform:ORIGINAL_PATH:CANCELED_RETURN_PENDING"),
            // one service per order (field)
            (Field, Return, CanceledReturnPending, Some(Wechat), 1, "store:already_serviced"),
            (
                Documented,
                Return,
                CanceledReturnPending,
                Some(Wechat),
                3,
                "platform:ORIGINAL_PATH:CANCELED_RETURN_PENDING",
            ),
            // refused in both modes
            (Field, Return, CreatedPayPending, None, 0, "refused:nothing_paid"),
            (Documented, Refund, ClosedCanceled, Some(Cash), 0, "refused:nothing_paid"),
            (Field, Return, ClosedRefunded, Some(Cash), 1, "refused:already_refunded"),
            (Documented, Exchange, ClosedRefunded, Some(Wechat), 0, "refused:already_refunded"),
            // accepted but not shipped: field refuses (transfer error) → store only
            (Field, Return, PaidConfirmPending, Some(Online), 0, "store:status_not_taken"),
        ];
        for (mode, t, st, pay, n, want) in rows {
            let r = route(*mode, *t, Some(&facts(*st, *pay, *n)));
            let got = match r {
                Route::StoreOnly { why, refund_way } => {
                    assert_eq!(refund_way, refund_way_for(*pay), "store only gives back the way it was paid");
                    format!("store:{}", why.code())
                }
                Route::Refused { why } => format!("refused:{}", serde_json::to_value(why).unwrap().as_str().unwrap()),
                Route::Platform { refund_way, otherway, order_after, service_status, .. } => {
                    assert_eq!(otherway, refund_way == RefundWay::Otherway);
                    assert_eq!(service_status, if *mode == Field && otherway { "REFUNDED" } else { "CREATED" });
                    format!("platform:{}:{}", refund_way.as_str(), order_after.unwrap().as_str())
                }
            };
            let want = want.replace("CLOSED_REFUNDED?no", "CANCELED_RETURN_PENDING");
            assert_eq!(got, want, "{mode:?} {t:?} {st:?} {pay:?} {n}");
        }
    }

    #[test]
    fn walk_in_and_off_platform() {
        assert_eq!(
            route(Field, Return, None),
            Route::StoreOnly { why: StoreOnlyWhy::WalkIn, refund_way: RefundWay::Otherway }
        );
        assert!(matches!(route(Documented, Return, None), Route::Platform { order_after: None, otherway: true, .. }));
        let mut f = facts(Delivering, Some(PaymentMethod::Online), 0);
        f.on_platform = false;
        // An online payment the platform never saw goes back by its original path…
        assert_eq!(
            route(Field, Return, Some(&f)),
            Route::StoreOnly { why: StoreOnlyWhy::NotOnPlatform, refund_way: RefundWay::OriginalPath }
        );
        assert_eq!(
            route(Documented, Return, Some(&f)),
            Route::StoreOnly { why: StoreOnlyWhy::NotOnPlatform, refund_way: RefundWay::OriginalPath }
        );
        // …and in cash only when asked for (with a manager's approval, domain::approval).
        assert_eq!(
            with_cash(Field, Return, route(Field, Return, Some(&f))),
            Route::StoreOnly { why: StoreOnlyWhy::NotOnPlatform, refund_way: RefundWay::Otherway }
        );
        let on = facts(Delivering, Some(PaymentMethod::Wechat), 0);
        assert!(matches!(
            with_cash(Field, Return, route(Field, Return, Some(&on))),
            Route::Platform { refund_way: RefundWay::Otherway, otherway: true, service_status: "REFUNDED", .. }
        ));
    }

    #[test]
    fn refund_path_by_payment() {
        assert_eq!(refund_way_for(Some(PaymentMethod::Cash)), RefundWay::Otherway);
        assert_eq!(refund_way_for(None), RefundWay::Otherway);
        assert_eq!(refund_way_for(Some(PaymentMethod::Wechat)), RefundWay::OriginalPath);
        assert_eq!(refund_way_for(Some(PaymentMethod::Online)), RefundWay::OriginalPath);
        assert_eq!(RefundWay::Otherway.label_zh(), "现金退款（柜台）");
        assert_eq!(RefundWay::OriginalPath.label_zh(), "原路退回");
    }

    #[test]
    fn refund_way_reads_the_platform_spellings() {
        for (text, want) in [
            ("ORIGINAL_PATH", RefundWay::OriginalPath),
            ("OTHER_WAY", RefundWay::Otherway),
            ("OTHERWAY", RefundWay::Otherway),
        ] {
            assert_eq!(RefundWay::parse(text), Some(want), "{text}");
        }
        assert_eq!(RefundWay::parse("CASH"), None);
        // What the ledger stores (and stats query) stays one spelling.
        for w in [RefundWay::OriginalPath, RefundWay::Otherway] {
            assert_eq!(RefundWay::parse(w.as_str()), Some(w));
        }
        assert_eq!(RefundWay::Otherway.as_str(), "OTHERWAY");
    }

    #[test]
    fn exchange_refunded_in_full_on_field() {
        use crate::domain::after_sales::QuotedLine;
        let line = |amount: i64| QuotedLine {
            line_no: Some(1),
            product_id: 1,
            specification_id: None,
            name: "a".into(),
            quantity: 1,
            amount: Money::yuan(amount),
        };
        let q = Quote {
            service_type: Exchange,
            refund_fee: Some(Money::yuan(68)),
            supplementary_fee: None,
            returns: vec![line(90)],
            exchanges: vec![line(22)],
        };
        let field = route(Field, Exchange, Some(&facts(Delivering, Some(PaymentMethod::Cash), 0)));
        let m = as_money_moves(&field, &q);
        assert_eq!((m.refund_fee, m.supplementary_fee), (Some(Money::yuan(90)), Some(Money::yuan(22))));
        let o = outlook(&field, &m);
        assert_eq!(o.customer_gets - o.customer_pays, Money::yuan(68), "the net is the same");
        assert_eq!((o.cash_out, o.cash_in), (Money::yuan(90), Money::yuan(22)));
        let doc = route(Documented, Exchange, Some(&facts(Delivering, Some(PaymentMethod::Cash), 0)));
        assert_eq!(as_money_moves(&doc, &q), q);
        // A store-only exchange is priced like the documents: the store nets it.
        let store = route(Field, Exchange, Some(&facts(ClosedConfirmed, Some(PaymentMethod::Cash), 0)));
        assert_eq!(as_money_moves(&store, &q), q);
    }

    #[test]
    fn outlook_says_before_confirming() {
        use crate::domain::after_sales::QuotedLine;
        let q = Quote {
            service_type: Return,
            refund_fee: Some(Money::yuan(30)),
            supplementary_fee: None,
            returns: vec![QuotedLine {
                line_no: Some(1),
                product_id: 1,
                specification_id: None,
                name: "a".into(),
                quantity: 1,
                amount: Money::yuan(30),
            }],
            exchanges: vec![],
        };
        let store = route(Field, Return, Some(&facts(ClosedConfirmed, Some(PaymentMethod::Cash), 0)));
        let o = outlook(&store, &q);
        assert!(o.local_only);
        assert!(o.says_zh.contains("门店自理") && o.says_zh.contains("¥30.00"), "{}", o.says_zh);
        assert_eq!(o.cash_out, Money::yuan(30));
        let wx = route(Field, Return, Some(&facts(Delivering, Some(PaymentMethod::Wechat), 0)));
        let o = outlook(&wx, &q);
        assert!(!o.local_only && o.says_zh.contains("原路退回") && o.says_zh.contains("待退货"), "{}", o.says_zh);
        assert_eq!(o.cash_out, Money::ZERO);
        let refused = route(Field, Return, Some(&facts(ClosedRefunded, Some(PaymentMethod::Cash), 1)));
        assert!(outlook(&refused, &q).says_zh.starts_with("不能办理"));
        assert!(!outlook(&refused, &q).says_zh.contains("¥"));
    }
}
