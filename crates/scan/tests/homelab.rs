//! A realistic homelab corpus (compose files, Caddyfile, .env, tfvars,
//! NixOS modules, WireGuard, Home Assistant, Kubernetes, CI, scripts) with
//! planted secrets labelled per line in `LABELS` and look-alikes that must
//! stay quiet (references, placeholders, hashes, digests, ids, public keys,
//! certificates, published example keys).

use scan::{Config, Scanner, SopsPolicy};
use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn homelab_corpus_precision_and_recall() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/homelab");
    let labels: BTreeSet<String> = std::fs::read_to_string(root.join("LABELS"))
        .unwrap()
        .lines()
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
    let fp: Vec<_> = flagged.difference(&labels).collect();
    let fneg: Vec<_> = labels.difference(&flagged).collect();
    let recall = tp as f64 / labels.len() as f64;
    let precision = tp as f64 / flagged.len() as f64;
    println!(
        "homelab corpus: {} planted, {tp} found, {} missed, {} false alarms: recall {recall:.3} precision {precision:.3}",
        labels.len(),
        fneg.len(),
        fp.len()
    );
    println!("missed: {fneg:?}\nfalse alarms: {fp:?}");
    assert_eq!(sops_findings, ["secrets/db.yaml"]);
    assert!(recall >= 0.95, "recall {recall:.3}");
    assert!(precision >= 0.95, "precision {precision:.3}");
}
