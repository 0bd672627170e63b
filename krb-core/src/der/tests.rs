//! The DER rules, one table per rule: valid encodings with their values, invalid encodings
//! with their error kind and offset.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

/// Decodes a whole input with `f`, checking nothing trails.
fn decode<'a, T>(
    input: &'a [u8],
    f: impl FnOnce(&mut Reader<'a>) -> Result<T, DerError>,
) -> Result<T, DerError> {
    let mut r = Reader::new(input);
    let v = f(&mut r)?;
    r.finish("input")?;
    Ok(v)
}

fn fails<T: std::fmt::Debug>(result: Result<T, DerError>) -> (usize, DerErrorKind) {
    let e = result.expect_err("expected an error");
    (e.offset, e.kind)
}

fn octets(r: &mut Reader<'_>) -> Result<Vec<u8>, DerError> {
    r.octet_string("test").map(<[u8]>::to_vec)
}

#[test]
fn lengths_valid() {
    let mut long = vec![0x04, 0x81, 0x80];
    long.extend([7u8; 128]);
    let mut longer = vec![0x04, 0x82, 0x01, 0x00];
    longer.extend([9u8; 256]);
    let cases: &[(&[u8], usize)] = &[
        (&[0x04, 0x00], 0),
        (&[0x04, 0x01, 0xaa], 1),
        (&long, 128),
        (&longer, 256),
    ];
    for (input, len) in cases {
        assert_eq!(decode(input, octets).unwrap().len(), *len, "{input:02x?}");
    }
}

#[test]
fn lengths_invalid() {
    let mut nonmin_short = vec![0x04, 0x81, 0x05];
    nonmin_short.extend([0u8; 5]);
    let mut leading_zero = vec![0x04, 0x82, 0x00, 0x80];
    leading_zero.extend([0u8; 128]);
    let cases: Vec<(&[u8], usize, DerErrorKind)> = vec![
        (&[0x04, 0x80, 0x00, 0x00], 1, DerErrorKind::IndefiniteLength),
        (&[0x04, 0xff], 1, DerErrorKind::ReservedLength),
        (
            &[0x04, 0x85, 0, 0, 0, 0, 1, 0],
            1,
            DerErrorKind::LengthTooLong { bytes: 5 },
        ),
        (&nonmin_short, 1, DerErrorKind::NonMinimalLength),
        (&leading_zero, 1, DerErrorKind::NonMinimalLength),
        (
            &[0x04, 0x05, 0xaa],
            1,
            DerErrorKind::LengthExceedsInput {
                length: 5,
                available: 1,
            },
        ),
        (
            &[0x04, 0x84, 0xff, 0xff, 0xff, 0xff],
            1,
            DerErrorKind::LengthExceedsInput {
                length: 0xffff_ffff,
                available: 0,
            },
        ),
        (
            &[0x04],
            1,
            DerErrorKind::Truncated {
                needed: 1,
                available: 0,
            },
        ),
        (
            &[0x04, 0x82, 0x01],
            2,
            DerErrorKind::Truncated {
                needed: 2,
                available: 1,
            },
        ),
    ];
    for (input, offset, kind) in cases {
        assert_eq!(fails(decode(input, octets)), (offset, kind), "{input:02x?}");
    }
}

#[test]
fn length_must_fit_enclosing_element() {
    // SEQUENCE of 3 bytes holding an OCTET STRING that claims 4.
    let input = [0x30, 0x03, 0x04, 0x04, 0xaa, 0xbb, 0xcc];
    let got = fails(decode(&input, |r| r.sequence("outer", octets)));
    assert_eq!(
        got,
        (
            3,
            DerErrorKind::LengthExceedsInput {
                length: 4,
                available: 1
            }
        )
    );
}

