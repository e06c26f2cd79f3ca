//! A small DNS wire codec (RFC 1035, 2136, 3596, 8659, 4255, 6698, 9460):
//! just what AXFR, UPDATE, TSIG and `dnsctl verify` need, over the typed
//! values of the `zone` crate. Decoding never panics: every malformed input
//! is an error that says what and at which offset.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use zone::rdata::{Soa, SvcParam, Svcb};
use zone::{Name, RData, RType};

/// Class IN.
pub const CLASS_IN: u16 = 1;
/// Class NONE (RFC 2136: delete a record).
pub const CLASS_NONE: u16 = 254;
/// Class ANY (RFC 2136: delete a set, or a prerequisite).
pub const CLASS_ANY: u16 = 255;
/// Type SOA.
pub const TYPE_SOA: u16 = 6;
/// Type OPT (EDNS).
pub const TYPE_OPT: u16 = 41;
/// Type TSIG.
pub const TYPE_TSIG: u16 = 250;
/// Type AXFR.
pub const TYPE_AXFR: u16 = 252;
/// Type ANY.
pub const TYPE_ANY: u16 = 255;
/// Opcode QUERY.
pub const OPCODE_QUERY: u8 = 0;
/// Opcode UPDATE.
pub const OPCODE_UPDATE: u8 = 5;

/// The wire type code of a record type.
pub fn type_code(t: RType) -> u16 {
    t.code()
}

/// The record type of a type code, if dnsctl knows it.
pub fn rtype_of(code: u16) -> Option<RType> {
    RType::from_code(code)
}

/// Response codes, named as in the IANA registry.
pub fn rcode_name(rcode: u16) -> String {
    match rcode {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        6 => "YXDOMAIN".into(),
        7 => "YXRRSET".into(),
        8 => "NXRRSET".into(),
        9 => "NOTAUTH".into(),
        10 => "NOTZONE".into(),
        16 => "BADSIG".into(),
        17 => "BADKEY".into(),
        18 => "BADTIME".into(),
        22 => "BADTRUNC".into(),
        n => format!("RCODE{n}"),
    }
}

/// A decoding error: what went wrong and where in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// Where in the message.
    pub offset: usize,
    /// What is wrong.
    pub what: String,
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "malformed DNS message at byte {}: {}",
            self.offset, self.what
        )
    }
}

impl std::error::Error for WireError {}

fn err<T>(offset: usize, what: impl Into<String>) -> Result<T, WireError> {
    Err(WireError {
        offset,
        what: what.into(),
    })
}

// ---------------------------------------------------------------- encoding

/// Appends `name` (absolute, presentation form without escapes) uncompressed.
pub fn put_name(out: &mut Vec<u8>, name: &str) {
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty() {
            continue;
        }
        let b = label.as_bytes();
        let n = b.len().min(63);
        out.push(n as u8);
        out.extend_from_slice(&b[..n]);
    }
    out.push(0);
}

/// Appends `v`, big-endian.
pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends `v`, big-endian.
pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends a resource record.
pub fn put_rr(out: &mut Vec<u8>, owner: &str, rtype: u16, class: u16, ttl: u32, rdata: &[u8]) {
    put_name(out, owner);
    put_u16(out, rtype);
    put_u16(out, class);
    put_u32(out, ttl);
    put_u16(out, rdata.len() as u16);
    out.extend_from_slice(rdata);
}

/// Name compression for a message written front to back (RFC 1035 4.1.4): a
/// name is written as its labels up to the longest suffix already written at
/// a known offset, then a two-octet pointer there. Pointers reach only the
/// first 16 KiB (offsets below 0x4000), and a suffix is remembered only where
/// it was written at a known, final offset.
#[derive(Debug, Default)]
pub struct Compressor {
    table: HashMap<String, u16>,
    /// Suffixes in the order they were remembered, for [`Compressor::rollback`].
    log: Vec<String>,
}

