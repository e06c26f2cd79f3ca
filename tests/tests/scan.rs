//! End-to-end tests of `secretctl scan` and `secretctl hook` in real git
//! repositories: staged blobs vs the working tree, no commits yet, merges,
//! worktrees, odd file names, binary files, history, baselines, and the
//! hook blocking (and auto-encrypting for) a real `git commit`.

use dnsctl_e2e::{binary, Run};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

// Fake secrets, built at run time so this file holds none in plain sight.
fn gh_token() -> String {
    format!("ghp_{}", "6e1iqgfr7f0246gxb9v66tm8hyb7nfc4qz49")
}
fn password_line() -> String {
    format!(
        "POSTGRES_PASSWORD: {}\n",
        ["Sommer", "fest", "2024!"].concat()
    )
}

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn git_in(&self, dir: &Path, args: &[&str]) -> std::process::Output {
        Command::new("git")
            .args([
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@example.invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("git")
    }
    fn git(&self, args: &[&str]) -> String {
        let o = self.git_in(self.path(), args);
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    fn write(&self, rel: &str, data: impl AsRef<[u8]>) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    fn secretctl_in(&self, dir: &Path, args: &[&str]) -> Run {
        Run(Command::new(binary("secretctl", "secretctl"))
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("run secretctl"))
    }
    fn secretctl(&self, args: &[&str]) -> Run {
        self.secretctl_in(self.path(), args)
    }
    fn findings(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut a = args.to_vec();
        a.push("--json");
        let r = self.secretctl(&a);
        assert!(r.code() == 0 || r.code() == 1, "{}", r.stderr());
        serde_json::from_str::<Vec<serde_json::Value>>(&r.stdout()).unwrap()
    }
}

fn no_secret_in(run: &Run, secret: &str) {
    assert!(
        !run.stdout().contains(secret),
        "secret printed: {}",
        run.stdout()
    );
    assert!(
        !run.stderr().contains(secret),
        "secret printed: {}",
        run.stderr()
    );
}

#[test]
fn scan_staged_reads_the_index_not_the_working_tree() {
    // No commits yet.
    let r = Repo::new();
    r.write("compose.yaml", password_line());
    r.git(&["add", "compose.yaml"]);
    // Reverted on disk after staging: the commit would still hold it.
    r.write("compose.yaml", "POSTGRES_PASSWORD: ${DB_PASSWORD}\n");
    let run = r.secretctl(&["scan", "--staged"]).expect(1);
    assert!(
        run.stdout()
            .starts_with("compose.yaml:1:20 generic-secret-assignment\n"),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("POSTGRES_PASSWORD: *****"));
    no_secret_in(&run, "Sommerfest2024!");
    // The working tree is clean.
    r.secretctl(&["scan"]).expect(0);
    let f = r.findings(&["scan", "--staged"]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["file"], "compose.yaml");
    assert_eq!(
        (f[0]["line"].as_u64(), f[0]["column"].as_u64()),
        (Some(1), Some(20))
    );
    assert_eq!(f[0]["rule"], "generic-secret-assignment");
}

#[test]
fn scan_staged_reports_only_what_the_commit_adds() {
    let r = Repo::new();
    r.write(
        "app.env",
        format!("GITHUB_TOKEN={}\nLOG=info\n", gh_token()),
    );
    r.git(&["add", "."]);
    r.git(&["commit", "-q", "-m", "old secret"]);
    r.write(
        "app.env",
        format!("GITHUB_TOKEN={}\nLOG=debug\n", gh_token()),
    );
    r.git(&["add", "."]);
    r.secretctl(&["scan", "--staged"]).expect(0);
    r.write(
        "app.env",
        format!(
            "GITHUB_TOKEN={}\nLOG=debug\nDB_PASSWORD=Hund&Katze#42\n",
            gh_token()
        ),
    );
    r.git(&["add", "."]);
    let f = r.findings(&["scan", "--staged"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["line"], 3);
    // A path scan sees both.
    assert_eq!(r.findings(&["scan", "app.env"]).len(), 2);
}

#[test]
fn scan_staged_during_a_merge_and_in_a_worktree() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.git(&["add", "."]);
    r.git(&["commit", "-q", "-m", "init"]);
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write(
        "wg0.conf",
        "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n",
    );
    r.git(&["add", "."]);
    r.git(&["commit", "-q", "-m", "wg"]);
    r.git(&["checkout", "-q", "main"]);
    r.write("other.txt", "x\n");
    r.git(&["add", "."]);
    r.git(&["commit", "-q", "-m", "other"]);
    r.git(&["merge", "--no-commit", "--no-ff", "feature"]);
    assert!(r.path().join(".git/MERGE_HEAD").exists());
    let f = r.findings(&["scan", "--staged"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["file"], "wg0.conf");
    assert_eq!(f[0]["rule"], "wireguard-private-key");
    r.git(&["merge", "--abort"]);

    // A linked worktree has its own index.
    let wt = r.path().join("wt");
    r.git(&[
        "worktree",
        "add",
        "-q",
        wt.to_str().unwrap(),
        "-b",
        "wt-branch",
    ]);
    std::fs::write(wt.join(".env"), "DB_PASSWORD=Hund&Katze#42\n").unwrap();
    let o = r.git_in(&wt, &["add", ".env"]);
    assert!(o.status.success());
    let run = r.secretctl_in(&wt, &["scan", "--staged"]).expect(1);
    assert!(
        run.stdout()
            .starts_with(".env:1:13 generic-secret-assignment"),
        "{}",
        run.stdout()
    );
    // The main worktree's index is untouched.
    r.secretctl(&["scan", "--staged"]).expect(0);
}

#[test]
fn odd_file_names_and_binary_files() {
    let r = Repo::new();
    let names = [
        "with space.env",
        "new\nline.env",
        "ünï cödé.env",
        "-dash.env",
    ];
    for n in names {
        r.write(n, "API_TOKEN=8f14e45fceea167a5a36dedd4bea2543\n");
    }
    let mut bin = b"\x00\x01\x02PNG".to_vec();
    bin.extend_from_slice(format!("GITHUB_TOKEN={}\n", gh_token()).as_bytes());
    r.write("image.png", &bin);
    r.git(&["add", "--", "."]);
    let f = r.findings(&["scan", "--staged"]);
    let mut files: Vec<&str> = f.iter().map(|x| x["file"].as_str().unwrap()).collect();
    files.sort();
    // The binary file's printable runs are scanned too.
    let mut want = names.to_vec();
    want.push("image.png");
    want.sort();
    assert_eq!(files, want);
    // Paths too (working tree, via git ls-files -z).
    assert_eq!(r.findings(&["scan"]).len(), names.len() + 1);
}

#[test]
fn path_scans_respect_gitignore_and_work_outside_git() {
    let r = Repo::new();
    r.write(".gitignore", "local/\n");
    r.write("local/.env", "DB_PASSWORD=Hund&Katze#42\n");
    r.write(
        "hosts/nas.nix",
        "{ users.users.bob.initialPassword = \"bob2024\"; }\n",
    );
    let f = r.findings(&["scan"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["file"], "hosts/nas.nix");
    // Outside a repository every file is read.
    let plain = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(plain.path().join("a")).unwrap();
    std::fs::write(plain.path().join("a/x.env"), "DB_PASSWORD=Hund&Katze#42\n").unwrap();
    let run = r.secretctl_in(plain.path(), &["scan", "--json"]).expect(1);
    let f: Vec<serde_json::Value> = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(f[0]["file"], "a/x.env");
    // A tree outside the repository named from inside it is read as a plain tree.
    let outside = plain.path().join("a");
    let run = r
        .secretctl(&["scan", "--json", outside.to_str().unwrap()])
        .expect(1);
    let f: Vec<serde_json::Value> = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(f.len(), 1);
    assert!(f[0]["file"].as_str().unwrap().ends_with("a/x.env"), "{f:?}");
    // --staged outside a repository is an error (exit 2).
    let run = r
        .secretctl_in(plain.path(), &["scan", "--staged"])
        .expect(2);
    assert!(
        run.stderr().contains("need a git repository"),
        "{}",
        run.stderr()
    );
}

#[test]
fn history_finds_removed_secrets_with_their_commit() {
    let r = Repo::new();
    r.write("app.env", format!("GITHUB_TOKEN={}\n", gh_token()));
    r.git(&["add", "."]);
    r.git(&["commit", "-q", "-m", "oops"]);
    let commit = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.write("app.env", "GITHUB_TOKEN=${GITHUB_TOKEN}\n");
    r.git(&["add", "."]);
    r.git(&["commit", "-q", "-m", "fix"]);
    r.secretctl(&["scan"]).expect(0);
    let f = r.findings(&["scan", "--history"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["rule"], "github-token");
    assert_eq!(f[0]["commit"], commit.as_str());
    let sarif = r
        .secretctl(&["scan", "--history", "--format", "sarif"])
        .expect(1);
    let v: serde_json::Value = serde_json::from_str(&sarif.stdout()).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "github-token");
    no_secret_in(&sarif, &gh_token());
}

#[test]
fn baseline_and_inline_allow() {
    let r = Repo::new();
    r.write(
        "a.env",
        "DB_PASSWORD=Hund&Katze#42\nAPI_TOKEN=8f14e45fceea167a5a36dedd4bea2543 # secretctl:allow\n",
    );
    r.secretctl(&["scan"]).expect(1);
    r.secretctl(&["scan", "--write-baseline"]).expect(0);
    let b = std::fs::read_to_string(r.path().join(".secretctl-baseline.json")).unwrap();
    assert!(!b.contains("Hund&Katze"), "{b}");
    // Salted slow fingerprints (a wordlist against a plain hash would find
    // the password); rewriting keeps the salt, so entries stay the same.
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["version"], 2);
    assert_eq!(v["salt"].as_str().unwrap().len(), 32);
    assert!(v["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .starts_with("v2:"));
    r.secretctl(&["scan", "--write-baseline"]).expect(0);
    let again = std::fs::read_to_string(r.path().join(".secretctl-baseline.json")).unwrap();
    assert_eq!(again, b);
    r.secretctl(&["scan"]).expect(0);
    // Moving the line keeps it accepted; a new secret is not.
    r.write(
        "a.env",
        "# db\nDB_PASSWORD=Hund&Katze#42\nSMTP_PASSWORD=Maus!Elefant7\n",
    );
    let f = r.findings(&["scan"]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["line"], 3);
}

#[test]
fn rule_config_adds_and_disables_rules() {
    let r = Repo::new();
    r.write(
        ".secretctl.toml",
        "[scan]\ndisable = [\"generic-secret-assignment\"]\n\n[[rules]]\nid = \"corp-token\"\nregex = '''corp_[a-z0-9]{24}'''\nkeywords = [\"corp_\"]\n",
    );
    r.write(
        "a.env",
        "DB_PASSWORD=Hund&Katze#42\nX=corp_8f14e45fceea167a5a36dedd\n",
    );
    let f = r.findings(&["scan"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["rule"], "corp-token");
    r.write(
        ".secretctl.toml",
        "[[rules]]\nid = \"bad\"\nregex = '''(['''\n",
    );
    let run = r.secretctl(&["scan"]).expect(2);
    assert!(
        run.stderr().contains("rule bad: regex does not compile"),
        "{}",
        run.stderr()
    );
}

fn keygen(r: &Repo) -> (PathBuf, String) {
    let keys = r.path().join("../keys.txt");
    let keys = keys.canonicalize().unwrap_or(keys);
    let _ = std::fs::remove_file(&keys);
    r.secretctl(&["keygen", "-o", keys.to_str().unwrap()])
        .expect(0);
    let text = std::fs::read_to_string(&keys).unwrap();
    let public = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("public key line")
        .to_string();
    (keys, public)
}

/// The real `sops` (installed by scripts/test.sh into target/tools/bin).
fn real_sops() -> PathBuf {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([tools])
        .map(|d| d.join("sops"))
        .find(|p| p.is_file())
        .expect("the real `sops` binary: run ./scripts/test.sh (it installs sops into target/tools/bin)")
}

fn commit(r: &Repo, msg: &str) -> std::process::Output {
    r.git_in(r.path(), &["commit", "-m", msg])
}

#[test]
fn hook_blocks_a_real_commit_and_encrypts_what_sops_yaml_requires() {
    let holder = tempfile::tempdir().unwrap();
    let r = Repo {
        dir: tempfile::tempdir_in(holder.path()).unwrap(),
    };
    r.git(&["init", "-q", "-b", "main"]);
    r.secretctl(&["hook", "install"]).expect(0);
    let hook = std::fs::read_to_string(r.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("scan --staged --fix"), "{hook}");

    // A plaintext secret stops the commit.
    r.write("compose.yaml", password_line());
    r.git(&["add", "."]);
    let o = commit(&r, "add compose");
    assert!(!o.status.success(), "commit went through");
    let out = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(
        out.contains("compose.yaml:1:20 generic-secret-assignment"),
        "{out}"
    );
    assert!(!out.contains("Sommerfest2024!"));
    assert!(r
        .git_in(r.path(), &["rev-parse", "-q", "--verify", "HEAD"])
        .stdout
        .is_empty());

    // A clean commit goes through.
    r.write("compose.yaml", "POSTGRES_PASSWORD: ${DB_PASSWORD}\n");
    let (keys, public) = keygen(&r);
    r.write(
        ".sops.yaml",
        format!("creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: {public}\n"),
    );
    r.git(&["add", "."]);
    assert!(commit(&r, "clean").status.success());

    // A file .sops.yaml says must be encrypted is encrypted, re-staged, committed.
    let plain = "db:\n    password: Hund&Katze#42\n";
    r.write("secrets/db.yaml", plain);
    r.git(&["add", "."]);
    let o = commit(&r, "db secret");
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        o.status.success(),
        "{err}{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(err.contains("encrypted secrets/db.yaml in place"), "{err}");
    let committed = r.git(&["show", "HEAD:secrets/db.yaml"]);
    assert!(committed.contains("ENC[AES256_GCM,data:"), "{committed}");
    assert!(!committed.contains("Hund&Katze"));
    assert_eq!(
        std::fs::read_to_string(r.path().join("secrets/db.yaml")).unwrap(),
        committed
    );
    assert!(r.git(&["status", "--porcelain"]).is_empty());
    let dec = Command::new(binary("secretctl", "secretctl"))
        .args(["decrypt", "secrets/db.yaml"])
        .current_dir(r.path())
        .env("SOPS_AGE_KEY_FILE", &keys)
        .output()
        .unwrap();
    assert!(
        dec.status.success(),
        "{}",
        String::from_utf8_lossy(&dec.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&dec.stdout), plain);
    // The real sops reads what the hook wrote.
    let dec = Command::new(real_sops())
        .args(["decrypt", "secrets/db.yaml"])
        .current_dir(r.path())
        .env("SOPS_AGE_KEY_FILE", &keys)
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .output()
        .unwrap();
    assert!(
        dec.status.success(),
        "{}",
        String::from_utf8_lossy(&dec.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&dec.stdout), plain);

    // Partial staging: refused with instructions, nothing guessed.
    r.write(
        "secrets/app.yaml",
        "token: 8f14e45fceea167a5a36dedd4bea2543\n",
    );
    r.git(&["add", "."]);
    r.write(
        "secrets/app.yaml",
        "token: 8f14e45fceea167a5a36dedd4bea2543\nmore: x\n",
    );
    let o = commit(&r, "partial");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("partial staging"), "{err}");
    assert!(std::fs::read_to_string(r.path().join("secrets/app.yaml"))
        .unwrap()
        .ends_with("more: x\n"));
}

#[test]
fn hook_install_never_clobbers_a_foreign_hook() {
    let r = Repo::new();
    let hook = r.path().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho foreign-hook-ran\n").unwrap();
    let mode = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
    std::fs::set_permissions(&hook, mode).unwrap();
    let run = r.secretctl(&["hook", "install"]).expect(1);
    assert!(run.stderr().contains("--chain"), "{}", run.stderr());
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho foreign-hook-ran\n"
    );
    r.secretctl(&["hook", "install", "--chain"]).expect(0);
    // Both run: the foreign hook first, then the scan that blocks.
    r.write(".env", "DB_PASSWORD=Hund&Katze#42\n");
    r.git(&["add", "."]);
    let o = commit(&r, "x");
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(out.contains("foreign-hook-ran"), "{out}");
    assert!(out.contains(".env:1:13"), "{out}");
    // Uninstall puts the foreign hook back.
    r.secretctl(&["hook", "uninstall"]).expect(0);
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho foreign-hook-ran\n"
    );

    // core.hooksPath is respected.
    r.git(&["config", "core.hooksPath", "githooks"]);
    r.secretctl(&["hook", "install"]).expect(0);
    assert!(r.path().join("githooks/pre-commit").is_file());
}

#[test]
fn hook_install_keeps_a_hook_that_is_not_utf8_byte_for_byte() {
    let r = Repo::new();
    let dir = r.path().join(".git/hooks");
    let hook = dir.join("pre-commit");
    std::fs::create_dir_all(&dir).unwrap();
    // A script in Latin-1 (not UTF-8).
    let foreign = b"#!/bin/sh\n# r\xe9sum\xe9\necho latin1-hook-ran\n".to_vec();
    std::fs::write(&hook, &foreign).unwrap();
    let run = r.secretctl(&["hook", "install"]).expect(1);
    assert!(run.stderr().contains("--chain"), "{}", run.stderr());
    assert_eq!(std::fs::read(&hook).unwrap(), foreign);
    // --force keeps it as a backup, byte for byte; a second --force keeps
    // the first backup too.
    r.secretctl(&["hook", "install", "--force"]).expect(0);
    assert_eq!(
        std::fs::read(dir.join("pre-commit.secretctl-backup")).unwrap(),
        foreign
    );
    std::fs::write(&hook, b"#!/bin/sh\n# \xff other\n").unwrap();
    r.secretctl(&["hook", "install", "--force"]).expect(0);
    assert_eq!(
        std::fs::read(dir.join("pre-commit.secretctl-backup")).unwrap(),
        foreign
    );
    assert_eq!(
        std::fs::read(dir.join("pre-commit.secretctl-backup.1")).unwrap(),
        b"#!/bin/sh\n# \xff other\n"
    );
    // --chain keeps it and runs it first.
    std::fs::write(&hook, &foreign).unwrap();
    r.secretctl(&["hook", "install", "--chain"]).expect(0);
    assert_eq!(
        std::fs::read(dir.join("pre-commit.secretctl-chained")).unwrap(),
        foreign
    );
    r.secretctl(&["hook", "uninstall"]).expect(0);
    assert_eq!(std::fs::read(&hook).unwrap(), foreign);
    // A dangling symlink is a hook in the way too.
    std::fs::remove_file(&hook).unwrap();
    std::os::unix::fs::symlink("/nonexistent/hook", &hook).unwrap();
    r.secretctl(&["hook", "install"]).expect(1);
    assert_eq!(
        std::fs::read_link(&hook).unwrap(),
        Path::new("/nonexistent/hook")
    );
}

#[test]
fn large_binary_and_utf16_files_are_scanned_not_skipped() {
    let r = Repo::new();
    // Windows of the least size (1 MiB): a file over 1,000 bytes is "large".
    r.write(".secretctl.toml", "[scan]\nmax_file_size = 1000\n");
    r.write(
        ".sops.yaml",
        "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n",
    );
    // A plaintext file a creation rule wants encrypted, over the limit.
    r.write("secrets/big.yaml", "a: b\n".repeat(500_000));
    // A secret deep in a large log.
    let mut log = "nothing to see here\n".repeat(100_000);
    log.push_str(&format!("GITHUB_TOKEN={}\n", gh_token()));
    log.push_str(&"more lines\n".repeat(100_000));
    r.write("big.log", &log);
    // A NUL in the first bytes, and a UTF-16 .env with a byte order mark.
    let mut bin = b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec();
    bin.extend_from_slice(format!("\x00GITHUB_TOKEN={}\x00", gh_token()).as_bytes());
    r.write("tool.bin", &bin);
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "DB_PASSWORD=Hund&Katze#42\r\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    r.write("win.env", &utf16);
    r.git(&["add", "--", "."]);
    let f = r.findings(&["scan", "--staged"]);
    let got: Vec<(String, u64, String)> = f
        .iter()
        .map(|x| {
            (
                x["file"].as_str().unwrap().to_string(),
                x["line"].as_u64().unwrap(),
                x["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("secrets/big.yaml", 1, "sops-unencrypted"),
        ("big.log", 100_001, "github-token"),
        ("win.env", 1, "generic-secret-assignment"),
    ] {
        assert!(
            got.iter()
                .any(|g| (g.0.as_str(), g.1, g.2.as_str()) == want),
            "{want:?} not in {got:?}"
        );
    }
    assert!(got.iter().any(|g| g.0 == "tool.bin"), "{got:?}");
    let run = r.secretctl(&["scan", "--staged"]).expect(1);
    assert!(
        run.stderr().contains("in 6 file(s) scanned."),
        "{}",
        run.stderr()
    );
    no_secret_in(&run, &gh_token());
    // The working tree scan reads the same.
    let f = r.findings(&["scan"]);
    assert_eq!(f.len(), got.len(), "{f:?}");
    // A large file changed again: what its HEAD version had is not new.
    r.git(&["commit", "-q", "-m", "big"]);
    log.push_str("one more line\n");
    r.write("big.log", &log);
    r.git(&["add", "big.log"]);
    r.secretctl(&["scan", "--staged"]).expect(0);
    log.push_str(&format!("AWS_KEY=AKIA{}\n", "XD4G5ZJ7WOQE3KM5"));
    r.write("big.log", &log);
    r.git(&["add", "big.log"]);
    let f = r.findings(&["scan", "--staged"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["line"], 200_003);
}

#[test]
fn a_file_named_is_scanned_even_if_gitignored() {
    let r = Repo::new();
    r.write(".gitignore", "local/\n*.secret\n");
    r.write("local/.env", "DB_PASSWORD=Hund&Katze#42\n");
    r.write("x.secret", "DB_PASSWORD=Hund&Katze#43\n");
    // A tree follows .gitignore.
    assert!(r.findings(&["scan"]).is_empty());
    assert!(r.findings(&["scan", "local"]).is_empty());
    // Files named are scanned.
    let f = r.findings(&["scan", "local/.env", "x.secret"]);
    let files: Vec<&str> = f.iter().map(|x| x["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["local/.env", "x.secret"]);
    let run = r
        .secretctl_in(&r.path().join("local"), &["scan", "--json", ".env"])
        .expect(1);
    let f: Vec<serde_json::Value> = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(f[0]["file"], "local/.env");
    // --no-ignore: trees include ignored files (never .git).
    let f = r.findings(&["scan", "--no-ignore"]);
    let mut files: Vec<&str> = f.iter().map(|x| x["file"].as_str().unwrap()).collect();
    files.sort();
    assert_eq!(files, ["local/.env", "x.secret"]);
}

#[test]
fn hook_with_paths_on_the_command_line_encrypts_in_both_indexes() {
    let holder = tempfile::tempdir().unwrap();
    let r = Repo {
        dir: tempfile::tempdir_in(holder.path()).unwrap(),
    };
    r.git(&["init", "-q", "-b", "main"]);
    r.secretctl(&["hook", "install"]).expect(0);
    let (_keys, public) = keygen(&r);
    r.write(
        ".sops.yaml",
        format!("creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: {public}\n"),
    );
    r.git(&["add", "."]);
    assert!(commit(&r, "config").status.success());
    let check = |path: &str| {
        let committed = r.git(&["show", &format!("HEAD:{path}")]);
        assert!(committed.contains("ENC[AES256_GCM,data:"), "{committed}");
        // The index holds what was committed (no plaintext left staged).
        assert_eq!(r.git(&["show", &format!(":{path}")]), committed);
        assert_eq!(r.git(&["status", "--porcelain"]), "");
    };
    // `git commit -m m PATH`: git gives the hook a temporary index.
    r.write("secrets/a.yaml", "db:\n    password: Hund&Katze#42\n");
    r.git(&["add", "-N", "secrets/a.yaml"]);
    let o = r.git_in(r.path(), &["commit", "-m", "a", "secrets/a.yaml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    check("secrets/a.yaml");
    // The next commit is not refused with a partial-staging hint.
    r.write("secrets/b.yaml", "db:\n    password: Hund&Katze#43\n");
    r.git(&["add", "secrets/b.yaml"]);
    let o = commit(&r, "b");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    check("secrets/b.yaml");
    // `git commit -a` (the real index, locked).
    r.write("secrets/b.yaml", "db:\n    password: Hund&Katze#44\n");
    let o = r.git_in(r.path(), &["commit", "-a", "-m", "all"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    check("secrets/b.yaml");
}

#[test]
fn what_cannot_be_scanned_is_named_and_blocks_files_that_must_be_encrypted() {
    let r = Repo::new();
    r.write(
        ".sops.yaml",
        "creation_rules:\n  - path_regex: secrets/\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n",
    );
    // Index entries whose objects git does not have (as in a partial clone).
    let missing = |id: &str, path: &str| {
        r.git(&[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{id},{path}"),
        ]);
    };
    missing("1234567890123456789012345678901234567891", "notes.txt");
    let run = r.secretctl(&["scan", "--staged"]).expect(0);
    assert!(
        run.stderr()
            .contains("notes.txt: not scanned: git has no object"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("(0 file(s) scanned, 0 bytes, 1 not scanned)"),
        "{}",
        run.stderr()
    );
    missing("1234567890123456789012345678901234567890", "secrets/x.yaml");
    let run = r.secretctl(&["scan", "--staged"]).expect(1);
    assert!(
        run.stderr().contains("secrets/x.yaml: not scanned: git has no object 1234567890123456789012345678901234567890 (.sops.yaml says it must be encrypted: blocking)"),
        "{}",
        run.stderr()
    );
}
