//! Live interop with a real MIT Kerberos KDC and MIT's GSS-API library (RFC 4120, RFC 4121,
//! RFC 4178), both ways:
//!
//! - our initiator (`krb-proxy token` and `krb_core::initiator`) → our acceptor;
//! - MIT's initiator (`gss-tool init`) → our acceptor;
//! - our acceptor's AP-REP → MIT's `gss_init_sec_context` (mutual authentication completes);
//! - our initiator → MIT's `gss_accept_sec_context`, and MIT's AP-REP → our `verify_ap_rep`.
//!
//! Each test starts its own KDC (`scripts/mit-kdc.sh`, through the harness in
//! tests/common/kdc.rs) in a fresh temporary directory, makes alice and HTTP/api.example.test,
//! exports the service keytab, runs `kinit alice` and `kvno HTTP/api.example.test`, and stops the
//! KDC when done (its directory is removed). `gss-tool` is built once per run from
//! testdata/mit/gss-tool.c into Cargo's test temporary directory. Without MIT Kerberos the tests
//! fail (they never pass silently): run scripts/install-deps.sh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/kdc.rs"]
mod kdc;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kdc::{Kdc, check, path_env, repo};
use krb_core::acceptor::{AcceptErrorKind, Accepted, Acceptor, Mechanism, Policy};
use krb_core::ccache::Ccache;
use krb_core::initiator::{InitiatorOptions, ServiceTicket, TokenFormat, initiate};
use krb_core::principal::Principal;

const SPN: &str = "HTTP/api.example.test@EXAMPLE.TEST";
/// The services with a single enctype (and session enctype), besides HTTP/api.
const SINGLE_ETYPE_SERVICES: [(&str, &str); 3] = [
    ("aes128", "aes128-cts-hmac-sha1-96"),
    ("sha256", "aes128-cts-hmac-sha256-128"),
    ("sha384", "aes256-cts-hmac-sha384-192"),
];

/// Every service the realm has tickets for: HTTP/api (aes256-cts-hmac-sha1-96) and one per
/// other AES enctype.
fn services() -> Vec<String> {
    let mut v = vec![SPN.to_owned()];
    v.extend(
        SINGLE_ETYPE_SERVICES
            .iter()
            .map(|(host, _)| format!("HTTP/{host}.example.test@EXAMPLE.TEST")),
    );
    v
}

const CB: &str = "tls-server-end-point:krb-proxy-interop-binding";

/// The MIT tools this file needs: the KDC's, and a C compiler with krb5-config for gss-tool.
fn require_mit() {
    kdc::require_mit();
    kdc::require(&["krb5-config", "cc"]);
}

/// gss-tool, built once per test run into Cargo's temporary directory for tests (built under
/// a private name, then renamed into place, so parallel runs never see half a file).
fn gss_tool() -> &'static Path {
    static TOOL: OnceLock<PathBuf> = OnceLock::new();
    TOOL.get_or_init(|| {
        require_mit();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let exe = dir.join("gss-tool");
        let building = dir.join(format!("gss-tool.{}", std::process::id()));
        let src = repo().join("testdata/mit/gss-tool.c");
        let out = Command::new("sh")
            .arg("-c")
            .arg(r#"cc -O2 -o "$1" "$2" $(krb5-config --cflags --libs gssapi)"#)
            .args(["sh", building.to_str().unwrap(), src.to_str().unwrap()])
            .env("PATH", path_env())
            .output()
            .unwrap();
        check(&out, "building gss-tool");
        std::fs::rename(&building, &exe).unwrap();
        exe
    })
}

/// A running KDC for EXAMPLE.TEST with alice's tickets and the service keytab; stopped (and
/// its directory removed) on drop.
struct Realm {
    kdc: Kdc,
}

impl std::ops::Deref for Realm {
    type Target = Kdc;
    fn deref(&self) -> &Kdc {
        &self.kdc
    }
}