impl Compressor {
    /// Appends `name` (absolute, presentation form without escapes, as
    /// [`put_name`] takes it) to `out`. `base` is the message offset of
    /// `out[0]` when it is known and final: the suffixes written then can be
    /// pointed at later; `None` writes without remembering.
    pub fn put_name(&mut self, out: &mut Vec<u8>, base: Option<usize>, name: &str) {
        let trimmed = name.trim_end_matches('.');
        let mut start = 0;
        while start < trimmed.len() {
            let suffix = &trimmed[start..];
            if let Some(&at) = self.table.get(suffix) {
                put_u16(out, 0xc000 | at);
                return;
            }
            let end = suffix.find('.').map_or(trimmed.len(), |i| start + i);
            let label = &trimmed.as_bytes()[start..end];
            if let Some(at) = base.map(|b| b + out.len()).filter(|&at| at < 0x4000) {
                if !label.is_empty() {
                    self.table.insert(suffix.to_string(), at as u16);
                    self.log.push(suffix.to_string());
                }
            }
            if !label.is_empty() {
                let n = label.len().min(63);
                out.push(n as u8);
                out.extend_from_slice(&label[..n]);
            }
            start = end + 1;
        }
        out.push(0);
    }

    /// How many suffixes are remembered; [`Compressor::rollback`] returns to it.
    pub fn mark(&self) -> usize {
        self.log.len()
    }

    /// Forgets the suffixes remembered since `mark` (their octets were dropped).
    pub fn rollback(&mut self, mark: usize) {
        for k in self.log.drain(mark.min(self.log.len())..) {
            self.table.remove(&k);
        }
    }
}

/// Appends a resource record, compressing its owner and, for the RFC 1035
/// types whose data may be compressed (NS, CNAME, PTR, MX, SOA; RFC 3597
/// section 4 forbids it for the others), the names in its data. `base` is as
/// in [`Compressor::put_name`]; `rdata` `None` writes empty data (the
/// prerequisites and deletions of RFC 2136).
#[allow(clippy::too_many_arguments)]
pub fn put_rr_compressed(
    out: &mut Vec<u8>,
    base: Option<usize>,
    c: &mut Compressor,
    owner: &str,
    rtype: u16,
    class: u16,
    ttl: u32,
    rdata: Option<&RData>,
) -> Result<(), String> {
    c.put_name(out, base, owner);
    put_u16(out, rtype);
    put_u16(out, class);
    put_u32(out, ttl);
    let len_at = out.len();
    put_u16(out, 0);
    match rdata {
        None => {}
        Some(RData::Ns(n) | RData::Cname(n) | RData::Ptr(n)) => c.put_name(out, base, n.as_str()),
        Some(RData::Mx {
            preference,
            exchange,
        }) => {
            put_u16(out, *preference);
            c.put_name(out, base, exchange.as_str());
        }
        Some(RData::Soa(s)) => {
            c.put_name(out, base, s.mname.as_str());
            c.put_name(out, base, s.rname.as_str());
            for x in [s.serial, s.refresh, s.retry, s.expire, s.minimum] {
                put_u32(out, x);
            }
        }
        Some(v) => out.extend(encode_rdata(v)?),
    }
    let n = out.len() - len_at - 2;
    let n =
        u16::try_from(n).map_err(|_| format!("record data of {n} octets is longer than 65535"))?;
    out[len_at..len_at + 2].copy_from_slice(&n.to_be_bytes());
    Ok(())
}

