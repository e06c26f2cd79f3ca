//! The SOPS file format, natively: the value cipher (AES-256-GCM with
//! 32-byte IVs), the MAC, metadata, age wrapping of the data key, the
//! stores (YAML, JSON, dotenv, INI, binary) and `.sops.yaml` rules.
//!
//! Files written here decrypt with the real `sops`, and files `sops`
//! writes decrypt here to the same bytes.
//!
//! ```
//! use sops::{DecryptOptions, EncryptOptions, Format, Identities, Identity, SopsFile};
//! let me = Identity::generate();
//! let plain = b"password: hunter2\n".to_vec();
//! let opts = EncryptOptions::new(vec![vec![me.recipient().clone()]]);
//! let sealed = SopsFile::create(plain.clone().into(), Format::Yaml, &opts)?.seal()?;
//! let enc = sealed.to_bytes(Format::Yaml)?;
//! let mut ids = Identities::empty();
//! ids.add_text(me.expose_secret(), "example")?;
//! let file = SopsFile::open(&enc, Format::Yaml, &ids, &DecryptOptions::default())?;
//! assert_eq!(&file.plaintext(Format::Yaml)?[..], &plain[..]);
//! # Ok::<(), sops::Error>(())
//! ```

#![deny(missing_docs, unreachable_pub)]

// The value cipher, its helpers and the per-format stores are internal:
// the fuzz targets and integration tests reach them through the
// `fuzzing` feature (src/fuzzing.rs).
mod cipher;
pub mod config;
pub mod crypt;
mod document;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod gcm;
mod goformat;
pub mod keys;
pub mod metadata;
pub mod reference;
mod shamir;
pub mod stores;
mod stream;
mod timefmt;
mod tty;
pub mod value;

pub use document::*;
pub use error::{
    AgeError, Error, IdentityProblem, Location, MetadataError, PassphraseError, Result,
    StructureError, UnsupportedError,
};
pub use keys::{Identities, Identity, Recipient};
pub use stream::encrypt_binary_stream;
pub use value::{Map, MapItem, PathError, PathStep, Secret, Value};
