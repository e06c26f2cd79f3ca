//! Fuzz reading encrypted files (metadata, ENC[...] values) in every store
//! and .sops.yaml: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sops::stores::Format;

fuzz_target!(|data: &[u8]| {
    for f in [Format::Yaml, Format::Json, Format::Dotenv, Format::Ini, Format::Binary] {
        if let Ok(sealed) = sops::Sealed::parse(data, f) {
            // A fixed key: decryption must fail cleanly, never panic.
            let _ = sops::fuzzing::open_with_key(sealed, [0u8; 32], &Default::default());
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = sops::fuzzing::decrypt_value(s, &[0u8; 32], "a:");
        let _ = sops::value::parse_path(s);
        let _ = sops::fuzzing::mac_aad(s);
    }
    let _ = sops::config::parse_rules(data, std::path::Path::new(".sops.yaml"));
});
