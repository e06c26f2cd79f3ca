//! Test support for dnsctl: an in-process emulator of the Cloudflare v4 DNS API.
//!
//! The emulator listens on `127.0.0.1:0`, speaks plain HTTP/1.1 (keep-alive)
//! and follows the published API: the response envelope (`success`,
//! `errors[{code,message}]`, `messages`, `result`, `result_info`), bearer
//! tokens (`GET /user/tokens/verify`), zones (`GET /zones?name=`,
//! `GET /zones/{id}`), DNS records (list with `page`/`per_page`/`name`/`type`
//! filters, get, create, patch, put, delete) and the atomic batch endpoint
//! (`POST /zones/{id}/dns_records/batch`: deletes, patches, puts, posts in
//! that order, all or nothing, first error returned). It validates records as
//! Cloudflare does (TTL 1 = automatic or 60..=86400, only A/AAAA/CNAME can be
//! proxied and proxied records are TTL automatic, structured `data` for
//! CAA/SRV/HTTPS/SVCB/TLSA/SSHFP, identical-record and CNAME conflicts with
//! Cloudflare's error codes), enforces a per-token rate limit (1,200 requests
//! per 5 minutes by default, then 429 with `Retry-After` until the window
//! ends; `Ratelimit` and `Ratelimit-Policy` headers on every answer), counts
//! requests, injects faults on demand ([`Fault`]: 5xx, 429 with
//! `Retry-After`, dropped connections, delays, endless bodies, redirects,
//! error messages of your choice), and serves its zones over DNS (misanswering
//! on demand, [`DnsFault`]: another id, question or owner name, no authority).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use testkit::{Emulator, Fault, FaultRule};
//! let emu = Emulator::start().await;
//! emu.add_token("test-token");
//! let zone_id = emu.add_zone("example.com");
//! emu.add_record("example.com", serde_json::json!({"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 300})).unwrap();
//! // The next request to the API fails with a 503.
//! emu.inject(FaultRule::nth(1, Fault::Status(503)));
//! assert!(emu.base_url().starts_with("http://127.0.0.1:"));
//! assert_eq!(emu.records("example.com").len(), 1);
//! # let _ = zone_id;
//! # }
//! ```
#![deny(missing_docs, unreachable_pub)]

pub mod bind;
mod dns;
mod http;
pub mod knot;
pub mod powerdns;
mod records;
pub mod servers;

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use dns::DnsFault;
pub use records::ApiError;

/// What a token may do.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    /// `active`, `disabled` or `expired`, as `GET /user/tokens/verify` reports it.
    pub status: String,
    /// The zones the token can see; `None` means all.
    pub zones: Option<Vec<String>>,
    /// Whether it may change DNS records (`DNS:Edit`), or only read them.
    pub write: bool,
}

impl Default for TokenSpec {
    fn default() -> Self {
        TokenSpec {
            status: "active".into(),
            zones: None,
            write: true,
        }
    }
}

/// A fault the emulator injects instead of (or around) handling a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this HTTP status (e.g. 500, 502, 503) and an error envelope; nothing is applied.
    Status(u16),
    /// Answer 429 with `Retry-After: secs` and code 971; nothing is applied.
    RateLimited {
        /// Seconds, as sent in `Retry-After`.
        retry_after: u64,
    },
    /// Close the connection without answering; nothing is applied.
    Reset,
    /// Apply the request, then close the connection without answering (the
    /// client cannot know whether its write happened).
    ResetAfterApply,
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Answer 200 with a body that never ends (no length, streamed until the
    /// client hangs up); nothing is applied.
    EndlessBody,
    /// Answer with this 3xx status and `Location`; nothing is applied.
    Redirect {
        /// The 3xx status.
        status: u16,
        /// Where it points.
        location: String,
    },
    /// Answer with this status and one envelope error (code, message), e.g.
    /// a message holding terminal escape sequences; nothing is applied.
    Error {
        /// The HTTP status.
        status: u16,
        /// The envelope error's code.
        code: u32,
        /// Its message.
        message: String,
    },
}

