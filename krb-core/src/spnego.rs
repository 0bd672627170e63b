//! SPNEGO (RFC 4178), with Microsoft's NegTokenInit2 (MS-SPNG §2.2.1).
//!
//! ```text
//! -- The initiator's first token is framed as a GSS-API InitialContextToken with the
//! -- SPNEGO OID 1.3.6.1.5.5.2; later tokens are the bare NegotiationToken.
//! NegotiationToken ::= CHOICE {
//!     negTokenInit    [0] NegTokenInit,
//!     negTokenResp    [1] NegTokenResp
//! }
//! MechTypeList ::= SEQUENCE OF MechType
//! MechType ::= OBJECT IDENTIFIER
//! NegTokenInit ::= SEQUENCE {
//!     mechTypes       [0] MechTypeList,
//!     reqFlags        [1] ContextFlags  OPTIONAL,
//!     mechToken       [2] OCTET STRING  OPTIONAL,
//!     mechListMIC     [3] OCTET STRING  OPTIONAL,
//!     ...
//! }
//! NegTokenInit2 ::= SEQUENCE {                      -- MS-SPNG §2.2.1
//!     mechTypes       [0] MechTypeList  OPTIONAL,
//!     reqFlags        [1] ContextFlags  OPTIONAL,
//!     mechToken       [2] OCTET STRING  OPTIONAL,
//!     negHints        [3] NegHints      OPTIONAL,
//!     mechListMIC     [4] OCTET STRING  OPTIONAL,
//!     ...
//! }
//! NegHints ::= SEQUENCE {
//!     hintName        [0] GeneralString OPTIONAL,
//!     hintAddress     [1] OCTET STRING  OPTIONAL
//! }
//! NegTokenResp ::= SEQUENCE {
//!     negState       [0] ENUMERATED {
//!         accept-completed    (0),
//!         accept-incomplete   (1),
//!         reject              (2),
//!         request-mic         (3)
//!     }                                 OPTIONAL,
//!     supportedMech   [1] MechType      OPTIONAL,
//!     responseToken   [2] OCTET STRING  OPTIONAL,
//!     mechListMIC     [3] OCTET STRING  OPTIONAL,
//!     ...
//! }
//! ```
//!
//! The mechListMIC (RFC 4178 §5) is computed over the DER of the initiator's `mechTypes`
//! SEQUENCE OF (its tag and length included): [`NegTokenInit::mech_types_der`] holds exactly
//! those bytes, so the acceptor, which holds the session key, can verify and produce it.

use crate::der::{DerError, DerErrorKind, Oid, Reader, Tag, Writer};
use crate::gss::read_initial_context_token;
use crate::messages::ContextFlags;

/// NegHints (MS-SPNG §2.2.1), sent by Windows servers in NegTokenInit2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NegHints<'a> {
    /// `hintName`, usually `not_defined_in_RFC4178@please_ignore`.
    pub hint_name: Option<&'a [u8]>,
    /// `hintAddress` (never sent in practice).
    pub hint_address: Option<&'a [u8]>,
}

/// NegTokenInit (RFC 4178 §4.2.1), or NegTokenInit2 when `neg_hints` is present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegTokenInit<'a> {
    /// The initiator's mechanisms, most preferred first.
    pub mech_types: Vec<Oid<'a>>,
    /// The DER of the `mechTypes` SEQUENCE OF, tag and length included: the bytes the
    /// mechListMIC covers (RFC 4178 §5).
    pub mech_types_der: &'a [u8],
    /// `reqFlags` (deprecated, ignored by acceptors).
    pub req_flags: Option<ContextFlags>,
    /// The optimistic token of the first mechanism.
    pub mech_token: Option<&'a [u8]>,
    /// NegTokenInit2's `negHints`.
    pub neg_hints: Option<NegHints<'a>>,
    /// The mechListMIC, if sent.
    pub mech_list_mic: Option<&'a [u8]>,
}

