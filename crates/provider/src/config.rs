//! `dnsctl.yaml`: the providers, which zone goes to which, and the safety rules.
//!
//! ```yaml
//! providers:
//!   home:
//!     type: local            # RFC 1035 zone files in a directory
//!     directory: live
//!   cf:
//!     type: cloudflare
//!     token: {env: CLOUDFLARE_API_TOKEN}   # a reference, never the token
//! zones:
//!   example.com:
//!     provider: home
//!     ignore:                # left alone by preview and push
//!       - {name: 'dyn-*', type: A}
//!     no_purge: false        # true: never delete live records
//! safety: {max_update_percent: 30, max_delete_percent: 30, min_existing: 10}
//! ```

use crate::cloudflare::CloudflareProvider;
use crate::local::LocalProvider;
use crate::secret::SecretRef;
use crate::AnyProvider;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zone::plan::{IgnoreRule, Safety};
use zone::yaml::{self, Node};
use zone::{Diagnostic, Diagnostics, Name, Pos, RType};

/// The file name searched for from the working directory upward.
pub const FILE_NAME: &str = "dnsctl.yaml";

#[derive(Debug)]
/// A parsed `dnsctl.yaml`.
pub struct Config {
    /// The directory holding `dnsctl.yaml`; relative paths resolve against it.
    pub root: PathBuf,
    /// Where the desired zone files are (`zones/`).
    pub zones_dir: PathBuf,
    /// Where backups are written (`backups/`).
    pub backups_dir: PathBuf,
    /// The providers, by name.
    pub providers: BTreeMap<String, AnyProvider>,
    /// The zones, by name without the final dot.
    pub zones: BTreeMap<String, ZoneConfig>,
}

#[derive(Debug, Clone)]
/// A zone's entry in dnsctl.yaml.
pub struct ZoneConfig {
    /// The zone.
    pub name: Name,
    /// The name of its provider.
    pub provider: String,
    /// The default rules, then the file's global rules, then the zone's own.
    pub ignore: Vec<IgnoreRule>,
    /// Never delete records that are live but not in the zone file.
    pub no_purge: bool,
    /// The limits a push may not cross without `--force`.
    pub safety: Safety,
}

/// A provider's section of the config, for its constructor to read.
pub struct Options<'a> {
    /// The provider's name in dnsctl.yaml.
    pub provider: &'a str,
    /// The directory of dnsctl.yaml, where relative paths start.
    pub root: &'a Path,
    entries: Vec<(&'a str, Pos, &'a Node)>,
    pos: Pos,
}

impl<'a> Options<'a> {
    /// Fails on a key the provider does not know, with a hint listing those it does.
    pub fn only(&self, known: &[&str]) -> Result<(), Diagnostic> {
        for (k, pos, _) in &self.entries {
            if *k != "type" && !known.contains(k) {
                return Err(Diagnostic::new(
                    *pos,
                    format!("unknown option '{k}' for provider '{}'", self.provider),
                )
                .hint(format!("known options: {}", known.join(", "))));
            }
        }
        Ok(())
    }

