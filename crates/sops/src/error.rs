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
#[non_exhaustive]
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
    #[error(transparent)]
    Structure(#[from] StructureError),
    /// The file has no `sops` metadata: it is not encrypted.
    #[error("sops metadata not found: the file is not encrypted (no top-level `sops` key)")]
    MetadataNotFound,
    /// The metadata is present but invalid.
    #[error("invalid sops metadata: {0}")]
    Metadata(#[from] MetadataError),
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
    Age(#[from] AgeError),
    /// `.sops.yaml` problems.
    #[error("config {path}: {message}")]
    Config {
        /// Config file path.
        path: String,
        /// What.
        message: String,
    },
    /// Something this crate cannot do (or a format cannot carry).
    #[error(transparent)]
    Unsupported(#[from] UnsupportedError),
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

/// What is wrong with age keys or recipients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AgeError {
    /// Not an age (`age1…`) recipient.
    #[error("{recipient:?} is not an age recipient (age1... or ssh-ed25519 ...): {reason}")]
    InvalidRecipient {
        /// The text given.
        recipient: String,
        /// What the age crate says.
        reason: String,
    },
    /// Not an SSH public key age can encrypt to.
    #[error("{recipient:?} is not a supported SSH public key (ssh-ed25519 or ssh-rsa): {reason}")]
    InvalidSshRecipient {
        /// The text given.
        recipient: String,
        /// What the age crate says.
        reason: String,
    },
    /// Encrypting the data key for a recipient failed.
    #[error("encrypting the data key for {recipient}: {reason}")]
    Wrap {
        /// The recipient.
        recipient: String,
        /// What failed.
        reason: String,
    },
    /// Not an `AGE-SECRET-KEY-1…` identity.
    #[error("not an age identity: {reason}")]
    InvalidIdentity {
        /// What the age crate says.
        reason: String,
    },
    /// An identity file, or an SSH key, that cannot be used.
    #[error("{source_name}: {problem}")]
    IdentitySource {
        /// Where it came from (`SOPS_AGE_KEY`, a file, …).
        source_name: String,
        /// What is wrong with it.
        problem: IdentityProblem,
    },
    /// The data key unwrapped from the file is not 32 bytes.
    #[error("the unwrapped data key is not 32 bytes")]
    DataKeyLength,
    /// Nothing to encrypt to: exit code 111 in secretctl, as in sops.
    #[error(
        "no recipients: give --age RECIPIENT or add a creation rule with age keys to .sops.yaml"
    )]
    NoRecipients,
    /// One of several key groups has no age recipient.
    #[error("a key group has no age recipient (secretctl encrypts only to age keys)")]
    EmptyKeyGroup,
    /// A Shamir threshold outside 1..=groups.
    #[error(
        "shamir_threshold {threshold} must be between 1 and the number of key groups ({groups})"
    )]
    Threshold {
        /// The threshold asked for.
        threshold: usize,
        /// How many key groups there are.
        groups: usize,
    },
}

/// Why an identity file or SSH key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityProblem {
    /// Not in the age identity file format.
    #[error("not an age identity file: {0}")]
    NotAnIdentityFile(String),
    /// An identity in it is not valid.
    #[error("{0}")]
    InvalidIdentity(String),
    /// It holds no identity.
    #[error("contains no age identity")]
    Empty,
    /// Not an SSH private key.
    #[error("not an SSH private key: {0}")]
    NotAnSshKey(String),
    /// Passphrase-protected, and its public key cannot be read from it.
    #[error("passphrase-protected, but its public key cannot be read from it")]
    NoPublicKey,
    /// An SSH key type age does not support.
    #[error("this SSH key type is not supported by age")]
    UnsupportedSshKey,
}

/// Why a passphrase could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PassphraseError {
    /// Neither `/dev/tty` nor a terminal on standard input.
    #[error("standard input is not a terminal, and /dev/tty is not available: {0}")]
    NoTerminal(std::io::Error),
    /// Echo could not be turned off.
    #[error("cannot turn off echo: {0}")]
    Echo(std::io::Error),
    /// Reading failed.
    #[error("reading the terminal: {0}")]
    Read(std::io::Error),
    /// The passphrase is not UTF-8.
    #[error("the passphrase is not UTF-8")]
    NotUtf8,
    /// No terminal support on this platform.
    #[error("reading a passphrase from the terminal is only supported on Unix")]
    Unsupported,
}

