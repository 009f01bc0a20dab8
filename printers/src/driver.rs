//! Printer transports: raw TCP (port 9100), a device file (`/dev/usb/lp0`),
//! and a file sink. Every call is bounded in time where the OS lets us: a dead
//! network printer must fail a job, not hang its worker.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use escpos::utils::{RealTimeStatusRequest, RealTimeStatusResponse};

/// What the printer reported to `DLE EOT` (real-time status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    /// `DLE EOT 1` bit 3: the printer is offline.
    pub offline: bool,
    /// `DLE EOT 2` bit 2: the cover is open.
    pub cover_open: bool,
    /// `DLE EOT 4` bits 5-6 (or `DLE EOT 2` bit 5): the paper roll is out.
    pub paper_out: bool,
    /// `DLE EOT 4` bits 2-3: the paper roll is nearly out.
    pub paper_near_end: bool,
    /// `DLE EOT 2` bit 6: an error occurred.
    pub error: bool,
}

/// How much of a job may have reached the printer when a send failed. The
/// queue decides on this (see [`crate::queue`]): retry, or ask a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Nothing left this machine: safe to retry.
    Nothing,
    /// Part of the job may have reached the printer, but not all of it (or
    /// the printer never got as far as the status query sent after the job):
    /// at worst a torn fragment printed. Retrying cannot make a second
    /// complete ticket.
    Partial,
    /// All bytes were handed over; the printer may have printed the ticket.
    MaybeComplete,
}

/// A failed send or status query.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The address could not be resolved.
    #[error("bad printer address {0}")]
    Address(String),
    /// No connection (refused, unreachable, connect timeout).
    #[error("cannot connect to printer at {addr}: {source}")]
    Connect {
        /// Printer address.
        addr: String,
        /// Cause.
        source: io::Error,
    },
    /// The device file or sink could not be opened.
    #[error("cannot open {path}: {source}")]
    Open {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: io::Error,
    },
    /// Writing failed (error or write timeout) after `written` of `total` bytes.
    #[error("printer write failed after {written} of {total} bytes: {source}")]
    Write {
        /// Bytes handed to the OS before the failure.
        written: usize,
        /// Job size.
        total: usize,
        /// Cause.
        source: io::Error,
    },
    /// All bytes were written, but the printer did not answer the status query
    /// sent right after them (stalled, buffer full, connection dropped).
    #[error("printer did not acknowledge the job: {0}")]
    Unacknowledged(String),
    /// The status answer does not follow the `DLE EOT` bit pattern.
    #[error("garbled status byte {0:#04x}")]
    BadStatus(u8),
}

impl DriverError {
    /// How much of the job may have reached the printer.
    pub fn delivery(&self) -> Delivery {
        match self {
            DriverError::Address(_) | DriverError::Connect { .. } | DriverError::Open { .. } => Delivery::Nothing,
            DriverError::Write { written: 0, .. } => Delivery::Nothing,
            DriverError::Write { written, total, .. } if written < total => Delivery::Partial,
            DriverError::Write { .. } => Delivery::MaybeComplete,
            // A printer handles DLE EOT as soon as it reads it; it was sent after
            // the last byte of the job, so no answer means the printer did not
            // read the job to its end (see module docs of `queue`).
            DriverError::Unacknowledged(_) => Delivery::Partial,
            DriverError::BadStatus(_) => Delivery::MaybeComplete,
        }
    }

    /// True when bytes may have (partly) reached the printer.
    pub fn may_have_reached_printer(&self) -> bool {
        self.delivery() != Delivery::Nothing
    }
}

/// A way to get bytes to a printer.
pub trait PrinterDriver: Send {
    /// Sends one complete job. On error, [`DriverError::delivery`] says how
    /// much may have been printed.
    fn send(&mut self, bytes: &[u8]) -> Result<(), DriverError>;
    /// Real-time status; `Ok(None)` when the printer (or transport) does not
    /// answer status queries.
    fn status(&mut self) -> Result<Option<PrinterStatus>, DriverError>;
}

