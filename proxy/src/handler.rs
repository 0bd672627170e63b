//! One request: route, authenticate, authorize, forward; and at its end, one access log line and
//! the request metrics.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode, Uri, Version};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::access_log::{Decision, Record, rfc3339};
use crate::auth::Authenticated;
use crate::body::{LimitedBody, OnDrop, ProxyBody, full};
use crate::router::Route;
use crate::server::{ConnInfo, Shared};
use crate::state::State;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// What the log line and metrics need, filled in as the request goes.
struct Outcome {
    principal: Option<String>,
    route: Option<Arc<str>>,
    decision: Decision,
    reason: Option<String>,
    krb_error: Option<&'static str>,
    auth: Option<&'static str>,
}

/// An identity the request carries upstream.
struct Identity {
    principal: String,
    realm: String,
    /// Group names (from the PAC, or carried by the session).
    groups: Vec<String>,
    /// Whether it came from a session (else from Negotiate).
    from_session: bool,
    endtime: SystemTime,
    response_token: Option<Vec<u8>>,
}

/// The end of a request: counts it and writes its access line exactly once, when dropped. It rides
/// in the response body, so it sees the body finish; if the client goes away before a response
/// exists (the handler future is dropped), it logs status 499 with `completed: false`.
struct Finish {
    shared: Arc<Shared>,
    state: Arc<State>,
    started: Instant,
    wall: SystemTime,
    client: SocketAddr,
    method: String,
    path: String,
    out: Outcome,
    status: Option<u16>,
    completed: bool,
}

impl Drop for Finish {
    fn drop(&mut self) {
        let status = self.status.unwrap_or(499);
        let out = &mut self.out;
        self.shared.metrics.request(out.route.as_ref(), status);
        self.shared.metrics.in_flight(-1);
        self.state.access_log.write(&Record {
            time: rfc3339(self.wall),
            client: self.client,
            principal: out.principal.take(),
            route: out.route.take(),
            method: std::mem::take(&mut self.method),
            path: std::mem::take(&mut self.path),
            status,
            decision: out.decision,
            reason: out.reason.take(),
            krb_error: out.krb_error,
            auth: out.auth,
            latency_ms: self.started.elapsed().as_secs_f64() * 1000.0,
            completed: self.completed,
        });
    }
}

pub(crate) async fn handle(
    shared: Arc<Shared>,
    conn: Arc<ConnInfo>,
    req: Request<Incoming>,
) -> Response<ProxyBody> {
    shared.metrics.in_flight(1);
    let state = shared.state.load_full();
    let mut finish = Finish {
        shared,
        state,
        started: Instant::now(),
        wall: SystemTime::now(),
        client: conn.peer,
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
        out: Outcome {
            principal: None,
            route: None,
            decision: Decision::Deny,
            reason: None,
            krb_error: None,
            auth: None,
        },
        status: None,
        completed: false,
    };
    let response = process(&finish.shared, &finish.state, &conn, req, &mut finish.out).await;
    finish.status = Some(response.status().as_u16());
    response.map(|body| {
        OnDrop::new(body, move |completed| {
            finish.completed = completed;
            drop(finish);
        })
        .boxed()
    })
}

fn text_response(status: StatusCode, reason: &str) -> Response<ProxyBody> {
    let mut r = Response::new(full(format!("{reason}\n")));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn negotiate_value(token: Option<&[u8]>) -> HeaderValue {
    match token {
        Some(t) if !t.is_empty() => {
            HeaderValue::from_str(&format!("Negotiate {}", STANDARD.encode(t)))
                .unwrap_or_else(|_| HeaderValue::from_static("Negotiate"))
        }
        _ => HeaderValue::from_static("Negotiate"),
    }
}

/// A 401 with `WWW-Authenticate: Negotiate [token]`.
fn unauthorized(
    shared: &Shared,
    out: &mut Outcome,
    label: &'static str,
    reason: String,
    token: Option<&[u8]>,
) -> Box<Response<ProxyBody>> {
    shared.metrics.rejection(label);
    let mut r = text_response(StatusCode::UNAUTHORIZED, &reason);
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, negotiate_value(token));
    out.decision = Decision::Deny;
    out.reason = Some(reason);
    Box::new(r)
}

