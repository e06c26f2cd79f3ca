//! DNS providers behind one interface, the `dnsctl.yaml` configuration, and
//! timestamped backups of live zones.
//!
//! A provider lists a live zone as a [`zone::Zone`] and applies a
//! [`zone::Plan`]. Applying is idempotent: re-running after a crash or a
//! partial failure converges and never duplicates a record.
#![deny(missing_docs, unreachable_pub)]

pub mod backup;
pub mod cloudflare;
pub mod config;
pub mod dns;
pub mod http;
pub mod local;
pub mod powerdns;
pub mod rfc2136;
pub mod secret;
pub mod sync;

use std::future::Future;
use std::ops::RangeInclusive;
use zone::{Name, Plan, RType, Zone};

pub use cloudflare::CloudflareProvider;
pub use config::{Config, ZoneConfig};
pub use local::LocalProvider;
pub use powerdns::PowerDnsProvider;
pub use rfc2136::Rfc2136Provider;

/// What a provider can store; plans are checked against it before any write.
#[derive(Debug, Clone)]
pub struct Capabilities {
    /// The record types it can store.
    pub types: Vec<RType>,
    /// The TTLs it accepts.
    pub ttl: RangeInclusive<u32>,
    /// The `octodns.<key>` block this provider reads (e.g. `cloudflare`).
    pub meta_key: Option<&'static str>,
}

/// Each message is complete in its `Display`; none has a `source()`, so that
/// printing the chain (`{:#}` of anyhow) does not say the cause twice.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// The live zone could not be read (a zone file with errors, say).
    #[error(transparent)]
    Zone(#[from] zone::Diagnostics),
    /// The local provider's zone file does not parse (edited by hand, say).
    #[error("{diagnostics}\n  hint: the live zone file {path} cannot be read, so nothing was changed; fix it by hand, or replace it with a backup: `dnsctl backups {zone}` lists them and `dnsctl revert BACKUP` restores one over it")]
    Unreadable {
        /// The zone.
        zone: String,
        /// The live zone file.
        path: String,
        /// Why it does not parse.
        diagnostics: zone::Diagnostics,
    },
    /// The zone file was written but the local provider's `reload` command failed.
    #[error("{path} was written, but the reload command `{command}` failed ({detail}); the name server may still serve the old zone")]
    Reload {
        /// The zone file written.
        path: String,
        /// The reload command.
        command: String,
        /// How it failed.
        detail: String,
    },
    /// Another process held the zone's write lock for too long.
    #[error("{path} is being written by another dnsctl process (lock {lock} held for {waited_secs} s); nothing was changed, try again when it has finished")]
    Busy {
        /// The zone file.
        path: String,
        /// The lock file.
        lock: String,
        /// How long dnsctl waited.
        waited_secs: u64,
    },
    /// The live zone changed between planning and applying.
    #[error("zone {zone} changed since the plan was made ({detail}); run preview again")]
    Conflict {
        /// The zone.
        zone: String,
        /// What changed.
        detail: String,
    },
    /// The plan asks for something the provider cannot store; nothing was
    /// written.
    #[error("zone {zone}: {}", .problems.join("; "))]
    Unsupported {
        /// The zone.
        zone: String,
        /// Each record set refused, and why.
        problems: Vec<String>,
    },
    /// The provider's credential could not be read.
    #[error("provider '{provider}': {error}")]
    Credential {
        /// The provider, as dnsctl.yaml names it (or its kind).
        provider: String,
        /// Why.
        error: secret::CredentialError,
    },
    /// The provider's settings cannot work (a server that is not host:port,
    /// a TSIG secret that is not base64, say).
    #[error("{provider}: {reason}")]
    Config {
        /// The provider (its name in dnsctl.yaml, or its kind).
        provider: String,
        /// What is wrong and what would work.
        reason: String,
    },
    /// The provider's service refused or failed a request. The message may
    /// quote what the server sent, so it is shown without control characters.
    #[error("{provider}: {}", http::clean_text(.message))]
    Remote {
        /// The provider (its name in dnsctl.yaml, or its kind and server).
        provider: String,
        /// What failed, for a caller that acts on it (retry, ask for a
        /// new credential, create the zone).
        kind: RemoteKind,
        /// What was being done and what the server said.
        message: String,
    },
}

