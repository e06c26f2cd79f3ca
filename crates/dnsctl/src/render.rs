//! How plans look: a human view with a value-level diff, and JSON for machines.

use serde_json::{json, Value};
use similar::{ChangeTag, TextDiff};
use std::fmt::Write as _;
use zone::plan::Counts;
use zone::{Change, Plan, RecordSet};

/// ANSI styling, on only for a terminal without `NO_COLOR`.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub(crate) fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    pub(crate) fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    pub(crate) fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    pub(crate) fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
}

/// Appends `text` and a newline to `out`, in the ANSI color `code` when
/// styling is on.
fn painted_line(out: &mut String, style: Style, code: &str, text: std::fmt::Arguments<'_>) {
    if style.color {
        let _ = write!(out, "\x1b[{code}m{text}\x1b[0m");
    } else {
        let _ = out.write_fmt(text);
    }
    out.push('\n');
}

/// The lines that describe a record set's state, compared line by line in updates.
fn state_lines(set: &RecordSet, meta_key: Option<&str>) -> Vec<String> {
    let mut lines = vec![format!("ttl {}", set.ttl)];
    lines.extend(set.values().iter().map(ToString::to_string));
    if let Some(meta) = meta_key.and_then(|k| set.provider_meta(k).map(|m| (k, m))) {
        for (k, v) in meta.1 {
            lines.push(format!("{}.{k}: {v}", meta.0));
        }
    }
    lines
}

pub(crate) fn counts_line(c: Counts) -> String {
    let n = c.create + c.update + c.delete;
    format!(
        "{n} change{}: {} create, {} update, {} delete",
        if n == 1 { "" } else { "s" },
        c.create,
        c.update,
        c.delete
    )
}

/// The plan of one zone for people.
pub(crate) fn human(plan: &Plan, target: &str, meta_key: Option<&str>, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({target})",
        style.bold(plan.zone.as_str().trim_end_matches('.'))
    );
    if plan.is_empty() {
        let _ = writeln!(out, "  no changes");
        return out;
    }
    let width = plan
        .changes
        .iter()
        .map(|c| c.set().display_name().len())
        .max()
        .unwrap_or(1)
        .min(40);
    for ch in &plan.changes {
        let s = ch.set();
        let (name, rtype) = (s.display_name(), s.rtype.as_str());
        match ch {
            Change::Create(set) | Change::Delete(set) => {
                // Written straight into `out`: a 10,000-record first push
                // prints 10,000 of these lines before anything is sent.
                let (mark, color) = if matches!(ch, Change::Create(_)) {
                    ("+", "32")
                } else {
                    ("-", "31")
                };
                for (i, v) in set.values().iter().enumerate() {
                    if i == 0 {
                        let ttl = set.ttl;
                        painted_line(
                            &mut out,
                            style,
                            color,
                            format_args!("  {mark} {name:<width$}  {rtype:<5}  {ttl:<6} {v}"),
                        );
                    } else {
                        painted_line(
                            &mut out,
                            style,
                            color,
                            format_args!("    {:width$}         {:<6} {v}", "", ""),
                        );
                    }
                }
                if let Some((key, meta)) =
                    meta_key.and_then(|k| set.provider_meta(k).map(|m| (k, m)))
                {
                    let shown = zone::Meta::Map(meta.clone());
                    painted_line(
                        &mut out,
                        style,
                        color,
                        format_args!("    {:width$}         {:<6} {key}: {shown}", "", ""),
                    );
                }
            }
            Change::Update { from, to } => {
                let head = format!("  ~ {name:<width$}  {rtype:<5}");
                let _ = writeln!(out, "{}", style.yellow(head.trim_end()));
                let (old, new) = (
                    state_lines(from, meta_key).join("\n") + "\n",
                    state_lines(to, meta_key).join("\n") + "\n",
                );
                for d in TextDiff::from_lines(&old, &new).iter_all_changes() {
                    let line = d.value().trim_end_matches('\n');
                    let _ = match d.tag() {
                        ChangeTag::Delete => {
                            writeln!(out, "{}", style.red(&format!("      - {line}")))
                        }
                        ChangeTag::Insert => {
                            writeln!(out, "{}", style.green(&format!("      + {line}")))
                        }
                        ChangeTag::Equal => writeln!(out, "        {line}"),
                    };
                }
            }
        }
    }
    let _ = writeln!(out, "  {}", counts_line(plan.counts()));
    out
}

fn set_json(set: &RecordSet) -> Value {
    json!({
        "ttl": set.ttl,
        "values": set.values().iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

fn counts_json(c: Counts) -> Value {
    json!({"create": c.create, "update": c.update, "delete": c.delete})
}

/// The plan of one zone for machines. Values are in zone-file presentation form.
pub(crate) fn json(plan: &Plan, target: &str) -> Value {
    let changes: Vec<Value> = plan
        .changes
        .iter()
        .map(|ch| {
            let s = ch.set();
            let mut v = json!({"action": ch.verb(), "name": s.name, "type": s.rtype.as_str()});
            match ch {
                Change::Create(set) => v["to"] = set_json(set),
                Change::Delete(set) => v["from"] = set_json(set),
                Change::Update { from, to } => {
                    v["from"] = set_json(from);
                    v["to"] = set_json(to);
                }
            }
            v
        })
        .collect();
    json!({
        "zone": plan.zone.as_str().trim_end_matches('.'),
        "target": target,
        "changes": changes,
        "summary": counts_json(plan.counts()),
    })
}

pub(crate) fn total_json(zones: Vec<Value>, total: Counts) -> Value {
    json!({"version": crate::JSON_VERSION, "zones": zones, "summary": counts_json(total)})
}
