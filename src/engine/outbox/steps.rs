//! The one step loop: ask the policy for the next step, let the outlet make the call that
//! step needs, observe the answer, ask again. Every operation of every outlet (the
//! platform's creates, actions and after-sales services, a channel's sale reports) runs
//! through [`drive`]; an outlet only supplies its calls ([`Calls`]) and what to do with
//! the ending ([`End`]).
//!
//! The bookkeeping that decides exactly-once is here, once: the row is marked as sending
//! before a request leaves (so a crash is followed by a look-up, never a blind resend), a
//! re-creation moves to the next marker generation, an accepted service is recorded before
//! it is looked up.

use super::policy::{self, Known, Limits, Observed, Retry, Step};
use super::{blocking, Job, Outcome, Tally};
use crate::app::App;
use crate::ledger::outbox;

/// Steps one run may take before it gives the row back to the backoff (a policy that
/// loops would otherwise spin).
pub const MAX_STEPS: usize = 16;

/// The calls an outlet makes for the steps the policy asks of it. A step the policy never
/// asks of a family needs no implementation: the default observes nothing useful, and the
/// run ends with a retry.
#[allow(async_fn_in_trait)] // used generically, never as a trait object
pub trait Calls {
    /// Sends the operation (the row is already marked as sending).
    async fn send(&mut self, k: &Known, t: &mut Tally) -> Observed;

    /// Looks the operation up by its marker.
    async fn look_up(&mut self, _k: &Known, _t: &mut Tally) -> Observed {
        Observed::ReadFailed
    }

    /// Reads `number` back: does it reach our order?
    async fn verify(&mut self, _number: &str, _k: &Known, _t: &mut Tally) -> Observed {
        Observed::ReadFailed
    }

    /// Reads the order back (actions).
    async fn read_back(&mut self, _k: &Known, _t: &mut Tally) -> Observed {
        Observed::ReadFailed
    }

    /// Records `stray` (a platform order with our marker that our number does not reach)
    /// and moves the row to the next marker generation, in one transaction.
    async fn recreate(&mut self, _stray: &str, _k: &Known, _t: &mut Tally) -> Result<(), String> {
        Err("this operation is never created again".into())
    }
}

/// How a run ended, for the outlet to record.
#[derive(Debug)]
pub enum End {
    /// This number is ours: record it.
    Adopt(String),
    /// Nothing more to do; for actions, the status read back.
    Done(Option<crate::domain::order::Status>),
    Retry(Retry),
    Hold(policy::Hold),
    /// The bookkeeping itself failed (the ledger); the row stays as it was.
    Stopped(Outcome),
}

/// Runs one operation from what the engine knows (`k`) to an ending.
pub async fn drive(app: &App, job: &Job<'_>, mut k: Known, lim: &Limits, calls: &mut impl Calls, t: &mut Tally) -> End {
    let mut obs = Observed::Start;
    for _ in 0..MAX_STEPS {
        match policy::next(&k, &obs, lim) {
            Step::Send => {
                if let Err(e) = job.mark_sending(app) {
                    t.error(format!("outbox: {e}"));
                    return End::Stopped(Outcome::Retry);
                }
                k.attempts += 1;
                // A create's or a service's answer may be lost after it landed: until an
                // answer says otherwise, it is unknown (an action is judged by read-back).
                if !matches!(k.family, policy::Family::Action { .. }) {
                    k.unknown = true;
                }
                obs = calls.send(&k, t).await;
                tracing::debug!(observed = ?obs, "op sent");
            }
            Step::LookUp => obs = calls.look_up(&k, t).await,
            Step::Verify(n) => obs = calls.verify(&n, &k, t).await,
            Step::ReadBack => obs = calls.read_back(&k, t).await,
            Step::Recreate { stray } => {
                tracing::warn!(stray = ?stray, "number reached another order: creating the sale again");
                if let Err(e) = calls.recreate(&stray, &k, t).await {
                    t.error(format!("ledger: {e}"));
                    return End::Stopped(Outcome::Retry);
                }
                t.recreated += 1;
                k.generation += 1;
                k.regens += 1;
                k.unknown = false;
                k.ambiguous = 0;
                obs = Observed::Start;
            }
            Step::Accept => {
                let id = job.row.id;
                if let Err(e) = blocking(|| app.ledger().write(|tx| outbox::mark_accepted(tx, id))) {
                    t.error(format!("outbox: {e}"));
                    return End::Stopped(Outcome::Retry);
                }
                tracing::info!("op accepted");
                k.accepted = true;
                k.unknown = false;
                obs = Observed::Start;
            }
            Step::Adopt(n) => return End::Adopt(n),
            Step::Done(read) => return End::Done(read),
            Step::Retry(r) => return End::Retry(r),
            Step::Hold(h) => return End::Hold(h),
        }
    }
    End::Retry(Retry {
        unknown: k.unknown,
        checks: k.checks,
        ambiguous: k.ambiguous,
        reason: "no outcome within one run".into(),
    })
}