/// The wire form of a value (names uncompressed, as RFC 3597 asks for new types).
pub fn encode_rdata(v: &RData) -> Result<Vec<u8>, String> {
    let mut o = Vec::new();
    match v {
        RData::A(ip) => o.extend_from_slice(&ip.octets()),
        RData::Aaaa(ip) => o.extend_from_slice(&ip.octets()),
        RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => put_name(&mut o, n.as_str()),
        RData::Mx {
            preference,
            exchange,
        } => {
            put_u16(&mut o, *preference);
            put_name(&mut o, exchange.as_str());
        }
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => {
            put_u16(&mut o, *priority);
            put_u16(&mut o, *weight);
            put_u16(&mut o, *port);
            put_name(&mut o, target.as_str());
        }
        RData::Soa(s) => {
            put_name(&mut o, s.mname.as_str());
            put_name(&mut o, s.rname.as_str());
            for x in [s.serial, s.refresh, s.retry, s.expire, s.minimum] {
                put_u32(&mut o, x);
            }
        }
        RData::Caa { flags, tag, value } => {
            o.push(*flags);
            o.push(tag.len() as u8);
            o.extend_from_slice(tag.as_bytes());
            o.extend_from_slice(value.as_bytes());
        }
        RData::Sshfp {
            algorithm,
            fingerprint_type,
            fingerprint,
        } => {
            o.push(*algorithm);
            o.push(*fingerprint_type);
            o.extend_from_slice(fingerprint);
        }
        RData::Tlsa {
            usage,
            selector,
            matching_type,
            data,
        } => {
            o.extend_from_slice(&[*usage, *selector, *matching_type]);
            o.extend_from_slice(data);
        }
        RData::Txt(text) => {
            let b = text.as_bytes();
            if b.is_empty() {
                o.push(0);
            }
            // Split at 255 octets of the value; compared joined when read back.
            for chunk in b.chunks(255) {
                o.push(chunk.len() as u8);
                o.extend_from_slice(chunk);
            }
        }
        RData::Svcb(s) | RData::Https(s) => {
            put_u16(&mut o, s.priority);
            put_name(&mut o, s.target.as_str());
            for p in &s.params {
                let val = p.wire_value();
                put_u16(&mut o, p.key());
                put_u16(&mut o, val.len() as u16);
                o.extend(val);
            }
        }
    }
    if o.len() > 65535 {
        return Err(format!("a {} value is longer than 65535 octets", v.rtype()));
    }
    Ok(o)
}

// ---------------------------------------------------------------- decoding

/// A bounds-checked reader over a whole message (names may point anywhere in it).
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    /// The message.
    pub msg: &'a [u8],
    /// The next octet to read.
    pub pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `msg`.
    pub fn new(msg: &'a [u8]) -> Self {
        Reader { msg, pos: 0 }
    }

    /// The next `n` octets.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        match self
            .pos
            .checked_add(n)
            .and_then(|e| self.msg.get(self.pos..e))
        {
            Some(b) => {
                self.pos += n;
                Ok(b)
            }
            None => err(self.pos, format!("{n} more octets expected, message ends")),
        }
    }

    /// The next octet.
    pub fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.bytes(1)?[0])
    }

    /// The next 16-bit number.
    pub fn u16(&mut self) -> Result<u16, WireError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// The next 32-bit number.
    pub fn u32(&mut self) -> Result<u32, WireError> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A possibly compressed name, lower-cased, ending in a dot. Labels with
    /// octets outside printable ASCII (or dots) are written `\DDD`.
    pub fn name(&mut self) -> Result<String, WireError> {
        let mut out = String::new();
        let mut pos = self.pos;
        let mut jumped = false;
        let mut hops = 0;
        let mut total = 0usize;
        loop {
            let Some(&len) = self.msg.get(pos) else {
                return err(pos, "name runs past the end of the message");
            };
            match len & 0xc0 {
                0xc0 => {
                    let Some(&lo) = self.msg.get(pos + 1) else {
                        return err(pos, "truncated compression pointer");
                    };
                    let target = (usize::from(len & 0x3f) << 8) | usize::from(lo);
                    if !jumped {
                        self.pos = pos + 2;
                        jumped = true;
                    }
                    hops += 1;
                    if hops > 64 || target >= pos {
                        return err(pos, "compression pointer loops or points forward");
                    }
                    pos = target;
                }
                0 if len == 0 => {
                    if !jumped {
                        self.pos = pos + 1;
                    }
                    if out.is_empty() {
                        out.push('.');
                    }
                    return Ok(out);
                }
                0 => {
                    let n = usize::from(len);
                    let Some(label) = self.msg.get(pos + 1..pos + 1 + n) else {
                        return err(pos, "label runs past the end of the message");
                    };
                    total += n + 1;
                    if total > 255 {
                        return err(pos, "name longer than 255 octets");
                    }
                    for &c in label {
                        match c {
                            b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b' ' => {
                                out.push_str(&format!("\\{c:03}"))
                            }
                            0x21..=0x7e => out.push(c.to_ascii_lowercase() as char),
                            _ => out.push_str(&format!("\\{c:03}")),
                        }
                    }
                    out.push('.');
                    pos += 1 + n;
                }
                _ => return err(pos, format!("unknown label type 0x{len:02x}")),
            }
        }
    }

    fn fqdn(&mut self) -> Result<Name, WireError> {
        let at = self.pos;
        let s = self.name()?;
        Name::parse_fqdn(&s).or_else(|e| err(at, e.to_string()))
    }
}

