//! Taking money: WeChat Pay NATIVE codes and the no-sale drawer open. (Cash is
//! `sale_cash_pay` in `sales.rs`.)

use std::time::{Duration, Instant};
use ts_rs::TS;

use serde::{Deserialize, Serialize};

use super::transition::{record_transition, Transition};
use super::{Access, App, CommandError, Ctx, ErrorCode, Event, SELLERS};
use crate::clients::platform::client::Platform;
use crate::command;
use crate::domain::order::{Channel, Conflict, Order, PaymentMethod, Status, SyncState};
use crate::domain::transitions::Action;
use crate::ledger::payments::{self as codes, WechatCode};
use crate::ledger::{journal, orders, time_text};
use crate::services::payments::{expiry_text, now_text, platform, platform_error, platform_says_paid, qr_svg};
use crate::services::printing::{self, Payload, Router};

pub const COMMANDS: &[super::Command] = &[
    command!("wechat_start", Access::Roles(SELLERS), wechat_start),
    command!("wechat_status_get", Access::Roles(SELLERS), wechat_status),
    command!("wechat_cancel", Access::Roles(SELLERS), wechat_cancel),
    command!("drawer_open", Access::Roles(SELLERS), drawer_open),
];

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OrderRef {
    pub client_ref: String,
}

#[derive(Serialize, TS)]
pub struct CodeView {
    pub code_url: String,
    /// An `<svg>` document; show it as an image, never as HTML.
    pub qr_svg: String,
    pub expires_at: String,
}

fn view(c: &WechatCode) -> Result<CodeView, CommandError> {
    Ok(CodeView { code_url: c.code_url.clone(), qr_svg: qr_svg(&c.code_url)?, expires_at: c.expires_at.clone() })
}

/// The platform only takes payment for orders it knows: wait briefly for sync to
/// deliver the sale (it is woken now), without holding the ledger.
fn platform_number(app: &App, client_ref: &str) -> Result<Order, CommandError> {
    app.wake_engines();
    let deadline = Instant::now() + Duration::from_secs(4);
    loop {
        let o = orders::require(app.ledger().read(), client_ref)?;
        if o.order_number.is_some() || Instant::now() >= deadline {
            return Ok(o);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    pub client_ref: String,
    /// Also print the code on a pay-later slip (raster QR on the receipt printer).
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub print_slip: bool,
}

fn wechat_start(app: &App, ctx: &Ctx, req: StartRequest) -> Result<CodeView, CommandError> {
    let code = start_code(app, ctx, &req.client_ref)?;
    if req.print_slip {
        let order = orders::require(app.ledger().read(), &req.client_ref)?;
        let printers = printing::printers(app.ledger().read(), app.data_dir())?;
        let key = format!("payslip:{}:{}", req.client_ref, code.code_url);
        app.ledger().write(|tx| -> Result<(), CommandError> {
            Router { printers: &printers }.payload_for(
                tx,
                "receipt",
                "pay_slip",
                &key,
                &req.client_ref,
                &Payload::Receipt {
                    order: order.clone(),
                    open_drawer: false,
                    reprint: false,
                    qr: Some(code.code_url.clone()),
                    title: None,
                    customer: Vec::new(),
                },
            )?;
            Ok(())
        })?;
    }
    Ok(code)
}

/// WeChat NATIVE takes the platform's price: a sale with a store-side discount is paid in
/// cash (or the discount removed first).
pub fn discount_cash_only(order: &Order) -> CommandError {
    CommandError::new(
        ErrorCode::IllegalAction,
        format!(
            "这笔订单有本店优惠 {}：微信支付只能按平台原价 {} 收款。请收现金，或先取消优惠再用微信",
            order.discount.display_cny(),
            order.total.display_cny()
        ),
        format!(
            "this sale has a store discount of {}: WeChat Pay charges the platform's full price {}. Take cash, or remove the discount first",
            order.discount, order.total
        ),
    )
    .with_details(serde_json::json!({ "reason": "discount_cash_only" }))
}

fn start_code(app: &App, ctx: &Ctx, client_ref: &str) -> Result<CodeView, CommandError> {
    let req = OrderRef { client_ref: client_ref.to_string() };
    let order = orders::require(app.ledger().read(), &req.client_ref)?;
    if order.channel != Channel::Counter || order.status != Status::CreatedPayPending {
        return Err(CommandError::new(
            ErrorCode::IllegalAction,
            format!("订单状态「{}」不能发起微信支付", order.status.label_zh()),
            "only unpaid counter orders can be paid by WeChat",
        ));
    }
    // The platform charges WeChat at its own price (push_order names only the order), so
    // a store-side discount cannot reach the customer's phone: a discounted sale is cash only.
    if order.discount != crate::domain::Money::ZERO {
        return Err(discount_cash_only(&order));
    }
    // Money is taken only in an open shift, by WeChat as in cash.
    super::shifts::require_open(app.ledger().read(), &app.config().till_code)?;
    // Never two live codes: a live, unexpired code is shown again.
    if let Some(c) = codes::live(app.ledger().read(), &req.client_ref)? {
        if c.expires_at > now_text() {
            return view(&c);
        }
    }
    let order = platform_number(app, &req.client_ref)?;
    let Some(number) = order.order_number.clone() else {
        return Err(CommandError::new(
            ErrorCode::Offline,
            "订单还没有同步到平台（可能断网），暂不能微信支付，请收现金或稍后再试",
            "the sale has not reached the platform yet; take cash or try again",
        ));
    };
    let client = platform(app)?;
    let n = number.clone();
    let code_url = app.run_io(async move { client.push_order(&n).await }).map_err(|e| platform_error(&e))?;
    if !code_url.starts_with("weixin://") {
        return Err(CommandError::new(
            ErrorCode::Platform,
            "平台返回的支付码无效，请收现金",
            format!("unexpected code_url {code_url:?}"),
        ));
    }
    let actor = ctx.actor();
    let code = app.ledger().write(|tx| -> Result<WechatCode, CommandError> {
        codes::insert_live(tx, &req.client_ref, &number, &code_url, &now_text(), &expiry_text())?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "order",
                entity_ref: &req.client_ref,
                action: "wechat_code",
                before: None,
                after: None,
                detail: Some("new NATIVE code".into()),
            },
        )?;
        Ok(codes::live(tx, &req.client_ref)?.expect("just inserted"))
    })?;
    view(&code)
}

