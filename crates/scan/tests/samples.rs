//! Precision and recall on the 1,046 labelled strings taken from the
//! examples gitleaks keeps beside its rules (tests/fixtures/gitleaks_samples.jsonl,
//! a copy of the shared fixture). Each string is scanned as a whole file.
//!
//! No rule or allowlist knows a string of this set. Its 16 `clean` Google
//! API keys are keys Google publishes in its own apps (public by design,
//! but real keys of the real shape, with no checksum to tell them apart):
//! they are findings, and cost precision here (0.978: tp 833, fp 19,
//! fn 2, tn 192). Users who carry such a key allowlist it in their config.

use scan::{Config, Scanner};

struct Sample {
    rule: String,
    text: String,
    secret: bool,
    path: String,
}

fn samples() -> Vec<Sample> {
    let text = include_str!("fixtures/gitleaks_samples.jsonl");
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("jsonl");
            Sample {
                rule: v["rule"].as_str().unwrap_or_default().to_string(),
                text: v["text"].as_str().unwrap_or_default().to_string(),
                secret: v["expect"] == "secret",
                path: v["path"]
                    .as_str()
                    .filter(|p| !p.is_empty())
                    .unwrap_or("sample.txt")
                    .to_string(),
            }
        })
        .collect()
}

#[test]
fn gitleaks_samples_precision_and_recall() {
    let scanner = Scanner::new(&Config::default()).unwrap();
    let all = samples();
    assert_eq!(all.len(), 1046);
    let (mut tp, mut fp, mut fneg, mut tn) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    let mut false_alarms = Vec::new();
    for s in &all {
        let found = scanner.scan(&s.path, s.text.as_bytes()).findings;
        match (s.secret, !found.is_empty()) {
            (true, true) => tp += 1,
            (true, false) => {
                fneg += 1;
                misses.push(format!("{}: {:.100}", s.rule, s.text.escape_debug()));
            }
            (false, true) => {
                fp += 1;
                false_alarms.push(format!(
                    "{} flagged by {}: {:.100}",
                    s.rule,
                    found[0].rule,
                    s.text.escape_debug()
                ));
            }
            (false, false) => tn += 1,
        }
    }
    let recall = tp as f64 / (tp + fneg) as f64;
    let precision = tp as f64 / (tp + fp) as f64;
    println!("gitleaks samples: tp {tp} fp {fp} fn {fneg} tn {tn}: recall {recall:.3} precision {precision:.3}");
    if std::env::var_os("SCAN_SAMPLES_VERBOSE").is_some() {
        for m in &misses {
            println!("MISS {m}");
        }
        for m in &false_alarms {
            println!("FP   {m}");
        }
    }
    assert!(recall >= 0.99, "recall {recall:.3}");
    assert!(precision >= 0.97, "precision {precision:.3}");
}
