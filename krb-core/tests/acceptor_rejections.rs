//! RFC 4120 §3.2.3 (receipt of KRB_AP_REQ), RFC 4121 §4.1.1 (the GSS-API checksum) and RFC 4178
//! §5 (mechListMIC): every rejection of the acceptor, each produced by a ticket minted with
//! `krb_core::testing` (a test-only minter, no KDC), with its error kind, its Kerberos error
//! code and a message that names what a person must fix. Then the success paths the minter
//! makes reachable (delegation, PAC, subkey, mechListMIC, host alias, key rotation).
#![cfg(feature = "test-util")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use krb_core::Oid;
use krb_core::acceptor::{AcceptError, AcceptErrorKind, Acceptor, Mechanism, Policy};
use krb_core::crypto::{Etype, Key, KeyUsage};
use krb_core::error_code::ErrorCode;
use krb_core::gss::{GSS_CHECKSUM_TYPE, Krb5Token, TokenId};
use krb_core::messages::{ApOptions, ApRep, EncApRepPart, GssFlags, NameType, TicketFlags};
use krb_core::principal::Principal;
use krb_core::replay::MemoryReplayCache;
use krb_core::spnego::{NegState, NegTokenResp};
use krb_core::testing::{
    Mint, MintAd, MintChecksum, MintFraming, MintMechToken, MintMic, Region, krb_cred_blob,
    ntlm_negotiate, verify_acceptor_mic,
};
use krb_core::token::TokenError;

const NOW: i64 = 1_800_000_000;
const SERVICE: &str = "HTTP/api.example.test@EXAMPLE.TEST";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW as u64)
}

fn principal(text: &str) -> Principal {
    Principal::parse(text, None).unwrap()
}

fn key(etype: Etype) -> Key {
    Key::random(etype).unwrap()
}

/// A mint for HTTP/api.example.test@EXAMPLE.TEST, kvno 3, aes256-cts-hmac-sha1-96.
fn mint() -> Mint {
    Mint::new(
        principal(SERVICE),
        3,
        key(Etype::Aes256CtsHmacSha196),
        now(),
    )
    .unwrap()
}

fn acceptor(m: &Mint) -> Acceptor {
    Acceptor::new(m.service_keys(), Policy::default())
}

fn acceptor_with(m: &Mint, policy: Policy) -> Acceptor {
    Acceptor::new(m.service_keys(), policy)
}

fn refuse(acceptor: &Acceptor, token: &[u8]) -> AcceptError {
    acceptor.accept(token, now(), None).unwrap_err()
}

/// Asserts the Kerberos code, its name, and that the message holds each of `words`.
fn check(e: &AcceptError, code: ErrorCode, name: &str, words: &[&str]) {
    assert_eq!(e.code(), code, "{e}");
    assert_eq!(e.code().name(), name);
    let message = e.to_string();
    for w in words {
        assert!(message.contains(w), "the message {message:?} lacks {w:?}");
    }
}

// ---- §3.2.3 "the server verifies the version number and message type" ----

#[test]
fn pvno_4_is_badversion() {
    let mut m = mint();
    m.ap_req.pvno = 4;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::BadVersion { field } if field.contains("pvno")),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badversion,
        "KRB_AP_ERR_BADVERSION",
        &["pvno", "not 5", "Kerberos V5"],
    );
}

#[test]
fn tkt_vno_4_is_badversion() {
    let mut m = mint();
    m.ticket.tkt_vno = 4;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::BadVersion { field } if field.contains("tkt-vno")),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badversion,
        "KRB_AP_ERR_BADVERSION",
        &["tkt-vno"],
    );
}

#[test]
fn wrong_versions_and_message_types_are_refused_and_named() {
    // Refused, labelled malformed for metrics, and the message names the field.
    type Change = fn(&mut Mint);
    let cases: [(Change, &str); 3] = [
        (|m| m.ap_req.pvno = 4, "AP-REQ pvno"),
        (|m| m.ticket.tkt_vno = 6, "tkt-vno"),
        (|m| m.ap_req.msg_type = 30, "msg-type"),
    ];
    for (change, field) in cases {
        let mut m = mint();
        change(&mut m);
        let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
        assert!(e.to_string().contains(field), "{field}: {e}");
        assert_eq!(e.label(), "malformed", "{field}: {e:?}");
    }
}

#[test]
fn authenticator_vno_4_is_badversion() {
    // Inside the encryption the version is part of the Authenticator's structure: the kind is a
    // malformed authenticator, but the code says what is wrong (KRB_AP_ERR_BADVERSION).
    let mut m = mint();
    m.authenticator.vno = 4;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::AuthenticatorMalformed(_)),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badversion,
        "KRB_AP_ERR_BADVERSION",
        &[
            "authenticator is malformed",
            "authenticator-vno is 4, not 5",
        ],
    );
}

#[test]
fn msg_type_15_in_an_ap_req_is_msg_type() {
    for framing in [MintFraming::BareApReq, MintFraming::Krb5(Oid::KRB5)] {
        let mut m = mint();
        m.ap_req.msg_type = 15;
        m.framing = framing;
        let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
        assert!(matches!(e.kind(), AcceptErrorKind::BadMessageType), "{e:?}");
        check(
            &e,
            ErrorCode::MsgType,
            "KRB_AP_ERR_MSG_TYPE",
            &["not an AP-REQ", "14"],
        );
    }
}

#[test]
fn use_session_key_is_method() {
    let mut m = mint();
    m.ap_req.options = ApOptions::USE_SESSION_KEY;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::UserToUser), "{e:?}");
    check(
        &e,
        ErrorCode::Method,
        "KRB_AP_ERR_METHOD",
        &["user-to-user", "ordinary service ticket"],
    );
}

// ---- "the server ... uses the sname and srealm to determine which key to use" ----

