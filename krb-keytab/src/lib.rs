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
//!
//! # The file format, and what is tolerated
//!
//! ```text
//! file    = version entry*                   version: 05 01 or 05 02
//! entry   = size:i32 body                    size > 0: an entry of `size` bytes
//!                                            size < 0: a hole (deleted entry) of -size bytes
//!                                            size = 0: the end (MIT writes it while appending)
//! body    = count:u16 realm:data component:data{count} [name_type:i32 (0x0502 only)]
//!           timestamp:u32 kvno:u8 enctype:i16 key:data [kvno32:u32]
//! data    = length:u16 bytes{length}
//! ```
//!
//! Version 0x0502 is big-endian. Version 0x0501 was written in the host's byte order; MIT on x86
//! wrote it little-endian, and this crate reads it so. In 0x0501 the component count includes the
//! realm. As in MIT: holes are skipped; a zero size ends the keytab (what follows is ignored);
//! the 32-bit kvno is read when the entry's declared size leaves 4 bytes after the key, and
//! overrides the 8-bit one when non-zero; bytes after it up to the declared size (slack from a
//! reused hole) are ignored. Stricter than MIT: a file that ends inside a size field, a field
//! that runs past its entry's declared size, and an entry or hole that runs past the end of the
//! file are errors rather than the silent end of the keytab.
//!
//! # Example
//!
//! ```
//! use krb_keytab::{Etype, Keytab, Principal};
//!
//! let mut keytab = Keytab::new();
//! let service: Principal = "HTTP/api.example.test@EXAMPLE.TEST".parse()?;
//! keytab.add_password(&service, 3, &[Etype::Aes256CtsHmacSha196], b"password", None, 0)?;
//!
//! let bytes = keytab.to_bytes()?;
//! let keytab = krb_keytab::parse(&bytes)?;
//! let key = keytab.find_key(&service, Some(3), Etype::Aes256CtsHmacSha196)?;
//! assert_eq!(key.etype(), Etype::Aes256CtsHmacSha196);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
