//! Secret detection for a git pre-commit hook: one keyword prefilter pass
//! (a multi-lane DFA over every rule keyword, [`prefilter`]) finds the
//! candidate positions; at each, cheap structural prechecks, then the
//! rule's regex on that line only, or for the generic `key = value` rules
//! a hand-written parser ([`generic`]); then entropy, reference,
//! placeholder and hash checks. A line with no keyword costs the
//! prefilter only. Also: SOPS awareness (files `.sops.yaml` says must be
//! encrypted, plaintext values inside encrypted files), gitleaks-style
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
#![deny(missing_docs, unreachable_pub)]

pub mod baseline;
pub mod checks;
pub mod config;
mod context;
pub mod generic;
pub mod git;
#[doc(hidden)]
pub mod prefilter;
pub mod rules;
pub mod session;
mod sopsfile;
pub mod sopsrules;
mod unnamed;

pub use baseline::Baseline;
pub use config::Config;
use prefilter::{Hit, Prefilter};
use regex::bytes::Captures;
use rules::{Allowlist, Check, Pre, Rule, Run};
use serde::Serialize;
use sha2::{Digest, Sha256};
pub use sopsrules::SopsPolicy;

/// Errors of the scan library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// `--staged` or `--history` outside a git repository.
    #[error("{reason} (--staged and --history need a git repository)")]
    NotARepository {
        /// What git said.
        reason: String,
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
    /// Matched a path allowlist (on purpose: not reported).
    Allowlisted,
}

/// What the scanned text of a file is (see [`scannable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Content {
    /// The bytes as they are.
    #[default]
    Text,
    /// UTF-16 with a byte order mark, decoded to UTF-8: spans and lines
    /// refer to the decoded text.
    Utf16,
    /// Binary (a NUL in the first 8,000 bytes): its printable runs, every
    /// other byte read as a line break (spans are the file's own offsets;
    /// lines count the runs).
    Binary,
}

/// The result of scanning one file.
#[derive(Debug, Clone, Default)]
pub struct FileScan {
    /// Findings, in file order.
    pub findings: Vec<Finding>,
    /// Set when the content was not scanned.
    pub skipped: Option<Skip>,
    /// Byte spans of the secrets in the scanned text ([`scannable`]; for
    /// callers that compare versions); parallel to `findings`.
    pub spans: Vec<(usize, usize)>,
    /// What was scanned.
    pub content: Content,
    /// Scanned in windows (a file over [`Scanner::max_file_size`]): spans
    /// are offsets in the file.
    pub windowed: bool,
}

/// Bytes each window of a large file shares with the one before: a match
/// up to this long is never cut by a window's end.
pub const WINDOW_OVERLAP: usize = 256 << 10;

/// The text the scanner reads for `data`: UTF-16 with a byte order mark
/// decoded to UTF-8; binary content with every byte that is not printable
/// ASCII (or a tab, CR, LF) turned into a line break, so its printable runs
/// (a private key in a binary) read as lines; anything else as it is. The
/// common case costs the binary test only.
pub fn scannable(data: &[u8]) -> (std::borrow::Cow<'_, [u8]>, Content) {
    use std::borrow::Cow;
    if let Some(text) = utf16_text(data) {
        if is_binary(&text) {
            return (Cow::Owned(printable_runs(&text)), Content::Binary);
        }
        return (Cow::Owned(text), Content::Utf16);
    }
    if is_binary(data) {
        return (Cow::Owned(printable_runs(data)), Content::Binary);
    }
    (Cow::Borrowed(data), Content::Text)
}

