//! Kerberos principal names, owned (RFC 4120 §6.2).
//!
//! The wire decoders keep names borrowed; this owned form is what keytabs, credential caches and
//! the acceptor's results hold. Components and realm are UTF-8 text, as every current Kerberos
//! implementation writes them.

use std::fmt;

pub use crate::messages::NameType;

/// A principal name with its realm, e.g. `HTTP/api.example.test@EXAMPLE.TEST`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Principal {
    /// The name type (a hint); not compared by [`Principal::same_name`].
    pub name_type: NameType,
    /// The components: `["HTTP", "api.example.test"]`.
    pub components: Vec<String>,
    /// The realm: `EXAMPLE.TEST`.
    pub realm: String,
}

/// Why a principal string could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrincipalError {
    /// The text was empty or had an empty component.
    Empty,
    /// No `@REALM` part was given and no default realm applies.
    NoRealm,
    /// A backslash ended the text.
    TrailingEscape,
}

impl fmt::Display for PrincipalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrincipalError::Empty => {
                f.write_str("empty principal name or component: write it as name/instance@REALM")
            }
            PrincipalError::NoRealm => f.write_str(
                "principal has no realm: write it as name/instance@REALM (e.g. HTTP/api.example.test@EXAMPLE.TEST)",
            ),
            PrincipalError::TrailingEscape => {
                f.write_str("principal ends with a lone backslash: escape it as \\\\")
            }
        }
    }
}

impl std::error::Error for PrincipalError {}

impl Principal {
    /// A principal from its parts.
    pub fn new<C: Into<String>>(
        name_type: NameType,
        components: impl IntoIterator<Item = C>,
        realm: impl Into<String>,
    ) -> Principal {
        Principal {
            name_type,
            components: components.into_iter().map(Into::into).collect(),
            realm: realm.into(),
        }
    }

    /// Parses `name/instance@REALM` with MIT's escapes (`\/`, `\@`, `\\`, `\n`, `\t`, `\b`,
    /// `\0`). Without `@REALM`, `default_realm` is used when given. The name type is
    /// NT-SRV-HST for two components whose first is a service name like `HTTP` or `host`, and
    /// NT-PRINCIPAL otherwise; it does not take part in comparisons.
    pub fn parse(text: &str, default_realm: Option<&str>) -> Result<Principal, PrincipalError> {
        let mut components = Vec::new();
        let mut current = String::new();
        let mut realm: Option<String> = None;
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            let c = match c {
                '\\' => match chars.next() {
                    None => return Err(PrincipalError::TrailingEscape),
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('b') => '\u{8}',
                    Some('0') => '\0',
                    Some(other) => other,
                },
                '/' if realm.is_none() => {
                    components.push(std::mem::take(&mut current));
                    continue;
                }
                '@' if realm.is_none() => {
                    components.push(std::mem::take(&mut current));
                    realm = Some(String::new());
                    continue;
                }
                other => other,
            };
            match realm.as_mut() {
                Some(r) => r.push(c),
                None => current.push(c),
            }
        }
        let realm = match realm {
            Some(r) => r,
            None => {
                components.push(current);
                default_realm.ok_or(PrincipalError::NoRealm)?.to_owned()
            }
        };
        if realm.is_empty() || components.iter().any(String::is_empty) {
            return Err(PrincipalError::Empty);
        }
        let name_type = if components.len() == 2 {
            NameType::SrvHst
        } else {
            NameType::Principal
        };
        Ok(Principal {
            name_type,
            components,
            realm,
        })
    }

    /// MIT's comparison: realm and components equal byte for byte; the name type is ignored.
    pub fn same_name(&self, other: &Principal) -> bool {
        self.realm == other.realm && self.components == other.components
    }

    /// The name without the realm: `HTTP/api.example.test`.
    pub fn name_without_realm(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            escape_into(&mut out, c);
        }
        out
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '/' | '@' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\0' => out.push_str("\\0"),
            other => out.push(other),
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut realm = String::new();
        escape_into(&mut realm, &self.realm);
        write!(f, "{}@{}", self.name_without_realm(), realm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        let p = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
        assert_eq!(p.components, ["HTTP", "api.example.test"]);
        assert_eq!(p.realm, "EXAMPLE.TEST");
        assert_eq!(p.name_type, NameType::SrvHst);
        assert_eq!(p.to_string(), "HTTP/api.example.test@EXAMPLE.TEST");
    }

    #[test]
    fn escapes() {
        let p = Principal::parse(r"a\/b\@c@R\@X", None).unwrap();
        assert_eq!(p.components, ["a/b@c"]);
        assert_eq!(p.realm, "R@X");
        assert_eq!(p.to_string(), r"a\/b\@c@R\@X");
        assert_eq!(
            Principal::parse("alice\\", None),
            Err(PrincipalError::TrailingEscape)
        );
    }

    #[test]
    fn default_realm_and_errors() {
        let p = Principal::parse("alice", Some("EXAMPLE.TEST")).unwrap();
        assert_eq!(p.to_string(), "alice@EXAMPLE.TEST");
        assert_eq!(p.name_type, NameType::Principal);
        assert_eq!(
            Principal::parse("alice", None),
            Err(PrincipalError::NoRealm)
        );
        assert_eq!(Principal::parse("a//b@R", None), Err(PrincipalError::Empty));
        assert_eq!(Principal::parse("alice@", None), Err(PrincipalError::Empty));
    }

    #[test]
    fn same_name_ignores_name_type() {
        let a = Principal::new(NameType::Principal, ["HTTP", "h"], "R");
        let b = Principal::new(NameType::SrvHst, ["HTTP", "h"], "R");
        assert!(a.same_name(&b));
        assert_ne!(a, b);
        assert!(!a.same_name(&Principal::new(NameType::SrvHst, ["HTTP", "h"], "S")));
    }
}
