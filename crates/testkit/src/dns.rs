//! The emulator's DNS face: its zones served authoritatively over UDP and TCP
//! on a loopback port, so that resolvers and ACME test servers (pebble's
//! `-dnsserver`, lego's `--dns.resolvers`) see what the API wrote.
//!
//! Answers: the records at the name (a CNAME answers every type), a
//! one-level wildcard, NODATA and NXDOMAIN with the SOA in the authority
//! section, a synthesized SOA and NS at each apex, REFUSED outside the zones.
//! Record types served: A, AAAA, CNAME, NS, PTR, MX, TXT, SRV, CAA, TLSA,
//! SSHFP (HTTPS/SVCB are not encoded). Proxied records answer with their
//! origin content, and TTL 1 (automatic) is served as 300.

use crate::State;
use serde_json::Value;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

const NAMESERVERS: [&str; 2] = ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"];

/// A way for the DNS face to misanswer, to test what clients accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsFault {
    /// The answer carries another id than the query.
    WrongId,
    /// The question section names another name (`elsewhere.` + the asked one).
    WrongQuestion,
    /// The answer records are owned by another name (`elsewhere.` + the asked one).
    WrongOwner,
    /// NXDOMAIN without the AA bit, as from a server that does not hold the zone.
    NotAuthoritative,
    /// A referral upward, to the root: NOERROR, no AA, `. NS` in the authority section.
    ReferralUp,
}

pub(crate) async fn serve_udp(sock: UdpSocket, state: Arc<Mutex<State>>) {
    let mut buf = vec![0u8; 4096];
    loop {
        let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        if let Some(resp) = answer(&state, &buf[..n], true) {
            let _ = sock.send_to(&resp, peer).await;
        }
    }
}

pub(crate) async fn serve_tcp(listener: TcpListener, state: Arc<Mutex<State>>) {
    while let Ok((mut s, _)) = listener.accept().await {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                let mut len = [0u8; 2];
                if s.read_exact(&mut len).await.is_err() {
                    return;
                }
                let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
                if s.read_exact(&mut q).await.is_err() {
                    return;
                }
                let Some(resp) = answer(&state, &q, false) else {
                    return;
                };
                let mut out = (resp.len() as u16).to_be_bytes().to_vec();
                out.extend_from_slice(&resp);
                if s.write_all(&out).await.is_err() {
                    return;
                }
            }
        });
    }
}

struct Question {
    id: u16,
    rd: bool,
    name: String,
    qtype: u16,
    end: usize,
    edns: bool,
}

fn parse_question(q: &[u8]) -> Option<Question> {
    if q.len() < 12 || q[2] & 0x80 != 0 || u16::from_be_bytes([q[4], q[5]]) != 1 {
        return None;
    }
    let mut i = 12;
    let mut labels = Vec::new();
    loop {
        let l = usize::from(*q.get(i)?);
        i += 1;
        if l == 0 {
            break;
        }
        if l > 63 {
            return None;
        }
        labels.push(String::from_utf8_lossy(q.get(i..i + l)?).to_ascii_lowercase());
        i += l;
    }
    let qtype = u16::from_be_bytes([*q.get(i)?, *q.get(i + 1)?]);
    Some(Question {
        id: u16::from_be_bytes([q[0], q[1]]),
        rd: q[2] & 1 != 0,
        name: labels.join("."),
        qtype,
        end: i + 4,
        edns: u16::from_be_bytes([q[10], q[11]]) > 0,
    })
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    for l in name
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        out.push(l.len().min(63) as u8);
        out.extend_from_slice(&l.as_bytes()[..l.len().min(63)]);
    }
    out.push(0);
}

/// The wire code of a Cloudflare record type, for the types dnsctl models.
fn type_code(t: &str) -> Option<u16> {
    t.parse::<zone::RType>().ok().map(zone::RType::code)
}

