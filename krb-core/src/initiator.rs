//! The initiator: builds a fresh AP-REQ from a service ticket (RFC 4120 §3.2.2), framed as a
//! Kerberos V5 GSS-API token (RFC 4121 §4.1), a SPNEGO NegTokenInit (RFC 4178) or a bare
//! AP-REQ, and checks the acceptor's AP-REP for mutual authentication (RFC 4120 §3.2.5).
//!
//! ```no_run
//! use std::time::SystemTime;
//! use krb_core::ccache::Ccache;
//! use krb_core::initiator::{InitiatorOptions, ServiceTicket, TokenFormat, initiate};
//! use krb_core::principal::Principal;
//! # fn run(ccache_bytes: &[u8], reply: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let ccache = Ccache::parse(ccache_bytes)?;
//! let spn = Principal::parse("HTTP/api.example.test", Some(&ccache.default_principal.realm))?;
//! let ticket = ServiceTicket::from_ccache(&ccache, &spn)?;
//! let options = InitiatorOptions { format: TokenFormat::Spnego, mutual: true, ..Default::default() };
//! let (token, context) = krb_core::initiator::initiate(&ticket, &options, SystemTime::now())?;
//! // send `Authorization: Negotiate base64(token)`; then, with the server's answer:
//! context.verify_ap_rep(reply)?;
//! # Ok(()) }
//! ```
//!
//! What it does not do: talk to a KDC (the ticket comes from a credential cache that `kinit`
//! and `kvno` filled, or from the caller), delegate credentials, or run the per-message
//! tokens (wrap, MIC) after the context is established. It is sans-IO like the rest of the
//! crate: the caller passes `now`, and randomness (subkeys, sequence numbers, confounders)
//! comes from the operating system through `getrandom`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use crate::acceptor::{channel_binding_hash, rfc3339};
use crate::ccache::{Ccache, Credential};
use crate::crypto::{CryptoError, Etype, Key, KeyUsage};
use crate::der::{DerError, DerErrorKind, Oid};
use crate::error_code::ErrorCode;
use crate::gss::{GSS_CHECKSUM_TYPE, GssChecksum, Krb5Token, TokenId, encode_krb5_token};
use crate::messages::{
    ApOptions, ApRep, ApReq, Authenticator, Checksum, EncApRepPart, EncryptedData, EncryptionKey,
    GssFlags, KrbError, PrincipalName, Ticket,
};
use crate::principal::Principal;
use crate::spnego::{NegState, NegTokenInit, NegTokenResp, encode_mech_types};

/// How the initial token is framed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenFormat {
    /// A Kerberos V5 GSS-API token: `[APPLICATION 0] { 1.2.840.113554.1.2.2, 01 00 AP-REQ }`
    /// (RFC 4121 §4.1).
    Krb5,
    /// A SPNEGO NegTokenInit offering only Kerberos V5, with the Kerberos token as its
    /// optimistic `mechToken` (RFC 4178 §4.2.1): what browsers and `curl --negotiate` send.
    #[default]
    Spnego,
    /// The AP-REQ alone, without GSS-API framing and without the GSS-API checksum. krb-core's
    /// acceptor takes it; MIT's `gss_accept_sec_context` does not ("Invalid token was
    /// supplied").
    BareApReq,
}

/// What the initial token asks for.
///
/// `InitiatorOptions { mutual: true, ..Default::default() }` is a SPNEGO token asking for
/// mutual authentication, with a subkey and a sequence number as MIT's initiator sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiatorOptions {
    /// The framing. Default: [`TokenFormat::Spnego`].
    pub format: TokenFormat,
    /// Ask for mutual authentication: sets the AP-REQ's mutual-required option and
    /// `GSS_C_MUTUAL_FLAG`; the acceptor then answers with an AP-REP, which
    /// [`InitiatorContext::verify_ap_rep`] checks. Default: false.
    pub mutual: bool,
    /// Put a fresh random subkey (same enctype as the session key) in the authenticator, as
    /// MIT does. Default: true.
    pub subkey: bool,
    /// Put a random initial sequence number in the authenticator, as MIT does. Default: true.
    pub sequence_number: bool,
    /// The application data of the channel bindings (for TLS, RFC 5929's
    /// `tls-server-end-point:` followed by the certificate hash), hashed into the GSS-API
    /// checksum with unspecified addresses. `None`: no bindings (`Bnd` all zero). Ignored for
    /// [`TokenFormat::BareApReq`], which has no GSS-API checksum.
    pub channel_bindings: Option<Vec<u8>>,
    /// The GSS-API context flags besides mutual. Default: replay, sequence, confidentiality and
    /// integrity, as MIT's `gss_init_sec_context` asks. Delegation is never asked (this
    /// initiator does not delegate); `GSS_C_MUTUAL_FLAG` follows [`InitiatorOptions::mutual`].
    pub gss_flags: GssFlags,
}

