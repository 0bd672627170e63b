//! Property tests on stable: any bytes, and mutations of MIT's keytab files, into
//! `krb_keytab::parse` give Ok or Err, never a panic; what parses lists entries within the
//! documented bounds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;

fn keytabs() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/mit");
    let mut out: Vec<Vec<u8>> = ["service.keytab", "password.keytab", "kvno300.keytab"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    out.push(Vec::new());
    out
}

fn check(data: &[u8]) {
    match krb_keytab::parse(data) {
        Ok(kt) => {
            assert!(kt.entries().len() <= krb_keytab::MAX_ENTRIES);
            let _ = format!("{kt:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_parse_without_panicking(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&data);
    }

    #[test]
    fn mutated_keytabs_parse_without_panicking(
        pick in any::<usize>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let all = keytabs();
        let mut data = all[pick % all.len()].clone();
        for (at, byte, op) in edits {
            let n = data.len().max(1);
            match op {
                0 => {
                    if let Some(b) = data.get_mut(at % n) {
                        *b = byte;
                    }
                }
                1 => data.insert(at % (data.len() + 1), byte),
                _ => data.truncate(at % n),
            }
        }
        check(&data);
    }
}
