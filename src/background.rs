//! The work that runs behind the screens: print workers (one per printer) and the
//! sync engine. Every transport that keeps a store open (serve, the desktop shell,
//! the demo, `storepos printd`) starts it through here, so they all behave alike.

use std::sync::Arc;

use crate::commands::App;
use crate::print_service::{start_workers, PrintWorkers};

pub struct Background {
    pub print: Option<PrintWorkers>,
}

impl Background {
    pub fn stop(self) {
        if let Some(p) = self.print {
            p.stop();
        }
    }
}

pub fn start(app: Arc<App>) -> Background {
    let print = match start_workers(app.clone()) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("storepos: print workers not started: {e}");
            None
        }
    };
    Background { print }
}
