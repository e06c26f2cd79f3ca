//! DNS records as Cloudflare stores and validates them.

use crate::{State, ZoneState};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{Ipv4Addr, Ipv6Addr};

/// An API error: the HTTP status and one `{code, message}` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Cloudflare's error code.
    pub code: u32,
    /// The message.
    pub message: String,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (code {}, HTTP {})",
            self.message, self.code, self.status
        )
    }
}

impl std::error::Error for ApiError {}

const TYPES: [&str; 21] = [
    "A",
    "AAAA",
    "CAA",
    "CERT",
    "CNAME",
    "DNSKEY",
    "DS",
    "HTTPS",
    "LOC",
    "MX",
    "NAPTR",
    "NS",
    "OPENPGPKEY",
    "PTR",
    "SMIMEA",
    "SRV",
    "SSHFP",
    "SVCB",
    "TLSA",
    "TXT",
    "URI",
];
const PROXIABLE: [&str; 3] = ["A", "AAAA", "CNAME"];
const MAX_TXT: usize = 2048;
const MAX_COMMENT: usize = 100;

fn invalid(code: u32, msg: impl Into<String>) -> ApiError {
    ApiError::new(400, code, msg)
}

pub(crate) fn not_found() -> ApiError {
    ApiError::new(404, 81044, "Record does not exist.")
}

/// The absolute name (without trailing dot) of `name` in zone `zone`: `@` is the
/// apex, and a name not ending in the zone is taken as relative to it.
pub(crate) fn fqdn(name: &str, zone: &str) -> String {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    if n == "@" || n.is_empty() || n == zone {
        zone.to_string()
    } else if n.ends_with(&format!(".{zone}")) {
        n
    } else {
        format!("{n}.{zone}")
    }
}

fn hostname(s: &str) -> bool {
    let s = s.trim_end_matches('.');
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '*')
        })
}

fn uint(v: &Value, field: &str, max: u64, rtype: &str) -> Result<u64, ApiError> {
    match v.get(field) {
        Some(Value::Number(n)) => n.as_u64().filter(|n| *n <= max).ok_or_else(|| {
            invalid(
                9101,
                format!("{rtype} data.{field} must be an integer between 0 and {max}"),
            )
        }),
        _ => Err(invalid(
            9101,
            format!("{rtype} record is missing data.{field}"),
        )),
    }
}

fn string<'a>(v: &'a Value, field: &str, rtype: &str) -> Result<&'a str, ApiError> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(9101, format!("{rtype} record is missing data.{field}")))
}

fn hex(s: &str, what: &str) -> Result<String, ApiError> {
    if s.is_empty() || s.len() % 2 != 0 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid(
            9101,
            format!("{what} must be a hexadecimal string"),
        ));
    }
    Ok(s.to_ascii_lowercase())
}

/// Parses presentation-form `content` into `data`, for clients that send content only.
fn data_from_content(
    rtype: &str,
    content: &str,
    priority: Option<&Value>,
) -> Result<Value, ApiError> {
    let f: Vec<&str> = content.split_whitespace().collect();
    let n = |i: usize| -> Result<u64, ApiError> {
        f.get(i)
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| invalid(9101, format!("content for {rtype} record is invalid")))
    };
    let s = |i: usize| -> Result<String, ApiError> {
        f.get(i)
            .map(|s| s.to_string())
            .ok_or_else(|| invalid(9101, format!("content for {rtype} record is invalid")))
    };
    Ok(match rtype {
        "CAA" => {
            json!({"flags": n(0)?, "tag": s(1)?, "value": f.get(2..).map(|r| r.join(" ")).unwrap_or_default().trim_matches('"')})
        }
        "SRV" => {
            // `weight port target` with the priority given separately, or all four fields.
            if f.len() == 4 {
                json!({"priority": n(0)?, "weight": n(1)?, "port": n(2)?, "target": s(3)?})
            } else {
                json!({"priority": priority.cloned().unwrap_or(json!(0)), "weight": n(0)?, "port": n(1)?, "target": s(2)?})
            }
        }
        "HTTPS" | "SVCB" => {
            json!({"priority": n(0)?, "target": s(1)?, "value": f.get(2..).map(|r| r.join(" ")).unwrap_or_default()})
        }
        "TLSA" => {
            json!({"usage": n(0)?, "selector": n(1)?, "matching_type": n(2)?, "certificate": f.get(3..).map(|r| r.concat()).unwrap_or_default()})
        }
        "SSHFP" => {
            json!({"algorithm": n(0)?, "type": n(1)?, "fingerprint": f.get(2..).map(|r| r.concat()).unwrap_or_default()})
        }
        _ => Value::Null,
    })
}