/// UTF-16 (LE or BE, told by its byte order mark) as UTF-8; unpaired
/// surrogates become U+FFFD.
fn utf16_text(data: &[u8]) -> Option<Vec<u8>> {
    let le = match data {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = data[2..].chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Some(text.into_bytes())
}

fn printable_runs(data: &[u8]) -> Vec<u8> {
    data.iter()
        .map(|&b| match b {
            b'\t' | b'\n' | b'\r' | 0x20..=0x7e => b,
            _ => b'\n',
        })
        .collect()
}

/// The scanner: rules, prefilter, allowlists, SOPS policy, baseline.
pub struct Scanner {
    rules: Vec<Rule>,
    prefilter: Prefilter,
    /// Keyword index -> the rules using it, with the precheck of a hit.
    keyword_rules: Vec<Vec<(usize, Pre)>>,
    /// Rules without keywords: always run (custom rules).
    always: Vec<usize>,
    /// The distinct path filters of rules limited to some paths (the notes
    /// rules share one), and each rule's filter: a file's path is matched
    /// once per filter, and only when a rule needs it.
    path_filters: Vec<regex::bytes::Regex>,
    path_filter_of: Vec<Option<usize>>,
    /// The generic rules (parsed by hand, together): the rule of each
    /// form, indexed by `generic::Form as usize`.
    form_rules: [Option<usize>; 4],
    /// The rule of plaintext values inside SOPS files (run on the values
    /// the file's own rules say must be encrypted, not on keyword hits).
    sops_rule: Option<usize>,
    /// The rule of random values no keyword announces, if enabled.
    unnamed_rule: Option<usize>,
    /// The prefilter keyword of SOPS values ([`SOPS_MARK`]).
    sops_keyword: usize,
    allowlists: Vec<Allowlist>,
    sops: Option<SopsPolicy>,
    baseline: Option<Baseline>,
    /// Makes findings' fingerprints for a new baseline (else the plain id).
    fingerprints: Option<baseline::Hasher>,
    /// Files above this size are scanned in windows of this size.
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
    find(SOPS_MARK.as_bytes()) && find(b"sops") && find(b"mac")
}

/// How every SOPS value starts.
const SOPS_MARK: &str = "ENC[AES256_GCM,data:";

const INLINE_ALLOW: &[&[u8]] = &[
    b"secretctl:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
];

/// Only the first this many bytes of a line go into a preview.
const PREVIEW_MAX: usize = 160;

impl Scanner {
    /// Builds a scanner from a config (built-in rules, minus disabled, plus custom).
    pub fn new(config: &Config) -> Result<Scanner, Error> {
        let rules = config.rules()?;
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<(usize, Pre)>> = Vec::new();
        let mut always = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.keywords.is_empty() && !matches!(r.run, Run::Sops | Run::Unnamed) {
                always.push(i);
            }
            for (j, k) in r.keywords.iter().enumerate() {
                let pre = r.pre.get(j).copied().unwrap_or(Pre::None);
                let generic = |o: usize| {
                    matches!(
                        rules[o].run,
                        Run::Assignment | Run::Xml | Run::NameValue | Run::Flag
                    )
                };
                if generic(i) {
                    // The generic rules share one parse: list one of them.
                    if let Some(p) = keywords.iter().position(|x| x == k) {
                        if keyword_rules[p].iter().any(|&(o, _)| generic(o)) {
                            continue;
                        }
                    }
                }
                match keywords.iter().position(|x| x == k) {
                    Some(p) => keyword_rules[p].push((i, pre)),
                    None => {
                        keywords.push(k.clone());
                        keyword_rules.push(vec![(i, pre)]);
                    }
                }
            }
        }
        // Not a rule's keyword: tells SOPS files in the same pass.
        let sops_keyword = keywords.len();
        keywords.push(SOPS_MARK.to_ascii_lowercase());
        keyword_rules.push(Vec::new());
        let form_rules = generic::Form::RUNS.map(|run| rules.iter().position(|r| r.run == run));
        let sops_rule = rules.iter().position(|r| r.run == Run::Sops);
        let unnamed_rule = rules.iter().position(|r| r.run == Run::Unnamed);
        let mut path_filters: Vec<regex::bytes::Regex> = Vec::new();
        let path_filter_of = rules
            .iter()
            .map(|r| {
                let p = r.path.as_ref()?;
                Some(
                    match path_filters.iter().position(|f| f.as_str() == p.as_str()) {
                        Some(i) => i,
                        None => {
                            path_filters.push(p.clone());
                            path_filters.len() - 1
                        }
                    },
                )
            })
            .collect();
        Ok(Scanner {
            unnamed_rule,
            path_filters,
            path_filter_of,
            rules,
            prefilter: Prefilter::new(&keywords),
            keyword_rules,
            always,
            form_rules,
            sops_rule,
            sops_keyword,
            allowlists: config.allowlists()?,
            sops: None,
            baseline: None,
            fingerprints: None,
            max_file_size: config.max_file_size(),
        })
    }

    /// Applies `.sops.yaml` creation rules: matching plaintext files are findings.
    pub fn with_sops(mut self, policy: Option<SopsPolicy>) -> Self {
        self.sops = policy;
        self
    }

    /// Never reports `value` (a baseline file's salt, which sits in the
    /// repository by design).
    pub fn with_public_value(mut self, value: Option<String>) -> Self {
        if let Some(v) = value {
            self.allowlists.push(Allowlist {
                description: "public by design".into(),
                exact: vec![v],
                ..Allowlist::default()
            });
        }
        self
    }

    /// Drops findings listed in the baseline.
    pub fn with_baseline(mut self, baseline: Option<Baseline>) -> Self {
        self.baseline = baseline;
        self
    }

    /// Gives findings baseline fingerprints made with this key (salted,
    /// slow: for writing a baseline), instead of the plain output id.
    pub fn with_fingerprints(mut self, hasher: Option<baseline::Hasher>) -> Self {
        self.fingerprints = hasher;
        self
    }

    /// The fingerprint of a finding.
    fn fingerprint_of(&self, rule: &str, path: &str, secret: &[u8]) -> String {
        match &self.fingerprints {
            Some(h) => h.fingerprint(rule, path, secret),
            None => fingerprint(rule, path, secret),
        }
    }

    /// The SOPS policy in use.
    pub fn sops(&self) -> Option<&SopsPolicy> {
        self.sops.as_ref()
    }

    /// The keyword prefilter (for benchmarks).
    #[doc(hidden)]
    pub fn prefilter(&self) -> &Prefilter {
        &self.prefilter
    }

    /// The rules in use.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn allowlisted(&self, path: &str) -> bool {
        self.allowlists.iter().any(|a| {
            !a.paths.is_empty()
                && a.regexes.is_empty()
                && a.stopwords.is_empty()
                && a.allows(path, b"", b"", b"")
        })
    }

    /// Scans one file's content; `path` is relative to the scan root.
    /// Content over [`Scanner::max_file_size`] is scanned in windows (see
    /// [`Scanner::scan_reader`]).
    pub fn scan(&self, path: &str, data: &[u8]) -> FileScan {
        if data.len() > self.max_file_size {
            return self
                .scan_reader(path, &mut &data[..])
                .expect("reading memory cannot fail");
        }
        if self.allowlisted(path) {
            return FileScan {
                skipped: Some(Skip::Allowlisted),
                ..FileScan::default()
            };
        }
        let (text, content) = scannable(data);
        let mut out = self.scan_text(path, &text, content, true, || is_sops_encrypted(data));
        out.content = content;
        out
    }

    /// Scans a file read from `r`, however large, in windows of
    /// [`Scanner::max_file_size`] bytes that overlap by [`WINDOW_OVERLAP`]
    /// (the next window starts at a line start when one is near): memory
    /// stays bounded, and each finding is reported once, by the window it
    /// starts in before the overlap. Whether a file a creation rule wants
    /// encrypted is SOPS-encrypted is decided on the whole file. A window
    /// is read as [`scannable`] says (UTF-16 is decoded only when the
    /// whole file fits one window).
    pub fn scan_reader(&self, path: &str, r: &mut dyn std::io::Read) -> std::io::Result<FileScan> {
        use std::io::Read;
        let mut out = FileScan {
            windowed: true,
            ..FileScan::default()
        };
        if self.allowlisted(path) {
            out.skipped = Some(Skip::Allowlisted);
            return Ok(out);
        }
        let win = self.max_file_size.max(4 * WINDOW_OVERLAP);
        let mut buf: Vec<u8> = Vec::with_capacity(win);
        // The file offset of buf[0], and the line breaks before it.
        let (mut offset, mut line_base) = (0usize, 0usize);
        let marks = [SOPS_MARK.as_bytes(), b"sops", b"mac"];
        let mut seen = [false; 3];
        loop {
            let want = win - buf.len();
            let got = r.take(want as u64).read_to_end(&mut buf)?;
            let last = got < want;
            let cut = if last {
                buf.len()
            } else {
                let at = buf.len() - WINDOW_OVERLAP;
                memchr::memrchr(b'\n', &buf[at - WINDOW_OVERLAP..at])
                    .map_or(at, |p| at - WINDOW_OVERLAP + p + 1)
            };
            for (s, m) in seen.iter_mut().zip(marks) {
                *s = *s || memchr::memmem::find(&buf, m).is_some();
            }
            let (text, content) = if offset == 0 && last {
                scannable(&buf)
            } else if is_binary(&buf) {
                (
                    std::borrow::Cow::Owned(printable_runs(&buf)),
                    Content::Binary,
                )
            } else {
                (std::borrow::Cow::Borrowed(&buf[..]), Content::Text)
            };
            if offset == 0 || content != Content::Text {
                out.content = content;
            }
            let w = self.scan_text(path, &text, content, false, || false);
            for (mut f, (s, e)) in w.findings.into_iter().zip(w.spans) {
                if s < cut {
                    f.line += line_base;
                    out.findings.push(f);
                    out.spans.push((s + offset, e + offset));
                }
            }
            if last {
                break;
            }
            line_base += memchr::memchr_iter(b'\n', &text[..cut]).count();
            drop(text);
            offset += cut;
            buf.drain(..cut);
        }
        self.sops_finding(path, || seen.iter().all(|&s| s), &mut out);
        Ok(out)
    }

    /// Scans text (see [`scannable`]; `content` says what it was read
    /// from); `whole`: it is the whole file, so the SOPS policy applies
    /// (`encrypted` says whether it is encrypted).
    fn scan_text(
        &self,
        path: &str,
        data: &[u8],
        content: Content,
        whole: bool,
        encrypted: impl FnOnce() -> bool,
    ) -> FileScan {
        let mut out = FileScan::default();
        // Buffers reused across calls on this thread.
        let mut sc = SCRATCH.take();
        self.prefilter.hits(data, &mut sc.hits, &mut sc.prefilter);
        let encrypted_here =
            sc.hits.iter().any(|h| h.keyword == self.sops_keyword) && is_sops_encrypted(data);
        if whole {
            self.sops_finding(path, encrypted, &mut out);
        }

        // One line index for the whole file (built lazily, on first use).
        let lines = Lines::new(data);
        let mut cands = self.candidates(path, data, &lines, &mut sc);
        // A binary's printable runs are symbols and data, random by nature.
        if content != Content::Binary && unnamed::applies_to(path) {
            self.unnamed_values(path, data, &lines, &mut cands);
        }
        SCRATCH.set(sc);
        if encrypted_here {
            // Ciphertext and metadata are never findings, values left in
            // clear on purpose neither; values that the file's rules say
            // must be encrypted are.
            let view = sopsfile::view(path, data);
            cands.retain(|c| !view.masks((c.start, c.end)));
            if let Some(ri) = self.sops_rule {
                for &span in &view.must_encrypt {
                    cands.extend(self.span_candidate(ri, span, data, path, &lines));
                }
            }
        }
        if cands.is_empty() {
            return out;
        }
        // Overlapping candidates: the more specific rule wins.
        cands.sort_by_key(|c| (c.start, self.rules[c.rule].priority));
        let mut kept: Vec<Cand> = Vec::new();
        // Kept candidates before `live` end before every later start.
        let mut live = 0;
        for c in cands {
            while live < kept.len() && kept[live].end <= c.start {
                live += 1;
            }
            if let Some(k) = kept[live..]
                .iter_mut()
                .find(|k| c.start < k.end && k.start < c.end)
            {
                if self.rules[c.rule].priority < self.rules[k.rule].priority {
                    *k = c;
                }
                continue;
            }
            kept.push(c);
        }
        kept.sort_by_key(|c| c.start);
        let spans = SpanIndex::new(kept.iter().map(|c| (c.start, c.end)).collect());
        // What previews of the current line mask (findings come in order,
        // so each line is worked out once).
        let mut masks: Option<LineMasks> = None;
        // Column of the previous finding, to count characters once per line.
        let mut col_at: (usize, usize) = (usize::MAX, 0);
        for c in &kept {
            let (line, line_start, _) = lines.at(c.start);
            let (from, base) =
                if col_at.0 != usize::MAX && col_at.0 >= line_start && col_at.0 <= c.start {
                    col_at
                } else {
                    (line_start, 0)
                };
            let column = base
                + String::from_utf8_lossy(&data[from..c.start])
                    .chars()
                    .count();
            col_at = (c.start, column);
            let rule = &self.rules[c.rule];
            let secret = &data[c.start..c.end];
            if self
                .baseline
                .as_ref()
                .is_some_and(|b| b.accepts(&rule.id, path, secret))
            {
                continue;
            }
            let fingerprint = self.fingerprint_of(&rule.id, path, secret);
            out.findings.push(Finding {
                file: path.to_string(),
                line,
                column: column + 1,
                rule: rule.id.clone(),
                description: rule.description.clone(),
                kind: FindingKind::Secret,
                preview: {
                    let (_, line_start, line_end) = lines.at(c.start);
                    let m = match masks.take() {
                        Some(m) if m.line.0 == line_start => masks.insert(m),
                        _ => masks.insert(LineMasks::new(data, (line_start, line_end), &spans)),
                    };
                    m.preview(data, c.start)
                },
                hint: rule.hint.clone(),
                fingerprint,
                commit: None,
            });
            out.spans.push((c.start, c.end));
        }
        out
    }

    /// Every validated match of every rule, before overlaps are resolved.
    ///
    /// One prefilter pass finds the keyword hits; each hit passes its
    /// rules' cheap prechecks, then the generic rules parse the key it
    /// sits in and the others run their regex on its line. A line with no
    /// keyword costs the prefilter only.
    fn candidates(
        &self,
        path: &str,
        data: &[u8],
        lines: &Lines<'_>,
        sc: &mut Scratch,
    ) -> Vec<Cand> {
        let mut cands: Vec<Cand> = Vec::new();
        let hits = &sc.hits;
        let n = self.rules.len();
        // Rules limited to some paths (`.pgpass`, notes): each filter is
        // matched once per file, when a rule first needs it (0: not yet).
        let path_known = vec![std::cell::Cell::new(0u8); self.path_filters.len()];
        let path_ok = |ri: usize| match self.path_filter_of[ri] {
            None => true,
            Some(f) => match path_known[f].get() {
                0 => {
                    let ok = self.path_filters[f].is_match(path.as_bytes());
                    path_known[f].set(if ok { 1 } else { 2 });
                    ok
                }
                known => known == 1,
            },
        };
        // Per rule: the start of the last line it ran on (+1; 0 = none),
        // and whether a once-per-file run is done.
        let last_line = &mut sc.last_line;
        last_line.clear();
        last_line.resize(n, 0);
        let done = &mut sc.done;
        done.clear();
        done.resize(n, false);
        let mut generic = generic::State::default();
        // The line of the last `Run::Line` hit (none yet: every hit is past `le`).
        let (mut ls, mut le) = (0usize, 0usize);
        for hit in hits {
            let at = hit.start;
            for &(ri, pre) in &self.keyword_rules[hit.keyword] {
                let rule = &self.rules[ri];
                match rule.run {
                    Run::Assignment | Run::Xml | Run::NameValue | Run::Flag => {
                        // One parse of a hit serves every generic rule (a
                        // keyword lists only one of them).
                        generic.on_hit(data, at, |p, form| {
                            let Some(gi) = self.form_rules[form as usize] else {
                                return;
                            };
                            let g = &self.rules[gi];
                            if !path_ok(gi) {
                                return;
                            }
                            let raw = Raw {
                                whole: (p.start, p.end),
                                secret: p.value,
                                key: Some(p.key),
                                comma: p.comma,
                                bare: p.bare,
                                cred: None,
                            };
                            if let Some((s, e)) = self.validate(g, &raw, data, path, lines) {
                                cands.push(Cand {
                                    start: s,
                                    end: e,
                                    rule: gi,
                                });
                            }
                        });
                    }
                    Run::Line => {
                        if !path_ok(ri)
                            || !precheck(pre, data, at, self.prefilter.keyword_len(hit.keyword))
                        {
                            continue;
                        }
                        if at >= le {
                            ls = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
                            le = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
                        }
                        if let Pre::LineHas(lit) = pre {
                            if memchr::memmem::find(&data[ls..le], lit).is_none() {
                                continue;
                            }
                        }
                        if last_line[ri] == ls + 1 {
                            continue;
                        }
                        last_line[ri] = ls + 1;
                        self.run_regex(ri, data, (ls, le), path, lines, &mut cands);
                    }
                    Run::FromFirstHit => {
                        if done[ri] || !path_ok(ri) {
                            continue;
                        }
                        done[ri] = true;
                        let from = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
                        self.run_regex(ri, data, (from, data.len()), path, lines, &mut cands);
                    }
                    Run::Sops | Run::Unnamed => {}
                    Run::Whole => {
                        if done[ri] || !path_ok(ri) {
                            continue;
                        }
                        done[ri] = true;
                        self.run_regex(ri, data, (0, data.len()), path, lines, &mut cands);
                    }
                }
            }
        }
        for &ri in &self.always {
            if !done[ri] && path_ok(ri) {
                self.run_regex(ri, data, (0, data.len()), path, lines, &mut cands);
            }
        }
        cands
    }

    /// Candidates of the rule of random values no keyword announces.
    fn unnamed_values(&self, path: &str, data: &[u8], lines: &Lines<'_>, cands: &mut Vec<Cand>) {
        let Some(ri) = self.unnamed_rule else { return };
        let rule = &self.rules[ri];
        if rule
            .path
            .as_ref()
            .is_some_and(|p| !p.is_match(path.as_bytes()))
        {
            return;
        }
        unnamed::find(data, |span| {
            cands.extend(self.span_candidate(ri, span, data, path, lines));
        });
    }

    /// Rule `ri`'s candidate for a span found without a pattern (a SOPS
    /// value, a random value), if the rule's checks pass.
    fn span_candidate(
        &self,
        ri: usize,
        span: (usize, usize),
        data: &[u8],
        path: &str,
        lines: &Lines<'_>,
    ) -> Option<Cand> {
        let raw = Raw {
            whole: span,
            secret: span,
            key: None,
            comma: false,
            bare: false,
            cred: None,
        };
        let (start, end) = self.validate(&self.rules[ri], &raw, data, path, lines)?;
        Some(Cand {
            start,
            end,
            rule: ri,
        })
    }

    /// Runs a rule's regex over `data[from..to]` and validates each match.
    fn run_regex(
        &self,
        ri: usize,
        data: &[u8],
        (from, to): (usize, usize),
        path: &str,
        lines: &Lines<'_>,
        cands: &mut Vec<Cand>,
    ) {
        let rule = &self.rules[ri];
        let re = rule.regex.get();
        // Most keyword lines hold no match: ask first, without captures.
        if rule.run == Run::Line && !re.is_match(&data[from..to]) {
            return;
        }
        for caps in re.captures_iter(&data[from..to]) {
            let Some(raw) = Raw::from_captures(rule, &caps, from) else {
                continue;
            };
            // A Secret's `kind` line stands for each of its values.
            let secrets = match rule.check {
                Check::K8sSecret => k8s_secret_values(data, raw.whole.0),
                _ => vec![raw.secret],
            };
            for secret in secrets {
                let raw = Raw { secret, ..raw };
                if let Some((s, e)) = self.validate(rule, &raw, data, path, lines) {
                    cands.push(Cand {
                        start: s,
                        end: e,
                        rule: ri,
                    });
                }
            }
        }
    }

    /// The finding of a file a creation rule says must be encrypted, when
    /// `encrypted()` says it is not.
    fn sops_finding(&self, path: &str, encrypted: impl FnOnce() -> bool, out: &mut FileScan) {
        let Some(policy) = &self.sops else { return };
        let Some(rule) = policy.requires_encryption(path) else {
            return;
        };
        if encrypted() {
            return;
        }
        let problem = sopsrules::problem(rule);
        if self
            .baseline
            .as_ref()
            .is_some_and(|b| b.accepts("sops-unencrypted", path, b""))
        {
            return;
        }
        let fingerprint = self.fingerprint_of("sops-unencrypted", path, b"");
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
        raw: &Raw,
        data: &[u8],
        path: &str,
        lines: &Lines<'_>,
    ) -> Option<(usize, usize)> {
        let whole_start = raw.whole.0;
        let whole = &data[raw.whole.0..raw.whole.1];
        let (mut s, mut e) = raw.secret;
        // Trailing punctuation of a bare value (`x,` `x;` `x)`).
        if raw.bare {
            while e > s && matches!(data[e - 1], b',' | b';' | b')') {
                e -= 1;
            }
            // And a JSON object's or array's end (`"Password": null}`).
            // (Only closers are stripped, so the openers are counted once.)
            let (brace, bracket) = (data[s..e].contains(&b'{'), data[s..e].contains(&b'['));
            while e > s && (data[e - 1] == b'}' && !brace || data[e - 1] == b']' && !bracket) {
                e -= 1;
                while e > s && matches!(data[e - 1], b',' | b';' | b')') {
                    e -= 1;
                }
            }
        }
        while s < e && data[s].is_ascii_whitespace() {
            s += 1;
        }
        while e > s && data[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if s == e && !matches!(rule.check, Check::K8sSecret | Check::ByteArray) {
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
                // `password: |` (a YAML block scalar): the value is the
                // block's one line.
                if raw.bare {
                    (s, e) = context::block_scalar_line(data, (s, e)).unwrap_or((s, e));
                }
                // `${NAME:-default}`: the default is plaintext.
                if let Some(d) = context::shell_default(&data[s..e]) {
                    (s, e) = (s + d.0, s + d.1);
                }
                let value = &data[s..e];
                // The cheap tests that do not need the key come first: most
                // assignments in code end here.
                // A bare identifier followed by code punctuation is a type
                // or a variable (`secret: String,`, `token: Token<'a>`).
                if raw.bare
                    && value
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    && !value.iter().any(u8::is_ascii_digit)
                    && matches!(
                        data.get(e),
                        Some(b',' | b'<' | b'>' | b')' | b'(' | b';' | b'{' | b'&')
                    )
                    // (`<Password>Letters</Password>` is XML, not a generic type.)
                    && !data[e..].starts_with(b"</")
                {
                    return None;
                }
                // `NAME: type = value`: a typed constant, not an assignment.
                if raw.bare
                    && value
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    && data[e..]
                        .iter()
                        .position(|&c| c != b' ' && c != b'\t')
                        .is_some_and(|p| data[e + p] == b'=' && data.get(e + p + 1) != Some(&b'='))
                {
                    return None;
                }
                // A form body, query string or option list (`token=…&user=…`,
                // `password=…,uid=1000`): the value ends at the next parameter.
                if raw.bare {
                    if let Some(amp) = context::next_parameter(&data[s..e]) {
                        e = s + amp;
                    }
                }
                let value = &data[s..e];
                let key = raw.key?;
                // LDIF's `userPassword:: <base64>`: the decoded text is the value.
                let decoded = context::ldif_base64(data, key, (s, e));
                let value = decoded.as_deref().unwrap_or(value);
                // `${TOKEN:?unset}`, `${TOKEN:+x}`: shell expansions that
                // say what to do without a value, not assignments.
                if key.0 >= 2
                    && &data[key.0 - 2..key.0] == b"${"
                    && matches!(value.first(), Some(b'?' | b'+'))
                {
                    return None;
                }
                // Longer than any password, but key material in base64 under
                // a private key's name (Traefik's acme.json) is a secret.
                if !checks::generic_value_plausible(value)
                    && !context::long_private_key(&data[key.0..key.1], value)
                {
                    return None;
                }
                // `name:model:username:password:enable`: a list of field
                // names (the header of Oxidized's router.db), no value.
                if raw.bare && data[..key.0].ends_with(b":") && data[key.1..].starts_with(b":") {
                    return None;
                }
                let mut kind = checks::classify_key(&data[context::spaced_key(data, key)..key.1]);
                // `f("token", value)`, `["secret", "mac"]`: a comma is weak
                // evidence of an assignment; only random-looking values count.
                if raw.comma && kind != checks::KeyKind::NotSecret {
                    let tokenish = value.len() >= 24
                        && checks::entropy(value) >= 3.0
                        && value.iter().any(u8::is_ascii_digit)
                        && value.iter().any(u8::is_ascii_alphabetic)
                        && !value.iter().any(|c| c.is_ascii_whitespace());
                    if !(checks::is_uuid(value) || tokenish) {
                        kind = checks::KeyKind::Random;
                    }
                }
                // Plausible already: only what depends on the key is left.
                let fits =
                    kind != checks::KeyKind::NotSecret && checks::generic_value_fits(kind, value);
                // A WireGuard private key under any key name, and 32 bytes
                // in base64 under a plain `key:` (ESPHome's API encryption
                // key, `wg_key`).
                let key = &data[key.0..key.1];
                let wg = (context::is_clamped_x25519(value)
                    || checks::key_words(key).last().is_some_and(|w| w == "key")
                        && context::is_b64_32(value))
                    && !context::names_no_private_key(key);
                // The id of a cloud key (`access_key_id`) beside its secret
                // is reported with it: it names the key to revoke.
                let paired_id = !fits
                    && !wg
                    && context::is_key_id(value)
                    && context::names_key_id(key)
                    && context::paired_secret(data, (s, e)).is_some();
                if !fits && !wg && !paired_id {
                    return None;
                }
                // What only the line tells, for a value about to be reported
                // (a bounded part of a long line).
                let ((ls, le), _) = context::line_around(data, s, e);
                // The value's surroundings, for what its element says.
                let near = &data[s.saturating_sub(256).max(ls)..(e + 256).min(le)];
                // A password that repeats its line's first word, the user:
                // MAC authentication (`a4c1…  Cleartext-Password := "a4c1…"`).
                let first = data[ls..s]
                    .split(|b| b.is_ascii_whitespace())
                    .find(|w| !w.is_empty());
                if first == Some(value) {
                    return None;
                }
                // A value its element says is hashed (Guacamole's `encoding="md5"`).
                if [
                    &b"encoding=\"md5\""[..],
                    b"encoding=\"sha256\"",
                    b"encoding='md5'",
                ]
                .iter()
                .any(|m| memchr::memmem::find(near, m).is_some())
                {
                    return None;
                }
                // OPNsense's API key beside its hashed secret
                // (`<key>…</key>` then `<secret>$6$…`): the key is the id.
                if key.eq_ignore_ascii_case(b"key") && context::id_beside_hashed_secret(data, le) {
                    return None;
                }
                // Bazarr stores the MD5 of its password under `auth: password:`.
                if key.eq_ignore_ascii_case(b"password")
                    && path.to_ascii_lowercase().contains("bazarr")
                    && value.len() == 32
                    && value.iter().all(u8::is_ascii_hexdigit)
                {
                    return None;
                }
                // Pi-hole stores only a double SHA-256 under this name.
                if key.eq_ignore_ascii_case(b"WEBPASSWORD")
                    && value.len() == 64
                    && value.iter().all(u8::is_ascii_hexdigit)
                {
                    return None;
                }
                // A salt stored with its hash on one line (Keycloak's
                // `{"value": hash, "salt": …}`) is no secret.
                if key.eq_ignore_ascii_case(b"salt") {
                    let line = data[ls..le].to_ascii_lowercase();
                    if memchr::memmem::find(&line, b"value").is_some()
                        || memchr::memmem::find(&line, b"hash").is_some()
                    {
                        return None;
                    }
                }
                // A Matrix server's verify key (`"ed25519:a_1": { key: "…" }`):
                // its signing key lives in a file without the colon.
                if (43..=44).contains(&value.len())
                    && memchr::memmem::find(near, b"ed25519:").is_some()
                {
                    return None;
                }
                if context::public_key_shape(value) {
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
                (s, e) = raw.whole;
            }
            // (Its values were found from the `kind` line.)
            Check::K8sSecret => {}
            Check::Curl => {
                let (cs, ce) = raw.cred?;
                (s, e) = curl_secret(&data[cs..ce], cs)?;
            }
            Check::AuthHeader => {
                // Lowercase words and identifiers are prose, not credentials.
                let word = !value
                    .iter()
                    .any(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
                if word
                    || checks::is_reference(value)
                    || checks::is_placeholder(value)
                    || context::basic_is_example(value)
                {
                    return None;
                }
            }
            Check::NotifyUrl => (s, e) = context::notify_token(value, s)?,
            Check::IniRemote => {
                let key = checks::trim(&data[whole_start..s]);
                let key = &key[..key
                    .iter()
                    .position(|&c| c == b'=' || c == b' ' || c == b'\t')?];
                let kind = context::ini_key_kind(key);
                if !checks::generic_value_is_secret(kind, value)
                    || !context::ini_section_has_type(data, whole_start)
                {
                    return None;
                }
            }
            Check::ByteArray => {
                let key = &data[raw.key?.0..raw.key?.1];
                if matches!(checks::classify_key(key), checks::KeyKind::NotSecret)
                    && !checks::key_words(key).iter().any(|w| w == "key")
                    || context::names_no_private_key(key)
                {
                    return None;
                }
                (s, e) = context::byte_array(data, s)?;
            }
            Check::KeyPair => (s, e) = context::paired_secret(data, (s, e))?,
            Check::DeviceSecret => {
                if !context::device_secret(value) {
                    return None;
                }
            }
            Check::Prose => {
                // The end of a sentence (`… is Hunter2-Blue.`).
                while e > s && matches!(data[e - 1], b'.' | b':') {
                    e -= 1;
                }
                if !context::prose_password(&data[s..e]) {
                    return None;
                }
            }
            Check::KeyIdBeside => {
                context::paired_secret(data, (s, e))?;
            }
            Check::Directive => {
                // `secret "…";`: a quoted value ending a statement (BIND,
                // dhcpd) is configuration, not a command line.
                let statement = !raw.bare && data[e..raw.whole.1].contains(&b';');
                let kind = match raw.key {
                    Some((ks, ke)) => context::directive_key_kind(&data[ks..ke], statement),
                    None => checks::KeyKind::Password,
                };
                if !context::directive_value_is_secret(kind, value) {
                    return None;
                }
            }
            // (A block on one line proves itself.)
            Check::TokensBlock => {
                if let Some((ks, ke)) = raw.key {
                    // Consul names its tokens by role (`agent`, `default`); a
                    // `session_id` beside them is an id.
                    let key = checks::key_words(&data[ks..ke]);
                    if key.last().is_some_and(|w| w.ends_with("id"))
                        || !context::in_tokens_block(data, whole_start)
                    {
                        return None;
                    }
                }
            }
            Check::HexKeyBlock => {
                if !value.iter().any(u8::is_ascii_digit)
                    || !context::in_key_block(data, whole_start)
                {
                    return None;
                }
            }
            Check::KeyedValue => {
                let key = &data[raw.key?.0..raw.key?.1];
                // `option key` is a Wi-Fi passphrase (or a WEP key).
                let kind = if key == b"key" {
                    checks::KeyKind::Password
                } else {
                    checks::classify_key(key)
                };
                if !checks::generic_value_is_secret(kind, value) {
                    return None;
                }
            }
            Check::PemBase64 => {
                if !context::is_base64_pem_private_key(value) {
                    return None;
                }
            }
            Check::Unnamed => {}
            Check::NotId => {
                // The name before the value: `…_ID=`, `"guildId":`.
                let name = checks::trim(&data[whole_start..s]);
                let name: &[u8] = name
                    .iter()
                    .rposition(|c| c.is_ascii_alphanumeric())
                    .map_or(&[], |p| &name[..=p]);
                // (Pushover's user key names whom to notify.)
                if name.to_ascii_lowercase().ends_with(b"id")
                    || context::labelled_user(data, s)
                    || checks::is_reference(value)
                    || checks::is_placeholder(value)
                {
                    return None;
                }
            }
            Check::RandomToken => {
                if !unnamed::looks_random(value) {
                    return None;
                }
            }
            Check::SecretFileWrite => {
                if !context::writes_secret_file(&data[raw.key?.0..raw.key?.1], value) {
                    return None;
                }
            }
            Check::RecoveryCode => {
                if !context::recovery_code(value) {
                    return None;
                }
            }
            Check::PasswordShaped => {
                if !context::password_shaped(value) || context::labelled_user(data, s) {
                    return None;
                }
            }
            Check::TableCell => (s, e) = context::table_password(data, whole_start)?,
            Check::WgKey => {
                if context::names_no_private_key(&data[raw.key?.0..raw.key?.1])
                    || checks::is_placeholder(value)
                {
                    return None;
                }
            }
        }
        let (_, ls, le) = lines.at(whole_start);
        let line = &data[ls..le];
        if lines.allowed_inline(whole_start) {
            return None;
        }
        if rule
            .allowlists
            .iter()
            .chain(self.allowlists.iter())
            .any(|a| a.allows(path, value, whole, line))
        {
            return None;
        }
        Some((s, e))
    }
}

/// Buffers of one scan, kept per thread between scans.
#[derive(Default)]
struct Scratch {
    hits: Vec<Hit>,
    prefilter: prefilter::Buffers,
    last_line: Vec<usize>,
    done: Vec<bool>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

/// Line numbers and bounds of one file's content, indexed on first use
/// (most files have no candidate and never pay for it). Lookups are
/// logarithmic, so a long single-line file with many candidates stays
/// linear overall.
struct Lines<'a> {
    data: &'a [u8],
    newlines: std::cell::OnceCell<Vec<usize>>,
    /// Line numbers (0-based) holding an inline allow comment.
    allow: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Lines<'a> {
    fn new(data: &'a [u8]) -> Lines<'a> {
        Lines {
            data,
            newlines: std::cell::OnceCell::new(),
            allow: std::cell::OnceCell::new(),
        }
    }

    fn newlines(&self) -> &[usize] {
        self.newlines
            .get_or_init(|| memchr::memchr_iter(b'\n', self.data).collect())
    }

    /// The 1-based line number, start and end (before the newline) of the line holding `at`.
    fn at(&self, at: usize) -> (usize, usize, usize) {
        let nl = self.newlines();
        let i = nl.partition_point(|&p| p < at);
        let start = if i == 0 { 0 } else { nl[i - 1] + 1 };
        let end = nl.get(i).copied().unwrap_or(self.data.len());
        (i + 1, start, end)
    }

    /// Whether the line holding `at` has an inline allow comment.
    fn allowed_inline(&self, at: usize) -> bool {
        let allow = self.allow.get_or_init(|| {
            let nl = self.newlines();
            let mut v: Vec<usize> = INLINE_ALLOW
                .iter()
                .flat_map(|a| memchr::memmem::find_iter(self.data, a))
                .map(|p| nl.partition_point(|&q| q < p))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        });
        let (line, _, _) = self.at(at);
        allow.binary_search(&(line - 1)).is_ok()
    }
}

/// A candidate finding: the secret's span and the rule.
struct Cand {
    start: usize,
    end: usize,
    rule: usize,
}

/// One match before validation, in absolute offsets.
#[derive(Clone, Copy)]
struct Raw {
    whole: (usize, usize),
    secret: (usize, usize),
    /// The key of a generic assignment.
    key: Option<(usize, usize)>,
    /// `"key", value`.
    comma: bool,
    /// An unquoted value.
    bare: bool,
    /// The credential of a `curl -u`.
    cred: Option<(usize, usize)>,
}

impl Raw {
    fn from_captures(rule: &Rule, caps: &Captures<'_>, base: usize) -> Option<Raw> {
        let whole = caps.get(0)?;
        let secret = match rule.secret_group {
            Some(g) => caps.get(g),
            None => ["secret", "s2", "s3", "dq", "sq", "bq", "uq"]
                .iter()
                .find_map(|n| caps.name(n))
                .or_else(|| if caps.len() > 1 { caps.get(1) } else { None })
                .or(Some(whole)),
        }?;
        let span = |m: regex::bytes::Match<'_>| (base + m.start(), base + m.end());
        Some(Raw {
            whole: span(whole),
            secret: span(secret),
            key: caps.name("key").or_else(|| caps.name("key2")).map(span),
            comma: caps.name("comma").is_some(),
            bare: caps.name("uq").is_some(),
            cred: caps.name("cred").map(span),
        })
    }
}

/// A byte of a token for the `Token` precheck (a superset of every
/// secret alphabet the rules use).
#[inline]
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'-' | b'.' | b'/' | b'+' | b'=' | b'~' | b'\\' | b':'
        )
}