    /// The value of `key`, if present.
    pub fn node(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, n)| *n)
    }

    /// A string option, if present.
    pub fn str(&self, key: &str) -> Result<Option<&'a str>, Diagnostic> {
        match self.node(key) {
            None => Ok(None),
            Some(n) => n
                .as_str()
                .map(Some)
                .ok_or_else(|| Diagnostic::new(n.pos, format!("'{key}' must be a single value"))),
        }
    }

    /// A string option that must be present.
    pub fn required_str(&self, key: &str) -> Result<&'a str, Diagnostic> {
        self.str(key)?.ok_or_else(|| {
            Diagnostic::new(
                self.pos,
                format!("provider '{}' needs '{key}'", self.provider),
            )
        })
    }

    /// A non-negative integer option, if present.
    pub fn u64(&self, key: &str) -> Result<Option<u64>, Diagnostic> {
        match self.node(key) {
            None => Ok(None),
            Some(n) => n
                .as_int()
                .and_then(|i| u64::try_from(i).ok())
                .map(Some)
                .ok_or_else(|| Diagnostic::new(n.pos, format!("'{key}' must be a whole number"))),
        }
    }

    /// A credential reference: `{env: NAME}` or `{sops: FILE#key/key}` (FILE
    /// relative to dnsctl.yaml). A bare string is refused so that a token
    /// pasted into the config is caught before it is committed.
    pub fn secret(&self, key: &str) -> Result<Option<SecretRef>, Diagnostic> {
        let Some(n) = self.node(key) else {
            return Ok(None);
        };
        let bad = || {
            Diagnostic::new(
                n.pos,
                format!("'{key}' must be a reference such as {{env: CLOUDFLARE_API_TOKEN}} or {{sops: secrets/dns.yaml#cloudflare/token}}"),
            )
            .hint("never write a credential in dnsctl.yaml; put it in an environment variable or a SOPS file")
        };
        // The string form `sops:FILE#key/key` is unambiguous, unlike a bare token.
        if let Some(text) = n.as_str().and_then(|t| t.strip_prefix("sops:")) {
            return sops_ref(self.root, text, n).map(Some);
        }
        let entries = match n.as_map() {
            Some(m) => m?,
            None => return Err(bad()),
        };
        let value = |v: &Node| {
            v.as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(bad)
        };
        match entries.as_slice() {
            [("env", _, v)] => Ok(Some(SecretRef::Env(value(v)?))),
            [("sops", _, v)] => sops_ref(self.root, &value(v)?, v).map(Some),
            _ => Err(bad()),
        }
    }
}

/// A `FILE#key/key` reference to a value in a SOPS file, FILE relative to `root`.
fn sops_ref(root: &Path, text: &str, at: &Node) -> Result<SecretRef, Diagnostic> {
    let (file, path) = text
        .rsplit_once('#')
        .filter(|(f, p)| !f.is_empty() && !p.is_empty())
        .ok_or_else(|| {
            Diagnostic::new(at.pos, format!("'{text}' is not FILE#key/key"))
                .hint("e.g. {sops: secrets/dns.yaml#cloudflare/token}")
        })?;
    Ok(SecretRef::Sops {
        file: root.join(file),
        path: path.to_string(),
    })
}

impl Config {
    /// Finds `dnsctl.yaml` in `start` or the nearest directory above it.
    pub fn find(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// Reads and checks a config file; every problem is reported with its position.
    pub fn load(path: &Path) -> Result<Config, Diagnostics> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Diagnostics::new(
                &file,
                vec![Diagnostic::new(
                    Pos::new(1, 1),
                    format!("cannot read config: {e}"),
                )],
            )
        })?;
        Config::parse(&text, path.parent().unwrap_or(Path::new("")), &file)
    }

    /// Checks config text; `root` is the directory relative paths start from and
    /// `file` names the text in diagnostics.
    pub fn parse(text: &str, root: &Path, file: &str) -> Result<Config, Diagnostics> {
        let mut diags = Vec::new();
        match parse(text, root, &mut diags) {
            Some(cfg) if diags.is_empty() => Ok(cfg),
            _ => Err(Diagnostics::new(file, diags)),
        }
    }

    /// A zone by name (with or without the final dot).
    pub fn zone(&self, name: &str) -> Option<&ZoneConfig> {
        self.zones.get(name.trim_end_matches('.'))
    }

    /// The path of a zone's desired zone file.
    pub fn zone_file(&self, zone: &str) -> PathBuf {
        self.zones_dir
            .join(format!("{}.yaml", zone.trim_end_matches('.')))
    }
}

