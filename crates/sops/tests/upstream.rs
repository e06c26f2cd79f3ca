//! Files written by other sops versions (3.3 to 3.13; PGP-encrypted, with
//! their data keys recovered into datakeys.tsv) and by another
//! implementation (rops, age). They check value, comment and MAC handling
//! across versions without needing PGP. See fixtures/upstream/README.md.

use sops::fuzzing::stores::{self, Format};
use sops::{DecryptOptions, Error, Identities, Sealed, SopsFile, Value};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upstream")
}

fn data_key(hex: &str) -> [u8; 32] {
    let mut k = [0u8; 32];
    for (i, b) in k.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    k
}

fn format_of(name: &str) -> Format {
    if name.ends_with(".txt") {
        Format::Binary
    } else {
        Format::from_path(std::path::Path::new(name))
    }
}

fn open(name: &str, ignore_mac: bool) -> Result<Vec<u8>, Error> {
    let keys = std::fs::read_to_string(dir().join("datakeys.tsv")).unwrap();
    let hex = keys
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}\t")))
        .unwrap_or_else(|| panic!("no data key for {name}"));
    let f = format_of(name);
    let input = std::fs::read(dir().join("pgp-encrypted").join(name)).unwrap();
    let sealed = Sealed::parse(&input, f)?;
    let md = sealed.metadata();
    assert!(
        !md.key_groups.is_empty() && md.key_groups[0].other.iter().any(|(t, _)| t == "pgp"),
        "{name}"
    );
    let opts = DecryptOptions {
        ignore_mac,
        ..Default::default()
    };
    let file = sops::fuzzing::open_with_key(sealed, data_key(hex), &opts)?;
    stores::emit_plain(file.docs(), f)
}

#[test]
fn every_upstream_file_decrypts_and_its_mac_verifies() {
    let keys = std::fs::read_to_string(dir().join("datakeys.tsv")).unwrap();
    let mut n = 0;
    for line in keys.lines() {
        let (name, hex) = line.split_once('\t').unwrap();
        if hex == "UNDECRYPTABLE" || name.contains("no_mac") {
            continue;
        }
        open(name, false).unwrap_or_else(|e| panic!("{name}: {e}"));
        n += 1;
    }
    assert!(n >= 13, "{n}");
}

#[test]
fn upstream_functional_test_formats() {
    let s = |b: Vec<u8>| String::from_utf8(b).unwrap();
    assert_eq!(
        s(open("functional-tests_res_format.enc.yaml", false).unwrap()),
        "foo: bar\n"
    );
    assert_eq!(
        s(open("functional-tests_res_format.enc.json", false).unwrap()),
        "{\n\t\"foo\": \"bar\"\n}\n"
    );
    // dotenv splits at the first '=' without trimming: key "foo ", value " bar".
    assert_eq!(
        s(open("functional-tests_res_format.enc.env", false).unwrap()),
        "foo = bar\n"
    );
    assert_eq!(
        s(open("functional-tests_res_format.enc.ini", false).unwrap()),
        "[foo]\nbar = baz\n"
    );
    // 3.13.0/3.13.1 wrote INI metadata with real newlines inside """...""".
    assert_eq!(
        s(open("functional-tests_res_format-2.enc.ini", false).unwrap()),
        "[foo]\nbar = baz\n"
    );
}

#[test]
fn upstream_encrypted_comments_decrypt() {
    let out =
        String::from_utf8(open("functional-tests_res_comments.enc.yaml", false).unwrap()).unwrap();
    assert!(out.contains("#"), "{out}");
    assert!(!out.contains("ENC["), "{out}");
    // Files from before comments were encrypted still decrypt (comments kept as they are).
    let old = String::from_utf8(
        open(
            "functional-tests_res_comments_unencrypted_comments.yaml",
            false,
        )
        .unwrap(),
    )
    .unwrap();
    assert!(old.contains('#'), "{old}");
}

#[test]
fn empty_mac_is_refused_unless_ignored() {
    assert!(matches!(
        open("functional-tests_res_no_mac.yaml", false),
        Err(Error::MacMismatch)
    ));
    open("functional-tests_res_no_mac.yaml", true).unwrap();
}

fn rops_ids() -> Identities {
    let mut ids = Identities::empty();
    let text = std::fs::read_to_string(dir().join("rops-sops-references/age-key.txt")).unwrap();
    ids.add_text(&text, "rops key").unwrap();
    ids
}

#[test]
fn files_without_version_are_refused_like_sops() {
    let input = std::fs::read(dir().join("rops-sops-references/age_example.yaml")).unwrap();
    let e = SopsFile::open(
        &input,
        Format::Yaml,
        &rops_ids(),
        &DecryptOptions::default(),
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("version"), "{e}");
}

#[test]
fn rops_age_references_decrypt_once_versioned() {
    for case in [
        "example",
        "encrypted_suffix",
        "unencrypted_suffix",
        "encrypted_regex",
        "unencrypted_regex",
        "mac_only_encrypted",
        "empty_value",
    ] {
        let input =
            std::fs::read_to_string(dir().join(format!("rops-sops-references/age_{case}.yaml")))
                .unwrap();
        // As the README says: real sops needs `version` to read these.
        let versioned = input.replace("\nsops:\n", "\nsops:\n  version: 3.8.1\n");
        let d = SopsFile::open(
            versioned.as_bytes(),
            Format::Yaml,
            &rops_ids(),
            &DecryptOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{case}: {e}"));
        let want =
            std::fs::read(dir().join(format!("rops-sops-references/age_{case}_plaintext.yaml")))
                .unwrap();
        let want = stores::yaml::load(&want).unwrap();
        assert!(
            Value::Map(d.docs()[0].clone()) == Value::Map(want[0].clone()),
            "{case}: {:?} vs {:?}",
            d.docs()[0],
            want[0]
        );
    }
}