async fn process(
    shared: &Shared,
    state: &State,
    conn: &ConnInfo,
    mut req: Request<Incoming>,
    out: &mut Outcome,
) -> Response<ProxyBody> {
    let Some(route) = state.router.find(req.uri().path()).cloned() else {
        shared.metrics.rejection("no_route");
        out.reason = Some("no route for this path".into());
        return text_response(StatusCode::NOT_FOUND, "no route for this path");
    };
    out.route = Some(route.path_prefix.clone());
    if let Err(reason) = check_path(req.uri().path()) {
        shared.metrics.rejection("bad_path");
        out.reason = Some(reason.into());
        return text_response(StatusCode::BAD_REQUEST, reason);
    }
    if !route.method_allowed(req.method()) {
        shared.metrics.rejection("method");
        let reason = format!("method {} is not allowed on this route", req.method());
        let mut r = text_response(StatusCode::METHOD_NOT_ALLOWED, &reason);
        if let Some(allow) = &route.allow_header {
            r.headers_mut().insert(header::ALLOW, allow.clone());
        }
        out.reason = Some(reason);
        return r;
    }
    // Identity headers come only from the proxy: drop client copies on every route.
    strip_identity_headers(
        req.headers_mut(),
        &state.identity_header,
        &[state.realm_header.as_ref(), state.groups_header.as_ref()],
    );
    if route.public {
        out.decision = Decision::Public;
        return forward(shared, state, conn, &route, req, None, out).await;
    }
    let identity = match authenticate(shared, state, conn, &route, &req, out) {
        Ok(id) => id,
        Err(resp) => return *resp,
    };
    out.principal = Some(identity.principal.clone());
    if !route.principal_allowed(&identity.principal, &identity.realm, &identity.groups) {
        shared.metrics.rejection("forbidden");
        let reason = format!(
            "{} is not allowed on route {}",
            identity.principal, route.path_prefix
        );
        let mut r = text_response(StatusCode::FORBIDDEN, &reason);
        if let Some(t) = &identity.response_token {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, negotiate_value(Some(t)));
        }
        out.reason = Some(reason);
        return r;
    }
    out.decision = Decision::Allow;
    forward(shared, state, conn, &route, req, Some(identity), out).await
}

/// The session value a request presents: `Authorization: Bearer` first, then the cookie.
fn session_value<'a>(headers: &'a HeaderMap, cookie: &str) -> Option<(&'a str, bool)> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some((scheme, value)) = v.split_once(' ')
        && scheme.eq_ignore_ascii_case("bearer")
    {
        return Some((value.trim(), true));
    }
    crate::session::find_cookie(headers, cookie).map(|v| (v, false))
}

