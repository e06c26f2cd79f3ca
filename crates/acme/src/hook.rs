//! The argument and environment contracts of ACME clients' DNS hooks, parsed
//! into typed calls. Everything here is pure and never panics: hook input
//! comes from other programs and is treated as untrusted.
//!
//! ```
//! use acme::hook::{parse_exec, ExecCall};
//! // lego / Traefik `exec` provider, default mode:
//! let call = parse_exec(&["present", "_acme-challenge.example.com.", "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM"]).unwrap();
//! assert!(matches!(call, ExecCall::Present(_)));
//! // EXEC_MODE=RAW: the value is base64url(sha256(keyAuth)).
//! let ExecCall::Cleanup(c) = parse_exec(&["cleanup", "--", "example.com", "token", "token.thumbprint"]).unwrap() else { panic!() };
//! assert_eq!(c.fqdn.as_str(), "_acme-challenge.example.com.");
//! assert_eq!(c.value, acme::key_authorization_digest("token.thumbprint"));
//! ```

use base64::Engine;
use sha2::Digest;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use zone::Name;

/// The label under which DNS-01 challenge values are published.
pub const CHALLENGE_LABEL: &str = "_acme-challenge";

/// The longest TXT value accepted: one character-string.
pub const MAX_VALUE_LEN: usize = 255;

/// A hook argument that cannot be used; the message says which and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HookError {
    /// Which input was wrong.
    pub input: HookInput,
    /// What is wrong with it and what is expected, for the user.
    pub message: String,
}

/// The inputs of a hook call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HookInput {
    /// The arguments as a whole: the action and how many there are.
    Arguments,
    /// A domain or record name.
    Name,
    /// The TXT value or key authorization.
    Value,
    /// A duration (a timeout, an interval).
    Duration,
    /// A nameserver address.
    Nameserver,
    /// An environment variable the client sets (certbot's).
    Environment,
}

impl HookError {
    /// An error about `input`.
    pub fn new(input: HookInput, message: impl Into<String>) -> HookError {
        HookError {
            input,
            message: message.into(),
        }
    }
}

fn err<T>(input: HookInput, msg: impl Into<String>) -> Result<T, HookError> {
    Err(HookError::new(input, msg))
}

/// One TXT value at one name: what a hook publishes or removes.
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The name the client asked for, e.g. `_acme-challenge.example.com.`.
    pub fqdn: Name,
    /// The TXT value (the key authorization's digest).
    pub value: String,
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Challenge({} TXT {:?})", self.fqdn, self.value)
    }
}

/// What lego's (and so Traefik's and Caddy's) `exec` provider asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecCall {
    /// `present`: publish the value.
    Present(Challenge),
    /// `cleanup`: remove it.
    Cleanup(Challenge),
    /// `timeout`: report the propagation timeout and polling interval.
    Timeout,
    /// An action this version does not know; exec hooks must exit 0 for it.
    Unknown(String),
}

/// The actions that make `dnsctl <action> ...` an exec-hook invocation.
pub const EXEC_ACTIONS: [&str; 3] = ["present", "cleanup", "timeout"];

/// Parses the arguments after the program name of an exec-provider call:
/// `present|cleanup <fqdn.> <value>` (default mode) or
/// `present|cleanup -- <domain> <token> <keyAuth>` (`EXEC_MODE=RAW`).
pub fn parse_exec<S: AsRef<str>>(args: &[S]) -> Result<ExecCall, HookError> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let Some((&action, rest)) = args.split_first() else {
        return err(
            HookInput::Arguments,
            "missing the action: expected present, cleanup or timeout",
        );
    };
    let make: fn(Challenge) -> ExecCall = match action {
        "present" => ExecCall::Present,
        "cleanup" => ExecCall::Cleanup,
        "timeout" => return Ok(ExecCall::Timeout),
        other => return Ok(ExecCall::Unknown(other.to_string())),
    };
    let challenge = match rest {
        ["--", domain, _token, key_auth] => {
            if key_auth.is_empty() {
                return err(HookInput::Value, format!("{action}: the key authorization (4th argument after --) is empty"));
            }
            Challenge {
                fqdn: challenge_name(domain)?,
                value: key_authorization_digest(key_auth),
            }
        }
        ["--", ..] => {
            return err(HookInput::Arguments, format!(
                "{action} in RAW mode takes `-- <domain> <token> <keyAuth>`, got {} argument(s) after --",
                rest.len() - 1
            ))
        }
        [fqdn, value] => Challenge {
            fqdn: parse_record_name(fqdn)?,
            value: parse_value(value)?,
        },
        _ => {
            return err(HookInput::Arguments, format!(
                "{action} takes `<fqdn> <value>` (or `-- <domain> <token> <keyAuth>` with EXEC_MODE=RAW), got {} argument(s)",
                rest.len()
            ))
        }
    };
    Ok(make(challenge))
}

