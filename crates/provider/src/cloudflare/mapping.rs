//! Cloudflare's single records <-> the zone model's record sets.
//!
//! Cloudflare stores one record per value; a record set is the records with
//! the same name and type. Cloudflare's own fields ride on the set under
//! `octodns.cloudflare`, as octoDNS does:
//!
//! ```yaml
//! www:
//!   type: A
//!   ttl: 1                # 1 = automatic, as in the API
//!   value: 192.0.2.1
//!   octodns:
//!     cloudflare:
//!       proxied: true     # only A, AAAA, CNAME; proxied records are TTL automatic
//!       comment: web front
//!       tags: [team:web]
//! ```
//!
//! `auto-ttl: true` (octoDNS's spelling) is read as `ttl: 1`. A set's comment
//! and tags apply to each of its records; a live set whose records disagree is
//! shown with the first record's fields.

use super::api::ApiRecord;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use zone::rdata::Svcb;
use zone::{Meta, Name, RData, RType, RecordSet, Zone};

/// The provider key under `octodns:`.
pub const KEY: &str = "cloudflare";
/// The record types the provider manages (Cloudflare owns the SOA).
pub const TYPES: [RType; 13] = [
    RType::A,
    RType::Aaaa,
    RType::Caa,
    RType::Cname,
    RType::Https,
    RType::Mx,
    RType::Ns,
    RType::Ptr,
    RType::Srv,
    RType::Sshfp,
    RType::Svcb,
    RType::Tlsa,
    RType::Txt,
];
/// TTL 1 means "automatic" on Cloudflare.
pub const AUTO_TTL: u32 = 1;
/// The lowest TTL Cloudflare accepts (1 means automatic).
pub const MIN_TTL: u32 = 60;
/// The highest TTL Cloudflare accepts.
pub const MAX_TTL: u32 = 86_400;
/// The longest record comment Cloudflare accepts.
pub const MAX_COMMENT: usize = 100;
/// The longest TXT content Cloudflare accepts.
pub const MAX_TXT: usize = 2048;

/// Whether Cloudflare can proxy records of this type.
pub fn proxiable(t: RType) -> bool {
    matches!(t, RType::A | RType::Aaaa | RType::Cname)
}

/// The absolute name, without trailing dot, of owner `rel` in `zone`.
pub fn api_name(rel: &str, zone: &Name) -> String {
    let z = zone.as_str().trim_end_matches('.');
    if rel.is_empty() {
        z.to_string()
    } else {
        format!("{rel}.{z}")
    }
}

/// The owner relative to `zone` of an API name, or `None` if outside it.
pub fn rel_name(name: &str, zone: &Name) -> Option<String> {
    let z = zone.as_str().trim_end_matches('.');
    if name == z {
        Some(String::new())
    } else {
        name.strip_suffix(z)
            .and_then(|n| n.strip_suffix('.'))
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    }
}

fn host(s: &str, what: &str) -> Result<Name, String> {
    let s = s.trim();
    if s == "." || s.is_empty() {
        return Ok(Name::root());
    }
    Name::parse_fqdn(&format!("{}.", s.trim_end_matches('.'))).map_err(|e| format!("{what}: {e}"))
}

fn api_host(n: &Name) -> String {
    if n.as_str() == "." {
        ".".into()
    } else {
        n.as_str().trim_end_matches('.').to_string()
    }
}

fn num<T: TryFrom<u64>>(d: &Value, k: &str, rtype: &str) -> Result<T, String> {
    d.get(k)
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("{rtype} data.{k} is missing or out of range"))
}

fn text<'a>(d: &'a Value, k: &str, rtype: &str) -> Result<&'a str, String> {
    d.get(k)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{rtype} data.{k} is missing or not a string"))
}

