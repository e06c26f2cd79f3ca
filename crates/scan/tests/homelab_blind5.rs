//! A second held-out homelab corpus written by someone who had not read
//! the scanner (tests/fixtures/homelab-blind5): 52 files, 79 secrets among
//! 1,140 clean lines, written on 4 Dec 2026 by a helper agent told not to
//! read `crates/scan` or the other corpora.
//!
//! First and only measurement (rules of commit 03db423): recall 0.975,
//! precision 1.000 (2 missed, 0 false alarms). Missed: a Backblaze
//! `B2_ACCOUNT_ID` (a key id) beside its key, and a bare random value on a
//! line of its own in a Markdown runbook. Do not tune rules against these
//! lines.

mod support;

#[test]
fn blind5_homelab_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind5");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.97, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.99, "precision {:.3}", m.precision);
}