#[test]
fn a_service_the_policy_does_not_accept_is_not_us() {
    let m = mint();
    let policy = Policy {
        service_principals: Some(vec![principal("HTTP/other.example.test@EXAMPLE.TEST")]),
        ..Policy::default()
    };
    let e = refuse(&acceptor_with(&m, policy), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::ServiceNotAccepted { .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::NotUs,
        "KRB_AP_ERR_NOT_US",
        &[
            SERVICE,
            "accepted: HTTP/other.example.test@EXAMPLE.TEST",
            "service_principals",
        ],
    );
}

#[test]
fn a_service_without_a_key_is_not_us_and_the_message_lists_the_keytab() {
    for sname in [
        "HTTP/wrong.example.test@EXAMPLE.TEST",
        "HTTP/api.example.test@OTHER.TEST",
        "host/api.example.test@EXAMPLE.TEST",
        "HTTP@EXAMPLE.TEST",
    ] {
        let mut m = mint();
        m.ticket.sname = principal(sname);
        let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
        assert!(
            matches!(e.kind(), AcceptErrorKind::NoKeyForService { .. }),
            "{sname}: {e:?}"
        );
        check(
            &e,
            ErrorCode::NotUs,
            "KRB_AP_ERR_NOT_US",
            &[sname, &format!("it holds: {SERVICE}"), "export the key"],
        );
    }
}

#[test]
fn an_etype_the_policy_does_not_allow_is_etype_nosupp() {
    let m = mint();
    let policy = Policy {
        allowed_etypes: vec![Etype::Aes256CtsHmacSha384192],
        ..Policy::default()
    };
    let e = refuse(&acceptor_with(&m, policy), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::EtypeNotAllowed { etype: 18, .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::EtypeNosupp,
        "KDC_ERR_ETYPE_NOSUPP",
        &[
            "aes256-cts-hmac-sha1-96",
            "allowed: aes256-cts-hmac-sha384-192",
        ],
    );
}

#[test]
fn an_unknown_etype_is_etype_nosupp() {
    let mut m = mint();
    m.ticket.etype = 99;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::EtypeNotAllowed { etype: 99, .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::EtypeNosupp,
        "KDC_ERR_ETYPE_NOSUPP",
        &["etype 99"],
    );
}

#[test]
fn an_rc4_ticket_is_etype_nosupp_and_says_why() {
    // The etype on the wire is all the acceptor looks at before choosing a key.
    let mut m = mint();
    m.ticket.etype = 23;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::EtypeNotAllowed { etype: 23, .. }),
        "{e:?}"
    );
    let why = if Etype::Rc4Hmac.is_supported() {
        "allow it under `danger`"
    } else {
        "`rc4` feature"
    };
    check(
        &e,
        ErrorCode::EtypeNosupp,
        "KDC_ERR_ETYPE_NOSUPP",
        &["rc4-hmac", why, "AES keys"],
    );
}

#[test]
fn an_rc4_session_key_in_an_aes_ticket_is_etype_nosupp() {
    let mut m = mint();
    m.ticket.session_keytype = Some(23);
    m.ticket.session_keyvalue = Some(vec![0x11; 16]);
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::EtypeNotAllowed { etype: 23, .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::EtypeNosupp,
        "KDC_ERR_ETYPE_NOSUPP",
        &["rc4-hmac"],
    );
}

#[cfg(feature = "rc4")]
#[test]
fn rc4_is_accepted_only_under_danger() {
    let m = Mint::new(principal(SERVICE), 3, key(Etype::Rc4Hmac), now()).unwrap();
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    check(
        &e,
        ErrorCode::EtypeNosupp,
        "KDC_ERR_ETYPE_NOSUPP",
        &["danger"],
    );
    let mut policy = Policy::default();
    policy.danger.allow_rc4 = true;
    let ok = acceptor_with(&m, policy)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    assert_eq!(ok.ticket.etype, Etype::Rc4Hmac);
}

#[test]
fn no_key_of_the_tickets_etype_is_nokey_and_lists_the_keys_held() {
    // The ticket says aes128-cts-hmac-sha1-96; the keytab holds only the aes256 key.
    let mut m = mint();
    m.ticket.etype = 17;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::NoKeyForEtype {
                etype: Etype::Aes128CtsHmacSha196,
                ..
            }
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Nokey,
        "KRB_AP_ERR_NOKEY",
        &[
            "aes128-cts-hmac-sha1-96",
            "kvno 3 aes256-cts-hmac-sha1-96",
            "re-export",
        ],
    );
}

// ---- key choice: exact kvno, then trial decryption ----

#[test]
fn a_kvno_no_key_has_and_no_key_decrypts_is_badkeyver_naming_both_kvnos() {
    let mut m = mint();
    m.ticket.key = key(Etype::Aes256CtsHmacSha196);
    m.ticket.kvno = Some(7);
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::KvnoMismatch {
                ticket_kvno: Some(7),
                ..
            }
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badkeyver,
        "KRB_AP_ERR_BADKEYVER",
        &["kvno 7", "keytab has kvno 3", "re-export"],
    );
}

#[test]
fn no_kvno_and_no_key_decrypts_is_badkeyver() {
    let mut m = mint();
    m.ticket.key = key(Etype::Aes256CtsHmacSha196);
    m.ticket.kvno = None;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::KvnoMismatch {
                ticket_kvno: None,
                ..
            }
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badkeyver,
        "KRB_AP_ERR_BADKEYVER",
        &["names no kvno", "kvno 3"],
    );
}

#[test]
fn the_wrong_key_under_the_right_kvno_is_bad_integrity() {
    let mut m = mint();
    m.ticket.key = key(Etype::Aes256CtsHmacSha196);
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::TicketIntegrity { kvno: 3, .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::BadIntegrity,
        "KRB_AP_ERR_BAD_INTEGRITY",
        &[SERVICE, "kvno 3", "not the KDC's", "re-export the keytab"],
    );
}

#[test]
fn a_tampered_ticket_cipher_is_bad_integrity() {
    let m = mint();
    let acceptor = acceptor(&m);
    let minted = m.mint().unwrap();
    let len = minted.ticket_cipher.len();
    // The confounder, the body and the HMAC.
    for i in [0, 1, 15, 16, len / 2, len - 13, len - 12, len - 1] {
        let e = refuse(&acceptor, &minted.corrupt(Region::TicketCipher, i, 0x01));
        assert!(
            matches!(e.kind(), AcceptErrorKind::TicketIntegrity { .. }),
            "byte {i}: {e:?}"
        );
        check(&e, ErrorCode::BadIntegrity, "KRB_AP_ERR_BAD_INTEGRITY", &[]);
    }
    // And the untouched token still passes.
    acceptor.accept(&minted.token, now(), None).unwrap();
}

#[test]
fn a_tampered_authenticator_is_bad_integrity() {
    let m = mint();
    let acceptor = acceptor(&m);
    let minted = m.mint().unwrap();
    let len = minted.authenticator_cipher.len();
    for i in [0, 16, len / 2, len - 1] {
        let e = refuse(
            &acceptor,
            &minted.corrupt(Region::AuthenticatorCipher, i, 0x80),
        );
        assert!(
            matches!(e.kind(), AcceptErrorKind::AuthenticatorIntegrity { .. }),
            "byte {i}: {e:?}"
        );
        check(
            &e,
            ErrorCode::BadIntegrity,
            "KRB_AP_ERR_BAD_INTEGRITY",
            &["authenticator", "altered", "another ticket"],
        );
    }
}

