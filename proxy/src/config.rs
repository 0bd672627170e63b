//! The TOML configuration: `load(path)` then `validate()`, with errors that name the file, the key
//! and the line. Every key is documented in `docs/config.md`.
//!
//! The config is never logged: it names files that hold secrets.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::auth::KeytabSettings;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address of the proxy listener.
    pub listen: SocketAddr,
    /// The keytab holding the service keys.
    pub keytab: PathBuf,
    /// Service principals to accept; empty: any in the keytab.
    #[serde(default)]
    pub service_principals: Vec<String>,
    /// Allowed clock skew between client and proxy.
    #[serde(default = "default_clock_skew", deserialize_with = "duration")]
    pub clock_skew: Duration,
    /// Header carrying the authenticated principal to the upstream.
    #[serde(default = "default_identity_header")]
    pub identity_header: String,
    /// Header carrying the client realm to the upstream; none when unset.
    #[serde(default)]
    pub realm_header: Option<String>,
    /// Header carrying the client's groups (comma-separated) to the upstream; none when unset.
    #[serde(default)]
    pub groups_header: Option<String>,
    /// Pass the client's `Authorization` header upstream on authenticated routes.
    #[serde(default)]
    pub forward_authorization: bool,
    /// Keep the client's `Host` header instead of the upstream's authority.
    #[serde(default)]
    pub preserve_host: bool,
    /// Accept HTTP/2 with prior knowledge (h2c) on a plaintext listener.
    #[serde(default)]
    pub h2c: bool,
    /// TLS on the proxy listener.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    /// The admin listener (`/metrics`, `/healthz`, `/readyz`).
    #[serde(default)]
    pub admin: Option<AdminConfig>,
    /// Size limits and timeouts.
    #[serde(default)]
    pub limits: Limits,
    /// Trust for HTTPS upstreams.
    #[serde(default)]
    pub upstream_tls: UpstreamTls,
    /// Session cookies.
    #[serde(default)]
    pub session: SessionConfig,
    /// Logging.
    #[serde(default)]
    pub log: LogConfig,
    /// The routes, matched by longest `path_prefix`.
    #[serde(default, rename = "route")]
    pub routes: Vec<RouteConfig>,
}

/// One `[[route]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Requests whose path starts with this string take this route.
    pub path_prefix: String,
    /// The upstream base URL, `http://host:port` or `https://host:port`, optionally with a base path.
    pub upstream: String,
    /// Principals allowed: `alice@EXAMPLE.TEST`, `*@EXAMPLE.TEST` (a realm) or `*` (anyone
    /// authenticated).
    #[serde(default)]
    pub allow: Vec<String>,
    /// Methods allowed; all when unset.
    #[serde(default)]
    pub methods: Option<Vec<String>>,
    /// No authentication on this route.
    #[serde(default)]
    pub public: bool,
    /// Issue and accept session cookies on this route.
    #[serde(default)]
    pub session: bool,
}

/// `[tls]`: certificate and key of the proxy listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// `[admin]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Address of the admin listener.
    pub listen: SocketAddr,
}

