//! AP-REP and EncAPRepPart (RFC 4120 §5.5.2).

use crate::der::{DerError, Reader, Writer};

use super::msg_type;
use super::types::{read_microseconds, read_msg_type, read_version};
use super::{EncryptedData, EncryptionKey};

/// KRB_AP_REP (RFC 4120 §5.5.2), the acceptor's answer when mutual authentication is asked.
/// `pvno` and `msg-type` are checked and not kept.
///
/// ```text
/// AP-REP          ::= [APPLICATION 15] SEQUENCE {
///         pvno            [0] INTEGER (5),
///         msg-type        [1] INTEGER (15),
///         enc-part        [2] EncryptedData -- EncAPRepPart
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApRep<'a> {
    /// The encrypted EncAPRepPart (key usage 12, the ticket's session key), no kvno.
    pub enc_part: EncryptedData<'a>,
}

impl<'a> ApRep<'a> {
    /// Decodes a whole AP-REP.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let ap_rep = ApRep::read(&mut r)?;
        r.finish("AP-REP")?;
        Ok(ap_rep)
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, DerError> {
        r.application(msg_type::AP_REP, "AP-REP", |r| {
            r.sequence("AP-REP SEQUENCE", |r| {
                read_version(r, 0, "AP-REP pvno")?;
                read_msg_type(r, 1, "AP-REP msg-type", msg_type::AP_REP)?;
                Ok(ApRep {
                    enc_part: r.explicit(2, "AP-REP enc-part", |r| {
                        EncryptedData::read(r, "AP-REP enc-part")
                    })?,
                })
            })
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.application(msg_type::AP_REP, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(super::PVNO));
                w.explicit(1, |w| w.integer(msg_type::AP_REP.into()));
                w.explicit(2, |w| self.enc_part.write(w));
            });
        });
    }

    /// Encodes the AP-REP as DER.
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::with_capacity(self.enc_part.cipher.len() + 32);
        self.write(&mut w);
        w.finish()
    }
}

/// EncAPRepPart (RFC 4120 §5.5.2), the plaintext of an AP-REP's `enc-part`.
///
/// ```text
/// EncAPRepPart    ::= [APPLICATION 27] SEQUENCE {
///         ctime           [0] KerberosTime,
///         cusec           [1] Microseconds,
///         subkey          [2] EncryptionKey OPTIONAL,
///         seq-number      [3] UInt32 OPTIONAL
/// }
/// ```
///
/// `ctime` and `cusec` echo the Authenticator's; `seq-number` is read with the negative-value
/// allowance.
#[derive(Clone, Copy, Debug)]
pub struct EncApRepPart<'a> {
    /// The client's time from the Authenticator, seconds since the Unix epoch.
    pub ctime: i64,
    /// The client's microseconds from the Authenticator.
    pub cusec: u32,
    /// The acceptor's subkey.
    pub subkey: Option<EncryptionKey<'a>>,
    /// The acceptor's initial sequence number.
    pub seq_number: Option<u32>,
}

impl<'a> EncApRepPart<'a> {
    /// Decodes a whole EncAPRepPart (a decrypted plaintext).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let part = r.application(msg_type::ENC_AP_REP_PART, "EncAPRepPart", |r| {
            r.sequence("EncAPRepPart SEQUENCE", |r| {
                Ok(EncApRepPart {
                    ctime: r.explicit(0, "EncAPRepPart ctime", |r| {
                        r.kerberos_time("EncAPRepPart ctime")
                    })?,
                    cusec: r.explicit(1, "EncAPRepPart cusec", |r| {
                        read_microseconds(r, "EncAPRepPart cusec")
                    })?,
                    subkey: r.optional_explicit(2, "EncAPRepPart subkey", |r| {
                        EncryptionKey::read(r, "EncAPRepPart subkey")
                    })?,
                    seq_number: r.optional_explicit(3, "EncAPRepPart seq-number", |r| {
                        r.seq_number("EncAPRepPart seq-number")
                    })?,
                })
            })
        })?;
        r.finish("EncAPRepPart")?;
        Ok(part)
    }

    /// Encodes the EncAPRepPart as DER (the plaintext to encrypt with key usage 12).
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::with_capacity(96);
        w.application(msg_type::ENC_AP_REP_PART, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.kerberos_time(self.ctime));
                w.explicit(1, |w| w.integer(self.cusec.into()));
                if let Some(subkey) = &self.subkey {
                    w.explicit(2, |w| subkey.write(w));
                }
                if let Some(seq) = self.seq_number {
                    w.explicit(3, |w| w.integer(seq.into()));
                }
            });
        });
        w.finish()
    }
}
