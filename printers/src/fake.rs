//! A fake ESC/POS network printer for tests (here and in the main crate).
//!
//! Listens on `127.0.0.1:0`, records every byte per connection, answers
//! `DLE EOT n` with configurable status bytes when a query is the last thing
//! received, and can misbehave on demand: refuse connections (the listener is
//! closed, so connects get RST), stall (accept and never read), or close a
//! connection after a number of bytes (once).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// How the fake printer treats new connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeMode {
    /// Accept, read and record everything.
    Normal,
    /// Close the listening socket: connects are refused.
    Refuse,
    /// Accept and never read (nothing is recorded). Leaving this mode drops
    /// the stalled connections unread.
    Stall,
    /// Accept, record this many bytes, then close; back to `Normal` after one
    /// connection.
    CloseAfter(usize),
}

struct Shared {
    mode: Mutex<FakeMode>,
    stop: AtomicBool,
    /// Whether the listening socket is open right now (for `set_mode`).
    listening: AtomicBool,
    connections: Mutex<Vec<Vec<u8>>>,
    /// Answer to `DLE EOT n` for n = 1..=4; `None` = stay silent.
    status: Mutex<[Option<u8>; 4]>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test thread that panicked while holding the lock must not hide the
    // data from the assertions that follow.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The fake printer. Stops its threads when dropped.
pub struct FakePrinter {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FakePrinter {
    /// Starts a fake printer on a free loopback port, in `Normal` mode, with
    /// a healthy status (online, cover closed, paper present).
    pub fn start() -> std::io::Result<FakePrinter> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            mode: Mutex::new(FakeMode::Normal),
            stop: AtomicBool::new(false),
            listening: AtomicBool::new(true),
            connections: Mutex::new(Vec::new()),
            status: Mutex::new([Some(0x12); 4]),
        });
        let s = shared.clone();
        let accept = std::thread::spawn(move || accept_loop(listener, addr, s));
        Ok(FakePrinter { addr, shared, accept: Some(accept) })
    }

    /// Where to connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Changes how new connections are treated. Returns once the listening
    /// socket is closed (`Refuse`) or open again (other modes), so a test's
    /// next connect sees the new mode.
    pub fn set_mode(&self, mode: FakeMode) {
        *lock(&self.shared.mode) = mode;
        let want_listening = mode != FakeMode::Refuse;
        let end = std::time::Instant::now() + Duration::from_secs(2);
        while self.shared.listening.load(Ordering::SeqCst) != want_listening && std::time::Instant::now() < end {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Sets the answer to `DLE EOT n` (n in 1..=4); `None` = no answer.
    pub fn set_status(&self, n: u8, answer: Option<u8>) {
        if (1..=4).contains(&n) {
            lock(&self.shared.status)[n as usize - 1] = answer;
        }
    }

    /// Bytes received, one entry per recorded connection.
    pub fn connections(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.connections).clone()
    }
}

impl Drop for FakePrinter {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(listener: TcpListener, addr: SocketAddr, shared: Arc<Shared>) {
    let mut listener = Some(listener);
    let mut stalled: Vec<TcpStream> = Vec::new();
    while !shared.stop.load(Ordering::SeqCst) {
        let mode = *lock(&shared.mode);
        if mode != FakeMode::Stall {
            stalled.clear();
        }
        if mode == FakeMode::Refuse {
            listener = None;
            shared.listening.store(false, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        if listener.is_none() {
            // std sets SO_REUSEADDR on Unix, so the same port binds again.
            listener = TcpListener::bind(addr).ok();
            if let Some(l) = &listener {
                let _ = l.set_nonblocking(true);
                shared.listening.store(true, Ordering::SeqCst);
            }
        }
        let Some(l) = &listener else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        match l.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                match mode {
                    FakeMode::Stall => stalled.push(stream),
                    FakeMode::CloseAfter(n) => {
                        *lock(&shared.mode) = FakeMode::Normal;
                        let s = shared.clone();
                        std::thread::spawn(move || serve(stream, s, Some(n)));
                    }
                    FakeMode::Normal | FakeMode::Refuse => {
                        let s = shared.clone();
                        std::thread::spawn(move || serve(stream, s, None));
                    }
                }
            }
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

fn serve(mut stream: TcpStream, shared: Arc<Shared>, limit: Option<usize>) {
    let idx = {
        let mut c = lock(&shared.connections);
        c.push(Vec::new());
        c.len() - 1
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf = [0u8; 8192];
    let mut total = 0usize;
    while !shared.stop.load(Ordering::SeqCst) {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => {
                let take = limit.map_or(k, |n| k.min(n - total));
                total += take;
                let tail = {
                    let mut c = lock(&shared.connections);
                    c[idx].extend_from_slice(&buf[..take]);
                    let rec = &c[idx];
                    (rec.len() >= 3).then(|| [rec[rec.len() - 3], rec[rec.len() - 2], rec[rec.len() - 1]])
                };
                if limit.is_some_and(|n| total >= n) {
                    return; // drop: close mid-job
                }
                if let Some([0x10, 0x04, n @ 1..=4]) = tail {
                    let answer = lock(&shared.status)[n as usize - 1];
                    if let Some(a) = answer {
                        let _ = stream.write_all(&[a]);
                    }
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted
                ) => {}
            Err(_) => break,
        }
    }
}
