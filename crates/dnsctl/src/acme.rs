//! `dnsctl acme ...`, and the hook contracts ACME clients call dnsctl with:
//! lego/Traefik/Caddy `exec` (`dnsctl present|cleanup ...` as a top-level
//! invocation, so `EXEC_PATH` can point straight at the binary), certbot's
//! manual hooks, and the plain commands that acme.sh's hook script and
//! deploy scripts use.

use anyhow::{anyhow, Context, Result};
use clap::{Args, Subcommand};
use provider::config::Config;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Environment: the servers to check propagation on, instead of the zone's NS.
const ENV_NAMESERVER: &str = "DNSCTL_NAMESERVER";
/// Environment: the config file for hooks, which run in the client's directory.
const ENV_CONFIG: &str = "DNSCTL_CONFIG";

pub(crate) const ACME_HELP: &str = "\
Examples:
  dnsctl acme check example.com                    # before the first issuance
  dnsctl acme present _acme-challenge.example.com VALUE

Hooks for ACME clients (DNS-01):
  lego, Traefik, Caddy   EXEC_PATH=$(command -v dnsctl)   (calls `dnsctl present|cleanup ...`)
  certbot                --manual-auth-hook 'dnsctl acme certbot-auth'
                         --manual-cleanup-hook 'dnsctl acme certbot-cleanup'
  acme.sh                contrib/acme.sh/dns_dnsctl.sh   (--dns dns_dnsctl)
Hooks find dnsctl.yaml from the working directory upward, or via DNSCTL_CONFIG.
DNSCTL_NAMESERVER=HOST:PORT[,...] checks propagation on those servers instead of the zone's NS.

Exit codes:
  0  success (exec hooks: also an action this version does not know)
  1  an error, a propagation timeout, or (check) a failed finding";

#[derive(Subcommand)]
pub(crate) enum AcmeCommand {
    /// Publish a TXT value at a name (adding to the values there) and wait until every authoritative nameserver serves it
    #[command(
        after_help = "Examples:\n  dnsctl acme present _acme-challenge.example.com TOKEN_DIGEST\n  dnsctl acme present _acme-challenge.example.com TOKEN_DIGEST --nameserver 127.0.0.1:5353"
    )]
    Present(ValueArgs),
    /// Remove one TXT value from a name (other values stay) and wait until no authoritative nameserver serves it
    #[command(
        after_help = "Examples:\n  dnsctl acme cleanup _acme-challenge.example.com TOKEN_DIGEST"
    )]
    Cleanup(ValueArgs),
    /// Wait until every authoritative nameserver serves a TXT value, changing nothing
    #[command(
        after_help = "Examples:\n  dnsctl acme wait _acme-challenge.example.com TOKEN_DIGEST\n  dnsctl acme wait _acme-challenge.example.com TOKEN_DIGEST --timeout 300"
    )]
    Wait(ValueArgs),
    /// certbot --manual-auth-hook: publishes CERTBOT_VALIDATION at _acme-challenge.CERTBOT_DOMAIN
    #[command(
        after_help = "Example:\n  certbot certonly --manual --preferred-challenges dns \\\n    --manual-auth-hook 'dnsctl acme certbot-auth' \\\n    --manual-cleanup-hook 'dnsctl acme certbot-cleanup' -d example.com -d '*.example.com'"
    )]
    CertbotAuth(WaitArgs),
    /// certbot --manual-cleanup-hook: removes CERTBOT_VALIDATION from _acme-challenge.CERTBOT_DOMAIN
    #[command(
        after_help = "Example:\n  certbot certonly --manual --preferred-challenges dns \\\n    --manual-auth-hook 'dnsctl acme certbot-auth' \\\n    --manual-cleanup-hook 'dnsctl acme certbot-cleanup' -d example.com\n\ncertbot runs it once per domain after validation, with CERTBOT_DOMAIN and\nCERTBOT_VALIDATION set; other values at the name stay."
    )]
    CertbotCleanup(WaitArgs),
    /// Preflight before a first issuance: credentials, CAA, delegation, stale challenge values
    #[command(
        after_help = "Examples:\n  dnsctl acme check example.com\n  dnsctl acme check example.com --ca letsencrypt.org --ca pki.goog\n  dnsctl acme check example.com --clean     # remove stale _acme-challenge values"
    )]
    Check {
        /// The domain a certificate is wanted for (its wildcard is checked too)
        domain: String,
        /// The CA's CAA domain that must be allowed; repeat for several
        #[arg(long = "ca", value_name = "DOMAIN", default_value = acme::check::DEFAULT_CA)]
        cas: Vec<String>,
        /// Remove stale _acme-challenge TXT values
        #[arg(long)]
        clean: bool,
        /// Print the findings as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        wait: WaitArgs,
    },
}

