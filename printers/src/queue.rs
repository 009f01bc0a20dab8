//! The print queue worker and the storage contract it needs.
//!
//! Durable storage lives in the main crate's SQLite ledger; this module only
//! defines [`JobStore`] and ships [`MemoryJobStore`] for tests.
//!
//! Threading: [`run_worker`] is a blocking loop; run one per printer on its
//! own `std::thread` (sends are blocking socket IO with timeouts). A dead
//! printer therefore only ever blocks its own thread; other printers' workers
//! keep printing. Stop a worker by setting its stop flag; it notices within
//! ~20 ms, or after the send in progress times out.
//!
//! Semantics (the store enforces the first, the worker the rest):
//! - Every job carries a [`DedupeKey`] (order + station + revision + copy);
//!   enqueueing an existing key returns the existing job: a retried user
//!   action or a sync replay never prints twice.
//! - `queued` → `printing` (claimed, before any byte is sent) → `printed`.
//! - Send failed and nothing, or only part, of the job can have reached the
//!   printer ([`Delivery::Nothing`] / [`Delivery::Partial`]: refused, connect
//!   timeout, write error mid-job, no answer to the status query sent after
//!   the job): `failed` with a retry time; retried with exponential backoff
//!   (per printer, `backoff_base` doubling up to `backoff_max`). A partial
//!   send can leave a torn fragment on paper, never a second full ticket.
//! - Send failed after all bytes were handed over ([`Delivery::MaybeComplete`])
//!   → `uncertain`: the ticket may be on paper; a person decides.
//! - A job found `printing` when a worker starts (the app died mid-send) →
//!   `uncertain`, NOT resent: it may already be on paper, and a double kitchen
//!   ticket means a dish cooked twice. A person reprints explicitly: the main
//!   crate enqueues the ticket rebuilt with `reprint: true` (prints `重印`)
//!   under the same key with `copy + 1`.
//! - A ticket that cannot be rendered (e.g. QR payload too long) → `failed`
//!   without retry time (permanent).

use crate::driver::{Delivery, PrinterDriver};
use crate::profile::PrinterProfile;
use crate::render::render;
use crate::ticket::Ticket;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// Job id assigned by the store.
pub type JobId = u64;

/// What makes a print unique: one ticket per order, station, revision (an
/// addition to an order is a new revision) and copy (0 = original, n = the
/// n-th explicit reprint).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DedupeKey {
    /// Order reference (local `client_ref` or order number).
    pub order: String,
    /// Station or purpose (`receipt`, `热菜`, …).
    pub station: String,
    /// Order revision.
    pub revision: u32,
    /// 0 for the original print, n for the n-th reprint.
    pub copy: u32,
}

impl std::fmt::Display for DedupeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/r{}/c{}", self.order, self.station, self.revision, self.copy)
    }
}

/// Life cycle of a job (see module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobState {
    /// Waiting.
    Queued,
    /// Claimed by a worker; bytes may be on the way.
    Printing,
    /// Done.
    Printed,
    /// Last attempt failed; retried at `next_attempt_at` if set.
    Failed,
    /// May or may not be on paper; needs a person.
    Uncertain,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintJob {
    /// Store-assigned id.
    pub id: JobId,
    /// Printer this job goes to.
    pub printer_id: String,
    /// Dedupe key.
    pub key: DedupeKey,
    /// What to print (rendered with the printer's profile at send time).
    pub ticket: Ticket,
    /// State.
    pub state: JobState,
    /// Attempts started.
    pub attempts: u32,
    /// Last error, for people.
    pub last_error: Option<String>,
    /// When a failed job is due again; `None` = not retried.
    pub next_attempt_at: Option<SystemTime>,
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// Target printer.
    pub printer_id: String,
    /// Dedupe key.
    pub key: DedupeKey,
    /// Ticket.
    pub ticket: Ticket,
}

/// Result of [`JobStore::enqueue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job.
    Created(JobId),
    /// The key existed: nothing added.
    Duplicate(JobId),
}

/// Store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such job.
    #[error("print job {0} not found")]
    NotFound(JobId),
    /// The backing store failed.
    #[error("print job store: {0}")]
    Backend(String),
}

