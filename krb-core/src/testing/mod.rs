//! A ticket minter for tests: **test-only, never in production.** It makes service tickets and
//! AP-REQs without a KDC, from a service key the caller holds, with any field value, so that
//! every rejection of the [`Acceptor`](crate::acceptor::Acceptor) can be produced on purpose.
//! Compiled only with the `test-util` feature; a service built on krb-core must not enable it.
//!
//! A [`Mint`] holds every field of the ticket, the authenticator, the AP-REQ and the framing
//! as plain public fields, each set to what a well-behaved client of a well-behaved KDC would
//! send. Change any of them, then [`Mint::mint`] the token:
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use krb_core::acceptor::{Acceptor, Policy};
//! use krb_core::crypto::{Etype, Key};
//! use krb_core::principal::Principal;
//! use krb_core::testing::Mint;
//!
//! let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//! let service = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None)?;
//! let key = Key::random(Etype::Aes256CtsHmacSha196)?;
//! let mut mint = Mint::new(service, 3, key, now)?;
//! mint.authenticator.ctime += 400; // the client's clock is 400 s ahead
//! let acceptor = Acceptor::new(mint.service_keys(), Policy::default());
//! let e = acceptor.accept(&mint.mint()?.token, now, None).unwrap_err();
//! assert_eq!(e.code().name(), "KRB_AP_ERR_SKEW");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The fields that travel in clear (the ticket's realm, sname, etype and kvno; the AP-REQ's
//! pvno, msg-type and ap-options; the framing) are written by [`Mint::frame`], separately from
//! the encryption done by [`Mint::seal`]: one sealed ticket and authenticator can be framed
//! several times with different clear fields, as an attacker who rewrites them would.
//!
//! Encoding is done here with the crate's DER writer, field by field, so that values the
//! message encoders refuse to write (a pvno of 4, a cusec of a million) can be written.

use std::fmt;
use std::ops::Range;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::acceptor::{ServiceKeys, channel_binding_hash};
use crate::crypto::{CryptoError, Key, KeyUsage};
use crate::der::{DerError, Oid, Writer};
use crate::gss::{GSS_CHECKSUM_TYPE, GssChecksum, TokenId, encode_krb5_token};
use crate::messages::{ApOptions, GssFlags, NameType, TicketFlags, msg_type};
use crate::principal::Principal;
use crate::spnego::{NegState, NegTokenInit, NegTokenResp, encode_mech_types};

/// Why minting failed (the caller asked for something the crypto or DER writer cannot do,
/// such as a time outside the years 0000 to 9999 or a key of an unsupported etype).
#[derive(Debug)]
#[non_exhaustive]
pub enum MintError {
    /// Encryption or key generation failed.
    Crypto(CryptoError),
    /// A value could not be written (a time outside the years 0000 to 9999).
    Der(DerError),
    /// The delegation bytes are longer than the 65535 the 0x8003 checksum can carry.
    DelegationTooLong,
}

impl fmt::Display for MintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MintError::Crypto(e) => write!(f, "minting failed in the crypto layer: {e}"),
            MintError::Der(e) => write!(f, "minting failed to encode a field: {e}"),
            MintError::DelegationTooLong => f.write_str(
                "the delegation is longer than 65535 bytes, which the 0x8003 checksum cannot carry",
            ),
        }
    }
}

impl std::error::Error for MintError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MintError::Crypto(e) => Some(e),
            MintError::Der(e) => Some(e),
            MintError::DelegationTooLong => None,
        }
    }
}

impl From<CryptoError> for MintError {
    fn from(e: CryptoError) -> MintError {
        MintError::Crypto(e)
    }
}

impl From<DerError> for MintError {
    fn from(e: DerError) -> MintError {
        MintError::Der(e)
    }
}

/// One authorization-data element to put in the ticket or the authenticator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MintAd {
    /// The ad-type (128: the Microsoft PAC).
    pub ad_type: i32,
    /// The ad-data.
    pub data: Vec<u8>,
    /// Wrap it in an AD-IF-RELEVANT container (as AD wraps the PAC).
    pub if_relevant: bool,
}

