//! Listeners, connections, the admin endpoints and graceful shutdown.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arc_swap::{ArcSwap, ArcSwapOption};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::access_log::event;
use crate::auth::Authenticator;
use crate::body::{ProxyBody, full};
use crate::config::Config;
use crate::metrics::{Gauges, Metrics};
use crate::state::State;
use crate::tls::{ServerTls, load_server_tls};

/// What every connection and request shares.
pub(crate) struct Shared {
    pub(crate) state: ArcSwap<State>,
    /// The listener certificate (swapped on reload), None for a plaintext listener.
    pub(crate) tls: ArcSwapOption<ServerTls>,
    pub(crate) metrics: Metrics,
    pub(crate) draining: AtomicBool,
}

/// Facts about one client connection.
#[derive(Debug)]
pub(crate) struct ConnInfo {
    pub(crate) peer: SocketAddr,
    pub(crate) tls: bool,
    pub(crate) channel_bindings: Option<Arc<[u8]>>,
}

/// Starts servers.
#[derive(Debug)]
pub struct Server;

impl Server {
    /// Binds the listeners of `config` and starts serving with `authenticator`. Port 0 picks a
    /// free port: read it back from [`ServerHandle::local_addr`].
    pub async fn start(
        config: Config,
        authenticator: Arc<dyn Authenticator>,
    ) -> Result<ServerHandle, String> {
        let tls = match &config.tls {
            Some(t) => Some(Arc::new(load_server_tls(&t.cert, &t.key)?)),
            None => None,
        };
        let is_tls = tls.is_some();
        let listen = config.listen;
        let admin = config.admin.as_ref().map(|a| a.listen);
        let state = State::build(config, authenticator, None)?;
        let shared = Arc::new(Shared {
            state: ArcSwap::from_pointee(state),
            tls: ArcSwapOption::new(tls),
            metrics: Metrics::default(),
            draining: AtomicBool::new(false),
        });
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let local_addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (admin_shutdown_tx, admin_shutdown_rx) = watch::channel(false);
        let mut admin_task = None;
        let mut admin_addr = None;
        if let Some(addr) = admin {
            let admin_listener = TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr} (admin): {e}"))?;
            admin_addr = Some(admin_listener.local_addr().map_err(|e| e.to_string())?);
            admin_task = Some(tokio::spawn(accept_loop(
                admin_listener,
                shared.clone(),
                false,
                true,
                admin_shutdown_rx,
            )));
        }
        let main_task = tokio::spawn(accept_loop(
            listener,
            shared.clone(),
            is_tls,
            false,
            shutdown_rx,
        ));
        event(
            "info",
            &format!(
                "listening on {local_addr} ({})",
                if is_tls { "TLS" } else { "plain HTTP" }
            ),
        );
        Ok(ServerHandle {
            shared,
            local_addr,
            admin_addr,
            shutdown_tx,
            admin_shutdown_tx,
            main_task,
            admin_task,
        })
    }
}

/// A running server.
pub struct ServerHandle {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    admin_addr: Option<SocketAddr>,
    shutdown_tx: watch::Sender<bool>,
    admin_shutdown_tx: watch::Sender<bool>,
    main_task: JoinHandle<()>,
    admin_task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("local_addr", &self.local_addr)
            .field("admin_addr", &self.admin_addr)
            .finish_non_exhaustive()
    }
}

impl ServerHandle {
    /// The proxy listener's address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The admin listener's address, when configured.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    /// The state in force.
    pub fn state(&self) -> Arc<State> {
        self.shared.state.load_full()
    }

