//! `secretctl hook install|uninstall`: the git pre-commit hook that runs
//! `secretctl scan --staged` (with `--fix` unless `--no-fix`).

use std::path::{Path, PathBuf};

const MARKER: &str = "# installed by `secretctl hook install`";
const CHAINED: &str = "pre-commit.secretctl-chained";

const AFTER_HELP: &str = "\
Examples:
  secretctl hook install             # .git/hooks/pre-commit (or core.hooksPath)
  secretctl hook install --chain     # keep an existing hook and run it first
  secretctl hook install --force     # replace an existing hook (kept as pre-commit.secretctl-backup)
  secretctl hook uninstall

The hook runs `secretctl scan --staged --fix`: a plaintext secret stops the
commit (exit 1); a file that .sops.yaml says must be encrypted is encrypted in
place and re-staged. Skip it once with `git commit --no-verify`.

Exit codes:
  0  installed / removed
  1  a foreign hook is in the way (use --chain or --force)
  2  error (not a git repository, cannot write the hook)";

/// Arguments of `secretctl hook`.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// Hook actions.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum Action {
    /// Write the pre-commit hook.
    #[command(
        after_help = "Examples:\n  secretctl hook install\n  secretctl hook install --chain     # keep an existing hook and run it first"
    )]
    Install {
        /// Keep an existing hook and run it before the scan.
        #[arg(long)]
        chain: bool,
        /// Replace an existing hook (it is kept as pre-commit.secretctl-backup).
        #[arg(long, conflicts_with = "chain")]
        force: bool,
        /// Only block: do not encrypt files .sops.yaml says must be encrypted.
        #[arg(long)]
        no_fix: bool,
    },
    /// Remove the hook (restoring a chained one).
    #[command(after_help = "Example:\n  secretctl hook uninstall")]
    Uninstall,
}

fn hooks_dir() -> Result<PathBuf, String> {
    let here = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
    scan::git::hooks_dir(&here).map_err(|e| format!("{e} (run it inside a git repository)"))
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn script(exe: &Path, fix: bool, chained: bool) -> String {
    let exe = sh_quote(&exe.to_string_lossy());
    let mut s = format!(
        "#!/bin/sh\n{MARKER}\n# Stops commits that add plaintext secrets; see `secretctl scan --help`.\n"
    );
    if chained {
        s.push_str(&format!(
            "hook_dir=$(dirname \"$0\")\nif [ -x \"$hook_dir/{CHAINED}\" ]; then\n    \"$hook_dir/{CHAINED}\" \"$@\" || exit $?\nfi\n"
        ));
    }
    // secretctl on PATH first: the path of the binary that installed the
    // hook goes stale when it is upgraded or moved (a nix store path).
    s.push_str(&format!(
        "SECRETCTL=${{SECRETCTL:-$(command -v secretctl || echo {exe})}}\nexec \"$SECRETCTL\" scan --staged{}\n",
        if fix { " --fix" } else { "" }
    ));
    s
}

fn is_ours(hook: &[u8]) -> bool {
    memchr::memmem::find(hook, MARKER.as_bytes()).is_some()
}

/// The permission bits of a hook (kept by its backup).
fn hook_mode(hook: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(hook).map_or(0o755, |m| m.permissions().mode() & 0o7777)
}

/// Runs `secretctl hook`; returns the exit code.
pub(crate) fn run(args: Args) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("secretctl hook: {msg}");
            2
        }
    }
}

