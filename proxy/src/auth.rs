//! The authentication seam: what the proxy asks of a Kerberos acceptor.
//!
//! The proxy never parses Kerberos itself. It hands the decoded `Negotiate` token to an
//! [`Authenticator`] and acts on the answer. The real implementation sits over `krb-core`'s acceptor;
//! the keytab is loaded through an [`AuthenticatorLoader`], so `run`, `check` and reload can build
//! one from the config's `keytab`, `service_principals` and `clock_skew` keys.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Validates Negotiate tokens. [`crate::kerberos::KerberosAuthenticator`] implements it over
/// krb-core's acceptor.
pub trait Authenticator: Send + Sync + 'static {
    /// `token`: the base64-decoded bytes after "Negotiate ". `now`: wall clock. `channel_bindings`: the
    /// RFC 5929 tls-server-end-point application data when the listener is TLS, else None.
    fn authenticate(
        &self,
        token: &[u8],
        now: SystemTime,
        channel_bindings: Option<&[u8]>,
    ) -> Result<Authenticated, AuthFailure>;

    /// Service principals and enctypes held, for `check` and /readyz (lines like
    /// "HTTP/api.example.test@EXAMPLE.TEST kvno 2 aes256-cts-hmac-sha1-96").
    fn describe(&self) -> Vec<String>;

    /// Number of entries in the replay cache, for the `krb_proxy_replay_cache_entries` gauge;
    /// `None` when the authenticator has no replay cache.
    fn replay_cache_len(&self) -> Option<usize> {
        None
    }
}

/// A validated client identity.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The client principal, e.g. "alice@EXAMPLE.TEST".
    pub principal: String,
    /// The client realm, e.g. "EXAMPLE.TEST".
    pub realm: String,
    /// The end time of the client's ticket.
    pub endtime: SystemTime,
    /// AP-REP / NegTokenResp for mutual authentication, sent back as `WWW-Authenticate: Negotiate`.
    pub response_token: Option<Vec<u8>>,
    /// Group names (empty until the PAC is decoded).
    pub groups: Vec<String>,
}

/// Why a token was rejected.
#[derive(Debug, Clone)]
pub struct AuthFailure {
    /// A human message, never a secret.
    pub reason: String,
    /// The Kerberos error name, e.g. "KRB_AP_ERR_SKEW".
    pub krb_error: Option<&'static str>,
    /// The class of failure, for metrics and logs.
    pub kind: FailureKind,
    /// A token to send back on the 401 (e.g. a KRB-ERROR wrapped in SPNEGO).
    pub response_token: Option<Vec<u8>>,
}

/// The class of an authentication failure, with a stable snake_case label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The token is not a well-formed Kerberos/SPNEGO token.
    Malformed,
    /// The client sent NTLM instead of Kerberos.
    Ntlm,
    /// The client clock is outside the allowed skew.
    Skew,
    /// The ticket has expired.
    Expired,
    /// The ticket is not valid yet.
    NotYetValid,
    /// The authenticator was seen before.
    Replay,
    /// The ticket is for a service principal not held.
    WrongService,
    /// No key with the ticket's key version number.
    Kvno,
    /// Decryption or checksum failed (wrong key).
    Integrity,
    /// Unsupported or disallowed encryption type.
    Enctype,
    /// TLS channel bindings did not match.
    ChannelBindings,
    /// Anything else.
    Other,
}

impl FailureKind {
    /// Every kind, in declaration order (for metrics that list all labels).
    pub const ALL: [FailureKind; 12] = [
        FailureKind::Malformed,
        FailureKind::Ntlm,
        FailureKind::Skew,
        FailureKind::Expired,
        FailureKind::NotYetValid,
        FailureKind::Replay,
        FailureKind::WrongService,
        FailureKind::Kvno,
        FailureKind::Integrity,
        FailureKind::Enctype,
        FailureKind::ChannelBindings,
        FailureKind::Other,
    ];

    /// The stable snake_case label used in metrics and logs.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::Malformed => "malformed",
            FailureKind::Ntlm => "ntlm",
            FailureKind::Skew => "skew",
            FailureKind::Expired => "expired",
            FailureKind::NotYetValid => "not_yet_valid",
            FailureKind::Replay => "replay",
            FailureKind::WrongService => "wrong_service",
            FailureKind::Kvno => "kvno",
            FailureKind::Integrity => "integrity",
            FailureKind::Enctype => "enctype",
            FailureKind::ChannelBindings => "channel_bindings",
            FailureKind::Other => "other",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What an [`AuthenticatorLoader`] needs from the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeytabSettings {
    /// The keytab file (config key `keytab`).
    pub keytab: PathBuf,
    /// Service principals to accept; empty means any principal in the keytab
    /// (config key `service_principals`).
    pub service_principals: Vec<String>,
    /// Allowed clock skew (config key `clock_skew`).
    pub clock_skew: Duration,
}

/// Builds an [`Authenticator`] from a keytab; called at start, by `check` and on every reload.
///
/// Any `Fn(&KeytabSettings) -> Result<Arc<dyn Authenticator>, String>` is a loader. The error is a
/// message for a person (it names the file and what is wrong), never key material.
pub trait AuthenticatorLoader: Send + Sync + 'static {
    /// Loads the keytab and returns an authenticator over it.
    fn load(&self, settings: &KeytabSettings) -> Result<Arc<dyn Authenticator>, String>;
}

impl<F> AuthenticatorLoader for F
where
    F: Fn(&KeytabSettings) -> Result<Arc<dyn Authenticator>, String> + Send + Sync + 'static,
{
    fn load(&self, settings: &KeytabSettings) -> Result<Arc<dyn Authenticator>, String> {
        self(settings)
    }
}
