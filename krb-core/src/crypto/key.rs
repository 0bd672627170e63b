//! [`Key`]: a protocol key with its per-usage derived keys cached, and the encryption,
//! checksum, PRF and string-to-key operations of each profile.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha384};
use zeroize::{Zeroize, Zeroizing};

use super::nfold::{DerivedKind, nfold, nfolded_constant, usage_constant};
use super::primitives::{AesCipher, BLOCK, HmacKey, MacAlg, cts_decrypt, cts_encrypt};
use super::{CryptoError, Etype, KeyUsage};

/// How many key usages keep their derived keys in the key's cache (see [`cache_slot`]).
pub(crate) const CACHED_USAGES: usize = 16;

/// The cache slot of the key usages an application server and its clients use: the ticket
/// (2), the AP exchange (10, 11, 12), KRB-CRED (14), KRB-SAFE/PRIV (13, 15), the GSS-API
/// tokens (22 to 25) and the KDC exchange's (1, 3, 7, 8, 9). Other usages are derived on each
/// use. A small table keeps a session key, made for every request, cheap to build and drop.
fn cache_slot(usage: u32) -> Option<usize> {
    Some(match usage {
        1 => 0,
        2 => 1,
        3 => 2,
        7 => 3,
        8 => 4,
        9 => 5,
        10 => 6,
        11 => 7,
        12 => 8,
        13 => 9,
        14 => 10,
        15 => 11,
        22 => 12,
        23 => 13,
        24 => 14,
        25 => 15,
        _ => return None,
    })
}

/// The AES confounder length (one block).
const AES_CONFOUNDER: usize = BLOCK;

/// The highest string-to-key iteration count accepted (MIT's limit).
const MAX_ITERATIONS: u32 = 0x0100_0000;

/// A Kerberos protocol key of one etype.
///
/// The derived keys each key usage needs (Ke, Ki, Kc) are derived the first time the usage
/// is used and kept, as expanded AES key schedules and keyed HMAC states, so later calls do
/// no key setup. Clones share that cache. Everything secret (the raw key, the derived
/// states) is zeroized when the last clone is dropped. `Debug` prints the etype only, and
/// there is deliberately no `PartialEq`.
#[derive(Clone)]
pub struct Key {
    inner: Arc<Inner>,
}

struct Inner {
    etype: Etype,
    raw: Zeroizing<Vec<u8>>,
    base: Base,
    enc: [OnceLock<Box<UsageKeys>>; CACHED_USAGES],
    cksum: [OnceLock<Box<HmacKey>>; CACHED_USAGES],
}

/// What the derivations of each profile key off the base key.
pub(crate) enum Base {
    /// RFC 3962: DK encrypts with the base key.
    AesSha1(AesCipher),
    /// RFC 8009: KDF-HMAC-SHA2 is an HMAC keyed with the base key.
    AesSha2(HmacKey),
    /// RFC 4757: HMAC-MD5 keyed with the key, and the usage-independent signing key.
    #[cfg(feature = "rc4")]
    Rc4 { key: HmacKey, ksign: HmacKey },
}

/// The keys one usage encrypts and decrypts with. (The AES variant is the big one; the cache
/// boxes each entry anyway.)
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum UsageKeys {
    Aes {
        ke: AesCipher,
        ki: HmacKey,
    },
    #[cfg(feature = "rc4")]
    Rc4 {
        k1: HmacKey,
    },
}

/// The HMAC of each AES etype's integrity and checksum keys.
fn aes_mac_alg(etype: Etype) -> MacAlg {
    match etype {
        Etype::Aes128CtsHmacSha256128 => MacAlg::Sha256,
        Etype::Aes256CtsHmacSha384192 => MacAlg::Sha384,
        _ => MacAlg::Sha1,
    }
}

/// The length of Ki and Kc: the key length for RFC 3962, the truncated HMAC length for
/// RFC 8009 (§5: 128 and 192 bits).
fn integrity_key_len(etype: Etype) -> usize {
    match etype {
        Etype::Aes128CtsHmacSha256128 => 16,
        Etype::Aes256CtsHmacSha384192 => 24,
        other => other.key_len(),
    }
}

