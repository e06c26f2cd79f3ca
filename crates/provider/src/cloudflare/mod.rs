//! The Cloudflare provider: a thin typed client of the v4 API.
//!
//! ```yaml
//! providers:
//!   cf:
//!     type: cloudflare
//!     token: {env: CLOUDFLARE_API_TOKEN}   # the default; a reference, never the token
//!     batch_size: 200                      # operations per batch request (3500 on paid plans)
//! ```
//!
//! * The token is verified once (`GET /user/tokens/verify`), the zone is found
//!   by name (`GET /zones?name=`), and records are listed with a large
//!   `per_page` (5,000), following `result_info`: a 10,000-record zone takes
//!   two list requests.
//! * A plan is applied through `POST /zones/{id}/dns_records/batch` in chunks
//!   of `batch_size`: all deletes first, then patches, then posts, so that a
//!   CNAME never collides with the record it replaces. Within a record set,
//!   a live record whose value is still wanted keeps its id (and is patched
//!   only if its TTL, proxied flag, comment or tags change); a changed value
//!   is a PATCH of a leftover record; only extra values are created or
//!   deleted. A type change is a delete plus a create.
//! * Apply converges: each planned record set is driven to its target from
//!   the live records, so a re-run after a crash or a failed chunk does only
//!   what is left, and never duplicates a record. When a write's outcome is
//!   unknown (a dropped connection, a 5xx), the zone is read again and the
//!   remaining work recomputed.
//! * Requests share a client-side budget per token (1,200 per 5 minutes);
//!   429 answers pause every zone for `Retry-After` (at most 60 s, said on
//!   stderr); 429, 5xx and dropped connections are retried with exponential
//!   backoff and jitter; every request has a timeout, answers are read up to
//!   64 MiB, and redirects are not followed (all in [`crate::http`]).
//!
//! Why a client of our own rather than the `cloudflare` crate (0.14): that
//! crate has no CAA, HTTPS, SVCB, TLSA, SSHFP or PTR records, no comments or
//! tags, no PATCH and no batch endpoint, and it parses error codes as `u16`,
//! so Cloudflare's five-digit codes (81058 "identical record exists", 81053
//! CNAME conflict, ...) are lost (its issue #218). What we need is small: six
//! endpoints, one envelope, one record shape. This client is about 1,900
//! lines (docs included, tests apart) on `reqwest` with rustls and the ring backend (no OpenSSL, no
//! aws-lc-rs C build), parses every answer without trusting it, and is
//! tested against an emulator that octoDNS's own Cloudflare provider also
//! syncs against unchanged.

pub mod api;
pub mod client;
pub mod mapping;

use crate::config::Options;
use crate::http::Notice;
use crate::secret::SecretRef;
use crate::{Capabilities, Provider, ProviderError, RemoteKind};
use api::ApiRecord;
use client::{Budget, CallError, Client, RetryPolicy};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use zone::{Change, Diagnostic, Name, Plan, RData, RType, Zone};

/// The API the provider talks to unless `base_url` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
/// The variable the token is read from unless `token` says otherwise.
pub const DEFAULT_TOKEN_ENV: &str = "CLOUDFLARE_API_TOKEN";

/// Tunables of the provider; `Default` is what `dnsctl.yaml` gets when it says nothing.
#[derive(Debug, Clone)]
pub struct CloudflareOptions {
    /// The API's base URL (https, or http on loopback for tests).
    pub base_url: String,
    /// Operations per batch request: 200 on the Free plan, up to 3,500 on paid plans.
    pub batch_size: usize,
    /// Records per list request.
    pub per_page: u64,
    /// Timeout of each request.
    pub timeout: Duration,
    /// Retries of failed calls.
    pub retry: RetryPolicy,
    /// Requests per `rate_window` per token (Cloudflare: 1,200 per 5 minutes).
    pub rate_limit: usize,
    /// The window `rate_limit` counts requests in.
    pub rate_window: Duration,
    /// Where waits (a capped `Retry-After`) are announced: stderr by default.
    pub notice: Notice,
}

