//! Zone files in octoDNS's YAML format: read with precise diagnostics, and write.
//!
//! Top-level keys are record names relative to the zone (`''` apex, `'*'`
//! wildcard); each holds a record or a list of records of different types:
//!
//! ```yaml
//! '':
//!   - type: A
//!     value: 192.0.2.10
//!   - type: MX
//!     values:
//!       - exchange: mail.example.com.
//!         preference: 10
//! www:
//!   type: CNAME
//!   ttl: 300
//!   value: example.com.
//!   octodns:
//!     cloudflare:
//!       proxied: true
//! ```
//!
//! Extension beyond octoDNS: type `SOA` (fields `mname rname serial refresh retry
//! expire minimum`), used in backups so that a revert restores the zone exactly.

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::model::{Meta, RecordSet, Zone, DEFAULT_TTL};
use crate::name::{parse_owner, Name};
use crate::rdata::{self, RData, RType, Soa, Svcb};
use crate::validate;
use crate::yaml::{self, Node, NodeKind};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

const RECORD_FIELDS: [&str; 5] = ["type", "ttl", "value", "values", "octodns"];

/// Where each record set and value was written, for zone-level diagnostics.
#[derive(Debug, Default)]
pub struct Spans {
    /// Where each (name, type) record set starts.
    pub sets: HashMap<(String, RType), Pos>,
}

/// Reads a zone from octoDNS YAML. `file` is used only in diagnostics.
/// Every problem in the file is reported, not just the first.
pub fn parse_zone_yaml(text: &str, origin: &Name, file: &str) -> Result<Zone, Diagnostics> {
    parse_zone_yaml_with_warnings(text, origin, file).map(|(zone, _)| zone)
}

/// Like [`parse_zone_yaml`], and also returns the warnings: what is valid
/// but probably not meant (a target such as `mail.`). When there are errors,
/// the warnings are listed with them.
pub fn parse_zone_yaml_with_warnings(
    text: &str,
    origin: &Name,
    file: &str,
) -> Result<(Zone, Diagnostics), Diagnostics> {
    let (mut diags, mut warnings) = (Vec::new(), Vec::new());
    let zone = read(text, origin, &mut diags, &mut warnings);
    if diags.is_empty() {
        Ok((zone, Diagnostics::new(file, warnings)))
    } else {
        diags.append(&mut warnings);
        Err(Diagnostics::new(file, diags))
    }
}

fn read(
    text: &str,
    origin: &Name,
    diags: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> Zone {
    let mut zone = Zone::new(origin.clone());
    let root = match yaml::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => return zone,
        Err(d) => {
            diags.push(d);
            return zone;
        }
    };
    if root.is_null() {
        return zone;
    }
    let entries = match root.as_map() {
        Some(Ok(e)) => e,
        Some(Err(d)) => {
            diags.push(d);
            return zone;
        }
        None => {
            diags.push(Diagnostic::new(
                root.pos,
                format!(
                    "a zone file must be a mapping of record names, found {}",
                    root.kind_name()
                ),
            ));
            return zone;
        }
    };
    let mut spans = Spans::default();
    for (key, key_pos, value) in entries {
        let name = match owner(key, origin) {
            Ok(n) => n,
            Err(d) => {
                diags.push(d.at(key_pos));
                continue;
            }
        };
        let records: Vec<&Node> = match &value.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            _ => vec![value],
        };
        for rec in records {
            let Some(set) = read_record(&name, origin, rec, diags, warnings) else {
                continue;
            };
            let k = set.key();
            if let Some(first) = spans.sets.get(&k) {
                diags.push(
                    Diagnostic::new(
                        rec.pos,
                        format!("'{}' has two {} record sets", set.display_name(), set.rtype),
                    )
                    .hint(format!(
                        "merge their values into the one at line {}",
                        first.line
                    )),
                );
                continue;
            }
            spans.sets.insert(k, rec.pos);
            zone.insert(set);
        }
    }
    diags.extend(validate::zone_rules(&zone, &spans));
    zone
}

/// A diagnostic message before it knows its position.
struct Msg(String, Option<String>);

impl Msg {
    fn at(self, pos: Pos) -> Diagnostic {
        let d = Diagnostic::new(pos, self.0);
        match self.1 {
            Some(h) => d.hint(h),
            None => d,
        }
    }
}