#[test]
fn an_authenticator_in_another_key_is_bad_integrity() {
    let mut m = mint();
    m.authenticator.key = Some(key(Etype::Aes256CtsHmacSha196));
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::AuthenticatorIntegrity { .. }),
        "{e:?}"
    );
    check(&e, ErrorCode::BadIntegrity, "KRB_AP_ERR_BAD_INTEGRITY", &[]);
}

#[test]
fn an_authenticator_etype_other_than_the_session_keys_is_bad_integrity() {
    let mut m = mint();
    m.authenticator.etype = Some(Etype::Aes128CtsHmacSha196.number());
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::AuthenticatorIntegrity {
                etype: Etype::Aes256CtsHmacSha196
            }
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::BadIntegrity,
        "KRB_AP_ERR_BAD_INTEGRITY",
        &["aes256-cts-hmac-sha1-96"],
    );
}

#[test]
fn a_malformed_enc_ticket_part_is_modified() {
    for plaintext in [
        b"not DER at all, but encrypted with the right key".to_vec(),
        // Valid DER of the wrong type: an Authenticator's tag.
        vec![0x62, 0x03, 0x30, 0x01, 0x00],
        Vec::new(),
    ] {
        let mut m = mint();
        m.ticket.plaintext = Some(plaintext);
        let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
        assert!(
            matches!(e.kind(), AcceptErrorKind::TicketMalformed(_)),
            "{e:?}"
        );
        check(
            &e,
            ErrorCode::Modified,
            "KRB_AP_ERR_MODIFIED",
            &["decrypted ticket is malformed"],
        );
    }
}

#[test]
fn a_malformed_authenticator_is_modified() {
    let mut m = mint();
    m.authenticator.plaintext = Some(b"\x62\x05garbage".to_vec());
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::AuthenticatorMalformed(_)),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Modified,
        "KRB_AP_ERR_MODIFIED",
        &["decrypted authenticator is malformed"],
    );
    // A field out of its range: cusec is 0..999999.
    let mut m = mint();
    m.authenticator.cusec = 1_000_000;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::AuthenticatorMalformed(_)),
        "{e:?}"
    );
    check(&e, ErrorCode::Modified, "KRB_AP_ERR_MODIFIED", &["cusec"]);
}

#[test]
fn a_session_key_of_the_wrong_length_is_refused() {
    let mut m = mint();
    m.ticket.session_keyvalue = Some(vec![7; 5]);
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::KeyMalformed { .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Modified,
        "KRB_AP_ERR_MODIFIED",
        &["session key"],
    );
    assert!(e.to_string().contains('5'), "{e}");
}

// ---- "The name and realm of the client from the ticket are compared against the same fields
// in the authenticator" ----

#[test]
fn a_crealm_mismatch_is_badmatch() {
    // gokrb5 #577: an authenticator claiming another realm than the ticket's client.
    let mut m = mint();
    m.authenticator.client.realm = "EVIL.TEST".into();
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::ClientMismatch { .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badmatch,
        "KRB_AP_ERR_BADMATCH",
        &[
            "alice@EVIL.TEST",
            "alice@EXAMPLE.TEST",
            "another client's ticket",
        ],
    );
}

#[test]
fn a_cname_mismatch_is_badmatch() {
    let mut m = mint();
    m.authenticator.client.components = vec!["mallory".into()];
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::ClientMismatch { .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badmatch,
        "KRB_AP_ERR_BADMATCH",
        &["mallory@EXAMPLE.TEST", "alice@EXAMPLE.TEST"],
    );
    // Two components against one is a mismatch too.
    let mut m = mint();
    m.authenticator.client.components = vec!["alice".into(), "admin".into()];
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    check(
        &e,
        ErrorCode::Badmatch,
        "KRB_AP_ERR_BADMATCH",
        &["alice/admin"],
    );
}

#[test]
fn only_the_name_type_differing_is_no_mismatch() {
    // RFC 4120 §6.2: names compare by their components, not their type.
    let mut m = mint();
    m.authenticator.client.name_type = NameType::Enterprise;
    let ok = acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    assert_eq!(ok.ticket.client.to_string(), "alice@EXAMPLE.TEST");
}

// ---- "If the local (server) time and the client time in the authenticator differ by more
// than the allowable clock skew" ----

#[test]
fn a_client_clock_ahead_is_skew_with_the_seconds() {
    let mut m = mint();
    m.authenticator.ctime = NOW + 301;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::Skew {
                allowed: 300,
                client_time,
                ..
            } if *client_time == NOW + 301
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Skew,
        "KRB_AP_ERR_SKEW",
        &["301 s ahead", "allowed skew is 300 s", "NTP"],
    );
    // The decrypted facts come with the refusal.
    assert_eq!(e.ticket().unwrap().client.to_string(), "alice@EXAMPLE.TEST");
}

#[test]
fn a_client_clock_behind_is_skew_with_the_seconds() {
    let mut m = mint();
    m.authenticator.ctime = NOW - 4000;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::Skew { .. }), "{e:?}");
    check(
        &e,
        ErrorCode::Skew,
        "KRB_AP_ERR_SKEW",
        &["4000 s behind", "allowed skew is 300 s"],
    );
}

#[test]
fn the_skew_limit_is_inclusive_and_follows_the_policy() {
    for d in [-300, 300] {
        let mut m = mint();
        m.authenticator.ctime = NOW + d;
        acceptor(&m)
            .accept(&m.mint().unwrap().token, now(), None)
            .unwrap_or_else(|e| panic!("{d}: {e}"));
    }
    let mut m = mint();
    m.authenticator.ctime = NOW + 61;
    let policy = Policy {
        clock_skew: Duration::from_secs(60),
        ..Policy::default()
    };
    let e = refuse(&acceptor_with(&m, policy), &m.mint().unwrap().token);
    check(
        &e,
        ErrorCode::Skew,
        "KRB_AP_ERR_SKEW",
        &["61 s ahead", "allowed skew is 60 s"],
    );
}

// ---- the replay cache ----

#[test]
fn the_same_token_twice_is_repeat() {
    let m = mint();
    let acceptor = acceptor(&m);
    let token = m.mint().unwrap().token;
    acceptor.accept(&token, now(), None).unwrap();
    let e = refuse(&acceptor, &token);
    assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e:?}");
    check(
        &e,
        ErrorCode::Repeat,
        "KRB_AP_ERR_REPEAT",
        &["already used", "replay", "fresh token"],
    );
    // Framed differently (the bare AP-REQ inside), it is still the same authenticator.
    let bare = Krb5Token::decode(&token).unwrap().message.to_vec();
    let e = refuse(&acceptor, &bare);
    assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e:?}");
}

