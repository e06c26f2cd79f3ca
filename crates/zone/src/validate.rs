//! Zone-level rules that single values cannot check on their own.

use crate::diag::{Diagnostic, Pos};
use crate::model::Zone;
use crate::rdata::RType;
use crate::zone_yaml::Spans;

/// Checks a whole zone: CNAME exclusivity, SRV owner names, SOA placement.
/// `spans` locates each record set for the diagnostics.
pub fn zone_rules(zone: &Zone, spans: &Spans) -> Vec<Diagnostic> {
    let at = |name: &str, t: RType| {
        spans
            .sets
            .get(&(name.to_string(), t))
            .copied()
            .unwrap_or(Pos::new(1, 1))
    };
    let mut out = Vec::new();
    for set in zone.iter() {
        // Located and named only when a rule fails: this runs on every set.
        let pos = || at(&set.name, set.rtype);
        let shown = || set.display_name();
        match set.rtype {
            RType::Cname if set.name.is_empty() => out.push(
                Diagnostic::new(
                    pos(),
                    "CNAME at the zone apex is not allowed (RFC 1034: the apex holds SOA and NS)",
                )
                .hint("use A/AAAA records, or your provider's ALIAS/flattening feature"),
            ),
            RType::Srv if !is_service_name(&set.name) => out.push(
                Diagnostic::new(
                    pos(),
                    format!(
                        "SRV record name '{}' is not of the form _service._proto",
                        shown()
                    ),
                )
                .hint("e.g. '_sip._tcp' or '_imaps._tcp.mail' (RFC 2782)"),
            ),
            RType::Soa if !set.name.is_empty() => {
                out.push(Diagnostic::new(
                    pos(),
                    format!(
                        "SOA record at '{}': a zone's SOA belongs at the apex ('')",
                        shown()
                    ),
                ));
            }
            _ => {}
        }
    }
    // Sets are sorted by name, so the types at one name are adjacent.
    let sets: Vec<_> = zone.iter().collect();
    for group in sets.chunk_by(|a, b| a.name == b.name) {
        let Some(cname) = group.iter().find(|s| s.rtype == RType::Cname) else {
            continue;
        };
        if group.len() > 1 && !cname.name.is_empty() {
            let others: Vec<&str> = group
                .iter()
                .filter(|o| o.rtype != RType::Cname)
                .map(|o| o.rtype.as_str())
                .collect();
            out.push(
                Diagnostic::new(at(&cname.name, RType::Cname), format!("'{}' has a CNAME beside other records ({})", cname.display_name(), others.join(", ")))
                    .hint("a name with a CNAME can hold nothing else: remove the CNAME or the other records"),
            );
        }
    }
    out
}

fn is_service_name(name: &str) -> bool {
    let mut labels = name.split('.');
    matches!((labels.next(), labels.next()), (Some(s), Some(p)) if s.len() > 1 && s.starts_with('_') && p.len() > 1 && p.starts_with('_'))
}
