//! `.sops.yaml` awareness: a file that a creation rule says must be
//! encrypted, but is plaintext, is a finding of its own kind.
//!
//! Only rules with a `path_regex` require encryption: a catch-all rule
//! (no `path_regex`) says which keys to use for files one chooses to
//! encrypt, not that every file must be.

use crate::Error;
use regex::Regex;
use sops::config::CreationRule;
use std::path::Path;

/// The creation rules of one `.sops.yaml`.
#[derive(Debug, Clone)]
pub struct SopsPolicy {
    /// The config's directory relative to the scan root (`""` or `dir/`).
    base: String,
    rules: Vec<(Option<Regex>, CreationRule)>,
}

impl SopsPolicy {
    /// Parses `.sops.yaml` text; `base` is its directory relative to the
    /// scan root (`""` at the root).
    pub fn parse(text: &[u8], base: &str) -> Result<SopsPolicy, Error> {
        let name = format!("{base}{}", sops::config::CONFIG_FILE_NAME);
        let rules =
            sops::config::parse_rules(text, Path::new(&name)).map_err(|e| Error::Config {
                path: name.clone(),
                message: e.to_string(),
            })?;
        let rules = rules
            .into_iter()
            .map(|r| {
                let re = if r.path_regex.is_empty() {
                    None
                } else {
                    Some(Regex::new(&r.path_regex).map_err(|e| Error::Config {
                        path: name.clone(),
                        message: format!("path_regex {:?} is invalid: {e}", r.path_regex),
                    })?)
                };
                Ok((re, r))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let base = if base.is_empty() || base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        Ok(SopsPolicy { base, rules })
    }

    /// The first creation rule matching `path` (relative to the scan root),
    /// as sops matches it (unanchored, relative to the config's directory).
    pub fn rule_for(&self, path: &str) -> Option<&CreationRule> {
        let rel = path.strip_prefix(&self.base)?;
        for (re, rule) in &self.rules {
            match re {
                None => return Some(rule),
                Some(re) if re.is_match(rel) => return Some(rule),
                Some(_) => {}
            }
        }
        None
    }

    /// Whether `path` must be encrypted (a rule with a `path_regex` and keys matches it).
    pub fn requires_encryption(&self, path: &str) -> Option<&CreationRule> {
        let rel = path.strip_prefix(&self.base)?;
        if rel == sops::config::CONFIG_FILE_NAME {
            return None;
        }
        let rule = self.rule_for(path)?;
        (!rule.path_regex.is_empty() && !rule.groups.is_empty()).then_some(rule)
    }

    /// A description of the problem when `path` must be encrypted and is not.
    pub fn check(&self, path: &str, data: &[u8]) -> Option<String> {
        let rule = self.requires_encryption(path)?;
        if crate::is_sops_encrypted(data) {
            return None;
        }
        Some(problem(rule))
    }
}

/// What is wrong with a plaintext file `rule` says must be encrypted.
pub(crate) fn problem(rule: &CreationRule) -> String {
    format!(
        "plaintext file that .sops.yaml (path_regex {:?}) says must be SOPS-encrypted",
        rule.path_regex
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: &[u8] = b"creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n  - age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n";

    #[test]
    fn matching_plaintext_is_a_problem() {
        let p = SopsPolicy::parse(CFG, "").unwrap();
        assert!(p.check("secrets/db.yaml", b"password: x\n").is_some());
        assert!(p
            .check(
                "secrets/db.yaml",
                b"password: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n    mac: y\n"
            )
            .is_none());
        // The catch-all rule does not require encryption.
        assert!(p.check("compose.yaml", b"a: b\n").is_none());
        assert!(p.check(".sops.yaml", CFG).is_none());
        let sub = SopsPolicy::parse(CFG, "infra").unwrap();
        assert!(sub.check("infra/secrets/a.yaml", b"a: b\n").is_some());
        assert!(sub.check("secrets/a.yaml", b"a: b\n").is_none());
    }
}
