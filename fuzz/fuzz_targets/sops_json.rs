//! Fuzz the sops json store: parsing never panics, and what parses writes
//! out to text that parses again and writes identically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sops::stores::{self, Format};

fuzz_target!(|data: &[u8]| {
    let f = Format::from_name("json").unwrap();
    if let Ok(docs) = stores::load_plain(data, f) {
        if let Ok(out) = stores::emit_plain(&docs, f) {
            let again = stores::load_plain(&out, f).expect("our own output must parse");
            let out2 = stores::emit_plain(&again, f).expect("and write again");
            let again2 = stores::load_plain(&out2, f).expect("stable");
            assert_eq!(stores::emit_plain(&again2, f).unwrap(), out2, "writing is stable");
        }
    }
});
