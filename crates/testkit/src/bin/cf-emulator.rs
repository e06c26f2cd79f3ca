//! Runs the Cloudflare API emulator on loopback until killed, to try dnsctl
//! with a Cloudflare provider without an account (see `--help`).

use std::process::ExitCode;

const HELP: &str = "\
cf-emulator: an in-memory emulator of Cloudflare's DNS API (v4) and of the
zones' authoritative DNS, on 127.0.0.1, to try dnsctl's Cloudflare provider
without an account. Nothing leaves this machine; everything is lost on exit.

Usage: cf-emulator [--zone NAME]... [--token TOKEN]... [--port PORT] [--dns-port PORT] [--rate-limit N]

Options:
  --zone NAME       A zone the account holds (empty at start); repeatable [default: example.com]
  --token TOKEN     An API token it accepts; repeatable [default: test-token]
  --port PORT       The API's port [default: 8787; 0 = any free port]
  --dns-port PORT   The DNS port, UDP and TCP [default: the API's port + 1]
  --rate-limit N    Requests allowed per 5 minutes before 429s [default: 1200]
  -h, --help        Print this help

It prints a dnsctl.yaml for its zones, then the request count (on stderr) as
it changes. Try it:

  cf-emulator --zone example.com &        # or: cargo run -p dnsctl-testkit --bin cf-emulator --
  export CLOUDFLARE_API_TOKEN=test-token
  cf-emulator --print-config > dnsctl.yaml   # the same dnsctl.yaml, without starting
  dnsctl pull example.com                 # the empty zone, as zones/example.com.yaml
  dnsctl preview && dnsctl push --yes     # records go to the emulator's API
  dnsctl verify example.com --server 127.0.0.1:8788";

#[derive(Debug)]
struct Opts {
    zones: Vec<String>,
    tokens: Vec<String>,
    port: u16,
    dns_port: Option<u16>,
    rate: Option<u64>,
    print_config: bool,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Option<Opts>, String> {
    let mut o = Opts {
        zones: Vec::new(),
        tokens: Vec::new(),
        port: 8787,
        dns_port: None,
        rate: None,
        print_config: false,
    };
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let port = |v: String, name: &str| {
            v.parse::<u16>()
                .map_err(|_| format!("{name} takes a port number, not {v:?}"))
        };
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--print-config" => o.print_config = true,
            "--zone" => o.zones.push(value("--zone")?),
            "--token" => o.tokens.push(value("--token")?),
            "--port" => o.port = port(value("--port")?, "--port")?,
            "--dns-port" => o.dns_port = Some(port(value("--dns-port")?, "--dns-port")?),
            "--rate-limit" => {
                let v = value("--rate-limit")?;
                o.rate = Some(v.parse().map_err(|_| {
                    format!("--rate-limit takes a number of requests per 5 minutes, not {v:?}")
                })?)
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if o.zones.is_empty() {
        o.zones.push("example.com".into());
    }
    if o.tokens.is_empty() {
        o.tokens.push("test-token".into());
    }
    Ok(Some(o))
}

/// The dnsctl.yaml that manages the emulator's zones.
fn config(base_url: &str, zones: &[String]) -> String {
    let mut t = format!(
        "# dnsctl.yaml for cf-emulator (export CLOUDFLARE_API_TOKEN=<a --token>)\nproviders:\n  cf:\n    type: cloudflare\n    token: {{env: CLOUDFLARE_API_TOKEN}}\n    base_url: {base_url}\nzones:\n"
    );
    for z in zones {
        t.push_str(&format!(
            "  {}: {{provider: cf}}\n",
            z.trim_end_matches('.')
        ));
    }
    t
}

fn main() -> ExitCode {
    let o = match parse(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("cf-emulator: {e}\nRun cf-emulator --help for usage.");
            return ExitCode::from(2);
        }
    };
    let dns_port = o.dns_port.unwrap_or(if o.port == 0 {
        0
    } else {
        o.port.wrapping_add(1)
    });
    if o.print_config {
        print!(
            "{}",
            config(&format!("http://127.0.0.1:{}/client/v4", o.port), &o.zones)
        );
        return ExitCode::SUCCESS;
    }
    let emu = match testkit::Emulator::start_in_thread_on(o.port, dns_port) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cf-emulator: cannot listen: {e} (pick others with --port/--dns-port, or 0)");
            return ExitCode::FAILURE;
        }
    };
    for t in &o.tokens {
        emu.add_token(t);
    }
    for z in &o.zones {
        emu.add_zone(z);
    }
    if let Some(n) = o.rate {
        emu.set_rate_limit(n, std::time::Duration::from_secs(300));
    }
    println!("base_url: {}", emu.base_url());
    println!("dns: {} (UDP and TCP)", emu.dns_addr());
    println!("tokens: {}", o.tokens.join(", "));
    println!();
    print!("{}", config(&emu.base_url(), &o.zones));
    use std::io::Write;
    let _ = std::io::stdout().flush();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> impl Iterator<Item = String> + '_ {
        s.split_whitespace().map(str::to_string)
    }

    #[test]
    fn defaults_and_errors() {
        let o = parse(args("")).unwrap().unwrap();
        assert_eq!(
            (o.zones, o.tokens, o.port),
            (
                vec!["example.com".to_string()],
                vec!["test-token".to_string()],
                8787
            )
        );
        let o = parse(args("--zone a.test --zone b.test --port 0 --dns-port 5353"))
            .unwrap()
            .unwrap();
        assert_eq!((o.zones.len(), o.port, o.dns_port), (2, 0, Some(5353)));
        assert!(parse(args("--help")).unwrap().is_none());
        assert!(parse(args("--port x")).unwrap_err().contains("port number"));
        assert!(parse(args("--zone")).unwrap_err().contains("needs a value"));
        assert!(parse(args("--bogus"))
            .unwrap_err()
            .contains("unknown argument"));
    }
}
