//! Cloudflare API answers are untrusted input: the envelope, record lists,
//! zone lookups and token checks must give errors with context, never panic,
//! and whatever records map to a zone must map back to the same records.
#![no_main]
use libfuzzer_sys::fuzz_target;
use provider::cloudflare::{api, mapping};

fuzz_target!(|data: &[u8]| {
    let origin = zone::Name::parse_fqdn("example.com.").unwrap();
    let _ = mapping::unquote_txt(&String::from_utf8_lossy(data));
    let Ok(env) = api::parse_envelope(data) else { return };
    let _ = api::parse_zone_id(&env.result, "example.com");
    let _ = api::parse_token_status(&env.result);
    let Ok(records) = api::parse_records(&env.result, "fuzz") else { return };
    let Ok((z, _skipped)) = mapping::to_zone(&origin, &records) else { return };
    for set in z.iter() {
        for w in mapping::wants(set) {
            let _ = mapping::create_body(&w, &mapping::api_name(&set.name, &origin));
        }
        let _ = mapping::check_set(set);
    }
});
