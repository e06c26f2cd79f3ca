//! A fourth held-out corpus written by someone who had not read the
//! scanner (tests/fixtures/homelab-blind7): a small business's fleet run
//! by two admins, 52 files, 85 secrets among 1,710 clean lines, written on
//! 4 Dec 2026 by a helper agent told not to read `crates/scan` or the
//! other corpora.
//!
//! First and only measurement (rules of commit d68a3d6): recall 0.988,
//! precision 0.977 (1 missed, 2 false alarms). Missed: a DigitalOcean
//! Spaces key id (`DO00…`) beside its secret (the secret was found).
//! False alarms: a shell `${CF_API_TOKEN:?message}` read as an
//! assignment, and a Stripe publishable key (`pk_live_…`, public by
//! design) under `STRIPE_PUBLISHABLE_KEY`. Do not tune rules against
//! these lines.
//!
//! The same session then fixed all three on new cases in the development
//! corpus (shell expansions, publishable keys, non-AWS key ids beside
//! their secrets): 1.000 / 1.000 now, no longer a blind figure.

mod support;

#[test]
fn blind7_fleet_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind7");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.99, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.99, "precision {:.3}", m.precision);
}
