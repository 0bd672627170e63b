//! `krb-proxy inspect`: decode a Negotiate token without any key and print what it holds.
//!
//! Everything shown is what the client sent in the clear: the ticket's service name and
//! realm, its encryption type and key version, the AP options and the SPNEGO mechanism list.
//! Nothing is decrypted, so nothing shown is authenticated.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use krb_core::messages::ApOptions;
use krb_core::token::{ApReqToken, Framing, Krb5Selection, NegotiateToken, TokenError};
use krb_core::{DerError, Oid};
use serde_json::{Map, Value, json};

/// Arguments of `krb-proxy inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The token: base64 (a leading `Negotiate ` is stripped), a file holding it (base64 or
    /// raw bytes), or `-` to read it from stdin.
    token: String,
    /// Print one JSON object instead of `key: value` lines.
    #[arg(long)]
    json: bool,
}

/// Runs the subcommand: exit 0 when the token decodes, 1 when it does not.
pub fn run(args: &InspectArgs) -> ExitCode {
    let result = read_input(&args.token).and_then(|bytes| {
        krb_core::token::parse_negotiate(&bytes)
            .map(|token| describe(&token, bytes.len()))
            .map_err(|e| describe_error(&e))
    });
    match result {
        Ok(fields) => {
            print_fields(fields, args.json);
            ExitCode::SUCCESS
        }
        Err(fields) => {
            if let Some(Value::String(message)) = fields.get("error") {
                eprintln!("krb-proxy inspect: {message}");
            }
            if args.json {
                print_fields(fields, true);
            }
            ExitCode::from(1)
        }
    }
}

fn input_error(message: String) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("error".into(), Value::String(message));
    m.insert("error_kind".into(), "input".into());
    m
}

/// Reads the token bytes from the argument, a file or stdin.
fn read_input(arg: &str) -> Result<Vec<u8>, Map<String, Value>> {
    let raw = if arg == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| input_error(format!("cannot read stdin: {e}")))?;
        buf
    } else if Path::new(arg).is_file() {
        std::fs::read(arg).map_err(|e| input_error(format!("cannot read {arg}: {e}")))?
    } else {
        return decode_text(arg.as_bytes()).ok_or_else(|| {
            input_error(format!(
                "the argument is neither a file nor a base64 token ({} characters)",
                arg.len()
            ))
        });
    };
    // A file or stdin may hold base64 text or the raw token.
    Ok(decode_text(&raw).unwrap_or(raw))
}

/// Decodes base64 text, ignoring whitespace and a leading `Negotiate ` (or a whole
/// `Authorization: Negotiate ` header line).
fn decode_text(text: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let text = strip_prefix_ci(text, "authorization:").trim_start();
    let text = strip_prefix_ci(text, "negotiate").trim_start();
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    STANDARD
        .decode(&compact)
        .or_else(|_| STANDARD_NO_PAD.decode(&compact))
        .ok()
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> &'a str {
    match text.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => text.get(prefix.len()..).unwrap_or(""),
        _ => text,
    }
}

/// The name of an encryption type (RFC 3961 §8, RFC 8009, RFC 4757).
fn etype_name(etype: i32) -> Option<&'static str> {
    Some(match etype {
        1 => "des-cbc-crc",
        3 => "des-cbc-md5",
        16 => "des3-cbc-sha1",
        17 => "aes128-cts-hmac-sha1-96",
        18 => "aes256-cts-hmac-sha1-96",
        19 => "aes128-cts-hmac-sha256-128",
        20 => "aes256-cts-hmac-sha384-192",
        23 => "rc4-hmac",
        24 => "rc4-hmac-exp",
        25 => "camellia128-cts-cmac",
        26 => "camellia256-cts-cmac",
        _ => return None,
    })
}

fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