/// What is wrong with a file's `sops` metadata.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// A field of the wrong type.
    #[error("{field} must be {expected}, found a {found}")]
    WrongType {
        /// The field (`key_groups[0]`, `mac`, …).
        field: String,
        /// What it must be (`a string`, `a list`, …).
        expected: &'static str,
        /// The kind of value found.
        found: &'static str,
    },
    /// A field whose value does not read as it must.
    #[error("{field} must be {expected}")]
    BadValue {
        /// The field.
        field: String,
        /// What it must be.
        expected: &'static str,
    },
    /// An entry without a field it needs.
    #[error("{entry} has no {field}")]
    MissingField {
        /// The entry (`age[0]`, …).
        entry: String,
        /// The field.
        field: &'static str,
    },
    /// No `version`: sops refuses such files.
    #[error("no `version`: sops refuses files without it (add `version: 3.11.0` under `sops`)")]
    NoVersion,
    /// No `lastmodified`.
    #[error("no `lastmodified`")]
    NoLastModified,
    /// `lastmodified` is not an RFC 3339 time.
    #[error("lastmodified {value:?} is not an RFC 3339 time")]
    BadTime {
        /// The value found.
        value: String,
    },
    /// An encryption rule that is not a valid regular expression.
    #[error("{field} {regex:?} is not a valid regular expression: {reason}")]
    BadRegex {
        /// The rule (`encrypted_regex`, …).
        field: &'static str,
        /// The expression.
        regex: String,
        /// What the regex crate says.
        reason: String,
    },
    /// A flattened (dotenv, INI) metadata key that does not read.
    #[error("cannot read flattened metadata key {key:?}")]
    FlatKey {
        /// The key.
        key: String,
    },
    /// A list index in a flattened metadata key that is not a number.
    #[error("bad list index {index:?} in flattened metadata")]
    FlatIndex {
        /// The index text.
        index: String,
    },
}

/// What a file lacks to be the SOPS file its format needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StructureError {
    /// A binary file's tree is not one `data` string.
    #[error("a binary file's tree must have a single `data` string")]
    BinaryData,
    /// An encrypted binary file without its `data` key.
    #[error("an encrypted binary file must have a `data` key")]
    EncryptedBinaryData,
    /// A plaintext with a top-level `sops` key (which holds the metadata).
    #[error(
        "the plaintext has a top-level `sops` key, which is reserved for the metadata: rename it"
    )]
    ReservedSopsKey,
    /// No value at a reference's path.
    #[error("{}: no value at {path}", file.display())]
    NoValue {
        /// The file.
        file: std::path::PathBuf,
        /// The path, `a/b/0`.
        path: String,
    },
    /// A reference to a map, list or null instead of one value.
    #[error("{}: {path} is a {kind}, not a single value", file.display())]
    NotAValue {
        /// The file.
        file: std::path::PathBuf,
        /// The path, `a/b/0`.
        path: String,
        /// What is there (`map`, `list`, …).
        kind: &'static str,
    },
    /// A state the code does not reach (a bug if seen).
    #[error("internal: {0}")]
    Internal(&'static str),
}

