//! One conformance suite: every scenario is written once and runs against
//! every provider row (local zone files, the Cloudflare API emulator, BIND,
//! Knot, PowerDNS), through the dnsctl binary. A new provider is one more
//! row: a `Row` variant, its `start`, and its line in `rows!`.
//!
//! What a row cannot do is said in its `Target`, never skipped silently:
//! the local provider has no DNS server to verify against and no
//! credentials to get wrong. Faults are injected where each server allows
//! it, so those scenarios stay in the per-server files: a 5xx, a 429 and a
//! dropped connection mid-push on the emulator (`cloudflare.rs`), a server
//! stopped mid-push then a re-run (`bind.rs`, `knot.rs`, `powerdns.rs`),
//! kill -9 of dnsctl then a re-run (`local_writers.rs`, `cloudflare.rs`).

use dnsctl_e2e::{all_types, big_zone, Project, Run};
use std::net::SocketAddr;
use testkit::{bind::Bind, knot::Knot, powerdns::PowerDns, Emulator};

#[derive(Debug, Clone, Copy)]
enum Row {
    Local,
    Cloudflare,
    Bind,
    Knot,
    PowerDns,
}

/// The server a row's project talks to, kept running for the test.
#[allow(dead_code)] // held only to keep the server up until the test ends
enum Server {
    None,
    Cloudflare(Emulator),
    Bind(Bind),
    Knot(Knot),
    PowerDns(PowerDns),
}

/// A project configured for one row's provider, and its server.
struct Target {
    row: Row,
    project: Project,
    /// Where `dnsctl verify --server` asks (None: nothing serves the zone).
    dns: Option<SocketAddr>,
    /// The environment variable holding the provider's credential, and the
    /// credential (None: the provider needs none).
    credential: Option<(String, String)>,
    _server: Server,
}

impl Target {
    fn start(row: Row, scenario: &str) -> Target {
        let var = format!("DNSCTL_CONFORMANCE_{row:?}_{scenario}").to_ascii_uppercase();
        let project = Project::new();
        let zones = "zones:\n  example.com: {provider: p}\n";
        let (config, server, dns, secret) = match row {
            Row::Local => (
                "providers:\n  p: {type: local, directory: live}\n".to_string(),
                Server::None,
                None,
                None,
            ),
            Row::Cloudflare => {
                let emu = Emulator::start_in_thread();
                let token = "cf-conformance-token-0123456789";
                emu.add_token(token);
                emu.add_zone("example.com");
                let config = format!(
                    "providers:\n  p:\n    type: cloudflare\n    token: {{env: {var}}}\n    base_url: {}\n",
                    emu.base_url()
                );
                let dns = emu.dns_addr();
                (
                    config,
                    Server::Cloudflare(emu),
                    Some(dns),
                    Some(token.to_string()),
                )
            }
            Row::Bind => {
                let bind = Bind::start(&["example.com"]);
                let config = rfc2136(bind.addr(), bind.key_name(), &var);
                let (dns, secret) = (bind.addr(), bind.secret().to_string());
                (config, Server::Bind(bind), Some(dns), Some(secret))
            }
            Row::Knot => {
                let knot = Knot::start(&["example.com"]);
                let config = rfc2136(knot.addr(), knot.key_name(), &var);
                let (dns, secret) = (knot.addr(), knot.secret().to_string());
                (config, Server::Knot(knot), Some(dns), Some(secret))
            }
            Row::PowerDns => {
                let pdns = PowerDns::start();
                let config = format!(
                    "providers:\n  p:\n    type: powerdns\n    api_url: {}\n    api_key: {{env: {var}}}\n    server_id: localhost\n    create_zone: true\n",
                    pdns.api_url()
                );
                let (dns, secret) = (pdns.dns_addr(), pdns.api_key().to_string());
                (config, Server::PowerDns(pdns), Some(dns), Some(secret))
            }
        };
        project.write("dnsctl.yaml", &format!("{config}{zones}"));
        Target {
            row,
            project,
            dns,
            credential: secret.map(|s| (var, s)),
            _server: server,
        }
    }

    /// Runs dnsctl with the row's credential in its environment.
    fn dnsctl(&self, args: &[&str]) -> Run {
        match &self.credential {
            Some((var, secret)) => self.project.dnsctl_env(args, &[(var, secret)]),
            None => self.project.dnsctl(args),
        }
    }

