//! Domain names, modelled as validated values rather than free strings.

use crate::error::NameError;
use std::fmt;

/// The longest presentation form of a name without its final dot: 253
/// characters are 255 octets on the wire (RFC 1035 section 2.3.4).
const MAX_NAME_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// An absolute domain name, lower-cased, always ending in a dot (`.` is the root).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(String);

impl Name {
    /// The root name `.`.
    pub fn root() -> Name {
        Name(".".to_string())
    }

    /// Parses an absolute name. A name without its trailing dot is refused so that
    /// a relative target is never silently completed with the wrong origin.
    pub fn parse_fqdn(s: &str) -> Result<Name, NameError> {
        if s == "." {
            return Ok(Name::root());
        }
        let Some(body) = s.strip_suffix('.') else {
            return Err(NameError::NotFullyQualified {
                name: s.to_string(),
            });
        };
        check_labels(body, false)?;
        Ok(Name(format!("{}.", body.to_ascii_lowercase())))
    }

    /// The name in presentation form, lower-case, with its final dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The length in wire form: a length octet per label, and the root's.
    pub fn wire_len(&self) -> usize {
        if self.0 == "." {
            1
        } else {
            self.0.len() + 1
        }
    }

    /// True when `self` is `zone` or lies below it.
    pub fn is_within(&self, zone: &Name) -> bool {
        zone.0 == "." || self.0 == zone.0 || self.0.ends_with(&format!(".{}", zone.0))
    }

    /// The name relative to `zone` (`""` for the apex), if it lies within it.
    pub fn relative_to(&self, zone: &Name) -> Option<String> {
        if self.0 == zone.0 {
            Some(String::new())
        } else if zone.0 == "." {
            Some(self.0.trim_end_matches('.').to_string())
        } else {
            self.0
                .strip_suffix(&format!(".{}", zone.0))
                .map(str::to_string)
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({})", self.0)
    }
}

/// Validates a relative owner name (`""` apex, `www`, `*.lab`, `_sip._tcp`) and
/// returns it lower-cased.
pub fn parse_owner(s: &str) -> Result<String, NameError> {
    if s.is_empty() {
        return Ok(String::new());
    }
    if s.ends_with('.') {
        return Err(NameError::OwnerEndsWithDot {
            name: s.to_string(),
        });
    }
    check_labels(s, true)?;
    Ok(s.to_ascii_lowercase())
}

/// The absolute form of owner `rel` in `zone`.
pub fn owner_fqdn(rel: &str, zone: &Name) -> String {
    match (rel.is_empty(), zone.as_str() == ".") {
        (true, _) => zone.to_string(),
        (false, true) => format!("{rel}."),
        (false, false) => format!("{rel}.{zone}"),
    }
}

fn check_labels(s: &str, owner: bool) -> Result<(), NameError> {
    let name = || s.to_string();
    if s.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong {
            name: name(),
            octets: s.len() + 2,
        });
    }
    for (i, label) in s.split('.').enumerate() {
        if label.is_empty() {
            return Err(NameError::EmptyLabel { name: name() });
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(NameError::LabelTooLong {
                name: name(),
                label: label.to_string(),
                max: MAX_LABEL_LEN,
            });
        }
        if label == "*" {
            if i != 0 {
                return Err(NameError::MisplacedWildcard { name: name() });
            }
            continue;
        }
        if let Some(character) = label.chars().find(|c| {
            !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || (!owner && *c == '*'))
        }) {
            return Err(NameError::BadCharacter {
                name: name(),
                character,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fqdn_needs_trailing_dot_and_lowercases() {
        assert!(Name::parse_fqdn("mail.example.com").is_err());
        assert_eq!(
            Name::parse_fqdn("Mail.Example.COM.").unwrap().as_str(),
            "mail.example.com."
        );
        assert!(Name::parse_fqdn("a..b.").is_err());
        assert_eq!(
            Name::parse_fqdn(&format!("x.{}.", "a".repeat(64))),
            Err(NameError::LabelTooLong {
                name: format!("x.{}", "a".repeat(64)),
                label: "a".repeat(64),
                max: 63
            })
        );
    }

    #[test]
    fn relative_names() {
        let zone = Name::parse_fqdn("example.com.").unwrap();
        let n = Name::parse_fqdn("www.example.com.").unwrap();
        assert_eq!(n.relative_to(&zone).as_deref(), Some("www"));
        assert_eq!(zone.relative_to(&zone).as_deref(), Some(""));
        assert!(Name::parse_fqdn("www.example.org.")
            .unwrap()
            .relative_to(&zone)
            .is_none());
        assert!(Name::parse_fqdn("badexample.com.")
            .unwrap()
            .relative_to(&zone)
            .is_none());
        assert_eq!(owner_fqdn("", &zone), "example.com.");
        assert_eq!(owner_fqdn("*.lab", &zone), "*.lab.example.com.");
    }

    #[test]
    fn owners() {
        assert_eq!(parse_owner("*.Lab").unwrap(), "*.lab");
        assert!(parse_owner("a.*").is_err());
        assert!(parse_owner("www.example.com.").is_err());
        assert!(parse_owner("bad name").is_err());
        assert!(parse_owner("bücher")
            .unwrap_err()
            .to_string()
            .ends_with("write internationalized names in punycode (xn--...)"));
        assert_eq!(parse_owner("xn--bcher-kva").unwrap(), "xn--bcher-kva");
    }
}
