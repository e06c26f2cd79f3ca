//! Property test: any zone the Cloudflare provider accepts is pushed through
//! the emulator (with its validation) and listed back unchanged; a second
//! push of the same zone changes nothing; pushing another random zone over it
//! converges too.

use proptest::prelude::*;
use provider::cloudflare::{CloudflareOptions, CloudflareProvider};
use provider::secret::SecretRef;
use provider::Provider;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use testkit::Emulator;
use zone::plan::{plan, PlanOptions};
use zone::{Meta, Name, RData, RType, RecordSet, Zone};

fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

fn host() -> impl Strategy<Value = Name> {
    prop::collection::vec("[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?", 1..4)
        .prop_map(|l| Name::parse_fqdn(&format!("{}.", l.join("."))).unwrap())
}

fn txt() -> impl Strategy<Value = String> {
    // Quotes, backslashes, semicolons, spaces at the ends, non-ASCII, long strings.
    prop_oneof![
        "[ -~]{1,40}",
        "[a-z;\"\\\\ é€]{1,20}",
        "[a-z]{250,400}",
        " [a-z]{1,5} "
    ]
}

fn value(t: RType) -> BoxedStrategy<RData> {
    match t {
        RType::A => any::<[u8; 4]>()
            .prop_map(|o| RData::A(Ipv4Addr::from(o)))
            .boxed(),
        RType::Aaaa => any::<[u8; 16]>()
            .prop_map(|o| RData::Aaaa(Ipv6Addr::from(o)))
            .boxed(),
        RType::Txt => txt().prop_map(RData::Txt).boxed(),
        RType::Mx => (any::<u16>(), host())
            .prop_map(|(preference, exchange)| RData::Mx {
                preference,
                exchange,
            })
            .boxed(),
        RType::Srv => (any::<u16>(), any::<u16>(), any::<u16>(), host())
            .prop_map(|(priority, weight, port, target)| RData::Srv {
                priority,
                weight,
                port,
                target,
            })
            .boxed(),
        RType::Caa => (
            prop::sample::select(vec!["issue", "issuewild", "iodef"]),
            "[a-z0-9.;= ]{1,30}",
        )
            .prop_map(|(tag, value)| RData::Caa {
                flags: 0,
                tag: tag.to_string(),
                value,
            })
            .boxed(),
        RType::Ns => host().prop_map(RData::Ns).boxed(),
        RType::Cname => host().prop_map(RData::Cname).boxed(),
        _ => unreachable!("not generated"),
    }
}

/// One record set at `name`, with Cloudflare fields that fit its type.
fn set(name: String, t: RType) -> BoxedStrategy<RecordSet> {
    let n = if t == RType::Cname { 1..2 } else { 1..4 };
    (
        prop::collection::vec(value(t), n),
        prop_oneof![Just(1u32), 60u32..86_400],
        any::<bool>(),
        prop::option::of("[a-zA-Z0-9 ,.:-]{1,100}"),
        prop::collection::vec("[a-z]{1,5}:[a-z0-9]{1,5}", 0..3),
    )
        .prop_map(move |(values, ttl, proxied, comment, tags)| {
            let mut s = RecordSet::new(name.clone(), t, ttl, values).unwrap();
            let mut m = BTreeMap::new();
            if proxied && matches!(t, RType::A | RType::Aaaa | RType::Cname) {
                m.insert("proxied".to_string(), Meta::Bool(true));
            }
            if let Some(c) = comment {
                m.insert("comment".to_string(), Meta::Str(c));
            }
            if !tags.is_empty() {
                m.insert(
                    "tags".to_string(),
                    Meta::List(tags.into_iter().map(Meta::Str).collect()),
                );
            }
            if !m.is_empty() {
                s.octodns.insert("cloudflare".to_string(), Meta::Map(m));
            }
            s
        })
        .boxed()
}

fn zone_strategy() -> impl Strategy<Value = Zone> {
    let types = vec![
        RType::A,
        RType::Aaaa,
        RType::Txt,
        RType::Mx,
        RType::Srv,
        RType::Caa,
        RType::Ns,
    ];
    (
        prop::collection::vec((0usize..6, prop::sample::select(types)), 0..12),
        prop::collection::vec(0usize..4, 0..3),
    )
        .prop_flat_map(|(plain, cnames)| {
            let mut sets: Vec<BoxedStrategy<RecordSet>> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (i, t) in plain {
                // Names h0..h5 (and the apex for 0) never hold a CNAME.
                let name = if i == 0 && t != RType::Ns {
                    String::new()
                } else {
                    format!("h{i}")
                };
                if seen.insert((name.clone(), t)) {
                    sets.push(set(name, t));
                }
            }
            for i in cnames {
                if seen.insert((format!("c{i}"), RType::Cname)) {
                    sets.push(set(format!("c{i}"), RType::Cname));
                }
            }
            sets.prop_map(|sets| {
                let mut z = Zone::new(origin());
                for s in sets {
                    z.insert(s);
                }
                z
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn zones_round_trip_through_the_api(first in zone_strategy(), second in zone_strategy()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let emu = Emulator::start_in_thread();
        emu.add_token("tok-props-0123456789");
        emu.add_zone("example.com");
        std::env::set_var("CF_T_PROPS", "tok-props-0123456789");
        let mut o = CloudflareOptions { base_url: emu.base_url(), batch_size: 7, ..Default::default() };
        o.retry.base = Duration::from_millis(1);
        let p = CloudflareProvider::new("cf", SecretRef::Env("CF_T_PROPS".into()), o);
        let opts = PlanOptions { meta_key: Some("cloudflare".into()), ..Default::default() };
        for want in [first, second] {
            let mut want = want;
            p.normalize(&mut want);
            rt.block_on(async {
                let live = p.list(&origin()).await.unwrap();
                p.apply(&plan(&want, &live, &opts)).await.unwrap();
                let back = p.list(&origin()).await.unwrap();
                assert_eq!(back, want, "listed back as pushed");
                assert!(plan(&want, &back, &opts).is_empty());
            });
        }
    }
}
