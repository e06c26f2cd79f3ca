//! The dotenv store, as sops: `KEY=value` split at the first `=` (no
//! trimming), `#` comment lines, `\n` in values for newlines, metadata as
//! flattened `sops_…` keys.

use crate::error::{Error, MetadataError, Result, UnsupportedError};
use crate::value::{Map, MapItem, Secret, Value};

/// Parses dotenv text.
pub(crate) fn load(input: &[u8]) -> Result<Map> {
    let text = std::str::from_utf8(input).map_err(|e| {
        let line = input[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::syntax("dotenv", line, 1, "the file is not valid UTF-8")
    })?;
    let mut m = Map::new();
    for (n, line) in text.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            m.items.push(MapItem::Comment(Secret::new(c)));
            continue;
        }
        let (k, v) = line.split_once('=').ok_or_else(|| {
            Error::syntax(
                "dotenv",
                n + 1,
                1,
                "expected KEY=value (or a # comment); the line has no '='",
            )
        })?;
        m.items.push(MapItem::Entry(
            k.to_string(),
            Value::str(v.replace("\\n", "\n")),
        ));
    }
    Ok(m)
}

/// A scalar as sops writes it in flat stores (Go's `ValToString`).
pub(crate) fn scalar_to_string(v: &Value) -> Result<String> {
    Ok(match v {
        Value::Str(s) => s.expose().to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::goformat::format_f(*f),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Time(t) => t.expose().to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Comment(c) => c.expose().to_string(),
        Value::Map(_) | Value::List(_) => {
            return Err(UnsupportedError::FlatValue { kind: v.kind() }.into())
        }
    })
}

/// Writes dotenv text.
pub(crate) fn emit(m: &Map) -> Result<String> {
    let mut out = String::new();
    for item in &m.items {
        match item {
            MapItem::Comment(c) => {
                out.push('#');
                out.push_str(c.expose());
                out.push('\n');
            }
            MapItem::Entry(k, v) => {
                if !v.is_scalar() {
                    return Err(UnsupportedError::DotenvNested {
                        key: k.to_string(),
                        kind: v.kind(),
                    }
                    .into());
                }
                let s = match v {
                    Value::Str(s) => s.expose().replace('\n', "\\n"),
                    other => scalar_to_string(other)?,
                };
                out.push_str(k);
                out.push('=');
                out.push_str(&s);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// Flattens metadata the way sops does for dotenv and INI:
/// `age__list_0__map_enc`, with newlines as `\n`.
pub(crate) fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Map(m) => {
            for (k, v) in m.entries() {
                flatten(&format!("{prefix}__map_{k}"), v, out);
            }
        }
        Value::List(l) => {
            for (i, v) in l.iter().enumerate() {
                flatten(&format!("{prefix}__list_{i}"), v, out);
            }
        }
        Value::Null => {}
        other => {
            let s = scalar_to_string(other).unwrap_or_default();
            out.push((prefix.to_string(), s.replace('\n', "\\n")));
        }
    }
}

/// Flattens the metadata map (top-level keys without a `__map_` prefix).
pub(crate) fn flatten_metadata(md: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Value::Map(m) = md {
        for (k, v) in m.entries() {
            match v {
                Value::Map(_) | Value::List(_) => flatten(k, v, &mut out),
                _ => flatten(k, v, &mut out),
            }
        }
    }
    out
}

fn insert_path(root: &mut Value, path: &[String], value: String) -> Result<()> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    let (is_list, key) = if let Some(i) = first.strip_prefix("\u{0}list:") {
        (true, i.to_string())
    } else {
        (false, first.clone())
    };
    if is_list {
        let idx: usize = key
            .parse()
            .map_err(|_| MetadataError::FlatIndex { index: key.clone() })?;
        if !matches!(root, Value::List(_)) {
            *root = Value::List(Vec::new());
        }
        let Value::List(l) = root else { return Ok(()) };
        while l.len() <= idx {
            l.push(Value::Null);
        }
        if rest.is_empty() {
            l[idx] = Value::str(value);
            Ok(())
        } else {
            insert_path(&mut l[idx], rest, value)
        }
    } else {
        if !matches!(root, Value::Map(_)) {
            *root = Value::Map(Map::new());
        }
        let Value::Map(m) = root else { return Ok(()) };
        if rest.is_empty() {
            m.insert(&key, Value::str(value));
            Ok(())
        } else {
            if m.get(&key).is_none() {
                m.push(key.clone(), Value::Null);
            }
            match m.get_mut(&key) {
                Some(slot) => insert_path(slot, rest, value),
                None => Ok(()),
            }
        }
    }
}

/// Rebuilds the metadata map from flattened `(key, value)` pairs.
pub(crate) fn unflatten_metadata(pairs: &[(String, String)]) -> Result<Value> {
    let mut root = Value::Map(Map::new());
    for (k, v) in pairs {
        // Tokenize "age__list_0__map_enc" into ["age", list 0, "enc"].
        let mut path = Vec::new();
        let mut rest = k.as_str();
        let first_end = rest.find("__").unwrap_or(rest.len());
        path.push(rest[..first_end].to_string());
        rest = &rest[first_end..];
        while !rest.is_empty() {
            let (tok, is_list) = if let Some(r) = rest.strip_prefix("__map_") {
                (r, false)
            } else if let Some(r) = rest.strip_prefix("__list_") {
                (r, true)
            } else {
                return Err(MetadataError::FlatKey { key: k.clone() }.into());
            };
            let end = tok
                .find("__map_")
                .into_iter()
                .chain(tok.find("__list_"))
                .min()
                .unwrap_or(tok.len());
            let name = &tok[..end];
            path.push(if is_list {
                format!("\u{0}list:{name}")
            } else {
                name.to_string()
            });
            rest = &tok[end..];
        }
        insert_path(&mut root, &path, v.replace("\\n", "\n"))?;
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_sops() {
        let m = load(b"# c\nA=1\nB= spaced =x\nC=a\\nb\n\n").unwrap();
        assert_eq!(m.get("B").unwrap().as_str(), Some(" spaced =x"));
        assert_eq!(m.get("C").unwrap().as_str(), Some("a\nb"));
        assert_eq!(emit(&m).unwrap(), "# c\nA=1\nB= spaced =x\nC=a\\nb\n");
        let e = load(b"A=1\nnope\n").unwrap_err().to_string();
        assert!(e.contains("2:1"), "{e}");
    }

    #[test]
    fn flatten_round_trip() {
        let md = crate::metadata::Metadata {
            key_groups: vec![crate::metadata::KeyGroup {
                age: vec![crate::metadata::AgeStanza {
                    recipient: "age1x".into(),
                    enc: "line1\nline2\n".into(),
                }],
                other: vec![],
            }],
            lastmodified: "2026-11-22T03:08:45Z".into(),
            mac: "m".into(),
            version: "3.11.0".into(),
            ..Default::default()
        };
        let flat = flatten_metadata(&md.to_value(false));
        assert!(flat.contains(&(
            "age__list_0__map_enc".to_string(),
            "line1\\nline2\\n".to_string()
        )));
        let back = unflatten_metadata(&flat).unwrap();
        assert_eq!(crate::metadata::Metadata::from_value(&back).unwrap(), md);
    }
}
