//! The value cipher: AES-256-GCM with sops' 32-byte IVs (any other
//! length is read, as sops does) and the
//! `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` form.

use crate::error::{Error, Result, UnsupportedError};
use crate::gcm::{Gcm, OpenError, Side};
use crate::goformat;
use crate::value::{Secret, Value};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use zeroize::Zeroizing;

/// The 32-byte data key of a file.
pub(crate) type DataKey = Zeroizing<[u8; 32]>;

/// Generates a new random data key.
pub(crate) fn generate_data_key() -> Result<DataKey> {
    let mut k = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(k.as_mut()).map_err(|e| UnsupportedError::NoRandomness(e.to_string()))?;
    Ok(k)
}

pub(crate) fn random_iv() -> Result<[u8; 32]> {
    let mut iv = [0u8; 32];
    getrandom::getrandom(&mut iv).map_err(|e| UnsupportedError::NoRandomness(e.to_string()))?;
    Ok(iv)
}

/// Whether a string looks like a sops encrypted value.
#[cfg(test)]
fn is_encrypted_value(s: &str) -> bool {
    s.starts_with("ENC[AES256_GCM,") && s.ends_with(']')
}

/// The parts of an `ENC[...]` string.
#[allow(dead_code)] // read by tests and src/fuzzing.rs
pub(crate) struct EncryptedParts {
    /// Ciphertext without the tag.
    pub(crate) data: Vec<u8>,
    /// IV (sops writes 32 bytes, reads any length but 0).
    pub(crate) iv: Vec<u8>,
    /// GCM tag (16 bytes).
    pub(crate) tag: Vec<u8>,
    /// The type (`str`, `int`, …).
    pub(crate) datatype: String,
}

/// The fields of an `ENC[...]` string, not yet decoded.
struct RawParts<'a> {
    data: &'a str,
    iv: Vec<u8>,
    tag: [u8; 16],
    datatype: &'a str,
}

fn bad_ciphertext(path: &str, reason: &str) -> Error {
    Error::BadCiphertext {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

/// Splits `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` and decodes the small
/// fields (the data stays base64).
fn split<'a>(value: &'a str, path: &str) -> Result<RawParts<'a>> {
    let bad = |reason: &str| bad_ciphertext(path, reason);
    let inner = value
        .strip_prefix("ENC[AES256_GCM,")
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(|| {
            bad("it does not have the form ENC[AES256_GCM,data:...,iv:...,tag:...,type:...]")
        })?;
    let mut data = None;
    let mut iv = None;
    let mut tag = None;
    let mut datatype = None;
    for part in inner.split(',') {
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| bad("a field has no ':'"))?;
        let slot = match k {
            "data" => &mut data,
            "iv" => &mut iv,
            "tag" => &mut tag,
            "type" => &mut datatype,
            _ => return Err(bad(&format!("unknown field {k:?}"))),
        };
        if slot.is_some() {
            return Err(bad(&format!("field {k:?} appears twice")));
        }
        *slot = Some(v);
    }
    let dec = |name: &str, v: Option<&str>| -> Result<Vec<u8>> {
        let v = v.ok_or_else(|| bad(&format!("missing {name}")))?;
        B64.decode(v)
            .map_err(|e| bad(&format!("{name} is not valid base64: {e}")))
    };
    let data = data.ok_or_else(|| bad("missing data"))?;
    let iv = dec("iv", iv)?;
    let tag = dec("tag", tag)?;
    if iv.is_empty() {
        return Err(bad("empty iv"));
    }
    let tag: [u8; 16] = tag
        .as_slice()
        .try_into()
        .map_err(|_| bad("tag is not 16 bytes"))?;
    let datatype = datatype.ok_or_else(|| bad("missing type"))?;
    Ok(RawParts {
        data,
        iv,
        tag,
        datatype,
    })
}

