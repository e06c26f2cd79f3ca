//! dnsctl.yaml: must give located diagnostics, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = provider::Config::parse(text, std::path::Path::new(""), "dnsctl.yaml");
});
