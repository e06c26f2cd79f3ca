//! The emulator's DNS face: its zones served authoritatively over UDP and TCP
//! on a loopback port, so that resolvers and ACME test servers (pebble's
//! `-dnsserver`, lego's `--dns.resolvers`) see what the API wrote.
//!
//! Answers: the records at the name (a CNAME answers every type), a
//! one-level wildcard, NODATA and NXDOMAIN with the SOA in the authority
//! section, a synthesized SOA and NS at each apex, REFUSED outside the zones.
//! Record types served: A, AAAA, CNAME, NS, PTR, MX, TXT, SRV, CAA, TLSA,
//! SSHFP, HTTPS and SVCB. Proxied records answer with their
//! origin content, and TTL 1 (automatic) is served as 300.

use crate::State;
use provider::rfc2136::wire;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use zone::{Name, RData};

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

/// The question of a query (one question, not a response), read with the
/// toolkit's one DNS codec.
fn parse_question(q: &[u8]) -> Option<Question> {
    let msg = wire::parse_message(q).ok()?;
    if msg.is_response() || msg.questions.len() != 1 {
        return None;
    }
    // The question's end, so that the answer echoes it octet for octet.
    let mut r = wire::Reader::new(q);
    r.bytes(12).ok()?;
    r.name().ok()?;
    r.bytes(4).ok()?;
    let (name, qtype, _) = &msg.questions[0];
    Some(Question {
        id: msg.id,
        rd: msg.flags & 0x0100 != 0,
        name: name.trim_end_matches('.').to_string(),
        qtype: *qtype,
        end: r.pos,
        edns: msg.additional.iter().any(|rr| rr.rtype == wire::TYPE_OPT),
    })
}

/// The wire code of a Cloudflare record type, for the types dnsctl models.
fn type_code(t: &str) -> Option<u16> {
    t.parse::<zone::RType>().ok().map(zone::RType::code)
}

/// The TXT text of stored content: Cloudflare's quoted form, or raw text.
fn txt_text(content: &str) -> String {
    let b = content.trim().as_bytes();
    if b.first() != Some(&b'"') {
        return content.to_string();
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
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

fn name(s: &str) -> Option<Name> {
    Name::parse_fqdn(&format!("{}.", s.trim_end_matches('.'))).ok()
}

/// The typed value of a stored record, if its type is served: Cloudflare
/// keeps simple values in `content` and structured ones in `data`.
fn value(r: &Value) -> Option<RData> {
    let c = r["content"].as_str().unwrap_or_default();
    let d = &r["data"];
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    Some(match r["type"].as_str()? {
        "A" => RData::A(c.parse().ok()?),
        "AAAA" => RData::Aaaa(c.parse().ok()?),
        "CNAME" => RData::Cname(name(c)?),
        "NS" => RData::Ns(name(c)?),
        "PTR" => RData::Ptr(name(c)?),
        "MX" => RData::Mx {
            preference: n(&r["priority"]) as u16,
            exchange: name(c)?,
        },
        "TXT" => RData::Txt(txt_text(c)),
        "SRV" => RData::Srv {
            priority: n(&d["priority"]) as u16,
            weight: n(&d["weight"]) as u16,
            port: n(&d["port"]) as u16,
            target: name(d["target"].as_str().unwrap_or("."))?,
        },
        "CAA" => RData::Caa {
            flags: n(&d["flags"]) as u8,
            tag: d["tag"].as_str().unwrap_or_default().to_string(),
            value: d["value"].as_str().unwrap_or_default().to_string(),
        },
        "TLSA" => RData::Tlsa {
            usage: n(&d["usage"]) as u8,
            selector: n(&d["selector"]) as u8,
            matching_type: n(&d["matching_type"]) as u8,
            data: hex(d["certificate"].as_str().unwrap_or_default()),
        },
        "SSHFP" => RData::Sshfp {
            algorithm: n(&d["algorithm"]) as u8,
            fingerprint_type: n(&d["type"]) as u8,
            fingerprint: hex(d["fingerprint"].as_str().unwrap_or_default()),
        },
        t @ ("HTTPS" | "SVCB") => {
            // data.value is `key=value` pairs in presentation form, values
            // possibly quoted (`alpn="h3,h2" port=8443`).
            let params: Vec<(String, Option<String>)> = d["value"]
                .as_str()
                .unwrap_or_default()
                .split_whitespace()
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.trim_matches('"').to_string())),
                    None => (kv.to_string(), None),
                })
                .collect();
            let svcb = zone::rdata::Svcb::parse(
                n(&d["priority"]) as u16,
                name(d["target"].as_str().unwrap_or("."))?,
                &params,
            )
            .ok()?;
            if t == "HTTPS" {
                RData::Https(svcb)
            } else {
                RData::Svcb(svcb)
            }
        }
        _ => return None,
    })
}

/// The wire RDATA of a stored record, if its type is served.
fn rdata(r: &Value) -> Option<(u16, Vec<u8>)> {
    let v = value(r)?;
    Some((v.rtype().code(), wire::encode_rdata(&v).ok()?))
}

fn soa(serial: u32) -> Vec<u8> {
    let soa = RData::Soa(zone::rdata::Soa {
        mname: name(NAMESERVERS[0]).expect("a valid name"),
        rname: name("dns.cloudflare.com").expect("a valid name"),
        serial,
        refresh: 10000,
        retry: 2400,
        expire: 604800,
        minimum: 1800,
    });
    wire::encode_rdata(&soa).expect("a SOA fits")
}

fn ns_data(host: &str) -> Vec<u8> {
    let mut data = Vec::new();
    wire::put_name(&mut data, host);
    data
}

struct Rr {
    name: String,
    rtype: u16,
    ttl: u32,
    data: Vec<u8>,
}

fn put_rr(out: &mut Vec<u8>, rr: &Rr) {
    wire::put_rr(out, &rr.name, rr.rtype, wire::CLASS_IN, rr.ttl, &rr.data);
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
                        data: soa(serial),
                    });
                }
                if (question.qtype == 2 || question.qtype == 255)
                    && !here.iter().any(|r| r["type"] == "NS")
                {
                    for ns in NAMESERVERS {
                        answers.push(Rr {
                            name: qn.clone(),
                            rtype: 2,
                            ttl: 86400,
                            data: ns_data(ns),
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
                    data: soa(serial),
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
            authority = vec![Rr {
                name: String::new(),
                rtype: 2,
                ttl: 518400,
                data: ns_data("a.root-servers.net"),
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
            wire::put_name(&mut out, &format!("elsewhere.{qn}"));
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
