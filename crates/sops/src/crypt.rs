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

fn compile(field: &'static str, r: &Option<String>) -> Result<Option<Regex>> {
    r.as_ref()
        .map(|s| {
            Regex::new(s).map_err(|e| {
                Error::from(crate::error::MetadataError::BadRegex {
                    field,
                    regex: s.clone(),
                    reason: e.to_string(),
                })
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
        let mut keys = [0; 4];
        for k in path {
            add(&mut keys, self.key_hits(k), 1);
        }
        let mut comments = [0; 2];
        for c in stack.iter().flatten() {
            add(&mut comments, self.comment_hits(c), 1);
        }
        let own = is_comment
            && stack
                .last()
                .and_then(|l| l.last())
                .is_some_and(|c| self.comment_hits(c)[1]);
        self.decide(keys, comments, own)
    }

    /// Which key rules `key` matches: unencrypted_suffix, encrypted_suffix,
    /// unencrypted_regex, encrypted_regex.
    fn key_hits(&self, key: &str) -> [bool; 4] {
        [
            self.unencrypted_suffix
                .as_ref()
                .is_some_and(|s| key.ends_with(s.as_str())),
            self.encrypted_suffix
                .as_ref()
                .is_some_and(|s| key.ends_with(s.as_str())),
            self.unencrypted_regex
                .as_ref()
                .is_some_and(|r| r.is_match(key)),
            self.encrypted_regex
                .as_ref()
                .is_some_and(|r| r.is_match(key)),
        ]
    }

    /// Which comment rules a comment matches: unencrypted_comment_regex,
    /// encrypted_comment_regex.
    fn comment_hits(&self, text: &str) -> [bool; 2] {
        [
            self.unencrypted_comment_regex
                .as_ref()
                .is_some_and(|r| r.is_match(text)),
            self.encrypted_comment_regex
                .as_ref()
                .is_some_and(|r| r.is_match(text)),
        ]
    }

    /// The decision, from how many keys of the path match each key rule,
    /// how many comments before it match each comment rule, and whether
    /// the value is itself a comment matching encrypted_comment_regex (it
    /// does not select itself).
    fn decide(&self, keys: [usize; 4], comments: [usize; 2], own_comment: bool) -> Treatment {
        let mut enc = true;
        let mut kept_clear = false;
        if self.unencrypted_suffix.is_some() && keys[0] > 0 {
            (enc, kept_clear) = (false, true);
        }
        if self.encrypted_suffix.is_some() {
            enc = keys[1] > 0;
        }
        if self.unencrypted_regex.is_some() && keys[2] > 0 {
            (enc, kept_clear) = (false, true);
        }
        if self.encrypted_regex.is_some() {
            enc = keys[3] > 0;
        }
        if self.unencrypted_comment_regex.is_some() && comments[0] > 0 {
            (enc, kept_clear) = (false, true);
        }
        if self.encrypted_comment_regex.is_some() {
            enc = comments[1] > usize::from(own_comment);
        }
        match (enc, kept_clear) {
            (true, _) => Treatment::Encrypt,
            (false, true) => Treatment::ClearByRule,
            (false, false) => Treatment::ClearNotSelected,
        }
    }
}

/// Adds (`sign` 1) or removes (-1) rule hits to counts.
fn add<const N: usize>(counts: &mut [usize; N], hits: [bool; N], sign: isize) {
    for (c, h) in counts.iter_mut().zip(hits) {
        if h {
            *c = c.wrapping_add_signed(sign);
        }
    }
}

/// Where a walk of the tree is: the key path as its AAD (`a:b:`), and how
/// many of its keys, and of the comments before it at each level, match
/// each rule. Kept as it goes, so a value costs the same at any depth and
/// after any number of comments.
struct Scope<'r> {
    rules: &'r Rules,
    aad: String,
    /// Per key entered: the AAD's length before it, and its rule hits.
    keys: Vec<(usize, [bool; 4])>,
    key_counts: [usize; 4],
    /// Per map or list entered: the rule hits of the comments since its
    /// last entry.
    comments: Vec<Vec<[bool; 2]>>,
    comment_counts: [usize; 2],
}

impl<'r> Scope<'r> {
    fn new(rules: &'r Rules) -> Self {
        Scope {
            rules,
            aad: String::new(),
            keys: Vec::new(),
            key_counts: [0; 4],
            comments: Vec::new(),
            comment_counts: [0; 2],
        }
    }

    /// The AAD of a value here: its key path, `a:b:` (`:` at the top).
    fn aad(&self) -> &str {
        if self.keys.is_empty() {
            ":"
        } else {
            &self.aad
        }
    }

    fn treatment(&self, is_comment: bool) -> Treatment {
        let own = is_comment
            && self
                .comments
                .last()
                .and_then(|l| l.last())
                .is_some_and(|h| h[1]);
        self.rules.decide(self.key_counts, self.comment_counts, own)
    }

    fn push_key(&mut self, key: &str) {
        let hits = self.rules.key_hits(key);
        self.keys.push((self.aad.len(), hits));
        add(&mut self.key_counts, hits, 1);
        self.aad.push_str(key);
        self.aad.push(':');
    }

    fn pop_key(&mut self) {
        if let Some((len, hits)) = self.keys.pop() {
            self.aad.truncate(len);
            add(&mut self.key_counts, hits, -1);
        }
    }

    fn comment(&mut self, text: &str) {
        let hits = self.rules.comment_hits(text);
        add(&mut self.comment_counts, hits, 1);
        if let Some(top) = self.comments.last_mut() {
            top.push(hits);
        }
    }

    /// Forgets the comments before the entry just walked.
    fn clear_comments(&mut self) {
        if let Some(top) = self.comments.last_mut() {
            for hits in top.drain(..) {
                add(&mut self.comment_counts, hits, -1);
            }
        }
    }

    fn enter(&mut self) {
        self.comments.push(Vec::new());
    }

    fn leave(&mut self) {
        self.clear_comments();
        self.comments.pop();
    }
}

enum Leaf<'a> {
    Value(&'a mut Value),
    /// A comment in a map (stays a comment when encrypted).
    MapComment(&'a mut Secret),
}

/// The leaf callback of a tree walk.
type LeafFn<'f> = dyn FnMut(Leaf<'_>, &Scope<'_>) -> Result<()> + 'f;

fn walk_map(m: &mut Map, scope: &mut Scope<'_>, f: &mut LeafFn<'_>) -> Result<()> {
    scope.enter();
    for item in m.items.iter_mut() {
        match item {
            MapItem::Comment(c) => {
                scope.comment(c.expose());
                f(Leaf::MapComment(c), scope)?;
            }
            MapItem::Entry(k, v) => {
                scope.push_key(k);
                let r = walk_value(v, scope, f);
                scope.pop_key();
                r?;
                scope.clear_comments();
            }
        }
    }
    scope.leave();
    Ok(())
}

fn walk_value(v: &mut Value, scope: &mut Scope<'_>, f: &mut LeafFn<'_>) -> Result<()> {
    match v {
        Value::Map(m) => walk_map(m, scope, f),
        Value::List(l) => {
            scope.enter();
            for item in l.iter_mut() {
                let is_comment = if let Value::Comment(c) = item {
                    scope.comment(c.expose());
                    true
                } else {
                    false
                };
                walk_value(item, scope, f)?;
                if !is_comment {
                    scope.clear_comments();
                }
            }
            scope.leave();
            Ok(())
        }
        Value::Null => Ok(()),
        _ => f(Leaf::Value(v), scope),
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
pub(crate) fn encrypt_branches(
    branches: &mut [Map],
    rules: &Rules,
    key: &[u8; 32],
    stash: Option<&IvStash>,
) -> Result<String> {
    let gcm = Gcm::new(key);
    let mut hash = new_hash(rules);
    for b in branches.iter_mut() {
        walk_map(b, &mut Scope::new(rules), &mut |leaf, scope| {
            let is_comment = matches!(leaf, Leaf::MapComment(_))
                || matches!(leaf, Leaf::Value(Value::Comment(_)));
            let enc = scope.treatment(is_comment) == Treatment::Encrypt;
            match leaf {
                Leaf::MapComment(c) => {
                    if enc {
                        let text = c.expose().as_bytes();
                        if let Some(s) = cipher::encrypt_plain_with(
                            &gcm,
                            text,
                            "comment",
                            scope.aad(),
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
                                    scope.aad(),
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
        })?;
    }
    Ok(hex_upper(&hash.finalize()))
}

/// Decrypts every encrypted value in place. Returns the MAC computed over
/// the plaintext.
pub(crate) fn decrypt_branches(
    branches: &mut [Map],
    rules: &Rules,
    key: &[u8; 32],
    mut stash: Option<&mut IvStash>,
    warnings: &mut Vec<String>,
) -> Result<String> {
    let gcm = Gcm::new(key);
    let mut hash = new_hash(rules);
    for b in branches.iter_mut() {
        walk_map(b, &mut Scope::new(rules), &mut |leaf, scope| {
            let is_comment = matches!(leaf, Leaf::MapComment(_))
                || matches!(leaf, Leaf::Value(Value::Comment(_)));
            let enc = scope.treatment(is_comment) == Treatment::Encrypt;
            let path_s = scope.aad();
            match leaf {
                Leaf::MapComment(c) => {
                    if enc {
                        match cipher::decrypt_with(&gcm, c.expose(), path_s, stash.as_deref_mut(), None) {
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
                                    path_s,
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
                                    path_s,
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
                                    path: path_s.to_string(),
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
        })?;
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
    fn comment_rules_cost_the_same_after_any_number_of_comments() {
        // Each value was checked against every comment before it at its
        // level and above: quadratic in a run of comments.
        let rules = Rules::new(&EncryptionRules {
            encrypted_comment_regex: Some("^ sops:enc$".into()),
            ..Default::default()
        })
        .unwrap();
        let n = 5000;
        let mut commented = Map::new();
        for i in 0..n {
            commented
                .items
                .push(MapItem::Comment(Secret::new(format!(" note {i}"))));
        }
        commented
            .items
            .push(MapItem::Comment(Secret::new(" sops:enc")));
        commented.push("a", Value::str("secret"));
        let mut plain = Map::new();
        for i in 0..=n {
            plain.push(format!("k{i}"), Value::str("v"));
        }
        let time = |m: &Map| {
            let mut b = vec![m.clone()];
            let start = std::time::Instant::now();
            encrypt_branches(&mut b, &rules, &[3u8; 32], None).unwrap();
            (start.elapsed(), b)
        };
        let (mut t_commented, mut t_plain) = (std::time::Duration::MAX, std::time::Duration::MAX);
        let mut out = Vec::new();
        for _ in 0..3 {
            let (t, b) = time(&commented);
            (t_commented, out) = (t_commented.min(t), b);
            t_plain = t_plain.min(time(&plain).0);
        }
        assert!(
            t_commented < t_plain * 10,
            "{t_commented:?} against {t_plain:?} without comments"
        );
        // Only what follows the marker is encrypted (the marker itself not).
        assert!(out[0]
            .get("a")
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("ENC["));
        let texts: Vec<&str> = out[0]
            .items
            .iter()
            .filter_map(|i| match i {
                MapItem::Comment(c) => Some(c.expose()),
                MapItem::Entry(..) => None,
            })
            .collect();
        assert_eq!(texts.len(), n + 1);
        assert_eq!(texts[n], " sops:enc");
        assert_eq!(texts[n - 1], format!(" note {}", n - 1));
    }

    #[test]
    fn walk_decides_like_treatment() {
        // The walk keeps counts as it goes; treatment() counts from the path.
        let rules = Rules::new(&EncryptionRules {
            unencrypted_regex: Some("^pub".into()),
            ..Default::default()
        })
        .unwrap();
        let path: Vec<String> = vec!["a".into(), "public".into(), "x".into()];
        assert_eq!(rules.treatment(&path, &[], false), Treatment::ClearByRule);
        let mut scope = Scope::new(&rules);
        assert_eq!(scope.aad(), ":");
        for k in &path {
            scope.push_key(k);
        }
        assert_eq!(scope.treatment(false), Treatment::ClearByRule);
        assert_eq!(scope.aad(), "a:public:x:");
        scope.pop_key();
        scope.pop_key();
        assert_eq!(scope.aad(), "a:");
        assert_eq!(scope.treatment(false), Treatment::Encrypt);
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