/// One resource record as found in a message; `rdata` is the range of its data.
#[derive(Debug, Clone)]
pub struct Rr {
    /// Owner name, absolute, lower-case.
    pub name: String,
    /// Type code.
    pub rtype: u16,
    /// Class code.
    pub class: u16,
    /// TTL in seconds.
    pub ttl: u32,
    /// Offset of the record's first octet (for TSIG, which is stripped).
    pub start: usize,
    /// Where its RDATA is in the message.
    pub rdata: std::ops::Range<usize>,
}

/// A parsed message: header fields and its four sections.
#[derive(Debug, Clone)]
pub struct Message {
    /// Message id.
    pub id: u16,
    /// Header flags (QR, opcode, AA, TC, RD, RA, rcode).
    pub flags: u16,
    /// The questions: (name, type, class).
    pub questions: Vec<(String, u16, u16)>,
    /// The answer section.
    pub answers: Vec<Rr>,
    /// The authority section (the update section of an UPDATE).
    pub authority: Vec<Rr>,
    /// The additional section.
    pub additional: Vec<Rr>,
}

impl Message {
    /// The opcode.
    pub fn opcode(&self) -> u8 {
        ((self.flags >> 11) & 0xf) as u8
    }

    /// Whether it is a response.
    pub fn is_response(&self) -> bool {
        self.flags & 0x8000 != 0
    }

    /// Whether it was truncated (TC).
    pub fn truncated(&self) -> bool {
        self.flags & 0x0200 != 0
    }

    /// The response code, extended by OPT and overridden by a TSIG error.
    pub fn rcode(&self, msg: &[u8]) -> u16 {
        let mut rc = self.flags & 0xf;
        for rr in &self.additional {
            if rr.rtype == TYPE_OPT {
                rc |= u16::from((rr.ttl >> 24) as u8) << 4;
            }
        }
        if let Some(t) = self.tsig(msg).ok().flatten() {
            if t.error != 0 {
                return t.error;
            }
        }
        rc
    }

    /// The TSIG record, which must be the last of the additional section.
    pub fn tsig(&self, msg: &[u8]) -> Result<Option<TsigRr>, WireError> {
        let Some(rr) = self.additional.last().filter(|r| r.rtype == TYPE_TSIG) else {
            return Ok(None);
        };
        let Some(msg) = msg.get(..rr.rdata.end) else {
            return err(msg.len(), "TSIG data runs past the end of the message");
        };
        let mut r = Reader {
            msg,
            pos: rr.rdata.start,
        };
        let algorithm = r.name()?;
        let hi = r.u16()?;
        let lo = r.u32()?;
        let fudge = r.u16()?;
        let n = r.u16()?;
        let mac = r.bytes(usize::from(n))?.to_vec();
        let original_id = r.u16()?;
        let error = r.u16()?;
        let n = r.u16()?;
        let other = r.bytes(usize::from(n))?.to_vec();
        Ok(Some(TsigRr {
            key: rr.name.clone(),
            algorithm,
            time: (u64::from(hi) << 32) | u64::from(lo),
            fudge,
            mac,
            original_id,
            error,
            other,
            start: rr.start,
        }))
    }
}

