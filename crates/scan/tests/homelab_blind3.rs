//! A third held-out homelab corpus (tests/fixtures/homelab-blind3): 93
//! files, 150 labelled lines among 1,110 clean ones, written on 4 Dec 2026
//! from a generator kept outside the repository before the rules were read
//! in that session (the same team wrote the rules, so it is blind only to
//! that extent), with a service mix chosen to differ from the other
//! corpora.
//!
//! First and only blind measurement (with the rules of commit cabf610):
//! recall 0.896, precision 0.963 against the labels as first written (144
//! secrets; 15 missed, 5 false alarms). Four of the false alarms were key
//! ids beside their secrets (AWS, MinIO, GitLab runner cache, OVH), which
//! the labels then left out although the other corpora and issue #13 §5
//! report such ids with their secret; the labels now include the six ids
//! paired with a secret, which scores that first run at recall 0.887,
//! precision 0.993. Missed classes: a TSIG `secret "…";` statement,
//! Grafana's `"""…"""` quoting, a 16-letter key with no digit, a
//! low-entropy hex key, a UUID as a password, a salt, a Django key with
//! parentheses, base64 PEM private keys, long DER keys under
//! `PrivateKey`, Vault unseal keys, SQL `PASSWORD '…'`, `.pgpass`, and
//! non-AWS key ids; the false alarm left was a Tailscale `nodekey:`.
//! Each class got a similar (not identical) case in the development
//! corpus and a test in rules.rs; after that this corpus measures 0.993
//! and 1.000, which is no longer a blind figure. The floors pin it.

mod support;

#[test]
fn blind3_homelab_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind3");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.99, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.99, "precision {:.3}", m.precision);
}
