//! The generic rules, parsed by hand from keyword hits instead of by a
//! large regex: `key = value`, `key: value`, `"key": "value"`,
//! `f("key", value)`, `<key>value</key>`, `key="k" value="v"`,
//! environment lists whose key is on a `name` line and whose value is on
//! the `value` line after it (`- name: API_KEY` / `value: …`), and
//! command-line flags (`--auth-key value`).
//!
//! A keyword hit names a run of key bytes (`[A-Za-z0-9_.-]`); the run is
//! the key, and what follows it decides. The parser accepts exactly what
//! the reference patterns ([`assignment_pattern`], [`xml_pattern`],
//! [`name_value_pattern`], [`flag_pattern`]) match,
//! position for position (the tests and the `scan_generic` fuzz target
//! compare the two), at a fraction of the cost: most hits are a word in
//! prose or code (`monkey`, `next_token()`) and are dismissed after a
//! look at the byte after the run.

/// The key words of the generic rules (their prefilter keywords): a key
/// holds one of them.
pub(crate) const WORDS: &[&str] = &[
    "pass", "pwd", "secret", "token", "key", "cred", "auth", "psk", "salt", "encrypt",
];

/// A byte of a key (`[A-Za-z0-9_.-]`).
#[inline]
pub(crate) fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// `\s` in ASCII mode.
#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

#[inline]
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The run of key bytes around `at`.
pub(crate) fn key_run(data: &[u8], at: usize) -> (usize, usize) {
    let mut s = at;
    while s > 0 && is_key_byte(data[s - 1]) {
        s -= 1;
    }
    let mut e = at;
    while e < data.len() && is_key_byte(data[e]) {
        e += 1;
    }
    (s, e)
}

/// A parsed generic match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// The whole match, from the key (or the `<`, or `key=`).
    pub start: usize,
    pub end: usize,
    pub key: (usize, usize),
    pub value: (usize, usize),
    /// `"key", value` or `key = ["value"]`: weak evidence of an assignment.
    pub comma: bool,
    /// An unquoted value.
    pub bare: bool,
}

// (`:: ` is LDIF's base64 value.)
const OPS: [&[u8]; 9] = [
    b"=", b":=", b"::=", b":", b":: ", b"=>", b"?=", b"+=", b"<-",
];

/// `key OP value` (or `"key", value`) with the key the run `ks..ke`.
pub(crate) fn assignment(data: &[u8], ks: usize, ke: usize) -> Option<Parsed> {
    let n = data.len();
    let mut q = after_key_quote(data, ke);
    while q < n && is_blank(data[q]) {
        q += 1;
    }
    for op in OPS {
        if data[q..].starts_with(op) {
            if let Some((value, end, bare)) = tail(data, q + op.len()) {
                return Some(Parsed {
                    start: ks,
                    end,
                    key: (ks, ke),
                    value,
                    // An array of one string is weak evidence too (Cargo's
                    // `features = ["…"]`).
                    comma: data[q + op.len()..value.0].contains(&b'['),
                    bare,
                });
            }
        }
    }
    if ke < n && matches!(data[ke], b'"' | b'\'') {
        let mut q = ke + 1;
        while q < n && is_blank(data[q]) {
            q += 1;
        }
        if q < n && data[q] == b',' {
            if let Some((value, end, bare)) = tail(data, q + 1) {
                return Some(Parsed {
                    start: ks,
                    end,
                    key: (ks, ke),
                    value,
                    comma: true,
                    bare,
                });
            }
        }
    }
    None
}

/// Past the quote closing a key at `ke` (`"`, `'`, `]`, `']` as in Ruby's
/// and PHP's `x['key'] = v`, or `\"` in JSON escaped inside a JSON
/// string), if any.
fn after_key_quote(data: &[u8], ke: usize) -> usize {
    match data.get(ke) {
        Some(b'"' | b'\'') if data.get(ke + 1) == Some(&b']') => ke + 2,
        Some(b'"' | b'\'' | b']') => ke + 1,
        Some(b'\\') if data.get(ke + 1) == Some(&b'"') => ke + 2,
        _ => ke,
    }
}

