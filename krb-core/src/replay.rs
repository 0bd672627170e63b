//! The replay cache (RFC 4120 §3.2.3).
//!
//! > "the server MUST utilize a replay cache to remember any authenticator presented within the
//! > allowable clock skew ... If a server loses track of authenticators presented within the
//! > allowable clock skew, it MUST reject all requests until the clock skew interval has passed"
//!
//! The acceptor computes a [`ReplayKey`] for every authenticator that passed its integrity
//! check and asks a [`ReplayCache`] to record it. The key identifies the authenticator twice
//! over, and a repeat of *either* is a replay:
//!
//! - by its ciphertext (its length and its ends, which hold its integrity checksum), which
//!   nobody without the session key can change (MIT's rule since 1.18). Rewriting the
//!   unauthenticated `sname` of the ticket to another name that maps to the same key does not
//!   change it (the bypass of go-krb5 PR #155);
//! - by (client, server, ctime, cusec), the tuple RFC 4120 names, where the server is the
//!   principal whose key decrypted the ticket, not the name the client wrote.
//!
//! [`ReplayKey::ciphertext_tag`] and [`ReplayKey::tuple_tag`] are deterministic SHA-256 tags
//! of the two, so a cache shared between load-balanced nodes (implement [`ReplayCache`] over
//! your shared store) sees the same tags on every node.
//!
//! [`MemoryReplayCache`] is the in-process implementation: sharded, O(1) per check-and-insert,
//! bounded, and safe to share across threads.

use std::collections::VecDeque;
use std::collections::hash_map::{Entry, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::{Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};

/// What a replay cache remembers of one authenticator: two pieces of material, each of which
/// identifies it (see the module documentation).
///
/// [`MemoryReplayCache`] hashes them with a per-process secret key (SipHash), which is fast
/// and keeps an attacker from aiming collisions. A cache shared between nodes needs the same
/// tags on every node: [`ReplayKey::ciphertext_tag`] and [`ReplayKey::tuple_tag`] are SHA-256
/// digests of the two.
#[derive(Clone, PartialEq, Eq)]
pub struct ReplayKey {
    /// The ciphertext's length (8 bytes) and its first and last 16 bytes.
    ciphertext: [u8; 40],
    /// The length-prefixed client parts, a separator, the server parts, ctime and cusec.
    tuple: Vec<u8>,
}

impl fmt::Debug for ReplayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplayKey(..)")
    }
}

fn sha256_tag(domain: &[u8], material: &[u8]) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(domain);
    h.update(material);
    let digest = h.finalize();
    let mut out = [0u8; 16];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

fn push_part(out: &mut Vec<u8>, part: &[u8]) {
    // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
    out.extend_from_slice(&(part.len() as u64).to_be_bytes());
    out.extend_from_slice(part);
}

impl ReplayKey {
    /// The key of one authenticator: its ciphertext (the `cipher` of the AP-REQ's
    /// authenticator EncryptedData); the client and the server, each as its name components
    /// followed by its realm (the server being the principal whose key decrypted the ticket);
    /// and the authenticator's ctime (seconds since the epoch) and cusec.
    pub fn new<'c, 's>(
        authenticator_ciphertext: &[u8],
        client: impl IntoIterator<Item = &'c [u8]>,
        server: impl IntoIterator<Item = &'s [u8]>,
        ctime: i64,
        cusec: u32,
    ) -> ReplayKey {
        // The ciphertext's length and its two ends: the integrity checksum sits at its end
        // (RFC 3962, RFC 8009) or its start (RFC 4757), so they identify it as surely as all
        // of it, and nobody without the session key can make another valid ciphertext that
        // shares them.
        let ct = authenticator_ciphertext;
        let mut ciphertext = [0u8; 40];
        let (len, rest) = ciphertext.split_at_mut(8);
        let (head, tail) = rest.split_at_mut(16);
        len.copy_from_slice(&(ct.len() as u64).to_be_bytes());
        let first = ct.get(..16).unwrap_or(ct);
        if let Some(dst) = head.get_mut(..first.len()) {
            dst.copy_from_slice(first);
        }
        let last = ct.get(ct.len().saturating_sub(16)..).unwrap_or(ct);
        if let Some(dst) = tail.get_mut(..last.len()) {
            dst.copy_from_slice(last);
        }

        let mut tuple = Vec::with_capacity(128);
        for part in client {
            push_part(&mut tuple, part);
        }
        // No part is u64::MAX bytes long: this ends the client's parts unambiguously.
        tuple.extend_from_slice(&u64::MAX.to_be_bytes());
        for part in server {
            push_part(&mut tuple, part);
        }
        tuple.extend_from_slice(&ctime.to_be_bytes());
        tuple.extend_from_slice(&cusec.to_be_bytes());
        ReplayKey { ciphertext, tuple }
    }

