//! Size limits, slow clients and failing upstreams.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;
use krb_proxy::server::{Server, ServerHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn start_with(upstream: &str, limits: &str) -> ServerHandle {
    let toml = format!(
        "[log]\naccess = \"off\"\n[limits]\n{limits}\n[[route]]\npath_prefix = \"/\"\nupstream = \"{upstream}\"\npublic = true\n"
    );
    Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap()
}

#[tokio::test]
async fn declared_body_over_the_limit_is_413() {
    let echo = echo_upstream().await;
    let h = start_with(&format!("http://{}", echo.addr), "max_body_bytes = 1000").await;
    let req = http::Request::post("/upload")
        .body(Full::new(Bytes::from(vec![b'x'; 2000])))
        .unwrap();
    let r = send(h.local_addr(), req).await;
    assert_eq!(r.status, 413);
    assert!(r.body.contains("limit of 1000 bytes"));
    let req = http::Request::post("/upload")
        .body(Full::new(Bytes::from(vec![b'x'; 1000])))
        .unwrap();
    let r = send(h.local_addr(), req).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["body_len"], 1000);
}

#[tokio::test]
async fn streamed_body_over_the_limit_is_413() {
    let echo = echo_upstream().await;
    let h = start_with(&format!("http://{}", echo.addr), "max_body_bytes = 1000").await;
    // Chunked, no Content-Length: the proxy counts as it streams.
    let body = Chunks { left: 5, size: 400 };
    let req = http::Request::post("/upload").body(body).unwrap();
    let tcp = tokio::net::TcpStream::connect(h.local_addr())
        .await
        .unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 413);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("limit of 1000 bytes"));
}

/// A request body of `left` chunks of `size` bytes with no declared length (sent chunked).
struct Chunks {
    left: usize,
    size: usize,
}

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        self.left -= 1;
        std::task::Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'y'; self.size])))))
    }
}

/// Sends raw bytes and reads until the server closes (or 10 s pass).
async fn raw_exchange(addr: std::net::SocketAddr, data: &[u8]) -> (String, bool) {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(data).await.unwrap();
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut buf))
        .await
        .is_ok();
    (String::from_utf8_lossy(&buf).into_owned(), closed)
}

#[tokio::test]
async fn oversized_request_head_is_431() {
    let echo = echo_upstream().await;
    let h = start_with(&format!("http://{}", echo.addr), "max_header_bytes = 8192").await;
    let big = "a".repeat(20_000);
    let req = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nConnection: close\r\n\r\n");
    let (reply, _) = raw_exchange(h.local_addr(), req.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 431"), "{reply}");
    assert_eq!(
        echo.connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn slow_request_head_is_cut_off() {
    let echo = echo_upstream().await;
    let h = start_with(
        &format!("http://{}", echo.addr),
        "header_read_timeout = \"300ms\"",
    )
    .await;
    // A slowloris client: part of a head, then nothing.
    let (reply, closed) = raw_exchange(h.local_addr(), b"GET / HTTP/1.1\r\nHost: x\r\n").await;
    assert!(closed, "the proxy kept a stalled connection open");
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 408"),
        "{reply}"
    );
}

#[tokio::test]
async fn upstream_down_is_502_with_the_reason() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let h = start_with(&format!("http://127.0.0.1:{port}"), "").await;
    let r = send(h.local_addr(), get("/x", &[])).await;
    assert_eq!(r.status, 502);
    assert!(
        r.body.contains(&format!(
            "upstream http://127.0.0.1:{port} refused the connection"
        )),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn slow_upstream_is_504() {
    let echo = echo_upstream().await;
    let h = start_with(
        &format!("http://{}", echo.addr),
        "upstream_timeout = \"300ms\"",
    )
    .await;
    let r = send(h.local_addr(), get("/slow", &[])).await;
    assert_eq!(r.status, 504);
    assert!(r.body.contains("did not answer within 300ms"), "{}", r.body);
    // A fast request on the same upstream still works.
    let r = send(h.local_addr(), get("/fast", &[])).await;
    assert_eq!(r.status, 200);
}
