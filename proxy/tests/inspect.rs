//! `krb-proxy inspect` run as a binary on the real tokens of testdata/ and on broken ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(name)
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_krb-proxy"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn json(output: &Output) -> Value {
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn windows_ad_tokens_from_files() {
    for (file, etype) in [
        ("aes128-kerberos-data", 17),
        ("aes256-kerberos-data", 18),
        ("rc4-kerberos-data", 23),
    ] {
        let path = testdata(&format!("windows-ad/{file}"));
        let out = run(&["inspect", "--json", path.to_str().unwrap()], None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&out);
        assert_eq!(v["mech"], "krb5");
        assert_eq!(v["service"], "HTTP/server.test.domain.com@DOMAIN.COM");
        assert_eq!(v["realm"], "DOMAIN.COM");
        assert_eq!(v["etype"], etype);
        assert!(v["kvno"].is_u64());
        assert_eq!(v["mutual_requested"], true);
        assert_eq!(v["ap_options"], serde_json::json!(["mutual-required"]));
    }
}

#[test]
fn mit_spnego_token_as_base64_argument_with_negotiate_prefix() {
    let bytes = std::fs::read(testdata("mit/spnego-api.ap-req.bin")).unwrap();
    let arg = format!("  Negotiate {}\n", STANDARD.encode(&bytes));
    let out = run(&["inspect", "--json", &arg], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["mech"], "spnego");
    assert_eq!(v["service"], "HTTP/api.example.test@EXAMPLE.TEST");
    assert_eq!(v["realm"], "EXAMPLE.TEST");
    assert_eq!(v["etype"], 18);
    assert_eq!(v["kvno"], 1);
    assert_eq!(v["mutual_requested"], false);
    assert_eq!(v["spnego_mechs"][0], "1.2.840.113554.1.2.2 (krb5)");
}

#[test]
fn stdin_and_readable_output() {
    let bytes = std::fs::read(testdata("mit/krb5-aes128.ap-req.bin")).unwrap();
    let text = format!("Negotiate {}", STANDARD.encode(&bytes));
    let out = run(&["inspect", "-"], Some(text.as_bytes()));
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("mech: krb5\n"), "{stdout}");
    assert!(stdout.contains("service: HTTP/aes128.example.test@EXAMPLE.TEST\n"));
    assert!(stdout.contains("etype: 17\n"));
    assert!(stdout.contains("etype_name: aes128-cts-hmac-sha1-96\n"));
    assert!(stdout.contains("mutual_requested: true\n"));
    // Raw bytes on stdin work too.
    let out = run(&["inspect", "--json", "-"], Some(&bytes));
    assert_eq!(json(&out)["etype"], 17);
}

#[test]
fn corrupt_token_prints_the_offset_and_fails() {
    let mut bytes = std::fs::read(testdata("windows-ad/aes256-kerberos-data")).unwrap();
    bytes[31] = 0x80; // the length byte of the AP-REQ msg-type [1]: indefinite length
    let arg = STANDARD.encode(&bytes);
    let out = run(&["inspect", &arg], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("at byte 31:"), "{stderr}");
    let out = run(&["inspect", "--json", &arg], None);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["error_kind"], "malformed");
    assert_eq!(v["offset"], 31);
    // Truncated.
    let out = run(&["inspect", &STANDARD.encode(&bytes[..100])], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated token?"));
}

#[test]
fn ntlm_and_bad_input() {
    let ntlm = STANDARD.encode(b"NTLMSSP\0\x01\x00\x00\x00\x07\x82\x08\xa2");
    let out = run(&["inspect", &format!("Negotiate {ntlm}")], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .contains("NTLM is not supported: the client has no Kerberos ticket for this service"),
        "{stderr}"
    );
    let out = run(&["inspect", "not base64 !"], None);
    assert_eq!(out.status.code(), Some(1));
    // Bad usage.
    assert_eq!(run(&["inspect"], None).status.code(), Some(2));
    assert_eq!(
        run(&["inspect", "--bogus", "x"], None).status.code(),
        Some(2)
    );
}

#[test]
fn spnego_offering_krb5_second_shows_the_response_to_send() {
    use krb_core::Oid;
    use krb_core::spnego::{NegState, NegTokenInit, NegTokenResp};
    let token = NegTokenInit {
        mech_types: vec![Oid::NTLMSSP, Oid::KRB5_MS],
        mech_types_der: &[],
        req_flags: None,
        mech_token: Some(b"NTLMSSP\0\x01\x00\x00\x00"),
        neg_hints: None,
        mech_list_mic: None,
    }
    .encode();
    let out = run(&["inspect", "--json", &STANDARD.encode(&token)], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["mech"], "spnego");
    assert!(v["service"].is_null());
    assert_eq!(v["spnego_krb5_index"], 1);
    let response = STANDARD
        .decode(v["response_token"].as_str().unwrap())
        .unwrap();
    let resp = NegTokenResp::decode(&response).unwrap();
    assert_eq!(resp.neg_state, Some(NegState::RequestMic));
    assert_eq!(resp.supported_mech, Some(Oid::KRB5_MS));
}
