//! Publishing and removing challenge values through the provider that
//! `dnsctl.yaml` assigns to the zone (found by longest suffix), adding to the
//! TXT record set and removing only the value cleaned up, and following a
//! CNAME at `_acme-challenge` into another configured zone.

use crate::AcmeError;
use provider::config::{Config, ZoneConfig};
use provider::{AnyProvider, Provider};
use zone::{Change, Name, Plan, RData, RType, RecordSet, Zone};

/// TTL of a new challenge record set (clamped to what the provider accepts).
pub const CHALLENGE_TTL: u32 = 60;
/// CNAME hops followed from the asked name.
const MAX_CNAME_HOPS: usize = 8;
/// Write rounds: a concurrent writer to the same set can refuse our plan
/// (it changed the set since we read it) or undo our change; each round
/// reads the set again.
const WRITE_ROUNDS: usize = 8;

/// Where a challenge name lives.
pub struct Location<'a> {
    /// The name the client asked for.
    pub asked: Name,
    /// The name the value is published at, after CNAMEs.
    pub fqdn: Name,
    /// The CNAME chain followed, from `asked` (empty when there is none).
    pub via: Vec<Name>,
    /// The configured zone that holds `fqdn`.
    pub zone: &'a ZoneConfig,
    /// That zone's provider.
    pub provider: &'a AnyProvider,
    /// `fqdn` relative to the zone.
    pub rel: String,
    /// The live zone as listed while locating.
    pub live: Zone,
}

impl Location<'_> {
    /// The TXT values now at the name (per the provider).
    pub fn values(&self) -> Vec<String> {
        txt_values(self.live.get(&self.rel, RType::Txt))
    }

    /// The provider and zone, for messages.
    pub fn describe(&self) -> String {
        self.provider.describe(&self.zone.name)
    }
}