/// Blanks, an optional YAML `!!str `/`!!binary ` tag, then the value.
fn tail(data: &[u8], mut q: usize) -> Option<((usize, usize), usize, bool)> {
    let n = data.len();
    while q < n && is_blank(data[q]) {
        q += 1;
    }
    if data[q..].starts_with(b"!!") {
        for tag in [&b"str"[..], b"binary"] {
            let t = q + 2 + tag.len();
            if t < n && data[q + 2..t].eq_ignore_ascii_case(tag) && is_blank(data[t]) {
                let mut r = t;
                while r < n && is_blank(data[r]) {
                    r += 1;
                }
                if let Some(v) = value(data, r) {
                    return Some(v);
                }
            }
        }
    }
    value(data, q)
}

/// A quoted value (not empty, on one line; `"""…"""` as Grafana's ini
/// quotes a password holding `#` or `;`) or a bare one.
fn value(data: &[u8], q: usize) -> Option<((usize, usize), usize, bool)> {
    let &c = data.get(q)?;
    if data[q..].starts_with(b"\"\"\"") {
        let rest = &data[q + 3..];
        let line = &rest[..memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len())];
        if let Some(j) = line
            .get(1..)
            .and_then(|l| memchr::memmem::find(l, b"\"\"\""))
        {
            return Some(((q + 3, q + 4 + j), q + 7 + j, false));
        }
    }
    if matches!(c, b'"' | b'\'' | b'`') {
        let rest = &data[q + 1..];
        let j = memchr::memchr3(c, b'\n', b'\r', rest)?;
        if rest[j] != c || j == 0 {
            return None;
        }
        return Some(((q + 1, q + 1 + j), q + 2 + j, false));
    }
    // `\"…\"`: JSON escaped inside a JSON string (Node-RED's flows,
    // Uptime Kuma's backups).
    if data[q..].starts_with(b"\\\"") {
        let rest = &data[q + 2..];
        let j = rest
            .iter()
            .position(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n'))
            .unwrap_or(rest.len());
        if j > 0 && rest[j..].starts_with(b"\\\"") {
            return Some(((q + 2, q + 2 + j), q + 4 + j, false));
        }
    }
    // `[ "…" ]`: an array of one string (Keycloak's component config), or
    // the first of a list (Tasmota's `"sta_pwd": [\n "…",\n "" ]`).
    if c == b'[' {
        // (Within a few lines: an array, not a bracket far away.)
        let reach = (q + 256).min(data.len());
        let mut p = q + 1;
        while p < reach && data[p].is_ascii_whitespace() {
            p += 1;
        }
        let &quote = data.get(p)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let rest = &data[p + 1..];
        let j = memchr::memchr3(quote, b'\n', b'\r', rest)?;
        if rest[j] != quote || j == 0 {
            return None;
        }
        let mut r = p + 2 + j;
        let reach = (r + 256).min(data.len());
        while r < reach && data[r].is_ascii_whitespace() {
            r += 1;
        }
        // (Of a longer list, only a first item that could be a key: lists
        // of words and names are common in code.)
        let first_of_list =
            data.get(r) == Some(&b',') && j >= 12 && !rest[..j].iter().any(u8::is_ascii_whitespace);
        return (data.get(r) == Some(&b']') || first_of_list).then_some((
            (p + 1, p + 1 + j),
            r + 1,
            false,
        ));
    }
    if is_space(c) || b",;<>[]{}():=&*".contains(&c) {
        return None;
    }
    let mut e = q + 1;
    while e < data.len()
        && !is_space(data[e])
        && !matches!(data[e], b'"' | b'\'' | b'`' | b'<' | b'>')
    {
        e += 1;
    }
    Some(((q, e), e, true))
}

