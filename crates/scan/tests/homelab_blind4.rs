//! A held-out homelab corpus written by someone who had not read the
//! scanner (tests/fixtures/homelab-blind4): 72 files, 148 secrets among
//! 2,609 clean lines, written on 4 Dec 2026 by a helper agent told not to
//! read `crates/scan` or the other corpora.
//!
//! First and only measurement (rules of commit 00211e8): recall 0.919,
//! precision 0.978 (12 missed, 3 false alarms). Two of the false alarms
//! are key ids beside their secrets (an AWS id in rclone.conf, a Backblaze
//! `keyID` of Kopia), which the writer had been asked to leave unlabelled
//! but the other corpora label; with those two labels added, as they now
//! are, the same run scores 0.920 and 0.993. Missed: fetchmail `poll …
//! password "…"` (2), a B2 URL's `auth-password=` query parameter, an
//! Alertmanager PagerDuty `routing_key`, a 20-letter push installation key
//! with no digit, Redis `masterauth` and an ACL `>password`, a token in
//! Nix `pkgs.writeText "…" "…"`, HAProxy `stats auth user:pass`, a
//! Pushover app token under `PUSHOVER_APP`, a Headscale pre-auth key in a
//! comment, an OpenVPN `auth-user-pass` file. False alarm: a `stun:` URI
//! in Netbird's management.json. Do not tune rules against these lines:
//! add similar cases to the development corpus, then write another corpus.
//!
//! Those classes were then fixed on new cases in the development corpus
//! (commit after 9ccc92a); this corpus now scores 1.000 / 1.000, which is
//! no longer a blind figure: it guards against regressions only. Its two
//! Backblaze key ids beside their keys (rclone `account`, restic
//! `B2_ACCOUNT_ID`) are now labelled too, as in blind3 and blind5.

mod support;

#[test]
fn blind4_homelab_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind4");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.99, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.99, "precision {:.3}", m.precision);
}