/// The kind of failure a provider's service reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteKind {
    /// The credential was refused (HTTP 401/403; a TSIG signature or key
    /// the server does not accept).
    Auth,
    /// The zone is not there (or the credential cannot see it).
    NotFound,
    /// Too many requests, still after the retries.
    RateLimited,
    /// The server failed (HTTP 5xx, SERVFAIL).
    Server,
    /// The server refused the request (another HTTP 4xx; REFUSED and the
    /// other DNS refusals), or the zone did not converge.
    Refused,
    /// No answer: no connection, a timeout, a connection closed early.
    Transport,
    /// An answer that is not what the protocol says: malformed, a redirect,
    /// too large, an answer to another question.
    Protocol,
}

impl RemoteKind {
    /// The kind of an HTTP error status.
    pub fn of_status(status: u16) -> RemoteKind {
        match status {
            401 | 403 => RemoteKind::Auth,
            404 => RemoteKind::NotFound,
            429 => RemoteKind::RateLimited,
            500.. => RemoteKind::Server,
            _ => RemoteKind::Refused,
        }
    }

    /// The kind of a DNS response code other than NOERROR (TSIG errors
    /// included: BADSIG, BADKEY and BADTIME come back as the code).
    pub fn of_rcode(rcode: u16) -> RemoteKind {
        match rcode {
            // NOTAUTH: not authoritative, or (RFC 8945) the key not accepted.
            9 | 16..=18 => RemoteKind::Auth,
            2 => RemoteKind::Server,
            _ => RemoteKind::Refused,
        }
    }

    /// The kind of a failure of the HTTP layer (no usable answer).
    pub fn of_http(e: &http::HttpError) -> RemoteKind {
        match e.kind {
            http::HttpErrorKind::Transport(_) => RemoteKind::Transport,
            _ => RemoteKind::Protocol,
        }
    }
}

impl ProviderError {
    /// An I/O error about `path`.
    pub fn io(path: impl AsRef<std::path::Path>, error: std::io::Error) -> Self {
        ProviderError::Io {
            path: path.as_ref().display().to_string(),
            error,
        }
    }
}

/// The interface every DNS provider implements.
pub trait Provider {
    /// Where a zone lives, for messages: e.g. `local: live/example.com.zone`.
    fn describe(&self, zone: &Name) -> String;
    /// What it can store (types, TTLs), to refuse a plan before any write.
    fn capabilities(&self) -> Capabilities;
    /// Rewrites a desired zone into the form `list` reports for the same live
    /// state (e.g. Cloudflare's proxied records are always TTL automatic), so
    /// that planning against it shows no change that would not stick. Call it
    /// on the desired zone before computing a plan. The default changes nothing.
    fn normalize(&self, _desired: &mut Zone) {}
    /// The live zone. A zone the provider does not hold yet is empty if the
    /// provider can create it on apply, and an error otherwise.
    fn list(&self, zone: &Name) -> impl Future<Output = Result<Zone, ProviderError>> + Send;
    /// Applies `plan` to the live zone, telling `progress` how far it has got.
    fn apply_reporting(
        &self,
        plan: &Plan,
        progress: Progress<'_>,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;
    /// Applies `plan` to the live zone.
    fn apply(&self, plan: &Plan) -> impl Future<Output = Result<(), ProviderError>> + Send {
        self.apply_reporting(plan, &no_progress)
    }
}

/// Told how far an apply has got, as `(done, total)` in the provider's own
/// steps: record operations for Cloudflare (a record set change can take
/// several), record set changes for the others. Providers call it after each
/// step that reaches the server (a batch, an UPDATE message, a PATCH, the
/// zone file written); one that applies in a single step calls it once.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

fn no_progress(_done: usize, _total: usize) {}

/// `apply_reporting` of a provider that applies a plan in one step (one
/// PATCH, one file written): the whole plan is done once `apply` succeeds.
async fn in_one_step(
    plan: &Plan,
    progress: Progress<'_>,
    apply: impl Future<Output = Result<(), ProviderError>>,
) -> Result<(), ProviderError> {
    apply.await?;
    progress(plan.changes.len(), plan.changes.len());
    Ok(())
}

/// Every provider the config can name; dispatches to the implementation.
#[derive(Debug)]
pub enum AnyProvider {
    /// Zone files in a directory.
    Local(LocalProvider),
    /// Boxed: it holds an HTTP client and caches, far larger than the others.
    Cloudflare(Box<CloudflareProvider>),
    /// A server that takes RFC 2136 dynamic updates (BIND, Knot).
    Rfc2136(Box<Rfc2136Provider>),
    /// The PowerDNS HTTP API.
    PowerDns(Box<PowerDnsProvider>),
}

impl Provider for AnyProvider {
    fn describe(&self, zone: &Name) -> String {
        match self {
            AnyProvider::Local(p) => p.describe(zone),
            AnyProvider::Cloudflare(p) => p.describe(zone),
            AnyProvider::Rfc2136(p) => p.describe(zone),
            AnyProvider::PowerDns(p) => p.describe(zone),
        }
    }