/// `<key attrs>value</` with the key the run `ks..ke` right after a `<`.
pub(crate) fn xml_element(data: &[u8], ks: usize, ke: usize) -> Option<Parsed> {
    let n = data.len();
    if ks == 0 || data[ks - 1] != b'<' {
        return None;
    }
    let mut p = match data.get(ke) {
        Some(b'>') => ke + 1,
        Some(b' ' | b'\t') => ke + 1 + memchr::memchr(b'>', &data[ke + 1..])? + 1,
        _ => return None,
    };
    while p < n && matches!(data[p], b' ' | b'\t' | b'\r' | b'\n') {
        p += 1;
    }
    let &c = data.get(p)?;
    if c == b'<' || is_space(c) {
        return None;
    }
    let line_end = memchr::memchr3(b'<', b'\r', b'\n', &data[p + 1..]).map_or(n, |j| p + 1 + j);
    let mut r = line_end;
    while r < n && matches!(data[r], b' ' | b'\t' | b'\r' | b'\n') {
        r += 1;
    }
    if !data[r..].starts_with(b"</") {
        return None;
    }
    let mut e = line_end;
    while e > p + 1 && is_blank(data[e - 1]) {
        e -= 1;
    }
    Some(Parsed {
        start: ks - 1,
        end: r + 2,
        key: (ks, ke),
        value: (p, e),
        comma: false,
        bare: true,
    })
}

/// `key="name" value="v"` (.NET `appSettings`) with the name the run `ks..ke`.
pub(crate) fn xml_key_value(data: &[u8], ks: usize, ke: usize) -> Option<Parsed> {
    let n = data.len();
    if ks < 5
        || !matches!(data[ks - 1], b'"' | b'\'')
        || !data[ks - 5..ks - 1].eq_ignore_ascii_case(b"key=")
    {
        return None;
    }
    let start = ks - 5;
    if start > 0 && (data[start - 1].is_ascii_alphanumeric() || data[start - 1] == b'_') {
        return None;
    }
    if ke >= n || !matches!(data[ke], b'"' | b'\'') {
        return None;
    }
    let mut p = ke + 1;
    let blanks = p;
    while p < n && is_blank(data[p]) {
        p += 1;
    }
    if p == blanks || n - p < 6 || !data[p..p + 6].eq_ignore_ascii_case(b"value=") {
        return None;
    }
    let q = p + 6;
    let &quote = data.get(q)?;
    if !matches!(quote, b'"' | b'\'') {
        return None;
    }
    let rest = &data[q + 1..];
    let j = memchr::memchr3(quote, b'\n', b'\r', rest)?;
    if rest[j] != quote || j == 0 {
        return None;
    }
    Some(Parsed {
        start,
        end: q + 2 + j,
        key: (ks, ke),
        value: (q + 1, q + 1 + j),
        comma: false,
        bare: false,
    })
}

/// `name: KEY` then `value: v` (on the same line after a quote or a
/// comma, or on the next line that is not a comment), with the key the
/// run `ks..ke`.
pub(crate) fn name_value(data: &[u8], ks: usize, ke: usize) -> Option<Parsed> {
    let n = data.len();
    // Back from the key: a quote, blanks, `:` or `=`, blanks, a quote, `name`.
    let mut q = ks;
    let back = |q: &mut usize, set: &[u8], most: usize| {
        let mut k = 0;
        while *q > 0 && k < most && set.contains(&data[*q - 1]) {
            *q -= 1;
            k += 1;
        }
        k
    };
    back(&mut q, b"\"'", 1);
    back(&mut q, b" \t", usize::MAX);
    if back(&mut q, b":=", 1) == 0 {
        return None;
    }
    back(&mut q, b" \t", usize::MAX);
    back(&mut q, b"\"'", 1);
    if q < 4 || !data[q - 4..q].eq_ignore_ascii_case(b"name") {
        return None;
    }
    let name = q - 4;
    if name > 0 && is_key_byte(data[name - 1]) {
        return None;
    }
    // Forward from the key: the rest of its line, or a quote or comma.
    let mut p = ke;
    let quoted = p < n && matches!(data[p], b'"' | b'\'');
    if quoted {
        p += 1;
    }
    while p < n && is_blank(data[p]) {
        p += 1;
    }
    let comma = p < n && data[p] == b',';
    if comma {
        p += 1;
    }
    let same_line = p;
    p = match line_rest(data, p) {
        Some(next) => next,
        None if quoted || comma => {
            let mut p = same_line;
            while p < n && is_blank(data[p]) {
                p += 1;
            }
            p
        }
        None => return None,
    };
    // `value`, quoted or not, then `:` or `=`.
    if p < n && matches!(data[p], b'"' | b'\'') {
        p += 1;
    }
    if n - p < 5 || !data[p..p + 5].eq_ignore_ascii_case(b"value") {
        return None;
    }
    p += 5;
    if p < n && matches!(data[p], b'"' | b'\'') {
        p += 1;
    }
    while p < n && is_blank(data[p]) {
        p += 1;
    }
    if p >= n || !matches!(data[p], b':' | b'=') {
        return None;
    }
    p += 1;
    while p < n && is_blank(data[p]) {
        p += 1;
    }
    let (value, end, bare) = value(data, p)?;
    Some(Parsed {
        start: name.saturating_sub(1),
        end,
        key: (ks, ke),
        value,
        comma: false,
        bare,
    })
}