#[derive(Serialize, TS)]
pub struct StatusView {
    #[ts(type = "\"waiting\" | \"paid\" | \"expired\" | \"failed\" | \"offline\" | \"cancelled\"")]
    pub state: String,
    pub message: Option<String>,
    pub order: Option<Order>,
}

fn wechat_status(app: &App, ctx: &Ctx, req: OrderRef) -> Result<StatusView, CommandError> {
    let order = orders::require(app.ledger().read(), &req.client_ref)?;
    if order.payment_method == Some(PaymentMethod::Wechat) {
        return Ok(StatusView { state: "paid".into(), message: None, order: Some(order) });
    }
    let code = codes::latest(app.ledger().read(), &req.client_ref)?;
    let Some(code) = code else {
        return Ok(StatusView {
            state: "failed".into(), message: Some("没有微信支付码".into()), order: Some(order)
        });
    };
    let client = platform(app)?;
    let n = code.order_number.clone();
    let remote = match app.run_io(async move { client.order_detail(&n).await }) {
        Ok(o) => o,
        Err(e) if e.is_offline() => {
            return Ok(StatusView {
                state: "offline".into(),
                message: Some(platform_error(&e).message_zh),
                order: Some(order),
            })
        }
        Err(e) => {
            return Ok(StatusView {
                state: "failed".into(),
                message: Some(platform_error(&e).message_zh),
                order: Some(order),
            })
        }
    };
    if platform_says_paid(&remote.status, remote.pay_date.as_deref()) {
        let order = record_paid(app, ctx, &order, &code)?;
        let state = if order.sync_state == SyncState::Conflict { "cancelled" } else { "paid" };
        return Ok(StatusView {
            state: state.into(),
            message: order.conflict.as_ref().map(|c| c.message.clone()),
            order: Some(order),
        });
    }
    if code.state == "live" && code.expires_at <= now_text() {
        app.ledger().write(|tx| codes::set_state(tx, code.id, "expired"))?;
        return Ok(StatusView {
            state: "expired".into(),
            message: Some("支付码已过期，请重新生成".into()),
            order: Some(order),
        });
    }
    let state = match code.state.as_str() {
        "live" => "waiting",
        "expired" | "superseded" => "expired",
        _ => "cancelled",
    };
    Ok(StatusView { state: state.into(), message: None, order: Some(order) })
}