fn parse(text: &str, root: &Path, diags: &mut Vec<Diagnostic>) -> Option<Config> {
    let doc = match yaml::parse(text) {
        Ok(Some(d)) => d,
        Ok(None) => {
            diags.push(
                Diagnostic::new(Pos::new(1, 1), "the config is empty")
                    .hint("it needs 'providers' and 'zones'"),
            );
            return None;
        }
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let top = match doc.as_map() {
        Some(Ok(m)) => m,
        Some(Err(d)) => {
            diags.push(d);
            return None;
        }
        None => {
            diags.push(Diagnostic::new(
                doc.pos,
                "the config must be a mapping with 'providers' and 'zones'",
            ));
            return None;
        }
    };
    let mut cfg = Config {
        root: root.to_path_buf(),
        zones_dir: root.join("zones"),
        backups_dir: root.join("backups"),
        providers: BTreeMap::new(),
        zones: BTreeMap::new(),
    };
    let mut safety = Safety::default();
    let mut global_ignore = IgnoreRule::defaults();
    // Every name under 'providers', also those whose options had errors.
    let mut declared: Vec<String> = Vec::new();
    let mut zones_node = None;
    for (key, kpos, v) in &top {
        match *key {
            "zones_dir" | "backups_dir" => match v.as_str() {
                Some(s) => {
                    let dir = root.join(s);
                    if *key == "zones_dir" {
                        cfg.zones_dir = dir;
                    } else {
                        cfg.backups_dir = dir;
                    }
                }
                None => diags.push(Diagnostic::new(
                    v.pos,
                    format!("'{key}' must be a directory path"),
                )),
            },
            "providers" => {
                for (name, _, spec) in entries(v, "providers", diags) {
                    declared.push(name.to_string());
                    match build_provider(name, spec, root) {
                        Ok(p) => {
                            cfg.providers.insert(name.to_string(), p);
                        }
                        Err(d) => diags.push(d),
                    }
                }
            }
            "zones" => zones_node = Some(*v),
            "safety" => {
                if let Some(s) = read_safety(v, safety, diags) {
                    safety = s;
                }
            }
            "ignore" => global_ignore.extend(read_ignore(v, diags)),
            other => diags.push(
                Diagnostic::new(*kpos, format!("unknown config key '{other}'"))
                    .hint("known keys: providers, zones, safety, ignore, zones_dir, backups_dir"),
            ),
        }
    }
    let Some(zones_node) = zones_node else {
        diags.push(
            Diagnostic::new(doc.pos, "the config has no 'zones' section")
                .hint("add e.g. `zones: {example.com: {provider: local}}`"),
        );
        return None;
    };
    let mut seen: std::collections::HashMap<String, (String, zone::Pos)> = Default::default();
    for (zname, zpos, z) in entries(zones_node, "zones", diags) {
        let name = match Name::parse_fqdn(&format!("{}.", zname.trim_end_matches('.'))) {
            Ok(n) => n,
            Err(e) => {
                diags.push(Diagnostic::new(zpos, format!("zone '{zname}': {e}")));
                continue;
            }
        };
        let mut zc = ZoneConfig {
            name,
            provider: String::new(),
            ignore: global_ignore.clone(),
            no_purge: false,
            safety,
        };
        for (key, kpos, v) in entries(z, "a zone", diags) {
            match key {
                "provider" => match v.as_str() {
                    Some(p) if declared.iter().any(|d| d == p) => zc.provider = p.to_string(),
                    Some(p) => diags.push(
                        Diagnostic::new(v.pos, format!("zone '{zname}' names provider '{p}', which 'providers' does not define"))
                            .hint(format!("defined providers: {}", declared.join(", "))),
                    ),
                    None => diags.push(Diagnostic::new(v.pos, "'provider' must be a provider name")),
                },
                "ignore" => zc.ignore.extend(read_ignore(v, diags)),
                "no_purge" => match v.as_bool() {
                    Some(b) => zc.no_purge = b,
                    None => diags.push(Diagnostic::new(v.pos, "'no_purge' must be true or false")),
                },
                "safety" => {
                    if let Some(s) = read_safety(v, safety, diags) {
                        zc.safety = s;
                    }
                }
                other => diags.push(Diagnostic::new(kpos, format!("unknown zone option '{other}'")).hint("known: provider, ignore, no_purge, safety")),
            }
        }
        if !z
            .as_map()
            .and_then(Result::ok)
            .is_some_and(|m| m.iter().any(|(k, _, _)| *k == "provider"))
        {
            diags.push(
                Diagnostic::new(zpos, format!("zone '{zname}' has no 'provider'"))
                    .hint("add `provider: NAME` naming one of 'providers'"),
            );
        }
        let key = zname.trim_end_matches('.').to_ascii_lowercase();
        if let Some((first, first_pos)) = seen.get(&key) {
            // Names are case-insensitive and the final dot is optional: one
            // of the two entries would silently win.
            diags.push(
                Diagnostic::new(
                    zpos,
                    format!(
                        "zone '{zname}' is the same zone as '{first}' at line {}",
                        first_pos.line
                    ),
                )
                .hint("keep one entry per zone"),
            );
            continue;
        }
        seen.insert(key.clone(), (zname.to_string(), zpos));
        cfg.zones.insert(key, zc);
    }
    Some(cfg)
}

fn entries<'a>(
    n: &'a Node,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(&'a str, Pos, &'a Node)> {
    if n.is_null() {
        return Vec::new();
    }
    match n.as_map() {
        Some(Ok(e)) => e,
        Some(Err(d)) => {
            diags.push(d);
            Vec::new()
        }
        None => {
            diags.push(Diagnostic::new(
                n.pos,
                format!("{what} must be a mapping, found {}", n.kind_name()),
            ));
            Vec::new()
        }
    }
}

