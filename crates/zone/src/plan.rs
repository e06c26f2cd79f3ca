//! The plan: what must change to turn the live zone into the desired one.
//! It is plain data: preview prints it, push applies it, tests assert on it.

use crate::error::SafetyError;
use crate::model::{RecordSet, Zone};
use crate::name::Name;
use crate::rdata::RType;
use std::cmp::Ordering;

/// One change of a plan, to one record set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A set the live zone lacks.
    Create(RecordSet),
    /// A set whose TTL, values or provider fields differ.
    Update {
        /// The live set.
        from: RecordSet,
        /// The desired set.
        to: RecordSet,
    },
    /// A live set the desired zone lacks.
    Delete(RecordSet),
}

impl Change {
    /// The record set as it is after the change (before, for a delete).
    pub fn set(&self) -> &RecordSet {
        match self {
            Change::Create(s) | Change::Delete(s) | Change::Update { to: s, .. } => s,
        }
    }

    /// `create`, `update` or `delete`, as previews print it.
    pub fn verb(&self) -> &'static str {
        match self {
            Change::Create(_) => "create",
            Change::Update { .. } => "update",
            Change::Delete(_) => "delete",
        }
    }
}

/// Leave alone live records whose name and type match (globs with `*` and `?`;
/// `@` names the apex). Matching desired records are dropped too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    /// The name glob, relative to the zone.
    pub name: String,
    /// `None` matches every type.
    pub rtype: Option<RType>,
}

impl IgnoreRule {
    /// True when the rule covers `set`.
    pub fn matches(&self, set: &RecordSet) -> bool {
        self.rtype.is_none_or(|t| t == set.rtype)
            && (glob(&self.name, &set.name) || (set.name.is_empty() && self.name == "@"))
    }

    /// The default rules: ACME challenge records are owned by certificate tools,
    /// so a push never undoes an issuance in progress.
    pub fn defaults() -> Vec<IgnoreRule> {
        vec![IgnoreRule {
            name: "_acme-challenge*".into(),
            rtype: Some(RType::Txt),
        }]
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (
        pattern.to_ascii_lowercase().chars().collect(),
        text.chars().collect(),
    );
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// How [`plan`] compares: what to leave alone and what counts as a difference.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Records to leave alone, live and desired.
    pub ignore: Vec<IgnoreRule>,
    /// Never delete live record sets that the desired zone lacks.
    pub no_purge: bool,
    /// The provider whose `octodns.<key>` fields are part of a record's identity
    /// (e.g. `cloudflare` for `proxied`); fields of other providers are ignored.
    pub meta_key: Option<String>,
}

/// octoDNS-style safety thresholds: a plan that updates or deletes more than
/// this share of a zone's existing record sets needs `--force`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Safety {
    /// The largest share of existing sets a plan may update, in percent.
    pub max_update_percent: f64,
    /// The largest share of existing sets a plan may delete, in percent.
    pub max_delete_percent: f64,
    /// Zones with fewer existing record sets than this are not checked.
    pub min_existing: usize,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            max_update_percent: 30.0,
            max_delete_percent: 30.0,
            min_existing: 10,
        }
    }
}

/// What must change in one zone, made by [`plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The zone.
    pub zone: Name,
    /// Deletes first (so a name freed of a CNAME can take other types), then
    /// updates, then creates; each group in name order.
    pub changes: Vec<Change>,
    /// Live record sets that the plan considered (after ignore rules).
    pub existing: usize,
}

/// How many changes of each kind a plan (or several) holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Sets created.
    pub create: usize,
    /// Sets updated.
    pub update: usize,
    /// Sets deleted.
    pub delete: usize,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.create += other.create;
        self.update += other.update;
        self.delete += other.delete;
    }
}

