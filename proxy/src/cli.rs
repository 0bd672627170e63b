//! The `run` and `check` subcommands, for `main.rs` to dispatch into.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::auth::AuthenticatorLoader;
use crate::config::Overrides;
use crate::run::Launcher;

/// `krb-proxy run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The TOML config file.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// Listen on this address instead of the config's `listen`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Serve the admin endpoints on this address instead of the config's `[admin] listen`.
    #[arg(long, value_name = "ADDR")]
    pub admin_listen: Option<SocketAddr>,
}

/// `krb-proxy check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The TOML config file.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// Check as if `listen` were this address.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

/// Runs the proxy until SIGTERM/SIGINT.
pub fn run(args: RunArgs, loader: Arc<dyn AuthenticatorLoader>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("krb-proxy: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let launcher = Launcher::new(
        args.config,
        Overrides {
            listen: args.listen,
            admin_listen: args.admin_listen,
        },
        loader,
    );
    match runtime.block_on(launcher.run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("krb-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Checks config and keytab; exit status 1 on errors.
pub fn check(args: CheckArgs, loader: Arc<dyn AuthenticatorLoader>) -> ExitCode {
    let report = crate::check::check(
        &args.config,
        &Overrides {
            listen: args.listen,
            admin_listen: None,
        },
        loader.as_ref(),
    );
    if report.errors.is_empty() {
        print!("{}", report.render());
        ExitCode::SUCCESS
    } else {
        eprint!("{}", report.render());
        ExitCode::FAILURE
    }
}
