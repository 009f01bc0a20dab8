//! Where tickets go and when: the routing half of printing. Jobs are written into the
//! ledger inside the transaction of the event that causes them; the bytes are made by
//! the `storepos-printers` crate when a worker picks the job up.
//!
//! Kitchen flow (seed 003, DESIGN.md): counter and FLASH orders are *deliver* (their
//! kitchen tickets print when the order is placed / accepted), SELF_PICK is *booking*
//! (prints on check-in or when a clerk fires it). Lines go to stations by category.
//!
//! - A line whose product the local catalog does not know (an online order's new product)
//!   still prints, at the default station ([`default_station`]); it is never dropped.
//! - Lines added to an order in production print as `加单` ([`Router::kitchen_addition`]).
//! - A cancel after a kitchen ticket was queued or printed sends a void ticket (退单) to
//!   every station that got one ([`Router::kitchen_void`]).
//! - Completing an online order prints its settlement receipt (结算单, [`Router::settlement`]).

use std::collections::BTreeMap;

use rusqlite::Transaction;
use serde::{Deserialize, Serialize};

use crate::domain::order::{Order, OrderLine};
use crate::ledger::print_jobs::{self, NewJob};
use crate::ledger::{catalog, settings, LedgerError};

/// Where a line goes when its product is unknown locally: setting `kitchen_default_station`,
/// else `厨房` (routed like any station: an exact printer route, else the catch-all `*`).
pub const DEFAULT_STATION: &str = "厨房";

pub fn default_station(conn: &rusqlite::Connection) -> Result<String, LedgerError> {
    Ok(settings::get_str(conn, "kitchen_default_station")?
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_STATION.to_string()))
}

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
    let configured =
        settings::get(conn, "printers")?.and_then(|v| serde_json::from_value::<Vec<PrinterConfig>>(v).ok());
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
    Receipt {
        order: Order,
        open_drawer: bool,
        reprint: bool,
        qr: Option<String>,
        /// `结算单` on an online order's settlement receipt.
        #[serde(default)]
        title: Option<String>,
        /// A counter sale's member and invoice title (issue 23), as printed.
        #[serde(default)]
        customer: Vec<String>,
    },
    Kitchen {
        order: Order,
        station: String,
        line_nos: Vec<i64>,
        addition: bool,
        reprint: bool,
        /// 退单: the order was cancelled after this station got its ticket.
        #[serde(default)]
        void: bool,
    },
    AfterSales {
        service: crate::ledger::after_sales::Service,
        store_name: String,
    },
    ZReport {
        report: serde_json::Value,
    },
    /// Opens the cash drawer, prints nothing (no-sale).
    DrawerKick,
}

pub struct Router<'a> {
    pub printers: &'a [PrinterConfig],
}