/// How far a precheck walks along a run of key bytes: no key is longer,
/// and a megabyte of key bytes must not be walked once per hit in it.
const KEY_MAX: usize = 256;

/// Whether a keyword hit at `at` (keyword `len` bytes) passes a precheck.
fn precheck(pre: Pre, data: &[u8], at: usize, len: usize) -> bool {
    match pre {
        Pre::None | Pre::LineHas(_) => true,
        Pre::Scheme => context::notify_scheme_before(data, at),
        Pre::B64After => {
            let rest = &data[at..(at + 160).min(data.len())];
            let rest = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
            memchr::memchr_iter(b'=', rest).any(|p| {
                p >= 43
                    && rest[p - 43..p]
                        .iter()
                        .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            })
        }
        Pre::ArrayAfter => {
            let mut q = at + len;
            let end = (q + KEY_MAX).min(data.len());
            while q < end && generic::is_key_byte(data[q]) {
                q += 1;
            }
            if data.get(q) == Some(&b'[') {
                // `key[16] = {…}`
                q += 1;
                while q < data.len() && data[q].is_ascii_digit() {
                    q += 1;
                }
                if data.get(q) != Some(&b']') {
                    return false;
                }
                q += 1;
            }
            if matches!(data.get(q), Some(b'"' | b'\'')) {
                q += 1;
            }
            while q < data.len() && matches!(data[q], b' ' | b'\t') {
                q += 1;
            }
            if !matches!(data.get(q), Some(b':' | b'=')) {
                return false;
            }
            q += 1;
            while q < data.len() && matches!(data[q], b' ' | b'\t') {
                q += 1;
            }
            // (`key: "[22, 217, …]"`: an array written as a string.)
            if matches!(data.get(q), Some(b'"' | b'\'')) {
                q += 1;
            }
            matches!(data.get(q), None | Some(b'[' | b'{' | b'(' | b'\r' | b'\n'))
        }
        Pre::QueryKey => {
            // Parameter names are short: look no further than this either
            // side (a megabyte of key bytes must not be walked per hit).
            const NAME: usize = 64;
            let from = at.saturating_sub(NAME);
            let Some(ks) = data[from..at]
                .iter()
                .rposition(|&b| !generic::is_key_byte(b))
                .map(|p| from + p + 1)
            else {
                return false;
            };
            let to = (at + NAME).min(data.len());
            let ke = data[at..to]
                .iter()
                .position(|&b| !generic::is_key_byte(b))
                .map_or(to, |p| at + p);
            ks > 0 && matches!(data[ks - 1], b'?' | b'&') && data.get(ke) == Some(&b'=')
        }
        Pre::TokenAfter(min) => {
            let min = min as usize;
            data[(at + len).min(data.len())..]
                .iter()
                .take(min)
                .take_while(|&&b| is_token_byte(b))
                .count()
                >= min
        }
        Pre::KeyStartsLine => {
            // Backwards first: most hits are inside a line.
            let mut ks = at;
            let stop = at.saturating_sub(KEY_MAX);
            while ks > stop && generic::is_key_byte(data[ks - 1]) {
                ks -= 1;
            }
            let mut before = data[..ks].iter().rev().take_while(|&&b| b != b'\n');
            if !before.all(|&b| b == b' ' || b == b'\t') {
                return false;
            }
            let mut ke = at + len;
            let end = (ke + KEY_MAX).min(data.len());
            while ke < end && generic::is_key_byte(data[ke]) {
                ke += 1;
            }
            matches!(data.get(ke), Some(b' ' | b'\t'))
        }
        Pre::IniKey => {
            let before = data[..at].iter().rev().take_while(|&&b| b != b'\n');
            let mut q = at + len;
            while q < data.len() && matches!(data[q], b' ' | b'\t') {
                q += 1;
            }
            data.get(q) == Some(&b'=') && before.clone().all(|&b| b == b' ' || b == b'\t')
        }
        Pre::Token(min) => {
            let min = min as usize;
            let right = data[at..]
                .iter()
                .take(min)
                .take_while(|&&b| is_token_byte(b))
                .count();
            right >= min
                || right
                    + data[..at]
                        .iter()
                        .rev()
                        .take(min - right)
                        .take_while(|&&b| is_token_byte(b))
                        .count()
                    >= min
        }
        Pre::LineStart => {
            let before = data[..at].iter().rev().take_while(|&&b| b != b'\n');
            before.clone().all(|&b| b == b' ' || b == b'\t')
                && matches!(data.get(at + len), Some(b' ' | b'\t'))
        }
        Pre::LineStartsWith(words) => {
            // The lines these rules read are short: a hit far along a long
            // line (minified JSON) is no match, and costs no walk back.
            const LINE: usize = 1024;
            let from = at.saturating_sub(LINE);
            let ls = match memchr::memrchr(b'\n', &data[from..at]) {
                Some(p) => from + p + 1,
                None if from == 0 => 0,
                None => return false,
            };
            let blanks = data[ls..at]
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            words.iter().any(|w| data[ls + blanks..].starts_with(w))
        }
        Pre::Url => {
            // After `://`: the user info and password end at `@`; neither
            // holds a blank, a quote, `<`, `>` or `/`, and a `:` splits them.
            let rest = &data[(at + len).min(data.len())..];
            let mut colon = false;
            for &b in rest.iter().take(64 + 1 + 128 + 1) {
                match b {
                    b'@' => return colon,
                    b':' => colon = true,
                    b'/' | b'\'' | b'"' | b'<' | b'>' => return false,
                    _ if b.is_ascii_whitespace() || b == 0x0B => return false,
                    _ => {}
                }
            }
            false
        }
    }
}

