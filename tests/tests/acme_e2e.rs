//! ACME DNS-01 end to end with a real ACME server: pebble (its DNS-01
//! resolver pointed at the Cloudflare emulator's DNS face), lego (exec
//! provider, default and RAW mode, `EXEC_PATH` = the dnsctl binary itself)
//! and certbot (manual hooks), all on 127.0.0.1 and started here. Records are
//! written through dnsctl's Cloudflare provider into the emulator.
//!
//! lego's own authoritative-NS check always asks port 53, so lego runs with
//! `--dns.resolvers <emulator> --dns.disable-cp`; dnsctl's hook does the
//! propagation wait itself (against `DNSCTL_NAMESERVER`).
//!
//! pebble, lego, certbot and openssl must be installed: `./scripts/test.sh`
//! installs them. A missing tool fails the test; it is never skipped.

use dnsctl_e2e::{binary, Project};
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use testkit::Emulator;

const TOKEN: &str = "acme-e2e-token";
const ZONE: &str = "example.test";

fn require(tool: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("`{tool}` is not installed: run ./scripts/test.sh, which installs pebble, lego, certbot and openssl (Debian packages) for the ACME end-to-end tests")
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn run(cmd: &mut Command, what: &str) -> Output {
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"))
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A pebble ACME server on loopback with its own TLS certificate, killed on drop.
struct Pebble {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
    mgmt: u16,
}

impl Pebble {
    fn start(dns: SocketAddr) -> Pebble {
        let pebble = require("pebble");
        let openssl = require("openssl");
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        let ossl = |args: &[&str]| {
            let o = run(Command::new(&openssl).args(args).current_dir(d), "openssl");
            assert!(o.status.success(), "openssl {args:?}: {}", show(&o));
        };
        ossl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=dnsctl-e2e-pebble-https-ca",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ]);
        ossl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "csr.pem",
            "-subj",
            "/CN=localhost",
        ]);
        std::fs::write(d.join("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").expect("write ext.cnf");
        ossl(&[
            "x509",
            "-req",
            "-in",
            "csr.pem",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "cert.pem",
        ]);
        let (port, mgmt) = (free_port(), free_port());
        let config = serde_json::json!({"pebble": {
            "listenAddress": format!("127.0.0.1:{port}"),
            "managementListenAddress": format!("127.0.0.1:{mgmt}"),
            "certificate": d.join("cert.pem"), "privateKey": d.join("key.pem"),
            "httpPort": free_port(), "tlsPort": free_port(),
            "ocspResponderURL": "", "externalAccountBindingRequired": false}});
        std::fs::write(d.join("pebble.json"), config.to_string()).expect("write pebble.json");
        let log = std::fs::File::create(d.join("pebble.log")).expect("pebble.log");
        let child = Command::new(pebble)
            .args([
                "-config",
                "pebble.json",
                "-dnsserver",
                &dns.to_string(),
                "-strict=false",
            ])
            .current_dir(d)
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .env_remove("PEBBLE_VA_ALWAYS_VALID")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start pebble");
        let mut p = Pebble {
            child,
            dir,
            port,
            mgmt,
        };
        let t0 = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err()
            || TcpStream::connect(("127.0.0.1", mgmt)).is_err()
        {
            if let Ok(Some(st)) = p.child.try_wait() {
                panic!("pebble exited ({st}):\n{}", p.log());
            }
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "pebble did not come up:\n{}",
                p.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        p
    }

    fn directory(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.port)
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pebble.log")).unwrap_or_default()
    }

    /// pebble's current root (regenerated at each start), over HTTPS with openssl.
    fn root(&self) -> PathBuf {
        let mut child = Command::new(require("openssl"))
            .args([
                "s_client",
                "-quiet",
                "-connect",
                &format!("127.0.0.1:{}", self.mgmt),
                "-servername",
                "localhost",
                "-verify_return_error",
                "-CAfile",
            ])
            .arg(self.ca())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_client");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"GET /roots/0 HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .expect("send request");
        let mut body = String::new();
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut body)
            .expect("read");
        let _ = child.wait();
        let pem = body
            .find("-----BEGIN CERTIFICATE-----")
            .map(|i| body[i..].to_string())
            .unwrap_or_else(|| panic!("no root certificate from pebble's /roots/0: {body}"));
        let path = self.dir.path().join("root.pem");
        std::fs::write(&path, pem).expect("write root.pem");
        path
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the zone lives: the Cloudflare emulator (API and DNS face), or a
/// real BIND written to through the rfc2136 provider.
enum Backend {
    Cloudflare(Emulator),
    Bind(testkit::bind::Bind),
}

/// A backend serving the zone, a project whose dnsctl.yaml points the zone at
/// it, and pebble validating against the backend's DNS.
struct World {
    backend: Backend,
    dns: SocketAddr,
    env: Vec<(&'static str, String)>,
    project: Project,
    pebble: Pebble,
}

impl World {
    fn new() -> World {
        require("openssl");
        let emu = Emulator::start_in_thread();
        emu.add_token(TOKEN);
        emu.add_zone(ZONE);
        emu.add_record(
            ZONE,
            serde_json::json!({"type": "A", "name": ZONE, "content": "127.0.0.1", "ttl": 300}),
        )
        .expect("apex A");
        let project = Project::new();
        project.write(
            "dnsctl.yaml",
            &format!(
                "providers:\n  cf: {{type: cloudflare, base_url: '{}', token: {{env: CLOUDFLARE_API_TOKEN}}}}\nzones:\n  {ZONE}: {{provider: cf}}\n",
                emu.base_url()
            ),
        );
        let dns = emu.dns_addr();
        World {
            pebble: Pebble::start(dns),
            env: vec![("CLOUDFLARE_API_TOKEN", TOKEN.to_string())],
            backend: Backend::Cloudflare(emu),
            dns,
            project,
        }
    }

    fn with_bind() -> World {
        require("openssl");
        let bind = testkit::bind::Bind::start(&[ZONE]);
        let project = Project::new();
        project.write(
            "dnsctl.yaml",
            &format!(
                "providers:\n  ns1: {{type: rfc2136, server: '{}', key_name: {}, algorithm: hmac-sha256, secret: {{env: DNSCTL_TSIG_SECRET}}}}\nzones:\n  {ZONE}: {{provider: ns1}}\n",
                bind.addr(),
                bind.key_name()
            ),
        );
        let dns = bind.addr();
        World {
            pebble: Pebble::start(dns),
            env: vec![("DNSCTL_TSIG_SECRET", bind.secret().to_string())],
            backend: Backend::Bind(bind),
            dns,
            project,
        }
    }

    fn emu(&self) -> &Emulator {
        match &self.backend {
            Backend::Cloudflare(e) => e,
            Backend::Bind(_) => panic!("not an emulator world"),
        }
    }

    fn backend_log(&self) -> String {
        match &self.backend {
            Backend::Cloudflare(_) => String::new(),
            Backend::Bind(b) => format!("--- named\n{}", b.log()),
        }
    }

    /// Environment every hook needs: where the config is, the credentials,
    /// and the server to check propagation on (the zone's NS are not
    /// reachable on port 53 here).
    fn hook_env(&self, cmd: &mut Command) {
        cmd.env("DNSCTL_CONFIG", self.project.path("dnsctl.yaml"))
            .env("DNSCTL_NAMESERVER", self.dns.to_string())
            .env("NO_COLOR", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
    }

    fn lego(&self, path: &Path, exec: &Path, raw: bool, domains: &[&str]) -> Output {
        let mut cmd = Command::new(require("lego"));
        cmd.args([
            "--server",
            &self.pebble.directory(),
            "--accept-tos",
            "--email",
            "admin@example.test",
            "--key-type",
            "ec256",
            "--dns",
            "exec",
            "--dns.resolvers",
            &self.dns.to_string(),
            "--dns.disable-cp",
            "--path",
        ])
        .arg(path);
        for d in domains {
            cmd.args(["-d", d]);
        }
        cmd.arg("run")
            .current_dir(self.project.dir.path())
            .env("LEGO_CA_CERTIFICATES", self.pebble.ca())
            .env("EXEC_PATH", exec)
            .env("EXEC_POLLING_INTERVAL", "1")
            .env("EXEC_PROPAGATION_TIMEOUT", "30")
            .env("EXEC_SEQUENCE_INTERVAL", "1");
        if raw {
            cmd.env("EXEC_MODE", "RAW");
        } else {
            cmd.env_remove("EXEC_MODE");
        }
        self.hook_env(&mut cmd);
        run(&mut cmd, "lego")
    }

    /// No `_acme-challenge` record is left, at the provider or over DNS.
    fn assert_no_challenge_left(&self) {
        if let Backend::Cloudflare(emu) = &self.backend {
            let left: Vec<serde_json::Value> = emu
                .records(ZONE)
                .into_iter()
                .filter(|r| {
                    r["name"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("_acme-challenge")
                })
                .collect();
            assert!(left.is_empty(), "challenge records left behind: {left:?}");
        }
        let answers = txt_answer_count(self.dns, "_acme-challenge.example.test");
        assert_eq!(answers, 0, "challenge TXT still served over DNS");
    }

    /// The certificate names exactly `names` and chains to pebble's root.
    fn assert_certificate(&self, leaf_bundle: &Path, issuer: &Path, names: &[&str]) {
        let openssl = require("openssl");
        assert!(
            leaf_bundle.is_file(),
            "no certificate at {}",
            leaf_bundle.display()
        );
        let o = run(
            Command::new(&openssl)
                .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
                .arg(leaf_bundle),
            "openssl x509",
        );
        assert!(o.status.success(), "{}", show(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        let mut sans: Vec<String> = text
            .split([',', '\n'])
            .filter_map(|p| p.trim().strip_prefix("DNS:").map(str::to_string))
            .collect();
        sans.sort();
        let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(sans, want, "{text}");
        let root = self.pebble.root();
        let o = run(
            Command::new(&openssl)
                .arg("verify")
                .arg("-CAfile")
                .arg(&root)
                .arg("-untrusted")
                .arg(issuer)
                .arg(leaf_bundle),
            "openssl verify",
        );
        assert!(
            o.status.success(),
            "the certificate does not chain to pebble's root: {}",
            show(&o)
        );
    }
}

/// The number of answers to a non-recursive TXT query (a hand-built DNS message).
fn txt_answer_count(server: SocketAddr, name: &str) -> u16 {
    let mut q = vec![0x4a, 0x11, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 16, 0, 1]);
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    sock.set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    sock.send_to(&q, server).expect("send");
    let mut buf = [0u8; 2048];
    let n = sock
        .recv(&mut buf)
        .expect("an answer from the emulator's DNS");
    assert!(n >= 12 && buf[0..2] == [0x4a, 0x11], "bad answer");
    u16::from_be_bytes([buf[6], buf[7]])
}

fn dnsctl() -> PathBuf {
    binary("dnsctl", "dnsctl")
}

/// lego with dnsctl as its exec hook obtains a certificate for the apex and
/// its wildcard; returns how long lego took.
fn lego_flow(w: &World, raw: bool) -> Duration {
    let out = tempfile::tempdir().expect("temp dir");
    let t0 = Instant::now();
    let o = w.lego(out.path(), &dnsctl(), raw, &[ZONE, "*.example.test"]);
    let took = t0.elapsed();
    assert!(
        o.status.success(),
        "lego (raw: {raw}) failed: {}\n--- pebble\n{}\n{}",
        show(&o),
        w.pebble.log(),
        w.backend_log()
    );
    let certs = out.path().join("certificates");
    w.assert_certificate(
        &certs.join("example.test.crt"),
        &certs.join("example.test.issuer.crt"),
        &[ZONE, "*.example.test"],
    );
    w.assert_no_challenge_left();
    took
}

#[test]
fn lego_exec_default_mode_apex_and_wildcard() {
    let w = World::new();
    let took = lego_flow(&w, false);
    eprintln!(
        "lego exec (default mode), {ZONE} + *.{ZONE}, Cloudflare emulator: {:.2}s",
        took.as_secs_f64()
    );
    // Both challenges went through the emulator's API (pebble validated what dnsctl wrote).
    assert!(
        w.emu().count("POST", "dns_records") + w.emu().count("PATCH", "dns_records") >= 2,
        "{:?}",
        w.emu().requests()
    );
}

#[test]
fn lego_exec_raw_mode_apex_and_wildcard() {
    let w = World::new();
    let took = lego_flow(&w, true);
    eprintln!(
        "lego exec (EXEC_MODE=RAW), {ZONE} + *.{ZONE}, Cloudflare emulator: {:.2}s",
        took.as_secs_f64()
    );
}

/// certbot with dnsctl's manual hooks obtains a certificate for the apex
/// and its wildcard; returns how long certbot took.
fn certbot_flow(w: &World) -> Duration {
    let certbot = require("certbot");
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let bin = dnsctl();
    let hook = |action: &str| format!("{} acme {action}", bin.display());
    let mut cmd = Command::new(certbot);
    cmd.args([
        "certonly",
        "--non-interactive",
        "--agree-tos",
        "--register-unsafely-without-email",
        "--server",
        &w.pebble.directory(),
    ])
    .arg("--config-dir")
    .arg(d.join("etc"))
    .arg("--work-dir")
    .arg(d.join("work"))
    .arg("--logs-dir")
    .arg(d.join("logs"))
    .args([
        "--manual",
        "--preferred-challenges",
        "dns",
        "--manual-auth-hook",
        &hook("certbot-auth"),
        "--manual-cleanup-hook",
        &hook("certbot-cleanup"),
        "-d",
        ZONE,
        "-d",
        "*.example.test",
    ])
    // Not the project: the hooks find dnsctl.yaml through DNSCTL_CONFIG.
    .current_dir(d)
    .env("REQUESTS_CA_BUNDLE", w.pebble.ca());
    w.hook_env(&mut cmd);
    let t0 = Instant::now();
    let o = run(&mut cmd, "certbot");
    let took = t0.elapsed();
    let log = std::fs::read_to_string(d.join("logs/letsencrypt.log")).unwrap_or_default();
    assert!(
        o.status.success(),
        "certbot failed: {}\n--- certbot log (tail)\n{}\n--- pebble\n{}",
        show(&o),
        log.lines()
            .rev()
            .take(60)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n"),
        w.pebble.log()
    );
    let live = d.join("etc/live/example.test");
    w.assert_certificate(
        &live.join("cert.pem"),
        &live.join("chain.pem"),
        &[ZONE, "*.example.test"],
    );
    w.assert_no_challenge_left();
    // certbot ran both auth hooks before validating: two values at one name at once.
    assert!(
        log.contains("dnsctl: published TXT at _acme-challenge.example.test."),
        "auth hook output not in certbot's log"
    );
    took
}

#[test]
fn certbot_manual_hooks_apex_and_wildcard() {
    let w = World::new();
    let took = certbot_flow(&w);
    eprintln!(
        "certbot manual hooks, {ZONE} + *.{ZONE}, Cloudflare emulator: {:.2}s",
        took.as_secs_f64()
    );
}

/// The same issuance through the rfc2136 provider into a real BIND (TSIG-
/// signed UPDATEs), pebble validating against BIND: lego in both exec modes
/// and certbot.
#[test]
fn lego_and_certbot_through_rfc2136_into_bind() {
    let w = World::with_bind();
    let a = lego_flow(&w, false);
    let b = lego_flow(&w, true);
    let c = certbot_flow(&w);
    eprintln!(
        "BIND via rfc2136, {ZONE} + *.{ZONE}: lego default {:.2}s, lego RAW {:.2}s, certbot {:.2}s",
        a.as_secs_f64(),
        b.as_secs_f64(),
        c.as_secs_f64()
    );
}

#[test]
fn pebble_rejects_a_wrong_value_and_nothing_is_left() {
    let w = World::new();
    // A hook that publishes a value that is not the challenge's digest.
    let dir = tempfile::tempdir().expect("temp dir");
    let wrapper = dir.path().join("wrong-value-hook.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nset -e\nexec '{}' \"$1\" \"$2\" \"wrong-$3\"\n",
            dnsctl().display()
        ),
    )
    .expect("write hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let o = w.lego(dir.path(), &wrapper, false, &[ZONE]);
    assert!(
        !o.status.success(),
        "lego succeeded with a wrong TXT value: {}",
        show(&o)
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        text.contains("unauthorized")
            || text.contains("Incorrect TXT")
            || text.contains("incorrect"),
        "{}",
        show(&o)
    );
    assert!(!dir.path().join("certificates/example.test.crt").exists());
    // lego cleaned up through the same hook: the wrong value is gone too.
    w.assert_no_challenge_left();
}

/// The plain commands and the exec contract against the emulator alone: a
/// value published with `dnsctl present` is served, RAW mode computes the
/// digest, unknown exec actions succeed, and bad arguments are clear errors.
#[test]
fn exec_contract_without_a_ca() {
    let emu = Emulator::start_in_thread();
    emu.add_token(TOKEN);
    emu.add_zone(ZONE);
    let project = Project::new();
    project.write(
        "dnsctl.yaml",
        &format!("providers:\n  cf: {{type: cloudflare, base_url: '{}', token: {{env: CLOUDFLARE_API_TOKEN}}}}\nzones:\n  {ZONE}: {{provider: cf}}\n", emu.base_url()),
    );
    let ns = emu.dns_addr().to_string();
    let env = [
        ("CLOUDFLARE_API_TOKEN", TOKEN),
        ("DNSCTL_NAMESERVER", ns.as_str()),
    ];
    let values = || -> Vec<String> {
        let mut v: Vec<String> = emu
            .records(ZONE)
            .into_iter()
            .filter(|r| r["type"] == "TXT")
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
    let r = project
        .dnsctl_env(
            &["present", "_acme-challenge.example.test.", "value-one"],
            &env,
        )
        .expect(0);
    assert!(
        r.stdout()
            .contains("published TXT \"value-one\" at _acme-challenge.example.test.")
            && r.stdout().contains("visible on 1 authoritative server"),
        "{}",
        r.stdout()
    );
    // RAW mode: base64url(sha256(keyAuth)) = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0" for "abc".
    project
        .dnsctl_env(&["present", "--", "example.test", "token", "abc"], &env)
        .expect(0);
    assert_eq!(
        values(),
        vec![
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0".to_string(),
            "value-one".to_string()
        ]
    );
    project
        .dnsctl_env(&["cleanup", "--", "example.test.", "token", "abc"], &env)
        .expect(0);
    assert_eq!(values(), vec!["value-one".to_string()]);
    project
        .dnsctl_env(
            &[
                "acme",
                "cleanup",
                "_acme-challenge.example.test",
                "value-one",
            ],
            &env,
        )
        .expect(0);
    assert!(values().is_empty());
    // Unknown exec actions exit 0 when lego calls; `timeout` reports the policy.
    project
        .dnsctl_env(&["someday-action", "x"], &[("EXEC_PATH", "dnsctl")])
        .expect(0);
    let t = project
        .dnsctl_env(
            &["timeout"],
            &[
                ("EXEC_PROPAGATION_TIMEOUT", "90"),
                ("EXEC_POLLING_INTERVAL", "3"),
            ],
        )
        .expect(0);
    assert_eq!(t.stdout().trim(), r#"{"interval":3,"timeout":90}"#);
    // Clear errors, exit 1, no panic.
    for (args, want) in [
        (&["present"][..], "present takes `<fqdn> <value>`"),
        (
            &["present", "--", "example.test", "tok"][..],
            "RAW mode takes",
        ),
        (&["cleanup", "bad name.", "v"][..], "contains ' '"),
        (
            &["present", "_acme-challenge.example.org.", "v"][..],
            "no zone in dnsctl.yaml holds _acme-challenge.example.org.",
        ),
    ] {
        let r = project.dnsctl_env(args, &env).expect(1);
        assert!(
            r.stderr().contains(want) && !r.stderr().contains("panicked"),
            "{args:?}: {}",
            r.stderr()
        );
    }
    let r = project
        .dnsctl_env(&["timeout"], &[("EXEC_PROPAGATION_TIMEOUT", "soon")])
        .expect(1);
    assert!(
        r.stderr()
            .contains("EXEC_PROPAGATION_TIMEOUT='soon' is not a duration"),
        "{}",
        r.stderr()
    );
    // A server that never answers: the hook times out naming it.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let both = format!("{ns},{}", silent.local_addr().expect("addr"));
    let r = project
        .dnsctl_env(
            &["present", "_acme-challenge.example.test.", "v2"],
            &[
                ("CLOUDFLARE_API_TOKEN", TOKEN),
                ("DNSCTL_NAMESERVER", &both),
                ("EXEC_PROPAGATION_TIMEOUT", "1"),
            ],
        )
        .expect(1);
    assert!(
        r.stderr()
            .contains(&silent.local_addr().expect("addr").to_string())
            && r.stderr().contains("1 of 2"),
        "{}",
        r.stderr()
    );
    // certbot hooks read their environment.
    let r = project
        .dnsctl_env(&["acme", "certbot-auth"], &env)
        .expect(1);
    assert!(
        r.stderr().contains("CERTBOT_DOMAIN is not set"),
        "{}",
        r.stderr()
    );
    let cb = [
        ("CERTBOT_DOMAIN", "*.example.test"),
        ("CERTBOT_VALIDATION", "from-certbot"),
    ];
    let all: Vec<(&str, &str)> = env.iter().chain(cb.iter()).copied().collect();
    let r = project
        .dnsctl_env(&["acme", "certbot-auth"], &all)
        .expect(0);
    assert_eq!(r.stdout().trim(), "_acme-challenge.example.test.");
    assert!(values().contains(&"from-certbot".to_string()));
    project
        .dnsctl_env(&["acme", "certbot-cleanup"], &all)
        .expect(0);
    assert_eq!(values(), vec!["v2".to_string()]);
    // check lists the stale value, --clean removes it.
    let r = project
        .dnsctl_env(&["acme", "check", "example.test"], &env)
        .expect(0);
    assert!(
        r.stdout().contains("warn  stale") && r.stdout().contains("v2"),
        "{}",
        r.stdout()
    );
    let r = project
        .dnsctl_env(
            &["acme", "check", "example.test", "--clean", "--json"],
            &env,
        )
        .expect(0);
    let j: serde_json::Value = serde_json::from_str(&r.stdout()).expect("json");
    assert_eq!(j["ok"], true);
    assert!(values().is_empty());
}

/// A CA the zone's CAA does not allow makes `acme check` fail.
#[test]
fn check_fails_on_a_caa_that_forbids_the_ca() {
    let emu = Emulator::start_in_thread();
    emu.add_token(TOKEN);
    emu.add_zone(ZONE);
    emu.add_record(ZONE, serde_json::json!({"type": "CAA", "name": ZONE, "ttl": 300, "data": {"flags": 0, "tag": "issue", "value": "pki.goog"}}))
        .expect("CAA");
    let project = Project::new();
    project.write(
        "dnsctl.yaml",
        &format!("providers:\n  cf: {{type: cloudflare, base_url: '{}', token: {{env: CLOUDFLARE_API_TOKEN}}}}\nzones:\n  {ZONE}: {{provider: cf}}\n", emu.base_url()),
    );
    let ns = emu.dns_addr().to_string();
    let env = [
        ("CLOUDFLARE_API_TOKEN", TOKEN),
        ("DNSCTL_NAMESERVER", ns.as_str()),
    ];
    let r = project
        .dnsctl_env(&["acme", "check", "example.test"], &env)
        .expect(1);
    assert!(
        r.stdout().contains("FAIL  caa") && r.stdout().contains("does not allow letsencrypt.org"),
        "{}",
        r.stdout()
    );
    project
        .dnsctl_env(&["acme", "check", "example.test", "--ca", "pki.goog"], &env)
        .expect(0);
}

/// A push while an issuance is under way leaves its challenge records alone
/// (`_acme-challenge*` TXT is ignored by default).
#[test]
fn push_during_issuance_keeps_the_challenge_record() {
    let emu = Emulator::start_in_thread();
    emu.add_token(TOKEN);
    emu.add_zone(ZONE);
    let project = Project::new();
    project.write(
        "dnsctl.yaml",
        &format!("providers:\n  cf: {{type: cloudflare, base_url: '{}', token: {{env: CLOUDFLARE_API_TOKEN}}}}\nzones:\n  {ZONE}: {{provider: cf}}\n", emu.base_url()),
    );
    project.write(
        "zones/example.test.yaml",
        "www:\n  type: A\n  value: 192.0.2.1\n",
    );
    let ns = emu.dns_addr().to_string();
    let env = [
        ("CLOUDFLARE_API_TOKEN", TOKEN),
        ("DNSCTL_NAMESERVER", ns.as_str()),
    ];
    project
        .dnsctl_env(
            &[
                "acme",
                "present",
                "_acme-challenge.example.test",
                "in-flight",
            ],
            &env,
        )
        .expect(0);
    let r = project.dnsctl_env(&["push", "--yes"], &env).expect(0);
    assert!(!r.stdout().contains("_acme-challenge"), "{}", r.stdout());
    let names: Vec<String> = emu
        .records(ZONE)
        .into_iter()
        .map(|r| {
            format!(
                "{} {}",
                r["type"].as_str().unwrap_or_default(),
                r["name"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        names.contains(&"TXT _acme-challenge.example.test".to_string())
            && names.contains(&"A www.example.test".to_string()),
        "{names:?}"
    );
    assert_eq!(
        txt_answer_count(emu.dns_addr(), "_acme-challenge.example.test"),
        1
    );
}
