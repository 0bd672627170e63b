//! RFC 4120 §3.2.3 as properties of the acceptor, over tickets minted with `krb_core::testing`:
//!
//! - random field values never panic it, and it accepts exactly the tokens the RFC's checks
//!   pass (a model of §3.2.3, RFC 4121 §4.1.1 and RFC 4178 §5 decides), reporting the minted
//!   facts unchanged;
//! - any single-byte change to a minted token is refused, or, when it lands outside the two
//!   ciphertexts (an unauthenticated field: the ticket's realm, sname, etype or kvno, the
//!   ap-options, the framing), accepted with the authenticated facts unchanged.
//!
//! Randomness is a fixed-seed xorshift, so a failure names its case and reproduces.
#![cfg(feature = "test-util")]
// The random generator truncates on purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use krb_core::Oid;
use krb_core::acceptor::{Accepted, Acceptor, Policy};
use krb_core::crypto::{Etype, Key};
use krb_core::gss::GSS_CHECKSUM_TYPE;
use krb_core::messages::{ApOptions, GssFlags, NameType, TicketFlags};
use krb_core::principal::Principal;
use krb_core::testing::{
    Mint, MintAd, MintChecksum, MintFraming, MintMechToken, MintMic, krb_cred_blob,
};

const NOW: i64 = 1_800_000_000;
const SKEW: i64 = 300;
const CB: &[u8] = b"tls-server-end-point:property";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW as u64)
}

const AES: [Etype; 4] = [
    Etype::Aes128CtsHmacSha196,
    Etype::Aes256CtsHmacSha196,
    Etype::Aes128CtsHmacSha256128,
    Etype::Aes256CtsHmacSha384192,
];

/// xorshift64*: small, deterministic, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    /// Whether to break the next field: only in faulty cases, one field in five.
    fn fault(&mut self, faulty: bool) -> bool {
        faulty && self.chance(5)
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
    fn bytes(&mut self, max: u64) -> Vec<u8> {
        (0..self.below(max + 1))
            .map(|_| self.next() as u8)
            .collect()
    }
    fn word(&mut self) -> String {
        let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789-.üß名"
            .chars()
            .collect();
        (0..1 + self.below(8))
            .map(|_| self.pick(&alphabet))
            .collect()
    }
}

/// What the minted token should produce, and why not when it should be refused.
struct Case {
    mint: Mint,
    bindings: Option<&'static [u8]>,
    refusal: Option<&'static str>,
}

