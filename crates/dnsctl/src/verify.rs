//! `dnsctl verify`: renders what `provider::dns::verify` finds when it asks
//! each authoritative server of a zone, directly, for every desired record
//! set. The servers come from `provider::dns::servers` (the zone's apex NS,
//! every glue address, else the system resolver), or from `--server`.

use anyhow::{anyhow, Context, Result};
use provider::config::{Config, ZoneConfig};
use provider::dns::servers::{self, DiscoveryError, NsSource, Server, Unresolved};
use provider::dns::verify::check_server;
use provider::{sync, Provider};
use std::process::ExitCode;
use zone::{RType, RecordSet, Zone};

pub(crate) async fn verify(
    cfg: &Config,
    zones: &[String],
    servers: &[String],
    json: bool,
) -> Result<ExitCode> {
    let mut drifted = false;
    let mut failed = false;
    let mut report = Vec::new();
    for zc in sync::select(cfg, zones)? {
        let (mut desired, warnings) = sync::read_desired(cfg, zc)?;
        crate::warn(&warnings);
        let provider = sync::provider_of(cfg, zc)?;
        provider.normalize(&mut desired);
        let targets = if servers.is_empty() {
            nameservers(zc, &desired, provider).await?
        } else {
            let mut t = Vec::new();
            for s in servers {
                t.push(Ok(servers::lookup(s)
                    .await
                    .map_err(|u| anyhow!(u.reason))?));
            }
            t
        };
        let sets: Vec<&RecordSet> = desired
            .iter()
            .filter(|s| {
                s.rtype != RType::Soa && !s.is_ignored() && !zc.ignore.iter().any(|r| r.matches(s))
            })
            .collect();
        let zone_name = zc.name.as_str().trim_end_matches('.');
        for target in targets {
            // A name server whose address cannot be found is reported like
            // one that does not answer; the others are still asked.
            let server = match target {
                Ok(s) => s,
                Err(u) => {
                    failed = true;
                    let e = format!("cannot resolve the name server '{}' ({})", u.host, u.reason);
                    if json {
                        report.push(serde_json::json!({
                            "zone": zone_name,
                            "server": u.host,
                            "address": null,
                            "checked": sets.len(),
                            "error": e,
                            "differences": [],
                        }));
                    } else {
                        outln!("{zone_name} @ {}: cannot verify: {e}", u.host);
                    }
                    continue;
                }
            };
            let at = server.to_string();
            let r = check_server(&server, &zc.name, &sets).await;
            let error = r.error.as_ref().map(ToString::to_string);
            drifted |= !r.drifts.is_empty();
            failed |= error.is_some();
            if json {
                report.push(serde_json::json!({
                    "zone": zone_name,
                    "server": server.name,
                    "address": server.addr.to_string(),
                    "checked": sets.len(),
                    "error": error,
                    "differences": r.drifts.iter().map(|d| serde_json::json!({"name": d.name, "type": d.rtype.as_str(), "detail": d.detail})).collect::<Vec<_>>(),
                }));
                continue;
            }
            match (&error, r.drifts.len()) {
                (Some(e), _) => outln!("{zone_name} @ {at}: cannot verify: {e}"),
                (None, 0) => outln!("{zone_name} @ {at}: all {} record sets match", sets.len()),
                (None, n) => {
                    outln!(
                        "{zone_name} @ {at}: {n} of {} record sets differ",
                        sets.len()
                    );
                    for d in &r.drifts {
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

/// The zone's name servers, by host name: the desired apex NS (else the live
/// one, with the desired file's glue), as `provider::dns::servers` finds
/// them; port 53, where an NS record says its server answers (other ports:
/// `--server HOST:PORT`).
async fn nameservers(
    zc: &ZoneConfig,
    desired: &Zone,
    provider: &provider::AnyProvider,
) -> Result<Vec<Result<Server, Unresolved>>> {
    let with_live_ns;
    let zone = if desired.get("", RType::Ns).is_some() {
        desired
    } else {
        let live = provider.list(&zc.name).await.with_context(|| {
            format!(
                "the zone file has no apex NS, and the live zone of {} cannot be read",
                zc.name
            )
        })?;
        let mut z = desired.clone();
        if let Some(ns) = live.get("", RType::Ns) {
            z.insert(ns.clone());
        }
        with_live_ns = z;
        &with_live_ns
    };
    let found = match servers::discover(&zc.name, NsSource::Zone(zone)).await {
        Ok(f) => f,
        Err(DiscoveryError::NoNs { zone }) => {
            return Err(anyhow!(
                "zone {zone} has no NS records to find its servers; pass --server HOST:PORT"
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let mut out: Vec<Result<Server, Unresolved>> = found.servers.into_iter().map(Ok).collect();
    out.extend(found.unresolved.into_iter().map(Err));
    out.sort_by(|a, b| host(a).cmp(host(b)));
    Ok(out)
}

fn host(t: &Result<Server, Unresolved>) -> &str {
    match t {
        Ok(s) => &s.name,
        Err(u) => &u.host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zone::Name;

    #[tokio::test]
    async fn without_ns_in_the_file_the_live_ns_names_the_servers_and_none_is_an_error() {
        let origin = Name::parse_fqdn("example.com.").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("example.com.zone"),
            "$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ 300 IN NS ns1\n",
        )
        .unwrap();
        let zc = ZoneConfig {
            name: origin.clone(),
            provider: "local".into(),
            ignore: Vec::new(),
            no_purge: false,
            safety: Default::default(),
        };
        let p = provider::AnyProvider::Local(provider::LocalProvider::new(dir.path()));
        // The file's glue gives the live NS host its address.
        let desired =
            zone::parse_zone_yaml("ns1: {type: A, value: 192.0.2.53}\n", &origin, "t").unwrap();
        let got = nameservers(&zc, &desired, &p).await.unwrap();
        assert_eq!(
            got.iter()
                .map(|t| t.as_ref().unwrap().to_string())
                .collect::<Vec<_>>(),
            ["ns1.example.com (192.0.2.53:53)"]
        );
        // No NS in the file nor live: a clear error.
        let none = provider::AnyProvider::Local(provider::LocalProvider::new("/nonexistent"));
        let e = nameservers(&zc, &Zone::new(origin), &none)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("--server"), "{e}");
    }
}
