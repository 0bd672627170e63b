//! Sealed session cookies: issued after Negotiate, accepted as cookie or bearer, refused when
//! tampered or expired.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use krb_proxy::server::{Server, ServerHandle};

async fn start(extra: &str) -> (ServerHandle, Echo, Arc<FixedTokenAuthenticator>) {
    let echo = echo_upstream().await;
    let toml = format!(
        r#"
[log]
access = "off"
[session]
lifetime = "1h"
cookie_name = "sess"
{extra}
[[route]]
path_prefix = "/api/"
upstream = "http://{up}"
allow = ["*@EXAMPLE.TEST"]
session = true
[[route]]
path_prefix = "/nosession/"
upstream = "http://{up}"
allow = ["*@EXAMPLE.TEST"]
[[route]]
path_prefix = "/public/"
upstream = "http://{up}"
public = true
"#,
        up = echo.addr
    );
    let auth = Arc::new(FixedTokenAuthenticator::default());
    let handle = Server::start(config(&toml), auth.clone()).await.unwrap();
    (handle, echo, auth)
}

fn cookie_of(r: &Reply) -> (String, String) {
    let set = r.headers["set-cookie"].to_str().unwrap().to_owned();
    let value = set
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("sess=")
        .unwrap()
        .to_owned();
    (set, value)
}

#[tokio::test]
async fn cookie_is_issued_then_accepted_without_kerberos() {
    let (h, _e, auth) = start("").await;
    let a = h.local_addr();
    let r = send(a, get("/api/x", &[("authorization", &negotiate(b"alice"))])).await;
    assert_eq!(r.status, 200);
    let (set, value) = cookie_of(&r);
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    assert!(!set.contains("Secure"), "no TLS here: {set}");
    assert!(set.contains("Max-Age=3600"), "{set}");
    assert_eq!(auth.calls.load(Ordering::SeqCst), 1);

    let cookie = format!("other=1; sess={value}");
    let r = send(a, get("/api/y", &[("cookie", &cookie)])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.upstream_header("x-remote-user").unwrap(),
        vec!["alice@EXAMPLE.TEST"]
    );
    // The session cookie is the proxy's: the upstream sees only its own cookies.
    assert_eq!(r.upstream_header("cookie").unwrap(), vec!["other=1"]);
    assert!(
        r.headers.get("set-cookie").is_none(),
        "no new session for a session request"
    );
    assert_eq!(auth.calls.load(Ordering::SeqCst), 1, "Kerberos skipped");
}

#[tokio::test]
async fn bearer_form_is_accepted_and_not_forwarded() {
    let (h, _e, _a) = start("").await;
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"bob"))]),
    )
    .await;
    let (_, value) = cookie_of(&r);
    let bearer = format!("Bearer {value}");
    let r = send(h.local_addr(), get("/api/x", &[("authorization", &bearer)])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.upstream_header("x-remote-user").unwrap(),
        vec!["bob@EXAMPLE.TEST"]
    );
    assert_eq!(r.upstream_header("authorization"), None);
}

#[tokio::test]
async fn tampered_session_is_rejected() {
    let (h, _e, _a) = start("").await;
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"alice"))]),
    )
    .await;
    let (_, value) = cookie_of(&r);
    let mut bytes = value.into_bytes();
    let mid = bytes.len() / 2;
    bytes[mid] = if bytes[mid] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let r = send(
        h.local_addr(),
        get("/api/x", &[("cookie", &format!("sess={tampered}"))]),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.headers["www-authenticate"], "Negotiate");
    assert!(r.body.contains("does not verify"), "{}", r.body);
    assert!(
        r.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    // A stale cookie does not block a fresh Negotiate.
    let r = send(
        h.local_addr(),
        get(
            "/api/x",
            &[
                ("cookie", &format!("sess={tampered}")),
                ("authorization", &negotiate(b"alice")),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn session_ends_with_the_ticket() {
    let (h, _e, _a) = start("").await;
    // The `short` ticket ends in 2 s, well before the 1 h lifetime.
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"short"))]),
    )
    .await;
    let (set, value) = cookie_of(&r);
    assert!(
        set.contains("Max-Age=1") || set.contains("Max-Age=2"),
        "{set}"
    );
    let cookie = format!("sess={value}");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = send(h.local_addr(), get("/api/x", &[("cookie", &cookie)])).await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("session token expired"), "{}", r.body);
}

