//! GSS-API token framing (RFC 2743 §3.1) for the Kerberos V5 mechanism (RFC 4121 §4.1), and
//! the GSS-API authenticator checksum (RFC 4121 §4.1.1).
//!
//! ```text
//! InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
//!         thisMech            MechType,
//!         innerContextToken   ANY DEFINED BY thisMech
//! }
//! -- for Kerberos V5 (RFC 4121 §4.1): innerContextToken = TOK_ID (2 bytes) || message
//! --   01 00  KRB_AP_REQ       02 00  KRB_AP_REP       03 00  KRB_ERROR
//! ```
//!
//! RFC 4121 frames the AP-REP and KRB-ERROR context tokens the same way as the AP-REQ.

use crate::der::{DerError, DerErrorKind, Oid, Reader, Tag, Writer};
use crate::messages::{ApRep, Checksum, GssFlags, KrbError, msg_type};

/// The checksum type of the GSS-API authenticator checksum (RFC 4121 §4.1.1).
pub const GSS_CHECKSUM_TYPE: i32 = 0x8003;

/// The RFC 4121 §4.1 token identifier (`TOK_ID`) of a Kerberos context token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenId {
    /// `01 00`: KRB_AP_REQ.
    ApReq,
    /// `02 00`: KRB_AP_REP.
    ApRep,
    /// `03 00`: KRB_ERROR.
    KrbError,
}

impl TokenId {
    /// The two bytes on the wire.
    pub const fn bytes(self) -> [u8; 2] {
        match self {
            TokenId::ApReq => [0x01, 0x00],
            TokenId::ApRep => [0x02, 0x00],
            TokenId::KrbError => [0x03, 0x00],
        }
    }

    /// The token ID for two bytes, if known.
    pub const fn from_bytes(bytes: [u8; 2]) -> Option<TokenId> {
        match bytes {
            [0x01, 0x00] => Some(TokenId::ApReq),
            [0x02, 0x00] => Some(TokenId::ApRep),
            [0x03, 0x00] => Some(TokenId::KrbError),
            _ => None,
        }
    }
}

/// A Kerberos V5 GSS-API context token: the mechanism OID it was framed with, its token ID
/// and the Kerberos message it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Krb5Token<'a> {
    /// The mechanism OID in the framing: [`Oid::KRB5`] or Microsoft's [`Oid::KRB5_MS`].
    pub mech: Oid<'a>,
    /// The token ID.
    pub token_id: TokenId,
    /// The DER of the Kerberos message (AP-REQ, AP-REP or KRB-ERROR).
    pub message: &'a [u8],
}

/// Reads an InitialContextToken header: the mechanism OID, the offset of the OID element
/// (for errors about it) and a reader over the inner token.
pub(crate) fn read_initial_context_token<'a>(
    r: &mut Reader<'a>,
) -> Result<(Oid<'a>, usize, Reader<'a>), DerError> {
    let mut inner = r.element(Tag::application(0), "GSS-API InitialContextToken")?;
    let oid_at = inner.offset();
    let mech = inner.oid("GSS-API thisMech")?;
    Ok((mech, oid_at, inner))
}

/// Reads the `TOK_ID` of a Kerberos inner token.
pub(crate) fn read_token_id(r: &mut Reader<'_>) -> Result<TokenId, DerError> {
    let at = r.clone();
    let bytes = r.take(2)?;
    let id: [u8; 2] = bytes.try_into().unwrap_or_default();
    TokenId::from_bytes(id).ok_or_else(|| {
        at.invalid(
            "RFC 4121 TOK_ID",
            "must be 01 00 (AP-REQ), 02 00 (AP-REP) or 03 00 (KRB-ERROR)",
        )
    })
}

