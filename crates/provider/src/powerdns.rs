//! The powerdns provider: a zone in a PowerDNS Authoritative server, through
//! its HTTP API. Listing is one `GET /api/v1/servers/{server}/zones/{zone}`;
//! applying is one `PATCH` of the changed rrsets only (`changetype` REPLACE or
//! DELETE), which PowerDNS runs in one transaction. With `create_zone: true`
//! a zone the server lacks is listed as empty and created (kind Native) on
//! apply by one `POST` that carries its rrsets (then its cache entries are
//! flushed: a query made before the zone existed is cached as REFUSED).
//!
//! ```yaml
//! providers:
//!   pdns:
//!     type: powerdns
//!     api_url: http://127.0.0.1:8081
//!     api_key: {env: PDNS_API_KEY}
//!     server_id: localhost      # the default
//!     create_zone: true         # default false
//!     timeout: 30               # seconds per request (default 30)
//! ```
//!
//! Requests go through the shared layer [`crate::http`]: answers are read up
//! to 64 MiB, redirects are not followed (the API key stays with `api_url`),
//! 429, 5xx and dropped connections are retried twice.
//!
//! The SOA belongs to the server (`soa-edit-api` bumps it), so it is neither
//! listed nor written.

use crate::config::Options;
use crate::http;
use crate::secret::SecretRef;
use crate::{Capabilities, Provider, ProviderError, RemoteKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zone::{Change, Diagnostic, Name, Plan, RData, RType, RecordSet, Zone};

#[derive(Debug, Clone)]
/// The PowerDNS Authoritative HTTP API.
pub struct PowerDnsProvider {
    api_url: String,
    server_id: String,
    api_key: SecretRef,
    create_zone: bool,
    http: Arc<http::Client>,
    /// Zones that `list` found missing (with `create_zone`): `apply` creates
    /// them with their rrsets in one request.
    missing: Arc<Mutex<HashSet<String>>>,
}

impl PowerDnsProvider {
    /// A provider for the API at `api_url` (up to the port) with this key.
    pub fn new(api_url: &str, api_key: SecretRef) -> Self {
        PowerDnsProvider {
            api_url: api_url.trim_end_matches('/').to_string(),
            server_id: "localhost".into(),
            api_key,
            create_zone: false,
            http: client(api_url, Duration::from_secs(30)),
            missing: Default::default(),
        }
    }

    /// Builds the provider from its section of dnsctl.yaml.
    pub fn from_options(opts: &Options<'_>) -> Result<Self, Diagnostic> {
        opts.only(&["api_url", "api_key", "server_id", "create_zone", "timeout"])?;
        let url = opts.required_str("api_url")?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Diagnostic::new(
                opts.node("api_url").map_or(zone::Pos::new(1, 1), |n| n.pos),
                format!("api_url '{url}' must start with http:// or https://"),
            ));
        }
        let key = opts.secret("api_key")?.ok_or_else(|| {
            Diagnostic::new(
                opts.node("type").map_or(zone::Pos::new(1, 1), |n| n.pos),
                format!(
                    "provider '{}' needs 'api_key: {{env: NAME}}' naming the PowerDNS API key",
                    opts.provider
                ),
            )
        })?;
        let mut p = PowerDnsProvider::new(url, key);
        if let Some(s) = opts.str("server_id")? {
            p.server_id = s.to_string();
        }
        if let Some(n) = opts.node("create_zone") {
            p.create_zone = n
                .as_bool()
                .ok_or_else(|| Diagnostic::new(n.pos, "'create_zone' must be true or false"))?;
        }
        if let Some(t) = opts.u64("timeout")? {
            p.http = client(url, Duration::from_secs(t.max(1)));
        }
        Ok(p)
    }

    /// Creates zones the server does not have (kind Native) on the first push.
    pub fn with_create_zone(mut self, yes: bool) -> Self {
        self.create_zone = yes;
        self
    }

    /// HTTP requests sent so far.
    pub fn requests(&self) -> u64 {
        self.http.requests_sent()
    }

    fn zone_url(&self, zone: &Name) -> String {
        format!(
            "{}/api/v1/servers/{}/zones/{}",
            self.api_url, self.server_id, zone
        )
    }

    fn remote(&self, kind: RemoteKind, message: impl Into<String>) -> ProviderError {
        ProviderError::Remote {
            provider: format!("powerdns {}", self.api_url),
            kind,
            message: message.into(),
        }
    }

    /// Sends a request (a JSON body goes out with its length, in one write)
    /// through the shared HTTP layer; returns the status and body.
    async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), ProviderError> {
        let key = self
            .api_key
            .resolve()
            .map_err(|error| ProviderError::Credential {
                provider: "powerdns".into(),
                error,
            })?;
        let what = format!("{method} {url}");
        let reply = self
            .http
            .send(&what, |c| {
                let req = c
                    .request(method.clone(), url)
                    .header("X-API-Key", key.expose())
                    .header("Accept", "application/json");
                match &body {
                    Some(b) => req
                        .header("Content-Type", "application/json")
                        .body(b.clone()),
                    None => req,
                }
            })
            .await
            .map_err(|e| self.remote(RemoteKind::of_http(&e), format!("{what}: {e}")))?;
        Ok((reply.status, reply.body))
    }

    fn failure(&self, what: &str, status: u16, body: &[u8]) -> ProviderError {
        let msg = api_error(body);
        let hint = match status {
            401 | 403 => " (check api_key)",
            404 => " (check api_url and server_id)",
            413 => " (raise webserver-max-bodysize in pdns.conf)",
            _ => "",
        };
        self.remote(
            RemoteKind::of_status(status),
            format!("{what}: HTTP {status}: {msg}{hint}"),
        )
    }
}