/// `[limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest request head (request line and headers) in bytes; larger gets 431.
    #[serde(default = "default_max_header_bytes")]
    pub max_header_bytes: usize,
    /// Largest decoded Negotiate token in bytes; larger gets 401.
    #[serde(default = "default_max_token_bytes")]
    pub max_token_bytes: usize,
    /// Time a client has to send the request head (and finish the TLS handshake).
    #[serde(default = "default_header_read_timeout", deserialize_with = "duration")]
    pub header_read_timeout: Duration,
    /// Largest request body in bytes; larger gets 413.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: u64,
    /// Time to open a connection to an upstream.
    #[serde(
        default = "default_upstream_connect_timeout",
        deserialize_with = "duration"
    )]
    pub upstream_connect_timeout: Duration,
    /// Time for an upstream to send its response head.
    #[serde(default = "default_upstream_timeout", deserialize_with = "duration")]
    pub upstream_timeout: Duration,
    /// Idle upstream connections kept per (upstream, identity).
    #[serde(default = "default_max_idle_per_key")]
    pub upstream_max_idle_per_key: usize,
    /// Idle upstream connections kept in total.
    #[serde(default = "default_max_idle_total")]
    pub upstream_max_idle_total: usize,
    /// An idle upstream connection is closed after this time.
    #[serde(
        default = "default_upstream_idle_timeout",
        deserialize_with = "duration"
    )]
    pub upstream_idle_timeout: Duration,
    /// Client connections served at once; further connections wait in the listen queue.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Time in-flight requests get to finish on shutdown.
    #[serde(default = "default_shutdown_grace", deserialize_with = "duration")]
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: default_max_header_bytes(),
            max_token_bytes: default_max_token_bytes(),
            header_read_timeout: default_header_read_timeout(),
            max_body_bytes: default_max_body_bytes(),
            upstream_connect_timeout: default_upstream_connect_timeout(),
            upstream_timeout: default_upstream_timeout(),
            upstream_max_idle_per_key: default_max_idle_per_key(),
            upstream_max_idle_total: default_max_idle_total(),
            upstream_idle_timeout: default_upstream_idle_timeout(),
            max_connections: default_max_connections(),
            shutdown_grace: default_shutdown_grace(),
        }
    }
}

/// `[upstream_tls]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamTls {
    /// PEM file of CA certificates trusted for HTTPS upstreams; the webpki roots when unset.
    #[serde(default)]
    pub ca: Option<PathBuf>,
}

/// `[session]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// Longest life of a session; it also ends with the Kerberos ticket.
    #[serde(default = "default_session_lifetime", deserialize_with = "duration")]
    pub lifetime: Duration,
    /// File holding the 32-byte sealing key (raw, or 64 hex characters); generated at start when unset.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// Name of the session cookie.
    #[serde(default = "default_cookie_name")]
    pub cookie_name: String,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            lifetime: default_session_lifetime(),
            key_file: None,
            cookie_name: default_cookie_name(),
        }
    }
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Where the JSON access log goes: "stdout", "off", or a file path (appended).
    #[serde(default = "default_access_log")]
    pub access: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            access: default_access_log(),
        }
    }
}

/// Headers that cannot carry the identity: HTTP gives them their own meaning.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "forwarded",
    "www-authenticate",
];

fn default_clock_skew() -> Duration {
    Duration::from_secs(300)
}
fn default_identity_header() -> String {
    "X-Remote-User".to_owned()
}
fn default_max_header_bytes() -> usize {
    64 * 1024
}
fn default_max_token_bytes() -> usize {
    48 * 1024
}
fn default_header_read_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_max_body_bytes() -> u64 {
    10 * 1024 * 1024
}
fn default_upstream_connect_timeout() -> Duration {
    Duration::from_secs(5)
}
fn default_upstream_timeout() -> Duration {
    Duration::from_secs(30)
}
fn default_max_idle_per_key() -> usize {
    16
}
fn default_max_idle_total() -> usize {
    256
}
fn default_upstream_idle_timeout() -> Duration {
    Duration::from_secs(60)
}
fn default_max_connections() -> usize {
    10_000
}
fn default_shutdown_grace() -> Duration {
    Duration::from_secs(30)
}
fn default_session_lifetime() -> Duration {
    Duration::from_secs(3600)
}
fn default_cookie_name() -> String {
    "krb_proxy_session".to_owned()
}
fn default_access_log() -> String {
    "stdout".to_owned()
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    humantime::parse_duration(&text).map_err(|e| {
        serde::de::Error::custom(format!(
            "`{text}` is not a duration ({e}); write e.g. \"30s\", \"5m\", \"1h\""
        ))
    })
}

/// A config error: the file, the line when known, the key, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file (or `<inline>` for text given directly).
    pub file: PathBuf,
    /// 1-based line of the offending key, when known.
    pub line: Option<usize>,
    /// The key, e.g. `route[1].upstream`; empty for syntax errors.
    pub key: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if self.key.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": `{}`: {}", self.key, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// Overrides from the command line, applied after the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--admin-listen`.
    pub admin_listen: Option<SocketAddr>,
}

