//! Differential: our strict decoders against rasn-kerberos 0.30, an independent ASN.1
//! implementation, for the AP-REQ (`ApReq::decode`) and its Authenticator
//! (`Authenticator::decode`, where times and microseconds live). A GSS-API header before an
//! AP-REQ (`60 .. 06 09 <krb5 OID> 01 00`) is skipped, so the real tokens of `testdata/` seed it.
//!
//! Where both accept, every field agrees. Where only one accepts, the input must fall in one of
//! the classes of `fuzz/DIFFERENTIAL.md`, each encoded below as a predicate; any other
//! disagreement is a finding, and the target panics. With `KRB_FUZZ_DIFF_LOG` set, it prints
//! the class of each disagreement (to count them over a corpus).
#![no_main]

use std::sync::OnceLock;

use krb_core::DerErrorKind;
use krb_core::messages::{ApReq, Authenticator, EncryptedData, PrincipalName, ad_type};
use rasn::types::GeneralString;
use rasn_kerberos as rk;

fn log(class: &str) {
    static ON: OnceLock<bool> = OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("KRB_FUZZ_DIFF_LOG").is_some()) {
        eprintln!("differential class: {class}");
    }
}

fn flags_of(bits: &rasn::types::BitString) -> u32 {
    let mut word = [0u8; 4];
    for (w, b) in word.iter_mut().zip(bits.as_raw_slice()) {
        *w = *b;
    }
    u32::from_be_bytes(word)
}

fn int(i: &rasn::types::Integer) -> Option<i64> {
    i64::try_from(i).ok()
}

fn same_name(ours: &PrincipalName<'_>, theirs: &rk::PrincipalName) {
    assert_eq!(ours.name_type.to_i32(), theirs.r#type, "name-type");
    let theirs: Vec<&[u8]> = theirs.string.iter().map(GeneralString::as_bytes).collect();
    assert_eq!(ours.components, theirs, "name components");
}

fn same_enc(ours: &EncryptedData<'_>, theirs: &rk::EncryptedData) {
    assert_eq!(ours.etype, theirs.etype, "etype");
    assert_eq!(ours.kvno, theirs.kvno, "kvno");
    assert_eq!(ours.cipher, &theirs.cipher[..], "cipher");
}

/// Class G: a Realm or KerberosString that rasn's GeneralString refuses (it refuses bytes
/// such as the 0x80-0xA0 of UTF-8 names, which we keep as bytes).
fn rasn_refuses_a_string<'a>(mut strings: impl Iterator<Item = &'a [u8]>) -> bool {
    strings.any(|s| GeneralString::from_bytes(s).is_err())
}

/// Class K/S: a kvno or seq-number of 2^31 or more, which we read from the negative INTEGER
/// that MIT sends, and rasn (a plain `u32`) refuses when it is negative on the wire.
fn high_u32(values: &[Option<u32>]) -> bool {
    values.iter().flatten().any(|v| *v >= 0x8000_0000)
}

/// The classes where rasn accepts and we refuse: our first error names the rule, each a
/// deliberate DER (X.690 §10-11) or RFC 4120 strictness.
fn deliberate_strictness(e: &krb_core::DerError, input: &[u8]) -> Option<&'static str> {
    Some(match &e.kind {
        DerErrorKind::NonMinimalLength => "L: non-minimal length",
        DerErrorKind::LengthTooLong { .. } => "L5: a length of more than 4 bytes",
        DerErrorKind::NonMinimalInteger { .. } => "I: non-minimal INTEGER",
        DerErrorKind::EmptyInteger { .. } => "I0: empty INTEGER",
        DerErrorKind::WrongVersion { .. } => "V: pvno, tkt-vno or authenticator-vno not 5",
        DerErrorKind::WrongMessageType { .. } => "M: msg-type not 14",
        DerErrorKind::InvalidBitString { .. } => "B: BIT STRING with bad unused bits",
        DerErrorKind::InvalidTime { .. } => "T: KerberosTime not exactly YYYYMMDDHHMMSSZ",
        DerErrorKind::IntegerOutOfRange { .. } => "R: INTEGER out of its field's range",
        DerErrorKind::TooManyElements { .. } => "N: SEQUENCE OF longer than 256",
        DerErrorKind::TooDeep { .. } => "D: nesting deeper than 32",
        // Found where a constructed EXPLICIT tag was expected, or after an OPTIONAL one we
        // therefore did not take for its field.
        DerErrorKind::UnexpectedTag { found, .. }
            if found.class == krb_core::Class::Context && !found.constructed =>
        {
            "C: a context tag with the constructed bit clear (an EXPLICIT tag marked primitive)"
        }
        // The right tag number with the constructed bit flipped: a constructed INTEGER,
        // OCTET STRING, GeneralString... (X.690 §8.3.1 and §10.2: primitive only in DER).
        DerErrorKind::UnexpectedTag {
            expected, found, ..
        } if expected.class == found.class && expected.number == found.number => {
            "P: a primitive type with the constructed bit set"
        }
        // An OPTIONAL field whose EXPLICIT tag is marked primitive is not that field to us, so
        // it is left over after the SEQUENCE: the same class as above.
        DerErrorKind::TrailingData { .. }
            if input
                .get(e.offset)
                .is_some_and(|b| (0x80..=0x9e).contains(b)) =>
        {
            "C: a context tag with the constructed bit clear (an EXPLICIT tag marked primitive)"
        }
        _ => return None,
    })
}

