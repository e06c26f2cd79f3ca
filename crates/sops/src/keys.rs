//! age: wrapping the data key for recipients and unwrapping it with the
//! user's identities (`SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE`,
//! `SOPS_AGE_KEY_CMD`, the default `keys.txt`).

use crate::error::{Error, Result};
use crate::metadata::{AgeStanza, KeyGroup, Metadata};
use age::secrecy::ExposeSecret;
use std::io::Read;
use std::path::PathBuf;
use std::str::FromStr;
use zeroize::Zeroizing;

/// A parsed recipient: X25519 (`age1…`), or an SSH public key
/// (`ssh-ed25519 …`, `ssh-rsa …`) as sops accepts them.
pub fn parse_recipient(s: &str) -> Result<Box<dyn age::Recipient + Send>> {
    let s = s.trim();
    if s.starts_with("ssh-") {
        return age::ssh::Recipient::from_str(s)
            .map(|r| Box::new(r) as Box<dyn age::Recipient + Send>)
            .map_err(|e| {
                Error::Age(format!(
                    "{s:?} is not a supported SSH public key (ssh-ed25519 or ssh-rsa): {e:?}"
                ))
            });
    }
    age::x25519::Recipient::from_str(s)
        .map(|r| Box::new(r) as Box<dyn age::Recipient + Send>)
        .map_err(|e| {
            Error::Age(format!(
                "{s:?} is not an age recipient (age1... or ssh-ed25519 ...): {e}"
            ))
        })
}

/// Wraps `data` (a data key or a Shamir share) for one recipient, as an
/// armored age file (the `enc` of an age stanza).
pub fn wrap(recipient: &str, data: &[u8]) -> Result<AgeStanza> {
    use std::io::Write;
    let r = parse_recipient(recipient)?;
    let fail = |e: &dyn std::fmt::Display| {
        Error::Age(format!("encrypting the data key for {recipient}: {e}"))
    };
    let enc = age::Encryptor::with_recipients(std::iter::once(r.as_ref() as &dyn age::Recipient))
        .map_err(|e| fail(&e))?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|e| fail(&e))?;
    let mut w = enc.wrap_output(armor).map_err(|e| fail(&e))?;
    w.write_all(data).map_err(|e| fail(&e))?;
    w.finish().and_then(|a| a.finish()).map_err(|e| fail(&e))?;
    let enc = String::from_utf8(out).map_err(|e| fail(&e))?;
    let enc = if enc.ends_with('\n') {
        enc
    } else {
        format!("{enc}\n")
    };
    Ok(AgeStanza {
        recipient: recipient.trim().to_string(),
        enc,
    })
}

/// The identities available to decrypt, with where they came from.
pub struct Identities {
    ids: Vec<Box<dyn age::Identity + Send + Sync>>,
    sources: Vec<String>,
    problems: Vec<String>,
}

