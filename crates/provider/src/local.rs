//! The local provider: each zone's live state is an RFC 1035 zone file
//! `<directory>/<zone>.zone`, which BIND and Knot load unchanged. It needs no
//! account and no network, so a fresh clone can preview and push at once.
//!
//! Every write (push, revert, ACME present and cleanup) holds an exclusive
//! advisory lock (`flock`) on `<directory>/.<zone>.zone.lock` from reading
//! the file, through checking that it still holds what the plan was made
//! from, to renaming the new file into place. Two dnsctl processes writing
//! one zone therefore take turns: the later one sees the earlier one's
//! change, and a plan made before that change is refused, never applied
//! over it. The lock file stays (removing it would let a waiting writer
//! lock a file nobody else can find).

use crate::config::Options;
use crate::{Capabilities, Provider, ProviderError};
use rustix::fs::{flock, FlockOperation};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zone::rdata::Soa;
use zone::{Change, Diagnostic, Name, Plan, RData, RType, RecordSet, Zone};

#[derive(Debug, Clone)]
/// Plain RFC 1035 zone files in a directory, one per zone, written atomically under a lock.
pub struct LocalProvider {
    dir: PathBuf,
    /// A command run after each write (e.g. `rndc reload {zone}`), as an
    /// argument vector: no shell ever reads it.
    reload: Vec<String>,
}

/// How long a reload command may take before it is killed.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(60);

impl LocalProvider {
    /// Zone files in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LocalProvider {
            dir: dir.into(),
            reload: Vec::new(),
        }
    }

    /// Builds the provider from its section of dnsctl.yaml; relative paths start at `root`.
    pub fn from_options(opts: &Options<'_>, root: &Path) -> Result<Self, Diagnostic> {
        opts.only(&["directory", "reload"])?;
        let mut p = LocalProvider::new(root.join(opts.required_str("directory")?));
        if let Some(node) = opts.node("reload") {
            p.reload = reload_argv(node)?;
        }
        Ok(p)
    }

    /// The zone file of `zone`.
    pub fn zone_path(&self, zone: &Name) -> PathBuf {
        self.dir
            .join(format!("{}.zone", zone.as_str().trim_end_matches('.')))
    }

    fn lock_path(&self, zone: &Name) -> PathBuf {
        self.dir.join(format!(
            ".{}.zone.lock",
            zone.as_str().trim_end_matches('.')
        ))
    }

    /// Takes the zone's write lock, waiting for another writer to finish (it
    /// says so on stderr after a second) for at most `LOCK_WAIT`. The lock is
    /// released when the returned file is dropped, or when the process dies.
    async fn lock(&self, zone: &Name) -> Result<File, ProviderError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| ProviderError::io(&self.dir, e))?;
        let path = self.lock_path(zone);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| ProviderError::io(&path, e))?;
        let started = Instant::now();
        let mut told = false;
        loop {
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(file),
                Err(rustix::io::Errno::WOULDBLOCK | rustix::io::Errno::INTR) => {}
                Err(e) => return Err(ProviderError::io(&path, e.into())),
            }
            let waited = started.elapsed();
            if waited >= LOCK_WAIT {
                return Err(ProviderError::Busy {
                    path: self.zone_path(zone).display().to_string(),
                    lock: path.display().to_string(),
                    waited_secs: waited.as_secs(),
                });
            }
            if !told && waited >= Duration::from_secs(1) {
                told = true;
                // stderr may be closed; waiting is not worth failing over.
                let _ = writeln!(
                    std::io::stderr(),
                    "waiting for another dnsctl process writing {} to finish (lock {}; giving up after {} s)",
                    self.zone_path(zone).display(),
                    path.display(),
                    LOCK_WAIT.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn read(&self, zone: &Name) -> Result<Zone, ProviderError> {
        let path = self.zone_path(zone);
        match std::fs::read_to_string(&path) {
            Ok(text) => zone::parse_zone_file(&text, zone, &path.display().to_string()).map_err(
                |diagnostics| ProviderError::Unreadable {
                    zone: zone.as_str().trim_end_matches('.').to_string(),
                    path: path.display().to_string(),
                    diagnostics,
                },
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Zone::new(zone.clone())),
            Err(e) => Err(ProviderError::io(&path, e)),
        }
    }
}

/// How long a writer waits for another one to release a zone.
const LOCK_WAIT: Duration = Duration::from_secs(120);

impl Provider for LocalProvider {
    fn describe(&self, zone: &Name) -> String {
        format!("local: {}", self.zone_path(zone).display())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            types: RType::ALL.to_vec(),
            ttl: 0..=zone::rdata::MAX_TTL,
            meta_key: None,
        }
    }

    async fn list(&self, zone: &Name) -> Result<Zone, ProviderError> {
        self.read(zone)
    }

    async fn apply_reporting(
        &self,
        plan: &Plan,
        progress: crate::Progress<'_>,
    ) -> Result<(), ProviderError> {
        crate::in_one_step(plan, progress, self.apply_whole(plan)).await
    }
}

