//! Secret detection for a git pre-commit hook: a keyword prefilter
//! (aho-corasick) in front of precise rules (regex over bytes, entropy,
//! reference/placeholder/hash checks), SOPS awareness, gitleaks-style
//! TOML rule configs, inline and config allowlists, and a baseline.
//!
//! ```
//! let scanner = scan::Scanner::new(&scan::Config::default()).unwrap();
//! let text = b"services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: Sommer2024!\n";
//! let found = scanner.scan("compose.yaml", text).findings;
//! assert_eq!(found.len(), 1);
//! assert_eq!((found[0].line, found[0].rule.as_str()), (4, "generic-secret-assignment"));
//! // The secret itself is never in a finding.
//! assert!(!format!("{:?}", found[0]).contains("Sommer2024!"));
//!
//! // References, placeholders and SOPS values are never findings.
//! let clean = b"POSTGRES_PASSWORD: ${DB_PASSWORD}\ntoken: changeme\npassword: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n";
//! assert!(scanner.scan("x.yaml", clean).findings.is_empty());
//! ```

pub mod baseline;
pub mod checks;
pub mod config;
pub mod git;
pub mod rules;
pub mod sopsrules;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
pub use baseline::Baseline;
pub use config::Config;
use regex::bytes::Captures;
use rules::{Allowlist, Check, Rule};
use serde::Serialize;
use sha2::{Digest, Sha256};
pub use sopsrules::SopsPolicy;

/// Errors of the scan library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule config could not be read.
    #[error("{path}: {message}")]
    Config {
        /// The config file.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A git command failed.
    #[error("git {command}: {message}")]
    Git {
        /// The command (`cat-file --batch`, …).
        command: String,
        /// Its error output.
        message: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A plaintext secret in the content.
    Secret,
    /// A file that `.sops.yaml` says must be encrypted, in plaintext.
    UnencryptedSopsFile,
}

/// One finding. It never holds the secret: only where it is, a redacted
/// preview of its line and a fingerprint (a hash) for baselines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Path relative to the scan root (the repository root for git scans).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// Rule id.
    pub rule: String,
    /// What the rule finds.
    pub description: String,
    /// Secret, or a plaintext file that must be encrypted.
    pub kind: FindingKind,
    /// The line with the secret masked.
    pub preview: String,
    /// How to fix it.
    pub hint: String,
    /// Stable id for baselines: a hash of rule, file and secret.
    pub fingerprint: String,
    /// The commit holding it (history scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// Why a file was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Skip {
    /// NUL bytes in its first 8 KiB.
    Binary,
    /// Larger than the size limit.
    TooLarge,
    /// Matched a path allowlist.
    Allowlisted,
    /// A SOPS-encrypted file.
    SopsEncrypted,
}

/// The result of scanning one file.
#[derive(Debug, Clone, Default)]
pub struct FileScan {
    /// Findings, in file order.
    pub findings: Vec<Finding>,
    /// Set when the content was not scanned.
    pub skipped: Option<Skip>,
    /// Byte spans of the secrets (for callers that compare versions);
    /// parallel to `findings`.
    pub spans: Vec<(usize, usize)>,
}

/// The scanner: rules, prefilter, allowlists, SOPS policy, baseline.
pub struct Scanner {
    rules: Vec<Rule>,
    prefilter: AhoCorasick,
    /// Keyword pattern index -> rules using it.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: always run.
    always: Vec<usize>,
    allowlists: Vec<Allowlist>,
    sops: Option<SopsPolicy>,
    baseline: Option<Baseline>,
    /// Files above this size are skipped.
    pub max_file_size: usize,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field(
                "rules",
                &self.rules.iter().map(|r| &r.id).collect::<Vec<_>>(),
            )
            .field("sops", &self.sops.is_some())
            .finish()
    }
}

/// Whether the content looks binary (git's test: a NUL in the first 8000 bytes).
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8000)]).is_some()
}

/// Whether the content is a SOPS-encrypted file (values `ENC[…]` and the
/// `sops` metadata with its MAC), in any of sops' formats.
pub fn is_sops_encrypted(data: &[u8]) -> bool {
    let find = |n: &[u8]| memchr::memmem::find(data, n).is_some();
    find(b"ENC[AES256_GCM,data:") && find(b"sops") && find(b"mac")
}