impl Config {
    /// Reads, parses, applies `overrides` and validates the file at `path`.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: None,
            key: String::new(),
            message: format!("cannot read the config file: {e}"),
        })?;
        let mut config = Config::parse(&text, path)?;
        config.apply(overrides);
        config.validate(&text, path)?;
        Ok(config)
    }

    /// Parses and validates config text (tests and tools); `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let config = Config::parse(text, file)?;
        config.validate(text, file)?;
        Ok(config)
    }

    fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        toml::from_str::<Config>(text).map_err(|e| {
            let start = e.span().map(|s| s.start);
            let line = start.map(|s| line_of(text, s));
            let table = start.map(|s| table_at(text, s)).unwrap_or_default();
            ConfigError {
                file: file.to_path_buf(),
                line,
                key: String::new(),
                message: describe_toml_error(e.message(), &table),
            }
        })
    }

    /// Applies command-line overrides.
    pub fn apply(&mut self, overrides: &Overrides) {
        if let Some(listen) = overrides.listen {
            self.listen = listen;
        }
        if let Some(listen) = overrides.admin_listen {
            self.admin = Some(AdminConfig { listen });
        }
    }

    /// Checks what serde cannot: URLs, principals, methods, header names, sizes. `text` is the
    /// file's text, used to find the line of a bad key.
    pub fn validate(&self, text: &str, file: &Path) -> Result<(), ConfigError> {
        let err =
            |table: Option<(&str, usize)>, key: &str, name: String, message: String| ConfigError {
                file: file.to_path_buf(),
                line: locate(text, table, key),
                key: name,
                message,
            };
        if self.routes.is_empty() {
            return Err(err(
                None,
                "route",
                "route".into(),
                "no [[route]] is configured; add at least one with path_prefix and upstream".into(),
            ));
        }
        for (name, value) in [
            ("identity_header", Some(&self.identity_header)),
            ("realm_header", self.realm_header.as_ref()),
            ("groups_header", self.groups_header.as_ref()),
        ] {
            if let Some(value) = value
                && http::HeaderName::from_bytes(value.as_bytes()).is_err()
            {
                return Err(err(
                    None,
                    name,
                    name.into(),
                    format!("`{value}` is not a valid HTTP header name"),
                ));
            }
            if let Some(value) = value
                && RESERVED_HEADERS.contains(&value.to_ascii_lowercase().as_str())
            {
                return Err(err(
                    None,
                    name,
                    name.into(),
                    format!(
                        "`{value}` is a header with its own meaning in HTTP; pick a name of its own such as X-Remote-User"
                    ),
                ));
            }
        }
        if let Some(realm) = &self.realm_header
            && realm.eq_ignore_ascii_case(&self.identity_header)
        {
            return Err(err(
                None,
                "realm_header",
                "realm_header".into(),
                "must differ from identity_header".into(),
            ));
        }
        if let Some(groups) = &self.groups_header
            && (groups.eq_ignore_ascii_case(&self.identity_header)
                || self
                    .realm_header
                    .as_ref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(groups)))
        {
            return Err(err(
                None,
                "groups_header",
                "groups_header".into(),
                "must differ from identity_header and realm_header".into(),
            ));
        }
        if self.clock_skew > Duration::from_secs(24 * 3600) {
            return Err(err(
                None,
                "clock_skew",
                "clock_skew".into(),
                "more than 24h is not a clock skew; the usual value is 5m".into(),
            ));
        }
        for p in &self.service_principals {
            if !p.contains('@') || p.starts_with('@') || p.ends_with('@') {
                return Err(err(
                    None,
                    "service_principals",
                    "service_principals".into(),
                    format!(
                        "`{p}` is not a principal name with a realm, like HTTP/api.example.test@EXAMPLE.TEST"
                    ),
                ));
            }
        }
        if self.limits.max_header_bytes < 8192 {
            return Err(err(
                Some(("limits", 0)),
                "max_header_bytes",
                "limits.max_header_bytes".into(),
                format!(
                    "{} is below the smallest supported value, 8192",
                    self.limits.max_header_bytes
                ),
            ));
        }
        if self.limits.max_connections == 0 {
            return Err(err(
                Some(("limits", 0)),
                "max_connections",
                "limits.max_connections".into(),
                "must be more than 0".into(),
            ));
        }
        if self.limits.max_token_bytes == 0 {
            return Err(err(
                Some(("limits", 0)),
                "max_token_bytes",
                "limits.max_token_bytes".into(),
                "must be more than 0".into(),
            ));
        }
        if self.session.cookie_name.is_empty()
            || !self
                .session
                .cookie_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        {
            return Err(err(
                Some(("session", 0)),
                "cookie_name",
                "session.cookie_name".into(),
                format!(
                    "`{}` is not a cookie name (letters, digits, `_`, `-`, `.`)",
                    self.session.cookie_name
                ),
            ));
        }
        if self.session.lifetime.is_zero() {
            return Err(err(
                Some(("session", 0)),
                "lifetime",
                "session.lifetime".into(),
                "must be more than 0".into(),
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, r) in self.routes.iter().enumerate() {
            let t = Some(("route", i));
            let key = |k: &str| format!("route[{i}].{k}");
            if !r.path_prefix.starts_with('/') {
                return Err(err(
                    t,
                    "path_prefix",
                    key("path_prefix"),
                    format!("`{}` must start with `/`", r.path_prefix),
                ));
            }
            if seen.contains(&r.path_prefix.as_str()) {
                return Err(err(
                    t,
                    "path_prefix",
                    key("path_prefix"),
                    format!("`{}` is already used by another route", r.path_prefix),
                ));
            }
            seen.push(&r.path_prefix);
            if let Err(m) = crate::upstream::Upstream::parse(&r.upstream) {
                return Err(err(t, "upstream", key("upstream"), m));
            }
            if r.public && !r.allow.is_empty() {
                return Err(err(t, "allow", key("allow"), "a public route has no authentication, so `allow` would not apply; remove one of them".into()));
            }
            if r.public && r.session {
                return Err(err(
                    t,
                    "session",
                    key("session"),
                    "a public route has no authentication, so it cannot issue sessions".into(),
                ));
            }
            if !r.public && r.allow.is_empty() {
                return Err(err(t, "allow", key("allow"), "an authenticated route needs `allow` (e.g. [\"*@EXAMPLE.TEST\"]), or `public = true`".into()));
            }
            for a in &r.allow {
                if let Err(m) = crate::router::AllowRule::parse(a) {
                    return Err(err(t, "allow", key("allow"), m));
                }
            }
            if let Some(methods) = &r.methods {
                if methods.is_empty() {
                    return Err(err(
                        t,
                        "methods",
                        key("methods"),
                        "an empty list allows nothing; remove the key to allow every method".into(),
                    ));
                }
                for m in methods {
                    if http::Method::from_bytes(m.as_bytes()).is_err()
                        || m.bytes().any(|b| b.is_ascii_lowercase())
                    {
                        return Err(err(
                            t,
                            "methods",
                            key("methods"),
                            format!(
                                "`{m}` is not an HTTP method (write it in capitals, e.g. \"GET\")"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// What the authenticator loader needs.
    pub fn keytab_settings(&self) -> KeytabSettings {
        KeytabSettings {
            keytab: self.keytab.clone(),
            service_principals: self.service_principals.clone(),
            clock_skew: self.clock_skew,
        }
    }
}

/// 1-based line of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()
        .iter()
        .take(at)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The table header (`[tls]`, `[[route]]`) in force at byte offset `at`, or empty for the root.
fn table_at(text: &str, at: usize) -> String {
    let mut current = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > at {
            break;
        }
        let t = line.trim();
        if t.starts_with('[') {
            let end = t.rfind(']').map_or(t.len(), |e| e + 1);
            current = t.get(..end).unwrap_or(t).to_owned();
        }
        offset += line.len();
    }
    current
}

/// Rewrites serde's "unknown field `x`, expected one of `a`, `b`" into the config's own words.
fn describe_toml_error(message: &str, table: &str) -> String {
    let place = if table.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("in {table}")
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (name, expected) = match rest.split_once(", expected ") {
            Some((n, e)) => (n, e),
            None => (rest, ""),
        };
        let expected = expected
            .trim_start_matches("one of ")
            .replace('`', "")
            .replace(" or ", ", ");
        let mut out = format!("unknown key {name} {place}");
        if !expected.is_empty() {
            out.push_str(&format!(" (expected one of: {expected})"));
        }
        return out;
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("missing key {field} {place}");
    }
    let message = message.trim_end();
    format!("{message} ({place})")
}

/// The line of `key` inside the `index`-th occurrence of table `table` (or the root when None).
fn locate(text: &str, table: Option<(&str, usize)>, key: &str) -> Option<usize> {
    let mut in_table = table.is_none();
    let mut seen = 0usize;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_table = false;
            if let Some((name, index)) = table {
                let header = t.trim_start_matches('[').trim_end_matches(']').trim();
                let header = header.split_whitespace().next().unwrap_or("");
                if header == name || header.trim_end_matches(']') == name {
                    if seen == index {
                        in_table = true;
                    }
                    seen += 1;
                }
            }
            continue;
        }
        if in_table
            && let Some((k, _)) = t.split_once('=')
            && k.trim().trim_matches('"') == key
        {
            return Some(n + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "listen = \"127.0.0.1:8080\"\nkeytab = \"/k\"\n";

    #[test]
    fn unknown_key_names_line_table_and_choices() {
        let text = format!(
            "{BASE}[[route]]\npath_prefix = \"/\"\nupstream = \"http://127.0.0.1:9\"\nalow = [\"*\"]\n"
        );
        let e = Config::from_toml(&text, Path::new("c.toml")).unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with("c.toml line 6: unknown key `alow` in [[route]]"),
            "{s}"
        );
        assert!(
            s.contains("expected one of: path_prefix, upstream, allow"),
            "{s}"
        );
    }

    #[test]
    fn bad_upstream_points_at_its_line() {
        let text = format!(
            "{BASE}\n[[route]]\npath_prefix = \"/a/\"\nupstream = \"http://127.0.0.1:9\"\nallow = [\"*\"]\n[[route]]\npath_prefix = \"/b/\"\nupstream = \"ftp://x\"\nallow = [\"*\"]\n"
        );
        let e = Config::from_toml(&text, Path::new("c.toml")).unwrap_err();
        assert_eq!(e.key, "route[1].upstream");
        assert_eq!(e.line, Some(10));
    }

    #[test]
    fn durations_are_humantime() {
        let text = format!(
            "{BASE}clock_skew = \"2m\"\n[limits]\nupstream_timeout = \"1s 500ms\"\n[[route]]\npath_prefix = \"/\"\nupstream = \"http://127.0.0.1:9\"\npublic = true\n"
        );
        let c = Config::from_toml(&text, Path::new("c.toml")).unwrap();
        assert_eq!(c.clock_skew, Duration::from_secs(120));
        assert_eq!(c.limits.upstream_timeout, Duration::from_millis(1500));
        let bad = text.replace("\"2m\"", "\"two minutes\"");
        let e = Config::from_toml(&bad, Path::new("c.toml")).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn identity_header_cannot_be_a_reserved_one() {
        for h in ["Host", "authorization", "X-Forwarded-For"] {
            let text = format!(
                "{BASE}identity_header = \"{h}\"\n[[route]]\npath_prefix = \"/\"\nupstream = \"http://127.0.0.1:9\"\npublic = true\n"
            );
            let e = Config::from_toml(&text, Path::new("c.toml")).unwrap_err();
            assert_eq!(
                (e.key.as_str(), e.line),
                ("identity_header", Some(3)),
                "{e}"
            );
        }
        let text = format!(
            "{BASE}realm_header = \"x-remote-user\"\n[[route]]\npath_prefix = \"/\"\nupstream = \"http://127.0.0.1:9\"\npublic = true\n"
        );
        let e = Config::from_toml(&text, Path::new("c.toml")).unwrap_err();
        assert_eq!(e.key, "realm_header");
    }

    #[test]
    fn authenticated_route_needs_allow() {
        let text =
            format!("{BASE}[[route]]\npath_prefix = \"/\"\nupstream = \"http://127.0.0.1:9\"\n");
        let e = Config::from_toml(&text, Path::new("c.toml")).unwrap_err();
        assert_eq!(e.key, "route[0].allow");
    }
}