impl Default for InitiatorOptions {
    fn default() -> Self {
        InitiatorOptions {
            format: TokenFormat::default(),
            mutual: false,
            subkey: true,
            sequence_number: true,
            channel_bindings: None,
            gss_flags: GssFlags::REPLAY | GssFlags::SEQUENCE | GssFlags::CONF | GssFlags::INTEG,
        }
    }
}

/// A service ticket ready to use: the client, the service, the session key and the ticket's
/// DER. Made from a credential cache entry, or given directly (a load generator that holds
/// tickets in memory). Build it once and call [`initiate`] per request: the session key's
/// derived keys are cached in it.
///
/// Like MIT's `krb5_us_timeofday`, it never uses the same authenticator time twice: when
/// `now` is not later than the last time used (two tokens in one microsecond, or a clock
/// that stepped back), the token gets the last time plus one microsecond, so the acceptor's
/// replay cache (which keys on client, server, ctime and cusec, RFC 4120 §3.2.3) does not
/// take a fresh token for a replay. Clones share that memory.
#[derive(Clone)]
pub struct ServiceTicket {
    client: Principal,
    service: Principal,
    session_key: Key,
    ticket: Vec<u8>,
    /// When the ticket expires (seconds since the Unix epoch), when known.
    endtime: Option<i64>,
    /// The KDC's clock minus ours, in microseconds, added to `now` (MIT's KDC time offset).
    time_offset_micros: i64,
    /// The last authenticator time used, in microseconds since the Unix epoch.
    last_micros: Arc<AtomicI64>,
}

impl fmt::Debug for ServiceTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceTicket")
            .field("client", &self.client.to_string())
            .field("service", &self.service.to_string())
            .field("session_key", &self.session_key)
            .field("ticket_len", &self.ticket.len())
            .finish()
    }
}

impl ServiceTicket {
    /// A ticket given directly: the client principal, the session key and the ticket's DER
    /// (an `[APPLICATION 1]` Ticket, as a KDC issued it). The service is read from the ticket.
    /// Its end time is not known (the client cannot decrypt the ticket): see
    /// [`ServiceTicket::with_endtime`].
    pub fn new(
        client: Principal,
        session_key: Key,
        ticket: Vec<u8>,
    ) -> Result<ServiceTicket, InitiatorError> {
        let decoded = Ticket::decode(&ticket).map_err(InitiatorError::TicketMalformed)?;
        let service = Principal {
            name_type: decoded.sname.name_type,
            components: decoded
                .sname
                .components
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect(),
            realm: String::from_utf8_lossy(decoded.realm).into_owned(),
        };
        Ok(ServiceTicket {
            client,
            service,
            session_key,
            ticket,
            endtime: None,
            time_offset_micros: 0,
            last_micros: Arc::new(AtomicI64::new(i64::MIN)),
        })
    }

    /// The ticket of a credential cache entry. Fails if the session key's enctype is not
    /// supported by this build (rc4-hmac without the `rc4` feature) or the ticket is not DER.
    pub fn from_credential(cred: &Credential) -> Result<ServiceTicket, InitiatorError> {
        let unsupported = || InitiatorError::UnsupportedEtype {
            service: cred.server.to_string(),
            etype: cred.key_etype,
        };
        let etype = Etype::from_number(cred.key_etype).map_err(|_| unsupported())?;
        if !etype.is_supported() {
            return Err(unsupported());
        }
        let key = Key::new(etype, cred.session_key_bytes()).map_err(InitiatorError::Crypto)?;
        let mut ticket = ServiceTicket::new(cred.client.clone(), key, cred.ticket.clone())?;
        // The cache's name for the service is what the caller looked up; keep it.
        ticket.service = cred.server.clone();
        Ok(ticket.with_endtime(i64::from(cred.endtime)))
    }

