//! Vectors written by the real sops 3.11.0 (see fixtures/README.md): we
//! decrypt them to exactly the bytes `sops decrypt` printed.

use sops::{DecryptOptions, Error, Format, Identities, Identity, Sealed, SopsFile};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn ids() -> Identities {
    let mut ids = Identities::empty();
    ids.add_text(
        &String::from_utf8(fixture("age-key.txt")).unwrap(),
        "fixture",
    )
    .unwrap();
    ids
}

fn check(enc: &str, f: Format, expected: &str) {
    let d = SopsFile::open(&fixture(enc), f, &ids(), &DecryptOptions::default())
        .and_then(|d| d.plaintext(f))
        .unwrap_or_else(|e| panic!("{enc}: {e}"));
    let want = fixture(expected);
    assert!(
        d.as_slice() == want.as_slice(),
        "{enc}: got\n{}\nwant\n{}",
        String::from_utf8_lossy(&d),
        String::from_utf8_lossy(&want)
    );
}

#[test]
fn sops_yaml_fixture_decrypts_byte_for_byte() {
    check("sample.enc.yaml", Format::Yaml, "decrypted/sample.yaml");
}

#[test]
fn sops_json_fixture_decrypts_byte_for_byte() {
    check("sample.enc.json", Format::Json, "decrypted/sample.json");
}

#[test]
fn sops_dotenv_fixture_decrypts_byte_for_byte() {
    check("sample.enc.env", Format::Dotenv, "decrypted/sample.env");
}

#[test]
fn sops_ini_fixture_decrypts_byte_for_byte() {
    check("sample.enc.ini", Format::Ini, "decrypted/sample.ini");
}

#[test]
fn sops_binary_fixture_decrypts_byte_for_byte() {
    check(
        "sample.bin.enc.json",
        Format::Binary,
        "decrypted/sample.bin",
    );
}

#[test]
fn re_emitting_an_untouched_sops_file_is_identical() {
    // Encrypted files we re-emit without change are byte-identical to sops'.
    for (name, f) in [
        ("sample.enc.yaml", Format::Yaml),
        ("sample.enc.json", Format::Json),
        ("sample.enc.env", Format::Dotenv),
        ("sample.bin.enc.json", Format::Binary),
    ] {
        let input = fixture(name);
        let out = Sealed::parse(&input, f).unwrap().to_bytes(f).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&input),
            "{name}"
        );
    }
}

fn tampered(name: &str, f: Format, edit: impl Fn(&str) -> String) -> Error {
    let text = String::from_utf8(fixture(name)).unwrap();
    let changed = edit(&text);
    assert_ne!(changed, text, "the edit must change the file");
    match SopsFile::open(changed.as_bytes(), f, &ids(), &DecryptOptions::default()) {
        Ok(_) => panic!("tampered file decrypted"),
        Err(e) => e,
    }
}

/// Swaps the first `data:` payload of a line containing `key` with another valid base64 payload.
fn replace_field(text: &str, key: &str, field: &str, new: &str) -> String {
    let line = text.lines().find(|l| l.contains(key)).unwrap();
    let start = line.find(&format!("{field}:")).unwrap() + field.len() + 1;
    let end = start + line[start..].find([',', ']']).unwrap();
    let new_line = format!("{}{}{}", &line[..start], new, &line[end..]);
    text.replacen(line, &new_line, 1)
}

#[test]
fn tampering_with_a_value_is_refused() {
    let e = tampered("sample.enc.yaml", Format::Yaml, |t| {
        replace_field(t, "password: ENC", "data", "AAAAAAAA")
    });
    assert!(
        matches!(e, Error::Authentication { ref path } if path == "app:db:password:"),
        "{e}"
    );
}

