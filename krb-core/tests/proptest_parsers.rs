//! Property tests on stable (the fuzz targets' properties, for every `cargo test`):
//!
//! 1. Any bytes, and mutations of real tokens, into every public parse function give Ok or Err,
//!    never a panic, and errors point inside the input.
//! 2. For everything we encode (AP-REQ, Ticket, Authenticator, EncTicketPart, AP-REP,
//!    EncAPRepPart, KRB-ERROR, the GSS-API checksum, NegTokenInit, NegTokenResp), decoding the
//!    encoding of generated field values gives the same values back (RFC 4120 §5, RFC 4121
//!    §4.1.1, RFC 4178 §4.2).
//!
//! Case counts are modest (256) so the suite stays fast.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use krb_core::Oid;
use krb_core::ccache::Ccache;
use krb_core::gss::{GssChecksum, Krb5Token};
use krb_core::messages::{
    ApOptions, ApRep, ApReq, Authenticator, AuthorizationData, Checksum, ContextFlags,
    EncApRepPart, EncKrbCredPart, EncTicketPart, EncryptedData, EncryptionKey, GssFlags,
    HostAddress, KrbCred, KrbError, NameType, PrincipalName, Ticket, TicketFlags,
    TransitedEncoding,
};
use krb_core::spnego::{
    NegHints, NegState, NegTokenInit, NegTokenResp, NegotiationToken, encode_mech_types,
};
use krb_core::token::parse_negotiate;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every public parser over `data`; DER errors must point inside it.
fn parse_everything(data: &[u8]) {
    let n = data.len();
    let ok = |r: Result<(), krb_core::DerError>| {
        if let Err(e) = r {
            assert!(e.offset <= n, "offset {} past {n}: {e}", e.offset);
            let _ = e.to_string();
        }
    };
    if let Err(e) = parse_negotiate(data) {
        let _ = (e.to_string(), e.krb_error_code());
    }
    ok(ApReq::decode(data).map(drop));
    ok(Ticket::decode(data).map(drop));
    ok(Authenticator::decode(data).map(drop));
    ok(EncTicketPart::decode(data).map(drop));
    ok(ApRep::decode(data).map(drop));
    ok(EncApRepPart::decode(data).map(drop));
    ok(KrbError::decode(data).map(drop));
    ok(KrbCred::decode(data).map(drop));
    ok(EncKrbCredPart::decode(data).map(drop));
    ok(GssChecksum::decode(data).map(drop));
    ok(Krb5Token::decode(data).map(drop));
    ok(NegTokenInit::decode(data).map(drop));
    ok(NegTokenResp::decode(data).map(drop));
    ok(NegotiationToken::decode(data).map(drop));
    if let Err(e) = Ccache::parse(data) {
        let _ = e.to_string();
    }
}

/// Real inputs to mutate: MIT's tokens and cache, and the hostile cases.
fn seeds() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    let mut out = Vec::new();
    for dir in ["mit", "hostile/tokens", "hostile/fuzz-seeds"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if (name.ends_with(".bin") || name.ends_with(".ccache")) && !name.starts_with("known") {
                out.push(std::fs::read(&p).unwrap());
            }
        }
    }
    assert!(out.len() > 40, "{} seeds", out.len());
    out
}

#[derive(Clone, Debug)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Remove),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = data.len().max(1);
        match *e {
            Edit::Set(i, b) => {
                if let Some(x) = data.get_mut(i % n) {
                    *x = b;
                }
            }
            Edit::Insert(i, b) => data.insert(i % (data.len() + 1), b),
            Edit::Remove(i) => {
                if !data.is_empty() {
                    data.remove(i % n);
                }
            }
            Edit::Truncate(i) => data.truncate(i % n),
        }
    }
    data
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_parse_without_panicking(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_everything(&data);
    }

    #[test]
    fn mutated_real_tokens_parse_without_panicking(
        pick in any::<usize>(),
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let seeds = seeds();
        let data = apply(seeds[pick % seeds.len()].clone(), &edits);
        parse_everything(&data);
    }
}

// ---- round trips: owned models of the borrowed message types ----

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