    /// The same ticket, with its end time (seconds since the Unix epoch): [`initiate`] then
    /// refuses to use it after that time, as MIT's initiator does, instead of sending a token
    /// the acceptor will refuse.
    #[must_use]
    pub fn with_endtime(mut self, endtime: i64) -> ServiceTicket {
        self.endtime = Some(endtime);
        self
    }

    /// When the ticket expires (seconds since the Unix epoch), when known.
    pub fn endtime(&self) -> Option<i64> {
        self.endtime
    }

    /// The same ticket, with authenticator times corrected by `micros` (the KDC's clock minus
    /// ours, in microseconds; negative when ours is ahead).
    #[must_use]
    pub fn with_time_offset(mut self, micros: i64) -> ServiceTicket {
        self.time_offset_micros = micros;
        self
    }

    /// The correction added to `now` for authenticator times, in microseconds.
    pub fn time_offset_micros(&self) -> i64 {
        self.time_offset_micros
    }

    /// The newest ticket for `service` in `ccache` (realm and components compared, as MIT
    /// does). Fails with [`InitiatorError::NoTicket`], listing the services the cache holds,
    /// when there is none.
    ///
    /// When the cache's header holds a KDC time offset (kinit stores one when the KDC's clock
    /// differs from ours), authenticator times are corrected by it, as MIT's initiator does,
    /// so a client with a wrong clock still makes tokens the acceptor's skew check takes.
    pub fn from_ccache(
        ccache: &Ccache,
        service: &Principal,
    ) -> Result<ServiceTicket, InitiatorError> {
        match ccache.find(service) {
            Some(cred) => {
                let ticket = ServiceTicket::from_credential(cred)?;
                Ok(match ccache.kdc_time_offset {
                    Some((secs, usecs)) => {
                        ticket.with_time_offset(i64::from(secs) * 1_000_000 + i64::from(usecs))
                    }
                    None => ticket,
                })
            }
            None => Err(InitiatorError::NoTicket {
                service: service.to_string(),
                held: ccache
                    .tickets()
                    .filter(|c| c.server.components.first().map(String::as_str) != Some("krbtgt"))
                    .map(|c| c.server.to_string())
                    .collect(),
            }),
        }
    }

    /// The client principal.
    pub fn client(&self) -> &Principal {
        &self.client
    }

    /// The service principal.
    pub fn service(&self) -> &Principal {
        &self.service
    }

    /// The session key.
    pub fn session_key(&self) -> &Key {
        &self.session_key
    }

    /// The ticket's DER.
    pub fn ticket_der(&self) -> &[u8] {
        &self.ticket
    }

    /// The authenticator time for `now`: `now`, or one microsecond after the last time used
    /// if `now` is not later.
    fn unique_time(&self, now: SystemTime) -> Result<(i64, u32), InitiatorError> {
        let d = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| InitiatorError::TimeBeforeEpoch)?;
        let wanted = i64::try_from(d.as_micros())
            .map_err(|_| InitiatorError::TimeBeforeEpoch)?
            .saturating_add(self.time_offset_micros);
        if wanted < 0 {
            return Err(InitiatorError::TimeBeforeEpoch);
        }
        let mut used = wanted;
        // fetch_update's closure always returns Some, so the result is always Ok.
        let _ = self
            .last_micros
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |last| {
                used = wanted.max(last.saturating_add(1));
                Some(used)
            });
        let cusec = u32::try_from(used.rem_euclid(1_000_000)).unwrap_or(0);
        Ok((used.div_euclid(1_000_000), cusec))
    }
}