impl Identities {
    /// No identities.
    pub fn empty() -> Self {
        Identities {
            ids: Vec::new(),
            sources: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Parses identities from the text of a keys file (comments allowed).
    pub fn add_text(&mut self, text: &str, source: &str) -> Result<()> {
        let file = age::IdentityFile::from_buffer(text.as_bytes())
            .map_err(|e| Error::Age(format!("{source}: not an age identity file: {e}")))?;
        let ids = file
            .into_identities()
            .map_err(|e| Error::Age(format!("{source}: {e}")))?;
        if ids.is_empty() {
            return Err(Error::Age(format!("{source}: contains no age identity")));
        }
        self.ids.extend(ids);
        self.sources.push(source.to_string());
        Ok(())
    }

    /// Loads identities from the environment as sops does: `SOPS_AGE_KEY`,
    /// `SOPS_AGE_KEY_FILE`, `SOPS_AGE_KEY_CMD` and the default
    /// `$XDG_CONFIG_HOME/sops/age/keys.txt` (all that are present).
    pub fn from_env() -> Self {
        let mut me = Identities::empty();
        if let Ok(k) = std::env::var("SOPS_AGE_KEY") {
            let k = Zeroizing::new(k);
            if let Err(e) = me.add_text(&k, "SOPS_AGE_KEY") {
                me.problems.push(e.to_string());
            }
        }
        if let Ok(p) = std::env::var("SOPS_AGE_KEY_FILE") {
            me.add_file(PathBuf::from(&p), "SOPS_AGE_KEY_FILE", true);
        }
        if let Ok(cmd) = std::env::var("SOPS_AGE_KEY_CMD") {
            match std::process::Command::new("sh")
                .arg("-c")
                .arg(&cmd)
                .output()
            {
                Ok(out) if out.status.success() => {
                    let text = Zeroizing::new(String::from_utf8_lossy(&out.stdout).into_owned());
                    if let Err(e) = me.add_text(&text, "SOPS_AGE_KEY_CMD") {
                        me.problems.push(e.to_string());
                    }
                }
                Ok(out) => me
                    .problems
                    .push(format!("SOPS_AGE_KEY_CMD exited with {}", out.status)),
                Err(e) => me
                    .problems
                    .push(format!("SOPS_AGE_KEY_CMD could not run: {e}")),
            }
        }
        if let Some(p) = default_keys_file() {
            me.add_file(p, "default keys file", false);
        }
        // SSH keys, as sops: SOPS_AGE_SSH_PRIVATE_KEY_FILE, else ~/.ssh/id_ed25519 and ~/.ssh/id_rsa.
        match std::env::var_os("SOPS_AGE_SSH_PRIVATE_KEY_FILE") {
            Some(p) => me.add_ssh_file(PathBuf::from(p), true),
            None => {
                if let Some(home) = std::env::var_os("HOME") {
                    let ssh = PathBuf::from(home).join(".ssh");
                    me.add_ssh_file(ssh.join("id_ed25519"), false);
                    me.add_ssh_file(ssh.join("id_rsa"), false);
                }
            }
        }
        me
    }

    /// Adds an SSH private key (unencrypted ed25519 or RSA) as an identity.
    pub fn add_ssh_text(&mut self, text: &str, source: &str) -> Result<()> {
        let id = age::ssh::Identity::from_buffer(text.as_bytes(), Some(source.to_string()))
            .map_err(|e| Error::Age(format!("{source}: not an SSH private key: {e}")))?;
        match id {
            age::ssh::Identity::Unencrypted(_) => {
                self.ids.push(Box::new(id));
                self.sources.push(source.to_string());
                Ok(())
            }
            age::ssh::Identity::Encrypted(_) => Err(Error::Age(format!(
                "{source}: passphrase-protected SSH keys are not supported; use an age key or an unencrypted SSH key"
            ))),
            age::ssh::Identity::Unsupported(_) => {
                Err(Error::Age(format!("{source}: this SSH key type is not supported by age")))
            }
        }
    }

    fn add_ssh_file(&mut self, path: PathBuf, must_exist: bool) {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                if let Err(e) = self.add_ssh_text(&text, &format!("SSH key {}", path.display())) {
                    self.problems.push(e.to_string());
                }
            }
            Err(e) if must_exist || e.kind() != std::io::ErrorKind::NotFound => {
                self.problems
                    .push(format!("SSH key {}: {e}", path.display()));
            }
            Err(_) => {}
        }
    }

