//! dnsctl: DNS as code. A thin command-line layer over the `zone` and
//! `provider` crates.

#[macro_use]
mod output;
mod acme;
mod completions;
mod init;
mod progress;
mod render;
mod verify;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use provider::config::Config;
use provider::sync::{self, Revert, SyncError, ZonePlan};
use provider::{backup, Provider};
use render::Style;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zone::plan::Counts;
use zone::{Diagnostics, Name, RType, Zone};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (for `preview --exit-code`: nothing would change)
  1  an error: invalid input, a provider failure, a refused or declined push
  2  `preview --exit-code`: changes are pending; `verify`: a server differs from zones/";

#[derive(Parser)]
#[command(
    name = "dnsctl",
    version,
    about = "DNS as code: preview, push and revert the zones kept in zones/*.yaml",
    after_help = format!("Examples:\n  dnsctl init --zone example.com     # a new repository\n  dnsctl check && dnsctl preview\n  dnsctl push\n\nEvery command has examples: dnsctl COMMAND --help\n\n{EXIT_CODES}")
)]
struct Cli {
    /// The config file [default: dnsctl.yaml in this directory or the nearest parent]
    #[arg(long, global = true, value_name = "FILE", env = "DNSCTL_CONFIG")]
    config: Option<PathBuf>,
    /// Never colour the output (colour is also off without a terminal or with NO_COLOR set)
    #[arg(long, global = true)]
    no_color: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a dnsctl repository here: dnsctl.yaml, zones/, backups/, secrets/, .sops.yaml, .gitignore, the pre-commit hook
    #[command(after_help = crate::init::HELP)]
    Init(crate::init::Args),
    /// Validate dnsctl.yaml and the zone files, without contacting any provider
    #[command(
        after_help = "Examples:\n  dnsctl check\n  dnsctl check example.com\n  dnsctl check --json          # {\"version\": 1, \"ok\": ..., \"zones\": [...], \"errors\": [...]}"
    )]
    Check {
        /// Zones to check [default: every zone in dnsctl.yaml]
        zones: Vec<String>,
        /// Print the result as JSON (shape described in the README)
        #[arg(long)]
        json: bool,
    },
    /// Show what push would change, zone by zone
    #[command(after_help = format!("Examples:\n  dnsctl preview\n  dnsctl preview example.com --json\n  dnsctl preview --exit-code   # exit 2 when changes are pending\n\n{EXIT_CODES}"))]
    Preview {
        /// Zones to preview [default: every zone in dnsctl.yaml]
        zones: Vec<String>,
        /// Print the plan as JSON
        #[arg(long)]
        json: bool,
        /// Exit 2 when changes are pending and 0 when there are none
        #[arg(long)]
        exit_code: bool,
    },
    /// Back up each live zone to backups/, then apply the changes
    #[command(
        after_help = "Examples:\n  dnsctl push              # shows the plan and asks before changing anything\n  dnsctl push example.com --yes\n\nA backup of the live zone is written and synced before the first change,\nso `dnsctl revert backups/<file>.yaml` can undo the push."
    )]
    Push {
        /// Zones to push [default: every zone in dnsctl.yaml]
        zones: Vec<String>,
        /// Apply without asking (required when there is no terminal)
        #[arg(short, long)]
        yes: bool,
        /// Apply even when the plan crosses a safety threshold
        #[arg(long)]
        force: bool,
    },
    /// Put a zone back exactly as a backup recorded it
    #[command(
        after_help = "Examples:\n  dnsctl backups example.com\n  dnsctl revert backups/example.com_20261122T101500.000000Z.yaml\n\nThe current live zone is backed up first, so a revert can be reverted too.\nRecords matched by ignore rules (such as _acme-challenge TXT) are left alone."
    )]
    Revert {
        /// A file written by push into backups/
        backup: PathBuf,
        /// Apply without asking (required when there is no terminal)
        #[arg(short, long)]
        yes: bool,
        /// Apply even when the plan crosses a safety threshold
        #[arg(long)]
        force: bool,
    },
    /// Write a live zone as YAML, to adopt an existing zone
    #[command(
        after_help = "Examples:\n  dnsctl pull example.com             # writes zones/example.com.yaml\n  dnsctl pull example.com -o -        # prints it\n\nThe SOA and records matched by ignore rules are left out."
    )]
    Pull {
        /// The zone to pull, as named in dnsctl.yaml (e.g. example.com)
        zone: String,
        /// Where to write [default: the zone's file in zones/]; `-` for stdout
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Ask each authoritative server for every desired record set; report differences
    #[command(
        after_help = "Examples:\n  dnsctl verify                       # every zone, at the servers its NS records name\n  dnsctl verify example.com --server 127.0.0.1:5353\n\nServers are found from the zone's apex NS records (in-zone glue, else the\nsystem resolver; port 53) unless --server is given. Each is queried directly\n(UDP, TCP when truncated). The SOA and ignored records are not checked.\n\nExit codes:\n  0  every server serves the desired records\n  1  an error, e.g. a server did not answer\n  2  a server differs from zones/*.yaml"
    )]
    Verify {
        /// Zones to verify [default: every zone in dnsctl.yaml]
        zones: Vec<String>,
        /// Query this server (HOST:PORT, or HOST for port 53) instead of the zone's NS; repeatable
        #[arg(long, value_name = "HOST:PORT")]
        server: Vec<String>,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
    /// ACME DNS-01 hooks: publish, remove and check _acme-challenge TXT records
    #[command(after_help = crate::acme::ACME_HELP)]
    Acme {
        #[command(subcommand)]
        command: crate::acme::AcmeCommand,
    },
    /// List backups, newest first
    #[command(
        after_help = "Examples:\n  dnsctl backups\n  dnsctl backups example.com\n  dnsctl backups --json        # {\"version\": 1, \"backups\": [{\"zone\", \"taken\", \"path\"}]}"
    )]
    Backups {
        /// Only the backups of this zone (e.g. example.com) [default: every zone]
        zone: Option<String>,
        /// Print the list as JSON (shape described in the README)
        #[arg(long)]
        json: bool,
    },
    /// Convert an RFC 1035 zone file to dnsctl YAML
    #[command(
        after_help = "Examples:\n  dnsctl import db.example.com --zone example.com -o zones/example.com.yaml\n  dnsctl import db.example.com --zone example.com --strict   # fail on any skipped record\n\nThe SOA is left out: providers manage it. Records of types dnsctl does not\nmanage (HINFO, NAPTR, DS, DNSSEC signatures, ...) are skipped and listed on\nstderr; the rest is imported and the exit code is 0 (1 with --strict)."
    )]
    Import {
        /// The zone file to read
        file: PathBuf,
        /// The zone's name (its origin)
        #[arg(long)]
        zone: String,
        /// Where to write [default: stdout]
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Overwrite the output file if it exists
        #[arg(long)]
        force: bool,
        /// Exit 1 (writing nothing) when a record had to be skipped
        #[arg(long)]
        strict: bool,
    },
    /// Print a shell completion script (zone names complete too)
    #[command(
        after_help = "Examples:\n  dnsctl completions bash > ~/.local/share/bash-completion/completions/dnsctl\n  dnsctl completions zsh > ~/.zfunc/_dnsctl        # a directory in $fpath\n  dnsctl completions fish > ~/.config/fish/completions/dnsctl.fish"
    )]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clidocs::Shell,
    },
    /// Write one man page per command into DIR (used by packages)
    #[command(hide = true)]
    Man {
        /// The directory to write dnsctl.1, dnsctl-check.1, ... into
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
    /// Print the zone names of dnsctl.yaml, one per line (for completion scripts)
    #[command(hide = true, name = crate::completions::LIST_ZONES)]
    ListZones,
}

