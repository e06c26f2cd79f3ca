//! `secretctl scan`: find plaintext secrets in staged changes, files or
//! history; with `--fix`, encrypt staged files that `.sops.yaml` says must
//! be encrypted and re-stage them. The flow is `scan::session`; this
//! parses the arguments and renders the outcome.

use scan::session::{self, Fixed, Options, Outcome, Tally, Target};
use scan::{Finding, Scanner};
use std::io::Write;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Examples:
  secretctl scan --staged                 # what the next commit adds (the pre-commit hook)
  secretctl scan --staged --fix           # ... and encrypt files .sops.yaml says must be
  secretctl scan                          # the working tree (respects .gitignore)
  secretctl scan compose.yaml hosts/      # some files and trees (a file named is scanned even if ignored)
  secretctl scan --no-ignore              # ... and files .gitignore covers
  secretctl scan --history --json         # every blob reachable from HEAD
  secretctl scan --write-baseline         # accept today's findings (.secretctl-baseline.json)
  secretctl hook install                  # run `secretctl scan --staged --fix` before each commit

Suppress one finding with a `secretctl:allow` comment on its line
(`gitleaks:allow` and `pragma: allowlist secret` work too), or accept it in
the baseline. Rules and allowlists: .secretctl.toml (gitleaks-style TOML;
an existing .gitleaks.toml is read too).

Exit codes:
  0  no findings
  1  findings (or a --fix that could not be applied, or a file .sops.yaml
     says must be encrypted that could not be scanned)
  2  error (not a git repository, unreadable config, git failed, ...)";

/// Arguments of `secretctl scan`.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// Scan what the next commit adds: the staged blobs in the git index.
    #[arg(long, conflicts_with_all = ["history", "paths"])]
    pub staged: bool,
    /// Scan every blob reachable from HEAD.
    #[arg(long, conflicts_with = "paths")]
    pub history: bool,
    /// Files or directories (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print findings as JSON (same as --format json).
    #[arg(long)]
    pub json: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// With --staged: encrypt (in place, atomically) and re-stage plaintext
    /// files that a .sops.yaml creation rule says must be encrypted.
    #[arg(long)]
    pub fix: bool,
    /// Rule config (default: .secretctl.toml, secretctl.toml or .gitleaks.toml at the root).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Baseline of accepted findings (default: .secretctl-baseline.json at the root).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings to the baseline file and exit 0.
    #[arg(long)]
    pub write_baseline: bool,
    /// Trees named (or the current directory) include files .gitignore
    /// covers. Files named are always scanned.
    #[arg(long, conflicts_with_all = ["staged", "history"])]
    pub no_ignore: bool,
    /// Ignore .sops.yaml creation rules.
    #[arg(long)]
    pub no_sops: bool,
    /// List the rules and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    /// `file:line:col rule` with a redacted preview and a hint.
    Human,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

struct Fail(String);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail(e.to_string())
    }
}

/// Runs `secretctl scan`; returns the exit code (0, 1 or 2).
pub(crate) fn run(args: Args) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(Fail(msg)) => {
            eprintln!("secretctl scan: {msg}");
            2
        }
    }
}

