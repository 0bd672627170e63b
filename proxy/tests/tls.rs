//! The TLS listener: HTTPS with HTTP/1.1 and HTTP/2 over ALPN, and RFC 5929 channel bindings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::*;
use http_body_util::Full;
use hyper_util::rt::{TokioExecutor, TokioIo};
use krb_proxy::server::{Server, ServerHandle};
use rustls_pki_types::{CertificateDer, ServerName};
use sha2::Digest;

struct Tls {
    handle: ServerHandle,
    cert_der: Vec<u8>,
    auth: Arc<FixedTokenAuthenticator>,
    toml: String,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn start(name: &str) -> Tls {
    start_with(name, "").await
}

async fn start_with(name: &str, extra: &str) -> Tls {
    let dir = std::env::temp_dir().join(format!("krbp-tls-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let echo = echo_upstream().await;
    let toml = format!(
        r#"
[tls]
cert = "{}"
key = "{}"
[log]
access = "off"
{}
[[route]]
path_prefix = "/"
upstream = "http://{}"
allow = ["*@EXAMPLE.TEST"]
session = true
"#,
        cert.display(),
        key.display(),
        extra,
        echo.addr
    );
    let auth = Arc::new(FixedTokenAuthenticator::default());
    let handle = Server::start(config(&toml), auth.clone()).await.unwrap();
    Tls {
        handle,
        cert_der: certified.cert.der().to_vec(),
        auth,
        toml,
        _dir: TempDir(dir),
    }
}

async fn connect(t: &Tls, alpn: &[u8]) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(t.cert_der.clone())).unwrap();
    let mut cfg = rustls::ClientConfig::builder_with_provider(krb_proxy::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![alpn.to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let tcp = tokio::net::TcpStream::connect(t.handle.local_addr())
        .await
        .unwrap();
    let stream = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(alpn));
    stream
}

fn request(uri: &str) -> http::Request<Full<Bytes>> {
    http::Request::get(uri)
        .header("authorization", negotiate(b"alice"))
        .body(Full::new(Bytes::new()))
        .unwrap()
}

#[tokio::test]
async fn https_http1_with_channel_bindings() {
    let t = start("h1").await;
    let stream = connect(&t, b"http/1.1").await;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = request("/x");
    req.headers_mut()
        .insert("host", "localhost".parse().unwrap());
    let r = read_reply(sender.send_request(req).await.unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.upstream_header("x-forwarded-proto").unwrap(),
        vec!["https"]
    );
    assert_eq!(
        r.upstream_header("x-remote-user").unwrap(),
        vec!["alice@EXAMPLE.TEST"]
    );
    let set = r.headers["set-cookie"].to_str().unwrap();
    assert!(set.contains("; Secure"), "{set}");
    // RFC 5929: "tls-server-end-point:" || SHA-256(certificate) for an ECDSA-SHA256 certificate.
    let mut expected = b"tls-server-end-point:".to_vec();
    expected.extend_from_slice(&sha2::Sha256::digest(&t.cert_der));
    assert_eq!(
        t.auth.seen_bindings.lock().unwrap().as_slice(),
        &[Some(expected)]
    );
}

#[tokio::test]
async fn https_http2_over_alpn() {
    let t = start("h2").await;
    let stream = connect(&t, b"h2").await;
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    for (i, token) in [b"alice".as_slice(), b"bob".as_slice()]
        .into_iter()
        .enumerate()
    {
        let req = http::Request::get(format!("https://localhost/h2/{i}"))
            .header("authorization", negotiate(token))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let r = read_reply(sender.send_request(req).await.unwrap()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["path"], format!("/h2/{i}"));
        // Each stream is authenticated on its own; the connection carries no identity.
        let who = if i == 0 {
            "alice@EXAMPLE.TEST"
        } else {
            "bob@EXAMPLE.TEST"
        };
        assert_eq!(r.upstream_header("x-remote-user").unwrap(), vec![who]);
        assert_eq!(
            r.upstream_header("x-forwarded-host").unwrap(),
            vec!["localhost"]
        );
    }
    let r = read_reply(
        sender
            .send_request(
                http::Request::get("https://localhost/none")
                    .body(Full::new(Bytes::new()))
                    .unwrap(),
            )
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.headers["www-authenticate"], "Negotiate");
}

#[tokio::test]
async fn bad_certificate_files_fail_start_with_the_file_named() {
    let echo = echo_upstream().await;
    let toml = format!(
        "[tls]\ncert = \"/nonexistent/cert.pem\"\nkey = \"/nonexistent/key.pem\"\n[[route]]\npath_prefix = \"/\"\nupstream = \"http://{}\"\npublic = true\n",
        echo.addr
    );
    let e = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap_err();
    assert!(e.contains("/nonexistent/cert.pem"), "{e}");
}

fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, Arc<rustls::ServerConfig>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.join("upstream-cert.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    let key =
        rustls_pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der()).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(krb_proxy::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    (cert, Arc::new(cfg))
}

#[tokio::test]
async fn https_upstream_with_a_configured_ca() {
    let dir = TempDir(std::env::temp_dir().join(format!("krbp-up-tls-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let (ca, server_cfg) = self_signed(&dir.0);
    let echo = echo_upstream_with(Some(server_cfg)).await;
    let route = format!(
        "[log]\naccess = \"off\"\n[[route]]\npath_prefix = \"/\"\nupstream = \"https://localhost:{}\"\nallow = [\"*\"]\n",
        echo.addr.port()
    );
    // Trusted through [upstream_tls] ca.
    let toml = format!("[upstream_tls]\nca = \"{}\"\n{route}", ca.display());
    let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let r = send(
        h.local_addr(),
        get("/secure", &[("authorization", &negotiate(b"alice"))]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["path"], "/secure");
    assert_eq!(
        r.upstream_header("host").unwrap(),
        vec![format!("localhost:{}", echo.addr.port())]
    );
    // Not trusted by the webpki roots: 502 naming the TLS failure.
    let h = Server::start(config(&route), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let r = send(
        h.local_addr(),
        get("/secure", &[("authorization", &negotiate(b"alice"))]),
    )
    .await;
    assert_eq!(r.status, 502);
    assert!(
        r.body
            .contains("TLS handshake with upstream https://localhost:"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn h2c_prior_knowledge_only_when_enabled() {
    let echo = echo_upstream().await;
    for enabled in [true, false] {
        let toml = format!(
            "h2c = {enabled}\n[log]\naccess = \"off\"\n[[route]]\npath_prefix = \"/\"\nupstream = \"http://{}\"\npublic = true\n",
            echo.addr
        );
        let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
            .await
            .unwrap();
        let tcp = tokio::net::TcpStream::connect(h.local_addr())
            .await
            .unwrap();
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
                .await
                .unwrap();
        tokio::spawn(conn);
        let req = http::Request::get(format!("http://{}/h2c", h.local_addr()))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let result = sender.send_request(req).await;
        if enabled {
            let r = read_reply(result.unwrap()).await;
            assert_eq!(r.status, 200);
            assert_eq!(r.json()["path"], "/h2c");
        } else {
            assert!(result.is_err(), "h2c was accepted with h2c = false");
        }
    }
}

#[tokio::test]
async fn stalled_tls_clients_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = start_with("stall", "[limits]\nheader_read_timeout = \"300ms\"").await;
    // Connected but never starts the handshake.
    let mut tcp = tokio::net::TcpStream::connect(t.handle.local_addr())
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tcp.read_to_end(&mut buf),
    )
    .await;
    assert!(read.is_ok(), "a client that never handshakes was kept");
    // Handshaken, on either protocol, then silent or stalled mid-head.
    for (alpn, bytes) in [
        (&b"http/1.1"[..], &b""[..]),
        (b"http/1.1", b"GET / HTTP/1.1\r\n"),
        (b"h2", b""),
    ] {
        let mut stream = connect(&t, alpn).await;
        stream.write_all(bytes).await.unwrap();
        let mut buf = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut buf),
        )
        .await;
        assert!(
            read.is_ok(),
            "a stalled {:?} client was kept",
            String::from_utf8_lossy(alpn)
        );
    }
}

#[tokio::test]
async fn reload_rotates_the_certificate_and_its_channel_bindings() {
    let mut t = start("rotate").await;
    let old_der = t.cert_der.clone();
    // New certificate and key written over the old files, then a reload.
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    std::fs::write(t._dir.0.join("cert.pem"), certified.cert.pem()).unwrap();
    std::fs::write(
        t._dir.0.join("key.pem"),
        certified.signing_key.serialize_pem(),
    )
    .unwrap();
    let warnings = t.handle.replace(config(&t.toml), t.auth.clone()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    t.cert_der = certified.cert.der().to_vec();
    let stream = connect(&t, b"http/1.1").await;
    let presented = stream.get_ref().1.peer_certificates().unwrap()[0].to_vec();
    assert_eq!(presented, t.cert_der);
    assert_ne!(presented, old_der);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = request("/x");
    req.headers_mut()
        .insert("host", "localhost".parse().unwrap());
    assert_eq!(
        read_reply(sender.send_request(req).await.unwrap())
            .await
            .status,
        200
    );
    let mut expected = b"tls-server-end-point:".to_vec();
    expected.extend_from_slice(&sha2::Sha256::digest(&t.cert_der));
    assert_eq!(
        t.auth.seen_bindings.lock().unwrap().last().unwrap(),
        &Some(expected)
    );
    // A broken key file: the reload is refused and the current certificate keeps serving.
    std::fs::write(t._dir.0.join("key.pem"), "not a key").unwrap();
    let e = t
        .handle
        .replace(config(&t.toml), t.auth.clone())
        .unwrap_err();
    assert!(e.contains("key.pem"), "{e}");
    let stream = connect(&t, b"http/1.1").await;
    assert_eq!(
        stream.get_ref().1.peer_certificates().unwrap()[0].to_vec(),
        t.cert_der
    );
}