/// The secret in a `curl -u` credential: the password, or a user name
/// that looks random when the password is empty.
fn curl_secret(b: &[u8], base: usize) -> Option<(usize, usize)> {
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

/// In a YAML document with `kind: Secret`, the plaintext values under
/// `data:` or `stringData:` whose keys name a secret (`AWS_SECRET_ACCESS_KEY`,
/// not `AWS_ENDPOINTS`) or a cloud key id (`AWS_ACCESS_KEY_ID`), else the
/// first value.
fn k8s_secret_values(data: &[u8], kind_at: usize) -> Vec<(usize, usize)> {
    // The YAML document around the `kind` line.
    let doc_start = memchr::memmem::rfind(&data[..kind_at], b"\n---").map_or(0, |p| p + 4);
    let doc_end =
        memchr::memmem::find(&data[kind_at..], b"\n---").map_or(data.len(), |p| kind_at + p);
    let doc = &data[doc_start..doc_end];
    let mut in_data: Option<usize> = None;
    let mut off = 0;
    let mut first = None;
    let mut named_values = Vec::new();
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
                let kind = checks::classify_key(&text[..colon]);
                let v = checks::trim(&text[colon + 1..]);
                let v = v
                    .strip_prefix(b"\"")
                    .and_then(|v| v.strip_suffix(b"\""))
                    .or_else(|| v.strip_prefix(b"'").and_then(|v| v.strip_suffix(b"'")))
                    .unwrap_or(v);
                let vs = indent + (text.as_ptr() as usize - raw[indent..].as_ptr() as usize);
                let Some(rel) = memchr::memmem::find(&raw[vs..], v).map(|p| p + vs) else {
                    continue;
                };
                let start = doc_start + line_off + rel;
                // `key: |`: the value is the block's one line.
                let (start, v) = match context::block_scalar_line(data, (start, start + v.len())) {
                    Some((s, e)) => (s, &data[s..e]),
                    None => (start, v),
                };
                // A hash (Argo CD's admin.password) is no plaintext, a public
                // key (`identity.pub`, `known_hosts`) no secret.
                let words = checks::key_words(&text[..colon]);
                if checks::is_hash_or_digest(v)
                    || words
                        .iter()
                        .any(|w| matches!(w.as_str(), "pub" | "public" | "known"))
                    || v.starts_with(b"ssh-")
                    || v.starts_with(b"ecdsa-sha2-")
                {
                    continue;
                }
                // A key naming a secret, with a value that fits it (not
                // Argo CD's admin.passwordMtime timestamp).
                let named = kind != checks::KeyKind::NotSecret
                    && (v.len() > 256 || checks::generic_value_is_secret(kind, v))
                    || context::names_key_id(&text[..colon]) && {
                        // (`data:` holds base64.)
                        let id =
                            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, v);
                        let id = id.as_deref().unwrap_or(v);
                        context::is_key_id(id)
                            && id
                                .iter()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                    };
                if v.len() >= 10
                    && !checks::is_reference(v)
                    && !checks::is_placeholder(v)
                    && !v.starts_with(b"ENC[")
                {
                    if named {
                        named_values.push((start, start + v.len()));
                    }
                    first = first.or(Some((start, start + v.len())));
                }
                continue;
            }
        }
        if text == b"data:" || text == b"stringData:" {
            in_data = Some(indent);
        }
    }
    if named_values.is_empty() {
        named_values.extend(first);
    }
    named_values
}

