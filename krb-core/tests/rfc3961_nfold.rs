//! RFC 3961 Appendix A.1: the n-fold test vectors (n-fold is defined in RFC 3961 §5.1).
//!
//! (The A.3 DR/DK vectors are for DES3, which this crate does not implement; DK for AES is
//! checked through the RFC 3962 and RFC 8009 vectors.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use krb_core::crypto::testing::nfold;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn check(input: &[u8], bits: usize, expected: &str) {
    assert_eq!(bits % 8, 0);
    assert_eq!(
        nfold(input, bits / 8),
        hex(expected),
        "{bits}-fold({:?})",
        String::from_utf8_lossy(input)
    );
}

#[test]
fn fold_012345_to_64() {
    assert_eq!(b"012345".to_vec(), hex("303132333435"));
    check(b"012345", 64, "be072631276b1955");
}

#[test]
fn fold_password_to_56() {
    check(b"password", 56, "78a07b6caf85fa");
}

#[test]
fn fold_rough_consensus_to_64() {
    let input = b"Rough Consensus, and Running Code";
    assert_eq!(
        input.to_vec(),
        hex("526f75676820436f6e73656e7375732c20616e642052756e 6e696e6720436f6465")
    );
    check(input, 64, "bb6ed30870b7f0e0");
}

#[test]
fn fold_password_to_168() {
    check(
        b"password",
        168,
        "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e",
    );
}

#[test]
fn fold_mit_to_192() {
    let input = b"MASSACHVSETTS INSTITVTE OF TECHNOLOGY";
    assert_eq!(
        input.to_vec(),
        hex("4d41535341434856534554545320494e5354495456544520 4f4620544543484e4f4c4f4759")
    );
    check(
        input,
        192,
        "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b",
    );
}

#[test]
fn fold_q_to_168() {
    check(b"Q", 168, "518a54a2 15a8452a 518a54a2 15a8452a 518a54a2 15");
}

#[test]
fn fold_ba_to_168() {
    check(
        b"ba",
        168,
        "fb25d531 ae897449 9f52fd92 ea9857c4 ba24cf29 7e",
    );
}

#[test]
fn fold_kerberos() {
    check(b"kerberos", 64, "6b657262 65726f73");
    check(b"kerberos", 128, "6b657262 65726f73 7b9b5b2b 93132b93");
    check(
        b"kerberos",
        168,
        "8372c236 344e5f15 50cd0747 e15d62ca 7a5a3bce a4",
    );
    check(
        b"kerberos",
        256,
        "6b657262 65726f73 7b9b5b2b 93132b93 5c9bdcda d95c9899 c4cae4de e6d6cae4",
    );
}
