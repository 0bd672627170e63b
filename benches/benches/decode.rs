//! AP-REQ decoding: krb-core's zero-copy decoder against rasn-kerberos 0.30, on a real MIT
//! AP-REQ (testdata/mit/krb5-api.ap-req.bin) and a real Active Directory one
//! (testdata/windows-ad/aes256-kerberos-data, with a PAC in its ticket).
//!
//! Run: `cargo bench -p krb-benches --bench decode -- --warm-up-time 1 --measurement-time 3`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use krb_core::messages::ApReq;
use krb_core::token::parse_negotiate;

fn token(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata")
            .join(name),
    )
    .unwrap()
}

fn decode(c: &mut Criterion) {
    for (label, file) in [
        ("mit-aes256", "mit/krb5-api.ap-req.bin"),
        ("ad-aes256", "windows-ad/aes256-kerberos-data"),
    ] {
        let gss = token(file);
        // The AP-REQ itself, after the 17-byte RFC 4121 header: what both decoders read.
        let ap_req = parse_negotiate(&gss)
            .unwrap()
            .ap_req()
            .unwrap()
            .ap_req_der
            .to_vec();
        assert_eq!(ap_req.len() + 17, gss.len());
        let mut group = c.benchmark_group(format!("decode-ap-req/{label}"));
        group.bench_function("krb-core", |b| {
            b.iter(|| ApReq::decode(black_box(&ap_req)).unwrap())
        });
        group.bench_function("rasn-kerberos", |b| {
            b.iter(|| rasn::der::decode::<rasn_kerberos::ApReq>(black_box(&ap_req)).unwrap())
        });
        group.bench_function("krb-core-parse_negotiate", |b| {
            b.iter(|| parse_negotiate(black_box(&gss)).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
