//! Runs the Cloudflare API emulator on loopback ports until killed, to try
//! dnsctl without touching a real account:
//!
//! ```text
//! cf-emulator --token test-token --zone example.com [--zone example.org] [--rate-limit 1200]
//! export CLOUDFLARE_API_TOKEN=test-token
//! # dnsctl.yaml: providers: {cf: {type: cloudflare, base_url: <printed URL>}}
//! ```

use std::process::ExitCode;

const USAGE: &str =
    "usage: cf-emulator --token TOKEN --zone NAME [--zone NAME ...] [--rate-limit N]\n\
    Prints the API base URL and the DNS address, then the request count (on stderr) as it changes.";

fn main() -> ExitCode {
    let mut tokens = Vec::new();
    let mut zones = Vec::new();
    let mut rate = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--token", Some(v)) => tokens.push(v),
            ("--zone", Some(v)) => zones.push(v),
            ("--rate-limit", Some(v)) => match v.parse::<u64>() {
                Ok(n) => rate = Some(n),
                Err(_) => {
                    eprintln!("--rate-limit takes a number of requests per 5 minutes");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if tokens.is_empty() || zones.is_empty() {
        eprintln!("{USAGE}");
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
    if let Some(n) = rate {
        emu.set_rate_limit(n, std::time::Duration::from_secs(300));
    }
    let mut last = 0;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let (n, limited) = (
            emu.request_count(),
            emu.requests().iter().filter(|r| r.status == 429).count(),
        );
        if n != last {
            eprintln!("requests: {n} (429: {limited})");
            last = n;
        }
    }
}
