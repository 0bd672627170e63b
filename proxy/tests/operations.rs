//! Operations: metrics and health endpoints, the access log, reload, graceful shutdown, and the
//! upstream pool keyed by identity.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use krb_proxy::auth::{Authenticator, KeytabSettings};
use krb_proxy::config::Overrides;
use krb_proxy::run::Launcher;
use krb_proxy::server::Server;

struct TempDir(PathBuf);
impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("krbp-ops-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn metrics_health_and_readiness() {
    let echo = echo_upstream().await;
    let toml = format!(
        "[admin]\nlisten = \"127.0.0.1:0\"\n[log]\naccess = \"off\"\n[[route]]\npath_prefix = \"/api/\"\nupstream = \"http://{}\"\nallow = [\"*@EXAMPLE.TEST\"]\n",
        echo.addr
    );
    let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let a = h.local_addr();
    assert_eq!(
        send(a, get("/api/x", &[("authorization", &negotiate(b"alice"))]))
            .await
            .status,
        200
    );
    assert_eq!(
        send(a, get("/api/x", &[("authorization", &negotiate(b"skew"))]))
            .await
            .status,
        401
    );
    assert_eq!(send(a, get("/api/x", &[])).await.status, 401);
    assert_eq!(send(a, get("/nowhere", &[])).await.status, 404);

    let admin = h.admin_addr().unwrap();
    let m = send(admin, get("/metrics", &[])).await;
    assert_eq!(m.status, 200);
    for line in [
        "krb_proxy_requests_total{route=\"/api/\",status=\"200\"} 1",
        "krb_proxy_requests_total{route=\"/api/\",status=\"401\"} 2",
        "krb_proxy_requests_total{route=\"none\",status=\"404\"} 1",
        "krb_proxy_rejections_total{reason=\"skew\"} 1",
        "krb_proxy_rejections_total{reason=\"no_token\"} 1",
        "krb_proxy_accept_seconds_count 2",
        "krb_proxy_upstream_seconds_count 1",
        "krb_proxy_replay_cache_entries 7",
    ] {
        assert!(m.body.contains(line), "missing {line:?} in\n{}", m.body);
    }
    let health = send(admin, get("/healthz", &[])).await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    let ready = send(admin, get("/readyz", &[])).await;
    assert_eq!(ready.status, 200);
    assert!(
        ready
            .body
            .contains("HTTP/api.example.test@EXAMPLE.TEST kvno 2"),
        "{}",
        ready.body
    );
}

