//! Behaviour of `krb_core::crypto` beyond the RFC appendices: the one-block AES-CTS case
//! (RFC 3962 §5), round trips of every length for every etype, tampering (every bit of a
//! ciphertext, of a checksum), wrong usages, truncation, wrong key lengths, redaction, the
//! per-usage cache, names and numbers (RFC 3961 §8), and known answers from MIT krb5's
//! crypto tests for aes128/aes256-cts-hmac-sha1-96 (encryption, checksums, PRF).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use krb_core::crypto::testing::aes_cts_encrypt;
use krb_core::crypto::{ChecksumType, CryptoError, Etype, Key, KeyUsage, string_to_key};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The etypes this build can use.
fn etypes() -> Vec<Etype> {
    Etype::ALL
        .into_iter()
        .filter(|e| e.is_supported())
        .collect()
}

fn plaintext(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap() ^ 0x5a)
        .collect()
}

#[test]
fn one_block_cts_is_plain_aes() {
    // A one-block input is plain AES-CBC of that block with the zero IV, i.e. plain AES:
    // the FIPS-197 Appendix C known answers. (RustCrypto's `cts` crate would swap blocks.)
    let plain = hex("00112233445566778899aabbccddeeff");
    let (out, next) =
        aes_cts_encrypt(&hex("000102030405060708090a0b0c0d0e0f"), &[0; 16], &plain).unwrap();
    assert_eq!(out, hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
    assert_eq!(next.to_vec(), out);
    let (out, _) = aes_cts_encrypt(
        &hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
        &[0; 16],
        &plain,
    )
    .unwrap();
    assert_eq!(out, hex("8ea2b7ca516745bfeafc49904b496089"));
}

#[test]
fn empty_plaintext_encrypts_one_block_and_round_trips() {
    // The confounder alone is exactly one block: the one-block CTS case inside a profile.
    for etype in etypes() {
        let key = Key::random(etype).unwrap();
        let sealed = key.encrypt(KeyUsage::TICKET, b"").unwrap();
        let conf = if etype == Etype::Rc4Hmac { 8 } else { 16 };
        assert_eq!(sealed.len(), conf + etype.checksum_type().size(), "{etype}");
        assert_eq!(
            key.decrypt(KeyUsage::TICKET, &sealed).unwrap(),
            b"",
            "{etype}"
        );
    }
}

#[test]
fn round_trip_every_length_every_etype() {
    for etype in etypes() {
        let key = Key::random(etype).unwrap();
        for len in 0..=200 {
            let plain = plaintext(len);
            let sealed = key.encrypt(KeyUsage::AP_REQ_AUTHENTICATOR, &plain).unwrap();
            assert_ne!(&sealed[..], &plain[..], "{etype} {len}");
            assert_eq!(
                key.decrypt(KeyUsage::AP_REQ_AUTHENTICATOR, &sealed)
                    .unwrap(),
                plain,
                "{etype}, length {len}"
            );
        }
    }
}

#[test]
fn confounder_is_random() {
    for etype in etypes() {
        let key = Key::random(etype).unwrap();
        let a = key.encrypt(KeyUsage::TICKET, b"same plaintext").unwrap();
        let b = key.encrypt(KeyUsage::TICKET, b"same plaintext").unwrap();
        assert_ne!(a, b, "{etype}");
    }
}

fn assert_integrity_failure(key: &Key, usage: KeyUsage, data: &[u8], what: &str) {
    match key.decrypt(usage, data) {
        Err(CryptoError::IntegrityCheckFailed { etype, usage: u }) => {
            assert_eq!(etype, key.etype());
            assert_eq!(u, usage);
        }
        other => panic!(
            "{}: {what}: expected IntegrityCheckFailed, got {other:?}",
            key.etype()
        ),
    }
}

#[test]
fn every_flipped_bit_is_rejected() {
    for etype in etypes() {
        let key = Key::random(etype).unwrap();
        let sealed = key.encrypt(KeyUsage::TICKET, &plaintext(37)).unwrap();
        for bit in 0..sealed.len() * 8 {
            let mut bad = sealed.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert_integrity_failure(&key, KeyUsage::TICKET, &bad, &format!("bit {bit}"));
        }
    }
}

#[test]
fn every_altered_byte_of_a_long_ciphertext_is_rejected() {
    for etype in etypes() {
        let key = Key::random(etype).unwrap();
        let sealed = key
            .encrypt(KeyUsage::KRB_CRED_ENC_PART, &plaintext(1000))
            .unwrap();
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x80;
            assert_integrity_failure(
                &key,
                KeyUsage::KRB_CRED_ENC_PART,
                &bad,
                &format!("byte {i}"),
            );
        }
    }
}

