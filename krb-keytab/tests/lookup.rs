//! The acceptor's key lookup: by principal (byte-exact, name type ignored), kvno (exact, or the
//! highest when the ticket has none) and enctype; and all keys of a principal and enctype for
//! trial decryption after a key change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::data;
use krb_keytab::{EnctypeNumber, Entry, Keytab, LookupError, Principal};

const AES256: EnctypeNumber = EnctypeNumber::AES256_CTS_HMAC_SHA1_96;
const AES128: EnctypeNumber = EnctypeNumber::AES128_CTS_HMAC_SHA1_96;
const SHA384: EnctypeNumber = EnctypeNumber::AES256_CTS_HMAC_SHA384_192;

fn p(s: &str) -> Principal {
    s.parse().unwrap()
}

fn mit_aes() -> Keytab {
    Keytab::read_file(data("mit-aes.keytab")).unwrap()
}

#[test]
fn exact_kvno_and_highest() {
    let kt = mit_aes();
    let http = p("HTTP/api.example.test@EXAMPLE.TEST");
    assert_eq!(kt.find(&http, Some(3), AES256).unwrap().kvno(), 3);
    assert_eq!(kt.find(&http, Some(4), AES256).unwrap().kvno(), 4);
    assert_eq!(kt.find(&http, None, AES256).unwrap().kvno(), 4);
    assert_eq!(kt.find(&http, None, AES128).unwrap().kvno(), 3);
    let e = kt.find(&http, Some(3), SHA384).unwrap();
    assert_eq!((e.kvno(), e.enctype()), (3, SHA384));
    // The key found is the one klist printed for (kvno 3, aes256).
    let listing = common::parse_klist(&std::fs::read_to_string(data("mit-aes.klist")).unwrap());
    let want = listing
        .iter()
        .find(|l| l.kvno == 3 && l.enctype == "aes256-cts-hmac-sha1-96")
        .unwrap();
    let got = kt.find(&http, Some(3), AES256).unwrap();
    assert_eq!(common::hex(got.key_bytes()), want.key_hex);
}

#[test]
fn candidates_highest_kvno_first() {
    let kt = mit_aes();
    let http = p("HTTP/api.example.test@EXAMPLE.TEST");
    let kvnos: Vec<u32> = kt.candidates(&http, AES256).map(Entry::kvno).collect();
    assert_eq!(kvnos, [4, 3]);
    let kvnos: Vec<u32> = kt.candidates(&http, AES128).map(Entry::kvno).collect();
    assert_eq!(kvnos, [3]);
    assert_eq!(kt.candidates(&p("nobody@EXAMPLE.TEST"), AES256).count(), 0);
}

#[test]
fn principals_compare_byte_exactly() {
    let kt = mit_aes();
    for other in [
        "http/api.example.test@EXAMPLE.TEST",
        "HTTP/api.example.test@example.test",
        "HTTP/api.example.test.@EXAMPLE.TEST",
        "HTTP@EXAMPLE.TEST",
        "HTTP/api.example.test/x@EXAMPLE.TEST",
    ] {
        let err = kt.find(&p(other), None, AES256).unwrap_err();
        assert!(
            matches!(err, LookupError::UnknownPrincipal { .. }),
            "{other}"
        );
    }
}

#[test]
fn name_type_is_ignored() {
    // mit-aes-v1 has name type 0 on every entry; ktutil's 0x0502 file has 1. Same lookups.
    let v1 = Keytab::read_file(data("mit-aes-v1.keytab")).unwrap();
    let http = p("HTTP/api.example.test@EXAMPLE.TEST");
    let e = v1.find(&http, Some(3), AES256).unwrap();
    assert_eq!(e.name_type(), 0);
    assert_eq!(
        e.key_bytes(),
        mit_aes().find(&http, Some(3), AES256).unwrap().key_bytes()
    );
}

