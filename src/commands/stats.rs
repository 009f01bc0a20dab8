//! The manager's figures: day statistics, comparison with last week, ranges,
//! reconciliation with the platform's `order_count`, CSV export and day Z reports.
//! What counts as a sale is documented in `crate::domain::stats`.

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::orders::parse_day;
use super::{Access, App, CommandError, Ctx, ErrorCode, MANAGERS};
use crate::command;
use crate::domain::reconcile::{self, PlatformCounts, Reconciliation};
use crate::domain::stats::{self as rules, DayStats, DayTotals, Deltas};
use crate::ledger::shifts::{self, NewZReport, ZReportRow};
use crate::ledger::{journal, stats as sql, time_text};
use crate::services::printing::{self, Payload, Router};
use crate::services::stats::{self, zreport, ExportFiles};

pub const COMMANDS: &[super::Command] = &[
    command!("stats_day_get", Access::Roles(MANAGERS), stats_day),
    command!("stats_compare", Access::Roles(MANAGERS), stats_compare),
    command!("stats_range_get", Access::Roles(MANAGERS), stats_range),
    command!("stats_reconcile", Access::Roles(MANAGERS), reconcile),
    command!("stats_reconcile_refresh", Access::Roles(MANAGERS), reconcile_refresh),
    command!("stats_day_export", Access::Roles(MANAGERS), export_day),
    command!("z_report_get", Access::Roles(MANAGERS), z_report_day),
    command!("z_report_reprint", Access::Roles(MANAGERS), z_report_reprint),
    command!("z_report_list", Access::Roles(MANAGERS), z_reports_list),
];

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DayRequest {
    pub day: String,
}

/// Statistics of one business day (see `crate::domain::stats` for every definition).
pub fn day_stats(app: &App, day: &str) -> Result<DayStats, CommandError> {
    parse_day(day)?;
    Ok(stats::day_stats(app.ledger().read(), day)?)
}

fn stats_day(app: &App, _: &Ctx, req: DayRequest) -> Result<DayStats, CommandError> {
    day_stats(app, &req.day)
}

#[derive(Serialize, TS)]
pub struct CompareResponse {
    pub day: String,
    pub previous_day: String,
    pub current: DayStats,
    pub previous: DayStats,
    pub deltas: Deltas,
}

/// A day next to the same weekday one week earlier.
fn stats_compare(app: &App, _: &Ctx, req: DayRequest) -> Result<CompareResponse, CommandError> {
    let d = parse_day(&req.day)?;
    let prev = (d - Duration::days(7)).to_string();
    let ledger = app.ledger();
    let current = stats::day_stats(ledger.read(), &req.day)?;
    let previous = stats::day_stats(ledger.read(), &prev)?;
    let deltas = rules::deltas(&current, &previous);
    Ok(CompareResponse { day: req.day, previous_day: prev, current, previous, deltas })
}

#[derive(Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct RangeRequest {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// Any day of the wanted week (Monday..Sunday).
    #[serde(default)]
    pub week: Option<String>,
    /// `YYYY-MM`.
    #[serde(default)]
    pub month: Option<String>,
}

#[derive(Serialize, TS)]
pub struct RangeResponse {
    pub from: String,
    pub to: String,
    pub days: Vec<DayTotals>,
    pub totals: DayTotals,
}

fn stats_range(app: &App, _: &Ctx, req: RangeRequest) -> Result<RangeResponse, CommandError> {
    let (from, to) = match (&req.from, &req.to, &req.week, &req.month) {
        (Some(f), Some(t), None, None) => (parse_day(f)?, parse_day(t)?),
        (None, None, Some(w), None) => stats::week_of(parse_day(w)?),
        (None, None, None, Some(m)) => stats::month_of(m).ok_or_else(|| {
            CommandError::validation(format!("月份「{m}」格式应为 YYYY-MM"), format!("month {m:?} must be YYYY-MM"))
        })?,
        _ => {
            return Err(CommandError::validation(
                "请给出 from 和 to，或 week，或 month 之一",
                "give either from and to, or week, or month",
            ))
        }
    };
    if to < from {
        return Err(CommandError::validation("结束日期早于开始日期", "to is before from"));
    }
    if (to - from).num_days() + 1 > stats::MAX_RANGE_DAYS {
        return Err(CommandError::validation(
            format!("一次最多查询 {} 天", stats::MAX_RANGE_DAYS),
            format!("at most {} days per range", stats::MAX_RANGE_DAYS),
        ));
    }
    let (days, totals) = stats::range(app.ledger().read(), from, to)?;
    Ok(RangeResponse { from: from.to_string(), to: to.to_string(), days, totals })
}

// ---------------------------------------------------------------- reconciliation

#[derive(Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct ReconcileRequest {
    /// Only orders of this business day (the platform's `order_count` covers all time,
    /// so leave it out to compare with the platform).
    #[serde(default)]
    pub day: Option<String>,
    /// The platform's figures; if absent, the last `order_count` the sync engine stored.
    #[serde(default)]
    pub platform: Option<PlatformCounts>,
}

