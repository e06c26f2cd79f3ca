//! Record types and their typed values, with the RFC 1035 presentation format.

pub use crate::error::{RDataError, SvcbError};
use crate::name::Name;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The record types the toolkit manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RType {
    /// Start of authority (RFC 1035).
    Soa,
    /// Name server (RFC 1035).
    Ns,
    /// IPv4 address (RFC 1035).
    A,
    /// IPv6 address (RFC 3596).
    Aaaa,
    /// Certification authority authorization (RFC 8659).
    Caa,
    /// Canonical name (RFC 1035).
    Cname,
    /// HTTPS service binding (RFC 9460).
    Https,
    /// Mail exchange (RFC 1035).
    Mx,
    /// Domain name pointer (RFC 1035).
    Ptr,
    /// Service location (RFC 2782).
    Srv,
    /// SSH key fingerprint (RFC 4255).
    Sshfp,
    /// General service binding (RFC 9460).
    Svcb,
    /// TLS certificate association (RFC 6698).
    Tlsa,
    /// Text (RFC 1035).
    Txt,
}

impl RType {
    /// Every type, in the order of the enum.
    pub const ALL: [RType; 14] = [
        RType::Soa,
        RType::Ns,
        RType::A,
        RType::Aaaa,
        RType::Caa,
        RType::Cname,
        RType::Https,
        RType::Mx,
        RType::Ptr,
        RType::Srv,
        RType::Sshfp,
        RType::Svcb,
        RType::Tlsa,
        RType::Txt,
    ];

    /// The type's mnemonic, upper case (`AAAA`).
    pub fn as_str(self) -> &'static str {
        match self {
            RType::Soa => "SOA",
            RType::Ns => "NS",
            RType::A => "A",
            RType::Aaaa => "AAAA",
            RType::Caa => "CAA",
            RType::Cname => "CNAME",
            RType::Https => "HTTPS",
            RType::Mx => "MX",
            RType::Ptr => "PTR",
            RType::Srv => "SRV",
            RType::Sshfp => "SSHFP",
            RType::Svcb => "SVCB",
            RType::Tlsa => "TLSA",
            RType::Txt => "TXT",
        }
    }

    /// Types whose record set holds exactly one value.
    pub fn is_singleton(self) -> bool {
        matches!(self, RType::Cname | RType::Soa)
    }

    /// The type's code on the wire (the IANA "Resource Record (RR) TYPEs" registry).
    pub fn code(self) -> u16 {
        match self {
            RType::A => 1,
            RType::Ns => 2,
            RType::Cname => 5,
            RType::Soa => 6,
            RType::Ptr => 12,
            RType::Mx => 15,
            RType::Txt => 16,
            RType::Aaaa => 28,
            RType::Srv => 33,
            RType::Sshfp => 44,
            RType::Tlsa => 52,
            RType::Svcb => 64,
            RType::Https => 65,
            RType::Caa => 257,
        }
    }

    /// The type with wire code `code`; `None` for a type the toolkit does not model.
    pub fn from_code(code: u16) -> Option<RType> {
        RType::ALL.into_iter().find(|t| t.code() == code)
    }
}

impl fmt::Display for RType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RType {
    type Err = RDataError;
    fn from_str(s: &str) -> Result<Self, RDataError> {
        RType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| RDataError::UnknownType {
                given: s.to_string(),
            })
    }
}

/// SOA fields. Providers own the SOA; it is managed only when a zone file lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Soa {
    /// The primary name server.
    pub mname: Name,
    /// The responsible person's mailbox, as a name.
    pub rname: Name,
    /// The zone's version.
    pub serial: u32,
    /// Seconds between secondaries' checks.
    pub refresh: u32,
    /// Seconds before a failed check is retried.
    pub retry: u32,
    /// Seconds after which a secondary stops answering without a check.
    pub expire: u32,
    /// The TTL of negative answers (RFC 2308).
    pub minimum: u32,
}

