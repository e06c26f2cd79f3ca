//! Fuzz the rule-config parser (gitleaks-style TOML): any text is either
//! refused with an error or gives a scanner that scans without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = scan::Config::parse(text, "fuzz.toml") {
        if let Ok(s) = scan::Scanner::new(&config) {
            let _ = s.scan("a.env", data);
        }
    }
});
