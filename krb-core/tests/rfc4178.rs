//! RFC 4178 SPNEGO (with MS-SPNG's NegTokenInit2) and the `parse_negotiate` entry point:
//! which mechanism token is used, what the acceptor answers, and NTLM recognition.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use krb_core::Oid;
use krb_core::messages::ContextFlags;
use krb_core::spnego::{
    NegHints, NegState, NegTokenInit, NegTokenResp, NegotiationToken, encode_mech_types,
};
use krb_core::token::{Framing, NegotiateToken, TokenError, parse_negotiate};

fn krb5_token() -> Vec<u8> {
    std::fs::read(common::testdata().join("mit/krb5-api-mutual.ap-req.bin")).unwrap()
}

const NTLM_NEGOTIATE: &[u8] = b"NTLMSSP\0\x01\x00\x00\x00\x97\x82\x08\xe2";

fn init<'a>(mechs: &[Oid<'static>], token: Option<&'a [u8]>) -> NegTokenInit<'a> {
    NegTokenInit {
        mech_types: mechs.to_vec(),
        mech_types_der: &[],
        req_flags: None,
        mech_token: token,
        neg_hints: None,
        mech_list_mic: None,
    }
}

#[test]
fn windows_style_init_with_krb5_first() {
    let krb5 = krb5_token();
    let mechs = [Oid::KRB5_MS, Oid::KRB5, Oid::NEGOEX, Oid::NTLMSSP];
    let bytes = init(&mechs, Some(&krb5)).encode();
    let token = parse_negotiate(&bytes).unwrap();
    let t = token.ap_req().unwrap();
    assert_eq!(t.framing, Framing::SpnegoInit);
    assert_eq!(t.gss_mech, Some(Oid::KRB5));
    assert_eq!(t.ap_req_der, &krb5[17..]);
    let s = t.spnego.as_ref().unwrap();
    assert_eq!(s.mech_types, mechs);
    assert_eq!(s.krb5_mech, Oid::KRB5_MS);
    assert_eq!(s.krb5_index, 0);
    // The bytes the mechListMIC covers: the DER of the MechTypeList.
    assert_eq!(s.mech_types_der.unwrap(), encode_mech_types(&mechs));
    assert_eq!(s.mech_types_der.unwrap()[0], 0x30);
    let decoded = NegTokenInit::decode(&bytes).unwrap();
    assert_eq!(decoded.mech_token, Some(&krb5[..]));
    assert_eq!(decoded.encode(), bytes);
}

#[test]
fn init_with_mech_list_mic_and_req_flags() {
    let krb5 = krb5_token();
    let mut token = init(&[Oid::KRB5], Some(&krb5));
    token.req_flags = Some(ContextFlags::MUTUAL | ContextFlags::INTEG);
    token.mech_list_mic = Some(b"0123456789abcdef");
    let bytes = token.encode();
    let decoded = NegTokenInit::decode(&bytes).unwrap();
    assert_eq!(decoded.req_flags, token.req_flags);
    assert_eq!(decoded.mech_list_mic, token.mech_list_mic);
    assert_eq!(decoded.neg_hints, None);
    assert_eq!(decoded.encode(), bytes);
    let t = parse_negotiate(&bytes).unwrap();
    assert_eq!(
        t.ap_req().unwrap().spnego.as_ref().unwrap().mech_list_mic,
        Some(&b"0123456789abcdef"[..])
    );
}

