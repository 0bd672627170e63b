//! Errors of reading, writing and editing keytabs.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::enctype::EnctypeNumber;
use crate::principal::PrincipalError;

/// A field of a keytab file, named in parse errors.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Field {
    /// The two version bytes at the start.
    Version,
    /// The 32-bit size before each entry.
    EntrySize,
    /// The 16-bit count of name components.
    ComponentCount,
    /// The 16-bit length of the realm.
    RealmLength,
    /// The realm bytes.
    Realm,
    /// The 16-bit length of a name component.
    ComponentLength,
    /// A name component's bytes.
    Component,
    /// The 32-bit name type (version 0x0502 only).
    NameType,
    /// The 32-bit timestamp.
    Timestamp,
    /// The 8-bit key version number.
    Kvno,
    /// The 16-bit enctype.
    Enctype,
    /// The 16-bit key length.
    KeyLength,
    /// The key bytes.
    Key,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Version => "version",
            Field::EntrySize => "entry size",
            Field::ComponentCount => "component count",
            Field::RealmLength => "realm length",
            Field::Realm => "realm",
            Field::ComponentLength => "name component length",
            Field::Component => "name component",
            Field::NameType => "name type",
            Field::Timestamp => "timestamp",
            Field::Kvno => "key version number",
            Field::Enctype => "enctype",
            Field::KeyLength => "key length",
            Field::Key => "key",
        })
    }
}

/// An error reading, parsing or writing a keytab, with the file it concerns when there is one.
///
/// Displays as `keytab /etc/krb5.keytab: at byte 130: entry says 4000 bytes, only 22 remain
/// (the file is truncated or not a keytab)`.
#[derive(Debug)]
pub struct KeytabError {
    path: Option<PathBuf>,
    kind: ErrorKind,
}

impl KeytabError {
    pub(crate) fn new(kind: ErrorKind) -> KeytabError {
        KeytabError { path: None, kind }
    }

    pub(crate) fn with_path(mut self, path: &Path) -> KeytabError {
        self.path = Some(path.to_path_buf());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The file concerned, when the keytab was read from or written to a path.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The byte offset in the file where parsing failed, for parse errors.
    pub fn offset(&self) -> Option<usize> {
        self.kind.offset()
    }
}

impl From<ErrorKind> for KeytabError {
    fn from(kind: ErrorKind) -> KeytabError {
        KeytabError::new(kind)
    }
}

impl fmt::Display for KeytabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "keytab {}: {}", path.display(), self.kind),
            None => write!(f, "keytab: {}", self.kind),
        }
    }
}

impl std::error::Error for KeytabError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io { source, .. } => Some(source),
            ErrorKind::Principal(e) => Some(e),
            ErrorKind::StringToKey { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What went wrong with a keytab.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operating system refused a read, write or rename.
    Io {
        /// What was being done: `reading`, `writing`, `renaming`, ...
        action: &'static str,
        /// The underlying error.
        source: io::Error,
    },
    /// The file is larger than this crate reads.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The file has no bytes at all.
    Empty,
    /// The first two bytes are not `05 01` or `05 02`.
    BadVersion {
        /// The bytes found.
        found: [u8; 2],
    },
    /// The file ends in the middle of a field outside any entry (an entry size).
    Truncated {
        /// Where the field starts.
        offset: usize,
        /// Which field.
        field: Field,
        /// Bytes it needs.
        needed: usize,
        /// Bytes left in the file.
        remaining: usize,
    },
    /// An entry (or a hole, a deleted entry) says it is longer than the rest of the file.
    EntryBeyondEnd {
        /// Where its size field starts.
        offset: usize,
        /// The size it claims.
        size: u64,
        /// Bytes left in the file after the size field.
        remaining: usize,
        /// Whether it is a hole (a negative size).
        hole: bool,
    },
    /// An entry size of -2147483648, which has no positive counterpart.
    InvalidHole {
        /// Where the size field starts.
        offset: usize,
    },
    /// A field runs past the end of its entry as the entry's size declares it.
    FieldBeyondEntry {
        /// Where the field starts.
        offset: usize,
        /// Which field.
        field: Field,
        /// Bytes it needs.
        needed: usize,
        /// Bytes left in the entry.
        remaining: usize,
        /// Where the entry's size field starts.
        entry_offset: usize,
    },
    /// A principal with no name components.
    NoComponents {
        /// Where the component count starts.
        offset: usize,
    },
    /// A principal with more name components than this crate accepts.
    TooManyComponents {
        /// Where the component count starts.
        offset: usize,
        /// The count found.
        count: usize,
        /// The most accepted.
        max: usize,
    },
    /// An empty realm.
    EmptyRealm {
        /// Where the realm length starts.
        offset: usize,
    },
    /// More entries than this crate accepts.
    TooManyEntries {
        /// Where the entry over the limit starts.
        offset: usize,
        /// The most accepted.
        max: usize,
    },
    /// A value does not fit the file format when writing.
    Unwritable {
        /// Which field.
        field: Field,
        /// The value's length or number.
        value: i64,
        /// The principal of the entry.
        principal: String,
    },
    /// A principal name was refused.
    Principal(PrincipalError),
    /// Making a key from a password failed (an enctype that is not implemented or not enabled).
    StringToKey {
        /// The enctype asked for.
        enctype: EnctypeNumber,
        /// Why.
        source: krb_core::crypto::CryptoError,
    },
    /// The keytab already has an entry with this principal, kvno and enctype.
    Duplicate {
        /// The principal.
        principal: String,
        /// The kvno.
        kvno: u32,
        /// The enctype.
        enctype: EnctypeNumber,
    },
}

