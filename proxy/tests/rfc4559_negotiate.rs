//! RFC 4559 (SPNEGO-based Kerberos and NTLM HTTP Authentication): the `Negotiate` exchange as the
//! proxy runs it, over a test-only authenticator (the Kerberos acceptor is tested in krb-core).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use common::*;
use krb_proxy::server::{Server, ServerHandle};

const ROUTES: &str = r#"
[log]
access = "off"
[limits]
max_token_bytes = 1024
[[route]]
path_prefix = "/api/"
upstream = "UP"
allow = ["*@EXAMPLE.TEST"]
[[route]]
path_prefix = "/admin/"
upstream = "UP"
allow = ["alice@EXAMPLE.TEST"]
"#;

async fn start(extra: &str) -> (ServerHandle, Echo, Arc<FixedTokenAuthenticator>) {
    let echo = echo_upstream().await;
    let toml = format!("{extra}{ROUTES}").replace("UP", &format!("http://{}", echo.addr));
    let auth = Arc::new(FixedTokenAuthenticator::default());
    let handle = Server::start(config(&toml), auth.clone()).await.unwrap();
    (handle, echo, auth)
}

fn assert_challenge(r: &Reply, reason: &str) {
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.headers["www-authenticate"], "Negotiate");
    assert!(
        r.body.contains(reason),
        "body {:?} lacks {reason:?}",
        r.body
    );
}

#[tokio::test]
async fn missing_or_bad_authorization_gets_a_challenge_and_is_never_forwarded() {
    let (h, echo, auth) = start("").await;
    let a = h.local_addr();
    assert_challenge(
        &send(a, get("/api/x", &[])).await,
        "authentication required",
    );
    assert_challenge(
        &send(
            a,
            get("/api/x", &[("authorization", "Negotiate !!!not-base64")]),
        )
        .await,
        "not valid base64",
    );
    assert_challenge(
        &send(a, get("/api/x", &[("authorization", "Negotiate")])).await,
        "empty",
    );
    assert_challenge(
        &send(a, get("/api/x", &[("authorization", "Negotiate ")])).await,
        "empty",
    );
    let big = negotiate(&vec![b'a'; 2000]);
    assert_challenge(
        &send(a, get("/api/x", &[("authorization", &big)])).await,
        "larger than the limit of 1024",
    );
    assert_challenge(
        &send(a, get("/api/x", &[("authorization", "Basic YWxpY2U6cHc=")])).await,
        "`Basic` is not supported",
    );
    assert_challenge(
        &send(
            a,
            get("/api/x", &[("authorization", "NTLM TlRMTVNTUAABAAAA")]),
        )
        .await,
        "NTLM is not supported",
    );
    assert_challenge(
        &send(
            a,
            get("/api/x", &[("authorization", &negotiate(b"garbage"))]),
        )
        .await,
        "not a Kerberos token",
    );
    // Only the last one reached the authenticator; nothing reached the upstream.
    assert_eq!(auth.calls.load(Ordering::SeqCst), 1);
    assert_eq!(echo.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn failure_with_a_response_token_sends_it_on_the_401() {
    let (h, _e, _a) = start("").await;
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"skew"))]),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.headers["www-authenticate"],
        format!("Negotiate {}", b64(b"krb-error"))
    );
    assert!(r.body.contains("clock skew too great"));
}

#[tokio::test]
async fn allowed_principal_is_forwarded_with_its_identity() {
    let (h, _e, auth) = start("").await;
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"bob"))]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.upstream_header("x-remote-user").unwrap(),
        vec!["bob@EXAMPLE.TEST"]
    );
    assert!(r.headers.get("www-authenticate").is_none());
    // Plain-HTTP listener: no channel bindings.
    assert_eq!(auth.seen_bindings.lock().unwrap().as_slice(), &[None]);
}

#[tokio::test]
async fn scheme_name_is_case_insensitive() {
    let (h, _e, _a) = start("").await;
    let value = format!("negotiate {}", b64(b"alice"));
    let r = send(h.local_addr(), get("/api/x", &[("authorization", &value)])).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn disallowed_principal_is_403() {
    let (h, echo, _a) = start("").await;
    let r = send(
        h.local_addr(),
        get("/admin/x", &[("authorization", &negotiate(b"bob"))]),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(
        r.body
            .contains("bob@EXAMPLE.TEST is not allowed on route /admin/"),
        "{}",
        r.body
    );
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"carol"))]),
    )
    .await;
    assert_eq!(r.status, 403, "a principal of another realm");
    assert_eq!(echo.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn mutual_auth_token_comes_back_in_www_authenticate() {
    let (h, _e, _a) = start("").await;
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"mutual"))]),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["www-authenticate"],
        format!("Negotiate {}", b64(b"ap-rep"))
    );
}

#[tokio::test]
async fn authorization_is_forwarded_only_when_configured() {
    let (h, _e, _a) = start("forward_authorization = true\n").await;
    let token = negotiate(b"alice");
    let r = send(h.local_addr(), get("/api/x", &[("authorization", &token)])).await;
    assert_eq!(r.upstream_header("authorization").unwrap(), vec![token]);
}

#[tokio::test]
async fn identity_header_name_is_configurable() {
    let (h, _e, _a) = start("identity_header = \"X-Authenticated-Principal\"\n").await;
    let r = send(
        h.local_addr(),
        get(
            "/api/x",
            &[
                ("authorization", &negotiate(b"alice")),
                ("x-authenticated-principal", "root@EXAMPLE.TEST"),
            ],
        ),
    )
    .await;
    assert_eq!(
        r.upstream_header("x-authenticated-principal").unwrap(),
        vec!["alice@EXAMPLE.TEST"]
    );
    assert_eq!(r.upstream_header("x-remote-user"), None);
}
