//! The live state: everything built from one config and one authenticator. A reload builds a new
//! `State` and swaps it in atomically; a request reads it once at its start.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;

use crate::access_log::AccessLog;
use crate::auth::Authenticator;
use crate::config::Config;
use crate::router::Router;
use crate::session::{KeySource, SessionKeys};
use crate::upstream::{ClientSettings, UpstreamClient, client_tls_config};

/// One consistent configuration in force.
pub struct State {
    /// The validated config it was built from.
    pub config: Arc<Config>,
    /// Routes.
    pub router: Router,
    /// The Negotiate token validator.
    pub authenticator: Arc<dyn Authenticator>,
    /// Session sealing key.
    pub sessions: Arc<SessionKeys>,
    /// Upstream connection pool.
    pub upstream: Arc<UpstreamClient>,
    /// `identity_header`, parsed.
    pub identity_header: HeaderName,
    /// `realm_header`, parsed.
    pub realm_header: Option<HeaderName>,
    /// `groups_header`, parsed.
    pub groups_header: Option<HeaderName>,
    /// The access log sink.
    pub access_log: AccessLog,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("router", &self.router)
            .field("identity_header", &self.identity_header)
            .finish_non_exhaustive()
    }
}

impl State {
    /// Builds the state. A generated session key is carried over from `previous`, so a reload does
    /// not end every session.
    pub fn build(
        config: Config,
        authenticator: Arc<dyn Authenticator>,
        previous: Option<&State>,
    ) -> Result<State, String> {
        let router = Router::new(&config.routes)?;
        let sessions = match &config.session.key_file {
            Some(path) => Arc::new(SessionKeys::from_file(path)?),
            None => match previous {
                Some(p) if p.sessions.source == KeySource::Generated => p.sessions.clone(),
                _ => Arc::new(SessionKeys::generate()?),
            },
        };
        let tls = client_tls_config(config.upstream_tls.ca.as_deref())?;
        let limits = &config.limits;
        let upstream = UpstreamClient::new(
            tls,
            ClientSettings {
                connect_timeout: limits.upstream_connect_timeout,
                response_timeout: limits.upstream_timeout,
                max_idle_per_key: limits.upstream_max_idle_per_key,
                max_idle_total: limits.upstream_max_idle_total,
                idle_timeout: limits.upstream_idle_timeout.max(Duration::from_millis(1)),
            },
        );
        let identity_header = HeaderName::from_bytes(config.identity_header.as_bytes())
            .map_err(|e| format!("identity_header: {e}"))?;
        let realm_header = match &config.realm_header {
            Some(h) => Some(
                HeaderName::from_bytes(h.as_bytes()).map_err(|e| format!("realm_header: {e}"))?,
            ),
            None => None,
        };
        let groups_header = match &config.groups_header {
            Some(h) => Some(
                HeaderName::from_bytes(h.as_bytes()).map_err(|e| format!("groups_header: {e}"))?,
            ),
            None => None,
        };
        let access_log = AccessLog::open(&config.log.access)?;
        Ok(State {
            config: Arc::new(config),
            router,
            authenticator,
            sessions,
            upstream,
            identity_header,
            realm_header,
            groups_header,
            access_log,
        })
    }
}
