//! End-to-end: dnsctl against a real Knot DNS (rfc2136 provider: AXFR and
//! TSIG-signed UPDATE), and `dnsctl verify` asking it directly. The same
//! coverage as tests/bind.rs: preview, push, verify, pull, revert, every
//! record type, 10,000 records, and a server stopped in the middle of a push.

use dnsctl_e2e::{all_types, big_zone, rfc2136_project, Project};
use testkit::knot::Knot;

fn project(knot: &Knot, var: &str) -> Project {
    rfc2136_project(knot.addr(), knot.key_name(), knot.secret(), var)
}

#[test]
fn preview_push_verify_revert_pull_on_knot() {
    let mut knot = Knot::start(&["example.com"]);
    let p = project(&knot, "DNSCTL_E2E_KNOT_LOOP");
    let server = knot.addr().to_string();
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
    // Knot wrote the update back to its zone file (zonefile-sync: 0).
    let zonefile = std::fs::read_to_string(knot.zone_file("example.com")).unwrap();
    assert!(zonefile.contains("2001:db8:10::25"), "{zonefile}");

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
    // The long TXT (three strings on the wire) compares equal joined; only
    // the TTL differs.
    p.write(
        "zones/example.com.yaml",
        &all_types()
            .replace("203.0.113.25", "203.0.113.26")
            .replace("ttl: 600,", "ttl: 900,"),
    );
    let r = p.dnsctl(&["verify", "--server", &server]).expect(2);
    assert!(
        r.stdout().contains("1 of 19 record sets differ")
            && r.stdout()
                .contains("dkim._domainkey TXT: TTL: want 900, served 600"),
        "{}",
        r.stdout()
    );

    // Only the TTL of the apex NS set changes. Knot ignores an UPDATE that
    // adds a record it holds (BIND takes its new TTL), and the apex NS set
    // cannot be deleted whole: the provider makes this change with a record
    // that exists only inside the message. Knot keeps it across a restart.
    let pushed = all_types().replace("203.0.113.25", "203.0.113.26");
    let ns_ttl = pushed.replace("{type: NS, values:", "{type: NS, ttl: 86400, values:");
    p.write("zones/example.com.yaml", &ns_ttl);
    let r = p.dnsctl(&["push", "--yes"]).expect(0);
    assert!(r.stdout().contains("1 update"), "{}", r.stdout());
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
    knot.restart();
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
    p.dnsctl(&["verify", "--server", &server]).expect(0);
    p.write("zones/example.com.yaml", &pushed);
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.dnsctl(&["preview", "--exit-code"]).expect(0);

    // Pull writes what Knot holds; it plans nothing against the pushed file.
    let r = p.dnsctl(&["pull", "example.com", "-o", "-"]).expect(0);
    assert!(
        r.stdout().contains("203.0.113.26") && !r.stdout().contains("SOA"),
        "{}",
        r.stdout()
    );
    let pulled = p.path("pulled.yaml");
    p.dnsctl(&["pull", "example.com", "-o", pulled.to_str().unwrap()])
        .expect(0);
    p.write("zones/example.com.yaml", &p.read("pulled.yaml"));
    p.dnsctl(&["preview", "--exit-code"]).expect(0);

    // Revert to the state before the first push: only the server's NS and glue.
    let backup = format!("backups/{}", first[0]);
    p.dnsctl(&["revert", &backup, "--yes", "--force"]).expect(0);
    let r = p.dnsctl(&["pull", "example.com", "-o", "-"]).expect(0);
    assert!(
        !r.stdout().contains("203.0.113")
            && !r.stdout().contains("ns2.example.net")
            && r.stdout().contains("127.0.0.1"),
        "{}",
        r.stdout()
    );
}

