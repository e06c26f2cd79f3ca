//! References to credentials. `dnsctl.yaml` never holds a credential itself,
//! only where to find it: an environment variable, or a value in a
//! SOPS-encrypted file decrypted with the user's age identities.

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
    Sops { file: PathBuf, path: String },
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
    pub fn resolve(&self) -> Result<Secret, String> {
        match self {
            SecretRef::Env(name) => match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
                _ => Err(format!("environment variable {name} is not set (dnsctl.yaml names it as the credential)")),
            },
            SecretRef::Sops { file, path } => {
                let reference = format!("sops:{}#{path}", file.display());
                sops::reference::resolve(&reference, std::path::Path::new(""))
                    .map_err(|e| format!("cannot read the credential {}: {e}", self.describe()))
            }
        }
    }
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
        assert!(e.contains("/nonexistent/dns.yaml#cloudflare/token"), "{e}");
    }
}