    fn add_file(&mut self, path: PathBuf, what: &str, must_exist: bool) {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                if let Err(e) = self.add_text(&text, &format!("{what} {}", path.display())) {
                    self.problems.push(e.to_string());
                }
            }
            Err(e) if must_exist || e.kind() != std::io::ErrorKind::NotFound => {
                self.problems
                    .push(format!("{what} {}: {e}", path.display()));
            }
            Err(_) => {}
        }
    }

    /// How many identities were loaded.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether none were loaded.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Tries to unwrap one stanza.
    fn unwrap_stanza(&self, stanza: &AgeStanza) -> Option<Zeroizing<Vec<u8>>> {
        if self.ids.is_empty() {
            return None;
        }
        let reader = age::armor::ArmoredReader::new(stanza.enc.as_bytes());
        let dec = age::Decryptor::new_buffered(reader).ok()?;
        let mut r = dec
            .decrypt(self.ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .ok()?;
        let mut out = Zeroizing::new(Vec::new());
        r.read_to_end(&mut out).ok()?;
        Some(out)
    }

    /// Recovers the data key of a file.
    pub fn data_key(&self, md: &Metadata) -> Result<Zeroizing<[u8; 32]>> {
        let mut parts: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        for g in &md.key_groups {
            if let Some(p) = g.age.iter().find_map(|s| self.unwrap_stanza(s)) {
                parts.push(p);
            }
        }
        let key: Option<Zeroizing<Vec<u8>>> = if md.key_groups.len() > 1 {
            let threshold = md.shamir_threshold.unwrap_or(md.key_groups.len());
            if parts.len() >= threshold && threshold > 0 {
                crate::shamir::combine(&parts[..threshold]).ok()
            } else {
                None
            }
        } else {
            parts.into_iter().next()
        };
        match key {
            Some(k) if k.len() == 32 => {
                let mut out = Zeroizing::new([0u8; 32]);
                out.copy_from_slice(&k);
                Ok(out)
            }
            Some(_) => Err(Error::Age("the unwrapped data key is not 32 bytes".into())),
            None => {
                let recipients = md.age_recipients();
                let mut hint = String::new();
                if self.sources.is_empty() {
                    hint.push_str(
                        "\nNo age identity found: set SOPS_AGE_KEY_FILE to your keys.txt, or SOPS_AGE_KEY to the key itself",
                    );
                    if let Some(p) = default_keys_file() {
                        hint.push_str(&format!(", or put it in {}", p.display()));
                    }
                    hint.push('.');
                } else {
                    hint.push_str(&format!(" from {}.", self.sources.join(", ")));
                }
                for p in &self.problems {
                    hint.push_str(&format!("\nproblem: {p}"));
                }
                if recipients.is_empty() {
                    hint.push_str("\nThe file has no age recipients (it may use pgp, kms or other keys, which secretctl does not support).");
                }
                Err(Error::NoIdentity {
                    recipients: if recipients.is_empty() {
                        "(no age recipients)".into()
                    } else {
                        recipients.join(", ")
                    },
                    tried: self.ids.len(),
                    plural: if self.ids.len() == 1 { "y" } else { "ies" },
                    hint,
                })
            }
        }
    }
}

/// sops' default identity file: `$XDG_CONFIG_HOME/sops/age/keys.txt`, else
/// `$HOME/.config/sops/age/keys.txt` (macOS: `~/Library/Application Support`).
pub fn default_keys_file() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME") {
        Some(x) if !x.is_empty() => PathBuf::from(x),
        _ => {
            let home = PathBuf::from(std::env::var_os("HOME")?);
            if cfg!(target_os = "macos") {
                home.join("Library").join("Application Support")
            } else {
                home.join(".config")
            }
        }
    };
    Some(base.join("sops").join("age").join("keys.txt"))
}

/// Builds key groups for a new data key: each group's share (or the key
/// itself for one group) wrapped for every recipient of the group.
pub fn wrap_groups(
    groups: &[Vec<String>],
    threshold: Option<usize>,
    key: &[u8; 32],
) -> Result<(Vec<KeyGroup>, Option<usize>)> {
    if groups.is_empty() || groups.iter().all(|g| g.is_empty()) {
        return Err(Error::Age(
            "no recipients: give --age RECIPIENT or add a creation rule with age keys to .sops.yaml".into(),
        ));
    }
    if groups.iter().any(|g| g.is_empty()) {
        return Err(Error::Age("a key group has no recipient".into()));
    }
    let (shares, threshold) = if groups.len() == 1 {
        (vec![Zeroizing::new(key.to_vec())], None)
    } else {
        let t = threshold.unwrap_or(groups.len());
        if t == 0 || t > groups.len() {
            return Err(Error::Age(format!(
                "shamir_threshold {t} must be between 1 and the number of key groups ({})",
                groups.len()
            )));
        }
        (crate::shamir::split(key, groups.len(), t)?, Some(t))
    };
    let mut out = Vec::new();
    for (g, share) in groups.iter().zip(shares.iter()) {
        let mut kg = KeyGroup::default();
        for r in g {
            kg.age.push(wrap(r, share)?);
        }
        out.push(kg);
    }
    Ok((out, threshold))
}

