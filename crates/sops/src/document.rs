//! Whole-file operations: encrypt, decrypt, re-encrypt (edit), rotate.

use crate::cipher::{self, DataKey, IvStash};
use crate::crypt::{self, Rules};
use crate::error::{Error, Result};
use crate::keys::{self, Identities};
use crate::metadata::{self, EncryptionRules, Metadata};
use crate::stores;
pub use crate::stores::Format;
use crate::value::{Map, Value};
use zeroize::Zeroizing;

/// How to encrypt a new file.
#[derive(Debug, Clone)]
pub struct EncryptOptions {
    /// Key groups: age recipients per group (one group: no Shamir).
    pub groups: Vec<Vec<String>>,
    /// Shares needed with several groups (default: all).
    pub shamir_threshold: Option<usize>,
    /// Which values to encrypt.
    pub rules: EncryptionRules,
}

impl EncryptOptions {
    /// Encrypt to these key groups with sops' default rules.
    pub fn new(groups: Vec<Vec<String>>) -> Self {
        EncryptOptions {
            groups,
            shamir_threshold: None,
            rules: EncryptionRules::default().with_defaults(),
        }
    }
}

/// How to decrypt.
#[derive(Debug, Clone, Default)]
pub struct DecryptOptions {
    /// Skip the MAC check (sops' `--ignore-mac`).
    pub ignore_mac: bool,
}

/// A decrypted file, with what is needed to write it back.
pub struct Decrypted {
    /// The plaintext documents.
    pub docs: Vec<Map>,
    /// The file's metadata.
    pub metadata: Metadata,
    /// The data key.
    pub data_key: DataKey,
    /// IVs of the values as they were, for re-encrypting unchanged values identically.
    pub stash: IvStash,
    /// Non-fatal problems (e.g. unencrypted comments from old sops versions).
    pub warnings: Vec<String>,
    /// The plaintext in the input's format.
    pub plaintext: Zeroizing<Vec<u8>>,
}

/// Encrypts the documents in place with `key`, filling the MAC and
/// lastmodified of `md`.
pub fn seal_docs(
    docs: &mut [Map],
    md: &mut Metadata,
    key: &[u8; 32],
    stash: Option<&IvStash>,
) -> Result<()> {
    md.rules.validate()?;
    stamp(md);
    let rules = Rules::new(&md.rules)?;
    let mac = crypt::encrypt_branches(docs, &rules, key, stash)?;
    seal_mac(md, mac, key)
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
        .ok_or_else(|| Error::Unsupported("empty MAC".into()))?;
    Ok(())
}

