//! Snapshots of `--help` of every command of both binaries: a change to
//! any help text shows up in review. After an intended change:
//! `INSTA_UPDATE=always cargo nextest run -p dnsctl-e2e --test help`.

use dnsctl_e2e::binary;
use std::process::Command;

/// `--help` of `bin` followed by `args`, with a fixed width and no
/// environment values shown in `[env: ...]`.
fn help(bin: &std::path::Path, args: &[String]) -> String {
    let out = Command::new(bin)
        .args(args)
        .arg("--help")
        .env("COLUMNS", "100")
        .env_remove("DNSCTL_CONFIG")
        .env_remove("DNSCTL_NAMESERVER")
        .output()
        .expect("run --help");
    assert!(out.status.success(), "{args:?} --help: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

/// The subcommands listed under "Commands:" (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

/// Snapshots `args --help` and those of its subcommands, depth first;
/// returns how many commands were visited.
fn walk(name: &str, bin: &std::path::Path, args: &mut Vec<String>) -> usize {
    let text = help(bin, args);
    let snapshot = std::iter::once(name)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("_");
    insta::assert_snapshot!(format!("help_{snapshot}"), text);
    // Every command documents itself by example.
    assert!(text.contains("Example"), "{snapshot}: no example in --help");
    let mut n = 1;
    for sub in subcommands(&text) {
        args.push(sub);
        n += walk(name, bin, args);
        args.pop();
    }
    n
}

#[test]
fn every_help_is_snapshotted() {
    let dnsctl = walk("dnsctl", &binary("dnsctl", "dnsctl"), &mut Vec::new());
    let secretctl = walk(
        "secretctl",
        &binary("secretctl", "secretctl"),
        &mut Vec::new(),
    );
    // The top levels and their subcommands (acme's and hook's included).
    assert!(dnsctl >= 18, "{dnsctl} dnsctl commands");
    assert!(secretctl >= 17, "{secretctl} secretctl commands");
}