/// When a fault fires: on the `nth` request (1-based, counted from when the
/// rule is added) that matches `method` and `path_contains`, and on the
/// `times - 1` matching requests after it.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// Fire on the nth matching request (from 1).
    pub nth: u64,
    /// How many matching requests it fires on, from the nth.
    pub times: u64,
    /// Only requests with this method count.
    pub method: Option<String>,
    /// Only requests whose path contains this count.
    pub path_contains: Option<String>,
    /// What happens.
    pub fault: Fault,
    seen: u64,
    fired: u64,
}

impl FaultRule {
    /// A rule that fires once, on the nth request.
    pub fn nth(nth: u64, fault: Fault) -> FaultRule {
        FaultRule {
            nth: nth.max(1),
            times: 1,
            method: None,
            path_contains: None,
            fault,
            seen: 0,
            fired: 0,
        }
    }

    /// Only requests with this method and a path containing `path_contains` count.
    pub fn on(mut self, method: &str, path_contains: &str) -> FaultRule {
        self.method = Some(method.to_ascii_uppercase());
        self.path_contains = Some(path_contains.to_string());
        self
    }

    /// Fire on `times` requests from the nth.
    pub fn times(mut self, times: u64) -> FaultRule {
        self.times = times;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// Random faults: each request independently fails with these probabilities.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomFaults {
    /// Probability of a 5xx answer.
    pub p_5xx: f64,
    /// Probability of a 429 answer.
    pub p_429: f64,
    /// Probability of a reset connection.
    pub p_reset: f64,
    /// Seed of the generator, so that a failing run can be replayed.
    pub seed: u64,
}

/// One request the emulator received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The HTTP method.
    pub method: String,
    /// Path and query, e.g. `/client/v4/zones/ID/dns_records?page=2`.
    pub path: String,
    /// The status answered.
    pub status: u16,
}

#[derive(Debug)]
pub(crate) struct ZoneState {
    pub id: String,
    pub name: String,
    /// Records by id; ids grow monotonically so this is creation order.
    pub records: BTreeMap<String, Value>,
    /// Record ids by name, for conflict checks.
    pub by_name: records::NameIndex,
}

impl ZoneState {
    pub(crate) fn empty() -> ZoneState {
        ZoneState {
            id: String::new(),
            name: String::new(),
            records: BTreeMap::new(),
            by_name: records::NameIndex::new(),
        }
    }
}

struct TokenState {
    spec: TokenSpec,
    window_start: Option<Instant>,
    count: u64,
}

pub(crate) struct State {
    tokens: BTreeMap<String, TokenState>,
    pub zones: Vec<ZoneState>,
    pub next_id: u64,
    faults: Vec<FaultRule>,
    random: Option<(RandomFaults, u64)>,
    log: Vec<Request>,
    rate_limit: (u64, Duration),
    pub max_batch: usize,
    max_per_page: u64,
    pub dns_fault: Option<DnsFault>,
}