/// Reads TXT content: the quoted form Cloudflare shows (`"a" "b"`, with
/// `\"`, `\\` and `\DDD` escapes) or, failing that, the raw text.
pub fn unquote_txt(s: &str) -> String {
    fn parse(s: &str) -> Option<String> {
        let b = s.trim().as_bytes();
        if b.first() != Some(&b'"') {
            return None;
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'"' {
                return None;
            }
            i += 1;
            loop {
                match *b.get(i)? {
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b'\\' => {
                        let c = *b.get(i + 1)?;
                        if c.is_ascii_digit() {
                            let d = std::str::from_utf8(b.get(i + 1..i + 4)?)
                                .ok()?
                                .parse::<u16>()
                                .ok()?;
                            out.push(u8::try_from(d).ok()?);
                            i += 4;
                        } else {
                            out.push(c);
                            i += 2;
                        }
                    }
                    c => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        String::from_utf8(out).ok()
    }
    parse(s).unwrap_or_else(|| s.to_string())
}

/// Splits an SVCB/HTTPS parameter string (`alpn="h3,h2" port=443 no-default-alpn`).
fn svc_params(s: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c.to_ascii_lowercase());
            chars.next();
        }
        let value = if chars.peek() == Some(&'=') {
            chars.next();
            let mut v = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err(format!("unterminated quote in SVCB parameters '{s}'")),
                        Some('"') => break,
                        Some('\\') => v.extend(chars.next()),
                        Some(c) => v.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    v.push(c);
                    chars.next();
                }
            }
            Some(v)
        } else {
            None
        };
        out.push((key, value));
    }
    Ok(out)
}