/// Validates `input` (merged over `base` for PATCH) and returns the record as
/// stored, without id and timestamps.
fn build(zone: &str, input: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let rtype = match input.get("type") {
        Some(Value::String(t)) => t.to_ascii_uppercase(),
        Some(_) => return Err(invalid(9004, "DNS record type is invalid")),
        None => return Err(invalid(9004, "DNS record type is required")),
    };
    if !TYPES.contains(&rtype.as_str()) {
        return Err(invalid(
            9004,
            format!("DNS record type '{rtype}' is invalid"),
        ));
    }
    let name = match input.get("name") {
        Some(Value::String(n)) => fqdn(n, zone),
        _ => return Err(invalid(9000, "DNS name is invalid: a name is required")),
    };
    if !(name == zone || name.ends_with(&format!(".{zone}"))) || !hostname(&name) {
        return Err(invalid(9000, format!("DNS name '{name}' is invalid")));
    }
    let mut ttl = match input.get("ttl") {
        None | Some(Value::Null) => 1,
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
            invalid(
                9021,
                "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.",
            )
        })?,
        Some(_) => {
            return Err(invalid(
                9021,
                "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.",
            ))
        }
    };
    if ttl != 1 && !(60..=86400).contains(&ttl) {
        return Err(invalid(
            9021,
            "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.",
        ));
    }
    let proxied = match input.get("proxied") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid(9003, "proxied must be a boolean")),
    };
    let proxiable = PROXIABLE.contains(&rtype.as_str());
    if proxied && !proxiable {
        return Err(invalid(
            9004,
            format!("This {rtype} record cannot be proxied."),
        ));
    }
    if proxied {
        ttl = 1;
    }
    let content_in = input.get("content").and_then(Value::as_str);
    let mut out = Map::new();
    let mut priority = None;
    let content = match rtype.as_str() {
        "A" => content_in
            .and_then(|c| c.parse::<Ipv4Addr>().ok())
            .map(|ip| ip.to_string())
            .ok_or_else(|| invalid(9005, "Content for A record must be a valid IPv4 address."))?,
        "AAAA" => content_in
            .and_then(|c| c.parse::<Ipv6Addr>().ok())
            .map(|ip| ip.to_string())
            .ok_or_else(|| {
                invalid(
                    9006,
                    "Content for AAAA record must be a valid IPv6 address.",
                )
            })?,
        "CNAME" | "NS" | "PTR" | "MX" => {
            let c = content_in
                .filter(|c| hostname(c))
                .ok_or_else(|| invalid(9007, format!("Content for {rtype} record is invalid.")))?;
            if rtype == "MX" {
                let p = input
                    .get("priority")
                    .and_then(Value::as_u64)
                    .filter(|p| *p <= 65535);
                priority = Some(p.ok_or_else(|| {
                    invalid(9100, "MX records need a priority between 0 and 65535")
                })?);
            }
            c.trim_end_matches('.').to_ascii_lowercase()
        }
        "TXT" => {
            let c =
                content_in.ok_or_else(|| invalid(9009, "Content for TXT record is invalid."))?;
            if c.is_empty() || c.len() > MAX_TXT {
                return Err(invalid(
                    9009,
                    format!("Content for TXT record must be 1 to {MAX_TXT} characters."),
                ));
            }
            c.to_string()
        }
        "CAA" | "SRV" | "HTTPS" | "SVCB" | "TLSA" | "SSHFP" => {
            let data = match input.get("data") {
                Some(d @ Value::Object(_)) => d.clone(),
                Some(_) => return Err(invalid(9101, format!("{rtype} data must be an object"))),
                None => match content_in {
                    Some(c) => data_from_content(&rtype, c, input.get("priority"))?,
                    None => {
                        return Err(invalid(
                            9101,
                            format!("{rtype} records need data or content"),
                        ))
                    }
                },
            };
            let (content, data) = structured(&rtype, &data)?;
            if rtype == "SRV" {
                priority = data.get("priority").and_then(Value::as_u64);
            }
            out.insert("data".into(), data);
            content
        }
        other => content_in
            .map(str::to_string)
            .ok_or_else(|| invalid(9101, format!("Content for {other} record is required.")))?,
    };
    out.insert("name".into(), json!(name));
    out.insert("type".into(), json!(rtype));
    out.insert("content".into(), json!(content));
    if let Some(p) = priority {
        out.insert("priority".into(), json!(p));
    }
    out.insert("proxiable".into(), json!(proxiable));
    out.insert("proxied".into(), json!(proxied));
    out.insert("ttl".into(), json!(ttl));
    let comment = match input.get("comment") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(c)) if c.chars().count() > MAX_COMMENT => {
            return Err(invalid(
                9100,
                format!("DNS record comment is longer than {MAX_COMMENT} characters"),
            ))
        }
        Some(Value::String(c)) if c.is_empty() => Value::Null,
        Some(Value::String(c)) => json!(c),
        Some(_) => return Err(invalid(9100, "comment must be a string")),
    };
    out.insert("comment".into(), comment);
    let tags = match input.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut tags = Vec::new();
            for t in items {
                match t.as_str() {
                    Some(s) if !s.is_empty() && s.len() <= 100 => tags.push(s.to_string()),
                    _ => {
                        return Err(invalid(
                            9100,
                            "tags must be non-empty strings of the form name:value",
                        ))
                    }
                }
            }
            tags.sort();
            tags.dedup();
            tags
        }
        Some(_) => return Err(invalid(9100, "tags must be a list of strings")),
    };
    out.insert("tags".into(), json!(tags));
    out.insert("settings".into(), json!({}));
    out.insert("meta".into(), json!({}));
    Ok(out)
}

