//! ACME DNS-01 challenges over any dnsctl provider.
//!
//! An ACME client proves control of a domain by publishing a TXT value at
//! `_acme-challenge.<domain>`; the CA looks it up and the client removes it.
//! This crate publishes and removes such values through the provider that
//! `dnsctl.yaml` assigns to the domain's zone (longest suffix wins), adds to
//! the record set rather than replacing it (certbot publishes two values at
//! one name for an apex plus its wildcard), follows a CNAME at
//! `_acme-challenge` into another configured zone, and waits until every
//! authoritative nameserver serves the value (or no longer does).
//!
//! The hook contracts of lego/Traefik/Caddy (`exec`), certbot and acme.sh are
//! parsed in [`hook`]; the `dnsctl` binary is the thin layer that calls them.
//!
//! ```no_run
//! # async fn demo() -> Result<(), acme::AcmeError> {
//! let cfg = provider::Config::load("dnsctl.yaml".as_ref()).expect("config");
//! let name = acme::hook::challenge_name("example.com").expect("a domain");
//! let settings = acme::Settings::default();
//! let report = acme::present(&cfg, &name, "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM", &settings).await?;
//! println!("published at {} via {}", report.fqdn, report.target);
//! acme::cleanup(&cfg, &name, "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM", &settings).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs, unreachable_pub)]

pub mod challenge;
pub mod check;
pub mod dns;
pub mod hook;
pub mod propagation;

pub use challenge::{zone_for, Outcome};
pub use hook::key_authorization_digest;
pub use propagation::{Policy, Progress, PropagationError, Round, Server, Waited, Want};

use provider::config::Config;
use provider::ProviderError;
use std::net::SocketAddr;
use zone::Name;

/// Each message is a sentence complete in its `Display`, with no `source()`
/// behind it: printing the chain (`{:#}`) then says each cause once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AcmeError {
    /// No configured zone holds the name.
    #[error("no zone in dnsctl.yaml holds {name}{}; zones there: {}", .via.as_ref().map(|v| format!(" (the CNAME at {v} points there)")).unwrap_or_default(), if .zones.is_empty() { "none".to_string() } else { .zones.join(", ") })]
    NoZone {
        /// The name, absolute.
        name: String,
        /// The CNAME that led there, if one did.
        via: Option<String>,
        /// The zones dnsctl.yaml has.
        zones: Vec<String>,
    },
    /// The zone names a provider the config does not define.
    #[error("provider '{provider}' is not configured")]
    NoProvider {
        /// The zone.
        zone: String,
        /// The provider it names.
        provider: String,
    },
    /// Following CNAMEs from the challenge name came back to a name seen.
    #[error("CNAME loop at the challenge name: {0}")]
    CnameLoop(String),
    /// The provider of the zone failed.
    #[error("{target}: {error}")]
    Provider {
        /// The provider and zone, for messages.
        target: String,
        /// What it said.
        error: ProviderError,
    },
    /// The value did not propagate to every authoritative server in time.
    #[error(transparent)]
    Propagation(#[from] PropagationError),
    /// A hook's arguments or environment were not what its client sends.
    #[error(transparent)]
    Hook(#[from] hook::HookError),
    /// The TXT set with the value added or removed is not valid.
    #[error("{name}: {error}")]
    RecordSet {
        /// The name of the set.
        name: String,
        /// Why.
        error: zone::RecordSetError,
    },
    /// The TXT set kept changing while it was written: another writer.
    #[error("{name} kept changing under us ({rounds} rounds): is another tool rewriting its TXT records?")]
    KeptChanging {
        /// The name of the set.
        name: String,
        /// How many read-modify-write rounds were tried.
        rounds: usize,
    },
}

/// How present, cleanup and wait run.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Ask these servers instead of the zone's NS (tests, split horizons).
    pub nameservers: Vec<SocketAddr>,
    /// How long and how often the propagation wait asks.
    pub policy: Policy,
    /// Skip the propagation wait.
    pub no_wait: bool,
    /// Told where the propagation wait stands after each round.
    pub progress: Option<Progress>,
}