/// Knot is stopped while a push is under way (as soon as its log shows the
/// first UPDATE processed); the push fails saying so; after a restart a
/// re-run converges, and verify agrees.
#[test]
fn a_push_interrupted_by_a_knot_stop_is_repaired_by_a_rerun() {
    let knot = std::sync::Arc::new(std::sync::Mutex::new(Knot::start(&["example.com"])));
    let (p, log, server) = {
        let k = knot.lock().unwrap();
        (
            project(&k, "DNSCTL_E2E_KNOT_STOP"),
            k.dir().join("knotd.log"),
            k.addr().to_string(),
        )
    };
    p.write("zones/example.com.yaml", &big_zone(10_000));
    let killer = {
        let knot = knot.clone();
        std::thread::spawn(move || {
            while !std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("DDNS, finished")
            {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            knot.lock().unwrap().stop();
        })
    };
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    killer.join().unwrap();
    assert!(
        r.stderr().contains("rfc2136") && r.stderr().contains("may or may not be applied"),
        "{}",
        r.stderr()
    );
    knot.lock().unwrap().restart();
    let r = p.dnsctl(&["preview", "--exit-code"]).expect(2);
    assert!(r.stdout().contains("create"), "{}", r.stdout());
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
    p.dnsctl(&["verify", "--server", &server]).expect(0);
}

/// Knot answers a request signed with a key it does not know, or with the
/// wrong secret, NOTAUTH with TSIG error BADKEY or BADSIG, unsigned; dnsctl
/// says which and changes nothing.
#[test]
fn knot_refuses_an_unknown_key() {
    let knot = Knot::start(&["example.com"]);
    let p = rfc2136_project(
        knot.addr(),
        "someone-else",
        knot.secret(),
        "DNSCTL_E2E_KNOT_BADKEY",
    );
    p.write("zones/example.com.yaml", &all_types());
    let r = p.dnsctl(&["preview"]).expect(1);
    assert!(
        r.stderr()
            .contains("refused: BADKEY (the server does not know this key"),
        "{}",
        r.stderr()
    );
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    assert!(r.stderr().contains("BADKEY"), "{}", r.stderr());
    assert!(p.list("backups").is_empty());
    // The right key name with another secret.
    std::env::set_var(
        "DNSCTL_E2E_KNOT_BADKEY",
        "c2VjcmV0IHRoYXQgaXMgbm90IHRoZSBzZXJ2ZXIncw==",
    );
    p.write(
        "dnsctl.yaml",
        &p.read("dnsctl.yaml")
            .replace("someone-else", knot.key_name()),
    );
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    assert!(r.stderr().contains("refused: BADSIG"), "{}", r.stderr());
    let r = p.dnsctl(&["pull", "example.com", "-o", "-"]).expect(1);
    assert!(r.stderr().contains("BADSIG"), "{}", r.stderr());
    assert!(p.list("backups").is_empty());
}

/// A zone that delegates a child: Knot answers for the child's NS set and
/// its glue with a referral (not authoritative), which verify compares.
/// An answer larger than Knot's UDP payload (1232 octets by default) is
/// truncated; verify asks again over TCP.
#[test]
fn verify_reads_referrals_and_falls_back_to_tcp_on_knot() {
    let knot = Knot::start(&["example.com"]);
    let p = project(&knot, "DNSCTL_E2E_KNOT_REFERRAL");
    let values: Vec<String> = (0..6)
        .map(|i| format!("'{i:02}{}'", "x".repeat(400)))
        .collect();
    let zone = format!(
        "'': {{type: NS, value: ns1.example.com.}}\nns1: {{type: A, value: 127.0.0.1}}\nbig: {{type: TXT, values: [{}]}}\nsub: {{type: NS, values: [ns.sub.example.com., ns.example.net.]}}\nns.sub: [{{type: A, value: 192.0.2.53}}, {{type: AAAA, value: '2001:db8::53'}}]\n",
        values.join(", ")
    );
    p.write("zones/example.com.yaml", &zone);
    p.dnsctl(&["push", "--yes"]).expect(0);
    let server = knot.addr().to_string();
    let r = p.dnsctl(&["verify", "--server", &server]).expect(0);
    assert!(
        r.stdout().contains("all 6 record sets match"),
        "{}",
        r.stdout()
    );
    // Drift in the delegation and its glue is seen.
    p.write(
        "zones/example.com.yaml",
        &zone
            .replace("ns.example.net.", "ns2.example.net.")
            .replace("192.0.2.53", "192.0.2.54")
            .replace("'05x", "'06x"),
    );
    let r = p.dnsctl(&["verify", "--server", &server]).expect(2);
    assert!(
        r.stdout().contains("3 of 6 record sets differ")
            && r.stdout().contains("big TXT: want")
            && r.stdout().contains(
                "sub NS: want ns.sub.example.com., ns2.example.net.; served ns.example.net., ns.sub.example.com."
            )
            && r.stdout().contains("ns.sub A: want 192.0.2.54; served 192.0.2.53"),
        "{}",
        r.stdout()
    );
}

/// A key Knot lets update only TXT records: a push that also changes other
/// types is refused whole, and dnsctl names the server's answer and the
/// records of the refused message; the zone is unchanged.
#[test]
fn knot_refuses_an_update_its_acl_does_not_allow() {
    let knot = Knot::start_with_update_types(&["example.com"], &["TXT"]);
    let p = project(&knot, "DNSCTL_E2E_KNOT_ACL");
    let base = "'': {type: NS, value: ns1.example.com.}\nns1: {type: A, value: 127.0.0.1}\n";
    p.write(
        "zones/example.com.yaml",
        &format!("{base}note: {{type: TXT, value: hello}}\n"),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.write(
        "zones/example.com.yaml",
        &format!("{base}www: {{type: A, value: 192.0.2.1}}\n"),
    );
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    assert!(
        r.stderr().contains("UPDATE 1/1 of zone example.com. refused: BADKEY (the server refuses this key for this update")
            && r.stderr().contains("records in it: delete note TXT, create www A; 0 earlier message(s) were applied"),
        "{}",
        r.stderr()
    );
    let r = p.dnsctl(&["preview", "--exit-code"]).expect(2);
    assert!(
        r.stdout().contains("+ www") && r.stdout().contains("- note"),
        "{}",
        r.stdout()
    );
}
