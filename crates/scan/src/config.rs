//! The rule config: built-in rules to disable, custom rules, allowlists.
//! It reads gitleaks-style TOML, so an existing `.gitleaks.toml` works:
//!
//! ```toml
//! [scan]
//! disable = ["jwt"]          # built-in rule ids to turn off
//! auto_encrypt = true        # the hook encrypts files .sops.yaml says must be
//! baseline = ".secretctl-baseline.json"
//!
//! [extend]
//! useDefault = true          # gitleaks: keep the built-in rules
//! disabledRules = ["generic-secret-xml"]
//!
//! [[rules]]
//! id = "acme-internal-token"
//! description = "ACME Corp internal token"
//! regex = '''acme_(?P<secret>[a-z0-9]{32})'''
//! keywords = ["acme_"]
//! entropy = 3.0
//! secretGroup = 1
//! [[rules.allowlists]]
//! regexes = ['''acme_0{32}''']
//!
//! [allowlist]                # global: gitleaks' [allowlist] or [[allowlists]]
//! paths = ['''^test/fixtures/''']
//! regexes = ['''EXAMPLE''']
//! ```

use crate::rules::{self, Allowlist, Check, Rule, Target};
use crate::Error;
use serde::Deserialize;
use std::path::Path;

/// File names searched at the repository root, first found wins.
pub const CONFIG_FILES: &[&str] = &[".secretctl.toml", "secretctl.toml", ".gitleaks.toml"];

