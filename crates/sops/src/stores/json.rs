//! The JSON store: an order-preserving parser with line:column errors, and
//! output identical to sops' (Go `encoding/json`, tab indent).
//! As in sops 3.11, every number is read as a float.

use super::MAX_DEPTH;
use crate::error::{Error, Result};
use crate::goformat;
use crate::value::{Map, MapItem, Value};
use std::io::Write;
use zeroize::Zeroizing;

const FORMAT: &str = "json";

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> P<'a> {
    fn loc(&self, at: usize) -> (usize, usize) {
        let before = &self.s[..at.min(self.s.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map(|p| p + 1)
            .unwrap_or(0);
        let col = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        (line, col)
    }

    fn err(&self, msg: impl Into<String>) -> Error {
        let (l, c) = self.loc(self.i);
        Error::syntax(FORMAT, l, c, msg)
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(format!("expected '{}'", c as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        self.ws();
        match self.peek() {
            Some(b'{') => Ok(Value::Map(self.object(depth)?)),
            Some(b'[') => {
                self.i += 1;
                let mut l = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Value::List(l));
                }
                loop {
                    l.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::List(l));
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'"') => Ok(Value::str(self.string()?)),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number(),
            Some(_) => Err(self.err("expected a JSON value")),
            None => Err(self.err("unexpected end of input")),
        }
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Value> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
            p.i - s
        };
        let int_start = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            self.i = start;
            return Err(self.err("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.err("invalid number: digits expected after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("invalid number: digits expected in exponent"));
            }
        }
        let text =
            std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("invalid number"))?;
        let f: f64 = text.parse().map_err(|_| self.err("invalid number"))?;
        if f.is_infinite() {
            return Err(self.err("number out of range"));
        }
        Ok(Value::Float(f))
    }

    fn hex4(&mut self) -> Result<u32> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("truncated \\u escape"))?;
        let h = std::str::from_utf8(h).map_err(|_| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = self.peek().ok_or_else(|| self.err("unterminated string"))?;
            match c {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out)
                        .map_err(|_| self.err("string is not valid UTF-8"));
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek().ok_or_else(|| self.err("unterminated escape"))?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    self.i = save;
                                    0xFFFD
                                }
                            } else {
                                hi
                            };
                            char::from_u32(cp).unwrap_or('\u{FFFD}')
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.err("invalid escape"));
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(self.err("control character in string")),
                _ => {
                    // Copy the run of ordinary bytes at once.
                    let start = self.i;
                    self.i = goformat::find_special(self.s, start, |b| {
                        (b == b'"') | (b == b'\\') | (b < 0x20)
                    });
                    out.extend_from_slice(&self.s[start..self.i]);
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Map> {
        self.expect(b'{')?;
        let mut m = Map::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(m);
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a string key"));
            }
            let k = self.string()?;
            self.expect(b':')?;
            let v = self.value(depth + 1)?;
            m.items.push(MapItem::Entry(k, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(m);
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }
}

/// Parses a JSON document whose top level is an object.
pub(crate) fn load(input: &[u8]) -> Result<Map> {
    let input = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    let mut p = P { s: input, i: 0 };
    p.ws();
    if p.peek() != Some(b'{') {
        return Err(p.err("expected a JSON object ('{') at the top level"));
    }
    let m = p.object(0)?;
    p.ws();
    if p.i != input.len() {
        return Err(p.err("unexpected data after the top-level object"));
    }
    Ok(m)
}

/// Strings at least this long that need no escaping are not copied into
/// the text when it goes to a writer: they are written from where they are.
/// (Tiny under the fuzzer, so its short inputs take that path too.)
#[cfg(not(fuzzing))]
const BY_REFERENCE_MIN: usize = 64 * 1024;
#[cfg(fuzzing)]
const BY_REFERENCE_MIN: usize = 8;

/// JSON text being written. Small pieces are copied into `text` (wiped on
/// drop: it may be plaintext); when the text goes to a writer, long strings
/// that need no escaping (the base64 of a large encrypted value, a large
/// plaintext) are only referenced, at their place in `text`.
struct Out<'a> {
    text: Zeroizing<String>,
    refs: Option<Vec<(usize, &'a str)>>,
}

impl<'a> Out<'a> {
    fn new(capacity: usize, by_reference: bool) -> Self {
        Out {
            text: Zeroizing::new(String::with_capacity(capacity)),
            refs: by_reference.then(Vec::new),
        }
    }

    fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn push(&mut self, c: char) {
        self.text.push(c);
    }

    /// A JSON string, as Go's `json.Marshal` writes it.
    fn string(&mut self, s: &'a str) {
        if let Some(refs) = &mut self.refs {
            if s.len() >= BY_REFERENCE_MIN && goformat::json_string_is_plain(s) {
                self.text.push('"');
                refs.push((self.text.len(), s));
                self.text.push('"');
                return;
            }
        }
        goformat::json_string_into(s, &mut self.text);
    }

    fn into_string(mut self) -> String {
        std::mem::take(&mut *self.text)
    }

    fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let mut at = 0;
        for (pos, s) in self.refs.iter().flatten() {
            w.write_all(self.text[at..*pos].as_bytes())?;
            w.write_all(s.as_bytes())?;
            at = *pos;
        }
        w.write_all(self.text[at..].as_bytes())
    }
}