/// What a present or cleanup did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Where the value was published (after CNAMEs).
    pub fqdn: Name,
    /// The CNAMEs followed from the asked name.
    pub via: Vec<Name>,
    /// Whether the value was added, was there already, or was removed.
    pub outcome: Outcome,
    /// The provider and zone, for messages.
    pub target: String,
    /// How the propagation wait went (None when it was skipped).
    pub waited: Option<Waited>,
    /// Every value at the name after the change (per the provider).
    pub values: Vec<String>,
}

async fn finish(
    loc: challenge::Location<'_>,
    outcome: Outcome,
    value: &str,
    want: Want,
    settings: &Settings,
) -> Result<Report, AcmeError> {
    let waited = if settings.no_wait {
        None
    } else {
        let servers =
            propagation::authoritative_servers(&loc.zone.name, &settings.nameservers).await?;
        Some(
            propagation::wait(
                &servers,
                &loc.fqdn,
                value,
                want,
                settings.policy,
                settings.progress.as_ref(),
            )
            .await?,
        )
    };
    Ok(Report {
        values: loc.values(),
        target: loc.describe(),
        fqdn: loc.fqdn,
        via: loc.via,
        outcome,
        waited,
    })
}

/// Publishes `value` at `name` (adding to what is there) and waits until
/// every authoritative nameserver serves it.
pub async fn present(
    cfg: &Config,
    name: &Name,
    value: &str,
    settings: &Settings,
) -> Result<Report, AcmeError> {
    let value = hook::parse_value(value)?;
    let (loc, outcome) = challenge::present(cfg, name, &value).await?;
    finish(loc, outcome, &value, Want::Present, settings).await
}

/// Removes `value` from `name` (keeping other values) and waits until no
/// authoritative nameserver serves it.
pub async fn cleanup(
    cfg: &Config,
    name: &Name,
    value: &str,
    settings: &Settings,
) -> Result<Report, AcmeError> {
    let value = hook::parse_value(value)?;
    let (loc, outcome) = challenge::cleanup(cfg, name, &value).await?;
    finish(loc, outcome, &value, Want::Gone, settings).await
}

/// Waits until every authoritative nameserver serves `value` at `name` (after
/// CNAMEs), without changing anything.
pub async fn wait(
    cfg: &Config,
    name: &Name,
    value: &str,
    settings: &Settings,
) -> Result<Report, AcmeError> {
    let value = hook::parse_value(value)?;
    let loc = challenge::locate(cfg, name).await?;
    let settings = Settings {
        no_wait: false,
        ..settings.clone()
    };
    finish(loc, Outcome::Unchanged, &value, Want::Present, &settings).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `anyhow`'s `{:#}` prints: the error, then each source.
    fn chain(e: &dyn std::error::Error) -> String {
        let mut s = e.to_string();
        let mut src = e.source();
        while let Some(c) = src {
            s.push_str(&format!(": {c}"));
            src = c.source();
        }
        s
    }

    #[test]
    fn errors_say_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        for e in [
            AcmeError::Provider {
                target: "cloudflare: example.com".into(),
                error: ProviderError::Remote {
                    provider: "cf".into(),
                    kind: provider::RemoteKind::Auth,
                    message: "HTTP 403: forbidden".into(),
                },
            },
            AcmeError::Provider {
                target: "local: live/example.com.zone".into(),
                error: ProviderError::io("live/example.com.zone", io),
            },
            AcmeError::Propagation(PropagationError::NoServers {
                zone: "example.com.".into(),
                detail: "the system resolver found no NS records for example.com.".into(),
            }),
            AcmeError::Hook(hook::HookError::new(
                hook::HookInput::Value,
                "the value is empty",
            )),
        ] {
            let shown = chain(&e);
            assert_eq!(shown, e.to_string(), "a cause is printed twice");
            assert!(
                !shown.contains("Query {") && !shown.contains("Name("),
                "{shown}"
            );
        }
    }
}
