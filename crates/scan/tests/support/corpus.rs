//! Measures a labelled corpus directory: `LABELS` holds `file:line` of
//! every planted secret (every other line is clean) and `.sops.yaml` the
//! corpus' SOPS policy. Shared by the homelab corpus tests.

use scan::{Config, Scanner, SopsPolicy};
use std::collections::BTreeSet;
use std::path::Path;

/// What a scan of a corpus found, against its labels.
pub(crate) struct Measure {
    pub planted: usize,
    pub recall: f64,
    pub precision: f64,
    pub missed: Vec<String>,
    pub false_alarms: Vec<String>,
    /// Files reported as plaintext that `.sops.yaml` says must be encrypted.
    pub sops_findings: Vec<String>,
}

pub(crate) fn measure(dir: &str) -> Measure {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let labels: BTreeSet<String> = std::fs::read_to_string(root.join("LABELS"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect();
    let policy = SopsPolicy::parse(&std::fs::read(root.join(".sops.yaml")).unwrap(), "").unwrap();
    let scanner = Scanner::new(&Config::default())
        .unwrap()
        .with_sops(Some(policy));
    let mut flagged = BTreeSet::new();
    let mut sops_findings = Vec::new();
    for file in scan::git::walk(&root).unwrap() {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "LABELS" {
            continue;
        }
        let data = std::fs::read(&file).unwrap();
        for f in scanner.scan(&rel, &data).findings {
            if f.kind == scan::FindingKind::UnencryptedSopsFile {
                sops_findings.push(f.file.clone());
            }
            // The preview never shows the secret: nothing past 4 characters of it.
            assert!(
                f.kind != scan::FindingKind::Secret || f.preview.contains("*****"),
                "{f:?}"
            );
            flagged.insert(format!("{}:{}", f.file, f.line));
        }
    }
    let tp = flagged.intersection(&labels).count();
    let m = Measure {
        planted: labels.len(),
        recall: tp as f64 / labels.len() as f64,
        precision: tp as f64 / flagged.len().max(1) as f64,
        missed: labels.difference(&flagged).cloned().collect(),
        false_alarms: flagged.difference(&labels).cloned().collect(),
        sops_findings,
    };
    println!(
        "{dir}: {} planted, {tp} found, {} missed, {} false alarms: recall {:.3} precision {:.3}",
        m.planted,
        m.missed.len(),
        m.false_alarms.len(),
        m.recall,
        m.precision
    );
    println!("missed: {:?}\nfalse alarms: {:?}", m.missed, m.false_alarms);
    m
}