/// The fields of a TSIG record.
#[derive(Debug, Clone)]
pub struct TsigRr {
    /// The key's name.
    pub key: String,
    /// The algorithm's name.
    pub algorithm: String,
    /// Time signed, seconds since the epoch.
    pub time: u64,
    /// Allowed clock difference, seconds.
    pub fudge: u16,
    /// The MAC.
    pub mac: Vec<u8>,
    /// The id of the message as signed.
    pub original_id: u16,
    /// The TSIG error (BADSIG, BADKEY, BADTIME…).
    pub error: u16,
    /// Other data (the server's time with BADTIME).
    pub other: Vec<u8>,
    /// Where the TSIG record starts in the message.
    pub start: usize,
}

/// Parses a message; records' data stay in `msg`, decoded with [`decode_rdata`].
pub fn parse_message(msg: &[u8]) -> Result<Message, WireError> {
    let mut r = Reader::new(msg);
    let id = r.u16()?;
    let flags = r.u16()?;
    let counts = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
    let mut questions = Vec::new();
    for _ in 0..counts[0] {
        let n = r.name()?;
        questions.push((n, r.u16()?, r.u16()?));
    }
    let mut sections: [Vec<Rr>; 3] = Default::default();
    for (i, sec) in sections.iter_mut().enumerate() {
        for _ in 0..counts[i + 1] {
            let start = r.pos;
            let name = r.name()?;
            let rtype = r.u16()?;
            let class = r.u16()?;
            let ttl = r.u32()?;
            let len = usize::from(r.u16()?);
            let at = r.pos;
            r.bytes(len)?;
            sec.push(Rr {
                name,
                rtype,
                class,
                ttl,
                start,
                rdata: at..at + len,
            });
        }
    }
    let [answers, authority, additional] = sections;
    Ok(Message {
        id,
        flags,
        questions,
        answers,
        authority,
        additional,
    })
}

