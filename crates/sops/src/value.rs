//! The SOPS tree: ordered maps, lists, scalar values and comments.
//!
//! Secret material (strings, bytes, comments, timestamps) lives in zeroizing
//! buffers and is redacted from `Debug` output.

use std::fmt;
use zeroize::Zeroizing;

/// A string whose memory is wiped on drop and which never shows in `Debug`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a string.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(Zeroizing::new(s.into()))
    }
    /// The text.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Mutable access to the text.
    pub fn expose_mut(&mut self) -> &mut String {
        &mut self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}
impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

/// One node of a SOPS document.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// `null` (never encrypted).
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A string.
    Str(Secret),
    /// A timestamp, kept in Go's RFC 3339 (nano) text form.
    Time(Secret),
    /// Raw bytes (binary store).
    Bytes(Zeroizing<Vec<u8>>),
    /// A comment inside a list (comments in maps are [`MapItem::Comment`]).
    Comment(Secret),
    /// An ordered map.
    Map(Map),
    /// A list.
    List(Vec<Value>),
}

impl Value {
    /// Parses a value written as JSON (`"text"`, `42`, `{"a": 1}`), as
    /// `sops set` takes it.
    pub fn from_json(text: &str) -> crate::Result<Value> {
        let wrapped = Zeroizing::new(format!("{{\"v\": {text}}}"));
        let parsed = crate::stores::json::load(wrapped.as_bytes())?;
        Ok(parsed.get("v").cloned().unwrap_or(Value::Null))
    }

    /// A scalar as text (as a dotenv file writes it); `None` for maps,
    /// lists, null and comments.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::Map(_) | Value::List(_) | Value::Null | Value::Comment(_) => None,
            other => crate::stores::dotenv::scalar_to_string(other).ok(),
        }
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Secret::new(s))
    }

    /// The string inside `Str`, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.expose()),
            _ => None,
        }
    }

    /// The map inside `Map`, if it is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Whether this is a leaf value (not a map or a list).
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Value::Map(_) | Value::List(_))
    }

    /// A short name of the kind of value, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Time(_) => "timestamp",
            Value::Bytes(_) => "bytes",
            Value::Comment(_) => "comment",
            Value::Map(_) => "map",
            Value::List(_) => "list",
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Map(m) => m.fmt(f),
            Value::List(l) => f.debug_list().entries(l).finish(),
            other => write!(f, "{}(<redacted>)", other.kind()),
        }
    }
}

/// An entry of a map: a key with its value, or a comment line.
#[derive(Clone, PartialEq)]
pub enum MapItem {
    /// `key: value`.
    Entry(String, Value),
    /// A comment line (without the leading `#`).
    Comment(Secret),
}

impl fmt::Debug for MapItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapItem::Entry(k, v) => write!(f, "{k:?}: {v:?}"),
            MapItem::Comment(_) => f.write_str("#<redacted>"),
        }
    }
}

/// An ordered map that can carry comments between its entries.
#[derive(Clone, PartialEq, Default)]
pub struct Map {
    /// Entries and comments in document order.
    pub items: Vec<MapItem>,
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

impl Map {
    /// An empty map.
    pub fn new() -> Self {
        Map::default()
    }

    /// Appends an entry.
    pub fn push(&mut self, key: impl Into<String>, value: Value) {
        self.items.push(MapItem::Entry(key.into(), value));
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.items.iter().find_map(|i| match i {
            MapItem::Entry(k, v) if k == key => Some(v),
            _ => None,
        })
    }

    /// The value of `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.items.iter_mut().find_map(|i| match i {
            MapItem::Entry(k, v) if k == key => Some(v),
            _ => None,
        })
    }

    /// Sets `key` (replacing in place, or appending).
    pub fn insert(&mut self, key: &str, value: Value) {
        match self.get_mut(key) {
            Some(v) => *v = value,
            None => self.push(key, value),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let pos = self
            .items
            .iter()
            .position(|i| matches!(i, MapItem::Entry(k, _) if k == key))?;
        match self.items.remove(pos) {
            MapItem::Entry(_, v) => Some(v),
            MapItem::Comment(_) => None,
        }
    }

    /// Entries (without comments).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.items.iter().filter_map(|i| match i {
            MapItem::Entry(k, v) => Some((k.as_str(), v)),
            MapItem::Comment(_) => None,
        })
    }

    /// Number of entries (comments excluded).
    pub fn len(&self) -> usize {
        self.entries().count()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One step of a path into a tree: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// A map key.
    Key(String),
    /// A list index (comments in lists are not counted).
    Index(usize),
}