fn owner(key: &str, origin: &Name) -> Result<String, Msg> {
    if key.ends_with('.') {
        let hint = match Name::parse_fqdn(key)
            .ok()
            .and_then(|n| n.relative_to(origin))
        {
            Some(rel) if rel.is_empty() => "write '' for the apex".to_string(),
            Some(rel) => format!("record names are relative to the zone: write '{rel}'"),
            None => format!("this zone only holds names under {origin}"),
        };
        return Err(Msg(
            format!("record name '{key}' is outside zone {origin} or not relative"),
            Some(hint),
        ));
    }
    let rel = parse_owner(key).map_err(|e| Msg(e.to_string(), None))?;
    // Short enough alone, the name may still be too long below the origin.
    Name::parse_fqdn(&crate::name::owner_fqdn(&rel, origin))
        .map_err(|e| Msg(e.to_string(), None))?;
    Ok(rel)
}

fn read_record(
    name: &str,
    origin: &Name,
    node: &Node,
    diags: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> Option<RecordSet> {
    let display = if name.is_empty() { "@" } else { name };
    let fields = match node.as_map() {
        Some(Ok(f)) => f,
        Some(Err(d)) => {
            diags.push(d);
            return None;
        }
        None => {
            diags.push(
                Diagnostic::new(
                    node.pos,
                    format!(
                        "record '{display}' must be a mapping with 'type' and 'value', found {}",
                        node.kind_name()
                    ),
                )
                .hint("write e.g. `www: {type: A, value: 192.0.2.1}`"),
            );
            return None;
        }
    };
    let start = diags.len();
    let mut rtype = None;
    let mut ttl = DEFAULT_TTL;
    let mut values_node: Option<(&str, &Node)> = None;
    let mut octodns = BTreeMap::new();
    for (key, kpos, v) in &fields {
        match *key {
            "type" => match v.as_str().map(str::parse::<RType>) {
                Some(Ok(t)) => rtype = Some(t),
                Some(Err(e)) => {
                    let typed = v.as_str().unwrap_or_default().to_ascii_uppercase();
                    let d = Diagnostic::new(v.pos, e);
                    diags.push(match suggest(&typed, &TYPES_BY_USE) {
                        Some(s) => d.hint(format!("did you mean '{s}'?")),
                        None => {
                            d.hint("octoDNS types such as ALIAS or NAPTR are not supported yet")
                        }
                    });
                }
                None => diags.push(Diagnostic::new(
                    v.pos,
                    "'type' must be a record type such as A or MX",
                )),
            },
            "ttl" => match v.as_int() {
                Some(n) if (0..=i64::from(rdata::MAX_TTL)).contains(&n) => ttl = n as u32,
                Some(n) => diags.push(
                    Diagnostic::new(v.pos, format!("TTL {n} is out of range"))
                        .hint(format!("use 0 to {} seconds", rdata::MAX_TTL)),
                ),
                None => diags.push(Diagnostic::new(
                    v.pos,
                    "'ttl' must be a whole number of seconds",
                )),
            },
            "value" | "values" => {
                if let Some((other, _)) = values_node {
                    diags.push(
                        Diagnostic::new(
                            *kpos,
                            format!("record '{display}' has both '{other}' and '{key}'"),
                        )
                        .hint("keep one: 'value' for one value, 'values' for a list"),
                    );
                }
                values_node = Some((key, v));
            }
            "octodns" => match meta(v) {
                Ok(Meta::Map(m)) => octodns = m,
                Ok(_) => diags.push(Diagnostic::new(
                    v.pos,
                    "'octodns' must be a mapping, e.g. {cloudflare: {proxied: true}}",
                )),
                Err(d) => diags.push(d),
            },
            other => {
                let mut d = Diagnostic::new(
                    *kpos,
                    format!("unknown field '{other}' in record '{display}'"),
                );
                d = match suggest(other, &RECORD_FIELDS) {
                    Some(s) => d.hint(format!("did you mean '{s}'?")),
                    None => d.hint(format!("a record has {}", RECORD_FIELDS.join(", "))),
                };
                diags.push(d);
            }
        }
    }
    let Some(rtype) = rtype else {
        if !fields.iter().any(|(k, _, _)| *k == "type") {
            diags.push(
                Diagnostic::new(node.pos, format!("record '{display}' has no 'type'"))
                    .hint("add e.g. `type: A`"),
            );
        }
        return None;
    };
    let Some((_, vnode)) = values_node else {
        diags.push(Diagnostic::new(
            node.pos,
            format!("{rtype} record '{display}' has no 'value' or 'values'"),
        ));
        return None;
    };
    let items: Vec<&Node> = match &vnode.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![vnode],
    };
    if items.is_empty() {
        diags.push(Diagnostic::new(
            vnode.pos,
            format!("{rtype} record '{display}' has an empty list of values"),
        ));
        return None;
    }
    let mut values: Vec<(RData, Pos)> = Vec::new();
    for item in items {
        match value(rtype, item, origin) {
            Ok(v) => {
                warnings.extend(top_level_target(&v, origin, item.pos));
                if let Some((_, first)) = values.iter().find(|(seen, _)| *seen == v) {
                    diags.push(
                        Diagnostic::new(
                            item.pos,
                            format!("duplicate value in {rtype} record '{display}'"),
                        )
                        .hint(format!("the same value is at line {}", first.line)),
                    );
                } else {
                    values.push((v, item.pos));
                }
            }
            Err(d) => diags.push(d),
        }
    }
    if diags.len() > start {
        return None;
    }
    let values = values.into_iter().map(|(v, _)| v).collect();
    match RecordSet::new(name, rtype, ttl, values) {
        Ok(mut set) => {
            set.octodns = octodns;
            Some(set)
        }
        Err(e) => {
            diags.push(Diagnostic::new(
                vnode.pos,
                format!("{e} (record '{display}')"),
            ));
            None
        }
    }
}

