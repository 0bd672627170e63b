//! The acceptor (RFC 4120 §3.2.3, RFC 4121, RFC 4178) on real MIT krb5 1.20 tokens from
//! testdata/mit (made by testdata/mit/regen.sh), each accepted at the time it was made.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use krb_core::acceptor::{AcceptErrorKind, Acceptor, Mechanism, Policy};
use krb_core::crypto::{Etype, Key, KeyUsage};
use krb_core::error_code::ErrorCode;
use krb_core::messages::{ApRep, EncApRepPart};
use krb_core::spnego::NegTokenResp;

fn policy() -> Policy {
    let mut p = Policy::default();
    p.danger.allow_rc4 = true;
    p
}

fn unframe_ap_rep(token: &[u8]) -> Vec<u8> {
    // GSS framing: 0x60 len OID 02 00 AP-REP.
    let g = krb_core::gss::Krb5Token::decode(token).unwrap();
    assert_eq!(g.token_id, krb_core::gss::TokenId::ApRep);
    g.message.to_vec()
}

#[test]
fn every_mit_token_is_accepted_at_its_time() {
    let acceptor = Acceptor::new(mit_keys(), policy());
    let mut accepted = 0;
    for t in ap_req_tokens() {
        let file = t["file"].as_str().unwrap();
        let token = read(file);
        let created = t["created"].as_i64().unwrap();
        let cb = t["channel_bindings"].as_str().map(str::as_bytes);
        let etype = t["ticket"]["etype"].as_i64().unwrap();
        let result = acceptor.accept(&token, at(created), cb);
        if etype == 23 && !Etype::Rc4Hmac.is_supported() {
            let e = result.unwrap_err();
            assert!(
                matches!(e.kind(), AcceptErrorKind::EtypeNotAllowed { .. }),
                "{file}: {e}"
            );
            assert_eq!(e.code(), ErrorCode::EtypeNosupp);
            assert!(e.to_string().contains("`rc4` feature"), "{e}");
            continue;
        }
        let ok = result.unwrap_or_else(|e| panic!("{file}: {e}"));
        accepted += 1;
        assert_eq!(
            ok.ticket.client.to_string(),
            t["client"].as_str().unwrap(),
            "{file}"
        );
        assert_eq!(
            ok.ticket.service.to_string(),
            t["service"].as_str().unwrap(),
            "{file}"
        );
        assert_eq!(i64::from(ok.ticket.etype.number()), etype, "{file}");
        assert_eq!(
            u64::from(ok.ticket.kvno),
            t["ticket"]["kvno"].as_u64().unwrap()
        );
        assert!(ok.kvno_matched);
        assert_eq!(
            ok.ticket.authtime,
            t["ticket"]["authtime"].as_i64().unwrap()
        );
        assert_eq!(ok.ticket.endtime, t["ticket"]["endtime"].as_i64().unwrap());
        assert_eq!(
            ok.session_key.as_bytes(),
            hex(t["ticket"]["session_key"]["hex"].as_str().unwrap()).as_slice(),
            "{file}"
        );
        let names: Vec<&str> = ok.ticket.flags.names().collect();
        let expected: Vec<&str> = t["ticket"]["flag_names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "{file}");
        let mutual = t["mutual"].as_bool().unwrap();
        assert_eq!(ok.mutual, mutual, "{file}");
        assert_eq!(
            ok.delegated.is_some(),
            t["delegation"].as_bool().unwrap(),
            "{file}"
        );
        if let Some(d) = &ok.delegated {
            assert_eq!(d.first(), Some(&0x76), "a KRB-CRED, [APPLICATION 22]");
        }
        // MIT's initiator sends a subkey; MIT's acceptor reported it as the context key.
        assert_eq!(
            ok.subkey.as_ref().unwrap().as_bytes(),
            hex(t["acceptor_context"]["context_key"]["hex"]
                .as_str()
                .unwrap())
            .as_slice()
        );
        let spnego = t["mech"] == "spnego";
        assert_eq!(
            ok.mechanism,
            if spnego {
                Mechanism::Spnego
            } else {
                Mechanism::Krb5
            }
        );
        // The response: an AP-REP for mutual, inside a NegTokenResp for SPNEGO.
        let ap_rep_token = match (spnego, &ok.response_token) {
            (true, Some(resp)) => {
                let r = NegTokenResp::decode(resp).unwrap();
                assert!(r.supported_mech.unwrap().is_krb5());
                r.response_token.map(<[u8]>::to_vec)
            }
            (false, resp) => resp.clone(),
            (true, None) => panic!("{file}: SPNEGO always gets a NegTokenResp"),
        };
        assert_eq!(ap_rep_token.is_some(), mutual, "{file}");
        if let Some(tok) = ap_rep_token {
            let der = unframe_ap_rep(&tok);
            let rep = ApRep::decode(&der).unwrap();
            let plain = ok
                .session_key
                .decrypt(KeyUsage::AP_REP_ENC_PART, rep.enc_part.cipher)
                .unwrap();
            let part = EncApRepPart::decode(&plain).unwrap();
            assert_eq!((part.ctime, part.cusec), (ok.ticket.ctime, ok.ticket.cusec));
            assert!(part.seq_number.is_some());
        }
    }
    assert!(accepted >= 20, "{accepted}");
}

#[test]
fn the_same_token_twice_is_a_replay() {
    let acceptor = Acceptor::new(mit_keys(), policy());
    let t = &ap_req_tokens()[0];
    let token = read(t["file"].as_str().unwrap());
    let now = at(t["created"].as_i64().unwrap() + 5);
    acceptor.accept(&token, now, None).unwrap();
    let e = acceptor.accept(&token, now, None).unwrap_err();
    assert!(matches!(e.kind(), AcceptErrorKind::Replay), "{e}");
    assert_eq!(e.code(), ErrorCode::Repeat);
    assert_eq!(e.code().name(), "KRB_AP_ERR_REPEAT");
    assert_eq!(e.ticket().unwrap().client.to_string(), "alice@EXAMPLE.TEST");
}

#[test]
fn skew_names_both_clocks_and_keeps_the_decrypted_fields() {
    let acceptor = Acceptor::new(mit_keys(), policy());
    let t = &ap_req_tokens()[0];
    let token = read(t["file"].as_str().unwrap());
    let created = t["created"].as_i64().unwrap();
    let e = acceptor
        .accept(&token, at(created + 3600), None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Skew);
    let msg = e.to_string();
    assert!(msg.contains("3600 s behind"), "{msg}");
    assert!(msg.contains("allowed skew is 300 s"), "{msg}");
    assert_eq!(
        e.ticket().unwrap().endtime,
        t["ticket"]["endtime"].as_i64().unwrap()
    );
    // The answer is a KRB-ERROR with the server's time, framed as the token was (raw krb5).
    let reply = krb_core::gss::Krb5Token::decode(e.response_token().unwrap()).unwrap();
    assert_eq!(reply.token_id, krb_core::gss::TokenId::KrbError);
    let err = krb_core::messages::KrbError::decode(reply.message).unwrap();
    assert_eq!(err.error_code, 37);
    assert_eq!(err.stime, created + 3600);
    assert_eq!(err.ctime, Some(e.ticket().unwrap().ctime));
    assert_eq!(err.realm, b"EXAMPLE.TEST");
    // Within the skew it is fine.
    acceptor.accept(&token, at(created + 299), None).unwrap();
}

#[test]
fn channel_bindings_are_compared() {
    let acceptor = Acceptor::new(mit_keys(), policy());
    for t in ap_req_tokens()
        .into_iter()
        .filter(|t| t["channel_bindings"].is_string())
    {
        let token = read(t["file"].as_str().unwrap());
        let now = at(t["created"].as_i64().unwrap());
        let e = acceptor
            .accept(&token, now, Some(b"tls-server-end-point:another"))
            .unwrap_err();
        assert!(
            matches!(e.kind(), AcceptErrorKind::ChannelBindingsMismatch),
            "{e}"
        );
        assert_eq!(e.code(), ErrorCode::Badmatch);
    }
    // A token without bindings, where the policy requires them.
    let mut p = policy();
    p.require_channel_bindings = true;
    let strict = Acceptor::new(mit_keys(), p);
    let t = &ap_req_tokens()[0];
    assert!(t["channel_bindings"].is_null());
    let e = strict
        .accept(
            &read(t["file"].as_str().unwrap()),
            at(t["created"].as_i64().unwrap()),
            Some(b"tls-server-end-point:x"),
        )
        .unwrap_err();
    assert!(
        matches!(e.kind(), AcceptErrorKind::ChannelBindingsMissing),
        "{e}"
    );
}

#[test]
fn wrong_service_and_missing_keys_say_what_the_keytab_holds() {
    let t = &ap_req_tokens()[0];
    let token = read(t["file"].as_str().unwrap());
    let now = at(t["created"].as_i64().unwrap());

    let mut p = policy();
    p.service_principals = Some(vec![
        krb_core::principal::Principal::parse("HTTP/other.example.test@EXAMPLE.TEST", None)
            .unwrap(),
    ]);
    let e = Acceptor::new(mit_keys(), p)
        .accept(&token, now, None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotUs);
    assert!(
        e.to_string()
            .contains("HTTP/other.example.test@EXAMPLE.TEST"),
        "{e}"
    );

    let mut only_other = krb_core::acceptor::ServiceKeys::new();
    only_other.add(
        krb_core::principal::Principal::parse("HTTP/x.example.test@EXAMPLE.TEST", None).unwrap(),
        3,
        Key::random(Etype::Aes256CtsHmacSha196).unwrap(),
    );
    let e = Acceptor::new(only_other, policy())
        .accept(&token, now, None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotUs);
    let msg = e.to_string();
    assert!(msg.contains("HTTP/api.example.test@EXAMPLE.TEST"), "{msg}");
    assert!(msg.contains("HTTP/x.example.test@EXAMPLE.TEST"), "{msg}");
}

#[test]
fn a_rotated_key_is_found_by_trial_and_a_stale_keytab_is_named() {
    let m = manifest();
    let rotate = ap_req_tokens()
        .into_iter()
        .find(|t| t["file"] == "krb5-rotate-kvno2.ap-req.bin")
        .unwrap();
    let token = read(rotate["file"].as_str().unwrap());
    let now = at(rotate["created"].as_i64().unwrap());
    let service = rotate["service"].as_str().unwrap();
    let entries: Vec<_> = m["keytabs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["entries"].as_array().unwrap().clone())
        .filter(|e| e["principal"] == service)
        .collect();
    let key_of = |kvno: u64, etype: i64| {
        entries
            .iter()
            .find(|e| e["kvno"] == kvno && e["etype"] == etype)
            .map(|e| hex(e["key_hex"].as_str().unwrap()))
    };
    let etype = rotate["ticket"]["etype"].as_i64().unwrap();
    let p = krb_core::principal::Principal::parse(service, None).unwrap();
    let e18 = Etype::from_number(i32::try_from(etype).unwrap()).unwrap();

    // The keytab holds the kvno 2 key under kvno 7 (a mislabelled export): found by trial.
    let mut keys = krb_core::acceptor::ServiceKeys::new();
    keys.add(
        p.clone(),
        7,
        Key::new(e18, &key_of(2, etype).unwrap()).unwrap(),
    );
    let ok = Acceptor::new(keys, policy())
        .accept(&token, now, None)
        .unwrap();
    assert_eq!(ok.ticket.kvno, 7);
    assert!(!ok.kvno_matched);

    // Only the old key: the error names both kvnos.
    let mut keys = krb_core::acceptor::ServiceKeys::new();
    keys.add(
        p.clone(),
        1,
        Key::new(e18, &key_of(1, etype).unwrap()).unwrap(),
    );
    let e = Acceptor::new(keys, policy())
        .accept(&token, now, None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Badkeyver, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("kvno 2") && msg.contains("kvno 1"), "{msg}");
    assert!(msg.contains("re-export the keytab"), "{msg}");

    // The right kvno with the wrong key bytes: the keytab's key is not the KDC's.
    let mut keys = krb_core::acceptor::ServiceKeys::new();
    keys.add(p, 2, Key::new(e18, &key_of(1, etype).unwrap()).unwrap());
    let e = Acceptor::new(keys, policy())
        .accept(&token, now, None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadIntegrity, "{e}");
}