impl LocalProvider {
    /// Replaces a zone file that cannot be read (see
    /// [`ProviderError::Unreadable`]) with `zone`, as a revert over it does.
    /// Refuses if the file no longer holds `shown`, the bytes the user was
    /// shown and agreed to replace. The serial is the backup's plus one: the
    /// unreadable file's cannot be known.
    pub async fn replace_unreadable(&self, zone: &Zone, shown: &[u8]) -> Result<(), ProviderError> {
        let _lock = self.lock(&zone.origin).await?;
        let path = self.zone_path(&zone.origin);
        let now = std::fs::read(&path).map_err(|e| ProviderError::io(&path, e))?;
        if now != shown {
            return Err(ProviderError::Conflict {
                zone: zone.origin.to_string(),
                detail: format!("{} was changed by someone else", path.display()),
            });
        }
        let mut zone = zone.clone();
        let serial = soa_serial(&zone);
        advance_soa(&mut zone, serial);
        self.write(&zone).await
    }

    /// Writes the zone file (the caller holds the lock), then runs `reload`.
    /// A zone file that is a symlink is written through: its target is
    /// replaced and the link stays, so a file served from elsewhere (e.g.
    /// `live/example.com.zone -> /var/lib/bind/db.example.com`) stays the
    /// one the server reads.
    async fn write(&self, zone: &Zone) -> Result<(), ProviderError> {
        let path = self.zone_path(&zone.origin);
        let target = atomicfile::final_target(&path).map_err(|e| ProviderError::io(&path, e))?;
        // We hold the lock: a temporary file of this zone is a killed writer's.
        atomicfile::remove_stale_temps(&target).map_err(|e| ProviderError::io(&target, e))?;
        let text = zone::write_zone_file(zone);
        atomicfile::write_through(&target, None, |w| w.write_all(text.as_bytes()))
            .map_err(|e| ProviderError::io(&target, e))?;
        self.run_reload(&zone.origin, &path).await
    }

    /// Runs the `reload` command, if any, with `{zone}` and `{file}` put in
    /// place, so the name server serving the file loads what was written.
    async fn run_reload(&self, zone: &Name, path: &Path) -> Result<(), ProviderError> {
        let Some((program, args)) = self.reload.split_first() else {
            return Ok(());
        };
        let fill = |a: &String| {
            a.replace("{zone}", zone.as_str().trim_end_matches('.'))
                .replace("{file}", &path.display().to_string())
        };
        let args: Vec<String> = args.iter().map(fill).collect();
        // Shown as a shell would need it typed, so the words stay apart.
        let shown = std::iter::once(program)
            .chain(&args)
            .map(|a| {
                let plain = !a.is_empty()
                    && a.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./:{}=@,+%".contains(c));
                if plain {
                    a.clone()
                } else {
                    format!("'{}'", a.replace('\'', r"'\''"))
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let failed = |detail: String| ProviderError::Reload {
            path: path.display().to_string(),
            command: shown.clone(),
            detail,
        };
        let mut child = std::process::Command::new(program)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("cannot start it: {e}")))?;
        // Read stderr as it comes: a command that writes more than a pipe
        // holds would otherwise block until the timeout kills it. The first
        // 4 KiB are kept for the message.
        let said = child.stderr.take().map(|mut err| {
            std::thread::spawn(move || {
                use std::io::Read as _;
                let mut kept = Vec::new();
                let _ = err.by_ref().take(4096).read_to_end(&mut kept);
                let _ = std::io::copy(&mut err, &mut std::io::sink());
                kept
            })
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() < RELOAD_TIMEOUT => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(failed(format!(
                        "killed after {} s",
                        RELOAD_TIMEOUT.as_secs()
                    )));
                }
                Err(e) => return Err(failed(e.to_string())),
            }
        };
        if status.success() {
            return Ok(());
        }
        let said = said
            .and_then(|t| t.join().ok())
            .map(|b| crate::http::clean_text(&String::from_utf8_lossy(&b)))
            .unwrap_or_default();
        Err(failed(format!("{status}: {}", said.trim())))
    }
}

/// `reload: [program, arg, ...]`: a list of strings, the program first.
fn reload_argv(node: &zone::yaml::Node) -> Result<Vec<String>, Diagnostic> {
    let bad = || {
        Diagnostic::new(node.pos, "'reload' must be a list: the program, then its arguments")
            .hint("e.g. reload: [rndc, reload, '{zone}']  ({zone} and {file} are filled in; no shell is used)")
    };
    let zone::yaml::NodeKind::Seq(items) = &node.kind else {
        return Err(bad());
    };
    let argv: Vec<String> = items
        .iter()
        .map(|n| n.as_str().map(str::to_string).ok_or_else(bad))
        .collect::<Result<_, _>>()?;
    if argv.first().is_none_or(String::is_empty) {
        return Err(bad());
    }
    Ok(argv)
}

fn soa_serial(zone: &Zone) -> Option<u32> {
    match zone.get("", RType::Soa)?.values().first()? {
        RData::Soa(soa) => Some(soa.serial),
        _ => None,
    }
}