/// A new X25519 identity: (secret `AGE-SECRET-KEY-1…`, recipient `age1…`).
pub fn generate_identity() -> (Zeroizing<String>, String) {
    let id = age::x25519::Identity::generate();
    let secret = Zeroizing::new(id.to_string().expose_secret().to_string());
    (secret, id.to_public().to_string())
}

/// The recipient of an `AGE-SECRET-KEY-1…` identity.
pub fn recipient_of(secret: &str) -> Result<String> {
    let id = age::x25519::Identity::from_str(secret.trim())
        .map_err(|e| Error::Age(format!("not an age identity: {e}")))?;
    Ok(id.to_public().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_and_unwrap() {
        let (secret, recipient) = generate_identity();
        assert!(recipient.starts_with("age1"));
        assert_eq!(recipient_of(&secret).unwrap(), recipient);
        let key = [9u8; 32];
        let (groups, t) = wrap_groups(&[vec![recipient.clone()]], None, &key).unwrap();
        assert_eq!(t, None);
        assert!(groups[0].age[0]
            .enc
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
        assert!(groups[0].age[0]
            .enc
            .ends_with("-----END AGE ENCRYPTED FILE-----\n"));
        let md = Metadata {
            key_groups: groups,
            ..Default::default()
        };
        let mut ids = Identities::empty();
        ids.add_text(&format!("# a comment\n{}\n", &*secret), "test")
            .unwrap();
        assert_eq!(&*ids.data_key(&md).unwrap(), &key);
        // A different identity cannot, and the error names the recipients.
        let (other, _) = generate_identity();
        let mut ids = Identities::empty();
        ids.add_text(&other, "test").unwrap();
        let e = ids.data_key(&md).unwrap_err().to_string();
        assert!(e.contains(&recipient), "{e}");
        assert!(!e.contains("AGE-SECRET-KEY"), "{e}");
    }

    #[test]
    fn ssh_ed25519_recipients_and_identities() {
        // A throwaway unencrypted ed25519 key made with ssh-keygen.
        let private = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACApBL1qDoM0fAJynRprzS5dLOs4DlJ0owtwDgARHfVZ6wAAAJjSRnCq0kZw
qgAAAAtzc2gtZWQyNTUxOQAAACApBL1qDoM0fAJynRprzS5dLOs4DlJ0owtwDgARHfVZ6w
AAAECWtQ2LsrHG9hNQHexJK3W7IBsKWHnOm/yQkC/Bj89qxikEvWoOgzR8AnKdGmvNLl0s
6zgOUnSjC3AOABEd9VnrAAAAEXRlc3RAc2VjcmV0Y3RsLmlvAQIDBA==
-----END OPENSSH PRIVATE KEY-----
";
        let public = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICkEvWoOgzR8AnKdGmvNLl0s6zgOUnSjC3AOABEd9Vnr test@secretctl.io";
        let key = [4u8; 32];
        let (groups, _) = wrap_groups(&[vec![public.to_string()]], None, &key).unwrap();
        assert_eq!(groups[0].age[0].recipient, public);
        let md = Metadata {
            key_groups: groups,
            ..Default::default()
        };
        let mut ids = Identities::empty();
        ids.add_ssh_text(private, "test").unwrap();
        assert_eq!(&*ids.data_key(&md).unwrap(), &key);
    }

    #[test]
    fn bad_recipient_is_a_clear_error() {
        let e = wrap("age1nope", &[0u8; 32]).unwrap_err().to_string();
        assert!(e.contains("age1nope"), "{e}");
    }
}