/// The authenticator's `cksum`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MintChecksum {
    /// No checksum at all.
    None,
    /// The GSS-API checksum of type 0x8003 (RFC 4121 §4.1.1).
    Gss {
        /// The context flags (`DELEG` is set or cleared to match `delegation`).
        flags: GssFlags,
        /// The channel bindings' application data, hashed into `Bnd` as
        /// [`channel_binding_hash`] does; `None` leaves `Bnd` all zero (no bindings).
        channel_bindings: Option<Vec<u8>>,
        /// Delegated credentials (a KRB-CRED in DER), written after `DlgOpt` and `Dlgth`.
        delegation: Option<Vec<u8>>,
    },
    /// Any checksum type with any bytes (a malformed 0x8003 checksum, or another type).
    Raw {
        /// The checksum type.
        cksumtype: i32,
        /// The checksum bytes.
        checksum: Vec<u8>,
    },
}

/// The ticket: what the KDC would encrypt in the service key, and the clear fields around it.
#[derive(Clone, Debug)]
pub struct MintTicket {
    /// The key the EncTicketPart is encrypted in (default: the service key given to
    /// [`Mint::new`]). Set another to make a ticket the keytab cannot decrypt.
    pub key: Key,
    /// `tkt-vno` as written (5).
    pub tkt_vno: i64,
    /// The realm and sname written in clear (default: the service principal). Not covered by
    /// any checksum.
    pub sname: Principal,
    /// The `etype` of the ticket's EncryptedData as written (default: the key's).
    pub etype: i32,
    /// The `kvno` of the ticket's EncryptedData as written (default: the kvno given to
    /// [`Mint::new`]).
    pub kvno: Option<u32>,
    /// The ticket flags (default: forwardable, renewable, pre-authent).
    pub flags: TicketFlags,
    /// The session key's `keytype` as written in the EncTicketPart (default: the session
    /// key's etype).
    pub session_keytype: Option<i32>,
    /// The session key's bytes as written (default: the session key's).
    pub session_keyvalue: Option<Vec<u8>>,
    /// The client (crealm and cname).
    pub client: Principal,
    /// `transited`: tr-type and contents (default: 1 and empty).
    pub transited: (i32, Vec<u8>),
    /// When the client authenticated (default: `now` minus 60 s).
    pub authtime: i64,
    /// When the ticket becomes valid (default: absent, meaning authtime).
    pub starttime: Option<i64>,
    /// When the ticket expires (default: `now` plus 10 hours).
    pub endtime: i64,
    /// The renewal limit (default: `now` plus 7 days).
    pub renew_till: Option<i64>,
    /// Client addresses (addr-type, address); default none.
    pub caddr: Vec<(i32, Vec<u8>)>,
    /// Authorization data (default: none).
    pub authorization_data: Vec<MintAd>,
    /// Encrypt these bytes instead of the EncTicketPart built from the fields (a malformed
    /// plaintext under a valid encryption).
    pub plaintext: Option<Vec<u8>>,
}

/// The authenticator, encrypted in the session key with key usage 11.
#[derive(Clone, Debug)]
pub struct MintAuthenticator {
    /// The key it is encrypted in (default: `None`, the session key).
    pub key: Option<Key>,
    /// `authenticator-vno` as written (5).
    pub vno: i64,
    /// The `etype` of the authenticator's EncryptedData as written (default: the encrypting
    /// key's).
    pub etype: Option<i32>,
    /// The `kvno` of the authenticator's EncryptedData as written (default: absent).
    pub kvno: Option<u32>,
    /// The client (crealm and cname) (default: the ticket's client).
    pub client: Principal,
    /// The checksum (default: a GSS-API 0x8003 checksum with integ, conf, sequence and replay
    /// flags, no bindings, no delegation).
    pub checksum: MintChecksum,
    /// Microseconds of the client time, written as an INTEGER (so 1000000 can be written).
    pub cusec: i64,
    /// The client time, seconds since the Unix epoch (default: `now`).
    pub ctime: i64,
    /// A subkey (default: none).
    pub subkey: Option<Key>,
    /// The initial sequence number, written as an INTEGER (default: a random 30-bit value).
    pub seq_number: Option<i64>,
    /// Authorization data added by the client (default: none).
    pub authorization_data: Vec<MintAd>,
    /// Encrypt these bytes instead of the Authenticator built from the fields.
    pub plaintext: Option<Vec<u8>>,
}

/// The AP-REQ's clear fields.
#[derive(Clone, Copy, Debug)]
pub struct MintApReq {
    /// `pvno` as written (5).
    pub pvno: i64,
    /// `msg-type` as written (14).
    pub msg_type: i64,
    /// `ap-options` (default: none; mutual-required and use-session-key are the named bits).
    pub options: ApOptions,
}