/// Parses `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`.
#[cfg_attr(not(test), allow(dead_code))] // for tests and src/fuzzing.rs
pub(crate) fn parse(value: &str, path: &str) -> Result<EncryptedParts> {
    let raw = split(value, path)?;
    let data = B64
        .decode(raw.data)
        .map_err(|e| bad_ciphertext(path, &format!("data is not valid base64: {e}")))?;
    Ok(EncryptedParts {
        data,
        iv: raw.iv,
        tag: raw.tag.to_vec(),
        datatype: raw.datatype.to_string(),
    })
}

/// The plaintext bytes of a scalar: borrowed for strings and bytes, owned
/// (and wiped on drop) for numbers, booleans and the like.
pub(crate) enum PlainBytes<'a> {
    /// Borrowed from the value.
    Borrowed(&'a [u8]),
    /// Formatted from the value.
    Owned(Zeroizing<Vec<u8>>),
}

impl std::ops::Deref for PlainBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            PlainBytes::Borrowed(b) => b,
            PlainBytes::Owned(v) => v,
        }
    }
}

/// The bytes sops puts in the MAC (and encrypts) for a scalar, with its type.
/// Returns `None` for values that are not encrypted (null, maps, lists).
pub(crate) fn plaintext_bytes(v: &Value) -> Option<(PlainBytes<'_>, &'static str)> {
    let owned = |s: String| PlainBytes::Owned(Zeroizing::new(s.into_bytes()));
    Some(match v {
        Value::Str(s) => (PlainBytes::Borrowed(s.expose().as_bytes()), "str"),
        Value::Int(i) => (owned(i.to_string()), "int"),
        Value::Float(f) => (owned(goformat::format_f(*f)), "float"),
        Value::Bool(b) => (
            PlainBytes::Borrowed(if *b { b"True" } else { b"False" }),
            "bool",
        ),
        Value::Time(t) => (PlainBytes::Borrowed(t.expose().as_bytes()), "time"),
        // sops turns byte strings into Go strings before encrypting: type str.
        Value::Bytes(b) => (PlainBytes::Borrowed(&b[..]), "str"),
        Value::Comment(c) => (PlainBytes::Borrowed(c.expose().as_bytes()), "comment"),
        Value::Null | Value::Map(_) | Value::List(_) => return None,
    })
}

/// The stash key of a plaintext: a SHA-256 over path, type and bytes
/// (SHA-NI makes it cheap for large values; it never leaves memory).
fn stash_key(aad: &str, ty: &str, plain: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update((aad.len() as u64).to_be_bytes());
    h.update(aad.as_bytes());
    h.update(ty.as_bytes());
    h.update([0]);
    h.update(plain);
    h.finalize().into()
}

/// Remembers the IV of every value decrypted, so that re-encrypting an
/// unchanged value gives the same ciphertext (as `sops edit` does).
/// Keys are hashes: no plaintext is kept.
#[derive(Default)]
pub(crate) struct IvStash {
    map: HashMap<[u8; 32], Vec<u8>>,
}

impl IvStash {
    /// An empty stash.
    pub(crate) fn new() -> Self {
        IvStash::default()
    }
    fn get(&self, aad: &str, ty: &str, plain: &[u8]) -> Option<&Vec<u8>> {
        if self.map.is_empty() {
            return None;
        }
        self.map.get(&stash_key(aad, ty, plain))
    }
}

/// Encrypts a scalar with the data key and `aad` (the key path).
/// Empty strings are not encrypted (returns `None`), as in sops.
pub(crate) fn encrypt(
    v: &Value,
    key: &[u8; 32],
    aad: &str,
    stash: Option<&IvStash>,
) -> Result<Option<String>> {
    let Some((plain, ty)) = plaintext_bytes(v) else {
        return Ok(None);
    };
    encrypt_plain(&plain, ty, key, aad, stash)
}

/// Encrypts plaintext bytes of a type; empty plaintext is not encrypted.
pub(crate) fn encrypt_plain(
    plain: &[u8],
    ty: &str,
    key: &[u8; 32],
    aad: &str,
    stash: Option<&IvStash>,
) -> Result<Option<String>> {
    encrypt_plain_with(&Gcm::new(key), plain, ty, aad, stash, None)
}

