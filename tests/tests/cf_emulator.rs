//! The README's walkthrough of trying the Cloudflare provider without an
//! account: cf-emulator prints a dnsctl.yaml, and dnsctl pushes to it and
//! verifies through its DNS face.

use dnsctl_e2e::{binary, Project};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn cf_emulator_prints_a_config_dnsctl_can_use() {
    let bin = binary("dnsctl-testkit", "cf-emulator");
    let help = Command::new(&bin).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--port PORT") && help.contains("dnsctl push"),
        "{help}"
    );

    // Port 0: any free port, so parallel tests never collide.
    let mut child = Killed(
        Command::new(&bin)
            .args(["--port", "0", "--zone", "example.com", "--token", "tok-e2e"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("{provider: cf}");
        printed.push(line);
        if done {
            break;
        }
    }
    let dns = printed
        .iter()
        .find_map(|l| l.strip_prefix("dns: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the DNS address")
        .to_string();
    let config: String = printed
        .iter()
        .skip_while(|l| !l.starts_with("# dnsctl.yaml"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(config.contains("base_url: http://127.0.0.1:"), "{config}");

    let p = Project::new();
    p.write("dnsctl.yaml", &config).write(
        "zones/example.com.yaml",
        "www: {type: A, value: 192.0.2.10}\nmail: {type: MX, value: {preference: 10, exchange: mx.example.net.}}\n",
    );
    let env = [("CLOUDFLARE_API_TOKEN", "tok-e2e")];
    p.dnsctl_env(&["preview", "--exit-code"], &env).expect(2);
    p.dnsctl_env(&["push", "--yes"], &env).expect(0);
    p.dnsctl_env(&["preview", "--exit-code"], &env).expect(0);
    let r = p
        .dnsctl_env(&["verify", "example.com", "--server", &dns], &env)
        .expect(0);
    assert!(!r.stdout().is_empty() || !r.stderr().is_empty());
    // A wrong token is refused as Cloudflare refuses it.
    let r = p.dnsctl_env(&["preview"], &[("CLOUDFLARE_API_TOKEN", "wrong")]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
}
