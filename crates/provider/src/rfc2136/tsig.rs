//! TSIG (RFC 8945): signing requests and checking the server's signatures,
//! including the chained signatures of a multi-message AXFR.

use super::wire::{self, put_name, put_u16, put_u32, Message, WireError};
use crate::secret::Secret;
use hmac::{Hmac, Mac};

/// The HMAC algorithms dnsctl can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-SHA224.
    HmacSha224,
    /// HMAC-SHA256.
    HmacSha256,
    /// HMAC-SHA384.
    HmacSha384,
    /// HMAC-SHA512.
    HmacSha512,
}

impl Algorithm {
    /// The algorithm names dnsctl.yaml accepts.
    pub const NAMES: [&'static str; 4] =
        ["hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"];

    /// The algorithm named `s` (`hmac-sha256`), if supported.
    pub fn parse(s: &str) -> Option<Algorithm> {
        match s.trim_end_matches('.').to_ascii_lowercase().as_str() {
            "hmac-sha224" => Some(Algorithm::HmacSha224),
            "hmac-sha256" => Some(Algorithm::HmacSha256),
            "hmac-sha384" => Some(Algorithm::HmacSha384),
            "hmac-sha512" => Some(Algorithm::HmacSha512),
            _ => None,
        }
    }

    /// Its name in dnsctl.yaml.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacSha224 => "hmac-sha224.",
            Algorithm::HmacSha256 => "hmac-sha256.",
            Algorithm::HmacSha384 => "hmac-sha384.",
            Algorithm::HmacSha512 => "hmac-sha512.",
        }
    }

    fn mac(self, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
            // HMAC takes keys of any length, so this cannot fail.
            let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
            for p in parts {
                m.update(p);
            }
            m.finalize().into_bytes().to_vec()
        }
        match self {
            Algorithm::HmacSha224 => run::<Hmac<sha2::Sha224>>(key, parts),
            Algorithm::HmacSha256 => run::<Hmac<sha2::Sha256>>(key, parts),
            Algorithm::HmacSha384 => run::<Hmac<sha2::Sha384>>(key, parts),
            Algorithm::HmacSha512 => run::<Hmac<sha2::Sha512>>(key, parts),
        }
    }
}

/// A TSIG key: its name, algorithm and secret (decoded from base64).
#[derive(Clone)]
pub struct Key {
    /// The key's name, as the server knows it.
    pub name: String,
    /// Its algorithm.
    pub algorithm: Algorithm,
    secret: zeroize::Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({} {:?} <redacted>)", self.name, self.algorithm)
    }
}

impl Key {
    /// `secret` is the base64 text `tsig-keygen` prints.
    pub fn new(name: &str, algorithm: Algorithm, secret: &Secret) -> Result<Key, String> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(secret.expose().trim())
            .map_err(|_| {
                format!("the TSIG secret for key '{name}' is not base64 (use the secret line tsig-keygen prints)")
            })?;
        let name = format!("{}.", name.trim_end_matches('.').to_ascii_lowercase());
        Ok(Key {
            name,
            algorithm,
            secret: zeroize::Zeroizing::new(bytes),
        })
    }

    fn variables(&self, time: u64, fudge: u16, error: u16, other: &[u8]) -> Vec<u8> {
        let mut v = Vec::with_capacity(64);
        put_name(&mut v, &self.name);
        put_u16(&mut v, wire::CLASS_ANY);
        put_u32(&mut v, 0);
        put_name(&mut v, self.algorithm.name());
        v.extend_from_slice(&time.to_be_bytes()[2..]);
        put_u16(&mut v, fudge);
        put_u16(&mut v, error);
        put_u16(&mut v, other.len() as u16);
        v.extend_from_slice(other);
        v
    }

    /// Appends a TSIG record to `msg` (whose ARCOUNT is bumped) and returns the MAC,
    /// which the response's signature covers.
    pub fn sign(&self, msg: &mut Vec<u8>) -> Vec<u8> {
        let time = now();
        let fudge = 300;
        let vars = self.variables(time, fudge, 0, &[]);
        let mac = self.algorithm.mac(&self.secret, &[msg, &vars]);
        let id = u16::from_be_bytes([msg[0], msg[1]]);
        let mut rdata = Vec::with_capacity(96);
        put_name(&mut rdata, self.algorithm.name());
        rdata.extend_from_slice(&time.to_be_bytes()[2..]);
        put_u16(&mut rdata, fudge);
        put_u16(&mut rdata, mac.len() as u16);
        rdata.extend_from_slice(&mac);
        put_u16(&mut rdata, id);
        put_u16(&mut rdata, 0);
        put_u16(&mut rdata, 0);
        wire::put_rr(msg, &self.name, wire::TYPE_TSIG, wire::CLASS_ANY, 0, &rdata);
        let ar = u16::from_be_bytes([msg[10], msg[11]]).wrapping_add(1);
        msg[10..12].copy_from_slice(&ar.to_be_bytes());
        mac
    }

    /// Checks answers to a request whose MAC was `request_mac`.
    pub fn verifier(&self, request_mac: Vec<u8>) -> Verifier<'_> {
        Verifier {
            key: self,
            prev_mac: request_mac,
            unsigned: Vec::new(),
            first: true,
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Checks the signatures of the responses to one signed request, in order.
pub struct Verifier<'a> {
    key: &'a Key,
    prev_mac: Vec<u8>,
    unsigned: Vec<u8>,
    first: bool,
}