/// What previews of one line `(start, end)` mask: every secret span
/// touching it, and every copy on it of one of those secrets (`pw=x # x`).
struct LineMasks {
    line: (usize, usize),
    spans: SpanIndex,
    /// Finds copies of the line's secrets, however many findings the line
    /// holds (a 6 MB single-line JSON of test vectors has hundreds).
    copies: Copies,
    /// The longest of those secrets.
    longest: usize,
}

impl LineMasks {
    fn new(data: &[u8], line: (usize, usize), spans: &SpanIndex) -> Self {
        let spans = SpanIndex::new(spans.touching(line).collect());
        let mut secrets: Vec<&[u8]> = spans
            .spans
            .iter()
            .map(|&(s, e)| &data[s..e])
            .filter(|x| x.len() >= 4 && x.len() <= line.1 - line.0)
            .collect();
        secrets.sort_unstable();
        secrets.dedup();
        let longest = secrets.iter().map(|x| x.len()).max().unwrap_or(0);
        // (Built once per line with a finding: most hold one secret, and a
        // searcher for one costs a fraction of an automaton.)
        let copies = match secrets[..] {
            [] => Copies::None,
            [one] => Copies::One(Box::new(memchr::memmem::Finder::new(one).into_owned())),
            _ => aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
                .build(&secrets)
                .map_or(Copies::None, Copies::Many),
        };
        LineMasks {
            line,
            spans,
            copies,
            longest,
        }
    }