/// Validates structured data and returns (content, normalised data).
fn structured(rtype: &str, d: &Value) -> Result<(String, Value), ApiError> {
    Ok(match rtype {
        "CAA" => {
            let (flags, tag, value) = (
                uint(d, "flags", 255, rtype)?,
                string(d, "tag", rtype)?,
                string(d, "value", rtype)?,
            );
            if !matches!(
                tag,
                "issue" | "issuewild" | "iodef" | "issuemail" | "issuevmc"
            ) {
                return Err(invalid(9101, format!("CAA tag '{tag}' is invalid")));
            }
            (
                format!("{flags} {tag} \"{value}\""),
                json!({"flags": flags, "tag": tag, "value": value}),
            )
        }
        "SRV" => {
            let (p, w, port, target) = (
                uint(d, "priority", 65535, rtype)?,
                uint(d, "weight", 65535, rtype)?,
                uint(d, "port", 65535, rtype)?,
                string(d, "target", rtype)?,
            );
            if !(target == "." || hostname(target)) {
                return Err(invalid(9101, format!("SRV target '{target}' is invalid")));
            }
            let target = if target == "." {
                ".".to_string()
            } else {
                target.trim_end_matches('.').to_ascii_lowercase()
            };
            (
                format!("{w} {port} {target}"),
                json!({"priority": p, "weight": w, "port": port, "target": target}),
            )
        }
        "HTTPS" | "SVCB" => {
            let (p, target, value) = (
                uint(d, "priority", 65535, rtype)?,
                string(d, "target", rtype)?,
                d.get("value").and_then(Value::as_str).unwrap_or(""),
            );
            if !(target == "." || hostname(target)) {
                return Err(invalid(
                    9101,
                    format!("{rtype} target '{target}' is invalid"),
                ));
            }
            if p == 0 && !value.trim().is_empty() {
                return Err(invalid(
                    9101,
                    format!("{rtype} records in alias mode (priority 0) take no parameters"),
                ));
            }
            let content = if value.is_empty() {
                format!("{p} {target}")
            } else {
                format!("{p} {target} {value}")
            };
            (
                content,
                json!({"priority": p, "target": target, "value": value}),
            )
        }
        "TLSA" => {
            let (u, s, m) = (
                uint(d, "usage", 255, rtype)?,
                uint(d, "selector", 255, rtype)?,
                uint(d, "matching_type", 255, rtype)?,
            );
            let cert = hex(string(d, "certificate", rtype)?, "TLSA certificate")?;
            (
                format!("{u} {s} {m} {cert}"),
                json!({"usage": u, "selector": s, "matching_type": m, "certificate": cert}),
            )
        }
        "SSHFP" => {
            let (a, t) = (
                uint(d, "algorithm", 255, rtype)?,
                uint(d, "type", 255, rtype)?,
            );
            let fp = hex(string(d, "fingerprint", rtype)?, "SSHFP fingerprint")?;
            (
                format!("{a} {t} {fp}"),
                json!({"algorithm": a, "type": t, "fingerprint": fp}),
            )
        }
        _ => return Err(invalid(9101, format!("{rtype} has no structured data"))),
    })
}

