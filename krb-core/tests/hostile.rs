//! The hostile-input suite (RFC 4120 §3.2.3, RFC 4121 §4.1, RFC 4178 §5, X.690 DER): every
//! case in `testdata/hostile/` goes through the acceptor with the fixed key and the fixed time of
//! its index entry, and must be refused with the indexed error kind, label and Kerberos code,
//! never a panic. Replay cases send a valid token, which must be accepted, then the replayed one.
//!
//! The cases are made by `testdata/hostile/cases.rs`; to make the files again:
//!
//! ```text
//! cargo test -p krb-core --test hostile -- --ignored regenerate_hostile_cases
//! ```
//!
//! and `committed_files_match_the_generator` fails until they are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../../testdata/hostile/cases.rs"]
mod cases;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cases::{Case, Input, NOW};
use krb_core::acceptor::{AcceptError, Acceptor};
use serde_json::{Value, json};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/hostile")
}

fn at(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap())
}

fn acceptor() -> Acceptor {
    Acceptor::new(cases::service_keys(), cases::policy())
}

/// The `AcceptErrorKind` variant's name, from its `Debug` form.
fn kind_name(e: &AcceptError) -> String {
    format!("{:?}", e.kind())
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

/// The files of a case, and its index entry.
fn files_and_entry(case: &Case) -> (Vec<(String, Vec<u8>)>, Value) {
    let (files, header): (Vec<(String, Vec<u8>)>, Option<&str>) = match &case.input {
        Input::Token(t) => (vec![(format!("tokens/{}.bin", case.name), t.clone())], None),
        Input::Replay { first, second } => (
            vec![
                (format!("tokens/{}.first.bin", case.name), first.clone()),
                (format!("tokens/{}.bin", case.name), second.clone()),
            ],
            None,
        ),
        Input::Header(h) => (Vec::new(), Some(h.as_str())),
    };
    let e = &case.expect;
    let mut entry = json!({
        "name": case.name,
        "description": case.description,
        "now": NOW,
        "kind": e.kind,
        "label": e.label,
        "krb_error": e.code,
        "message_contains": e.says,
        "http_status": e.status,
    });
    let obj = entry.as_object_mut().unwrap();
    match (&case.input, header) {
        (_, Some(h)) if h.len() > 200 => {
            obj.insert(
                "header".into(),
                json!(format!("{}... ({} bytes)", &h[..40], h.len())),
            );
        }
        (_, Some(h)) => {
            obj.insert("header".into(), json!(h));
        }
        (Input::Replay { .. }, _) => {
            obj.insert("first".into(), json!(files[0].0));
            obj.insert("file".into(), json!(files[1].0));
            obj.insert("send".into(), json!("first, then file"));
        }
        _ => {
            obj.insert("file".into(), json!(files[0].0));
        }
    }
    (files, entry)
}

fn generated() -> (Vec<(String, Vec<u8>)>, Value) {
    let mut files = Vec::new();
    let mut entries = Vec::new();
    for case in cases::cases(NOW) {
        let (f, entry) = files_and_entry(&case);
        files.extend(f);
        entries.push(entry);
    }
    for (name, bytes) in cases::fuzz_seeds(NOW) {
        files.push((format!("fuzz-seeds/{name}"), bytes));
    }
    let index = json!({
        "service": cases::SERVICE,
        "kvno": cases::KVNO,
        "etype": "aes256-cts-hmac-sha1-96",
        "service_key_ascii": String::from_utf8(cases::SERVICE_KEY.to_vec()).unwrap(),
        "session_key_ascii": String::from_utf8(cases::SESSION_KEY.to_vec()).unwrap(),
        "host_aliases": [[cases::ALIAS, "api.example.test"]],
        "clock_skew_seconds": 300,
        "cases": entries,
    });
    (files, index)
}

#[test]
#[ignore = "writes testdata/hostile/; run it to make the files again"]
fn regenerate_hostile_cases() {
    let (files, index) = generated();
    let root = dir();
    for sub in ["tokens", "fuzz-seeds"] {
        let _ = std::fs::remove_dir_all(root.join(sub));
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    for (name, bytes) in files {
        std::fs::write(root.join(name), bytes).unwrap();
    }
    let mut text = serde_json::to_string_pretty(&index).unwrap();
    text.push('\n');
    std::fs::write(root.join("index.json"), text).unwrap();
}

#[test]
fn committed_files_match_the_generator() {
    let (files, index) = generated();
    let root = dir();
    for (name, bytes) in &files {
        let committed = std::fs::read(root.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}; run regenerate_hostile_cases"));
        assert!(
            committed == *bytes,
            "{name} differs from the generator; run regenerate_hostile_cases"
        );
    }
    let committed: Value =
        serde_json::from_slice(&std::fs::read(root.join("index.json")).unwrap()).unwrap();
    assert_eq!(committed, index, "index.json differs from the generator");
}

#[test]
fn there_are_enough_cases_and_every_class_is_covered() {
    let cases = cases::cases(NOW);
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    for prefix in [
        "truncated-",
        "length-",
        "length-indefinite",
        "length-non-minimal",
        "length-4-bytes",
        "length-8-bytes",
        "tag-",
        "nesting-bomb",
        "huge-",
        "time-",
        "pvno-",
        "msg-type-",
        "etype-unknown",
        "etype-rc4",
        "tamper-ticket",
        "tamper-authenticator",
        "wrong-key",
        "wrong-kvno",
        "expired",
        "not-yet-valid",
        "skew-",
        "replay",
        "replay-rewritten-sname",
        "crealm-mismatch",
        "cname-mismatch",
        "invalid-flag",
        "wrong-service",
        "ntlm-",
        "http-bad-base64",
        "http-oversized",
        "http-empty-token",
        "empty-token",
        "spnego-without-krb5",
        "spnego-wrong-mech-list-mic",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(prefix)),
            "no case {prefix}*"
        );
    }
}

