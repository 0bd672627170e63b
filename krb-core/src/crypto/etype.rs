//! Encryption types, checksum types and key usages: the numbers on the wire, as types.

use core::fmt;

use super::CryptoError;

/// A Kerberos encryption type (the `etype` of an `EncryptedData` or a keytab entry).
///
/// Only the types this crate implements are listed. [`Etype::Rc4Hmac`] always exists, so that
/// keytabs and error messages can name it, but it is usable only when krb-core is built with
/// the `rc4` feature (see [`Etype::is_supported`]).
///
/// `Display` prints the MIT name (`aes256-cts-hmac-sha1-96`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Etype {
    /// `aes128-cts-hmac-sha1-96`, etype 17 (RFC 3962).
    Aes128CtsHmacSha196,
    /// `aes256-cts-hmac-sha1-96`, etype 18 (RFC 3962).
    Aes256CtsHmacSha196,
    /// `aes128-cts-hmac-sha256-128`, etype 19 (RFC 8009).
    Aes128CtsHmacSha256128,
    /// `aes256-cts-hmac-sha384-192`, etype 20 (RFC 8009).
    Aes256CtsHmacSha384192,
    /// `rc4-hmac` (MIT: `arcfour-hmac`), etype 23 (RFC 4757). Needs the `rc4` feature.
    Rc4Hmac,
}

/// MIT's names and aliases for each etype (`krb5.conf`, `kadmin`, `ktutil`), matched without
/// regard to case. The first name of each row is the one [`Etype::mit_name`] returns.
const NAMES: [(Etype, &[&str]); 5] = [
    (
        Etype::Aes128CtsHmacSha196,
        &["aes128-cts-hmac-sha1-96", "aes128-cts", "aes128-sha1"],
    ),
    (
        Etype::Aes256CtsHmacSha196,
        &["aes256-cts-hmac-sha1-96", "aes256-cts", "aes256-sha1"],
    ),
    (
        Etype::Aes128CtsHmacSha256128,
        &["aes128-cts-hmac-sha256-128", "aes128-sha2"],
    ),
    (
        Etype::Aes256CtsHmacSha384192,
        &["aes256-cts-hmac-sha384-192", "aes256-sha2"],
    ),
    (
        Etype::Rc4Hmac,
        &["rc4-hmac", "arcfour-hmac", "arcfour-hmac-md5"],
    ),
];

impl Etype {
    /// Every etype this crate knows, strongest first.
    pub const ALL: [Etype; 5] = [
        Etype::Aes256CtsHmacSha384192,
        Etype::Aes128CtsHmacSha256128,
        Etype::Aes256CtsHmacSha196,
        Etype::Aes128CtsHmacSha196,
        Etype::Rc4Hmac,
    ];

    /// The etype with this IANA number, or [`CryptoError::UnsupportedEtype`].
    pub fn from_number(n: i32) -> Result<Etype, CryptoError> {
        match n {
            17 => Ok(Etype::Aes128CtsHmacSha196),
            18 => Ok(Etype::Aes256CtsHmacSha196),
            19 => Ok(Etype::Aes128CtsHmacSha256128),
            20 => Ok(Etype::Aes256CtsHmacSha384192),
            23 => Ok(Etype::Rc4Hmac),
            other => Err(CryptoError::UnsupportedEtype(other)),
        }
    }

    /// The IANA number of this etype.
    pub fn number(self) -> i32 {
        match self {
            Etype::Aes128CtsHmacSha196 => 17,
            Etype::Aes256CtsHmacSha196 => 18,
            Etype::Aes128CtsHmacSha256128 => 19,
            Etype::Aes256CtsHmacSha384192 => 20,
            Etype::Rc4Hmac => 23,
        }
    }