/// Record types, most used first: the order [`suggest`] breaks ties in.
const TYPES_BY_USE: [&str; 14] = [
    "A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA", "PTR", "HTTPS", "SVCB", "TLSA", "SSHFP",
    "SOA",
];

/// The option closest to `word`, within two edits; on a tie, the one listed
/// first (callers list the more common options first).
fn suggest<'a>(word: &str, options: &[&'a str]) -> Option<&'a str> {
    options
        .iter()
        .map(|o| (edit_distance(word, o), *o))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn meta(node: &Node) -> Result<Meta, Diagnostic> {
    Ok(match &node.kind {
        NodeKind::Scalar { value, .. } => {
            if node.is_null() {
                Meta::Null
            } else if let Some(b) = node.as_bool() {
                Meta::Bool(b)
            } else if let Some(i) = node.as_int() {
                Meta::Int(i)
            } else {
                Meta::Str(value.clone())
            }
        }
        NodeKind::Seq(items) => Meta::List(items.iter().map(meta).collect::<Result<_, _>>()?),
        NodeKind::Map(_) => {
            let entries = node.as_map().expect("mapping node")?;
            Meta::Map(
                entries
                    .into_iter()
                    .map(|(k, _, v)| Ok((k.to_string(), meta(v)?)))
                    .collect::<Result<_, Diagnostic>>()?,
            )
        }
    })
}

/// The fields of a structured value, checked against the names the type allows.
struct Fields<'a> {
    origin: &'a Name,
    node: &'a Node,
    map: Vec<(&'a str, Pos, &'a Node)>,
    rtype: RType,
}