/// One SVCB/HTTPS service parameter, e.g. `alpn=h2,h3`. Values are kept in
/// presentation form; keys are validated and sorted by their registry number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SvcParam {
    /// The key's name (`alpn`, `key65000`).
    pub key: String,
    /// The value, escapes resolved; `None` when there is none.
    pub value: Option<String>,
}

/// The value of an SVCB or HTTPS record (RFC 9460).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Svcb {
    /// 0 for alias mode, otherwise the preference (lower first).
    pub priority: u16,
    /// The service's host; `.` for the owner itself.
    pub target: Name,
    /// The parameters, sorted by key number.
    pub params: Vec<SvcParam>,
}

/// The named SvcParamKeys, indexed by their registry number (RFC 9460 section 14.3.2).
pub(crate) const SVC_KEYS: [&str; 7] = [
    "mandatory",
    "alpn",
    "no-default-alpn",
    "port",
    "ipv4hint",
    "ech",
    "ipv6hint",
];

/// The presentation name of SvcParamKey number `key`: its registered name,
/// or `keyNNNNN` for one without a name.
pub fn svc_key_name(key: u16) -> String {
    SVC_KEYS
        .get(usize::from(key))
        .map_or_else(|| format!("key{key}"), |s| s.to_string())
}

/// The registry number of a SvcParamKey (`keyNNNNN` for unnamed ones).
pub fn svc_key_number(key: &str) -> Result<u16, SvcbError> {
    if let Some(i) = SVC_KEYS.iter().position(|k| *k == key) {
        return Ok(i as u16);
    }
    key.strip_prefix("key")
        .and_then(|n| n.parse::<u16>().ok())
        .ok_or_else(|| SvcbError::UnknownKey {
            key: key.to_string(),
        })
}

impl Svcb {
    /// Validates and normalises parameters (sorted by key number, no duplicates;
    /// an empty value of an unnamed `keyNNNNN` is no value, as BIND writes it).
    /// What passes is what BIND and Knot load: `mandatory` lists keys that are
    /// present, `no-default-alpn` comes with `alpn`, `ech` is base64.
    pub fn new(priority: u16, target: Name, mut params: Vec<SvcParam>) -> Result<Svcb, SvcbError> {
        let mut seen = std::collections::BTreeSet::new();
        for p in &params {
            let n = svc_key_number(&p.key)?;
            if !seen.insert(n) {
                return Err(SvcbError::DuplicateKey { key: p.key.clone() });
            }
        }
        for p in &mut params {
            if p.key == "no-default-alpn"
                || (p.key.starts_with("key") && p.value.as_deref() == Some(""))
            {
                p.value = None;
            }
        }
        for p in &params {
            let value = p.value.as_deref().unwrap_or("");
            match p.key.as_str() {
                "port" => {
                    value.parse::<u16>().map_err(|_| SvcbError::Port {
                        value: value.to_string(),
                    })?;
                }
                "ipv4hint" => {
                    for ip in value.split(',') {
                        Ipv4Addr::from_str(ip).map_err(|_| SvcbError::Ipv4Hint {
                            value: ip.to_string(),
                        })?;
                    }
                }
                "ipv6hint" => {
                    for ip in value.split(',') {
                        Ipv6Addr::from_str(ip).map_err(|_| SvcbError::Ipv6Hint {
                            value: ip.to_string(),
                        })?;
                    }
                }
                "no-default-alpn" if p.value.is_some() => {
                    return Err(SvcbError::NoDefaultAlpnValue);
                }
                "no-default-alpn" if !seen.contains(&1) => {
                    return Err(SvcbError::NoDefaultAlpnAlone);
                }
                "alpn" | "mandatory" | "ech" if value.is_empty() => {
                    return Err(SvcbError::MissingValue { key: p.key.clone() });
                }
                "alpn" => {
                    // One octet is legal, but no registered id is that
                    // short and Knot 3.2 refuses one before a comma.
                    for id in value_list(value)? {
                        if id.len() < 2 || id.len() > 255 {
                            return Err(SvcbError::AlpnLength {
                                value: value.to_string(),
                                octets: id.len(),
                            });
                        }
                    }
                }
                "mandatory" => {
                    let mut listed = std::collections::BTreeSet::new();
                    for k in value_list(value)? {
                        let n = svc_key_number(k)?;
                        if n == 0 || !seen.contains(&n) || !listed.insert(n) {
                            return Err(SvcbError::Mandatory {
                                value: value.to_string(),
                                key: k.to_string(),
                            });
                        }
                    }
                }
                "ech" if !is_base64(value) => {
                    return Err(SvcbError::Ech {
                        value: value.to_string(),
                    });
                }
                _ => {}
            }
        }
        if priority == 0 && !params.is_empty() {
            return Err(SvcbError::AliasWithParams);
        }
        params.sort_by_key(|p| svc_key_number(&p.key).unwrap_or(u16::MAX));
        Ok(Svcb {
            priority,
            target,
            params,
        })
    }
}