impl Key {
    /// A key of `etype` from its raw bytes (from a keytab, or a session key from a ticket).
    ///
    /// Fails with [`CryptoError::BadKeyLength`] if the length is not the etype's, and with
    /// [`CryptoError::Rc4Disabled`] for rc4-hmac without the `rc4` feature.
    pub fn new(etype: Etype, bytes: &[u8]) -> Result<Key, CryptoError> {
        etype.check_supported()?;
        if bytes.len() != etype.key_len() {
            return Err(CryptoError::BadKeyLength {
                etype,
                expected: etype.key_len(),
                got: bytes.len(),
            });
        }
        let base = match etype {
            Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196 => {
                Base::AesSha1(AesCipher::new(etype, bytes)?)
            }
            Etype::Aes128CtsHmacSha256128 | Etype::Aes256CtsHmacSha384192 => {
                Base::AesSha2(HmacKey::new(aes_mac_alg(etype), bytes))
            }
            #[cfg(feature = "rc4")]
            Etype::Rc4Hmac => super::rc4::base(bytes),
            #[cfg(not(feature = "rc4"))]
            Etype::Rc4Hmac => return Err(CryptoError::Rc4Disabled),
        };
        Ok(Key {
            inner: Arc::new(Inner {
                etype,
                raw: Zeroizing::new(bytes.to_vec()),
                base,
                enc: std::array::from_fn(|_| OnceLock::new()),
                cksum: std::array::from_fn(|_| OnceLock::new()),
            }),
        })
    }

    /// A fresh random key of `etype` (random-to-key over the operating system's random
    /// bytes), for session keys and subkeys.
    pub fn random(etype: Etype) -> Result<Key, CryptoError> {
        etype.check_supported()?;
        let mut bytes = Zeroizing::new(vec![0u8; etype.key_len()]);
        getrandom::fill(&mut bytes).map_err(|_| CryptoError::Random)?;
        // random-to-key is the identity for every etype here.
        Key::new(etype, &bytes)
    }

    /// The etype of this key.
    pub fn etype(&self) -> Etype {
        self.inner.etype
    }

