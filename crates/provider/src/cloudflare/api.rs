//! The Cloudflare v4 response envelope and DNS record objects, parsed without
//! trusting the input: every malformed response is an error with context,
//! never a panic.

use serde::Deserialize;
use serde_json::Value;

/// One `{code, message}` entry of `errors` or `messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiMessage {
    /// Cloudflare's error or message code.
    pub code: i64,
    /// Its text.
    pub message: String,
}

/// `result_info` of a paginated list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct ResultInfo {
    #[serde(default)]
    /// The page returned (from 1).
    pub page: u64,
    #[serde(default)]
    /// Records per page.
    pub per_page: u64,
    #[serde(default)]
    /// Records on this page.
    pub count: u64,
    #[serde(default)]
    /// Records in all pages.
    pub total_count: u64,
    #[serde(default)]
    /// How many pages there are.
    pub total_pages: u64,
}

/// A decoded envelope: `success`, `errors`, `result`, `result_info`.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// Whether the call succeeded.
    pub success: bool,
    /// What went wrong, when it did not.
    pub errors: Vec<ApiMessage>,
    /// The payload.
    pub result: Value,
    /// Paging, for list calls.
    pub result_info: Option<ResultInfo>,
}

fn messages(v: Option<&Value>) -> Vec<ApiMessage> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .map(|e| ApiMessage {
            code: e.get("code").and_then(Value::as_i64).unwrap_or(0),
            // Printed to a terminal later: no escape sequences from a server.
            message: crate::http::clean_text(&match e.get("message") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            }),
        })
        .collect()
}

/// Parses a response body into an envelope. Lenient about extra and missing
/// optional fields; an error if it is not a JSON object with `success`.
pub fn parse_envelope(body: &[u8]) -> Result<Envelope, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        let start = String::from_utf8_lossy(&body[..body.len().min(120)]).into_owned();
        format!("the response is not JSON ({e}); it starts with {start:?}")
    })?;
    let Value::Object(mut m) = v else {
        return Err("the response is JSON but not an object".into());
    };
    let success = match m.get("success") {
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("the response's 'success' is not true or false".into()),
        None => {
            return Err(
                "the response has no 'success' field (is base_url the Cloudflare v4 API?)".into(),
            )
        }
    };
    let errors = messages(m.get("errors"));
    let result_info = match m.remove("result_info") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<ResultInfo>(v)
                .map_err(|e| format!("the response's 'result_info' is malformed: {e}"))?,
        ),
    };
    Ok(Envelope {
        success,
        errors,
        result: m.remove("result").unwrap_or(Value::Null),
        result_info,
    })
}

/// A DNS record as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRecord {
    /// Cloudflare's record id.
    pub id: String,
    /// Absolute name without the trailing dot, as Cloudflare writes it.
    pub name: String,
    /// The record type, as Cloudflare names it.
    pub rtype: String,
    /// The value in Cloudflare's text form.
    pub content: String,
    /// TTL in seconds; 1 means automatic.
    pub ttl: u32,
    /// Whether Cloudflare proxies the name.
    pub proxied: bool,
    /// MX and URI priority.
    pub priority: Option<u16>,
    /// Structured values (SRV, CAA, TLSA, SSHFP, SVCB/HTTPS).
    pub data: Option<Value>,
    /// The record's comment.
    pub comment: Option<String>,
    /// The record's tags (`name:value`).
    pub tags: Vec<String>,
    /// Managed by Cloudflare itself (`meta.read_only`, e.g. Email Routing, or
    /// the older `locked`): left alone.
    pub read_only: bool,
}

/// Parses one record object; `what` says where it came from, for errors.
pub fn parse_record(v: &Value, what: &str) -> Result<ApiRecord, String> {
    let Value::Object(m) = v else {
        return Err(format!("{what}: a DNS record is not a JSON object"));
    };
    let s = |k: &str| -> Result<String, String> {
        match m.get(k) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(format!("{what}: field '{k}' is not a string")),
            None => Err(format!("{what}: field '{k}' is missing")),
        }
    };
    let id = s("id")?;
    let ctx = |e: String| format!("{e} (record {id})");
    let name = s("name")
        .map_err(ctx)?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let rtype = s("type").map_err(ctx)?.to_ascii_uppercase();
    let content = match m.get("content") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(ctx(format!("{what}: field 'content' is not a string"))),
    };
    let ttl = match m.get("ttl") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| ctx(format!("{what}: 'ttl' is not a whole number")))?,
    };
    let proxied = match m.get("proxied") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ctx(format!("{what}: 'proxied' is not true or false"))),
    };
    let priority = match m.get("priority") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| {
                    ctx(format!(
                        "{what}: 'priority' is not a number from 0 to 65535"
                    ))
                })?,
        ),
    };
    let data = match m.get("data") {
        None | Some(Value::Null) => None,
        Some(d @ Value::Object(_)) => Some(d.clone()),
        Some(_) => return Err(ctx(format!("{what}: 'data' is not an object"))),
    };
    let comment = match m.get("comment") {
        None | Some(Value::Null) => None,
        Some(Value::String(c)) if c.is_empty() => None,
        Some(Value::String(c)) => Some(c.clone()),
        Some(_) => return Err(ctx(format!("{what}: 'comment' is not a string"))),
    };
    let mut tags = match m.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ctx(format!("{what}: a tag is not a string")))
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(ctx(format!("{what}: 'tags' is not a list"))),
    };
    let flag = |v: Option<&Value>| matches!(v, Some(Value::Bool(true)));
    let read_only = flag(m.get("locked")) || flag(m.get("meta").and_then(|x| x.get("read_only")));
    tags.sort();
    tags.dedup();
    Ok(ApiRecord {
        id,
        name,
        rtype,
        content,
        ttl,
        proxied,
        priority,
        data,
        comment,
        tags,
        read_only,
    })
}

