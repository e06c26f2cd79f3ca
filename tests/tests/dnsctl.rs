//! End-to-end tests of the dnsctl binary on the local provider: the whole
//! check / preview / push / revert / pull loop, and bad input that must give a
//! clear error and change nothing.

use dnsctl_e2e::Project;

const CONFIG: &str = "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n";

const ZONE: &str = r#"'':
  - type: NS
    values: [ns1.example.com., ns2.example.net.]
  - type: MX
    value: {preference: 10, exchange: mail.example.com.}
  - type: TXT
    value: v=spf1 mx -all
_dmarc: {type: TXT, value: 'v=DMARC1\; p=reject'}
mail: {type: A, value: 192.0.2.25}
ns1: {type: A, value: 192.0.2.53}
www: {type: CNAME, ttl: 300, value: example.com.}
"#;

fn project() -> Project {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG)
        .write("zones/example.com.yaml", ZONE);
    p
}

fn pushed() -> Project {
    let p = project();
    p.dnsctl(&["push", "--yes"]).expect(0);
    p
}

#[test]
fn check_accepts_a_valid_project() {
    let r = project().dnsctl(&["check"]).expect(0);
    assert_eq!(r.stdout(), "ok: 1 zone and 7 record sets are valid\n");
}

#[test]
fn preview_shows_the_plan_and_exit_codes_follow_the_flag() {
    let p = project();
    let r = p.dnsctl(&["preview"]).expect(0);
    insta::assert_snapshot!("preview_initial", r.stdout());
    p.dnsctl(&["preview", "--exit-code"]).expect(2);
    p.dnsctl(&["push", "--yes"]).expect(0);
    let r = p.dnsctl(&["preview", "--exit-code"]).expect(0);
    assert!(r.stdout().contains("no changes"), "{}", r.stdout());
}

#[test]
fn preview_shows_a_value_level_diff() {
    let p = pushed();
    p.write(
        "zones/example.com.yaml",
        &ZONE.replace("192.0.2.25", "192.0.2.26").replace(
            "www: {type: CNAME, ttl: 300, value: example.com.}\n",
            "new: {type: AAAA, value: '2001:db8::1'}\n",
        ),
    );
    let r = p.dnsctl(&["preview"]).expect(0);
    insta::assert_snapshot!("preview_changes", r.stdout());
}

#[test]
fn preview_json_is_machine_readable() {
    let p = pushed();
    p.write(
        "zones/example.com.yaml",
        &ZONE.replace("192.0.2.25", "192.0.2.26"),
    );
    let r = p.dnsctl(&["preview", "--json"]).expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).expect("JSON");
    let change = &v["zones"][0]["changes"][0];
    assert_eq!(change["action"], "update");
    assert_eq!(change["name"], "mail");
    assert_eq!(change["type"], "A");
    assert_eq!(change["from"]["values"][0], "192.0.2.25");
    assert_eq!(change["to"]["values"][0], "192.0.2.26");
    assert_eq!(v["summary"]["update"], 1);
}

#[test]
fn push_needs_confirmation_without_a_terminal() {
    let p = project();
    let r = p.dnsctl(&["push"]).expect(1);
    assert!(r.stderr().contains("pass --yes"), "{}", r.stderr());
    assert!(!p.path("live").exists(), "nothing written");
    assert!(p.list("backups").is_empty(), "no backup");
}

#[test]
fn push_backs_up_then_applies_and_a_second_push_does_nothing() {
    let p = pushed();
    let backups = p.list("backups");
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(backups[0].starts_with("example.com_") && backups[0].ends_with("Z.yaml"));
    let zonefile = p.read("live/example.com.zone");
    assert!(
        zonefile.contains("www\t300\tIN\tCNAME\texample.com.\n"),
        "{zonefile}"
    );
    let r = p.dnsctl(&["push", "--yes"]).expect(0);
    assert!(r.stdout().contains("nothing to do"), "{}", r.stdout());
    assert_eq!(p.list("backups").len(), 1, "no backup for an empty push");
    assert_eq!(p.read("live/example.com.zone"), zonefile, "nothing changed");
}