    /// The raw key bytes. **Secret**: for writing a keytab or a credential cache only; never
    /// log them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.inner.raw
    }

    /// Encrypt `plaintext` for `usage` with a fresh random confounder (RFC 3961 §5.3,
    /// RFC 8009 §5, RFC 4757).
    pub fn encrypt(&self, usage: KeyUsage, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut confounder = [0u8; AES_CONFOUNDER];
        let len = confounder_len(self.etype());
        let slot = confounder.get_mut(..len).unwrap_or_default();
        getrandom::fill(slot).map_err(|_| CryptoError::Random)?;
        self.encrypt_with_confounder(usage, slot, plaintext)
    }

    /// Encrypt with a given confounder (16 bytes for AES, 8 for rc4-hmac). For test vectors
    /// only: a confounder must be random and never reused.
    #[doc(hidden)]
    pub fn encrypt_with_confounder(
        &self,
        usage: KeyUsage,
        confounder: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let etype = self.etype();
        if confounder.len() != confounder_len(etype) {
            return Err(CryptoError::BadConfounderLength {
                etype,
                expected: confounder_len(etype),
                got: confounder.len(),
            });
        }
        let keys = self.usage_keys(usage.0)?;
        match &*keys {
            UsageKeys::Aes { ke, ki } => {
                let h = etype.checksum_type().size();
                let mut out =
                    Vec::with_capacity(confounder.len() + plaintext.len().saturating_add(h));
                out.extend_from_slice(confounder);
                out.extend_from_slice(plaintext);
                let mut tag = [0u8; 24];
                let tag = tag.get_mut(..h).unwrap_or_default();
                // `out` holds at least the 16-byte confounder, so CTS always applies (it only
                // refuses inputs shorter than a block); the next cipher state is not needed.
                if is_rfc3962(etype) {
                    // RFC 3961 §5.3: the HMAC is over the plaintext (confounder included).
                    ki.tag_into(&[&out], tag);
                    let _next_state = cts_encrypt(ke, &[0; BLOCK], &mut out);
                } else {
                    // RFC 8009 §5: the HMAC is over the cipher state and the ciphertext.
                    let _next_state = cts_encrypt(ke, &[0; BLOCK], &mut out);
                    ki.tag_into(&[&[0u8; BLOCK], &out], tag);
                }
                out.extend_from_slice(tag);
                Ok(out)
            }
            #[cfg(feature = "rc4")]
            UsageKeys::Rc4 { k1 } => Ok(super::rc4::encrypt(k1, confounder, plaintext)),
        }
    }

    /// Decrypt a ciphertext made for `usage` and check its integrity; returns the plaintext
    /// without the confounder.
    ///
    /// Fails with [`CryptoError::CiphertextTooShort`] for a ciphertext shorter than a
    /// confounder and a checksum, and [`CryptoError::IntegrityCheckFailed`] when the
    /// checksum does not match (altered data, another key, or another usage).
    pub fn decrypt(&self, usage: KeyUsage, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let etype = self.etype();
        let h = etype.checksum_type().size();
        let min = confounder_len(etype) + h;
        if ciphertext.len() < min {
            return Err(CryptoError::CiphertextTooShort {
                etype,
                len: ciphertext.len(),
                min,
            });
        }
        let failed = CryptoError::IntegrityCheckFailed { etype, usage };
        let keys = self.usage_keys(usage.0)?;
        match &*keys {
            UsageKeys::Aes { ke, ki } => {
                let (body, tag) = ciphertext
                    .split_at_checked(ciphertext.len() - h)
                    .ok_or(failed.clone())?;
                let sha1 = is_rfc3962(etype);
                // RFC 8009 is encrypt-then-MAC: check before decrypting.
                if !sha1 && !ki.verify(&[&[0u8; BLOCK], body], tag) {
                    return Err(failed);
                }
                let mut out = vec![0u8; body.len()];
                cts_decrypt(ke, &[0; BLOCK], body, &mut out).ok_or(failed.clone())?;
                if sha1 && !ki.verify(&[&out], tag) {
                    out.zeroize();
                    return Err(failed);
                }
                if out.len() >= AES_CONFOUNDER {
                    out.drain(..AES_CONFOUNDER);
                }
                Ok(out)
            }
            #[cfg(feature = "rc4")]
            UsageKeys::Rc4 { k1 } => super::rc4::decrypt(k1, ciphertext).ok_or(failed),
        }
    }

    /// The keyed checksum of `data` for `usage`, of this etype's checksum type
    /// ([`Etype::checksum_type`]).
    pub fn checksum(&self, usage: KeyUsage, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let size = self.etype().checksum_type().size();
        let mut out = vec![0u8; size];
        match self.rc4_ksign() {
            #[cfg(feature = "rc4")]
            Some(ksign) => super::rc4::checksum(ksign, usage.0, data, &mut out),
            #[cfg(not(feature = "rc4"))]
            Some(_) => {}
            None => self.checksum_key(usage.0)?.tag_into(&[data], &mut out),
        }
        Ok(out)
    }

    /// Check a keyed checksum of `data` for `usage`, in constant time. The checksum is of
    /// this etype's checksum type.
    pub fn verify_checksum(
        &self,
        usage: KeyUsage,
        data: &[u8],
        checksum: &[u8],
    ) -> Result<(), CryptoError> {
        let checksum_type = self.etype().checksum_type();
        if checksum.len() != checksum_type.size() {
            return Err(CryptoError::BadChecksumLength {
                checksum_type,
                expected: checksum_type.size(),
                got: checksum.len(),
            });
        }
        let ok = match self.rc4_ksign() {
            #[cfg(feature = "rc4")]
            Some(ksign) => super::rc4::verify_checksum(ksign, usage.0, data, checksum),
            #[cfg(not(feature = "rc4"))]
            Some(_) => false,
            None => self.checksum_key(usage.0)?.verify(&[data], checksum),
        };
        if ok {
            Ok(())
        } else {
            Err(CryptoError::ChecksumMismatch {
                checksum_type,
                usage,
            })
        }
    }

    /// Like [`Key::verify_checksum`], for a checksum whose type came with it (a `Checksum`
    /// on the wire): fails with [`CryptoError::ChecksumTypeMismatch`] unless that type is
    /// this key's etype's.
    pub fn verify_checksum_of_type(
        &self,
        checksum_type: super::ChecksumType,
        usage: KeyUsage,
        data: &[u8],
        checksum: &[u8],
    ) -> Result<(), CryptoError> {
        let expected = self.etype().checksum_type();
        if checksum_type != expected {
            return Err(CryptoError::ChecksumTypeMismatch {
                etype: self.etype(),
                expected,
                got: checksum_type,
            });
        }
        self.verify_checksum(usage, data, checksum)
    }

    /// The etype's pseudo-random function of `input` (RFC 3961 §5.3 / RFC 3962 §6 for
    /// AES-SHA1: 16 bytes; RFC 8009 §5: 32 or 48 bytes; HMAC-SHA1 for rc4-hmac: 20 bytes).
    pub fn prf(&self, input: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let etype = self.etype();
        match &self.inner.base {
            Base::AesSha1(base) => {
                // tmp1 = SHA-1(input), cut to a whole number of blocks (16 bytes), encrypted
                // with DK(key, "prf").
                let mut constant = [0u8; BLOCK];
                nfold(b"prf", &mut constant);
                let mut kprf = Zeroizing::new([0u8; 32]);
                let kprf = kprf.get_mut(..etype.key_len()).unwrap_or_default();
                dk(base, constant, kprf);
                let cipher = AesCipher::new(etype, kprf)?;
                let digest = Sha1::digest(input);
                let mut block = aes::Block::default();
                for (d, s) in block.iter_mut().zip(digest.iter()) {
                    *d = *s;
                }
                cipher.encrypt_block(&mut block);
                Ok(block.to_vec())
            }
            Base::AesSha2(base) => {
                let mut out = vec![
                    0u8;
                    if etype == Etype::Aes128CtsHmacSha256128 {
                        32
                    } else {
                        48
                    }
                ];
                kdf_hmac_sha2(base, b"prf", input, &mut out);
                Ok(out)
            }
            #[cfg(feature = "rc4")]
            Base::Rc4 { .. } => Ok(super::rc4::prf(&self.inner.raw, input)),
        }
    }

    /// Ke, Ki for `usage`: from the cache, deriving them on first use.
    fn usage_keys(&self, usage: u32) -> Result<Cow<'_, UsageKeys>, CryptoError> {
        let slot = cache_slot(usage).and_then(|u| self.inner.enc.get(u));
        if let Some(slot) = slot {
            if let Some(keys) = slot.get() {
                return Ok(Cow::Borrowed(keys));
            }
            let fresh = Box::new(self.derive_usage_keys(usage)?);
            // If another thread got there first, its keys (equal to ours) are kept.
            return Ok(Cow::Borrowed(slot.get_or_init(|| fresh)));
        }
        Ok(Cow::Owned(self.derive_usage_keys(usage)?))
    }

    /// Kc for `usage` (AES etypes): from the cache, deriving it on first use.
    fn checksum_key(&self, usage: u32) -> Result<Cow<'_, HmacKey>, CryptoError> {
        let slot = cache_slot(usage).and_then(|u| self.inner.cksum.get(u));
        if let Some(slot) = slot {
            if let Some(key) = slot.get() {
                return Ok(Cow::Borrowed(key));
            }
            let fresh = Box::new(self.derive_checksum_key(usage)?);
            return Ok(Cow::Borrowed(slot.get_or_init(|| fresh)));
        }
        Ok(Cow::Owned(self.derive_checksum_key(usage)?))
    }

    fn derive_usage_keys(&self, usage: u32) -> Result<UsageKeys, CryptoError> {
        let etype = self.etype();
        #[cfg(feature = "rc4")]
        if let Base::Rc4 { key, .. } = &self.inner.base {
            return Ok(UsageKeys::Rc4 {
                k1: super::rc4::usage_key(key, usage),
            });
        }
        let ke = self.derive_bytes(usage, DerivedKind::Encryption);
        let ki = self.derive_bytes(usage, DerivedKind::Integrity);
        Ok(UsageKeys::Aes {
            ke: AesCipher::new(etype, &ke)?,
            ki: HmacKey::new(aes_mac_alg(etype), &ki),
        })
    }

    /// The rc4-hmac signing key, for an rc4-hmac key.
    #[cfg(feature = "rc4")]
    fn rc4_ksign(&self) -> Option<&HmacKey> {
        if let Base::Rc4 { ksign, .. } = &self.inner.base {
            Some(ksign)
        } else {
            None
        }
    }

    /// The rc4-hmac signing key: there is none without the `rc4` feature.
    #[cfg(not(feature = "rc4"))]
    fn rc4_ksign(&self) -> Option<&HmacKey> {
        None
    }

    fn derive_checksum_key(&self, usage: u32) -> Result<HmacKey, CryptoError> {
        let kc = self.derive_bytes(usage, DerivedKind::Checksum);
        Ok(HmacKey::new(aes_mac_alg(self.etype()), &kc))
    }

    /// The bytes of a derived key (Kc, Ke or Ki) of an AES etype; empty for rc4-hmac, which
    /// derives no such keys.
    pub(crate) fn derive_bytes(&self, usage: u32, kind: DerivedKind) -> Zeroizing<Vec<u8>> {
        let etype = self.etype();
        match &self.inner.base {
            Base::AesSha1(base) => {
                let mut out = Zeroizing::new(vec![0u8; etype.key_len()]);
                dk(base, nfolded_constant(usage, kind), &mut out);
                out
            }
            Base::AesSha2(base) => {
                let len = match kind {
                    DerivedKind::Encryption => etype.key_len(),
                    DerivedKind::Checksum | DerivedKind::Integrity => integrity_key_len(etype),
                };
                let mut out = Zeroizing::new(vec![0u8; len]);
                kdf_hmac_sha2(base, &usage_constant(usage, kind), &[], &mut out);
                out
            }
            #[cfg(feature = "rc4")]
            Base::Rc4 { .. } => Zeroizing::new(Vec::new()),
        }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("etype", &self.etype())
            .finish_non_exhaustive()
    }
}

