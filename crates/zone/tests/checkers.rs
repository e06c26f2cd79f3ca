//! The local provider's zone files load in real name servers: for generated
//! zones that `check` accepts, BIND's `named-checkzone` (bind9-utils) and
//! Knot's `knotc zone-check` (the knot package; it reads the zone offline,
//! no server runs) accept the file `write_zone_file` makes. Both tools must
//! be installed: a missing one fails the test. What BIND writes of each
//! zone (`named-checkzone -o`, as `named-compilezone` does) reads back as
//! the same zone, as `dnsctl import` reads it.

mod gen;

use gen::{origin, zone};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::cell::Cell;
use std::path::Path;
use std::process::Command;
use zone::{parse_zone_file, parse_zone_yaml, write_zone_file, write_zone_yaml};

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?} (install bind9-utils and knot): {e}",
            cmd.get_program()
        )
    });
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} refused the file:\n{}{}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn knot_conf(dir: &Path) -> std::path::PathBuf {
    let conf = dir.join("knot.conf");
    let d = dir.display();
    std::fs::write(
        &conf,
        format!("server:\n  rundir: \"{d}\"\ndatabase:\n  storage: \"{d}/db\"\ntemplate:\n  - id: default\n    storage: \"{d}\"\n    file: \"%s.zone\"\nzone:\n  - domain: example.com.\n"),
    )
    .unwrap();
    conf
}

/// Runs both checkers on the local provider's file for each of 400 generated
/// zones, and requires that most of them passed `check` (so the checkers
/// really see a few hundred files).
#[test]
fn bind_and_knot_load_every_checked_zone() {
    let dir = std::env::temp_dir().join(format!("dnsctl-zone-checkers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = knot_conf(&dir);
    let file = dir.join("example.com.zone");
    let checked = Cell::new(0);
    let config = ProptestConfig {
        cases: 400,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let result = TestRunner::new(config).run(&zone(false, true), |z| {
        let Ok(z) = parse_zone_yaml(&write_zone_yaml(&z), &origin(), "t") else {
            return Ok(());
        };
        checked.set(checked.get() + 1);
        let text = write_zone_file(&z);
        std::fs::write(&file, &text).unwrap();
        // check-names is BIND's policy for host names (`check-names primary
        // ignore` in named.conf), not the file's syntax; Knot has no such rule.
        // `-o` also writes the zone as BIND prints it.
        let compiled = dir.join("compiled.zone");
        let r = run(Command::new("named-checkzone")
            .args(["-k", "ignore", "-o"])
            .arg(&compiled)
            .arg("example.com")
            .arg(&file))
        .and_then(|()| {
            run(Command::new("knotc")
                .arg("-c")
                .arg(&conf)
                .args(["zone-check", "example.com."]))
        });
        prop_assert!(r.is_ok(), "{}\n{text}", r.unwrap_err());
        // `dnsctl import` reads what BIND writes back: the same zone.
        let bind = std::fs::read_to_string(&compiled).unwrap();
        let back = parse_zone_file(&bind, &origin(), "compiled.zone");
        prop_assert!(back.as_ref() == Ok(&z), "{back:?}\n{bind}");
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        checked.get() >= 200,
        "only {} of 400 generated zones passed check",
        checked.get()
    );
}
