//! The command line: `check` (exit codes and messages) and config errors as a person sees them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use krb_proxy::auth::{AuthFailure, Authenticated, Authenticator, KeytabSettings};
use krb_proxy::config::Overrides;

struct TempDir(PathBuf);
impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("krbp-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn krb_proxy(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_krb-proxy"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const GOOD: &str = r#"listen = "127.0.0.1:8080"
keytab = "/etc/krb-proxy/http.keytab"

[[route]]
path_prefix = "/api/"
upstream = "http://127.0.0.1:9000"
allow = ["alice@EXAMPLE.TEST", "*@EXAMPLE.TEST"]
"#;

#[test]
fn unknown_key_is_reported_with_file_line_and_choices() {
    let dir = TempDir::new("unknown");
    let text = GOOD.replace("allow = ", "alow = ");
    let path = dir.file("config.toml", &text);
    let (code, _out, err) = krb_proxy(&["check", "--config", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let expected = format!(
        "{} line 7: unknown key `alow` in [[route]] (expected one of: path_prefix, upstream, allow, methods, public, session)",
        path.display()
    );
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn semantic_errors_name_the_key_and_line() {
    let dir = TempDir::new("semantic");
    let path = dir.file("c.toml", &GOOD.replace("*@EXAMPLE.TEST\"", "*@\""));
    let (code, _out, err) = krb_proxy(&["check", "--config", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("line 7: `route[0].allow`: `*@` is not an allow rule"),
        "{err}"
    );
}

#[test]
fn missing_config_file_fails() {
    let (code, _out, err) = krb_proxy(&["check", "--config", "/nonexistent/krb-proxy.toml"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("/nonexistent/krb-proxy.toml: cannot read the config file"),
        "{err}"
    );
}

#[test]
fn check_and_run_fail_cleanly_on_a_missing_keytab() {
    let dir = TempDir::new("nokeytab");
    let path = dir.file("c.toml", GOOD);
    let (code, _out, err) = krb_proxy(&["check", "--config", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("/etc/krb-proxy/http.keytab"), "{err}");
    assert!(err.contains("routes (longest prefix first)"), "{err}");
    let (code, _out, err) = krb_proxy(&[
        "run",
        "--config",
        path.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("keytab"), "{err}");
}

#[test]
fn check_lists_an_mit_keytab_and_warns_about_its_rc4_key() {
    let dir = TempDir::new("mitkeytab");
    let keytab = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/mit/service.keytab");
    let config = |extra: &str| {
        format!(
            "listen = \"127.0.0.1:0\"\nkeytab = \"{}\"\n{extra}\n[[route]]\npath_prefix = \"/api/\"\nupstream = \"http://127.0.0.1:9000\"\nallow = [\"*@EXAMPLE.TEST\"]\n",
            keytab.display()
        )
    };
    let path = dir.file("ok.toml", &config(""));
    let (code, out, err) = krb_proxy(&["check", "--config", path.to_str().unwrap()]);
    let all = format!("{out}{err}");
    assert_eq!(code, 0, "{all}");
    assert!(
        all.contains("HTTP/api.example.test@EXAMPLE.TEST kvno 1 aes256-cts-hmac-sha1-96"),
        "{all}"
    );
    if !krb_core::crypto::Etype::Rc4Hmac.is_supported() {
        assert!(all.contains("weak RC4 key"), "{all}");
        assert!(all.contains("not used"), "{all}");
    }

    // A service principal the keytab has no key for is an error that lists what it has.
    let path = dir.file(
        "bad.toml",
        &config("service_principals = [\"HTTP/nope.example.test@EXAMPLE.TEST\"]"),
    );
    let (code, out, err) = krb_proxy(&["check", "--config", path.to_str().unwrap()]);
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "{all}");
    assert!(
        all.contains("HTTP/nope.example.test@EXAMPLE.TEST has no key"),
        "{all}"
    );
    assert!(all.contains("HTTP/api.example.test@EXAMPLE.TEST"), "{all}");
}

#[test]
fn help_lists_run_and_check() {
    let (code, out, _err) = krb_proxy(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("run") && out.contains("check"), "{out}");
}

struct Keys(Vec<String>);
impl Authenticator for Keys {
    fn authenticate(
        &self,
        _: &[u8],
        _: std::time::SystemTime,
        _: Option<&[u8]>,
    ) -> Result<Authenticated, AuthFailure> {
        unreachable!("check never authenticates")
    }
    fn describe(&self) -> Vec<String> {
        self.0.clone()
    }
}

fn check_with(text: &str, keys: &[&str]) -> krb_proxy::check::Report {
    let dir = TempDir::new(&format!("report{}", text.len()));
    let path = dir.file("c.toml", text);
    let keys: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
    let loader = move |s: &KeytabSettings| -> Result<Arc<dyn Authenticator>, String> {
        assert_eq!(s.keytab, Path::new("/etc/krb-proxy/http.keytab"));
        Ok(Arc::new(Keys(keys.clone())))
    };
    krb_proxy::check::check(&path, &Overrides::default(), &loader)
}

#[test]
fn check_prints_routes_keys_and_warnings() {
    let text = format!(
        "{GOOD}clock_skew = \"10m\"\n[[route]]\npath_prefix = \"/health\"\nupstream = \"http://127.0.0.1:9000\"\npublic = true\n"
    )
    .replace("127.0.0.1:8080", "0.0.0.0:8080");
    // clock_skew must be a top-level key: move it up.
    let text = text.replace("clock_skew = \"10m\"\n", "").replacen(
        "keytab =",
        "clock_skew = \"10m\"\nkeytab =",
        1,
    );
    let r = check_with(
        &text,
        &[
            "HTTP/api.example.test@EXAMPLE.TEST kvno 3 aes256-cts-hmac-sha384-192",
            "HTTP/api.example.test@EXAMPLE.TEST kvno 3 arcfour-hmac",
        ],
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let out = r.render();
    assert!(
        out.contains("  /health -> http://127.0.0.1:9000 (public; any method)"),
        "{out}"
    );
    assert!(out.contains("  /api/ -> http://127.0.0.1:9000 (allow alice@EXAMPLE.TEST, *@EXAMPLE.TEST; any method)"), "{out}");
    assert!(out.contains("2 service key(s)"), "{out}");
    assert!(out.contains("warning: weak RC4 key"), "{out}");
    assert!(out.contains("warning: route /health is public"), "{out}");
    assert!(out.contains("warning: clock_skew 10m is above"), "{out}");
    assert!(
        out.contains("warning: listen 0.0.0.0:8080 is not loopback and has no [tls]"),
        "{out}"
    );
    assert!(out.ends_with("ok: 4 warning(s)\n"), "{out}");
}

#[test]
fn check_fails_on_an_empty_keytab() {
    let r = check_with(GOOD, &[]);
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    assert!(r.errors[0].contains("holds no usable service key"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}