#[test]
fn neg_token_init2_with_neg_hints() {
    let mut token = init(&[Oid::KRB5_MS, Oid::KRB5, Oid::NTLMSSP], None);
    token.neg_hints = Some(NegHints {
        hint_name: Some(b"not_defined_in_RFC4178@please_ignore"),
        hint_address: None,
    });
    token.mech_list_mic = Some(b"mic");
    let bytes = token.encode();
    let decoded = NegTokenInit::decode(&bytes).unwrap();
    assert_eq!(decoded.neg_hints, token.neg_hints);
    assert_eq!(decoded.mech_list_mic, Some(&b"mic"[..]));
    assert_eq!(decoded.encode(), bytes);
    match NegotiationToken::decode(&bytes).unwrap() {
        NegotiationToken::Init(i) => assert_eq!(i.mech_types.len(), 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn neg_token_init2_mic_without_hints_and_no_field_after_an_rfc_4178_mic() {
    let krb5 = krb5_token();
    // An RFC 4178 token with its MIC at [3], then the same MIC moved to [4].
    let mut token = init(&[Oid::KRB5], Some(&krb5));
    token.mech_list_mic = Some(b"mic!");
    let rfc4178 = token.encode();
    let at = rfc4178.len() - 8; // a3 06 04 04 'mic!'
    assert_eq!(&rfc4178[at..at + 4], &[0xa3, 0x06, 0x04, 0x04]);
    let mut init2 = rfc4178.clone();
    init2[at] = 0xa4;
    let decoded = NegTokenInit::decode(&init2).unwrap();
    assert_eq!(decoded.mech_list_mic, Some(&b"mic!"[..]));
    assert_eq!(decoded.neg_hints, None);
    // [3] MIC followed by [4]: rejected as trailing data.
    let mut both = rfc4178[..at].to_vec();
    both.extend_from_slice(&rfc4178[at..]);
    both.extend_from_slice(&[0xa4, 0x02, 0x04, 0x00]);
    // Grow the three enclosing lengths (each in the 82 hi lo form here): the GSS-API
    // [APPLICATION 0] at 0, the [0] at 12, the SEQUENCE at 16.
    for i in [0usize, 12, 16] {
        assert_eq!(both[i + 1], 0x82);
        let len = u16::from_be_bytes([both[i + 2], both[i + 3]]) + 4;
        both[i + 2..i + 4].copy_from_slice(&len.to_be_bytes());
    }
    let e = NegTokenInit::decode(&both).unwrap_err();
    assert_eq!(e.offset, rfc4178.len());
    assert!(
        matches!(
            e.kind,
            krb_core::DerErrorKind::TrailingData { count: 4, .. }
        ),
        "{e}"
    );
}

#[test]
fn krb5_not_first_asks_for_it_with_request_mic() {
    let mechs = [Oid::NTLMSSP, Oid::KRB5_MS];
    let bytes = init(&mechs, Some(NTLM_NEGOTIATE)).encode();
    let NegotiateToken::SelectKrb5(selection) = parse_negotiate(&bytes).unwrap() else {
        panic!("expected a mechanism selection");
    };
    assert_eq!(selection.spnego.krb5_index, 1);
    assert_eq!(selection.spnego.krb5_mech, Oid::KRB5_MS);
    let response = selection.response();
    assert_eq!(response.neg_state, Some(NegState::RequestMic));
    assert_eq!(response.supported_mech, Some(Oid::KRB5_MS));
    assert_eq!(response.response_token, None);
    let encoded = response.encode();
    assert_eq!(NegTokenResp::decode(&encoded).unwrap(), response);
    assert_eq!(
        encoded,
        [
            0xa1, 0x14, 0x30, 0x12, 0xa0, 0x03, 0x0a, 0x01, 0x03, 0xa1, 0x0b, 0x06, 0x09, 0x2a,
            0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02
        ]
    );
}

#[test]
fn krb5_first_without_optimistic_token_asks_with_accept_incomplete() {
    let bytes = init(&[Oid::KRB5, Oid::NTLMSSP], None).encode();
    let NegotiateToken::SelectKrb5(selection) = parse_negotiate(&bytes).unwrap() else {
        panic!("expected a mechanism selection");
    };
    assert_eq!(
        selection.response().neg_state,
        Some(NegState::AcceptIncomplete)
    );
    assert_eq!(selection.response().supported_mech, Some(Oid::KRB5));
}

#[test]
fn second_round_neg_token_resp_carries_the_ap_req() {
    let krb5 = krb5_token();
    let resp = NegTokenResp {
        neg_state: Some(NegState::AcceptIncomplete),
        supported_mech: Some(Oid::KRB5_MS),
        response_token: Some(&krb5),
        mech_list_mic: Some(b"mic"),
    };
    let bytes = resp.encode();
    let token = parse_negotiate(&bytes).unwrap();
    let t = token.ap_req().unwrap();
    assert_eq!(t.framing, Framing::SpnegoResp);
    let s = t.spnego.as_ref().unwrap();
    assert_eq!(s.krb5_mech, Oid::KRB5_MS);
    assert_eq!(s.mech_types_der, None);
    assert_eq!(s.mech_list_mic, Some(&b"mic"[..]));
    // Without a token, or rejected.
    let empty = NegTokenResp {
        response_token: None,
        ..resp
    };
    assert_eq!(
        parse_negotiate(&empty.encode()).unwrap_err(),
        TokenError::NoMechToken
    );
    let reject = NegTokenResp {
        neg_state: Some(NegState::Reject),
        ..resp
    };
    assert_eq!(
        parse_negotiate(&reject.encode()).unwrap_err(),
        TokenError::Rejected
    );
}

#[test]
fn ntlm_is_recognised_everywhere() {
    let message = "NTLM is not supported: the client has no Kerberos ticket for this service";
    // Raw NTLMSSP.
    let e = parse_negotiate(NTLM_NEGOTIATE).unwrap_err();
    assert_eq!(e, TokenError::Ntlm);
    assert!(e.to_string().starts_with(message));
    assert!(e.to_string().contains("kinit"));
    // SPNEGO offering only NTLM (what Windows sends when it has no ticket).
    let only = init(&[Oid::NTLMSSP], Some(NTLM_NEGOTIATE)).encode();
    assert_eq!(parse_negotiate(&only).unwrap_err(), TokenError::Ntlm);
    let negoex = init(&[Oid::NEGOEX, Oid::NTLMSSP], None).encode();
    assert_eq!(parse_negotiate(&negoex).unwrap_err(), TokenError::Ntlm);
    // An NTLMSSP mech token under another OID.
    let odd = init(&[Oid::SPNEGO], Some(NTLM_NEGOTIATE)).encode();
    assert_eq!(parse_negotiate(&odd).unwrap_err(), TokenError::Ntlm);
    // krb5 listed first but an NTLMSSP token sent.
    let liar = init(&[Oid::KRB5], Some(NTLM_NEGOTIATE)).encode();
    assert_eq!(parse_negotiate(&liar).unwrap_err(), TokenError::Ntlm);
    // The second round with an NTLMSSP response token, or NTLM as supportedMech.
    let resp = NegTokenResp {
        neg_state: None,
        supported_mech: None,
        response_token: Some(NTLM_NEGOTIATE),
        mech_list_mic: None,
    };
    assert_eq!(
        parse_negotiate(&resp.encode()).unwrap_err(),
        TokenError::Ntlm
    );
    let resp = NegTokenResp {
        supported_mech: Some(Oid::NTLMSSP),
        response_token: Some(b"x"),
        ..resp
    };
    assert_eq!(
        parse_negotiate(&resp.encode()).unwrap_err(),
        TokenError::Ntlm
    );
}

#[test]
fn other_mechanisms_and_garbage() {
    let unknown = init(&[Oid::NEGOEX], None).encode();
    let e = parse_negotiate(&unknown).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the SPNEGO token does not offer Kerberos V5; it offers [1.3.6.1.4.1.311.2.2.30]"
    );
    // A GSS-API token for another mechanism.
    let mut other = krb5_token();
    other[14] = 3; // 1.2.840.113554.1.2.2 -> 1.2.840.113554.1.2.3
    let e = parse_negotiate(&other).unwrap_err();
    assert!(matches!(e, TokenError::UnsupportedMech { .. }));
    assert!(e.to_string().contains("1.2.840.113554.1.2.3"), "{e}");
    // Garbage.
    let e = parse_negotiate(b"\x30\x03\x02\x01\x05").unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed Negotiate token: at byte 0: expected [APPLICATION 0] constructed (GSS-API \
         InitialContextToken, SPNEGO token or AP-REQ), found UNIVERSAL 16 constructed (SEQUENCE)"
    );
    assert!(matches!(
        parse_negotiate(b"").unwrap_err(),
        TokenError::Malformed(_)
    ));
}

#[test]
fn errors_inside_the_mech_token_point_into_the_whole_token() {
    let krb5 = krb5_token();
    let mut bytes = init(&[Oid::KRB5], Some(&krb5)).encode();
    // The AP-REQ's pvno value inside the mech token.
    let at = bytes
        .windows(5)
        .position(|w| w == [0xa0, 0x03, 0x02, 0x01, 0x05])
        .unwrap();
    bytes[at + 4] = 6;
    let TokenError::Malformed(e) = parse_negotiate(&bytes).unwrap_err() else {
        panic!()
    };
    assert_eq!(e.offset, at + 2);
    assert!(e.to_string().contains("AP-REQ pvno"));
}

#[test]
fn every_mit_spnego_token_selects_krb5() {
    for f in common::mit()
        .into_iter()
        .filter(|f| f.wrapping == "spnego-neg-token-init")
    {
        let t = parse_negotiate(&f.bytes).unwrap();
        let s = t.ap_req().unwrap().spnego.clone().unwrap();
        assert_eq!(s.krb5_mech, Oid::KRB5, "{}", f.name);
        assert_eq!(s.mech_types_der.unwrap(), encode_mech_types(&[Oid::KRB5]));
    }
}

#[test]
fn token_errors_map_to_kerberos_error_codes() {
    let ap_rep = std::fs::read(common::testdata().join("mit/krb5-api-mutual.ap-rep.bin")).unwrap();
    let e = parse_negotiate(&ap_rep).unwrap_err();
    assert_eq!(
        e,
        TokenError::NotApReq {
            token_id: krb_core::gss::TokenId::ApRep
        }
    );
    assert_eq!(e.krb_error_code().map(|c| c.number()), Some(40));
    assert_eq!(
        parse_negotiate(NTLM_NEGOTIATE)
            .unwrap_err()
            .krb_error_code()
            .map(|c| c.number()),
        None
    );
    assert_eq!(
        parse_negotiate(b"\x6e\x00")
            .unwrap_err()
            .krb_error_code()
            .map(|c| c.number()),
        Some(60)
    );
}
