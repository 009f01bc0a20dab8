//! Shifts at a till: open with a float, cash in / out, close with a counted drawer and a
//! manager's PIN, which builds, stores and prints the shift's Z report (交班报表).
//!
//! Expected cash = float + cash sales of the shift − cash refunds + cash supplements +
//! cash movements. A cash sale belongs to the shift when it was paid at this till while
//! the shift was open (`paid_at` in `[opened_at, closed_at)`: a sale rung up before the
//! shift opened and paid after is this shift's cash); a refund or
//! supplement is cash when its after-sales service is on a cash order or on no order,
//! and belongs to the shift by its time (services carry no till).

use std::collections::BTreeMap;
use ts_rs::TS;

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use super::input::check_text;
use super::{Access, App, CommandError, Ctx, ErrorCode, SELLERS};
use crate::command;
use crate::domain::cash_count::{self, ExpectedCash};
use crate::domain::stats::{self as rules, DayStats};
use crate::domain::Money;
use crate::ledger::shifts::{self, CashMove, NewZReport, Shift, ZReportRow};
use crate::ledger::users;
use crate::ledger::{journal, now_text, stats as sql, time_text};
use crate::services::printing::{self, Payload, Router};
use crate::services::stats::zreport;

pub const COMMANDS: &[super::Command] = &[
    command!("shift_open", Access::Roles(SELLERS), shift_open),
    command!("shift_cash_move", Access::Roles(SELLERS), shift_cash_move),
    command!("shift_close", Access::Roles(SELLERS), shift_close),
    command!("shift_get", Access::Roles(SELLERS), shift_current),
];

/// The largest float or single cash movement accepted (a typo guard): ¥100,000.
const MAX_CASH_FEN: i64 = 10_000_000;

#[derive(Serialize, TS)]
pub struct ShiftView {
    pub shift: Shift,
    pub moves: Vec<CashMove>,
    /// As of now (open shift) or as closed; null for a cashier or clerk when the store
    /// closes blind (盲交班, setting `blind_close`): they count without seeing the figure.
    pub cash: Option<ExpectedCash>,
    /// The store closes blind and this caller may not see the expected cash.
    pub blind: bool,
}

pub fn no_open_shift() -> CommandError {
    CommandError::new(
        ErrorCode::NoOpenShift,
        "本收银台没有进行中的班次，请先开班",
        "no open shift at this till; open one first",
    )
}

/// Money is taken only in an open shift (DESIGN.md, "Money at the counter"): the open
/// shift of `till`, or the typed refusal the cashier's screen answers by offering to open one.
pub fn require_open(conn: &rusqlite::Connection, till: &str) -> Result<Shift, CommandError> {
    shifts::open_for_till(conn, till)?.ok_or_else(no_open_shift)
}

/// Expected cash of a shift in `[opened_at, until)`.
fn expected(
    conn: &rusqlite::Connection,
    s: &Shift,
    until: &str,
) -> Result<(ExpectedCash, Vec<CashMove>), CommandError> {
    let (n, sales, discounts) = sql::cash_sales(conn, &s.till_code, &s.opened_at, until)?;
    let (refunds, supplements) = sql::cash_after_sales(conn, &s.opened_at, until)?;
    let moves = shifts::moves(conn, s.id)?;
    let amounts: Vec<Money> = moves.iter().map(|m| m.amount).collect();
    Ok((
        cash_count::expected_cash(
            s.float,
            Money::from_fen(sales),
            n,
            Money::from_fen(discounts),
            Money::from_fen(refunds),
            Money::from_fen(supplements),
            &amounts,
        ),
        moves,
    ))
}

fn view(conn: &rusqlite::Connection, s: Shift) -> Result<ShiftView, CommandError> {
    let until = s.closed_at.clone().unwrap_or_else(|| time_text(Utc::now() + Duration::milliseconds(1)));
    let (cash, moves) = expected(conn, &s, &until)?;
    Ok(ShiftView { shift: s, moves, cash: Some(cash), blind: false })
}

/// Setting `blind_close` (default off): cashiers close without seeing the expected cash.
pub fn blind_close(conn: &rusqlite::Connection) -> Result<bool, CommandError> {
    Ok(crate::ledger::settings::get(conn, "blind_close")?.and_then(|v| v.as_bool()).unwrap_or(false))
}

/// The view as `ctx` may see it: blind for non-managers when the store closes blind.
fn view_for(conn: &rusqlite::Connection, ctx: &Ctx, s: Shift) -> Result<ShiftView, CommandError> {
    let mut v = view(conn, s)?;
    let manager = ctx.user.as_ref().is_some_and(|u| u.role == users::Role::Manager);
    if !manager && blind_close(conn)? {
        v.cash = None;
        v.blind = true;
    }
    Ok(v)
}