/// [`encrypt_plain`] with a prepared cipher; `side` sees the plaintext
/// exactly once (alongside the encryption for large values).
pub(crate) fn encrypt_plain_with(
    gcm: &Gcm,
    plain: &[u8],
    ty: &str,
    aad: &str,
    stash: Option<&IvStash>,
    side: Option<Side<'_>>,
) -> Result<Option<String>> {
    if plain.is_empty() && matches!(ty, "str" | "comment") {
        if let Some(side) = side {
            side(plain);
        }
        return Ok(None);
    }
    let iv: Vec<u8> = match stash.and_then(|s| s.get(aad, ty, plain)) {
        Some(iv) => iv.clone(),
        None => random_iv()?.to_vec(),
    };
    Ok(Some(seal_with(gcm, plain, ty, aad, &iv, side)?))
}

/// Encrypts raw plaintext bytes with an explicit IV and type.
#[cfg_attr(not(test), allow(dead_code))] // for tests and src/fuzzing.rs
pub(crate) fn seal(plain: &[u8], ty: &str, key: &[u8; 32], aad: &str, iv: &[u8]) -> Result<String> {
    seal_with(&Gcm::new(key), plain, ty, aad, iv, None)
}

fn seal_with(
    gcm: &Gcm,
    plain: &[u8],
    ty: &str,
    aad: &str,
    iv: &[u8],
    side: Option<Side<'_>>,
) -> Result<String> {
    if iv.len() != 32 {
        return Err(UnsupportedError::IvLength.into());
    }
    let mut s = String::with_capacity(ENC_HEAD.len() + plain.len().div_ceil(3) * 4 + 90 + ty.len());
    s.push_str(ENC_HEAD);
    let tag = gcm.seal_b64(iv, aad.as_bytes(), plain, &mut s, side);
    push_enc_tail(&mut s, iv, &tag, ty);
    Ok(s)
}

/// What an `ENC[...]` value starts with, up to its base64 ciphertext.
pub(crate) const ENC_HEAD: &str = "ENC[AES256_GCM,data:";

/// Ends an `ENC[...]` value after its base64 ciphertext.
pub(crate) fn push_enc_tail(s: &mut String, iv: &[u8], tag: &[u8], ty: &str) {
    s.push_str(",iv:");
    B64.encode_string(iv, s);
    s.push_str(",tag:");
    B64.encode_string(tag, s);
    s.push_str(",type:");
    s.push_str(ty);
    s.push(']');
}

/// Decrypts an `ENC[...]` string, returning the typed value. `path` is the
/// human form of the key path for messages.
pub(crate) fn decrypt(
    ciphertext: &str,
    key: &[u8; 32],
    aad: &str,
    stash: Option<&mut IvStash>,
) -> Result<Value> {
    decrypt_with(&Gcm::new(key), ciphertext, aad, stash, None).map(|(v, _)| v)
}

/// [`decrypt`] with a prepared cipher. `side` is given the plaintext of
/// values of type `str` (the bytes the MAC covers), alongside the
/// decryption for large values; the flag says whether it was.
pub(crate) fn decrypt_with(
    gcm: &Gcm,
    ciphertext: &str,
    aad: &str,
    stash: Option<&mut IvStash>,
    side: Option<Side<'_>>,
) -> Result<(Value, bool)> {
    if ciphertext.is_empty() {
        return Ok((Value::str(""), false));
    }
    // sops writes 32-byte IVs but reads any length (Go's
    // `NewGCMWithNonceSize(len(iv))`); `split` refuses only an empty one,
    // as Go does.
    let parts = split(ciphertext, aad)?;
    // Strings (and bytes) are what the MAC covers as they are.
    let side = side.filter(|_| matches!(parts.datatype, "str" | "bytes"));
    let sided = side.is_some();
    let mut plain = gcm
        .open_b64(&parts.iv, aad.as_bytes(), parts.data, &parts.tag, side)
        .map_err(|e| match e {
            OpenError::Base64(m) => bad_ciphertext(aad, &format!("data is not valid base64: {m}")),
            OpenError::Authentication => Error::Authentication {
                path: aad.to_string(),
            },
        })?;
    // The stash is keyed by the exact plaintext bytes and type that were
    // decrypted: an IV is only ever reused for the very same plaintext
    // (which gives the very same ciphertext), never for a re-formatted one.
    let stash_entry = stash.map(|s| (s, stash_key(aad, parts.datatype, &plain)));
    let value = match parts.datatype {
        "str" => match String::from_utf8(std::mem::take(&mut *plain)) {
            Ok(t) => Value::Str(Secret::new(t)),
            // Go strings may hold any bytes (binary store).
            Err(e) => Value::Bytes(Zeroizing::new(e.into_bytes())),
        },
        "bytes" => Value::Bytes(plain),
        other => typed_value(&plain, other, aad)?,
    };
    // Only IVs we would write are reused: others get a fresh one.
    if let Some((stash, k)) = stash_entry.filter(|_| parts.iv.len() == 32) {
        stash.map.insert(k, parts.iv);
    }
    Ok((value, sided))
}

