//! The building blocks shared by the messages (RFC 4120 §5.2).

use core::fmt;

use crate::der::{DerError, DerErrorKind, Reader, Writer};

/// Reads `[n] INTEGER (5)` and checks it is 5.
pub(crate) fn read_version(r: &mut Reader<'_>, n: u8, what: &'static str) -> Result<(), DerError> {
    r.explicit(n, what, |r| {
        let at = r.offset();
        match r.integer(what)? {
            super::PVNO => Ok(()),
            found => Err(DerError::new(
                at,
                DerErrorKind::WrongVersion { what, found },
            )),
        }
    })
}

/// Reads `[n] INTEGER` and checks it is the message type `expected`.
pub(crate) fn read_msg_type(
    r: &mut Reader<'_>,
    n: u8,
    what: &'static str,
    expected: u8,
) -> Result<(), DerError> {
    r.explicit(n, what, |r| {
        let at = r.offset();
        let found = r.integer(what)?;
        if found == i64::from(expected) {
            Ok(())
        } else {
            Err(DerError::new(
                at,
                DerErrorKind::WrongMessageType {
                    what,
                    expected,
                    found,
                },
            ))
        }
    })
}

/// Reads a `Microseconds` (`INTEGER (0..999999)`).
pub(crate) fn read_microseconds(r: &mut Reader<'_>, what: &'static str) -> Result<u32, DerError> {
    let value = r.integer_in(what, 0, 999_999)?;
    Ok(u32::try_from(value).unwrap_or_default())
}

/// Name types (RFC 4120 §6.2, RFC 6111, MS-KILE), the typed `name-type` of a
/// [`PrincipalName`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameType {
    /// NT-UNKNOWN (0).
    Unknown,
    /// NT-PRINCIPAL (1): a user or host.
    Principal,
    /// NT-SRV-INST (2): a service and instance, e.g. `krbtgt/REALM`.
    SrvInst,
    /// NT-SRV-HST (3): a service and host name, e.g. `HTTP/host.example.test`.
    SrvHst,
    /// NT-SRV-XHST (4).
    SrvXhst,
    /// NT-UID (5).
    Uid,
    /// NT-X500-PRINCIPAL (6).
    X500Principal,
    /// NT-SMTP-NAME (7).
    SmtpName,
    /// NT-ENTERPRISE (10): `user@upn.suffix`.
    Enterprise,
    /// NT-WELLKNOWN (11), e.g. the anonymous principal.
    WellKnown,
    /// NT-SRV-HST-DOMAIN (12).
    SrvHstDomain,
    /// NT-MS-PRINCIPAL (-128).
    MsPrincipal,
    /// NT-MS-PRINCIPAL-AND-ID (-129).
    MsPrincipalAndId,
    /// NT-ENT-PRINCIPAL-AND-ID (-130).
    EntPrincipalAndId,
    /// Any other value.
    Other(i32),
}

impl NameType {
    /// The type for a wire value.
    pub const fn from_i32(value: i32) -> NameType {
        match value {
            0 => NameType::Unknown,
            1 => NameType::Principal,
            2 => NameType::SrvInst,
            3 => NameType::SrvHst,
            4 => NameType::SrvXhst,
            5 => NameType::Uid,
            6 => NameType::X500Principal,
            7 => NameType::SmtpName,
            10 => NameType::Enterprise,
            11 => NameType::WellKnown,
            12 => NameType::SrvHstDomain,
            -128 => NameType::MsPrincipal,
            -129 => NameType::MsPrincipalAndId,
            -130 => NameType::EntPrincipalAndId,
            other => NameType::Other(other),
        }
    }

    /// The wire value.
    pub const fn to_i32(self) -> i32 {
        match self {
            NameType::Unknown => 0,
            NameType::Principal => 1,
            NameType::SrvInst => 2,
            NameType::SrvHst => 3,
            NameType::SrvXhst => 4,
            NameType::Uid => 5,
            NameType::X500Principal => 6,
            NameType::SmtpName => 7,
            NameType::Enterprise => 10,
            NameType::WellKnown => 11,
            NameType::SrvHstDomain => 12,
            NameType::MsPrincipal => -128,
            NameType::MsPrincipalAndId => -129,
            NameType::EntPrincipalAndId => -130,
            NameType::Other(other) => other,
        }
    }
}

