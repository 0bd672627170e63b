//! Routing, public routes, identity-header stripping, hop-by-hop headers and X-Forwarded-*.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;

use common::*;
use krb_proxy::server::Server;

async fn start(toml: &str) -> (krb_proxy::server::ServerHandle, Echo) {
    let echo = echo_upstream().await;
    let toml = toml.replace("UP", &format!("http://{}", echo.addr));
    let handle = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    (handle, echo)
}

const ROUTES: &str = r#"
[log]
access = "off"
[[route]]
path_prefix = "/"
upstream = "UP/root"
public = true
[[route]]
path_prefix = "/api/"
upstream = "UP"
allow = ["*@EXAMPLE.TEST"]
[[route]]
path_prefix = "/api/admin/"
upstream = "UP/adm"
allow = ["alice@EXAMPLE.TEST"]
methods = ["GET"]
"#;

#[tokio::test]
async fn longest_prefix_wins() {
    let (h, _e) = start(ROUTES).await;
    let auth = negotiate(b"alice");
    let r = send(
        h.local_addr(),
        get("/api/admin/users?x=1", &[("authorization", &auth)]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["path"], "/adm/api/admin/users?x=1");
    let r = send(
        h.local_addr(),
        get("/api/items", &[("authorization", &auth)]),
    )
    .await;
    assert_eq!(r.json()["path"], "/api/items");
    let r = send(h.local_addr(), get("/other", &[])).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["path"], "/root/other");
}

#[tokio::test]
async fn no_route_is_404_and_never_forwarded() {
    let (h, echo) = start(
        "[log]\naccess = \"off\"\n[[route]]\npath_prefix = \"/api/\"\nupstream = \"UP\"\npublic = true\n",
    )
    .await;
    let r = send(h.local_addr(), get("/apix", &[])).await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("no route"));
    assert_eq!(
        echo.connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn method_outside_the_list_is_405_with_allow() {
    let (h, _e) = start(ROUTES).await;
    let auth = negotiate(b"alice");
    let req = http::Request::post("/api/admin/users")
        .header("authorization", &auth)
        .body(http_body_util::Full::new(bytes::Bytes::from_static(b"{}")))
        .unwrap();
    let r = send(h.local_addr(), req).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.headers["allow"], "GET");
    assert!(r.body.contains("method POST is not allowed"));
}

#[tokio::test]
async fn client_identity_headers_never_reach_the_upstream() {
    let toml = ROUTES.replace("[log]", "realm_header = \"X-Remote-Realm\"\n[log]");
    let (h, _e) = start(&toml).await;
    let spoof = [
        ("x-remote-user", "admin@EXAMPLE.TEST"),
        ("X-Remote-Realm", "EVIL"),
        // CGI-style servers read X_Remote_User as X-Remote-User.
        ("x_remote_user", "admin@EXAMPLE.TEST"),
        ("X_REMOTE_REALM", "EVIL"),
        ("x_other_name", "kept"),
    ];
    // Public route: removed, nothing set.
    let r = send(h.local_addr(), get("/public", &spoof)).await;
    assert_eq!(r.status, 200);
    for name in [
        "x-remote-user",
        "x-remote-realm",
        "x_remote_user",
        "x_remote_realm",
    ] {
        assert_eq!(r.upstream_header(name), None, "{name} reached the upstream");
    }
    assert_eq!(r.upstream_header("x_other_name").unwrap(), vec!["kept"]);
    // Authenticated route: replaced by the real identity, exactly one value.
    let auth = negotiate(b"bob");
    let mut hs = spoof.to_vec();
    hs.push(("authorization", &auth));
    let r = send(h.local_addr(), get("/api/x", &hs)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.upstream_header("x-remote-user").unwrap(),
        vec!["bob@EXAMPLE.TEST"]
    );
    assert_eq!(
        r.upstream_header("x-remote-realm").unwrap(),
        vec!["EXAMPLE.TEST"]
    );
    // The Negotiate token is not passed on.
    assert_eq!(r.upstream_header("authorization"), None);
}

#[tokio::test]
async fn hop_by_hop_headers_are_removed_both_ways() {
    let (h, _e) = start(ROUTES).await;
    let r = send(
        h.local_addr(),
        get(
            "/x",
            &[
                ("connection", "x-private, keep-alive"),
                ("x-private", "1"),
                ("keep-alive", "timeout=5"),
                ("proxy-authorization", "Basic Zm9vOmJhcg=="),
                ("proxy-connection", "keep-alive"),
                ("te", "trailers"),
                ("upgrade", "websocket"),
                ("x-end-to-end", "kept"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, 200);
    for gone in [
        "x-private",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "upgrade",
    ] {
        assert_eq!(r.upstream_header(gone), None, "{gone} reached the upstream");
    }
    assert_eq!(r.upstream_header("x-end-to-end").unwrap(), vec!["kept"]);
    // The upstream's Connection-named header and Keep-Alive do not reach the client.
    assert!(r.headers.get("x-upstream-hop").is_none());
    assert!(r.headers.get("keep-alive").is_none());
    assert_eq!(r.headers["content-type"], "application/json");
}

#[tokio::test]
async fn forwarding_headers() {
    let (h, echo) = start(ROUTES).await;
    let r = send(
        h.local_addr(),
        get("/x", &[("x-forwarded-for", "203.0.113.9")]),
    )
    .await;
    assert_eq!(
        r.upstream_header("x-forwarded-for").unwrap(),
        vec!["203.0.113.9, 127.0.0.1"]
    );
    assert_eq!(
        r.upstream_header("x-forwarded-proto").unwrap(),
        vec!["http"]
    );
    assert_eq!(
        r.upstream_header("x-forwarded-host").unwrap(),
        vec!["proxy.example.test"]
    );
    assert_eq!(
        r.upstream_header("host").unwrap(),
        vec![echo.addr.to_string()]
    );
    let r = send(h.local_addr(), get("/x", &[])).await;
    assert_eq!(
        r.upstream_header("x-forwarded-for").unwrap(),
        vec!["127.0.0.1"]
    );
}

#[tokio::test]
async fn preserve_host_keeps_the_client_host() {
    let toml = ROUTES.replace("[log]", "preserve_host = true\n[log]");
    let (h, _e) = start(&toml).await;
    let r = send(h.local_addr(), get("/x", &[])).await;
    assert_eq!(
        r.upstream_header("host").unwrap(),
        vec!["proxy.example.test"]
    );
}

#[tokio::test]
async fn upstream_status_and_body_pass_through() {
    let (h, _e) = start(ROUTES).await;
    let r = send(h.local_addr(), get("/status/418", &[])).await;
    assert_eq!(r.status, 418);
    assert_eq!(r.json()["path"], "/root/status/418");
}

#[tokio::test]
async fn paths_that_could_escape_their_route_are_refused() {
    let (h, echo) = start(ROUTES).await;
    let alice = negotiate(b"bob");
    for path in [
        "/api/../api/admin/users",
        "/api/%2e%2e/admin/users",
        "/api/%2E./admin/x",
        "/api/./x",
        "/api/x%2fy",
        "/api/x%5Cy",
        "/api/x/..",
    ] {
        let r = send(h.local_addr(), get(path, &[("authorization", &alice)])).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
    }
    assert_eq!(
        echo.connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    // Dots inside names are fine.
    let r = send(
        h.local_addr(),
        get(
            "/api/v1.2/file..txt/.well-known",
            &[("authorization", &alice)],
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}
