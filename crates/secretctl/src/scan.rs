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

/// What was scanned, and what could not be (by name, with why).
#[derive(Default)]
struct Tally {
    scanned: usize,
    bytes: u64,
    /// Skipped on purpose: a path allowlist of the rule config.
    allowlisted: usize,
    not_scanned: Vec<(String, String)>,
}

impl Tally {
    fn add(&mut self, scan: &scan::FileScan, len: u64) {
        if scan.skipped.is_none() {
            self.scanned += 1;
            self.bytes += len;
        } else {
            self.allowlisted += 1;
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
    let mut tally = Tally::default();
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
            findings = scan_staged(&ctx, &mut cat, diff.wait()?, fix, &mut tally)?;
        } else {
            let objects = git::history_objects(&ctx.root)?;
            for chunk in objects.chunks(git::BATCH) {
                let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
                let paths: Vec<&str> = chunk.iter().map(|(_, p)| p.as_str()).collect();
                for (i, r) in read_blobs(&ctx, &mut cat, &ids, &paths, &mut tally)? {
                    let Some((r, _)) = r else { continue };
                    let id = &chunk[i].0;
                    let mut r = r.findings;
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
                // A file named is scanned even if .gitignore covers it (as
                // gitleaks does); trees follow .gitignore unless --no-ignore.
                let (named, trees): (Vec<String>, Vec<String>) =
                    inside.into_iter().partition(|p| Path::new(p).is_file());
                for p in named {
                    let abs = Path::new(&p).canonicalize()?;
                    let rel = abs.strip_prefix(&canon_top).unwrap_or(&abs);
                    files.push((rel.to_string_lossy().into_owned(), abs));
                }
                if args.no_ignore {
                    for p in trees {
                        for f in git::walk(&here.join(&p))? {
                            let f = f.canonicalize().unwrap_or(f);
                            let rel = f.strip_prefix(&canon_top).unwrap_or(&f);
                            files.push((rel.to_string_lossy().into_owned(), f.clone()));
                        }
                    }
                } else if !trees.is_empty() {
                    // Opened relative to the work tree (see below).
                    for f in git::tracked_files(&here, &trees)? {
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
            let scan =
                match git::read_file_at(&root_dir, &path, ctx.scanner.max_file_size, &mut data)? {
                    git::FileRead::NotAFile => continue,
                    git::FileRead::Read => {
                        let scan = ctx.scanner.scan(&rel, &data);
                        tally.add(&scan, data.len() as u64);
                        scan
                    }
                    git::FileRead::Large(f) => {
                        let mut counted = CountingReader { inner: f, n: 0 };
                        match ctx.scanner.scan_reader(&rel, &mut counted) {
                            Ok(scan) => {
                                tally.add(&scan, counted.n);
                                scan
                            }
                            Err(e) => {
                                tally
                                    .not_scanned
                                    .push((rel, format!("reading it failed: {e}")));
                                continue;
                            }
                        }
                    }
                };
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
    // What could not be scanned is named; it blocks when a creation rule
    // says the file must be encrypted (its encryption is unknown), and is a
    // warning otherwise.
    let mut blocked = false;
    for (path, why) in &tally.not_scanned {
        let must = ctx.scanner.sops().and_then(|p| p.requires_encryption(path));
        blocked |= must.is_some();
        eprintln!(
            "secretctl scan: {}: not scanned: {why}{}",
            path,
            if must.is_some() {
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
    if blocked {
        eprintln!("secretctl scan: blocking: a file .sops.yaml says must be encrypted could not be checked (see above)");
    }
    Ok(if findings.is_empty() && !blocked {
        0
    } else {
        1
    })
}

/// Counts the bytes read through it.
struct CountingReader<R> {
    inner: R,
    n: u64,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// Reads and scans blobs through one `git cat-file --batch`: each small
/// one whole (with its content), each large one in windows as it streams
/// by (no content). A blob git does not have is counted as not scanned.
#[allow(clippy::type_complexity)]
fn read_blobs(
    ctx: &Ctx,
    cat: &mut CatFile,
    ids: &[&str],
    paths: &[&str],
    tally: &mut Tally,
) -> Result<Vec<(usize, Option<(scan::FileScan, Option<Vec<u8>>)>)>, Fail> {
    let mut large: Vec<Option<std::io::Result<(scan::FileScan, u64)>>> =
        (0..ids.len()).map(|_| None).collect();
    let blobs = cat.read_many_with(ids, ctx.scanner.max_file_size, &mut |i, r| {
        let mut counted = CountingReader { inner: r, n: 0 };
        large[i] = Some(
            ctx.scanner
                .scan_reader(paths[i], &mut counted)
                .map(|s| (s, counted.n)),
        );
        Ok(())
    })?;
    let mut out = Vec::with_capacity(ids.len());
    for (i, (blob, big)) in blobs.into_iter().zip(large).enumerate() {
        let r = match (blob, big) {
            (Some(Some(data)), _) => {
                let r = ctx.scanner.scan(paths[i], &data);
                tally.add(&r, data.len() as u64);
                Some((r, Some(data)))
            }
            (Some(None), Some(Ok((r, n)))) => {
                tally.add(&r, n);
                Some((r, None))
            }
            (Some(None), Some(Err(e))) => {
                tally
                    .not_scanned
                    .push((paths[i].to_string(), format!("reading it failed: {e}")));
                None
            }
            _ => {
                tally.not_scanned.push((
                    paths[i].to_string(),
                    format!("git has no object {}", ids[i]),
                ));
                None
            }
        };
        out.push((i, r));
    }
    Ok(out)
}

/// Scans the staged blobs through one `git cat-file --batch`; reports only
/// secrets the commit adds (not present in the HEAD version of the file).
fn scan_staged(
    ctx: &Ctx,
    cat: &mut CatFile,
    changes: Vec<git::Staged>,
    fix: bool,
    tally: &mut Tally,
) -> Result<Vec<Finding>, Fail> {
    let max = ctx.scanner.max_file_size;
    let mut out = Vec::new();
    // Blobs are requested a batch at a time (one round trip per batch).
    for chunk in changes.chunks(git::BATCH) {
        let ids: Vec<&str> = chunk.iter().map(|c| c.id.as_str()).collect();
        let paths: Vec<&str> = chunk.iter().map(|c| c.path.as_str()).collect();
        for (i, r) in read_blobs(ctx, cat, &ids, &paths, tally)? {
            let Some((r, data)) = r else { continue };
            let c = &chunk[i];
            if r.findings.is_empty() {
                continue;
            }
            // A secret already in the HEAD version is not what this commit
            // adds (compared as scanned: decoded, printable runs). A file
            // scanned in windows has no content at hand: its HEAD version is
            // scanned too, and a finding it has (same rule, path and
            // secret: same fingerprint) is not new.
            let text = data.as_deref().map(scan::scannable);
            let (old, old_prints) = match (&c.old, &text) {
                (Some(o), Some(_)) => (cat.read(o, max)?.flatten(), None),
                (Some(o), None) => {
                    let prints: std::collections::HashSet<String> =
                        read_blobs(ctx, cat, &[o], &[&c.path], &mut Tally::default())?
                            .into_iter()
                            .filter_map(|(_, r)| r)
                            .flat_map(|(r, _)| r.findings)
                            .map(|f| f.fingerprint)
                            .collect();
                    (None, Some(prints))
                }
                (None, _) => (None, None),
            };
            let old_text = old.as_deref().map(scan::scannable);
            let mut fs: Vec<Finding> = r
                .findings
                .into_iter()
                .zip(r.spans)
                .filter(|(f, (s, e))| {
                    f.kind != FindingKind::Secret
                        || match (&text, &old_text, &old_prints) {
                            (Some((t, _)), Some((o, _)), _) => {
                                memchr::memmem::find(o, &t[*s..*e]).is_none()
                            }
                            (_, _, Some(prints)) => !prints.contains(&f.fingerprint),
                            _ => true,
                        }
                })
                .map(|(f, _)| f)
                .collect();
            let Some(data) = data.filter(|_| fix) else {
                if fix
                    && fs
                        .iter()
                        .any(|f| f.kind == FindingKind::UnencryptedSopsFile)
                {
                    eprintln!(
                        "secretctl scan: {} is too large for the hook to encrypt; run `secretctl encrypt --in-place {0}` and `git add {0}`, then commit again",
                        c.path
                    );
                }
                out.extend(fs);
                continue;
            };
            if fs
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
    Ok(out)
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
    let format = sops::Format::from_path(Path::new(path));
    let enc = sops::EncryptOptions::from_rule(rule)
        .and_then(|opts| sops::SopsFile::create(staged.to_vec().into(), format, &opts))
        .and_then(sops::SopsFile::seal)
        .and_then(|s| s.to_bytes(format))
        .map_err(|e| Fail(e.to_string()))?;
    // A commit whose real index cannot be updated too is refused, the file
    // encrypted on disk (running the commit again then adds it to both).
    let real_index = real_index_beside_temporary(&ctx.root);
    atomicfile::write(&abs, &enc).map_err(|e| Fail(format!("writing {path}: {e}")))?;
    git_add(&ctx.root, path, None).map_err(|e| {
        Fail(format!(
            "{e}; the file is encrypted on disk: run `git add {path}` and commit again"
        ))
    })?;
    match real_index {
        Ok(None) => {}
        Ok(Some(real)) => git_add(&ctx.root, path, Some(&real)).map_err(|e| {
            Fail(format!(
                "{e}; the file is encrypted on disk, but your index still holds the plaintext: run `git add {path}` and your `git commit` again"
            ))
        })?,
        Err(why) => {
            return Err(Fail(format!(
                "{why}; the file is now encrypted on disk: run your `git commit` again (or `git add {path} && git commit`)"
            )))
        }
    }
    Ok(())
}

/// Stages `path` from the working tree, into `index` when given (else the
/// one git gives the hook).
fn git_add(root: &Path, path: &str, index: Option<&Path>) -> Result<(), String> {
    let mut cmd = Command::new("git");
    cmd.current_dir(root).args(["add", "--", path]);
    if let Some(i) = index {
        cmd.env("GIT_INDEX_FILE", i);
    }
    match cmd.status() {
        Ok(st) if st.success() => Ok(()),
        Ok(_) => Err(format!("git add {path} failed")),
        Err(e) => Err(format!("git add: {e}")),
    }
}

/// `git commit <paths>` (and `--only`) runs the hook on a temporary index
/// (`GIT_INDEX_FILE`), built from HEAD and the paths, and afterwards
/// installs the real index, which git holds locked meanwhile as
/// `index.lock`, with the paths added from the working tree before the
/// hook ran. A file encrypted and staged only in the temporary index would
/// be committed encrypted but left staged as plaintext. This finds that
/// locked real index (`Ok(None)` when the hook's index is the real one, as
/// for `git commit` and `git commit -a`), or says why it cannot.
fn real_index_beside_temporary(root: &Path) -> Result<Option<PathBuf>, String> {
    let Some(given) = std::env::var_os("GIT_INDEX_FILE") else {
        return Ok(None);
    };
    let Ok(git_dir) = git::git_dir(root) else {
        return Err("cannot find the git directory".into());
    };
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let given = canon(&root.join(given));
    let (index, locked) = (git_dir.join("index"), git_dir.join("index.lock"));
    if given == canon(&index) || given == canon(&locked) {
        return Ok(None);
    }
    if locked.is_file() {
        Ok(Some(locked))
    } else {
        Err(format!(
            "git gave the hook the index {} and the real one is not locked beside it, so the real index cannot be updated",
            given.display()
        ))
    }
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
