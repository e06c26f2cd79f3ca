//! The `sops` metadata block: key groups with age stanzas, lastmodified,
//! MAC, partial-encryption settings and version.

use crate::error::{Error, MetadataError, Result, UnsupportedError};
use crate::value::{Map, Value};

/// The sops version we write into files (the version we are compatible with).
pub const SOPS_VERSION: &str = "3.11.0";

/// The default `unencrypted_suffix`.
pub const DEFAULT_UNENCRYPTED_SUFFIX: &str = "_unencrypted";

/// The data key (or Shamir share) wrapped for one age recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct AgeStanza {
    /// `age1…` recipient (or an ssh public key).
    pub recipient: String,
    /// The armored age file holding the data key.
    pub enc: String,
}

/// A key group: any one of its keys can unwrap the group's share.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyGroup {
    /// age keys.
    pub age: Vec<AgeStanza>,
    /// Key types we keep but cannot use (pgp, kms, gcp_kms, azure_kv,
    /// hc_vault), verbatim.
    pub other: Vec<(String, Value)>,
}

impl KeyGroup {
    /// The group's keys of other types, as `kind id` strings (see
    /// `other_key_id`), in file order.
    pub fn other_ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (kind, v) in &self.other {
            if let Value::List(items) = v {
                for item in items.iter().filter_map(Value::as_map) {
                    out.extend(other_key_id(kind, item));
                }
            }
        }
        out
    }

    /// Keeps only the keys of other types whose id is in `keep` (entries
    /// kept are untouched).
    pub(crate) fn retain_other(&mut self, keep: &[String]) {
        for (kind, v) in self.other.iter_mut() {
            if let Value::List(items) = v {
                items.retain(
                    |item| match item.as_map().and_then(|m| other_key_id(kind, m)) {
                        Some(id) => keep.contains(&id),
                        None => true,
                    },
                );
            }
        }
        self.other
            .retain(|(_, v)| !matches!(v, Value::List(l) if l.is_empty()));
    }
}

fn field<'a>(m: &'a Map, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("").trim()
}

/// Normalizes a PGP fingerprint: upper case, no spaces.
pub(crate) fn pgp_id(fp: &str) -> String {
    format!(
        "pgp {}",
        fp.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase()
    )
}

/// The identity of a key entry of another type (pgp, kms, gcp_kms,
/// azure_kv, hc_vault) in a file's metadata, as `kind id`: what
/// `.sops.yaml` names it by ([`crate::config`] gives rules' keys the same
/// form).
pub(crate) fn other_key_id(kind: &str, m: &Map) -> Option<String> {
    let id = match kind {
        "pgp" => return Some(pgp_id(field(m, "fp"))).filter(|s| s.len() > 4),
        "kms" => {
            let role = field(m, "role");
            if role.is_empty() {
                format!("kms {}", field(m, "arn"))
            } else {
                format!("kms {}+{role}", field(m, "arn"))
            }
        }
        "gcp_kms" => format!("gcp_kms {}", field(m, "resource_id")),
        "azure_kv" => format!(
            "azure_kv {}/keys/{}",
            field(m, "vault_url").trim_end_matches('/'),
            field(m, "name")
        ),
        "hc_vault" => format!(
            "hc_vault {}/v1/{}/keys/{}",
            field(m, "vault_address").trim_end_matches('/'),
            field(m, "engine_path").trim_matches('/'),
            field(m, "key_name")
        ),
        _ => return None,
    };
    Some(id)
}

/// Which values are encrypted, and how the MAC is computed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EncryptionRules {
    /// Keys ending with this are left in clear.
    pub unencrypted_suffix: Option<String>,
    /// Only keys ending with this are encrypted.
    pub encrypted_suffix: Option<String>,
    /// Keys matching this are left in clear.
    pub unencrypted_regex: Option<String>,
    /// Only keys matching this are encrypted.
    pub encrypted_regex: Option<String>,
    /// Values after a comment matching this are left in clear.
    pub unencrypted_comment_regex: Option<String>,
    /// Only values after a comment matching this are encrypted.
    pub encrypted_comment_regex: Option<String>,
    /// The MAC covers only encrypted values.
    pub mac_only_encrypted: bool,
}

