//! A new user's first hour: `dnsctl init` in an empty home, then the README's
//! loop in the scaffolded repository — check, preview, push, `secretctl
//! edit`, a commit, and a commit the pre-commit hook blocks.

use dnsctl_e2e::{binary, Run};
use std::path::Path;
use std::process::{Command, Stdio};

struct Home {
    dir: tempfile::TempDir,
    runtime: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        // Both binaries, side by side on PATH as an install puts them.
        binary("secretctl", "secretctl");
        Home {
            dir: tempfile::tempdir().unwrap(),
            runtime: tempfile::tempdir().unwrap(),
        }
    }
    fn repo(&self) -> std::path::PathBuf {
        self.dir.path().join("infra")
    }
    /// Runs `prog` in the repository with this home and nothing else of the
    /// caller's environment that the tools read.
    fn run(&self, prog: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let bin = binary("dnsctl", "dnsctl");
        let path = format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            bin.parent().unwrap().display()
        );
        let cwd = if self.repo().is_dir() {
            self.repo()
        } else {
            self.dir.path().to_path_buf()
        };
        let out = Command::new(prog)
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("NO_COLOR", "1")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {prog}: {e}"));
        Run(out)
    }
    fn dnsctl(&self, args: &[&str]) -> Run {
        self.run("dnsctl", args, &[])
    }
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.repo().join(rel), text).unwrap();
    }
}

fn both(r: &Run) -> String {
    r.stdout() + &r.stderr()
}

#[test]
fn init_then_check_preview_push_edit_and_a_blocked_commit() {
    let h = Home::new();
    // No identity and no terminal: everything but .sops.yaml, and it says why.
    let r = h
        .dnsctl(&["init", "infra", "--zone", "example.com"])
        .expect(1);
    assert!(r.stderr().contains("no age identity"), "{}", r.stderr());
    assert!(!h.repo().join(".sops.yaml").exists());
    // With consent (--yes) the identity is made and the rest completed.
    let r = h
        .dnsctl(&["init", "--zone", "example.com", "--yes"])
        .expect(0);
    let keys = h.dir.path().join(".config/sops/age/keys.txt");
    let mode = |p: &Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions())
            & 0o777
    };
    assert_eq!(mode(&keys), 0o600);
    assert_eq!(mode(keys.parent().unwrap()), 0o700);
    let public = std::fs::read_to_string(&keys)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_string))
        .unwrap();
    assert!(
        h.read(".sops.yaml").contains(&public),
        "{}",
        h.read(".sops.yaml")
    );
    assert!(r.stderr().contains("kept dnsctl.yaml"), "{}", r.stderr());
    for f in [
        "dnsctl.yaml",
        "zones/example.com.yaml",
        ".gitignore",
        ".git/hooks/pre-commit",
    ] {
        assert!(h.repo().join(f).is_file(), "{f}");
    }
    for d in ["backups", "secrets"] {
        assert!(h.repo().join(d).is_dir(), "{d}");
    }
    // Idempotent: a third run changes nothing.
    let before: Vec<String> = [
        "dnsctl.yaml",
        "zones/example.com.yaml",
        ".sops.yaml",
        ".gitignore",
    ]
    .iter()
    .map(|f| h.read(f))
    .collect();
    h.write(
        "zones/example.com.yaml",
        "www: {type: A, value: 192.0.2.10}\n",
    );
    let r = h.dnsctl(&["init", "--zone", "example.com"]).expect(0);
    assert!(!r.stderr().contains("created"), "{}", r.stderr());
    assert_eq!(
        h.read("zones/example.com.yaml"),
        "www: {type: A, value: 192.0.2.10}\n"
    );
    assert_eq!(h.read("dnsctl.yaml"), before[0]);
    assert_eq!(h.read(".sops.yaml"), before[2]);

    // The README's loop.
    h.dnsctl(&["check"]).expect(0);
    let r = h.dnsctl(&["preview", "--exit-code"]).expect(2);
    assert!(r.stdout().contains("+ www"), "{}", r.stdout());
    h.dnsctl(&["push", "--yes"]).expect(0);
    assert!(h.read("live/example.com.zone").contains("192.0.2.10"));
    h.dnsctl(&["preview", "--exit-code"]).expect(0);

    // A secret, encrypted to the recipient init put in .sops.yaml.
    let editor = h.dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'db_password: hunter2\\n' > \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    h.run(
        "secretctl",
        &["edit", "secrets/app.yaml"],
        &[("EDITOR", editor.to_str().unwrap())],
    )
    .expect(0);
    let enc = h.read("secrets/app.yaml");
    assert!(
        enc.contains("ENC[AES256_GCM") && !enc.contains("hunter2") && enc.contains(&public),
        "{enc}"
    );
    let r = h
        .run("secretctl", &["decrypt", "secrets/app.yaml"], &[])
        .expect(0);
    assert_eq!(r.stdout(), "db_password: hunter2\n");

    // Everything init made commits cleanly; live/ is ignored.
    h.run("git", &["add", "-A"], &[]).expect(0);
    let staged = h
        .run("git", &["diff", "--cached", "--name-only"], &[])
        .expect(0)
        .stdout();
    assert!(
        !staged.contains("live/") && staged.contains("secrets/app.yaml"),
        "{staged}"
    );
    let r = h.run("git", &["commit", "-q", "-m", "init"], &[]);
    assert_eq!(r.code(), 0, "{}", both(&r));

    // A plaintext secret is stopped by the hook init installed.
    let token = format!("ghp_{}", "6e1iqgfr7f0246gxb9v66tm8hyb7nfc4qz49");
    h.write("deploy.env", &format!("GITHUB_TOKEN={token}\n"));
    h.run("git", &["add", "deploy.env"], &[]).expect(0);
    let r = h.run("git", &["commit", "-q", "-m", "deploy"], &[]);
    assert_ne!(r.code(), 0, "the commit went through: {}", both(&r));
    assert!(both(&r).contains("deploy.env:1:"), "{}", both(&r));
    assert!(!both(&r).contains(&token));
    let log = h.run("git", &["log", "--oneline"], &[]).expect(0).stdout();
    assert_eq!(log.lines().count(), 1, "{log}");
}

