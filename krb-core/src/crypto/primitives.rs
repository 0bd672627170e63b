//! Ready-to-use primitive states: an expanded AES key with the Kerberos CBC-CTS mode
//! (RFC 3962 §5), and a keyed HMAC.

use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Aes256, Block};
use hmac::Hmac;
use hmac::digest::{Digest, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384};
use zeroize::Zeroize;

use super::{CryptoError, Etype};

/// The AES block size.
pub(crate) const BLOCK: usize = 16;

/// An expanded AES key (both directions). Zeroized on drop by the `aes` crate.
#[derive(Clone)]
pub(crate) enum AesCipher {
    A128(Aes128),
    A256(Aes256),
}

impl AesCipher {
    /// Expand a 16- or 32-byte AES key; `etype` names the key in the error for another length.
    pub(crate) fn new(etype: Etype, key: &[u8]) -> Result<AesCipher, CryptoError> {
        let bad = || CryptoError::BadKeyLength {
            etype,
            expected: etype.key_len(),
            got: key.len(),
        };
        match key.len() {
            16 => Aes128::new_from_slice(key)
                .map(AesCipher::A128)
                .map_err(|_| bad()),
            32 => Aes256::new_from_slice(key)
                .map(AesCipher::A256)
                .map_err(|_| bad()),
            _ => Err(bad()),
        }
    }

    pub(crate) fn encrypt_block(&self, block: &mut Block) {
        match self {
            AesCipher::A128(c) => c.encrypt_block(block),
            AesCipher::A256(c) => c.encrypt_block(block),
        }
    }

    pub(crate) fn decrypt_block(&self, block: &mut Block) {
        match self {
            AesCipher::A128(c) => c.decrypt_block(block),
            AesCipher::A256(c) => c.decrypt_block(block),
        }
    }

    /// Decrypt many independent blocks (the backend pipelines them).
    fn decrypt_blocks(&self, blocks: &mut [Block]) {
        match self {
            AesCipher::A128(c) => c.decrypt_blocks(blocks),
            AesCipher::A256(c) => c.decrypt_blocks(blocks),
        }
    }
}

fn xor_into(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d ^= *s;
    }
}

/// A block from up to 16 bytes, zero-padded.
fn block_from(bytes: &[u8]) -> Block {
    let mut block = Block::default();
    for (d, s) in block.iter_mut().zip(bytes) {
        *d = *s;
    }
    block
}

/// AES in CBC mode with ciphertext stealing, as Kerberos uses it (RFC 3962 §5), in place.
///
/// An input of exactly one block is plain CBC of that block (AES of the block XOR the IV);
/// a longer one is CBC over the zero-padded input with the last two ciphertext blocks
/// swapped and the result cut to the input's length. Returns the next cipher state (the
/// last full ciphertext block CBC produced), or `None` for an input shorter than a block.
pub(crate) fn cts_encrypt(
    cipher: &AesCipher,
    iv: &[u8; BLOCK],
    data: &mut [u8],
) -> Option<[u8; BLOCK]> {
    if data.len() < BLOCK {
        return None;
    }
    let blocks = data.len().div_ceil(BLOCK);
    let (head, last) = data.split_at_mut_checked(BLOCK * (blocks - 1))?;
    let mut prev = Block::from(*iv);
    if head.is_empty() {
        // Exactly one block: plain CBC.
        xor_into(&mut prev, last);
        cipher.encrypt_block(&mut prev);
        last.copy_from_slice(&prev);
        return Some(prev.into());
    }
    for chunk in head.chunks_exact_mut(BLOCK) {
        xor_into(&mut prev, chunk);
        cipher.encrypt_block(&mut prev);
        chunk.copy_from_slice(&prev);
    }
    // `prev` is C(n-1), the ciphertext of the last full block; the final (possibly partial)
    // block is padded with zeros, so XORing only its bytes into C(n-1) is the CBC step.
    let mut final_block = prev;
    xor_into(&mut final_block, last);
    cipher.encrypt_block(&mut final_block);
    // Swap: C(n) takes the place of C(n-1), and C(n-1) is cut to the final block's length.
    for (d, s) in last.iter_mut().zip(prev.iter()) {
        *d = *s;
    }
    if let Some(penultimate) = head.rchunks_exact_mut(BLOCK).next() {
        penultimate.copy_from_slice(&final_block);
    }
    Some(final_block.into())
}

