//! The print queue at run time: the ledger as the printers crate's `JobStore`, the
//! order snapshots turned into tickets, and one worker thread per printer (a dead
//! printer only ever blocks its own thread).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use storepos_printers::driver::{DeviceDriver, FileSink, PrinterDriver, TcpConfig, TcpDriver};
use storepos_printers::queue::{
    self, DedupeKey, Enqueued, JobId, JobState, JobStore, NewJob, PrintJob, StoreError, WorkerConfig,
};
use storepos_printers::templates::after_sales::{
    after_sales_slip, AfterSalesLine, AfterSalesSlipData, ServiceType as SlipType,
};
use storepos_printers::templates::kitchen::{kitchen_ticket, Channel as KChannel, Flow, KitchenData, KitchenLine};
use storepos_printers::templates::receipt::{receipt, ReceiptData, ReceiptDiscount, ReceiptLine};
use storepos_printers::templates::z_report::{z_report, ZReportData};
use storepos_printers::{Paper, PrinterProfile, Ticket};

use crate::app::{App, Event, StoreConfig};
use crate::domain::after_sales::ServiceType;
use crate::domain::order::{strip_client_ref_marker, Channel, KitchenFlow, Order, PaymentMethod};
use crate::domain::Money;
use crate::ledger::{print_jobs, time_text, LedgerError};
use crate::services::printing::{DriverConfig, Payload, PrinterConfig};