/// `--key value` (a command-line flag and its value, after a blank) with
/// the key the run `ks..ke`, which starts with `--`.
pub(crate) fn flag(data: &[u8], ks: usize, ke: usize) -> Option<Parsed> {
    if !data[ks..ke].starts_with(b"--") || ks > 0 && !is_blank(data[ks - 1]) {
        return None;
    }
    let mut p = ke;
    while p < data.len() && is_blank(data[p]) {
        p += 1;
    }
    if p == ke {
        return None;
    }
    let (value, end, bare) = value(data, p)?;
    Some(Parsed {
        start: ks.saturating_sub(1),
        end,
        key: (ks, ke),
        value,
        comma: false,
        bare,
    })
}

/// From `p` on a line: blanks and a comment to its end, comment lines,
/// then the indentation of the next line; where that line's text starts.
fn line_rest(data: &[u8], mut p: usize) -> Option<usize> {
    let n = data.len();
    let mut first = true;
    loop {
        while p < n && is_blank(data[p]) {
            p += 1;
        }
        if p < n && data[p] == b'#' {
            p += memchr::memchr2(b'\r', b'\n', &data[p..]).unwrap_or(n - p);
        } else if !first {
            return Some(p);
        }
        first = false;
        if p < n && data[p] == b'\r' {
            p += 1;
        }
        if p >= n || data[p] != b'\n' {
            return None;
        }
        p += 1;
    }
}

const KEY: &str =
    r"[A-Za-z0-9_.\-]*(?:pass|pwd|secret|token|key|cred|auth|psk|salt|encrypt)[A-Za-z0-9_.\-]*";
const VALUE: &str = r#"(?:"""(?P<tq>[^\r\n]+?)"""|\[[ \t]*"(?P<adq>[^"\r\n]+)"[ \t]*\]|\[[ \t]*'(?P<asq>[^'\r\n]+)'[ \t]*\]|"(?P<dq>[^"\r\n]+)"|'(?P<sq>[^'\r\n]+)'|`(?P<bq>[^`\r\n]+)`|\\"(?P<eq>[^"\\\r\n]+)\\"|(?P<uq>[^\s"'`,;<>\[\]{}():=&*][^\s"'`<>]*))"#;

/// The reference pattern of generic assignments (the parser's spec).
#[doc(hidden)]
pub fn assignment_pattern() -> String {
    format!(
        r#"(?i)(?:^|[^A-Za-z0-9_.\-])(?P<key>{KEY})(?:(?:[\x22']\]|[\x22'\]]|\\\x22)?[ \t]*(?:=|:=|::=|:|:: |=>|\?=|\+=|<-)|[\x22'][ \t]*(?P<comma>,))[ \t]*(?:!!(?:str|binary)[ \t]+)?{VALUE}"#
    )
}

