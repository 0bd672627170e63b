//! `krb-proxy keytab list|add|remove`: the keytab commands.
//!
//! Their names, options and output are an interface other tools depend on:
//!
//! - `keytab list FILE [--keys] [--json]`: one line per entry, in file order:
//!   `KVNO TIMESTAMP PRINCIPAL (ENCTYPE)`, where the timestamp is RFC 3339 in UTC and the enctype
//!   is printed as MIT's `klist -e` prints it (`aes256-cts-hmac-sha1-96`, `DEPRECATED:arcfour-hmac`,
//!   `DEPRECATED:etype 99`); `--keys` appends `(0xHEX)`. `--json` prints a JSON array of objects
//!   with exactly the fields `principal`, `kvno`, `enctype` (MIT's name, or `etype N`), `etype`
//!   (the number), `timestamp` (RFC 3339, UTC, `1970-01-01T00:00:00Z` form) and, only with
//!   `--keys`, `key` (lowercase hex).
//! - `keytab add FILE --principal P --kvno N [--enctype E]... [--salt S] --password-stdin`.
//! - `keytab remove FILE --principal P [--kvno N]`.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use krb_keytab::{EnctypeNumber, Entry, Etype, Keytab, Principal};
use serde::Serialize;
use zeroize::Zeroizing;

/// `krb-proxy keytab ...`
#[derive(Debug, Args)]
pub struct KeytabArgs {
    #[command(subcommand)]
    command: KeytabCommand,
}

