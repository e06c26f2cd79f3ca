//! Writes the generated mixed tree of the benches to a directory, for
//! side-by-side runs with other scanners (`bench/scan/run.sh`).
//!
//! `cargo run --release -p dnsctl-scan --example gen_corpus -- DIR [MiB] [SEED]`

#[path = "../benches/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: gen_corpus DIR [MiB] [SEED]");
        std::process::exit(2);
    };
    let mib: usize = args.next().map_or(64, |s| s.parse().expect("MiB"));
    let seed: u64 = args.next().map_or(1, |s| s.parse().expect("seed"));
    let dir = std::path::Path::new(&dir);
    let mut bytes = 0;
    let files = corpus::generate(mib << 20, seed);
    for (path, data) in &files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, data).expect("write");
        bytes += data.len();
    }
    eprintln!("{} files, {bytes} bytes in {}", files.len(), dir.display());
}
