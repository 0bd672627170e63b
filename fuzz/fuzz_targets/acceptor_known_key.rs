//! The full acceptor in known-key mode, reaching the code after decryption (the rustls way).
//!
//! Input layout: byte 0 picks the framing (see `krb_fuzz::frame`) and whether mutual
//! authentication is asked for (bit 2); bytes 1-2 (big-endian) are the length of the ticket
//! plaintext that follows; the rest is the authenticator plaintext. The ticket plaintext is
//! encrypted with the fixed service key (key usage 2), the authenticator plaintext with the
//! fixed session key (key usage 11), both wrapped in a valid AP-REQ and framed, then accepted at
//! the fixed time. Seeds that decrypt and validate are in `testdata/hostile/fuzz-seeds/`.
//!
//! Checks: never a panic; an accepted token's plaintexts decode with the message decoders, the
//! client is the ticket's, the session key is the ticket's, and a mutual accept answers.
#![no_main]

use krb_core::crypto::KeyUsage;
use krb_core::messages::{
    ApOptions, ApReq, Authenticator, EncTicketPart, EncryptedData, NameType, PrincipalName, Ticket,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((len, rest)) = rest.split_first_chunk::<2>() else {
        return;
    };
    let len = usize::from(u16::from_be_bytes(*len)).min(rest.len());
    let (ticket_plain, auth_plain) = rest.split_at(len);

    let service_key = krb_fuzz::service_key();
    let session_key = krb_fuzz::session_key();
    let (Ok(ticket_cipher), Ok(auth_cipher)) = (
        service_key.encrypt(KeyUsage::TICKET, ticket_plain),
        session_key.encrypt(KeyUsage::AP_REQ_AUTHENTICATOR, auth_plain),
    ) else {
        return;
    };
    let ap_req = ApReq {
        ap_options: if selector & 4 != 0 {
            ApOptions::MUTUAL_REQUIRED
        } else {
            ApOptions::empty()
        },
        ticket: Ticket {
            realm: b"EXAMPLE.TEST",
            sname: PrincipalName {
                name_type: NameType::SrvHst,
                components: vec![b"HTTP", b"api.example.test"],
            },
            enc_part: EncryptedData {
                etype: service_key.etype().number(),
                kvno: Some(krb_fuzz::KVNO),
                cipher: &ticket_cipher,
            },
        },
        authenticator: EncryptedData {
            etype: session_key.etype().number(),
            kvno: None,
            cipher: &auth_cipher,
        },
    };
    let Ok(der) = ap_req.encode() else {
        return;
    };
    let token = krb_fuzz::frame(selector, &der);
    match krb_fuzz::acceptor().accept(&token, krb_fuzz::now(), None) {
        Ok(ok) => {
            let part = EncTicketPart::decode(ticket_plain).expect("an accepted ticket decodes");
            let auth =
                Authenticator::decode(auth_plain).expect("an accepted authenticator decodes");
            assert_eq!(part.key.keyvalue, session_key.as_bytes());
            assert_eq!(ok.session_key.as_bytes(), session_key.as_bytes());
            assert_eq!(ok.ticket.client.realm.as_bytes(), part.crealm);
            assert!(auth.cname.same_name(&part.cname));
            assert_eq!(ok.ticket.ctime, auth.ctime);
            assert_eq!(ok.ticket.service, krb_fuzz::service());
            if selector & 4 != 0 {
                assert!(ok.mutual && ok.response_token.is_some());
            }
        }
        Err(e) => {
            let _ = (e.to_string(), e.code().name(), e.label());
        }
    }
});