/// Decrypts documents in place and checks the MAC.
pub fn open_docs(
    docs: &mut [Map],
    md: &Metadata,
    key: &[u8; 32],
    opts: &DecryptOptions,
) -> Result<(IvStash, Vec<String>)> {
    let mut stash = IvStash::new();
    let warnings = decrypt_checked(docs, md, key, Some(&mut stash), opts)?;
    Ok((stash, warnings))
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
pub fn new_metadata(opts: &EncryptOptions) -> Result<(Metadata, DataKey)> {
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

/// Encrypts plaintext documents for new recipients.
pub fn encrypt_docs(mut docs: Vec<Map>, opts: &EncryptOptions) -> Result<(Vec<Map>, Metadata)> {
    let (mut md, key) = new_metadata(opts)?;
    seal_docs(&mut docs, &mut md, &key, None)?;
    Ok((docs, md))
}

/// Encrypts a plaintext file (same format in and out).
pub fn encrypt(plain: &[u8], f: Format, opts: &EncryptOptions) -> Result<Vec<u8>> {
    encrypt_as(plain, f, f, opts)
}

/// Encrypts a plaintext file read as `input` and written as `output`.
pub fn encrypt_as(
    plain: &[u8],
    input: Format,
    output: Format,
    opts: &EncryptOptions,
) -> Result<Vec<u8>> {
    let docs = stores::load_plain(plain, input)?;
    if stores::has_metadata(&docs, input) {
        return Err(Error::AlreadyEncrypted);
    }
    let (docs, md) = encrypt_docs(docs, opts)?;
    stores::emit_encrypted(&docs, &md, output)
}

/// Reads and decrypts an encrypted file.
pub fn decrypt(
    enc: &[u8],
    f: Format,
    ids: &Identities,
    opts: &DecryptOptions,
) -> Result<Decrypted> {
    decrypt_as(enc, f, f, ids, opts)
}

/// Decrypts a file read as `input`; `plaintext` is written as `output`.
pub fn decrypt_as(
    enc: &[u8],
    input: Format,
    output: Format,
    ids: &Identities,
    opts: &DecryptOptions,
) -> Result<Decrypted> {
    let (mut docs, md) = stores::load_encrypted(enc, input)?;
    let key = ids.data_key(&md)?;
    let (stash, warnings) = open_docs(&mut docs, &md, &key, opts)?;
    let plaintext = Zeroizing::new(stores::emit_plain(&docs, output)?);
    Ok(Decrypted {
        docs,
        metadata: md,
        data_key: key,
        stash,
        warnings,
        plaintext,
    })
}

/// A decrypted file for reading: its documents, without the IVs needed to
/// re-encrypt it unchanged and without a copy of the plaintext (see
/// [`Opened::write_plaintext`]). What `decrypt`, `exec-env` and references
/// need, at the least cost for large files.
pub struct Opened {
    /// The plaintext documents.
    pub docs: Vec<Map>,
    /// The file's metadata.
    pub metadata: Metadata,
    /// Non-fatal problems (e.g. unencrypted comments from old sops versions).
    pub warnings: Vec<String>,
}

impl Opened {
    /// Writes the plaintext in format `f` (large values are not copied).
    pub fn write_plaintext(&self, f: Format, w: &mut dyn std::io::Write) -> Result<()> {
        stores::write_plain(&self.docs, f, w)
    }
}

/// Reads and decrypts an encrypted file for reading only (see [`Opened`]).
pub fn open(enc: &[u8], input: Format, ids: &Identities, opts: &DecryptOptions) -> Result<Opened> {
    let (mut docs, md) = stores::load_encrypted(enc, input)?;
    let key = ids.data_key(&md)?;
    let warnings = decrypt_checked(&mut docs, &md, &key, None, opts)?;
    Ok(Opened {
        docs,
        metadata: md,
        warnings,
    })
}

/// An encrypted file in memory, ready to be written.
pub struct Sealed {
    /// The encrypted documents.
    pub docs: Vec<Map>,
    /// Their metadata.
    pub metadata: Metadata,
}

impl Sealed {
    /// Writes the file in format `f` (large values are not copied).
    pub fn write(&self, f: Format, w: &mut dyn std::io::Write) -> Result<()> {
        stores::write_encrypted(&self.docs, &self.metadata, f, w)
    }
}

/// Encrypts a plaintext file read as `input`, taking its bytes (a binary
/// file's are encrypted where they are and wiped once).
pub fn encrypt_file(
    plain: Zeroizing<Vec<u8>>,
    input: Format,
    opts: &EncryptOptions,
) -> Result<Sealed> {
    let docs = stores::load_plain_owned(plain, input)?;
    if stores::has_metadata(&docs, input) {
        return Err(Error::AlreadyEncrypted);
    }
    let (docs, metadata) = encrypt_docs(docs, opts)?;
    Ok(Sealed { docs, metadata })
}

/// Re-encrypts edited documents with the file's data key: values whose
/// plaintext did not change keep their ciphertext.
pub fn reencrypt(d: &Decrypted, mut docs: Vec<Map>, f: Format) -> Result<Vec<u8>> {
    let mut md = d.metadata.clone();
    seal_docs(&mut docs, &mut md, &d.data_key, Some(&d.stash))?;
    stores::emit_encrypted(&docs, &md, f)
}

/// The keys of other types (pgp, kms, …) a file has, which secretctl
/// cannot encrypt a data key to.
fn other_keys_of(md: &Metadata) -> Vec<String> {
    md.key_groups.iter().flat_map(|g| g.other_ids()).collect()
}

/// Replaces the data key (sops `rotate`) and optionally the recipients and
/// the Shamir threshold (default: the file's).
///
/// Refused for files also encrypted to keys other than age (pgp, kms,
/// gcp_kms, azure_kv, hc_vault): the new data key could not be encrypted
/// to them, so rotating would lock their holders out.
pub fn rotate(
    d: &Decrypted,
    groups: Option<Vec<Vec<String>>>,
    threshold: Option<usize>,
    f: Format,
) -> Result<Vec<u8>> {
    let other = other_keys_of(&d.metadata);
    if !other.is_empty() {
        return Err(Error::Unsupported(format!(
            "the file is also encrypted to {}: secretctl encrypts only to age keys, so a new data key \
             would lock these keys out. Rotate it with `sops rotate`, or first remove these keys from \
             .sops.yaml and run `secretctl updatekeys`",
            other.join(", ")
        )));
    }
    let groups = groups.unwrap_or_else(|| {
        d.metadata
            .key_groups
            .iter()
            .map(|g| g.age.iter().map(|a| a.recipient.clone()).collect())
            .collect()
    });
    let opts = EncryptOptions {
        groups,
        shamir_threshold: threshold.or(d.metadata.shamir_threshold),
        rules: d.metadata.rules.clone(),
    };
    let (docs, md) = encrypt_docs(d.docs.clone(), &opts)?;
    stores::emit_encrypted(&docs, &md, f)
}

/// The keys `updatekeys` would give a file: age recipients and keys of
/// other types (as [`crate::metadata::other_key_id`] names them) per key
/// group, and the Shamir threshold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyPlan {
    /// Age recipients per group.
    pub groups: Vec<Vec<String>>,
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
    fn threshold_for(&self, md: &Metadata) -> Option<usize> {
        self.shamir_threshold
            .or(md.shamir_threshold)
            .map(|t| t.min(self.groups.len().max(1)))
    }

    fn other_of(&self, i: usize) -> &[String] {
        self.other.get(i).map(Vec::as_slice).unwrap_or(&[])
    }

    /// What applying the plan to a file with metadata `md` changes.
    /// Refuses what [`update_keys_to`] cannot do for a file with metadata
    /// `md`, before anything is asked or decrypted.
    pub fn check(&self, md: &Metadata) -> Result<()> {
        let had = other_keys_of(md);
        let wanted: Vec<String> = self.other.iter().flatten().cloned().collect();
        if let Some(new) = wanted.iter().find(|k| !had.contains(k)) {
            return Err(Error::Unsupported(format!(
                "the creation rule adds {new}: secretctl encrypts only to age keys. Run `sops updatekeys` \
                 for this file, or remove the key from .sops.yaml"
            )));
        }
        if !wanted.is_empty() && (self.groups.len() > 1 || md.key_groups.len() > 1) {
            return Err(Error::Unsupported(format!(
                "cannot keep {} in a file whose data key is split into key groups: secretctl would split \
                 it anew and cannot encrypt the new shares to keys other than age. Run `sops updatekeys` \
                 for this file",
                wanted.join(", ")
            )));
        }
        Ok(())
    }

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
                    .cloned()
                    .chain(self.other_of(i).iter().cloned())
            })
            .collect();
        let same_grouping = md.key_groups.len() == self.groups.len()
            && md.key_groups.iter().enumerate().all(|(i, g)| {
                g.age.iter().map(|a| &a.recipient).eq(self.groups[i].iter())
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

/// Re-wraps the same data key for new key groups (sops `updatekeys`);
/// values and MAC are unchanged.
///
/// Entries for keys of other types (pgp, kms, …) that the plan still names
/// are kept as they are (they hold the same data key); those it no longer
/// names are removed. Adding such a key is refused (secretctl cannot
/// encrypt to it), and so is keeping one when the data key is split into
/// several groups (the new Shamir shares could not be encrypted to it).
pub fn update_keys_to(enc: &[u8], f: Format, ids: &Identities, plan: &KeyPlan) -> Result<Vec<u8>> {
    let (docs, mut md) = stores::load_encrypted(enc, f)?;
    // What cannot be done is refused before a key (or its passphrase) is needed.
    plan.check(&md)?;
    let key = ids.data_key(&md)?;
    // Verify the file before touching its keys.
    decrypt_checked(
        &mut docs.clone(),
        &md,
        &key,
        None,
        &DecryptOptions::default(),
    )?;
    let threshold = plan.threshold_for(&md);
    let (mut key_groups, t) = keys::wrap_groups(&plan.groups, threshold, &key)?;
    if let (Some(old), Some(new)) = (md.key_groups.first(), key_groups.first_mut()) {
        if plan.other.iter().any(|o| !o.is_empty()) {
            new.other = old.other.clone();
            new.retain_other(plan.other_of(0));
        }
    }
    md.key_groups = key_groups;
    md.shamir_threshold = t;
    stores::emit_encrypted(&docs, &md, f)
}

/// Whether a file is encrypted (has sops metadata), as `sops filestatus`.
pub fn is_encrypted(input: &[u8], f: Format) -> bool {
    stores::load_encrypted(input, f).is_ok()
}
