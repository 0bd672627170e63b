//! Every real token decodes (Windows AD and MIT krb5 1.20.1, see testdata/*/README.md), with
//! the facts its manifest records; and no truncation or single-byte corruption of any of them
//! panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::Fixture;
use krb_core::gss::{Krb5Token, TokenId};
use krb_core::messages::{ApOptions, ApRep};
use krb_core::spnego::{NegState, NegTokenInit, NegTokenResp};
use krb_core::token::{Framing, NegotiateToken, parse_negotiate};
use krb_core::{DerError, Oid};

/// Decodes a fixture the way its kind says: `Ok(())` or the first error.
fn decode_fixture(kind: &str, wrapping: &str, bytes: &[u8]) -> Result<(), String> {
    match (kind, wrapping) {
        ("ap-req", _) => match parse_negotiate(bytes).map_err(|e| e.to_string())? {
            NegotiateToken::ApReq(t) => {
                t.ap_req.encode().map_err(|e| e.to_string())?;
                Ok(())
            }
            other => Err(format!("not an AP-REQ: {other:?}")),
        },
        ("ap-rep", "gss-krb5") => decode_ap_rep_token(bytes).map(|_| ()),
        (_, "spnego-neg-token-resp") => {
            let resp = NegTokenResp::decode(bytes).map_err(|e| e.to_string())?;
            if let Some(token) = resp.response_token {
                decode_ap_rep_token(token)?;
            }
            Ok(())
        }
        other => panic!("unknown fixture kind {other:?}"),
    }
}

fn decode_ap_rep_token(bytes: &[u8]) -> Result<ApRep<'_>, String> {
    let token = Krb5Token::decode(bytes).map_err(|e| e.to_string())?;
    if token.token_id != TokenId::ApRep {
        return Err(format!("token id {:?}", token.token_id));
    }
    ApRep::decode(token.message).map_err(|e| e.to_string())
}

fn check(f: &Fixture, bytes: &[u8]) -> bool {
    decode_fixture(&f.kind, &f.wrapping, bytes).is_ok()
}

#[test]
fn every_fixture_decodes() {
    let all = common::all();
    assert!(all.len() >= 40, "expected the AD and MIT fixtures");
    for f in &all {
        if let Err(e) = decode_fixture(&f.kind, &f.wrapping, &f.bytes) {
            panic!("{}: {e}", f.name);
        }
        if f.kind == "ap-req" {
            // The encoder reproduces every real AP-REQ byte for byte.
            let token = parse_negotiate(&f.bytes).unwrap();
            let t = token.ap_req().unwrap();
            assert!(t.ap_req.encode().unwrap() == t.ap_req_der, "{}", f.name);
        }
    }
}

#[test]
fn windows_ad_tokens_hold_what_kerberos_net_says() {
    for (f, etype) in common::windows_ad().iter().zip([17, 18, 23]) {
        let token = parse_negotiate(&f.bytes).unwrap();
        let t = token.ap_req().unwrap();
        assert_eq!(t.framing, Framing::Krb5);
        assert_eq!(t.gss_mech, Some(Oid::KRB5));
        assert_eq!(t.ap_req.ticket.realm, b"DOMAIN.COM");
        assert_eq!(t.ap_req.ticket.enc_part.etype, etype, "{}", f.name);
        assert!(t.ap_req.ap_options.contains(ApOptions::MUTUAL_REQUIRED));
        assert_eq!(t.ap_req.ticket.sname.components.len(), 2);
        assert_eq!(t.ap_req_der.len() + 17, f.bytes.len());
    }
}

