//! A YAML document as a tree of nodes that remember where they were written, so
//! that every error about a zone or config file can point at a line and column.
//! Built on yaml-rust2's event parser; anchors and aliases are resolved.

use crate::diag::{Diagnostic, Pos};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A mapping's entries: key, the key's position, value.
pub type Entries<'a> = Vec<(&'a str, Pos, &'a Node)>;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar; `plain` is false when it was quoted or a block scalar, so that
    /// `'true'` stays a string.
    Scalar {
        value: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar's text, for any scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A plain `~`, `null` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, plain: true } if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A plain scalar that YAML reads as a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar { value, plain: true } => match value.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A plain scalar that YAML reads as an integer.
    pub fn as_int(&self) -> Option<i64> {
        match &self.kind {
            NodeKind::Scalar { value, plain: true } => value.parse().ok(),
            _ => None,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } if self.is_null() => "nothing (null)",
            NodeKind::Scalar { .. } => "a single value",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// The entries of a mapping whose keys are all scalars; a duplicate or
    /// non-scalar key is an error at that key.
    pub fn as_map(&self) -> Option<Result<Entries<'_>, Diagnostic>> {
        let NodeKind::Map(entries) = &self.kind else {
            return None;
        };
        // Most mappings are a record's few fields: a linear scan finds a
        // duplicate there faster than hashing; the zone's top level is large.
        const SCAN_MAX: usize = 16;
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        let mut out: Entries<'_> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(key) = k.as_str() else {
                return Some(Err(Diagnostic::new(
                    k.pos,
                    "mapping keys must be plain strings",
                )));
            };
            let first = if entries.len() <= SCAN_MAX {
                out.iter()
                    .find(|(seen_key, ..)| *seen_key == key)
                    .map(|e| e.1)
            } else {
                seen.insert(key, k.pos)
            };
            if let Some(first) = first {
                return Some(Err(Diagnostic::new(
                    k.pos,
                    format!("key '{key}' appears twice"),
                )
                .hint(format!(
                    "first at line {}; merge the two entries",
                    first.line
                ))));
            }
            out.push((key, k.pos, v));
        }
        Some(Ok(out))
    }
}

/// Parses one YAML document. `Ok(None)` for an empty document.
pub fn parse(text: &str) -> Result<Option<Node>, Diagnostic> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| {
        let m = e.marker();
        Diagnostic::new(pos(m), format!("invalid YAML: {}", e.info()))
    })?;
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.root)
}

fn pos(m: &Marker) -> Pos {
    // yaml-rust2 reports 1-based lines and 0-based columns.
    Pos::new(m.line(), m.col() + 1)
}

enum Open {
    Seq(Node, usize),
    Map(Node, usize, Option<Node>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    root: Option<Node>,
    anchors: HashMap<usize, Node>,
    error: Option<Diagnostic>,
}

impl Builder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Seq(seq, _)) => {
                if let NodeKind::Seq(items) = &mut seq.kind {
                    items.push(node);
                }
            }
            Some(Open::Map(map, _, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if let NodeKind::Map(entries) = &mut map.kind {
                        entries.push((key, node));
                    }
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let p = pos(&mark);
        match ev {
            Event::Scalar(value, style, anchor, _) => {
                let plain = style == TScalarStyle::Plain;
                self.push_value(
                    Node {
                        pos: p,
                        kind: NodeKind::Scalar { value, plain },
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Open::Seq(
                    Node {
                        pos: p,
                        kind: NodeKind::Seq(Vec::new()),
                    },
                    anchor,
                ));
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Open::Map(
                    Node {
                        pos: p,
                        kind: NodeKind::Map(Vec::new()),
                    },
                    anchor,
                    None,
                ));
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq(node, anchor)) | Some(Open::Map(node, anchor, _)) => {
                    self.push_value(node, anchor)
                }
                None => {}
            },
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(mut node) => {
                    node.pos = p;
                    self.push_value(node, 0);
                }
                None => {
                    self.error
                        .get_or_insert(Diagnostic::new(p, "alias to an unknown anchor"));
                }
            },
            _ => {}
        }
    }
}

/// Writes `s` as a YAML scalar: plain when that reads back as the same string,
/// otherwise quoted.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        return s.to_string();
    }
    if s.chars().all(|c| !c.is_control()) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Like [`scalar`], for use inside a flow collection (`[a, b]`, `{k: v}`),
/// where `,` and brackets end a plain scalar.
pub fn flow_scalar(s: &str) -> String {
    if s.contains([',', '[', ']', '{', '}']) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        scalar(s)
    }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphanumeric() || first == '_' || first == '/') {
        return false;
    }
    if s.ends_with(' ') || s.ends_with(':') || s.contains(": ") || s.contains(" #") {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " _./=+-:;,~^()@".contains(c))
    {
        return false;
    }
    // Anything YAML 1.1 or 1.2 could read as a number, boolean or null.
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
    ) {
        return false;
    }
    !looks_numeric(s)
}

/// True when YAML 1.1 or 1.2 could resolve a plain scalar to a number:
/// decimal, float, `0x`/`0o`/`0b` forms, `1_000`, or sexagesimal `1:30`.
fn looks_numeric(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    let digits_with =
        |extra: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || extra.contains(c));
    s.replace('_', "").parse::<f64>().is_ok()
        || (t.len() > 2
            && matches!(&t[..2], "0x" | "0o" | "0b" | "0X" | "0O" | "0B")
            && t[2..].chars().all(|c| c.is_ascii_hexdigit() || c == '_'))
        || (t.contains(':') && digits_with(":._"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let n = parse("a:\n  b: [1, 2]\n").unwrap().unwrap();
        let entries = n.as_map().unwrap().unwrap();
        assert_eq!(entries[0].1, Pos::new(1, 1));
        let inner = entries[0].2.as_map().unwrap().unwrap();
        assert_eq!(inner[0].1, Pos::new(2, 3));
        let NodeKind::Seq(items) = &inner[0].2.kind else {
            panic!()
        };
        assert_eq!(items[1].pos, Pos::new(2, 10));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{e:?}");
        assert!(e.pos.line >= 1);
        let dup = parse("a: 1\na: 2\n").unwrap().unwrap();
        let e = dup.as_map().unwrap().unwrap_err();
        assert_eq!(e.pos, Pos::new(2, 1));
    }

    #[test]
    fn aliases_resolve() {
        let n = parse("a: &x {k: v}\nb: *x\n").unwrap().unwrap();
        let e = n.as_map().unwrap().unwrap();
        assert_eq!(e[1].2.as_map().unwrap().unwrap()[0].0, "k");
    }

    #[test]
    fn scalar_quoting_round_trips() {
        for s in [
            "1_000",
            "0x1F",
            "1:30",
            "1e5",
            "inf",
            "",
            "true",
            "1.5",
            "192.0.2.1",
            "a: b",
            "it's",
            "#x",
            "v=spf1 -all",
            "line\nbreak",
            "-x",
            "~",
            " lead",
        ] {
            let doc = format!("k: {}\n", scalar(s));
            let n = parse(&doc).unwrap().unwrap();
            let v = n.as_map().unwrap().unwrap()[0].2;
            assert_eq!(v.as_str(), Some(s), "{doc}");
            assert!(!v.is_null(), "{doc}");
        }
    }
}
