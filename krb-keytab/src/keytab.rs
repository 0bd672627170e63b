//! The keytab in memory: entries in file order, and an index for the acceptor's lookups.

use std::fmt;

use krb_core::crypto::{CryptoError, Etype, Key, string_to_key};

use crate::enctype::EnctypeNumber;
use crate::principal::Principal;
use crate::secret::SecretBytes;

/// The file format version a keytab was read as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Version {
    /// `05 01`: the old format, in the writing host's byte order (read as little-endian).
    V1,
    /// `05 02`: the current format, big-endian. This crate always writes it.
    V2,
}

/// An entry's key: a crypto key built once, when the entry was read or made (so the keys it
/// derives per key usage are cached for the life of the keytab), or, for an enctype this build
/// cannot use, the raw bytes and the reason.
#[derive(Clone, Debug)]
enum Material {
    Ready(Key),
    Unusable {
        bytes: SecretBytes,
        reason: CryptoError,
    },
}

impl Material {
    fn new(enctype: EnctypeNumber, bytes: &[u8]) -> Material {
        match Etype::from_number(enctype.get()).and_then(|etype| Key::new(etype, bytes)) {
            Ok(key) => Material::Ready(key),
            Err(reason) => Material::Unusable {
                bytes: SecretBytes::new(bytes),
                reason,
            },
        }
    }
}

/// One key of one principal: an entry of a keytab file.
#[derive(Clone, Debug)]
pub struct Entry {
    principal: Principal,
    name_type: i32,
    timestamp: u32,
    kvno: u32,
    kvno_8bit_only: bool,
    enctype: EnctypeNumber,
    key: Material,
}

impl Entry {
    pub(crate) fn from_file(
        principal: Principal,
        name_type: i32,
        timestamp: u32,
        kvno: u32,
        kvno_8bit_only: bool,
        enctype: EnctypeNumber,
        key: &[u8],
    ) -> Entry {
        Entry {
            principal,
            name_type,
            timestamp,
            kvno,
            kvno_8bit_only,
            enctype,
            key: Material::new(enctype, key),
        }
    }

    /// A new entry holding `key`, name type `KRB5_NT_PRINCIPAL` (1).
    pub fn from_key(principal: Principal, kvno: u32, key: Key, timestamp: u32) -> Entry {
        Entry {
            principal,
            name_type: 1,
            timestamp,
            kvno,
            kvno_8bit_only: false,
            enctype: EnctypeNumber::from(key.etype()),
            key: Material::Ready(key),
        }
    }

    /// A new entry whose key is made from a password (string-to-key at the enctype's default
    /// iteration count), with `salt`, or MIT's default salt when `None`: the realm followed by
    /// the name components ([`Principal::default_salt`]).
    pub fn from_password(
        principal: Principal,
        kvno: u32,
        etype: Etype,
        password: &[u8],
        salt: Option<&[u8]>,
        timestamp: u32,
    ) -> Result<Entry, CryptoError> {
        let key = match salt {
            Some(salt) => string_to_key(etype, password, salt, None)?,
            None => string_to_key(etype, password, &principal.default_salt(), None)?,
        };
        Ok(Entry::from_key(principal, kvno, key, timestamp))
    }

    /// A new entry with raw key bytes, name type `KRB5_NT_PRINCIPAL` (1), and the given
    /// timestamp (seconds since 1970; MIT stores the time the entry was made). An enctype this
    /// build cannot use, or a key of the wrong length, makes an entry without a usable key
    /// ([`Entry::key`] says why), which can still be listed and written.
    pub fn new(
        principal: Principal,
        kvno: u32,
        enctype: EnctypeNumber,
        key: &[u8],
        timestamp: u32,
    ) -> Entry {
        Entry::from_file(principal, 1, timestamp, kvno, false, enctype, key)
    }

    /// The principal.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The name type as stored (0x0502 files; 0 for 0x0501 files). Lookups ignore it, as MIT does.
    pub fn name_type(&self) -> i32 {
        self.name_type
    }

    /// The timestamp, seconds since 1970-01-01 UTC, unsigned (MIT reads it so since 1.17).
    pub fn timestamp(&self) -> u32 {
        self.timestamp
    }

    /// The key version number: the 32-bit one when the entry has it and it is non-zero, else the
    /// 8-bit one.
    pub fn kvno(&self) -> u32 {
        self.kvno
    }

    /// The enctype number as stored.
    pub fn enctype(&self) -> EnctypeNumber {
        self.enctype
    }

