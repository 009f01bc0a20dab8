//! Carts that are not orders yet (issue 23): the draft of each screen, so a reload, a crash
//! of the till or another window of the same screen gets the cart (and the unpaid sale it
//! was taking money for) back; and 挂单/取单, a cart parked with a note and recalled on any
//! screen of this till. Nothing here goes to the platform: only checkout (`sale_create`)
//! makes an order.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, Ack, App, CommandError, Ctx, ErrorCode, MANAGERS, SELLERS};
use crate::command;
use crate::domain::draft::CartDraft;
use crate::domain::order::{Channel, Order, Status};
use crate::ledger::drafts::{self, HeldCart, NewHold};
use crate::ledger::{journal, orders};

pub const COMMANDS: &[super::Command] = &[
    command!("cart_draft_get", Access::Roles(SELLERS), cart_draft_get),
    command!("cart_draft_put", Access::Roles(SELLERS), cart_draft_put),
    command!("cart_hold", Access::Roles(SELLERS), cart_hold),
    command!("cart_held_list", Access::Roles(SELLERS), cart_held_list),
    command!("cart_recall", Access::Roles(SELLERS), cart_recall),
    command!("cart_held_discard", Access::Roles(MANAGERS), cart_held_discard),
];

/// A screen's id: the UI makes one per browser profile / desktop window and keeps it.
fn check_device(d: &str) -> Result<(), CommandError> {
    let ok = (1..=64).contains(&d.len()) && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CommandError::validation("设备标识无效", "device must be 1–64 letters, digits, - or _"))
    }
}

fn check_cart(c: &CartDraft) -> Result<(), CommandError> {
    c.validate()?;
    for s in [Some(c.remark.as_str()), c.member_name.as_deref(), c.invoice_title.as_deref()].into_iter().flatten() {
        check_text("备注", "text", s)?;
    }
    Ok(())
}

/// Text a person typed: at most 200 characters and never our `[spos:` marker. (The same
/// rule as the sales commands'; kept here so this file depends on no other command file —
/// on main it lives in `commands::input::check_text`, which this may use after the merge.)
fn check_text(what_zh: &str, what_en: &str, s: &str) -> Result<(), CommandError> {
    let max = crate::domain::draft::MAX_DRAFT_TEXT;
    if s.chars().count() > max {
        return Err(CommandError::validation(
            format!("{what_zh}过长（最多 {max} 字）"),
            format!("{what_en} is too long (max {max})"),
        ));
    }
    if s.contains("[spos:") {
        return Err(CommandError::validation(
            format!("{what_zh}含有保留字符"),
            format!("{what_en} contains a reserved marker"),
        ));
    }
    Ok(())
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeviceRef {
    pub device: String,
}

/// The screen's draft and the unpaid sale it was taking money for, if that sale is
/// still unpaid (a sale paid or cancelled meanwhile, e.g. from 今日订单, is not reopened).
#[derive(Serialize, TS)]
pub struct DraftView {
    pub cart: Option<CartDraft>,
    pub pending: Option<Order>,
    pub updated_at: Option<String>,
}

fn still_unpaid(o: &Order) -> bool {
    o.channel == Channel::Counter && o.status == Status::CreatedPayPending
}

fn cart_draft_get(app: &App, _: &Ctx, req: DeviceRef) -> Result<DraftView, CommandError> {
    check_device(&req.device)?;
    let ledger = app.ledger();
    let Some(d) = drafts::get_draft(ledger.read(), &req.device)? else {
        return Ok(DraftView { cart: None, pending: None, updated_at: None });
    };
    let sale = match &d.pending_client_ref {
        Some(r) => orders::get(ledger.read(), r)?,
        None => None,
    };
    let cart = match &sale {
        // Paid meanwhile (e.g. from 今日订单): the cart became that sale; nothing to reopen.
        Some(o) if !still_unpaid(o) && o.status != Status::ClosedCanceled => None,
        // Cancelled meanwhile: the cart comes back unlocked, as after a cancel on this screen.
        _ => Some(d.cart),
    };
    Ok(DraftView { cart, pending: sale.filter(still_unpaid), updated_at: Some(d.updated_at) })
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct DraftPut {
    pub device: String,
    pub cart: CartDraft,
    #[serde(default)]
    pub pending_client_ref: Option<String>,
}

fn cart_draft_put(app: &App, ctx: &Ctx, req: DraftPut) -> Result<Ack, CommandError> {
    check_device(&req.device)?;
    check_cart(&req.cart)?;
    let user = ctx.user()?.id;
    app.ledger()
        .write(|tx| drafts::put_draft(tx, &req.device, Some(user), &req.cart, req.pending_client_ref.as_deref()))?;
    Ok(Ack {})
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    pub device: String,
    pub cart: CartDraft,
    pub note: String,
}

fn cart_hold(app: &App, ctx: &Ctx, req: HoldRequest) -> Result<HeldCart, CommandError> {
    check_device(&req.device)?;
    check_cart(&req.cart)?;
    if req.cart.lines.is_empty() {
        return Err(CommandError::validation("购物车是空的，没有可挂的单", "the cart is empty: nothing to hold"));
    }
    let note = req.note.trim().to_string();
    check_text("挂单备注", "note", &note)?;
    let cfg = app.config();
    let day = cfg.rule.day_of(Utc::now()).to_string();
    let hold_ref = uuid::Uuid::now_v7().to_string();
    let actor = ctx.actor();
    let held_by = ctx.user()?.display_name.clone();
    let mut ledger = app.ledger();
    ledger.write(|tx| -> Result<(), CommandError> {
        drafts::hold(
            tx,
            &NewHold {
                hold_ref: &hold_ref,
                till_code: &cfg.till_code,
                business_day: &day,
                note: &note,
                cart: &req.cart,
                held_by: &held_by,
            },
        )?;
        // The screen is free for the next customer.
        drafts::put_draft(tx, &req.device, None, &CartDraft::default(), None)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "held_cart",
                entity_ref: &hold_ref,
                action: "hold",
                before: None,
                after: Some("held"),
                detail: Some(format!("{} lines, {} · {note}", req.cart.lines.len(), req.cart.total())),
            },
        )?;
        Ok(())
    })?;
    let h = drafts::get_hold(ledger.read(), &hold_ref)?.expect("just held");
    tracing::info!(hold_ref = %hold_ref, total = %h.total, "cart held");
    Ok(h)
}

