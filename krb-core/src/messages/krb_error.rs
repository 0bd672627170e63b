//! KRB-ERROR (RFC 4120 §5.9.1).

use crate::der::{DerError, DerErrorKind, Reader, Writer};
use crate::error_code::ErrorCode;

use super::PrincipalName;
use super::msg_type;
use super::types::{read_microseconds, read_msg_type, read_version};

/// KRB_ERROR (RFC 4120 §5.9.1). `pvno` and `msg-type` are checked and not kept.
///
/// ```text
/// KRB-ERROR       ::= [APPLICATION 30] SEQUENCE {
///         pvno            [0] INTEGER (5),
///         msg-type        [1] INTEGER (30),
///         ctime           [2] KerberosTime OPTIONAL,
///         cusec           [3] Microseconds OPTIONAL,
///         stime           [4] KerberosTime,
///         susec           [5] Microseconds,
///         error-code      [6] Int32,
///         crealm          [7] Realm OPTIONAL,
///         cname           [8] PrincipalName OPTIONAL,
///         realm           [9] Realm -- service realm,
///         sname           [10] PrincipalName -- service name,
///         e-text          [11] KerberosString OPTIONAL,
///         e-data          [12] OCTET STRING OPTIONAL
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KrbError<'a> {
    /// The client's time, when known.
    pub ctime: Option<i64>,
    /// The client's microseconds, when known.
    pub cusec: Option<u32>,
    /// The server's time, seconds since the Unix epoch.
    pub stime: i64,
    /// The server's microseconds.
    pub susec: u32,
    /// The error code (see [`error_code`]).
    pub error_code: i32,
    /// The client's realm.
    pub crealm: Option<&'a [u8]>,
    /// The client's name.
    pub cname: Option<PrincipalName<'a>>,
    /// The service's realm.
    pub realm: &'a [u8],
    /// The service's name.
    pub sname: PrincipalName<'a>,
    /// Text explaining the error.
    pub e_text: Option<&'a [u8]>,
    /// Data about the error (e.g. METHOD-DATA, or KERB-ERROR-DATA on Windows).
    pub e_data: Option<&'a [u8]>,
}

impl<'a> KrbError<'a> {
    /// Decodes a whole KRB-ERROR.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let e = KrbError::read(&mut r)?;
        r.finish("KRB-ERROR")?;
        Ok(e)
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, DerError> {
        r.application(msg_type::KRB_ERROR, "KRB-ERROR", |r| {
            r.sequence("KRB-ERROR SEQUENCE", |r| {
                read_version(r, 0, "KRB-ERROR pvno")?;
                read_msg_type(r, 1, "KRB-ERROR msg-type", msg_type::KRB_ERROR)?;
                Ok(KrbError {
                    ctime: r.optional_explicit(2, "KRB-ERROR ctime", |r| {
                        r.kerberos_time("KRB-ERROR ctime")
                    })?,
                    cusec: r.optional_explicit(3, "KRB-ERROR cusec", |r| {
                        read_microseconds(r, "KRB-ERROR cusec")
                    })?,
                    stime: r
                        .explicit(4, "KRB-ERROR stime", |r| r.kerberos_time("KRB-ERROR stime"))?,
                    susec: r.explicit(5, "KRB-ERROR susec", |r| {
                        read_microseconds(r, "KRB-ERROR susec")
                    })?,
                    error_code: r
                        .explicit(6, "KRB-ERROR error-code", |r| r.i32("KRB-ERROR error-code"))?,
                    crealm: r.optional_explicit(7, "KRB-ERROR crealm", |r| {
                        r.general_string("KRB-ERROR crealm")
                    })?,
                    cname: r.optional_explicit(8, "KRB-ERROR cname", |r| {
                        PrincipalName::read(r, "KRB-ERROR cname")
                    })?,
                    realm: r.explicit(9, "KRB-ERROR realm", |r| {
                        r.general_string("KRB-ERROR realm")
                    })?,
                    sname: r.explicit(10, "KRB-ERROR sname", |r| {
                        PrincipalName::read(r, "KRB-ERROR sname")
                    })?,
                    e_text: r.optional_explicit(11, "KRB-ERROR e-text", |r| {
                        r.general_string("KRB-ERROR e-text")
                    })?,
                    e_data: r.optional_explicit(12, "KRB-ERROR e-data", |r| {
                        r.octet_string("KRB-ERROR e-data")
                    })?,
                })
            })
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.application(msg_type::KRB_ERROR, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| w.integer(super::PVNO));
                w.explicit(1, |w| w.integer(msg_type::KRB_ERROR.into()));
                if let Some(t) = self.ctime {
                    w.explicit(2, |w| w.kerberos_time(t));
                }
                if let Some(us) = self.cusec {
                    w.explicit(3, |w| w.integer(us.into()));
                }
                w.explicit(4, |w| w.kerberos_time(self.stime));
                w.explicit(5, |w| w.integer(self.susec.into()));
                w.explicit(6, |w| w.integer(self.error_code.into()));
                if let Some(crealm) = self.crealm {
                    w.explicit(7, |w| w.general_string(crealm));
                }
                if let Some(cname) = &self.cname {
                    w.explicit(8, |w| cname.write(w));
                }
                w.explicit(9, |w| w.general_string(self.realm));
                w.explicit(10, |w| self.sname.write(w));
                if let Some(text) = self.e_text {
                    w.explicit(11, |w| w.general_string(text));
                }
                if let Some(data) = self.e_data {
                    w.explicit(12, |w| w.octet_string(data));
                }
            });
        });
    }

    /// Encodes the KRB-ERROR as DER.
    pub fn encode(&self) -> Result<Vec<u8>, DerError> {
        let mut w = Writer::with_capacity(128 + self.e_data.map_or(0, <[u8]>::len));
        self.write(&mut w);
        w.finish()
    }
}

impl DerError {
    /// The KRB-ERROR code an acceptor answers a message that failed to decode with:
    /// KRB_AP_ERR_BADVERSION for a version other than 5, KRB_AP_ERR_MSG_TYPE for a
    /// mismatched message type, KRB_ERR_GENERIC otherwise (as MIT does for ASN.1 errors).
    pub fn krb_error_code(&self) -> ErrorCode {
        match self.kind {
            DerErrorKind::WrongVersion { .. } => ErrorCode::Badversion,
            DerErrorKind::WrongMessageType { .. } => ErrorCode::MsgType,
            _ => ErrorCode::Generic,
        }
    }
}
