//! The acceptor: validates an AP-REQ end to end (RFC 4120 §3.2.3, RFC 4121, RFC 4178) and
//! answers it.
//!
//! ```no_run
//! use std::time::SystemTime;
//! use krb_core::acceptor::{Acceptor, Policy, ServiceKeys};
//! # fn keys() -> ServiceKeys { ServiceKeys::new() }
//! let acceptor = Acceptor::new(keys(), Policy::default());
//! # let token = b"";
//! match acceptor.accept(token, SystemTime::now(), None) {
//!     Ok(ok) => println!("{} authenticated", ok.ticket.client),
//!     Err(e) => println!("refused ({}): {e}", e.code().name()),
//! }
//! ```
//!
//! It is sans-IO: the caller passes the token bytes, the current time and the channel
//! bindings; the acceptor reads no clock and no file. The service keys come from a keytab
//! (`krb_keytab::Keytab::service_keys`) or are added one by one, and their derived ticket keys
//! are computed once and cached, not per request.
//!
//! What it checks, in the RFC's order, each step quoted where it is done below: the message
//! framing and version; the ticket's service against the keys held; the key (exact kvno first,
//! then every key of the service and enctype, as MIT does after a key rotation); the ticket's
//! and the authenticator's integrity; that the authenticator's client is the ticket's; the
//! clock skew; the replay cache; the ticket's start, end and INVALID flag; the GSS-API
//! checksum with its channel bindings; and SPNEGO's mechListMIC. What it does not check:
//! client addresses in the ticket (HTTP clients come through proxies and NAT, and RFC 4120
//! leaves the check to the application) and the transited realms (cross-realm trust policy is
//! the KDC's).

mod error;
mod keys;
mod mic;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

pub use error::{AcceptError, AcceptErrorKind};
pub use keys::{ServiceKey, ServiceKeys};
pub use mic::channel_binding_hash;

use crate::crypto::{CryptoError, Etype, Key, KeyUsage};
use crate::der::{DerError, DerErrorKind, civil_from_days};
use crate::error_code::ErrorCode;
use crate::gss::{GSS_CHECKSUM_TYPE, GssChecksum, encode_ap_rep_token, encode_krb_error_token};
use crate::messages::{
    ApOptions, ApRep, Authenticator, EncApRepPart, EncTicketPart, EncryptedData, GssFlags,
    KrbError, PrincipalName, TicketFlags, ad_type,
};
use crate::principal::Principal;
use crate::replay::{MemoryReplayCache, ReplayCache, ReplayError, ReplayKey};
use crate::spnego::{NegState, NegTokenResp};
use crate::token::{ApReqToken, Framing, NegotiateToken, TokenError, parse_negotiate};

/// What the acceptor accepts.
#[derive(Clone, Debug)]
pub struct Policy {
    /// How far the client's clock may be from `now` (RFC 4120's "allowable clock skew").
    /// Default: 300 s.
    pub clock_skew: Duration,
    /// The service principals accepted. `None` (the default): any principal the keys are for.
    pub service_principals: Option<Vec<Principal>>,
    /// Host-name aliases: `(alias, host)` makes a ticket for `service/alias@REALM` use the
    /// keys of `service/host@REALM` (a load-balancer name whose SPN shares the service
    /// account's keys).
    pub host_aliases: Vec<(String, String)>,
    /// The ticket enctypes accepted. Default: the four AES enctypes (17, 18, 19, 20). rc4-hmac
    /// is accepted only through [`Danger::allow_rc4`].
    pub allowed_etypes: Vec<Etype>,
    /// Refuse tokens that are not bound to the caller's channel bindings (and calls that pass
    /// none). Default: false (tokens without bindings are accepted, as MIT does).
    pub require_channel_bindings: bool,
    /// Settings that weaken security.
    pub danger: Danger,
}

