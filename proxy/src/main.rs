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

use clap::{Parser, Subcommand};

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
    /// Decode a Negotiate token without any key and print what it holds.
    Inspect(inspect::InspectArgs),
    /// List, add and remove the keys of MIT keytab files.
    Keytab(keytab_cmd::KeytabArgs),
    /// Print a fresh Negotiate token (base64) for a service, from a ticket in a credential
    /// cache: `token --ccache FILE --spn HTTP/host [--mutual]`.
    Token(token_cmd::TokenArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Keytab(args) => keytab_cmd::run(args),
        Command::Token(args) => token_cmd::run(args),
    }
}