impl Realm {
    fn start() -> Realm {
        require_mit();
        let realm = Realm { kdc: Kdc::start() };
        // alice; HTTP/api with every AES enctype (its tickets are aes256-cts-hmac-sha1-96);
        // one service per other AES enctype, its session keys of that enctype too.
        let mut script = String::from(
            "set -e\nkadmin.local <<EOF\naddprinc -pw alice-password alice\n\
             addprinc -randkey HTTP/api.example.test\n",
        );
        for (host, etype) in SINGLE_ETYPE_SERVICES {
            script.push_str(&format!(
                "addprinc -randkey -e {etype}:normal HTTP/{host}.example.test\n\
                 setstr HTTP/{host}.example.test session_enctypes {etype}\n"
            ));
        }
        script.push_str("ktadd -norandkey -k $KDC_DIR/service.keytab");
        for spn in services() {
            script.push(' ');
            script.push_str(&spn);
        }
        script.push_str("\nEOF\necho alice-password | kinit alice\nkvno");
        for spn in services() {
            script.push(' ');
            script.push_str(&spn);
        }
        script.push('\n');
        realm.sh(&script, "making the principals, kinit alice and kvno");
        realm
    }

    /// Our acceptor, with the keys of the exported keytab.
    fn acceptor(&self) -> Acceptor {
        let keytab = krb_keytab::Keytab::read_file(self.keytab()).unwrap();
        let keys = keytab.service_keys();
        for spn in services() {
            let p = Principal::parse(&spn, None).unwrap();
            assert!(
                keys.iter().any(|k| k.principal.same_name(&p)),
                "no key for {spn} in the exported keytab"
            );
        }
        Acceptor::new(keys, Policy::default())
    }

    fn service_ticket(&self, spn: &str) -> ServiceTicket {
        let ccache = Ccache::parse(&std::fs::read(self.ccache()).unwrap()).unwrap();
        let spn = Principal::parse(spn, None).unwrap();
        ServiceTicket::from_ccache(&ccache, &spn).unwrap()
    }

    /// Runs gss-tool; its output, checked for success.
    fn gss_tool(&self, args: &[&str]) -> Output {
        let out = self.cmd(gss_tool()).args(args).output().unwrap();
        check(&out, &format!("gss-tool {}", args.join(" ")));
        out
    }
}

