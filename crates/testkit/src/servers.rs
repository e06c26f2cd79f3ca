//! What the BIND and PowerDNS launchers share: finding a server binary,
//! picking free loopback ports, a private directory, and a child process that
//! is stopped on drop.

use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The path of a server program, searched in PATH and the sbin directories
/// (Debian puts daemons in /usr/sbin, often not in a user's PATH). A missing
/// program fails the test: the servers are part of the test suite.
pub fn program(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from));
    for d in dirs {
        let p = d.join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "`{name}` is not installed (Debian package {package}); run ./scripts/test.sh, which installs every server the tests start"
    );
}

/// A loopback port free for both UDP and TCP right now.
pub fn free_port() -> u16 {
    for _ in 0..100 {
        let Ok(u) = UdpSocket::bind("127.0.0.1:0") else {
            continue;
        };
        let Ok(addr) = u.local_addr() else { continue };
        if TcpListener::bind(addr).is_ok() {
            return addr.port();
        }
    }
    panic!("no loopback port is free for both UDP and TCP");
}

/// A loopback port free for TCP right now.
pub fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Runs a command to completion, failing the test with its output if it fails.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A server process with its log file; stopped (SIGTERM, then SIGKILL) on drop.
pub struct Daemon {
    child: Option<Child>,
    log: PathBuf,
    what: String,
}

impl Daemon {
    /// Starts `cmd` as `what`, its output going to `log`.
    pub fn spawn(what: &str, cmd: &mut Command, log: &Path) -> Daemon {
        let file = std::fs::File::create(log).expect("create the server log");
        let err = file.try_clone().expect("clone the log handle");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what} ({cmd:?}): {e}"));
        Daemon {
            child: Some(child),
            log: log.to_path_buf(),
            what: what.to_string(),
        }
    }

    /// What it has written to its log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails the test (with the server's log) if the process has exited.
    pub fn check_alive(&mut self) {
        if let Some(c) = self.child.as_mut() {
            if let Ok(Some(status)) = c.try_wait() {
                panic!("{} exited ({status}); its log:\n{}", self.what, self.log());
            }
        }
    }

    /// True once the process has exited (or was stopped).
    pub fn exited(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => !matches!(c.try_wait(), Ok(None)),
            None => true,
        }
    }

    /// Whether it still runs.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Stops the process: SIGTERM, then SIGKILL after 5 seconds.
    pub fn stop(&mut self) {
        let Some(mut c) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = c.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until `ready` holds, checking that the server is still running.
pub fn wait_until(daemon: &mut Daemon, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        daemon.check_alive();
        if ready() {
            return;
        }
        if Instant::now() > deadline {
            panic!(
                "{what} did not become ready in 30s; its log:\n{}",
                daemon.log()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until `server` answers for the SOA of `zone`. False when the daemon
/// exits first (e.g. its port was taken meanwhile) or 30 s pass.
pub fn serves_soa_soon(daemon: &mut Daemon, server: SocketAddr, zone: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if soa_answers(server, zone) {
            return true;
        }
        if daemon.exited() || Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asks `server` over TCP for the SOA of `zone`; true on a NOERROR answer
/// with at least one record.
pub fn soa_answers(server: SocketAddr, zone: &str) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&server, Duration::from_millis(500)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut q = vec![0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for l in zone
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        q.push(l.len() as u8);
        q.extend_from_slice(l.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 6, 0, 1]);
    let mut framed = (q.len() as u16).to_be_bytes().to_vec();
    framed.extend(q);
    use std::io::{Read, Write};
    if s.write_all(&framed).is_err() {
        return false;
    }
    let mut len = [0u8; 2];
    if s.read_exact(&mut len).is_err() {
        return false;
    }
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    if s.read_exact(&mut buf).is_err() || buf.len() < 12 {
        return false;
    }
    buf[3] & 0xf == 0 && u16::from_be_bytes([buf[6], buf[7]]) > 0
}
