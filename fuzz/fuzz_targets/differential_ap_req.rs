//! Differential: our strict `ApReq::decode` against rasn-kerberos 0.30, an independent ASN.1
//! implementation. Where both accept, every field agrees. Where only one accepts, the input
//! must fall in one of the classes listed in `fuzz/DIFFERENTIAL.md` (each encoded below as a
//! predicate); any other disagreement is a finding, and the target panics.
#![no_main]

use krb_core::DerErrorKind;
use krb_core::messages::{ApReq, EncryptedData, PrincipalName};
use rasn::types::GeneralString;
use rasn_kerberos as rk;

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

/// Class G (DIFFERENTIAL.md): a Realm or KerberosString that rasn's GeneralString refuses
/// (it refuses some bytes, e.g. the 0x80-0xA0 of UTF-8 names, that we keep as bytes).
fn has_string_rasn_refuses(ap: &ApReq<'_>) -> bool {
    std::iter::once(ap.ticket.realm)
        .chain(ap.ticket.sname.components.iter().copied())
        .any(|s| GeneralString::from_bytes(s).is_err())
}

/// Class K: a kvno of 2^31 or more, which we read from MIT's negative INTEGER encoding and
/// rasn (a plain `u32`) refuses when it is negative on the wire.
fn has_high_kvno(ap: &ApReq<'_>) -> bool {
    [ap.ticket.enc_part.kvno, ap.authenticator.kvno]
        .iter()
        .flatten()
        .any(|k| *k >= 0x8000_0000)
}

/// The classes where rasn accepts and we refuse: our first error names the rule, and each of
/// these rules is deliberate DER (X.690 §10) or RFC 4120 strictness.
fn deliberate_strictness(kind: &DerErrorKind) -> Option<&'static str> {
    Some(match kind {
        DerErrorKind::NonMinimalLength => "L: non-minimal length",
        DerErrorKind::LengthTooLong { .. } => "L5: length of more than 4 length bytes",
        DerErrorKind::NonMinimalInteger { .. } => "I: non-minimal INTEGER",
        DerErrorKind::EmptyInteger { .. } => "I0: empty INTEGER",
        DerErrorKind::WrongVersion { .. } => "V: pvno or tkt-vno other than 5",
        DerErrorKind::WrongMessageType { .. } => "M: msg-type other than 14",
        DerErrorKind::InvalidBitString { .. } => "B: BIT STRING with non-zero unused bits",
        DerErrorKind::TooManyElements { .. } => "N: more than 256 name components",
        DerErrorKind::TooDeep { .. } => "D: nesting deeper than 32",
        DerErrorKind::IntegerOutOfRange { .. } => "R: INTEGER out of the field's range",
        _ => return None,
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let ours = ApReq::decode(data);
    let theirs = rasn::der::decode::<rk::ApReq>(data);
    match (&ours, &theirs) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(int(&theirs.pvno), Some(5), "pvno");
            assert_eq!(int(&theirs.msg_type), Some(14), "msg-type");
            assert_eq!(int(&theirs.ticket.tkt_vno), Some(5), "tkt-vno");
            assert_eq!(ours.ap_options.bits(), flags_of(&theirs.ap_options.0), "ap-options");
            assert_eq!(ours.ticket.realm, theirs.ticket.realm.as_bytes(), "realm");
            same_name(&ours.ticket.sname, &theirs.ticket.sname);
            same_enc(&ours.ticket.enc_part, &theirs.ticket.enc_part);
            same_enc(&ours.authenticator, &theirs.authenticator);
        }
        (Ok(ours), Err(e)) => {
            assert!(
                has_string_rasn_refuses(ours) || has_high_kvno(ours),
                "unclassified: we accept, rasn refuses ({e:?}): {ours:?}"
            );
        }
        (Err(e), Ok(theirs)) => {
            assert!(
                deliberate_strictness(&e.kind).is_some(),
                "unclassified: rasn accepts, we refuse with {e}: {theirs:?}"
            );
        }
        (Err(_), Err(_)) => {}
    }
});