/// `--from` fills the zone file from a provider's live zone (here the local
/// provider's live/), leaving out the SOA and ignored records.
#[test]
fn init_from_a_provider_adopts_the_live_zone() {
    let h = Home::new();
    std::fs::create_dir_all(h.repo().join("live")).unwrap();
    h.write(
        "live/example.org.zone",
        "$ORIGIN example.org.\n$TTL 600\n@ IN SOA ns1 hostmaster 5 7200 3600 1209600 300\n  IN MX 10 mail\nmail IN A 192.0.2.25\n_acme-challenge IN TXT \"x\"\n",
    );
    let r = h
        .dnsctl(&[
            "init",
            "--zone",
            "example.org",
            "--from",
            "local",
            "--no-git",
        ])
        .expect(1); // no age identity: .sops.yaml is left for later
    assert!(
        r.stderr().contains("created zones/example.org.yaml"),
        "{}",
        r.stderr()
    );
    let yaml = h.read("zones/example.org.yaml");
    assert!(
        yaml.contains("192.0.2.25") && !yaml.contains("SOA") && !yaml.contains("_acme"),
        "{yaml}"
    );
    assert!(!h.repo().join(".git").exists());
    h.dnsctl(&["preview", "--exit-code"]).expect(0);
    // Without --zone: every zone of dnsctl.yaml that has no file yet.
    std::fs::remove_file(h.repo().join("zones/example.org.yaml")).unwrap();
    let r = h.dnsctl(&["init", "--from", "local", "--no-git"]).expect(1);
    assert!(
        r.stderr().contains("created zones/example.org.yaml"),
        "{}",
        r.stderr()
    );
    assert_eq!(h.read("zones/example.org.yaml"), yaml);
    // A provider dnsctl.yaml does not define is named in the error.
    let r = h
        .dnsctl(&["init", "--zone", "example.net", "--from", "cf", "--no-git"])
        .expect(1);
    assert!(
        r.stderr()
            .contains("zone example.net is not in dnsctl.yaml"),
        "{}",
        r.stderr()
    );
}

/// On a terminal, init asks before creating an identity; "n" leaves none.
#[test]
fn init_asks_before_creating_an_identity() {
    let h = Home::new();
    let bin = binary("dnsctl", "dnsctl");
    let run = |answer: &str| {
        let mut child = Command::new("script")
            .args([
                "-qec",
                &format!("{} init infra --zone example.com --no-git", bin.display()),
                "/dev/null",
            ])
            .current_dir(h.dir.path())
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", h.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs the command on a pseudo-terminal");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let keys = h.dir.path().join(".config/sops/age/keys.txt");
    let out = run("n\n");
    assert!(
        out.contains("No age identity found. Create one in"),
        "{out}"
    );
    assert!(
        !keys.exists() && !h.repo().join(".sops.yaml").exists(),
        "{out}"
    );
    let out = run("y\n");
    assert!(keys.exists(), "{out}");
    assert!(h.read(".sops.yaml").contains("age: age1"), "{out}");
}
