//! RFC 4121 §4.1: the Kerberos V5 GSS-API context tokens (RFC 2743 §3.1 framing, TOK_ID),
//! and §4.1.1: the authenticator checksum of type 0x8003.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use krb_core::gss::{
    GSS_CHECKSUM_TYPE, GssChecksum, Krb5Token, TokenId, encode_ap_rep_token,
    encode_krb_error_token, encode_krb5_token,
};
use krb_core::messages::{
    ApRep, Checksum, EncryptedData, GssFlags, KrbError, NameType, PrincipalName,
};
use krb_core::{DerErrorKind, Oid};

fn mit(name: &str) -> Vec<u8> {
    std::fs::read(common::testdata().join("mit").join(name)).unwrap()
}

#[test]
fn token_ids() {
    for id in [TokenId::ApReq, TokenId::ApRep, TokenId::KrbError] {
        assert_eq!(TokenId::from_bytes(id.bytes()), Some(id));
    }
    assert_eq!(TokenId::ApReq.bytes(), [1, 0]);
    assert_eq!(TokenId::ApRep.bytes(), [2, 0]);
    assert_eq!(TokenId::KrbError.bytes(), [3, 0]);
    assert_eq!(TokenId::from_bytes([4, 0]), None);
    assert_eq!(TokenId::from_bytes([1, 1]), None);
    assert_eq!(GSS_CHECKSUM_TYPE, 0x8003);
}

#[test]
fn mit_tokens_frame_as_rfc_4121_says() {
    let req = mit("krb5-api-mutual.ap-req.bin");
    let token = Krb5Token::decode(&req).unwrap();
    assert_eq!(token.mech, Oid::KRB5);
    assert_eq!(token.token_id, TokenId::ApReq);
    assert_eq!(token.message, &req[17..]);
    assert_eq!(token.encode(), req);
    let rep = mit("krb5-api-mutual.ap-rep.bin");
    let token = Krb5Token::decode(&rep).unwrap();
    assert_eq!(token.token_id, TokenId::ApRep);
    let ap_rep = ApRep::decode(token.message).unwrap();
    // Our AP-REP token encoder gives MIT's bytes back.
    assert_eq!(encode_ap_rep_token(Oid::KRB5, &ap_rep).unwrap(), rep);
}

#[test]
fn framing_errors() {
    let req = mit("krb5-api.ap-req.bin");
    // Microsoft's krb5 OID is accepted; another OID is not.
    let mut ms = req.clone();
    ms[9] = 0x82; // 1.2.840.113554 -> 1.2.840.48018
    assert_eq!(Krb5Token::decode(&ms).unwrap().mech, Oid::KRB5_MS);
    let mut bad = req.clone();
    bad[11] = 0x13; // 1.2.840.113554 -> 1.2.840.113555
    let e = Krb5Token::decode(&bad).unwrap_err();
    assert_eq!(e.offset, 4);
    assert!(e.to_string().contains("Kerberos V5 mechanism"), "{e}");
    // An unknown TOK_ID.
    let mut bad = req.clone();
    bad[15] = 4;
    let e = Krb5Token::decode(&bad).unwrap_err();
    assert_eq!(e.offset, 15);
    assert!(e.to_string().contains("TOK_ID"), "{e}");
    // A TOK_ID that does not match the message.
    let mut bad = req.clone();
    bad[15] = 2;
    let e = Krb5Token::decode(&bad).unwrap_err();
    assert_eq!(e.offset, 17);
    assert!(matches!(e.kind, DerErrorKind::UnexpectedTag { .. }), "{e}");
    // Truncated TOK_ID.
    let e = Krb5Token::decode(&[
        0x60, 0x0c, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 1, 2, 2, 1,
    ])
    .unwrap_err();
    assert_eq!(
        (e.offset, e.kind),
        (
            13,
            DerErrorKind::Truncated {
                needed: 2,
                available: 1
            }
        )
    );
}

#[test]
fn krb_error_tokens_frame_with_the_initiators_mech() {
    let error = KrbError {
        ctime: None,
        cusec: None,
        stime: 1_796_313_834,
        susec: 0,
        error_code: 37,
        crealm: None,
        cname: None,
        realm: b"EXAMPLE.TEST",
        sname: PrincipalName {
            name_type: NameType::SrvHst,
            components: vec![b"HTTP", b"api.example.test"],
        },
        e_text: None,
        e_data: None,
    };
    let bytes = encode_krb_error_token(Oid::KRB5_MS, &error).unwrap();
    let token = Krb5Token::decode(&bytes).unwrap();
    assert_eq!(token.mech, Oid::KRB5_MS);
    assert_eq!(token.token_id, TokenId::KrbError);
    assert_eq!(KrbError::decode(token.message).unwrap(), error);
    // A long message gets a long-form outer length.
    let cipher = vec![0u8; 300];
    let ap_rep = ApRep {
        enc_part: EncryptedData {
            etype: 18,
            kvno: None,
            cipher: &cipher,
        },
    };
    let bytes = encode_ap_rep_token(Oid::KRB5, &ap_rep).unwrap();
    assert_eq!(&bytes[..2], &[0x60, 0x82]);
    assert_eq!(
        ApRep::decode(Krb5Token::decode(&bytes).unwrap().message).unwrap(),
        ap_rep
    );
    let raw = encode_krb5_token(Oid::KRB5, TokenId::ApRep, &ap_rep.encode().unwrap());
    assert_eq!(raw, bytes);
}

