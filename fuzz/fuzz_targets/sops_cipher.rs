//! Fuzz the value cipher and the JSON writer: our streamed AES-GCM gives
//! what the `aes-gcm` crate gives for any key, IV, path and plaintext, a
//! changed byte is refused, and writing JSON to a stream gives what
//! building it in memory gives.
#![no_main]

use aes_gcm::aead::consts::U32;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::Aes256;
use libfuzzer_sys::fuzz_target;
use sops::fuzzing;
use sops::stores::{self, Format};

fuzz_target!(|data: &[u8]| {
    if data.len() >= 65 {
        let key: [u8; 32] = data[..32].try_into().unwrap();
        let iv = &data[32..64];
        let aad_len = (data[64] as usize).min(data.len() - 65);
        let aad = String::from_utf8_lossy(&data[65..65 + aad_len]).into_owned();
        let plain = &data[65 + aad_len..];
        let enc = fuzzing::seal_value(plain, "str", &key, &aad, iv).unwrap();
        let (ciphertext, tag) = fuzzing::parse_value(&enc, &aad).unwrap();
        let want = aes_gcm::AesGcm::<Aes256, U32>::new((&key).into())
            .encrypt(iv.into(), Payload { msg: plain, aad: aad.as_bytes() })
            .unwrap();
        assert_eq!(ciphertext, want[..plain.len()]);
        assert_eq!(tag, want[plain.len()..]);
        let bytes = fuzzing::decrypt_value(&enc, &key, &aad).unwrap();
        assert_eq!(bytes, plain);
        // Any changed character of the value is refused.
        let pos = data[0] as usize * 257 % enc.len();
        let mut bad = enc.clone().into_bytes();
        bad[pos] = if bad[pos] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(
            fuzzing::decrypt_value(&bad, &key, &aad).is_err(),
            "a changed value was accepted"
        );
    }
    if let Ok(docs) = stores::load_plain(data, Format::Json) {
        let mut streamed = Vec::new();
        stores::write_plain(&docs, Format::Json, &mut streamed).unwrap();
        assert_eq!(streamed, stores::emit_plain(&docs, Format::Json).unwrap());
    }
});