/// The items of an SVCB value list (`alpn`, `mandatory`): comma-separated.
/// RFC 9460 allows `\,` inside an item, but Knot refuses it, so a backslash
/// is refused here rather than written into a file a server will not load.
pub fn value_list(v: &str) -> Result<Vec<&str>, SvcbError> {
    if v.contains('\\') {
        return Err(SvcbError::Backslash {
            value: v.to_string(),
        });
    }
    Ok(v.split(',').collect())
}

/// The wire length of a validated parameter value.
fn svc_value_len(key: &str, value: &str) -> usize {
    let items = || value_list(value).unwrap_or_default();
    match key {
        "alpn" => items().iter().map(|i| 1 + i.len()).sum(),
        "mandatory" => 2 * items().len(),
        "port" => 2,
        "ipv4hint" => 4 * value.split(',').count(),
        "ipv6hint" => 16 * value.split(',').count(),
        "ech" => value.len() / 4 * 3 - (value.len() - value.trim_end_matches('=').len()),
        _ => value.len(),
    }
}

/// Canonical base64, as BIND requires: padded, and the bits the padding
/// leaves over in the last character are zero.
fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    let pad = s.len() - body.len();
    let value = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let Some(values) = body.bytes().map(value).collect::<Option<Vec<u8>>>() else {
        return false;
    };
    let spare = match pad {
        0 => 0,
        1 => 0b11,
        2 => 0b1111,
        _ => return false,
    };
    s.len() % 4 == 0 && values.last().is_none_or(|v| v & spare == 0)
}

/// A typed record value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RData {
    /// The zone's start of authority.
    Soa(Soa),
    /// A name server.
    Ns(Name),
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
    /// A certification authority authorization.
    Caa {
        /// Bit 7 is "issuer critical".
        flags: u8,
        /// One of [`CAA_TAGS`].
        tag: String,
        /// The tag's value, as text.
        value: String,
    },
    /// The canonical name this name is an alias of.
    Cname(Name),
    /// An HTTPS service binding.
    Https(Svcb),
    /// A mail exchange.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// The mail server.
        exchange: Name,
    },
    /// The name an address maps back to.
    Ptr(Name),
    /// A service location.
    Srv {
        /// Lower is tried first.
        priority: u16,
        /// Share among equal priorities.
        weight: u16,
        /// The service's port.
        port: u16,
        /// The service's host.
        target: Name,
    },
    /// An SSH host key fingerprint.
    Sshfp {
        /// The key's algorithm (1 RSA, 2 DSA, 3 ECDSA, 4 Ed25519, ...).
        algorithm: u8,
        /// The hash (1 SHA-1, 2 SHA-256).
        fingerprint_type: u8,
        /// The hash, as lower-case hex.
        fingerprint: String,
    },
    /// A general service binding.
    Svcb(Svcb),
    /// A TLS certificate association.
    Tlsa {
        /// Which certificate in the chain is matched (0 to 3).
        usage: u8,
        /// Whole certificate (0) or its public key (1).
        selector: u8,
        /// Exact (0), SHA-256 (1) or SHA-512 (2).
        matching_type: u8,
        /// The association data, as lower-case hex.
        data: String,
    },
    /// The logical text of a TXT record: escapes resolved, chunks joined.
    Txt(String),
}