    /// Replaces the state with one built from `config` and `authenticator`, and re-reads the TLS
    /// certificate and key. On error the state in force stays. Listener addresses, and whether the
    /// listener speaks TLS at all, are fixed at start: a change to them is reported in the returned
    /// warnings and needs a restart.
    pub fn replace(
        &self,
        config: Config,
        authenticator: Arc<dyn Authenticator>,
    ) -> Result<Vec<String>, String> {
        let current = self.shared.state.load_full();
        let mut warnings = Vec::new();
        let old = &current.config;
        if config.listen != old.listen {
            warnings.push(format!(
                "listen changed to {}; the proxy keeps listening on {} until restarted",
                config.listen, self.local_addr
            ));
        }
        if config.admin.as_ref().map(|a| a.listen) != old.admin.as_ref().map(|a| a.listen) {
            warnings.push("[admin] listen changed; it takes effect on restart".to_owned());
        }
        let started_with_tls = self.shared.tls.load().is_some();
        let new_tls = match (&config.tls, started_with_tls) {
            (Some(t), true) => Some(Arc::new(load_server_tls(&t.cert, &t.key)?)),
            (Some(_), false) => {
                warnings.push(
                    "[tls] was added; the listener stays plain HTTP until restarted".to_owned(),
                );
                None
            }
            (None, true) => {
                warnings.push(
                    "[tls] was removed; the listener keeps its certificate until restarted"
                        .to_owned(),
                );
                None
            }
            (None, false) => None,
        };
        let state = State::build(config, authenticator, Some(&current))?;
        self.shared.state.store(Arc::new(state));
        if new_tls.is_some() {
            self.shared.tls.store(new_tls);
        }
        Ok(warnings)
    }

    /// Whether the listener has TLS.
    pub fn is_tls(&self) -> bool {
        self.shared.tls.load().is_some()
    }

    /// Stops accepting, lets in-flight requests finish for up to `grace`, then closes the rest.
    /// The admin listener stays up during the drain (`/readyz` answers 503) and stops last.
    pub async fn shutdown(self, grace: Duration) {
        self.shared.draining.store(true, Ordering::Relaxed);
        let _ = self.shutdown_tx.send(true);
        if tokio::time::timeout(grace + Duration::from_secs(1), self.main_task)
            .await
            .is_err()
        {
            event("warn", "shutdown: the listener did not stop in time");
        }
        let _ = self.admin_shutdown_tx.send(true);
        if let Some(t) = self.admin_task {
            let _ = tokio::time::timeout(Duration::from_secs(2), t).await;
        }
    }
}

/// The protocol a connection speaks, decided before hyper sees it (ALPN on TLS, the HTTP/2
/// preface with `h2c`), so the header read timeout runs from the first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Http1,
    Http2,
}

fn builder(state: &State, protocol: Protocol) -> auto::Builder<TokioExecutor> {
    let limits = &state.config.limits;
    let mut b = auto::Builder::new(TokioExecutor::new());
    b.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes);
    b.http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(10))
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    match protocol {
        Protocol::Http1 => b.http1_only(),
        Protocol::Http2 => b.http2_only(),
    }
}

