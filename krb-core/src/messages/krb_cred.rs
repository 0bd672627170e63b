//! KRB-CRED and EncKrbCredPart (RFC 4120 §5.8): delegated credentials, as the GSS-API
//! checksum carries them (RFC 4121 §4.1.1).

use crate::der::{DerError, Reader, Writer};

use super::msg_type;
use super::types::{read_microseconds, read_msg_type, read_version};
use super::{EncryptedData, EncryptionKey, HostAddress, PrincipalName, Ticket, TicketFlags};

/// The `[APPLICATION 29]` tag number of EncKrbCredPart.
const ENC_KRB_CRED_PART: u8 = 29;

/// KRB_CRED (RFC 4120 §5.8.1). `pvno` and `msg-type` are checked and not kept.
///
/// ```text
/// KRB-CRED        ::= [APPLICATION 22] SEQUENCE {
///         pvno            [0] INTEGER (5),
///         msg-type        [1] INTEGER (22),
///         tickets         [2] SEQUENCE OF Ticket,
///         enc-part        [3] EncryptedData -- EncKrbCredPart
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KrbCred<'a> {
    /// The tickets (for delegation, usually one: the forwarded TGT).
    pub tickets: Vec<Ticket<'a>>,
    /// The encrypted EncKrbCredPart (key usage 14; in GSS-API delegation, the session key
    /// or the authenticator's subkey; MIT also sends it unencrypted with etype 0).
    pub enc_part: EncryptedData<'a>,
}

impl<'a> KrbCred<'a> {
    /// Decodes a whole KRB-CRED.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let cred = r.application(msg_type::KRB_CRED, "KRB-CRED", |r| {
            r.sequence("KRB-CRED SEQUENCE", |r| {
                read_version(r, 0, "KRB-CRED pvno")?;
                read_msg_type(r, 1, "KRB-CRED msg-type", msg_type::KRB_CRED)?;
                Ok(KrbCred {
                    tickets: r.explicit(2, "KRB-CRED tickets", |r| {
                        r.sequence_of("KRB-CRED tickets", Ticket::read)
                    })?,
                    enc_part: r.explicit(3, "KRB-CRED enc-part", |r| {
                        EncryptedData::read(r, "KRB-CRED enc-part")
                    })?,
                })
            })
        })?;
        r.finish("KRB-CRED")?;
        Ok(cred)
    }

    /// Encodes the KRB-CRED as DER.
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::new();
        w.application(msg_type::KRB_CRED, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(super::PVNO));
                w.explicit(1, |w| w.integer(msg_type::KRB_CRED.into()));
                w.explicit(2, |w| {
                    w.sequence(|w| {
                        for t in &self.tickets {
                            t.write(w);
                        }
                    });
                });
                w.explicit(3, |w| self.enc_part.write(w));
            });
        });
        w.finish()
    }
}

/// KrbCredInfo (RFC 4120 §5.8.1): the key and, optionally, the facts of one ticket of a
/// KRB-CRED. Times are seconds since the Unix epoch.
///
/// ```text
/// KrbCredInfo     ::= SEQUENCE {
///         key             [0] EncryptionKey,
///         prealm          [1] Realm OPTIONAL,
///         pname           [2] PrincipalName OPTIONAL,
///         flags           [3] TicketFlags OPTIONAL,
///         authtime        [4] KerberosTime OPTIONAL,
///         starttime       [5] KerberosTime OPTIONAL,
///         endtime         [6] KerberosTime OPTIONAL,
///         renew-till      [7] KerberosTime OPTIONAL,
///         srealm          [8] Realm OPTIONAL,
///         sname           [9] PrincipalName OPTIONAL,
///         caddr           [10] HostAddresses OPTIONAL
/// }
/// ```
#[derive(Clone, Debug)]
pub struct KrbCredInfo<'a> {
    /// The ticket's session key (secret).
    pub key: EncryptionKey<'a>,
    /// The client's realm.
    pub prealm: Option<&'a [u8]>,
    /// The client's name.
    pub pname: Option<PrincipalName<'a>>,
    /// The ticket flags.
    pub flags: Option<TicketFlags>,
    /// When the client first authenticated.
    pub authtime: Option<i64>,
    /// When the ticket becomes valid.
    pub starttime: Option<i64>,
    /// When the ticket expires.
    pub endtime: Option<i64>,
    /// The end of the renewable life.
    pub renew_till: Option<i64>,
    /// The service's realm.
    pub srealm: Option<&'a [u8]>,
    /// The service's name (`krbtgt/REALM` for a forwarded TGT).
    pub sname: Option<PrincipalName<'a>>,
    /// The addresses the ticket may be used from (`None`: absent).
    pub caddr: Option<Vec<HostAddress<'a>>>,
}

