//! `krb-core`: a sans-IO Kerberos acceptor engine.
//!
//! What it does: strict, zero-copy DER decoding of Kerberos messages; the Kerberos crypto
//! profiles of RFC 3961, RFC 3962 and RFC 8009 (and RFC 4757 rc4-hmac behind the `rc4`
//! feature); GSS-API and SPNEGO framing; and the acceptor that validates an AP-REQ.
//!
//! What it does not do: it reads no clock, no file and no socket. The caller passes the bytes
//! and the current time (`now`); the proxy, or your own service, owns the I/O. It has no
//! dependency on any async runtime.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

pub mod ccache;
pub mod crypto;
#[cfg(feature = "fuzzing")]
pub mod der;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod der;
pub mod error_code;
pub mod gss;
pub mod initiator;
pub mod messages;
pub mod principal;
pub mod replay;
pub mod spnego;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod token;

pub use der::{Class, DerError, DerErrorKind, Oid, Tag};
pub mod acceptor;
