//! Platform users known by phone (members): a counter order whose `contact.phone` is one
//! of theirs is attached to them in field mode (DESIGN.md, "member and invoice on a
//! counter order"): `user_id` becomes the member's, the order number ends with the
//! member's user id, and the member's binding assistant / followed / bound store are filled
//! from the platform's store service. When the VIP or store service fails (the
//! `member_service_fail` fault), the create answers HTTP 500 HTML and stores nothing.

use serde::Serialize;

/// One platform user with a phone.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub user_id: u64,
    pub phone: &'static str,
    pub name: &'static str,
    /// Their binding assistant (导购) and the store they follow / are bound to.
    pub store_guide_user_id: u64,
    pub store_guide_user_name: &'static str,
    pub binding_store_id: u64,
}

/// The members every simulator knows (`GET /sim/members`).
pub const MEMBERS: &[Member] = &[
    Member {
        user_id: 501,
        phone: "13800138000",
        name: "王小明",
        store_guide_user_id: 2,
        store_guide_user_name: "store1",
        binding_store_id: 1,
    },
    Member {
        user_id: 7702,
        phone: "13912345678",
        name: "李娜",
        store_guide_user_id: 2,
        store_guide_user_name: "store1",
        binding_store_id: 1,
    },
];

pub fn by_phone(phone: &str) -> Option<&'static Member> {
    MEMBERS.iter().find(|m| m.phone == phone)
}
