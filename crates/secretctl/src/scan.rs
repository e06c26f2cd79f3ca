//! `secretctl scan`: find plaintext secrets in staged changes, files or
//! history; with `--fix`, encrypt staged files that `.sops.yaml` says must
//! be encrypted and re-stage them.

use scan::baseline::Hasher;
use scan::git::{self, CatFile};
use scan::{Baseline, Config, Finding, FindingKind, Scanner, SopsPolicy};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const AFTER_HELP: &str = "\
Examples:
  secretctl scan --staged                 # what the next commit adds (the pre-commit hook)
  secretctl scan --staged --fix           # ... and encrypt files .sops.yaml says must be
  secretctl scan                          # the working tree (respects .gitignore)
  secretctl scan compose.yaml hosts/      # some files and trees
  secretctl scan --history --json         # every blob reachable from HEAD
  secretctl scan --write-baseline         # accept today's findings (.secretctl-baseline.json)
  secretctl hook install                  # run `secretctl scan --staged --fix` before each commit

Suppress one finding with a `secretctl:allow` comment on its line
(`gitleaks:allow` and `pragma: allowlist secret` work too), or accept it in
the baseline. Rules and allowlists: .secretctl.toml (gitleaks-style TOML;
an existing .gitleaks.toml is read too).

Exit codes:
  0  no findings
  1  findings (or a --fix that could not be applied)
  2  error (not a git repository, unreadable config, git failed, ...)";

/// Arguments of `secretctl scan`.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
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
    /// Ignore .sops.yaml creation rules.
    #[arg(long)]
    pub no_sops: bool,
    /// List the rules and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
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
pub fn run(args: Args) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(Fail(msg)) => {
            eprintln!("secretctl scan: {msg}");
            2
        }
    }
}

struct Ctx {
    root: PathBuf,
    scanner: Scanner,
    auto_encrypt: bool,
    baseline_path: PathBuf,
    /// With --write-baseline: the key of the new baseline's fingerprints.
    hasher: Option<Hasher>,
}

fn setup(args: &Args, root: PathBuf, index: Option<&mut CatFile>) -> Result<Ctx, Fail> {
    let config = match &args.rules {
        Some(p) => Config::load(p)?,
        None => Config::discover(&root)?,
    };
    let baseline_path = match (&args.baseline, config.baseline()) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => root.join(p),
        (None, None) => root.join(scan::baseline::DEFAULT_FILE),
    };
    let existing = if baseline_path.is_file() {
        Some(Baseline::load(&baseline_path)?)
    } else {
        None
    };
    // A new baseline keeps the salt of the one it replaces (stable entries).
    let hasher = args.write_baseline.then(|| {
        existing
            .as_ref()
            .and_then(Baseline::hasher)
            .unwrap_or_else(Hasher::random)
    });
    let baseline = if args.write_baseline { None } else { existing };
    let auto_encrypt = config.auto_encrypt();
    // Built before the first answer from git is awaited: a hook's git
    // processes start up meanwhile.
    let scanner = Scanner::new(&config)?
        .with_baseline(baseline)
        .with_fingerprints(hasher.clone());
    let sops = if args.no_sops {
        None
    } else {
        // The staged .sops.yaml is the one the commit will hold.
        let text = if let Some(cat) = index {
            let staged = cat.read(&format!(":{}", sops::config::CONFIG_FILE_NAME), 1 << 20)?;
            match staged.flatten() {
                Some(t) => Some(t),
                None => std::fs::read(root.join(sops::config::CONFIG_FILE_NAME)).ok(),
            }
        } else {
            std::fs::read(root.join(sops::config::CONFIG_FILE_NAME)).ok()
        };
        match text {
            Some(t) => Some(SopsPolicy::parse(&t, "")?),
            None => None,
        }
    };
    Ok(Ctx {
        root,
        scanner: scanner.with_sops(sops),
        auto_encrypt,
        baseline_path,
        hasher,
    })
}

fn cwd() -> Result<PathBuf, Fail> {
    std::env::current_dir().map_err(|e| Fail(format!("current directory: {e}")))
}