impl Default for CloudflareOptions {
    fn default() -> Self {
        CloudflareOptions {
            base_url: DEFAULT_BASE_URL.into(),
            batch_size: 200,
            per_page: 5000,
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            rate_limit: 1200,
            rate_window: Duration::from_secs(300),
            notice: Notice::default(),
        }
    }
}

/// The most list pages followed, against a server that never stops paging.
const MAX_PAGES: u64 = 10_000;
/// Rounds of (read live state, write what is left) in one apply.
const ROUNDS: usize = 4;

/// The Cloudflare DNS provider (API v4, batch endpoint, tags and comments).
pub struct CloudflareProvider {
    name: String,
    token: SecretRef,
    opts: CloudflareOptions,
    client: tokio::sync::OnceCell<Client>,
    verified: tokio::sync::OnceCell<()>,
    zone_ids: Mutex<HashMap<Name, String>>,
    /// Records from the last `list` of each zone, used (once) by the next
    /// `apply` so that a push does not read the zone twice.
    cache: Mutex<HashMap<Name, Vec<ApiRecord>>>,
    batch_unavailable: AtomicBool,
}

impl std::fmt::Debug for CloudflareProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudflareProvider")
            .field("name", &self.name)
            .field("token", &self.token)
            .field("base_url", &self.opts.base_url)
            .field("batch_size", &self.opts.batch_size)
            .finish_non_exhaustive()
    }
}

/// A failure inside the provider; `reconcile` when the live state must be
/// read again before going on.
struct Failure {
    error: ProviderError,
    reconcile: bool,
}

impl CloudflareProvider {
    /// `name` is the provider's name in `dnsctl.yaml`, used in messages.
    pub fn new(name: impl Into<String>, token: SecretRef, opts: CloudflareOptions) -> Self {
        CloudflareProvider {
            name: name.into(),
            token,
            opts,
            client: tokio::sync::OnceCell::new(),
            verified: tokio::sync::OnceCell::new(),
            zone_ids: Mutex::new(HashMap::new()),
            cache: Mutex::new(HashMap::new()),
            batch_unavailable: AtomicBool::new(false),
        }
    }

    /// Builds the provider from its section of dnsctl.yaml.
    pub fn from_options(opts: &Options<'_>) -> Result<Self, Diagnostic> {
        opts.only(&[
            "token",
            "base_url",
            "batch_size",
            "per_page",
            "timeout",
            "max_retries",
            "rate_limit",
        ])?;
        let token = opts
            .secret("token")?
            .unwrap_or_else(|| SecretRef::Env(DEFAULT_TOKEN_ENV.into()));
        let mut o = CloudflareOptions::default();
        if let Some(url) = opts.str("base_url")? {
            let pos = opts
                .node("base_url")
                .map(|n| n.pos)
                .unwrap_or(zone::Pos::new(1, 1));
            o.base_url = check_base_url(url).map_err(|e| Diagnostic::new(pos, e))?;
        }
        let ranged = |key: &str, lo: u64, hi: u64| -> Result<Option<u64>, Diagnostic> {
            match opts.u64(key)? {
                Some(v) if !(lo..=hi).contains(&v) => {
                    let pos = opts
                        .node(key)
                        .map(|n| n.pos)
                        .unwrap_or(zone::Pos::new(1, 1));
                    Err(Diagnostic::new(
                        pos,
                        format!("'{key}' must be between {lo} and {hi}"),
                    ))
                }
                v => Ok(v),
            }
        };
        if let Some(v) = ranged("batch_size", 1, 3500)? {
            o.batch_size = v as usize;
        }
        if let Some(v) = ranged("per_page", 5, 5_000_000)? {
            o.per_page = v;
        }
        if let Some(v) = ranged("timeout", 1, 3600)? {
            o.timeout = Duration::from_secs(v);
        }
        if let Some(v) = ranged("max_retries", 0, 20)? {
            o.retry.max_retries = v as u32;
        }
        if let Some(v) = ranged("rate_limit", 1, 1_000_000)? {
            o.rate_limit = v as usize;
        }
        Ok(CloudflareProvider::new(opts.provider, token, o))
    }

