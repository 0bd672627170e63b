//! The keys a keytab yields decrypt real tickets: MIT's service keytab (testdata/mit, made by
//! kadmin.local against a real KDC) and the AP-REQs MIT's GSS-API initiator made for it. The
//! ticket's enc-part decrypts with the key found by principal, kvno and enctype, and holds the
//! session key the manifest records. After a key change, trial decryption over
//! `candidate_keys` finds the right key version.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::path::{Path, PathBuf};

use krb_core::crypto::KeyUsage;
use krb_keytab::{Etype, Keytab, LookupError, Principal};

fn mit(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/mit")
        .join(name)
}

/// One DER TLV: (tag, contents, rest).
fn tlv(b: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = b[0];
    let (len, hdr) = if b[1] < 0x80 {
        (b[1] as usize, 2)
    } else {
        let n = (b[1] & 0x7f) as usize;
        (
            b[2..2 + n].iter().fold(0usize, |a, &x| a << 8 | x as usize),
            2 + n,
        )
    };
    (tag, &b[hdr..hdr + len], &b[hdr + len..])
}

/// The field of a SEQUENCE's contents with context tag `[n]`.
fn field(seq: &[u8], n: u8) -> &[u8] {
    let mut rest = seq;
    while !rest.is_empty() {
        let (tag, inner, next) = tlv(rest);
        if tag == 0xa0 + n {
            return inner;
        }
        rest = next;
    }
    panic!("no field [{n}]");
}

fn int(der: &[u8]) -> i64 {
    let (tag, v, _) = tlv(der);
    assert_eq!(tag, 0x02);
    v.iter()
        .fold(if v[0] & 0x80 != 0 { -1 } else { 0 }, |a, &x| {
            a << 8 | i64::from(x)
        })
}

/// (etype, kvno, cipher) of the ticket in a raw krb5 GSS-API AP-REQ token (RFC 4121 4.1).
fn ticket_enc_part(token: &[u8]) -> (i32, u32, Vec<u8>) {
    let (tag, gss, _) = tlv(token);
    assert_eq!(tag, 0x60);
    let (oid_tag, _, rest) = tlv(gss);
    assert_eq!(oid_tag, 0x06);
    assert_eq!(&rest[..2], [1, 0]); // TOK_ID AP-REQ
    let (tag, ap_req, _) = tlv(&rest[2..]);
    assert_eq!(tag, 0x6e);
    let (_, ap_req, _) = tlv(ap_req);
    let (tag, ticket, _) = tlv(field(ap_req, 3));
    assert_eq!(tag, 0x61);
    let (_, ticket, _) = tlv(ticket);
    let (_, enc, _) = tlv(field(ticket, 3));
    let etype = int(field(enc, 0)) as i32;
    let kvno = int(field(enc, 1)) as u32;
    let (tag, cipher, _) = tlv(field(enc, 2));
    assert_eq!(tag, 0x04);
    (etype, kvno, cipher.to_vec())
}

struct Token {
    file: &'static str,
    service: &'static str,
}

const TOKENS: &[Token] = &[
    Token {
        file: "krb5-api.ap-req.bin",
        service: "HTTP/api.example.test@EXAMPLE.TEST",
    },
    Token {
        file: "krb5-aes128.ap-req.bin",
        service: "HTTP/aes128.example.test@EXAMPLE.TEST",
    },
    Token {
        file: "krb5-aes256.ap-req.bin",
        service: "HTTP/aes256.example.test@EXAMPLE.TEST",
    },
    Token {
        file: "krb5-sha256.ap-req.bin",
        service: "HTTP/sha256.example.test@EXAMPLE.TEST",
    },
    Token {
        file: "krb5-sha384.ap-req.bin",
        service: "HTTP/sha384.example.test@EXAMPLE.TEST",
    },
    Token {
        file: "krb5-rc4.ap-req.bin",
        service: "HTTP/rc4.example.test@EXAMPLE.TEST",
    },
    Token {
        file: "krb5-rotate-kvno1.ap-req.bin",
        service: "HTTP/rotate.example.test@EXAMPLE.TEST",
    },
    Token {
        file: "krb5-rotate-kvno2.ap-req.bin",
        service: "HTTP/rotate.example.test@EXAMPLE.TEST",
    },
];

