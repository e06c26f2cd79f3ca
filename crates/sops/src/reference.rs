//! Secret references such as `sops:secrets/secrets.yaml#cloudflare/api_token`,
//! so other tools (dnsctl's provider credentials) can read one value from a
//! SOPS file with the user's age identities.

use crate::error::{Error, Result, StructureError, UnsupportedError};
use crate::keys::Identities;
use crate::value::{lookup, PathStep, Secret, Value};
use crate::{DecryptOptions, Format};
use std::path::{Path, PathBuf};

/// A parsed `sops:FILE#KEY/KEY/…` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The SOPS file (relative paths are resolved against a base directory).
    pub file: PathBuf,
    /// Map keys (or list indexes) leading to the value.
    pub path: Vec<PathStep>,
}

impl Reference {
    /// Parses `sops:FILE#a/b/0`. The `sops:` prefix is required; the path
    /// after `#` uses `/` between keys, and all-digit parts index lists.
    pub fn parse(s: &str) -> Result<Reference> {
        let bad = |problem: &'static str| -> Error {
            UnsupportedError::Reference {
                reference: s.to_string(),
                problem,
            }
            .into()
        };
        let rest = s
            .strip_prefix("sops:")
            .ok_or_else(|| bad("missing the sops: prefix"))?;
        let (file, path) = rest.rsplit_once('#').ok_or_else(|| bad("missing '#'"))?;
        if file.is_empty() {
            return Err(bad("empty file name"));
        }
        if path.is_empty() || path.split('/').any(str::is_empty) {
            return Err(bad("empty key"));
        }
        let path = path
            .split('/')
            .map(|p| match p.parse::<usize>() {
                Ok(i) if !p.starts_with('+') => PathStep::Index(i),
                _ => PathStep::Key(p.to_string()),
            })
            .collect();
        Ok(Reference {
            file: PathBuf::from(file),
            path,
        })
    }

    /// Decrypts the file and returns the value as text (scalars only).
    pub fn resolve(&self, base_dir: &Path, ids: &Identities) -> Result<Secret> {
        let file = if self.file.is_absolute() {
            self.file.clone()
        } else {
            base_dir.join(&self.file)
        };
        let data = std::fs::read(&file).map_err(|e| Error::ReadFile {
            path: file.display().to_string(),
            source: e,
        })?;
        // For reading only: no IVs remembered, no plaintext file built.
        let d = crate::SopsFile::open(
            &data,
            Format::from_path(&file),
            ids,
            &DecryptOptions {
                read_only: true,
                ..Default::default()
            },
        )?;
        let empty = crate::Map::new();
        let doc = d.docs().first().unwrap_or(&empty);
        // A key that is itself all digits may be a map key: try it as one too.
        let found = lookup(doc, &self.path).or_else(|| {
            let as_keys: Vec<PathStep> = self
                .path
                .iter()
                .map(|p| match p {
                    PathStep::Index(i) => PathStep::Key(i.to_string()),
                    k => k.clone(),
                })
                .collect();
            lookup(doc, &as_keys)
        });
        let shown: Vec<String> = self
            .path
            .iter()
            .map(|p| match p {
                PathStep::Key(k) => k.clone(),
                PathStep::Index(i) => i.to_string(),
            })
            .collect();
        let v = found.ok_or_else(|| StructureError::NoValue {
            file: file.clone(),
            path: shown.join("/"),
        })?;
        match v {
            Value::Str(s) => Ok(s.clone()),
            Value::Map(_) | Value::List(_) | Value::Null | Value::Comment(_) => {
                Err(StructureError::NotAValue {
                    file,
                    path: shown.join("/"),
                    kind: v.kind(),
                }
                .into())
            }
            other => Ok(Secret::new(crate::stores::dotenv::scalar_to_string(other)?)),
        }
    }
}

/// Resolves `sops:FILE#key/key` relative to `base_dir` with the
/// identities from the environment, read once per process (so a key's
/// passphrase is asked once, however many references there are).
pub fn resolve(reference: &str, base_dir: &Path) -> Result<Secret> {
    static IDS: std::sync::OnceLock<Identities> = std::sync::OnceLock::new();
    Reference::parse(reference)?.resolve(base_dir, IDS.get_or_init(Identities::from_env))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = Reference::parse("sops:secrets/secrets.yaml#cloudflare/api_token").unwrap();
        assert_eq!(r.file, PathBuf::from("secrets/secrets.yaml"));
        assert_eq!(
            r.path,
            vec![
                PathStep::Key("cloudflare".into()),
                PathStep::Key("api_token".into())
            ]
        );
        let r = Reference::parse("sops:a.yaml#list/0").unwrap();
        assert_eq!(r.path[1], PathStep::Index(0));
        for bad in [
            "secrets.yaml#a",
            "sops:#a",
            "sops:a.yaml",
            "sops:a.yaml#",
            "sops:a.yaml#a//b",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolves_values_from_an_encrypted_file() {
        let id = crate::Identity::generate();
        let dir = tempfile::tempdir().unwrap();
        let plain = b"cloudflare:\n    api_token: tok-123\n    zone_ids: [1, 2]\nport: 8080\n";
        let opts = crate::EncryptOptions::new(vec![vec![id.recipient().clone()]]);
        let enc = crate::SopsFile::create(plain.to_vec().into(), Format::Yaml, &opts)
            .and_then(crate::SopsFile::seal)
            .and_then(|s| s.to_bytes(Format::Yaml))
            .unwrap();
        std::fs::create_dir_all(dir.path().join("secrets")).unwrap();
        std::fs::write(dir.path().join("secrets/secrets.yaml"), enc).unwrap();
        let mut ids = Identities::empty();
        ids.add_text(id.expose_secret(), "test").unwrap();
        let get = |r: &str| Reference::parse(r).unwrap().resolve(dir.path(), &ids);
        assert_eq!(
            get("sops:secrets/secrets.yaml#cloudflare/api_token")
                .unwrap()
                .expose(),
            "tok-123"
        );
        assert_eq!(
            get("sops:secrets/secrets.yaml#port").unwrap().expose(),
            "8080"
        );
        assert_eq!(
            get("sops:secrets/secrets.yaml#cloudflare/zone_ids/1")
                .unwrap()
                .expose(),
            "2"
        );
        let e = get("sops:secrets/secrets.yaml#cloudflare/nope")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no value at cloudflare/nope"), "{e}");
        let e = get("sops:secrets/secrets.yaml#cloudflare")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a map"), "{e}");
        assert!(!e.contains("tok-123"));
    }
}
