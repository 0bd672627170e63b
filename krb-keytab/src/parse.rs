//! Reading the MIT keytab file format (described in the crate documentation).

use crate::enctype::EnctypeNumber;
use crate::error::{ErrorKind, Field, KeytabError};
use crate::keytab::{Entry, Keytab, Version};
use crate::principal::{MAX_COMPONENTS, Principal};

/// The largest keytab this crate reads: 64 MiB (a keytab of a thousand principals is ~200 KB).
pub const MAX_FILE_SIZE: usize = 64 << 20;

/// The most entries a keytab may hold here (holes not counted): 4096 principals with four keys
/// each. Each usable entry holds a crypto key with its per-usage cache (about 2 KiB), so this
/// also bounds what a hostile file of small entries can make this crate allocate (about 40 MiB).
pub const MAX_ENTRIES: usize = 16_384;

#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

/// A bounded cursor over one entry, reporting absolute file offsets.
struct Cursor<'a> {
    /// The entry's bytes (after its size field).
    data: &'a [u8],
    /// Where `data` starts in the file.
    base: usize,
    /// Where the entry's size field starts in the file.
    entry_offset: usize,
    pos: usize,
    order: Order,
}

impl<'a> Cursor<'a> {
    fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, field: Field) -> Result<&'a [u8], KeytabError> {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        match rest.split_at_checked(n) {
            Some((head, _)) => {
                self.pos = self.pos.saturating_add(n);
                Ok(head)
            }
            None => Err(ErrorKind::FieldBeyondEntry {
                offset: self.offset(),
                field,
                needed: n,
                remaining: rest.len(),
                entry_offset: self.entry_offset,
            }
            .into()),
        }
    }

    fn array<const N: usize>(&mut self, field: Field) -> Result<[u8; N], KeytabError> {
        let bytes = self.take(N, field)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn u8(&mut self, field: Field) -> Result<u8, KeytabError> {
        let [b] = self.array::<1>(field)?;
        Ok(b)
    }

    fn u16(&mut self, field: Field) -> Result<u16, KeytabError> {
        let b = self.array::<2>(field)?;
        Ok(match self.order {
            Order::Little => u16::from_le_bytes(b),
            Order::Big => u16::from_be_bytes(b),
        })
    }

    fn u32(&mut self, field: Field) -> Result<u32, KeytabError> {
        let b = self.array::<4>(field)?;
        Ok(match self.order {
            Order::Little => u32::from_le_bytes(b),
            Order::Big => u32::from_be_bytes(b),
        })
    }

    /// A 16-bit length, then that many bytes.
    fn data(&mut self, len_field: Field, field: Field) -> Result<&'a [u8], KeytabError> {
        let len = self.u16(len_field)?;
        self.take(usize::from(len), field)
    }
}

fn read_i32(bytes: [u8; 4], order: Order) -> i32 {
    match order {
        Order::Little => i32::from_le_bytes(bytes),
        Order::Big => i32::from_be_bytes(bytes),
    }
}

