//! `krb-proxy run`: start, reload on SIGHUP and on file change, drain on SIGTERM/SIGINT.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::access_log::event;
use crate::auth::{Authenticator, AuthenticatorLoader};
use crate::config::{Config, Overrides};
use crate::server::{Server, ServerHandle};

/// Loads config and keytab from files, starts the server, and reloads them.
pub struct Launcher {
    /// The config file.
    pub config_path: PathBuf,
    /// Command-line overrides, applied after the file on every load.
    pub overrides: Overrides,
    /// Builds the authenticator from the keytab.
    pub loader: Arc<dyn AuthenticatorLoader>,
    /// How often file modification times are polled (2 s by default).
    pub poll_interval: Duration,
}

impl std::fmt::Debug for Launcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Launcher")
            .field("config_path", &self.config_path)
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

impl Launcher {
    /// A launcher for `config_path` with the default poll interval.
    pub fn new(
        config_path: PathBuf,
        overrides: Overrides,
        loader: Arc<dyn AuthenticatorLoader>,
    ) -> Launcher {
        Launcher {
            config_path,
            overrides,
            loader,
            poll_interval: Duration::from_secs(2),
        }
    }

    /// Reads and validates the config, then loads the keytab through the loader.
    pub fn load(&self) -> Result<(Config, Arc<dyn Authenticator>), String> {
        let config = Config::load(&self.config_path, &self.overrides).map_err(|e| e.to_string())?;
        let auth = self
            .loader
            .load(&config.keytab_settings())
            .map_err(|e| format!("keytab: {e}"))?;
        Ok((config, auth))
    }

    /// Loads and starts the server.
    pub async fn start(&self) -> Result<ServerHandle, String> {
        let (config, auth) = self.load()?;
        Server::start(config, auth).await
    }

    /// Reloads config and keytab into `handle`. When the new config or keytab is invalid, the
    /// state in force keeps serving and the error says why.
    pub fn reload(&self, handle: &ServerHandle) -> Result<(), String> {
        let result = self
            .load()
            .and_then(|(config, auth)| handle.replace(config, auth));
        match result {
            Ok(warnings) => {
                handle.metrics().reload(true);
                for w in warnings {
                    event("warn", &format!("reload: {w}"));
                }
                event("info", "reload: new config and keytab in force");
                Ok(())
            }
            Err(e) => {
                handle.metrics().reload(false);
                event(
                    "error",
                    &format!("reload refused, the previous config keeps serving: {e}"),
                );
                Err(e)
            }
        }
    }

    /// Files whose change triggers a reload.
    fn watched(&self, handle: &ServerHandle) -> Vec<PathBuf> {
        let state = handle.state();
        let mut files = vec![self.config_path.clone(), state.config.keytab.clone()];
        if let Some(k) = &state.config.session.key_file {
            files.push(k.clone());
        }
        if let Some(ca) = &state.config.upstream_tls.ca {
            files.push(ca.clone());
        }
        if let Some(tls) = &state.config.tls {
            files.push(tls.cert.clone());
            files.push(tls.key.clone());
        }
        files
    }

    /// Watches `handle` until SIGTERM or SIGINT: reloads on SIGHUP and when a watched file's
    /// modification time changes; then drains and returns.
    pub async fn supervise(&self, handle: ServerHandle) -> Result<(), String> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
        let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
        let stop = async move {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
        };
        self.supervise_until(handle, stop).await
    }

    /// As [`Launcher::supervise`], but stops when `stop` completes instead of on a signal.
    pub async fn supervise_until(
        &self,
        handle: ServerHandle,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<(), String> {
        use tokio::signal::unix::{SignalKind, signal};
        let hup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
        self.supervise_signals(handle, hup, stop).await
    }

    async fn supervise_signals(
        &self,
        handle: ServerHandle,
        mut hup: tokio::signal::unix::Signal,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<(), String> {
        tokio::pin!(stop);
        let mut seen = mtimes(&self.watched(&handle));
        let mut tick = tokio::time::interval(self.poll_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = hup.recv() => {
                    event("info", "SIGHUP: reloading");
                    let _ = self.reload(&handle);
                    seen = mtimes(&self.watched(&handle));
                }
                _ = tick.tick() => {
                    let now = mtimes(&self.watched(&handle));
                    if now != seen {
                        event("info", "a config, keytab or key file changed: reloading");
                        let _ = self.reload(&handle);
                        seen = mtimes(&self.watched(&handle));
                    }
                }
                _ = &mut stop => break,
            }
        }
        let grace = handle.state().config.limits.shutdown_grace;
        event(
            "info",
            &format!(
                "shutting down: draining in-flight requests for up to {}",
                humantime::format_duration(grace)
            ),
        );
        handle.shutdown(grace).await;
        event("info", "stopped");
        Ok(())
    }

    /// Starts, then supervises until a termination signal.
    pub async fn run(&self) -> Result<(), String> {
        // The signal handlers go in before the listener announces itself, so a SIGHUP or
        // SIGTERM sent right after the "listening" line is handled, never fatal.
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
        let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
        let hup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
        let handle = self.start().await?;
        let stop = async move {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
        };
        self.supervise_signals(handle, hup, stop).await
    }
}

fn mtimes(files: &[PathBuf]) -> Vec<Option<SystemTime>> {
    files
        .iter()
        .map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
        .collect()
}
