//! age: wrapping the data key for recipients and unwrapping it with the
//! user's identities (`SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE`,
//! `SOPS_AGE_KEY_CMD`, the default `keys.txt`).

use crate::error::{AgeError, Error, IdentityProblem, PassphraseError, Result};
use crate::metadata::{AgeStanza, KeyGroup, Metadata};
use age::secrecy::ExposeSecret;
use std::io::Read;
use std::path::PathBuf;
use std::str::FromStr;
use zeroize::Zeroizing;

/// An age recipient, parsed and checked: X25519 (`age1…`), or an SSH
/// public key (`ssh-ed25519 …`, `ssh-rsa …`) as sops accepts them. Kept as
/// the (trimmed) text it was given in, which is what a file's metadata and
/// `.sops.yaml` name it by.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Recipient(String);

impl Recipient {
    /// Parses and checks a recipient.
    pub fn parse(s: &str) -> Result<Recipient> {
        let s = s.trim();
        age_recipient(s)?;
        Ok(Recipient(s.to_string()))
    }

    /// Parses a comma-separated list (`--age a,b`), skipping empty items.
    pub fn parse_list(s: &str) -> Result<Vec<Recipient>> {
        s.split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(Recipient::parse)
            .collect()
    }

    /// The recipient as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recipient({})", self.0)
    }
}

impl FromStr for Recipient {
    type Err = Error;
    fn from_str(s: &str) -> Result<Recipient> {
        Recipient::parse(s)
    }
}

/// Parses groups of recipients given as text (`.sops.yaml` rules, a file's
/// metadata).
pub(crate) fn parse_groups(groups: &[Vec<String>]) -> Result<Vec<Vec<Recipient>>> {
    groups
        .iter()
        .map(|g| g.iter().map(|r| Recipient::parse(r)).collect())
        .collect()
}

/// The age form of a recipient's text.
fn age_recipient(s: &str) -> Result<Box<dyn age::Recipient + Send>> {
    if s.starts_with("ssh-") {
        return age::ssh::Recipient::from_str(s)
            .map(|r| Box::new(r) as Box<dyn age::Recipient + Send>)
            .map_err(|e| {
                Error::from(AgeError::InvalidSshRecipient {
                    recipient: s.to_string(),
                    reason: format!("{e:?}"),
                })
            });
    }
    age::x25519::Recipient::from_str(s)
        .map(|r| Box::new(r) as Box<dyn age::Recipient + Send>)
        .map_err(|e| {
            Error::from(AgeError::InvalidRecipient {
                recipient: s.to_string(),
                reason: e.to_string(),
            })
        })
}

/// An X25519 age identity (`AGE-SECRET-KEY-1…`). The secret is wiped when
/// dropped and never shown by `Debug`.
pub struct Identity {
    secret: Zeroizing<String>,
    recipient: Recipient,
}

impl Identity {
    /// A new random identity.
    pub fn generate() -> Identity {
        let id = age::x25519::Identity::generate();
        Identity {
            secret: Zeroizing::new(id.to_string().expose_secret().to_string()),
            recipient: Recipient(id.to_public().to_string()),
        }
    }

    /// Parses one `AGE-SECRET-KEY-1…` identity.
    pub fn parse(secret: &str) -> Result<Identity> {
        let id = age::x25519::Identity::from_str(secret.trim()).map_err(|e| {
            AgeError::InvalidIdentity {
                reason: e.to_string(),
            }
        })?;
        Ok(Identity {
            secret: Zeroizing::new(secret.trim().to_string()),
            recipient: Recipient(id.to_public().to_string()),
        })
    }

    /// Its recipient (public key).
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    /// The secret key text, to write into a keys file.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("recipient", &self.recipient)
            .finish_non_exhaustive()
    }
}

/// Wraps `data` (a data key or a Shamir share) for one recipient, as an
/// armored age file (the `enc` of an age stanza).
pub(crate) fn wrap(recipient: &Recipient, data: &[u8]) -> Result<AgeStanza> {
    use std::io::Write;
    let r = age_recipient(recipient.as_str())?;
    let fail = |e: &dyn std::fmt::Display| {
        Error::from(AgeError::Wrap {
            recipient: recipient.to_string(),
            reason: e.to_string(),
        })
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
        recipient: recipient.to_string(),
        enc,
    })
}

/// Asks for the passphrase of an SSH key; gets the prompt to show.
pub type PassphrasePrompt =
    dyn Fn(&str) -> std::result::Result<Zeroizing<String>, PassphraseError> + Send + Sync;