/// A key path that does not parse, or does not fit the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The path's text is not of the form `["a"]["b"][0]`.
    #[error("invalid path {path:?}: {expected}{}", at.map(|n| format!(" at character {n}")).unwrap_or_default())]
    Syntax {
        /// The text given.
        path: String,
        /// What was expected (or found wrong).
        expected: &'static str,
        /// Where (1-based character), when it is one place.
        at: Option<usize>,
    },
    /// No step at all.
    #[error("empty path")]
    Empty,
    /// A path starting with an index: a document's top level is a map.
    #[error("a document's top level is a map: the path must start with a key")]
    StartsWithIndex,
    /// The file has no document to look in.
    #[error("the file has no document")]
    NoDocument,
    /// No such key.
    #[error("key not found: {key}")]
    KeyNotFound {
        /// The key.
        key: String,
    },
    /// A key under a value that is not a map.
    #[error("key not found: {key} (parent is not a map)")]
    NotAMap {
        /// The key.
        key: String,
    },
    /// An index past the end of a list.
    #[error("index {index} out of bounds")]
    IndexOutOfBounds {
        /// The index.
        index: usize,
    },
    /// An index under a value that is not a list.
    #[error("index {index}: parent is not a list")]
    NotAList {
        /// The index.
        index: usize,
    },
}

/// Parses an extract path in sops' form: `["a"]["b"][0]`.
pub fn parse_path(s: &str) -> Result<Vec<PathStep>, PathError> {
    let bad = |expected: &'static str, at: Option<usize>| PathError::Syntax {
        path: s.to_string(),
        expected,
        at,
    };
    let mut out = Vec::new();
    let b = s.trim();
    let chars: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '[' {
            return Err(bad("expected '['", Some(i + 1)));
        }
        i += 1;
        if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
            let q = chars[i];
            i += 1;
            let mut key = String::new();
            while i < chars.len() && chars[i] != q {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                key.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err(bad("unterminated key", None));
            }
            i += 1;
            out.push(PathStep::Key(key));
        } else {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let n: String = chars[start..i].iter().collect();
            let idx = n
                .parse::<usize>()
                .map_err(|_| bad("expected a quoted key or an index", Some(start + 1)))?;
            out.push(PathStep::Index(idx));
        }
        if i >= chars.len() || chars[i] != ']' {
            return Err(bad("expected ']'", None));
        }
        i += 1;
    }
    if out.is_empty() {
        return Err(bad("empty", None));
    }
    Ok(out)
}

