//! The queue worker against the fake network printer (real TCP on loopback).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use storepos_printers::driver::{PrinterDriver, TcpConfig, TcpDriver};
use storepos_printers::escpos_reader::decode;
use storepos_printers::fake::{FakeMode, FakePrinter};
use storepos_printers::queue::*;
use storepos_printers::templates::{kitchen_ticket, KitchenData};
use storepos_printers::{Paper, PrinterProfile};

fn fast_tcp(read_timeout_ms: u64) -> TcpConfig {
    TcpConfig {
        connect_timeout: Duration::from_millis(300),
        write_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(read_timeout_ms),
        confirm_with_status: true,
    }
}

fn fast_worker() -> WorkerConfig {
    WorkerConfig {
        idle_poll: Duration::from_millis(10),
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
    }
}

fn ticket_job(printer: &str, seq: &str) -> NewJob {
    let data = KitchenData { sequence: seq.into(), addition: false, reprint: false, ..crate::fixtures::kitchen_data() };
    NewJob {
        printer_id: printer.into(),
        key: DedupeKey { order: format!("order-{seq}"), station: "热菜".into(), revision: 1, copy: 0 },
        ticket: kitchen_ticket(&data),
    }
}

struct Worker {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<WorkerReport>>,
}

impl Worker {
    fn start(store: Arc<MemoryJobStore>, printer: &str, addr: std::net::SocketAddr, tcp: TcpConfig) -> Worker {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let printer = printer.to_string();
        let handle = std::thread::spawn(move || {
            let mut driver = TcpDriver::with_config(addr, tcp);
            let profile = PrinterProfile::new(&printer, Paper::W58);
            run_worker(store.as_ref(), &printer, &mut driver, &profile, &s, &fast_worker())
                .expect("memory store never fails")
        });
        Worker { stop, handle: Some(handle) }
    }

