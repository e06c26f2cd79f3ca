//! The one DNS query function of the toolkit (`dnsctl verify`, the ACME
//! propagation checks and preflight): a direct, non-recursive question to
//! one server over UDP (EDNS, 1232-octet payload), then TCP when the answer
//! is truncated or UDP gets none. The query id comes from the OS random
//! source, and an answer is used only if it is for the question asked: the
//! same id, a response to a QUERY, the same question section, and answer
//! records owned by the asked name or the CNAME targets it leads to.

pub mod servers;
pub mod verify;

use crate::rfc2136::wire::{self, Message, Rr};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use zone::RData;

/// The EDNS UDP payload offered (the DNS Flag Day 2020 value).
pub const EDNS_PAYLOAD: u16 = 1232;
const TYPE_CNAME: u16 = 5;
const TYPE_DNAME: u16 = 39;

/// Why a query got no usable answer. The texts leave the server out: the
/// caller's message names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// No answer in time, over UDP or TCP.
    #[error(
        "no answer ({detail}); check that the server runs and that its address and port are right"
    )]
    NoAnswer {
        /// The server asked.
        server: SocketAddr,
        /// Why (timeout, refused connection).
        detail: String,
    },
    /// An answer that is not for the question asked (another id, question
    /// or owner name): a confused or spoofing server.
    #[error("the answer is not for the question asked ({detail}), so it was not used")]
    Mismatch {
        /// The server asked.
        server: SocketAddr,
        /// What did not match.
        detail: String,
    },
    /// An answer that cannot be decoded.
    #[error("the answer is malformed: {detail}")]
    Malformed {
        /// The server asked.
        server: SocketAddr,
        /// What is wrong.
        detail: String,
    },
    /// The question could not be sent (no random id, no socket).
    #[error("{detail}")]
    Local {
        /// The server to be asked.
        server: SocketAddr,
        /// What failed here.
        detail: String,
    },
}

/// A validated answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The message as received (record data is decoded from it).
    pub raw: Vec<u8>,
    /// The decoded message.
    pub msg: Message,
    /// Whether it came over TCP.
    pub tcp: bool,
}

impl Reply {
    /// The response code (extended by OPT).
    pub fn rcode(&self) -> u16 {
        self.msg.rcode(&self.raw)
    }

    /// The AA bit: the server answered from a zone it is authoritative for.
    pub fn authoritative(&self) -> bool {
        self.msg.flags & 0x0400 != 0
    }

    /// The typed data of one record of this message (`None` for types the
    /// toolkit does not model).
    pub fn decode(&self, rr: &Rr) -> Result<Option<RData>, String> {
        wire::decode_rdata(&self.raw, rr).map_err(|e| format!("{} {e}", rr.name))
    }
}

/// A message id from the OS random source (RFC 5452: ids must be unguessable).
pub fn random_id() -> Result<u16, String> {
    let mut b = [0u8; 2];
    getrandom::getrandom(&mut b).map_err(|e| format!("the OS random source failed: {e}"))?;
    Ok(u16::from_be_bytes(b))
}

/// `name` absolute and lower-case, as the wire reader writes names.
pub fn absolute(name: &str) -> String {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    format!("{n}.")
}

/// Asks `server` for (`name`, `qtype`) with recursion off. UDP is sent up to
/// three times within `timeout`; TCP gets `timeout` of its own.
pub async fn query(
    server: SocketAddr,
    name: &str,
    qtype: u16,
    timeout: Duration,
) -> Result<Reply, QueryError> {
    let local = |detail: String| QueryError::Local { server, detail };
    let qname = absolute(name);
    if qname.len() > 254 || qname.split('.').any(|l| l.len() > 63) {
        return Err(local(format!("'{name}' is not a valid domain name")));
    }
    let id = random_id().map_err(local)?;
    let mut q = wire::query(id, &qname, qtype, false);
    // EDNS(0): an OPT record with our UDP payload size.
    wire::put_rr(&mut q, ".", wire::TYPE_OPT, EDNS_PAYLOAD, 0, &[]);
    q[11] = 1;
    let udp = match tokio::time::timeout(timeout, udp(server, &q, id, timeout / 3)).await {
        Ok(Ok(raw)) => {
            let msg = validate(server, &raw, id, &qname, qtype)?;
            if !msg.truncated() {
                return Ok(Reply {
                    raw,
                    msg,
                    tcp: false,
                });
            }
            "truncated".to_string()
        }
        Ok(Err(e)) => e,
        Err(_) => format!("no answer over UDP within {timeout:?}"),
    };
    let raw = match tokio::time::timeout(timeout, tcp(server, &q)).await {
        Ok(Ok(raw)) => raw,
        Ok(Err(e)) => {
            return Err(QueryError::NoAnswer {
                server,
                detail: format!("UDP: {udp}; TCP: {e}"),
            })
        }
        Err(_) => {
            return Err(QueryError::NoAnswer {
                server,
                detail: format!("UDP: {udp}; TCP: no answer within {timeout:?}"),
            })
        }
    };
    let msg = validate(server, &raw, id, &qname, qtype)?;
    Ok(Reply {
        raw,
        msg,
        tcp: true,
    })
}

