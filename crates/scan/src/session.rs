//! One scan as `secretctl scan` and the pre-commit hook run it: what the
//! next commit adds (`--staged`, with `--fix` encrypting and re-staging the
//! files `.sops.yaml` says must be encrypted), every blob in the history, or
//! files and trees. The binary parses arguments and renders [`Outcome`];
//! the flow, the git plumbing and the fix live here.

use crate::baseline::{self, Hasher};
use crate::git::{self, CatFile};
use crate::{Baseline, Config, Error, FileScan, Finding, FindingKind, Scanner, SopsPolicy};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What to scan.
#[derive(Debug, Clone)]
pub enum Target {
    /// The staged changes: only what the commit adds. With `fix`, a staged
    /// plaintext file a creation rule covers is encrypted and re-staged.
    Staged {
        /// Encrypt and re-stage (also when the rule config asks for it).
        fix: bool,
    },
    /// Every blob reachable from HEAD, each once.
    History,
    /// Files and trees (the working directory when empty). A file named is
    /// scanned even if `.gitignore` covers it; trees follow `.gitignore`
    /// unless `no_ignore`.
    Paths {
        /// What was named on the command line.
        paths: Vec<PathBuf>,
        /// Walk trees without `.gitignore`.
        no_ignore: bool,
    },
}

/// How to scan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A rule config; else `.secretctl.toml` found from the root.
    pub rules: Option<PathBuf>,
    /// A baseline file; else the config's, else the default in the root.
    pub baseline: Option<PathBuf>,
    /// Write every finding to the baseline instead of reporting it.
    pub write_baseline: bool,
    /// Do not check `.sops.yaml` creation rules.
    pub no_sops: bool,
}

/// What was scanned, and what could not be (by name, with why).
#[derive(Debug, Default)]
pub struct Tally {
    /// Files scanned.
    pub scanned: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Skipped on purpose: a path allowlist of the rule config.
    pub allowlisted: usize,
    /// Files that could not be scanned: (path, why).
    pub not_scanned: Vec<(String, String)>,
}

impl Tally {
    fn add(&mut self, scan: &FileScan, len: u64) {
        if scan.skipped.is_none() {
            self.scanned += 1;
            self.bytes += len;
        } else {
            self.allowlisted += 1;
        }
    }
}

/// What `--fix` did to a staged file.
#[derive(Debug)]
pub enum Fixed {
    /// Encrypted in place to the `.sops.yaml` recipients and staged.
    Encrypted {
        /// The file.
        path: String,
    },
    /// Not encrypted; its finding stands.
    Refused {
        /// The file.
        path: String,
        /// Why.
        why: FixError,
    },
}

/// Why `--fix` could not encrypt a staged file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixError {
    /// Over the size the hook reads whole.
    #[error("it is too large for the hook to encrypt; run `secretctl encrypt --in-place {path}` and `git add {path}`, then commit again")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The working tree differs from the index.
    #[error("the working tree differs from what is staged (partial staging); stage the whole file (`git add {path}`) or encrypt it yourself (`secretctl encrypt --in-place {path}`), then commit again")]
    PartialStaging {
        /// The file.
        path: String,
    },
    /// The file could not be read or written.
    #[error("{action} {path}: {error}")]
    Io {
        /// `reading` or `writing`.
        action: &'static str,
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// No creation rule covers the file (or there is no `.sops.yaml`).
    #[error("no creation rule requires it")]
    NoRule,
    /// Encryption failed (a bad recipient, say).
    #[error("{0}")]
    Encrypt(sops::Error),
    /// `git add` failed; `then` says what to run.
    #[error("{error}; {then}")]
    Stage {
        /// What git said.
        error: String,
        /// What to run now.
        then: String,
    },
}

/// A scan's result, for the caller to render.
#[derive(Debug)]
pub struct Outcome {
    /// What was found, in order.
    pub findings: Vec<Finding>,
    /// What was scanned and what not.
    pub tally: Tally,
    /// What `--fix` did.
    pub fixed: Vec<Fixed>,
    /// Files `tally` could not scan that a creation rule says must be
    /// encrypted: their encryption is unknown, so the commit is blocked.
    pub blocked: Vec<String>,
    /// With [`Options::write_baseline`]: where the baseline was written and
    /// how many findings it accepts (and `findings` is what it holds).
    pub baseline_written: Option<(PathBuf, usize)>,
}

