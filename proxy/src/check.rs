//! `krb-proxy check`: validates the config and the keytab without serving, and says what it found.

use std::fmt::Write;

use crate::auth::AuthenticatorLoader;
use crate::config::{Config, Overrides};

/// What `check` found.
#[derive(Debug, Default)]
pub struct Report {
    /// The summary lines (routes, listeners, service keys).
    pub summary: Vec<String>,
    /// Things that work but deserve a look.
    pub warnings: Vec<String>,
    /// Things that stop the proxy from starting.
    pub errors: Vec<String>,
}

impl Report {
    /// The report as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for l in &self.summary {
            let _ = writeln!(out, "{l}");
        }
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        for e in &self.errors {
            let _ = writeln!(out, "error: {e}");
        }
        if self.errors.is_empty() {
            let _ = writeln!(out, "ok: {} warning(s)", self.warnings.len());
        } else {
            let _ = writeln!(out, "failed: {} error(s)", self.errors.len());
        }
        out
    }
}

/// Checks the config at `path` and the keytab it names.
pub fn check(
    path: &std::path::Path,
    overrides: &Overrides,
    loader: &dyn AuthenticatorLoader,
) -> Report {
    let mut report = Report::default();
    let config = match Config::load(path, overrides) {
        Ok(c) => c,
        Err(e) => {
            report.errors.push(e.to_string());
            return report;
        }
    };
    report
        .summary
        .push(format!("config {}: valid", path.display()));
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    report
        .summary
        .push(format!("listen {scheme}://{}", config.listen));
    if let Some(a) = &config.admin {
        report.summary.push(format!(
            "admin http://{} (/metrics, /healthz, /readyz)",
            a.listen
        ));
    }
    report.summary.push("routes (longest prefix first):".into());
    let mut routes: Vec<_> = config.routes.iter().collect();
    routes.sort_by_key(|r| std::cmp::Reverse(r.path_prefix.len()));
    for r in routes {
        let who = if r.public {
            "public".to_owned()
        } else {
            format!("allow {}", r.allow.join(", "))
        };
        let methods = r
            .methods
            .as_ref()
            .map_or_else(|| "any method".to_owned(), |m| m.join(", "));
        let session = if r.session { ", sessions" } else { "" };
        report.summary.push(format!(
            "  {} -> {} ({who}; {methods}{session})",
            r.path_prefix, r.upstream
        ));
        if r.public {
            report.warnings.push(format!(
                "route {} is public: requests reach {} without authentication",
                r.path_prefix, r.upstream
            ));
        }
    }
    if let Some(t) = &config.tls
        && let Err(e) = crate::tls::load_server_tls(&t.cert, &t.key)
    {
        report.errors.push(format!("[tls]: {e}"));
    }
    if let Err(e) = crate::upstream::client_tls_config(config.upstream_tls.ca.as_deref()) {
        report.errors.push(format!("[upstream_tls]: {e}"));
    }
    match &config.session.key_file {
        Some(k) => {
            if let Err(e) = crate::session::SessionKeys::from_file(k) {
                report.errors.push(format!("[session] key_file: {e}"));
            }
        }
        None if config.routes.iter().any(|r| r.session) => report.warnings.push(
            "sessions use a key generated at start: they end on restart and replicas do not share them; set [session] key_file".into(),
        ),
        None => {}
    }
    match loader.load(&config.keytab_settings()) {
        Ok(auth) => {
            let keys = auth.describe();
            report.summary.push(format!(
                "keytab {}: {} service key(s)",
                config.keytab.display(),
                keys.len()
            ));
            for k in &keys {
                report.summary.push(format!("  {k}"));
                let lower = k.to_ascii_lowercase();
                if lower.contains("rc4") || lower.contains("arcfour") {
                    report.warnings.push(format!(
                        "weak RC4 key in the keytab: {k}; rekey the service with AES enctypes"
                    ));
                }
            }
            if keys.is_empty() {
                report.errors.push(format!(
                    "keytab {} holds no usable service key",
                    config.keytab.display()
                ));
            }
        }
        Err(e) => report.errors.push(format!("keytab: {e}")),
    }
    if config.clock_skew > std::time::Duration::from_secs(300) {
        report.warnings.push(format!(
            "clock_skew {} is above the usual 5m: stolen tokens stay usable longer",
            humantime::format_duration(config.clock_skew)
        ));
    }
    if config.tls.is_none() && !config.listen.ip().is_loopback() {
        report.warnings.push(format!(
            "listen {} is not loopback and has no [tls]: session cookies and upstream responses travel in clear text",
            config.listen
        ));
    }
    report
}
