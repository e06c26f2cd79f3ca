//! Plaintext inside a SOPS-encrypted file.
//!
//! A file with SOPS metadata is scanned, not skipped: its `ENC[…]` values
//! and its metadata are never findings, but
//!
//! - a plaintext value that the file's own rules (`unencrypted_suffix`,
//!   `encrypted_regex`, … as its metadata records them; sops' default is
//!   "everything but `*_unencrypted`") say must be encrypted is a finding
//!   of its own (`sops-plaintext-value`): someone added it by hand after
//!   encryption, and it is going to be committed in clear;
//! - a value the rules leave in clear only because an `encrypted_*` rule
//!   does not select it is scanned like any other text, so a secret-looking
//!   one is still caught;
//! - a value the user marked as clear on purpose (`unencrypted_suffix`,
//!   `unencrypted_regex`, `unencrypted_comment_regex`) is trusted.

use sops::crypt::{Rules, Treatment};
use sops::metadata::EncryptionRules;
use sops::stores::Format;
use sops::{Map, MapItem, Value};

/// What a SOPS file holds besides ciphertext.
#[derive(Debug, Default)]
pub(crate) struct View {
    /// Byte ranges never scanned: the metadata and every `ENC[…]` value.
    pub hidden: Vec<(usize, usize)>,
    /// Plaintext values the file's rules say must be encrypted (value spans).
    pub must_encrypt: Vec<(usize, usize)>,
    /// Plaintext values the user left in clear on purpose (value spans).
    pub trusted: Vec<(usize, usize)>,
}

impl View {
    /// Whether a span touches a hidden or trusted range.
    pub(crate) fn masks(&self, (s, e): (usize, usize)) -> bool {
        self.hidden
            .iter()
            .chain(&self.trusted)
            .any(|&(hs, he)| s < he && hs < e || s == e && hs <= s && s < he)
    }
}

/// The encryption rules a file's metadata records, read leniently (a
/// field of the wrong kind counts as absent): the scanner looks at files
/// sops itself may refuse.
fn rules_of(meta: &Map, prefix: &str) -> EncryptionRules {
    let get = |k: &str| match meta.get(&format!("{prefix}{k}")) {
        Some(Value::Str(s)) if !s.expose().is_empty() => Some(s.expose().to_string()),
        _ => None,
    };
    EncryptionRules {
        unencrypted_suffix: get("unencrypted_suffix"),
        encrypted_suffix: get("encrypted_suffix"),
        unencrypted_regex: get("unencrypted_regex"),
        encrypted_regex: get("encrypted_regex"),
        unencrypted_comment_regex: get("unencrypted_comment_regex"),
        encrypted_comment_regex: get("encrypted_comment_regex"),
        mac_only_encrypted: false,
    }
}

/// Analyzes a SOPS file (`data` holds SOPS metadata).
pub(crate) fn view(path: &str, data: &[u8]) -> View {
    let mut format = Format::from_path(std::path::Path::new(path));
    if format == Format::Binary {
        // sops writes binary files as JSON.
        format = Format::Json;
    }
    let mut v = View {
        hidden: enc_values(data),
        ..View::default()
    };
    v.hidden.extend(metadata_ranges(data, format));
    let Ok(mut docs) = sops::stores::load_plain(data, format) else {
        // Not parseable as its format: ciphertext and metadata stay hidden,
        // the rest is scanned as text.
        return v;
    };
    let recorded = match format {
        Format::Dotenv => docs.first().map(|d| rules_of(d, "sops_")),
        _ => docs
            .iter()
            .find_map(|d| d.get("sops").and_then(Value::as_map))
            .map(|m| rules_of(m, "")),
    }
    .unwrap_or_default()
    .with_defaults();
    let defaults = || Rules::new(&EncryptionRules::default().with_defaults());
    // A regex sops would refuse: its default rules, ciphertext still hidden.
    let Ok(rules) = Rules::new(&recorded).or_else(|_| defaults()) else {
        return v;
    };
    let mut walker = Walker {
        data,
        cursor: 0,
        rules: &rules,
        view: &mut v,
    };
    for d in docs.iter_mut() {
        let mut path = Vec::new();
        let mut stack = Vec::new();
        walker.map(d, &mut path, &mut stack, format == Format::Dotenv);
    }
    v
}

struct Walker<'a> {
    data: &'a [u8],
    cursor: usize,
    rules: &'a Rules,
    view: &'a mut View,
}

