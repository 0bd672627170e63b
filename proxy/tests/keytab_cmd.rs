//! `krb-proxy keytab list|add|remove`, run as the built binary, against MIT's klist and ktutil.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_krb-proxy");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn data(name: &str) -> PathBuf {
    root().join("krb-keytab/tests/data").join(name)
}

/// MIT-made keytabs: ktutil's, kadmin's (testdata/mit) and Kerberos.NET's.
fn mit_keytabs() -> Vec<PathBuf> {
    vec![
        data("mit-aes.keytab"),
        data("mit-mixed.keytab"),
        data("windows-ad-sample.keytab"),
        root().join("testdata/mit/service.keytab"),
        root().join("testdata/mit/password.keytab"),
    ]
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "keytab-cmd-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_with(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before it reads its input closes the pipe early: not an error here.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn krb_proxy(args: &[&str], stdin: &[u8]) -> Output {
    run_with(Command::new(BIN).args(args), stdin)
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn fails(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// An MIT tool with a private, empty krb5.conf and TZ=UTC; fails the test clearly if missing.
fn mit(tool: &str) -> Command {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "MIT's `{tool}` is not installed; this test needs it. Install MIT Kerberos (Debian: \
         apt-get install krb5-user, or run scripts/install-deps.sh)"
    );
    let conf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-krb5.conf");
    std::fs::write(&conf, "").unwrap();
    let mut cmd = Command::new(tool);
    cmd.env("KRB5_CONFIG", conf).env("TZ", "UTC");
    cmd
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// (kvno, principal, enctype) of each line of `klist -k -e` (or of our list, whose lines have
/// a timestamp after the kvno).
fn triples(text: &str, has_timestamp: bool) -> Vec<(u32, String, String)> {
    text.lines()
        .skip(3)
        .map(|line| {
            let line = line.split("  (0x").next().unwrap().trim_end();
            let (front, enctype) = line.rsplit_once(" (").unwrap();
            let mut t = front.split_whitespace();
            let kvno = t.next().unwrap().parse().unwrap();
            if has_timestamp {
                t.next().unwrap();
            }
            let principal = t.next().unwrap().to_owned();
            assert!(t.next().is_none(), "{line}");
            (kvno, principal, enctype.trim_end_matches(')').to_owned())
        })
        .collect()
}

/// Our list lines start after a two-line header.
fn our_entries(text: &str) -> Vec<(u32, String, String)> {
    triples(&format!("skip\n{text}"), true)
}

#[test]
fn list_matches_mit_klist() {
    for path in mit_keytabs() {
        let ours = ok(&krb_proxy(&["keytab", "list", p(&path)], b""));
        let klist = mit("klist").args(["-k", "-e"]).arg(&path).output().unwrap();
        let klist = ok(&klist);
        let want = triples(&klist, false);
        assert!(!want.is_empty());
        assert_eq!(our_entries(&ours), want, "{}", path.display());
        assert!(!ours.contains("(0x"), "keys printed without --keys");
    }
}

#[test]
fn list_keys_and_timestamps_match_mit_klist() {
    for path in mit_keytabs() {
        let ours = ok(&krb_proxy(&["keytab", "list", "--keys", p(&path)], b""));
        let klist = ok(&mit("klist")
            .args(["-k", "-e", "-t", "-K"])
            .arg(&path)
            .output()
            .unwrap());
        let keys = |text: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.split("(0x").nth(1))
                .map(|k| k.trim_end_matches(')').to_owned())
                .collect()
        };
        assert_eq!(keys(&ours), keys(&klist), "{}", path.display());
        // klist prints "mm/dd/yy HH:MM:SS" (TZ=UTC); we print RFC 3339 in UTC.
        let ours_times: Vec<String> = ours
            .lines()
            .skip(2)
            .map(|l| {
                let ts = l.split_whitespace().nth(1).unwrap();
                format!("{}/{}/{} {}", &ts[5..7], &ts[8..10], &ts[2..4], &ts[11..19])
            })
            .collect();
        let klist_times: Vec<String> = klist
            .lines()
            .skip(3)
            .map(|l| {
                l.split_whitespace()
                    .skip(1)
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(ours_times, klist_times, "{}", path.display());
    }
}

#[test]
fn list_json() {
    let path = data("mit-mixed.keytab");
    let out = ok(&krb_proxy(&["keytab", "list", "--json", p(&path)], b""));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 5);
    let first = arr[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["enctype", "etype", "kvno", "principal", "timestamp"]);
    assert_eq!(first["principal"], "HTTP/api.example.test@EXAMPLE.TEST");
    assert_eq!(first["kvno"], 7);
    assert_eq!(first["enctype"], "arcfour-hmac");
    assert_eq!(first["etype"], 23);
    let ts = first["timestamp"].as_str().unwrap();
    assert_eq!(ts.len(), 20, "{ts}");
    assert!(ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "{ts}");
    let etypes: Vec<i64> = arr.iter().map(|e| e["etype"].as_i64().unwrap()).collect();
    assert_eq!(etypes, [23, 16, 26, 18, 17]);

    let out = ok(&krb_proxy(
        &["keytab", "list", "--json", "--keys", p(&path)],
        b"",
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let klist = ok(&mit("klist").args(["-k", "-K"]).arg(&path).output().unwrap());
    for (entry, line) in v.as_array().unwrap().iter().zip(klist.lines().skip(3)) {
        assert_eq!(entry.as_object().unwrap().len(), 6);
        let key = entry["key"].as_str().unwrap();
        assert!(line.contains(&format!("(0x{key})")), "{line} vs {key}");
    }

    // The epoch, as the Kerberos.NET keytab has it.
    let out = ok(&krb_proxy(
        &[
            "keytab",
            "list",
            "--json",
            p(&data("windows-ad-sample.keytab")),
        ],
        b"",
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["timestamp"], "1970-01-01T00:00:00Z");
    assert_eq!(v[0]["enctype"], "des-cbc-crc");
}

/// ktutil's key for each (principal, kvno, enctype, password, salt).
fn ktutil_keys(
    principal: &str,
    kvno: u32,
    enctypes: &[&str],
    password: &str,
    salt: Option<&str>,
) -> Vec<(String, String)> {
    let dir = temp_dir("ktutil");
    let out_path = dir.join("mit.keytab");
    let mut script = String::new();
    for e in enctypes {
        let salt = salt.map(|s| format!(" -s {s}")).unwrap_or_default();
        script.push_str(&format!(
            "addent -password -p {principal} -k {kvno} -e {e}{salt}\n{password}\n"
        ));
    }
    script.push_str(&format!("wkt {}\nquit\n", out_path.display()));
    let out = run_with(&mut mit("ktutil"), script.as_bytes());
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "ktutil: {out:?}"
    );
    let listing = ok(&mit("klist")
        .args(["-k", "-e", "-K"])
        .arg(&out_path)
        .output()
        .unwrap());
    listing
        .lines()
        .skip(3)
        .map(|l| {
            let (head, key) = l.split_once("  (0x").unwrap();
            let enctype = head
                .trim_end()
                .rsplit_once(" (")
                .unwrap()
                .1
                .trim_end_matches(')');
            (enctype.to_owned(), key.trim_end_matches(')').to_owned())
        })
        .collect()
}

fn our_keys(path: &Path) -> Vec<(String, String)> {
    let out = ok(&krb_proxy(
        &["keytab", "list", "--json", "--keys", p(path)],
        b"",
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["enctype"].as_str().unwrap().to_owned(),
                e["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn add_makes_the_keys_mit_ktutil_makes() {
    let dir = temp_dir("add");
    let path = dir.join("new.keytab");
    let principal = "HTTP/web.example.test@EXAMPLE.TEST";
    let password = "Tr0ub4dor&3 with spaces";
    let enctypes = [
        "aes128-cts-hmac-sha1-96",
        "aes256-cts-hmac-sha1-96",
        "aes128-cts-hmac-sha256-128",
        "aes256-cts-hmac-sha384-192",
    ];
    let mut args = vec![
        "keytab",
        "add",
        p(&path),
        "--principal",
        principal,
        "--kvno",
        "5",
        "--password-stdin",
    ];
    for e in [
        "aes128-sha1",
        "aes256-cts",
        "aes128-sha2",
        "aes256-cts-hmac-sha384-192",
    ] {
        args.extend(["--enctype", e]);
    }
    let out = ok(&krb_proxy(&args, format!("{password}\n").as_bytes()));
    assert_eq!(
        out,
        format!(
            "added 4 entries for {principal} kvno 5 ({}) to {}\n",
            enctypes.join(", "),
            path.display()
        )
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        our_keys(&path),
        ktutil_keys(principal, 5, &enctypes, password, None)
    );

    // MIT's klist reads the file with the same kvno and principal.
    let klist = ok(&mit("klist").args(["-k", "-e"]).arg(&path).output().unwrap());
    let want: Vec<_> = enctypes
        .iter()
        .map(|e| (5, principal.to_owned(), (*e).to_owned()))
        .collect();
    assert_eq!(triples(&klist, false), want);
}

#[test]
fn add_defaults_salt_and_newlines() {
    let dir = temp_dir("add-defaults");
    let path = dir.join("k.keytab");
    let principal = "host/h.example.test@EXAMPLE.TEST";
    // Default enctypes; \r\n counts as one newline.
    ok(&krb_proxy(
        &[
            "keytab",
            "add",
            p(&path),
            "--principal",
            principal,
            "--kvno",
            "2",
            "--password-stdin",
        ],
        b"pw-one\r\n",
    ));
    let want = ktutil_keys(
        principal,
        2,
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
        "pw-one",
        None,
    );
    assert_eq!(our_keys(&path), want);

    // A given salt, appended to the existing file; only one newline is stripped.
    ok(&krb_proxy(
        &[
            "keytab",
            "add",
            p(&path),
            "--principal",
            principal,
            "--kvno",
            "3",
            "--enctype",
            "aes256-sha2",
            "--salt",
            "OTHERSALT",
            "--password-stdin",
        ],
        b"pw-two",
    ));
    let keys = our_keys(&path);
    assert_eq!(keys.len(), 3);
    assert_eq!(
        keys[2],
        ktutil_keys(
            principal,
            3,
            &["aes256-cts-hmac-sha384-192"],
            "pw-two",
            Some("OTHERSALT")
        )[0]
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn add_refusals() {
    let dir = temp_dir("add-refuse");
    let path = dir.join("k.keytab");
    let add = |extra: &[&str], stdin: &[u8]| {
        let mut args = vec![
            "keytab",
            "add",
            p(&path),
            "--principal",
            "a/b@R",
            "--kvno",
            "1",
        ];
        args.extend_from_slice(extra);
        krb_proxy(&args, stdin)
    };
    // The password only ever comes from stdin.
    let out = add(&[], b"pw\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--password-stdin"));
    assert!(!path.exists());

    let err = fails(&add(&["--password-stdin"], b"\n"));
    assert!(
        err.contains("the password on standard input is empty"),
        "{err}"
    );
    let err = fails(&add(
        &["--password-stdin", "--enctype", "des-cbc-crc"],
        b"pw\n",
    ));
    assert!(err.contains("cannot make des-cbc-crc keys"), "{err}");
    let err = fails(&add(&["--password-stdin", "--enctype", "aes512"], b"pw\n"));
    assert!(err.contains("not an enctype name MIT knows"), "{err}");
    assert!(!path.exists());

    let err = fails(&krb_proxy(
        &[
            "keytab",
            "add",
            p(&path),
            "--principal",
            "a/b",
            "--kvno",
            "1",
            "--password-stdin",
        ],
        b"pw\n",
    ));
    assert!(err.contains("has no realm"), "{err}");

    ok(&add(&["--password-stdin"], b"pw\n"));
    let before = std::fs::read(&path).unwrap();
    let err = fails(&add(
        &[
            "--password-stdin",
            "--enctype",
            "aes128-sha2",
            "--enctype",
            "aes128-cts",
        ],
        b"pw\n",
    ));
    assert!(
        err.contains("already has kvno 1 aes128-cts-hmac-sha1-96 for a/b@R"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a failed add changed the file"
    );

    // A damaged keytab is reported, not overwritten.
    std::fs::write(&path, b"\x05\x02\x00\x00\x0f\xa0rest").unwrap();
    let err = fails(&add(&["--password-stdin"], b"pw\n"));
    assert!(
        err.contains(&format!(
            "keytab {}: at byte 2: entry says 4000 bytes, only 4 remain",
            path.display()
        )),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"\x05\x02\x00\x00\x0f\xa0rest"
    );
}

#[test]
fn remove_entries() {
    let dir = temp_dir("remove");
    let path = dir.join("k.keytab");
    std::fs::copy(data("mit-aes.keytab"), &path).unwrap();
    let http = "HTTP/api.example.test@EXAMPLE.TEST";

    let out = ok(&krb_proxy(
        &[
            "keytab",
            "remove",
            p(&path),
            "--principal",
            http,
            "--kvno",
            "3",
        ],
        b"",
    ));
    assert_eq!(
        out,
        format!(
            "removed 4 entries of {http} kvno 3 from {}\n",
            path.display()
        )
    );
    let klist = ok(&mit("klist").args(["-k", "-e"]).arg(&path).output().unwrap());
    assert_eq!(
        triples(&klist, false),
        [
            (4, http.to_owned(), "aes256-cts-hmac-sha1-96".to_owned()),
            (4, http.to_owned(), "aes256-cts-hmac-sha384-192".to_owned()),
            (
                300,
                "host/api.example.test@EXAMPLE.TEST".to_owned(),
                "aes256-cts-hmac-sha1-96".to_owned()
            ),
        ]
    );

    let err = fails(&krb_proxy(
        &[
            "keytab",
            "remove",
            p(&path),
            "--principal",
            http,
            "--kvno",
            "3",
        ],
        b"",
    ));
    assert!(
        err.contains("no entry of HTTP/api.example.test@EXAMPLE.TEST with kvno 3; it has kvno 4"),
        "{err}"
    );
    let err = fails(&krb_proxy(
        &[
            "keytab",
            "remove",
            p(&path),
            "--principal",
            "nobody@EXAMPLE.TEST",
        ],
        b"",
    ));
    assert!(
        err.contains("no entry of nobody@EXAMPLE.TEST; it holds: HTTP/api"),
        "{err}"
    );

    let out = ok(&krb_proxy(
        &[
            "keytab",
            "remove",
            p(&path),
            "--principal",
            "host/api.example.test@EXAMPLE.TEST",
        ],
        b"",
    ));
    assert_eq!(
        out,
        format!(
            "removed 1 entry of host/api.example.test@EXAMPLE.TEST from {}\n",
            path.display()
        )
    );
    let out = ok(&krb_proxy(&["keytab", "list", p(&path)], b""));
    assert_eq!(our_entries(&out).len(), 2);
}

#[test]
fn list_errors_name_the_file() {
    let dir = temp_dir("list-err");
    let path = dir.join("cut.keytab");
    let bytes = std::fs::read(data("mit-aes.keytab")).unwrap();
    std::fs::write(&path, &bytes[..40]).unwrap();
    let err = fails(&krb_proxy(&["keytab", "list", p(&path)], b""));
    assert_eq!(
        err,
        format!(
            "krb-proxy: keytab {}: at byte 2: entry says 89 bytes, only 34 remain (the file is \
             truncated or not a keytab)\n",
            path.display()
        )
    );
    let err = fails(&krb_proxy(
        &["keytab", "list", p(&dir.join("missing"))],
        b"",
    ));
    assert!(
        err.contains("missing: opening for reading: No such file"),
        "{err}"
    );
}
