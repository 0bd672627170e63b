//! A minimal, test-only aes128/aes256-cts-hmac-sha1-96 decryption (RFC 3961 §5.3, RFC 3962),
//! so that the decoders can be run on the real plaintexts inside the fixtures. It is not the
//! product's crypto (that is `krb_core::crypto`); it checks the HMAC with `==` because it only
//! ever sees test data.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// RFC 3961 §5.1 n-fold of `input` to `n` bytes (the algorithm of MIT's krb5int_nfold).
pub fn nfold(input: &[u8], n: usize) -> Vec<u8> {
    let k = input.len();
    let gcd = {
        let (mut a, mut b) = (n, k);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let lcm = n * k / gcd;
    let mut out = vec![0u8; n];
    let mut byte: u32 = 0;
    for i in (0..lcm).rev() {
        let msbit = ((k << 3) - 1 + ((k << 3) + 13) * (i / k) + ((k - (i % k)) << 3)) % (k << 3);
        let hi = u32::from(input[((k - 1) - (msbit >> 3)) % k]);
        let lo = u32::from(input[(k - (msbit >> 3)) % k]);
        byte += (((hi << 8) | lo) >> ((msbit & 7) + 1)) & 0xff;
        byte += u32::from(out[i % n]);
        out[i % n] = (byte & 0xff) as u8;
        byte >>= 8;
    }
    if byte != 0 {
        for i in (0..n).rev() {
            byte += u32::from(out[i]);
            out[i] = (byte & 0xff) as u8;
            byte >>= 8;
        }
    }
    out
}

fn encrypt_block(key: &[u8], block: &mut [u8; 16]) {
    let mut b = aes::Block::from(*block);
    match key.len() {
        16 => aes::Aes128::new_from_slice(key)
            .unwrap()
            .encrypt_block(&mut b),
        32 => aes::Aes256::new_from_slice(key)
            .unwrap()
            .encrypt_block(&mut b),
        other => panic!("AES key of {other} bytes"),
    }
    block.copy_from_slice(&b);
}

fn decrypt_block(key: &[u8], block: &[u8]) -> [u8; 16] {
    let mut b = aes::Block::try_from(block).unwrap();
    match key.len() {
        16 => aes::Aes128::new_from_slice(key)
            .unwrap()
            .decrypt_block(&mut b),
        32 => aes::Aes256::new_from_slice(key)
            .unwrap()
            .decrypt_block(&mut b),
        other => panic!("AES key of {other} bytes"),
    }
    b.into()
}

/// RFC 3961 §5.1 DK(key, constant) for the AES profiles (random-to-key is the identity).
pub fn derive(key: &[u8], constant: &[u8]) -> Vec<u8> {
    let mut state: [u8; 16] = nfold(constant, 16).try_into().unwrap();
    let mut out = Vec::new();
    while out.len() < key.len() {
        encrypt_block(key, &mut state);
        out.extend_from_slice(&state);
    }
    out.truncate(key.len());
    out
}

/// CBC with ciphertext stealing (the last two blocks swapped), IV zero.
fn cts_decrypt(key: &[u8], c: &[u8]) -> Vec<u8> {
    assert!(c.len() >= 16);
    if c.len() == 16 {
        return decrypt_block(key, c).to_vec();
    }
    let n = c.len().div_ceil(16);
    let d = c.len() - (n - 1) * 16; // bytes in the last block, 1..=16
    let mut prev = [0u8; 16];
    let mut out = Vec::with_capacity(c.len());
    for i in 0..n - 2 {
        let block = &c[i * 16..i * 16 + 16];
        let p = decrypt_block(key, block);
        out.extend(p.iter().zip(prev).map(|(a, b)| a ^ b));
        prev.copy_from_slice(block);
    }
    let penultimate = &c[(n - 2) * 16..(n - 1) * 16];
    let last = &c[(n - 1) * 16..];
    let dd = decrypt_block(key, penultimate);
    let mut full = [0u8; 16];
    full[..d].copy_from_slice(last);
    full[d..].copy_from_slice(&dd[d..]);
    let pn_1 = decrypt_block(key, &full);
    out.extend(pn_1.iter().zip(prev).map(|(a, b)| a ^ b));
    out.extend(dd[..d].iter().zip(last).map(|(a, b)| a ^ b));
    out
}

/// Decrypts `cipher` (confounder, CTS ciphertext, 12-byte HMAC) with the base key and key
/// usage; `None` when the HMAC does not match.
pub fn decrypt(base_key: &[u8], usage: u32, cipher: &[u8]) -> Option<Vec<u8>> {
    let (ct, mac) = cipher.split_at(cipher.len().checked_sub(12)?);
    let mut ke = usage.to_be_bytes().to_vec();
    ke.push(0xaa);
    let mut ki = usage.to_be_bytes().to_vec();
    ki.push(0x55);
    let ke = derive(base_key, &ke);
    let ki = derive(base_key, &ki);
    let plain = cts_decrypt(&ke, ct);
    let mut h = <Hmac<Sha1> as KeyInit>::new_from_slice(&ki).unwrap();
    h.update(&plain);
    if h.finalize().into_bytes()[..12] != *mac {
        return None;
    }
    Some(plain[16..].to_vec())
}

/// The RFC 3961 §A.1 n-fold vectors, so that a broken helper cannot pass silently.
pub fn self_test() {
    assert_eq!(nfold(b"012345", 8), hex("be072631276b1955"));
    assert_eq!(nfold(b"password", 7), hex("78a07b6caf85fa"));
    assert_eq!(nfold(b"kerberos", 8), hex("6b65726265726f73"));
    assert_eq!(
        nfold(b"kerberos", 16),
        hex("6b65726265726f737b9b5b2b93132b93")
    );
}

/// Bytes from hex.
pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
