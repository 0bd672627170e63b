//! A small DER writer: minimal encodings into a `Vec<u8>`, nested lengths back-patched.

use super::error::{DerError, DerErrorKind};
use super::oid::Oid;
use super::tag::Tag;
use super::time::format_kerberos_time;

/// Writes DER into a `Vec<u8>`. Nested elements are written by closures; their lengths are
/// patched in when each closure returns, in the shortest form.
///
/// Writing cannot fail except for a time outside the years 0000 to 9999; that error is kept
/// and returned by [`Writer::finish`].
#[derive(Clone, Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
    error: Option<DerError>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Writer {
        Writer::default()
    }

    /// An empty writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(capacity),
            error: None,
        }
    }

    /// The encoding, or the first error met.
    pub fn finish(self) -> Result<Vec<u8>, DerError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.buf),
        }
    }

    /// Appends bytes that are already DER (a whole element, or several).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Writes an element with tag `tag` whose content `f` writes.
    pub fn element(&mut self, tag: Tag, f: impl FnOnce(&mut Writer)) {
        self.buf.push(tag.to_byte());
        let len_pos = self.buf.len();
        self.buf.push(0);
        f(self);
        let content_len = self.buf.len() - len_pos - 1;
        if let Ok(short @ 0..0x80) = u8::try_from(content_len) {
            if let Some(b) = self.buf.get_mut(len_pos) {
                *b = short;
            }
            return;
        }
        let bytes = content_len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let long = bytes.get(skip..).unwrap_or_default();
        if let Some(b) = self.buf.get_mut(len_pos) {
            *b = 0x80 | u8::try_from(long.len()).unwrap_or(0x7f);
        }
        self.buf
            .splice(len_pos + 1..len_pos + 1, long.iter().copied());
    }

    /// Writes a primitive element with the given content.
    pub fn primitive(&mut self, tag: Tag, content: &[u8]) {
        self.element(tag, |w| w.raw(content));
    }

    /// Writes a SEQUENCE whose content `f` writes.
    pub fn sequence(&mut self, f: impl FnOnce(&mut Writer)) {
        self.element(Tag::SEQUENCE, f);
    }

    /// Writes an explicit `[n]` whose content `f` writes.
    pub fn explicit(&mut self, n: u8, f: impl FnOnce(&mut Writer)) {
        self.element(Tag::context(n), f);
    }

    /// Writes an `[APPLICATION n]` whose content `f` writes.
    pub fn application(&mut self, n: u8, f: impl FnOnce(&mut Writer)) {
        self.element(Tag::application(n), f);
    }

    /// Writes a minimal INTEGER.
    pub fn integer(&mut self, value: i64) {
        self.primitive(Tag::INTEGER, minimal_integer(&value.to_be_bytes()));
    }

    /// Writes a minimal ENUMERATED.
    pub fn enumerated(&mut self, value: i64) {
        self.primitive(Tag::ENUMERATED, minimal_integer(&value.to_be_bytes()));
    }

    /// Writes an OCTET STRING.
    pub fn octet_string(&mut self, bytes: &[u8]) {
        self.primitive(Tag::OCTET_STRING, bytes);
    }

    /// Writes a GeneralString (`KerberosString`, `Realm`).
    pub fn general_string(&mut self, bytes: &[u8]) {
        self.primitive(Tag::GENERAL_STRING, bytes);
    }

    /// Writes an OBJECT IDENTIFIER.
    pub fn oid(&mut self, oid: Oid<'_>) {
        self.primitive(Tag::OID, oid.as_bytes());
    }

    /// Writes a BOOLEAN.
    pub fn boolean(&mut self, value: bool) {
        self.primitive(Tag::BOOLEAN, &[if value { 0xff } else { 0x00 }]);
    }

    /// Writes `KerberosFlags` as the 32-bit BIT STRING RFC 4120 §5.2.8 asks for (flag 0 is
    /// the most significant bit of `flags`).
    pub fn kerberos_flags(&mut self, flags: u32) {
        let [a, b, c, d] = flags.to_be_bytes();
        self.primitive(Tag::BIT_STRING, &[0, a, b, c, d]);
    }

    /// Writes a KerberosTime (`YYYYMMDDHHMMSSZ`) from seconds since the Unix epoch. A time
    /// outside the years 0000 to 9999 makes [`Writer::finish`] fail.
    pub fn kerberos_time(&mut self, seconds: i64) {
        match format_kerberos_time(seconds) {
            Some(text) => self.primitive(Tag::GENERALIZED_TIME, &text),
            None => {
                if self.error.is_none() {
                    self.error = Some(DerError::new(
                        self.buf.len(),
                        DerErrorKind::TimeNotEncodable { seconds },
                    ));
                }
            }
        }
    }
}

/// Strips redundant leading bytes from a big-endian two's complement integer.
fn minimal_integer(mut bytes: &[u8]) -> &[u8] {
    while let [first, second, ..] = bytes {
        let redundant =
            (*first == 0 && second & 0x80 == 0) || (*first == 0xff && second & 0x80 != 0);
        if !redundant {
            break;
        }
        bytes = bytes.get(1..).unwrap_or_default();
    }
    bytes
}