/// Whether serial `a` is after `b` in RFC 1982 sequence-space arithmetic.
fn serial_after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// Makes the SOA serial come after `before` (the file's serial before this
/// write), adding an SOA if the zone has none, so the file loads in a name
/// server and secondaries transfer the change. A plan that sets the SOA (a
/// revert) keeps its serial only if it is already ahead: restoring an old
/// serial would make secondaries ignore the reverted zone.
fn advance_soa(zone: &mut Zone, before: Option<u32>) {
    let next = |serial: u32| match before {
        Some(b) if !serial_after(serial, b) => b.wrapping_add(1).max(1),
        _ => serial,
    };
    let soa = match zone.get("", RType::Soa).map(|s| s.values()[0].clone()) {
        Some(RData::Soa(mut soa)) => {
            soa.serial = next(soa.serial);
            soa
        }
        _ => {
            let origin = zone.origin.clone();
            let ns = zone
                .get("", RType::Ns)
                .and_then(|s| s.values()[0].target().cloned());
            let host = |label: &str| {
                Name::parse_fqdn(&format!("{label}.{origin}")).unwrap_or_else(|_| origin.clone())
            };
            Soa {
                mname: ns.unwrap_or_else(|| host("ns")),
                rname: host("hostmaster"),
                serial: before.map_or(1, |b| b.wrapping_add(1).max(1)),
                refresh: 7200,
                retry: 3600,
                expire: 1_209_600,
                minimum: 300,
            }
        }
    };
    let ttl = zone.get("", RType::Soa).map_or(3600, |s| s.ttl);
    if let Ok(set) = RecordSet::new("", RType::Soa, ttl, vec![RData::Soa(soa)]) {
        zone.insert(set);
    }
}

impl LocalProvider {
    /// Under the zone's lock: checks that the file still holds what the plan
    /// was made from, applies the plan, moves the SOA serial forward, and
    /// replaces the file atomically.
    async fn apply_whole(&self, plan: &Plan) -> Result<(), ProviderError> {
        let _lock = self.lock(&plan.zone).await?;
        let mut live = self.read(&plan.zone)?;
        for ch in &plan.changes {
            let current = live.get(&ch.set().name, ch.set().rtype);
            let target = match ch {
                Change::Delete(_) => None,
                Change::Create(s) | Change::Update { to: s, .. } => Some(s),
            };
            let expected = match ch {
                Change::Create(_) => None,
                Change::Update { from, .. } => Some(from),
                Change::Delete(s) => Some(s),
            };
            // Already applied (a re-run after a crash) or as planned: fine.
            if current != target && current != expected {
                return Err(ProviderError::Conflict {
                    zone: plan.zone.to_string(),
                    detail: format!(
                        "{} {} is not as planned",
                        ch.set().display_name(),
                        ch.set().rtype
                    ),
                });
            }
        }
        let before = soa_serial(&live);
        plan.apply_to(&mut live);
        advance_soa(&mut live, before);
        self.write(&live).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zone::plan::{plan, PlanOptions};

    fn origin() -> Name {
        Name::parse_fqdn("example.com.").unwrap()
    }

    fn desired(text: &str) -> Zone {
        zone::parse_zone_yaml(text, &origin(), "t").unwrap()
    }

    #[tokio::test]
    async fn push_creates_a_loadable_file_and_converges() {
        let dir = tempfile::tempdir().unwrap();
        let p = LocalProvider::new(dir.path());
        let want =
            desired("'': {type: NS, value: ns1.example.com.}\nns1: {type: A, value: 192.0.2.1}\n");
        let live = p.list(&origin()).await.unwrap();
        assert!(live.is_empty());
        let pl = plan(&want, &live, &PlanOptions::default());
        p.apply(&pl).await.unwrap();
        let text = std::fs::read_to_string(p.zone_path(&origin())).unwrap();
        assert!(text.starts_with("$ORIGIN example.com.\n@\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 1 "), "{text}");
        // Applying the same plan again is a no-op apart from the serial.
        p.apply(&pl).await.unwrap();
        let live = p.list(&origin()).await.unwrap();
        assert!(plan(&want, &live, &PlanOptions::default()).is_empty());
        let RData::Soa(soa) = &live.get("", RType::Soa).unwrap().values()[0] else {
            panic!()
        };
        assert_eq!(soa.serial, 2);
    }

    #[tokio::test]
    async fn refuses_a_plan_made_from_other_state() {
        let dir = tempfile::tempdir().unwrap();
        let p = LocalProvider::new(dir.path());
        let first = desired("a: {type: A, value: 192.0.2.1}\n");
        p.apply(&plan(&first, &Zone::new(origin()), &PlanOptions::default()))
            .await
            .unwrap();
        // A plan computed against an empty zone, while the file now has 'a'.
        let stale = plan(
            &desired("a: {type: A, value: 192.0.2.2}\n"),
            &Zone::new(origin()),
            &PlanOptions::default(),
        );
        let err = p.apply(&stale).await.unwrap_err();
        assert!(matches!(err, ProviderError::Conflict { .. }), "{err}");
    }
}
