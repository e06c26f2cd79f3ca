//! A realistic homelab corpus (compose files, Caddyfile, .env, tfvars,
//! NixOS modules, WireGuard, Home Assistant, Kubernetes, CI, scripts,
//! reverse proxies, notification URLs, rclone, zigbee2mqtt) with planted
//! secrets labelled per line in `LABELS` and look-alikes that must stay
//! quiet (references, placeholders, hashes, digests, ids, public keys,
//! certificates, published example keys). The rules were written with
//! this corpus in view; `homelab_heldout.rs` measures one they were not.

mod support;

#[test]
fn homelab_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab");
    assert_eq!(m.sops_findings, ["secrets/db.yaml"]);
    assert!(m.recall >= 0.95, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.95, "precision {:.3}", m.precision);
}
