//! The strict zero-copy DER reader.

use super::error::{DerError, DerErrorKind};
use super::oid::Oid;
use super::tag::Tag;
use super::time::parse_kerberos_time;

/// How deep constructed elements may nest. An AP-REQ with its ticket nests 8 deep; a
/// decrypted EncTicketPart with AD-IF-RELEVANT wrapping a PAC about 10; SPNEGO adds 4.
/// 32 leaves room for every real message and stops stack-free but quadratic-time nesting.
pub const MAX_DEPTH: usize = 32;

/// How many elements a `SEQUENCE OF` may hold. Real messages hold a handful (name components,
/// authorization data entries, addresses, SPNEGO mechanisms); 256 bounds the work and the
/// allocation for hostile input.
pub const MAX_ELEMENTS: usize = 256;

/// How many bytes a long-form length may use: 4 bytes (up to 4 GiB) is far beyond any
/// Kerberos message, and the length must fit the input anyway.
pub const MAX_LENGTH_BYTES: usize = 4;

/// A BIT STRING: the count of unused bits in the last byte, and the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitString<'a> {
    /// Unused bits at the end of the last byte (0 to 7; their values are zero).
    pub unused_bits: u8,
    /// The bits, most significant first.
    pub bytes: &'a [u8],
}

/// A cursor over DER input. Reading an element returns a sub-reader over its content, so
/// nested elements are read the same way; every returned slice borrows from the input.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf` from the start of the outermost input.
    base: usize,
    /// How many constructed elements enclose this reader.
    depth: usize,
}

/// An element header: tag, header length and content length.
struct Header {
    tag: Tag,
    header_len: usize,
    content_len: usize,
}

