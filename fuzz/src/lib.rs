//! Shared pieces of the fuzz targets: the fixed keys of the known-key mode, the acceptor that
//! holds them, and the framings a token can come in.
//!
//! The keys and the time are the same as the hostile-input suite's
//! (`krb-core/tests/hostile.rs`, `testdata/hostile/`), so the seeds it writes into
//! `testdata/hostile/fuzz-seeds/` are valid inputs of `acceptor_known_key`.
#![forbid(unsafe_code)]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use krb_core::Oid;
use krb_core::acceptor::{Acceptor, Policy, ServiceKeys};
use krb_core::crypto::{Etype, Key};
use krb_core::gss::{TokenId, encode_krb5_token};
use krb_core::principal::Principal;
use krb_core::spnego::{NegTokenInit, encode_mech_types};

/// The acceptor's clock: 2027-01-15T08:00:00Z.
pub const NOW: u64 = 1_800_000_000;
/// The service the fixed key belongs to.
pub const SERVICE: &str = "HTTP/api.example.test@EXAMPLE.TEST";
/// The fixed key's version number.
pub const KVNO: u32 = 3;
/// The service's long-term key (aes256-cts-hmac-sha1-96). Test data only.
pub const SERVICE_KEY: [u8; 32] = *b"fixed-service-key-hostile-cases!";
/// The session key the known-key target encrypts authenticators with (aes256-cts-hmac-sha1-96).
pub const SESSION_KEY: [u8; 32] = *b"fixed-session-key-hostile-cases!";

/// `NOW` as a `SystemTime`.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

/// The fixed service key.
pub fn service_key() -> Key {
    Key::new(Etype::Aes256CtsHmacSha196, &SERVICE_KEY).unwrap_or_else(|_| unreachable!())
}

/// The fixed session key.
pub fn session_key() -> Key {
    Key::new(Etype::Aes256CtsHmacSha196, &SESSION_KEY).unwrap_or_else(|_| unreachable!())
}

/// The service principal.
pub fn service() -> Principal {
    Principal::parse(SERVICE, None).unwrap_or_else(|_| unreachable!())
}

/// One acceptor for the whole run, holding the fixed key. Its replay cache is off: a fuzzer
/// sends millions of distinct authenticators, and a cache would only grow.
pub fn acceptor() -> &'static Acceptor {
    static ACCEPTOR: OnceLock<Acceptor> = OnceLock::new();
    ACCEPTOR.get_or_init(|| {
        let mut keys = ServiceKeys::new();
        keys.add(service(), KVNO, service_key());
        let mut policy = Policy::default();
        policy.danger.disable_replay_cache = true;
        Acceptor::new(keys, policy)
    })
}

/// Frames a DER AP-REQ as a Negotiate token: `selector % 4` picks a bare AP-REQ, a Kerberos
/// GSS-API token, SPNEGO with the Kerberos OID first, or SPNEGO with Microsoft's Kerberos OID.
pub fn frame(selector: u8, ap_req: &[u8]) -> Vec<u8> {
    match selector % 4 {
        0 => ap_req.to_vec(),
        1 => encode_krb5_token(Oid::KRB5, TokenId::ApReq, ap_req),
        n => {
            let mech = if n == 2 { Oid::KRB5 } else { Oid::KRB5_MS };
            let mech_types = vec![mech, Oid::NTLMSSP];
            let list = encode_mech_types(&mech_types);
            let inner = encode_krb5_token(mech, TokenId::ApReq, ap_req);
            NegTokenInit {
                mech_types,
                mech_types_der: &list,
                req_flags: None,
                mech_token: Some(&inner),
                neg_hints: None,
                mech_list_mic: None,
            }
            .encode()
        }
    }
}