#[test]
fn wrong_usage_or_wrong_key_is_rejected() {
    for etype in etypes() {
        let key = Key::random(etype).unwrap();
        let sealed = key
            .encrypt(KeyUsage::AP_REQ_AUTHENTICATOR, b"authenticator")
            .unwrap();
        for usage in [KeyUsage::TICKET, KeyUsage::AP_REP_ENC_PART, KeyUsage(1011)] {
            assert_integrity_failure(&key, usage, &sealed, "wrong usage");
        }
        let other = Key::random(etype).unwrap();
        assert_integrity_failure(&other, KeyUsage::AP_REQ_AUTHENTICATOR, &sealed, "wrong key");
    }
}

#[test]
fn truncated_ciphertext_is_rejected() {
    for etype in etypes() {
        let key = Key::random(etype).unwrap();
        let sealed = key.encrypt(KeyUsage::TICKET, &plaintext(40)).unwrap();
        let min = if etype == Etype::Rc4Hmac { 8 } else { 16 } + etype.checksum_type().size();
        for len in 0..min {
            assert_eq!(
                key.decrypt(KeyUsage::TICKET, &sealed[..len]),
                Err(CryptoError::CiphertextTooShort { etype, len, min }),
                "{etype}, {len} bytes"
            );
        }
        for len in min..sealed.len() {
            assert_integrity_failure(
                &key,
                KeyUsage::TICKET,
                &sealed[..len],
                &format!("{len} bytes"),
            );
        }
    }
}

#[test]
fn checksums_verify_and_every_flipped_bit_is_rejected() {
    let data = b"the authenticator checksum covers these bytes";
    for etype in etypes() {
        let key = Key::random(etype).unwrap();
        let usage = KeyUsage::AP_REQ_AUTHENTICATOR_CKSUM;
        let cksum = key.checksum(usage, data).unwrap();
        assert_eq!(cksum.len(), etype.checksum_type().size(), "{etype}");
        key.verify_checksum(usage, data, &cksum).unwrap();
        let mismatch = Err(CryptoError::ChecksumMismatch {
            checksum_type: etype.checksum_type(),
            usage,
        });
        for bit in 0..cksum.len() * 8 {
            let mut bad = cksum.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                key.verify_checksum(usage, data, &bad),
                mismatch,
                "{etype} bit {bit}"
            );
        }
        let mut altered = data.to_vec();
        altered[3] ^= 1;
        assert_eq!(
            key.verify_checksum(usage, &altered, &cksum),
            mismatch,
            "{etype}"
        );
        // Another usage, another key.
        assert!(matches!(
            key.verify_checksum(KeyUsage::KRB_SAFE_CKSUM, data, &cksum),
            Err(CryptoError::ChecksumMismatch { .. })
        ));
        let other = Key::random(etype).unwrap();
        assert_eq!(
            other.verify_checksum(usage, data, &cksum),
            mismatch,
            "{etype}"
        );
        // Wrong lengths: truncated, extended, empty.
        for bad in [
            &cksum[..cksum.len() - 1],
            &[cksum.clone(), vec![0]].concat()[..],
            &[][..],
        ] {
            assert_eq!(
                key.verify_checksum(usage, data, bad),
                Err(CryptoError::BadChecksumLength {
                    checksum_type: etype.checksum_type(),
                    expected: cksum.len(),
                    got: bad.len(),
                }),
                "{etype}"
            );
        }
    }
}