fn assert_alice(ok: &Accepted, spn: &str) {
    assert_eq!(ok.ticket.client.to_string(), "alice@EXAMPLE.TEST");
    assert_eq!(ok.ticket.service.to_string(), spn);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// (a) Our initiator, from the live ccache, through the CLI and the library, to our acceptor;
/// and the same token twice is a replay.
#[test]
fn our_initiator_to_our_acceptor_on_a_live_ticket() {
    let realm = Realm::start();
    let acceptor = realm.acceptor();
    let ccache = realm.ccache();

    // The CLI: SPN without realm (the cache's realm), each framing, mutual.
    for (flag, mechanism) in [
        (None, Mechanism::Spnego),
        (Some("--spnego"), Mechanism::Spnego),
        (Some("--krb5"), Mechanism::Krb5),
        (Some("--ap-req"), Mechanism::BareApReq),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_krb-proxy"));
        cmd.args(["token", "--ccache"]).arg(&ccache).args([
            "--spn",
            "HTTP/api.example.test",
            "--mutual",
        ]);
        cmd.args(flag);
        let out = cmd.output().unwrap();
        check(&out, &format!("krb-proxy token {flag:?}"));
        let line = String::from_utf8(out.stdout).unwrap();
        assert_eq!(line.lines().count(), 1, "{line}");
        let token = STANDARD.decode(line.trim_end()).unwrap();
        let ok = acceptor.accept(&token, SystemTime::now(), None).unwrap();
        assert_alice(&ok, SPN);
        assert_eq!(ok.mechanism, mechanism);
        assert!(ok.mutual);
        assert!(ok.response_token.is_some());
        // The same token again is a replay.
        let e = acceptor
            .accept(&token, SystemTime::now(), None)
            .unwrap_err();
        assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e}");
    }

    // The CLI with channel bindings: accepted with the same bindings only (two tokens: the
    // acceptor's replay cache takes in a token before it checks the bindings).
    let cb_token = || {
        let out = Command::new(env!("CARGO_BIN_EXE_krb-proxy"))
            .args(["token", "--ccache"])
            .arg(&ccache)
            .args([
                "--spn",
                "HTTP/api.example.test@EXAMPLE.TEST",
                "--channel-bindings",
                CB,
            ])
            .output()
            .unwrap();
        check(&out, "krb-proxy token --channel-bindings");
        STANDARD
            .decode(String::from_utf8(out.stdout).unwrap().trim_end())
            .unwrap()
    };
    let e = acceptor
        .accept(&cb_token(), SystemTime::now(), Some(b"other"))
        .unwrap_err();
    assert!(
        matches!(e.kind(), AcceptErrorKind::ChannelBindingsMismatch),
        "{e}"
    );
    let ok = acceptor
        .accept(&cb_token(), SystemTime::now(), Some(CB.as_bytes()))
        .unwrap();
    assert!(!ok.mutual);

    // The CLI without a ticket for the SPN says what to do.
    let out = Command::new(env!("CARGO_BIN_EXE_krb-proxy"))
        .args(["token", "--ccache"])
        .arg(&ccache)
        .args(["--spn", "HTTP/nothere.example.test"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kvno HTTP/nothere.example.test@EXAMPLE.TEST"),
        "{err}"
    );
    assert!(err.contains(SPN), "{err}");

    // The CLI takes the cache from KRB5CCNAME when --ccache is not given.
    let out = realm
        .cmd(env!("CARGO_BIN_EXE_krb-proxy"))
        .args(["token", "--spn", "HTTP/sha384.example.test", "--krb5"])
        .output()
        .unwrap();
    check(&out, "krb-proxy token with KRB5CCNAME");
    let token = STANDARD
        .decode(String::from_utf8(out.stdout).unwrap().trim_end())
        .unwrap();
    let ok = acceptor.accept(&token, SystemTime::now(), None).unwrap();
    assert_alice(&ok, "HTTP/sha384.example.test@EXAMPLE.TEST");

    // The library: every service (every AES enctype), every framing, mutual, and the AP-REP
    // verifies.
    let mut etypes = Vec::new();
    for spn in services() {
        let ticket = realm.service_ticket(&spn);
        etypes.push(ticket.session_key().etype().number());
        for format in [
            TokenFormat::Krb5,
            TokenFormat::Spnego,
            TokenFormat::BareApReq,
        ] {
            let options = InitiatorOptions {
                format,
                mutual: true,
                ..Default::default()
            };
            let (token, ctx) = initiate(&ticket, &options, SystemTime::now()).unwrap();
            let ok = acceptor.accept(&token, SystemTime::now(), None).unwrap();
            assert_alice(&ok, &spn);
            assert_eq!(ok.session_key.etype(), ticket.session_key().etype());
            ctx.verify_ap_rep(ok.response_token.as_deref().unwrap())
                .unwrap();
            let e = acceptor
                .accept(&token, SystemTime::now(), None)
                .unwrap_err();
            assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e}");
        }
    }
    // The realm gave session keys of the four AES enctypes.
    etypes.sort_unstable();
    assert_eq!(etypes, [17, 18, 19, 20]);
}

