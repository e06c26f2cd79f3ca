//! dnsctl against the Cloudflare API emulator: the same preview / push /
//! revert / pull loop as on the local provider, through the real HTTP client.

use dnsctl_e2e::{Project, Run};
use serde_json::{json, Value};
use testkit::Emulator;

const TOKEN: &str = "cf-test-token-0123456789abcdef";

const ZONE: &str = r#"'':
  - type: A
    value: 192.0.2.10
  - type: MX
    value: {preference: 10, exchange: mail.example.com.}
  - type: CAA
    value: {tag: issue, value: letsencrypt.org}
_dmarc: {type: TXT, value: 'v=DMARC1\; p=reject'}
_imaps._tcp: {type: SRV, value: {priority: 10, weight: 5, port: 993, target: mail.example.com.}}
mail: {type: A, ttl: 300, values: [192.0.2.25, 192.0.2.26]}
www:
  type: CNAME
  value: example.com.
  octodns:
    cloudflare: {proxied: true, comment: front door, tags: ['team:web']}
v6: {type: AAAA, value: '2001:db8::6'}
lab: {type: NS, values: [ns1.lab.example.net., ns2.lab.example.net.]}
25.2.0.192: {type: PTR, value: mail.example.com.}
host: {type: SSHFP, value: {algorithm: 4, fingerprint_type: 2, fingerprint: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}}
_443._tcp.www: {type: TLSA, value: {certificate_usage: 3, selector: 1, matching_type: 1, certificate_association_data: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}}
svc: {type: HTTPS, value: {svcpriority: 1, targetname: ., svcparams: {alpn: [h2, h3], port: 8443}}}
_dns: {type: SVCB, value: {svcpriority: 1, targetname: dns.example.com., svcparams: {alpn: [dot]}}}
long: {type: TXT, value: '%LONG%'}
"#;

fn zone_text() -> String {
    ZONE.replace("%LONG%", &"x".repeat(600))
}

struct Setup {
    emu: Emulator,
    project: Project,
}

impl Setup {
    fn new() -> Setup {
        Setup::with_options("")
    }

    /// `options` are extra provider options, each line indented by four spaces.
    fn with_options(options: &str) -> Setup {
        let emu = Emulator::start_in_thread();
        emu.add_token(TOKEN);
        emu.add_zone("example.com");
        let project = Project::new();
        project
            .write(
                "dnsctl.yaml",
                &format!(
                    "providers:\n  cf:\n    type: cloudflare\n    token: {{env: CF_TEST_TOKEN}}\n    base_url: {}\n{options}zones:\n  example.com: {{provider: cf}}\n",
                    emu.base_url()
                ),
            )
            .write("zones/example.com.yaml", &zone_text());
        Setup { emu, project }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.project.dnsctl_env(args, &[("CF_TEST_TOKEN", TOKEN)])
    }

