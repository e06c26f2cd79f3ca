//! octoDNS YAML: every kind of bad input is reported with file:line:col and a hint.

use zone::rdata::SvcParam;
use zone::{parse_zone_yaml, parse_zone_yaml_with_warnings, write_zone_yaml, Name, RData, RType};

fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

fn err(text: &str) -> String {
    parse_zone_yaml(text, &origin(), "zones/example.com.yaml")
        .unwrap_err()
        .to_string()
}

#[test]
fn loads_an_octodns_zone() {
    let text = r#"---
'':
  - type: A
    values: [192.0.2.10, 192.0.2.11]
  - type: MX
    ttl: 600
    values:
      - exchange: mx1.example.com.
        preference: 10
      - priority: 20
        value: mx2.example.com.
  - type: TXT
    value: v=spf1 mx -all
  - type: CAA
    value: {tag: issue, value: letsencrypt.org}
_dmarc: {type: TXT, value: 'v=DMARC1\; p=reject'}
_sip._tcp:
  type: SRV
  value: {priority: 10, weight: 5, port: 5060, target: sip.example.com.}
'*': {type: A, value: 192.0.2.10}
www:
  type: CNAME
  value: example.com.
  octodns:
    cloudflare: {proxied: true, tags: [web, prod]}
svc: {type: HTTPS, value: {svcpriority: 1, targetname: ., svcparams: {alpn: [h2, h3], port: 8443}}}
"#;
    let z = parse_zone_yaml(text, &origin(), "t").unwrap();
    assert_eq!(z.len(), 9);
    assert_eq!(z.get("", RType::Mx).unwrap().ttl, 600);
    assert_eq!(z.get("", RType::A).unwrap().ttl, 3600);
    assert_eq!(
        z.get("_dmarc", RType::Txt).unwrap().values(),
        [RData::Txt("v=DMARC1; p=reject".into())]
    );
    assert_eq!(
        z.get("svc", RType::Https).unwrap().values()[0].to_string(),
        "1 . alpn=h2,h3 port=8443"
    );
    assert!(z
        .get("www", RType::Cname)
        .unwrap()
        .provider_meta("cloudflare")
        .is_some());
    // What we write reads back to the same zone.
    let again = parse_zone_yaml(&write_zone_yaml(&z), &origin(), "t").unwrap();
    assert_eq!(again, z);
}

#[test]
fn writes_octodns_style_yaml() {
    let z = parse_zone_yaml("www: {type: A, ttl: 300, values: [192.0.2.2, 192.0.2.1]}\n'': {type: MX, value: {exchange: mx.example.com., preference: 10}}\n", &origin(), "t").unwrap();
    assert_eq!(
        write_zone_yaml(&z),
        "---\n'':\n  ttl: 3600\n  type: MX\n  value:\n    exchange: mx.example.com.\n    preference: 10\nwww:\n  ttl: 300\n  type: A\n  values:\n  - 192.0.2.1\n  - 192.0.2.2\n"
    );
}

#[test]
fn invalid_yaml() {
    let e = err("www: {type: A, value: 192.0.2.1\n");
    assert!(
        e.starts_with("zones/example.com.yaml:2:1: error: invalid YAML"),
        "{e}"
    );
}

#[test]
fn unknown_type_and_field() {
    let e = err("www:\n  type: AAA\n  value: x\n");
    assert!(
        e.starts_with("zones/example.com.yaml:2:9: error: unknown record type 'AAA' (supported: ")
            && e.ends_with("hint: did you mean 'AAAA'?"),
        "{e}"
    );
    // The README's example, line for line.
    let text = (0..18)
        .map(|i| format!("h{i}: {{type: A, value: 192.0.2.1}}\n"))
        .collect::<String>()
        + "www:\n  - type: AAA\n    value: 2001:db8::1\n";
    let e = err(&text);
    assert!(
        e.starts_with(
            "zones/example.com.yaml:20:11: error: unknown record type 'AAA' (supported: "
        ) && e.ends_with("\n  hint: did you mean 'AAAA'?"),
        "{e}"
    );
    let e = err("www:\n  type: A\n  vlaue: 192.0.2.1\n");
    assert!(
        e.contains("3:3: error: unknown field 'vlaue'") && e.contains("did you mean 'value'?"),
        "{e}"
    );
}

#[test]
fn bad_ip() {
    let e = err("www:\n  type: A\n  values:\n    - 192.0.2.1\n    - 192.0.2.300\n");
    assert!(
        e.starts_with("zones/example.com.yaml:5:7: error: '192.0.2.300' is not an IPv4 address"),
        "{e}"
    );
}

#[test]
fn cname_at_apex_and_beside_others() {
    let e = err("'': {type: CNAME, value: other.example.net.}\n");
    assert!(e.contains("1:5: error: CNAME at the zone apex"), "{e}");
    let e = err("www:\n  - {type: CNAME, value: example.com.}\n  - {type: TXT, value: hi}\n");
    assert!(
        e.contains("2:5: error: 'www' has a CNAME beside other records (TXT)"),
        "{e}"
    );
}

