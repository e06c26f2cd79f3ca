//! Zone-level rules that single values cannot check on their own.

use crate::diag::{Diagnostic, Pos};
use crate::model::{RecordSet, Zone};
use crate::name::{owner_fqdn, Name};
use crate::rdata::RType;
use crate::zone_yaml::Spans;

/// Checks a whole zone: CNAME exclusivity, SRV owner names, SOA placement,
/// no NS at a wildcard, and the wire limits.
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
            RType::Ns if set.name == "*" || set.name.starts_with("*.") => out.push(
                Diagnostic::new(
                    pos(),
                    format!("NS record at wildcard '{}': a delegation cannot be a wildcard (RFC 4592 section 4.2)", shown()),
                )
                .hint("delegate each name on its own"),
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
        out.extend(wire_limits(set, &zone.origin, pos));
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

/// The largest RDATA (RFC 1035: RDLENGTH is 16 bits).
pub const MAX_RDATA: usize = 65_535;
/// The largest DNS message, over TCP (RFC 1035 section 4.2.2).
pub const MAX_MESSAGE: usize = 65_535;

/// What no server can load or send: a value larger than RDATA holds, or a
/// record set that does not fit one DNS message.
fn wire_limits(set: &RecordSet, origin: &Name, pos: impl Fn() -> Pos) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut total = 0;
    for v in set.values() {
        let len = v.wire_len();
        if len > MAX_RDATA {
            out.push(
                Diagnostic::new(
                    pos(),
                    format!(
                        "a {} value of '{}' is {len} octets on the wire, more than a record holds ({MAX_RDATA})",
                        set.rtype,
                        set.display_name()
                    ),
                )
                .hint("shorten it, or split it into several records"),
            );
        }
        // Each answer: a compressed owner (2), type, class, TTL, length (10).
        total += 12 + len;
    }
    // The header (12) and the question: the owner, type and class.
    let owner = owner_fqdn(&set.name, origin).len() + 1;
    total += 12 + owner + 4;
    if out.is_empty() && total > MAX_MESSAGE {
        out.push(
            Diagnostic::new(
                pos(),
                format!(
                    "the {} record set of '{}' is {total} octets in a DNS response, more than one message holds ({MAX_MESSAGE})",
                    set.rtype,
                    set.display_name()
                ),
            )
            .hint("remove values, or spread them over several names"),
        );
    }
    out
}