#[test]
fn checksum_of_another_type_is_refused() {
    let key = Key::random(Etype::Aes256CtsHmacSha196).unwrap();
    let cksum = key.checksum(KeyUsage::KRB_SAFE_CKSUM, b"data").unwrap();
    key.verify_checksum_of_type(
        ChecksumType::HmacSha196Aes256,
        KeyUsage::KRB_SAFE_CKSUM,
        b"data",
        &cksum,
    )
    .unwrap();
    assert_eq!(
        key.verify_checksum_of_type(
            ChecksumType::HmacSha196Aes128,
            KeyUsage::KRB_SAFE_CKSUM,
            b"data",
            &cksum
        ),
        Err(CryptoError::ChecksumTypeMismatch {
            etype: Etype::Aes256CtsHmacSha196,
            expected: ChecksumType::HmacSha196Aes256,
            got: ChecksumType::HmacSha196Aes128,
        })
    );
}

#[test]
fn wrong_key_length_is_refused() {
    for etype in Etype::ALL {
        if !etype.is_supported() {
            continue;
        }
        for len in [0, 1, 15, 17, 24, 31, 33, 64] {
            if len == etype.key_len() {
                continue;
            }
            assert_eq!(
                Key::new(etype, &vec![7u8; len]).unwrap_err(),
                CryptoError::BadKeyLength {
                    etype,
                    expected: etype.key_len(),
                    got: len
                }
            );
        }
        assert!(Key::new(etype, &vec![7u8; etype.key_len()]).is_ok());
    }
}

#[test]
fn wrong_confounder_length_is_refused() {
    let key = Key::random(Etype::Aes128CtsHmacSha256128).unwrap();
    assert_eq!(
        key.encrypt_with_confounder(KeyUsage::TICKET, &[0; 8], b"x"),
        Err(CryptoError::BadConfounderLength {
            etype: Etype::Aes128CtsHmacSha256128,
            expected: 16,
            got: 8
        })
    );
}

#[test]
fn debug_does_not_print_key_bytes() {
    let key = Key::new(Etype::Aes256CtsHmacSha196, &[0x41; 32]).unwrap();
    let debug = format!("{key:?}");
    assert_eq!(debug, "Key { etype: Aes256CtsHmacSha196, .. }");
    let alternate = format!("{key:#?}");
    // Neither the bytes in decimal (65), in hex (41), nor as text (AAAA).
    for leak in ["65", "41", "AAAA"] {
        assert!(!alternate.contains(leak), "{alternate}");
    }
}

#[test]
fn key_is_send_sync_clone_and_clones_agree() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Key>();
    let key = Key::random(Etype::Aes256CtsHmacSha384192).unwrap();
    let clone = key.clone();
    let sealed = key.encrypt(KeyUsage::TICKET, b"shared").unwrap();
    assert_eq!(clone.decrypt(KeyUsage::TICKET, &sealed).unwrap(), b"shared");
    assert_eq!(clone.as_bytes(), key.as_bytes());
}

#[test]
fn cached_and_fresh_keys_agree_for_every_usage() {
    // Usages below 64 come from the per-key cache (derived once), others are derived per
    // call: both must give what a fresh key derives.
    let confounder = [9u8; 16];
    for etype in etypes().into_iter().filter(|e| *e != Etype::Rc4Hmac) {
        let cached = Key::random(etype).unwrap();
        for usage in [0u32, 1, 2, 11, 22, 63, 64, 65, 1000, u32::MAX] {
            let usage = KeyUsage(usage);
            let first = cached
                .encrypt_with_confounder(usage, &confounder, b"payload")
                .unwrap();
            let again = cached
                .encrypt_with_confounder(usage, &confounder, b"payload")
                .unwrap();
            let fresh = Key::new(etype, cached.as_bytes())
                .unwrap()
                .encrypt_with_confounder(usage, &confounder, b"payload")
                .unwrap();
            assert_eq!(first, again, "{etype} usage {usage}");
            assert_eq!(first, fresh, "{etype} usage {usage}");
            assert_eq!(
                cached.checksum(usage, b"m").unwrap(),
                fresh_checksum(&cached, usage)
            );
        }
    }
}

