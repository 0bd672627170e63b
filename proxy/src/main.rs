//! `krb-proxy`: a Kerberos-secured API access proxy.
//!
//! Clients send `Authorization: Negotiate <token>` (RFC 4559); the proxy validates the Kerberos
//! ticket with the service key from a keytab, authorizes the principal for the route and forwards
//! the request to the upstream API with the identity in headers.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use krb_proxy::auth::{AcceptorNotBuiltLoader, AuthenticatorLoader};

/// A Kerberos-secured API access proxy.
#[derive(Debug, Parser)]
#[command(name = "krb-proxy", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve: authenticate, authorize and forward requests.
    Run(krb_proxy::cli::RunArgs),
    /// Validate the config and keytab, print routes, service keys and warnings.
    Check(krb_proxy::cli::CheckArgs),
}

/// Builds the authenticator from the keytab (the lead wires krb-core's acceptor in here).
fn loader() -> Arc<dyn AuthenticatorLoader> {
    Arc::new(AcceptorNotBuiltLoader)
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run(args) => krb_proxy::cli::run(args, loader()),
        Command::Check(args) => krb_proxy::cli::check(args, loader()),
    }
}
