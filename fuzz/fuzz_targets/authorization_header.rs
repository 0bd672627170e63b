//! The proxy's `Authorization` header path, end to end short of HTTP: the header value as the
//! client sent it, split into scheme and token the way `krb_proxy::handler` does (the proxy has
//! no public parsing function; this is its sequence of steps: case-insensitive `Negotiate`,
//! trimmed token, the size limit, standard base64, then the acceptor with the fixed key).
//! Never a panic, and an accepted token must name the fixed service.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The proxy's default `limits.max_token_bytes`.
const MAX_TOKEN_BYTES: usize = 64 * 1024;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("negotiate") {
        return;
    }
    let encoded = encoded.trim();
    if encoded.is_empty() || encoded.len() > MAX_TOKEN_BYTES.saturating_mul(4) / 3 + 4 {
        return;
    }
    let Ok(token) = STANDARD.decode(encoded) else {
        return;
    };
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
        return;
    }
    match krb_fuzz::acceptor().accept(&token, krb_fuzz::now(), None) {
        Ok(ok) => assert_eq!(ok.ticket.service, krb_fuzz::service()),
        Err(e) => {
            let _ = (e.to_string(), e.code().name(), e.label());
        }
    }
});
