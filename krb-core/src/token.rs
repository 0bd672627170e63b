//! One entry point for the token of `Authorization: Negotiate <token>` (RFC 4559):
//! [`parse_negotiate`].
//!
//! It takes what clients send: a SPNEGO NegTokenInit (browsers, Windows, `curl
//! --negotiate`), a raw Kerberos V5 GSS-API token (RFC 4121 §4.1), a bare AP-REQ, or the
//! NegTokenResp of a second round trip; and it recognises NTLM, which it reports as a typed
//! error rather than as garbage.

use core::fmt;

use crate::der::{DerError, Oid, Reader, Tag};
use crate::error_code::ErrorCode;
use crate::gss::{TokenId, read_initial_context_token, read_token_id};
use crate::messages::{ApReq, msg_type};
use crate::spnego::{InnerToken, NegState, NegTokenInit, NegTokenResp};

/// The prefix of every NTLMSSP message.
const NTLMSSP_SIGNATURE: &[u8] = b"NTLMSSP\0";

/// How the AP-REQ was framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Framing {
    /// A bare AP-REQ, without GSS-API framing.
    BareApReq,
    /// A Kerberos V5 GSS-API token (RFC 4121 §4.1).
    Krb5,
    /// SPNEGO NegTokenInit with the Kerberos token as its optimistic `mechToken`.
    SpnegoInit,
    /// SPNEGO NegTokenResp with the Kerberos token as its `responseToken` (the second round
    /// trip, after the acceptor asked for Kerberos).
    SpnegoResp,
}

/// What SPNEGO said around the Kerberos token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpnegoInfo<'a> {
    /// The initiator's mechanisms, most preferred first (empty in a NegTokenResp).
    pub mech_types: Vec<Oid<'a>>,
    /// The DER of the `mechTypes` list, the bytes the mechListMIC covers (RFC 4178 §5);
    /// `None` in a NegTokenResp, where the acceptor uses the list of the first round.
    pub mech_types_der: Option<&'a [u8]>,
    /// The initiator's mechListMIC, if sent.
    pub mech_list_mic: Option<&'a [u8]>,
    /// The Kerberos mechanism OID as the initiator listed it (Windows lists Microsoft's
    /// 1.2.840.48018.1.2.2 first): the one to echo as `supportedMech`.
    pub krb5_mech: Oid<'a>,
    /// Where Kerberos was in `mech_types` (0 in a NegTokenResp). When it is not 0 the
    /// acceptor must run the mechListMIC exchange (RFC 4178 §5).
    pub krb5_index: usize,
}

/// A token that carries an AP-REQ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApReqToken<'a> {
    /// The AP-REQ.
    pub ap_req: ApReq<'a>,
    /// The AP-REQ's own DER bytes (for a replay cache, or logging its length).
    pub ap_req_der: &'a [u8],
    /// How it was framed.
    pub framing: Framing,
    /// The mechanism OID of the Kerberos GSS-API framing (`None` for a bare AP-REQ): the
    /// acceptor frames its AP-REP with the same one.
    pub gss_mech: Option<Oid<'a>>,
    /// The SPNEGO layer, when there was one.
    pub spnego: Option<SpnegoInfo<'a>>,
}

/// A SPNEGO NegTokenInit that offers Kerberos, but not as its first mechanism, or without
/// an optimistic token. The acceptor answers with [`Krb5Selection::response`] and waits for
/// the Kerberos token in the initiator's next NegTokenResp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Krb5Selection<'a> {
    /// The SPNEGO layer (the acceptor keeps `mech_types_der` for the mechListMIC).
    pub spnego: SpnegoInfo<'a>,
}

impl<'a> Krb5Selection<'a> {
    /// The NegTokenResp that selects Kerberos: `negState` request-mic when Kerberos was not
    /// the first mechanism (RFC 4178 §5), accept-incomplete otherwise; `supportedMech` the
    /// Kerberos OID as the initiator listed it.
    pub fn response(&self) -> NegTokenResp<'a> {
        NegTokenResp {
            neg_state: Some(if self.spnego.krb5_index == 0 {
                NegState::AcceptIncomplete
            } else {
                NegState::RequestMic
            }),
            supported_mech: Some(self.spnego.krb5_mech),
            response_token: None,
            mech_list_mic: None,
        }
    }
}