/// Why a protected SSH key stayed locked (shown among the problems when no
/// identity opens a file).
#[derive(Debug, thiserror::Error)]
enum Unlock {
    #[error("could not read the passphrase for {name}: {source}")]
    Prompt {
        name: String,
        source: PassphraseError,
    },
    #[error("{name}: not a protected key")]
    NotProtected { name: String },
    #[error("{name}: wrong passphrase")]
    WrongPassphrase { name: String },
}

/// A passphrase-protected SSH key: unlocked (the passphrase asked for) only
/// when a file is encrypted to it, as sops does, and then only once.
struct LockedSsh {
    /// Where it came from, for the prompt and messages.
    path: String,
    /// The SSH wire form of its public key.
    public: Vec<u8>,
    key: age::ssh::Identity,
    unlocked: std::sync::OnceLock<std::result::Result<age::ssh::Identity, Unlock>>,
}

/// The SSH wire-format public key stored (in clear) in an OpenSSH private
/// key file (`openssh-key-v1`).
fn openssh_public_blob(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let body: String = text
        .lines()
        .skip_while(|l| l.trim() != "-----BEGIN OPENSSH PRIVATE KEY-----")
        .skip(1)
        .take_while(|l| l.trim() != "-----END OPENSSH PRIVATE KEY-----")
        .map(str::trim)
        .collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    let mut rest = raw.strip_prefix(b"openssh-key-v1\0")?;
    fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
        *rest = tail;
        Some(head)
    }
    fn string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
        let len = u32::from_be_bytes(take(rest, 4)?.try_into().ok()?) as usize;
        take(rest, len)
    }
    string(&mut rest)?; // cipher
    string(&mut rest)?; // kdf
    string(&mut rest)?; // kdf options
    if take(&mut rest, 4)? != [0, 0, 0, 1] {
        return None; // one key per file
    }
    string(&mut rest).map(<[u8]>::to_vec)
}

