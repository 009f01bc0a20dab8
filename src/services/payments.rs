//! Payments that need the platform: WeChat Pay NATIVE codes.
//!
//! Rules (issue "Payments"): a payment counts only when the platform says the order is
//! paid (read back); offline or `push_order` failing gives a clear message and cash stays
//! available; a code lives 2 hours and an expired code is replaced, never reused; two
//! codes are never live for one order (a partial unique index enforces it); a payment
//! that arrives after the cashier cancelled the sale becomes a conflict that needs a
//! refund, never ignored.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::app::error::{CommandError, ErrorCode};
use crate::app::App;
use crate::clients::platform::client::{PlatformClient, PlatformError};

/// How long a NATIVE `code_url` stays valid (WeChat Pay: 2 hours).
pub const CODE_TTL: Duration = Duration::from_secs(2 * 3600);

/// One client per store, held by the app (its login token is reused across commands).
pub fn platform(app: &App) -> Result<Arc<PlatformClient>, CommandError> {
    app.platform_client(|| {
        let platform = crate::app::config::load_platform(app.data_dir())?.ok_or_else(|| {
            CommandError::new(
                ErrorCode::Offline,
                "本店未连接平台，无法使用微信支付，请收现金",
                "no platform configured: WeChat Pay is unavailable, take cash",
            )
        })?;
        let cfg = app.config();
        let client_cfg = platform
            .client_config(cfg.store_id, &cfg.store_name)
            .with_timeouts(Duration::from_secs(2), Duration::from_secs(6));
        PlatformClient::shared(client_cfg).map_err(|e| platform_error(&e))
    })
}

/// A platform failure, told to the cashier with the way out (cash).
pub fn platform_error(e: &PlatformError) -> CommandError {
    if e.is_offline() {
        CommandError::new(
            ErrorCode::Offline,
            "网络不通，暂时无法使用微信支付，请收现金",
            format!("platform unreachable ({e}); take cash"),
        )
    } else if matches!(e, PlatformError::Server { .. }) {
        CommandError::new(
            ErrorCode::Platform,
            "微信支付暂不可用（平台连不上微信），请收现金",
            format!("WeChat Pay unavailable ({e}); take cash"),
        )
    } else if matches!(e, PlatformError::NotFound { .. }) {
        // The field server answers an unknown order number with a 404 page: no such order.
        CommandError::new(
            ErrorCode::Platform,
            "平台上查不到这张订单，无法用微信支付，请收现金",
            "the platform has no such order (HTTP 404); take cash",
        )
    } else {
        CommandError::new(
            ErrorCode::Platform,
            format!("平台拒绝：{}", e.platform_message().unwrap_or("未知错误")),
            e.to_string(),
        )
    }
}

pub use crate::app::qr::qr_svg;

pub fn now_text() -> String {
    crate::ledger::time_text(Utc::now())
}

pub fn expiry_text() -> String {
    crate::ledger::time_text(Utc::now() + chrono::Duration::from_std(CODE_TTL).expect("2 h"))
}

/// The platform's word on whether a counter order has been paid.
pub fn platform_says_paid(status: &str, pay_date: Option<&str>) -> bool {
    use crate::domain::order::Status;
    match Status::parse(status) {
        Some(Status::CreatedPayPending) | Some(Status::ClosedPayTimeout) | None => false,
        Some(Status::ClosedCanceled) => pay_date.is_some_and(|d| !d.is_empty()),
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_means_what_the_platform_says() {
        assert!(!platform_says_paid("CREATED_PAY_PENDING", None));
        assert!(platform_says_paid("PAID_CONFIRM_PENDING", Some("2026-11-23 10:00:00")));
        assert!(platform_says_paid("CLOSED_CONFIRMED", None));
        assert!(platform_says_paid("CLOSED_CANCELED", Some("2026-11-23 10:00:00")), "paid after cancel");
        assert!(!platform_says_paid("CLOSED_CANCELED", None));
        assert!(!platform_says_paid("WHATEVER", Some("x")));
    }

    #[test]
    fn svg_is_large_and_has_a_quiet_zone() {
        let s = qr_svg("weixin://wxpay/bizpayurl?pr=AbCdEf1").unwrap();
        assert!(s.starts_with("<?xml") || s.starts_with("<svg"));
        assert!(s.contains("width=\"3") || s.contains("width=\"4"), "{}", &s[..200.min(s.len())]);
    }
}
