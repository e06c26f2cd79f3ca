//! DNS messages from a server (AXFR, UPDATE and query answers) are untrusted
//! input: parsing, checking an answer against its question, TSIG extraction
//! and decoding every record must give errors with context, never panic;
//! every decoded value must encode again and decode to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use provider::rfc2136::wire;

fuzz_target!(|data: &[u8]| {
    // The checks every query answer passes (provider::dns::query): an error
    // or the message, never a panic, in linear time.
    let server = std::net::SocketAddr::from(([127, 0, 0, 1], 53));
    let id = data.get(..2).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
    let _ = provider::dns::validate(server, data, id, "example.com.", 16);
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
});