#[derive(Args)]
pub(crate) struct ValueArgs {
    /// The record name, e.g. _acme-challenge.example.com (trailing dot optional)
    fqdn: String,
    /// The TXT value (for ACME: base64url(sha256(key authorization))); it may begin with '-'
    #[arg(allow_hyphen_values = true)]
    value: String,
    #[command(flatten)]
    wait: WaitArgs,
}

#[derive(Args)]
pub(crate) struct WaitArgs {
    /// Check propagation on this server instead of the zone's nameservers (repeatable) [env: DNSCTL_NAMESERVER]
    #[arg(long, value_name = "HOST:PORT")]
    nameserver: Vec<String>,
    /// Give up waiting for propagation after this many seconds
    #[arg(long, value_name = "SECONDS", default_value = "120")]
    timeout: String,
    /// The longest pause between two propagation checks, in seconds
    #[arg(long, value_name = "SECONDS", default_value = "2")]
    interval: String,
    /// Do not wait for propagation
    #[arg(long)]
    no_wait: bool,
}

impl WaitArgs {
    fn settings(&self) -> Result<acme::Settings> {
        let mut nameservers = Vec::new();
        for n in &self.nameserver {
            nameservers.extend(acme::hook::parse_nameservers(n)?);
        }
        if nameservers.is_empty() {
            nameservers = env_nameservers()?;
        }
        Ok(acme::Settings {
            nameservers,
            policy: acme::Policy {
                timeout: acme::hook::parse_duration("--timeout", &self.timeout)?,
                max_interval: acme::hook::parse_duration("--interval", &self.interval)?,
                ..acme::Policy::default()
            },
            no_wait: self.no_wait,
            progress: crate::progress::propagation(),
        })
    }
}

fn env_nameservers() -> Result<Vec<SocketAddr>> {
    match std::env::var(ENV_NAMESERVER) {
        Ok(v) => acme::hook::parse_nameservers(&v).map_err(|e| anyhow!("{ENV_NAMESERVER}: {e}")),
        Err(std::env::VarError::NotPresent) => Ok(Vec::new()),
        Err(_) => Err(anyhow!("{ENV_NAMESERVER} is not valid UTF-8")),
    }
}

fn say(report: &acme::Report, verb: &str, value: &str) -> Result<()> {
    let what = match report.outcome {
        acme::Outcome::Changed => verb.to_string(),
        acme::Outcome::Unchanged => format!("already {verb}"),
    };
    let via = report
        .via
        .iter()
        .map(|n| format!(" (CNAME from {n})"))
        .collect::<String>();
    let wait = match &report.waited {
        Some(w) => format!(
            "; {} on {} authoritative server(s) after {} ms",
            if verb == "removed" { "gone" } else { "visible" },
            w.servers,
            w.elapsed.as_millis()
        ),
        None => String::new(),
    };
    outln!(
        "{what} TXT \"{value}\" at {}{via} ({}){wait}",
        report.fqdn,
        report.target
    );
    Ok(())
}

/// Runs `dnsctl acme <command>`.
pub(crate) async fn run(cfg: &Config, cmd: AcmeCommand) -> Result<ExitCode> {
    match cmd {
        AcmeCommand::Present(a) => {
            let s = a.wait.settings()?;
            let name = acme::hook::parse_record_name(&a.fqdn)?;
            let r = acme::present(cfg, &name, &a.value, &s).await?;
            say(&r, "published", &a.value)?;
        }
        AcmeCommand::Cleanup(a) => {
            let s = a.wait.settings()?;
            let name = acme::hook::parse_record_name(&a.fqdn)?;
            let r = acme::cleanup(cfg, &name, &a.value, &s).await?;
            say(&r, "removed", &a.value)?;
        }
        AcmeCommand::Wait(a) => {
            let s = a.wait.settings()?;
            let name = acme::hook::parse_record_name(&a.fqdn)?;
            let r = acme::wait(cfg, &name, &a.value, &s).await?;
            say(&r, "published", &a.value)?;
        }
        AcmeCommand::CertbotAuth(w) => {
            let s = w.settings()?;
            let c = certbot_challenge()?;
            let r = acme::present(cfg, &c.fqdn, &c.value, &s).await?;
            // certbot hands this to the cleanup hook as CERTBOT_AUTH_OUTPUT.
            errln!("dnsctl: published TXT at {} ({})", r.fqdn, r.target);
            outln!("{}", r.fqdn);
        }
        AcmeCommand::CertbotCleanup(w) => {
            let s = w.settings()?;
            let c = certbot_challenge()?;
            let r = acme::cleanup(cfg, &c.fqdn, &c.value, &s).await?;
            say(&r, "removed", &c.value)?;
        }
        AcmeCommand::Check {
            domain,
            cas,
            clean,
            json,
            wait,
        } => {
            let s = wait.settings()?;
            let report = acme::check::check(cfg, &domain, &cas, &s, clean).await?;
            if json {
                let items: Vec<serde_json::Value> = report
                    .findings
                    .iter()
                    .map(|f| {
                        serde_json::json!({"level": level(f.level), "topic": f.topic, "message": f.message})
                    })
                    .collect();
                outln!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"version": crate::JSON_VERSION, "domain": domain, "ok": !report.failed(), "findings": items})
                    )?
                );
            } else {
                for f in &report.findings {
                    outln!("{:<5} {:<11} {}", level(f.level), f.topic, f.message);
                }
            }
            if report.failed() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn level(l: acme::check::Level) -> &'static str {
    match l {
        acme::check::Level::Ok => "ok",
        acme::check::Level::Warn => "warn",
        acme::check::Level::Fail => "FAIL",
    }
}