impl EncryptionRules {
    /// sops' defaults: `unencrypted_suffix: _unencrypted` unless another rule is set.
    pub fn with_defaults(mut self) -> Self {
        if self.unencrypted_suffix.is_none()
            && self.encrypted_suffix.is_none()
            && self.unencrypted_regex.is_none()
            && self.encrypted_regex.is_none()
            && self.unencrypted_comment_regex.is_none()
            && self.encrypted_comment_regex.is_none()
        {
            self.unencrypted_suffix = Some(DEFAULT_UNENCRYPTED_SUFFIX.to_string());
        }
        self
    }

    /// sops refuses more than one of these at once.
    pub fn validate(&self) -> Result<()> {
        let n = [
            &self.unencrypted_suffix,
            &self.encrypted_suffix,
            &self.unencrypted_regex,
            &self.encrypted_regex,
            &self.unencrypted_comment_regex,
            &self.encrypted_comment_regex,
        ]
        .iter()
        .filter(|o| o.is_some())
        .count();
        if n > 1 {
            return Err(UnsupportedError::ConflictingRules.into());
        }
        Ok(())
    }
}

/// The metadata of an encrypted file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    /// Key groups (one group is written flat, as sops does).
    pub key_groups: Vec<KeyGroup>,
    /// Shares needed when there are several groups.
    pub shamir_threshold: Option<usize>,
    /// RFC 3339 time of the last change.
    pub lastmodified: String,
    /// The encrypted MAC.
    pub mac: String,
    /// Partial encryption settings.
    pub rules: EncryptionRules,
    /// sops version that wrote the file.
    pub version: String,
}

const OTHER_KEY_TYPES: [&str; 5] = ["kms", "gcp_kms", "azure_kv", "hc_vault", "pgp"];

fn wrong_type(field: &str, expected: &'static str, found: &Value) -> Error {
    MetadataError::WrongType {
        field: field.to_string(),
        expected,
        found: found.kind(),
    }
    .into()
}

fn bad_value(field: &str, expected: &'static str) -> Error {
    MetadataError::BadValue {
        field: field.to_string(),
        expected,
    }
    .into()
}

fn missing(entry: String, field: &'static str) -> Error {
    MetadataError::MissingField { entry, field }.into()
}

fn as_string(v: &Value, field: &str) -> Result<String> {
    match v {
        Value::Str(s) | Value::Time(s) => Ok(s.expose().to_string()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Float(f) => Ok(crate::goformat::format_f(*f)),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(wrong_type(field, "a string", other)),
    }
}

fn opt_string(m: &Map, field: &str) -> Result<Option<String>> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let s = as_string(v, field)?;
            Ok(if s.is_empty() { None } else { Some(s) })
        }
    }
}

fn age_list(v: &Value, field: &str) -> Result<Vec<AgeStanza>> {
    let items = match v {
        Value::Null => return Ok(Vec::new()),
        Value::List(l) => l,
        other => return Err(wrong_type(field, "a list", other)),
    };
    let mut out = Vec::new();
    for (i, item) in items
        .iter()
        .filter(|v| !matches!(v, Value::Comment(_)))
        .enumerate()
    {
        let entry = || format!("{field}[{i}]");
        let m = item
            .as_map()
            .ok_or_else(|| bad_value(&entry(), "a map with recipient and enc"))?;
        let recipient = opt_string(m, "recipient")?.ok_or_else(|| missing(entry(), "recipient"))?;
        let enc = opt_string(m, "enc")?.ok_or_else(|| missing(entry(), "enc"))?;
        out.push(AgeStanza { recipient, enc });
    }
    Ok(out)
}

fn group_from_map(m: &Map, field: &str) -> Result<KeyGroup> {
    let mut g = KeyGroup::default();
    if let Some(v) = m.get("age") {
        g.age = age_list(v, &format!("{field}.age"))?;
    }
    for t in OTHER_KEY_TYPES {
        if let Some(v) = m.get(t) {
            if matches!(v, Value::List(l) if !l.is_empty()) {
                g.other.push((t.to_string(), v.clone()));
            }
        }
    }
    Ok(g)
}