fn main() -> ExitCode {
    // lego/Traefik exec hooks call `dnsctl present|cleanup ...` directly.
    if let Some(code) = crate::acme::exec_hook() {
        return code;
    }
    let cli = Cli::parse();
    let style = Style {
        color: !cli.no_color
            && std::env::var_os("NO_COLOR").is_none()
            && std::io::stdout().is_terminal(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            errln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, style)) {
        Ok(code) => code,
        // The reader went away (`dnsctl preview | head -1`): nothing to say.
        Err(e) if e.is::<output::StdoutClosed>() => ExitCode::SUCCESS,
        Err(e) => {
            match diagnostics(&e) {
                Some(d) => errln!("{d}"),
                None => errln!("error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, style: Style) -> Result<ExitCode> {
    match &cli.command {
        Command::Import {
            file,
            zone,
            output,
            force,
            strict,
        } => return import(file, zone, output.as_deref(), *force, *strict),
        Command::Init(args) => return init::run(args, cli.config.as_deref()).await,
        Command::Completions { shell } => return completions::completions(*shell),
        Command::Man { dir } => return completions::man(dir),
        Command::ListZones => return completions::list_zones(cli.config.as_deref()),
        _ => {}
    }
    let cfg = load_config(cli.config.as_deref())?;
    match cli.command {
        Command::Check { zones, json } => check(&cfg, &zones, json),
        Command::Preview {
            zones,
            json,
            exit_code,
        } => preview(&cfg, &zones, json, exit_code, style).await,
        Command::Push { zones, yes, force } => {
            let work = sync::plan_all(&cfg, sync::select(&cfg, &zones)?).await?;
            push(&cfg, work, yes, force, style).await
        }
        Command::Revert { backup, yes, force } => revert(&cfg, &backup, yes, force, style).await,
        Command::Pull {
            zone,
            output,
            force,
        } => pull(&cfg, &zone, output.as_deref(), force).await,
        Command::Backups { zone, json } => list_backups(&cfg, zone.as_deref(), json),
        Command::Verify {
            zones,
            server,
            json,
        } => verify::verify(&cfg, &zones, &server, json).await,
        Command::Acme { command } => crate::acme::run(&cfg, command).await,
        Command::Import { .. }
        | Command::Init(_)
        | Command::Completions { .. }
        | Command::Man { .. }
        | Command::ListZones => unreachable!("handled above"),
    }
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let cwd = std::env::current_dir().context("cannot read the working directory")?;
            let found = Config::find(&cwd).ok_or_else(|| {
                anyhow!("no {} in {} or any parent directory; create one (see the README) or pass --config FILE", provider::config::FILE_NAME, cwd.display())
            })?;
            // Relative to the working directory, so messages show short paths.
            found
                .strip_prefix(&cwd)
                .map(Path::to_path_buf)
                .unwrap_or(found)
        }
    };
    Ok(Config::load(&path)?)
}

/// The zone file's warnings, on stderr.
fn warn(warnings: &Diagnostics) {
    if !warnings.items.is_empty() {
        errln!("{warnings}");
    }
}

/// The located problems an error carries, if it is a zone file's or a
/// backup's (shown as they are, without "error: ").
fn diagnostics(e: &anyhow::Error) -> Option<&Diagnostics> {
    match e.downcast_ref::<SyncError>() {
        Some(SyncError::Invalid(d)) => Some(d),
        _ => e.downcast_ref::<Diagnostics>(),
    }
}

fn render_plan(p: &ZonePlan<'_>, style: Style) -> String {
    render::human(
        &p.plan,
        &p.target,
        p.provider.capabilities().meta_key,
        style,
    )
}

/// Version of the shapes of the JSON objects dnsctl prints (see the README).
pub(crate) const JSON_VERSION: u32 = 1;

/// An error as `check --json` reports it: located when it is a diagnostic.
fn errors_json(e: &SyncError) -> Vec<serde_json::Value> {
    match e {
        SyncError::Invalid(d) => diagnostics_json(d),
        _ => vec![
            serde_json::json!({"file": null, "line": null, "column": null,
            "message": e.to_string(), "hint": null, "level": "error"}),
        ],
    }
}

fn diagnostics_json(d: &Diagnostics) -> Vec<serde_json::Value> {
    d.items
        .iter()
        .map(|i| {
            serde_json::json!({"file": d.file, "line": i.pos.line, "column": i.pos.col,
                "message": i.message, "hint": i.hint,
                "level": if i.warning { "warning" } else { "error" }})
        })
        .collect()
}

fn check(cfg: &Config, names: &[String], json: bool) -> Result<ExitCode> {
    let zones = sync::select(cfg, names)?;
    let mut failed = false;
    let mut sets = 0;
    let mut zones_json = Vec::new();
    let mut stray_json = Vec::new();
    for zc in &zones {
        let result = sync::check_desired(cfg, zc);
        let zone = zc.name.as_str().trim_end_matches('.');
        match result {
            Ok((n, warnings)) => {
                sets += n;
                if json {
                    zones_json.push(
                        serde_json::json!({"zone": zone, "ok": true, "record_sets": n,
                        "errors": diagnostics_json(&warnings)}),
                    );
                } else if !warnings.items.is_empty() {
                    errln!("{warnings}");
                }
            }
            Err(e) => {
                failed = true;
                if json {
                    zones_json.push(serde_json::json!({"zone": zone, "ok": false, "record_sets": null, "errors": errors_json(&e)}));
                    continue;
                }
                match e {
                    SyncError::Invalid(d) => errln!("{d}"),
                    e => errln!("error: {e}"),
                }
            }
        }
    }
    if names.is_empty() {
        for stray in stray_zone_files(cfg) {
            failed = true;
            let (file, message, hint) = (
                cfg.zone_file(&stray).display().to_string(),
                format!("no zone '{stray}' in dnsctl.yaml"),
                "add it under 'zones:' with a provider, or remove the file",
            );
            if json {
                stray_json.push(serde_json::json!({"file": file, "line": 1, "column": 1, "message": message, "hint": hint}));
            } else {
                errln!("{file}:1:1: error: {message}\n  hint: {hint}");
            }
        }
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "version": JSON_VERSION, "ok": !failed, "zones": zones_json, "errors": stray_json,
            }))?
        );
    }
    if failed {
        return Ok(ExitCode::FAILURE);
    }
    if json {
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "ok: {} zone{} and {sets} record sets are valid",
        zones.len(),
        if zones.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// Zone files in zones/ that no config entry names.
fn stray_zone_files(cfg: &Config) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(&cfg.zones_dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".yaml")
                .map(str::to_string)
        })
        .filter(|stem| cfg.zone(stem).is_none())
        .collect();
    out.sort();
    out
}

