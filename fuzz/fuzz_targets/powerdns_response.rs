//! PowerDNS API answers are untrusted input: the zone document and every
//! record's presentation-format content must give errors with context, never
//! panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use provider::powerdns;

fuzz_target!(|data: &[u8]| {
    let origin = zone::Name::parse_fqdn("example.com.").unwrap();
    let _ = powerdns::fields(&String::from_utf8_lossy(data));
    if let Ok(z) = powerdns::parse_zone(&origin, data) {
        // Whatever was read can be written back as a PATCH.
        let plan = zone::plan::plan(&z, &zone::Zone::new(origin), &Default::default());
        let _ = powerdns::patch_body(&plan);
    }
});
