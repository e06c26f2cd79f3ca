//! Baselines: findings accepted on purpose, by fingerprint (a hash of rule,
//! file and secret). No secret, line or commit is stored, so entries survive
//! edits around the secret, rebases and squashes.

use crate::{Error, Finding};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// The default baseline file name.
pub const DEFAULT_FILE: &str = ".secretctl-baseline.json";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Its rule (for people reading the file).
    pub rule: String,
    /// Its file (for people reading the file).
    pub file: String,
}

/// A set of accepted findings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// Accepted findings.
    pub findings: BTreeSet<Entry>,
}

impl Baseline {
    /// A baseline accepting these findings.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            version: 1,
            findings: findings
                .iter()
                .map(|f| Entry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.clone(),
                    file: f.file.clone(),
                })
                .collect(),
        }
    }

    /// Whether a fingerprint is accepted.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.findings.iter().any(|e| e.fingerprint == fingerprint)
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let text = std::fs::read(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        serde_json::from_slice(&text).map_err(|e| Error::Config {
            path: path.display().to_string(),
            message: format!(
                "not a baseline file: {e} (write one with `secretctl scan --write-baseline`)"
            ),
        })
    }

    /// The JSON text of the baseline (sorted, one entry per line).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_lookup() {
        let s = crate::Scanner::new(&crate::Config::default()).unwrap();
        let f = s.scan("a.env", b"DB_PASSWORD=Sommer2024!x\n").findings;
        let b = Baseline::from_findings(&f);
        let json = b.to_json();
        assert!(!json.contains("Sommer2024"));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(DEFAULT_FILE);
        std::fs::write(&p, json).unwrap();
        let b = Baseline::load(&p).unwrap();
        let s = s.with_baseline(Some(b));
        assert!(s
            .scan("a.env", b"# moved\n\nDB_PASSWORD=Sommer2024!x\n")
            .findings
            .is_empty());
        assert_eq!(
            s.scan("a.env", b"DB_PASSWORD=Winter2025!x\n")
                .findings
                .len(),
            1
        );
    }
}