const INLINE_ALLOW: &[&[u8]] = &[
    b"secretctl:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
];

/// Keyword lines closer than this are scanned as one region.
const WINDOW_GAP: usize = 4096;

/// Only the first this many bytes of a line go into a preview.
const PREVIEW_MAX: usize = 160;

impl Scanner {
    /// Builds a scanner from a config (built-in rules, minus disabled, plus custom).
    pub fn new(config: &Config) -> Result<Scanner, Error> {
        let rules = config.rules()?;
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.keywords.is_empty() {
                always.push(i);
            }
            for k in &r.keywords {
                match keywords.iter().position(|x| x == k) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        keywords.push(k.clone());
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        // Non-overlapping leftmost-longest search is much faster than an
        // overlapping one; a keyword that contains another (`api_token`
        // holds `token`) also switches on the rules of the one it contains.
        for (i, k) in keywords.iter().enumerate() {
            for (j, other) in keywords.iter().enumerate() {
                if i != j && k.contains(other.as_str()) {
                    let extra = keyword_rules[j].clone();
                    for r in extra {
                        if !keyword_rules[i].contains(&r) {
                            keyword_rules[i].push(r);
                        }
                    }
                }
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&keywords)
            .map_err(|e| Error::Config {
                path: "keywords".into(),
                message: e.to_string(),
            })?;
        Ok(Scanner {
            rules,
            prefilter,
            keyword_rules,
            always,
            allowlists: config.allowlists()?,
            sops: None,
            baseline: None,
            max_file_size: config.max_file_size(),
        })
    }

    /// Applies `.sops.yaml` creation rules: matching plaintext files are findings.
    pub fn with_sops(mut self, policy: Option<SopsPolicy>) -> Self {
        self.sops = policy;
        self
    }

    /// Drops findings listed in the baseline.
    pub fn with_baseline(mut self, baseline: Option<Baseline>) -> Self {
        self.baseline = baseline;
        self
    }

    /// The SOPS policy in use.
    pub fn sops(&self) -> Option<&SopsPolicy> {
        self.sops.as_ref()
    }

    /// The rules in use.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Scans one file's content; `path` is relative to the scan root.
    pub fn scan(&self, path: &str, data: &[u8]) -> FileScan {
        let mut out = FileScan::default();
        if self.allowlists.iter().any(|a| {
            !a.paths.is_empty()
                && a.regexes.is_empty()
                && a.stopwords.is_empty()
                && a.allows(path, b"", b"", b"")
        }) {
            out.skipped = Some(Skip::Allowlisted);
            return out;
        }
        if data.len() > self.max_file_size {
            out.skipped = Some(Skip::TooLarge);
            return out;
        }
        if is_binary(data) {
            out.skipped = Some(Skip::Binary);
            // A binary file a creation rule says must be encrypted is still a finding.
            self.sops_finding(path, data, &mut out);
            return out;
        }
        let encrypted = is_sops_encrypted(data);
        self.sops_finding(path, data, &mut out);
        if encrypted {
            out.skipped = Some(Skip::SopsEncrypted);
            return out;
        }

        // Prefilter: which rules have a keyword in the content, and on
        // which lines (single-line rules run only there).
        let n = self.rules.len();
        let mut whole = vec![false; n];
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        for &i in &self.always {
            whole[i] = true;
        }
        let (mut ls, mut le) = (0usize, 0usize);
        let mut have_line = false;
        for m in self.prefilter.find_iter(data) {
            let at = m.start();
            if !have_line || at >= le {
                ls = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
                le = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
                have_line = true;
            }
            // A keyword may run past the end of its line ("\n" never is one).
            let we = le.max(m.end());
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                if self.rules[r].multiline {
                    whole[r] = true;
                } else {
                    // Merge with the previous window when close: fewer,
                    // longer regex runs over the same bytes.
                    match windows[r].last_mut() {
                        Some(last) if ls <= last.1 + WINDOW_GAP => last.1 = last.1.max(we),
                        _ => windows[r].push((ls, we)),
                    }
                }
            }
        }

        struct Cand {
            start: usize,
            end: usize,
            rule: usize,
        }
        let mut cands: Vec<Cand> = Vec::new();
        for (ri, rule) in self.rules.iter().enumerate() {
            if !whole[ri] && windows[ri].is_empty() {
                continue;
            }
            if let Some(p) = &rule.path {
                if !p.is_match(path.as_bytes()) {
                    continue;
                }
            }
            let re = rule.regex.get();
            let full = [(0, data.len())];
            let spans: &[(usize, usize)] = if whole[ri] { &full } else { &windows[ri] };
            for &(ws, we) in spans {
                for caps in re.captures_iter(&data[ws..we]) {
                    let Some((s, e)) = self.validate(rule, &caps, data, ws, path) else {
                        continue;
                    };
                    cands.push(Cand {
                        start: s,
                        end: e,
                        rule: ri,
                    });
                }
            }
        }
        if cands.is_empty() {
            return out;
        }
        // Overlapping candidates: the more specific rule wins.
        cands.sort_by_key(|c| (c.start, self.rules[c.rule].priority));
        let mut kept: Vec<Cand> = Vec::new();
        for c in cands {
            if let Some(k) = kept.iter_mut().find(|k| c.start < k.end && k.start < c.end) {
                if self.rules[c.rule].priority < self.rules[k.rule].priority {
                    *k = c;
                }
                continue;
            }
            kept.push(c);
        }
        kept.sort_by_key(|c| c.start);
        let spans: Vec<(usize, usize)> = kept.iter().map(|c| (c.start, c.end)).collect();
        let mut line = 1usize;
        let mut pos = 0usize;
        for c in &kept {
            line += memchr::memchr_iter(b'\n', &data[pos..c.start]).count();
            pos = c.start;
            let line_start = memchr::memrchr(b'\n', &data[..c.start]).map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&data[line_start..c.start])
                .chars()
                .count()
                + 1;
            let rule = &self.rules[c.rule];
            let fingerprint = fingerprint(&rule.id, path, &data[c.start..c.end]);
            if self
                .baseline
                .as_ref()
                .is_some_and(|b| b.contains(&fingerprint))
            {
                continue;
            }
            out.findings.push(Finding {
                file: path.to_string(),
                line,
                column,
                rule: rule.id.clone(),
                description: rule.description.clone(),
                kind: FindingKind::Secret,
                preview: preview(data, line_start, &spans),
                hint: rule.hint.clone(),
                fingerprint,
                commit: None,
            });
            out.spans.push((c.start, c.end));
        }
        out
    }

