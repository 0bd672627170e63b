//! The real `krb-proxy run` binary against a real MIT Kerberos KDC on loopback, with real
//! clients: curl's GSS-API/SPNEGO (`curl --negotiate`, RFC 4559), Python `requests` with
//! `requests-gssapi` (proxy/tests/python/requests_gssapi_test.py), and our own initiator
//! (`krb-proxy token`, `krb_core::initiator`).
//!
//! Each test starts its own realm (tests/common/kdc.rs: `scripts/mit-kdc.sh`) with alice and bob
//! (passwords), HTTP/api.example.test and HTTP/other.example.test; the keytab holds HTTP/api
//! only. alice's cache has tickets for both services; bob's only a TGT. The proxy runs as a
//! child process (`listen = "127.0.0.1:0"`, the port read from its "listening on" message)
//! before the echo upstream of tests/common, with routes `/api/` (alice only), `/public/`
//! (public) and `/down/` (alice, to a closed port). The proxy is killed and the KDC stopped when
//! a test ends.
//!
//! What is checked:
//! - curl: alice 200 with `X-Remote-User: alice@EXAMPLE.TEST` at the upstream, no ticket 401 with
//!   `WWW-Authenticate: Negotiate`, bob 403; client identity headers never reach the upstream
//!   (authenticated, refused, public); a 2 MB POST; delegated credentials;
//! - a replayed token: 200 then 401 KRB_AP_ERR_REPEAT, also after a reload;
//! - a ticket for HTTP/other: 401 KRB_AP_ERR_NOT_US, never forwarded;
//! - mutual authentication: the AP-REP on the 200 verifies with our initiator (every framing);
//!   clock skew is refused with the skew in the reason;
//! - HTTPS (a self-signed certificate for api.example.test): curl over HTTP/1.1 and HTTP/2, two
//!   streams on one connection, h2c; a token with other channel bindings is refused;
//! - a broken config on SIGHUP keeps the old one serving and stderr says why; a good one applies;
//! - an upstream that is down: 502 naming it;
//! - Python requests-gssapi with mutual authentication REQUIRED, over HTTP and HTTPS, with MIT's
//!   TLS channel bindings;
//! - key rotation with reload, a session cookie from a real Negotiate, curl keep-alive.
//!
//! Without MIT Kerberos, curl or requests-gssapi the tests fail, saying to run
//! scripts/install-deps.sh: they never pass silently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;
#[path = "common/kdc.rs"]
mod kdc;

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Echo, Reply, echo_upstream, get};
use kdc::{Kdc, check};
use krb_core::ccache::Ccache;
use krb_core::initiator::{InitiatorError, InitiatorOptions, ServiceTicket, TokenFormat, initiate};
use krb_core::principal::Principal;
use serde_json::Value;

const API: &str = "api.example.test";
const OTHER: &str = "other.example.test";
const ALICE: &str = "alice@EXAMPLE.TEST";
const BOB: &str = "bob@EXAMPLE.TEST";
/// How long to wait for the proxy to start, a log line, or a reload.
const WAIT: Duration = Duration::from_secs(20);

/// A realm, tickets, an echo upstream, and the runtime it runs on.
struct Live {
    kdc: Kdc,
    rt: tokio::runtime::Runtime,
    echo: Echo,
    /// The keytab given to the proxy: HTTP/api.example.test only.
    keytab: PathBuf,
    /// alice's cache: a TGT and tickets for HTTP/api and HTTP/other.
    alice: PathBuf,
    /// bob's cache: a TGT.
    bob: PathBuf,
    /// A cache that does not exist: no ticket at all.
    nobody: PathBuf,
    /// A loopback port where nothing listens.
    closed_port: u16,
    /// Proxies started so far (each gets its own config file and access log).
    proxies: AtomicU32,
}

impl Live {
    fn start() -> Live {
        kdc::require(&["curl"]);
        let kdc = Kdc::start();
        let dir = kdc.dir.clone();
        let keytab = dir.join("http.keytab");
        kdc.kadmin(&[
            "addprinc -pw alice-password alice".into(),
            "addprinc -pw bob-password bob".into(),
            "addprinc -randkey HTTP/api.example.test".into(),
            "addprinc -randkey HTTP/other.example.test".into(),
            format!(
                "ktadd -norandkey -k {} HTTP/api.example.test",
                keytab.display()
            ),
        ]);
        let alice = dir.join("alice.ccache");
        let bob = dir.join("bob.ccache");
        kdc.kinit("alice", "alice-password", &alice);
        kdc.kvno(
            &alice,
            &["HTTP/api.example.test", "HTTP/other.example.test"],
        );
        kdc.kinit("bob", "bob-password", &bob);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let echo = rt.block_on(echo_upstream());
        let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Live {
            nobody: dir.join("no-such.ccache"),
            kdc,
            rt,
            echo,
            keytab,
            alice,
            bob,
            closed_port,
            proxies: AtomicU32::new(0),
        }
    }