/// Every record type, long TXT and escapes included, as the local provider
/// writes them, loads in BIND and in Knot unchanged.
#[test]
fn the_zone_file_loads_in_bind_and_knot() {
    let p = Project::new();
    let long = "k=".to_string() + &"A".repeat(400);
    p.write("dnsctl.yaml", CONFIG).write(
        "zones/example.com.yaml",
        &format!(
            r#"{ZONE}'*': {{type: AAAA, value: '2001:db8::7'}}
_443._tcp.www: {{type: TLSA, value: {{certificate_usage: 3, selector: 1, matching_type: 1, certificate_association_data: {tlsa}}}}}
caa: {{type: CAA, values: [{{tag: issue, value: letsencrypt.org}}, {{flags: 128, tag: iodef, value: 'mailto:sec@example.com'}}]}}
dkim._domainkey: {{type: TXT, value: '{long}'}}
quote: {{type: TXT, value: 'say "hi" \\ back\; ok'}}
host: {{type: SSHFP, value: {{algorithm: 4, fingerprint_type: 2, fingerprint: {tlsa}}}}}
svc: {{type: HTTPS, value: {{svcpriority: 1, targetname: ., svcparams: {{alpn: [h2, h3], port: 8443, ipv4hint: [192.0.2.1]}}}}}}
_dns.ns1: {{type: SVCB, value: {{svcpriority: 1, targetname: ns1.example.com., svcparams: {{alpn: [dot]}}}}}}
1.2.0.192.in-addr: {{type: PTR, value: mail.example.com.}}
"#,
            tlsa = "ab".repeat(32)
        ),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    let zonefile = p.path("live/example.com.zone");
    let bind = std::process::Command::new("named-checkzone")
        .args(["example.com", zonefile.to_str().unwrap()])
        .output()
        .expect("named-checkzone (Debian bind9-utils) must be installed: run ./scripts/test.sh");
    assert!(
        bind.status.success(),
        "BIND: {}",
        String::from_utf8_lossy(&bind.stdout)
    );
    let conf = p.path("knot.conf");
    std::fs::write(
        &conf,
        format!(
            "server:\n    rundir: {dir}\ndatabase:\n    storage: {dir}\nzone:\n  - domain: example.com\n    file: {file}\n",
            dir = p.dir.path().display(),
            file = zonefile.display()
        ),
    )
    .unwrap();
    let knotc = ["knotc", "/usr/sbin/knotc"].into_iter().find(|k| {
        std::process::Command::new(k)
            .arg("--version")
            .output()
            .is_ok()
    });
    let knot = std::process::Command::new(
        knotc.expect("knotc (Debian knot) must be installed: run ./scripts/test.sh"),
    )
    .args(["-c", conf.to_str().unwrap(), "zone-check", "example.com"])
    .output()
    .unwrap();
    assert!(
        knot.status.success(),
        "Knot: {}",
        String::from_utf8_lossy(&knot.stderr)
    );
    // And what the file holds reads back as the zone we pushed.
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
}

/// The serial in the SOA line of a zone file dnsctl wrote.
fn serial(zone_file: &str) -> u32 {
    let soa = zone_file.lines().find(|l| l.contains("\tSOA\t")).unwrap();
    soa.split_whitespace().nth(6).unwrap().parse().unwrap()
}

#[test]
fn push_then_revert_restores_every_record_and_moves_the_serial_forward() {
    let p = pushed();
    let before = p.read("live/example.com.zone");
    assert_eq!(serial(&before), 1);
    p.write(
        "zones/example.com.yaml",
        &ZONE
            .replace("192.0.2.25", "192.0.2.26")
            .replace("_dmarc", "_dmarc2"),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    assert_ne!(p.read("live/example.com.zone"), before);
    let newest = p.list("backups").pop().unwrap();
    p.dnsctl(&["revert", &format!("backups/{newest}"), "--yes"])
        .expect(0);
    // Byte for byte but the serial, which goes 1 -> 2 (push) -> 3 (revert):
    // a secondary ignores a zone whose serial went back.
    let after = p.read("live/example.com.zone");
    assert_eq!(serial(&after), 3);
    assert_eq!(after.replacen(" 3 7200 ", " 1 7200 ", 1), before);
    assert_eq!(
        p.list("backups").len(),
        3,
        "the revert backed up the state it replaced"
    );
}

#[test]
fn revert_refuses_a_file_that_is_not_a_backup() {
    let p = pushed();
    let r = p
        .dnsctl(&["revert", "zones/example.com.yaml", "--yes"])
        .expect(1);
    assert!(r.stderr().contains("is not a backup"), "{}", r.stderr());
}

#[test]
fn safety_thresholds_stop_a_large_push_unless_forced() {
    let p = Project::new();
    let many: String = (0..20)
        .map(|i| format!("h{i}: {{type: A, value: 192.0.2.{i}}}\n"))
        .collect();
    p.write("dnsctl.yaml", CONFIG)
        .write("zones/example.com.yaml", &many);
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.write(
        "zones/example.com.yaml",
        "h0: {type: A, value: 192.0.2.0}\n",
    );
    let before = p.read("live/example.com.zone");
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    assert!(
        r.stderr().contains("delete 19 of 20") && r.stderr().contains("--force"),
        "{}",
        r.stderr()
    );
    assert_eq!(p.read("live/example.com.zone"), before);
    assert_eq!(
        p.list("backups").len(),
        1,
        "a refused push writes no backup"
    );
    p.dnsctl(&["push", "--yes", "--force"]).expect(0);
    assert!(!p.read("live/example.com.zone").contains("h5\t"));
}

#[test]
fn acme_challenges_and_ignored_names_are_left_alone() {
    let p = Project::new();
    p.write("dnsctl.yaml", &format!("{CONFIG}ignore:\n  - {{name: 'dyn-*'}}\n"))
        .write("zones/example.com.yaml", "www: {type: A, value: 192.0.2.1}\n")
        .write("live/example.com.zone", "$ORIGIN example.com.\n_acme-challenge.www 60 IN TXT \"token\"\ndyn-laptop 60 IN A 192.0.2.77\nold 60 IN A 192.0.2.9\n");
    let r = p.dnsctl(&["push", "--yes"]).expect(0);
    assert!(
        r.stdout().contains("1 create, 0 update, 1 delete"),
        "{}",
        r.stdout()
    );
    let live = p.read("live/example.com.zone");
    assert!(
        live.contains("_acme-challenge.www\t60\tIN\tTXT\t\"token\""),
        "{live}"
    );
    assert!(live.contains("dyn-laptop\t60\tIN\tA"), "{live}");
    assert!(!live.contains("old\t"), "{live}");
}

#[test]
fn no_purge_keeps_unknown_live_records() {
    let p = Project::new();
    p.write("dnsctl.yaml", "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local, no_purge: true}\n")
        .write("zones/example.com.yaml", "www: {type: A, value: 192.0.2.1}\n")
        .write("live/example.com.zone", "$ORIGIN example.com.\nold 60 IN A 192.0.2.9\n");
    p.dnsctl(&["push", "--yes"]).expect(0);
    assert!(p.read("live/example.com.zone").contains("old\t60"));
}

#[test]
fn pull_adopts_a_live_zone() {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG).write(
        "live/example.com.zone",
        "$ORIGIN example.com.\n$TTL 600\n@ IN SOA ns1 hostmaster 5 7200 3600 1209600 300\n  IN NS ns1\n  IN MX 10 mail\nmail IN A 192.0.2.25\n_acme-challenge IN TXT \"x\"\n",
    );
    let r = p.dnsctl(&["pull", "example.com"]).expect(0);
    assert!(
        r.stderr()
            .contains("wrote zones/example.com.yaml (3 record sets)"),
        "{}",
        r.stderr()
    );
    let yaml = p.read("zones/example.com.yaml");
    assert!(!yaml.contains("SOA") && !yaml.contains("_acme"), "{yaml}");
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
    let r = p.dnsctl(&["pull", "example.com"]).expect(1);
    assert!(r.stderr().contains("--force"), "{}", r.stderr());
}

#[test]
fn backups_are_listed_newest_first() {
    let p = pushed();
    p.write(
        "zones/example.com.yaml",
        &ZONE.replace("192.0.2.25", "192.0.2.26"),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    let r = p.dnsctl(&["backups", "example.com"]).expect(0);
    let out = r.stdout();
    let lines: Vec<&str> = out.lines().collect();
    let files = p.list("backups");
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].ends_with(&files[1]) && lines[1].ends_with(&files[0]),
        "{lines:?}"
    );
}

