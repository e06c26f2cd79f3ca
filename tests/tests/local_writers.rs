//! The local provider under concurrent and interrupted writers: every
//! process that reports success has its change in the zone file, and a
//! killed writer leaves nothing behind that accumulates.

use dnsctl_e2e::Project;
use std::process::{Child, Stdio};

const CONFIG: &str =
    "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n";

fn zone_with(extra: &str) -> String {
    format!(
        "'': {{type: NS, value: ns1.example.com.}}\nns1: {{type: A, value: 192.0.2.53}}\n{extra}"
    )
}

/// A project whose zone (an NS and its glue) has been pushed once.
fn pushed() -> Project {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG)
        .write("zones/example.com.yaml", &zone_with(""));
    p.dnsctl(&["push", "--yes"]).expect(0);
    p
}

fn spawn(p: &Project, args: &[&str]) -> Child {
    p.dnsctl_command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dnsctl")
}

#[test]
fn two_presents_and_a_push_at_once_never_lose_an_update() {
    let p = pushed();
    for round in 0..20 {
        // An apex + wildcard certificate: two values at one name, as certbot
        // and lego present them, while someone pushes a zone change.
        p.write(
            "zones/example.com.yaml",
            &zone_with(&format!("r{round}: {{type: A, value: 192.0.2.{round}}}\n")),
        );
        let (a, b) = (format!("apex-{round}"), format!("-wild-{round}"));
        let children = [
            spawn(
                &p,
                &[
                    "acme",
                    "present",
                    "--no-wait",
                    "_acme-challenge.example.com",
                    &a,
                ],
            ),
            spawn(
                &p,
                &[
                    "acme",
                    "present",
                    "--no-wait",
                    "_acme-challenge.example.com",
                    &b,
                ],
            ),
            spawn(&p, &["push", "--yes"]),
        ];
        let outs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let live = p.read("live/example.com.zone");
        for (out, effect) in outs.iter().zip([
            format!("\"{a}\""),
            format!("\"{b}\""),
            format!("r{round}\t3600\tIN\tA\t192.0.2.{round}"),
        ]) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success(),
                "round {round}: a writer failed: {stderr}"
            );
            assert!(
                live.contains(&effect),
                "round {round}: a writer exited 0 but its change ({effect}) is not in the zone:\n{live}\n{stderr}"
            );
        }
        for v in [&a, &b] {
            p.dnsctl(&[
                "acme",
                "cleanup",
                "--no-wait",
                "_acme-challenge.example.com",
                v,
            ])
            .expect(0);
        }
    }
    assert!(!p.read("live/example.com.zone").contains("_acme-challenge"));
}

