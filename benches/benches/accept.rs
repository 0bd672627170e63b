//! The whole accept of real tokens: MIT-issued aes256-cts-hmac-sha1-96 service tickets
//! (testdata/mit/alice.ccache) with a fresh authenticator for every accept, made by the
//! pure-Rust initiator outside the timed part, and the replay cache on. The keys come from
//! MIT's keytab (testdata/mit/service.keytab) through `Keytab::service_keys`, as the proxy
//! loads them. Time is fixed inside the ticket's validity and moves 1 ms per token, so the
//! replay cache purges as it would in a real second.
//!
//! `cargo bench -p krb-benches --bench accept`; MIT's `gss_accept_sec_context` on the same
//! kind of tokens is measured by `benches/peers/acceptor.sh`.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use krb_core::acceptor::{Acceptor, Policy};
use krb_core::ccache::Ccache;
use krb_core::initiator::{InitiatorOptions, ServiceTicket, TokenFormat, initiate};
use krb_core::principal::Principal;
use krb_keytab::Keytab;

fn testdata(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/mit")
        .join(name)
}

fn bench_accept(c: &mut Criterion) {
    let keytab = Keytab::read_file(testdata("service.keytab")).expect("MIT keytab");
    let bytes = std::fs::read(testdata("alice.ccache")).expect("MIT ccache");
    let ccache = Ccache::parse(&bytes).expect("ccache parses");
    let service = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).expect("name");
    let ticket = ServiceTicket::from_ccache(&ccache, &service).expect("a ticket for HTTP/api");
    let cred = ccache.find(&service).expect("credential");
    // One second into the ticket's life.
    let start = UNIX_EPOCH + Duration::from_secs(u64::from(cred.starttime) + 1);

    // One clock for every run: the initiator never reuses an authenticator time.
    let mut now: SystemTime = start;
    let mut group = c.benchmark_group("accept/aes256-cts-hmac-sha1-96");
    for (name, format, mutual) in [
        ("krb5", TokenFormat::Krb5, false),
        ("spnego", TokenFormat::Spnego, false),
        ("spnego+mutual", TokenFormat::Spnego, true),
    ] {
        let acceptor = Acceptor::new(keytab.service_keys(), Policy::default());
        let options = InitiatorOptions {
            format,
            mutual,
            ..InitiatorOptions::default()
        };
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    now += Duration::from_millis(1);
                    let (token, _) = initiate(&ticket, &options, now).expect("token");
                    (token, now)
                },
                |(token, now)| {
                    let ok = acceptor.accept(&token, now, None).expect("accepted");
                    black_box(ok)
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, bench_accept);
criterion_main!(benches);