#[test]
fn tags() {
    let want = Tag::OCTET_STRING;
    let cases: Vec<(&[u8], usize, DerErrorKind)> = vec![
        (
            &[0x02, 0x01, 0x00],
            0,
            DerErrorKind::UnexpectedTag {
                expected: want,
                what: "test",
                found: Tag::INTEGER,
            },
        ),
        // Constructed OCTET STRING: the constructed bit is checked.
        (
            &[0x24, 0x00],
            0,
            DerErrorKind::UnexpectedTag {
                expected: want,
                what: "test",
                found: Tag::universal(4, true),
            },
        ),
        (
            &[0x1f, 0x81, 0x00, 0x00],
            0,
            DerErrorKind::HighTagNumber { byte: 0x1f },
        ),
        (
            &[],
            0,
            DerErrorKind::MissingElement {
                expected: want,
                what: "test",
            },
        ),
    ];
    for (input, offset, kind) in cases {
        assert_eq!(fails(decode(input, octets)), (offset, kind), "{input:02x?}");
    }
    // Class is checked: [APPLICATION 4] vs [4] vs [PRIVATE 4].
    for (byte, class) in [
        (0x64u8, Class::Application),
        (0xa4, Class::Context),
        (0xe4, Class::Private),
    ] {
        let input = [byte, 0x00];
        let got = fails(decode(&input, |r| r.explicit(5, "f", |_| Ok(()))));
        assert_eq!(
            got,
            (
                0,
                DerErrorKind::UnexpectedTag {
                    expected: Tag::context(5),
                    what: "f",
                    found: Tag {
                        class,
                        constructed: true,
                        number: 4
                    }
                }
            )
        );
    }
}

#[test]
fn tag_byte_round_trip() {
    for byte in 0..=255u8 {
        match Tag::from_byte(byte) {
            Some(tag) => assert_eq!(tag.to_byte(), byte),
            None => assert_eq!(byte & 0x1f, 0x1f),
        }
    }
}

#[test]
fn error_message_names_both_tags() {
    let input = [0x00, 0x00, 0x30, 0x00];
    let mut r = Reader::new(&input);
    r.any().unwrap();
    let e = r.element(Tag::application(14), "AP-REQ").unwrap_err();
    assert_eq!(
        e.to_string(),
        "at byte 2: expected [APPLICATION 14] constructed (AP-REQ), found UNIVERSAL 16 constructed (SEQUENCE)"
    );
}

