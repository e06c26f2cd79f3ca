//! `.sops.yaml`: creation rules that say which files are encrypted to which
//! age keys. Found from the working directory upward; the first rule whose
//! (unanchored) `path_regex` matches the file's path, relative to the
//! config's directory, wins; a rule without `path_regex` matches anything.

use crate::error::{Error, Result};
use crate::metadata::EncryptionRules;
use crate::value::{Map, Value};
use regex::Regex;
use std::path::{Path, PathBuf};

/// The config file name.
pub const CONFIG_FILE_NAME: &str = ".sops.yaml";

/// What a matching creation rule says.
#[derive(Debug, Clone, PartialEq)]
pub struct CreationRule {
    /// The rule's `path_regex` (empty: any file).
    pub path_regex: String,
    /// Key groups of age recipients.
    pub groups: Vec<Vec<String>>,
    /// Shares needed when there are several groups.
    pub shamir_threshold: Option<usize>,
    /// Keys of other types (pgp, kms, gcp_kms, azure_kv, hc_vault) per group
    /// (parallel to `groups`), as `kind id` (e.g. `pgp FP`) names
    /// them: secretctl cannot encrypt to them, but `updatekeys` keeps the
    /// entries a file already has for them.
    pub other_keys: Vec<Vec<String>>,
    /// Partial encryption settings (with sops' default suffix if none).
    pub rules: EncryptionRules,
}

/// Searches `.sops.yaml` from `start` upward.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start.to_path_buf());
    while let Some(d) = dir {
        let p = d.join(CONFIG_FILE_NAME);
        if p.is_file() {
            return Some(p);
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    None
}

fn err(path: &Path, msg: impl Into<String>) -> Error {
    Error::Config {
        path: path.display().to_string(),
        message: msg.into(),
    }
}

fn key_list(v: Option<&Value>, what: &str, path: &Path) -> Result<Vec<String>> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Str(s)) => Ok(s
            .expose()
            .split(',')
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect()),
        Some(Value::List(l)) => l
            .iter()
            .filter(|v| !matches!(v, Value::Comment(_)))
            .map(|v| {
                v.as_str()
                    .map(|s| s.trim().to_string())
                    .ok_or_else(|| err(path, format!("{what} entries must be strings")))
            })
            .collect(),
        Some(other) => Err(err(
            path,
            format!(
                "{what} must be a string or a list, found a {}",
                other.kind()
            ),
        )),
    }
}

fn opt_str(m: &Map, k: &str, path: &Path) -> Result<Option<String>> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) if s.expose().is_empty() => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.expose().to_string())),
        Some(other) => Err(err(
            path,
            format!("{k} must be a string, found a {}", other.kind()),
        )),
    }
}

/// The keys of other types a rule (or one of its key groups) names, as
/// [`crate::metadata::other_key_id`] names the entries of a file.
fn other_keys(m: &Map, in_group: bool, path: &Path) -> Result<Vec<String>> {
    use crate::metadata::{other_key_id, pgp_id};
    let mut out = Vec::new();
    let field = |v: &Map, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    for fp in key_list(m.get("pgp"), "pgp", path)? {
        out.push(pgp_id(&fp));
    }
    let maps = |k: &str| -> Vec<&Map> {
        match m.get(k) {
            Some(Value::List(l)) => l.iter().filter_map(Value::as_map).collect(),
            _ => Vec::new(),
        }
    };
    if in_group {
        // kms and gcp_kms entries have the fields of a file's entries.
        for kind in ["kms", "gcp_kms"] {
            out.extend(maps(kind).into_iter().filter_map(|k| other_key_id(kind, k)));
        }
        for k in maps("azure_keyvault") {
            out.push(format!(
                "azure_kv {}/keys/{}",
                field(k, "vaultUrl").trim_end_matches('/'),
                field(k, "key")
            ));
        }
        for uri in key_list(m.get("hc_vault"), "hc_vault", path)? {
            out.push(format!("hc_vault {}", uri.trim_end_matches('/')));
        }
    } else {
        for arn in key_list(m.get("kms"), "kms", path)? {
            out.push(format!("kms {arn}"));
        }
        for id in key_list(m.get("gcp_kms"), "gcp_kms", path)? {
            out.push(format!("gcp_kms {id}"));
        }
        for url in key_list(m.get("azure_keyvault"), "azure_keyvault", path)? {
            // https://VAULT.vault.azure.net/keys/NAME[/VERSION]
            let (vault, rest) = url.split_once("/keys/").unwrap_or((url.as_str(), ""));
            let name = rest.split('/').next().unwrap_or("");
            out.push(format!(
                "azure_kv {}/keys/{name}",
                vault.trim_end_matches('/')
            ));
        }
        for uri in key_list(m.get("hc_vault_transit_uri"), "hc_vault_transit_uri", path)? {
            out.push(format!("hc_vault {}", uri.trim_end_matches('/')));
        }
    }
    Ok(out)
}

