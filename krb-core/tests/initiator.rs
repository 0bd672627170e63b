//! RFC 4120 §3.2.2-§3.2.5 and RFC 4121 §4.1 from the initiator's side: tokens built by
//! `krb_core::initiator` from the real MIT credential cache in testdata/mit are accepted by the
//! acceptor with the KDC's service keys, and the acceptor's AP-REPs verify (and tampered ones
//! do not).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::SystemTime;

use common::*;
use krb_core::acceptor::{AcceptErrorKind, Acceptor, Mechanism, Policy};
use krb_core::ccache::Ccache;
use krb_core::crypto::{Etype, Key, KeyUsage};
use krb_core::gss::{TokenId, encode_krb_error_token, encode_krb5_token};
use krb_core::initiator::{
    InitiatorContext, InitiatorError, InitiatorOptions, ServiceTicket, TokenFormat, initiate,
};
use krb_core::messages::{
    ApRep, EncApRepPart, EncryptedData, GssFlags, KrbError, NameType, PrincipalName,
};
use krb_core::principal::Principal;
use krb_core::spnego::{NegState, NegTokenResp, encode_mech_types};
use krb_core::{Oid, error_code::ErrorCode};

const CB: &[u8] = b"tls-server-end-point:krb-proxy-test-binding";

fn ccache() -> Ccache {
    Ccache::parse(&read("alice.ccache")).unwrap()
}

fn policy() -> Policy {
    let mut p = Policy::default();
    p.danger.allow_rc4 = true;
    p
}

/// A time inside every ticket's validity (the cache's tickets were issued together).
fn now_for(ticket: &krb_core::ccache::Credential) -> SystemTime {
    at(i64::from(ticket.authtime) + 60)
}

/// Every service ticket in the cache (no TGT, no configuration entries).
fn service_tickets(cc: &Ccache) -> Vec<&krb_core::ccache::Credential> {
    cc.tickets()
        .filter(|c| c.server.components[0] != "krbtgt")
        .collect()
}

fn formats() -> [TokenFormat; 3] {
    [
        TokenFormat::Krb5,
        TokenFormat::Spnego,
        TokenFormat::BareApReq,
    ]
}

#[test]
fn every_supported_ticket_gives_tokens_the_acceptor_accepts_and_answers() {
    let cc = ccache();
    let tickets = service_tickets(&cc);
    assert!(tickets.len() >= 8, "{} service tickets", tickets.len());
    let mut built = 0;
    for cred in tickets {
        let etype = Etype::from_number(cred.key_etype).unwrap();
        let ticket = match ServiceTicket::from_credential(cred) {
            Ok(t) => t,
            Err(e) => {
                assert!(!etype.is_supported(), "{}: {e}", cred.server);
                continue;
            }
        };
        assert_eq!(ticket.client().to_string(), "alice@EXAMPLE.TEST");
        assert!(ticket.service().same_name(&cred.server));
        let now = now_for(cred);
        for format in formats() {
            for mutual in [false, true] {
                for subkey in [false, true] {
                    for cb in [None, Some(CB.to_vec())] {
                        let options = InitiatorOptions {
                            format,
                            mutual,
                            subkey,
                            channel_bindings: cb.clone(),
                            ..Default::default()
                        };
                        let what = format!("{} {options:?}", cred.server);
                        // A fresh acceptor per token: the replay cache is tested apart.
                        let acceptor = Acceptor::new(mit_keys(), policy());
                        let (token, ctx) = initiate(&ticket, &options, now).unwrap();
                        let ok = acceptor
                            .accept(&token, now, cb.as_deref())
                            .unwrap_or_else(|e| panic!("{what}: {e}"));
                        check_accepted(&ok, &ctx, &options, cred, etype, &what);

                        // The acceptor's answer verifies, and tampered answers do not.
                        match (&ok.response_token, format, mutual) {
                            (Some(resp), _, _) => {
                                let est = ctx
                                    .verify_ap_rep(resp)
                                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                                assert!(!est.mech_list_mic_verified);
                                if mutual {
                                    assert!(est.acceptor_seq_number.is_some(), "{what}");
                                    every_flipped_byte_fails(&ctx, resp, &what);
                                }
                            }
                            (None, TokenFormat::Spnego, _) | (None, _, true) => {
                                panic!("{what}: no response token")
                            }
                            (None, _, false) => {}
                        }
                        if mutual {
                            let session = &ok.session_key;
                            other_time_fails(&ctx, session, format, &what);
                        }

                        // Bindings are checked: other bindings are refused when some were sent.
                        if cb.is_some() && format != TokenFormat::BareApReq {
                            let (token, _) = initiate(&ticket, &options, now).unwrap();
                            let e = acceptor.accept(&token, now, Some(b"other")).unwrap_err();
                            assert!(
                                matches!(e.kind(), AcceptErrorKind::ChannelBindingsMismatch),
                                "{what}: {e}"
                            );
                        }
                        built += 1;
                    }
                }
            }
        }
    }
    // 7 AES tickets (and rc4 with the feature), 24 combinations each.
    assert!(built >= 7 * 24, "{built}");
}

