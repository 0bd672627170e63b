//! The service keys an acceptor holds.

use crate::crypto::{Etype, Key};
use crate::principal::Principal;

/// One service key: the principal it belongs to, its key version number and the key.
#[derive(Clone, Debug)]
pub struct ServiceKey {
    /// The service principal, e.g. `HTTP/api.example.test@EXAMPLE.TEST`.
    pub principal: Principal,
    /// The key version number.
    pub kvno: u32,
    /// The key; its derived ticket keys are cached in it, so one `Key` serves every request.
    pub key: Key,
}

impl ServiceKey {
    pub(crate) fn is_for(&self, realm: &[u8], components: &[&[u8]]) -> bool {
        self.principal.realm.as_bytes() == realm
            && self.principal.components.len() == components.len()
            && self
                .principal
                .components
                .iter()
                .zip(components)
                .all(|(a, b)| a.as_bytes() == *b)
    }
}

/// The keys an [`Acceptor`](super::Acceptor) may decrypt tickets with, from a keytab
/// (`krb_keytab::Keytab::service_keys`) or given one by one.
///
/// Lookups compare realm and name components byte for byte, as MIT does; the name type is
/// ignored. Keys of one principal and etype are kept highest kvno first.
#[derive(Clone, Debug, Default)]
pub struct ServiceKeys {
    keys: Vec<ServiceKey>,
}

impl ServiceKeys {
    /// No keys.
    pub fn new() -> ServiceKeys {
        ServiceKeys::default()
    }

    /// Adds a key.
    pub fn add(&mut self, principal: Principal, kvno: u32, key: Key) {
        self.keys.push(ServiceKey {
            principal,
            kvno,
            key,
        });
        // Highest kvno first, stable otherwise: trial decryption tries the newest key first.
        self.keys.sort_by_key(|k| std::cmp::Reverse(k.kvno));
    }

    /// Every key held.
    pub fn iter(&self) -> impl Iterator<Item = &ServiceKey> {
        self.keys.iter()
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The distinct principals held, in the order first seen.
    pub fn principals(&self) -> Vec<&Principal> {
        let mut out: Vec<&Principal> = Vec::new();
        for k in &self.keys {
            if !out.iter().any(|p| p.same_name(&k.principal)) {
                out.push(&k.principal);
            }
        }
        out
    }

    pub(crate) fn of_principal<'s>(
        &'s self,
        realm: &'s [u8],
        components: &'s [&'s [u8]],
    ) -> impl Iterator<Item = &'s ServiceKey> + 's {
        self.keys
            .iter()
            .filter(move |k| k.is_for(realm, components))
    }

    pub(crate) fn of_principal_and_etype<'s>(
        &'s self,
        realm: &'s [u8],
        components: &'s [&'s [u8]],
        etype: Etype,
    ) -> impl Iterator<Item = &'s ServiceKey> + 's {
        self.of_principal(realm, components)
            .filter(move |k| k.key.etype() == etype)
    }
}
