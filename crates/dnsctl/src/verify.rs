//! `dnsctl verify`: asks each authoritative server of a zone, directly, for
//! every desired record set, and reports where what it serves differs from
//! zones/*.yaml. Each server must first answer the zone's SOA with authority.
//! Queries go through `provider::dns::query` (UDP with EDNS, TCP when the
//! answer is truncated or UDP gets none; answers checked against the question).

use anyhow::{anyhow, Context, Result};
use provider::config::{Config, ZoneConfig};
use provider::rfc2136::wire;
use provider::Provider;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use zone::{Meta, Name, RData, RType, RecordSet, Zone};

/// UDP is sent three times within it; TCP gets as long again.
const TIMEOUT: Duration = Duration::from_secs(6);

/// What one server answered for one record set.
#[derive(Debug, Clone, PartialEq)]
enum Served {
    Records {
        ttl: u32,
        values: Vec<RData>,
    },
    /// NXDOMAIN or NODATA.
    Nothing(&'static str),
}

/// A difference at one server.
struct Drift {
    name: String,
    rtype: RType,
    detail: String,
}

pub async fn verify(
    cfg: &Config,
    zones: &[String],
    servers: &[String],
    json: bool,
) -> Result<ExitCode> {
    let mut drifted = false;
    let mut failed = false;
    let mut report = Vec::new();
    for zc in super::select(cfg, zones)? {
        let mut desired = super::load_desired(cfg, zc)?;
        let provider = super::provider_of(cfg, zc)?;
        provider.normalize(&mut desired);
        let targets = if servers.is_empty() {
            nameservers(zc, &desired, provider).await?
        } else {
            let mut t = Vec::new();
            for s in servers {
                t.push((s.clone(), Ok(resolve(s, 53).await?)));
            }
            t
        };
        let sets: Vec<&RecordSet> = desired
            .iter()
            .filter(|s| {
                s.rtype != RType::Soa && !s.is_ignored() && !zc.ignore.iter().any(|r| r.matches(s))
            })
            .collect();
        for (label, addr) in targets {
            let zone_name = zc.name.as_str().trim_end_matches('.');
            // A name server whose address cannot be found is reported like
            // one that does not answer; the others are still asked.
            let addr = match addr {
                Ok(a) => a,
                Err(e) => {
                    failed = true;
                    if json {
                        report.push(serde_json::json!({
                            "zone": zone_name,
                            "server": label,
                            "address": null,
                            "checked": sets.len(),
                            "error": format!("{e:#}"),
                            "differences": [],
                        }));
                    } else {
                        outln!("{zone_name} @ {label}: cannot verify: {e:#}");
                    }
                    continue;
                }
            };
            let at = if label == addr.to_string() {
                label.clone()
            } else {
                format!("{label} ({addr})")
            };
            let mut drifts = Vec::new();
            let mut error = None;
            // A server that is not authoritative would show every set missing.
            let checked = match authority(addr, &at, &zc.name).await {
                Ok(()) => &sets[..],
                Err(e) => {
                    error = Some(format!("{e:#}"));
                    &[]
                }
            };
            for set in checked {
                let qname = zone::name::owner_fqdn(&set.name, &zc.name);
                match query(addr, &at, &qname, set.rtype, &zc.name).await {
                    Ok(served) => {
                        if let Some(d) = compare(set, &served) {
                            drifts.push(Drift {
                                name: set.display_name().to_string(),
                                rtype: set.rtype,
                                detail: d,
                            });
                        }
                    }
                    Err(e) => {
                        error = Some(format!("{} {}: {e:#}", set.display_name(), set.rtype));
                        break;
                    }
                }
            }
            drifted |= !drifts.is_empty();
            failed |= error.is_some();
            if json {
                report.push(serde_json::json!({
                    "zone": zone_name,
                    "server": label,
                    "address": addr.to_string(),
                    "checked": sets.len(),
                    "error": error,
                    "differences": drifts.iter().map(|d| serde_json::json!({"name": d.name, "type": d.rtype.as_str(), "detail": d.detail})).collect::<Vec<_>>(),
                }));
                continue;
            }
            match (&error, drifts.len()) {
                (Some(e), _) => outln!("{zone_name} @ {at}: cannot verify: {e}"),
                (None, 0) => outln!("{zone_name} @ {at}: all {} record sets match", sets.len()),
                (None, n) => {
                    outln!(
                        "{zone_name} @ {at}: {n} of {} record sets differ",
                        sets.len()
                    );
                    for d in &drifts {
                        outln!("  {} {}: {}", d.name, d.rtype, d.detail);
                    }
                }
            }
        }
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else if drifted {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The zone's name servers: the desired apex NS (else the live one), each
/// resolved from the zone's own glue when in the zone, else by the system
/// resolver; port 53, where an NS record says its server answers (other
/// ports: `--server HOST:PORT`).
async fn nameservers(
    zc: &ZoneConfig,
    desired: &Zone,
    provider: &provider::AnyProvider,
) -> Result<Vec<(String, Result<SocketAddr>)>> {
    let ns: Vec<Name> = match desired.get("", RType::Ns) {
        Some(s) => s
            .values()
            .iter()
            .filter_map(|v| v.target().cloned())
            .collect(),
        None => {
            let live = provider.list(&zc.name).await.with_context(|| {
                format!(
                    "the zone file has no apex NS, and the live zone of {} cannot be read",
                    zc.name
                )
            })?;
            live.get("", RType::Ns)
                .map(|s| {
                    s.values()
                        .iter()
                        .filter_map(|v| v.target().cloned())
                        .collect()
                })
                .unwrap_or_default()
        }
    };
    if ns.is_empty() {
        return Err(anyhow!(
            "zone {} has no NS records to find its servers; pass --server HOST:PORT",
            zc.name
        ));
    }
    let mut out = Vec::new();
    for n in ns {
        let host = n.as_str().trim_end_matches('.').to_string();
        let glue = n.relative_to(&zc.name).and_then(|rel| {
            desired
                .get(&rel, RType::A)
                .or_else(|| desired.get(&rel, RType::Aaaa))
                .and_then(|s| match s.values().first() {
                    Some(RData::A(ip)) => Some(SocketAddr::from((*ip, 53))),
                    Some(RData::Aaaa(ip)) => Some(SocketAddr::from((*ip, 53))),
                    _ => None,
                })
        });
        let addr = match glue {
            Some(a) => Ok(a),
            None => resolve(&host, 53).await,
        };
        out.push((host, addr));
    }
    Ok(out)
}

/// `host:port`, `host` (port 53), or an address.
async fn resolve(s: &str, default_port: u16) -> Result<SocketAddr> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Ok(ip) = s.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, default_port));
    }
    let with_port = if s
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        s.to_string()
    } else {
        format!("{s}:{default_port}")
    };
    tokio::net::lookup_host(&with_port)
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| anyhow!("cannot resolve the name server '{s}'"))
}