/// Durable job storage, implemented over SQLite by the main crate. All
/// methods are atomic; `claim_next` must be (state check + update in one
/// transaction).
pub trait JobStore: Send + Sync {
    /// Adds a job unless its key exists.
    fn enqueue(&self, job: NewJob) -> Result<Enqueued, StoreError>;
    /// The oldest job of `printer_id` that is `queued`, or `failed` with
    /// `next_attempt_at <= now`: set to `printing`, attempts + 1, returned.
    fn claim_next(&self, printer_id: &str, now: SystemTime) -> Result<Option<PrintJob>, StoreError>;
    /// `printing` → `printed`.
    fn mark_printed(&self, id: JobId) -> Result<(), StoreError>;
    /// → `failed` with the error; `retry_at: None` = permanent.
    fn mark_failed(&self, id: JobId, error: &str, retry_at: Option<SystemTime>) -> Result<(), StoreError>;
    /// → `uncertain` with the reason.
    fn mark_uncertain(&self, id: JobId, reason: &str) -> Result<(), StoreError>;
    /// Every `printing` job of `printer_id` → `uncertain` (called at worker
    /// start: such a job was interrupted). Returns their ids.
    fn recover_interrupted(&self, printer_id: &str) -> Result<Vec<JobId>, StoreError>;
    /// Jobs (of one printer, or all), oldest first.
    fn list(&self, printer_id: Option<&str>) -> Result<Vec<PrintJob>, StoreError>;
}

/// Worker timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Sleep when there is nothing to print (default 200 ms).
    pub idle_poll: Duration,
    /// First retry delay (default 1 s), doubled per consecutive failure.
    pub backoff_base: Duration,
    /// Longest retry delay (default 60 s).
    pub backoff_max: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            idle_poll: Duration::from_millis(200),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
        }
    }
}

/// What a worker did before it stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerReport {
    /// Jobs printed.
    pub printed: usize,
    /// Failed attempts that will be retried.
    pub retryable_failures: usize,
    /// Jobs made uncertain (interrupted at start, or maybe-complete sends).
    pub uncertain: Vec<JobId>,
    /// Jobs failed permanently (unrenderable).
    pub permanent_failures: Vec<JobId>,
}

/// Delay after `failures` consecutive failures: base × 2^(failures−1), capped.
pub fn backoff(config: &WorkerConfig, failures: u32) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    config.backoff_base.saturating_mul(1u32 << exp).min(config.backoff_max)
}

fn sleep_unless_stopped(stop: &AtomicBool, d: Duration) {
    let end = Instant::now() + d;
    while !stop.load(Ordering::SeqCst) {
        let now = Instant::now();
        if now >= end {
            return;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(20)));
    }
}

/// Prints `printer_id`'s jobs until `stop` is set (see module docs for the
/// semantics). Returns early only on a store error; the caller may restart
/// it, and any job left `printing` then becomes `uncertain`.
pub fn run_worker(
    store: &dyn JobStore,
    printer_id: &str,
    driver: &mut dyn PrinterDriver,
    profile: &PrinterProfile,
    stop: &AtomicBool,
    config: &WorkerConfig,
) -> Result<WorkerReport, StoreError> {
    let mut report = WorkerReport { uncertain: store.recover_interrupted(printer_id)?, ..WorkerReport::default() };
    let mut failures_in_row = 0u32;
    while !stop.load(Ordering::SeqCst) {
        let Some(job) = store.claim_next(printer_id, SystemTime::now())? else {
            sleep_unless_stopped(stop, config.idle_poll);
            continue;
        };
        let bytes = match render(&job.ticket, profile) {
            Ok(r) => r.bytes,
            Err(e) => {
                store.mark_failed(job.id, &e.to_string(), None)?;
                report.permanent_failures.push(job.id);
                continue;
            }
        };
        match driver.send(&bytes) {
            Ok(()) => {
                store.mark_printed(job.id)?;
                report.printed += 1;
                failures_in_row = 0;
            }
            Err(e) => match e.delivery() {
                Delivery::MaybeComplete => {
                    store.mark_uncertain(job.id, &e.to_string())?;
                    report.uncertain.push(job.id);
                }
                Delivery::Nothing | Delivery::Partial => {
                    failures_in_row = failures_in_row.saturating_add(1);
                    let delay = backoff(config, failures_in_row);
                    store.mark_failed(job.id, &e.to_string(), Some(SystemTime::now() + delay))?;
                    report.retryable_failures += 1;
                    sleep_unless_stopped(stop, delay);
                }
            },
        }
    }
    Ok(report)
}

/// In-memory [`JobStore`] for tests and demos (same semantics as the SQLite
/// one should have).
#[derive(Debug, Default)]
pub struct MemoryJobStore {
    inner: Mutex<MemoryInner>,
}

#[derive(Debug, Default)]
struct MemoryInner {
    next_id: JobId,
    jobs: BTreeMap<JobId, PrintJob>,
    keys: HashMap<DedupeKey, JobId>,
}

