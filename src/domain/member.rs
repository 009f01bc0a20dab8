//! The customer of a counter sale (seed 000 店员新建订单: `contact`, `invoice`,
//! `invoice_title`): a member's phone (and name) and an invoice title. The platform
//! attaches the order to the platform user with that phone (DESIGN.md, "member and invoice
//! on a counter order"); there is no member look-up for a clerk, so whether a member was
//! matched is known only from the order read back (its `user_id` is no longer the clerk's).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::DomainError;

/// A mainland mobile number: 11 digits, `1[3-9]…`. Spaces and dashes are dropped first.
pub fn normalize_mobile(raw: &str) -> Result<String, MemberError> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = digits.len() == 11
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9');
    if ok {
        Ok(digits)
    } else {
        Err(MemberError::BadPhone(raw.to_string()))
    }
}

/// `138****8000`: what a receipt or a log line shows of a phone.
pub fn mask_mobile(p: &str) -> String {
    if p.len() == 11 && p.is_ascii() {
        format!("{}****{}", &p[..3], &p[7..])
    } else {
        "****".into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    #[error("{0:?} is not a mainland mobile number (11 digits starting with 13–19)")]
    BadPhone(String),
    #[error("a customer name needs a phone number")]
    NameWithoutPhone,
}

impl MemberError {
    /// The cashier's words.
    pub fn message_zh(&self) -> String {
        match self {
            MemberError::BadPhone(p) => format!("手机号「{p}」无效：应为 11 位数字，以 13–19 开头"),
            MemberError::NameWithoutPhone => "填写顾客姓名时请同时填写手机号".into(),
        }
    }
}

impl From<MemberError> for DomainError {
    fn from(e: MemberError) -> Self {
        DomainError::Invalid(format!("{} / {e}", e.message_zh()))
    }
}

/// What became of the member on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    /// Not sent yet (or not read back yet).
    Pending,
    /// The order was attached to the platform user with this phone.
    Matched,
    /// No platform user has this phone: it stays on the order as a contact.
    NotMember,
    /// The cashier, with the customer's consent, sent the sale without the member after
    /// the platform's member services kept failing.
    Dropped,
}

impl MemberState {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Pending => "pending",
            MemberState::Matched => "matched",
            MemberState::NotMember => "not_member",
            MemberState::Dropped => "dropped",
        }
    }
    pub fn parse(s: &str) -> MemberState {
        match s {
            "matched" => MemberState::Matched,
            "not_member" => MemberState::NotMember,
            "dropped" => MemberState::Dropped,
            _ => MemberState::Pending,
        }
    }
}

/// Creates with a member that failed before the till offers to send without it.
pub const MEMBER_TROUBLE_AFTER: u32 = 2;

/// Whether a failed create with a member should be put to the cashier: the member's
/// services are the likely cause once it kept failing (`failures` so far, counted per sale).
pub fn member_trouble(failures: u32, has_phone: bool, state: MemberState) -> bool {
    has_phone && state == MemberState::Pending && failures >= MEMBER_TROUBLE_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_mobiles_only() {
        assert_eq!(normalize_mobile("138 0013-8000").unwrap(), "13800138000");
        for bad in ["", "1380013800", "138001380001", "12800138000", "23800138000", "1380013800a", "+8613800138000"] {
            assert!(normalize_mobile(bad).is_err(), "{bad}");
        }
        assert!(MemberError::BadPhone("1".into()).message_zh().contains("11 位"));
        assert_eq!(mask_mobile("13800138000"), "138****8000");
    }

    #[test]
    fn trouble_is_offered_after_repeated_failures_with_a_phone() {
        assert!(!member_trouble(1, true, MemberState::Pending));
        assert!(member_trouble(2, true, MemberState::Pending));
        assert!(!member_trouble(5, false, MemberState::Pending), "no member, no member trouble");
        assert!(!member_trouble(5, true, MemberState::Dropped), "already sent without");
    }
}
