//! RFC 4757 (rc4-hmac, etype 23): string-to-key (§2, the NT hash: MD4 of the UTF-16LE
//! password), encryption (§4 "Encryption and decryption"), the HMAC-MD5 checksum (§4,
//! checksum type -138), with the known answers MIT krb5's crypto tests and Greg Hudson's
//! Python implementation (in impacket) use. Only with the `rc4` feature.
#![cfg(feature = "rc4")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use krb_core::crypto::{ChecksumType, CryptoError, Etype, Key, KeyUsage, string_to_key};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const RC4: Etype = Etype::Rc4Hmac;

#[test]
fn string_to_key_is_the_nt_hash() {
    for (password, nt_hash) in [
        ("foo", "AC8E657F83DF82BEEA5D43BDAF7800CC"),
        ("password", "8846F7EAEE8FB117AD06BDD830B7586C"),
        ("", "31D6CFE0D16AE931B73C59D7E0C089C0"),
    ] {
        let key = string_to_key(RC4, password.as_bytes(), b"IGNORED.SALT", None).unwrap();
        assert_eq!(key.as_bytes(), hex(nt_hash), "{password:?}");
    }
    // The salt and the iteration count play no part.
    let a = string_to_key(RC4, b"foo", b"", Some(1)).unwrap();
    assert_eq!(a.as_bytes(), hex("AC8E657F83DF82BEEA5D43BDAF7800CC"));
}

#[test]
fn string_to_key_needs_utf8() {
    assert_eq!(
        string_to_key(RC4, &[0xff, 0xfe], b"", None).unwrap_err(),
        CryptoError::PasswordNotUtf8 { etype: RC4 }
    );
}

#[test]
fn encryption_known_answer() {
    let key = Key::new(RC4, &hex("68F263DB3FCE15D031C9EAB02D67107A")).unwrap();
    let plain = b"30 bytes bytes bytes bytes byt";
    let expected = hex(
        "95F9047C3AD75891C2E9B04B16566DC8B6EB9CE4231AFB2542EF87A7B5A0F260
         A99F0460508DE0CECC632D07C354124E46C5D2234EB8",
    );
    let out = key
        .encrypt_with_confounder(KeyUsage(4), &hex("37245E73A45FBF72"), plain)
        .unwrap();
    assert_eq!(out, expected);
    assert_eq!(key.decrypt(KeyUsage(4), &expected).unwrap(), plain);
    assert!(matches!(
        key.decrypt(KeyUsage(5), &expected),
        Err(CryptoError::IntegrityCheckFailed { .. })
    ));
}

#[test]
fn checksum_known_answer() {
    let key = Key::new(RC4, &hex("F7D3A155AF5E238A0B7A871A96BA2AB2")).unwrap();
    let data = b"seventeen eighteen nineteen twenty";
    let expected = hex("EB38CC97E2230F59DA4117DC5859D7EC");
    assert_eq!(key.checksum(KeyUsage(6), data).unwrap(), expected);
    key.verify_checksum(KeyUsage(6), data, &expected).unwrap();
    key.verify_checksum_of_type(ChecksumType::HmacMd5, KeyUsage(6), data, &expected)
        .unwrap();
    assert!(matches!(
        key.verify_checksum(KeyUsage(7), data, &expected),
        Err(CryptoError::ChecksumMismatch { .. })
    ));
}

/// Usage 3 (AS-REP) is 8 in Microsoft's numbering: both give the same ciphertext.
#[test]
fn as_rep_usage_is_translated() {
    let key = Key::random(RC4).unwrap();
    let conf = [1u8; 8];
    assert_eq!(
        key.encrypt_with_confounder(KeyUsage(3), &conf, b"x")
            .unwrap(),
        key.encrypt_with_confounder(KeyUsage(8), &conf, b"x")
            .unwrap()
    );
    assert_ne!(
        key.encrypt_with_confounder(KeyUsage(2), &conf, b"x")
            .unwrap(),
        key.encrypt_with_confounder(KeyUsage(8), &conf, b"x")
            .unwrap()
    );
}

#[test]
fn round_trips_and_layout() {
    let key = Key::random(RC4).unwrap();
    for len in [0usize, 1, 7, 8, 9, 100, 1000] {
        let plain = vec![0xa5u8; len];
        let sealed = key.encrypt(KeyUsage::AP_REQ_AUTHENTICATOR, &plain).unwrap();
        // checksum (16) | confounder (8) | plaintext, no padding.
        assert_eq!(sealed.len(), 16 + 8 + len);
        assert_eq!(
            key.decrypt(KeyUsage::AP_REQ_AUTHENTICATOR, &sealed)
                .unwrap(),
            plain
        );
    }
    assert_eq!(key.prf(b"input").unwrap().len(), 20);
}
