//! Finding a zone's authoritative name servers, with one policy for every
//! caller (`dnsctl verify`, the ACME propagation checks and preflight): the
//! NS host names come from a zone the caller holds or from the system
//! resolver; each host's addresses are its in-zone glue (all of its A and
//! AAAA records) when the zone has them, else what the system resolver
//! says; every address is asked on port 53, and addresses this machine has
//! no route to are left out while the host has others.

use hickory_resolver::proto::rr::{RData as HickoryRData, RecordType};
use hickory_resolver::{ResolveError, TokioResolver};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use zone::{Name, RData, RType, Zone};

/// One name server address to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Its host name (from NS), or its address when given explicitly.
    pub name: String,
    /// Where it answers.
    pub addr: SocketAddr,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name == self.addr.to_string() {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{} ({})", self.name, self.addr)
        }
    }
}

/// Where the zone's NS host names come from.
#[derive(Debug, Clone, Copy)]
pub enum NsSource<'a> {
    /// The apex NS set of this copy of the zone (desired or live); its own
    /// A and AAAA records are the glue of in-zone hosts.
    Zone(&'a Zone),
    /// The system resolver's NS lookup of the zone's name.
    Resolver,
}

/// The servers found, and the NS hosts no address was found for.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    /// Every address of every NS host that has one, hosts in name order.
    pub servers: Vec<Server>,
    /// NS hosts without an address, each with why.
    pub unresolved: Vec<Unresolved>,
}

/// An NS host whose address could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The host name, without its final dot.
    pub host: String,
    /// Why, as a sentence.
    pub reason: String,
}

/// Why no server could be found at all. The texts leave out what to do,
/// which depends on the caller (`--server`, `--nameserver`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The zone has no NS records.
    #[error("the zone has no NS records")]
    NoNs {
        /// The zone asked about.
        zone: Name,
    },
    /// The system resolver could not be used or did not answer the NS lookup.
    #[error("{reason}")]
    Resolver {
        /// The zone asked about.
        zone: Name,
        /// Why, as a sentence.
        reason: String,
    },
}

