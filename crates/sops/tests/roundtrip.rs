//! Property tests: every store reads back what it writes, encryption round
//! trips, and no parser panics on arbitrary input.

use proptest::prelude::*;
use sops::fuzzing::stores::{self, Format};
use sops::{Map, MapItem, Secret, Value};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_ .:#'\"-]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
        Just(String::new()),
        Just("yes".to_string()),
        Just("123".to_string()),
        Just("a: b".to_string()),
        Just("line1\nline2\n".to_string()),
        Just(" lead".to_string()),
        Just("trail ".to_string()),
        Just("- x".to_string()),
        Just("# hash".to_string()),
        Just("2024-01-02".to_string()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,8}",
        text().prop_filter("non-empty single-line", |s| !s.is_empty()
            && !s.contains(['\n', '\r']))
    ]
}

fn comment() -> impl Strategy<Value = String> {
    "[ a-zA-Z0-9_.:#-]{0,16}".prop_map(|s| format!(" {s}"))
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        prop_oneof![
            any::<f64>().prop_filter("finite, not -0 (yaml reads -0 as the int 0)", |f| f
                .is_finite()
                && !(*f == 0.0 && f.is_sign_negative())),
            Just(0.5),
            Just(1e20),
            Just(-3.0)
        ]
        .prop_map(Value::Float),
        text().prop_map(Value::str),
        Just(Value::Time(Secret::new("2024-01-02T03:04:05Z"))),
    ]
}

fn unique(entries: Vec<(String, Value)>) -> Vec<(String, Value)> {
    let mut seen = std::collections::HashSet::new();
    entries
        .into_iter()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect()
}

/// Trees the way sops' YAML store can carry them.
fn yaml_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec((prop::option::of(comment()), inner.clone()), 0..5).prop_map(
                |items| {
                    let mut l = Vec::new();
                    for (c, v) in items {
                        if let Some(c) = c {
                            l.push(Value::Comment(Secret::new(c)));
                        }
                        l.push(v);
                    }
                    Value::List(l)
                }
            ),
            prop::collection::vec((prop::option::of(comment()), key(), inner), 0..5).prop_map(
                |items| {
                    let mut m = Map::new();
                    let mut seen = std::collections::HashSet::new();
                    for (c, k, v) in items {
                        if !seen.insert(k.clone()) {
                            continue;
                        }
                        if let Some(c) = c {
                            m.items.push(MapItem::Comment(Secret::new(c)));
                        }
                        m.push(k, v);
                    }
                    Value::Map(m)
                }
            ),
        ]
    })
}

fn yaml_doc() -> impl Strategy<Value = Map> {
    (
        prop::collection::vec((prop::option::of(comment()), key(), yaml_value()), 1..6),
        prop::option::of(comment()),
    )
        .prop_map(|(items, tail)| {
            let mut m = Map::new();
            let mut seen = std::collections::HashSet::new();
            for (c, k, v) in items {
                if !seen.insert(k.clone()) {
                    continue;
                }
                if let Some(c) = c {
                    m.items.push(MapItem::Comment(Secret::new(c)));
                }
                m.push(k, v);
            }
            if let Some(c) = tail {
                m.items.push(MapItem::Comment(Secret::new(c)));
            }
            m
        })
}

/// sops' YAML emitter moves comments that open a map inside a list above
/// the list item; normalise trees the same way before comparing.
fn normalize_list_item_maps(v: &mut Value) {
    normalize(v, true)
}

/// `lists`: also hoist comments opening nested lists (in encrypted files
/// list comments are ENC strings, which stay in place).
fn normalize(v: &mut Value, lists: bool) {
    match v {
        Value::List(l) => {
            let mut out = Vec::new();
            for mut item in std::mem::take(l) {
                let mut hoisted = Vec::new();
                take_leading(&mut item, &mut hoisted, lists);
                out.extend(hoisted);
                normalize(&mut item, lists);
                out.push(item);
            }
            *l = out;
        }
        Value::Map(m) => {
            for i in m.items.iter_mut() {
                if let MapItem::Entry(_, v) = i {
                    normalize(v, lists);
                }
            }
        }
        _ => {}
    }
}

