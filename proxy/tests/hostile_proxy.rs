//! The hostile-input suite through a running proxy (RFC 4559 over RFC 4120/4121/4178): every
//! case of `testdata/hostile/` is made again at the wall clock's time (the proxy reads the
//! clock) by `testdata/hostile/cases.rs`, and sent to an in-process proxy whose
//! `KerberosAuthenticator` holds the cases' fixed service key. Each must get its status (401,
//! or 431 for a header too large), must never reach the upstream (which counts requests; a
//! replay case's valid first send is forwarded exactly once), and must leave an access log line
//! that names the reason and the Kerberos error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

#[path = "../../testdata/hostile/cases.rs"]
mod cases;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use cases::{Case, Input};
use common::{config, get, negotiate, send};
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use krb_core::acceptor::Acceptor;
use krb_proxy::kerberos::KerberosAuthenticator;
use krb_proxy::server::{Server, ServerHandle};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An upstream that answers 200 and counts the requests it receives.
async fn counting_upstream() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |_req: Request<Incoming>| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from("ok")))) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    (addr, count)
}

/// A proxy with a fresh acceptor (so each case has its own replay cache) in front of
/// `upstream`, logging to `log`.
async fn proxy(upstream: SocketAddr, log: &std::path::Path) -> ServerHandle {
    let toml = format!(
        "[limits]\nmax_token_bytes = {}\n[log]\naccess = \"{}\"\n[[route]]\npath_prefix = \"/api/\"\nupstream = \"http://{upstream}\"\nallow = [\"*@EXAMPLE.TEST\"]\n",
        cases::PROXY_MAX_TOKEN_BYTES,
        log.display()
    );
    let acceptor = Acceptor::new(cases::service_keys(), cases::policy());
    Server::start(
        config(&toml),
        Arc::new(KerberosAuthenticator::new(acceptor)),
    )
    .await
    .unwrap()
}

fn wall_now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// The log's lines, waiting (up to 5 s) until there are at least `n`.
async fn log_lines(log: &std::path::Path, n: usize) -> Vec<Value> {
    for _ in 0..500 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        if lines.len() >= n {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the access log never reached {n} lines");
}

/// Sends `value` as the Authorization header on a raw connection and returns the status (for
/// headers too large for the usual client path, where the server may close the connection).
async fn raw_status(addr: SocketAddr, value: &str) -> u16 {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /api/x HTTP/1.1\r\nhost: proxy.example.test\r\nauthorization: {value}\r\n\r\n"
    );
    // The server may answer and close before it has read everything.
    let _ = tcp.write_all(request.as_bytes()).await;
    let mut buf = Vec::new();
    let _ = tcp.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {text:?}"))
}

async fn run_case(case: &Case, dir: &std::path::Path) -> Result<(), String> {
    let (upstream, count) = counting_upstream().await;
    let log = dir.join(format!("{}.log", case.name));
    let h = proxy(upstream, &log).await;
    let addr = h.local_addr();
    let mut e = case.expect.clone();
    if matches!(&case.input, Input::Token(t) if t.is_empty()) {
        // Zero bytes never reach the acceptor: the proxy refuses the empty header itself.
        e.code = None;
        e.says = "empty Negotiate token";
    }
    let mut lines_expected = 1;
    let header = match &case.input {
        Input::Token(t) => negotiate(t),
        Input::Header(v) => v.clone(),
        Input::Replay { first, second } => {
            let r = send(addr, get("/api/x", &[("authorization", &negotiate(first))])).await;
            if r.status != 200 || count.load(Ordering::SeqCst) != 1 {
                return Err(format!(
                    "the first, valid send got {} ({}) and reached the upstream {} times",
                    r.status,
                    r.body.trim(),
                    count.load(Ordering::SeqCst)
                ));
            }
            lines_expected = 2;
            negotiate(second)
        }
    };
    let forwarded_before = count.load(Ordering::SeqCst);
    let status = if e.status == 431 {
        raw_status(addr, &header).await
    } else {
        let r = send(addr, get("/api/x", &[("authorization", &header)])).await;
        if r.status == 401 && !r.headers.contains_key("www-authenticate") {
            return Err("a 401 without WWW-Authenticate".into());
        }
        r.status
    };
    if status != e.status {
        return Err(format!("status {status}, expected {}", e.status));
    }
    if count.load(Ordering::SeqCst) != forwarded_before {
        return Err("the refused request reached the upstream".into());
    }
    if e.status != 431 {
        let lines = log_lines(&log, lines_expected).await;
        let line = &lines[lines_expected - 1];
        let reason = line["reason"].as_str().unwrap_or_default();
        if line["status"] != status || line["decision"] != "deny" {
            return Err(format!("access log line {line}"));
        }
        if !reason.contains(e.says) {
            return Err(format!("the log's reason {reason:?} lacks {:?}", e.says));
        }
        if line["krb_error"].as_str() != e.code {
            return Err(format!(
                "the log's krb_error is {}, expected {:?}",
                line["krb_error"], e.code
            ));
        }
    }
    h.shutdown(Duration::from_secs(1)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_case_is_refused_by_the_proxy_and_never_forwarded() {
    let dir = std::env::temp_dir().join(format!("hostile-proxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all = cases::cases(wall_now());
    assert!(all.len() >= 60);
    let mut wrong = Vec::new();
    for case in &all {
        if let Err(why) = run_case(case, &dir).await {
            wrong.push(format!("{}: {why}", case.name));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_valid_token_is_forwarded_once() {
    let dir = std::env::temp_dir().join(format!("hostile-proxy-valid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (upstream, count) = counting_upstream().await;
    let log = dir.join("valid.log");
    let h = proxy(upstream, &log).await;
    let token = cases::Spec::valid(wall_now()).token();
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(&token))]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let lines = log_lines(&log, 1).await;
    assert_eq!(lines[0]["principal"], "alice@EXAMPLE.TEST");
    assert_eq!(lines[0]["decision"], "allow");
    h.shutdown(Duration::from_secs(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
}
