//! The hostile-input cases: how each is made, and what the acceptor must answer.
//!
//! Shared by `krb-core/tests/hostile.rs` (which writes them into `testdata/hostile/` with the
//! fixed time [`NOW`] and checks the committed files against the acceptor) and
//! `proxy/tests/hostile_proxy.rs` (which makes them again at the wall clock's time and sends them
//! through a running proxy). It uses only krb-core's public API, plus a small DER builder of its
//! own so that any field can be made wrong.
//!
//! Keys: the service HTTP/api.example.test@EXAMPLE.TEST, kvno 3, aes256-cts-hmac-sha1-96 with the
//! fixed key [`SERVICE_KEY`]; every ticket carries the fixed session key [`SESSION_KEY`]. They are
//! the same as the fuzz crate's known-key mode (`fuzz/src/lib.rs`). Confounders are fixed too, so
//! the files are the same every time they are made. Test data only.
#![allow(
    dead_code,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use krb_core::acceptor::{Policy, ServiceKeys};
use krb_core::crypto::{Etype, Key, KeyUsage};
use krb_core::messages::{GssFlags, NameType, TicketFlags};
use krb_core::principal::Principal;

/// The fixed time of the committed cases: 2027-01-15T08:00:00Z.
pub const NOW: i64 = 1_800_000_000;
/// The service the acceptor holds a key for.
pub const SERVICE: &str = "HTTP/api.example.test@EXAMPLE.TEST";
/// A host name the acceptor's policy maps to api.example.test (`host_aliases`).
pub const ALIAS: &str = "alias.example.test";
/// The service key's version number.
pub const KVNO: u32 = 3;
/// The service's long-term key (aes256-cts-hmac-sha1-96).
pub const SERVICE_KEY: [u8; 32] = *b"fixed-service-key-hostile-cases!";
/// The session key of every ticket (aes256-cts-hmac-sha1-96).
pub const SESSION_KEY: [u8; 32] = *b"fixed-session-key-hostile-cases!";
/// Another aes256 key, for the wrong-key cases.
pub const OTHER_KEY: [u8; 32] = *b"another-key-not-the-service-key!";

/// The proxy test's `limits.max_token_bytes`.
pub const PROXY_MAX_TOKEN_BYTES: usize = 16 * 1024;

pub fn key(bytes: &[u8]) -> Key {
    let etype = if bytes.len() == 16 {
        Etype::Aes128CtsHmacSha196
    } else {
        Etype::Aes256CtsHmacSha196
    };
    Key::new(etype, bytes).unwrap()
}

/// The keys the acceptor holds: the service key, kvno 3.
pub fn service_keys() -> ServiceKeys {
    let mut keys = ServiceKeys::new();
    keys.add(
        Principal::parse(SERVICE, None).unwrap(),
        KVNO,
        key(&SERVICE_KEY),
    );
    keys
}

/// The acceptor's policy: the defaults (AES only, 300 s skew, a replay cache), and one host
/// alias (for the replay with a rewritten sname).
pub fn policy() -> Policy {
    Policy {
        host_aliases: vec![(ALIAS.to_owned(), "api.example.test".to_owned())],
        ..Policy::default()
    }
}

// ---- a small DER builder: minimal by default, anything on request ----

pub fn len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let b = n.to_be_bytes();
    let skip = b.iter().take_while(|&&x| x == 0).count();
    let mut v = vec![0x80 | (b.len() - skip) as u8];
    v.extend_from_slice(&b[skip..]);
    v
}

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(len(content.len()));
    v.extend_from_slice(content);
    v
}

pub fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &cat(parts))
}

pub fn ctx(n: u8, inner: Vec<u8>) -> Vec<u8> {
    tlv(0xa0 | n, &inner)
}

pub fn app(n: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x60 | n, &cat(parts))
}

pub fn int(v: i64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let mut i = 0;
    while i < 7 && ((b[i] == 0 && b[i + 1] & 0x80 == 0) || (b[i] == 0xff && b[i + 1] & 0x80 != 0)) {
        i += 1;
    }
    tlv(0x02, &b[i..])
}

pub fn oct(b: &[u8]) -> Vec<u8> {
    tlv(0x04, b)
}

pub fn gstr(b: &[u8]) -> Vec<u8> {
    tlv(0x1b, b)
}

pub fn flags(bits: u32) -> Vec<u8> {
    let mut c = vec![0];
    c.extend_from_slice(&bits.to_be_bytes());
    tlv(0x03, &c)
}

/// `YYYYMMDDHHMMSSZ` (RFC 4120 §5.2.3) for seconds since the epoch.
pub fn time_text(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

pub fn time(secs: i64) -> Vec<u8> {
    tlv(0x18, time_text(secs).as_bytes())
}

pub fn name(name_type: i32, components: &[Vec<u8>]) -> Vec<u8> {
    let strings: Vec<Vec<u8>> = components.iter().map(|c| gstr(c)).collect();
    seq(&[ctx(0, int(name_type.into())), ctx(1, seq(&strings))])
}

pub fn enc_data(etype: i32, kvno: Option<i64>, cipher: &[u8]) -> Vec<u8> {
    let mut parts = vec![ctx(0, int(etype.into()))];
    if let Some(k) = kvno {
        parts.push(ctx(1, int(k)));
    }
    parts.push(ctx(2, oct(cipher)));
    seq(&parts)
}

pub fn ad_element(ad_type: i32, data: &[u8]) -> Vec<u8> {
    seq(&[ctx(0, int(ad_type.into())), ctx(1, oct(data))])
}

pub const KRB5_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
pub const NTLM_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];
pub const NEGOEX_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e];
pub const SPNEGO_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];

pub fn oid(content: &[u8]) -> Vec<u8> {
    tlv(0x06, content)
}

/// The GSS-API checksum (RFC 4121 §4.1.1) with no channel bindings and `flags`.
pub fn gss_checksum(flags: u32) -> Vec<u8> {
    let mut c = 16u32.to_le_bytes().to_vec();
    c.extend_from_slice(&[0; 16]);
    c.extend_from_slice(&flags.to_le_bytes());
    c
}

