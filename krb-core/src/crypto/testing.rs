//! Internals exposed for the RFC test-vector tests. **Not a stable API**: hidden from the
//! docs, and it may change without notice. Nothing here gives more than the caller already
//! has (a key it holds, or public constructions).

use super::nfold::DerivedKind;
use super::primitives::{AesCipher, BLOCK, cts_decrypt, cts_encrypt};
use super::{CryptoError, Etype, Key, KeyUsage};

/// n-fold `input` to `out_len` bytes (RFC 3961 §5.1).
pub fn nfold(input: &[u8], out_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_len];
    super::nfold::nfold(input, &mut out);
    out
}

/// Kerberos AES-CTS encryption (RFC 3962 §5) of `plaintext` (at least 16 bytes) under a raw
/// 16- or 32-byte AES key and an IV; returns the ciphertext and the next IV.
pub fn aes_cts_encrypt(
    key: &[u8],
    iv: &[u8; 16],
    plaintext: &[u8],
) -> Result<(Vec<u8>, [u8; 16]), CryptoError> {
    let cipher = AesCipher::new(aes_etype(key), key)?;
    let mut data = plaintext.to_vec();
    let next = cts_encrypt(&cipher, iv, &mut data).ok_or(CryptoError::CiphertextTooShort {
        etype: aes_etype(key),
        len: plaintext.len(),
        min: BLOCK,
    })?;
    Ok((data, next))
}

/// Kerberos AES-CTS decryption (RFC 3962 §5) under a raw AES key and an IV.
pub fn aes_cts_decrypt(
    key: &[u8],
    iv: &[u8; 16],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = AesCipher::new(aes_etype(key), key)?;
    let mut out = vec![0u8; ciphertext.len()];
    cts_decrypt(&cipher, iv, ciphertext, &mut out).ok_or(CryptoError::CiphertextTooShort {
        etype: aes_etype(key),
        len: ciphertext.len(),
        min: BLOCK,
    })?;
    Ok(out)
}

fn aes_etype(key: &[u8]) -> Etype {
    if key.len() == 32 {
        Etype::Aes256CtsHmacSha196
    } else {
        Etype::Aes128CtsHmacSha196
    }
}

/// Which derived key [`derived_key`] returns.
#[derive(Clone, Copy, Debug)]
pub enum Derived {
    /// Kc, the checksum key (constant byte 0x99).
    Kc,
    /// Ke, the encryption key (0xAA).
    Ke,
    /// Ki, the integrity key (0x55).
    Ki,
}

/// The bytes of the derived key Kc, Ke or Ki of an AES key for `usage` (RFC 3961 §5.3 DK for
/// RFC 3962, KDF-HMAC-SHA2 for RFC 8009). Empty for rc4-hmac.
pub fn derived_key(key: &Key, usage: KeyUsage, which: Derived) -> Vec<u8> {
    let kind = match which {
        Derived::Kc => DerivedKind::Checksum,
        Derived::Ke => DerivedKind::Encryption,
        Derived::Ki => DerivedKind::Integrity,
    };
    key.derive_bytes(usage.0, kind).to_vec()
}

/// PBKDF2-HMAC-SHA1, the first step of RFC 3962 string-to-key.
pub fn pbkdf2_hmac_sha1(password: &[u8], salt: &[u8], iterations: u32, out_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_len];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, &mut out);
    out
}