    /// The name MIT krb5 uses for this etype, e.g. `aes256-cts-hmac-sha1-96` (for etype 23,
    /// `rc4-hmac`, an alias MIT accepts beside `arcfour-hmac`).
    pub fn mit_name(self) -> &'static str {
        match self {
            Etype::Aes128CtsHmacSha196 => "aes128-cts-hmac-sha1-96",
            Etype::Aes256CtsHmacSha196 => "aes256-cts-hmac-sha1-96",
            Etype::Aes128CtsHmacSha256128 => "aes128-cts-hmac-sha256-128",
            Etype::Aes256CtsHmacSha384192 => "aes256-cts-hmac-sha384-192",
            Etype::Rc4Hmac => "rc4-hmac",
        }
    }

    /// The etype MIT krb5 knows by this name or alias (`aes256-cts`, `aes128-sha2`,
    /// `arcfour-hmac`, ...), ignoring case. `None` for a name this crate does not implement.
    pub fn from_mit_name(s: &str) -> Option<Etype> {
        NAMES.iter().find_map(|(etype, names)| {
            names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(s))
                .then_some(*etype)
        })
    }

    /// The length in bytes of a key of this etype.
    pub fn key_len(self) -> usize {
        match self {
            Etype::Aes128CtsHmacSha196 | Etype::Aes128CtsHmacSha256128 | Etype::Rc4Hmac => 16,
            Etype::Aes256CtsHmacSha196 | Etype::Aes256CtsHmacSha384192 => 32,
        }
    }

    /// The PBKDF2 iteration count string-to-key uses when the KDC names none: 4096 for the
    /// RFC 3962 etypes, 32768 for the RFC 8009 etypes, 0 for rc4-hmac (which has no
    /// iterations).
    pub fn default_iterations(self) -> u32 {
        match self {
            Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196 => 4096,
            Etype::Aes128CtsHmacSha256128 | Etype::Aes256CtsHmacSha384192 => 32768,
            Etype::Rc4Hmac => 0,
        }
    }

    /// Whether this build can use keys of this etype: false for rc4-hmac unless krb-core was
    /// built with the `rc4` feature.
    pub fn is_supported(self) -> bool {
        !matches!(self, Etype::Rc4Hmac) || cfg!(feature = "rc4")
    }

    /// The keyed checksum that goes with this etype (RFC 3961 §4 "required checksum
    /// mechanism").
    pub fn checksum_type(self) -> ChecksumType {
        match self {
            Etype::Aes128CtsHmacSha196 => ChecksumType::HmacSha196Aes128,
            Etype::Aes256CtsHmacSha196 => ChecksumType::HmacSha196Aes256,
            Etype::Aes128CtsHmacSha256128 => ChecksumType::HmacSha256128Aes128,
            Etype::Aes256CtsHmacSha384192 => ChecksumType::HmacSha384192Aes256,
            Etype::Rc4Hmac => ChecksumType::HmacMd5,
        }
    }

    /// The error for an etype this build cannot use, if it is one.
    pub(crate) fn check_supported(self) -> Result<(), CryptoError> {
        if self.is_supported() {
            Ok(())
        } else {
            Err(CryptoError::Rc4Disabled)
        }
    }
}

impl fmt::Display for Etype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mit_name())
    }
}

/// A Kerberos keyed checksum type (the `cksumtype` of a `Checksum`).
///
/// `Display` prints the MIT name (`hmac-sha1-96-aes256`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ChecksumType {
    /// `hmac-sha1-96-aes128`, checksum type 15 (RFC 3962).
    HmacSha196Aes128,
    /// `hmac-sha1-96-aes256`, checksum type 16 (RFC 3962).
    HmacSha196Aes256,
    /// `hmac-sha256-128-aes128`, checksum type 19 (RFC 8009).
    HmacSha256128Aes128,
    /// `hmac-sha384-192-aes256`, checksum type 20 (RFC 8009).
    HmacSha384192Aes256,
    /// `hmac-md5-rc4` (Microsoft's `KERB_CHECKSUM_HMAC_MD5`), checksum type -138 (RFC 4757).
    /// Needs the `rc4` feature.
    HmacMd5,
}

impl ChecksumType {
    /// The checksum type with this number, or [`CryptoError::UnsupportedChecksumType`].
    pub fn from_number(n: i32) -> Result<ChecksumType, CryptoError> {
        match n {
            15 => Ok(ChecksumType::HmacSha196Aes128),
            16 => Ok(ChecksumType::HmacSha196Aes256),
            19 => Ok(ChecksumType::HmacSha256128Aes128),
            20 => Ok(ChecksumType::HmacSha384192Aes256),
            -138 => Ok(ChecksumType::HmacMd5),
            other => Err(CryptoError::UnsupportedChecksumType(other)),
        }
    }

    /// The number of this checksum type.
    pub fn number(self) -> i32 {
        match self {
            ChecksumType::HmacSha196Aes128 => 15,
            ChecksumType::HmacSha196Aes256 => 16,
            ChecksumType::HmacSha256128Aes128 => 19,
            ChecksumType::HmacSha384192Aes256 => 20,
            ChecksumType::HmacMd5 => -138,
        }
    }