fn encode<'a>(v: &'a Value, out: &mut Out<'a>) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&goformat::format_json_float(*f)),
        Value::Str(s) => out.string(s.expose()),
        Value::Time(t) => out.string(t.expose()),
        Value::Comment(_) => {}
        Value::Bytes(b) => {
            use base64::Engine;
            let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&b[..]));
            goformat::json_string_into(&b64, &mut out.text);
        }
        Value::Map(m) => write_map(m.entries(), 0, out),
        Value::List(l) => {
            out.push('[');
            let mut first = true;
            for v in l.iter().filter(|v| !matches!(v, Value::Comment(_))) {
                if !first {
                    out.push(',');
                }
                first = false;
                encode(v, out);
            }
            out.push(']');
        }
    }
}

fn tabs(out: &mut Out<'_>, depth: usize) {
    for _ in 0..depth {
        out.push('\t');
    }
}

/// Writes a value the way Go's `json.Indent(json.Marshal(v), "", "\t")` does.
fn write_indented<'a>(v: &'a Value, depth: usize, out: &mut Out<'a>) {
    match v {
        Value::Map(m) => write_map(m.entries(), depth, out),
        Value::List(l) => {
            let mut items = l
                .iter()
                .filter(|v| !matches!(v, Value::Comment(_)))
                .peekable();
            if items.peek().is_none() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            while let Some(item) = items.next() {
                tabs(out, depth + 1);
                write_indented(item, depth + 1, out);
                if items.peek().is_some() {
                    out.push(',');
                }
                out.push('\n');
            }
            tabs(out, depth);
            out.push(']');
        }
        other => encode(other, out),
    }
}

fn write_map<'a>(
    entries: impl Iterator<Item = (&'a str, &'a Value)>,
    depth: usize,
    out: &mut Out<'a>,
) {
    let mut entries = entries.peekable();
    if entries.peek().is_none() {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    while let Some((k, v)) = entries.next() {
        tabs(out, depth + 1);
        out.string(k);
        out.push_str(": ");
        write_indented(v, depth + 1, out);
        if entries.peek().is_some() {
            out.push(',');
        }
        out.push('\n');
    }
    tabs(out, depth);
    out.push('}');
}

fn size_hint(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.expose().len() + 8,
        Value::Map(m) => m.entries().map(|(k, v)| k.len() + size_hint(v) + 8).sum(),
        Value::List(l) => l.iter().map(size_hint).sum(),
        _ => 24,
    }
}

/// Writes a map as sops does (tab indent, trailing newline).
pub(crate) fn emit(m: &Map) -> String {
    emit_with(m, None)
}

fn build<'a>(m: &'a Map, extra: Option<(&'a str, &'a Value)>, by_reference: bool) -> Out<'a> {
    let capacity = if by_reference {
        4096
    } else {
        m.entries()
            .map(|(k, v)| k.len() + size_hint(v) + 8)
            .sum::<usize>()
            + 4096
    };
    let mut out = Out::new(capacity, by_reference);
    write_map(m.entries().chain(extra), 0, &mut out);
    out.push('\n');
    out
}

/// Writes a map followed by one more entry (the `sops` metadata), without
/// copying the map.
pub(crate) fn emit_with(m: &Map, extra: Option<(&str, &Value)>) -> String {
    build(m, extra, false).into_string()
}

/// Writes what [`emit_with`] returns to `w`, without copying long strings.
pub(crate) fn write_with(
    m: &Map,
    extra: Option<(&str, &Value)>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    build(m, extra, true).write_to(w)
}

/// One value as `sops decrypt --extract` prints it.
pub(crate) fn emit_value(v: &Value) -> String {
    let mut out = Out::new(0, false);
    write_indented(v, 0, &mut out);
    out.push('\n');
    out.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_order() {
        let src = b"{\"b\": 1, \"a\": [true, null, \"x\", {\"k\": {}}], \"e\": []}";
        let m = load(src).unwrap();
        let out = emit(&m);
        assert_eq!(
            out,
            "{\n\t\"b\": 1,\n\t\"a\": [\n\t\ttrue,\n\t\tnull,\n\t\t\"x\",\n\t\t{\n\t\t\t\"k\": {}\n\t\t}\n\t],\n\t\"e\": []\n}\n"
        );
    }

    #[test]
    fn errors_have_locations() {
        let e = load(b"{\n  \"a\": tru\n}").unwrap_err().to_string();
        assert!(e.contains("2:8"), "{e}");
        assert!(load(b"[1]").unwrap_err().to_string().contains("1:1"));
        assert!(load(b"{\"a\": 1} x").is_err());
        assert!(load(b"{\"a\": \"\\ud800\"}").is_ok());
        assert!(load(&[b'['; 10000]).is_err());
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(600), "]".repeat(600));
        assert!(load(deep.as_bytes()).is_err());
    }

    #[test]
    fn writing_matches_emitting() {
        let mut m = Map::new();
        m.push("long", Value::str("x".repeat(BY_REFERENCE_MIN + 1)));
        m.push(
            "escaped",
            Value::str(format!("{}<", "y".repeat(BY_REFERENCE_MIN))),
        );
        m.push("short", Value::str("z"));
        let mut meta = Map::new();
        meta.push("n", Value::Int(1));
        let meta = Value::Map(meta);
        let mut written = Vec::new();
        write_with(&m, Some(("sops", &meta)), &mut written).unwrap();
        assert!(written == emit_with(&m, Some(("sops", &meta))).into_bytes());
        let back = load(&written).unwrap();
        assert!(back.get("long") == m.get("long"));
    }
}