impl Walker<'_> {
    fn map(&mut self, m: &Map, path: &mut Vec<String>, stack: &mut Vec<Vec<String>>, dotenv: bool) {
        stack.push(Vec::new());
        for item in &m.items {
            match item {
                MapItem::Comment(c) => {
                    if let Some(top) = stack.last_mut() {
                        top.push(c.expose().to_string());
                    }
                }
                MapItem::Entry(k, v) => {
                    if path.is_empty() && (k == "sops" || dotenv && k.starts_with("sops_")) {
                        continue;
                    }
                    let key_at = self.find_key(k);
                    path.push(k.clone());
                    self.value(v, path, stack, key_at, dotenv);
                    path.pop();
                    if let Some(top) = stack.last_mut() {
                        top.clear();
                    }
                }
            }
        }
        stack.pop();
    }

    fn value(
        &mut self,
        v: &Value,
        path: &mut Vec<String>,
        stack: &mut Vec<Vec<String>>,
        key_at: Option<usize>,
        dotenv: bool,
    ) {
        let text = match v {
            Value::Map(m) => return self.map(m, path, stack, dotenv),
            Value::List(items) => {
                stack.push(Vec::new());
                for item in items {
                    if let Value::Comment(c) = item {
                        if let Some(top) = stack.last_mut() {
                            top.push(c.expose().to_string());
                        }
                        continue;
                    }
                    self.value(item, path, stack, None, dotenv);
                    if let Some(top) = stack.last_mut() {
                        top.clear();
                    }
                }
                stack.pop();
                return;
            }
            Value::Str(s) | Value::Time(s) => s.expose().to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null | Value::Comment(_) | Value::Bytes(_) => return,
        };
        if text.is_empty() || text.starts_with("ENC[AES256_GCM,") {
            return;
        }
        let span = self.find_value(&text, key_at);
        if let Some(span) = span {
            match self.rules.treatment(path, stack, false) {
                Treatment::Encrypt => self.view.must_encrypt.push(span),
                Treatment::ClearByRule => self.view.trusted.push(span),
                Treatment::ClearNotSelected => {}
            }
        }
    }

    /// The next `key` followed by `:` or `=` (after an optional quote).
    fn find_key(&mut self, key: &str) -> Option<usize> {
        let d = self.data;
        let from = self.cursor.min(d.len());
        for p in memchr::memmem::find_iter(&d[from..], key.as_bytes()) {
            let at = from + p;
            let mut q = at + key.len();
            if q < d.len() && matches!(d[q], b'"' | b'\'') {
                q += 1;
            }
            while q < d.len() && matches!(d[q], b' ' | b'\t') {
                q += 1;
            }
            if q < d.len() && matches!(d[q], b':' | b'=') {
                self.cursor = q + 1;
                return Some(at);
            }
        }
        None
    }

    /// The value's text after the cursor: on the key's line (or the lines
    /// of a block scalar); else the rest of the key's line.
    fn find_value(&mut self, text: &str, key_at: Option<usize>) -> Option<(usize, usize)> {
        let d = self.data;
        let from = self.cursor.min(d.len());
        let first_line = text.lines().next().unwrap_or("");
        if !first_line.is_empty() {
            if let Some(p) = memchr::memmem::find(&d[from..], first_line.as_bytes()) {
                let s = from + p;
                let e = s + first_line.len();
                self.cursor = e;
                return Some((s, e));
            }
        }
        let at = key_at?;
        let e = memchr::memchr(b'\n', &d[at..]).map_or(d.len(), |p| at + p);
        Some((at, e))
    }
}

/// `ENC[…]` values.
fn enc_values(data: &[u8]) -> Vec<(usize, usize)> {
    memchr::memmem::find_iter(data, b"ENC[")
        .map(|s| {
            let e = memchr::memchr(b']', &data[s..]).map_or(data.len(), |p| s + p + 1);
            (s, e)
        })
        .collect()
}

