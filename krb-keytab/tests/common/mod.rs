//! Helpers shared by the krb-keytab integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use krb_keytab::Keytab;

/// The test data directory.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn keytabs_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "keytab"))
        .collect();
    v.sort();
    v
}

/// Every keytab in this crate's test data directory (each with an `X.klist` beside it).
pub fn local_keytabs() -> Vec<PathBuf> {
    let v = keytabs_in(&data(""));
    assert!(v.len() >= 6, "test keytabs missing: {v:?}");
    v
}

/// The keytabs of the MIT test realm, in the workspace's testdata/mit.
pub fn realm_keytabs() -> Vec<PathBuf> {
    let v = keytabs_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/mit"));
    assert!(v.len() >= 2, "testdata/mit keytabs missing: {v:?}");
    v
}

/// Every test keytab: this crate's and the MIT realm's.
pub fn all_keytabs() -> Vec<PathBuf> {
    let mut v = local_keytabs();
    v.extend(realm_keytabs());
    v
}

/// A fresh empty directory under cargo's target tmp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "krb-keytab-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One line of `klist -k -e -t -K`.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct KlistEntry {
    pub kvno: u32,
    /// `mm/dd/yy HH:MM:SS`, as klist prints it (the listings here are made with TZ=UTC).
    pub time: String,
    pub principal: String,
    /// The enctype as klist prints it, `DEPRECATED:` prefix included.
    pub enctype: String,
    pub key_hex: String,
}

/// Parses the output of `klist -k -e -t -K`.
pub fn parse_klist(text: &str) -> Vec<KlistEntry> {
    let mut out = Vec::new();
    for line in text.lines().skip(3) {
        let (head, key) = line
            .rsplit_once("  (0x")
            .unwrap_or_else(|| panic!("unexpected klist line: {line:?}"));
        let (front, enctype) = head.trim_end().rsplit_once(" (").unwrap();
        let t: Vec<&str> = front.split_whitespace().collect();
        assert_eq!(t.len(), 4, "unexpected klist line: {line:?}");
        out.push(KlistEntry {
            kvno: t[0].parse().unwrap(),
            time: format!("{} {}", t[1], t[2]),
            principal: t[3].to_owned(),
            enctype: enctype.trim_end_matches(')').to_owned(),
            key_hex: key.trim_end_matches(')').to_owned(),
        });
    }
    out
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `mm/dd/yy HH:MM:SS` in UTC, as klist prints a timestamp with TZ=UTC.
pub fn klist_time(secs: u32) -> String {
    let secs = i64::from(secs);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{m:02}/{d:02}/{:02} {:02}:{:02}:{:02}",
        y % 100,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The enctype the way klist prints it.
pub fn klist_enctype(e: krb_keytab::EnctypeNumber) -> String {
    if e.is_deprecated() {
        format!("DEPRECATED:{e}")
    } else {
        e.to_string()
    }
}

/// A keytab's entries in klist's terms.
pub fn as_klist(kt: &Keytab) -> Vec<KlistEntry> {
    kt.entries()
        .iter()
        .map(|e| KlistEntry {
            kvno: e.kvno(),
            time: klist_time(e.timestamp()),
            principal: e.principal().to_string(),
            enctype: klist_enctype(e.enctype()),
            key_hex: hex(e.key_bytes()),
        })
        .collect()
}

/// Runs an MIT tool with a private empty krb5.conf, failing the test clearly if it is missing.
pub fn mit(tool: &str) -> Command {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "MIT's `{tool}` is not installed; this test needs it. Install MIT Kerberos (Debian: \
         apt-get install krb5-user, or run scripts/install-deps.sh)"
    );
    let conf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-krb5.conf");
    if !conf.exists() {
        std::fs::write(&conf, "").unwrap();
    }
    let mut cmd = Command::new(tool);
    cmd.env("KRB5_CONFIG", conf).env("TZ", "UTC");
    cmd
}