fn check_accepted(
    ok: &krb_core::acceptor::Accepted,
    ctx: &InitiatorContext,
    options: &InitiatorOptions,
    cred: &krb_core::ccache::Credential,
    etype: Etype,
    what: &str,
) {
    assert_eq!(ok.ticket.client.to_string(), "alice@EXAMPLE.TEST", "{what}");
    assert!(ok.ticket.service.same_name(&cred.server), "{what}");
    assert_eq!(ok.session_key.etype(), etype, "{what}");
    assert_eq!(
        ok.session_key.as_bytes(),
        cred.session_key_bytes(),
        "{what}"
    );
    assert_eq!(
        (ok.ticket.ctime, ok.ticket.cusec),
        (ctx.ctime(), ctx.cusec())
    );
    assert_eq!(ok.mutual, options.mutual, "{what}");
    assert_eq!(ok.seq_number, ctx.seq_number(), "{what}");
    assert!(ok.seq_number.is_some(), "{what}");
    match (&ok.subkey, ctx.subkey()) {
        (Some(a), Some(b)) => {
            assert_eq!(a.as_bytes(), b.as_bytes(), "{what}");
            assert_eq!(a.etype(), etype, "{what}");
        }
        (None, None) => assert!(!options.subkey, "{what}"),
        _ => panic!("{what}: subkey sent and received differ"),
    }
    let mechanism = match options.format {
        TokenFormat::Krb5 => Mechanism::Krb5,
        TokenFormat::Spnego => Mechanism::Spnego,
        _ => Mechanism::BareApReq,
    };
    assert_eq!(ok.mechanism, mechanism, "{what}");
    if options.format == TokenFormat::BareApReq {
        assert_eq!(ok.gss_flags, None, "{what}");
    } else {
        let flags = ok.gss_flags.unwrap();
        assert_eq!(Some(flags), ctx.gss_flags(), "{what}");
        assert_eq!(flags.contains(GssFlags::MUTUAL), options.mutual, "{what}");
        for f in [
            GssFlags::REPLAY,
            GssFlags::SEQUENCE,
            GssFlags::CONF,
            GssFlags::INTEG,
        ] {
            assert!(flags.contains(f), "{what}: {flags:?}");
        }
        assert!(!flags.contains(GssFlags::DELEG), "{what}");
    }
}

fn every_flipped_byte_fails(ctx: &InitiatorContext, resp: &[u8], what: &str) {
    for i in 0..resp.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = resp.to_vec();
            bad[i] ^= bit;
            assert!(
                ctx.verify_ap_rep(&bad).is_err(),
                "{what}: byte {i} ^ {bit:#04x} still verifies"
            );
        }
    }
    assert!(ctx.verify_ap_rep(&resp[..resp.len() - 1]).is_err());
    assert!(ctx.verify_ap_rep(&[]).is_err());
}