impl State {
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        // 32 hex digits like Cloudflare's identifiers; a fixed prefix keeps them unique per emulator.
        format!("{:016x}{:016x}", 0x00c1_0dfa_u64, self.next_id)
    }

    fn zone_index(&self, name: &str) -> Option<usize> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.zones.iter().position(|z| z.name == name)
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    dns_addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    fn new_state() -> Arc<Mutex<State>> {
        Arc::new(Mutex::new(State {
            tokens: BTreeMap::new(),
            zones: Vec::new(),
            next_id: 0,
            faults: Vec::new(),
            random: None,
            log: Vec::new(),
            rate_limit: (1200, Duration::from_secs(300)),
            max_batch: 200,
            max_per_page: 5_000_000,
            dns_fault: None,
        }))
    }

    /// Starts the emulator on the current tokio runtime: the API on
    /// `127.0.0.1:0`, and the DNS face on another loopback port (UDP and TCP).
    pub async fn start() -> Emulator {
        let (http, udp, tcp) = bind_all(0, 0).await.expect("bind loopback ports");
        let (addr, dns_addr) = (
            http.local_addr().expect("local addr"),
            udp.local_addr().expect("local addr"),
        );
        let state = Self::new_state();
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(run(http, udp, tcp, state.clone(), rx));
        Emulator {
            addr,
            dns_addr,
            state,
            stop: Some(tx),
            thread: None,
        }
    }

    /// Starts the emulator on a thread of its own (for tests that run the
    /// `dnsctl` binary, or that have no tokio runtime).
    pub fn start_in_thread() -> Emulator {
        Self::start_in_thread_on(0, 0).expect("bind loopback ports")
    }

    /// [`Emulator::start_in_thread`] with the API on `127.0.0.1:api_port` and
    /// DNS on `127.0.0.1:dns_port` (0: any free port), for `cf-emulator
    /// --port`, so a dnsctl.yaml pointing at it keeps working across restarts.
    pub fn start_in_thread_on(api_port: u16, dns_port: u16) -> std::io::Result<Emulator> {
        let state = Self::new_state();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let st = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let (http, udp, tcp) = match bind_all(api_port, dns_port).await {
                    Ok(sockets) => sockets,
                    Err(e) => {
                        let _ = addr_tx.send(Err(e));
                        return;
                    }
                };
                let addrs = (
                    http.local_addr().expect("local addr"),
                    udp.local_addr().expect("local addr"),
                );
                addr_tx.send(Ok(addrs)).expect("report address");
                run(http, udp, tcp, st, rx).await;
            });
        });
        let (addr, dns_addr) = addr_rx.recv().expect("emulator thread started")?;
        Ok(Emulator {
            addr,
            dns_addr,
            state,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// Where the zones are served over DNS (UDP and TCP, same port).
    pub fn dns_addr(&self) -> SocketAddr {
        self.dns_addr
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The API's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base, e.g. `http://127.0.0.1:PORT/client/v4` (as `https://api.cloudflare.com/client/v4`).
    pub fn base_url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }

    /// Adds an active token that may read and write every zone.
    pub fn add_token(&self, token: &str) {
        self.add_token_with(token, TokenSpec::default());
    }

    /// Accepts `token` with these permissions.
    pub fn add_token_with(&self, token: &str, spec: TokenSpec) {
        self.lock().tokens.insert(
            token.to_string(),
            TokenState {
                spec,
                window_start: None,
                count: 0,
            },
        );
    }

    /// Adds a zone (if absent) and returns its id.
    pub fn add_zone(&self, name: &str) -> String {
        let mut st = self.lock();
        if let Some(i) = st.zone_index(name) {
            return st.zones[i].id.clone();
        }
        let id = st.new_id();
        st.zones.push(ZoneState {
            id: id.clone(),
            name: name.trim_end_matches('.').to_ascii_lowercase(),
            records: BTreeMap::new(),
            by_name: records::NameIndex::new(),
        });
        id
    }

    /// The id of zone `name`, if the emulator has it.
    pub fn zone_id(&self, name: &str) -> Option<String> {
        let st = self.lock();
        st.zone_index(name).map(|i| st.zones[i].id.clone())
    }

    /// Creates a record as `POST /zones/{id}/dns_records` would (same validation),
    /// without counting a request. Returns the stored record. A `meta` object
    /// in `record` (e.g. `{"read_only": true, "email_routing": true}`) is kept.
    pub fn add_record(&self, zone: &str, record: Value) -> Result<Value, ApiError> {
        let mut st = self.lock();
        let zi = st
            .zone_index(zone)
            .ok_or_else(|| ApiError::new(404, 7003, format!("no zone {zone}")))?;
        let mut rec = records::create(&mut st, zi, &record)?;
        // Records Cloudflare manages itself (Email Routing, say) carry
        // `meta.read_only`; clients cannot set `meta`, but a test can seed it.
        if let Some(meta @ Value::Object(_)) = record.get("meta") {
            rec["meta"] = meta.clone();
            st.zones[zi].put_record(rec.clone());
        }
        Ok(rec)
    }

    /// The zone's records as the API returns them, in creation order.
    pub fn records(&self, zone: &str) -> Vec<Value> {
        let st = self.lock();
        st.zone_index(zone)
            .map(|i| st.zones[i].records.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.lock().log.clone()
    }

    /// How many requests it has received.
    pub fn request_count(&self) -> usize {
        self.lock().log.len()
    }

    /// Requests whose method is `method` and whose path contains `path_contains`.
    pub fn count(&self, method: &str, path_contains: &str) -> usize {
        self.lock()
            .log
            .iter()
            .filter(|r| r.method == method && r.path.contains(path_contains))
            .count()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.lock().log.clear();
    }

    /// Makes the DNS face misanswer every query this way (`None`: answer well).
    pub fn set_dns_fault(&self, fault: Option<DnsFault>) {
        self.lock().dns_fault = fault;
    }

    /// Adds a fault rule.
    pub fn inject(&self, rule: FaultRule) {
        self.lock().faults.push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        let mut st = self.lock();
        st.faults.clear();
        st.random = None;
    }

    /// Makes requests fail at random from now on.
    pub fn random_faults(&self, faults: RandomFaults) {
        self.lock().random = Some((faults, faults.seed.max(1)));
    }

    /// Requests allowed per token per window (default 1,200 per 5 minutes).
    pub fn set_rate_limit(&self, requests: u64, window: Duration) {
        let mut st = self.lock();
        st.rate_limit = (requests, window);
        for t in st.tokens.values_mut() {
            t.window_start = None;
            t.count = 0;
        }
    }

    /// Operations allowed in one batch (200 on the Free plan, 3,500 on paid plans).
    pub fn set_max_batch(&self, n: usize) {
        self.lock().max_batch = n;
    }

    /// Caps the records a list page returns, whatever `per_page` asks (the default is no practical cap).
    pub fn set_max_per_page(&self, n: u64) {
        self.lock().max_per_page = n;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The API listener and the DNS sockets on loopback; port 0 is any free port.
async fn bind_all(
    api_port: u16,
    dns_port: u16,
) -> std::io::Result<(
    tokio::net::TcpListener,
    tokio::net::UdpSocket,
    tokio::net::TcpListener,
)> {
    let at = |what: &str, port: u16, e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("{what} on 127.0.0.1:{port}: {e}"))
    };
    let http = tokio::net::TcpListener::bind(("127.0.0.1", api_port))
        .await
        .map_err(|e| at("API", api_port, e))?;
    if dns_port != 0 {
        let udp = tokio::net::UdpSocket::bind(("127.0.0.1", dns_port))
            .await
            .map_err(|e| at("DNS (UDP)", dns_port, e))?;
        let tcp = tokio::net::TcpListener::bind(("127.0.0.1", dns_port))
            .await
            .map_err(|e| at("DNS (TCP)", dns_port, e))?;
        return Ok((http, udp, tcp));
    }
    // DNS: UDP and TCP on one port number; retry if TCP's is taken.
    for _ in 0..50 {
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind udp 127.0.0.1:0");
        if let Ok(tcp) = tokio::net::TcpListener::bind(udp.local_addr().expect("local addr")).await
        {
            return Ok((http, udp, tcp));
        }
    }
    Err(std::io::Error::other(
        "no loopback port free for both UDP and TCP",
    ))
}

async fn run(
    http: tokio::net::TcpListener,
    udp: tokio::net::UdpSocket,
    tcp: tokio::net::TcpListener,
    state: Arc<Mutex<State>>,
    stop: tokio::sync::oneshot::Receiver<()>,
) {
    tokio::select! {
        _ = stop => {}
        _ = http::serve(http, state.clone()) => {}
        _ = dns::serve_udp(udp, state.clone()) => {}
        _ = dns::serve_tcp(tcp, state) => {}
    }
}

/// A parsed request, as the router sees it.
pub(crate) struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub auth: Option<String>,
    pub body: Vec<u8>,
}

impl Req {
    fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What the connection handler should do with a request before routing it.
pub(crate) enum Decision {
    Handle {
        delay: Option<Duration>,
        reset_after: bool,
        /// The `Ratelimit` and `Ratelimit-Policy` values for the token, if any.
        ratelimit: Option<(String, String)>,
    },
    Respond(Resp),
    Reset,
    /// Stream an endless 200 body.
    Endless,
}

pub(crate) struct Resp {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<u64>,
    /// `Ratelimit` and `Ratelimit-Policy` values, as Cloudflare sends since 2025.
    pub ratelimit: Option<(String, String)>,
    pub location: Option<String>,
}

impl Resp {
    fn ok(result: Value) -> Resp {
        Resp {
            status: 200,
            body: envelope(true, vec![], result, None),
            retry_after: None,
            ratelimit: None,
            location: None,
        }
    }

    fn err(e: ApiError) -> Resp {
        Resp {
            status: e.status,
            body: envelope(false, vec![e], Value::Null, None),
            retry_after: None,
            ratelimit: None,
            location: None,
        }
    }
}

fn envelope(success: bool, errors: Vec<ApiError>, result: Value, info: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("success".into(), Value::Bool(success));
    m.insert(
        "errors".into(),
        Value::Array(
            errors
                .iter()
                .map(|e| json!({"code": e.code, "message": e.message}))
                .collect(),
        ),
    );
    m.insert("messages".into(), json!([]));
    m.insert("result".into(), result);
    if let Some(i) = info {
        m.insert("result_info".into(), i);
    }
    Value::Object(m)
}

/// Logs the request and decides on faults and the rate limit.
pub(crate) fn decide(
    state: &Mutex<State>,
    method: &str,
    path: &str,
    auth: Option<&str>,
) -> Decision {
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let mut fault = None;
    for rule in st.faults.iter_mut() {
        if rule.fired >= rule.times || !rule.matches(method, path) {
            continue;
        }
        rule.seen += 1;
        if rule.seen >= rule.nth && fault.is_none() {
            rule.fired += 1;
            fault = Some(rule.fault.clone());
        }
    }
    st.faults.retain(|r| r.fired < r.times);
    if fault.is_none() {
        if let Some((rf, seed)) = st.random.as_mut() {
            // xorshift64*: small, seeded, good enough to spread faults.
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            let x = (*seed >> 11) as f64 / (1u64 << 53) as f64;
            fault = if x < rf.p_5xx {
                Some(Fault::Status(503))
            } else if x < rf.p_5xx + rf.p_429 {
                Some(Fault::RateLimited { retry_after: 1 })
            } else if x < rf.p_5xx + rf.p_429 + rf.p_reset {
                Some(Fault::Reset)
            } else {
                None
            };
        }
    }
    let log = |st: &mut State, status: u16| {
        st.log.push(Request {
            method: method.into(),
            path: path.into(),
            status,
        })
    };
    match fault {
        Some(Fault::Status(s)) => {
            log(&mut st, s);
            let e = ApiError::new(s, 10001, "service temporarily unavailable (injected fault)");
            return Decision::Respond(Resp::err(e));
        }
        Some(Fault::RateLimited { retry_after }) => {
            log(&mut st, 429);
            return Decision::Respond(rate_limited(retry_after));
        }
        Some(Fault::Reset) => {
            log(&mut st, 0);
            return Decision::Reset;
        }
        Some(Fault::EndlessBody) => {
            log(&mut st, 200);
            return Decision::Endless;
        }
        Some(Fault::Redirect { status, location }) => {
            log(&mut st, status);
            let mut r = Resp::err(ApiError::new(status, 0, "moved"));
            r.location = Some(location);
            return Decision::Respond(r);
        }
        Some(Fault::Error {
            status,
            code,
            message,
        }) => {
            log(&mut st, status);
            return Decision::Respond(Resp::err(ApiError::new(status, code, message)));
        }
        _ => {}
    }
    // The per-token rate limit: a fixed window from the token's first request;
    // past the limit every request is refused until the window ends.
    let (limit, window) = st.rate_limit;
    let mut ratelimit = None;
    if let Some(t) = auth.and_then(|a| st.tokens.get_mut(a)) {
        let now = Instant::now();
        let start = *t.window_start.get_or_insert(now);
        if now.duration_since(start) >= window {
            t.window_start = Some(now);
            t.count = 0;
        }
        let start = t.window_start.unwrap_or(now);
        if t.count >= limit {
            let left = window.saturating_sub(now.duration_since(start));
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            log(&mut st, 429);
            let mut r = rate_limited(secs.max(1));
            r.ratelimit = Some((
                format!("\"default\";r=0;t={}", secs.max(1)),
                format!("\"default\";q={limit};w={}", window.as_secs()),
            ));
            return Decision::Respond(r);
        }
        t.count += 1;
        let left = window.saturating_sub(now.duration_since(start));
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        ratelimit = Some((
            format!("\"default\";r={};t={secs}", limit - t.count),
            format!("\"default\";q={limit};w={}", window.as_secs()),
        ));
    }
    match fault {
        Some(Fault::Delay(d)) => Decision::Handle {
            delay: Some(d),
            reset_after: false,
            ratelimit,
        },
        Some(Fault::ResetAfterApply) => Decision::Handle {
            delay: None,
            reset_after: true,
            ratelimit,
        },
        _ => Decision::Handle {
            delay: None,
            reset_after: false,
            ratelimit,
        },
    }
}

fn rate_limited(retry_after: u64) -> Resp {
    let e = ApiError::new(
        429,
        971,
        "Please wait and consider throttling your request speed",
    );
    Resp {
        status: 429,
        body: envelope(false, vec![e], Value::Null, None),
        retry_after: Some(retry_after),
        ratelimit: None,
        location: None,
    }
}

pub(crate) fn log_status(state: &Mutex<State>, method: &str, path: &str, status: u16) {
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    st.log.push(Request {
        method: method.into(),
        path: path.into(),
        status,
    });
}

/// Routes a request to its handler.
pub(crate) fn route(state: &Mutex<State>, req: &Req) -> Resp {
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    match handle(&mut st, req) {
        Ok(r) => r,
        Err(e) => Resp::err(e),
    }
}

fn handle(st: &mut State, req: &Req) -> Result<Resp, ApiError> {
    let Some(rest) = req.path.strip_prefix("/client/v4") else {
        return Err(no_route(&req.path));
    };
    let parts: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let m = req.method.as_str();
    if parts == ["user", "tokens", "verify"] {
        if m != "GET" {
            return Err(ApiError::new(405, 7000, "No route for that URI"));
        }
        let Some(t) = req.auth.as_deref().and_then(|a| st.tokens.get(a)) else {
            return Err(ApiError::new(401, 1000, "Invalid API Token"));
        };
        let id = format!("{:032x}", t.spec.status.len() as u64 + 7);
        return Ok(Resp::ok(json!({"id": id, "status": t.spec.status})));
    }
    // Every other route needs an active token.
    let spec = match req.auth.as_deref().and_then(|a| st.tokens.get(a)) {
        Some(t) if t.spec.status == "active" => t.spec.clone(),
        _ => return Err(ApiError::new(403, 9109, "Invalid access token")),
    };
    let visible = |name: &str| {
        spec.zones.as_ref().is_none_or(|zs| {
            zs.iter()
                .any(|z| z.trim_end_matches('.').eq_ignore_ascii_case(name))
        })
    };
    if parts.first() != Some(&"zones") {
        return Err(no_route(&req.path));
    }
    if parts.len() == 1 {
        if m != "GET" {
            return Err(ApiError::new(405, 7000, "No route for that URI"));
        }
        let want = req
            .q("name")
            .map(|n| n.trim_end_matches('.').to_ascii_lowercase());
        let all: Vec<Value> = st
            .zones
            .iter()
            .filter(|z| visible(&z.name) && want.as_deref().is_none_or(|w| w == z.name))
            .map(zone_json)
            .collect();
        let (page, per_page) = paging(req, 20, 50)?;
        return Ok(paged(all, page, per_page));
    }
    let zi = st
        .zones
        .iter()
        .position(|z| z.id == parts[1])
        .ok_or_else(|| no_route(&req.path))?;
    if !visible(&st.zones[zi].name) {
        return Err(ApiError::new(403, 10000, "Authentication error"));
    }
    let write = m != "GET";
    if write && !spec.write {
        return Err(ApiError::new(403, 10000, "Authentication error"));
    }
    match (m, &parts[2..]) {
        ("GET", []) => Ok(Resp::ok(zone_json(&st.zones[zi]))),
        ("GET", ["dns_records"]) => {
            let max = st.max_per_page;
            let (page, per_page) = paging(req, 100, max)?;
            let zone = &st.zones[zi];
            let name = req
                .q("name")
                .or(req.q("name.exact"))
                .map(|n| records::fqdn(n, &zone.name));
            let rtype = req.q("type").map(str::to_ascii_uppercase);
            let content = req.q("content").or(req.q("content.exact"));
            let all: Vec<Value> = zone
                .records
                .values()
                .filter(|r| name.as_deref().is_none_or(|n| r["name"] == n))
                .filter(|r| rtype.as_deref().is_none_or(|t| r["type"] == t))
                .filter(|r| content.is_none_or(|c| r["content"] == c))
                .cloned()
                .collect();
            Ok(paged(all, page, per_page))
        }
        ("POST", ["dns_records"]) => Ok(Resp::ok(records::create(st, zi, &body_json(req)?)?)),
        ("POST", ["dns_records", "batch"]) => {
            Ok(Resp::ok(records::batch(st, zi, &body_json(req)?)?))
        }
        ("GET", ["dns_records", id]) => Ok(Resp::ok(
            st.zones[zi]
                .records
                .get(*id)
                .cloned()
                .ok_or_else(records::not_found)?,
        )),
        ("PATCH", ["dns_records", id]) => Ok(Resp::ok(records::update(
            st,
            zi,
            id,
            &body_json(req)?,
            true,
        )?)),
        ("PUT", ["dns_records", id]) => Ok(Resp::ok(records::update(
            st,
            zi,
            id,
            &body_json(req)?,
            false,
        )?)),
        ("DELETE", ["dns_records", id]) => Ok(Resp::ok(records::delete(st, zi, id)?)),
        (_, [] | ["dns_records"] | ["dns_records", _]) => {
            Err(ApiError::new(405, 7000, "No route for that URI"))
        }
        _ => Err(no_route(&req.path)),
    }
}

fn no_route(path: &str) -> ApiError {
    ApiError::new(
        404,
        7003,
        format!("Could not route to {path}, perhaps your object identifier is invalid?"),
    )
}

fn body_json(req: &Req) -> Result<Value, ApiError> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::new(
            400,
            9207,
            "Request body is invalid: expected a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            400,
            9207,
            format!("Request body is invalid JSON: {e}"),
        )),
    }
}

