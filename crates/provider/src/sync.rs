//! The sync engine: plans every zone against its live state, refuses before
//! anything is written, backs up before the first write, applies zones
//! concurrently with progress, and reverts as a push of a backup.
//!
//! `dnsctl` only parses arguments, asks and renders; whatever else drives a
//! push (the ACME broker, GitOps plans, views) calls this module rather than
//! repeating it. A push goes through three steps whose types enforce the
//! order: [`ready`] (every plan checked: the provider can store it, and the
//! zone's safety limits hold), [`Ready::back_up`] (every zone's backup on
//! disk), then [`BackedUp::apply`].

use crate::config::{Config, ZoneConfig};
use crate::{backup, check_capabilities, AnyProvider, Provider, ProviderError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use zone::plan::{plan, PlanOptions};
use zone::{Diagnostics, Name, Plan, RData, RType, SafetyError, Zone};

/// Why the engine stopped. Each message is complete in its `Display` (none
/// has a `source()`, as with [`ProviderError`]), and each variant carries
/// what a caller needs to act on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// A zone named on the command line is not in the config.
    #[error("zone '{zone}' is not in dnsctl.yaml (zones there: {})", .known.join(", "))]
    UnknownZone {
        /// The name asked for.
        zone: String,
        /// The zones the config has.
        known: Vec<String>,
    },
    /// A zone names a provider the config does not define.
    #[error("provider '{provider}' is not configured")]
    NoProvider {
        /// The zone.
        zone: String,
        /// The provider it names.
        provider: String,
    },
    /// `zones/<zone>.yaml` cannot be read.
    #[error("cannot read {}: create it, or adopt the live zone with `dnsctl pull {zone}`: {error}", .path.display())]
    ZoneFile {
        /// The zone file.
        path: PathBuf,
        /// The zone, without the final dot.
        zone: String,
        /// Why it could not be read.
        error: std::io::Error,
    },
    /// A zone file or backup does not parse or is not valid; located
    /// problems, shown as they are.
    #[error(transparent)]
    Invalid(Diagnostics),
    /// The provider could not list the live zone.
    #[error("cannot read the live zone {zone} ({target}): {error}")]
    Live {
        /// The zone, without the final dot.
        zone: String,
        /// Where it lives (see [`Provider::describe`]).
        target: String,
        /// What the provider said.
        error: Box<ProviderError>,
    },
    /// The provider refused the plan before any write (a type or TTL it
    /// cannot store), or failed a step of a revert.
    #[error(transparent)]
    Provider(Box<ProviderError>),
    /// The plan exceeds the zone's safety limits (pass `force` to override).
    #[error(transparent)]
    Unsafe(SafetyError),
    /// A backup could not be written; nothing was changed.
    #[error("cannot write the backup of {zone} to {}; nothing was changed: {error}", .dir.display())]
    Backup {
        /// The zone.
        zone: String,
        /// The backups directory.
        dir: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The file given to revert is not named like a backup.
    #[error("{} is not a backup: backups are named <zone>_<timestamp>.yaml (see `dnsctl backups`)", .path.display())]
    NotABackup {
        /// The file.
        path: PathBuf,
    },
    /// The backup is of a zone the config does not have.
    #[error("the backup is of zone '{zone}', which is not in dnsctl.yaml")]
    BackupOfUnknownZone {
        /// The zone its name says.
        zone: String,
    },
    /// A file could not be read (a backup, or the unreadable live zone file
    /// a revert replaces).
    #[error("cannot read {}: {error}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A copy of the unreadable live zone file could not be kept; nothing
    /// was changed.
    #[error("cannot keep a copy of {} in {}; nothing was changed: {error}", .path.display(), .dir.display())]
    KeepUnreadable {
        /// The live zone file.
        path: PathBuf,
        /// The backups directory.
        dir: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// Only the local provider's zone files can be replaced whole.
    #[error("zone {zone} is not on the local provider: only a local zone file can be replaced")]
    NotLocal {
        /// The zone.
        zone: String,
    },
    /// The unreadable live zone file could not be replaced by the backup.
    #[error("cannot replace {}: {error}", .path.display())]
    Replace {
        /// The live zone file.
        path: PathBuf,
        /// What the provider said.
        error: Box<ProviderError>,
    },
    /// Reading a zone file on its thread was interrupted (it panicked or the
    /// runtime shut down).
    #[error("reading the zone file failed: {detail}")]
    Interrupted {
        /// What the runtime said.
        detail: String,
    },
}

/// A zone's plan together with what is needed to show and apply it.
#[derive(Debug)]
pub struct ZonePlan<'a> {
    /// The zone's entry in the config.
    pub zone: &'a ZoneConfig,
    /// The provider that holds it.
    pub provider: &'a AnyProvider,
    /// Where it lives, for messages (see [`Provider::describe`]).
    pub target: String,
    /// The live zone the plan was made from (what a backup saves).
    pub live: Zone,
    /// The changes.
    pub plan: Plan,
    /// What is valid in the desired zone but probably not meant.
    pub warnings: Diagnostics,
}

/// Where the desired state of a zone comes from.
#[derive(Debug)]
pub enum Desired {
    /// `zones/<zone>.yaml`, read while the live zone is fetched.
    ZoneFile,
    /// This zone, whole: whatever else is live is deleted (a revert).
    Exactly(Zone),
}

/// The zones named, in that order, or all of them when none is.
pub fn select<'a>(cfg: &'a Config, names: &[String]) -> Result<Vec<&'a ZoneConfig>, SyncError> {
    if names.is_empty() {
        return Ok(cfg.zones.values().collect());
    }
    names
        .iter()
        .map(|n| {
            cfg.zone(n).ok_or_else(|| SyncError::UnknownZone {
                zone: n.clone(),
                known: cfg.zones.keys().cloned().collect(),
            })
        })
        .collect()
}