/// Looks a path up in a document.
pub fn lookup<'a>(root: &'a Map, path: &[PathStep]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut cur = match first {
        PathStep::Key(k) => root.get(k)?,
        PathStep::Index(_) => return None,
    };
    for step in rest {
        cur = match (step, cur) {
            (PathStep::Key(k), Value::Map(m)) => m.get(k)?,
            (PathStep::Index(i), Value::List(l)) => l
                .iter()
                .filter(|v| !matches!(v, Value::Comment(_)))
                .nth(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Sets the value at a path, creating maps on the way (as `sops set` does).
/// Returns whether anything changed.
pub(crate) fn set_path(root: &mut Map, path: &[PathStep], value: Value) -> Result<bool, PathError> {
    let Some((first, rest)) = path.split_first() else {
        return Err(PathError::Empty);
    };
    let PathStep::Key(k) = first else {
        return Err(PathError::StartsWithIndex);
    };
    if rest.is_empty() {
        let changed = root.get(k) != Some(&value);
        root.insert(k, value);
        return Ok(changed);
    }
    if root.get(k).is_none() {
        root.push(k.clone(), empty_for(&rest[0]));
    }
    match root.get_mut(k) {
        Some(slot) => set_in_value(slot, rest, value),
        None => Err(PathError::KeyNotFound { key: k.clone() }),
    }
}

fn empty_for(step: &PathStep) -> Value {
    match step {
        PathStep::Key(_) => Value::Map(Map::new()),
        PathStep::Index(_) => Value::List(Vec::new()),
    }
}

fn set_in_value(slot: &mut Value, path: &[PathStep], value: Value) -> Result<bool, PathError> {
    let (first, rest) = path.split_first().ok_or(PathError::Empty)?;
    match first {
        PathStep::Key(k) => {
            if !matches!(slot, Value::Map(_)) {
                *slot = Value::Map(Map::new());
            }
            let Value::Map(m) = slot else {
                return Err(PathError::NotAMap { key: k.clone() });
            };
            set_path(m, &[&[PathStep::Key(k.clone())], rest].concat(), value)
        }
        PathStep::Index(i) => {
            if !matches!(slot, Value::List(_)) {
                *slot = Value::List(Vec::new());
            }
            let Value::List(l) = slot else {
                return Err(PathError::NotAList { index: *i });
            };
            let positions: Vec<usize> = l
                .iter()
                .enumerate()
                .filter(|(_, v)| !matches!(v, Value::Comment(_)))
                .map(|(p, _)| p)
                .collect();
            let pos = match positions.get(*i) {
                Some(p) => *p,
                None => {
                    l.push(if rest.is_empty() {
                        Value::Null
                    } else {
                        empty_for(&rest[0])
                    });
                    l.len() - 1
                }
            };
            if rest.is_empty() {
                let changed = l[pos] != value;
                l[pos] = value;
                Ok(changed)
            } else {
                set_in_value(&mut l[pos], rest, value)
            }
        }
    }
}

/// Removes the value at a path. Errors when it does not exist.
pub(crate) fn unset_path(root: &mut Map, path: &[PathStep]) -> Result<(), PathError> {
    let Some((first, rest)) = path.split_first() else {
        return Err(PathError::Empty);
    };
    let PathStep::Key(k) = first else {
        return Err(PathError::StartsWithIndex);
    };
    let not_found = || PathError::KeyNotFound { key: k.clone() };
    if rest.is_empty() {
        return root.remove(k).map(|_| ()).ok_or_else(not_found);
    }
    let slot = root.get_mut(k).ok_or_else(not_found)?;
    unset_in_value(slot, rest)
}

fn unset_in_value(slot: &mut Value, path: &[PathStep]) -> Result<(), PathError> {
    let (first, rest) = path.split_first().ok_or(PathError::Empty)?;
    match (first, slot) {
        (PathStep::Key(k), Value::Map(m)) => {
            unset_path(m, &[&[PathStep::Key(k.clone())], rest].concat())
        }
        (PathStep::Index(i), Value::List(l)) => {
            let pos = l
                .iter()
                .enumerate()
                .filter(|(_, v)| !matches!(v, Value::Comment(_)))
                .map(|(p, _)| p)
                .nth(*i)
                .ok_or(PathError::IndexOutOfBounds { index: *i })?;
            if rest.is_empty() {
                l.remove(pos);
                Ok(())
            } else {
                unset_in_value(&mut l[pos], rest)
            }
        }
        (PathStep::Key(k), _) => Err(PathError::NotAMap { key: k.clone() }),
        (PathStep::Index(i), _) => Err(PathError::NotAList { index: *i }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let mut m = Map::new();
        m.push("password", Value::str("hunter2"));
        m.items
            .push(MapItem::Comment(Secret::new("secret comment")));
        m.push("n", Value::Int(42));
        let d = format!("{:?}", Value::Map(m));
        assert!(!d.contains("hunter2"), "{d}");
        assert!(!d.contains("secret comment"), "{d}");
        assert!(!d.contains("42"), "{d}");
        assert!(d.contains("password"), "{d}");
    }

    #[test]
    fn paths_parse_set_and_unset() {
        let p = parse_path(r#"["a"]["b"][1]"#).unwrap();
        assert_eq!(
            p,
            vec![
                PathStep::Key("a".into()),
                PathStep::Key("b".into()),
                PathStep::Index(1)
            ]
        );
        // The messages say where, as they did when they were strings.
        let msg = |p: &str| parse_path(p).unwrap_err().to_string();
        assert_eq!(
            msg("a.b"),
            r#"invalid path "a.b": expected '[' at character 1"#
        );
        assert_eq!(msg(r#"["a"#), r#"invalid path "[\"a": unterminated key"#);
        assert_eq!(msg(r#"["a""#), r#"invalid path "[\"a\"": expected ']'"#);
        assert_eq!(
            msg("[x]"),
            r#"invalid path "[x]": expected a quoted key or an index at character 2"#
        );
        assert_eq!(msg(""), r#"invalid path "": empty"#);
        let mut m = Map::new();
        assert!(set_path(&mut m, &parse_path(r#"["x"]["y"]"#).unwrap(), Value::Int(1)).unwrap());
        assert!(!set_path(&mut m, &parse_path(r#"["x"]["y"]"#).unwrap(), Value::Int(1)).unwrap());
        assert_eq!(
            lookup(&m, &parse_path(r#"["x"]["y"]"#).unwrap()),
            Some(&Value::Int(1))
        );
        unset_path(&mut m, &parse_path(r#"["x"]["y"]"#).unwrap()).unwrap();
        assert!(unset_path(&mut m, &parse_path(r#"["x"]["y"]"#).unwrap()).is_err());
    }
}
