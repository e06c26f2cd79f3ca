//! Direct, non-recursive DNS queries to one server: UDP first (EDNS, 1232-byte
//! payload), TCP when the answer is truncated or UDP fails. Messages are
//! built and read with hickory's protocol types.

use hickory_resolver::proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_resolver::proto::rr::{RData, RecordType};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

pub use hickory_resolver::proto::rr::RecordType as Type;

/// What one server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub rcode: String,
    /// The AA bit: the server answered from a zone it is authoritative for.
    pub authoritative: bool,
    /// TXT texts at the name (chunks joined).
    pub txt: Vec<String>,
    /// Names in the answer of the asked type (NS, CNAME targets), lower-case, absolute.
    pub names: Vec<String>,
    /// The CNAME at the asked name, if the answer holds one.
    pub cname: Option<String>,
    /// SOA serial, when the answer holds the zone's SOA.
    pub serial: Option<u32>,
    /// CAA records as (flags, tag, value).
    pub caa: Vec<(u8, String, String)>,
    /// Whether the answer came over TCP.
    pub tcp: bool,
}

impl Answer {
    pub fn is_noerror(&self) -> bool {
        self.rcode == "NOERROR" || self.rcode == "NXDOMAIN"
    }
}

/// Asks `server` for `name`/`rtype` with recursion off.
pub async fn query(
    server: SocketAddr,
    name: &str,
    rtype: RecordType,
    timeout: Duration,
) -> Result<Answer, String> {
    let qname = hickory_resolver::proto::rr::Name::from_ascii(name)
        .map_err(|e| format!("'{name}' cannot be asked for: {e}"))?;
    let id: u16 = fastrand_u16();
    let mut msg = Message::new();
    msg.set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(false)
        .add_query(Query::query(qname, rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    msg.set_edns(edns);
    let wire = msg
        .to_vec()
        .map_err(|e| format!("cannot encode the query: {e}"))?;
    let udp = tokio::time::timeout(timeout, udp_exchange(server, &wire, id)).await;
    let resp = match udp {
        Ok(Ok(m)) if !m.truncated() => return Ok(read(&m, rtype, false)),
        // Truncated, failed or timed out: TCP.
        Ok(Ok(_)) | Ok(Err(_)) | Err(_) => {
            let tcp = tokio::time::timeout(timeout, tcp_exchange(server, &wire, id)).await;
            match (tcp, udp) {
                (Ok(Ok(m)), _) => m,
                (Ok(Err(e)), Ok(Err(u))) => return Err(format!("{u}; over TCP: {e}")),
                (Ok(Err(e)), _) => return Err(e),
                (Err(_), _) => return Err(format!("no answer within {timeout:?}")),
            }
        }
    };
    Ok(read(&resp, rtype, true))
}

fn fastrand_u16() -> u16 {
    // Query ids only need to differ between outstanding queries; the low bits
    // of the clock mixed with a counter are enough for a hook.
    use std::sync::atomic::{AtomicU16, Ordering};
    static N: AtomicU16 = AtomicU16::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    (t as u16) ^ N.fetch_add(0x9e37, Ordering::Relaxed)
}

async fn udp_exchange(server: SocketAddr, wire: &[u8], id: u16) -> Result<Message, String> {
    let bind: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0"
            .parse()
            .map_err(|_| "bad bind address".to_string())?
    } else {
        "[::]:0"
            .parse()
            .map_err(|_| "bad bind address".to_string())?
    };
    let sock = UdpSocket::bind(bind)
        .await
        .map_err(|e| format!("cannot open a UDP socket: {e}"))?;
    sock.connect(server)
        .await
        .map_err(|e| format!("UDP to {server}: {e}"))?;
    sock.send(wire)
        .await
        .map_err(|e| format!("UDP to {server}: {e}"))?;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = sock
            .recv(&mut buf)
            .await
            .map_err(|e| format!("UDP from {server}: {e}"))?;
        // Ignore stray or mismatched datagrams; wait for ours.
        if let Ok(m) = Message::from_vec(&buf[..n]) {
            if m.id() == id && m.message_type() == MessageType::Response {
                return Ok(m);
            }
        }
    }
}

async fn tcp_exchange(server: SocketAddr, wire: &[u8], id: u16) -> Result<Message, String> {
    let mut s = TcpStream::connect(server)
        .await
        .map_err(|e| format!("TCP to {server}: {e}"))?;
    let len = u16::try_from(wire.len()).map_err(|_| "query too long".to_string())?;
    let mut out = len.to_be_bytes().to_vec();
    out.extend_from_slice(wire);
    s.write_all(&out)
        .await
        .map_err(|e| format!("TCP to {server}: {e}"))?;
    let mut lb = [0u8; 2];
    s.read_exact(&mut lb)
        .await
        .map_err(|e| format!("TCP from {server}: {e}"))?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(lb))];
    s.read_exact(&mut buf)
        .await
        .map_err(|e| format!("TCP from {server}: {e}"))?;
    let m =
        Message::from_vec(&buf).map_err(|e| format!("{server} sent a malformed answer: {e}"))?;
    if m.id() != id {
        return Err(format!("{server} answered another query (id mismatch)"));
    }
    Ok(m)
}

fn read(m: &Message, rtype: RecordType, tcp: bool) -> Answer {
    let mut a = Answer {
        rcode: response_code(m.response_code()),
        authoritative: m.authoritative(),
        txt: Vec::new(),
        names: Vec::new(),
        cname: None,
        serial: None,
        caa: Vec::new(),
        tcp,
    };
    for r in m.answers() {
        match r.data() {
            RData::TXT(t) => a.txt.push(
                t.txt_data()
                    .iter()
                    .map(|c| String::from_utf8_lossy(c))
                    .collect::<String>(),
            ),
            RData::CNAME(c) => {
                let n = c.0.to_ascii().to_ascii_lowercase();
                if rtype == RecordType::CNAME {
                    a.names.push(n.clone());
                }
                a.cname.get_or_insert(n);
            }
            RData::NS(n) if rtype == RecordType::NS => {
                a.names.push(n.0.to_ascii().to_ascii_lowercase())
            }
            RData::SOA(s) => a.serial = Some(s.serial()),
            RData::CAA(c) => a.caa.push((
                u8::from(c.issuer_critical()) * 128,
                c.tag().as_str().to_string(),
                caa_value(c),
            )),
            _ => {}
        }
    }
    a
}

fn caa_value(c: &hickory_resolver::proto::rr::rdata::CAA) -> String {
    String::from_utf8_lossy(c.raw_value()).into_owned()
}

fn response_code(c: ResponseCode) -> String {
    match c {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NotAuth => "NOTAUTH".into(),
        other => format!("{other:?}").to_ascii_uppercase(),
    }
}
