//! `dnsctl init`: scaffolds a repository laid out as the README describes.
//! It only creates what is missing, so it is safe to run again (e.g. after
//! adding a provider, to pull a zone from it).

use anyhow::{anyhow, bail, Context, Result};
use provider::config::{Config, FILE_NAME};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use zone::Name;

pub(crate) const HELP: &str = "\
Examples:
  dnsctl init --zone example.com              # a new repository; the zone on the local provider
  dnsctl init --zone example.com --from cf    # zones/example.com.yaml from provider cf's live zone
  dnsctl init --yes                           # may create an age identity without asking

Creates only what is missing (never overwrites; running it again is safe):
  dnsctl.yaml         the local provider (live/), commented examples of the others
  zones/ZONE.yaml     one per --zone (default: every zone of dnsctl.yaml): empty,
                      or the live zone (SOA and ignored records left out) of
                      the provider --from names
  backups/ secrets/   push's backups; SOPS-encrypted files
  .sops.yaml          files in secrets/ are encrypted to your age recipient, from
                      SOPS_AGE_KEY_FILE or ~/.config/sops/age/keys.txt (created,
                      with your consent, by `secretctl keygen` when missing)
  .gitignore          live/ (the local provider's live state)
  pre-commit hook     `git init` if needed, then `secretctl hook install`

--from names a provider of dnsctl.yaml: on a new repository, run `dnsctl init`,
define the provider in dnsctl.yaml (the examples there), then run
`dnsctl init --zone ZONE --from NAME`. The zone may be assigned to another
provider in dnsctl.yaml: pulling from one and pushing to another migrates it.";

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The repository's directory (created if missing) [default: the current directory]
    dir: Option<PathBuf>,
    /// A zone to manage (e.g. example.com); repeatable [default: the zones of an existing dnsctl.yaml]
    #[arg(long, value_name = "ZONE")]
    zone: Vec<String>,
    /// Fill zones/ZONE.yaml from the live zone at this provider of dnsctl.yaml
    #[arg(long, value_name = "PROVIDER")]
    from: Option<String>,
    /// Create an age identity without asking when there is none
    #[arg(short, long)]
    yes: bool,
    /// Neither run `git init` nor install the pre-commit hook
    #[arg(long)]
    no_git: bool,
}

const PROVIDER_EXAMPLES: &str =
    "  # cf:                         # Cloudflare: an API token allowed Zone:DNS:Edit
  #   type: cloudflare
  #   token: {env: CLOUDFLARE_API_TOKEN}
  # ns1:                        # BIND or Knot: TSIG-signed dynamic updates
  #   type: rfc2136
  #   server: 127.0.0.1:53
  #   key_name: dnsctl
  #   algorithm: hmac-sha256
  #   secret: {env: DNSCTL_TSIG_SECRET}
  # pdns:                       # PowerDNS: its HTTP API
  #   type: powerdns
  #   api_url: http://127.0.0.1:8081
  #   api_key: {env: PDNS_API_KEY}
";

/// The dnsctl.yaml of a new repository.
fn config_text(zones: &[Name]) -> String {
    let mut t = String::from(
        "# dnsctl configuration: which provider serves each zone in zones/.\n\
         # Credentials are never written here, only references such as\n\
         # {env: VARIABLE} or {sops: 'secrets/dns.yaml#cloudflare/token'}.\n\n\
         providers:\n\
         \x20 # The offline default: live zones are RFC 1035 zone files in live/\n\
         \x20 # (BIND and Knot load them as they are). No account, no network.\n\
         \x20 local:\n    type: local\n    directory: live\n",
    );
    t.push_str(PROVIDER_EXAMPLES);
    t.push_str("\nzones:\n");
    if zones.is_empty() {
        t.push_str("  # example.com: {provider: local}\n  {}\n");
    }
    for z in zones {
        t.push_str(&format!("  {}:\n    provider: local\n", display(z)));
    }
    t.push_str(
        "\n# octoDNS-style thresholds: a push that would update or delete more than this\n\
         # share of a zone's existing record sets needs --force.\n\
         safety:\n  max_update_percent: 30\n  max_delete_percent: 30\n  min_existing: 10\n",
    );
    t
}

