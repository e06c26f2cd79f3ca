//! Fuzz reading encrypted files (metadata, ENC[...] values) in every store
//! and .sops.yaml: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sops::stores::{self, Format};

fuzz_target!(|data: &[u8]| {
    for f in [Format::Yaml, Format::Json, Format::Dotenv, Format::Ini, Format::Binary] {
        if let Ok((mut docs, md)) = stores::load_encrypted(data, f) {
            // A fixed key: decryption must fail cleanly, never panic.
            let _ = sops::open_docs(&mut docs, &md, &[0u8; 32], &sops::DecryptOptions::default());
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = sops::cipher::decrypt(s, &[0u8; 32], "a:", None);
        let _ = sops::value::parse_path(s);
        let _ = sops::metadata::mac_aad(s);
    }
    let _ = sops::config::parse_rules(data, std::path::Path::new(".sops.yaml"));
});
