//! Enctype numbers as a keytab stores them, and MIT's names for them.
//!
//! A keytab may hold keys of any enctype, including ones this project cannot use (DES, camellia)
//! or numbers nobody has assigned. [`EnctypeNumber`] keeps the number as read, so such entries can
//! still be listed, written back and removed; only usable enctypes become crypto keys.

use std::fmt;

/// The table of MIT's names: number, canonical name, aliases, and whether MIT marks it
/// deprecated (MIT's `klist` prints `DEPRECATED:` before those).
const TABLE: &[(i32, &str, &[&str], bool)] = &[
    (1, "des-cbc-crc", &[], true),
    (2, "des-cbc-md4", &[], true),
    (3, "des-cbc-md5", &["des"], true),
    (
        16,
        "des3-cbc-sha1",
        &["des3-hmac-sha1", "des3-cbc-sha1-kd"],
        true,
    ),
    (
        17,
        "aes128-cts-hmac-sha1-96",
        &["aes128-cts", "aes128-sha1"],
        false,
    ),
    (
        18,
        "aes256-cts-hmac-sha1-96",
        &["aes256-cts", "aes256-sha1"],
        false,
    ),
    (19, "aes128-cts-hmac-sha256-128", &["aes128-sha2"], false),
    (20, "aes256-cts-hmac-sha384-192", &["aes256-sha2"], false),
    (23, "arcfour-hmac", &["rc4-hmac", "arcfour-hmac-md5"], true),
    (
        24,
        "arcfour-hmac-exp",
        &["rc4-hmac-exp", "arcfour-hmac-md5-exp"],
        true,
    ),
    (25, "camellia128-cts-cmac", &["camellia128-cts"], false),
    (26, "camellia256-cts-cmac", &["camellia256-cts"], false),
];

/// An enctype number as stored in a keytab entry, known to this crate or not.
///
/// Keytabs store the number in 16 bits; MIT reads it as a signed value, so `0xffff` is `-1`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EnctypeNumber(i32);

impl EnctypeNumber {
    /// `aes128-cts-hmac-sha1-96` (17, RFC 3962).
    pub const AES128_CTS_HMAC_SHA1_96: EnctypeNumber = EnctypeNumber(17);
    /// `aes256-cts-hmac-sha1-96` (18, RFC 3962).
    pub const AES256_CTS_HMAC_SHA1_96: EnctypeNumber = EnctypeNumber(18);
    /// `aes128-cts-hmac-sha256-128` (19, RFC 8009).
    pub const AES128_CTS_HMAC_SHA256_128: EnctypeNumber = EnctypeNumber(19);
    /// `aes256-cts-hmac-sha384-192` (20, RFC 8009).
    pub const AES256_CTS_HMAC_SHA384_192: EnctypeNumber = EnctypeNumber(20);
    /// `arcfour-hmac` (23, RFC 4757).
    pub const ARCFOUR_HMAC: EnctypeNumber = EnctypeNumber(23);

    /// Wraps a number. Any `i32` is accepted; a keytab can only hold numbers that fit in 16 bits
    /// (`-32768..=32767`), which writing checks.
    pub const fn new(number: i32) -> EnctypeNumber {
        EnctypeNumber(number)
    }

    /// The number.
    pub const fn get(self) -> i32 {
        self.0
    }

    /// MIT's canonical name (`aes256-cts-hmac-sha1-96`), or `None` for a number MIT has no name for.
    pub fn mit_name(self) -> Option<&'static str> {
        TABLE
            .iter()
            .find(|(n, ..)| *n == self.0)
            .map(|(_, name, ..)| *name)
    }

    /// Whether MIT marks this enctype deprecated (weak: DES, 3DES, RC4) or does not know it.
    /// MIT's `klist -e` prints `DEPRECATED:` before the names of such enctypes.
    pub fn is_deprecated(self) -> bool {
        TABLE
            .iter()
            .find(|(n, ..)| *n == self.0)
            .is_none_or(|(.., deprecated)| *deprecated)
    }

    /// Parses an MIT enctype name or alias (`aes256-cts-hmac-sha1-96`, `aes256-cts`,
    /// `aes256-sha1`, `rc4-hmac`, ...), case-insensitively as MIT does, or a decimal number.
    pub fn from_name(name: &str) -> Option<EnctypeNumber> {
        if let Some(&(n, ..)) = TABLE.iter().find(|(_, canonical, aliases, _)| {
            canonical.eq_ignore_ascii_case(name)
                || aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        }) {
            return Some(EnctypeNumber(n));
        }
        name.parse::<i32>().ok().map(EnctypeNumber)
    }

    /// Every MIT name this crate knows (canonical names only), for help and error messages.
    pub fn known_names() -> impl Iterator<Item = &'static str> {
        TABLE.iter().map(|(_, name, ..)| *name)
    }
}

impl From<krb_core::crypto::Etype> for EnctypeNumber {
    fn from(etype: krb_core::crypto::Etype) -> EnctypeNumber {
        EnctypeNumber(etype.number())
    }
}

/// MIT's name, or `etype N` for a number without one (as MIT's `klist -e` prints it, without
/// its `DEPRECATED:` prefix).
impl fmt::Display for EnctypeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mit_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "etype {}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(
            EnctypeNumber::from_name("aes256-cts"),
            Some(EnctypeNumber(18))
        );
        assert_eq!(
            EnctypeNumber::from_name("AES128-SHA2"),
            Some(EnctypeNumber(19))
        );
        assert_eq!(
            EnctypeNumber::from_name("rc4-hmac"),
            Some(EnctypeNumber(23))
        );
        assert_eq!(EnctypeNumber::from_name("20"), Some(EnctypeNumber(20)));
        assert_eq!(EnctypeNumber::from_name("aes512"), None);
        assert_eq!(EnctypeNumber(99).to_string(), "etype 99");
        assert_eq!(EnctypeNumber(18).to_string(), "aes256-cts-hmac-sha1-96");
        assert!(EnctypeNumber(99).is_deprecated());
        assert!(EnctypeNumber(23).is_deprecated());
        assert!(!EnctypeNumber(20).is_deprecated());
    }
}