struct Ctx {
    root: PathBuf,
    scanner: Scanner,
    auto_encrypt: bool,
    baseline_path: PathBuf,
    /// With write_baseline: the key of the new baseline's fingerprints.
    hasher: Option<Hasher>,
}

/// The rule config at `rules`, else the one found from `dir`.
pub fn load_config(rules: Option<&Path>, dir: &Path) -> Result<Config, Error> {
    match rules {
        Some(p) => Config::load(p),
        None => Config::discover(dir),
    }
}

fn setup(options: &Options, root: PathBuf, index: Option<&mut CatFile>) -> Result<Ctx, Error> {
    let config = load_config(options.rules.as_deref(), &root)?;
    let baseline_path = match (&options.baseline, config.baseline()) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => root.join(p),
        (None, None) => root.join(baseline::DEFAULT_FILE),
    };
    let existing = if baseline_path.is_file() {
        Some(Baseline::load(&baseline_path)?)
    } else {
        None
    };
    // A new baseline keeps the salt of the one it replaces (stable entries).
    let hasher = options.write_baseline.then(|| {
        existing
            .as_ref()
            .and_then(Baseline::hasher)
            .unwrap_or_else(Hasher::random)
    });
    // Its salt is in the repository by design: no finding.
    let salt = existing.as_ref().and_then(|b| b.salt.clone());
    let baseline = if options.write_baseline {
        None
    } else {
        existing
    };
    let auto_encrypt = config.auto_encrypt();
    // Built before the first answer from git is awaited: a hook's git
    // processes start up meanwhile.
    let scanner = Scanner::new(&config)?
        .with_public_value(salt)
        .with_baseline(baseline)
        .with_fingerprints(hasher.clone());
    let sops = if options.no_sops {
        None
    } else {
        let on_disk = || std::fs::read(root.join(sops::config::CONFIG_FILE_NAME)).ok();
        // The staged .sops.yaml is the one the commit will hold.
        let text = match index {
            Some(cat) => cat
                .read(&format!(":{}", sops::config::CONFIG_FILE_NAME), 1 << 20)?
                .flatten()
                .or_else(on_disk),
            None => on_disk(),
        };
        text.map(|t| SopsPolicy::parse(&t, "")).transpose()?
    };
    Ok(Ctx {
        root,
        scanner: scanner.with_sops(sops),
        auto_encrypt,
        baseline_path,
        hasher,
    })
}

/// Runs a scan from the directory `here`.
pub fn run(target: &Target, options: &Options, here: &Path) -> Result<Outcome, Error> {
    let mut tally = Tally::default();
    let mut fixed = Vec::new();
    let (ctx, findings) = match target {
        Target::Staged { .. } | Target::History => {
            let root = git::toplevel_fast(here).map_err(|e| Error::NotARepository {
                reason: e.to_string(),
            })?;
            // Two git processes serve a hook run: the staged diff and one
            // `git cat-file --batch` for every object; both start now and
            // run while the scanner is built.
            let diff = match target {
                Target::Staged { .. } => Some(git::StagedDiff::spawn(&root)?),
                _ => None,
            };
            let mut cat = CatFile::new(&root)?;
            let staged = diff.is_some();
            let ctx = setup(options, root, staged.then_some(&mut cat))?;
            let findings = match (diff, target) {
                (Some(diff), Target::Staged { fix }) => {
                    let fix = *fix || ctx.auto_encrypt;
                    scan_staged(&ctx, &mut cat, diff.wait()?, fix, &mut tally, &mut fixed)?
                }
                _ => scan_history(&ctx, &mut cat, &mut tally)?,
            };
            (ctx, findings)
        }
        Target::Paths { paths, no_ignore } => {
            scan_paths(options, here, paths, *no_ignore, &mut tally)?
        }
    };
    // Set exactly when writing a baseline; the fingerprints were made with it.
    let baseline_written = match &ctx.hasher {
        Some(hasher) => {
            let b = Baseline::from_findings(&findings, hasher);
            atomicfile::write(&ctx.baseline_path, b.to_json().as_bytes()).map_err(|source| {
                Error::Io {
                    path: ctx.baseline_path.display().to_string(),
                    source,
                }
            })?;
            Some((ctx.baseline_path.clone(), b.findings.len()))
        }
        None => None,
    };
    let blocked = tally
        .not_scanned
        .iter()
        .filter(|(path, _)| {
            ctx.scanner
                .sops()
                .is_some_and(|p| p.requires_encryption(path).is_some())
        })
        .map(|(path, _)| path.clone())
        .collect();
    Ok(Outcome {
        findings,
        tally,
        fixed,
        blocked,
        baseline_written,
    })
}

