//! Files the tools write for users are written atomically and durably: a
//! temporary file in the same directory is written, fsynced and renamed over
//! the target, then the directory is fsynced. A crash leaves either the old
//! file or the new one, never a torn mix. Only `kill -9` or a power cut can
//! leave the temporary file behind: it is named `.<target name>.tmp-XXXXXX`,
//! so a writer that knows it is the only one writing the target (it holds a
//! lock) removes leftovers with [`remove_stale_temps`].
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("zone.yaml");
//! atomicfile::write(&path, b"www: {type: A, value: 192.0.2.1}\n").unwrap();
//! assert!(!atomicfile::write_new(&path, b"other").unwrap());
//! ```
#![deny(missing_docs, unreachable_pub)]

use std::fs::{self, File, Permissions};
use std::io::{self, Write};
use std::path::Path;

/// Replaces (or creates) `path` with `data`, keeping the permissions of the file
/// it replaces. New files get the default permissions of the process umask.
pub fn write(path: &Path, data: &[u8]) -> io::Result<()> {
    let keep = fs::metadata(path).ok().map(|m| m.permissions());
    write_with(path, data, keep, false).map(|_| ())
}

/// Like [`write`](fn@write), giving the file `mode` (e.g. 0o600 for decrypted secrets).
#[cfg(unix)]
pub fn write_with_mode(path: &Path, data: &[u8], mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    write_with(path, data, Some(Permissions::from_mode(mode)), false).map(|_| ())
}

/// Creates `path` with `data` only if it does not exist yet. Returns `false`
/// (and writes nothing) when it already exists; the check and the creation are
/// one atomic step, so two writers never both succeed.
pub fn write_new(path: &Path, data: &[u8]) -> io::Result<bool> {
    write_with(path, data, None, true)
}

/// Replaces (or creates) `path` with what `fill` writes (through a buffer),
/// with permissions `mode`, else those of the file it replaces, else the
/// umask's. A symlink at `path` is written through, as `sops` and editors
/// do: its final target is replaced (the new file is made in the target's
/// directory) and the link stays, so every link to it sees the new content.
#[cfg(unix)]
pub fn write_through(
    path: &Path,
    mode: Option<u32>,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let target = final_target(path)?;
    let perms = match mode {
        Some(m) => Some(Permissions::from_mode(m)),
        None => fs::metadata(&target).ok().map(|m| m.permissions()),
    };
    write_filled(&target, perms, false, |f| {
        let mut w = io::BufWriter::with_capacity(64 * 1024, f);
        fill(&mut w)?;
        w.flush()
    })
    .map(|_| ())
}

/// Where writing "through" `path` lands: the file at the end of its chain of
/// symlinks (`path` itself if it is not a link, or does not exist).
pub fn final_target(path: &Path) -> io::Result<std::path::PathBuf> {
    let mut p = path.to_path_buf();
    // The kernel's own limit on a chain of links.
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

fn write_with(
    path: &Path,
    data: &[u8],
    perms: Option<Permissions>,
    no_clobber: bool,
) -> io::Result<bool> {
    write_filled(path, perms, no_clobber, |f| f.write_all(data))
}

fn write_filled(
    path: &Path,
    perms: Option<Permissions>,
    no_clobber: bool,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<bool> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .tempfile_in(dir)?;
    if let Some(p) = perms {
        tmp.as_file().set_permissions(p)?;
    } else {
        default_permissions(tmp.as_file())?;
    }
    fill(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    let result = if no_clobber {
        tmp.persist_noclobber(path)
    } else {
        tmp.persist(path)
    };
    match result {
        Ok(_) => {}
        Err(e) if no_clobber && e.error.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e.error),
    }
    sync_dir(dir)?;
    Ok(true)
}

/// The start of the names of `path`'s temporary files.
fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy());
    format!(".{}.tmp-", name.as_deref().unwrap_or(""))
}

/// Removes the temporary files a killed writer of `path` left beside it, and
/// returns how many. Only call it while no other process can be writing
/// `path` (e.g. under a lock that every writer of `path` takes): it would
/// remove that writer's file before its rename.
pub fn remove_stale_temps(path: &Path) -> io::Result<usize> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = temp_prefix(path);
    let mut removed = 0;
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&prefix));
        if stale && entry.file_type()?.is_file() {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(removed)
}

/// tempfile creates files 0600; a new user file should follow the umask instead.
#[cfg(unix)]
fn default_permissions(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(Permissions::from_mode(0o666 & !umask()))
}

#[cfg(not(unix))]
fn default_permissions(_file: &File) -> io::Result<()> {
    Ok(())
}

/// The process umask, read without changing it (from /proc; 022 if unknown).
#[cfg(unix)]
fn umask() -> u32 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:").map(|v| v.trim().to_string()))
        })
        .and_then(|v| u32::from_str_radix(&v, 8).ok())
        .unwrap_or(0o022)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_keeping_permissions_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, Permissions::from_mode(0o640)).unwrap();
        write(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn write_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        assert!(write_new(&p, b"first").unwrap());
        assert!(!write_new(&p, b"second").unwrap());
        assert_eq!(fs::read_to_string(&p).unwrap(), "first");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn stale_temps_of_one_target_are_removed_and_no_others() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.zone");
        // What a writer killed between create and rename leaves behind.
        fs::write(dir.path().join(".a.zone.tmp-x1Y2z3"), "half").unwrap();
        fs::write(dir.path().join(".b.zone.tmp-x1Y2z3"), "other file's").unwrap();
        fs::write(dir.path().join("a.zone.tmp-not-ours"), "user file").unwrap();
        assert_eq!(remove_stale_temps(&p).unwrap(), 1);
        write(&p, b"new").unwrap();
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".b.zone.tmp-x1Y2z3", "a.zone", "a.zone.tmp-not-ours"]
        );
    }

    #[test]
    fn write_through_replaces_the_target_of_a_symlink_keeping_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("shared");
        fs::create_dir(&sub).unwrap();
        let target = sub.join("t");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("shared/t", &link).unwrap();
        let link2 = dir.path().join("link2");
        std::os::unix::fs::symlink("link", &link2).unwrap();
        write_through(&link2, None, |w| w.write_all(b"new")).unwrap();
        assert!(fs::symlink_metadata(&link2)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(fs::read_dir(&sub).unwrap().count(), 1);
        // A given mode wins; a file that does not exist yet is created.
        write_through(&dir.path().join("new"), Some(0o600), |w| w.write_all(b"x")).unwrap();
        let mode = fs::metadata(dir.path().join("new"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // A loop of links is an error, not a hang.
        std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
        assert!(write_through(&dir.path().join("loop"), None, |_| Ok(())).is_err());
    }

    #[test]
    fn mode_is_applied() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret");
        write_with_mode(&p, b"x", 0o600).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
