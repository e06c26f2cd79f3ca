//! A real Knot DNS (`knotd`) for tests: a primary on a free loopback port in a
//! temporary directory (or on a given address, e.g. `127.0.0.2:53` inside a
//! private network namespace), with a TSIG key (made by `tsig-keygen`, which
//! Knot reads as base64 too) allowed to transfer and update its zones;
//! stopped on drop.
//!
//! Knot keeps accepted updates in its journal (an LMDB database under the
//! storage directory) and writes them back to the zone file at once
//! (`zonefile-sync: 0`, the default), so a restart serves what was accepted.
//!
//! ```no_run
//! let knot = testkit::knot::Knot::start(&["example.com"]);
//! println!("{} key {}", knot.addr(), knot.key_name());
//! ```

use crate::servers::{self, Daemon};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Knot DNS (`knotd`) on a loopback port, serving zones that take TSIG-signed updates; stopped when dropped.
pub struct Knot {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    key_name: String,
    secret: String,
    zones: Vec<String>,
    daemon: Daemon,
}

impl Knot {
    /// Starts `knotd` on a free loopback port serving each zone (primary,
    /// with an SOA, NS `ns1.<zone>` and its glue `127.0.0.1`).
    pub fn start(zones: &[&str]) -> Knot {
        Knot::launch(None, zones, &[])
    }

    /// Like [`Knot::start`], with the key allowed to update only records of
    /// these types (Knot's ACL `update-type`), as a key for ACME challenges
    /// might be.
    pub fn start_with_update_types(zones: &[&str], types: &[&str]) -> Knot {
        Knot::launch(None, zones, types)
    }

    /// Like [`Knot::start`], listening on `addr` (UDP and TCP); fails the
    /// test if it cannot. Port 53 needs root (or a private network namespace
    /// where the test is root).
    pub fn start_at(addr: SocketAddr, zones: &[&str]) -> Knot {
        Knot::launch(Some(addr), zones, &[])
    }

    fn launch(fixed: Option<SocketAddr>, zones: &[&str], update_types: &[&str]) -> Knot {
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
        // A free port can be taken before knotd binds it: try another. A
        // fixed address gets one try.
        for _ in 0..if fixed.is_some() { 1 } else { 5 } {
            let addr =
                fixed.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], servers::free_port())));
            write_conf(dir.path(), addr, &key_name, &secret, &zones, update_types);
            let mut daemon = spawn(&knotd, dir.path());
            let zone = zones.first().cloned().unwrap_or_else(|| ".".into());
            if servers::serves_soa_soon(&mut daemon, addr, &zone) {
                return Knot {
                    dir,
                    addr,
                    key_name,
                    secret,
                    zones,
                    daemon,
                };
            }
            last = daemon.log();
        }
        panic!("knotd did not start; its last log:\n{last}");
    }

    /// Its DNS address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The TSIG key's name.
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// The key's secret in base64.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Its working directory (config, zone files, journal).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The zone file Knot loads and writes back to.
    pub fn zone_file(&self, zone: &str) -> PathBuf {
        self.dir
            .path()
            .join(format!("{}.zone", zone.trim_end_matches('.')))
    }

    /// knotd's output so far (at level info: every DDNS it processes, and
    /// why it refused one).
    pub fn log(&self) -> String {
        self.daemon.log()
    }

    /// Stops the server (as a crash or maintenance would).
    pub fn stop(&mut self) {
        self.daemon.stop();
    }

    /// Starts the server again on the same address with the same zones; the
    /// updates it had accepted are kept (journal and zone file).
    pub fn restart(&mut self) {
        self.daemon.stop();
        let knotd = servers::program("knotd", "knot");
        self.daemon = spawn(&knotd, self.dir.path());
        let addr = self.addr;
        let zone = self.zones.first().cloned().unwrap_or_else(|| ".".into());
        servers::wait_until(&mut self.daemon, "knotd", || {
            servers::soa_answers(addr, &zone)
        });
    }
}

fn spawn(knotd: &Path, dir: &Path) -> Daemon {
    Daemon::spawn(
        "knotd",
        Command::new(knotd)
            .arg("-c")
            .arg(dir.join("knot.conf"))
            .current_dir(dir),
        &dir.join("knotd.log"),
    )
}

fn write_conf(
    dir: &Path,
    addr: SocketAddr,
    key: &str,
    secret: &str,
    zones: &[String],
    update_types: &[&str],
) {
    let d = dir.display();
    let (ip, port) = (addr.ip(), addr.port());
    let types = if update_types.is_empty() {
        String::new()
    } else {
        format!("    update-type: [{}]\n", update_types.join(", "))
    };
    let mut conf = format!(
        "server:\n    rundir: \"{d}\"\n    listen: {ip}@{port}\n\nlog:\n  - target: stderr\n    any: info\n\ndatabase:\n    storage: \"{d}\"\n\nkey:\n  - id: {key}\n    algorithm: hmac-sha256\n    secret: {secret}\n\nacl:\n  - id: dnsctl\n    key: {key}\n    action: [transfer, update]\n{types}\ntemplate:\n  - id: default\n    storage: \"{d}\"\n    file: \"%s.zone\"\n    acl: dnsctl\n\nzone:\n"
    );
    for z in zones {
        conf.push_str(&format!("  - domain: {z}\n"));
    }
    std::fs::write(dir.join("knot.conf"), conf).expect("write knot.conf");
}