fn authenticate(
    shared: &Shared,
    state: &State,
    conn: &ConnInfo,
    route: &Route,
    req: &Request<Incoming>,
    out: &mut Outcome,
) -> Result<Identity, Box<Response<ProxyBody>>> {
    let headers = req.headers();
    let now = SystemTime::now();
    if headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .nth(1)
        .is_some()
    {
        return Err(unauthorized(
            shared,
            out,
            "multiple_authorization",
            "more than one Authorization header; send exactly one".into(),
            None,
        ));
    }
    let mut session_error = None;
    if route.session
        && let Some((value, _bearer)) = session_value(headers, &state.config.session.cookie_name)
    {
        match state.sessions.open(value, now) {
            Ok(claims) => {
                shared.metrics.session_accepted();
                out.auth = Some("session");
                let realm = claims
                    .principal
                    .rsplit_once('@')
                    .map(|(_, r)| r.to_owned())
                    .unwrap_or_default();
                return Ok(Identity {
                    principal: claims.principal,
                    realm,
                    groups: claims.groups,
                    from_session: true,
                    endtime: claims.expires,
                    response_token: None,
                });
            }
            Err(e) => session_error = Some(e),
        }
    }
    let authorization = headers.get(header::AUTHORIZATION);
    let negotiate = authorization
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').or(Some((v, ""))))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("negotiate"));
    let Some((_, encoded)) = negotiate else {
        if let Some(e) = session_error {
            let mut r = unauthorized(shared, out, "session_invalid", e.reason().to_owned(), None);
            let clear = crate::session::set_cookie(
                &state.config.session.cookie_name,
                "",
                std::time::Duration::ZERO,
                conn.tls,
            );
            if let Ok(v) = HeaderValue::from_str(&clear) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            return Err(r);
        }
        return Err(Box::new(match authorization {
            None => *unauthorized(
                shared,
                out,
                "no_token",
                "authentication required: send Authorization: Negotiate (Kerberos)".into(),
                None,
            ),
            Some(v) => {
                let scheme = v
                    .to_str()
                    .ok()
                    .and_then(|s| s.split(' ').next())
                    .filter(|s| {
                        s.len() <= 20 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    })
                    .unwrap_or("?");
                let (label, reason) = if scheme.eq_ignore_ascii_case("ntlm") {
                    ("ntlm", "NTLM is not supported: the client must use Kerberos (is the service principal known to the KDC and the host name right?)".to_owned())
                } else {
                    (
                        "unsupported_scheme",
                        format!(
                            "authorization scheme `{scheme}` is not supported: use Negotiate (Kerberos)"
                        ),
                    )
                };
                *unauthorized(shared, out, label, reason, None)
            }
        }));
    };
    let encoded = encoded.trim();
    let max = state.config.limits.max_token_bytes;
    if encoded.len() > max.saturating_mul(4) / 3 + 4 {
        return Err(unauthorized(
            shared,
            out,
            "token_too_large",
            format!("Negotiate token larger than the limit of {max} bytes"),
            None,
        ));
    }
    if encoded.is_empty() {
        return Err(unauthorized(
            shared,
            out,
            "empty_token",
            "empty Negotiate token".into(),
            None,
        ));
    }
    let Ok(token) = STANDARD.decode(encoded) else {
        return Err(unauthorized(
            shared,
            out,
            "bad_base64",
            "Negotiate token is not valid base64".into(),
            None,
        ));
    };
    if token.is_empty() {
        return Err(unauthorized(
            shared,
            out,
            "empty_token",
            "empty Negotiate token".into(),
            None,
        ));
    }
    if token.len() > max {
        return Err(unauthorized(
            shared,
            out,
            "token_too_large",
            format!("Negotiate token larger than the limit of {max} bytes"),
            None,
        ));
    }
    out.auth = Some("negotiate");
    let t0 = Instant::now();
    let result = state
        .authenticator
        .authenticate(&token, now, conn.channel_bindings.as_deref());
    shared.metrics.accept_latency.observe(t0.elapsed());
    match result {
        Ok(Authenticated {
            principal,
            realm,
            endtime,
            response_token,
            groups,
        }) => Ok(Identity {
            principal,
            realm,
            groups,
            from_session: false,
            endtime,
            response_token,
        }),
        Err(f) => {
            out.krb_error = f.krb_error;
            Err(unauthorized(
                shared,
                out,
                f.kind.label(),
                f.reason,
                f.response_token.as_deref(),
            ))
        }
    }
}

/// Whether `Authorization` holds a credential for the proxy: a Negotiate token (unless
/// `forward_authorization`) or one of its session bearer tokens.
fn is_proxy_credential(state: &State, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("negotiate") {
        return !state.config.forward_authorization;
    }
    scheme.eq_ignore_ascii_case("bearer")
        && state.sessions.open(rest.trim(), SystemTime::now()).is_ok()
}

/// Refuses paths an upstream could resolve outside the route that matched: dot-segments (`/api/../admin`,
/// also percent-encoded), encoded slashes and backslashes (`%2f`, `%5c`, `\\`).
pub fn check_path(path: &str) -> Result<(), &'static str> {
    let lower_has = |needle: &str| {
        path.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    if path.contains('\\') || lower_has("%2f") || lower_has("%5c") {
        return Err("path contains an encoded slash or a backslash; it is not forwarded");
    }
    for segment in path.split('/') {
        let decoded_dots = segment.len() <= 6 && {
            let s = segment.to_ascii_lowercase().replace("%2e", ".");
            s == "." || s == ".."
        };
        if decoded_dots {
            return Err("path contains a `.` or `..` segment; it is not forwarded");
        }
    }
    Ok(())
}

/// Removes every client copy of the identity headers, including spellings with `_` for `-`
/// (CGI, WSGI and Rack map both to the same `HTTP_X_REMOTE_USER` variable).
pub fn strip_identity_headers(
    headers: &mut HeaderMap,
    identity: &HeaderName,
    others: &[Option<&HeaderName>],
) {
    headers.remove(identity);
    for h in others.iter().flatten() {
        headers.remove(*h);
    }
    if !headers.keys().any(|k| k.as_str().contains('_')) {
        return;
    }
    let same = |k: &HeaderName, target: &HeaderName| {
        let (a, b) = (k.as_str().as_bytes(), target.as_str().as_bytes());
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x == y || (*x == b'_' && *y == b'-'))
    };
    let spoofed: Vec<HeaderName> = headers
        .keys()
        .filter(|k| same(k, identity) || others.iter().flatten().any(|o| same(k, o)))
        .cloned()
        .collect();
    for k in spoofed {
        headers.remove(k);
    }
}

