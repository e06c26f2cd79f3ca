//! The INI store, following the go-ini rules sops uses: sections are maps,
//! comments attach to the next section or key (an inline `; comment` to its
//! key), keys are aligned on `=` when written, metadata is a `[sops]`
//! section of flattened keys.

use crate::error::{Error, Result, StructureError, UnsupportedError};
use crate::stores::dotenv::scalar_to_string;
use crate::value::{Map, MapItem, Secret, Value};

const FORMAT: &str = "ini";
/// go-ini's name for keys before the first section.
pub(crate) const DEFAULT_SECTION: &str = "DEFAULT";

fn strip_comment_char(c: &str) -> String {
    if c.starts_with(';') {
        c.trim_start_matches([';', ' ']).to_string()
    } else if c.starts_with('#') {
        c.trim_start_matches(['#', ' ']).to_string()
    } else {
        c.to_string()
    }
}

/// Parses INI text into one map of sections (each a map).
pub(crate) fn load(input: &[u8]) -> Result<Map> {
    let text = std::str::from_utf8(input).map_err(|e| {
        let line = input[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::syntax(FORMAT, line, 1, "the file is not valid UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<(String, Map)> = vec![(DEFAULT_SECTION.to_string(), Map::new())];
    let mut comment = String::new();
    let lines: Vec<&str> = text.split('\n').collect();
    let mut n = 0;
    while n < lines.len() {
        let raw = lines[n].trim_end_matches('\r');
        let lineno = n + 1;
        n += 1;
        let line = raw.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') || line.starts_with(';') {
            if !comment.is_empty() {
                comment.push('\n');
            }
            comment.push_str(line);
            continue;
        }
        if line.starts_with('[') {
            let close = line.rfind(']').ok_or_else(|| {
                Error::syntax(
                    FORMAT,
                    lineno,
                    raw.len() - line.len() + 1,
                    "unclosed section header (missing ']')",
                )
            })?;
            let name = line[1..close].trim().to_string();
            if name.is_empty() {
                return Err(Error::syntax(FORMAT, lineno, 1, "empty section name"));
            }
            let mut m = Map::new();
            if !comment.is_empty() {
                m.items
                    .push(MapItem::Comment(Secret::new(strip_comment_char(
                        comment.trim(),
                    ))));
                comment.clear();
            }
            sections.push((name, m));
            continue;
        }
        // A key may be quoted (`key`, """key""", "key") to hold = : and the like.
        let (key, after) = {
            let quoted = ["\"\"\"", "`", "\""].iter().find_map(|q| {
                let body = line.strip_prefix(q)?;
                // The closing quote is the first one followed by the
                // delimiter: a key may end in a quote character (`"x"` as
                // """"x"""""), which a first-match search would cut short.
                // (Matching the ASCII quote's bytes at i also makes i a char boundary.)
                let end = (0..body.len()).find(|&i| {
                    body.as_bytes()[i..].starts_with(q.as_bytes())
                        && body[i + q.len()..].trim_start().starts_with(['=', ':'])
                })?;
                Some((body[..end].to_string(), &body[end + q.len()..]))
            });
            match quoted {
                Some((k, after)) => (k, after),
                None => {
                    let delim = line.find(['=', ':']).ok_or_else(|| {
                        Error::syntax(
                            FORMAT,
                            lineno,
                            raw.len() - line.len() + 1,
                            "expected key = value (or a [section] or ; comment); no '=' found",
                        )
                    })?;
                    (line[..delim].trim().to_string(), &line[delim..])
                }
            }
        };
        let after = after.trim_start();
        let delim_ok = after.starts_with(['=', ':']);
        if !delim_ok {
            return Err(Error::syntax(
                FORMAT,
                lineno,
                raw.len() - line.len() + 1,
                "expected '=' after the key",
            ));
        }
        if key.is_empty() {
            return Err(Error::syntax(FORMAT, lineno, 1, "empty key name"));
        }
        let mut rest = after[1..].trim().to_string();
        let value;
        if let Some(r) = rest.strip_prefix("\"\"\"") {
            // Multi-line value until the closing """.
            let mut buf = r.to_string();
            loop {
                if let Some(end) = buf.find("\"\"\"") {
                    value = buf[..end].to_string();
                    break;
                }
                if n >= lines.len() {
                    return Err(Error::syntax(
                        FORMAT,
                        lineno,
                        1,
                        "unterminated \"\"\" value",
                    ));
                }
                buf.push('\n');
                buf.push_str(lines[n].trim_end_matches('\r'));
                n += 1;
            }
        } else if let Some(r) = rest.strip_prefix('`') {
            let end = r
                .find('`')
                .ok_or_else(|| Error::syntax(FORMAT, lineno, 1, "unterminated ` value"))?;
            value = r[..end].to_string();
        } else if rest.len() >= 2 && rest.starts_with('"') && rest[1..].contains('"') {
            let end = rest[1..].find('"').map(|e| e + 1).unwrap_or(rest.len());
            value = rest[1..end].to_string();
        } else {
            if let Some(i) = rest.find(['#', ';']) {
                if !comment.is_empty() {
                    comment.push('\n');
                }
                comment.push_str(&rest[i..]);
                rest = rest[..i].trim().to_string();
            }
            value = rest;
        }
        let sec = &mut sections
            .last_mut()
            .ok_or(StructureError::Internal("no INI section"))?
            .1;
        let v = Value::str(value);
        if sec.get(&key).is_some() {
            sec.insert(&key, v);
        } else {
            sec.push(key, v);
        }
        if !comment.is_empty() {
            sec.items
                .push(MapItem::Comment(Secret::new(strip_comment_char(
                    comment.trim(),
                ))));
            comment.clear();
        }
    }
    let mut out = Map::new();
    for (name, m) in sections {
        out.push(name, Value::Map(m));
    }
    Ok(out)
}

fn comment_lines(out: &mut String, c: &str) {
    for (i, line) in c.split('\n').enumerate() {
        if i == 0 {
            // The first line was stripped of its comment characters when
            // read; write it so that reading it again gives it back.
            out.push_str(if line.starts_with(';') { "# " } else { "; " });
            out.push_str(line);
        } else if line.starts_with('#') || line.starts_with(';') {
            out.push_str(&line[..1]);
            out.push(' ');
            out.push_str(line[1..].trim());
        } else {
            out.push_str("; ");
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// A value as `load` reads it back: plain when nothing in it means
/// something to the reader, else in backticks (which keep spaces, `#` and
/// `;`), else in triple quotes (which also keep backticks and line breaks).
/// A value none of these carries is refused rather than written wrong.
fn quote_value(key: &str, v: &str) -> Result<String> {
    let plain = !v.contains(['\n', '`', '#', ';']) && v.trim() == v && !v.starts_with('"');
    if plain {
        Ok(v.to_string())
    } else if !v.contains(['`', '\n']) {
        Ok(format!("`{v}`"))
    } else if !v.contains("\"\"\"") && !v.ends_with('"') && !v.contains('\r') {
        Ok(format!("\"\"\"{v}\"\"\""))
    } else {
        Err(UnsupportedError::IniValue {
            key: key.to_string(),
        }
        .into())
    }
}

/// Writes sections as go-ini does.
pub(crate) fn emit(m: &Map) -> Result<String> {
    let mut blocks: Vec<String> = Vec::new();
    for (name, v) in m.entries() {
        let sec = match v {
            Value::Map(s) => s,
            other => {
                return Err(UnsupportedError::IniTopLevel {
                    key: name.to_string(),
                    kind: other.kind(),
                }
                .into())
            }
        };
        let mut out = String::new();
        let mut items = sec.items.as_slice();
        let mut sec_comment = None;
        if let Some(MapItem::Comment(c)) = items.first() {
            sec_comment = Some(c.expose().to_string());
            items = &items[1..];
        }
        // Each key's comment is the comment item following it.
        let mut keys: Vec<(&str, &Value, Option<String>)> = Vec::new();
        for item in items {
            match item {
                MapItem::Entry(k, v) => keys.push((k, v, None)),
                MapItem::Comment(c) => {
                    if let Some(last) = keys.last_mut() {
                        last.2 = Some(c.expose().to_string());
                    }
                }
            }
        }
        if name == DEFAULT_SECTION && keys.is_empty() {
            continue;
        }
        if let Some(c) = sec_comment {
            comment_lines(&mut out, &c);
        }
        if name != DEFAULT_SECTION {
            out.push('[');
            out.push_str(name);
            out.push_str("]\n");
        }
        let align = keys
            .iter()
            .map(|(k, _, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (k, v, c) in keys {
            if let Some(c) = c {
                comment_lines(&mut out, &c);
            }
            if !v.is_scalar() {
                return Err(UnsupportedError::IniNested {
                    key: format!("{name}.{k}"),
                    kind: v.kind(),
                }
                .into());
            }
            // Keys that would read back as something else are quoted, as go-ini does.
            if k.contains('`') && k.contains("\"\"\"") {
                return Err(UnsupportedError::IniKey { key: k.to_string() }.into());
            }
            let kq = if k.contains('`') {
                format!("\"\"\"{k}\"\"\"")
            } else if k.contains(['=', ':', '"'])
                || k.starts_with(['[', ';', '#', '\u{feff}'])
                || k.trim() != k
            {
                format!("`{k}`")
            } else {
                k.to_string()
            };
            out.push_str(&kq);
            for _ in k.chars().count()..align {
                out.push(' ');
            }
            out.push_str(" = ");
            out.push_str(&quote_value(k, &scalar_to_string(v)?)?);
            out.push('\n');
        }
        blocks.push(out);
    }
    Ok(blocks.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_as_written_or_is_refused() {
        let values = [
            "plain",
            "",
            " padded ",
            "\"quoted\"",
            "\"a",
            "a # b",
            "x;y",
            "`tick`",
            "two\nlines",
            "a`b\nc",
            "`\"\"\":",
            "ends\"\n`",
            "cr\r\n`",
        ];
        for v in values {
            let text = format!(
                "[s]\nk = {}\n",
                match quote_value("k", v) {
                    Ok(q) => q,
                    Err(Error::Unsupported(_)) => {
                        assert!(v.contains(['`', '\n']), "{v:?} refused");
                        continue;
                    }
                    Err(e) => panic!("{e}"),
                }
            );
            let back = load(text.as_bytes()).unwrap_or_else(|e| panic!("{v:?}: {e}\n{text}"));
            let again = emit(&back).unwrap();
            assert_eq!(again, text, "{v:?}");
        }
    }

    #[test]
    fn sections_comments_and_alignment() {
        let src = "; top\n[db]\nuser = admin\npassword = s3cr3t ; trailing\nport: 5432\n\n[srv]\nhost = example.org\n";
        let m = load(src.as_bytes()).unwrap();
        let db = m.get("db").unwrap().as_map().unwrap();
        assert_eq!(db.get("password").unwrap().as_str(), Some("s3cr3t"));
        assert_eq!(
            emit(&m).unwrap(),
            "; top\n[db]\nuser     = admin\n; trailing\npassword = s3cr3t\nport     = 5432\n\n[srv]\nhost = example.org\n"
        );
        let m = load(b"[q]\n`a=b` = 1\n\"c:d\" = 2\n").unwrap();
        let q = m.get("q").unwrap().as_map().unwrap();
        assert_eq!(q.get("a=b").unwrap().as_str(), Some("1"));
        assert_eq!(q.get("c:d").unwrap().as_str(), Some("2"));
        assert_eq!(emit(&m).unwrap(), "[q]\n`a=b` = 1\n`c:d` = 2\n");
        let e = load(b"[a]\nnovalue\n").unwrap_err().to_string();
        assert!(e.contains("2:1"), "{e}");
        assert!(load(b"[a\n").is_err());
    }
}
