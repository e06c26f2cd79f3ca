//! Encrypting and decrypting a whole tree: which values are encrypted
//! (partial encryption rules), their key paths, and the MAC.

use crate::cipher::{self, IvStash};
use crate::error::{Error, Result};
use crate::gcm::Gcm;
use crate::metadata::EncryptionRules;
use crate::value::{Map, MapItem, Secret, Value};
use regex::Regex;
use sha2::{Digest, Sha512};

/// sops' initial MAC bytes when `mac_only_encrypted` is set.
const MAC_ONLY_ENCRYPTED_INIT: [u8; 32] = [
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
];

/// What a file's encryption rules do with one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// It is encrypted.
    Encrypt,
    /// An `unencrypted_*` rule keeps it in clear: the user chose so.
    ClearByRule,
    /// It is in clear only because no `encrypted_*` rule selects it.
    ClearNotSelected,
}

/// Compiled encryption rules.
pub struct Rules {
    unencrypted_suffix: Option<String>,
    encrypted_suffix: Option<String>,
    unencrypted_regex: Option<Regex>,
    encrypted_regex: Option<Regex>,
    unencrypted_comment_regex: Option<Regex>,
    encrypted_comment_regex: Option<Regex>,
    mac_only_encrypted: bool,
}

fn compile(field: &str, r: &Option<String>) -> Result<Option<Regex>> {
    r.as_ref()
        .map(|s| {
            Regex::new(s).map_err(|e| {
                Error::Metadata(format!(
                    "{field} {s:?} is not a valid regular expression: {e}"
                ))
            })
        })
        .transpose()
}

impl Rules {
    /// Compiles the rules of a file. Rules naming none of the six fields
    /// are sops' default, `unencrypted_suffix: _unencrypted` (sops reads
    /// them so; the metadata is left as it was written).
    pub fn new(r: &EncryptionRules) -> Result<Rules> {
        let r = &r.clone().with_defaults();
        Ok(Rules {
            unencrypted_suffix: r.unencrypted_suffix.clone(),
            encrypted_suffix: r.encrypted_suffix.clone(),
            unencrypted_regex: compile("unencrypted_regex", &r.unencrypted_regex)?,
            encrypted_regex: compile("encrypted_regex", &r.encrypted_regex)?,
            unencrypted_comment_regex: compile(
                "unencrypted_comment_regex",
                &r.unencrypted_comment_regex,
            )?,
            encrypted_comment_regex: compile(
                "encrypted_comment_regex",
                &r.encrypted_comment_regex,
            )?,
            mac_only_encrypted: r.mac_only_encrypted,
        })
    }

    /// Whether the value at `path` (preceded by the comments in `stack`) is encrypted.
    pub(crate) fn should_encrypt(
        &self,
        path: &[String],
        stack: &[Vec<String>],
        is_comment: bool,
    ) -> bool {
        self.treatment(path, stack, is_comment) == Treatment::Encrypt
    }

    /// What the rules do with the value at `path` (preceded by the comments
    /// in `stack`), and why: sops' own decision, in sops' order.
    pub fn treatment(&self, path: &[String], stack: &[Vec<String>], is_comment: bool) -> Treatment {
        let mut enc = true;
        let mut kept_clear = false;
        if let Some(s) = &self.unencrypted_suffix {
            if path.iter().any(|p| p.ends_with(s.as_str())) {
                (enc, kept_clear) = (false, true);
            }
        }
        if let Some(s) = &self.encrypted_suffix {
            enc = path.iter().any(|p| p.ends_with(s.as_str()));
        }
        if let Some(r) = &self.unencrypted_regex {
            if path.iter().any(|p| r.is_match(p)) {
                (enc, kept_clear) = (false, true);
            }
        }
        if let Some(r) = &self.encrypted_regex {
            enc = path.iter().any(|p| r.is_match(p));
        }
        if let Some(r) = &self.unencrypted_comment_regex {
            if stack.iter().flatten().any(|c| r.is_match(c)) {
                (enc, kept_clear) = (false, true);
            }
        }
        if let Some(r) = &self.encrypted_comment_regex {
            let last = stack.len().saturating_sub(1);
            let last_len = stack.last().map(|v| v.len()).unwrap_or(0);
            enc = stack.iter().enumerate().any(|(i, cs)| {
                cs.iter()
                    .enumerate()
                    .any(|(j, c)| !(is_comment && i == last && j + 1 == last_len) && r.is_match(c))
            });
        }
        match (enc, kept_clear) {
            (true, _) => Treatment::Encrypt,
            (false, true) => Treatment::ClearByRule,
            (false, false) => Treatment::ClearNotSelected,
        }
    }
}