fn local(cfg: &StoreConfig, rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| cfg.rule.local_time(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn payment_label(o: &Order) -> String {
    match o.payment_method {
        Some(PaymentMethod::Cash) => "现金",
        Some(PaymentMethod::Wechat) => "微信支付",
        Some(PaymentMethod::Online) => "线上已付",
        None => "待支付",
    }
    .to_string()
}

pub fn receipt_data(cfg: &StoreConfig, o: &Order, open_drawer: bool, reprint: bool, qr: Option<String>) -> ReceiptData {
    let remark = strip_client_ref_marker(&o.remark);
    ReceiptData {
        title: None,
        store_name: cfg.store_name.clone(),
        local_number: o.local_number.clone(),
        platform_order_number: o.order_number.clone(),
        time_local: local(cfg, &o.created_at),
        cashier: o.cashier.clone().unwrap_or_default(),
        lines: o
            .lines
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|l| ReceiptLine {
                name: l.name.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price.decimal(),
                line_total: l.line_total.decimal(),
                memo: l.memo.clone(),
            })
            .collect(),
        remark: (!remark.is_empty()).then_some(remark),
        total: o.total.decimal(),
        paid: o.paid.map(|m| m.decimal()),
        change: o.change.map(|m| m.decimal()),
        payment_method: payment_label(o),
        qr_caption: qr.as_ref().map(|_| "请使用微信扫码支付".to_string()),
        qr,
        footer: cfg.receipt_footer.clone(),
        customer: Vec::new(),
        // What the store took off (the platform order keeps the full price).
        discount: o
            .discount_kind
            .filter(|_| o.discount != Money::ZERO)
            .map(|k| ReceiptDiscount { label: k.label_zh().to_string(), amount: o.discount.decimal() }),
        reprint,
        open_drawer,
    }
}

pub fn kitchen_data(
    cfg: &StoreConfig,
    o: &Order,
    station: &str,
    line_nos: &[i64],
    addition: bool,
    reprint: bool,
    void: bool,
) -> KitchenData {
    let remark = strip_client_ref_marker(&o.remark);
    let contact = format!("{} {}", o.contact_user, o.phone).trim().to_string();
    KitchenData {
        void,
        station: station.to_string(),
        sequence: o.local_number.clone(),
        channel: match o.channel {
            Channel::Counter => KChannel::Counter,
            Channel::SelfPick => KChannel::SelfPick,
            Channel::Flash => KChannel::Flash,
        },
        flow: match o.channel.kitchen_flow() {
            KitchenFlow::Booking => Flow::Booking,
            KitchenFlow::Deliver => Flow::Deliver,
        },
        memo: (!remark.is_empty()).then_some(remark),
        lines: o
            .lines
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .filter(|l| line_nos.contains(&l.line_no))
            .map(|l| KitchenLine { name: l.name.clone(), quantity: l.quantity, memo: l.memo.clone() })
            .collect(),
        addition,
        reprint,
        time_local: cfg.rule.local_time(Utc::now()),
        pickup_contact: (!contact.is_empty()).then_some(contact),
    }
}

/// A stored payload as the ticket to print.
pub fn ticket_for(cfg: &StoreConfig, payload: &Payload, reprint_flag: bool) -> Result<Ticket, String> {
    Ok(match payload {
        Payload::Receipt { order, open_drawer, reprint, qr, title, customer } => receipt(&ReceiptData {
            title: title.clone(),
            customer: customer.clone(),
            ..receipt_data(cfg, order, *open_drawer, *reprint || reprint_flag, qr.clone())
        }),
        Payload::Kitchen { order, station, line_nos, addition, reprint, void } => {
            kitchen_ticket(&kitchen_data(cfg, order, station, line_nos, *addition, *reprint || reprint_flag, *void))
        }
        Payload::AfterSales { service, store_name } => after_sales_slip(&AfterSalesSlipData {
            store_name: store_name.clone(),
            service_type: match service.service_type {
                ServiceType::Refund => SlipType::Refund,
                ServiceType::Return => SlipType::Return,
                ServiceType::Exchange => SlipType::Exchange,
            },
            service_number: service.service_number.clone(),
            order_ref: service.order_number.clone().or_else(|| service.order_client_ref.clone()),
            returned: service
                .returns
                .iter()
                .map(|l| AfterSalesLine {
                    name: l.name.clone(),
                    quantity: l.quantity,
                    amount: Some(l.amount.decimal()),
                })
                .collect(),
            exchanged: service
                .exchanges
                .iter()
                .map(|l| AfterSalesLine {
                    name: l.name.clone(),
                    quantity: l.quantity,
                    amount: Some(l.amount.decimal()),
                })
                .collect(),
            refund_fee: service.refund_fee.map(|m| m.decimal()),
            supplementary_fee: service.supplementary_fee.map(|m| m.decimal()),
            reason: Some(strip_client_ref_marker(&service.reason)),
            time_local: local(cfg, &service.created_at),
            clerk: String::new(),
            reprint: reprint_flag,
            refund_way: service.refund_way.map(|w| w.label_zh().to_string()),
            store_only: service.local_only,
        }),
        Payload::DrawerKick => Ticket::new().drawer_kick(),
        Payload::ZReport { report } => {
            let data: ZReportData =
                serde_json::from_value(report.get("print").cloned().unwrap_or_else(|| report.clone()))
                    .map_err(|e| format!("Z report cannot be printed: {e}"))?;
            z_report(&data)
        }
    })
}

pub fn profile_of(p: &PrinterConfig) -> PrinterProfile {
    let mut prof = PrinterProfile::new(&p.name, if p.paper == "58" { Paper::W58 } else { Paper::W80 });
    prof.native_qr = p.native_qr;
    prof.cutter = p.cutter;
    prof.drawer = p.drawer;
    prof
}

pub fn driver_of(p: &PrinterConfig) -> Result<Box<dyn PrinterDriver>, String> {
    Ok(match &p.driver {
        DriverConfig::Tcp { addr } => {
            Box::new(TcpDriver::from_host(addr, TcpConfig::default()).map_err(|e| e.to_string())?)
        }
        DriverConfig::Device { path } => Box::new(DeviceDriver::new(path)),
        DriverConfig::File { path } => Box::new(FileSink::new(path)),
    })
}

/// The ledger's `print_jobs` table behind the printers crate's `JobStore` contract.
pub struct LedgerJobStore {
    pub app: Arc<App>,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn sys_text(t: SystemTime) -> String {
    time_text(DateTime::<Utc>::from(t))
}

fn state_of(s: &str) -> JobState {
    match s {
        "printing" => JobState::Printing,
        "printed" => JobState::Printed,
        "failed" => JobState::Failed,
        "uncertain" => JobState::Uncertain,
        _ => JobState::Queued,
    }
}

impl LedgerJobStore {
    fn to_job(&self, j: print_jobs::PrintJob) -> PrintJob {
        let cfg = self.app.config();
        let ticket = serde_json::from_str::<Payload>(&j.payload)
            .map_err(|e| e.to_string())
            .and_then(|p| ticket_for(&cfg, &p, j.reprint))
            // An unreadable payload still prints something a person can act on.
            .unwrap_or_else(|e| Ticket::new().text(format!("无法打印此单据 #{}: {e}", j.id)).cut());
        PrintJob {
            id: j.id as JobId,
            printer_id: j.printer_id,
            key: DedupeKey {
                order: j.client_ref.unwrap_or_default(),
                station: j.kind,
                revision: 0,
                copy: j.reprint as u32,
            },
            ticket,
            state: state_of(&j.state),
            attempts: j.attempts as u32,
            last_error: j.last_error,
            next_attempt_at: None,
        }
    }

    fn publish(&self, id: JobId, state: &str) {
        self.app.publish(Event::PrintJob { id: id as i64, state: state.into() });
    }
}

impl JobStore for LedgerJobStore {
    fn enqueue(&self, job: NewJob) -> Result<Enqueued, StoreError> {
        // Tickets are queued by `printing::Router` inside the causing transaction; a raw
        // ticket from elsewhere is not part of that flow.
        Err(StoreError::Backend(format!("enqueue {} through printing::Router", job.key)))
    }

    fn claim_next(&self, printer_id: &str, now: SystemTime) -> Result<Option<PrintJob>, StoreError> {
        let job =
            self.app.ledger().write(|tx| print_jobs::claim_next(tx, printer_id, &sys_text(now))).map_err(backend)?;
        Ok(job.map(|j| self.to_job(j)))
    }

    fn mark_printed(&self, id: JobId) -> Result<(), StoreError> {
        self.app.ledger().write(|tx| print_jobs::mark_printed(tx, id as i64)).map_err(backend)?;
        tracing::debug!(job = id, "ticket printed");
        self.publish(id, "printed");
        Ok(())
    }

    fn mark_failed(&self, id: JobId, error: &str, retry_at: Option<SystemTime>) -> Result<(), StoreError> {
        let at = retry_at.map(sys_text);
        self.app.ledger().write(|tx| print_jobs::mark_failed(tx, id as i64, error, at.as_deref())).map_err(backend)?;
        tracing::warn!(job = id, error, retry = at.is_some(), "ticket not printed");
        self.publish(id, "failed");
        Ok(())
    }

    fn mark_uncertain(&self, id: JobId, reason: &str) -> Result<(), StoreError> {
        self.app.ledger().write(|tx| print_jobs::mark_uncertain(tx, id as i64, reason)).map_err(backend)?;
        tracing::warn!(job = id, reason, "ticket may not have printed");
        self.publish(id, "uncertain");
        Ok(())
    }

    fn recover_interrupted(&self, printer_id: &str) -> Result<Vec<JobId>, StoreError> {
        let ids = self.app.ledger().write(|tx| print_jobs::recover_interrupted(tx, printer_id)).map_err(backend)?;
        Ok(ids.into_iter().map(|i| i as JobId).collect())
    }

    fn list(&self, printer_id: Option<&str>) -> Result<Vec<PrintJob>, StoreError> {
        let jobs = print_jobs::list(self.app.ledger().read(), None, None, 500).map_err(backend)?;
        Ok(jobs.into_iter().filter(|j| printer_id.is_none_or(|p| p == j.printer_id)).map(|j| self.to_job(j)).collect())
    }
}

/// Running print workers; dropping it stops them.
pub struct PrintWorkers {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl PrintWorkers {
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for PrintWorkers {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Starts one worker thread per configured printer.
pub fn start_workers(app: Arc<App>) -> Result<PrintWorkers, LedgerError> {
    let printers = crate::services::printing::printers(app.ledger().read(), app.data_dir())?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for p in printers {
        let app = app.clone();
        let stop = stop.clone();
        threads.push(
            std::thread::Builder::new()
                .name(format!("print-{}", p.id))
                .spawn(move || {
                    let store = LedgerJobStore { app };
                    let profile = profile_of(&p);
                    let mut driver = match driver_of(&p) {
                        Ok(d) => d,
                        Err(e) => {
                            tracing::warn!(printer = %p.id, "printer not started: {e}");
                            return;
                        }
                    };
                    // A store error (disk full, busy) ends one pass; restart after a pause.
                    while !stop.load(Ordering::SeqCst) {
                        if let Err(e) =
                            queue::run_worker(&store, &p.id, driver.as_mut(), &profile, &stop, &WorkerConfig::default())
                        {
                            tracing::warn!(printer = %p.id, "print queue: {e}");
                            std::thread::sleep(std::time::Duration::from_secs(1));
                        }
                    }
                })
                .expect("spawn print worker"),
        );
    }
    Ok(PrintWorkers { stop, threads })
}
