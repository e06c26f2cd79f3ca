//! Waiting until every authoritative nameserver of a zone serves a TXT value
//! (or no longer serves it): the servers come from the zone's NS records
//! (or an explicit list), each is asked directly with recursion off, and the
//! poll interval grows from 50 ms up to a cap until all agree or time runs out.

use crate::dns;
use hickory_resolver::proto::rr::RecordType;
use provider::dns::servers::{self, NsSource};
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use zone::Name;

/// How long to wait and how often to ask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Give up after this long (lego's `EXEC_PROPAGATION_TIMEOUT`).
    pub timeout: Duration,
    /// The longest pause between two rounds (lego's `EXEC_POLLING_INTERVAL`);
    /// the first pauses are shorter: 50 ms, growing by half each round.
    pub max_interval: Duration,
    /// How long one query may take before it counts as unanswered.
    pub query_timeout: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            timeout: Duration::from_secs(120),
            max_interval: Duration::from_secs(2),
            query_timeout: Duration::from_secs(2),
        }
    }
}

pub use provider::dns::servers::Server;

/// What to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The value is among the TXT values served.
    Present,
    /// The value is no longer served (other values may remain).
    Gone,
}

/// Why a propagation wait failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PropagationError {
    /// The zone's authoritative servers could not be found.
    #[error("cannot find the authoritative nameservers of {zone}: {detail}; pass --nameserver HOST:PORT (or set DNSCTL_NAMESERVER) to name them")]
    NoServers {
        /// The zone.
        zone: String,
        /// Why.
        detail: String,
    },
    /// Some servers did not agree before the timeout.
    #[error("{}", timeout_message(.fqdn, .value, *.want, *.timeout, .lagging, *.total))]
    Timeout {
        /// The name waited for.
        fqdn: String,
        /// The TXT value.
        value: String,
        /// Whether it was to appear or to go.
        want: Want,
        /// How long the wait lasted.
        timeout: Duration,
        /// The servers that did not agree, with what they last said.
        lagging: Vec<(Server, String)>,
        /// How many servers were asked.
        total: usize,
    },
}

fn timeout_message(
    fqdn: &str,
    value: &str,
    want: Want,
    timeout: Duration,
    lagging: &[(Server, String)],
    total: usize,
) -> String {
    let what = match want {
        Want::Present => "serve",
        Want::Gone => "stop serving",
    };
    let list: Vec<String> = lagging.iter().map(|(s, st)| format!("{s}: {st}")).collect();
    format!(
        "{} of {total} authoritative nameserver(s) did not {what} TXT \"{value}\" at {fqdn} within {:.1}s: {}; check that these servers get the zone from the provider (zone transfer, NOTIFY), or allow more time (--timeout, or the ACME client's propagation timeout)",
        lagging.len(),
        timeout.as_secs_f64(),
        list.join("; ")
    )
}

/// How a wait went.
#[derive(Debug, Clone, PartialEq)]
pub struct Waited {
    /// How long it took.
    pub elapsed: Duration,
    /// How many rounds of questions.
    pub rounds: u32,
    /// How many servers agreed.
    pub servers: usize,
}

/// The nameservers to ask for names in `zone`: `explicit` when given, else
/// every address of the zone's NS hosts, found as `provider::dns::servers`
/// finds them for every caller (the system resolver's NS lookup; port 53).
pub async fn authoritative_servers(
    zone: &Name,
    explicit: &[SocketAddr],
) -> Result<Vec<Server>, PropagationError> {
    if !explicit.is_empty() {
        return Ok(explicit
            .iter()
            .map(|a| Server {
                name: a.to_string(),
                addr: *a,
            })
            .collect());
    }
    let fail = |detail: String| PropagationError::NoServers {
        zone: zone.to_string(),
        detail,
    };
    let found = servers::discover(zone, NsSource::Resolver)
        .await
        .map_err(|e| fail(e.to_string()))?;
    if found.servers.is_empty() {
        let why: Vec<String> = found.unresolved.into_iter().map(|u| u.reason).collect();
        return Err(fail(format!(
            "no address for its nameservers ({})",
            why.join("; ")
        )));
    }
    Ok(found.servers)
}

/// What one server says about `fqdn`, and whether that is what we want.
async fn probe(
    server: SocketAddr,
    fqdn: String,
    value: String,
    want: Want,
    qt: Duration,
) -> (bool, String) {
    match dns::query(server, &fqdn, RecordType::TXT, qt).await {
        Err(e) => (false, e.to_string()),
        Ok(a) if a.rcode == "REFUSED" || a.rcode == "NOTAUTH" => (
            false,
            format!("{} (not authoritative for the zone?)", a.rcode),
        ),
        Ok(a) if !a.is_noerror() => (false, a.rcode),
        Ok(a) if !a.authoritative => (
            false,
            "answered without authority (AA bit unset): not authoritative for the zone".into(),
        ),
        Ok(a) => {
            let has = a.txt.contains(&value);
            let ok = match want {
                Want::Present => has,
                Want::Gone => !has,
            };
            let state = if a.txt.is_empty() {
                format!("{} with no TXT", a.rcode)
            } else {
                format!("serves {:?}", a.txt)
            };
            (ok, state)
        }
    }
}