    /// SHA-256 (truncated to 128 bits) of the ciphertext material: deterministic, for caches
    /// shared between nodes.
    pub fn ciphertext_tag(&self) -> [u8; 16] {
        sha256_tag(b"krb-core rc ciphertext", &self.ciphertext)
    }

    /// SHA-256 (truncated to 128 bits) of the (client, server, ctime, cusec) material.
    pub fn tuple_tag(&self) -> [u8; 16] {
        sha256_tag(b"krb-core rc tuple", &self.tuple)
    }
}

/// Why a replay cache refused an authenticator.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReplayError {
    /// The authenticator (or its client/server/time tuple) was seen within the skew window.
    Replayed,
    /// The cache holds as many live entries as it may. It fails closed, as RFC 4120 asks of a
    /// cache that cannot remember: raise the capacity (entries live for the clock-skew window,
    /// so size it for the peak authentication rate times that window).
    Full {
        /// The configured capacity, in authenticators.
        capacity: usize,
    },
    /// A cache backed by another store could not answer.
    Unavailable(Box<dyn std::error::Error + Send + Sync>),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Replayed => f.write_str(
                "this authenticator was already used: the token is a replay (clients must make a \
                 fresh token for every request)",
            ),
            ReplayError::Full { capacity } => write!(
                f,
                "the replay cache is full ({capacity} live authenticators): requests are refused \
                 until entries expire; raise the replay cache capacity"
            ),
            ReplayError::Unavailable(e) => write!(f, "the replay cache is unavailable: {e}"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// A replay cache: remembers authenticators until they can no longer be accepted.
///
/// Implementations must be atomic: two concurrent calls with the same key must not both
/// succeed.
pub trait ReplayCache: Send + Sync {
    /// Records `key` until `expires_at` (seconds since the epoch) and returns `Ok`, or returns
    /// [`ReplayError::Replayed`] if either of its tags is recorded and not expired at `now`.
    fn check_and_insert(
        &self,
        key: &ReplayKey,
        now: i64,
        expires_at: i64,
    ) -> Result<(), ReplayError>;

    /// How many tags are held (expired ones not yet purged included), for metrics.
    fn len(&self) -> usize;

    /// Whether the cache holds nothing.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An identity hasher for tags that are already keyed hashes.
#[derive(Clone, Copy, Default)]
struct TagHasher(u64);

impl Hasher for TagHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[derive(Clone, Copy, Default)]
struct BuildTagHasher;

impl BuildHasher for BuildTagHasher {
    type Hasher = TagHasher;
    fn build_hasher(&self) -> TagHasher {
        TagHasher(0)
    }
}

#[derive(Default)]
struct Shard {
    /// tag -> expiry (seconds since the epoch).
    live: HashMap<u64, i64, BuildTagHasher>,
    /// (expiry, tag) in insertion order, to purge from the front.
    order: VecDeque<(i64, u64)>,
}

impl Shard {
    fn purge(&mut self, now: i64) {
        while let Some(&(expiry, tag)) = self.order.front() {
            if expiry > now {
                break;
            }
            self.order.pop_front();
            if let Entry::Occupied(e) = self.live.entry(tag) {
                // A tag seen again after it expired has a later expiry: keep that one.
                if *e.get() <= now {
                    e.remove();
                }
            }
        }
    }

    fn is_live(&self, tag: u64, now: i64) -> bool {
        self.live.get(&tag).is_some_and(|&expiry| expiry > now)
    }

    fn insert(&mut self, tag: u64, expires_at: i64) {
        self.live.insert(tag, expires_at);
        self.order.push_back((expires_at, tag));
    }
}

/// The in-memory replay cache: sharded, O(1) amortized per check-and-insert, bounded.
///
/// Memory: each authenticator stores two 8-byte tags (SipHash of its [`ReplayKey`]'s two
/// pieces, keyed with a per-process secret so an attacker cannot aim collisions), each in a hash map entry (16
/// bytes and a control byte, at most 7/8 full) and a queue entry (16 bytes): about 80 bytes per
/// authenticator, so 1 million live authenticators take about 80 MB. Entries are purged when
/// their expiry passes, lazily, on the next call that touches their shard; since callers pass
/// expiries that grow with time, the front of each shard's queue is the first to expire.
///
/// When the cache holds `capacity` live authenticators it fails closed with
/// [`ReplayError::Full`].
pub struct MemoryReplayCache {
    shards: Box<[Mutex<Shard>]>,
    fold: RandomState,
    capacity_per_shard: usize,
    capacity: usize,
}

impl fmt::Debug for MemoryReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayCache")
            .field("shards", &self.shards.len())
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl Default for MemoryReplayCache {
    fn default() -> Self {
        MemoryReplayCache::new(Self::DEFAULT_CAPACITY)
    }
}

impl MemoryReplayCache {
    /// The default capacity: 4 million live authenticators (about 320 MB at most), enough for
    /// 6,600 authentications per second over a 10-minute skew window (±300 s).
    pub const DEFAULT_CAPACITY: usize = 1 << 22;

    const SHARDS: usize = 64;

    /// A cache that holds at most `capacity` live authenticators.
    pub fn new(capacity: usize) -> MemoryReplayCache {
        let shards = (0..Self::SHARDS)
            .map(|_| Mutex::new(Shard::default()))
            .collect::<Vec<_>>()
            .into_boxed_slice();
        MemoryReplayCache {
            shards,
            fold: RandomState::new(),
            // Each authenticator puts one tag in each of (usually) two shards.
            capacity_per_shard: (capacity.saturating_mul(2) / Self::SHARDS).max(2),
            capacity,
        }
    }

    fn fold(&self, domain: u8, material: &[u8]) -> u64 {
        let mut h = self.fold.build_hasher();
        h.write_u8(domain);
        h.write(material);
        h.finish()
    }

    fn shard_index(&self, tag: u64) -> usize {
        // The low bits pick the shard; the hash map uses the whole tag.
        usize::try_from(tag % (self.shards.len() as u64)).unwrap_or(0)
    }

    fn lock(&self, index: usize) -> Option<MutexGuard<'_, Shard>> {
        // A panic while holding a shard lock cannot leave a shard inconsistent in a way that
        // matters for safety (the worst is a tag without its queue entry), so keep going.
        self.shards
            .get(index)
            .map(|m| m.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl ReplayCache for MemoryReplayCache {
    fn check_and_insert(
        &self,
        key: &ReplayKey,
        now: i64,
        expires_at: i64,
    ) -> Result<(), ReplayError> {
        let a = self.fold(0, &key.ciphertext);
        let b = self.fold(1, &key.tuple);
        let (ia, ib) = (self.shard_index(a), self.shard_index(b));
        let full = ReplayError::Full {
            capacity: self.capacity,
        };
        if ia == ib {
            let Some(mut s) = self.lock(ia) else {
                return Err(full);
            };
            s.purge(now);
            if s.is_live(a, now) || s.is_live(b, now) {
                return Err(ReplayError::Replayed);
            }
            if s.live.len().saturating_add(2) > self.capacity_per_shard {
                return Err(full);
            }
            s.insert(a, expires_at);
            s.insert(b, expires_at);
            return Ok(());
        }
        // Two shards: lock in index order so that concurrent calls cannot deadlock.
        let (first, second) = if ia < ib { (ia, ib) } else { (ib, ia) };
        let (Some(mut s1), Some(mut s2)) = (self.lock(first), self.lock(second)) else {
            return Err(full);
        };
        let (sa, sb) = if ia < ib {
            (&mut *s1, &mut *s2)
        } else {
            (&mut *s2, &mut *s1)
        };
        sa.purge(now);
        sb.purge(now);
        if sa.is_live(a, now) || sb.is_live(b, now) {
            return Err(ReplayError::Replayed);
        }
        if sa.live.len() >= self.capacity_per_shard || sb.live.len() >= self.capacity_per_shard {
            return Err(full);
        }
        sa.insert(a, expires_at);
        sb.insert(b, expires_at);
        Ok(())
    }

    fn len(&self) -> usize {
        (0..self.shards.len())
            .filter_map(|i| self.lock(i).map(|s| s.live.len()))
            .sum::<usize>()
            / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn key(n: u32) -> ReplayKey {
        ReplayKey::new(
            &n.to_be_bytes(),
            [&b"alice"[..], b"EXAMPLE.TEST"],
            [&b"HTTP"[..], b"api.example.test", b"EXAMPLE.TEST"],
            1_700_000_000,
            n,
        )
    }

    fn k(ct: &[u8], client: &[&[u8]], server: &[&[u8]], ctime: i64, cusec: u32) -> ReplayKey {
        ReplayKey::new(
            ct,
            client.iter().copied(),
            server.iter().copied(),
            ctime,
            cusec,
        )
    }

    #[test]
    fn second_use_is_a_replay() {
        let rc = MemoryReplayCache::default();
        rc.check_and_insert(&key(1), 100, 400).unwrap();
        assert!(matches!(
            rc.check_and_insert(&key(1), 101, 401),
            Err(ReplayError::Replayed)
        ));
        rc.check_and_insert(&key(2), 101, 401).unwrap();
        assert_eq!(rc.len(), 2);
    }

    #[test]
    fn either_tag_is_a_replay() {
        let rc = MemoryReplayCache::default();
        let client: [&[u8]; 2] = [b"alice", b"EXAMPLE.TEST"];
        let server: [&[u8]; 3] = [b"HTTP", b"api.example.test", b"EXAMPLE.TEST"];
        let other: [&[u8]; 3] = [b"HTTP", b"alias.example.test", b"EXAMPLE.TEST"];
        rc.check_and_insert(&k(b"ct", &client, &server, 5, 6), 100, 400)
            .unwrap();
        // Same ciphertext, other tuple (e.g. the sname rewritten before canonicalization).
        assert!(matches!(
            rc.check_and_insert(&k(b"ct", &client, &other, 5, 6), 100, 400),
            Err(ReplayError::Replayed)
        ));
        // Same tuple, new ciphertext (re-encrypted by someone holding the session key).
        assert!(matches!(
            rc.check_and_insert(&k(b"cu", &client, &server, 5, 6), 100, 400),
            Err(ReplayError::Replayed)
        ));
        rc.check_and_insert(&k(b"cv", &client, &server, 5, 7), 100, 400)
            .unwrap();
    }

    #[test]
    fn tags_bind_every_field() {
        let base = k(b"ct", &[b"a", b"R"], &[b"s", b"R"], 5, 6);
        assert_ne!(
            base.ciphertext_tag(),
            k(b"cu", &[b"a", b"R"], &[b"s", b"R"], 5, 6).ciphertext_tag()
        );
        // Only the ends and the length of a long ciphertext count: its checksum is there.
        let long = [7u8; 100];
        let mut middle = long;
        middle[50] = 8;
        let client: [&[u8]; 2] = [b"a", b"R"];
        assert_eq!(
            k(&long, &client, &client, 5, 6).ciphertext_tag(),
            k(&middle, &client, &client, 5, 6).ciphertext_tag()
        );
        let mut end = long;
        end[99] = 8;
        assert_ne!(
            k(&long, &client, &client, 5, 6).ciphertext_tag(),
            k(&end, &client, &client, 5, 6).ciphertext_tag()
        );
        for other in [
            k(b"ct", &[b"b", b"R"], &[b"s", b"R"], 5, 6),
            k(b"ct", &[b"a", b"R"], &[b"t", b"R"], 5, 6),
            k(b"ct", &[b"a", b"R"], &[b"s", b"R"], 6, 6),
            k(b"ct", &[b"a", b"R"], &[b"s", b"R"], 5, 7),
            k(b"ct", &[b"a"], &[b"R", b"s", b"R"], 5, 6),
            k(b"ct", &[b"a", b"R", b"s"], &[b"R"], 5, 6),
            k(b"ct", &[b"aR"], &[b"s", b"R"], 5, 6),
        ] {
            assert_eq!(base.ciphertext_tag(), other.ciphertext_tag());
            assert_ne!(base.tuple_tag(), other.tuple_tag());
        }
    }

    #[test]
    fn entries_expire() {
        let rc = MemoryReplayCache::default();
        rc.check_and_insert(&key(1), 100, 400).unwrap();
        assert!(rc.check_and_insert(&key(1), 399, 699).is_err());
        // At the expiry the authenticator can no longer be accepted, so it is forgotten.
        rc.check_and_insert(&key(1), 400, 700).unwrap();
        // Purging the old queue entry must not drop the new one.
        rc.check_and_insert(&key(2), 401, 701).unwrap();
        assert!(rc.check_and_insert(&key(1), 402, 702).is_err());
        for n in 3..100 {
            rc.check_and_insert(&key(n), 402, 702).unwrap();
        }
        // Everything expires; touching every shard purges it.
        for n in 1000..3000 {
            rc.check_and_insert(&key(n), 800, 1100).unwrap();
        }
        assert_eq!(rc.len(), 2000);
    }

    #[test]
    fn full_cache_fails_closed_then_recovers() {
        let rc = MemoryReplayCache::new(64);
        let mut refused = 0;
        for n in 0..1000 {
            match rc.check_and_insert(&key(n), 100, 400) {
                Ok(()) => {}
                Err(ReplayError::Full { capacity }) => {
                    assert_eq!(capacity, 64);
                    refused += 1;
                }
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert!(refused > 0);
        assert!(rc.len() <= 64 * 2);
        // Once the window has passed, room comes back.
        rc.check_and_insert(&key(5000), 400, 700).unwrap();
    }

    #[test]
    fn concurrent_inserts_of_one_key_admit_exactly_one() {
        let rc = Arc::new(MemoryReplayCache::default());
        for round in 0..50 {
            let k = key(round);
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    let rc = Arc::clone(&rc);
                    let k = k.clone();
                    std::thread::spawn(move || rc.check_and_insert(&k, 100, 400).is_ok())
                })
                .collect();
            let admitted = handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .filter(|ok| *ok)
                .count();
            assert_eq!(admitted, 1);
        }
    }

    #[test]
    fn debug_shows_no_material() {
        assert_eq!(format!("{:?}", key(1)), "ReplayKey(..)");
    }
}