    /// The config of proxy number `n`: listen on a free port, the access log in a file, the
    /// three routes; `extra` (top-level keys, then tables such as `[tls]`) after `keytab`.
    fn config(&self, n: u32, extra: &str) -> String {
        let dir = &self.kdc.dir;
        format!(
            r#"listen = "127.0.0.1:0"
keytab = "{keytab}"
{extra}
[log]
access = "{access}"

[[route]]
path_prefix = "/api/"
upstream = "http://{up}"
allow = ["{ALICE}"]

[[route]]
path_prefix = "/public/"
upstream = "http://{up}"
public = true

[[route]]
path_prefix = "/down/"
upstream = "http://127.0.0.1:{closed}"
allow = ["{ALICE}"]
"#,
            keytab = self.keytab.display(),
            access = dir.join(format!("access-{n}.log")).display(),
            up = self.echo.addr,
            closed = self.closed_port,
        )
    }

    /// Writes the config (with `extra`) and starts `krb-proxy run` on it.
    fn proxy(&self, extra: &str) -> Proxy {
        let n = self.proxies.fetch_add(1, Ordering::Relaxed);
        let config = self.kdc.dir.join(format!("krb-proxy-{n}.toml"));
        std::fs::write(&config, self.config(n, extra)).unwrap();
        let mut proxy = Proxy::start(&config, &self.kdc.dir.join(format!("access-{n}.log")));
        proxy.n = n;
        proxy
    }

    /// `curl` to `path` on the proxy, as `host` (resolved to the proxy's address). With a
    /// ccache, `--negotiate -u :` with that cache (KRB5CCNAME); without, no authentication.
    fn curl(
        &self,
        proxy: &Proxy,
        host: &str,
        ccache: Option<&Path>,
        path: &str,
        extra: &[&str],
    ) -> Curl {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let head = self.kdc.dir.join(format!("curl-{n}.head"));
        let body = self.kdc.dir.join(format!("curl-{n}.body"));
        let port = proxy.addr.port();
        let url = format!("{}://{host}:{port}{path}", proxy.scheme);
        let mut cmd = self.kdc.cmd("curl");
        cmd.args(["-sS", "--noproxy", "*", "--max-time", "20"])
            .arg("--resolve")
            .arg(format!("{host}:{port}:127.0.0.1"))
            .arg("-D")
            .arg(&head)
            .arg("-o")
            .arg(&body)
            .args(["-w", "%{http_code} %{http_version}"])
            .args(extra);
        match ccache {
            Some(c) => {
                cmd.args(["--negotiate", "-u", ":"])
                    .env("KRB5CCNAME", format!("FILE:{}", c.display()));
            }
            None => {
                cmd.env("KRB5CCNAME", format!("FILE:{}", self.nobody.display()));
            }
        }
        let out = cmd.arg(&url).output().unwrap();
        check(&out, &format!("curl {url}"));
        let written = String::from_utf8(out.stdout).unwrap();
        let (status, http_version) = written.split_once(' ').unwrap();
        let head = std::fs::read_to_string(&head).unwrap();
        // The head file may hold several responses (a 100 Continue, a 401 before curl's retry):
        // the last one is the answer.
        let last = head
            .split("\r\n\r\n")
            .filter(|b| !b.trim().is_empty())
            .last()
            .unwrap_or("");
        let headers = last
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Curl {
            status: status.parse().unwrap(),
            http_version: http_version.to_owned(),
            headers,
            body: std::fs::read_to_string(&body).unwrap_or_default(),
        }
    }

