//! The outbox engine: one drain for every channel that must hear of what the till did.
//!
//! * [`op`] — the operations, one typed enum stored as tag + payload.
//! * [`policy`] — the pure decision: what the engine knows and just observed in, the
//!   next step out.
//! * This module — the machinery every channel shares: per-stream order (only a stream's
//!   head is eligible), a bounded number of streams in flight, backoff with jitter, the
//!   mark written before a request leaves, and the typed bookkeeping of each outcome.
//!
//! The `/rest/store` platform (`crate::engine::platform::outlet`), the omnichannel center and
//! the mall API (`crate::engine::channels::outlet`) are three implementations of [`Outlet`]:
//! each turns a [`policy::Step`] into requests and the answers into
//! [`policy::Observed`]. Engines are woken after the commit that wrote a row
//! (`Ledger::on_outbox_commit`), never before it.

pub mod op;
pub mod policy;
pub mod routing;
pub mod steps;
pub mod worker;

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use chrono::Utc;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;

use crate::app::{App, Event};
use crate::ledger::outbox::{self, OutboxRow, RetryState};
use crate::ledger::{now_text, time_text, LedgerError};

pub use op::{Expect, Op};
pub use policy::{Family, Hold, HoldKind, Known, Limits, Observed, Reach, Retry, Step};

/// Writes an operation inside the caller's transaction. The engines hear of it once
/// that transaction commits.
pub fn enqueue(tx: &rusqlite::Transaction<'_>, channel: &str, stream: &str, op: &Op) -> Result<i64, LedgerError> {
    outbox::insert(tx, channel, stream, op.tag(), &op.payload())
}

/// The drain's tunables (each channel's config carries one).
#[derive(Debug, Clone)]
pub struct DrainConfig {
    /// Streams (orders) in flight at once.
    pub in_flight: usize,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub limits: Limits,
}

/// Exponential backoff with jitter: `base · 2^failures`, capped, then scaled into
/// `[½, 1]` of that by `jitter01` ∈ [0, 1) (so retries of many orders spread out but
/// never wait longer than the cap).
pub fn backoff(failures: u32, base: Duration, cap: Duration, jitter01: f64) -> Duration {
    let exp = base.saturating_mul(1u32.checked_shl(failures.min(20)).unwrap_or(u32::MAX));
    let d = exp.min(cap);
    let j = if jitter01.is_finite() { jitter01.clamp(0.0, 1.0) } else { 0.5 };
    d / 2 + d.mul_f64(j / 2.0)
}

/// What a drain did (one tally type for every channel).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub online: bool,
    /// Nothing reached the outlet at all (a refused connection or login), as opposed to
    /// answers lost on a bad link: only this stops the pulls and backs the worker off.
    #[serde(skip)]
    pub unreachable: bool,
    pub ops_done: u64,
    pub ops_retried: u64,
    pub ops_conflicted: u64,
    /// Lookups before a resend that found the platform already had it.
    pub lookups_found: u64,
    pub lookups_absent: u64,
    /// Sales created again because their number reached another order.
    pub recreated: u64,
    pub errors: Vec<String>,
}

impl Tally {
    pub fn online() -> Tally {
        Tally { online: true, ..Tally::default() }
    }
    pub fn error(&mut self, e: impl std::fmt::Display) {
        if self.errors.len() < 20 {
            self.errors.push(e.to_string());
        }
    }
    pub fn merge(&mut self, o: Tally) {
        self.ops_done += o.ops_done;
        self.ops_retried += o.ops_retried;
        self.ops_conflicted += o.ops_conflicted;
        self.lookups_found += o.lookups_found;
        self.lookups_absent += o.lookups_absent;
        self.recreated += o.recreated;
        self.online &= o.online;
        self.unreachable |= o.unreachable;
        for e in o.errors {
            self.error(e);
        }
    }
    /// Did this drain talk to the platform at all?
    pub fn contacted(&self) -> bool {
        !self.online
            || self.ops_done + self.ops_retried + self.ops_conflicted + self.lookups_found + self.lookups_absent > 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Retry,
    Conflict,
}

/// A channel the outbox drains into.
pub trait Outlet: Send + Sync {
    /// The outbox channel this outlet drains (`rest-store`, or a configured channel id).
    fn channel(&self) -> &str;
    /// Runs one due operation (the head of its stream) to an outcome, recording it.
    fn run<'a>(&'a self, app: &'a App, job: &'a Job<'a>, t: &'a mut Tally) -> BoxFuture<'a, Outcome>;
}

