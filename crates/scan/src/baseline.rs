//! Baselines: findings accepted on purpose, by fingerprint. No secret,
//! line or commit is stored, so entries survive edits around the secret,
//! rebases and squashes.
//!
//! A baseline is committed, so its fingerprints must not give away the
//! secrets they stand for: a plain hash of `Sommer2024!` is cracked from
//! a wordlist in seconds. Fingerprints are PBKDF2-HMAC-SHA256 of the
//! secret with a random salt of the baseline file (no precomputed tables,
//! no comparing baselines across repositories) and [`ITERATIONS`] rounds
//! (tens of thousands of times slower per guess than a plain hash). A
//! scan only computes one for a finding whose rule and file the baseline
//! lists, so the cost stays off the hot path.

use crate::{Error, Finding};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::path::Path;

/// The default baseline file name.
pub const DEFAULT_FILE: &str = ".secretctl-baseline.json";

/// PBKDF2 rounds of a new baseline.
pub const ITERATIONS: u32 = 100_000;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Its rule (for people reading the file, and to compute fingerprints
    /// only for findings that may match).
    pub rule: String,
    /// Its file (likewise).
    pub file: String,
}

/// A set of accepted findings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version: 2 (salted, slow fingerprints); 1 (plain sha256
    /// fingerprints) is still read.
    pub version: u32,
    /// The fingerprint key of version 2 (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// PBKDF2 rounds of version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u32>,
    /// Accepted findings.
    pub findings: BTreeSet<Entry>,
    /// `salt` and `iterations`, parsed once (by [`Baseline::load`] and
    /// [`Baseline::from_findings`]).
    #[serde(skip)]
    key: Option<Hasher>,
}

/// How a baseline's fingerprints are made: its salt and rounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hasher {
    salt: Vec<u8>,
    iterations: u32,
}

impl Hasher {
    /// A fresh random salt and the default rounds.
    pub fn random() -> Hasher {
        Hasher {
            salt: random_bytes(),
            iterations: ITERATIONS,
        }
    }

    /// The baseline fingerprint of a finding's secret.
    pub fn fingerprint(&self, rule: &str, file: &str, secret: &[u8]) -> String {
        let mut salt = self.salt.clone();
        for part in [rule.as_bytes(), file.as_bytes()] {
            salt.push(0);
            salt.extend_from_slice(part);
        }
        let d = pbkdf2_sha256(secret, &salt, self.iterations.max(1));
        format!("v2:{}", hex(&d[..16]))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// 16 random bytes from the OS.
fn random_bytes() -> Vec<u8> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("the OS random source (getrandom(2))");
    b.to_vec()
}

/// PBKDF2-HMAC-SHA256, one 32-byte block (RFC 8018). The keyed HMAC is
/// cloned for every round, so the key's padded blocks are hashed once.
fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let prf = Hmac::<Sha256>::new_from_slice(password).expect("HMAC takes any key length");
    let mac = |parts: &[&[u8]]| -> [u8; 32] {
        let mut m = prf.clone();
        for p in parts {
            m.update(p);
        }
        m.finalize().into_bytes().into()
    };
    let mut u = mac(&[salt, &1u32.to_be_bytes()]);
    let mut out = u;
    for _ in 1..iterations {
        u = mac(&[&u]);
        for (o, x) in out.iter_mut().zip(u) {
            *o ^= x;
        }
    }
    out
}

