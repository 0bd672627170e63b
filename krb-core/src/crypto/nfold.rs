//! n-fold (RFC 3961 §5.1) and the table of n-folded key usage constants.

use std::sync::LazyLock;

/// n-fold `input` into `out.len()` bytes (RFC 3961 §5.1).
///
/// The input is repeated until its length is the least common multiple of the input and
/// output lengths, each repetition rotated 13 bits further to the right than the one before;
/// the result is cut into output-sized pieces, which are added with one's-complement
/// (end-around carry) addition. An empty input gives zeros.
pub(crate) fn nfold(input: &[u8], out: &mut [u8]) {
    let in_len = input.len();
    let out_len = out.len();
    out.fill(0);
    if in_len == 0 || out_len == 0 {
        return;
    }
    let in_bits = in_len.saturating_mul(8);
    let total = lcm(in_len, out_len);
    // Column sums; each is at most 255 times (total / out_len) pieces, far below u32::MAX for
    // any input a Kerberos constant or PRF label can be.
    let mut sums = vec![0u32; out_len];
    for (idx, sum) in (0..total).zip((0..out_len).cycle()) {
        let copy = idx / in_len;
        let byte = idx % in_len;
        // Bit `p` of copy `copy` is bit `(p - 13 * copy) mod in_bits` of the input.
        let rotation = copy.wrapping_mul(13) % in_bits;
        let start = (byte * 8 + in_bits - rotation) % in_bits;
        let value = byte_at_bit(input, start);
        if let Some(slot) = sums.get_mut(sum) {
            *slot = slot.saturating_add(u32::from(value));
        }
    }
    // One's-complement addition: propagate carries from the least significant byte, and wrap
    // the carry out of the most significant byte around to the least significant one.
    let mut carry = 0u32;
    loop {
        for slot in sums.iter_mut().rev() {
            let t = *slot + carry;
            *slot = t & 0xff;
            carry = t >> 8;
        }
        if carry == 0 {
            break;
        }
    }
    for (o, s) in out.iter_mut().zip(&sums) {
        *o = u8::try_from(*s).unwrap_or(0);
    }
}

/// The 8 bits of `input` that start at bit `start` (counted from the most significant bit of
/// the first byte), wrapping around the end.
fn byte_at_bit(input: &[u8], start: usize) -> u8 {
    let index = start / 8;
    let shift = start % 8;
    let hi = input.get(index).copied().unwrap_or(0);
    if shift == 0 {
        return hi;
    }
    let next = (index + 1) % input.len().max(1);
    let lo = input.get(next).copied().unwrap_or(0);
    (hi << shift) | (lo >> (8 - shift))
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

fn lcm(a: usize, b: usize) -> usize {
    (a / gcd(a, b)).saturating_mul(b)
}

/// The kind of key derived from a base key for one usage (RFC 3961 §5.3, RFC 8009 §5): the
/// fifth byte of the derivation constant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DerivedKind {
    /// Kc, the checksum key: 0x99.
    Checksum,
    /// Ke, the encryption key: 0xAA.
    Encryption,
    /// Ki, the integrity key: 0x55.
    Integrity,
}

impl DerivedKind {
    pub(crate) fn byte(self) -> u8 {
        match self {
            DerivedKind::Checksum => 0x99,
            DerivedKind::Encryption => 0xAA,
            DerivedKind::Integrity => 0x55,
        }
    }

    fn index(self) -> usize {
        match self {
            DerivedKind::Checksum => 0,
            DerivedKind::Encryption => 1,
            DerivedKind::Integrity => 2,
        }
    }
}

/// The 5-byte derivation constant: the usage number (big-endian) and the kind byte.
pub(crate) fn usage_constant(usage: u32, kind: DerivedKind) -> [u8; 5] {
    let [a, b, c, d] = usage.to_be_bytes();
    [a, b, c, d, kind.byte()]
}

/// How many key usages have their n-folded constants in the table (0..64 covers RFC 4120,
/// RFC 4121, FAST and PKINIT usages).
pub(crate) const TABLE_USAGES: usize = 64;

/// n-fold(usage | kind, 128) for usages below [`TABLE_USAGES`], computed once.
static NFOLDED_CONSTANTS: LazyLock<[[[u8; 16]; 3]; TABLE_USAGES]> = LazyLock::new(|| {
    let mut table = [[[0u8; 16]; 3]; TABLE_USAGES];
    for (usage, row) in (0u32..).zip(table.iter_mut()) {
        for kind in [
            DerivedKind::Checksum,
            DerivedKind::Encryption,
            DerivedKind::Integrity,
        ] {
            if let Some(slot) = row.get_mut(kind.index()) {
                nfold(&usage_constant(usage, kind), slot);
            }
        }
    }
    table
});

/// n-fold(usage | kind, 128), the block DK encrypts (RFC 3961 §5.3), from the table when the
/// usage is in it.
pub(crate) fn nfolded_constant(usage: u32, kind: DerivedKind) -> [u8; 16] {
    if let Some(row) = usize::try_from(usage)
        .ok()
        .and_then(|u| NFOLDED_CONSTANTS.get(u))
        && let Some(block) = row.get(kind.index())
    {
        return *block;
    }
    let mut out = [0u8; 16];
    nfold(&usage_constant(usage, kind), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_direct_computation() {
        for usage in [0u32, 1, 2, 11, 63, 64, 1000, u32::MAX] {
            for kind in [
                DerivedKind::Checksum,
                DerivedKind::Encryption,
                DerivedKind::Integrity,
            ] {
                let mut direct = [0u8; 16];
                nfold(&usage_constant(usage, kind), &mut direct);
                assert_eq!(nfolded_constant(usage, kind), direct, "usage {usage}");
            }
        }
    }

    #[test]
    fn empty_input_folds_to_zeros() {
        let mut out = [0xffu8; 8];
        nfold(&[], &mut out);
        assert_eq!(out, [0u8; 8]);
    }
}
