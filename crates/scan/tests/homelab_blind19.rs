//! A fifteenth held-out corpus written by someone who had not read the
//! scanner (tests/fixtures/homelab-blind19): a one-person hosting business
//! on rented VPSes (Terraform for Hetzner, DigitalOcean and Vultr,
//! Ansible, HAProxy, keepalived, PostgreSQL and MariaDB replication, Redis
//! Sentinel, WireGuard, Postfix, acme.sh and lego, Grafana, Loki, Stripe
//! and PayPal webhooks, customer deploys over rsync, SFTP and FTP), 60
//! files, 86 secret lines among 1,939 clean lines, written on 4 Dec 2026
//! by a helper agent told not to read `crates/scan` or the other corpora.
//! Its writer was asked to label ids beside their secrets, OAuth client
//! ids included.
//!
//! First and only measurement (rules of commit 762a9cc, after the fixes
//! that blind12 to blind17 showed): recall 0.953, precision 0.965 (4
//! missed, 3 false alarms). Missed: an Ansible `.vault_pass` file (the
//! whole file is the password), Redis Sentinel's `sentinel auth-pass NAME
//! password`, and two OAuth client ids beside their secrets (PayPal,
//! Grafana's GitHub app). False alarms: a Stripe tax rate id (`txr_…`)
//! taken for a random value, "the signing secret = forgot to update" in a
//! runbook, and the test key Stripe's documentation prints. Do not tune
//! rules against these lines.
//!
//! The same session then fixed the classes it could on cases in
//! `tests/rules.rs` (not the development corpus): 0.977 / 1.000 now, no
//! longer a blind figure; left: the two client ids.

mod support;

#[test]
fn blind19_vps_fleet_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind19");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.97, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.99, "precision {:.3}", m.precision);
}
