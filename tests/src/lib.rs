//! Support for end-to-end tests: build the real binaries once per test process
//! and run them in throw-away project directories.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The path of a workspace binary, built (or found up to date) by cargo first,
/// so tests never run a stale binary.
pub fn binary(package: &str, bin: &str) -> PathBuf {
    static BUILT: OnceLock<std::sync::Mutex<Vec<String>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    if !built.iter().any(|b| b == bin) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", package, "--bin", bin])
            .current_dir(workspace)
            .status()
            .expect("run cargo build");
        assert!(
            status.success(),
            "cargo build -p {package} --bin {bin} failed"
        );
        built.push(bin.to_string());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from);
    target.join("debug").join(bin)
}

/// A temporary project: a directory with dnsctl.yaml, zones/ and the rest.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Files under `rel`, sorted by name.
    pub fn list(&self, rel: &str) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(self.path(rel))
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Runs `dnsctl` in the project with no terminal, no colour, no input.
    pub fn dnsctl(&self, args: &[&str]) -> Run {
        self.dnsctl_env(args, &[])
    }

    /// Like [`Project::dnsctl`], with extra environment variables.
    pub fn dnsctl_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = self
            .dnsctl_command(args)
            .envs(env.iter().copied())
            .output()
            .expect("run dnsctl");
        Run(out)
    }

    /// The command [`Project::dnsctl`] runs, to start it in the background.
    pub fn dnsctl_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(binary("dnsctl", "dnsctl"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null());
        cmd
    }
}

impl Project {
    /// Runs `secretctl` in the project with no terminal and no input, with
    /// extra environment variables.
    pub fn secretctl_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = Command::new(binary("secretctl", "secretctl"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("SOPS_AGE_KEY")
            .env_remove("SOPS_AGE_KEY_FILE")
            .env_remove("XDG_CONFIG_HOME")
            .env("HOME", self.dir.path())
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run secretctl");
        Run(out)
    }

    /// Output as a snapshot should hold it: what changes from run to run
    /// replaced by placeholders (see [`scrub`]).
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, self.dir.path())
    }
}

/// Replaces what differs between runs of the same test: the temporary
/// directory `dir` by `[DIR]`, loopback ports by `[PORT]`, timestamps (a
/// backup's name, a date and time) by `[TIME]`, durations (`in 0.3s`) by
/// `[SECS]`.
pub fn scrub(text: &str, dir: &Path) -> String {
    let mut out = text.replace(&dir.display().to_string(), "[DIR]");
    if let Ok(canon) = dir.canonicalize() {
        out = out.replace(&canon.display().to_string(), "[DIR]");
    }
    let mut result = String::with_capacity(out.len());
    let b = out.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &out[i..];
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        // 127.0.0.1:NNNNN
        if let Some(after) = rest.strip_prefix("127.0.0.1:") {
            let n = digits(after);
            if n > 0 {
                result.push_str("127.0.0.1:[PORT]");
                i += "127.0.0.1:".len() + n;
                continue;
            }
        }
        // 2026-12-03T23:56:35.123456Z, 2026-12-03 23:56:35 UTC, 20261203T235635.123456Z
        if is_timestamp(rest) {
            let len = rest
                .bytes()
                .take_while(|c| c.is_ascii_digit() || b"-:T. Z".contains(c))
                .count();
            let len = rest[..len].trim_end_matches([' ', '.']).len();
            result.push_str("[TIME]");
            i += len;
            continue;
        }
        // " in 0.3s"
        if let Some(after) = rest.strip_prefix(" in ") {
            let n = after
                .bytes()
                .take_while(|c| c.is_ascii_digit() || *c == b'.')
                .count();
            if n > 0 && after[n..].starts_with('s') {
                result.push_str(" in [SECS]s");
                i += " in ".len() + n + 1;
                continue;
            }
        }
        let c = rest.chars().next().expect("not at the end");
        result.push(c);
        i += c.len_utf8();
    }
    result
}