/// The reference pattern of generic XML elements and `key=… value=…` pairs.
#[doc(hidden)]
pub fn xml_pattern() -> String {
    format!(
        r#"(?i)<(?P<key>{KEY})(?:[ \t][^>]*)?>[ \t\r\n]*(?P<uq>[^<\s][^<\r\n]*?)[ \t\r\n]*</|\bkey=[\x22'](?P<key2>{KEY})[\x22'][ \t]+value=(?:\x22(?P<dq>[^\x22\r\n]+)\x22|'(?P<sq>[^'\r\n]+)')"#
    )
}

/// The reference pattern of environment-list entries (`name: KEY` then
/// `value: v`).
#[doc(hidden)]
pub fn name_value_pattern() -> String {
    // The rest of the key's line (blanks, a comment), comment lines, and
    // the next line's indentation.
    const EOL: &str = r"[ \t]*(?:#[^\r\n]*)?(?:\r?\n[ \t]*#[^\r\n]*)*\r?\n[ \t]*";
    format!(
        r#"(?i)(?:^|[^A-Za-z0-9_.\-])name[\x22']?[ \t]*[:=][ \t]*[\x22']?(?P<key>{KEY})(?:[\x22']?[ \t]*,?{EOL}|[\x22']?[ \t]*,[ \t]*|[\x22'][ \t]*)[\x22']?value[\x22']?[ \t]*[:=][ \t]*{VALUE}"#
    )
}

/// The reference pattern of command-line flags (`--auth-key value`).
#[doc(hidden)]
pub fn flag_pattern() -> String {
    format!(r#"(?i)(?:^|[ \t])(?P<key>--{KEY})[ \t]+{VALUE}"#)
}

/// An assignment for the differential tests: start, end, key, value, comma, bare.
#[doc(hidden)]
pub type AssignSpans = (usize, usize, (usize, usize), (usize, usize), bool, bool);
/// An XML or environment-list match for the differential tests: start,
/// end, key, value.
#[doc(hidden)]
pub type Spans = (usize, usize, (usize, usize), (usize, usize));

/// The generic matches of a text, for the differential tests.
#[doc(hidden)]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Matches {
    /// `key = value` and its kin.
    pub assignments: Vec<AssignSpans>,
    /// `<key>value</key>` and `key="k" value="v"`.
    pub xml: Vec<Spans>,
    /// `name: KEY` then `value: v`.
    pub name_value: Vec<Spans>,
    /// `--key value`.
    pub flag: Vec<Spans>,
}

/// Which generic form a match is (an index into the scanner's
/// `form_rules`, in the order of `Form::RUNS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Assignment = 0,
    Xml = 1,
    NameValue = 2,
    Flag = 3,
}

impl Form {
    /// The rule kind of each form, by index.
    pub(crate) const RUNS: [crate::rules::Run; 4] = [
        crate::rules::Run::Assignment,
        crate::rules::Run::Xml,
        crate::rules::Run::NameValue,
        crate::rules::Run::Flag,
    ];
}