#[derive(Serialize, TS)]
pub struct ReconcileResponse {
    pub day: Option<String>,
    /// "request", "sync" (the engine's last `order_count`, `fetched_at` says when) or "none".
    pub source: String,
    pub fetched_at: Option<String>,
    /// Orders that left the store (rejected FLASH): in neither count.
    pub left_store: i64,
    #[serde(flatten)]
    pub reconciliation: Reconciliation,
}

fn reconcile(app: &App, _: &Ctx, req: ReconcileRequest) -> Result<ReconcileResponse, CommandError> {
    if let Some(d) = &req.day {
        parse_day(d)?;
    }
    let ledger = app.ledger();
    let conn = ledger.read();
    let (platform, source, fetched_at) = match req.platform {
        Some(p) => (Some(p.to_order_count()), "request", None),
        // The one copy: what the sync engine stores on each round that reads `order_count`
        // (the same reconciliation it reports for the round).
        None => {
            match crate::ledger::after_sales::latest_platform_counts(conn, crate::ledger::outbox::PLATFORM_CHANNEL)? {
                Some((at, c)) => (Some(c), "sync", Some(at)),
                None => (None, "none", None),
            }
        }
    };
    let groups = sql::sync_groups(conn, req.day.as_deref())?;
    let left_store = sql::left_store_count(conn, req.day.as_deref())?;
    let changed = match &fetched_at {
        Some(at) => sql::changed_since(conn, at, req.day.as_deref())?,
        None => 0,
    };
    Ok(ReconcileResponse {
        day: req.day,
        source: source.into(),
        fetched_at,
        left_store,
        reconciliation: reconcile::reconcile(&groups, platform.as_ref(), changed),
    })
}

#[derive(Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {}

/// How long the manager's refresh waits for the platform (connect, whole request).
const REFRESH_CONNECT: std::time::Duration = std::time::Duration::from_secs(3);
const REFRESH_TOTAL: std::time::Duration = std::time::Duration::from_secs(10);

/// The manager's 刷新: reads the platform's `order_count` now (the sync engine's own fetch,
/// run once, which keeps the answer as every round does) and answers the fresh
/// reconciliation. A platform that cannot be reached is a typed `offline` error and the
/// figures kept before stay as they were.
fn reconcile_refresh(app: &App, ctx: &Ctx, _: RefreshRequest) -> Result<ReconcileResponse, CommandError> {
    use crate::clients::platform::client::PlatformClient;
    let cc = crate::engine::platform::client_for(app)
        .map_err(|e| CommandError::new(ErrorCode::Storage, "平台连接配置无法读取", e.to_string()))?
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::IllegalAction,
                "本店还没有连接平台，没有平台数字可以刷新",
                "this store is not connected to a platform: there are no platform figures to refresh",
            )
            .with_details(serde_json::json!({ "reason": "platform_not_configured" }))
        })?
        .with_timeouts(REFRESH_CONNECT, REFRESH_TOTAL);
    let client = PlatformClient::new(cc)
        .map_err(|e| CommandError::new(ErrorCode::Internal, "无法创建平台连接", e.to_string()))?;
    // Commands are synchronous (the HTTP server runs them on blocking threads, tests and
    // the CLI call them anywhere): the one fetch runs on its own small runtime and thread.
    let fetched = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                Ok::<_, std::io::Error>(rt.block_on(crate::engine::platform::pull::reconcile_counts(app, &client)))
            })
            .join()
    });
    let fetched = match fetched {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Err(CommandError::new(ErrorCode::Internal, "无法启动平台请求", e.to_string())),
        Err(_) => {
            return Err(CommandError::new(ErrorCode::Internal, "平台请求意外中止", "the platform request panicked"))
        }
    };
    if let Err(e) = fetched {
        let platform_said = e.platform_message().map(str::to_string);
        let err = if e.is_offline() {
            CommandError::new(
                ErrorCode::Offline,
                "连不上平台，数字没有刷新（下面仍是上次取到的）",
                format!("cannot reach the platform; the figures were not refreshed (the last ones stay): {e}"),
            )
            .with_details(serde_json::json!({ "reason": "platform_unreachable" }))
        } else {
            CommandError::new(
                ErrorCode::Platform,
                format!("平台没有给出订单统计：{}", platform_said.as_deref().unwrap_or("未知错误")),
                format!("the platform did not answer its order count: {e}"),
            )
            .with_details(serde_json::json!({ "reason": "platform_refused", "platform_message": platform_said }))
        };
        return Err(err);
    }
    reconcile(app, ctx, ReconcileRequest::default())
}

// ---------------------------------------------------------------- export

fn export_day(app: &App, _: &Ctx, req: DayRequest) -> Result<ExportFiles, CommandError> {
    parse_day(&req.day)?;
    let tz = app.config().rule.tz;
    Ok(stats::export_day(app.ledger().read(), &req.day, tz)?)
}