/// What a Negotiate token holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NegotiateToken<'a> {
    /// An AP-REQ to validate.
    ApReq(ApReqToken<'a>),
    /// SPNEGO offers Kerberos but the acceptor must ask for it first.
    SelectKrb5(Krb5Selection<'a>),
}

impl<'a> NegotiateToken<'a> {
    /// The AP-REQ token, if this is one.
    pub fn ap_req(&self) -> Option<&ApReqToken<'a>> {
        match self {
            NegotiateToken::ApReq(token) => Some(token),
            NegotiateToken::SelectKrb5(_) => None,
        }
    }
}

/// Why a Negotiate token cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is not valid DER, or not the structure expected.
    Malformed(DerError),
    /// The client sent NTLM (a raw NTLMSSP message, or SPNEGO offering only NTLM).
    Ntlm,
    /// A GSS-API token for a mechanism other than Kerberos, SPNEGO or NTLM.
    UnsupportedMech {
        /// The OID's DER content bytes.
        mech: Vec<u8>,
    },
    /// A SPNEGO token whose mechanism list has neither Kerberos nor NTLM.
    NoKrb5Mech {
        /// The offered mechanisms' DER content bytes.
        offered: Vec<Vec<u8>>,
    },
    /// A Kerberos token that is not an AP-REQ (an AP-REP or KRB-ERROR sent to the acceptor).
    NotApReq {
        /// The token ID found.
        token_id: TokenId,
    },
    /// A NegTokenResp with no `responseToken`.
    NoMechToken,
    /// A NegTokenResp whose `negState` is reject.
    Rejected,
}

impl TokenError {
    /// The KRB-ERROR code to answer with, when a Kerberos answer makes sense: for a
    /// malformed Kerberos message ([`DerError::krb_error_code`]) or a non-AP-REQ token
    /// (KRB_AP_ERR_MSG_TYPE). `None` for NTLM and SPNEGO-level errors, which get no
    /// KRB-ERROR (the HTTP layer answers 401 with a plain `Negotiate` challenge).
    pub fn krb_error_code(&self) -> Option<ErrorCode> {
        match self {
            TokenError::Malformed(e) => Some(e.krb_error_code()),
            TokenError::NotApReq { .. } => Some(ErrorCode::MsgType),
            _ => None,
        }
    }
}

