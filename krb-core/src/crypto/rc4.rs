//! rc4-hmac, etype 23 (RFC 4757). Compiled only with the `rc4` feature: RC4, MD4 and MD5
//! are broken, and this exists to talk to old Active Directory accounts.

use md4::{Digest, Md4};
use md5::Md5;
use rc4::{KeyInit, Rc4, StreamCipher};
use zeroize::{Zeroize, Zeroizing};

use super::CryptoError;
use super::Etype;
use super::key::Base;
use super::primitives::{HmacKey, MacAlg};

/// Length of the HMAC-MD5 checksum at the front of a ciphertext.
const CHECKSUM: usize = 16;
/// Length of the confounder.
const CONFOUNDER: usize = 8;

/// The base state of an rc4-hmac key: HMAC keyed with it, and Ksign = HMAC(K,
/// "signaturekey\0") keyed and ready.
pub(crate) fn base(key: &[u8]) -> Base {
    let key_mac = HmacKey::new(MacAlg::Md5, key);
    let mut ksign = Zeroizing::new([0u8; 16]);
    key_mac.tag_into(&[b"signaturekey\0"], ksign.as_mut_slice());
    Base::Rc4 {
        key: key_mac,
        ksign: HmacKey::new(MacAlg::Md5, ksign.as_slice()),
    }
}

/// The Microsoft usage number for a Kerberos key usage (as MIT translates it).
fn ms_usage(usage: u32) -> u32 {
    match usage {
        3 => 8,
        23 => 13,
        other => other,
    }
}

/// K1 = HMAC-MD5(K, usage as 32 bits little-endian), keyed and ready.
pub(crate) fn usage_key(key: &HmacKey, usage: u32) -> HmacKey {
    let mut k1 = Zeroizing::new([0u8; 16]);
    key.tag_into(&[&ms_usage(usage).to_le_bytes()], k1.as_mut_slice());
    HmacKey::new(MacAlg::Md5, k1.as_slice())
}

/// RC4 keyed with K3 = HMAC-MD5(K1, checksum).
fn keystream(k1: &HmacKey, checksum: &[u8]) -> Option<Rc4> {
    let mut k3 = Zeroizing::new([0u8; 16]);
    k1.tag_into(&[checksum], k3.as_mut_slice());
    Rc4::new_from_slice(k3.as_slice()).ok()
}

/// checksum = HMAC-MD5(K1, confounder | plaintext); output checksum | RC4(K3, confounder |
/// plaintext).
pub(crate) fn encrypt(k1: &HmacKey, confounder: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHECKSUM + confounder.len() + plaintext.len());
    out.extend_from_slice(&[0u8; CHECKSUM]);
    out.extend_from_slice(confounder);
    out.extend_from_slice(plaintext);
    let mid = CHECKSUM.min(out.len());
    let (checksum, data) = out.split_at_mut(mid);
    k1.tag_into(&[data], checksum);
    if let Some(mut rc4) = keystream(k1, checksum) {
        rc4.apply_keystream(data);
    }
    out
}

/// The inverse of [`encrypt`]; `None` if the checksum does not match.
pub(crate) fn decrypt(k1: &HmacKey, ciphertext: &[u8]) -> Option<Vec<u8>> {
    let (checksum, data) = ciphertext.split_at_checked(CHECKSUM)?;
    if data.len() < CONFOUNDER {
        return None;
    }
    let mut out = data.to_vec();
    keystream(k1, checksum)?.apply_keystream(&mut out);
    if !k1.verify(&[&out], checksum) {
        out.zeroize();
        return None;
    }
    out.drain(..CONFOUNDER);
    Some(out)
}

/// The hmac-md5 checksum (-138): HMAC-MD5(Ksign, MD5(usage little-endian | data)).
pub(crate) fn checksum(ksign: &HmacKey, usage: u32, data: &[u8], out: &mut [u8]) {
    let inner = Md5::new()
        .chain_update(ms_usage(usage).to_le_bytes())
        .chain_update(data)
        .finalize();
    ksign.tag_into(&[&inner], out);
}

/// Constant-time check of an hmac-md5 checksum.
pub(crate) fn verify_checksum(ksign: &HmacKey, usage: u32, data: &[u8], tag: &[u8]) -> bool {
    let inner = Md5::new()
        .chain_update(ms_usage(usage).to_le_bytes())
        .chain_update(data)
        .finalize();
    ksign.verify(&[&inner], tag)
}

/// The rc4-hmac PRF: HMAC-SHA1(key, input), 20 bytes (as MIT and Heimdal compute it).
pub(crate) fn prf(key: &[u8], input: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 20];
    HmacKey::new(MacAlg::Sha1, key).tag_into(&[input], &mut out);
    out
}

/// string-to-key: MD4 of the password in UTF-16 little-endian (the NT hash).
pub(crate) fn string_to_key(password: &[u8]) -> Result<Zeroizing<[u8; 16]>, CryptoError> {
    let text = core::str::from_utf8(password).map_err(|_| CryptoError::PasswordNotUtf8 {
        etype: Etype::Rc4Hmac,
    })?;
    let mut hasher = Md4::new();
    let mut unit = [0u8; 2];
    for u in text.encode_utf16() {
        unit = u.to_le_bytes();
        hasher.update(unit);
    }
    unit.zeroize();
    let mut digest = hasher.finalize();
    let mut key = Zeroizing::new([0u8; 16]);
    for (d, s) in key.iter_mut().zip(digest.iter()) {
        *d = *s;
    }
    digest.as_mut_slice().zeroize();
    Ok(key)
}