/// How the AP-REQ travels.
#[derive(Clone, Debug)]
pub enum Framing {
    /// The bare AP-REQ.
    Bare,
    /// A GSS-API InitialContextToken with this mechanism OID and TOK_ID.
    Krb5 { mech: Vec<u8>, token_id: [u8; 2] },
    /// SPNEGO NegTokenInit offering `mechs`, with the Kerberos token as mechToken (if
    /// `with_token`) and a mechListMIC.
    Spnego {
        mechs: Vec<Vec<u8>>,
        with_token: bool,
        mic: Option<Vec<u8>>,
    },
}

/// Every field of a token, valid by default.
#[derive(Clone, Debug)]
pub struct Spec {
    pub now: i64,
    // AP-REQ
    pub pvno: i64,
    pub msg_type: i64,
    pub ap_options: u32,
    // Ticket
    pub tkt_vno: i64,
    pub realm: Vec<u8>,
    pub sname: Vec<Vec<u8>>,
    pub ticket_etype: i32,
    pub ticket_kvno: Option<i64>,
    pub ticket_key: Vec<u8>,
    // EncTicketPart
    pub flags: u32,
    pub session_keytype: i32,
    pub session_keyvalue: Vec<u8>,
    pub crealm: Vec<u8>,
    pub cname: Vec<Vec<u8>>,
    pub authtime: i64,
    pub starttime: Option<i64>,
    pub endtime: i64,
    pub endtime_der: Option<Vec<u8>>,
    pub caddr: Vec<Vec<u8>>,
    pub ticket_ad: Option<Vec<u8>>,
    pub ticket_plain: Option<Vec<u8>>,
    // Authenticator
    pub auth_vno: i64,
    pub auth_crealm: Vec<u8>,
    pub auth_cname: Vec<Vec<u8>>,
    pub cksum: Option<(i64, Vec<u8>)>,
    pub cusec: i64,
    pub ctime: i64,
    pub ctime_der: Option<Vec<u8>>,
    pub seq_number: Option<i64>,
    pub auth_ad: Option<Vec<u8>>,
    pub auth_plain: Option<Vec<u8>>,
    pub auth_key: Vec<u8>,
    pub auth_etype: i32,
    // Framing
    pub framing: Framing,
}

/// What a token comes to.
#[derive(Clone, Debug)]
pub struct Built {
    pub token: Vec<u8>,
    pub ap_req: Vec<u8>,
    pub ticket_plain: Vec<u8>,
    pub auth_plain: Vec<u8>,
    pub ticket_cipher: Vec<u8>,
    pub auth_cipher: Vec<u8>,
}

impl Spec {
    /// A valid token at `now`: GSS-API framed, for alice@EXAMPLE.TEST.
    pub fn valid(now: i64) -> Spec {
        let alice = vec![b"alice".to_vec()];
        Spec {
            now,
            pvno: 5,
            msg_type: 14,
            ap_options: 0,
            tkt_vno: 5,
            realm: b"EXAMPLE.TEST".to_vec(),
            sname: vec![b"HTTP".to_vec(), b"api.example.test".to_vec()],
            ticket_etype: 18,
            ticket_kvno: Some(KVNO.into()),
            ticket_key: SERVICE_KEY.to_vec(),
            flags: (TicketFlags::FORWARDABLE | TicketFlags::RENEWABLE | TicketFlags::PRE_AUTHENT)
                .bits(),
            session_keytype: 18,
            session_keyvalue: SESSION_KEY.to_vec(),
            crealm: b"EXAMPLE.TEST".to_vec(),
            cname: alice.clone(),
            authtime: now - 60,
            starttime: None,
            endtime: now + 36_000,
            endtime_der: None,
            caddr: Vec::new(),
            ticket_ad: None,
            ticket_plain: None,
            auth_vno: 5,
            auth_crealm: b"EXAMPLE.TEST".to_vec(),
            auth_cname: alice,
            cksum: Some((
                0x8003,
                gss_checksum(
                    (GssFlags::INTEG | GssFlags::CONF | GssFlags::SEQUENCE | GssFlags::REPLAY)
                        .bits(),
                ),
            )),
            cusec: 123_456,
            ctime: now,
            ctime_der: None,
            seq_number: Some(0x1234_5678),
            auth_ad: None,
            auth_plain: None,
            auth_key: SESSION_KEY.to_vec(),
            auth_etype: 18,
            framing: Framing::Krb5 {
                mech: KRB5_OID.to_vec(),
                token_id: [1, 0],
            },
        }
    }

    pub fn enc_ticket_part(&self) -> Vec<u8> {
        if let Some(p) = &self.ticket_plain {
            return p.clone();
        }
        let mut parts = vec![
            ctx(0, flags(self.flags)),
            ctx(
                1,
                seq(&[
                    ctx(0, int(self.session_keytype.into())),
                    ctx(1, oct(&self.session_keyvalue)),
                ]),
            ),
            ctx(2, gstr(&self.crealm)),
            ctx(3, name(NameType::Principal.to_i32(), &self.cname)),
            ctx(4, seq(&[ctx(0, int(1)), ctx(1, oct(b""))])),
            ctx(5, time(self.authtime)),
        ];
        if let Some(s) = self.starttime {
            parts.push(ctx(6, time(s)));
        }
        parts.push(ctx(
            7,
            self.endtime_der
                .clone()
                .unwrap_or_else(|| time(self.endtime)),
        ));
        if !self.caddr.is_empty() {
            parts.push(ctx(9, seq(&self.caddr)));
        }
        if let Some(ad) = &self.ticket_ad {
            parts.push(ctx(10, ad.clone()));
        }
        app(3, &[seq(&parts)])
    }

