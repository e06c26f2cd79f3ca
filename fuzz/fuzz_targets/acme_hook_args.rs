//! Hook arguments and environment from ACME clients (lego/Traefik exec in
//! default and RAW mode, certbot's variables, durations, nameserver lists):
//! clear errors, never a panic; whatever is accepted is a usable challenge.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // NUL separates arguments, as in /proc/<pid>/cmdline.
    let args: Vec<&str> = text.split('\0').collect();
    match acme::hook::parse_exec(&args) {
        Ok(acme::hook::ExecCall::Present(c)) | Ok(acme::hook::ExecCall::Cleanup(c)) => {
            assert!(c.fqdn.as_str().ends_with('.'));
            assert_eq!(acme::hook::parse_value(&c.value).as_deref(), Ok(c.value.as_str()));
            assert_eq!(acme::hook::parse_record_name(c.fqdn.as_str()).as_ref(), Ok(&c.fqdn));
        }
        Ok(_) => {}
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    let first = args.first().copied();
    let second = args.get(1).copied();
    if let Ok(c) = acme::hook::parse_certbot(first, second) {
        assert!(c.fqdn.as_str().starts_with("_acme-challenge."));
    }
    let _ = acme::hook::parse_duration("EXEC_PROPAGATION_TIMEOUT", text);
    let _ = acme::hook::parse_nameservers(text);
    let _ = acme::hook::challenge_name(text);
});
