//! Damaged and hostile keytab files: every one is refused with an error that names the byte
//! offset (or, for holes, parses), and none panics or allocates without limit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{all_keytabs, data};
use krb_keytab::{ErrorKind, Keytab, MAX_COMPONENTS, MAX_ENTRIES, MAX_FILE_SIZE, parse};

/// The offsets at which an entry (or hole) of a 0x0502 file ends: truncating there leaves a
/// valid keytab with fewer entries.
fn entry_boundaries(bytes: &[u8], little_endian: bool) -> Vec<usize> {
    let mut out = vec![2];
    let mut pos = 2;
    while pos + 4 <= bytes.len() {
        let raw: [u8; 4] = bytes[pos..pos + 4].try_into().unwrap();
        let size = if little_endian {
            i32::from_le_bytes(raw)
        } else {
            i32::from_be_bytes(raw)
        };
        if size == 0 {
            // MIT's end marker: everything after it is ignored, so every longer prefix parses.
            out.push(pos);
            out.extend(pos + 4..=bytes.len());
            break;
        }
        pos += 4 + size.unsigned_abs() as usize;
        out.push(pos);
    }
    out
}

#[test]
fn every_truncation_of_every_test_keytab() {
    for path in all_keytabs() {
        let bytes = std::fs::read(&path).unwrap();
        let full = parse(&bytes).unwrap();
        let boundaries = entry_boundaries(&bytes, bytes[1] == 1);
        for len in 0..bytes.len() {
            let result = parse(&bytes[..len]);
            if boundaries.contains(&len) {
                let kt = result.unwrap_or_else(|e| panic!("{} at {len}: {e}", path.display()));
                assert!(kt.entries().len() <= full.entries().len());
            } else {
                let err = result
                    .err()
                    .unwrap_or_else(|| panic!("{} cut to {len} bytes parsed", path.display()));
                // The error points into the file.
                assert!(err.offset().unwrap() <= len, "{err}");
                assert!(err.to_string().starts_with("keytab: "), "{err}");
            }
        }
    }
}

#[test]
fn error_names_file_and_offset() {
    let dir = common::temp_dir("corrupt");
    let path = dir.join("krb5.keytab");
    let mut bytes = std::fs::read(data("mit-aes.keytab")).unwrap();
    bytes.truncate(60);
    std::fs::write(&path, &bytes).unwrap();
    let err = Keytab::read_file(&path).unwrap_err();
    assert_eq!(err.path(), Some(path.as_path()));
    assert_eq!(
        err.to_string(),
        format!(
            "keytab {}: at byte 2: entry says {} bytes, only 54 remain (the file is truncated or \
             not a keytab)",
            path.display(),
            u32::from_be_bytes(bytes[2..6].try_into().unwrap())
        )
    );
    assert_eq!(err.offset(), Some(2));
}

fn v2(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![5, 2];
    for e in entries {
        out.extend_from_slice(e);
    }
    out
}

/// An entry of a 0x0502 file with the given raw body.
fn sized(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as i32).to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

/// A well-formed body: one component `u`, realm `R`, kvno 1, enctype 18 with a 32-byte key.
fn body() -> Vec<u8> {
    let mut b = vec![
        0, 1, 0, 1, b'R', 0, 1, b'u', 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 18, 0, 32,
    ];
    b.extend_from_slice(&[7; 32]);
    b
}

