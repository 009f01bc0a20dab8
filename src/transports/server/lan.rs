//! The LAN listener (issue 24): switched on and off at run time (`lan_set`, the 局域网
//! tab) or at start (`storepos serve --lan`), HTTPS only with the store CA's certificate
//! ([`crate::app::tls`]), paired devices only ([`super::pairing`]). The manager's choice is
//! remembered in `DATA/lan-on`, so a restart of the till does not lock the iPads out.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use axum::Router;
use tokio::sync::watch;

use super::listen::{self, Via};
use crate::app::tls::{self, StoreCa, TillCertificate, TlsError};
use crate::commands::lan::{LanStatus, LanSwitch, CA_CERT_PATH, CA_PROFILE_PATH};
use crate::commands::{App, CommandError, ErrorCode};

/// Present in the data dir while the manager wants the till open to the LAN.
pub const ON_FILE: &str = "lan-on";

/// The default LAN address: every interface, the port after the loopback one's default.
pub const DEFAULT_LAN_LISTEN: &str = "0.0.0.0:8731";

struct Running {
    addr: SocketAddr,
    cert: Arc<TillCertificate>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The LAN switch of one `storepos serve`.
pub struct LanControl {
    listen: SocketAddr,
    data_dir: PathBuf,
    app: Weak<App>,
    runtime: tokio::runtime::Handle,
    /// Set once the router exists (it holds this control: set after, cleared at shutdown).
    router: Mutex<Option<Router>>,
    ca: OnceLock<Arc<StoreCa>>,
    running: Mutex<Option<Running>>,
}

fn tls_error(e: TlsError) -> CommandError {
    CommandError::new(ErrorCode::Storage, "无法准备局域网加密证书", e.to_string())
}

impl LanControl {
    pub(super) fn new(app: &Arc<App>, listen: SocketAddr, runtime: tokio::runtime::Handle) -> LanControl {
        LanControl {
            listen,
            data_dir: app.data_dir().to_path_buf(),
            app: Arc::downgrade(app),
            runtime,
            router: Mutex::new(None),
            ca: OnceLock::new(),
            running: Mutex::new(None),
        }
    }

    pub(super) fn set_router(&self, router: Router) {
        *self.router.lock().unwrap_or_else(|p| p.into_inner()) = Some(router);
    }

    /// The store CA, made on first use for stores from before issue 24.
    pub fn ca(&self) -> Result<Arc<StoreCa>, TlsError> {
        if let Some(ca) = self.ca.get() {
            return Ok(ca.clone());
        }
        let ca = Arc::new(StoreCa::load_or_create(&self.data_dir)?);
        Ok(self.ca.get_or_init(|| ca).clone())
    }

    /// The store's name (for the iOS profile's title).
    pub fn store_name(&self) -> String {
        self.app.upgrade().map(|a| a.config().store_name).unwrap_or_else(|| "storepos".into())
    }

    /// Whether the manager left the LAN on (`DATA/lan-on`).
    pub fn remembered_on(&self) -> bool {
        self.data_dir.join(ON_FILE).exists()
    }

    /// The bound LAN address while on.
    pub fn addr(&self) -> Option<SocketAddr> {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|r| r.addr)
    }

