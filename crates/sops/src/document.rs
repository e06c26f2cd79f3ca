//! Whole files: [`SopsFile`] (a file opened with its data key, its values
//! in clear, to read and change) and [`Sealed`] (a file as stored: values
//! encrypted, metadata with the MAC). Encrypting, decrypting, editing,
//! rotating and `updatekeys` all go through these two.

use crate::cipher::{self, DataKey, IvStash};
use crate::crypt::{self, Rules};
use crate::error::{Error, Result, StructureError, UnsupportedError};
use crate::keys::{self, Identities, Recipient};
use crate::metadata::{self, EncryptionRules, Metadata};
use crate::stores;
pub use crate::stores::Format;
use crate::value::{self, Map, PathStep, Value};
use zeroize::Zeroizing;

/// How to encrypt a new file.
#[derive(Debug, Clone)]
pub struct EncryptOptions {
    /// Key groups: age recipients per group (one group: no Shamir).
    pub groups: Vec<Vec<Recipient>>,
    /// Shares needed with several groups (default: all).
    pub shamir_threshold: Option<usize>,
    /// Which values to encrypt.
    pub rules: EncryptionRules,
}

impl EncryptOptions {
    /// Encrypt to these key groups with sops' default rules.
    pub fn new(groups: Vec<Vec<Recipient>>) -> Self {
        EncryptOptions {
            groups,
            shamir_threshold: None,
            rules: EncryptionRules::default().with_defaults(),
        }
    }

    /// What a `.sops.yaml` creation rule says: its key groups (parsed),
    /// Shamir threshold and encryption rules.
    pub fn from_rule(rule: &crate::config::CreationRule) -> Result<Self> {
        Ok(EncryptOptions {
            groups: keys::parse_groups(&rule.groups)?,
            shamir_threshold: rule.shamir_threshold,
            rules: rule.rules.clone(),
        })
    }
}

/// How to decrypt.
#[derive(Debug, Clone, Default)]
pub struct DecryptOptions {
    /// Skip the MAC check (sops' `--ignore-mac`).
    pub ignore_mac: bool,
    /// The file is only read, never sealed again: the IVs of its values are
    /// not remembered (that costs a hash of every value, noticeable for
    /// large files). Sealing it anyway gives every value a new IV.
    pub read_only: bool,
}

/// A SOPS file opened with its data key: its documents in clear, its
/// metadata, and what is needed to seal it again so that values that did
/// not change keep their ciphertext (as `sops edit` does).
pub struct SopsFile {
    format: Format,
    docs: Vec<Map>,
    metadata: Metadata,
    key: DataKey,
    stash: IvStash,
    warnings: Vec<String>,
}

impl SopsFile {
    /// Parses an encrypted file in format `format` and decrypts it with
    /// the first of `ids` that can unwrap its data key; the MAC is checked
    /// unless `opts` says not to.
    pub fn open(
        bytes: &[u8],
        format: Format,
        ids: &Identities,
        opts: &DecryptOptions,
    ) -> Result<SopsFile> {
        Sealed::parse(bytes, format)?.open(ids, opts)
    }

    /// A new file from plaintext in format `format`, with a new data key
    /// wrapped for the recipients of `opts`. Takes the bytes: a binary
    /// file's are kept where they are (and wiped once).
    pub fn create(
        plain: Zeroizing<Vec<u8>>,
        format: Format,
        opts: &EncryptOptions,
    ) -> Result<SopsFile> {
        let docs = stores::load_plain_owned(plain, format)?;
        if stores::has_metadata(&docs, format) {
            return Err(Error::AlreadyEncrypted);
        }
        let (metadata, key) = new_metadata(opts)?;
        Ok(SopsFile::from_parts(format, docs, metadata, key))
    }

    /// A file from its parts (no IVs remembered).
    pub(crate) fn from_parts(
        format: Format,
        docs: Vec<Map>,
        metadata: Metadata,
        key: DataKey,
    ) -> Self {
        SopsFile {
            format,
            docs,
            metadata,
            key,
            stash: IvStash::new(),
            warnings: Vec::new(),
        }
    }

    /// The format the file was read in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The documents, in clear.
    pub fn docs(&self) -> &[Map] {
        &self.docs
    }

    /// The metadata (key groups, rules, …) as it will be sealed.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Non-fatal problems met while decrypting (e.g. unencrypted comments
    /// from old sops versions).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The value at `path` in the first document.
    pub fn get(&self, path: &[PathStep]) -> Option<&Value> {
        value::lookup(self.docs.first()?, path)
    }

    /// The plaintext in format `f`.
    pub fn plaintext(&self, f: Format) -> Result<Zeroizing<Vec<u8>>> {
        stores::emit_plain(&self.docs, f).map(Zeroizing::new)
    }