fn svc_value(s: &Svcb) -> String {
    s.params
        .iter()
        .map(|p| match p.value_text() {
            Some(v) => format!(
                "{}=\"{}\"",
                p.key_name(),
                v.replace('\\', "\\\\").replace('"', "\\\"")
            ),
            None => p.key_name(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The typed value of an API record; `Ok(None)` for a type the model lacks
/// (such a record is left alone).
pub fn rdata_of(r: &ApiRecord) -> Result<Option<RData>, String> {
    let Ok(rtype) = r.rtype.parse::<RType>() else {
        return Ok(None);
    };
    if !TYPES.contains(&rtype) {
        return Ok(None);
    }
    let t = r.rtype.as_str();
    let empty = Value::Null;
    let d = r.data.as_ref().unwrap_or(&empty);
    let c = r.content.as_str();
    let fields: Vec<String> = c.split_whitespace().map(str::to_string).collect();
    let v = match rtype {
        RType::A => RData::A(zone::rdata::parse_ipv4(c).map_err(|e| e.to_string())?),
        RType::Aaaa => RData::Aaaa(zone::rdata::parse_ipv6(c).map_err(|e| e.to_string())?),
        RType::Cname => RData::Cname(host(c, "CNAME content")?),
        RType::Ns => RData::Ns(host(c, "NS content")?),
        RType::Ptr => RData::Ptr(host(c, "PTR content")?),
        RType::Mx => RData::Mx {
            preference: r.priority.ok_or("MX record has no priority")?,
            exchange: host(c, "MX content")?,
        },
        RType::Txt => RData::Txt(unquote_txt(c)),
        RType::Caa if r.data.is_some() => {
            let tag = text(d, "tag", t)?.to_string();
            zone::rdata::check_caa_tag(&tag).map_err(|e| e.to_string())?;
            RData::Caa {
                flags: num(d, "flags", t)?,
                tag,
                value: text(d, "value", t)?.to_string(),
            }
        }
        RType::Srv if r.data.is_some() => RData::Srv {
            priority: num(d, "priority", t)?,
            weight: num(d, "weight", t)?,
            port: num(d, "port", t)?,
            target: host(text(d, "target", t)?, "SRV target")?,
        },
        RType::Srv => {
            // Content without data: `weight port target`, priority apart.
            let mut f = vec![r.priority.ok_or("SRV record has no priority")?.to_string()];
            f.extend(fields);
            if let Some(last) = f.last_mut() {
                *last = format!("{}.", last.trim_end_matches('.'));
            }
            RData::parse(rtype, &f).map_err(|e| e.to_string())?
        }
        RType::Https | RType::Svcb if r.data.is_some() => {
            let target = host(text(d, "target", t)?, "SVCB target")?;
            let params = svc_params(d.get("value").and_then(Value::as_str).unwrap_or(""))?;
            let s =
                Svcb::parse(num(d, "priority", t)?, target, &params).map_err(|e| e.to_string())?;
            if rtype == RType::Https {
                RData::Https(s)
            } else {
                RData::Svcb(s)
            }
        }
        RType::Tlsa if r.data.is_some() => {
            let mt: u8 = num(d, "matching_type", t)?;
            RData::Tlsa {
                usage: num(d, "usage", t)?,
                selector: num(d, "selector", t)?,
                matching_type: mt,
                data: zone::rdata::parse_hex(
                    "TLSA certificate",
                    text(d, "certificate", t)?,
                    zone::rdata::tlsa_len(mt),
                )
                .map_err(|e| e.to_string())?,
            }
        }
        RType::Sshfp if r.data.is_some() => {
            let ft: u8 = num(d, "type", t)?;
            RData::Sshfp {
                algorithm: num(d, "algorithm", t)?,
                fingerprint_type: ft,
                fingerprint: zone::rdata::parse_hex(
                    "SSHFP fingerprint",
                    text(d, "fingerprint", t)?,
                    zone::rdata::sshfp_len(ft),
                )
                .map_err(|e| e.to_string())?,
            }
        }
        // Content only (CAA, HTTPS, SVCB, TLSA, SSHFP): the presentation form.
        _ => {
            let f: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if rtype == RType::Caa && i >= 2 {
                        s.trim_matches('"').to_string()
                    } else {
                        s.clone()
                    }
                })
                .collect();
            let f = if rtype == RType::Caa && f.len() > 3 {
                vec![f[0].clone(), f[1].clone(), f[2..].join(" ")]
            } else {
                f
            };
            let f = if matches!(rtype, RType::Https | RType::Svcb) && f.len() >= 2 {
                let mut f = f;
                f[1] = format!("{}.", f[1].trim_end_matches('.'));
                if f[1] == ".." {
                    f[1] = ".".into();
                }
                f
            } else {
                f
            };
            RData::parse(rtype, &f).map_err(|e| e.to_string())?
        }
    };
    Ok(Some(v))
}

/// The provider fields of a live record, as `octodns.cloudflare` holds them.
fn meta_of(r: &ApiRecord) -> BTreeMap<String, Meta> {
    let mut m = BTreeMap::new();
    if r.proxied {
        m.insert("proxied".into(), Meta::Bool(true));
    }
    if let Some(c) = &r.comment {
        m.insert("comment".into(), Meta::Str(c.clone()));
    }
    if !r.tags.is_empty() {
        m.insert(
            "tags".into(),
            Meta::List(r.tags.iter().cloned().map(Meta::Str).collect()),
        );
    }
    m
}

/// Groups live records into a zone. Records of types the model lacks,
/// records outside the zone, and records Cloudflare manages itself
/// (read-only, e.g. Email Routing) are skipped and counted.
pub fn to_zone(origin: &Name, records: &[ApiRecord]) -> Result<(Zone, usize), String> {
    let mut groups: BTreeMap<(String, RType), Vec<(RData, &ApiRecord)>> = BTreeMap::new();
    let mut skipped = 0;
    for r in records {
        if r.read_only {
            skipped += 1;
            continue;
        }
        let v =
            rdata_of(r).map_err(|e| format!("record {} ({} {}): {e}", r.id, r.name, r.rtype))?;
        let (Some(v), Some(rel)) = (v, rel_name(&r.name, origin)) else {
            skipped += 1;
            continue;
        };
        groups.entry((rel, v.rtype())).or_default().push((v, r));
    }
    let mut zone = Zone::new(origin.clone());
    for ((rel, rtype), mut recs) in groups {
        recs.sort_by(|a, b| a.0.cmp(&b.0));
        let first = recs[0].1;
        let values = recs.iter().map(|(v, _)| v.clone()).collect();
        let mut set = RecordSet::new(rel.clone(), rtype, first.ttl, values)
            .map_err(|e| format!("{} {rtype}: {e}", if rel.is_empty() { "@" } else { &rel }))?;
        let meta = meta_of(first);
        if !meta.is_empty() {
            set.octodns.insert(KEY.into(), Meta::Map(meta));
        }
        zone.insert(set);
    }
    Ok((zone, skipped))
}

/// What one record of a desired set should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Want {
    /// The value.
    pub rdata: RData,
    /// TTL in seconds; 1 means automatic.
    pub ttl: u32,
    /// Whether it is proxied.
    pub proxied: bool,
    /// Its comment.
    pub comment: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
}

impl Want {
    /// True when a live record already has these fields (its value is compared apart).
    pub fn fields_match(&self, r: &ApiRecord) -> bool {
        r.ttl == self.ttl
            && r.proxied == self.proxied
            && r.comment == self.comment
            && r.tags == self.tags
    }
}

fn meta_str(m: &Meta) -> Option<String> {
    match m {
        Meta::Str(s) => Some(s.clone()),
        Meta::Int(i) => Some(i.to_string()),
        Meta::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Problems that keep a desired set from being written to Cloudflare.
pub fn check_set(set: &RecordSet) -> Vec<String> {
    let mut p = Vec::new();
    let at = format!("{} {}", set.display_name(), set.rtype);
    if !TYPES.contains(&set.rtype) {
        p.push(format!(
            "{at}: Cloudflare does not manage {} records",
            set.rtype
        ));
    }
    let meta = set.provider_meta(KEY);
    let flag = |k: &str| meta.and_then(|m| m.get(k));
    match flag("proxied") {
        None | Some(Meta::Null) | Some(Meta::Bool(false)) => {}
        Some(Meta::Bool(true)) if proxiable(set.rtype) => {}
        Some(Meta::Bool(true)) => p.push(format!(
            "{at}: only A, AAAA and CNAME records can be proxied"
        )),
        Some(_) => p.push(format!(
            "{at}: octodns.cloudflare.proxied must be true or false"
        )),
    }
    if !matches!(
        flag("auto-ttl"),
        None | Some(Meta::Null) | Some(Meta::Bool(_))
    ) {
        p.push(format!(
            "{at}: octodns.cloudflare.auto-ttl must be true or false"
        ));
    }
    match flag("comment") {
        None | Some(Meta::Null) => {}
        Some(m) => match meta_str(m) {
            Some(c) if c.chars().count() > MAX_COMMENT => p.push(format!(
                "{at}: the comment is longer than {MAX_COMMENT} characters"
            )),
            Some(_) => {}
            None => p.push(format!("{at}: octodns.cloudflare.comment must be text")),
        },
    }
    match flag("tags") {
        None | Some(Meta::Null) => {}
        Some(Meta::List(items))
            if items
                .iter()
                .all(|t| meta_str(t).is_some_and(|s| !s.is_empty())) => {}
        Some(m) if meta_str(m).is_some() => {}
        Some(_) => p.push(format!(
            "{at}: octodns.cloudflare.tags must be a list of name:value strings"
        )),
    }
    let auto = matches!(flag("auto-ttl"), Some(Meta::Bool(true)))
        || (proxiable(set.rtype) && matches!(flag("proxied"), Some(Meta::Bool(true))));
    if !auto && set.ttl != AUTO_TTL && !(MIN_TTL..=MAX_TTL).contains(&set.ttl) {
        p.push(format!("{at}: TTL {} is outside what Cloudflare accepts ({MIN_TTL}..={MAX_TTL}, or 1 for automatic)", set.ttl));
    }
    for v in set.values() {
        if let RData::Txt(t) = v {
            let n = v.to_string().len();
            if n > MAX_TXT {
                p.push(format!("{at}: a TXT value of {} bytes is {n} characters quoted, more than Cloudflare's {MAX_TXT}", t.len()));
            }
        }
    }
    p
}

/// The records a desired set becomes.
pub fn wants(set: &RecordSet) -> Vec<Want> {
    let meta = set.provider_meta(KEY);
    let get = |k: &str| meta.and_then(|m| m.get(k));
    let proxied = proxiable(set.rtype) && matches!(get("proxied"), Some(Meta::Bool(true)));
    let auto = proxied || matches!(get("auto-ttl"), Some(Meta::Bool(true)));
    let comment = get("comment").and_then(meta_str).filter(|c| !c.is_empty());
    let mut tags: Vec<String> = match get("tags") {
        Some(Meta::List(items)) => items.iter().filter_map(meta_str).collect(),
        Some(m) => meta_str(m).into_iter().collect(),
        None => Vec::new(),
    };
    tags.retain(|t| !t.is_empty());
    tags.sort();
    tags.dedup();
    let ttl = if auto { AUTO_TTL } else { set.ttl };
    set.values()
        .iter()
        .map(|v| Want {
            rdata: v.clone(),
            ttl,
            proxied,
            comment: comment.clone(),
            tags: tags.clone(),
        })
        .collect()
}

/// Rewrites a desired zone into the form [`to_zone`] reports, so that a plan
/// compares like with like: `auto-ttl: true` and proxied records become
/// `ttl: 1`; `proxied: false`, empty comments and tags are dropped; tags are sorted.
pub fn normalize(zone: &mut Zone) {
    let sets: Vec<RecordSet> = zone
        .iter()
        .filter(|s| s.octodns.contains_key(KEY))
        .cloned()
        .collect();
    for mut set in sets {
        let Some(w) = wants(&set).into_iter().next() else {
            continue;
        };
        let Some(Meta::Map(m)) = set.octodns.get(KEY) else {
            continue;
        };
        // Leave malformed fields for check_set to report.
        if !check_set(&set).is_empty() {
            continue;
        }
        let mut m = m.clone();
        for k in ["proxied", "auto-ttl", "comment", "tags"] {
            m.remove(k);
        }
        if w.proxied {
            m.insert("proxied".into(), Meta::Bool(true));
        }
        if let Some(c) = w.comment {
            m.insert("comment".into(), Meta::Str(c));
        }
        if !w.tags.is_empty() {
            m.insert(
                "tags".into(),
                Meta::List(w.tags.into_iter().map(Meta::Str).collect()),
            );
        }
        set.ttl = w.ttl;
        if m.is_empty() {
            set.octodns.remove(KEY);
        } else {
            set.octodns.insert(KEY.into(), Meta::Map(m));
        }
        zone.insert(set);
    }
}

/// The value fields of a record body: `content`, or `data` (and `priority`).
fn value_fields(v: &RData, out: &mut Map<String, Value>) {
    let mut content = |c: String| {
        out.insert("content".into(), json!(c));
    };
    match v {
        RData::A(ip) => content(ip.to_string()),
        RData::Aaaa(ip) => content(ip.to_string()),
        RData::Cname(n) | RData::Ns(n) | RData::Ptr(n) => content(api_host(n)),
        RData::Txt(_) => content(v.to_string()),
        RData::Mx {
            preference,
            exchange,
        } => {
            content(api_host(exchange));
            out.insert("priority".into(), json!(preference));
        }
        RData::Caa { flags, tag, value } => {
            out.insert(
                "data".into(),
                json!({"flags": flags, "tag": tag, "value": value}),
            );
        }
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => {
            out.insert("data".into(), json!({"priority": priority, "weight": weight, "port": port, "target": api_host(target)}));
        }
        RData::Https(s) | RData::Svcb(s) => {
            out.insert("data".into(), json!({"priority": s.priority, "target": api_host(&s.target), "value": svc_value(s)}));
        }
        RData::Tlsa {
            usage,
            selector,
            matching_type,
            data,
        } => {
            out.insert("data".into(), json!({"usage": usage, "selector": selector, "matching_type": matching_type, "certificate": zone::rdata::to_hex(data)}));
        }
        RData::Sshfp {
            algorithm,
            fingerprint_type,
            fingerprint,
        } => {
            out.insert("data".into(), json!({"algorithm": algorithm, "type": fingerprint_type, "fingerprint": zone::rdata::to_hex(fingerprint)}));
        }
        RData::Soa(_) => content(v.to_string()),
    }
}

/// The JSON body that creates the record (`POST`, batch `posts`).
pub fn create_body(w: &Want, name: &str) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(w.rdata.rtype().as_str()));
    m.insert("name".into(), json!(name));
    value_fields(&w.rdata, &mut m);
    m.insert("ttl".into(), json!(w.ttl));
    if proxiable(w.rdata.rtype()) {
        m.insert("proxied".into(), json!(w.proxied));
    }
    m.insert(
        "comment".into(),
        json!(w.comment.clone().unwrap_or_default()),
    );
    m.insert("tags".into(), json!(w.tags));
    Value::Object(m)
}

/// The JSON body that changes record `id` into `w` (`PATCH`, batch `patches`).
/// The type is never changed this way.
pub fn patch_body(id: &str, w: &Want, name: &str) -> Value {
    let mut v = create_body(w, name);
    if let Value::Object(m) = &mut v {
        m.remove("type");
        m.insert("id".into(), json!(id));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::api::parse_record;

    fn origin() -> Name {
        Name::parse_fqdn("example.com.").unwrap()
    }

    fn desired(text: &str) -> Zone {
        zone::parse_zone_yaml(text, &origin(), "t").unwrap()
    }

    /// Sends a zone through the API form and back.
    fn round_trip(z: &Zone) -> Zone {
        let mut recs = Vec::new();
        for (i, set) in z.iter().enumerate() {
            for (j, w) in wants(set).iter().enumerate() {
                let mut body = create_body(w, &api_name(&set.name, &origin()));
                // What the API adds: an id, and the content of structured types.
                body["id"] = json!(format!("{i}-{j}"));
                if body.get("content").is_none() {
                    body["content"] = json!("");
                }
                if let Some(p) = body.get("data").and_then(|d| d.get("priority")).cloned() {
                    if set.rtype == RType::Srv {
                        body["priority"] = p;
                    }
                }
                recs.push(parse_record(&body, "t").unwrap());
            }
        }
        to_zone(&origin(), &recs).unwrap().0
    }

    const ALL: &str = "\
'':
  - {type: A, ttl: 300, values: [192.0.2.1, 192.0.2.2]}
  - {type: AAAA, ttl: 300, value: '2001:db8::1'}
  - {type: CAA, value: {flags: 0, tag: issue, value: letsencrypt.org}}
  - {type: MX, values: [{preference: 10, exchange: mail.example.com.}, {preference: 20, exchange: mx2.example.net.}]}
  - {type: TXT, values: ['v=spf1 include:_spf.example.net ~all', 'quote \" and back\\\\slash\\; semi']}
  - {type: HTTPS, value: {svcpriority: 1, targetname: ., svcparams: {alpn: [h2, h3], port: 443, no-default-alpn: ~}}}
www: {type: CNAME, ttl: 1, value: example.com., octodns: {cloudflare: {proxied: true, comment: front door, tags: ['team:web', 'env:prod']}}}
sub: {type: NS, values: [ns1.example.net., ns2.example.net.]}
1.2: {type: PTR, value: host.example.com.}
_sip._tcp: {type: SRV, value: {priority: 10, weight: 60, port: 5060, target: sip.example.com.}}
_443._tcp.www: {type: TLSA, value: {certificate_usage: 3, selector: 1, matching_type: 1, certificate_association_data: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}}
host: {type: SSHFP, value: {algorithm: 4, fingerprint_type: 2, fingerprint: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}}
svc: {type: SVCB, value: {svcpriority: 0, targetname: svc.example.net.}}
long: {type: TXT, value: LONG}
";

    #[test]
    fn every_type_round_trips() {
        let text = ALL.replace("LONG", &"x".repeat(600));
        let mut z = desired(&text);
        normalize(&mut z);
        assert_eq!(z.len(), 14);
        let back = round_trip(&z);
        for set in z.iter() {
            assert_eq!(
                back.get(&set.name, set.rtype),
                Some(set),
                "{} {}",
                set.name,
                set.rtype
            );
        }
        assert_eq!(back, z);
    }

    #[test]
    fn records_group_into_sets_with_cloudflare_fields() {
        let recs: Vec<ApiRecord> = [
            json!({"id": "1", "name": "example.com", "type": "A", "content": "192.0.2.2", "ttl": 1, "proxied": true, "comment": "c", "tags": ["t:1"]}),
            json!({"id": "2", "name": "example.com", "type": "A", "content": "192.0.2.1", "ttl": 1, "proxied": true, "comment": "c", "tags": ["t:1"]}),
            json!({"id": "3", "name": "mail.example.com", "type": "MX", "content": "mx.example.net", "priority": 5, "ttl": 3600}),
            json!({"id": "4", "name": "t.example.com", "type": "TXT", "content": "unquoted legacy text", "ttl": 120}),
            json!({"id": "5", "name": "loc.example.com", "type": "LOC", "content": "51 30 12.748 N 0 7 39.611 W 0.00m", "ttl": 120}),
            json!({"id": "6", "name": "c.example.com", "type": "CAA", "content": "0 issue \"ca.example.net\"", "ttl": 120}),
        ]
        .iter()
        .map(|v| parse_record(v, "t").unwrap())
        .collect();
        let (z, skipped) = to_zone(&origin(), &recs).unwrap();
        assert_eq!(skipped, 1, "LOC is not in the model and is left alone");
        let a = z.get("", RType::A).unwrap();
        assert_eq!((a.ttl, a.values().len()), (1, 2));
        let m = a.provider_meta(KEY).unwrap();
        assert_eq!(m.get("proxied"), Some(&Meta::Bool(true)));
        assert_eq!(m.get("comment"), Some(&Meta::Str("c".into())));
        assert_eq!(
            z.get("mail", RType::Mx).unwrap().values()[0].to_string(),
            "5 mx.example.net."
        );
        assert_eq!(
            z.get("t", RType::Txt).unwrap().values()[0],
            RData::Txt("unquoted legacy text".into())
        );
        assert_eq!(
            z.get("c", RType::Caa).unwrap().values()[0].to_string(),
            "0 issue \"ca.example.net\""
        );
        // A record with a bad value is an error naming the record.
        let bad = parse_record(
            &json!({"id": "9", "name": "x.example.com", "type": "A", "content": "not-an-ip"}),
            "t",
        )
        .unwrap();
        let e = to_zone(&origin(), &[bad]).unwrap_err();
        assert!(
            e.contains("record 9 (x.example.com A)") && e.contains("IPv4"),
            "{e}"
        );
    }

    #[test]
    fn normalize_matches_what_list_reports() {
        let mut z = desired("www: {type: A, ttl: 300, value: 192.0.2.1, octodns: {cloudflare: {proxied: true, tags: [b, a, a]}}}\nx: {type: A, ttl: 300, value: 192.0.2.2, octodns: {cloudflare: {auto-ttl: true, proxied: false, comment: ''}}}\n");
        normalize(&mut z);
        let www = z.get("www", RType::A).unwrap();
        assert_eq!(www.ttl, 1);
        assert_eq!(
            www.provider_meta(KEY).unwrap().get("tags"),
            Some(&Meta::List(vec![
                Meta::Str("a".into()),
                Meta::Str("b".into())
            ]))
        );
        let x = z.get("x", RType::A).unwrap();
        assert_eq!((x.ttl, x.octodns.get(KEY)), (1, None));
        assert_eq!(round_trip(&z), z);
    }

    #[test]
    fn checks() {
        let z = desired("a: {type: TXT, ttl: 30, value: x, octodns: {cloudflare: {proxied: true}}}\nb: {type: A, ttl: 30, value: 192.0.2.1, octodns: {cloudflare: {proxied: true}}}\nc: {type: A, ttl: 7200, value: 192.0.2.1, octodns: {cloudflare: {comment: LONG}}}\n".replace("LONG", &"c".repeat(101)).as_str());
        let a = check_set(z.get("a", RType::Txt).unwrap());
        assert!(
            a.iter().any(|p| p.contains("can be proxied"))
                && a.iter().any(|p| p.contains("TTL 30")),
            "{a:?}"
        );
        assert!(
            check_set(z.get("b", RType::A).unwrap()).is_empty(),
            "proxied records are TTL auto whatever the file says"
        );
        assert!(check_set(z.get("c", RType::A).unwrap())[0].contains("longer than 100"));
    }

    /// What the fuzz target does, over mutations of a valid answer: errors, never a panic.
    fn pipeline(bytes: &[u8]) {
        let _ = unquote_txt(&String::from_utf8_lossy(bytes));
        let Ok(env) = crate::cloudflare::api::parse_envelope(bytes) else {
            return;
        };
        let _ = crate::cloudflare::api::parse_zone_id(&env.result, "example.com");
        let Ok(recs) = crate::cloudflare::api::parse_records(&env.result, "t") else {
            return;
        };
        if let Ok((z, _)) = to_zone(&origin(), &recs) {
            for set in z.iter() {
                let _ = check_set(set);
                for w in wants(set) {
                    let _ = create_body(&w, "x.example.com");
                }
            }
        }
    }

    #[test]
    fn garbage_answers_never_panic() {
        let mut z = desired(&ALL.replace("LONG", "long"));
        normalize(&mut z);
        let mut items = Vec::new();
        for set in z.iter() {
            for w in wants(set) {
                let mut b = create_body(&w, &api_name(&set.name, &origin()));
                b["id"] = json!(format!("{}", items.len()));
                b["content"] = json!(w.rdata.to_string());
                items.push(b);
            }
        }
        let valid = json!({"success": true, "errors": [], "messages": [], "result": items, "result_info": {"page": 1, "per_page": 100, "count": items.len(), "total_count": items.len(), "total_pages": 1}});
        let text = valid.to_string().into_bytes();
        pipeline(&text);
        let weird = [
            json!(null),
            json!(-1),
            json!(1e300),
            json!(u64::MAX),
            json!(""),
            json!("."),
            json!("\"\\999"),
            json!([]),
            json!({}),
            json!(true),
            json!("x".repeat(300)),
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..3000 {
            // Byte-level damage.
            let mut b = text.clone();
            for _ in 0..rng.usize(1..4) {
                let i = rng.usize(..b.len());
                match rng.u8(..3) {
                    0 => b[i] = rng.u8(..),
                    1 => {
                        b.remove(i);
                    }
                    _ => b.insert(i, *b"{}[]\",:0\\".get(rng.usize(..10)).unwrap_or(&b'x')),
                }
            }
            pipeline(&b);
            // Field-level damage: a field of a record gets a value of the wrong kind.
            let mut v = valid.clone();
            let n = rng.usize(..items.len());
            let fields = [
                "id", "name", "type", "content", "ttl", "proxied", "priority", "data", "comment",
                "tags",
            ];
            let f = fields[rng.usize(..fields.len())];
            v["result"][n][f] = weird[rng.usize(..weird.len())].clone();
            if let Some(d) = v["result"][n]
                .get_mut("data")
                .and_then(|d| d.as_object_mut())
            {
                if let Some(k) = d.keys().nth(rng.usize(..4)).cloned() {
                    d.insert(k, weird[rng.usize(..weird.len())].clone());
                }
            }
            pipeline(v.to_string().as_bytes());
        }
    }

    #[test]
    fn txt_quoting() {
        assert_eq!(unquote_txt("\"a\" \"b\""), "ab");
        assert_eq!(unquote_txt("\"a\\\"b\\\\c\\195\\169\""), "a\"b\\c\u{e9}");
        assert_eq!(unquote_txt("\"unterminated"), "\"unterminated");
        assert_eq!(unquote_txt("\"a\\999\""), "\"a\\999\"");
        assert_eq!(unquote_txt("plain"), "plain");
    }

    #[test]
    fn bodies() {
        let z = desired(
            "www: {type: A, ttl: 300, value: 192.0.2.1, octodns: {cloudflare: {proxied: true}}}\n",
        );
        let w = &wants(z.get("www", RType::A).unwrap())[0];
        assert_eq!(
            create_body(w, "www.example.com"),
            json!({"type": "A", "name": "www.example.com", "content": "192.0.2.1", "ttl": 1, "proxied": true, "comment": "", "tags": []})
        );
        let p = patch_body("abc", w, "www.example.com");
        assert_eq!((p["id"].as_str(), p.get("type")), (Some("abc"), None));
    }
}