/// What the initiator remembers of its token, to check the acceptor's answer.
pub struct InitiatorContext {
    session_key: Key,
    subkey: Option<Key>,
    ctime: i64,
    cusec: u32,
    seq_number: Option<u32>,
    mutual: bool,
    format: TokenFormat,
    gss_flags: Option<GssFlags>,
}

impl fmt::Debug for InitiatorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitiatorContext")
            .field("session_key", &self.session_key)
            .field("subkey", &self.subkey)
            .field("ctime", &self.ctime)
            .field("cusec", &self.cusec)
            .field("seq_number", &self.seq_number)
            .field("mutual", &self.mutual)
            .field("format", &self.format)
            .field("gss_flags", &self.gss_flags)
            .finish()
    }
}

/// What a verified AP-REP said.
#[non_exhaustive]
pub struct Established {
    /// The acceptor's subkey, if it sent one (RFC 4121 then calls it the acceptor subkey).
    pub acceptor_subkey: Option<Key>,
    /// The acceptor's initial sequence number, if it sent one.
    pub acceptor_seq_number: Option<u32>,
    /// Whether a SPNEGO mechListMIC came with the answer and was verified.
    pub mech_list_mic_verified: bool,
}

impl fmt::Debug for Established {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Established")
            .field("acceptor_subkey", &self.acceptor_subkey)
            .field("acceptor_seq_number", &self.acceptor_seq_number)
            .field("mech_list_mic_verified", &self.mech_list_mic_verified)
            .finish()
    }
}

fn random_seq() -> Result<u32, InitiatorError> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|_| InitiatorError::Crypto(CryptoError::Random))?;
    // MIT keeps initial sequence numbers below 2^30, for peers that read them as signed.
    Ok(u32::from_be_bytes(b) & 0x3fff_ffff)
}

fn principal_name(p: &Principal) -> PrincipalName<'_> {
    PrincipalName {
        name_type: p.name_type,
        components: p.components.iter().map(String::as_bytes).collect(),
    }
}

/// Builds a fresh initial token from `ticket` at time `now` (the authenticator's ctime and
/// cusec, made unique per ticket: see [`ServiceTicket`]), and the context that checks the
/// acceptor's answer.
///
/// The authenticator (RFC 4120 §5.5.1) carries the ticket's client, `now`, the options'
/// subkey and sequence number, and, for the GSS-API formats, the RFC 4121 §4.1.1 checksum
/// (type 0x8003) with the channel-binding hash and the context flags. It is encrypted in the
/// session key with key usage 11.
pub fn initiate(
    ticket: &ServiceTicket,
    options: &InitiatorOptions,
    now: SystemTime,
) -> Result<(Vec<u8>, InitiatorContext), InitiatorError> {
    let (ctime, cusec) = ticket.unique_time(now)?;
    if let Some(endtime) = ticket.endtime
        && ctime > endtime
    {
        return Err(InitiatorError::TicketExpired {
            service: ticket.service.to_string(),
            endtime,
        });
    }
    let session_key = &ticket.session_key;
    let subkey = if options.subkey {
        Some(Key::random(session_key.etype()).map_err(InitiatorError::Crypto)?)
    } else {
        None
    };
    let seq_number = if options.sequence_number {
        Some(random_seq()?)
    } else {
        None
    };

    let gss = options.format != TokenFormat::BareApReq;
    let gss_flags = gss.then(|| {
        let mut flags = GssFlags::from_bits(options.gss_flags.bits() & !GssFlags::DELEG.bits());
        if options.mutual {
            flags = flags.with(GssFlags::MUTUAL);
        } else {
            flags = GssFlags::from_bits(flags.bits() & !GssFlags::MUTUAL.bits());
        }
        flags
    });
    let checksum_bytes = match gss_flags {
        Some(flags) => Some(
            GssChecksum {
                channel_binding: options
                    .channel_bindings
                    .as_deref()
                    .map_or([0; 16], channel_binding_hash),
                flags,
                delegation: None,
                extensions: &[],
            }
            .encode()
            .ok_or(InitiatorError::Encode(DerError::new(
                0,
                DerErrorKind::InvalidValue {
                    what: "GSS-API checksum",
                    reason: "could not be encoded",
                },
            )))?,
        ),
        None => None,
    };

    let authenticator = Authenticator {
        crealm: ticket.client.realm.as_bytes(),
        cname: principal_name(&ticket.client),
        cksum: checksum_bytes.as_deref().map(|c| Checksum {
            cksumtype: GSS_CHECKSUM_TYPE,
            checksum: c,
        }),
        cusec,
        ctime,
        subkey: subkey.as_ref().map(|k| EncryptionKey {
            keytype: k.etype().number(),
            keyvalue: k.as_bytes(),
        }),
        seq_number,
        authorization_data: Vec::new(),
    };
    let plain = Zeroizing::new(authenticator.encode().map_err(InitiatorError::Encode)?);
    let cipher = session_key
        .encrypt(KeyUsage::AP_REQ_AUTHENTICATOR, &plain)
        .map_err(InitiatorError::Crypto)?;
    let ap_req = ApReq {
        ap_options: if options.mutual {
            ApOptions::MUTUAL_REQUIRED
        } else {
            ApOptions::empty()
        },
        ticket: Ticket::decode(&ticket.ticket).map_err(InitiatorError::TicketMalformed)?,
        authenticator: EncryptedData {
            etype: session_key.etype().number(),
            kvno: None,
            cipher: &cipher,
        },
    };
    let ap_req = ap_req.encode().map_err(InitiatorError::Encode)?;
    let token = match options.format {
        TokenFormat::BareApReq => ap_req,
        TokenFormat::Krb5 => encode_krb5_token(Oid::KRB5, TokenId::ApReq, &ap_req),
        TokenFormat::Spnego => {
            let krb5 = encode_krb5_token(Oid::KRB5, TokenId::ApReq, &ap_req);
            NegTokenInit {
                mech_types: vec![Oid::KRB5],
                mech_types_der: &[],
                req_flags: None,
                mech_token: Some(&krb5),
                neg_hints: None,
                mech_list_mic: None,
            }
            .encode()
        }
    };
    Ok((
        token,
        InitiatorContext {
            session_key: session_key.clone(),
            subkey,
            ctime,
            cusec,
            seq_number,
            mutual: options.mutual,
            format: options.format,
            gss_flags,
        },
    ))
}