/// The mechListMIC a SPNEGO token carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MintMic {
    /// None.
    None,
    /// The correct MIC over the mechTypes list (RFC 4178 §5), made with the context key (the
    /// subkey if any, else the session key) as an RFC 4121 MIC token of the initiator.
    Valid,
    /// These bytes.
    Garbage(Vec<u8>),
}

/// The mechToken of a SPNEGO NegTokenInit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MintMechToken {
    /// The minted Kerberos token (GSS-API framed, with the first Kerberos OID listed).
    Krb5,
    /// No mechToken.
    Absent,
    /// These bytes (e.g. an NTLMSSP message).
    Raw(Vec<u8>),
}

/// How the AP-REQ is framed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MintFraming {
    /// The bare AP-REQ.
    BareApReq,
    /// A Kerberos V5 GSS-API token (RFC 4121 §4.1) with this mechanism OID.
    Krb5(Oid<'static>),
    /// A SPNEGO NegTokenInit (RFC 4178) framed as a GSS-API InitialContextToken.
    SpnegoInit {
        /// The mechTypes list, in order.
        mech_types: Vec<Oid<'static>>,
        /// The mechToken.
        mech_token: MintMechToken,
        /// The mechListMIC.
        mic: MintMic,
    },
    /// A SPNEGO NegTokenResp (the second round trip) carrying the Kerberos token.
    SpnegoResp {
        /// The mechanism list of the first round, over which a [`MintMic::Valid`] is made.
        mech_types: Vec<Oid<'static>>,
        /// The mechListMIC.
        mic: MintMic,
    },
}

impl MintFraming {
    /// SPNEGO as browsers send it: Kerberos first, then NTLM, the Kerberos token
    /// optimistically included, no mechListMIC.
    pub fn spnego() -> MintFraming {
        MintFraming::SpnegoInit {
            mech_types: vec![Oid::KRB5, Oid::NTLMSSP],
            mech_token: MintMechToken::Krb5,
            mic: MintMic::None,
        }
    }
}

/// The encrypted parts of one minted AP-REQ, from [`Mint::seal`].
#[derive(Clone, Debug)]
pub struct Sealed {
    /// The ticket's ciphertext.
    pub ticket_cipher: Vec<u8>,
    /// The authenticator's ciphertext.
    pub authenticator_cipher: Vec<u8>,
    /// The session key.
    pub session_key: Key,
    /// The key of RFC 4121 MIC tokens: the subkey if sent, else the session key.
    pub context_key: Key,
    /// The authenticator's sequence number (MIC tokens use it), 0 when absent.
    pub seq_number: u64,
}

/// A minted token and where its encrypted parts lie in it.
#[derive(Clone, Debug)]
pub struct Minted {
    /// The token to give to the acceptor.
    pub token: Vec<u8>,
    /// The AP-REQ's DER (also inside `token`).
    pub ap_req: Vec<u8>,
    /// The byte range of the ticket's ciphertext in `token`.
    pub ticket_cipher: Range<usize>,
    /// The byte range of the authenticator's ciphertext in `token`.
    pub authenticator_cipher: Range<usize>,
    /// The session key.
    pub session_key: Key,
    /// The key of RFC 4121 MIC tokens (subkey, else session key).
    pub context_key: Key,
    /// The DER of the SPNEGO mechTypes list, when SPNEGO framed the token.
    pub mech_types_der: Option<Vec<u8>>,
}

/// The regions of a minted token that [`Minted::corrupt`] can alter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// The ticket's ciphertext.
    TicketCipher,
    /// The authenticator's ciphertext.
    AuthenticatorCipher,
}

impl Minted {
    /// The token with byte `index` (taken modulo the region's length) of `region` XORed with
    /// `mask` (0 is taken as 1, so that something changes).
    pub fn corrupt(&self, region: Region, index: usize, mask: u8) -> Vec<u8> {
        let range = match region {
            Region::TicketCipher => self.ticket_cipher.clone(),
            Region::AuthenticatorCipher => self.authenticator_cipher.clone(),
        };
        let mut out = self.token.clone();
        let len = range.len();
        if len == 0 {
            return out;
        }
        let at = range.start.saturating_add(index % len);
        if let Some(b) = out.get_mut(at) {
            *b ^= if mask == 0 { 1 } else { mask };
        }
        out
    }
}