impl<'a> Fields<'a> {
    fn new(
        origin: &'a Name,
        rtype: RType,
        node: &'a Node,
        allowed: &[&str],
    ) -> Result<Fields<'a>, Diagnostic> {
        let map = match node.as_map() {
            Some(m) => m?,
            None => {
                return Err(Diagnostic::new(
                    node.pos,
                    format!(
                        "a {rtype} value must be a mapping with {}",
                        allowed.join(", ")
                    ),
                ));
            }
        };
        for (k, pos, _) in &map {
            if !allowed.contains(k) {
                let d = Diagnostic::new(*pos, format!("unknown field '{k}' in {rtype} value"));
                return Err(match suggest(k, allowed) {
                    Some(s) => d.hint(format!("did you mean '{s}'?")),
                    None => d.hint(format!("a {rtype} value has {}", allowed.join(", "))),
                });
            }
        }
        Ok(Fields {
            origin,
            node,
            map,
            rtype,
        })
    }

    fn opt(&self, key: &str) -> Option<&'a Node> {
        self.map
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, v)| *v)
    }

    fn get(&self, key: &str) -> Result<&'a Node, Diagnostic> {
        self.opt(key).ok_or_else(|| {
            Diagnostic::new(
                self.node.pos,
                format!("{} value is missing '{key}'", self.rtype),
            )
        })
    }

    fn str(&self, key: &str) -> Result<&'a str, Diagnostic> {
        let n = self.get(key)?;
        n.as_str()
            .ok_or_else(|| Diagnostic::new(n.pos, format!("'{key}' must be a single value")))
    }

    fn num<T: TryFrom<i64>>(&self, key: &str, default: Option<T>) -> Result<T, Diagnostic> {
        let n = match (self.opt(key), default) {
            (None, Some(d)) => return Ok(d),
            (n, _) => n.map_or_else(|| self.get(key), Ok)?,
        };
        n.as_int().and_then(|i| T::try_from(i).ok()).ok_or_else(|| {
            Diagnostic::new(
                n.pos,
                format!(
                    "'{key}' must be a whole number in range, found '{}'",
                    n.as_str().unwrap_or("?")
                ),
            )
        })
    }

    fn fqdn(&self, key: &str) -> Result<Name, Diagnostic> {
        let s = self.str(key)?;
        let pos = self.get(key).map_or(self.node.pos, |n| n.pos);
        target(s, self.origin).map_err(|m| m.at(pos))
    }
}

fn scalar_value(rtype: RType, node: &Node) -> Result<&str, Diagnostic> {
    match &node.kind {
        NodeKind::Scalar { value, .. } if !node.is_null() => Ok(value),
        _ => Err(Diagnostic::new(
            node.pos,
            format!(
                "a {rtype} value must be a single string, found {}",
                node.kind_name()
            ),
        )),
    }
}

/// A name a value points at. Values are absolute; for one written relative,
/// the hint spells out the name in this zone rather than only adding a dot,
/// which would make `mail` the top-level name `mail.`.
fn target(s: &str, origin: &Name) -> Result<Name, Msg> {
    Name::parse_fqdn(s).map_err(|e| {
        let in_zone = crate::name::owner_fqdn(s, origin);
        if s.ends_with('.') || Name::parse_fqdn(&in_zone).is_err() {
            return Msg(e.to_string(), None);
        }
        let msg = format!("'{s}' is not fully qualified (names in values end with a dot)");
        let hint = if s.contains('.') {
            format!(
                "write '{in_zone}' for a name in this zone, or '{s}.' if '{s}' is the whole name"
            )
        } else {
            format!("write '{in_zone}' for the name in this zone")
        };
        Msg(msg, Some(hint))
    })
}

/// A target that is a single label, like `mail.`: valid, but almost always
/// a relative name given a dot instead of the zone's name.
fn top_level_target(v: &RData, origin: &Name, pos: Pos) -> Option<Diagnostic> {
    let t = v.target()?;
    let label = t.as_str().strip_suffix('.')?;
    if label.is_empty() || label.contains('.') {
        return None;
    }
    Some(
        Diagnostic::new(
            pos,
            format!("{} target '{t}' is a top-level name", v.rtype()),
        )
        .hint(format!("did you mean '{label}.{origin}'?"))
        .warning(),
    )
}