fn fresh_checksum(key: &Key, usage: KeyUsage) -> Vec<u8> {
    Key::new(key.etype(), key.as_bytes())
        .unwrap()
        .checksum(usage, b"m")
        .unwrap()
}

#[test]
fn first_use_from_many_threads_at_once() {
    let key = Key::random(Etype::Aes256CtsHmacSha196).unwrap();
    let sealed: Vec<Vec<u8>> = (0..8)
        .map(|i| {
            key.encrypt(KeyUsage(30 + i % 2), &plaintext(100 + i as usize))
                .unwrap()
        })
        .collect();
    // A fresh clone of the raw key, so the cache starts empty, decrypted from 8 threads.
    let fresh = Key::new(key.etype(), key.as_bytes()).unwrap();
    std::thread::scope(|s| {
        for (i, c) in sealed.iter().enumerate() {
            let fresh = fresh.clone();
            s.spawn(move || {
                let usage = KeyUsage(30 + u32::try_from(i % 2).unwrap());
                assert_eq!(fresh.decrypt(usage, c).unwrap(), plaintext(100 + i));
            });
        }
    });
}

#[test]
fn etype_numbers_and_names() {
    for etype in Etype::ALL {
        assert_eq!(Etype::from_number(etype.number()).unwrap(), etype);
        assert_eq!(Etype::from_mit_name(etype.mit_name()), Some(etype));
        assert_eq!(etype.to_string(), etype.mit_name());
        assert_eq!(etype.checksum_type().etype(), etype);
        assert_eq!(
            ChecksumType::from_number(etype.checksum_type().number()).unwrap(),
            etype.checksum_type()
        );
    }
    let numbers: Vec<i32> = Etype::ALL.iter().map(|e| e.number()).collect();
    assert_eq!(numbers, [20, 19, 18, 17, 23]);
    for (name, etype) in [
        ("aes256-cts-hmac-sha1-96", Etype::Aes256CtsHmacSha196),
        ("AES256-CTS", Etype::Aes256CtsHmacSha196),
        ("aes128-cts", Etype::Aes128CtsHmacSha196),
        ("aes128-cts-hmac-sha256-128", Etype::Aes128CtsHmacSha256128),
        ("aes128-sha2", Etype::Aes128CtsHmacSha256128),
        ("Aes256-Sha2", Etype::Aes256CtsHmacSha384192),
        ("aes256-cts-hmac-sha384-192", Etype::Aes256CtsHmacSha384192),
        ("arcfour-hmac", Etype::Rc4Hmac),
        ("rc4-hmac", Etype::Rc4Hmac),
        ("arcfour-hmac-md5", Etype::Rc4Hmac),
    ] {
        assert_eq!(Etype::from_mit_name(name), Some(etype), "{name}");
    }
    assert_eq!(Etype::from_mit_name("des-cbc-crc"), None);
    assert_eq!(Etype::from_mit_name(""), None);
    assert_eq!(
        Etype::from_number(16),
        Err(CryptoError::UnsupportedEtype(16))
    );
    assert_eq!(
        Etype::from_number(-1),
        Err(CryptoError::UnsupportedEtype(-1))
    );
    assert_eq!(
        ChecksumType::from_number(7),
        Err(CryptoError::UnsupportedChecksumType(7))
    );
    assert_eq!(Etype::Aes256CtsHmacSha196.key_len(), 32);
    assert_eq!(Etype::Aes128CtsHmacSha256128.key_len(), 16);
    assert_eq!(Etype::Aes128CtsHmacSha196.default_iterations(), 4096);
    assert_eq!(Etype::Aes256CtsHmacSha384192.default_iterations(), 32768);
    assert_eq!(Etype::Rc4Hmac.default_iterations(), 0);
    assert_eq!(ChecksumType::HmacMd5.number(), -138);
    assert_eq!(ChecksumType::HmacSha384192Aes256.number(), 20);
}