/// The identity Cloudflare uses for "identical record": name, type, content, priority.
fn same_value(a: &Value, b: &Map<String, Value>) -> bool {
    a["name"] == b["name"]
        && a["type"] == b["type"]
        && a["content"] == b["content"]
        && a.get("priority") == b.get("priority")
}

fn check_conflicts(
    zone: &ZoneState,
    rec: &Map<String, Value>,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let name = rec["name"].as_str().unwrap_or_default();
    let Some(ids) = zone.by_name.get(name) else {
        return Ok(());
    };
    let is_cname = rec["type"] == "CNAME";
    let others: Vec<&Value> = ids
        .iter()
        .filter(|id| Some(id.as_str()) != except)
        .filter_map(|id| zone.records.get(id))
        .collect();
    if others.iter().any(|o| same_value(o, rec)) {
        return Err(invalid(81058, "An identical record already exists."));
    }
    if is_cname && !others.is_empty() {
        return Err(invalid(
            81053,
            "An A, AAAA, or CNAME record with that host already exists.",
        ));
    }
    if !is_cname && others.iter().any(|o| o["type"] == "CNAME") {
        return Err(invalid(
            81054,
            "A CNAME record with that host already exists.",
        ));
    }
    Ok(())
}

const STAMP: &str = "2026-01-01T00:00:00.000000Z";

impl ZoneState {
    pub(crate) fn put_record(&mut self, rec: Value) {
        let id = rec["id"].as_str().unwrap_or_default().to_string();
        let name = rec["name"].as_str().unwrap_or_default().to_string();
        if let Some(old) = self.records.insert(id.clone(), rec) {
            let old_name = old["name"].as_str().unwrap_or_default().to_string();
            if let Some(s) = self.by_name.get_mut(&old_name) {
                s.remove(&id);
            }
        }
        self.by_name.entry(name).or_default().insert(id);
    }

    pub(crate) fn take_record(&mut self, id: &str) -> Option<Value> {
        let old = self.records.remove(id)?;
        if let Some(s) = self
            .by_name
            .get_mut(old["name"].as_str().unwrap_or_default())
        {
            s.remove(id);
        }
        Some(old)
    }
}

pub(crate) type NameIndex = HashMap<String, BTreeSet<String>>;

fn do_create(
    next_id: &mut impl FnMut() -> String,
    zone: &mut ZoneState,
    input: &Value,
) -> Result<Value, ApiError> {
    let obj = input
        .as_object()
        .ok_or_else(|| invalid(9207, "each record must be a JSON object"))?;
    let mut rec = build(&zone.name, obj)?;
    check_conflicts(zone, &rec, None)?;
    rec.insert("id".into(), json!(next_id()));
    rec.insert("zone_id".into(), json!(zone.id));
    rec.insert("zone_name".into(), json!(zone.name));
    rec.insert("created_on".into(), json!(STAMP));
    rec.insert("modified_on".into(), json!(STAMP));
    let rec = Value::Object(rec);
    zone.put_record(rec.clone());
    Ok(rec)
}