fn value(rtype: RType, node: &Node, origin: &Name) -> Result<RData, Diagnostic> {
    let at = |e: rdata::RDataError| Diagnostic::new(node.pos, e);
    Ok(match rtype {
        RType::A => RData::A(rdata::parse_ipv4(scalar_value(rtype, node)?).map_err(at)?),
        RType::Aaaa => RData::Aaaa(rdata::parse_ipv6(scalar_value(rtype, node)?).map_err(at)?),
        RType::Cname | RType::Ns | RType::Ptr => {
            let s = scalar_value(rtype, node)?;
            let n = target(s, origin).map_err(|mut m| {
                m.0 = format!("{rtype} target {}", m.0);
                m.at(node.pos)
            })?;
            match rtype {
                RType::Cname => RData::Cname(n),
                RType::Ns => RData::Ns(n),
                _ => RData::Ptr(n),
            }
        }
        RType::Txt => RData::Txt(
            unescape_txt(scalar_value(rtype, node)?)
                .map_err(|(e, h)| Diagnostic::new(node.pos, e).hint(h))?,
        ),
        RType::Mx => {
            let f = Fields::new(
                origin,
                rtype,
                node,
                &["preference", "exchange", "priority", "value"],
            )?;
            let preference = if f.opt("priority").is_some() {
                f.num("priority", None)?
            } else {
                f.num("preference", None)?
            };
            let exchange = if f.opt("value").is_some() {
                f.fqdn("value")?
            } else {
                f.fqdn("exchange")?
            };
            RData::Mx {
                preference,
                exchange,
            }
        }
        RType::Srv => {
            let f = Fields::new(
                origin,
                rtype,
                node,
                &["priority", "weight", "port", "target"],
            )?;
            RData::Srv {
                priority: f.num("priority", None)?,
                weight: f.num("weight", None)?,
                port: f.num("port", None)?,
                target: f.fqdn("target")?,
            }
        }
        RType::Caa => {
            let f = Fields::new(origin, rtype, node, &["flags", "tag", "value"])?;
            let tag = f.str("tag")?;
            rdata::check_caa_tag(tag).map_err(|e| {
                let d = Diagnostic::new(f.get("tag").map_or(node.pos, |n| n.pos), e);
                match suggest(tag, &rdata::CAA_TAGS) {
                    Some(s) => d.hint(format!("did you mean '{s}'?")),
                    None => d.hint("RFC 8659 tags: issue, issuewild, iodef"),
                }
            })?;
            RData::Caa {
                flags: f.num("flags", Some(0))?,
                tag: tag.to_string(),
                value: f.str("value")?.to_string(),
            }
        }
        RType::Sshfp => {
            let f = Fields::new(
                origin,
                rtype,
                node,
                &["algorithm", "fingerprint_type", "fingerprint"],
            )?;
            let fingerprint_type = f.num("fingerprint_type", None)?;
            let fp = rdata::parse_hex(
                "SSHFP fingerprint",
                f.str("fingerprint")?,
                rdata::sshfp_len(fingerprint_type),
            )
            .map_err(at)?;
            RData::Sshfp {
                algorithm: f.num("algorithm", None)?,
                fingerprint_type,
                fingerprint: fp,
            }
        }
        RType::Tlsa => {
            let f = Fields::new(
                origin,
                rtype,
                node,
                &[
                    "certificate_usage",
                    "selector",
                    "matching_type",
                    "certificate_association_data",
                ],
            )?;
            let matching_type = f.num("matching_type", None)?;
            let data = rdata::parse_hex(
                "TLSA data",
                f.str("certificate_association_data")?,
                rdata::tlsa_len(matching_type),
            )
            .map_err(at)?;
            RData::Tlsa {
                usage: f.num("certificate_usage", None)?,
                selector: f.num("selector", None)?,
                matching_type,
                data,
            }
        }
        RType::Svcb | RType::Https => {
            let f = Fields::new(
                origin,
                rtype,
                node,
                &["svcpriority", "targetname", "svcparams"],
            )?;
            let mut params = Vec::new();
            if let Some(p) = f.opt("svcparams") {
                let entries = match p.as_map() {
                    Some(m) => m?,
                    None if p.is_null() => Vec::new(),
                    None => {
                        return Err(Diagnostic::new(
                            p.pos,
                            "'svcparams' must be a mapping such as {alpn: [h2, h3], port: 443}",
                        ))
                    }
                };
                for (k, _, v) in entries {
                    let value = match &v.kind {
                        _ if v.is_null() => None,
                        NodeKind::Scalar { value, .. } => Some(value.clone()),
                        NodeKind::Seq(items) => Some(
                            items
                                .iter()
                                .map(|i| i.as_str().unwrap_or_default())
                                .collect::<Vec<_>>()
                                .join(","),
                        ),
                        NodeKind::Map(_) => {
                            return Err(Diagnostic::new(
                                v.pos,
                                format!("svcparam '{k}' must be a value or a list"),
                            ))
                        }
                    };
                    params.push((k.to_string(), value));
                }
            }
            let svcb = Svcb::parse(f.num("svcpriority", None)?, f.fqdn("targetname")?, &params)
                .map_err(|e| at(e.into()))?;
            if rtype == RType::Https {
                RData::Https(svcb)
            } else {
                RData::Svcb(svcb)
            }
        }
        RType::Soa => {
            let f = Fields::new(
                origin,
                rtype,
                node,
                &[
                    "mname", "rname", "serial", "refresh", "retry", "expire", "minimum",
                ],
            )?;
            RData::Soa(Soa {
                mname: f.fqdn("mname")?,
                rname: f.fqdn("rname")?,
                serial: f.num("serial", None)?,
                refresh: f.num("refresh", None)?,
                retry: f.num("retry", None)?,
                expire: f.num("expire", None)?,
                minimum: f.num("minimum", None)?,
            })
        }
    })
}

