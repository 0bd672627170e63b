//! `krb-proxy token`: prints a fresh Negotiate token for a service, made by krb-core's
//! initiator from a ticket in an MIT credential cache (no C library involved).
//!
//! `krb-proxy token --ccache FILE --spn HTTP/host [--spnego|--krb5|--ap-req] [--mutual]
//! [--channel-bindings DATA]` prints the token in base64 on one line, ready for
//! `Authorization: Negotiate <token>`. The SPN without `@REALM` takes the realm of the cache's
//! default principal. The ticket must already be in the cache: `kinit` then `kvno HTTP/host`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clap::{ArgGroup, Args};
use krb_core::ccache::Ccache;
use krb_core::initiator::{InitiatorOptions, ServiceTicket, TokenFormat, initiate};
use krb_core::principal::Principal;

/// `krb-proxy token ...`
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("format").args(["spnego", "krb5", "ap_req"])))]
pub struct TokenArgs {
    /// The MIT credential cache file (a `FILE:` cache, as `klist` shows it). Default: the file
    /// of `KRB5CCNAME`, else /tmp/krb5cc_UID.
    #[arg(long)]
    ccache: Option<PathBuf>,
    /// The service principal: `HTTP/host` (the cache's realm) or `HTTP/host@REALM`.
    #[arg(long)]
    spn: String,
    /// Wrap the token in SPNEGO (what browsers and `curl --negotiate` send). The default.
    #[arg(long)]
    spnego: bool,
    /// Send a raw Kerberos V5 GSS-API token instead of SPNEGO.
    #[arg(long)]
    krb5: bool,
    /// Send the bare AP-REQ, without GSS-API framing.
    #[arg(long)]
    ap_req: bool,
    /// Ask for mutual authentication (the server answers with an AP-REP).
    #[arg(long)]
    mutual: bool,
    /// Bind the token to these channel bindings (application data, e.g.
    /// `tls-server-end-point:` followed by the certificate hash).
    #[arg(long, value_name = "DATA")]
    channel_bindings: Option<String>,
}

/// The cache file: `--ccache`, else `KRB5CCNAME` (a `FILE:` cache), else MIT's default.
fn ccache_path(args: &TokenArgs) -> Result<PathBuf, String> {
    if let Some(p) = &args.ccache {
        return Ok(p.clone());
    }
    match std::env::var("KRB5CCNAME") {
        Ok(name) => match name.split_once(':') {
            None => Ok(PathBuf::from(name)),
            Some(("FILE", path)) => Ok(PathBuf::from(path)),
            Some((kind, _)) => Err(format!(
                "KRB5CCNAME is a {kind}: credential cache, and only FILE: caches can be read: \
                 pass --ccache FILE, or run `KRB5CCNAME=FILE:/tmp/cc kinit` first"
            )),
        },
        Err(_) => {
            let uid = std::fs::metadata("/proc/self")
                .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
                .unwrap_or(0);
            Ok(PathBuf::from(format!("/tmp/krb5cc_{uid}")))
        }
    }
}

fn make_token(args: &TokenArgs) -> Result<String, String> {
    let path = ccache_path(args)?;
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read the credential cache {}: {e}; run kinit (and kvno {}) first, or pass \
             --ccache FILE",
            path.display(),
            args.spn
        )
    })?;
    let ccache = Ccache::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let spn = Principal::parse(&args.spn, Some(&ccache.default_principal.realm))
        .map_err(|e| format!("--spn {}: {e}", args.spn))?;
    let ticket = ServiceTicket::from_ccache(&ccache, &spn)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let format = if args.spnego || !(args.krb5 || args.ap_req) {
        TokenFormat::Spnego
    } else if args.krb5 {
        TokenFormat::Krb5
    } else {
        TokenFormat::BareApReq
    };
    let options = InitiatorOptions {
        format,
        mutual: args.mutual,
        channel_bindings: args
            .channel_bindings
            .as_ref()
            .map(|c| c.as_bytes().to_vec()),
        ..Default::default()
    };
    let (token, _context) =
        initiate(&ticket, &options, SystemTime::now()).map_err(|e| e.to_string())?;
    Ok(STANDARD.encode(token))
}

/// Runs `krb-proxy token`.
pub fn run(args: TokenArgs) -> ExitCode {
    match make_token(&args) {
        Ok(token) => {
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{token}").and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("krb-proxy token: cannot write the token: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("krb-proxy token: {e}");
            ExitCode::FAILURE
        }
    }
}