    /// Writes the plaintext in format `f` (large values are not copied).
    pub fn write_plaintext(&self, f: Format, w: &mut dyn std::io::Write) -> Result<()> {
        stores::write_plain(&self.docs, f, w)
    }

    /// The value at `path` written in format `f` (strings as they are,
    /// trees in the format), as `decrypt --extract` prints it; `None` if
    /// there is no such value.
    pub fn extract(&self, path: &[PathStep], f: Format) -> Result<Option<Zeroizing<Vec<u8>>>> {
        self.get(path)
            .map(|v| stores::emit_value(v, f).map(Zeroizing::new))
            .transpose()
    }

    /// Sets the value at `path` in the first document, creating maps and
    /// lists on the way (as `sops set` does). Returns whether anything
    /// changed.
    pub fn set(&mut self, path: &[PathStep], v: Value) -> Result<bool> {
        if self.docs.is_empty() {
            self.docs.push(Map::new());
        }
        Ok(value::set_path(&mut self.docs[0], path, v)?)
    }

    /// Removes the value at `path` from the first document.
    pub fn unset(&mut self, path: &[PathStep]) -> Result<()> {
        let first = self
            .docs
            .first_mut()
            .ok_or(crate::value::PathError::NoDocument)?;
        Ok(value::unset_path(first, path)?)
    }

    /// Replaces the documents with an edited plaintext in the file's
    /// format. A top-level `sops` key is refused: it holds the metadata.
    pub fn replace_plaintext(&mut self, text: &[u8]) -> Result<()> {
        let mut docs = stores::load_plain(text, self.format)?;
        if stores::has_metadata(&docs, self.format) {
            return Err(StructureError::ReservedSopsKey.into());
        }
        if docs.is_empty() {
            docs.push(Map::new());
        }
        self.docs = docs;
        Ok(())
    }

    /// Replaces the data key (sops `rotate`): the file is encrypted anew to
    /// its age recipients, plus `add`, minus those in `remove` (compared as
    /// text, so a key that no longer parses can still be removed), with
    /// Shamir threshold `threshold` (default: the file's).
    ///
    /// Refused for files also encrypted to keys other than age (pgp, kms,
    /// gcp_kms, azure_kv, hc_vault): the new data key could not be
    /// encrypted to them, so rotating would lock their holders out.
    pub fn rotate(
        &mut self,
        add: &[Recipient],
        remove: &[String],
        threshold: Option<usize>,
    ) -> Result<()> {
        let other = other_keys_of(&self.metadata);
        if !other.is_empty() {
            return Err(UnsupportedError::RotateOtherKeys { keys: other }.into());
        }
        let mut groups: Vec<Vec<Recipient>> = self
            .metadata
            .key_groups
            .iter()
            .map(|g| {
                g.age
                    .iter()
                    .map(|a| Recipient::parse(&a.recipient))
                    .collect()
            })
            .collect::<Result<_>>()?;
        if !add.is_empty() {
            if groups.is_empty() {
                groups.push(Vec::new());
            }
            for r in add {
                if !groups[0].contains(r) {
                    groups[0].push(r.clone());
                }
            }
        }
        for g in groups.iter_mut() {
            g.retain(|r| !remove.iter().any(|x| x == r.as_str()));
        }
        let opts = EncryptOptions {
            groups,
            shamir_threshold: threshold.or(self.metadata.shamir_threshold),
            rules: self.metadata.rules.clone(),
        };
        let (metadata, key) = new_metadata(&opts)?;
        self.metadata = metadata;
        self.key = key;
        self.stash = IvStash::new();
        Ok(())
    }

    /// Encrypts the values (those unchanged keep their ciphertext), dates
    /// the metadata and computes the MAC.
    pub fn seal(mut self) -> Result<Sealed> {
        let md = &mut self.metadata;
        md.rules.validate()?;
        stamp(md);
        let rules = Rules::new(&md.rules)?;
        let mac = crypt::encrypt_branches(&mut self.docs, &rules, &self.key, Some(&self.stash))?;
        seal_mac(md, mac, &self.key)?;
        Ok(Sealed {
            format: self.format,
            docs: std::mem::take(&mut self.docs),
            metadata: std::mem::take(&mut self.metadata),
        })
    }
}

/// A SOPS file as stored: its documents with their values encrypted, and
/// its metadata. What [`SopsFile::seal`] gives, and what an encrypted
/// file's bytes parse to without any key.
pub struct Sealed {
    format: Format,
    docs: Vec<Map>,
    metadata: Metadata,
}

impl Sealed {
    /// Parses an encrypted file in format `format` (nothing is decrypted).
    pub fn parse(bytes: &[u8], format: Format) -> Result<Sealed> {
        let (docs, metadata) = stores::load_encrypted(bytes, format)?;
        Ok(Sealed {
            format,
            docs,
            metadata,
        })
    }