/// octoDNS writes TXT values with zone-file escapes: `\;` for a semicolon
/// (required), `\\` for a backslash, `\DDD` for an octet.
fn unescape_txt(s: &str) -> Result<String, (String, String)> {
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let digits = bytes
                    .get(i + 1..i + 4)
                    .filter(|d| d.iter().all(u8::is_ascii_digit));
                if let Some(d) = digits {
                    let n: u32 = std::str::from_utf8(d)
                        .unwrap_or("999")
                        .parse()
                        .unwrap_or(999);
                    let b = u8::try_from(n).map_err(|_| {
                        (
                            format!("escape \\{n} in TXT value is not an octet"),
                            "use \\000 to \\255".to_string(),
                        )
                    })?;
                    out.push(b);
                    i += 4;
                } else if let Some(&c) = bytes.get(i + 1) {
                    out.push(c);
                    i += 2;
                } else {
                    return Err((
                        "TXT value ends with a lone backslash".into(),
                        "write \\\\ for a backslash".into(),
                    ));
                }
            }
            b';' => {
                return Err((
                    "unescaped ';' in TXT value".into(),
                    "octoDNS requires semicolons to be escaped: write '\\;'".into(),
                ));
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| {
        (
            "TXT value escapes do not form UTF-8 text".into(),
            "escape whole UTF-8 sequences".into(),
        )
    })
}

