//! The work that runs behind the screens: print workers (one per printer), the sync
//! engine (when a platform is configured) and the watch over cancelled WeChat codes.
//! Every transport that keeps a store open (serve, the desktop shell, the demo,
//! `storepos printd`) starts it through here, so they all behave alike.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::app::App;
use crate::engine::outbox::worker::WorkerHandle;
use crate::services::print_service::{start_workers, PrintWorkers};

pub struct Background {
    pub print: Option<PrintWorkers>,
    /// One worker loop per outlet: the platform's (when configured) and each other
    /// enabled channel's (omni, mall api), independent of each other.
    pub workers: Vec<WorkerHandle>,
    stop: Arc<AtomicBool>,
    app: Arc<App>,
}

impl Background {
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(p) = self.print {
            p.stop();
        }
        for w in self.workers {
            // Not `block_on`: we may be on a blocking thread of another runtime.
            self.app.run_io(async move { w.shutdown().await });
        }
    }
}

pub fn start(app: Arc<App>) -> Background {
    let print = match start_workers(app.clone()) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!("print workers not started: {e}");
            None
        }
    };
    // The engine lives on the shared IO runtime, whatever thread started us.
    let sync = {
        let _guard = app.io_runtime().enter();
        match crate::engine::platform::start_for_app(app.clone()) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("sync engine not started: {e}");
                None
            }
        }
    };
    let platform_on = sync.is_some();
    let workers = {
        let _guard = app.io_runtime().enter();
        let channels =
            crate::engine::channels::start_for_app(app.clone(), crate::engine::channels::ChannelConfig::default());
        sync.into_iter().chain(channels).collect::<Vec<_>>()
    };
    let stop = Arc::new(AtomicBool::new(false));
    // Automatic backups while sales wait to sync (the thread stops with `stop`).
    let _ = crate::services::backup::start_auto(app.clone(), stop.clone());
    if platform_on {
        let (app, stop) = (app.clone(), stop.clone());
        std::thread::Builder::new()
            .name("wechat-watch".into())
            .spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let _ = crate::commands::payments::watch_cancelled_codes(&app);
                    for _ in 0..100 {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            })
            .expect("spawn watcher");
    }
    Background { print, workers, stop, app }
}