/// Checks that `raw` answers the question (`qname` absolute, lower-case):
/// the same id, a response to a QUERY, the same question section, answer
/// records owned by the asked name or the CNAME targets it leads to. Also
/// the fuzzers' entry point.
pub fn validate(
    server: SocketAddr,
    raw: &[u8],
    id: u16,
    qname: &str,
    qtype: u16,
) -> Result<Message, QueryError> {
    let mismatch = |detail: String| QueryError::Mismatch { server, detail };
    let msg = wire::parse_message(raw).map_err(|e| QueryError::Malformed {
        server,
        detail: e.to_string(),
    })?;
    if msg.id != id {
        return Err(mismatch(format!("its id is {}, the query's {id}", msg.id)));
    }
    if !msg.is_response() || msg.opcode() != wire::OPCODE_QUERY {
        return Err(mismatch("it is not a response to a query".into()));
    }
    let rcode = msg.flags & 0xf;
    match msg.questions.as_slice() {
        // FORMERR and NOTIMP may come without the question (RFC 1035 §4.1.1).
        [] if rcode == 1 || rcode == 4 => {}
        [(n, t, c)] if n == qname && *t == qtype && *c == wire::CLASS_IN => {}
        [(n, t, _)] => {
            return Err(mismatch(format!(
                "it answers {n} {}, not {qname} {}",
                type_name(*t),
                type_name(qtype)
            )))
        }
        qs => {
            return Err(mismatch(format!(
                "it holds {} questions, not the one asked",
                qs.len()
            )))
        }
    }
    // The answer section may hold the asked name and the names its CNAMEs
    // lead to (followed from the asked name, in linear time however the
    // records are ordered), and a DNAME above the asked name; nothing else.
    let mut cnames: HashMap<&str, Vec<&Rr>> = HashMap::new();
    for rr in msg.answers.iter().filter(|rr| rr.rtype == TYPE_CNAME) {
        cnames.entry(rr.name.as_str()).or_default().push(rr);
    }
    let mut reached: HashSet<String> = HashSet::from([qname.to_string()]);
    let mut queue = vec![qname.to_string()];
    while let Some(name) = queue.pop() {
        for rr in cnames.get(name.as_str()).into_iter().flatten() {
            if let Ok(Some(RData::Cname(t))) = wire::decode_rdata(raw, rr) {
                let t = absolute(t.as_str());
                if reached.insert(t.clone()) {
                    queue.push(t);
                }
            }
        }
    }
    let above_qname = |owner: &str| owner == "." || qname.ends_with(&format!(".{owner}"));
    let allowed =
        |rr: &Rr| reached.contains(&rr.name) || (rr.rtype == TYPE_DNAME && above_qname(&rr.name));
    if let Some(rr) = msg.answers.iter().find(|rr| !allowed(rr)) {
        return Err(mismatch(format!(
            "it holds a {} record for {}, which is not the name asked ({qname}) nor a CNAME target of it",
            type_name(rr.rtype),
            rr.name
        )));
    }
    Ok(msg)
}

fn type_name(code: u16) -> String {
    match wire::rtype_of(code) {
        Some(t) => t.to_string(),
        None => format!("TYPE{code}"),
    }
}