/// Settings that weaken security; each says why it might be wanted anyway.
#[derive(Clone, Debug, Default)]
pub struct Danger {
    /// Turn the replay cache off: a captured token can then be replayed within the skew
    /// window. Only for a deployment that has a replay cache elsewhere, or a one-shot check
    /// (`krb-proxy inspect`).
    pub disable_replay_cache: bool,
    /// Accept rc4-hmac tickets and session keys (RFC 4757; needs the `rc4` feature). RC4 and
    /// the unsalted NT hash are weak; only for old Active Directory accounts.
    pub allow_rc4: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            clock_skew: Duration::from_secs(300),
            service_principals: None,
            host_aliases: Vec::new(),
            allowed_etypes: vec![
                Etype::Aes256CtsHmacSha384192,
                Etype::Aes128CtsHmacSha256128,
                Etype::Aes256CtsHmacSha196,
                Etype::Aes128CtsHmacSha196,
            ],
            require_channel_bindings: false,
            danger: Danger::default(),
        }
    }
}

/// How the client framed its token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mechanism {
    /// A raw Kerberos V5 GSS-API token.
    Krb5,
    /// SPNEGO around a Kerberos V5 token.
    Spnego,
    /// A bare AP-REQ, without GSS-API framing.
    BareApReq,
}

impl Mechanism {
    /// `"krb5"`, `"spnego"` or `"ap-req"`.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Krb5 => "krb5",
            Mechanism::Spnego => "spnego",
            Mechanism::BareApReq => "ap-req",
        }
    }
}

/// The decrypted facts of a ticket and its authenticator.
#[derive(Clone, Debug)]
pub struct TicketInfo {
    /// The client, e.g. `alice@EXAMPLE.TEST`.
    pub client: Principal,
    /// The service principal whose key decrypted the ticket.
    pub service: Principal,
    /// The kvno of that key.
    pub kvno: u32,
    /// The ticket's enctype.
    pub etype: Etype,
    /// The ticket flags.
    pub flags: TicketFlags,
    /// When the client authenticated to the KDC (seconds since the Unix epoch).
    pub authtime: i64,
    /// When the ticket became valid (None: at authtime).
    pub starttime: Option<i64>,
    /// When the ticket expires.
    pub endtime: i64,
    /// The renewal limit, for renewable tickets.
    pub renew_till: Option<i64>,
    /// The authenticator's time, seconds.
    pub ctime: i64,
    /// The authenticator's time, microseconds.
    pub cusec: u32,
}

/// One authorization-data element of the ticket (AD-IF-RELEVANT unwrapped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationData {
    /// The ad-type (128: the Microsoft PAC).
    pub ad_type: i32,
    /// The ad-data.
    pub data: Vec<u8>,
    /// Whether it came inside AD-IF-RELEVANT.
    pub if_relevant: bool,
}

/// An accepted token.
#[derive(Debug)]
pub struct Accepted {
    /// The client, service, times and flags.
    pub ticket: TicketInfo,
    /// Whether the ticket's kvno was the key's (false: a trial decryption after a key
    /// rotation found it).
    pub kvno_matched: bool,
    /// The ticket's session key.
    pub session_key: Key,
    /// The authenticator's subkey, if the client sent one.
    pub subkey: Option<Key>,
    /// The authenticator's sequence number, if any.
    pub seq_number: Option<u32>,
    /// The GSS-API context flags the client asked for (None for a bare AP-REQ).
    pub gss_flags: Option<GssFlags>,
    /// Whether the client asked for mutual authentication.
    pub mutual: bool,
    /// Delegated credentials: the KRB-CRED (DER, its enc-part in the session key, key usage
    /// 14) when the client delegated.
    pub delegated: Option<Vec<u8>>,
    /// The ticket's authorization data.
    pub authorization_data: Vec<AuthorizationData>,
    /// How the token was framed.
    pub mechanism: Mechanism,
    /// The token to send back (`WWW-Authenticate: Negotiate <token>`): the AP-REP when mutual
    /// authentication was asked for, wrapped as the client framed its token; for SPNEGO, always
    /// a NegTokenResp (accept-completed).
    pub response_token: Option<Vec<u8>>,
}

