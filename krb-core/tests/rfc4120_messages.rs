//! RFC 4120 §5 messages: what the decoders reject, with the byte offset they report, and the
//! Kerberos allowances they make.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use krb_core::messages::{
    ApReq, Authenticator, Checksum, EncApRepPart, EncryptionKey, NameType, PrincipalName, Ticket,
};
use krb_core::{DerError, DerErrorKind, Tag};

/// The AP-REQ of MIT's krb5-api token (after the 17-byte GSS-API header).
fn mit_ap_req() -> Vec<u8> {
    let token = std::fs::read(common::testdata().join("mit/krb5-api.ap-req.bin")).unwrap();
    token[17..].to_vec()
}

fn sample_authenticator_bytes(seq: Option<u32>) -> Vec<u8> {
    let subkey = [0x55u8; 32];
    Authenticator {
        crealm: b"EXAMPLE.TEST",
        cname: PrincipalName {
            name_type: NameType::Principal,
            components: vec![b"alice"],
        },
        cksum: Some(Checksum {
            cksumtype: 0x8003,
            checksum: &[0; 24],
        }),
        cusec: 17,
        ctime: 1_796_313_834,
        subkey: Some(EncryptionKey {
            keytype: 18,
            keyvalue: &subkey,
        }),
        seq_number: seq,
        authorization_data: vec![],
    }
    .encode()
    .unwrap()
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

#[test]
fn real_ap_req_decodes_and_re_encodes() {
    let bytes = mit_ap_req();
    let ap_req = ApReq::decode(&bytes).unwrap();
    assert_eq!(ap_req.ticket.realm, b"EXAMPLE.TEST");
    assert_eq!(ap_req.ticket.sname.name_type, NameType::SrvHst);
    assert_eq!(ap_req.ticket.sname.to_string(), "HTTP/api.example.test");
    assert_eq!(ap_req.encode().unwrap(), bytes);
    // The ticket on its own, as a credential cache holds it.
    let start = find(&bytes, &[0x61, 0x82]);
    let ticket_len = 4 + usize::from(u16::from_be_bytes([bytes[start + 2], bytes[start + 3]]));
    let ticket = Ticket::decode(&bytes[start..start + ticket_len]).unwrap();
    assert_eq!(ticket, ap_req.ticket);
    assert_eq!(ticket.encode().unwrap(), &bytes[start..start + ticket_len]);
}

#[test]
fn wrong_outer_tag_names_both_tags() {
    let e = ApReq::decode(&[0x30, 0x00]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "at byte 0: expected [APPLICATION 14] constructed (AP-REQ), found UNIVERSAL 16 constructed (SEQUENCE)"
    );
}

#[test]
fn pvno_and_msg_type_are_checked() {
    let good = mit_ap_req();
    // a0 03 02 01 05 (pvno) at byte 8, a1 03 02 01 0e (msg-type) at byte 13.
    assert_eq!(&good[8..18], &[0xa0, 3, 2, 1, 5, 0xa1, 3, 2, 1, 14]);
    let mut bad = good.clone();
    bad[12] = 4;
    let e = ApReq::decode(&bad).unwrap_err();
    assert_eq!(e.offset, 10);
    assert_eq!(
        e.kind,
        DerErrorKind::WrongVersion {
            what: "AP-REQ pvno",
            found: 4
        }
    );
    assert_eq!(
        e.to_string(),
        "at byte 10: AP-REQ pvno is 4, not 5: this is not a Kerberos V5 message"
    );
    assert_eq!(e.krb_error_code().number(), 39);
    let mut bad = good.clone();
    bad[17] = 15;
    let e = ApReq::decode(&bad).unwrap_err();
    assert_eq!(e.offset, 15);
    assert_eq!(
        e.to_string(),
        "at byte 15: AP-REQ msg-type is 15, but the message is tagged [APPLICATION 14]"
    );
    assert_eq!(e.krb_error_code().number(), 40);
    // tkt-vno: rasn-kerberos accepts 2, MIT and we do not.
    let at = find(&good, &[0x61, 0x82]) + 8;
    assert_eq!(&good[at..at + 5], &[0xa0, 3, 2, 1, 5]);
    let mut bad = good.clone();
    bad[at + 4] = 2;
    let e = ApReq::decode(&bad).unwrap_err();
    assert_eq!(e.offset, at + 2);
    assert!(e.to_string().contains("Ticket tkt-vno"), "{e}");
}

#[test]
fn non_minimal_length_in_a_real_token_is_rejected() {
    let good = mit_ap_req();
    // Rewrite pvno's "a0 03" as "a0 81 03" and fix the two enclosing long lengths.
    let mut bad = good[..9].to_vec();
    bad.push(0x81);
    bad.extend_from_slice(&good[9..]);
    for at in [2usize, 6] {
        let len = u16::from_be_bytes([bad[at], bad[at + 1]]) + 1;
        bad[at..at + 2].copy_from_slice(&len.to_be_bytes());
    }
    let e = ApReq::decode(&bad).unwrap_err();
    assert_eq!((e.offset, e.kind), (9, DerErrorKind::NonMinimalLength));
}

#[test]
fn trailing_bytes_after_the_message_are_rejected() {
    let mut bytes = mit_ap_req();
    let len = bytes.len();
    bytes.push(0);
    let e = ApReq::decode(&bytes).unwrap_err();
    assert_eq!(
        (e.offset, e.kind),
        (
            len,
            DerErrorKind::TrailingData {
                what: "AP-REQ",
                count: 1
            }
        )
    );
}

#[test]
fn authenticator_fields_and_seq_number_allowance() {
    let bytes = sample_authenticator_bytes(Some(5));
    let a = Authenticator::decode(&bytes).unwrap();
    assert_eq!(a.seq_number, Some(5));
    assert_eq!(a.cusec, 17);
    assert!(format!("{:?}", a.subkey.unwrap()).contains("32 bytes redacted"));
    assert!(!format!("{a:?}").contains("85, 85"));
    // A negative seq-number (old implementations): read as its two's complement.
    let at = find(&bytes, &[0xa7, 0x03, 0x02, 0x01, 0x05]);
    let mut negative = bytes.clone();
    negative[at + 4] = 0xff;
    assert_eq!(
        Authenticator::decode(&negative).unwrap().seq_number,
        Some(0xffff_ffff)
    );
    // Large values encode as UInt32 and come back.
    let big = sample_authenticator_bytes(Some(0xffff_fff0));
    assert_eq!(
        Authenticator::decode(&big).unwrap().seq_number,
        Some(0xffff_fff0)
    );
}

#[test]
fn authenticator_cusec_and_ctime_are_strict() {
    // cusec 1000000 (rasn-kerberos accepts it); our encoder writes what it is given.
    let good = sample_authenticator_bytes(None);
    let mut a = Authenticator::decode(&good).unwrap();
    a.cusec = 1_000_000;
    let bytes = a.encode().unwrap();
    let at = find(&bytes, &[0xa4, 0x05, 0x02, 0x03, 0x0f, 0x42, 0x40]);
    let e = Authenticator::decode(&bytes).unwrap_err();
    assert_eq!(e.offset, at + 4);
    assert_eq!(
        e.kind,
        DerErrorKind::IntegerOutOfRange {
            what: "Authenticator cusec",
            min: 0,
            max: 999_999
        }
    );
    // A fractional ctime, as rasn-kerberos writes times with milliseconds.
    let theirs = rasn_kerberos::Authenticator {
        authenticator_vno: 5.into(),
        crealm: rasn::types::GeneralString::from_bytes(b"R").unwrap(),
        cname: rasn_kerberos::PrincipalName {
            r#type: 1,
            string: vec![rasn::types::GeneralString::from_bytes(b"a").unwrap()],
        },
        cksum: None,
        cusec: 0.into(),
        ctime: rasn_kerberos::KerberosTime(
            chrono::DateTime::from_timestamp(1_796_313_834, 500_000_000)
                .unwrap()
                .fixed_offset(),
        ),
        subkey: None,
        seq_number: None,
        authorization_data: None,
    };
    let bytes = rasn::der::encode(&theirs).unwrap();
    let at = find(&bytes, b"20261203");
    let e = Authenticator::decode(&bytes).unwrap_err();
    assert_eq!(e.offset, at);
    assert_eq!(
        e.kind,
        DerErrorKind::InvalidTime {
            what: "Authenticator ctime",
            reason: "it must be exactly 15 bytes"
        }
    );
}

#[test]
fn enc_ap_rep_part_requires_its_fields_in_order() {
    let part = EncApRepPart {
        ctime: 0,
        cusec: 0,
        subkey: None,
        seq_number: Some(1),
    };
    let bytes = part.encode().unwrap();
    assert_eq!(EncApRepPart::decode(&bytes).unwrap().seq_number, Some(1));
    // Drop cusec [1]: the decoder says [1] was expected and [3] came.
    let at = find(&bytes, &[0xa1, 0x03, 0x02, 0x01, 0x00]);
    let mut bad = bytes[..at].to_vec();
    bad.extend_from_slice(&bytes[at + 5..]);
    bad[1] -= 5;
    bad[3] -= 5;
    let e: DerError = EncApRepPart::decode(&bad).unwrap_err();
    assert_eq!(e.offset, at);
    assert_eq!(
        e.kind,
        DerErrorKind::UnexpectedTag {
            expected: Tag::context(1),
            what: "EncAPRepPart cusec",
            found: Tag::context(3)
        }
    );
}

#[test]
fn principal_names_display_with_escapes() {
    let name = PrincipalName {
        name_type: NameType::Enterprise,
        components: vec![b"alice@upn.example", b"a/b", b"\xff"],
    };
    assert_eq!(name.to_string(), "alice\\@upn.example/a\\/b/\u{fffd}");
    assert_eq!(NameType::from_i32(-128), NameType::MsPrincipal);
    assert_eq!(NameType::from_i32(99), NameType::Other(99));
    assert_eq!(NameType::Other(99).to_i32(), 99);
    for v in -200..200 {
        assert_eq!(NameType::from_i32(v).to_i32(), v);
    }
}

#[test]
fn kvno_allowance_for_mit_signed_encoding() {
    let good = mit_ap_req();
    // The ticket's enc-part: etype 18, kvno 1.
    let at = find(&good, &[0xa0, 3, 2, 1, 18, 0xa1, 3, 2, 1, 1]);
    let mut bytes = good.clone();
    bytes[at + 9] = 0xff; // kvno -1 as MIT encodes 0xffffffff
    let ap_req = ApReq::decode(&bytes).unwrap();
    assert_eq!(ap_req.ticket.enc_part.kvno, Some(0xffff_ffff));
    // Our encoder writes a proper UInt32.
    let encoded = ap_req.encode().unwrap();
    assert!(
        encoded
            .windows(9)
            .any(|w| w == [0xa1, 7, 2, 5, 0, 0xff, 0xff, 0xff, 0xff])
    );
    assert_eq!(ApReq::decode(&encoded).unwrap(), ap_req);
    // A non-minimal or out-of-range kvno is still rejected.
    let mut bad = good.clone();
    bad[at + 8] = 0;
    assert!(ApReq::decode(&bad).is_err());
}