impl Plan {
    /// True when nothing changes.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes, counted by kind.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for ch in &self.changes {
            match ch {
                Change::Create(_) => c.create += 1,
                Change::Update { .. } => c.update += 1,
                Change::Delete(_) => c.delete += 1,
            }
        }
        c
    }

    /// Refuses a plan that crosses a safety threshold, saying which and by how much.
    pub fn check_safety(&self, safety: &Safety) -> Result<(), SafetyError> {
        if self.existing < safety.min_existing {
            return Ok(());
        }
        let c = self.counts();
        let pct = |n: usize| n as f64 * 100.0 / self.existing as f64;
        for (n, max, what) in [
            (c.update, safety.max_update_percent, "update"),
            (c.delete, safety.max_delete_percent, "delete"),
        ] {
            if pct(n) > max {
                return Err(SafetyError::Threshold {
                    zone: self.zone.clone(),
                    verb: what,
                    count: n,
                    existing: self.existing,
                    percent: pct(n),
                    max,
                });
            }
        }
        Ok(())
    }

    /// Applies the plan to `zone` in place. Idempotent: applying it twice is the
    /// same as once.
    pub fn apply_to(&self, zone: &mut Zone) {
        for ch in &self.changes {
            match ch {
                Change::Delete(s) => {
                    zone.remove(&s.name, s.rtype);
                }
                Change::Create(s) | Change::Update { to: s, .. } => {
                    zone.insert(s.clone());
                }
            }
        }
    }
}

/// Computes the plan that turns `live` into `desired`.
///
/// Left alone: records matching an ignore rule or marked `octodns.ignored`; the
/// SOA and the apex NS unless `desired` lists them (providers own those).
pub fn plan(desired: &Zone, live: &Zone, opts: &PlanOptions) -> Plan {
    let manages = |t: RType| desired.get("", t).is_some();
    let skip = |s: &RecordSet| {
        opts.ignore.iter().any(|r| r.matches(s))
            || (s.name.is_empty() && matches!(s.rtype, RType::Soa | RType::Ns) && !manages(s.rtype))
    };
    let ignored_in_desired = |s: &RecordSet| {
        desired
            .get(&s.name, s.rtype)
            .is_some_and(RecordSet::is_ignored)
    };
    let (mut deletes, mut updates, mut creates) = (Vec::new(), Vec::new(), Vec::new());
    let mut existing = 0;
    let mut d = desired
        .iter()
        .filter(|s| !skip(s) && !s.is_ignored())
        .peekable();
    let mut l = live
        .iter()
        .filter(|s| !skip(s) && !ignored_in_desired(s))
        .peekable();
    loop {
        let order = match (d.peek(), l.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => (&a.name, a.rtype).cmp(&(&b.name, b.rtype)),
        };
        match order {
            Ordering::Less => creates.push(Change::Create(d.next().expect("peeked").clone())),
            Ordering::Greater => {
                existing += 1;
                let gone = l.next().expect("peeked");
                if !opts.no_purge {
                    deletes.push(Change::Delete(gone.clone()));
                }
            }
            Ordering::Equal => {
                existing += 1;
                let (want, have) = (d.next().expect("peeked"), l.next().expect("peeked"));
                if !same(want, have, opts.meta_key.as_deref()) {
                    updates.push(Change::Update {
                        from: have.clone(),
                        to: want.clone(),
                    });
                }
            }
        }
    }
    deletes.extend(updates);
    deletes.extend(creates);
    Plan {
        zone: desired.origin.clone(),
        changes: deletes,
        existing,
    }
}