impl Accepted {
    /// The Microsoft PAC (ad-type 128), if the ticket carries one.
    pub fn pac(&self) -> Option<&[u8]> {
        self.authorization_data
            .iter()
            .find(|a| a.ad_type == ad_type::WIN2K_PAC)
            .map(|a| a.data.as_slice())
    }
}

/// Validates AP-REQs for the services whose keys it holds.
pub struct Acceptor {
    keys: ServiceKeys,
    policy: Policy,
    replay_cache: Option<Arc<dyn ReplayCache>>,
}

impl std::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acceptor")
            .field("keys", &self.keys.len())
            .field("policy", &self.policy)
            .field("replay_cache", &self.replay_cache.is_some())
            .finish()
    }
}

/// Seconds and microseconds since the Unix epoch (negative before it).
fn unix(now: SystemTime) -> (i64, u32) {
    match now.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_micros(),
        ),
        Err(e) => (
            i64::try_from(e.duration().as_secs())
                .map(|s| -s)
                .unwrap_or(i64::MIN),
            0,
        ),
    }
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC, e.g. `2026-12-03T16:03:54Z`.
pub fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

fn principal(name: &PrincipalName<'_>, realm: &[u8]) -> Principal {
    // Names are UTF-8 in every current implementation; bytes that are not are shown as
    // U+FFFD, never silently merged: such a name cannot equal a configured UTF-8 name.
    Principal {
        name_type: name.name_type,
        components: name
            .components
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect(),
        realm: String::from_utf8_lossy(realm).into_owned(),
    }
}

fn is_utf8_name(name: &PrincipalName<'_>, realm: &[u8]) -> bool {
    std::str::from_utf8(realm).is_ok()
        && name
            .components
            .iter()
            .all(|c| std::str::from_utf8(c).is_ok())
}

fn random_u32() -> Result<u32, AcceptError> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b)
        .map_err(|_| AcceptError::new(AcceptErrorKind::Crypto(CryptoError::Random)))?;
    Ok(u32::from_be_bytes(b))
}

/// A KRB-ERROR framed as the client framed its token: a GSS-API error token (RFC 4121 §4.1,
/// token ID 03 00), inside a SPNEGO NegTokenResp (reject) for SPNEGO, or bare.
fn krb_error_token(t: &ApReqToken<'_>, error: &KrbError<'_>) -> Option<Vec<u8>> {
    let framed = match t.gss_mech {
        Some(mech) => encode_krb_error_token(mech, error).ok()?,
        None => error.encode().ok()?,
    };
    if t.spnego.is_none() {
        return Some(framed);
    }
    Some(
        NegTokenResp {
            neg_state: Some(NegState::Reject),
            supported_mech: None,
            response_token: Some(&framed),
            mech_list_mic: None,
        }
        .encode(),
    )
}

fn token_error(e: TokenError) -> AcceptError {
    // pvno and msg-type are checked by the decoder; give them their own codes.
    if let TokenError::Malformed(DerError { kind, .. }) = &e {
        match kind {
            DerErrorKind::WrongVersion { what, .. } => {
                return AcceptError::new(AcceptErrorKind::BadVersion { field: what });
            }
            DerErrorKind::WrongMessageType { .. } => {
                return AcceptError::new(AcceptErrorKind::BadMessageType);
            }
            _ => {}
        }
    }
    AcceptError::new(AcceptErrorKind::Token(e))
}

impl Acceptor {
    /// An acceptor with its own in-memory replay cache
    /// ([`MemoryReplayCache::default`]), or none if the policy's
    /// [`Danger::disable_replay_cache`] says so.
    pub fn new(keys: ServiceKeys, policy: Policy) -> Acceptor {
        let replay_cache: Option<Arc<dyn ReplayCache>> = if policy.danger.disable_replay_cache {
            None
        } else {
            Some(Arc::new(MemoryReplayCache::default()))
        };
        Acceptor {
            keys,
            policy,
            replay_cache,
        }
    }

