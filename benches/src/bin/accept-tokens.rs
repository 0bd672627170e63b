//! Accepts every token of a file once, with the replay cache on, and prints the time per
//! token as one JSON line: krb-core's side of `benches/peers/acceptor.sh`, which runs MIT's
//! `gss_accept_sec_context` over the same file.
//!
//! Usage: `accept-tokens KEYTAB TOKENS [ROUNDS]`. TOKENS holds records of a 4-byte big-endian
//! length and a token (as `mit_accept gen` writes them). Each round uses a fresh acceptor and
//! replay cache, since every token can be accepted only once; the best round is reported.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use krb_core::acceptor::{Acceptor, Policy};

fn records(bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<4>()
            .ok_or("truncated record length")?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|e| e.to_string())?;
        let (token, tail) = tail.split_at_checked(len).ok_or("truncated record")?;
        out.push(token);
        rest = tail;
    }
    Ok(out)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(keytab), Some(tokens)) = (args.get(1), args.get(2)) else {
        return Err("usage: accept-tokens KEYTAB TOKENS [ROUNDS]".into());
    };
    let rounds: u32 = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(3);
    let keytab = krb_keytab::Keytab::read_file(keytab).map_err(|e| e.to_string())?;
    let bytes = std::fs::read(tokens).map_err(|e| format!("{tokens}: {e}"))?;
    let tokens = records(&bytes)?;
    let mut best = f64::MAX;
    let mut failures = 0;
    for _ in 0..rounds {
        let acceptor = Acceptor::new(keytab.service_keys(), Policy::default());
        failures = 0;
        let start = Instant::now();
        for token in &tokens {
            if let Err(e) = acceptor.accept(token, SystemTime::now(), None) {
                if failures == 0 {
                    eprintln!("accept-tokens: {e}");
                }
                failures += 1;
            }
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / tokens.len().max(1) as f64;
        best = best.min(per);
    }
    println!(
        "{{\"peer\":\"krb-core\",\"tokens\":{},\"failures\":{failures},\"per_token_us\":{best:.3}}}",
        tokens.len()
    );
    if failures > 0 {
        return Err(format!("{failures} tokens refused"));
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("accept-tokens: {e}");
            ExitCode::FAILURE
        }
    }
}
