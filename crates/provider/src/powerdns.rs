//! The powerdns provider: a zone in a PowerDNS Authoritative server, through
//! its HTTP API. Listing is one `GET /api/v1/servers/{server}/zones/{zone}`;
//! applying is one `PATCH` of rrsets (`changetype` REPLACE or DELETE), which
//! PowerDNS runs in one transaction. With `create_zone: true` a zone the
//! server lacks is listed as empty and created (kind Native) on apply.
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
//! The SOA belongs to the server (`soa-edit-api` bumps it), so it is neither
//! listed nor written.

use crate::config::Options;
use crate::secret::SecretRef;
use crate::{Capabilities, Provider, ProviderError};
use serde_json::{json, Value};
use std::time::Duration;
use zone::{Change, Diagnostic, Name, Plan, RData, RType, RecordSet, Zone};

#[derive(Debug, Clone)]
pub struct PowerDnsProvider {
    api_url: String,
    server_id: String,
    api_key: SecretRef,
    create_zone: bool,
    client: reqwest::Client,
    requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl PowerDnsProvider {
    pub fn new(api_url: &str, api_key: SecretRef) -> Self {
        PowerDnsProvider {
            api_url: api_url.trim_end_matches('/').to_string(),
            server_id: "localhost".into(),
            api_key,
            create_zone: false,
            client: client(Duration::from_secs(30)),
            requests: Default::default(),
        }
    }

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
            p.client = client(Duration::from_secs(t.max(1)));
        }
        Ok(p)
    }

    pub fn with_create_zone(mut self, yes: bool) -> Self {
        self.create_zone = yes;
        self
    }

    /// HTTP requests sent so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn zone_url(&self, zone: &Name) -> String {
        format!(
            "{}/api/v1/servers/{}/zones/{}",
            self.api_url, self.server_id, zone
        )
    }

    fn remote(&self, message: impl Into<String>) -> ProviderError {
        ProviderError::Remote {
            provider: format!("powerdns {}", self.api_url),
            message: message.into(),
        }
    }

    /// Sends a request; returns the status and body.
    async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Vec<u8>), ProviderError> {
        let key = self.api_key.resolve().map_err(ProviderError::Config)?;
        let mut req = self
            .client
            .request(method.clone(), url)
            .header("X-API-Key", key.expose())
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let resp = req
            .send()
            .await
            .map_err(|e| self.remote(format!("{method} {url}: {}", error_chain(&e))))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.remote(format!("{method} {url}: reading the answer: {e}")))?;
        Ok((status, bytes.to_vec()))
    }

    fn failure(&self, what: &str, status: u16, body: &[u8]) -> ProviderError {
        let msg = api_error(body);
        let hint = match status {
            401 | 403 => " (check api_key)",
            404 => " (check api_url and server_id)",
            413 => " (raise webserver-max-bodysize in pdns.conf)",
            _ => "",
        };
        self.remote(format!("{what}: HTTP {status}: {msg}{hint}"))
    }
}

fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(&format!(": {c}"));
        src = c.source();
    }
    s
}

/// The `error` field PowerDNS puts in failure answers, or the start of the body.
fn api_error(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
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
    }
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

