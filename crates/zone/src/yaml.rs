//! A YAML document as a tree of nodes that remember where they were written, so
//! that every error about a zone or config file can point at a line and column.
//! Built on yaml-rust2's event parser; anchors and aliases are resolved.

use crate::diag::{Diagnostic, Pos};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A mapping's entries: key, the key's position, value.
pub type Entries<'a> = Vec<(&'a str, Pos, &'a Node)>;

/// A YAML node and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What it holds.
    pub kind: NodeKind,
}

/// What a [`Node`] holds.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar; `plain` is false when it was quoted or a block scalar, so that
    /// `'true'` stays a string.
    Scalar {
        /// The text, escapes resolved.
        value: String,
        /// Written without quotes, so YAML's typing applies.
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping's keys and values, in the order written.
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

    /// What the node is, for messages: `a list`, `a mapping`, ...
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

/// How deeply collections may nest. Zone files and dnsctl.yaml need fewer
/// than ten levels; the bound keeps every recursive walk of a [`Node`]
/// (drop, clone, comparisons, readers) far from the end of a thread's stack.
pub const MAX_DEPTH: usize = 64;

/// Nodes that aliases may add by copying, beyond [`ALIAS_FACTOR`] times the
/// nodes written in the document: aliases are deep copies, and a few hundred
/// bytes of nested aliases would otherwise expand to billions of nodes.
/// Like Go's yaml.v3 (what sops users get), the budget is relative to the
/// document, so a large file may use aliases proportionally more.
pub const ALIAS_BASE: usize = 10_000;
/// See [`ALIAS_BASE`].
pub const ALIAS_FACTOR: usize = 4;

/// Parses one YAML document. `Ok(None)` for an empty document. A UTF-8 byte
/// order mark at the start is ignored.
pub fn parse(text: &str) -> Result<Option<Node>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // Events are pulled one by one: the parser's own `load` recurses once per
    // nesting level, so deep input would overflow the stack before the
    // builder could refuse it. Only the first document is read.
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| {
            let m = e.marker();
            Diagnostic::new(pos(m), format!("invalid YAML: {}", e.info()))
        })?;
        if matches!(ev, Event::StreamEnd | Event::DocumentEnd) {
            break;
        }
        builder.on_event(ev, mark);
        if let Some(err) = builder.error {
            return Err(err);
        }
    }
    Ok(builder.root)
}

fn pos(m: &Marker) -> Pos {
    // yaml-rust2 reports 1-based lines and 0-based columns.
    Pos::new(m.line(), m.col() + 1)
}

/// A collection being built: the node, its anchor, and the height of its
/// tallest child so far.
enum Open {
    Seq(Node, usize, usize),
    Map(Node, usize, usize, Option<Node>),
}

/// An anchored node with what an alias to it costs: its height and node count.
struct Anchored {
    node: Node,
    height: usize,
    size: usize,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    root: Option<Node>,
    anchors: HashMap<usize, Anchored>,
    /// Nodes written in the document, and nodes copied by aliases.
    written: usize,
    copied: usize,
    /// Node count of each open collection's finished children, innermost last.
    sizes: Vec<usize>,
    error: Option<Diagnostic>,
}

