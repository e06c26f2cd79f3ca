//! End-to-end tests of the secretctl binary. Tests that involve the real
//! `sops` or `age` fail (never skip) when they are missing: run
//! ./scripts/test.sh, which installs them.

use assert_cmd::Command;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const YAML: &str = "# database settings\ndb:\n    user: admin\n    password: s3cr3t # change me\n    port: 5432\napi_token: abc123\npublic_unencrypted: hello\n";

struct T {
    dir: tempfile::TempDir,
    runtime: tempfile::TempDir,
    keys: PathBuf,
    recipient: String,
}

fn find_on_path(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for d in std::env::split_paths(&path) {
        let p = d.join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("`{name}` is not on PATH: run ./scripts/test.sh (it installs sops into target/tools/bin and age via apt)");
}

/// A new age identity: (secret, recipient).
fn generate_identity() -> (String, String) {
    let id = sops::Identity::generate();
    (id.expose_secret().to_string(), id.recipient().to_string())
}

fn setup() -> T {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tempfile::tempdir().unwrap();
    let (secret, recipient) = generate_identity();
    let keys = dir.path().join("keys.txt");
    std::fs::write(&keys, format!("# public key: {recipient}\n{}\n", &*secret)).unwrap();
    T {
        dir,
        runtime,
        keys,
        recipient,
    }
}

impl T {
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("secretctl").unwrap();
        c.current_dir(self.dir.path())
            .env("SOPS_AGE_KEY_FILE", &self.keys)
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("no-config"))
            .env_remove("SOPS_AGE_KEY")
            .env_remove("SOPS_AGE_KEY_CMD")
            .env_remove("SOPS_EDITOR")
            .env_remove("EDITOR");
        c
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// An encrypted copy of YAML at `name`.
    fn encrypted(&self, name: &str) -> PathBuf {
        let p = self.write(name, YAML);
        self.cmd()
            .args(["encrypt", "--in-place", "--age", &self.recipient])
            .arg(&p)
            .assert()
            .success();
        p
    }

    fn decrypt(&self, p: &Path) -> String {
        let out = self.cmd().arg("decrypt").arg(p).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn sops(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(find_on_path("sops"))
            .args(args)
            .current_dir(self.dir.path())
            .env("SOPS_AGE_KEY_FILE", &self.keys)
            .env("SOPS_DISABLE_VERSION_CHECK", "1")
            .output()
            .unwrap()
    }

    /// An editor script (run by sh) that gets the file path as $1.
    fn editor(&self, name: &str, body: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p.to_string_lossy().into_owned()
    }

    fn runtime_is_empty(&self) -> bool {
        std::fs::read_dir(self.runtime.path())
            .unwrap()
            .next()
            .is_none()
    }

    fn no_stray_files(&self) {
        for e in std::fs::read_dir(self.dir.path()).unwrap() {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                !n.starts_with(".secretctl-"),
                "temporary file left behind: {n}"
            );
        }
    }
}

fn value_line(text: &str, key: &str) -> String {
    text.lines()
        .find(|l| l.trim_start().starts_with(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key} in\n{text}"))
        .to_string()
}

#[test]
fn encrypt_and_decrypt_round_trip_in_every_format() {
    let t = setup();
    for (name, text) in [
        ("a.yaml", YAML),
        ("a.json", "{\"a\": \"b\", \"n\": 1.5, \"l\": [true, null]}"),
        ("a.env", "# c\nA=1\nB=two\n"),
        ("a.ini", "[s]\na = 1\n"),
        ("a.bin", "raw\u{1}bytes\n"),
    ] {
        let p = t.write(name, text);
        let out = t
            .cmd()
            .args(["encrypt", "--age", &t.recipient])
            .arg(&p)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let enc = String::from_utf8(out.stdout).unwrap();
        assert!(enc.contains("ENC[AES256_GCM"), "{name}");
        assert!(!enc.contains("two") || name != "a.env", "{name}");
        let e = t.write(&format!("enc.{name}"), &enc);
        let back = t.decrypt(&e);
        let expected = String::from_utf8(
            sops::stores::emit_plain(
                &sops::stores::load_plain(text.as_bytes(), sops::Format::from_path(&p)).unwrap(),
                sops::Format::from_path(&p),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(back, expected, "{name}");
    }
}

#[test]
fn in_place_keeps_permissions_and_leaves_no_temp_files() {
    let t = setup();
    let p = t.write("s.yaml", YAML);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    t.cmd()
        .args(["encrypt", "-i", "--age", &t.recipient])
        .arg(&p)
        .assert()
        .success();
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(t.read("s.yaml").contains("sops:"));
    t.no_stray_files();
    // Encrypting twice is refused with sops' exit code.
    t.cmd()
        .args(["encrypt", "-i", "--age", &t.recipient])
        .arg(&p)
        .assert()
        .code(203);
    t.cmd().args(["decrypt", "-i"]).arg(&p).assert().success();
    assert_eq!(t.read("s.yaml"), sops_normalized(YAML));
}

fn sops_normalized(yaml: &str) -> String {
    String::from_utf8(
        sops::stores::emit_plain(
            &sops::stores::load_plain(yaml.as_bytes(), sops::Format::Yaml).unwrap(),
            sops::Format::Yaml,
        )
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn recipients_come_from_sops_yaml_found_upward() {
    let t = setup();
    t.write(
        ".sops.yaml",
        &format!(
            "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    encrypted_regex: ^(password|api_token)$\n    age: {}\n",
            t.recipient
        ),
    );
    std::fs::create_dir_all(t.path("secrets/sub")).unwrap();
    let p = t.write("secrets/app.yaml", YAML);
    t.cmd()
        .current_dir(t.path("secrets/sub"))
        .args(["encrypt", "-i"])
        .arg(&p)
        .assert()
        .success();
    let enc = t.read("secrets/app.yaml");
    assert!(value_line(&enc, "password").contains("ENC["), "{enc}");
    assert_eq!(value_line(&enc, "user").trim(), "user: admin", "{enc}");
    assert!(
        enc.contains("encrypted_regex: ^(password|api_token)$"),
        "{enc}"
    );
    // No matching rule: exit 5; no config and no --age: exit 111.
    let other = t.write("other.yaml", YAML);
    t.cmd().args(["encrypt"]).arg(&other).assert().code(5);
    std::fs::remove_file(t.path(".sops.yaml")).unwrap();
    t.cmd().args(["encrypt"]).arg(&other).assert().code(111);
}

#[test]
fn decrypt_errors_have_documented_exit_codes() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    // Wrong key: 128, and the message names the recipient.
    let (other, _) = generate_identity();
    let out = t
        .cmd()
        .env("SOPS_AGE_KEY_FILE", t.write("other.txt", &other))
        .arg("decrypt")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(128));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&t.recipient));
    // Changed clear value: MAC mismatch 51; --ignore-mac decrypts.
    let text = t.read("s.yaml");
    t.write(
        "s.yaml",
        &text.replace("public_unencrypted: hello", "public_unencrypted: evil"),
    );
    t.cmd().arg("decrypt").arg(&p).assert().code(51);
    t.cmd()
        .args(["decrypt", "--ignore-mac"])
        .arg(&p)
        .assert()
        .success();
    // Value moved to another key: 25.
    let pw = value_line(&text, "password");
    let user = value_line(&text, "user");
    t.write(
        "s.yaml",
        &text.replace(&user, &pw.replace("password", "user")),
    );
    let out = t.cmd().arg("decrypt").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(25));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("s3cr3t"));
    // Missing file: 2.
    t.cmd().args(["decrypt", "nope.yaml"]).assert().code(2);
    // A plaintext file is not encrypted.
    let plain = t.write("plain.yaml", YAML);
    let out = t.cmd().arg("decrypt").arg(&plain).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not encrypted"));
}

