//! The HTTP side of the Cloudflare client: bearer auth, a client-side request
//! budget shared by every zone synced with the same token, timeouts, and
//! retries with exponential backoff and jitter on 429 (honouring
//! `Retry-After`), 5xx and dropped connections.

use super::api::{parse_envelope, ApiMessage, Envelope};
use crate::secret::Secret;
use reqwest::Method;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

/// A sliding-window request budget: at most `limit` requests per `window`,
/// and nothing at all while the server has asked us to wait.
#[derive(Debug)]
pub struct Budget {
    limit: usize,
    window: Duration,
    state: Mutex<BudgetState>,
}

#[derive(Debug, Default)]
struct BudgetState {
    sent: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

impl Budget {
    pub fn new(limit: usize, window: Duration) -> Budget {
        Budget {
            limit: limit.max(1),
            window,
            state: Mutex::new(BudgetState::default()),
        }
    }

    /// The budget shared by every client of `key` (base URL and token
    /// reference) in this process, so that zones synced concurrently with one
    /// token stay within one limit.
    pub fn shared(key: String, limit: usize, window: Duration) -> Arc<Budget> {
        type Budgets = Mutex<HashMap<(String, usize, Duration), Arc<Budget>>>;
        static ALL: OnceLock<Budgets> = OnceLock::new();
        let mut all = ALL
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        all.entry((key, limit, window))
            .or_insert_with(|| Arc::new(Budget::new(limit, window)))
            .clone()
    }

    /// Waits until a request may be sent, and counts it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while st
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    st.sent.pop_front();
                }
                match st.paused_until {
                    Some(p) if p > now => Some(p - now),
                    _ if st.sent.len() < self.limit => {
                        st.sent.push_back(now);
                        None
                    }
                    _ => st
                        .sent
                        .front()
                        .map(|t| (*t + self.window).saturating_duration_since(now)),
                }
            };
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d.max(Duration::from_millis(1))).await,
            }
        }
    }

    /// Holds every request back until `until` (after a 429).
    pub fn pause_until(&self, until: Instant) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.paused_until.is_none_or(|p| p < until) {
            st.paused_until = Some(until);
        }
    }
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; it doubles per retry, with jitter, up to `cap`.
    pub base: Duration,
    pub cap: Duration,
    /// The longest `Retry-After` honoured; longer ones count as this.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    fn backoff(&self, attempt: u32) -> Duration {
        let d = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cap);
        // "Equal jitter": half fixed, half random, so retries from many zones spread out.
        let half = d / 2;
        half + Duration::from_nanos(fastrand::u64(
            0..=half.as_nanos().min(u128::from(u64::MAX)) as u64,
        ))
    }
}

/// Why a call failed, after retries.
#[derive(Debug, Clone)]
pub enum CallError {
    /// The API answered with an error (status and envelope errors).
    Api {
        status: u16,
        errors: Vec<ApiMessage>,
        retried_ambiguous: bool,
    },
    /// No usable answer: connection refused or dropped, timeout.
    Transport { detail: String },
    /// An answer that is not a Cloudflare envelope.
    Malformed { status: u16, detail: String },
}

impl CallError {
    /// True when an earlier attempt may have been applied, so that the state
    /// must be read again before deciding what is left to do.
    pub fn ambiguous(&self) -> bool {
        match self {
            CallError::Api {
                retried_ambiguous,
                status,
                ..
            } => *retried_ambiguous || *status >= 500,
            CallError::Transport { .. } => true,
            CallError::Malformed { status, .. } => *status >= 500,
        }
    }

    pub fn has_code(&self, code: i64) -> bool {
        matches!(self, CallError::Api { errors, .. } if errors.iter().any(|e| e.code == code))
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Api { status, .. } | CallError::Malformed { status, .. } => Some(*status),
            CallError::Transport { .. } => None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Api { status, errors, .. } if errors.is_empty() => {
                write!(f, "HTTP {status}")
            }
            CallError::Api { status, errors, .. } => {
                let list: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{} (code {})", e.message, e.code))
                    .collect();
                write!(f, "HTTP {status}: {}", list.join("; "))
            }
            CallError::Transport { detail } => write!(f, "no answer: {detail}"),
            CallError::Malformed { status, detail } => {
                write!(f, "malformed answer (HTTP {status}): {detail}")
            }
        }
    }
}

/// `(remaining, seconds to reset)` of a `Ratelimit` header
/// (`"default";r=50;t=30`, the IETF draft Cloudflare sends since 2025).
pub fn parse_ratelimit(v: &str) -> Option<(u64, u64)> {
    let field = |k: &str| {
        v.split([';', ','])
            .filter_map(|p| p.trim().strip_prefix(k))
            .find_map(|n| n.trim().parse::<u64>().ok())
    };
    Some((field("r=")?, field("t=").unwrap_or(1)))
}

/// The HTTP client of one provider.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Secret,
    budget: Arc<Budget>,
    policy: RetryPolicy,
    sent: AtomicU64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// `reqwest::Error`'s text with any URL query left out (never holds the token,