/// MIC token constants (RFC 4121 §4.2.2, §4.2.6.1).
const MIC_TOKEN_ID: [u8; 2] = [0x04, 0x04];
const MIC_SENT_BY_ACCEPTOR: u8 = 0x01;
const MIC_ACCEPTOR_SUBKEY: u8 = 0x04;
const MIC_HEADER_LEN: usize = 16;

impl InitiatorContext {
    /// The authenticator's time, seconds since the Unix epoch.
    pub fn ctime(&self) -> i64 {
        self.ctime
    }

    /// The authenticator's microseconds.
    pub fn cusec(&self) -> u32 {
        self.cusec
    }

    /// The ticket's session key.
    pub fn session_key(&self) -> &Key {
        &self.session_key
    }

    /// The subkey sent in the authenticator, if any.
    pub fn subkey(&self) -> Option<&Key> {
        self.subkey.as_ref()
    }

    /// The initial sequence number sent, if any.
    pub fn seq_number(&self) -> Option<u32> {
        self.seq_number
    }

    /// Whether mutual authentication was asked for.
    pub fn mutual(&self) -> bool {
        self.mutual
    }

    /// The framing of the initial token.
    pub fn format(&self) -> TokenFormat {
        self.format
    }

    /// The GSS-API flags sent in the checksum (`None` for a bare AP-REQ).
    pub fn gss_flags(&self) -> Option<GssFlags> {
        self.gss_flags
    }