    fn sops_finding(&self, path: &str, data: &[u8], out: &mut FileScan) {
        let Some(policy) = &self.sops else { return };
        let Some(problem) = policy.check(path, data) else {
            return;
        };
        let fingerprint = fingerprint("sops-unencrypted", path, b"");
        if self
            .baseline
            .as_ref()
            .is_some_and(|b| b.contains(&fingerprint))
        {
            return;
        }
        out.findings.insert(
            0,
            Finding {
                file: path.to_string(),
                line: 1,
                column: 1,
                rule: "sops-unencrypted".into(),
                description: problem,
                kind: FindingKind::UnencryptedSopsFile,
                preview: String::new(),
                hint: format!(
                    "encrypt it: `secretctl encrypt --in-place {path}` (the hook does this with --fix)"
                ),
                fingerprint,
                commit: None,
            },
        );
        out.spans.insert(0, (0, 0));
    }

    /// Runs a rule's checks on one match; returns the secret's span.
    fn validate(
        &self,
        rule: &Rule,
        caps: &Captures<'_>,
        data: &[u8],
        base: usize,
        path: &str,
    ) -> Option<(usize, usize)> {
        let whole = caps.get(0)?;
        let whole_start = base + whole.start();
        let secret = match rule.secret_group {
            Some(g) => caps.get(g),
            None => ["secret", "s2", "dq", "sq", "bq", "uq"]
                .iter()
                .find_map(|n| caps.name(n))
                .or_else(|| if caps.len() > 1 { caps.get(1) } else { None })
                .or(Some(whole)),
        }?;
        let mut s = base + secret.start();
        let mut e = base + secret.end();
        // Trailing punctuation of a bare value (`x,` `x;` `x)`).
        if caps.name("uq").is_some() {
            while e > s && matches!(data[e - 1], b',' | b';' | b')') {
                e -= 1;
            }
        }
        while s < e && data[s].is_ascii_whitespace() {
            s += 1;
        }
        while e > s && data[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if s == e && rule.check != Check::K8sSecret {
            return None;
        }
        let value = &data[s..e];
        if let Some(min) = rule.min_entropy {
            if checks::entropy(value) < min {
                return None;
            }
        }
        match rule.check {
            Check::Plain => {
                if checks::is_placeholder(value) {
                    return None;
                }
            }
            Check::NotPlaceholder => {
                if checks::is_reference(value)
                    || checks::is_placeholder(value)
                    || checks::is_hash_or_digest(value)
                    || value.starts_with(b"ENC[")
                {
                    return None;
                }
            }
            Check::Generic => {
                let key = caps.name("key").or_else(|| caps.name("key2"))?;
                let mut kind = checks::classify_key(key.as_bytes());
                // `f("token", value)`, `["secret", "mac"]`: a comma is weak
                // evidence of an assignment; only random-looking values count.
                if caps.name("comma").is_some() && kind != checks::KeyKind::NotSecret {
                    let tokenish = value.len() >= 24
                        && checks::entropy(value) >= 3.0
                        && value.iter().any(u8::is_ascii_digit)
                        && value.iter().any(u8::is_ascii_alphabetic)
                        && !value.iter().any(|c| c.is_ascii_whitespace());
                    if !(checks::is_uuid(value) || tokenish) {
                        kind = checks::KeyKind::Random;
                    }
                }
                // A bare identifier followed by code punctuation is a type
                // or a variable (`secret: String,`, `token: Token<'a>`).
                if caps.name("uq").is_some()
                    && value
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    && !value.iter().any(u8::is_ascii_digit)
                    && matches!(
                        data.get(e),
                        Some(b',' | b'<' | b'>' | b')' | b'(' | b';' | b'{' | b'&')
                    )
                {
                    return None;
                }
                if !checks::generic_value_is_secret(kind, value) {
                    return None;
                }
                // A UUID under a key that is not clearly a secret is an id.
                if checks::is_uuid(value) && kind == checks::KeyKind::Password {
                    return None;
                }
                // Public keys of well-known shapes.
                if value.starts_with(b"age1") && value.len() == 62
                    || value.starts_with(b"ssh-")
                    || value.starts_with(b"ecdsa-sha2-")
                    || value.starts_with(b"sk-ssh-")
                {
                    return None;
                }
            }
            Check::PemBody => {
                let body: usize = value
                    .iter()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/'))
                    .count();
                if body < 64 {
                    return None;
                }
                let lower = value.to_ascii_lowercase();
                if memchr::memmem::find(&lower, b"xxxxxxxx").is_some()
                    || memchr::memmem::find(&lower, b"...").is_some()
                {
                    return None;
                }
                // Report the key from its BEGIN line.
                s = whole_start;
                e = base + whole.end();
            }
            Check::K8sSecret => return k8s_secret_value(data, whole_start),
            Check::Curl => {
                let (cs, ce) = curl_secret(caps.name("cred")?)?;
                s = base + cs;
                e = base + ce;
            }
        }
        let line = line_of(data, whole_start);
        if INLINE_ALLOW
            .iter()
            .any(|a| memchr::memmem::find(line, a).is_some())
        {
            return None;
        }
        if rule
            .allowlists
            .iter()
            .chain(self.allowlists.iter())
            .any(|a| a.allows(path, value, whole.as_bytes(), line))
        {
            return None;
        }
        Some((s, e))
    }
}

/// The secret in a `curl -u` credential: the password, or a user name
/// that looks random when the password is empty.
fn curl_secret(cred: regex::bytes::Match<'_>) -> Option<(usize, usize)> {
    let b = cred.as_bytes();
    let base = cred.start();
    if b.first() == Some(&b'<') {
        return None;
    }
    // Split at the first ':' outside quotes.
    let mut quote = None;
    let mut split = None;
    for (i, &c) in b.iter().enumerate() {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, b':') | (Some(_), b':') if split.is_none() => {
                split = Some(i);
            }
            _ => {}
        }
    }
    let split = split?;
    let strip = |mut s: usize, mut e: usize| {
        while s < e && matches!(b[s], b'"' | b'\'' | b'{') {
            s += 1;
        }
        while e > s && matches!(b[e - 1], b'"' | b'\'' | b'}') {
            e -= 1;
        }
        (s, e)
    };
    let (ps, pe) = strip(split + 1, b.len());
    let (us, ue) = strip(0, split);
    let ok = |v: &[u8]| {
        !v.is_empty()
            && !checks::is_reference(v)
            && !checks::is_placeholder(v)
            && !v.windows(2).any(|w| {
                w[0] == b'$' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'{' | b'(' | b'_'))
            })
            && !v.contains(&b'{')
    };
    if pe > ps {
        let p = &b[ps..pe];
        let u = &b[us..ue];
        if ok(p) && !(p == u && p.len() < 8) {
            return Some((base + ps, base + pe));
        }
        return None;
    }
    let u = &b[us..ue];
    (ok(u) && u.len() >= 8 && checks::entropy(u) >= 3.0 && u.iter().any(u8::is_ascii_digit))
        .then_some((base + us, base + ue))
}