/// The provider a zone names.
pub fn provider_of<'a>(cfg: &'a Config, zc: &ZoneConfig) -> Result<&'a AnyProvider, SyncError> {
    cfg.providers
        .get(&zc.provider)
        .ok_or_else(|| SyncError::NoProvider {
            zone: short(&zc.name).to_string(),
            provider: zc.provider.clone(),
        })
}

/// Reads and validates `zones/<zone>.yaml`; returns its warnings (what is
/// valid but probably not meant) for the caller to show.
pub fn read_desired(cfg: &Config, zc: &ZoneConfig) -> Result<(Zone, Diagnostics), SyncError> {
    read_zone_file(&cfg.zone_file(zc.name.as_str()), &zc.name)
}

fn read_zone_file(path: &Path, name: &Name) -> Result<(Zone, Diagnostics), SyncError> {
    let text = std::fs::read_to_string(path).map_err(|error| SyncError::ZoneFile {
        zone: short(name).to_string(),
        path: path.to_path_buf(),
        error,
    })?;
    zone::parse_zone_yaml_with_warnings(&text, name, &path.display().to_string())
        .map_err(SyncError::Invalid)
}

/// Checks `zones/<zone>.yaml` without the live zone: valid, and every record
/// set one the provider can store. Returns the number of record sets and the
/// warnings.
pub fn check_desired(cfg: &Config, zc: &ZoneConfig) -> Result<(usize, Diagnostics), SyncError> {
    let (mut desired, warnings) = read_desired(cfg, zc)?;
    let provider = provider_of(cfg, zc)?;
    provider.normalize(&mut desired);
    // Everything as a create: checks every record set against the provider.
    let all = plan(
        &desired,
        &Zone::new(zc.name.clone()),
        &PlanOptions::default(),
    );
    check_capabilities(&all, &provider.capabilities(), &zc.provider)
        .map_err(|e| SyncError::Provider(Box::new(e)))?;
    Ok((desired.len(), warnings))
}