/// The inverse of [`cts_encrypt`]: decrypts `input` into `out` (of the same length). `None`
/// for an input shorter than a block or an `out` of another length.
pub(crate) fn cts_decrypt(
    cipher: &AesCipher,
    iv: &[u8; BLOCK],
    input: &[u8],
    out: &mut [u8],
) -> Option<()> {
    if input.len() < BLOCK || out.len() != input.len() {
        return None;
    }
    let blocks = input.len().div_ceil(BLOCK);
    if blocks == 1 {
        let mut block = block_from(input);
        cipher.decrypt_block(&mut block);
        xor_into(&mut block, iv);
        out.copy_from_slice(&block);
        return Some(());
    }
    // Blocks before the last two are plain CBC: decrypt them all at once (the AES backend
    // pipelines independent blocks), then XOR each with the ciphertext block before it.
    let head_len = BLOCK * (blocks - 2);
    let (in_head, in_tail) = input.split_at_checked(head_len)?;
    let (out_head, out_tail) = out.split_at_mut_checked(head_len)?;
    out_head.copy_from_slice(in_head);
    let (head_blocks, _) = Array::slice_as_chunks_mut(out_head);
    cipher.decrypt_blocks(head_blocks);
    let mut prev: &[u8] = iv;
    for (o, c) in out_head
        .chunks_exact_mut(BLOCK)
        .zip(in_head.chunks_exact(BLOCK))
    {
        xor_into(o, prev);
        prev = c;
    }
    // The tail: C(n) (a full block, sent in the place of C(n-1)), then the first `d` bytes of
    // C(n-1). Decrypting C(n) gives P(n) XOR C(n-1), with C(n-1)'s missing bytes in clear.
    let (c_n, c_prev_cut) = in_tail.split_at_checked(BLOCK)?;
    let (out_penultimate, out_last) = out_tail.split_at_mut_checked(BLOCK)?;
    let mut x = block_from(c_n);
    cipher.decrypt_block(&mut x);
    for ((o, a), b) in out_last.iter_mut().zip(x.iter()).zip(c_prev_cut) {
        *o = *a ^ *b;
    }
    let mut c_prev = x;
    for (d, s) in c_prev.iter_mut().zip(c_prev_cut) {
        *d = *s;
    }
    cipher.decrypt_block(&mut c_prev);
    xor_into(&mut c_prev, prev);
    out_penultimate.copy_from_slice(&c_prev);
    Some(())
}

/// The hash under an HMAC.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MacAlg {
    Sha1,
    Sha256,
    Sha384,
    #[cfg(feature = "rc4")]
    Md5,
}

/// An HMAC keyed and ready: using it clones the keyed state, so no key setup happens per
/// message. The hash states zeroize on drop (the `zeroize` features of the hash crates).
#[derive(Clone)]
pub(crate) enum HmacKey {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    #[cfg(feature = "rc4")]
    Md5(Hmac<md5::Md5>),
}

/// HMAC keyed with `key`, infallibly: the key is zero-padded to the hash's block size (what
/// HMAC does with a short key), or hashed first if longer (RFC 2104 §2).
macro_rules! keyed_hmac {
    ($hash:ty, $key:expr) => {{
        let key: &[u8] = $key;
        let mut block = hmac::digest::Key::<Hmac<$hash>>::default();
        if key.len() <= block.len() {
            for (d, s) in block.iter_mut().zip(key) {
                *d = *s;
            }
        } else {
            let mut digest = <$hash>::digest(key);
            for (d, s) in block.iter_mut().zip(digest.iter()) {
                *d = *s;
            }
            digest.as_mut_slice().zeroize();
        }
        let mac = <Hmac<$hash> as KeyInit>::new(&block);
        block.as_mut_slice().zeroize();
        mac
    }};
}

/// Feed `parts` to a clone of `mac` and return the full tag.
macro_rules! run_hmac {
    ($mac:expr, $parts:expr) => {{
        let mut mac = $mac.clone();
        for part in $parts {
            mac.update(part);
        }
        mac
    }};
}

impl HmacKey {
    pub(crate) fn new(alg: MacAlg, key: &[u8]) -> HmacKey {
        match alg {
            MacAlg::Sha1 => HmacKey::Sha1(keyed_hmac!(Sha1, key)),
            MacAlg::Sha256 => HmacKey::Sha256(keyed_hmac!(Sha256, key)),
            MacAlg::Sha384 => HmacKey::Sha384(keyed_hmac!(Sha384, key)),
            #[cfg(feature = "rc4")]
            MacAlg::Md5 => HmacKey::Md5(keyed_hmac!(md5::Md5, key)),
        }
    }