/// Decodes a record's data into a typed value. `None` for types the toolkit
/// does not model (they are left alone).
pub fn decode_rdata(msg: &[u8], rr: &Rr) -> Result<Option<RData>, WireError> {
    let Some(t) = rtype_of(rr.rtype) else {
        return Ok(None);
    };
    let end = rr.rdata.end;
    // Names may point back anywhere, but the data itself ends at `end`.
    let Some(msg) = msg.get(..end) else {
        return err(msg.len(), "record data runs past the end of the message");
    };
    let mut r = Reader {
        msg,
        pos: rr.rdata.start,
    };
    let at = r.pos;
    let v = match t {
        RType::A => {
            let b = r.bytes(4)?;
            RData::A(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
        }
        RType::Aaaa => {
            let mut a = [0u8; 16];
            a.copy_from_slice(r.bytes(16)?);
            RData::Aaaa(Ipv6Addr::from(a))
        }
        RType::Ns => RData::Ns(r.fqdn()?),
        RType::Cname => RData::Cname(r.fqdn()?),
        RType::Ptr => RData::Ptr(r.fqdn()?),
        RType::Mx => RData::Mx {
            preference: r.u16()?,
            exchange: r.fqdn()?,
        },
        RType::Srv => RData::Srv {
            priority: r.u16()?,
            weight: r.u16()?,
            port: r.u16()?,
            target: r.fqdn()?,
        },
        RType::Soa => RData::Soa(Soa {
            mname: r.fqdn()?,
            rname: r.fqdn()?,
            serial: r.u32()?,
            refresh: r.u32()?,
            retry: r.u32()?,
            expire: r.u32()?,
            minimum: r.u32()?,
        }),
        RType::Caa => {
            let flags = r.u8()?;
            let n = usize::from(r.u8()?);
            let tag_at = r.pos;
            let tag = r.bytes(n)?;
            // RFC 8659: a tag is ASCII letters and digits. Anything else would
            // change length when read as text and not encode back the same.
            if tag.is_empty() || !tag.iter().all(u8::is_ascii_alphanumeric) {
                return err(tag_at, "CAA tag is not ASCII letters and digits");
            }
            let tag = String::from_utf8_lossy(tag).to_ascii_lowercase();
            let value = String::from_utf8_lossy(r.bytes(end - r.pos)?).into_owned();
            RData::Caa { flags, tag, value }
        }
        RType::Sshfp => RData::Sshfp {
            algorithm: r.u8()?,
            fingerprint_type: r.u8()?,
            fingerprint: r.bytes(end - r.pos)?.to_vec(),
        },
        RType::Tlsa => RData::Tlsa {
            usage: r.u8()?,
            selector: r.u8()?,
            matching_type: r.u8()?,
            data: r.bytes(end - r.pos)?.to_vec(),
        },
        RType::Txt => {
            let mut text = Vec::new();
            while r.pos < end {
                let n = usize::from(r.u8()?);
                text.extend_from_slice(r.bytes(n)?);
            }
            RData::Txt(String::from_utf8_lossy(&text).into_owned())
        }
        RType::Svcb | RType::Https => {
            let priority = r.u16()?;
            let target = r.fqdn()?;
            let mut params = Vec::new();
            while r.pos < end {
                let key = r.u16()?;
                let n = usize::from(r.u16()?);
                let val = r.bytes(n)?;
                params.push(SvcParam::from_wire(key, val).or_else(|e| err(r.pos, e.to_string()))?);
            }
            let s = Svcb::new(priority, target, params).or_else(|e| err(at, e.to_string()))?;
            if t == RType::Https {
                RData::Https(s)
            } else {
                RData::Svcb(s)
            }
        }
    };
    if r.pos != end {
        return err(
            r.pos,
            format!("{} octets left over in a {t} record", end - r.pos),
        );
    }
    Ok(Some(v))
}

/// Builds a query for (`name`, `qtype`) with the given id; `rd` sets recursion desired.
pub fn query(id: u16, name: &str, qtype: u16, rd: bool) -> Vec<u8> {
    let mut m = Vec::with_capacity(64);
    put_u16(&mut m, id);
    put_u16(&mut m, if rd { 0x0100 } else { 0 });
    for c in [1, 0, 0, 0] {
        put_u16(&mut m, c);
    }
    put_name(&mut m, name);
    put_u16(&mut m, qtype);
    put_u16(&mut m, CLASS_IN);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        Name::parse_fqdn(s).unwrap()
    }

    fn roundtrip(v: RData) {
        let data = encode_rdata(&v).unwrap();
        let mut msg = Vec::new();
        put_rr(
            &mut msg,
            "x.example.",
            type_code(v.rtype()),
            CLASS_IN,
            60,
            &data,
        );
        let rr = Rr {
            name: "x.example.".into(),
            rtype: type_code(v.rtype()),
            class: 1,
            ttl: 60,
            start: 0,
            rdata: msg.len() - data.len()..msg.len(),
        };
        assert_eq!(decode_rdata(&msg, &rr).unwrap(), Some(v));
    }

    #[test]
    fn every_type_round_trips() {
        let svcb = Svcb::new(
            1,
            n("svc.example."),
            vec![
                SvcParam::Alpn(vec!["h2".into(), "h3".into()]),
                SvcParam::Port(8443),
                SvcParam::Ipv4Hint(vec![
                    "192.0.2.1".parse().unwrap(),
                    "192.0.2.2".parse().unwrap(),
                ]),
                SvcParam::Ipv6Hint(vec!["2001:db8::1".parse().unwrap()]),
                SvcParam::NoDefaultAlpn,
                SvcParam::Mandatory(vec![1]),
                SvcParam::Ech(vec![0, 1, 2]),
                SvcParam::Unknown {
                    key: 65000,
                    value: b"x y".to_vec(),
                },
            ],
        )
        .unwrap();
        for v in [
            RData::A("192.0.2.1".parse().unwrap()),
            RData::Aaaa("2001:db8::1".parse().unwrap()),
            RData::Ns(n("ns1.example.")),
            RData::Cname(n("a.example.")),
            RData::Ptr(n("p.example.")),
            RData::Mx {
                preference: 10,
                exchange: n("mx.example."),
            },
            RData::Srv {
                priority: 1,
                weight: 2,
                port: 3,
                target: n("t.example."),
            },
            RData::Caa {
                flags: 128,
                tag: "issue".into(),
                value: "letsencrypt.org".into(),
            },
            RData::Sshfp {
                algorithm: 4,
                fingerprint_type: 2,
                fingerprint: vec![0xab; 32],
            },
            RData::Tlsa {
                usage: 3,
                selector: 1,
                matching_type: 1,
                data: vec![0xcd; 32],
            },
            RData::Txt("x".repeat(600)),
            RData::Txt(String::new()),
            RData::Https(svcb.clone()),
            RData::Svcb(Svcb::new(0, n("alias.example."), vec![]).unwrap()),
        ] {
            roundtrip(v);
        }
    }

    #[test]
    fn long_txt_is_split_at_255_octets() {
        let data = encode_rdata(&RData::Txt("y".repeat(300))).unwrap();
        assert_eq!(data[0], 255);
        assert_eq!(data[256], 45);
        assert_eq!(data.len(), 302);
    }

    /// Damaged copies of a real-looking answer (every type, compressed names)
    /// give errors or values, never a panic.
    #[test]
    fn damaged_messages_never_panic() {
        let mut m = vec![0x12, 0x34, 0x84, 0, 0, 1, 0, 3, 0, 0, 0, 0];
        put_name(&mut m, "www.example.com.");
        put_u16(&mut m, 1);
        put_u16(&mut m, 1);
        let answers = [
            RData::Mx {
                preference: 1,
                exchange: n("mx.example.com."),
            },
            RData::Txt("t".repeat(300)),
            RData::Https(
                Svcb::new(
                    1,
                    n("example.com."),
                    vec![SvcParam::Alpn(vec!["h2".into()])],
                )
                .unwrap(),
            ),
        ];
        for v in &answers {
            // The owner as a pointer to the question's name.
            m.extend_from_slice(&[0xc0, 12]);
            put_u16(&mut m, type_code(v.rtype()));
            put_u16(&mut m, CLASS_IN);
            put_u32(&mut m, 60);
            let d = encode_rdata(v).unwrap();
            put_u16(&mut m, d.len() as u16);
            m.extend(d);
        }
        let ok = parse_message(&m).unwrap();
        for (rr, v) in ok.answers.iter().zip(&answers) {
            assert_eq!(rr.name, "www.example.com.");
            assert_eq!(decode_rdata(&m, rr).unwrap().as_ref(), Some(v));
        }
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..20_000 {
            let mut d = m.clone();
            for _ in 0..rng.usize(1..6) {
                let i = rng.usize(..d.len());
                d[i] = rng.u8(..);
            }
            d.truncate(rng.usize(..=d.len()));
            if let Ok(msg) = parse_message(&d) {
                let _ = msg.rcode(&d);
                let _ = msg.tsig(&d);
                for rr in &msg.answers {
                    let _ = decode_rdata(&d, rr);
                }
            }
        }
    }

    #[test]
    fn compression_loops_and_truncation_are_errors() {
        // Header, then a name that points at itself.
        let mut m = vec![0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
        assert!(parse_message(&m).is_err());
        for i in 0..m.len() {
            let _ = parse_message(&m[..i]);
        }
    }
}