/// Whether `etype` is one of RFC 3962's (MAC over the plaintext) rather than RFC 8009's
/// (MAC over the ciphertext).
fn is_rfc3962(etype: Etype) -> bool {
    matches!(
        etype,
        Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196
    )
}

fn confounder_len(etype: Etype) -> usize {
    match etype {
        Etype::Rc4Hmac => 8,
        _ => AES_CONFOUNDER,
    }
}

/// DK(base, constant) for AES (RFC 3961 §5.1): DR encrypts the n-folded constant with the
/// base key, then each output block again, until `out` is full (random-to-key is the
/// identity for AES). The one-block CTS "encryption" here is plain AES.
fn dk(base: &AesCipher, nfolded: [u8; BLOCK], out: &mut [u8]) {
    let mut block = aes::Block::from(nfolded);
    for chunk in out.chunks_mut(BLOCK) {
        base.encrypt_block(&mut block);
        for (d, s) in chunk.iter_mut().zip(block.iter()) {
            *d = *s;
        }
    }
    block.as_mut_slice().zeroize();
}

/// KDF-HMAC-SHA2(key, label, context, k) of RFC 8009 §3, with `k = out.len() * 8`: the first
/// `out.len()` bytes of HMAC(key, 00000001 | label | 00 | context | k), `k` as 32 bits
/// big-endian. `out` must not be longer than the hash.
fn kdf_hmac_sha2(base: &HmacKey, label: &[u8], context: &[u8], out: &mut [u8]) {
    let bits = u32::try_from(out.len().saturating_mul(8)).unwrap_or(u32::MAX);
    base.tag_into(
        &[
            &1u32.to_be_bytes(),
            label,
            &[0],
            context,
            &bits.to_be_bytes(),
        ],
        out,
    );
}