    /// The enctype, if it is one this crate implements (whether or not this build enables it).
    pub fn etype(&self) -> Option<Etype> {
        Etype::from_number(self.enctype.get()).ok()
    }

    /// The key, built when the entry was read; or why there is none: an enctype this crate does
    /// not implement (DES, camellia, unknown numbers), rc4-hmac without the `rc4` feature, or a
    /// key of the wrong length for its enctype.
    pub fn key(&self) -> Result<&Key, &CryptoError> {
        match &self.key {
            Material::Ready(key) => Ok(key),
            Material::Unusable { reason, .. } => Err(reason),
        }
    }

    /// The key bytes. Print them only when a person asks for them.
    pub fn key_bytes(&self) -> &[u8] {
        match &self.key {
            Material::Ready(key) => key.as_bytes(),
            Material::Unusable { bytes, .. } => bytes.as_bytes(),
        }
    }

    /// Whether the entry's kvno came from the 8-bit field only (no 32-bit kvno in the file), so
    /// that a ticket's kvno of 256 or more may have been truncated to it.
    pub(crate) fn kvno_8bit_only(&self) -> bool {
        self.kvno_8bit_only
    }
}

/// A keytab: its entries in file order, with an index by principal for the acceptor.
#[derive(Clone, Debug)]
pub struct Keytab {
    version: Version,
    entries: Vec<Entry>,
    holes: usize,
    /// Distinct principals in order of first appearance, each with its entry indexes sorted by
    /// kvno, highest first (ties in file order).
    index: Vec<(Principal, Vec<usize>)>,
}

impl Default for Keytab {
    fn default() -> Keytab {
        Keytab::new()
    }
}

impl Keytab {
    /// An empty keytab (version 0x0502).
    pub fn new() -> Keytab {
        Keytab {
            version: Version::V2,
            entries: Vec::new(),
            holes: 0,
            index: Vec::new(),
        }
    }

    pub(crate) fn from_parsed(version: Version, entries: Vec<Entry>, holes: usize) -> Keytab {
        let mut keytab = Keytab {
            version,
            entries,
            holes,
            index: Vec::new(),
        };
        keytab.reindex();
        keytab
    }