/// Whether `s` starts with a date and time: `YYYY-MM-DD[T ]HH:` or a
/// backup name's `YYYYMMDDTHHMMSS`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let iso = b.len() >= 14
        && digits(0..4)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && digits(11..13)
        && b[13] == b':';
    let compact = b.len() >= 15 && digits(0..8) && b[8] == b'T' && digits(9..15);
    iso || compact
}

/// Snapshots a run's output with [`scrub`]'s placeholders:
/// `snapshot!("name", project, text)`. After an intended change:
/// `INSTA_UPDATE=always cargo nextest run -p dnsctl-e2e`.
#[macro_export]
macro_rules! snapshot {
    ($name:expr, $project:expr, $text:expr) => {
        insta::assert_snapshot!($name, $project.scrub(&$text))
    };
}

impl Default for Project {
    fn default() -> Self {
        Project::new()
    }
}

/// The result of running a binary.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Asserts the exit code, showing both streams when it differs.
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

pub use testkit::big_zone;
pub use testkit::every_type_zone as all_types;

/// A project whose one zone, example.com, is managed by an `rfc2136` provider
/// (`ns`) at `server` with this TSIG key; the secret is put in the
/// environment variable `var` (one per test: tests share the process).
pub fn rfc2136_project(server: SocketAddr, key_name: &str, secret: &str, var: &str) -> Project {
    let p = Project::new();
    p.write(
        "dnsctl.yaml",
        &rfc2136_config(server, key_name, secret, var),
    );
    p
}

/// The dnsctl.yaml of [`rfc2136_project`] (and sets `var`).
pub fn rfc2136_config(server: SocketAddr, key_name: &str, secret: &str, var: &str) -> String {
    std::env::set_var(var, secret);
    format!(
        "providers:\n  ns:\n    type: rfc2136\n    server: {server}\n    key_name: {key_name}\n    algorithm: hmac-sha256\n    secret: {{env: {var}}}\nzones:\n  example.com: {{provider: ns}}\n"
    )
}

/// Set in the inner run of [`in_private_network`].
const PRIVATE_NETWORK: &str = "DNSCTL_E2E_PRIVATE_NETWORK";

/// Runs the test `test` of this test binary again inside a private network
/// and mount namespace (`unshare --net --mount`, with `--map-root-user` when
/// not root): there only `lo` exists, so servers may listen on port 53 of any
/// 127.0.0.0/8 address, as name servers do, and nothing outside is reachable.
/// In there `/etc/hosts` reads `hosts` (after a localhost line) and
/// `/etc/resolv.conf` names 127.0.0.1, through bind mounts the host never
/// sees.
///
/// Returns `true` in the inner run, which goes on with the test. The outer
/// run returns `false` once the inner one passed, and fails with its output
/// otherwise.
pub fn in_private_network(test: &str, hosts: &str) -> bool {
    if std::env::var_os(PRIVATE_NETWORK).is_some() {
        enter_private_network(hosts);
        return true;
    }
    // The dnsctl binary is built out here, where cargo's output is seen.
    binary("dnsctl", "dnsctl");
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false);
    let mut cmd = Command::new("unshare");
    if !root {
        cmd.arg("--map-root-user");
    }
    let out = cmd
        .args(["--net", "--mount", "--"])
        .arg(std::env::current_exe().expect("the test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(PRIVATE_NETWORK, "1")
        .output()
        .expect("run unshare (Debian util-linux)");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the test in a private network namespace failed ({}; it needs root or unprivileged user namespaces, and iproute2)\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    eprint!("{stderr}");
    false
}

fn enter_private_network(hosts: &str) {
    let run = |args: &[&str]| {
        let out = Command::new(args[0])
            .args(&args[1..])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {args:?}: {e}"));
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["ip", "link", "set", "lo", "up"]);
    // The mounts keep the files' contents; their directory goes at once.
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        ("hosts", format!("127.0.0.1 localhost\n{hosts}")),
        (
            "resolv.conf",
            "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n".to_string(),
        ),
    ];
    for (name, text) in files {
        let f = dir.path().join(name);
        std::fs::write(&f, text).expect("write");
        run(&[
            "mount",
            "--bind",
            f.to_str().expect("UTF-8 path"),
            &format!("/etc/{name}"),
        ]);
    }
}