fn client(api_url: &str, timeout: Duration) -> Arc<http::Client> {
    let retry = http::RetryPolicy {
        max_retries: 2,
        base: Duration::from_millis(200),
        cap: Duration::from_secs(2),
        max_retry_after: http::MAX_RETRY_AFTER,
    };
    let settings = http::Settings::new(format!("powerdns {api_url}"), timeout, retry);
    // Building fails only without a TLS backend, which is compiled in.
    Arc::new(http::Client::new(settings).expect("the HTTP client builds"))
}

/// The `error` field PowerDNS puts in failure answers, or the start of the
/// body, without control characters.
fn api_error(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => match v.get("error").and_then(Value::as_str) {
            Some(e) => {
                let mut s = e.to_string();
                if let Some(errs) = v.get("errors").and_then(Value::as_array) {
                    for x in errs.iter().filter_map(Value::as_str) {
                        s.push_str(&format!("; {x}"));
                    }
                }
                s
            }
            None => v.to_string().chars().take(300).collect(),
        },
        Err(_) => String::from_utf8_lossy(body).chars().take(300).collect(),
    };
    http::clean_text(&text)
}

/// Splits presentation-format content into fields: quoted strings have their
/// escapes (`\"`, `\\`, `\DDD`) resolved; bare words are kept as they are.
pub fn fields(content: &str) -> Result<Vec<String>, String> {
    let b = content.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                i += 1;
                let mut f = Vec::new();
                loop {
                    match b.get(i) {
                        None => return Err(format!("unterminated quote in '{content}'")),
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') => {
                            let d = b
                                .get(i + 1..i + 4)
                                .filter(|d| d.iter().all(u8::is_ascii_digit));
                            if let Some(d) = d {
                                let n = (u16::from(d[0] - b'0') * 100)
                                    + (u16::from(d[1] - b'0') * 10)
                                    + u16::from(d[2] - b'0');
                                f.push(u8::try_from(n).map_err(|_| {
                                    format!("escape \\{n} is not an octet in '{content}'")
                                })?);
                                i += 4;
                            } else {
                                match b.get(i + 1) {
                                    Some(c) => f.push(*c),
                                    None => {
                                        return Err(format!("dangling backslash in '{content}'"))
                                    }
                                }
                                i += 2;
                            }
                        }
                        Some(c) => {
                            f.push(*c);
                            i += 1;
                        }
                    }
                }
                out.push(String::from_utf8_lossy(&f).into_owned());
            }
            _ => {
                let start = i;
                // A bare word; `key="quoted value"` in SVCB stays one field.
                let mut quoted = false;
                while i < b.len() && (quoted || !matches!(b[i], b' ' | b'\t' | b'\n' | b'\r')) {
                    if b[i] == b'"' {
                        quoted = !quoted;
                    }
                    i += 1;
                }
                out.push(content[start..i].to_string());
            }
        }
    }
    Ok(out)
}