/// The CAA property tags in the IANA registry (RFC 8659, 9495, ...).
pub const CAA_TAGS: [&str; 7] = [
    "issue",
    "issuewild",
    "iodef",
    "issuemail",
    "issuevmc",
    "contactemail",
    "contactphone",
];

/// Validates a CAA record's tag.
pub fn check_caa_tag(tag: &str) -> Result<(), RDataError> {
    let tag_ = || tag.to_string();
    if tag.is_empty() || tag.len() > 15 || !tag.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(RDataError::CaaTagSyntax { tag: tag_() });
    }
    if !CAA_TAGS.contains(&tag) {
        return Err(RDataError::UnknownCaaTag { tag: tag_() });
    }
    Ok(())
}

/// Validates a hex string of a hash and returns it lower-cased.
pub fn check_hex(
    what: &'static str,
    s: &str,
    expected_len: Option<usize>,
) -> Result<String, RDataError> {
    if s.is_empty() || s.len() % 2 != 0 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(RDataError::NotHex {
            field: what,
            value: s.to_string(),
        });
    }
    if let Some(n) = expected_len {
        if s.len() != n {
            return Err(RDataError::DigestLength {
                field: what,
                found: s.len(),
                expected: n,
            });
        }
    }
    Ok(s.to_ascii_lowercase())
}

/// Expected hex length of an SSHFP fingerprint for its type (1 SHA-1, 2 SHA-256).
pub fn sshfp_len(fingerprint_type: u8) -> Option<usize> {
    match fingerprint_type {
        1 => Some(40),
        2 => Some(64),
        _ => None,
    }
}

/// Expected hex length of TLSA data for its matching type (1 SHA-256, 2 SHA-512).
pub fn tlsa_len(matching_type: u8) -> Option<usize> {
    match matching_type {
        1 => Some(64),
        2 => Some(128),
        _ => None,
    }
}

impl RData {
    /// The value's record type.
    pub fn rtype(&self) -> RType {
        match self {
            RData::Soa(_) => RType::Soa,
            RData::Ns(_) => RType::Ns,
            RData::A(_) => RType::A,
            RData::Aaaa(_) => RType::Aaaa,
            RData::Caa { .. } => RType::Caa,
            RData::Cname(_) => RType::Cname,
            RData::Https(_) => RType::Https,
            RData::Mx { .. } => RType::Mx,
            RData::Ptr(_) => RType::Ptr,
            RData::Srv { .. } => RType::Srv,
            RData::Sshfp { .. } => RType::Sshfp,
            RData::Svcb(_) => RType::Svcb,
            RData::Tlsa { .. } => RType::Tlsa,
            RData::Txt(_) => RType::Txt,
        }
    }

    /// The name this value points at, for types whose value is a host name.
    pub fn target(&self) -> Option<&Name> {
        match self {
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => Some(n),
            RData::Mx { exchange, .. } => Some(exchange),
            RData::Srv { target, .. } => Some(target),
            RData::Https(s) | RData::Svcb(s) => Some(&s.target),
            _ => None,
        }
    }

    /// The length of the value on the wire (RDATA, names uncompressed).
    pub fn wire_len(&self) -> usize {
        let name = |n: &Name| n.wire_len();
        match self {
            RData::A(_) => 4,
            RData::Aaaa(_) => 16,
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => name(n),
            RData::Mx { exchange, .. } => 2 + name(exchange),
            RData::Srv { target, .. } => 6 + name(target),
            RData::Caa { tag, value, .. } => 2 + tag.len() + value.len(),
            RData::Sshfp { fingerprint, .. } => 2 + fingerprint.len() / 2,
            RData::Tlsa { data, .. } => 3 + data.len() / 2,
            RData::Txt(t) => t.len() + t.len().div_ceil(255).max(1),
            RData::Soa(s) => name(&s.mname) + name(&s.rname) + 20,
            RData::Svcb(s) | RData::Https(s) => {
                let params: usize = s
                    .params
                    .iter()
                    .map(|p| 4 + svc_value_len(&p.key, p.value.as_deref().unwrap_or("")))
                    .sum();
                2 + name(&s.target) + params
            }
        }
    }

