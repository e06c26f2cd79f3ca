//! scan::session, the flow behind `secretctl scan` and the pre-commit hook,
//! called as a library: typed outcomes instead of printed lines.

use scan::session::{self, FixError, Fixed, Options, Target};
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_INDEX_FILE")
        .status()
        .unwrap();
    assert!(st.success(), "git {args:?}");
}

/// A repository whose `.sops.yaml` says `secrets/` must be encrypted.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let recipient = sops::Identity::generate().recipient().to_string();
    std::fs::write(
        dir.path().join(".sops.yaml"),
        format!("creation_rules:\n  - path_regex: ^secrets/\n    age: {recipient}\n"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("secrets")).unwrap();
    dir
}

const TOKEN_LINE: &str = "token: ghp_R8xq2LmT7vKp4ZsN9wYb3HcJd6FgQe1Ua5Vo\n";

#[test]
fn fix_encrypts_a_staged_plaintext_file_and_restages_it() {
    let dir = repo();
    std::fs::write(dir.path().join("secrets/app.yaml"), TOKEN_LINE).unwrap();
    git(dir.path(), &["add", "."]);
    let out = session::run(
        &Target::Staged { fix: true },
        &Options::default(),
        dir.path(),
    )
    .unwrap();
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    assert!(
        matches!(&out.fixed[..], [Fixed::Encrypted { path }] if path == "secrets/app.yaml"),
        "{:?}",
        out.fixed
    );
    let on_disk = std::fs::read(dir.path().join("secrets/app.yaml")).unwrap();
    assert!(scan::is_sops_encrypted(&on_disk));
    // The staged blob is the encrypted one.
    let staged = Command::new("git")
        .args(["show", ":secrets/app.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap()
        .stdout;
    assert_eq!(staged, on_disk);
}

#[test]
fn partial_staging_is_refused_with_a_typed_reason_and_the_finding_stands() {
    let dir = repo();
    let file = dir.path().join("secrets/app.yaml");
    std::fs::write(&file, TOKEN_LINE).unwrap();
    git(dir.path(), &["add", "."]);
    std::fs::write(&file, format!("{TOKEN_LINE}more: 1\n")).unwrap();
    let out = session::run(
        &Target::Staged { fix: true },
        &Options::default(),
        dir.path(),
    )
    .unwrap();
    assert!(
        matches!(
            &out.fixed[..],
            [Fixed::Refused {
                why: FixError::PartialStaging { .. },
                ..
            }]
        ),
        "{:?}",
        out.fixed
    );
    assert!(!out.findings.is_empty());
    // Nothing was written over the working tree.
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .ends_with("more: 1\n"));
}

#[test]
fn a_tree_outside_git_is_scanned_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.env"),
        "GITHUB_TOKEN=ghp_R8xq2LmT7vKp4ZsN9wYb3HcJd6FgQe1Ua5Vo\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("clean.env"),
        "GITHUB_TOKEN=${GITHUB_TOKEN}\n",
    )
    .unwrap();
    let out = session::run(
        &Target::Paths {
            paths: Vec::new(),
            no_ignore: false,
        },
        &Options::default(),
        dir.path(),
    )
    .unwrap();
    assert_eq!(out.tally.scanned, 2);
    assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
    assert_eq!(out.findings[0].file, "app.env");
    // --staged outside a repository is a typed error.
    let err = session::run(
        &Target::Staged { fix: false },
        &Options::default(),
        dir.path(),
    )
    .unwrap_err();
    assert!(matches!(err, scan::Error::NotARepository { .. }), "{err:?}");
}
