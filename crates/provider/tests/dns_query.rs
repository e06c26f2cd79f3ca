//! provider::dns::query against the emulator's DNS face, answering well and
//! misanswering: another id, another question, records of another owner.

use provider::dns::{query, QueryError};
use provider::rfc2136::wire;
use serde_json::json;
use std::time::{Duration, Instant};
use testkit::{DnsFault, Emulator};
use zone::RData;

const TXT: u16 = 16;

async fn emulator() -> Emulator {
    let emu = Emulator::start().await;
    emu.add_zone("example.test");
    emu.add_record(
        "example.test",
        json!({"type": "TXT", "name": "_acme-challenge", "content": "\"token\"", "ttl": 120}),
    )
    .unwrap();
    emu.add_record(
        "example.test",
        json!({"type": "CNAME", "name": "alias", "content": "_acme-challenge.example.test", "ttl": 120}),
    )
    .unwrap();
    emu
}

fn txt(r: &provider::dns::Reply) -> Vec<String> {
    r.msg
        .answers
        .iter()
        .filter_map(|rr| match r.decode(rr).unwrap() {
            Some(RData::Txt(t)) => Some(t),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_good_answer_is_read_and_a_cname_chain_is_allowed() {
    let emu = emulator().await;
    let r = query(
        emu.dns_addr(),
        "_acme-challenge.Example.test",
        TXT,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    assert!(r.authoritative() && r.rcode() == 0 && !r.tcp);
    assert_eq!(txt(&r), ["token"]);
    // The emulator answers a CNAME only; its owner is the asked name.
    let r = query(
        emu.dns_addr(),
        "alias.example.test.",
        TXT,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    assert_eq!(r.msg.answers.len(), 1);
    // Ids come from the OS random source, not a counter or the clock.
    let mut ids = std::collections::HashSet::new();
    for _ in 0..8 {
        let r = query(
            emu.dns_addr(),
            "example.test",
            wire::TYPE_SOA,
            Duration::from_secs(1),
        )
        .await
        .unwrap();
        ids.insert(r.msg.id);
    }
    assert!(ids.len() >= 7, "{ids:?}");
}

#[tokio::test]
async fn answers_for_another_question_are_refused() {
    let emu = emulator().await;
    let ask = || {
        query(
            emu.dns_addr(),
            "_acme-challenge.example.test",
            TXT,
            Duration::from_millis(300),
        )
    };
    emu.set_dns_fault(Some(DnsFault::WrongQuestion));
    let e = ask().await.unwrap_err();
    assert!(matches!(e, QueryError::Mismatch { .. }), "{e}");
    assert!(
        e.to_string().contains("it answers elsewhere._acme-challenge.example.test. TXT, not _acme-challenge.example.test. TXT"),
        "{e}"
    );
    emu.set_dns_fault(Some(DnsFault::WrongOwner));
    let e = ask().await.unwrap_err().to_string();
    assert!(
        e.contains("not for the question asked")
            && e.contains("a TXT record for elsewhere._acme-challenge.example.test."),
        "{e}"
    );
    // Another id over UDP is a stray datagram and is waited past; over TCP
    // it is an error.
    emu.set_dns_fault(Some(DnsFault::WrongId));
    let t = Instant::now();
    let e = ask().await.unwrap_err().to_string();
    assert!(e.contains("its id is"), "{e}");
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    emu.set_dns_fault(None);
    assert_eq!(txt(&ask().await.unwrap()), ["token"]);
}