/// What this crate cannot do, or a format cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnsupportedError {
    /// A format name other than yaml, json, dotenv, ini or binary.
    #[error("unknown format {name:?}: use yaml, json, dotenv, ini or binary")]
    UnknownFormat {
        /// The name given.
        name: String,
    },
    /// A value a flat store (dotenv, INI) cannot hold.
    #[error("cannot write a {kind} value in a flat store (dotenv/ini)")]
    FlatValue {
        /// The kind of value (`map`, `list`).
        kind: &'static str,
    },
    /// A nested value in a dotenv file.
    #[error("cannot use a {kind} value in a dotenv file; offending key {key}")]
    DotenvNested {
        /// The key.
        key: String,
        /// The kind of value.
        kind: &'static str,
    },
    /// A top-level INI value that is not a section.
    #[error("INI top-level values must be sections; {key} is a {kind}")]
    IniTopLevel {
        /// The key.
        key: String,
        /// The kind of value.
        kind: &'static str,
    },
    /// A nested value in an INI section.
    #[error("cannot use a {kind} value in an INI file; offending key {key}")]
    IniNested {
        /// `section.key`.
        key: String,
        /// The kind of value.
        kind: &'static str,
    },
    /// An INI value no quoting carries.
    #[error("cannot write the value of INI key {key:?}: it holds \"\"\" (or ends in a quote, or has a carriage return) beside a backtick or line break, which no INI quoting carries")]
    IniValue {
        /// The key.
        key: String,
    },
    /// An INI key no quoting carries.
    #[error("cannot write the INI key {key:?}: it holds both ` and \"\"\", which no INI quoting can carry")]
    IniKey {
        /// The key.
        key: String,
    },
    /// More than one partial-encryption rule.
    #[error("only one of unencrypted_suffix, encrypted_suffix, unencrypted_regex, encrypted_regex, unencrypted_comment_regex and encrypted_comment_regex may be set")]
    ConflictingRules,
    /// Rotating a file also encrypted to keys other than age.
    #[error("the file is also encrypted to {}: secretctl encrypts only to age keys, so a new data key would lock these keys out. Rotate it with `sops rotate`, or first remove these keys from .sops.yaml and run `secretctl updatekeys`", keys.join(", "))]
    RotateOtherKeys {
        /// The other keys, as `kind id`.
        keys: Vec<String>,
    },
    /// A creation rule adding a key other than age.
    #[error("the creation rule adds {key}: secretctl encrypts only to age keys. Run `sops updatekeys` for this file, or remove the key from .sops.yaml")]
    AddOtherKey {
        /// The key, as `kind id`.
        key: String,
    },
    /// Keys other than age kept in a file whose data key is split.
    #[error("cannot keep {} in a file whose data key is split into key groups: secretctl would split it anew and cannot encrypt the new shares to keys other than age. Run `sops updatekeys` for this file", keys.join(", "))]
    OtherKeysWithGroups {
        /// The keys, as `kind id`.
        keys: Vec<String>,
    },
    /// A `sops:FILE#key/key` reference that does not parse.
    #[error("invalid sops reference {reference:?}: {problem} (expected sops:FILE#key/key)")]
    Reference {
        /// The text given.
        reference: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// Shamir parameters out of range.
    #[error("cannot split a key into {shares} shares with threshold {threshold} (need 2 <= threshold <= shares <= 255)")]
    ShamirSplit {
        /// Shares asked for.
        shares: usize,
        /// Threshold asked for.
        threshold: usize,
    },
    /// Shamir shares that cannot be combined.
    #[error("{0}")]
    ShamirCombine(&'static str),
    /// An IV of another length than sops writes.
    #[error("sops IVs are 32 bytes")]
    IvLength,
    /// The system gave no random bytes.
    #[error("no randomness: {0}")]
    NoRandomness(String),
    /// A state the code does not reach (a bug if seen).
    #[error("internal: {0}")]
    Internal(&'static str),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_errors_say_what_the_strings_said() {
        let s = |e: Error| e.to_string();
        assert_eq!(
            s(AgeError::NoRecipients.into()),
            "age: no recipients: give --age RECIPIENT or add a creation rule with age keys to .sops.yaml"
        );
        assert_eq!(
            s(AgeError::IdentitySource {
                source_name: "SOPS_AGE_KEY".into(),
                problem: IdentityProblem::Empty
            }
            .into()),
            "age: SOPS_AGE_KEY: contains no age identity"
        );
        assert_eq!(
            s(MetadataError::WrongType {
                field: "key_groups[0].age".into(),
                expected: "a list",
                found: "map"
            }
            .into()),
            "invalid sops metadata: key_groups[0].age must be a list, found a map"
        );
        assert_eq!(
            s(MetadataError::MissingField {
                entry: "sops.age[1]".into(),
                field: "enc"
            }
            .into()),
            "invalid sops metadata: sops.age[1] has no enc"
        );
        assert_eq!(
            s(StructureError::NoValue {
                file: "a.yaml".into(),
                path: "x/0".into()
            }
            .into()),
            "a.yaml: no value at x/0"
        );
        assert_eq!(
            s(UnsupportedError::OtherKeysWithGroups {
                keys: vec!["pgp AB".into(), "kms arn".into()]
            }
            .into()),
            "cannot keep pgp AB, kms arn in a file whose data key is split into key groups: secretctl would split it anew and cannot encrypt the new shares to keys other than age. Run `sops updatekeys` for this file"
        );
    }
}