/// An AP-REP that decrypts with the session key but echoes another time is refused.
fn other_time_fails(ctx: &InitiatorContext, session: &Key, format: TokenFormat, what: &str) {
    for (ctime, cusec) in [
        (ctx.ctime() + 1, ctx.cusec()),
        (ctx.ctime(), (ctx.cusec() + 1) % 1_000_000),
    ] {
        let token = ap_rep_token(session, ctime, cusec, format);
        match ctx.verify_ap_rep(&token) {
            Err(InitiatorError::ApRepTimeMismatch { sent, echoed }) => {
                assert_eq!(sent, (ctx.ctime(), ctx.cusec()), "{what}");
                assert_eq!(echoed, (ctime, cusec), "{what}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    // The same, with the right time, verifies: the check is the time, not the framing.
    let token = ap_rep_token(session, ctx.ctime(), ctx.cusec(), format);
    ctx.verify_ap_rep(&token)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    // And one made with another key does not.
    let other = Key::random(session.etype()).unwrap();
    let token = ap_rep_token(&other, ctx.ctime(), ctx.cusec(), format);
    assert!(
        matches!(
            ctx.verify_ap_rep(&token),
            Err(InitiatorError::ApRepIntegrity { .. })
        ),
        "{what}"
    );
}

fn ap_rep_token(key: &Key, ctime: i64, cusec: u32, format: TokenFormat) -> Vec<u8> {
    let part = EncApRepPart {
        ctime,
        cusec,
        subkey: None,
        seq_number: Some(7),
    };
    let cipher = key
        .encrypt(KeyUsage::AP_REP_ENC_PART, &part.encode().unwrap())
        .unwrap();
    let ap_rep = ApRep {
        enc_part: EncryptedData {
            etype: key.etype().number(),
            kvno: None,
            cipher: &cipher,
        },
    }
    .encode()
    .unwrap();
    let gss = encode_krb5_token(Oid::KRB5, TokenId::ApRep, &ap_rep);
    match format {
        TokenFormat::BareApReq => ap_rep,
        TokenFormat::Krb5 => gss,
        _ => NegTokenResp {
            neg_state: Some(NegState::AcceptCompleted),
            supported_mech: Some(Oid::KRB5),
            response_token: Some(&gss),
            mech_list_mic: None,
        }
        .encode(),
    }
}

#[test]
fn the_same_token_twice_is_a_replay() {
    let cc = ccache();
    let spn = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    let ticket = ServiceTicket::from_ccache(&cc, &spn).unwrap();
    let now = now_for(cc.find(&spn).unwrap());
    let acceptor = Acceptor::new(mit_keys(), policy());
    for format in formats() {
        let (token, _) = initiate(
            &ticket,
            &InitiatorOptions {
                format,
                ..Default::default()
            },
            now,
        )
        .unwrap();
        acceptor.accept(&token, now, None).unwrap();
        let e = acceptor.accept(&token, now, None).unwrap_err();
        assert!(
            matches!(e.kind(), AcceptErrorKind::Replay),
            "{format:?}: {e}"
        );
        // A fresh token at the same second is not a replay.
        let (token, _) = initiate(
            &ticket,
            &InitiatorOptions {
                format,
                ..Default::default()
            },
            now,
        )
        .unwrap();
        acceptor.accept(&token, now, None).unwrap();
    }
}

#[test]
fn the_acceptor_refuses_our_token_outside_the_ticket_and_skew() {
    let cc = ccache();
    let spn = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    let cred = cc.find(&spn).unwrap();
    let ticket = ServiceTicket::from_credential(cred).unwrap();
    let acceptor = Acceptor::new(mit_keys(), policy());
    let client_time = now_for(cred);
    let (token, _) = initiate(&ticket, &InitiatorOptions::default(), client_time).unwrap();
    let late = at(i64::from(cred.authtime) + 60 + 3600);
    let e = acceptor.accept(&token, late, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Skew);
    // After its end time the initiator refuses a ticket from the cache, and says what to do.
    let after_end = at(i64::from(cred.endtime) + 3600);
    let e = initiate(&ticket, &InitiatorOptions::default(), after_end).unwrap_err();
    assert_eq!(
        e,
        InitiatorError::TicketExpired {
            service: "HTTP/api.example.test@EXAMPLE.TEST".into(),
            endtime: i64::from(cred.endtime)
        }
    );
    assert!(e.to_string().contains("2026-12-04T16:03:54Z"), "{e}");
    assert!(e.to_string().contains("kinit"), "{e}");
    // A ticket given directly has no known end time: the acceptor is the one to refuse it.
    let key = Key::new(Etype::Aes256CtsHmacSha196, cred.session_key_bytes()).unwrap();
    let direct = ServiceTicket::new(cred.client.clone(), key, cred.ticket.clone()).unwrap();
    assert_eq!(direct.endtime(), None);
    let (token, _) = initiate(&direct, &InitiatorOptions::default(), after_end).unwrap();
    let e = acceptor.accept(&token, after_end, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TktExpired);
    // with_endtime makes it checked.
    assert!(matches!(
        initiate(
            &direct.with_endtime(i64::from(cred.endtime)),
            &InitiatorOptions::default(),
            after_end
        ),
        Err(InitiatorError::TicketExpired { .. })
    ));
}

#[test]
fn tokens_made_at_the_same_instant_get_distinct_times() {
    let cc = ccache();
    let spn = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    let cred = cc.find(&spn).unwrap();
    let ticket = ServiceTicket::from_credential(cred).unwrap();
    let clone = ticket.clone();
    let now = now_for(cred);
    let (_, a) = initiate(&ticket, &InitiatorOptions::default(), now).unwrap();
    let (_, b) = initiate(&clone, &InitiatorOptions::default(), now).unwrap();
    // A clock that stepped back still gets a later time.
    let earlier = now - std::time::Duration::from_secs(5);
    let (_, c) = initiate(&ticket, &InitiatorOptions::default(), earlier).unwrap();
    assert_eq!((a.ctime(), a.cusec()), (i64::from(cred.authtime) + 60, 0));
    assert_eq!((b.ctime(), b.cusec()), (a.ctime(), 1));
    assert_eq!((c.ctime(), c.cusec()), (a.ctime(), 2));
    // A later time is used as it is.
    let later = now + std::time::Duration::from_micros(1_500_000);
    let (_, d) = initiate(&ticket, &InitiatorOptions::default(), later).unwrap();
    assert_eq!((d.ctime(), d.cusec()), (a.ctime() + 1, 500_000));
    // A separate ServiceTicket has its own memory.
    let other = ServiceTicket::from_credential(cred).unwrap();
    let (_, e) = initiate(&other, &InitiatorOptions::default(), now).unwrap();
    assert_eq!((e.ctime(), e.cusec()), (a.ctime(), 0));
}

#[test]
fn a_ticket_given_directly_works_like_one_from_the_cache() {
    let cc = ccache();
    let spn = Principal::parse("HTTP/sha384.example.test@EXAMPLE.TEST", None).unwrap();
    let cred = cc.find(&spn).unwrap();
    let key = Key::new(
        Etype::from_number(cred.key_etype).unwrap(),
        cred.session_key_bytes(),
    )
    .unwrap();
    let ticket = ServiceTicket::new(cred.client.clone(), key, cred.ticket.clone()).unwrap();
    assert!(ticket.service().same_name(&spn));
    assert_eq!(ticket.ticket_der(), cred.ticket.as_slice());
    let now = now_for(cred);
    let acceptor = Acceptor::new(mit_keys(), policy());
    let options = InitiatorOptions {
        mutual: true,
        ..Default::default()
    };
    for _ in 0..3 {
        let (token, ctx) = initiate(&ticket, &options, now).unwrap();
        let ok = acceptor.accept(&token, now, None).unwrap();
        ctx.verify_ap_rep(ok.response_token.as_deref().unwrap())
            .unwrap();
    }
    // A ticket that is not DER is refused up front.
    let mut bad = cred.ticket.clone();
    bad[0] = 0x30;
    let key = Key::random(Etype::Aes256CtsHmacSha196).unwrap();
    assert!(matches!(
        ServiceTicket::new(cred.client.clone(), key, bad),
        Err(InitiatorError::TicketMalformed(_))
    ));
}

#[test]
fn no_ticket_for_the_spn_names_kvno_and_what_the_cache_holds() {
    let cc = ccache();
    let spn = Principal::parse("HTTP/other.example.test@EXAMPLE.TEST", None).unwrap();
    let e = ServiceTicket::from_ccache(&cc, &spn).unwrap_err();
    match &e {
        InitiatorError::NoTicket { service, held } => {
            assert_eq!(service, "HTTP/other.example.test@EXAMPLE.TEST");
            assert!(held.contains(&"HTTP/api.example.test@EXAMPLE.TEST".to_owned()));
            assert!(!held.iter().any(|h| h.starts_with("krbtgt/")), "{held:?}");
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(text.contains("kinit"), "{text}");
    assert!(
        text.contains("kvno HTTP/other.example.test@EXAMPLE.TEST"),
        "{text}"
    );
    assert!(
        text.contains("HTTP/api.example.test@EXAMPLE.TEST"),
        "{text}"
    );
    // Another realm is another service.
    let spn = Principal::parse("HTTP/api.example.test@OTHER.TEST", None).unwrap();
    assert!(matches!(
        ServiceTicket::from_ccache(&cc, &spn),
        Err(InitiatorError::NoTicket { .. })
    ));
}

#[test]
fn an_rc4_ticket_needs_the_rc4_feature() {
    let cc = ccache();
    let spn = Principal::parse("HTTP/rc4.example.test@EXAMPLE.TEST", None).unwrap();
    let cred = cc.find(&spn).unwrap();
    assert_eq!(cred.key_etype, 23);
    let result = ServiceTicket::from_credential(cred);
    if cfg!(feature = "rc4") {
        let ticket = result.unwrap();
        let now = now_for(cred);
        let acceptor = Acceptor::new(mit_keys(), policy());
        let (token, ctx) = initiate(
            &ticket,
            &InitiatorOptions {
                mutual: true,
                ..Default::default()
            },
            now,
        )
        .unwrap();
        let ok = acceptor.accept(&token, now, None).unwrap();
        ctx.verify_ap_rep(ok.response_token.as_deref().unwrap())
            .unwrap();
    } else {
        let e = result.unwrap_err();
        assert_eq!(
            e,
            InitiatorError::UnsupportedEtype {
                service: "HTTP/rc4.example.test@EXAMPLE.TEST".into(),
                etype: 23
            }
        );
        assert!(e.to_string().contains("`rc4` feature"), "{e}");
    }
}

/// Builds the acceptor's mechListMIC (RFC 4121 §4.2.6.1 over the DER of mechTypes).
fn acceptor_mic(key: &Key, flags: u8) -> Vec<u8> {
    let mut header = vec![0x04, 0x04, flags, 0xff, 0xff, 0xff, 0xff, 0xff];
    header.extend_from_slice(&5u64.to_be_bytes());
    let mut signed = encode_mech_types(&[Oid::KRB5]);
    signed.extend_from_slice(&header);
    let mut mic = header;
    mic.extend(key.checksum(KeyUsage::GSS_ACCEPTOR_SIGN, &signed).unwrap());
    mic
}

#[test]
fn a_spnego_mech_list_mic_is_verified_when_present() {
    let cc = ccache();
    let spn = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    let cred = cc.find(&spn).unwrap();
    let ticket = ServiceTicket::from_credential(cred).unwrap();
    let now = now_for(cred);
    let acceptor = Acceptor::new(mit_keys(), policy());
    let (token, ctx) = initiate(
        &ticket,
        &InitiatorOptions {
            mutual: true,
            ..Default::default()
        },
        now,
    )
    .unwrap();
    let ok = acceptor.accept(&token, now, None).unwrap();
    let resp = NegTokenResp::decode(ok.response_token.as_deref().unwrap()).unwrap();
    let subkey = ctx.subkey().unwrap();
    let with_mic = |mic: &[u8]| {
        NegTokenResp {
            mech_list_mic: Some(mic),
            ..resp
        }
        .encode()
    };
    let est = ctx
        .verify_ap_rep(&with_mic(&acceptor_mic(subkey, 0x01)))
        .unwrap();
    assert!(est.mech_list_mic_verified);
    for bad in [
        acceptor_mic(subkey, 0x00),            // not from the acceptor
        acceptor_mic(ctx.session_key(), 0x01), // wrong key
        acceptor_mic(&Key::random(subkey.etype()).unwrap(), 0x01), // another key
        acceptor_mic(subkey, 0x01)[..20].to_vec(), // truncated
    ] {
        assert_eq!(
            ctx.verify_ap_rep(&with_mic(&bad)).unwrap_err(),
            InitiatorError::MechListMic
        );
    }
}

#[test]
fn answers_that_are_not_an_ap_rep_say_so() {
    let cc = ccache();
    let spn = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    let cred = cc.find(&spn).unwrap();
    let ticket = ServiceTicket::from_credential(cred).unwrap();
    let now = now_for(cred);
    let options = InitiatorOptions {
        mutual: true,
        ..Default::default()
    };
    let (token, ctx) = initiate(&ticket, &options, now).unwrap();
    // Our own AP-REQ is not an answer.
    let (krb5, _) = initiate(
        &ticket,
        &InitiatorOptions {
            format: TokenFormat::Krb5,
            ..options.clone()
        },
        now,
    )
    .unwrap();
    assert!(matches!(
        ctx.verify_ap_rep(&krb5),
        Err(InitiatorError::ReplyNotApRep { .. })
    ));
    assert!(ctx.verify_ap_rep(&token).is_err());
    // A SPNEGO reject, and an accept-completed without the AP-REP while mutual was asked.
    let reject = NegTokenResp {
        neg_state: Some(NegState::Reject),
        supported_mech: None,
        response_token: None,
        mech_list_mic: None,
    };
    assert_eq!(
        ctx.verify_ap_rep(&reject.encode()).unwrap_err(),
        InitiatorError::SpnegoNotCompleted {
            state: Some(NegState::Reject)
        }
    );
    let empty = NegTokenResp {
        neg_state: Some(NegState::AcceptCompleted),
        ..reject
    };
    assert_eq!(
        ctx.verify_ap_rep(&empty.encode()).unwrap_err(),
        InitiatorError::MissingApRep
    );
    // A KRB-ERROR answer (as MIT's acceptor sends for a replay) is reported with its code.
    let krb_error = KrbError {
        ctime: Some(ctx.ctime()),
        cusec: Some(ctx.cusec()),
        stime: ctx.ctime(),
        susec: 0,
        error_code: 34,
        crealm: None,
        cname: None,
        realm: b"EXAMPLE.TEST",
        sname: PrincipalName {
            name_type: NameType::SrvHst,
            components: vec![b"HTTP", b"api.example.test"],
        },
        e_text: Some(b"Request is a replay"),
        e_data: None,
    };
    let err_token = encode_krb_error_token(Oid::KRB5, &krb_error).unwrap();
    let e = ctx.verify_ap_rep(&err_token).unwrap_err();
    assert_eq!(
        e,
        InitiatorError::AcceptorError {
            code: ErrorCode::Repeat,
            text: Some("Request is a replay".into())
        }
    );
    assert!(e.to_string().contains("KRB_AP_ERR_REPEAT"), "{e}");
}

#[test]
fn the_caches_kdc_time_offset_corrects_the_authenticator_time() {
    let mut cc = ccache();
    let spn = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    let now = now_for(cc.find(&spn).unwrap());
    // Our clock is 10 minutes and 0.25 s behind the KDC's: beyond the acceptor's skew.
    cc.kdc_time_offset = Some((600, 250_000));
    let ticket = ServiceTicket::from_ccache(&cc, &spn).unwrap();
    assert_eq!(ticket.time_offset_micros(), 600_250_000);
    let local = now - std::time::Duration::from_micros(600_250_000);
    let (token, ctx) = initiate(&ticket, &InitiatorOptions::default(), local).unwrap();
    assert_eq!(
        (ctx.ctime(), ctx.cusec()),
        (i64::from(cc.find(&spn).unwrap().authtime) + 60, 0)
    );
    let acceptor = Acceptor::new(mit_keys(), policy());
    acceptor.accept(&token, now, None).unwrap();
    // Without the correction the same local clock is refused for skew.
    let plain = ServiceTicket::from_credential(cc.find(&spn).unwrap()).unwrap();
    assert_eq!(plain.time_offset_micros(), 0);
    let (token, _) = initiate(&plain, &InitiatorOptions::default(), local).unwrap();
    let e = acceptor.accept(&token, now, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Skew);
}