/// The SSH wire-format public key of a recipient like `ssh-ed25519 AAAA… comment`.
fn ssh_recipient_blob(recipient: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let mut fields = recipient.split_whitespace();
    if !fields.next()?.starts_with("ssh-") {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(fields.next()?)
        .ok()
}

/// The identities available to decrypt, with where they came from.
pub struct Identities {
    ids: Vec<Box<dyn age::Identity + Send + Sync>>,
    locked: Vec<LockedSsh>,
    prompt: Box<PassphrasePrompt>,
    sources: Vec<String>,
    problems: Vec<String>,
}

impl Identities {
    /// No identities.
    pub fn empty() -> Self {
        Identities {
            ids: Vec::new(),
            locked: Vec::new(),
            prompt: Box::new(crate::tty::read_secret),
            sources: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Replaces how the passphrase of a protected SSH key is asked for
    /// (by default on the terminal, as sops does).
    pub fn set_passphrase_prompt(&mut self, prompt: Box<PassphrasePrompt>) {
        self.prompt = prompt;
    }

    /// Parses identities from the text of a keys file (comments allowed).
    pub fn add_text(&mut self, text: &str, source: &str) -> Result<()> {
        let bad = |problem| AgeError::IdentitySource {
            source_name: source.to_string(),
            problem,
        };
        let file = age::IdentityFile::from_buffer(text.as_bytes())
            .map_err(|e| bad(IdentityProblem::NotAnIdentityFile(e.to_string())))?;
        let ids = file
            .into_identities()
            .map_err(|e| bad(IdentityProblem::InvalidIdentity(e.to_string())))?;
        if ids.is_empty() {
            return Err(bad(IdentityProblem::Empty).into());
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

    /// Adds an SSH private key (ed25519 or RSA) as an identity. A
    /// passphrase-protected key is asked for its passphrase only when a
    /// file is encrypted to it (see [`Identities::set_passphrase_prompt`]).
    pub fn add_ssh_text(&mut self, text: &str, source: &str) -> Result<()> {
        let bad = |problem| AgeError::IdentitySource {
            source_name: source.to_string(),
            problem,
        };
        let id = age::ssh::Identity::from_buffer(text.as_bytes(), Some(source.to_string()))
            .map_err(|e| bad(IdentityProblem::NotAnSshKey(e.to_string())))?;
        match id {
            age::ssh::Identity::Unencrypted(_) => {
                self.ids.push(Box::new(id));
                self.sources.push(source.to_string());
                Ok(())
            }
            age::ssh::Identity::Encrypted(_) => {
                let public =
                    openssh_public_blob(text).ok_or_else(|| bad(IdentityProblem::NoPublicKey))?;
                self.locked.push(LockedSsh {
                    path: source.to_string(),
                    public,
                    key: id,
                    unlocked: std::sync::OnceLock::new(),
                });
                self.sources
                    .push(format!("{source} (passphrase-protected)"));
                Ok(())
            }
            age::ssh::Identity::Unsupported(_) => {
                Err(bad(IdentityProblem::UnsupportedSshKey).into())
            }
        }
    }

    /// The protected SSH key a stanza is wrapped for, unlocked (asking for
    /// its passphrase the first time).
    fn unlock_for(&self, stanza: &AgeStanza) -> Option<&age::ssh::Identity> {
        let blob = ssh_recipient_blob(&stanza.recipient)?;
        let locked = self.locked.iter().find(|l| l.public == blob)?;
        let unlocked = locked.unlocked.get_or_init(|| {
            let name = locked.path.strip_prefix("SSH key ").unwrap_or(&locked.path);
            let name = name.to_string();
            let pass = match (self.prompt)(&format!("Enter passphrase for {name:?}:")) {
                Ok(p) => p,
                Err(source) => return Err(Unlock::Prompt { name, source }),
            };
            let age::ssh::Identity::Encrypted(key) = &locked.key else {
                return Err(Unlock::NotProtected { name });
            };
            key.decrypt(age::secrecy::SecretString::from(pass.to_string()))
                .map(age::ssh::Identity::from)
                .map_err(|_| Unlock::WrongPassphrase { name })
        });
        unlocked.as_ref().ok()
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

    /// How many identities were loaded (passphrase-protected SSH keys too).
    pub fn len(&self) -> usize {
        self.ids.len() + self.locked.len()
    }

    /// Whether none were loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tries to unwrap one stanza.
    fn unwrap_stanza(&self, stanza: &AgeStanza) -> Option<Zeroizing<Vec<u8>>> {
        let unlocked = self.unlock_for(stanza);
        if self.ids.is_empty() && unlocked.is_none() {
            return None;
        }
        let reader = age::armor::ArmoredReader::new(stanza.enc.as_bytes());
        let dec = age::Decryptor::new_buffered(reader).ok()?;
        let ids = unlocked
            .map(|u| u as &dyn age::Identity)
            .into_iter()
            .chain(self.ids.iter().map(|i| i.as_ref() as &dyn age::Identity));
        let mut r = dec.decrypt(ids).ok()?;
        let mut out = Zeroizing::new(Vec::new());
        r.read_to_end(&mut out).ok()?;
        Some(out)
    }

    /// Recovers the data key of a file.
    pub(crate) fn data_key(&self, md: &Metadata) -> Result<Zeroizing<[u8; 32]>> {
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
            Some(_) => Err(AgeError::DataKeyLength.into()),
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
                for l in &self.locked {
                    if let Some(Err(e)) = l.unlocked.get() {
                        hint.push_str(&format!("\nproblem: {e}"));
                    }
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
                    tried: self.len(),
                    plural: if self.len() == 1 { "y" } else { "ies" },
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
pub(crate) fn wrap_groups(
    groups: &[Vec<Recipient>],
    threshold: Option<usize>,
    key: &[u8; 32],
) -> Result<(Vec<KeyGroup>, Option<usize>)> {
    if groups.is_empty() || groups.iter().all(|g| g.is_empty()) {
        return Err(AgeError::NoRecipients.into());
    }
    if groups.iter().any(|g| g.is_empty()) {
        return Err(AgeError::EmptyKeyGroup.into());
    }
    let (shares, threshold) = if groups.len() == 1 {
        // One group: no Shamir, the key itself; a threshold given is kept
        // in the metadata as sops keeps it.
        (
            vec![Zeroizing::new(key.to_vec())],
            threshold.filter(|t| *t > 0),
        )
    } else {
        let t = threshold.unwrap_or(groups.len());
        if t == 0 || t > groups.len() {
            return Err(AgeError::Threshold {
                threshold: t,
                groups: groups.len(),
            }
            .into());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_and_unwrap() {
        let id = Identity::generate();
        let (secret, recipient) = (id.expose_secret(), id.recipient().clone());
        assert!(recipient.as_str().starts_with("age1"));
        assert_eq!(Identity::parse(secret).unwrap().recipient(), &recipient);
        // The secret never shows in Debug.
        assert!(!format!("{id:?}").contains(secret), "{id:?}");
        assert!(format!("{id:?}").contains(recipient.as_str()), "{id:?}");
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
        ids.add_text(&format!("# a comment\n{secret}\n"), "test")
            .unwrap();
        assert_eq!(&*ids.data_key(&md).unwrap(), &key);
        // A different identity cannot, and the error names the recipients.
        let other = Identity::generate();
        let mut ids = Identities::empty();
        ids.add_text(other.expose_secret(), "test").unwrap();
        let e = ids.data_key(&md).unwrap_err().to_string();
        assert!(e.contains(recipient.as_str()), "{e}");
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
        let public_r = Recipient::parse(public).unwrap();
        let (groups, _) = wrap_groups(&[vec![public_r]], None, &key).unwrap();
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
    fn passphrase_protected_ssh_keys_ask_only_when_needed() {
        // A throwaway ed25519 key made with `ssh-keygen -N pass`.
        let private = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABBbckD/5R
VFUdQu8bz47Uo3AAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIAV/EvdE7CDmvRCw
gMf+4fr7ktfFuYnOYoc0N2LDGUCRAAAAoByPjHrvm7QyR3tFh0oMzHoZs+GMnsJ9QvNcPV
4gN3tViFvOhJA6BBiiBv2gUacv/hsJWc92QIuChewU+371tLv2wvtVDlFS6Ub0D9KWg+UG
7TwN78VDM8WWFDzRsy0kCKcUJwBhY1kpoMPV9gaVDJbDj7ZXwl8ZJy7PWDf/v2mkdY7Xzb
C2ohU5wZe/nejGq49fsi24ZOgPp12YBOeIC48=
-----END OPENSSH PRIVATE KEY-----
";
        let public = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAV/EvdE7CDmvRCwgMf+4fr7ktfFuYnOYoc0N2LDGUCR test@secretctl.io";
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let with = |pass: &'static str, asked: Arc<AtomicUsize>| {
            let mut ids = Identities::empty();
            ids.add_ssh_text(private, "SSH key /home/u/.ssh/id_ed25519")
                .unwrap();
            ids.set_passphrase_prompt(Box::new(move |prompt: &str| {
                assert_eq!(prompt, "Enter passphrase for \"/home/u/.ssh/id_ed25519\":");
                asked.fetch_add(1, Ordering::SeqCst);
                Ok(Zeroizing::new(pass.to_string()))
            }));
            ids
        };
        let key = [6u8; 32];
        let age_id = Identity::generate();
        let public_r = Recipient::parse(public).unwrap();
        // Two groups (Shamir): the key is asked for once, not per stanza.
        let (groups, t) =
            wrap_groups(&[vec![public_r.clone()], vec![public_r]], Some(2), &key).unwrap();
        let md = Metadata {
            key_groups: groups,
            shamir_threshold: t,
            ..Default::default()
        };
        let asked = Arc::new(AtomicUsize::new(0));
        assert_eq!(&*with("pass", asked.clone()).data_key(&md).unwrap(), &key);
        assert_eq!(asked.load(Ordering::SeqCst), 1);
        // A wrong passphrase is said.
        let asked = Arc::new(AtomicUsize::new(0));
        let e = with("nope", asked.clone())
            .data_key(&md)
            .unwrap_err()
            .to_string();
        assert!(e.contains("wrong passphrase"), "{e}");
        assert!(!e.contains("nope"), "{e}");
        assert_eq!(asked.load(Ordering::SeqCst), 1);
        // A file encrypted to another key: never asked.
        let (groups, _) = wrap_groups(&[vec![age_id.recipient().clone()]], None, &key).unwrap();
        let md = Metadata {
            key_groups: groups,
            ..Default::default()
        };
        let asked = Arc::new(AtomicUsize::new(0));
        let mut ids = with("pass", asked.clone());
        assert!(ids.data_key(&md).is_err());
        ids.add_text(age_id.expose_secret(), "age key").unwrap();
        assert_eq!(&*ids.data_key(&md).unwrap(), &key);
        assert_eq!(asked.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn bad_recipient_is_a_clear_error() {
        let e = Recipient::parse("age1nope").unwrap_err().to_string();
        assert!(e.contains("age1nope"), "{e}");
    }
}
