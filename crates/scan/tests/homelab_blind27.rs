//! A held-out corpus written by someone who had not read the scanner
//! (tests/fixtures/homelab-blind27): a developer's dotfiles and the cloud
//! side of a homelab (git, npm, pip, Docker and kube configs, AWS, GCP and
//! Azure CLI files, shell rc files, editor and AI-assistant settings,
//! Terraform, cloud-init, GitHub Actions), 60 files, 85 secret lines among
//! 1,947 clean lines, written on 4 Dec 2026 by a helper agent told not to
//! read `crates/scan` or the other corpora, and to label cloud key ids but
//! not OAuth client ids or user keys.
//!
//! One of the four corpora held out in session 12 (blind21, 23, 25, 27):
//! not opened until the rules were frozen at commit 34fdd80, then measured
//! once: recall 0.976, precision 0.976 (2 missed, 2 false alarms). Missed:
//! fish's `set -gx CLOUDFLARE_API_TOKEN …`, and a random password of
//! letters and digits in backticks in notes (no symbol). False alarms: a
//! GCP service account's `private_key_id` (the scanner reports a key id
//! beside its private key, as issue #13 asks for cloud key pairs; the
//! writer judged it an identifier), and a GPG fingerprint after "GPG key
//! for pass:".
//!
//! The same session then fixed fish's `set` and the fingerprint, on
//! cases in `tests/rules.rs` (0.988 / 0.988 now, no longer a blind
//! figure). Left: the `private_key_id` disagreement, and the password of
//! letters and digits (accepting those in backticks found hundreds of
//! type names such as `Utf16Chars` and `Pcg64Mcg` in crates.io's
//! changelogs).

mod support;

#[test]
fn blind27_dotfiles_cloud_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind27");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.97, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.97, "precision {:.3}", m.precision);
}
