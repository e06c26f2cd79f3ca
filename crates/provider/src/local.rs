//! The local provider: each zone's live state is an RFC 1035 zone file
//! `<directory>/<zone>.zone`, which BIND and Knot load unchanged. It needs no
//! account and no network, so a fresh clone can preview and push at once.

use crate::config::Options;
use crate::{Capabilities, Provider, ProviderError};
use std::path::{Path, PathBuf};
use zone::rdata::Soa;
use zone::{Change, Diagnostic, Name, Plan, RData, RType, RecordSet, Zone};

#[derive(Debug, Clone)]
pub struct LocalProvider {
    dir: PathBuf,
}

impl LocalProvider {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LocalProvider { dir: dir.into() }
    }

    pub fn from_options(opts: &Options<'_>, root: &Path) -> Result<Self, Diagnostic> {
        opts.only(&["directory"])?;
        Ok(LocalProvider::new(
            root.join(opts.required_str("directory")?),
        ))
    }

    pub fn zone_path(&self, zone: &Name) -> PathBuf {
        self.dir
            .join(format!("{}.zone", zone.as_str().trim_end_matches('.')))
    }

    fn read(&self, zone: &Name) -> Result<Zone, ProviderError> {
        let path = self.zone_path(zone);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(zone::parse_zone_file(
                &text,
                zone,
                &path.display().to_string(),
            )?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Zone::new(zone.clone())),
            Err(e) => Err(ProviderError::io(&path, e)),
        }
    }
}

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

    /// Checks that the file still holds what the plan was made from, applies
    /// the plan, keeps the SOA serial moving (unless the plan sets the SOA, as a
    /// revert does), and replaces the file atomically.
    async fn apply(&self, plan: &Plan) -> Result<(), ProviderError> {
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
        let sets_soa = plan
            .changes
            .iter()
            .any(|c| c.set().rtype == RType::Soa && c.set().name.is_empty());
        plan.apply_to(&mut live);
        if !sets_soa {
            bump_soa(&mut live);
        }
        let path = self.zone_path(&plan.zone);
        std::fs::create_dir_all(&self.dir).map_err(|e| ProviderError::io(&self.dir, e))?;
        atomicfile::write(&path, zone::write_zone_file(&live).as_bytes())
            .map_err(|e| ProviderError::io(&path, e))
    }
}

/// Increments the SOA serial, or adds an SOA if the zone has none yet, so that
/// the file loads in a name server and secondaries see the change.
fn bump_soa(zone: &mut Zone) {
    let soa = match zone.get("", RType::Soa).map(|s| s.values()[0].clone()) {
        Some(RData::Soa(mut soa)) => {
            soa.serial = soa.serial.wrapping_add(1).max(1);
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
                serial: 1,
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