/// All generic matches of `data` as the reference patterns find them.
#[doc(hidden)]
pub fn reference_all(data: &[u8]) -> Matches {
    use regex::bytes::Regex;
    static RES: std::sync::OnceLock<[Regex; 4]> = std::sync::OnceLock::new();
    let [a, x, nv, fl] = RES.get_or_init(|| {
        [
            assignment_pattern(),
            xml_pattern(),
            name_value_pattern(),
            flag_pattern(),
        ]
        .map(|p| crate::rules::compile(&p, false).expect("pattern"))
    });
    let span = |m: Option<regex::bytes::Match<'_>>| m.map(|m| (m.start(), m.end()));
    let value_of = |c: &regex::bytes::Captures<'_>| {
        ["tq", "adq", "asq", "dq", "sq", "bq", "eq", "uq"]
            .iter()
            .find_map(|n| span(c.name(n)))
    };
    let mut m = Matches::default();
    for c in a.captures_iter(data) {
        let (Some(key), Some(whole), Some(value)) = (span(c.name("key")), c.get(0), value_of(&c))
        else {
            continue;
        };
        m.assignments.push((
            key.0,
            whole.end(),
            key,
            value,
            c.name("comma").is_some() || c.name("adq").is_some() || c.name("asq").is_some(),
            c.name("uq").is_some(),
        ));
    }
    for c in x.captures_iter(data) {
        let (Some(key), Some(whole), Some(value)) = (
            span(c.name("key").or(c.name("key2"))),
            c.get(0),
            value_of(&c),
        ) else {
            continue;
        };
        m.xml.push((whole.start(), whole.end(), key, value));
    }
    for c in nv.captures_iter(data) {
        let (Some(key), Some(whole), Some(value)) = (span(c.name("key")), c.get(0), value_of(&c))
        else {
            continue;
        };
        m.name_value.push((whole.start(), whole.end(), key, value));
    }
    for c in fl.captures_iter(data) {
        let (Some(key), Some(whole), Some(value)) = (span(c.name("key")), c.get(0), value_of(&c))
        else {
            continue;
        };
        m.flag.push((whole.start(), whole.end(), key, value));
    }
    m
}

/// All generic matches of `data`, as the parser finds them from keyword
/// positions. For the differential tests.
#[doc(hidden)]
pub fn parse_all(data: &[u8]) -> Matches {
    let mut m = Matches::default();
    let mut st = State::default();
    let lower = data.to_ascii_lowercase();
    for at in 0..data.len() {
        if WORDS.iter().any(|w| lower[at..].starts_with(w.as_bytes())) {
            st.on_hit(data, at, |p, form| match form {
                Form::Assignment => m
                    .assignments
                    .push((p.start, p.end, p.key, p.value, p.comma, p.bare)),
                Form::Xml => m.xml.push((p.start, p.end, p.key, p.value)),
                Form::NameValue => m.name_value.push((p.start, p.end, p.key, p.value)),
                Form::Flag => m.flag.push((p.start, p.end, p.key, p.value)),
            });
        }
    }
    m
}

/// Parser state across the hits of one file: the last key run seen and
/// where the last match of each pattern ended (matches do not overlap,
/// as with a regex scan).
#[derive(Debug, Default)]
pub(crate) struct State {
    run_end: usize,
    assign_resume: usize,
    xml_resume: usize,
    name_value_resume: usize,
    flag_resume: usize,
}

