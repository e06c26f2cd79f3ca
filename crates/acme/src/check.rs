//! `dnsctl acme check <domain>`: what can go wrong before a first issuance,
//! found before the CA finds it. Each finding is ok, a warning, or a failure.
//!
//! - the provider's credentials can read the zone;
//! - CAA records (the closest set at or above the domain, within the zone)
//!   allow the CA, for the name and its wildcard;
//! - every authoritative nameserver answers with authority, and they agree
//!   on the NS set and the SOA serial;
//! - stale challenge values at `_acme-challenge` are listed (and removed with
//!   `clean`).

use crate::{challenge, hook, propagation, AcmeError, Settings};
use hickory_resolver::proto::rr::RecordType;
use provider::config::Config;
use provider::Provider;
use zone::{Name, RData, RType};

/// The CA domain that `issue` CAA values name for Let's Encrypt.
pub const DEFAULT_CA: &str = "letsencrypt.org";

/// How serious a finding is; ordered from fine to fatal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// As it should be.
    Ok,
    /// Works, but may not for every certificate or for long.
    Warn,
    /// Issuance will fail.
    Fail,
}

/// One thing `dnsctl acme check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How serious it is.
    pub level: Level,
    /// `credentials`, `caa`, `delegation`, `cname` or `stale`.
    pub topic: &'static str,
    /// What was found and what to do.
    pub message: String,
}

/// Everything `dnsctl acme check` found, in the order checked.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The findings.
    pub findings: Vec<Finding>,
}

impl Report {
    fn push(&mut self, level: Level, topic: &'static str, message: impl Into<String>) {
        self.findings.push(Finding {
            level,
            topic,
            message: message.into(),
        });
    }

    /// Whether any finding means issuance will fail.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Fail)
    }
}

/// Which CAs `set` lets issue, per RFC 8659: `issuewild` decides for a
/// wildcard when present, `issue` otherwise; an empty issuer (`;`) allows none.
fn caa_allows(values: &[(String, String)], ca: &str, wildcard: bool) -> Option<bool> {
    let pick = |tag: &str| -> Vec<&str> {
        values
            .iter()
            .filter(|(t, _)| t.eq_ignore_ascii_case(tag))
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let mut relevant = if wildcard {
        pick("issuewild")
    } else {
        Vec::new()
    };
    if relevant.is_empty() {
        relevant = pick("issue");
    }
    if relevant.is_empty() {
        return None;
    }
    Some(relevant.iter().any(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case(ca)
    }))
}

