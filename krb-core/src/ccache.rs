//! MIT credential cache files (the `FILE:` ccache type), formats 0x0503 and 0x0504.
//!
//! The format, as MIT documents it (`doc/formats/ccache_file_format.rst`): a two-byte version,
//! a header of tagged fields (0x0504 only; tag 1 is the KDC time offset), the default principal,
//! then credentials until the end of the file. Integers are big-endian in both versions.
//!
//! ```text
//! principal  ::= name-type (32) count (32) realm (data) component (data)*
//! data       ::= length (32) value
//! credential ::= client server keyblock authtime starttime endtime renew_till (32 each)
//!                is_skey (8) ticket_flags (32) addresses authdata ticket (data) second_ticket (data)
//! keyblock   ::= enctype (16) [enctype (16) again in 0x0503] data
//! ```
//!
//! Parsing is strict and bounded: every length is checked against what remains before anything
//! is allocated, and counts are capped. This module parses bytes; reading the file is the
//! caller's business (krb-core does no I/O).

use std::fmt;

use zeroize::Zeroizing;

use crate::principal::{NameType, Principal};

/// At most this many components in one principal.
const MAX_COMPONENTS: u32 = 32;
/// At most this many credentials in one cache.
const MAX_CREDENTIALS: usize = 10_000;

/// A parsed credential cache.
#[derive(Debug)]
pub struct Ccache {
    /// The file format version: 0x0503 or 0x0504.
    pub version: u16,
    /// The KDC time offset from the 0x0504 header (seconds, microseconds), if present.
    pub kdc_time_offset: Option<(i32, i32)>,
    /// The default (client) principal.
    pub default_principal: Principal,
    /// The credentials, configuration entries included, in file order.
    pub credentials: Vec<Credential>,
}

/// One credential: a ticket with its session key and metadata.
pub struct Credential {
    /// The client principal.
    pub client: Principal,
    /// The server (service) principal.
    pub server: Principal,
    /// The session key's enctype number.
    pub key_etype: i32,
    key: Zeroizing<Vec<u8>>,
    /// Times, in seconds since the epoch (MIT stores them as 32-bit values).
    pub authtime: u32,
    /// When the ticket becomes valid (0: same as authtime).
    pub starttime: u32,
    /// When the ticket expires.
    pub endtime: u32,
    /// The renewal limit (0: not renewable).
    pub renew_till: u32,
    /// Whether the ticket is encrypted in another ticket's session key (user-to-user).
    pub is_skey: bool,
    /// The ticket flags, as the 32-bit value of the wire bit string (bit 0 is the MSB).
    pub ticket_flags: u32,
    /// Client addresses: (address type, bytes).
    pub addresses: Vec<(u16, Vec<u8>)>,
    /// Authorization data: (ad-type, bytes).
    pub authdata: Vec<(u16, Vec<u8>)>,
    /// The DER-encoded Ticket (or, for a configuration entry, its value).
    pub ticket: Vec<u8>,
    /// The second ticket (user-to-user), usually empty.
    pub second_ticket: Vec<u8>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("client", &self.client.to_string())
            .field("server", &self.server.to_string())
            .field("key_etype", &self.key_etype)
            .field("key", &"<redacted>")
            .field("authtime", &self.authtime)
            .field("starttime", &self.starttime)
            .field("endtime", &self.endtime)
            .field("renew_till", &self.renew_till)
            .field("ticket_flags", &format_args!("{:#010x}", self.ticket_flags))
            .field("ticket_len", &self.ticket.len())
            .finish()
    }
}

impl Credential {
    /// The realm MIT uses for configuration entries stored as credentials.
    pub const CONFIG_REALM: &'static str = "X-CACHECONF:";

    /// Whether this is a configuration entry rather than a ticket.
    pub fn is_config(&self) -> bool {
        self.server.realm == Self::CONFIG_REALM
    }

    /// The session key bytes. Secret: never log them.
    pub fn session_key_bytes(&self) -> &[u8] {
        &self.key
    }
}