fn check_amount(m: Money) -> Result<(), CommandError> {
    if m.fen().abs() > MAX_CASH_FEN {
        return Err(CommandError::validation("金额过大（单笔最多 100000 元）", "amount too large (at most 100000.00)"));
    }
    Ok(())
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenRequest {
    pub float: Money,
}

fn shift_open(app: &App, ctx: &Ctx, req: OpenRequest) -> Result<ShiftView, CommandError> {
    if req.float.is_negative() {
        return Err(CommandError::validation("备用金不能为负", "the float cannot be negative"));
    }
    check_amount(req.float)?;
    let user = ctx.user()?.clone();
    let cfg = app.config();
    let mut ledger = app.ledger();
    if let Some(open) = shifts::open_for_till(ledger.read(), &cfg.till_code)? {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            format!("收银台 {} 已有进行中的班次（{} 开班），请先交班", cfg.till_code, open.opened_by_name),
            format!(
                "till {} already has an open shift (opened by {}); close it first",
                cfg.till_code, open.opened_by_name
            ),
        )
        .with_details(serde_json::json!({ "shift_id": open.id })));
    }
    let now = Utc::now();
    let day = cfg.rule.day_of(now).to_string();
    let actor = ctx.actor();
    let id = ledger
        .write(|tx| -> Result<i64, CommandError> {
            let id = shifts::insert(tx, &cfg.till_code, &day, &time_text(now), user.id, &user.display_name, req.float)?;
            journal::append(
                tx,
                journal::Entry {
                    actor: &actor,
                    entity: "shift",
                    entity_ref: &format!("shift{id}"),
                    action: "open",
                    before: None,
                    after: Some("open"),
                    detail: Some(format!("till {} float {}", cfg.till_code, req.float)),
                },
            )?;
            Ok(id)
        })
        .map_err(|e| match e.code {
            // Two tills raced on one file: the unique index refused the second open.
            ErrorCode::Storage if e.message_en.contains("UNIQUE") => CommandError::new(
                ErrorCode::Conflict,
                "本收银台已有进行中的班次",
                "this till already has an open shift",
            ),
            _ => e,
        })?;
    let s = shifts::get(ledger.read(), id)?.ok_or_else(no_open_shift)?;
    view_for(ledger.read(), ctx, s)
}

#[derive(Deserialize, TS)]
#[ts(rename = "ShiftCashMoveRequest")]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// Positive: cash put in; negative: cash taken out.
    pub amount: Money,
    pub reason: String,
}

fn shift_cash_move(app: &App, ctx: &Ctx, req: MoveRequest) -> Result<ShiftView, CommandError> {
    if req.amount == Money::ZERO {
        return Err(CommandError::validation(
            "金额不能为 0（存入为正，取出为负）",
            "amount must not be 0 (positive in, negative out)",
        ));
    }
    check_amount(req.amount)?;
    let reason = req.reason.trim().to_string();
    if reason.is_empty() {
        return Err(CommandError::validation("请填写存取原因", "a reason is required"));
    }
    check_text("原因", "reason", &reason)?;
    let user = ctx.user()?.clone();
    let cfg = app.config();
    let mut ledger = app.ledger();
    let s = shifts::open_for_till(ledger.read(), &cfg.till_code)?.ok_or_else(no_open_shift)?;
    let actor = ctx.actor();
    ledger.write(|tx| -> Result<(), CommandError> {
        let id = shifts::add_move(tx, s.id, &now_text(), req.amount, &reason, user.id, &user.display_name)?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "shift",
                entity_ref: &format!("shift{}", s.id),
                action: if req.amount.is_negative() { "cash_out" } else { "cash_in" },
                before: None,
                after: None,
                detail: Some(format!("move {id}: {} {reason}", req.amount)),
            },
        )?;
        Ok(())
    })?;
    let s = shifts::get(ledger.read(), s.id)?.ok_or_else(no_open_shift)?;
    view_for(ledger.read(), ctx, s)
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// Pieces per denomination: "100", "50", "20", "10", "5", "1", "0.5", "0.1".
    pub counted: BTreeMap<String, i64>,
    pub manager_username: String,
    pub manager_pin: String,
}

#[derive(Serialize, TS)]
pub struct CloseResponse {
    pub shift: Shift,
    pub moves: Vec<CashMove>,
    pub cash: ExpectedCash,
    pub counted: Money,
    /// counted − expected: positive over (长款), negative short (短款).
    pub over_short: Money,
    pub stats: DayStats,
    pub z_report: ZReportRow,
    pub print_job: Option<i64>,
}

fn bad_manager() -> CommandError {
    CommandError::new(
        ErrorCode::Forbidden,
        "店长用户名或 PIN 不正确，未交班",
        "wrong manager username or PIN; the shift stays open",
    )
    .with_details(serde_json::json!({ "reason": "manager_pin" }))
}

