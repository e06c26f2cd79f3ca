//! What a user sees when something is wrong, pinned as snapshots: each
//! message says what failed, where, and what to do (temporary paths and
//! timestamps are replaced by placeholders).

use dnsctl_e2e::{Project, Run};

const CONFIG: &str =
    "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n";

/// The run's stderr with the project's directory made stable.
fn stderr(p: &Project, r: &Run) -> String {
    r.stderr()
        .replace(&p.dir.path().display().to_string(), "[DIR]")
}

fn project(zone: &str) -> Project {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG)
        .write("zones/example.com.yaml", zone);
    p
}

#[test]
fn an_unknown_type_suggests_the_closest_one() {
    let p = project(
        "www:\n  type: AAA\n  value: 2001:db8::1\nmail:\n  type: CNAM\n  value: www.example.com.\n",
    );
    let r = p.dnsctl(&["check"]).expect(1);
    insta::assert_snapshot!(stderr(&p, &r));
}

#[test]
fn a_relative_target_is_completed_in_the_hint_and_a_single_label_one_warned() {
    let p = project("'':\n  type: MX\n  value: {preference: 10, exchange: mail}\n");
    let r = p.dnsctl(&["check"]).expect(1);
    insta::assert_snapshot!("relative_target", stderr(&p, &r));
    p.write(
        "zones/example.com.yaml",
        "'':\n  type: MX\n  value: {preference: 10, exchange: mail.}\n",
    );
    let r = p.dnsctl(&["check"]).expect(0);
    insta::assert_snapshot!("single_label_target", stderr(&p, &r));
}

#[test]
fn import_over_a_file_names_force_and_lists_what_it_skipped() {
    let p = project("");
    p.write(
        "db.example.com",
        "$ORIGIN example.com.\n@ 3600 IN SOA ns1 h 1 2 3 4 5\nwww 300 IN A 192.0.2.1\nhost 300 IN HINFO \"PC\" \"Linux\"\n",
    );
    let r = p
        .dnsctl(&[
            "import",
            "db.example.com",
            "--zone",
            "example.com",
            "-o",
            "zones/example.com.yaml",
        ])
        .expect(1);
    insta::assert_snapshot!("import_exists", stderr(&p, &r));
    let r = p
        .dnsctl(&[
            "import",
            "db.example.com",
            "--zone",
            "example.com",
            "-o",
            "zones/example.com.yaml",
            "--force",
        ])
        .expect(0);
    insta::assert_snapshot!("import_skipped", stderr(&p, &r));
}

#[test]
fn an_acme_name_outside_every_zone_says_which_zones_there_are() {
    let p = project("");
    let r = p
        .dnsctl(&[
            "acme",
            "present",
            "--no-wait",
            "_acme-challenge.example.net",
            "v",
        ])
        .expect(1);
    insta::assert_snapshot!(stderr(&p, &r));
}

#[test]
fn an_unreadable_live_zone_says_how_to_recover() {
    let p = project("www: {type: A, value: 192.0.2.1}\n");
    p.write(
        "live/example.com.zone",
        "$ORIGIN example.com.\nwww IN A 192.0.2.999\n",
    );
    let r = p.dnsctl(&["preview"]).expect(1);
    insta::assert_snapshot!(stderr(&p, &r));
}

#[test]
fn a_failing_reload_command_says_the_file_was_written() {
    let p = Project::new();
    p.write(
        "dnsctl.yaml",
        "providers:\n  local: {type: local, directory: live, reload: [sh, -c, 'echo server down >&2; exit 3']}\nzones:\n  example.com: {provider: local}\n",
    )
    .write("zones/example.com.yaml", "www: {type: A, value: 192.0.2.1}\n");
    let r = p.dnsctl(&["push", "--yes"]).expect(1);
    let text = stderr(&p, &r);
    // The backup's name has a timestamp.
    let text: String = text
        .lines()
        .map(|l| match l.find("backups/example.com_") {
            Some(i) => format!(
                "{}backups/example.com_[TIME].yaml{}",
                &l[..i],
                l[i..].split_once(".yaml").map_or("", |x| x.1)
            ),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(text);
}

#[test]
fn a_duplicate_zone_entry_is_refused_with_both_positions() {
    let p = Project::new();
    p.write(
        "dnsctl.yaml",
        "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n  EXAMPLE.com.: {provider: local}\n",
    );
    let r = p.dnsctl(&["check"]).expect(1);
    insta::assert_snapshot!(stderr(&p, &r));
}