impl Verifier<'_> {
    /// Checks one response message. Up to 99 unsigned messages may sit between
    /// signed ones in a zone transfer (RFC 8945 5.3.1); the first must be signed.
    pub fn check(&mut self, raw: &[u8], m: &Message) -> Result<(), String> {
        let tsig = m
            .tsig(raw)
            .map_err(|e: WireError| format!("the server's TSIG record: {e}"))?;
        let Some(t) = tsig else {
            if self.first {
                return Err(format!(
                    "the server's answer is not signed with key '{}' (rcode {})",
                    self.key.name,
                    wire::rcode_name(m.rcode(raw))
                ));
            }
            self.unsigned.extend_from_slice(raw);
            if self.unsigned.len() > 100 * 65_535 {
                return Err("more than 99 unsigned messages in a row".into());
            }
            return Ok(());
        };
        if t.error != 0 {
            return Err(format!(
                "the server refused the TSIG signature of key '{}': {}{}",
                self.key.name,
                wire::rcode_name(t.error),
                if t.error == 18 {
                    " (check this machine's clock)"
                } else {
                    ""
                }
            ));
        }
        if t.key != self.key.name {
            return Err(format!(
                "the answer is signed with another key, '{}'",
                t.key
            ));
        }
        // The message as it was before the TSIG record was added.
        let mut body = raw[..t.start].to_vec();
        if body.len() < 12 {
            return Err("the signed answer is shorter than a DNS header".into());
        }
        body[0..2].copy_from_slice(&t.original_id.to_be_bytes());
        let ar = u16::from_be_bytes([body[10], body[11]]).saturating_sub(1);
        body[10..12].copy_from_slice(&ar.to_be_bytes());
        let mut prev = Vec::with_capacity(2 + self.prev_mac.len());
        put_u16(&mut prev, self.prev_mac.len() as u16);
        prev.extend_from_slice(&self.prev_mac);
        let vars = if self.first {
            self.key.variables(t.time, t.fudge, t.error, &t.other)
        } else {
            let mut v = t.time.to_be_bytes()[2..].to_vec();
            put_u16(&mut v, t.fudge);
            v
        };
        let want = self
            .key
            .algorithm
            .mac(&self.key.secret, &[&prev, &self.unsigned, &body, &vars]);
        if t.mac.len() < want.len() / 2 || t.mac[..] != want[..t.mac.len()] {
            return Err(format!(
                "the server's TSIG signature does not verify with key '{}'",
                self.key.name
            ));
        }
        if now().abs_diff(t.time) > u64::from(t.fudge) {
            return Err("the server's TSIG time is outside its fudge (check the clocks)".into());
        }
        self.prev_mac = t.mac;
        self.unsigned.clear();
        self.first = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_test_case_2() {
        let mac = Algorithm::HmacSha256.mac(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            mac.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