/// The TXT text of stored content: Cloudflare's quoted form, or raw text.
fn txt_bytes(content: &str) -> Vec<u8> {
    let b = content.trim().as_bytes();
    if b.first() != Some(&b'"') {
        return content.as_bytes().to_vec();
    }
    let mut out = Vec::new();
    let mut i = 0;
    let mut inside = false;
    while i < b.len() {
        match (b[i], inside) {
            (b'"', _) => inside = !inside,
            (b'\\', true) if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let d = std::str::from_utf8(&b[i + 1..(i + 4).min(b.len())])
                    .ok()
                    .and_then(|s| s.parse::<u8>().ok());
                out.push(d.unwrap_or(b'?'));
                i += 3;
            }
            (b'\\', true) => {
                if let Some(c) = b.get(i + 1) {
                    out.push(*c);
                }
                i += 1;
            }
            (c, true) => out.push(c),
            _ => {}
        }
        i += 1;
    }
    out
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// The wire RDATA of a stored record, if its type is served.
fn rdata(r: &Value) -> Option<(u16, Vec<u8>)> {
    let t = r["type"].as_str()?;
    let code = type_code(t)?;
    let c = r["content"].as_str().unwrap_or_default();
    let d = &r["data"];
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let mut out = Vec::new();
    match t {
        "A" => out.extend_from_slice(&c.parse::<Ipv4Addr>().ok()?.octets()),
        "AAAA" => out.extend_from_slice(&c.parse::<Ipv6Addr>().ok()?.octets()),
        "CNAME" | "NS" | "PTR" => put_name(&mut out, c),
        "MX" => {
            out.extend_from_slice(&(n(&r["priority"]) as u16).to_be_bytes());
            put_name(&mut out, c);
        }
        "TXT" => {
            let text = txt_bytes(c);
            if text.is_empty() {
                out.push(0);
            }
            for chunk in text.chunks(255) {
                out.push(chunk.len() as u8);
                out.extend_from_slice(chunk);
            }
        }
        "SRV" => {
            for k in ["priority", "weight", "port"] {
                out.extend_from_slice(&(n(&d[k]) as u16).to_be_bytes());
            }
            put_name(&mut out, d["target"].as_str().unwrap_or("."));
        }
        "CAA" => {
            let tag = d["tag"].as_str().unwrap_or_default();
            out.push(n(&d["flags"]) as u8);
            out.push(tag.len() as u8);
            out.extend_from_slice(tag.as_bytes());
            out.extend_from_slice(d["value"].as_str().unwrap_or_default().as_bytes());
        }
        "TLSA" => {
            out.extend([
                n(&d["usage"]) as u8,
                n(&d["selector"]) as u8,
                n(&d["matching_type"]) as u8,
            ]);
            out.extend(hex(d["certificate"].as_str().unwrap_or_default()));
        }
        "SSHFP" => {
            out.extend([n(&d["algorithm"]) as u8, n(&d["type"]) as u8]);
            out.extend(hex(d["fingerprint"].as_str().unwrap_or_default()));
        }
        _ => return None,
    }
    Some((code, out))
}

fn soa(zone: &str, serial: u32) -> Vec<u8> {
    let mut out = Vec::new();
    put_name(&mut out, NAMESERVERS[0]);
    put_name(&mut out, "dns.cloudflare.com");
    for v in [serial, 10000, 2400, 604800, 1800] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let _ = zone;
    out
}

struct Rr {
    name: String,
    rtype: u16,
    ttl: u32,
    data: Vec<u8>,
}

fn put_rr(out: &mut Vec<u8>, rr: &Rr) {
    put_name(out, &rr.name);
    out.extend_from_slice(&rr.rtype.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&rr.ttl.to_be_bytes());
    out.extend_from_slice(&(rr.data.len() as u16).to_be_bytes());
    out.extend_from_slice(&rr.data);
}