    /// A preview of the line around the secret that starts at `secret_at`.
    /// A long line is cut to a window around the secret, with `…` marking
    /// the cuts; copies of secrets are searched for only in that window
    /// (and a secret's length either side, for a copy the cut crosses),
    /// not along the whole line once per finding.
    fn preview(&self, data: &[u8], secret_at: usize) -> String {
        let (line_start, line_end) = self.line;
        let (mut ws, mut we) = (line_start, line_end);
        // The preview is cut to PREVIEW_MAX characters at the end: a window
        // of that width starting a little before the secret keeps its mask
        // in view however far along the line it is.
        if we - ws > PREVIEW_MAX {
            ws = secret_at.saturating_sub(PREVIEW_MAX / 4).max(line_start);
            we = (ws + PREVIEW_MAX).min(line_end);
            ws = we.saturating_sub(PREVIEW_MAX).max(line_start);
            // Whole UTF-8 sequences only.
            while ws > line_start && (data[ws] & 0xC0) == 0x80 {
                ws -= 1;
            }
            while we < line_end && (data[we] & 0xC0) == 0x80 {
                we += 1;
            }
        }
        let line = &data[ws..we];
        let mut masked = vec![false; line.len()];
        let mut mask = |(s, e): (usize, usize)| {
            let (cs, ce) = (s.max(ws), e.min(we));
            if cs < ce {
                masked[cs - ws..ce - ws].fill(true);
            }
        };
        self.spans.touching((ws, we)).for_each(&mut mask);
        let from = ws.saturating_sub(self.longest).max(line_start);
        let to = (we + self.longest).min(line_end);
        match &self.copies {
            Copies::None => {}
            Copies::One(f) => {
                // Overlapping copies too (`abab` in `ababab`).
                let mut p = from;
                while let Some(at) = f.find(&data[p..to]) {
                    mask((p + at, p + at + f.needle().len()));
                    p += at + 1;
                }
            }
            Copies::Many(ac) => {
                for m in ac.find_overlapping_iter(&data[from..to]) {
                    mask((from + m.start(), from + m.end()));
                }
            }
        }
        let mut out: Vec<u8> = Vec::with_capacity(line.len() + 8);
        if ws > line_start {
            out.extend_from_slice("…".as_bytes());
        }
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
        if we < line_end {
            out.extend_from_slice("…".as_bytes());
        }
        let mut s = String::from_utf8_lossy(&out).trim().to_string();
        if s.chars().count() > PREVIEW_MAX {
            s = s.chars().take(PREVIEW_MAX).collect::<String>() + "…";
        }
        s
    }
}