/// Seconds within the years 0000 to 9999, which KerberosTime can carry.
fn ktime() -> impl Strategy<Value = i64> {
    -62_167_219_200i64..=253_402_300_799
}

#[derive(Clone, Debug)]
struct Name(i32, Vec<Vec<u8>>);

impl Name {
    fn view(&self) -> PrincipalName<'_> {
        PrincipalName {
            name_type: NameType::from_i32(self.0),
            components: self.1.iter().map(Vec::as_slice).collect(),
        }
    }
}

fn name() -> impl Strategy<Value = Name> {
    (any::<i32>(), proptest::collection::vec(bytes(24), 0..5)).prop_map(|(t, c)| Name(t, c))
}

#[derive(Clone, Debug)]
struct Enc(i32, Option<u32>, Vec<u8>);

impl Enc {
    fn view(&self) -> EncryptedData<'_> {
        EncryptedData {
            etype: self.0,
            kvno: self.1,
            cipher: &self.2,
        }
    }
}

fn enc() -> impl Strategy<Value = Enc> {
    (any::<i32>(), any::<Option<u32>>(), bytes(300)).prop_map(|(e, k, c)| Enc(e, k, c))
}

#[derive(Clone, Debug)]
struct KeyM(i32, Vec<u8>);

impl KeyM {
    fn view(&self) -> EncryptionKey<'_> {
        EncryptionKey {
            keytype: self.0,
            keyvalue: &self.1,
        }
    }
}

fn keym() -> impl Strategy<Value = KeyM> {
    (any::<i32>(), bytes(40)).prop_map(|(t, v)| KeyM(t, v))
}

fn same_key(a: Option<EncryptionKey<'_>>, b: Option<EncryptionKey<'_>>) -> bool {
    a.map(|k| (k.keytype, k.keyvalue)) == b.map(|k| (k.keytype, k.keyvalue))
}

#[derive(Clone, Debug)]
struct Ad(i32, Vec<u8>, bool);

/// Authorization data elements (AD-IF-RELEVANT itself, type 1, is the container the encoder
/// makes from `if_relevant`, so it is not an element type here).
fn ads() -> impl Strategy<Value = Vec<Ad>> {
    proptest::collection::vec(
        (
            any::<i32>().prop_filter("not AD-IF-RELEVANT", |t| *t != 1),
            bytes(32),
            any::<bool>(),
        )
            .prop_map(|(t, d, r)| Ad(t, d, r)),
        0..6,
    )
}

fn ad_view(ads: &[Ad]) -> Vec<AuthorizationData<'_>> {
    ads.iter()
        .map(|a| AuthorizationData {
            ad_type: a.0,
            ad_data: &a.1,
            if_relevant: a.2,
        })
        .collect()
}