/// zones/ZONE.yaml of a new zone: no records yet, and how to write some.
fn empty_zone_text(z: &Name) -> String {
    let z = display(z);
    format!(
        "# The records of {z} that dnsctl manages: octoDNS-style YAML, names relative\n\
         # to the zone ('' is the apex). `dnsctl check` validates this file and\n\
         # `dnsctl preview` shows what `dnsctl push` would change. For example:\n\
         #\n\
         # '':\n\
         #   - type: MX\n\
         #     value: {{preference: 10, exchange: mail.{z}.}}\n\
         # www: {{type: A, value: 192.0.2.10}}\n\
         {{}}\n"
    )
}

const SOPS_RULE: &str = r"secrets/.*\.(yaml|yml|json|env|ini)$";

fn sops_text(recipient: &str) -> String {
    format!(
        "# Who can read what (the format of sops). After changing recipients run\n\
         # `secretctl updatekeys -y secrets/*`.\n\
         creation_rules:\n  - path_regex: {SOPS_RULE}\n    age: {recipient}\n"
    )
}

const GITIGNORE: &str =
    "# The local provider's live zones (dnsctl.yaml: directory: live)\n/live/\n";

fn display(z: &Name) -> &str {
    z.as_str().trim_end_matches('.')
}

/// Reports what init did with one path, relative to the repository.
struct Report<'a> {
    root: &'a Path,
    failed: bool,
}

impl Report<'_> {
    fn line(&self, what: &str, path: &Path) {
        let rel = path.strip_prefix(self.root).unwrap_or(path);
        errln!("{what:>8} {}", rel.display());
    }

    fn problem(&mut self, msg: impl std::fmt::Display) {
        self.failed = true;
        errln!("   error {msg}");
    }

    /// Creates `path` with `text` unless it exists.
    fn file(&self, path: &Path, text: &str) -> Result<()> {
        let created = atomicfile::write_new(path, text.as_bytes())
            .with_context(|| format!("cannot create {}", path.display()))?;
        self.line(if created { "created" } else { "kept" }, path);
        Ok(())
    }

    fn dir(&self, path: &Path) -> Result<()> {
        let existed = path.is_dir();
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        self.line(if existed { "kept" } else { "created" }, path);
        Ok(())
    }
}