#[test]
fn duplicate_values_and_records() {
    let e = err("www: {type: A, values: [192.0.2.1, 192.0.2.1]}\n");
    assert!(
        e.contains("1:36: error: duplicate value")
            && e.contains("hint: the same value is at line 1"),
        "{e}"
    );
    let e = err("www:\n  - {type: A, value: 192.0.2.1}\n  - {type: A, value: 192.0.2.2}\n");
    assert!(e.contains("3:5: error: 'www' has two A record sets"), "{e}");
    let e = err("www: {type: A, value: 192.0.2.1}\nwww: {type: A, value: 192.0.2.2}\n");
    assert!(e.contains("2:1: error: key 'www' appears twice"), "{e}");
}

#[test]
fn ttl_out_of_range() {
    let e = err("www: {type: A, ttl: 4294967296, value: 192.0.2.1}\n");
    assert!(
        e.contains("1:21: error: TTL 4294967296 is out of range"),
        "{e}"
    );
    let e = err("www: {type: A, ttl: -5, value: 192.0.2.1}\n");
    assert!(e.contains("TTL -5 is out of range"), "{e}");
    let e = err("www: {type: A, ttl: soon, value: 192.0.2.1}\n");
    assert!(e.contains("'ttl' must be a whole number"), "{e}");
}

#[test]
fn names_outside_the_zone_and_relative_targets() {
    let e = err("www.example.org.: {type: A, value: 192.0.2.1}\n");
    assert!(
        e.contains("1:1: error: record name 'www.example.org.' is outside zone example.com."),
        "{e}"
    );
    let e = err("www.example.com.: {type: A, value: 192.0.2.1}\n");
    assert!(
        e.contains("hint: record names are relative to the zone: write 'www'"),
        "{e}"
    );
    let e = err("www: {type: CNAME, value: example.com}\n");
    assert!(
        e.contains("1:27: error: CNAME target 'example.com' is not fully qualified"),
        "{e}"
    );
    let e = err("'': {type: MX, value: {exchange: mail, preference: 10}}\n");
    assert!(
        e.contains("1:34: error: 'mail' is not fully qualified")
            && e.ends_with("hint: write 'mail.example.com.' for the name in this zone"),
        "{e}"
    );
    let e = err("www: {type: CNAME, value: web.example.net}\n");
    assert!(
        e.ends_with("hint: write 'web.example.net.example.com.' for a name in this zone, or 'web.example.net.' if 'web.example.net' is the whole name"),
        "{e}"
    );
}

#[test]
fn a_top_level_target_is_a_warning() {
    // `mail.` passes, but publishes an MX pointing at the top-level name.
    let text = "'':\n  type: MX\n  value: {exchange: mail., preference: 10}\nwww: {type: CNAME, value: example.com.}\n";
    let (z, warnings) = parse_zone_yaml_with_warnings(text, &origin(), "z.yaml").unwrap();
    assert!(z.get("", RType::Mx).is_some());
    assert_eq!(
        warnings.to_string(),
        "z.yaml:3:10: warning: MX target 'mail.' is a top-level name\n  hint: did you mean 'mail.example.com.'?"
    );
    // Beside an error, the warning is listed too; the root '.' is no warning.
    let e = err("a: {type: A, value: 1.2.3}\nb: {type: NS, value: ns.}\nc: {type: HTTPS, value: {svcpriority: 0, targetname: .}}\n");
    assert!(
        e.contains("1:21: error:")
            && e.contains("2:22: warning: NS target 'ns.' is a top-level name")
            && e.matches("warning").count() == 1,
        "{e}"
    );
}

#[test]
fn bad_caa_tag_and_srv_name() {
    let e = err("'': {type: CAA, value: {tag: issues, value: letsencrypt.org}}\n");
    assert!(e.contains("1:30: error: unknown CAA tag 'issues'"), "{e}");
    let e = err("'*.lab': {type: NS, value: ns1.example.net.}\n");
    assert!(
        e.contains("1:10: error: NS record at wildcard '*.lab'"),
        "{e}"
    );
    let e = err(
        "sip: {type: SRV, value: {priority: 1, weight: 1, port: 5060, target: sip.example.com.}}\n",
    );
    assert!(
        e.contains("1:6: error: SRV record name 'sip' is not of the form _service._proto"),
        "{e}"
    );
}

#[test]
fn txt_semicolons_must_be_escaped() {
    let e = err("_dmarc: {type: TXT, value: 'v=DMARC1; p=none'}\n");
    assert!(
        e.contains("unescaped ';'") && e.contains("write '\\;'"),
        "{e}"
    );
}

#[test]
fn reports_every_problem_not_just_the_first() {
    let e = err("a: {type: A, value: 1.2.3}\nb: {type: AAAA, value: 1.2.3.4}\nc: {type: A}\n");
    assert_eq!(e.matches("error:").count(), 3, "{e}");
}

