//! DNS-01 records through the Cloudflare provider into the emulator, checked
//! over the emulator's DNS face: add-not-replace, remove only the value
//! cleaned up, CNAME delegation, longest-suffix zones, timeouts that name the
//! lagging server, and the preflight check.

use acme::check::{check, Level};
use acme::{hook, Policy, Settings};
use provider::Config;
use std::time::Duration;
use testkit::Emulator;
use zone::Name;

const TOKEN_ENV: &str = "DNSCTL_ACME_TEST_TOKEN";
const A: &str = "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM";
const B: &str = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0";

async fn setup(zones: &[&str]) -> (Emulator, Config, tempfile::TempDir) {
    let emu = Emulator::start().await;
    emu.add_token("acme-test-token");
    std::env::set_var(TOKEN_ENV, "acme-test-token");
    let mut yaml = format!(
        "providers:\n  cf: {{type: cloudflare, base_url: '{}', token: {{env: {TOKEN_ENV}}}}}\nzones:\n",
        emu.base_url()
    );
    for z in zones {
        emu.add_zone(z);
        yaml.push_str(&format!("  {z}: {{provider: cf}}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::parse(&yaml, dir.path(), "dnsctl.yaml").unwrap();
    (emu, cfg, dir)
}

fn settings(emu: &Emulator) -> Settings {
    Settings {
        nameservers: vec![emu.dns_addr()],
        policy: Policy {
            timeout: Duration::from_secs(5),
            max_interval: Duration::from_millis(200),
            query_timeout: Duration::from_millis(500),
        },
        no_wait: false,
        progress: None,
    }
}

fn txt_at(emu: &Emulator, zone: &str, name: &str) -> Vec<String> {
    let mut v: Vec<String> = emu
        .records(zone)
        .into_iter()
        .filter(|r| r["type"] == "TXT" && r["name"] == name)
        .map(|r| {
            r["content"]
                .as_str()
                .unwrap_or_default()
                .trim_matches('"')
                .to_string()
        })
        .collect();
    v.sort();
    v
}

async fn served(emu: &Emulator, name: &str) -> Vec<String> {
    let a = acme::dns::query(
        emu.dns_addr(),
        name,
        acme::dns::Type::TXT,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    assert!(a.authoritative, "{a:?}");
    let mut t = a.txt;
    t.sort();
    t
}

#[tokio::test]
async fn present_adds_and_cleanup_removes_only_its_value() {
    let (emu, cfg, _d) = setup(&["example.test"]).await;
    let s = settings(&emu);
    let name = hook::challenge_name("example.test").unwrap();

    let r = acme::present(&cfg, &name, A, &s).await.unwrap();
    assert_eq!(r.outcome, acme::Outcome::Changed);
    assert_eq!(r.fqdn.as_str(), "_acme-challenge.example.test.");
    let waited = r.waited.expect("waited");
    assert_eq!(waited.servers, 1);
    assert!(waited.elapsed < Duration::from_secs(1), "{waited:?}");
    // certbot: apex and wildcard publish two values at one name before validating.
    let wild = hook::challenge_name("*.example.test").unwrap();
    acme::present(&cfg, &wild, B, &s).await.unwrap();
    assert_eq!(
        txt_at(&emu, "example.test", "_acme-challenge.example.test"),
        vec![A.to_string(), B.to_string()]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    assert_eq!(served(&emu, "_acme-challenge.example.test.").await.len(), 2);
    // Presenting again changes nothing.
    let again = acme::present(&cfg, &name, A, &s).await.unwrap();
    assert_eq!(again.outcome, acme::Outcome::Unchanged);
    assert_eq!(again.values.len(), 2);

    let r = acme::cleanup(&cfg, &name, A, &s).await.unwrap();
    assert_eq!(r.outcome, acme::Outcome::Changed);
    assert_eq!(r.values, vec![B.to_string()]);
    assert_eq!(
        served(&emu, "_acme-challenge.example.test.").await,
        vec![B.to_string()]
    );
    acme::cleanup(&cfg, &wild, B, &s).await.unwrap();
    assert!(txt_at(&emu, "example.test", "_acme-challenge.example.test").is_empty());
    assert!(served(&emu, "_acme-challenge.example.test.")
        .await
        .is_empty());
    // Cleaning up what is gone is fine.
    let r = acme::cleanup(&cfg, &wild, B, &s).await.unwrap();
    assert_eq!(r.outcome, acme::Outcome::Unchanged);
}

#[tokio::test]
async fn other_txt_values_at_the_name_survive() {
    let (emu, cfg, _d) = setup(&["example.test"]).await;
    emu.add_record(
        "example.test",
        serde_json::json!({"type": "TXT", "name": "_acme-challenge.example.test", "content": "\"manual-value\"", "ttl": 300}),
    )
    .unwrap();
    let s = settings(&emu);
    let name = hook::challenge_name("example.test").unwrap();
    acme::present(&cfg, &name, A, &s).await.unwrap();
    assert_eq!(
        served(&emu, "_acme-challenge.example.test.").await,
        vec![A.to_string(), "manual-value".to_string()]
    );
    acme::cleanup(&cfg, &name, A, &s).await.unwrap();
    assert_eq!(
        txt_at(&emu, "example.test", "_acme-challenge.example.test"),
        vec!["manual-value".to_string()]
    );
}

#[tokio::test]
async fn a_cname_at_the_challenge_name_is_followed_into_another_zone() {
    let (emu, cfg, _d) = setup(&["example.test", "acme.example.net"]).await;
    emu.add_record(
        "example.test",
        serde_json::json!({"type": "CNAME", "name": "_acme-challenge.www.example.test", "content": "www-example-test.acme.example.net", "ttl": 300}),
    )
    .unwrap();
    let s = settings(&emu);
    let name = hook::challenge_name("www.example.test").unwrap();
    let r = acme::present(&cfg, &name, A, &s).await.unwrap();
    assert_eq!(r.fqdn.as_str(), "www-example-test.acme.example.net.");
    assert_eq!(r.via, vec![name.clone()]);
    assert!(r.target.contains("acme.example.net"), "{}", r.target);
    assert_eq!(
        txt_at(
            &emu,
            "acme.example.net",
            "www-example-test.acme.example.net"
        ),
        vec![A.to_string()]
    );
    // A resolver following the CNAME (as the CA does) finds the value.
    let a = acme::dns::query(
        emu.dns_addr(),
        "_acme-challenge.www.example.test.",
        acme::dns::Type::CNAME,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    assert_eq!(
        a.names,
        vec!["www-example-test.acme.example.net.".to_string()]
    );
    acme::cleanup(&cfg, &name, A, &s).await.unwrap();
    assert!(txt_at(
        &emu,
        "acme.example.net",
        "www-example-test.acme.example.net"
    )
    .is_empty());
}

#[tokio::test]
async fn the_longest_matching_zone_wins_and_unknown_names_are_refused() {
    let (emu, cfg, _d) = setup(&["example.test", "lab.example.test"]).await;
    let s = settings(&emu);
    let r = acme::present(
        &cfg,
        &hook::challenge_name("nas.lab.example.test").unwrap(),
        A,
        &s,
    )
    .await
    .unwrap();
    assert!(r.target.contains("lab.example.test"), "{}", r.target);
    assert_eq!(
        txt_at(
            &emu,
            "lab.example.test",
            "_acme-challenge.nas.lab.example.test"
        ),
        vec![A.to_string()]
    );
    assert!(emu.records("example.test").is_empty());
    let e = acme::present(&cfg, &hook::challenge_name("example.org").unwrap(), A, &s)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no zone in dnsctl.yaml holds _acme-challenge.example.org.")
            && e.contains("example.test"),
        "{e}"
    );
}

#[tokio::test]
async fn a_lagging_server_is_named_on_timeout() {
    let (emu, cfg, _d) = setup(&["example.test"]).await;
    // A second "authoritative" server that never answers: a bound UDP socket that reads nothing.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut s = settings(&emu);
    s.nameservers.push(silent.local_addr().unwrap());
    s.policy.timeout = Duration::from_millis(1500);
    s.policy.query_timeout = Duration::from_millis(300);
    let t0 = std::time::Instant::now();
    let e = acme::present(&cfg, &hook::challenge_name("example.test").unwrap(), A, &s)
        .await
        .unwrap_err()
        .to_string();
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    let lag = silent.local_addr().unwrap().to_string();
    assert!(
        e.contains("1 of 2 authoritative nameserver(s) did not serve")
            && e.contains(&lag)
            && !e.contains(&format!("{}:", emu.dns_addr()))
            && e.contains("no answer (")
            && e.ends_with(
                "or allow more time (--timeout, or the ACME client's propagation timeout)"
            ),
        "{e}"
    );
    // Cleanup waits until the value is gone from the servers that answer.
    let s = settings(&emu);
    acme::cleanup(&cfg, &hook::challenge_name("example.test").unwrap(), A, &s)
        .await
        .unwrap();
}

#[tokio::test]
async fn wait_only_observes() {
    let (emu, cfg, _d) = setup(&["example.test"]).await;
    let mut s = settings(&emu);
    s.policy.timeout = Duration::from_millis(400);
    let name = hook::challenge_name("example.test").unwrap();
    let e = acme::wait(&cfg, &name, A, &s)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("did not serve TXT \"LHDh") && e.contains("NXDOMAIN"),
        "{e}"
    );
    emu.add_record(
        "example.test",
        serde_json::json!({"type": "TXT", "name": "_acme-challenge.example.test", "content": A, "ttl": 60}),
    )
    .unwrap();
    let r = acme::wait(&cfg, &name, A, &s).await.unwrap();
    assert!(r.waited.is_some());
    assert_eq!(emu.records("example.test").len(), 1);
}

#[tokio::test]
async fn preflight_check_reports_caa_delegation_and_stale_values() {
    let (emu, cfg, _d) = setup(&["example.test"]).await;
    let s = settings(&emu);
    let cas = vec![acme::check::DEFAULT_CA.to_string()];
    let r = check(&cfg, "example.test", &cas, &s, false).await.unwrap();
    assert!(!r.failed(), "{r:?}");
    let topics: Vec<&str> = r.findings.iter().map(|f| f.topic).collect();
    assert!(
        topics.contains(&"credentials")
            && topics.contains(&"caa")
            && topics.contains(&"delegation")
            && topics.contains(&"stale"),
        "{r:?}"
    );
    let deleg = r.findings.iter().find(|f| f.topic == "delegation").unwrap();
    assert_eq!(deleg.level, Level::Ok, "{deleg:?}");

    // CAA allowing another CA only; a stale value.
    emu.add_record("example.test", serde_json::json!({"type": "CAA", "name": "example.test", "ttl": 300, "data": {"flags": 0, "tag": "issue", "value": "pki.goog"}})).unwrap();
    emu.add_record("example.test", serde_json::json!({"type": "TXT", "name": "_acme-challenge.example.test", "content": A, "ttl": 60})).unwrap();
    let r = check(&cfg, "example.test", &cas, &s, false).await.unwrap();
    assert!(r.failed());
    let caa = r.findings.iter().find(|f| f.topic == "caa").unwrap();
    assert!(
        caa.level == Level::Fail && caa.message.contains("does not allow letsencrypt.org"),
        "{caa:?}"
    );
    let stale = r.findings.iter().find(|f| f.topic == "stale").unwrap();
    assert!(
        stale.level == Level::Warn && stale.message.contains(A),
        "{stale:?}"
    );
    // Another CA is allowed; --clean removes the stale value.
    let r = check(&cfg, "example.test", &["pki.goog".to_string()], &s, true)
        .await
        .unwrap();
    assert!(!r.failed(), "{r:?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.topic == "stale" && f.message.starts_with("removed 1")),
        "{r:?}"
    );
    assert!(txt_at(&emu, "example.test", "_acme-challenge.example.test").is_empty());

    // Bad credentials are a failure, not an error.
    std::env::set_var("DNSCTL_ACME_BAD_TOKEN", "nope");
    let yaml = format!("providers:\n  cf: {{type: cloudflare, base_url: '{}', token: {{env: DNSCTL_ACME_BAD_TOKEN}}, max_retries: 0}}\nzones:\n  example.test: {{provider: cf}}\n", emu.base_url());
    let bad = Config::parse(&yaml, _d.path(), "dnsctl.yaml").unwrap();
    let r = check(&bad, "example.test", &cas, &s, false).await.unwrap();
    let cred = &r.findings[0];
    assert!(
        cred.level == Level::Fail && cred.topic == "credentials",
        "{r:?}"
    );
}

#[tokio::test]
async fn the_local_provider_works_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("live")).unwrap();
    let cfg = Config::parse(
        "providers:\n  home: {type: local, directory: live}\nzones:\n  home.test: {provider: home}\n",
        dir.path(),
        "dnsctl.yaml",
    )
    .unwrap();
    let s = Settings {
        no_wait: true,
        ..Settings::default()
    };
    let name = Name::parse_fqdn("_acme-challenge.home.test.").unwrap();
    acme::present(&cfg, &name, A, &s).await.unwrap();
    acme::present(&cfg, &name, B, &s).await.unwrap();
    let file = std::fs::read_to_string(dir.path().join("live/home.test.zone")).unwrap();
    assert!(file.contains(A) && file.contains(B), "{file}");
    acme::cleanup(&cfg, &name, A, &s).await.unwrap();
    let file = std::fs::read_to_string(dir.path().join("live/home.test.zone")).unwrap();
    assert!(!file.contains(A) && file.contains(B), "{file}");
}

#[tokio::test]
async fn a_truncated_udp_answer_is_read_again_over_tcp() {
    let (emu, cfg, _d) = setup(&["example.test"]).await;
    // 40 values of 43 characters do not fit a 1232-byte UDP answer.
    let values: Vec<String> = (0..40)
        .map(|i| acme::key_authorization_digest(&format!("token-{i}")))
        .collect();
    for v in &values {
        emu.add_record(
            "example.test",
            serde_json::json!({"type": "TXT", "name": "_acme-challenge.example.test", "content": v, "ttl": 60}),
        )
        .unwrap();
    }
    let a = acme::dns::query(
        emu.dns_addr(),
        "_acme-challenge.example.test.",
        acme::dns::Type::TXT,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    assert!(a.tcp, "expected the TCP fallback");
    assert_eq!(a.txt.len(), 40);
    // And the propagation wait sees the value among them.
    let s = settings(&emu);
    let name = hook::challenge_name("example.test").unwrap();
    let r = acme::present(&cfg, &name, A, &s).await.unwrap();
    assert_eq!(r.values.len(), 41);
    assert!(r.waited.is_some());
}

#[tokio::test]
async fn wait_refuses_answers_for_another_question_or_owner() {
    let (emu, cfg, _d) = setup(&["example.test"]).await;
    let name = hook::challenge_name("example.test").unwrap();
    let mut s = settings(&emu);
    s.no_wait = true;
    acme::present(&cfg, &name, A, &s).await.unwrap();
    let mut s = settings(&emu);
    s.policy.timeout = Duration::from_millis(600);
    // The value is served, but under another owner name or for another
    // question: not evidence that the challenge name serves it.
    for fault in [
        testkit::DnsFault::WrongOwner,
        testkit::DnsFault::WrongQuestion,
    ] {
        emu.set_dns_fault(Some(fault));
        let e = acme::wait(&cfg, &name, A, &s)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("did not serve") && e.contains("not for the question asked"),
            "{fault:?}: {e}"
        );
    }
    emu.set_dns_fault(None);
    acme::wait(&cfg, &name, A, &s).await.unwrap();
}

#[tokio::test]
async fn a_wait_reports_which_servers_lag_after_each_round() {
    let (emu, cfg, _dir) = setup(&["example.test"]).await;
    let rounds = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = rounds.clone();
    let mut s = settings(&emu);
    s.policy.timeout = Duration::from_millis(800);
    s.progress = Some(acme::Progress(std::sync::Arc::new(
        move |r: &acme::Round<'_>| {
            seen.lock().unwrap().push((
                r.lagging.iter().map(|(s, _)| s.addr).collect::<Vec<_>>(),
                r.lagging[0].1.clone(),
                r.total,
                r.elapsed <= r.timeout,
            ));
        },
    )));
    let name = Name::parse_fqdn("_acme-challenge.example.test.").unwrap();
    // Never published: every round leaves the one server lagging.
    acme::wait(&cfg, &name, "never-published", &s)
        .await
        .unwrap_err();
    let rounds = rounds.lock().unwrap();
    assert!(rounds.len() >= 2, "{rounds:?}");
    for (lagging, state, total, in_time) in rounds.iter() {
        assert_eq!(lagging, &[emu.dns_addr()]);
        assert!(
            state.contains("NXDOMAIN") || state.contains("no TXT"),
            "{state}"
        );
        assert_eq!(*total, 1);
        assert!(in_time);
    }
}