impl MemoryJobStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut MemoryInner) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut g = self.inner.lock().map_err(|_| StoreError::Backend("lock poisoned".into()))?;
        f(&mut g)
    }

    /// One job by id.
    pub fn get(&self, id: JobId) -> Result<PrintJob, StoreError> {
        self.with(|i| i.jobs.get(&id).cloned().ok_or(StoreError::NotFound(id)))
    }
}

fn job_mut(i: &mut MemoryInner, id: JobId) -> Result<&mut PrintJob, StoreError> {
    i.jobs.get_mut(&id).ok_or(StoreError::NotFound(id))
}

impl JobStore for MemoryJobStore {
    fn enqueue(&self, job: NewJob) -> Result<Enqueued, StoreError> {
        self.with(|i| {
            if let Some(id) = i.keys.get(&job.key) {
                return Ok(Enqueued::Duplicate(*id));
            }
            i.next_id += 1;
            let id = i.next_id;
            i.keys.insert(job.key.clone(), id);
            i.jobs.insert(
                id,
                PrintJob {
                    id,
                    printer_id: job.printer_id,
                    key: job.key,
                    ticket: job.ticket,
                    state: JobState::Queued,
                    attempts: 0,
                    last_error: None,
                    next_attempt_at: None,
                },
            );
            Ok(Enqueued::Created(id))
        })
    }

    fn claim_next(&self, printer_id: &str, now: SystemTime) -> Result<Option<PrintJob>, StoreError> {
        self.with(|i| {
            let next = i.jobs.values_mut().find(|j| {
                j.printer_id == printer_id
                    && (j.state == JobState::Queued
                        || (j.state == JobState::Failed && j.next_attempt_at.is_some_and(|t| t <= now)))
            });
            Ok(next.map(|j| {
                j.state = JobState::Printing;
                j.attempts += 1;
                j.clone()
            }))
        })
    }

    fn mark_printed(&self, id: JobId) -> Result<(), StoreError> {
        self.with(|i| {
            let j = job_mut(i, id)?;
            j.state = JobState::Printed;
            j.next_attempt_at = None;
            Ok(())
        })
    }

    fn mark_failed(&self, id: JobId, error: &str, retry_at: Option<SystemTime>) -> Result<(), StoreError> {
        self.with(|i| {
            let j = job_mut(i, id)?;
            j.state = JobState::Failed;
            j.last_error = Some(error.to_string());
            j.next_attempt_at = retry_at;
            Ok(())
        })
    }

    fn mark_uncertain(&self, id: JobId, reason: &str) -> Result<(), StoreError> {
        self.with(|i| {
            let j = job_mut(i, id)?;
            j.state = JobState::Uncertain;
            j.last_error = Some(reason.to_string());
            j.next_attempt_at = None;
            Ok(())
        })
    }

    fn recover_interrupted(&self, printer_id: &str) -> Result<Vec<JobId>, StoreError> {
        self.with(|i| {
            let mut ids = Vec::new();
            for j in i.jobs.values_mut() {
                if j.printer_id == printer_id && j.state == JobState::Printing {
                    j.state = JobState::Uncertain;
                    j.last_error = Some("interrupted while printing (restart): may be on paper".into());
                    ids.push(j.id);
                }
            }
            Ok(ids)
        })
    }

    fn list(&self, printer_id: Option<&str>) -> Result<Vec<PrintJob>, StoreError> {
        self.with(|i| Ok(i.jobs.values().filter(|j| printer_id.is_none_or(|p| j.printer_id == p)).cloned().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let c = WorkerConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
            ..WorkerConfig::default()
        };
        let d: Vec<u128> = (1..=6).map(|n| backoff(&c, n).as_millis()).collect();
        assert_eq!(d, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff(&c, u32::MAX), Duration::from_millis(1000));
    }

    #[test]
    fn dedupe_key_is_enforced() {
        let s = MemoryJobStore::new();
        let key = DedupeKey { order: "o1".into(), station: "热菜".into(), revision: 1, copy: 0 };
        let job = NewJob { printer_id: "k".into(), key: key.clone(), ticket: Ticket::new().text("a") };
        let Enqueued::Created(id) = s.enqueue(job.clone()).unwrap() else { panic!("first enqueue creates") };
        assert_eq!(s.enqueue(job).unwrap(), Enqueued::Duplicate(id));
        let reprint = NewJob { printer_id: "k".into(), key: DedupeKey { copy: 1, ..key }, ticket: Ticket::new() };
        assert!(matches!(s.enqueue(reprint).unwrap(), Enqueued::Created(_)), "an explicit reprint is a new copy");
    }
}