/// Builds service tickets and AP-REQs for tests; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct Mint {
    /// The service principal whose key is [`Mint::service_key`].
    pub service: Principal,
    /// Its kvno.
    pub kvno: u32,
    /// The service key (what the acceptor's keytab holds).
    pub service_key: Key,
    /// The session key (default: a random key of the service key's etype).
    pub session_key: Key,
    /// The ticket.
    pub ticket: MintTicket,
    /// The authenticator.
    pub authenticator: MintAuthenticator,
    /// The AP-REQ's clear fields.
    pub ap_req: MintApReq,
    /// The framing (default: a raw Kerberos V5 GSS-API token).
    pub framing: MintFraming,
}

/// Seconds since the Unix epoch.
fn seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], MintError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| MintError::Crypto(CryptoError::Random))?;
    Ok(b)
}

impl Mint {
    /// A mint for `service`, whose key of version `kvno` is `service_key`, with every field
    /// set as a KDC and a client would set them at `now`: client `alice@<service realm>`, a
    /// ticket valid from a minute ago for ten hours, an authenticator of time `now` (with a
    /// random cusec, so that two mints differ), a random session key of the service key's
    /// etype, a GSS-API checksum, framed as a raw Kerberos V5 GSS-API token.
    pub fn new(
        service: Principal,
        kvno: u32,
        service_key: Key,
        now: SystemTime,
    ) -> Result<Mint, MintError> {
        let now = seconds(now);
        let session_key = Key::random(service_key.etype())?;
        let client = Principal::new(NameType::Principal, ["alice"], service.realm.clone());
        let cusec = i64::from(u32::from_be_bytes(random_bytes::<4>()?) % 1_000_000);
        let seq = i64::from(u32::from_be_bytes(random_bytes::<4>()?) & 0x3fff_ffff);
        Ok(Mint {
            ticket: MintTicket {
                key: service_key.clone(),
                tkt_vno: 5,
                sname: service.clone(),
                etype: service_key.etype().number(),
                kvno: Some(kvno),
                flags: TicketFlags::FORWARDABLE | TicketFlags::RENEWABLE | TicketFlags::PRE_AUTHENT,
                session_keytype: None,
                session_keyvalue: None,
                client: client.clone(),
                transited: (1, Vec::new()),
                authtime: now.saturating_sub(60),
                starttime: None,
                endtime: now.saturating_add(36_000),
                renew_till: Some(now.saturating_add(7 * 86_400)),
                caddr: Vec::new(),
                authorization_data: Vec::new(),
                plaintext: None,
            },
            authenticator: MintAuthenticator {
                key: None,
                vno: 5,
                etype: None,
                kvno: None,
                client,
                checksum: MintChecksum::Gss {
                    flags: GssFlags::INTEG | GssFlags::CONF | GssFlags::SEQUENCE | GssFlags::REPLAY,
                    channel_bindings: None,
                    delegation: None,
                },
                cusec,
                ctime: now,
                subkey: None,
                seq_number: Some(seq),
                authorization_data: Vec::new(),
                plaintext: None,
            },
            ap_req: MintApReq {
                pvno: 5,
                msg_type: msg_type::AP_REQ.into(),
                options: ApOptions::empty(),
            },
            framing: MintFraming::Krb5(Oid::KRB5),
            service,
            kvno,
            service_key,
            session_key,
        })
    }

    /// The keys an acceptor needs for this mint's tickets: the service key, once.
    pub fn service_keys(&self) -> ServiceKeys {
        let mut keys = ServiceKeys::new();
        keys.add(self.service.clone(), self.kvno, self.service_key.clone());
        keys
    }

    /// Sets the client of both the ticket and the authenticator.
    pub fn set_client(&mut self, client: Principal) {
        self.ticket.client = client.clone();
        self.authenticator.client = client;
    }

    /// Sets the GSS-API checksum's context flags (when the checksum is a GSS one).
    pub fn set_gss_flags(&mut self, new: GssFlags) {
        if let MintChecksum::Gss { flags, .. } = &mut self.authenticator.checksum {
            *flags = new;
        }
    }

    /// Sets the channel bindings' application data of the GSS-API checksum.
    pub fn set_channel_bindings(&mut self, bindings: Option<&[u8]>) {
        if let MintChecksum::Gss {
            channel_bindings, ..
        } = &mut self.authenticator.checksum
        {
            *channel_bindings = bindings.map(<[u8]>::to_vec);
        }
    }