#[test]
fn import_converts_a_zone_file() {
    let p = Project::new();
    p.write(
        "db.example",
        "$ORIGIN example.com.\n@ 3600 IN SOA ns1 h 1 2 3 4 5\nwww 300 IN A 192.0.2.1\n",
    );
    let r = p
        .dnsctl(&["import", "db.example", "--zone", "example.com"])
        .expect(0);
    assert_eq!(
        r.stdout(),
        "---\nwww:\n  ttl: 300\n  type: A\n  value: 192.0.2.1\n"
    );
    let r = p
        .dnsctl(&["import", "db.example", "--zone", "example.org"])
        .expect(1);
    assert!(
        r.stderr()
            .contains("db.example:2:1: error: 'example.com.' is outside zone example.org."),
        "{}",
        r.stderr()
    );
}

/// Each bad input gives file:line:col, a non-zero exit, and changes nothing.
#[test]
fn bad_input_is_reported_with_a_location_and_changes_nothing() {
    let cases: &[(&str, &str)] = &[
        ("www: {type: A, value: 192.0.2.1\n", "zones/example.com.yaml:2:1: error: invalid YAML"),
        ("www: {type: AAA, value: x}\n", "zones/example.com.yaml:1:13: error: unknown record type 'AAA'"),
        ("www: {type: A, valeu: 192.0.2.1}\n", "zones/example.com.yaml:1:16: error: unknown field 'valeu'"),
        ("www: {type: A, value: 192.0.2.256}\n", "zones/example.com.yaml:1:23: error: '192.0.2.256' is not an IPv4 address"),
        ("'': {type: CNAME, value: x.example.net.}\n", "zones/example.com.yaml:1:5: error: CNAME at the zone apex"),
        ("www: [{type: CNAME, value: x.example.net.}, {type: A, value: 192.0.2.1}]\n", "zones/example.com.yaml:1:7: error: 'www' has a CNAME beside other records (A)"),
        ("www: {type: A, values: [192.0.2.1, 192.0.2.1]}\n", "zones/example.com.yaml:1:36: error: duplicate value"),
        ("www: {type: A, ttl: 9999999999, value: 192.0.2.1}\n", "zones/example.com.yaml:1:21: error: TTL 9999999999 is out of range"),
        ("www.example.org.: {type: A, value: 192.0.2.1}\n", "zones/example.com.yaml:1:1: error: record name 'www.example.org.' is outside zone"),
        ("www: {type: CNAME, value: example.com}\n", "zones/example.com.yaml:1:27: error: CNAME target 'example.com' is not fully qualified"),
        ("'': {type: CAA, value: {tag: isue, value: letsencrypt.org}}\n", "zones/example.com.yaml:1:30: error: unknown CAA tag 'isue'"),
        ("sip: {type: SRV, value: {priority: 1, weight: 1, port: 5060, target: s.example.com.}}\n", "zones/example.com.yaml:1:6: error: SRV record name 'sip' is not of the form _service._proto"),
    ];
    for (zone, expected) in cases {
        let p = pushed();
        let live = p.read("live/example.com.zone");
        p.write("zones/example.com.yaml", zone);
        for cmd in [&["check"][..], &["preview"][..], &["push", "--yes"][..]] {
            let r = p.dnsctl(cmd).expect(1);
            assert!(
                r.stderr().contains(expected),
                "{cmd:?} on {zone:?}:\n{}",
                r.stderr()
            );
            assert!(
                r.stderr().contains("hint:") || !expected.contains("unknown"),
                "{}",
                r.stderr()
            );
        }
        assert_eq!(p.read("live/example.com.zone"), live, "{zone}");
        assert_eq!(p.list("backups").len(), 1, "{zone}");
    }
}