    pub fn authenticator(&self) -> Vec<u8> {
        if let Some(p) = &self.auth_plain {
            return p.clone();
        }
        let mut parts = vec![
            ctx(0, int(self.auth_vno)),
            ctx(1, gstr(&self.auth_crealm)),
            ctx(2, name(NameType::Principal.to_i32(), &self.auth_cname)),
        ];
        if let Some((t, c)) = &self.cksum {
            parts.push(ctx(3, seq(&[ctx(0, int(*t)), ctx(1, oct(c))])));
        }
        parts.push(ctx(4, int(self.cusec)));
        parts.push(ctx(
            5,
            self.ctime_der.clone().unwrap_or_else(|| time(self.ctime)),
        ));
        if let Some(s) = self.seq_number {
            parts.push(ctx(7, int(s)));
        }
        if let Some(ad) = &self.auth_ad {
            parts.push(ctx(8, ad.clone()));
        }
        app(2, &[seq(&parts)])
    }

    /// The AP-REQ around two ciphertexts.
    pub fn ap_req_around(&self, ticket_cipher: &[u8], auth_cipher: &[u8]) -> Vec<u8> {
        let ticket = app(
            1,
            &[seq(&[
                ctx(0, int(self.tkt_vno)),
                ctx(1, gstr(&self.realm)),
                ctx(2, name(NameType::SrvHst.to_i32(), &self.sname)),
                ctx(
                    3,
                    enc_data(self.ticket_etype, self.ticket_kvno, ticket_cipher),
                ),
            ])],
        );
        app(
            14,
            &[seq(&[
                ctx(0, int(self.pvno)),
                ctx(1, int(self.msg_type)),
                ctx(2, flags(self.ap_options)),
                ctx(3, ticket),
                ctx(4, enc_data(self.auth_etype, None, auth_cipher)),
            ])],
        )
    }

    pub fn build(&self) -> Built {
        let ticket_plain = self.enc_ticket_part();
        let auth_plain = self.authenticator();
        let ticket_cipher = key(&self.ticket_key)
            .encrypt_with_confounder(KeyUsage::TICKET, &[0x11; 16], &ticket_plain)
            .unwrap();
        let auth_cipher = key(&self.auth_key)
            .encrypt_with_confounder(KeyUsage::AP_REQ_AUTHENTICATOR, &[0x22; 16], &auth_plain)
            .unwrap();
        let ap_req = self.ap_req_around(&ticket_cipher, &auth_cipher);
        let token = frame(&self.framing, &ap_req);
        Built {
            token,
            ap_req,
            ticket_plain,
            auth_plain,
            ticket_cipher,
            auth_cipher,
        }
    }

    pub fn token(&self) -> Vec<u8> {
        self.build().token
    }
}

pub fn frame(framing: &Framing, ap_req: &[u8]) -> Vec<u8> {
    match framing {
        Framing::Bare => ap_req.to_vec(),
        Framing::Krb5 { mech, token_id } => {
            app(0, &[oid(mech), token_id.to_vec(), ap_req.to_vec()])
        }
        Framing::Spnego {
            mechs,
            with_token,
            mic,
        } => {
            let list: Vec<Vec<u8>> = mechs.iter().map(|m| oid(m)).collect();
            let mut parts = vec![ctx(0, seq(&list))];
            if *with_token {
                let krb5 = mechs
                    .iter()
                    .find(|m| m.as_slice() == KRB5_OID)
                    .cloned()
                    .unwrap_or_else(|| KRB5_OID.to_vec());
                parts.push(ctx(
                    2,
                    oct(&app(0, &[oid(&krb5), vec![1, 0], ap_req.to_vec()])),
                ));
            }
            if let Some(mic) = mic {
                parts.push(ctx(3, oct(mic)));
            }
            app(0, &[oid(SPNEGO_OID), ctx(0, seq(&parts))])
        }
    }
}

/// What the acceptor (and the proxy) must answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The `AcceptErrorKind` variant (`-` for HTTP-level cases the acceptor never sees).
    pub kind: &'static str,
    /// The acceptor's `label()`, or for HTTP-level cases the proxy's rejection label.
    pub label: &'static str,
    /// The Kerberos error name (`AcceptError::code().name()`); `None` where the proxy logs none.
    pub code: Option<&'static str>,
    /// A word the error message (and the access log's reason) must hold.
    pub says: &'static str,
    /// The HTTP status the proxy answers.
    pub status: u16,
}

/// What a case sends.
#[derive(Clone, Debug)]
pub enum Input {
    /// One token.
    Token(Vec<u8>),
    /// A valid token (accepted and forwarded), then `second`, which must be refused.
    Replay { first: Vec<u8>, second: Vec<u8> },
    /// A whole `Authorization` header value (HTTP-level cases).
    Header(String),
}

#[derive(Clone, Debug)]
pub struct Case {
    pub name: &'static str,
    pub description: &'static str,
    pub input: Input,
    pub expect: Expect,
}

fn exp(kind: &'static str, label: &'static str, code: &'static str, says: &'static str) -> Expect {
    Expect {
        kind,
        label,
        code: Some(code),
        says,
        status: 401,
    }
}

const GENERIC: &str = "KRB_ERR_GENERIC";
const MODIFIED: &str = "KRB_AP_ERR_MODIFIED";

fn malformed(says: &'static str) -> Expect {
    exp("Token", "malformed", GENERIC, says)
}

/// Replaces the first occurrence of `from` in `bytes` by `to` (same length only, so no length
/// around it changes).
pub fn patch(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    let mut out = bytes.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] ^= 0x01;
    out
}

