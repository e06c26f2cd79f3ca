//! RFC 1035 master (zone) files: read and write. The files written here load in
//! BIND (`named-checkzone`) and Knot unchanged.

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::error::NameError;
use crate::model::{RecordSet, Zone, DEFAULT_TTL};
use crate::name::Name;
use crate::rdata::{parse_ttl, quote, RData, RType};
use crate::validate;
use crate::zone_yaml::Spans;
use std::collections::BTreeMap;
use std::fmt::Write as _;

struct Token {
    text: Vec<u8>,
    quoted: bool,
    /// Written right after the previous token, as `"h2,h3"` in `alpn="h2,h3"`.
    glued: bool,
    pos: Pos,
}

/// One entry: the tokens of a line, with parentheses joining lines.
struct Entry {
    tokens: Vec<Token>,
    /// The line began with blank space: the owner is the previous entry's.
    inherit_owner: bool,
    pos: Pos,
}

/// The most tokens one entry may have, and the longest token: no record's
/// RDATA holds more than 65,535 octets, and each field takes at least one.
const MAX_ENTRY_TOKENS: usize = 65_600;
const MAX_TOKEN_LEN: usize = 65_535;

/// Splits `text` into entries and hands each to `on_entry` as soon as it is
/// complete, so memory is bounded by one entry, not the file.
fn tokenize(text: &str, mut on_entry: impl FnMut(Entry)) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    let (mut line, mut col) = (1usize, 1usize);
    let mut cur: Option<Entry> = None;
    let mut depth = 0usize;
    let mut open_paren = Pos::default();
    let mut at_line_start = true;
    let mut last_end = usize::MAX;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let pos = Pos::new(line, col);
        match b {
            b'\n' => {
                if depth == 0 {
                    if let Some(e) = cur.take().filter(|e| !e.tokens.is_empty()) {
                        on_entry(e);
                    }
                }
                line += 1;
                col = 1;
                i += 1;
                at_line_start = true;
                continue;
            }
            b if b.is_ascii_whitespace() => {
                if at_line_start && depth == 0 && cur.is_none() {
                    cur = Some(Entry {
                        tokens: Vec::new(),
                        inherit_owner: true,
                        pos,
                    });
                }
            }
            b';' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' => {
                if depth == 0 {
                    open_paren = pos;
                }
                depth += 1;
                cur.get_or_insert(Entry {
                    tokens: Vec::new(),
                    inherit_owner: false,
                    pos,
                });
            }
            b')' => {
                if depth == 0 {
                    return Err(Diagnostic::new(pos, "')' without a matching '('"));
                }
                depth -= 1;
            }
            _ => {
                let quoted = b == b'"';
                let glued = i == last_end;
                let mut text = Vec::new();
                let start = pos;
                if quoted {
                    i += 1;
                    col += 1;
                }
                loop {
                    let Some(&c) = bytes.get(i) else {
                        if quoted {
                            return Err(Diagnostic::new(start, "quoted string is not closed"));
                        }
                        break;
                    };
                    if quoted && c == b'"' {
                        i += 1;
                        col += 1;
                        break;
                    }
                    if !quoted
                        && (c.is_ascii_whitespace() || matches!(c, b';' | b'(' | b')' | b'"'))
                    {
                        break;
                    }
                    if c == b'\n' {
                        line += 1;
                        col = 0;
                    }
                    if c == b'\\' {
                        let digits = bytes
                            .get(i + 1..i + 4)
                            .filter(|d| d.iter().all(u8::is_ascii_digit));
                        if let Some(d) = digits {
                            let n = u32::from(d[0] - b'0') * 100
                                + u32::from(d[1] - b'0') * 10
                                + u32::from(d[2] - b'0');
                            let v = u8::try_from(n).map_err(|_| {
                                Diagnostic::new(
                                    Pos::new(line, col),
                                    format!("escape \\{n} is not an octet"),
                                )
                            })?;
                            text.push(v);
                            i += 4;
                            col += 4;
                            continue;
                        }
                        match bytes.get(i + 1) {
                            Some(&n) if n != b'\n' => {
                                text.push(n);
                                i += 2;
                                col += 2;
                                continue;
                            }
                            _ => {
                                return Err(Diagnostic::new(
                                    Pos::new(line, col),
                                    "backslash at the end of a line",
                                ))
                            }
                        }
                    }
                    text.push(c);
                    i += 1;
                    col += 1;
                    if text.len() > MAX_TOKEN_LEN {
                        return Err(Diagnostic::new(
                            start,
                            format!(
                                "a field longer than {MAX_TOKEN_LEN} octets: no record holds it"
                            ),
                        ));
                    }
                }
                let entry = cur.get_or_insert(Entry {
                    tokens: Vec::new(),
                    inherit_owner: false,
                    pos: start,
                });
                if entry.tokens.len() >= MAX_ENTRY_TOKENS {
                    return Err(Diagnostic::new(
                        entry.pos,
                        format!(
                            "a record of more than {MAX_ENTRY_TOKENS} fields: no record holds it"
                        ),
                    ));
                }
                entry.tokens.push(Token {
                    text,
                    quoted,
                    glued,
                    pos: start,
                });
                last_end = i;
                at_line_start = false;
                continue;
            }
        }
        at_line_start = false;
        i += 1;
        col += 1;
    }
    if depth > 0 {
        return Err(Diagnostic::new(open_paren, "'(' is never closed"));
    }
    if let Some(e) = cur.filter(|e| !e.tokens.is_empty()) {
        on_entry(e);
    }
    Ok(())
}