#[test]
fn absurd_lengths_and_counts() {
    // Entry size far past the end.
    let mut big = 0x7fff_fff0_i32.to_be_bytes().to_vec();
    big.extend_from_slice(&body());
    let err = parse(&v2(&[big])).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::EntryBeyondEnd { hole: false, .. }),
        "{err}"
    );

    // A realm length beyond the entry.
    let mut b = body();
    b[2] = 0xff;
    let err = parse(&v2(&[sized(&b)])).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::FieldBeyondEntry {
                offset: 10,
                needed: 0xff01,
                ..
            }
        ),
        "{err}"
    );

    // A key length beyond the entry.
    let mut b = body();
    b[19] = 0xff;
    let err = parse(&v2(&[sized(&b)])).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::FieldBeyondEntry { .. }),
        "{err}"
    );

    // 65535 components: refused before any is read.
    let mut b = body();
    b[0] = 0xff;
    b[1] = 0xff;
    let err = parse(&v2(&[sized(&b)])).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::TooManyComponents {
                count: 65535,
                offset: 6,
                ..
            }
        ),
        "{err}"
    );

    // The most components accepted, each empty, parse.
    let mut b = vec![0, MAX_COMPONENTS as u8, 0, 1, b'R'];
    for _ in 0..MAX_COMPONENTS {
        b.extend_from_slice(&[0, 0]);
    }
    b.extend_from_slice(&body()[8..]);
    let kt = parse(&v2(&[sized(&b)])).unwrap();
    assert_eq!(
        kt.entries()[0].principal().components().len(),
        MAX_COMPONENTS
    );

    // No components, and an empty realm.
    let mut b = body();
    b[1] = 0;
    assert!(matches!(
        parse(&v2(&[sized(&b)])).unwrap_err().kind(),
        ErrorKind::NoComponents { .. }
    ));
    let b: Vec<u8> = [&[0u8, 1, 0, 0][..], &body()[5..]].concat();
    assert!(matches!(
        parse(&v2(&[sized(&b)])).unwrap_err().kind(),
        ErrorKind::EmptyRealm { .. }
    ));
}

#[test]
fn entry_size_smaller_than_its_fields() {
    let b = body();
    let mut e = (20i32).to_be_bytes().to_vec();
    e.extend_from_slice(&b);
    let err = parse(&v2(&[e])).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::FieldBeyondEntry {
                entry_offset: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn slack_after_the_32_bit_kvno_is_ignored() {
    // MIT reuses a larger hole for a smaller entry: the entry's size covers trailing zeros.
    let mut b = body();
    b.extend_from_slice(&300u32.to_be_bytes());
    b.extend_from_slice(&[0; 9]);
    let kt = parse(&v2(&[sized(&b)])).unwrap();
    assert_eq!(kt.entries()[0].kvno(), 300);
    // Fewer than 4 bytes after the key: no 32-bit kvno; the 8-bit one stands.
    let mut b = body();
    b.extend_from_slice(&[0, 0, 1]);
    assert_eq!(parse(&v2(&[sized(&b)])).unwrap().entries()[0].kvno(), 1);
    // A zero 32-bit kvno means "use the 8-bit one".
    let mut b = body();
    b.extend_from_slice(&[0; 4]);
    assert_eq!(parse(&v2(&[sized(&b)])).unwrap().entries()[0].kvno(), 1);
}

#[test]
fn holes() {
    let hole = |n: i32| {
        let mut h = (-n).to_be_bytes().to_vec();
        h.extend(std::iter::repeat_n(0u8, n as usize));
        h
    };
    // Holes only, of every small size.
    let file = v2(&(1..50).map(hole).collect::<Vec<_>>());
    let kt = parse(&file).unwrap();
    assert_eq!((kt.entries().len(), kt.holes()), (0, 49));
    // Holes around an entry.
    let kt = parse(&v2(&[hole(3), sized(&body()), hole(70)])).unwrap();
    assert_eq!((kt.entries().len(), kt.holes()), (1, 2));
    // A hole past the end, and the one size with no positive counterpart.
    let mut h = (-1000i32).to_be_bytes().to_vec();
    h.extend_from_slice(&[0; 10]);
    assert!(matches!(
        parse(&v2(&[h])).unwrap_err().kind(),
        ErrorKind::EntryBeyondEnd {
            hole: true,
            remaining: 10,
            ..
        }
    ));
    let mut h = i32::MIN.to_be_bytes().to_vec();
    h.extend_from_slice(&[0; 10]);
    assert!(matches!(
        parse(&v2(&[h])).unwrap_err().kind(),
        ErrorKind::InvalidHole { offset: 2 }
    ));
}

#[test]
fn end_marker_stops_reading() {
    let mut file = v2(&[sized(&body())]);
    file.extend_from_slice(&[0, 0, 0, 0]);
    file.extend_from_slice(b"anything after MIT's end marker is ignored, as MIT ignores it");
    assert_eq!(parse(&file).unwrap().entries().len(), 1);
}

#[test]
fn wrong_versions() {
    for (bytes, kind) in [
        (&[][..], "empty"),
        (&[5][..], "truncated"),
        (&[5, 3][..], "version"),
        (&[5, 0][..], "version"),
        (&[2, 5][..], "version"),
        (b"\x7fELF", "version"),
    ] {
        let err = parse(bytes).unwrap_err();
        match kind {
            "empty" => assert!(matches!(err.kind(), ErrorKind::Empty)),
            "truncated" => assert!(matches!(err.kind(), ErrorKind::Truncated { .. })),
            _ => assert!(matches!(err.kind(), ErrorKind::BadVersion { .. }), "{err}"),
        }
    }
    let text = parse(&[5, 3]).unwrap_err().to_string();
    assert!(text.contains("05 03 is not supported"), "{text}");
    let text = parse(b"\x7fELF").unwrap_err().to_string();
    assert!(text.contains("not an MIT keytab"), "{text}");
    // A 0x0502 file relabelled 0x0501 is read little-endian and refused.
    let mut bytes = std::fs::read(data("mit-aes.keytab")).unwrap();
    bytes[1] = 1;
    assert!(parse(&bytes).is_err());
}

#[test]
fn a_partial_size_field_is_an_error() {
    for extra in 1..4 {
        let mut file = v2(&[sized(&body())]);
        file.extend(std::iter::repeat_n(0xffu8, extra));
        let err = parse(&file).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Truncated { needed: 4, .. }),
            "{err}"
        );
    }
}

