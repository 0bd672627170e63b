//! Sealed session cookies: after a successful Negotiate, the proxy can hand out a value that binds
//! the principal and an expiry, encrypted and authenticated with AES-256-GCM. A request that
//! presents it (as the cookie, or as `Authorization: Bearer <value>`) skips Kerberos.
//!
//! Format:
//!
//! ```text
//! base64url(nonce[12] || AES-256-GCM(key, nonce, aad = "krb-proxy session v1", plaintext))
//! plaintext = version[1] || expiry unix seconds[8, big endian]
//!             || principal length[2, big endian] || principal UTF-8
//!             || groups UTF-8, separated by newlines
//! ```

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const AAD: &[u8] = b"krb-proxy session v1";
const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
/// Longest sealed value issued or accepted (browsers keep cookies up to about 4 KiB).
pub const MAX_SEALED_LEN: usize = 3800;

/// What a session carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClaims {
    /// The client principal.
    pub principal: String,
    /// The client's groups when the session was issued.
    pub groups: Vec<String>,
    /// When the session ends.
    pub expires: SystemTime,
}

/// Where the key came from (for `check` and the logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Read from `session.key_file`.
    File,
    /// Generated at start: sessions end on restart and are not shared by replicas.
    Generated,
}

/// The session sealer. The key zeroizes on drop (aes-gcm's `zeroize` feature); Debug shows no key.
pub struct SessionKeys {
    cipher: Aes256Gcm,
    /// Where the key came from.
    pub source: KeySource,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("source", &self.source)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Why a session value was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// Not base64, too short or too long.
    Malformed,
    /// The seal did not verify: tampered, or sealed with another key (e.g. before a restart).
    BadSeal,
    /// Past its expiry.
    Expired,
}

impl SessionError {
    /// A short reason for the 401 body and the log.
    pub fn reason(self) -> &'static str {
        match self {
            SessionError::Malformed => "session token is malformed",
            SessionError::BadSeal => {
                "session token does not verify (tampered, or issued before a key change)"
            }
            SessionError::Expired => "session token expired",
        }
    }
}

impl SessionKeys {
    /// A key from 32 bytes.
    pub fn from_bytes(key: &[u8; 32], source: KeySource) -> SessionKeys {
        SessionKeys {
            cipher: Aes256Gcm::new(key.into()),
            source,
        }
    }

    /// A fresh random key.
    pub fn generate() -> Result<SessionKeys, String> {
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut())
            .map_err(|e| format!("no randomness for the session key: {e}"))?;
        Ok(SessionKeys::from_bytes(&key, KeySource::Generated))
    }

    /// Reads a key file: exactly 32 bytes, or 64 hex characters (surrounding whitespace ignored).
    pub fn from_file(path: &Path) -> Result<SessionKeys, String> {
        let data = zeroize::Zeroizing::new(
            std::fs::read(path)
                .map_err(|e| format!("cannot read session key file {}: {e}", path.display()))?,
        );
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        if data.len() == 32 {
            key.copy_from_slice(&data);
        } else {
            let text = data.trim_ascii();
            if text.len() != 64 {
                return Err(format!(
                    "session key file {} holds {} bytes; it must hold 32 raw bytes or 64 hex characters \
                     (make one with: head -c 32 /dev/urandom > FILE)",
                    path.display(),
                    data.len()
                ));
            }
            for (out, pair) in key.iter_mut().zip(text.chunks_exact(2)) {
                let hi = hex_value(pair.first().copied());
                let lo = hex_value(pair.get(1).copied());
                match (hi, lo) {
                    (Some(h), Some(l)) => *out = (h << 4) | l,
                    _ => {
                        return Err(format!(
                            "session key file {} is 64 characters but not hex",
                            path.display()
                        ));
                    }
                }
            }
        }
        Ok(SessionKeys::from_bytes(&key, KeySource::File))
    }

    /// Seals `principal` and `groups` until `expires`. Fails when the result would be too long
    /// for a cookie (then no session is issued).
    pub fn seal(
        &self,
        principal: &str,
        groups: &[String],
        expires: SystemTime,
    ) -> Result<String, String> {
        let secs = expires
            .duration_since(UNIX_EPOCH)
            .map_err(|_| "session expiry before 1970".to_owned())?
            .as_secs();
        let name_len =
            u16::try_from(principal.len()).map_err(|_| "principal name too long".to_owned())?;
        let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(11 + principal.len()));
        plain.push(VERSION);
        plain.extend_from_slice(&secs.to_be_bytes());
        plain.extend_from_slice(&name_len.to_be_bytes());
        plain.extend_from_slice(principal.as_bytes());
        for (i, g) in groups.iter().filter(|g| !g.contains('\n')).enumerate() {
            if i > 0 {
                plain.push(b'\n');
            }
            plain.extend_from_slice(g.as_bytes());
        }
        // base64 of nonce + plaintext + tag
        if (NONCE_LEN + plain.len() + 16).div_ceil(3) * 4 > MAX_SEALED_LEN {
            return Err("session would be too long for a cookie (too many groups)".to_owned());
        }
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| format!("no randomness for a session nonce: {e}"))?;
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &plain,
                    aad: AAD,
                },
            )
            .map_err(|_| "session sealing failed".to_owned())?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// Opens a sealed value.
    pub fn open(&self, value: &str, now: SystemTime) -> Result<SessionClaims, SessionError> {
        if value.len() > MAX_SEALED_LEN {
            return Err(SessionError::Malformed);
        }
        let raw = URL_SAFE_NO_PAD
            .decode(value.as_bytes())
            .map_err(|_| SessionError::Malformed)?;
        let (nonce, sealed) = raw
            .split_at_checked(NONCE_LEN)
            .ok_or(SessionError::Malformed)?;
        let nonce = Nonce::try_from(nonce).map_err(|_| SessionError::Malformed)?;
        let plain = zeroize::Zeroizing::new(
            self.cipher
                .decrypt(
                    &nonce,
                    Payload {
                        msg: sealed,
                        aad: AAD,
                    },
                )
                .map_err(|_| SessionError::BadSeal)?,
        );
        let (head, rest) = plain.split_at_checked(11).ok_or(SessionError::Malformed)?;
        let (version, head) = head.split_first().ok_or(SessionError::Malformed)?;
        if *version != VERSION {
            return Err(SessionError::Malformed);
        }
        let (secs, name_len) = head.split_at_checked(8).ok_or(SessionError::Malformed)?;
        let secs = u64::from_be_bytes(secs.try_into().map_err(|_| SessionError::Malformed)?);
        let name_len =
            u16::from_be_bytes(name_len.try_into().map_err(|_| SessionError::Malformed)?);
        let expires = UNIX_EPOCH
            .checked_add(Duration::from_secs(secs))
            .ok_or(SessionError::Malformed)?;
        if expires <= now {
            return Err(SessionError::Expired);
        }
        let (name, groups) = rest
            .split_at_checked(usize::from(name_len))
            .ok_or(SessionError::Malformed)?;
        let principal = std::str::from_utf8(name).map_err(|_| SessionError::Malformed)?;
        let groups = std::str::from_utf8(groups).map_err(|_| SessionError::Malformed)?;
        Ok(SessionClaims {
            principal: principal.to_owned(),
            groups: if groups.is_empty() {
                Vec::new()
            } else {
                groups.split('\n').map(str::to_owned).collect()
            },
            expires,
        })
    }
}

