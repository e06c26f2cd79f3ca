//! Client-side costs of the self-hosted providers on a 10,000-record zone (a
//! benchmark, not a test): PowerDNS zone JSON parsed, PATCH body built;
//! RFC 2136 UPDATE messages packed. The servers' own costs are measured by
//! `bench/selfhosted/run.sh`.
//!
//!     cargo bench -p dnsctl-provider --bench selfhosted_codec

use provider::{powerdns, rfc2136};
use std::time::Instant;
use zone::plan::{plan, PlanOptions};
use zone::{Name, RData, RType, RecordSet, Zone};

fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

/// The zone of bench/selfhosted/run.sh: A, AAAA, TXT, MX, CNAME in turn.
fn zone(n: usize, version: u8) -> Zone {
    let mut z = Zone::new(origin());
    for i in 0..n {
        let v = if version > 0 && i % 10 == 0 {
            version
        } else {
            0
        };
        let name = format!("h{i}");
        let (t, value) = match i % 5 {
            0 => (
                RType::A,
                RData::parse(
                    RType::A,
                    &[format!("10.{v}.{}.{}", (i >> 8) & 255, i & 255)],
                ),
            ),
            1 => (
                RType::Aaaa,
                RData::parse(RType::Aaaa, &[format!("2001:db8:{v}::{i:x}")]),
            ),
            2 => (
                RType::Txt,
                Ok(RData::Txt(format!("record number {i} version {v}"))),
            ),
            3 => (
                RType::Mx,
                RData::parse(
                    RType::Mx,
                    &[
                        format!("{}", 10 + u16::from(v)),
                        format!("mx{i}.example.net."),
                    ],
                ),
            ),
            _ => (
                RType::Cname,
                RData::parse(
                    RType::Cname,
                    &[format!("h{}.example.net.", i - 1 + usize::from(v))],
                ),
            ),
        };
        z.insert(RecordSet::new(name, t, 3600, vec![value.unwrap()]).unwrap());
    }
    z
}

/// The zone as PowerDNS answers `GET .../zones/{zone}` (keys sorted, as its
/// JSON writer does).
fn zone_answer(z: &Zone) -> Vec<u8> {
    let rrsets: Vec<serde_json::Value> = z
        .iter()
        .map(|s| {
            serde_json::json!({
                "comments": [],
                "name": zone::name::owner_fqdn(&s.name, &z.origin),
                "records": s.values().iter().map(|v| serde_json::json!({"content": v.to_string(), "disabled": false})).collect::<Vec<_>>(),
                "ttl": s.ttl,
                "type": s.rtype.as_str(),
            })
        })
        .collect();
    serde_json::to_vec(
        &serde_json::json!({"id": z.origin.as_str(), "kind": "Native", "rrsets": rrsets}),
    )
    .unwrap()
}

fn time<T>(what: &str, reps: u32, mut f: impl FnMut() -> T) -> T {
    let mut out = f();
    let t = Instant::now();
    for _ in 0..reps {
        out = f();
    }
    println!(
        "{what:48} {:8.2} ms",
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(reps)
    );
    out
}

fn main() {
    let n = 10_000;
    let empty = Zone::new(origin());
    let full = zone(n, 0);
    let changed = zone(n, 1);
    let first = plan(&full, &empty, &PlanOptions::default());
    let tenth = plan(&changed, &full, &PlanOptions::default());
    println!(
        "{n} record sets; first sync {} changes, 10% change {} changes",
        first.changes.len(),
        tenth.changes.len()
    );

    let body = time("powerdns: PATCH body, first sync", 10, || {
        powerdns::patch_body(&first)
    });
    println!("{:48} {:8} octets", "  size", body.len());
    let json = zone_answer(&full);
    println!("{:48} {:8} octets", "powerdns: zone answer", json.len());
    let parsed = time("powerdns: zone answer parsed", 10, || {
        powerdns::parse_zone(&origin(), &json).unwrap()
    });
    assert_eq!(parsed.len(), n);
    let body = time("powerdns: PATCH body, 10% change", 10, || {
        powerdns::patch_body(&tenth)
    });
    println!("{:48} {:8} octets", "  size", body.len());
    let body = time("powerdns: POST body (zone created)", 10, || {
        powerdns::create_body(&first, true)
    });
    println!("{:48} {:8} octets", "  size", body.len());

    for (what, p) in [("first sync", &first), ("10% change", &tenth)] {
        let msgs = time(&format!("rfc2136: UPDATE messages, {what}"), 10, || {
            rfc2136::update_messages(p, rfc2136::MAX_MESSAGE).unwrap()
        });
        let sizes: Vec<usize> = msgs.iter().map(Vec::len).collect();
        println!("{:48} {:8} messages {sizes:?}", "", msgs.len());
    }
}
