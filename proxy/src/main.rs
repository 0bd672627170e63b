//! `krb-proxy`: a Kerberos-secured API access proxy.
//!
//! Clients send `Authorization: Negotiate <token>` (RFC 4559); the proxy validates the Kerberos
//! ticket with the service key from a keytab, authorizes the principal for the route and forwards
//! the request to the upstream API with the identity in headers.
#![forbid(unsafe_code)]

mod inspect;
mod keytab_cmd;
mod token_cmd;

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use krb_proxy::auth::AuthenticatorLoader;
use krb_proxy::kerberos::KeytabLoader;

/// A Kerberos-secured API access proxy.
#[derive(Debug, Parser)]
#[command(name = "krb-proxy", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve: authenticate, authorize and forward requests.
    Run(krb_proxy::cli::RunArgs),
    /// Validate the config and keytab, print routes, service keys and warnings.
    Check(krb_proxy::cli::CheckArgs),
    /// Decode a Negotiate token without any key and print what it holds.
    Inspect(inspect::InspectArgs),
    /// List, add and remove the keys of MIT keytab files.
    Keytab(keytab_cmd::KeytabArgs),
    /// Print a fresh Negotiate token (base64) for a service, from a ticket in a credential
    /// cache: `token --ccache FILE --spn HTTP/host [--mutual]`.
    Token(token_cmd::TokenArgs),
}

/// Builds the authenticator from the keytab: krb-core's acceptor over krb-keytab's keys.
fn loader() -> Arc<dyn AuthenticatorLoader> {
    Arc::new(KeytabLoader::new())
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run(args) => krb_proxy::cli::run(args, loader()),
        Command::Check(args) => krb_proxy::cli::check(args, loader()),
        Command::Inspect(args) => inspect::run(&args),
        Command::Keytab(args) => keytab_cmd::run(args),
        Command::Token(args) => token_cmd::run(args),
    }
}