    /// The command [`Target::dnsctl`] runs, to start it in the background.
    fn dnsctl_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.project.dnsctl_command(args);
        if let Some((var, secret)) = &self.credential {
            cmd.env(var, secret);
        }
        cmd
    }

    /// `dnsctl verify --server` against the row's DNS server, when it has one.
    fn verify(&self, code: i32) -> Option<String> {
        let dns = self.dns?.to_string();
        Some(
            self.dnsctl(&["verify", "--server", &dns])
                .expect(code)
                .stdout(),
        )
    }

    /// The live zone as dnsctl pulls it.
    fn pulled(&self) -> String {
        self.dnsctl(&["pull", "example.com", "-o", "-"])
            .expect(0)
            .stdout()
    }
}

fn rfc2136(server: SocketAddr, key_name: &str, var: &str) -> String {
    format!(
        "providers:\n  p:\n    type: rfc2136\n    server: {server}\n    key_name: {key_name}\n    algorithm: hmac-sha256\n    secret: {{env: {var}}}\n"
    )
}

/// Every record type dnsctl knows: pushed, then nothing left to do, served
/// as written, and a second push changes nothing and takes no backup.
fn every_type_then_nothing_to_do(row: Row) {
    let t = Target::start(row, "types");
    t.project.write("zones/example.com.yaml", &all_types());
    t.dnsctl(&["preview", "--exit-code"]).expect(2);
    t.dnsctl(&["push", "--yes"]).expect(0);
    t.dnsctl(&["preview", "--exit-code"]).expect(0);
    let r = t.dnsctl(&["push", "--yes"]).expect(0);
    assert!(
        r.stdout().contains("nothing to do"),
        "{:?}: {}",
        t.row,
        r.stdout()
    );
    assert_eq!(t.project.list("backups").len(), 1, "{:?}", t.row);
    if let Some(out) = t.verify(0) {
        assert!(
            out.contains("all 19 record sets match"),
            "{:?}: {out}",
            t.row
        );
    }
    // What is pulled plans nothing against what was pushed.
    let pulled = t.pulled();
    t.project.write("zones/example.com.yaml", &pulled);
    t.dnsctl(&["preview", "--exit-code"]).expect(0);
}

/// A revert puts the zone back exactly as the backup holds it: the sets the
/// push added are deleted, the ones it changed or deleted come back.
fn revert_is_exact(row: Row) {
    let t = Target::start(row, "revert");
    t.project.write("zones/example.com.yaml", &all_types());
    t.dnsctl(&["push", "--yes"]).expect(0);
    let before = t.pulled();
    let changed = all_types()
        .replace("203.0.113.25", "203.0.113.26")
        .replace("'*': {type: AAAA, value: '2001:db8::7'}\n", "")
        + "added: {type: A, value: 192.0.2.99}\n";
    t.project.write("zones/example.com.yaml", &changed);
    t.dnsctl(&["push", "--yes", "--force"]).expect(0);
    assert_ne!(t.pulled(), before, "{:?}", t.row);
    let mut backups = t.project.list("backups");
    backups.sort();
    assert_eq!(backups.len(), 2, "{:?}", t.row);
    let backup = format!("backups/{}", backups[1]);
    t.dnsctl(&["revert", &backup, "--yes", "--force"]).expect(0);
    assert_eq!(t.pulled(), before, "{:?}", t.row);
    if t.dns.is_some() {
        t.project.write("zones/example.com.yaml", &all_types());
        t.verify(0);
    }
}

