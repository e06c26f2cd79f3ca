//! Plan computation on large zones (target: under 200 ms for 100k record sets),
//! and the YAML reader that feeds it.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use zone::plan::{plan, PlanOptions};
use zone::{Name, RData, RType, RecordSet, Zone};

/// A zone of `n` record sets (A, TXT and MX mixed), and a live copy where 1% is
/// changed, 1% is missing and 1% is extra.
fn zones(n: usize) -> (Zone, Zone) {
    let origin = Name::parse_fqdn("example.com.").unwrap();
    let (mut desired, mut live) = (Zone::new(origin.clone()), Zone::new(origin));
    for i in 0..n {
        let name = format!("host-{i}");
        let set = match i % 3 {
            0 => RecordSet::new(
                &name,
                RType::A,
                300,
                vec![RData::A(
                    [10, (i >> 16) as u8, (i >> 8) as u8, i as u8].into(),
                )],
            ),
            1 => RecordSet::new(
                &name,
                RType::Txt,
                3600,
                vec![RData::Txt(format!("v=spf1 ip4:10.0.0.{} -all", i % 250))],
            ),
            _ => RecordSet::new(
                &name,
                RType::Mx,
                3600,
                vec![RData::Mx {
                    preference: 10,
                    exchange: Name::parse_fqdn("mx.example.com.").unwrap(),
                }],
            ),
        }
        .unwrap();
        match i % 100 {
            0 => {
                let mut changed = set.clone();
                changed.ttl += 1;
                live.insert(changed);
            }
            1 => {}
            _ => {
                live.insert(set.clone());
            }
        }
        if i % 100 == 2 {
            let mut extra = set.clone();
            extra.name = format!("extra-{i}");
            live.insert(extra);
        }
        desired.insert(set);
    }
    (desired, live)
}

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.sample_size(20);
    for n in [10_000, 100_000] {
        let (desired, live) = zones(n);
        let opts = PlanOptions {
            ignore: zone::plan::IgnoreRule::defaults(),
            ..Default::default()
        };
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| plan(black_box(&desired), black_box(&live), &opts))
        });
    }
    group.finish();
}

fn bench_yaml(c: &mut Criterion) {
    let (desired, _) = zones(10_000);
    let text = zone::write_zone_yaml(&desired);
    let origin = desired.origin.clone();
    let mut group = c.benchmark_group("yaml");
    group.sample_size(10);
    group.bench_function("parse_10k", |b| {
        b.iter(|| zone::parse_zone_yaml(black_box(&text), &origin, "bench").unwrap())
    });
    group.bench_function("write_10k", |b| {
        b.iter(|| zone::write_zone_yaml(black_box(&desired)))
    });
    group.finish();
}

criterion_group!(benches, bench_plan, bench_yaml);
criterion_main!(benches);