fn utf8(t: &Token) -> Result<&str, Diagnostic> {
    std::str::from_utf8(&t.text).map_err(|_| Diagnostic::new(t.pos, "text is not UTF-8"))
}

/// Resolves a name written in a zone file: `@`, absolute, or relative to `origin`.
fn resolve(s: &str, origin: &Name) -> Result<Name, NameError> {
    if s == "@" {
        return Ok(origin.clone());
    }
    if s.ends_with('.') {
        return Name::parse_fqdn(s);
    }
    let abs = if origin.as_str() == "." {
        format!("{s}.")
    } else {
        format!("{s}.{origin}")
    };
    Name::parse_fqdn(&abs)
}

/// Index of the fields that hold domain names, which may be relative in a file.
fn name_fields(t: RType) -> &'static [usize] {
    match t {
        RType::Ns | RType::Cname | RType::Ptr => &[0],
        RType::Mx | RType::Svcb | RType::Https => &[1],
        RType::Srv => &[3],
        RType::Soa => &[0, 1],
        _ => &[],
    }
}

/// Errors a zone file reports at most; one more says where reading stopped.
const MAX_ERRORS: usize = 100;

/// Reads an RFC 1035 zone file for `zone`. Supports `$ORIGIN`, `$TTL`,
/// parentheses, comments, quoted strings, escapes, TTL units and inherited
/// owners. Every problem is reported with its line and column.
pub fn parse_zone_file(text: &str, zone: &Name, file: &str) -> Result<Zone, Diagnostics> {
    parse(text, zone, file, false).map(|(z, _)| z)
}

/// A record [`parse_zone_file_skipping`] left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where its type is written.
    pub pos: Pos,
    /// The owner name, absolute.
    pub owner: String,
    /// The type as written, upper case.
    pub rtype: String,
    /// Why it was left out, for the user.
    pub reason: &'static str,
}

/// Like [`parse_zone_file`], but records of registered types that dnsctl
/// does not manage (HINFO, NAPTR, DS, DNSSEC records, `TYPEnnn`, ...) are
/// left out and returned instead of failing the whole file. Any other
/// problem is still an error.
pub fn parse_zone_file_skipping(
    text: &str,
    zone: &Name,
    file: &str,
) -> Result<(Zone, Vec<Skipped>), Diagnostics> {
    parse(text, zone, file, true)
}

