//! Any bytes into the GSS-API and SPNEGO parsers: `parse_negotiate` (what the acceptor runs
//! first on every `Authorization: Negotiate` token), `Krb5Token::decode`,
//! `NegotiationToken::decode`, `NegTokenInit::decode`, `NegTokenResp::decode` and
//! `GssChecksum::decode`. Ok or Err, never a panic; what decodes re-encodes and decodes back.
#![no_main]

use krb_core::gss::{GssChecksum, Krb5Token};
use krb_core::spnego::{NegTokenInit, NegTokenResp, NegotiationToken};
use krb_core::token::parse_negotiate;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match parse_negotiate(data) {
        Ok(t) => {
            if let Some(ap) = t.ap_req() {
                assert!(ap.ap_req_der.len() <= data.len());
            }
            let _ = format!("{t:?}");
        }
        Err(e) => {
            let _ = (e.to_string(), e.krb_error_code());
        }
    }
    if let Ok(t) = Krb5Token::decode(data) {
        assert_eq!(t.encode(), data, "a DER GSS-API token re-encodes to itself");
    }
    let _ = NegotiationToken::decode(data);
    if let Ok(init) = NegTokenInit::decode(data) {
        let again = init.encode();
        let back = NegTokenInit::decode(&again).expect("our own NegTokenInit decodes");
        assert_eq!(back.mech_types, init.mech_types);
        assert_eq!(
            (back.req_flags, back.mech_token),
            (init.req_flags, init.mech_token)
        );
        assert_eq!(
            (back.neg_hints, back.mech_list_mic),
            (init.neg_hints, init.mech_list_mic)
        );
        let _ = init.krb5_mech();
    }
    if let Ok(resp) = NegTokenResp::decode(data) {
        assert_eq!(NegTokenResp::decode(&resp.encode()), Ok(resp));
    }
    if let Ok(g) = GssChecksum::decode(data) {
        if let Some(again) = g.encode() {
            assert_eq!(GssChecksum::decode(&again), Ok(g));
        }
        let _ = g.has_no_channel_binding();
    }
});
