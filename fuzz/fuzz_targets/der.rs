//! Any bytes into the strict DER reader, read recursively as any elements; each primitive
//! element is also read with every typed reader that fits its tag. Checks that errors point
//! inside the input, and that whatever the reader accepts, the writer encodes to the same bytes
//! (both are DER, so there is exactly one encoding).
#![no_main]

use krb_core::der::{Reader, Writer, format_kerberos_time};
use krb_core::{Oid, Tag};

fn check_offset(input_len: usize, e: &krb_core::DerError) {
    assert!(
        e.offset <= input_len,
        "error offset {} past the input ({input_len}): {e}",
        e.offset
    );
    let _ = e.to_string();
}

fn written(f: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::new();
    f(&mut w);
    w.finish().unwrap_or_default()
}

fn typed(len: usize, at: &Reader<'_>, tag: Tag, whole: &[u8]) {
    let mut r = at.clone();
    if tag == Tag::INTEGER {
        match r.integer("fuzz") {
            Ok(v) => assert_eq!(written(|w| w.integer(v)), whole, "INTEGER {v}"),
            Err(e) => check_offset(len, &e),
        }
        for read in [
            Reader::i32_any,
            Reader::u32_any,
            Reader::seq_any,
            Reader::kvno_any,
        ] {
            if let Err(e) = read(&mut at.clone()) {
                check_offset(len, &e);
            }
        }
    } else if tag == Tag::ENUMERATED {
        match r.enumerated("fuzz") {
            Ok(v) => assert_eq!(written(|w| w.enumerated(v)), whole),
            Err(e) => check_offset(len, &e),
        }
    } else if tag == Tag::BIT_STRING {
        if let Err(e) = r.bit_string("fuzz") {
            check_offset(len, &e);
        }
        if let Err(e) = at.clone().kerberos_flags("fuzz") {
            check_offset(len, &e);
        }
    } else if tag == Tag::OID {
        match r.oid("fuzz") {
            Ok(oid) => {
                let _ = oid.to_string();
                assert_eq!(written(|w| w.oid(oid)), whole);
                assert_eq!(Oid::parse(oid.as_bytes()), Ok(oid));
            }
            Err(e) => check_offset(len, &e),
        }
    } else if tag == Tag::GENERALIZED_TIME {
        match r.kerberos_time("fuzz") {
            Ok(t) => {
                let text = format_kerberos_time(t).expect("a time read formats back");
                assert_eq!(whole.get(2..), Some(text.as_slice()));
            }
            Err(e) => check_offset(len, &e),
        }
    } else if tag == Tag::BOOLEAN {
        match r.boolean("fuzz") {
            Ok(b) => assert_eq!(written(|w| w.boolean(b)), whole),
            Err(e) => check_offset(len, &e),
        }
    } else if tag == Tag::GENERAL_STRING {
        let s = r
            .general_string("fuzz")
            .expect("a read element reads as a string");
        assert_eq!(written(|w| w.general_string(s)), whole);
    } else if tag == Tag::OCTET_STRING {
        if let Ok(mut inner) = r.octet_string_reader("fuzz") {
            walk(len, &mut inner);
        }
    }
}

fn walk(len: usize, r: &mut Reader<'_>) {
    while !r.is_empty() {
        let at = r.clone();
        match r.any_raw() {
            Ok((tag, whole, mut content)) => {
                assert!(r.offset() <= len);
                if tag.constructed {
                    walk(len, &mut content);
                } else {
                    typed(len, &at, tag, whole);
                }
            }
            Err(e) => {
                check_offset(len, &e);
                return;
            }
        }
    }
}

/// The typed readers that take a `what`, as plain functions.
trait Typed {
    fn i32_any(&mut self) -> Result<(), krb_core::DerError>;
    fn u32_any(&mut self) -> Result<(), krb_core::DerError>;
    fn seq_any(&mut self) -> Result<(), krb_core::DerError>;
    fn kvno_any(&mut self) -> Result<(), krb_core::DerError>;
}

impl Typed for Reader<'_> {
    fn i32_any(&mut self) -> Result<(), krb_core::DerError> {
        self.i32("fuzz").map(drop)
    }
    fn u32_any(&mut self) -> Result<(), krb_core::DerError> {
        self.u32("fuzz").map(drop)
    }
    fn seq_any(&mut self) -> Result<(), krb_core::DerError> {
        self.seq_number("fuzz").map(drop)
    }
    fn kvno_any(&mut self) -> Result<(), krb_core::DerError> {
        self.kvno("fuzz").map(drop)
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    walk(data.len(), &mut Reader::new(data));
});