fn fmt_oid(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match Oid::parse(bytes) {
        Ok(oid) => write!(f, "{oid}"),
        Err(_) => f.write_str("(invalid OID)"),
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed(e) => write!(f, "malformed Negotiate token: {e}"),
            TokenError::Ntlm => f.write_str(
                "NTLM is not supported: the client has no Kerberos ticket for this service \
                 (check that the service principal HTTP/<host> exists in the KDC for the host \
                 name the client used, not an IP address or alias, and that the client has a \
                 ticket-granting ticket: kinit, or a domain logon)",
            ),
            TokenError::UnsupportedMech { mech } => {
                f.write_str("unsupported GSS-API mechanism ")?;
                fmt_oid(mech, f)?;
                f.write_str(": only Kerberos V5 (1.2.840.113554.1.2.2) and SPNEGO are accepted")
            }
            TokenError::NoKrb5Mech { offered } => {
                f.write_str("the SPNEGO token does not offer Kerberos V5; it offers [")?;
                for (i, oid) in offered.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    fmt_oid(oid, f)?;
                }
                f.write_str("]")
            }
            TokenError::NotApReq { token_id } => write!(
                f,
                "the Kerberos token's ID is {token_id:?} where an AP-REQ was expected (the \
                 client sent a response token to the acceptor)"
            ),
            TokenError::NoMechToken => f.write_str(
                "the SPNEGO NegTokenResp holds no responseToken: the client sent no Kerberos token",
            ),
            TokenError::Rejected => {
                f.write_str("the client rejected the SPNEGO negotiation (negState reject)")
            }
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TokenError::Malformed(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DerError> for TokenError {
    fn from(e: DerError) -> TokenError {
        TokenError::Malformed(e)
    }
}

/// Whether `bytes` is a raw NTLMSSP message.
pub fn is_ntlmssp(bytes: &[u8]) -> bool {
    bytes.starts_with(NTLMSSP_SIGNATURE)
}

/// Parses the token of `Authorization: Negotiate <token>` (already base64-decoded): a SPNEGO
/// NegTokenInit or NegTokenResp, a Kerberos V5 GSS-API token, or a bare AP-REQ. Decodes the
/// AP-REQ and says how it was framed. Needs no key.
///
/// SPNEGO rules (RFC 4178 §5): the optimistic `mechToken` is used only when Kerberos (either
/// OID) is the initiator's first mechanism; otherwise the result is
/// [`NegotiateToken::SelectKrb5`], whose response asks for Kerberos.
pub fn parse_negotiate(bytes: &[u8]) -> Result<NegotiateToken<'_>, TokenError> {
    if is_ntlmssp(bytes) {
        return Err(TokenError::Ntlm);
    }
    let mut r = Reader::new(bytes);
    let token = match r.peek_tag() {
        Some(t) if t == Tag::application(msg_type::AP_REQ) => {
            let (ap_req_der, ap_req) = read_ap_req(&mut r)?;
            NegotiateToken::ApReq(ApReqToken {
                ap_req,
                ap_req_der,
                framing: Framing::BareApReq,
                gss_mech: None,
                spnego: None,
            })
        }
        Some(t) if t == Tag::application(0) => {
            let (mech, _, mut inner) = read_initial_context_token(&mut r)?;
            if mech.is_krb5() {
                let (ap_req_der, ap_req) = read_krb5_inner(&mut inner)?;
                NegotiateToken::ApReq(ApReqToken {
                    ap_req,
                    ap_req_der,
                    framing: Framing::Krb5,
                    gss_mech: Some(mech),
                    spnego: None,
                })
            } else if mech == Oid::SPNEGO {
                let (init, mech_token) =
                    inner.explicit(0, "SPNEGO negTokenInit", NegTokenInit::read)?;
                inner.finish("SPNEGO InitialContextToken")?;
                spnego_init(init, mech_token)?
            } else if mech == Oid::NTLMSSP {
                return Err(TokenError::Ntlm);
            } else {
                return Err(TokenError::UnsupportedMech {
                    mech: mech.as_bytes().to_vec(),
                });
            }
        }
        Some(t) if t == Tag::context(0) => {
            let (init, mech_token) = r.explicit(0, "SPNEGO negTokenInit", NegTokenInit::read)?;
            spnego_init(init, mech_token)?
        }
        Some(t) if t == Tag::context(1) => {
            let (resp, token) = r.explicit(1, "SPNEGO negTokenResp", NegTokenResp::read)?;
            spnego_resp(resp, token)?
        }
        _ => {
            // Report what came where a GSS-API token was expected.
            r.element(
                Tag::application(0),
                "GSS-API InitialContextToken, SPNEGO token or AP-REQ",
            )?;
            return Err(TokenError::Malformed(r.invalid(
                "Negotiate token",
                "must be a GSS-API, SPNEGO or AP-REQ token",
            )));
        }
    };
    r.finish("Negotiate token")?;
    Ok(token)
}

/// Reads an AP-REQ, returning its DER too.
fn read_ap_req<'a>(r: &mut Reader<'a>) -> Result<(&'a [u8], ApReq<'a>), TokenError> {
    let before = r.rest();
    let ap_req = ApReq::read(r)?;
    let used = before.len().saturating_sub(r.rest().len());
    Ok((before.get(..used).unwrap_or_default(), ap_req))
}

