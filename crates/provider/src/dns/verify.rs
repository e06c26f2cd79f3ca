//! Whether a server serves a zone as desired (`dnsctl verify`): the server
//! must first answer the zone's SOA with authority; then each desired record
//! set is asked for directly and compared with what comes back.

use super::servers::Server;
use super::{query, QueryError, Reply};
use crate::rfc2136::wire;
use std::net::SocketAddr;
use std::time::Duration;
use zone::{Meta, Name, RData, RType, RecordSet};

/// UDP is sent three times within it; TCP gets as long again.
const TIMEOUT: Duration = Duration::from_secs(6);

/// What one server answered for one record set.
#[derive(Debug, Clone, PartialEq)]
pub enum Served {
    /// The records at the name, with the lowest TTL among them.
    Records {
        /// The lowest TTL served.
        ttl: u32,
        /// The values, as served.
        values: Vec<RData>,
    },
    /// NXDOMAIN or NODATA, with which.
    Nothing(&'static str),
}

/// A record set a server serves other than desired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The set's owner name as the zone file writes it.
    pub name: String,
    /// The set's type.
    pub rtype: RType,
    /// What differs, as a sentence fragment (`want …; served …`).
    pub detail: String,
}

/// Why a server could not be verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The server does not serve the zone with authority (a resolver, the
    /// parent's server, another zone's), so every record would look missing.
    #[error("{server} is not authoritative for {} ({why}); ask one of the zone's name servers (--server HOST:PORT)", .zone.as_str().trim_end_matches('.'))]
    NotAuthoritative {
        /// The server, as the report names it.
        server: String,
        /// The zone.
        zone: Name,
        /// What it answered instead.
        why: String,
    },
    /// No usable answer.
    #[error("{0}")]
    Query(QueryError),
    /// A record in the answer could not be decoded.
    #[error("{0}")]
    Malformed(String),
    /// Asking for one record set failed; the others were not asked.
    #[error("{name} {rtype}: {error}")]
    AtSet {
        /// The set's owner name as the zone file writes it.
        name: String,
        /// The set's type.
        rtype: RType,
        /// What failed.
        error: Box<VerifyError>,
    },
}

/// What one server serves against the desired sets of one zone.
#[derive(Debug, Clone, Default)]
pub struct ServerReport {
    /// The sets it serves otherwise, in the order asked.
    pub drifts: Vec<Drift>,
    /// Set when the server could not be verified (the drifts found before
    /// the failure are kept).
    pub error: Option<VerifyError>,
}

/// Asks `server` for each of `sets` of `zone` and compares.
pub async fn check_server(server: &Server, zone: &Name, sets: &[&RecordSet]) -> ServerReport {
    let label = server.to_string();
    let mut report = ServerReport::default();
    if let Err(e) = authority(server.addr, &label, zone).await {
        report.error = Some(e);
        return report;
    }
    for set in sets {
        let qname = zone::name::owner_fqdn(&set.name, zone);
        match served(server.addr, &label, &qname, set.rtype, zone).await {
            Ok(got) => {
                if let Some(detail) = compare(set, &got) {
                    report.drifts.push(Drift {
                        name: set.display_name().to_string(),
                        rtype: set.rtype,
                        detail,
                    });
                }
            }
            Err(e) => {
                report.error = Some(VerifyError::AtSet {
                    name: set.display_name().to_string(),
                    rtype: set.rtype,
                    error: Box::new(e),
                });
                break;
            }
        }
    }
    report
}