#[test]
fn a_replay_with_the_sname_rewritten_to_a_host_alias_is_repeat() {
    // go-krb5 PR #155: the sname is not covered by any checksum. Rewriting it to another name
    // that maps to the same key must not make a replayed authenticator look new.
    let mut m = mint();
    let policy = Policy {
        host_aliases: vec![("lb.example.test".into(), "api.example.test".into())],
        ..Policy::default()
    };
    let acceptor = acceptor_with(&m, policy);
    let sealed = m.seal().unwrap();
    let first = m.frame(&sealed).unwrap().token;
    m.ticket.sname = principal("HTTP/lb.example.test@EXAMPLE.TEST");
    let rewritten = m.frame(&sealed).unwrap().token;
    assert_ne!(first, rewritten);
    acceptor.accept(&first, now(), None).unwrap();
    let e = refuse(&acceptor, &rewritten);
    assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e:?}");
    check(&e, ErrorCode::Repeat, "KRB_AP_ERR_REPEAT", &[]);

    // The other way round: the alias first, then the canonical name.
    let mut m2 = m.clone();
    m2.authenticator.ctime = NOW + 1;
    let sealed = m2.seal().unwrap();
    let alias = m2.frame(&sealed).unwrap().token;
    m2.ticket.sname = principal(SERVICE);
    let canonical = m2.frame(&sealed).unwrap().token;
    acceptor.accept(&alias, now(), None).unwrap();
    let e = refuse(&acceptor, &canonical);
    assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e:?}");
}

#[test]
fn a_replay_with_the_sname_rewritten_to_a_second_principal_of_the_same_key_is_repeat() {
    // A keytab holding the same key under two names (a service account with two SPNs).
    let mut m = mint();
    let mut keys = m.service_keys();
    keys.add(
        principal("HTTP/www.example.test@EXAMPLE.TEST"),
        3,
        m.service_key.clone(),
    );
    let acceptor = Acceptor::new(keys, Policy::default());
    let sealed = m.seal().unwrap();
    let first = m.frame(&sealed).unwrap().token;
    m.ticket.sname = principal("HTTP/www.example.test@EXAMPLE.TEST");
    let rewritten = m.frame(&sealed).unwrap().token;
    let ok = acceptor.accept(&first, now(), None).unwrap();
    assert_eq!(ok.ticket.service.to_string(), SERVICE);
    let e = refuse(&acceptor, &rewritten);
    assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e:?}");
    check(&e, ErrorCode::Repeat, "KRB_AP_ERR_REPEAT", &[]);
}

#[test]
fn a_full_replay_cache_fails_closed() {
    let mut m = mint();
    let acceptor = Acceptor::new(m.service_keys(), Policy::default())
        .with_replay_cache(Arc::new(MemoryReplayCache::new(1)));
    let mut full = None;
    for cusec in 0..500 {
        // A fresh authenticator every time: another cusec, another confounder.
        m.authenticator.cusec = cusec;
        let token = m.mint().unwrap().token;
        if let Err(e) = acceptor.accept(&token, now(), None) {
            full = Some(e);
            break;
        }
    }
    let e = full.expect("a cache of capacity 1 never filled");
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::ReplayCache(krb_core::replay::ReplayError::Full { capacity: 1 })
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Generic,
        "KRB_ERR_GENERIC",
        &["replay cache is full", "raise the replay cache capacity"],
    );
    assert_eq!(e.label(), "replay_cache");
}

// ---- "If the current time is earlier than the start time by more than the allowable clock
// skew, or if the INVALID flag is set ... TKT_NYV ... later than end time ... EXPIRED" ----

#[test]
fn a_ticket_not_yet_valid_is_tkt_nyv() {
    let mut m = mint();
    m.ticket.starttime = Some(NOW + 1000);
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::NotYetValid { .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::TktNyv,
        "KRB_AP_ERR_TKT_NYV",
        &[
            "1000 s from now",
            "allowed skew of 300 s",
            "2027-01-15T08:16:40Z",
        ],
    );
    // Without a starttime, the authtime is the start.
    let mut m = mint();
    m.ticket.authtime = NOW + 1000;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    check(
        &e,
        ErrorCode::TktNyv,
        "KRB_AP_ERR_TKT_NYV",
        &["1000 s from now"],
    );
    // Within the skew it is accepted.
    let mut m = mint();
    m.ticket.starttime = Some(NOW + 300);
    acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
}

#[test]
fn an_invalid_ticket_is_tkt_nyv() {
    let mut m = mint();
    m.ticket.flags = m.ticket.flags | TicketFlags::INVALID | TicketFlags::POSTDATED;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::Invalid), "{e:?}");
    check(
        &e,
        ErrorCode::TktNyv,
        "KRB_AP_ERR_TKT_NYV",
        &["INVALID", "kinit -v"],
    );
}

#[test]
fn an_expired_ticket_is_tkt_expired() {
    let mut m = mint();
    m.ticket.authtime = NOW - 40_000;
    m.ticket.endtime = NOW - 1000;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::Expired { .. }), "{e:?}");
    check(
        &e,
        ErrorCode::TktExpired,
        "KRB_AP_ERR_TKT_EXPIRED",
        &["1000 s ago", "allowed skew of 300 s", "kinit"],
    );
    // Expired by less than the skew: accepted.
    let mut m = mint();
    m.ticket.endtime = NOW - 300;
    acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
}

// ---- RFC 4121 §4.1.1: the 0x8003 checksum ----

#[test]
fn a_gss_token_without_a_checksum_is_inapp_cksum() {
    let mut m = mint();
    m.authenticator.checksum = MintChecksum::None;
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::MissingGssChecksum { found: None }
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::InappCksum,
        "KRB_AP_ERR_INAPP_CKSUM",
        &["no checksum", "0x8003"],
    );
    // A bare AP-REQ needs none (RFC 4120 makes cksum optional).
    m.framing = MintFraming::BareApReq;
    let ok = acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    assert_eq!(ok.mechanism, Mechanism::BareApReq);
    assert_eq!(ok.gss_flags, None);
}

#[test]
fn a_checksum_of_another_type_is_inapp_cksum() {
    let mut m = mint();
    // hmac-sha1-96-aes256 (16), what a KRB-SAFE would carry.
    m.authenticator.checksum = MintChecksum::Raw {
        cksumtype: 16,
        checksum: vec![0; 12],
    };
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::MissingGssChecksum { found: Some(16) }
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::InappCksum,
        "KRB_AP_ERR_INAPP_CKSUM",
        &["type 16", "0x8003"],
    );
}

