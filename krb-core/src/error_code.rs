//! Kerberos protocol error codes (RFC 4120 §7.5.9), the ones an acceptor sends or reports.

use std::fmt;

/// A Kerberos error code, as carried in KRB-ERROR's `error-code` (RFC 4120 §7.5.9).
///
/// Only the codes an application server uses are named; any other number is kept in
/// [`ErrorCode::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 14 KDC_ERR_ETYPE_NOSUPP: the key's encryption type is not supported.
    EtypeNosupp,
    /// 31 KRB_AP_ERR_BAD_INTEGRITY: integrity check on decrypted field failed.
    BadIntegrity,
    /// 32 KRB_AP_ERR_TKT_EXPIRED: the ticket has expired.
    TktExpired,
    /// 33 KRB_AP_ERR_TKT_NYV: the ticket is not yet valid (or is marked INVALID).
    TktNyv,
    /// 34 KRB_AP_ERR_REPEAT: the request is a replay.
    Repeat,
    /// 35 KRB_AP_ERR_NOT_US: the ticket is not for us.
    NotUs,
    /// 36 KRB_AP_ERR_BADMATCH: the ticket and authenticator do not match.
    Badmatch,
    /// 37 KRB_AP_ERR_SKEW: the clock skew is too great.
    Skew,
    /// 38 KRB_AP_ERR_BADADDR: incorrect net address.
    Badaddr,
    /// 39 KRB_AP_ERR_BADVERSION: protocol version mismatch.
    Badversion,
    /// 40 KRB_AP_ERR_MSG_TYPE: invalid message type.
    MsgType,
    /// 41 KRB_AP_ERR_MODIFIED: the message stream was modified.
    Modified,
    /// 44 KRB_AP_ERR_BADKEYVER: the key version is not available.
    Badkeyver,
    /// 45 KRB_AP_ERR_NOKEY: the service key is not available.
    Nokey,
    /// 46 KRB_AP_ERR_MUT_FAIL: mutual authentication failed.
    MutFail,
    /// 48 KRB_AP_ERR_METHOD: alternative authentication method required.
    Method,
    /// 50 KRB_AP_ERR_INAPP_CKSUM: inappropriate type of checksum in message.
    InappCksum,
    /// 60 KRB_ERR_GENERIC: a generic error.
    Generic,
    /// Another code.
    Other(i32),
}

const NAMED: &[(ErrorCode, i32, &str)] = &[
    (ErrorCode::EtypeNosupp, 14, "KDC_ERR_ETYPE_NOSUPP"),
    (ErrorCode::BadIntegrity, 31, "KRB_AP_ERR_BAD_INTEGRITY"),
    (ErrorCode::TktExpired, 32, "KRB_AP_ERR_TKT_EXPIRED"),
    (ErrorCode::TktNyv, 33, "KRB_AP_ERR_TKT_NYV"),
    (ErrorCode::Repeat, 34, "KRB_AP_ERR_REPEAT"),
    (ErrorCode::NotUs, 35, "KRB_AP_ERR_NOT_US"),
    (ErrorCode::Badmatch, 36, "KRB_AP_ERR_BADMATCH"),
    (ErrorCode::Skew, 37, "KRB_AP_ERR_SKEW"),
    (ErrorCode::Badaddr, 38, "KRB_AP_ERR_BADADDR"),
    (ErrorCode::Badversion, 39, "KRB_AP_ERR_BADVERSION"),
    (ErrorCode::MsgType, 40, "KRB_AP_ERR_MSG_TYPE"),
    (ErrorCode::Modified, 41, "KRB_AP_ERR_MODIFIED"),
    (ErrorCode::Badkeyver, 44, "KRB_AP_ERR_BADKEYVER"),
    (ErrorCode::Nokey, 45, "KRB_AP_ERR_NOKEY"),
    (ErrorCode::MutFail, 46, "KRB_AP_ERR_MUT_FAIL"),
    (ErrorCode::Method, 48, "KRB_AP_ERR_METHOD"),
    (ErrorCode::InappCksum, 50, "KRB_AP_ERR_INAPP_CKSUM"),
    (ErrorCode::Generic, 60, "KRB_ERR_GENERIC"),
];

impl ErrorCode {
    /// The code from its number.
    pub fn from_number(n: i32) -> ErrorCode {
        NAMED
            .iter()
            .find(|(_, num, _)| *num == n)
            .map_or(ErrorCode::Other(n), |(code, _, _)| *code)
    }

    /// The number on the wire.
    pub fn number(self) -> i32 {
        match self {
            ErrorCode::Other(n) => n,
            named => NAMED
                .iter()
                .find(|(code, _, _)| *code == named)
                .map_or(60, |(_, n, _)| *n),
        }
    }

    /// The RFC's name, e.g. `KRB_AP_ERR_SKEW`; `KRB_ERR_<n>` for an unnamed code.
    pub fn name(self) -> &'static str {
        NAMED
            .iter()
            .find(|(code, _, _)| *code == self)
            .map_or("KRB_ERR_OTHER", |(_, _, name)| name)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Other(n) => write!(f, "Kerberos error {n}"),
            named => write!(f, "{} ({})", named.name(), named.number()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_round_trip() {
        for (code, n, name) in NAMED {
            assert_eq!(ErrorCode::from_number(*n), *code);
            assert_eq!(code.number(), *n);
            assert_eq!(code.name(), *name);
        }
        assert_eq!(
            ErrorCode::from_number(37).to_string(),
            "KRB_AP_ERR_SKEW (37)"
        );
        assert_eq!(ErrorCode::from_number(99), ErrorCode::Other(99));
        assert_eq!(ErrorCode::Other(99).number(), 99);
    }
}
