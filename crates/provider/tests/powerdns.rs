//! The powerdns provider against a real PowerDNS Authoritative server (gsqlite3
//! backend, HTTP API) started by the test.

use provider::powerdns::PowerDnsProvider;
use provider::secret::SecretRef;
use provider::Provider;
use std::time::Instant;
use testkit::every_type_zone as all_types;
use testkit::powerdns::PowerDns;
use zone::plan::{plan, PlanOptions};
use zone::{Name, RData, RType, RecordSet, Zone};

fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

fn desired(text: &str) -> Zone {
    zone::parse_zone_yaml(text, &origin(), "test.yaml").unwrap()
}

fn opts() -> PlanOptions {
    PlanOptions {
        ignore: zone::plan::IgnoreRule::defaults(),
        ..Default::default()
    }
}

fn provider(pdns: &PowerDns, var: &str) -> PowerDnsProvider {
    std::env::set_var(var, pdns.api_key());
    PowerDnsProvider::new(&pdns.api_url(), SecretRef::Env(var.into()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_round_trips_and_the_zone_is_created_on_demand() {
    let pdns = PowerDns::start();
    let p = provider(&pdns, "DNSCTL_TEST_PDNS_ALL");
    // Without create_zone, a missing zone is an error that says what to do.
    let err = p.list(&origin()).await.unwrap_err();
    assert!(
        matches!(
            err,
            provider::ProviderError::Remote {
                kind: provider::RemoteKind::NotFound,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("create_zone"), "{err}");
    let p = p.with_create_zone(true);
    let live = p.list(&origin()).await.unwrap();
    assert!(live.is_empty());
    // Asked before it exists, the server refuses (and caches that answer).
    assert!(!testkit::servers::soa_answers(
        pdns.dns_addr(),
        "example.com"
    ));
    let want = desired(&all_types());
    let pl = plan(&want, &live, &opts());
    let before = p.requests();
    p.apply(&pl).await.unwrap();
    assert_eq!(
        p.requests() - before,
        2,
        "one POST creates the zone with its rrsets, one PUT flushes its cache"
    );
    assert!(
        testkit::servers::soa_answers(pdns.dns_addr(), "example.com"),
        "the zone is served at once, not REFUSED from the cache"
    );
    let live = p.list(&origin()).await.unwrap();
    assert!(
        live.get("", RType::Soa).is_none(),
        "the SOA is the server's"
    );
    let again = plan(&want, &live, &opts());
    assert!(again.is_empty(), "not converged: {again:?}");

    // Updates, deletes and a type swap in one PATCH.
    let changed = all_types()
        .replace(
            "www: {type: CNAME, ttl: 300, value: example.com.}",
            "www: {type: A, value: 192.0.2.80}",
        )
        .replace("value: 203.0.113.25}", "value: 203.0.113.26}")
        .replace(
            "quote: {type: TXT, value: 'say \"hi\" \\\\ back\\; ok'}\n",
            "",
        );
    let want2 = desired(&changed);
    let pl = plan(&want2, &live, &opts());
    assert_eq!(pl.changes.len(), 4, "{pl:?}");
    let before = p.requests();
    p.apply(&pl).await.unwrap();
    assert_eq!(p.requests() - before, 1, "one PATCH");
    assert!(plan(&want2, &p.list(&origin()).await.unwrap(), &opts()).is_empty());
}

/// A zone deleted between `list` and `apply` (or a plan made elsewhere): the
/// PATCH finds no zone, which is then created, with the rrsets in the POST
/// when the plan only creates, else empty and patched again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_missing_at_apply_is_created_then() {
    let pdns = PowerDns::start();
    let p = provider(&pdns, "DNSCTL_TEST_PDNS_LATE").with_create_zone(true);
    let want = desired(&all_types());
    let creates = plan(&want, &Zone::new(origin()), &opts());
    p.apply(&creates).await.unwrap();
    assert_eq!(
        p.requests(),
        3,
        "PATCH (no zone), POST with the rrsets, cache flush"
    );
    assert!(plan(&want, &p.list(&origin()).await.unwrap(), &opts()).is_empty());

    // A plan that also deletes, against a zone that is gone meanwhile.
    let live = p.list(&origin()).await.unwrap();
    let smaller = desired("a: {type: A, value: 192.0.2.1}\n");
    let pl = plan(&smaller, &live, &opts());
    assert!(pl.changes.iter().any(|c| c.verb() == "delete"), "{pl:?}");
    let (status, body) = pdns.delete("/api/v1/servers/localhost/zones/example.com.");
    assert_eq!(status, 204, "{body}");
    let before = p.requests();
    p.apply(&pl).await.unwrap();
    assert_eq!(
        p.requests() - before,
        3,
        "PATCH (no zone), POST (empty zone), PATCH"
    );
    let live = p.list(&origin()).await.unwrap();
    assert!(plan(&smaller, &live, &opts()).is_empty(), "{live:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_the_server_message() {
    let pdns = PowerDns::start();
    pdns.create_zone("example.com");
    let p = provider(&pdns, "DNSCTL_TEST_PDNS_REFUSE");
    // A CNAME beside other data: PowerDNS refuses the whole PATCH.
    let live = p.list(&origin()).await.unwrap();
    let mut want = live.clone();
    // (dnsctl's own checks refuse this zone; the sets are built by hand.)
    want.insert(
        RecordSet::new(
            "x",
            RType::Cname,
            300,
            vec![RData::Cname(Name::parse_fqdn("a.example.net.").unwrap())],
        )
        .unwrap(),
    );
    want.insert(RecordSet::new("x", RType::Txt, 300, vec![RData::Txt("hi".into())]).unwrap());
    let err = p
        .apply(&plan(&want, &live, &opts()))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("HTTP 422") && err.contains("x.example.com.") && err.contains("Conflicts"),
        "{err}"
    );
    // A wrong key.
    std::env::set_var("DNSCTL_TEST_PDNS_BADKEY", "wrong");
    let bad = PowerDnsProvider::new(
        &pdns.api_url(),
        SecretRef::Env("DNSCTL_TEST_PDNS_BADKEY".into()),
    );
    let err = bad.list(&origin()).await.unwrap_err().to_string();
    assert!(err.contains("HTTP 401") && err.contains("api_key"), "{err}");
}

fn big_zone(n: usize) -> Zone {
    desired(&testkit::big_zone(n))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_records_in_one_patch() {
    let pdns = PowerDns::start();
    pdns.create_zone("example.com");
    let p = provider(&pdns, "DNSCTL_TEST_PDNS_10K");
    let want = big_zone(10_000);
    let t = Instant::now();
    let live = p.list(&origin()).await.unwrap();
    let pl = plan(&want, &live, &opts());
    p.apply(&pl).await.unwrap();
    let push_time = t.elapsed();
    assert_eq!(p.requests(), 2, "one GET and one PATCH");
    let t = Instant::now();
    let live = p.list(&origin()).await.unwrap();
    let list_time = t.elapsed();
    assert_eq!(live.len(), 10_002);
    assert!(plan(&want, &live, &opts()).is_empty());
    eprintln!(
        "FIGURES powerdns 10k: push {:.2}s ({} changes: 1 GET + 1 PATCH), list {:.2}s",
        push_time.as_secs_f64(),
        pl.changes.len(),
        list_time.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_while_the_server_is_down_fails_and_a_rerun_after_restart_converges() {
    let mut pdns = PowerDns::start();
    pdns.create_zone("example.com");
    let p = provider(&pdns, "DNSCTL_TEST_PDNS_STOP");
    let want = big_zone(500);
    let live = p.list(&origin()).await.unwrap();
    let pl = plan(&want, &live, &opts());
    pdns.stop();
    let err = p.apply(&pl).await.unwrap_err().to_string();
    assert!(err.contains("PATCH") && err.contains("powerdns"), "{err}");
    pdns.restart();
    let live = p.list(&origin()).await.unwrap();
    let pl = plan(&want, &live, &opts());
    p.apply(&pl).await.unwrap();
    assert!(plan(&want, &p.list(&origin()).await.unwrap(), &opts()).is_empty());
}

#[test]
fn config_reads_both_providers_and_refuses_inline_credentials() {
    use provider::config::Config;
    let root = std::path::Path::new("/nonexistent");
    let ok = "providers:\n  ns:\n    type: rfc2136\n    server: 127.0.0.1:5353\n    key_name: dnsctl\n    algorithm: hmac-sha512\n    secret: {env: TSIG}\n  pdns:\n    type: powerdns\n    api_url: http://127.0.0.1:8081\n    api_key: {env: PDNS}\n    create_zone: true\nzones:\n  a.example: {provider: ns}\n  b.example: {provider: pdns}\n";
    let cfg = Config::parse(ok, root, "dnsctl.yaml").unwrap();
    let ns = cfg.providers["ns"].describe(&Name::parse_fqdn("a.example.").unwrap());
    assert_eq!(ns, "rfc2136: a.example. on 127.0.0.1:5353 (key dnsctl)");
    let pd = cfg.providers["pdns"].describe(&Name::parse_fqdn("b.example.").unwrap());
    assert_eq!(
        pd,
        "powerdns: http://127.0.0.1:8081/api/v1/servers/localhost/zones/b.example."
    );
    for (bad, want) in [
        (
            ok.replace("secret: {env: TSIG}", "secret: c2VjcmV0"),
            "7:13: error: 'secret' must be a reference",
        ),
        (
            ok.replace("api_key: {env: PDNS}", "api_key: hunter2"),
            "11:14: error: 'api_key' must be a reference",
        ),
        (
            ok.replace("hmac-sha512", "hmac-md4"),
            "unknown TSIG algorithm 'hmac-md4'",
        ),
        (
            ok.replace("http://127.0.0.1:8081", "127.0.0.1:8081"),
            "must start with http://",
        ),
        (
            ok.replace("    key_name: dnsctl\n", ""),
            "provider 'ns' needs 'key_name'",
        ),
    ] {
        let e = Config::parse(&bad, root, "dnsctl.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }
}

/// One PATCH applies the whole plan: progress is reported once, at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_reported_once_for_the_one_patch() {
    let pdns = PowerDns::start();
    let p = provider(&pdns, "DNSCTL_TEST_PDNS_PROGRESS").with_create_zone(true);
    let want = desired(&all_types());
    let live = p.list(&origin()).await.unwrap();
    let pl = plan(&want, &live, &opts());
    let seen = std::sync::Mutex::new(Vec::new());
    p.apply_reporting(&pl, &|done, total| seen.lock().unwrap().push((done, total)))
        .await
        .unwrap();
    let n = pl.changes.len();
    assert_eq!(seen.into_inner().unwrap(), vec![(n, n)]);
}