#[test]
fn the_valid_token_and_the_fuzz_seeds_are_accepted() {
    let a = acceptor();
    let ok = a
        .accept(&cases::Spec::valid(NOW).token(), at(NOW), None)
        .unwrap();
    assert_eq!(ok.ticket.client.to_string(), "alice@EXAMPLE.TEST");
    for (cusec, framing) in [
        (7, cases::Framing::Bare),
        (
            8,
            cases::Framing::Spnego {
                mechs: vec![cases::KRB5_OID.to_vec(), cases::NTLM_OID.to_vec()],
                with_token: true,
                mic: None,
            },
        ),
    ] {
        let mut s = cases::Spec::valid(NOW);
        s.framing = framing;
        s.cusec = cusec;
        a.accept(&s.token(), at(NOW), None).unwrap();
    }
    // The known-key seeds, put together as `fuzz/fuzz_targets/acceptor_known_key.rs` does.
    let mut seeds = 0;
    for (name, seed) in cases::fuzz_seeds(NOW) {
        if !name.starts_with("known-key-") {
            continue;
        }
        let selector = seed[0];
        let len = usize::from(u16::from_be_bytes([seed[1], seed[2]]));
        let (ticket_plain, auth_plain) = seed[3..].split_at(len);
        let mut s = cases::Spec::valid(NOW);
        s.ap_options = if selector & 4 != 0 { 1 << 29 } else { 0 };
        s.framing = match selector % 4 {
            0 => cases::Framing::Bare,
            1 => s.framing.clone(),
            _ => cases::Framing::Spnego {
                mechs: vec![cases::KRB5_OID.to_vec()],
                with_token: true,
                mic: None,
            },
        };
        let ticket = cases::key(&cases::SERVICE_KEY)
            .encrypt(krb_core::crypto::KeyUsage::TICKET, ticket_plain)
            .unwrap();
        let auth = cases::key(&cases::SESSION_KEY)
            .encrypt(krb_core::crypto::KeyUsage::AP_REQ_AUTHENTICATOR, auth_plain)
            .unwrap();
        let token = cases::frame(&s.framing, &s.ap_req_around(&ticket, &auth));
        let ok = acceptor()
            .accept(&token, at(NOW), None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ok.mutual, selector & 4 != 0, "{name}");
        seeds += 1;
    }
    assert_eq!(seeds, 4);
}