/// EncKrbCredPart (RFC 4120 §5.8.1), the plaintext of a KRB-CRED's `enc-part`.
///
/// ```text
/// EncKrbCredPart  ::= [APPLICATION 29] SEQUENCE {
///         ticket-info     [0] SEQUENCE OF KrbCredInfo,
///         nonce           [1] UInt32 OPTIONAL,
///         timestamp       [2] KerberosTime OPTIONAL,
///         usec            [3] Microseconds OPTIONAL,
///         s-address       [4] HostAddress OPTIONAL,
///         r-address       [5] HostAddress OPTIONAL
/// }
/// ```
///
/// `nonce` is read with the same negative-INTEGER allowance as `seq-number` (MIT encodes
/// these 32-bit values signed).
#[derive(Clone, Debug)]
pub struct EncKrbCredPart<'a> {
    /// One entry per ticket of the KRB-CRED, in the same order.
    pub ticket_info: Vec<KrbCredInfo<'a>>,
    /// The nonce.
    pub nonce: Option<u32>,
    /// The sender's time.
    pub timestamp: Option<i64>,
    /// The sender's microseconds.
    pub usec: Option<u32>,
    /// The sender's address.
    pub s_address: Option<HostAddress<'a>>,
    /// The recipient's address.
    pub r_address: Option<HostAddress<'a>>,
}

fn read_host_address<'a>(
    r: &mut Reader<'a>,
    what: &'static str,
) -> Result<HostAddress<'a>, DerError> {
    r.sequence(what, |r| {
        Ok(HostAddress {
            addr_type: r.explicit(0, "HostAddress addr-type", |r| {
                r.i32("HostAddress addr-type")
            })?,
            address: r.explicit(1, "HostAddress address", |r| {
                r.octet_string("HostAddress address")
            })?,
        })
    })
}

fn write_host_address(a: &HostAddress<'_>, w: &mut Writer) {
    w.sequence(|w| {
        w.explicit(0, |w| w.integer(a.addr_type.into()));
        w.explicit(1, |w| w.octet_string(a.address));
    });
}