#[test]
fn a_malformed_gss_checksum_is_inapp_cksum() {
    let mut lgth_17 = vec![17, 0, 0, 0];
    lgth_17.extend_from_slice(&[0; 20]);
    let mut deleg_missing = vec![16, 0, 0, 0];
    deleg_missing.extend_from_slice(&[0; 16]);
    deleg_missing.extend_from_slice(&GssFlags::DELEG.bits().to_le_bytes());
    let mut dlg_opt_2 = deleg_missing.clone();
    dlg_opt_2.extend_from_slice(&[2, 0, 0, 0]);
    let mut dlgth_too_long = deleg_missing.clone();
    dlgth_too_long.extend_from_slice(&[1, 0, 0xff, 0]);
    let mut deleg_not_krb_cred = deleg_missing.clone();
    deleg_not_krb_cred.extend_from_slice(&[1, 0, 2, 0, 0x05, 0x00]);
    for (bytes, why) in [
        (vec![16, 0, 0, 0, 1, 2], "shorter than its 24 fixed bytes"),
        (lgth_17, "Lgth must be 16"),
        (deleg_missing, "DlgOpt and Dlgth are missing"),
        (dlg_opt_2, "DlgOpt must be 1"),
        (dlgth_too_long, "Dlgth is longer"),
        (deleg_not_krb_cred, "KRB-CRED"),
    ] {
        let mut m = mint();
        m.authenticator.checksum = MintChecksum::Raw {
            cksumtype: GSS_CHECKSUM_TYPE,
            checksum: bytes,
        };
        let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
        assert!(
            matches!(e.kind(), AcceptErrorKind::GssChecksumMalformed(_)),
            "{why}: {e:?}"
        );
        check(
            &e,
            ErrorCode::InappCksum,
            "KRB_AP_ERR_INAPP_CKSUM",
            &["GSS-API checksum is malformed", why],
        );
    }
}

// ---- channel bindings ----

const CB: &[u8] = b"tls-server-end-point:0123456789abcdef0123456789abcdef";

#[test]
fn bindings_of_another_channel_are_badmatch() {
    let mut m = mint();
    m.set_channel_bindings(Some(b"tls-server-end-point:another certificate"));
    let e = acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), Some(CB))
        .unwrap_err();
    assert!(
        matches!(e.kind(), AcceptErrorKind::ChannelBindingsMismatch),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badmatch,
        "KRB_AP_ERR_BADMATCH",
        &["another TLS connection", "TLS-terminating proxy"],
    );
    // The same token on its own channel.
    let mut m = mint();
    m.set_channel_bindings(Some(CB));
    acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), Some(CB))
        .unwrap();
}

#[test]
fn bindings_missing_when_required_are_badmatch() {
    let policy = || Policy {
        require_channel_bindings: true,
        ..Policy::default()
    };
    // The token binds nothing.
    let m = mint();
    let e = acceptor_with(&m, policy())
        .accept(&m.mint().unwrap().token, now(), Some(CB))
        .unwrap_err();
    assert!(
        matches!(e.kind(), AcceptErrorKind::ChannelBindingsMissing),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Badmatch,
        "KRB_AP_ERR_BADMATCH",
        &["channel bindings are required", "require_channel_bindings"],
    );
    // The token binds, but the caller has no channel to compare with.
    let mut m = mint();
    m.set_channel_bindings(Some(CB));
    let e = acceptor_with(&m, policy())
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap_err();
    assert!(
        matches!(e.kind(), AcceptErrorKind::ChannelBindingsMissing),
        "{e:?}"
    );
    // A bare AP-REQ cannot carry bindings at all.
    let mut m = mint();
    m.framing = MintFraming::BareApReq;
    let e = acceptor_with(&m, policy())
        .accept(&m.mint().unwrap().token, now(), Some(CB))
        .unwrap_err();
    assert!(
        matches!(e.kind(), AcceptErrorKind::ChannelBindingsMissing),
        "{e:?}"
    );
    // Not required: an unbound token on a TLS channel is accepted, as MIT does.
    let m = mint();
    acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), Some(CB))
        .unwrap();
}

// ---- SPNEGO ----

#[test]
fn a_wrong_mech_list_mic_is_modified() {
    for garbage in [vec![0u8; 28], b"short".to_vec(), Vec::new()] {
        let mut m = mint();
        m.framing = MintFraming::SpnegoInit {
            mech_types: vec![Oid::KRB5, Oid::NTLMSSP],
            mech_token: MintMechToken::Krb5,
            mic: MintMic::Garbage(garbage),
        };
        let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
        assert!(matches!(e.kind(), AcceptErrorKind::MechListMic), "{e:?}");
        check(
            &e,
            ErrorCode::Modified,
            "KRB_AP_ERR_MODIFIED",
            &["mechListMIC", "altered"],
        );
    }
    // A real MIC made with the session key when the client sent a subkey: the wrong key.
    let mut m = mint();
    m.authenticator.subkey = Some(key(Etype::Aes256CtsHmacSha196));
    m.framing = MintFraming::SpnegoInit {
        mech_types: vec![Oid::KRB5],
        mech_token: MintMechToken::Krb5,
        mic: MintMic::Valid,
    };
    let mut sealed = m.seal().unwrap();
    sealed.context_key = m.session_key.clone();
    let e = refuse(&acceptor(&m), &m.frame(&sealed).unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::MechListMic), "{e:?}");
}

#[test]
fn an_ntlm_token_is_method_and_says_why() {
    let m = mint();
    let acceptor = acceptor(&m);
    let mut spnego_ntlm = mint();
    spnego_ntlm.framing = MintFraming::SpnegoInit {
        mech_types: vec![Oid::NTLMSSP],
        mech_token: MintMechToken::Raw(ntlm_negotiate()),
        mic: MintMic::None,
    };
    for token in [ntlm_negotiate(), spnego_ntlm.mint().unwrap().token] {
        let e = refuse(&acceptor, &token);
        assert!(
            matches!(e.kind(), AcceptErrorKind::Token(TokenError::Ntlm)),
            "{e:?}"
        );
        check(
            &e,
            ErrorCode::Method,
            "KRB_AP_ERR_METHOD",
            &["NTLM is not supported", "HTTP/<host>", "kinit"],
        );
        assert_eq!(e.label(), "ntlm");
    }
}