pub(crate) async fn run(args: &Args, config: Option<&Path>) -> Result<ExitCode> {
    if config.is_some() {
        bail!("init writes dnsctl.yaml in the repository's directory; give the directory instead of --config (or unset DNSCTL_CONFIG)");
    }
    let root = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().context("cannot read the working directory")?,
    };
    let zones = args
        .zone
        .iter()
        .map(|z| {
            Name::parse_fqdn(&format!("{}.", z.trim_end_matches('.')))
                .map_err(|e| anyhow!("--zone {z}: {e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let cfg_path = root.join(FILE_NAME);
    if let Some(from) = args.from.as_deref().filter(|f| *f != "local") {
        if !cfg_path.exists() {
            bail!("--from {from}: there is no dnsctl.yaml yet to define provider '{from}' in; run `dnsctl init` first, add the provider to dnsctl.yaml (it has examples), then run this again");
        }
    }
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    let mut report = Report {
        root: &root,
        failed: false,
    };
    report.file(&cfg_path, &config_text(&zones))?;
    match Config::load(&cfg_path) {
        Ok(cfg) => {
            // Without --zone: every zone of dnsctl.yaml (those with a file are kept).
            let zones = if zones.is_empty() {
                cfg.zones.values().map(|zc| zc.name.clone()).collect()
            } else {
                zones
            };
            for z in &zones {
                if let Err(e) = zone_file(&report, &cfg, z, args.from.as_deref()).await {
                    report.problem(format!("{e:#}"));
                }
            }
            report.dir(&cfg.backups_dir)?;
        }
        Err(d) => report.problem(format!(
            "{d}\n  (zone files are made once dnsctl.yaml loads)"
        )),
    }
    report.dir(&root.join("secrets"))?;
    let sops = root.join(".sops.yaml");
    if sops.exists() {
        report.line("kept", &sops);
    } else {
        match recipient(args.yes)? {
            Some(r) => report.file(&sops, &sops_text(&r))?,
            None => report.problem(
                "no age identity, so no .sops.yaml: create one with `secretctl keygen -o ~/.config/sops/age/keys.txt` (or run `dnsctl init --yes`), then run dnsctl init again",
            ),
        }
    }
    report.file(&root.join(".gitignore"), GITIGNORE)?;
    if !args.no_git {
        if let Err(e) = git_and_hook(&report) {
            report.problem(format!("{e:#}"));
        }
    }
    if report.failed {
        return Ok(ExitCode::FAILURE);
    }
    errln!("next: edit zones/*.yaml, then `dnsctl check`, `dnsctl preview` and `dnsctl push`");
    Ok(ExitCode::SUCCESS)
}

/// zones/ZONE.yaml: kept, pulled from `from`, or a new empty one.
async fn zone_file(report: &Report<'_>, cfg: &Config, z: &Name, from: Option<&str>) -> Result<()> {
    let zc = cfg.zone(z.as_str()).ok_or_else(|| {
        anyhow!(
            "zone {0} is not in dnsctl.yaml: add `{0}: {{provider: local}}` under zones: (or another provider), then run dnsctl init again",
            display(z)
        )
    })?;
    let path = cfg.zone_file(z.as_str());
    if path.exists() {
        report.line("kept", &path);
        return Ok(());
    }
    let text = match from {
        Some(from) => {
            let provider = cfg.providers.get(from).ok_or_else(|| {
                let known: Vec<&str> = cfg.providers.keys().map(String::as_str).collect();
                anyhow!(
                    "--from {from}: dnsctl.yaml defines no such provider (it has: {})",
                    known.join(", ")
                )
            })?;
            zone::write_zone_yaml(&provider::sync::adopt(zc, provider).await?)
        }
        None => empty_zone_text(z),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    report.file(&path, &text)
}

/// Where the user's age identity is (or goes): as sops looks for it.
fn keys_file() -> Option<PathBuf> {
    std::env::var_os("SOPS_AGE_KEY_FILE")
        .map(PathBuf::from)
        .or_else(sops::keys::default_keys_file)
}

/// The recipients of the age identities in `text` (comments allowed).
fn recipients_in(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .filter_map(|l| sops::Identity::parse(l).ok())
        .map(|id| id.recipient().to_string())
        .collect()
}

/// The user's age recipient(s), comma-separated; with consent, a new
/// identity is made by `secretctl keygen` when there is none.
fn recipient(yes: bool) -> Result<Option<String>> {
    let mut found = Vec::new();
    if let Ok(k) = std::env::var("SOPS_AGE_KEY") {
        found.extend(recipients_in(&zeroize::Zeroizing::new(k)));
    }
    let file = keys_file();
    if let Some(text) = file.as_ref().and_then(|f| std::fs::read_to_string(f).ok()) {
        found.extend(recipients_in(&zeroize::Zeroizing::new(text)));
    }
    if !found.is_empty() {
        found.sort();
        found.dedup();
        return Ok(Some(found.join(",")));
    }
    let Some(file) = file else {
        return Ok(None);
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Ok(None);
        }
        err!(
            "No age identity found. Create one in {} (mode 0600)? [y/N] ",
            file.display()
        );
        std::io::stderr().flush().ok();
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .context("cannot read the answer")?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            return Ok(None);
        }
    }
    let out = Command::new(secretctl())
        .arg("keygen")
        .arg("-o")
        .arg(&file)
        .output()
        .context("cannot run secretctl (install it beside dnsctl, see the README)")?;
    if !out.status.success() {
        bail!(
            "secretctl keygen failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    errln!(
        " created {} (your age identity; back it up)",
        file.display()
    );
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?,
    );
    Ok(recipients_in(&text).into_iter().next())
}

/// secretctl installed beside this dnsctl, else the one on PATH.
fn secretctl() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|e| Some(e.parent()?.join("secretctl")))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("secretctl"))
}