fn random_case(rng: &mut Rng) -> Case {
    let etype = rng.pick(&AES);
    let service = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    let mut m = Mint::new(
        service,
        1 + rng.below(300) as u32,
        Key::random(etype).unwrap(),
        now(),
    )
    .unwrap();
    // Half the cases are well-formed; in the others, each field breaks with some chance.
    let faulty = rng.chance(2);
    let mut refusals: Vec<&'static str> = Vec::new();
    let mut refuse_if = |cond: bool, why: &'static str| {
        if cond {
            refusals.push(why);
        }
    };

    // The client, and what the authenticator claims.
    let client = Principal::new(
        NameType::Principal,
        (0..1 + rng.below(3))
            .map(|_| rng.word())
            .collect::<Vec<_>>(),
        rng.word().to_uppercase(),
    );
    m.set_client(client);
    match if rng.fault(faulty) {
        rng.below(2)
    } else {
        2 + rng.below(6)
    } {
        0 => {
            m.authenticator.client.realm.push('X');
            refuse_if(true, "crealm differs");
        }
        1 => {
            m.authenticator.client.components.push("x".into());
            refuse_if(true, "cname differs");
        }
        2 => m.authenticator.client.name_type = NameType::Enterprise,
        _ => {}
    }

    // Clear fields.
    if rng.fault(faulty) {
        m.ap_req.pvno = rng.pick(&[0, 4, 6, -5]);
        refuse_if(true, "pvno");
    }
    if rng.fault(faulty) {
        m.ap_req.msg_type = rng.pick(&[10, 15, 30, 0]);
        refuse_if(true, "msg-type");
    }
    if rng.fault(faulty) {
        m.ticket.tkt_vno = rng.pick(&[1, 4, 6]);
        refuse_if(true, "tkt-vno");
    }
    if rng.fault(faulty) {
        m.authenticator.vno = rng.pick(&[4, 6]);
        refuse_if(true, "authenticator-vno");
    }
    m.ap_req.options = ApOptions::from_bits(rng.next() as u32 & !ApOptions::USE_SESSION_KEY.bits());
    if rng.fault(faulty) {
        m.ap_req.options = m.ap_req.options | ApOptions::USE_SESSION_KEY;
        refuse_if(true, "use-session-key");
    }
    m.ticket.kvno = match rng.below(4) {
        0 => None,
        1 => Some(rng.next() as u32),
        _ => m.ticket.kvno,
    };
    match if rng.fault(faulty) { rng.below(3) } else { 3 } {
        0 => {
            m.ticket.etype = rng.pick(&[1, 3, 16, 99, -128]);
            refuse_if(true, "unknown etype");
        }
        1 => {
            let other = rng.pick(&AES);
            m.ticket.etype = other.number();
            refuse_if(other != etype, "no key of that etype");
        }
        2 => {
            m.ticket.key = Key::random(etype).unwrap();
            refuse_if(true, "wrong service key");
        }
        _ => {}
    }

    // The ticket's content.
    m.ticket.flags = TicketFlags::from_bits(rng.next() as u32 & !TicketFlags::INVALID.bits());
    if rng.fault(faulty) {
        m.ticket.flags = m.ticket.flags | TicketFlags::INVALID;
        refuse_if(true, "INVALID");
    }
    m.session_key = Key::random(rng.pick(&AES)).unwrap();
    m.ticket.authtime = NOW - rng.below(100_000) as i64;
    if rng.chance(4) {
        let start = NOW
            + if rng.fault(faulty) {
                rng.pick(&[SKEW + 1, 86_400])
            } else {
                rng.pick(&[-1000, -1, 0, SKEW])
            };
        m.ticket.starttime = Some(start);
        refuse_if(start - NOW > SKEW, "not yet valid");
    } else if rng.fault(faulty) {
        m.ticket.authtime = NOW + rng.pick(&[SKEW, SKEW + 1, 5000]);
        refuse_if(m.ticket.authtime - NOW > SKEW, "not yet valid (authtime)");
    }
    let end = NOW
        + if rng.fault(faulty) {
            rng.pick(&[-100_000, -SKEW - 1])
        } else {
            rng.pick(&[-SKEW, 0, 1, 36_000])
        };
    m.ticket.endtime = end;
    refuse_if(NOW - end > SKEW, "expired");
    m.ticket.renew_till = rng.chance(2).then(|| NOW + rng.below(1_000_000) as i64);
    m.ticket.transited = (rng.below(3) as i32, rng.bytes(8));
    m.ticket.caddr = (0..rng.below(3))
        .map(|_| (rng.pick(&[2, 24, 20]), rng.bytes(16)))
        .collect();
    m.ticket.authorization_data = (0..rng.below(4))
        .map(|_| MintAd {
            ad_type: rng.pick(&[128, 141, 142, 143, 4, 7777]),
            data: rng.bytes(64),
            if_relevant: rng.chance(2),
        })
        .collect();
    if rng.fault(faulty) && rng.chance(3) {
        m.ticket.plaintext = Some(rng.bytes(40));
        refuse_if(true, "malformed EncTicketPart");
    }

    // The authenticator.
    let ctime_offset = if rng.fault(faulty) {
        rng.pick(&[SKEW + 1, -SKEW - 1, 9999])
    } else {
        rng.pick(&[0, 1, -1, SKEW, -SKEW])
    };
    m.authenticator.ctime = NOW + ctime_offset;
    refuse_if(ctime_offset.abs() > SKEW, "skew");
    m.authenticator.cusec = rng.below(1_000_000) as i64;
    if rng.fault(faulty) && rng.chance(2) {
        m.authenticator.cusec = rng.pick(&[1_000_000, -1]);
        refuse_if(true, "cusec out of range");
    }
    m.authenticator.seq_number = rng.chance(2).then(|| i64::from(rng.next() as u32));
    m.authenticator.subkey = rng.chance(2).then(|| Key::random(rng.pick(&AES)).unwrap());
    m.authenticator.authorization_data = (0..rng.below(2))
        .map(|_| MintAd {
            ad_type: rng.pick(&[129, 9, 142]),
            data: rng.bytes(16),
            if_relevant: false,
        })
        .collect();
    if rng.fault(faulty) && rng.chance(2) {
        m.authenticator.etype = Some(rng.pick(&[1, 99, 17, 18, 19, 20]));
        let same = m.authenticator.etype == Some(m.session_key.etype().number());
        refuse_if(!same, "authenticator etype");
    }

    // Framing, checksum, bindings.
    m.framing = match rng.below(5) {
        0 => MintFraming::BareApReq,
        1 => MintFraming::Krb5(Oid::KRB5),
        2 => MintFraming::Krb5(Oid::KRB5_MS),
        _ => MintFraming::SpnegoInit {
            mech_types: rng.pick(&[
                vec![Oid::KRB5, Oid::NTLMSSP],
                vec![Oid::KRB5_MS, Oid::KRB5, Oid::NEGOEX, Oid::NTLMSSP],
                vec![Oid::KRB5],
            ]),
            mech_token: MintMechToken::Krb5,
            mic: match if rng.fault(faulty) {
                1
            } else {
                2 * rng.below(2)
            } {
                0 => MintMic::None,
                1 => {
                    refuse_if(true, "garbage mechListMIC");
                    MintMic::Garbage(rng.bytes(40))
                }
                _ => MintMic::Valid,
            },
        },
    };
    let gss = m.framing != MintFraming::BareApReq;
    let bindings = rng.chance(2).then_some(CB);
    m.authenticator.checksum = match if rng.fault(faulty) { rng.below(4) } else { 3 } {
        0 => {
            refuse_if(gss, "no checksum");
            MintChecksum::None
        }
        1 => {
            refuse_if(gss, "checksum type");
            MintChecksum::Raw {
                cksumtype: rng.pick(&[1, 16, 0x8004]),
                checksum: rng.bytes(30),
            }
        }
        2 => {
            refuse_if(gss, "malformed 0x8003");
            MintChecksum::Raw {
                cksumtype: GSS_CHECKSUM_TYPE,
                checksum: rng.bytes(23),
            }
        }
        _ => {
            let token_bindings = match if rng.fault(faulty) { 2 } else { rng.below(2) } {
                0 => None,
                1 => Some(CB.to_vec()),
                _ => Some(b"tls-server-end-point:another".to_vec()),
            };
            refuse_if(
                gss && bindings.is_some() && token_bindings.as_deref().is_some_and(|b| b != CB),
                "channel bindings",
            );
            let delegation = rng.chance(3).then(|| krb_cred_blob(&rng.bytes(50)));
            MintChecksum::Gss {
                flags: GssFlags::from_bits(rng.next() as u32 & 0x703f),
                channel_bindings: token_bindings,
                delegation,
            }
        }
    };
    Case {
        mint: m,
        bindings,
        refusal: refusals.first().copied(),
    }
}

