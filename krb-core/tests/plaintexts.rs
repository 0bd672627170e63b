//! The decoders on real plaintexts: the fixtures' tickets, authenticators and AP-REPs are
//! decrypted (aes128/aes256-cts-hmac-sha1-96, with krb_core::crypto and the keys of
//! testdata/), then EncTicketPart, Authenticator, the RFC 4121 §4.1.1 checksum and
//! EncAPRepPart are decoded and checked against MIT's manifest, and re-encoded byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{decrypt, hex};
use krb_core::gss::{GSS_CHECKSUM_TYPE, GssChecksum, Krb5Token};
use krb_core::messages::{
    ApRep, Authenticator, EncApRepPart, EncKrbCredPart, EncTicketPart, GssFlags, KrbCred,
    TicketFlags, ad_type,
};
use krb_core::spnego::NegTokenResp;
use krb_core::token::parse_negotiate;
use serde_json::Value;

/// Key usages (RFC 4120 §7.5.1).
const TICKET: u32 = 2;
const AUTHENTICATOR: u32 = 11;
const AP_REP: u32 = 12;

fn manifest() -> Value {
    serde_json::from_slice(&std::fs::read(common::testdata().join("mit/manifest.json")).unwrap())
        .unwrap()
}

/// The service key for (principal, kvno, etype) from the manifest's keytabs.
fn service_key(m: &Value, principal: &str, kvno: u64, etype: i64) -> Vec<u8> {
    for keytab in m["keytabs"].as_array().unwrap() {
        for e in keytab["entries"].as_array().unwrap() {
            if e["principal"] == principal && e["kvno"] == kvno && e["etype"] == etype {
                return hex(e["key_hex"].as_str().unwrap());
            }
        }
    }
    panic!("no key for {principal} kvno {kvno} etype {etype}");
}

fn gss_flags(names: &Value) -> GssFlags {
    names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| {
            GssFlags::NAMED
                .iter()
                .find(|(_, text)| *text == n.as_str().unwrap())
                .map(|(f, _)| *f)
        })
        .fold(GssFlags::empty(), |a, b| a | b)
}