    /// The emulator's records as (name, type, content, ttl, proxied), sorted.
    fn live(&self) -> Vec<(String, String, String, u64, bool)> {
        let mut out: Vec<_> = self
            .emu
            .records("example.com")
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap_or_default().to_string(),
                    r["type"].as_str().unwrap_or_default().to_string(),
                    r["content"].as_str().unwrap_or_default().to_string(),
                    r["ttl"].as_u64().unwrap_or_default(),
                    r["proxied"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        out.sort();
        out
    }

    fn id_of(&self, name: &str, content: &str) -> Value {
        self.emu
            .records("example.com")
            .into_iter()
            .find(|r| r["name"] == name && r["content"] == content)
            .map(|r| r["id"].clone())
            .unwrap_or(Value::Null)
    }
}

#[test]
fn push_preview_revert_and_pull_on_cloudflare() {
    let s = Setup::new();
    let r = s.run(&["preview", "--exit-code"]).expect(2);
    assert!(r.stdout().contains("(cloudflare"), "{}", r.stdout());
    assert!(
        r.stdout().contains("15 changes: 15 create"),
        "{}",
        r.stdout()
    );
    s.run(&["push", "--yes"]).expect(0);
    let live = s.live();
    assert_eq!(live.len(), 17, "{live:?}");
    assert!(
        live.contains(&(
            "www.example.com".into(),
            "CNAME".into(),
            "example.com".into(),
            1,
            true
        )),
        "proxied, TTL auto: {live:?}"
    );
    s.run(&["preview", "--exit-code"]).expect(0);
    let before = s.live();
    let kept_id = s.id_of("mail.example.com", "192.0.2.25");
    let changed_id = s.id_of("mail.example.com", "192.0.2.26");

    // A changed value is updated in place: both record ids survive.
    s.project.write(
        "zones/example.com.yaml",
        &zone_text()
            .replace("192.0.2.26", "192.0.2.27")
            .replace("_dmarc", "_dmarc2"),
    );
    s.run(&["push", "--yes"]).expect(0);
    assert_eq!(s.id_of("mail.example.com", "192.0.2.25"), kept_id);
    assert_eq!(
        s.id_of("mail.example.com", "192.0.2.27"),
        changed_id,
        "a changed value is a PATCH of the same record"
    );

    // Revert to the backup taken before that push: the zone is as it was.
    let newest = s.project.list("backups").pop().unwrap();
    s.run(&["revert", &format!("backups/{newest}"), "--yes"])
        .expect(0);
    assert_eq!(s.live(), before);
    s.run(&["preview", "--exit-code"]).expect(2);

    // Pull writes what is live, and that plans to no change.
    let r = s
        .run(&["pull", "example.com", "-o", "pulled.yaml"])
        .expect(0);
    assert!(r.stderr().contains("wrote pulled.yaml"), "{}", r.stderr());
    let pulled = s.project.read("pulled.yaml");
    assert!(pulled.contains("proxied: true"), "{pulled}");
    s.project.write("zones/example.com.yaml", &pulled);
    s.run(&["preview", "--exit-code"]).expect(0);
}

#[test]
fn a_bad_token_is_a_clear_error_that_never_shows_the_token() {
    let s = Setup::new();
    let secret = "definitely-not-a-valid-token-4242";
    let r = s
        .project
        .dnsctl_env(&["preview"], &[("CF_TEST_TOKEN", secret)])
        .expect(1);
    assert!(
        r.stderr().to_lowercase().contains("token"),
        "{}",
        r.stderr()
    );
    assert!(!r.stderr().contains(secret) && !r.stdout().contains(secret));
    let r = s.project.dnsctl(&["preview"]).expect(1);
    assert!(
        r.stderr().contains("CF_TEST_TOKEN"),
        "names the variable to set: {}",
        r.stderr()
    );
}

#[test]
fn records_outside_the_zone_file_are_left_alone_when_ignored_or_managed_by_cloudflare() {
    let s = Setup::new();
    s.emu
        .add_record("example.com", json!({"type": "TXT", "name": "_acme-challenge.www", "content": "token-in-flight", "ttl": 60}))
        .unwrap();
    s.run(&["push", "--yes"]).expect(0);
    assert!(
        s.live()
            .iter()
            .any(|r| r.0 == "_acme-challenge.www.example.com"),
        "ACME challenge kept"
    );
}

#[test]
fn a_failure_mid_push_is_repaired_by_running_push_again() {
    let s = Setup::with_options("    max_retries: 0\n");
    s.emu.inject(
        testkit::FaultRule::nth(1, testkit::Fault::Status(500))
            .on("POST", "/batch")
            .times(50),
    );
    let r = s.run(&["push", "--yes"]).expect(1);
    assert!(r.stderr().contains("failed"), "{}", r.stderr());
    s.emu.clear_faults();
    s.run(&["push", "--yes"]).expect(0);
    assert_eq!(s.live().len(), 17);
    s.run(&["preview", "--exit-code"]).expect(0);
}

/// kill -9 in the middle of a push: the backup was already on disk, and the
/// next push converges with nothing lost or duplicated.
#[test]
fn a_push_killed_mid_way_converges_on_the_next_run() {
    let s = Setup::new();
    s.emu.set_max_batch(2000);
    // Slow every write so the push is still running when it is killed.
    s.emu.inject(
        testkit::FaultRule::nth(1, testkit::Fault::Delay(std::time::Duration::from_secs(4)))
            .on("POST", "/batch")
            .times(1),
    );
    let mut child = std::process::Command::new(dnsctl_e2e::binary("dnsctl", "dnsctl"))
        .args(["push", "--yes"])
        .current_dir(s.project.dir.path())
        .env("CF_TEST_TOKEN", TOKEN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while s.project.list("backups").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "push never wrote its backup"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The backup is on disk; the batch write is now held by the emulator.
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        s.emu.records("example.com").is_empty(),
        "the backup exists before the first write"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    s.emu.clear_faults();
    s.run(&["push", "--yes"]).expect(0);
    let live = s.live();
    assert_eq!(live.len(), 17, "nothing lost or duplicated: {live:?}");
    s.run(&["preview", "--exit-code"]).expect(0);
}

/// The token can live in a SOPS file (encrypted by secretctl to an age key):
/// `token: {sops: secrets/dns.yaml#cloudflare/token}`.
#[test]
fn the_token_can_come_from_a_sops_file() {
    let s = Setup::new();
    let key = s.project.path("age-key.txt");
    let out = std::process::Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .expect("age-keygen (Debian age) must be installed: run ./scripts/test.sh");
    assert!(out.status.success());
    let recipient = String::from_utf8_lossy(&out.stderr)
        .trim()
        .trim_start_matches("Public key: ")
        .to_string();
    s.project.write(
        "secrets/dns.yaml",
        &format!("cloudflare:\n  token: {TOKEN}\n"),
    );
    let enc = std::process::Command::new(dnsctl_e2e::binary("secretctl", "secretctl"))
        .args([
            "encrypt",
            "--age",
            &recipient,
            "--in-place",
            "secrets/dns.yaml",
        ])
        .current_dir(s.project.dir.path())
        .output()
        .unwrap();
    assert!(
        enc.status.success(),
        "{}",
        String::from_utf8_lossy(&enc.stderr)
    );
    assert!(
        !s.project.read("secrets/dns.yaml").contains(TOKEN),
        "encrypted on disk"
    );
    let config = s.project.read("dnsctl.yaml").replace(
        "{env: CF_TEST_TOKEN}",
        "{sops: 'secrets/dns.yaml#cloudflare/token'}",
    );
    s.project.write("dnsctl.yaml", &config);
    let key_env = key.to_str().unwrap();
    let r = s
        .project
        .dnsctl_env(
            &["preview", "--exit-code"],
            &[("SOPS_AGE_KEY_FILE", key_env)],
        )
        .expect(2);
    assert!(r.stdout().contains("15 changes"), "{}", r.stdout());
    // Without the identity: a clear error naming the reference, never the token.
    let r = s
        .project
        .dnsctl_env(
            &["preview"],
            &[
                ("SOPS_AGE_KEY_FILE", "/nonexistent/keys.txt"),
                ("HOME", "/nonexistent"),
            ],
        )
        .expect(1);
    assert!(
        r.stderr().contains("secrets/dns.yaml#cloudflare/token"),
        "{}",
        r.stderr()
    );
    assert!(!r.stderr().contains(TOKEN));
}

/// Several zones on one account: planned and pushed concurrently through one
/// shared rate budget, each backed up before any write.
#[test]
fn several_zones_push_together() {
    let s = Setup::new();
    s.emu.add_zone("example.org");
    let config = s
        .project
        .read("dnsctl.yaml")
        .replace("zones:\n", "zones:\n  example.org: {provider: cf}\n");
    s.project.write("dnsctl.yaml", &config).write(
        "zones/example.org.yaml",
        "www: {type: A, value: 192.0.2.80}\n",
    );
    let r = s.run(&["push", "--yes"]).expect(0);
    assert!(
        r.stdout().contains("to example.com in")
            && r.stdout()
                .contains("applied 1 change: 1 create, 0 update, 0 delete to example.org"),
        "{}",
        r.stdout()
    );
    assert_eq!(s.project.list("backups").len(), 2);
    assert_eq!(s.emu.records("example.org").len(), 1);
    assert_eq!(s.live().len(), 17);
    s.run(&["preview", "--exit-code"]).expect(0);
}

/// `dnsctl verify` against the emulator's DNS face: answers for another
/// question or owner name are not taken as what the server serves, and a
/// server that is not authoritative for the zone is named as such instead of
/// every record being reported missing.
#[test]
fn verify_checks_answers_and_authority() {
    let s = Setup::new();
    s.project.write(
        "zones/example.com.yaml",
        "txt: {type: TXT, value: hello}\nwww: {type: A, value: 192.0.2.1}\n",
    );
    s.run(&["push", "--yes"]).expect(0);
    let server = s.emu.dns_addr().to_string();
    let r = s.run(&["verify", "--server", &server]).expect(0);
    assert!(
        r.stdout().contains("all 2 record sets match"),
        "{}",
        r.stdout()
    );
    for fault in [
        testkit::DnsFault::WrongOwner,
        testkit::DnsFault::WrongQuestion,
    ] {
        s.emu.set_dns_fault(Some(fault));
        let r = s.run(&["verify", "--server", &server]).expect(1);
        assert!(
            r.stdout().contains("cannot verify")
                && r.stdout().contains("not for the question asked"),
            "{fault:?}: {}",
            r.stdout()
        );
    }
    for (fault, why) in [
        (
            testkit::DnsFault::NotAuthoritative,
            "it answered NXDOMAIN without the AA bit",
        ),
        (
            testkit::DnsFault::ReferralUp,
            "it refers to the name servers of '.'",
        ),
    ] {
        s.emu.set_dns_fault(Some(fault));
        let r = s.run(&["verify", "--server", &server]).expect(1);
        let want = format!("{server} is not authoritative for example.com ({why})");
        assert!(
            r.stdout().contains(&want) && !r.stdout().contains("missing"),
            "{fault:?}: {}",
            r.stdout()
        );
    }
}

/// A 429 with `Retry-After` is waited out, and stderr says what for and how
/// long (it was silent, and a `Retry-After: 300` waited 300 s per retry).
#[test]
fn push_says_on_stderr_what_it_waits_for() {
    let s = Setup::new();
    s.emu.inject(
        testkit::FaultRule::nth(1, testkit::Fault::RateLimited { retry_after: 1 })
            .on("POST", "/batch"),
    );
    let t = std::time::Instant::now();
    let r = s.run(&["push", "--yes"]).expect(0);
    assert!(t.elapsed() >= std::time::Duration::from_secs(1));
    assert!(
        r.stderr()
            .contains("cf (cloudflare): rate limited (HTTP 429) at POST /zones/")
            && r.stderr().contains(
                "/dns_records/batch; waiting 1 s before retry 1 of 6 (as the server asked)"
            ),
        "{}",
        r.stderr()
    );
    assert_eq!(s.live().len(), 17);
}

/// An ACME hook's error is printed once, as a sentence (anyhow's chain
/// repeated the provider's error after the ACME error that quoted it).
#[test]
fn acme_errors_say_their_cause_once() {
    let s = Setup::new();
    let r = s
        .project
        .dnsctl_env(
            &[
                "acme",
                "present",
                "_acme-challenge.example.com",
                "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM",
                "--no-wait",
            ],
            &[("CF_TEST_TOKEN", "not-the-token")],
        )
        .expect(1);
    let err = r.stderr();
    assert_eq!(err.matches("verifying the API token").count(), 1, "{err}");
    assert!(err.contains("create a token"), "{err}");
}
