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

/// One SVCB/HTTPS service parameter (RFC 9460 section 7), as a typed value.
/// [`Svcb::new`] checks the parameters of a record together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SvcParam {
    /// `mandatory`: the keys a client must understand, by number, sorted.
    Mandatory(Vec<u16>),
    /// `alpn`: the protocol ids (`h2`, `h3`), in the order of preference.
    Alpn(Vec<String>),
    /// `no-default-alpn`: the default protocol is not offered.
    NoDefaultAlpn,
    /// `port`: the service's port.
    Port(u16),
    /// `ipv4hint`: addresses a client may use before resolving the target.
    Ipv4Hint(Vec<Ipv4Addr>),
    /// `ech`: an encrypted ClientHello configuration list.
    Ech(Vec<u8>),
    /// `ipv6hint`: addresses a client may use before resolving the target.
    Ipv6Hint(Vec<Ipv6Addr>),
    /// `keyNNNNN`: a key without a name here, and its value as octets
    /// (empty for no value).
    Unknown {
        /// The key's number.
        key: u16,
        /// The value's octets.
        value: Vec<u8>,
    },
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

fn base64() -> impl base64::Engine {
    // Padded, and the bits the padding leaves over must be zero: canonical,
    // as BIND requires.
    base64::engine::general_purpose::STANDARD
}

impl SvcParam {
    /// The key's registry number.
    pub fn key(&self) -> u16 {
        match self {
            SvcParam::Mandatory(_) => 0,
            SvcParam::Alpn(_) => 1,
            SvcParam::NoDefaultAlpn => 2,
            SvcParam::Port(_) => 3,
            SvcParam::Ipv4Hint(_) => 4,
            SvcParam::Ech(_) => 5,
            SvcParam::Ipv6Hint(_) => 6,
            SvcParam::Unknown { key, .. } => *key,
        }
    }

    /// The key's presentation name (`alpn`, `key65000`).
    pub fn key_name(&self) -> String {
        svc_key_name(self.key())
    }

    /// Reads a parameter from its presentation form: the key, and the value
    /// with any zone-file escapes already resolved (`None` when there is
    /// none). A list (`alpn`, `mandatory`, hints) is comma-separated.
    pub fn parse(key: &str, value: Option<&str>) -> Result<SvcParam, SvcbError> {
        SvcParam::parse_octets(svc_key_number(key)?, value.map(str::as_bytes), &|| {
            value.unwrap_or_default().to_string()
        })
    }

