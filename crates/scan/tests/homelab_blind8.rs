//! A fifth held-out corpus written by someone who had not read the
//! scanner (tests/fixtures/homelab-blind8): a tinkerer's mixed homelab
//! (Proxmox, TrueNAS, NixOS, k3s, OPNsense, DNS and mail servers, identity
//! providers, game servers, dotfiles), 53 files, 81 secrets among 2,618
//! clean lines, written on 4 Dec 2026 by a helper agent told not to read
//! `crates/scan` or the other corpora.
//!
//! First and only measurement (rules of commit 52d191d, the session's
//! rules after blind6 and blind7 were fixed): recall 0.877, precision
//! 0.959 (10 missed, 3 false alarms). Missed: LLDAP's `key_seed`, a
//! dnsdist `setKey("…")`, a CurseForge API key that has the exact shape
//! of a bcrypt hash, mailcow's `DBROOT`, a Spotify `ID` beside its secret,
//! a ntfy `tk_` token and a borg passphrase in TODO prose, an OpenVPN
//! static key base64-encoded in OPNsense's `config.xml`, a Proxmox token
//! secret in `pveum`'s table output, a ZFS passphrase in runbook prose
//! (`… is Moss-Otter-…`). False alarms: NixOS wireless `ext:` secret
//! references (2) and a Proxmox token id (`user@pve!name`) in a comment.
//! Do not tune rules against these lines.
//!
//! The same session then fixed the classes it could on new cases in the
//! development corpus (key seeds, dnsdist keys, ntfy tokens, base64
//! OpenVPN static keys, `pveum`'s table, `… passphrase … is X` in notes,
//! `ext:` references, Proxmox token ids): 0.951 / 1.000 now, no longer a
//! blind figure. Left: the bcrypt-shaped CurseForge key, `DBROOT`, the
//! Spotify id and the passphrase written as a sentence. (`DBROOT` was
//! found from session 11 on by the rule of random values under any name:
//! 0.963 / 1.000.)

mod support;

#[test]
fn blind8_mixed_homelab_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind8");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.95, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.99, "precision {:.3}", m.precision);
}
