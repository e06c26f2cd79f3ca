//! A held-out corpus written by someone who had not read the scanner
//! (tests/fixtures/homelab-blind23): self-hosted productivity apps
//! (Nextcloud, Paperless-ngx, Immich, Vaultwarden, authentik with OIDC
//! apps, Forgejo with runners and Woodpecker CI, Outline, Mealie, MinIO,
//! Caddy, an SMTP relay, restic and rclone to B2), 58 files, 89 secret
//! lines among 1,910 clean lines, written on 4 Dec 2026 by a helper agent
//! told not to read `crates/scan` or the other corpora, and to label cloud
//! key ids but not OAuth client ids or user keys.
//!
//! One of the four corpora held out in session 12 (blind21, 23, 25, 27):
//! not opened until the rules were frozen at commit 34fdd80, after the
//! fixes from blind20, 22, 24 and 26, then measured once: recall 1.000,
//! precision 0.978 (no miss, 2 false alarms). False alarms: MinIO's
//! published playground keys in `mc alias set …` inside backticks (the
//! backtick was read as part of the secret), and a rotated password in a
//! checklist ("was `…`, now random").
//!
//! The same session then fixed the first, on cases in `tests/rules.rs`
//! (1.000 / 0.989 now, no longer a blind figure); the second is left:
//! nothing in the text but "was" says the password is dead.

mod support;

#[test]
fn blind23_productivity_apps_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind23");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.99, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.97, "precision {:.3}", m.precision);
}
