//! An eleventh held-out corpus written by someone who had not read the
//! scanner (tests/fixtures/homelab-blind12): a Kubernetes homelab run as
//! GitOps (Talos, Flux, an archived Argo CD, Helm values, cert-manager,
//! external-dns, Longhorn, Velero, Authentik, Renovate, kubeconfigs,
//! Terraform, a NixOS k3s server, a NAS with BIND), 57 files, 83 secret
//! lines among 1,984 clean lines, written on 4 Dec 2026 by a helper agent
//! told not to read `crates/scan` or the other corpora. Its writer was
//! asked to label ids beside their secrets, OAuth client ids included.
//!
//! First and only measurement (rules of commit 8b4006c, after the fixes
//! that blind13 and blind14 showed): recall 0.904, precision 0.949 (8
//! missed, 4 false alarms). Missed: four ids beside their secrets (an
//! Argo CD `clientID`, Authentik's `client_id` twice, a ZeroSSL EAB
//! `keyID`), a B2 key id as k3s' `etcd-s3-access-key`, an Authentik
//! recovery token in a URL path (`/recovery/use-token/…/`), a restic
//! password in backticks 45 characters after the word password, and a
//! TSIG key on an `nsupdate -y` command line. False alarms: Velero's
//! documented default `static-passw0rd`, a comment's permission list
//! (`API token: Zone.DNS:Edit + …`), a Kubernetes Secret's name under
//! `backupTargetCredentialSecret`, and an SSH public key under
//! `identity.pub` in a Kubernetes Secret. Do not tune rules against these
//! lines.
//!
//! The same session then fixed the classes it could on cases in
//! `tests/rules.rs` (not the development corpus): 0.952 / 1.000 now, no
//! longer a blind figure; left: the four ids beside their secrets (OAuth
//! client ids are not reported; the EAB key id has no secret beside it).

mod support;

#[test]
fn blind12_gitops_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind12");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.95, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.99, "precision {:.3}", m.precision);
}
