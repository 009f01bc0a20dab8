//! One background loop for every outlet: the platform's and each other channel's. A
//! round drains what is due; every `pull_interval` a full round also pulls (sooner when
//! the last pull had to leave something for later); while the
//! outlet is unreachable the full rounds back off (with jitter, capped); in between the
//! loop sleeps until the next row is due, a commit that wrote an outbox row pokes it, or
//! it is stopped. No busy loop while offline. Loops share nothing but the ledger, so an
//! outlet that is down never holds up another.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use tokio::sync::watch;

use crate::app::App;

/// What one outlet does in a round, for its loop.
pub trait Rounds: Send + Sync + 'static {
    /// The outbox channel it drains.
    fn channel(&self) -> &str;
    /// One round: always the due part of the outbox; with `full`, the pulls too. Answers
    /// whether the outlet was reachable and when the next pull is wanted.
    fn round<'a>(&'a self, app: &'a App, full: bool) -> BoxFuture<'a, Outcome>;
}

/// What a round tells its loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Something reached the outlet (else the full rounds back off).
    pub reachable: bool,
    /// The pull had to leave something for later (a read lost on a bad link): the next
    /// full round comes after this pause, when shorter than the interval, instead of a
    /// whole interval later.
    pub pull_again_in: Option<Duration>,
}

impl From<bool> for Outcome {
    fn from(reachable: bool) -> Outcome {
        Outcome { reachable, pull_again_in: None }
    }
}

/// The loop's clock.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub pull_interval: Duration,
    pub backoff_cap: Duration,
}

/// A running loop; `shutdown` stops it after the round in progress.
pub struct WorkerHandle {
    pub channel: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts `rounds`' loop on the current tokio runtime.
pub fn spawn(app: Arc<App>, rounds: Arc<dyn Rounds>, timing: Timing) -> WorkerHandle {
    let (stop, mut stopped) = watch::channel(false);
    let channel = rounds.channel().to_string();
    let mut poked = app.wakers().subscribe();
    let task = tokio::spawn(async move {
        let mut next_pull = Instant::now();
        let mut down: u32 = 0;
        loop {
            let started = Instant::now();
            let full = started >= next_pull;
            let outcome = rounds.round(&app, full).await;
            if full {
                if outcome.reachable {
                    down = 0;
                    let again = outcome.pull_again_in.map_or(timing.pull_interval, |d| d.min(timing.pull_interval));
                    // Counted from the round's start: a round slowed by a bad link (lookups
                    // after lost answers) must not stretch the cycle a paid order waits on.
                    next_pull = started + again;
                } else {
                    down = down.saturating_add(1);
                    next_pull = Instant::now()
                        + super::backoff(
                            down,
                            timing.pull_interval,
                            timing.backoff_cap.max(timing.pull_interval),
                            rand::random::<f64>(),
                        );
                }
            }
            let until_pull = next_pull.saturating_duration_since(Instant::now());
            let wait = super::next_wait(&app, rounds.channel(), until_pull.max(Duration::from_millis(5)))
                .min(until_pull)
                .max(Duration::from_millis(5));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                // Pokes come after the commit that wrote the row.
                r = poked.changed() => {
                    if r.is_err() { tokio::time::sleep(wait).await; }
                }
                _ = stopped.changed() => break,
            }
            if *stopped.borrow() {
                break;
            }
        }
    });
    WorkerHandle { channel, stop, task }
}
