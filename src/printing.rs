//! Where tickets go and when: the routing half of printing. Jobs are written into the
//! ledger inside the transaction of the event that causes them; the bytes are made by
//! the `storepos-printers` crate when a worker picks the job up.
//!
//! Kitchen flow (seed 003, DESIGN.md): counter and FLASH orders are *deliver* (their
//! kitchen tickets print when the order is placed / accepted), SELF_PICK is *booking*
//! (prints on check-in or when a clerk fires it). Lines go to stations by category.

use std::collections::BTreeMap;

use rusqlite::Transaction;
use serde::{Deserialize, Serialize};

use crate::domain::order::{Order, OrderLine};
use crate::ledger::print_jobs::{self, NewJob};
use crate::ledger::{settings, LedgerError};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DriverConfig {
    /// Raw TCP, usually port 9100.
    Tcp { addr: String },
    /// A device node such as /dev/usb/lp0.
    Device { path: String },
    /// Appends bytes to a file (demo, tests, "print to file").
    File { path: String },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PrinterConfig {
    pub id: String,
    pub name: String,
    /// "58" or "80" (mm).
    pub paper: String,
    pub driver: DriverConfig,
    /// What it prints: "receipt" and/or kitchen station names; "*" takes everything unrouted.
    pub routes: Vec<String>,
    #[serde(default)]
    pub native_qr: bool,
    #[serde(default = "yes")]
    pub cutter: bool,
    #[serde(default = "yes")]
    pub drawer: bool,
}

fn yes() -> bool {
    true
}

pub fn printers(conn: &rusqlite::Connection, data_dir: &std::path::Path) -> Result<Vec<PrinterConfig>, LedgerError> {
    let configured = settings::get(conn, "printers")?.and_then(|v| serde_json::from_value::<Vec<PrinterConfig>>(v).ok());
    Ok(configured.filter(|p| !p.is_empty()).unwrap_or_else(|| {
        vec![PrinterConfig {
            id: "main".into(),
            name: "主打印机".into(),
            paper: "80".into(),
            driver: DriverConfig::File { path: data_dir.join("printer-main.bin").display().to_string() },
            routes: vec!["*".into()],
            native_qr: false,
            cutter: true,
            drawer: true,
        }]
    }))
}

/// The printer for a route: an exact match first, then a catch-all.
pub fn route(printers: &[PrinterConfig], route: &str) -> Option<String> {
    printers
        .iter()
        .find(|p| p.routes.iter().any(|r| r == route))
        .or_else(|| printers.iter().find(|p| p.routes.iter().any(|r| r == "*")))
        .map(|p| p.id.clone())
}

/// What a job prints; a snapshot, so a later edit of the order cannot change a queued ticket.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Payload {
    Receipt { order: Order, open_drawer: bool, reprint: bool, qr: Option<String> },
    Kitchen { order: Order, station: String, line_nos: Vec<i64>, addition: bool, reprint: bool },
    AfterSales { service: crate::ledger::after_sales::Service, store_name: String },
    ZReport { report: serde_json::Value },
    /// Opens the cash drawer, prints nothing (no-sale).
    DrawerKick,
}

pub struct Router<'a> {
    pub printers: &'a [PrinterConfig],
}

impl Router<'_> {
    fn enqueue(&self, tx: &Transaction<'_>, route_name: &str, kind: &str, key: &str, client_ref: Option<&str>, payload: &Payload, reprint: bool) -> Result<Option<i64>, LedgerError> {
        let Some(printer) = route(self.printers, route_name) else { return Ok(None) };
        let body = serde_json::to_string(payload).map_err(|e| LedgerError::Constraint(e.to_string()))?;
        print_jobs::enqueue(tx, &NewJob { printer_id: &printer, kind, dedupe_key: key, client_ref, payload: &body, reprint })
    }

    pub fn receipt(&self, tx: &Transaction<'_>, order: &Order, open_drawer: bool, qr: Option<String>) -> Result<Option<i64>, LedgerError> {
        let key = format!("receipt:{}:r1", order.client_ref);
        let p = Payload::Receipt { order: order.clone(), open_drawer, reprint: false, qr };
        self.enqueue(tx, "receipt", "receipt", &key, Some(&order.client_ref), &p, false)
    }

    /// Kitchen tickets, one per station that has lines. `revision` makes the dedupe
    /// key: the same event retried maps to the same key and is not queued twice.
    pub fn kitchen(&self, tx: &Transaction<'_>, order: &Order, lines: &[OrderLine], revision: u32, addition: bool) -> Result<Vec<i64>, LedgerError> {
        let mut ids = Vec::new();
        for (station, line_nos) in by_station(lines) {
            let key = format!("kitchen:{}:{}:r{}", order.client_ref, station, revision);
            let p = Payload::Kitchen { order: order.clone(), station: station.clone(), line_nos, addition, reprint: false };
            ids.extend(self.enqueue(tx, &station, "kitchen", &key, Some(&order.client_ref), &p, false)?);
        }
        Ok(ids)
    }

    /// An explicit reprint: always a new job, marked `重印` on paper.
    pub fn reprint(&self, tx: &Transaction<'_>, order: &Order, kind: &str) -> Result<Vec<i64>, LedgerError> {
        let nonce = uuid::Uuid::now_v7();
        let mut ids = Vec::new();
        if kind == "receipt" {
            let p = Payload::Receipt { order: order.clone(), open_drawer: false, reprint: true, qr: None };
            ids.extend(self.enqueue(tx, "receipt", "receipt", &format!("receipt:{}:reprint:{nonce}", order.client_ref), Some(&order.client_ref), &p, true)?);
        } else {
            for (station, line_nos) in by_station(order.lines.as_deref().unwrap_or(&[])) {
                let p = Payload::Kitchen { order: order.clone(), station: station.clone(), line_nos, addition: false, reprint: true };
                let key = format!("kitchen:{}:{}:reprint:{nonce}", order.client_ref, station);
                ids.extend(self.enqueue(tx, &station, "kitchen", &key, Some(&order.client_ref), &p, true)?);
            }
        }
        Ok(ids)
    }

    pub fn payload(&self, tx: &Transaction<'_>, route_name: &str, kind: &str, key: &str, payload: &Payload) -> Result<Option<i64>, LedgerError> {
        self.enqueue(tx, route_name, kind, key, None, payload, false)
    }

    /// Like [`Router::payload`], filed under an order so its screen can show the job.
    pub fn payload_for(&self, tx: &Transaction<'_>, route_name: &str, kind: &str, key: &str, client_ref: &str, payload: &Payload) -> Result<Option<i64>, LedgerError> {
        self.enqueue(tx, route_name, kind, key, Some(client_ref), payload, false)
    }
}

/// Lines grouped by kitchen station; lines without a station need no kitchen ticket.
pub fn by_station(lines: &[OrderLine]) -> BTreeMap<String, Vec<i64>> {
    let mut m: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for l in lines {
        if let Some(s) = &l.station {
            m.entry(s.clone()).or_default().push(l.line_no);
        }
    }
    m
}