/// PrincipalName (RFC 4120 §5.2.2).
///
/// ```text
/// PrincipalName   ::= SEQUENCE {
///         name-type       [0] Int32,
///         name-string     [1] SEQUENCE OF KerberosString
/// }
/// ```
///
/// The components are bytes (UTF-8 in practice). `Display` joins them with `/`, escaping `/`,
/// `@` and `\` as MIT does, and replaces invalid UTF-8.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrincipalName<'a> {
    /// The name type (a hint: two names differ by their components, not their type).
    pub name_type: NameType,
    /// The name components, e.g. `["HTTP", "api.example.test"]`.
    pub components: Vec<&'a [u8]>,
}

impl<'a> PrincipalName<'a> {
    pub(crate) fn read(r: &mut Reader<'a>, what: &'static str) -> Result<Self, DerError> {
        r.sequence(what, |r| {
            let name_type = r.explicit(0, "PrincipalName name-type", |r| {
                r.i32("PrincipalName name-type")
            })?;
            let components = r.explicit(1, "PrincipalName name-string", |r| {
                r.sequence_of("PrincipalName name-string", |r| {
                    r.general_string("PrincipalName component")
                })
            })?;
            Ok(PrincipalName {
                name_type: NameType::from_i32(name_type),
                components,
            })
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.sequence(|w| {
            w.explicit(0, |w| w.integer(self.name_type.to_i32().into()));
            w.explicit(1, |w| {
                w.sequence(|w| {
                    for c in &self.components {
                        w.general_string(c);
                    }
                });
            });
        });
    }

    /// Whether the components equal `other`'s, byte for byte (the name type is ignored, as
    /// RFC 4120 §6.2 says).
    pub fn same_name(&self, other: &PrincipalName<'_>) -> bool {
        self.components == other.components
    }
}

impl fmt::Display for PrincipalName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, component) in self.components.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            for chunk in component.utf8_chunks() {
                for c in chunk.valid().chars() {
                    match c {
                        '/' | '@' | '\\' => write!(f, "\\{c}")?,
                        '\0' => f.write_str("\\0")?,
                        c => write!(f, "{c}")?,
                    }
                }
                if !chunk.invalid().is_empty() {
                    f.write_str("\u{fffd}")?;
                }
            }
        }
        Ok(())
    }
}

/// EncryptedData (RFC 4120 §5.2.9).
///
/// ```text
/// EncryptedData   ::= SEQUENCE {
///         etype   [0] Int32 -- EncryptionType --,
///         kvno    [1] UInt32 OPTIONAL,
///         cipher  [2] OCTET STRING -- ciphertext
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EncryptedData<'a> {
    /// The encryption type (17 aes128-cts-hmac-sha1-96, 18 aes256-cts-hmac-sha1-96, 19/20
    /// the RFC 8009 ones, 23 rc4-hmac).
    pub etype: i32,
    /// The key version number, present when encrypted in a long-term key. A negative
    /// INTEGER on the wire (MIT's encoding of kvnos of 2^31 and above) reads as its two's
    /// complement.
    pub kvno: Option<u32>,
    /// The ciphertext.
    pub cipher: &'a [u8],
}

impl<'a> EncryptedData<'a> {
    pub(crate) fn read(r: &mut Reader<'a>, what: &'static str) -> Result<Self, DerError> {
        r.sequence(what, |r| {
            Ok(EncryptedData {
                etype: r.explicit(0, "EncryptedData etype", |r| r.i32("EncryptedData etype"))?,
                kvno: r
                    .optional_explicit(1, "EncryptedData kvno", |r| r.kvno("EncryptedData kvno"))?,
                cipher: r.explicit(2, "EncryptedData cipher", |r| {
                    r.octet_string("EncryptedData cipher")
                })?,
            })
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.sequence(|w| {
            w.explicit(0, |w| w.integer(self.etype.into()));
            if let Some(kvno) = self.kvno {
                w.explicit(1, |w| w.integer(kvno.into()));
            }
            w.explicit(2, |w| w.octet_string(self.cipher));
        });
    }
}

/// EncryptionKey (RFC 4120 §5.2.9). `Debug` does not show the key bytes, and there is no
/// `PartialEq`: compare keys in constant time, in the crypto layer. The bytes borrow from a
/// decrypted plaintext, which the caller zeroizes.
///
/// ```text
/// EncryptionKey   ::= SEQUENCE {
///         keytype         [0] Int32 -- actually encryption type --,
///         keyvalue        [1] OCTET STRING
/// }
/// ```
#[derive(Clone, Copy)]
pub struct EncryptionKey<'a> {
    /// The encryption type of the key.
    pub keytype: i32,
    /// The key bytes (secret).
    pub keyvalue: &'a [u8],
}

impl fmt::Debug for EncryptionKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("keytype", &self.keytype)
            .field(
                "keyvalue",
                &format_args!("<{} bytes redacted>", self.keyvalue.len()),
            )
            .finish()
    }
}