/// `git init` unless inside a work tree, then `secretctl hook install`.
fn git_and_hook(report: &Report<'_>) -> Result<()> {
    let inside = Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(report.root)
        .output()
        .context("cannot run git (pass --no-git to skip the repository and its hook)")?;
    if !inside.status.success() {
        let out = Command::new("git")
            .args(["init", "-q"])
            .current_dir(report.root)
            .output()
            .context("cannot run git init")?;
        if !out.status.success() {
            bail!(
                "git init failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        report.line("created", &report.root.join(".git"));
    }
    let out = Command::new(secretctl())
        .args(["hook", "install"])
        .current_dir(report.root)
        .output()
        .context("cannot run `secretctl hook install` (install secretctl, see the README)")?;
    let msg = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => {
            errln!(
                "   hook {}",
                msg.trim().trim_start_matches("secretctl hook: ")
            );
            Ok(())
        }
        Some(1) => {
            errln!("    kept the existing pre-commit hook: `secretctl hook install --chain` adds the secret scan to it");
            Ok(())
        }
        _ => bail!("secretctl hook install failed: {}", msg.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template loads, also with every provider example uncommented.
    #[test]
    fn config_template_loads_with_and_without_the_examples() {
        let zones = [Name::parse_fqdn("example.com.").unwrap()];
        for zones in [&zones[..], &[]] {
            let text = config_text(zones);
            let cfg = Config::parse(&text, Path::new("/r"), "dnsctl.yaml").unwrap();
            assert_eq!(cfg.zones.len(), zones.len());
            let uncommented: String = PROVIDER_EXAMPLES
                .lines()
                .map(|l| format!("{}\n", l.replacen("# ", "", 1)))
                .collect();
            let all = text.replace(PROVIDER_EXAMPLES, &uncommented);
            let cfg = Config::parse(&all, Path::new("/r"), "dnsctl.yaml")
                .unwrap_or_else(|e| panic!("{e}\n{all}"));
            assert_eq!(cfg.providers.len(), 4, "{all}");
        }
    }

    #[test]
    fn empty_zone_file_parses_as_no_records() {
        let z = Name::parse_fqdn("example.com.").unwrap();
        let parsed =
            zone::parse_zone_yaml(&empty_zone_text(&z), &z, "zones/example.com.yaml").unwrap();
        assert_eq!(parsed.len(), 0);
        // Its example, uncommented, is a valid zone too.
        let example: String = empty_zone_text(&z)
            .lines()
            .filter_map(|l| {
                l.strip_prefix("# ")
                    .filter(|l| l.starts_with(['\'', ' ', 'w']))
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let parsed = zone::parse_zone_yaml(&example, &z, "example")
            .unwrap_or_else(|e| panic!("{e}\n{example}"));
        assert_eq!(parsed.len(), 2, "{example}");
    }

    #[test]
    fn recipients_are_read_from_a_keys_file() {
        let id = sops::Identity::generate();
        let recipient = id.recipient().to_string();
        let text = format!(
            "# created: now\n# public key: {recipient}\n{}\n",
            id.expose_secret()
        );
        assert_eq!(recipients_in(&text), [recipient]);
        assert!(recipients_in("# nothing\n").is_empty());
    }
}