#[test]
fn spnego_with_krb5_not_first_asks_for_krb5() {
    let mut m = mint();
    m.framing = MintFraming::SpnegoInit {
        mech_types: vec![Oid::NTLMSSP, Oid::KRB5],
        mech_token: MintMechToken::Raw(ntlm_negotiate()),
        mic: MintMic::None,
    };
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::SelectKrb5), "{e:?}");
    check(
        &e,
        ErrorCode::Generic,
        "KRB_ERR_GENERIC",
        &[
            "not as its first mechanism",
            "asked the client for a Kerberos token",
        ],
    );
    assert_eq!(e.label(), "continue");
    let resp = NegTokenResp::decode(e.response_token().unwrap()).unwrap();
    assert_eq!(resp.neg_state, Some(NegState::RequestMic));
    assert_eq!(resp.supported_mech, Some(Oid::KRB5));
    assert_eq!(resp.response_token, None);

    // Kerberos first but no optimistic token: accept-incomplete, no MIC needed.
    let mut m = mint();
    m.framing = MintFraming::SpnegoInit {
        mech_types: vec![Oid::KRB5_MS, Oid::NTLMSSP],
        mech_token: MintMechToken::Absent,
        mic: MintMic::None,
    };
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::SelectKrb5), "{e:?}");
    let resp = NegTokenResp::decode(e.response_token().unwrap()).unwrap();
    assert_eq!(resp.neg_state, Some(NegState::AcceptIncomplete));
    assert_eq!(resp.supported_mech, Some(Oid::KRB5_MS));
}

#[test]
fn the_second_round_negtokenresp_is_accepted() {
    // With a mechListMIC: the list it covers was in the first round, which a stateless
    // acceptor does not keep, so even a valid MIC cannot be checked and is refused.
    let mut m = mint();
    m.framing = MintFraming::SpnegoResp {
        mech_types: vec![Oid::NTLMSSP, Oid::KRB5],
        mic: MintMic::Valid,
    };
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::MechListMic), "{e:?}");
    assert!(e.to_string().contains("first mechanism"), "{e}");
    // Without one it is accepted.
    let mut m = mint();
    m.framing = MintFraming::SpnegoResp {
        mech_types: vec![Oid::NTLMSSP, Oid::KRB5],
        mic: MintMic::None,
    };
    let ok = acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    assert_eq!(ok.mechanism, Mechanism::Spnego);
    let resp = NegTokenResp::decode(ok.response_token.as_deref().unwrap()).unwrap();
    assert_eq!(resp.neg_state, Some(NegState::AcceptCompleted));
    assert_eq!(resp.supported_mech, None, "only in the first reply");
}

#[test]
fn a_garbage_mech_list_mic_in_the_second_round_is_modified() {
    let mut m = mint();
    m.framing = MintFraming::SpnegoResp {
        mech_types: vec![Oid::NTLMSSP, Oid::KRB5],
        mic: MintMic::Garbage(vec![
            0x04, 0x04, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
        ]),
    };
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::MechListMic), "{e:?}");
    assert_eq!(e.code(), ErrorCode::Modified);
}

// ---- success paths ----

#[test]
fn a_plain_minted_token_is_accepted_with_its_facts() {
    for etype in [
        Etype::Aes128CtsHmacSha196,
        Etype::Aes256CtsHmacSha196,
        Etype::Aes128CtsHmacSha256128,
        Etype::Aes256CtsHmacSha384192,
    ] {
        let m = Mint::new(principal(SERVICE), 3, key(etype), now()).unwrap();
        let ok = acceptor(&m)
            .accept(&m.mint().unwrap().token, now(), None)
            .unwrap_or_else(|e| panic!("{etype}: {e}"));
        assert_eq!(ok.ticket.client.to_string(), "alice@EXAMPLE.TEST");
        assert_eq!(ok.ticket.service.to_string(), SERVICE);
        assert_eq!(ok.ticket.etype, etype);
        assert_eq!(ok.ticket.kvno, 3);
        assert!(ok.kvno_matched);
        assert_eq!(ok.ticket.ctime, NOW);
        assert_eq!(i64::from(ok.ticket.cusec), m.authenticator.cusec);
        assert_eq!(ok.ticket.endtime, m.ticket.endtime);
        assert_eq!(ok.ticket.flags, m.ticket.flags);
        assert_eq!(ok.session_key.as_bytes(), m.session_key.as_bytes());
        assert_eq!(ok.mechanism, Mechanism::Krb5);
        assert!(!ok.mutual);
        assert!(ok.response_token.is_none());
        assert!(ok.subkey.is_none());
        assert!(ok.delegated.is_none());
        assert!(ok.pac().is_none());
        assert_eq!(ok.seq_number.map(i64::from), m.authenticator.seq_number);
    }
}

#[test]
fn mutual_authentication_answers_with_an_ap_rep() {
    for (options, flags) in [
        (ApOptions::MUTUAL_REQUIRED, GssFlags::INTEG),
        (ApOptions::empty(), GssFlags::MUTUAL | GssFlags::INTEG),
    ] {
        let mut m = mint();
        m.ap_req.options = options;
        m.set_gss_flags(flags);
        let ok = acceptor(&m)
            .accept(&m.mint().unwrap().token, now(), None)
            .unwrap();
        assert!(ok.mutual);
        let token = Krb5Token::decode(ok.response_token.as_deref().unwrap()).unwrap();
        assert_eq!(token.token_id, TokenId::ApRep);
        let rep = ApRep::decode(token.message).unwrap();
        let plain = m
            .session_key
            .decrypt(KeyUsage::AP_REP_ENC_PART, rep.enc_part.cipher)
            .unwrap();
        let part = EncApRepPart::decode(&plain).unwrap();
        assert_eq!(part.ctime, NOW);
        assert_eq!(i64::from(part.cusec), m.authenticator.cusec);
    }
}

#[test]
fn delegation_is_surfaced() {
    let mut m = mint();
    let cred = krb_cred_blob(b"the forwarded TGT would be here");
    m.authenticator.checksum = MintChecksum::Gss {
        flags: GssFlags::DELEG | GssFlags::MUTUAL | GssFlags::INTEG,
        channel_bindings: None,
        delegation: Some(cred.clone()),
    };
    let ok = acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    assert_eq!(ok.delegated.as_deref(), Some(cred.as_slice()));
    assert!(ok.gss_flags.unwrap().contains(GssFlags::DELEG));
}

#[test]
fn the_pac_is_located() {
    let mut m = mint();
    let pac = b"\x04\0\0\0\0\0\0\0 a PAC blob".to_vec();
    m.ticket.authorization_data = vec![
        MintAd {
            ad_type: 141,
            data: b"restrictions".to_vec(),
            if_relevant: true,
        },
        MintAd {
            ad_type: 128,
            data: pac.clone(),
            if_relevant: true,
        },
    ];
    let ok = acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    assert_eq!(ok.pac(), Some(pac.as_slice()));
    assert_eq!(ok.authorization_data.len(), 2);
    assert!(ok.authorization_data.iter().all(|a| a.if_relevant));
}

#[test]
fn the_subkey_is_surfaced() {
    let mut m = mint();
    let subkey = key(Etype::Aes128CtsHmacSha256128);
    m.authenticator.subkey = Some(subkey.clone());
    let ok = acceptor(&m)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    let got = ok.subkey.unwrap();
    assert_eq!(got.etype(), Etype::Aes128CtsHmacSha256128);
    assert_eq!(got.as_bytes(), subkey.as_bytes());
}