/// Reads `TOK_ID || AP-REQ` of a Kerberos GSS-API token.
fn read_krb5_inner<'a>(inner: &mut Reader<'a>) -> Result<(&'a [u8], ApReq<'a>), TokenError> {
    let token_id = read_token_id(inner)?;
    if token_id != TokenId::ApReq {
        return Err(TokenError::NotApReq { token_id });
    }
    let result = read_ap_req(inner)?;
    inner.finish("GSS-API inner token")?;
    Ok(result)
}

/// Reads a mechanism token that should be a framed Kerberos AP-REQ.
fn read_mech_token<'a>(
    token: &mut Reader<'a>,
) -> Result<(Oid<'a>, &'a [u8], ApReq<'a>), TokenError> {
    if is_ntlmssp(token.rest()) {
        return Err(TokenError::Ntlm);
    }
    let (mech, at, mut inner) = read_initial_context_token(token)?;
    token.finish("SPNEGO mechanism token")?;
    if mech == Oid::NTLMSSP {
        return Err(TokenError::Ntlm);
    }
    if !mech.is_krb5() {
        return Err(TokenError::Malformed(DerError::new(
            at,
            crate::DerErrorKind::InvalidValue {
                what: "SPNEGO mechanism token",
                reason: "must be a Kerberos V5 token, the mechanism SPNEGO selected",
            },
        )));
    }
    let (der, ap_req) = read_krb5_inner(&mut inner)?;
    Ok((mech, der, ap_req))
}

fn spnego_init<'a>(
    init: NegTokenInit<'a>,
    mech_token: InnerToken<'a>,
) -> Result<NegotiateToken<'a>, TokenError> {
    let Some((krb5_index, krb5_mech)) = init.krb5_mech() else {
        let ntlm_token = init.mech_token.is_some_and(is_ntlmssp);
        if ntlm_token || init.mech_types.contains(&Oid::NTLMSSP) {
            return Err(TokenError::Ntlm);
        }
        return Err(TokenError::NoKrb5Mech {
            offered: init
                .mech_types
                .iter()
                .map(|o| o.as_bytes().to_vec())
                .collect(),
        });
    };
    let spnego = SpnegoInfo {
        mech_types: init.mech_types,
        mech_types_der: Some(init.mech_types_der),
        mech_list_mic: init.mech_list_mic,
        krb5_mech,
        krb5_index,
    };
    match mech_token {
        Some(mut token) if krb5_index == 0 => {
            let (mech, ap_req_der, ap_req) = read_mech_token(&mut token)?;
            Ok(NegotiateToken::ApReq(ApReqToken {
                ap_req,
                ap_req_der,
                framing: Framing::SpnegoInit,
                gss_mech: Some(mech),
                spnego: Some(spnego),
            }))
        }
        _ => Ok(NegotiateToken::SelectKrb5(Krb5Selection { spnego })),
    }
}

fn spnego_resp<'a>(
    resp: NegTokenResp<'a>,
    token: InnerToken<'a>,
) -> Result<NegotiateToken<'a>, TokenError> {
    if resp.neg_state == Some(NegState::Reject) {
        return Err(TokenError::Rejected);
    }
    if resp.supported_mech == Some(Oid::NTLMSSP) {
        return Err(TokenError::Ntlm);
    }
    let Some(mut token) = token else {
        return Err(TokenError::NoMechToken);
    };
    let (mech, ap_req_der, ap_req) = read_mech_token(&mut token)?;
    Ok(NegotiateToken::ApReq(ApReqToken {
        ap_req,
        ap_req_der,
        framing: Framing::SpnegoResp,
        gss_mech: Some(mech),
        spnego: Some(SpnegoInfo {
            mech_types: Vec::new(),
            mech_types_der: None,
            mech_list_mic: resp.mech_list_mic,
            krb5_mech: resp.supported_mech.filter(Oid::is_krb5).unwrap_or(mech),
            krb5_index: 0,
        }),
    }))
}
