//! RFC 1035 zone files (imports, the local provider's live files): must give
//! diagnostics, never panic, and whatever it accepts must round-trip.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let origin = zone::Name::parse_fqdn("example.com.").unwrap();
    if let Ok(z) = zone::parse_zone_file(text, &origin, "fuzz") {
        let again = zone::parse_zone_file(&zone::write_zone_file(&z), &origin, "fuzz").expect("written file reads back");
        assert_eq!(again, z);
    }
});
