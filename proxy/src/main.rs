//! `krb-proxy`: a Kerberos-secured API access proxy.
//!
//! Clients send `Authorization: Negotiate <token>` (RFC 4559); the proxy validates the Kerberos
//! ticket with the service key from a keytab, authorizes the principal for the route and forwards
//! the request to the upstream API with the identity in headers.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

/// A Kerberos-secured API access proxy.
#[derive(Debug, Parser)]
#[command(name = "krb-proxy", version, about, long_about = None)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}