impl Metadata {
    /// Reads the metadata from the value of the `sops` key.
    pub(crate) fn from_value(v: &Value) -> Result<Metadata> {
        let m = v.as_map().ok_or_else(|| wrong_type("`sops`", "a map", v))?;
        let version = opt_string(m, "version")?.ok_or(MetadataError::NoVersion)?;
        let lastmodified = opt_string(m, "lastmodified")?.ok_or(MetadataError::NoLastModified)?;
        let mac = opt_string(m, "mac")?.unwrap_or_default();
        let shamir_threshold = match m.get("shamir_threshold") {
            None | Some(Value::Null) => None,
            Some(Value::Int(i)) if *i >= 0 => Some(*i as usize),
            Some(Value::Float(f)) if *f >= 0.0 && f.fract() == 0.0 => Some(*f as usize),
            Some(Value::Str(s)) => Some(
                s.expose()
                    .parse()
                    .map_err(|_| bad_value("shamir_threshold", "a number"))?,
            ),
            Some(other) => return Err(wrong_type("shamir_threshold", "a number", other)),
        };
        let shamir_threshold = shamir_threshold.filter(|t| *t > 0);
        let mut key_groups = Vec::new();
        match m.get("key_groups") {
            Some(Value::List(groups)) if !groups.is_empty() => {
                for (i, g) in groups
                    .iter()
                    .filter(|v| !matches!(v, Value::Comment(_)))
                    .enumerate()
                {
                    let gm = g
                        .as_map()
                        .ok_or_else(|| bad_value(&format!("key_groups[{i}]"), "a map"))?;
                    key_groups.push(group_from_map(gm, &format!("key_groups[{i}]"))?);
                }
            }
            _ => key_groups.push(group_from_map(m, "sops")?),
        }
        let mac_only_encrypted = match m.get("mac_only_encrypted") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::Str(s)) => crate::cipher::parse_go_bool(s.expose())
                .ok_or_else(|| bad_value("mac_only_encrypted", "true or false"))?,
            Some(other) => return Err(wrong_type("mac_only_encrypted", "a boolean", other)),
        };
        let rules = EncryptionRules {
            unencrypted_suffix: opt_string(m, "unencrypted_suffix")?,
            encrypted_suffix: opt_string(m, "encrypted_suffix")?,
            unencrypted_regex: opt_string(m, "unencrypted_regex")?,
            encrypted_regex: opt_string(m, "encrypted_regex")?,
            unencrypted_comment_regex: opt_string(m, "unencrypted_comment_regex")?,
            encrypted_comment_regex: opt_string(m, "encrypted_comment_regex")?,
            mac_only_encrypted,
        };
        Ok(Metadata {
            key_groups,
            shamir_threshold,
            lastmodified,
            mac,
            rules,
            version,
        })
    }

    /// All age recipients of the file.
    pub fn age_recipients(&self) -> Vec<String> {
        self.key_groups
            .iter()
            .flat_map(|g| g.age.iter().map(|a| a.recipient.clone()))
            .collect()
    }

    /// The metadata as the value of the `sops` key, in sops' field order.
    /// `nil_lists_as_null`: JSON writes a missing list as `null`, YAML as `[]`.
    pub(crate) fn to_value(&self, nil_lists_as_null: bool) -> Value {
        let age_value = |stanzas: &[AgeStanza]| {
            Value::List(
                stanzas
                    .iter()
                    .map(|a| {
                        let mut m = Map::new();
                        m.push("recipient", Value::str(a.recipient.clone()));
                        m.push("enc", Value::str(a.enc.clone()));
                        Value::Map(m)
                    })
                    .collect(),
            )
        };
        let other =
            |g: &KeyGroup, t: &str| g.other.iter().find(|(k, _)| k == t).map(|(_, v)| v.clone());
        let mut m = Map::new();
        if let Some(t) = self.shamir_threshold {
            m.push("shamir_threshold", Value::Int(t as i64));
        }
        let flat = self.key_groups.len() <= 1;
        if !flat {
            let groups = self
                .key_groups
                .iter()
                .map(|g| {
                    let mut gm = Map::new();
                    for t in ["pgp", "kms", "gcp_kms", "azure_kv"] {
                        if let Some(v) = other(g, t) {
                            gm.push(t, v);
                        }
                    }
                    let nil = if nil_lists_as_null {
                        Value::Null
                    } else {
                        Value::List(Vec::new())
                    };
                    gm.push(
                        "hc_vault",
                        other(g, "hc_vault").unwrap_or_else(|| nil.clone()),
                    );
                    gm.push(
                        "age",
                        if g.age.is_empty() {
                            nil
                        } else {
                            age_value(&g.age)
                        },
                    );
                    Value::Map(gm)
                })
                .collect();
            m.push("key_groups", Value::List(groups));
        }
        let g0 = if flat { self.key_groups.first() } else { None };
        if let Some(g) = g0 {
            for t in ["kms", "gcp_kms", "azure_kv", "hc_vault"] {
                if let Some(v) = other(g, t) {
                    m.push(t, v);
                }
            }
            if !g.age.is_empty() {
                m.push("age", age_value(&g.age));
            }
        }
        m.push("lastmodified", Value::str(self.lastmodified.clone()));
        m.push("mac", Value::str(self.mac.clone()));
        if let Some(g) = g0 {
            if let Some(v) = other(g, "pgp") {
                m.push("pgp", v);
            }
        }
        let r = &self.rules;
        for (k, v) in [
            ("unencrypted_suffix", &r.unencrypted_suffix),
            ("encrypted_suffix", &r.encrypted_suffix),
            ("unencrypted_regex", &r.unencrypted_regex),
            ("encrypted_regex", &r.encrypted_regex),
            ("unencrypted_comment_regex", &r.unencrypted_comment_regex),
            ("encrypted_comment_regex", &r.encrypted_comment_regex),
        ] {
            if let Some(v) = v {
                m.push(k, Value::str(v.clone()));
            }
        }
        if r.mac_only_encrypted {
            m.push("mac_only_encrypted", Value::Bool(true));
        }
        m.push("version", Value::str(self.version.clone()));
        Value::Map(m)
    }
}