#[test]
fn config_errors_are_located_and_credentials_refused_inline() {
    let p = Project::new();
    p.write("zones/example.com.yaml", ZONE).write(
        "dnsctl.yaml",
        "providers:\n  local: {type: local, directory: live, token: abc123}\nzones:\n  example.com: {provider: local}\n",
    );
    let r = p.dnsctl(&["check"]).expect(1);
    assert!(
        r.stderr()
            .contains("dnsctl.yaml:2:41: error: unknown option 'token'"),
        "{}",
        r.stderr()
    );
    assert!(!r.stderr().contains("abc123"), "the value is never echoed");
    let r = Project::new().dnsctl(&["check"]).expect(1);
    assert!(r.stderr().contains("no dnsctl.yaml"), "{}", r.stderr());
}

#[test]
fn zone_files_without_a_config_entry_are_reported() {
    let p = project();
    p.write(
        "zones/example.org.yaml",
        "www: {type: A, value: 192.0.2.1}\n",
    );
    let r = p.dnsctl(&["check"]).expect(1);
    assert!(
        r.stderr()
            .contains("zones/example.org.yaml:1:1: error: no zone 'example.org' in dnsctl.yaml"),
        "{}",
        r.stderr()
    );
}

#[test]
fn help_documents_exit_codes_and_examples() {
    let r = Project::new().dnsctl(&["preview", "--help"]).expect(0);
    assert!(
        r.stdout().contains("Exit codes:") && r.stdout().contains("dnsctl preview --exit-code"),
        "{}",
        r.stdout()
    );
}

