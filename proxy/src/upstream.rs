//! Upstream connections, pooled per (upstream, identity).
//!
//! A connection that carried one principal's requests never carries another's (the failure of
//! Traefik #3792 and HAProxy #2985, where an upstream that keys state on the connection saw one
//! user's identity on another user's request). The pool key is the upstream origin plus the
//! authenticated principal (or "anonymous" for public routes). Upstream connections speak HTTP/1.1.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;

use crate::body::{BoxError, ProxyBody};

/// A parsed `upstream` URL.
#[derive(Debug)]
pub struct Upstream {
    /// `https`?
    pub tls: bool,
    /// Host name or IP literal (without brackets).
    pub host: String,
    /// Port (default 80/443).
    pub port: u16,
    /// `scheme://host:port`, the pool key and the name in error messages.
    pub origin: Arc<str>,
    /// The `Host` header value sent upstream.
    pub authority: http::HeaderValue,
    /// Base path prepended to the request path, without a trailing `/` ("" for none).
    pub base_path: String,
}

impl Upstream {
    /// Parses `http://host:port[/base]` or `https://...`.
    pub fn parse(text: &str) -> Result<Upstream, String> {
        let uri: Uri = text.parse().map_err(|e| {
            format!("`{text}` is not a URL ({e}); write e.g. \"http://127.0.0.1:9000\"")
        })?;
        let tls = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => {
                return Err(format!("`{text}` must start with http:// or https://"));
            }
        };
        let authority = uri
            .authority()
            .ok_or_else(|| format!("`{text}` has no host"))?;
        if authority.as_str().contains('@') {
            return Err(format!(
                "`{text}`: credentials in the URL are not supported"
            ));
        }
        if uri.query().is_some() {
            return Err(format!(
                "`{text}`: a query string is not supported in an upstream"
            ));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if host.is_empty() {
            return Err(format!("`{text}` has no host"));
        }
        let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let scheme = if tls { "https" } else { "http" };
        let host_port = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let authority = http::HeaderValue::from_str(&host_port).map_err(|e| e.to_string())?;
        if tls {
            ServerName::try_from(host.clone())
                .map_err(|e| format!("`{text}`: `{host}` is not a TLS server name ({e})"))?;
        }
        Ok(Upstream {
            tls,
            origin: Arc::from(format!("{scheme}://{host_port}")),
            host,
            port,
            authority,
            base_path: uri.path().trim_end_matches('/').to_owned(),
        })
    }
}

/// Why a request could not be forwarded.
#[derive(Debug)]
pub struct UpstreamError {
    /// 502 or 504.
    pub status: http::StatusCode,
    /// A message for the client and the log.
    pub message: String,
}

/// Settings of the upstream client.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// TCP connect (and TLS handshake) deadline.
    pub connect_timeout: Duration,
    /// Deadline for the response head.
    pub response_timeout: Duration,
    /// Idle connections per key.
    pub max_idle_per_key: usize,
    /// Idle connections in total.
    pub max_idle_total: usize,
    /// Idle connections older than this are closed.
    pub idle_timeout: Duration,
}

/// The pool key: the upstream origin and the identity the connection is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolKey {
    /// `scheme://host:port`.
    pub origin: Arc<str>,
    /// The principal, or None for public (anonymous) requests.
    pub identity: Option<Arc<str>>,
}

struct Idle {
    sender: SendRequest<ProxyBody>,
    since: Instant,
}

#[derive(Default)]
struct IdleSet {
    by_key: HashMap<PoolKey, Vec<Idle>>,
    total: usize,
}

/// Sends requests upstream over pooled HTTP/1.1 connections.
pub struct UpstreamClient {
    idle: Mutex<IdleSet>,
    tls: tokio_rustls::TlsConnector,
    settings: ClientSettings,
}

