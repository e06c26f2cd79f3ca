//! scripts/test.sh changes the machine it installs on: these tests run its
//! system-facing parts (scripts/lib.sh) on a scratch root, so CI checks that
//! no server unit is left enabled at boot and that the daemon block is
//! always lifted.

use std::path::{Path, PathBuf};
use std::process::Command;

fn lib() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("scripts/lib.sh")
}

/// Runs `script` in bash with `set -euo pipefail` and lib.sh sourced, as
/// test.sh does.
fn bash(script: &str, env: &[(&str, &Path)]) -> std::process::Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -euo pipefail\n. '{}'\n{script}",
            lib().display()
        ))
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .output()
        .expect("bash")
}

const UNITS: [(&str, &str); 4] = [
    ("named.service", "multi-user.target"),
    ("knot.service", "multi-user.target"),
    ("pdns.service", "multi-user.target"),
    ("certbot.timer", "timers.target"),
];

fn enabled(root: &Path, unit: &str) -> bool {
    let out = Command::new("systemctl")
        .arg(format!("--root={}", root.display()))
        .args(["is-enabled", unit])
        .output()
        .expect("systemctl (Debian systemd) must be installed");
    String::from_utf8_lossy(&out.stdout).trim() == "enabled"
}

#[test]
fn units_an_install_enabled_are_disabled_and_others_kept() {
    let root = tempfile::tempdir().unwrap();
    let lib_dir = root.path().join("lib/systemd/system");
    std::fs::create_dir_all(&lib_dir).unwrap();
    std::fs::create_dir_all(root.path().join("etc/systemd/system")).unwrap();
    for (unit, target) in UNITS {
        let body = if unit.ends_with(".timer") {
            "[Timer]\nOnCalendar=daily\n"
        } else {
            "[Service]\nExecStart=/bin/true\n"
        };
        std::fs::write(
            lib_dir.join(unit),
            format!("[Unit]\nDescription={unit}\n{body}[Install]\nWantedBy={target}\n"),
        )
        .unwrap();
    }
    // The user runs Knot already; the install enables the others, as
    // Debian's postinst scripts do.
    let out = bash(
        "systemctl --root=\"$SYSTEMD_ROOT\" enable --quiet knot.service 2>/dev/null\n\
         before=$(units_state)\n\
         systemctl --root=\"$SYSTEMD_ROOT\" enable --quiet named.service pdns.service certbot.timer 2>/dev/null\n\
         units_disable_new \"$before\"\n",
        &[("SYSTEMD_ROOT", root.path())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for unit in ["named.service", "pdns.service", "certbot.timer"] {
        assert!(!enabled(root.path(), unit), "{unit} is still enabled");
        assert!(stdout.contains(&format!("disabled {unit}")), "{stdout}");
    }
    assert!(
        enabled(root.path(), "knot.service"),
        "the user's knot was disabled"
    );
    // Nothing is left in the .wants directories but the user's unit.
    let wants = root
        .path()
        .join("etc/systemd/system/multi-user.target.wants");
    let left: Vec<_> = std::fs::read_dir(&wants)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["knot.service"]);
}

#[test]
fn the_daemon_block_is_lifted_when_the_install_fails() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("policy-rc.d");
    // While the command runs, the block is in place (exit 101 = do not start).
    let out = bash(
        "with_daemons_blocked sh -c '\"$POLICY_RC_D\"; echo \"policy $?\"'",
        &[("POLICY_RC_D", &f)],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "policy 101\n");
    assert!(!f.exists());
    // A failing install (set -e) and an interrupted one leave nothing behind.
    for cmd in [
        "with_daemons_blocked false\necho unreachable",
        "with_daemons_blocked sh -c 'kill -TERM $PPID; sleep 1'\necho unreachable",
    ] {
        let out = bash(cmd, &[("POLICY_RC_D", &f)]);
        assert!(!out.status.success(), "{cmd}: {out:?}");
        assert!(out.stdout.is_empty(), "{cmd}: {out:?}");
        assert!(!f.exists(), "{cmd}: policy-rc.d left behind");
    }
    // An existing policy-rc.d is the administrator's: used, never removed.
    std::fs::write(&f, "#!/bin/sh\nexit 101\n").unwrap();
    let out = bash("with_daemons_blocked true", &[("POLICY_RC_D", &f)]);
    assert!(out.status.success());
    assert!(f.exists());
}