    /// The EncTicketPart plaintext the fields describe (or [`MintTicket::plaintext`]).
    pub fn enc_ticket_part(&self) -> Result<Vec<u8>, MintError> {
        if let Some(p) = &self.ticket.plaintext {
            return Ok(p.clone());
        }
        let t = &self.ticket;
        let keytype = t
            .session_keytype
            .unwrap_or(self.session_key.etype().number());
        let keyvalue = t
            .session_keyvalue
            .as_deref()
            .unwrap_or(self.session_key.as_bytes());
        let mut w = Writer::with_capacity(512);
        w.application(msg_type::ENC_TICKET_PART, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.kerberos_flags(t.flags.bits()));
                w.explicit(1, |w| write_key(w, keytype, keyvalue));
                w.explicit(2, |w| w.general_string(t.client.realm.as_bytes()));
                w.explicit(3, |w| write_name(w, &t.client));
                w.explicit(4, |w| {
                    w.sequence(|w| {
                        w.explicit(0, |w| w.integer(t.transited.0.into()));
                        w.explicit(1, |w| w.octet_string(&t.transited.1));
                    });
                });
                w.explicit(5, |w| w.kerberos_time(t.authtime));
                if let Some(s) = t.starttime {
                    w.explicit(6, |w| w.kerberos_time(s));
                }
                w.explicit(7, |w| w.kerberos_time(t.endtime));
                if let Some(r) = t.renew_till {
                    w.explicit(8, |w| w.kerberos_time(r));
                }
                if !t.caddr.is_empty() {
                    w.explicit(9, |w| {
                        w.sequence(|w| {
                            for (kind, address) in &t.caddr {
                                w.sequence(|w| {
                                    w.explicit(0, |w| w.integer((*kind).into()));
                                    w.explicit(1, |w| w.octet_string(address));
                                });
                            }
                        });
                    });
                }
                if !t.authorization_data.is_empty() {
                    w.explicit(10, |w| write_ad(w, &t.authorization_data));
                }
            });
        });
        Ok(w.finish()?)
    }

    /// The GSS-API checksum bytes of [`MintChecksum::Gss`], or `None` for the other kinds.
    fn checksum(&self) -> Result<Option<(i32, Vec<u8>)>, MintError> {
        Ok(match &self.authenticator.checksum {
            MintChecksum::None => None,
            MintChecksum::Raw {
                cksumtype,
                checksum,
            } => Some((*cksumtype, checksum.clone())),
            MintChecksum::Gss {
                flags,
                channel_bindings,
                delegation,
            } => {
                let gss = GssChecksum {
                    channel_binding: channel_bindings
                        .as_deref()
                        .map_or([0; 16], channel_binding_hash),
                    flags: *flags,
                    delegation: delegation.as_deref(),
                    extensions: &[],
                };
                Some((
                    GSS_CHECKSUM_TYPE,
                    gss.encode().ok_or(MintError::DelegationTooLong)?,
                ))
            }
        })
    }

    /// The Authenticator plaintext the fields describe (or [`MintAuthenticator::plaintext`]).
    pub fn authenticator_plaintext(&self) -> Result<Vec<u8>, MintError> {
        let a = &self.authenticator;
        if let Some(p) = &a.plaintext {
            return Ok(p.clone());
        }
        let cksum = self.checksum()?;
        let mut w = Writer::with_capacity(256);
        w.application(msg_type::AUTHENTICATOR, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(a.vno));
                w.explicit(1, |w| w.general_string(a.client.realm.as_bytes()));
                w.explicit(2, |w| write_name(w, &a.client));
                if let Some((kind, bytes)) = &cksum {
                    w.explicit(3, |w| {
                        w.sequence(|w| {
                            w.explicit(0, |w| w.integer((*kind).into()));
                            w.explicit(1, |w| w.octet_string(bytes));
                        });
                    });
                }
                w.explicit(4, |w| w.integer(a.cusec));
                w.explicit(5, |w| w.kerberos_time(a.ctime));
                if let Some(k) = &a.subkey {
                    w.explicit(6, |w| write_key(w, k.etype().number(), k.as_bytes()));
                }
                if let Some(s) = a.seq_number {
                    w.explicit(7, |w| w.integer(s));
                }
                if !a.authorization_data.is_empty() {
                    w.explicit(8, |w| write_ad(w, &a.authorization_data));
                }
            });
        });
        Ok(w.finish()?)
    }

    /// Encrypts the ticket (key usage 2) and the authenticator (key usage 11).
    pub fn seal(&self) -> Result<Sealed, MintError> {
        let ticket_cipher = self
            .ticket
            .key
            .encrypt(KeyUsage::TICKET, &self.enc_ticket_part()?)?;
        let auth_key = self.authenticator.key.as_ref().unwrap_or(&self.session_key);
        let authenticator_cipher = auth_key.encrypt(
            KeyUsage::AP_REQ_AUTHENTICATOR,
            &self.authenticator_plaintext()?,
        )?;
        Ok(Sealed {
            ticket_cipher,
            authenticator_cipher,
            session_key: self.session_key.clone(),
            context_key: self
                .authenticator
                .subkey
                .clone()
                .unwrap_or_else(|| self.session_key.clone()),
            seq_number: self
                .authenticator
                .seq_number
                .and_then(|s| u64::try_from(s).ok())
                .unwrap_or(0),
        })
    }

    /// The AP-REQ's DER around sealed parts, with this mint's clear fields.
    pub fn ap_req_der(&self, sealed: &Sealed) -> Result<Vec<u8>, MintError> {
        let t = &self.ticket;
        let a = &self.authenticator;
        let auth_etype = a
            .etype
            .unwrap_or_else(|| a.key.as_ref().unwrap_or(&self.session_key).etype().number());
        let mut w = Writer::with_capacity(
            sealed.ticket_cipher.len() + sealed.authenticator_cipher.len() + 256,
        );
        w.application(msg_type::AP_REQ, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(self.ap_req.pvno));
                w.explicit(1, |w| w.integer(self.ap_req.msg_type));
                w.explicit(2, |w| w.kerberos_flags(self.ap_req.options.bits()));
                w.explicit(3, |w| {
                    w.application(msg_type::TICKET, |w| {
                        w.sequence(|w| {
                            w.explicit(0, |w| w.integer(t.tkt_vno));
                            w.explicit(1, |w| w.general_string(t.sname.realm.as_bytes()));
                            w.explicit(2, |w| write_name(w, &t.sname));
                            w.explicit(3, |w| {
                                write_encrypted(w, t.etype, t.kvno, &sealed.ticket_cipher);
                            });
                        });
                    });
                });
                w.explicit(4, |w| {
                    write_encrypted(w, auth_etype, a.kvno, &sealed.authenticator_cipher);
                });
            });
        });
        Ok(w.finish()?)
    }

    /// Frames sealed parts as [`Mint::framing`] says, with this mint's clear fields.
    pub fn frame(&self, sealed: &Sealed) -> Result<Minted, MintError> {
        let ap_req = self.ap_req_der(sealed)?;
        let mut mech_types_der = None;
        let token = match &self.framing {
            MintFraming::BareApReq => ap_req.clone(),
            MintFraming::Krb5(mech) => encode_krb5_token(*mech, TokenId::ApReq, &ap_req),
            MintFraming::SpnegoInit {
                mech_types,
                mech_token,
                mic,
            } => {
                let list = encode_mech_types(mech_types);
                let krb5_mech = mech_types
                    .iter()
                    .copied()
                    .find(Oid::is_krb5)
                    .unwrap_or(Oid::KRB5);
                let inner = match mech_token {
                    MintMechToken::Krb5 => {
                        Some(encode_krb5_token(krb5_mech, TokenId::ApReq, &ap_req))
                    }
                    MintMechToken::Absent => None,
                    MintMechToken::Raw(bytes) => Some(bytes.clone()),
                };
                let mic = mech_list_mic(mic, sealed, &list)?;
                let init = NegTokenInit {
                    mech_types: mech_types.clone(),
                    mech_types_der: &list,
                    req_flags: None,
                    mech_token: inner.as_deref(),
                    neg_hints: None,
                    mech_list_mic: mic.as_deref(),
                };
                let token = init.encode();
                mech_types_der = Some(list);
                token
            }
            MintFraming::SpnegoResp { mech_types, mic } => {
                let list = encode_mech_types(mech_types);
                let krb5_mech = mech_types
                    .iter()
                    .copied()
                    .find(Oid::is_krb5)
                    .unwrap_or(Oid::KRB5);
                let inner = encode_krb5_token(krb5_mech, TokenId::ApReq, &ap_req);
                let mic = mech_list_mic(mic, sealed, &list)?;
                let resp = NegTokenResp {
                    neg_state: Some(NegState::AcceptIncomplete),
                    supported_mech: None,
                    response_token: Some(&inner),
                    mech_list_mic: mic.as_deref(),
                };
                let token = resp.encode();
                mech_types_der = Some(list);
                token
            }
        };
        let locate = |needle: &[u8]| -> Range<usize> {
            let at = token
                .windows(needle.len().max(1))
                .position(|w| w == needle)
                .unwrap_or(0);
            at..at.saturating_add(needle.len())
        };
        Ok(Minted {
            ticket_cipher: locate(&sealed.ticket_cipher),
            authenticator_cipher: locate(&sealed.authenticator_cipher),
            token,
            ap_req,
            session_key: sealed.session_key.clone(),
            context_key: sealed.context_key.clone(),
            mech_types_der,
        })
    }

    /// Seals and frames: the token for the acceptor.
    pub fn mint(&self) -> Result<Minted, MintError> {
        self.frame(&self.seal()?)
    }
}