/// Searches for copies of a line's secrets.
enum Copies {
    None,
    One(Box<memchr::memmem::Finder<'static>>),
    Many(aho_corasick::AhoCorasick),
}

/// Spans sorted by start, with the furthest end reached up to each, so
/// the spans touching a range are found by binary search: a file of a
/// hundred thousand findings (or one line of them) must not filter them
/// all once per line or per finding.
struct SpanIndex {
    spans: Vec<(usize, usize)>,
    reach: Vec<usize>,
}

impl SpanIndex {
    fn new(spans: Vec<(usize, usize)>) -> Self {
        let mut far = 0;
        let reach = spans
            .iter()
            .map(|&(_, e)| {
                far = far.max(e);
                far
            })
            .collect();
        SpanIndex { spans, reach }
    }

    fn touching(&self, (from, to): (usize, usize)) -> impl Iterator<Item = (usize, usize)> + '_ {
        let lo = self.reach.partition_point(|&r| r <= from);
        let hi = self.spans.partition_point(|&(s, _)| s < to);
        self.spans[lo..hi.max(lo)]
            .iter()
            .copied()
            .filter(move |&(s, e)| e > from && s < to)
    }
}

/// Whether a preview shows `secret` (for the fuzz target and tests): a copy
/// of it that runs into no mask. A mask's stars are no bytes of a secret
/// (`kespassword=*****` spells `espassword=*`), unless the secret holds
/// such a run itself.
#[doc(hidden)]
pub fn preview_shows(preview: &str, secret: &[u8]) -> bool {
    let p = preview.as_bytes();
    let stars = memchr::memmem::find(secret, b"*****").is_some();
    let masks: Vec<usize> = memchr::memmem::find_iter(p, b"*****").collect();
    !secret.is_empty()
        && p.windows(secret.len()).enumerate().any(|(i, w)| {
            w == secret && (stars || !masks.iter().any(|&m| m < i + secret.len() && i < m + 5))
        })
}

/// A masked form of a secret: its first few characters when it is long
/// enough that they give nothing away, then stars.
pub fn redact(secret: &[u8]) -> String {
    let shown = if secret.len() >= 20 { 4 } else { 0 };
    let head = String::from_utf8_lossy(&secret[..shown]).into_owned();
    format!("{head}*****")
}

