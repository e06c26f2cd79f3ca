//! Reading inputs, atomic writes, private temporary files, and errors with
//! exit codes.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// An error with the exit code it maps to (see `--help`).
#[derive(Debug)]
pub(crate) struct Fail {
    pub code: i32,
    pub msg: String,
}

impl Fail {
    pub(crate) fn new(code: i32, msg: impl Into<String>) -> Self {
        Fail {
            code,
            msg: msg.into(),
        }
    }

    /// The exit code for an error of the sops crate (see `--help`).
    fn code_of(e: &sops::Error) -> i32 {
        use sops::Error as E;
        match e {
            E::MacMismatch => 51,
            E::Authentication { .. } | E::BadCiphertext { .. } => 25,
            E::NoIdentity { .. } => 128,
            E::AlreadyEncrypted => 203,
            E::Config { .. } => 5,
            E::Read(_) => 2,
            E::Path(_) => 91,
            E::Age(sops::AgeError::NoRecipients) => 111,
            _ => 1,
        }
    }

    /// An error of the sops crate, as it is.
    pub(crate) fn bare(e: sops::Error) -> Self {
        Fail::new(Fail::code_of(&e), e.to_string())
    }

    /// An error of the sops crate about `file`.
    pub(crate) fn from_sops(e: sops::Error, file: &Path) -> Self {
        Fail::new(Fail::code_of(&e), format!("{}: {e}", file.display()))
    }
}

/// Reads the input file (`-` is stdin).
pub(crate) fn read_input(p: &Path) -> Result<Vec<u8>, Fail> {
    if p == Path::new("-") {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut v)
            .map_err(|e| Fail::new(2, format!("reading stdin: {e}")))?;
        return Ok(v);
    }
    fs::read(p).map_err(|e| Fail::new(2, format!("cannot read {}: {e}", p.display())))
}

/// Opens the input file (`-` is stdin) for reading as a stream.
pub(crate) fn open_input(p: &Path) -> Result<Box<dyn std::io::Read>, Fail> {
    if p == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    let f =
        fs::File::open(p).map_err(|e| Fail::new(2, format!("cannot read {}: {e}", p.display())))?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Fail::new(
            2,
            format!("cannot read {}: it is a directory", p.display()),
        ));
    }
    Ok(Box::new(f))
}

/// Writes `data` to `path` atomically (crates/atomicfile): a temporary file
/// in the same directory, fsync, rename over the target, keeping its
/// permissions (a new file follows the umask, as sops' files do). A symlink
/// is written through: its target is replaced, the link stays.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<(), Fail> {
    write_atomic_with(path, None, |w| w.write_all(data))
}

/// [`write_atomic`] with the content written by `fill`, and the file given
/// `mode` if set (0600 for plaintext).
pub(crate) fn write_atomic_with(
    path: &Path,
    mode: Option<u32>,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Fail> {
    atomicfile::write_through(path, mode, fill)
        .map_err(|e| Fail::new(3, format!("writing {}: {e}", path.display())))
}

/// Creates a new file with mode 0600; refuses to overwrite. Missing parent
/// directories are created 0700 (`~/.config/sops/age` on a fresh home).
pub(crate) fn write_new_private(path: &Path, data: &[u8]) -> Result<(), Fail> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Fail::new(3, format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Fail::new(3, format!("cannot create {}: {e}", path.display())))?;
    f.write_all(data)
        .and_then(|_| f.sync_all())
        .map_err(|e| Fail::new(3, format!("writing {}: {e}", path.display())))
}

/// Writes a private (0600) file, replacing any.
pub(crate) fn write_private(path: &Path, data: &[u8]) -> Result<(), Fail> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Fail::new(1, format!("cannot create {}: {e}", path.display())))?;
    f.write_all(data)
        .and_then(|_| f.sync_all())
        .map_err(|e| Fail::new(1, format!("writing {}: {e}", path.display())))
}

/// Where plaintext may live: `$XDG_RUNTIME_DIR`, else `/dev/shm`, else the
/// temp dir (tmpfs when possible, so it never reaches a disk).
pub(crate) fn private_base() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_RUNTIME_DIR") {
        let p = PathBuf::from(x);
        if p.is_dir() {
            return p;
        }
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() && tempfile::tempdir_in(shm).is_ok() {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

/// A new 0700 directory for plaintext, removed when dropped.
pub(crate) fn private_dir() -> Result<tempfile::TempDir, Fail> {
    let base = private_base();
    let dir = tempfile::Builder::new()
        .prefix("secretctl-")
        .tempdir_in(&base)
        .map_err(|e| {
            Fail::new(
                1,
                format!(
                    "cannot create a private directory in {}: {e}",
                    base.display()
                ),
            )
        })?;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))
        .map_err(|e| Fail::new(1, format!("cannot restrict {}: {e}", dir.path().display())))?;
    Ok(dir)
}

/// The name of the decrypted copy of `file` in a private directory: fixed
/// (the encrypted file's name may hold anything, shell syntax included),
/// with the file's extension if it is plain, for editors and tools that
/// look at it.
pub(crate) fn plaintext_name(file: &Path) -> String {
    match file.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.len() <= 16 && ext.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            format!("secret.{ext}")
        }
        _ => "secret".to_string(),
    }
}

/// Overwrites a plaintext file with zeros and removes it.
pub(crate) fn shred(path: &Path) {
    if let Ok(meta) = fs::metadata(path) {
        if let Ok(mut f) = fs::OpenOptions::new().write(true).open(path) {
            let zeros = vec![0u8; meta.len().min(64 * 1024 * 1024) as usize];
            let _ = f.write_all(&zeros);
            let _ = f.sync_all();
        }
    }
    let _ = fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::Fail;
    use std::path::Path;

    #[test]
    fn exit_codes_come_from_the_error_variants() {
        let code = |e: sops::Error| Fail::from_sops(e, Path::new("f")).code;
        assert_eq!(code(sops::AgeError::NoRecipients.into()), 111);
        assert_eq!(code(sops::AgeError::EmptyKeyGroup.into()), 1);
        assert_eq!(code(sops::PathError::NoDocument.into()), 91);
        assert_eq!(code(sops::Error::MacMismatch), 51);
        let f = Fail::from_sops(sops::AgeError::NoRecipients.into(), Path::new("a.yaml"));
        assert!(f.msg.starts_with("a.yaml: age: no recipients"), "{}", f.msg);
    }
}