#[test]
fn mit_tokens_hold_what_the_manifest_says() {
    for f in common::mit() {
        let m = f.manifest.as_ref().unwrap();
        let service = m["service"].as_str().unwrap();
        let etype = m["ticket"]["etype"].as_i64().unwrap();
        let kvno = m["ticket"]["kvno"].as_u64().unwrap();
        match f.kind.as_str() {
            "ap-req" => {
                let t = parse_negotiate(&f.bytes).unwrap();
                let t = t.ap_req().unwrap();
                let ticket = &t.ap_req.ticket;
                let name = format!("{}@{}", ticket.sname, String::from_utf8_lossy(ticket.realm));
                assert_eq!(name, service, "{}", f.name);
                assert_eq!(i64::from(ticket.enc_part.etype), etype, "{}", f.name);
                assert_eq!(
                    ticket.enc_part.kvno.map(u64::from),
                    Some(kvno),
                    "{}",
                    f.name
                );
                assert_eq!(
                    t.ap_req.ap_options.contains(ApOptions::MUTUAL_REQUIRED),
                    m["mutual"].as_bool().unwrap(),
                    "{}",
                    f.name
                );
                // The authenticator is encrypted in the session key's enctype.
                assert_eq!(
                    i64::from(t.ap_req.authenticator.etype),
                    m["ticket"]["session_key"]["etype"].as_i64().unwrap()
                );
                assert_eq!(t.ap_req.authenticator.kvno, None);
                match f.wrapping.as_str() {
                    "gss-krb5" => {
                        assert_eq!(t.framing, Framing::Krb5);
                        assert!(t.spnego.is_none());
                    }
                    "spnego-neg-token-init" => {
                        assert_eq!(t.framing, Framing::SpnegoInit);
                        let s = t.spnego.as_ref().unwrap();
                        assert_eq!(s.mech_types, vec![Oid::KRB5]);
                        assert_eq!(s.krb5_index, 0);
                        assert_eq!(
                            s.mech_types_der.unwrap(),
                            [
                                0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 1, 2, 2
                            ]
                        );
                        let init = NegTokenInit::decode(&f.bytes).unwrap();
                        assert_eq!(init.encode(), f.bytes, "{}", f.name);
                    }
                    other => panic!("{other}"),
                }
            }
            "ap-rep" => {
                let krb5 = if f.wrapping == "gss-krb5" {
                    f.bytes.clone()
                } else {
                    let resp = NegTokenResp::decode(&f.bytes).unwrap();
                    assert_eq!(resp.neg_state, Some(NegState::AcceptCompleted));
                    assert_eq!(resp.supported_mech, Some(Oid::KRB5));
                    assert_eq!(resp.mech_list_mic, None);
                    assert_eq!(resp.encode(), f.bytes);
                    resp.response_token.unwrap().to_vec()
                };
                let token = Krb5Token::decode(&krb5).unwrap();
                assert_eq!(token.encode(), krb5);
                let ap_rep = ApRep::decode(token.message).unwrap();
                assert_eq!(
                    i64::from(ap_rep.enc_part.etype),
                    m["ticket"]["session_key"]["etype"].as_i64().unwrap()
                );
                assert_eq!(ap_rep.encode().unwrap(), token.message);
            }
            "neg-token-resp" => {
                let resp = NegTokenResp::decode(&f.bytes).unwrap();
                assert_eq!(resp.neg_state, Some(NegState::AcceptCompleted));
                assert_eq!(resp.supported_mech, Some(Oid::KRB5));
                assert_eq!(resp.response_token, None);
                assert_eq!(resp.encode(), f.bytes);
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn every_truncation_fails_cleanly() {
    for f in common::all() {
        for len in 0..f.bytes.len() {
            let cut = &f.bytes[..len];
            assert!(!check(&f, cut), "{} cut to {len} decoded", f.name);
            if f.kind == "ap-req" {
                let e = parse_negotiate(cut).unwrap_err();
                // The message names a position inside the input.
                if let krb_core::token::TokenError::Malformed(DerError { offset, .. }) = e {
                    assert!(offset <= len, "{}: offset {offset} > {len}", f.name);
                }
            }
        }
    }
}

#[test]
fn every_length_byte_corruption_is_handled() {
    // All 256 values of every length byte of every fixture.
    for f in common::all() {
        let offsets = common::length_byte_offsets(&f.bytes);
        assert!(
            offsets.len() >= 6,
            "{}: {} length bytes",
            f.name,
            offsets.len()
        );
        let mut bytes = f.bytes.clone();
        for &at in &offsets {
            let original = bytes[at];
            for value in 0..=255u8 {
                bytes[at] = value;
                let ok = check(&f, &bytes);
                if value == original {
                    assert!(ok, "{}", f.name);
                }
            }
            bytes[at] = original;
        }
    }
}

#[test]
fn every_byte_corruption_is_handled() {
    for f in common::all() {
        let mut bytes = f.bytes.clone();
        for at in 0..bytes.len() {
            let original = bytes[at];
            for value in [original ^ 0xff, original ^ 0x80, original ^ 0x01, 0x00] {
                bytes[at] = value;
                // Ok or Err, never a panic.
                let _ = check(&f, &bytes);
            }
            bytes[at] = original;
        }
    }
}

/// A small deterministic generator (xorshift64*), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
}

#[test]
fn random_multi_byte_mutations_are_handled() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let fixtures = common::all();
    for round in 0..20_000 {
        let f = &fixtures[round % fixtures.len()];
        let mut bytes = f.bytes.clone();
        for _ in 0..=rng.below(4) {
            match rng.below(4) {
                0 | 1 => {
                    let at = rng.below(bytes.len());
                    bytes[at] = u8::try_from(rng.next() & 0xff).unwrap();
                }
                2 => {
                    let at = rng.below(bytes.len());
                    bytes.insert(at, u8::try_from(rng.next() & 0xff).unwrap());
                }
                _ => {
                    if bytes.len() > 1 {
                        let at = rng.below(bytes.len());
                        bytes.remove(at);
                    }
                }
            }
        }
        let _ = check(f, &bytes);
        let _ = parse_negotiate(&bytes);
    }
}
