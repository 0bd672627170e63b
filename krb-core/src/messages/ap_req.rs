//! AP-REQ, Ticket and Authenticator (RFC 4120 §5.5.1, §5.3).

use crate::der::{DerError, Reader, Writer};

use super::msg_type;
use super::types::{read_microseconds, read_msg_type, read_version};
use super::{ApOptions, AuthorizationData, Checksum, EncryptedData, EncryptionKey, PrincipalName};

/// Ticket (RFC 4120 §5.3). `tkt-vno` is checked to be 5 and not kept.
///
/// ```text
/// Ticket          ::= [APPLICATION 1] SEQUENCE {
///         tkt-vno         [0] INTEGER (5),
///         realm           [1] Realm,
///         sname           [2] PrincipalName,
///         enc-part        [3] EncryptedData -- EncTicketPart
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket<'a> {
    /// The realm of the service (and of the KDC that issued the ticket).
    pub realm: &'a [u8],
    /// The service's name, e.g. `HTTP/api.example.test`. Not covered by any checksum: an
    /// acceptor must not trust it before decrypting `enc_part`.
    pub sname: PrincipalName<'a>,
    /// The encrypted EncTicketPart (key usage 2, the service's long-term key).
    pub enc_part: EncryptedData<'a>,
}

impl<'a> Ticket<'a> {
    /// Decodes a whole Ticket, e.g. one taken from a credential cache.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let ticket = Ticket::read(&mut r)?;
        r.finish("Ticket")?;
        Ok(ticket)
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, DerError> {
        r.application(msg_type::TICKET, "Ticket", |r| {
            r.sequence("Ticket SEQUENCE", |r| {
                read_version(r, 0, "Ticket tkt-vno")?;
                Ok(Ticket {
                    realm: r.explicit(1, "Ticket realm", |r| r.general_string("Ticket realm"))?,
                    sname: r.explicit(2, "Ticket sname", |r| {
                        PrincipalName::read(r, "Ticket sname")
                    })?,
                    enc_part: r.explicit(3, "Ticket enc-part", |r| {
                        EncryptedData::read(r, "Ticket enc-part")
                    })?,
                })
            })
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.application(msg_type::TICKET, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(super::PVNO));
                w.explicit(1, |w| w.general_string(self.realm));
                w.explicit(2, |w| self.sname.write(w));
                w.explicit(3, |w| self.enc_part.write(w));
            });
        });
    }

    /// Encodes the Ticket as DER.
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::with_capacity(self.enc_part.cipher.len() + 128);
        self.write(&mut w);
        w.finish()
    }
}

/// KRB_AP_REQ (RFC 4120 §5.5.1). `pvno` and `msg-type` are checked and not kept.
///
/// ```text
/// AP-REQ          ::= [APPLICATION 14] SEQUENCE {
///         pvno            [0] INTEGER (5),
///         msg-type        [1] INTEGER (14),
///         ap-options      [2] APOptions,
///         ticket          [3] Ticket,
///         authenticator   [4] EncryptedData -- Authenticator
/// }
///
/// APOptions       ::= KerberosFlags
///         -- reserved(0),
///         -- use-session-key(1),
///         -- mutual-required(2)
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApReq<'a> {
    /// The options (use-session-key, mutual-required).
    pub ap_options: ApOptions,
    /// The service ticket.
    pub ticket: Ticket<'a>,
    /// The encrypted Authenticator (key usage 11, the ticket's session key).
    pub authenticator: EncryptedData<'a>,
}

impl<'a> ApReq<'a> {
    /// Decodes a whole AP-REQ; nothing may follow it.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let ap_req = ApReq::read(&mut r)?;
        r.finish("AP-REQ")?;
        Ok(ap_req)
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, DerError> {
        r.application(msg_type::AP_REQ, "AP-REQ", |r| {
            r.sequence("AP-REQ SEQUENCE", |r| {
                read_version(r, 0, "AP-REQ pvno")?;
                read_msg_type(r, 1, "AP-REQ msg-type", msg_type::AP_REQ)?;
                Ok(ApReq {
                    ap_options: ApOptions::from_bits(r.explicit(2, "AP-REQ ap-options", |r| {
                        r.kerberos_flags("AP-REQ ap-options")
                    })?),
                    ticket: r.explicit(3, "AP-REQ ticket", Ticket::read)?,
                    authenticator: r.explicit(4, "AP-REQ authenticator", |r| {
                        EncryptedData::read(r, "AP-REQ authenticator")
                    })?,
                })
            })
        })
    }

    /// Encodes the AP-REQ as DER.
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::with_capacity(
            self.ticket.enc_part.cipher.len() + self.authenticator.cipher.len() + 192,
        );
        w.application(msg_type::AP_REQ, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(super::PVNO));
                w.explicit(1, |w| w.integer(msg_type::AP_REQ.into()));
                w.explicit(2, |w| w.kerberos_flags(self.ap_options.bits()));
                w.explicit(3, |w| self.ticket.write(w));
                w.explicit(4, |w| self.authenticator.write(w));
            });
        });
        w.finish()
    }
}