/// Every case, made at `now`.
pub fn cases(now: i64) -> Vec<Case> {
    let v = Spec::valid(now);
    let valid = v.build();
    let token = valid.token.clone();
    let mut out = Vec::new();
    let mut add = |name: &'static str, description: &'static str, input: Input, expect: Expect| {
        out.push(Case {
            name,
            description,
            input,
            expect,
        });
    };
    let with = |f: &dyn Fn(&mut Spec)| {
        let mut s = Spec::valid(now);
        f(&mut s);
        s.token()
    };
    let t = Input::Token;
    // The GSS header is 60 82 LL LL 06 09 <oid> 01 00; the AP-REQ starts at offset 17.
    let inner = &token[4..];

    // ---- truncations ----
    add(
        "truncated-half",
        "the valid token cut in half",
        t(token[..token.len() / 2].to_vec()),
        malformed("malformed"),
    );
    add(
        "truncated-last-byte",
        "the valid token without its last byte",
        t(token[..token.len() - 1].to_vec()),
        malformed("length"),
    );
    add(
        "truncated-header",
        "only the first two bytes of the token",
        t(token[..2].to_vec()),
        malformed("cut short"),
    );
    add(
        "truncated-one-byte",
        "a single 0x60 byte",
        t(vec![0x60]),
        malformed("cut short"),
    );
    add(
        "truncated-bare-ap-req",
        "a bare AP-REQ cut inside its ticket",
        t(valid.ap_req[..200].to_vec()),
        malformed("length"),
    );
    add(
        "truncated-ticket-cipher",
        "the ticket's ciphertext shortened to 20 bytes (shorter than a confounder and a MAC)",
        t(frame(
            &v.framing,
            &v.ap_req_around(&valid.ticket_cipher[..20], &valid.auth_cipher),
        )),
        exp("Crypto", "malformed", MODIFIED, "short"),
    );

    // ---- lengths ----
    let mut past = token.clone();
    past[3] = past[3].wrapping_add(10);
    add(
        "length-past-input",
        "the outer length 10 bytes longer than the token",
        t(past),
        malformed("length"),
    );
    add(
        "length-4-bytes-huge",
        "the outer length as 4 bytes: 0x7fffffff, past the input",
        t(cat(&[
            vec![0x60, 0x84, 0x7f, 0xff, 0xff, 0xff],
            inner.to_vec(),
        ])),
        malformed("length"),
    );
    add(
        "length-4-bytes-max",
        "the outer length as 4 bytes: 0xffffffff",
        t(cat(&[
            vec![0x60, 0x84, 0xff, 0xff, 0xff, 0xff],
            inner.to_vec(),
        ])),
        malformed("length"),
    );
    add(
        "length-8-bytes",
        "the outer length as 8 bytes (more than the 4 a length may use)",
        t(cat(&[
            vec![0x60, 0x88, 0, 0, 0, 0, 0, 0],
            token[2..4].to_vec(),
            inner.to_vec(),
        ])),
        malformed("length"),
    );
    add(
        "length-reserved-ff",
        "the reserved length byte 0xff",
        t(cat(&[vec![0x60, 0xff], inner.to_vec()])),
        malformed("length"),
    );
    add(
        "length-indefinite-outer",
        "the outer length in BER's indefinite form (0x80 ... 00 00)",
        t(cat(&[vec![0x60, 0x80], inner.to_vec(), vec![0, 0]])),
        malformed("indefinite"),
    );
    let ap_at = 17;
    add(
        "length-indefinite-ap-req",
        "the AP-REQ's length in the indefinite form inside a definite GSS-API token",
        t({
            let mut x = cat(&[
                token[..ap_at].to_vec(),
                vec![0x6e, 0x80],
                valid.ap_req[4..].to_vec(),
                vec![0, 0],
            ]);
            let n = x.len() - 4;
            x[2] = (n >> 8) as u8;
            x[3] = n as u8;
            x
        }),
        malformed("indefinite"),
    );
    add(
        "length-non-minimal-outer",
        "the outer length with a leading zero byte (0x83 00 LL LL)",
        t(cat(&[
            vec![0x60, 0x83, 0x00],
            token[2..4].to_vec(),
            inner.to_vec(),
        ])),
        malformed("shortest form"),
    );
    add(
        "length-non-minimal-pvno",
        "the pvno's [0] length in the long form (a0 81 03)",
        t({
            let ap = valid.ap_req.clone();
            // 6e 82 LL LL 30 82 LL LL a0 03 02 01 05 ...
            let body = cat(&[vec![0xa0, 0x81, 0x03], ap[10..].to_vec()]);
            let seq_ = tlv(0x30, &body);
            frame(&v.framing, &tlv(0x6e, &seq_))
        }),
        malformed("shortest form"),
    );
    add(
        "integer-non-minimal-pvno",
        "pvno as the non-minimal INTEGER 02 02 00 05",
        t({
            let ap = valid.ap_req.clone();
            let body = cat(&[ctx(0, vec![0x02, 0x02, 0x00, 0x05]), ap[13..].to_vec()]);
            frame(&v.framing, &tlv(0x6e, &tlv(0x30, &body)))
        }),
        malformed("redundant leading byte"),
    );

    // ---- tags and classes ----
    add(
        "tag-wrong-outer",
        "the outer tag [APPLICATION 1] instead of [APPLICATION 0]",
        t(patch(&token, &[0x60], &[0x61])),
        malformed("APPLICATION"),
    );
    add(
        "tag-ap-req-as-context",
        "the AP-REQ tagged [14] context-specific instead of [APPLICATION 14]",
        t(patch(&token, &[0x01, 0x00, 0x6e], &[0x01, 0x00, 0xae])),
        malformed("APPLICATION"),
    );
    add(
        "tag-realm-octet-string",
        "the ticket realm as an OCTET STRING instead of a GeneralString",
        t(patch(
            &token,
            &cat(&[vec![0x1b, 12], b"EXAMPLE.TEST".to_vec()]),
            &cat(&[vec![0x04, 12], b"EXAMPLE.TEST".to_vec()]),
        )),
        malformed("GeneralString"),
    );
    add(
        "tag-high-number",
        "a multi-byte tag number (0x7f) where the GSS-API token starts",
        t(cat(&[vec![0x7f, 0x8e], token[1..].to_vec()])),
        malformed("tag"),
    );
    add(
        "tag-primitive-sequence",
        "the AP-REQ SEQUENCE with the constructed bit clear (0x10)",
        t({
            let mut x = token.clone();
            assert_eq!(x[ap_at + 4], 0x30);
            x[ap_at + 4] = 0x10;
            x
        }),
        malformed("SEQUENCE"),
    );
    add(
        "trailing-bytes",
        "two bytes after the GSS-API token",
        t(cat(&[token.clone(), vec![0, 0]])),
        malformed("unexpected bytes after"),
    );
    add(
        "unknown-mech-oid",
        "a GSS-API token for mechanism 1.2.3.4",
        t(app(
            0,
            &[oid(&[0x2a, 0x03, 0x04]), vec![1, 0], valid.ap_req.clone()],
        )),
        malformed("mechanism"),
    );
    add(
        "token-id-ap-rep",
        "a Kerberos GSS-API token whose TOK_ID says AP-REP (02 00) around an AP-REQ",
        t(patch(&token, &[0x01, 0x00, 0x6e], &[0x02, 0x00, 0x6e])),
        malformed("where an AP-REQ was expected"),
    );

    // ---- nesting and counts ----
    add(
        "nesting-bomb-token",
        "6000 nested [APPLICATION 0] headers in the indefinite form",
        t([0x60, 0x80].repeat(6000)),
        malformed("indefinite"),
    );
    add(
        "nesting-bomb-ticket-ad",
        "AD-IF-RELEVANT nested 40 deep in the (encrypted) ticket's authorization data",
        t(with(&|s| {
            let mut ad = seq(&[ad_element(128, b"pac")]);
            for _ in 0..40 {
                ad = seq(&[ad_element(1, &ad)]);
            }
            s.ticket_ad = Some(ad);
        })),
        exp("TicketMalformed", "malformed", MODIFIED, "deep"),
    );
    add(
        "nesting-bomb-authenticator-ad",
        "AD-IF-RELEVANT nested 40 deep in the authenticator's authorization data",
        t(with(&|s| {
            let mut ad = seq(&[ad_element(142, b"x")]);
            for _ in 0..40 {
                ad = seq(&[ad_element(1, &ad)]);
            }
            s.auth_ad = Some(ad);
        })),
        exp("AuthenticatorMalformed", "malformed", MODIFIED, "deep"),
    );
    add(
        "huge-sname-components",
        "a service name of 1000 components",
        t(with(&|s| s.sname = vec![b"x".to_vec(); 1000])),
        malformed("256"),
    );
    add(
        "huge-mech-list",
        "a SPNEGO mechanism list of 500 OIDs",
        t({
            let mut s = Spec::valid(now);
            s.framing = Framing::Spnego {
                mechs: vec![KRB5_OID.to_vec(); 500],
                with_token: true,
                mic: None,
            };
            s.token()
        }),
        malformed("256"),
    );
    add(
        "huge-caddr",
        "a ticket with 500 client addresses",
        t(with(&|s| {
            s.caddr = vec![seq(&[ctx(0, int(2)), ctx(1, oct(&[127, 0, 0, 1]))]); 1000];
        })),
        exp("TicketMalformed", "malformed", MODIFIED, "256"),
    );
    add(
        "huge-authorization-data",
        "an authenticator with 500 authorization data elements",
        t(with(&|s| {
            s.auth_ad = Some(seq(&vec![ad_element(142, b"x"); 500]));
        })),
        exp("AuthenticatorMalformed", "malformed", MODIFIED, "256"),
    );

    // ---- KerberosTime ----
    let bad_time = |name: &'static str, description: &'static str, text: &[u8]| Case {
        name,
        description,
        input: Input::Token({
            let mut s = Spec::valid(now);
            s.ctime_der = Some(tlv(0x18, text));
            s.token()
        }),
        expect: exp("AuthenticatorMalformed", "malformed", MODIFIED, "time"),
    };
    let ctime_text = time_text(now);
    let frac = format!("{}.5Z", &ctime_text[..14]);
    let local = ctime_text[..14].to_owned();
    out.push(bad_time(
        "time-fraction",
        "authenticator ctime with a fraction of a second",
        frac.as_bytes(),
    ));
    out.push(bad_time(
        "time-no-zulu",
        "authenticator ctime without the Z (local time)",
        local.as_bytes(),
    ));
    out.push(bad_time(
        "time-month-13",
        "authenticator ctime in month 13",
        b"20271315080000Z",
    ));
    out.push(bad_time(
        "time-leap-second",
        "authenticator ctime at second 60",
        b"20270115235960Z",
    ));
    out.push(bad_time(
        "time-short",
        "authenticator ctime of 13 characters (UTCTime's form)",
        b"270115080000Z",
    ));
    out.push(bad_time(
        "time-not-digits",
        "authenticator ctime with letters for digits",
        b"2027O115O8OOOOZ",
    ));
    let mut add = |name: &'static str, description: &'static str, input: Input, expect: Expect| {
        out.push(Case {
            name,
            description,
            input,
            expect,
        });
    };
    add(
        "time-utctime-endtime",
        "the ticket's endtime as a UTCTime instead of a GeneralizedTime",
        t(with(&|s| s.endtime_der = Some(tlv(0x17, b"270115180000Z")))),
        exp("TicketMalformed", "malformed", MODIFIED, "GeneralizedTime"),
    );

    // ---- versions and message types ----
    add(
        "pvno-4",
        "AP-REQ pvno 4",
        t(with(&|s| s.pvno = 4)),
        exp("BadVersion", "malformed", "KRB_AP_ERR_BADVERSION", "not 5"),
    );
    add(
        "msg-type-15",
        "AP-REQ msg-type 15 (AP-REP's)",
        t(with(&|s| s.msg_type = 15)),
        exp(
            "BadMessageType",
            "malformed",
            "KRB_AP_ERR_MSG_TYPE",
            "msg-type",
        ),
    );
    add(
        "tkt-vno-4",
        "ticket tkt-vno 4",
        t(with(&|s| s.tkt_vno = 4)),
        exp("BadVersion", "malformed", "KRB_AP_ERR_BADVERSION", "not 5"),
    );
    add(
        "authenticator-vno-4",
        "authenticator-vno 4 (inside the encryption)",
        t(with(&|s| s.auth_vno = 4)),
        exp(
            "AuthenticatorMalformed",
            "malformed",
            "KRB_AP_ERR_BADVERSION",
            "5",
        ),
    );

    // ---- enctypes ----
    add(
        "etype-unknown",
        "the ticket claims enctype 99",
        t(with(&|s| s.ticket_etype = 99)),
        exp(
            "EtypeNotAllowed",
            "enctype",
            "KDC_ERR_ETYPE_NOSUPP",
            "etype 99",
        ),
    );
    add(
        "etype-rc4-disabled",
        "the ticket claims rc4-hmac (23), which the policy does not allow",
        t(with(&|s| s.ticket_etype = 23)),
        exp("EtypeNotAllowed", "enctype", "KDC_ERR_ETYPE_NOSUPP", "rc4"),
    );
    add(
        "etype-des",
        "the ticket claims des-cbc-crc (1)",
        t(with(&|s| s.ticket_etype = 1)),
        exp(
            "EtypeNotAllowed",
            "enctype",
            "KDC_ERR_ETYPE_NOSUPP",
            "etype 1",
        ),
    );
    add(
        "session-key-rc4",
        "an AES ticket whose session key is rc4-hmac",
        t(with(&|s| {
            s.session_keytype = 23;
            s.session_keyvalue = vec![7; 16];
        })),
        exp("EtypeNotAllowed", "enctype", "KDC_ERR_ETYPE_NOSUPP", "rc4"),
    );
    add(
        "session-key-short",
        "an aes256 session key of 5 bytes",
        t(with(&|s| s.session_keyvalue = vec![7; 5])),
        exp("KeyMalformed", "malformed", MODIFIED, "session key"),
    );
    add(
        "authenticator-etype-mismatch",
        "the authenticator claims aes128 while the session key is aes256",
        t(with(&|s| s.auth_etype = 17)),
        exp(
            "AuthenticatorIntegrity",
            "integrity",
            "KRB_AP_ERR_BAD_INTEGRITY",
            "authenticator",
        ),
    );
    add(
        "etype-no-key-aes128",
        "an aes128 ticket for a service that has only an aes256 key",
        t(with(&|s| {
            s.ticket_etype = 17;
            s.ticket_key = vec![9; 16];
        })),
        exp("NoKeyForEtype", "kvno", "KRB_AP_ERR_NOKEY", "aes128"),
    );

    // ---- tampering, keys and kvnos ----
    let tc = token
        .windows(16)
        .position(|w| w == valid.ticket_cipher[..16].to_vec().as_slice())
        .unwrap();
    let ac = token
        .windows(16)
        .position(|w| w == valid.auth_cipher[..16].to_vec().as_slice())
        .unwrap();
    let tl = valid.ticket_cipher.len();
    let al = valid.auth_cipher.len();
    let integrity = |who: &'static str| {
        if who == "ticket" {
            exp(
                "TicketIntegrity",
                "integrity",
                "KRB_AP_ERR_BAD_INTEGRITY",
                "does not decrypt",
            )
        } else {
            exp(
                "AuthenticatorIntegrity",
                "integrity",
                "KRB_AP_ERR_BAD_INTEGRITY",
                "authenticator",
            )
        }
    };
    add(
        "tamper-ticket-confounder",
        "one bit flipped in the ticket ciphertext's first block (the confounder)",
        t(flip(&token, tc)),
        integrity("ticket"),
    );
    add(
        "tamper-ticket-middle",
        "one bit flipped in the middle of the ticket ciphertext",
        t(flip(&token, tc + tl / 2)),
        integrity("ticket"),
    );
    add(
        "tamper-ticket-last-block",
        "one bit flipped in the ticket ciphertext's last CTS block",
        t(flip(&token, tc + tl - 13)),
        integrity("ticket"),
    );
    add(
        "tamper-ticket-mac",
        "one bit flipped in the ticket's HMAC",
        t(flip(&token, tc + tl - 1)),
        integrity("ticket"),
    );
    add(
        "tamper-authenticator-confounder",
        "one bit flipped in the authenticator ciphertext's first block",
        t(flip(&token, ac)),
        integrity("authenticator"),
    );
    add(
        "tamper-authenticator-middle",
        "one bit flipped in the middle of the authenticator ciphertext",
        t(flip(&token, ac + al / 2)),
        integrity("authenticator"),
    );
    add(
        "tamper-authenticator-mac",
        "one bit flipped in the authenticator's HMAC",
        t(flip(&token, ac + al - 1)),
        integrity("authenticator"),
    );
    add(
        "wrong-key",
        "a ticket encrypted with another key under the right kvno",
        t(with(&|s| s.ticket_key = OTHER_KEY.to_vec())),
        integrity("ticket"),
    );
    add(
        "wrong-kvno",
        "a ticket encrypted with another key under kvno 4, which the keytab lacks",
        t(with(&|s| {
            s.ticket_key = OTHER_KEY.to_vec();
            s.ticket_kvno = Some(4);
        })),
        exp("KvnoMismatch", "kvno", "KRB_AP_ERR_BADKEYVER", "kvno"),
    );
    add(
        "wrong-session-key",
        "an authenticator encrypted with another key than the ticket's session key",
        t(with(&|s| s.auth_key = OTHER_KEY.to_vec())),
        integrity("authenticator"),
    );
    add(
        "ticket-plaintext-garbage",
        "a ticket whose (validly encrypted) plaintext is not DER",
        t(with(&|s| {
            s.ticket_plain = Some(b"not an EncTicketPart at all".to_vec())
        })),
        exp("TicketMalformed", "malformed", MODIFIED, "EncTicketPart"),
    );
    add(
        "authenticator-plaintext-empty",
        "an authenticator whose (validly encrypted) plaintext is empty",
        t(with(&|s| s.auth_plain = Some(Vec::new()))),
        exp(
            "AuthenticatorMalformed",
            "malformed",
            MODIFIED,
            "Authenticator",
        ),
    );
    add(
        "cusec-1000000",
        "authenticator cusec 1000000 (one past the range)",
        t(with(&|s| s.cusec = 1_000_000)),
        exp("AuthenticatorMalformed", "malformed", MODIFIED, "cusec"),
    );
    add(
        "cusec-negative",
        "authenticator cusec -1",
        t(with(&|s| s.cusec = -1)),
        exp("AuthenticatorMalformed", "malformed", MODIFIED, "cusec"),
    );

    // ---- times ----
    add(
        "expired",
        "a ticket that ended an hour ago",
        t(with(&|s| {
            s.authtime = now - 40_000;
            s.endtime = now - 3600;
        })),
        exp("Expired", "expired", "KRB_AP_ERR_TKT_EXPIRED", "expired"),
    );
    add(
        "not-yet-valid",
        "a ticket whose starttime is an hour ahead",
        t(with(&|s| s.starttime = Some(now + 3600))),
        exp(
            "NotYetValid",
            "not_yet_valid",
            "KRB_AP_ERR_TKT_NYV",
            "valid",
        ),
    );
    add(
        "skew-behind",
        "an authenticator ten minutes behind the acceptor's clock",
        t(with(&|s| s.ctime = now - 600)),
        exp("Skew", "skew", "KRB_AP_ERR_SKEW", "skew"),
    );
    add(
        "skew-ahead",
        "an authenticator ten minutes ahead of the acceptor's clock",
        t(with(&|s| s.ctime = now + 600)),
        exp("Skew", "skew", "KRB_AP_ERR_SKEW", "skew"),
    );
    add(
        "invalid-flag",
        "a ticket with the INVALID flag",
        t(with(&|s| s.flags |= TicketFlags::INVALID.bits())),
        exp("Invalid", "not_yet_valid", "KRB_AP_ERR_TKT_NYV", "INVALID"),
    );

    // ---- replay ----
    add(
        "replay",
        "the same valid token twice: the first is accepted, the second is a replay",
        Input::Replay {
            first: token.clone(),
            second: token.clone(),
        },
        exp("Replay", "replay", "KRB_AP_ERR_REPEAT", "replay"),
    );
    add(
        "replay-rewritten-sname",
        "a valid token, then the same ticket and authenticator with the (unencrypted) sname \
         rewritten to a host alias of the same service",
        Input::Replay {
            first: with(&|s| s.cusec = 1),
            second: with(&|s| {
                s.cusec = 1;
                s.sname = vec![b"HTTP".to_vec(), ALIAS.as_bytes().to_vec()];
            }),
        },
        exp("Replay", "replay", "KRB_AP_ERR_REPEAT", "replay"),
    );

    // ---- who ----
    add(
        "crealm-mismatch",
        "the authenticator's crealm differs from the ticket's",
        t(with(&|s| s.auth_crealm = b"EVIL.TEST".to_vec())),
        exp(
            "ClientMismatch",
            "client_mismatch",
            "KRB_AP_ERR_BADMATCH",
            "EVIL.TEST",
        ),
    );
    add(
        "cname-mismatch",
        "the authenticator's cname differs from the ticket's",
        t(with(&|s| s.auth_cname = vec![b"mallory".to_vec()])),
        exp(
            "ClientMismatch",
            "client_mismatch",
            "KRB_AP_ERR_BADMATCH",
            "mallory",
        ),
    );
    add(
        "wrong-service",
        "a ticket for HTTP/other.example.test, which the keytab lacks",
        t(with(&|s| {
            s.sname = vec![b"HTTP".to_vec(), b"other.example.test".to_vec()]
        })),
        exp(
            "NoKeyForService",
            "wrong_service",
            "KRB_AP_ERR_NOT_US",
            "other.example.test",
        ),
    );
    add(
        "wrong-realm",
        "a ticket for the right service name in realm OTHER.TEST",
        t(with(&|s| s.realm = b"OTHER.TEST".to_vec())),
        exp(
            "NoKeyForService",
            "wrong_service",
            "KRB_AP_ERR_NOT_US",
            "OTHER.TEST",
        ),
    );
    add(
        "user-to-user",
        "ap-options use-session-key (a user-to-user ticket)",
        t(with(&|s| s.ap_options = 1 << 30)),
        exp(
            "UserToUser",
            "user_to_user",
            "KRB_AP_ERR_METHOD",
            "user-to-user",
        ),
    );

    // ---- the GSS-API checksum ----
    add(
        "checksum-missing",
        "a GSS-API framed token whose authenticator has no checksum",
        t(with(&|s| s.cksum = None)),
        exp(
            "MissingGssChecksum",
            "checksum",
            "KRB_AP_ERR_INAPP_CKSUM",
            "checksum",
        ),
    );
    add(
        "checksum-wrong-type",
        "a GSS-API framed token whose authenticator checksum is type 1 (CRC32), not 0x8003",
        t(with(&|s| s.cksum = Some((1, vec![0; 4])))),
        exp(
            "MissingGssChecksum",
            "checksum",
            "KRB_AP_ERR_INAPP_CKSUM",
            "checksum",
        ),
    );
    add(
        "checksum-bad-lgth",
        "a 0x8003 checksum whose Lgth is 17",
        t(with(&|s| {
            let mut c = gss_checksum(0x3c);
            c[0] = 17;
            s.cksum = Some((0x8003, c));
        })),
        exp(
            "GssChecksumMalformed",
            "checksum",
            "KRB_AP_ERR_INAPP_CKSUM",
            "Lgth",
        ),
    );
    add(
        "checksum-deleg-without-data",
        "a 0x8003 checksum with the delegation flag and no delegation",
        t(with(&|s| s.cksum = Some((0x8003, gss_checksum(0x3c | 1))))),
        exp(
            "GssChecksumMalformed",
            "checksum",
            "KRB_AP_ERR_INAPP_CKSUM",
            "DELEG",
        ),
    );

    // ---- NTLM and SPNEGO ----
    let mut ntlm = b"NTLMSSP\0".to_vec();
    ntlm.extend_from_slice(&1u32.to_le_bytes());
    ntlm.extend_from_slice(&0xe208_8297u32.to_le_bytes());
    ntlm.extend_from_slice(&[0; 16]);
    add(
        "ntlm-raw",
        "a raw NTLMSSP NEGOTIATE message",
        t(ntlm.clone()),
        exp("Token", "ntlm", "KRB_AP_ERR_METHOD", "NTLM"),
    );
    add(
        "ntlm-in-spnego",
        "SPNEGO offering only NTLM, with an NTLMSSP mechToken",
        t(app(
            0,
            &[
                oid(SPNEGO_OID),
                ctx(0, seq(&[ctx(0, seq(&[oid(NTLM_OID)])), ctx(2, oct(&ntlm))])),
            ],
        )),
        exp("Token", "ntlm", "KRB_AP_ERR_METHOD", "NTLM"),
    );
    add(
        "spnego-without-krb5",
        "SPNEGO offering only NegoEx",
        t({
            let mut s = Spec::valid(now);
            s.framing = Framing::Spnego {
                mechs: vec![NEGOEX_OID.to_vec()],
                with_token: false,
                mic: None,
            };
            s.token()
        }),
        malformed("Kerberos"),
    );
    add(
        "spnego-krb5-not-first",
        "SPNEGO offering NTLM first and Kerberos second: the acceptor asks for Kerberos",
        t({
            let mut s = Spec::valid(now);
            s.framing = Framing::Spnego {
                mechs: vec![NTLM_OID.to_vec(), KRB5_OID.to_vec()],
                with_token: true,
                mic: None,
            };
            s.token()
        }),
        Expect {
            kind: "SelectKrb5",
            label: "continue",
            code: None,
            says: "first mechanism",
            status: 401,
        },
    );
    add(
        "spnego-wrong-mech-list-mic",
        "SPNEGO with a valid Kerberos token and a mechListMIC of the right shape but a wrong \
         checksum",
        t({
            let mut s = Spec::valid(now);
            let mut mic = vec![0x04, 0x04, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff];
            mic.extend_from_slice(&[0; 8]);
            mic.extend_from_slice(&[0x5a; 12]);
            s.framing = Framing::Spnego {
                mechs: vec![KRB5_OID.to_vec(), NTLM_OID.to_vec()],
                with_token: true,
                mic: Some(mic),
            };
            s.token()
        }),
        exp("MechListMic", "mech_list_mic", MODIFIED, "mechListMIC"),
    );
    add(
        "spnego-garbage-mech-list-mic",
        "SPNEGO with a valid Kerberos token and a 3-byte mechListMIC",
        t({
            let mut s = Spec::valid(now);
            s.framing = Framing::Spnego {
                mechs: vec![KRB5_OID.to_vec(), NTLM_OID.to_vec()],
                with_token: true,
                mic: Some(vec![1, 2, 3]),
            };
            s.token()
        }),
        exp("MechListMic", "mech_list_mic", MODIFIED, "mechListMIC"),
    );
    add(
        "empty-token",
        "a token of zero bytes (as the acceptor sees it)",
        t(Vec::new()),
        malformed("GSS-API"),
    );

    // ---- HTTP-level: header strings, never token files ----
    let http = |label: &'static str, says: &'static str, status: u16| Expect {
        kind: "-",
        label,
        code: None,
        says,
        status,
    };
    add(
        "http-bad-base64",
        "Authorization: Negotiate with a token that is not base64",
        Input::Header("Negotiate YII*not+base64!".into()),
        http("bad_base64", "base64", 401),
    );
    add(
        "http-empty-token",
        "Authorization: Negotiate with nothing after the scheme",
        Input::Header("Negotiate".into()),
        http("empty_token", "empty", 401),
    );
    add(
        "http-blank-token",
        "Authorization: Negotiate followed by spaces only",
        Input::Header("Negotiate    ".into()),
        http("empty_token", "empty", 401),
    );
    add(
        "http-oversized-token",
        "a Negotiate token of twice the proxy's max_token_bytes",
        Input::Header(format!(
            "Negotiate {}",
            "A".repeat(PROXY_MAX_TOKEN_BYTES * 2)
        )),
        http("token_too_large", "larger", 401),
    );
    add(
        "http-oversized-header",
        "an Authorization header of 200 KiB, past the proxy's max_header_bytes",
        Input::Header(format!("Negotiate {}", "A".repeat(200 * 1024))),
        http("-", "", 431),
    );
    add(
        "http-ntlm-scheme",
        "Authorization: NTLM with a raw NTLMSSP message",
        Input::Header(format!("NTLM {}", b64(&ntlm))),
        http("ntlm", "NTLM", 401),
    );
    add(
        "http-basic-scheme",
        "Authorization: Basic (no fallback)",
        Input::Header("Basic YWxpY2U6cGFzc3dvcmQ=".into()),
        http("unsupported_scheme", "Basic", 401),
    );
    out
}