fn run_inner(args: Args) -> Result<i32, Fail> {
    let format = if args.json {
        OutputFormat::Json
    } else {
        args.format
    };
    if args.list_rules {
        let s = Scanner::new(&match &args.rules {
            Some(p) => Config::load(p)?,
            None => Config::discover(&cwd()?)?,
        })?;
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
    let here = cwd()?;
    let in_git = if args.staged || args.history {
        git::toplevel_fast(&here)
    } else {
        git::toplevel(&here)
    };
    let mut findings: Vec<Finding> = Vec::new();
    let mut scanned = 0usize;
    let mut bytes = 0usize;
    let ctx;
    if args.staged || args.history {
        let root = in_git.map_err(|e| {
            Fail(format!(
                "{e} (--staged and --history need a git repository)"
            ))
        })?;
        // Two git processes serve a hook run: the staged diff and one
        // `git cat-file --batch` for every object; both start now and run
        // while the scanner is built.
        let diff = if args.staged {
            Some(git::StagedDiff::spawn(&root)?)
        } else {
            None
        };
        let mut cat = CatFile::new(&root)?;
        ctx = setup(&args, root, args.staged.then_some(&mut cat))?;
        if let Some(diff) = diff {
            let fix = args.fix || ctx.auto_encrypt;
            let (f, n, b) = scan_staged(&ctx, &mut cat, diff.wait()?, fix)?;
            findings = f;
            scanned = n;
            bytes = b;
        } else {
            let objects = git::history_objects(&ctx.root)?;
            for chunk in objects.chunks(git::BATCH) {
                let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
                let blobs = cat.read_many(&ids, ctx.scanner.max_file_size)?;
                for ((id, path), blob) in chunk.iter().zip(blobs) {
                    let Some(data) = blob.flatten() else {
                        continue;
                    };
                    scanned += 1;
                    bytes += data.len();
                    let mut r = ctx.scanner.scan(path, &data).findings;
                    if !r.is_empty() {
                        let commit = git::commit_adding(&ctx.root, id);
                        for f in &mut r {
                            f.commit = commit.clone();
                        }
                    }
                    findings.extend(r);
                }
            }
        }
    } else {
        let (root, files) = match in_git {
            Ok(top) => {
                let specs: Vec<String> = if args.paths.is_empty() {
                    vec![".".into()]
                } else {
                    args.paths.iter().map(|p| p.display().to_string()).collect()
                };
                for p in &args.paths {
                    if !p.exists() {
                        return Err(Fail(format!("{}: no such file or directory", p.display())));
                    }
                }
                // Paths outside this repository are read as plain trees.
                let canon_top = top.canonicalize().unwrap_or_else(|_| top.clone());
                let (inside, outside): (Vec<String>, Vec<String>) =
                    specs.into_iter().partition(|p| {
                        Path::new(p)
                            .canonicalize()
                            .map(|c| c.starts_with(&canon_top))
                            .unwrap_or(true)
                    });
                let mut files: Vec<(String, PathBuf)> = Vec::new();
                if !inside.is_empty() {
                    // Opened relative to the work tree (see below).
                    for f in git::tracked_files(&here, &inside)? {
                        files.push((f.clone(), PathBuf::from(f)));
                    }
                }
                for p in outside {
                    for f in git::walk(Path::new(&p))? {
                        files.push((f.to_string_lossy().into_owned(), here.join(f)));
                    }
                }
                (top, files)
            }
            Err(_) => {
                let roots = if args.paths.is_empty() {
                    vec![here.clone()]
                } else {
                    args.paths.clone()
                };
                let mut files = Vec::new();
                for r in roots {
                    // Absolute, so names are relative to here (`a.env`, not `./a.env`).
                    let r = if r.is_absolute() { r } else { here.join(&r) };
                    let r = std::path::PathBuf::from_iter(r.components());
                    for f in git::walk(&r)? {
                        let rel = f
                            .strip_prefix(&here)
                            .unwrap_or(&f)
                            .to_string_lossy()
                            .into_owned();
                        files.push((rel, f));
                    }
                }
                (here.clone(), files)
            }
        };
        // Paths are relative to the root, or absolute.
        let root_dir =
            std::fs::File::open(&root).map_err(|e| Fail(format!("{}: {e}", root.display())))?;
        ctx = setup(&args, root, None)?;
        let mut data = Vec::new();
        for (rel, path) in files {
            if !git::read_file_at(&root_dir, &path, ctx.scanner.max_file_size, &mut data)? {
                continue;
            }
            let scan = ctx.scanner.scan(&rel, &data);
            if scan.skipped.is_none() {
                scanned += 1;
                bytes += data.len();
            }
            findings.extend(scan.findings);
        }
    }

    // Set exactly when writing a baseline; the findings' fingerprints were made with it.
    if let Some(hasher) = &ctx.hasher {
        let b = Baseline::from_findings(&findings, hasher);
        atomicfile::write(&ctx.baseline_path, b.to_json().as_bytes())
            .map_err(|e| Fail(format!("{}: {e}", ctx.baseline_path.display())))?;
        eprintln!(
            "secretctl scan: wrote {} accepted finding(s) to {}",
            b.findings.len(),
            ctx.baseline_path.display()
        );
        return Ok(0);
    }

    print_findings(&findings, format)?;
    if format == OutputFormat::Human {
        if findings.is_empty() {
            eprintln!("secretctl scan: no secrets found ({scanned} file(s), {bytes} bytes)");
        } else {
            eprintln!(
                "secretctl scan: {} finding(s) in {scanned} file(s). Fix them, mark a false alarm with a `secretctl:allow` comment, or accept with --write-baseline.",
                findings.len()
            );
        }
    }
    Ok(if findings.is_empty() { 0 } else { 1 })
}

/// Scans the staged blobs through one `git cat-file --batch`; reports only
/// secrets the commit adds (not present in the HEAD version of the file).
fn scan_staged(
    ctx: &Ctx,
    cat: &mut CatFile,
    changes: Vec<git::Staged>,
    fix: bool,
) -> Result<(Vec<Finding>, usize, usize), Fail> {
    let max = ctx.scanner.max_file_size;
    let mut out = Vec::new();
    let mut bytes = 0;
    let mut scanned = 0;
    // Blobs are requested a batch at a time (one round trip per batch).
    for chunk in changes.chunks(git::BATCH) {
        let ids: Vec<&str> = chunk.iter().map(|c| c.id.as_str()).collect();
        for (c, blob) in chunk.iter().zip(cat.read_many(&ids, max)?) {
            let Some(data) = blob.flatten() else {
                continue;
            };
            scanned += 1;
            bytes += data.len();
            let r = ctx.scanner.scan(&c.path, &data);
            if r.findings.is_empty() {
                continue;
            }
            let old = match &c.old {
                Some(o) => cat.read(o, max)?.flatten(),
                None => None,
            };
            let mut fs: Vec<Finding> = r
                .findings
                .into_iter()
                .zip(r.spans)
                .filter(|(f, (s, e))| {
                    f.kind != FindingKind::Secret
                        || old
                            .as_ref()
                            .is_none_or(|o| memchr::memmem::find(o, &data[*s..*e]).is_none())
                })
                .map(|(f, _)| f)
                .collect();
            if fix
                && fs
                    .iter()
                    .any(|f| f.kind == FindingKind::UnencryptedSopsFile)
            {
                match encrypt_and_restage(ctx, &c.path, &data) {
                    Ok(()) => {
                        eprintln!(
                            "secretctl scan: encrypted {} in place to the .sops.yaml recipients and staged it",
                            c.path
                        );
                        fs.clear();
                    }
                    Err(Fail(msg)) => {
                        eprintln!("secretctl scan: cannot encrypt {}: {msg}", c.path);
                    }
                }
            }
            out.extend(fs);
        }
    }
    Ok((out, scanned, bytes))
}

/// Encrypts a staged plaintext file that must be encrypted, writes it
/// atomically over the working-tree file and stages it. Refuses when the
/// working tree differs from the index (partial staging).
fn encrypt_and_restage(ctx: &Ctx, path: &str, staged: &[u8]) -> Result<(), Fail> {
    let abs = ctx.root.join(path);
    let on_disk = std::fs::read(&abs).map_err(|e| Fail(format!("reading {path}: {e}")))?;
    if on_disk != staged {
        return Err(Fail(format!(
            "the working tree differs from what is staged (partial staging); stage the whole file (`git add {path}`) or encrypt it yourself (`secretctl encrypt --in-place {path}`), then commit again"
        )));
    }
    let policy = ctx
        .scanner
        .sops()
        .ok_or_else(|| Fail("no .sops.yaml".into()))?;
    let rule = policy
        .requires_encryption(path)
        .ok_or_else(|| Fail("no creation rule requires it".into()))?;
    let opts = sops::EncryptOptions {
        groups: rule.groups.clone(),
        shamir_threshold: rule.shamir_threshold,
        rules: rule.rules.clone(),
    };
    let format = sops::Format::from_path(Path::new(path));
    let enc = sops::encrypt(staged, format, &opts).map_err(|e| Fail(e.to_string()))?;
    atomicfile::write(&abs, &enc).map_err(|e| Fail(format!("writing {path}: {e}")))?;
    let st = Command::new("git")
        .current_dir(&ctx.root)
        .args(["add", "--", path])
        .status()
        .map_err(|e| Fail(format!("git add: {e}")))?;
    if !st.success() {
        return Err(Fail(format!(
            "git add {path} failed; the file is encrypted on disk"
        )));
    }
    Ok(())
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
