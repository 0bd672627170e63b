//! Principal names as a keytab holds them: name components and a realm, as bytes.

use std::fmt;
use std::str::FromStr;

/// The most name components a principal may have, in a file or in text. Real principals have one
/// to three (`user`, `HTTP/host`, `krbtgt/REALM`); the cap keeps a hostile file from making a
/// principal of thousands of empty components.
pub const MAX_COMPONENTS: usize = 32;

/// The most bytes in one component or a realm: the keytab stores lengths in 16 bits.
pub const MAX_COMPONENT_LEN: usize = u16::MAX as usize;

/// A Kerberos principal name: components and a realm, compared byte-exactly (as MIT compares
/// keytab entries; the name type is not part of the comparison and lives on the entry).
///
/// Displays as MIT writes it, `HTTP/api.example.test@EXAMPLE.TEST`, with `/`, `@` and `\`
/// inside a component or realm escaped as `\/`, `\@`, `\\` (and NUL, tab, newline and backspace as
/// `\0`, `\t`, `\n`, `\b`). Bytes that are not UTF-8 display as U+FFFD.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Principal {
    components: Vec<Vec<u8>>,
    realm: Vec<u8>,
}

impl Principal {
    /// A principal from its components and realm.
    ///
    /// Fails if there are no components or more than [`MAX_COMPONENTS`], if the realm is empty,
    /// or if a component or the realm is longer than [`MAX_COMPONENT_LEN`] bytes.
    pub fn new<C, B>(components: C, realm: impl Into<Vec<u8>>) -> Result<Principal, PrincipalError>
    where
        C: IntoIterator<Item = B>,
        B: Into<Vec<u8>>,
    {
        let mut parts = Vec::new();
        for c in components {
            if parts.len() == MAX_COMPONENTS {
                return Err(PrincipalError::TooManyComponents);
            }
            let c = c.into();
            if c.len() > MAX_COMPONENT_LEN {
                return Err(PrincipalError::TooLong { len: c.len() });
            }
            parts.push(c);
        }
        let realm = realm.into();
        Principal::from_parts(parts, realm)
    }

    pub(crate) fn from_parts(
        components: Vec<Vec<u8>>,
        realm: Vec<u8>,
    ) -> Result<Principal, PrincipalError> {
        if components.is_empty() {
            return Err(PrincipalError::NoComponents);
        }
        if components.len() > MAX_COMPONENTS {
            return Err(PrincipalError::TooManyComponents);
        }
        if realm.is_empty() {
            return Err(PrincipalError::NoRealm);
        }
        if let Some(len) = components
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(realm.len()))
            .find(|&len| len > MAX_COMPONENT_LEN)
        {
            return Err(PrincipalError::TooLong { len });
        }
        Ok(Principal { components, realm })
    }

    /// The name components (`["HTTP", "api.example.test"]`).
    pub fn components(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        self.components.iter().map(Vec::as_slice)
    }

    /// The realm (`EXAMPLE.TEST`).
    pub fn realm(&self) -> &[u8] {
        &self.realm
    }

    /// Whether this principal has exactly this realm and these components (byte-exact; for a
    /// caller that holds the name as borrowed slices, such as a decoded ticket).
    pub fn matches(&self, realm: &[u8], components: &[&[u8]]) -> bool {
        self.realm == realm
            && self.components.len() == components.len()
            && self
                .components
                .iter()
                .zip(components)
                .all(|(a, b)| a.as_slice() == *b)
    }

    /// MIT's default salt for this principal: the realm followed by each component, with no
    /// separator (RFC 4120 section 4: "the concatenation of the principal's realm and name
    /// components").
    pub fn default_salt(&self) -> Vec<u8> {
        let mut salt = self.realm.clone();
        for c in &self.components {
            salt.extend_from_slice(c);
        }
        salt
    }
}

fn write_escaped(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            match ch {
                '/' => f.write_str("\\/")?,
                '@' => f.write_str("\\@")?,
                '\\' => f.write_str("\\\\")?,
                '\0' => f.write_str("\\0")?,
                '\t' => f.write_str("\\t")?,
                '\n' => f.write_str("\\n")?,
                '\u{8}' => f.write_str("\\b")?,
                other => fmt::Write::write_char(f, other)?,
            }
        }
        if !chunk.invalid().is_empty() {
            f.write_str("\u{FFFD}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            write_escaped(f, c)?;
        }
        f.write_str("@")?;
        write_escaped(f, &self.realm)
    }
}

/// Parses MIT's text form `comp1/comp2@REALM`. A backslash escapes the next character: `\/`,
/// `\@`, `\\`, and `\0`, `\t`, `\n`, `\b` for NUL, tab, newline, backspace; any other escaped
/// character stands for itself, as in MIT's `krb5_parse_name`. The realm is required (this crate
/// reads no krb5.conf, so there is no default realm).
impl FromStr for Principal {
    type Err = PrincipalError;