fn parse_rule(m: &Map, path: &Path) -> Result<CreationRule> {
    let path_regex = opt_str(m, "path_regex", path)?.unwrap_or_default();
    let mut groups = Vec::new();
    let mut other = Vec::new();
    match m.get("key_groups") {
        Some(Value::List(gs)) if !gs.is_empty() => {
            for g in gs.iter().filter(|v| !matches!(v, Value::Comment(_))) {
                let gm = g
                    .as_map()
                    .ok_or_else(|| err(path, "each key_groups entry must be a map"))?;
                let age = key_list(gm.get("age"), "key_groups[].age", path)?;
                if age.is_empty() {
                    return Err(err(
                        path,
                        "a key group has no age recipients (only age keys are supported by secretctl)",
                    ));
                }
                groups.push(age);
                other.push(other_keys(gm, true, path)?);
            }
        }
        _ => {
            let age = key_list(m.get("age"), "age", path)?;
            if !age.is_empty() {
                groups.push(age);
                other.push(other_keys(m, false, path)?);
            }
        }
    }
    let shamir_threshold = match m.get("shamir_threshold") {
        None | Some(Value::Null) => None,
        Some(Value::Int(i)) if *i > 0 => Some(*i as usize),
        Some(Value::Int(0)) => None,
        Some(_) => return Err(err(path, "shamir_threshold must be a positive integer")),
    };
    let mac_only_encrypted = matches!(m.get("mac_only_encrypted"), Some(Value::Bool(true)));
    let rules = EncryptionRules {
        unencrypted_suffix: opt_str(m, "unencrypted_suffix", path)?,
        encrypted_suffix: opt_str(m, "encrypted_suffix", path)?,
        unencrypted_regex: opt_str(m, "unencrypted_regex", path)?,
        encrypted_regex: opt_str(m, "encrypted_regex", path)?,
        unencrypted_comment_regex: opt_str(m, "unencrypted_comment_regex", path)?,
        encrypted_comment_regex: opt_str(m, "encrypted_comment_regex", path)?,
        mac_only_encrypted,
    }
    .with_defaults();
    rules.validate().map_err(|e| err(path, e.to_string()))?;
    Ok(CreationRule {
        path_regex,
        groups,
        shamir_threshold,
        other_keys: other,
        rules,
    })
}

/// Parses the creation rules of a config file's text.
pub fn parse_rules(text: &[u8], config_path: &Path) -> Result<Vec<CreationRule>> {
    let docs = crate::stores::yaml::load(text).map_err(|e| err(config_path, e.to_string()))?;
    let Some(root) = docs.first() else {
        return Ok(Vec::new());
    };
    let list = match root.get("creation_rules") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::List(l)) => l,
        Some(other) => {
            return Err(err(
                config_path,
                format!("creation_rules must be a list, found a {}", other.kind()),
            ))
        }
    };
    list.iter()
        .filter(|v| !matches!(v, Value::Comment(_)))
        .map(|r| {
            let m = r
                .as_map()
                .ok_or_else(|| err(config_path, "each creation rule must be a map"))?;
            parse_rule(m, config_path)
        })
        .collect()
}

/// The rule for `file` in the config at `config_path` (sops' matching).
pub fn rule_for(config_path: &Path, file: &Path) -> Result<Option<CreationRule>> {
    let text = std::fs::read(config_path).map_err(|e| Error::ReadFile {
        path: config_path.display().to_string(),
        source: e,
    })?;
    let rules = parse_rules(&text, config_path)?;
    if rules.is_empty() {
        return Ok(None);
    }
    let abs_file = absolute(file);
    let config_dir = absolute(config_path.parent().unwrap_or(Path::new(".")));
    let file_s = abs_file.to_string_lossy().to_string();
    let prefix = format!(
        "{}{}",
        config_dir.to_string_lossy(),
        std::path::MAIN_SEPARATOR
    );
    let rel = file_s.strip_prefix(&prefix).unwrap_or(&file_s).to_string();
    for r in rules {
        if r.path_regex.is_empty() {
            return Ok(Some(r));
        }
        let re = Regex::new(&r.path_regex).map_err(|e| {
            err(
                config_path,
                format!("path_regex {:?} is invalid: {e}", r.path_regex),
            )
        })?;
        if re.is_match(&rel) {
            return Ok(Some(r));
        }
    }
    Err(err(
        config_path,
        format!(
            "no creation rule matches {rel} (rules are tried in order; path_regex is unanchored)"
        ),
    ))
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_matching_rule_wins() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(
            &cfg,
            "creation_rules:\n  - path_regex: prod/.*\\.yaml$\n    age: age1aaa, age1bbb\n    encrypted_regex: ^(data|stringData)$\n  - path_regex: secrets/\n    key_groups:\n      - age:\n          - age1ccc\n      - age:\n          - age1ddd\n    shamir_threshold: 1\n  - age:\n      - age1eee\n",
        )
        .unwrap();
        let r = rule_for(&cfg, &dir.path().join("x/prod/a.yaml"))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.groups,
            vec![vec!["age1aaa".to_string(), "age1bbb".to_string()]]
        );
        assert_eq!(
            r.rules.encrypted_regex.as_deref(),
            Some("^(data|stringData)$")
        );
        assert_eq!(r.rules.unencrypted_suffix, None);
        let r = rule_for(&cfg, &dir.path().join("secrets/b.env"))
            .unwrap()
            .unwrap();
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.shamir_threshold, Some(1));
        let r = rule_for(&cfg, &dir.path().join("other.json"))
            .unwrap()
            .unwrap();
        assert_eq!(r.groups, vec![vec!["age1eee".to_string()]]);
        assert_eq!(r.rules.unencrypted_suffix.as_deref(), Some("_unencrypted"));
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(find_config(&sub).unwrap(), cfg);
    }

    #[test]
    fn no_match_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(
            &cfg,
            "creation_rules:\n  - path_regex: \\.yaml$\n    age: age1aaa\n",
        )
        .unwrap();
        let e = rule_for(&cfg, &dir.path().join("a.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no creation rule matches a.json"), "{e}");
    }
}
