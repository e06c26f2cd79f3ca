//! Scans a directory tree in memory and prints `file:line:col rule` for
//! every finding, then the throughput on stderr (thread CPU time, best of
//! `RUNS`, default 3). For comparisons between scanner versions and with
//! other tools (`bench/scan/run.sh`).
//!
//! `cargo run --release -p dnsctl-scan --example scan_tree -- DIR [RUNS]`

fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split(' ').next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: scan_tree DIR [RUNS]");
    let runs: usize = args.next().map_or(3, |s| s.parse().expect("RUNS"));
    let root = std::path::Path::new(&dir);
    let mut files = Vec::new();
    for p in scan::git::walk(root).expect("walk") {
        let rel = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .to_string_lossy()
            .into_owned();
        let data = std::fs::read(&p).expect("read");
        files.push((rel, data));
    }
    let bytes: usize = files.iter().map(|(_, d)| d.len()).sum();
    let scanner = scan::Scanner::new(&scan::Config::default()).expect("scanner");
    let mut best = f64::MAX;
    let mut found = Vec::new();
    for _ in 0..runs.max(1) {
        found.clear();
        let (t, w) = (cpu_ns(), std::time::Instant::now());
        for (p, d) in &files {
            let t = std::time::Instant::now();
            found.extend(scanner.scan(p, d).findings);
            if std::env::var_os("SCAN_SLOW").is_some() && t.elapsed().as_millis() > 20 {
                eprintln!("slow: {p} {} bytes {:?}", d.len(), t.elapsed());
            }
        }
        let cpu = (cpu_ns() - t) as f64 / 1e9;
        best = best.min(if cpu > 0.0 {
            cpu
        } else {
            w.elapsed().as_secs_f64()
        });
    }
    if std::env::var_os("SCAN_PREFILTER").is_some() {
        let mut best = f64::MAX;
        let mut hits = 0;
        for _ in 0..runs.max(1) {
            let t = cpu_ns();
            hits = files
                .iter()
                .map(|(_, d)| scanner.prefilter().count(d))
                .sum::<usize>();
            best = best.min((cpu_ns() - t) as f64 / 1e9);
        }
        eprintln!(
            "prefilter: {:.0} MiB/s, {:.0} hits/MiB",
            bytes as f64 / 1048576.0 / best,
            hits as f64 / (bytes as f64 / 1048576.0)
        );
    }
    for f in &found {
        println!("{}:{}:{} {}", f.file, f.line, f.column, f.rule);
    }
    eprintln!(
        "{} files, {:.1} MiB, {} findings: {:.0} MiB/s (best of {runs}, CPU time)",
        files.len(),
        bytes as f64 / 1048576.0,
        found.len(),
        bytes as f64 / 1048576.0 / best
    );
}