#[test]
fn errors_say_what_was_asked_and_what_is_held() {
    let kt = mit_aes();
    let http = p("HTTP/api.example.test@EXAMPLE.TEST");

    let err = kt
        .find(&p("HTTP/web.example.test@EXAMPLE.TEST"), Some(1), AES256)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the keytab has no key for HTTP/web.example.test@EXAMPLE.TEST; it holds keys for: \
         HTTP/api.example.test@EXAMPLE.TEST, host/api.example.test@EXAMPLE.TEST. Add the \
         service's key to the keytab, or check the name the client asked for"
    );

    let err = kt.find(&http, Some(5), AES256).unwrap_err();
    assert_eq!(
        err,
        LookupError::NoSuchKvno {
            principal: http.clone(),
            enctype: AES256,
            wanted: 5,
            held: vec![4, 3],
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("kvno 5") && text.contains("holds kvno 4, 3"),
        "{text}"
    );
    assert!(
        text.contains("changed after this keytab was made"),
        "{text}"
    );

    let err = kt.find(&http, Some(2), AES256).unwrap_err();
    assert!(
        err.to_string().contains("newer key than the KDC used"),
        "{err}"
    );

    let rc4 = EnctypeNumber::ARCFOUR_HMAC;
    let err = kt.find(&http, None, rc4).unwrap_err();
    assert_eq!(
        err,
        LookupError::NoSuchEnctype {
            principal: http.clone(),
            wanted: rc4,
            held: vec![
                AES256,
                SHA384,
                AES128,
                EnctypeNumber::AES128_CTS_HMAC_SHA256_128
            ],
        }
    );
    assert!(
        err.to_string()
            .starts_with("the keytab has no arcfour-hmac key for HTTP/api")
    );
}

#[test]
fn eight_bit_kvno_matches_a_wrapped_ticket_kvno() {
    // A keytab written without the 32-bit kvno (like Kerberos.NET's) holds kvno 300 as 44.
    let mut bytes = std::fs::read(data("windows-ad-sample.keytab")).unwrap();
    let kt = krb_keytab::parse(&bytes).unwrap();
    let who = p("HTTP/aadg.windows.net.nsatc.net@IDENTITYINTERVENTION.COM");
    assert_eq!(kt.find(&who, Some(12), AES256).unwrap().kvno(), 12);
    assert_eq!(kt.find(&who, Some(256 + 12), AES256).unwrap().kvno(), 12);
    assert!(kt.find(&who, Some(13), AES256).is_err());
    // With an explicit 32-bit kvno, no wrapping.
    bytes = kt.to_bytes().unwrap().to_vec();
    let kt = krb_keytab::parse(&bytes).unwrap();
    assert!(kt.find(&who, Some(256 + 12), AES256).is_err());
}

#[test]
fn first_of_equal_entries_wins() {
    let who = p("a@R");
    let mut kt = Keytab::new();
    kt.add(Entry::new(who.clone(), 2, AES128, &[1; 16], 0))
        .unwrap();
    kt.add(Entry::new(who.clone(), 1, AES128, &[3; 16], 0))
        .unwrap();
    kt.add(Entry::new(who.clone(), 2, AES256, &[2; 32], 0))
        .unwrap();
    let err = kt
        .add(Entry::new(who.clone(), 2, AES128, &[9; 16], 0))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("already has kvno 2 aes128-cts-hmac-sha1-96 for a@R")
    );
    assert_eq!(kt.find(&who, None, AES128).unwrap().key_bytes(), &[1; 16]);
    assert_eq!(
        kt.find(&who, Some(1), AES128).unwrap().key_bytes(),
        &[3; 16]
    );
}

#[test]
fn remove_by_principal_and_kvno() {
    let mut kt = mit_aes();
    let http = p("HTTP/api.example.test@EXAMPLE.TEST");
    assert_eq!(kt.remove(&http, Some(3)), 4);
    assert_eq!(kt.remove(&http, Some(3)), 0);
    assert_eq!(kt.entries().len(), 3);
    assert_eq!(kt.find(&http, None, AES256).unwrap().kvno(), 4);
    assert_eq!(kt.remove(&http, None), 2);
    assert!(kt.find(&http, None, AES256).is_err());
    assert_eq!(kt.principals().count(), 1);
}
