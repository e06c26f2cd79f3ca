//! Sync figures against the Cloudflare emulator (a benchmark, not a test):
//! 1 zone x 1,000 and x 10,000 records, Free (200) and paid (3,500) batch
//! sizes, and 10 zones x 1,000 pushed concurrently through one rate budget.
//! Prints wall time and API requests for the first push, a no-op push and a
//! push with 10% of the values changed.
//!
//!     cargo bench -p dnsctl-provider --bench cloudflare_sync

use provider::cloudflare::{CloudflareOptions, CloudflareProvider};
use provider::secret::SecretRef;
use provider::{Provider, ProviderError};
use std::time::{Duration, Instant};
use testkit::Emulator;
use zone::plan::{plan, PlanOptions};
use zone::{Name, Plan, Zone};

fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

fn desired(text: &str) -> Zone {
    zone::parse_zone_yaml(text, &origin(), "zones/example.com.yaml").unwrap()
}

fn opts() -> PlanOptions {
    PlanOptions {
        meta_key: Some("cloudflare".into()),
        ..Default::default()
    }
}

fn fast_opts(emu: &Emulator) -> CloudflareOptions {
    let mut o = CloudflareOptions {
        base_url: emu.base_url(),
        ..Default::default()
    };
    o.retry.base = Duration::from_millis(5);
    o.retry.cap = Duration::from_millis(50);
    o
}

/// What `dnsctl push` does: list, normalize the desired zone, plan, apply.
async fn push(p: &CloudflareProvider, want: &Zone) -> Result<Plan, ProviderError> {
    let live = p.list(&origin()).await?;
    let mut want = want.clone();
    p.normalize(&mut want);
    let pl = plan(&want, &live, &opts());
    p.apply(&pl).await?;
    Ok(pl)
}

/// `n` A records; every tenth value changes with `variant`.
fn big_zone(n: usize, variant: usize) -> String {
    (0..n)
        .map(|i| {
            let last = if i % 10 == 0 {
                (i / 10 + variant) % 250
            } else {
                i % 250
            };
            format!(
                "h{i}: {{type: A, ttl: 300, value: 10.{}.{}.{last}}}\n",
                i / 65536,
                (i / 256) % 256
            )
        })
        .collect()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(figures());
}

async fn figures() {
    let emu = Emulator::start().await;
    emu.add_token("tok-bench-0123456789");
    std::env::set_var("CF_T_BENCH", "tok-bench-0123456789");
    emu.add_zone("example.com");
    emu.set_rate_limit(1_000_000, Duration::from_secs(300));

    for (n, batch, label) in [
        (1_000usize, 200usize, "batches of 200 (Free)"),
        (10_000, 200, "batches of 200 (Free)"),
        (10_000, 3500, "batches of 3,500 (paid)"),
    ] {
        let mut o = fast_opts(&emu);
        o.batch_size = batch;
        emu.set_max_batch(batch);
        let p = CloudflareProvider::new("cf", SecretRef::Env("CF_T_BENCH".into()), o);
        push(&p, &Zone::new(origin())).await.unwrap();
        for (what, variant) in [("first push", 0), ("no-op push", 0), ("10% changed", 1)] {
            let want = desired(&big_zone(n, variant));
            emu.clear_requests();
            let t = Instant::now();
            push(&p, &want).await.unwrap();
            eprintln!(
                "1 zone x {n}, {label}: {what}: {:?}, {} requests",
                t.elapsed(),
                emu.request_count()
            );
        }
    }
    // 10 zones x 1,000 records, synced concurrently by one provider (one budget).
    let names: Vec<String> = (0..10).map(|i| format!("z{i}.test")).collect();
    for n in &names {
        emu.add_zone(n);
    }
    let mut o = fast_opts(&emu);
    o.batch_size = 200;
    emu.set_max_batch(200);
    let p = std::sync::Arc::new(CloudflareProvider::new(
        "cf",
        SecretRef::Env("CF_T_BENCH".into()),
        o,
    ));
    for (what, variant) in [("first push", 0), ("no-op push", 0), ("10% changed", 1)] {
        emu.clear_requests();
        let t = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for n in &names {
            let (p, n) = (p.clone(), n.clone());
            set.spawn(async move {
                let origin = Name::parse_fqdn(&format!("{n}.")).unwrap();
                let want =
                    zone::parse_zone_yaml(&big_zone(1000, variant), &origin, "bench").unwrap();
                let live = p.list(&origin).await.unwrap();
                p.apply(&plan(&want, &live, &opts())).await.unwrap();
            });
        }
        while let Some(r) = set.join_next().await {
            r.unwrap();
        }
        eprintln!(
            "10 zones x 1,000, batches of 200: {what}: {:?}, {} requests",
            t.elapsed(),
            emu.request_count()
        );
    }
}