    /// Like [`SvcParam::parse`] for key number `key` and a value of any
    /// octets; `written` is the value as the user wrote it, for messages.
    fn parse_octets(
        key: u16,
        value: Option<&[u8]>,
        written: &dyn Fn() -> String,
    ) -> Result<SvcParam, SvcbError> {
        if key >= 7 {
            let value = value.unwrap_or_default().to_vec();
            return Ok(SvcParam::Unknown { key, value });
        }
        let text = std::str::from_utf8(value.unwrap_or_default())
            .map_err(|_| SvcbError::NotUtf8 { value: written() })?;
        if text.is_empty() && matches!(key, 0 | 1 | 5) {
            return Err(SvcbError::MissingValue {
                key: svc_key_name(key),
            });
        }
        Ok(match key {
            0 => SvcParam::Mandatory(
                value_list(text)?
                    .into_iter()
                    .map(svc_key_number)
                    .collect::<Result<_, _>>()?,
            ),
            1 => SvcParam::Alpn(value_list(text)?.into_iter().map(str::to_string).collect()),
            2 if !text.is_empty() => return Err(SvcbError::NoDefaultAlpnValue),
            2 => SvcParam::NoDefaultAlpn,
            3 => SvcParam::Port(text.parse().map_err(|_| SvcbError::Port {
                value: text.to_string(),
            })?),
            4 => SvcParam::Ipv4Hint(
                text.split(',')
                    .map(|ip| {
                        Ipv4Addr::from_str(ip).map_err(|_| SvcbError::Ipv4Hint {
                            value: ip.to_string(),
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            5 => {
                use base64::Engine as _;
                SvcParam::Ech(base64().decode(text).map_err(|_| SvcbError::Ech {
                    value: text.to_string(),
                })?)
            }
            _ => SvcParam::Ipv6Hint(
                text.split(',')
                    .map(|ip| {
                        Ipv6Addr::from_str(ip).map_err(|_| SvcbError::Ipv6Hint {
                            value: ip.to_string(),
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
        })
    }

    /// The value in presentation form, escapes not applied; `None` when the
    /// parameter has no value. An unnamed key's octets are shown as text
    /// (invalid UTF-8 replaced); the zone file form writes them exactly.
    pub fn value_text(&self) -> Option<String> {
        self.value_octets()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    }

    fn value_octets(&self) -> Option<Vec<u8>> {
        let join = |items: Vec<String>| Some(items.join(",").into_bytes());
        match self {
            SvcParam::Mandatory(keys) => join(keys.iter().map(|k| svc_key_name(*k)).collect()),
            SvcParam::Alpn(ids) => join(ids.clone()),
            SvcParam::NoDefaultAlpn => None,
            SvcParam::Port(p) => Some(p.to_string().into_bytes()),
            SvcParam::Ipv4Hint(ips) => join(ips.iter().map(ToString::to_string).collect()),
            SvcParam::Ech(b) => {
                use base64::Engine as _;
                Some(base64().encode(b).into_bytes())
            }
            SvcParam::Ipv6Hint(ips) => join(ips.iter().map(ToString::to_string).collect()),
            SvcParam::Unknown { value, .. } if value.is_empty() => None,
            SvcParam::Unknown { value, .. } => Some(value.clone()),
        }
    }

    /// The value in wire form (RFC 9460 section 7), without key and length.
    pub fn wire_value(&self) -> Vec<u8> {
        let mut o = Vec::new();
        match self {
            SvcParam::Mandatory(keys) => keys.iter().for_each(|k| o.extend(k.to_be_bytes())),
            SvcParam::Alpn(ids) => {
                for id in ids {
                    // Ids are 2 to 255 octets: Svcb::new checks.
                    o.push(id.len() as u8);
                    o.extend_from_slice(id.as_bytes());
                }
            }
            SvcParam::NoDefaultAlpn => {}
            SvcParam::Port(p) => o.extend(p.to_be_bytes()),
            SvcParam::Ipv4Hint(ips) => ips.iter().for_each(|ip| o.extend(ip.octets())),
            SvcParam::Ech(b) => o.extend_from_slice(b),
            SvcParam::Ipv6Hint(ips) => ips.iter().for_each(|ip| o.extend(ip.octets())),
            SvcParam::Unknown { value, .. } => o.extend_from_slice(value),
        }
        o
    }

    /// Reads the wire form of key number `key`'s value.
    pub fn from_wire(key: u16, v: &[u8]) -> Result<SvcParam, SvcbError> {
        let bad = |problem: &'static str| SvcbError::Wire {
            key: svc_key_name(key),
            problem,
        };
        Ok(match key {
            0 if v.len() % 2 != 0 => return Err(bad("has an odd length")),
            0 => SvcParam::Mandatory(
                v.chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect(),
            ),
            1 => {
                let mut ids = Vec::new();
                let mut rest = v;
                while let Some((&n, tail)) = rest.split_first() {
                    let id = tail
                        .get(..usize::from(n))
                        .ok_or(bad("id runs past its parameter"))?;
                    ids.push(String::from_utf8_lossy(id).into_owned());
                    rest = &tail[id.len()..];
                }
                SvcParam::Alpn(ids)
            }
            2 if !v.is_empty() => return Err(SvcbError::NoDefaultAlpnValue),
            2 => SvcParam::NoDefaultAlpn,
            3 => SvcParam::Port(u16::from_be_bytes(
                v.try_into().map_err(|_| bad("is not 2 octets"))?,
            )),
            4 if v.is_empty() || v.len() % 4 != 0 => return Err(bad("is not a list of addresses")),
            4 => SvcParam::Ipv4Hint(
                v.chunks(4)
                    .map(|c| Ipv4Addr::new(c[0], c[1], c[2], c[3]))
                    .collect(),
            ),
            5 => SvcParam::Ech(v.to_vec()),
            6 if v.is_empty() || v.len() % 16 != 0 => {
                return Err(bad("is not a list of addresses"))
            }
            6 => SvcParam::Ipv6Hint(
                v.chunks(16)
                    .map(|c| Ipv6Addr::from(<[u8; 16]>::try_from(c).expect("16 octets")))
                    .collect(),
            ),
            _ => SvcParam::Unknown {
                key,
                value: v.to_vec(),
            },
        })
    }

    /// What BIND and Knot check of a parameter beside the others (`seen`:
    /// the keys of the record).
    fn check(&self, seen: &std::collections::BTreeSet<u16>) -> Result<(), SvcbError> {
        let missing = || SvcbError::MissingValue {
            key: self.key_name(),
        };
        match self {
            SvcParam::NoDefaultAlpn if !seen.contains(&1) => Err(SvcbError::NoDefaultAlpnAlone),
            SvcParam::Alpn(ids) if ids.is_empty() => Err(missing()),
            SvcParam::Alpn(ids) => {
                let value = || ids.join(",");
                for id in ids {
                    // RFC 9460 allows `\,` inside an id, but Knot refuses it.
                    if id.contains([',', '\\']) {
                        return Err(SvcbError::Backslash { value: value() });
                    }
                    // One octet is legal, but no registered id is that
                    // short and Knot 3.2 refuses one before a comma.
                    if id.len() < 2 || id.len() > 255 {
                        return Err(SvcbError::AlpnLength {
                            value: value(),
                            octets: id.len(),
                        });
                    }
                }
                Ok(())
            }
            SvcParam::Mandatory(keys) if keys.is_empty() => Err(missing()),
            SvcParam::Mandatory(keys) => {
                let mut listed = std::collections::BTreeSet::new();
                for &k in keys {
                    if k == 0 || !seen.contains(&k) || !listed.insert(k) {
                        return Err(SvcbError::Mandatory {
                            value: self.value_text().unwrap_or_default(),
                            key: svc_key_name(k),
                        });
                    }
                }
                Ok(())
            }
            SvcParam::Ech(b) if b.is_empty() => Err(missing()),
            SvcParam::Ipv4Hint(ips) if ips.is_empty() => Err(missing()),
            SvcParam::Ipv6Hint(ips) if ips.is_empty() => Err(missing()),
            _ => Ok(()),
        }
    }
}

impl Svcb {
    /// Checks the parameters together and normalises them (sorted by key
    /// number, `mandatory`'s keys sorted as on the wire). What passes is
    /// what BIND and Knot load: `mandatory` lists keys that are present,
    /// `no-default-alpn` comes with `alpn`, alias mode has no parameters.
    pub fn new(priority: u16, target: Name, mut params: Vec<SvcParam>) -> Result<Svcb, SvcbError> {
        for p in &mut params {
            // A named key given by number is that key.
            if let SvcParam::Unknown {
                key: key @ ..7,
                value,
            } = p
            {
                *p = SvcParam::from_wire(*key, value)?;
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &params {
            if !seen.insert(p.key()) {
                return Err(SvcbError::DuplicateKey { key: p.key_name() });
            }
        }
        for p in &params {
            p.check(&seen)?;
        }
        if priority == 0 && !params.is_empty() {
            return Err(SvcbError::AliasWithParams);
        }
        for p in &mut params {
            if let SvcParam::Mandatory(keys) = p {
                keys.sort_unstable();
            }
        }
        params.sort_by_key(SvcParam::key);
        Ok(Svcb {
            priority,
            target,
            params,
        })
    }

    /// Like [`Svcb::new`], from parameters in presentation form: each key
    /// and its value (escapes resolved, `None` for none), in the order
    /// written. Problems are reported in that order.
    pub fn parse(
        priority: u16,
        target: Name,
        params: &[(String, Option<String>)],
    ) -> Result<Svcb, SvcbError> {
        Svcb::parse_octets(
            priority,
            target,
            params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_deref().map(str::as_bytes), v.clone()))
                .collect(),
        )
    }

    /// [`Svcb::parse`] with values of any octets, each with its text as
    /// written for messages.
    fn parse_octets(
        priority: u16,
        target: Name,
        params: Vec<WrittenParam<'_>>,
    ) -> Result<Svcb, SvcbError> {
        let mut seen = std::collections::BTreeSet::new();
        for (key, _, _) in &params {
            if !seen.insert(svc_key_number(key)?) {
                return Err(SvcbError::DuplicateKey {
                    key: key.to_string(),
                });
            }
        }
        let mut typed = Vec::with_capacity(params.len());
        for (key, value, written) in params {
            let p = SvcParam::parse_octets(svc_key_number(key)?, value, &|| {
                written.clone().unwrap_or_default()
            })?;
            p.check(&seen)?;
            typed.push(p);
        }
        Svcb::new(priority, target, typed)
    }
}

/// An SVCB parameter as written: its key, its value's octets (escapes
/// resolved), and the value's text as written, for messages.
type WrittenParam<'a> = (&'a str, Option<&'a [u8]>, Option<String>);

/// The items of an SVCB value list (`alpn`, `mandatory`): comma-separated.
/// RFC 9460 allows `\,` inside an item, but Knot refuses it, so a backslash
/// is refused here rather than written into a file a server will not load.
fn value_list(v: &str) -> Result<Vec<&str>, SvcbError> {
    if v.contains('\\') {
        return Err(SvcbError::Backslash {
            value: v.to_string(),
        });
    }
    Ok(v.split(',').collect())
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
        /// The hash.
        fingerprint: Vec<u8>,
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
        /// The association data: a hash, or the whole certificate or key.
        data: Vec<u8>,
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

/// Reads a hex string of a hash (`expected_len` hex digits, when its type
/// says) into its octets.
pub fn parse_hex(
    what: &'static str,
    s: &str,
    expected_len: Option<usize>,
) -> Result<Vec<u8>, RDataError> {
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
    Ok((0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect())
}

/// Octets as lower-case hex, as digests are shown in YAML and APIs.
pub fn to_hex(octets: &[u8]) -> String {
    octets.iter().map(|b| format!("{b:02x}")).collect()
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
            RData::Sshfp { fingerprint, .. } => 2 + fingerprint.len(),
            RData::Tlsa { data, .. } => 3 + data.len(),
            RData::Txt(t) => t.len() + t.len().div_ceil(255).max(1),
            RData::Soa(s) => name(&s.mname) + name(&s.rname) + 20,
            RData::Svcb(s) | RData::Https(s) => {
                let params: usize = s.params.iter().map(|p| 4 + p.wire_value().len()).sum();
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
                    fingerprint: parse_hex(
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
                    data: parse_hex("TLSA data", &fields[3..].concat(), tlsa_len(matching_type))?,
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
                // Each key, its value's octets, and the value as written.
                let mut params = Vec::new();
                for f in &fields[2..] {
                    params.push(match f.split_once('=') {
                        Some((k, v)) => (k.to_ascii_lowercase(), Some((unquote(v)?, v))),
                        None => (f.to_ascii_lowercase(), None),
                    });
                }
                let params = params
                    .iter()
                    .map(|(k, v)| {
                        let written = v.as_ref().map(|(_, w)| w.to_string());
                        (k.as_str(), v.as_ref().map(|(o, _)| o.as_slice()), written)
                    })
                    .collect();
                let svcb = Svcb::parse_octets(
                    num(&fields[0], "SVCB priority")?,
                    fqdn(&fields[1])?,
                    params,
                )?;
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
                    to_hex(fingerprint).to_ascii_uppercase()
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
                    to_hex(data).to_ascii_uppercase()
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
                    let key = p.key_name();
                    match p.value_octets() {
                        Some(v) if needs_quotes(&v) => write!(f, " {key}={}", quote(&v))?,
                        Some(v) => write!(f, " {key}={}", String::from_utf8_lossy(&v))?,
                        None => write!(f, " {key}")?,
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
fn unquote(v: &str) -> Result<Vec<u8>, SvcbError> {
    let Some(inner) = v.strip_prefix('"').and_then(|i| i.strip_suffix('"')) else {
        return Ok(v.as_bytes().to_vec());
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
    Ok(out)
}

fn needs_quotes(v: &[u8]) -> bool {
    v.is_empty()
        || v.iter()
            .any(|&b| b <= b' ' || b >= 0x7f || matches!(b, b'"' | b';' | b'(' | b')' | b'\\'))
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
    fn svc_params_are_typed_values() {
        let RData::Https(h) = p(
            RType::Https,
            "1 . mandatory=port,alpn alpn=h2,h3 key3=8443 ipv6hint=2001:DB8::1 ech=AQID key65000=\"\\255\"",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(
            h.params,
            [
                SvcParam::Mandatory(vec![1, 3]),
                SvcParam::Alpn(vec!["h2".into(), "h3".into()]),
                SvcParam::Port(8443),
                SvcParam::Ech(vec![1, 2, 3]),
                SvcParam::Ipv6Hint(vec!["2001:db8::1".parse().unwrap()]),
                SvcParam::Unknown {
                    key: 65000,
                    value: vec![255]
                },
            ]
        );
        // Written as BIND writes it: mandatory keys sorted, names for numbers.
        let text = RData::Https(h.clone()).to_string();
        assert_eq!(
            text,
            "1 . mandatory=alpn,port alpn=h2,h3 port=8443 ech=AQID ipv6hint=2001:db8::1 key65000=\"\\255\""
        );
        // Every parameter's wire form reads back as itself.
        for param in &h.params {
            assert_eq!(
                SvcParam::from_wire(param.key(), &param.wire_value()).as_ref(),
                Ok(param)
            );
        }
        assert_eq!(h.params[0].wire_value(), [0, 1, 0, 3]);
        assert_eq!(
            SvcParam::from_wire(3, &[1]),
            Err(SvcbError::Wire {
                key: "port".into(),
                problem: "is not 2 octets"
            })
        );
        // no-default-alpn takes no value (the check was unreachable before).
        assert_eq!(
            p(RType::Https, "1 . alpn=h2 no-default-alpn=x"),
            Err(RDataError::Svcb(SvcbError::NoDefaultAlpnValue))
        );
    }

    #[test]
    fn digests_are_octets() {
        let v = p(RType::Tlsa, "3 1 0 0A0b").unwrap();
        assert!(matches!(&v, RData::Tlsa { data, .. } if data == &[0x0a, 0x0b]));
        assert_eq!(v.to_string(), "3 1 0 0A0B");
        assert_eq!(v.wire_len(), 5);
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