#[test]
fn alias_bombs_and_deep_nesting_are_located_errors() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f")] {
        bomb.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let e = err(&bomb);
    assert!(
        e.starts_with("zones/example.com.yaml:5:") && e.contains("aliases expand to"),
        "{e}"
    );
    let e = err(&format!("www:\n{}x\n", "- ".repeat(10_000)));
    assert!(
        e.starts_with("zones/example.com.yaml:2:") && e.contains("deeper than 64 levels"),
        "{e}"
    );
}

#[test]
fn byte_order_mark_is_accepted() {
    let z = parse_zone_yaml("\u{feff}www: {type: A, value: 192.0.2.1}\n", &origin(), "t").unwrap();
    assert!(z.get("www", RType::A).is_some());
    let e = err("\u{feff}www: {type: A, value: 1.2.3}\n");
    assert!(e.contains(":1:23: error:"), "{e}");
}

#[test]
fn wire_limits_are_located_errors() {
    // 250 characters of owner fit alone but not below example.com.
    let long = [
        "a".repeat(62),
        "b".repeat(62),
        "c".repeat(62),
        "d".repeat(61),
    ]
    .join(".");
    let e = err(&format!(
        "www: {{type: A, value: 192.0.2.1}}\n{long}: {{type: A, value: 192.0.2.1}}\n"
    ));
    assert!(
        e.starts_with("zones/example.com.yaml:2:1: error: name '")
            && e.contains("is 264 octets in wire form, more than 255"),
        "{e}"
    );
    let fits = [
        "a".repeat(62),
        "b".repeat(62),
        "c".repeat(62),
        "d".repeat(49),
    ]
    .join(".");
    assert!(parse_zone_yaml(
        &format!("{fits}: {{type: A, value: 192.0.2.1}}\n"),
        &origin(),
        "t"
    )
    .is_ok());
    // RDATA: 65,535 octets at most, counting each 255-octet string's length octet.
    let e = err(&format!(
        "a: {{type: A, value: 192.0.2.1}}\nbig: {{type: TXT, value: {}}}\n",
        "x".repeat(65_280)
    ));
    assert!(
        e.starts_with(
            "zones/example.com.yaml:2:6: error: a TXT value of 'big' is 65536 octets on the wire"
        ),
        "{e}"
    );
    // The largest TXT that also fits a response with its question: 65,490
    // octets of RDATA at 'big' (header 12, question 21, answer 12).
    let txt = |n: usize| format!("big: {{type: TXT, value: {}}}\n", "x".repeat(n));
    assert!(parse_zone_yaml(&txt(65_234), &origin(), "t").is_ok());
    let e = err(&txt(65_235));
    assert!(
        e.contains("1:6: error: the TXT record set of 'big' is 65536 octets in a DNS response"),
        "{e}"
    );
    // A set whose values each fit, but not all in one message.
    let values: Vec<String> = (0..3)
        .map(|i| format!("{i}{}", "x".repeat(30_000)))
        .collect();
    let e = err(&format!(
        "big: {{type: TXT, values: [{}]}}\n",
        values.join(", ")
    ));
    assert!(
        e.starts_with("zones/example.com.yaml:1:6: error: the TXT record set of 'big' is ")
            && e.contains("more than one message holds (65535)"),
        "{e}"
    );
}

#[test]
fn svcb_values_are_checked_as_servers_check_them() {
    for (params, want) in [
        ("{no-default-alpn: null}", "needs 'alpn' as well"),
        ("{alpn: h2, mandatory: port}", "must list other parameters"),
        (
            "{alpn: h2, mandatory: 'alpn,alpn'}",
            "must list other parameters",
        ),
        ("{ech: 'not base64!'}", "is not base64"),
        ("{alpn: 'h2,,h3'}", "has an entry of 0 octets"),
        ("{alpn: 'x,h3'}", "has an entry of 1 octets"),
        ("{alpn: 'a\\,b'}", "a backslash in an SVCB value list"),
    ] {
        let e = err(&format!(
            "h: {{type: HTTPS, value: {{svcpriority: 1, targetname: ., svcparams: {params}}}}}\n"
        ));
        assert!(e.contains(want), "{params}: {e}");
    }
    // An empty generic value is no value, as BIND writes it.
    let z = parse_zone_yaml("h: {type: HTTPS, value: {svcpriority: 1, targetname: ., svcparams: {alpn: ['h 2', h3], key65000: ''}}}\n", &origin(), "t").unwrap();
    let RData::Https(h) = &z.get("h", RType::Https).unwrap().values()[0] else {
        panic!()
    };
    assert_eq!(h.params[0], SvcParam::Alpn(vec!["h 2".into(), "h3".into()]));
    assert_eq!(h.params[0].value_text().as_deref(), Some("h 2,h3"));
    assert_eq!(
        h.params[1],
        SvcParam::Unknown {
            key: 65000,
            value: vec![]
        }
    );
    assert_eq!(h.params[1].value_text(), None);
}