/// Where the metadata is, by the layout sops writes.
fn metadata_ranges(data: &[u8], format: Format) -> Vec<(usize, usize)> {
    let lines = || {
        let mut at = 0;
        data.split(|&b| b == b'\n').map(move |l| {
            let s = at;
            at += l.len() + 1;
            (s, l)
        })
    };
    let mut out = Vec::new();
    match format {
        Format::Yaml => {
            let mut start = None;
            for (s, l) in lines() {
                let top = l
                    .first()
                    .is_some_and(|&b| !matches!(b, b' ' | b'\t' | b'#' | b'\r'));
                if let Some(st) = start {
                    if top {
                        out.push((st, s));
                        start = None;
                    }
                }
                if start.is_none() && (l.starts_with(b"sops:") || l.starts_with(b"\"sops\":")) {
                    start = Some(s);
                }
            }
            if let Some(st) = start {
                out.push((st, data.len()));
            }
        }
        Format::Dotenv => {
            for (s, l) in lines() {
                if l.starts_with(b"sops_") {
                    out.push((s, s + l.len()));
                }
            }
        }
        Format::Ini => {
            let mut start = None;
            for (s, l) in lines() {
                let t = crate::checks::trim(l);
                if t.starts_with(b"[") {
                    if let Some(st) = start.take() {
                        out.push((st, s));
                    }
                    if t == b"[sops]" {
                        start = Some(s);
                    }
                }
            }
            if let Some(st) = start {
                out.push((st, data.len()));
            }
        }
        _ => {
            // JSON: the value of the "sops" key of the top-level object.
            if let Some(r) = json_member(data, b"sops") {
                out.push(r);
            }
        }
    }
    out
}

/// The span from a top-level JSON member's key to the end of its value.
fn json_member(data: &[u8], name: &[u8]) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut i = 0;
    let mut member: Option<usize> = None;
    while i < data.len() {
        match data[i] {
            b'"' => {
                let s = i;
                i += 1;
                while i < data.len() && data[i] != b'"' {
                    i += if data[i] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 && member.is_none() && data.get(s + 1..i) == Some(name) {
                    let rest = &data[(i + 1).min(data.len())..];
                    if rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':') {
                        member = Some(s);
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    if let Some(s) = member {
                        return Some((s, i + 1));
                    }
                }
                if depth == 0 {
                    return member.map(|s| (s, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    member.map(|s| (s, data.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(data: &str, spans: &[(usize, usize)]) -> Vec<String> {
        spans.iter().map(|&(s, e)| data[s..e].to_string()).collect()
    }

    const ENC: &str = "ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]";

    #[test]
    fn yaml_default_rules() {
        let f = format!(
            "db:\n    password: {ENC}\n    user: admin\n    api_token_unencrypted: 8f14e45fceea\nlist:\n    - {ENC}\n    - plain-item\nsops:\n    mac: {ENC}\n    api_token: abc\n    version: 3.11.0\n"
        );
        let v = view("secrets/db.yaml", f.as_bytes());
        assert_eq!(texts(&f, &v.must_encrypt), ["admin", "plain-item"]);
        assert_eq!(texts(&f, &v.trusted), ["8f14e45fceea"]);
        let meta = f.find("sops:").unwrap();
        assert!(v.masks((meta + 20, meta + 21)));
    }

    #[test]
    fn yaml_encrypted_regex() {
        let f = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n    name: app\nstringData:\n    password: hunter22\n    token: {ENC}\nsops:\n    encrypted_regex: ^(data|stringData)$\n    version: 3.11.0\n"
        );
        let v = view("k8s/secret.yaml", f.as_bytes());
        assert_eq!(texts(&f, &v.must_encrypt), ["hunter22"]);
        assert!(v.trusted.is_empty());
    }

    #[test]
    fn json_dotenv_ini() {
        let j = format!(
            "{{\n\t\"a\": \"{ENC}\",\n\t\"b\": \"clear\",\n\t\"c_unencrypted\": \"fine\",\n\t\"sops\": {{\n\t\t\"mac\": \"x\",\n\t\t\"version\": \"3.11.0\"\n\t}}\n}}\n"
        );
        let v = view("s.json", j.as_bytes());
        assert_eq!(texts(&j, &v.must_encrypt), ["clear"]);
        assert_eq!(texts(&j, &v.trusted), ["fine"]);
        assert!(v.masks((j.find("3.11.0").unwrap(), j.find("3.11.0").unwrap() + 1)));

        let e = format!("A={ENC}\nB=clear\nsops_version=3.11.0\nsops_mac={ENC}\n");
        let v = view("s.env", e.as_bytes());
        assert_eq!(texts(&e, &v.must_encrypt), ["clear"]);

        let i = format!("[db]\npassword = {ENC}\nhost = db.lan\n\n[sops]\nversion = 3.11.0\nunencrypted_regex = ^host$\n");
        let v = view("s.ini", i.as_bytes());
        assert!(v.must_encrypt.is_empty());
        assert_eq!(texts(&i, &v.trusted), ["db.lan"]);
    }
}
