//! Why the acceptor refused a token.

use std::fmt;

use super::TicketInfo;
use crate::crypto::{CryptoError, Etype};
use crate::der::DerError;
use crate::error_code::ErrorCode;
use crate::replay::ReplayError;
use crate::token::TokenError;

/// Why a token was refused: a [`AcceptErrorKind`], its Kerberos error code, what was learnt
/// of the ticket before the refusal, and a token to send back if there is one.
#[derive(Debug)]
pub struct AcceptError {
    kind: AcceptErrorKind,
    ticket: Option<Box<TicketInfo>>,
    response_token: Option<Vec<u8>>,
}

impl AcceptError {
    pub(crate) fn new(kind: AcceptErrorKind) -> AcceptError {
        AcceptError {
            kind,
            ticket: None,
            response_token: None,
        }
    }

    pub(crate) fn with_ticket(mut self, ticket: TicketInfo) -> AcceptError {
        self.ticket = Some(Box::new(ticket));
        self
    }

    pub(crate) fn with_response(mut self, token: Vec<u8>) -> AcceptError {
        self.response_token = Some(token);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &AcceptErrorKind {
        &self.kind
    }

    /// The Kerberos error code (RFC 4120 §7.5.9) of this failure.
    pub fn code(&self) -> ErrorCode {
        self.kind.code()
    }

    /// A short, stable label for metrics and logs, e.g. `skew`, `replay`, `kvno`.
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }

    /// The decrypted ticket and authenticator fields, when the refusal came after they were
    /// decrypted (clock skew, expiry, replay, channel bindings, ...): a person can see the
    /// times and the client.
    pub fn ticket(&self) -> Option<&TicketInfo> {
        self.ticket.as_deref()
    }

    /// A token to send back to the client (`WWW-Authenticate: Negotiate <token>`): the SPNEGO
    /// NegTokenResp asking for Kerberos ([`AcceptErrorKind::SelectKrb5`]), or a KRB-ERROR with
    /// the server's time for clock skew ([`AcceptErrorKind::Skew`]), framed as the client
    /// framed its token.
    pub fn response_token(&self) -> Option<&[u8]> {
        self.response_token.as_deref()
    }
}

impl fmt::Display for AcceptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for AcceptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            AcceptErrorKind::Token(e) => Some(e),
            AcceptErrorKind::TicketMalformed(e) | AcceptErrorKind::AuthenticatorMalformed(e) => {
                Some(e)
            }
            AcceptErrorKind::ReplayCache(e) => Some(e),
            AcceptErrorKind::Crypto(e) | AcceptErrorKind::KeyMalformed { error: e, .. } => Some(e),
            _ => None,
        }
    }
}