/// `negState` of a NegTokenResp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NegState {
    /// 0: the context is established.
    AcceptCompleted,
    /// 1: more tokens are needed.
    AcceptIncomplete,
    /// 2: negotiation failed.
    Reject,
    /// 3: the acceptor chose a mechanism other than the initiator's first, and the
    /// mechListMIC exchange is required (RFC 4178 §5).
    RequestMic,
}

impl NegState {
    /// The ENUMERATED value.
    pub const fn to_i64(self) -> i64 {
        match self {
            NegState::AcceptCompleted => 0,
            NegState::AcceptIncomplete => 1,
            NegState::Reject => 2,
            NegState::RequestMic => 3,
        }
    }
}

/// NegTokenResp (RFC 4178 §4.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NegTokenResp<'a> {
    /// The negotiation state.
    pub neg_state: Option<NegState>,
    /// The mechanism the acceptor selected (first reply only).
    pub supported_mech: Option<Oid<'a>>,
    /// The mechanism's token.
    pub response_token: Option<&'a [u8]>,
    /// The mechListMIC.
    pub mech_list_mic: Option<&'a [u8]>,
}

/// A NegotiationToken: the CHOICE of RFC 4178 §4.2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NegotiationToken<'a> {
    /// `[0]` NegTokenInit (or NegTokenInit2).
    Init(NegTokenInit<'a>),
    /// `[1]` NegTokenResp.
    Resp(NegTokenResp<'a>),
}

/// Where the optimistic or response mechanism token sits, for decoding it with offsets
/// that count from the start of the whole token.
pub(crate) type InnerToken<'a> = Option<Reader<'a>>;

impl<'a> NegTokenInit<'a> {
    /// Reads the content of `[0]`: the NegTokenInit SEQUENCE.
    pub(crate) fn read(r: &mut Reader<'a>) -> Result<(Self, InnerToken<'a>), DerError> {
        r.sequence("NegTokenInit", |r| {
            let (mech_types_der, mech_types) = r.explicit(0, "NegTokenInit mechTypes", |r| {
                let (der, mut list) = r.element_raw(Tag::SEQUENCE, "MechTypeList")?;
                let mut types = Vec::new();
                while !list.is_empty() {
                    if types.len() >= crate::der::MAX_ELEMENTS {
                        return Err(list.error(DerErrorKind::TooManyElements {
                            what: "MechTypeList",
                            limit: crate::der::MAX_ELEMENTS,
                        }));
                    }
                    types.push(list.oid("MechType")?);
                }
                Ok((der, types))
            })?;
            let req_flags = r.optional_explicit(1, "NegTokenInit reqFlags", |r| {
                r.kerberos_flags("NegTokenInit reqFlags")
                    .map(ContextFlags::from_bits)
            })?;
            let mech_token = r.optional_explicit(2, "NegTokenInit mechToken", |r| {
                r.octet_string_reader("NegTokenInit mechToken")
            })?;
            // [3] is mechListMIC in RFC 4178 and negHints in NegTokenInit2: tell them apart
            // by what it holds.
            let mut neg_hints = None;
            let mut mech_list_mic = None;
            if r.peek_tag() == Some(Tag::context(3)) {
                r.explicit(3, "NegTokenInit [3]", |r| {
                    if r.peek_tag() == Some(Tag::SEQUENCE) {
                        neg_hints = Some(read_neg_hints(r)?);
                    } else {
                        mech_list_mic = Some(r.octet_string("NegTokenInit mechListMIC")?);
                    }
                    Ok(())
                })?;
            }
            // NegTokenInit2's mechListMIC is [4], after negHints or in its place; after an
            // RFC 4178 [3] mechListMIC nothing may follow.
            if mech_list_mic.is_none() {
                mech_list_mic = r.optional_explicit(4, "NegTokenInit2 mechListMIC", |r| {
                    r.octet_string("NegTokenInit2 mechListMIC")
                })?;
            }
            let init = NegTokenInit {
                mech_types,
                mech_types_der,
                req_flags,
                mech_token: mech_token.as_ref().map(Reader::rest),
                neg_hints,
                mech_list_mic,
            };
            Ok((init, mech_token))
        })
    }

    /// Decodes the initiator's first SPNEGO token: a GSS-API InitialContextToken with the
    /// SPNEGO OID holding `[0]` NegTokenInit.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let (init, _) = read_framed_init(&mut r)?;
        r.finish("SPNEGO token")?;
        Ok(init)
    }

    /// The first Kerberos V5 mechanism listed (either OID) and its position.
    pub fn krb5_mech(&self) -> Option<(usize, Oid<'a>)> {
        self.mech_types
            .iter()
            .copied()
            .enumerate()
            .find(|(_, oid)| oid.is_krb5())
    }

    /// Encodes the token as the initiator sends it first: framed as a GSS-API
    /// InitialContextToken with the SPNEGO OID. With `neg_hints`, the NegTokenInit2 layout.
    /// The list is written from `mech_types`; `mech_types_der` is not used.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.application(0, |w| {
            w.oid(Oid::SPNEGO);
            self.write_choice(w);
        });
        w.finish().unwrap_or_default()
    }

    fn write_choice(&self, w: &mut Writer) {
        w.explicit(0, |w| {
            w.sequence(|w| {
                w.explicit(0, |w| write_mech_types(&self.mech_types, w));
                if let Some(flags) = self.req_flags {
                    w.explicit(1, |w| write_context_flags(flags, w));
                }
                if let Some(token) = self.mech_token {
                    w.explicit(2, |w| w.octet_string(token));
                }
                match (&self.neg_hints, self.mech_list_mic) {
                    (Some(hints), mic) => {
                        w.explicit(3, |w| {
                            w.sequence(|w| {
                                if let Some(name) = hints.hint_name {
                                    w.explicit(0, |w| w.general_string(name));
                                }
                                if let Some(address) = hints.hint_address {
                                    w.explicit(1, |w| w.octet_string(address));
                                }
                            });
                        });
                        if let Some(mic) = mic {
                            w.explicit(4, |w| w.octet_string(mic));
                        }
                    }
                    (None, Some(mic)) => w.explicit(3, |w| w.octet_string(mic)),
                    (None, None) => {}
                }
            });
        });
    }
}