/// The parts of the zone answer that dnsctl reads; strings are borrowed from
/// the answer unless they hold escapes.
#[derive(Deserialize)]
struct ZoneAnswer<'a> {
    #[serde(borrow)]
    rrsets: Vec<RrsetAnswer<'a>>,
}

#[derive(Deserialize)]
struct RrsetAnswer<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    rtype: Cow<'a, str>,
    ttl: Option<i64>,
    #[serde(borrow)]
    records: Vec<RecordAnswer<'a>>,
}

#[derive(Deserialize)]
struct RecordAnswer<'a> {
    #[serde(borrow)]
    content: Cow<'a, str>,
    disabled: Option<bool>,
}

/// Turns the zone answer of the API into a zone (SOA, disabled records and
/// types dnsctl does not model are left out).
pub fn parse_zone(origin: &Name, body: &[u8]) -> Result<Zone, String> {
    let answer: ZoneAnswer<'_> = serde_json::from_slice(body)
        .map_err(|e| format!("the zone answer is not the JSON of a zone: {e}"))?;
    let mut zone = Zone::new(origin.clone());
    for (i, rs) in answer.rrsets.iter().enumerate() {
        let (name, ty) = (&*rs.name, &*rs.rtype);
        let Ok(rtype) = ty.parse::<RType>() else {
            continue;
        };
        if rtype == RType::Soa {
            continue;
        }
        let ttl = rs
            .ttl
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| format!("rrsets[{i}] ({name} {ty}) has no valid ttl"))?;
        let owner = Name::parse_fqdn(&name.to_ascii_lowercase())
            .map_err(|e| format!("rrsets[{i}] name: {e}"))?;
        let rel = owner
            .relative_to(origin)
            .ok_or_else(|| format!("rrsets[{i}]: {name} is outside the zone {origin}"))?;
        let rel = zone::name::parse_owner(&rel).map_err(|e| format!("rrsets[{i}] name: {e}"))?;
        let mut values = Vec::with_capacity(rs.records.len());
        for r in &rs.records {
            if r.disabled == Some(true) {
                continue;
            }
            let content = &*r.content;
            let f = fields(content).map_err(|e| format!("{name} {ty}: {e}"))?;
            let value =
                RData::parse(rtype, &f).map_err(|e| format!("{name} {ty} '{content}': {e}"))?;
            values.push(value);
        }
        if values.is_empty() {
            continue;
        }
        let set =
            RecordSet::new(rel, rtype, ttl, values).map_err(|e| format!("{name} {ty}: {e}"))?;
        zone.insert(set);
    }
    Ok(zone)
}

/// One rrset of a PATCH (with `changetype`) or of a zone creation (without).
#[derive(Serialize)]
struct RrsetOut {
    name: String,
    #[serde(rename = "type")]
    rtype: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changetype: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<Vec<RecordOut>>,
}

#[derive(Serialize)]
struct RecordOut {
    content: String,
    /// Optional since PowerDNS 4.3; sent for older servers.
    disabled: bool,
}