/// The kinds of [`AcceptError`]. Names are principals as MIT writes them
/// (`HTTP/api.example.test@EXAMPLE.TEST`); times are seconds since the Unix epoch.
#[derive(Debug)]
#[non_exhaustive]
pub enum AcceptErrorKind {
    /// The token could not be parsed, is NTLM, or does not offer Kerberos.
    Token(TokenError),
    /// SPNEGO offered Kerberos but not first, or without a token: the response token asks for
    /// it, and the client answers in its next request.
    SelectKrb5,
    /// `pvno` or `tkt-vno` is not 5.
    BadVersion {
        /// Which field.
        field: &'static str,
    },
    /// `msg-type` is not the AP-REQ's.
    BadMessageType,
    /// The ticket is encrypted in a TGT session key (user-to-user), which needs the service's
    /// own TGT; this acceptor has only long-term keys.
    UserToUser,
    /// The ticket is for a service this acceptor is configured not to accept.
    ServiceNotAccepted {
        /// The service the ticket is for.
        service: String,
        /// The services accepted.
        accepted: Vec<String>,
    },
    /// No key of the ticket's service principal is held.
    NoKeyForService {
        /// The service the ticket is for.
        service: String,
        /// The principals the keytab holds.
        held: Vec<String>,
    },
    /// The ticket's enctype is not allowed or not supported.
    EtypeNotAllowed {
        /// The service.
        service: String,
        /// The ticket's etype number.
        etype: i32,
        /// The etypes allowed.
        allowed: Vec<Etype>,
    },
    /// Keys of the service are held, but none of the ticket's enctype.
    NoKeyForEtype {
        /// The service.
        service: String,
        /// The ticket's etype.
        etype: Etype,
        /// (kvno, etype) of the keys held for the service.
        held: Vec<(u32, Etype)>,
    },
    /// No key of the ticket's kvno is held, and no other key of the service decrypts it.
    KvnoMismatch {
        /// The service.
        service: String,
        /// The kvno the ticket names (None when it names none).
        ticket_kvno: Option<u32>,
        /// The ticket's etype.
        etype: Etype,
        /// The kvnos held for this service and etype.
        held: Vec<u32>,
    },
    /// The key of the ticket's kvno and etype does not decrypt it: the keytab's key is not
    /// the KDC's (the password or key changed without a new kvno, or the keytab was made for
    /// another account).
    TicketIntegrity {
        /// The service.
        service: String,
        /// The kvno of the key tried.
        kvno: u32,
        /// The etype.
        etype: Etype,
    },
    /// The ticket decrypted, but its content is not a valid EncTicketPart.
    TicketMalformed(DerError),
    /// The authenticator does not decrypt with the ticket's session key: it was altered, or
    /// made for another ticket.
    AuthenticatorIntegrity {
        /// The session key's etype.
        etype: Etype,
    },
    /// The authenticator decrypted, but its content is not a valid Authenticator.
    AuthenticatorMalformed(DerError),
    /// A session key or subkey inside a decrypted message is not a valid key of its enctype
    /// (e.g. of the wrong length).
    KeyMalformed {
        /// Which key.
        what: &'static str,
        /// Why it is not a key.
        error: CryptoError,
    },
    /// The authenticator's client is not the ticket's client.
    ClientMismatch {
        /// The client named in the ticket.
        ticket_client: String,
        /// The client named in the authenticator.
        authenticator_client: String,
    },
    /// The authenticator's time is too far from the acceptor's clock.
    Skew {
        /// The authenticator's ctime.
        client_time: i64,
        /// The acceptor's `now`.
        server_time: i64,
        /// The allowed skew, in seconds.
        allowed: u64,
    },
    /// The authenticator was seen before.
    Replay,
    /// The replay cache could not record the authenticator (full or unavailable).
    ReplayCache(ReplayError),
    /// The ticket's start time is in the future.
    NotYetValid {
        /// The ticket's starttime (or authtime).
        starttime: i64,
        /// The acceptor's `now`.
        now: i64,
        /// The allowed skew, in seconds.
        allowed: u64,
    },
    /// The ticket is flagged INVALID (postdated, not yet validated by the KDC).
    Invalid,
    /// The ticket has expired.
    Expired {
        /// The ticket's endtime.
        endtime: i64,
        /// The acceptor's `now`.
        now: i64,
        /// The allowed skew, in seconds.
        allowed: u64,
    },
    /// A GSS-API token's authenticator has no checksum of type 0x8003 (RFC 4121 §4.1.1).
    MissingGssChecksum {
        /// The checksum type found (None: no checksum).
        found: Option<i32>,
    },
    /// The 0x8003 checksum is malformed.
    GssChecksumMalformed(DerError),
    /// The channel bindings in the token are not the connection's.
    ChannelBindingsMismatch,
    /// Channel bindings are required, and the token carries none (or the caller gave none).
    ChannelBindingsMissing,
    /// The SPNEGO mechListMIC did not verify: the mechanism list was altered.
    MechListMic,
    /// A crypto operation failed for another reason (e.g. the random number generator).
    Crypto(CryptoError),
}

fn secs(n: i64) -> String {
    super::rfc3339(n)
}

impl AcceptErrorKind {
    /// The Kerberos error code of this failure.
    pub fn code(&self) -> ErrorCode {
        use AcceptErrorKind as K;
        match self {
            K::Token(TokenError::Ntlm) | K::UserToUser => ErrorCode::Method,
            K::Crypto(CryptoError::CiphertextTooShort { .. }) => ErrorCode::Modified,
            K::Token(_) | K::SelectKrb5 | K::ReplayCache(_) | K::Crypto(_) => ErrorCode::Generic,
            K::BadVersion { .. } => ErrorCode::Badversion,
            K::TicketMalformed(e) | K::AuthenticatorMalformed(e)
                if matches!(e.kind, crate::der::DerErrorKind::WrongVersion { .. }) =>
            {
                ErrorCode::Badversion
            }
            K::BadMessageType => ErrorCode::MsgType,
            K::ServiceNotAccepted { .. } | K::NoKeyForService { .. } => ErrorCode::NotUs,
            K::EtypeNotAllowed { .. } => ErrorCode::EtypeNosupp,
            K::NoKeyForEtype { .. } => ErrorCode::Nokey,
            K::KvnoMismatch { .. } => ErrorCode::Badkeyver,
            K::TicketIntegrity { .. } | K::AuthenticatorIntegrity { .. } => ErrorCode::BadIntegrity,
            K::TicketMalformed(_)
            | K::AuthenticatorMalformed(_)
            | K::KeyMalformed { .. }
            | K::MechListMic => ErrorCode::Modified,
            K::ClientMismatch { .. } | K::ChannelBindingsMismatch | K::ChannelBindingsMissing => {
                ErrorCode::Badmatch
            }
            K::Skew { .. } => ErrorCode::Skew,
            K::Replay => ErrorCode::Repeat,
            K::NotYetValid { .. } | K::Invalid => ErrorCode::TktNyv,
            K::Expired { .. } => ErrorCode::TktExpired,
            K::MissingGssChecksum { .. } | K::GssChecksumMalformed(_) => ErrorCode::InappCksum,
        }
    }