fn escape_txt(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            ';' => out.push_str("\\;"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\{b:03}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Writes a zone as octoDNS YAML: names sorted (apex first), keys sorted, one
/// record as a mapping and several types at a name as a list.
pub fn write_zone_yaml(zone: &Zone) -> String {
    let mut out = String::from("---\n");
    let sets: Vec<&RecordSet> = zone.iter().collect();
    for group in sets.chunk_by(|a, b| a.name == b.name) {
        let _ = writeln!(out, "{}:", yaml::scalar(&group[0].name));
        let (first, rest) = if group.len() == 1 {
            ("  ", "  ")
        } else {
            ("  - ", "    ")
        };
        for set in group {
            for (i, line) in record_lines(set).iter().enumerate() {
                let _ = writeln!(out, "{}{line}", if i == 0 { first } else { rest });
            }
        }
    }
    out
}

/// A value as YAML: a scalar, or a mapping of fields in sorted order.
enum ValueRepr {
    Scalar(String),
    Fields(Vec<(&'static str, String)>),
}

fn record_lines(set: &RecordSet) -> Vec<String> {
    let mut lines = Vec::new();
    if !set.octodns.is_empty() {
        lines.push("octodns:".to_string());
        meta_lines(&set.octodns, "  ", &mut lines);
    }
    lines.push(format!("ttl: {}", set.ttl));
    lines.push(format!("type: {}", set.rtype));
    match set.values() {
        [one] => match value_repr(one) {
            ValueRepr::Scalar(s) => lines.push(format!("value: {s}")),
            ValueRepr::Fields(fields) => {
                lines.push("value:".to_string());
                lines.extend(fields.iter().map(|(k, v)| format!("  {k}: {v}")));
            }
        },
        values => {
            lines.push("values:".to_string());
            for v in values {
                match value_repr(v) {
                    ValueRepr::Scalar(s) => lines.push(format!("- {s}")),
                    ValueRepr::Fields(fields) => {
                        for (i, (k, v)) in fields.iter().enumerate() {
                            lines.push(format!("{}{k}: {v}", if i == 0 { "- " } else { "  " }));
                        }
                    }
                }
            }
        }
    }
    lines
}

fn value_repr(v: &RData) -> ValueRepr {
    use ValueRepr::{Fields, Scalar};
    let s = |x: &dyn std::fmt::Display| yaml::scalar(&x.to_string());
    match v {
        RData::A(ip) => Scalar(s(ip)),
        RData::Aaaa(ip) => Scalar(s(ip)),
        RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => Scalar(s(n)),
        RData::Txt(t) => Scalar(yaml::scalar(&escape_txt(t))),
        RData::Mx {
            preference,
            exchange,
        } => Fields(vec![
            ("exchange", s(exchange)),
            ("preference", preference.to_string()),
        ]),
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => Fields(vec![
            ("port", port.to_string()),
            ("priority", priority.to_string()),
            ("target", s(target)),
            ("weight", weight.to_string()),
        ]),
        RData::Caa { flags, tag, value } => Fields(vec![
            ("flags", flags.to_string()),
            ("tag", s(tag)),
            ("value", s(value)),
        ]),
        RData::Sshfp {
            algorithm,
            fingerprint_type,
            fingerprint,
        } => Fields(vec![
            ("algorithm", algorithm.to_string()),
            ("fingerprint", s(&rdata::to_hex(fingerprint))),
            ("fingerprint_type", fingerprint_type.to_string()),
        ]),
        RData::Tlsa {
            usage,
            selector,
            matching_type,
            data,
        } => Fields(vec![
            ("certificate_association_data", s(&rdata::to_hex(data))),
            ("certificate_usage", usage.to_string()),
            ("matching_type", matching_type.to_string()),
            ("selector", selector.to_string()),
        ]),
        RData::Svcb(svcb) | RData::Https(svcb) => {
            let params: Vec<String> = svcb
                .params
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        yaml::flow_scalar(&p.key_name()),
                        p.value_text()
                            .as_deref()
                            .map_or("null".to_string(), yaml::flow_scalar)
                    )
                })
                .collect();
            Fields(vec![
                ("svcparams", format!("{{{}}}", params.join(", "))),
                ("svcpriority", svcb.priority.to_string()),
                ("targetname", s(&svcb.target)),
            ])
        }
        RData::Soa(soa) => Fields(vec![
            ("expire", soa.expire.to_string()),
            ("minimum", soa.minimum.to_string()),
            ("mname", s(&soa.mname)),
            ("refresh", soa.refresh.to_string()),
            ("retry", soa.retry.to_string()),
            ("rname", s(&soa.rname)),
            ("serial", soa.serial.to_string()),
        ]),
    }
}

fn meta_lines(map: &BTreeMap<String, Meta>, indent: &str, lines: &mut Vec<String>) {
    for (k, v) in map {
        match v {
            Meta::Map(m) if !m.is_empty() => {
                lines.push(format!("{indent}{}:", yaml::scalar(k)));
                meta_lines(m, &format!("{indent}  "), lines);
            }
            _ => lines.push(format!("{indent}{}: {v}", yaml::scalar(k))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_the_closest_then_the_most_used() {
        // Every type is listed exactly once.
        let mut sorted = TYPES_BY_USE;
        sorted.sort_unstable();
        let mut all: Vec<&str> = RType::ALL.iter().map(|t| t.as_str()).collect();
        all.sort_unstable();
        assert_eq!(sorted.to_vec(), all);
        for (typed, want) in [
            ("AAA", "AAAA"),
            ("CNAM", "CNAME"),
            ("TXXT", "TXT"),
            ("MXX", "MX"),
            ("HTTP", "HTTPS"),
            ("SSHF", "SSHFP"),
            ("SVC", "SVCB"),
        ] {
            assert_eq!(suggest(typed, &TYPES_BY_USE), Some(want), "{typed}");
        }
        assert_eq!(suggest("ALIAS", &TYPES_BY_USE), None);
        assert_eq!(suggest("vales", &RECORD_FIELDS), Some("values"));
        assert_eq!(suggest("tll", &RECORD_FIELDS), Some("ttl"));
    }
}
