//! Where the scanner looks: staged blobs (the git index), files and trees
//! (respecting `.gitignore`), and every blob reachable from HEAD.
//!
//! Blobs are read through ONE `git cat-file --batch` process; file lists
//! come from `-z` plumbing, so names with spaces or newlines are safe.

use crate::Error;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Objects asked of `git cat-file --batch` in one round trip: few enough
/// that the requests fit the pipe while git writes its answers (no
/// deadlock without a writer thread).
pub const BATCH: usize = 64;

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_EXTERNAL_DIFF");
    c
}

fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let out = git(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::Git {
            command: args.join(" "),
            message: format!("cannot run git: {e}"),
        })?;
    if !out.status.success() {
        return Err(Error::Git {
            command: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// The top of the work tree holding `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, Error> {
    let out = run(dir, &["rev-parse", "--show-toplevel"])?;
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out).trim_end_matches('\n'),
    ))
}

/// The top of the work tree holding `dir` (absolute), found by looking
/// for `.git` upward as git does, without starting git; `git rev-parse`
/// decides when the environment redirects git (`GIT_DIR`, `GIT_WORK_TREE`)
/// or nothing is found.
pub fn toplevel_fast(dir: &Path) -> Result<PathBuf, Error> {
    let redirected = [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_CEILING_DIRECTORIES",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some());
    if !redirected && dir.is_absolute() && !dir.components().any(|c| c.as_os_str() == ".git") {
        let mut d = Some(dir);
        while let Some(here) = d {
            if here.join(".git").exists() {
                return Ok(here.to_path_buf());
            }
            d = here.parent();
        }
    }
    toplevel(dir)
}

/// The repository's git directory (`.git`, or the worktree's own).
pub fn git_dir(dir: &Path) -> Result<PathBuf, Error> {
    let out = run(dir, &["rev-parse", "--absolute-git-dir"])?;
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out).trim_end_matches('\n'),
    ))
}

/// The directory hooks live in (`core.hooksPath` respected; shared by worktrees).
pub fn hooks_dir(dir: &Path) -> Result<PathBuf, Error> {
    let out = run(
        dir,
        &["rev-parse", "--path-format=absolute", "--git-path", "hooks"],
    )?;
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out).trim_end_matches('\n'),
    ))
}

/// One `git cat-file --batch` process reading any number of objects.
pub struct CatFile {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl CatFile {
    /// Starts the process in `dir`.
    pub fn new(dir: &Path) -> Result<CatFile, Error> {
        let mut child = git(dir)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| Error::Git {
                command: "cat-file --batch".into(),
                message: format!("cannot run git: {e}"),
            })?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped stdout"));
        Ok(CatFile {
            child,
            stdin,
            stdout,
        })
    }

    fn fail(msg: impl Into<String>) -> Error {
        Error::Git {
            command: "cat-file --batch".into(),
            message: msg.into(),
        }
    }

    /// Reads objects, sending the requests in batches (one round trip
    /// per batch, not per object). Same results as [`CatFile::read`].
    pub fn read_many(
        &mut self,
        ids: &[&str],
        max: usize,
    ) -> Result<Vec<Option<Option<Vec<u8>>>>, Error> {
        self.read_many_with(ids, max, &mut |_, _| Ok(()))
    }

    /// [`CatFile::read_many`], giving each object larger than `max` to
    /// `large` (its index in `ids`, and a reader of its content) as it
    /// streams by, instead of only draining it.
    pub fn read_many_with(
        &mut self,
        ids: &[&str],
        max: usize,
        large: &mut dyn FnMut(usize, &mut dyn Read) -> std::io::Result<()>,
    ) -> Result<Vec<Option<Option<Vec<u8>>>>, Error> {
        let mut out = Vec::with_capacity(ids.len());
        for batch in ids.chunks(BATCH) {
            let mut req = String::new();
            for id in batch {
                req.push_str(id);
                req.push('\n');
            }
            self.stdin
                .write_all(req.as_bytes())
                .and_then(|_| self.stdin.flush())
                .map_err(|e| Self::fail(e.to_string()))?;
            for _ in batch {
                let i = out.len();
                out.push(self.answer(max, &mut |r| large(i, r))?);
            }
        }
        Ok(out)
    }

