//! 会员 and 发票 on a counter sale (issue 23, item 4): the customer the cashier typed,
//! checked here and kept beside the order (`ledger::customers`); the sync engine sends it
//! as the create's `contact` / `invoice` / `invoice_title` and records whether the
//! platform matched a member. When the platform's member services keep failing, the
//! cashier may — with the customer's consent — send the sale without the member
//! (`sale_member_drop`); the engine still looks the order up by its marker before that
//! resend, so it never becomes two orders.

use serde::Deserialize;
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, ErrorCode, Event, SELLERS};
use crate::command;
use crate::domain::member::{normalize_mobile, MemberError, MemberState};
use crate::ledger::customers::{self, SaleCustomer};
use crate::ledger::{journal, orders};

pub const COMMANDS: &[super::Command] = &[
    command!("sale_customer_get", Access::Roles(SELLERS), sale_customer_get),
    command!("sale_member_drop", Access::Roles(SELLERS), sale_member_drop),
];

/// The customer of a new sale from what the cashier typed (None when nothing was typed).
pub fn customer_of(
    client_ref: &str,
    phone: Option<&str>,
    name: Option<&str>,
    invoice_title: Option<&str>,
) -> Result<Option<SaleCustomer>, CommandError> {
    let clean = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let (phone, name, title) = (clean(phone), clean(name), clean(invoice_title));
    let bad = |e: MemberError| CommandError::validation(e.message_zh(), e.to_string());
    let phone = phone.map(|p| normalize_mobile(&p)).transpose().map_err(bad)?;
    if name.is_some() && phone.is_none() {
        return Err(bad(MemberError::NameWithoutPhone));
    }
    for s in [name.as_deref(), title.as_deref()].into_iter().flatten() {
        // The marker is ours alone (the same rule as `sales::check_text`, which imports us).
        if s.contains("[spos:") {
            return Err(CommandError::validation("顾客信息含有保留字符", "customer text contains a reserved marker"));
        }
        if s.chars().count() > 64 {
            return Err(CommandError::validation(
                "姓名或发票抬头过长（最多 64 字）",
                "name or invoice title too long (max 64)",
            ));
        }
    }
    if phone.is_none() && title.is_none() {
        return Ok(None);
    }
    Ok(Some(SaleCustomer {
        client_ref: client_ref.to_string(),
        member_state: if phone.is_some() { MemberState::Pending } else { MemberState::NotMember },
        member_phone: phone,
        member_name: name,
        invoice_title: title,
        member_failures: 0,
        member_user_id: None,
        member_trouble: false,
    }))
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CustomerRef {
    pub client_ref: String,
}

fn sale_customer_get(app: &App, _: &Ctx, req: CustomerRef) -> Result<Option<SaleCustomer>, CommandError> {
    Ok(customers::get(app.ledger().read(), &req.client_ref)?)
}

fn sale_member_drop(app: &App, ctx: &Ctx, req: CustomerRef) -> Result<SaleCustomer, CommandError> {
    let actor = ctx.actor();
    let mut ledger = app.ledger();
    let c = customers::get(ledger.read(), &req.client_ref)?
        .ok_or_else(|| CommandError::not_found("这张订单没有会员", "this sale has no member"))?;
    let order = orders::require(ledger.read(), &req.client_ref)?;
    if order.order_number.is_some() || c.member_state != MemberState::Pending || c.member_phone.is_none() {
        return Err(CommandError::new(
            ErrorCode::IllegalAction,
            "订单已上传平台（或没有待处理的会员），不能再去掉会员",
            "the sale reached the platform (or has no pending member): the member cannot be dropped now",
        ));
    }
    ledger.write(|tx| -> Result<(), CommandError> {
        customers::set_state(tx, &req.client_ref, MemberState::Dropped, None)?;
        crate::ledger::outbox::create_due_now(tx, crate::ledger::outbox::PLATFORM_CHANNEL, &req.client_ref)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "order",
                entity_ref: &req.client_ref,
                action: "member_drop",
                before: Some("pending"),
                after: Some("dropped"),
                detail: Some(format!("{} failed creates with the member; sent without it", c.member_failures)),
            },
        )?;
        Ok(())
    })?;
    drop(ledger);
    app.wake_engines();
    app.publish(Event::OrderChanged { client_ref: req.client_ref.clone(), status: order.status.as_str().into() });
    Ok(customers::get(app.ledger().read(), &req.client_ref)?.expect("exists"))
}
