//! The conventions a new user expects of a command-line tool: `--json` on
//! read commands, shell completions (zone names included), man pages, and
//! imports that go as far as they can.

use dnsctl_e2e::{binary, Project};
use serde_json::Value;

const CONFIG: &str = "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n  example.org: {provider: local}\n";

fn project() -> Project {
    let p = Project::new();
    p.write("dnsctl.yaml", CONFIG)
        .write(
            "zones/example.com.yaml",
            "www: {type: A, value: 192.0.2.1}\n",
        )
        .write(
            "zones/example.org.yaml",
            "mail: {type: A, value: 192.0.2.2}\n",
        );
    p
}

fn json(r: &dnsctl_e2e::Run) -> Value {
    serde_json::from_str(&r.stdout()).unwrap_or_else(|e| panic!("{e}: {}", r.stdout()))
}

#[test]
fn check_json_reports_zones_and_located_errors() {
    let p = project();
    let v = json(&p.dnsctl(&["check", "--json"]).expect(0));
    assert_eq!(v["version"], 1);
    assert_eq!(v["ok"], true);
    assert_eq!(v["zones"][0]["zone"], "example.com");
    assert_eq!(v["zones"][0]["record_sets"], 1);
    p.write(
        "zones/example.com.yaml",
        "www: {type: A, value: 192.0.2.300}\n",
    )
    .write("zones/stray.net.yaml", "{}\n");
    let r = p.dnsctl(&["check", "--json"]).expect(1);
    assert_eq!(r.stderr(), "", "errors go into the JSON");
    let v = json(&r);
    assert_eq!(v["ok"], false);
    let e = &v["zones"][0]["errors"][0];
    assert_eq!(
        (&e["file"], &e["line"], &e["column"]),
        (
            &Value::from("zones/example.com.yaml"),
            &Value::from(1),
            &Value::from(23)
        ),
        "{v}"
    );
    assert!(
        e["message"].as_str().unwrap().contains("192.0.2.300"),
        "{v}"
    );
    assert_eq!(e["level"], "error", "{v}");
    assert_eq!(v["zones"][1]["ok"], true);
    assert_eq!(v["errors"][0]["file"], "zones/stray.net.yaml", "{v}");
}

#[test]
fn check_json_lists_warnings_of_valid_zones_with_their_level() {
    let p = project();
    p.write(
        "zones/example.com.yaml",
        "'': {type: MX, value: {preference: 10, exchange: mail.}}
",
    );
    let r = p.dnsctl(&["check", "--json"]).expect(0);
    assert_eq!(r.stderr(), "", "warnings go into the JSON too");
    let v = json(&r);
    assert_eq!(v["ok"], true, "{v}");
    let w = &v["zones"][0]["errors"][0];
    assert_eq!(w["level"], "warning", "{v}");
    assert_eq!(
        (&w["line"], &w["file"]),
        (&Value::from(1), &Value::from("zones/example.com.yaml")),
        "{v}"
    );
    // Without --json the warning is on stderr and check passes.
    let r = p.dnsctl(&["check"]).expect(0);
    assert!(r.stderr().contains("warning"), "{}", r.stderr());
}

/// Every JSON object dnsctl prints carries the version of its shape.
#[test]
fn preview_json_is_versioned() {
    let v = json(&project().dnsctl(&["preview", "--json"]).expect(0));
    assert_eq!(v["version"], 1, "{v}");
    assert_eq!(v["summary"]["create"], 2, "{v}");
}