fn paging(req: &Req, default: u64, max: u64) -> Result<(u64, u64), ApiError> {
    let num = |k: &str, d: u64| -> Result<u64, ApiError> {
        match req.q(k) {
            None => Ok(d),
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| ApiError::new(400, 1004, format!("{k} must be a positive integer"))),
        }
    };
    let page = num("page", 1)?.max(1);
    let per_page = num("per_page", default)?;
    if per_page < 5 || per_page > max {
        return Err(ApiError::new(
            400,
            1004,
            format!("per_page must be between 5 and {max}"),
        ));
    }
    Ok((page, per_page))
}

fn paged(all: Vec<Value>, page: u64, per_page: u64) -> Resp {
    let total = all.len() as u64;
    let start = ((page - 1).saturating_mul(per_page)).min(total) as usize;
    let items: Vec<Value> = all
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .collect();
    let info = json!({
        "page": page,
        "per_page": per_page,
        "count": items.len(),
        "total_count": total,
        "total_pages": total.div_ceil(per_page),
    });
    Resp {
        status: 200,
        body: envelope(true, vec![], Value::Array(items), Some(info)),
        retry_after: None,
        ratelimit: None,
        location: None,
    }
}

fn zone_json(z: &ZoneState) -> Value {
    json!({
        "id": z.id,
        "name": z.name,
        "status": "active",
        "paused": false,
        "type": "full",
        "name_servers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
        "account": {"id": "0000000000000000000000000000acc7", "name": "emulator"},
        "plan": {"name": "Free Website"},
    })
}