impl Builder {
    /// Adds a finished node of `height` levels and `size` nodes to its parent.
    fn push_value(&mut self, node: Node, anchor: usize, height: usize, size: usize) {
        if anchor > 0 {
            let anchored = Anchored {
                node: node.clone(),
                height,
                size,
            };
            self.anchors.insert(anchor, anchored);
        }
        if let Some(s) = self.sizes.last_mut() {
            *s += size;
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Seq(seq, _, h)) => {
                *h = (*h).max(height);
                if let NodeKind::Seq(items) = &mut seq.kind {
                    items.push(node);
                }
            }
            Some(Open::Map(map, _, h, pending)) => {
                *h = (*h).max(height);
                match pending.take() {
                    None => *pending = Some(node),
                    Some(key) => {
                        if let NodeKind::Map(entries) = &mut map.kind {
                            entries.push((key, node));
                        }
                    }
                }
            }
        }
    }

    fn fail(&mut self, d: Diagnostic) {
        self.error.get_or_insert(d);
    }

    fn open(&mut self, open: Open, p: Pos) {
        if self.stack.len() >= MAX_DEPTH {
            return self.fail(
                Diagnostic::new(p, format!("YAML nests deeper than {MAX_DEPTH} levels")).hint(
                    "flatten the document; zone files and dnsctl.yaml need only a few levels",
                ),
            );
        }
        self.written += 1;
        self.stack.push(open);
        self.sizes.push(0);
    }

    fn alias(&mut self, id: usize, p: Pos) {
        let Some(a) = self.anchors.get(&id) else {
            return self.fail(Diagnostic::new(p, "alias to an unknown anchor"));
        };
        let (height, size) = (a.height, a.size);
        if self.stack.len() + height > MAX_DEPTH {
            return self.fail(Diagnostic::new(
                p,
                format!("this alias makes the YAML nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.copied += size;
        if self.copied > ALIAS_BASE + ALIAS_FACTOR * self.written {
            return self.fail(
                Diagnostic::new(
                    p,
                    format!(
                        "aliases expand to {} nodes, more than the document's budget ({} plus {ALIAS_FACTOR} per node written)",
                        self.copied, ALIAS_BASE
                    ),
                )
                .hint("each alias is a full copy of its anchor; write the values out or use fewer nested aliases"),
            );
        }
        let mut node = a.node.clone();
        node.pos = p;
        self.push_value(node, 0, height, size);
    }
}

impl Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let p = pos(&mark);
        match ev {
            Event::Scalar(value, style, anchor, _) => {
                let plain = style == TScalarStyle::Plain;
                self.written += 1;
                self.push_value(
                    Node {
                        pos: p,
                        kind: NodeKind::Scalar { value, plain },
                    },
                    anchor,
                    0,
                    1,
                );
            }
            Event::SequenceStart(anchor, _) => {
                let node = Node {
                    pos: p,
                    kind: NodeKind::Seq(Vec::new()),
                };
                self.open(Open::Seq(node, anchor, 0), p);
            }
            Event::MappingStart(anchor, _) => {
                let node = Node {
                    pos: p,
                    kind: NodeKind::Map(Vec::new()),
                };
                self.open(Open::Map(node, anchor, 0, None), p);
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq(node, anchor, h)) | Some(Open::Map(node, anchor, h, _)) => {
                    let size = 1 + self.sizes.pop().unwrap_or(0);
                    self.push_value(node, anchor, h + 1, size)
                }
                None => {}
            },
            Event::Alias(id) => self.alias(id, p),
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
    fn alias_bomb_is_refused_at_the_alias() {
        // 300 bytes that expand to 9^8 nodes: it used to allocate until killed.
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .windows(2)
            .map(|w| (w[0], w[1]))
        {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            doc.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        assert!(doc.len() < 400);
        let e = parse(&doc).unwrap_err();
        assert!(e.message.contains("aliases expand to"), "{e:?}");
        assert!(e.pos.line > 2, "{e:?}");
        // Moderate reuse, as in a zone that shares a value list, is fine.
        let mut ok = String::from("v: &v [1, 2, 3, 4]\n");
        for i in 0..500 {
            ok.push_str(&format!("k{i}: *v\n"));
        }
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        // 20 KB of nested `- ` overflowed the stack (abort); check on a small
        // stack like the runtime's blocking threads, in both YAML styles.
        let block = "- ".repeat(10_000) + "x\n";
        let flow = "[".repeat(10_000);
        let r = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || (parse(&block), parse(&flow)))
            .unwrap()
            .join()
            .unwrap();
        let e = r.0.unwrap_err();
        assert!(e.message.contains("deeper than 64"), "{e:?}");
        assert_eq!(e.pos, Pos::new(1, 129));
        // yaml-rust2's scanner stops flow nesting itself, a little later.
        assert_eq!(r.1.unwrap_err().pos.line, 1);
        let at_limit = "- ".repeat(MAX_DEPTH) + "x\n";
        assert!(parse(&at_limit).is_ok());
        // An alias cannot build depth the text does not have.
        let e = parse(&format!(
            "a: &a {}x{}\nb: [[*a]]\n",
            "[".repeat(62),
            "]".repeat(62)
        ))
        .unwrap_err();
        assert!(e.message.contains("alias makes"), "{e:?}");
        assert_eq!(e.pos, Pos::new(2, 6));
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let n = parse("\u{feff}a: 1\n").unwrap().unwrap();
        let e = n.as_map().unwrap().unwrap();
        assert_eq!((e[0].0, e[0].1), ("a", Pos::new(1, 1)));
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