/// Plans every zone concurrently (providers share their rate budgets), in
/// the order given.
pub async fn plan_all<'a>(
    cfg: &'a Config,
    zones: Vec<&'a ZoneConfig>,
) -> Result<Vec<ZonePlan<'a>>, SyncError> {
    futures_util::future::try_join_all(
        zones
            .into_iter()
            .map(|zc| plan_zone(cfg, zc, Desired::ZoneFile)),
    )
    .await
}

/// Reads the live zone and plans the change to the desired zone, in the
/// form the provider stores (see [`Provider::normalize`]).
///
/// The zone file is read on a thread of its own while the live zone is
/// fetched: parsing a 10,000-record file takes about as long as the server
/// takes to answer. A bad file is reported as soon as it is read, and before
/// any error of the server.
pub async fn plan_zone<'a>(
    cfg: &'a Config,
    zc: &'a ZoneConfig,
    desired: Desired,
) -> Result<ZonePlan<'a>, SyncError> {
    use futures_util::future::{select, Either};
    let provider = provider_of(cfg, zc)?;
    let target = provider.describe(&zc.name);
    let (no_purge, desired) = match desired {
        Desired::ZoneFile => (zc.no_purge, None),
        Desired::Exactly(zone) => (false, Some(zone)),
    };
    let restoring = desired.is_some();
    let (path, name) = (cfg.zone_file(zc.name.as_str()), zc.name.clone());
    let reading = tokio::task::spawn_blocking(move || match desired {
        Some(zone) => Ok((
            zone,
            Diagnostics::new(path.display().to_string(), Vec::new()),
        )),
        None => read_zone_file(&path, &name),
    });
    let listing = std::pin::pin!(provider.list(&zc.name));
    let read = |r: Result<Result<(Zone, Diagnostics), SyncError>, tokio::task::JoinError>| {
        r.map_err(|e| SyncError::Interrupted {
            detail: e.to_string(),
        })?
    };
    let ((mut desired, warnings), live) = match select(reading, listing).await {
        Either::Left((desired, listing)) => (read(desired)?, listing.await),
        Either::Right((live, reading)) => (read(reading.await)?, live),
    };
    let live = live.map_err(|error| SyncError::Live {
        zone: short(&zc.name).to_string(),
        target: target.clone(),
        error: Box::new(error),
    })?;
    if restoring {
        keep_live_serial(&mut desired, &live);
    }
    provider.normalize(&mut desired);
    let options = PlanOptions {
        ignore: zc.ignore.clone(),
        no_purge,
        meta_key: provider.capabilities().meta_key.map(str::to_string),
    };
    let plan = plan(&desired, &live, &options);
    Ok(ZonePlan {
        zone: zc,
        provider,
        target,
        live,
        plan,
        warnings,
    })
}

/// A restored zone keeps the live SOA serial: serials only move forward
/// (secondaries ignore a lower one, and every provider advances it on
/// write), so a backup's older serial is not a change to show or make.
fn keep_live_serial(desired: &mut Zone, live: &Zone) {
    let Some(RData::Soa(live_soa)) = live.get("", RType::Soa).map(|s| &s.values()[0]) else {
        return;
    };
    let Some(set) = desired.get("", RType::Soa) else {
        return;
    };
    let Some(RData::Soa(mut soa)) = set.values().first().cloned() else {
        return;
    };
    soa.serial = live_soa.serial;
    if let Ok(mut kept) = zone::RecordSet::new("", RType::Soa, set.ttl, vec![RData::Soa(soa)]) {
        kept.octodns = set.octodns.clone();
        desired.insert(kept);
    }
}

/// A zone's name as users write it: without the final dot.
fn short(name: &Name) -> &str {
    name.as_str().trim_end_matches('.')
}

/// Plans checked and ready to apply: the ones that change something, each
/// one the provider can store and (unless forced) within its zone's safety
/// limits. Nothing has been written yet: a caller asks for confirmation now.
#[derive(Debug)]
pub struct Ready<'a> {
    plans: Vec<ZonePlan<'a>>,
}