impl Ccache {
    /// Parses a credential cache file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Ccache, CcacheError> {
        let mut r = Cursor { bytes, pos: 0 };
        let version = r.u16("file format version")?;
        if version != 0x0503 && version != 0x0504 {
            return Err(r.error_at(0, CcacheErrorKind::UnsupportedVersion(version)));
        }
        let mut kdc_time_offset = None;
        if version == 0x0504 {
            let header_len = usize::from(r.u16("header length")?);
            let header = r.take(header_len, "header")?;
            let mut h = Cursor {
                bytes: header,
                pos: 0,
            };
            let base = r.pos - header_len;
            while h.pos < header.len() {
                let tag = h.u16("header tag").map_err(|e| e.shift(base))?;
                let len = usize::from(h.u16("header field length").map_err(|e| e.shift(base))?);
                let value = h.take(len, "header field").map_err(|e| e.shift(base))?;
                if tag == 1 {
                    let mut v = Cursor {
                        bytes: value,
                        pos: 0,
                    };
                    let secs = v.i32("KDC time offset").map_err(|e| e.shift(base))?;
                    let usecs = v.i32("KDC time offset").map_err(|e| e.shift(base))?;
                    kdc_time_offset = Some((secs, usecs));
                }
            }
        }
        let default_principal = r.principal()?;
        let mut credentials = Vec::new();
        while r.pos < bytes.len() {
            if credentials.len() >= MAX_CREDENTIALS {
                return Err(r.error(CcacheErrorKind::TooMany("credentials", MAX_CREDENTIALS)));
            }
            credentials.push(r.credential(version)?);
        }
        Ok(Ccache {
            version,
            kdc_time_offset,
            default_principal,
            credentials,
        })
    }

    /// The newest ticket (latest endtime) for `server`, compared as MIT does (realm and
    /// components; the name type is ignored). Configuration entries are skipped.
    pub fn find(&self, server: &Principal) -> Option<&Credential> {
        self.credentials
            .iter()
            .filter(|c| !c.is_config() && c.server.same_name(server))
            .max_by_key(|c| c.endtime)
    }

    /// The ticket tickets, configuration entries left out.
    pub fn tickets(&self) -> impl Iterator<Item = &Credential> {
        self.credentials.iter().filter(|c| !c.is_config())
    }
}

/// Why a credential cache could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CcacheError {
    /// The byte offset in the file where the problem is.
    pub offset: usize,
    /// What the problem is.
    pub kind: CcacheErrorKind,
}

/// The kinds of [`CcacheError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CcacheErrorKind {
    /// The version is not 0x0503 or 0x0504.
    UnsupportedVersion(u16),
    /// The file ends inside the named field.
    Truncated(&'static str),
    /// A count is larger than allowed.
    TooMany(&'static str, usize),
    /// A name is not UTF-8.
    NotUtf8(&'static str),
    /// `is_skey` is neither 0 nor 1.
    BadBoolean(u8),
}

impl CcacheError {
    fn shift(mut self, by: usize) -> CcacheError {
        self.offset += by;
        self
    }
}

impl fmt::Display for CcacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "credential cache: at byte {}: ", self.offset)?;
        match &self.kind {
            CcacheErrorKind::UnsupportedVersion(v) => write!(
                f,
                "file format version {v:#06x} is not supported (0x0503 and 0x0504 are); \
                 is this an MIT FILE: credential cache? kinit writes 0x0504"
            ),
            CcacheErrorKind::Truncated(what) => write!(
                f,
                "the file ends inside the {what} (truncated, or not a credential cache)"
            ),
            CcacheErrorKind::TooMany(what, max) => {
                write!(
                    f,
                    "more than {max} {what}: not a credential cache this reader accepts"
                )
            }
            CcacheErrorKind::NotUtf8(what) => write!(f, "the {what} is not UTF-8"),
            CcacheErrorKind::BadBoolean(b) => write!(f, "is_skey is {b}, expected 0 or 1"),
        }
    }
}

