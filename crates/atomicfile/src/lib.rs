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

use std::fs::{self, File, Permissions};
use std::io::{self, Write};
use std::path::Path;

/// Replaces (or creates) `path` with `data`, keeping the permissions of the file
/// it replaces. New files get the default permissions of the process umask.
pub fn write(path: &Path, data: &[u8]) -> io::Result<()> {
    let keep = fs::metadata(path).ok().map(|m| m.permissions());
    write_with(path, data, keep, false).map(|_| ())
}

/// Like [`write`], giving the file `mode` (e.g. 0o600 for decrypted secrets).
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

fn write_with(
    path: &Path,
    data: &[u8],
    perms: Option<Permissions>,
    no_clobber: bool,
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
    tmp.write_all(data)?;
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