/// Standard base64 (for the header strings), without a dependency.
pub fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// The fuzz seeds: valid plaintexts and the `acceptor_known_key` input layout (byte 0 the
/// framing, bytes 1-2 the ticket plaintext's length, then the two plaintexts).
pub fn fuzz_seeds(now: i64) -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let mut spnego = Spec::valid(now);
    spnego.framing = Framing::Spnego {
        mechs: vec![KRB5_OID.to_vec()],
        with_token: true,
        mic: None,
    };
    let mut mutual = Spec::valid(now);
    mutual.ap_options = 1 << 29;
    let mut ad = Spec::valid(now);
    ad.ticket_ad = Some(seq(&[ad_element(
        1,
        &seq(&[ad_element(128, b"PAC bytes")]),
    )]));
    ad.auth_ad = Some(seq(&[ad_element(142, b"local")]));
    for (i, (selector, s)) in [(1u8, Spec::valid(now)), (2, spnego), (5, mutual), (0, ad)]
        .into_iter()
        .enumerate()
    {
        let b = s.build();
        let mut known = vec![selector];
        known.extend_from_slice(&(b.ticket_plain.len() as u16).to_be_bytes());
        known.extend_from_slice(&b.ticket_plain);
        known.extend_from_slice(&b.auth_plain);
        seeds.push((format!("known-key-{i}.bin"), known));
        seeds.push((format!("enc-ticket-part-{i}.bin"), b.ticket_plain));
        seeds.push((format!("authenticator-{i}.bin"), b.auth_plain));
    }
    seeds
}