/// Why a registered type that is not an [`RType`] is skipped; `None` for a
/// word that is no type at all (a typo stays an error).
fn unmanaged(t: &str) -> Option<&'static str> {
    const DNSSEC: &[&str] = &[
        "DNSKEY",
        "RRSIG",
        "NSEC",
        "NSEC3",
        "NSEC3PARAM",
        "CDS",
        "CDNSKEY",
        "ZONEMD",
        "KEY",
        "SIG",
        "NXT",
    ];
    const OTHER: &[&str] = &[
        "HINFO",
        "NAPTR",
        "DS",
        "LOC",
        "SPF",
        "RP",
        "AFSDB",
        "CERT",
        "DNAME",
        "OPENPGPKEY",
        "SMIMEA",
        "URI",
        "CSYNC",
        "APL",
        "DHCID",
        "IPSECKEY",
        "KX",
        "NULL",
        "WKS",
        "MINFO",
        "MB",
        "MG",
        "MR",
        "MD",
        "MF",
        "X25",
        "ISDN",
        "RT",
        "NSAP",
        "NSAP-PTR",
        "PX",
        "GPOS",
        "EUI48",
        "EUI64",
        "HIP",
        "L32",
        "L64",
        "LP",
        "NID",
        "TALINK",
        "AMTRELAY",
        "RESINFO",
        "WALLET",
        "A6",
        "ATMA",
        "EID",
        "NIMLOC",
        "SINK",
        "NINFO",
        "RKEY",
        "UINFO",
        "UID",
        "GID",
        "UNSPEC",
        "DOA",
    ];
    let u = t.to_ascii_uppercase();
    if DNSSEC.contains(&u.as_str()) {
        Some("DNSSEC records are made by the signing server, not managed as data")
    } else if OTHER.contains(&u.as_str())
        || u.strip_prefix("TYPE")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        Some("dnsctl does not manage this type")
    } else {
        None
    }
}