    fn reindex(&mut self) {
        let mut index: Vec<(Principal, Vec<usize>)> = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            match index.iter_mut().find(|(p, _)| *p == entry.principal) {
                Some((_, list)) => list.push(i),
                None => index.push((entry.principal.clone(), vec![i])),
            }
        }
        for (_, list) in &mut index {
            // Stable: equal kvnos stay in file order, so the first in the file wins, as in MIT.
            list.sort_by_key(|&i| std::cmp::Reverse(self.entries.get(i).map_or(0, |e| e.kvno)));
        }
        self.index = index;
    }

    /// The version the file was read as (new keytabs: 0x0502).
    pub fn version(&self) -> Version {
        self.version
    }

    /// The entries in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// How many holes (deleted entries) the file had. Writing drops them.
    pub fn holes(&self) -> usize {
        self.holes
    }

    /// The acceptor's key set (`krb_core::acceptor::ServiceKeys`): every entry whose key is
    /// usable. The keys are shared, not copied: a `Key` clone shares its cache of derived keys,
    /// so the ticket keys are derived once for the life of the keytab.
    ///
    /// Left out: entries whose enctype this build cannot use (unknown numbers, DES, rc4-hmac
    /// without the `rc4` feature: [`Entry::key`] says why) and principals that are not UTF-8
    /// (no ticket name can be compared with them as text).
    pub fn service_keys(&self) -> krb_core::acceptor::ServiceKeys {
        let mut keys = krb_core::acceptor::ServiceKeys::new();
        for entry in &self.entries {
            let Ok(key) = entry.key() else { continue };
            let p = &entry.principal;
            let components: Result<Vec<String>, _> = p
                .components()
                .map(|c| String::from_utf8(c.to_vec()))
                .collect();
            let (Ok(components), Ok(realm)) = (components, String::from_utf8(p.realm().to_vec()))
            else {
                continue;
            };
            keys.add(
                krb_core::principal::Principal {
                    name_type: krb_core::principal::NameType::from_i32(entry.name_type()),
                    components,
                    realm,
                },
                entry.kvno,
                key.clone(),
            );
        }
        keys
    }

    /// The distinct principals, in order of first appearance.
    pub fn principals(&self) -> impl Iterator<Item = &Principal> {
        self.index.iter().map(|(p, _)| p)
    }

    /// Adds an entry at the end.
    ///
    /// Fails with [`ErrorKind::Duplicate`](crate::ErrorKind::Duplicate) if the keytab already has
    /// an entry with the same principal, kvno and enctype (MIT's ktutil would add a second one,
    /// which only one of can ever be used).
    pub fn add(&mut self, entry: Entry) -> Result<(), crate::KeytabError> {
        if self.entries.iter().any(|e| {
            e.principal == entry.principal && e.kvno == entry.kvno && e.enctype == entry.enctype
        }) {
            return Err(crate::ErrorKind::Duplicate {
                principal: entry.principal.to_string(),
                kvno: entry.kvno,
                enctype: entry.enctype,
            }
            .into());
        }
        self.entries.push(entry);
        self.reindex();
        Ok(())
    }

    /// Adds one entry per enctype, each with a key made from `password` (see
    /// [`Entry::from_password`]). Either all are added or, on an error, none.
    pub fn add_password(
        &mut self,
        principal: &Principal,
        kvno: u32,
        etypes: &[Etype],
        password: &[u8],
        salt: Option<&[u8]>,
        timestamp: u32,
    ) -> Result<(), crate::KeytabError> {
        let mut new = Vec::with_capacity(etypes.len());
        for &etype in etypes {
            let entry =
                Entry::from_password(principal.clone(), kvno, etype, password, salt, timestamp)
                    .map_err(|source| crate::ErrorKind::StringToKey {
                        enctype: EnctypeNumber::from(etype),
                        source,
                    })?;
            new.push(entry);
        }
        let mut next = self.clone();
        for entry in new {
            next.add(entry)?;
        }
        *self = next;
        Ok(())
    }

    /// Removes the entries of `principal` (only those of `kvno` when given) and returns how
    /// many were removed.
    pub fn remove(&mut self, principal: &Principal, kvno: Option<u32>) -> usize {
        let before = self.entries.len();
        self.entries
            .retain(|e| !(e.principal == *principal && kvno.is_none_or(|k| e.kvno == k)));
        let removed = before.saturating_sub(self.entries.len());
        if removed > 0 {
            self.reindex();
        }
        removed
    }

    fn principal_entries(&self, principal: &Principal) -> Option<&[usize]> {
        self.index
            .iter()
            .find(|(p, _)| p == principal)
            .map(|(_, list)| list.as_slice())
    }

    /// Every entry of `principal` with `enctype`, highest kvno first: the keys to try, in order,
    /// when a ticket's kvno matches none (a key was rotated), as MIT does.
    pub fn candidates<'a>(
        &'a self,
        principal: &Principal,
        enctype: EnctypeNumber,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.principal_entries(principal)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.entries.get(i))
            .filter(move |e| e.enctype == enctype)
    }

    /// The entry the acceptor should use for a ticket to `principal` encrypted with `enctype`
    /// under key version `kvno` (`None`: the ticket carries none, take the highest).
    ///
    /// Principals compare byte-exactly, name types are ignored (MIT's rule). An exact kvno match
    /// wins; failing that, an entry stored with only an 8-bit kvno matches a ticket kvno whose
    /// low 8 bits equal it (MIT truncated kvnos over 255 in old keytabs).
    pub fn find(
        &self,
        principal: &Principal,
        kvno: Option<u32>,
        enctype: EnctypeNumber,
    ) -> Result<&Entry, LookupError> {
        let Some(list) = self.principal_entries(principal) else {
            return Err(LookupError::UnknownPrincipal {
                wanted: principal.clone(),
                held: self.principals().cloned().collect(),
            });
        };
        let of_principal = || list.iter().filter_map(|&i| self.entries.get(i));
        let mut same_etype = of_principal().filter(|e| e.enctype == enctype).peekable();
        let Some(&highest) = same_etype.peek() else {
            let mut held: Vec<EnctypeNumber> = Vec::new();
            for e in of_principal() {
                if !held.contains(&e.enctype) {
                    held.push(e.enctype);
                }
            }
            return Err(LookupError::NoSuchEnctype {
                principal: principal.clone(),
                wanted: enctype,
                held,
            });
        };
        let Some(kvno) = kvno else {
            // The list is sorted highest kvno first.
            return Ok(highest);
        };
        let mut wrapped = None;
        let mut held_kvnos = Vec::new();
        for e in same_etype {
            if e.kvno == kvno {
                return Ok(e);
            }
            if wrapped.is_none() && e.kvno_8bit_only() && kvno > 255 && e.kvno == kvno & 0xff {
                wrapped = Some(e);
            }
            held_kvnos.push(e.kvno);
        }
        wrapped.ok_or(LookupError::NoSuchKvno {
            principal: principal.clone(),
            enctype,
            wanted: kvno,
            held: held_kvnos,
        })
    }
}

