//! The crypto layer's error type.

use core::fmt;

use super::{ChecksumType, Etype, KeyUsage};

/// What went wrong in a Kerberos crypto operation.
///
/// The messages say what was expected, what came, and what to do; they never contain key
/// bytes or data.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum CryptoError {
    /// The etype number is not one this crate implements (17, 18, 19, 20 and, with the `rc4`
    /// feature, 23).
    UnsupportedEtype(i32),
    /// The checksum type number is not one this crate implements (15, 16, 19, 20 and, with
    /// the `rc4` feature, -138).
    UnsupportedChecksumType(i32),
    /// An rc4-hmac (etype 23) key was used, but krb-core was built without the `rc4` feature.
    Rc4Disabled,
    /// A key of the wrong length for its etype.
    BadKeyLength {
        /// The etype of the key.
        etype: Etype,
        /// The length the etype needs.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A ciphertext shorter than the confounder and checksum that every ciphertext of this
    /// etype carries: truncated or not a ciphertext of this etype.
    CiphertextTooShort {
        /// The etype the key belongs to.
        etype: Etype,
        /// The length of the ciphertext.
        len: usize,
        /// The shortest valid ciphertext of this etype.
        min: usize,
    },
    /// The integrity checksum inside a ciphertext did not match: it was altered, or made with
    /// another key or for another key usage.
    IntegrityCheckFailed {
        /// The etype of the key that tried to decrypt.
        etype: Etype,
        /// The key usage the decryption used.
        usage: KeyUsage,
    },
    /// A keyed checksum did not match the data.
    ChecksumMismatch {
        /// The checksum type.
        checksum_type: ChecksumType,
        /// The key usage the check used.
        usage: KeyUsage,
    },
    /// A checksum of the wrong length for its type.
    BadChecksumLength {
        /// The checksum type.
        checksum_type: ChecksumType,
        /// The length the type has.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A checksum of a type that does not go with the key's etype.
    ChecksumTypeMismatch {
        /// The etype of the key.
        etype: Etype,
        /// The checksum type of that etype.
        expected: ChecksumType,
        /// The checksum type given.
        got: ChecksumType,
    },
    /// A confounder of the wrong length was given to `encrypt_with_confounder`.
    BadConfounderLength {
        /// The etype of the key.
        etype: Etype,
        /// The length the etype needs.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A string-to-key iteration count of 0 or above 16777216 (MIT's limit).
    BadIterationCount {
        /// The etype of the key being made.
        etype: Etype,
        /// The count given.
        count: u32,
    },
    /// rc4-hmac string-to-key needs the password as UTF-8 (it hashes its UTF-16 form).
    PasswordNotUtf8 {
        /// The etype of the key being made.
        etype: Etype,
    },
    /// The operating system's random number generator failed.
    Random,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CryptoError::UnsupportedEtype(n) => write!(
                f,
                "unsupported encryption type {n}: this build supports 17 (aes128-cts-hmac-sha1-96), \
                 18 (aes256-cts-hmac-sha1-96), 19 (aes128-cts-hmac-sha256-128), \
                 20 (aes256-cts-hmac-sha384-192){}; give the service a key of one of these \
                 (e.g. kadmin: ktadd -e aes256-cts-hmac-sha1-96:normal)",
                if cfg!(feature = "rc4") {
                    " and 23 (rc4-hmac)"
                } else {
                    ""
                }
            ),
            CryptoError::UnsupportedChecksumType(n) => write!(
                f,
                "unsupported checksum type {n}: this build supports 15 (hmac-sha1-96-aes128), \
                 16 (hmac-sha1-96-aes256), 19 (hmac-sha256-128-aes128), \
                 20 (hmac-sha384-192-aes256){}",
                if cfg!(feature = "rc4") {
                    " and -138 (hmac-md5-rc4)"
                } else {
                    ""
                }
            ),
            CryptoError::Rc4Disabled => f.write_str(
                "rc4-hmac (etype 23) support is not compiled in: build krb-core with the cargo \
                 feature `rc4` to use it, or better, give the principal AES keys \
                 (aes256-cts-hmac-sha1-96 or aes256-cts-hmac-sha384-192)",
            ),
            CryptoError::BadKeyLength {
                etype,
                expected,
                got,
            } => write!(
                f,
                "a {etype} key must be {expected} bytes long, but {got} bytes were given \
                 (is the etype of the key entry right?)"
            ),
            CryptoError::CiphertextTooShort { etype, len, min } => write!(
                f,
                "{etype} ciphertext of {len} bytes is too short: it must be at least {min} bytes \
                 (confounder and checksum); the data was truncated or is not {etype} ciphertext"
            ),
            CryptoError::IntegrityCheckFailed { etype, usage } => write!(
                f,
                "integrity check failed for {etype} data with key usage {usage}: the data was \
                 altered, or it was encrypted with another key (is the keytab out of date?)"
            ),
            CryptoError::ChecksumMismatch {
                checksum_type,
                usage,
            } => write!(
                f,
                "{checksum_type} checksum with key usage {usage} does not match the data: the \
                 data was altered, or the checksum was made with another key"
            ),
            CryptoError::BadChecksumLength {
                checksum_type,
                expected,
                got,
            } => write!(
                f,
                "a {checksum_type} checksum is {expected} bytes long, but {got} bytes were given"
            ),
            CryptoError::ChecksumTypeMismatch {
                etype,
                expected,
                got,
            } => write!(
                f,
                "checksum type {got} ({}) does not go with a {etype} key, which makes {expected} \
                 ({}) checksums",
                got.number(),
                expected.number()
            ),
            CryptoError::BadConfounderLength {
                etype,
                expected,
                got,
            } => write!(
                f,
                "a {etype} confounder must be {expected} bytes long, but {got} bytes were given"
            ),
            CryptoError::BadIterationCount { etype, count } => write!(
                f,
                "{etype} string-to-key iteration count {count} is out of range: it must be from 1 \
                 to 16777216 (default {})",
                etype.default_iterations()
            ),
            CryptoError::PasswordNotUtf8 { etype } => write!(
                f,
                "{etype} string-to-key needs the password as UTF-8 text, but it is not valid UTF-8"
            ),
            CryptoError::Random => f.write_str(
                "the operating system's random number generator (getrandom) failed: check that \
                 the getrandom system call or /dev/urandom is available to this process",
            ),
        }
    }
}

impl std::error::Error for CryptoError {}
