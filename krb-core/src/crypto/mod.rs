//! Kerberos crypto profiles (RFC 3961, RFC 3962, RFC 8009; RFC 4757 behind the `rc4`
//! feature).
//!
//! What it does: the encryption types aes128-cts-hmac-sha1-96 (17) and
//! aes256-cts-hmac-sha1-96 (18) of RFC 3962, aes128-cts-hmac-sha256-128 (19) and
//! aes256-cts-hmac-sha384-192 (20) of RFC 8009, and rc4-hmac (23) of RFC 4757 when built with
//! the `rc4` feature: encryption and decryption with a key usage and a random confounder,
//! their keyed checksums, the PRF, string-to-key and random keys. The primitives (AES, SHA-1,
//! SHA-2, HMAC, PBKDF2, MD4/MD5, RC4) come from RustCrypto; n-fold, key derivation, the
//! Kerberos CBC-CTS mode and the profiles are here.
//!
//! What it does not do: no DES or 3DES (long deprecated), no camellia (RFC 6803), no
//! cipher state chaining across messages (nothing in an acceptor needs it), no I/O.
//!
//! Speed: a [`Key`] derives the keys of a key usage once, the first time the usage is used,
//! and keeps them ready (expanded AES schedules, keyed HMAC states), so decrypting a ticket
//! with a keytab key does no key setup. The n-folded usage constants of RFC 3962 come from a
//! table.
//!
//! ```
//! use krb_core::crypto::{Etype, Key, KeyUsage};
//!
//! let key = Key::random(Etype::Aes256CtsHmacSha384192)?;
//! let sealed = key.encrypt(KeyUsage::AP_REP_ENC_PART, b"hello")?;
//! assert_eq!(key.decrypt(KeyUsage::AP_REP_ENC_PART, &sealed)?, b"hello");
//! assert!(key.decrypt(KeyUsage::TICKET, &sealed).is_err());
//! # Ok::<(), krb_core::crypto::CryptoError>(())
//! ```

mod error;
mod etype;
mod key;
mod nfold;
mod primitives;
#[cfg(feature = "rc4")]
mod rc4;
#[doc(hidden)]
pub mod testing;

pub use error::CryptoError;
pub use etype::{ChecksumType, Etype, KeyUsage};
pub use key::{Key, string_to_key};
