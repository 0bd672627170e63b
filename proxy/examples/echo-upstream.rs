//! A small, fast demo upstream: answers every request with a JSON object of the method, the
//! path and the headers it received, so a person can see what the proxy forwarded (the
//! identity headers above all). Used by `scripts/demo.sh` and the load benchmarks.
//!
//! Usage: `cargo run --release -p krb-proxy --example echo-upstream -- [ADDR]` (default
//! 127.0.0.1:9000). It prints `listening on ADDR` once it accepts connections.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

async fn echo(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut headers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in req.headers() {
        headers
            .entry(k.as_str())
            .or_default()
            .push(v.to_str().unwrap_or("<binary>"));
    }
    let body = serde_json::json!({
        "method": req.method().as_str(),
        "path": req.uri().to_string(),
        "headers": headers,
    })
    .to_string();
    let mut resp = Response::new(Full::new(Bytes::from(body + "\n")));
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9000".to_owned())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = TcpListener::bind(addr).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service_fn(echo))
                .await;
        });
    }
}