/// The current UTC time as RFC 3339 without fractions (what sops writes).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339_from_unix(secs)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn rfc3339_from_unix(secs: u64) -> String {
    let days = secs / 86400;
    let rem = secs % 86400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The additional data of the MAC: `lastmodified` as Go's `time.RFC3339`
/// (no fractional seconds).
pub(crate) fn mac_aad(lastmodified: &str) -> Result<String> {
    let norm =
        crate::timefmt::normalize_rfc3339(lastmodified).ok_or_else(|| MetadataError::BadTime {
            value: lastmodified.to_string(),
        })?;
    // Drop the fraction, keep the zone.
    Ok(match norm.find('.') {
        Some(dot) => {
            let zone_at = norm[dot..]
                .find(['Z', '+', '-'])
                .map(|i| dot + i)
                .unwrap_or(norm.len());
            format!("{}{}", &norm[..dot], &norm[zone_at..])
        }
        None => norm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_time_formats() {
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(1_795_835_325), "2026-11-28T03:08:45Z");
        assert_eq!(rfc3339_from_unix(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn mac_aad_drops_fraction() {
        assert_eq!(
            mac_aad("2026-11-22T03:08:45.123Z").unwrap(),
            "2026-11-22T03:08:45Z"
        );
        assert_eq!(
            mac_aad("2026-11-22T03:08:45+01:00").unwrap(),
            "2026-11-22T03:08:45+01:00"
        );
        assert!(mac_aad("yesterday").is_err());
    }

    #[test]
    fn metadata_round_trips_through_value() {
        let md = Metadata {
            key_groups: vec![KeyGroup {
                age: vec![AgeStanza {
                    recipient: "age1x".into(),
                    enc: "-----BEGIN AGE ENCRYPTED FILE-----\nabc\n-----END AGE ENCRYPTED FILE-----\n".into(),
                }],
                other: vec![],
            }],
            shamir_threshold: None,
            lastmodified: "2026-11-22T03:08:45Z".into(),
            mac: "ENC[...]".into(),
            rules: EncryptionRules::default().with_defaults(),
            version: SOPS_VERSION.into(),
        };
        let v = md.to_value(false);
        let keys: Vec<&str> = v.as_map().unwrap().entries().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "age",
                "lastmodified",
                "mac",
                "unencrypted_suffix",
                "version"
            ]
        );
        assert_eq!(Metadata::from_value(&v).unwrap(), md);
    }

    #[test]
    fn missing_version_is_refused() {
        let mut m = Map::new();
        m.push("lastmodified", Value::str("2026-11-22T03:08:45Z"));
        m.push("mac", Value::str(""));
        let e = Metadata::from_value(&Value::Map(m)).unwrap_err();
        assert!(e.to_string().contains("version"), "{e}");
    }
}