async fn udp(server: SocketAddr, q: &[u8], id: u16, resend: Duration) -> Result<Vec<u8>, String> {
    let bind: SocketAddr = if server.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let sock = UdpSocket::bind(bind)
        .await
        .map_err(|e| format!("cannot open a UDP socket: {e}"))?;
    // Connected: datagrams from any other address are dropped by the kernel.
    sock.connect(server).await.map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 65_535];
    let resend = resend.max(Duration::from_millis(10));
    loop {
        sock.send(q).await.map_err(|e| e.to_string())?;
        let deadline = tokio::time::Instant::now() + resend;
        while let Ok(r) = tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
            let n = r.map_err(|e| e.to_string())?;
            // Another id is a stray (or forged) datagram: wait for ours.
            if n >= 2 && u16::from_be_bytes([buf[0], buf[1]]) == id {
                return Ok(buf[..n].to_vec());
            }
        }
    }
}

async fn tcp(server: SocketAddr, q: &[u8]) -> Result<Vec<u8>, String> {
    let mut s = TcpStream::connect(server)
        .await
        .map_err(|e| e.to_string())?;
    let len = u16::try_from(q.len()).map_err(|_| "the query is too long".to_string())?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(q);
    s.write_all(&framed).await.map_err(|e| e.to_string())?;
    let mut len = [0u8; 2];
    s.read_exact(&mut len).await.map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    s.read_exact(&mut buf).await.map_err(|e| e.to_string())?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: SocketAddr =
        SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 53);

    /// An authoritative answer to (`q`, TXT) with id 7 holding `rrs` (owner, type, rdata).
    fn answer(q: &str, rrs: &[(&str, u16, Vec<u8>)]) -> Vec<u8> {
        let mut m = Vec::new();
        for v in [7u16, 0x8400, 1, rrs.len() as u16, 0, 0] {
            wire::put_u16(&mut m, v);
        }
        wire::put_name(&mut m, q);
        wire::put_u16(&mut m, 16);
        wire::put_u16(&mut m, wire::CLASS_IN);
        for (owner, t, data) in rrs {
            wire::put_rr(&mut m, owner, *t, wire::CLASS_IN, 60, data);
        }
        m
    }

    fn name(n: &str) -> Vec<u8> {
        let mut v = Vec::new();
        wire::put_name(&mut v, n);
        v
    }

    #[test]
    fn owners_follow_cname_chains_in_any_order_in_linear_time() {
        // 2,000 CNAMEs from the asked name, listed last link first.
        let n = 2000;
        let mut rrs: Vec<(String, u16, Vec<u8>)> = (0..n)
            .map(|i| {
                let owner = if i == 0 {
                    "a.example.".to_string()
                } else {
                    format!("c{i}.example.")
                };
                (owner, TYPE_CNAME, name(&format!("c{}.example.", i + 1)))
            })
            .collect();
        rrs.push((format!("c{n}.example."), 16, b"\x02ok".to_vec()));
        rrs.reverse();
        let refs: Vec<(&str, u16, Vec<u8>)> = rrs
            .iter()
            .map(|(o, t, d)| (o.as_str(), *t, d.clone()))
            .collect();
        let raw = answer("a.example.", &refs);
        let t = std::time::Instant::now();
        assert!(validate(SERVER, &raw, 7, "a.example.", 16).is_ok());
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
        // A stray record among them is refused.
        let mut refs = refs;
        refs.push(("other.example.", 16, b"\x02no".to_vec()));
        let e = validate(SERVER, &answer("a.example.", &refs), 7, "a.example.", 16)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a TXT record for other.example."), "{e}");
    }

    #[test]
    fn a_dname_above_the_asked_name_is_allowed() {
        let raw = answer(
            "a.old.example.",
            &[
                ("old.example.", TYPE_DNAME, name("new.example.")),
                ("a.old.example.", TYPE_CNAME, name("a.new.example.")),
                ("a.new.example.", 16, b"\x01x".to_vec()),
            ],
        );
        assert!(validate(SERVER, &raw, 7, "a.old.example.", 16).is_ok());
        let raw = answer(
            "a.old.example.",
            &[("elsewhere.example.", TYPE_DNAME, name("x."))],
        );
        assert!(validate(SERVER, &raw, 7, "a.old.example.", 16).is_err());
        // Another id, type or class of question.
        let raw = answer("a.old.example.", &[]);
        assert!(validate(SERVER, &raw, 8, "a.old.example.", 16).is_err());
        assert!(validate(SERVER, &raw, 7, "a.old.example.", 1).is_err());
        assert!(validate(SERVER, &raw[..raw.len() - 1], 7, "a.old.example.", 16).is_err());
    }
}
