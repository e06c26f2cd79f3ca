//! Property tests: everything we write reads back to the same zone, in both
//! formats, and no input makes a parser panic.

use proptest::prelude::*;
use std::collections::BTreeMap;
use zone::rdata::{Soa, SvcParam, Svcb};
use zone::{
    parse_zone_file, parse_zone_yaml, write_zone_file, write_zone_yaml, Meta, Name, RData, RType,
    RecordSet, Zone,
};

fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9_]([a-z0-9-]{0,10}[a-z0-9])?"
}

fn fqdn() -> impl Strategy<Value = Name> {
    prop::collection::vec(label(), 1..4)
        .prop_map(|l| Name::parse_fqdn(&format!("{}.", l.join("."))).unwrap())
}

fn text() -> impl Strategy<Value = String> {
    // Printable text with the characters that need escaping in some format,
    // control characters, and non-ASCII; long enough to need 255-octet chunks.
    prop_oneof!["[ -~]{0,40}", "[a-z;\"\\\\ é€\t\n]{0,20}", "[a-z]{250,600}",]
}

fn svcb() -> impl Strategy<Value = Svcb> {
    (
        1u16..100,
        fqdn(),
        prop::option::of(1u16..65535),
        prop::option::of(prop::sample::select(vec!["h2", "h2,h3", "h3"])),
        any::<bool>(),
    )
        .prop_map(|(prio, target, port, alpn, nodef)| {
            let mut params = Vec::new();
            if let Some(a) = alpn {
                params.push(SvcParam {
                    key: "alpn".into(),
                    value: Some(a.into()),
                });
            }
            if nodef {
                params.push(SvcParam {
                    key: "no-default-alpn".into(),
                    value: None,
                });
            }
            if let Some(p) = port {
                params.push(SvcParam {
                    key: "port".into(),
                    value: Some(p.to_string()),
                });
            }
            Svcb::new(prio, target, params).unwrap()
        })
}

fn hex(len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), len / 2)
        .prop_map(|b| b.iter().map(|x| format!("{x:02x}")).collect())
}

fn rdata(t: RType) -> BoxedStrategy<RData> {
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
            prop::sample::select(vec!["issue", "issuewild", "iodef"]),
            "[ -~]{0,30}",
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
    (
        prop::sample::select(types),
        prop::option::of(label()),
        0u32..100_000,
    )
        .prop_flat_map(move |(t, name, ttl)| {
            let name = name.unwrap_or_default();
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

fn zone(with_meta: bool) -> impl Strategy<Value = Zone> {
    (
        prop::collection::vec(record_set(with_meta), 0..12),
        prop::option::of(rdata(RType::Soa)),
        prop::option::of(rdata(RType::Srv)),
        prop::option::of(rdata(RType::Cname)),
    )
        .prop_map(|(sets, soa, srv, cname)| {
            let mut z = Zone::new(origin());
            for s in sets {
                z.insert(s);
            }
            if let Some(v) = soa {
                z.insert(RecordSet::new("", RType::Soa, 3600, vec![v]).unwrap());
            }
            if let Some(v) = srv {
                z.insert(RecordSet::new("_sip._tcp", RType::Srv, 600, vec![v]).unwrap());
            }
            if let Some(v) = cname {
                z.insert(RecordSet::new("alias.only", RType::Cname, 300, vec![v]).unwrap());
            }
            z
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn yaml_round_trips(z in zone(true)) {
        let text = write_zone_yaml(&z);
        let back = parse_zone_yaml(&text, &origin(), "t").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &z);
        prop_assert_eq!(write_zone_yaml(&back), text);
    }

    #[test]
    fn zone_file_round_trips(z in zone(false)) {
        let text = write_zone_file(&z);
        let back = parse_zone_file(&text, &origin(), "t").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &z);
        prop_assert_eq!(write_zone_file(&back), text);
    }

    #[test]
    fn yaml_parser_never_panics(text in "[ -~\n\t]{0,300}") {
        let _ = parse_zone_yaml(&text, &origin(), "t");
    }

    #[test]
    fn yaml_parser_never_panics_on_near_valid_input(z in zone(true), cut in any::<prop::sample::Index>(), junk in "[ -~\n]{0,8}") {
        let mut text = write_zone_yaml(&z);
        let at = cut.index(text.len() + 1);
        if text.is_char_boundary(at) {
            text.insert_str(at, &junk);
        }
        let _ = parse_zone_yaml(&text, &origin(), "t");
    }

    #[test]
    fn zone_file_parser_never_panics(text in "[ -~\n\t]{0,300}") {
        let _ = parse_zone_file(&text, &origin(), "t");
    }

    #[test]
    fn zone_file_parser_never_panics_on_near_valid_input(z in zone(false), cut in any::<prop::sample::Index>(), junk in "[ -~\n]{0,8}") {
        let mut text = write_zone_file(&z);
        let at = cut.index(text.len() + 1);
        if text.is_char_boundary(at) {
            text.insert_str(at, &junk);
        }
        let _ = parse_zone_file(&text, &origin(), "t");
    }
}