fn rrset_out(plan: &Plan, ch: &Change, changetype: bool) -> RrsetOut {
    let s = ch.set();
    let name = zone::name::owner_fqdn(&s.name, &plan.zone);
    let rtype = s.rtype.as_str();
    match ch {
        Change::Delete(_) => RrsetOut {
            name,
            rtype,
            ttl: None,
            changetype: Some("DELETE"),
            records: None,
        },
        Change::Create(_) | Change::Update { .. } => RrsetOut {
            name,
            rtype,
            ttl: Some(s.ttl),
            changetype: changetype.then_some("REPLACE"),
            records: Some(
                s.values()
                    .iter()
                    .map(|v| RecordOut {
                        content: v.to_string(),
                        disabled: false,
                    })
                    .collect(),
            ),
        },
    }
}

/// The body of the PATCH that applies `plan`: only the rrsets it changes.
pub fn patch_body(plan: &Plan) -> Vec<u8> {
    #[derive(Serialize)]
    struct Patch {
        rrsets: Vec<RrsetOut>,
    }
    let rrsets = plan
        .changes
        .iter()
        .map(|ch| rrset_out(plan, ch, true))
        .collect();
    serde_json::to_vec(&Patch { rrsets }).expect("serializing plain data cannot fail")
}

/// The body of the POST that creates the zone of `plan` (kind Native), with
/// its rrsets when `plan` only creates.
pub fn create_body(plan: &Plan, with_rrsets: bool) -> Vec<u8> {
    #[derive(Serialize)]
    struct Create<'a> {
        name: &'a str,
        kind: &'static str,
        nameservers: [&'a str; 0],
        #[serde(skip_serializing_if = "Option::is_none")]
        rrsets: Option<Vec<RrsetOut>>,
    }
    let rrsets = with_rrsets.then(|| {
        plan.changes
            .iter()
            .map(|ch| rrset_out(plan, ch, false))
            .collect()
    });
    serde_json::to_vec(&Create {
        name: plan.zone.as_str(),
        kind: "Native",
        nameservers: [],
        rrsets,
    })
    .expect("serializing plain data cannot fail")
}

impl Provider for PowerDnsProvider {
    fn describe(&self, zone: &Name) -> String {
        format!("powerdns: {}", self.zone_url(zone))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            types: RType::ALL
                .into_iter()
                .filter(|t| *t != RType::Soa)
                .collect(),
            ttl: 0..=zone::rdata::MAX_TTL,
            meta_key: None,
        }
    }

    async fn list(&self, zone: &Name) -> Result<Zone, ProviderError> {
        let url = format!("{}?rrsets=true", self.zone_url(zone));
        let (status, body) = self.call(reqwest::Method::GET, &url, None).await?;
        match status {
            200 => {
                self.forget_missing(zone);
                parse_zone(zone, &body)
                    .map_err(|e| self.remote(RemoteKind::Protocol, format!("GET {url}: {e}")))
            }
            404 | 422 if self.create_zone => {
                self.missing
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(zone.as_str().to_string());
                Ok(Zone::new(zone.clone()))
            }
            404 | 422 => Err(self.remote(
                RemoteKind::NotFound,
                format!(
                    "the server has no zone {zone} ({}); create it, or set 'create_zone: true'",
                    api_error(&body)
                ),
            )),
            _ => Err(self.failure(&format!("GET {url}"), status, &body)),
        }
    }

    async fn apply_reporting(
        &self,
        plan: &Plan,
        progress: crate::Progress<'_>,
    ) -> Result<(), ProviderError> {
        crate::in_one_step(plan, progress, self.apply_whole(plan)).await
    }
}

impl PowerDnsProvider {
    fn forget_missing(&self, zone: &Name) {
        self.missing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(zone.as_str());
    }