/// The accepted facts are the minted ones.
fn check_facts(m: &Mint, ok: &Accepted, case: &str) {
    assert_eq!(
        ok.ticket.client.components, m.ticket.client.components,
        "{case}"
    );
    assert_eq!(ok.ticket.client.realm, m.ticket.client.realm, "{case}");
    assert_eq!(
        ok.ticket.service.to_string(),
        m.service.to_string(),
        "{case}"
    );
    assert_eq!(ok.ticket.kvno, m.kvno, "{case}");
    assert_eq!(ok.ticket.flags, m.ticket.flags, "{case}");
    assert_eq!(ok.ticket.authtime, m.ticket.authtime, "{case}");
    assert_eq!(ok.ticket.starttime, m.ticket.starttime, "{case}");
    assert_eq!(ok.ticket.endtime, m.ticket.endtime, "{case}");
    assert_eq!(ok.ticket.renew_till, m.ticket.renew_till, "{case}");
    assert_eq!(ok.ticket.ctime, m.authenticator.ctime, "{case}");
    assert_eq!(i64::from(ok.ticket.cusec), m.authenticator.cusec, "{case}");
    assert_eq!(
        ok.session_key.as_bytes(),
        m.session_key.as_bytes(),
        "{case}"
    );
    assert_eq!(
        ok.subkey.as_ref().map(Key::as_bytes),
        m.authenticator.subkey.as_ref().map(Key::as_bytes),
        "{case}"
    );
    assert_eq!(
        ok.seq_number.map(i64::from),
        m.authenticator.seq_number,
        "{case}"
    );
    assert_eq!(
        ok.pac(),
        m.ticket
            .authorization_data
            .iter()
            .find(|a| a.ad_type == 128)
            .map(|a| a.data.as_slice()),
        "{case}"
    );
    if let MintChecksum::Gss { delegation, .. } = &m.authenticator.checksum
        && m.framing != MintFraming::BareApReq
    {
        assert_eq!(ok.delegated, *delegation, "{case}");
    }
}