/// One operation being run: its row, its decoded op, and the bookkeeping every outlet
/// shares.
pub struct Job<'a> {
    pub row: &'a OutboxRow,
    pub op: Op,
    pub cfg: &'a DrainConfig,
}

impl Job<'_> {
    /// What the policy knows of this row.
    pub fn known(&self, family: Family) -> Known {
        Known {
            family,
            attempts: self.row.attempts.max(0) as u32,
            unknown: self.row.unknown,
            accepted: self.row.accepted,
            generation: self.row.generation,
            regens: self.row.regens,
            checks: self.row.checks,
            ambiguous: self.row.ambiguous,
            adopted: false,
        }
    }

    /// Written before the request leaves: after a crash the next run finds `unknown`
    /// and looks the operation up instead of sending it again.
    pub fn mark_sending(&self, app: &App) -> Result<(), LedgerError> {
        tracing::debug!("op sending");
        blocking(|| app.ledger().write(|tx| outbox::mark_sending(tx, self.row.id)))
    }

    /// Schedules the next try with backoff; the typed state says what is still unknown.
    pub fn retry(&self, app: &App, t: &mut Tally, r: &Retry) -> Outcome {
        let failures = self.row.failures.saturating_add(1);
        let d = backoff(failures.saturating_sub(1), self.cfg.backoff_base, self.cfg.backoff_cap, rand::random::<f64>());
        let next = time_text(Utc::now() + chrono::Duration::from_std(d).unwrap_or_default());
        let st = RetryState { unknown: r.unknown, checks: r.checks, ambiguous: r.ambiguous, failures };
        if let Err(e) = blocking(|| app.ledger().write(|tx| outbox::mark_retry(tx, self.row.id, st, &r.reason, &next)))
        {
            t.error(format!("outbox: {e}"));
        }
        t.error(format!("{} {} {}: {}", self.row.channel, self.row.op, self.row.stream, r.reason));
        tracing::info!(
            failures,
            unknown = r.unknown,
            in_ms = d.as_millis() as u64,
            reason = %r.reason,
            "op retry later"
        );
        Outcome::Retry
    }

    /// Holds the operation for a person: the row is marked in conflict with its typed
    /// reason, `record` writes the outlet's own part (flags, journal) in the same
    /// transaction, and screens are told.
    pub fn hold(
        &self,
        app: &App,
        t: &mut Tally,
        h: &Hold,
        detail: &str,
        record: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(), LedgerError>,
    ) -> Outcome {
        let r = blocking(|| {
            app.ledger().write(|tx| -> Result<(), LedgerError> {
                outbox::mark_conflict(tx, self.row.id, h.kind.as_str(), detail)?;
                record(tx)
            })
        });
        if let Err(e) = r {
            t.error(format!("ledger: {e}"));
            return Outcome::Retry;
        }
        t.error(format!("conflict {}: {detail}", self.row.stream));
        tracing::warn!(kind = h.kind.as_str(), platform = ?h.platform_message, detail, "op held for a person");
        app.publish(Event::Conflict { client_ref: self.row.stream.clone(), message: h.message.clone() });
        Outcome::Conflict
    }
}

