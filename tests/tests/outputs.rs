//! What both tools print, pinned as snapshots through `snapshot!` (which
//! replaces temporary paths, ports, timestamps and durations): the push /
//! backups / revert loop on local files, and the user-facing errors of
//! dnsctl and secretctl, each with its exit code. After an intended change:
//! `INSTA_UPDATE=always cargo nextest run -p dnsctl-e2e --test outputs`.

use dnsctl_e2e::{snapshot, Project, Run};

const CONFIG: &str =
    "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n";

const ZONE: &str = "'': {type: A, value: 192.0.2.1}\nwww: {type: CNAME, value: example.com.}\nmail: {type: A, values: [192.0.2.25, 192.0.2.26]}\n";

/// Exit code and both streams, as one text.
fn shown(r: &Run) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        r.code(),
        r.stdout(),
        r.stderr()
    )
}

fn project() -> Project {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG)
        .write("zones/example.com.yaml", ZONE);
    p
}

#[test]
fn push_backups_revert_loop() {
    let p = project();
    snapshot!("push_first", p, shown(&p.dnsctl(&["push", "--yes"])));
    snapshot!(
        "push_nothing_to_do",
        p,
        shown(&p.dnsctl(&["push", "--yes"]))
    );
    p.write(
        "zones/example.com.yaml",
        &ZONE.replace("192.0.2.26", "192.0.2.27"),
    );
    snapshot!("push_change", p, shown(&p.dnsctl(&["push", "--yes"])));
    snapshot!("backups", p, shown(&p.dnsctl(&["backups"])));
    snapshot!("backups_json", p, shown(&p.dnsctl(&["backups", "--json"])));
    let backups = p.list("backups");
    let last = format!("backups/{}", backups[backups.len() - 1]);
    snapshot!("revert", p, shown(&p.dnsctl(&["revert", &last, "--yes"])));
    snapshot!("pull_exists", p, shown(&p.dnsctl(&["pull", "example.com"])));
}

/// Every layout of a plan: human (creates, updates with TTL and values,
/// deletes), JSON, and what `check` says of valid and invalid files.
#[test]
fn plan_layouts() {
    let p = project();
    p.dnsctl(&["push", "--yes"]).expect(0);
    let changed = ZONE
        .replace("192.0.2.26", "192.0.2.27")
        .replace("www: {type: CNAME, value: example.com.}\n", "")
        + "txt: {type: TXT, ttl: 60, values: ['v=spf1 -all', 'second']}\n";
    p.write("zones/example.com.yaml", &changed);
    snapshot!(
        "preview_human",
        p,
        shown(&p.dnsctl(&["preview", "--exit-code"]))
    );
    snapshot!("preview_json", p, shown(&p.dnsctl(&["preview", "--json"])));
    snapshot!("check_ok", p, shown(&p.dnsctl(&["check"])));
    p.write(
        "zones/example.com.yaml",
        "www: {type: A, value: 300.1.2.3}\n",
    );
    snapshot!("check_invalid", p, shown(&p.dnsctl(&["check"])));
    snapshot!(
        "check_invalid_json",
        p,
        shown(&p.dnsctl(&["check", "--json"]))
    );
}

#[test]
fn dnsctl_errors() {
    let p = project();
    snapshot!(
        "error_unknown_zone",
        p,
        shown(&p.dnsctl(&["preview", "example.org"]))
    );
    snapshot!(
        "error_push_without_a_terminal",
        p,
        shown(&p.dnsctl(&["push"]))
    );
    snapshot!(
        "error_revert_not_a_backup",
        p,
        shown(&p.dnsctl(&["revert", "zones/example.com.yaml", "--yes"]))
    );
    std::fs::remove_file(p.path("zones/example.com.yaml")).unwrap();
    snapshot!("error_missing_zone_file", p, shown(&p.dnsctl(&["preview"])));
    p.write(
        "dnsctl.yaml",
        "providers:\n  local: {type: lokal}\nzones: {}\n",
    );
    snapshot!("error_bad_config", p, shown(&p.dnsctl(&["check"])));

    // A push that would delete most of a zone is refused before anything.
    let p = project();
    let many: String = (0..20)
        .map(|i| format!("h{i}: {{type: A, value: 192.0.2.{i}}}\n"))
        .collect();
    p.write("zones/example.com.yaml", &many);
    p.dnsctl(&["push", "--yes"]).expect(0);
    p.write(
        "zones/example.com.yaml",
        "h0: {type: A, value: 192.0.2.0}\n",
    );
    let r = p.dnsctl(&["push", "--yes"]);
    snapshot!("error_push_unsafe", p, shown(&r));
    assert_eq!(p.list("backups").len(), 1, "nothing written");
}

#[test]
fn secretctl_errors() {
    let p = Project::new();
    p.write("plain.yaml", "password: hunter2\n");
    snapshot!(
        "secretctl_decrypt_missing_file",
        p,
        shown(&p.secretctl_env(&["decrypt", "missing.yaml"], &[]))
    );
    snapshot!(
        "secretctl_encrypt_no_recipients",
        p,
        shown(&p.secretctl_env(&["encrypt", "plain.yaml"], &[]))
    );
    snapshot!(
        "secretctl_decrypt_not_encrypted",
        p,
        shown(&p.secretctl_env(&["decrypt", "plain.yaml"], &[]))
    );
    // Encrypted to a key that is not here.
    let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    let r = p
        .secretctl_env(&["encrypt", "--age", recipient, "plain.yaml"], &[])
        .expect(0);
    p.write("secret.yaml", &r.stdout());
    snapshot!(
        "secretctl_decrypt_no_key",
        p,
        shown(&p.secretctl_env(&["decrypt", "secret.yaml"], &[]))
    );
    snapshot!(
        "secretctl_scan_fix_without_staged",
        p,
        shown(&p.secretctl_env(&["scan", "--fix"], &[]))
    );
}