    /// Empties the server's caches for `zone`. Zone creation does not (a
    /// PATCH does): a query made before the zone existed would be answered
    /// REFUSED from the packet cache for up to `cache-ttl` seconds. The data
    /// is in place either way, so a failure here is not an error.
    async fn flush_cache(&self, zone: &Name) {
        let url = format!(
            "{}/api/v1/servers/{}/cache/flush?domain={zone}",
            self.api_url, self.server_id
        );
        let _ = self.call(reqwest::Method::PUT, &url, None).await;
    }

    /// Creates the zone of `plan` (kind Native, no name servers but the
    /// plan's). When the plan only creates, its rrsets go in the same POST
    /// (the zone never exists half-filled), the zone's cache entries are
    /// flushed and true is returned: nothing is left to apply. False when the zone
    /// was created empty or someone else created it meanwhile (409): the
    /// rrsets still need a PATCH.
    async fn create(&self, plan: &Plan) -> Result<bool, ProviderError> {
        let with_rrsets = plan.changes.iter().all(|c| matches!(c, Change::Create(_)));
        // The answer describes the new zone; its rrsets are not wanted back.
        let url = format!(
            "{}/api/v1/servers/{}/zones?rrsets=false",
            self.api_url, self.server_id
        );
        let body = create_body(plan, with_rrsets);
        let (status, resp) = self.call(reqwest::Method::POST, &url, Some(body)).await?;
        match status {
            200 | 201 => {
                self.forget_missing(&plan.zone);
                if with_rrsets {
                    self.flush_cache(&plan.zone).await;
                }
                Ok(with_rrsets)
            }
            409 => {
                self.forget_missing(&plan.zone);
                Ok(false)
            }
            _ => Err(self.failure(
                &format!(
                    "creating zone {}{}",
                    plan.zone,
                    if with_rrsets {
                        format!(" with {} rrsets", plan.changes.len())
                    } else {
                        String::new()
                    }
                ),
                status,
                &resp,
            )),
        }
    }
}