/// Timeouts and behaviour of a [`TcpDriver`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpConfig {
    /// Connect timeout (default 3 s).
    pub connect_timeout: Duration,
    /// Per-write timeout (default 5 s).
    pub write_timeout: Duration,
    /// How long to wait for a status answer (default 2 s).
    pub read_timeout: Duration,
    /// After the job, send `DLE EOT 1` and require an answer; no answer is a
    /// [`DriverError::Unacknowledged`]. This is the only way to notice a
    /// printer that accepts the connection but does not read (the job fits in
    /// socket buffers, so writes succeed). Enable only for printers that
    /// answer DLE EOT over the network, or every job would fail. Default off.
    pub confirm_with_status: bool,
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            connect_timeout: Duration::from_secs(3),
            write_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(2),
            confirm_with_status: false,
        }
    }
}

/// Raw TCP ("JetDirect", port 9100). One connection per job, closed after
/// it: printers often serve one client at a time, and a held connection
/// would block the other tills.
#[derive(Debug, Clone)]
pub struct TcpDriver {
    addr: SocketAddr,
    config: TcpConfig,
}

/// The raw printing port.
pub const RAW_PORT: u16 = 9100;

impl TcpDriver {
    /// A driver for `addr` with default timeouts.
    pub fn new(addr: SocketAddr) -> Self {
        Self::with_config(addr, TcpConfig::default())
    }

    /// A driver for `addr` with `config`.
    pub fn with_config(addr: SocketAddr, config: TcpConfig) -> Self {
        TcpDriver { addr, config }
    }

    /// Resolves `host` or `host:port` (port 9100 when omitted).
    pub fn from_host(host: &str, config: TcpConfig) -> Result<Self, DriverError> {
        let with_port = if host.contains(':') { host.to_string() } else { format!("{host}:{RAW_PORT}") };
        let addr = with_port
            .to_socket_addrs()
            .map_err(|_| DriverError::Address(host.to_string()))?
            .next()
            .ok_or_else(|| DriverError::Address(host.to_string()))?;
        Ok(Self::with_config(addr, config))
    }

