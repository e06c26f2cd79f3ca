//! Inputs found by the fuzzers (fuzz/fuzz_targets/sops_*.rs), kept as tests.

use sops::stores::{self, Format};

fn stable(data: &[u8], f: Format) {
    if let Ok(docs) = stores::load_plain(data, f) {
        // What the format cannot carry is refused, never written wrong.
        let out = match stores::emit_plain(&docs, f) {
            Ok(out) => out,
            Err(sops::Error::Unsupported(_)) => return,
            Err(e) => panic!("{e}"),
        };
        let again = stores::load_plain(&out, f).unwrap_or_else(|e| {
            panic!(
                "our output does not parse: {e}\n{}",
                String::from_utf8_lossy(&out)
            )
        });
        let out2 = stores::emit_plain(&again, f).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out2),
            String::from_utf8_lossy(&out)
        );
    }
}

#[test]
fn fuzz_artifacts_are_stable() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let data = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let f = if name.starts_with("ini") {
            Format::Ini
        } else {
            Format::Yaml
        };
        stable(&data, f);
    }
}