fn scan_history(ctx: &Ctx, cat: &mut CatFile, tally: &mut Tally) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    let objects = git::history_objects(&ctx.root)?;
    for chunk in objects.chunks(git::BATCH) {
        let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
        let paths: Vec<&str> = chunk.iter().map(|(_, p)| p.as_str()).collect();
        for (i, r) in read_blobs(ctx, cat, &ids, &paths, tally)? {
            let Some((r, _)) = r else { continue };
            let mut r = r.findings;
            if !r.is_empty() {
                let commit = git::commit_adding(&ctx.root, &chunk[i].0);
                for f in &mut r {
                    f.commit = commit.clone();
                }
            }
            findings.extend(r);
        }
    }
    Ok(findings)
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The files to scan for [`Target::Paths`]: (name as reported, path to open).
fn files_to_scan(
    here: &Path,
    paths: &[PathBuf],
    no_ignore: bool,
) -> Result<(PathBuf, Vec<(String, PathBuf)>), Error> {
    let Ok(top) = git::toplevel(here) else {
        // Not in a repository: plain trees.
        let roots = if paths.is_empty() {
            vec![here.to_path_buf()]
        } else {
            paths.to_vec()
        };
        let mut files = Vec::new();
        for r in roots {
            // Absolute, so names are relative to here (`a.env`, not `./a.env`).
            let r = if r.is_absolute() { r } else { here.join(&r) };
            let r = PathBuf::from_iter(r.components());
            for f in git::walk(&r)? {
                let rel = f
                    .strip_prefix(here)
                    .unwrap_or(&f)
                    .to_string_lossy()
                    .into_owned();
                files.push((rel, f));
            }
        }
        return Ok((here.to_path_buf(), files));
    };
    let specs: Vec<String> = if paths.is_empty() {
        vec![".".into()]
    } else {
        paths.iter().map(|p| p.display().to_string()).collect()
    };
    for p in paths {
        if !p.exists() {
            return Err(Error::Io {
                path: p.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                ),
            });
        }
    }
    // Paths outside this repository are read as plain trees.
    let canon_top = top.canonicalize().unwrap_or_else(|_| top.clone());
    let (inside, outside): (Vec<String>, Vec<String>) = specs.into_iter().partition(|p| {
        Path::new(p)
            .canonicalize()
            .map(|c| c.starts_with(&canon_top))
            .unwrap_or(true)
    });
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    // A file named is scanned even if .gitignore covers it (as gitleaks
    // does); trees follow .gitignore unless no_ignore.
    let (named, trees): (Vec<String>, Vec<String>) =
        inside.into_iter().partition(|p| Path::new(p).is_file());
    for p in named {
        let abs = Path::new(&p)
            .canonicalize()
            .map_err(io_error(Path::new(&p)))?;
        let rel = abs.strip_prefix(&canon_top).unwrap_or(&abs);
        files.push((rel.to_string_lossy().into_owned(), abs));
    }
    if no_ignore {
        for p in trees {
            for f in git::walk(&here.join(&p))? {
                let f = f.canonicalize().unwrap_or(f);
                let rel = f.strip_prefix(&canon_top).unwrap_or(&f);
                files.push((rel.to_string_lossy().into_owned(), f.clone()));
            }
        }
    } else if !trees.is_empty() {
        // Opened relative to the work tree (see scan_paths).
        for f in git::tracked_files(here, &trees)? {
            files.push((f.clone(), PathBuf::from(f)));
        }
    }
    for p in outside {
        for f in git::walk(Path::new(&p))? {
            files.push((f.to_string_lossy().into_owned(), here.join(f)));
        }
    }
    Ok((top, files))
}