fn build_provider(name: &str, spec: &Node, root: &Path) -> Result<AnyProvider, Diagnostic> {
    let entries = match spec.as_map() {
        Some(m) => m?,
        None => {
            return Err(Diagnostic::new(
                spec.pos,
                format!("provider '{name}' must be a mapping with a 'type'"),
            ))
        }
    };
    let opts = Options {
        provider: name,
        root,
        entries,
        pos: spec.pos,
    };
    let kind = opts.required_str("type")?;
    match kind {
        "local" => Ok(AnyProvider::Local(LocalProvider::from_options(
            &opts, root,
        )?)),
        "cloudflare" => Ok(AnyProvider::Cloudflare(Box::new(
            CloudflareProvider::from_options(&opts)?,
        ))),
        "rfc2136" => Ok(AnyProvider::Rfc2136(Box::new(
            crate::rfc2136::Rfc2136Provider::from_options(&opts)?,
        ))),
        "powerdns" => Ok(AnyProvider::PowerDns(Box::new(
            crate::powerdns::PowerDnsProvider::from_options(&opts)?,
        ))),
        other => Err(Diagnostic::new(
            opts.node("type").map_or(spec.pos, |n| n.pos),
            format!("unknown provider type '{other}'"),
        )
        .hint("supported: local, cloudflare, rfc2136, powerdns")),
    }
}