impl<'a> Reader<'a> {
    /// A reader over the whole of `input`; offsets in errors count from its first byte.
    pub fn new(input: &'a [u8]) -> Reader<'a> {
        Reader {
            buf: input,
            pos: 0,
            base: 0,
            depth: 0,
        }
    }

    /// A reader over `input`, which starts `base` bytes into the caller's outermost input
    /// (so that errors in a part decoded on its own still point into the whole).
    pub fn with_base(input: &'a [u8], base: usize) -> Reader<'a> {
        Reader {
            buf: input,
            pos: 0,
            base,
            depth: 0,
        }
    }

    /// Reads `n` raw bytes (for the few non-DER fields, such as GSS-API token IDs).
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DerError> {
        let rest = self.rest();
        let bytes = rest.get(..n).ok_or_else(|| {
            self.error(DerErrorKind::Truncated {
                needed: n,
                available: rest.len(),
            })
        })?;
        self.pos += n;
        Ok(bytes)
    }

    /// The offset of the next byte from the start of the outermost input.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Whether everything has been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// An error of `kind` at the current position.
    pub fn error(&self, kind: DerErrorKind) -> DerError {
        DerError::new(self.offset(), kind)
    }

    /// An [`DerErrorKind::InvalidValue`] at the current position.
    pub fn invalid(&self, what: &'static str, reason: &'static str) -> DerError {
        self.error(DerErrorKind::InvalidValue { what, reason })
    }

    /// Fails with [`DerErrorKind::TrailingData`] unless everything has been read.
    pub fn finish(&self, what: &'static str) -> Result<(), DerError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.error(DerErrorKind::TrailingData {
                what,
                count: self.buf.len().saturating_sub(self.pos),
            }))
        }
    }

    /// The tag of the next element, without consuming it; `None` at the end of the input or
    /// for a tag this reader does not support (the following read reports that error).
    pub fn peek_tag(&self) -> Option<Tag> {
        self.rest().first().copied().and_then(Tag::from_byte)
    }

    /// Parses the element header at the current position.
    fn header(&self) -> Result<Header, DerError> {
        let rest = self.rest();
        let at = self.offset();
        let Some(&first) = rest.first() else {
            return Err(DerError::new(
                at,
                DerErrorKind::Truncated {
                    needed: 2,
                    available: 0,
                },
            ));
        };
        let tag = Tag::from_byte(first)
            .ok_or_else(|| DerError::new(at, DerErrorKind::HighTagNumber { byte: first }))?;
        let len_at = at + 1;
        let Some(&len0) = rest.get(1) else {
            return Err(DerError::new(
                len_at,
                DerErrorKind::Truncated {
                    needed: 1,
                    available: 0,
                },
            ));
        };
        let (content_len, header_len) = if len0 < 0x80 {
            (usize::from(len0), 2)
        } else {
            let count = usize::from(len0 & 0x7f);
            if len0 == 0x80 {
                return Err(DerError::new(len_at, DerErrorKind::IndefiniteLength));
            }
            if len0 == 0xff {
                return Err(DerError::new(len_at, DerErrorKind::ReservedLength));
            }
            if count > MAX_LENGTH_BYTES {
                return Err(DerError::new(
                    len_at,
                    DerErrorKind::LengthTooLong { bytes: count },
                ));
            }
            let Some(bytes) = rest.get(2..2 + count) else {
                return Err(DerError::new(
                    len_at + 1,
                    DerErrorKind::Truncated {
                        needed: count,
                        available: rest.len().saturating_sub(2),
                    },
                ));
            };
            if bytes.first() == Some(&0) {
                return Err(DerError::new(len_at, DerErrorKind::NonMinimalLength));
            }
            let value = bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if value < 0x80 {
                return Err(DerError::new(len_at, DerErrorKind::NonMinimalLength));
            }
            (value, 2 + count)
        };
        let available = rest.len().saturating_sub(header_len);
        if content_len > available {
            return Err(DerError::new(
                len_at,
                DerErrorKind::LengthExceedsInput {
                    length: content_len,
                    available,
                },
            ));
        }
        Ok(Header {
            tag,
            header_len,
            content_len,
        })
    }

    /// Reads the next element of any tag: its tag, its whole encoding (header included) and a
    /// reader over its content.
    pub fn any_raw(&mut self) -> Result<(Tag, &'a [u8], Reader<'a>), DerError> {
        let start = self.offset();
        let header = self.header()?;
        let depth = self.depth + usize::from(header.tag.constructed);
        if depth > MAX_DEPTH {
            return Err(DerError::new(
                start,
                DerErrorKind::TooDeep { limit: MAX_DEPTH },
            ));
        }
        let total = header.header_len + header.content_len;
        let rest = self.rest();
        let (whole, content) = rest
            .get(..total)
            .and_then(|whole| Some((whole, whole.get(header.header_len..)?)))
            .ok_or_else(|| {
                DerError::new(
                    start,
                    DerErrorKind::Truncated {
                        needed: total,
                        available: rest.len(),
                    },
                )
            })?;
        self.pos += total;
        Ok((
            header.tag,
            whole,
            Reader {
                buf: content,
                pos: 0,
                base: start + header.header_len,
                depth,
            },
        ))
    }

    /// Reads the next element of any tag: its tag and a reader over its content.
    pub fn any(&mut self) -> Result<(Tag, Reader<'a>), DerError> {
        let (tag, _, content) = self.any_raw()?;
        Ok((tag, content))
    }

    /// Reads the next element, which must have tag `expected`: its whole encoding (header
    /// included) and a reader over its content. `what` names it in errors.
    #[inline]
    pub fn element_raw(
        &mut self,
        expected: Tag,
        what: &'static str,
    ) -> Result<(&'a [u8], Reader<'a>), DerError> {
        // Fast path: the expected tag and a minimal length of at most 2 bytes that fits.
        // Anything else, valid or not, takes the slow path, which reports precise errors.
        let rest = self.rest();
        if let Some((header_len, content_len)) = fast_header(rest, expected.to_byte()) {
            let depth = self.depth + usize::from(expected.constructed);
            if let Some(whole) = rest.get(..header_len + content_len)
                && depth <= MAX_DEPTH
            {
                let base = self.offset() + header_len;
                self.pos += whole.len();
                return Ok((
                    whole,
                    Reader {
                        buf: whole.get(header_len..).unwrap_or_default(),
                        pos: 0,
                        base,
                        depth,
                    },
                ));
            }
        }
        self.element_raw_slow(expected, what)
    }

    #[cold]
    #[inline(never)]
    fn element_raw_slow(
        &mut self,
        expected: Tag,
        what: &'static str,
    ) -> Result<(&'a [u8], Reader<'a>), DerError> {
        let Some(&first) = self.rest().first() else {
            return Err(self.error(DerErrorKind::MissingElement { expected, what }));
        };
        match Tag::from_byte(first) {
            None => {
                return Err(self.error(DerErrorKind::HighTagNumber { byte: first }));
            }
            Some(found) if found != expected => {
                return Err(self.error(DerErrorKind::UnexpectedTag {
                    expected,
                    what,
                    found,
                }));
            }
            Some(_) => {}
        }
        let (_, whole, content) = self.any_raw()?;
        Ok((whole, content))
    }

    /// Reads the next element, which must have tag `expected`, and returns a reader over its
    /// content.
    #[inline]
    pub fn element(&mut self, expected: Tag, what: &'static str) -> Result<Reader<'a>, DerError> {
        self.element_raw(expected, what).map(|(_, content)| content)
    }

    /// Reads an element with tag `tag` and decodes its content with `f`, which must read all
    /// of it.
    pub fn nested<T>(
        &mut self,
        tag: Tag,
        what: &'static str,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, DerError>,
    ) -> Result<T, DerError> {
        let mut inner = self.element(tag, what)?;
        let value = f(&mut inner)?;
        inner.finish(what)?;
        Ok(value)
    }

    /// Reads a SEQUENCE and decodes its content with `f`, which must read all of it.
    pub fn sequence<T>(
        &mut self,
        what: &'static str,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, DerError>,
    ) -> Result<T, DerError> {
        self.nested(Tag::SEQUENCE, what, f)
    }

    /// Reads the explicit tag `[n]` and decodes its content with `f`, which must read all
    /// of it.
    pub fn explicit<T>(
        &mut self,
        n: u8,
        what: &'static str,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, DerError>,
    ) -> Result<T, DerError> {
        self.nested(Tag::context(n), what, f)
    }

    /// Like [`Reader::explicit`] for an OPTIONAL field: `None` when the next element is not
    /// `[n]`.
    pub fn optional_explicit<T>(
        &mut self,
        n: u8,
        what: &'static str,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, DerError>,
    ) -> Result<Option<T>, DerError> {
        if self.peek_tag() == Some(Tag::context(n)) {
            self.explicit(n, what, f).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads a `[APPLICATION n]` element and decodes its content with `f`, which must read
    /// all of it.
    pub fn application<T>(
        &mut self,
        n: u8,
        what: &'static str,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, DerError>,
    ) -> Result<T, DerError> {
        self.nested(Tag::application(n), what, f)
    }

    /// Reads a SEQUENCE OF, decoding each element with `f` (which reads one element per
    /// call), at most [`MAX_ELEMENTS`] of them.
    pub fn sequence_of<T>(
        &mut self,
        what: &'static str,
        mut f: impl FnMut(&mut Reader<'a>) -> Result<T, DerError>,
    ) -> Result<Vec<T>, DerError> {
        let mut inner = self.element(Tag::SEQUENCE, what)?;
        let mut out = Vec::new();
        while !inner.is_empty() {
            if out.len() >= MAX_ELEMENTS {
                return Err(inner.error(DerErrorKind::TooManyElements {
                    what,
                    limit: MAX_ELEMENTS,
                }));
            }
            let before = inner.offset();
            let value = f(&mut inner)?;
            if inner.offset() == before {
                return Err(inner.invalid(what, "an element decoder read nothing"));
            }
            out.push(value);
        }
        Ok(out)
    }

    /// Reads an INTEGER of at most 8 bytes.
    #[inline]
    pub fn integer(&mut self, what: &'static str) -> Result<i64, DerError> {
        let content = self.element(Tag::INTEGER, what)?;
        parse_integer(&content, what)
    }

    /// Reads an INTEGER in `min..=max`.
    #[inline]
    pub fn integer_in(&mut self, what: &'static str, min: i64, max: i64) -> Result<i64, DerError> {
        let content = self.element(Tag::INTEGER, what)?;
        let value = parse_integer(&content, what)?;
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(content.error(DerErrorKind::IntegerOutOfRange { what, min, max }))
        }
    }

    /// Reads an `Int32` (RFC 4120 §5.2.4).
    pub fn i32(&mut self, what: &'static str) -> Result<i32, DerError> {
        let value = self.integer_in(what, i32::MIN.into(), i32::MAX.into())?;
        Ok(i32::try_from(value).unwrap_or_default())
    }

    /// Reads a `UInt32` (RFC 4120 §5.2.4).
    pub fn u32(&mut self, what: &'static str) -> Result<u32, DerError> {
        let value = self.integer_in(what, 0, u32::MAX.into())?;
        Ok(u32::try_from(value).unwrap_or_default())
    }

    /// Reads a `seq-number` (`UInt32`), also accepting the negative values that old
    /// implementations send for numbers of 2^31 and above: `-1` reads as `0xffff_ffff`.
    /// MIT krb5 accepts them the same way. Use this for `seq-number` fields only.
    pub fn seq_number(&mut self, what: &'static str) -> Result<u32, DerError> {
        self.u32_or_negative(what)
    }

    /// Reads a `kvno` (`UInt32`) with the same allowance as [`Reader::seq_number`]: MIT krb5
    /// encodes a kvno of 2^31 and above as a negative 32-bit INTEGER (its own ASN.1 test
    /// vectors hold `02 04 ff 00 00 00` for kvno `0xff000000`, and `02 01 ff` for
    /// `0xffffffff`), as Active Directory's read-only DCs produce. Use this for kvno fields
    /// only.
    pub fn kvno(&mut self, what: &'static str) -> Result<u32, DerError> {
        self.u32_or_negative(what)
    }

    /// A `UInt32` that may come as a negative `Int32`, read as its two's complement.
    fn u32_or_negative(&mut self, what: &'static str) -> Result<u32, DerError> {
        let value = self.integer_in(what, i32::MIN.into(), u32::MAX.into())?;
        Ok(u32::try_from(value.rem_euclid(1 << 32)).unwrap_or_default())
    }

    /// Reads an ENUMERATED of at most 8 bytes.
    pub fn enumerated(&mut self, what: &'static str) -> Result<i64, DerError> {
        let content = self.element(Tag::ENUMERATED, what)?;
        parse_integer(&content, what)
    }

    /// Reads an OCTET STRING.
    pub fn octet_string(&mut self, what: &'static str) -> Result<&'a [u8], DerError> {
        Ok(self.element(Tag::OCTET_STRING, what)?.rest())
    }

    /// Reads an OCTET STRING that holds DER, returning a reader over its content; it counts
    /// as one level of nesting.
    pub fn octet_string_reader(&mut self, what: &'static str) -> Result<Reader<'a>, DerError> {
        let start = self.offset();
        let mut content = self.element(Tag::OCTET_STRING, what)?;
        content.depth += 1;
        if content.depth > MAX_DEPTH {
            return Err(DerError::new(
                start,
                DerErrorKind::TooDeep { limit: MAX_DEPTH },
            ));
        }
        Ok(content)
    }

    /// Reads a GeneralString (`KerberosString`, `Realm`) as bytes. Bytes of `0x80` and above
    /// are kept: real names are UTF-8.
    pub fn general_string(&mut self, what: &'static str) -> Result<&'a [u8], DerError> {
        Ok(self.element(Tag::GENERAL_STRING, what)?.rest())
    }

    /// Reads a BIT STRING.
    pub fn bit_string(&mut self, what: &'static str) -> Result<BitString<'a>, DerError> {
        let content = self.element(Tag::BIT_STRING, what)?;
        let bad = |reason| content.error(DerErrorKind::InvalidBitString { what, reason });
        let Some((&unused_bits, bytes)) = content.rest().split_first() else {
            return Err(bad("it has no unused-bits byte"));
        };
        if unused_bits > 7 {
            return Err(bad("the unused-bits count is above 7"));
        }
        match bytes.last() {
            None if unused_bits != 0 => Err(bad("it is empty but counts unused bits")),
            Some(&last) if last & ((1u8 << unused_bits) - 1) != 0 => {
                Err(bad("the unused bits are not zero"))
            }
            _ => Ok(BitString { unused_bits, bytes }),
        }
    }

    /// Reads `KerberosFlags` (RFC 4120 §5.2.8) as a `u32` whose most significant bit is flag
    /// 0. Shorter strings read with the missing flags clear; bits after the 32nd are ignored.
    pub fn kerberos_flags(&mut self, what: &'static str) -> Result<u32, DerError> {
        let bits = self.bit_string(what)?;
        let mut word = [0u8; 4];
        for (w, b) in word.iter_mut().zip(bits.bytes) {
            *w = *b;
        }
        Ok(u32::from_be_bytes(word))
    }

    /// Reads an OBJECT IDENTIFIER.
    pub fn oid(&mut self, what: &'static str) -> Result<Oid<'a>, DerError> {
        let content = self.element(Tag::OID, what)?;
        Oid::parse(content.rest())
            .map_err(|reason| content.error(DerErrorKind::InvalidOid { what, reason }))
    }

    /// Reads a BOOLEAN (DER: one byte, `0x00` or `0xFF`).
    pub fn boolean(&mut self, what: &'static str) -> Result<bool, DerError> {
        let content = self.element(Tag::BOOLEAN, what)?;
        match content.rest() {
            [0x00] => Ok(false),
            [0xff] => Ok(true),
            _ => Err(content.error(DerErrorKind::InvalidBoolean { what })),
        }
    }

    /// Reads a KerberosTime (RFC 4120 §5.2.3) as seconds since the Unix epoch.
    pub fn kerberos_time(&mut self, what: &'static str) -> Result<i64, DerError> {
        let content = self.element(Tag::GENERALIZED_TIME, what)?;
        parse_kerberos_time(content.rest())
            .map_err(|reason| content.error(DerErrorKind::InvalidTime { what, reason }))
    }
}

/// The header and content length of an element with identifier byte `tag` and a minimal
/// length of 1 to 3 bytes; `None` for anything else (which the slow path examines).
#[inline(always)]
fn fast_header(rest: &[u8], tag: u8) -> Option<(usize, usize)> {
    match *rest {
        [t, len, ..] if t == tag && len < 0x80 => Some((2, usize::from(len))),
        [t, 0x81, len, ..] if t == tag && len >= 0x80 => Some((3, usize::from(len))),
        [t, 0x82, hi, lo, ..] if t == tag && hi != 0 => {
            Some((4, usize::from(u16::from_be_bytes([hi, lo]))))
        }
        _ => None,
    }
}

/// Parses INTEGER content: non-empty, minimal, at most 8 bytes.
#[inline]
fn parse_integer(content: &Reader<'_>, what: &'static str) -> Result<i64, DerError> {
    let bytes = content.rest();
    // Most Kerberos integers (versions, types, small numbers) are one byte.
    if let [b] = *bytes {
        return Ok(i64::from(i8::from_be_bytes([b])));
    }
    match bytes {
        [] => return Err(content.error(DerErrorKind::EmptyInteger { what })),
        [0x00, next, ..] if next & 0x80 == 0 => {
            return Err(content.error(DerErrorKind::NonMinimalInteger { what }));
        }
        [0xff, next, ..] if next & 0x80 != 0 => {
            return Err(content.error(DerErrorKind::NonMinimalInteger { what }));
        }
        _ => {}
    }
    if bytes.len() > 8 {
        return Err(content.error(DerErrorKind::IntegerOutOfRange {
            what,
            min: i64::MIN,
            max: i64::MAX,
        }));
    }
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let init: i64 = if negative { -1 } else { 0 };
    Ok(bytes.iter().fold(init, |acc, &b| (acc << 8) | i64::from(b)))
}