fn mech_list_mic(
    mic: &MintMic,
    sealed: &Sealed,
    list: &[u8],
) -> Result<Option<Vec<u8>>, MintError> {
    Ok(match mic {
        MintMic::None => None,
        MintMic::Garbage(bytes) => Some(bytes.clone()),
        MintMic::Valid => Some(mic_token(
            &sealed.context_key,
            KeyUsage::GSS_INITIATOR_SIGN,
            0,
            sealed.seq_number,
            list,
        )?),
    })
}

/// The length of an RFC 4121 MIC token header.
const MIC_HEADER: usize = 16;

/// An RFC 4121 §4.2.6.1 MIC token over `data`: the header `04 04 flags ff*5 SND_SEQ`, then
/// the checksum of `data || header` with `usage`. `flags` 0 for the initiator, 1 (sent by
/// acceptor) for the acceptor.
pub fn mic_token(
    key: &Key,
    usage: KeyUsage,
    flags: u8,
    seq: u64,
    data: &[u8],
) -> Result<Vec<u8>, MintError> {
    let mut header = Vec::with_capacity(MIC_HEADER);
    header.extend_from_slice(&[0x04, 0x04, flags, 0xff, 0xff, 0xff, 0xff, 0xff]);
    header.extend_from_slice(&seq.to_be_bytes());
    let mut signed = Vec::with_capacity(data.len() + MIC_HEADER);
    signed.extend_from_slice(data);
    signed.extend_from_slice(&header);
    let checksum = key.checksum(usage, &signed)?;
    header.extend_from_slice(&checksum);
    Ok(header)
}