fn aad(path: &[String]) -> String {
    let mut s = path.join(":");
    s.push(':');
    s
}

enum Leaf<'a> {
    Value(&'a mut Value),
    /// A comment in a map (stays a comment when encrypted).
    MapComment(&'a mut Secret),
}

/// The leaf callback of a tree walk.
type LeafFn<'f> = dyn FnMut(Leaf<'_>, &[String], &[Vec<String>]) -> Result<()> + 'f;

fn walk_map(
    m: &mut Map,
    path: &mut Vec<String>,
    stack: &mut Vec<Vec<String>>,
    f: &mut LeafFn<'_>,
) -> Result<()> {
    stack.push(Vec::new());
    for item in m.items.iter_mut() {
        match item {
            MapItem::Comment(c) => {
                let text = c.expose().to_string();
                if let Some(top) = stack.last_mut() {
                    top.push(text);
                }
                f(Leaf::MapComment(c), path, stack)?;
            }
            MapItem::Entry(k, v) => {
                path.push(k.clone());
                let r = walk_value(v, path, stack, f);
                path.pop();
                r?;
                if let Some(top) = stack.last_mut() {
                    top.clear();
                }
            }
        }
    }
    stack.pop();
    Ok(())
}

fn walk_value(
    v: &mut Value,
    path: &mut Vec<String>,
    stack: &mut Vec<Vec<String>>,
    f: &mut LeafFn<'_>,
) -> Result<()> {
    match v {
        Value::Map(m) => walk_map(m, path, stack, f),
        Value::List(l) => {
            stack.push(Vec::new());
            for item in l.iter_mut() {
                let is_comment = if let Value::Comment(c) = item {
                    let text = c.expose().to_string();
                    if let Some(top) = stack.last_mut() {
                        top.push(text);
                    }
                    true
                } else {
                    false
                };
                walk_value(item, path, stack, f)?;
                if !is_comment {
                    if let Some(top) = stack.last_mut() {
                        top.clear();
                    }
                }
            }
            stack.pop();
            Ok(())
        }
        Value::Null => Ok(()),
        _ => f(Leaf::Value(v), path, stack),
    }
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

pub(crate) fn new_hash(rules: &Rules) -> Sha512 {
    let mut h = Sha512::new();
    if rules.mac_only_encrypted {
        h.update(MAC_ONLY_ENCRYPTED_INIT);
    }
    h
}

/// Encrypts every value the rules say to, in place. Returns the MAC (128
/// upper-case hex characters, not yet encrypted).
pub fn encrypt_branches(
    branches: &mut [Map],
    rules: &Rules,
    key: &[u8; 32],
    stash: Option<&IvStash>,
) -> Result<String> {
    let gcm = Gcm::new(key);
    let mut hash = new_hash(rules);
    for b in branches.iter_mut() {
        walk_map(
            b,
            &mut Vec::new(),
            &mut Vec::new(),
            &mut |leaf, path, stack| {
                let is_comment = matches!(leaf, Leaf::MapComment(_))
                    || matches!(leaf, Leaf::Value(Value::Comment(_)));
                let enc = rules.should_encrypt(path, stack, is_comment);
                match leaf {
                    Leaf::MapComment(c) => {
                        if enc {
                            let text = c.expose().as_bytes();
                            if let Some(s) = cipher::encrypt_plain_with(
                                &gcm,
                                text,
                                "comment",
                                &aad(path),
                                stash,
                                None,
                            )? {
                                *c = Secret::new(s);
                            }
                        }
                    }
                    Leaf::Value(v) => {
                        let encrypted = match cipher::plaintext_bytes(v) {
                            None => None,
                            Some((bytes, ty)) => {
                                let mac = !is_comment && (!rules.mac_only_encrypted || enc);
                                if enc {
                                    // The MAC's hash sees the plaintext alongside
                                    // the encryption (another thread for large values).
                                    let mut update = |p: &[u8]| hash.update(p);
                                    let side: Option<crate::gcm::Side<'_>> =
                                        if mac { Some(&mut update) } else { None };
                                    cipher::encrypt_plain_with(
                                        &gcm,
                                        &bytes,
                                        ty,
                                        &aad(path),
                                        stash,
                                        side,
                                    )?
                                } else {
                                    if mac {
                                        hash.update(&bytes[..]);
                                    }
                                    None
                                }
                            }
                        };
                        if enc {
                            if let Some(s) = encrypted {
                                // Encrypted comments in lists become plain strings, as in sops.
                                *v = Value::str(s);
                            } else if let Value::Bytes(_) = v {
                                *v = Value::str("");
                            }
                        }
                    }
                }
                Ok(())
            },
        )?;
    }
    Ok(hex_upper(&hash.finalize()))
}

/// Decrypts every encrypted value in place. Returns the MAC computed over
/// the plaintext.
pub fn decrypt_branches(
    branches: &mut [Map],
    rules: &Rules,
    key: &[u8; 32],
    mut stash: Option<&mut IvStash>,
    warnings: &mut Vec<String>,
) -> Result<String> {
    let gcm = Gcm::new(key);
    let mut hash = new_hash(rules);
    for b in branches.iter_mut() {
        walk_map(
            b,
            &mut Vec::new(),
            &mut Vec::new(),
            &mut |leaf, path, stack| {
                let is_comment = matches!(leaf, Leaf::MapComment(_))
                    || matches!(leaf, Leaf::Value(Value::Comment(_)));
                let enc = rules.should_encrypt(path, stack, is_comment);
                let path_s = aad(path);
                match leaf {
                    Leaf::MapComment(c) => {
                        if enc {
                            match cipher::decrypt_with(&gcm, c.expose(), &path_s, stash.as_deref_mut(), None) {
                            Ok((Value::Comment(plain), _)) => *c = plain,
                            _ => warnings.push(format!(
                                "a comment under {path_s} is not encrypted (files written by old sops versions have such comments); kept as is"
                            )),
                        }
                        }
                    }
                    Leaf::Value(v) => {
                        let mut hashed = false;
                        if enc {
                            match v {
                                Value::Str(s) => {
                                    // Strings are hashed for the MAC as they are
                                    // decrypted (another thread for large values).
                                    let mut update = |p: &[u8]| hash.update(p);
                                    let (plain, sided) = cipher::decrypt_with(
                                        &gcm,
                                        s.expose(),
                                        &path_s,
                                        stash.as_deref_mut(),
                                        Some(&mut update),
                                    )?;
                                    hashed = sided;
                                    // The ciphertext is no secret: freed without
                                    // wiping (13 MB for a 10 MB binary file).
                                    let ciphertext = std::mem::take(s.expose_mut());
                                    *v = plain;
                                    drop(ciphertext);
                                }
                                Value::Comment(c) => {
                                    match cipher::decrypt_with(
                                        &gcm,
                                        c.expose(),
                                        &path_s,
                                        stash.as_deref_mut(),
                                        None,
                                    ) {
                                        Ok((Value::Comment(plain), _)) => *c = plain,
                                        _ => warnings.push(format!(
                                            "a comment under {path_s} is not encrypted; kept as is"
                                        )),
                                    }
                                }
                                other => {
                                    return Err(Error::BadCiphertext {
                                        path: path_s.clone(),
                                        reason: format!(
                                            "expected an encrypted value (a string), found a {}",
                                            other.kind()
                                        ),
                                    })
                                }
                            }
                        }
                        if !hashed
                            && (!rules.mac_only_encrypted || enc)
                            && !matches!(v, Value::Comment(_))
                        {
                            if let Some((bytes, _)) = cipher::plaintext_bytes(v) {
                                hash.update(&bytes[..]);
                            }
                        }
                    }
                }
                Ok(())
            },
        )?;
    }
    Ok(hex_upper(&hash.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::EncryptionRules;

    #[test]
    fn no_rule_named_is_the_unencrypted_suffix() {
        let r = Rules::new(&EncryptionRules::default()).unwrap();
        let path = |k: &str| vec![k.to_string()];
        assert_eq!(
            r.treatment(&path("x_unencrypted"), &[], false),
            Treatment::ClearByRule
        );
        assert_eq!(r.treatment(&path("x"), &[], false), Treatment::Encrypt);
        // Another rule named: no default beside it.
        let r = Rules::new(&EncryptionRules {
            encrypted_regex: Some("^x".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            r.treatment(&path("x_unencrypted"), &[], false),
            Treatment::Encrypt
        );
    }

    fn sample() -> Map {
        let mut inner = Map::new();
        inner.push("user", Value::str("admin"));
        inner.push("password_unencrypted", Value::str("visible"));
        let mut m = Map::new();
        m.items.push(MapItem::Comment(Secret::new(" top")));
        m.push("db", Value::Map(inner));
        m.push(
            "list",
            Value::List(vec![
                Value::Comment(Secret::new(" c")),
                Value::Int(1),
                Value::Bool(true),
            ]),
        );
        m.push("nothing", Value::Null);
        m.push("empty", Value::str(""));
        m
    }

    #[test]
    fn encrypt_then_decrypt_gives_same_tree_and_mac() {
        let key = [3u8; 32];
        let rules = Rules::new(&EncryptionRules::default().with_defaults()).unwrap();
        let plain = sample();
        let mut b = vec![plain.clone()];
        let mac1 = encrypt_branches(&mut b, &rules, &key, None).unwrap();
        let db = b[0].get("db").unwrap().as_map().unwrap();
        assert!(db
            .get("user")
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("ENC["));
        assert_eq!(
            db.get("password_unencrypted").unwrap().as_str(),
            Some("visible")
        );
        assert_eq!(b[0].get("empty").unwrap().as_str(), Some(""));
        let mut w = Vec::new();
        let mac2 = decrypt_branches(&mut b, &rules, &key, None, &mut w).unwrap();
        assert_eq!(mac1, mac2);
        assert_eq!(mac1.len(), 128);
        assert!(b[0] == plain);
        assert!(w.is_empty());
    }

    #[test]
    fn partial_encryption_rules() {
        let key = [3u8; 32];
        let cases: Vec<(EncryptionRules, bool, bool)> = vec![
            // (rules, user encrypted?, password_unencrypted encrypted?)
            (
                EncryptionRules {
                    encrypted_suffix: Some("user".into()),
                    ..Default::default()
                },
                true,
                false,
            ),
            (
                EncryptionRules {
                    unencrypted_regex: Some("^us".into()),
                    ..Default::default()
                },
                false,
                true,
            ),
            (
                EncryptionRules {
                    encrypted_regex: Some("^pass".into()),
                    ..Default::default()
                },
                false,
                true,
            ),
            (
                EncryptionRules {
                    encrypted_regex: Some("^db$".into()),
                    ..Default::default()
                },
                true,
                true,
            ),
        ];
        for (r, user_enc, pw_enc) in cases {
            let rules = Rules::new(&r).unwrap();
            let mut b = vec![sample()];
            encrypt_branches(&mut b, &rules, &key, None).unwrap();
            let db = b[0].get("db").unwrap().as_map().unwrap();
            assert_eq!(
                db.get("user")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .starts_with("ENC["),
                user_enc,
                "{r:?}"
            );
            assert_eq!(
                db.get("password_unencrypted")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .starts_with("ENC["),
                pw_enc,
                "{r:?}"
            );
        }
    }

    #[test]
    fn comment_regexes() {
        let key = [3u8; 32];
        let mut m = Map::new();
        m.items.push(MapItem::Comment(Secret::new(" sops:enc")));
        m.push("a", Value::str("secret"));
        m.push("b", Value::str("public"));
        let rules = Rules::new(&EncryptionRules {
            encrypted_comment_regex: Some("sops:enc".into()),
            ..Default::default()
        })
        .unwrap();
        let mut b = vec![m];
        encrypt_branches(&mut b, &rules, &key, None).unwrap();
        assert!(b[0].get("a").unwrap().as_str().unwrap().starts_with("ENC["));
        assert_eq!(b[0].get("b").unwrap().as_str(), Some("public"));
    }
}