async fn preview(
    cfg: &Config,
    names: &[String],
    json: bool,
    exit_code: bool,
    style: Style,
) -> Result<ExitCode> {
    let mut total = Counts::default();
    let mut zones_json = Vec::new();
    for p in sync::plan_all(cfg, sync::select(cfg, names)?).await? {
        warn(&p.warnings);
        total += p.plan.counts();
        if json {
            zones_json.push(render::json(&p.plan, &p.target));
        } else {
            out!("{}", render_plan(&p, style));
            if let Err(e) = p.plan.check_safety(&p.zone.safety) {
                outln!(
                    "  {}",
                    style.yellow(&format!("warning: push will refuse this: {e}"))
                );
            }
        }
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&render::total_json(zones_json, total))?
        );
    } else {
        outln!(
            "{}",
            style.bold(&format!("total: {}", render::counts_line(total)))
        );
    }
    let pending = total.create + total.update + total.delete > 0;
    Ok(if exit_code && pending {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

async fn push(
    cfg: &Config,
    work: Vec<ZonePlan<'_>>,
    yes: bool,
    force: bool,
    style: Style,
) -> Result<ExitCode> {
    let mut total = Counts::default();
    for p in &work {
        warn(&p.warnings);
        out!("{}", render_plan(p, style));
        total += p.plan.counts();
    }
    // Refuses before asking: nothing is written unless every zone can be applied.
    let ready = sync::ready(work, force)?;
    if ready.is_empty() {
        outln!("nothing to do: the live zones match zones/");
        return Ok(ExitCode::SUCCESS);
    }
    let zones = ready.plans().len();
    confirm(
        &format!(
            "Apply {} to {zones} zone{}?",
            render::counts_line(total),
            if zones == 1 { "" } else { "s" }
        ),
        yes,
    )?;
    let backed_up = ready.back_up(&cfg.backups_dir)?;
    for path in backed_up.backups() {
        errln!("backup: {}", display_path(path));
    }
    // Zones are applied concurrently, each with a bar of its own.
    let bars = progress::attach(
        backed_up
            .plans()
            .iter()
            .map(|p| (&p.zone.name, p.plan.changes.len())),
    );
    let applied = backed_up
        .apply(&|zone, done, total| {
            if let Some(bars) = &bars {
                bars.report(zone, done, total);
            }
        })
        .await;
    drop(bars);
    let mut failed = false;
    for a in applied {
        match a.result {
            Ok(took) => outln!(
                "{}",
                style.green(&format!(
                    "applied {} to {} in {:.1}s",
                    render::counts_line(a.plan.plan.counts()),
                    a.plan.zone.name.as_str().trim_end_matches('.'),
                    took.as_secs_f64()
                ))
            ),
            Err(e) => {
                failed = true;
                errln!(
                    "error: push to {} failed; restore with `dnsctl revert {}` if needed: {e}",
                    a.plan.target,
                    display_path(a.backup)
                );
            }
        }
    }
    if failed {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn display_path(p: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    p.strip_prefix(&cwd).unwrap_or(p).display().to_string()
}

fn confirm(question: &str, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!("refusing to change live DNS without confirmation: there is no terminal to ask on; pass --yes");
    }
    err!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        bail!("aborted: nothing was changed")
    }
}

async fn revert(
    cfg: &Config,
    file: &Path,
    yes: bool,
    force: bool,
    style: Style,
) -> Result<ExitCode> {
    match sync::plan_revert(cfg, file).await? {
        Revert::Push(planned) => push(cfg, vec![planned], yes, force, style).await,
        Revert::OverUnreadable {
            zone,
            restored,
            path,
            why,
        } => {
            // What the user is shown is what is kept.
            let raw = std::fs::read(&path).map_err(|error| SyncError::Read {
                path: path.clone(),
                error,
            })?;
            outln!(
                "{} ({})\n  the live zone file cannot be read:\n{}\n  revert replaces all of {} ({} lines) with the backup's {} record sets",
                zone.name.as_str().trim_end_matches('.'),
                sync::provider_of(cfg, zone)?.describe(&zone.name),
                indent(&why.to_string(), "    "),
                path.display(),
                raw.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count(),
                restored.len()
            );
            confirm(&format!("Replace {}?", path.display()), yes)?;
            let kept = sync::replace_unreadable(cfg, zone, &restored, &path, &raw).await?;
            errln!("kept the unreadable file as {}", display_path(&kept));
            outln!("replaced {} with the backup", path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn pull(cfg: &Config, name: &str, output: Option<&Path>, force: bool) -> Result<ExitCode> {
    let zc = sync::select(cfg, &[name.to_string()])?[0];
    let adopted = sync::adopt(zc, sync::provider_of(cfg, zc)?).await?;
    write_yaml_out(
        &adopted,
        output
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cfg.zone_file(zc.name.as_str())),
        force,
    )
}

fn write_yaml_out(zone: &Zone, out: PathBuf, force: bool) -> Result<ExitCode> {
    let text = zone::write_zone_yaml(zone);
    if out.as_os_str() == "-" {
        out!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if out.exists() && !force {
        bail!(
            "{} exists; pass --force to overwrite it, or -o - to print",
            out.display()
        );
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // A symlinked zone file is written through, as editors do.
    atomicfile::write_through(&out, None, |w| w.write_all(text.as_bytes()))
        .with_context(|| format!("cannot write {}", out.display()))?;
    errln!("wrote {} ({} record sets)", display_path(&out), zone.len());
    Ok(ExitCode::SUCCESS)
}

fn list_backups(cfg: &Config, zone: Option<&str>, json: bool) -> Result<ExitCode> {
    let list = backup::list(&cfg.backups_dir, zone)
        .with_context(|| format!("cannot read {}", cfg.backups_dir.display()))?;
    if json {
        let items: Vec<serde_json::Value> = list
            .iter()
            .map(|b| {
                serde_json::json!({"zone": b.zone, "taken": b.taken.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                    "path": display_path(&b.path)})
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"version": JSON_VERSION, "backups": items})
            )?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        errln!("no backups in {}", display_path(&cfg.backups_dir));
    }
    for b in list {
        outln!(
            "{}  {}  {}",
            b.taken.format("%Y-%m-%d %H:%M:%S UTC"),
            b.zone,
            display_path(&b.path)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn import(
    file: &Path,
    zone_name: &str,
    output: Option<&Path>,
    force: bool,
    strict: bool,
) -> Result<ExitCode> {
    let origin = Name::parse_fqdn(&format!("{}.", zone_name.trim_end_matches('.')))
        .map_err(|e| anyhow!("--zone: {e}"))?;
    // Refused before reading, so no warning says the records were imported.
    if let Some(out) = output.filter(|o| o.as_os_str() != "-" && o.exists() && !force) {
        bail!(
            "{} exists; pass --force to overwrite it, or -o - to print",
            out.display()
        );
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (parsed, skipped) =
        zone::parse_zone_file_skipping(&text, &origin, &file.display().to_string())?;
    for s in &skipped {
        errln!(
            "{}:{}:{}: warning: skipped {} {}: {}",
            file.display(),
            s.pos.line,
            s.pos.col,
            s.owner,
            s.rtype,
            s.reason
        );
    }
    if !skipped.is_empty() {
        errln!(
            "warning: {} record{} skipped{}",
            skipped.len(),
            if skipped.len() == 1 { "" } else { "s" },
            if strict {
                "; --strict: nothing was written"
            } else {
                "; the others were imported"
            }
        );
        if strict {
            return Ok(ExitCode::FAILURE);
        }
    }
    let mut out = Zone::new(origin);
    for set in parsed.iter().filter(|s| s.rtype != RType::Soa) {
        out.insert(set.clone());
    }
    write_yaml_out(
        &out,
        output.map_or_else(|| PathBuf::from("-"), Path::to_path_buf),
        force,
    )
}
