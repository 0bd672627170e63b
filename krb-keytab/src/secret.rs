//! Key bytes that zeroize on drop and never print.

use std::fmt;

use zeroize::Zeroizing;

/// Raw key bytes from a keytab entry. Zeroized on drop; `Debug` shows only the length; no
/// `PartialEq` (compare keys, if ever, in constant time).
#[derive(Clone)]
pub(crate) struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    pub(crate) fn new(bytes: &[u8]) -> SecretBytes {
        SecretBytes(Zeroizing::new(bytes.to_vec()))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} bytes, redacted)", self.0.len())
    }
}