fn parse(
    text: &str,
    zone: &Name,
    file: &str,
    skip: bool,
) -> Result<(Zone, Vec<Skipped>), Diagnostics> {
    // A byte order mark, as some editors write, is not part of the first name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut diags = Vec::new();
    let mut skipped = Vec::new();
    let mut sets: BTreeMap<(String, RType), (u32, Vec<RData>, Pos)> = BTreeMap::new();
    let mut origin = zone.clone();
    let mut default_ttl: Option<u32> = None;
    let mut last_owner: Option<Name> = None;
    let read = tokenize(text, |entry| {
        // Past this many, more errors only cost memory.
        if diags.len() >= MAX_ERRORS {
            if diags.len() == MAX_ERRORS {
                let stop = format!("stopped reading after {MAX_ERRORS} errors");
                diags.push(Diagnostic::new(entry.pos, stop));
            }
            return;
        }
        match read_entry(
            &entry,
            zone,
            &mut origin,
            &mut default_ttl,
            &mut last_owner,
            &mut sets,
            skip,
        ) {
            Ok(Some(s)) => skipped.push(s),
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
    });
    if let Err(d) = read {
        diags.push(d);
        return Err(Diagnostics::new(file, diags));
    }
    let mut out = Zone::new(zone.clone());
    let mut spans = Spans::default();
    for ((name, rtype), (ttl, values, pos)) in sets {
        match RecordSet::new(name.clone(), rtype, ttl, values) {
            Ok(set) => {
                spans.sets.insert((name, rtype), pos);
                out.insert(set);
            }
            Err(e) => diags.push(Diagnostic::new(pos, e)),
        }
    }
    diags.extend(validate::zone_rules(&out, &spans));
    if diags.is_empty() {
        Ok((out, skipped))
    } else {
        Err(Diagnostics::new(file, diags))
    }
}

type Sets = BTreeMap<(String, RType), (u32, Vec<RData>, Pos)>;

fn read_entry(
    entry: &Entry,
    zone: &Name,
    origin: &mut Name,
    default_ttl: &mut Option<u32>,
    last_owner: &mut Option<Name>,
    sets: &mut Sets,
    skip: bool,
) -> Result<Option<Skipped>, Diagnostic> {
    let toks = &entry.tokens;
    let first = utf8(&toks[0])?;
    if !entry.inherit_owner && first.starts_with('$') {
        let arg = toks
            .get(1)
            .ok_or_else(|| Diagnostic::new(toks[0].pos, format!("{first} needs an argument")))?;
        match first.to_ascii_uppercase().as_str() {
            "$ORIGIN" => {
                *origin = resolve(utf8(arg)?, origin).map_err(|e| Diagnostic::new(arg.pos, e))?
            }
            "$TTL" => {
                *default_ttl = Some(parse_ttl(utf8(arg)?).map_err(|e| Diagnostic::new(arg.pos, e))?)
            }
            other => {
                return Err(Diagnostic::new(
                    toks[0].pos,
                    format!("directive {other} is not supported"),
                )
                .hint("expand it into plain records first"));
            }
        }
        return Ok(None);
    }
    let mut idx = 0;
    let owner = if entry.inherit_owner {
        last_owner.clone().ok_or_else(|| {
            Diagnostic::new(
                entry.pos,
                "record has no owner name and there is no previous one",
            )
        })?
    } else {
        idx = 1;
        resolve(first, origin).map_err(|e| Diagnostic::new(toks[0].pos, e))?
    };
    let Some(rel) = owner.relative_to(zone) else {
        return Err(Diagnostic::new(
            toks[0].pos,
            format!("'{owner}' is outside zone {zone}"),
        ));
    };
    // Owners follow the zone YAML's rules, so an imported file passes check.
    let rel = crate::name::parse_owner(&rel).map_err(|e| Diagnostic::new(toks[0].pos, e))?;
    *last_owner = Some(owner);
    let mut ttl = None;
    let mut rtype = None;
    while let Some(t) = toks.get(idx) {
        let s = utf8(t)?;
        idx += 1;
        if s.eq_ignore_ascii_case("IN") {
            continue;
        }
        if ["CH", "HS", "CS"].iter().any(|c| s.eq_ignore_ascii_case(c)) {
            return Err(Diagnostic::new(
                t.pos,
                format!("class {s} is not supported; only IN"),
            ));
        }
        if s.starts_with(|c: char| c.is_ascii_digit()) && ttl.is_none() {
            ttl = Some(parse_ttl(s).map_err(|e| Diagnostic::new(t.pos, e))?);
            continue;
        }
        let parsed = match s.parse::<RType>() {
            Ok(r) => r,
            Err(e) => match unmanaged(s).filter(|_| skip) {
                Some(reason) => {
                    return Ok(Some(Skipped {
                        pos: t.pos,
                        owner: last_owner
                            .as_ref()
                            .map(|o| o.to_string())
                            .unwrap_or_default(),
                        rtype: s.to_ascii_uppercase(),
                        reason,
                    }))
                }
                None => return Err(Diagnostic::new(t.pos, e)),
            },
        };
        rtype = Some((parsed, t.pos));
        break;
    }
    let Some((rtype, tpos)) = rtype else {
        return Err(Diagnostic::new(entry.pos, "record has no type"));
    };
    let ttl = ttl.or(*default_ttl).unwrap_or(DEFAULT_TTL);
    let rest = &toks[idx..];
    let mut fields: Vec<String> = Vec::with_capacity(rest.len());
    for (i, t) in rest.iter().enumerate() {
        if matches!(rtype, RType::Svcb | RType::Https) && i >= 2 {
            svc_param(t, &mut fields)?;
        } else if rtype == RType::Txt {
            let s = String::from_utf8(t.text.clone())
                .map_err(|_| Diagnostic::new(t.pos, "TXT text is not UTF-8"))?;
            fields.push(s);
        } else if name_fields(rtype).contains(&i) && !t.quoted {
            let n = resolve(utf8(t)?, origin).map_err(|e| Diagnostic::new(t.pos, e))?;
            fields.push(n.to_string());
        } else {
            fields.push(utf8(t)?.to_string());
        }
    }
    let value = RData::parse(rtype, &fields)
        .map_err(|e| Diagnostic::new(rest.first().map_or(tpos, |t| t.pos), e))?;
    let set = sets
        .entry((rel, rtype))
        .or_insert((ttl, Vec::new(), entry.pos));
    set.1.push(value);
    Ok(None)
}

/// Adds an SVCB parameter token to `fields` in the form [`RData::parse`]
/// reads: `key`, or `key="value"` with the value quoted again, so that a
/// value written bare (`alpn=h2`), quoted (`alpn="h2,h3"`, as BIND writes
/// it) or with escapes reads the same.
fn svc_param(t: &Token, fields: &mut Vec<String>) -> Result<(), Diagnostic> {
    let text = if t.glued && t.quoted {
        match fields.last_mut() {
            Some(prev) if prev.ends_with('=') => {
                prev.push_str(&quote(&t.text));
                return Ok(());
            }
            _ => {
                return Err(Diagnostic::new(
                    t.pos,
                    "a quoted SVCB value must follow 'key='",
                ))
            }
        }
    } else {
        utf8(t)?
    };
    fields.push(match text.split_once('=') {
        Some((key, "")) => format!("{key}="),
        Some((key, value)) => format!("{key}={}", quote(value.as_bytes())),
        None => text.to_string(),
    });
    Ok(())
}

/// Writes a zone as an RFC 1035 zone file: `$ORIGIN`, then the SOA, then every
/// record set in name order with explicit TTL and class.
pub fn write_zone_file(zone: &Zone) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "$ORIGIN {}", zone.origin);
    let soa = zone.iter().filter(|s| s.rtype == RType::Soa);
    for set in soa.chain(zone.iter().filter(|s| s.rtype != RType::Soa)) {
        let owner = if set.name.is_empty() { "@" } else { &set.name };
        for v in set.values() {
            let _ = writeln!(out, "{owner}\t{}\tIN\t{}\t{v}", set.ttl, set.rtype);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdata::SvcParam;

    fn zone() -> Name {
        Name::parse_fqdn("example.com.").unwrap()
    }

    #[test]
    fn skipping_leaves_out_unmanaged_types_only() {
        let text = "www A 192.0.2.1\nwww HINFO \"PC\" \"Linux\"\n@ 300 IN DS 1 13 2 ABCD\nx TYPE65534 \\# 1 00\n";
        let (z, skipped) = parse_zone_file_skipping(text, &zone(), "t.zone").unwrap();
        assert_eq!(z.len(), 1);
        let got: Vec<(usize, &str, &str)> = skipped
            .iter()
            .map(|s| (s.pos.line, s.owner.as_str(), s.rtype.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, "www.example.com.", "HINFO"),
                (3, "example.com.", "DS"),
                (4, "x.example.com.", "TYPE65534")
            ]
        );
        // The strict reader still refuses them, and a typo is never skipped.
        let e = parse_zone_file(text, &zone(), "t.zone").unwrap_err();
        assert!(
            e.to_string()
                .contains("t.zone:2:5: error: unknown record type 'HINFO'"),
            "{e}"
        );
        let e = parse_zone_file_skipping("www AAA ::1\n", &zone(), "t.zone").unwrap_err();
        assert!(e.to_string().contains("unknown record type 'AAA'"), "{e}");
    }

    #[test]
    fn reads_common_syntax() {
        let text = r#"$TTL 1h
$ORIGIN example.com.
@ IN SOA ns1 hostmaster (
        2024010101 ; serial
        7200 3600 1209600 300 )
    IN NS ns1
    NS ns2.example.net.
ns1 300 A 192.0.2.1
www CNAME @
mail IN 600 MX 10 mx1
txt TXT "a;b" "c\"d" e
$ORIGIN sub.example.com.
x A 192.0.2.9
"#;
        let z = parse_zone_file(text, &zone(), "t.zone").unwrap();
        assert_eq!(z.get("", RType::Ns).unwrap().values().len(), 2);
        assert_eq!(z.get("", RType::Soa).unwrap().ttl, 3600);
        assert_eq!(z.get("ns1", RType::A).unwrap().ttl, 300);
        assert_eq!(
            z.get("www", RType::Cname).unwrap().values()[0].to_string(),
            "example.com."
        );
        assert_eq!(
            z.get("mail", RType::Mx).unwrap().values()[0].to_string(),
            "10 mx1.example.com."
        );
        assert_eq!(
            z.get("txt", RType::Txt).unwrap().values()[0],
            RData::Txt("a;bc\"de".into())
        );
        assert!(z.get("x.sub", RType::A).is_some());
    }

    #[test]
    fn errors_point_at_the_token() {
        let e = parse_zone_file("www 300 IN A 1.2.3\n", &zone(), "t.zone").unwrap_err();
        assert_eq!(e.items[0].pos, Pos::new(1, 14));
        assert!(
            e.to_string()
                .starts_with("t.zone:1:14: error: '1.2.3' is not an IPv4 address"),
            "{e}"
        );
        let e = parse_zone_file("www.example.org. A 192.0.2.1\n", &zone(), "t.zone").unwrap_err();
        assert!(e.to_string().contains("outside zone"), "{e}");
        let e = parse_zone_file("a A (1.2.3.4\n", &zone(), "t.zone").unwrap_err();
        assert!(e.to_string().contains("never closed"), "{e}");
        let e = parse_zone_file("$INCLUDE other\n", &zone(), "t.zone").unwrap_err();
        assert!(e.to_string().contains("not supported"), "{e}");
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let z = parse_zone_file("\u{feff}www 300 A 192.0.2.1\n", &zone(), "t").unwrap();
        assert!(z.get("www", RType::A).is_some());
    }

    #[test]
    fn any_ascii_blank_separates_tokens() {
        // Found by the zone_file fuzz target: a form feed used to loop forever.
        assert!(parse_zone_file("\x0e\x0c\n", &zone(), "t").is_err());
        let z = parse_zone_file("www\x0c300\tA 192.0.2.1\n", &zone(), "t").unwrap();
        assert_eq!(z.get("www", RType::A).unwrap().ttl, 300);
    }

    #[test]
    fn reads_svcb_values_as_bind_writes_them() {
        // named-compilezone's output for these records (BIND 9.18).
        let text = concat!(
            "h.example.com.\t300 IN HTTPS\t1 . alpn=\"h2,h\\0323\" key65000 key65001\n",
            "x.example.com.\t300 IN HTTPS\t1 . alpn=\"h2,h3\" port=443\n",
            "y.example.com.\t300 IN SVCB\t1 y.example.com. alpn=\"c\\\"d,e;f\"\n",
        );
        let z = parse_zone_file(text, &zone(), "t").unwrap();
        let RData::Https(h) = &z.get("h", RType::Https).unwrap().values()[0] else {
            panic!()
        };
        assert_eq!(h.params[0], SvcParam::Alpn(vec!["h2".into(), "h 3".into()]));
        assert_eq!(
            h.params[1],
            SvcParam::Unknown {
                key: 65000,
                value: vec![]
            }
        );
        let RData::Svcb(y) = &z.get("y", RType::Svcb).unwrap().values()[0] else {
            panic!()
        };
        assert_eq!(
            y.params[0],
            SvcParam::Alpn(vec!["c\"d".into(), "e;f".into()])
        );
        // Values that need quotes are written quoted, and read back.
        let written = write_zone_file(&z);
        assert!(
            written.contains("HTTPS\t1 . alpn=\"h2,h 3\" key65000 key65001\n"),
            "{written}"
        );
        assert!(written.contains("alpn=\"c\\\"d,e;f\"\n"), "{written}");
        assert_eq!(parse_zone_file(&written, &zone(), "t").unwrap(), z);
        // A comma inside an ALPN id (BIND writes `a\\,b`) is refused: Knot cannot load it.
        let e = parse_zone_file("a HTTPS 1 . alpn=\"a\\\\,b\"\n", &zone(), "t").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t:1:9: error: 'a\\,b': a backslash"),
            "{e}"
        );
        let e = parse_zone_file("a HTTPS 1 . alpn=\"h2\"\"h3\"\n", &zone(), "t").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t:1:22: error: a quoted SVCB value"),
            "{e}"
        );
    }

    #[test]
    fn huge_fields_records_and_error_counts_are_bounded() {
        let e =
            parse_zone_file(&format!("a TXT x{}\n", "y".repeat(70_000)), &zone(), "t").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t:1:7: error: a field longer than 65535 octets: no record holds it"
        );
        let e = parse_zone_file(
            &format!("a TXT ({}\n)\n", " x".repeat(70_000)),
            &zone(),
            "t",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t:1:1: error: a record of more than 65600 fields: no record holds it"
        );
        // A million bad lines: a hundred errors and where reading stopped.
        let e = parse_zone_file(&"x\n".repeat(1_000_000), &zone(), "t").unwrap_err();
        assert_eq!(e.items.len(), 101);
        assert_eq!(e.items[100].pos, Pos::new(101, 1));
        assert_eq!(e.items[100].message, "stopped reading after 100 errors");
        // Parentheses only count; 100,000 of them do not recurse.
        let text = format!("a TXT {}x{}\n", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse_zone_file(&text, &zone(), "t").is_ok());
    }

    #[test]
    fn writes_what_it_reads() {
        let text = "$ORIGIN example.com.\n@\t3600\tIN\tSOA\tns1.example.com. h.example.com. 1 2 3 4 5\n@\t3600\tIN\tNS\tns1.example.com.\nwww\t300\tIN\tA\t192.0.2.1\n";
        let z = parse_zone_file(text, &zone(), "t").unwrap();
        assert_eq!(write_zone_file(&z), text);
    }
}
