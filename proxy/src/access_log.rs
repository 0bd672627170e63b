//! The JSON access/audit log: one line per request, written when the request ends.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Serialize;

/// How a request was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Authenticated and authorized, forwarded.
    Allow,
    /// Refused (401, 403, 404, 405, 413, 431).
    Deny,
    /// A public route, forwarded without authentication.
    Public,
    /// The proxy or the upstream failed (502, 504, 500).
    Error,
}

/// One access log line.
#[derive(Debug, Serialize)]
pub struct Record {
    /// Request start, RFC 3339.
    pub time: String,
    /// Client address.
    pub client: SocketAddr,
    /// Authenticated principal.
    pub principal: Option<String>,
    /// The route's path_prefix.
    pub route: Option<Arc<str>>,
    /// Request method.
    pub method: String,
    /// Request path (no query string: it may hold secrets).
    pub path: String,
    /// Response status.
    pub status: u16,
    /// The decision.
    pub decision: Decision,
    /// Why (for refusals and errors).
    pub reason: Option<String>,
    /// Kerberos error name, when the authenticator gave one.
    pub krb_error: Option<&'static str>,
    /// "negotiate", "session" or null.
    pub auth: Option<&'static str>,
    /// From request start to the end of the response body.
    pub latency_ms: f64,
    /// False when the client went away before the response body ended.
    pub completed: bool,
}

/// Where access lines go.
#[derive(Debug, Clone)]
pub enum AccessLog {
    /// Nowhere.
    Off,
    /// Standard output.
    Stdout,
    /// A file, appended.
    File(Arc<Mutex<std::io::LineWriter<std::fs::File>>>),
}

impl AccessLog {
    /// From the `[log] access` value.
    pub fn open(spec: &str) -> Result<AccessLog, String> {
        match spec {
            "off" => Ok(AccessLog::Off),
            "stdout" | "-" => Ok(AccessLog::Stdout),
            path => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("cannot open access log {path}: {e}"))?;
                Ok(AccessLog::File(Arc::new(Mutex::new(
                    std::io::LineWriter::new(file),
                ))))
            }
        }
    }

    /// Writes one line.
    pub fn write(&self, record: &Record) {
        let mut line = match serde_json::to_vec(record) {
            Ok(l) => l,
            Err(_) => return,
        };
        line.push(b'\n');
        match self {
            AccessLog::Off => {}
            AccessLog::Stdout => {
                let _ = std::io::stdout().lock().write_all(&line);
            }
            AccessLog::File(f) => {
                if let Ok(mut f) = f.lock() {
                    let _ = f.write_all(&line);
                }
            }
        }
    }
}

/// RFC 3339 with milliseconds, UTC.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// An operational message (reload, shutdown, listener) on standard error, as one JSON line.
pub fn event(level: &str, message: &str) {
    let line = serde_json::json!({
        "time": rfc3339(SystemTime::now()),
        "level": level,
        "message": message,
    });
    eprintln!("{line}");
}