fn line_of(data: &[u8], at: usize) -> &[u8] {
    let s = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
    let e = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
    &data[s..e]
}

/// In a YAML document with `kind: Secret`, the first plaintext value under
/// `data:` or `stringData:`.
fn k8s_secret_value(data: &[u8], kind_at: usize) -> Option<(usize, usize)> {
    // The YAML document around the `kind` line.
    let doc_start = memchr::memmem::rfind(&data[..kind_at], b"\n---").map_or(0, |p| p + 4);
    let doc_end =
        memchr::memmem::find(&data[kind_at..], b"\n---").map_or(data.len(), |p| kind_at + p);
    let doc = &data[doc_start..doc_end];
    let mut in_data: Option<usize> = None;
    let mut off = 0;
    for raw in doc.split(|&c| c == b'\n') {
        let line_off = off;
        off += raw.len() + 1;
        let indent = raw
            .iter()
            .take_while(|c| **c == b' ' || **c == b'\t')
            .count();
        let text = checks::trim(raw);
        if text.is_empty() || text.starts_with(b"#") {
            continue;
        }
        if let Some(d) = in_data {
            if indent <= d {
                in_data = None;
            } else if let Some(colon) = memchr::memchr(b':', text) {
                let v = checks::trim(&text[colon + 1..]);
                let v = v
                    .strip_prefix(b"\"")
                    .and_then(|v| v.strip_suffix(b"\""))
                    .or_else(|| v.strip_prefix(b"'").and_then(|v| v.strip_suffix(b"'")))
                    .unwrap_or(v);
                if v == b"|" || v == b">" || v == b"|-" || v == b">-" {
                    // The value is on the next, more indented line.
                    let rest = &doc[off.min(doc.len())..];
                    let next = rest
                        .split(|&c| c == b'\n')
                        .find(|l| !checks::trim(l).is_empty())?;
                    let nv = checks::trim(next);
                    if nv.len() >= 10 && !checks::is_reference(nv) && !checks::is_placeholder(nv) {
                        let rel = memchr::memmem::find(rest, nv)?;
                        let start = doc_start + off + rel;
                        return Some((start, start + nv.len()));
                    }
                    continue;
                }
                if v.len() >= 10
                    && !checks::is_reference(v)
                    && !checks::is_placeholder(v)
                    && !v.starts_with(b"ENC[")
                    && v != b"|"
                    && v != b">"
                {
                    let vs = indent + (text.as_ptr() as usize - raw[indent..].as_ptr() as usize);
                    let rel = memchr::memmem::find(&raw[vs..], v).map(|p| p + vs)?;
                    let start = doc_start + line_off + rel;
                    return Some((start, start + v.len()));
                }
                continue;
            }
        }
        if text == b"data:" || text == b"stringData:" {
            in_data = Some(indent);
        }
    }
    None
}