#[test]
fn random_fields_are_accepted_exactly_when_the_rfc_checks_pass() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..400 {
        let case = random_case(&mut rng);
        let m = &case.mint;
        let acceptor = Acceptor::new(m.service_keys(), Policy::default());
        let token = m.mint().unwrap().token;
        let result = acceptor.accept(&token, now(), case.bindings);
        match (result, case.refusal) {
            (Ok(ok), None) => {
                accepted += 1;
                check_facts(m, &ok, &format!("case {i}"));
            }
            (Err(e), Some(_)) => {
                refused += 1;
                // A client's mistake is never reported as the server's own failure.
                assert_ne!(e.label(), "internal", "case {i}: {e:?}");
                assert!(!e.to_string().is_empty());
            }
            (Ok(_), Some(why)) => panic!("case {i}: accepted, but it should fail for {why}"),
            (Err(e), None) => panic!("case {i}: refused ({}) but valid: {e}", e.code().name()),
        }
    }
    // Both sides were exercised.
    assert!(
        accepted > 40 && refused > 40,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn every_single_byte_change_is_refused_or_leaves_the_authenticated_facts_alone() {
    let service = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    let framings = [
        MintFraming::BareApReq,
        MintFraming::Krb5(Oid::KRB5),
        MintFraming::SpnegoInit {
            mech_types: vec![Oid::KRB5_MS, Oid::KRB5, Oid::NTLMSSP],
            mech_token: MintMechToken::Krb5,
            mic: MintMic::Valid,
        },
    ];
    for (f, framing) in framings.into_iter().enumerate() {
        let key = Key::random(AES[f % AES.len()]).unwrap();
        let mut m = Mint::new(service.clone(), 2, key, now()).unwrap();
        m.framing = framing;
        m.ticket.authorization_data = vec![MintAd {
            ad_type: 128,
            data: b"PAC".to_vec(),
            if_relevant: true,
        }];
        m.authenticator.subkey = Some(Key::random(Etype::Aes128CtsHmacSha196).unwrap());
        let minted = m.mint().unwrap();
        let mut policy = Policy::default();
        policy.danger.disable_replay_cache = true;
        let acceptor = Acceptor::new(m.service_keys(), policy);
        let original = acceptor.accept(&minted.token, now(), None).unwrap();
        let mut accepted_changes = 0;
        for i in 0..minted.token.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut token = minted.token.clone();
                token[i] ^= mask;
                let Ok(ok) = acceptor.accept(&token, now(), None) else {
                    continue;
                };
                accepted_changes += 1;
                let case = format!("framing {f}, byte {i} ^ {mask:#04x}");
                assert!(
                    !minted.ticket_cipher.contains(&i) && !minted.authenticator_cipher.contains(&i),
                    "{case}: a change inside a ciphertext was accepted"
                );
                check_facts(&m, &ok, &case);
                assert_eq!(ok.ticket.client, original.ticket.client, "{case}");
            }
        }
        // Some clear fields can change (the ticket's kvno, unnamed ap-option bits); not many.
        assert!(
            accepted_changes < minted.token.len(),
            "framing {f}: {accepted_changes} accepted changes"
        );
    }
}