#[test]
fn temporary_files_of_a_killed_writer_are_removed_by_the_next_write() {
    let p = pushed();
    // What `kill -9` between writing the new file and renaming it leaves.
    p.write(
        "live/.example.com.zone.tmp-AbC123",
        "$ORIGIN example.com.\n",
    );
    p.write("live/.other.org.zone.tmp-AbC123", "another zone's writer\n");
    p.write(
        "zones/example.com.yaml",
        &zone_with("www: {type: A, value: 192.0.2.80}\n"),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    assert_eq!(
        p.list("live"),
        [
            ".example.com.zone.lock",
            ".other.org.zone.tmp-AbC123",
            "example.com.zone"
        ]
    );
}

#[test]
fn a_killed_push_then_a_rerun_converges_and_leaves_no_temporary_file() {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG);
    let mut zone = zone_with("");
    for i in 0..20_000 {
        zone.push_str(&format!(
            "h{i}: {{type: A, value: 10.{}.{}.{}}}\n",
            i >> 16,
            (i >> 8) & 255,
            i & 255
        ));
    }
    p.write("zones/example.com.yaml", &zone);
    for delay_ms in [5, 20, 60, 150] {
        let mut child = spawn(&p, &["push", "--yes", "--force"]);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    p.dnsctl(&["push", "--yes", "--force"]).expect(0);
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
    let left: Vec<String> = p
        .list("live")
        .into_iter()
        .filter(|f| f.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_unreadable_live_zone_says_how_to_recover_and_revert_restores_over_it() {
    let p = pushed();
    p.write(
        "zones/example.com.yaml",
        &zone_with("www: {type: A, value: 192.0.2.80}\n"),
    );
    p.dnsctl(&["push", "--yes"]).expect(0);
    // Hand-edited into something that does not parse.
    let broken = p.read("live/example.com.zone") + "www IN A 192.0.2.999\n";
    p.write("live/example.com.zone", &broken);
    let r = p.dnsctl(&["preview"]).expect(1);
    assert!(
        r.stderr().contains("live/example.com.zone:"),
        "{}",
        r.stderr()
    );
    assert!(
        r.stderr().contains("dnsctl revert BACKUP")
            && r.stderr().contains("dnsctl backups example.com"),
        "{}",
        r.stderr()
    );
    let backup = p.list("backups").pop().unwrap();
    // Without --yes and no terminal: shown, refused, nothing changed.
    let r = p
        .dnsctl(&["revert", &format!("backups/{backup}")])
        .expect(1);
    assert!(r.stdout().contains("cannot be read"), "{}", r.stdout());
    assert_eq!(p.read("live/example.com.zone"), broken);
    p.dnsctl(&["revert", &format!("backups/{backup}"), "--yes"])
        .expect(0);
    let live = p.read("live/example.com.zone");
    assert!(!live.contains("www"), "{live}");
    // The unreadable file was kept beside the backups, byte for byte.
    let kept: Vec<String> = p
        .list("backups")
        .into_iter()
        .filter(|f| f.ends_with(".unreadable.zone"))
        .collect();
    assert_eq!(kept.len(), 1, "{:?}", p.list("backups"));
    assert_eq!(p.read(&format!("backups/{}", kept[0])), broken);
    p.write("zones/example.com.yaml", &zone_with(""));
    p.dnsctl(&["preview", "--exit-code"]).expect(0);
}

#[test]
fn every_acme_call_form_takes_a_value_that_begins_with_a_dash() {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG)
        .write("zones/example.com.yaml", &zone_with(""));
    let name = "_acme-challenge.example.com";
    p.dnsctl(&["acme", "present", "--no-wait", name, "-abc_DEF"])
        .expect(0);
    assert!(p.read("live/example.com.zone").contains("\"-abc_DEF\""));
    // wait parses it too, then finds no server answering on a closed port.
    let r = p.dnsctl(&[
        "acme",
        "wait",
        name,
        "-abc_DEF",
        "--timeout",
        "1",
        "--nameserver",
        "127.0.0.1:9",
    ]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(
        !r.stderr().contains("unexpected argument"),
        "{}",
        r.stderr()
    );
    // lego's exec contract (default mode): `dnsctl present|cleanup FQDN. VALUE`.
    p.dnsctl_env(
        &["present", "_acme-challenge.example.com.", "-lego"],
        &[
            ("EXEC_PROPAGATION_TIMEOUT", "1"),
            ("DNSCTL_NAMESERVER", "127.0.0.1:9"),
        ],
    );
    assert!(p.read("live/example.com.zone").contains("\"-lego\""));
    p.dnsctl(&["acme", "cleanup", "--no-wait", name, "-abc_DEF"])
        .expect(0);
    p.dnsctl_env(
        &["cleanup", "_acme-challenge.example.com.", "-lego"],
        &[
            ("EXEC_PROPAGATION_TIMEOUT", "1"),
            ("DNSCTL_NAMESERVER", "127.0.0.1:9"),
        ],
    );
    assert!(!p.read("live/example.com.zone").contains("_acme-challenge"));
}

#[test]
fn a_closed_stdout_or_stderr_ends_a_command_quietly_never_with_a_panic() {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG);
    let mut zone = zone_with("");
    for i in 0..3000 {
        zone.push_str(&format!(
            "host{i}: {{type: A, value: 192.0.2.{}}}\n",
            i % 250
        ));
    }
    p.write("zones/example.com.yaml", &zone);
    // More than a pipe holds (64 KiB), to a reader that has gone: as
    // `dnsctl preview | head -1`.
    for args in [&["preview"][..], &["preview", "--json"], &["push"]] {
        let mut child = p
            .dnsctl_command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
    }
    // stderr to a reader that has gone, on an error path.
    p.write(
        "zones/example.com.yaml",
        "www: {type: A, value: 192.0.2.300}\n",
    );
    let mut child = p
        .dnsctl_command(&["check"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn symlinked_zone_and_live_files_are_written_through() {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG)
        .write("zones/example.com.yaml", &zone_with(""));
    // The live file served from elsewhere, the zone file shared with a peer.
    p.write("served/db.example.com", "");
    std::fs::create_dir_all(p.path("live")).unwrap();
    std::os::unix::fs::symlink("../served/db.example.com", p.path("live/example.com.zone"))
        .unwrap();
    p.write("shared/example.com.yaml", "");
    p.dnsctl(&["push", "--yes"]).expect(0);
    let is_link = |rel: &str| {
        std::fs::symlink_metadata(p.path(rel))
            .unwrap()
            .file_type()
            .is_symlink()
    };
    assert!(is_link("live/example.com.zone"));
    assert!(p
        .read("served/db.example.com")
        .contains("ns1\t3600\tIN\tA\t192.0.2.53"));
    std::fs::remove_file(p.path("zones/example.com.yaml")).unwrap();
    std::os::unix::fs::symlink(
        "../shared/example.com.yaml",
        p.path("zones/example.com.yaml"),
    )
    .unwrap();
    p.dnsctl(&["pull", "example.com", "--force"]).expect(0);
    assert!(is_link("zones/example.com.yaml"));
    assert!(p.read("shared/example.com.yaml").contains("192.0.2.53"));
}
