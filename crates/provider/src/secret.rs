//! References to credentials. `dnsctl.yaml` never holds a credential itself,
//! only where to find it: an environment variable, or a value in a
//! SOPS-encrypted file decrypted with the user's age identities.
//!
//! Resolution lives here, not in the binaries, because it is lazy: a
//! provider reads its credential when it first talks to its server, so a
//! command that never reaches a provider (`dnsctl check`, a preview of zones
//! on other providers) decrypts nothing and asks for no passphrase. That is
//! why the provider crate depends on the sops crate.

use std::fmt;
use std::path::PathBuf;

/// A credential's value: zeroized when dropped, never shown by `Debug`.
pub use sops::Secret;

/// Where a credential comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// An environment variable, written `{env: NAME}`.
    Env(String),
    /// A value in a SOPS file, written `{sops: FILE#key/key}`; `file` is
    /// relative to the directory of dnsctl.yaml.
    Sops {
        /// The SOPS file.
        file: PathBuf,
        /// The key path inside it, `key/key`.
        path: String,
    },
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SecretRef {
    /// Where the credential is, for messages: `$NAME` or `FILE#key/key`.
    pub fn describe(&self) -> String {
        match self {
            SecretRef::Env(name) => format!("${name}"),
            SecretRef::Sops { file, path } => format!("{}#{path}", file.display()),
        }
    }

    /// Reads the credential, with an error that says where it was looked for.
    pub fn resolve(&self) -> Result<Secret, CredentialError> {
        match self {
            SecretRef::Env(name) => match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
                _ => Err(CredentialError::EnvNotSet { var: name.clone() }),
            },
            SecretRef::Sops { file, path } => {
                let reference = format!("sops:{}#{path}", file.display());
                sops::reference::resolve(&reference, std::path::Path::new("")).map_err(|error| {
                    CredentialError::Sops {
                        reference: self.describe(),
                        error: Box::new(error),
                    }
                })
            }
        }
    }
}

/// Why a credential could not be read. Never holds the credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The environment variable is unset or empty.
    #[error("environment variable {var} is not set (dnsctl.yaml names it as the credential)")]
    EnvNotSet {
        /// The variable.
        var: String,
    },
    /// The SOPS file could not be read or decrypted, or has no such key.
    #[error("cannot read the credential {reference}: {error}")]
    Sops {
        /// `FILE#key/key`.
        reference: String,
        /// What the sops library said.
        error: Box<sops::Error>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        let r = SecretRef::Sops {
            file: "secrets/dns.yaml".into(),
            path: "cloudflare/token".into(),
        };
        assert_eq!(format!("{r:?}"), "secrets/dns.yaml#cloudflare/token");
    }

    #[test]
    fn a_missing_sops_file_is_a_clear_error() {
        let r = SecretRef::Sops {
            file: "/nonexistent/dns.yaml".into(),
            path: "cloudflare/token".into(),
        };
        let e = r.resolve().unwrap_err();
        assert!(matches!(e, CredentialError::Sops { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("/nonexistent/dns.yaml#cloudflare/token"),
            "{e}"
        );
    }
}