#[test]
fn integers_valid() {
    let cases: &[(&[u8], i64)] = &[
        (&[0x02, 0x01, 0x00], 0),
        (&[0x02, 0x01, 0x7f], 127),
        (&[0x02, 0x02, 0x00, 0x80], 128),
        (&[0x02, 0x01, 0x80], -128),
        (&[0x02, 0x02, 0xff, 0x7f], -129),
        (&[0x02, 0x04, 0x7f, 0xff, 0xff, 0xff], i64::from(i32::MAX)),
        (&[0x02, 0x04, 0x80, 0x00, 0x00, 0x00], i64::from(i32::MIN)),
        (
            &[0x02, 0x08, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            i64::MAX,
        ),
    ];
    for (input, value) in cases {
        assert_eq!(
            decode(input, |r| r.integer("n")).unwrap(),
            *value,
            "{input:02x?}"
        );
    }
}

#[test]
fn integers_invalid() {
    let cases: Vec<(&[u8], usize, DerErrorKind)> = vec![
        (&[0x02, 0x00], 2, DerErrorKind::EmptyInteger { what: "n" }),
        (
            &[0x02, 0x02, 0x00, 0x7f],
            2,
            DerErrorKind::NonMinimalInteger { what: "n" },
        ),
        (
            &[0x02, 0x02, 0xff, 0x80],
            2,
            DerErrorKind::NonMinimalInteger { what: "n" },
        ),
        (
            &[0x02, 0x02, 0x00, 0x00],
            2,
            DerErrorKind::NonMinimalInteger { what: "n" },
        ),
        (
            &[0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0],
            2,
            DerErrorKind::IntegerOutOfRange {
                what: "n",
                min: i64::MIN,
                max: i64::MAX,
            },
        ),
    ];
    for (input, offset, kind) in cases {
        assert_eq!(
            fails(decode(input, |r| r.integer("n"))),
            (offset, kind),
            "{input:02x?}"
        );
    }
}

#[test]
fn integer_ranges() {
    let i32_range = DerErrorKind::IntegerOutOfRange {
        what: "n",
        min: i32::MIN.into(),
        max: i32::MAX.into(),
    };
    let u32_range = DerErrorKind::IntegerOutOfRange {
        what: "n",
        min: 0,
        max: u32::MAX.into(),
    };
    let two_31 = [0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00];
    assert_eq!(fails(decode(&two_31, |r| r.i32("n"))), (2, i32_range));
    assert_eq!(decode(&two_31, |r| r.u32("n")).unwrap(), 0x8000_0000);
    assert_eq!(
        fails(decode(&[0x02, 0x01, 0xff], |r| r.u32("n"))),
        (2, u32_range.clone())
    );
    let two_32 = [0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00];
    assert_eq!(fails(decode(&two_32, |r| r.u32("n"))), (2, u32_range));
    assert_eq!(decode(&[0x02, 0x01, 0xff], |r| r.i32("n")).unwrap(), -1);
}

#[test]
fn seq_number_allows_negative() {
    let cases: &[(&[u8], u32)] = &[
        (&[0x02, 0x01, 0xff], 0xffff_ffff),
        (&[0x02, 0x04, 0x80, 0x00, 0x00, 0x00], 0x8000_0000),
        (&[0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff], 0xffff_ffff),
        (&[0x02, 0x01, 0x05], 5),
    ];
    for (input, value) in cases {
        assert_eq!(decode(input, |r| r.seq_number("s")).unwrap(), *value);
        assert_eq!(decode(input, |r| r.kvno("k")).unwrap(), *value);
    }
    // MIT's own test vectors: kvno 0xff000000 as 02 04 ff 00 00 00.
    assert_eq!(
        decode(&[0x02, 0x04, 0xff, 0x00, 0x00, 0x00], |r| r.kvno("k")).unwrap(),
        0xff00_0000
    );
    let too_small = [0x02, 0x05, 0xff, 0x7f, 0xff, 0xff, 0xff];
    let too_big = [0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00];
    for input in [&too_small[..], &too_big[..]] {
        let (offset, kind) = fails(decode(input, |r| r.seq_number("s")));
        assert_eq!(offset, 2);
        assert!(matches!(kind, DerErrorKind::IntegerOutOfRange { .. }));
    }
}

#[test]
fn bit_strings() {
    let valid: &[(&[u8], u32)] = &[
        (&[0x03, 0x05, 0x00, 0x40, 0x00, 0x00, 0x00], 0x4000_0000),
        (&[0x03, 0x05, 0x00, 0x20, 0x00, 0x00, 0x01], 0x2000_0001),
        (&[0x03, 0x01, 0x00], 0),
        (&[0x03, 0x02, 0x07, 0x80], 0x8000_0000),
        (
            &[0x03, 0x06, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a],
            0x1234_5678,
        ),
    ];
    for (input, flags) in valid {
        assert_eq!(decode(input, |r| r.kerberos_flags("f")).unwrap(), *flags);
    }
    let invalid: &[(&[u8], &str)] = &[
        (&[0x03, 0x00], "it has no unused-bits byte"),
        (&[0x03, 0x01, 0x01], "it is empty but counts unused bits"),
        (
            &[0x03, 0x02, 0x08, 0x00],
            "the unused-bits count is above 7",
        ),
        (&[0x03, 0x02, 0x01, 0x01], "the unused bits are not zero"),
        (&[0x03, 0x02, 0x04, 0x08], "the unused bits are not zero"),
    ];
    for (input, reason) in invalid {
        assert_eq!(
            fails(decode(input, |r| r.kerberos_flags("f"))),
            (2, DerErrorKind::InvalidBitString { what: "f", reason })
        );
    }
}

#[test]
fn booleans() {
    assert!(!decode(&[0x01, 0x01, 0x00], |r| r.boolean("b")).unwrap());
    assert!(decode(&[0x01, 0x01, 0xff], |r| r.boolean("b")).unwrap());
    for input in [
        &[0x01, 0x01, 0x01][..],
        &[0x01, 0x00],
        &[0x01, 0x02, 0xff, 0xff],
    ] {
        assert_eq!(
            fails(decode(input, |r| r.boolean("b"))),
            (2, DerErrorKind::InvalidBoolean { what: "b" })
        );
    }
}

#[test]
fn oids() {
    let krb5 = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
    ];
    let oid = decode(&krb5, |r| r.oid("mech")).unwrap();
    assert_eq!(oid, Oid::KRB5);
    assert!(oid.is_krb5());
    assert_eq!(oid.to_string(), "1.2.840.113554.1.2.2");
    assert_eq!(Oid::KRB5_MS.to_string(), "1.2.840.48018.1.2.2");
    assert_eq!(Oid::SPNEGO.to_string(), "1.3.6.1.5.5.2");
    assert_eq!(Oid::NTLMSSP.to_string(), "1.3.6.1.4.1.311.2.2.10");
    assert_eq!(Oid::parse(&[0x00]).unwrap().to_string(), "0.0");
    assert_eq!(Oid::parse(&[0x88, 0x37]).unwrap().to_string(), "2.999");
    let invalid: &[(&[u8], &str)] = &[
        (&[0x06, 0x00], "it is empty"),
        (
            &[0x06, 0x02, 0x80, 0x01],
            "a sub-identifier has a redundant leading 0x80 byte",
        ),
        (
            &[0x06, 0x02, 0x2a, 0x86],
            "the last sub-identifier is not terminated",
        ),
        (
            &[
                0x06, 0x0c, 0x2a, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01,
            ],
            "a sub-identifier is larger than 64 bits",
        ),
    ];
    for (input, reason) in invalid {
        assert_eq!(
            fails(decode(input, |r| r.oid("o"))),
            (2, DerErrorKind::InvalidOid { what: "o", reason })
        );
    }
}