/// The platform says paid. A sale still open is completed (receipt, no drawer); a sale
/// the cashier already cancelled becomes a conflict that needs a refund.
pub fn record_paid(app: &App, ctx: &Ctx, order: &Order, code: &WechatCode) -> Result<Order, CommandError> {
    let actor = ctx.actor();
    let printers = printing::printers(app.ledger().read(), app.data_dir())?;
    app.ledger().write(|tx| -> Result<(), CommandError> {
        let fresh = orders::require(tx, &order.client_ref)?;
        codes::set_state(tx, code.id, "paid")?;
        if fresh.status == Status::CreatedPayPending {
            orders::set_payment(
                tx,
                fresh.id,
                PaymentMethod::Wechat,
                Some(fresh.total),
                Some(crate::domain::Money::ZERO),
            )?;
            record_transition(
                tx,
                &actor,
                &fresh,
                Transition {
                    to: Status::ClosedConfirmed,
                    action: Action::Complete,
                    detail: Some("paid by WeChat".into()),
                },
            )?;
            let mut paid = orders::require(tx, &fresh.client_ref)?;
            paid.lines = fresh.lines.clone();
            Router { printers: &printers }.receipt(tx, &paid, false, None)?;
            crate::services::counter_kitchen::counter_kitchen(
                tx,
                &printers,
                &paid,
                crate::domain::kitchen::CounterMoment::Paid,
            )?;
        } else if fresh.sync_state != SyncState::Conflict {
            let c = Conflict {
                message: format!("订单 {} 已取消，但顾客随后用微信付了款：需要退款", fresh.local_number),
                platform_message: Some("paid after cancel".into()),
                at: time_text(chrono::Utc::now()),
            };
            orders::set_sync_state(tx, fresh.id, SyncState::Conflict, Some(&c))?;
            journal::append(
                tx,
                journal::Entry {
                    actor: &actor,
                    entity: "order",
                    entity_ref: &fresh.client_ref,
                    action: "paid_after_cancel",
                    before: Some(fresh.status.as_str()),
                    after: None,
                    detail: Some(c.message.clone()),
                },
            )?;
            app.publish(Event::Conflict { client_ref: fresh.client_ref.clone(), message: c.message });
        }
        Ok(())
    })?;
    let o = orders::require(app.ledger().read(), &order.client_ref)?;
    app.publish(Event::OrderChanged { client_ref: o.client_ref.clone(), status: o.status.as_str().into() });
    Ok(o)
}

/// The cashier closes the QR. The code stays watched until it expires: a customer who
/// scans it later is caught as "paid after cancel".
#[derive(Debug, Serialize, TS)]
pub struct Cancelled {
    pub cancelled: bool,
}

fn wechat_cancel(app: &App, ctx: &Ctx, req: OrderRef) -> Result<Cancelled, CommandError> {
    let actor = ctx.actor();
    app.ledger().write(|tx| -> Result<(), CommandError> {
        if let Some(c) = codes::live(tx, &req.client_ref)? {
            codes::set_state(tx, c.id, "cancelled")?;
            journal::append(
                tx,
                journal::Entry {
                    actor: &actor,
                    entity: "order",
                    entity_ref: &req.client_ref,
                    action: "wechat_cancel",
                    before: None,
                    after: None,
                    detail: None,
                },
            )?;
        }
        Ok(())
    })?;
    Ok(Cancelled { cancelled: true })
}

/// Checks cancelled-but-still-valid codes against the platform (run by background work).
pub fn watch_cancelled_codes(app: &App) -> Result<usize, CommandError> {
    let pending = codes::cancelled_still_valid(app.ledger().read(), &now_text())?;
    let mut flagged = 0;
    for code in pending {
        let client = platform(app)?;
        let n = code.order_number.clone();
        if let Ok(remote) = app.run_io(async move { client.order_detail(&n).await }) {
            if platform_says_paid(&remote.status, remote.pay_date.as_deref()) {
                let order = orders::require(app.ledger().read(), &code.client_ref)?;
                record_paid(app, &Ctx::system(), &order, &code)?;
                flagged += 1;
            }
        }
    }
    Ok(flagged)
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct DrawerRequest {
    pub reason: String,
    /// A manager's approval (`approval_grant`, rule `drawer_open`) when the caller is not one.
    #[serde(default)]
    pub approval: Option<String>,
}

/// Opening the drawer without a sale: a manager's act or approved by one (rule
/// `drawer_open`), always journaled.
/// The drawer kick's print job; None when no receipt printer is set up.
#[derive(Debug, Serialize, TS)]
pub struct DrawerOpened {
    pub job: Option<i64>,
}

fn drawer_open(app: &App, ctx: &Ctx, req: DrawerRequest) -> Result<DrawerOpened, CommandError> {
    if req.reason.trim().is_empty() {
        return Err(CommandError::validation("请填写开钱箱的原因", "a reason is required"));
    }
    super::input::check_text("原因", "reason", &req.reason)?;
    let actor = ctx.actor();
    let user = ctx.user()?.clone();
    let approved = super::approvals::guard(
        app.ledger().read(),
        &user,
        &crate::domain::approval::Act::DrawerOpen,
        "",
        req.approval.as_deref(),
    )?;
    let printers = printing::printers(app.ledger().read(), app.data_dir())?;
    let id = app.ledger().write(|tx| -> Result<Option<i64>, CommandError> {
        if let Some(a) = &approved {
            super::approvals::consume(tx, a, &actor, &format!("drawer open: {}", req.reason))?;
        }
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "drawer",
                entity_ref: "drawer",
                action: "no_sale_open",
                before: None,
                after: None,
                detail: Some(req.reason.clone()),
            },
        )?;
        let key = format!("drawer:{}", uuid::Uuid::now_v7());
        Ok(Router { printers: &printers }.payload(tx, "receipt", "drawer", &key, &Payload::DrawerKick)?)
    })?;
    Ok(DrawerOpened { job: id })
}