fn run_inner(args: Args) -> Result<i32, Fail> {
    let format = if args.json {
        OutputFormat::Json
    } else {
        args.format
    };
    let here = std::env::current_dir().map_err(|e| Fail(format!("current directory: {e}")))?;
    if args.list_rules {
        let s = Scanner::new(&session::load_config(args.rules.as_deref(), &here)?)?;
        for r in s.rules() {
            println!("{:<28} {}", r.id, r.description);
        }
        return Ok(0);
    }
    if args.fix && !args.staged {
        return Err(Fail(
            "--fix works with --staged (the pre-commit hook)".into(),
        ));
    }
    let target = if args.staged {
        Target::Staged { fix: args.fix }
    } else if args.history {
        Target::History
    } else {
        Target::Paths {
            paths: args.paths,
            no_ignore: args.no_ignore,
        }
    };
    let options = Options {
        rules: args.rules,
        baseline: args.baseline,
        write_baseline: args.write_baseline,
        no_sops: args.no_sops,
    };
    let outcome = session::run(&target, &options, &here)?;
    for fixed in &outcome.fixed {
        match fixed {
            Fixed::Encrypted { path } => eprintln!(
                "secretctl scan: encrypted {path} in place to the .sops.yaml recipients and staged it"
            ),
            Fixed::Refused { path, why } => {
                eprintln!("secretctl scan: cannot encrypt {path}: {why}")
            }
        }
    }
    if let Some((path, accepted)) = &outcome.baseline_written {
        eprintln!(
            "secretctl scan: wrote {accepted} accepted finding(s) to {}",
            path.display()
        );
        return Ok(0);
    }
    let Outcome {
        findings,
        tally,
        blocked,
        ..
    } = outcome;
    print_findings(&findings, format)?;
    // What could not be scanned is named; it blocks when a creation rule
    // says the file must be encrypted (its encryption is unknown), and is a
    // warning otherwise.
    for (path, why) in &tally.not_scanned {
        eprintln!(
            "secretctl scan: {path}: not scanned: {why}{}",
            if blocked.contains(path) {
                " (.sops.yaml says it must be encrypted: blocking)"
            } else {
                ""
            }
        );
    }
    let Tally {
        scanned,
        bytes,
        allowlisted,
        not_scanned,
    } = &tally;
    let mut not = String::new();
    if *allowlisted > 0 {
        not.push_str(&format!(", {allowlisted} skipped by a path allowlist"));
    }
    if !not_scanned.is_empty() {
        not.push_str(&format!(", {} not scanned", not_scanned.len()));
    }
    if format == OutputFormat::Human {
        if findings.is_empty() {
            eprintln!(
                "secretctl scan: no secrets found ({scanned} file(s) scanned, {bytes} bytes{not})"
            );
        } else {
            eprintln!(
                "secretctl scan: {} finding(s) in {scanned} file(s) scanned{not}. Fix them, mark a false alarm with a `secretctl:allow` comment, or accept with --write-baseline.",
                findings.len()
            );
        }
    }
    if !blocked.is_empty() {
        eprintln!("secretctl scan: blocking: a file .sops.yaml says must be encrypted could not be checked (see above)");
    }
    Ok(if findings.is_empty() && blocked.is_empty() {
        0
    } else {
        1
    })
}

fn print_findings(findings: &[Finding], format: OutputFormat) -> Result<(), Fail> {
    // Stdout is line-buffered: without this, a write call per line of output.
    let mut so = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut so, findings)?;
            writeln!(so)?;
        }
        OutputFormat::Sarif => {
            let results: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "ruleId": f.rule,
                        "level": "error",
                        "message": { "text": format!("{}: {}", f.description, f.hint) },
                        "partialFingerprints": { "secretctl/v1": f.fingerprint },
                        "locations": [{ "physicalLocation": {
                            "artifactLocation": { "uri": f.file },
                            "region": { "startLine": f.line, "startColumn": f.column }
                        }}]
                    })
                })
                .collect();
            let mut rules: Vec<serde_json::Value> = Vec::new();
            for f in findings {
                if !rules.iter().any(|r| r["id"] == f.rule.as_str()) {
                    rules.push(serde_json::json!({
                        "id": f.rule,
                        "shortDescription": { "text": f.description }
                    }));
                }
            }
            let doc = serde_json::json!({
                "version": "2.1.0",
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "runs": [{
                    "tool": { "driver": { "name": "secretctl", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
                    "results": results
                }]
            });
            serde_json::to_writer_pretty(&mut so, &doc)?;
            writeln!(so)?;
        }
        OutputFormat::Human => {
            for f in findings {
                let at = match &f.commit {
                    Some(c) => format!(" (commit {})", &c[..c.len().min(12)]),
                    None => String::new(),
                };
                writeln!(so, "{}:{}:{} {}{at}", f.file, f.line, f.column, f.rule)?;
                if !f.preview.is_empty() {
                    writeln!(so, "    {}", f.preview)?;
                }
                writeln!(so, "    {}; {}", f.description, f.hint)?;
            }
        }
    }
    so.flush()?;
    Ok(())
}