/// A parsed config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    scan: ScanSection,
    #[serde(default)]
    extend: Extend,
    #[serde(default)]
    rules: Vec<RuleConfig>,
    #[serde(default)]
    allowlist: Option<AllowConfig>,
    #[serde(default)]
    allowlists: Vec<AllowConfig>,
    /// gitleaks' top-level `title`.
    #[serde(default)]
    title: Option<String>,
    #[serde(skip)]
    source: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanSection {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    auto_encrypt: bool,
    #[serde(default)]
    baseline: Option<String>,
    #[serde(default)]
    max_file_size: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Extend {
    #[serde(default = "yes", rename = "useDefault")]
    use_default: bool,
    #[serde(default, rename = "disabledRules")]
    disabled_rules: Vec<String>,
    #[serde(default)]
    path: Option<String>,
}

fn yes() -> bool {
    true
}

impl Default for Extend {
    fn default() -> Self {
        Extend {
            use_default: true,
            disabled_rules: Vec::new(),
            path: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleConfig {
    id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default, rename = "secretGroup")]
    secret_group: Option<usize>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    allowlist: Option<AllowConfig>,
    #[serde(default)]
    allowlists: Vec<AllowConfig>,
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowConfig {
    #[serde(default)]
    description: String,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default, rename = "regexTarget")]
    regex_target: Option<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    condition: Option<String>,
    /// gitleaks' rule-scoped global allowlists.
    #[serde(default, rename = "targetRules")]
    target_rules: Vec<String>,
}

impl Config {
    /// Parses TOML text; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Config, Error> {
        let mut c: Config = toml::from_str(text).map_err(|e| Error::Config {
            path: source.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        c.source = source.to_string();
        // Validate everything now so errors name the config.
        c.rules()?;
        c.allowlists()?;
        Ok(c)
    }

    /// Reads the first config file found in `root` (or the default config).
    pub fn discover(root: &Path) -> Result<Config, Error> {
        for name in CONFIG_FILES {
            let p = root.join(name);
            if p.is_file() {
                return Config::load(&p);
            }
        }
        Ok(Config::default())
    }

    /// Reads a config file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Whether the hook encrypts files `.sops.yaml` says must be encrypted.
    pub fn auto_encrypt(&self) -> bool {
        self.scan.auto_encrypt
    }

    /// The baseline file named in the config.
    pub fn baseline(&self) -> Option<&str> {
        self.scan.baseline.as_deref()
    }

    /// The size above which files are scanned in windows (default 16 MiB).
    pub fn max_file_size(&self) -> usize {
        self.scan.max_file_size.unwrap_or(16 << 20)
    }

    fn err(&self, msg: String) -> Error {
        Error::Config {
            path: if self.source.is_empty() {
                "config".into()
            } else {
                self.source.clone()
            },
            message: msg,
        }
    }

    /// The rules: built-ins (unless `useDefault = false`) minus disabled ones,
    /// then custom rules (a custom rule with a built-in id replaces it).
    pub fn rules(&self) -> Result<Vec<Rule>, Error> {
        let mut out: Vec<Rule> = if self.extend.use_default {
            rules::builtin()
        } else {
            Vec::new()
        };
        if let Some(p) = &self.extend.path {
            return Err(self.err(format!(
                "[extend] path = {p:?} is not supported: copy the rules into this file"
            )));
        }
        for id in self.scan.disable.iter().chain(&self.extend.disabled_rules) {
            let before = out.len();
            out.retain(|r| &r.id != id);
            if before == out.len() && !self.rules.iter().any(|r| &r.id == id) {
                return Err(self.err(format!(
                    "cannot disable unknown rule {id:?} (see `secretctl scan --list-rules`)"
                )));
            }
        }
        for rc in &self.rules {
            let _ = &rc.tags;
            let regex = match &rc.regex {
                Some(r) => Some(rules::compile(r, true).map_err(|e| {
                    self.err(format!("rule {}: regex does not compile: {e}", rc.id))
                })?),
                None => None,
            };
            let path = match &rc.path {
                Some(p) => Some(rules::compile(p, true).map_err(|e| {
                    self.err(format!("rule {}: path does not compile: {e}", rc.id))
                })?),
                None => None,
            };
            let (regex, path) = match (regex, path) {
                (Some(r), p) => (r, p),
                // A path-only rule: the file itself is the finding.
                (None, Some(p)) => (rules::compile(r"\A", false).expect("anchor"), Some(p)),
                (None, None) => {
                    return Err(self.err(format!("rule {}: needs a regex or a path", rc.id)))
                }
            };
            // An empty keyword is in every text: the prefilter could not
            // tell any file apart.
            if rc.keywords.iter().any(String::is_empty) {
                return Err(self.err(format!("rule {}: a keyword is empty", rc.id)));
            }
            if let Some(g) = rc.secret_group {
                let regex = &regex;
                if g >= regex.captures_len() {
                    return Err(self.err(format!(
                        "rule {}: secretGroup {g} but the regex has {} groups",
                        rc.id,
                        regex.captures_len() - 1
                    )));
                }
            }
            let mut allowlists = Vec::new();
            for a in rc.allowlist.iter().chain(&rc.allowlists) {
                allowlists.push(self.allowlist(a)?);
            }
            let rule = Rule {
                id: rc.id.clone(),
                description: if rc.description.is_empty() {
                    rc.id.clone()
                } else {
                    rc.description.clone()
                },
                hint: rc.hint.clone().unwrap_or_else(|| {
                    "move it to a SOPS file (secrets/…) and reference it".into()
                }),
                regex: rules::LazyRegex::ready(regex),
                run: rules::Run::Whole,
                keywords: rc.keywords.iter().map(|k| k.to_ascii_lowercase()).collect(),
                pre: vec![rules::Pre::None; rc.keywords.len()],
                secret_group: Some(rc.secret_group.unwrap_or(0)),
                min_entropy: rc.entropy,
                check: Check::Plain,
                allowlists,
                path,
                priority: 1,
            };
            match out.iter_mut().find(|r| r.id == rule.id) {
                Some(r) => *r = rule,
                None => out.push(rule),
            }
        }
        // Global allowlists scoped to some rules go onto those rules.
        for a in self.allowlist.iter().chain(&self.allowlists) {
            if !a.target_rules.is_empty() {
                let al = self.allowlist(a)?;
                for r in out.iter_mut().filter(|r| a.target_rules.contains(&r.id)) {
                    r.allowlists.push(al.clone());
                }
            }
        }
        Ok(out)
    }

    /// Global allowlists (not scoped to rules).
    pub fn allowlists(&self) -> Result<Vec<Allowlist>, Error> {
        self.allowlist
            .iter()
            .chain(&self.allowlists)
            .filter(|a| a.target_rules.is_empty())
            .map(|a| self.allowlist(a))
            .collect()
    }

    fn allowlist(&self, a: &AllowConfig) -> Result<Allowlist, Error> {
        let compile = |what: &str, v: &Vec<String>| {
            v.iter()
                .map(|r| {
                    rules::compile(r, true)
                        .map_err(|e| self.err(format!("allowlist {what} {r:?}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let target = match a.regex_target.as_deref() {
            None | Some("secret") => Target::Secret,
            Some("match") => Target::Match,
            Some("line") => Target::Line,
            Some(o) => {
                return Err(self.err(format!(
                    "allowlist regexTarget {o:?}: use secret, match or line"
                )))
            }
        };
        let all = match a
            .condition
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("OR") => false,
            Some("AND") => true,
            Some(o) => return Err(self.err(format!("allowlist condition {o:?}: use OR or AND"))),
        };
        let _ = &a.commits;
        let _ = &self.title;
        Ok(Allowlist {
            description: a.description.clone(),
            regexes: compile("regex", &a.regexes)?,
            target,
            paths: compile("path", &a.paths)?,
            stopwords: a.stopwords.iter().map(|s| s.to_ascii_lowercase()).collect(),
            exact: Vec::new(),
            all,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scanner;

    #[test]
    fn gitleaks_style_rules_and_allowlists() {
        let c = Config::parse(
            r#"
title = "mine"
[extend]
useDefault = true
disabledRules = ["jwt"]

[[rules]]
id = "acme-token"
description = "ACME internal"
regex = '''acme_([a-z0-9]{32})'''
keywords = ["acme_"]
entropy = 3.0
secretGroup = 1
[[rules.allowlists]]
regexes = ['''^0+$''']

[allowlist]
paths = ['''^vendor/''']
"#,
            "t.toml",
        )
        .unwrap();
        let s = Scanner::new(&c).unwrap();
        let hit = s.scan("a.txt", b"x = acme_8f14e45fceea167a5a36dedd4bea2543\n");
        assert_eq!(hit.findings.len(), 1);
        assert_eq!(hit.findings[0].rule, "acme-token");
        assert_eq!(hit.findings[0].column, 10);
        assert!(s
            .scan("a.txt", b"acme_00000000000000000000000000000000\n")
            .findings
            .is_empty());
        assert!(s
            .scan("vendor/a.txt", b"acme_8f14e45fceea167a5a36dedd4bea2543\n")
            .findings
            .is_empty());
        assert!(!s.rules().iter().any(|r| r.id == "jwt"));
    }

    #[test]
    fn config_errors_name_the_problem() {
        let e = Config::parse("[[rules]]\nid = \"x\"\nregex = \"(\"\n", "c.toml").unwrap_err();
        assert!(
            e.to_string().contains("rule x: regex does not compile"),
            "{e}"
        );
        // An empty keyword would match everywhere and leave the prefilter
        // with nothing to tell apart.
        let e = Config::parse(
            "[[rules]]\nid = \"y\"\nregex = \"z\"\nkeywords = [\"\"]\n",
            "c.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("rule y: a keyword is empty"), "{e}");
        let e = Config::parse("[scan]\ndisable = [\"nope\"]\n", "c.toml").unwrap_err();
        assert!(e.to_string().contains("unknown rule \"nope\""), "{e}");
        let e = Config::parse("[scan]\nbogus = 1\n", "c.toml").unwrap_err();
        assert!(e.to_string().starts_with("c.toml: "), "{e}");
    }
}