/// Authenticator (RFC 4120 §5.5.1), the plaintext of an AP-REQ's `authenticator`.
/// `authenticator-vno` is checked to be 5 and not kept.
///
/// ```text
/// Authenticator   ::= [APPLICATION 2] SEQUENCE  {
///         authenticator-vno       [0] INTEGER (5),
///         crealm                  [1] Realm,
///         cname                   [2] PrincipalName,
///         cksum                   [3] Checksum OPTIONAL,
///         cusec                   [4] Microseconds,
///         ctime                   [5] KerberosTime,
///         subkey                  [6] EncryptionKey OPTIONAL,
///         seq-number              [7] UInt32 OPTIONAL,
///         authorization-data      [8] AuthorizationData OPTIONAL
/// }
/// ```
///
/// `seq-number` is read with the negative-value allowance: old implementations send
/// values of 2^31 and above as negative INTEGERs, which read as their two's complement.
#[derive(Clone, Debug)]
pub struct Authenticator<'a> {
    /// The client's realm.
    pub crealm: &'a [u8],
    /// The client's name.
    pub cname: PrincipalName<'a>,
    /// The checksum; for GSS-API, type 0x8003 (see [`crate::gss::GssChecksum`]).
    pub cksum: Option<Checksum<'a>>,
    /// Microseconds of the client's time, 0 to 999999.
    pub cusec: u32,
    /// The client's time, seconds since the Unix epoch.
    pub ctime: i64,
    /// A subkey chosen by the client.
    pub subkey: Option<EncryptionKey<'a>>,
    /// The client's initial sequence number.
    pub seq_number: Option<u32>,
    /// Authorization data added by the client, AD-IF-RELEVANT unwrapped.
    pub authorization_data: Vec<AuthorizationData<'a>>,
}

impl<'a> Authenticator<'a> {
    /// Decodes a whole Authenticator (a decrypted plaintext; offsets count from its start).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let authenticator = Authenticator::read(&mut r)?;
        r.finish("Authenticator")?;
        Ok(authenticator)
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, DerError> {
        r.application(msg_type::AUTHENTICATOR, "Authenticator", |r| {
            r.sequence("Authenticator SEQUENCE", |r| {
                read_version(r, 0, "Authenticator authenticator-vno")?;
                let crealm = r.explicit(1, "Authenticator crealm", |r| {
                    r.general_string("Authenticator crealm")
                })?;
                let cname = r.explicit(2, "Authenticator cname", |r| {
                    PrincipalName::read(r, "Authenticator cname")
                })?;
                let cksum = r.optional_explicit(3, "Authenticator cksum", |r| {
                    Checksum::read(r, "Authenticator cksum")
                })?;
                let cusec = r.explicit(4, "Authenticator cusec", |r| {
                    read_microseconds(r, "Authenticator cusec")
                })?;
                let ctime = r.explicit(5, "Authenticator ctime", |r| {
                    r.kerberos_time("Authenticator ctime")
                })?;
                let subkey = r.optional_explicit(6, "Authenticator subkey", |r| {
                    EncryptionKey::read(r, "Authenticator subkey")
                })?;
                let seq_number = r.optional_explicit(7, "Authenticator seq-number", |r| {
                    r.seq_number("Authenticator seq-number")
                })?;
                let mut authorization_data = Vec::new();
                r.optional_explicit(8, "Authenticator authorization-data", |r| {
                    AuthorizationData::read_all(
                        r,
                        "Authenticator authorization-data",
                        false,
                        &mut authorization_data,
                    )
                })?;
                Ok(Authenticator {
                    crealm,
                    cname,
                    cksum,
                    cusec,
                    ctime,
                    subkey,
                    seq_number,
                    authorization_data,
                })
            })
        })
    }

    /// Encodes the Authenticator as DER (the plaintext to encrypt with key usage 11).
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::with_capacity(256);
        w.application(msg_type::AUTHENTICATOR, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(super::PVNO));
                w.explicit(1, |w| w.general_string(self.crealm));
                w.explicit(2, |w| self.cname.write(w));
                if let Some(cksum) = &self.cksum {
                    w.explicit(3, |w| cksum.write(w));
                }
                w.explicit(4, |w| w.integer(self.cusec.into()));
                w.explicit(5, |w| w.kerberos_time(self.ctime));
                if let Some(subkey) = &self.subkey {
                    w.explicit(6, |w| subkey.write(w));
                }
                if let Some(seq) = self.seq_number {
                    w.explicit(7, |w| w.integer(seq.into()));
                }
                if !self.authorization_data.is_empty() {
                    w.explicit(8, |w| {
                        AuthorizationData::write_all(&self.authorization_data, w)
                    });
                }
            });
        });
        w.finish()
    }
}