    /// Parses the presentation form of a value (the fields after the type in a zone
    /// file line). TXT fields are the already-unescaped character-strings.
    pub fn parse(rtype: RType, fields: &[String]) -> Result<RData, RDataError> {
        let want = |n: usize| -> Result<(), RDataError> {
            if fields.len() == n {
                Ok(())
            } else {
                Err(RDataError::FieldCount {
                    rtype,
                    expected: n,
                    found: fields.len(),
                })
            }
        };
        let fqdn = |s: &str| Name::parse_fqdn(s);
        Ok(match rtype {
            RType::A => {
                want(1)?;
                RData::A(parse_ipv4(&fields[0])?)
            }
            RType::Aaaa => {
                want(1)?;
                RData::Aaaa(parse_ipv6(&fields[0])?)
            }
            RType::Ns => {
                want(1)?;
                RData::Ns(fqdn(&fields[0])?)
            }
            RType::Cname => {
                want(1)?;
                RData::Cname(fqdn(&fields[0])?)
            }
            RType::Ptr => {
                want(1)?;
                RData::Ptr(fqdn(&fields[0])?)
            }
            RType::Mx => {
                want(2)?;
                RData::Mx {
                    preference: num(&fields[0], "MX preference")?,
                    exchange: fqdn(&fields[1])?,
                }
            }
            RType::Srv => {
                want(4)?;
                RData::Srv {
                    priority: num(&fields[0], "SRV priority")?,
                    weight: num(&fields[1], "SRV weight")?,
                    port: num(&fields[2], "SRV port")?,
                    target: fqdn(&fields[3])?,
                }
            }
            RType::Caa => {
                want(3)?;
                check_caa_tag(&fields[1])?;
                RData::Caa {
                    flags: num(&fields[0], "CAA flags")?,
                    tag: fields[1].clone(),
                    value: fields[2].clone(),
                }
            }
            RType::Sshfp => {
                if fields.len() < 3 {
                    want(3)?;
                }
                let fingerprint_type = num(&fields[1], "SSHFP fingerprint type")?;
                RData::Sshfp {
                    algorithm: num(&fields[0], "SSHFP algorithm")?,
                    fingerprint_type,
                    fingerprint: check_hex(
                        "SSHFP fingerprint",
                        &fields[2..].concat(),
                        sshfp_len(fingerprint_type),
                    )?,
                }
            }
            RType::Tlsa => {
                if fields.len() < 4 {
                    want(4)?;
                }
                let matching_type = num(&fields[2], "TLSA matching type")?;
                RData::Tlsa {
                    usage: num(&fields[0], "TLSA certificate usage")?,
                    selector: num(&fields[1], "TLSA selector")?,
                    matching_type,
                    data: check_hex("TLSA data", &fields[3..].concat(), tlsa_len(matching_type))?,
                }
            }
            RType::Txt => {
                if fields.is_empty() {
                    return Err(RDataError::EmptyTxt);
                }
                RData::Txt(fields.concat())
            }
            RType::Svcb | RType::Https => {
                if fields.len() < 2 {
                    want(2)?;
                }
                let mut params = Vec::new();
                for f in &fields[2..] {
                    let (key, value) = match f.split_once('=') {
                        Some((k, v)) => (k, Some(unquote(v)?)),
                        None => (f.as_str(), None),
                    };
                    params.push(SvcParam {
                        key: key.to_ascii_lowercase(),
                        value,
                    });
                }
                let svcb = Svcb::new(num(&fields[0], "SVCB priority")?, fqdn(&fields[1])?, params)?;
                if rtype == RType::Https {
                    RData::Https(svcb)
                } else {
                    RData::Svcb(svcb)
                }
            }
            RType::Soa => {
                want(7)?;
                RData::Soa(Soa {
                    mname: fqdn(&fields[0])?,
                    rname: fqdn(&fields[1])?,
                    serial: num(&fields[2], "SOA serial")?,
                    refresh: parse_ttl(&fields[3])?,
                    retry: parse_ttl(&fields[4])?,
                    expire: parse_ttl(&fields[5])?,
                    minimum: parse_ttl(&fields[6])?,
                })
            }
        })
    }
}