/// On a terminal, push asks; only "y" or "yes" applies. `script` gives the
/// binary a pseudo-terminal, as a user's shell would.
#[test]
fn push_asks_on_a_terminal() {
    let p = project();
    let bin = dnsctl_e2e::binary("dnsctl", "dnsctl");
    let run = |answer: &str| {
        let mut child = std::process::Command::new("script")
            .args(["-qec", &format!("{} push", bin.display()), "/dev/null"])
            .current_dir(p.dir.path())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs the command on a pseudo-terminal");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = run("n\n");
    assert!(
        out.contains("[y/N]") && out.contains("aborted: nothing was changed"),
        "{out}"
    );
    assert!(!p.path("live").exists() && p.list("backups").is_empty());
    let out = run("y\n");
    assert!(out.contains("applied 7 changes"), "{out}");
    assert_eq!(p.list("backups").len(), 1);
}

/// Issue #12: what the local provider could not read back, and YAML that
/// exhausted memory or the stack, is refused by every command with a
/// location; the live zone and the backups stay as they were.
#[test]
fn limits_are_checked_before_anything_is_written() {
    let long = [
        "a".repeat(62),
        "b".repeat(62),
        "c".repeat(62),
        "d".repeat(61),
    ]
    .join(".");
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in [
        ("a", "b"),
        ("b", "c"),
        ("c", "d"),
        ("d", "e"),
        ("e", "f"),
        ("f", "g"),
        ("g", "h"),
    ] {
        bomb.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let cases = [
        (
            format!("{long}: {{type: A, value: 192.0.2.1}}\n"),
            "zones/example.com.yaml:1:1: error: name '".to_string(),
        ),
        (
            format!("big: {{type: TXT, value: {}}}\n", "x".repeat(70_000)),
            "zones/example.com.yaml:1:6: error: a TXT value of 'big' is 70275 octets".to_string(),
        ),
        (bomb, "error: aliases expand to".to_string()),
        (
            format!("www:\n{}x\n", "- ".repeat(10_000)),
            "zones/example.com.yaml:2:127: error: YAML nests deeper than 64 levels".to_string(),
        ),
    ];
    for (zone, expected) in &cases {
        let p = pushed();
        let live = p.read("live/example.com.zone");
        p.write("zones/example.com.yaml", zone);
        for cmd in [&["check"][..], &["preview"][..], &["push", "--yes"][..]] {
            let r = p.dnsctl(cmd).expect(1);
            assert!(
                r.stderr().contains(expected.as_str()),
                "{cmd:?}:\n{}",
                r.stderr()
            );
        }
        assert_eq!(p.read("live/example.com.zone"), live);
        assert_eq!(p.list("backups").len(), 1);
    }
}

/// Issue #14: `mail.` is valid but names the top-level `mail.`: check warns
/// and still passes; a relative `mail` is refused with the name in the zone.
#[test]
fn a_top_level_target_is_a_warning_and_a_relative_one_gets_the_zone_name() {
    let p = project();
    p.write(
        "zones/example.com.yaml",
        &ZONE.replace("exchange: mail.example.com.", "exchange: mail."),
    );
    let r = p.dnsctl(&["check"]).expect(0);
    assert!(
        r.stderr().contains("zones/example.com.yaml:5:12: warning: MX target 'mail.' is a top-level name\n  hint: did you mean 'mail.example.com.'?"),
        "{}",
        r.stderr()
    );
    p.write(
        "zones/example.com.yaml",
        &ZONE.replace("exchange: mail.example.com.", "exchange: mail"),
    );
    let r = p.dnsctl(&["check"]).expect(1);
    assert!(
        r.stderr().contains("error: 'mail' is not fully qualified")
            && r.stderr()
                .contains("hint: write 'mail.example.com.' for the name in this zone"),
        "{}",
        r.stderr()
    );
}

/// Issue #12 §4: dnsctl.yaml has the same YAML limits as zone files, and
/// both may start with a UTF-8 byte order mark.
#[test]
fn config_yaml_limits_and_byte_order_marks() {
    let p = project();
    p.write("dnsctl.yaml", &format!("\u{feff}{CONFIG}"))
        .write("zones/example.com.yaml", &format!("\u{feff}{ZONE}"));
    let r = p.dnsctl(&["check"]).expect(0);
    assert_eq!(r.stdout(), "ok: 1 zone and 7 record sets are valid\n");
    let deep = format!("{CONFIG}x:\n{}y\n", "- ".repeat(10_000));
    p.write("dnsctl.yaml", &deep);
    for cmd in [&["check"][..], &["preview"][..]] {
        let r = p.dnsctl(cmd).expect(1);
        assert!(
            r.stderr().contains("dnsctl.yaml:6:")
                && r.stderr()
                    .contains("error: YAML nests deeper than 64 levels"),
            "{cmd:?}: {}",
            r.stderr()
        );
    }
}