impl<'a> KrbCredInfo<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DerError> {
        r.sequence("KrbCredInfo", |r| {
            Ok(KrbCredInfo {
                key: r.explicit(0, "KrbCredInfo key", |r| {
                    EncryptionKey::read(r, "KrbCredInfo key")
                })?,
                prealm: r.optional_explicit(1, "KrbCredInfo prealm", |r| {
                    r.general_string("KrbCredInfo prealm")
                })?,
                pname: r.optional_explicit(2, "KrbCredInfo pname", |r| {
                    PrincipalName::read(r, "KrbCredInfo pname")
                })?,
                flags: r.optional_explicit(3, "KrbCredInfo flags", |r| {
                    r.kerberos_flags("KrbCredInfo flags")
                        .map(TicketFlags::from_bits)
                })?,
                authtime: r.optional_explicit(4, "KrbCredInfo authtime", |r| {
                    r.kerberos_time("KrbCredInfo authtime")
                })?,
                starttime: r.optional_explicit(5, "KrbCredInfo starttime", |r| {
                    r.kerberos_time("KrbCredInfo starttime")
                })?,
                endtime: r.optional_explicit(6, "KrbCredInfo endtime", |r| {
                    r.kerberos_time("KrbCredInfo endtime")
                })?,
                renew_till: r.optional_explicit(7, "KrbCredInfo renew-till", |r| {
                    r.kerberos_time("KrbCredInfo renew-till")
                })?,
                srealm: r.optional_explicit(8, "KrbCredInfo srealm", |r| {
                    r.general_string("KrbCredInfo srealm")
                })?,
                sname: r.optional_explicit(9, "KrbCredInfo sname", |r| {
                    PrincipalName::read(r, "KrbCredInfo sname")
                })?,
                caddr: r.optional_explicit(10, "KrbCredInfo caddr", |r| {
                    HostAddress::read_all(r, "KrbCredInfo caddr")
                })?,
            })
        })
    }

    fn write(&self, w: &mut Writer) {
        w.sequence(|w| {
            w.explicit(0, |w| self.key.write(w));
            if let Some(v) = self.prealm {
                w.explicit(1, |w| w.general_string(v));
            }
            if let Some(v) = &self.pname {
                w.explicit(2, |w| v.write(w));
            }
            if let Some(v) = self.flags {
                w.explicit(3, |w| w.kerberos_flags(v.bits()));
            }
            for (n, t) in [
                (4, self.authtime),
                (5, self.starttime),
                (6, self.endtime),
                (7, self.renew_till),
            ] {
                if let Some(t) = t {
                    w.explicit(n, |w| w.kerberos_time(t));
                }
            }
            if let Some(v) = self.srealm {
                w.explicit(8, |w| w.general_string(v));
            }
            if let Some(v) = &self.sname {
                w.explicit(9, |w| v.write(w));
            }
            if let Some(v) = &self.caddr {
                w.explicit(10, |w| HostAddress::write_all(v, w));
            }
        });
    }
}

impl<'a> EncKrbCredPart<'a> {
    /// Decodes a whole EncKrbCredPart (a decrypted plaintext, or the `cipher` of an
    /// unencrypted KRB-CRED).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let part = r.application(ENC_KRB_CRED_PART, "EncKrbCredPart", |r| {
            r.sequence("EncKrbCredPart SEQUENCE", |r| {
                Ok(EncKrbCredPart {
                    ticket_info: r.explicit(0, "EncKrbCredPart ticket-info", |r| {
                        r.sequence_of("EncKrbCredPart ticket-info", KrbCredInfo::read)
                    })?,
                    nonce: r.optional_explicit(1, "EncKrbCredPart nonce", |r| {
                        r.seq_number("EncKrbCredPart nonce")
                    })?,
                    timestamp: r.optional_explicit(2, "EncKrbCredPart timestamp", |r| {
                        r.kerberos_time("EncKrbCredPart timestamp")
                    })?,
                    usec: r.optional_explicit(3, "EncKrbCredPart usec", |r| {
                        read_microseconds(r, "EncKrbCredPart usec")
                    })?,
                    s_address: r.optional_explicit(4, "EncKrbCredPart s-address", |r| {
                        read_host_address(r, "EncKrbCredPart s-address")
                    })?,
                    r_address: r.optional_explicit(5, "EncKrbCredPart r-address", |r| {
                        read_host_address(r, "EncKrbCredPart r-address")
                    })?,
                })
            })
        })?;
        r.finish("EncKrbCredPart")?;
        Ok(part)
    }

    /// Encodes the EncKrbCredPart as DER (the plaintext to encrypt with key usage 14).
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::new();
        w.application(ENC_KRB_CRED_PART, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| {
                    w.sequence(|w| {
                        for info in &self.ticket_info {
                            info.write(w);
                        }
                    });
                });
                if let Some(v) = self.nonce {
                    w.explicit(1, |w| w.integer(v.into()));
                }
                if let Some(v) = self.timestamp {
                    w.explicit(2, |w| w.kerberos_time(v));
                }
                if let Some(v) = self.usec {
                    w.explicit(3, |w| w.integer(v.into()));
                }
                if let Some(v) = &self.s_address {
                    w.explicit(4, |w| write_host_address(v, w));
                }
                if let Some(v) = &self.r_address {
                    w.explicit(5, |w| write_host_address(v, w));
                }
            });
        });
        w.finish()
    }
}