impl Keytab {
    /// The key for a ticket to `principal` encrypted with `etype` under `kvno` (`None`: the
    /// highest), as [`Keytab::find`] chooses the entry.
    pub fn find_key(
        &self,
        principal: &Principal,
        kvno: Option<u32>,
        etype: Etype,
    ) -> Result<&Key, LookupError> {
        let entry = self.find(principal, kvno, EnctypeNumber::from(etype))?;
        entry.key().map_err(|reason| LookupError::Unusable {
            principal: principal.clone(),
            kvno: entry.kvno(),
            enctype: entry.enctype(),
            reason: reason.clone(),
        })
    }

    /// Every usable key of `principal` with `etype` and its kvno, highest kvno first: what to
    /// try, in order, when the ticket's kvno matches no entry (MIT's trial decryption after a
    /// key change).
    pub fn candidate_keys<'a>(
        &'a self,
        principal: &Principal,
        etype: Etype,
    ) -> impl Iterator<Item = (u32, &'a Key)> + 'a {
        self.candidates(principal, EnctypeNumber::from(etype))
            .filter_map(|e| e.key().ok().map(|k| (e.kvno(), k)))
    }
}

/// Why a keytab holds no key for a ticket. Each says what was asked for and what the keytab has.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum LookupError {
    /// No entry for this principal.
    UnknownPrincipal {
        /// The principal the ticket is for.
        wanted: Principal,
        /// The principals the keytab holds.
        held: Vec<Principal>,
    },
    /// The principal has no key of this enctype.
    NoSuchEnctype {
        /// The principal.
        principal: Principal,
        /// The ticket's enctype.
        wanted: EnctypeNumber,
        /// The enctypes the keytab holds for the principal.
        held: Vec<EnctypeNumber>,
    },
    /// The principal has keys of this enctype, but none of this kvno.
    NoSuchKvno {
        /// The principal.
        principal: Principal,
        /// The enctype.
        enctype: EnctypeNumber,
        /// The ticket's kvno.
        wanted: u32,
        /// The kvnos the keytab holds for the principal and enctype, highest first.
        held: Vec<u32>,
    },
    /// The entry exists but its key cannot be used by this build.
    Unusable {
        /// The principal.
        principal: Principal,
        /// The entry's kvno.
        kvno: u32,
        /// The entry's enctype.
        enctype: EnctypeNumber,
        /// Why: the enctype is not implemented or not enabled, or the key has the wrong length.
        reason: CryptoError,
    },
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::UnknownPrincipal { wanted, held } => write!(
                f,
                "the keytab has no key for {wanted}; it holds keys for: {}. Add the service's \
                 key to the keytab, or check the name the client asked for",
                join(held)
            ),
            LookupError::NoSuchEnctype {
                principal,
                wanted,
                held,
            } => write!(
                f,
                "the keytab has no {wanted} key for {principal}; it holds: {}. Export the key of \
                 that enctype, or make the KDC issue tickets with an enctype the keytab has",
                join(held)
            ),
            LookupError::NoSuchKvno {
                principal,
                enctype,
                wanted,
                held,
            } => {
                let newer = held.iter().all(|&k| k < *wanted);
                write!(
                    f,
                    "the ticket is encrypted with kvno {wanted} of {principal} ({enctype}); the \
                     keytab holds kvno {}. {}",
                    join(held),
                    if newer {
                        "The service's key was changed after this keytab was made: export the new \
                         key into the keytab"
                    } else {
                        "The keytab has a newer key than the KDC used: the ticket predates a key \
                         change, or the keytab came from another KDC"
                    }
                )
            }
            LookupError::Unusable {
                principal,
                kvno,
                enctype,
                reason,
            } => write!(
                f,
                "the keytab's kvno {kvno} {enctype} key of {principal} cannot be used: {reason}"
            ),
        }
    }
}

impl std::error::Error for LookupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LookupError::Unusable { reason, .. } => Some(reason),
            _ => None,
        }
    }
}