/// Removes hop-by-hop headers (RFC 9110 §7.6.1): the ones `Connection` names, and the fixed list.
pub fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        headers.remove(n);
    }
    for n in [
        header::CONNECTION,
        HeaderName::from_static("keep-alive"),
        HeaderName::from_static("proxy-connection"),
        header::TE,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
        header::PROXY_AUTHORIZATION,
        header::PROXY_AUTHENTICATE,
        header::TRAILER,
    ] {
        headers.remove(n);
    }
}

fn upstream_uri(base: &str, uri: &Uri) -> Result<Uri, http::Error> {
    let pq = uri.path_and_query().map_or("/", |p| p.as_str());
    if base.is_empty() {
        Ok(Uri::builder().path_and_query(pq).build()?)
    } else {
        Ok(Uri::builder()
            .path_and_query(format!("{base}{pq}"))
            .build()?)
    }
}

async fn forward(
    shared: &Shared,
    state: &State,
    conn: &ConnInfo,
    route: &Route,
    req: Request<Incoming>,
    identity: Option<Identity>,
    out: &mut Outcome,
) -> Response<ProxyBody> {
    let (mut parts, body) = req.into_parts();
    let max_body = state.config.limits.max_body_bytes;
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body) {
        shared.metrics.rejection("body_too_large");
        let reason = format!("request body larger than the limit of {max_body} bytes");
        out.decision = Decision::Deny;
        out.reason = Some(reason.clone());
        return text_response(StatusCode::PAYLOAD_TOO_LARGE, &reason);
    }
    let original_host = parts.headers.get(header::HOST).cloned().or_else(|| {
        parts
            .uri
            .authority()
            .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    });
    let headers = &mut parts.headers;
    remove_hop_by_hop(headers);
    // Credentials meant for the proxy never reach an upstream, which could replay them to the
    // proxy: a Negotiate token (unless `forward_authorization`), a session bearer token, and the
    // session cookie (the browser sends it to every path of the host, public routes included).
    let from_session = identity.as_ref().is_some_and(|i| i.from_session);
    if route.public {
        if is_proxy_credential(state, headers) {
            headers.remove(header::AUTHORIZATION);
        }
    } else if from_session || !state.config.forward_authorization {
        headers.remove(header::AUTHORIZATION);
    }
    crate::session::strip_cookie(headers, &state.config.session.cookie_name);
    if let Some(id) = &identity {
        // Raw UTF-8 bytes are allowed (obs-text); control characters such as CR and LF are not.
        match HeaderValue::from_bytes(id.principal.as_bytes()) {
            Ok(v) => {
                headers.insert(state.identity_header.clone(), v);
            }
            Err(_) => {
                shared.metrics.rejection("bad_principal_name");
                out.decision = Decision::Error;
                out.reason = Some("the principal name cannot be carried in an HTTP header".into());
                return text_response(
                    StatusCode::FORBIDDEN,
                    "the principal name cannot be carried in an HTTP header",
                );
            }
        }
        if let Some(h) = &state.realm_header
            && let Ok(v) = HeaderValue::from_bytes(id.realm.as_bytes())
        {
            headers.insert(h.clone(), v);
        }
        if let Some(h) = &state.groups_header
            && !id.groups.is_empty()
            && let Ok(v) = HeaderValue::from_bytes(id.groups.join(",").as_bytes())
        {
            headers.insert(h.clone(), v);
        }
    }
    // X-Forwarded-For and Forwarded: append this hop; X-Forwarded-Proto and -Host: set to what
    // this proxy saw.
    append_forwarded(headers, conn, original_host.as_ref());
    append_forwarded_for(headers, conn.peer);
    headers.insert(
        X_FORWARDED_PROTO.clone(),
        HeaderValue::from_static(if conn.tls { "https" } else { "http" }),
    );
    match original_host {
        Some(h) => {
            headers.insert(X_FORWARDED_HOST.clone(), h);
        }
        None => {
            headers.remove(&X_FORWARDED_HOST);
        }
    }
    if !state.config.preserve_host || !headers.contains_key(header::HOST) {
        headers.insert(header::HOST, route.upstream.authority.clone());
    }
    parts.uri = match upstream_uri(&route.upstream.base_path, &parts.uri) {
        Ok(u) => u,
        Err(_) => {
            out.decision = Decision::Deny;
            out.reason = Some("request target cannot be forwarded".into());
            return text_response(
                StatusCode::BAD_REQUEST,
                "request target cannot be forwarded",
            );
        }
    };
    parts.version = Version::HTTP_11;
    let tripped = Arc::new(AtomicBool::new(false));
    let body = LimitedBody::new(body, max_body, tripped.clone()).boxed();
    let upstream_req = Request::from_parts(parts, body);
    let pool_identity = identity
        .as_ref()
        .map(|i| Arc::<str>::from(i.principal.as_str()));
    let t0 = Instant::now();
    let result = state
        .upstream
        .send(&route.upstream, pool_identity, upstream_req)
        .await;
    shared.metrics.upstream_latency.observe(t0.elapsed());
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            if tripped.load(Ordering::Relaxed) {
                shared.metrics.rejection("body_too_large");
                let reason = format!("request body larger than the limit of {max_body} bytes");
                out.decision = Decision::Deny;
                out.reason = Some(reason.clone());
                return text_response(StatusCode::PAYLOAD_TOO_LARGE, &reason);
            }
            shared
                .metrics
                .rejection(if e.status == StatusCode::GATEWAY_TIMEOUT {
                    "upstream_timeout"
                } else {
                    "upstream_error"
                });
            out.decision = Decision::Error;
            let r = text_response(e.status, &e.message);
            out.reason = Some(e.message);
            return r;
        }
    };
    remove_hop_by_hop(resp.headers_mut());
    if let Some(id) = identity {
        if let Some(t) = &id.response_token {
            resp.headers_mut()
                .append(header::WWW_AUTHENTICATE, negotiate_value(Some(t)));
        }
        if route.session && !id.from_session {
            issue_session(shared, state, conn, &id, resp.headers_mut());
        }
    }
    resp
}