impl<'a> Krb5Token<'a> {
    /// Decodes a Kerberos V5 context token (either mechanism OID). The Kerberos message is
    /// checked only for its outer tag, which must match the token ID.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let (mech, oid_at, mut inner) = read_initial_context_token(&mut r)?;
        r.finish("GSS-API InitialContextToken")?;
        if !mech.is_krb5() {
            return Err(DerError::new(
                oid_at,
                DerErrorKind::InvalidValue {
                    what: "GSS-API thisMech",
                    reason: "must be the Kerberos V5 mechanism 1.2.840.113554.1.2.2 (or 1.2.840.48018.1.2.2)",
                },
            ));
        }
        let token_id = read_token_id(&mut inner)?;
        let expected = match token_id {
            TokenId::ApReq => msg_type::AP_REQ,
            TokenId::ApRep => msg_type::AP_REP,
            TokenId::KrbError => msg_type::KRB_ERROR,
        };
        let mut check = inner.clone();
        let (message, _) = check.element_raw(Tag::application(expected), "Kerberos message")?;
        check.finish("GSS-API inner token")?;
        Ok(Krb5Token {
            mech,
            token_id,
            message,
        })
    }

    /// Encodes the token: `[APPLICATION 0] { mech, TOK_ID || message }`.
    pub fn encode(&self) -> Vec<u8> {
        encode_krb5_token(self.mech, self.token_id, self.message)
    }
}

/// Frames a Kerberos message as an RFC 4121 context token with mechanism `mech`.
pub fn encode_krb5_token(mech: Oid<'_>, token_id: TokenId, message: &[u8]) -> Vec<u8> {
    let mut w = Writer::with_capacity(message.len() + 24);
    w.application(0, |w| {
        w.oid(mech);
        w.raw(&token_id.bytes());
        w.raw(message);
    });
    // The writer holds no time, so it cannot fail.
    w.finish().unwrap_or_default()
}

/// Encodes an AP-REP as the RFC 4121 context token an acceptor sends for mutual
/// authentication, framed with the mechanism OID the initiator used.
pub fn encode_ap_rep_token(mech: Oid<'_>, ap_rep: &ApRep<'_>) -> Result<Vec<u8>, DerError> {
    Ok(encode_krb5_token(mech, TokenId::ApRep, &ap_rep.encode()?))
}

/// Encodes a KRB-ERROR as an RFC 4121 context token, framed with the mechanism OID the
/// initiator used.
pub fn encode_krb_error_token(mech: Oid<'_>, error: &KrbError<'_>) -> Result<Vec<u8>, DerError> {
    Ok(encode_krb5_token(mech, TokenId::KrbError, &error.encode()?))
}

/// The GSS-API authenticator checksum (RFC 4121 §4.1.1), the `checksum` bytes of an
/// Authenticator `cksum` of type 0x8003.
///
/// ```text
/// Octet     Name      Description
/// 0..3      Lgth      Number of octets in Bnd field; 16 (little-endian)
/// 4..19     Bnd       Channel binding information (MD5 of gss_channel_bindings_struct)
/// 20..23    Flags     Context-establishment flags (little-endian)
/// 24..25    DlgOpt    The delegation option identifier (=1), if GSS_C_DELEG_FLAG
/// 26..27    Dlgth     The length of the Deleg field (little-endian), if GSS_C_DELEG_FLAG
/// 28..(n-1) Deleg     A KRB_CRED message, if GSS_C_DELEG_FLAG
/// n..last   Exts      Extensions [optional]
/// ```
///
/// Error offsets count from the first checksum byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GssChecksum<'a> {
    /// `Bnd`: the channel-binding hash; all zero when the initiator gave no bindings.
    pub channel_binding: [u8; 16],
    /// The context flags the initiator asks for.
    pub flags: GssFlags,
    /// `Deleg`: the delegated credentials, a KRB-CRED in DER (its enc-part is encrypted in
    /// the session key, key usage 14), present when [`GssFlags::DELEG`] is set.
    pub delegation: Option<&'a [u8]>,
    /// `Exts`: extension bytes after the fixed part, kept unparsed (RFC 4121 allows them).
    pub extensions: &'a [u8],
}