    fn from_str(s: &str) -> Result<Principal, PrincipalError> {
        let mut components: Vec<Vec<u8>> = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        let mut realm: Option<Vec<u8>> = None;
        let mut chars = s.chars();
        let mut buf = [0u8; 4];
        while let Some(ch) = chars.next() {
            let literal = match ch {
                '\\' => match chars.next() {
                    None => return Err(PrincipalError::TrailingBackslash),
                    Some('0') => '\0',
                    Some('t') => '\t',
                    Some('n') => '\n',
                    Some('b') => '\u{8}',
                    Some(other) => other,
                },
                '/' if realm.is_none() => {
                    if components.len() + 1 >= MAX_COMPONENTS {
                        return Err(PrincipalError::TooManyComponents);
                    }
                    components.push(std::mem::take(&mut current));
                    continue;
                }
                '/' => return Err(PrincipalError::SlashInRealm),
                '@' if realm.is_none() => {
                    components.push(std::mem::take(&mut current));
                    realm = Some(Vec::new());
                    continue;
                }
                '@' => return Err(PrincipalError::SecondAt),
                other => other,
            };
            let target = realm.as_mut().unwrap_or(&mut current);
            target.extend_from_slice(literal.encode_utf8(&mut buf).as_bytes());
        }
        match realm {
            None => Err(PrincipalError::NoRealm),
            Some(realm) => Principal::from_parts(components, realm),
        }
    }
}

/// Why a principal name was refused.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum PrincipalError {
    /// No `@REALM` part, or an empty realm.
    NoRealm,
    /// No name components (`@REALM` alone).
    NoComponents,
    /// More than [`MAX_COMPONENTS`] components.
    TooManyComponents,
    /// A component or realm longer than [`MAX_COMPONENT_LEN`] bytes.
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The text ends with a lone backslash.
    TrailingBackslash,
    /// An unescaped `@` inside the realm.
    SecondAt,
    /// An unescaped `/` inside the realm.
    SlashInRealm,
}

impl fmt::Display for PrincipalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrincipalError::NoRealm => f.write_str(
                "the principal has no realm: write it in full, as name/host@REALM (there is no \
                 default realm here)",
            ),
            PrincipalError::NoComponents => {
                f.write_str("the principal has no name before the @REALM")
            }
            PrincipalError::TooManyComponents => write!(
                f,
                "the principal has more than {MAX_COMPONENTS} name components"
            ),
            PrincipalError::TooLong { len } => write!(
                f,
                "a name component or realm is {len} bytes long; at most {MAX_COMPONENT_LEN} fit \
                 in a keytab"
            ),
            PrincipalError::TrailingBackslash => {
                f.write_str("the principal ends with a lone backslash: write \\\\ for a backslash")
            }
            PrincipalError::SecondAt => {
                f.write_str("the realm contains a second @: write \\@ for an @ inside a name")
            }
            PrincipalError::SlashInRealm => {
                f.write_str("the realm contains a /: write \\/ for a / inside a realm")
            }
        }
    }
}

impl std::error::Error for PrincipalError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Principal {
        s.parse().unwrap()
    }

    #[test]
    fn parse_and_display() {
        let x = p("HTTP/api.example.test@EXAMPLE.TEST");
        assert_eq!(
            x.components().collect::<Vec<_>>(),
            vec![&b"HTTP"[..], &b"api.example.test"[..]]
        );
        assert_eq!(x.realm(), b"EXAMPLE.TEST");
        assert_eq!(x.to_string(), "HTTP/api.example.test@EXAMPLE.TEST");
        assert_eq!(x.default_salt(), b"EXAMPLE.TESTHTTPapi.example.test");
    }

    #[test]
    fn escapes_round_trip() {
        let x = p(r"a\/b\@c\\d/e\tf@R\@S");
        assert_eq!(
            x.components().collect::<Vec<_>>(),
            vec![&b"a/b@c\\d"[..], &b"e\tf"[..]]
        );
        assert_eq!(x.realm(), b"R@S");
        assert_eq!(x.to_string(), r"a\/b\@c\\d/e\tf@R\@S");
        assert_eq!(p(&x.to_string()), x);
        assert_eq!(p(r"\x@R").components().next(), Some(&b"x"[..]));
    }

    #[test]
    fn refusals() {
        assert_eq!(
            "HTTP/host".parse::<Principal>(),
            Err(PrincipalError::NoRealm)
        );
        assert_eq!(
            "HTTP/host@".parse::<Principal>(),
            Err(PrincipalError::NoRealm)
        );
        assert_eq!("a@R@S".parse::<Principal>(), Err(PrincipalError::SecondAt));
        assert_eq!(
            "a@R/S".parse::<Principal>(),
            Err(PrincipalError::SlashInRealm)
        );
        assert_eq!(
            "a@R\\".parse::<Principal>(),
            Err(PrincipalError::TrailingBackslash)
        );
        let many = format!("{}@R", vec!["a"; MAX_COMPONENTS + 1].join("/"));
        assert_eq!(
            many.parse::<Principal>(),
            Err(PrincipalError::TooManyComponents)
        );
        let most = format!("{}@R", vec!["a"; MAX_COMPONENTS].join("/"));
        assert_eq!(
            most.parse::<Principal>().unwrap().components().len(),
            MAX_COMPONENTS
        );
        // An empty name before @ is one empty component, as in MIT.
        assert_eq!(p("@R").components().next(), Some(&b""[..]));
    }

    #[test]
    fn matches_borrowed() {
        let x = p("HTTP/h@R");
        assert!(x.matches(b"R", &[b"HTTP", b"h"]));
        assert!(!x.matches(b"r", &[b"HTTP", b"h"]));
        assert!(!x.matches(b"R", &[b"HTTP"]));
    }
}