/// Encodes a MechTypeList; the result is what a mechListMIC covers.
pub fn encode_mech_types(mech_types: &[Oid<'_>]) -> Vec<u8> {
    let mut w = Writer::new();
    write_mech_types(mech_types, &mut w);
    w.finish().unwrap_or_default()
}

fn write_mech_types(mech_types: &[Oid<'_>], w: &mut Writer) {
    w.sequence(|w| {
        for oid in mech_types {
            w.oid(*oid);
        }
    });
}

/// ContextFlags in DER: a BIT STRING without trailing zero bits.
fn write_context_flags(flags: ContextFlags, w: &mut Writer) {
    let bits = flags.bits();
    let bytes = bits.to_be_bytes();
    let used = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let content = bytes.get(..used).unwrap_or_default();
    let unused = content
        .last()
        .map_or(0, |b| u8::try_from(b.trailing_zeros()).unwrap_or(0));
    let mut out = Vec::with_capacity(used + 1);
    out.push(unused);
    out.extend_from_slice(content);
    w.primitive(Tag::BIT_STRING, &out);
}

fn read_neg_hints<'a>(r: &mut Reader<'a>) -> Result<NegHints<'a>, DerError> {
    r.sequence("NegHints", |r| {
        Ok(NegHints {
            hint_name: r.optional_explicit(0, "NegHints hintName", |r| {
                r.general_string("NegHints hintName")
            })?,
            hint_address: r.optional_explicit(1, "NegHints hintAddress", |r| {
                r.octet_string("NegHints hintAddress")
            })?,
        })
    })
}