/// Builds the answer to one query; `None` for a packet that is not a query.
pub(crate) fn answer(state: &Mutex<State>, q: &[u8], udp: bool) -> Option<Vec<u8>> {
    let question = parse_question(q)?;
    let st = state.lock().unwrap_or_else(|e| e.into_inner());
    let fault = st.dns_fault;
    let qn = question.name.clone();
    let zone = st
        .zones
        .iter()
        .filter(|z| qn == z.name || qn.ends_with(&format!(".{}", z.name)))
        .max_by_key(|z| z.name.len());
    let (mut rcode, mut answers, mut authority) = (0u8, Vec::new(), Vec::new());
    let mut aa = true;
    match zone {
        None => {
            rcode = 5;
            aa = false;
        }
        Some(z) => {
            let serial = (st.next_id as u32).max(1);
            let ttl = |r: &Value| match r["ttl"].as_u64() {
                Some(1) | None => 300,
                Some(t) => t as u32,
            };
            let at = |name: &str| -> Vec<&Value> {
                z.by_name
                    .get(name)
                    .map(|ids| ids.iter().filter_map(|id| z.records.get(id)).collect())
                    .unwrap_or_default()
            };
            let mut here = at(&qn);
            let mut owner_exists = !here.is_empty()
                || qn == z.name
                || z.records.values().any(|r| {
                    r["name"]
                        .as_str()
                        .is_some_and(|n| n.ends_with(&format!(".{qn}")))
                });
            if !owner_exists {
                // One-level wildcard: *.parent.
                if let Some((_, parent)) = qn.split_once('.') {
                    here = at(&format!("*.{parent}"));
                    owner_exists = !here.is_empty();
                }
            }
            let cname: Vec<&Value> = here
                .iter()
                .copied()
                .filter(|r| r["type"] == "CNAME")
                .collect();
            let chosen: Vec<&Value> = if !cname.is_empty() && question.qtype != 5 {
                cname
            } else {
                here.iter()
                    .copied()
                    .filter(|r| {
                        question.qtype == 255
                            || r["type"].as_str().and_then(type_code) == Some(question.qtype)
                    })
                    .collect()
            };
            for r in chosen {
                if let Some((rtype, data)) = rdata(r) {
                    answers.push(Rr {
                        name: qn.clone(),
                        rtype,
                        ttl: ttl(r),
                        data,
                    });
                }
            }
            if qn == z.name {
                if question.qtype == 6 || question.qtype == 255 {
                    answers.push(Rr {
                        name: qn.clone(),
                        rtype: 6,
                        ttl: 3600,
                        data: soa(&z.name, serial),
                    });
                }
                if (question.qtype == 2 || question.qtype == 255)
                    && !here.iter().any(|r| r["type"] == "NS")
                {
                    for ns in NAMESERVERS {
                        let mut data = Vec::new();
                        put_name(&mut data, ns);
                        answers.push(Rr {
                            name: qn.clone(),
                            rtype: 2,
                            ttl: 86400,
                            data,
                        });
                    }
                }
            }
            if answers.is_empty() {
                if !owner_exists {
                    rcode = 3;
                }
                authority.push(Rr {
                    name: z.name.clone(),
                    rtype: 6,
                    ttl: 1800,
                    data: soa(&z.name, serial),
                });
            }
        }
    }
    drop(st);
    match fault {
        Some(DnsFault::WrongOwner) => {
            for rr in &mut answers {
                rr.name = format!("elsewhere.{}", rr.name);
            }
        }
        Some(DnsFault::NotAuthoritative) => {
            (rcode, aa) = (3, false);
            answers.clear();
            authority.clear();
        }
        Some(DnsFault::ReferralUp) => {
            (rcode, aa) = (0, false);
            answers.clear();
            let mut data = Vec::new();
            put_name(&mut data, "a.root-servers.net");
            authority = vec![Rr {
                name: String::new(),
                rtype: 2,
                ttl: 518400,
                data,
            }];
        }
        _ => {}
    }
    let id = match fault {
        Some(DnsFault::WrongId) => question.id.wrapping_add(1),
        _ => question.id,
    };
    let build = |answers: &[Rr], authority: &[Rr], tc: bool| {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(&id.to_be_bytes());
        out.push(
            0x80 | (q[2] & 0x78)
                | if aa { 0x04 } else { 0 }
                | if tc { 0x02 } else { 0 }
                | u8::from(question.rd),
        );
        out.push(rcode);
        for n in [1, answers.len(), authority.len(), 0] {
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        if fault == Some(DnsFault::WrongQuestion) {
            put_name(&mut out, &format!("elsewhere.{qn}"));
            out.extend_from_slice(
                q.get(question.end - 4..question.end)
                    .unwrap_or(&[0, 16, 0, 1]),
            );
        } else {
            out.extend_from_slice(&q[12..question.end.min(q.len())]);
        }
        for rr in answers.iter().chain(authority) {
            put_rr(&mut out, rr);
        }
        out
    };
    let full = build(&answers, &authority, false);
    let limit = if question.edns { 1232 } else { 512 };
    if udp && full.len() > limit {
        return Some(build(&[], &[], true));
    }
    Some(full)
}