/// A zone of example.com with `n` records besides its NS and glue: A, AAAA,
/// TXT, MX and CNAME in turn (`n + 2` record sets).
pub fn big_zone(n: usize) -> String {
    let mut text =
        String::from("'': {type: NS, value: ns1.example.com.}\nns1: {type: A, value: 127.0.0.1}\n");
    for i in 0..n {
        text.push_str(&match i % 5 {
            0 => format!(
                "h{i}: {{type: A, value: 10.{}.{}.{}}}\n",
                (i >> 16) & 255,
                (i >> 8) & 255,
                i & 255
            ),
            1 => format!("h{i}: {{type: AAAA, value: '2001:db8::{:x}'}}\n", i),
            2 => format!("h{i}: {{type: TXT, value: 'record number {i} with some text'}}\n"),
            3 => format!(
                "h{i}: {{type: MX, value: {{preference: 10, exchange: mx{i}.example.net.}}}}\n"
            ),
            _ => format!("h{i}: {{type: CNAME, value: h{}.example.com.}}\n", i - 1),
        });
    }
    text
}

/// A zone file for `example.com` with every record type dnsctl manages, a TXT
/// longer than 255 octets and escapes; `ns1` is in-zone glue (127.0.0.1).
pub fn every_type_zone() -> String {
    let hex = "ab".repeat(32);
    let long = "k=".to_string() + &"A".repeat(600);
    format!(
        r#"'':
  - {{type: NS, values: [ns1.example.com., ns2.example.net.]}}
  - {{type: A, ttl: 300, value: 203.0.113.10}}
  - {{type: MX, values: [{{preference: 10, exchange: mail.example.com.}}, {{preference: 20, exchange: mx2.example.net.}}]}}
  - {{type: TXT, values: ['v=spf1 mx -all', 'second value']}}
  - {{type: CAA, values: [{{tag: issue, value: letsencrypt.org}}, {{flags: 128, tag: iodef, value: 'mailto:sec@example.com'}}]}}
'*': {{type: AAAA, value: '2001:db8::7'}}
ns1: {{type: A, value: 127.0.0.1}}
_443._tcp.www: {{type: TLSA, value: {{certificate_usage: 3, selector: 1, matching_type: 1, certificate_association_data: {hex}}}}}
_sip._tcp: {{type: SRV, value: {{priority: 10, weight: 60, port: 5060, target: sip.example.com.}}}}
dkim._domainkey: {{type: TXT, ttl: 600, value: '{long}'}}
quote: {{type: TXT, value: 'say "hi" \\ back\; ok'}}
host: {{type: SSHFP, values: [{{algorithm: 4, fingerprint_type: 2, fingerprint: {hex}}}, {{algorithm: 1, fingerprint_type: 1, fingerprint: {sha1}}}]}}
svc: {{type: HTTPS, value: {{svcpriority: 1, targetname: ., svcparams: {{alpn: [h2, h3], port: 8443, ipv4hint: [192.0.2.1]}}}}}}
_dns.ns1: {{type: SVCB, value: {{svcpriority: 1, targetname: ns1.example.com., svcparams: {{alpn: [dot]}}}}}}
alias: {{type: HTTPS, value: {{svcpriority: 0, targetname: svc.example.com.}}}}
1.2.0.192.in-addr: {{type: PTR, value: mail.example.com.}}
www: {{type: CNAME, ttl: 300, value: example.com.}}
mail: [{{type: A, value: 203.0.113.25}}, {{type: AAAA, value: '2001:db8:10::25'}}]
"#,
        sha1 = "cd".repeat(20)
    )
}