fn read_ignore(n: &Node, diags: &mut Vec<Diagnostic>) -> Vec<IgnoreRule> {
    let items: Vec<&Node> = match &n.kind {
        yaml::NodeKind::Seq(items) => items.iter().collect(),
        _ => {
            diags.push(Diagnostic::new(
                n.pos,
                "'ignore' must be a list of {name: GLOB, type: TYPE} entries",
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in items {
        if let Some(glob) = item.as_str() {
            out.push(IgnoreRule {
                name: glob.to_ascii_lowercase(),
                rtype: None,
            });
            continue;
        }
        let mut rule = IgnoreRule {
            name: "*".into(),
            rtype: None,
        };
        for (k, kpos, v) in entries(item, "an ignore rule", diags) {
            match (k, v.as_str()) {
                ("name", Some(s)) => rule.name = s.to_ascii_lowercase(),
                ("type", Some("*")) => rule.rtype = None,
                ("type", Some(s)) => match s.parse::<RType>() {
                    Ok(t) => rule.rtype = Some(t),
                    Err(e) => diags.push(Diagnostic::new(v.pos, e)),
                },
                _ => diags.push(
                    Diagnostic::new(kpos, format!("unknown or invalid ignore field '{k}'"))
                        .hint("an ignore rule has 'name' (a glob) and 'type'"),
                ),
            }
        }
        out.push(rule);
    }
    out
}

fn read_safety(n: &Node, mut s: Safety, diags: &mut Vec<Diagnostic>) -> Option<Safety> {
    for (k, kpos, v) in entries(n, "'safety'", diags) {
        let num = v
            .as_str()
            .and_then(|t| t.parse::<f64>().ok())
            .filter(|f| *f >= 0.0);
        match (k, num) {
            ("max_update_percent", Some(f)) => s.max_update_percent = f,
            ("max_delete_percent", Some(f)) => s.max_delete_percent = f,
            ("min_existing", Some(f)) => s.min_existing = f as usize,
            ("max_update_percent" | "max_delete_percent" | "min_existing", None) => diags.push(
                Diagnostic::new(v.pos, format!("'{k}' must be a non-negative number")),
            ),
            _ => diags.push(
                Diagnostic::new(kpos, format!("unknown safety option '{k}'"))
                    .hint("known: max_update_percent, max_delete_percent, min_existing"),
            ),
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, Diagnostics> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, text).unwrap();
        Config::load(&p)
    }

    #[test]
    fn reads_a_config() {
        let c = load("providers:\n  home: {type: local, directory: live}\nzones:\n  Example.com:\n    provider: home\n    no_purge: true\n    ignore: [{name: 'dyn-*', type: A}]\nsafety: {max_delete_percent: 50}\n").unwrap();
        let z = c.zone("example.com.").unwrap();
        assert!(z.no_purge);
        assert_eq!(z.safety.max_delete_percent, 50.0);
        assert_eq!(z.ignore.len(), 2, "default ACME rule plus the zone's");
        assert!(c
            .zone_file("example.com")
            .ends_with("zones/example.com.yaml"));
    }

    #[test]
    fn errors_have_positions_and_hints() {
        let e = load("providers:\n  home: {type: local, directory: live}\nzones:\n  example.com: {provider: home}\n  EXAMPLE.com.: {provider: home, no_purge: true}\n").unwrap_err().to_string();
        assert!(
            e.contains(
                ":5:3: error: zone 'EXAMPLE.com.' is the same zone as 'example.com' at line 4"
            ),
            "{e}"
        );
        let e = load("providers:\n  home: {type: local, directory: live}\nzones:\n  example.com: {provider: nope}\n").unwrap_err().to_string();
        assert!(
            e.contains("dnsctl.yaml:4:27: error: zone 'example.com' names provider 'nope'")
                && e.contains("defined providers: home"),
            "{e}"
        );
        let e = load("providers:\n  home: {type: locl}\nzones: {}\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("2:16: error: unknown provider type 'locl'"),
            "{e}"
        );
        let e = load("providers: {}\nzones: {}\nsaftey: {}\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("3:1: error: unknown config key 'saftey'"), "{e}");
    }

    #[test]
    fn secrets_are_references_never_values() {
        let doc = yaml::parse("a: {env: CF_TOKEN}\nb: {sops: 'secrets/dns.yaml#cloudflare/token'}\nc: 'sops:secrets/dns.yaml#x/0'\nd: hunter2\ne: 'sops:no-key'\n")
            .unwrap()
            .unwrap();
        let opts = Options {
            provider: "p",
            root: Path::new("/repo"),
            entries: doc.as_map().unwrap().unwrap(),
            pos: Pos::new(1, 1),
        };
        assert_eq!(
            opts.secret("a").unwrap(),
            Some(SecretRef::Env("CF_TOKEN".into()))
        );
        assert_eq!(
            opts.secret("b").unwrap(),
            Some(SecretRef::Sops {
                file: "/repo/secrets/dns.yaml".into(),
                path: "cloudflare/token".into()
            })
        );
        assert_eq!(
            opts.secret("c").unwrap(),
            Some(SecretRef::Sops {
                file: "/repo/secrets/dns.yaml".into(),
                path: "x/0".into()
            })
        );
        let e = opts.secret("d").unwrap_err();
        assert!(
            e.message.contains("must be a reference") && !e.message.contains("hunter2"),
            "{e:?}"
        );
        assert_eq!(opts.secret("e").unwrap_err().pos, Pos::new(5, 4));
        assert_eq!(opts.secret("missing").unwrap(), None);
    }
}
