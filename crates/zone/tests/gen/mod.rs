//! Generated zones for the property tests: every record type, with the
//! values that are hard to write and read back (quotes, backslashes, `;`,
//! control characters, non-ASCII, punycode, wildcards) and values at and
//! just past the wire limits, which `check` must refuse.

use proptest::prelude::*;
use std::collections::BTreeMap;
use zone::rdata::{Soa, SvcParam, Svcb};
use zone::{Meta, Name, RData, RType, RecordSet, Zone};

pub(crate) fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

pub(crate) fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z0-9_]([a-z0-9-]{0,10}[a-z0-9])?",
        1 => "xn--[a-z0-9]{1,20}",
        1 => "[a-z0-9_-]{60,64}",
    ]
}

/// A relative owner name: the apex, a wildcard, or one to four labels (some
/// long enough that the whole name passes 255 octets).
pub(crate) fn owner() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        1 => label().prop_map(|l| format!("*.{l}")),
        6 => prop::collection::vec(label(), 1..5).prop_map(|l| l.join(".")),
    ]
}

pub(crate) fn fqdn() -> impl Strategy<Value = Name> {
    prop_oneof![
        8 => prop::collection::vec(label(), 1..4),
        1 => prop::collection::vec("[a-z0-9]{63}", 3..5),
    ]
    .prop_filter_map("over 255 octets", |l| {
        Name::parse_fqdn(&format!("{}.", l.join("."))).ok()
    })
}

pub(crate) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[ -~]{0,40}",
        3 => "[a-z;\"\\\\ é€\t\n\u{1}\u{7f}]{0,20}",
        1 => "v=spf1 [a-z]{1,5}\\; [a-z\\\\;]{0,5}",
        2 => "[a-z\"]{250,260}",
        1 => "[a-z]{500,600}",
        1 => (65_150usize..65_300).prop_map(|n| "t".repeat(n)),
    ]
}

fn svc_text() -> impl Strategy<Value = String> {
    "[a-z0-9 \"\\\\;()=é\t]{0,12}"
}

fn svcb() -> impl Strategy<Value = Svcb> {
    (
        1u16..100,
        fqdn(),
        prop::option::of(prop::collection::vec(
            prop_oneof!["h[23]", "[a-z0-9 \";()é=]{2,8}"],
            1..4,
        )),
        any::<bool>(),
        prop::option::of(any::<u16>()),
        prop::option::of(prop::collection::vec(any::<[u8; 4]>(), 1..3)),
        prop::option::of(prop::collection::vec(any::<[u8; 16]>(), 1..3)),
        prop::option::of(
            "([A-Za-z0-9+/]{4}){1,8}(|[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)",
        ),
        prop::option::of((65000u16..65535, prop::option::of(svc_text()))),
        any::<bool>(),
    )
        .prop_map(
            |(prio, target, alpn, nodef, port, v4, v6, ech, generic, mandatory)| {
                let mut params = Vec::new();
                let mut push = |key: &str, value: Option<String>| {
                    params.push(SvcParam::parse(key, value.as_deref()).unwrap())
                };
                let has_alpn = alpn.is_some();
                if let Some(ids) = alpn {
                    push("alpn", Some(ids.join(",")));
                }
                if nodef && has_alpn {
                    push("no-default-alpn", None);
                }
                if let Some(p) = port {
                    push("port", Some(p.to_string()));
                }
                let list = |v: Vec<String>| Some(v.join(","));
                if let Some(ips) = v4 {
                    push(
                        "ipv4hint",
                        list(
                            ips.iter()
                                .map(|o| std::net::Ipv4Addr::from(*o).to_string())
                                .collect(),
                        ),
                    );
                }
                if let Some(ips) = v6 {
                    push(
                        "ipv6hint",
                        list(
                            ips.iter()
                                .map(|o| std::net::Ipv6Addr::from(*o).to_string())
                                .collect(),
                        ),
                    );
                }
                if let Some(e) = ech {
                    push("ech", Some(e));
                }
                if let Some((n, v)) = generic {
                    push(&format!("key{n}"), v);
                }
                if mandatory && has_alpn {
                    push("mandatory", Some("alpn".into()));
                }
                Svcb::new(prio, target, params).unwrap()
            },
        )
}

/// A digest of `len` hex digits.
fn hex(len: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), len / 2)
}

