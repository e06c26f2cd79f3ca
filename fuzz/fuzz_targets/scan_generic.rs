//! Differential fuzzing of the scanner's hand-written parts: the generic
//! `key = value` / XML parser against its reference regexes (same matches,
//! same spans), and a full scan of the same bytes (no panic; findings
//! inside the text scanned).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    assert_eq!(
        scan::generic::parse_all(data),
        scan::generic::reference_all(data)
    );
    static S: OnceLock<scan::Scanner> = OnceLock::new();
    let s = S.get_or_init(|| scan::Scanner::new(&scan::Config::default()).unwrap());
    let r = s.scan("x.env", data);
    // Spans refer to the text scanned (UTF-16 decoded can be longer).
    let len = scan::scannable(data).0.len();
    for &(a, b) in &r.spans {
        assert!(a <= b && b <= len);
    }
});
