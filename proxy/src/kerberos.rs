//! The [`Authenticator`] over krb-core's acceptor, and the loader that builds it from a keytab.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use krb_core::acceptor::{AcceptError, AcceptErrorKind, Acceptor, Policy};
use krb_core::principal::Principal;
use krb_core::replay::{MemoryReplayCache, ReplayCache};
use krb_keytab::Keytab;

use crate::auth::{
    AuthFailure, Authenticated, Authenticator, AuthenticatorLoader, FailureKind, KeytabSettings,
};

/// Validates Negotiate tokens with a [`krb_core::acceptor::Acceptor`].
#[derive(Debug)]
pub struct KerberosAuthenticator {
    acceptor: Acceptor,
    /// Keytab entries this build cannot use, described for `check` and /readyz.
    unusable: Vec<String>,
}

impl KerberosAuthenticator {
    /// An authenticator over `acceptor`.
    pub fn new(acceptor: Acceptor) -> KerberosAuthenticator {
        KerberosAuthenticator {
            acceptor,
            unusable: Vec::new(),
        }
    }
}

fn failure_kind(kind: &AcceptErrorKind) -> FailureKind {
    use AcceptErrorKind as K;
    match kind {
        K::Token(krb_core::token::TokenError::Ntlm) => FailureKind::Ntlm,
        K::Token(_)
        | K::BadVersion { .. }
        | K::BadMessageType
        | K::TicketMalformed(_)
        | K::AuthenticatorMalformed(_)
        | K::KeyMalformed { .. }
        | K::MissingGssChecksum { .. }
        | K::GssChecksumMalformed(_) => FailureKind::Malformed,
        K::Skew { .. } => FailureKind::Skew,
        K::Expired { .. } => FailureKind::Expired,
        K::NotYetValid { .. } | K::Invalid => FailureKind::NotYetValid,
        K::Replay => FailureKind::Replay,
        K::ServiceNotAccepted { .. } | K::NoKeyForService { .. } => FailureKind::WrongService,
        K::NoKeyForEtype { .. } | K::KvnoMismatch { .. } => FailureKind::Kvno,
        K::TicketIntegrity { .. } | K::AuthenticatorIntegrity { .. } | K::MechListMic => {
            FailureKind::Integrity
        }
        K::EtypeNotAllowed { .. } => FailureKind::Enctype,
        K::ChannelBindingsMismatch | K::ChannelBindingsMissing => FailureKind::ChannelBindings,
        _ => FailureKind::Other,
    }
}

fn failure(e: &AcceptError) -> AuthFailure {
    let continues = matches!(e.kind(), AcceptErrorKind::SelectKrb5);
    AuthFailure {
        reason: e.to_string(),
        krb_error: (!continues).then(|| e.code().name()),
        kind: failure_kind(e.kind()),
        response_token: e.response_token().map(<[u8]>::to_vec),
    }
}

impl Authenticator for KerberosAuthenticator {
    fn authenticate(
        &self,
        token: &[u8],
        now: SystemTime,
        channel_bindings: Option<&[u8]>,
    ) -> Result<Authenticated, AuthFailure> {
        let ok = self
            .acceptor
            .accept(token, now, channel_bindings)
            .map_err(|e| failure(&e))?;
        let endtime = u64::try_from(ok.ticket.endtime)
            .map(|s| UNIX_EPOCH + Duration::from_secs(s))
            .unwrap_or(UNIX_EPOCH);
        Ok(Authenticated {
            principal: ok.ticket.client.to_string(),
            realm: ok.ticket.client.realm.clone(),
            endtime,
            response_token: ok.response_token,
            groups: Vec::new(),
        })
    }

    fn describe(&self) -> Vec<String> {
        self.acceptor
            .keys()
            .iter()
            .map(|k| {
                format!(
                    "{} kvno {} {}",
                    k.principal,
                    k.kvno,
                    k.key.etype().mit_name()
                )
            })
            .chain(self.unusable.iter().cloned())
            .collect()
    }

    fn replay_cache_len(&self) -> Option<usize> {
        self.acceptor.replay_cache().map(|c| c.len())
    }
}

/// Loads the keytab named by the config into a [`KerberosAuthenticator`].
///
/// One replay cache serves every authenticator the loader makes, so a reload (SIGHUP, a new
/// keytab) never forgets the authenticators already seen: a token accepted before a reload is
/// still a replay after it.
#[derive(Debug, Clone)]
pub struct KeytabLoader {
    replay_cache: Arc<MemoryReplayCache>,
}

impl Default for KeytabLoader {
    fn default() -> Self {
        KeytabLoader {
            replay_cache: Arc::new(MemoryReplayCache::default()),
        }
    }
}

impl KeytabLoader {
    /// A loader with a fresh in-memory replay cache.
    pub fn new() -> KeytabLoader {
        KeytabLoader::default()
    }
}

impl AuthenticatorLoader for KeytabLoader {
    fn load(&self, settings: &KeytabSettings) -> Result<Arc<dyn Authenticator>, String> {
        let path = &settings.keytab;
        let keytab = Keytab::read_file(path).map_err(|e| e.to_string())?;
        let keys = keytab.service_keys();
        let unusable: Vec<String> = keytab
            .entries()
            .iter()
            .filter_map(|e| {
                e.key().err().map(|err| {
                    format!(
                        "{} kvno {} {} (not used: {err})",
                        e.principal(),
                        e.kvno(),
                        e.enctype()
                    )
                })
            })
            .collect();
        if keys.is_empty() {
            return Err(format!(
                "keytab {} holds no key this proxy can use{}",
                path.display(),
                if unusable.is_empty() {
                    " (it is empty): export the service's keys into it (kadmin ktadd, or \
                     krb-proxy keytab add)"
                        .to_owned()
                } else {
                    format!(": {}", unusable.join("; "))
                }
            ));
        }
        let mut policy = Policy {
            clock_skew: settings.clock_skew,
            ..Policy::default()
        };
        if !settings.service_principals.is_empty() {
            let mut accepted = Vec::new();
            for name in &settings.service_principals {
                let p = Principal::parse(name, None)
                    .map_err(|e| format!("service_principals: {name:?}: {e}"))?;
                if !keys.iter().any(|k| k.principal.same_name(&p)) {
                    return Err(format!(
                        "service_principals: {p} has no key in keytab {} (it holds: {})",
                        path.display(),
                        keys.principals()
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                accepted.push(p);
            }
            policy.service_principals = Some(accepted);
        }
        let cache: Arc<dyn ReplayCache> = self.replay_cache.clone();
        let acceptor = Acceptor::new(keys, policy).with_replay_cache(cache);
        Ok(Arc::new(KerberosAuthenticator { acceptor, unusable }))
    }
}
