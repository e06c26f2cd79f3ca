//! The one HTTP client layer every HTTP provider (Cloudflare, PowerDNS) goes
//! through: timeouts, a cap on answer bodies, no redirects, retries with
//! exponential backoff and jitter on 429 (honouring `Retry-After`, capped,
//! and said on stderr), 5xx and dropped connections, an optional request
//! budget shared by every client of one token, and server text cleaned of
//! control characters before anyone prints it.
//!
//! Credentials travel in headers that each provider's request builder adds;
//! since redirects are never followed, no header ever reaches another host.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

/// The largest answer body read (64 MiB): the largest real pages (5,000
/// Cloudflare records, a PowerDNS zone of 100,000 records) are a few MiB.
pub const MAX_BODY: usize = 64 << 20;

/// The longest `Retry-After` dnsctl waits by default; longer ones count as this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Server text (error messages, a `Location`, names and values a server sent)
/// made safe to print: ANSI escape sequences, other control characters and
/// bidirectional overrides are dropped; line breaks and tabs become spaces.
pub fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates up to a final byte @..~.
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, APC, PM, SOS: up to BEL or ESC \ (string terminator).
                Some(']' | 'P' | '_' | '^' | 'X') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

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
    /// A budget of `limit` requests per `window`.
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
/// How failed requests are retried: exponential backoff with jitter.
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; it doubles per retry, with jitter, up to `cap`.
    pub base: Duration,
    /// The longest backoff.
    pub cap: Duration,
    /// The longest `Retry-After` honoured; longer ones count as this.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 6,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_retry_after: MAX_RETRY_AFTER,
        }
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `attempt` (from 0).
    pub fn backoff(&self, attempt: u32) -> Duration {
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

    /// How long to wait for a `Retry-After` that asks for `asked`: at most
    /// `max_retry_after`.
    pub fn retry_after(&self, asked: Duration) -> Duration {
        asked.min(self.max_retry_after)
    }
}

/// A `Retry-After` value: delay-seconds, or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let left = at.signed_duration_since(chrono::Utc::now());
    Some(left.to_std().unwrap_or(Duration::ZERO))
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

/// Where the layer says what it waits for (stderr unless a test listens).
#[derive(Clone)]
pub struct Notice(Arc<dyn Fn(&str) + Send + Sync>);

impl Notice {
    /// A notice that calls `f` with each message.
    pub fn new(f: impl Fn(&str) + Send + Sync + 'static) -> Notice {
        Notice(Arc::new(f))
    }

    fn say(&self, msg: &str) {
        (self.0)(msg)
    }
}

impl Default for Notice {
    fn default() -> Self {
        // Not eprintln!: a closed stderr (a pipe whose reader left) must not panic.
        Notice::new(|m| {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "{m}");
        })
    }
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notice")
    }
}

/// How a client of the layer is set up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Names the provider in notices, e.g. `cloudflare 'cf'`.
    pub provider: String,
    /// Timeout of a whole request, answer body included.
    pub timeout: Duration,
    /// How failed requests are retried.
    pub retry: RetryPolicy,
    /// A rate budget shared with other clients of the same account.
    pub budget: Option<Arc<Budget>>,
    /// The largest answer body read.
    pub max_body: usize,
    /// Where retries and waits are reported.
    pub notice: Notice,
}

impl Settings {
    /// Settings with the default body limit, no budget and no notices.
    pub fn new(provider: impl Into<String>, timeout: Duration, retry: RetryPolicy) -> Settings {
        Settings {
            provider: provider.into(),
            timeout,
            retry,
            budget: None,
            max_body: MAX_BODY,
            notice: Notice::default(),
        }
    }
}

/// The final answer to a request, after retries: any status but a redirect.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body, at most `max_body` bytes.
    pub body: Vec<u8>,
    /// An earlier attempt may have been applied (it failed with a 5xx or a
    /// dropped connection), so the state must be read again before going on.
    pub retried_ambiguous: bool,
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpErrorKind {
    /// Connection refused or dropped, timeout.
    Transport(String),
    /// A 3xx: provider APIs do not redirect, so it is not followed.
    Redirect {
        /// The 3xx status.
        status: u16,
        /// Where it pointed.
        location: String,
    },
    /// The answer body is larger than the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// Why a request got no usable answer, and whether it may have been applied.
pub struct HttpError {
    /// What happened.
    pub kind: HttpErrorKind,
    /// The request (or an earlier attempt) may have been applied.
    pub ambiguous: bool,
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            HttpErrorKind::Transport(d) => write!(f, "no answer: {d}"),
            HttpErrorKind::Redirect { status, location } => write!(
                f,
                "the server answered HTTP {status}, a redirect to '{location}'; provider APIs do not redirect, so it was not followed and no credential was sent there: check the API URL in dnsctl.yaml"
            ),
            HttpErrorKind::TooLarge { limit } => write!(
                f,
                "the answer is larger than {} MiB, far more than any real API answer, so reading stopped there: check that the URL in dnsctl.yaml is the provider's API",
                limit >> 20
            ),
        }
    }
}

impl std::error::Error for HttpError {}

/// `reqwest::Error`'s text without its URL (never holds a credential, which
/// travels in a header, but keep messages short).
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