impl std::error::Error for CcacheError {}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn error(&self, kind: CcacheErrorKind) -> CcacheError {
        self.error_at(self.pos, kind)
    }

    fn error_at(&self, offset: usize, kind: CcacheErrorKind) -> CcacheError {
        CcacheError { offset, kind }
    }

    fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], CcacheError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        match rest.split_at_checked(len) {
            Some((value, _)) => {
                self.pos += len;
                Ok(value)
            }
            None => Err(self.error(CcacheErrorKind::Truncated(what))),
        }
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], CcacheError> {
        let b = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, CcacheError> {
        Ok(u8::from_be_bytes(self.array(what)?))
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, CcacheError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, CcacheError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, CcacheError> {
        Ok(i32::from_be_bytes(self.array(what)?))
    }

    /// A `data` field: a 32-bit length and that many bytes, checked before any allocation.
    fn data(&mut self, what: &'static str) -> Result<&'a [u8], CcacheError> {
        let len = self.u32(what)?;
        let len = usize::try_from(len).map_err(|_| self.error(CcacheErrorKind::Truncated(what)))?;
        self.take(len, what)
    }

    fn text(&mut self, what: &'static str) -> Result<String, CcacheError> {
        let start = self.pos;
        let bytes = self.data(what)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| self.error_at(start, CcacheErrorKind::NotUtf8(what)))
    }

    fn principal(&mut self) -> Result<Principal, CcacheError> {
        let name_type = self.i32("principal name type")?;
        let count_at = self.pos;
        let count = self.u32("principal component count")?;
        if count > MAX_COMPONENTS {
            return Err(self.error_at(
                count_at,
                CcacheErrorKind::TooMany("principal components", MAX_COMPONENTS as usize),
            ));
        }
        let realm = self.text("principal realm")?;
        let mut components = Vec::new();
        for _ in 0..count {
            components.push(self.text("principal component")?);
        }
        Ok(Principal {
            name_type: NameType::from_i32(name_type),
            components,
            realm,
        })
    }

    /// A counted list whose elements take at least `min_size` bytes each: the count is checked
    /// against what remains, so a hostile count cannot make us loop or allocate.
    fn list(
        &mut self,
        what: &'static str,
        min_size: usize,
    ) -> Result<Vec<(u16, Vec<u8>)>, CcacheError> {
        let count_at = self.pos;
        let count = self.u32(what)?;
        let remaining = self.bytes.len().saturating_sub(self.pos);
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        if count > remaining / min_size {
            return Err(self.error_at(count_at, CcacheErrorKind::Truncated(what)));
        }
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let kind = self.u16(what)?;
            let value = self.data(what)?;
            out.push((kind, value.to_vec()));
        }
        Ok(out)
    }

    fn credential(&mut self, version: u16) -> Result<Credential, CcacheError> {
        let client = self.principal()?;
        let server = self.principal()?;
        let key_etype = self.u16("keyblock enctype")?;
        if version == 0x0503 {
            // Version 3 writes the enctype twice.
            self.u16("keyblock enctype")?;
        }
        let key = Zeroizing::new(self.data("keyblock")?.to_vec());
        let authtime = self.u32("authtime")?;
        let starttime = self.u32("starttime")?;
        let endtime = self.u32("endtime")?;
        let renew_till = self.u32("renew_till")?;
        let skey_at = self.pos;
        let is_skey = match self.u8("is_skey")? {
            0 => false,
            1 => true,
            b => return Err(self.error_at(skey_at, CcacheErrorKind::BadBoolean(b))),
        };
        let ticket_flags = self.u32("ticket flags")?;
        let addresses = self.list("addresses", 6)?;
        let authdata = self.list("authorization data", 6)?;
        let ticket = self.data("ticket")?.to_vec();
        let second_ticket = self.data("second ticket")?.to_vec();
        Ok(Credential {
            client,
            server,
            // Enctypes are written as 16 bits; negative (private) numbers wrap, as in MIT.
            key_etype: i32::from(key_etype as i16),
            key,
            authtime,
            starttime,
            endtime,
            renew_till,
            is_skey,
            ticket_flags,
            addresses,
            authdata,
            ticket,
            second_ticket,
        })
    }
}