/// Turns the zone answer of the API into a zone (SOA, disabled records and
/// types dnsctl does not model are left out).
pub fn parse_zone(origin: &Name, body: &[u8]) -> Result<Zone, String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("the zone answer is not JSON: {e}"))?;
    let rrsets = v
        .get("rrsets")
        .and_then(Value::as_array)
        .ok_or("the zone answer has no 'rrsets' list")?;
    let mut zone = Zone::new(origin.clone());
    for (i, rs) in rrsets.iter().enumerate() {
        let field = |k: &str| rs.get(k).ok_or_else(|| format!("rrsets[{i}] has no '{k}'"));
        let name = field("name")?
            .as_str()
            .ok_or_else(|| format!("rrsets[{i}].name is not text"))?;
        let ty = field("type")?
            .as_str()
            .ok_or_else(|| format!("rrsets[{i}].type is not text"))?;
        let Ok(rtype) = ty.parse::<RType>() else {
            continue;
        };
        if rtype == RType::Soa {
            continue;
        }
        let ttl = field("ttl")?
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| format!("rrsets[{i}] ({name} {ty}) has no valid ttl"))?;
        let owner = Name::parse_fqdn(&name.to_ascii_lowercase())
            .map_err(|e| format!("rrsets[{i}] name: {e}"))?;
        let rel = owner
            .relative_to(origin)
            .ok_or_else(|| format!("rrsets[{i}]: {name} is outside the zone {origin}"))?;
        let rel = zone::name::parse_owner(&rel).map_err(|e| format!("rrsets[{i}] name: {e}"))?;
        let records = field("records")?
            .as_array()
            .ok_or_else(|| format!("rrsets[{i}].records is not a list"))?;
        let mut values = Vec::new();
        for r in records {
            if r.get("disabled").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let content = r
                .get("content")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("a record of {name} {ty} has no content"))?;
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

/// The rrsets of a PATCH that applies `plan`.
pub fn patch_body(plan: &Plan) -> Value {
    let rrsets: Vec<Value> = plan
        .changes
        .iter()
        .map(|ch| {
            let s = ch.set();
            let name = zone::name::owner_fqdn(&s.name, &plan.zone);
            match ch {
                Change::Delete(_) => json!({"name": name, "type": s.rtype.as_str(), "changetype": "DELETE"}),
                Change::Create(_) | Change::Update { .. } => json!({
                    "name": name,
                    "type": s.rtype.as_str(),
                    "ttl": s.ttl,
                    "changetype": "REPLACE",
                    "records": s.values().iter().map(|v| json!({"content": v.to_string(), "disabled": false})).collect::<Vec<_>>(),
                }),
            }
        })
        .collect();
    json!({ "rrsets": rrsets })
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
            200 => parse_zone(zone, &body).map_err(|e| self.remote(format!("GET {url}: {e}"))),
            404 | 422 if self.create_zone => Ok(Zone::new(zone.clone())),
            404 | 422 => Err(self.remote(format!(
                "the server has no zone {zone} ({}); create it, or set 'create_zone: true'",
                api_error(&body)
            ))),
            _ => Err(self.failure(&format!("GET {url}"), status, &body)),
        }
    }

    async fn apply(&self, plan: &Plan) -> Result<(), ProviderError> {
        if plan.changes.is_empty() {
            return Ok(());
        }
        crate::check_capabilities(plan, &self.capabilities(), "powerdns")?;
        let url = self.zone_url(&plan.zone);
        let body = patch_body(plan);
        let (status, resp) = self.call(reqwest::Method::PATCH, &url, Some(&body)).await?;
        let missing =
            status == 404 || (status == 422 && api_error(&resp).contains("Could not find domain"));
        match status {
            200 | 204 => return Ok(()),
            _ if missing && self.create_zone => {}
            _ => {
                return Err(self.failure(
                    &format!("PATCH {url} ({} rrsets)", plan.changes.len()),
                    status,
                    &resp,
                ))
            }
        }
        let zones = format!("{}/api/v1/servers/{}/zones", self.api_url, self.server_id);
        let create = json!({"name": plan.zone.as_str(), "kind": "Native", "nameservers": []});
        let (status, resp) = self
            .call(reqwest::Method::POST, &zones, Some(&create))
            .await?;
        if !matches!(status, 200 | 201 | 409) {
            return Err(self.failure(&format!("creating zone {}", plan.zone), status, &resp));
        }
        let (status, resp) = self.call(reqwest::Method::PATCH, &url, Some(&body)).await?;
        match status {
            200 | 204 => Ok(()),
            _ => Err(self.failure(
                &format!("PATCH {url} ({} rrsets)", plan.changes.len()),
                status,
                &resp,
            )),
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