fn scan_paths(
    options: &Options,
    here: &Path,
    paths: &[PathBuf],
    no_ignore: bool,
    tally: &mut Tally,
) -> Result<(Ctx, Vec<Finding>), Error> {
    let (root, files) = files_to_scan(here, paths, no_ignore)?;
    // Paths are relative to the root, or absolute.
    let root_dir = std::fs::File::open(&root).map_err(io_error(&root))?;
    let ctx = setup(options, root, None)?;
    let mut findings = Vec::new();
    let mut data = Vec::new();
    for (rel, path) in files {
        let scan = match git::read_file_at(&root_dir, &path, ctx.scanner.max_file_size, &mut data)?
        {
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
    Ok((ctx, findings))
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

/// A blob's scan, with its content when it was read whole.
type BlobScan = Option<(FileScan, Option<Vec<u8>>)>;

/// Reads and scans blobs through one `git cat-file --batch`: each small
/// one whole (with its content), each large one in windows as it streams
/// by (no content). A blob git does not have is counted as not scanned.
fn read_blobs(
    ctx: &Ctx,
    cat: &mut CatFile,
    ids: &[&str],
    paths: &[&str],
    tally: &mut Tally,
) -> Result<Vec<(usize, BlobScan)>, Error> {
    let mut large: Vec<Option<std::io::Result<(FileScan, u64)>>> =
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
    fixed: &mut Vec<Fixed>,
) -> Result<Vec<Finding>, Error> {
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
            let text = data.as_deref().map(crate::scannable);
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
            let old_text = old.as_deref().map(crate::scannable);
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
            let must_encrypt = fs
                .iter()
                .any(|f| f.kind == FindingKind::UnencryptedSopsFile);
            if fix && must_encrypt {
                let path = c.path.clone();
                let done = match &data {
                    Some(data) => encrypt_and_restage(ctx, &c.path, data),
                    None => Err(FixError::TooLarge { path: path.clone() }),
                };
                match done {
                    Ok(()) => {
                        fs.clear();
                        fixed.push(Fixed::Encrypted { path });
                    }
                    Err(why) => fixed.push(Fixed::Refused { path, why }),
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
fn encrypt_and_restage(ctx: &Ctx, path: &str, staged: &[u8]) -> Result<(), FixError> {
    let abs = ctx.root.join(path);
    let on_disk = std::fs::read(&abs).map_err(|error| FixError::Io {
        action: "reading",
        path: path.to_string(),
        error,
    })?;
    if on_disk != staged {
        return Err(FixError::PartialStaging {
            path: path.to_string(),
        });
    }
    let rule = ctx
        .scanner
        .sops()
        .and_then(|policy| policy.requires_encryption(path))
        .ok_or(FixError::NoRule)?;
    let format = sops::Format::from_path(Path::new(path));
    let enc = sops::EncryptOptions::from_rule(rule)
        .and_then(|opts| sops::SopsFile::create(staged.to_vec().into(), format, &opts))
        .and_then(sops::SopsFile::seal)
        .and_then(|s| s.to_bytes(format))
        .map_err(FixError::Encrypt)?;
    // A commit whose real index cannot be updated too is refused, the file
    // encrypted on disk (running the commit again then adds it to both).
    let real_index = real_index_beside_temporary(&ctx.root);
    atomicfile::write(&abs, &enc).map_err(|error| FixError::Io {
        action: "writing",
        path: path.to_string(),
        error,
    })?;
    let stage = |index: Option<&Path>, then: String| {
        git_add(&ctx.root, path, index).map_err(|error| FixError::Stage { error, then })
    };
    stage(
        None,
        format!("the file is encrypted on disk: run `git add {path}` and commit again"),
    )?;
    match real_index {
        Ok(None) => Ok(()),
        Ok(Some(real)) => stage(
            Some(&real),
            format!("the file is encrypted on disk, but your index still holds the plaintext: run `git add {path}` and your `git commit` again"),
        ),
        Err(error) => Err(FixError::Stage {
            error,
            then: format!("the file is now encrypted on disk: run your `git commit` again (or `git add {path} && git commit`)"),
        }),
    }
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