/// Checks an acceptor's MIC token over `data` (as an initiator would check the mechListMIC
/// of the acceptor's NegTokenResp): token ID `04 04`, the sent-by-acceptor flag set, the
/// filler, and the checksum with key usage 23.
pub fn verify_acceptor_mic(key: &Key, token: &[u8], data: &[u8]) -> bool {
    let Some((header, checksum)) = token.split_first_chunk::<MIC_HEADER>() else {
        return false;
    };
    let [0x04, 0x04, flags, 0xff, 0xff, 0xff, 0xff, 0xff, ..] = *header else {
        return false;
    };
    if flags & 0x01 == 0 {
        return false;
    }
    let mut signed = Vec::with_capacity(data.len() + MIC_HEADER);
    signed.extend_from_slice(data);
    signed.extend_from_slice(header);
    key.verify_checksum(KeyUsage::GSS_ACCEPTOR_SIGN, &signed, checksum)
        .is_ok()
}

/// An NTLMSSP NEGOTIATE message (type 1), as Windows sends when it has no Kerberos ticket.
pub fn ntlm_negotiate() -> Vec<u8> {
    let mut m = b"NTLMSSP\0".to_vec();
    m.extend_from_slice(&1u32.to_le_bytes());
    // NegotiateFlags: unicode, OEM, request target, NTLM, always sign, extended security.
    m.extend_from_slice(&0xe208_8297u32.to_le_bytes());
    // DomainNameFields and WorkstationFields: empty.
    m.extend_from_slice(&[0u8; 16]);
    m
}

/// A minimal KRB-CRED-shaped blob (`[APPLICATION 22]` around an empty SEQUENCE) to put in a
/// GSS-API checksum's delegation: the acceptor checks only its outer tag.
pub fn krb_cred_blob(filler: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.application(msg_type::KRB_CRED, |w| {
        w.sequence(|w| w.octet_string(filler));
    });
    w.finish().unwrap_or_default()
}

fn write_name(w: &mut Writer, p: &Principal) {
    w.sequence(|w| {
        w.explicit(0, |w| w.integer(p.name_type.to_i32().into()));
        w.explicit(1, |w| {
            w.sequence(|w| {
                for c in &p.components {
                    w.general_string(c.as_bytes());
                }
            });
        });
    });
}

fn write_key(w: &mut Writer, keytype: i32, keyvalue: &[u8]) {
    w.sequence(|w| {
        w.explicit(0, |w| w.integer(keytype.into()));
        w.explicit(1, |w| w.octet_string(keyvalue));
    });
}

