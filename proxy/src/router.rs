//! Routes: longest-prefix matching, method lists and allow rules.

use std::sync::Arc;

use http::Method;

use crate::config::RouteConfig;
use crate::upstream::Upstream;

/// One entry of a route's `allow` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowRule {
    /// `*`: any authenticated principal.
    Anyone,
    /// `*@REALM`: any principal of the realm.
    Realm(String),
    /// `name@REALM`: exactly this principal.
    Principal(String),
    /// `group:NAME`: any principal whose ticket (PAC) lists the group.
    Group(String),
}

impl AllowRule {
    /// Parses an `allow` entry.
    pub fn parse(text: &str) -> Result<AllowRule, String> {
        if text == "*" {
            return Ok(AllowRule::Anyone);
        }
        if let Some(group) = text.strip_prefix("group:") {
            if group.is_empty() || group.contains('\n') {
                return Err(format!("`{text}` names no group; write group:NAME"));
            }
            return Ok(AllowRule::Group(group.to_owned()));
        }
        match text.rsplit_once('@') {
            Some(("*", realm)) if !realm.is_empty() && !realm.contains('*') => {
                Ok(AllowRule::Realm(realm.to_owned()))
            }
            Some((name, realm)) if !name.is_empty() && !realm.is_empty() && !text.contains('*') => {
                Ok(AllowRule::Principal(text.to_owned()))
            }
            _ => Err(format!(
                "`{text}` is not an allow rule; write a principal (alice@EXAMPLE.TEST), a realm \
                 (*@EXAMPLE.TEST), a group (group:NAME) or * for any authenticated principal"
            )),
        }
    }

    /// Whether `principal` (with its `realm` and `groups`) matches. Names are compared exactly, as
    /// Kerberos does.
    pub fn matches(&self, principal: &str, realm: &str, groups: &[String]) -> bool {
        match self {
            AllowRule::Anyone => true,
            AllowRule::Realm(r) => {
                r == realm
                    && principal
                        .rsplit_once('@')
                        .is_some_and(|(_, pr)| pr == realm)
            }
            AllowRule::Principal(p) => p == principal,
            AllowRule::Group(g) => groups.iter().any(|x| x == g),
        }
    }
}

/// A validated route.
#[derive(Debug)]
pub struct Route {
    /// The configured prefix; also the `route` label in logs and metrics.
    pub path_prefix: Arc<str>,
    /// Where requests go.
    pub upstream: Arc<Upstream>,
    /// Who may use it (empty for public routes).
    pub allow: Vec<AllowRule>,
    /// Methods allowed; None: all.
    pub methods: Option<Vec<Method>>,
    /// The value of the `Allow` header for 405 answers.
    pub allow_header: Option<http::HeaderValue>,
    /// No authentication.
    pub public: bool,
    /// Sessions issued and accepted.
    pub session: bool,
}

impl Route {
    /// Builds a route from its (validated) config.
    pub fn from_config(c: &RouteConfig) -> Result<Route, String> {
        let upstream = Arc::new(Upstream::parse(&c.upstream)?);
        let allow = c
            .allow
            .iter()
            .map(|a| AllowRule::parse(a))
            .collect::<Result<Vec<_>, _>>()?;
        let methods = match &c.methods {
            None => None,
            Some(list) => Some(
                list.iter()
                    .map(|m| Method::from_bytes(m.as_bytes()).map_err(|e| e.to_string()))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let allow_header = match &methods {
            None => None,
            Some(list) => {
                let joined = list
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                Some(http::HeaderValue::from_str(&joined).map_err(|e| e.to_string())?)
            }
        };
        Ok(Route {
            path_prefix: Arc::from(c.path_prefix.as_str()),
            upstream,
            allow,
            methods,
            allow_header,
            public: c.public,
            session: c.session,
        })
    }

    /// Whether the method is allowed on this route.
    pub fn method_allowed(&self, method: &Method) -> bool {
        self.methods
            .as_ref()
            .is_none_or(|list| list.contains(method))
    }

    /// Whether the principal is allowed on this route.
    pub fn principal_allowed(&self, principal: &str, realm: &str, groups: &[String]) -> bool {
        self.allow
            .iter()
            .any(|r| r.matches(principal, realm, groups))
    }
}

/// The route table, longest prefix first.
#[derive(Debug)]
pub struct Router {
    routes: Vec<Arc<Route>>,
}

impl Router {
    /// Builds the table from route configs.
    pub fn new(configs: &[RouteConfig]) -> Result<Router, String> {
        let mut routes = configs
            .iter()
            .map(|c| Route::from_config(c).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        routes.sort_by_key(|r| std::cmp::Reverse(r.path_prefix.len()));
        Ok(Router { routes })
    }

    /// The route with the longest prefix of `path`, if any.
    pub fn find(&self, path: &str) -> Option<&Arc<Route>> {
        self.routes
            .iter()
            .find(|r| path.starts_with(&*r.path_prefix))
    }

    /// All routes, longest prefix first.
    pub fn routes(&self) -> &[Arc<Route>] {
        &self.routes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_rules() {
        let realm = AllowRule::parse("*@EXAMPLE.TEST").unwrap();
        assert!(realm.matches("bob@EXAMPLE.TEST", "EXAMPLE.TEST", &[]));
        assert!(!realm.matches("bob@OTHER.TEST", "OTHER.TEST", &[]));
        assert!(!realm.matches("bob@OTHER.TEST", "EXAMPLE.TEST", &[]));
        let alice = AllowRule::parse("alice@EXAMPLE.TEST").unwrap();
        assert!(alice.matches("alice@EXAMPLE.TEST", "EXAMPLE.TEST", &[]));
        assert!(!alice.matches("alice@EXAMPLE.TESTX", "EXAMPLE.TESTX", &[]));
        assert!(!alice.matches("ALICE@EXAMPLE.TEST", "EXAMPLE.TEST", &[]));
        assert_eq!(AllowRule::parse("*").unwrap(), AllowRule::Anyone);
        let admins = AllowRule::parse("group:admins").unwrap();
        assert!(admins.matches("bob@R", "R", &["users".into(), "admins".into()]));
        assert!(!admins.matches("bob@R", "R", &["users".into()]));
        assert!(AllowRule::parse("group:").is_err());
        for bad in ["alice", "@R", "a*@R", "*@", "*@R*", ""] {
            assert!(AllowRule::parse(bad).is_err(), "{bad}");
        }
    }
}