/// Comments opening a list item that is a map or list (recursively through
/// first items of lists) are written above the item's dash.
fn take_leading(item: &mut Value, out: &mut Vec<Value>, lists: bool) {
    match item {
        Value::Map(m) => {
            let lead = m
                .items
                .iter()
                .take_while(|i| matches!(i, MapItem::Comment(_)))
                .count();
            if lead < m.items.len() {
                for c in m.items.drain(..lead) {
                    if let MapItem::Comment(c) = c {
                        out.push(Value::Comment(c));
                    }
                }
            }
        }
        Value::List(l) => {
            let lead = l
                .iter()
                .take_while(|v| matches!(v, Value::Comment(_)))
                .count();
            if !lists {
                // Encrypted list comments are strings: only a first item's map comments move.
                if lead == 0 && !l.is_empty() {
                    take_leading(&mut l[0], out, lists);
                }
            } else if lead < l.len() {
                out.extend(l.drain(..lead));
                take_leading(&mut l[0], out, lists);
            }
        }
        _ => {}
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        // yaml.v3 (and so sops) writes 3.0 as `3`, which reads back as an int.
        (Value::Float(x), Value::Int(i)) | (Value::Int(i), Value::Float(x)) => *i as f64 == *x,
        (Value::Map(x), Value::Map(y)) => {
            x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(p, q)| match (p, q) {
                    (MapItem::Entry(k1, v1), MapItem::Entry(k2, v2)) => k1 == k2 && same(v1, v2),
                    (MapItem::Comment(c1), MapItem::Comment(c2)) => c1 == c2,
                    _ => false,
                })
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn yaml_store_reads_back_what_it_writes(doc in yaml_doc()) {
        let text = stores::yaml::emit(std::slice::from_ref(&doc));
        let back = stores::yaml::load(text.as_bytes());
        prop_assert!(back.is_ok(), "{text}\n{:?}", back.err());
        let back = back.unwrap();
        let mut want = Value::Map(doc.clone());
        normalize_list_item_maps(&mut want);
        prop_assert!(same(&Value::Map(back[0].clone()), &want), "text:\n{text}\nback: {:?}", back[0]);
        // And writing again gives the same text.
        prop_assert_eq!(stores::yaml::emit(&back), text);
    }

    #[test]
    fn encryption_round_trips(doc in yaml_doc()) {
        let key = [5u8; 32];
        let rules = sops::metadata::EncryptionRules::default().with_defaults();
        let sealed = sops::fuzzing::seal_with_key(vec![doc.clone()], Format::Yaml, rules, key).unwrap();
        // Through the YAML store, as a file.
        let file = sealed.to_bytes(Format::Yaml).unwrap();
        let opened = sops::Sealed::parse(&file, Format::Yaml).unwrap();
        let back = sops::fuzzing::open_with_key(opened, key, &sops::DecryptOptions::default()).unwrap();
        let back = back.docs();
        let mut want = Value::Map(doc);
        normalize(&mut want, false);
        prop_assert!(same(&Value::Map(back[0].clone()), &want), "{}", String::from_utf8_lossy(&file));
    }

    #[test]
    fn json_store_round_trips(doc in yaml_doc()) {
        // JSON reads every number as a float (as sops 3.11): stable from the first reload.
        let first = stores::json::emit(&doc);
        let text = stores::json::emit(&stores::json::load(first.as_bytes()).unwrap());
        let back = stores::json::load(text.as_bytes()).unwrap();
        prop_assert_eq!(stores::json::emit(&back), text);
    }

    #[test]
    fn dotenv_store_round_trips(entries in prop::collection::vec(("[A-Z_][A-Z0-9_]{0,8}", "[^\n\\\\]{0,16}"), 0..8), c in comment()) {
        let mut m = Map::new();
        m.items.push(MapItem::Comment(Secret::new(c)));
        for (k, v) in unique(entries.into_iter().map(|(k, v)| (k, Value::str(v))).collect()) {
            m.push(k, v);
        }
        let text = stores::dotenv::emit(&m).unwrap();
        let back = stores::dotenv::load(text.as_bytes()).unwrap();
        prop_assert!(back == m, "{text}");
    }

    #[test]
    fn ini_store_round_trips(sections in prop::collection::vec(("[a-z]{1,6}", prop::collection::vec(("[a-z][a-z0-9_]{0,8}", "[a-zA-Z0-9 .:/=+-]{0,16}"), 0..5)), 1..4)) {
        let mut m = Map::new();
        let mut seen = std::collections::HashSet::new();
        for (name, keys) in sections {
            if !seen.insert(name.clone()) || name == "sops" {
                continue;
            }
            let mut s = Map::new();
            for (k, v) in unique(keys.into_iter().map(|(k, v)| (k, Value::str(v))).collect()) {
                s.push(k, v);
            }
            m.push(name, Value::Map(s));
        }
        let text = stores::ini::emit(&m).unwrap();
        let back = stores::ini::load(text.as_bytes()).unwrap();
        prop_assert_eq!(stores::ini::emit(&back).unwrap(), text);
    }

    #[test]
    fn parsers_never_panic(input in prop::collection::vec(any::<u8>(), 0..256)) {
        for f in [Format::Yaml, Format::Json, Format::Dotenv, Format::Ini, Format::Binary] {
            let _ = stores::load_plain(&input, f);
            let _ = sops::Sealed::parse(&input, f);
        }
        let _ = sops::config::parse_rules(&input, std::path::Path::new(".sops.yaml"));
    }

    #[test]
    fn yaml_parser_never_panics_on_yaml_like_text(input in "([a-z]{0,3}|[ :\\-#'\"|>\\[\\]{},&*!?\n]){0,64}") {
        if let Ok(docs) = stores::yaml::load(input.as_bytes()) {
            let text = stores::yaml::emit(&docs);
            prop_assert!(stores::yaml::load(text.as_bytes()).is_ok(), "{input:?} -> {text:?}");
        }
    }
}