impl Router<'_> {
    fn enqueue(
        &self,
        tx: &Transaction<'_>,
        route_name: &str,
        kind: &str,
        key: &str,
        client_ref: Option<&str>,
        payload: &Payload,
        reprint: bool,
    ) -> Result<Option<i64>, LedgerError> {
        let Some(printer) = route(self.printers, route_name) else { return Ok(None) };
        let body = serde_json::to_string(payload).map_err(|e| LedgerError::Constraint(e.to_string()))?;
        print_jobs::enqueue(
            tx,
            &NewJob { printer_id: &printer, kind, dedupe_key: key, client_ref, payload: &body, reprint },
        )
    }

    pub fn receipt(
        &self,
        tx: &Transaction<'_>,
        order: &Order,
        open_drawer: bool,
        qr: Option<String>,
    ) -> Result<Option<i64>, LedgerError> {
        let key = format!("receipt:{}:r1", order.client_ref);
        let customer = customer_lines(tx, &order.client_ref)?;
        let p = Payload::Receipt { order: order.clone(), open_drawer, reprint: false, qr, title: None, customer };
        self.enqueue(tx, "receipt", "receipt", &key, Some(&order.client_ref), &p, false)
    }

    /// The settlement receipt (结算单) of an online order, printed when it is completed
    /// (seed 003: paying / completing prints it). Once per order.
    pub fn settlement(&self, tx: &Transaction<'_>, order: &Order) -> Result<Option<i64>, LedgerError> {
        let key = format!("settlement:{}", order.client_ref);
        let p = Payload::Receipt {
            order: order.clone(),
            open_drawer: false,
            reprint: false,
            qr: None,
            title: Some("结算单".into()),
            customer: Vec::new(),
        };
        self.enqueue(tx, "receipt", "receipt", &key, Some(&order.client_ref), &p, false)
    }

    /// Kitchen tickets, one per station that has lines. `revision` makes the dedupe
    /// key: the same event retried maps to the same key and is not queued twice.
    /// Lines of products unknown locally go to the default station.
    pub fn kitchen(
        &self,
        tx: &Transaction<'_>,
        order: &Order,
        lines: &[OrderLine],
        revision: u32,
        addition: bool,
    ) -> Result<Vec<i64>, LedgerError> {
        let mut ids = Vec::new();
        for (station, line_nos) in kitchen_stations(tx, lines)? {
            let key = format!("kitchen:{}:{}:r{}", order.client_ref, station, revision);
            let p = Payload::Kitchen {
                order: order.clone(),
                station: station.clone(),
                line_nos,
                addition,
                reprint: false,
                void: false,
            };
            ids.extend(self.enqueue(tx, &station, "kitchen", &key, Some(&order.client_ref), &p, false)?);
        }
        Ok(ids)
    }

    /// Lines added to an order already in production: `加单` tickets for just those lines.
    /// `order` must already hold the new lines; `revision` (2, 3, …) numbers the addition.
    pub fn kitchen_addition(
        &self,
        tx: &Transaction<'_>,
        order: &Order,
        line_nos: &[i64],
        revision: u32,
    ) -> Result<Vec<i64>, LedgerError> {
        let lines: Vec<OrderLine> =
            order.lines.as_deref().unwrap_or(&[]).iter().filter(|l| line_nos.contains(&l.line_no)).cloned().collect();
        self.kitchen(tx, order, &lines, revision, true)
    }

    /// A cancel after kitchen tickets went out: one void ticket (退单) to every station that
    /// got a (non-reprint) kitchen ticket of this order, listing that station's lines.
    /// Once per station and order; nothing when no kitchen ticket was ever queued.
    pub fn kitchen_void(&self, tx: &Transaction<'_>, order: &Order) -> Result<Vec<i64>, LedgerError> {
        let mut stations: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for j in print_jobs::list(tx, None, Some(&order.client_ref), 1000)? {
            if j.kind != "kitchen" || j.reprint {
                continue;
            }
            if let Ok(Payload::Kitchen { station, line_nos, void: false, .. }) =
                serde_json::from_str::<Payload>(&j.payload)
            {
                let e = stations.entry(station).or_default();
                for n in line_nos {
                    if !e.contains(&n) {
                        e.push(n);
                    }
                }
            }
        }
        let mut ids = Vec::new();
        for (station, mut line_nos) in stations {
            line_nos.sort_unstable();
            let key = format!("kitchen-void:{}:{}", order.client_ref, station);
            let p = Payload::Kitchen {
                order: order.clone(),
                station: station.clone(),
                line_nos,
                addition: false,
                reprint: false,
                void: true,
            };
            ids.extend(self.enqueue(tx, &station, "kitchen", &key, Some(&order.client_ref), &p, false)?);
        }
        Ok(ids)
    }

    /// An explicit reprint: always a new job, marked `重印` on paper.
    pub fn reprint(&self, tx: &Transaction<'_>, order: &Order, kind: &str) -> Result<Vec<i64>, LedgerError> {
        let nonce = uuid::Uuid::now_v7();
        let mut ids = Vec::new();
        if kind == "receipt" {
            let customer = customer_lines(tx, &order.client_ref)?;
            let p = Payload::Receipt {
                order: order.clone(),
                open_drawer: false,
                reprint: true,
                qr: None,
                title: None,
                customer,
            };
            ids.extend(self.enqueue(
                tx,
                "receipt",
                "receipt",
                &format!("receipt:{}:reprint:{nonce}", order.client_ref),
                Some(&order.client_ref),
                &p,
                true,
            )?);
        } else {
            for (station, line_nos) in kitchen_stations(tx, order.lines.as_deref().unwrap_or(&[]))? {
                let p = Payload::Kitchen {
                    order: order.clone(),
                    station: station.clone(),
                    line_nos,
                    addition: false,
                    reprint: true,
                    void: false,
                };
                let key = format!("kitchen:{}:{}:reprint:{nonce}", order.client_ref, station);
                ids.extend(self.enqueue(tx, &station, "kitchen", &key, Some(&order.client_ref), &p, true)?);
            }
        }
        Ok(ids)
    }

    pub fn payload(
        &self,
        tx: &Transaction<'_>,
        route_name: &str,
        kind: &str,
        key: &str,
        payload: &Payload,
    ) -> Result<Option<i64>, LedgerError> {
        self.enqueue(tx, route_name, kind, key, None, payload, false)
    }

    /// Like [`Router::payload`], filed under an order so its screen can show the job.
    pub fn payload_for(
        &self,
        tx: &Transaction<'_>,
        route_name: &str,
        kind: &str,
        key: &str,
        client_ref: &str,
        payload: &Payload,
    ) -> Result<Option<i64>, LedgerError> {
        self.enqueue(tx, route_name, kind, key, Some(client_ref), payload, false)
    }
}

/// What a receipt says about the sale's customer: the member (masked phone, name, whether
/// the platform matched them) and the invoice title.
pub fn customer_lines(conn: &rusqlite::Connection, client_ref: &str) -> Result<Vec<String>, LedgerError> {
    use crate::domain::member::{mask_mobile, MemberState};
    let Some(c) = crate::ledger::customers::get(conn, client_ref)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    if let Some(p) = &c.member_phone {
        let state = match c.member_state {
            MemberState::Matched => "（会员）",
            MemberState::NotMember => "（非会员）",
            MemberState::Dropped => "（未关联会员）",
            // Paid before the platform answered (offline, or sync not yet run): no claim
            // the platform has not made.
            MemberState::Pending => "（会员待平台确认）",
        };
        let name = c.member_name.as_deref().map(|n| format!(" {n}")).unwrap_or_default();
        out.push(format!("顾客：{}{name}{state}", mask_mobile(p)));
    }
    if let Some(t) = &c.invoice_title {
        out.push(format!("发票抬头：{t}"));
    }
    Ok(out)
}

/// Lines grouped by kitchen station as printed: a line with a station goes there; a line
/// whose product the local catalog does not know (an online order's product the till never
/// saw) goes to the default station — never dropped; a known product without a station
/// (retail goods) needs no kitchen ticket.
pub fn kitchen_stations(
    conn: &rusqlite::Connection,
    lines: &[OrderLine],
) -> Result<BTreeMap<String, Vec<i64>>, LedgerError> {
    let mut m = by_station(lines);
    let mut default = None;
    for l in lines.iter().filter(|l| l.station.is_none()) {
        if catalog::get(conn, l.product_id)?.is_none() {
            let d = match &default {
                Some(d) => d,
                None => default.insert(default_station(conn)?),
            };
            m.entry(d.clone()).or_default().push(l.line_no);
        }
    }
    Ok(m)
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
