//! The DER decode error: where it happened and what was wrong.

use core::fmt;

use super::tag::Tag;

/// A DER decode (or encode) error, with the byte offset at which it was found.
///
/// The offset counts from the start of the outermost input given to the decoder (for a
/// decrypted part, from the start of the plaintext).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DerError {
    /// Byte offset from the start of the outermost input.
    pub offset: usize,
    /// What was wrong.
    pub kind: DerErrorKind,
}

/// What a [`DerError`] is about. `what` fields name the element being read (`"AP-REQ"`,
/// `"Ticket sname"`), so that messages can be read without the ASN.1 at hand.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerErrorKind {
    /// A different tag came than the one expected.
    UnexpectedTag {
        /// The tag expected.
        expected: Tag,
        /// The name of the element expected.
        what: &'static str,
        /// The tag found.
        found: Tag,
    },
    /// The input (or the enclosing element) ended where a required element should start.
    MissingElement {
        /// The tag expected.
        expected: Tag,
        /// The name of the element expected.
        what: &'static str,
    },
    /// An element header (tag or length bytes) is cut short.
    Truncated {
        /// Bytes the header needs from this offset.
        needed: usize,
        /// Bytes available from this offset.
        available: usize,
    },
    /// A tag number of 31 or more (the multi-byte form), which Kerberos never uses.
    HighTagNumber {
        /// The identifier byte.
        byte: u8,
    },
    /// The indefinite length form (`0x80`), which DER forbids.
    IndefiniteLength,
    /// The reserved length byte `0xFF`.
    ReservedLength,
    /// A long-form length with more than 4 bytes.
    LengthTooLong {
        /// The number of length bytes announced.
        bytes: usize,
    },
    /// A length in the long form that fits the short form, or with a leading zero byte.
    NonMinimalLength,
    /// A length larger than what remains of the input or the enclosing element.
    LengthExceedsInput {
        /// The length announced.
        length: usize,
        /// The bytes actually available.
        available: usize,
    },
    /// Bytes left after an element that should have ended.
    TrailingData {
        /// The element that should have ended.
        what: &'static str,
        /// How many bytes were left.
        count: usize,
    },
    /// An INTEGER or ENUMERATED with no content byte.
    EmptyInteger {
        /// The element.
        what: &'static str,
    },
    /// An INTEGER with a redundant leading `0x00` or `0xFF`.
    NonMinimalInteger {
        /// The element.
        what: &'static str,
    },
    /// An INTEGER outside the range its field allows.
    IntegerOutOfRange {
        /// The element.
        what: &'static str,
        /// The smallest value allowed.
        min: i64,
        /// The largest value allowed.
        max: i64,
    },
    /// A malformed BIT STRING.
    InvalidBitString {
        /// The element.
        what: &'static str,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A BOOLEAN that is not one byte of `0x00` or `0xFF`.
    InvalidBoolean {
        /// The element.
        what: &'static str,
    },
    /// A malformed OBJECT IDENTIFIER.
    InvalidOid {
        /// The element.
        what: &'static str,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A KerberosTime not of the form `YYYYMMDDHHMMSSZ`, or with a field out of range.
    InvalidTime {
        /// The element.
        what: &'static str,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// Constructed elements nested deeper than 32 levels.
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A SEQUENCE OF with more than 256 elements.
    TooManyElements {
        /// The element.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A protocol version (`pvno`, `tkt-vno`, `authenticator-vno`) other than 5.
    WrongVersion {
        /// The field.
        what: &'static str,
        /// The value found.
        found: i64,
    },
    /// A `msg-type` that does not match the message's `[APPLICATION n]` tag.
    WrongMessageType {
        /// The field.
        what: &'static str,
        /// The message type the tag says.
        expected: u8,
        /// The value found.
        found: i64,
    },
    /// A well-formed value that its field does not allow (a short checksum, an unknown
    /// token ID, an unknown negState).
    InvalidValue {
        /// The element.
        what: &'static str,
        /// What the field allows.
        reason: &'static str,
    },
    /// The writer was asked to encode a time outside the years 0000 to 9999.
    TimeNotEncodable {
        /// The seconds since the epoch given.
        seconds: i64,
    },
}

impl DerError {
    /// An error of `kind` at `offset`.
    pub fn new(offset: usize, kind: DerErrorKind) -> DerError {
        DerError { offset, kind }
    }
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: ", self.offset)?;
        match &self.kind {
            DerErrorKind::UnexpectedTag {
                expected,
                what,
                found,
            } => {
                fmt_expected(f, *expected, what)?;
                write!(f, ", found {found}")
            }
            DerErrorKind::MissingElement { expected, what } => {
                fmt_expected(f, *expected, what)?;
                f.write_str(", found the end of the enclosing element")
            }
            DerErrorKind::Truncated { needed, available } => write!(
                f,
                "element header cut short: it needs {needed} bytes, {available} remain"
            ),
            DerErrorKind::HighTagNumber { byte } => write!(
                f,
                "tag byte {byte:#04x} uses the multi-byte tag number form, which Kerberos never uses"
            ),
            DerErrorKind::IndefiniteLength => {
                f.write_str("indefinite length (0x80) is not allowed in DER")
            }
            DerErrorKind::ReservedLength => f.write_str("length byte 0xff is reserved"),
            DerErrorKind::LengthTooLong { bytes } => write!(
                f,
                "length of {bytes} bytes is longer than the {} bytes allowed",
                super::MAX_LENGTH_BYTES
            ),
            DerErrorKind::NonMinimalLength => {
                f.write_str("length is not in its shortest form, as DER requires")
            }
            DerErrorKind::LengthExceedsInput { length, available } => write!(
                f,
                "length {length} is larger than the {available} bytes that remain (truncated token?)"
            ),
            DerErrorKind::TrailingData { what, count } => {
                write!(f, "{count} unexpected bytes after the end of {what}")
            }
            DerErrorKind::EmptyInteger { what } => write!(f, "{what}: INTEGER with no content"),
            DerErrorKind::NonMinimalInteger { what } => write!(
                f,
                "{what}: INTEGER has a redundant leading byte, which DER forbids"
            ),
            DerErrorKind::IntegerOutOfRange { what, min, max } => {
                write!(f, "{what}: INTEGER outside the range {min} to {max}")
            }
            DerErrorKind::InvalidBitString { what, reason } => {
                write!(f, "{what}: invalid BIT STRING: {reason}")
            }
            DerErrorKind::InvalidBoolean { what } => {
                write!(f, "{what}: BOOLEAN must be one byte, 0x00 or 0xff")
            }
            DerErrorKind::InvalidOid { what, reason } => {
                write!(f, "{what}: invalid OBJECT IDENTIFIER: {reason}")
            }
            DerErrorKind::InvalidTime { what, reason } => {
                write!(f, "{what}: KerberosTime must be YYYYMMDDHHMMSSZ: {reason}")
            }
            DerErrorKind::TooDeep { limit } => {
                write!(f, "elements nested more than {limit} deep")
            }
            DerErrorKind::TooManyElements { what, limit } => {
                write!(f, "{what}: more than {limit} elements")
            }
            DerErrorKind::WrongVersion { what, found } => write!(
                f,
                "{what} is {found}, not 5: this is not a Kerberos V5 message"
            ),
            DerErrorKind::WrongMessageType {
                what,
                expected,
                found,
            } => write!(
                f,
                "{what} is {found}, but the message is tagged [APPLICATION {expected}]"
            ),
            DerErrorKind::InvalidValue { what, reason } => write!(f, "{what}: {reason}"),
            DerErrorKind::TimeNotEncodable { seconds } => write!(
                f,
                "time {seconds} (seconds since 1970) is outside the years 0000 to 9999"
            ),
        }
    }
}

impl std::error::Error for DerError {}

/// `expected [APPLICATION 14] constructed (AP-REQ)`, or for a universal type
/// `expected UNIVERSAL 2 primitive (INTEGER, AP-REQ pvno)`.
fn fmt_expected(f: &mut fmt::Formatter<'_>, expected: Tag, what: &str) -> fmt::Result {
    f.write_str("expected ")?;
    expected.fmt_bare(f)?;
    match expected.universal_name() {
        Some(name) => write!(f, " ({name}, {what})"),
        None => write!(f, " ({what})"),
    }
}