/// Where a wait stands after a round of questions that left some servers
/// lagging, for a progress display.
#[derive(Debug)]
pub struct Round<'a> {
    /// The servers not there yet, each with what it last answered.
    pub lagging: &'a [(Server, String)],
    /// How many servers are asked.
    pub total: usize,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// When it gives up.
    pub timeout: Duration,
}

/// Called after each round that left servers lagging (see [`Round`]).
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(&Round<'_>) + Send + Sync>);

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// Polls every server until each one serves `value` at `fqdn` (or no longer
/// does, for [`Want::Gone`]); on timeout, names the servers that lag.
/// `progress` hears where the wait stands after every round.
pub async fn wait(
    servers: &[Server],
    fqdn: &Name,
    value: &str,
    want: Want,
    policy: Policy,
    progress: Option<&Progress>,
) -> Result<Waited, PropagationError> {
    let start = Instant::now();
    let deadline = start + policy.timeout;
    let mut pending: Vec<(Server, String)> = servers
        .iter()
        .map(|s| (s.clone(), "not asked yet".to_string()))
        .collect();
    let mut pause = Duration::from_millis(50).min(policy.max_interval);
    let mut rounds = 0;
    loop {
        rounds += 1;
        let left = deadline.saturating_duration_since(Instant::now());
        let qt = policy
            .query_timeout
            .min(left.max(Duration::from_millis(100)));
        let mut set = tokio::task::JoinSet::new();
        for (i, (s, _)) in pending.iter().enumerate() {
            let (addr, name, v) = (s.addr, fqdn.to_string(), value.to_string());
            set.spawn(async move { (i, probe(addr, name, v, want, qt).await) });
        }
        let mut done = vec![false; pending.len()];
        while let Some(r) = set.join_next().await {
            if let Ok((i, (ok, state))) = r {
                done[i] = ok;
                pending[i].1 = state;
            }
        }
        let mut i = 0;
        pending.retain(|_| {
            i += 1;
            !done[i - 1]
        });
        if pending.is_empty() {
            return Ok(Waited {
                elapsed: start.elapsed(),
                rounds,
                servers: servers.len(),
            });
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(PropagationError::Timeout {
                fqdn: fqdn.to_string(),
                value: value.to_string(),
                want,
                timeout: policy.timeout,
                lagging: pending,
                total: servers.len(),
            });
        }
        if let Some(Progress(report)) = progress {
            report(&Round {
                lagging: &pending,
                total: servers.len(),
                elapsed: start.elapsed(),
                timeout: policy.timeout,
            });
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 3 / 2).min(policy.max_interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn explicit_servers_are_used_as_given() {
        let zone = Name::parse_fqdn("example.test.").unwrap();
        let a: SocketAddr = "127.0.0.1:5353".parse().unwrap();
        let s = authoritative_servers(&zone, &[a]).await.unwrap();
        assert_eq!(
            s,
            vec![Server {
                name: a.to_string(),
                addr: a
            }]
        );
        assert_eq!(s[0].to_string(), "127.0.0.1:5353");
        let named = Server {
            name: "ns1.example.test.".into(),
            addr: a,
        };
        assert_eq!(named.to_string(), "ns1.example.test. (127.0.0.1:5353)");
    }

    #[tokio::test]
    async fn gone_is_immediate_when_nothing_is_served() {
        // A server that answers REFUSED for everything is never "in agreement".
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            while let Ok((n, peer)) = sock.recv_from(&mut buf).await {
                if n < 12 {
                    continue;
                }
                let mut r = buf[..n].to_vec();
                r[2] |= 0x80; // response
                r[3] = (r[3] & 0xf0) | 5; // REFUSED
                let _ = sock.send_to(&r, peer).await;
            }
        });
        let servers = vec![Server {
            name: addr.to_string(),
            addr,
        }];
        let fqdn = Name::parse_fqdn("_acme-challenge.example.test.").unwrap();
        let policy = Policy {
            timeout: Duration::from_millis(300),
            max_interval: Duration::from_millis(100),
            query_timeout: Duration::from_millis(200),
        };
        let e = wait(&servers, &fqdn, "v", Want::Gone, policy, None)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("REFUSED (not authoritative for the zone?)")
                && e.contains("did not stop serving"),
            "{e}"
        );
    }
}
