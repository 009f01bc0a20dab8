//! Manager approval (授权) at the command boundary: `approval_grant` checks a manager's
//! PIN over the shoulder and records a single-use approval; [`guard`] is what every
//! guarded command calls before its write, and [`consume`] marks the approval used inside
//! the act's own transaction. The rules themselves are [`crate::domain::approval`].

use chrono::{Duration, Utc};
use serde::Deserialize;
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, ErrorCode};
use crate::app::auth;
use crate::command;
use crate::domain::approval::{self, Act, Approval, Rule, Rules, Who};
use crate::domain::Money;
use crate::ledger::approvals::{self as store, NewApproval};
use crate::ledger::users::{self, Role, User};
use crate::ledger::{journal, settings, time_text};

pub const COMMANDS: &[super::Command] = &[command!("approval_grant", Access::Any, approval_grant)];

/// The setting that holds [`Rules`] (a JSON object; absent or `{}`: the defaults).
pub const RULES_SETTING: &str = "approval_rules";

/// The store's approval rules; a damaged setting falls back to the defaults (the strict ones).
pub fn rules(conn: &rusqlite::Connection) -> Result<Rules, CommandError> {
    Ok(settings::get(conn, RULES_SETTING)?.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default())
}

pub fn who(role: Role) -> Who {
    match role {
        Role::Cashier => Who::Cashier,
        Role::Clerk => Who::Clerk,
        Role::Manager => Who::Manager,
    }
}

/// The refusal the UI answers with the PIN dialog: `details` carries what to ask
/// `approval_grant` for (rule, subject, amount) and, when an approval was presented and
/// did not fit, why.
fn required(rule: Rule, subject: &str, amount: Money, unfit: Option<approval::Unfit>) -> CommandError {
    let (zh, en) = match unfit {
        None => {
            (format!("需要店长授权：{}", rule.label_zh()), format!("manager approval required: {}", rule.label_en()))
        }
        Some(u) => (
            format!("需要店长授权：{}（{}）", rule.label_zh(), u.label_zh()),
            format!("manager approval required: {} ({})", rule.label_en(), u.label_en()),
        ),
    };
    CommandError::new(ErrorCode::ApprovalRequired, zh, en).with_details(serde_json::json!({
        "rule": rule.as_str(),
        "subject": subject,
        "amount": amount,
        "label_zh": rule.label_zh(),
        "label_en": rule.label_en(),
        "unfit": unfit,
    }))
}

/// An approval that fits the act, to be consumed in the act's transaction.
#[derive(Debug, Clone)]
pub struct Approved {
    pub approval: Approval,
}

/// Before a guarded write: Ok(None) when the act is within the caller's own limits;
/// Ok(Some) when it needs approval and `presented` fits it; else `approval_required`.
pub fn guard(
    conn: &rusqlite::Connection,
    user: &User,
    act: &Act,
    subject: &str,
    presented: Option<&str>,
) -> Result<Option<Approved>, CommandError> {
    let Some(rule) = approval::required(&rules(conn)?, who(user.role), act) else {
        return Ok(None);
    };
    let amount = act.amount();
    let Some(id) = presented else {
        return Err(required(rule, subject, amount, None));
    };
    let a = store::get(conn, id)?;
    match approval::fits(a.as_ref(), rule, subject, amount, &time_text(Utc::now())) {
        Ok(()) => Ok(Some(Approved { approval: a.expect("fits only a found approval") })),
        Err(u) => Err(required(rule, subject, amount, Some(u))),
    }
}

/// Inside the act's transaction: marks the approval used and journals who approved what
/// for whom. Refuses when another request used it first.
pub fn consume(tx: &rusqlite::Transaction<'_>, a: &Approved, actor: &str, what: &str) -> Result<(), CommandError> {
    let x = &a.approval;
    if !store::consume(tx, &x.id, &time_text(Utc::now()), actor)? {
        return Err(required(x.rule, &x.subject, x.amount, Some(approval::Unfit::Used)));
    }
    journal::append(
        tx,
        journal::Entry {
            actor,
            entity: "approval",
            entity_ref: &x.id,
            action: "use",
            before: None,
            after: None,
            detail: Some(format!(
                "{} approved by {} for {actor}: {what} amount {} subject {:?}",
                x.rule.as_str(),
                x.approved_by,
                x.amount,
                x.subject
            )),
        },
    )?;
    Ok(())
}