// ---------------------------------------------------------------- Z reports

#[derive(Serialize, TS)]
pub struct ZReportResponse {
    /// False when the day's report already existed (it is built once; use reprint).
    pub created: bool,
    pub print_job: Option<i64>,
    #[serde(flatten)]
    pub z: ZReportRow,
}

/// The day close (日结): built once from the day's statistics, stored, printed.
fn z_report_day(app: &App, ctx: &Ctx, req: DayRequest) -> Result<ZReportResponse, CommandError> {
    let day = parse_day(&req.day)?;
    let cfg = app.config();
    let now = Utc::now();
    let (start, end) = cfg.rule.bounds(day);
    if start > now {
        return Err(CommandError::validation(
            format!("营业日 {day} 尚未开始，不能日结"),
            format!("business day {day} has not started yet"),
        ));
    }
    let mut ledger = app.ledger();
    if let Some(z) = shifts::day_z(ledger.read(), &req.day)? {
        return Ok(ZReportResponse { created: false, print_job: None, z });
    }
    let stats = stats::day_stats(ledger.read(), &req.day)?;
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    let actor = ctx.actor();
    let who = ctx.user()?.display_name.clone();
    let (id, job) = ledger.write(|tx| -> Result<(i64, Option<i64>), CommandError> {
        let id = shifts::next_z_id(tx)?;
        let mut report = zreport::day_report(&zreport::DayReportInput {
            id,
            store: &cfg.store_name,
            tz: cfg.rule.tz,
            day_start: start,
            day_end: end,
            stats: &stats,
            created_at: now,
            created_by: &who,
        });
        report["day_complete"] = serde_json::json!(end <= now);
        shifts::insert_z(
            tx,
            id,
            &NewZReport {
                kind: "day",
                shift_id: None,
                till_code: &cfg.till_code,
                business_day: &req.day,
                created_at: &time_text(now),
                created_by: &actor,
                report: &report,
            },
        )?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "z_report",
                entity_ref: &format!("z{id}"),
                action: "day_close",
                before: None,
                after: Some(&req.day),
                detail: Some(format!("gross {} net {} orders {}", stats.gross, stats.net, stats.order_count)),
            },
        )?;
        let job = Router { printers: &printers }.payload(
            tx,
            "receipt",
            "z_report",
            &format!("z_report:{id}:r1"),
            &Payload::ZReport { report },
        )?;
        Ok((id, job))
    })?;
    let z = shifts::get_z(ledger.read(), id)?
        .ok_or_else(|| CommandError::new(ErrorCode::Internal, "日结报表未保存", "z report missing after insert"))?;
    drop(ledger);
    crate::services::backup::after_close(app, "day_close");
    Ok(ZReportResponse { created: true, print_job: job, z })
}

#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct IdRequest {
    pub id: i64,
}

/// A new print job of a stored report (marked 重印); the stored report is unchanged.
#[derive(Debug, Serialize, TS)]
pub struct ZReportReprinted {
    pub id: i64,
    pub print_job: Option<i64>,
}

fn z_report_reprint(app: &App, ctx: &Ctx, req: IdRequest) -> Result<ZReportReprinted, CommandError> {
    let cfg = app.config();
    let mut ledger = app.ledger();
    let z = shifts::get_z(ledger.read(), req.id)?
        .ok_or_else(|| CommandError::not_found(format!("报表 {} 不存在", req.id), format!("no z report {}", req.id)))?;
    let printers = printing::printers(ledger.read(), app.data_dir())?;
    let actor = ctx.actor();
    let job = ledger.write(|tx| -> Result<Option<i64>, CommandError> {
        let report = zreport::for_reprint(&z.report, cfg.rule.tz, Utc::now());
        let key = format!("z_report:{}:reprint:{}", z.id, uuid::Uuid::now_v7());
        let job =
            Router { printers: &printers }.payload(tx, "receipt", "z_report", &key, &Payload::ZReport { report })?;
        journal::append(
            tx,
            journal::Entry {
                actor: &actor,
                entity: "z_report",
                entity_ref: &format!("z{}", z.id),
                action: "reprint",
                before: None,
                after: None,
                detail: None,
            },
        )?;
        Ok(job)
    })?;
    Ok(ZReportReprinted { id: z.id, print_job: job })
}

#[derive(Deserialize, Default, TS)]
#[ts(rename = "ZReportListRequest")]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct ListRequest {
    #[serde(default)]
    pub day: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn z_reports_list(app: &App, _: &Ctx, req: ListRequest) -> Result<Vec<ZReportRow>, CommandError> {
    if let Some(d) = &req.day {
        parse_day(d)?;
    }
    Ok(shifts::list_z(app.ledger().read(), req.day.as_deref(), req.limit.unwrap_or(50).clamp(1, 500))?)
}

/// Parses a day for the CLI and other callers.
pub fn day_arg(day: &str) -> Result<NaiveDate, CommandError> {
    parse_day(day)
}