/// Parses a whole keytab file (version 0x0501 or 0x0502).
///
/// Never panics on any input; checks every length against the bytes that remain before
/// allocating; refuses inputs over [`MAX_FILE_SIZE`] and more than [`MAX_ENTRIES`] entries. Fails
/// on anything that is not a well-formed keytab, with the byte offset (see the crate
/// documentation for what is tolerated as MIT tolerates it). This is the fuzzing entry point.
pub fn parse(bytes: &[u8]) -> Result<Keytab, KeytabError> {
    if bytes.len() > MAX_FILE_SIZE {
        return Err(ErrorKind::TooLarge {
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            max: MAX_FILE_SIZE as u64,
        }
        .into());
    }
    let (version_bytes, mut rest) = match bytes.split_first_chunk::<2>() {
        Some(split) => split,
        None if bytes.is_empty() => return Err(ErrorKind::Empty.into()),
        None => {
            return Err(ErrorKind::Truncated {
                offset: 0,
                field: Field::Version,
                needed: 2,
                remaining: bytes.len(),
            }
            .into());
        }
    };
    let (version, order) = match version_bytes {
        [5, 1] => (Version::V1, Order::Little),
        [5, 2] => (Version::V2, Order::Big),
        other => return Err(ErrorKind::BadVersion { found: *other }.into()),
    };
    let mut offset = 2usize;
    let mut entries = Vec::new();
    let mut holes = 0usize;
    while !rest.is_empty() {
        let Some((size_bytes, after)) = rest.split_first_chunk::<4>() else {
            return Err(ErrorKind::Truncated {
                offset,
                field: Field::EntrySize,
                needed: 4,
                remaining: rest.len(),
            }
            .into());
        };
        let size = read_i32(*size_bytes, order);
        if size == 0 {
            // MIT's end marker: it stops reading here, and so do we.
            break;
        }
        if size == i32::MIN {
            return Err(ErrorKind::InvalidHole { offset }.into());
        }
        let len = usize::try_from(size.unsigned_abs()).unwrap_or(usize::MAX);
        let Some((body, next)) = after.split_at_checked(len) else {
            return Err(ErrorKind::EntryBeyondEnd {
                offset,
                size: u64::from(size.unsigned_abs()),
                remaining: after.len(),
                hole: size < 0,
            }
            .into());
        };
        if size > 0 {
            if entries.len() == MAX_ENTRIES {
                return Err(ErrorKind::TooManyEntries {
                    offset,
                    max: MAX_ENTRIES,
                }
                .into());
            }
            let mut cursor = Cursor {
                data: body,
                base: offset.saturating_add(4),
                entry_offset: offset,
                pos: 0,
                order,
            };
            entries.push(parse_entry(&mut cursor, version)?);
        } else {
            holes = holes.saturating_add(1);
        }
        offset = offset.saturating_add(4).saturating_add(len);
        rest = next;
    }
    Ok(Keytab::from_parsed(version, entries, holes))
}

fn parse_entry(c: &mut Cursor<'_>, version: Version) -> Result<Entry, KeytabError> {
    let count_offset = c.offset();
    let raw_count = c.u16(Field::ComponentCount)?;
    let count = match version {
        // 0x0501 counts the realm as a component.
        Version::V1 => usize::from(raw_count).checked_sub(1),
        Version::V2 => Some(usize::from(raw_count)),
    };
    let count = match count {
        None | Some(0) => {
            return Err(ErrorKind::NoComponents {
                offset: count_offset,
            }
            .into());
        }
        Some(n) if n > MAX_COMPONENTS => {
            return Err(ErrorKind::TooManyComponents {
                offset: count_offset,
                count: n,
                max: MAX_COMPONENTS,
            }
            .into());
        }
        Some(n) => n,
    };
    let realm_offset = c.offset();
    let realm = c.data(Field::RealmLength, Field::Realm)?;
    if realm.is_empty() {
        return Err(ErrorKind::EmptyRealm {
            offset: realm_offset,
        }
        .into());
    }
    let mut components = Vec::with_capacity(count);
    for _ in 0..count {
        components.push(c.data(Field::ComponentLength, Field::Component)?.to_vec());
    }
    let name_type = match version {
        Version::V1 => 0, // KRB5_NT_UNKNOWN, as MIT sets it
        Version::V2 => i32::from_be_bytes(c.u32(Field::NameType)?.to_be_bytes()),
    };
    let timestamp = c.u32(Field::Timestamp)?;
    let kvno8 = c.u8(Field::Kvno)?;
    // MIT reads the enctype as a signed 16-bit number.
    let enctype = i32::from(i16::from_be_bytes(c.u16(Field::Enctype)?.to_be_bytes()));
    let key = c.data(Field::KeyLength, Field::Key)?;
    // The 32-bit kvno, if the declared size leaves room for it; zero means "use the 8-bit one".
    let kvno32 = if c.remaining() >= 4 {
        Some(c.u32(Field::Kvno)?).filter(|&k| k != 0)
    } else {
        None
    };
    let principal = Principal::from_parts(components, realm.to_vec())
        .map_err(|e| KeytabError::new(ErrorKind::Principal(e)))?;
    Ok(Entry::from_file(
        principal,
        name_type,
        timestamp,
        kvno32.unwrap_or(u32::from(kvno8)),
        kvno32.is_none(),
        EnctypeNumber::new(enctype),
        key,
    ))
}