/// Runs the preflight for `domain` (a bare domain; its challenge name is
/// derived). `cas` are the CA domains that must be allowed by CAA.
pub async fn check(
    cfg: &Config,
    domain: &str,
    cas: &[String],
    settings: &Settings,
    clean: bool,
) -> Result<Report, AcmeError> {
    let mut r = Report::default();
    let base = hook::parse_domain(domain)?;
    let asked = hook::challenge_name(domain)?;
    let zc = challenge::zone_for(cfg, &base).ok_or_else(|| challenge::no_zone(cfg, &base, &[]))?;
    let provider = cfg
        .providers
        .get(&zc.provider)
        .ok_or_else(|| challenge::no_provider(zc))?;
    let target = provider.describe(&zc.name);
    let live = match provider.list(&zc.name).await {
        Ok(z) => {
            r.push(
                Level::Ok,
                "credentials",
                format!("{target}: the zone can be read ({} record sets)", z.len()),
            );
            z
        }
        Err(e) => {
            r.push(Level::Fail, "credentials", format!("{target}: {e}"));
            return Ok(r);
        }
    };

    // CAA: the closest set at or above the domain, up to the zone apex.
    let mut node = base.clone();
    let mut found = None;
    loop {
        let rel = node.relative_to(&zc.name).unwrap_or_default();
        if let Some(set) = live.get(&rel, RType::Caa) {
            let vals: Vec<(String, String)> = set
                .values()
                .iter()
                .filter_map(|v| match v {
                    RData::Caa { tag, value, .. } => Some((tag.clone(), value.clone())),
                    _ => None,
                })
                .collect();
            found = Some((node.clone(), vals));
            break;
        }
        if node == zc.name {
            break;
        }
        match node.as_str().split_once('.') {
            Some((_, parent)) => match Name::parse_fqdn(parent) {
                Ok(p) => node = p,
                Err(_) => break,
            },
            None => break,
        }
    }
    match found {
        None => r.push(
            Level::Ok,
            "caa",
            format!(
                "no CAA records from {base} up to {}: any CA may issue",
                zc.name
            ),
        ),
        Some((at, vals)) => {
            for ca in cas {
                for (wild, what) in [(false, base.to_string()), (true, format!("*.{base}"))] {
                    match caa_allows(&vals, ca, wild) {
                        Some(true) => r.push(Level::Ok, "caa", format!("CAA at {at} allows {ca} to issue for {what}")),
                        Some(false) => r.push(
                            Level::Fail,
                            "caa",
                            format!("CAA at {at} does not allow {ca} to issue for {what}; add `0 {} \"{ca}\"` there", if wild { "issuewild" } else { "issue" }),
                        ),
                        None => r.push(Level::Ok, "caa", format!("CAA at {at} has no issue restriction for {what}")),
                    }
                }
            }
        }
    }

    // Delegation: every authoritative server answers with authority and agrees.
    match propagation::authoritative_servers(&zc.name, &settings.nameservers).await {
        Err(e) => r.push(Level::Fail, "delegation", e.to_string()),
        Ok(servers) => {
            let mut views = Vec::new();
            let mut bad = Vec::new();
            for s in &servers {
                let qt = settings.policy.query_timeout;
                let ns = crate::dns::query(s.addr, zc.name.as_str(), RecordType::NS, qt).await;
                let soa = crate::dns::query(s.addr, zc.name.as_str(), RecordType::SOA, qt).await;
                match (ns, soa) {
                    (Ok(ns), Ok(soa))
                        if ns.authoritative && soa.authoritative && ns.rcode == "NOERROR" =>
                    {
                        let mut names = ns.names.clone();
                        names.sort();
                        views.push((s.clone(), names, soa.serial));
                    }
                    (Err(e), _) | (Ok(_), Err(e)) => bad.push(format!("{s}: {e}")),
                    (Ok(ns), Ok(_)) => bad.push(format!(
                        "{s}: {} without authority for {}",
                        ns.rcode, zc.name
                    )),
                }
            }
            for b in &bad {
                r.push(Level::Fail, "delegation", b.clone());
            }
            let ns_sets: std::collections::BTreeSet<&Vec<String>> =
                views.iter().map(|v| &v.1).collect();
            let serials: std::collections::BTreeSet<Option<u32>> =
                views.iter().map(|v| v.2).collect();
            if ns_sets.len() > 1 {
                let each: Vec<String> = views
                    .iter()
                    .map(|(s, n, _)| format!("{s}: {}", n.join(" ")))
                    .collect();
                r.push(
                    Level::Fail,
                    "delegation",
                    format!(
                        "the nameservers disagree on the NS set of {}: {}",
                        zc.name,
                        each.join("; ")
                    ),
                );
            } else if serials.len() > 1 {
                let each: Vec<String> = views
                    .iter()
                    .map(|(s, _, x)| format!("{s}: {}", x.map_or("-".into(), |x| x.to_string())))
                    .collect();
                r.push(
                    Level::Warn,
                    "delegation",
                    format!(
                        "the nameservers serve different SOA serials (a secondary lags?): {}",
                        each.join("; ")
                    ),
                );
            } else if let Some((_, ns, serial)) = views.first() {
                if servers.len() == views.len() && !ns.is_empty() {
                    r.push(
                        Level::Ok,
                        "delegation",
                        format!(
                            "{} nameserver(s) answer for {} with authority and agree (NS {}, serial {})",
                            servers.len(),
                            zc.name,
                            ns.join(" "),
                            serial.map_or("-".into(), |x| x.to_string())
                        ),
                    );
                }
            }
            if !settings.nameservers.is_empty() {
                let ours: std::collections::BTreeSet<String> = live
                    .get("", RType::Ns)
                    .map(|s| {
                        s.values()
                            .iter()
                            .filter_map(|v| v.target().map(|n| n.to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                if let (false, Some(served)) = (ours.is_empty(), ns_sets.iter().next()) {
                    let served: std::collections::BTreeSet<String> =
                        served.iter().cloned().collect();
                    if served != ours {
                        r.push(Level::Warn, "delegation", format!("the zone's NS records at the provider ({}) differ from what the nameservers serve ({})", ours.into_iter().collect::<Vec<_>>().join(" "), served.into_iter().collect::<Vec<_>>().join(" ")));
                    }
                }
            }
        }
    }

    // CNAME delegation of the challenge name, and stale values.
    match challenge::locate(cfg, &asked).await {
        Err(e) => r.push(Level::Fail, "cname", e.to_string()),
        Ok(loc) => {
            if !loc.via.is_empty() {
                r.push(
                    Level::Ok,
                    "cname",
                    format!(
                        "{asked} is a CNAME to {}; values are published there ({})",
                        loc.fqdn,
                        loc.describe()
                    ),
                );
            }
            let stale = loc.values();
            if stale.is_empty() {
                r.push(
                    Level::Ok,
                    "stale",
                    format!("no challenge values at {}", loc.fqdn),
                );
            } else if clean {
                let n = stale.len();
                challenge::clear(cfg, &asked).await?;
                r.push(
                    Level::Ok,
                    "stale",
                    format!(
                        "removed {n} stale challenge value(s) at {}: {}",
                        loc.fqdn,
                        stale.join(", ")
                    ),
                );
            } else {
                r.push(
                    Level::Warn,
                    "stale",
                    format!(
                        "{} challenge value(s) at {} (left by an earlier run?): {}; remove them with --clean",
                        stale.len(),
                        loc.fqdn,
                        stale.join(", ")
                    ),
                );
            }
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::caa_allows;

    fn v(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn caa_rules() {
        let le = "letsencrypt.org";
        assert_eq!(
            caa_allows(&v(&[("issue", "letsencrypt.org")]), le, false),
            Some(true)
        );
        assert_eq!(
            caa_allows(
                &v(&[("issue", "LetsEncrypt.org; validationmethods=dns-01")]),
                le,
                false
            ),
            Some(true)
        );
        assert_eq!(
            caa_allows(&v(&[("issue", "pki.goog")]), le, false),
            Some(false)
        );
        assert_eq!(caa_allows(&v(&[("issue", ";")]), le, false), Some(false));
        // issuewild decides for wildcards, issue otherwise.
        let both = v(&[("issue", "letsencrypt.org"), ("issuewild", ";")]);
        assert_eq!(caa_allows(&both, le, false), Some(true));
        assert_eq!(caa_allows(&both, le, true), Some(false));
        assert_eq!(
            caa_allows(&v(&[("iodef", "mailto:x@example.com")]), le, false),
            None
        );
    }
}
