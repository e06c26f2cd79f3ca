//! End-to-end: dnsctl against a real BIND 9 (rfc2136 provider: AXFR and
//! TSIG-signed UPDATE), and `dnsctl verify` asking it directly.

use dnsctl_e2e::{all_types, big_zone, rfc2136_project, Project};
use testkit::bind::Bind;

fn project(bind: &Bind, var: &str) -> Project {
    rfc2136_project(bind.addr(), bind.key_name(), bind.secret(), var)
}

#[test]
fn preview_push_verify_revert_pull_on_bind() {
    let bind = Bind::start(&["example.com"]);
    let p = project(&bind, "DNSCTL_E2E_BIND_LOOP");
    let server = bind.addr().to_string();
    p.write("zones/example.com.yaml", &all_types());
    let r = p.dnsctl(&["preview", "--exit-code"]).expect(2);
    assert!(r.stdout().contains("dkim._domainkey"), "{}", r.stdout());
    // Nothing is served yet: verify reports every missing set.
    let r = p.dnsctl(&["verify", "--server", &server]).expect(2);
    assert!(
        r.stdout().contains("www CNAME: missing (NXDOMAIN)"),
        "{}",
        r.stdout()
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
    let r = p.dnsctl(&["verify", "--server", &server]).expect(0);
    assert!(
        r.stdout().contains("all 19 record sets match"),
        "{}",
        r.stdout()
    );
    let first = p.list("backups");
    assert_eq!(first.len(), 1);

    // A change pushed, then drift made behind dnsctl's back.
    p.write(
        "zones/example.com.yaml",
        &all_types().replace("203.0.113.25", "203.0.113.26"),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.dnsctl(&["verify", "--server", &server]).expect(0);
    p.write(
        "zones/example.com.yaml",
        &all_types().replace(
            "ttl: 300, value: 203.0.113.10",
            "ttl: 60, value: 203.0.113.11",
        ),
    );
    let r = p
        .dnsctl(&["verify", "example.com", "--server", &server, "--json"])
        .expect(2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v[0]["differences"][0]["name"], "@");
    assert_eq!(v[0]["differences"][0]["type"], "A");
    assert_eq!(
        v[0]["differences"][0]["detail"],
        "want 203.0.113.11; served 203.0.113.10"
    );

    // Pull writes what BIND holds; it plans nothing against the pushed file.
    let r = p.dnsctl(&["pull", "example.com", "-o", "-"]).expect(0);
    assert!(
        r.stdout().contains("203.0.113.26") && !r.stdout().contains("SOA"),
        "{}",
        r.stdout()
    );

    // Revert to the state before the first push: only the server's NS and glue.
    let backup = format!("backups/{}", first[0]);
    p.dnsctl(&["revert", &backup, "--yes", "--force"]).expect(0);
    let r = p.dnsctl(&["pull", "example.com", "-o", "-"]).expect(0);
    assert!(
        !r.stdout().contains("203.0.113") && r.stdout().contains("127.0.0.1"),
        "{}",
        r.stdout()
    );
}

/// BIND is stopped while a push is under way (as soon as its journal shows
/// the first UPDATE); the push fails saying so; after a restart a re-run
/// converges, and verify agrees.
#[test]
fn a_push_interrupted_by_a_server_stop_is_repaired_by_a_rerun() {
    let bind = std::sync::Arc::new(std::sync::Mutex::new(Bind::start(&["example.com"])));
    let (p, journal, server) = {
        let b = bind.lock().unwrap();
        let journal = b.dir().join("example.com.zone.jnl");
        (
            project(&b, "DNSCTL_E2E_BIND_STOP"),
            journal,
            b.addr().to_string(),
        )
    };
    p.write("zones/example.com.yaml", &big_zone(10_000));
    let killer = {
        let bind = bind.clone();
        std::thread::spawn(move || {
            while !journal.exists() {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            bind.lock().unwrap().stop();
        })
    };
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    killer.join().unwrap();
    assert!(r.stderr().contains("rfc2136"), "{}", r.stderr());
    bind.lock().unwrap().restart();
    let r = p.dnsctl(&["preview", "--exit-code"]).expect(2);
    assert!(r.stdout().contains("create"), "{}", r.stdout());
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
    p.dnsctl(&["verify", "--server", &server]).expect(0);
}

/// An answer larger than the 4096-octet UDP payload is truncated; verify asks
/// again over TCP. A server that does not answer is an error (exit 1).
#[test]
fn verify_falls_back_to_tcp_and_reports_a_silent_server() {
    let bind = Bind::start(&["example.com"]);
    let p = project(&bind, "DNSCTL_E2E_BIND_TCP");
    let values: Vec<String> = (0..12)
        .map(|i| format!("'{i:02}{}'", "x".repeat(500)))
        .collect();
    p.write(
        "zones/example.com.yaml",
        &format!(
            "'': {{type: NS, value: ns1.example.com.}}\nns1: {{type: A, value: 127.0.0.1}}\nbig: {{type: TXT, values: [{}]}}\n",
            values.join(", ")
        ),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    let server = bind.addr().to_string();
    let r = p.dnsctl(&["verify", "--server", &server]).expect(0);
    assert!(
        r.stdout().contains("all 3 record sets match"),
        "{}",
        r.stdout()
    );
    p.write(
        "zones/example.com.yaml",
        &p.read("zones/example.com.yaml").replace("'11x", "'12x"),
    );
    let r = p.dnsctl(&["verify", "--server", &server]).expect(2);
    assert!(r.stdout().contains("big TXT: want"), "{}", r.stdout());
    // Nothing listens there.
    let silent = format!("127.0.0.1:{}", testkit::servers::free_port());
    let r = p.dnsctl(&["verify", "--server", &silent]).expect(1);
    assert!(r.stdout().contains("cannot verify"), "{}", r.stdout());
}

/// `verify_after_apply: true` reads the zone back after a push: an update
/// BIND accepted but ignored (a CNAME beside a TXT that the project's ignore
/// rule keeps out of the plan) fails the push. Off, the push ends with the
/// last UPDATE and `dnsctl verify` shows the difference.
#[test]
fn verify_after_apply_fails_a_push_the_server_ignored() {
    let bind = Bind::start(&["example.com"]);
    let p = project(&bind, "DNSCTL_E2E_BIND_READBACK");
    let glue = "'': {type: NS, value: ns1.example.com.}\nns1: {type: A, value: 127.0.0.1}\n";
    p.write(
        "zones/example.com.yaml",
        &format!("{glue}legacy: {{type: TXT, value: kept}}\n"),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    let config = p.read("dnsctl.yaml").replace(
        "example.com: {provider: ns}",
        "example.com: {provider: ns, ignore: [{name: legacy, type: TXT}]}",
    );
    p.write("dnsctl.yaml", &config);
    p.write(
        "zones/example.com.yaml",
        &format!("{glue}legacy: {{type: CNAME, value: new.example.net.}}\n"),
    );
    let r = p.dnsctl(&["push", "--yes"]).expect(0);
    assert!(r.stdout().contains("legacy"), "{}", r.stdout());
    p.dnsctl(&["verify", "--server", &bind.addr().to_string()])
        .expect(2);

    p.write(
        "dnsctl.yaml",
        &config.replace("    secret:", "    verify_after_apply: true\n    secret:"),
    );
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    assert!(
        r.stderr()
            .contains("did not apply 1 change(s): create legacy CNAME"),
        "{}",
        r.stderr()
    );
    p.write(
        "dnsctl.yaml",
        &config.replace("    secret:", "    verify_after_apply: maybe\n    secret:"),
    );
    let r = p.dnsctl(&["check"]).expect(1);
    assert!(
        r.stderr()
            .contains("'verify_after_apply' must be true or false"),
        "{}",
        r.stderr()
    );
}
