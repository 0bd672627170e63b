//! OBJECT IDENTIFIER values, kept as their DER content bytes.

use core::fmt;

/// An OBJECT IDENTIFIER as the bytes of its DER content (without tag and length).
///
/// Compare against the known constants ([`Oid::KRB5`], [`Oid::SPNEGO`], ...) with `==`;
/// `Display` writes the dotted form (`1.2.840.113554.1.2.2`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Oid<'a>(&'a [u8]);

impl<'a> Oid<'a> {
    /// Kerberos V5 GSS-API mechanism, 1.2.840.113554.1.2.2 (RFC 4121 §1).
    pub const KRB5: Oid<'static> = Oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
    /// Microsoft's alias of the Kerberos V5 mechanism, 1.2.840.48018.1.2.2, as Windows lists
    /// it first in its SPNEGO tokens.
    pub const KRB5_MS: Oid<'static> = Oid(&[0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02]);
    /// SPNEGO, 1.3.6.1.5.5.2 (RFC 4178 §4.1).
    pub const SPNEGO: Oid<'static> = Oid(&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]);
    /// Microsoft NTLM Security Support Provider, 1.3.6.1.4.1.311.2.2.10.
    pub const NTLMSSP: Oid<'static> =
        Oid(&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a]);
    /// Negoex, 1.3.6.1.4.1.311.2.2.30 (listed by Windows, not supported here).
    pub const NEGOEX: Oid<'static> =
        Oid(&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e]);
    /// Kerberos user-to-user, 1.2.840.113554.1.2.2.3 (RFC 4121 §1).
    pub const KRB5_U2U: Oid<'static> =
        Oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03]);

    /// Checks the DER rules for OID content: non-empty, every sub-identifier minimal (no
    /// leading `0x80`), at most 64 bits, and the last byte ending a sub-identifier.
    pub fn parse(bytes: &'a [u8]) -> Result<Oid<'a>, &'static str> {
        if bytes.is_empty() {
            return Err("it is empty");
        }
        let mut start = true;
        let mut value: u64 = 0;
        for &b in bytes {
            if start && b == 0x80 {
                return Err("a sub-identifier has a redundant leading 0x80 byte");
            }
            if value > (u64::MAX >> 7) {
                return Err("a sub-identifier is larger than 64 bits");
            }
            value = (value << 7) | u64::from(b & 0x7f);
            start = b & 0x80 == 0;
            if start {
                value = 0;
            }
        }
        if !start {
            return Err("the last sub-identifier is not terminated");
        }
        Ok(Oid(bytes))
    }

    /// The DER content bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Whether this is either Kerberos V5 mechanism OID (the standard one or Microsoft's).
    pub fn is_krb5(&self) -> bool {
        *self == Oid::KRB5 || *self == Oid::KRB5_MS
    }

    /// The sub-identifiers as numbers (the first one still holding the first two arcs).
    fn sub_identifiers(&self) -> impl Iterator<Item = u64> + 'a {
        let mut bytes = self.0.iter();
        core::iter::from_fn(move || {
            let mut value: u64 = 0;
            for &b in bytes.by_ref() {
                value = (value << 7) | u64::from(b & 0x7f);
                if b & 0x80 == 0 {
                    return Some(value);
                }
            }
            None
        })
    }

    /// A short name for the OIDs this crate knows.
    pub fn name(&self) -> Option<&'static str> {
        Some(match *self {
            o if o == Oid::KRB5 => "krb5",
            o if o == Oid::KRB5_MS => "krb5 (Microsoft)",
            o if o == Oid::SPNEGO => "spnego",
            o if o == Oid::NTLMSSP => "ntlmssp",
            o if o == Oid::NEGOEX => "negoex",
            o if o == Oid::KRB5_U2U => "krb5 user-to-user",
            _ => return None,
        })
    }
}

impl fmt::Display for Oid<'_> {
    /// The dotted form, e.g. `1.2.840.113554.1.2.2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, sub) in self.sub_identifiers().enumerate() {
            if i == 0 {
                let (first, second) = match sub {
                    0..40 => (0, sub),
                    40..80 => (1, sub - 40),
                    _ => (2, sub - 80),
                };
                write!(f, "{first}.{second}")?;
            } else {
                write!(f, ".{sub}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}
