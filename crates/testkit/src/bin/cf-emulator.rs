//! Runs the Cloudflare API emulator on loopback ports until killed, to try
//! dnsctl without touching a real account:
//!
//! ```text
//! cf-emulator --token test-token --zone example.com [--zone example.org]
//! export CLOUDFLARE_API_TOKEN=test-token
//! # dnsctl.yaml: providers: {cf: {type: cloudflare, base_url: <printed URL>}}
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut tokens = Vec::new();
    let mut zones = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--token", Some(v)) => tokens.push(v),
            ("--zone", Some(v)) => zones.push(v),
            _ => {
                eprintln!("usage: cf-emulator --token TOKEN --zone NAME [--zone NAME ...]");
                return ExitCode::from(2);
            }
        }
    }
    if tokens.is_empty() || zones.is_empty() {
        eprintln!("usage: cf-emulator --token TOKEN --zone NAME [--zone NAME ...]");
        return ExitCode::from(2);
    }
    let emu = testkit::Emulator::start_in_thread();
    for t in &tokens {
        emu.add_token(t);
    }
    for z in &zones {
        emu.add_zone(z);
    }
    println!("base_url: {}", emu.base_url());
    println!("dns: {} (UDP and TCP)", emu.dns_addr());
    loop {
        std::thread::park();
    }
}