fn certbot_challenge() -> Result<acme::hook::Challenge> {
    let get = |k: &str| -> Result<Option<String>> {
        match std::env::var(k) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(_) => Err(anyhow!("{k} is not valid UTF-8")),
        }
    };
    Ok(acme::hook::parse_certbot(
        get("CERTBOT_DOMAIN")?.as_deref(),
        get("CERTBOT_VALIDATION")?.as_deref(),
    )?)
}

/// When dnsctl is run as lego's exec hook (`dnsctl present|cleanup|timeout
/// ...`), handles the call and returns its exit code; `None` for every other
/// command line.
pub(crate) fn exec_hook() -> Option<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let first = args.first()?.to_str()?;
    let lego_env =
        std::env::var_os("EXEC_PATH").is_some() || std::env::var_os("EXEC_MODE").is_some();
    let known = acme::hook::EXEC_ACTIONS.contains(&first);
    // An action this version does not know, from lego (its environment
    // names the exec provider): exit 0 as the exec contract asks.
    let is_subcommand = first.starts_with('-')
        || matches!(
            first,
            "check"
                | "preview"
                | "push"
                | "revert"
                | "pull"
                | "backups"
                | "import"
                | "acme"
                | "verify"
                | "help"
        );
    let hook_call = known || (lego_env && !is_subcommand);
    if !hook_call {
        return None;
    }
    let code = match run_exec(&args) {
        Ok(c) => c,
        Err(e) if e.is::<crate::output::StdoutClosed>() => ExitCode::SUCCESS,
        Err(e) => {
            errln!("dnsctl: error: {e:#}");
            ExitCode::FAILURE
        }
    };
    Some(code)
}

fn env_duration(key: &str, default: Duration) -> Result<Duration> {
    match std::env::var(key) {
        Ok(v) if !v.trim().is_empty() => Ok(acme::hook::parse_duration(key, &v)?),
        _ => Ok(default),
    }
}

fn run_exec(args: &[OsString]) -> Result<ExitCode> {
    let args: Vec<String> = args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            a.to_str()
                .map(str::to_string)
                .ok_or_else(|| anyhow!("argument {} is not valid UTF-8", i + 1))
        })
        .collect::<Result<_>>()?;
    // lego's defaults for its exec provider: 60 s timeout, 2 s interval.
    let policy = acme::Policy {
        timeout: env_duration("EXEC_PROPAGATION_TIMEOUT", Duration::from_secs(60))?,
        max_interval: env_duration("EXEC_POLLING_INTERVAL", Duration::from_secs(2))?,
        ..acme::Policy::default()
    };
    let call = acme::hook::parse_exec(&args)?;
    let (challenge, present) = match call {
        acme::hook::ExecCall::Unknown(action) => {
            errln!("dnsctl: exec action '{action}' is not known to this version; nothing to do");
            return Ok(ExitCode::SUCCESS);
        }
        acme::hook::ExecCall::Timeout => {
            outln!(
                "{}",
                serde_json::json!({"timeout": policy.timeout.as_secs(), "interval": policy.max_interval.as_secs()})
            );
            return Ok(ExitCode::SUCCESS);
        }
        acme::hook::ExecCall::Present(c) => (c, true),
        acme::hook::ExecCall::Cleanup(c) => (c, false),
    };
    let settings = acme::Settings {
        nameservers: env_nameservers()?,
        policy,
        no_wait: false,
        progress: crate::progress::propagation(),
    };
    let config = std::env::var_os(ENV_CONFIG).map(PathBuf::from);
    let cfg = crate::load_config(config.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        if present {
            let r = acme::present(&cfg, &challenge.fqdn, &challenge.value, &settings).await?;
            say(&r, "published", &challenge.value)?;
        } else {
            let r = acme::cleanup(&cfg, &challenge.fqdn, &challenge.value, &settings).await?;
            say(&r, "removed", &challenge.value)?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