fn txt_values(set: Option<&RecordSet>) -> Vec<String> {
    set.map(|s| {
        s.values()
            .iter()
            .filter_map(|v| match v {
                RData::Txt(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The configured zone that holds `name`: the longest matching suffix.
pub fn zone_for<'a>(cfg: &'a Config, name: &Name) -> Option<&'a ZoneConfig> {
    cfg.zones
        .values()
        .filter(|z| name.is_within(&z.name))
        .max_by_key(|z| z.name.as_str().len())
}

/// The error for a name no configured zone holds (reached through `via`).
pub(crate) fn no_zone(cfg: &Config, name: &Name, via: &[Name]) -> AcmeError {
    AcmeError::NoZone {
        name: name.to_string(),
        via: via.last().map(Name::to_string),
        zones: cfg.zones.keys().cloned().collect(),
    }
}

/// The error for a zone whose provider the config does not define.
pub(crate) fn no_provider(zc: &ZoneConfig) -> AcmeError {
    AcmeError::NoProvider {
        zone: zc.name.to_string(),
        provider: zc.provider.clone(),
    }
}

/// Finds the zone and provider for `asked`, following CNAMEs that the
/// configured zones hold.
pub async fn locate<'a>(cfg: &'a Config, asked: &Name) -> Result<Location<'a>, AcmeError> {
    let mut fqdn = asked.clone();
    let mut via = Vec::new();
    loop {
        let zc = zone_for(cfg, &fqdn).ok_or_else(|| no_zone(cfg, &fqdn, &via))?;
        let provider = cfg
            .providers
            .get(&zc.provider)
            .ok_or_else(|| no_provider(zc))?;
        let live = provider
            .list(&zc.name)
            .await
            .map_err(|e| AcmeError::Provider {
                target: provider.describe(&zc.name),
                error: e,
            })?;
        let rel = fqdn.relative_to(&zc.name).unwrap_or_default();
        let cname = live
            .get(&rel, RType::Cname)
            .and_then(|s| match s.values().first() {
                Some(RData::Cname(t)) => Some(t.clone()),
                _ => None,
            });
        match cname {
            Some(target) => {
                via.push(fqdn.clone());
                if via.len() > MAX_CNAME_HOPS || via.contains(&target) {
                    return Err(AcmeError::CnameLoop(
                        via.iter()
                            .map(Name::to_string)
                            .collect::<Vec<_>>()
                            .join(" -> ")
                            + &format!(" -> {target}"),
                    ));
                }
                fqdn = target;
            }
            None => {
                return Ok(Location {
                    asked: asked.clone(),
                    fqdn,
                    via,
                    zone: zc,
                    provider,
                    rel,
                    live,
                })
            }
        }
    }
}

/// What a present or cleanup did at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The value was added (present) or removed (cleanup).
    Changed,
    /// The value was already there (present) or already gone (cleanup).
    Unchanged,
}

fn plan_for(loc: &Location<'_>, change: Change) -> Plan {
    Plan {
        zone: loc.zone.name.clone(),
        changes: vec![change],
        existing: loc.live.len(),
    }
}

fn change_adding(loc: &Location<'_>, value: &str) -> Result<Option<Change>, AcmeError> {
    let current = loc.live.get(&loc.rel, RType::Txt);
    if txt_values(current).iter().any(|v| v == value) {
        return Ok(None);
    }
    let bad = |error| AcmeError::RecordSet {
        name: loc.fqdn.to_string(),
        error,
    };
    Ok(Some(match current {
        Some(set) => {
            let mut values = set.values().to_vec();
            values.push(RData::Txt(value.to_string()));
            let mut to = RecordSet::new(&loc.rel, RType::Txt, set.ttl, values).map_err(bad)?;
            to.octodns = set.octodns.clone();
            Change::Update {
                from: set.clone(),
                to,
            }
        }
        None => {
            let caps = loc.provider.capabilities();
            let ttl = CHALLENGE_TTL.clamp(*caps.ttl.start(), *caps.ttl.end());
            Change::Create(
                RecordSet::new(
                    &loc.rel,
                    RType::Txt,
                    ttl,
                    vec![RData::Txt(value.to_string())],
                )
                .map_err(bad)?,
            )
        }
    }))
}

fn change_removing(loc: &Location<'_>, value: Option<&str>) -> Result<Option<Change>, AcmeError> {
    let Some(set) = loc.live.get(&loc.rel, RType::Txt) else {
        return Ok(None);
    };
    let keep: Vec<RData> = set
        .values()
        .iter()
        .filter(|v| value.is_some_and(|value| !matches!(v, RData::Txt(t) if t == value)))
        .cloned()
        .collect();
    if keep.len() == set.values().len() {
        return Ok(None);
    }
    if keep.is_empty() {
        return Ok(Some(Change::Delete(set.clone())));
    }
    let mut to = RecordSet::new(&loc.rel, RType::Txt, set.ttl, keep).map_err(|error| {
        AcmeError::RecordSet {
            name: loc.fqdn.to_string(),
            error,
        }
    })?;
    to.octodns = set.octodns.clone();
    Ok(Some(Change::Update {
        from: set.clone(),
        to,
    }))
}

async fn converge<'a>(
    cfg: &'a Config,
    asked: &Name,
    mut loc: Location<'a>,
    make: impl Fn(&Location<'_>) -> Result<Option<Change>, AcmeError>,
) -> Result<(Location<'a>, Outcome), AcmeError> {
    let mut outcome = Outcome::Unchanged;
    for _ in 0..WRITE_ROUNDS {
        let Some(change) = make(&loc)? else {
            return Ok((loc, outcome));
        };
        let plan = plan_for(&loc, change);
        provider::check_capabilities(&plan, &loc.provider.capabilities(), &loc.zone.provider)
            .map_err(|e| AcmeError::Provider {
                target: loc.describe(),
                error: e,
            })?;
        match loc.provider.apply(&plan).await {
            Ok(()) => outcome = Outcome::Changed,
            // Another writer (the other half of an apex + wildcard pair, say)
            // changed the set since we read it: read again and redo.
            Err(provider::ProviderError::Conflict { .. }) => {}
            Err(e) => {
                return Err(AcmeError::Provider {
                    target: loc.describe(),
                    error: e,
                })
            }
        }
        // Read back: another writer may have replaced the set meanwhile.
        loc = locate(cfg, asked).await?;
    }
    match make(&loc)? {
        None => Ok((loc, outcome)),
        Some(_) => Err(AcmeError::KeptChanging {
            name: loc.fqdn.to_string(),
            rounds: WRITE_ROUNDS,
        }),
    }
}

/// Adds `value` to the TXT set at `asked` (or at its CNAME target), keeping
/// every other value.
pub async fn present<'a>(
    cfg: &'a Config,
    asked: &Name,
    value: &str,
) -> Result<(Location<'a>, Outcome), AcmeError> {
    let loc = locate(cfg, asked).await?;
    converge(cfg, asked, loc, |l| change_adding(l, value)).await
}

/// Removes `value` from the TXT set at `asked` (or at its CNAME target),
/// keeping every other value; the set goes when its last value does.
pub async fn cleanup<'a>(
    cfg: &'a Config,
    asked: &Name,
    value: &str,
) -> Result<(Location<'a>, Outcome), AcmeError> {
    let loc = locate(cfg, asked).await?;
    converge(cfg, asked, loc, |l| change_removing(l, Some(value))).await
}

/// Removes every value at `asked` (stale challenges left by failed runs).
pub async fn clear<'a>(
    cfg: &'a Config,
    asked: &Name,
) -> Result<(Location<'a>, Outcome), AcmeError> {
    let loc = locate(cfg, asked).await?;
    converge(cfg, asked, loc, |l| change_removing(l, None)).await
}
