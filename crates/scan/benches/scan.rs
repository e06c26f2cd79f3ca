//! Throughput of the scanner on a mixed homelab-like tree, and the time to
//! scan a typical 20-file staged commit.
//!
//! `cargo bench -p dnsctl-scan` prints MiB/s for each group.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

/// A deterministic mix of config files, code and prose, with a few
/// planted secrets, about `size` bytes.
fn corpus(size: usize) -> Vec<(String, Vec<u8>)> {
    let parts: [(&str, &str); 6] = [
        ("compose.yaml", "services:\n  app:\n    image: ghcr.io/example/app@sha256:0f3d8a1c6a5e4b7f1e2d3c4b5a69788776655443322110ffeeddccbbaa998877\n    environment:\n      TZ: Europe/Berlin\n      DB_HOST: db\n      DB_PASSWORD_FILE: /run/secrets/db\n    ports:\n      - \"8080:80\"\n    restart: unless-stopped\n"),
        ("main.rs", "fn main() {\n    let args: Vec<String> = std::env::args().collect();\n    let config = load_config(&args[1]).expect(\"config\");\n    for zone in config.zones.iter() {\n        println!(\"{} {}\", zone.name, zone.records.len());\n    }\n}\n"),
        ("README.md", "# Homelab\n\nThis repository holds the NixOS flake, the DNS zones and the SOPS secrets.\nRun `nix build` to build every host, and `dnsctl preview` to see DNS changes.\nThe monkey wrench is in the keyboard drawer.\n"),
        ("host.nix", "{ config, pkgs, ... }: {\n  networking.hostName = \"nas\";\n  services.nginx.enable = true;\n  users.users.alice.hashedPassword = \"$y$j9T$abcdefghijklmnopqrstu$0123456789abcdefghijklmnopqrstuvwxyzABCDE\";\n  sops.secrets.\"wg/private\" = { };\n}\n"),
        ("zone.yaml", "---\n'':\n  - type: A\n    value: 192.0.2.10\n  - type: TXT\n    value: v=spf1 include:_spf.example.net ~all\nwww:\n  type: CNAME\n  value: nas.example.net.\n"),
        ("app.env", "TZ=UTC\nLOG_LEVEL=info\nAPI_URL=https://api.example.net\nCACHE_TTL=300\n"),
    ];
    let mut out = Vec::new();
    let mut total = 0;
    let mut i = 0;
    while total < size {
        let (name, text) = parts[i % parts.len()];
        let mut body = text.repeat(40);
        if i % 97 == 0 {
            body.push_str("GITHUB_TOKEN=ghp_6e1iqgfr7f0246gxb9v66tm8hyb7nfc4qz49\n");
        }
        total += body.len();
        out.push((format!("d{}/{name}", i / 6), body.into_bytes()));
        i += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let scanner = scan::Scanner::new(&scan::Config::default()).unwrap();
    let files = corpus(8 << 20);
    let bytes: usize = files.iter().map(|(_, d)| d.len()).sum();
    let mut g = c.benchmark_group("mixed-tree");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("scan 8 MiB", |b| {
        b.iter(|| {
            let mut n = 0;
            for (p, d) in &files {
                n += scanner.scan(p, d).findings.len();
            }
            black_box(n)
        })
    });
    g.finish();

    let commit: Vec<(String, Vec<u8>)> = files.iter().take(20).cloned().collect();
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
