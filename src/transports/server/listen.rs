//! The accept loop both listeners share: the loopback one (plain HTTP, for the desktop
//! shell's browser fallback, scripts and tests on 127.0.0.1) and the LAN one (TLS only).
//! Each request is tagged with where it came from ([`Via`], the peer's address as axum's
//! `ConnectInfo`) and with its listener's stop signal ([`Stopping`]), which event streams
//! end on when the listener closes.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Which listener a request arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Via {
    /// The LAN listener (TLS, paired devices only); false for loopback.
    pub lan: bool,
}

/// The stop signal of the listener a request arrived on (true once it closes).
#[derive(Clone)]
pub struct Stopping(pub watch::Receiver<bool>);

/// How long a client may take to start TLS and to finish the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closing listener waits for its open requests before cutting them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the accept loop until `stop` turns true, then waits (up to [`DRAIN_TIMEOUT`]) for
/// the connections it opened. With `tls`, every connection must speak TLS: plain HTTP is
/// answered with a short refusal and closed.
pub(super) async fn run(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    via: Via,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    loop {
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            _ = stop.changed() => continue,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, keep serving.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let conn = Conn { router: router.clone(), peer, via, stopping: Stopping(stop.clone()), watcher: graceful.watcher() };
                match tls.clone() {
                    None => { tokio::spawn(conn.serve(stream)); }
                    Some(acceptor) => { tokio::spawn(conn.serve_tls(stream, acceptor)); }
                }
            }
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN_TIMEOUT) => tracing::warn!("closing listener: open requests cut after the drain timeout"),
    }
    Ok(())
}

struct Conn {
    router: Router,
    peer: SocketAddr,
    via: Via,
    stopping: Stopping,
    watcher: Watcher,
}

impl Conn {
    async fn serve_tls(self, stream: TcpStream, acceptor: TlsAcceptor) {
        let mut first = [0u8; 1];
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut first)).await {
            // 0x16: a TLS handshake record.
            Ok(Ok(1)) if first[0] == 0x16 => {}
            Ok(Ok(n)) if n > 0 => return refuse_plain(stream).await,
            _ => return,
        }
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
            Ok(Ok(tls)) => self.serve(tls).await,
            // Most often: a device that does not trust the store CA yet. Not worth a warning.
            Ok(Err(e)) => tracing::debug!(peer = %self.peer.ip(), "TLS handshake failed: {e}"),
            Err(_) => tracing::debug!(peer = %self.peer.ip(), "TLS handshake timed out"),
        }
    }

    async fn serve<S>(self, io: S)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let Conn { router, peer, via, stopping, watcher } = self;
        let svc = router.map_request(move |mut req: axum::http::Request<Incoming>| {
            let ext = req.extensions_mut();
            ext.insert(ConnectInfo(peer));
            ext.insert(via);
            ext.insert(stopping.clone());
            req
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(30))
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(svc));
        if let Err(e) = watcher.watch(conn).await {
            tracing::trace!("connection ended: {e}");
        }
    }
}

/// The LAN listener speaks TLS only: a plain-HTTP request gets a short, readable refusal
/// (status 400, nothing of the till's) and the connection is closed.
async fn refuse_plain(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    // Read (some of) the request first, so closing does not reset the answer away.
    let _ = tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await;
    let body = "本收银台的局域网地址只接受加密连接，请用 https:// 打开。\nThis address speaks HTTPS only: open it with https://.\n";
    let head = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}