fn mech_list(mechs: &[Oid<'_>]) -> Value {
    Value::Array(
        mechs
            .iter()
            .map(|o| match o.name() {
                Some(name) => Value::String(format!("{o} ({name})")),
                None => Value::String(o.to_string()),
            })
            .collect(),
    )
}

fn describe(token: &NegotiateToken<'_>, len: usize) -> Map<String, Value> {
    match token {
        NegotiateToken::ApReq(t) => describe_ap_req(t, len),
        NegotiateToken::SelectKrb5(s) => describe_selection(s, len),
        _ => input_error("this token kind is not known to inspect".into()),
    }
}

fn describe_ap_req(t: &ApReqToken<'_>, len: usize) -> Map<String, Value> {
    let ticket = &t.ap_req.ticket;
    let realm = String::from_utf8_lossy(ticket.realm);
    let mut m = Map::new();
    let (mech, framing) = match t.framing {
        Framing::SpnegoInit => ("spnego", "spnego-neg-token-init"),
        Framing::SpnegoResp => ("spnego", "spnego-neg-token-resp"),
        Framing::Krb5 => ("krb5", "gss-krb5"),
        _ => ("krb5", "bare-ap-req"),
    };
    m.insert("mech".into(), mech.into());
    m.insert("framing".into(), framing.into());
    m.insert(
        "service".into(),
        Value::String(format!("{}@{realm}", ticket.sname)),
    );
    m.insert("realm".into(), text(ticket.realm));
    m.insert("sname_type".into(), ticket.sname.name_type.to_i32().into());
    m.insert("etype".into(), ticket.enc_part.etype.into());
    m.insert(
        "etype_name".into(),
        etype_name(ticket.enc_part.etype).into(),
    );
    m.insert("kvno".into(), ticket.enc_part.kvno.into());
    m.insert(
        "mutual_requested".into(),
        t.ap_req
            .ap_options
            .contains(ApOptions::MUTUAL_REQUIRED)
            .into(),
    );
    m.insert(
        "ap_options".into(),
        Value::Array(t.ap_req.ap_options.names().map(Value::from).collect()),
    );
    m.insert(
        "ap_options_hex".into(),
        format!("{:#010x}", t.ap_req.ap_options.bits()).into(),
    );
    m.insert(
        "ticket_cipher_len".into(),
        ticket.enc_part.cipher.len().into(),
    );
    m.insert(
        "authenticator_etype".into(),
        t.ap_req.authenticator.etype.into(),
    );
    m.insert(
        "authenticator_etype_name".into(),
        etype_name(t.ap_req.authenticator.etype).into(),
    );
    m.insert(
        "authenticator_cipher_len".into(),
        t.ap_req.authenticator.cipher.len().into(),
    );
    m.insert("gss_mech".into(), t.gss_mech.map(|o| o.to_string()).into());
    if let Some(s) = &t.spnego {
        m.insert("spnego_mechs".into(), mech_list(&s.mech_types));
        m.insert("spnego_krb5_mech".into(), s.krb5_mech.to_string().into());
        m.insert(
            "spnego_mech_list_mic".into(),
            s.mech_list_mic.is_some().into(),
        );
    }
    m.insert("ap_req_len".into(), t.ap_req_der.len().into());
    m.insert("token_len".into(), len.into());
    m
}

fn describe_selection(s: &Krb5Selection<'_>, len: usize) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("mech".into(), "spnego".into());
    m.insert("framing".into(), "spnego-neg-token-init".into());
    m.insert("service".into(), Value::Null);
    m.insert("realm".into(), Value::Null);
    m.insert("etype".into(), Value::Null);
    m.insert("kvno".into(), Value::Null);
    m.insert("mutual_requested".into(), Value::Null);
    m.insert(
        "note".into(),
        "Kerberos is offered but not first, or without a token: the acceptor must ask for it"
            .into(),
    );
    m.insert("spnego_mechs".into(), mech_list(&s.spnego.mech_types));
    m.insert(
        "spnego_krb5_mech".into(),
        s.spnego.krb5_mech.to_string().into(),
    );
    m.insert("spnego_krb5_index".into(), s.spnego.krb5_index.into());
    m.insert(
        "response_token".into(),
        STANDARD.encode(s.response().encode()).into(),
    );
    m.insert("token_len".into(), len.into());
    m
}

fn describe_error(e: &TokenError) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("error".into(), e.to_string().into());
    let (kind, offset) = match e {
        TokenError::Malformed(DerError { offset, .. }) => ("malformed", Some(*offset)),
        TokenError::Ntlm => ("ntlm", None),
        _ => ("unsupported", None),
    };
    m.insert("error_kind".into(), kind.into());
    m.insert("offset".into(), offset.into());
    m
}

fn print_fields(fields: Map<String, Value>, as_json: bool) {
    if as_json {
        println!("{}", json!(fields));
        return;
    }
    for (key, value) in fields {
        let shown = match value {
            Value::Null => "-".to_string(),
            Value::String(s) => s,
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        println!("{key}: {shown}");
    }
}