#[test]
fn backups_json_lists_every_backup() {
    let p = project();
    p.dnsctl(&["push", "--yes"]).expect(0);
    let v = json(&p.dnsctl(&["backups", "--json"]).expect(0));
    assert_eq!(v["version"], 1);
    let list = v["backups"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{v}");
    let files = p.list("backups");
    for b in list {
        let path = b["path"].as_str().unwrap();
        assert!(files.iter().any(|f| path == format!("backups/{f}")), "{v}");
        assert!(b["taken"].as_str().unwrap().ends_with('Z'), "{v}");
    }
    let v = json(&p.dnsctl(&["backups", "example.org", "--json"]).expect(0));
    assert_eq!(v["backups"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["backups"][0]["zone"], "example.org");
}

/// Unsupported types are skipped and listed; the rest is imported.
#[test]
fn import_skips_unsupported_types_and_force_overwrites() {
    let p = Project::new();
    p.write(
        "db.example",
        "$ORIGIN example.com.\n@ 3600 IN SOA ns1 h 1 2 3 4 5\nwww 300 IN A 192.0.2.1\nwww IN HINFO \"PC\" \"Linux\"\nsip IN NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp\nsub IN DS 12345 13 2 ABCDEF\n",
    );
    let r = p
        .dnsctl(&[
            "import",
            "db.example",
            "--zone",
            "example.com",
            "-o",
            "zones/example.com.yaml",
        ])
        .expect(0);
    let err = r.stderr();
    for (line, what) in [
        (4, "www.example.com. HINFO"),
        (5, "sip.example.com. NAPTR"),
        (6, "sub.example.com. DS"),
    ] {
        assert!(
            err.contains(&format!("db.example:{line}:"))
                && err.contains(&format!("warning: skipped {what}")),
            "{err}"
        );
    }
    assert!(err.contains("3 records skipped"), "{err}");
    assert_eq!(
        p.read("zones/example.com.yaml"),
        "---\nwww:\n  ttl: 300\n  type: A\n  value: 192.0.2.1\n"
    );
    // The file exists: the error names --force, and --force works.
    let args = [
        "import",
        "db.example",
        "--zone",
        "example.com",
        "-o",
        "zones/example.com.yaml",
    ];
    let r = p.dnsctl(&args).expect(1);
    assert!(r.stderr().contains("pass --force"), "{}", r.stderr());
    p.write("zones/example.com.yaml", "old\n");
    p.dnsctl(&[&args[..], &["--force"]].concat()).expect(0);
    assert!(p.read("zones/example.com.yaml").contains("192.0.2.1"));
    // --strict: exit 1 and nothing written.
    let r = p
        .dnsctl(&[
            "import",
            "db.example",
            "--zone",
            "example.com",
            "--strict",
            "-o",
            "strict.yaml",
        ])
        .expect(1);
    assert!(
        r.stderr().contains("--strict: nothing was written"),
        "{}",
        r.stderr()
    );
    assert!(!p.path("strict.yaml").exists());
}

/// The bash completion offers the zones of dnsctl.yaml after commands
/// that take one, and subcommands otherwise.
#[test]
fn bash_completion_offers_zone_names() {
    let p = project();
    let bin = binary("dnsctl", "dnsctl");
    let dir = bin.parent().unwrap();
    let complete = |words: &str| {
        let script = format!(
            "source <(dnsctl completions bash)\nCOMP_WORDS=({words})\nCOMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n_dnsctl_values dnsctl \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\necho \"${{COMPREPLY[*]}}\"\n"
        );
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .current_dir(p.dir.path())
            .env("PATH", format!("{}:/usr/bin:/bin", dir.display()))
            .output()
            .expect("bash");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(complete("dnsctl preview ex"), "example.com example.org");
    assert_eq!(complete("dnsctl push example.c"), "example.com");
    assert_eq!(complete("dnsctl pre"), "preview");
    assert_eq!(complete("dnsctl preview --ex"), "--exit-code");
    // fish and zsh run their scripts for real (Debian fish and zsh, which
    // scripts/test.sh installs).
    let run = |shell: &str, script: &str| {
        let script_file = p.path(&format!("completion.{shell}"));
        let text = p.dnsctl(&["completions", shell]).expect(0).stdout();
        std::fs::write(&script_file, text).unwrap();
        let out = std::process::Command::new(shell)
            .args(if shell == "zsh" {
                &["-f", "-c"][..]
            } else {
                &["-c"][..]
            })
            .arg(script.replace("SCRIPT", &script_file.display().to_string()))
            .current_dir(p.dir.path())
            .env("PATH", format!("{}:/usr/bin:/bin", dir.display()))
            .env("HOME", p.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{shell} (Debian {shell}) must be installed: {e}"));
        assert!(out.status.success(), "{shell}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let fish = run(
        "fish",
        "source SCRIPT; complete -C 'dnsctl verify '; complete -C 'dnsctl ch'",
    );
    assert!(
        fish.starts_with("example.com\nexample.org\ncheck\t"),
        "{fish}"
    );
    // zsh: the zone arguments call the lister (compadd stubbed to print).
    let zsh = run(
        "zsh",
        "autoload -U compinit; compinit -u -d zcompdump; source SCRIPT\n\
         compadd() { print -l -- \"${(@P)${@[-1]}}\" }; _dnsctl_values\n\
         grep -c ':_dnsctl_values' SCRIPT",
    );
    // check, preview, push, pull, verify, backups (and acme check's domain:
    // zsh's script does not tell nested commands apart, and a zone is a
    // fair guess there).
    assert_eq!(zsh, "example.com\nexample.org\n7\n");
}

#[test]
fn man_pages_one_per_command() {
    let p = Project::new();
    let r = p.dnsctl(&["man", "--dir", "man"]).expect(0);
    let pages = p.list("man");
    for page in [
        "dnsctl.1",
        "dnsctl-init.1",
        "dnsctl-acme-check.1",
        "dnsctl-acme-certbot-cleanup.1",
        "dnsctl-completions.1",
    ] {
        assert!(pages.iter().any(|f| f == page), "{page} missing: {pages:?}");
    }
    assert!(
        !pages
            .iter()
            .any(|f| f.contains("__zones") || f.contains("man")),
        "{pages:?}"
    );
    assert!(r
        .stderr()
        .contains(&format!("wrote {} man pages", pages.len())));
    let check = p.read("man/dnsctl-check.1");
    assert!(check.starts_with(".ie") || check.contains(".TH"), "{check}");
    assert!(check.contains("\\-\\-json"), "{check}");
    let out = std::process::Command::new(binary("secretctl", "secretctl"))
        .args(["man", "--dir"])
        .arg(p.path("sman"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let pages = p.list("sman");
    for page in [
        "secretctl.1",
        "secretctl-edit.1",
        "secretctl-hook-install.1",
    ] {
        assert!(pages.iter().any(|f| f == page), "{page} missing: {pages:?}");
    }
}
