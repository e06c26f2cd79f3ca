//! Errors of the sops crate. Messages never contain secret values.

use std::fmt;

/// A place in an input file: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Everything that can go wrong reading, decrypting or writing a SOPS file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input does not parse in the given format.
    #[error("{format} syntax error at {location}: {message}")]
    Syntax {
        /// Store name (yaml, json, dotenv, ini, binary).
        format: &'static str,
        /// Where.
        location: Location,
        /// What.
        message: String,
    },
    /// The input parses but does not have the structure a SOPS file needs.
    #[error("{0}")]
    Structure(String),
    /// The file has no `sops` metadata: it is not encrypted.
    #[error("sops metadata not found: the file is not encrypted (no top-level `sops` key)")]
    MetadataNotFound,
    /// The metadata is present but invalid.
    #[error("invalid sops metadata: {0}")]
    Metadata(String),
    /// The file is already encrypted.
    #[error("the file is already encrypted (it has a top-level `sops` key)")]
    AlreadyEncrypted,
    /// A value does not have the `ENC[AES256_GCM,...]` form or decoding failed.
    #[error("value at {path} is not a valid sops encrypted value: {reason}")]
    BadCiphertext {
        /// Key path (`a:b:`).
        path: String,
        /// Why.
        reason: String,
    },
    /// AES-GCM authentication failed: wrong key, or the value, iv, tag or
    /// key path was changed.
    #[error("could not decrypt value at {path}: authentication failed (the value, its iv or tag, or its key path was tampered with, or the data key is wrong)")]
    Authentication {
        /// Key path (`a:b:`).
        path: String,
    },
    /// The MAC over all values does not match.
    #[error("MAC mismatch: the file was modified outside sops (a value was added, removed, reordered or changed, or the mac was altered); use --ignore-mac to decrypt anyway")]
    MacMismatch,
    /// No identity could unwrap the data key.
    #[error("could not decrypt the data key with any available age identity.\nThe file is encrypted to: {recipients}\nTried {tried} identit{plural}{hint}")]
    NoIdentity {
        /// The file's recipients.
        recipients: String,
        /// How many identities were tried.
        tried: usize,
        /// "y" or "ies".
        plural: &'static str,
        /// How to fix it.
        hint: String,
    },
    /// A problem with age keys or recipients.
    #[error("age: {0}")]
    Age(String),
    /// `.sops.yaml` problems.
    #[error("config {path}: {message}")]
    Config {
        /// Config file path.
        path: String,
        /// What.
        message: String,
    },
    /// Unsupported feature or value.
    #[error("{0}")]
    Unsupported(String),
    /// A key path that does not parse or does not fit the document.
    #[error(transparent)]
    Path(#[from] crate::value::PathError),
    /// Reading the input (a file or stdin) failed.
    #[error("reading: {0}")]
    Read(std::io::Error),
    /// Writing the output failed.
    #[error("writing: {0}")]
    Write(std::io::Error),
    /// Reading a file other than the input (a config or key file) failed.
    #[error("reading {path}: {source}")]
    ReadFile {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn syntax(
        format: &'static str,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Error::Syntax {
            format,
            location: Location { line, col },
            message: message.into(),
        }
    }
}
