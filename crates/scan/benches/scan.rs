//! Throughput of the scanner on a generated large mixed tree (see
//! `support/corpus.rs`: code, configs, prose, lock files, logs and base64
//! blobs, about 9,000 keyword hits per MiB, a planted secret per 40
//! files), of the keyword prefilter alone, and the time to scan a typical
//! 20-file staged commit.
//!
//! `cargo bench -p dnsctl-scan` prints MiB/s for each group (criterion's
//! `thrpt`). One thread: the scanner never spawns any.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

fn bench(c: &mut Criterion) {
    let scanner = scan::Scanner::new(&scan::Config::default()).unwrap();
    let files = corpus::generate(32 << 20, 1);
    let bytes: usize = files.iter().map(|(_, d)| d.len()).sum();

    let mut g = c.benchmark_group("mixed-tree");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("scan 32 MiB", |b| {
        b.iter(|| {
            let mut n = 0;
            for (p, d) in &files {
                n += scanner.scan(p, d).findings.len();
            }
            black_box(n)
        })
    });
    g.bench_function("keyword prefilter only", |b| {
        b.iter(|| {
            let mut n = 0;
            for (_, d) in &files {
                n += scanner.prefilter().count(d);
            }
            black_box(n)
        })
    });
    g.finish();

    // A commit: 20 files of the tree, about 200 KiB.
    let commit: Vec<(String, Vec<u8>)> = files
        .iter()
        .step_by(files.len() / 20)
        .take(20)
        .cloned()
        .collect();
    let cbytes: usize = commit.iter().map(|(_, d)| d.len()).sum();
    let mut g = c.benchmark_group("staged-commit");
    g.throughput(Throughput::Bytes(cbytes as u64));
    g.bench_function("20 files (scanner built once)", |b| {
        b.iter(|| {
            let mut n = 0;
            for (p, d) in &commit {
                n += scanner.scan(p, d).findings.len();
            }
            black_box(n)
        })
    });
    g.bench_function("20 files incl. building the scanner", |b| {
        b.iter(|| {
            let s = scan::Scanner::new(&scan::Config::default()).unwrap();
            let mut n = 0;
            for (p, d) in &commit {
                n += s.scan(p, d).findings.len();
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