fn do_update(
    zone: &mut ZoneState,
    id: &str,
    input: &Value,
    patch: bool,
) -> Result<Value, ApiError> {
    let obj = input
        .as_object()
        .ok_or_else(|| invalid(9207, "each record must be a JSON object"))?;
    let old = zone.records.get(id).cloned().ok_or_else(not_found)?;
    let merged = if patch {
        let mut m = old.as_object().cloned().unwrap_or_default();
        if obj.contains_key("content") && !obj.contains_key("data") {
            m.remove("data");
        }
        if obj.contains_key("type") && obj.get("type") != m.get("type") {
            m.remove("data");
            m.remove("priority");
        }
        for (k, v) in obj {
            if k != "id" {
                m.insert(k.clone(), v.clone());
            }
        }
        m
    } else {
        obj.clone()
    };
    let mut rec = build(&zone.name, &merged)?;
    check_conflicts(zone, &rec, Some(id))?;
    for k in ["id", "zone_id", "zone_name", "created_on"] {
        rec.insert(k.into(), old[k].clone());
    }
    rec.insert("modified_on".into(), json!(STAMP));
    let rec = Value::Object(rec);
    zone.put_record(rec.clone());
    Ok(rec)
}

pub(crate) fn create(st: &mut State, zi: usize, input: &Value) -> Result<Value, ApiError> {
    let mut zone = std::mem::replace(&mut st.zones[zi], ZoneState::empty());
    let r = do_create(&mut || st.new_id(), &mut zone, input);
    st.zones[zi] = zone;
    r
}

pub(crate) fn update(
    st: &mut State,
    zi: usize,
    id: &str,
    input: &Value,
    patch: bool,
) -> Result<Value, ApiError> {
    do_update(&mut st.zones[zi], id, input, patch)
}

pub(crate) fn delete(st: &mut State, zi: usize, id: &str) -> Result<Value, ApiError> {
    st.zones[zi].take_record(id).ok_or_else(not_found)?;
    Ok(json!({"id": id}))
}