/// A preview of the line starting at `line_start` with every secret span masked.
fn preview(data: &[u8], line_start: usize, spans: &[(usize, usize)]) -> String {
    let line_end =
        memchr::memchr(b'\n', &data[line_start..]).map_or(data.len(), |p| line_start + p);
    let line = &data[line_start..line_end];
    let mut masked = vec![false; line.len()];
    for &(s, e) in spans {
        let (cs, ce) = (s.max(line_start), e.min(line_end));
        if cs >= ce {
            continue;
        }
        masked[cs - line_start..ce - line_start].fill(true);
        // Another copy of the secret on the line (`pw=x # x`) is masked too.
        let secret = &data[s..e];
        if secret.len() >= 4 {
            let mut from = 0;
            while let Some(p) = memchr::memmem::find(&line[from..], secret) {
                let at = from + p;
                masked[at..at + secret.len()].fill(true);
                from = at + 1;
            }
        }
    }
    let mut out: Vec<u8> = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        if masked[i] {
            let j = masked[i..]
                .iter()
                .position(|m| !m)
                .map_or(line.len(), |p| i + p);
            out.extend_from_slice(redact(&line[i..j]).as_bytes());
            i = j;
        } else {
            out.push(line[i]);
            i += 1;
        }
    }
    let mut s = String::from_utf8_lossy(&out).trim().to_string();
    if s.chars().count() > PREVIEW_MAX {
        s = s.chars().take(PREVIEW_MAX).collect::<String>() + "…";
    }
    s
}