#[test]
fn a_correct_mech_list_mic_is_accepted_and_answered() {
    for subkey in [None, Some(key(Etype::Aes256CtsHmacSha384192))] {
        let mut m = mint();
        m.authenticator.subkey = subkey;
        m.framing = MintFraming::SpnegoInit {
            mech_types: vec![Oid::KRB5_MS, Oid::KRB5, Oid::NTLMSSP],
            mech_token: MintMechToken::Krb5,
            mic: MintMic::Valid,
        };
        m.ap_req.options = ApOptions::MUTUAL_REQUIRED;
        let minted = m.mint().unwrap();
        let ok = acceptor(&m).accept(&minted.token, now(), None).unwrap();
        assert_eq!(ok.mechanism, Mechanism::Spnego);
        let resp = NegTokenResp::decode(ok.response_token.as_deref().unwrap()).unwrap();
        assert_eq!(resp.neg_state, Some(NegState::AcceptCompleted));
        assert_eq!(resp.supported_mech, Some(Oid::KRB5_MS));
        let list = minted.mech_types_der.as_deref().unwrap();
        let mic = resp
            .mech_list_mic
            .expect("the acceptor answers a MIC with one");
        assert!(verify_acceptor_mic(&minted.context_key, mic, list));
        assert!(!verify_acceptor_mic(
            &minted.context_key,
            mic,
            b"other list"
        ));
        // The AP-REP inside is framed with the OID the client listed.
        let rep = Krb5Token::decode(resp.response_token.unwrap()).unwrap();
        assert_eq!(rep.mech, Oid::KRB5_MS);
    }
}

#[test]
fn a_host_alias_is_accepted_as_its_host() {
    let mut m = mint();
    m.ticket.sname = principal("HTTP/lb.example.test@EXAMPLE.TEST");
    let policy = Policy {
        host_aliases: vec![("lb.example.test".into(), "api.example.test".into())],
        ..Policy::default()
    };
    let ok = acceptor_with(&m, policy)
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    assert_eq!(ok.ticket.service.to_string(), SERVICE);
    // Without the alias it is not us.
    let e = refuse(&acceptor(&m), &m.mint().unwrap().token);
    check(
        &e,
        ErrorCode::NotUs,
        "KRB_AP_ERR_NOT_US",
        &["HTTP/lb.example.test@EXAMPLE.TEST"],
    );
}

#[test]
fn a_rotated_key_is_found_by_trial_decryption() {
    // The keytab has kvno 3 (the old key) and kvno 4; the ticket was encrypted in the old key
    // but names kvno 4 (or a kvno the keytab lacks, or none).
    let old = key(Etype::Aes256CtsHmacSha196);
    let new = key(Etype::Aes256CtsHmacSha196);
    let service = principal(SERVICE);
    let mut keys = krb_core::acceptor::ServiceKeys::new();
    keys.add(service.clone(), 3, old.clone());
    keys.add(service.clone(), 4, new);
    let acceptor = Acceptor::new(keys, Policy::default());
    for named in [Some(4), Some(9), None] {
        let mut m = Mint::new(service.clone(), 3, old.clone(), now()).unwrap();
        m.ticket.kvno = named;
        let ok = acceptor
            .accept(&m.mint().unwrap().token, now(), None)
            .unwrap_or_else(|e| panic!("{named:?}: {e}"));
        assert!(!ok.kvno_matched, "{named:?}");
        assert_eq!(ok.ticket.kvno, 3);
    }
    // Named correctly, it matches.
    let m = Mint::new(service, 3, old, now()).unwrap();
    let ok = acceptor
        .accept(&m.mint().unwrap().token, now(), None)
        .unwrap();
    assert!(ok.kvno_matched);
}

#[test]
fn disable_replay_cache_lets_the_same_token_through_twice() {
    let m = mint();
    let mut policy = Policy::default();
    policy.danger.disable_replay_cache = true;
    let acceptor = acceptor_with(&m, policy);
    assert!(acceptor.replay_cache().is_none());
    let token = m.mint().unwrap().token;
    acceptor.accept(&token, now(), None).unwrap();
    acceptor.accept(&token, now(), None).unwrap();
}

#[test]
fn every_framing_of_one_ticket_is_accepted() {
    for framing in [
        MintFraming::BareApReq,
        MintFraming::Krb5(Oid::KRB5),
        MintFraming::Krb5(Oid::KRB5_MS),
        MintFraming::spnego(),
    ] {
        let mut m = mint();
        m.framing = framing.clone();
        let ok = acceptor(&m)
            .accept(&m.mint().unwrap().token, now(), None)
            .unwrap_or_else(|e| panic!("{framing:?}: {e}"));
        let expected = match framing {
            MintFraming::BareApReq => Mechanism::BareApReq,
            MintFraming::Krb5(_) => Mechanism::Krb5,
            _ => Mechanism::Spnego,
        };
        assert_eq!(ok.mechanism, expected);
    }
}

// ---- more edges ----

#[test]
fn a_ticket_cipher_shorter_than_a_block_is_modified() {
    let m = mint();
    let mut sealed = m.seal().unwrap();
    sealed.ticket_cipher.truncate(10);
    let e = refuse(&acceptor(&m), &m.frame(&sealed).unwrap().token);
    assert!(matches!(e.kind(), AcceptErrorKind::Crypto(_)), "{e:?}");
    check(&e, ErrorCode::Modified, "KRB_AP_ERR_MODIFIED", &[]);
    assert_eq!(e.label(), "malformed");
}

#[test]
fn an_authenticator_cipher_shorter_than_a_block_is_bad_integrity() {
    let m = mint();
    let mut sealed = m.seal().unwrap();
    sealed.authenticator_cipher.truncate(3);
    let e = refuse(&acceptor(&m), &m.frame(&sealed).unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::AuthenticatorIntegrity { .. }),
        "{e:?}"
    );
    check(&e, ErrorCode::BadIntegrity, "KRB_AP_ERR_BAD_INTEGRITY", &[]);
}

#[test]
fn a_replay_is_caught_across_the_whole_skew_window() {
    // Seen first with the server clock 300 s behind the client, replayed with it 300 s ahead:
    // both within the skew, so the cache must still remember it.
    let m = mint();
    let acceptor = acceptor(&m);
    let token = m.mint().unwrap().token;
    let at = |d: i64| UNIX_EPOCH + Duration::from_secs((NOW + d) as u64);
    acceptor.accept(&token, at(-300), None).unwrap();
    let e = acceptor.accept(&token, at(300), None).unwrap_err();
    assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e:?}");
    // Once outside the window, it is refused for the skew, never accepted.
    let e = acceptor.accept(&token, at(301), None).unwrap_err();
    assert!(matches!(e.kind(), AcceptErrorKind::Skew { .. }), "{e:?}");
}

