//! End-to-end: dnsctl against a real PowerDNS Authoritative server (HTTP API,
//! gsqlite3), and `dnsctl verify` asking its DNS port directly.

use dnsctl_e2e::{all_types, big_zone, Project};
use testkit::powerdns::PowerDns;

fn project(pdns: &PowerDns, var: &str) -> Project {
    std::env::set_var(var, pdns.api_key());
    let p = Project::new();
    p.write(
        "dnsctl.yaml",
        &format!(
            "providers:\n  pdns:\n    type: powerdns\n    api_url: {}\n    api_key: {{env: {var}}}\n    server_id: localhost\n    create_zone: true\nzones:\n  example.com: {{provider: pdns}}\n",
            pdns.api_url()
        ),
    );
    p
}

#[test]
fn preview_push_verify_revert_pull_on_powerdns() {
    let pdns = PowerDns::start();
    let p = project(&pdns, "DNSCTL_E2E_PDNS_LOOP");
    let server = pdns.dns_addr().to_string();
    p.write("zones/example.com.yaml", &all_types());
    p.dnsctl(&["preview", "--exit-code"]).expect(2);
    // The zone does not exist yet: the server refuses to answer for it.
    p.dnsctl(&["verify", "--server", &server]).expect(1);
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

    p.write(
        "zones/example.com.yaml",
        &all_types().replace("203.0.113.25", "203.0.113.26"),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.dnsctl(&["verify", "--server", &server]).expect(0);
    // Drift: the file says one thing, the server serves another.
    p.write(
        "zones/example.com.yaml",
        &all_types().replace("ttl: 600,", "ttl: 900,"),
    );
    let r = p.dnsctl(&["verify", "--server", &server]).expect(2);
    assert!(
        r.stdout()
            .contains("dkim._domainkey TXT: TTL: want 900, served 600"),
        "{}",
        r.stdout()
    );

    let r = p.dnsctl(&["pull", "example.com", "-o", "-"]).expect(0);
    assert!(
        r.stdout().contains("203.0.113.26") && !r.stdout().contains("SOA"),
        "{}",
        r.stdout()
    );

    // Revert to before the first push: the zone was empty (created by the push).
    let backup = format!("backups/{}", first[0]);
    p.dnsctl(&["revert", &backup, "--yes", "--force"]).expect(0);
    let r = p
        .dnsctl(&["pull", "example.com", "-o", "-", "--force"])
        .expect(0);
    assert!(!r.stdout().contains("203.0.113"), "{}", r.stdout());
}

/// PowerDNS is stopped before the write of a push (after its backup read the
/// zone); the push fails; after a restart a re-run converges.
#[test]
fn a_push_while_powerdns_is_down_is_repaired_by_a_rerun() {
    let mut pdns = PowerDns::start();
    let p = project(&pdns, "DNSCTL_E2E_PDNS_STOP");
    p.write("zones/example.com.yaml", &all_types());
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.write("zones/example.com.yaml", &big_zone(2_000));
    pdns.stop();
    let r = p.dnsctl(&["push", "--yes", "--force"]).expect(1);
    assert!(r.stderr().contains("powerdns"), "{}", r.stderr());
    pdns.restart();
    p.dnsctl(&["preview", "--exit-code"]).expect(2);
    p.dnsctl(&["push", "--yes", "--force"]).expect(0);
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
    p.dnsctl(&["verify", "--server", &pdns.dns_addr().to_string()])
        .expect(0);
}