    /// Checks the acceptor's answer (RFC 4120 §3.2.5): a Kerberos V5 GSS-API AP-REP token
    /// (`02 00`), a bare AP-REP, or a SPNEGO NegTokenResp (accept-completed, its
    /// `responseToken` the GSS-API AP-REP). The EncAPRepPart must decrypt with the session
    /// key (key usage 12) and echo the authenticator's ctime and cusec. A SPNEGO mechListMIC,
    /// when present, is verified (RFC 4178 §5). A KRB-ERROR answer is reported with its code.
    ///
    /// A SPNEGO accept-completed without a `responseToken` is accepted only when mutual
    /// authentication was not asked for.
    pub fn verify_ap_rep(&self, token: &[u8]) -> Result<Established, InitiatorError> {
        match token.first() {
            Some(0xa1) => self.verify_spnego(token),
            Some(0x60) => self.verify_gss(token),
            Some(0x6f) => self.verify_bare(token),
            Some(0x7e) => Err(krb_error(token)),
            _ => Err(InitiatorError::ReplyNotApRep { found: "unknown" }),
        }
    }

    fn verify_spnego(&self, token: &[u8]) -> Result<Established, InitiatorError> {
        let resp = NegTokenResp::decode(token).map_err(InitiatorError::ReplyMalformed)?;
        match resp.neg_state {
            Some(NegState::AcceptCompleted) => {}
            // A reject that carries the mechanism's KRB-ERROR (clock skew): report its code.
            Some(NegState::Reject) if resp.response_token.is_some() => {
                let inner = resp.response_token.unwrap_or_default();
                self.verify_gss(inner)?;
                return Err(InitiatorError::SpnegoNotCompleted {
                    state: resp.neg_state,
                });
            }
            // negState is absent only in later tokens; a final answer must say completed.
            other => return Err(InitiatorError::SpnegoNotCompleted { state: other }),
        }
        if let Some(mech) = resp.supported_mech
            && mech != Oid::KRB5
        {
            return Err(InitiatorError::WrongMechanism);
        }
        let mut established = match resp.response_token {
            Some(inner) => self.verify_gss(inner)?,
            None if self.mutual => return Err(InitiatorError::MissingApRep),
            None => Established {
                acceptor_subkey: None,
                acceptor_seq_number: None,
                mech_list_mic_verified: false,
            },
        };
        if let Some(mic) = resp.mech_list_mic {
            let key = established
                .acceptor_subkey
                .as_ref()
                .or(self.subkey.as_ref())
                .unwrap_or(&self.session_key);
            if !verify_acceptor_mic(key, mic, &encode_mech_types(&[Oid::KRB5])) {
                return Err(InitiatorError::MechListMic);
            }
            established.mech_list_mic_verified = true;
        }
        Ok(established)
    }

    fn verify_gss(&self, token: &[u8]) -> Result<Established, InitiatorError> {
        let t = Krb5Token::decode(token).map_err(InitiatorError::ReplyMalformed)?;
        match t.token_id {
            TokenId::ApRep => self.verify_bare(t.message),
            TokenId::KrbError => Err(krb_error(t.message)),
            TokenId::ApReq => Err(InitiatorError::ReplyNotApRep { found: "an AP-REQ" }),
        }
    }

    fn verify_bare(&self, message: &[u8]) -> Result<Established, InitiatorError> {
        let ap_rep = ApRep::decode(message).map_err(InitiatorError::ReplyMalformed)?;
        let etype = self.session_key.etype();
        if ap_rep.enc_part.etype != etype.number() {
            return Err(InitiatorError::ApRepEtype {
                expected: etype,
                got: ap_rep.enc_part.etype,
            });
        }
        // "the client decrypts [the AP-REP] using the session key from the ticket"
        let plain = Zeroizing::new(
            self.session_key
                .decrypt(KeyUsage::AP_REP_ENC_PART, ap_rep.enc_part.cipher)
                .map_err(|_| InitiatorError::ApRepIntegrity { etype })?,
        );
        let part = EncApRepPart::decode(&plain).map_err(InitiatorError::ReplyMalformed)?;
        // "... and verifies that the timestamp and microsecond fields match those in the
        // Authenticator it sent to the server."
        if part.ctime != self.ctime || part.cusec != self.cusec {
            return Err(InitiatorError::ApRepTimeMismatch {
                sent: (self.ctime, self.cusec),
                echoed: (part.ctime, part.cusec),
            });
        }
        let acceptor_subkey = match part.subkey {
            Some(k) => Some(
                Etype::from_number(k.keytype)
                    .and_then(|e| Key::new(e, k.keyvalue))
                    .map_err(InitiatorError::Crypto)?,
            ),
            None => None,
        };
        Ok(Established {
            acceptor_subkey,
            acceptor_seq_number: part.seq_number,
            mech_list_mic_verified: false,
        })
    }
}