    /// The metadata: key groups, rules, MAC, dates.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Decrypts the file (see [`SopsFile::open`]).
    pub fn open(self, ids: &Identities, opts: &DecryptOptions) -> Result<SopsFile> {
        let key = ids.data_key(&self.metadata)?;
        self.open_with_key(key, opts)
    }

    /// Decrypts the file with its data key.
    pub(crate) fn open_with_key(self, key: DataKey, opts: &DecryptOptions) -> Result<SopsFile> {
        let Sealed {
            format,
            mut docs,
            metadata,
        } = self;
        let mut stash = IvStash::new();
        let keep = (!opts.read_only).then_some(&mut stash);
        let warnings = decrypt_checked(&mut docs, &metadata, &key, keep, opts)?;
        Ok(SopsFile {
            format,
            docs,
            metadata,
            key,
            stash,
            warnings,
        })
    }

    /// Re-wraps the same data key for the key groups of `plan` (sops
    /// `updatekeys`); values, MAC and dates are unchanged. The file is
    /// decrypted first to check it (with `ids`, which must unwrap its key).
    ///
    /// Entries for keys of other types (pgp, kms, …) that the plan still
    /// names are kept as they are (they hold the same data key); those it
    /// no longer names are removed. What [`KeyPlan::check`] refuses is
    /// refused before any key (or its passphrase) is needed.
    pub fn update_keys(&mut self, ids: &Identities, plan: &KeyPlan) -> Result<()> {
        let md = &mut self.metadata;
        plan.check(md)?;
        let key = ids.data_key(md)?;
        // Verify the file before touching its keys.
        decrypt_checked(
            &mut self.docs.clone(),
            md,
            &key,
            None,
            &DecryptOptions::default(),
        )?;
        let threshold = plan.threshold_for(md);
        let (mut key_groups, t) = keys::wrap_groups(&plan.groups, threshold, &key)?;
        if let (Some(old), Some(new)) = (md.key_groups.first(), key_groups.first_mut()) {
            if plan.other.iter().any(|o| !o.is_empty()) {
                new.other = old.other.clone();
                new.retain_other(plan.other_of(0));
            }
        }
        md.key_groups = key_groups;
        md.shamir_threshold = t;
        Ok(())
    }

    /// Writes the file in format `f` (large values are not copied).
    pub fn write(&self, f: Format, w: &mut dyn std::io::Write) -> Result<()> {
        stores::write_encrypted(&self.docs, &self.metadata, f, w)
    }

    /// The file's bytes in format `f`.
    pub fn to_bytes(&self, f: Format) -> Result<Vec<u8>> {
        stores::emit_encrypted(&self.docs, &self.metadata, f)
    }
}

/// Whether a file is encrypted (has sops metadata), as `sops filestatus`.
pub fn is_encrypted(input: &[u8], f: Format) -> bool {
    stores::load_encrypted(input, f).is_ok()
}

/// Dates and versions metadata being written, as sops does on every write.
pub(crate) fn stamp(md: &mut Metadata) {
    md.lastmodified = metadata::now_rfc3339();
    md.version = metadata::SOPS_VERSION.to_string();
}

/// Stores the MAC (upper-case hex), encrypted with the data key and bound
/// to the metadata's `lastmodified`.
pub(crate) fn seal_mac(md: &mut Metadata, mac: String, key: &[u8; 32]) -> Result<()> {
    let aad = metadata::mac_aad(&md.lastmodified)?;
    md.mac = cipher::encrypt(&Value::str(mac), key, &aad, None)?
        .ok_or(UnsupportedError::Internal("empty MAC"))?;
    Ok(())
}

/// Decrypts `docs` in place and checks the MAC; returns the warnings.
/// `stash` keeps each value's IV (for re-encrypting unchanged values).
fn decrypt_checked(
    docs: &mut [Map],
    md: &Metadata,
    key: &[u8; 32],
    stash: Option<&mut IvStash>,
    opts: &DecryptOptions,
) -> Result<Vec<String>> {
    let rules = Rules::new(&md.rules)?;
    let mut warnings = Vec::new();
    let computed = crypt::decrypt_branches(docs, &rules, key, stash, &mut warnings)?;
    check_mac(md, key, &computed, opts)?;
    Ok(warnings)
}

fn check_mac(md: &Metadata, key: &[u8; 32], computed: &str, opts: &DecryptOptions) -> Result<()> {
    if opts.ignore_mac {
        return Ok(());
    }
    if md.mac.is_empty() {
        return Err(Error::MacMismatch);
    }
    let aad = metadata::mac_aad(&md.lastmodified)?;
    let stored = cipher::decrypt(&md.mac, key, &aad, None).map_err(|_| Error::MacMismatch)?;
    if stored.as_str() != Some(computed) {
        return Err(Error::MacMismatch);
    }
    Ok(())
}