/// 10,000 records pushed, a no-op preview, then a 10% change (updates and
/// deletes together) and a no-op preview again; verified where served.
/// Timings are printed for `--nocapture` (`FIGURES`), never asserted.
fn ten_thousand_records(row: Row) {
    use std::time::Instant;
    let t = Target::start(row, "10k");
    t.project.write("zones/example.com.yaml", &big_zone(10_000));
    let started = Instant::now();
    t.dnsctl(&["push", "--yes"]).expect(0);
    let push = started.elapsed();
    let started = Instant::now();
    t.dnsctl(&["preview", "--exit-code"]).expect(0);
    let preview = started.elapsed();
    if let Some(out) = t.verify(0) {
        assert!(out.contains("all 10002 record sets match"), "{out}");
    }
    let changed: String = big_zone(10_000)
        .lines()
        .enumerate()
        .filter(|(i, _)| i % 20 != 7)
        .map(|(i, l)| {
            if i % 20 == 3 {
                l.replace("with some text", "with other text")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    t.project.write("zones/example.com.yaml", &changed);
    t.dnsctl(&["preview", "--exit-code"]).expect(2);
    let started = Instant::now();
    t.dnsctl(&["push", "--yes", "--force"]).expect(0);
    let change = started.elapsed();
    t.dnsctl(&["preview", "--exit-code"]).expect(0);
    t.verify(0);
    eprintln!(
        "FIGURES e2e {:?} 10k: push {:.2}s, no-op preview {:.2}s, 10% change {:.2}s",
        t.row,
        push.as_secs_f64(),
        preview.as_secs_f64(),
        change.as_secs_f64()
    );
}

/// A wrong credential is a clear error that changes nothing and never shows
/// the credential. (The local provider has none.)
fn bad_credentials_change_nothing(row: Row) {
    let t = Target::start(row, "cred");
    let Some((var, _)) = &t.credential else {
        assert!(matches!(t.row, Row::Local));
        return;
    };
    t.project.write("zones/example.com.yaml", &all_types());
    // Same length and alphabet as a real one: only the value is wrong.
    let wrong = match t.row {
        Row::Bind | Row::Knot => "d3Jvbmcgc2VjcmV0IGZvciB0aGlzIGtleSEhISEhISE=".to_string(),
        _ => "wrong-credential-value-0123456789".to_string(),
    };
    let r = t
        .project
        .dnsctl_env(&["push", "--yes"], &[(var, &wrong)])
        .expect(1);

    assert!(!r.stderr().contains(&wrong), "{:?}: {}", t.row, r.stderr());
    assert!(
        r.stderr().starts_with("error: "),
        "{:?}: {}",
        t.row,
        r.stderr()
    );
    assert!(t.project.list("backups").is_empty(), "{:?}", t.row);
    // With the right one, the zone is still as it was: everything to create.
    t.dnsctl(&["preview", "--exit-code"]).expect(2);
}

/// `kill -9` of a push as soon as its backup is on disk (the first write
/// follows), then a re-run: it converges, and nothing is left behind. (A
/// kill during the backup's own write is `backup.rs`'s unit test.)
fn a_killed_push_converges_on_a_rerun(row: Row) {
    let t = Target::start(row, "kill");
    t.project.write("zones/example.com.yaml", &big_zone(5_000));
    let mut child = t
        .dnsctl_command(&["push", "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // A backup on disk (its temporary file renamed): the apply is next.
    let backed_up = || {
        t.project
            .list("backups")
            .iter()
            .any(|f| !f.starts_with('.'))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !backed_up() && std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    child.kill().ok(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(t.project.list("backups").len(), 1, "{:?}", t.row);
    t.dnsctl(&["push", "--yes", "--force"]).expect(0);
    t.dnsctl(&["preview", "--exit-code"]).expect(0);
    if let Some(out) = t.verify(0) {
        assert!(
            out.contains("all 5002 record sets match"),
            "{:?}: {out}",
            t.row
        );
    }
    // No temporary file is left beside the zone files or the backups (the
    // local provider's lock file stays: it is flock(2)ed, never removed).
    let leftovers: Vec<String> = t
        .project
        .list("live")
        .into_iter()
        .chain(t.project.list("backups"))
        .filter(|f| f.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{:?}: {leftovers:?}", t.row);
}

macro_rules! rows {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use super::Row;
            #[test]
            fn local() {
                super::$scenario(Row::Local)
            }
            #[test]
            fn cloudflare() {
                super::$scenario(Row::Cloudflare)
            }
            #[test]
            fn bind() {
                super::$scenario(Row::Bind)
            }
            #[test]
            fn knot() {
                super::$scenario(Row::Knot)
            }
            #[test]
            fn powerdns() {
                super::$scenario(Row::PowerDns)
            }
        }
    )*};
}

rows!(
    every_type_then_nothing_to_do,
    revert_is_exact,
    ten_thousand_records,
    bad_credentials_change_nothing,
    a_killed_push_converges_on_a_rerun,
);