impl<'a> EncryptionKey<'a> {
    pub(crate) fn read(r: &mut Reader<'a>, what: &'static str) -> Result<Self, DerError> {
        r.sequence(what, |r| {
            Ok(EncryptionKey {
                keytype: r.explicit(0, "EncryptionKey keytype", |r| {
                    r.i32("EncryptionKey keytype")
                })?,
                keyvalue: r.explicit(1, "EncryptionKey keyvalue", |r| {
                    r.octet_string("EncryptionKey keyvalue")
                })?,
            })
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.sequence(|w| {
            w.explicit(0, |w| w.integer(self.keytype.into()));
            w.explicit(1, |w| w.octet_string(self.keyvalue));
        });
    }
}

/// Checksum (RFC 4120 §5.2.9).
///
/// ```text
/// Checksum        ::= SEQUENCE {
///         cksumtype       [0] Int32,
///         checksum        [1] OCTET STRING
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Checksum<'a> {
    /// The checksum type (0x8003 for the GSS-API authenticator checksum, RFC 4121 §4.1.1).
    pub cksumtype: i32,
    /// The checksum bytes.
    pub checksum: &'a [u8],
}

impl<'a> Checksum<'a> {
    pub(crate) fn read(r: &mut Reader<'a>, what: &'static str) -> Result<Self, DerError> {
        r.sequence(what, |r| {
            Ok(Checksum {
                cksumtype: r.explicit(0, "Checksum cksumtype", |r| r.i32("Checksum cksumtype"))?,
                checksum: r.explicit(1, "Checksum checksum", |r| {
                    r.octet_string("Checksum checksum")
                })?,
            })
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.sequence(|w| {
            w.explicit(0, |w| w.integer(self.cksumtype.into()));
            w.explicit(1, |w| w.octet_string(self.checksum));
        });
    }
}

/// HostAddress (RFC 4120 §5.2.5); `HostAddresses ::= SEQUENCE OF HostAddress`.
///
/// ```text
/// HostAddress     ::= SEQUENCE  {
///         addr-type       [0] Int32,
///         address         [1] OCTET STRING
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HostAddress<'a> {
    /// The address type (2 IPv4, 24 IPv6, 20 NetBIOS, ...).
    pub addr_type: i32,
    /// The address bytes.
    pub address: &'a [u8],
}

impl<'a> HostAddress<'a> {
    pub(crate) fn read_all(
        r: &mut Reader<'a>,
        what: &'static str,
    ) -> Result<Vec<HostAddress<'a>>, DerError> {
        r.sequence_of(what, |r| {
            r.sequence("HostAddress", |r| {
                Ok(HostAddress {
                    addr_type: r.explicit(0, "HostAddress addr-type", |r| {
                        r.i32("HostAddress addr-type")
                    })?,
                    address: r.explicit(1, "HostAddress address", |r| {
                        r.octet_string("HostAddress address")
                    })?,
                })
            })
        })
    }

