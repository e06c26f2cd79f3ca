//! Time from `present` (the provider call returns) to "visible on every
//! authoritative server", through the Cloudflare provider into the local
//! emulator and over its DNS face; target: well under a second.

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let emu = rt.block_on(testkit::Emulator::start());
    emu.add_token("bench-token");
    emu.add_zone("example.test");
    // Each round is several API calls: lift the emulator's and the client's rate limits.
    emu.set_rate_limit(10_000_000, Duration::from_secs(300));
    std::env::set_var("DNSCTL_ACME_BENCH_TOKEN", "bench-token");
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = format!(
        "providers:\n  cf: {{type: cloudflare, base_url: '{}', token: {{env: DNSCTL_ACME_BENCH_TOKEN}}, rate_limit: 1000000}}\nzones:\n  example.test: {{provider: cf}}\n",
        emu.base_url()
    );
    let cfg = provider::Config::parse(&yaml, dir.path(), "dnsctl.yaml").expect("config");
    let name = acme::hook::challenge_name("example.test").expect("name");
    let servers = vec![acme::Server {
        name: "emulator".into(),
        addr: emu.dns_addr(),
    }];
    let policy = acme::Policy {
        timeout: Duration::from_secs(10),
        ..acme::Policy::default()
    };
    let mut n = 0u64;
    let mut group = c.benchmark_group("dns01");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    // The whole hook: provider write (list + batch) and the propagation wait.
    group.bench_function("present_until_visible", |b| {
        b.to_async(&rt).iter(|| {
            n += 1;
            let value = acme::key_authorization_digest(&format!("token-{n}.thumbprint"));
            let (cfg, name, servers) = (&cfg, &name, &servers);
            async move {
                let (loc, _) = acme::challenge::present(cfg, name, &value)
                    .await
                    .expect("present");
                acme::propagation::wait(
                    servers,
                    &loc.fqdn,
                    &value,
                    acme::Want::Present,
                    policy,
                    None,
                )
                .await
                .expect("visible");
                acme::challenge::cleanup(cfg, name, &value)
                    .await
                    .expect("cleanup");
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