/// One open hold and whether it is older than today's business day (a cart left over:
/// the manager sees these and may discard them).
#[derive(Serialize, TS)]
pub struct HeldEntry {
    pub hold: HeldCart,
    pub stale: bool,
}

#[derive(Serialize, TS)]
pub struct HeldList {
    pub business_day: String,
    pub held: Vec<HeldEntry>,
}

fn cart_held_list(app: &App, _: &Ctx, _: super::session::Empty) -> Result<HeldList, CommandError> {
    let day = app.config().rule.day_of(Utc::now()).to_string();
    let held = drafts::open_holds(app.ledger().read())?
        .into_iter()
        .map(|h| HeldEntry { stale: h.business_day < day, hold: h })
        .collect();
    Ok(HeldList { business_day: day, held })
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecallRequest {
    pub hold_ref: String,
    pub device: String,
}

fn taken() -> CommandError {
    CommandError::new(ErrorCode::Conflict, "这张挂单已被取走", "this held cart was already recalled")
}

fn cart_recall(app: &App, ctx: &Ctx, req: RecallRequest) -> Result<HeldCart, CommandError> {
    check_device(&req.device)?;
    let actor = ctx.actor();
    let user = ctx.user()?.id;
    let mut ledger = app.ledger();
    let h = drafts::get_hold(ledger.read(), &req.hold_ref)?
        .ok_or_else(|| CommandError::not_found("没有这张挂单", "no such held cart"))?;
    if let Some(d) = drafts::get_draft(ledger.read(), &req.device)? {
        if !d.cart.lines.is_empty() || d.pending_client_ref.is_some() {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                "当前购物车还有商品：请先结账或挂单，再取单",
                "the cart on this screen is not empty: check out or hold it first",
            ));
        }
    }
    ledger.write(|tx| -> Result<(), CommandError> {
        if !drafts::close_hold(tx, &req.hold_ref, &actor, false)? {
            return Err(taken());
        }
        // The note (挂单备注) comes back with the cart, as its remark.
        drafts::put_draft(tx, &req.device, Some(user), &h.cart.recalled_with_note(&h.note), None)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "held_cart",
                entity_ref: &req.hold_ref,
                action: "recall",
                before: Some("held"),
                after: Some("recalled"),
                detail: Some(req.device.clone()),
            },
        )?;
        Ok(())
    })?;
    let mut h = drafts::get_hold(ledger.read(), &req.hold_ref)?.expect("exists");
    // What the screen puts in its cart: the same cart as the draft, note included.
    h.cart = h.cart.recalled_with_note(&h.note);
    Ok(h)
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DiscardRequest {
    pub hold_ref: String,
    pub reason: String,
}

/// A manager clears a cart nobody came back for (nothing was sold: no order, no money).
fn cart_held_discard(app: &App, ctx: &Ctx, req: DiscardRequest) -> Result<HeldCart, CommandError> {
    check_text("原因", "reason", &req.reason)?;
    let actor = ctx.actor();
    let mut ledger = app.ledger();
    ledger.write(|tx| -> Result<(), CommandError> {
        if !drafts::close_hold(tx, &req.hold_ref, &actor, true)? {
            return Err(taken());
        }
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "held_cart",
                entity_ref: &req.hold_ref,
                action: "discard",
                before: Some("held"),
                after: Some("discarded"),
                detail: Some(req.reason.clone()),
            },
        )?;
        Ok(())
    })?;
    drafts::get_hold(ledger.read(), &req.hold_ref)?
        .ok_or_else(|| CommandError::not_found("没有这张挂单", "no such held cart"))
}