impl std::fmt::Debug for UpstreamClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamClient")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl UpstreamClient {
    /// A client with the given TLS trust and settings; spawns a task that closes idle connections.
    pub fn new(tls: Arc<rustls::ClientConfig>, settings: ClientSettings) -> Arc<UpstreamClient> {
        let client = Arc::new(UpstreamClient {
            idle: Mutex::new(IdleSet::default()),
            tls: tokio_rustls::TlsConnector::from(tls),
            settings,
        });
        let weak = Arc::downgrade(&client);
        let every = (client.settings.idle_timeout / 2).max(Duration::from_millis(500));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(client) = weak.upgrade() else { return };
                client.reap();
            }
        });
        client
    }

    /// Idle connections held now (all keys).
    pub fn idle_count(&self) -> usize {
        self.idle.lock().map_or(0, |s| s.total)
    }

    fn reap(&self) {
        let Ok(mut set) = self.idle.lock() else {
            return;
        };
        let limit = self.settings.idle_timeout;
        let mut removed = 0usize;
        set.by_key.retain(|_, list| {
            let before = list.len();
            list.retain(|i| i.since.elapsed() < limit && !i.sender.is_closed());
            removed += before - list.len();
            !list.is_empty()
        });
        set.total = set.total.saturating_sub(removed);
    }

    fn checkout(&self, key: &PoolKey) -> Option<SendRequest<ProxyBody>> {
        let mut set = self.idle.lock().ok()?;
        let limit = self.settings.idle_timeout;
        let mut found = None;
        let mut removed = 0usize;
        if let Some(list) = set.by_key.get_mut(key) {
            while let Some(idle) = list.pop() {
                removed += 1;
                if idle.since.elapsed() < limit
                    && !idle.sender.is_closed()
                    && idle.sender.is_ready()
                {
                    found = Some(idle.sender);
                    break;
                }
            }
            if list.is_empty() {
                set.by_key.remove(key);
            }
        }
        set.total = set.total.saturating_sub(removed);
        found
    }

    fn give_back(&self, key: PoolKey, sender: SendRequest<ProxyBody>) {
        if sender.is_closed() {
            return;
        }
        let Ok(mut set) = self.idle.lock() else {
            return;
        };
        if set.total >= self.settings.max_idle_total {
            return;
        }
        let list = set.by_key.entry(key).or_default();
        if list.len() >= self.settings.max_idle_per_key {
            return;
        }
        list.push(Idle {
            sender,
            since: Instant::now(),
        });
        set.total += 1;
    }

    async fn connect(&self, upstream: &Upstream) -> Result<SendRequest<ProxyBody>, UpstreamError> {
        let deadline = self.settings.connect_timeout;
        let origin = &upstream.origin;
        let connecting = async {
            let tcp = TcpStream::connect((upstream.host.as_str(), upstream.port))
                .await
                .map_err(|e| {
                    let message = if e.kind() == std::io::ErrorKind::ConnectionRefused {
                        format!("upstream {origin} refused the connection")
                    } else {
                        format!("cannot connect to upstream {origin}: {e}")
                    };
                    UpstreamError {
                        status: http::StatusCode::BAD_GATEWAY,
                        message,
                    }
                })?;
            let _ = tcp.set_nodelay(true);
            let handshake_err = |e: hyper::Error| UpstreamError {
                status: http::StatusCode::BAD_GATEWAY,
                message: format!("HTTP handshake with upstream {origin} failed: {e}"),
            };
            if upstream.tls {
                let name =
                    ServerName::try_from(upstream.host.clone()).map_err(|e| UpstreamError {
                        status: http::StatusCode::BAD_GATEWAY,
                        message: format!("upstream {origin}: bad TLS server name: {e}"),
                    })?;
                let stream = self
                    .tls
                    .connect(name, tcp)
                    .await
                    .map_err(|e| UpstreamError {
                        status: http::StatusCode::BAD_GATEWAY,
                        message: format!("TLS handshake with upstream {origin} failed: {e}"),
                    })?;
                let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(handshake_err)?;
                tokio::spawn(conn);
                Ok(sender)
            } else {
                let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
                    .await
                    .map_err(handshake_err)?;
                tokio::spawn(conn);
                Ok(sender)
            }
        };
        match tokio::time::timeout(deadline, connecting).await {
            Ok(r) => r,
            Err(_) => Err(UpstreamError {
                status: http::StatusCode::GATEWAY_TIMEOUT,
                message: format!(
                    "upstream {origin} did not accept a connection within {}",
                    humantime::format_duration(deadline)
                ),
            }),
        }
    }

    /// Sends `req` (origin-form URI, headers already rewritten) to `upstream` on a connection bound
    /// to `identity`. The response body gives the connection back to the pool when it ends.
    pub async fn send(
        self: &Arc<Self>,
        upstream: &Upstream,
        identity: Option<Arc<str>>,
        req: Request<ProxyBody>,
    ) -> Result<Response<ProxyBody>, UpstreamError> {
        let key = PoolKey {
            origin: upstream.origin.clone(),
            identity,
        };
        let timeout = self.settings.response_timeout;
        let origin = &upstream.origin;
        let timed_out = || UpstreamError {
            status: http::StatusCode::GATEWAY_TIMEOUT,
            message: format!(
                "upstream {origin} did not answer within {}",
                humantime::format_duration(timeout)
            ),
        };
        let failed = |e: hyper::Error| UpstreamError {
            status: http::StatusCode::BAD_GATEWAY,
            message: format!("upstream {origin} failed: {}", error_chain(&e)),
        };
        let mut req = req;
        // A pooled connection first; if it turns out closed before the request went out, a new one.
        // The connection finishes the previous exchange in its own task; wait for that briefly.
        let pooled = match self.checkout(&key) {
            Some(mut sender) => {
                match tokio::time::timeout(self.settings.connect_timeout, sender.ready()).await {
                    Ok(Ok(())) => Some(sender),
                    _ => None,
                }
            }
            None => None,
        };
        if let Some(mut sender) = pooled {
            match tokio::time::timeout(timeout, sender.try_send_request(req)).await {
                Err(_) => return Err(timed_out()),
                Ok(Ok(resp)) => return Ok(self.wrap(resp, key, sender)),
                Ok(Err(mut e)) => match e.take_message() {
                    Some(r) => req = r,
                    None => return Err(failed(e.into_error())),
                },
            }
        }
        let mut sender = self.connect(upstream).await?;
        match tokio::time::timeout(timeout, sender.send_request(req)).await {
            Err(_) => Err(timed_out()),
            Ok(Ok(resp)) => Ok(self.wrap(resp, key, sender)),
            Ok(Err(e)) => Err(failed(e)),
        }
    }

    fn wrap(
        self: &Arc<Self>,
        resp: Response<Incoming>,
        key: PoolKey,
        sender: SendRequest<ProxyBody>,
    ) -> Response<ProxyBody> {
        resp.map(|inner| {
            PooledBody {
                inner,
                done: false,
                back: Some((Arc::downgrade(self), key, sender)),
            }
            .boxed()
        })
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// An upstream response body that returns its connection to the pool once fully read.
struct PooledBody {
    inner: Incoming,
    done: bool,
    back: Option<(Weak<UpstreamClient>, PoolKey, SendRequest<ProxyBody>)>,
}

impl PooledBody {
    /// The upstream sent the whole body: the connection can carry the next request of the same
    /// identity. Done before the last frame goes to the client, so a client's next request finds
    /// it in the pool.
    fn release(&mut self) {
        if let Some((client, key, sender)) = self.back.take()
            && let Some(client) = client.upgrade()
        {
            client.give_back(key, sender);
        }
    }
}

impl Drop for PooledBody {
    fn drop(&mut self) {
        if self.done || self.inner.is_end_stream() {
            self.release();
        }
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                this.done = true;
                this.release();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                this.back = None;
                Poll::Ready(Some(Err(Box::new(e))))
            }
            Poll::Ready(Some(Ok(f))) => {
                if this.inner.is_end_stream() {
                    this.done = true;
                    this.release();
                }
                Poll::Ready(Some(Ok(f)))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The rustls client config for HTTPS upstreams: the CA file when given, else the webpki roots.
pub fn client_tls_config(
    ca: Option<&std::path::Path>,
) -> Result<Arc<rustls::ClientConfig>, String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("cannot read CA file {}: {e}", path.display()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("CA file {}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!(
                    "CA file {} holds no PEM certificate",
                    path.display()
                ));
            }
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| format!("CA file {}: {e}", path.display()))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let mut config =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls_graviola::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
