//! Benchmarks of `krb_core::crypto`: decryption and encryption per etype and size with a
//! cached key (the acceptor's keytab keys), the same with a fresh key per call (derivation
//! included: the session-key case), and string-to-key at the default iteration counts.
//!
//! Run: `cargo bench -p krb-benches --bench crypto -- --warm-up-time 1 --measurement-time 3`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use krb_core::crypto::{Etype, Key, KeyUsage, string_to_key};

const AES_ETYPES: [Etype; 4] = [
    Etype::Aes128CtsHmacSha196,
    Etype::Aes256CtsHmacSha196,
    Etype::Aes128CtsHmacSha256128,
    Etype::Aes256CtsHmacSha384192,
];

const SIZES: [usize; 3] = [64, 1024, 16 * 1024];

fn key(etype: Etype) -> Key {
    let bytes: Vec<u8> = (0u8..)
        .take(etype.key_len())
        .map(|i| i.wrapping_mul(37))
        .collect();
    Key::new(etype, &bytes).unwrap()
}

fn decrypt(c: &mut Criterion) {
    let mut group = c.benchmark_group("decrypt");
    for etype in AES_ETYPES {
        let key = key(etype);
        for size in SIZES {
            let sealed = key.encrypt(KeyUsage::TICKET, &vec![0x42; size]).unwrap();
            // First use derives and caches the usage's keys; the loop measures the cached path.
            key.decrypt(KeyUsage::TICKET, &sealed).unwrap();
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(
                BenchmarkId::new(etype.mit_name(), size),
                &sealed,
                |b, sealed| b.iter(|| key.decrypt(KeyUsage::TICKET, black_box(sealed)).unwrap()),
            );
        }
    }
    group.finish();
}

fn encrypt(c: &mut Criterion) {
    let mut group = c.benchmark_group("encrypt");
    for etype in AES_ETYPES {
        let key = key(etype);
        for size in SIZES {
            let plain = vec![0x42; size];
            key.encrypt(KeyUsage::AP_REP_ENC_PART, &plain).unwrap();
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(
                BenchmarkId::new(etype.mit_name(), size),
                &plain,
                |b, plain| {
                    b.iter(|| {
                        key.encrypt(KeyUsage::AP_REP_ENC_PART, black_box(plain))
                            .unwrap()
                    })
                },
            );
        }
    }
    group.finish();
}

/// A fresh `Key::new` per decryption: key setup and the derivation of Ke and Ki included,
/// against the cached path of `decrypt` above.
fn decrypt_fresh_key(c: &mut Criterion) {
    let mut group = c.benchmark_group("decrypt-fresh-key");
    for etype in AES_ETYPES {
        let raw = key(etype).as_bytes().to_vec();
        for size in [64usize, 1024] {
            let sealed = key(etype)
                .encrypt(KeyUsage::AP_REQ_AUTHENTICATOR, &vec![0x42; size])
                .unwrap();
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(
                BenchmarkId::new(etype.mit_name(), size),
                &sealed,
                |b, sealed| {
                    b.iter(|| {
                        Key::new(etype, black_box(&raw))
                            .unwrap()
                            .decrypt(KeyUsage::AP_REQ_AUTHENTICATOR, black_box(sealed))
                            .unwrap()
                    })
                },
            );
        }
    }
    group.finish();
}

fn checksum(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify-checksum");
    for etype in AES_ETYPES {
        let key = key(etype);
        let data = vec![0x42; 1024];
        let cksum = key
            .checksum(KeyUsage::AP_REQ_AUTHENTICATOR_CKSUM, &data)
            .unwrap();
        group.bench_function(BenchmarkId::new(etype.mit_name(), 1024), |b| {
            b.iter(|| {
                key.verify_checksum(
                    KeyUsage::AP_REQ_AUTHENTICATOR_CKSUM,
                    black_box(&data),
                    &cksum,
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

fn string_to_key_default(c: &mut Criterion) {
    let mut group = c.benchmark_group("string-to-key");
    group.sample_size(10);
    for etype in AES_ETYPES {
        group.bench_function(
            BenchmarkId::new(etype.mit_name(), etype.default_iterations()),
            |b| {
                b.iter(|| {
                    string_to_key(
                        etype,
                        black_box(b"correct horse battery staple"),
                        b"EXAMPLE.COMuser",
                        None,
                    )
                    .unwrap()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(
    benches,
    decrypt,
    encrypt,
    decrypt_fresh_key,
    checksum,
    string_to_key_default
);
criterion_main!(benches);