impl Baseline {
    /// A baseline accepting these findings, whose fingerprints were made
    /// with `hasher` (see [`crate::Scanner::with_fingerprints`]).
    pub fn from_findings(findings: &[Finding], hasher: &Hasher) -> Baseline {
        Baseline {
            version: 2,
            salt: Some(hex(&hasher.salt)),
            iterations: Some(hasher.iterations),
            key: Some(hasher.clone()),
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

    /// The fingerprint key of a version-2 baseline.
    pub fn hasher(&self) -> Option<Hasher> {
        self.key.clone()
    }

    /// Whether a finding (its rule, file and secret) is accepted.
    pub fn accepts(&self, rule: &str, file: &str, secret: &[u8]) -> bool {
        let mut maybe = self
            .findings
            .iter()
            .filter(|e| e.rule == rule && e.file == file)
            .peekable();
        if maybe.peek().is_none() {
            return false;
        }
        let fp = match &self.key {
            Some(h) if self.version >= 2 => h.fingerprint(rule, file, secret),
            _ => crate::fingerprint(rule, file, secret),
        };
        maybe.any(|e| e.fingerprint == fp)
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let text = std::fs::read(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        let mut b: Baseline = serde_json::from_slice(&text).map_err(|e| Error::Config {
            path: path.display().to_string(),
            message: format!(
                "not a baseline file: {e} (write one with `secretctl scan --write-baseline`)"
            ),
        })?;
        b.key = b.salt.as_deref().and_then(unhex).map(|salt| Hasher {
            salt,
            iterations: b.iterations.unwrap_or(ITERATIONS),
        });
        if b.version >= 2 && b.key.is_none() {
            return Err(Error::Config {
                path: path.display().to_string(),
                message: "version 2 needs a hex `salt` (rewrite it with `secretctl scan --write-baseline`)".into(),
            });
        }
        Ok(b)
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
    fn pbkdf2_matches_rfc_7914_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1).
        let d = pbkdf2_sha256(b"passwd", b"salt", 1);
        assert_eq!(
            hex(&d),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
        // RFC 7914: ("Password", "NaCl", 80000), first block.
        let d = pbkdf2_sha256(b"Password", b"NaCl", 80000);
        assert_eq!(
            hex(&d),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
        );
    }

    #[test]
    fn round_trip_and_lookup() {
        let h = Hasher::random();
        let s = crate::Scanner::new(&crate::Config::default())
            .unwrap()
            .with_fingerprints(Some(h.clone()));
        let f = s.scan("a.env", b"DB_PASSWORD=Sommer2024!x\n").findings;
        let b = Baseline::from_findings(&f, &h);
        let json = b.to_json();
        assert!(!json.contains("Sommer2024"));
        // Neither a plain hash of the secret (with or without context).
        assert!(!json.contains(&crate::fingerprint(
            "generic-secret-assignment",
            "a.env",
            b"Sommer2024!x"
        )));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(DEFAULT_FILE);
        std::fs::write(&p, json).unwrap();
        let b = Baseline::load(&p).unwrap();
        assert_eq!(b.hasher(), Some(h));
        let s = crate::Scanner::new(&crate::Config::default())
            .unwrap()
            .with_baseline(Some(b));
        // Moved within the file: still accepted.
        assert!(s
            .scan("a.env", b"# moved\n\nDB_PASSWORD=Sommer2024!x\n")
            .findings
            .is_empty());
        // Another secret, or the same one in another file: not accepted.
        assert_eq!(
            s.scan("a.env", b"DB_PASSWORD=Winter2025!x\n")
                .findings
                .len(),
            1
        );
        assert_eq!(
            s.scan("b.env", b"DB_PASSWORD=Sommer2024!x\n")
                .findings
                .len(),
            1
        );
    }

    #[test]
    fn salts_differ_and_version_1_is_still_read() {
        let (a, b) = (Hasher::random(), Hasher::random());
        assert_ne!(a.fingerprint("r", "f", b"x"), b.fingerprint("r", "f", b"x"));
        let v1 = Baseline {
            version: 1,
            salt: None,
            iterations: None,
            findings: [Entry {
                fingerprint: crate::fingerprint(
                    "generic-secret-assignment",
                    "a.env",
                    b"Sommer2024!x",
                ),
                rule: "generic-secret-assignment".into(),
                file: "a.env".into(),
            }]
            .into(),
            ..Baseline::default()
        };
        let s = crate::Scanner::new(&crate::Config::default())
            .unwrap()
            .with_baseline(Some(v1));
        assert!(s
            .scan("a.env", b"DB_PASSWORD=Sommer2024!x\n")
            .findings
            .is_empty());
    }
}
