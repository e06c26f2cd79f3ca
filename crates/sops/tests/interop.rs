//! Interoperability with the real `sops` binary (3.11, installed on PATH by
//! ./scripts/test.sh). These tests fail, never skip, when `sops` is missing.

use sops::{DecryptOptions, EncryptOptions, Format, Identities, Identity, Recipient, SopsFile};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Env {
    dir: tempfile::TempDir,
    keys_file: PathBuf,
    recipients: Vec<String>,
    ids: Identities,
}

fn sops_bin() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for d in std::env::split_paths(&path) {
        let p = d.join("sops");
        if p.is_file() {
            return p;
        }
    }
    panic!("the real `sops` binary is not on PATH: run ./scripts/test.sh (it installs sops 3.11 into target/tools/bin)");
}

/// A temp dir with `n` fresh age identities in keys.txt.
fn env(n: usize) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let mut recipients = Vec::new();
    for _ in 0..n {
        let id = Identity::generate();
        let recipient = id.recipient().to_string();
        text.push_str(&format!(
            "# public key: {recipient}\n{}\n",
            id.expose_secret()
        ));
        recipients.push(recipient);
    }
    let keys_file = dir.path().join("keys.txt");
    std::fs::write(&keys_file, &text).unwrap();
    let mut ids = Identities::empty();
    ids.add_text(&text, "test keys").unwrap();
    Env {
        dir,
        keys_file,
        recipients,
        ids,
    }
}

/// Encrypts plaintext read as `input`, written as `output`.
fn encrypt_as(
    plain: &[u8],
    input: Format,
    output: Format,
    opts: &EncryptOptions,
) -> sops::Result<Vec<u8>> {
    SopsFile::create(plain.to_vec().into(), input, opts)?
        .seal()?
        .to_bytes(output)
}

fn encrypt(plain: &[u8], f: Format, opts: &EncryptOptions) -> sops::Result<Vec<u8>> {
    encrypt_as(plain, f, f, opts)
}

fn decrypt(enc: &[u8], f: Format, ids: &Identities) -> sops::Result<SopsFile> {
    SopsFile::open(enc, f, ids, &DecryptOptions::default())
}

/// For reading only (no IVs kept).
fn read(enc: &[u8], f: Format, ids: &Identities) -> sops::Result<SopsFile> {
    let opts = DecryptOptions {
        read_only: true,
        ..Default::default()
    };
    SopsFile::open(enc, f, ids, &opts)
}

impl Env {
    /// The recipients, parsed: one key group.
    fn group(&self) -> Vec<Recipient> {
        self.recipients
            .iter()
            .map(|r| Recipient::parse(r).unwrap())
            .collect()
    }

