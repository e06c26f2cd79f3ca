//! The acme.sh hook script `contrib/acme.sh/dns_dnsctl.sh`, sourced by a
//! POSIX shell the way acme.sh sources dnsapi scripts (with stand-ins for the
//! acme.sh helpers it calls: `_info`, `_err`, `_debug`, and the account
//! config read/save that keeps settings for renewals), publishing through
//! the Cloudflare provider into the emulator.

use dnsctl_e2e::{binary, Project};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use testkit::Emulator;

const TOKEN: &str = "acme-sh-token";

/// acme.sh's helpers, as the script relies on them.
const ACME_SH_STANDINS: &str = r#"
_info() { echo "[info] $*" >&2; }
_err() { echo "[error] $*" >&2; }
_debug() { :; }
_saveaccountconf_mutable() {
  touch "$ACCOUNT_CONF"
  grep -v "^SAVED_$1=" "$ACCOUNT_CONF" >"$ACCOUNT_CONF.tmp" || true
  printf "SAVED_%s='%s'\n" "$1" "$2" >>"$ACCOUNT_CONF.tmp"
  mv "$ACCOUNT_CONF.tmp" "$ACCOUNT_CONF"
}
_readaccountconf_mutable() {
  [ -f "$ACCOUNT_CONF" ] || return 0
  ( . "$ACCOUNT_CONF"; eval "printf '%s' \"\${SAVED_$1:-}\"" )
}
"#;

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .join("contrib/acme.sh/dns_dnsctl.sh")
}

fn hook(dir: &Path, func: &str, fqdn: &str, value: &str, env: &[(&str, String)]) -> Output {
    let prog = format!(
        "{ACME_SH_STANDINS}\n. '{}'\n{func} \"$1\" \"$2\"\n",
        script().display()
    );
    Command::new("sh")
        .args(["-c", &prog, "acme.sh", fqdn, value])
        .current_dir(dir)
        .env_remove("DNSCTL_CONFIG")
        .env_remove("DNSCTL_NAMESERVER")
        .env_remove("DNSCTL_BIN")
        .env("ACCOUNT_CONF", dir.join("account.conf"))
        .env("CLOUDFLARE_API_TOKEN", TOKEN)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .output()
        .expect("run sh")
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn acme_sh_hook_adds_and_removes_values_and_remembers_its_settings() {
    let emu = Emulator::start_in_thread();
    emu.add_token(TOKEN);
    emu.add_zone("example.test");
    let project = Project::new();
    project.write(
        "dnsctl.yaml",
        &format!(
            "providers:\n  cf: {{type: cloudflare, base_url: '{}', token: {{env: CLOUDFLARE_API_TOKEN}}}}\nzones:\n  example.test: {{provider: cf}}\n",
            emu.base_url()
        ),
    );
    let values = || -> Vec<String> {
        let mut v: Vec<String> = emu
            .records("example.test")
            .into_iter()
            .filter(|r| r["type"] == "TXT" && r["name"] == "_acme-challenge.example.test")
            .map(|r| {
                r["content"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_matches('"')
                    .to_string()
            })
            .collect();
        v.sort();
        v
    };
    // acme.sh runs hooks from its own directory, not the project's.
    let home = tempfile::tempdir().expect("temp dir");
    let env = vec![
        (
            "DNSCTL_BIN",
            binary("dnsctl", "dnsctl").display().to_string(),
        ),
        (
            "DNSCTL_CONFIG",
            project.path("dnsctl.yaml").display().to_string(),
        ),
        ("DNSCTL_NAMESERVER", emu.dns_addr().to_string()),
    ];
    let fqdn = "_acme-challenge.example.test";
    let o = hook(home.path(), "dns_dnsctl_add", fqdn, "value-apex", &env);
    assert!(o.status.success(), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("visible on 1 authoritative server"),
        "{}",
        show(&o)
    );
    // About 1 value in 64 begins with '-': it must not be read as an option.
    let o = hook(home.path(), "dns_dnsctl_add", fqdn, "-value-wildcard", &env);
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(
        values(),
        vec!["-value-wildcard".to_string(), "value-apex".to_string()]
    );
    let saved = std::fs::read_to_string(home.path().join("account.conf")).expect("account.conf");
    assert!(
        saved.contains("SAVED_DNSCTL_CONFIG=") && saved.contains("SAVED_DNSCTL_BIN="),
        "{saved}"
    );

    // A renewal run: the settings come from the account config alone.
    let o = hook(home.path(), "dns_dnsctl_rm", fqdn, "value-apex", &[]);
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(values(), vec!["-value-wildcard".to_string()]);
    let o = hook(home.path(), "dns_dnsctl_rm", fqdn, "-value-wildcard", &[]);
    assert!(o.status.success(), "{}", show(&o));
    assert!(values().is_empty());

    // Failures are reported through _err and a non-zero return.
    let other = tempfile::tempdir().expect("temp dir");
    let o = hook(
        other.path(),
        "dns_dnsctl_add",
        fqdn,
        "v",
        &[("DNSCTL_BIN", "/nonexistent/dnsctl".into())],
    );
    assert!(
        !o.status.success()
            && String::from_utf8_lossy(&o.stderr).contains("[error] dnsctl not found"),
        "{}",
        show(&o)
    );
    let mut bad_env = env.clone();
    bad_env[1].1 = project.path("missing.yaml").display().to_string();
    let o = hook(other.path(), "dns_dnsctl_add", fqdn, "v", &bad_env);
    assert!(
        !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("does not exist"),
        "{}",
        show(&o)
    );
    let o = hook(
        other.path(),
        "dns_dnsctl_add",
        "_acme-challenge.example.org",
        "v",
        &env,
    );
    assert!(
        !o.status.success()
            && String::from_utf8_lossy(&o.stderr).contains("no zone in dnsctl.yaml holds"),
        "{}",
        show(&o)
    );
}