/// Parses a list of records (the `result` of a records list).
pub fn parse_records(v: &Value, what: &str) -> Result<Vec<ApiRecord>, String> {
    let Value::Array(items) = v else {
        return Err(format!("{what}: 'result' is not a list"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, r)| parse_record(r, &format!("{what}, item {i}")))
        .collect()
}

/// The `id` of the first zone in a `GET /zones?name=` result, if any.
pub fn parse_zone_id(v: &Value, zone: &str) -> Result<Option<String>, String> {
    let Value::Array(items) = v else {
        return Err(format!("zone lookup for {zone}: 'result' is not a list"));
    };
    for z in items {
        let name = z.get("name").and_then(Value::as_str).unwrap_or_default();
        if name
            .trim_end_matches('.')
            .eq_ignore_ascii_case(zone.trim_end_matches('.'))
        {
            return z
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(|id| Some(id.to_string()))
                .ok_or_else(|| format!("zone lookup for {zone}: the zone has no 'id'"));
        }
    }
    Ok(None)
}

/// The `status` of `GET /user/tokens/verify` (`active`, `disabled`, `expired`).
pub fn parse_token_status(v: &Value) -> Result<String, String> {
    v.get("status")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| "token verification: 'result.status' is missing".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes() {
        let e = parse_envelope(br#"{"success":false,"errors":[{"code":81058,"message":"An identical record already exists."}],"messages":[],"result":null}"#).unwrap();
        assert!(!e.success);
        assert_eq!(
            e.errors,
            vec![ApiMessage {
                code: 81058,
                message: "An identical record already exists.".into()
            }]
        );
        let e = parse_envelope(br#"{"success":true,"errors":[],"result":[],"result_info":{"page":1,"per_page":5,"count":0,"total_count":0,"total_pages":0}}"#).unwrap();
        assert_eq!(e.result_info.unwrap().per_page, 5);
        assert!(parse_envelope(b"<html>502 Bad Gateway</html>")
            .unwrap_err()
            .contains("not JSON"));
        assert!(parse_envelope(b"[]").unwrap_err().contains("not an object"));
        assert!(parse_envelope(b"{}").unwrap_err().contains("no 'success'"));
        assert!(
            parse_envelope(br#"{"success":true,"result_info":{"page":"x"}}"#)
                .unwrap_err()
                .contains("result_info")
        );
        // Odd but harmless: codes as strings, messages missing.
        let e = parse_envelope(br#"{"success":false,"errors":[{"code":"x"},{}]}"#).unwrap();
        assert_eq!(e.errors.len(), 2);
    }

    #[test]
    fn records() {
        let r = parse_record(&json!({"id": "1", "name": "WWW.example.com", "type": "a", "content": "192.0.2.1", "ttl": 1, "proxied": true, "tags": ["b:1", "a:2"], "comment": ""}), "t").unwrap();
        assert_eq!(
            (
                r.name.as_str(),
                r.rtype.as_str(),
                r.ttl,
                r.proxied,
                r.comment.clone()
            ),
            ("www.example.com", "A", 1, true, None)
        );
        assert_eq!(r.tags, ["a:2", "b:1"]);
        for bad in [
            json!(1),
            json!({"name": "x"}),
            json!({"id": "1", "name": "x", "type": "A", "ttl": -1}),
            json!({"id": "1", "name": "x", "type": "A", "priority": 70000}),
            json!({"id": "1", "name": "x", "type": "A", "tags": [1]}),
        ] {
            assert!(parse_record(&bad, "t").is_err(), "{bad}");
        }
        assert!(parse_records(&json!({}), "t").is_err());
    }
}
