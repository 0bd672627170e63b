//! The memory a full replay cache costs: fills krb-core's `MemoryReplayCache` (the default
//! capacity, as krb-proxy uses it) with N live authenticators (default 1,000,000) and prints
//! the process's resident set size (VmRSS of /proc/self/status) before and after, as one JSON
//! line. Part of `benches/peers/proxy-vs-apache.sh`: driving a million authentications through
//! HTTP would take about a minute per run on 2 cores, and this measures the same structure.
//!
//! Usage: `replay-rss [N]`.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use krb_core::replay::{MemoryReplayCache, ReplayCache, ReplayKey};

/// VmRSS of this process, in KiB.
fn rss_kib() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS line in /proc/self/status".to_string())
}

fn run() -> Result<(), String> {
    let n: u32 = match std::env::args().nth(1) {
        Some(a) => a.parse().map_err(|e| format!("N: {e}"))?,
        None => 1_000_000,
    };
    let before = rss_kib()?;
    let cache = MemoryReplayCache::default();
    let now = 1_700_000_000i64;
    let client: [&[u8]; 2] = [b"alice", b"EXAMPLE.TEST"];
    let server: [&[u8]; 3] = [b"HTTP", b"api.example.test", b"EXAMPLE.TEST"];
    for i in 0..n {
        // A distinct ciphertext and a distinct (ctime, cusec) per authenticator, as fresh
        // tokens have; all live for the 10-minute window.
        let mut ct = [0u8; 64];
        for (c, b) in ct.iter_mut().zip(i.to_be_bytes().iter().cycle()) {
            *c = *b;
        }
        let key = ReplayKey::new(
            &ct,
            client,
            server,
            now + i64::from(i / 1_000_000),
            i % 1_000_000,
        );
        cache
            .check_and_insert(&key, now, now + 600)
            .map_err(|e| format!("entry {i}: {e}"))?;
    }
    let after = rss_kib()?;
    println!(
        "{{\"entries\":{n},\"held_tags\":{},\"rss_before_kib\":{before},\"rss_after_kib\":{after},\
         \"bytes_per_entry\":{:.1}}}",
        cache.len(),
        (after.saturating_sub(before) as f64 * 1024.0) / f64::from(n.max(1))
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("replay-rss: {e}");
            ExitCode::FAILURE
        }
    }
}
