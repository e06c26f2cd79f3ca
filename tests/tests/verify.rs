//! End-to-end: `dnsctl verify` with no `--server` finds the zone's name
//! servers from its apex NS records and asks each on port 53, where an NS
//! record says its server answers. The servers are real Knot instances on
//! port 53 of 127.0.0.1, .2 and .3 inside a private network namespace (see
//! `in_private_network`); ns1 and ns2 are in the zone and found through its
//! glue, ns3.example.net through the system resolver (/etc/hosts in there).

use dnsctl_e2e::{in_private_network, rfc2136_config, Project};
use std::net::SocketAddr;
use testkit::knot::Knot;

const HOSTS: &str = "127.0.0.3 ns3.example.net\n";

fn zone(txt: &str) -> String {
    format!(
        "'':\n  - {{type: NS, values: [ns1.example.com., ns2.example.com., ns3.example.net.]}}\n  - {{type: A, value: 192.0.2.1}}\nns1: {{type: A, value: 127.0.0.1}}\nns2: {{type: A, value: 127.0.0.2}}\nwww: {{type: CNAME, value: example.com.}}\ntxt: {{type: TXT, value: '{txt}'}}\n"
    )
}

fn knot_at(ip: &str) -> Knot {
    Knot::start_at(SocketAddr::new(ip.parse().unwrap(), 53), &["example.com"])
}

/// Points the project's provider at `knot` and pushes the zone file there
/// (three primaries, each updated by dnsctl, as some run them).
fn push_to(p: &Project, knot: &Knot, var: &str) {
    p.write(
        "dnsctl.yaml",
        &rfc2136_config(knot.addr(), knot.key_name(), knot.secret(), var),
    );
    p.dnsctl(&["push", "--yes", "--force"]).expect(0);
}

#[test]
fn verify_asks_every_name_server_of_the_zone_on_port_53() {
    if !in_private_network(
        "verify_asks_every_name_server_of_the_zone_on_port_53",
        HOSTS,
    ) {
        return;
    }
    let ns1 = knot_at("127.0.0.1");
    let mut ns2 = knot_at("127.0.0.2");
    let ns3 = knot_at("127.0.0.3");
    let servers = [
        (&ns1, "DNSCTL_E2E_VERIFY_NS1"),
        (&ns2, "DNSCTL_E2E_VERIFY_NS2"),
        (&ns3, "DNSCTL_E2E_VERIFY_NS3"),
    ];
    let p = Project::new();
    p.write("zones/example.com.yaml", &zone("first"));
    for (k, var) in servers {
        push_to(&p, k, var);
    }
    let r = p.dnsctl(&["verify"]).expect(0);
    for line in [
        "example.com @ ns1.example.com (127.0.0.1:53): all 6 record sets match",
        "example.com @ ns2.example.com (127.0.0.2:53): all 6 record sets match",
        "example.com @ ns3.example.net (127.0.0.3:53): all 6 record sets match",
    ] {
        assert!(r.stdout().contains(line), "{line}\n{}", r.stdout());
    }

    // ns2 misses a push: it alone is reported, with what it serves.
    p.write("zones/example.com.yaml", &zone("second"));
    push_to(&p, &ns1, "DNSCTL_E2E_VERIFY_NS1");
    push_to(&p, &ns3, "DNSCTL_E2E_VERIFY_NS3");
    let r = p.dnsctl(&["verify", "example.com"]).expect(2);
    assert!(
        r.stdout().contains(
            "example.com @ ns2.example.com (127.0.0.2:53): 1 of 6 record sets differ\n  txt TXT: want \"second\"; served \"first\"\n"
        ) && r.stdout().matches("all 6 record sets match").count() == 2,
        "{}",
        r.stdout()
    );
    let r = p.dnsctl(&["verify", "--json"]).expect(2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    let report: Vec<(String, String, usize)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["server"].as_str().unwrap().to_string(),
                s["address"].as_str().unwrap().to_string(),
                s["differences"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        report,
        [
            ("ns1.example.com".into(), "127.0.0.1:53".into(), 0),
            ("ns2.example.com".into(), "127.0.0.2:53".into(), 1),
            ("ns3.example.net".into(), "127.0.0.3:53".into(), 0),
        ]
    );
    assert_eq!(v[1]["differences"][0]["name"], "txt");

    // ns2 does not answer: an error (exit 1), the others are still asked.
    ns2.stop();
    let r = p.dnsctl(&["verify"]).expect(1);
    assert!(
        r.stdout()
            .contains("example.com @ ns2.example.com (127.0.0.2:53): cannot verify: ")
            && r.stdout().matches("all 6 record sets match").count() == 2,
        "{}",
        r.stdout()
    );
    ns2.restart();
    push_to(&p, &ns2, "DNSCTL_E2E_VERIFY_NS2");
    p.dnsctl(&["verify"]).expect(0);

    // No NS in the file: the live apex NS (read through the provider) names
    // the servers; the file's glue still gives their addresses.
    p.write(
        "zones/example.com.yaml",
        &zone("second").replace(
            "  - {type: NS, values: [ns1.example.com., ns2.example.com., ns3.example.net.]}\n",
            "",
        ),
    );
    let r = p.dnsctl(&["verify"]).expect(0);
    assert_eq!(
        r.stdout().matches("all 5 record sets match").count(),
        3,
        "{}",
        r.stdout()
    );

    // A name server whose name does not resolve is an error of its own; the
    // NS set in the file differs from the one served.
    p.write(
        "zones/example.com.yaml",
        &zone("second").replace("ns3.example.net.]", "ns3.example.net., ns4.example.org.]"),
    );
    let r = p.dnsctl(&["verify"]).expect(1);
    assert!(
        r.stdout().contains(
            "example.com @ ns4.example.org: cannot verify: cannot resolve the name server 'ns4.example.org'"
        ) && r.stdout().matches("1 of 6 record sets differ\n  @ NS: want").count() == 3,
        "{}",
        r.stdout()
    );
}