/// Builds fresh metadata and a data key for new recipients.
pub(crate) fn new_metadata(opts: &EncryptOptions) -> Result<(Metadata, DataKey)> {
    opts.rules.validate()?;
    let key = cipher::generate_data_key()?;
    let (key_groups, shamir_threshold) =
        keys::wrap_groups(&opts.groups, opts.shamir_threshold, &key)?;
    Ok((
        Metadata {
            key_groups,
            shamir_threshold,
            lastmodified: String::new(),
            mac: String::new(),
            rules: opts.rules.clone(),
            version: metadata::SOPS_VERSION.to_string(),
        },
        key,
    ))
}

/// The keys of other types (pgp, kms, …) a file has, which secretctl
/// cannot encrypt a data key to.
fn other_keys_of(md: &Metadata) -> Vec<String> {
    md.key_groups.iter().flat_map(|g| g.other_ids()).collect()
}

/// The keys `updatekeys` would give a file: age recipients and keys of
/// other types (as `kind id` (e.g. `pgp FP`) names them) per key
/// group, and the Shamir threshold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyPlan {
    /// Age recipients per group.
    pub groups: Vec<Vec<Recipient>>,
    /// Keys of other types per group (parallel to `groups`; may be shorter).
    pub other: Vec<Vec<String>>,
    /// Shares needed (default: the file's, at most the number of groups).
    pub shamir_threshold: Option<usize>,
}

/// What `updatekeys` changes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyChanges {
    /// Keys added (`age1…`, `ssh-…`, `pgp FP`, …).
    pub added: Vec<String>,
    /// Keys removed.
    pub removed: Vec<String>,
    /// The threshold before and after, when it changes.
    pub threshold: Option<(Option<usize>, Option<usize>)>,
    /// Whether anything changes (also the grouping).
    pub any: bool,
}

impl KeyPlan {
    /// The plan a `.sops.yaml` creation rule gives, with the Shamir
    /// threshold `threshold` if set (else the rule's).
    pub fn from_rule(rule: &crate::config::CreationRule, threshold: Option<usize>) -> Result<Self> {
        Ok(KeyPlan {
            groups: keys::parse_groups(&rule.groups)?,
            other: rule.other_keys.clone(),
            shamir_threshold: threshold.or(rule.shamir_threshold),
        })
    }

    fn threshold_for(&self, md: &Metadata) -> Option<usize> {
        self.shamir_threshold
            .or(md.shamir_threshold)
            .map(|t| t.min(self.groups.len().max(1)))
    }

    fn other_of(&self, i: usize) -> &[String] {
        self.other.get(i).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Refuses what [`Sealed::update_keys`] cannot do for a file with
    /// metadata `md`, before anything is asked or decrypted.
    pub fn check(&self, md: &Metadata) -> Result<()> {
        let had = other_keys_of(md);
        let wanted: Vec<String> = self.other.iter().flatten().cloned().collect();
        if let Some(new) = wanted.iter().find(|k| !had.contains(k)) {
            return Err(UnsupportedError::AddOtherKey { key: new.clone() }.into());
        }
        if !wanted.is_empty() && (self.groups.len() > 1 || md.key_groups.len() > 1) {
            return Err(UnsupportedError::OtherKeysWithGroups { keys: wanted }.into());
        }
        Ok(())
    }

    /// What applying the plan to a file with metadata `md` changes.
    pub fn changes(&self, md: &Metadata) -> KeyChanges {
        let old: Vec<String> = md
            .key_groups
            .iter()
            .flat_map(|g| {
                g.age
                    .iter()
                    .map(|a| a.recipient.clone())
                    .chain(g.other_ids())
            })
            .collect();
        let new: Vec<String> = (0..self.groups.len())
            .flat_map(|i| {
                self.groups[i]
                    .iter()
                    .map(Recipient::to_string)
                    .chain(self.other_of(i).iter().cloned())
            })
            .collect();
        let same_grouping = md.key_groups.len() == self.groups.len()
            && md.key_groups.iter().enumerate().all(|(i, g)| {
                g.age
                    .iter()
                    .map(|a| a.recipient.as_str())
                    .eq(self.groups[i].iter().map(Recipient::as_str))
                    && g.other_ids() == self.other_of(i)
            });
        let t = self.threshold_for(md);
        let threshold = (t != md.shamir_threshold).then_some((md.shamir_threshold, t));
        KeyChanges {
            added: new.iter().filter(|k| !old.contains(k)).cloned().collect(),
            removed: old.iter().filter(|k| !new.contains(k)).cloned().collect(),
            any: !same_grouping || threshold.is_some(),
            threshold,
        }
    }
}