pub(crate) fn rdata(t: RType) -> BoxedStrategy<RData> {
    match t {
        RType::A => any::<[u8; 4]>().prop_map(|o| RData::A(o.into())).boxed(),
        RType::Aaaa => any::<[u8; 16]>()
            .prop_map(|o| RData::Aaaa(o.into()))
            .boxed(),
        RType::Ns => fqdn().prop_map(RData::Ns).boxed(),
        RType::Cname => fqdn().prop_map(RData::Cname).boxed(),
        RType::Ptr => fqdn().prop_map(RData::Ptr).boxed(),
        RType::Mx => (any::<u16>(), fqdn())
            .prop_map(|(preference, exchange)| RData::Mx {
                preference,
                exchange,
            })
            .boxed(),
        RType::Srv => (any::<u16>(), any::<u16>(), any::<u16>(), fqdn())
            .prop_map(|(priority, weight, port, target)| RData::Srv {
                priority,
                weight,
                port,
                target,
            })
            .boxed(),
        RType::Caa => (
            prop::sample::select(vec![0u8, 128]),
            prop::sample::select(zone::rdata::CAA_TAGS.to_vec()),
            prop_oneof!["[ -~]{0,30}", "[a-z;\"\\\\ é\t]{0,10}", "[a-z]{250,300}"],
        )
            .prop_map(|(flags, tag, value)| RData::Caa {
                flags,
                tag: tag.into(),
                value,
            })
            .boxed(),
        RType::Sshfp => (1u8..5, prop::sample::select(vec![1u8, 2]))
            .prop_flat_map(|(a, f)| {
                hex(if f == 1 { 40 } else { 64 }).prop_map(move |fp| RData::Sshfp {
                    algorithm: a,
                    fingerprint_type: f,
                    fingerprint: fp,
                })
            })
            .boxed(),
        RType::Tlsa => (0u8..4, 0u8..2, prop::sample::select(vec![1u8, 2]))
            .prop_flat_map(|(u, s, m)| {
                hex(if m == 1 { 64 } else { 128 }).prop_map(move |data| RData::Tlsa {
                    usage: u,
                    selector: s,
                    matching_type: m,
                    data,
                })
            })
            .boxed(),
        RType::Txt => text().prop_map(RData::Txt).boxed(),
        RType::Https => svcb().prop_map(RData::Https).boxed(),
        RType::Svcb => svcb().prop_map(RData::Svcb).boxed(),
        RType::Soa => (fqdn(), fqdn(), any::<u32>(), 0u32..1_000_000)
            .prop_map(|(mname, rname, serial, t)| {
                RData::Soa(Soa {
                    mname,
                    rname,
                    serial,
                    refresh: t,
                    retry: t / 2,
                    expire: t * 2,
                    minimum: t / 3,
                })
            })
            .boxed(),
    }
}

fn meta() -> impl Strategy<Value = BTreeMap<String, Meta>> {
    prop::option::of((
        any::<bool>(),
        "[ -~]{0,12}",
        prop::collection::vec("[a-z]{1,6}", 0..3),
    ))
    .prop_map(|m| {
        let mut out = BTreeMap::new();
        if let Some((proxied, comment, tags)) = m {
            let mut cf = BTreeMap::new();
            cf.insert("proxied".to_string(), Meta::Bool(proxied));
            cf.insert("comment".to_string(), Meta::Str(comment));
            cf.insert(
                "tags".to_string(),
                Meta::List(tags.into_iter().map(Meta::Str).collect()),
            );
            out.insert("cloudflare".to_string(), Meta::Map(cf));
        }
        out
    })
}

fn record_set(with_meta: bool) -> impl Strategy<Value = RecordSet> {
    let types: Vec<RType> = RType::ALL
        .into_iter()
        .filter(|t| !matches!(t, RType::Soa | RType::Cname | RType::Srv))
        .collect();
    (prop::sample::select(types), owner(), 0u32..100_000)
        .prop_flat_map(move |(t, name, ttl)| {
            (
                Just(t),
                Just(name),
                Just(ttl),
                prop::collection::vec(rdata(t), 1..4),
                if with_meta {
                    meta().boxed()
                } else {
                    Just(BTreeMap::new()).boxed()
                },
            )
        })
        .prop_map(|(t, name, ttl, values, octodns)| {
            let mut set = RecordSet::new(name, t, ttl, values).unwrap();
            set.octodns = octodns;
            set
        })
}

/// A zone of up to a dozen record sets, with an SOA and an apex NS when
/// `servable` (what a name server needs to load it), and a CNAME and an SRV.
pub(crate) fn zone(with_meta: bool, servable: bool) -> impl Strategy<Value = Zone> {
    (
        prop::collection::vec(record_set(with_meta), 0..12),
        if servable {
            rdata(RType::Soa).prop_map(Some).boxed()
        } else {
            prop::option::of(rdata(RType::Soa)).boxed()
        },
        prop::option::of(rdata(RType::Srv)),
        prop::option::of((label(), rdata(RType::Cname))),
        rdata(RType::Ns),
    )
        .prop_map(move |(sets, soa, srv, cname, ns)| {
            let mut z = Zone::new(origin());
            for s in sets {
                if servable && s.name.is_empty() && s.rtype == RType::Ns {
                    continue;
                }
                z.insert(s);
            }
            if let Some(v) = soa {
                z.insert(RecordSet::new("", RType::Soa, 3600, vec![v]).unwrap());
            }
            if servable {
                z.insert(RecordSet::new("", RType::Ns, 3600, vec![ns]).unwrap());
            }
            if let Some(v) = srv {
                z.insert(RecordSet::new("_sip._tcp", RType::Srv, 600, vec![v]).unwrap());
            }
            if let Some((l, v)) = cname {
                let name = format!("alias-{}", &l[..l.len().min(50)]);
                if z.iter().all(|s| s.name != name) {
                    z.insert(RecordSet::new(name, RType::Cname, 300, vec![v]).unwrap());
                }
            }
            z
        })
}
