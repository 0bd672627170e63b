//! `krb-keytab`: MIT keytab files.
//!
//! What it does: reads keytab files of versions 0x0501 and 0x0502, writes 0x0502 files that MIT
//! tools read back, looks keys up for the acceptor, and makes entries from passwords.
//!
//! What it does not do: talk to a KDC or kadmin. Reading a file from disk is the only I/O.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]
