//! `krb-proxy`: a Kerberos-secured API access proxy.
//!
//! Clients send `Authorization: Negotiate <token>` (RFC 4559). The proxy validates the token
//! through an [`auth::Authenticator`] (the seam over `krb-core`'s acceptor), authorizes the
//! principal for the route and method, and forwards the request to the upstream with the identity
//! in headers. Everything else gets a 401/403 with a reason and is never forwarded.
//!
//! What it does not do: Kerberos itself (that is `krb-core`), Basic or NTLM fallback, WebSocket
//! upgrades, HTTP/2 to upstreams.
//!
//! Layout: [`config`] (TOML, validation), [`router`] (routes and allow rules), [`handler`] (one
//! request), [`upstream`] (pooled upstream connections keyed by identity), [`session`] (sealed
//! cookies), [`tls`] (listener and channel bindings), [`server`] (listeners, admin, shutdown),
//! [`run`] (reload and signals), [`check`], [`metrics`], [`access_log`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod access_log;
pub mod auth;
pub mod body;
pub mod check;
pub mod cli;
pub mod config;
pub mod handler;
pub mod kerberos;
pub mod metrics;
pub mod router;
pub mod run;
pub mod server;
pub mod session;
pub mod state;
pub mod tls;
pub mod upstream;