#[tokio::test]
async fn access_log_has_one_json_line_per_request() {
    let dir = TempDir::new("log");
    let log = dir.0.join("access.log");
    let echo = echo_upstream().await;
    let toml = format!(
        "[log]\naccess = \"{}\"\n[[route]]\npath_prefix = \"/api/\"\nupstream = \"http://{}\"\nallow = [\"alice@EXAMPLE.TEST\"]\n",
        log.display(),
        echo.addr
    );
    let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let a = h.local_addr();
    send(
        a,
        get(
            "/api/ok?secret=1",
            &[("authorization", &negotiate(b"alice"))],
        ),
    )
    .await;
    send(a, get("/api/no", &[("authorization", &negotiate(b"bob"))])).await;
    send(
        a,
        get("/api/skew", &[("authorization", &negotiate(b"skew"))]),
    )
    .await;
    h.shutdown(Duration::from_secs(2)).await;
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    let ok = &lines[0];
    assert_eq!(ok["principal"], "alice@EXAMPLE.TEST");
    assert_eq!(ok["route"], "/api/");
    assert_eq!(ok["method"], "GET");
    assert_eq!(ok["path"], "/api/ok", "no query string in the log");
    assert_eq!(ok["status"], 200);
    assert_eq!(ok["decision"], "allow");
    assert!(ok["client"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(ok["latency_ms"].as_f64().unwrap() >= 0.0);
    assert!(ok["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(lines[1]["decision"], "deny");
    assert_eq!(lines[1]["status"], 403);
    assert_eq!(lines[1]["principal"], "bob@EXAMPLE.TEST");
    assert_eq!(lines[2]["krb_error"], "KRB_AP_ERR_SKEW");
    assert_eq!(lines[2]["principal"], serde_json::Value::Null);
    assert!(!text.contains(&b64(b"alice")), "a token reached the log");
}

#[tokio::test]
async fn upstream_connections_are_never_shared_between_identities() {
    let echo = echo_upstream().await;
    let toml = format!(
        "[log]\naccess = \"off\"\n[[route]]\npath_prefix = \"/api/\"\nupstream = \"http://{up}\"\nallow = [\"*@EXAMPLE.TEST\"]\n[[route]]\npath_prefix = \"/pub/\"\nupstream = \"http://{up}\"\npublic = true\n",
        up = echo.addr
    );
    let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let a = h.local_addr();
    let conn_of = |r: &Reply| r.json()["conn"].as_u64().unwrap();
    let alice1 = conn_of(&send(a, get("/api/1", &[("authorization", &negotiate(b"alice"))])).await);
    let alice2 = conn_of(&send(a, get("/api/2", &[("authorization", &negotiate(b"alice"))])).await);
    let bob = conn_of(&send(a, get("/api/3", &[("authorization", &negotiate(b"bob"))])).await);
    let anon = conn_of(&send(a, get("/pub/4", &[])).await);
    let alice3 = conn_of(&send(a, get("/api/5", &[("authorization", &negotiate(b"alice"))])).await);
    assert_eq!(alice1, alice2, "alice's connection is reused");
    assert_eq!(alice1, alice3);
    assert_ne!(bob, alice1, "bob never gets alice's connection");
    assert_ne!(anon, alice1);
    assert_ne!(anon, bob);
    assert_eq!(echo.connections.load(Ordering::SeqCst), 3);
}

fn write_config(path: &std::path::Path, upstream: std::net::SocketAddr, prefix: &str) {
    std::fs::write(
        path,
        format!(
            "listen = \"127.0.0.1:0\"\nkeytab = \"/k.keytab\"\n[log]\naccess = \"off\"\n[[route]]\npath_prefix = \"{prefix}\"\nupstream = \"http://{upstream}\"\nallow = [\"*@EXAMPLE.TEST\"]\n"
        ),
    )
    .unwrap();
}

fn test_loader() -> Arc<dyn krb_proxy::auth::AuthenticatorLoader> {
    Arc::new(
        |_: &KeytabSettings| -> Result<Arc<dyn Authenticator>, String> {
            Ok(Arc::new(FixedTokenAuthenticator::default()))
        },
    )
}

#[tokio::test]
async fn reload_with_a_broken_config_keeps_the_old_one_serving() {
    let dir = TempDir::new("reload");
    let path = dir.0.join("proxy.toml");
    let echo = echo_upstream().await;
    write_config(&path, echo.addr, "/v1/");
    let launcher = Launcher::new(path.clone(), Overrides::default(), test_loader());
    let h = launcher.start().await.unwrap();
    let a = h.local_addr();
    let alice = negotiate(b"alice");
    assert_eq!(
        send(a, get("/v1/x", &[("authorization", &alice)]))
            .await
            .status,
        200
    );

    // Broken TOML: refused, the old routes keep serving.
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:0\"\nkeytab = \"/k\"\n[[route]]\nalow = 1\n",
    )
    .unwrap();
    let e = launcher.reload(&h).unwrap_err();
    assert!(e.contains("line 4: unknown key `alow` in [[route]]"), "{e}");
    assert_eq!(
        send(a, get("/v1/x", &[("authorization", &alice)]))
            .await
            .status,
        200
    );

    // A keytab the loader refuses: refused too.
    write_config(&path, echo.addr, "/v2/");
    let failing = Launcher::new(
        path.clone(),
        Overrides::default(),
        Arc::new(
            |s: &KeytabSettings| -> Result<Arc<dyn Authenticator>, String> {
                Err(format!("{} is not a keytab", s.keytab.display()))
            },
        ),
    );
    let e = failing.reload(&h).unwrap_err();
    assert!(e.contains("/k.keytab is not a keytab"), "{e}");
    assert_eq!(
        send(a, get("/v1/x", &[("authorization", &alice)]))
            .await
            .status,
        200
    );

    // A good one: in force.
    launcher.reload(&h).unwrap();
    assert_eq!(
        send(a, get("/v1/x", &[("authorization", &alice)]))
            .await
            .status,
        404
    );
    assert_eq!(
        send(a, get("/v2/x", &[("authorization", &alice)]))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_changed_file_is_picked_up_by_polling() {
    let dir = TempDir::new("poll");
    let path = dir.0.join("proxy.toml");
    let echo = echo_upstream().await;
    write_config(&path, echo.addr, "/before/");
    let mut launcher = Launcher::new(path.clone(), Overrides::default(), test_loader());
    launcher.poll_interval = Duration::from_millis(50);
    let launcher = Arc::new(launcher);
    let h = launcher.start().await.unwrap();
    let a = h.local_addr();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let l2 = launcher.clone();
    let supervisor = tokio::spawn(async move {
        l2.supervise_until(h, async {
            let _ = stop_rx.await;
        })
        .await
    });
    let alice = negotiate(b"alice");
    assert_eq!(
        send(a, get("/before/x", &[("authorization", &alice)]))
            .await
            .status,
        200
    );
    // Make sure the modification time moves even on coarse-grained file systems.
    tokio::time::sleep(Duration::from_millis(20)).await;
    write_config(&path, echo.addr, "/after/");
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    let mut status = 0;
    for _ in 0..100 {
        status = send(a, get("/after/x", &[("authorization", &alice)]))
            .await
            .status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200, "the changed config was not picked up");
    stop_tx.send(()).unwrap();
    supervisor.await.unwrap().unwrap();
    // After shutdown the listener is closed.
    assert!(tokio::net::TcpStream::connect(a).await.is_err());
}

#[tokio::test]
async fn graceful_shutdown_drains_in_flight_requests() {
    let echo = echo_upstream().await;
    let toml = format!(
        "[admin]\nlisten = \"127.0.0.1:0\"\n[log]\naccess = \"off\"\n[[route]]\npath_prefix = \"/\"\nupstream = \"http://{}\"\npublic = true\n",
        echo.addr
    );
    let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let a = h.local_addr();
    let admin = h.admin_addr().unwrap();
    // /slow takes 3 s at the upstream; shut down while it is in flight.
    let in_flight = tokio::spawn(async move { send(a, get("/slow", &[])).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let shutdown = tokio::spawn(h.shutdown(Duration::from_secs(20)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    // No new connections once shutdown has begun; the admin listener says so while draining.
    assert!(tokio::net::TcpStream::connect(a).await.is_err());
    let ready = send(admin, get("/readyz", &[])).await;
    assert_eq!(ready.status, 503);
    let r = in_flight.await.unwrap();
    assert_eq!(r.status, 200, "the in-flight request was cut: {}", r.body);
    shutdown.await.unwrap();
}

#[tokio::test]
async fn connections_past_the_limit_wait_for_a_free_slot() {
    let echo = echo_upstream().await;
    let toml = format!(
        "[log]\naccess = \"off\"\n[limits]\nmax_connections = 1\n[[route]]\npath_prefix = \"/\"\nupstream = \"http://{}\"\npublic = true\n",
        echo.addr
    );
    let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let a = h.local_addr();
    let first = tokio::net::TcpStream::connect(a).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = tokio::spawn(async move { send(a, get("/x", &[])).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "a second connection was served past max_connections = 1"
    );
    drop(first);
    let r = second.await.unwrap();
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_client_that_leaves_early_is_logged_as_499() {
    use tokio::io::AsyncWriteExt;
    let dir = TempDir::new("log499");
    let log = dir.0.join("access.log");
    let echo = echo_upstream().await;
    let toml = format!(
        "[log]\naccess = \"{}\"\n[admin]\nlisten = \"127.0.0.1:0\"\n[[route]]\npath_prefix = \"/\"\nupstream = \"http://{}\"\npublic = true\n",
        log.display(),
        echo.addr
    );
    let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let mut tcp = tokio::net::TcpStream::connect(h.local_addr())
        .await
        .unwrap();
    tcp.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(tcp);
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&log).unwrap_or_default();
        if !text.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let line: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("no access line")).unwrap();
    assert_eq!(line["status"], 499);
    assert_eq!(line["completed"], false);
    assert_eq!(line["decision"], "public");
    let m = send(h.admin_addr().unwrap(), get("/metrics", &[])).await;
    assert!(m.body.contains("krb_proxy_in_flight 0"), "{}", m.body);
}
