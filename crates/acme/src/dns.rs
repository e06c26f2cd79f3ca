//! What one server says about a name, read from an answer of
//! [`provider::dns::query`], the toolkit's one DNS query function (direct,
//! non-recursive, UDP then TCP, random ids, answers checked against the
//! question: id, question section, owner names).

use hickory_resolver::proto::rr::RecordType;
use provider::dns::{QueryError, Reply};
use provider::rfc2136::wire;
use std::net::SocketAddr;
use std::time::Duration;
use zone::RData;

pub use hickory_resolver::proto::rr::RecordType as Type;

/// What one server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The response code's name (`NOERROR`, `NXDOMAIN`, `REFUSED`, …).
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
    /// Whether the server answered for the name (NOERROR or NXDOMAIN).
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
) -> Result<Answer, QueryError> {
    let reply = provider::dns::query(server, name, u16::from(rtype), timeout).await?;
    read(&reply, rtype).map_err(|detail| QueryError::Malformed { server, detail })
}

fn read(r: &Reply, rtype: RecordType) -> Result<Answer, String> {
    let mut a = Answer {
        rcode: wire::rcode_name(r.rcode()),
        authoritative: r.authoritative(),
        txt: Vec::new(),
        names: Vec::new(),
        cname: None,
        serial: None,
        caa: Vec::new(),
        tcp: r.tcp,
    };
    for rr in &r.msg.answers {
        match r.decode(rr)? {
            Some(RData::Txt(t)) => a.txt.push(t),
            Some(RData::Cname(c)) => {
                let n = c.as_str().to_ascii_lowercase();
                if rtype == RecordType::CNAME {
                    a.names.push(n.clone());
                }
                a.cname.get_or_insert(n);
            }
            Some(RData::Ns(n)) if rtype == RecordType::NS => {
                a.names.push(n.as_str().to_ascii_lowercase())
            }
            Some(RData::Soa(s)) => a.serial = Some(s.serial),
            Some(RData::Caa { flags, tag, value }) => a.caa.push((flags, tag, value)),
            _ => {}
        }
    }
    Ok(a)
}