fn ap_req(data: &[u8]) {
    match (ApReq::decode(data), rasn::der::decode::<rk::ApReq>(data)) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(int(&theirs.pvno), Some(5), "pvno");
            assert_eq!(int(&theirs.msg_type), Some(14), "msg-type");
            assert_eq!(int(&theirs.ticket.tkt_vno), Some(5), "tkt-vno");
            assert_eq!(
                ours.ap_options.bits(),
                flags_of(&theirs.ap_options.0),
                "ap-options"
            );
            assert_eq!(ours.ticket.realm, theirs.ticket.realm.as_bytes(), "realm");
            same_name(&ours.ticket.sname, &theirs.ticket.sname);
            same_enc(&ours.ticket.enc_part, &theirs.ticket.enc_part);
            same_enc(&ours.authenticator, &theirs.authenticator);
        }
        (Ok(ours), Err(e)) => {
            let strings = std::iter::once(ours.ticket.realm)
                .chain(ours.ticket.sname.components.iter().copied());
            if rasn_refuses_a_string(strings) {
                log("G: a string rasn's GeneralString refuses");
            } else if high_u32(&[ours.ticket.enc_part.kvno, ours.authenticator.kvno]) {
                log("K: a kvno of 2^31 or more, negative on the wire");
            } else {
                panic!("unclassified: we accept an AP-REQ that rasn refuses ({e:?}): {ours:?}");
            }
        }
        (Err(e), Ok(theirs)) => match deliberate_strictness(&e, data) {
            Some(class) => log(class),
            None => panic!("unclassified: rasn accepts an AP-REQ we refuse with {e}: {theirs:?}"),
        },
        (Err(_), Err(_)) => {}
    }
}

fn authenticator(data: &[u8]) {
    match (
        Authenticator::decode(data),
        rasn::der::decode::<rk::Authenticator>(data),
    ) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(int(&theirs.authenticator_vno), Some(5), "authenticator-vno");
            assert_eq!(ours.crealm, theirs.crealm.as_bytes(), "crealm");
            same_name(&ours.cname, &theirs.cname);
            assert_eq!(
                ours.cksum.map(|c| (c.cksumtype, c.checksum)),
                theirs.cksum.as_ref().map(|c| (c.r#type, &c.checksum[..])),
                "cksum"
            );
            assert_eq!(Some(i64::from(ours.cusec)), int(&theirs.cusec), "cusec");
            assert_eq!(ours.ctime, theirs.ctime.0.timestamp(), "ctime");
            assert_eq!(theirs.ctime.0.timestamp_subsec_nanos(), 0, "ctime fraction");
            assert_eq!(
                ours.subkey.map(|k| (k.keytype, k.keyvalue)),
                theirs.subkey.as_ref().map(|k| (k.r#type, &k.value[..])),
                "subkey"
            );
            assert_eq!(ours.seq_number, theirs.seq_number, "seq-number");
            let raw = theirs.authorization_data.unwrap_or_default();
            if raw.iter().all(|a| a.r#type != ad_type::IF_RELEVANT) {
                let theirs: Vec<(i32, &[u8])> =
                    raw.iter().map(|a| (a.r#type, &a.data[..])).collect();
                let ours: Vec<(i32, &[u8])> = ours
                    .authorization_data
                    .iter()
                    .map(|a| (a.ad_type, a.ad_data))
                    .collect();
                assert_eq!(ours, theirs, "authorization-data");
            }
        }
        (Ok(ours), Err(e)) => {
            let strings = std::iter::once(ours.crealm).chain(ours.cname.components.iter().copied());
            if rasn_refuses_a_string(strings) {
                log("G: a string rasn's GeneralString refuses");
            } else if high_u32(&[ours.seq_number]) {
                log("S: a seq-number of 2^31 or more, negative on the wire");
            } else {
                panic!("unclassified: we accept an Authenticator rasn refuses ({e:?}): {ours:?}");
            }
        }
        (Err(e), Ok(theirs)) => match deliberate_strictness(&e, data) {
            Some(class) => log(class),
            None => {
                panic!("unclassified: rasn accepts an Authenticator we refuse with {e}: {theirs:?}")
            }
        },
        (Err(_), Err(_)) => {}
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Skip a GSS-API header before an AP-REQ: its TOK_ID 01 00 and the AP-REQ tag 6e.
    let message = data
        .iter()
        .take(24)
        .zip(data.iter().skip(1))
        .zip(data.iter().skip(2))
        .position(|((a, b), c)| [*a, *b, *c] == [0x01, 0x00, 0x6e])
        .and_then(|at| data.get(at + 2..))
        .unwrap_or(data);
    ap_req(message);
    authenticator(data);
});