impl State {
    /// Handles a hit of a generic word at `at`; `found(parsed, form)`.
    pub(crate) fn on_hit(&mut self, data: &[u8], at: usize, mut found: impl FnMut(Parsed, Form)) {
        if at < self.run_end {
            return;
        }
        // The hit is a key word, so the run around it is a key.
        let (ks, ke) = key_run(data, at);
        self.run_end = ke.max(at + 1);
        // Most hits are a word in prose or code: one look at the bytes
        // around the key tells, before any parsing.
        let mut q = after_key_quote(data, ke);
        while q < data.len() && is_blank(data[q]) {
            q += 1;
        }
        let op = data.get(q).is_some_and(|c| b"=:?+<,".contains(c));
        let before = if ks > 0 { data[ks - 1] } else { b'\n' };
        // The regex consumes the byte before the key (or starts at 0).
        if op && (ks == 0 || ks > self.assign_resume) {
            if let Some(p) = assignment(data, ks, ke) {
                self.assign_resume = p.end;
                found(p, Form::Assignment);
            }
        }
        let xml = if before == b'<' && ks > self.xml_resume {
            xml_element(data, ks, ke)
        } else if matches!(before, b'"' | b'\'') && ks >= 5 && ks - 5 >= self.xml_resume {
            xml_key_value(data, ks, ke)
        } else {
            None
        };
        if let Some(p) = xml {
            self.xml_resume = p.end;
            found(p, Form::Xml);
        }
        // `name: KEY`: a quote, blank, `:` or `=` before the key.
        if matches!(before, b'"' | b'\'' | b' ' | b'\t' | b':' | b'=') {
            if let Some(p) = name_value(data, ks, ke) {
                if p.start >= self.name_value_resume {
                    self.name_value_resume = p.end;
                    found(p, Form::NameValue);
                }
            }
        }
        // `--key value`: a blank after the key.
        if q > ke && data[ks] == b'-' {
            if let Some(p) = flag(data, ks, ke) {
                if p.start >= self.flag_resume {
                    self.flag_resume = p.end;
                    found(p, Form::Flag);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agree(data: &[u8]) {
        assert_eq!(
            parse_all(data),
            reference_all(data),
            "in {:?}",
            String::from_utf8_lossy(data)
        );
    }

    #[test]
    fn parser_agrees_with_the_reference_patterns() {
        for t in [
            "password = hunter2\n",
            "DB_PASSWORD=Sommer2024!x\nTOKEN: 'abc def'\n",
            "\"api_key\": \"8f14e45fceea167a5a36dedd4bea2543\",\n",
            "token=abc,password=x\n",
            "token=abc password=x; secret := y\n",
            "let token = lexer.next_token()?;\nfn key(&self) -> Key {\n",
            "System.setProperty(\"GITHUB_TOKEN\", \"Xk2pQ9zLm4Rt7Vb1Nc8Wd3Fg\");\n",
            "secret: !!str s3cr3t-value\nkey: !!binary\nauth: !!STR \"q\"\n",
            "x['password'] = 'y'\nx[\"token\"]= v\nx['key']] = v\nx['pass'],v\nkey => val\nkey ?= v\nkey += v\nkey <- v\nkey ::= v\n",
            "secret:\n  nested: 1\npassword: \"\"\npassword: ''\n",
            "<password>Tr0ub4dor&3</password>\n<add key=\"DbPassword\" value=\"Tr0ub4dor&3\" />\n",
            "<apiKey attr=\"1\"\n  other='2'>\n   8f14e45fceea167a  \n</apiKey>\n",
            "<token></token><secret> a b c </secret><key>x<y</key>\n",
            "<add KEY='ApiToken'\tVALUE='v'/><add key=\"Token\"value=\"v\"/>xkey=\"token\" value=\"v\"\n",
            "monkey bypass turkey keyboard: drawer\n",
            "key=\"password\" value=\"p\" password=\"p2\"\n",
            "a.b-c.token_x = `tick`\n'secret' , plain\n\"pwd\"  ,  \"q\"\n",
            "key\x0b=v\npass=\x0cv\ncred= v\x0bw\n",
            "- name: API_KEY\n  value: abc\n- name: \"TOKEN\", \"value\": \"x\"\n",
            "name: a_token # c\n  # more\n\r\n  value = 'q'\nname=pass\r\n value:`b`\n",
            "{name: PUSH_TOKEN, value: v}\n{Name: 'secret' Value: w}\nname: tokenvalue: x\n",
            "name: key\n  valueFrom: x\nname: key\n\n  value: y\nname: key # a, value: z\n  # c\n",
            "xname: token\nvalue: 1\nname: token\nvalue: name: token\nvalue: 2\n",
            "name: token\rvalue: x\n name :\ttoken ,\n value\t= \"\"\nname: token\n# only\n",
            "x --auth-key abc --token 'q r' --token=v --pass\t\"\" --secret `b`\n--psk ;x\n",
            "--token  <t> -token x\t--key\tv--token w --token\n--token ,v \"--token v\n",
            "{\"c\": \"{\\\"pass\\\": \\\"B=F4\\\", \\\"token\\\":\\\"\\\", x\\\"}\"}\n",
            "k = \"token = \\\"v\\\\\\\"w\\\"\";\npass=\\\"\\\"\ntoken=\\\"a\\\"b\\\"\\n\n",
            "password = \"\"\"a#b;c\"\"\"\npass=\"\"\"\"\"\"\"\ntoken=\"\"\"\"x\"\"\"y\nkey=\"\"\"x\n\"\"\"\n",
        ] {
            agree(t.as_bytes());
        }
    }
}
