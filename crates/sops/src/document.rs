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
    md.lastmodified = metadata::now_rfc3339();
    md.version = metadata::SOPS_VERSION.to_string();
    let rules = Rules::new(&md.rules)?;
    let mac = crypt::encrypt_branches(docs, &rules, key, stash)?;
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
    let rules = Rules::new(&md.rules)?;
    let mut stash = IvStash::new();
    let mut warnings = Vec::new();
    let computed = crypt::decrypt_branches(docs, &rules, key, Some(&mut stash), &mut warnings)?;
    if !opts.ignore_mac {
        if md.mac.is_empty() {
            return Err(Error::MacMismatch);
        }
        let aad = metadata::mac_aad(&md.lastmodified)?;
        let stored = cipher::decrypt(&md.mac, key, &aad, None).map_err(|_| Error::MacMismatch)?;
        if stored.as_str() != Some(computed.as_str()) {
            return Err(Error::MacMismatch);
        }
    }
    Ok((stash, warnings))
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

/// Re-encrypts edited documents with the file's data key: values whose
/// plaintext did not change keep their ciphertext.
pub fn reencrypt(d: &Decrypted, mut docs: Vec<Map>, f: Format) -> Result<Vec<u8>> {
    let mut md = d.metadata.clone();
    seal_docs(&mut docs, &mut md, &d.data_key, Some(&d.stash))?;
    stores::emit_encrypted(&docs, &md, f)
}

/// Replaces the data key (sops `rotate`) and optionally the recipients.
pub fn rotate(d: &Decrypted, groups: Option<Vec<Vec<String>>>, f: Format) -> Result<Vec<u8>> {
    let groups = groups.unwrap_or_else(|| {
        d.metadata
            .key_groups
            .iter()
            .map(|g| g.age.iter().map(|a| a.recipient.clone()).collect())
            .collect()
    });
    let opts = EncryptOptions {
        groups,
        shamir_threshold: d.metadata.shamir_threshold,
        rules: d.metadata.rules.clone(),
    };
    let (docs, md) = encrypt_docs(d.docs.clone(), &opts)?;
    stores::emit_encrypted(&docs, &md, f)
}

/// Re-wraps the same data key for new key groups (sops `updatekeys`);
/// values and MAC are unchanged.
pub fn update_keys(
    enc: &[u8],
    f: Format,
    ids: &Identities,
    groups: &[Vec<String>],
    threshold: Option<usize>,
) -> Result<Vec<u8>> {
    let (docs, mut md) = stores::load_encrypted(enc, f)?;
    let key = ids.data_key(&md)?;
    // Verify the file before touching its keys.
    let mut check = docs.clone();
    open_docs(&mut check, &md, &key, &DecryptOptions::default())?;
    let (key_groups, t) = keys::wrap_groups(groups, threshold, &key)?;
    md.key_groups = key_groups;
    md.shamir_threshold = t;
    stores::emit_encrypted(&docs, &md, f)
}

/// Whether a file is encrypted (has sops metadata), as `sops filestatus`.
pub fn is_encrypted(input: &[u8], f: Format) -> bool {
    stores::load_encrypted(input, f).is_ok()
}