/// The authoritative servers of `zone`, their NS names taken from `source`.
/// A host without an address is listed in [`Discovered::unresolved`]; the
/// caller decides whether the others are enough.
pub async fn discover(zone: &Name, source: NsSource<'_>) -> Result<Discovered, DiscoveryError> {
    let resolver = || {
        TokioResolver::builder_tokio()
            .map(|b| b.build())
            .map_err(|e| DiscoveryError::Resolver {
                zone: zone.clone(),
                reason: format!("cannot read the system resolver configuration: {e}"),
            })
    };
    let mut system = None;
    let mut hosts: Vec<String> = match source {
        NsSource::Zone(z) => z
            .get("", RType::Ns)
            .map(|s| {
                s.values()
                    .iter()
                    .filter_map(|v| v.target())
                    .map(|n| n.as_str().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default(),
        NsSource::Resolver => {
            let r = system.insert(resolver()?);
            let ns = r.lookup(zone.as_str(), RecordType::NS).await.map_err(|e| {
                DiscoveryError::Resolver {
                    zone: zone.clone(),
                    reason: lookup_failure("NS", zone.as_str(), &e),
                }
            })?;
            ns.iter()
                .filter_map(|r| match r {
                    HickoryRData::NS(n) => Some(n.0.to_ascii().to_ascii_lowercase()),
                    _ => None,
                })
                .collect()
        }
    };
    hosts.sort();
    hosts.dedup();
    if hosts.is_empty() {
        return Err(DiscoveryError::NoNs { zone: zone.clone() });
    }
    let mut found = Discovered::default();
    for fqdn in &hosts {
        let host = fqdn.trim_end_matches('.').to_string();
        let mut ips = match source {
            NsSource::Zone(z) => glue(z, fqdn),
            NsSource::Resolver => Vec::new(),
        };
        if ips.is_empty() {
            let r = match &system {
                Some(r) => r,
                None => system.insert(resolver()?),
            };
            match r.lookup_ip(fqdn.as_str()).await {
                Ok(found) => ips = found.iter().collect(),
                Err(e) => {
                    found.unresolved.push(Unresolved {
                        reason: lookup_failure("address", &host, &e),
                        host,
                    });
                    continue;
                }
            }
        }
        let addrs: Vec<SocketAddr> = ips.into_iter().map(|ip| SocketAddr::new(ip, 53)).collect();
        // A host without a route to one address family (an IPv4-only
        // network and a name server with AAAA records) cannot ask those
        // addresses; the server's other addresses stand for it.
        let routable: Vec<SocketAddr> = addrs.iter().copied().filter(|a| routable(*a)).collect();
        let keep = if routable.is_empty() { addrs } else { routable };
        found.servers.extend(keep.into_iter().map(|addr| Server {
            name: host.clone(),
            addr,
        }));
    }
    Ok(found)
}

/// The A and AAAA values the zone holds for `fqdn` when it is inside the zone.
fn glue(z: &Zone, fqdn: &str) -> Vec<IpAddr> {
    let Ok(name) = Name::parse_fqdn(fqdn) else {
        return Vec::new();
    };
    let Some(rel) = name.relative_to(&z.origin) else {
        return Vec::new();
    };
    [RType::A, RType::Aaaa]
        .into_iter()
        .filter_map(|t| z.get(&rel, t))
        .flat_map(|s| s.values().iter())
        .filter_map(|v| match v {
            RData::A(ip) => Some(IpAddr::V4(*ip)),
            RData::Aaaa(ip) => Some(IpAddr::V6(*ip)),
            _ => None,
        })
        .collect()
}

/// A server named by the user: `HOST:PORT`, `HOST` (port 53) or an address.
pub async fn lookup(s: &str) -> Result<Server, Unresolved> {
    let addr = if let Ok(a) = s.parse::<SocketAddr>() {
        Some(a)
    } else if let Ok(ip) = s.parse::<IpAddr>() {
        Some(SocketAddr::new(ip, 53))
    } else {
        let with_port = match s.rsplit_once(':') {
            Some((_, p)) if p.parse::<u16>().is_ok() => s.to_string(),
            _ => format!("{s}:53"),
        };
        tokio::net::lookup_host(&with_port)
            .await
            .ok()
            .and_then(|mut a| a.next())
    };
    addr.map(|addr| Server {
        name: s.to_string(),
        addr,
    })
    .ok_or_else(|| Unresolved {
        host: s.to_string(),
        reason: format!("cannot resolve the name server '{s}'"),
    })
}

/// A failed lookup of the system resolver as a sentence (hickory's own text
/// is Rust debug output: `no records found for Query { name: Name(...) }`).
fn lookup_failure(what: &str, name: &str, e: &ResolveError) -> String {
    use hickory_resolver::proto::ProtoErrorKind;
    let timeout = e
        .proto()
        .is_some_and(|p| matches!(p.kind(), ProtoErrorKind::Timeout));
    if e.is_nx_domain() {
        format!("the system resolver says {name} does not exist (NXDOMAIN)")
    } else if e.is_no_records_found() {
        format!("the system resolver found no {what} records for {name}")
    } else if timeout {
        format!("the system resolver did not answer the {what} lookup of {name} in time")
    } else {
        format!("the system resolver could not look up the {what} records of {name}")
    }
}

/// Whether this host has a route to `addr` (a UDP connect sends nothing).
fn routable(addr: SocketAddr) -> bool {
    let bind: SocketAddr = if addr.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    std::net::UdpSocket::bind(bind)
        .and_then(|s| s.connect(addr))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn servers_come_from_the_apex_ns_with_every_glue_address() {
        let origin = Name::parse_fqdn("example.com.").unwrap();
        let zone = zone::parse_zone_yaml(
            "'': {type: NS, values: [ns1.example.com., localhost.]}\nns1:\n  - {type: A, values: [192.0.2.53, 192.0.2.54]}\n  - {type: AAAA, value: '2001:db8::53'}\n",
            &origin,
            "t",
        )
        .unwrap();
        let found = discover(&origin, NsSource::Zone(&zone)).await.unwrap();
        assert!(found.unresolved.is_empty(), "{found:?}");
        // Outside the zone: the system resolver (127.0.0.1 or ::1 for localhost).
        let (local, ns1): (Vec<_>, Vec<_>) =
            found.servers.iter().partition(|s| s.name == "localhost");
        assert!(
            !local.is_empty()
                && local
                    .iter()
                    .all(|s| s.addr.ip().is_loopback() && s.addr.port() == 53),
            "{found:?}"
        );
        // In the zone: every glue address on port 53 (the IPv6 one only where
        // this machine has a route to it).
        let ns1: Vec<String> = ns1.iter().map(|s| s.to_string()).collect();
        assert!(
            ns1.starts_with(&[
                "ns1.example.com (192.0.2.53:53)".to_string(),
                "ns1.example.com (192.0.2.54:53)".to_string()
            ]),
            "{ns1:?}"
        );
    }

    #[tokio::test]
    async fn a_zone_without_ns_is_an_error_and_named_servers_are_used_as_given() {
        let origin = Name::parse_fqdn("example.com.").unwrap();
        let e = discover(&origin, NsSource::Zone(&Zone::new(origin.clone())))
            .await
            .unwrap_err();
        assert_eq!(e, DiscoveryError::NoNs { zone: origin });
        assert_eq!(lookup("127.0.0.1:5353").await.unwrap().addr.port(), 5353);
        assert_eq!(lookup("::1").await.unwrap().addr.to_string(), "[::1]:53");
        let named = lookup("localhost:5300").await.unwrap();
        assert!(named.addr.ip().is_loopback() && named.addr.port() == 5300);
        assert_eq!(
            lookup("no-such-host.invalid").await.unwrap_err().reason,
            "cannot resolve the name server 'no-such-host.invalid'"
        );
    }

    #[test]
    fn resolver_failures_are_sentences() {
        use hickory_resolver::proto::op::{Query, ResponseCode};
        use hickory_resolver::proto::ProtoError;
        let q = Query::query(
            hickory_resolver::proto::rr::Name::from_ascii("example.test.").unwrap(),
            RecordType::NS,
        );
        let none = |rc| {
            ResolveError::from(ProtoError::nx_error(
                Box::new(q.clone()),
                None,
                None,
                None,
                rc,
                true,
                None,
            ))
        };
        // hickory's own text is debug output.
        assert!(none(ResponseCode::NoError).to_string().contains("Query {"));
        assert_eq!(
            lookup_failure("NS", "example.test.", &none(ResponseCode::NoError)),
            "the system resolver found no NS records for example.test."
        );
        assert_eq!(
            lookup_failure("NS", "example.test.", &none(ResponseCode::NXDomain)),
            "the system resolver says example.test. does not exist (NXDOMAIN)"
        );
    }

    #[test]
    fn loopback_is_routable() {
        assert!(routable("127.0.0.1:53".parse().unwrap()));
    }
}