#[test]
fn extract_prints_one_value() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let out = t
        .cmd()
        .args(["decrypt", "--extract", r#"["db"]["password"]"#])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "s3cr3t");
    let out = t
        .cmd()
        .args(["decrypt", "--extract", r#"["db"]["port"]"#])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "5432\n");
    t.cmd()
        .args(["decrypt", "--extract", r#"["db"]["nope"]"#])
        .arg(&p)
        .assert()
        .code(91);
    t.cmd()
        .args(["decrypt", "--extract", "db.password"])
        .arg(&p)
        .assert()
        .code(91);
}

#[test]
fn edit_changes_one_value_and_keeps_the_others_ciphertext() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let before = t.read("s.yaml");
    let ed = t.editor(
        "ed.sh",
        &format!(
            "stat -c '%a' \"$1\" > {0}/file-mode\nstat -c '%a' \"$(dirname \"$1\")\" > {0}/dir-mode\necho \"$1\" > {0}/where\nsed -i 's/password: s3cr3t/password: n3w/' \"$1\"",
            t.dir.path().display()
        ),
    );
    t.cmd()
        .env("EDITOR", &ed)
        .arg("edit")
        .arg(&p)
        .assert()
        .success();
    let after = t.read("s.yaml");
    assert_eq!(value_line(&before, "user"), value_line(&after, "user"));
    assert_eq!(
        value_line(&before, "api_token"),
        value_line(&after, "api_token")
    );
    assert_ne!(
        value_line(&before, "password"),
        value_line(&after, "password")
    );
    assert_ne!(value_line(&before, "mac"), value_line(&after, "mac"));
    assert!(t.decrypt(&p).contains("password: n3w"));
    assert_eq!(t.read("file-mode").trim(), "600");
    assert_eq!(t.read("dir-mode").trim(), "700");
    assert!(t
        .read("where")
        .starts_with(&t.runtime.path().display().to_string()));
    assert!(t.runtime_is_empty());
    t.no_stray_files();
    // The real sops reads the edited file and its MAC verifies.
    let out = t.sops(&["decrypt", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("password: n3w"));
}

#[test]
fn edit_uses_sops_editor_with_arguments() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let ed = t.editor(
        "ed.sh",
        "test \"$1\" = --flag\nsed -i 's/abc123/xyz/' \"$2\"",
    );
    t.cmd()
        .env("EDITOR", "false")
        .env("SOPS_EDITOR", format!("{ed} --flag"))
        .arg("edit")
        .arg(&p)
        .assert()
        .success();
    assert!(t.decrypt(&p).contains("api_token: xyz"));
}

#[test]
fn edit_without_change_does_not_rewrite() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let before = std::fs::read(&p).unwrap();
    t.cmd()
        .env("EDITOR", "true")
        .arg("edit")
        .arg(&p)
        .assert()
        .code(200);
    assert_eq!(std::fs::read(&p).unwrap(), before);
    assert!(t.runtime_is_empty());
}

#[test]
fn edit_with_failing_editor_changes_nothing_and_cleans_up() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let before = std::fs::read(&p).unwrap();
    let ed = t.editor("ed.sh", "echo 'garbage: [' > \"$1\"\nexit 1");
    t.cmd()
        .env("EDITOR", &ed)
        .arg("edit")
        .arg(&p)
        .assert()
        .code(201);
    assert_eq!(std::fs::read(&p).unwrap(), before);
    assert!(t.runtime_is_empty());
    t.cmd()
        .env("EDITOR", "/nonexistent/editor")
        .arg("edit")
        .arg(&p)
        .assert()
        .code(201);
    assert!(t.runtime_is_empty());
}

#[test]
fn edit_reopens_invalid_text_without_losing_it() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let state = t.path("calls");
    let ed = t.editor(
        "ed.sh",
        &format!(
            "n=$(cat {s} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {s}\nif [ $n = 1 ]; then printf 'db: [unclosed\\nmy_note: keep me\\n' > \"$1\"; exit 0; fi\ngrep -q 'my_note: keep me' \"$1\"\nprintf 'db: {{user: fixed}}\\nmy_note: keep me\\n' > \"$1\"",
            s = state.display()
        ),
    );
    let out = t
        .cmd()
        .env("EDITOR", &ed)
        .arg("edit")
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("yaml syntax error at"), "{err}");
    assert_eq!(t.read("calls").trim(), "2");
    let plain = t.decrypt(&p);
    assert!(
        plain.contains("my_note: keep me") && plain.contains("user: fixed"),
        "{plain}"
    );
    assert!(t.runtime_is_empty());
}