#[test]
fn general_strings_keep_utf8() {
    // "ü" and a byte in 0x80..=0xa0, which rasn-kerberos rejects.
    let input = [0x1b, 0x04, 0xc3, 0xbc, 0xc2, 0x85];
    assert_eq!(
        decode(&input, |r| r.general_string("name")).unwrap(),
        &[0xc3, 0xbc, 0xc2, 0x85]
    );
}

fn time(text: &str) -> Vec<u8> {
    let mut v = vec![0x18, u8::try_from(text.len()).unwrap()];
    v.extend_from_slice(text.as_bytes());
    v
}

#[test]
fn kerberos_times_valid() {
    let cases: &[(&str, i64)] = &[
        ("19700101000000Z", 0),
        ("19691231235959Z", -1),
        ("20000229000000Z", 951_782_400),
        ("20380119031408Z", 2_147_483_648),
        ("20240229123456Z", 1_709_210_096),
        ("99991231235959Z", 253_402_300_799),
        ("00000101000000Z", -62_167_219_200),
    ];
    for (text, secs) in cases {
        assert_eq!(
            decode(&time(text), |r| r.kerberos_time("t")).unwrap(),
            *secs,
            "{text}"
        );
        assert_eq!(format_kerberos_time(*secs).unwrap(), text.as_bytes());
    }
}

#[test]
fn kerberos_times_invalid() {
    let cases: &[(&str, &str)] = &[
        ("2021010100000Z", "it must be exactly 15 bytes"),
        ("20210101000000.5Z", "it must be exactly 15 bytes"),
        ("20210101000000+", "it must end with Z (UTC)"),
        ("202101010000000", "it must end with Z (UTC)"),
        ("2021a101000000Z", "a date or time field holds a non-digit"),
        ("2021 101000000Z", "a date or time field holds a non-digit"),
        ("20211301000000Z", "month out of range"),
        ("20210001000000Z", "month out of range"),
        ("20210229000000Z", "day out of range for its month"),
        ("19000229000000Z", "day out of range for its month"),
        ("20210431000000Z", "day out of range for its month"),
        ("20210100000000Z", "day out of range for its month"),
        ("20210101240000Z", "hour out of range"),
        ("20210101006000Z", "minute out of range"),
        ("20210101000060Z", "second out of range"),
    ];
    for (text, reason) in cases {
        assert_eq!(
            fails(decode(&time(text), |r| r.kerberos_time("t"))),
            (2, DerErrorKind::InvalidTime { what: "t", reason }),
            "{text}"
        );
    }
}

