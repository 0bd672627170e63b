//! A strict, zero-copy DER reader and a small DER writer.
//!
//! The reader follows the shape of rustls' `codec::Reader`: a cursor over a borrowed `&'a [u8]`
//! that hands out sub-readers for nested elements, so every string, name and ciphertext a
//! message decoder returns is a slice of the caller's input. It accepts only what DER allows,
//! with the few Kerberos allowances named below.
//!
//! # Rules the reader enforces
//!
//! - **Tags**: the class (universal, application, context-specific, private), the number and
//!   the constructed bit must all match what the caller expects. Tag numbers of 31 and above
//!   (the multi-byte form) are not used by Kerberos, GSS-API or SPNEGO and are rejected as
//!   [`DerErrorKind::HighTagNumber`].
//! - **Lengths**: definite only (no `0x80` indefinite form, no reserved `0xFF`); the short form
//!   below 128; the long form only when needed and with no leading zero byte; at most
//!   [`MAX_LENGTH_BYTES`] length bytes; and the length must fit in what remains of the
//!   enclosing element. A length never causes an allocation.
//! - **Nesting and counts**: constructed elements may nest at most [`MAX_DEPTH`] deep, and a
//!   `SEQUENCE OF` may hold at most [`MAX_ELEMENTS`] elements.
//! - **No trailing bytes**: [`Reader::finish`] fails when anything is left, and the helpers
//!   that read a whole element ([`Reader::explicit`], [`Reader::sequence_of`]) call it.
//! - **INTEGER**: at least one byte, minimal two's complement (no redundant leading `0x00` or
//!   `0xFF`), range-checked into the type the caller asks for.
//! - **BIT STRING**: an unused-bits byte of 0 to 7, zero when the string is empty, and the
//!   unused bits themselves zero.
//! - **BOOLEAN**: one byte, `0x00` or `0xFF`.
//! - **OBJECT IDENTIFIER**: non-empty, each sub-identifier minimal (no leading `0x80`) and
//!   terminated, at most 64 bits each. Kept as its content bytes ([`Oid`]).
//! - **KerberosTime**: `GeneralizedTime` in exactly the form `YYYYMMDDHHMMSSZ` (RFC 4120
//!   §5.2.3): 15 bytes, no fraction, UTC, every field in range (seconds 0 to 59; leap seconds
//!   are not representable in Kerberos). Converted to seconds since the Unix epoch.
//! - **GeneralString** (`KerberosString`, `Realm`): kept as bytes, never rejected for bytes of
//!   `0x80` and above, because real realms and names carry UTF-8 (RFC 4120 §5.2.1).
//!
//! # Kerberos allowances
//!
//! - **Negative sequence numbers and kvnos** ([`Reader::seq_number`], [`Reader::kvno`]):
//!   `seq-number` and `kvno` are `UInt32`, but MIT krb5 and old implementations encode them
//!   as signed 32-bit INTEGERs, so values of 2^31 and above arrive negative. MIT accepts those
//!   and reads them as their two's complement `u32`; so does this reader, for these two
//!   fields only. (The writer encodes them as proper, non-negative UInt32.)
//! - **KerberosFlags** ([`Reader::kerberos_flags`]): RFC 4120 §5.2.8 fixes 32 bits, which DER's
//!   "no trailing zero bits" rule would shorten. Shorter strings are read with the missing bits
//!   as zero and longer ones keep their first 32 bits; the unused bits must still be zero.
//!
//! # Errors
//!
//! Every error is a [`DerError`] carrying the byte offset from the start of the outermost input
//! and a [`DerErrorKind`] saying what was expected and what came. Header errors point at the
//! byte at fault (the tag byte, or the first length byte); content errors point at the first
//! content byte; a missing element points where it should have started.

// Without the `fuzzing` feature this module is crate-private and parts of it serve only the
// message decoders and tests.
#![cfg_attr(not(feature = "fuzzing"), allow(dead_code, unused_imports))]

mod error;
mod oid;
mod reader;
mod tag;
mod time;
mod writer;

#[cfg(test)]
mod tests;

pub use error::{DerError, DerErrorKind};
pub use oid::Oid;
pub use reader::{BitString, MAX_DEPTH, MAX_ELEMENTS, MAX_LENGTH_BYTES, Reader};
pub use tag::{Class, Tag};
pub use time::{civil_from_days, days_from_civil, format_kerberos_time};
pub use writer::Writer;