    /// The printer address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn connect(&self) -> Result<TcpStream, DriverError> {
        let s = TcpStream::connect_timeout(&self.addr, self.config.connect_timeout)
            .map_err(|source| DriverError::Connect { addr: self.addr.to_string(), source })?;
        let io_err = |source| DriverError::Connect { addr: self.addr.to_string(), source };
        s.set_write_timeout(Some(self.config.write_timeout)).map_err(io_err)?;
        s.set_read_timeout(Some(self.config.read_timeout)).map_err(io_err)?;
        s.set_nodelay(true).map_err(io_err)?;
        Ok(s)
    }

    /// Sends one `DLE EOT n` and reads the answer byte; `None` on timeout/EOF.
    fn query(stream: &mut TcpStream, n: u8) -> Result<Option<u8>, io::Error> {
        stream.write_all(&[0x10, 0x04, n])?;
        stream.flush()?;
        let mut b = [0u8; 1];
        match stream.read(&mut b) {
            Ok(1) => Ok(Some(b[0])),
            Ok(_) => Ok(None),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn write_counted<W: Write>(w: &mut W, bytes: &[u8]) -> Result<(), DriverError> {
    let mut written = 0;
    while written < bytes.len() {
        match w.write(&bytes[written..]) {
            Ok(0) => {
                return Err(DriverError::Write { written, total: bytes.len(), source: io::ErrorKind::WriteZero.into() })
            }
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => return Err(DriverError::Write { written, total: bytes.len(), source }),
        }
    }
    w.flush().map_err(|source| DriverError::Write { written, total: bytes.len(), source })
}

impl PrinterDriver for TcpDriver {
    fn send(&mut self, bytes: &[u8]) -> Result<(), DriverError> {
        let mut s = self.connect()?;
        write_counted(&mut s, bytes)?;
        if self.config.confirm_with_status {
            match Self::query(&mut s, 1) {
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Err(DriverError::Unacknowledged(format!(
                        "no answer to DLE EOT within {:?}",
                        self.config.read_timeout
                    )))
                }
                Err(e) => return Err(DriverError::Unacknowledged(e.to_string())),
            }
        }
        let _ = s.shutdown(Shutdown::Both);
        Ok(())
    }

    fn status(&mut self) -> Result<Option<PrinterStatus>, DriverError> {
        let mut s = self.connect()?;
        let mut answers = [0u8; 3];
        for (slot, n) in answers.iter_mut().zip([1u8, 2, 4]) {
            match Self::query(&mut s, n) {
                Ok(Some(b)) => *slot = b,
                Ok(None) => return Ok(None),
                Err(source) => return Err(DriverError::Write { written: 0, total: 3, source }),
            }
        }
        let _ = s.shutdown(Shutdown::Both);
        parse_status(answers[0], answers[1], answers[2]).map(Some)
    }
}

/// Decodes the answers to `DLE EOT 1`, `2` and `4` (pattern checked by the
/// `escpos` crate, which gets this part right).
pub fn parse_status(printer: u8, offline_cause: u8, paper: u8) -> Result<PrinterStatus, DriverError> {
    let p = RealTimeStatusResponse::parse(RealTimeStatusRequest::Printer, printer)
        .map_err(|_| DriverError::BadStatus(printer))?;
    let o = RealTimeStatusResponse::parse(RealTimeStatusRequest::OfflineCause, offline_cause)
        .map_err(|_| DriverError::BadStatus(offline_cause))?;
    let r = RealTimeStatusResponse::parse(RealTimeStatusRequest::RollPaperSensor, paper)
        .map_err(|_| DriverError::BadStatus(paper))?;
    let get = |m: &std::collections::HashMap<RealTimeStatusResponse, bool>, k| m.get(&k).copied().unwrap_or(false);
    Ok(PrinterStatus {
        offline: !get(&p, RealTimeStatusResponse::Online),
        cover_open: !get(&o, RealTimeStatusResponse::CoverClosed),
        paper_out: get(&o, RealTimeStatusResponse::PrintingStopsDueToPaperEnd)
            || !get(&r, RealTimeStatusResponse::RollPaperEndSensorPaperPresent),
        paper_near_end: !get(&r, RealTimeStatusResponse::RollPaperNearEndSensorPaperAdequate),
        error: get(&o, RealTimeStatusResponse::ErrorOccurred),
    })
}

/// A local device file (`/dev/usb/lp0`). Writes block in the kernel driver,
/// which has its own timeouts; status is not read back (usblp does not pass
/// DLE EOT answers reliably), so `status` is `Ok(None)`.
#[derive(Debug, Clone)]
pub struct DeviceDriver {
    path: PathBuf,
}

impl DeviceDriver {
    /// A driver for the device at `path`.
    pub fn new(path: impl AsRef<Path>) -> Self {
        DeviceDriver { path: path.as_ref().to_path_buf() }
    }
}

impl PrinterDriver for DeviceDriver {
    fn send(&mut self, bytes: &[u8]) -> Result<(), DriverError> {
        let mut f = OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(|source| DriverError::Open { path: self.path.clone(), source })?;
        write_counted(&mut f, bytes)
    }

    fn status(&mut self) -> Result<Option<PrinterStatus>, DriverError> {
        Ok(None)
    }
}

/// Appends every job to a file ("print to file", tests).
#[derive(Debug, Clone)]
pub struct FileSink {
    path: PathBuf,
}

impl FileSink {
    /// A sink appending to `path` (created if missing).
    pub fn new(path: impl AsRef<Path>) -> Self {
        FileSink { path: path.as_ref().to_path_buf() }
    }
}

impl PrinterDriver for FileSink {
    fn send(&mut self, bytes: &[u8]) -> Result<(), DriverError> {
        let mut f: File = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|source| DriverError::Open { path: self.path.clone(), source })?;
        write_counted(&mut f, bytes)
    }

    fn status(&mut self) -> Result<Option<PrinterStatus>, DriverError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_bits_decode() {
        let ok = parse_status(0x12, 0x12, 0x12).unwrap();
        assert_eq!(ok, PrinterStatus::default());
        let bad = parse_status(0x1A, 0x76, 0x7E).unwrap();
        assert!(bad.offline && bad.cover_open && bad.paper_out && bad.paper_near_end && bad.error);
        assert!(matches!(parse_status(0xFF, 0x12, 0x12), Err(DriverError::BadStatus(0xFF))));
    }

    #[test]
    fn delivery_classification() {
        let w = |written, total| DriverError::Write { written, total, source: io::ErrorKind::TimedOut.into() };
        assert_eq!(w(0, 10).delivery(), Delivery::Nothing);
        assert_eq!(w(5, 10).delivery(), Delivery::Partial);
        assert_eq!(w(10, 10).delivery(), Delivery::MaybeComplete);
    }

    #[test]
    fn file_sink_appends() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        let mut s = FileSink::new(&p);
        s.send(b"ab").unwrap();
        s.send(b"c").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"abc");
        assert!(DeviceDriver::new(dir.path().join("nope/lp0")).send(b"x").is_err());
    }
}
