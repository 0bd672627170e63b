//! Keytabs made by MIT's ktutil (and one by Kerberos.NET's tools) parse to exactly the entries
//! and keys that MIT's `klist -k -e -t -K` prints for them (the listings committed beside them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{all_keytabs, as_klist, data, local_keytabs, parse_klist};
use krb_keytab::{EnctypeNumber, Keytab, Version, parse};

#[test]
fn every_test_keytab_matches_its_klist_listing() {
    for path in local_keytabs() {
        let listing = std::fs::read_to_string(path.with_extension("klist")).unwrap();
        let want = parse_klist(&listing);
        let kt = Keytab::read_file(&path).unwrap();
        assert_eq!(as_klist(&kt), want, "{}", path.display());
    }
}

#[test]
fn mit_aes_details() {
    let kt = Keytab::read_file(data("mit-aes.keytab")).unwrap();
    assert_eq!(kt.version(), Version::V2);
    assert_eq!(kt.entries().len(), 7);
    assert_eq!(kt.holes(), 0);
    // ktutil writes name type 1 (KRB5_NT_PRINCIPAL).
    assert!(kt.entries().iter().all(|e| e.name_type() == 1));
    let host = &kt.entries()[6];
    assert_eq!(host.kvno(), 300);
    assert_eq!(host.enctype(), EnctypeNumber::AES256_CTS_HMAC_SHA1_96);
    let principals: Vec<String> = kt.principals().map(ToString::to_string).collect();
    assert_eq!(
        principals,
        [
            "HTTP/api.example.test@EXAMPLE.TEST",
            "host/api.example.test@EXAMPLE.TEST"
        ]
    );
}

#[test]
fn version_1_reads_as_version_2() {
    let v1 = Keytab::read_file(data("mit-aes-v1.keytab")).unwrap();
    let v2 = Keytab::read_file(data("mit-aes.keytab")).unwrap();
    assert_eq!(v1.version(), Version::V1);
    assert_eq!(as_klist(&v1), as_klist(&v2));
    assert!(v1.entries().iter().all(|e| e.name_type() == 0));
}

#[test]
fn holes_are_skipped() {
    let kt = Keytab::read_file(data("holes.keytab")).unwrap();
    assert_eq!(kt.entries().len(), 5);
    assert_eq!(kt.holes(), 2);
    let only = Keytab::read_file(data("only-holes.keytab")).unwrap();
    assert!(only.entries().is_empty());
    assert_eq!(only.holes(), 7);
}

#[test]
fn windows_ad_sample() {
    let kt = Keytab::read_file(data("windows-ad-sample.keytab")).unwrap();
    let enctypes: Vec<i32> = kt.entries().iter().map(|e| e.enctype().get()).collect();
    assert_eq!(enctypes, [1, 3, 23, 18, 17]);
    assert!(
        kt.entries()
            .iter()
            .all(|e| e.kvno() == 12 && e.timestamp() == 0)
    );
    assert_eq!(
        kt.entries()[0].principal().to_string(),
        "HTTP/aadg.windows.net.nsatc.net@IDENTITYINTERVENTION.COM"
    );
}

#[test]
fn our_bytes_equal_mits_bytes() {
    // ktutil writes what we write: 0x0502, name type kept, the 32-bit kvno after every key.
    for name in ["mit-aes.keytab", "mit-mixed.keytab"] {
        let bytes = std::fs::read(data(name)).unwrap();
        let kt = parse(&bytes).unwrap();
        assert_eq!(
            kt.to_bytes().unwrap().as_slice(),
            bytes.as_slice(),
            "{name}"
        );
    }
}

#[test]
fn every_keytab_survives_a_write_and_read() {
    for path in all_keytabs() {
        let kt = Keytab::read_file(&path).unwrap();
        let again = parse(&kt.to_bytes().unwrap()).unwrap();
        assert_eq!(as_klist(&again), as_klist(&kt), "{}", path.display());
        let types: Vec<i32> = again.entries().iter().map(|e| e.name_type()).collect();
        let orig: Vec<i32> = kt.entries().iter().map(|e| e.name_type()).collect();
        assert_eq!(types, orig);
    }
}

/// The keytabs of the MIT realm (testdata/mit, made by kadmin.local and ktutil against a real
/// KDC) parse to exactly what klist printed for them.
#[test]
fn realm_keytabs_match_their_klist_listings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/mit");
    for name in ["service.keytab", "password.keytab"] {
        let path = dir.join(name);
        let listing = std::fs::read_to_string(dir.join(format!("{name}.klist.txt"))).unwrap();
        let want = parse_klist(&listing);
        assert!(want.len() >= 4, "{name}: listing too short");
        let kt = Keytab::read_file(&path).unwrap();
        assert_eq!(as_klist(&kt), want, "{name}");
        // kadmin and ktutil write what we write.
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            kt.to_bytes().unwrap().as_slice(),
            bytes.as_slice(),
            "{name}"
        );
    }
}