/// Appends this hop to `Forwarded` (RFC 7239 §4): `for="<client>";proto=<scheme>;host="<host>"`.
fn append_forwarded(headers: &mut HeaderMap, conn: &ConnInfo, host: Option<&HeaderValue>) {
    let for_node = match conn.peer.ip() {
        std::net::IpAddr::V4(ip) => format!("for={ip}"),
        std::net::IpAddr::V6(ip) => format!("for=\"[{ip}]\""),
    };
    let proto = if conn.tls { "https" } else { "http" };
    let mut element = format!("{for_node};proto={proto}");
    if let Some(h) = host.and_then(|h| h.to_str().ok())
        && h.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    {
        element.push_str(&format!(";host=\"{h}\""));
    }
    let mut value = String::new();
    for v in headers.get_all(header::FORWARDED) {
        if let Ok(s) = v.to_str() {
            value.push_str(s.trim());
            value.push_str(", ");
        }
    }
    value.push_str(&element);
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(header::FORWARDED, v);
    }
}

fn append_forwarded_for(headers: &mut HeaderMap, peer: SocketAddr) {
    let ip = peer.ip().to_string();
    let mut prior = String::new();
    for v in headers.get_all(&X_FORWARDED_FOR) {
        if let Ok(s) = v.to_str() {
            if !prior.is_empty() {
                prior.push_str(", ");
            }
            prior.push_str(s.trim());
        }
    }
    let value = if prior.is_empty() {
        ip
    } else {
        format!("{prior}, {ip}")
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(X_FORWARDED_FOR.clone(), v);
    }
}

fn issue_session(
    shared: &Shared,
    state: &State,
    conn: &ConnInfo,
    id: &Identity,
    headers: &mut HeaderMap,
) {
    let now = SystemTime::now();
    let cfg = &state.config.session;
    let expires = (now + cfg.lifetime).min(id.endtime);
    let Ok(left) = expires.duration_since(now) else {
        return;
    };
    if left.as_secs() == 0 {
        return;
    }
    let Ok(value) = state.sessions.seal(&id.principal, &id.groups, expires) else {
        return;
    };
    let cookie = crate::session::set_cookie(&cfg.cookie_name, &value, left, conn.tls);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        headers.append(header::SET_COOKIE, v);
        shared.metrics.session_issued();
    }
}