/// string-to-key for `etype` (RFC 3962 §4, RFC 8009 §4, RFC 4757 §4).
///
/// `iterations` is the PBKDF2 count (from the KDC's etype-info2), `None` for the etype's
/// default ([`Etype::default_iterations`]); it must be 1 to 16777216. rc4-hmac ignores the
/// salt and the count, and needs the password as UTF-8.
pub fn string_to_key(
    etype: Etype,
    password: &[u8],
    salt: &[u8],
    iterations: Option<u32>,
) -> Result<Key, CryptoError> {
    etype.check_supported()?;
    if etype == Etype::Rc4Hmac {
        #[cfg(feature = "rc4")]
        {
            let key = super::rc4::string_to_key(password)?;
            return Key::new(etype, key.as_slice());
        }
        #[cfg(not(feature = "rc4"))]
        return Err(CryptoError::Rc4Disabled);
    }
    let count = iterations.unwrap_or(etype.default_iterations());
    if count == 0 || count > MAX_ITERATIONS {
        return Err(CryptoError::BadIterationCount { etype, count });
    }
    let key_len = etype.key_len();
    let mut tkey = Zeroizing::new(vec![0u8; key_len]);
    let mut key = Zeroizing::new(vec![0u8; key_len]);
    match etype {
        Etype::Aes128CtsHmacSha256128 | Etype::Aes256CtsHmacSha384192 => {
            // saltp = enctype-name | 0x00 | salt
            let mut saltp = Vec::with_capacity(etype.mit_name().len() + 1 + salt.len());
            saltp.extend_from_slice(etype.mit_name().as_bytes());
            saltp.push(0);
            saltp.extend_from_slice(salt);
            if etype == Etype::Aes128CtsHmacSha256128 {
                pbkdf2::pbkdf2_hmac::<Sha256>(password, &saltp, count, &mut tkey);
            } else {
                pbkdf2::pbkdf2_hmac::<Sha384>(password, &saltp, count, &mut tkey);
            }
            let base = HmacKey::new(aes_mac_alg(etype), &tkey);
            kdf_hmac_sha2(&base, b"kerberos", &[], &mut key);
        }
        _ => {
            pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, count, &mut tkey);
            let base = AesCipher::new(etype, &tkey)?;
            let mut constant = [0u8; BLOCK];
            nfold(b"kerberos", &mut constant);
            dk(&base, constant, &mut key);
        }
    }
    Key::new(etype, &key)
}