/// Reads `[APPLICATION 0] { SPNEGO OID, [0] NegTokenInit }`.
pub(crate) fn read_framed_init<'a>(
    r: &mut Reader<'a>,
) -> Result<(NegTokenInit<'a>, InnerToken<'a>), DerError> {
    let (mech, oid_at, mut inner) = read_initial_context_token(r)?;
    if mech != Oid::SPNEGO {
        return Err(DerError::new(
            oid_at,
            DerErrorKind::InvalidValue {
                what: "GSS-API thisMech",
                reason: "must be SPNEGO 1.3.6.1.5.5.2",
            },
        ));
    }
    let result = inner.explicit(0, "SPNEGO negTokenInit", NegTokenInit::read)?;
    inner.finish("SPNEGO InitialContextToken")?;
    Ok(result)
}

impl<'a> NegTokenResp<'a> {
    /// Reads the content of `[1]`: the NegTokenResp SEQUENCE.
    pub(crate) fn read(r: &mut Reader<'a>) -> Result<(Self, InnerToken<'a>), DerError> {
        r.sequence("NegTokenResp", |r| {
            let neg_state = r.optional_explicit(0, "NegTokenResp negState", |r| {
                let at = r.clone();
                match r.enumerated("NegTokenResp negState")? {
                    0 => Ok(NegState::AcceptCompleted),
                    1 => Ok(NegState::AcceptIncomplete),
                    2 => Ok(NegState::Reject),
                    3 => Ok(NegState::RequestMic),
                    _ => Err(at.invalid("NegTokenResp negState", "must be 0 to 3")),
                }
            })?;
            let supported_mech = r.optional_explicit(1, "NegTokenResp supportedMech", |r| {
                r.oid("NegTokenResp supportedMech")
            })?;
            let response_token = r.optional_explicit(2, "NegTokenResp responseToken", |r| {
                r.octet_string_reader("NegTokenResp responseToken")
            })?;
            let mech_list_mic = r.optional_explicit(3, "NegTokenResp mechListMIC", |r| {
                r.octet_string("NegTokenResp mechListMIC")
            })?;
            let resp = NegTokenResp {
                neg_state,
                supported_mech,
                response_token: response_token.as_ref().map(Reader::rest),
                mech_list_mic,
            };
            Ok((resp, response_token))
        })
    }

    /// Decodes a bare `[1]` NegTokenResp (as sent after the first token, either way).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let (resp, _) = r.explicit(1, "SPNEGO negTokenResp", NegTokenResp::read)?;
        r.finish("SPNEGO token")?;
        Ok(resp)
    }

    /// Encodes the bare `[1]` NegTokenResp.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.explicit(1, |w| {
            w.sequence(|w| {
                if let Some(state) = self.neg_state {
                    w.explicit(0, |w| w.enumerated(state.to_i64()));
                }
                if let Some(mech) = self.supported_mech {
                    w.explicit(1, |w| w.oid(mech));
                }
                if let Some(token) = self.response_token {
                    w.explicit(2, |w| w.octet_string(token));
                }
                if let Some(mic) = self.mech_list_mic {
                    w.explicit(3, |w| w.octet_string(mic));
                }
            });
        });
        w.finish().unwrap_or_default()
    }
}

impl<'a> NegotiationToken<'a> {
    /// Decodes either the framed first token (`[APPLICATION 0]` with the SPNEGO OID, holding
    /// a NegTokenInit) or a bare `[0]` NegTokenInit or `[1]` NegTokenResp.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DerError> {
        let mut r = Reader::new(bytes);
        let token = match r.peek_tag() {
            Some(t) if t == Tag::application(0) => {
                NegotiationToken::Init(read_framed_init(&mut r)?.0)
            }
            Some(t) if t == Tag::context(0) => {
                NegotiationToken::Init(r.explicit(0, "SPNEGO negTokenInit", NegTokenInit::read)?.0)
            }
            _ => {
                NegotiationToken::Resp(r.explicit(1, "SPNEGO negTokenResp", NegTokenResp::read)?.0)
            }
        };
        r.finish("SPNEGO token")?;
        Ok(token)
    }
}
