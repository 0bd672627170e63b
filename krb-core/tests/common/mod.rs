//! Test fixtures shared by the integration tests: the Windows AD tokens and the MIT tokens
//! with their manifest (testdata/*/README.md says where each came from).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

/// The repository's testdata directory.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// A token file and what is known about it.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// File name relative to testdata/.
    pub name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// "ap-req", "ap-rep" or "neg-token-resp".
    pub kind: String,
    /// "gss-krb5", "spnego-neg-token-init" or "spnego-neg-token-resp".
    pub wrapping: String,
    /// The manifest entry (MIT tokens only).
    pub manifest: Option<serde_json::Value>,
}

/// The three Windows AD tokens: raw GSS krb5 tokens holding an AP-REQ.
pub fn windows_ad() -> Vec<Fixture> {
    ["aes128", "aes256", "rc4"]
        .iter()
        .map(|e| {
            let name = format!("windows-ad/{e}-kerberos-data");
            Fixture {
                bytes: std::fs::read(testdata().join(&name)).unwrap(),
                name,
                kind: "ap-req".into(),
                wrapping: "gss-krb5".into(),
                manifest: None,
            }
        })
        .collect()
}

/// Every MIT token listed in testdata/mit/manifest.json.
pub fn mit() -> Vec<Fixture> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(testdata().join("mit/manifest.json")).unwrap())
            .unwrap();
    manifest["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let name = format!("mit/{}", t["file"].as_str().unwrap());
            Fixture {
                bytes: std::fs::read(testdata().join(&name)).unwrap(),
                name,
                kind: t["kind"].as_str().unwrap().into(),
                wrapping: t["wrapping"].as_str().unwrap().into(),
                manifest: Some(t.clone()),
            }
        })
        .collect()
}

/// Every fixture.
pub fn all() -> Vec<Fixture> {
    let mut v = windows_ad();
    v.extend(mit());
    v
}

/// Every fixture that holds an AP-REQ.
pub fn ap_reqs() -> Vec<Fixture> {
    all().into_iter().filter(|f| f.kind == "ap-req").collect()
}

/// The offsets of every DER length byte in `bytes`, found by walking its TLVs, descending
/// into constructed elements, into OCTET STRINGs that hold DER, and past the 2-byte TOK_ID
/// of a GSS-API krb5 token.
pub fn length_byte_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    walk(bytes, 0, &mut out);
    out
}

/// Walks the TLVs of `data` (at `base`); returns false if they do not parse cleanly.
fn walk(data: &[u8], base: usize, out: &mut Vec<usize>) -> bool {
    let mut pos = 0;
    let mut prev_oid = false;
    let mark = out.len();
    while pos < data.len() {
        if prev_oid && data.len() >= pos + 2 && matches!(&data[pos..pos + 2], [1..=3, 0]) {
            pos += 2;
        }
        let Some(&tag) = data.get(pos) else { break };
        let Some(&l0) = data.get(pos + 1) else {
            out.truncate(mark);
            return false;
        };
        let (len, hdr) = if l0 < 0x80 {
            (usize::from(l0), 2)
        } else {
            let n = usize::from(l0 & 0x7f);
            if n == 0 || n > 4 || pos + 2 + n > data.len() {
                out.truncate(mark);
                return false;
            }
            let len = data[pos + 2..pos + 2 + n]
                .iter()
                .fold(0usize, |a, &b| (a << 8) | usize::from(b));
            (len, 2 + n)
        };
        if pos + hdr + len > data.len() {
            out.truncate(mark);
            return false;
        }
        for i in 1..hdr {
            out.push(base + pos + i);
        }
        let content = &data[pos + hdr..pos + hdr + len];
        // Constructed elements, and OCTET STRINGs that may hold DER.
        if tag & 0x20 != 0 || (tag == 0x04 && !content.is_empty()) {
            walk(content, base + pos + hdr, out);
        }
        prev_oid = tag == 0x06;
        pos += hdr + len;
    }
    true
}

// --- The MIT manifest's keys and tokens, for the acceptor tests. ---

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use krb_core::acceptor::ServiceKeys;
use krb_core::crypto::{Etype, Key};
use krb_core::principal::Principal;
use serde_json::Value;

pub fn mit_dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/mit/").to_owned()
}

pub fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{}manifest.json", mit_dir())).unwrap())
        .unwrap()
}

pub fn read(file: &str) -> Vec<u8> {
    std::fs::read(format!("{}{file}", mit_dir())).unwrap()
}

pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn at(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap())
}

/// Every key of every keytab the manifest lists (the keys MIT's KDC made), as the acceptor's
/// key set. rc4 keys only when the feature is on.
pub fn mit_keys() -> ServiceKeys {
    let m = manifest();
    let mut keys = ServiceKeys::new();
    for kt in m["keytabs"].as_array().unwrap() {
        for e in kt["entries"].as_array().unwrap() {
            let etype =
                Etype::from_number(i32::try_from(e["etype"].as_i64().unwrap()).unwrap()).unwrap();
            if !etype.is_supported() {
                continue;
            }
            let p = Principal::parse(e["principal"].as_str().unwrap(), None).unwrap();
            let kvno = u32::try_from(e["kvno"].as_u64().unwrap()).unwrap();
            let key = Key::new(etype, &hex(e["key_hex"].as_str().unwrap())).unwrap();
            if keys
                .iter()
                .any(|k| k.principal.same_name(&p) && k.kvno == kvno && k.key.etype() == etype)
            {
                continue;
            }
            keys.add(p, kvno, key);
        }
    }
    keys
}

/// The AP-REQ tokens of the manifest.
pub fn ap_req_tokens() -> Vec<Value> {
    manifest()["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "ap-req")
        .cloned()
        .collect()
}

/// Decrypts with an aes-cts-hmac-sha1-96 key (the enctype from the key's length) and a key
/// usage, for the tests that read real plaintexts.
pub fn decrypt(base_key: &[u8], usage: u32, cipher: &[u8]) -> Option<Vec<u8>> {
    let etype = match base_key.len() {
        16 => Etype::Aes128CtsHmacSha196,
        32 => Etype::Aes256CtsHmacSha196,
        _ => return None,
    };
    Key::new(etype, base_key)
        .ok()?
        .decrypt(krb_core::crypto::KeyUsage(usage), cipher)
        .ok()
}
