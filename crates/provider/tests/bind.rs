//! The rfc2136 provider against a real BIND 9 started by the test (AXFR and
//! TSIG-signed UPDATE over TCP on a loopback port).

use provider::rfc2136::tsig::Algorithm;
use provider::rfc2136::Rfc2136Provider;
use provider::secret::SecretRef;
use provider::{Provider, ProviderError};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use testkit::bind::Bind;
use testkit::every_type_zone as all_types;
use zone::plan::{plan, PlanOptions};
use zone::{Name, RData, RType, RecordSet, Zone};

fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

fn desired(text: &str) -> Zone {
    zone::parse_zone_yaml(text, &origin(), "test.yaml").unwrap()
}

/// `text` plus the glue of the zone's name server, which BIND will not delete.
fn glued(text: &str) -> Zone {
    desired(&format!("ns1: {{type: A, value: 127.0.0.1}}\n{text}"))
}

fn provider(bind: &Bind, var: &str) -> Rfc2136Provider {
    std::env::set_var(var, bind.secret());
    Rfc2136Provider::new(
        &bind.addr().to_string(),
        bind.key_name(),
        Algorithm::HmacSha256,
        SecretRef::Env(var.into()),
    )
}

fn opts() -> PlanOptions {
    PlanOptions {
        ignore: zone::plan::IgnoreRule::defaults(),
        ..Default::default()
    }
}

