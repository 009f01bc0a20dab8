//! Printers and the print queue, as people see them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, CommandError, Ctx, CLERKS, MANAGERS};
use crate::command;
use crate::ledger::{journal, print_jobs};
use crate::services::printing;

pub const COMMANDS: &[super::Command] = &[
    command!("print_job_list", Access::Any, list_jobs),
    command!("printer_list", Access::Any, printers_list),
    command!("print_job_retry", Access::Roles(CLERKS), retry),
    command!("print_job_move", Access::Roles(MANAGERS), move_job),
    command!("print_preview", Access::Any, preview),
];

#[derive(Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct JobsRequest {
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub client_ref: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn list_jobs(app: &App, _: &Ctx, req: JobsRequest) -> Result<Vec<print_jobs::PrintJob>, CommandError> {
    Ok(print_jobs::list(
        app.ledger().read(),
        req.state.as_deref(),
        req.client_ref.as_deref(),
        req.limit.unwrap_or(100).clamp(1, 1000),
    )?)
}

#[derive(Serialize, TS)]
pub struct PrinterView {
    pub id: String,
    pub name: String,
    pub paper: String,
    /// ok, or attention (a job failed or is uncertain).
    #[ts(type = "\"ok\" | \"attention\"")]
    pub state: String,
    pub queued: i64,
    pub routes: Vec<String>,
}

fn printers_list(app: &App, _: &Ctx, _: super::session::Empty) -> Result<Vec<PrinterView>, CommandError> {
    let ledger = app.ledger();
    let c = ledger.read();
    let printers = printing::printers(c, app.data_dir())?;
    let troubled = print_jobs::list(c, Some("failed"), None, 1000)?
        .into_iter()
        .chain(print_jobs::list(c, Some("uncertain"), None, 1000)?)
        .map(|j| j.printer_id)
        .collect::<Vec<_>>();
    printers
        .into_iter()
        .map(|p| {
            Ok(PrinterView {
                state: if troubled.contains(&p.id) { "attention".into() } else { "ok".into() },
                queued: print_jobs::queued_count(c, &p.id)?,
                id: p.id,
                name: p.name,
                paper: p.paper,
                routes: p.routes,
            })
        })
        .collect()
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RetryRequest {
    pub id: i64,
}

/// A failed or uncertain job back in the queue. An uncertain or printed job comes
/// back as a reprint (`重印` on paper), so a second copy is never mistaken for new.
fn retry(app: &App, ctx: &Ctx, req: RetryRequest) -> Result<print_jobs::PrintJob, CommandError> {
    requeue(app, ctx, req.id, None)
}

#[derive(Deserialize, TS)]
#[ts(rename = "PrintJobMoveRequest")]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    pub id: i64,
    pub printer_id: String,
}

fn move_job(app: &App, ctx: &Ctx, req: MoveRequest) -> Result<print_jobs::PrintJob, CommandError> {
    let known = printing::printers(app.ledger().read(), app.data_dir())?.iter().any(|p| p.id == req.printer_id);
    if !known {
        return Err(CommandError::not_found(
            format!("没有打印机 {}", req.printer_id),
            format!("no printer {}", req.printer_id),
        ));
    }
    requeue(app, ctx, req.id, Some(&req.printer_id))
}

fn requeue(app: &App, ctx: &Ctx, id: i64, printer: Option<&str>) -> Result<print_jobs::PrintJob, CommandError> {
    let actor = ctx.actor();
    let mut ledger = app.ledger();
    let ok = ledger.write(|tx| -> Result<bool, CommandError> {
        let ok = print_jobs::requeue(tx, id, printer)?;
        if ok {
            journal::append(
                tx,
                journal::Entry {
                    actor: &actor,
                    entity: "print_job",
                    entity_ref: &id.to_string(),
                    action: if printer.is_some() { "move" } else { "retry" },
                    before: None,
                    after: printer,
                    detail: None,
                },
            )?;
        }
        Ok(ok)
    })?;
    if !ok {
        return Err(CommandError::new(
            super::ErrorCode::IllegalAction,
            "该打印任务正在打印或不存在",
            "the job is printing right now or does not exist",
        ));
    }
    Ok(print_jobs::get(ledger.read(), id)?.expect("exists"))
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct PreviewRequest {
    pub id: i64,
    #[serde(default)]
    pub paper: Option<String>,
}

/// The same layout the paper gets, as text (for the screen's preview).
#[derive(Debug, Serialize, TS)]
pub struct PreviewText {
    pub text: String,
}

fn preview(app: &App, _: &Ctx, req: PreviewRequest) -> Result<PreviewText, CommandError> {
    let job = print_jobs::get(app.ledger().read(), req.id)?
        .ok_or_else(|| CommandError::not_found("打印任务不存在", "no such print job"))?;
    let payload: printing::Payload = serde_json::from_str(&job.payload)
        .map_err(|e| CommandError::new(super::ErrorCode::Internal, "打印内容无法读取", e.to_string()))?;
    let ticket = crate::services::print_service::ticket_for(&app.config(), &payload, job.reprint)
        .map_err(|e| CommandError::validation("无法生成预览", e))?;
    let paper =
        if req.paper.as_deref() == Some("58") { storepos_printers::Paper::W58 } else { storepos_printers::Paper::W80 };
    Ok(PreviewText { text: storepos_printers::preview(&ticket, paper) })
}