/// The output id of a finding: sha256 over rule, file and secret (no line
/// numbers or commits, so it survives rebases and squashes). Baselines,
/// which are committed, store a salted slow hash instead ([`baseline`]).
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
    fn closing_brackets_after_a_bare_value_are_stripped_in_linear_time() {
        // A megabyte of `}` after a bare value: searching the value for an
        // opener once per stripped closer took minutes.
        let text = format!("DB_PASSWORD=Sommer2024!x{}\n", "}".repeat(1 << 20));
        let f = scan("a.env", &text);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].preview.starts_with("DB_PASSWORD=*****}"),
            "{}",
            f[0].preview
        );
    }

    #[test]
    fn a_line_of_many_key_ids_is_read_a_bounded_way_per_id() {
        // Thousands of key ids on one line: each looked for its secret
        // along the whole line (68 s for 840 KB), now within a window.
        let line = format!("{}\n", "DO00AAAAAAAAAAAAAAA1 ".repeat(1 << 13));
        assert!(scan("ids.txt", &line).is_empty());
        // Still paired beside its secret.
        let pair = "spaces_access_id = \"DO00OI232451I927SYO7\"\nspaces_secret_key = \"T7EgTAFBY5g7GPm75JxdX8raQNZ/KVrVQP+mV22aLMC\"\n";
        assert_eq!(scan("main.tf", pair).len(), 2);
    }

    #[test]
    fn prechecks_walk_a_bounded_way_along_key_bytes() {
        // Hits every few bytes along a long run of key bytes: each
        // precheck walked the whole run (seconds for 100 KB).
        let run = format!("?{}=x\n", "passkey".repeat(1 << 15));
        assert!(scan("a.txt", &run).is_empty());
        let line = format!("{}\n", "user password 7 x ".repeat(1 << 14));
        assert!(scan("a.txt", &line).is_empty());
        // Still found where they belong.
        let q = "{\"u\": \"https://x/?user=a&password=Sommer2024!x\"}\n";
        assert_eq!(scan("j.json", q).len(), 1);
        let f = "poll x user 'a' password 'Sommer2024!x'\n";
        assert_eq!(scan("fetchmailrc", f).len(), 1);
        assert_eq!(scan("m.conf", "password Sommer2024!x\n").len(), 1);
    }

    #[test]
    fn a_preview_keeps_the_mask_of_a_secret_far_along_its_line() {
        // Past the preview's width, on a line shorter than four of them.
        let text = format!("{} DB_PASSWORD=Sommer2024!x\n", "x".repeat(300));
        let f = scan("a.env", &text);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].preview.contains("DB_PASSWORD=*****"),
            "{}",
            f[0].preview
        );
        assert!(f[0].preview.starts_with('…'), "{}", f[0].preview);
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
    fn binary_files_are_scanned_for_printable_runs_and_sops_values_hidden() {
        let s = Scanner::new(&Config::default()).unwrap();
        let bin = b"\0\x01\xffPNG\x00password=hunter22\x00\x02";
        let r = s.scan("a.bin", bin);
        assert_eq!(r.skipped, None);
        assert_eq!(r.content, Content::Binary);
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(&bin[r.spans[0].0..r.spans[0].1], b"hunter22");
        let sops = b"password: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\nsops:\n    mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n    api_token: 8f14e45fceea167a5a36dedd4bea2543\n";
        let r = s.scan("s.yaml", sops);
        assert_eq!(r.skipped, None);
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let s = Scanner::new(&Config::default()).unwrap();
        let text = "A=1\nGITHUB_TOKEN=ghp_6e1iqgfr7f0246gxb9v66tm8hyb7nfc4qz49\n";
        let units: Vec<u16> = text.encode_utf16().collect();
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(units.iter().flat_map(|u| u.to_le_bytes()))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(units.iter().flat_map(|u| u.to_be_bytes()))
            .collect();
        for data in [le, be] {
            let r = s.scan(".env", &data);
            assert_eq!(r.content, Content::Utf16);
            assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
            assert_eq!((r.findings[0].line, r.findings[0].column), (2, 14));
            let (t, _) = scannable(&data);
            assert!(t[r.spans[0].0..r.spans[0].1].starts_with(b"ghp_"));
        }
    }

    #[test]
    fn large_files_are_scanned_in_windows() {
        let mut s = Scanner::new(&Config::default()).unwrap();
        // Windows of 1 MiB (the least), overlapping by 256 KiB.
        s.max_file_size = 1;
        let token = "ghp_6e1iqgfr7f0246gxb9v66tm8hyb7nfc4qz49";
        let filler = "just some text of a log line, nothing to see\n";
        let mut data = String::new();
        let mut want = Vec::new();
        // Around every window boundary and overlap start, and in between.
        let w = 1 << 20;
        let o = WINDOW_OVERLAP;
        let spots = [
            10,
            o - 30,
            w - o - 30,
            w - o + 5,
            w - 40,
            w - 10,
            w + 3,
            2 * w - 2 * o - 20,
            2 * w - o - 20,
            3 * w,
        ];
        for spot in spots {
            while data.len() < spot {
                data.push_str(filler);
            }
            want.push((data.matches('\n').count() + 1, data.len() + 6));
            data.push_str(&format!("TOKEN={token}\n"));
        }
        // One line of 1.5 MiB (no line start near a window's end).
        data.push_str(&"x".repeat(3 * w / 2));
        want.push((data.matches('\n').count() + 1, data.len() + 7));
        data.push_str(&format!(" TOKEN={token}\n"));
        let r = s.scan("big.log", data.as_bytes());
        assert!(r.windowed);
        let got: Vec<(usize, usize)> = r
            .findings
            .iter()
            .zip(&r.spans)
            .map(|(f, sp)| (f.line, sp.0))
            .collect();
        assert_eq!(got, want);
        for sp in &r.spans {
            assert_eq!(&data.as_bytes()[sp.0..sp.1], token.as_bytes());
        }
    }

    #[test]
    fn large_files_a_creation_rule_matches_are_checked_whole() {
        let policy = SopsPolicy::parse(
            b"creation_rules:\n  - path_regex: secrets/\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n",
            "",
        )
        .unwrap();
        let mut s = Scanner::new(&Config::default())
            .unwrap()
            .with_sops(Some(policy));
        s.max_file_size = 1;
        let mut plain = "a: b\n".repeat(1 << 20);
        let r = s.scan("secrets/big.yaml", plain.as_bytes());
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].kind, FindingKind::UnencryptedSopsFile);
        // ENC values first, the metadata three windows later.
        plain = format!(
            "data: ENC[AES256_GCM,data:{},iv:x,tag:y,type:str]\nsops:\n    mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n",
            "A".repeat(3 << 20)
        );
        let r = s.scan("secrets/big.yaml", plain.as_bytes());
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn long_lines_get_a_window_around_the_secret() {
        // One 2 MB line with 2,000 findings (minified JSON, test vectors):
        // positions, columns and previews stay right, and each finding
        // reads a window of its line, not the whole line.
        let mut line = String::new();
        for i in 0..2000 {
            line.push_str(&format!(
                "{{\"n\":\"é{i:04}\",\"password\":\"Sommer{i:04}!x\",\"pad\":\"{}\"}},",
                "x".repeat(900)
            ));
        }
        let text = format!("[\n{line}\n]\n");
        let f = scan("a.json", &text);
        assert_eq!(f.len(), 2000);
        let at = line.find("Sommer1234!x").unwrap();
        let col = line[..at].chars().count() + 1;
        assert_eq!((f[1234].line, f[1234].column), (2, col));
        assert!(f[1234].preview.starts_with('…') && f[1234].preview.ends_with('…'));
        assert!(
            f[1234].preview.contains("\"password\":\"*****\""),
            "{}",
            f[1234].preview
        );
        assert!(!f.iter().any(|x| x.preview.contains("Sommer")));
    }

    #[test]
    fn many_findings_are_masked_without_rereading_them_all() {
        // Every line a finding, then one line of thousands: each preview
        // finds the spans it masks by binary search. (Filtering every span
        // once per line or per finding took 6.6 s for 100,000 lines and
        // 3.5 s for one line of 60,000, in release.)
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("DB_PASSWORD=Sommer{i:05}!xQ\n"));
        }
        for i in 0..5_000 {
            text.push_str(&format!("{{\"password\":\"Winter{i:05}!xQ\"}},"));
        }
        text.push('\n');
        let f = scan("many.env", &text);
        assert_eq!(f.len(), 25_000);
        assert!(f.iter().all(|x| x.preview.contains("*****")
            && !x.preview.contains("Sommer")
            && !x.preview.contains("Winter")));
    }

    #[test]
    fn copies_cut_by_a_long_lines_window_are_masked() {
        // Copies of the secret at every distance around the window's edges
        // (it spans 80 bytes before the secret to 240 after): no part of
        // any copy shows, even where the window cuts through one.
        let mut text = String::new();
        for d in 0..60 {
            let before = "b".repeat(40 + d);
            let after = "a".repeat(200 + d);
            text.push_str(&format!(
                "Sommer2024!xyz{before}\"password\":\"Sommer2024!xyz\"{after}Sommer2024!xyz{}\n",
                "z".repeat(700)
            ));
        }
        let f = scan("a.json", &text);
        assert_eq!(f.len(), 60);
        for x in &f {
            assert!(
                x.preview.contains("\"password\":\"*****\""),
                "{}",
                x.preview
            );
            assert!(
                !x.preview.contains("Som") && !x.preview.contains("xyz"),
                "{}",
                x.preview
            );
        }
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