async fn push(p: &Rfc2136Provider, want: &Zone) -> zone::Plan {
    let live = p.list(&origin()).await.unwrap();
    let pl = plan(want, &live, &opts());
    p.apply(&pl).await.unwrap();
    pl
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_round_trips_through_bind_and_converges() {
    let bind = Bind::start(&["example.com"]);
    let p = provider(&bind, "DNSCTL_TEST_BIND_ALL");
    let live = p.list(&origin()).await.unwrap();
    assert!(
        live.get("", RType::Soa).is_none(),
        "the SOA is the server's"
    );
    assert_eq!(live.get("ns1", RType::A).unwrap().values().len(), 1);
    let want = desired(&all_types());
    let pl = push(&p, &want).await;
    assert!(pl.changes.len() > 15, "{pl:?}");
    let live = p.list(&origin()).await.unwrap();
    let again = plan(&want, &live, &opts());
    assert!(again.is_empty(), "not converged: {again:?}");
    // The long TXT travelled as 255-octet strings and reads back joined.
    let txt = live.get("dkim._domainkey", RType::Txt).unwrap();
    assert_eq!(
        txt.values(),
        want.get("dkim._domainkey", RType::Txt).unwrap().values()
    );
    assert_eq!(txt.ttl, 600);
    // And BIND serves it split: named-checkzone-clean zone file on disk.
    let updates = p.stats().updates;
    assert_eq!(updates, 1, "one UPDATE for the whole plan");

    // Changes, deletes and a type swap (CNAME -> A) in one apply.
    let changed = all_types()
        .replace(
            "[ns1.example.com., ns2.example.net.]",
            "[ns1.example.com., ns3.example.net.]",
        )
        .replace(
            "ttl: 300, value: 203.0.113.10",
            "ttl: 120, value: 203.0.113.10",
        )
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
    assert!(want2.get("quote", RType::Txt).is_none());
    let pl = push(&p, &want2).await;
    let verbs: Vec<_> = pl
        .changes
        .iter()
        .map(|c| format!("{} {} {}", c.verb(), c.set().name, c.set().rtype))
        .collect();
    assert_eq!(
        verbs,
        [
            "delete quote TXT",
            "delete www CNAME",
            "update  NS",
            "update  A",
            "update mail A",
            "create www A"
        ]
    );
    assert!(plan(&want2, &p.list(&origin()).await.unwrap(), &opts()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_change_is_detected_not_overwritten() {
    let bind = Bind::start(&["example.com"]);
    let p = provider(&bind, "DNSCTL_TEST_BIND_RACE");
    push(
        &p,
        &glued("a: {type: A, value: 192.0.2.1}\nb: {type: A, value: 192.0.2.2}\n"),
    )
    .await;
    let live = p.list(&origin()).await.unwrap();
    let mine = plan(
        &glued("a: {type: A, value: 192.0.2.10}\nb: {type: A, value: 192.0.2.20}\n"),
        &live,
        &opts(),
    );
    // Someone else changes 'b' after the plan was made.
    push(
        &p,
        &glued("a: {type: A, value: 192.0.2.1}\nb: {type: A, value: 192.0.2.99}\n"),
    )
    .await;
    let err = p.apply(&mine).await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ProviderError::Conflict { .. }), "{msg}");
    assert!(
        msg.contains("NXRRSET") && msg.contains("changed meanwhile: b A"),
        "{msg}"
    );
    // Nothing of the refused message was applied.
    let live = p.list(&origin()).await.unwrap();
    assert_eq!(
        live.get("a", RType::A).unwrap().values(),
        [RData::A("192.0.2.1".parse().unwrap())]
    );
    // A create of a set that appeared meanwhile is refused too.
    let stale = plan(
        &desired("c: {type: A, value: 192.0.2.3}\n"),
        &Zone::new(origin()),
        &PlanOptions::default(),
    );
    push(&p, &glued("a: {type: A, value: 192.0.2.1}\nb: {type: A, value: 192.0.2.99}\nc: {type: A, value: 192.0.2.4}\n")).await;
    let msg = p.apply(&stale).await.unwrap_err().to_string();
    assert!(msg.contains("YXRRSET") && msg.contains("c A"), "{msg}");
}

/// BIND accepts an UPDATE that adds data beside a CNAME and silently ignores
/// that part (RFC 2136 3.4.2.2). By default the push is over after the last
/// UPDATE (no read-back transfer); with `verify_after_apply` the zone is read
/// back once and the ignored change is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_after_apply_reports_a_change_the_server_ignored() {
    let bind = Bind::start(&["example.com"]);
    let p = provider(&bind, "DNSCTL_TEST_BIND_READBACK");
    push(&p, &glued("x: {type: CNAME, value: a.example.net.}\n")).await;
    let live = p.list(&origin()).await.unwrap();
    // (dnsctl's own checks refuse this zone; the sets are built by hand.)
    let mut want = live.clone();
    want.insert(RecordSet::new("x", RType::Txt, 300, vec![RData::Txt("beside".into())]).unwrap());
    let pl = plan(&want, &live, &opts());
    assert_eq!(pl.changes.len(), 1);

    let before = p.stats();
    p.apply(&pl).await.unwrap();
    let after = p.stats();
    assert_eq!(
        (after.updates - before.updates, after.axfrs - before.axfrs),
        (1, 0),
        "one UPDATE, no read-back"
    );
    assert!(p
        .list(&origin())
        .await
        .unwrap()
        .get("x", RType::Txt)
        .is_none());

    let checked = p.clone().with_verify_after_apply(true);
    let before = checked.stats();
    let msg = checked.apply(&pl).await.unwrap_err().to_string();
    let after = checked.stats();
    assert_eq!(
        (after.updates - before.updates, after.axfrs - before.axfrs),
        (1, 1),
        "one UPDATE, one read-back"
    );
    assert!(
        msg.contains("did not apply 1 change(s): create x TXT"),
        "{msg}"
    );
    // A change the server applies passes the read-back.
    let fine = plan(
        &glued("x: {type: CNAME, value: b.example.net.}\n"),
        &live,
        &opts(),
    );
    checked.apply(&fine).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_names_the_rcode_and_the_records() {
    let bind = Bind::start(&["example.com"]);
    let p = provider(&bind, "DNSCTL_TEST_BIND_REFUSE");
    // Removing the in-zone glue of the zone's name server: BIND refuses the update.
    let live = p.list(&origin()).await.unwrap();
    let mut want = live.clone();
    want.remove("ns1", RType::A);
    want.insert(
        RecordSet::new(
            "ok",
            RType::A,
            300,
            vec![RData::A("192.0.2.1".parse().unwrap())],
        )
        .unwrap(),
    );
    let pl = plan(&want, &live, &opts());
    let msg = p.apply(&pl).await.unwrap_err().to_string();
    assert!(
        msg.contains("REFUSED") && msg.contains("delete ns1 A") && msg.contains("create ok A"),
        "{msg}"
    );
    assert!(
        p.list(&origin())
            .await
            .unwrap()
            .get("ok", RType::A)
            .is_none(),
        "refused whole"
    );

    // A wrong secret: the server's TSIG error, not a silent failure.
    std::env::set_var(
        "DNSCTL_TEST_BIND_BADKEY",
        "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==",
    );
    let bad = Rfc2136Provider::new(
        &bind.addr().to_string(),
        bind.key_name(),
        Algorithm::HmacSha256,
        SecretRef::Env("DNSCTL_TEST_BIND_BADKEY".into()),
    );
    let err = bad.list(&origin()).await.unwrap_err();
    assert!(
        matches!(
            err,
            provider::ProviderError::Remote {
                kind: provider::RemoteKind::Auth,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("BADSIG") || msg.contains("NOTAUTH"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_tsig_algorithms() {
    for alg in ["hmac-sha512", "hmac-sha224", "hmac-sha384"] {
        let bind = Bind::start_with_algorithm(&["example.com"], alg);
        let var = format!("DNSCTL_TEST_BIND_{}", alg.replace('-', "_").to_uppercase());
        std::env::set_var(&var, bind.secret());
        let p = Rfc2136Provider::new(
            &bind.addr().to_string(),
            bind.key_name(),
            Algorithm::parse(alg).unwrap(),
            SecretRef::Env(var),
        );
        push(&p, &glued("a: {type: A, value: 192.0.2.1}\n")).await;
        assert!(
            p.list(&origin())
                .await
                .unwrap()
                .get("a", RType::A)
                .is_some(),
            "{alg}"
        );
    }
}

fn big_zone(n: usize) -> Zone {
    desired(&testkit::big_zone(n))
}

/// A 10,000-record zone: pushed in UPDATE messages under 64 KiB, read back in
/// one AXFR. Prints the timings (run with --nocapture to see them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_records() {
    let bind = Bind::start(&["example.com"]);
    let p = provider(&bind, "DNSCTL_TEST_BIND_10K");
    let want = big_zone(10_000);
    let t = Instant::now();
    let live = p.list(&origin()).await.unwrap();
    let pl = plan(&want, &live, &opts());
    p.apply(&pl).await.unwrap();
    let push_time = t.elapsed();
    let updates = p.stats().updates;
    let t = Instant::now();
    let live = p.list(&origin()).await.unwrap();
    let list_time = t.elapsed();
    assert_eq!(live.len(), 10_002);
    let noop = plan(&want, &live, &opts());
    assert!(noop.is_empty());
    eprintln!(
        "FIGURES bind 10k: push {:.2}s ({} changes in {updates} UPDATE messages, plus 1 AXFR), list {:.2}s",
        push_time.as_secs_f64(),
        pl.changes.len(),
        list_time.as_secs_f64()
    );
    assert!(
        (2..=10).contains(&updates),
        "{updates} UPDATE messages (octoDNS sends 10)"
    );
}

/// The server stops in the middle of a push; the push fails with a message
/// that says what may be applied; after a restart a re-run converges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_interrupted_by_a_server_stop_is_repaired_by_a_rerun() {
    let bind = Arc::new(Mutex::new(Bind::start(&["example.com"])));
    let p = provider(&bind.lock().unwrap(), "DNSCTL_TEST_BIND_STOP").with_max_message(2048);
    let want = big_zone(2_000);
    let live = p.list(&origin()).await.unwrap();
    let pl = plan(&want, &live, &opts());
    let watcher = {
        let (p, bind) = (p.clone(), bind.clone());
        std::thread::spawn(move || {
            while p.stats().updates < 5 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            bind.lock().unwrap().stop();
        })
    };
    let err = p.apply(&pl).await.unwrap_err().to_string();
    watcher.join().unwrap();
    assert!(
        err.contains("may or may not be applied") || err.contains("connect"),
        "{err}"
    );
    bind.lock().unwrap().restart();
    let live = p.list(&origin()).await.unwrap();
    let rest = plan(&want, &live, &opts());
    assert!(
        !rest.is_empty() && rest.changes.len() < pl.changes.len(),
        "{} of {}",
        rest.changes.len(),
        pl.changes.len()
    );
    p.apply(&rest).await.unwrap();
    assert!(plan(&want, &p.list(&origin()).await.unwrap(), &opts()).is_empty());
}

/// The same provider against Knot DNS: every type, a change, a concurrent
/// change refused by the prerequisites.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knot_every_type_and_prerequisites() {
    let knot = testkit::knot::Knot::start(&["example.com"]);
    std::env::set_var("DNSCTL_TEST_KNOT", knot.secret());
    let p = Rfc2136Provider::new(
        &knot.addr().to_string(),
        knot.key_name(),
        Algorithm::HmacSha256,
        SecretRef::Env("DNSCTL_TEST_KNOT".into()),
    );
    let want = desired(&all_types());
    push(&p, &want).await;
    let live = p.list(&origin()).await.unwrap();
    let again = plan(&want, &live, &opts());
    assert!(
        again.is_empty(),
        "not converged on Knot: {again:?}\n{}",
        knot.log()
    );
    let changed = all_types()
        .replace(
            "[ns1.example.com., ns2.example.net.]",
            "[ns1.example.com., ns3.example.net.]",
        )
        .replace("value: 203.0.113.25}", "value: 203.0.113.26}");
    let want2 = desired(&changed);
    let mine = plan(&want2, &live, &opts());
    push(&p, &want2).await;
    assert!(plan(&want2, &p.list(&origin()).await.unwrap(), &opts()).is_empty());
    // `mine` was made before the push above: its prerequisites no longer hold.
    let err = p.apply(&mine).await.unwrap_err();
    assert!(matches!(err, ProviderError::Conflict { .. }), "{err}");
}

/// Progress comes after each UPDATE message that the server accepted, in
/// record set changes, and ends at the whole plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_reported_after_each_update_message() {
    let bind = Bind::start(&["example.com"]);
    let p = provider(&bind, "DNSCTL_TEST_BIND_PROGRESS").with_max_message(2048);
    let want = big_zone(300);
    let live = p.list(&origin()).await.unwrap();
    let pl = plan(&want, &live, &opts());
    let seen = Mutex::new(Vec::new());
    p.apply_reporting(&pl, &|done, total| seen.lock().unwrap().push((done, total)))
        .await
        .unwrap();
    let seen = seen.into_inner().unwrap();
    let n = pl.changes.len();
    assert!(seen.len() > 1, "several messages of 2 KiB: {seen:?}");
    assert_eq!(seen.last(), Some(&(n, n)));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert_eq!(u64::try_from(seen.len()).unwrap(), p.stats().updates);
}
