//! The acceptor on real Active Directory tokens (testdata/windows-ad, from the Kerberos.NET
//! project's test data) with their service keys. They were issued years ago: the first
//! attempt at an arbitrary time is refused for clock skew, which reports the authenticator's
//! time, and the token is then accepted at that time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Duration, UNIX_EPOCH};

use krb_core::acceptor::{AcceptErrorKind, Acceptor, Policy, ServiceKeys};
use krb_core::crypto::{Etype, Key};
use krb_core::error_code::ErrorCode;
use krb_core::principal::Principal;
use krb_core::token::parse_negotiate;

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../testdata/windows-ad/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn accept_ad(token_file: &str, key_file: &str, etype: Etype) {
    let token = file(token_file);
    let parsed = parse_negotiate(&token).unwrap();
    let ticket = &parsed.ap_req().unwrap().ap_req.ticket;
    let service = Principal::parse(
        &format!(
            "{}@{}",
            ticket.sname,
            std::str::from_utf8(ticket.realm).unwrap()
        ),
        None,
    )
    .unwrap();
    let kvno = ticket.enc_part.kvno.unwrap_or(0);
    let mut keys = ServiceKeys::new();
    keys.add(
        service.clone(),
        kvno,
        Key::new(etype, &file(key_file)).unwrap(),
    );
    let mut policy = Policy::default();
    policy.danger.allow_rc4 = true;
    let acceptor = Acceptor::new(keys, policy);

    let e = acceptor.accept(&token, UNIX_EPOCH, None).unwrap_err();
    assert!(matches!(e.kind(), AcceptErrorKind::Skew { .. }), "{e}");
    assert_eq!(e.code(), ErrorCode::Skew);
    let info = e.ticket().unwrap();
    let ctime = u64::try_from(info.ctime).unwrap();

    let ok = acceptor
        .accept(&token, UNIX_EPOCH + Duration::from_secs(ctime), None)
        .unwrap();
    assert_eq!(ok.ticket.service.to_string(), service.to_string());
    assert_eq!(ok.ticket.etype, etype);
    assert_eq!(ok.ticket.client.realm, "DOMAIN.COM");
    assert_eq!(ok.ticket.client.to_string(), "user.test@DOMAIN.COM");
    assert!(ok.pac().is_some(), "AD tickets carry a PAC");
    assert!(ok.gss_flags.is_some());
}

#[test]
fn aes256_ad_token_is_accepted() {
    accept_ad(
        "aes256-kerberos-data",
        "aes256-key-data",
        Etype::Aes256CtsHmacSha196,
    );
}

#[test]
fn aes128_ad_token_is_accepted() {
    accept_ad(
        "aes128-kerberos-data",
        "aes128-key-data",
        Etype::Aes128CtsHmacSha196,
    );
}

#[cfg(feature = "rc4")]
#[test]
fn rc4_ad_token_is_accepted_with_the_feature() {
    accept_ad("rc4-kerberos-data", "rc4-key-data", Etype::Rc4Hmac);
}

#[cfg(not(feature = "rc4"))]
#[test]
fn rc4_ad_token_says_how_to_enable_rc4() {
    let token = file("rc4-kerberos-data");
    let acceptor = Acceptor::new(ServiceKeys::new(), Policy::default());
    let e = acceptor.accept(&token, UNIX_EPOCH, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::EtypeNosupp);
    assert!(e.to_string().contains("`rc4` feature"), "{e}");
}