    fn capabilities(&self) -> Capabilities {
        match self {
            AnyProvider::Local(p) => p.capabilities(),
            AnyProvider::Cloudflare(p) => p.capabilities(),
            AnyProvider::Rfc2136(p) => p.capabilities(),
            AnyProvider::PowerDns(p) => p.capabilities(),
        }
    }

    fn normalize(&self, desired: &mut Zone) {
        match self {
            AnyProvider::Local(p) => p.normalize(desired),
            AnyProvider::Cloudflare(p) => p.normalize(desired),
            AnyProvider::Rfc2136(p) => p.normalize(desired),
            AnyProvider::PowerDns(p) => p.normalize(desired),
        }
    }

    async fn list(&self, zone: &Name) -> Result<Zone, ProviderError> {
        match self {
            AnyProvider::Local(p) => p.list(zone).await,
            AnyProvider::Cloudflare(p) => p.list(zone).await,
            AnyProvider::Rfc2136(p) => p.list(zone).await,
            AnyProvider::PowerDns(p) => p.list(zone).await,
        }
    }

    async fn apply_reporting(
        &self,
        plan: &Plan,
        progress: Progress<'_>,
    ) -> Result<(), ProviderError> {
        match self {
            AnyProvider::Local(p) => p.apply_reporting(plan, progress).await,
            AnyProvider::Cloudflare(p) => p.apply_reporting(plan, progress).await,
            AnyProvider::Rfc2136(p) => p.apply_reporting(plan, progress).await,
            AnyProvider::PowerDns(p) => p.apply_reporting(plan, progress).await,
        }
    }
}

/// Checks that every record set the plan writes fits the provider, so that an
/// unsupported type or TTL is refused before the first change.
pub fn check_capabilities(
    plan: &Plan,
    caps: &Capabilities,
    provider: &str,
) -> Result<(), ProviderError> {
    let mut problems = Vec::new();
    for ch in &plan.changes {
        if matches!(ch, zone::Change::Delete(_)) {
            continue;
        }
        let s = ch.set();
        if !caps.types.contains(&s.rtype) {
            problems.push(format!(
                "{} {}: {provider} does not support {} records",
                s.display_name(),
                s.rtype,
                s.rtype
            ));
        } else if !caps.ttl.contains(&s.ttl) {
            problems.push(format!(
                "{} {}: TTL {} is outside what {provider} accepts ({}..={})",
                s.display_name(),
                s.rtype,
                s.ttl,
                caps.ttl.start(),
                caps.ttl.end()
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ProviderError::Unsupported {
            zone: plan.zone.to_string(),
            problems,
        })
    }
}
