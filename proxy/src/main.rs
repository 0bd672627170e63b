//! `krb-proxy`: a Kerberos-secured API access proxy.
//!
//! Clients send `Authorization: Negotiate <token>` (RFC 4559); the proxy validates the Kerberos
//! ticket with the service key from a keytab, authorizes the principal for the route and forwards
//! the request to the upstream API with the identity in headers.
#![forbid(unsafe_code)]

mod inspect;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A Kerberos-secured API access proxy.
#[derive(Debug, Parser)]
#[command(name = "krb-proxy", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Decode a Negotiate token without any key and print what it holds.
    Inspect(inspect::InspectArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Inspect(args)) => inspect::run(&args),
        None => ExitCode::SUCCESS,
    }
}
