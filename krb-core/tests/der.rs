//! The `krb_core::der` API as the fuzz targets see it (public only with the `fuzzing`
//! feature). The rule-by-rule tables are unit tests in `krb-core/src/der/tests.rs`, so that
//! they run without the feature too.
#![cfg(feature = "fuzzing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use krb_core::der::{DerErrorKind, Oid, Reader, Tag, Writer};

#[test]
fn read_what_the_writer_wrote() {
    let mut w = Writer::new();
    w.application(14, |w| {
        w.sequence(|w| {
            w.explicit(0, |w| w.integer(5));
            w.explicit(1, |w| w.oid(Oid::KRB5_MS));
            w.explicit(2, |w| w.octet_string(&[0xaa; 200]));
        });
    });
    let bytes = w.finish().unwrap();
    let mut r = Reader::new(&bytes);
    let (n, oid, len) = r
        .application(14, "message", |r| {
            r.sequence("body", |r| {
                Ok((
                    r.explicit(0, "n", |r| r.integer("n"))?,
                    r.explicit(1, "oid", |r| r.oid("oid"))?,
                    r.explicit(2, "data", |r| r.octet_string("data"))?.len(),
                ))
            })
        })
        .unwrap();
    r.finish("input").unwrap();
    assert_eq!((n, oid, len), (5, Oid::KRB5_MS, 200));
}

#[test]
fn errors_carry_offsets_from_the_outermost_input() {
    // [APPLICATION 14] { SEQUENCE { [0] BOOLEAN } } where an INTEGER is expected.
    let bytes = [0x6e, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x01, 0x01, 0xff];
    let mut r = Reader::new(&bytes);
    let e = r
        .application(14, "message", |r| {
            r.sequence("body", |r| r.explicit(0, "n", |r| r.integer("n")))
        })
        .unwrap_err();
    assert_eq!(e.offset, 6);
    assert_eq!(
        e.kind,
        DerErrorKind::UnexpectedTag {
            expected: Tag::INTEGER,
            what: "n",
            found: Tag::BOOLEAN
        }
    );
    assert_eq!(
        e.to_string(),
        "at byte 6: expected UNIVERSAL 2 primitive (INTEGER, n), found UNIVERSAL 1 primitive (BOOLEAN)"
    );
}
