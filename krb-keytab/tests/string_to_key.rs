//! Keys made from passwords equal the keys MIT's `ktutil addent -password` made, for the
//! enctypes 17, 18, 19 and 20 (RFC 3962, RFC 8009), with the default salt (realm followed by the
//! name components) and with a given salt; and rc4-hmac (23) when it is enabled.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::data;
use krb_keytab::{Entry, Etype, Keytab, Principal};

fn assert_same_keys(mit: &Keytab, password_of: impl Fn(u32) -> String, salt: Option<&[u8]>) {
    let mut checked = 0;
    for e in mit.entries() {
        let Some(etype) = e.etype() else { continue };
        if !etype.is_supported() {
            continue;
        }
        let ours = Entry::from_password(
            e.principal().clone(),
            e.kvno(),
            etype,
            password_of(e.kvno()).as_bytes(),
            salt,
            e.timestamp(),
        )
        .unwrap();
        assert_eq!(
            ours.key_bytes(),
            e.key_bytes(),
            "{} kvno {} {}",
            e.principal(),
            e.kvno(),
            e.enctype()
        );
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn default_salt_all_four_aes_enctypes() {
    let kt = Keytab::read_file(data("mit-aes.keytab")).unwrap();
    let etypes: std::collections::BTreeSet<i32> =
        kt.entries().iter().map(|e| e.enctype().get()).collect();
    assert_eq!(etypes.into_iter().collect::<Vec<_>>(), [17, 18, 19, 20]);
    assert_same_keys(&kt, |kvno| format!("secret{kvno}"), None);
}

#[test]
fn realm_keytab_made_with_the_kdcs_password() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/mit/password.keytab");
    let kt = Keytab::read_file(path).unwrap();
    assert_eq!(kt.entries().len(), 4);
    assert_same_keys(&kt, |_| "service-password".to_owned(), None);
}

#[test]
fn given_salt_and_rc4() {
    let kt = Keytab::read_file(data("mit-mixed.keytab")).unwrap();
    let http: Principal = "HTTP/api.example.test@EXAMPLE.TEST".parse().unwrap();
    let salted = kt
        .find_key(&http, Some(7), Etype::Aes256CtsHmacSha196)
        .unwrap();
    let ours = Entry::from_password(
        http.clone(),
        7,
        Etype::Aes256CtsHmacSha196,
        b"secret7",
        Some(b"SALTYSALT"),
        0,
    )
    .unwrap();
    assert_eq!(ours.key_bytes(), salted.as_bytes());
    // The default salt gives another key.
    let unsalted = Entry::from_password(
        http.clone(),
        7,
        Etype::Aes256CtsHmacSha196,
        b"secret7",
        None,
        0,
    )
    .unwrap();
    assert_ne!(unsalted.key_bytes(), salted.as_bytes());

    let rc4 = kt
        .find(&http, Some(7), krb_keytab::EnctypeNumber::ARCFOUR_HMAC)
        .unwrap();
    let made = Entry::from_password(http, 7, Etype::Rc4Hmac, b"secret7", None, 0);
    if Etype::Rc4Hmac.is_supported() {
        assert_eq!(made.unwrap().key_bytes(), rc4.key_bytes());
    } else {
        assert_eq!(made.unwrap_err(), krb_keytab::CryptoError::Rc4Disabled);
    }
}

#[test]
fn add_password_adds_all_or_nothing() {
    let mut kt = Keytab::new();
    let who: Principal = "HTTP/api.example.test@EXAMPLE.TEST".parse().unwrap();
    kt.add_password(
        &who,
        3,
        &[Etype::Aes256CtsHmacSha196, Etype::Aes128CtsHmacSha196],
        b"secret3",
        None,
        1,
    )
    .unwrap();
    assert_eq!(kt.entries().len(), 2);
    let mit = Keytab::read_file(data("mit-aes.keytab")).unwrap();
    for etype in [Etype::Aes256CtsHmacSha196, Etype::Aes128CtsHmacSha196] {
        assert_eq!(
            kt.find_key(&who, Some(3), etype).unwrap().as_bytes(),
            mit.find_key(&who, Some(3), etype).unwrap().as_bytes()
        );
    }
    // A duplicate in the batch: nothing is added.
    let err = kt
        .add_password(
            &who,
            3,
            &[Etype::Aes256CtsHmacSha384192, Etype::Aes128CtsHmacSha196],
            b"secret3",
            None,
            1,
        )
        .unwrap_err();
    assert!(err.to_string().contains("already has kvno 3"), "{err}");
    assert_eq!(kt.entries().len(), 2);
}
