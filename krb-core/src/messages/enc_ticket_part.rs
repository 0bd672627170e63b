//! EncTicketPart (RFC 4120 §5.3).

use crate::der::{DerError, Reader, Writer};

use super::msg_type;
use super::{AuthorizationData, EncryptionKey, HostAddress, PrincipalName, TicketFlags};

/// TransitedEncoding (RFC 4120 §5.3): the realms crossed on the way to the service.
///
/// ```text
/// TransitedEncoding       ::= SEQUENCE {
///         tr-type         [0] Int32 -- must be registered --,
///         contents        [1] OCTET STRING
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransitedEncoding<'a> {
    /// The encoding type (1: DOMAIN-X500-COMPRESS).
    pub tr_type: i32,
    /// The encoded realms (empty when no realm was crossed).
    pub contents: &'a [u8],
}

/// EncTicketPart (RFC 4120 §5.3), the plaintext of a Ticket's `enc-part`.
///
/// ```text
/// EncTicketPart   ::= [APPLICATION 3] SEQUENCE {
///         flags                   [0] TicketFlags,
///         key                     [1] EncryptionKey,
///         crealm                  [2] Realm,
///         cname                   [3] PrincipalName,
///         transited               [4] TransitedEncoding,
///         authtime                [5] KerberosTime,
///         starttime               [6] KerberosTime OPTIONAL,
///         endtime                 [7] KerberosTime,
///         renew-till              [8] KerberosTime OPTIONAL,
///         caddr                   [9] HostAddresses OPTIONAL,
///         authorization-data      [10] AuthorizationData OPTIONAL
/// }
/// ```
///
/// Times are seconds since the Unix epoch.
#[derive(Clone, Debug)]
pub struct EncTicketPart<'a> {
    /// The ticket flags.
    pub flags: TicketFlags,
    /// The session key (secret).
    pub key: EncryptionKey<'a>,
    /// The client's realm.
    pub crealm: &'a [u8],
    /// The client's name.
    pub cname: PrincipalName<'a>,
    /// The realms transited.
    pub transited: TransitedEncoding<'a>,
    /// When the client first authenticated.
    pub authtime: i64,
    /// When the ticket becomes valid (authtime when absent).
    pub starttime: Option<i64>,
    /// When the ticket expires.
    pub endtime: i64,
    /// The end of the renewable life.
    pub renew_till: Option<i64>,
    /// The addresses the ticket may be used from (empty: any).
    pub caddr: Vec<HostAddress<'a>>,
    /// Authorization data (the PAC on Active Directory), AD-IF-RELEVANT unwrapped.
    pub authorization_data: Vec<AuthorizationData<'a>>,
}

impl<'a> EncTicketPart<'a> {
    /// Decodes a whole EncTicketPart (a decrypted plaintext; offsets count from its start).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let part = EncTicketPart::read(&mut r)?;
        r.finish("EncTicketPart")?;
        Ok(part)
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, DerError> {
        r.application(msg_type::ENC_TICKET_PART, "EncTicketPart", |r| {
            r.sequence("EncTicketPart SEQUENCE", |r| {
                let flags = r.explicit(0, "EncTicketPart flags", |r| {
                    r.kerberos_flags("EncTicketPart flags")
                })?;
                let key = r.explicit(1, "EncTicketPart key", |r| {
                    EncryptionKey::read(r, "EncTicketPart key")
                })?;
                let crealm = r.explicit(2, "EncTicketPart crealm", |r| {
                    r.general_string("EncTicketPart crealm")
                })?;
                let cname = r.explicit(3, "EncTicketPart cname", |r| {
                    PrincipalName::read(r, "EncTicketPart cname")
                })?;
                let transited = r.explicit(4, "EncTicketPart transited", |r| {
                    r.sequence("TransitedEncoding", |r| {
                        Ok(TransitedEncoding {
                            tr_type: r.explicit(0, "TransitedEncoding tr-type", |r| {
                                r.i32("TransitedEncoding tr-type")
                            })?,
                            contents: r.explicit(1, "TransitedEncoding contents", |r| {
                                r.octet_string("TransitedEncoding contents")
                            })?,
                        })
                    })
                })?;
                let authtime = r.explicit(5, "EncTicketPart authtime", |r| {
                    r.kerberos_time("EncTicketPart authtime")
                })?;
                let starttime = r.optional_explicit(6, "EncTicketPart starttime", |r| {
                    r.kerberos_time("EncTicketPart starttime")
                })?;
                let endtime = r.explicit(7, "EncTicketPart endtime", |r| {
                    r.kerberos_time("EncTicketPart endtime")
                })?;
                let renew_till = r.optional_explicit(8, "EncTicketPart renew-till", |r| {
                    r.kerberos_time("EncTicketPart renew-till")
                })?;
                let caddr = r
                    .optional_explicit(9, "EncTicketPart caddr", |r| {
                        HostAddress::read_all(r, "EncTicketPart caddr")
                    })?
                    .unwrap_or_default();
                let mut authorization_data = Vec::new();
                r.optional_explicit(10, "EncTicketPart authorization-data", |r| {
                    AuthorizationData::read_all(
                        r,
                        "EncTicketPart authorization-data",
                        false,
                        &mut authorization_data,
                    )
                })?;
                Ok(EncTicketPart {
                    flags: TicketFlags::from_bits(flags),
                    key,
                    crealm,
                    cname,
                    transited,
                    authtime,
                    starttime,
                    endtime,
                    renew_till,
                    caddr,
                    authorization_data,
                })
            })
        })
    }

    /// Encodes the EncTicketPart as DER (the plaintext a KDC encrypts with key usage 2).
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::with_capacity(
            256 + self
                .authorization_data
                .iter()
                .map(|a| a.ad_data.len() + 16)
                .sum::<usize>(),
        );
        w.application(msg_type::ENC_TICKET_PART, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.kerberos_flags(self.flags.bits()));
                w.explicit(1, |w| self.key.write(w));
                w.explicit(2, |w| w.general_string(self.crealm));
                w.explicit(3, |w| self.cname.write(w));
                w.explicit(4, |w| {
                    w.sequence(|w| {
                        w.explicit(0, |w| w.integer(self.transited.tr_type.into()));
                        w.explicit(1, |w| w.octet_string(self.transited.contents));
                    });
                });
                w.explicit(5, |w| w.kerberos_time(self.authtime));
                if let Some(t) = self.starttime {
                    w.explicit(6, |w| w.kerberos_time(t));
                }
                w.explicit(7, |w| w.kerberos_time(self.endtime));
                if let Some(t) = self.renew_till {
                    w.explicit(8, |w| w.kerberos_time(t));
                }
                if !self.caddr.is_empty() {
                    w.explicit(9, |w| HostAddress::write_all(&self.caddr, w));
                }
                if !self.authorization_data.is_empty() {
                    w.explicit(10, |w| {
                        AuthorizationData::write_all(&self.authorization_data, w);
                    });
                }
            });
        });
        w.finish()
    }
}