/// `POST /zones/{id}/dns_records/batch`: deletes, patches, puts, posts, in that
/// order, on a copy of the zone that replaces it only if every operation succeeds.
pub(crate) fn batch(st: &mut State, zi: usize, body: &Value) -> Result<Value, ApiError> {
    let list = |k: &str| -> Result<Vec<Value>, ApiError> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(_) => Err(invalid(9207, format!("batch field '{k}' must be a list"))),
        }
    };
    let (deletes, patches, puts, posts) = (
        list("deletes")?,
        list("patches")?,
        list("puts")?,
        list("posts")?,
    );
    let total = deletes.len() + patches.len() + puts.len() + posts.len();
    if total > st.max_batch {
        return Err(invalid(
            1004,
            format!(
                "DNS batch request has {total} operations, more than the maximum of {}",
                st.max_batch
            ),
        ));
    }
    let mut zone = ZoneState {
        id: st.zones[zi].id.clone(),
        name: st.zones[zi].name.clone(),
        records: st.zones[zi].records.clone(),
        by_name: st.zones[zi].by_name.clone(),
    };
    let id_of = |v: &Value| -> Result<String, ApiError> {
        v.get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| invalid(9207, "batch operation needs an 'id'"))
    };
    let mut out: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for d in &deletes {
        let id = id_of(d)?;
        let old = zone.take_record(&id).ok_or_else(not_found)?;
        out.entry("deletes").or_default().push(old);
    }
    for p in &patches {
        let id = id_of(p)?;
        out.entry("patches")
            .or_default()
            .push(do_update(&mut zone, &id, p, true)?);
    }
    for p in &puts {
        let id = id_of(p)?;
        out.entry("puts")
            .or_default()
            .push(do_update(&mut zone, &id, p, false)?);
    }
    for p in &posts {
        let rec = do_create(&mut || st.new_id(), &mut zone, p)?;
        out.entry("posts").or_default().push(rec);
    }
    st.zones[zi] = zone;
    let get = |k: &str| Value::Array(out.get(k).cloned().unwrap_or_default());
    Ok(
        json!({"deletes": get("deletes"), "patches": get("patches"), "puts": get("puts"), "posts": get("posts")}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> ZoneState {
        ZoneState {
            id: "z".into(),
            name: "example.com".into(),
            records: BTreeMap::new(),
            by_name: NameIndex::new(),
        }
    }

    fn mk(z: &mut ZoneState, v: Value) -> Result<Value, ApiError> {
        let base = z.records.len();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("id{n}-{base}")
        };
        let mut zz = std::mem::replace(z, ZoneState::empty());
        let r = do_create(&mut next, &mut zz, &v);
        *z = zz;
        r
    }

    #[test]
    fn validation_and_codes() {
        let mut z = zone();
        let a = mk(
            &mut z,
            json!({"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 300}),
        )
        .unwrap();
        assert_eq!(a["name"], "www.example.com");
        assert_eq!(
            mk(
                &mut z,
                json!({"type": "A", "name": "www.example.com", "content": "192.0.2.1", "ttl": 600})
            )
            .unwrap_err()
            .code,
            81058
        );
        assert_eq!(
            mk(
                &mut z,
                json!({"type": "CNAME", "name": "www", "content": "x.example.net"})
            )
            .unwrap_err()
            .code,
            81053
        );
        mk(
            &mut z,
            json!({"type": "CNAME", "name": "alias", "content": "x.example.net."}),
        )
        .unwrap();
        assert_eq!(
            mk(
                &mut z,
                json!({"type": "TXT", "name": "alias", "content": "hi"})
            )
            .unwrap_err()
            .code,
            81054
        );
        assert_eq!(
            mk(
                &mut z,
                json!({"type": "A", "name": "t", "content": "192.0.2.1", "ttl": 30})
            )
            .unwrap_err()
            .code,
            9021
        );
        assert_eq!(
            mk(
                &mut z,
                json!({"type": "A", "name": "t", "content": "192.0.2"})
            )
            .unwrap_err()
            .code,
            9005
        );
        assert_eq!(
            mk(
                &mut z,
                json!({"type": "TXT", "name": "t", "content": "x", "proxied": true})
            )
            .unwrap_err()
            .code,
            9004
        );
        let p = mk(
            &mut z,
            json!({"type": "A", "name": "p", "content": "192.0.2.1", "ttl": 300, "proxied": true}),
        )
        .unwrap();
        assert_eq!(p["ttl"], 1, "proxied records are TTL auto");
        let caa = mk(&mut z, json!({"type": "CAA", "name": "@", "data": {"flags": 0, "tag": "issue", "value": "letsencrypt.org"}})).unwrap();
        assert_eq!(caa["content"], "0 issue \"letsencrypt.org\"");
        let srv = mk(&mut z, json!({"type": "SRV", "name": "_sip._tcp", "data": {"priority": 10, "weight": 5, "port": 5060, "target": "sip.example.com."}})).unwrap();
        assert_eq!(
            (srv["content"].as_str(), srv["priority"].as_u64()),
            (Some("5 5060 sip.example.com"), Some(10))
        );
        let srv2 = mk(&mut z, json!({"type": "SRV", "name": "_x._tcp", "content": "1 2 sip.example.com", "priority": 3})).unwrap();
        assert_eq!(srv2["data"]["priority"], 3);
        assert_eq!(
            mk(
                &mut z,
                json!({"type": "MX", "name": "@", "content": "mail.example.com"})
            )
            .unwrap_err()
            .code,
            9100
        );
        assert_eq!(
            mk(
                &mut z,
                json!({"type": "A", "name": "www.example.org", "content": "192.0.2.1"})
            )
            .unwrap()["name"],
            "www.example.org.example.com"
        );
    }

    #[test]
    fn patch_keeps_id_and_checks_conflicts() {
        let mut z = zone();
        let a = mk(
            &mut z,
            json!({"type": "A", "name": "a", "content": "192.0.2.1", "ttl": 300}),
        )
        .unwrap();
        mk(
            &mut z,
            json!({"type": "A", "name": "a", "content": "192.0.2.2", "ttl": 300}),
        )
        .unwrap();
        let id = a["id"].as_str().unwrap();
        assert_eq!(
            do_update(&mut z, id, &json!({"content": "192.0.2.2"}), true)
                .unwrap_err()
                .code,
            81058
        );
        let r = do_update(
            &mut z,
            id,
            &json!({"content": "192.0.2.3", "comment": "web"}),
            true,
        )
        .unwrap();
        assert_eq!(
            (r["id"].as_str(), r["ttl"].as_u64(), r["comment"].as_str()),
            (Some(id), Some(300), Some("web"))
        );
        assert_eq!(
            do_update(&mut z, "nope", &json!({}), true)
                .unwrap_err()
                .code,
            81044
        );
    }
}