fn write_encrypted(w: &mut Writer, etype: i32, kvno: Option<u32>, cipher: &[u8]) {
    w.sequence(|w| {
        w.explicit(0, |w| w.integer(etype.into()));
        if let Some(k) = kvno {
            w.explicit(1, |w| w.integer(k.into()));
        }
        w.explicit(2, |w| w.octet_string(cipher));
    });
}

fn write_ad_plain<'a>(w: &mut Writer, elements: impl Iterator<Item = &'a MintAd>) {
    w.sequence(|w| {
        for e in elements {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(e.ad_type.into()));
                w.explicit(1, |w| w.octet_string(&e.data));
            });
        }
    });
}

/// AuthorizationData, each if-relevant element in its own AD-IF-RELEVANT container.
fn write_ad(w: &mut Writer, elements: &[MintAd]) {
    w.sequence(|w| {
        for e in elements {
            if e.if_relevant {
                let mut inner = Writer::new();
                write_ad_plain(&mut inner, std::iter::once(e));
                let inner = inner.finish().unwrap_or_default();
                w.sequence(|w| {
                    w.explicit(0, |w| w.integer(1));
                    w.explicit(1, |w| w.octet_string(&inner));
                });
            } else {
                w.sequence(|w| {
                    w.explicit(0, |w| w.integer(e.ad_type.into()));
                    w.explicit(1, |w| w.octet_string(&e.data));
                });
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Etype;
    use crate::messages::{ApReq, Authenticator, EncTicketPart};

    fn mint() -> Mint {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let service = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
        let key = Key::random(Etype::Aes128CtsHmacSha196).unwrap();
        Mint::new(service, 2, key, now).unwrap()
    }

    #[test]
    fn the_minted_parts_decode_with_the_crate_decoders() {
        let m = mint();
        let minted = m.mint().unwrap();
        let ap = ApReq::decode(&minted.ap_req).unwrap();
        assert_eq!(ap.ticket.realm, b"EXAMPLE.TEST");
        assert_eq!(ap.ticket.enc_part.kvno, Some(2));
        assert_eq!(
            &minted.token[minted.ticket_cipher.clone()],
            ap.ticket.enc_part.cipher
        );
        assert_eq!(
            &minted.token[minted.authenticator_cipher.clone()],
            ap.authenticator.cipher
        );
        let plain = m
            .service_key
            .decrypt(KeyUsage::TICKET, ap.ticket.enc_part.cipher)
            .unwrap();
        let part = EncTicketPart::decode(&plain).unwrap();
        assert_eq!(part.cname.components, vec![b"alice".as_slice()]);
        assert_eq!(part.key.keyvalue, m.session_key.as_bytes());
        let plain = m
            .session_key
            .decrypt(KeyUsage::AP_REQ_AUTHENTICATOR, ap.authenticator.cipher)
            .unwrap();
        let auth = Authenticator::decode(&plain).unwrap();
        assert_eq!(auth.ctime, 1_800_000_000);
        assert_eq!(auth.cksum.unwrap().cksumtype, GSS_CHECKSUM_TYPE);
    }

    #[test]
    fn corrupt_changes_one_byte_inside_the_region() {
        let minted = mint().mint().unwrap();
        for region in [Region::TicketCipher, Region::AuthenticatorCipher] {
            let bad = minted.corrupt(region, 5, 0x80);
            let diff: Vec<usize> = (0..bad.len())
                .filter(|&i| bad[i] != minted.token[i])
                .collect();
            assert_eq!(diff.len(), 1);
            let range = match region {
                Region::TicketCipher => minted.ticket_cipher.clone(),
                Region::AuthenticatorCipher => minted.authenticator_cipher.clone(),
            };
            assert!(range.contains(&diff[0]));
        }
    }

    #[test]
    fn mic_tokens_verify_only_from_the_acceptor() {
        let key = Key::random(Etype::Aes256CtsHmacSha384192).unwrap();
        let t = mic_token(&key, KeyUsage::GSS_ACCEPTOR_SIGN, 1, 9, b"list").unwrap();
        assert!(verify_acceptor_mic(&key, &t, b"list"));
        assert!(!verify_acceptor_mic(&key, &t, b"lisT"));
        let t = mic_token(&key, KeyUsage::GSS_ACCEPTOR_SIGN, 0, 9, b"list").unwrap();
        assert!(!verify_acceptor_mic(&key, &t, b"list"));
    }
}
