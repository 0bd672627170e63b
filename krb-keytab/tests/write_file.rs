//! Writing keytab files: atomically, mode 0600 for new files, mode kept for existing ones,
//! through symbolic links; and MIT's klist and ktutil read what we write unchanged.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{as_klist, data, hex, mit, parse_klist, temp_dir};
use krb_keytab::{EnctypeNumber, Entry, Keytab, Principal};

/// A keytab with entries MIT must read back exactly: several principals, enctypes known and
/// unknown to MIT, kvnos 1, 255, 256 and 70000, escaped characters, timestamps.
fn sample() -> Keytab {
    let mut kt = Keytab::new();
    let http: Principal = "HTTP/api.example.test@EXAMPLE.TEST".parse().unwrap();
    let odd: Principal = r"we\/ird\@name/x@EXAMPLE.TEST".parse().unwrap();
    let key = |n: usize, seed: u8| {
        (0..n)
            .map(|i| seed.wrapping_add(i as u8 * 7))
            .collect::<Vec<u8>>()
    };
    for (principal, kvno, etype, len, ts) in [
        (&http, 1, 18, 32, 1_700_000_000u32),
        (&http, 1, 17, 16, 1_700_000_000),
        (&http, 255, 19, 16, 1_750_000_000),
        (&http, 256, 20, 32, 1_750_000_001),
        (&http, 70_000, 18, 32, 4_000_000_000),
        (&odd, 2, 23, 16, 0),
        (&odd, 2, 26, 32, 86_400),
        (&odd, 3, 99, 5, 1),
    ] {
        kt.add(Entry::new(
            principal.clone(),
            kvno,
            EnctypeNumber::new(etype),
            &key(len, kvno as u8 ^ etype as u8),
            ts,
        ))
        .unwrap();
    }
    kt
}

#[test]
fn new_file_is_0600_and_reads_back() {
    let dir = temp_dir("write");
    let path = dir.join("new.keytab");
    let kt = sample();
    kt.write_file(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let again = Keytab::read_file(&path).unwrap();
    assert_eq!(as_klist(&again), as_klist(&kt));
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["new.keytab"]);
}

#[test]
fn replacing_keeps_the_mode_and_follows_symlinks() {
    let dir = temp_dir("replace");
    let real = dir.join("real.keytab");
    std::fs::copy(data("mit-aes.keytab"), &real).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("link.keytab");
    std::os::unix::fs::symlink("real.keytab", &link).unwrap();

    let mut kt = Keytab::read_file(&link).unwrap();
    let http: Principal = "HTTP/api.example.test@EXAMPLE.TEST".parse().unwrap();
    assert_eq!(kt.remove(&http, Some(3)), 4);
    kt.write_file(&link).unwrap();

    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_eq!(Keytab::read_file(&real).unwrap().entries().len(), 3);
}

#[test]
fn read_file_or_new() {
    let dir = temp_dir("ornew");
    assert!(
        Keytab::read_file_or_new(dir.join("missing"))
            .unwrap()
            .entries()
            .is_empty()
    );
    std::fs::write(dir.join("empty"), b"").unwrap();
    assert!(
        Keytab::read_file_or_new(dir.join("empty"))
            .unwrap()
            .entries()
            .is_empty()
    );
    // Reading an empty file as a keytab (not for editing) is an error, as in MIT.
    let err = Keytab::read_file(dir.join("empty")).unwrap_err();
    assert!(err.to_string().contains("the file is empty"), "{err}");
    std::fs::write(dir.join("junk"), b"junk").unwrap();
    assert!(Keytab::read_file_or_new(dir.join("junk")).is_err());
    let err = Keytab::read_file(dir.join("missing")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("keytab {}: ", dir.join("missing").display()))
    );
}

#[test]
fn mit_klist_reads_our_file_unchanged() {
    let dir = temp_dir("klist");
    let path = dir.join("ours.keytab");
    let kt = sample();
    kt.write_file(&path).unwrap();
    let out = mit("klist")
        .args(["-k", "-e", "-t", "-K"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "klist failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = parse_klist(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(listed, as_klist(&kt));
    assert_eq!(listed.len(), 8);
    assert_eq!(listed[4].kvno, 70_000);
    assert_eq!(listed[5].principal, r"we\/ird\@name/x@EXAMPLE.TEST");
    assert_eq!(listed[7].enctype, "DEPRECATED:etype 99");
}

#[test]
fn mit_ktutil_reads_our_file_and_writes_back_the_same_entries() {
    let dir = temp_dir("ktutil");
    let ours = dir.join("ours.keytab");
    let theirs = dir.join("theirs.keytab");
    // ktutil's list stops at an enctype MIT has no name for ("Invalid argument While converting
    // enctype to string"), so this keytab leaves out etype 99.
    let mut kt = sample();
    let odd: Principal = r"we\/ird\@name/x@EXAMPLE.TEST".parse().unwrap();
    assert_eq!(kt.remove(&odd, Some(3)), 1);
    kt.write_file(&ours).unwrap();
    let script = format!(
        "rkt {}\nlist -e -k -t\nwkt {}\nquit\n",
        ours.display(),
        theirs.display()
    );
    let mut child = mit("ktutil")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "ktutil: {stdout} {stderr}"
    );
    // ktutil's list: "slot KVNO timestamp principal (enctype) (0xkey)" per entry.
    let keys: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split("(0x").nth(1))
        .map(|k| k.trim_end_matches(')').to_owned())
        .collect();
    let want: Vec<String> = kt.entries().iter().map(|e| hex(e.key_bytes())).collect();
    assert_eq!(keys, want, "{stdout}");
    // ktutil's wkt stamps entries with the current time; everything else is what we wrote.
    let back = Keytab::read_file(&theirs).unwrap();
    let strip = |kt: &Keytab| {
        as_klist(kt)
            .into_iter()
            .map(|mut e| {
                e.time.clear();
                e
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&back), strip(&kt));
    let types = |kt: &Keytab| {
        kt.entries()
            .iter()
            .map(|e| e.name_type())
            .collect::<Vec<_>>()
    };
    assert_eq!(types(&back), types(&kt));
    assert_eq!(
        std::fs::metadata(&theirs).unwrap().len() as usize,
        kt.to_bytes().unwrap().len()
    );
}