#[derive(Debug, Subcommand)]
enum KeytabCommand {
    /// List the entries of a keytab: kvno, timestamp, principal and enctype.
    List {
        /// The keytab file.
        file: PathBuf,
        /// Also print each key, in hex. Keys are secrets: ask for them only when you must.
        #[arg(long)]
        keys: bool,
        /// Print a JSON array of {principal, kvno, enctype, etype, timestamp[, key]} objects.
        #[arg(long)]
        json: bool,
    },
    /// Add entries whose keys are made from a password read from standard input.
    ///
    /// The keys are made as MIT's kadmin and ktutil make them: string-to-key with the salt (by
    /// default the realm followed by the name components) at each enctype's default iteration
    /// count. The file is created (mode 0600) if it does not exist.
    Add {
        /// The keytab file.
        file: PathBuf,
        /// The principal, in full: `HTTP/host.example.test@EXAMPLE.TEST`.
        #[arg(long)]
        principal: String,
        /// The key version number; it must match the KDC's kvno for the principal.
        #[arg(long)]
        kvno: u32,
        /// An enctype, by MIT name or alias; repeat for several. Default:
        /// aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96.
        #[arg(long = "enctype", value_name = "ENCTYPE")]
        enctypes: Vec<String>,
        /// The salt, if the KDC uses another than the default.
        #[arg(long)]
        salt: Option<String>,
        /// Read the password from standard input (one trailing newline is stripped). Required:
        /// passwords are never taken from the command line.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Remove the entries of a principal (only those of one kvno with --kvno).
    Remove {
        /// The keytab file.
        file: PathBuf,
        /// The principal, in full: `HTTP/host.example.test@EXAMPLE.TEST`.
        #[arg(long)]
        principal: String,
        /// Remove only this key version.
        #[arg(long)]
        kvno: Option<u32>,
    },
}

/// Runs a keytab command; errors go to stderr, and the exit code is 1 on failure.
pub fn run(args: KeytabArgs) -> ExitCode {
    let result = match args.command {
        KeytabCommand::List { file, keys, json } => list(&file, keys, json),
        KeytabCommand::Add {
            file,
            principal,
            kvno,
            enctypes,
            salt,
            password_stdin: _,
        } => add(&file, &principal, kvno, &enctypes, salt.as_deref()),
        KeytabCommand::Remove {
            file,
            principal,
            kvno,
        } => remove(&file, &principal, kvno),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("krb-proxy: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970 (keytab timestamps are unsigned 32-bit).
pub(crate) fn rfc3339(secs: u32) -> String {
    krb_core::acceptor::rfc3339(i64::from(secs))
}

fn hex(bytes: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The enctype as MIT's `klist -e` prints it.
fn klist_enctype(entry: &Entry) -> String {
    let e = entry.enctype();
    if e.is_deprecated() {
        format!("DEPRECATED:{e}")
    } else {
        e.to_string()
    }
}

#[derive(Serialize)]
struct JsonEntry {
    principal: String,
    kvno: u32,
    enctype: String,
    etype: i32,
    timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<Zeroizing<String>>,
}

fn print(out: &str) -> Result<(), String> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // The reader went away (`| head`): not an error of ours.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing to standard output: {e}")),
    }
}

fn list(file: &Path, keys: bool, json: bool) -> Result<(), String> {
    let kt = Keytab::read_file(file).map_err(|e| e.to_string())?;
    let mut out = Zeroizing::new(String::new());
    if json {
        let entries: Vec<JsonEntry> = kt
            .entries()
            .iter()
            .map(|e| JsonEntry {
                principal: e.principal().to_string(),
                kvno: e.kvno(),
                enctype: e.enctype().to_string(),
                etype: e.enctype().get(),
                timestamp: rfc3339(e.timestamp()),
                key: keys.then(|| hex(e.key_bytes())),
            })
            .collect();
        let text = Zeroizing::new(
            serde_json::to_string_pretty(&entries).map_err(|e| format!("making JSON: {e}"))?,
        );
        out.push_str(&text);
        out.push('\n');
    } else {
        out.push_str("KVNO Timestamp            Principal\n");
        out.push_str(
            "---- -------------------- ------------------------------------------------\n",
        );
        for e in kt.entries() {
            let _ = write!(
                out,
                "{:>4} {} {} ({})",
                e.kvno(),
                rfc3339(e.timestamp()),
                e.principal(),
                klist_enctype(e)
            );
            if keys {
                let _ = write!(out, "  (0x{})", hex(e.key_bytes()).as_str());
            }
            out.push('\n');
        }
    }
    print(&out)
}

fn parse_principal(text: &str) -> Result<Principal, String> {
    text.parse()
        .map_err(|e| format!("--principal {text:?}: {e}"))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "entry" } else { "entries" }
}

/// The enctypes `keytab add` makes when none is named.
const DEFAULT_ENCTYPES: [Etype; 2] = [Etype::Aes256CtsHmacSha196, Etype::Aes128CtsHmacSha196];

fn parse_enctype(name: &str) -> Result<Etype, String> {
    let Some(number) = EnctypeNumber::from_name(name) else {
        return Err(format!(
            "--enctype {name:?}: not an enctype name MIT knows; use one of {}",
            supported_names()
        ));
    };
    match Etype::from_number(number.get()) {
        Ok(etype) if etype.is_supported() => Ok(etype),
        Ok(_) => Err(format!(
            "--enctype {name:?}: {number} is disabled in this build (rc4-hmac needs the rc4 \
             feature); use one of {}",
            supported_names()
        )),
        Err(_) => Err(format!(
            "--enctype {name:?}: this tool cannot make {number} keys; use one of {}",
            supported_names()
        )),
    }
}

fn supported_names() -> String {
    EnctypeNumber::known_names()
        .filter(|name| {
            EnctypeNumber::from_name(name)
                .and_then(|n| Etype::from_number(n.get()).ok())
                .is_some_and(Etype::is_supported)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The most bytes read as a password: far more than any password, little enough to refuse a
/// file piped in by mistake.
const MAX_PASSWORD: u64 = 4096;

fn read_password() -> Result<Zeroizing<Vec<u8>>, String> {
    let mut password = Zeroizing::new(Vec::new());
    io::stdin()
        .lock()
        .take(MAX_PASSWORD + 1)
        .read_to_end(&mut password)
        .map_err(|e| format!("reading the password from standard input: {e}"))?;
    if password.len() as u64 > MAX_PASSWORD {
        return Err(format!(
            "the password on standard input is longer than {MAX_PASSWORD} bytes; pipe in only \
             the password"
        ));
    }
    // One trailing newline (\n or \r\n) is the end of the line, not part of the password.
    if password.last() == Some(&b'\n') {
        password.pop();
        if password.last() == Some(&b'\r') {
            password.pop();
        }
    }
    if password.is_empty() {
        return Err("the password on standard input is empty".to_owned());
    }
    Ok(password)
}

fn now() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs).unwrap_or(u32::MAX)
}

fn add(
    file: &Path,
    principal: &str,
    kvno: u32,
    enctypes: &[String],
    salt: Option<&str>,
) -> Result<(), String> {
    let principal = parse_principal(principal)?;
    let mut etypes = Vec::new();
    for name in enctypes {
        let etype = parse_enctype(name)?;
        if !etypes.contains(&etype) {
            etypes.push(etype);
        }
    }
    if etypes.is_empty() {
        etypes.extend(DEFAULT_ENCTYPES);
    }
    // Read the keytab first, so a damaged file is reported before the password is asked for.
    let mut kt = Keytab::read_file_or_new(file).map_err(|e| e.to_string())?;
    let password = read_password()?;
    kt.add_password(
        &principal,
        kvno,
        &etypes,
        &password,
        salt.map(str::as_bytes),
        now(),
    )
    .map_err(|e| format!("keytab {}: {}", file.display(), e.kind()))?;
    kt.write_file(file).map_err(|e| e.to_string())?;
    let names: Vec<String> = etypes
        .iter()
        .map(|&e| EnctypeNumber::from(e).to_string())
        .collect();
    print(&format!(
        "added {} {} for {principal} kvno {kvno} ({}) to {}\n",
        etypes.len(),
        plural(etypes.len()),
        names.join(", "),
        file.display()
    ))
}

fn remove(file: &Path, principal: &str, kvno: Option<u32>) -> Result<(), String> {
    let principal = parse_principal(principal)?;
    let mut kt = Keytab::read_file(file).map_err(|e| e.to_string())?;
    let removed = kt.remove(&principal, kvno);
    if removed == 0 {
        let held: Vec<String> = kt
            .entries()
            .iter()
            .filter(|e| *e.principal() == principal)
            .map(|e| e.kvno().to_string())
            .fold(Vec::new(), |mut v, k| {
                if !v.contains(&k) {
                    v.push(k);
                }
                v
            });
        return Err(match (kvno, held.is_empty()) {
            (Some(k), false) => format!(
                "keytab {}: no entry of {principal} with kvno {k}; it has kvno {} for that \
                 principal",
                file.display(),
                held.join(", ")
            ),
            _ => {
                let all: Vec<String> = kt.principals().map(ToString::to_string).collect();
                format!(
                    "keytab {}: no entry of {principal}; it holds: {}",
                    file.display(),
                    if all.is_empty() {
                        "nothing".to_owned()
                    } else {
                        all.join(", ")
                    }
                )
            }
        });
    }
    kt.write_file(file).map_err(|e| e.to_string())?;
    let which = kvno.map_or(String::new(), |k| format!(" kvno {k}"));
    print(&format!(
        "removed {removed} {} of {principal}{which} from {}\n",
        plural(removed),
        file.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_764_777_743), "2025-12-03T16:02:23Z");
        assert_eq!(rfc3339(u32::MAX), "2106-02-07T06:28:15Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
    }
}