fn shift_close(app: &App, ctx: &Ctx, req: CloseRequest) -> Result<CloseResponse, CommandError> {
    let counted = cash_count::counted_total(&req.counted)?;
    let cfg = app.config();
    let s = shifts::open_for_till(app.ledger().read(), &cfg.till_code)?.ok_or_else(no_open_shift)?;
    let actor = ctx.actor();
    let caller = ctx.user()?.clone();
    let shift_ref = format!("shift{}", s.id);

    // The one manager-PIN check (lockout, journaled refusals), whoever is calling.
    let manager = super::approvals::check_manager_pin(
        app,
        &actor,
        &req.manager_username,
        &req.manager_pin,
        "shift",
        &shift_ref,
        "close_refused",
        bad_manager,
    )?;
    let now = Utc::now();
    let mut ledger = app.ledger();
    // The shift may have been closed on another screen while the PIN was checked.
    let s = shifts::open_for_till(ledger.read(), &cfg.till_code)?.filter(|o| o.id == s.id).ok_or_else(no_open_shift)?;

    let closed_at = time_text(now);
    let (cash, moves) = expected(ledger.read(), &s, &closed_at)?;
    let over_short = cash_count::over_short(cash.expected, counted);
    let window = sql::window_order_groups(ledger.read(), &s.till_code, &s.opened_at, &closed_at)?;
    let after = sql::window_after_sales(ledger.read(), &s.opened_at, &closed_at)?;
    let stats = rules::day_stats(&s.business_day, &window, &[], after);
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    let counted_json = serde_json::to_string(&req.counted).unwrap_or_default();

    let (z_id, job) = ledger.write(|tx| -> Result<(i64, Option<i64>), CommandError> {
        let z_id = shifts::next_z_id(tx)?;
        let mut closed = s.clone();
        closed.closed_at = Some(closed_at.clone());
        let report = zreport::shift_report(&zreport::ShiftReportInput {
            id: z_id,
            store: &cfg.store_name,
            tz: cfg.rule.tz,
            shift: &closed,
            closed_at: now,
            manager: &manager.display_name,
            stats: &stats,
            cash: &cash,
            counted,
            over_short,
            counted_pieces: &req.counted,
            moves: &moves,
        });
        shifts::insert_z(
            tx,
            z_id,
            &NewZReport {
                kind: "shift",
                shift_id: Some(s.id),
                till_code: &s.till_code,
                business_day: &s.business_day,
                created_at: &closed_at,
                created_by: &actor,
                report: &report,
            },
        )?;
        let ok = shifts::close(
            tx,
            s.id,
            &shifts::Close {
                closed_at: &closed_at,
                closed_by: caller.id,
                manager_id: manager.id,
                manager_name: &manager.display_name,
                counted_json: &counted_json,
                counted,
                expected: cash.expected,
                over_short,
                z_report_id: z_id,
            },
        )?;
        if !ok {
            return Err(CommandError::new(ErrorCode::Conflict, "该班次已被交班", "the shift was closed meanwhile"));
        }
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "shift",
                entity_ref: &shift_ref,
                action: "close",
                before: Some("open"),
                after: Some("closed"),
                detail: Some(format!(
                    "manager {} expected {} counted {} over/short {} z{}",
                    manager.username, cash.expected, counted, over_short, z_id
                )),
            },
        )?;
        let job = Router { printers: &printers }.payload(
            tx,
            "receipt",
            "z_report",
            &format!("z_report:{z_id}:r1"),
            &Payload::ZReport { report },
        )?;
        Ok((z_id, job))
    })?;
    let shift = shifts::get(ledger.read(), s.id)?.ok_or_else(no_open_shift)?;
    let z_report = shifts::get_z(ledger.read(), z_id)?
        .ok_or_else(|| CommandError::new(ErrorCode::Internal, "交班报表未保存", "z report missing after insert"))?;
    drop(ledger);
    crate::services::backup::after_close(app, "shift_close");
    Ok(CloseResponse { shift, moves, cash, counted, over_short, stats, z_report, print_job: job })
}

#[derive(Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
pub struct CurrentRequest {}

#[derive(Serialize, TS)]
pub struct CurrentResponse {
    pub till_code: String,
    pub current: Option<ShiftView>,
}

fn shift_current(app: &App, ctx: &Ctx, _: CurrentRequest) -> Result<CurrentResponse, CommandError> {
    let cfg = app.config();
    let ledger = app.ledger();
    let current =
        shifts::open_for_till(ledger.read(), &cfg.till_code)?.map(|s| view_for(ledger.read(), ctx, s)).transpose()?;
    Ok(CurrentResponse { till_code: cfg.till_code, current })
}
