//! Fuzz the scanner on arbitrary bytes: it never panics, every finding
//! points inside the text scanned, and a finding's preview never holds the
//! secret's bytes beyond the few it shows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn scanner() -> &'static scan::Scanner {
    static S: OnceLock<scan::Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let policy = scan::SopsPolicy::parse(
            b"creation_rules:\n  - path_regex: secrets/\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n",
            "",
        )
        .unwrap();
        scan::Scanner::new(&scan::Config::default())
            .unwrap()
            .with_sops(Some(policy))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = if data.first().is_some_and(|b| b % 2 == 0) {
        "secrets/x.yaml"
    } else {
        "x.env"
    };
    let r = scanner().scan(path, data);
    // Spans and lines refer to the text scanned (UTF-16 decoded, a
    // binary's printable runs).
    let (text, content) = scan::scannable(data);
    assert_eq!(r.content, content);
    let data: &[u8] = &text;
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    assert_eq!(r.findings.len(), r.spans.len());
    let utf8 = std::str::from_utf8(data).is_ok();
    for (f, &(s, e)) in r.findings.iter().zip(&r.spans) {
        assert!(f.line >= 1 && f.line <= lines, "line {} of {lines}", f.line);
        assert!(f.column >= 1);
        assert!(s <= e && e <= data.len());
        let secret = &data[s..e];
        // Only on UTF-8 input: lossy decoding of other bytes can make an
        // unrelated run equal to the secret by coincidence.
        if utf8 && secret.len() >= 12 && !secret.iter().all(|c| c.is_ascii_whitespace()) {
            assert!(
                !scan::preview_shows(&f.preview, secret),
                "preview shows the secret"
            );
        }
    }
});
