//! A sixteenth held-out corpus written by someone who had not read the
//! scanner (tests/fixtures/homelab-blind18): a homelab run from one NixOS
//! flake (service modules, deploy-rs, sops-nix and agenix with secrets
//! put inline by mistake, disko, home-manager, scripts and notes), 59
//! files, 78 secret lines among 2,013 clean lines, written on 4 Dec 2026
//! by a helper agent told not to read `crates/scan` or the other corpora.
//! Its writer was asked to label ids beside their secrets.
//!
//! First and only measurement (rules of commit 762a9cc, the same rules as
//! blind19's): recall 0.885, precision 0.986 (9 missed, 1 false alarm).
//! Missed: a Zigbee network key as a byte array inside a string, Nix's
//! `basicAuth = { user = "password"; }`, Vaultwarden's
//! `PUSH_INSTALLATION_ID` beside its key, secrets in backticks after
//! "HMAC secret" and "API token" in notes, a passphrase with a space in
//! backticks, a LUKS passphrase in a heredoc written to a key file, and
//! `printf '%s\n%s\n' 'pw' 'pw' | smbpasswd` (2). False alarm: "username
//! `x`, password managed there" in notes, taken for a fetchmail line. Do
//! not tune rules against these lines.
//!
//! The same session then fixed the classes it could on cases in
//! `tests/rules.rs` (not the development corpus): 0.936 / 1.000 now, no
//! longer a blind figure; left: the byte array in a string, Vaultwarden's
//! installation id, a token in backticks after another backticked word (a
//! search across backticks cost 40 % of the mixed-tree benchmark), a
//! passphrase in backticks on the line after its name, and the LUKS
//! passphrase in a heredoc.

mod support;

#[test]
fn blind18_nixos_flake_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind18");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.93, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.99, "precision {:.3}", m.precision);
}