#[test]
fn civil_days_round_trip() {
    let mut days = days_from_civil(0, 1, 1);
    for year in 0..=9999 {
        for month in 1..=12 {
            for day in 1..=time::days_in_month(year, month) {
                assert_eq!(days_from_civil(year, month, day), days);
                assert_eq!(civil_from_days(days), (year, month, day));
                days += 1;
            }
        }
    }
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert!(format_kerberos_time(days * 86_400).is_none());
    assert!(format_kerberos_time(days_from_civil(0, 1, 1) * 86_400 - 1).is_none());
}

fn nested_sequences(depth: usize) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..depth {
        let mut outer = vec![0x30];
        let len = v.len();
        if len < 128 {
            outer.push(u8::try_from(len).unwrap());
        } else {
            outer.extend([0x81, u8::try_from(len).unwrap()]);
        }
        outer.extend(v);
        v = outer;
    }
    v
}

fn read_nested(r: &mut Reader<'_>) -> Result<usize, DerError> {
    if r.is_empty() {
        return Ok(0);
    }
    r.sequence("nested", |inner| Ok(1 + read_nested(inner)?))
}

#[test]
fn nesting_is_bounded() {
    let ok = nested_sequences(MAX_DEPTH);
    assert_eq!(decode(&ok, read_nested).unwrap(), MAX_DEPTH);
    let deep = nested_sequences(MAX_DEPTH + 1);
    assert_eq!(
        fails(decode(&deep, read_nested)),
        (2 * MAX_DEPTH, DerErrorKind::TooDeep { limit: MAX_DEPTH })
    );
}

#[test]
fn sequence_of_is_bounded() {
    let build = |n: usize| {
        let mut w = Writer::new();
        w.sequence(|w| (0..n).for_each(|_| w.integer(1)));
        w.finish().unwrap()
    };
    let ok = build(MAX_ELEMENTS);
    let got = decode(&ok, |r| r.sequence_of("list", |r| r.integer("n"))).unwrap();
    assert_eq!(got.len(), MAX_ELEMENTS);
    let too_many = build(MAX_ELEMENTS + 1);
    assert_eq!(
        fails(decode(&too_many, |r| r.sequence_of("list", |r| r.integer("n")))),
        (
            4 + 3 * MAX_ELEMENTS,
            DerErrorKind::TooManyElements {
                what: "list",
                limit: MAX_ELEMENTS
            }
        )
    );
}

#[test]
fn trailing_bytes_are_rejected() {
    // SEQUENCE { [0] INTEGER 5 } with a stray NULL inside the SEQUENCE.
    let input = [0x30, 0x07, 0xa0, 0x03, 0x02, 0x01, 0x05, 0x05, 0x00];
    let got = fails(decode(&input, |r| {
        r.sequence("outer", |r| r.explicit(0, "f", |r| r.integer("n")))
    }));
    assert_eq!(
        got,
        (
            7,
            DerErrorKind::TrailingData {
                what: "outer",
                count: 2
            }
        )
    );
    // Inside an explicit tag.
    let input = [0xa0, 0x04, 0x02, 0x01, 0x05, 0x00];
    let got = fails(decode(&input, |r| r.explicit(0, "f", |r| r.integer("n"))));
    assert_eq!(
        got,
        (
            5,
            DerErrorKind::TrailingData {
                what: "f",
                count: 1
            }
        )
    );
    // After the outermost element.
    let got = fails(decode(&[0x05, 0x00, 0x00], |r| {
        r.element(Tag::NULL, "null")
    }));
    assert_eq!(
        got,
        (
            2,
            DerErrorKind::TrailingData {
                what: "input",
                count: 1
            }
        )
    );
}

#[test]
fn optional_fields_and_order() {
    let read = |r: &mut Reader<'_>| {
        r.sequence("s", |r| {
            let a = r.optional_explicit(0, "a", |r| r.integer("a"))?;
            let b = r.explicit(1, "b", |r| r.integer("b"))?;
            let c = r.optional_explicit(2, "c", |r| r.integer("c"))?;
            Ok((a, b, c))
        })
    };
    let both = [
        0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x03, 0x02, 0x01, 0x02,
    ];
    assert_eq!(decode(&both, read).unwrap(), (Some(1), 2, None));
    let only_b = [0x30, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x02];
    assert_eq!(decode(&only_b, read).unwrap(), (None, 2, None));
    // Out of order: [1] then [0].
    let swapped = [
        0x30, 0x0a, 0xa1, 0x03, 0x02, 0x01, 0x02, 0xa0, 0x03, 0x02, 0x01, 0x01,
    ];
    assert_eq!(
        fails(decode(&swapped, read)),
        (
            7,
            DerErrorKind::TrailingData {
                what: "s",
                count: 5
            }
        )
    );
    // Missing required [1].
    let missing = [0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x01];
    assert_eq!(
        fails(decode(&missing, read)),
        (
            7,
            DerErrorKind::MissingElement {
                expected: Tag::context(1),
                what: "b"
            }
        )
    );
}