    /// Reads one object; `None` if it does not exist. Objects larger than
    /// `max` are drained without being kept (`Some(None)`).
    pub fn read(&mut self, id: &str, max: usize) -> Result<Option<Option<Vec<u8>>>, Error> {
        writeln!(self.stdin, "{id}")
            .and_then(|_| self.stdin.flush())
            .map_err(|e| Self::fail(e.to_string()))?;
        self.answer(max, &mut |_| Ok(()))
    }

    fn answer(
        &mut self,
        max: usize,
        large: &mut dyn FnMut(&mut dyn Read) -> std::io::Result<()>,
    ) -> Result<Option<Option<Vec<u8>>>, Error> {
        let mut header = String::new();
        self.stdout
            .read_line(&mut header)
            .map_err(|e| Self::fail(e.to_string()))?;
        let parts: Vec<&str> = header.trim_end().split(' ').collect();
        if parts.len() == 2 && parts[1] == "missing" {
            return Ok(None);
        }
        if parts.len() != 3 {
            return Err(Self::fail(format!(
                "unexpected header {:?}",
                header.trim_end()
            )));
        }
        let size: usize = parts[2]
            .parse()
            .map_err(|_| Self::fail(format!("bad size in {:?}", header.trim_end())))?;
        let keep = size <= max;
        let mut data = Vec::with_capacity(if keep { size } else { 0 });
        if keep {
            (&mut self.stdout)
                .take(size as u64)
                .read_to_end(&mut data)
                .map_err(|e| Self::fail(e.to_string()))?;
        } else {
            let mut rest = (&mut self.stdout).take(size as u64);
            large(&mut rest).map_err(|e| Self::fail(e.to_string()))?;
            // Whatever `large` left is drained.
            std::io::copy(&mut rest, &mut std::io::sink())
                .map_err(|e| Self::fail(e.to_string()))?;
        }
        let mut nl = [0u8; 1];
        self.stdout
            .read_exact(&mut nl)
            .map_err(|e| Self::fail(e.to_string()))?;
        Ok(Some(keep.then_some(data)))
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        // Closing stdin ends the process.
        let _ = self.stdin.flush();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A staged change: path, new blob id and the id of what it replaces.
#[derive(Debug, Clone)]
pub struct Staged {
    /// Path relative to the repository root.
    pub path: String,
    /// The staged blob.
    pub id: String,
    /// The blob in HEAD it replaces (modifications).
    pub old: Option<String>,
    /// The staged file mode (`100644`, `100755`, `120000`, `160000`).
    pub mode: String,
}

/// `git diff --cached --raw`, started early: it runs while the caller
/// builds its scanner. Works without commits (against the empty tree),
/// during merges (conflicted entries are not listed) and in worktrees.
pub struct StagedDiff {
    child: Child,
}

impl StagedDiff {
    /// Starts the diff of the index against HEAD in the work tree `root`.
    pub fn spawn(root: &Path) -> Result<StagedDiff, Error> {
        let child = git(root)
            .args([
                "diff",
                "--cached",
                "--raw",
                "-z",
                "--no-abbrev",
                "--no-renames",
                "--no-color",
                "--no-ext-diff",
                "--diff-filter=ACMT",
                "--ignore-submodules",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error::Git {
                command: "diff --cached".into(),
                message: format!("cannot run git: {e}"),
            })?;
        Ok(StagedDiff { child })
    }

    /// Waits for the diff: the added, copied, modified and type-changed files.
    pub fn wait(self) -> Result<Vec<Staged>, Error> {
        let out = self.child.wait_with_output().map_err(|e| Error::Git {
            command: "diff --cached".into(),
            message: e.to_string(),
        })?;
        if !out.status.success() {
            return Err(Error::Git {
                command: "diff --cached".into(),
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(parse_raw(&out.stdout))
    }
}

/// Parses `--raw -z` output: `:old-mode new-mode old new status\0path\0`.
fn parse_raw(out: &[u8]) -> Vec<Staged> {
    let mut items = out.split(|&b| b == 0);
    let mut res = Vec::new();
    while let Some(meta) = items.next() {
        if meta.is_empty() {
            continue;
        }
        let Some(path) = items.next() else { break };
        let meta = String::from_utf8_lossy(meta);
        let f: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        if f.len() < 5 {
            continue;
        }
        if f[1] == "160000" || f[1] == "120000" {
            continue; // submodules and symlinks hold no content to scan
        }
        let old = f[2].trim_start_matches('0');
        res.push(Staged {
            path: String::from_utf8_lossy(path).into_owned(),
            id: f[3].to_string(),
            old: (!old.is_empty()).then(|| f[2].to_string()),
            mode: f[1].to_string(),
        });
    }
    res
}

/// Files under `paths` (relative to `dir`) that git would track: tracked
/// plus untracked-but-not-ignored, as `git ls-files` lists them. Paths are
/// relative to the repository root.
pub fn tracked_files(dir: &Path, paths: &[String]) -> Result<Vec<String>, Error> {
    let mut args: Vec<&str> = vec![
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
        "--deduplicate",
        "--full-name",
        "--",
    ];
    args.extend(paths.iter().map(String::as_str));
    let out = run(dir, &args)?;
    Ok(out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// Files under `root` outside git (no .gitignore to honour): every regular
/// file, skipping `.git` directories and symlinks.
pub fn walk(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).map_err(|e| Error::Io {
            path: p.display().to_string(),
            source: e,
        })?;
        if meta.is_dir() {
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            let rd = std::fs::read_dir(&p).map_err(|e| Error::Io {
                path: p.display().to_string(),
                source: e,
            })?;
            let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            entries.sort();
            entries.reverse();
            stack.extend(entries);
        } else if meta.is_file() {
            out.push(p);
        }
    }
    Ok(out)
}

/// What [`read_file`] found.
#[derive(Debug)]
pub enum FileRead {
    /// The whole file is in the buffer.
    Read,
    /// A file over the size limit, open for [`crate::Scanner::scan_reader`].
    Large(std::fs::File),
    /// Not a regular file (symlink, FIFO, directory), or gone.
    NotAFile,
}

/// Reads a file for scanning into `buf`, which is reused from file to file
/// (a tree then costs no allocation per file). A file over `max` bytes is
/// left open instead, to be scanned in windows; what is not a regular
/// file is not read.
///
/// One open that follows no symlink and never blocks on a FIFO, one
/// `fstat`, then reads into the buffer's spare room: four system calls
/// per file.
pub fn read_file(path: &Path, max: usize, buf: &mut Vec<u8>) -> Result<FileRead, Error> {
    read_file_at(rustix::fs::CWD, path, max, buf)
}

/// [`read_file`] of a path relative to the directory `dir` (an absolute
/// path ignores `dir`). Opening `a/b.rs` from the work tree's directory
/// spares the kernel walking the work tree's own path for every file.
pub fn read_file_at(
    dir: impl std::os::fd::AsFd,
    path: &Path,
    max: usize,
    buf: &mut Vec<u8>,
) -> Result<FileRead, Error> {
    use rustix::fs::{Mode, OFlags};
    let io = |e| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    buf.clear();
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let f = match rustix::fs::openat(dir, path, flags, Mode::empty()) {
        Ok(fd) => std::fs::File::from(fd),
        // A symlink (ELOOP under O_NOFOLLOW), or deleted but still in the index.
        Err(rustix::io::Errno::LOOP | rustix::io::Errno::NOENT) => return Ok(FileRead::NotAFile),
        Err(e) => return Err(io(e.into())),
    };
    let meta = f.metadata().map_err(io)?;
    if !meta.is_file() {
        return Ok(FileRead::NotAFile);
    }
    if meta.len() > max as u64 {
        return Ok(FileRead::Large(f));
    }
    // The size `fstat` gave is all that is read: no extra read to find the
    // end (what a file gains while it is read is not scanned).
    let len = meta.len();
    buf.reserve(len as usize);
    (&f).take(len).read_to_end(buf).map_err(io)?;
    Ok(FileRead::Read)
}

/// Every blob reachable from HEAD, each once, with the first path it was
/// seen at (`git rev-list --objects`).
pub fn history_objects(dir: &Path) -> Result<Vec<(String, String)>, Error> {
    if run(dir, &["rev-parse", "--verify", "-q", "HEAD^{commit}"]).is_err() {
        return Ok(Vec::new());
    }
    let out = run(dir, &["rev-list", "--objects", "HEAD"])?;
    let text = String::from_utf8_lossy(&out);
    let candidates: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let (id, path) = l.split_once(' ')?;
            Some((id.to_string(), path.to_string()))
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    // Keep blobs only.
    let mut check = git(dir)
        .args(["cat-file", "--batch-check=%(objectname) %(objecttype)"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Git {
            command: "cat-file --batch-check".into(),
            message: e.to_string(),
        })?;
    let mut stdin = check.stdin.take().expect("stdin");
    let ids: String = candidates.iter().map(|(id, _)| format!("{id}\n")).collect();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(ids.as_bytes());
    });
    let out = check.wait_with_output().map_err(|e| Error::Git {
        command: "cat-file --batch-check".into(),
        message: e.to_string(),
    })?;
    let _ = writer.join();
    let types = String::from_utf8_lossy(&out.stdout);
    Ok(candidates
        .into_iter()
        .zip(types.lines())
        .filter(|(_, t)| t.ends_with(" blob"))
        .map(|(c, _)| c)
        .collect())
}

/// The earliest commit reachable from HEAD that adds the blob `id`.
pub fn commit_adding(dir: &Path, id: &str) -> Option<String> {
    let out = run(
        dir,
        &[
            "log",
            "--format=%H",
            "--reverse",
            &format!("--find-object={id}"),
            "HEAD",
        ],
    )
    .ok()?;
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_file_reads_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        let mut buf = b"left over".to_vec();
        std::fs::write(p("a.env"), "TOKEN=x\n").unwrap();
        assert!(matches!(
            read_file(&p("a.env"), 1 << 20, &mut buf).unwrap(),
            FileRead::Read
        ));
        assert_eq!(buf, b"TOKEN=x\n");

        // Not scanned: a symlink, a FIFO (opening it must not block), a
        // directory, a file that is gone, a file over the limit.
        std::os::unix::fs::symlink(p("a.env"), p("link")).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            p("fifo"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        std::fs::create_dir(p("dir")).unwrap();
        for name in ["link", "fifo", "dir", "gone"] {
            assert!(
                matches!(
                    read_file(&p(name), 1 << 20, &mut buf).unwrap(),
                    FileRead::NotAFile
                ),
                "{name}"
            );
        }
        // Over the limit: left open, to be read in windows.
        let FileRead::Large(mut f) = read_file(&p("a.env"), 7, &mut buf).unwrap() else {
            panic!("not left open");
        };
        let mut whole = Vec::new();
        f.read_to_end(&mut whole).unwrap();
        assert_eq!(whole, b"TOKEN=x\n");
        assert!(matches!(
            read_file(&p("a.env"), 8, &mut buf).unwrap(),
            FileRead::Read
        ));

        // A large binary file is read whole (its printable runs are scanned).
        let mut big = vec![b'a'; 200_000];
        big[100] = 0;
        std::fs::write(p("big.bin"), &big).unwrap();
        assert!(matches!(
            read_file(&p("big.bin"), 1 << 20, &mut buf).unwrap(),
            FileRead::Read
        ));
        assert_eq!(buf, big);
    }
}