/// The error for a KRB-ERROR answer (or a malformed one).
fn krb_error(message: &[u8]) -> InitiatorError {
    match KrbError::decode(message) {
        Ok(e) => InitiatorError::AcceptorError {
            code: ErrorCode::from_number(e.error_code),
            text: e.e_text.map(|t| String::from_utf8_lossy(t).into_owned()),
        },
        Err(e) => InitiatorError::ReplyMalformed(e),
    }
}

/// Verifies the acceptor's MIC token (RFC 4121 §4.2.6.1) over `data`.
fn verify_acceptor_mic(key: &Key, token: &[u8], data: &[u8]) -> bool {
    let Some((header, checksum)) = token.split_first_chunk::<MIC_HEADER_LEN>() else {
        return false;
    };
    let [id0, id1, flags, f0, f1, f2, f3, f4, ..] = *header;
    if [id0, id1] != MIC_TOKEN_ID || [f0, f1, f2, f3, f4] != [0xff; 5] {
        return false;
    }
    if flags & MIC_SENT_BY_ACCEPTOR == 0
        || flags & !(MIC_SENT_BY_ACCEPTOR | MIC_ACCEPTOR_SUBKEY) != 0
    {
        return false;
    }
    let mut signed = Vec::with_capacity(data.len() + MIC_HEADER_LEN);
    signed.extend_from_slice(data);
    signed.extend_from_slice(header);
    key.verify_checksum(KeyUsage::GSS_ACCEPTOR_SIGN, &signed, checksum)
        .is_ok()
}

/// Why a token could not be built, or an answer did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InitiatorError {
    /// The credential cache holds no ticket for the service.
    NoTicket {
        /// The service asked for.
        service: String,
        /// The services the cache holds tickets for (TGTs left out).
        held: Vec<String>,
    },
    /// The session key's enctype is not supported by this build.
    UnsupportedEtype {
        /// The service of the ticket.
        service: String,
        /// The enctype number of its session key.
        etype: i32,
    },
    /// The ticket is not a DER Ticket.
    TicketMalformed(DerError),
    /// The ticket has expired.
    TicketExpired {
        /// The service of the ticket.
        service: String,
        /// When it expired (seconds since the Unix epoch).
        endtime: i64,
    },
    /// `now` is before 1970 (or after the year 292277).
    TimeBeforeEpoch,
    /// A message could not be encoded (a time outside the years 0000 to 9999).
    Encode(DerError),
    /// A crypto operation failed (no randomness from the operating system, a bad key).
    Crypto(CryptoError),
    /// The answer is not a token this initiator understands.
    ReplyNotApRep {
        /// What it is.
        found: &'static str,
    },
    /// The answer is not valid DER of the expected message.
    ReplyMalformed(DerError),
    /// The acceptor answered with a KRB-ERROR.
    AcceptorError {
        /// The error code.
        code: ErrorCode,
        /// The acceptor's e-text, if any.
        text: Option<String>,
    },
    /// The SPNEGO answer's negState is not accept-completed.
    SpnegoNotCompleted {
        /// The state it has.
        state: Option<NegState>,
    },
    /// The SPNEGO answer selected a mechanism other than Kerberos V5.
    WrongMechanism,
    /// Mutual authentication was asked for, but the answer carries no AP-REP.
    MissingApRep,
    /// The AP-REP is encrypted with another enctype than the session key's.
    ApRepEtype {
        /// The session key's enctype.
        expected: Etype,
        /// The AP-REP's enctype number.
        got: i32,
    },
    /// The AP-REP did not decrypt with the session key.
    ApRepIntegrity {
        /// The session key's enctype.
        etype: Etype,
    },
    /// The AP-REP does not echo the authenticator's time.
    ApRepTimeMismatch {
        /// The ctime and cusec sent.
        sent: (i64, u32),
        /// The ctime and cusec in the AP-REP.
        echoed: (i64, u32),
    },
    /// The acceptor's SPNEGO mechListMIC did not verify.
    MechListMic,
}

