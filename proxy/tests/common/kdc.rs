//! A live MIT Kerberos KDC on loopback for tests: `scripts/mit-kdc.sh start DIR` in a fresh
//! temporary directory, realm EXAMPLE.TEST, principals made with `kadmin.local`, tickets with
//! `kinit` and `kvno`. The KDC is killed and its directory removed when the [`Kdc`] drops.
//!
//! Include it with `#[path = "common/kdc.rs"] mod kdc;`. Without MIT Kerberos the helpers panic
//! with what to do (run scripts/install-deps.sh): a live test never passes silently.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::SystemTime;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// PATH with the sbin directories, where Debian puts krb5kdc and kadmin.local.
pub fn path_env() -> String {
    format!(
        "{}:/usr/sbin:/sbin",
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    )
}

/// Whether `tool` is on [`path_env`].
pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .env("PATH", path_env())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Panics, saying to run scripts/install-deps.sh, unless each of `tools` is installed.
pub fn require(tools: &[&str]) {
    for tool in tools {
        assert!(
            have(tool),
            "MIT Kerberos (or a tool the live tests need) is not installed: run \
             scripts/install-deps.sh ({tool} not found)"
        );
    }
}

/// The MIT tools the KDC harness needs.
pub fn require_mit() {
    require(&["krb5kdc", "kdb5_util", "kadmin.local", "kinit", "kvno"]);
}

/// Panics with the command's output unless it succeeded.
pub fn check(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A unique new directory under the system temporary directory.
pub fn temp_dir(what: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!(
        "krb-proxy-{what}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running KDC for EXAMPLE.TEST; stopped (and its directory removed) on drop.
pub struct Kdc {
    /// The KDC's directory: krb5.conf, the database, the default ccache and keytab.
    pub dir: PathBuf,
    /// The variables of `DIR/env` (KRB5_CONFIG, KRB5CCNAME, ...) and PATH with sbin.
    pub env: Vec<(String, String)>,
}

impl Kdc {
    /// Starts a KDC in a fresh temporary directory; no principals yet.
    pub fn start() -> Kdc {
        require_mit();
        let dir = temp_dir("kdc");
        let out = Command::new(repo().join("scripts/mit-kdc.sh"))
            .arg("start")
            .arg(&dir)
            .env("PATH", path_env())
            .output()
            .unwrap();
        // From here on, drop stops the KDC even if a step fails.
        let mut kdc = Kdc {
            dir: dir.clone(),
            env: Vec::new(),
        };
        check(&out, "scripts/mit-kdc.sh start");
        let env = std::fs::read_to_string(dir.join("env")).unwrap();
        kdc.env = env
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
            .collect();
        kdc.env.push(("PATH".into(), path_env()));
        kdc
    }

    /// A command with the realm's environment.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// Runs a shell script with the realm's environment; its output, checked for success.
    pub fn sh(&self, script: &str, what: &str) -> Output {
        let out = self.cmd("sh").args(["-c", script]).output().unwrap();
        check(&out, what);
        out
    }

    /// Runs `kadmin.local` queries (one per line), e.g. `addprinc -pw pw alice`.
    pub fn kadmin(&self, queries: &[String]) {
        let script = format!(
            "set -e\nkadmin.local <<'EOF'\n{}\nEOF\n",
            queries.join("\n")
        );
        self.sh(&script, "kadmin.local");
    }

    /// `kinit principal` with `password` into the file ccache `ccache`.
    pub fn kinit(&self, principal: &str, password: &str, ccache: &Path) {
        let out = self
            .cmd("kinit")
            .arg(principal)
            .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                let mut stdin = child.stdin.take().unwrap();
                writeln!(stdin, "{password}")?;
                drop(stdin);
                child.wait_with_output()
            })
            .unwrap();
        check(&out, &format!("kinit {principal}"));
    }

    /// `kvno` of each service into the file ccache `ccache` (service tickets in the cache).
    pub fn kvno(&self, ccache: &Path, services: &[&str]) {
        let out = self
            .cmd("kvno")
            .args(services)
            .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
            .output()
            .unwrap();
        check(&out, &format!("kvno {}", services.join(" ")));
    }

    /// The default ccache of the realm's environment (KRB5CCNAME).
    pub fn ccache(&self) -> PathBuf {
        self.dir.join("ccache")
    }

    /// The default keytab path of the realm's environment (KRB5_KTNAME).
    pub fn keytab(&self) -> PathBuf {
        self.dir.join("service.keytab")
    }
}

impl Drop for Kdc {
    fn drop(&mut self) {
        // The realm is thrown away with its directory, so the KDC gets SIGKILL: krb5kdc takes
        // over a second to exit on SIGTERM (`scripts/mit-kdc.sh stop`), which every test
        // would pay. The pid must still be our krb5kdc, as mit-kdc.sh checks.
        let pid = std::fs::read_to_string(self.dir.join("kdc.pid")).unwrap_or_default();
        let pid = pid.trim();
        let ours = !pid.is_empty()
            && std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.windows(7).any(|w| w == b"krb5kdc"));
        if ours {
            let _ = Command::new("kill").args(["-KILL", pid]).output();
        } else {
            let _ = Command::new(repo().join("scripts/mit-kdc.sh"))
                .arg("stop")
                .arg(&self.dir)
                .env("PATH", path_env())
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