    /// A short, stable label for metrics and logs.
    pub fn label(&self) -> &'static str {
        use AcceptErrorKind as K;
        match self {
            K::Token(TokenError::Ntlm) => "ntlm",
            K::Token(_) | K::BadVersion { .. } | K::BadMessageType => "malformed",
            K::SelectKrb5 => "continue",
            K::UserToUser => "user_to_user",
            K::ServiceNotAccepted { .. } | K::NoKeyForService { .. } => "wrong_service",
            K::EtypeNotAllowed { .. } => "enctype",
            K::NoKeyForEtype { .. } | K::KvnoMismatch { .. } => "kvno",
            K::TicketIntegrity { .. } | K::AuthenticatorIntegrity { .. } => "integrity",
            K::TicketMalformed(_) | K::AuthenticatorMalformed(_) | K::KeyMalformed { .. } => {
                "malformed"
            }
            K::ClientMismatch { .. } => "client_mismatch",
            K::Skew { .. } => "skew",
            K::Replay => "replay",
            K::ReplayCache(_) => "replay_cache",
            K::NotYetValid { .. } | K::Invalid => "not_yet_valid",
            K::Expired { .. } => "expired",
            K::MissingGssChecksum { .. } | K::GssChecksumMalformed(_) => "checksum",
            K::ChannelBindingsMismatch | K::ChannelBindingsMissing => "channel_bindings",
            K::MechListMic => "mech_list_mic",
            K::Crypto(CryptoError::CiphertextTooShort { .. }) => "malformed",
            K::Crypto(_) => "internal",
        }
    }
}