    /// The options it was built with.
    pub fn options(&self) -> &CloudflareOptions {
        &self.opts
    }

    /// Requests sent to the API so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.client.get().map_or(0, Client::requests_sent)
    }

    fn token_name(&self) -> String {
        format!("the API token in {}", self.token.describe())
    }

    fn err(&self, kind: RemoteKind, message: impl Into<String>) -> ProviderError {
        ProviderError::Remote {
            provider: self.name.clone(),
            kind,
            message: message.into(),
        }
    }

    /// A failure that no re-read of the zone can help.
    fn fail(&self, kind: RemoteKind, message: impl Into<String>) -> Failure {
        Failure {
            error: self.err(kind, message),
            reconcile: false,
        }
    }

    async fn client(&self) -> Result<&Client, ProviderError> {
        self.client
            .get_or_try_init(|| async {
                let token = self
                    .token
                    .resolve()
                    .map_err(|error| ProviderError::Credential {
                        provider: self.name.clone(),
                        error,
                    })?;
                let key = format!("{} {:?}", self.opts.base_url, self.token);
                let budget = Budget::shared(key, self.opts.rate_limit, self.opts.rate_window);
                Client::new(
                    &self.name,
                    &self.opts.base_url,
                    token,
                    self.opts.timeout,
                    budget,
                    self.opts.retry.clone(),
                    self.opts.notice.clone(),
                )
                .map_err(|reason| ProviderError::Config {
                    provider: self.name.clone(),
                    reason,
                })
            })
            .await
    }

    /// Explains an API failure: what was being done, what Cloudflare said, and what to do.
    fn explain(&self, doing: &str, e: &CallError) -> String {
        let hint = if e.has_code(9109) || e.has_code(1000) || e.status() == Some(401) {
            format!(
                "; {} is invalid or was revoked: create a token with Zone:Read and DNS:Edit",
                self.token_name()
            )
        } else if e.has_code(10000) || e.status() == Some(403) {
            format!("; {} lacks permission here: it needs Zone:Read and DNS:Read (DNS:Edit to push) on this zone", self.token_name())
        } else if e.status() == Some(429) {
            "; rate limited by Cloudflare and out of retries: wait a few minutes, or lower the number of zones synced at once".to_string()
        } else {
            String::new()
        };
        format!("{doing}: {e}{hint}")
    }

    async fn call(
        &self,
        doing: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<api::Envelope, Failure> {
        let client = self.client().await.map_err(|error| Failure {
            error,
            reconcile: false,
        })?;
        client
            .call(method, path, query, body)
            .await
            .map_err(|e| self.failure(doing, &e))
    }

    /// A failed call; the live state is read again when a write may have
    /// happened, or when Cloudflare says a record is already there or gone.
    fn failure(&self, doing: &str, e: &CallError) -> Failure {
        let kind = match e {
            CallError::Api { status, .. } => RemoteKind::of_status(*status),
            CallError::Http(h) => RemoteKind::of_http(h),
            CallError::Malformed { .. } => RemoteKind::Protocol,
        };
        Failure {
            error: self.err(kind, self.explain(doing, e)),
            reconcile: e.ambiguous() || e.has_code(81044) || e.has_code(81058) || e.has_code(81057),
        }
    }

    async fn verify(&self) -> Result<(), ProviderError> {
        self.verified
            .get_or_try_init(|| async {
                let env = self
                    .call(
                        "verifying the API token",
                        Method::GET,
                        "/user/tokens/verify",
                        &[],
                        None,
                    )
                    .await
                    .map_err(|f| f.error)?;
                let status = api::parse_token_status(&env.result)
                    .map_err(|e| self.err(RemoteKind::Protocol, e))?;
                if status != "active" {
                    return Err(self.err(
                        RemoteKind::Auth,
                        format!(
                            "{} is {status}: create a new token or re-enable it",
                            self.token_name()
                        ),
                    ));
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        if let Some(id) = self
            .zone_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(zone)
        {
            return Ok(id.clone());
        }
        self.verify().await?;
        let name = zone.as_str().trim_end_matches('.').to_string();
        let env = self
            .call(
                &format!("looking up zone {name}"),
                Method::GET,
                "/zones",
                &[("name", name.clone())],
                None,
            )
            .await
            .map_err(|f| f.error)?;
        let id = api::parse_zone_id(&env.result, &name).map_err(|e| self.err(RemoteKind::Protocol, e))?.ok_or_else(|| {
            self.err(RemoteKind::NotFound, format!(
                "zone {name} is not in the Cloudflare account, or {} cannot see it (it needs Zone:Read on the zone); add the zone in Cloudflare first",
                self.token_name()
            ))
        })?;
        self.zone_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(zone.clone(), id.clone());
        Ok(id)
    }

    /// All records of a zone, following `result_info` page by page.
    async fn fetch(&self, zone: &Name, zone_id: &str) -> Result<Vec<ApiRecord>, Failure> {
        let mut out: Vec<ApiRecord> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let path = format!("/zones/{zone_id}/dns_records");
        let mut page = 1;
        loop {
            let doing = format!("listing the records of {zone} (page {page})");
            let q = [
                ("per_page", self.opts.per_page.to_string()),
                ("page", page.to_string()),
            ];
            let env = self.call(&doing, Method::GET, &path, &q, None).await?;
            let recs = api::parse_records(&env.result, &doing)
                .map_err(|m| self.fail(RemoteKind::Protocol, m))?;
            let n = recs.len() as u64;
            // A record that moved between pages while listing is counted once.
            let before = out.len();
            out.extend(recs.into_iter().filter(|r| seen.insert(r.id.clone())));
            if n > 0 && out.len() == before {
                return Err(self.fail(RemoteKind::Protocol, format!("{doing}: the page repeats records already listed (the server ignores 'page'?); giving up")));
            }
            let more = match env.result_info {
                Some(i) if i.total_pages > 0 => page < i.total_pages,
                Some(i) if i.per_page > 0 => n >= i.per_page,
                _ => n >= self.opts.per_page,
            };
            if !more || n == 0 {
                return Ok(out);
            }
            page += 1;
            if page > MAX_PAGES {
                return Err(self.fail(
                    RemoteKind::Protocol,
                    format!(
                        "listing the records of {zone}: more than {MAX_PAGES} pages; giving up"
                    ),
                ));
            }
        }
    }

    /// The operations that drive each planned set from `live` to its target.
    fn diff(&self, plan: &Plan, live: &[ApiRecord]) -> Result<Ops, String> {
        let mut index: HashMap<(String, RType), Vec<(&ApiRecord, RData)>> = HashMap::new();
        for r in live.iter().filter(|r| !r.read_only) {
            let Some(rel) = mapping::rel_name(&r.name, &plan.zone) else {
                continue;
            };
            if let Some(v) = mapping::rdata_of(r)
                .map_err(|e| format!("record {} ({} {}): {e}", r.id, r.name, r.rtype))?
            {
                index.entry((rel, v.rtype())).or_default().push((r, v));
            }
        }
        let mut ops = Ops::default();
        for ch in &plan.changes {
            let set = ch.set();
            let name = mapping::api_name(&set.name, &plan.zone);
            let mut wants: Vec<Option<mapping::Want>> = match ch {
                Change::Delete(_) => Vec::new(),
                Change::Create(s) | Change::Update { to: s, .. } => {
                    mapping::wants(s).into_iter().map(Some).collect()
                }
            };
            let empty = Vec::new();
            let have = index.get(&(set.name.clone(), set.rtype)).unwrap_or(&empty);
            let mut leftover = Vec::new();
            for (rec, value) in have {
                match wants
                    .iter()
                    .position(|w| w.as_ref().is_some_and(|w| &w.rdata == value))
                {
                    Some(i) => {
                        let w = wants[i].take().expect("found above");
                        if !w.fields_match(rec) {
                            ops.patches.push(mapping::patch_body(&rec.id, &w, &name));
                        }
                    }
                    None => leftover.push(*rec),
                }
            }
            let mut rest = wants.into_iter().flatten();
            for rec in leftover {
                match rest.next() {
                    Some(w) => ops.patches.push(mapping::patch_body(&rec.id, &w, &name)),
                    None => ops.deletes.push(rec.id.clone()),
                }
            }
            ops.posts
                .extend(rest.map(|w| mapping::create_body(&w, &name)));
        }
        Ok(ops)
    }

    async fn run(
        &self,
        zone: &Name,
        zone_id: &str,
        ops: Ops,
        progress: crate::Progress<'_>,
    ) -> Result<(), Failure> {
        let all: Vec<Op> = ops
            .deletes
            .into_iter()
            .map(Op::Delete)
            .chain(ops.patches.into_iter().map(Op::Patch))
            .chain(ops.posts.into_iter().map(Op::Post))
            .collect();
        let total = all.len();
        let mut done = 0;
        for (i, chunk) in all.chunks(self.opts.batch_size.max(1)).enumerate() {
            let doing = format!(
                "applying changes to {zone} (batch {} of {})",
                i + 1,
                total.div_ceil(self.opts.batch_size.max(1))
            );
            if !self.batch_unavailable.load(Ordering::Relaxed) {
                let mut body = json!({"deletes": [], "patches": [], "posts": []});
                for op in chunk {
                    let (k, v) = match op {
                        Op::Delete(id) => ("deletes", json!({"id": id})),
                        Op::Patch(b) => ("patches", b.clone()),
                        Op::Post(b) => ("posts", b.clone()),
                    };
                    if let Some(Value::Array(a)) = body.get_mut(k) {
                        a.push(v);
                    }
                }
                let path = format!("/zones/{zone_id}/dns_records/batch");
                match self
                    .client()
                    .await
                    .map_err(|error| Failure {
                        error,
                        reconcile: false,
                    })?
                    .call(Method::POST, &path, &[], Some(&body))
                    .await
                {
                    Ok(_) => {
                        done += chunk.len();
                        progress(done, total);
                        continue;
                    }
                    // No batch endpoint here (an older API or a proxy): one call per record.
                    Err(e) if matches!(e.status(), Some(404 | 405)) && !e.has_code(81044) => {
                        self.batch_unavailable.store(true, Ordering::Relaxed);
                    }
                    Err(e) => return Err(self.failure(&doing, &e)),
                }
            }
            for op in chunk {
                let base = format!("/zones/{zone_id}/dns_records");
                let r = match op {
                    Op::Delete(id) => {
                        self.call(&doing, Method::DELETE, &format!("{base}/{id}"), &[], None)
                            .await
                    }
                    Op::Patch(b) => {
                        let mut b = b.clone();
                        let id = b
                            .as_object_mut()
                            .and_then(|m| m.remove("id"))
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default();
                        self.call(
                            &doing,
                            Method::PATCH,
                            &format!("{base}/{id}"),
                            &[],
                            Some(&b),
                        )
                        .await
                    }
                    Op::Post(b) => self.call(&doing, Method::POST, &base, &[], Some(b)).await,
                };
                r?;
            }
            done += chunk.len();
            progress(done, total);
        }
        Ok(())
    }
}

/// Refuses a base URL that would send the token in clear over the network.
fn check_base_url(url: &str) -> Result<String, String> {
    let url = url.trim_end_matches('/');
    if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', ':']).next().unwrap_or_default();
        let host = if rest.starts_with('[') {
            rest.split(']')
                .next()
                .unwrap_or_default()
                .trim_start_matches('[')
        } else {
            host
        };
        if !matches!(host, "127.0.0.1" | "localhost" | "::1") {
            return Err(format!("base_url '{url}' would send the API token unencrypted; use https:// (plain http is allowed only to 127.0.0.1, localhost or [::1])"));
        }
    } else if !url.starts_with("https://") {
        return Err(format!("base_url '{url}' must start with https://"));
    }
    Ok(url.to_string())
}

#[derive(Debug, Default)]
struct Ops {
    deletes: Vec<String>,
    patches: Vec<Value>,
    posts: Vec<Value>,
}

impl Ops {
    fn is_empty(&self) -> bool {
        self.deletes.is_empty() && self.patches.is_empty() && self.posts.is_empty()
    }
}

enum Op {
    Delete(String),
    Patch(Value),
    Post(Value),
}

impl Provider for CloudflareProvider {
    fn describe(&self, zone: &Name) -> String {
        format!(
            "cloudflare: {} at {}",
            zone.as_str().trim_end_matches('.'),
            self.opts.base_url
        )
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            types: mapping::TYPES.to_vec(),
            ttl: 1..=mapping::MAX_TTL,
            meta_key: Some(mapping::KEY),
        }
    }

    fn normalize(&self, desired: &mut Zone) {
        mapping::normalize(desired);
    }

    async fn list(&self, zone: &Name) -> Result<Zone, ProviderError> {
        let id = self.zone_id(zone).await?;
        let records = self.fetch(zone, &id).await.map_err(|f| f.error)?;
        let (z, _skipped) = mapping::to_zone(zone, &records)
            .map_err(|e| self.err(RemoteKind::Protocol, format!("reading zone {zone}: {e}")))?;
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(zone.clone(), records);
        Ok(z)
    }

    async fn apply_reporting(
        &self,
        plan: &Plan,
        progress: crate::Progress<'_>,
    ) -> Result<(), ProviderError> {
        let mut problems = Vec::new();
        for ch in &plan.changes {
            if !matches!(ch, Change::Delete(_)) {
                problems.extend(mapping::check_set(ch.set()));
            }
        }
        if !problems.is_empty() {
            return Err(ProviderError::Unsupported {
                zone: plan.zone.to_string(),
                problems,
            });
        }
        if plan.is_empty() {
            return Ok(());
        }
        let zone_id = self.zone_id(&plan.zone).await?;
        let mut last = None;
        for round in 0..ROUNDS {
            let cached = if round == 0 {
                self.cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&plan.zone)
            } else {
                None
            };
            let live = match cached {
                Some(r) => r,
                None => self
                    .fetch(&plan.zone, &zone_id)
                    .await
                    .map_err(|f| f.error)?,
            };
            let ops = self.diff(plan, &live).map_err(|e| {
                self.err(
                    RemoteKind::Protocol,
                    format!("reading zone {}: {e}", plan.zone),
                )
            })?;
            if ops.is_empty() {
                return Ok(());
            }
            match self.run(&plan.zone, &zone_id, ops, progress).await {
                Ok(()) => return Ok(()),
                Err(f) if f.reconcile => last = Some(f.error),
                Err(f) => return Err(f.error),
            }
        }
        let why = format!("the zone did not converge after {ROUNDS} rounds; run push again");
        Err(match last {
            Some(ProviderError::Remote {
                provider,
                kind,
                message,
            }) => ProviderError::Remote {
                provider,
                kind,
                message: format!("{message} ({why})"),
            },
            other => self.err(
                RemoteKind::Refused,
                format!(
                    "{} ({why})",
                    other.map(|e| e.to_string()).unwrap_or_default()
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert!(check_base_url("https://api.cloudflare.com/client/v4/").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080/client/v4").is_ok());
        assert!(check_base_url("http://[::1]:8080/client/v4").is_ok());
        assert!(check_base_url("http://evil.example.com/client/v4")
            .unwrap_err()
            .contains("unencrypted"));
        assert!(check_base_url("ftp://x").is_err());
    }

    #[test]
    fn debug_never_shows_the_token() {
        std::env::set_var("DNSCTL_TEST_CF_TOKEN_DEBUG", "s3cr3t-token-value");
        let p = CloudflareProvider::new(
            "cf",
            SecretRef::Env("DNSCTL_TEST_CF_TOKEN_DEBUG".into()),
            CloudflareOptions::default(),
        );
        let d = format!("{p:?}");
        assert!(
            !d.contains("s3cr3t") && d.contains("DNSCTL_TEST_CF_TOKEN_DEBUG"),
            "{d}"
        );
    }
}