/// The session key the manifest records for a token, in hex.
fn session_key_hex(file: &str) -> String {
    let manifest = std::fs::read_to_string(mit("manifest.json")).unwrap();
    // Find the token's object, then its ticket's session key (no JSON parser needed here).
    let at = manifest.find(&format!("\"file\": \"{file}\"")).unwrap();
    let rest = &manifest[at..];
    let sk = rest.find("\"session_key\"").unwrap();
    let hex_at = rest[sk..].find("\"hex\": \"").unwrap() + sk + 8;
    rest[hex_at..hex_at + rest[hex_at..].find('"').unwrap()].to_owned()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn keytab_keys_decrypt_mit_tickets() {
    let kt = Keytab::read_file(mit("service.keytab")).unwrap();
    let mut decrypted = 0;
    for t in TOKENS {
        let token = std::fs::read(mit(t.file)).unwrap();
        let (etype, kvno, cipher) = ticket_enc_part(&token);
        let etype = Etype::from_number(etype).unwrap();
        let service: Principal = t.service.parse().unwrap();
        let key = match kt.find_key(&service, Some(kvno), etype) {
            Ok(key) => key,
            Err(LookupError::Unusable { reason, .. }) => {
                assert!(!etype.is_supported(), "{}: {reason}", t.file);
                continue;
            }
            Err(e) => panic!("{}: {e}", t.file),
        };
        let plain = key.decrypt(KeyUsage::TICKET, &cipher).unwrap();
        assert_eq!(
            plain[0], 0x63,
            "{}: EncTicketPart is [APPLICATION 3]",
            t.file
        );
        let session = session_key_hex(t.file);
        assert!(
            hex(&plain).contains(&session),
            "{}: session key not in the ticket",
            t.file
        );
        decrypted += 1;
    }
    assert!(decrypted >= 7, "only {decrypted} tickets decrypted");
}

#[test]
fn trial_decryption_after_a_key_change() {
    let kt = Keytab::read_file(mit("service.keytab")).unwrap();
    let rotate: Principal = "HTTP/rotate.example.test@EXAMPLE.TEST".parse().unwrap();
    let kvnos: Vec<u32> = kt
        .candidate_keys(&rotate, Etype::Aes256CtsHmacSha196)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(kvnos, [2, 1]);
    for (file, want) in [
        ("krb5-rotate-kvno1.ap-req.bin", 1),
        ("krb5-rotate-kvno2.ap-req.bin", 2),
    ] {
        let (_, _, cipher) = ticket_enc_part(&std::fs::read(mit(file)).unwrap());
        // As if the ticket's kvno matched nothing: try every key of the enctype, newest first.
        let found: Vec<u32> = kt
            .candidate_keys(&rotate, Etype::Aes256CtsHmacSha196)
            .filter(|(_, key)| key.decrypt(KeyUsage::TICKET, &cipher).is_ok())
            .map(|(kvno, _)| kvno)
            .collect();
        assert_eq!(found, [want], "{file}");
    }
    // Without a kvno, the highest is chosen.
    let newest = kt
        .find_key(&rotate, None, Etype::Aes256CtsHmacSha196)
        .unwrap();
    let (_, _, cipher) =
        ticket_enc_part(&std::fs::read(mit("krb5-rotate-kvno2.ap-req.bin")).unwrap());
    assert!(newest.decrypt(KeyUsage::TICKET, &cipher).is_ok());
}

#[test]
fn entries_without_a_usable_key_say_why() {
    let kt = Keytab::read_file(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mit-mixed.keytab"),
    )
    .unwrap();
    let http: Principal = "HTTP/api.example.test@EXAMPLE.TEST".parse().unwrap();
    for e in kt.entries() {
        match e.enctype().get() {
            16 | 26 => assert_eq!(
                e.key().unwrap_err(),
                &krb_keytab::CryptoError::UnsupportedEtype(e.enctype().get())
            ),
            23 if !Etype::Rc4Hmac.is_supported() => {
                assert_eq!(e.key().unwrap_err(), &krb_keytab::CryptoError::Rc4Disabled);
            }
            _ => assert_eq!(e.key().unwrap().as_bytes(), e.key_bytes()),
        }
    }
    if !Etype::Rc4Hmac.is_supported() {
        let err = kt.find_key(&http, Some(7), Etype::Rc4Hmac).unwrap_err();
        assert!(
            matches!(err, LookupError::Unusable { kvno: 7, .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("the keytab's kvno 7 arcfour-hmac key of HTTP/api"),
            "{err}"
        );
    }
    // A wrong-length key is kept, without a key object.
    let bad = krb_keytab::Entry::new(http, 1, krb_keytab::EnctypeNumber::new(18), &[0; 5], 0);
    assert!(matches!(
        bad.key().unwrap_err(),
        krb_keytab::CryptoError::BadKeyLength { got: 5, .. }
    ));
    assert_eq!(bad.key_bytes(), [0; 5]);
}