    /// HMAC over the concatenation of `parts`, its first `out.len()` bytes written to `out`
    /// (at most the hash length; the rest of `out` is left alone).
    pub(crate) fn tag_into(&self, parts: &[&[u8]], out: &mut [u8]) {
        fn copy_out(mut full: impl AsMut<[u8]>, out: &mut [u8]) {
            for (d, s) in out.iter_mut().zip(full.as_mut().iter()) {
                *d = *s;
            }
            full.as_mut().zeroize();
        }
        match self {
            HmacKey::Sha1(m) => copy_out(run_hmac!(m, parts).finalize().into_bytes(), out),
            HmacKey::Sha256(m) => copy_out(run_hmac!(m, parts).finalize().into_bytes(), out),
            HmacKey::Sha384(m) => copy_out(run_hmac!(m, parts).finalize().into_bytes(), out),
            #[cfg(feature = "rc4")]
            HmacKey::Md5(m) => copy_out(run_hmac!(m, parts).finalize().into_bytes(), out),
        }
    }

    /// Whether `tag` equals the first `tag.len()` bytes of the HMAC over `parts`, compared
    /// in constant time. An empty tag never matches.
    pub(crate) fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        match self {
            HmacKey::Sha1(m) => run_hmac!(m, parts).verify_truncated_left(tag).is_ok(),
            HmacKey::Sha256(m) => run_hmac!(m, parts).verify_truncated_left(tag).is_ok(),
            HmacKey::Sha384(m) => run_hmac!(m, parts).verify_truncated_left(tag).is_ok(),
            #[cfg(feature = "rc4")]
            HmacKey::Md5(m) => run_hmac!(m, parts).verify_truncated_left(tag).is_ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> AesCipher {
        AesCipher::new(Etype::Aes128CtsHmacSha196, b"chicken teriyaki").unwrap()
    }

    /// RFC 3962 §5: an input of exactly one block is plain AES-CBC of that block, with no
    /// swap (RustCrypto's `cts` crate gets this case wrong for Kerberos).
    #[test]
    fn one_block_is_plain_cbc() {
        let c = cipher();
        let iv = [0x5au8; 16];
        let plain: [u8; 16] = *b"I would like the";
        let mut data = plain;
        let next = cts_encrypt(&c, &iv, &mut data).unwrap();
        let mut expected = Block::from(plain);
        xor_into(&mut expected, &iv);
        c.encrypt_block(&mut expected);
        assert_eq!(data.as_slice(), expected.as_slice());
        assert_eq!(next.as_slice(), expected.as_slice());
        let mut back = [0u8; 16];
        cts_decrypt(&c, &iv, &data, &mut back).unwrap();
        assert_eq!(back, plain);
    }

    #[test]
    fn short_input_is_refused() {
        let c = cipher();
        let mut data = [0u8; 15];
        assert!(cts_encrypt(&c, &[0; 16], &mut data).is_none());
        let mut out = [0u8; 15];
        assert!(cts_decrypt(&c, &[0; 16], &data, &mut out).is_none());
        let mut wrong = [0u8; 16];
        assert!(cts_decrypt(&c, &[0; 16], &[0u8; 17], &mut wrong).is_none());
    }

    #[test]
    fn round_trips_with_a_nonzero_iv() {
        let c = cipher();
        let iv = [7u8; 16];
        for len in 16..100 {
            let plain: Vec<u8> = (0..len)
                .map(|i| u8::try_from((i * 7 + 3) % 256).unwrap())
                .collect();
            let mut data = plain.clone();
            cts_encrypt(&c, &iv, &mut data).unwrap();
            assert_ne!(data, plain);
            let mut back = vec![0u8; len];
            cts_decrypt(&c, &iv, &data, &mut back).unwrap();
            assert_eq!(back, plain, "length {len}");
        }
    }

    #[test]
    fn hmac_of_long_key_hashes_it() {
        // RFC 2202 test case 6: an 80-byte key (longer than the SHA-1 block) is hashed first.
        let key = [0xaau8; 80];
        let mut out = [0u8; 20];
        HmacKey::new(MacAlg::Sha1, &key).tag_into(
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
            &mut out,
        );
        assert_eq!(
            out.to_vec(),
            [
                0xaa, 0x4a, 0xe5, 0xe1, 0x52, 0x72, 0xd0, 0x0e, 0x95, 0x70, 0x56, 0x37, 0xce, 0x8a,
                0x3b, 0x55, 0xed, 0x40, 0x21, 0x12
            ]
        );
    }
}