fn compare(want: &RecordSet, got: &Served) -> Option<String> {
    let proxied = matches!(
        want.provider_meta("cloudflare")
            .and_then(|m| m.get("proxied")),
        Some(Meta::Bool(true))
    );
    match got {
        Served::Nothing(why) => Some(format!("missing ({why})")),
        // Proxied records are answered with the proxy's addresses.
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

/// Checks that `server` is authoritative for `zone`: it answers the zone's
/// SOA with the AA bit. A server that is not (a resolver, the parent's
/// server, another zone's) would report every record as missing.
async fn authority(server: SocketAddr, label: &str, zone: &Name) -> Result<()> {
    let r = provider::dns::query(server, zone.as_str(), wire::TYPE_SOA, TIMEOUT).await?;
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
fn not_authoritative(label: &str, zone: &Name, r: &provider::dns::Reply) -> anyhow::Error {
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
    anyhow!(
        "{label} is not authoritative for {} ({why}); ask one of the zone's name servers (--server HOST:PORT)",
        zone.as_str().trim_end_matches('.')
    )
}

/// Asks `server` for (`qname`, `rtype`) with the toolkit's one query function
/// (UDP, then TCP; the answer checked against the question).
async fn query(
    server: SocketAddr,
    label: &str,
    qname: &str,
    rtype: RType,
    zone: &Name,
) -> Result<Served> {
    let r = provider::dns::query(server, qname, wire::type_code(rtype), TIMEOUT).await?;
    let rcode = r.rcode();
    match rcode {
        0 => {}
        3 if r.authoritative() => return Ok(Served::Nothing("NXDOMAIN")),
        _ => return Err(not_authoritative(label, zone, &r)),
    }
    let code = wire::type_code(rtype);
    let mut records = &r.msg.answers;
    let referral = !r.authoritative();
    if referral {
        // A referral: the name is at or below a zone cut inside the zone.
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
        if let Some(v) = r.decode(rr).map_err(|e| anyhow!("{e}"))? {
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

    #[tokio::test]
    async fn servers_come_from_the_apex_ns_and_in_zone_glue() {
        let origin = Name::parse_fqdn("example.com.").unwrap();
        let desired = zone::parse_zone_yaml(
            "'': {type: NS, values: [ns1.example.com., localhost.]}\nns1: {type: A, value: 192.0.2.53}\n",
            &origin,
            "t",
        )
        .unwrap();
        let zc = ZoneConfig {
            name: origin,
            provider: "local".into(),
            ignore: Vec::new(),
            no_purge: false,
            safety: Default::default(),
        };
        let p = provider::AnyProvider::Local(provider::LocalProvider::new("/nonexistent"));
        let got = nameservers(&zc, &desired, &p).await.unwrap();
        // Outside the zone: the system resolver (127.0.0.1 or ::1 for localhost).
        assert_eq!(got[0].0, "localhost");
        let a = got[0].1.as_ref().unwrap();
        assert!(a.ip().is_loopback() && a.port() == 53, "{got:?}");
        assert_eq!(got[1].0, "ns1.example.com");
        assert_eq!(
            *got[1].1.as_ref().unwrap(),
            "192.0.2.53:53".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(resolve("127.0.0.1:5353", 53).await.unwrap().port(), 5353);
        assert_eq!(resolve("::1", 53).await.unwrap().to_string(), "[::1]:53");
        // No NS in the file nor live: a clear error.
        let empty = Zone::new(zc.name.clone());
        let e = nameservers(&zc, &empty, &p).await.unwrap_err().to_string();
        assert!(e.contains("--server"), "{e}");
    }

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