fn wait_for_file_in(dir: &Path) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() && std::fs::read_dir(e.path()).unwrap().next().is_some() {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn signal_test(sig: &str, whole_group: bool, expected: i32) {
    use std::os::unix::process::CommandExt;
    let t = setup();
    let p = t.encrypted("s.yaml");
    let before = std::fs::read(&p).unwrap();
    // `exec`, so the editor that edit kills is the sleeping process itself.
    let ed = t.editor("ed.sh", "sed -i 's/s3cr3t/changed/' \"$1\"\nexec sleep 30");
    let bin = assert_cmd::cargo::cargo_bin("secretctl");
    let mut child = std::process::Command::new(bin)
        .current_dir(t.dir.path())
        .env("SOPS_AGE_KEY_FILE", &t.keys)
        .env("XDG_RUNTIME_DIR", t.runtime.path())
        .env("EDITOR", &ed)
        .env_remove("SOPS_EDITOR")
        .process_group(0)
        .arg("edit")
        .arg(&p)
        .spawn()
        .unwrap();
    assert!(
        wait_for_file_in(t.runtime.path()),
        "the editor never started"
    );
    std::thread::sleep(Duration::from_millis(200));
    let target = if whole_group {
        format!("-{}", child.id())
    } else {
        child.id().to_string()
    };
    let st = std::process::Command::new("kill")
        .args([&format!("-{sig}"), "--", &target])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(expected), "{sig}");
    assert!(t.runtime_is_empty(), "plaintext left behind after {sig}");
    assert_eq!(std::fs::read(&p).unwrap(), before);
    t.no_stray_files();
}

#[test]
fn edit_cleans_up_on_sigterm() {
    signal_test("TERM", false, 143);
}

#[test]
fn edit_cleans_up_on_ctrl_c() {
    // Ctrl-C in a terminal signals the whole foreground process group.
    signal_test("INT", true, 130);
}