#[test]
fn error_messages_say_what_to_do() {
    let msg = CryptoError::IntegrityCheckFailed {
        etype: Etype::Aes256CtsHmacSha196,
        usage: KeyUsage::TICKET,
    }
    .to_string();
    assert_eq!(
        msg,
        "integrity check failed for aes256-cts-hmac-sha1-96 data with key usage 2: the data was \
         altered, or it was encrypted with another key (is the keytab out of date?)"
    );
    let msg = CryptoError::CiphertextTooShort {
        etype: Etype::Aes128CtsHmacSha196,
        len: 3,
        min: 28,
    }
    .to_string();
    assert!(
        msg.contains("3 bytes") && msg.contains("at least 28"),
        "{msg}"
    );
    let msg = CryptoError::Rc4Disabled.to_string();
    assert!(
        msg.contains("rc4-hmac") && msg.contains("feature `rc4`"),
        "{msg}"
    );
    let msg = CryptoError::UnsupportedEtype(1).to_string();
    assert!(msg.contains("unsupported encryption type 1"), "{msg}");
}

#[test]
fn bad_iteration_counts_are_refused() {
    for count in [0, 0x0100_0001, u32::MAX] {
        assert_eq!(
            string_to_key(Etype::Aes128CtsHmacSha196, b"pw", b"salt", Some(count)).unwrap_err(),
            CryptoError::BadIterationCount {
                etype: Etype::Aes128CtsHmacSha196,
                count
            }
        );
    }
}

#[test]
fn default_iteration_count_is_used_for_none() {
    let a = string_to_key(Etype::Aes128CtsHmacSha196, b"pw", b"EXAMPLE.COMuser", None).unwrap();
    let b = string_to_key(
        Etype::Aes128CtsHmacSha196,
        b"pw",
        b"EXAMPLE.COMuser",
        Some(4096),
    )
    .unwrap();
    let c = string_to_key(
        Etype::Aes128CtsHmacSha196,
        b"pw",
        b"EXAMPLE.COMuser",
        Some(4095),
    )
    .unwrap();
    assert_eq!(a.as_bytes(), b.as_bytes());
    assert_ne!(a.as_bytes(), c.as_bytes());
}

/// MIT krb5's known answers for the RFC 3962 etypes (lib/crypto/crypto_tests, as also used
/// by Greg Hudson's Python implementation in impacket): encryption with a given confounder.
#[test]
fn mit_encryption_vectors_aes_sha1() {
    let cases = [
        (
            Etype::Aes128CtsHmacSha196,
            "9062430C8CDA3388922E6D6A509F5B7A",
            "94B491F481485B9A0678CD3C4EA386AD",
            2,
            &b"9 bytesss"[..],
            "68FB9679601F45C78857B2BF820FD6E53ECA8D42FD4B1D7024A09205ABB7CD2EC26C355D2F",
        ),
        (
            Etype::Aes256CtsHmacSha196,
            "F1C795E9248A09338D82C3F8D5B567040B0110736845041347235B1404231398",
            "E45CA518B42E266AD98E165E706FFB60",
            4,
            &b"30 bytes bytes bytes bytes byt"[..],
            "D1137A4D634CFECE924DBC3BF6790648BD5CFF7DE0E7B99460211D0DAEF3D79A\
             295C688858F3B34B9CBD6EEBAE81DAF6B734D4D498B6714F1C1D",
        ),
    ];
    for (etype, key, conf, usage, plain, cipher) in cases {
        let key = Key::new(etype, &hex(key)).unwrap();
        let out = key
            .encrypt_with_confounder(KeyUsage(usage), &hex(conf), plain)
            .unwrap();
        assert_eq!(out, hex(cipher), "{etype}");
        assert_eq!(
            key.decrypt(KeyUsage(usage), &out).unwrap(),
            plain,
            "{etype}"
        );
    }
}