fn typed_value(plain: &[u8], datatype: &str, aad: &str) -> Result<Value> {
    let bad = |reason: &str| Error::BadCiphertext {
        path: aad.to_string(),
        reason: reason.to_string(),
    };
    let text = || -> Result<&str> {
        std::str::from_utf8(plain).map_err(|_| bad("plaintext is not UTF-8"))
    };
    Ok(match datatype {
        "int" => Value::Int(
            text()?
                .parse()
                .map_err(|_| bad("type int but not an integer"))?,
        ),
        "float" => {
            Value::Float(parse_go_float(text()?).ok_or_else(|| bad("type float but not a number"))?)
        }
        "bool" => {
            Value::Bool(parse_go_bool(text()?).ok_or_else(|| bad("type bool but not a boolean"))?)
        }
        "time" => Value::Time(Secret::new(
            crate::timefmt::normalize_rfc3339(text()?)
                .ok_or_else(|| bad("type time but not an RFC 3339 timestamp"))?,
        )),
        "comment" => Value::Comment(Secret::new(text()?)),
        other => return Err(bad(&format!("unknown type {other:?}"))),
    })
}

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the forms sops writes.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        _ => {
            if s.is_empty() || s.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
            {
                return None;
            }
            s.parse().ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7u8; 32];

    #[test]
    fn round_trip_all_types() {
        let values = vec![
            Value::str("hello"),
            Value::Int(-42),
            Value::Float(0.75),
            Value::Bool(true),
            Value::Bool(false),
            Value::Time(Secret::new("2024-01-02T00:00:00Z")),
            Value::Bytes(Zeroizing::new(vec![0, 1, 2, 255])),
            Value::Comment(Secret::new(" a comment")),
        ];
        for v in values {
            let enc = encrypt(&v, &KEY, "a:b:", None).unwrap().unwrap();
            assert!(is_encrypted_value(&enc));
            let back = decrypt(&enc, &KEY, "a:b:", None).unwrap();
            assert!(back == v, "{} did not round trip", v.kind());
        }
    }

    #[test]
    fn empty_string_is_not_encrypted() {
        assert_eq!(encrypt(&Value::str(""), &KEY, "a:", None).unwrap(), None);
        assert_eq!(encrypt(&Value::Null, &KEY, "a:", None).unwrap(), None);
    }

    #[test]
    fn tampering_is_refused() {
        let enc = encrypt(&Value::str("secret"), &KEY, "a:", None)
            .unwrap()
            .unwrap();
        // Wrong path.
        assert!(matches!(
            decrypt(&enc, &KEY, "b:", None),
            Err(Error::Authentication { .. })
        ));
        // Wrong key.
        assert!(matches!(
            decrypt(&enc, &[8u8; 32], "a:", None),
            Err(Error::Authentication { .. })
        ));
        // Changed data / iv / tag.
        let p = parse(&enc, "a:").unwrap();
        let mut data = p.data.clone();
        data[0] ^= 1;
        let forged = format!(
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:str]",
            B64.encode(&data),
            B64.encode(&p.iv),
            B64.encode(&p.tag)
        );
        assert!(matches!(
            decrypt(&forged, &KEY, "a:", None),
            Err(Error::Authentication { .. })
        ));
        let mut iv = p.iv.clone();
        iv[31] ^= 1;
        let forged = format!(
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:str]",
            B64.encode(&p.data),
            B64.encode(&iv),
            B64.encode(&p.tag)
        );
        assert!(matches!(
            decrypt(&forged, &KEY, "a:", None),
            Err(Error::Authentication { .. })
        ));
        let mut tag = p.tag.clone();
        tag[0] ^= 1;
        let forged = format!(
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:str]",
            B64.encode(&p.data),
            B64.encode(&p.iv),
            B64.encode(&tag)
        );
        assert!(matches!(
            decrypt(&forged, &KEY, "a:", None),
            Err(Error::Authentication { .. })
        ));
        // Garbage never panics and never echoes the value.
        let e = decrypt(
            "ENC[AES256_GCM,data:%%%,iv:x,tag:y,type:str]",
            &KEY,
            "a:",
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("a:"));
    }

    #[test]
    fn stash_never_reuses_an_iv_for_a_different_plaintext() {
        // "0042" decrypts to the int 42, which re-encrypts as "42": a new IV.
        let iv = [1u8; 32];
        let enc = seal(b"0042", "int", &KEY, "n:", &iv).unwrap();
        let mut stash = IvStash::new();
        let v = decrypt(&enc, &KEY, "n:", Some(&mut stash)).unwrap();
        assert!(v == Value::Int(42));
        let again = encrypt(&v, &KEY, "n:", Some(&stash)).unwrap().unwrap();
        assert_ne!(parse(&again, "").unwrap().iv, iv.to_vec());
        // Same for booleans written as "true" (sops writes "True").
        let enc = seal(b"true", "bool", &KEY, "b:", &iv).unwrap();
        let v = decrypt(&enc, &KEY, "b:", Some(&mut stash)).unwrap();
        let again = encrypt(&v, &KEY, "b:", Some(&stash)).unwrap().unwrap();
        assert_ne!(parse(&again, "").unwrap().iv, iv.to_vec());
    }

    #[test]
    fn any_iv_length_but_zero_is_decrypted_and_32_is_written() {
        for n in [12, 16, 64] {
            let iv = vec![5u8; n];
            let mut enc = ENC_HEAD.to_string();
            let tag = Gcm::new(&KEY).seal_b64(&iv, b"k:", b"short iv", &mut enc, None);
            push_enc_tail(&mut enc, &iv, &tag, "str");
            let mut stash = IvStash::new();
            let v = decrypt(&enc, &KEY, "k:", Some(&mut stash)).unwrap();
            assert!(v == Value::str("short iv"), "{n}-byte IV");
            // Re-encrypted unchanged, it gets a fresh 32-byte IV.
            let again = encrypt(&v, &KEY, "k:", Some(&stash)).unwrap().unwrap();
            assert_eq!(parse(&again, "").unwrap().iv.len(), 32);
        }
        let e = decrypt(
            "ENC[AES256_GCM,data:AA==,iv:,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
            &KEY,
            "k:",
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("empty iv"), "{e}");
    }

    #[test]
    fn stash_keeps_iv_of_unchanged_values() {
        let enc = encrypt(&Value::str("same"), &KEY, "k:", None)
            .unwrap()
            .unwrap();
        let mut stash = IvStash::new();
        let v = decrypt(&enc, &KEY, "k:", Some(&mut stash)).unwrap();
        let again = encrypt(&v, &KEY, "k:", Some(&stash)).unwrap().unwrap();
        assert_eq!(enc, again);
        let changed = encrypt(&Value::str("other"), &KEY, "k:", Some(&stash))
            .unwrap()
            .unwrap();
        assert_ne!(parse(&changed, "").unwrap().iv, parse(&enc, "").unwrap().iv);
    }
}
