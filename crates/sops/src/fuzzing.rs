//! Internals the fuzz targets (`fuzz/`) and this crate's integration tests
//! check directly, behind the `fuzzing` feature: not a stable API.

use crate::cipher;
use crate::document::{Sealed, SopsFile};
use crate::error::Result;
use crate::metadata::{EncryptionRules, Metadata};
use crate::stores::Format;
use crate::value::Map;
use zeroize::Zeroizing;

/// Decrypts a parsed file with a data key given directly (files encrypted
/// to keys secretctl cannot use, fuzzed input).
pub fn open_with_key(
    sealed: Sealed,
    key: [u8; 32],
    opts: &crate::DecryptOptions,
) -> Result<SopsFile> {
    sealed.open_with_key(Zeroizing::new(key), opts)
}

/// Seals documents with a data key given directly, under `rules`, with
/// no key groups.
pub fn seal_with_key(
    docs: Vec<Map>,
    format: Format,
    rules: EncryptionRules,
    key: [u8; 32],
) -> Result<Sealed> {
    let metadata = Metadata {
        rules,
        ..Default::default()
    };
    SopsFile::from_parts(format, docs, metadata, Zeroizing::new(key)).seal()
}

/// Encrypts one value's bytes of type `ty` with an explicit IV: the
/// `ENC[AES256_GCM,…]` string.
pub fn seal_value(plain: &[u8], ty: &str, key: &[u8; 32], aad: &str, iv: &[u8]) -> Result<String> {
    cipher::seal(plain, ty, key, aad, iv)
}

/// The ciphertext (without tag) and the tag of an `ENC[…]` string.
pub fn parse_value(value: &str, aad: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    cipher::parse(value, aad).map(|p| (p.data, p.tag))
}

/// Decrypts an `ENC[…]` string to its plaintext bytes.
pub fn decrypt_value(value: &str, key: &[u8; 32], aad: &str) -> Result<Vec<u8>> {
    let v = cipher::decrypt(value, key, aad, None)?;
    Ok(cipher::plaintext_bytes(&v)
        .map(|(b, _)| b.to_vec())
        .unwrap_or_default())
}

/// The MAC's additional data for a `lastmodified` value.
pub fn mac_aad(lastmodified: &str) -> Result<String> {
    crate::metadata::mac_aad(lastmodified)
}

/// Wraps a data key for one recipient: the age stanza a file's metadata
/// holds.
pub fn wrap_data_key(
    recipient: &crate::Recipient,
    key: &[u8],
) -> Result<crate::metadata::AgeStanza> {
    crate::keys::wrap(recipient, key)
}

/// The stores: the public functions, plus each format's own reader and
/// writer.
pub mod stores {
    pub use crate::stores::*;

    /// The YAML store.
    pub mod yaml {
        use crate::{Map, Result};
        /// Reads YAML documents.
        pub fn load(input: &[u8]) -> Result<Vec<Map>> {
            crate::stores::yaml::load(input)
        }
        /// Writes YAML documents.
        pub fn emit(docs: &[Map]) -> String {
            crate::stores::yaml::emit(docs)
        }
    }

    /// The JSON store.
    pub mod json {
        use crate::{Map, Result};
        /// Reads a JSON document.
        pub fn load(input: &[u8]) -> Result<Map> {
            crate::stores::json::load(input)
        }
        /// Writes a JSON document.
        pub fn emit(m: &Map) -> String {
            crate::stores::json::emit(m)
        }
    }

    /// The dotenv store.
    pub mod dotenv {
        use crate::{Map, Result};
        /// Reads a dotenv file.
        pub fn load(input: &[u8]) -> Result<Map> {
            crate::stores::dotenv::load(input)
        }
        /// Writes a dotenv file.
        pub fn emit(m: &Map) -> Result<String> {
            crate::stores::dotenv::emit(m)
        }
    }

    /// The INI store.
    pub mod ini {
        use crate::{Map, Result};
        /// Reads an INI file.
        pub fn load(input: &[u8]) -> Result<Map> {
            crate::stores::ini::load(input)
        }
        /// Writes an INI file.
        pub fn emit(m: &Map) -> Result<String> {
            crate::stores::ini::emit(m)
        }
    }
}