/// Drops the plans that change nothing and checks the others; refuses the
/// whole push if any one zone could not be applied, so that nothing is
/// written unless every zone can be. `force` skips the safety limits.
pub fn ready(plans: Vec<ZonePlan<'_>>, force: bool) -> Result<Ready<'_>, SyncError> {
    let plans: Vec<ZonePlan<'_>> = plans.into_iter().filter(|p| !p.plan.is_empty()).collect();
    for p in &plans {
        check_capabilities(&p.plan, &p.provider.capabilities(), &p.zone.provider)
            .map_err(|e| SyncError::Provider(Box::new(e)))?;
        if !force {
            p.plan
                .check_safety(&p.zone.safety)
                .map_err(SyncError::Unsafe)?;
        }
    }
    Ok(Ready { plans })
}

impl<'a> Ready<'a> {
    /// The plans that will be applied, in order.
    pub fn plans(&self) -> &[ZonePlan<'a>] {
        &self.plans
    }

    /// Whether there is nothing to apply (the live zones match).
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// Writes a backup of every zone's live state into `dir`, all of them
    /// before any zone is changed.
    pub fn back_up(self, dir: &Path) -> Result<BackedUp<'a>, SyncError> {
        let mut backups = Vec::with_capacity(self.plans.len());
        for p in &self.plans {
            let path =
                backup::write(dir, &p.live, &p.target).map_err(|error| SyncError::Backup {
                    zone: p.zone.name.to_string(),
                    dir: dir.to_path_buf(),
                    error,
                })?;
            backups.push(path);
        }
        Ok(BackedUp {
            plans: self.plans,
            backups,
        })
    }
}

/// Plans whose zones are all backed up: the only state they can be applied from.
#[derive(Debug)]
pub struct BackedUp<'a> {
    plans: Vec<ZonePlan<'a>>,
    backups: Vec<PathBuf>,
}

/// How one zone's apply went.
#[derive(Debug)]
pub struct Applied<'r, 'a> {
    /// The zone's plan.
    pub plan: &'r ZonePlan<'a>,
    /// The backup of the zone taken before it was changed.
    pub backup: &'r Path,
    /// How long the apply took, or why it failed (part of the plan may be
    /// applied: a push again converges, a revert of `backup` undoes it).
    pub result: Result<Duration, ProviderError>,
}

impl<'a> BackedUp<'a> {
    /// The plans about to be applied, in order.
    pub fn plans(&self) -> &[ZonePlan<'a>] {
        &self.plans
    }

    /// The backups written, one per plan, in order.
    pub fn backups(&self) -> &[PathBuf] {
        &self.backups
    }

    /// Applies every zone concurrently. `progress(zone, done, total)` is
    /// told how far each zone's apply has got, in its provider's steps (see
    /// [`crate::Progress`]), and is called with `done == total` when a zone
    /// has been applied. One zone failing does not stop the others.
    pub async fn apply(
        &self,
        progress: &(dyn Fn(&Name, usize, usize) + Sync),
    ) -> Vec<Applied<'_, 'a>> {
        let results = futures_util::future::join_all(self.plans.iter().map(|p| async move {
            let name = &p.zone.name;
            let last_total = AtomicUsize::new(p.plan.changes.len());
            let report = |done: usize, total: usize| {
                last_total.store(total, Ordering::Relaxed);
                progress(name, done, total);
            };
            let started = Instant::now();
            let applied = p.provider.apply_reporting(&p.plan, &report).await;
            if applied.is_ok() {
                let total = last_total.load(Ordering::Relaxed);
                progress(name, total, total);
            }
            applied.map(|()| started.elapsed())
        }))
        .await;
        self.plans
            .iter()
            .zip(&self.backups)
            .zip(results)
            .map(|((plan, backup), result)| Applied {
                plan,
                backup,
                result,
            })
            .collect()
    }
}