fn hex_value(c: Option<u8>) -> Option<u8> {
    match c? {
        c @ b'0'..=b'9' => Some(c - b'0'),
        c @ b'a'..=b'f' => Some(c - b'a' + 10),
        c @ b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Finds the cookie `name` in `Cookie` header values.
pub fn find_cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// Removes the cookie `name` from the `Cookie` headers (the upstream never sees the session).
pub fn strip_cookie(headers: &mut http::HeaderMap, name: &str) {
    if find_cookie(headers, name).is_none() {
        return;
    }
    let kept: Vec<String> = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty() && pair.split_once('=').is_none_or(|(k, _)| k != name))
        .map(str::to_owned)
        .collect();
    headers.remove(http::header::COOKIE);
    if !kept.is_empty()
        && let Ok(v) = http::HeaderValue::from_str(&kept.join("; "))
    {
        headers.insert(http::header::COOKIE, v);
    }
}

/// The `Set-Cookie` value for a new session.
pub fn set_cookie(name: &str, value: &str, max_age: Duration, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        max_age.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_tamper_expire() {
        let keys = SessionKeys::generate().unwrap();
        let now = SystemTime::now();
        let groups = vec!["admins".to_owned(), "dev ops".to_owned()];
        let v = keys
            .seal("alice@EXAMPLE.TEST", &groups, now + Duration::from_secs(60))
            .unwrap();
        let c = keys.open(&v, now).unwrap();
        assert_eq!(c.principal, "alice@EXAMPLE.TEST");
        assert_eq!(c.groups, groups);
        let v0 = keys
            .seal("bob@R", &[], now + Duration::from_secs(60))
            .unwrap();
        assert_eq!(keys.open(&v0, now).unwrap().groups, Vec::<String>::new());
        let many: Vec<String> = (0..500).map(|i| format!("group-{i}")).collect();
        let e = keys.seal("alice@EXAMPLE.TEST", &many, now).unwrap_err();
        assert!(e.contains("too long"), "{e}");
        assert_eq!(
            keys.open(&v, now + Duration::from_secs(61)),
            Err(SessionError::Expired)
        );
        let mut raw = URL_SAFE_NO_PAD.decode(&v).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert_eq!(
            keys.open(&URL_SAFE_NO_PAD.encode(raw), now),
            Err(SessionError::BadSeal)
        );
        let other = SessionKeys::generate().unwrap();
        assert_eq!(other.open(&v, now), Err(SessionError::BadSeal));
        assert_eq!(keys.open("!!", now), Err(SessionError::Malformed));
        assert_eq!(keys.open("", now), Err(SessionError::Malformed));
    }

    #[test]
    fn cookies() {
        let mut h = http::HeaderMap::new();
        h.append(
            http::header::COOKIE,
            "a=1; krb_proxy_session=xyz".parse().unwrap(),
        );
        h.append(http::header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(find_cookie(&h, "krb_proxy_session"), Some("xyz"));
        strip_cookie(&mut h, "krb_proxy_session");
        assert_eq!(h.get(http::header::COOKIE).unwrap(), "a=1; b=2");
        assert_eq!(find_cookie(&h, "krb_proxy_session"), None);
    }

    #[test]
    fn key_file_forms() {
        let dir = std::env::temp_dir().join(format!("krbp-sess-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let hex = dir.join("hex");
        std::fs::write(&hex, format!("{}\n", "ab".repeat(32))).unwrap();
        let raw = dir.join("raw");
        std::fs::write(&raw, [0xabu8; 32]).unwrap();
        let now = SystemTime::now();
        let a = SessionKeys::from_file(&hex).unwrap();
        let b = SessionKeys::from_file(&raw).unwrap();
        let v = a.seal("bob@R", &[], now + Duration::from_secs(5)).unwrap();
        assert_eq!(b.open(&v, now).unwrap().principal, "bob@R");
        let bad = dir.join("bad");
        std::fs::write(&bad, "short").unwrap();
        assert!(
            SessionKeys::from_file(&bad)
                .unwrap_err()
                .contains("32 raw bytes")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