impl PowerDnsProvider {
    /// One PATCH of the changed rrsets. A zone that `list` found missing is
    /// created by one POST that carries the rrsets (a plan for a missing
    /// zone only creates), then its cache is flushed; if the zone turns out
    /// missing only at the PATCH, it is created the same way, or empty and
    /// patched again when the plan also deletes or updates.
    async fn apply_whole(&self, plan: &Plan) -> Result<(), ProviderError> {
        if plan.changes.is_empty() {
            return Ok(());
        }
        crate::check_capabilities(plan, &self.capabilities(), "powerdns")?;
        let known_missing = self.create_zone
            && self
                .missing
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(plan.zone.as_str());
        if known_missing && self.create(plan).await? {
            return Ok(());
        }
        let url = self.zone_url(&plan.zone);
        let body = patch_body(plan);
        let again = (self.create_zone && !known_missing).then(|| body.clone());
        let (status, resp) = self.call(reqwest::Method::PATCH, &url, Some(body)).await?;
        let missing =
            status == 404 || (status == 422 && api_error(&resp).contains("Could not find domain"));
        let failed = |status, resp: &[u8]| {
            self.failure(
                &format!("PATCH {url} ({} rrsets)", plan.changes.len()),
                status,
                resp,
            )
        };
        match (status, again) {
            (200 | 204, _) => Ok(()),
            (_, Some(body)) if missing => {
                if self.create(plan).await? {
                    return Ok(());
                }
                let (status, resp) = self.call(reqwest::Method::PATCH, &url, Some(body)).await?;
                match status {
                    200 | 204 => Ok(()),
                    _ => Err(failed(status, &resp)),
                }
            }
            _ => Err(failed(status, &resp)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_resolve_quotes_and_escapes() {
        assert_eq!(
            fields(r#""a\"b" "c\195\169" plain alpn="h2,h3""#).unwrap(),
            ["a\"b", "c\u{e9}", "plain", "alpn=\"h2,h3\""]
        );
        assert!(fields("\"open").is_err());
        assert!(fields("\"x\\").is_err());
        assert!(fields("\"\\999\"").is_err());
    }

    #[test]
    fn bodies_carry_only_the_changed_rrsets() {
        use zone::plan::{plan, PlanOptions};
        let o = Name::parse_fqdn("example.com.").unwrap();
        let set = |name: &str, ip: &str| {
            RecordSet::new(name, RType::A, 300, vec![RData::A(ip.parse().unwrap())]).unwrap()
        };
        let mut live = Zone::new(o.clone());
        for (n, ip) in [
            ("same", "192.0.2.1"),
            ("moved", "192.0.2.2"),
            ("gone", "192.0.2.3"),
        ] {
            live.insert(set(n, ip));
        }
        let mut want = Zone::new(o.clone());
        want.insert(set("same", "192.0.2.1"));
        want.insert(set("moved", "192.0.2.20"));
        want.insert(
            RecordSet::new("t", RType::Txt, 60, vec![RData::Txt("a \"b\"".into())]).unwrap(),
        );
        let pl = plan(&want, &live, &PlanOptions::default());
        let body: Value = serde_json::from_slice(&patch_body(&pl)).unwrap();
        let mut rrsets = body["rrsets"].as_array().unwrap().clone();
        rrsets.sort_by_key(|r| r["name"].as_str().unwrap().to_string());
        assert_eq!(
            Value::Array(rrsets),
            serde_json::json!([
                {"name": "gone.example.com.", "type": "A", "changetype": "DELETE"},
                {"name": "moved.example.com.", "type": "A", "ttl": 300, "changetype": "REPLACE",
                 "records": [{"content": "192.0.2.20", "disabled": false}]},
                {"name": "t.example.com.", "type": "TXT", "ttl": 60, "changetype": "REPLACE",
                 "records": [{"content": "\"a \\\"b\\\"\"", "disabled": false}]},
            ])
        );
        // A new zone: its rrsets ride in the POST, without a changetype.
        let new = plan(&want, &Zone::new(o.clone()), &PlanOptions::default());
        let body: Value = serde_json::from_slice(&create_body(&new, true)).unwrap();
        assert_eq!(body["name"], "example.com.");
        assert_eq!(body["kind"], "Native");
        assert_eq!(body["nameservers"], serde_json::json!([]));
        assert_eq!(body["rrsets"].as_array().unwrap().len(), 3);
        assert!(body["rrsets"][0].get("changetype").is_none());
        let body: Value = serde_json::from_slice(&create_body(&new, false)).unwrap();
        assert!(body.get("rrsets").is_none());
    }

    #[test]
    fn damaged_answers_are_errors_not_panics() {
        let o = Name::parse_fqdn("example.com.").unwrap();
        for body in [
            &b"{"[..],
            b"[]",
            b"{\"rrsets\": 5}",
            b"{\"rrsets\": [{\"name\": \"www.example.com.\", \"type\": \"A\", \"ttl\": -1, \"records\": []}]}",
            b"{\"rrsets\": [{\"name\": \"www.example.org.\", \"type\": \"A\", \"ttl\": 1, \"records\": []}]}",
            b"{\"rrsets\": [{\"name\": \"www.example.com.\", \"type\": \"A\", \"ttl\": 1, \"records\": [{\"content\": \"300.1.1.1\"}]}]}",
        ] {
            assert!(parse_zone(&o, body).is_err(), "{}", String::from_utf8_lossy(body));
        }
        let z = parse_zone(&o, br#"{"rrsets": [{"name": "Www.example.com.", "type": "TXT", "ttl": 60, "records": [{"content": "\"a\" \"b\"", "disabled": false}, {"content": "\"off\"", "disabled": true}]}, {"name": "example.com.", "type": "LUA", "ttl": 1, "records": []}]}"#).unwrap();
        assert_eq!(
            z.get("www", RType::Txt).unwrap().values(),
            [RData::Txt("ab".into())]
        );
    }
}