    pub(crate) fn write_all(addresses: &[HostAddress<'_>], w: &mut Writer) {
        w.sequence(|w| {
            for a in addresses {
                w.sequence(|w| {
                    w.explicit(0, |w| w.integer(a.addr_type.into()));
                    w.explicit(1, |w| w.octet_string(a.address));
                });
            }
        });
    }
}

/// Authorization data types (RFC 4120 §7.5.4, MS-PAC).
pub mod ad_type {
    /// AD-IF-RELEVANT (1): a container the decoder unwraps.
    pub const IF_RELEVANT: i32 = 1;
    /// AD-KDC-ISSUED (4).
    pub const KDC_ISSUED: i32 = 4;
    /// AD-AND-OR (5).
    pub const AND_OR: i32 = 5;
    /// AD-MANDATORY-FOR-KDC (8).
    pub const MANDATORY_FOR_KDC: i32 = 8;
    /// AD-WIN2K-PAC (128): the Microsoft PAC (MS-PAC).
    pub const WIN2K_PAC: i32 = 128;
    /// AD-ETYPE-NEGOTIATION (129, RFC 4537).
    pub const ETYPE_NEGOTIATION: i32 = 129;
    /// KERB-AUTH-DATA-TOKEN-RESTRICTIONS (141, MS-KILE).
    pub const TOKEN_RESTRICTIONS: i32 = 141;
    /// KERB-LOCAL (142, MS-KILE).
    pub const KERB_LOCAL: i32 = 142;
    /// AD-AUTH-DATA-AP-OPTIONS (143, MS-KILE).
    pub const AP_OPTIONS: i32 = 143;
}

/// One authorization data element (RFC 4120 §5.2.6), with AD-IF-RELEVANT containers
/// (§5.2.6.1) unwrapped: their elements appear in place of the container, with
/// `if_relevant` set.
///
/// ```text
/// AuthorizationData       ::= SEQUENCE OF SEQUENCE {
///         ad-type         [0] Int32,
///         ad-data         [1] OCTET STRING
/// }
/// AD-IF-RELEVANT          ::= AuthorizationData
/// ```
///
/// Encoding puts each run of consecutive `if_relevant` elements back into one AD-IF-RELEVANT
/// container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AuthorizationData<'a> {
    /// The type (see [`ad_type`]); never [`ad_type::IF_RELEVANT`] after decoding.
    pub ad_type: i32,
    /// The data, interpreted according to the type.
    pub ad_data: &'a [u8],
    /// Whether the element came inside an AD-IF-RELEVANT container: an acceptor that does
    /// not understand it may ignore it.
    pub if_relevant: bool,
}

impl<'a> AuthorizationData<'a> {
    /// Reads AuthorizationData, unwrapping AD-IF-RELEVANT containers into `out`.
    pub(crate) fn read_all(
        r: &mut Reader<'a>,
        what: &'static str,
        if_relevant: bool,
        out: &mut Vec<AuthorizationData<'a>>,
    ) -> Result<(), DerError> {
        let mut containers = Vec::new();
        let elements = r.sequence_of(what, |r| {
            r.sequence("AuthorizationData element", |r| {
                let ad_type = r.explicit(0, "AuthorizationData ad-type", |r| {
                    r.i32("AuthorizationData ad-type")
                })?;
                if ad_type == ad_type::IF_RELEVANT {
                    let inner = r.explicit(1, "AuthorizationData ad-data", |r| {
                        r.octet_string_reader("AuthorizationData ad-data")
                    })?;
                    containers.push(inner);
                    return Ok(None);
                }
                let ad_data = r.explicit(1, "AuthorizationData ad-data", |r| {
                    r.octet_string("AuthorizationData ad-data")
                })?;
                Ok(Some(AuthorizationData {
                    ad_type,
                    ad_data,
                    if_relevant,
                }))
            })
        })?;
        // Keep the order of the wire: elements and unwrapped containers interleaved.
        let mut containers = containers.into_iter();
        for element in elements {
            match element {
                Some(element) => {
                    if out.len() >= crate::der::MAX_ELEMENTS {
                        return Err(r.error(crate::DerErrorKind::TooManyElements {
                            what,
                            limit: crate::der::MAX_ELEMENTS,
                        }));
                    }
                    out.push(element);
                }
                None => {
                    if let Some(mut inner) = containers.next() {
                        AuthorizationData::read_all(&mut inner, "AD-IF-RELEVANT", true, out)?;
                        inner.finish("AD-IF-RELEVANT")?;
                    }
                }
            }
        }
        Ok(())
    }

    pub(crate) fn write_all(elements: &[AuthorizationData<'_>], w: &mut Writer) {
        w.sequence(|w| {
            let mut rest = elements;
            while let Some((first, _)) = rest.split_first() {
                let run = rest
                    .iter()
                    .take_while(|e| e.if_relevant == first.if_relevant)
                    .count();
                let (group, tail) = rest.split_at(run);
                if first.if_relevant {
                    let mut inner = Writer::new();
                    write_plain(group, &mut inner);
                    // The inner writer holds no time, so it cannot fail.
                    let inner = inner.finish().unwrap_or_default();
                    write_element(ad_type::IF_RELEVANT, &inner, w);
                } else {
                    for e in group {
                        write_element(e.ad_type, e.ad_data, w);
                    }
                }
                rest = tail;
            }
        });
    }
}

fn write_plain(elements: &[AuthorizationData<'_>], w: &mut Writer) {
    w.sequence(|w| {
        for e in elements {
            write_element(e.ad_type, e.ad_data, w);
        }
    });
}

fn write_element(ad_type: i32, ad_data: &[u8], w: &mut Writer) {
    w.sequence(|w| {
        w.explicit(0, |w| w.integer(ad_type.into()));
        w.explicit(1, |w| w.octet_string(ad_data));
    });
}