    /// `curl --negotiate` with `ccache` until the status is `want` (a reload is asynchronous),
    /// for up to [`WAIT`]; the last answer.
    fn curl_until(&self, proxy: &Proxy, ccache: &Path, path: &str, want: u16) -> Curl {
        let start = Instant::now();
        loop {
            let c = self.curl(proxy, API, Some(ccache), path, &[]);
            if c.status == want {
                return c;
            }
            assert!(
                start.elapsed() < WAIT,
                "still {} instead of {want} after {WAIT:?}: {}\n{}",
                c.status,
                c.body,
                proxy.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `curl --negotiate` with `ccache` to several paths in one run (so on one connection);
    /// for each, "STATUS NEW_CONNECTIONS HTTP_VERSION".
    fn curl_urls(
        &self,
        proxy: &Proxy,
        ccache: &Path,
        paths: &[&str],
        extra: &[&str],
    ) -> Vec<String> {
        let port = proxy.addr.port();
        let mut cmd = self.kdc.cmd("curl");
        cmd.args(["-sS", "--noproxy", "*", "--max-time", "20"])
            .args(["--negotiate", "-u", ":"])
            .arg("--resolve")
            .arg(format!("{API}:{port}:127.0.0.1"))
            .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
            .args(["-w", "%{http_code} %{num_connects} %{http_version}\\n"])
            .args(extra);
        for path in paths {
            cmd.args(["-o", "/dev/null"])
                .arg(format!("{}://{API}:{port}{path}", proxy.scheme));
        }
        let out = cmd.output().unwrap();
        check(&out, &format!("curl {paths:?}"));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// A fresh base64 Negotiate token from `krb-proxy token` with alice's cache.
    fn token_cli(&self, spn: &str) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_krb-proxy"))
            .args(["token", "--mutual", "--ccache"])
            .arg(&self.alice)
            .args(["--spn", spn])
            .output()
            .unwrap();
        check(&out, &format!("krb-proxy token --spn {spn}"));
        String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
    }

    /// alice's service ticket for `spn` from her cache.
    fn service_ticket(&self, spn: &str) -> ServiceTicket {
        let ccache = Ccache::parse(&std::fs::read(&self.alice).unwrap()).unwrap();
        ServiceTicket::from_ccache(&ccache, &Principal::parse(spn, None).unwrap()).unwrap()
    }

    /// One HTTP/1.1 GET to the plaintext proxy with the given headers.
    fn send(&self, proxy: &Proxy, path: &str, headers: &[(&str, &str)]) -> Reply {
        assert_eq!(proxy.scheme, "http");
        let mut with_host = vec![("host", API)];
        with_host.extend_from_slice(headers);
        let mut req = get(path, &[]);
        for (k, v) in with_host {
            req.headers_mut().insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        self.rt.block_on(common::send(proxy.addr, req))
    }

    /// TCP connections the echo upstream has accepted so far.
    fn upstream_connections(&self) -> usize {
        self.echo.connections.load(Ordering::SeqCst)
    }
}

/// What curl got: the final response.
struct Curl {
    status: u16,
    http_version: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Curl {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The request headers the echo upstream saw (the body is its JSON).
    fn upstream(&self) -> Value {
        let v: Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not the echo upstream's JSON ({e}): {}", self.body));
        v["headers"].clone()
    }
}

/// `krb-proxy run --config FILE` as a child process; killed on drop.
struct Proxy {
    child: Child,
    addr: SocketAddr,
    scheme: &'static str,
    /// Everything the proxy wrote to standard error so far.
    stderr: Arc<Mutex<String>>,
    config: PathBuf,
    access_log: PathBuf,
    /// Its number in [`Live::proxy`].
    n: u32,
}

impl Proxy {
    fn start(config: &Path, access_log: &Path) -> Proxy {
        let mut child = Command::new(env!("CARGO_BIN_EXE_krb-proxy"))
            .args(["run", "--config"])
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { return };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut proxy = Proxy {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            scheme: "http",
            stderr,
            config: config.to_owned(),
            access_log: access_log.to_owned(),
            n: 0,
        };
        // `listen = "127.0.0.1:0"`: the port is in the operational message
        // "listening on 127.0.0.1:PORT (TLS|plain HTTP)", printed once the listener is bound.
        let start = Instant::now();
        let line = loop {
            let log = proxy.stderr();
            if let Some(rest) = log.split("listening on ").nth(1) {
                break rest.split('"').next().unwrap().to_owned();
            }
            if let Some(status) = proxy.child.try_wait().unwrap() {
                panic!("krb-proxy run exited ({status}) before listening:\n{log}");
            }
            assert!(
                start.elapsed() < WAIT,
                "krb-proxy run did not listen within {WAIT:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let (addr, kind) = line.split_once(' ').unwrap();
        proxy.addr = addr.parse().unwrap();
        proxy.scheme = if kind == "(TLS)" { "https" } else { "http" };
        proxy
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until standard error holds `needle` `count` times; the whole of it.
    fn wait_stderr(&self, needle: &str, count: usize) -> String {
        let start = Instant::now();
        loop {
            let log = self.stderr();
            if log.matches(needle).count() >= count {
                return log;
            }
            assert!(
                start.elapsed() < WAIT,
                "krb-proxy did not log {needle:?} ({count} times) within {WAIT:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGHUP to the proxy.
    fn hangup(&self) {
        let out = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .output()
            .unwrap();
        check(&out, "kill -HUP");
    }

    /// Whether the process still runs (`kill -0`; try_wait needs `&mut`).
    fn child_alive(&self) -> bool {
        Command::new("kill")
            .args(["-0", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Waits for `n` access log lines (written when each request ends); all of them.
    fn access(&self, n: usize) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let text = std::fs::read_to_string(&self.access_log).unwrap_or_default();
            let lines: Vec<Value> = text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            if lines.len() >= n {
                return lines;
            }
            assert!(
                start.elapsed() < WAIT,
                "{} access log lines, expected {n}:\n{text}",
                lines.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_negotiate_challenge(value: Option<&str>, what: &str) {
    let value = value.unwrap_or_else(|| panic!("{what}: no WWW-Authenticate"));
    assert!(
        value == "Negotiate" || value.starts_with("Negotiate "),
        "{what}: WWW-Authenticate: {value}"
    );
}

/// `curl --negotiate`: alice 200 with her identity at the upstream, no ticket 401 with a
/// Negotiate challenge, bob 403; a client's X-Remote-User never reaches the upstream.
#[test]
fn curl_negotiate_allows_alice_refuses_bob_and_no_ticket() {
    let live = Live::start();
    let proxy = live.proxy("");
    let spoof = [
        "-H",
        "X-Remote-User: mallory@EVIL",
        "-H",
        "X_Remote_User: mallory@EVIL",
    ];

    let alice = live.curl(&proxy, API, Some(&live.alice), "/api/hello", &spoof);
    assert_eq!(alice.status, 200, "{}", alice.body);
    let seen = alice.upstream();
    assert_eq!(seen["x-remote-user"], serde_json::json!([ALICE]), "{seen}");
    assert!(seen.get("x_remote_user").is_none(), "{seen}");
    assert!(seen.get("authorization").is_none(), "{seen}");

    let nobody = live.curl(&proxy, API, Some(&live.nobody), "/api/hello", &spoof);
    assert_eq!(nobody.status, 401, "{}", nobody.body);
    assert_negotiate_challenge(nobody.header("www-authenticate"), "no ticket");
    assert!(
        nobody.body.contains("authentication required"),
        "{}",
        nobody.body
    );

    let bob = live.curl(&proxy, API, Some(&live.bob), "/api/hello", &spoof);
    assert_eq!(bob.status, 403, "{}", bob.body);
    assert!(
        bob.body.contains("bob@EXAMPLE.TEST is not allowed"),
        "{}",
        bob.body
    );

    // A 2 MB POST body through Negotiate (curl sends `Expect: 100-continue`): all of it.
    let body = live.kdc.dir.join("post.bin");
    std::fs::write(&body, vec![b'x'; 2 << 20]).unwrap();
    let post = live.curl(
        &proxy,
        API,
        Some(&live.alice),
        "/api/upload",
        &["--data-binary", &format!("@{}", body.display())],
    );
    assert_eq!(post.status, 200, "{}", post.body);
    let echoed: Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["body_len"], 2 << 20);

    // With a delegated (forwarded) TGT in the token's checksum (RFC 4121 4.1.1.1): accepted.
    let delegated = live.curl(
        &proxy,
        API,
        Some(&live.alice),
        "/api/delegated",
        &["--delegation", "always"],
    );
    assert_eq!(delegated.status, 200, "{}", delegated.body);
    assert_eq!(
        delegated.upstream()["x-remote-user"],
        serde_json::json!([ALICE])
    );

    // The public route: no authentication, and still no client identity at the upstream.
    let public = live.curl(&proxy, API, None, "/public/x", &spoof);
    assert_eq!(public.status, 200, "{}", public.body);
    let seen = public.upstream();
    assert!(seen.get("x-remote-user").is_none(), "{seen}");
    assert!(seen.get("x_remote_user").is_none(), "{seen}");

    // The public route with a valid Negotiate token beside a spoofed identity: neither the
    // identity nor the token reaches the upstream.
    let token = live.token_cli("HTTP/api.example.test");
    let r = live.send(
        &proxy,
        "/public/y",
        &[
            ("authorization", &format!("Negotiate {token}")),
            ("x-remote-user", "mallory@EVIL"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.upstream_header("x-remote-user"), None, "{}", r.body);
    assert_eq!(r.upstream_header("authorization"), None, "{}", r.body);

    // The access log: who, what, why.
    // One line each: curl sends its token at once (`-u :` picks Negotiate alone), so alice's
    // 200, the 401 without a ticket, bob's 403, the POST, the delegated 200, the two public
    // requests.
    let lines = proxy.access(7);
    let by_path = |status: u64, path: &str| {
        lines
            .iter()
            .find(|l| l["status"] == status && l["path"] == path)
            .unwrap_or_else(|| panic!("no {status} line for {path}: {lines:?}"))
    };
    let a = by_path(200, "/api/hello");
    assert_eq!(a["principal"], ALICE);
    assert_eq!(a["decision"], "allow");
    assert_eq!(a["auth"], "negotiate");
    let b = by_path(403, "/api/hello");
    assert_eq!(b["principal"], BOB);
    assert_eq!(b["decision"], "deny");
    assert_eq!(by_path(200, "/public/x")["decision"], "public");
}

/// The same token twice: the first is served, the second is a replay (401,
/// KRB_AP_ERR_REPEAT) and never reaches the upstream.
#[test]
fn replayed_token_is_refused() {
    let live = Live::start();
    let proxy = live.proxy("");
    let token = live.token_cli("HTTP/api.example.test");
    let auth = format!("Negotiate {token}");

    let first = live.send(&proxy, "/api/once", &[("authorization", &auth)]);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        first.upstream_header("x-remote-user"),
        Some(vec![ALICE.to_owned()])
    );

    let second = live.send(&proxy, "/api/twice", &[("authorization", &auth)]);
    assert_eq!(second.status, 401, "{}", second.body);
    assert!(second.body.contains("replay"), "{}", second.body);
    assert_negotiate_challenge(
        second
            .headers
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap()),
        "replay",
    );

    let lines = proxy.access(2);
    let replay = lines
        .iter()
        .find(|l| l["path"] == "/api/twice")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(replay["status"], 401, "{replay}");
    assert_eq!(replay["krb_error"], "KRB_AP_ERR_REPEAT", "{replay}");
    assert!(
        replay["reason"].as_str().unwrap().contains("replay"),
        "{replay}"
    );
    assert_eq!(replay["principal"], Value::Null, "{replay}");
    // One request reached the upstream, on one connection.
    assert_eq!(live.upstream_connections(), 1);

    // A reload (new authenticator from the keytab) does not forget what was seen.
    proxy.hangup();
    proxy.wait_stderr("reload: new config and keytab in force", 1);
    let third = live.send(&proxy, "/api/after-reload", &[("authorization", &auth)]);
    assert_eq!(third.status, 401, "{}", third.body);
    assert!(third.body.contains("replay"), "{}", third.body);
    assert_eq!(live.upstream_connections(), 1);
}

/// A ticket for another service of the realm (HTTP/other.example.test, not in the keytab):
/// 401 naming the service, and nothing reaches the upstream.
#[test]
fn token_for_another_service_is_refused_and_not_forwarded() {
    let live = Live::start();
    let proxy = live.proxy("");

    // Our initiator's token for HTTP/other, sent to the proxy.
    let token = live.token_cli("HTTP/other.example.test");
    let r = live.send(
        &proxy,
        "/api/x",
        &[("authorization", &format!("Negotiate {token}"))],
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(
        r.body.contains("HTTP/other.example.test@EXAMPLE.TEST"),
        "{}",
        r.body
    );
    // curl asking for the proxy under the other name: MIT gets a ticket for HTTP/other.
    let c = live.curl(&proxy, OTHER, Some(&live.alice), "/api/y", &[]);
    assert_eq!(c.status, 401, "{}", c.body);
    assert!(
        c.body.contains("HTTP/other.example.test@EXAMPLE.TEST"),
        "{}",
        c.body
    );
    assert_eq!(
        live.upstream_connections(),
        0,
        "a refused request was forwarded"
    );

    // Lines: our token's 401, curl's token's 401.
    let lines = proxy.access(2);
    assert!(lines.iter().all(|l| l["status"] == 401), "{lines:?}");
    let not_us = lines
        .iter()
        .filter(|l| l["krb_error"] == "KRB_AP_ERR_NOT_US")
        .count();
    assert_eq!(not_us, 2, "{lines:?}");

    // The same client and proxy with the right name: forwarded (so the count above can move).
    let ok = live.curl(&proxy, API, Some(&live.alice), "/api/z", &[]);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(live.upstream_connections(), 1);
}

/// Mutual authentication: the AP-REP in `WWW-Authenticate: Negotiate <token>` on the 200
/// verifies with our initiator's context, for each token framing; curl (which asks for mutual
/// authentication) gets it too.
#[test]
fn mutual_authentication_ap_rep_verifies() {
    let live = Live::start();
    let proxy = live.proxy("");
    let ticket = live.service_ticket("HTTP/api.example.test@EXAMPLE.TEST");
    for format in [
        TokenFormat::Spnego,
        TokenFormat::Krb5,
        TokenFormat::BareApReq,
    ] {
        let options = InitiatorOptions {
            format,
            mutual: true,
            ..Default::default()
        };
        let (token, ctx) = initiate(&ticket, &options, SystemTime::now()).unwrap();
        let r = live.send(
            &proxy,
            "/api/mutual",
            &[(
                "authorization",
                &format!("Negotiate {}", STANDARD.encode(&token)),
            )],
        );
        assert_eq!(r.status, 200, "{format:?}: {}", r.body);
        assert_eq!(
            r.upstream_header("x-remote-user"),
            Some(vec![ALICE.to_owned()])
        );
        let header = r
            .headers
            .get("www-authenticate")
            .unwrap_or_else(|| panic!("{format:?}: no WWW-Authenticate on the 200"))
            .to_str()
            .unwrap();
        let rep = STANDARD
            .decode(header.strip_prefix("Negotiate ").unwrap())
            .unwrap();
        ctx.verify_ap_rep(&rep)
            .unwrap_or_else(|e| panic!("{format:?}: the AP-REP does not verify: {e}"));
        // It is bound to this exchange: another context of the same ticket refuses it, and so
        // does this one when a byte is changed.
        let (_, other) = initiate(&ticket, &options, SystemTime::now()).unwrap();
        assert!(other.verify_ap_rep(&rep).is_err(), "{format:?}");
        let mut tampered = rep.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(ctx.verify_ap_rep(&tampered).is_err(), "{format:?}");
    }

    // A token from a client clock an hour ahead: 401 with the skew in the reason.
    let (token, _) = initiate(&ticket, &options_mutual(), ahead()).unwrap();
    let r = live.send(
        &proxy,
        "/api/skew",
        &[(
            "authorization",
            &format!("Negotiate {}", STANDARD.encode(&token)),
        )],
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(
        r.body.contains("3600 s ahead") && r.body.contains("allowed skew is 300 s"),
        "{}",
        r.body
    );

    // curl: MIT's initiator with GSS_C_MUTUAL_FLAG; the 200 carries the AP-REP.
    let c = live.curl(&proxy, API, Some(&live.alice), "/api/curl", &[]);
    assert_eq!(c.status, 200, "{}", c.body);
    let header = c.header("www-authenticate").unwrap_or("");
    assert!(header.starts_with("Negotiate "), "curl saw {header:?}");
}

/// HTTPS with a certificate for api.example.test: curl --negotiate over HTTP/1.1 and
/// HTTP/2 (ALPN).
#[test]
fn https_and_http2_with_curl_negotiate() {
    let live = Live::start();
    let dir = &live.kdc.dir;
    let certified = rcgen::generate_simple_self_signed(vec![API.to_owned()]).unwrap();
    let cert = dir.join("tls.crt");
    let key = dir.join("tls.key");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let proxy = live.proxy(&format!(
        "\n[tls]\ncert = \"{}\"\nkey = \"{}\"\n",
        cert.display(),
        key.display()
    ));
    assert_eq!(proxy.scheme, "https");
    let cacert = cert.to_str().unwrap();
    for (flag, version) in [("--http1.1", "1.1"), ("--http2", "2")] {
        let c = live.curl(
            &proxy,
            API,
            Some(&live.alice),
            "/api/tls",
            &["--cacert", cacert, flag],
        );
        assert_eq!(c.status, 200, "{flag}: {}", c.body);
        assert_eq!(c.http_version, version, "{flag}");
        let seen = c.upstream();
        assert_eq!(seen["x-remote-user"], serde_json::json!([ALICE]), "{seen}");
        assert_eq!(
            seen["x-forwarded-proto"],
            serde_json::json!(["https"]),
            "{seen}"
        );
        assert!(
            c.header("www-authenticate")
                .unwrap_or("")
                .starts_with("Negotiate "),
            "{flag}: no AP-REP"
        );
        // bob over the same listener and protocol: 403.
        let b = live.curl(
            &proxy,
            API,
            Some(&live.bob),
            "/api/tls",
            &["--cacert", cacert, flag],
        );
        assert_eq!(b.status, 403, "{flag}: {}", b.body);
        assert_eq!(b.http_version, version, "{flag}");
    }

    // Two requests on one HTTP/2 connection: each stream is authenticated on its own.
    let results = live.curl_urls(
        &proxy,
        &live.alice,
        &["/api/s1", "/api/s2"],
        &["--cacert", cacert, "--http2"],
    );
    assert_eq!(results, ["200 1 2", "200 0 2"]);

    // HTTP/2 with prior knowledge on a plaintext listener (`h2c = true`).
    let h2c = live.proxy("h2c = true\n");
    assert_eq!(h2c.scheme, "http");
    let c = live.curl(
        &h2c,
        API,
        Some(&live.alice),
        "/api/h2c",
        &["--http2-prior-knowledge"],
    );
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.http_version, "2");
    assert_eq!(c.upstream()["x-remote-user"], serde_json::json!([ALICE]));
    drop(h2c);

    // A token bound to other channel bindings than this listener's certificate (RFC 5929
    // tls-server-end-point): refused. (MIT's own bindings, which match, are in the Python test.)
    let out = Command::new(env!("CARGO_BIN_EXE_krb-proxy"))
        .args(["token", "--ccache"])
        .arg(&live.alice)
        .args([
            "--spn",
            "HTTP/api.example.test",
            "--channel-bindings",
            "tls-server-end-point:not-this-certificate",
        ])
        .output()
        .unwrap();
    check(&out, "krb-proxy token --channel-bindings");
    let token = String::from_utf8(out.stdout).unwrap();
    let header = format!("Authorization: Negotiate {}", token.trim_end());
    let c = live.curl(
        &proxy,
        API,
        None,
        "/api/cb",
        &["--cacert", cacert, "-H", &header],
    );
    assert_eq!(c.status, 401, "{}", c.body);
    assert!(c.body.contains("channel bindings"), "{}", c.body);
}

/// A broken config on reload (SIGHUP) is refused: the previous config keeps serving and
/// standard error says why; a good one then takes effect.
#[test]
fn broken_config_on_reload_keeps_the_old_one_serving() {
    let live = Live::start();
    let proxy = live.proxy("");
    let ok = live.curl(&proxy, API, Some(&live.alice), "/api/before", &[]);
    assert_eq!(ok.status, 200, "{}", ok.body);

    std::fs::write(&proxy.config, "listen = [this is not a config\n").unwrap();
    proxy.hangup();
    let log = proxy.wait_stderr("reload refused, the previous config keeps serving", 1);
    let refused = log
        .lines()
        .find(|l| l.contains("reload refused"))
        .unwrap()
        .to_owned();
    // It names the file, the line and what is wrong.
    let place = format!("{} line 1: ", proxy.config.display());
    assert!(refused.contains(&place), "{refused}");
    let line: Value = serde_json::from_str(&refused).unwrap();
    assert_eq!(line["level"], "error", "{refused}");
    assert!(
        proxy.child_alive(),
        "the proxy exited on a bad reload:\n{log}"
    );

    let still = live.curl(&proxy, API, Some(&live.alice), "/api/after", &[]);
    assert_eq!(still.status, 200, "{}", still.body);
    let bob = live.curl(&proxy, API, Some(&live.bob), "/api/after", &[]);
    assert_eq!(bob.status, 403, "{}", bob.body);

    // A good config (bob allowed instead of alice) then takes effect on SIGHUP.
    let swapped = live.config(proxy.n, "").replace(
        &format!("allow = [\"{ALICE}\"]\n\n[[route]]\npath_prefix = \"/public/\""),
        &format!("allow = [\"{BOB}\"]\n\n[[route]]\npath_prefix = \"/public/\""),
    );
    assert_ne!(swapped, live.config(proxy.n, ""));
    std::fs::write(&proxy.config, swapped).unwrap();
    proxy.hangup();
    proxy.wait_stderr("reload: new config and keytab in force", 1);
    let bob = live.curl(&proxy, API, Some(&live.bob), "/api/new", &[]);
    assert_eq!(bob.status, 200, "{}", bob.body);
    assert_eq!(bob.upstream()["x-remote-user"], serde_json::json!([BOB]));
    let alice = live.curl(&proxy, API, Some(&live.alice), "/api/new", &[]);
    assert_eq!(alice.status, 403, "{}", alice.body);
}

/// An upstream that is down: 502 with the reason, after authentication.
#[test]
fn upstream_down_is_502_with_the_reason() {
    let live = Live::start();
    let proxy = live.proxy("");
    let c = live.curl(&proxy, API, Some(&live.alice), "/down/x", &[]);
    assert_eq!(c.status, 502, "{}", c.body);
    let upstream = format!("127.0.0.1:{}", live.closed_port);
    assert!(
        c.body.contains(&upstream) && c.body.contains("refused the connection"),
        "{}",
        c.body
    );
    let lines = proxy.access(1);
    let l = lines.iter().find(|l| l["path"] == "/down/x").unwrap();
    assert_eq!(l["status"], 502, "{l}");
    assert_eq!(l["decision"], "error", "{l}");
    assert_eq!(l["principal"], ALICE, "{l}");
    // Without a ticket, authentication still comes first: 401, not 502.
    let n = live.curl(&proxy, API, None, "/down/x", &[]);
    assert_eq!(n.status, 401, "{}", n.body);
}

/// Runs proxy/tests/python/requests_gssapi_test.py with the realm's environment.
fn python(live: &Live, proxy: &Proxy, ccache: &Path, extra: &[&str]) -> std::process::Output {
    kdc::require(&["python3"]);
    let port = proxy.addr.port();
    let script = kdc::repo().join("proxy/tests/python/requests_gssapi_test.py");
    live.kdc
        .cmd("python3")
        .arg(script)
        .arg(format!("{}://{API}:{port}/api/python", proxy.scheme))
        .arg("--resolve")
        .arg(format!("{API}:{port}:127.0.0.1"))
        .args(extra)
        .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
        .output()
        .unwrap()
}

/// Python requests + requests-gssapi with mutual authentication REQUIRED: 200, alice at the
/// upstream, MIT's context completed by the proxy's AP-REP; over HTTP and HTTPS.
#[test]
fn python_requests_gssapi_with_mutual_authentication_required() {
    let live = Live::start();
    let probe = live
        .kdc
        .cmd("python3")
        .args(["-c", "import requests_gssapi, cryptography"])
        .output();
    let ok = probe.as_ref().is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "python3 cannot import requests_gssapi or cryptography: run scripts/install-deps.sh ({})",
        probe
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .unwrap_or_else(|e| e.to_string())
    );

    let proxy = live.proxy("");
    let out = python(&live, &proxy, &live.alice, &[]);
    check(&out, "requests_gssapi_test.py (HTTP)");
    let facts: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(facts["x_remote_user"], ALICE, "{facts}");
    assert_eq!(facts["context_complete"], true, "{facts}");

    // bob is authenticated but not allowed: the script reports the 403 and fails.
    let out = python(&live, &proxy, &live.bob, &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("status 403"), "{err}");
    drop(proxy);

    // Over TLS, trusting the proxy's self-signed certificate.
    let dir = &live.kdc.dir;
    let certified = rcgen::generate_simple_self_signed(vec![API.to_owned()]).unwrap();
    let cert = dir.join("tls.crt");
    let key = dir.join("tls.key");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let proxy = live.proxy(&format!(
        "\n[tls]\ncert = \"{}\"\nkey = \"{}\"\n",
        cert.display(),
        key.display()
    ));
    let cacert = cert.to_str().unwrap();
    let out = python(&live, &proxy, &live.alice, &["--cacert", cacert]);
    check(&out, "requests_gssapi_test.py (HTTPS)");
    let facts: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(facts["x_remote_user"], ALICE, "{facts}");
    // With RFC 5929 tls-server-end-point channel bindings computed by requests-gssapi from the
    // certificate it saw: MIT's bindings match the proxy's.
    let out = python(
        &live,
        &proxy,
        &live.alice,
        &["--cacert", cacert, "--channel-bindings"],
    );
    check(&out, "requests_gssapi_test.py (HTTPS, channel bindings)");
    let facts: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(facts["channel_bindings"], true, "{facts}");
}

/// Key rotation as operators do it: a new key in the KDC (kvno 2) is refused with the kvno in
/// the reason until it is exported beside the old one and the proxy reloads; then tickets of
/// both keys work; after the old key leaves the keytab, only the new one does.
#[test]
fn key_rotation_with_reload() {
    let live = Live::start();
    let proxy = live.proxy("");
    let keytab = live.keytab.display().to_string();

    live.kdc
        .kadmin(&["cpw -randkey HTTP/api.example.test".to_owned()]);
    let fresh = live.kdc.dir.join("alice-kvno2.ccache");
    live.kdc.kinit("alice", "alice-password", &fresh);
    live.kdc.kvno(&fresh, &["HTTP/api.example.test"]);
    let c = live.curl(&proxy, API, Some(&fresh), "/api/rotated", &[]);
    assert_eq!(c.status, 401, "{}", c.body);
    assert!(
        c.body.contains("kvno 2") && c.body.contains("re-export the keytab"),
        "{}",
        c.body
    );

    // kvno 2 exported beside kvno 1; SIGHUP (the keytab's mtime would do it too).
    live.kdc.kadmin(&[format!(
        "ktadd -norandkey -k {keytab} HTTP/api.example.test"
    )]);
    proxy.hangup();
    let c = live.curl_until(&proxy, &fresh, "/api/rotated", 200);
    assert_eq!(c.upstream()["x-remote-user"], serde_json::json!([ALICE]));
    proxy.wait_stderr("reload: new config and keytab in force", 1);
    let old = live.curl(&proxy, API, Some(&live.alice), "/api/old-key", &[]);
    assert_eq!(old.status, 200, "{}", old.body);

    // The old key leaves the keytab: its tickets are refused, naming kvno 1.
    live.kdc
        .kadmin(&[format!("ktremove -k {keytab} HTTP/api.example.test old")]);
    proxy.hangup();
    let old = live.curl_until(&proxy, &live.alice, "/api/old-key", 401);
    assert!(old.body.contains("kvno 1"), "{}", old.body);
    let c = live.curl(&proxy, API, Some(&fresh), "/api/rotated", &[]);
    assert_eq!(c.status, 200, "{}", c.body);
}

/// A session route with a real ticket: Negotiate once, then the cookie alone; and curl's
/// keep-alive (two requests on one connection, each authenticated by the proxy).
#[test]
fn session_cookie_and_keep_alive_with_curl() {
    let live = Live::start();
    let proxy = live.proxy(&format!(
        "\n[[route]]\npath_prefix = \"/session/\"\nupstream = \"http://{}\"\nallow = [\"{ALICE}\"]\nsession = true\n",
        live.echo.addr
    ));
    let jar = live.kdc.dir.join("cookies.txt");
    let jar_s = jar.to_str().unwrap();

    let first = live.curl(&proxy, API, Some(&live.alice), "/session/a", &["-c", jar_s]);
    assert_eq!(first.status, 200, "{}", first.body);
    let cookie = first.header("set-cookie").unwrap_or("");
    assert!(cookie.starts_with("krb_proxy_session="), "{cookie:?}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");

    // The cookie alone, no Kerberos: alice at the upstream, and the cookie is not passed on.
    let second = live.curl(&proxy, API, None, "/session/b", &["-b", jar_s]);
    assert_eq!(second.status, 200, "{}", second.body);
    let seen = second.upstream();
    assert_eq!(seen["x-remote-user"], serde_json::json!([ALICE]), "{seen}");
    assert!(seen.get("cookie").is_none(), "{seen}");
    // A route without sessions does not take it.
    let other = live.curl(&proxy, API, None, "/api/b", &["-b", jar_s]);
    assert_eq!(other.status, 401, "{}", other.body);

    let lines = proxy.access(3);
    let b = lines.iter().find(|l| l["path"] == "/session/b").unwrap();
    assert_eq!(b["auth"], "session", "{b}");
    assert_eq!(b["principal"], ALICE, "{b}");

    // Two URLs in one curl run share a connection; each request is authenticated (curl
    // treats Negotiate as connection-bound and answers the proxy's 401 with a new token).
    let results = live.curl_urls(&proxy, &live.alice, &["/api/one", "/api/two"], &[]);
    assert_eq!(results, ["200 1 1.1", "200 0 1.1"]);
    let lines = proxy.access(5);
    for path in ["/api/one", "/api/two"] {
        let l = lines
            .iter()
            .find(|l| l["path"] == path && l["status"] == 200)
            .unwrap_or_else(|| panic!("{lines:?}"));
        assert_eq!(l["principal"], ALICE, "{l}");
    }
}

fn options_mutual() -> InitiatorOptions {
    InitiatorOptions {
        mutual: true,
        ..Default::default()
    }
}

/// A client clock an hour ahead.
fn ahead() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

/// On clock skew the answer's token should be a KRB-ERROR (KRB_AP_ERR_SKEW with the server's
/// time, RFC 4120 3.2.3 and 5.9.1) that the client reads: MIT's acceptor replies with one for
/// skew (and, with mutual authentication requested as here, for its other refusals), so the
/// client learns why and can correct its clock offset.
#[test]
fn clock_skew_answer_carries_a_krb_error() {
    let live = Live::start();
    let proxy = live.proxy("");
    let ticket = live.service_ticket("HTTP/api.example.test@EXAMPLE.TEST");
    let (token, ctx) = initiate(&ticket, &options_mutual(), ahead()).unwrap();
    let r = live.send(
        &proxy,
        "/api/skew",
        &[(
            "authorization",
            &format!("Negotiate {}", STANDARD.encode(&token)),
        )],
    );
    assert_eq!(r.status, 401, "{}", r.body);
    let header = r.headers.get("www-authenticate").unwrap().to_str().unwrap();
    let error = header
        .strip_prefix("Negotiate ")
        .unwrap_or_else(|| panic!("no token in the 401's challenge: {header:?}"));
    let error = STANDARD.decode(error).unwrap();
    match ctx.verify_ap_rep(&error) {
        Err(InitiatorError::AcceptorError { code, .. }) => {
            assert_eq!(code.name(), "KRB_AP_ERR_SKEW");
        }
        other => panic!("expected the acceptor's KRB_AP_ERR_SKEW, got {other:?}"),
    }
}