/// The TXT value of a DNS-01 challenge: base64url(SHA-256(key authorization)), unpadded.
pub fn key_authorization_digest(key_auth: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(key_auth.as_bytes()))
}

/// Parses a domain as ACME clients pass it: with or without a trailing dot,
/// any case, optionally as a wildcard (`*.example.com`, whose challenge is
/// published at `_acme-challenge.example.com`).
pub fn parse_domain(domain: &str) -> Result<Name, HookError> {
    let d = domain.trim();
    let d = d.strip_prefix("*.").unwrap_or(d);
    if d.is_empty() || d == "." {
        return err(HookInput::Name, format!("'{domain}' is not a domain name"));
    }
    if d.contains('*') {
        return err(
            HookInput::Name,
            format!("'{domain}': only a leading '*.' wildcard is allowed"),
        );
    }
    if let Some(bad) = d
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return err(HookInput::Name, format!(
            "'{}' is not a domain name: it contains {bad:?} (internationalised names must be given in their xn-- form)",
            domain.escape_debug()
        ));
    }
    let fqdn = if d.ends_with('.') {
        d.to_string()
    } else {
        format!("{d}.")
    };
    Name::parse_fqdn(&fqdn).map_err(|e| HookError::new(HookInput::Name, format!("'{domain}': {e}")))
}

/// A record name given in full (`_acme-challenge.example.com.`); the trailing
/// dot is optional.
pub fn parse_record_name(fqdn: &str) -> Result<Name, HookError> {
    if fqdn.trim_start().starts_with('*') {
        return err(
            HookInput::Name,
            format!("'{fqdn}': a challenge record name cannot be a wildcard"),
        );
    }
    parse_domain(fqdn)
}

/// `_acme-challenge.<domain>` for a domain (a wildcard's is its base domain's).
/// A domain that already starts with the challenge label is taken as is.
pub fn challenge_name(domain: &str) -> Result<Name, HookError> {
    let d = parse_domain(domain)?;
    if d.as_str().starts_with(&format!("{CHALLENGE_LABEL}.")) {
        return Ok(d);
    }
    Name::parse_fqdn(&format!("{CHALLENGE_LABEL}.{d}"))
        .map_err(|e| HookError::new(HookInput::Name, format!("'{domain}': {e}")))
}

/// A TXT value a hook may publish: 1 to 255 printable ASCII characters
/// without quotes or backslashes (ACME values are 43 base64url characters).
pub fn parse_value(value: &str) -> Result<String, HookError> {
    if value.is_empty() {
        return err(HookInput::Value, "the TXT value is empty");
    }
    if value.len() > MAX_VALUE_LEN {
        return err(
            HookInput::Value,
            format!(
                "the TXT value is {} characters long; at most {MAX_VALUE_LEN} are accepted",
                value.len()
            ),
        );
    }
    if let Some(c) = value
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '"' | '\\'))
    {
        return err(
            HookInput::Value,
            format!("the TXT value contains {c:?}; ACME challenge values are base64url text"),
        );
    }
    Ok(value.to_string())
}

/// A duration in whole seconds as lego's `EXEC_PROPAGATION_TIMEOUT` and
/// `EXEC_POLLING_INTERVAL` give it (`60`); `60s`, `1.5s`, `500ms` and `2m`
/// are accepted too.
pub fn parse_duration(what: &str, s: &str) -> Result<Duration, HookError> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && v * scale <= 86_400.0 => {
            Ok(Duration::from_secs_f64(v * scale))
        }
        _ => err(
            HookInput::Duration,
            format!(
                "{what}='{}' is not a duration: give seconds, e.g. 60",
                s.escape_debug()
            ),
        ),
    }
}

/// A nameserver address: `host:port`, `[v6]:port`, or an address alone (port 53).
pub fn parse_nameserver(s: &str) -> Result<SocketAddr, HookError> {
    let t = s.trim();
    if let Ok(a) = t.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Ok(ip) = t
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return Ok(SocketAddr::new(ip, 53));
    }
    err(
        HookInput::Nameserver,
        format!(
        "nameserver '{}' must be an address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53",
        s.escape_debug()
    ),
    )
}

/// A comma- or space-separated list of nameservers (for an environment variable).
pub fn parse_nameservers(s: &str) -> Result<Vec<SocketAddr>, HookError> {
    s.split([',', ' '])
        .filter(|p| !p.trim().is_empty())
        .map(parse_nameserver)
        .collect()
}

