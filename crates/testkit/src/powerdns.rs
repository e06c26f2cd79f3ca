//! A real PowerDNS Authoritative server for tests: `pdns_server` with the
//! gsqlite3 backend in a temporary directory, DNS on a free loopback port,
//! the HTTP API (`api=yes`) on another, `security-poll-suffix=` empty so it
//! makes no lookups at start-up, and a 256 MB `webserver-max-bodysize` so a
//! 10,000-record PATCH fits. Stopped on drop.
//!
//! ```no_run
//! let pdns = testkit::powerdns::PowerDns::start();
//! println!("API {} key {}, DNS {}", pdns.api_url(), pdns.api_key(), pdns.dns_addr());
//! ```

use crate::servers::{self, Daemon};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const SCHEMA: &str = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";

/// A PowerDNS Authoritative server (gsqlite3 backend, HTTP API) on loopback ports; stopped when dropped.
pub struct PowerDns {
    dir: tempfile::TempDir,
    dns_port: u16,
    api_port: u16,
    api_key: String,
    daemon: Daemon,
}

impl PowerDns {
    /// Starts one with a new database and a random API key.
    pub fn start() -> PowerDns {
        let pdns = servers::program("pdns_server", "pdns-server");
        let sqlite = servers::program("sqlite3", "sqlite3");
        assert!(
            Path::new(SCHEMA).is_file(),
            "{SCHEMA} is missing (Debian package pdns-backend-sqlite3); run ./scripts/test.sh"
        );
        let dir = tempfile::Builder::new()
            .prefix("dnsctl-pdns-")
            .tempdir()
            .expect("temp dir");
        let db = dir.path().join("pdns.sqlite3");
        servers::run(Command::new(sqlite).arg(&db).arg(format!(".read {SCHEMA}")));
        std::fs::write(dir.path().join("pdns.conf"), "").expect("write pdns.conf");
        let api_key = format!("test-key-{:016x}", fastrand::u64(..));
        let mut last = String::new();
        for _ in 0..5 {
            let (dns_port, api_port) = (servers::free_port(), servers::free_tcp_port());
            let mut daemon = spawn(&pdns, dir.path(), dns_port, api_port, &api_key);
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            loop {
                if api_get(api_port, &api_key, "/api/v1/servers/localhost").0 == 200 {
                    return PowerDns {
                        dir,
                        dns_port,
                        api_port,
                        api_key,
                        daemon,
                    };
                }
                if daemon.exited() || std::time::Instant::now() > deadline {
                    last = daemon.log();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("pdns_server did not start; its last log:\n{last}");
    }

    /// The API base URL, e.g. `http://127.0.0.1:PORT` (the provider's `api_url`).
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }

    /// The API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Where the zones are served over DNS (UDP and TCP).
    pub fn dns_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.dns_port))
    }

    /// Its working directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Its SQLite database.
    pub fn database(&self) -> PathBuf {
        self.dir.path().join("pdns.sqlite3")
    }

    /// What it has logged.
    pub fn log(&self) -> String {
        self.daemon.log()
    }

    /// Creates a Native zone with NS `ns1.<zone>` through the API.
    pub fn create_zone(&self, zone: &str) {
        let z = format!("{}.", zone.trim_end_matches('.'));
        let body = format!(r#"{{"name": "{z}", "kind": "Native", "nameservers": ["ns1.{z}"]}}"#);
        let (status, resp) = api(
            self.api_port,
            &self.api_key,
            "POST",
            "/api/v1/servers/localhost/zones",
            Some(&body),
        );
        assert_eq!(status, 201, "creating {z}: {resp}");
    }

    /// `GET` on the API; returns the status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        api_get(self.api_port, &self.api_key, path)
    }

    /// `DELETE` on the API (a zone, say); returns the status and body.
    pub fn delete(&self, path: &str) -> (u16, String) {
        api(self.api_port, &self.api_key, "DELETE", path, None)
    }

    /// Stops it (`restart` starts it again on the same ports and data).
    pub fn stop(&mut self) {
        self.daemon.stop();
    }

    /// Starts the server again with the same ports, key and database.
    pub fn restart(&mut self) {
        self.daemon.stop();
        let pdns = servers::program("pdns_server", "pdns-server");
        self.daemon = spawn(
            &pdns,
            self.dir.path(),
            self.dns_port,
            self.api_port,
            &self.api_key,
        );
        let (port, key) = (self.api_port, self.api_key.clone());
        servers::wait_until(&mut self.daemon, "pdns_server", || {
            api_get(port, &key, "/api/v1/servers/localhost").0 == 200
        });
    }
}

fn spawn(pdns: &Path, dir: &Path, dns_port: u16, api_port: u16, key: &str) -> Daemon {
    let d = dir.display();
    Daemon::spawn(
        "pdns_server",
        Command::new(pdns).args([
            format!("--config-dir={d}"),
            format!("--socket-dir={d}"),
            "--launch=gsqlite3".into(),
            format!("--gsqlite3-database={d}/pdns.sqlite3"),
            "--local-address=127.0.0.1".into(),
            format!("--local-port={dns_port}"),
            "--api=yes".into(),
            format!("--api-key={key}"),
            "--webserver=yes".into(),
            "--webserver-address=127.0.0.1".into(),
            format!("--webserver-port={api_port}"),
            "--webserver-allow-from=127.0.0.0/8".into(),
            "--webserver-max-bodysize=256".into(),
            "--security-poll-suffix=".into(),
            "--daemon=no".into(),
            "--guardian=no".into(),
            "--disable-syslog=yes".into(),
            "--write-pid=no".into(),
            "--loglevel=4".into(),
            "--default-ttl=3600".into(),
        ]),
        &dir.join("pdns.log"),
    )
}

fn api_get(port: u16, key: &str, path: &str) -> (u16, String) {
    api(port, key, "GET", path, None)
}

/// A minimal HTTP/1.0 client for the API (status 0 when nothing answers).
fn api(port: u16, key: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return (0, String::new());
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if s.write_all(req.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