#[test]
fn a_session_key_of_an_etype_the_policy_does_not_allow_is_etype_nosupp() {
    let mut m = Mint::new(
        principal(SERVICE),
        3,
        key(Etype::Aes256CtsHmacSha384192),
        now(),
    )
    .unwrap();
    m.session_key = key(Etype::Aes128CtsHmacSha196);
    let policy = Policy {
        allowed_etypes: vec![Etype::Aes256CtsHmacSha384192],
        ..Policy::default()
    };
    let e = refuse(&acceptor_with(&m, policy), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::EtypeNotAllowed { etype: 17, .. }),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::EtypeNosupp,
        "KDC_ERR_ETYPE_NOSUPP",
        &["aes128-cts-hmac-sha1-96"],
    );
}

#[test]
fn a_subkey_of_an_etype_the_policy_does_not_allow_is_etype_nosupp() {
    let policy = || Policy {
        allowed_etypes: vec![Etype::Aes256CtsHmacSha196],
        ..Policy::default()
    };
    let mut m = mint();
    m.authenticator.subkey = Some(key(Etype::Aes128CtsHmacSha196));
    let e = refuse(&acceptor_with(&m, policy()), &m.mint().unwrap().token);
    assert!(
        matches!(e.kind(), AcceptErrorKind::EtypeNotAllowed { etype: 17, .. }),
        "{e:?}"
    );
    check(&e, ErrorCode::EtypeNosupp, "KDC_ERR_ETYPE_NOSUPP", &[]);
    // An etype nobody knows: the client's fault, not an internal error.
    let mut m = mint();
    m.authenticator.plaintext = None;
    m.authenticator.subkey = None;
    let plain = {
        // Write the authenticator with a subkey of keytype 99 by hand.
        let mut with = m.clone();
        with.authenticator.subkey = Some(key(Etype::Aes256CtsHmacSha196));
        let mut p = with.authenticator_plaintext().unwrap();
        // The subkey's keytype INTEGER 18 (02 01 12) becomes 99 (02 01 63).
        let at = p
            .windows(5)
            .position(|w| w == [0xa0, 0x03, 0x02, 0x01, 0x12])
            .unwrap();
        p[at + 4] = 99;
        p
    };
    m.authenticator.plaintext = Some(plain);
    let e = refuse(&acceptor_with(&m, policy()), &m.mint().unwrap().token);
    assert_ne!(e.label(), "internal", "{e:?}");
    assert_eq!(e.code(), ErrorCode::EtypeNosupp, "{e:?}");
}

#[test]
fn tokens_without_a_kerberos_ap_req_say_what_they_are() {
    use krb_core::gss::encode_krb5_token;
    let m = mint();
    let acceptor = acceptor(&m);
    let minted = m.mint().unwrap();

    // SPNEGO whose list has no Kerberos (and no NTLM).
    let mut no_krb5 = mint();
    no_krb5.framing = MintFraming::SpnegoInit {
        mech_types: vec![Oid::NEGOEX],
        mech_token: MintMechToken::Raw(b"negoex".to_vec()),
        mic: MintMic::None,
    };
    let e = refuse(&acceptor, &no_krb5.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::Token(TokenError::NoKrb5Mech { .. })
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Generic,
        "KRB_ERR_GENERIC",
        &["does not offer Kerberos V5", "1.3.6.1.4.1.311.2.2.30"],
    );

    // A GSS-API token of another mechanism.
    let e = refuse(
        &acceptor,
        &encode_krb5_token(Oid::NEGOEX, TokenId::ApReq, &minted.ap_req),
    );
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::Token(TokenError::UnsupportedMech { .. })
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Generic,
        "KRB_ERR_GENERIC",
        &["unsupported GSS-API mechanism", "1.2.840.113554.1.2.2"],
    );

    // A Kerberos token whose TOK_ID says AP-REP.
    let e = refuse(
        &acceptor,
        &encode_krb5_token(Oid::KRB5, TokenId::ApRep, &minted.ap_req),
    );
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::Token(TokenError::NotApReq {
                token_id: TokenId::ApRep
            })
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Generic,
        "KRB_ERR_GENERIC",
        &["AP-REQ was expected"],
    );

    // NegTokenResps that carry no token, or reject.
    let empty = NegTokenResp {
        neg_state: Some(NegState::AcceptIncomplete),
        supported_mech: None,
        response_token: None,
        mech_list_mic: None,
    };
    let e = refuse(&acceptor, &empty.encode());
    assert!(
        matches!(e.kind(), AcceptErrorKind::Token(TokenError::NoMechToken)),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Generic,
        "KRB_ERR_GENERIC",
        &["no responseToken"],
    );
    let reject = NegTokenResp {
        neg_state: Some(NegState::Reject),
        ..empty
    };
    let e = refuse(&acceptor, &reject.encode());
    assert!(
        matches!(e.kind(), AcceptErrorKind::Token(TokenError::Rejected)),
        "{e:?}"
    );
    check(&e, ErrorCode::Generic, "KRB_ERR_GENERIC", &["reject"]);

    // Bytes that are nothing at all, and nothing.
    for junk in [&b"\x00\x01garbage"[..], b""] {
        let e = refuse(&acceptor, junk);
        assert!(
            matches!(e.kind(), AcceptErrorKind::Token(TokenError::Malformed(_))),
            "{e:?}"
        );
        check(&e, ErrorCode::Generic, "KRB_ERR_GENERIC", &["malformed"]);
    }
}

#[test]
fn an_unavailable_replay_cache_fails_closed() {
    use krb_core::replay::{ReplayCache, ReplayError, ReplayKey};
    struct Down;
    impl ReplayCache for Down {
        fn check_and_insert(&self, _: &ReplayKey, _: i64, _: i64) -> Result<(), ReplayError> {
            Err(ReplayError::Unavailable(
                "the shared store timed out".into(),
            ))
        }
        fn len(&self) -> usize {
            0
        }
    }
    let m = mint();
    let acceptor = acceptor(&m).with_replay_cache(Arc::new(Down));
    let e = refuse(&acceptor, &m.mint().unwrap().token);
    assert!(
        matches!(
            e.kind(),
            AcceptErrorKind::ReplayCache(ReplayError::Unavailable(_))
        ),
        "{e:?}"
    );
    check(
        &e,
        ErrorCode::Generic,
        "KRB_ERR_GENERIC",
        &["replay cache is unavailable", "the shared store timed out"],
    );
}