    /// The name MIT krb5 uses for this checksum type.
    pub fn mit_name(self) -> &'static str {
        match self {
            ChecksumType::HmacSha196Aes128 => "hmac-sha1-96-aes128",
            ChecksumType::HmacSha196Aes256 => "hmac-sha1-96-aes256",
            ChecksumType::HmacSha256128Aes128 => "hmac-sha256-128-aes128",
            ChecksumType::HmacSha384192Aes256 => "hmac-sha384-192-aes256",
            ChecksumType::HmacMd5 => "hmac-md5-rc4",
        }
    }

    /// The length in bytes of a checksum of this type.
    pub fn size(self) -> usize {
        match self {
            ChecksumType::HmacSha196Aes128 | ChecksumType::HmacSha196Aes256 => 12,
            ChecksumType::HmacSha256128Aes128 | ChecksumType::HmacMd5 => 16,
            ChecksumType::HmacSha384192Aes256 => 24,
        }
    }

    /// The etype whose keys make this checksum.
    pub fn etype(self) -> Etype {
        match self {
            ChecksumType::HmacSha196Aes128 => Etype::Aes128CtsHmacSha196,
            ChecksumType::HmacSha196Aes256 => Etype::Aes256CtsHmacSha196,
            ChecksumType::HmacSha256128Aes128 => Etype::Aes128CtsHmacSha256128,
            ChecksumType::HmacSha384192Aes256 => Etype::Aes256CtsHmacSha384192,
            ChecksumType::HmacMd5 => Etype::Rc4Hmac,
        }
    }
}

impl fmt::Display for ChecksumType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mit_name())
    }
}

/// A key usage number (RFC 4120 §7.5.1, RFC 4121 §2): the purpose a key is used for, mixed
/// into the derived keys so that a ciphertext made for one purpose cannot pass for another.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct KeyUsage(pub u32);

impl KeyUsage {
    /// 1: AS-REQ PA-ENC-TIMESTAMP, encrypted with the client key.
    pub const AS_REQ_PA_ENC_TIMESTAMP: KeyUsage = KeyUsage(1);
    /// 2: the encrypted part of a ticket, encrypted with the service key.
    pub const TICKET: KeyUsage = KeyUsage(2);
    /// 3: the encrypted part of an AS-REP, encrypted with the client key.
    pub const AS_REP_ENC_PART: KeyUsage = KeyUsage(3);
    /// 4: TGS-REQ authorization data, encrypted with the TGS session key.
    pub const TGS_REQ_AUTHDATA_SESSION: KeyUsage = KeyUsage(4);
    /// 5: TGS-REQ authorization data, encrypted with the TGS authenticator subkey.
    pub const TGS_REQ_AUTHDATA_SUBKEY: KeyUsage = KeyUsage(5);
    /// 6: the checksum in a TGS-REQ authenticator, keyed with the TGS session key.
    pub const TGS_REQ_AUTHENTICATOR_CKSUM: KeyUsage = KeyUsage(6);
    /// 7: the TGS-REQ authenticator, encrypted with the TGS session key.
    pub const TGS_REQ_AUTHENTICATOR: KeyUsage = KeyUsage(7);
    /// 8: the encrypted part of a TGS-REP, encrypted with the TGS session key.
    pub const TGS_REP_ENC_SESSION: KeyUsage = KeyUsage(8);
    /// 9: the encrypted part of a TGS-REP, encrypted with the TGS authenticator subkey.
    pub const TGS_REP_ENC_SUBKEY: KeyUsage = KeyUsage(9);
    /// 10: the checksum in an AP-REQ authenticator, keyed with the session key.
    pub const AP_REQ_AUTHENTICATOR_CKSUM: KeyUsage = KeyUsage(10);
    /// 11: the AP-REQ authenticator, encrypted with the session key.
    pub const AP_REQ_AUTHENTICATOR: KeyUsage = KeyUsage(11);
    /// 12: the encrypted part of an AP-REP, encrypted with the session key.
    pub const AP_REP_ENC_PART: KeyUsage = KeyUsage(12);
    /// 13: the encrypted part of a KRB-PRIV.
    pub const KRB_PRIV_ENC_PART: KeyUsage = KeyUsage(13);
    /// 14: the encrypted part of a KRB-CRED (delegated credentials).
    pub const KRB_CRED_ENC_PART: KeyUsage = KeyUsage(14);
    /// 15: the checksum of a KRB-SAFE.
    pub const KRB_SAFE_CKSUM: KeyUsage = KeyUsage(15);
    /// 22: GSS-API per-message tokens sealed (wrapped) by the acceptor (RFC 4121 §2).
    pub const GSS_ACCEPTOR_SEAL: KeyUsage = KeyUsage(22);
    /// 23: GSS-API per-message tokens signed (MIC) by the acceptor (RFC 4121 §2).
    pub const GSS_ACCEPTOR_SIGN: KeyUsage = KeyUsage(23);
    /// 24: GSS-API per-message tokens sealed (wrapped) by the initiator (RFC 4121 §2).
    pub const GSS_INITIATOR_SEAL: KeyUsage = KeyUsage(24);
    /// 25: GSS-API per-message tokens signed (MIC) by the initiator (RFC 4121 §2).
    pub const GSS_INITIATOR_SIGN: KeyUsage = KeyUsage(25);
}

impl fmt::Display for KeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