impl ErrorKind {
    fn offset(&self) -> Option<usize> {
        match self {
            ErrorKind::Truncated { offset, .. }
            | ErrorKind::EntryBeyondEnd { offset, .. }
            | ErrorKind::InvalidHole { offset }
            | ErrorKind::FieldBeyondEntry { offset, .. }
            | ErrorKind::NoComponents { offset }
            | ErrorKind::TooManyComponents { offset, .. }
            | ErrorKind::EmptyRealm { offset }
            | ErrorKind::TooManyEntries { offset, .. } => Some(*offset),
            ErrorKind::BadVersion { .. } | ErrorKind::Empty => Some(0),
            _ => None,
        }
    }
}

const DAMAGED: &str = "(the file is truncated or not a keytab)";

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io { action, source } => write!(f, "{action}: {source}"),
            ErrorKind::TooLarge { size, max } => write!(
                f,
                "the file is {size} bytes; keytabs this tool reads are at most {max} bytes (is \
                 this really a keytab?)"
            ),
            ErrorKind::Empty => f.write_str(
                "the file is empty; a keytab starts with the bytes 05 02 (make one with `krb-proxy \
                 keytab add` or MIT's ktutil)",
            ),
            ErrorKind::BadVersion { found: [a, b] } => {
                if *a == 5 {
                    write!(
                        f,
                        "at byte 0: keytab version {a:02x} {b:02x} is not supported; expected 05 \
                         02 (or the old 05 01)"
                    )
                } else {
                    write!(
                        f,
                        "at byte 0: found {a:02x} {b:02x}, expected 05 02: this is not an MIT \
                         keytab file"
                    )
                }
            }
            ErrorKind::Truncated {
                offset,
                field,
                needed,
                remaining,
            } => write!(
                f,
                "at byte {offset}: the {field} needs {needed} bytes, only {remaining} remain \
                 {DAMAGED}"
            ),
            ErrorKind::EntryBeyondEnd {
                offset,
                size,
                remaining,
                hole,
            } => {
                let what = if *hole {
                    "deleted entry (hole)"
                } else {
                    "entry"
                };
                write!(
                    f,
                    "at byte {offset}: {what} says {size} bytes, only {remaining} remain {DAMAGED}"
                )
            }
            ErrorKind::InvalidHole { offset } => write!(
                f,
                "at byte {offset}: entry size is -2147483648, which is not a valid size {DAMAGED}"
            ),
            ErrorKind::FieldBeyondEntry {
                offset,
                field,
                needed,
                remaining,
                entry_offset,
            } => write!(
                f,
                "at byte {offset}: the {field} needs {needed} bytes, only {remaining} remain in \
                 the entry that starts at byte {entry_offset} (the entry is damaged)"
            ),
            ErrorKind::NoComponents { offset } => write!(
                f,
                "at byte {offset}: the principal has no name components (the entry is damaged)"
            ),
            ErrorKind::TooManyComponents { offset, count, max } => write!(
                f,
                "at byte {offset}: the principal has {count} name components, at most {max} are \
                 accepted {DAMAGED}"
            ),
            ErrorKind::EmptyRealm { offset } => write!(
                f,
                "at byte {offset}: the principal's realm is empty (the entry is damaged)"
            ),
            ErrorKind::TooManyEntries { offset, max } => write!(
                f,
                "at byte {offset}: more than {max} entries; split the keytab (is this really a \
                 keytab?)"
            ),
            ErrorKind::Unwritable {
                field,
                value,
                principal,
            } => write!(
                f,
                "cannot write the entry of {principal}: its {field} ({value}) does not fit the \
                 keytab format"
            ),
            ErrorKind::Principal(e) => e.fmt(f),
            ErrorKind::StringToKey { enctype, source } => {
                write!(f, "cannot make a {enctype} key from the password: {source}")
            }
            ErrorKind::Duplicate {
                principal,
                kvno,
                enctype,
            } => write!(
                f,
                "it already has kvno {kvno} {enctype} for {principal}; remove that entry first \
                 (krb-proxy keytab remove --principal {principal} --kvno {kvno})"
            ),
        }
    }
}