fn run_inner(args: Args) -> Result<i32, String> {
    let dir = hooks_dir()?;
    let hook = dir.join("pre-commit");
    match args.action {
        Action::Install {
            chain,
            force,
            no_fix,
        } => {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            // Any hook is read as bytes (a binary, or a script in another
            // encoding, is a hook too); one that cannot be read is kept.
            let existing = match std::fs::read(&hook) {
                Ok(b) => Some(Ok(b)),
                // (A dangling symlink is a hook in the way too.)
                Err(e)
                    if e.kind() == std::io::ErrorKind::NotFound
                        && std::fs::symlink_metadata(&hook).is_err() =>
                {
                    None
                }
                Err(e) => Some(Err(e)),
            };
            let ours = matches!(&existing, Some(Ok(t)) if is_ours(t));
            let chained_path = dir.join(CHAINED);
            let mut chained = chained_path.exists();
            if let (Some(old), false) = (&existing, ours) {
                if chain {
                    if chained {
                        return Err(format!(
                            "{} already exists; remove it or merge it into {}",
                            chained_path.display(),
                            hook.display()
                        ));
                    }
                    std::fs::rename(&hook, &chained_path)
                        .map_err(|e| format!("keeping {}: {e}", hook.display()))?;
                    chained = true;
                    eprintln!(
                        "secretctl hook: the existing hook now runs first, from {}",
                        chained_path.display()
                    );
                } else if force {
                    let old = old.as_ref().map_err(|e| {
                        format!(
                            "{} cannot be read ({e}), so it cannot be backed up; use --chain to keep it, or move it away yourself",
                            hook.display()
                        )
                    })?;
                    // A backup never replaces an earlier one.
                    let backup = (0..)
                        .map(|i| match i {
                            0 => dir.join("pre-commit.secretctl-backup"),
                            i => dir.join(format!("pre-commit.secretctl-backup.{i}")),
                        })
                        .find(|p| std::fs::symlink_metadata(p).is_err())
                        .expect("a free name");
                    atomicfile::write_with_mode(&backup, old, hook_mode(&hook))
                        .map_err(|e| format!("{}: {e}", backup.display()))?;
                    eprintln!(
                        "secretctl hook: the old hook is kept in {}",
                        backup.display()
                    );
                } else {
                    eprintln!(
                        "secretctl hook: {} exists and is not ours; use --chain to keep it and run it first, or --force to replace it",
                        hook.display()
                    );
                    return Ok(1);
                }
            }
            let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
            let text = script(&exe, !no_fix, chained);
            atomicfile::write_with_mode(&hook, text.as_bytes(), 0o755)
                .map_err(|e| format!("{}: {e}", hook.display()))?;
            eprintln!("secretctl hook: installed {}", hook.display());
            Ok(0)
        }
        Action::Uninstall => match std::fs::read(&hook) {
            Ok(t) if is_ours(&t) => {
                let chained = dir.join(CHAINED);
                if chained.exists() {
                    std::fs::rename(&chained, &hook)
                        .map_err(|e| format!("restoring {}: {e}", chained.display()))?;
                    eprintln!("secretctl hook: restored the chained hook");
                } else {
                    std::fs::remove_file(&hook).map_err(|e| format!("{}: {e}", hook.display()))?;
                }
                eprintln!("secretctl hook: removed");
                Ok(0)
            }
            Ok(_) => {
                eprintln!("secretctl hook: {} is not ours; left alone", hook.display());
                Ok(1)
            }
            Err(_) => {
                eprintln!("secretctl hook: no pre-commit hook installed");
                Ok(0)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_quotes_the_path_and_chains() {
        let s = super::script(std::path::Path::new("/opt/it's/secretctl"), true, true);
        assert!(s.contains(r"'/opt/it'\''s/secretctl'"), "{s}");
        assert!(s.contains("pre-commit.secretctl-chained"));
        assert!(s.ends_with("scan --staged --fix\n"));
    }

    /// The hook runs secretctl from PATH when there is one, else the binary
    /// that installed it.
    #[test]
    fn script_prefers_secretctl_on_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fake = |p: &std::path::Path, says: &str| {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, format!("#!/bin/sh\necho {says} \"$@\"\n")).unwrap();
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        let installed = dir.path().join("old/secretctl");
        fake(&installed, "installed");
        fake(&dir.path().join("bin/secretctl"), "on-path");
        let hook = dir.path().join("pre-commit");
        std::fs::write(&hook, super::script(&installed, false, false)).unwrap();
        let run = |path: &str| {
            let out = std::process::Command::new("/bin/sh")
                .arg(&hook)
                .env("PATH", path)
                .env_remove("SECRETCTL")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let bin = dir.path().join("bin");
        assert_eq!(
            run(&format!("{}:/usr/bin:/bin", bin.display())),
            "on-path scan --staged\n"
        );
        assert_eq!(run("/usr/bin:/bin"), "installed scan --staged\n");
    }
}