#[test]
fn raw_element_and_offsets() {
    let input = [0x30, 0x06, 0x04, 0x01, 0xaa, 0x04, 0x01, 0xbb];
    let mut r = Reader::new(&input);
    let (whole, mut inner) = r.element_raw(Tag::SEQUENCE, "s").unwrap();
    assert_eq!(whole, &input[..]);
    assert_eq!(inner.offset(), 2);
    inner.octet_string("a").unwrap();
    assert_eq!(inner.offset(), 5);
    let e = inner.integer("b").unwrap_err();
    assert_eq!(e.offset, 5);
}

#[test]
fn writer_integers_round_trip() {
    let values = [
        0i64,
        1,
        -1,
        127,
        128,
        -128,
        -129,
        255,
        256,
        32767,
        32768,
        i32::MAX.into(),
        i32::MIN.into(),
        u32::MAX.into(),
        i64::MAX,
        i64::MIN,
    ];
    for v in values {
        let mut w = Writer::new();
        w.integer(v);
        let bytes = w.finish().unwrap();
        assert_eq!(decode(&bytes, |r| r.integer("n")).unwrap(), v, "{v}");
    }
    let mut w = Writer::new();
    w.integer(128);
    assert_eq!(w.finish().unwrap(), [0x02, 0x02, 0x00, 0x80]);
}

#[test]
fn writer_lengths_are_minimal() {
    for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536] {
        let content = vec![0x5a; len];
        let mut w = Writer::new();
        w.octet_string(&content);
        let bytes = w.finish().unwrap();
        let header = match len {
            0..128 => 2,
            128..256 => 3,
            256..65536 => 4,
            _ => 5,
        };
        assert_eq!(bytes.len(), header + len);
        assert_eq!(decode(&bytes, octets).unwrap(), content);
    }
}

#[test]
fn writer_values_round_trip() {
    let mut w = Writer::new();
    w.sequence(|w| {
        w.explicit(0, |w| w.kerberos_flags(0x2000_0000));
        w.explicit(1, |w| w.kerberos_time(1_700_000_000));
        w.explicit(2, |w| w.oid(Oid::KRB5));
        w.explicit(3, |w| w.boolean(true));
        w.explicit(4, |w| w.general_string(b"EXAMPLE.TEST"));
        w.explicit(5, |w| w.enumerated(3));
    });
    let bytes = w.finish().unwrap();
    let got = decode(&bytes, |r| {
        r.sequence("s", |r| {
            Ok((
                r.explicit(0, "f", |r| r.kerberos_flags("f"))?,
                r.explicit(1, "t", |r| r.kerberos_time("t"))?,
                r.explicit(2, "o", |r| r.oid("o"))?,
                r.explicit(3, "b", |r| r.boolean("b"))?,
                r.explicit(4, "g", |r| r.general_string("g"))?,
                r.explicit(5, "e", |r| r.enumerated("e"))?,
            ))
        })
    })
    .unwrap();
    assert_eq!(
        got,
        (
            0x2000_0000,
            1_700_000_000,
            Oid::KRB5,
            true,
            &b"EXAMPLE.TEST"[..],
            3
        )
    );
    let mut w = Writer::new();
    w.kerberos_time(i64::MAX / 2);
    assert!(matches!(
        w.finish().unwrap_err().kind,
        DerErrorKind::TimeNotEncodable { .. }
    ));
}

#[test]
fn limits_are_what_the_docs_say() {
    // DerErrorKind's docs quote these numbers.
    assert_eq!((MAX_DEPTH, MAX_ELEMENTS, MAX_LENGTH_BYTES), (32, 256, 4));
}