/// The HTTP client of one provider.
pub struct Client {
    http: reqwest::Client,
    settings: Settings,
    sent: AtomicU64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("provider", &self.settings.provider)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with these settings (no redirects, rustls).
    pub fn new(settings: Settings) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("dnsctl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", describe(&e)))?;
        Ok(Client {
            http,
            settings,
            sent: AtomicU64::new(0),
        })
    }

    /// Requests sent so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends the request `build` makes (called again for each attempt, so it
    /// adds the credential itself) with retries: 429 after `Retry-After` (or
    /// a backoff), 5xx and dropped connections after a backoff. Returns the
    /// last answer, whatever its status; a redirect or an oversized body is
    /// an error and is not retried.
    pub async fn send(
        &self,
        what: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Reply, HttpError> {
        let policy = &self.settings.retry;
        let mut attempt = 0;
        let mut ambiguous = false;
        loop {
            if let Some(b) = &self.settings.budget {
                b.acquire().await;
            }
            self.sent.fetch_add(1, Ordering::Relaxed);
            let last = attempt >= policy.max_retries;
            let answer = match build(&self.http).send().await {
                Err(e) => Err(describe(&e)),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    if resp.status().is_redirection() {
                        let location = resp
                            .headers()
                            .get(reqwest::header::LOCATION)
                            .map(|v| clean_text(&String::from_utf8_lossy(v.as_bytes())))
                            .unwrap_or_else(|| "(no Location)".into());
                        return Err(HttpError {
                            kind: HttpErrorKind::Redirect { status, location },
                            ambiguous,
                        });
                    }
                    let retry_after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after);
                    self.heed_ratelimit(&resp);
                    match self.read_body(resp).await {
                        Ok(body) => Ok((status, retry_after, body)),
                        Err(Some(e)) => Err(e),
                        Err(None) => {
                            return Err(HttpError {
                                kind: HttpErrorKind::TooLarge {
                                    limit: self.settings.max_body,
                                },
                                ambiguous: true,
                            })
                        }
                    }
                }
            };
            match answer {
                Err(detail) if last => {
                    return Err(HttpError {
                        kind: HttpErrorKind::Transport(detail),
                        ambiguous: true,
                    })
                }
                Err(_) => {
                    ambiguous = true;
                    tokio::time::sleep(policy.backoff(attempt)).await;
                }
                Ok((429, retry_after, _)) if !last => {
                    let wait = match retry_after {
                        Some(asked) => {
                            let wait = policy.retry_after(asked);
                            self.settings.notice.say(&format!(
                                "{}: rate limited (HTTP 429) at {what}; waiting {} before retry {} of {}{}",
                                self.settings.provider,
                                secs(wait),
                                attempt + 1,
                                policy.max_retries,
                                if wait < asked {
                                    format!(
                                        " (the server asked for {}; dnsctl waits at most {})",
                                        secs(asked),
                                        secs(policy.max_retry_after)
                                    )
                                } else {
                                    " (as the server asked)".into()
                                }
                            ));
                            wait
                        }
                        None => policy.backoff(attempt).max(Duration::from_secs(1)),
                    };
                    match &self.settings.budget {
                        // Every client on this budget waits, not just this request.
                        Some(b) => b.pause_until(Instant::now() + wait),
                        None => tokio::time::sleep(wait).await,
                    }
                }
                Ok((status, _, _)) if status >= 500 && !last => {
                    ambiguous = true;
                    tokio::time::sleep(policy.backoff(attempt)).await;
                }
                Ok((status, _, body)) => {
                    return Ok(Reply {
                        status,
                        body,
                        retried_ambiguous: ambiguous,
                    })
                }
            }
            attempt += 1;
        }
    }

    /// `Ratelimit: "default";r=0;t=42`: the budget is spent on the server
    /// side; wait before the next request rather than earn a 429.
    fn heed_ratelimit(&self, resp: &reqwest::Response) {
        let Some(budget) = &self.settings.budget else {
            return;
        };
        if let Some((0, reset)) = resp
            .headers()
            .get("ratelimit")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_ratelimit)
        {
            let wait = Duration::from_secs(reset).min(self.settings.retry.max_retry_after);
            if wait >= Duration::from_secs(1) {
                self.settings.notice.say(&format!(
                    "{}: the server's request budget is spent; waiting {} before the next request",
                    self.settings.provider,
                    secs(wait)
                ));
            }
            budget.pause_until(Instant::now() + wait);
        }
    }

    /// The body, or `Err(None)` once it passes the limit.
    async fn read_body(&self, mut resp: reqwest::Response) -> Result<Vec<u8>, Option<String>> {
        let limit = self.settings.max_body;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(None);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| Some(describe(&e)))? {
            if body.len() + chunk.len() > limit {
                return Err(None);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// `1.5 s`, `300 s`.
fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s} s")
    } else {
        format!("{s:.2} s")
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
    fn retry_after_is_parsed_and_capped() {
        assert_eq!(parse_retry_after(" 300 "), Some(Duration::from_secs(300)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        let d = parse_retry_after(&later).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
        // The default policy waits at most a minute, whatever the server asks.
        let p = RetryPolicy::default();
        assert_eq!(p.retry_after(Duration::from_secs(300)), MAX_RETRY_AFTER);
        assert_eq!(
            p.retry_after(Duration::from_secs(5)),
            Duration::from_secs(5)
        );
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

    #[test]
    fn server_text_loses_control_characters() {
        assert_eq!(
            clean_text(
                "\u{1b}[31mred\u{1b}[0m and \u{1b}]0;title\u{7}plain\u{1b}]8;;http://x\u{1b}\\link"
            ),
            "red and plainlink"
        );
        assert_eq!(clean_text("a\nb\r\tc\u{0}\u{7}d\u{9b}e"), "a b  cde");
        assert_eq!(clean_text("abc\u{202e}fed"), "abcfed");
        assert_eq!(clean_text("café ✓"), "café ✓");
        // A lone escape at the end, an unterminated CSI.
        assert_eq!(clean_text("x\u{1b}"), "x");
        assert_eq!(clean_text("x\u{1b}[12"), "x");
    }
}