/// How `got` differs from `want`, if it does. Proxied Cloudflare records
/// are answered with the proxy's addresses, so only their presence counts;
/// TTL 1 (Cloudflare's automatic) matches any TTL.
pub fn compare(want: &RecordSet, got: &Served) -> Option<String> {
    let proxied = matches!(
        want.provider_meta("cloudflare")
            .and_then(|m| m.get("proxied")),
        Some(Meta::Bool(true))
    );
    match got {
        Served::Nothing(why) => Some(format!("missing ({why})")),
        Served::Records { .. } if proxied => None,
        Served::Records { ttl, values } => {
            let mut values = values.clone();
            values.sort();
            values.dedup();
            if values != want.values() {
                let show = |v: &[RData]| {
                    v.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                Some(format!(
                    "want {}; served {}",
                    show(want.values()),
                    show(&values)
                ))
            } else if *ttl != want.ttl && want.ttl != 1 {
                Some(format!("TTL: want {}, served {ttl}", want.ttl))
            } else {
                None
            }
        }
    }
}

/// Checks that `server` answers the zone's SOA with the AA bit.
async fn authority(server: SocketAddr, label: &str, zone: &Name) -> Result<(), VerifyError> {
    let r = query(server, zone.as_str(), wire::TYPE_SOA, TIMEOUT)
        .await
        .map_err(VerifyError::Query)?;
    let has_soa = r
        .msg
        .answers
        .iter()
        .any(|rr| rr.rtype == wire::TYPE_SOA && rr.name.eq_ignore_ascii_case(zone.as_str()));
    if r.rcode() == 0 && r.authoritative() && has_soa {
        return Ok(());
    }
    Err(not_authoritative(label, zone, &r))
}

/// "SERVER is not authoritative for ZONE", with what it answered instead.
fn not_authoritative(label: &str, zone: &Name, r: &Reply) -> VerifyError {
    let rcode = r.rcode();
    let referral = r
        .msg
        .authority
        .iter()
        .find(|rr| rr.rtype == wire::type_code(RType::Ns))
        .map(|rr| rr.name.clone());
    let why = match (rcode, referral) {
        (0, Some(cut)) if !r.authoritative() => {
            format!("it refers to the name servers of '{cut}'")
        }
        (0, _) if r.authoritative() => "it serves no SOA at the zone's apex".to_string(),
        (0, _) => "its answer lacks the AA bit".to_string(),
        (rc, _) if !r.authoritative() && rc == 3 => {
            "it answered NXDOMAIN without the AA bit".to_string()
        }
        (rc, _) => format!("it answered {}", wire::rcode_name(rc)),
    };
    VerifyError::NotAuthoritative {
        server: label.to_string(),
        zone: zone.clone(),
        why,
    }
}

/// What `server` serves at (`qname`, `rtype`), following a referral below a
/// zone cut inside the zone to the delegation's NS set or glue.
async fn served(
    server: SocketAddr,
    label: &str,
    qname: &str,
    rtype: RType,
    zone: &Name,
) -> Result<Served, VerifyError> {
    let code = wire::type_code(rtype);
    let r = query(server, qname, code, TIMEOUT)
        .await
        .map_err(VerifyError::Query)?;
    match r.rcode() {
        0 => {}
        3 if r.authoritative() => return Ok(Served::Nothing("NXDOMAIN")),
        _ => return Err(not_authoritative(label, zone, &r)),
    }
    let mut records = &r.msg.answers;
    let referral = !r.authoritative();
    if referral {
        // The parent serves the delegation's NS set in the authority section
        // and its glue in the additional one, without the AA bit.
        let below = |cut: &str| {
            !cut.eq_ignore_ascii_case(zone.as_str())
                && (qname.eq_ignore_ascii_case(cut)
                    || qname
                        .to_ascii_lowercase()
                        .ends_with(&format!(".{}", cut.to_ascii_lowercase())))
        };
        if !r
            .msg
            .authority
            .iter()
            .any(|rr| rr.rtype == wire::type_code(RType::Ns) && below(&rr.name))
        {
            return Err(not_authoritative(label, zone, &r));
        }
        records = if rtype == RType::Ns {
            &r.msg.authority
        } else {
            &r.msg.additional
        };
    }
    let mut values = Vec::new();
    let mut ttl = u32::MAX;
    for rr in records
        .iter()
        .filter(|rr| rr.rtype == code && rr.name.eq_ignore_ascii_case(qname))
    {
        if let Some(v) = r.decode(rr).map_err(VerifyError::Malformed)? {
            values.push(v);
            ttl = ttl.min(rr.ttl);
        }
    }
    if values.is_empty() {
        return Ok(Served::Nothing(if referral {
            "below a delegation, not in the referral"
        } else {
            "no such record"
        }));
    }
    Ok(Served::Records { ttl, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_described() {
        let set = |ttl, v: &str| {
            RecordSet::new("a", RType::A, ttl, vec![RData::A(v.parse().unwrap())]).unwrap()
        };
        let served = |ttl, v: &str| Served::Records {
            ttl,
            values: vec![RData::A(v.parse().unwrap())],
        };
        assert_eq!(
            compare(&set(60, "192.0.2.1"), &served(60, "192.0.2.1")),
            None
        );
        assert_eq!(
            compare(&set(60, "192.0.2.1"), &served(300, "192.0.2.1")).unwrap(),
            "TTL: want 60, served 300"
        );
        assert_eq!(
            compare(&set(60, "192.0.2.1"), &served(60, "192.0.2.2")).unwrap(),
            "want 192.0.2.1; served 192.0.2.2"
        );
        assert_eq!(
            compare(&set(60, "192.0.2.1"), &Served::Nothing("NXDOMAIN")).unwrap(),
            "missing (NXDOMAIN)"
        );
    }
}