/// What a revert will do.
#[derive(Debug)]
pub enum Revert<'a> {
    /// A push of the backup's zone, deleting whatever was added since.
    Push(ZonePlan<'a>),
    /// The live zone file of a local zone does not parse (edited by hand,
    /// say): the backup replaces it whole (see [`replace_unreadable`]).
    OverUnreadable {
        /// The zone's entry in the config.
        zone: &'a ZoneConfig,
        /// The zone the backup holds.
        restored: Zone,
        /// The live zone file.
        path: PathBuf,
        /// Why it cannot be read.
        why: Diagnostics,
    },
}

/// Reads a backup (named `<zone>_<timestamp>.yaml`) and plans putting its
/// zone back exactly as it was.
pub async fn plan_revert<'a>(cfg: &'a Config, file: &Path) -> Result<Revert<'a>, SyncError> {
    let (zone_name, _) = backup::parse_name(file).ok_or_else(|| SyncError::NotABackup {
        path: file.to_path_buf(),
    })?;
    let zc = cfg
        .zone(&zone_name)
        .ok_or(SyncError::BackupOfUnknownZone { zone: zone_name })?;
    let text = std::fs::read_to_string(file).map_err(|error| SyncError::Read {
        path: file.to_path_buf(),
        error,
    })?;
    let restored = zone::parse_zone_yaml(&text, &zc.name, &file.display().to_string())
        .map_err(SyncError::Invalid)?;
    match plan_zone(cfg, zc, Desired::Exactly(restored.clone())).await {
        Ok(planned) => Ok(Revert::Push(planned)),
        Err(SyncError::Live {
            zone,
            target,
            error,
        }) => match *error {
            ProviderError::Unreadable {
                path, diagnostics, ..
            } => Ok(Revert::OverUnreadable {
                zone: zc,
                restored,
                path: PathBuf::from(path),
                why: diagnostics,
            }),
            error => Err(SyncError::Live {
                zone,
                target,
                error: Box::new(error),
            }),
        },
        Err(e) => Err(e),
    }
}

/// Replaces a local zone's unreadable live file with `restored`, after
/// keeping the file's bytes (`raw`, as read and shown to the user) beside
/// the backups. Returns where the copy was kept.
pub async fn replace_unreadable(
    cfg: &Config,
    zc: &ZoneConfig,
    restored: &Zone,
    path: &Path,
    raw: &[u8],
) -> Result<PathBuf, SyncError> {
    let AnyProvider::Local(local) = provider_of(cfg, zc)? else {
        return Err(SyncError::NotLocal {
            zone: short(&zc.name).to_string(),
        });
    };
    let kept =
        backup::keep_unreadable(&cfg.backups_dir, &restored.file_stem(), raw).map_err(|error| {
            SyncError::KeepUnreadable {
                path: path.to_path_buf(),
                dir: cfg.backups_dir.clone(),
                error,
            }
        })?;
    local
        .replace_unreadable(restored, raw)
        .await
        .map_err(|error| SyncError::Replace {
            path: path.to_path_buf(),
            error: Box::new(error),
        })?;
    Ok(kept)
}

/// The live zone as `provider` holds it, as `zones/<zone>.yaml` should:
/// without the SOA and the records the zone's ignore rules match.
pub async fn adopt(zc: &ZoneConfig, provider: &AnyProvider) -> Result<Zone, SyncError> {
    let live = provider
        .list(&zc.name)
        .await
        .map_err(|error| SyncError::Live {
            zone: short(&zc.name).to_string(),
            target: provider.describe(&zc.name),
            error: Box::new(error),
        })?;
    let mut adopted = Zone::new(zc.name.clone());
    for set in live
        .iter()
        .filter(|s| s.rtype != RType::Soa && !zc.ignore.iter().any(|r| r.matches(s)))
    {
        adopted.insert(set.clone());
    }
    Ok(adopted)
}
