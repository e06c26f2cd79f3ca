//! A real BIND 9 (`named`) for tests: started in the foreground on a free
//! loopback port in a temporary directory, with a TSIG key made by
//! `tsig-keygen` that may transfer and update the zones it serves
//! (`update-policy { grant KEY zonesub ANY; }`), and stopped on drop.
//!
//! ```no_run
//! let bind = testkit::bind::Bind::start(&["example.com"]);
//! println!("{} key {} secret {}", bind.addr(), bind.key_name(), bind.secret());
//! ```

use crate::servers::{self, Daemon};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A BIND 9 (`named`) on a loopback port, serving zones that take TSIG-signed updates; stopped when dropped.
pub struct Bind {
    dir: tempfile::TempDir,
    port: u16,
    key_name: String,
    secret: String,
    zones: Vec<String>,
    daemon: Daemon,
}

impl Bind {
    /// Starts `named` serving each zone (primary, with an SOA, NS
    /// `ns1.<zone>` and its glue `127.0.0.1`).
    pub fn start(zones: &[&str]) -> Bind {
        Bind::start_with_algorithm(zones, "hmac-sha256")
    }

    /// Like `start`, with a TSIG key of this algorithm (`hmac-sha512`, …).
    pub fn start_with_algorithm(zones: &[&str], algorithm: &str) -> Bind {
        let named = servers::program("named", "bind9");
        let keygen = servers::program("tsig-keygen", "bind9-utils");
        let dir = tempfile::Builder::new()
            .prefix("dnsctl-bind-")
            .tempdir()
            .expect("temp dir");
        let key_name = "dnsctl-test".to_string();
        let key_conf = servers::run(Command::new(keygen).args(["-a", algorithm, &key_name]));
        let secret = key_conf
            .split("secret \"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("tsig-keygen printed a secret")
            .to_string();
        std::fs::write(dir.path().join("key.conf"), &key_conf).expect("write key.conf");
        let zones: Vec<String> = zones
            .iter()
            .map(|z| z.trim_end_matches('.').to_ascii_lowercase())
            .collect();
        for z in &zones {
            std::fs::write(dir.path().join(format!("{z}.zone")), initial_zone(z))
                .expect("write zone file");
        }
        let mut last = String::new();
        for _ in 0..5 {
            let port = servers::free_port();
            write_conf(dir.path(), port, &key_name, &zones);
            let mut daemon = spawn(&named, dir.path());
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let zone = zones.first().cloned().unwrap_or_else(|| ".".into());
            // A port taken meanwhile makes named exit: try another.
            if servers::serves_soa_soon(&mut daemon, addr, &zone) {
                return Bind {
                    dir,
                    port,
                    key_name,
                    secret,
                    zones,
                    daemon,
                };
            }
            last = daemon.log();
        }
        panic!("named did not start; its last log:\n{last}");
    }

    /// Its DNS address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The TSIG key's name.
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// The key's secret in base64, as `tsig-keygen` printed it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Its working directory (config, zone files, journals).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The zone file of `zone`.
    pub fn zone_file(&self, zone: &str) -> PathBuf {
        self.dir
            .path()
            .join(format!("{}.zone", zone.trim_end_matches('.')))
    }

    /// named's output so far (its refusals explain themselves there).
    pub fn log(&self) -> String {
        self.daemon.log()
    }

    /// Stops the server (as a crash or maintenance would).
    pub fn stop(&mut self) {
        self.daemon.stop();
    }

    /// Starts the server again on the same port with the same zones; the
    /// updates it had accepted are kept in its journals.
    pub fn restart(&mut self) {
        self.daemon.stop();
        let named = servers::program("named", "bind9");
        self.daemon = spawn(&named, self.dir.path());
        let addr = self.addr();
        let zone = self.zones.first().cloned().unwrap_or_else(|| ".".into());
        servers::wait_until(&mut self.daemon, "named", || {
            servers::soa_answers(addr, &zone)
        });
    }
}

fn spawn(named: &Path, dir: &Path) -> Daemon {
    Daemon::spawn(
        "named",
        Command::new(named)
            .arg("-g")
            .arg("-4")
            .arg("-c")
            .arg(dir.join("named.conf"))
            .current_dir(dir),
        &dir.join("named.log"),
    )
}

fn write_conf(dir: &Path, port: u16, key: &str, zones: &[String]) {
    let d = dir.display();
    let mut conf = format!(
        r#"include "{d}/key.conf";
options {{
    directory "{d}";
    pid-file "{d}/named.pid";
    session-keyfile "{d}/session.key";
    managed-keys-directory "{d}";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    notify no;
    allow-transfer {{ key "{key}"; }};
    max-udp-size 4096;
}};
controls {{ }};
"#
    );
    for z in zones {
        conf.push_str(&format!(
            "zone \"{z}\" {{\n    type primary;\n    file \"{d}/{z}.zone\";\n    update-policy {{ grant \"{key}\" zonesub ANY; }};\n    allow-transfer {{ key \"{key}\"; }};\n}};\n"
        ));
    }
    std::fs::write(dir.join("named.conf"), conf).expect("write named.conf");
}

fn initial_zone(z: &str) -> String {
    format!(
        "$TTL 3600\n@ IN SOA ns1.{z}. hostmaster.{z}. 1 7200 3600 1209600 300\n@ IN NS ns1.{z}.\nns1 IN A 127.0.0.1\n"
    )
}

/// Two `named`: a primary serving a zone file it does not own (the local
/// provider's, say), reloaded through `rndc`, that notifies a secondary,
/// which transfers the zone whenever the primary's serial moves forward.
pub struct PrimaryAndSecondary {
    dir: tempfile::TempDir,
    primary_port: u16,
    secondary_port: u16,
    control_port: u16,
    _primary: Daemon,
    _secondary: Daemon,
}

impl PrimaryAndSecondary {
    /// Starts both for `zone`, whose primary reads `zone_file` (which must
    /// exist and load); returns once the secondary serves the zone.
    pub fn start(zone: &str, zone_file: &Path) -> PrimaryAndSecondary {
        let named = servers::program("named", "bind9");
        let keygen = servers::program("tsig-keygen", "bind9-utils");
        servers::program("rndc", "bind9-utils");
        let dir = tempfile::Builder::new()
            .prefix("dnsctl-bind2-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        let rndc_key = servers::run(Command::new(keygen).args(["-a", "hmac-sha256", "rndc-key"]));
        std::fs::write(d.join("rndc.key"), &rndc_key).expect("write rndc.key");
        let (primary_port, secondary_port, control_port) = (
            servers::free_port(),
            servers::free_port(),
            servers::free_tcp_port(),
        );
        let zone = zone.trim_end_matches('.');
        let common = |name: &str, port: u16| {
            let sub = d.join(name);
            std::fs::create_dir_all(&sub).expect("mkdir");
            let s = sub.display();
            format!(
                "options {{\n    directory \"{s}\";\n    pid-file \"{s}/named.pid\";\n    session-keyfile \"{s}/session.key\";\n    managed-keys-directory \"{s}\";\n    listen-on port {port} {{ 127.0.0.1; }};\n    listen-on-v6 {{ none; }};\n    recursion no;\n    dnssec-validation no;\n    allow-transfer {{ 127.0.0.1; }};\n"
            )
        };
        let primary = format!(
            "include \"{k}\";\n{o}    notify explicit;\n    also-notify {{ 127.0.0.1 port {secondary_port}; }};\n}};\ncontrols {{ inet 127.0.0.1 port {control_port} allow {{ 127.0.0.1; }} keys {{ \"rndc-key\"; }}; }};\nzone \"{zone}\" {{ type primary; file \"{f}\"; }};\n",
            k = d.join("rndc.key").display(),
            o = common("primary", primary_port),
            f = zone_file.display(),
        );
        let secondary = format!(
            "{o}    notify no;\n}};\ncontrols {{ }};\nzone \"{zone}\" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; file \"{s}/{zone}.db\"; }};\n",
            o = common("secondary", secondary_port),
            s = d.join("secondary").display(),
        );
        let start = |name: &str, conf: String, port: u16| {
            let sub = d.join(name);
            std::fs::write(sub.join("named.conf"), conf).expect("write named.conf");
            let mut daemon = spawn(&named, &sub);
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            assert!(
                servers::serves_soa_soon(&mut daemon, addr, zone),
                "the {name} named did not serve {zone}; its log:\n{}",
                daemon.log()
            );
            daemon
        };
        let primary = start("primary", primary, primary_port);
        let secondary = start("secondary", secondary, secondary_port);
        PrimaryAndSecondary {
            dir,
            primary_port,
            secondary_port,
            control_port,
            _primary: primary,
            _secondary: secondary,
        }
    }

    /// The primary's DNS address.
    pub fn primary(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.primary_port))
    }

    /// The secondary's DNS address.
    pub fn secondary(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.secondary_port))
    }

    /// The command that makes the primary reload a zone, as an argument
    /// vector with `{zone}` for the zone (the local provider's `reload`).
    pub fn reload_command(&self) -> Vec<String> {
        let rndc = servers::program("rndc", "bind9-utils");
        [
            rndc.display().to_string(),
            "-s".into(),
            "127.0.0.1".into(),
            "-p".into(),
            self.control_port.to_string(),
            "-k".into(),
            self.dir.path().join("rndc.key").display().to_string(),
            "reload".into(),
            "{zone}".into(),
        ]
        .to_vec()
    }
}