/// which travels in a header, but keep messages short).
fn describe(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "the request timed out".to_string()
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "the connection failed".to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(&format!(": {inner}"));
        src = inner.source();
    }
    s
}

impl Client {
    pub fn new(
        base: &str,
        token: Secret,
        timeout: Duration,
        budget: Arc<Budget>,
        policy: RetryPolicy,
    ) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("dnsctl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", describe(&e)))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            budget,
            policy,
            sent: AtomicU64::new(0),
        })
    }

    /// Requests sent so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// One API call with retries. The envelope is returned only on success.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Envelope, CallError> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        let mut ambiguous = false;
        loop {
            self.budget.acquire().await;
            self.sent.fetch_add(1, Ordering::Relaxed);
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(self.token.expose());
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let outcome = match req.send().await {
                Err(e) => Err(CallError::Transport {
                    detail: describe(&e),
                }),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    // `Ratelimit: "default";r=0;t=42`: the budget is spent on the
                    // server side; wait before the next request rather than earn a 429.
                    if let Some((0, reset)) = resp
                        .headers()
                        .get("ratelimit")
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_ratelimit)
                    {
                        let wait = Duration::from_secs(reset).min(self.policy.max_retry_after);
                        self.budget.pause_until(Instant::now() + wait);
                    }
                    match resp.bytes().await {
                        Err(e) => Err(CallError::Transport {
                            detail: describe(&e),
                        }),
                        Ok(bytes) => Ok((status, retry_after, bytes)),
                    }
                }
            };
            let last = attempt >= self.policy.max_retries;
            let (status, retry_after, bytes) = match outcome {
                Ok(x) => x,
                Err(e) => {
                    if last {
                        return Err(e);
                    }
                    ambiguous = true;
                    tokio::time::sleep(self.policy.backoff(attempt)).await;
                    attempt += 1;
                    continue;
                }
            };
            let env = parse_envelope(&bytes);
            if status == 429 {
                if last {
                    let errors = env.map(|e| e.errors).unwrap_or_default();
                    return Err(CallError::Api {
                        status,
                        errors,
                        retried_ambiguous: ambiguous,
                    });
                }
                let wait = retry_after
                    .map(|s| Duration::from_secs(s).min(self.policy.max_retry_after))
                    .unwrap_or_else(|| self.policy.backoff(attempt).max(Duration::from_secs(1)));
                // Every zone on this token waits, not just this request.
                self.budget.pause_until(Instant::now() + wait);
                attempt += 1;
                continue;
            }
            if status >= 500 {
                if last {
                    return Err(match env {
                        Ok(e) => CallError::Api {
                            status,
                            errors: e.errors,
                            retried_ambiguous: true,
                        },
                        Err(detail) => CallError::Malformed { status, detail },
                    });
                }
                ambiguous = true;
                tokio::time::sleep(self.policy.backoff(attempt)).await;
                attempt += 1;
                continue;
            }
            let env = env.map_err(|detail| CallError::Malformed { status, detail })?;
            if !(200..300).contains(&status) || !env.success {
                return Err(CallError::Api {
                    status,
                    errors: env.errors,
                    retried_ambiguous: ambiguous,
                });
            }
            return Ok(env);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn budget_spaces_requests_and_pauses() {
        let b = Budget::new(2, Duration::from_secs(10));
        let t0 = tokio::time::Instant::now();
        b.acquire().await;
        b.acquire().await;
        assert!(t0.elapsed() < Duration::from_millis(5));
        b.pause_until(Instant::now() + Duration::from_secs(1));
        // The window is full: the third request waits for the first to age out.
        b.acquire().await;
        assert!(
            t0.elapsed() >= Duration::from_millis(999),
            "{:?}",
            t0.elapsed()
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_cap() {
        let p = RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
        };
        for _ in 0..50 {
            let d0 = p.backoff(0);
            assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100));
            let d3 = p.backoff(3);
            assert!(d3 >= Duration::from_millis(400) && d3 <= Duration::from_millis(800));
            assert!(p.backoff(30) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn ratelimit_header() {
        assert_eq!(parse_ratelimit("\"default\";r=0;t=42"), Some((0, 42)));
        assert_eq!(parse_ratelimit("\"default\";r=17;t=3"), Some((17, 3)));
        assert_eq!(parse_ratelimit("limit=5, r=2"), Some((2, 1)));
        assert_eq!(parse_ratelimit("garbage"), None);
        assert_eq!(parse_ratelimit("r=-1;t=x"), None);
    }

    #[test]
    fn shared_budgets_are_per_key() {
        let a = Budget::shared("k1".into(), 5, Duration::from_secs(1));
        let b = Budget::shared("k1".into(), 5, Duration::from_secs(1));
        let c = Budget::shared("k2".into(), 5, Duration::from_secs(1));
        assert!(Arc::ptr_eq(&a, &b) && !Arc::ptr_eq(&a, &c));
    }
}
