//! Inputs found by the fuzzers (fuzz/fuzz_targets/dns_message.rs), kept as
//! tests: what the target asserts must hold for each of them.

use provider::rfc2136::wire;

/// The dns_message target's property: parsing never panics, and every record
/// it decodes encodes again and decodes to itself.
fn decodes_to_itself(data: &[u8]) {
    let Ok(m) = wire::parse_message(data) else {
        return;
    };
    let _ = m.rcode(data);
    let _ = m.tsig(data);
    for rr in m.answers.iter().chain(&m.authority).chain(&m.additional) {
        let Ok(Some(v)) = wire::decode_rdata(data, rr) else {
            continue;
        };
        let Ok(bytes) = wire::encode_rdata(&v) else {
            continue;
        };
        let mut msg = Vec::new();
        wire::put_rr(&mut msg, ".", rr.rtype, wire::CLASS_IN, 0, &bytes);
        let again = wire::Rr {
            name: ".".into(),
            rtype: rr.rtype,
            class: wire::CLASS_IN,
            ttl: 0,
            start: 0,
            rdata: msg.len() - bytes.len()..msg.len(),
        };
        assert_eq!(wire::decode_rdata(&msg, &again).ok().flatten(), Some(v));
    }
}

#[test]
fn dns_message_artifacts_decode_to_themselves() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("dns_message")
        {
            decodes_to_itself(&std::fs::read(&p).unwrap());
            n += 1;
        }
    }
    assert!(n > 0, "no inputs in {}", dir.display());
}