impl fmt::Display for InitiatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use InitiatorError as E;
        match self {
            E::NoTicket { service, held } => {
                write!(
                    f,
                    "the credential cache holds no ticket for {service}: run kinit and get a \
                     service ticket, e.g. `kvno {service}`; the cache holds tickets for "
                )?;
                if held.is_empty() {
                    f.write_str("no service")
                } else {
                    f.write_str(&held.join(", "))
                }
            }
            E::UnsupportedEtype { service, etype } => {
                let name = Etype::from_number(*etype).map_or("unknown", Etype::mit_name);
                write!(
                    f,
                    "the ticket for {service} has a session key of enctype {etype} ({name}), which \
                     this build does not support"
                )?;
                if *etype == Etype::Rc4Hmac.number() {
                    f.write_str(
                        ": build with the `rc4` feature, or better, give the service AES keys \
                         and get a new ticket",
                    )
                } else {
                    f.write_str(": ask the KDC for an AES ticket (17, 18, 19 or 20)")
                }
            }
            E::TicketMalformed(e) => write!(
                f,
                "the ticket is not a DER Kerberos Ticket ({e}): is the credential cache damaged?"
            ),
            E::TicketExpired { service, endtime } => write!(
                f,
                "the ticket for {service} expired at {}: run kinit and `kvno {service}` again",
                rfc3339(*endtime)
            ),
            E::TimeBeforeEpoch => f.write_str("the time given is before 1970: check the clock"),
            E::Encode(e) => write!(f, "could not encode the AP-REQ: {e}"),
            E::Crypto(e) => write!(f, "crypto: {e}"),
            E::ReplyNotApRep { found } => write!(
                f,
                "the acceptor's answer is {found}, not an AP-REP, a GSS-API Kerberos token or a \
                 SPNEGO NegTokenResp: is it the base64-decoded WWW-Authenticate token?"
            ),
            E::ReplyMalformed(e) => write!(f, "the acceptor's answer is malformed: {e}"),
            E::AcceptorError { code, text } => {
                write!(
                    f,
                    "the acceptor refused the token with {} ({})",
                    code.name(),
                    code.number()
                )?;
                if let Some(t) = text {
                    write!(f, ": {t}")?;
                }
                Ok(())
            }
            E::SpnegoNotCompleted { state } => write!(
                f,
                "the SPNEGO answer's negState is {state:?}, expected accept-completed: the \
                 acceptor rejected the token or wants another round, which this initiator does \
                 not do"
            ),
            E::WrongMechanism => f.write_str(
                "the SPNEGO answer selected a mechanism other than Kerberos V5 (1.2.840.113554.1.2.2)",
            ),
            E::MissingApRep => f.write_str(
                "mutual authentication was asked for, but the answer carries no AP-REP: the \
                 server did not authenticate itself",
            ),
            E::ApRepEtype { expected, got } => write!(
                f,
                "the AP-REP is encrypted with enctype {got}, but the session key is {expected}: \
                 the answer belongs to another ticket"
            ),
            E::ApRepIntegrity { etype } => write!(
                f,
                "the AP-REP does not decrypt with the session key ({etype}): it was altered, or \
                 answers another token; do not trust this server"
            ),
            E::ApRepTimeMismatch { sent, echoed } => write!(
                f,
                "the AP-REP echoes ctime {}.{:06}, but the authenticator sent {}.{:06}: it answers \
                 another token (a replayed AP-REP?); do not trust this server",
                echoed.0, echoed.1, sent.0, sent.1
            ),
            E::MechListMic => f.write_str(
                "the acceptor's SPNEGO mechListMIC does not verify: the mechanism list was \
                 tampered with, or the answer was altered",
            ),
        }
    }
}

impl std::error::Error for InitiatorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InitiatorError::TicketMalformed(e)
            | InitiatorError::Encode(e)
            | InitiatorError::ReplyMalformed(e) => Some(e),
            InitiatorError::Crypto(e) => Some(e),
            _ => None,
        }
    }
}
