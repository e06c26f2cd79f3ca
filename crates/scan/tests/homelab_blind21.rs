//! A held-out corpus written by someone who had not read the scanner
//! (tests/fixtures/homelab-blind21): home automation (Home Assistant,
//! ESPHome, Zigbee2MQTT, Z-Wave JS UI, Mosquitto, Node-RED, Frigate,
//! Tasmota and Shelly, InfluxDB and Grafana), 56 files, 89 secret lines
//! among 1,955 clean lines, written on 4 Dec 2026 by a helper agent told
//! not to read `crates/scan` or the other corpora, and to label cloud key
//! ids but not OAuth client ids or user keys.
//!
//! One of the four corpora held out in session 12. Its writer finished
//! last, after blind23, blind25 and blind27 had been measured and their
//! few misses fixed, so it was measured once at commit 2df58de (rules
//! unchanged otherwise since the freeze at 34fdd80): recall 0.955,
//! precision 0.977 (4 missed, 2 false alarms). Missed: an OpenWeatherMap
//! `appid=` in a URL, `mosquitto_pub -P`, a header value in Node-RED's
//! flows (`"valueValue": <hex>`), and a password hashed in a pipe
//! (`printf 'admin:%s:%s' … 'pw' | sha256sum`). False alarms: Grafana's
//! commented `;admin_password = admin`, and a GCP service account's
//! `private_key_id` (reported with its private key on purpose, as issue
//! #13 asks for cloud key ids; two writers now judged it an identifier).
//!
//! The same session then fixed the first two misses and the default, on
//! cases in `tests/rules.rs`: 0.978 / 0.989 now, no longer a blind figure.

mod support;

#[test]
fn blind21_home_automation_corpus_precision_and_recall() {
    let m = support::corpus::measure("tests/fixtures/homelab-blind21");
    assert!(m.sops_findings.is_empty(), "{:?}", m.sops_findings);
    assert!(m.recall >= 0.97, "recall {:.3}", m.recall);
    assert!(m.precision >= 0.98, "precision {:.3}", m.precision);
}