    fn sops(&self, args: &[&str]) -> Vec<u8> {
        let out = Command::new(sops_bin())
            .args(args)
            .current_dir(self.dir.path())
            .env("SOPS_AGE_KEY_FILE", &self.keys_file)
            .env("SOPS_DISABLE_VERSION_CHECK", "1")
            .env_remove("SOPS_AGE_KEY")
            .output()
            .expect("running sops");
        assert!(
            out.status.success(),
            "sops {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    fn write(&self, name: &str, data: &[u8]) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        p.to_string_lossy().into_owned()
    }

    fn sops_encrypt(&self, name: &str, plain: &[u8], t: &str) -> Vec<u8> {
        let p = self.write(name, plain);
        let r = self.recipients.join(",");
        self.sops(&[
            "encrypt",
            "--age",
            &r,
            "--input-type",
            t,
            "--output-type",
            t,
            &p,
        ])
    }

    fn sops_decrypt(&self, name: &str, enc: &[u8], t: &str) -> Vec<u8> {
        let p = self.write(name, enc);
        self.sops(&["decrypt", "--input-type", t, "--output-type", t, &p])
    }

    fn ours_decrypt(&self, enc: &[u8], f: Format) -> Vec<u8> {
        decrypt(enc, f, &self.ids)
            .and_then(|d| d.plaintext(f))
            .unwrap_or_else(|e| panic!("our decrypt failed: {e}"))
            .to_vec()
    }
}

fn sample(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interop")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const SAMPLES: &[(&str, &str)] = &[
    ("comments.yaml", "yaml"),
    ("layout.yaml", "yaml"),
    ("multi.yaml", "yaml"),
    ("k8s.yaml", "yaml"),
    ("unicode.yaml", "yaml"),
    ("keys.yaml", "yaml"),
    ("feet.yaml", "yaml"),
    ("lists.yaml", "yaml"),
    ("comments.env", "dotenv"),
    ("comments.ini", "ini"),
    ("sample.json", "json"),
    ("sample.env", "dotenv"),
    ("sample.ini", "ini"),
    ("small.ini", "ini"),
    ("sample.bin", "binary"),
];

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn sops_encrypts_we_decrypt_to_the_same_bytes() {
    let e = env(1);
    for (name, t) in SAMPLES {
        let f = Format::from_name(t).unwrap();
        let enc = e.sops_encrypt(name, &sample(name), t);
        let reference = e.sops_decrypt("ref", &enc, t);
        let ours = e.ours_decrypt(&enc, f);
        assert_eq!(
            show(&ours),
            show(&reference),
            "{name}: our decrypt differs from sops'"
        );
    }
}

#[test]
fn we_encrypt_sops_decrypts_to_the_same_bytes() {
    let e = env(1);
    for (name, t) in SAMPLES {
        let f = Format::from_name(t).unwrap();
        let plain = sample(name);
        let reference = e.sops_decrypt("ref", &e.sops_encrypt(name, &plain, t), t);
        let ours = encrypt(&plain, f, &EncryptOptions::new(vec![e.group()]))
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let by_sops = e.sops_decrypt("ours", &ours, t);
        assert_eq!(
            show(&by_sops),
            show(&reference),
            "{name}: sops reads our file differently"
        );
        assert_eq!(show(&e.ours_decrypt(&ours, f)), show(&reference), "{name}");
    }
}

#[test]
fn several_recipients_each_decrypt() {
    let e = env(3);
    let plain = sample("k8s.yaml");
    let ours = encrypt(&plain, Format::Yaml, &EncryptOptions::new(vec![e.group()])).unwrap();
    let text = show(&ours);
    for r in &e.recipients {
        assert!(text.contains(r));
        // Only this identity: sops and we can decrypt.
        let mut one = Identities::empty();
        let keys = std::fs::read_to_string(&e.keys_file).unwrap();
        let pos = keys.find(r.as_str()).unwrap();
        let secret = keys[pos..].lines().nth(1).unwrap();
        one.add_text(secret, "one").unwrap();
        decrypt(&ours, Format::Yaml, &one).unwrap();
    }
    e.sops_decrypt("x.yaml", &ours, "yaml");
}

#[test]
fn we_edit_a_sops_file_and_sops_still_reads_it() {
    let e = env(1);
    let enc = e.sops_encrypt("k8s.yaml", &sample("k8s.yaml"), "yaml");
    let d = decrypt(&enc, Format::Yaml, &e.ids).unwrap();
    let mut d = d;
    let path = sops::value::parse_path(r#"["stringData"]["password"]"#).unwrap();
    d.set(&path, sops::Value::str("new password")).unwrap();
    let edited = d.seal().unwrap().to_bytes(Format::Yaml).unwrap();
    let by_sops = show(&e.sops_decrypt("edited.yaml", &edited, "yaml"));
    assert!(by_sops.contains("password: new password"), "{by_sops}");
    // Unchanged values keep their exact ciphertext; the changed one does not.
    let old = show(&enc);
    let new = show(&edited);
    let line = |t: &str, k: &str| {
        t.lines()
            .find(|l| l.trim_start().starts_with(k))
            .unwrap()
            .to_string()
    };
    assert_eq!(line(&old, "username:"), line(&new, "username:"));
    assert_eq!(line(&old, "token:"), line(&new, "token:"));
    assert_ne!(line(&old, "password:"), line(&new, "password:"));
}

#[test]
fn sops_edits_our_file_and_we_read_it() {
    let e = env(1);
    let ours = encrypt(
        &sample("k8s.yaml"),
        Format::Yaml,
        &EncryptOptions::new(vec![e.group()]),
    )
    .unwrap();
    let p = e.write("ours.yaml", &ours);
    e.sops(&["set", &p, r#"["stringData"]["added"]"#, r#""by sops""#]);
    let changed = std::fs::read(&p).unwrap();
    let plain = show(&e.ours_decrypt(&changed, Format::Yaml));
    assert!(plain.contains("added: by sops"), "{plain}");
    assert!(plain.contains("username: admin"), "{plain}");
}

fn with_config(e: &Env, rule: &str) {
    let cfg = format!(
        "creation_rules:\n  - path_regex: .*\n    age: {}\n{rule}",
        e.recipients.join(",")
    );
    e.write(".sops.yaml", cfg.as_bytes());
}

#[test]
fn partial_encryption_matches_sops() {
    let cases: &[(&str, sops::metadata::EncryptionRules)] = &[
        (
            "    encrypted_regex: ^(data|stringData)$\n",
            sops::metadata::EncryptionRules {
                encrypted_regex: Some("^(data|stringData)$".into()),
                ..Default::default()
            },
        ),
        (
            "    unencrypted_regex: ^(metadata|kind)$\n",
            sops::metadata::EncryptionRules {
                unencrypted_regex: Some("^(metadata|kind)$".into()),
                ..Default::default()
            },
        ),
        (
            "    encrypted_suffix: word\n",
            sops::metadata::EncryptionRules {
                encrypted_suffix: Some("word".into()),
                ..Default::default()
            },
        ),
        (
            "    unencrypted_comment_regex: stay readable\n",
            sops::metadata::EncryptionRules {
                unencrypted_comment_regex: Some("stay readable".into()),
                ..Default::default()
            },
        ),
        (
            "    encrypted_comment_regex: stay readable\n",
            sops::metadata::EncryptionRules {
                encrypted_comment_regex: Some("stay readable".into()),
                ..Default::default()
            },
        ),
        (
            "    encrypted_regex: ^password$\n    mac_only_encrypted: true\n",
            sops::metadata::EncryptionRules {
                encrypted_regex: Some("^password$".into()),
                mac_only_encrypted: true,
                ..Default::default()
            },
        ),
    ];
    for (rule, rules) in cases {
        let e = env(1);
        with_config(&e, rule);
        let p = e.write("k8s.yaml", &sample("k8s.yaml"));
        let enc = e.sops(&["encrypt", &p]);
        let reference = e.sops(&["decrypt", &e.write("ref.yaml", &enc)]);
        assert_eq!(
            show(&e.ours_decrypt(&enc, Format::Yaml)),
            show(&reference),
            "{rule}"
        );
        let opts = EncryptOptions {
            groups: vec![e.group()],
            shamir_threshold: None,
            rules: rules.clone(),
        };
        let ours = encrypt(&sample("k8s.yaml"), Format::Yaml, &opts).unwrap();
        // The same values are in clear in both files.
        let clear = |t: &str| -> Vec<String> {
            t.lines()
                .filter(|l| !l.contains("ENC["))
                .map(String::from)
                .collect()
        };
        let (s_md, o_md) = (show(&enc), show(&ours));
        let strip = |t: &str| t.split("\nsops:").next().unwrap().to_string();
        assert_eq!(clear(&strip(&o_md)), clear(&strip(&s_md)), "{rule}");
        assert_eq!(
            show(&e.sops(&["decrypt", &e.write("ours.yaml", &ours)])),
            show(&reference),
            "{rule}"
        );
    }
}

#[test]
fn key_groups_with_shamir_interoperate() {
    let e = env(3);
    let cfg = format!(
        "creation_rules:\n  - path_regex: .*\n    shamir_threshold: 2\n    key_groups:\n      - age:\n          - {}\n      - age:\n          - {}\n      - age:\n          - {}\n",
        e.recipients[0], e.recipients[1], e.recipients[2]
    );
    e.write(".sops.yaml", cfg.as_bytes());
    let p = e.write("k8s.yaml", &sample("k8s.yaml"));
    let enc = e.sops(&["encrypt", &p]);
    let reference = e.sops(&["decrypt", &e.write("ref.yaml", &enc)]);
    assert_eq!(show(&e.ours_decrypt(&enc, Format::Yaml)), show(&reference));
    let opts = EncryptOptions {
        groups: e.group().into_iter().map(|r| vec![r]).collect(),
        shamir_threshold: Some(2),
        rules: sops::metadata::EncryptionRules::default().with_defaults(),
    };
    let ours = encrypt(&sample("k8s.yaml"), Format::Yaml, &opts).unwrap();
    let text = show(&ours);
    assert!(text.contains("shamir_threshold: 2"), "{text}");
    assert!(text.contains("key_groups:"), "{text}");
    assert_eq!(
        show(&e.sops(&["decrypt", &e.write("ours.yaml", &ours)])),
        show(&reference)
    );
    // Two of the three keys are enough, one is not.
    let keys = std::fs::read_to_string(&e.keys_file).unwrap();
    let secrets: Vec<&str> = keys
        .lines()
        .filter(|l| l.starts_with("AGE-SECRET-KEY"))
        .collect();
    let mut two = Identities::empty();
    two.add_text(&format!("{}\n{}\n", secrets[0], secrets[2]), "two")
        .unwrap();
    decrypt(&ours, Format::Yaml, &two).unwrap();
    let mut one = Identities::empty();
    one.add_text(secrets[1], "one").unwrap();
    assert!(decrypt(&ours, Format::Yaml, &one).is_err());
}

#[test]
fn every_value_type_round_trips_both_ways() {
    let e = env(1);
    let plain = b"s: text\ni: -42\nf: 3.25\nbig: 1e+300\nt: true\nff: false\nn: null\nts: 2001-12-14t21:59:43.10-05:00\nd: 2024-01-02\ne: \"\"\nlist: [1, 2.5, x, true]\n";
    let reference = e.sops_decrypt("ref.yaml", &e.sops_encrypt("p.yaml", plain, "yaml"), "yaml");
    let ours = encrypt(plain, Format::Yaml, &EncryptOptions::new(vec![e.group()])).unwrap();
    for ty in [
        "type:str",
        "type:int",
        "type:float",
        "type:bool",
        "type:time",
    ] {
        assert!(show(&ours).contains(ty), "{ty}");
    }
    assert_eq!(
        show(&e.sops_decrypt("ours.yaml", &ours, "yaml")),
        show(&reference)
    );
    // Cross-format: yaml in, json out, read back by sops.
    let as_json = encrypt_as(
        plain,
        Format::Yaml,
        Format::Json,
        &EncryptOptions::new(vec![e.group()]),
    )
    .unwrap();
    let json_ref = e.sops(&[
        "decrypt",
        "--input-type",
        "json",
        "--output-type",
        "json",
        &e.write("j.json", &as_json),
    ]);
    assert_eq!(
        show(&e.ours_decrypt(&as_json, Format::Json)),
        show(&json_ref)
    );
}

#[test]
fn ssh_ed25519_recipients_interoperate() {
    let e = env(1);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let private = fixtures.join("test_ssh_ed25519");
    let public = std::fs::read_to_string(fixtures.join("test_ssh_ed25519.pub")).unwrap();
    let public = public.trim();
    let mut ids = Identities::empty();
    ids.add_ssh_text(&std::fs::read_to_string(&private).unwrap(), "test ssh key")
        .unwrap();
    let sops_ssh = |args: &[&str]| {
        let out = Command::new(sops_bin())
            .args(args)
            .current_dir(e.dir.path())
            .env("SOPS_AGE_SSH_PRIVATE_KEY_FILE", &private)
            .env("SOPS_AGE_KEY_FILE", e.dir.path().join("none.txt"))
            .env("SOPS_DISABLE_VERSION_CHECK", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "sops {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let p = e.write("k8s.yaml", &sample("k8s.yaml"));
    let enc = sops_ssh(&["encrypt", "--age", public, &p]);
    let reference = sops_ssh(&["decrypt", &e.write("ref.yaml", &enc)]);
    let ours = decrypt(&enc, Format::Yaml, &ids).unwrap();
    assert_eq!(
        show(&ours.plaintext(Format::Yaml).unwrap()),
        show(&reference)
    );
    let mine = encrypt(
        &sample("k8s.yaml"),
        Format::Yaml,
        &EncryptOptions::new(vec![vec![Recipient::parse(public).unwrap()]]),
    )
    .unwrap();
    assert!(show(&mine).contains("recipient: ssh-ed25519 "));
    assert_eq!(
        show(&sops_ssh(&["decrypt", &e.write("mine.yaml", &mine)])),
        show(&reference)
    );
}

#[test]
fn large_binary_files_both_ways() {
    // Large enough for the streamed, two-thread paths (several pieces).
    let e = env(1);
    let plain: Vec<u8> = (0..3_000_007u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    // Ours, streamed as it is read → sops decrypts to the same bytes.
    let mut ours = Vec::new();
    sops::encrypt_binary_stream(
        &mut &plain[..],
        &mut ours,
        &EncryptOptions::new(vec![e.group()]),
    )
    .unwrap();
    assert!(e.sops_decrypt("ours.bin", &ours, "binary") == plain);
    // sops' → we decrypt (both ways: for reading only, and for editing).
    let theirs = e.sops_encrypt("big.bin", &plain, "binary");
    assert!(e.ours_decrypt(&theirs, Format::Binary) == plain);
    let opened = read(&theirs, Format::Binary, &e.ids).unwrap();
    let mut written = Vec::new();
    opened
        .write_plaintext(Format::Binary, &mut written)
        .unwrap();
    assert!(written == plain);
    // A text file of the same size (stored as a string, not bytes).
    let text: Vec<u8> = plain.iter().map(|b| b'a' + b % 26).collect();
    let mut ours = Vec::new();
    sops::encrypt_binary_stream(
        &mut &text[..],
        &mut ours,
        &EncryptOptions::new(vec![e.group()]),
    )
    .unwrap();
    assert!(e.sops_decrypt("text.bin", &ours, "binary") == text);
    // A changed byte deep inside the ciphertext is refused.
    let mut bad = theirs.clone();
    let at = bad.len() / 2;
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        read(&bad, Format::Binary, &e.ids),
        Err(sops::Error::Authentication { .. })
    ));
}

/// AES-256-GCM as sops' Go code does it: `cipher.NewGCMWithNonceSize(block,
/// len(iv))`, written here with the `aes-gcm` crate (not the crate's own
/// cipher) for the IV lengths the tests use.
fn go_gcm(key: &[u8; 32], iv: &[u8], aad: &str, plain: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::consts::{U12, U16, U32};
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::aes::Aes256;
    use aes_gcm::AesGcm;
    let p = Payload {
        msg: plain,
        aad: aad.as_bytes(),
    };
    match iv.len() {
        12 => AesGcm::<Aes256, U12>::new(key.into()).encrypt(iv.into(), p),
        16 => AesGcm::<Aes256, U16>::new(key.into()).encrypt(iv.into(), p),
        32 => AesGcm::<Aes256, U32>::new(key.into()).encrypt(iv.into(), p),
        n => panic!("no test cipher for {n}-byte IVs"),
    }
    .unwrap()
}

/// An `ENC[...]` string sealed by [`go_gcm`].
fn go_enc(key: &[u8; 32], iv: &[u8], aad: &str, plain: &str) -> String {
    use base64::engine::general_purpose::STANDARD as B64;
    use base64::Engine;
    let out = go_gcm(key, iv, aad, plain.as_bytes());
    let (data, tag) = out.split_at(out.len() - 16);
    format!(
        "ENC[AES256_GCM,data:{},iv:{},tag:{},type:str]",
        B64.encode(data),
        B64.encode(iv),
        B64.encode(tag)
    )
}

/// A sops YAML file written by hand, by the rules of sops' format: flat
/// string `values` (encrypted unless their key ends with `_unencrypted`,
/// which is what `rules` must make sops do), a MAC over every value
/// (SHA-512, upper-case hex) encrypted with `mac_aad` (what Go's
/// `lastmodified.Format(time.RFC3339)` gives), and IVs of `iv_len` bytes.
fn hand_written(
    e: &Env,
    values: &[(&str, &str)],
    iv_len: usize,
    lastmodified: &str,
    mac_aad: &str,
    rules: &str,
) -> Vec<u8> {
    use sha2::{Digest, Sha512};
    let key: [u8; 32] = std::array::from_fn(|i| (i * 7 + 3) as u8);
    let mut iv_n = 0u8;
    let mut iv = || {
        iv_n += 1;
        vec![iv_n; iv_len]
    };
    let mut out = String::new();
    let mut mac = Sha512::new();
    for (k, v) in values {
        mac.update(v.as_bytes());
        if k.ends_with("_unencrypted") {
            out.push_str(&format!("{k}: {v}\n"));
        } else {
            out.push_str(&format!(
                "{k}: {}\n",
                go_enc(&key, &iv(), &format!("{k}:"), v)
            ));
        }
    }
    let mac: String = mac.finalize().iter().map(|b| format!("{b:02X}")).collect();
    let stanza = sops::fuzzing::wrap_data_key(&e.group()[0], &key).unwrap();
    out.push_str("sops:\n    age:\n");
    out.push_str(&format!(
        "        - recipient: {}\n          enc: |\n",
        stanza.recipient
    ));
    for l in stanza.enc.lines() {
        out.push_str(&format!("            {l}\n"));
    }
    out.push_str(&format!("    lastmodified: {lastmodified}\n"));
    out.push_str(&format!(
        "    mac: {}\n",
        go_enc(&key, &iv(), mac_aad, &mac)
    ));
    out.push_str(rules);
    out.push_str("    version: 3.11.0\n");
    out.into_bytes()
}

/// Real sops and we decrypt a hand-written file to the same plaintext.
fn both_decrypt(e: &Env, enc: &[u8], want: &str) {
    let by_sops = show(&e.sops_decrypt("hand.yaml", enc, "yaml"));
    assert_eq!(by_sops, want, "sops reads the hand-written file otherwise");
    let ours = decrypt(enc, Format::Yaml, &e.ids)
        .unwrap_or_else(|err| panic!("we refuse a file sops opens: {err}\n{}", show(enc)));
    assert_eq!(show(&ours.plaintext(Format::Yaml).unwrap()), want);
    let opened = read(enc, Format::Yaml, &e.ids)
        .unwrap_or_else(|err| panic!("opening for reading refuses a file sops opens: {err}"));
    let mut written = Vec::new();
    opened.write_plaintext(Format::Yaml, &mut written).unwrap();
    assert_eq!(show(&written), want);
}

const SUFFIX: &str = "    unencrypted_suffix: _unencrypted\n";

#[test]
fn ivs_of_any_length_sops_accepts_are_decrypted() {
    let e = env(1);
    let values = [("password", "hunter2"), ("token", "t0k3n")];
    for iv_len in [12, 16] {
        let enc = hand_written(
            &e,
            &values,
            iv_len,
            "'2026-11-22T03:08:45Z'",
            "2026-11-22T03:08:45Z",
            SUFFIX,
        );
        both_decrypt(&e, &enc, "password: hunter2\ntoken: t0k3n\n");
        // Re-encrypting an unchanged value gives it a fresh 32-byte IV:
        // we keep writing what sops writes.
        let d = decrypt(&enc, Format::Yaml, &e.ids).unwrap();
        let again = show(&d.seal().unwrap().to_bytes(Format::Yaml).unwrap());
        let line = again.lines().find(|l| l.starts_with("password:")).unwrap();
        let iv = line
            .split(",iv:")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        assert_eq!(iv.len(), 44, "a 32-byte IV in base64: {line}");
        assert_eq!(
            show(&e.sops_decrypt("again.yaml", again.as_bytes(), "yaml")),
            "password: hunter2\ntoken: t0k3n\n"
        );
    }
}

#[test]
fn metadata_without_rules_keeps_unencrypted_suffix_clear() {
    let e = env(1);
    let values = [("password", "hunter2"), ("x_unencrypted", "visible")];
    let ts = "2026-11-22T03:08:45Z";
    let enc = hand_written(&e, &values, 32, ts, ts, "");
    both_decrypt(&e, &enc, "password: hunter2\nx_unencrypted: visible\n");
}

#[test]
fn lastmodified_with_offset_and_fraction_verifies_the_mac() {
    let e = env(1);
    let values = [("password", "hunter2")];
    for (lastmodified, aad) in [
        (
            "\"2026-11-22T04:08:45.123456789+01:00\"",
            "2026-11-22T04:08:45+01:00",
        ),
        (
            "2026-11-22T04:08:45.123456789+01:00",
            "2026-11-22T04:08:45+01:00",
        ),
        ("2026-11-21T22:08:45.5-05:30", "2026-11-21T22:08:45-05:30"),
        ("'2026-11-22T03:08:45.120+00:00'", "2026-11-22T03:08:45Z"),
        (
            "2026-11-22T03:08:45.1234567891234+02:00",
            "2026-11-22T03:08:45+02:00",
        ),
        (
            "'2026-11-22T03:08:45,25+02:00'",
            "2026-11-22T03:08:45+02:00",
        ),
        ("'2026-11-22T3:08:45Z'", "2026-11-22T03:08:45Z"),
    ] {
        let enc = hand_written(&e, &values, 32, lastmodified, aad, SUFFIX);
        both_decrypt(&e, &enc, "password: hunter2\n");
    }
}
