//! A real Knot DNS (`knotd`) for tests: a primary on a free loopback port in a
//! temporary directory, with a TSIG key (made by `tsig-keygen`, which Knot
//! reads as base64 too) allowed to transfer and update its zones; stopped on
//! drop.
//!
//! ```no_run
//! let knot = testkit::knot::Knot::start(&["example.com"]);
//! println!("{} key {}", knot.addr(), knot.key_name());
//! ```

use crate::servers::{self, Daemon};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

pub struct Knot {
    dir: tempfile::TempDir,
    port: u16,
    key_name: String,
    secret: String,
    daemon: Daemon,
}

impl Knot {
    pub fn start(zones: &[&str]) -> Knot {
        let knotd = servers::program("knotd", "knot");
        let keygen = servers::program("tsig-keygen", "bind9-utils");
        let dir = tempfile::Builder::new()
            .prefix("dnsctl-knot-")
            .tempdir()
            .expect("temp dir");
        let key_name = "dnsctl-test".to_string();
        let key_conf = servers::run(Command::new(keygen).args(["-a", "hmac-sha256", &key_name]));
        let secret = key_conf
            .split("secret \"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("tsig-keygen printed a secret")
            .to_string();
        let zones: Vec<String> = zones
            .iter()
            .map(|z| z.trim_end_matches('.').to_ascii_lowercase())
            .collect();
        for z in &zones {
            std::fs::write(
                dir.path().join(format!("{z}.zone")),
                format!("$TTL 3600\n@ IN SOA ns1.{z}. hostmaster.{z}. 1 7200 3600 1209600 300\n@ IN NS ns1.{z}.\nns1 IN A 127.0.0.1\n"),
            )
            .expect("write zone file");
        }
        let mut last = String::new();
        for _ in 0..5 {
            let port = servers::free_port();
            write_conf(dir.path(), port, &key_name, &secret, &zones);
            let mut daemon = Daemon::spawn(
                "knotd",
                Command::new(&knotd)
                    .arg("-c")
                    .arg(dir.path().join("knot.conf"))
                    .current_dir(dir.path()),
                &dir.path().join("knotd.log"),
            );
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let zone = zones.first().cloned().unwrap_or_else(|| ".".into());
            if servers::serves_soa_soon(&mut daemon, addr, &zone) {
                return Knot {
                    dir,
                    port,
                    key_name,
                    secret,
                    daemon,
                };
            }
            last = daemon.log();
        }
        panic!("knotd did not start; its last log:\n{last}");
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// The key's secret in base64.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        self.daemon.log()
    }
}

fn write_conf(dir: &Path, port: u16, key: &str, secret: &str, zones: &[String]) {
    let d = dir.display();
    let mut conf = format!(
        "server:\n    rundir: \"{d}\"\n    listen: 127.0.0.1@{port}\n\nlog:\n  - target: stderr\n    any: info\n\ndatabase:\n    storage: \"{d}\"\n\nkey:\n  - id: {key}\n    algorithm: hmac-sha256\n    secret: {secret}\n\nacl:\n  - id: dnsctl\n    key: {key}\n    action: [transfer, update]\n\ntemplate:\n  - id: default\n    storage: \"{d}\"\n    file: \"%s.zone\"\n    acl: dnsctl\n\nzone:\n"
    );
    for z in zones {
        conf.push_str(&format!("  - domain: {z}\n"));
    }
    std::fs::write(dir.join("knot.conf"), conf).expect("write knot.conf");
}