/// The RFC 1035 presentation form of the value, as written in a zone file.
/// TXT is written as quoted strings of at most 255 octets each.
impl fmt::Display for RData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RData::A(ip) => write!(f, "{ip}"),
            RData::Aaaa(ip) => write!(f, "{ip}"),
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => write!(f, "{n}"),
            RData::Mx {
                preference,
                exchange,
            } => write!(f, "{preference} {exchange}"),
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => write!(f, "{priority} {weight} {port} {target}"),
            RData::Caa { flags, tag, value } => {
                write!(f, "{flags} {tag} {}", quote(value.as_bytes()))
            }
            RData::Sshfp {
                algorithm,
                fingerprint_type,
                fingerprint,
            } => {
                write!(
                    f,
                    "{algorithm} {fingerprint_type} {}",
                    fingerprint.to_ascii_uppercase()
                )
            }
            RData::Tlsa {
                usage,
                selector,
                matching_type,
                data,
            } => {
                write!(
                    f,
                    "{usage} {selector} {matching_type} {}",
                    data.to_ascii_uppercase()
                )
            }
            RData::Txt(text) => {
                let bytes = text.as_bytes();
                if bytes.is_empty() {
                    return f.write_str("\"\"");
                }
                for (i, chunk) in bytes.chunks(255).enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(&quote(chunk))?;
                }
                Ok(())
            }
            RData::Svcb(s) | RData::Https(s) => {
                write!(f, "{} {}", s.priority, s.target)?;
                for p in &s.params {
                    match &p.value {
                        Some(v) if needs_quotes(v) => {
                            write!(f, " {}={}", p.key, quote(v.as_bytes()))?
                        }
                        Some(v) => write!(f, " {}={v}", p.key)?,
                        None => write!(f, " {}", p.key)?,
                    }
                }
                Ok(())
            }
            RData::Soa(s) => write!(
                f,
                "{} {} {} {} {} {} {}",
                s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum
            ),
        }
    }
}

/// A parameter value as written after `key=`: a quoted string has its
/// escapes resolved; a bare word is taken as it is.
fn unquote(v: &str) -> Result<String, SvcbError> {
    let Some(inner) = v.strip_prefix('"').and_then(|i| i.strip_suffix('"')) else {
        return Ok(v.to_string());
    };
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let digits = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(u8::is_ascii_digit));
        if let Some(d) = digits {
            let n = d.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
            out.push(u8::try_from(n).map_err(|_| SvcbError::Escape { number: n })?);
            i += 4;
        } else if let Some(&c) = bytes.get(i + 1) {
            out.push(c);
            i += 2;
        } else {
            return Err(SvcbError::LoneBackslash {
                value: v.to_string(),
            });
        }
    }
    String::from_utf8(out).map_err(|_| SvcbError::NotUtf8 {
        value: v.to_string(),
    })
}

fn needs_quotes(v: &str) -> bool {
    v.is_empty()
        || v.bytes()
            .any(|b| b <= b' ' || b >= 0x7f || matches!(b, b'"' | b';' | b'(' | b')' | b'\\'))
}

/// A quoted character-string, escaping what a zone file parser would misread.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

/// Parses an IPv4 address in dotted-quad form.
pub fn parse_ipv4(s: &str) -> Result<Ipv4Addr, RDataError> {
    Ipv4Addr::from_str(s).map_err(|_| RDataError::Ipv4 {
        value: s.to_string(),
    })
}

/// Parses an IPv6 address.
pub fn parse_ipv6(s: &str) -> Result<Ipv6Addr, RDataError> {
    Ipv6Addr::from_str(s).map_err(|_| RDataError::Ipv6 {
        value: s.to_string(),
    })
}