#[test]
fn tampering_with_iv_or_tag_is_refused() {
    let e = tampered("sample.enc.yaml", Format::Yaml, |t| {
        replace_field(
            t,
            "user: ENC",
            "iv",
            "QSnmQEVFDp7LSXwbbakaPJKwsolfBJCV2zfhw5eswhc=",
        )
    });
    assert!(matches!(e, Error::Authentication { .. }), "{e}");
    let e = tampered("sample.enc.yaml", Format::Yaml, |t| {
        replace_field(t, "user: ENC", "tag", "AAAAAAAAAAAAAAAAAAAAAA==")
    });
    assert!(matches!(e, Error::Authentication { .. }), "{e}");
}

#[test]
fn moving_a_value_to_another_key_is_refused() {
    // Same ciphertext under another key path fails authentication (AAD).
    let e = tampered("sample.enc.yaml", Format::Yaml, |t| {
        let pw = t.lines().find(|l| l.contains("password: ENC")).unwrap();
        let user = t.lines().find(|l| l.contains("user: ENC")).unwrap();
        let moved = pw.replace("password:", "user:");
        t.replacen(user, &moved, 1)
    });
    assert!(
        matches!(e, Error::Authentication { ref path } if path == "app:db:user:"),
        "{e}"
    );
}

#[test]
fn tampering_with_an_unencrypted_value_breaks_the_mac() {
    let e = tampered("sample.enc.yaml", Format::Yaml, |t| {
        t.replace(
            "password_unencrypted: visible",
            "password_unencrypted: changed",
        )
    });
    assert!(matches!(e, Error::MacMismatch), "{e}");
    // And --ignore-mac lets it through.
    let text = String::from_utf8(fixture("sample.enc.yaml")).unwrap();
    let changed = text.replace(
        "password_unencrypted: visible",
        "password_unencrypted: changed",
    );
    let d = SopsFile::open(
        changed.as_bytes(),
        Format::Yaml,
        &ids(),
        &DecryptOptions {
            ignore_mac: true,
            ..Default::default()
        },
    )
    .unwrap();
    let plain = d.plaintext(Format::Yaml).unwrap();
    assert!(String::from_utf8_lossy(&plain).contains("password_unencrypted: changed"));
}

#[test]
fn tampering_with_mac_or_lastmodified_is_refused() {
    let e = tampered("sample.enc.yaml", Format::Yaml, |t| {
        replace_field(t, "mac: ENC", "tag", "AAAAAAAAAAAAAAAAAAAAAA==")
    });
    assert!(matches!(e, Error::MacMismatch), "{e}");
    let e = tampered("sample.enc.yaml", Format::Yaml, |t| {
        t.replace("2026-11-22T03:08:45Z", "2026-11-22T03:08:46Z")
    });
    assert!(matches!(e, Error::MacMismatch), "{e}");
    // Removing a value also breaks the MAC.
    let e = tampered("sample.enc.json", Format::Json, |t| {
        let line = t.lines().find(|l| l.contains("\"html\"")).unwrap();
        t.replacen(&format!("{line}\n"), "", 1)
    });
    assert!(matches!(e, Error::MacMismatch), "{e}");
}

#[test]
fn wrong_identity_names_the_recipients() {
    let other = Identity::generate();
    let mut ids = Identities::empty();
    ids.add_text(other.expose_secret(), "test").unwrap();
    let e = SopsFile::open(
        &fixture("sample.enc.yaml"),
        Format::Yaml,
        &ids,
        &DecryptOptions::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("age1whe5grwngdzkswt9tqfhkuyz7x9ug575jzpt4qa05uw65dd4hgssx6ul96"),
        "{e}"
    );
}

#[test]
fn errors_never_contain_plaintext() {
    let e = tampered("sample.enc.yaml", Format::Yaml, |t| {
        t.replace(
            "password_unencrypted: visible",
            "password_unencrypted: changed",
        )
    });
    let msg = format!("{e} {e:?}");
    for secret in ["s3cr3t", "admin", "demo"] {
        assert!(!msg.contains(secret), "{msg}");
    }
}