    fn stop(mut self) -> WorkerReport {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.take().unwrap().join().expect("worker thread does not panic")
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    cond()
}

fn states(store: &MemoryJobStore, printer: &str) -> Vec<JobState> {
    store.list(Some(printer)).unwrap().into_iter().map(|j| j.state).collect()
}

/// How many complete tickets (decoded cleanly, cut present) with this
/// sequence number the printer received.
fn printed_count(fake: &FakePrinter, seq: &str) -> usize {
    fake.connections()
        .iter()
        .map(|c| decode(c, Paper::W58))
        .filter(|d| d.errors.is_empty() && d.cuts == 1 && d.texts().contains(&seq))
        .count()
}

#[test]
fn outage_then_recovery_prints_every_job_exactly_once() {
    let fake = FakePrinter::start().unwrap();
    fake.set_mode(FakeMode::Refuse);
    let store = Arc::new(MemoryJobStore::new());
    for seq in ["0001", "0002", "0003"] {
        store.enqueue(ticket_job("p1", seq)).unwrap();
    }
    let w = Worker::start(store.clone(), "p1", fake.addr(), fast_tcp(500));
    assert!(
        wait_until(Duration::from_secs(3), || {
            store.list(None).unwrap().iter().any(|j| j.state == JobState::Failed && j.attempts >= 2)
        }),
        "refused connections fail and are retried"
    );
    assert!(fake.connections().is_empty());
    fake.set_mode(FakeMode::Normal);
    assert!(
        wait_until(Duration::from_secs(5), || states(&store, "p1").iter().all(|s| *s == JobState::Printed)),
        "all printed after the printer came back: {:?}",
        store.list(None).unwrap()
    );
    let report = w.stop();
    assert_eq!(report.printed, 3);
    assert!(report.retryable_failures >= 2);
    for seq in ["0001", "0002", "0003"] {
        assert_eq!(printed_count(&fake, seq), 1, "ticket {seq} printed exactly once");
    }
    assert_eq!(fake.connections().len(), 3, "no extra sends");
}

#[test]
fn stalled_printer_times_out_and_the_job_is_retried() {
    let fake = FakePrinter::start().unwrap();
    fake.set_mode(FakeMode::Stall);
    let store = Arc::new(MemoryJobStore::new());
    store.enqueue(ticket_job("p1", "0042")).unwrap();
    let w = Worker::start(store.clone(), "p1", fake.addr(), fast_tcp(150));
    assert!(
        wait_until(Duration::from_secs(3), || {
            let j = &store.list(None).unwrap()[0];
            j.state == JobState::Failed && j.last_error.as_deref().is_some_and(|e| e.contains("acknowledge"))
        }),
        "a printer that does not read is detected by the unanswered status query"
    );
    fake.set_mode(FakeMode::Normal);
    assert!(wait_until(Duration::from_secs(5), || states(&store, "p1") == [JobState::Printed]));
    w.stop();
    assert!(store.list(None).unwrap()[0].attempts >= 2);
    assert_eq!(printed_count(&fake, "0042"), 1);
}

#[test]
fn dead_printer_does_not_delay_another_printer() {
    let dead = FakePrinter::start().unwrap();
    dead.set_mode(FakeMode::Stall);
    let live = FakePrinter::start().unwrap();
    let store = Arc::new(MemoryJobStore::new());
    store.enqueue(ticket_job("dead", "0100")).unwrap();
    store.enqueue(ticket_job("dead", "0101")).unwrap();
    for seq in ["0200", "0201", "0202"] {
        store.enqueue(ticket_job("live", seq)).unwrap();
    }
    // The dead printer never answers and its worker waits up to a minute per attempt. Its
    // first attempt is under way before the live printer's worker starts.
    let wd = Worker::start(store.clone(), "dead", dead.addr(), fast_tcp(60_000));
    assert!(wait_until(Duration::from_secs(10), || states(&store, "dead").contains(&JobState::Printing)));
    let wl = Worker::start(store.clone(), "live", live.addr(), fast_tcp(500));
    // (The limit only keeps a broken build from hanging: it is far below the dead attempt's minute.)
    assert!(wait_until(Duration::from_secs(30), || states(&store, "live").iter().all(|s| *s == JobState::Printed)));
    // Independence as behaviour, not a stopwatch: every live ticket printed while the dead
    // printer's first attempt was still hanging.
    assert_eq!(
        states(&store, "dead"),
        [JobState::Printing, JobState::Queued],
        "the live printer finished while the dead one's attempt was still open"
    );
    assert!(states(&store, "dead").iter().all(|s| *s != JobState::Printed));
    assert!(dead.connections().is_empty());
    for seq in ["0200", "0201", "0202"] {
        assert_eq!(printed_count(&live, seq), 1);
    }
    wl.stop();
    drop(wd); // stops after its current attempt; not joined to keep the test short
}

#[test]
fn job_printing_at_restart_becomes_uncertain_and_is_not_resent() {
    let fake = FakePrinter::start().unwrap();
    let store = Arc::new(MemoryJobStore::new());
    store.enqueue(ticket_job("p1", "0301")).unwrap();
    store.enqueue(ticket_job("p1", "0302")).unwrap();
    // The previous process claimed 0301 and died during the send.
    let claimed = store.claim_next("p1", std::time::SystemTime::now()).unwrap().unwrap();
    assert_eq!(claimed.state, JobState::Printing);
    let w = Worker::start(store.clone(), "p1", fake.addr(), fast_tcp(500));
    assert!(wait_until(Duration::from_secs(3), || store.get(2).unwrap().state == JobState::Printed));
    std::thread::sleep(Duration::from_millis(100));
    let report = w.stop();
    assert_eq!(report.uncertain, vec![claimed.id]);
    assert_eq!(store.get(claimed.id).unwrap().state, JobState::Uncertain);
    assert_eq!(printed_count(&fake, "0301"), 0, "an interrupted job is never resent by itself");
    assert_eq!(printed_count(&fake, "0302"), 1);
    // A person asks for a reprint: a new copy, printed with the 重印 mark.
    let mut reprint = ticket_job("p1", "0301");
    reprint.key.copy = 1;
    reprint.ticket = kitchen_ticket(&KitchenData {
        sequence: "0301".into(),
        reprint: true,
        addition: false,
        ..crate::fixtures::kitchen_data()
    });
    assert!(matches!(store.enqueue(reprint).unwrap(), Enqueued::Created(_)));
    assert_eq!(
        store.enqueue(ticket_job("p1", "0301")).unwrap(),
        Enqueued::Duplicate(claimed.id),
        "the original key stays taken"
    );
    let w = Worker::start(store.clone(), "p1", fake.addr(), fast_tcp(500));
    assert!(wait_until(Duration::from_secs(3), || printed_count(&fake, "0301") == 1));
    w.stop();
    let last = decode(fake.connections().last().unwrap(), Paper::W58);
    assert!(last.texts().contains(&"【重印】"), "reprint carries the mark: {:?}", last.texts());
}

#[test]
fn connection_closed_mid_job_is_retried_to_one_complete_ticket() {
    let fake = FakePrinter::start().unwrap();
    fake.set_mode(FakeMode::CloseAfter(40));
    let store = Arc::new(MemoryJobStore::new());
    store.enqueue(ticket_job("p1", "0400")).unwrap();
    let w = Worker::start(store.clone(), "p1", fake.addr(), fast_tcp(300));
    assert!(wait_until(Duration::from_secs(3), || states(&store, "p1") == [JobState::Printed]));
    w.stop();
    let conns = fake.connections();
    assert_eq!(conns.len(), 2, "a torn fragment, then the retry");
    assert_eq!(conns[0].len(), 40);
    assert_eq!(printed_count(&fake, "0400"), 1);
}

#[test]
fn status_query_reports_paper_out_and_silence() {
    let fake = FakePrinter::start().unwrap();
    let mut d = TcpDriver::with_config(fake.addr(), fast_tcp(200));
    assert_eq!(d.status().unwrap(), Some(Default::default()));
    fake.set_status(4, Some(0x72)); // roll paper end sensor: paper not present
    fake.set_status(2, Some(0x16)); // cover open
    let s = d.status().unwrap().unwrap();
    assert!(s.paper_out && s.cover_open && !s.offline);
    fake.set_status(1, None);
    assert_eq!(d.status().unwrap(), None, "a printer that does not answer reports None");
}

#[test]
fn refused_connection_is_reported_as_nothing_sent() {
    let fake = FakePrinter::start().unwrap();
    fake.set_mode(FakeMode::Refuse);
    std::thread::sleep(Duration::from_millis(50));
    let mut d = TcpDriver::with_config(fake.addr(), fast_tcp(200));
    let e = d.send(b"\x1b@hello\n").unwrap_err();
    assert!(!e.may_have_reached_printer(), "{e}");
}