#[test]
fn mit_plaintexts_decode_as_the_manifest_says() {
    let m = manifest();
    let mut checked = 0;
    let mut delegations = 0;
    for t in m["tokens"].as_array().unwrap() {
        let etype = t["ticket"]["etype"].as_i64().unwrap();
        let session_etype = t["ticket"]["session_key"]["etype"].as_i64().unwrap();
        if !(17..=18).contains(&etype) || !(17..=18).contains(&session_etype) {
            continue;
        }
        let file = t["file"].as_str().unwrap();
        let bytes = std::fs::read(common::testdata().join("mit").join(file)).unwrap();
        let session_key = hex(t["ticket"]["session_key"]["hex"].as_str().unwrap());
        let ctx = &t["acceptor_context"];
        match t["kind"].as_str().unwrap() {
            "ap-req" => {
                let token = parse_negotiate(&bytes).unwrap();
                let ap_req = &token.ap_req().unwrap().ap_req;
                // The ticket.
                let key = service_key(
                    &m,
                    t["service"].as_str().unwrap(),
                    t["ticket"]["kvno"].as_u64().unwrap(),
                    etype,
                );
                let plain = decrypt(&key, TICKET, ap_req.ticket.enc_part.cipher).unwrap();
                let part = EncTicketPart::decode(&plain).unwrap();
                assert_eq!(part.encode().unwrap(), plain, "{file}");
                let client = format!("{}@{}", part.cname, String::from_utf8_lossy(part.crealm));
                assert_eq!(client, t["client"].as_str().unwrap(), "{file}");
                let flags = u32::from_str_radix(
                    t["ticket"]["flags"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches("0x"),
                    16,
                )
                .unwrap();
                assert_eq!(part.flags, TicketFlags::from_bits(flags), "{file}");
                let names: Vec<&str> = part.flags.names().collect();
                let expected: Vec<&str> = t["ticket"]["flag_names"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert_eq!(names, expected, "{file}");
                assert_eq!(part.authtime, t["ticket"]["authtime"].as_i64().unwrap());
                // An absent starttime means authtime (RFC 4120 §5.3); the ccache shows it.
                assert_eq!(
                    Some(part.starttime.unwrap_or(part.authtime)),
                    t["ticket"]["starttime"].as_i64()
                );
                assert_eq!(part.endtime, t["ticket"]["endtime"].as_i64().unwrap());
                assert_eq!(part.renew_till, t["ticket"]["renew_till"].as_i64());
                assert_eq!(i64::from(part.key.keytype), session_etype);
                assert_eq!(part.key.keyvalue, session_key);
                // MIT 1.20 puts a PAC in AD-IF-RELEVANT.
                assert!(
                    part.authorization_data
                        .iter()
                        .any(|a| a.ad_type == ad_type::WIN2K_PAC && a.if_relevant),
                    "{file}"
                );
                // The authenticator.
                let plain =
                    decrypt(&session_key, AUTHENTICATOR, ap_req.authenticator.cipher).unwrap();
                let a = Authenticator::decode(&plain).unwrap();
                assert_eq!(a.encode().unwrap(), plain, "{file}");
                assert_eq!(a.cname.to_string() + "@EXAMPLE.TEST", client);
                assert!((a.ctime - t["created"].as_i64().unwrap()).abs() <= 2);
                assert_eq!(a.seq_number.map(u64::from), ctx["recv_seq"].as_u64());
                let subkey = a.subkey.unwrap();
                assert_eq!(
                    subkey.keyvalue,
                    hex(ctx["context_key"]["hex"].as_str().unwrap())
                );
                let cksum = a.cksum.unwrap();
                assert_eq!(cksum.cksumtype, GSS_CHECKSUM_TYPE);
                let c = GssChecksum::decode(cksum.checksum).unwrap();
                assert_eq!(c.flags, gss_flags(&t["initiator_flags"]), "{file}");
                assert_eq!(c.delegation.is_some(), t["delegation"].as_bool().unwrap());
                if let Some(krb_cred) = c.delegation {
                    check_delegation(krb_cred, &session_key, file);
                    delegations += 1;
                }
                assert_eq!(c.has_no_channel_binding(), t["channel_bindings"].is_null());
                assert_eq!(c.encode().unwrap(), cksum.checksum);
                checked += 1;
            }
            "ap-rep" => {
                let krb5 = if t["wrapping"] == "gss-krb5" {
                    bytes.clone()
                } else {
                    NegTokenResp::decode(&bytes)
                        .unwrap()
                        .response_token
                        .unwrap()
                        .to_vec()
                };
                let token = Krb5Token::decode(&krb5).unwrap();
                let ap_rep = ApRep::decode(token.message).unwrap();
                let plain = decrypt(&session_key, AP_REP, ap_rep.enc_part.cipher).unwrap();
                let part = EncApRepPart::decode(&plain).unwrap();
                assert_eq!(part.encode().unwrap(), plain, "{file}");
                assert_eq!(part.seq_number.map(u64::from), ctx["send_seq"].as_u64());
                assert_eq!(
                    part.subkey.map(|k| k.keyvalue.to_vec()),
                    ctx["acceptor_subkey"]["hex"].as_str().map(hex)
                );
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked >= 20, "only {checked} tokens checked");
    assert_eq!(delegations, 2, "krb5-api-deleg and spnego-api-deleg");
}

/// Key usage of KRB-CRED's enc-part (RFC 4120 §7.5.1).
const KRB_CRED: u32 = 14;

/// The delegated KRB-CRED holds alice's forwarded TGT, and its EncKrbCredPart (encrypted in
/// the ticket's session key, as MIT does) the TGT's key.
fn check_delegation(bytes: &[u8], session_key: &[u8], file: &str) {
    let cred = KrbCred::decode(bytes).unwrap();
    assert_eq!(cred.encode().unwrap(), bytes, "{file}");
    assert_eq!(cred.tickets.len(), 1);
    assert_eq!(cred.tickets[0].sname.to_string(), "krbtgt/EXAMPLE.TEST");
    assert_eq!(cred.enc_part.etype, 18);
    let plain = decrypt(session_key, KRB_CRED, cred.enc_part.cipher).unwrap();
    let part = EncKrbCredPart::decode(&plain).unwrap();
    assert_eq!(part.encode().unwrap(), plain, "{file}");
    assert_eq!(part.ticket_info.len(), 1);
    let info = &part.ticket_info[0];
    assert_eq!(info.pname.as_ref().unwrap().to_string(), "alice");
    assert_eq!(info.prealm, Some(&b"EXAMPLE.TEST"[..]));
    assert_eq!(
        info.sname.as_ref().unwrap().to_string(),
        "krbtgt/EXAMPLE.TEST"
    );
    assert!(info.flags.unwrap().contains(TicketFlags::FORWARDED));
    assert_eq!(info.key.keyvalue.len(), 32);
    for len in 0..bytes.len() {
        assert!(KrbCred::decode(&bytes[..len]).is_err());
    }
    for len in 0..plain.len() {
        assert!(EncKrbCredPart::decode(&plain[..len]).is_err());
    }
}

#[test]
fn windows_ad_plaintexts_decode() {
    for (name, etype) in [("aes128", 17), ("aes256", 18)] {
        let dir = common::testdata().join("windows-ad");
        let token = std::fs::read(dir.join(format!("{name}-kerberos-data"))).unwrap();
        let key = std::fs::read(dir.join(format!("{name}-key-data"))).unwrap();
        let parsed = parse_negotiate(&token).unwrap();
        let ap_req = &parsed.ap_req().unwrap().ap_req;
        assert_eq!(ap_req.ticket.enc_part.etype, etype);
        let plain = decrypt(&key, TICKET, ap_req.ticket.enc_part.cipher).unwrap();
        let part = EncTicketPart::decode(&plain).unwrap();
        assert_eq!(part.encode().unwrap(), plain, "{name}");
        assert_eq!(part.crealm, b"DOMAIN.COM");
        let pac = part
            .authorization_data
            .iter()
            .find(|a| a.ad_type == ad_type::WIN2K_PAC)
            .unwrap();
        assert!(pac.if_relevant);
        assert!(pac.ad_data.len() > 500);
        let plain = decrypt(
            part.key.keyvalue,
            AUTHENTICATOR,
            ap_req.authenticator.cipher,
        )
        .unwrap();
        let a = Authenticator::decode(&plain).unwrap();
        assert_eq!(a.crealm, b"DOMAIN.COM");
        assert_eq!(a.encode().unwrap(), plain, "{name}");
        let c = GssChecksum::decode(a.cksum.unwrap().checksum).unwrap();
        assert!(c.flags.contains(GssFlags::MUTUAL), "{:?}", c.flags);
    }
}

#[test]
fn plaintext_truncations_and_corruptions_are_handled() {
    let m = manifest();
    let t = &m["tokens"][0];
    let bytes = std::fs::read(
        common::testdata()
            .join("mit")
            .join(t["file"].as_str().unwrap()),
    )
    .unwrap();
    let token = parse_negotiate(&bytes).unwrap();
    let ap_req = &token.ap_req().unwrap().ap_req;
    let key = service_key(
        &m,
        t["service"].as_str().unwrap(),
        t["ticket"]["kvno"].as_u64().unwrap(),
        t["ticket"]["etype"].as_i64().unwrap(),
    );
    let ticket = decrypt(&key, TICKET, ap_req.ticket.enc_part.cipher).unwrap();
    let session_key = hex(t["ticket"]["session_key"]["hex"].as_str().unwrap());
    let authenticator = decrypt(&session_key, AUTHENTICATOR, ap_req.authenticator.cipher).unwrap();
    for (plain, is_ticket) in [(ticket, true), (authenticator, false)] {
        let decode = |b: &[u8]| {
            if is_ticket {
                EncTicketPart::decode(b).is_ok()
            } else {
                Authenticator::decode(b).is_ok()
            }
        };
        assert!(decode(&plain));
        for len in 0..plain.len() {
            assert!(!decode(&plain[..len]), "a cut to {len} decoded");
        }
        let mut bytes = plain.clone();
        for at in 0..bytes.len() {
            let original = bytes[at];
            for value in [
                original ^ 0xff,
                original ^ 0x80,
                original ^ 0x01,
                0x00,
                0x80,
                0x84,
            ] {
                bytes[at] = value;
                let _ = decode(&bytes);
            }
            bytes[at] = original;
        }
    }
}