fn num<T: FromStr>(s: &str, what: &'static str) -> Result<T, RDataError> {
    s.parse::<T>().map_err(|_| RDataError::Number {
        field: what,
        value: s.to_string(),
    })
}

/// The largest TTL allowed (RFC 2181 section 8).
pub const MAX_TTL: u32 = 2_147_483_647;

/// Parses a TTL: seconds, or BIND's unit form such as `1h30m`, `1d`, `2w`.
pub fn parse_ttl(s: &str) -> Result<u32, RDataError> {
    let bad = || RDataError::Ttl {
        value: s.to_string(),
    };
    if s.is_empty() {
        return Err(bad());
    }
    if let Ok(n) = s.parse::<u64>() {
        return u32::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_TTL)
            .ok_or_else(bad);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        total = total
            .checked_add(n.checked_mul(unit).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    u32::try_from(total)
        .ok()
        .filter(|n| *n <= MAX_TTL)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: RType, s: &str) -> Result<RData, RDataError> {
        RData::parse(
            t,
            &s.split_whitespace().map(str::to_string).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn presentation_round_trip() {
        for (t, s) in [
            (RType::A, "192.0.2.1"),
            (RType::Aaaa, "2001:db8::1"),
            (RType::Mx, "10 mail.example.com."),
            (RType::Srv, "10 60 5060 sip.example.com."),
            (RType::Caa, "0 issue \"letsencrypt.org\""),
            (
                RType::Sshfp,
                "4 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
            ),
            (RType::Https, "1 . alpn=h2,h3 port=443"),
        ] {
            let fields: Vec<String> = s
                .split_whitespace()
                .map(|f| f.trim_matches('"').to_string())
                .collect();
            let v = RData::parse(t, &fields).unwrap();
            assert_eq!(v.to_string(), s, "{t}");
        }
    }

    #[test]
    fn rejects_bad_values() {
        assert!(p(RType::A, "1.2.3").is_err());
        assert!(p(RType::Aaaa, "1.2.3.4").is_err());
        assert!(p(RType::Mx, "10 mail")
            .unwrap_err()
            .to_string()
            .contains("fully qualified"));
        assert_eq!(
            p(RType::Caa, "0 issues x"),
            Err(RDataError::UnknownCaaTag {
                tag: "issues".into()
            })
        );
        assert_eq!(
            p(RType::Sshfp, "4 2 abcd").unwrap_err().to_string(),
            "SSHFP fingerprint has 4 hex digits, expected 64 for its hash type"
        );
        assert!(p(RType::Https, "1 . port=http").is_err());
        assert!(p(RType::Https, "0 . alpn=h2").is_err());
    }

    #[test]
    fn txt_is_chunked_at_255_octets() {
        let v = RData::Txt("x".repeat(300));
        let s = v.to_string();
        assert_eq!(s, format!("\"{}\" \"{}\"", "x".repeat(255), "x".repeat(45)));
        assert_eq!(
            RData::Txt("a\"b\\c\u{e9}".into()).to_string(),
            "\"a\\\"b\\\\c\\195\\169\""
        );
    }

    #[test]
    fn wire_codes_are_the_registry_numbers() {
        for t in RType::ALL {
            assert_eq!(RType::from_code(t.code()), Some(t));
        }
        assert_eq!(
            (RType::Aaaa.code(), RType::Https.code(), RType::Caa.code()),
            (28, 65, 257)
        );
        assert_eq!(RType::from_code(41), None);
        for (n, name) in [
            (0, "mandatory"),
            (2, "no-default-alpn"),
            (6, "ipv6hint"),
            (7, "key7"),
            (65535, "key65535"),
        ] {
            assert_eq!(svc_key_name(n), name);
            assert_eq!(svc_key_number(name), Ok(n));
        }
    }

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("3600").unwrap(), 3600);
        assert_eq!(parse_ttl("1h30m").unwrap(), 5400);
        assert_eq!(parse_ttl("1W").unwrap(), 604_800);
        assert!(parse_ttl("2147483648").is_err());
        assert!(parse_ttl("5x").is_err());
        assert!(parse_ttl("10h5").is_err());
    }
}