/// Runs one indexed case from its files through a fresh acceptor.
fn run(entry: &Value) -> Option<AcceptError> {
    let name = entry["name"].as_str().unwrap();
    let Some(file) = entry["file"].as_str() else {
        // HTTP-level cases: header strings that the proxy test sends.
        assert!(entry["header"].is_string(), "{name}: no file and no header");
        return None;
    };
    let now = at(entry["now"].as_i64().unwrap());
    let a = acceptor();
    if let Some(first) = entry["first"].as_str() {
        let first = std::fs::read(dir().join(first)).unwrap();
        if let Err(e) = a.accept(&first, now, None) {
            panic!("{name}: the first send must be accepted: {e}");
        }
    }
    let token = std::fs::read(dir().join(file)).unwrap();
    match a.accept(&token, now, None) {
        Ok(_) => panic!("{name}: accepted"),
        Err(e) => Some(e),
    }
}

#[test]
fn every_case_is_refused_with_its_indexed_error() {
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir().join("index.json")).unwrap()).unwrap();
    let entries = index["cases"].as_array().unwrap();
    assert!(entries.len() >= 60);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for entry in entries {
        let name = entry["name"].as_str().unwrap();
        let Some(e) = run(entry) else {
            continue;
        };
        checked += 1;
        let code = entry["krb_error"].as_str().unwrap_or("KRB_ERR_GENERIC");
        let says = entry["message_contains"].as_str().unwrap();
        let got = (kind_name(&e), e.label(), e.code().name());
        let want = (
            entry["kind"].as_str().unwrap(),
            entry["label"].as_str().unwrap(),
            code,
        );
        if (got.0.as_str(), got.1, got.2) != want || !e.to_string().contains(says) {
            wrong.push(format!(
                "{name}: got {got:?}, want {want:?} and a message with {says:?}: {e}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cases differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked >= 60, "{checked} token cases");
}

// ---- regressions: every input a fuzz target stopped on ----

/// `testdata/hostile/regressions/`: the inputs on which the `differential` fuzz target found an
/// unclassified disagreement with rasn-kerberos. Each is a DER violation that rasn accepts and
/// we refuse (so the target's classes were incomplete, not our decoder): we must keep refusing
/// it with the error that names the rule, and rasn must still accept it (else the class in
/// fuzz/DIFFERENTIAL.md is stale).
#[test]
fn differential_findings_stay_refused() {
    use krb_core::DerErrorKind;
    use krb_core::messages::{ApReq, Authenticator};
    let read = |name: &str| std::fs::read(dir().join("regressions").join(name)).unwrap();

    // An AP-REQ whose Ticket tkt-vno [0] is marked primitive (80 03 ...), behind a GSS-API header.
    let token = read("differential-explicit-tag-primitive.bin");
    let ap_req = &token[17..];
    let e = ApReq::decode(ap_req).unwrap_err();
    assert!(
        matches!(e.kind, DerErrorKind::UnexpectedTag { found, .. } if !found.constructed),
        "{e}"
    );
    assert!(rasn::der::decode::<rasn_kerberos::ApReq>(ap_req).is_ok());
    assert!(acceptor().accept(&token, at(NOW), None).is_err());

    // Authenticators: an OPTIONAL [7] seq-number marked primitive (87 06 ...), a [3] cksum
    // marked primitive before the required [4], and a constructed INTEGER cusec (22 03 ...).
    for (name, what) in [
        (
            "differential-optional-explicit-tag-primitive.bin",
            "trailing",
        ),
        (
            "differential-optional-tag-primitive-before-required.bin",
            "primitive",
        ),
        ("differential-constructed-integer.bin", "constructed"),
    ] {
        let bytes = read(name);
        let e = Authenticator::decode(&bytes).unwrap_err();
        let ok = match &e.kind {
            DerErrorKind::TrailingData { .. } => what == "trailing",
            DerErrorKind::UnexpectedTag {
                expected, found, ..
            } => match what {
                "primitive" => !found.constructed && expected.constructed,
                _ => found.constructed && !expected.constructed,
            },
            _ => false,
        };
        assert!(ok, "{name}: {e}");
        assert!(
            rasn::der::decode::<rasn_kerberos::Authenticator>(&bytes).is_ok(),
            "{name}"
        );
    }
}