#[tokio::test]
async fn routes_without_sessions_neither_issue_nor_accept_them() {
    let (h, _e, _a) = start("").await;
    let r = send(
        h.local_addr(),
        get("/nosession/x", &[("authorization", &negotiate(b"alice"))]),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get("set-cookie").is_none());
    let r = send(
        h.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"alice"))]),
    )
    .await;
    let (_, value) = cookie_of(&r);
    let r = send(
        h.local_addr(),
        get("/nosession/x", &[("cookie", &format!("sess={value}"))]),
    )
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn a_key_file_makes_sessions_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("krbp-sesskey-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("session.key");
    std::fs::write(&key, "0123456789abcdef".repeat(4)).unwrap();
    let extra = format!("key_file = \"{}\"", key.display());
    let (h1, _e1, _a1) = start(&extra).await;
    let r = send(
        h1.local_addr(),
        get("/api/x", &[("authorization", &negotiate(b"alice"))]),
    )
    .await;
    let (_, value) = cookie_of(&r);
    h1.shutdown(Duration::from_secs(1)).await;
    let (h2, _e2, _a2) = start(&extra).await;
    let r = send(
        h2.local_addr(),
        get("/api/x", &[("cookie", &format!("sess={value}"))]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // And a generated key does not accept it.
    let (h3, _e3, _a3) = start("").await;
    let r = send(
        h3.local_addr(),
        get("/api/x", &[("cookie", &format!("sess={value}"))]),
    )
    .await;
    assert_eq!(r.status, 401);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn group_rules_and_sessions_that_carry_groups() {
    let echo = echo_upstream().await;
    let toml = format!(
        "groups_header = \"X-Remote-Groups\"\n[log]\naccess = \"off\"\n[session]\ncookie_name = \"sess\"\n[[route]]\npath_prefix = \"/ops/\"\nupstream = \"http://{}\"\nallow = [\"group:admins\"]\nsession = true\n",
        echo.addr
    );
    let h = Server::start(config(&toml), Arc::new(FixedTokenAuthenticator::default()))
        .await
        .unwrap();
    let a = h.local_addr();
    let spoof = ("x-remote-groups", "admins");
    let r = send(
        a,
        get("/ops/x", &[("authorization", &negotiate(b"alice")), spoof]),
    )
    .await;
    assert_eq!(r.status, 403, "alice is in no group: {}", r.body);
    let r = send(
        a,
        get("/ops/x", &[("authorization", &negotiate(b"dave")), spoof]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.upstream_header("x-remote-groups").unwrap(),
        vec!["admins,ops"]
    );
    let (_, value) = cookie_of(&r);
    // The session carries dave's groups, so the group rule holds without Kerberos.
    let r = send(
        a,
        get(
            "/ops/y",
            &[
                ("cookie", &format!("sess={value}")),
                ("x_remote_groups", "root"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.upstream_header("x-remote-groups").unwrap(),
        vec!["admins,ops"]
    );
    assert_eq!(r.upstream_header("x_remote_groups"), None);
}

#[tokio::test]
async fn proxy_credentials_never_reach_any_upstream() {
    let (h, _e, _a) = start("").await;
    let a = h.local_addr();
    let r = send(a, get("/api/x", &[("authorization", &negotiate(b"alice"))])).await;
    let (_, value) = cookie_of(&r);
    let cookie = format!("theirs=1; sess={value}");
    // The browser sends the session cookie to every path: public and session-less routes too.
    for path in ["/public/x", "/nosession/x"] {
        let r = send(
            a,
            get(
                path,
                &[("cookie", &cookie), ("authorization", &negotiate(b"alice"))],
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_eq!(
            r.upstream_header("cookie").unwrap(),
            vec!["theirs=1"],
            "{path}"
        );
        assert_eq!(
            r.upstream_header("authorization"),
            None,
            "{path}: a Negotiate token leaked"
        );
    }
    // A session as bearer on a public route is the proxy's: removed. Another bearer passes.
    let bearer = format!("Bearer {value}");
    let r = send(a, get("/public/x", &[("authorization", &bearer)])).await;
    assert_eq!(r.upstream_header("authorization"), None);
    let r = send(
        a,
        get(
            "/public/x",
            &[("authorization", "Bearer upstream-own-token")],
        ),
    )
    .await;
    assert_eq!(
        r.upstream_header("authorization").unwrap(),
        vec!["Bearer upstream-own-token"]
    );
    let r = send(a, get("/public/x", &[("authorization", "Basic dTpw")])).await;
    assert_eq!(
        r.upstream_header("authorization").unwrap(),
        vec!["Basic dTpw"]
    );
}