/// A masked form of a secret: its first few characters when it is long
/// enough that they give nothing away, then stars.
pub fn redact(secret: &[u8]) -> String {
    let shown = if secret.len() >= 20 { 4 } else { 0 };
    let head = String::from_utf8_lossy(&secret[..shown]).into_owned();
    format!("{head}*****")
}

/// The baseline fingerprint of a secret: sha256 over rule, file and secret
/// (no line numbers or commits, so it survives rebases and squashes).
pub fn fingerprint(rule: &str, file: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(file.as_bytes());
    h.update([0]);
    h.update(secret);
    let d = h.finalize();
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(path: &str, text: &str) -> Vec<Finding> {
        Scanner::new(&Config::default())
            .unwrap()
            .scan(path, text.as_bytes())
            .findings
    }

    #[test]
    fn position_and_redaction() {
        let f = scan("a.env", "# db\nexport DB_PASSWORD=Sommer2024!x\n");
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].line, f[0].column), (2, 20));
        assert_eq!(f[0].preview, "export DB_PASSWORD=*****");
        assert!(!format!("{f:?}").contains("Sommer2024"));
    }

    #[test]
    fn every_copy_of_the_secret_on_the_line_is_masked() {
        let f = scan("a.env", "DB_PASSWORD=Sommer2024!x # was Sommer2024!x\n");
        assert_eq!(f[0].preview, "DB_PASSWORD=***** # was *****");
    }

    #[test]
    fn inline_allow_comments() {
        assert!(scan("a.env", "DB_PASSWORD=Sommer2024!x # secretctl:allow\n").is_empty());
        assert!(scan("a.py", "pw = 'Sommer2024!x'  # pragma: allowlist secret\n").is_empty());
        assert!(scan(
            "a.go",
            "token := \"ghp_6e1iqgfr7f0246gxb9v66tm8hyb7nfc4qz49\" // gitleaks:allow\n"
        )
        .is_empty());
    }

    #[test]
    fn specific_rule_wins_over_generic() {
        let f = scan(
            "a.env",
            "GITHUB_TOKEN=ghp_6e1iqgfr7f0246gxb9v66tm8hyb7nfc4qz49\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "github-token");
        assert_eq!(f[0].preview, "GITHUB_TOKEN=ghp_*****");
    }

    #[test]
    fn binary_and_sops_files_are_skipped() {
        let s = Scanner::new(&Config::default()).unwrap();
        let r = s.scan("a.bin", b"\0\0password=hunter22\n");
        assert_eq!(r.skipped, Some(Skip::Binary));
        let sops = b"password: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\nsops:\n    mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n    api_token: 8f14e45fceea167a5a36dedd4bea2543\n";
        let r = s.scan("s.yaml", sops);
        assert_eq!(r.skipped, Some(Skip::SopsEncrypted));
        assert!(r.findings.is_empty());
    }

    #[test]
    fn fingerprints_ignore_position() {
        let a = scan("a.env", "X=1\nDB_PASSWORD=Sommer2024!x\n");
        let b = scan("a.env", "DB_PASSWORD=Sommer2024!x\n");
        assert_eq!(a[0].fingerprint, b[0].fingerprint);
        assert_ne!(
            a[0].fingerprint,
            scan("b.env", "DB_PASSWORD=Sommer2024!x\n")[0].fingerprint
        );
    }
}
