//! Record sets and zones.

use crate::error::RecordSetError;
use crate::name::Name;
use crate::rdata::{RData, RType};
use std::collections::BTreeMap;

/// The TTL a record set gets when its file gives none (octoDNS's default).
pub const DEFAULT_TTL: u32 = 3600;

/// A free-form value in a record set's `octodns:` block (provider-specific fields
/// such as `octodns.cloudflare.proxied`), kept so it round-trips unchanged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Meta {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Any other scalar.
    Str(String),
    /// A sequence.
    List(Vec<Meta>),
    /// A mapping, sorted by key.
    Map(BTreeMap<String, Meta>),
}

/// YAML flow form, e.g. `{proxied: true, tags: [web]}`: how zone files and
/// previews show it.
impl std::fmt::Display for Meta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |items: Vec<String>| items.join(", ");
        match self {
            Meta::Null => f.write_str("null"),
            Meta::Bool(b) => write!(f, "{b}"),
            Meta::Int(i) => write!(f, "{i}"),
            Meta::Str(s) => f.write_str(&crate::yaml::flow_scalar(s)),
            Meta::List(items) => write!(
                f,
                "[{}]",
                join(items.iter().map(ToString::to_string).collect())
            ),
            Meta::Map(m) => write!(
                f,
                "{{{}}}",
                join(
                    m.iter()
                        .map(|(k, v)| format!("{}: {v}", crate::yaml::flow_scalar(k)))
                        .collect()
                )
            ),
        }
    }
}

/// All values of one type at one name, with one TTL (the octoDNS record).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordSet {
    /// Owner name relative to the zone, lower-case; `""` is the apex.
    pub name: String,
    /// The type of every value.
    pub rtype: RType,
    /// Time to live, in seconds.
    pub ttl: u32,
    values: Vec<RData>,
    /// The `octodns:` block: provider-specific fields under the provider's key.
    pub octodns: BTreeMap<String, Meta>,
}

impl RecordSet {
    /// Builds a record set; values are sorted and duplicates dropped so that two
    /// sets with the same values in another order compare equal.
    ///
    /// # Panics
    /// Never for callers that pass values of `rtype`; a mismatch is a programming error
    /// and is reported as `Err`.
    pub fn new(
        name: impl Into<String>,
        rtype: RType,
        ttl: u32,
        mut values: Vec<RData>,
    ) -> Result<RecordSet, RecordSetError> {
        if values.is_empty() {
            return Err(RecordSetError::Empty { rtype });
        }
        if let Some(v) = values.iter().find(|v| v.rtype() != rtype) {
            return Err(RecordSetError::WrongType {
                rtype,
                value: v.rtype(),
            });
        }
        values.sort();
        values.dedup();
        if rtype.is_singleton() && values.len() > 1 {
            return Err(RecordSetError::NotSingle {
                rtype,
                found: values.len(),
            });
        }
        Ok(RecordSet {
            name: name.into(),
            rtype,
            ttl,
            values,
            octodns: BTreeMap::new(),
        })
    }

    /// The values, sorted and without duplicates.
    pub fn values(&self) -> &[RData] {
        &self.values
    }

    /// The fields under `octodns.<provider>`, if any.
    pub fn provider_meta(&self, provider: &str) -> Option<&BTreeMap<String, Meta>> {
        match self.octodns.get(provider) {
            Some(Meta::Map(m)) => Some(m),
            _ => None,
        }
    }

    /// `octodns.ignored: true` marks a record the tool must leave alone.
    pub fn is_ignored(&self) -> bool {
        matches!(self.octodns.get("ignored"), Some(Meta::Bool(true)))
    }

    /// The key that identifies this set within a zone.
    pub fn key(&self) -> (String, RType) {
        (self.name.clone(), self.rtype)
    }

    /// The owner name for display: `@` for the apex.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            "@"
        } else {
            &self.name
        }
    }
}

/// A zone: its origin and its record sets, one per (name, type), kept sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// The zone's name.
    pub origin: Name,
    sets: BTreeMap<(String, RType), RecordSet>,
}

impl Zone {
    /// An empty zone.
    pub fn new(origin: Name) -> Zone {
        Zone {
            origin,
            sets: BTreeMap::new(),
        }
    }

    /// Adds or replaces the set with the same name and type, returning the old one.
    pub fn insert(&mut self, set: RecordSet) -> Option<RecordSet> {
        self.sets.insert(set.key(), set)
    }

    /// Removes and returns the set at relative `name` of type `rtype`.
    pub fn remove(&mut self, name: &str, rtype: RType) -> Option<RecordSet> {
        self.sets.remove(&(name.to_string(), rtype))
    }

    /// The set at relative `name` of type `rtype`.
    pub fn get(&self, name: &str, rtype: RType) -> Option<&RecordSet> {
        self.sets.get(&(name.to_string(), rtype))
    }

    /// Record sets in (name, type) order.
    pub fn iter(&self) -> impl Iterator<Item = &RecordSet> {
        self.sets.values()
    }

    /// The number of record sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// True when the zone holds no record set.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The zone's name without the trailing dot, as used in file names.
    pub fn file_stem(&self) -> String {
        self.origin.as_str().trim_end_matches('.').to_string()
    }
}