    /// Uses `cache` as the replay cache (e.g. one shared by the acceptors of a keytab reload,
    /// or between load-balanced nodes).
    pub fn with_replay_cache(mut self, cache: Arc<dyn ReplayCache>) -> Acceptor {
        if !self.policy.danger.disable_replay_cache {
            self.replay_cache = Some(cache);
        }
        self
    }

    /// The replay cache in use, if any.
    pub fn replay_cache(&self) -> Option<&Arc<dyn ReplayCache>> {
        self.replay_cache.as_ref()
    }

    /// The keys held.
    pub fn keys(&self) -> &ServiceKeys {
        &self.keys
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Validates the token of `Authorization: Negotiate <token>` (base64-decoded): a SPNEGO
    /// NegTokenInit or NegTokenResp, a raw Kerberos V5 GSS-API token, or a bare AP-REQ.
    ///
    /// `now` is the current time; `channel_bindings` the application data of the channel's
    /// bindings (for TLS, RFC 5929's `tls-server-end-point:` followed by the certificate hash),
    /// or `None` for a plain connection.
    pub fn accept(
        &self,
        token: &[u8],
        now: SystemTime,
        channel_bindings: Option<&[u8]>,
    ) -> Result<Accepted, AcceptError> {
        match parse_negotiate(token).map_err(token_error)? {
            NegotiateToken::ApReq(t) => self.accept_ap_req(&t, now, channel_bindings),
            NegotiateToken::SelectKrb5(selection) => {
                Err(AcceptError::new(AcceptErrorKind::SelectKrb5)
                    .with_response(selection.response().encode()))
            }
        }
    }

    fn accept_ap_req(
        &self,
        t: &ApReqToken<'_>,
        now: SystemTime,
        channel_bindings: Option<&[u8]>,
    ) -> Result<Accepted, AcceptError> {
        use AcceptErrorKind as K;
        let fail = AcceptError::new;
        let ap = &t.ap_req;
        let (now_s, now_us) = unix(now);
        let skew = self.policy.clock_skew.as_secs();
        let skew_i = i64::try_from(skew).unwrap_or(i64::MAX);

        // "The KRB_AP_REQ message ... If the USE-SESSION-KEY flag is set ... the ticket is
        // encrypted in the session key from the server's TGT": user-to-user, not for us.
        if ap.ap_options.contains(ApOptions::USE_SESSION_KEY) {
            return Err(fail(K::UserToUser));
        }

        // "the server ... uses the ... sname and srealm ... to determine which key to use"
        let ticket = &ap.ticket;
        let realm = ticket.realm;
        let sname = &ticket.sname.components;
        let alias: Option<[&[u8]; 2]> = match sname.as_slice() {
            [service, host] => self
                .policy
                .host_aliases
                .iter()
                .find(|(a, _)| a.as_bytes() == *host)
                .map(|(_, canonical)| [*service, canonical.as_bytes()]),
            _ => None,
        };
        let components: &[&[u8]] = match &alias {
            Some(a) => a,
            None => sname,
        };
        let service_name = || principal(&ticket.sname, realm).to_string();
        if let Some(accepted) = &self.policy.service_principals {
            let ok = accepted.iter().any(|p| {
                p.realm.as_bytes() == realm
                    && p.components.len() == components.len()
                    && p.components
                        .iter()
                        .zip(components)
                        .all(|(a, b)| a.as_bytes() == *b)
            });
            if !ok {
                return Err(fail(K::ServiceNotAccepted {
                    service: service_name(),
                    accepted: accepted.iter().map(Principal::to_string).collect(),
                }));
            }
        }
        // The enctype first: an rc4 ticket without rc4 support is told so, even when the
        // keytab dropped its rc4 keys for the same reason.
        let etype_number = ticket.enc_part.etype;
        let etype = match Etype::from_number(etype_number) {
            Ok(e) if self.etype_allowed(e) => e,
            _ => {
                return Err(fail(K::EtypeNotAllowed {
                    service: service_name(),
                    etype: etype_number,
                    allowed: self.policy.allowed_etypes.clone(),
                }));
            }
        };
        if self.keys.of_principal(realm, components).next().is_none() {
            return Err(fail(K::NoKeyForService {
                service: service_name(),
                held: self
                    .keys
                    .principals()
                    .into_iter()
                    .map(Principal::to_string)
                    .collect(),
            }));
        }
        if self
            .keys
            .of_principal_and_etype(realm, components, etype)
            .next()
            .is_none()
        {
            return Err(fail(K::NoKeyForEtype {
                service: service_name(),
                etype,
                held: self
                    .keys
                    .of_principal(realm, components)
                    .map(|k| (k.kvno, k.key.etype()))
                    .collect(),
            }));
        }

        // Key choice: the exact kvno first; then, as MIT does after a key rotation, every other
        // key of the service and enctype, newest first.
        let ticket_kvno = ticket.enc_part.kvno;
        let exact = ticket_kvno.and_then(|k| {
            self.keys
                .of_principal_and_etype(realm, components, etype)
                .find(|sk| sk.kvno == k)
        });
        let mut decrypted: Option<(&ServiceKey, Zeroizing<Vec<u8>>)> = None;
        if let Some(sk) = exact
            && let Ok(p) = sk.key.decrypt(KeyUsage::TICKET, ticket.enc_part.cipher)
        {
            decrypted = Some((sk, Zeroizing::new(p)));
        }
        if decrypted.is_none() {
            for sk in self.keys.of_principal_and_etype(realm, components, etype) {
                if exact.is_some_and(|e| std::ptr::eq(e, sk)) {
                    continue;
                }
                match sk.key.decrypt(KeyUsage::TICKET, ticket.enc_part.cipher) {
                    Ok(p) => {
                        decrypted = Some((sk, Zeroizing::new(p)));
                        break;
                    }
                    Err(e @ CryptoError::CiphertextTooShort { .. }) => {
                        return Err(fail(K::Crypto(e)));
                    }
                    Err(_) => {}
                }
            }
        }
        let Some((service_key, ticket_plain)) = decrypted else {
            return Err(match exact {
                Some(sk) => match sk.key.decrypt(KeyUsage::TICKET, ticket.enc_part.cipher) {
                    Err(e @ CryptoError::CiphertextTooShort { .. }) => fail(K::Crypto(e)),
                    _ => fail(K::TicketIntegrity {
                        service: sk.principal.to_string(),
                        kvno: sk.kvno,
                        etype,
                    }),
                },
                None => fail(K::KvnoMismatch {
                    service: service_name(),
                    ticket_kvno,
                    etype,
                    held: self
                        .keys
                        .of_principal_and_etype(realm, components, etype)
                        .map(|k| k.kvno)
                        .collect(),
                }),
            });
        };
        let enc_ticket =
            EncTicketPart::decode(&ticket_plain).map_err(|e| fail(K::TicketMalformed(e)))?;

        // "the server uses the session key from the ticket to decrypt the authenticator"
        // The session key's enctype is held to the same policy as the ticket's (MIT's
        // rd_req_dec.c refuses non-permitted session key and subkey enctypes too).
        let session_etype = self
            .allowed_key_etype(enc_ticket.key.keytype)
            .ok_or_else(|| {
                fail(K::EtypeNotAllowed {
                    service: service_key.principal.to_string(),
                    etype: enc_ticket.key.keytype,
                    allowed: self.policy.allowed_etypes.clone(),
                })
            })?;
        let session_key = Key::new(session_etype, enc_ticket.key.keyvalue).map_err(|error| {
            fail(K::KeyMalformed {
                what: "the ticket's session key",
                error,
            })
        })?;
        if ap.authenticator.etype != session_etype.number() {
            return Err(fail(K::AuthenticatorIntegrity {
                etype: session_etype,
            }));
        }
        let auth_plain = Zeroizing::new(
            session_key
                .decrypt(KeyUsage::AP_REQ_AUTHENTICATOR, ap.authenticator.cipher)
                .map_err(|_| {
                    fail(K::AuthenticatorIntegrity {
                        etype: session_etype,
                    })
                })?,
        );
        let auth =
            Authenticator::decode(&auth_plain).map_err(|e| fail(K::AuthenticatorMalformed(e)))?;

        // "The name and realm of the client from the ticket are compared against the same
        // fields in the authenticator. If they don't match, the KRB_AP_ERR_BADMATCH error is
        // returned" (the check gokrb5 #577 lacked).
        if auth.crealm != enc_ticket.crealm || !auth.cname.same_name(&enc_ticket.cname) {
            return Err(fail(K::ClientMismatch {
                ticket_client: principal(&enc_ticket.cname, enc_ticket.crealm).to_string(),
                authenticator_client: principal(&auth.cname, auth.crealm).to_string(),
            }));
        }
        if !is_utf8_name(&enc_ticket.cname, enc_ticket.crealm) {
            return Err(fail(K::TicketMalformed(DerError::new(
                0,
                DerErrorKind::InvalidValue {
                    what: "EncTicketPart cname",
                    reason: "the client name is not UTF-8",
                },
            ))));
        }
        let info = TicketInfo {
            client: principal(&enc_ticket.cname, enc_ticket.crealm),
            service: service_key.principal.clone(),
            kvno: service_key.kvno,
            etype,
            flags: enc_ticket.flags,
            authtime: enc_ticket.authtime,
            starttime: enc_ticket.starttime,
            endtime: enc_ticket.endtime,
            renew_till: enc_ticket.renew_till,
            ctime: auth.ctime,
            cusec: auth.cusec,
        };
        let with_info = |kind: AcceptErrorKind| fail(kind).with_ticket(info.clone());

        // "If the local (server) time and the client time in the authenticator differ by more
        // than the allowable clock skew ... KRB_AP_ERR_SKEW"
        // The answer carries a KRB-ERROR with the server's time, as MIT's acceptor sends, so
        // that a client can report (or correct for) the difference.
        if auth.ctime.abs_diff(now_s) > skew {
            let error = with_info(K::Skew {
                client_time: auth.ctime,
                server_time: now_s,
                allowed: skew,
            });
            let reply = KrbError {
                ctime: Some(auth.ctime),
                cusec: Some(auth.cusec),
                stime: now_s,
                susec: now_us,
                error_code: ErrorCode::Skew.number(),
                crealm: None,
                cname: None,
                realm: ticket.realm,
                sname: ticket.sname.clone(),
                e_text: None,
                e_data: None,
            };
            return Err(match krb_error_token(t, &reply) {
                Some(token) => error.with_response(token),
                None => error,
            });
        }

        // "the server MUST utilize a replay cache to remember any authenticator presented
        // within the allowable clock skew". The key covers the authenticator's ciphertext and
        // (client, server, ctime, cusec), the server being the key's principal, so rewriting
        // the unencrypted sname cannot make a replay look new.
        if let Some(cache) = &self.replay_cache {
            let key = ReplayKey::new(
                ap.authenticator.cipher,
                enc_ticket
                    .cname
                    .components
                    .iter()
                    .copied()
                    .chain([enc_ticket.crealm]),
                service_key
                    .principal
                    .components
                    .iter()
                    .map(String::as_bytes)
                    .chain([service_key.principal.realm.as_bytes()]),
                auth.ctime,
                auth.cusec,
            );
            let expires = auth.ctime.saturating_add(skew_i).saturating_add(1);
            match cache.check_and_insert(&key, now_s, expires) {
                Ok(()) => {}
                Err(ReplayError::Replayed) => return Err(with_info(K::Replay)),
                Err(e) => return Err(with_info(K::ReplayCache(e))),
            }
        }

        // "If the current time is earlier than the start time by more than the allowable clock
        // skew, or if the INVALID flag is set, then the KRB_AP_ERR_TKT_NYV error is returned.
        // Otherwise, if the current time is later than end time by more than the allowable
        // clock skew, the KRB_AP_ERR_TKT_EXPIRED error is returned."
        let start = enc_ticket.starttime.unwrap_or(enc_ticket.authtime);
        if start.saturating_sub(now_s) > skew_i {
            return Err(with_info(K::NotYetValid {
                starttime: start,
                now: now_s,
                allowed: skew,
            }));
        }
        if enc_ticket.flags.contains(TicketFlags::INVALID) {
            return Err(with_info(K::Invalid));
        }
        if now_s.saturating_sub(enc_ticket.endtime) > skew_i {
            return Err(with_info(K::Expired {
                endtime: enc_ticket.endtime,
                now: now_s,
                allowed: skew,
            }));
        }

        // RFC 4121 §4.1.1: a GSS-API token's authenticator carries a checksum of type 0x8003
        // with the channel-binding hash, the context flags and any delegated credentials.
        let mut gss_flags = None;
        let mut delegated = None;
        if t.framing != Framing::BareApReq {
            let cksum = match &auth.cksum {
                Some(c) if c.cksumtype == GSS_CHECKSUM_TYPE => c,
                other => {
                    return Err(with_info(K::MissingGssChecksum {
                        found: other.as_ref().map(|c| c.cksumtype),
                    }));
                }
            };
            let gss = GssChecksum::decode(cksum.checksum)
                .map_err(|e| with_info(K::GssChecksumMalformed(e)))?;
            self.check_channel_bindings(&gss, channel_bindings)
                .map_err(with_info)?;
            gss_flags = Some(gss.flags);
            delegated = gss.delegation.map(<[u8]>::to_vec);
        } else if self.policy.require_channel_bindings {
            return Err(with_info(K::ChannelBindingsMissing));
        }
        let mutual = ap.ap_options.contains(ApOptions::MUTUAL_REQUIRED)
            || gss_flags.is_some_and(|f| f.contains(GssFlags::MUTUAL));

        let subkey = match &auth.subkey {
            Some(k) => {
                let etype = self.allowed_key_etype(k.keytype).ok_or_else(|| {
                    with_info(K::EtypeNotAllowed {
                        service: info.service.to_string(),
                        etype: k.keytype,
                        allowed: self.policy.allowed_etypes.clone(),
                    })
                })?;
                Some(Key::new(etype, k.keyvalue).map_err(|error| {
                    with_info(K::KeyMalformed {
                        what: "the authenticator's subkey",
                        error,
                    })
                })?)
            }
            None => None,
        };
        // RFC 4121 §2: MIC tokens use the initiator's subkey when there is one (no acceptor
        // subkey is sent here).
        let context_key = subkey.as_ref().unwrap_or(&session_key);

        // SPNEGO's mechListMIC (RFC 4178 §5): verify the client's, and answer with ours.
        let mut our_mic = None;
        let mut ap_rep_seq = None;
        // In a second-round NegTokenResp the list the MIC covers was in the first round's
        // token, which this stateless acceptor does not keep: an unverifiable MIC is refused
        // rather than ignored. (Every common client lists Kerberos first and needs no second
        // round.)
        if let Some(spnego) = &t.spnego
            && spnego.mech_list_mic.is_some()
            && spnego.mech_types_der.is_none()
        {
            return Err(with_info(K::MechListMic));
        }
        if let Some(spnego) = &t.spnego
            && let (Some(mic), Some(list)) = (spnego.mech_list_mic, spnego.mech_types_der)
        {
            if context_key.etype() == Etype::Rc4Hmac
                || !mic::verify_mic(context_key, KeyUsage::GSS_INITIATOR_SIGN, false, mic, list)
            {
                return Err(with_info(K::MechListMic));
            }
            let seq = random_u32()? & 0x3fff_ffff;
            ap_rep_seq = Some(seq);
            our_mic = Some(
                mic::make_mic(
                    context_key,
                    KeyUsage::GSS_ACCEPTOR_SIGN,
                    mic::SENT_BY_ACCEPTOR,
                    u64::from(seq),
                    list,
                )
                .map_err(|e| with_info(K::Crypto(e)))?,
            );
        }

        // Mutual authentication: "the server ... returns a KRB_AP_REP message ... The ctime and
        // cusec fields are those of the authenticator", encrypted in the session key (usage 12).
        let ap_rep = if mutual {
            let seq = match ap_rep_seq {
                Some(s) => s,
                None => random_u32()? & 0x3fff_ffff,
            };
            Some(
                self.ap_rep(t, &session_key, &auth, seq)
                    .map_err(with_info)?,
            )
        } else {
            None
        };
        let mechanism = match t.framing {
            Framing::BareApReq => Mechanism::BareApReq,
            Framing::Krb5 => Mechanism::Krb5,
            Framing::SpnegoInit | Framing::SpnegoResp => Mechanism::Spnego,
        };
        let response_token = match (&t.spnego, t.framing) {
            (Some(spnego), framing) => Some(
                NegTokenResp {
                    neg_state: Some(NegState::AcceptCompleted),
                    // supportedMech only in the acceptor's first reply.
                    supported_mech: (framing == Framing::SpnegoInit).then_some(spnego.krb5_mech),
                    response_token: ap_rep.as_deref(),
                    mech_list_mic: our_mic.as_deref(),
                }
                .encode(),
            ),
            (None, _) => ap_rep,
        };

        Ok(Accepted {
            ticket: info,
            kvno_matched: ticket_kvno == Some(service_key.kvno),
            session_key,
            subkey,
            seq_number: auth.seq_number,
            gss_flags,
            mutual,
            delegated,
            authorization_data: enc_ticket
                .authorization_data
                .iter()
                .map(|a| AuthorizationData {
                    ad_type: a.ad_type,
                    data: a.ad_data.to_vec(),
                    if_relevant: a.if_relevant,
                })
                .collect(),
            mechanism,
            response_token,
        })
    }

    fn rc4_allowed(&self) -> bool {
        self.policy.danger.allow_rc4 && Etype::Rc4Hmac.is_supported()
    }

    /// The etype of a session key or subkey of `keytype`, if the policy allows it.
    fn allowed_key_etype(&self, keytype: i32) -> Option<Etype> {
        Etype::from_number(keytype)
            .ok()
            .filter(|e| self.etype_allowed(*e))
    }

    fn etype_allowed(&self, etype: Etype) -> bool {
        if etype == Etype::Rc4Hmac {
            return self.rc4_allowed();
        }
        etype.is_supported() && self.policy.allowed_etypes.contains(&etype)
    }

    fn check_channel_bindings(
        &self,
        gss: &GssChecksum<'_>,
        channel_bindings: Option<&[u8]>,
    ) -> Result<(), AcceptErrorKind> {
        match channel_bindings {
            Some(cb) if !gss.has_no_channel_binding() => {
                if mic::same_binding(&channel_binding_hash(cb), &gss.channel_binding) {
                    Ok(())
                } else {
                    Err(AcceptErrorKind::ChannelBindingsMismatch)
                }
            }
            // The client bound nothing (MIT accepts this unless told otherwise), or the caller
            // has no channel to compare with.
            _ if self.policy.require_channel_bindings => {
                Err(AcceptErrorKind::ChannelBindingsMissing)
            }
            _ => Ok(()),
        }
    }

    fn ap_rep(
        &self,
        t: &ApReqToken<'_>,
        session_key: &Key,
        auth: &Authenticator<'_>,
        seq: u32,
    ) -> Result<Vec<u8>, AcceptErrorKind> {
        let part = EncApRepPart {
            ctime: auth.ctime,
            cusec: auth.cusec,
            subkey: None,
            seq_number: Some(seq),
        };
        let plain = Zeroizing::new(part.encode().map_err(AcceptErrorKind::TicketMalformed)?);
        let cipher = session_key
            .encrypt(KeyUsage::AP_REP_ENC_PART, &plain)
            .map_err(AcceptErrorKind::Crypto)?;
        let ap_rep = ApRep {
            enc_part: EncryptedData {
                etype: session_key.etype().number(),
                kvno: None,
                cipher: &cipher,
            },
        };
        match t.gss_mech {
            Some(mech) => encode_ap_rep_token(mech, &ap_rep),
            None => ap_rep.encode(),
        }
        .map_err(AcceptErrorKind::TicketMalformed)
    }
}
