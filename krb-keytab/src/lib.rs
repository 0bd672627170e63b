//! `krb-keytab`: MIT keytab files.
//!
//! What it does: reads keytab files of versions 0x0501 and 0x0502 ([`parse`],
//! [`Keytab::read_file`]), writes 0x0502 files that MIT's `klist` and `ktutil` read back
//! ([`Keytab::write_file`], atomically), and looks keys up for the acceptor by principal, kvno and
//! enctype ([`Keytab::find_key`], and [`Keytab::candidate_keys`] for trial decryption after a key
//! change), and makes entries from passwords ([`Keytab::add_password`]).
//!
//! Keys come out as [`krb_core::crypto::Key`] objects built once, when the keytab is read, so the
//! keys they derive for each key usage are cached for the life of the keytab rather than per
//! request. Entries of enctypes this build cannot use (DES, camellia, unknown numbers, rc4-hmac
//! without the `rc4` feature) are kept, listed and written back, but have no key
//! ([`Entry::key`] says why).
//!
//! What it does not do: talk to a KDC or kadmin, lock files as MIT does, or read krb5.conf (so
//! principals are always written with their realm). Reading and writing keytab files are its only
//! I/O; it reads no clock (callers pass timestamps).
//!
//! Parsing is strict and bounded: every length is checked against the bytes that remain before
//! anything is allocated, files over [`MAX_FILE_SIZE`], principals of more than
//! [`MAX_COMPONENTS`] components and keytabs of more than [`MAX_ENTRIES`] entries are refused,
//! and errors name the file and the byte offset. Entries of enctypes this crate cannot use are
//! kept and listed.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod enctype;
mod error;
mod keytab;
mod parse;
mod principal;
mod secret;
mod write;

pub use enctype::EnctypeNumber;
pub use error::{ErrorKind, Field, KeytabError};
pub use keytab::{Entry, Keytab, LookupError, Version};
pub use krb_core::crypto::{CryptoError, Etype, Key};
pub use parse::{MAX_ENTRIES, MAX_FILE_SIZE, parse};
pub use principal::{MAX_COMPONENT_LEN, MAX_COMPONENTS, Principal, PrincipalError};