    /// Binds the LAN listener (idempotent).
    ///
    /// Errors: the CA or certificate cannot be made, the address cannot be bound.
    pub fn start(&self) -> Result<SocketAddr, CommandError> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = running.as_ref() {
            return Ok(r.addr);
        }
        let router = self
            .router
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| CommandError::new(ErrorCode::Conflict, "收银台正在关闭", "the server is stopping"))?;
        let ca = self.ca().map_err(tls_error)?;
        let bound_ip: Option<IpAddr> = Some(self.listen.ip()).filter(|ip| !ip.is_unspecified());
        let cert = Arc::new(TillCertificate::new(ca, bound_ip).map_err(tls_error)?);
        let config = tls::server_config(cert.clone()).map_err(tls_error)?;
        let std_listener = std::net::TcpListener::bind(self.listen).map_err(|e| {
            CommandError::new(
                ErrorCode::Conflict,
                format!("局域网地址 {} 无法使用：{e}", self.listen),
                format!("cannot listen on {}: {e}", self.listen),
            )
        })?;
        let addr =
            std_listener.local_addr().map_err(|e| CommandError::new(ErrorCode::Internal, "内部错误", e.to_string()))?;
        std_listener
            .set_nonblocking(true)
            .map_err(|e| CommandError::new(ErrorCode::Internal, "内部错误", e.to_string()))?;
        let listener = {
            let _entered = self.runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)
                .map_err(|e| CommandError::new(ErrorCode::Internal, "内部错误", e.to_string()))?
        };
        let (stop, stop_rx) = watch::channel(false);
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let task = self.runtime.spawn(listen::run(listener, router, Some(acceptor), Via { lan: true }, stop_rx));
        tracing::info!(%addr, names = cert.ips().len(), "LAN listener on (HTTPS)");
        *running = Some(Running { addr, cert, stop, task });
        Ok(addr)
    }

    /// Closes the LAN listener and every LAN connection (event streams end at once).
    /// Returns the accept task to wait for, if it was running.
    pub fn stop(&self) -> Option<tokio::task::JoinHandle<std::io::Result<()>>> {
        let r = self.running.lock().unwrap_or_else(|p| p.into_inner()).take()?;
        let _ = r.stop.send(true);
        tracing::info!(addr = %r.addr, "LAN listener off");
        Some(r.task)
    }

    /// At server shutdown: stop, and drop the router (it holds this control: a cycle).
    pub(super) async fn shutdown(&self) {
        if let Some(task) = self.stop() {
            let _ = task.await;
        }
        *self.router.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// `https://IP:port` for each address a device can use: the bound one, or when bound
    /// to every interface each LAN address of the machine (IPv4 only for `0.0.0.0`).
    fn urls(&self, r: &Running) -> Vec<String> {
        let ips: Vec<IpAddr> = match r.addr.ip() {
            IpAddr::V4(v4) if v4.is_unspecified() => r.cert.ips().into_iter().filter(IpAddr::is_ipv4).collect(),
            IpAddr::V6(v6) if v6.is_unspecified() => r.cert.ips(),
            ip => vec![ip],
        };
        ips.into_iter()
            .map(|ip| match ip {
                IpAddr::V4(v4) => format!("https://{v4}:{}", r.addr.port()),
                IpAddr::V6(v6) => format!("https://[{v6}]:{}", r.addr.port()),
            })
            .collect()
    }
}

impl LanSwitch for LanControl {
    fn status(&self) -> LanStatus {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let urls = running.as_ref().map(|r| self.urls(r)).unwrap_or_default();
        // The fingerprint is shown once a CA exists; looking does not make one.
        let ca = self
            .ca
            .get()
            .cloned()
            .or_else(|| self.data_dir.join(tls::CA_CERT_FILE).exists().then(|| self.ca().ok()).flatten());
        LanStatus {
            enabled: running.is_some(),
            switchable: true,
            url: urls.first().cloned(),
            urls,
            ca_fingerprint: ca.map(|c| c.fingerprint()),
            ca_cert_path: CA_CERT_PATH.into(),
            ca_profile_path: CA_PROFILE_PATH.into(),
        }
    }

    fn set(&self, on: bool) -> Result<LanStatus, CommandError> {
        let flag = self.data_dir.join(ON_FILE);
        if on {
            self.start()?;
            if let Err(e) = crate::app::config::write_private(&flag, b"on\n") {
                tracing::warn!("could not remember the LAN switch in {}: {e}", flag.display());
            }
        } else {
            // Connections drain in the background; the answer does not wait for them.
            drop(self.stop());
            if let Err(e) = std::fs::remove_file(&flag) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!("could not forget the LAN switch in {}: {e}", flag.display());
                }
            }
        }
        Ok(self.status())
    }
}