/// With `h2c`, tells HTTP/2 prior knowledge from HTTP/1.1 by peeking at the first bytes; None when
/// the client sends nothing useful within `deadline` or closes.
async fn sniff_h2c(tcp: &TcpStream, deadline: Duration) -> Option<Protocol> {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let mut buf = [0u8; 24];
    let sniff = async {
        loop {
            let n = tcp.peek(&mut buf).await.ok()?;
            let seen = buf.get(..n)?;
            if n == 0 {
                return None;
            }
            if !PREFACE.starts_with(seen) {
                return Some(Protocol::Http1);
            }
            if n >= PREFACE.len() {
                return Some(Protocol::Http2);
            }
            // A preface split over segments: wait for the rest.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(deadline, sniff).await.ok().flatten()
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: bool,
    admin: bool,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let limit = shared.state.load().config.limits.max_connections;
    let slots = Arc::new(tokio::sync::Semaphore::new(limit));
    loop {
        // At the connection limit, stop accepting until a connection ends.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(s) => s,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        event("warn", &format!("accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let watcher = graceful.watcher();
                let shared = shared.clone();
                // The certificate in force when the connection arrives (reload swaps it).
                let acceptor = if tls { shared.tls.load_full() } else { None };
                tokio::spawn(async move {
                    serve_connection(tcp, peer, shared, acceptor, admin, watcher).await;
                    drop(slot);
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let grace = shared.state.load().config.limits.shutdown_grace;
    let open = graceful.count();
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        event(
            "warn",
            &format!(
                "shutdown: connections still open after {}; closing them",
                humantime::format_duration(grace)
            ),
        );
    } else if open > 0 && !admin {
        event("info", &format!("shutdown: {open} connection(s) drained"));
    }
}

async fn serve_connection(
    tcp: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<Arc<ServerTls>>,
    admin: bool,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let _ = tcp.set_nodelay(true);
    let state = shared.state.load_full();
    let header_timeout = state.config.limits.header_read_timeout;
    let h2c = state.config.h2c;
    match acceptor {
        Some(tls) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(tls.config.clone());
            let cb = tls.channel_bindings.clone();
            drop(tls);
            let stream = match tokio::time::timeout(header_timeout, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                _ => return,
            };
            let protocol = if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
                Protocol::Http2
            } else {
                Protocol::Http1
            };
            let b = builder(&state, protocol);
            drop(state);
            let info = Arc::new(ConnInfo {
                peer,
                tls: true,
                channel_bindings: Some(cb),
            });
            let svc = service_fn(move |req| dispatch(shared.clone(), info.clone(), admin, req));
            // HTTP/2 has no header read timeout: the client preface must come within it instead.
            let stream = FirstByteDeadline::new(stream, header_timeout);
            let conn = b.serve_connection(TokioIo::new(stream), svc);
            let _ = watcher.watch(conn.into_owned()).await;
        }
        None => {
            let protocol = if h2c && !admin {
                match sniff_h2c(&tcp, header_timeout).await {
                    Some(p) => p,
                    None => return,
                }
            } else {
                Protocol::Http1
            };
            let b = builder(&state, protocol);
            drop(state);
            let info = Arc::new(ConnInfo {
                peer,
                tls: false,
                channel_bindings: None,
            });
            let svc = service_fn(move |req| dispatch(shared.clone(), info.clone(), admin, req));
            let conn = b.serve_connection(TokioIo::new(tcp), svc);
            let _ = watcher.watch(conn.into_owned()).await;
        }
    }
}

/// Fails the first read with `TimedOut` when no byte arrives within the deadline; afterwards a
/// plain pass-through.
struct FirstByteDeadline<T> {
    inner: T,
    deadline: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<T> FirstByteDeadline<T> {
    fn new(inner: T, deadline: Duration) -> Self {
        FirstByteDeadline {
            inner,
            deadline: Some(Box::pin(tokio::time::sleep(deadline))),
        }
    }
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for FirstByteDeadline<T> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = &mut *self;
        let before = buf.filled().len();
        match std::pin::Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    this.deadline = None;
                }
                Poll::Ready(r)
            }
            Poll::Pending => {
                let expired = this
                    .deadline
                    .as_mut()
                    .is_some_and(|d| d.as_mut().poll(cx).is_ready());
                if expired {
                    Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "no data from the client within header_read_timeout",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for FirstByteDeadline<T> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

async fn dispatch(
    shared: Arc<Shared>,
    info: Arc<ConnInfo>,
    admin: bool,
    req: Request<Incoming>,
) -> Result<Response<ProxyBody>, Infallible> {
    if admin {
        Ok(admin_response(&shared, &req))
    } else {
        Ok(crate::handler::handle(shared, info, req).await)
    }
}

fn admin_response(shared: &Shared, req: &Request<Incoming>) -> Response<ProxyBody> {
    let text = |status: StatusCode, body: String, ctype: &'static str| {
        let mut r = Response::new(full(body));
        *r.status_mut() = status;
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(ctype),
        );
        r
    };
    let plain = "text/plain; charset=utf-8";
    if req.method() != http::Method::GET && req.method() != http::Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "use GET\n".into(), plain);
    }
    match req.uri().path() {
        "/metrics" => {
            let state = shared.state.load();
            let gauges = Gauges {
                replay_cache: state.authenticator.replay_cache_len(),
                upstream_idle: state.upstream.idle_count(),
            };
            text(
                StatusCode::OK,
                shared.metrics.render(&gauges),
                "text/plain; version=0.0.4; charset=utf-8",
            )
        }
        "/healthz" => text(StatusCode::OK, "ok\n".into(), plain),
        "/readyz" => {
            if shared.draining.load(Ordering::Relaxed) {
                return text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "shutting down\n".into(),
                    plain,
                );
            }
            let state = shared.state.load();
            let keys = state.authenticator.describe();
            let mut body = format!(
                "ready: {} route(s), {} service key(s)\n",
                state.router.routes().len(),
                keys.len()
            );
            for k in keys {
                body.push_str(&k);
                body.push('\n');
            }
            text(StatusCode::OK, body, plain)
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: try /metrics, /healthz, /readyz\n".into(),
            plain,
        ),
    }
}