impl fmt::Display for AcceptErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use AcceptErrorKind as K;
        match self {
            K::Token(e) => e.fmt(f),
            K::SelectKrb5 => f.write_str(
                "the SPNEGO token offers Kerberos, but not as its first mechanism (or without a \
                 token): asked the client for a Kerberos token",
            ),
            K::BadVersion { field } => {
                write!(f, "{field} is not 5: this is not a Kerberos V5 message")
            }
            K::BadMessageType => f.write_str("the message is not an AP-REQ (msg-type 14)"),
            K::UserToUser => f.write_str(
                "the ticket is a user-to-user ticket (use-session-key): this acceptor has only \
                 long-term service keys; ask for an ordinary service ticket",
            ),
            K::ServiceNotAccepted { service, accepted } => write!(
                f,
                "the ticket is for {service}, which this server is configured not to accept \
                 (accepted: {}): the client used the wrong host name, or add it to \
                 service_principals",
                accepted.join(", ")
            ),
            K::NoKeyForService { service, held } => write!(
                f,
                "the ticket is for {service}, but the keytab holds no key for it (it holds: \
                 {}): the client used another host name than the keytab's, or export the key \
                 of {service} into the keytab",
                if held.is_empty() {
                    "nothing".to_owned()
                } else {
                    held.join(", ")
                }
            ),
            K::EtypeNotAllowed {
                service,
                etype,
                allowed,
            } => {
                let name = Etype::from_number(*etype)
                    .map_or_else(|_| format!("etype {etype}"), |e| e.mit_name().to_owned());
                write!(f, "the ticket for {service} is encrypted with {name}, ")?;
                if *etype == 23 && !Etype::Rc4Hmac.is_supported() {
                    f.write_str(
                        "and rc4-hmac support is not compiled in (build krb-core with the \
                         `rc4` feature and allow it in the policy, or better: give the service \
                         AES keys)",
                    )
                } else if *etype == 23 {
                    f.write_str(
                        "which the policy does not allow (allow it under `danger`, or better: \
                         give the service AES keys in the KDC and the keytab)",
                    )
                } else {
                    let names: Vec<&str> = allowed.iter().map(|e| e.mit_name()).collect();
                    write!(
                        f,
                        "which is not allowed (allowed: {}): give the service keys of an \
                         allowed enctype",
                        names.join(", ")
                    )
                }
            }
            K::NoKeyForEtype {
                service,
                etype,
                held,
            } => {
                let held: Vec<String> = held
                    .iter()
                    .map(|(kvno, e)| format!("kvno {kvno} {}", e.mit_name()))
                    .collect();
                write!(
                    f,
                    "the ticket for {service} is encrypted with {}, but the keytab has no key of \
                     that enctype for it (it has: {}): re-export the keytab with all the \
                     service's enctypes",
                    etype.mit_name(),
                    held.join(", ")
                )
            }
            K::KvnoMismatch {
                service,
                ticket_kvno,
                etype,
                held,
            } => {
                let held: Vec<String> = held.iter().map(u32::to_string).collect();
                match ticket_kvno {
                    Some(k) => write!(
                        f,
                        "the ticket for {service} is encrypted with kvno {k} ({}), the keytab has \
                         kvno {} and none of them decrypts it: re-export the keytab",
                        etype.mit_name(),
                        held.join(", ")
                    ),
                    None => write!(
                        f,
                        "the ticket for {service} names no kvno, and none of the keytab's keys \
                         ({}, kvno {}) decrypts it: re-export the keytab",
                        etype.mit_name(),
                        held.join(", ")
                    ),
                }
            }
            K::TicketIntegrity {
                service,
                kvno,
                etype,
            } => write!(
                f,
                "the ticket for {service} does not decrypt with the keytab's key (kvno {kvno}, \
                 {}): the key in the keytab is not the KDC's. The service's password or keys \
                 changed without a new kvno, or the keytab belongs to another account: \
                 re-export the keytab",
                etype.mit_name()
            ),
            K::TicketMalformed(e) => write!(f, "the decrypted ticket is malformed: {e}"),
            K::AuthenticatorIntegrity { etype } => write!(
                f,
                "the authenticator does not decrypt with the ticket's session key ({}): it was \
                 altered, or it belongs to another ticket",
                etype.mit_name()
            ),
            K::AuthenticatorMalformed(e) => {
                write!(f, "the decrypted authenticator is malformed: {e}")
            }
            K::KeyMalformed { what, error } => write!(f, "{what} is malformed: {error}"),
            K::ClientMismatch {
                ticket_client,
                authenticator_client,
            } => write!(
                f,
                "the authenticator names {authenticator_client} but the ticket was issued to \
                 {ticket_client}: someone is using another client's ticket"
            ),
            K::Skew {
                client_time,
                server_time,
                allowed,
            } => {
                let diff = client_time.saturating_sub(*server_time);
                let (amount, dir) = if diff >= 0 {
                    (diff.unsigned_abs(), "ahead of")
                } else {
                    (diff.unsigned_abs(), "behind")
                };
                write!(
                    f,
                    "the client's clock is {amount} s {dir} this server's (client {}, server \
                     {}); the allowed skew is {allowed} s: synchronise the clocks (NTP)",
                    secs(*client_time),
                    secs(*server_time)
                )
            }
            K::Replay => f.write_str(
                "this authenticator was already used: the token is a replay (a client must make \
                 a fresh token for every request)",
            ),
            K::ReplayCache(e) => e.fmt(f),
            K::NotYetValid {
                starttime,
                now,
                allowed,
            } => write!(
                f,
                "the ticket is not valid until {} ({} s from now, more than the allowed skew \
                 of {allowed} s): check the clocks, or wait",
                secs(*starttime),
                starttime.saturating_sub(*now)
            ),
            K::Invalid => f.write_str(
                "the ticket is flagged INVALID (a postdated ticket the KDC has not validated): \
                 validate it with kinit -v",
            ),
            K::Expired {
                endtime,
                now,
                allowed,
            } => write!(
                f,
                "the ticket expired at {} ({} s ago, beyond the allowed skew of {allowed} s): \
                 the client must get a new ticket (kinit)",
                secs(*endtime),
                now.saturating_sub(*endtime)
            ),
            K::MissingGssChecksum { found } => match found {
                None => f.write_str(
                    "the GSS-API token's authenticator has no checksum (RFC 4121 requires one of \
                     type 0x8003)",
                ),
                Some(t) => write!(
                    f,
                    "the GSS-API token's authenticator checksum has type {t}, not 0x8003 (RFC \
                     4121 §4.1.1)"
                ),
            },
            K::GssChecksumMalformed(e) => write!(f, "the GSS-API checksum is malformed: {e}"),
            K::ChannelBindingsMismatch => f.write_str(
                "the token's channel bindings are not this connection's: the token was made for \
                 another TLS connection (a relay), or a TLS-terminating proxy sits between the \
                 client and this server",
            ),
            K::ChannelBindingsMissing => f.write_str(
                "channel bindings are required, and the token carries none: the client must \
                 bind its token to the TLS channel (or turn off require_channel_bindings)",
            ),
            K::MechListMic => f.write_str(
                "the SPNEGO mechListMIC does not verify: the mechanism list was altered in \
                 transit, or it came in a second-round token, which this stateless acceptor \
                 cannot check (the client must list Kerberos as its first mechanism)",
            ),
            K::Crypto(e) => e.fmt(f),
        }
    }
}
