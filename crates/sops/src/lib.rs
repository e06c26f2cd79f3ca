//! The SOPS file format, natively: the value cipher (AES-256-GCM with
//! 32-byte IVs), the MAC, metadata, age wrapping of the data key, the
//! stores (YAML, JSON, dotenv, INI, binary) and `.sops.yaml` rules.
//!
//! Files written here decrypt with the real `sops`, and files `sops`
//! writes decrypt here to the same bytes.
//!
//! ```
//! use sops::{Format, keys::{generate_identity, Identities}};
//! let (secret, recipient) = generate_identity();
//! let plain = b"password: hunter2\n";
//! let opts = sops::EncryptOptions::new(vec![vec![recipient]]);
//! let enc = sops::encrypt(plain, Format::Yaml, &opts).unwrap();
//! let mut ids = Identities::empty();
//! ids.add_text(&secret, "example").unwrap();
//! let out = sops::decrypt(&enc, Format::Yaml, &ids, &sops::DecryptOptions::default()).unwrap();
//! assert_eq!(&out.plaintext[..], plain);
//! ```

pub mod cipher;
pub mod config;
pub mod crypt;
mod document;
pub mod error;
mod gcm;
pub mod goformat;
pub mod keys;
pub mod metadata;
pub mod reference;
pub mod shamir;
pub mod stores;
mod stream;
pub mod timefmt;
mod tty;
pub mod value;

pub use document::*;
pub use error::{Error, Location, Result};
pub use stream::encrypt_binary_stream;
pub use value::{Map, MapItem, Secret, Value};