impl<'a> GssChecksum<'a> {
    /// Decodes the checksum bytes. When `GSS_C_DELEG_FLAG` is set, `DlgOpt` must be 1, the
    /// delegation must fit and be a KRB-CRED.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let bad = |at: usize, reason: &'static str| {
            DerError::new(
                at,
                DerErrorKind::InvalidValue {
                    what: "GSS-API checksum (RFC 4121 §4.1.1)",
                    reason,
                },
            )
        };
        let short = || bad(bytes.len(), "shorter than its 24 fixed bytes");
        let (lgth, rest) = bytes.split_first_chunk::<4>().ok_or_else(short)?;
        let (bnd, rest) = rest.split_first_chunk::<16>().ok_or_else(short)?;
        let (flags, rest) = rest.split_first_chunk::<4>().ok_or_else(short)?;
        if u32::from_le_bytes(*lgth) != 16 {
            return Err(bad(0, "Lgth must be 16 (the length of Bnd)"));
        }
        let channel_binding = *bnd;
        let flags = GssFlags::from_bits(u32::from_le_bytes(*flags));
        if !flags.contains(GssFlags::DELEG) {
            return Ok(GssChecksum {
                channel_binding,
                flags,
                delegation: None,
                extensions: rest,
            });
        }
        let missing = bad(
            24,
            "GSS_C_DELEG_FLAG is set but DlgOpt and Dlgth are missing",
        );
        let (dlg_opt, rest) = rest.split_first_chunk::<2>().ok_or(missing.clone())?;
        let (dlgth, rest) = rest.split_first_chunk::<2>().ok_or(missing)?;
        if u16::from_le_bytes(*dlg_opt) != 1 {
            return Err(bad(24, "DlgOpt must be 1"));
        }
        let (deleg, extensions) = rest
            .split_at_checked(usize::from(u16::from_le_bytes(*dlgth)))
            .ok_or_else(|| bad(26, "Dlgth is longer than the bytes that follow"))?;
        let mut r = Reader::with_base(deleg, 28);
        r.element(Tag::application(msg_type::KRB_CRED), "Deleg KRB-CRED")?;
        r.finish("Deleg KRB-CRED")?;
        Ok(GssChecksum {
            channel_binding,
            flags,
            delegation: Some(deleg),
            extensions,
        })
    }

    /// Encodes the checksum bytes. The delegation is written (and `GSS_C_DELEG_FLAG` set)
    /// when present; `None` if it is longer than 65535 bytes.
    pub fn encode(&self) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(28 + self.delegation.map_or(0, <[u8]>::len));
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&self.channel_binding);
        let mut flags = self.flags;
        if self.delegation.is_some() {
            flags = flags.with(GssFlags::DELEG);
        } else {
            flags = GssFlags::from_bits(flags.bits() & !GssFlags::DELEG.bits());
        }
        out.extend_from_slice(&flags.bits().to_le_bytes());
        if let Some(deleg) = self.delegation {
            out.extend_from_slice(&1u16.to_le_bytes());
            out.extend_from_slice(&u16::try_from(deleg.len()).ok()?.to_le_bytes());
            out.extend_from_slice(deleg);
        }
        out.extend_from_slice(self.extensions);
        Some(out)
    }

    /// Decodes an Authenticator's `cksum`, which must be of type 0x8003 (RFC 4121 §4.1.1).
    pub fn from_checksum(cksum: &Checksum<'a>) -> Result<Self, DerError> {
        if cksum.cksumtype != GSS_CHECKSUM_TYPE {
            return Err(DerError::new(
                0,
                DerErrorKind::InvalidValue {
                    what: "Authenticator cksum",
                    reason: "cksumtype must be 0x8003, the GSS-API checksum (RFC 4121 §4.1.1)",
                },
            ));
        }
        GssChecksum::decode(cksum.checksum)
    }

    /// Whether the initiator gave no channel bindings (`Bnd` all zero).
    pub fn has_no_channel_binding(&self) -> bool {
        self.channel_binding == [0; 16]
    }
}