fn same(a: &RecordSet, b: &RecordSet, meta_key: Option<&str>) -> bool {
    a.ttl == b.ttl
        && a.values() == b.values()
        && meta_key.is_none_or(|k| a.provider_meta(k) == b.provider_meta(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone_yaml::parse_zone_yaml;

    fn z(text: &str) -> Zone {
        parse_zone_yaml(text, &Name::parse_fqdn("example.com.").unwrap(), "t").unwrap()
    }

    #[test]
    fn create_update_delete_in_order() {
        let desired = z("a: {type: A, value: 192.0.2.1}\nb: {type: A, value: 192.0.2.3}\n");
        let live = z("b: {type: A, value: 192.0.2.2}\nc: {type: A, value: 192.0.2.4}\n");
        let p = plan(&desired, &live, &PlanOptions::default());
        let verbs: Vec<_> = p
            .changes
            .iter()
            .map(|c| (c.verb(), c.set().name.as_str()))
            .collect();
        assert_eq!(verbs, [("delete", "c"), ("update", "b"), ("create", "a")]);
        assert_eq!(p.existing, 2);
        let mut applied = live.clone();
        p.apply_to(&mut applied);
        assert_eq!(applied, desired);
        assert!(plan(&desired, &applied, &PlanOptions::default()).is_empty());
    }

    #[test]
    fn value_order_and_duplicates_do_not_matter() {
        let a = z("a: {type: A, values: [192.0.2.2, 192.0.2.1]}\n");
        let b = z("a: {type: A, values: [192.0.2.1, 192.0.2.2]}\n");
        assert!(plan(&a, &b, &PlanOptions::default()).is_empty());
    }

    #[test]
    fn ignore_rules_no_purge_and_provider_owned_records() {
        let desired = z("a: {type: A, value: 192.0.2.1}\n");
        let live = z("'': [{type: NS, value: ns1.example.net.}, {type: SOA, value: {mname: ns1.example.net., rname: h.example.com., serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5}}]\n_acme-challenge.www: {type: TXT, value: token}\nold: {type: A, value: 192.0.2.9}\n");
        let opts = PlanOptions {
            ignore: IgnoreRule::defaults(),
            ..Default::default()
        };
        let p = plan(&desired, &live, &opts);
        let verbs: Vec<_> = p
            .changes
            .iter()
            .map(|c| (c.verb(), c.set().name.as_str()))
            .collect();
        assert_eq!(verbs, [("delete", "old"), ("create", "a")]);
        let p = plan(
            &desired,
            &live,
            &PlanOptions {
                no_purge: true,
                ..opts
            },
        );
        assert_eq!(
            p.counts(),
            Counts {
                create: 1,
                update: 0,
                delete: 0
            }
        );
        // Managing the apex NS explicitly makes it part of the plan.
        let with_ns = z("'': {type: NS, value: ns2.example.net.}\n");
        let p = plan(&with_ns, &live, &PlanOptions::default());
        assert!(p
            .changes
            .iter()
            .any(|c| matches!(c, Change::Update { to, .. } if to.rtype == RType::Ns)));
        assert!(!p.changes.iter().any(|c| c.set().rtype == RType::Soa));
    }

    #[test]
    fn provider_meta_counts_only_for_its_provider() {
        let a = z("www: {type: A, value: 192.0.2.1, octodns: {cloudflare: {proxied: true}, other: {x: 1}}}\n");
        let b = z("www: {type: A, value: 192.0.2.1}\n");
        assert!(plan(&a, &b, &PlanOptions::default()).is_empty());
        let opts = PlanOptions {
            meta_key: Some("cloudflare".into()),
            ..Default::default()
        };
        assert_eq!(plan(&a, &b, &opts).counts().update, 1);
    }

    #[test]
    fn safety_thresholds() {
        let live = z(&(0..20)
            .map(|i| format!("h{i}: {{type: A, value: 192.0.2.{i}}}\n"))
            .collect::<String>());
        let desired = z(&(0..12)
            .map(|i| format!("h{i}: {{type: A, value: 192.0.2.{i}}}\n"))
            .collect::<String>());
        let p = plan(&desired, &live, &PlanOptions::default());
        let err = p.check_safety(&Safety::default()).unwrap_err();
        assert!(matches!(
            err,
            SafetyError::Threshold { verb: "delete", count: 8, existing: 20, percent, .. } if percent == 40.0
        ));
        let err = err.to_string();
        assert!(
            err.contains("delete 8 of 20") && err.contains("--force"),
            "{err}"
        );
        let small = plan(
            &z("a: {type: A, value: 192.0.2.1}\n"),
            &z("b: {type: A, value: 192.0.2.1}\n"),
            &PlanOptions::default(),
        );
        assert!(small.check_safety(&Safety::default()).is_ok());
    }

    #[test]
    fn globs() {
        assert!(glob("_acme-challenge*", "_acme-challenge.www"));
        assert!(glob("*.lab", "x.lab"));
        assert!(!glob("*.lab", "lab"));
        assert!(glob("h?", "h1"));
    }
}
