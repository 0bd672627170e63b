//! Shared test helpers: a test-only authenticator, an echo upstream, a small HTTP client.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use krb_proxy::auth::{AuthFailure, Authenticated, Authenticator, FailureKind};
use krb_proxy::config::Config;
use tokio::net::TcpListener;

/// TEST ONLY: accepts fixed tokens instead of Kerberos. `alice` and `bob` are principals of
/// EXAMPLE.TEST, `carol` of OTHER.TEST; `mutual` is alice with an AP-REP-like response token;
/// `skew` fails with a clock-skew error carrying a response token; `short` is alice with a ticket
/// ending in 2 s; `dave` is dave@EXAMPLE.TEST in the groups `admins` and `ops`. Everything else is
/// malformed.
#[derive(Default)]
pub struct FixedTokenAuthenticator {
    pub seen_bindings: Mutex<Vec<Option<Vec<u8>>>>,
    pub calls: AtomicUsize,
}

impl Authenticator for FixedTokenAuthenticator {
    fn authenticate(
        &self,
        token: &[u8],
        now: SystemTime,
        channel_bindings: Option<&[u8]>,
    ) -> Result<Authenticated, AuthFailure> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.seen_bindings
            .lock()
            .unwrap()
            .push(channel_bindings.map(<[u8]>::to_vec));
        let ok = |name: &str, realm: &str, life: u64, rt: Option<&[u8]>| Authenticated {
            principal: format!("{name}@{realm}"),
            realm: realm.to_owned(),
            endtime: now + Duration::from_secs(life),
            response_token: rt.map(<[u8]>::to_vec),
            groups: Vec::new(),
        };
        match token {
            b"alice" => Ok(ok("alice", "EXAMPLE.TEST", 36000, None)),
            b"bob" => Ok(ok("bob", "EXAMPLE.TEST", 36000, None)),
            b"carol" => Ok(ok("carol", "OTHER.TEST", 36000, None)),
            b"mutual" => Ok(ok("alice", "EXAMPLE.TEST", 36000, Some(b"ap-rep"))),
            b"short" => Ok(ok("alice", "EXAMPLE.TEST", 2, None)),
            b"dave" => Ok(Authenticated {
                groups: vec!["admins".into(), "ops".into()],
                ..ok("dave", "EXAMPLE.TEST", 36000, None)
            }),
            b"skew" => Err(AuthFailure {
                reason: "clock skew too great: client is 600s ahead, 300s allowed".into(),
                krb_error: Some("KRB_AP_ERR_SKEW"),
                kind: FailureKind::Skew,
                response_token: Some(b"krb-error".to_vec()),
            }),
            _ => Err(AuthFailure {
                reason: "not a Kerberos token".into(),
                krb_error: None,
                kind: FailureKind::Malformed,
                response_token: None,
            }),
        }
    }

    fn describe(&self) -> Vec<String> {
        vec!["HTTP/api.example.test@EXAMPLE.TEST kvno 2 aes256-cts-hmac-sha1-96".into()]
    }

    fn replay_cache_len(&self) -> Option<usize> {
        Some(7)
    }
}

pub fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// An upstream that answers with JSON: method, path (with query), headers, body length and the
/// id of the TCP connection. `.../slow` waits 3 s first; `.../status/NNN` answers with that status.
pub struct Echo {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
}

pub async fn echo_upstream() -> Echo {
    echo_upstream_with(None).await
}

/// The echo upstream behind TLS with the given server config.
pub async fn echo_upstream_with(tls: Option<Arc<rustls::ServerConfig>>) -> Echo {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let id = counter.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| echo(id, req));
                let builder = hyper::server::conn::http1::Builder::new();
                match acceptor {
                    Some(a) => {
                        let Ok(stream) = a.accept(tcp).await else {
                            return;
                        };
                        let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                    }
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(tcp), svc).await;
                    }
                }
            });
        }
    });
    Echo { addr, connections }
}

async fn echo(conn: usize, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    if parts.uri.path().ends_with("/slow") {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let status = parts
        .uri
        .path()
        .rsplit_once("/status/")
        .and_then(|(_, s)| s.parse::<u16>().ok())
        .unwrap_or(200);
    let body_len = match body.collect().await {
        Ok(b) => b.to_bytes().len(),
        Err(_) => usize::MAX,
    };
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &parts.headers {
        headers
            .entry(k.as_str().to_owned())
            .or_default()
            .push(v.to_str().unwrap_or("<binary>").to_owned());
    }
    let json = serde_json::json!({
        "method": parts.method.as_str(),
        "path": parts.uri.to_string(),
        "headers": headers,
        "body_len": body_len,
        "conn": conn,
    });
    let mut resp = Response::new(Full::new(Bytes::from(json.to_string())));
    *resp.status_mut() = http::StatusCode::from_u16(status).unwrap();
    resp.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    // Hop-by-hop headers the proxy must not pass to the client.
    resp.headers_mut()
        .insert("connection", "keep-alive, x-upstream-hop".parse().unwrap());
    resp.headers_mut()
        .insert("x-upstream-hop", "secret-hop".parse().unwrap());
    resp.headers_mut()
        .insert("keep-alive", "timeout=5".parse().unwrap());
    Ok(resp)
}

/// A config with `routes` (TOML text) in front of everything else.
pub fn config(toml_extra: &str) -> Config {
    let text =
        format!("listen = \"127.0.0.1:0\"\nkeytab = \"/nonexistent/test.keytab\"\n{toml_extra}");
    Config::from_toml(&text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The values of `name` the upstream received.
    pub fn upstream_header(&self, name: &str) -> Option<Vec<String>> {
        self.json()["headers"][name]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
    }
}

/// Sends one HTTP/1.1 request on a new connection.
pub async fn send(addr: SocketAddr, req: Request<Full<Bytes>>) -> Reply {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    let resp = sender.send_request(req).await.unwrap();
    read_reply(resp).await
}

pub async fn read_reply(resp: Response<Incoming>) -> Reply {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A GET with the given headers.
pub fn get(path: &str, headers: &[(&str, &str)]) -> Request<Full<Bytes>> {
    let mut b = Request::get(path).header("host", "proxy.example.test");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(Bytes::new())).unwrap()
}

pub fn negotiate(token: &[u8]) -> String {
    format!("Negotiate {}", b64(token))
}