/// (b) MIT's initiator to our acceptor: every service (every AES enctype), krb5 and SPNEGO,
/// with and without mutual and channel bindings.
#[test]
fn mit_initiator_to_our_acceptor() {
    let realm = Realm::start();
    let acceptor = realm.acceptor();
    for (i, spn) in services().iter().enumerate() {
        for mech in ["krb5", "spnego"] {
            for mutual in [false, true] {
                for cb in [None, Some(CB)] {
                    let file = realm
                        .dir
                        .join(format!("mit-{i}-{mech}-{mutual}-{}.bin", cb.is_some()));
                    let mut args =
                        vec!["init", "-t", spn, "-m", mech, "-o", file.to_str().unwrap()];
                    if mutual {
                        args.push("-M");
                    }
                    if let Some(cb) = cb {
                        args.extend(["-b", cb]);
                    }
                    realm.gss_tool(&args);
                    let token = std::fs::read(&file).unwrap();
                    let what = format!("{spn} {mech} mutual={mutual} cb={cb:?}");
                    let ok = acceptor
                        .accept(&token, SystemTime::now(), cb.map(str::as_bytes))
                        .unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_alice(&ok, spn);
                    assert_eq!(ok.mutual, mutual, "{what}");
                    let mechanism = if mech == "krb5" {
                        Mechanism::Krb5
                    } else {
                        Mechanism::Spnego
                    };
                    assert_eq!(ok.mechanism, mechanism, "{what}");
                    assert!(ok.subkey.is_some(), "{what}");
                    assert_eq!(ok.response_token.is_some(), mutual || mech == "spnego");
                }
            }
        }
    }
}

/// Waits for `path` to exist, up to 30 s.
fn wait_for(path: &Path, child: &mut std::process::Child) {
    let start = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("gss-tool init-wait ended ({status}) before writing its token");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no token from gss-tool init-wait in 30 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// (c) Our AP-REP completes MIT's gss_init_sec_context with mutual authentication.
#[test]
fn our_ap_rep_completes_mit_initiator() {
    let realm = Realm::start();
    let acceptor = realm.acceptor();
    for (i, spn) in services().iter().enumerate() {
        for (mech, cb) in [
            ("krb5", None),
            ("spnego", None),
            ("krb5", Some(CB)),
            ("spnego", Some(CB)),
        ] {
            let what = format!("{spn} {mech} cb={cb:?}");
            let out = realm
                .dir
                .join(format!("wait-{i}-{mech}-{}.bin", cb.is_some()));
            let reply = realm
                .dir
                .join(format!("reply-{i}-{mech}-{}.bin", cb.is_some()));
            let mut args = vec![
                "init-wait",
                "-t",
                spn,
                "-m",
                mech,
                "-M",
                "-o",
                out.to_str().unwrap(),
                "-r",
                reply.to_str().unwrap(),
            ];
            if let Some(cb) = cb {
                args.extend(["-b", cb]);
            }
            let mut child = realm
                .cmd(gss_tool())
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            wait_for(&out, &mut child);
            let token = std::fs::read(&out).unwrap();
            let ok = acceptor
                .accept(&token, SystemTime::now(), cb.map(str::as_bytes))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(ok.mutual, "{what}");
            let response = ok.response_token.unwrap();
            let tmp = reply.with_extension("tmp");
            std::fs::write(&tmp, &response).unwrap();
            std::fs::rename(&tmp, &reply).unwrap();
            let result = child.wait_with_output().unwrap();
            check(&result, &format!("gss-tool init-wait ({what})"));
            let facts = json(&result);
            assert_eq!(facts["result"], "complete", "{what}: {facts}");
            assert!(
                facts["initiator_flags"]
                    .as_array()
                    .unwrap()
                    .contains(&"mutual".into()),
                "{what}: {facts}"
            );
        }
    }

    // A tampered AP-REP does not complete MIT's context.
    let out = realm.dir.join("wait-bad.bin");
    let reply = realm.dir.join("reply-bad.bin");
    let mut child = realm
        .cmd(gss_tool())
        .args(["init-wait", "-t", SPN, "-m", "krb5", "-M", "-o"])
        .arg(&out)
        .arg("-r")
        .arg(&reply)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&out, &mut child);
    let ok = acceptor
        .accept(&std::fs::read(&out).unwrap(), SystemTime::now(), None)
        .unwrap();
    let mut response = ok.response_token.unwrap();
    let last = response.len() - 1;
    response[last] ^= 1;
    let tmp = reply.with_extension("tmp");
    std::fs::write(&tmp, &response).unwrap();
    std::fs::rename(&tmp, &reply).unwrap();
    let result = child.wait_with_output().unwrap();
    assert!(
        !result.status.success(),
        "a tampered AP-REP completed MIT's context"
    );
}