#[test]
fn caps_on_size_and_entries() {
    let too_big = vec![0u8; MAX_FILE_SIZE + 1];
    assert!(matches!(
        parse(&too_big).unwrap_err().kind(),
        ErrorKind::TooLarge { .. }
    ));

    let entry = sized(&body());
    let mut file = vec![5, 2];
    for _ in 0..=MAX_ENTRIES {
        file.extend_from_slice(&entry);
    }
    let err = parse(&file).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::TooManyEntries { .. }),
        "{err}"
    );
    file.truncate(2 + MAX_ENTRIES * entry.len());
    assert_eq!(parse(&file).unwrap().entries().len(), MAX_ENTRIES);
}

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_damage_never_panics() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for path in all_keytabs() {
        let orig = std::fs::read(&path).unwrap();
        for _ in 0..3000 {
            let mut bytes = orig.clone();
            for _ in 0..(1 + rng.next() % 4) {
                let i = (rng.next() as usize) % bytes.len();
                bytes[i] = match rng.next() % 4 {
                    0 => 0xff,
                    1 => 0x00,
                    2 => 0x80,
                    _ => rng.next() as u8,
                };
            }
            if let Ok(kt) = parse(&bytes) {
                // Whatever parses writes and reads back the same.
                let again = parse(&kt.to_bytes().unwrap()).unwrap();
                assert_eq!(again.entries().len(), kt.entries().len());
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for i in 0..20_000 {
        let len = (rng.next() % 300) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Most with a valid header, so the entry parser is reached.
        if i % 4 != 0 && bytes.len() >= 2 {
            bytes[0] = 5;
            bytes[1] = if i % 2 == 0 { 2 } else { 1 };
        }
        // Small sizes, so entries are often plausible.
        if bytes.len() >= 6 && i % 3 == 0 {
            bytes[2] = 0;
            bytes[3] = 0;
            bytes[4] = 0;
        }
        let _ = parse(&bytes);
    }
}