/// What certbot's `--manual-auth-hook` and `--manual-cleanup-hook` pass in
/// `CERTBOT_DOMAIN` and `CERTBOT_VALIDATION`.
pub fn parse_certbot(
    domain: Option<&str>,
    validation: Option<&str>,
) -> Result<Challenge, HookError> {
    let Some(domain) = domain else {
        return err(HookInput::Environment, "CERTBOT_DOMAIN is not set: run this as certbot's --manual-auth-hook or --manual-cleanup-hook");
    };
    let Some(validation) = validation else {
        return err(HookInput::Environment, "CERTBOT_VALIDATION is not set: this hook is for the dns-01 challenge (--preferred-challenges dns)");
    };
    Ok(Challenge {
        fqdn: challenge_name(domain)?,
        value: parse_value(validation)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM";

    #[test]
    fn default_mode() {
        let c = parse_exec(&["present", "_acme-challenge.Example.COM.", V]).unwrap();
        assert_eq!(
            c,
            ExecCall::Present(Challenge {
                fqdn: Name::parse_fqdn("_acme-challenge.example.com.").unwrap(),
                value: V.into()
            })
        );
        // Without the trailing dot too.
        assert!(matches!(
            parse_exec(&["cleanup", "_acme-challenge.example.com", V]),
            Ok(ExecCall::Cleanup(_))
        ));
    }

    #[test]
    fn raw_mode_computes_the_digest() {
        // RFC 8555 section 8.4: the value is base64url(SHA-256(keyAuthorization)).
        assert_eq!(
            key_authorization_digest("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
        for d in ["example.com", "example.com.", "*.example.com"] {
            let ExecCall::Present(c) =
                parse_exec(&["present", "--", d, "tok", "tok.thumb"]).unwrap()
            else {
                panic!("not a present")
            };
            assert_eq!(c.fqdn.as_str(), "_acme-challenge.example.com.");
            assert_eq!(c.value, key_authorization_digest("tok.thumb"));
        }
    }

    #[test]
    fn other_actions() {
        assert_eq!(parse_exec(&["timeout"]).unwrap(), ExecCall::Timeout);
        assert_eq!(
            parse_exec(&["futureaction", "x"]).unwrap(),
            ExecCall::Unknown("futureaction".into())
        );
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "missing the action"),
            (&["present"], "got 0 argument"),
            (&["present", "a.example."], "got 1 argument"),
            (&["present", "--", "example.com", "tok"], "RAW mode"),
            (&["present", "--", "example.com", "tok", ""], "is empty"),
            (&["present", "exa mple.com.", V], "contains ' '"),
            (&["present", "*.example.com.", V], "cannot be a wildcard"),
            (&["present", "_acme-challenge.example.com.", ""], "empty"),
            (
                &["present", "_acme-challenge.example.com.", "a\"b"],
                "contains '\"'",
            ),
            (&["present", "a..b.", V], "'a..b.'"),
            (&["present", ".", V], "not a domain"),
        ];
        for (args, want) in cases {
            let e = parse_exec(args).unwrap_err().to_string();
            assert!(e.contains(want), "{args:?}: {e}");
        }
        let long = "x".repeat(256);
        assert!(parse_value(&long)
            .unwrap_err()
            .message
            .contains("256 characters"));
    }

    #[test]
    fn durations_and_nameservers() {
        assert_eq!(parse_duration("T", "60").unwrap(), Duration::from_secs(60));
        assert_eq!(
            parse_duration("T", "1.5s").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(
            parse_duration("T", "250ms").unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(parse_duration("T", "2m").unwrap(), Duration::from_secs(120));
        for bad in ["", "-1", "NaN", "inf", "1e99", "ten"] {
            assert!(
                parse_duration("T", bad)
                    .unwrap_err()
                    .message
                    .starts_with("T="),
                "{bad}"
            );
        }
        assert_eq!(parse_nameserver("127.0.0.1:5353").unwrap().port(), 5353);
        assert_eq!(parse_nameserver("::1").unwrap().port(), 53);
        assert_eq!(parse_nameserver("[::1]:54").unwrap().port(), 54);
        assert!(parse_nameserver("ns1.example.com").is_err());
        assert_eq!(
            parse_nameservers("127.0.0.1:1, 127.0.0.2:2").unwrap().len(),
            2
        );
    }

    #[test]
    fn certbot_env() {
        let c = parse_certbot(Some("*.example.com"), Some(V)).unwrap();
        assert_eq!(c.fqdn.as_str(), "_acme-challenge.example.com.");
        let e = parse_certbot(None, Some(V)).unwrap_err();
        assert_eq!(e.input, HookInput::Environment);
        assert!(e.message.contains("CERTBOT_DOMAIN"));
        assert!(parse_certbot(Some("example.com"), None)
            .unwrap_err()
            .message
            .contains("CERTBOT_VALIDATION"));
        assert_eq!(
            parse_exec(&["present"]).unwrap_err().input,
            HookInput::Arguments
        );
        assert_eq!(
            parse_domain("not a name").unwrap_err().input,
            HookInput::Name
        );
    }
}