/// (d) Our initiator to MIT's gss_accept_sec_context, and MIT's AP-REP verified by us: every
/// service (every AES enctype), krb5 and SPNEGO, with and without subkey and channel bindings.
#[test]
fn our_initiator_to_mit_acceptor_and_back() {
    let realm = Realm::start();
    let keytab = realm.keytab();
    for (i, spn) in services().iter().enumerate() {
        let ticket = realm.service_ticket(spn);
        for format in [TokenFormat::Krb5, TokenFormat::Spnego] {
            for subkey in [true, false] {
                for cb in [None, Some(CB)] {
                    let what = format!("{spn} {format:?} subkey={subkey} cb={cb:?}");
                    let options = InitiatorOptions {
                        format,
                        mutual: true,
                        subkey,
                        channel_bindings: cb.map(|c| c.as_bytes().to_vec()),
                        ..Default::default()
                    };
                    let (token, ctx) = initiate(&ticket, &options, SystemTime::now()).unwrap();
                    let tag = format!("{i}-{format:?}-{subkey}-{}", cb.is_some());
                    let input = realm.dir.join(format!("ours-{tag}.bin"));
                    let output = realm.dir.join(format!("mit-rep-{tag}.bin"));
                    std::fs::write(&input, &token).unwrap();
                    let mut args = vec![
                        "accept",
                        "-i",
                        input.to_str().unwrap(),
                        "-k",
                        keytab.to_str().unwrap(),
                        "-o",
                        output.to_str().unwrap(),
                    ];
                    if let Some(cb) = cb {
                        args.extend(["-b", cb]);
                    }
                    let facts = json(&realm.gss_tool(&args));
                    assert_eq!(facts["result"], "accepted", "{what}: {facts}");
                    assert_eq!(facts["client"], "alice@EXAMPLE.TEST", "{what}: {facts}");
                    let mech = if format == TokenFormat::Krb5 {
                        "krb5"
                    } else {
                        "spnego"
                    };
                    assert_eq!(facts["accepted_mech"], "krb5", "{what}: {facts}");
                    let flags = facts["acceptor_flags"].as_array().unwrap();
                    assert!(flags.contains(&"mutual".into()), "{what}: {facts}");
                    let rep = std::fs::read(&output).unwrap();
                    let est = ctx
                        .verify_ap_rep(&rep)
                        .unwrap_or_else(|e| panic!("{what} ({mech}): {e}"));
                    // MIT's acceptor answers with its own subkey and sequence number: the subkey
                    // we decrypted is the one MIT's context holds.
                    assert!(est.acceptor_seq_number.is_some(), "{what}");
                    let ours = est.acceptor_subkey.as_ref().map(|k| hex(k.as_bytes()));
                    let mits = facts["acceptor_context"]["acceptor_subkey"]["hex"].as_str();
                    assert!(ours.is_some(), "{what}: {facts}");
                    assert_eq!(ours.as_deref(), mits, "{what}");
                    // The AP-REP of another token does not verify against this context.
                    let (_, other) = initiate(&ticket, &options, SystemTime::now()).unwrap();
                    assert!(other.verify_ap_rep(&rep).is_err(), "{what}");
                }
            }
        }
    }

    // MIT refuses our token bound to other channel bindings: our Bnd is MIT's hash.
    let ticket = realm.service_ticket(SPN);
    let options = InitiatorOptions {
        format: TokenFormat::Krb5,
        channel_bindings: Some(CB.as_bytes().to_vec()),
        ..Default::default()
    };
    let (token, _) = initiate(&ticket, &options, SystemTime::now()).unwrap();
    let input = realm.dir.join("ours-cb-mismatch.bin");
    std::fs::write(&input, &token).unwrap();
    let out = realm
        .cmd(gss_tool())
        .args(["accept", "-i"])
        .arg(&input)
        .arg("-k")
        .arg(&keytab)
        .args(["-b", "tls-server-end-point:another"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "MIT accepted mismatched bindings");
}