fn checksum(flags: u32, tail: &[u8]) -> Vec<u8> {
    let mut c = vec![16, 0, 0, 0];
    c.extend((1..=16).collect::<Vec<u8>>());
    c.extend(flags.to_le_bytes());
    c.extend_from_slice(tail);
    c
}

/// A minimal KRB-CRED: [APPLICATION 22] with empty content (the checksum checks the tag).
const KRB_CRED: [u8; 2] = [0x76, 0x00];

#[test]
fn checksum_without_delegation() {
    let bytes = checksum(0x3e, &[]);
    let c = GssChecksum::decode(&bytes).unwrap();
    assert_eq!(
        c.channel_binding,
        *b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
    );
    assert!(!c.has_no_channel_binding());
    assert_eq!(
        c.flags,
        GssFlags::MUTUAL | GssFlags::REPLAY | GssFlags::SEQUENCE | GssFlags::CONF | GssFlags::INTEG
    );
    assert_eq!(
        c.flags.names().collect::<Vec<_>>(),
        ["mutual", "replay", "sequence", "conf", "integ"]
    );
    assert_eq!(c.delegation, None);
    assert!(c.extensions.is_empty());
    assert_eq!(c.encode().unwrap(), bytes);
    let cksum = Checksum {
        cksumtype: 0x8003,
        checksum: &bytes,
    };
    assert_eq!(GssChecksum::from_checksum(&cksum).unwrap(), c);
    let other = Checksum {
        cksumtype: 16,
        ..cksum
    };
    assert!(GssChecksum::from_checksum(&other).is_err());
    // Extension bytes are kept.
    let bytes = checksum(0x02, &[0, 0, 0, 2, 0, 0, 0, 1, 0xaa]);
    let c = GssChecksum::decode(&bytes).unwrap();
    assert_eq!(c.extensions, &[0, 0, 0, 2, 0, 0, 0, 1, 0xaa]);
    assert_eq!(c.encode().unwrap(), bytes);
}

#[test]
fn checksum_with_delegation() {
    let mut tail = vec![1, 0, 2, 0];
    tail.extend(KRB_CRED);
    tail.extend([9, 9]);
    let bytes = checksum(0x03, &tail);
    let c = GssChecksum::decode(&bytes).unwrap();
    assert!(c.flags.contains(GssFlags::DELEG));
    assert_eq!(c.delegation, Some(&KRB_CRED[..]));
    assert_eq!(c.extensions, &[9, 9]);
    assert_eq!(c.encode().unwrap(), bytes);
    // Encoding sets or clears DELEG from the presence of the delegation.
    let without = GssChecksum {
        delegation: None,
        ..c
    };
    let encoded = without.encode().unwrap();
    let again = GssChecksum::decode(&encoded).unwrap();
    assert!(!again.flags.contains(GssFlags::DELEG));
}

#[test]
fn checksum_errors() {
    let reason = |bytes: &[u8]| match GssChecksum::decode(bytes).unwrap_err() {
        krb_core::DerError {
            offset,
            kind: DerErrorKind::InvalidValue { reason, .. },
            ..
        } => (offset, reason),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        reason(&[16, 0, 0, 0]),
        (4, "shorter than its 24 fixed bytes")
    );
    assert_eq!(
        reason(&checksum(0, &[])[..23]),
        (23, "shorter than its 24 fixed bytes")
    );
    let mut lgth = checksum(0, &[]);
    lgth[0] = 15;
    assert_eq!(reason(&lgth), (0, "Lgth must be 16 (the length of Bnd)"));
    assert_eq!(
        reason(&checksum(1, &[1, 0])),
        (
            24,
            "GSS_C_DELEG_FLAG is set but DlgOpt and Dlgth are missing"
        )
    );
    assert_eq!(
        reason(&checksum(1, &[2, 0, 2, 0, 0x76, 0])),
        (24, "DlgOpt must be 1")
    );
    assert_eq!(
        reason(&checksum(1, &[1, 0, 3, 0, 0x76, 0])),
        (26, "Dlgth is longer than the bytes that follow")
    );
    // The delegation must be a KRB-CRED; the offset counts from the checksum's start.
    let e = GssChecksum::decode(&checksum(1, &[1, 0, 2, 0, 0x30, 0])).unwrap_err();
    assert_eq!(e.offset, 28);
    assert!(e.to_string().contains("KRB-CRED"), "{e}");
}