/// Runs a short blocking ledger step (an fsync'ed commit) without stalling the other
/// tasks of a multi-threaded runtime; inline on a current-thread runtime.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Drains every due stream head of `outlet`'s channel, up to `in_flight` streams at
/// once. Each stream's operations run in order inside one task; a new stream starts as
/// soon as a slot frees. When the platform is unreachable no new stream is started.
pub async fn drain(app: &App, outlet: &dyn Outlet, cfg: &DrainConfig) -> Tally {
    let mut t = Tally::online();
    let mut tried: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut exhausted = false;
    let mut futs = FuturesUnordered::new();
    let limit = cfg.in_flight.max(1);
    let channel = outlet.channel().to_string();
    loop {
        while futs.len() < limit && t.online {
            // The due-heads query is not cheap on a long outbox: take a large batch and
            // feed the slots from it; ask again only when it is used up.
            if queue.is_empty() && !exhausted {
                let heads = blocking(|| outbox::due_heads(app.ledger().read(), &channel, &now_text(), 512));
                match heads {
                    Ok(heads) => {
                        let fresh: Vec<String> =
                            heads.into_iter().map(|h| h.stream).filter(|s| !tried.contains(s)).collect();
                        exhausted = fresh.is_empty();
                        queue.extend(fresh);
                    }
                    Err(e) => {
                        t.error(format!("outbox: {e}"));
                        exhausted = true;
                    }
                }
            }
            let Some(stream) = queue.pop_front() else { break };
            // A stream is driven once per drain: what it left pending waits for its
            // backoff (no hot loop within a round).
            if !tried.insert(stream.clone()) {
                continue;
            }
            futs.push(async move { drain_stream(app, outlet, cfg, &stream).await });
        }
        match futs.next().await {
            None => break,
            Some(r) => t.merge(r),
        }
    }
    t
}

/// Runs the due operations of one stream, in order, until one is not done.
async fn drain_stream(app: &App, outlet: &dyn Outlet, cfg: &DrainConfig, stream: &str) -> Tally {
    let mut t = Tally::online();
    let channel = outlet.channel();
    loop {
        let head = blocking(|| {
            outbox::stream_rows(app.ledger().read(), channel, stream)
                .map(|rows| rows.into_iter().find(|r| r.state != "done"))
        });
        let row = match head {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                t.error(format!("outbox: {e}"));
                break;
            }
        };
        if row.state != "pending" || row.next_attempt_at > now_text() {
            break;
        }
        // Every line about this operation carries its row id, kind and order (client_ref),
        // so one sale can be followed from the till's command to the platform's answer.
        let span =
            tracing::info_span!("op", id = row.id, op = %row.op, client_ref = %row.stream, try_n = row.attempts + 1);
        let out = match Op::decode(&row.op, &row.payload) {
            Ok(op) => {
                let job = Job { row: &row, op, cfg };
                tracing::Instrument::instrument(outlet.run(app, &job, &mut t), span.clone()).await
            }
            Err(e) => {
                // An operation this version cannot read is held, never guessed at.
                let job = Job { row: &row, op: Op::Create, cfg };
                let h = Hold {
                    kind: HoldKind::Refused,
                    message: format!("无法识别的同步操作：{e}"),
                    platform_message: None,
                    read: None,
                };
                span.in_scope(|| job.hold(app, &mut t, &h, &h.message.clone(), |_| Ok(())))
            }
        };
        if out == Outcome::Done {
            span.in_scope(|| tracing::info!("op done"));
        }
        match out {
            Outcome::Done => t.ops_done += 1,
            Outcome::Retry => {
                t.ops_retried += 1;
                break;
            }
            Outcome::Conflict => {
                t.ops_conflicted += 1;
                break;
            }
        }
    }
    t
}

/// Time until the earliest pending row of `channel` is due (capped).
pub fn next_wait(app: &App, channel: &str, cap: Duration) -> Duration {
    let next = outbox::next_due(app.ledger().read(), channel).ok().flatten();
    match next.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()) {
        Some(t) => (t.with_timezone(&Utc) - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(cap),
        None => cap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let b = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        assert_eq!(backoff(0, b, cap, 1.0), b);
        assert_eq!(backoff(0, b, cap, 0.0), b / 2);
        assert_eq!(backoff(3, b, cap, 1.0), Duration::from_millis(800));
        assert_eq!(backoff(30, b, cap, 1.0), cap);
        assert!(backoff(30, b, cap, f64::NAN) <= cap);
    }
}
