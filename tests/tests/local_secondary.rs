//! The local provider's files served by a real BIND primary, with a real
//! BIND secondary transferring from it: what a push or a revert writes
//! reaches the secondary (the `reload` command makes the primary load the
//! file and notify; the serial only ever moves forward).

use dnsctl_e2e::Project;
use std::time::{Duration, Instant};
use testkit::bind::PrimaryAndSecondary;

fn zone(www: &str) -> String {
    format!("'':\n  - {{type: NS, value: ns1.example.com.}}\nns1: {{type: A, value: 127.0.0.1}}\nwww: {{type: A, value: {www}}}\n")
}

/// Waits until `dnsctl verify` finds zones/example.com.yaml served at `server`.
fn wait_served(p: &Project, server: std::net::SocketAddr, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = p.dnsctl(&["verify", "example.com", "--server", &server.to_string()]);
        if r.code() == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the secondary never served {what}:\n{}{}",
            r.stdout(),
            r.stderr()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_revert_reaches_a_bind_secondary() {
    let p = Project::new();
    let plain = "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n";
    p.write("dnsctl.yaml", plain)
        .write("zones/example.com.yaml", &zone("192.0.2.1"));
    p.dnsctl(&["push", "--yes"]).expect(0);
    let servers = PrimaryAndSecondary::start("example.com", &p.path("live/example.com.zone"));
    let reload: Vec<String> = servers
        .reload_command()
        .iter()
        .map(|a| format!("'{a}'"))
        .collect();
    p.write(
        "dnsctl.yaml",
        &plain.replace(
            "directory: live}",
            &format!("directory: live, reload: [{}]}}", reload.join(", ")),
        ),
    );
    wait_served(&p, servers.secondary(), "the first push");

    p.write("zones/example.com.yaml", &zone("192.0.2.2"));
    p.dnsctl(&["push", "--yes"]).expect(0);
    wait_served(&p, servers.primary(), "the change (primary)");
    wait_served(&p, servers.secondary(), "the change");

    let first = p.list("backups").pop().unwrap();
    p.dnsctl(&["revert", &format!("backups/{first}"), "--yes"])
        .expect(0);
    // The zone as the backup recorded it, www back at .1, on the secondary.
    p.write("zones/example.com.yaml", &zone("192.0.2.1"));
    wait_served(&p, servers.secondary(), "the reverted zone");
}

#[test]
fn a_reload_command_that_says_a_lot_does_not_stall_the_push() {
    let p = Project::new();
    // 300 KB on stderr: more than a pipe holds before someone reads it.
    p.write(
        "dnsctl.yaml",
        "providers:\n  local: {type: local, directory: live, reload: [sh, -c, 'head -c 300000 /dev/zero | tr \"\\0\" x >&2']}\nzones:\n  example.com: {provider: local}\n",
    )
    .write("zones/example.com.yaml", &zone("192.0.2.1"));
    // It succeeds: before, it blocked on the full pipe until the 60 s
    // timeout killed it, and the push failed.
    p.dnsctl(&["push", "--yes"]).expect(0);
}

#[test]
fn a_failing_reload_command_is_reported_after_the_write() {
    let p = Project::new();
    p.write(
        "dnsctl.yaml",
        "providers:\n  local: {type: local, directory: live, reload: [sh, -c, 'echo no server for $0 >&2; exit 3', '{zone}']}\nzones:\n  example.com: {provider: local}\n",
    )
    .write("zones/example.com.yaml", &zone("192.0.2.1"));
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    assert!(
        r.stderr().contains("reload command") && r.stderr().contains("no server for example.com"),
        "{}",
        r.stderr()
    );
    assert!(p.read("live/example.com.zone").contains("192.0.2.1"));
    let r = p.dnsctl(&["check"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    p.write(
        "dnsctl.yaml",
        "providers:\n  local: {type: local, directory: live, reload: 'rndc reload'}\nzones:\n  example.com: {provider: local}\n",
    );
    let r = p.dnsctl(&["check"]).expect(1);
    assert!(
        r.stderr().contains("dnsctl.yaml:2:") && r.stderr().contains("'reload' must be a list"),
        "{}",
        r.stderr()
    );
}