/// OBJECT IDENTIFIER content bytes from arcs, base 128, minimal.
fn oid_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u32>(), 1..6).prop_map(|arcs| {
        let mut out = Vec::new();
        for arc in arcs {
            let mut groups = vec![(arc & 0x7f) as u8];
            let mut rest = arc >> 7;
            while rest > 0 {
                groups.push((rest & 0x7f) as u8 | 0x80);
                rest >>= 7;
            }
            groups.reverse();
            out.extend(groups);
        }
        out
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn ap_req_and_ticket_round_trip(
        options in any::<u32>(),
        realm in bytes(40),
        sname in name(),
        ticket_enc in enc(),
        auth_enc in enc(),
    ) {
        let ap = ApReq {
            ap_options: ApOptions::from_bits(options),
            ticket: Ticket { realm: &realm, sname: sname.view(), enc_part: ticket_enc.view() },
            authenticator: auth_enc.view(),
        };
        let der = ap.encode().unwrap();
        prop_assert_eq!(ApReq::decode(&der).unwrap(), ap.clone());
        let t = ap.ticket.encode().unwrap();
        prop_assert_eq!(Ticket::decode(&t).unwrap(), ap.ticket);
    }

    #[test]
    fn authenticator_round_trips(
        crealm in bytes(40),
        cname in name(),
        cksum in proptest::option::of((any::<i32>(), bytes(64))),
        cusec in 0u32..=999_999,
        ctime in ktime(),
        subkey in proptest::option::of(keym()),
        seq_number in any::<Option<u32>>(),
        ad in ads(),
    ) {
        let a = Authenticator {
            crealm: &crealm,
            cname: cname.view(),
            cksum: cksum.as_ref().map(|(t, c)| Checksum { cksumtype: *t, checksum: c }),
            cusec,
            ctime,
            subkey: subkey.as_ref().map(KeyM::view),
            seq_number,
            authorization_data: ad_view(&ad),
        };
        let der = a.encode().unwrap();
        let b = Authenticator::decode(&der).unwrap();
        prop_assert_eq!(b.crealm, a.crealm);
        prop_assert_eq!(&b.cname, &a.cname);
        prop_assert_eq!(b.cksum, a.cksum);
        prop_assert_eq!((b.cusec, b.ctime, b.seq_number), (a.cusec, a.ctime, a.seq_number));
        prop_assert!(same_key(b.subkey, a.subkey));
        prop_assert_eq!(b.authorization_data, a.authorization_data);
    }

    #[test]
    fn enc_ticket_part_round_trips(
        flags in any::<u32>(),
        key in keym(),
        crealm in bytes(40),
        cname in name(),
        transited in (any::<i32>(), bytes(32)),
        times in (ktime(), proptest::option::of(ktime()), ktime(), proptest::option::of(ktime())),
        caddr in proptest::collection::vec((any::<i32>(), bytes(16)), 0..4),
        ad in ads(),
    ) {
        let p = EncTicketPart {
            flags: TicketFlags::from_bits(flags),
            key: key.view(),
            crealm: &crealm,
            cname: cname.view(),
            transited: TransitedEncoding { tr_type: transited.0, contents: &transited.1 },
            authtime: times.0,
            starttime: times.1,
            endtime: times.2,
            renew_till: times.3,
            caddr: caddr.iter().map(|(t, a)| HostAddress { addr_type: *t, address: a }).collect(),
            authorization_data: ad_view(&ad),
        };
        let der = p.encode().unwrap();
        let q = EncTicketPart::decode(&der).unwrap();
        prop_assert_eq!(q.flags, p.flags);
        prop_assert!(same_key(Some(q.key), Some(p.key)));
        prop_assert_eq!((q.crealm, &q.cname, q.transited), (p.crealm, &p.cname, p.transited));
        prop_assert_eq!(
            (q.authtime, q.starttime, q.endtime, q.renew_till),
            (p.authtime, p.starttime, p.endtime, p.renew_till)
        );
        prop_assert_eq!(q.caddr, p.caddr);
        prop_assert_eq!(q.authorization_data, p.authorization_data);
    }

    #[test]
    fn ap_rep_and_enc_ap_rep_part_round_trip(
        e in enc(),
        ctime in ktime(),
        cusec in 0u32..=999_999,
        subkey in proptest::option::of(keym()),
        seq_number in any::<Option<u32>>(),
    ) {
        let rep = ApRep { enc_part: e.view() };
        let der = rep.encode().unwrap();
        prop_assert_eq!(ApRep::decode(&der).unwrap(), rep);
        let part = EncApRepPart { ctime, cusec, subkey: subkey.as_ref().map(KeyM::view), seq_number };
        let der = part.encode().unwrap();
        let back = EncApRepPart::decode(&der).unwrap();
        prop_assert_eq!((back.ctime, back.cusec, back.seq_number), (ctime, cusec, seq_number));
        prop_assert!(same_key(back.subkey, part.subkey));
    }

    #[test]
    fn krb_error_round_trips(
        ctime in proptest::option::of(ktime()),
        cusec in proptest::option::of(0u32..=999_999),
        stime in ktime(),
        susec in 0u32..=999_999,
        error_code in any::<i32>(),
        crealm in proptest::option::of(bytes(40)),
        cname in proptest::option::of(name()),
        realm in bytes(40),
        sname in name(),
        e_text in proptest::option::of(bytes(80)),
        e_data in proptest::option::of(bytes(80)),
    ) {
        let e = KrbError {
            ctime,
            cusec,
            stime,
            susec,
            error_code,
            crealm: crealm.as_deref(),
            cname: cname.as_ref().map(Name::view),
            realm: &realm,
            sname: sname.view(),
            e_text: e_text.as_deref(),
            e_data: e_data.as_deref(),
        };
        let der = e.encode().unwrap();
        prop_assert_eq!(KrbError::decode(&der).unwrap(), e);
    }

    #[test]
    fn gss_checksum_round_trips(
        channel_binding in any::<[u8; 16]>(),
        flags in any::<u32>(),
        delegation in proptest::option::of(bytes(200)),
        extensions in bytes(40),
    ) {
        // The delegation is a KRB-CRED: [APPLICATION 22] around anything.
        let deleg = delegation.map(|d| {
            let mut v = vec![0x76];
            if d.len() < 0x80 {
                v.push(u8::try_from(d.len()).unwrap());
            } else {
                v.extend([0x81, u8::try_from(d.len()).unwrap()]);
            }
            v.extend(d);
            v
        });
        let g = GssChecksum {
            channel_binding,
            flags: GssFlags::from_bits(flags),
            delegation: deleg.as_deref(),
            extensions: &extensions,
        };
        let bytes = g.encode().unwrap();
        let back = GssChecksum::decode(&bytes).unwrap();
        let want_flags = if deleg.is_some() {
            flags | GssFlags::DELEG.bits()
        } else {
            flags & !GssFlags::DELEG.bits()
        };
        prop_assert_eq!(back.flags.bits(), want_flags);
        prop_assert_eq!(back.channel_binding, channel_binding);
        prop_assert_eq!(back.delegation, deleg.as_deref());
        prop_assert_eq!(back.extensions, extensions.as_slice());
    }

    #[test]
    fn neg_token_init_round_trips(
        mechs in proptest::collection::vec(oid_bytes(), 1..5),
        req_flags in proptest::option::of(any::<u32>()),
        mech_token in proptest::option::of(bytes(200)),
        hints in proptest::option::of((proptest::option::of(bytes(40)), proptest::option::of(bytes(16)))),
        mic in proptest::option::of(bytes(40)),
    ) {
        let mech_types: Vec<Oid<'_>> = mechs.iter().map(|m| Oid::parse(m).unwrap()).collect();
        let list = encode_mech_types(&mech_types);
        let init = NegTokenInit {
            mech_types: mech_types.clone(),
            mech_types_der: &list,
            req_flags: req_flags.map(ContextFlags::from_bits),
            mech_token: mech_token.as_deref(),
            neg_hints: hints.as_ref().map(|(n, a)| NegHints {
                hint_name: n.as_deref(),
                hint_address: a.as_deref(),
            }),
            mech_list_mic: mic.as_deref(),
        };
        let der = init.encode();
        prop_assert_eq!(NegTokenInit::decode(&der).unwrap(), init.clone());
        match NegotiationToken::decode(&der).unwrap() {
            NegotiationToken::Init(i) => prop_assert_eq!(i, init),
            NegotiationToken::Resp(_) => prop_assert!(false, "a NegTokenInit came back as a NegTokenResp"),
        }
    }

    #[test]
    fn neg_token_resp_round_trips(
        state in proptest::option::of(0u8..4),
        mech in proptest::option::of(oid_bytes()),
        response_token in proptest::option::of(bytes(200)),
        mic in proptest::option::of(bytes(40)),
    ) {
        let resp = NegTokenResp {
            neg_state: state.map(|s| match s {
                0 => NegState::AcceptCompleted,
                1 => NegState::AcceptIncomplete,
                2 => NegState::Reject,
                _ => NegState::RequestMic,
            }),
            supported_mech: mech.as_deref().map(|m| Oid::parse(m).unwrap()),
            response_token: response_token.as_deref(),
            mech_list_mic: mic.as_deref(),
        };
        let der = resp.encode();
        prop_assert_eq!(NegTokenResp::decode(&der).unwrap(), resp);
        prop_assert_eq!(NegotiationToken::decode(&der).unwrap(), NegotiationToken::Resp(resp));
    }
}