/// The manager's PIN, checked against the users table whoever is calling (over the
/// shoulder). Wrong PINs count towards the manager's lockout; every refusal is journaled
/// under `entity`/`entity_ref` with `refused_action`.
pub fn check_manager_pin(
    app: &App,
    actor: &str,
    username: &str,
    pin: &str,
    entity: &str,
    entity_ref: &str,
    refused_action: &str,
    refusal: fn() -> CommandError,
) -> Result<User, CommandError> {
    let now = Utc::now();
    let mut ledger = app.ledger();
    let creds = users::credentials(ledger.read(), username)?.filter(|c| c.active);
    if let Some(until) = creds.as_ref().and_then(|c| c.locked_until.clone()) {
        if until > time_text(now) {
            return Err(CommandError::new(
                ErrorCode::RateLimited,
                "该店长 PIN 错误次数过多，请稍后再试",
                "too many wrong PINs for this manager; try again later",
            )
            .with_details(serde_json::json!({ "locked_until": until })));
        }
    }
    let pin_ok = match &creds {
        Some(c) => auth::verify_pin(pin, &c.pin_hash),
        None => {
            // The same work for an unknown name, so timing does not tell names apart.
            let _ = auth::verify_pin(
                pin,
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            );
            false
        }
    };
    let is_manager = creds.as_ref().is_some_and(|c| c.user.role == Role::Manager);
    if !pin_ok || !is_manager {
        ledger.write(|tx| -> Result<(), CommandError> {
            if let (Some(c), false) = (&creds, pin_ok) {
                let failures = c.failed_attempts + 1;
                let until = auth::lockout_seconds(failures).map(|secs| time_text(now + Duration::seconds(secs)));
                users::record_failure(tx, c.user.id, until.as_deref())?;
            }
            let why = if !pin_ok { "wrong manager PIN or unknown manager" } else { "not a manager" };
            journal::append(
                tx,
                journal::Entry {
                    actor,
                    entity,
                    entity_ref,
                    action: refused_action,
                    before: None,
                    after: None,
                    detail: Some(format!("{why}: {username:?}")),
                },
            )?;
            Ok(())
        })?;
        return Err(refusal());
    }
    let manager = creds.map(|c| c.user).ok_or_else(refusal)?;
    ledger.write(|tx| users::record_success(tx, manager.id))?;
    Ok(manager)
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct GrantRequest {
    /// As the `approval_required` refusal named them.
    pub rule: Rule,
    #[serde(default)]
    pub subject: Option<String>,
    pub amount: Money,
    pub manager_username: String,
    pub manager_pin: String,
}

fn bad_pin() -> CommandError {
    CommandError::new(
        ErrorCode::Forbidden,
        "店长用户名或 PIN 不正确，未授权",
        "wrong manager username or PIN; not approved",
    )
    .with_details(serde_json::json!({ "reason": "manager_pin" }))
}

/// A manager approves one act for the person at the screen: single use, bound to the rule,
/// subject and amount, valid for [`approval::APPROVAL_MINUTES`] minutes.
fn approval_grant(app: &App, ctx: &Ctx, req: GrantRequest) -> Result<Approval, CommandError> {
    if req.amount.is_negative() {
        return Err(CommandError::validation("金额不能为负", "the amount cannot be negative"));
    }
    let subject = req.subject.unwrap_or_default();
    super::input::check_text("订单", "subject", &subject)?;
    let actor = ctx.actor();
    let manager = check_manager_pin(
        app,
        &actor,
        &req.manager_username,
        &req.manager_pin,
        "approval",
        req.rule.as_str(),
        "grant_refused",
        bad_pin,
    )?;
    let now = Utc::now();
    let id = hex::encode(rand::random::<[u8; 16]>());
    let created_at = time_text(now);
    let expires_at = time_text(approval::expires_at(now));
    let approver = format!("{}#{}", manager.username, manager.id);
    let mut ledger = app.ledger();
    ledger.write(|tx| -> Result<(), CommandError> {
        store::insert(
            tx,
            &NewApproval {
                id: &id,
                rule: req.rule,
                subject: &subject,
                amount: req.amount,
                requested_by: &actor,
                approved_by: manager.id,
                approved_by_name: &approver,
                created_at: &created_at,
                expires_at: &expires_at,
            },
        )?;
        journal::append(
            tx,
            journal::Entry {
                actor: &approver,
                entity: "approval",
                entity_ref: &id,
                action: "grant",
                before: None,
                after: None,
                detail: Some(format!(
                    "{} for {actor}: amount {} subject {subject:?} until {expires_at}",
                    req.rule.as_str(),
                    req.amount
                )),
            },
        )?;
        Ok(())
    })?;
    let a = store::get(ledger.read(), &id)?
        .ok_or_else(|| CommandError::new(ErrorCode::Internal, "授权未保存", "approval missing after insert"))?;
    Ok(a)
}