#[test]
fn edit_creates_a_new_file_from_the_creation_rule() {
    let t = setup();
    t.write(
        ".sops.yaml",
        &format!("creation_rules:\n  - age: {}\n", t.recipient),
    );
    let ed = t.editor("ed.sh", "printf 'token: fresh\\n' > \"$1\"");
    let p = t.path("new.yaml");
    t.cmd()
        .env("EDITOR", &ed)
        .arg("edit")
        .arg(&p)
        .assert()
        .success();
    let enc = t.read("new.yaml");
    assert!(enc.contains(&t.recipient));
    assert_eq!(t.decrypt(&p), "token: fresh\n");
    let out = t.sops(&["decrypt", p.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "token: fresh\n");
    // Leaving the empty buffer untouched creates nothing.
    let q = t.path("untouched.yaml");
    t.cmd()
        .env("EDITOR", "true")
        .arg("edit")
        .arg(&q)
        .assert()
        .code(200);
    assert!(!q.exists());
}

#[test]
fn set_and_unset_values() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let before = t.read("s.yaml");
    t.cmd()
        .args(["set"])
        .arg(&p)
        .args([r#"["db"]["password"]"#, r#""rotated""#])
        .assert()
        .success();
    t.cmd()
        .args(["set"])
        .arg(&p)
        .args([r#"["new"]["nested"]"#, r#"{"a": [1, "x"]}"#])
        .assert()
        .success();
    let after = t.read("s.yaml");
    assert_eq!(value_line(&before, "user"), value_line(&after, "user"));
    let plain = t.decrypt(&p);
    assert!(plain.contains("password: rotated"), "{plain}");
    assert!(
        plain.contains("new:\n    nested:\n        a:\n            - 1\n            - x\n"),
        "{plain}"
    );
    t.cmd()
        .arg("unset")
        .arg(&p)
        .arg(r#"["api_token"]"#)
        .assert()
        .success();
    assert!(!t.decrypt(&p).contains("api_token"));
    t.cmd()
        .arg("unset")
        .arg(&p)
        .arg(r#"["api_token"]"#)
        .assert()
        .code(91);
    t.cmd()
        .arg("set")
        .arg(&p)
        .args([r#"["x"]"#, "not json"])
        .assert()
        .code(1);
    let out = t.sops(&["decrypt", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn keygen_writes_a_private_identity_that_age_accepts() {
    let t = setup();
    let k = t.path("id.txt");
    let out = t.cmd().args(["keygen", "-o"]).arg(&k).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let recipient = stderr
        .trim()
        .strip_prefix("Public key: ")
        .unwrap()
        .to_string();
    assert_eq!(
        std::fs::metadata(&k).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Debian's age-keygen derives the same recipient.
    let y = std::process::Command::new(find_on_path("age-keygen"))
        .arg("-y")
        .arg(&k)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&y.stdout).trim(), recipient);
    // Never overwrites.
    t.cmd().args(["keygen", "-o"]).arg(&k).assert().code(3);
}

/// The README's first command on a fresh home: ~/.config/sops/age is missing.
#[test]
fn keygen_creates_missing_directories_private() {
    let t = setup();
    let k = t.path("home/.config/sops/age/keys.txt");
    t.cmd().args(["keygen", "-o"]).arg(&k).assert().success();
    assert!(t
        .read("home/.config/sops/age/keys.txt")
        .contains("AGE-SECRET-KEY-1"));
    for d in ["home/.config", "home/.config/sops", "home/.config/sops/age"] {
        let mode = std::fs::metadata(t.path(d)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{d}");
    }
}

#[test]
fn filestatus_reports_encryption() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let plain = t.write("p.yaml", YAML);
    t.cmd()
        .arg("filestatus")
        .arg(&p)
        .assert()
        .success()
        .stdout("{\"encrypted\":true}\n");
    t.cmd()
        .arg("filestatus")
        .arg(&plain)
        .assert()
        .success()
        .stdout("{\"encrypted\":false}\n");
}

#[test]
fn updatekeys_adds_a_recipient_without_touching_values() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let before = t.read("s.yaml");
    let (secret2, r2) = generate_identity();
    t.write(
        ".sops.yaml",
        &format!("creation_rules:\n  - age: {},{r2}\n", t.recipient),
    );
    let out = t.cmd().args(["updatekeys", "-y"]).arg(&p).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("+++ {r2}")));
    let after = t.read("s.yaml");
    assert_eq!(
        value_line(&before, "password"),
        value_line(&after, "password")
    );
    assert_eq!(value_line(&before, "mac"), value_line(&after, "mac"));
    // The new key alone decrypts it, with us and with sops.
    let k2 = t.write("k2.txt", &format!("{}\n", &*secret2));
    t.cmd()
        .env("SOPS_AGE_KEY_FILE", &k2)
        .arg("decrypt")
        .arg(&p)
        .assert()
        .success();
    let out = std::process::Command::new(find_on_path("sops"))
        .args(["decrypt", p.to_str().unwrap()])
        .env("SOPS_AGE_KEY_FILE", &k2)
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without -y and without a terminal: refuses.
    t.write(".sops.yaml", &format!("creation_rules:\n  - age: {r2}\n"));
    t.cmd().arg("updatekeys").arg(&p).assert().code(1);
    // A key secretctl cannot encrypt to is refused before the question.
    t.write(
        ".sops.yaml",
        &format!(
            "creation_rules:\n  - age: {r2}\n    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n"
        ),
    );
    let out = t.cmd().arg("updatekeys").arg(&p).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("encrypts only to age keys"), "{err}");
    assert!(!err.contains("confirmation"), "{err}");
}

#[test]
fn rotate_changes_every_ciphertext() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let before = t.read("s.yaml");
    t.cmd().args(["rotate", "-i"]).arg(&p).assert().success();
    let after = t.read("s.yaml");
    for k in ["user", "password", "api_token", "mac"] {
        assert_ne!(value_line(&before, k), value_line(&after, k), "{k}");
    }
    // The data key is wrapped anew.
    let armor = |t: &str| {
        t.lines()
            .skip_while(|l| !l.contains("BEGIN AGE"))
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_ne!(armor(&before), armor(&after));
    assert_eq!(t.decrypt(&p), sops_normalized(YAML));
}

#[test]
fn exec_env_and_exec_file() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let out = t
        .cmd()
        .arg("exec-env")
        .arg(&p)
        .arg("printf %s \"$api_token\"")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "abc123");
    let out = t
        .cmd()
        .arg("exec-file")
        .arg(&p)
        .arg("grep -c s3cr3t {}; stat -c %a {}")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n600\n");
    assert!(t.runtime_is_empty());
    let st = t
        .cmd()
        .arg("exec-env")
        .arg(&p)
        .arg("exit 7")
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(7));
}

#[test]
fn sops_encrypted_files_decrypt_with_secretctl() {
    let t = setup();
    let p = t.write("x.yaml", YAML);
    let out = t.sops(&["encrypt", "--age", &t.recipient, "-i", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ref_out = t.sops(&["decrypt", p.to_str().unwrap()]);
    assert_eq!(t.decrypt(&p), String::from_utf8_lossy(&ref_out.stdout));
}

#[test]
fn help_documents_exit_codes_and_examples() {
    let out = Command::cargo_bin("secretctl")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Exit codes"), "{s}");
    assert!(s.contains("Examples"), "{s}");
    assert!(s.contains("51   MAC mismatch"), "{s}");
}

#[test]
fn identities_from_sops_age_key_and_key_cmd() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let keys = std::fs::read_to_string(&t.keys).unwrap();
    let missing = t.path("missing.txt");
    // The key itself in SOPS_AGE_KEY.
    t.cmd()
        .env("SOPS_AGE_KEY_FILE", &missing)
        .env("SOPS_AGE_KEY", &keys)
        .arg("decrypt")
        .arg(&p)
        .assert()
        .success();
    // A command that prints it.
    t.cmd()
        .env("SOPS_AGE_KEY_FILE", &missing)
        .env("SOPS_AGE_KEY_CMD", format!("cat {}", t.keys.display()))
        .arg("decrypt")
        .arg(&p)
        .assert()
        .success();
    // The default keys.txt under XDG_CONFIG_HOME.
    let cfg = t.path("cfg");
    std::fs::create_dir_all(cfg.join("sops/age")).unwrap();
    std::fs::copy(&t.keys, cfg.join("sops/age/keys.txt")).unwrap();
    t.cmd()
        .env_remove("SOPS_AGE_KEY_FILE")
        .env("XDG_CONFIG_HOME", &cfg)
        .arg("decrypt")
        .arg(&p)
        .assert()
        .success();
    // Nothing: exit 128 and a hint on how to provide a key.
    let out = t
        .cmd()
        .env_remove("SOPS_AGE_KEY_FILE")
        .env("HOME", t.path("nohome"))
        .arg("decrypt")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(128));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SOPS_AGE_KEY_FILE"));
}

#[test]
fn sops_edit_of_our_file_reads_back() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let ed = t.editor("ed.sh", "sed -i 's/abc123/changed-by-sops/' \"$1\"");
    let out = std::process::Command::new(find_on_path("sops"))
        .args(["edit", p.to_str().unwrap()])
        .current_dir(t.dir.path())
        .env("SOPS_AGE_KEY_FILE", &t.keys)
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .env("EDITOR", &ed)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = t.decrypt(&p);
    assert!(plain.contains("api_token: changed-by-sops"), "{plain}");
    assert!(plain.contains("password: s3cr3t"), "{plain}");
}

/// An ed25519 SSH key protected by the passphrase `pass`, made with
/// `ssh-keygen -N pass` at `path`; returns its public key line.
fn protected_ssh_key(path: &Path) -> String {
    let out = std::process::Command::new(find_on_path("ssh-keygen"))
        .args(["-q", "-t", "ed25519", "-N", "pass", "-C", "test", "-f"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(path.with_extension("pub"))
        .unwrap()
        .trim()
        .to_string()
}

/// Runs `secretctl ARGS` under `script`, which gives it a terminal; `typed`
/// is what the user types there. Returns the exit status and what the
/// terminal showed.
fn on_terminal(
    t: &T,
    env: &[(&str, &std::ffi::OsStr)],
    args: &str,
    typed: &str,
) -> (std::process::ExitStatus, String) {
    use std::io::Write;
    let bin = assert_cmd::cargo::cargo_bin("secretctl");
    let mut cmd = std::process::Command::new(find_on_path("script"));
    cmd.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .current_dir(t.dir.path())
        .env("XDG_CONFIG_HOME", t.path("no-config"))
        .env_remove("SOPS_AGE_KEY")
        .env_remove("SOPS_AGE_KEY_CMD")
        .env_remove("SOPS_AGE_KEY_FILE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // Keep the input open until the command ends: `script` may stop at its
    // EOF. Type only once the prompt shows (echo is off by then).
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut shown = Vec::new();
    let mut buf = [0u8; 4096];
    let mut typed_yet = typed.is_empty();
    loop {
        if !typed_yet && String::from_utf8_lossy(&shown).contains("passphrase for") {
            stdin.write_all(typed.as_bytes()).unwrap();
            typed_yet = true;
        }
        match std::io::Read::read(&mut stdout, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => shown.extend_from_slice(&buf[..n]),
        }
    }
    let status = child.wait().unwrap();
    drop(stdin);
    (status, String::from_utf8_lossy(&shown).into_owned())
}

#[test]
fn passphrase_protected_ssh_keys_are_asked_for_on_the_terminal() {
    let t = setup();
    let home = t.path("home");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    let key = home.join(".ssh/id_ed25519");
    let public = protected_ssh_key(&key);
    let p = t.write("s.yaml", YAML);
    t.cmd()
        .args(["encrypt", "-i", "--age", &public])
        .arg(&p)
        .assert()
        .success();
    // From SOPS_AGE_SSH_PRIVATE_KEY_FILE, prompted as sops prompts (and
    // the prompt erased), the passphrase not echoed.
    let (status, shown) = on_terminal(
        &t,
        &[
            ("HOME", t.path("nohome").as_os_str()),
            ("SOPS_AGE_SSH_PRIVATE_KEY_FILE", key.as_os_str()),
        ],
        "decrypt --output plain.yaml s.yaml",
        "pass\n",
    );
    assert!(status.success(), "{shown}");
    assert!(
        shown.contains(&format!("Enter passphrase for \"{}\":", key.display())),
        "{shown}"
    );
    assert!(
        !shown.contains("pass\r"),
        "the passphrase was echoed: {shown:?}"
    );
    assert!(
        !shown.contains("pass\n"),
        "the passphrase was echoed: {shown:?}"
    );
    assert_eq!(t.read("plain.yaml"), sops_normalized(YAML));
    // From ~/.ssh/id_ed25519.
    let (status, shown) = on_terminal(
        &t,
        &[("HOME", home.as_os_str())],
        "decrypt --output plain2.yaml s.yaml",
        "pass\n",
    );
    assert!(status.success(), "{shown}");
    assert_eq!(t.read("plain2.yaml"), sops_normalized(YAML));
    // A wrong passphrase: exit 128, and it says so.
    let (status, shown) = on_terminal(
        &t,
        &[("HOME", home.as_os_str())],
        "decrypt s.yaml",
        "wrong\n",
    );
    assert_eq!(status.code(), Some(128), "{shown}");
    assert!(shown.contains("wrong passphrase"), "{shown}");
    // No terminal (a new session without one): a clear error, no hang.
    let out = std::process::Command::new(find_on_path("setsid"))
        .arg("-w")
        .arg(assert_cmd::cargo::cargo_bin("secretctl"))
        .args(["decrypt", "s.yaml"])
        .current_dir(t.dir.path())
        .env_remove("SOPS_AGE_KEY_FILE")
        .env("HOME", &home)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(128));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/dev/tty is not available"), "{err}");
    // A file encrypted to an age key decrypts without asking, although the
    // protected key is there.
    let q = t.encrypted("age.yaml");
    let (status, shown) = on_terminal(
        &t,
        &[
            ("HOME", home.as_os_str()),
            ("SOPS_AGE_KEY_FILE", t.keys.as_os_str()),
        ],
        "decrypt --output plain3.yaml age.yaml",
        "",
    );
    assert!(status.success(), "{shown}");
    assert!(!shown.contains("passphrase"), "{shown}");
    drop(q);
}

/// Runs the real sops with `env` (and no age key unless `env` gives one).
fn sops_with(t: &T, env: &[(&str, &std::ffi::OsStr)], args: &[&str]) -> std::process::Output {
    let mut c = std::process::Command::new(find_on_path("sops"));
    c.args(args)
        .current_dir(t.dir.path())
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .env("SOPS_AGE_KEY_FILE", t.path("no-such-keys.txt"))
        .env("XDG_CONFIG_HOME", t.path("no-config"))
        .env("HOME", t.path("nohome"));
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A throwaway GnuPG home with one key (sign + encrypt, no passphrase);
/// returns its fingerprint.
fn gpg_key(home: &Path, name: &str) -> String {
    std::fs::create_dir_all(home).unwrap();
    std::fs::set_permissions(home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let gpg = find_on_path("gpg");
    let out = std::process::Command::new(&gpg)
        .args(["--batch", "--quiet", "--passphrase", "", "--quick-gen-key"])
        .arg(format!("{name} <{name}@example.org>"))
        .args(["default", "default", "never"])
        .env("GNUPGHOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new(&gpg)
        .args(["--batch", "--with-colons", "--list-keys"])
        .arg(format!("{name}@example.org"))
        .env("GNUPGHOME", home)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_string())
        .expect("a fingerprint")
}

/// Stops the gpg-agents of GnuPG homes when dropped.
struct GpgAgents(Vec<PathBuf>);

impl Drop for GpgAgents {
    fn drop(&mut self) {
        for home in &self.0 {
            let _ = std::process::Command::new("gpgconf")
                .args(["--kill", "gpg-agent"])
                .env("GNUPGHOME", home)
                .output();
        }
    }
}

/// The `pgp:` block of a sops YAML file, verbatim.
fn pgp_block(yaml: &str) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "    pgp:")
        .expect("a pgp block");
    let len = lines[start + 1..]
        .iter()
        .take_while(|l| l.starts_with("        "))
        .count();
    lines[start..=start + len].join("\n")
}

#[test]
fn pgp_entries_survive_edit_set_unset_and_updatekeys() {
    let t = setup();
    let gnupg = t.path("gnupg");
    let _agents = GpgAgents(vec![gnupg.clone(), t.path("gnupg2")]);
    let fp = gpg_key(&gnupg, "sops");
    let g = [("GNUPGHOME", gnupg.as_os_str())];
    let k = [
        ("GNUPGHOME", gnupg.as_os_str()),
        ("SOPS_AGE_KEY_FILE", t.keys.as_os_str()),
    ];
    let p = t.write("s.yaml", YAML);
    let out = sops_with(
        &t,
        &k,
        &[
            "encrypt",
            "-i",
            "--age",
            &t.recipient,
            "--pgp",
            &fp,
            "s.yaml",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let original = pgp_block(&t.read("s.yaml"));
    // sops reading with the PGP key only: it still holds the data key.
    let by_pgp = |t: &T| {
        let out = sops_with(t, &g, &["decrypt", "s.yaml"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };

    t.cmd()
        .args(["set"])
        .arg(&p)
        .args([r#"["db"]["user"]"#, r#""root""#])
        .assert()
        .success();
    t.cmd()
        .arg("unset")
        .arg(&p)
        .arg(r#"["api_token"]"#)
        .assert()
        .success();
    let ed = t.editor("ed.sh", "sed -i 's/5432/6543/' \"$1\"");
    t.cmd()
        .env("EDITOR", &ed)
        .arg("edit")
        .arg(&p)
        .assert()
        .success();
    assert_eq!(pgp_block(&t.read("s.yaml")), original);
    let plain = by_pgp(&t);
    assert!(plain.contains("user: root"), "{plain}");
    assert!(plain.contains("port: 6543"), "{plain}");
    assert!(!plain.contains("api_token"), "{plain}");

    // rotate cannot encrypt a new data key to the PGP key: refused, says
    // why and what to do, and changes nothing.
    let before = t.read("s.yaml");
    let out = t.cmd().args(["rotate", "-i"]).arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("pgp {fp}")) && err.contains("sops rotate"),
        "{err}"
    );
    assert_eq!(t.read("s.yaml"), before);

    // updatekeys with a rule that still names the PGP key: a new age key
    // is added, the PGP entry kept as it was (same data key).
    let (secret2, r2) = generate_identity();
    t.write(
        ".sops.yaml",
        &format!(
            "creation_rules:\n  - age: {},{r2}\n    pgp: {fp}\n",
            t.recipient
        ),
    );
    let out = t.cmd().args(["updatekeys", "-y"]).arg(&p).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("+++ {r2}")));
    assert_eq!(pgp_block(&t.read("s.yaml")), original);
    assert_eq!(by_pgp(&t), plain);
    let k2 = t.write("k2.txt", &format!("{}\n", &*secret2));
    let out = sops_with(
        &t,
        &[("SOPS_AGE_KEY_FILE", k2.as_os_str())],
        &["decrypt", "s.yaml"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Again: nothing to do.
    let out = t.cmd().args(["updatekeys", "-y"]).arg(&p).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("already up to date"));

    // A rule adding a PGP key the file does not have: refused.
    let fp2 = gpg_key(&t.path("gnupg2"), "other");
    t.write(
        ".sops.yaml",
        &format!(
            "creation_rules:\n  - age: {},{r2}\n    pgp: {fp},{fp2}\n",
            t.recipient
        ),
    );
    let before = t.read("s.yaml");
    let out = t.cmd().args(["updatekeys", "-y"]).arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("pgp {fp2}")) && err.contains("sops updatekeys"),
        "{err}"
    );
    assert_eq!(t.read("s.yaml"), before);

    // A rule without it: the PGP entry is removed (and shown as removed).
    t.write(
        ".sops.yaml",
        &format!("creation_rules:\n  - age: {}\n", t.recipient),
    );
    let out = t.cmd().args(["updatekeys", "-y"]).arg(&p).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("--- pgp {fp}")) && err.contains(&format!("--- {r2}")),
        "{err}"
    );
    assert!(!t.read("s.yaml").contains("pgp:"));
    assert!(!sops_with(&t, &g, &["decrypt", "s.yaml"]).status.success());
    assert_eq!(t.decrypt(&p), plain);
}

#[test]
fn pgp_entries_survive_in_every_format() {
    let t = setup();
    let gnupg = t.path("gnupg");
    let _agents = GpgAgents(vec![gnupg.clone()]);
    let fp = gpg_key(&gnupg, "sops");
    let g = [("GNUPGHOME", gnupg.as_os_str())];
    let k = [
        ("GNUPGHOME", gnupg.as_os_str()),
        ("SOPS_AGE_KEY_FILE", t.keys.as_os_str()),
    ];
    for (name, text, path, value) in [
        ("s.json", "{\"a\": \"b\"}", r#"["c"]"#, "\"d\""),
        ("s.env", "A=1\n", r#"["C"]"#, "\"3\""),
        ("s.ini", "[s]\na = 1\n", r#"["s"]["c"]"#, "\"3\""),
        ("s.bin", "raw\u{1}bytes", r#"["data"]"#, "\"changed\""),
    ] {
        let p = t.write(name, text);
        let out = sops_with(
            &t,
            &k,
            &["encrypt", "-i", "--age", &t.recipient, "--pgp", &fp, name],
        );
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t.cmd()
            .arg("set")
            .arg(&p)
            .args([path, value])
            .assert()
            .success();
        let text = t.read(name);
        assert!(text.contains(&fp), "{name}: {text}");
        let out = sops_with(&t, &g, &["decrypt", name]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let plain = String::from_utf8_lossy(&out.stdout);
        assert!(plain.contains(value.trim_matches('"')), "{name}: {plain}");
    }
}

#[test]
fn shamir_threshold_flag_overrides_the_rule() {
    let t = setup();
    let mut secrets = Vec::new();
    let mut recipients = Vec::new();
    for _ in 0..3 {
        let (s, r) = generate_identity();
        secrets.push(s.to_string());
        recipients.push(r);
    }
    let groups: String = recipients
        .iter()
        .map(|r| format!("      - age:\n          - {r}\n"))
        .collect();
    t.write(
        ".sops.yaml",
        &format!("creation_rules:\n  - shamir_threshold: 3\n    key_groups:\n{groups}"),
    );
    let two = t.write("two.txt", &format!("{}\n{}\n", secrets[0], secrets[2]));
    let all = t.write("all.txt", &secrets.join("\n"));
    let sops_reads = |t: &T, keys: &Path, name: &str| {
        sops_with(
            t,
            &[("SOPS_AGE_KEY_FILE", keys.as_os_str())],
            &["decrypt", name],
        )
        .status
        .success()
    };
    // encrypt: 2 of the 3 groups instead of the rule's 3.
    let p = t.write("s.yaml", YAML);
    t.cmd()
        .args(["encrypt", "-i", "--shamir-secret-sharing-threshold", "2"])
        .arg(&p)
        .assert()
        .success();
    assert!(t.read("s.yaml").contains("shamir_threshold: 2"));
    assert!(sops_reads(&t, &two, "s.yaml"));
    // rotate: back to 3; two keys are no longer enough.
    t.cmd()
        .args(["rotate", "-i", "--shamir-secret-sharing-threshold", "3"])
        .env("SOPS_AGE_KEY_FILE", &all)
        .arg(&p)
        .assert()
        .success();
    assert!(t.read("s.yaml").contains("shamir_threshold: 3"));
    assert!(!sops_reads(&t, &two, "s.yaml"));
    assert!(sops_reads(&t, &all, "s.yaml"));
    // updatekeys: 2 again (the rule says 3), the change shown.
    let out = t
        .cmd()
        .args(["updatekeys", "-y", "--shamir-secret-sharing-threshold", "2"])
        .env("SOPS_AGE_KEY_FILE", &all)
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("+++ shamir_threshold: 2") && err.contains("--- shamir_threshold: 3"),
        "{err}"
    );
    assert!(sops_reads(&t, &two, "s.yaml"));
    // edit of a new file.
    let ed = t.editor("ed.sh", "printf 'k: v\\n' > \"$1\"");
    t.cmd()
        .args(["edit", "--shamir-secret-sharing-threshold", "2"])
        .env("EDITOR", &ed)
        .arg(t.path("new.yaml"))
        .assert()
        .success();
    assert!(t.read("new.yaml").contains("shamir_threshold: 2"));
    assert!(sops_reads(&t, &two, "new.yaml"));
    // More groups than there are: refused.
    t.cmd()
        .args(["encrypt", "--shamir-secret-sharing-threshold", "4"])
        .arg(t.write("x.yaml", "a: 1\n"))
        .assert()
        .code(1);
    t.cmd()
        .args(["encrypt", "--shamir-secret-sharing-threshold", "0"])
        .arg(t.path("x.yaml"))
        .assert()
        .code(2);
    // One group: kept in the metadata as sops keeps it.
    let out = t
        .cmd()
        .args([
            "encrypt",
            "--age",
            &t.recipient,
            "--shamir-secret-sharing-threshold",
            "2",
        ])
        .arg(t.path("x.yaml"))
        .output()
        .unwrap();
    let ours = String::from_utf8(out.stdout).unwrap();
    let theirs = String::from_utf8(
        sops_with(
            &t,
            &[],
            &[
                "encrypt",
                "--age",
                &t.recipient,
                "--shamir-secret-sharing-threshold",
                "2",
                "x.yaml",
            ],
        )
        .stdout,
    )
    .unwrap();
    let shape = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with(' ') || l.starts_with("    ") && !l.starts_with("     "))
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(shape(&ours), shape(&theirs), "{ours}\n{theirs}");
    assert!(ours.contains("    shamir_threshold: 2\n"), "{ours}");
}

#[test]
fn binary_files_are_encrypted_as_they_are_read() {
    let t = setup();
    let data: Vec<u8> = (0..2_500_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let p = t.path("big.bin");
    std::fs::write(&p, &data).unwrap();
    // In place (through a temporary file), then back.
    t.cmd()
        .args(["encrypt", "-i", "--age", &t.recipient])
        .arg(&p)
        .assert()
        .success();
    t.no_stray_files();
    let out = t.cmd().arg("decrypt").arg(&p).output().unwrap();
    assert!(out.stdout == data);
    let out = t.sops(&["decrypt", p.to_str().unwrap()]);
    assert!(out.status.success() && out.stdout == data);
    // From stdin.
    let out = t
        .cmd()
        .args([
            "encrypt",
            "--age",
            &t.recipient,
            "--input-type",
            "binary",
            "-",
        ])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let e = t.path("stdin.enc");
    std::fs::write(&e, &out.stdout).unwrap();
    let out = t
        .cmd()
        .args(["decrypt", "--input-type", "json", "--output-type", "binary"])
        .arg(&e)
        .output()
        .unwrap();
    assert!(out.stdout == data);
    // Unreadable input: exit 2, nothing written.
    t.cmd()
        .args(["encrypt", "--age", &t.recipient, "--input-type", "binary"])
        .arg(t.dir.path())
        .assert()
        .code(2);
}

#[test]
fn exec_file_never_lets_the_shell_parse_the_file_name() {
    let t = setup();
    let plain = t.write("plain.yaml", YAML);
    let names = [
        "x$(touch PWNED).yaml",
        "b`touch PWNED2`.yaml",
        "q'uo\"te.yaml",
        "with space.yaml",
        "new\nline.yaml",
        "-dash.yaml",
        "e.x$(touch PWNED3)",
    ];
    for name in names {
        // A name without a known extension is a binary file.
        let ty = if name.ends_with(".yaml") {
            "yaml"
        } else {
            "binary"
        };
        t.cmd()
            .args(["encrypt", "--age", &t.recipient, "--input-type", ty])
            .arg("--output")
            .arg(t.path(name))
            .arg(&plain)
            .assert()
            .success();
        // As a CI loop over secrets/* would pass it: relative, after `--`.
        let out = t
            .cmd()
            .args(["exec-file", "--", name])
            .arg("grep -c s3cr3t {}; basename '{}'; ls \"{}\" >/dev/null")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expect = if name.ends_with(".yaml") {
            "1\nsecret.yaml\n"
        } else {
            // Not a plain extension: the name is "secret".
            "1\nsecret\n"
        };
        assert_eq!(
            stdout,
            expect,
            "{name:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{name:?}");
        assert!(t.runtime_is_empty());
    }
    for pwned in ["PWNED", "PWNED2", "PWNED3"] {
        assert!(!t.path(pwned).exists(), "a file name ran code: {pwned}");
    }
}

/// Runs `exec-file` with a command that traps `sig`, sends `sig` to
/// secretctl alone, and checks the signal reached the command, the exit
/// code is 128 + its number and the plaintext is gone.
fn exec_file_signal_test(sig: &str, number: i32) {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let got = t.path("got");
    let ready = t.path("ready");
    let script = format!(
        "trap 'echo {sig} > \"{got}\"; kill $! 2>/dev/null; exit 0' {sig}\n\
         sleep 30 </dev/null >/dev/null 2>&1 &\n\
         touch \"{ready}\"\n\
         wait",
        got = got.display(),
        ready = ready.display()
    );
    let bin = assert_cmd::cargo::cargo_bin("secretctl");
    let mut child = std::process::Command::new(bin)
        .current_dir(t.dir.path())
        .env("SOPS_AGE_KEY_FILE", &t.keys)
        .env("XDG_RUNTIME_DIR", t.runtime.path())
        .args(["exec-file"])
        .arg(&p)
        .arg(&script)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !ready.exists() {
        assert!(start.elapsed() < Duration::from_secs(20), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!t.runtime_is_empty());
    let st = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + number), "{sig}");
    assert!(t.runtime_is_empty(), "plaintext left behind after {sig}");
    assert_eq!(
        std::fs::read_to_string(&got).unwrap_or_default().trim(),
        sig,
        "the signal was not passed on to the command"
    );
}

#[test]
fn exec_file_cleans_up_on_sigterm() {
    exec_file_signal_test("TERM", 15);
}

#[test]
fn exec_file_cleans_up_on_sigint() {
    exec_file_signal_test("INT", 2);
}

#[test]
fn exec_file_cleans_up_on_sighup() {
    exec_file_signal_test("HUP", 1);
}

#[test]
fn exec_file_cleans_up_on_sigquit() {
    exec_file_signal_test("QUIT", 3);
}

#[test]
fn edit_cleans_up_on_sigquit() {
    // Ctrl-\ in a terminal: the whole foreground group.
    signal_test("QUIT", true, 131);
}

#[test]
fn core_dumps_are_off_while_plaintext_is_held() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let bin = assert_cmd::cargo::cargo_bin("secretctl");
    // The command inherits secretctl's limit on core files.
    let out = t
        .cmd()
        .env("BIN", &bin)
        .env("FILE", &p)
        .args(["exec-env", &p.to_string_lossy()])
        .arg(
            "ulimit -c \"$(ulimit -H -c)\"; ulimit -c; \
             exec \"$BIN\" exec-file \"$FILE\" 'ulimit -c'",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert_ne!(lines.next(), Some("0"), "no core limit to lower: {stdout}");
    assert_eq!(lines.next(), Some("0"), "{stdout}");
}

fn mode_of(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn plaintext_outputs_are_private_whatever_the_umask() {
    let t = setup();
    let p = t.encrypted("s.yaml");
    let bin = assert_cmd::cargo::cargo_bin("secretctl");
    let under_umask = |umask: &str, args: &str| {
        let out = t
            .cmd()
            .env("BIN", &bin)
            .args(["exec-env", &p.to_string_lossy()])
            .arg(format!("umask {umask}; exec \"$BIN\" {args}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for umask in ["022", "077", "000"] {
        let _ = std::fs::remove_file(t.path("out.yaml"));
        under_umask(umask, "decrypt --output out.yaml s.yaml");
        assert_eq!(mode_of(&t.path("out.yaml")), 0o600, "umask {umask}");
        // Replacing an existing (readable) file does not keep its mode.
        std::fs::set_permissions(t.path("out.yaml"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        under_umask(
            umask,
            "decrypt --extract '[\"api_token\"]' --output out.yaml s.yaml",
        );
        assert_eq!(t.read("out.yaml"), "abc123");
        assert_eq!(mode_of(&t.path("out.yaml")), 0o600, "umask {umask}");
    }
    // Encrypted outputs follow the umask, as in sops.
    t.write("plain.yaml", YAML);
    for (umask, mode) in [("022", 0o644), ("077", 0o600), ("027", 0o640)] {
        let _ = std::fs::remove_file(t.path("enc.yaml"));
        under_umask(
            umask,
            &format!("encrypt --age {} --output enc.yaml plain.yaml", t.recipient),
        );
        assert_eq!(mode_of(&t.path("enc.yaml")), mode, "umask {umask}");
    }
    // In place, the file keeps its mode.
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    under_umask("000", "decrypt --in-place s.yaml");
    assert_eq!(mode_of(&p), 0o640);
    assert!(t.read("s.yaml").contains("s3cr3t"));
}

#[test]
fn set_and_edit_write_through_symlinks() {
    let t = setup();
    std::fs::create_dir(t.path("shared")).unwrap();
    let real = t.encrypted("shared/real.yaml");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = t.path("link.yaml");
    std::os::unix::fs::symlink("shared/real.yaml", &link).unwrap();
    t.cmd()
        .args(["set", "link.yaml", "[\"api_token\"]", "\"rotated\""])
        .assert()
        .success();
    let ed = t.editor("ed.sh", "sed -i 's/s3cr3t/edited/' \"$1\"");
    t.cmd()
        .env("EDITOR", &ed)
        .args(["edit", "link.yaml"])
        .assert()
        .success();
    for p in [&link, &real] {
        let plain = t.decrypt(p);
        assert!(
            plain.contains("api_token: rotated") && plain.contains("password: edited"),
            "{plain}"
        );
    }
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mode_of(&real), 0o640);
    assert_eq!(std::fs::read_dir(t.path("shared")).unwrap().count(), 1);
    t.no_stray_files();
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused_with_the_file_named() {
    let t = setup();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    t.write("bomb.yaml", &bomb);
    t.write("deep.yaml", &format!("a:\n{}x\n", "- ".repeat(10_000)));
    let bin = assert_cmd::cargo::cargo_bin("secretctl");
    // Memory is capped (2 GiB), so that a build without limits fails
    // instead of taking the machine's memory.
    let run = |args: &str| {
        let start = Instant::now();
        let mut sh = std::process::Command::new("sh");
        sh.arg("-c")
            .arg(format!("ulimit -v 2097152; exec \"$BIN\" {args}"))
            .env("BIN", &bin)
            .env("SOPS_AGE_KEY_FILE", &t.keys)
            .current_dir(t.dir.path());
        let out = sh.output().unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{args}: too slow"
        );
        out
    };
    for (file, what, loc) in [
        ("bomb.yaml", "aliases expand to more", "6:"),
        ("deep.yaml", "nesting deeper than 256 levels", "2:513"),
    ] {
        let out = run(&format!("encrypt --age {} {file}", t.recipient));
        let err = String::from_utf8_lossy(&out.stderr);
        // sops exits 2 for a file it cannot read or parse.
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(&format!("{file}: yaml syntax error at {loc}")) && err.contains(what),
            "{err}"
        );
        let out = run(&format!("decrypt {file}"));
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(what));
        let out = run(&format!("filestatus {file}"));
        assert!(out.status.success(), "{file}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "{\"encrypted\":false}\n"
        );
    }
}