/// MIT krb5's known answers: hmac-sha1-96-aes128 and hmac-sha1-96-aes256 checksums.
#[test]
fn mit_checksum_vectors_aes_sha1() {
    let k128 = Key::new(
        Etype::Aes128CtsHmacSha196,
        &hex("9062430C8CDA3388922E6D6A509F5B7A"),
    )
    .unwrap();
    let data = b"eight nine ten eleven twelve thirteen";
    assert_eq!(
        k128.checksum(KeyUsage(3), data).unwrap(),
        hex("01A4B088D45628F6946614E3")
    );
    k128.verify_checksum(KeyUsage(3), data, &hex("01A4B088D45628F6946614E3"))
        .unwrap();

    let k256 = Key::new(
        Etype::Aes256CtsHmacSha196,
        &hex("B1AE4CD8462AFF1677053CC9279AAC30B796FB81CE21474DD3DDBCFEA4EC76D7"),
    )
    .unwrap();
    assert_eq!(
        k256.checksum(KeyUsage(4), b"fourteen").unwrap(),
        hex("E08739E3279E2903EC8E3836")
    );
}

/// MIT krb5's t_prf known answers for the RFC 3962 etypes: PRF (RFC 3962 §6) of keys made
/// by string-to-key with the password as its own salt.
#[test]
fn mit_prf_vectors_aes_sha1() {
    let k1 = string_to_key(Etype::Aes128CtsHmacSha196, b"key1", b"key1", None).unwrap();
    assert_eq!(k1.as_bytes(), hex("AE272E7CDEC86AC5138CDB196D8E297D"));
    assert_eq!(
        k1.prf(&[0x01, 0x61]).unwrap(),
        hex("77B39A37A868920F2A51F9DD150C5717")
    );
    let k2 = string_to_key(Etype::Aes256CtsHmacSha196, b"key2", b"key2", None).unwrap();
    assert_eq!(
        k2.as_bytes(),
        hex("9D520D2D980AA7CB6B693682B62DA258B333867951642CE647AE62B1E5E0B5E9")
    );
    assert_eq!(
        k2.prf(&[0x02, 0x62]).unwrap(),
        hex("0D674DD0F9A6806525A4D92E828BD15A")
    );
}

#[cfg(not(feature = "rc4"))]
#[test]
fn rc4_is_refused_without_the_feature() {
    assert!(!Etype::Rc4Hmac.is_supported());
    assert_eq!(Etype::from_number(23), Ok(Etype::Rc4Hmac));
    assert_eq!(
        Key::new(Etype::Rc4Hmac, &[0; 16]).unwrap_err(),
        CryptoError::Rc4Disabled
    );
    assert_eq!(
        Key::random(Etype::Rc4Hmac).unwrap_err(),
        CryptoError::Rc4Disabled
    );
    assert_eq!(
        string_to_key(Etype::Rc4Hmac, b"foo", b"", None).unwrap_err(),
        CryptoError::Rc4Disabled
    );
    let msg = CryptoError::Rc4Disabled.to_string();
    assert!(msg.contains("not compiled in") && msg.contains("krb-core") && msg.contains("`rc4`"));
    assert!(
        !CryptoError::UnsupportedEtype(5)
            .to_string()
            .contains("23 (rc4-hmac)")
    );
}

#[cfg(feature = "rc4")]
#[test]
fn rc4_is_available_with_the_feature() {
    assert!(Etype::Rc4Hmac.is_supported());
    assert!(Key::new(Etype::Rc4Hmac, &[0; 16]).is_ok());
}
