//! The rfc2136 provider: a zone on a name server that accepts dynamic updates
//! (BIND, Knot, PowerDNS with `dnsupdate=yes`, ...). It reads the zone with a
//! TSIG-signed AXFR over TCP and writes with TSIG-signed DNS UPDATE messages
//! (RFC 2136), each holding as many changes as fit in a DNS message, with
//! prerequisites so that a record set someone else changed since the plan was
//! made is refused by the server instead of overwritten.
//!
//! ```yaml
//! providers:
//!   ns1:
//!     type: rfc2136
//!     server: 127.0.0.1:53         # host:port of the primary
//!     key_name: dnsctl             # the TSIG key's name
//!     algorithm: hmac-sha256       # or hmac-sha224, hmac-sha384, hmac-sha512
//!     secret: {env: DNSCTL_TSIG_SECRET}   # base64, as tsig-keygen prints it
//!     timeout: 10                  # seconds per request (default 10)
//!     verify_after_apply: false    # read the zone back after a push (default false)
//! ```
//!
//! Names are compressed (RFC 1035 4.1.4) in owners and in the data of NS,
//! CNAME, PTR, MX and SOA, so a message holds about a thousand typical
//! changes. With `verify_after_apply: true` the zone is transferred once
//! more after the last UPDATE and any change the server accepted but did not
//! apply (RFC 2136 3.4.2 lets it ignore some, e.g. data beside a CNAME) is an
//! error; it is off by default because the prerequisites already refuse
//! concurrent changes and `dnsctl verify` checks what is served.
//!
//! The SOA belongs to the server (it bumps the serial on every update), so it
//! is neither listed nor written.

pub mod tsig;
pub mod wire;

use crate::config::Options;
use crate::secret::SecretRef;
use crate::{Capabilities, Provider, ProviderError, RemoteKind};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wire::{put_u16, type_code};
use zone::{Change, Diagnostic, Name, Plan, RData, RType, RecordSet, Zone};

/// The largest UPDATE dnsctl sends: a DNS message is at most 65,535 octets
/// over TCP; the rest is left for the TSIG record.
pub const MAX_MESSAGE: usize = 65_000;

/// A name server added and removed within one UPDATE to change the TTL of
/// the apex NS set (see `encode_change`); `.invalid` is reserved (RFC 6761).
const TTL_CARRIER: &str = "dnsctl-ttl-change.invalid.";

#[derive(Debug, Clone)]
/// A server that takes TSIG-signed AXFR and RFC 2136 UPDATE (BIND, Knot).
pub struct Rfc2136Provider {
    server: String,
    key_name: String,
    algorithm: tsig::Algorithm,
    secret: SecretRef,
    timeout: Duration,
    max_message: usize,
    verify_after_apply: bool,
    stats: std::sync::Arc<std::sync::Mutex<Stats>>,
}

/// What the provider sent, for tests and progress output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Zone transfers made.
    pub axfrs: u64,
    /// UPDATE messages sent.
    pub updates: u64,
}

impl Rfc2136Provider {
    /// A provider for `server` (host:port) with this TSIG key.
    pub fn new(
        server: &str,
        key_name: &str,
        algorithm: tsig::Algorithm,
        secret: SecretRef,
    ) -> Self {
        Rfc2136Provider {
            server: server.to_string(),
            key_name: key_name.to_string(),
            algorithm,
            secret,
            timeout: Duration::from_secs(10),
            max_message: MAX_MESSAGE,
            verify_after_apply: false,
            stats: Default::default(),
        }
    }

    /// Builds the provider from its section of dnsctl.yaml.
    pub fn from_options(opts: &Options<'_>) -> Result<Self, Diagnostic> {
        opts.only(&[
            "server",
            "key_name",
            "algorithm",
            "secret",
            "timeout",
            "verify_after_apply",
        ])?;
        let server = opts.required_str("server")?;
        let key_name = opts.required_str("key_name")?;
        let algorithm = match opts.str("algorithm")? {
            None => tsig::Algorithm::HmacSha256,
            Some(a) => tsig::Algorithm::parse(a).ok_or_else(|| {
                Diagnostic::new(
                    opts.node("algorithm")
                        .map_or(zone::Pos::new(1, 1), |n| n.pos),
                    format!("unknown TSIG algorithm '{a}'"),
                )
                .hint(format!("supported: {}", tsig::Algorithm::NAMES.join(", ")))
            })?,
        };
        let secret = opts.secret("secret")?.ok_or_else(|| {
            Diagnostic::new(
                opts.node("type").map_or(zone::Pos::new(1, 1), |n| n.pos),
                format!(
                    "provider '{}' needs 'secret: {{env: NAME}}' naming the TSIG secret",
                    opts.provider
                ),
            )
        })?;
        let mut p = Rfc2136Provider::new(server, key_name, algorithm, secret);
        if let Some(t) = opts.u64("timeout")? {
            p.timeout = Duration::from_secs(t.max(1));
        }
        if let Some(n) = opts.node("verify_after_apply") {
            p.verify_after_apply = n.as_bool().ok_or_else(|| {
                Diagnostic::new(n.pos, "'verify_after_apply' must be true or false")
            })?;
        }
        Ok(p)
    }

    /// Lowers the message size limit (tests use it to force many messages).
    pub fn with_max_message(mut self, bytes: usize) -> Self {
        self.max_message = bytes.clamp(512, MAX_MESSAGE);
        self
    }

    /// Reads the zone back after applying and reports changes the server
    /// accepted but ignored (one more AXFR per push).
    pub fn with_verify_after_apply(mut self, yes: bool) -> Self {
        self.verify_after_apply = yes;
        self
    }

    /// How long to wait for each answer.
    pub fn with_timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// What it has sent so far.
    pub fn stats(&self) -> Stats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(&self) -> Result<tsig::Key, ProviderError> {
        let secret = self
            .secret
            .resolve()
            .map_err(|error| ProviderError::Credential {
                provider: "rfc2136".into(),
                error,
            })?;
        tsig::Key::new(&self.key_name, self.algorithm, &secret).map_err(|reason| {
            ProviderError::Config {
                provider: "rfc2136".into(),
                reason,
            }
        })
    }

    fn remote(&self, kind: RemoteKind, message: impl Into<String>) -> ProviderError {
        ProviderError::Remote {
            provider: format!("rfc2136 {}", self.server),
            kind,
            message: message.into(),
        }
    }

    async fn connect(&self) -> Result<TcpStream, ProviderError> {
        let addr: SocketAddr = match self.server.parse() {
            Ok(a) => a,
            Err(_) => tokio::net::lookup_host(&self.server)
                .await
                .ok()
                .and_then(|mut a| a.next())
                .ok_or_else(|| ProviderError::Config {
                    provider: "rfc2136".into(),
                    reason: format!("server '{}' is not host:port", self.server),
                })?,
        };
        match tokio::time::timeout(self.timeout, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                Ok(s)
            }
            Ok(Err(e)) => Err(self.remote(
                RemoteKind::Transport,
                format!("cannot connect over TCP: {e}"),
            )),
            Err(_) => Err(self.remote(
                RemoteKind::Transport,
                format!("no TCP connection within {}s", self.timeout.as_secs()),
            )),
        }
    }

    async fn send(&self, s: &mut TcpStream, msg: &[u8]) -> Result<(), ProviderError> {
        let mut framed = Vec::with_capacity(msg.len() + 2);
        put_u16(&mut framed, msg.len() as u16);
        framed.extend_from_slice(msg);
        match tokio::time::timeout(self.timeout, s.write_all(&framed)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.remote(RemoteKind::Transport, format!("sending: {e}"))),
            Err(_) => Err(self.remote(RemoteKind::Transport, "sending timed out")),
        }
    }

    async fn recv(&self, s: &mut TcpStream) -> Result<Vec<u8>, ProviderError> {
        let read = async {
            let mut len = [0u8; 2];
            s.read_exact(&mut len).await?;
            let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
            s.read_exact(&mut buf).await?;
            Ok::<_, std::io::Error>(buf)
        };
        match tokio::time::timeout(self.timeout, read).await {
            Ok(Ok(b)) => Ok(b),
            Ok(Err(e)) => Err(self.remote(
                RemoteKind::Transport,
                format!("the server closed the connection: {e}"),
            )),
            Err(_) => Err(self.remote(
                RemoteKind::Transport,
                format!("no answer within {}s", self.timeout.as_secs()),
            )),
        }
    }

    /// Reads the zone with AXFR, checking every signature.
    async fn axfr(&self, origin: &Name) -> Result<Zone, ProviderError> {
        let key = self.key()?;
        let mut s = self.connect().await?;
        let id = crate::dns::random_id().map_err(|e| self.remote(RemoteKind::Transport, e))?;
        let mut q = wire::query(id, origin.as_str(), wire::TYPE_AXFR, false);
        let mac = key.sign(&mut q);
        self.send(&mut s, &q).await?;
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).axfrs += 1;
        let mut verifier = key.verifier(mac);
        let mut builder = ZoneBuilder::new(origin);
        let mut soas = 0;
        while soas < 2 {
            let raw = self.recv(&mut s).await?;
            let m = wire::parse_message(&raw)
                .map_err(|e| self.remote(RemoteKind::Protocol, format!("AXFR of {origin}: {e}")))?;
            if m.id != id || !m.is_response() {
                return Err(self.remote(
                    RemoteKind::Protocol,
                    format!("AXFR of {origin}: an answer to another query"),
                ));
            }
            let rcode = m.rcode(&raw);
            if rcode != 0 {
                let hint = match rcode {
                    5 | 9 => " (does the server allow transfers with this key, and is it authoritative for the zone?)",
                    16 => " (the signature does not verify: is the secret the server's?)",
                    17 => " (the server does not know this key: check key_name and algorithm)",
                    18 => " (this host's clock and the server's differ by more than the TSIG fudge)",
                    _ => "",
                };
                return Err(self.remote(
                    RemoteKind::of_rcode(rcode),
                    format!(
                        "AXFR of {origin} refused: {}{hint}",
                        wire::rcode_name(rcode)
                    ),
                ));
            }
            verifier
                .check(&raw, &m)
                .map_err(|e| self.remote(RemoteKind::Auth, format!("AXFR of {origin}: {e}")))?;
            if m.answers.is_empty() {
                return Err(self.remote(
                    RemoteKind::Protocol,
                    format!("AXFR of {origin}: an empty answer"),
                ));
            }
            for rr in &m.answers {
                if rr.rtype == wire::TYPE_SOA {
                    soas += 1;
                    if soas == 2 {
                        break;
                    }
                    continue;
                }
                builder.add(&raw, rr).map_err(|e| {
                    self.remote(RemoteKind::Protocol, format!("AXFR of {origin}: {e}"))
                })?;
            }
            if soas == 0 {
                return Err(self.remote(
                    RemoteKind::Protocol,
                    format!("AXFR of {origin}: the transfer does not start with the SOA"),
                ));
            }
        }
        builder
            .finish()
            .map_err(|e| self.remote(RemoteKind::Protocol, format!("AXFR of {origin}: {e}")))
    }

    /// Sends one UPDATE and returns the response code.
    async fn update(
        &self,
        s: &mut TcpStream,
        key: &tsig::Key,
        mut msg: Vec<u8>,
    ) -> Result<u16, ProviderError> {
        let id = u16::from_be_bytes([msg[0], msg[1]]);
        let mac = key.sign(&mut msg);
        self.send(s, &msg).await?;
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).updates += 1;
        let raw = self.recv(s).await?;
        let m = wire::parse_message(&raw)
            .map_err(|e| self.remote(RemoteKind::Protocol, format!("UPDATE: {e}")))?;
        if m.id != id || !m.is_response() || m.opcode() != wire::OPCODE_UPDATE {
            return Err(self.remote(RemoteKind::Protocol, "UPDATE: an answer to another message"));
        }
        let rcode = m.rcode(&raw);
        // A refusal in the TSIG error field (BADKEY, BADSIG, BADTIME) comes
        // back unsigned: it is returned as the response code, to be reported
        // with the records of the message.
        let tsig = m.tsig(&raw).ok().flatten();
        if tsig.as_ref().map_or(rcode == 0, |t| t.error == 0) {
            key.verifier(mac)
                .check(&raw, &m)
                .map_err(|e| self.remote(RemoteKind::Auth, format!("UPDATE: {e}")))?;
        }
        Ok(rcode)
    }
}

/// Groups transferred records into record sets.
struct ZoneBuilder<'a> {
    origin: &'a Name,
    sets: std::collections::BTreeMap<(String, RType), (u32, Vec<RData>)>,
}

impl<'a> ZoneBuilder<'a> {
    fn new(origin: &'a Name) -> Self {
        ZoneBuilder {
            origin,
            sets: Default::default(),
        }
    }

    fn add(&mut self, raw: &[u8], rr: &wire::Rr) -> Result<(), String> {
        if rr.class != wire::CLASS_IN {
            return Ok(());
        }
        let Some(v) = wire::decode_rdata(raw, rr).map_err(|e| format!("{} {e}", rr.name))? else {
            // A type dnsctl does not model (DNSSEC records, say): left alone.
            return Ok(());
        };
        let owner = Name::parse_fqdn(&rr.name).map_err(|e| format!("owner {}: {e}", rr.name))?;
        let rel = owner
            .relative_to(self.origin)
            .ok_or_else(|| format!("{} is outside the zone {}", rr.name, self.origin))?;
        let rel = zone::name::parse_owner(&rel).map_err(|e| format!("owner {}: {e}", rr.name))?;
        let e = self
            .sets
            .entry((rel, v.rtype()))
            .or_insert((rr.ttl, Vec::new()));
        e.0 = e.0.min(rr.ttl);
        e.1.push(v);
        Ok(())
    }

    fn finish(self) -> Result<Zone, String> {
        let mut z = Zone::new(self.origin.clone());
        for ((name, t), (ttl, values)) in self.sets {
            let set = RecordSet::new(name.clone(), t, ttl, values)
                .map_err(|e| format!("{name} {t}: {e}"))?;
            z.insert(set);
        }
        Ok(z)
    }
}

/// One UPDATE message being filled: the zone section, then prerequisites,
/// then updates, each record written once with its names compressed.
/// Prerequisites sit at final offsets (the zone section never changes), so
/// their names can be pointed at; the update section moves as prerequisites
/// are added, so its names point back but are not pointed at.
struct Batch {
    /// The zone section's name, as written at offset 12.
    zone_name: Vec<u8>,
    comp: wire::Compressor,
    prereq: Vec<u8>,
    prereq_count: usize,
    update: Vec<u8>,
    update_count: usize,
    changes: Vec<usize>,
}

impl Batch {
    fn new(zone: &Name) -> Self {
        let mut comp = wire::Compressor::default();
        let mut zone_name = Vec::new();
        comp.put_name(&mut zone_name, Some(12), zone.as_str());
        Batch {
            zone_name,
            comp,
            prereq: Vec::new(),
            prereq_count: 0,
            update: Vec::new(),
            update_count: 0,
            changes: Vec::new(),
        }
    }

    /// The message offset of the first prerequisite.
    fn prereq_start(&self) -> usize {
        12 + self.zone_name.len() + 4
    }

    fn size(&self) -> usize {
        self.prereq_start() + self.prereq.len() + self.update.len()
    }

    /// A prerequisite record (RFC 2136 2.4): TTL 0.
    fn prereq(&mut self, owner: &str, t: u16, class: u16, v: Option<&RData>) -> Result<(), String> {
        let base = self.prereq_start();
        wire::put_rr_compressed(
            &mut self.prereq,
            Some(base),
            &mut self.comp,
            owner,
            t,
            class,
            0,
            v,
        )?;
        self.prereq_count += 1;
        Ok(())
    }

    /// An update record (RFC 2136 2.5).
    fn update(
        &mut self,
        owner: &str,
        t: u16,
        class: u16,
        ttl: u32,
        v: Option<&RData>,
    ) -> Result<(), String> {
        wire::put_rr_compressed(
            &mut self.update,
            None,
            &mut self.comp,
            owner,
            t,
            class,
            ttl,
            v,
        )?;
        self.update_count += 1;
        Ok(())
    }

    /// Adds the records of change `i` if the message stays within `limit`
    /// octets and 65,535 records a section; false (and the batch as it
    /// was) if not.
    fn add(&mut self, zone: &Name, plan: &Plan, i: usize, limit: usize) -> Result<bool, String> {
        let mark = (
            self.comp.mark(),
            self.prereq.len(),
            self.prereq_count,
            self.update.len(),
            self.update_count,
        );
        encode_change(self, zone, &plan.changes[i])?;
        if self.size() > limit || self.prereq_count > 65_535 || self.update_count > 65_535 {
            self.comp.rollback(mark.0);
            self.prereq.truncate(mark.1);
            self.prereq_count = mark.2;
            self.update.truncate(mark.3);
            self.update_count = mark.4;
            return Ok(false);
        }
        self.changes.push(i);
        Ok(true)
    }

    fn message(&self, id: u16) -> Vec<u8> {
        let mut m = Vec::with_capacity(self.size() + 400);
        put_u16(&mut m, id);
        put_u16(&mut m, u16::from(wire::OPCODE_UPDATE) << 11);
        for c in [1, self.prereq_count, self.update_count, 0] {
            put_u16(&mut m, c as u16);
        }
        m.extend_from_slice(&self.zone_name);
        put_u16(&mut m, wire::TYPE_SOA);
        put_u16(&mut m, wire::CLASS_IN);
        m.extend_from_slice(&self.prereq);
        m.extend_from_slice(&self.update);
        m
    }
}

/// Appends the prerequisite and update records of one change to `b`.
fn encode_change(b: &mut Batch, zone: &Name, ch: &Change) -> Result<(), String> {
    let set = ch.set();
    let owner = zone::name::owner_fqdn(&set.name, zone);
    let t = type_code(set.rtype);
    // Prerequisites: the set is still exactly as the plan saw it.
    match ch {
        // RFC 2136 2.4.3: RRset does not exist.
        Change::Create(_) => b.prereq(&owner, t, wire::CLASS_NONE, None)?,
        Change::Update { from, .. } | Change::Delete(from) => {
            // RFC 2136 2.4.2: RRset exists with exactly these values.
            for v in from.values() {
                b.prereq(&owner, t, wire::CLASS_IN, Some(v))?;
            }
        }
    }
    // The apex NS set can never be deleted whole (RFC 2136 3.4.2.4: the
    // server ignores that), so it changes value by value: new values first,
    // then the old ones that go.
    if let Change::Update { from, to } = ch {
        if set.name.is_empty() && set.rtype == RType::Ns {
            for v in to.values() {
                b.update(&owner, t, wire::CLASS_IN, to.ttl, Some(v))?;
            }
            for v in from.values().iter().filter(|v| !to.values().contains(v)) {
                // RFC 2136 2.5.4: delete an RR from an RRset.
                b.update(&owner, t, wire::CLASS_NONE, 0, Some(v))?;
            }
            // A new TTL: re-adding an RR that exists changes its TTL in BIND
            // but is ignored by Knot, while adding a new RR sets the TTL of
            // the whole set in both. So a record that exists only inside
            // this message carries the TTL.
            if from.ttl != to.ttl {
                let temp = RData::Ns(Name::parse_fqdn(TTL_CARRIER).expect("a valid name"));
                b.update(&owner, t, wire::CLASS_IN, to.ttl, Some(&temp))?;
                b.update(&owner, t, wire::CLASS_NONE, 0, Some(&temp))?;
            }
            return Ok(());
        }
    }
    if !matches!(ch, Change::Create(_)) {
        // RFC 2136 2.5.2: delete the RRset.
        b.update(&owner, t, wire::CLASS_ANY, 0, None)?;
    }
    if let Change::Create(to) | Change::Update { to, .. } = ch {
        for v in to.values() {
            b.update(&owner, t, wire::CLASS_IN, to.ttl, Some(v))?;
        }
    }
    Ok(())
}

/// Splits a plan into UPDATE messages that each stay under `limit` octets,
/// in plan order, each as full as the limit allows.
fn batches(plan: &Plan, limit: usize) -> Result<Vec<Batch>, ProviderError> {
    let unsupported = |i: usize, m: String| {
        let set = plan.changes[i].set();
        ProviderError::Unsupported {
            zone: plan.zone.to_string(),
            problems: vec![format!("{} {}: {m}", set.display_name(), set.rtype)],
        }
    };
    let mut out = vec![Batch::new(&plan.zone)];
    for i in 0..plan.changes.len() {
        let cur = out.last_mut().expect("one batch at least");
        if cur
            .add(&plan.zone, plan, i, limit)
            .map_err(|m| unsupported(i, m))?
        {
            continue;
        }
        let mut fresh = Batch::new(&plan.zone);
        if !fresh
            .add(&plan.zone, plan, i, limit)
            .map_err(|m| unsupported(i, m))?
        {
            let mut alone = Batch::new(&plan.zone);
            alone
                .add(&plan.zone, plan, i, usize::MAX)
                .map_err(|m| unsupported(i, m))?;
            return Err(unsupported(
                i,
                format!(
                    "this change alone needs {} octets, more than a DNS UPDATE can carry ({limit})",
                    alone.size()
                ),
            ));
        }
        out.push(fresh);
    }
    out.retain(|b| !b.changes.is_empty());
    Ok(out)
}

/// The UPDATE messages (unsigned, id 0) that apply `plan`, each at most
/// `limit` octets: what `apply` sends, for benchmarks and tests.
pub fn update_messages(plan: &Plan, limit: usize) -> Result<Vec<Vec<u8>>, ProviderError> {
    Ok(batches(plan, limit)?.iter().map(|b| b.message(0)).collect())
}

/// Names the changes of a message for an error: the first few, then a count.
fn describe_changes(plan: &Plan, idx: &[usize]) -> String {
    let mut parts: Vec<String> = idx
        .iter()
        .take(8)
        .map(|&i| {
            let c = &plan.changes[i];
            format!("{} {} {}", c.verb(), c.set().display_name(), c.set().rtype)
        })
        .collect();
    if idx.len() > 8 {
        parts.push(format!("and {} more", idx.len() - 8));
    }
    parts.join(", ")
}

impl Provider for Rfc2136Provider {
    fn describe(&self, zone: &Name) -> String {
        format!("rfc2136: {zone} on {} (key {})", self.server, self.key_name)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            types: RType::ALL
                .into_iter()
                .filter(|t| *t != RType::Soa)
                .collect(),
            ttl: 0..=zone::rdata::MAX_TTL,
            meta_key: None,
        }
    }

    async fn list(&self, zone: &Name) -> Result<Zone, ProviderError> {
        self.axfr(zone).await
    }

    /// Sends the plan as few UPDATE messages as fit, in plan order, on one
    /// TCP connection. A prerequisite failure means someone changed the zone
    /// since the plan was made: the zone is read again to name the record
    /// sets that differ. With `verify_after_apply`, after the last message
    /// the zone is read back, since a server silently ignores some updates
    /// (RFC 2136 3.4.2: e.g. data beside a CNAME), and anything not as
    /// planned is reported.
    async fn apply_reporting(
        &self,
        plan: &Plan,
        progress: crate::Progress<'_>,
    ) -> Result<(), ProviderError> {
        if plan.changes.is_empty() {
            return Ok(());
        }
        crate::check_capabilities(plan, &self.capabilities(), "rfc2136")?;
        let key = self.key()?;
        let batches = batches(plan, self.max_message)?;
        let mut s = self.connect().await?;
        let total = batches.len();
        let mut sent = 0;
        for (n, b) in batches.iter().enumerate() {
            let msg = b.message(
                crate::dns::random_id().map_err(|e| self.remote(RemoteKind::Transport, e))?,
            );
            let rcode = self.update(&mut s, &key, msg).await.map_err(|e| match e {
                ProviderError::Remote {
                    provider,
                    kind,
                    message,
                } => ProviderError::Remote {
                    provider,
                    kind,
                    message: format!(
                        "{message}; UPDATE {}/{total} with {} change(s) may or may not be applied ({}) and the earlier ones are; run preview and push again",
                        n + 1,
                        b.changes.len(),
                        describe_changes(plan, &b.changes)
                    ),
                },
                other => other,
            })?;
            match rcode {
                0 => {
                    sent += b.changes.len();
                    progress(sent, plan.changes.len());
                }
                7 | 8 => {
                    let live = self.axfr(&plan.zone).await?;
                    let mut moved = Vec::new();
                    for &i in &b.changes {
                        let ch = &plan.changes[i];
                        let want = match ch {
                            Change::Create(_) => None,
                            Change::Update { from, .. } | Change::Delete(from) => Some(from),
                        };
                        let now = live.get(&ch.set().name, ch.set().rtype);
                        if now.map(|s| (s.ttl, s.values())) != want.map(|s| (s.ttl, s.values())) {
                            moved.push(format!("{} {}", ch.set().display_name(), ch.set().rtype));
                        }
                    }
                    return Err(ProviderError::Conflict {
                        zone: plan.zone.to_string(),
                        detail: format!(
                            "the server refused UPDATE {}/{total} with {} ({}); {}; {} earlier message(s) were applied",
                            n + 1,
                            wire::rcode_name(rcode),
                            if rcode == 7 { "a record set the plan creates already exists" } else { "a record set the plan changes is not as planned" },
                            if moved.is_empty() { "the zone has changed".to_string() } else { format!("changed meanwhile: {}", moved.join(", ")) },
                            n
                        ),
                    });
                }
                _ => {
                    let why = match rcode {
                        5 => " (the server's policy refuses it: update-policy/allow-update for this key, or a sanity check such as removing the glue of a name server; see the server's log)",
                        9 => " (the server is not authoritative for the zone, or the key is not accepted)",
                        10 => " (a name is outside the zone)",
                        // The zone was just read with this key, so the server knows it.
                        17 => " (the server refuses this key for this update: Knot answers BADKEY when its ACL does not let the key update these records, e.g. update-type or update-owner)",
                        16 | 18 => " (the server refused the signature: check the secret and this machine's clock)",
                        2 => " (the server failed; see its log)",
                        1 => " (the server could not parse the message)",
                        _ => "",
                    };
                    return Err(self.remote(RemoteKind::of_rcode(rcode), format!(
                        "UPDATE {}/{total} of zone {} refused: {}{why}; records in it: {}; {} earlier message(s) were applied, the backup taken before the push can revert them",
                        n + 1,
                        plan.zone,
                        wire::rcode_name(rcode),
                        describe_changes(plan, &b.changes),
                        n
                    )));
                }
            }
        }
        drop(s);
        if !self.verify_after_apply {
            return Ok(());
        }
        // Read back: the server ignores some updates without an error.
        let live = self.axfr(&plan.zone).await?;
        let mut ignored = Vec::new();
        for ch in &plan.changes {
            let want = match ch {
                Change::Delete(_) => None,
                Change::Create(s) | Change::Update { to: s, .. } => Some(s),
            };
            let now = live.get(&ch.set().name, ch.set().rtype);
            if now.map(|s| (s.ttl, s.values())) != want.map(|s| (s.ttl, s.values())) {
                ignored.push(format!(
                    "{} {} {}",
                    ch.verb(),
                    ch.set().display_name(),
                    ch.set().rtype
                ));
            }
        }
        if !ignored.is_empty() {
            let n = ignored.len();
            ignored.truncate(8);
            return Err(self.remote(RemoteKind::Refused, format!(
                "the server accepted the update but did not apply {n} change(s): {}{} (RFC 2136 lets it ignore e.g. other data beside a CNAME, or a CNAME beside other data)",
                ignored.join(", "),
                if n > 8 { ", ..." } else { "" }
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zone::plan::{plan, PlanOptions};

    #[test]
    fn splits_large_plans_under_the_message_limit() {
        let origin = Name::parse_fqdn("example.com.").unwrap();
        let mut want = Zone::new(origin.clone());
        for i in 0..3000 {
            want.insert(
                RecordSet::new(
                    format!("host{i}"),
                    RType::Txt,
                    300,
                    vec![RData::Txt("v".repeat(100))],
                )
                .unwrap(),
            );
        }
        let p = plan(&want, &Zone::new(origin.clone()), &PlanOptions::default());
        let bs = batches(&p, MAX_MESSAGE).unwrap();
        assert!(bs.len() > 1);
        // The largest TSIG record: a 255-octet key name, HMAC-SHA512.
        let long_name = [
            "k".repeat(63),
            "k".repeat(63),
            "k".repeat(63),
            "k".repeat(61),
        ]
        .join(".");
        let key = tsig::Key::new(
            &long_name,
            tsig::Algorithm::HmacSha512,
            &crate::secret::Secret::new("c2VjcmV0"),
        )
        .unwrap();
        let mut seen = 0;
        for b in &bs {
            let mut m = b.message(1);
            assert!(m.len() <= MAX_MESSAGE, "{}", m.len());
            assert_eq!(m.len(), b.size());
            let parsed = wire::parse_message(&m).unwrap();
            assert_eq!(parsed.answers.len(), b.changes.len());
            seen += b.changes.len();
            key.sign(&mut m);
            assert!(m.len() <= 65_535, "signed: {}", m.len());
            assert!(wire::parse_message(&m).unwrap().tsig(&m).unwrap().is_some());
        }
        assert_eq!(seen, 3000);
        // A lower limit (tests use it to force many messages) holds too.
        for b in batches(&p, 2048).unwrap() {
            assert!(b.message(1).len() <= 2048);
        }
        // A change that cannot fit any message is refused before sending.
        let mut huge = Zone::new(origin.clone());
        let values = (0..300)
            .map(|i| RData::Txt(format!("{i:03}{}", "x".repeat(250))))
            .collect();
        huge.insert(RecordSet::new("big", RType::Txt, 300, values).unwrap());
        let p = plan(&huge, &Zone::new(origin.clone()), &PlanOptions::default());
        let Err(e) = batches(&p, MAX_MESSAGE) else {
            panic!("a 77 kB change was packed")
        };
        assert!(
            e.to_string().contains("more than a DNS UPDATE can carry"),
            "{e}"
        );
    }

    /// The zone of bench/selfhosted/run.sh: A, AAAA, TXT, MX and CNAME in
    /// turn; every tenth record (`every`) gets another value.
    fn bench_zone(origin: &Name, n: usize, every: usize) -> Zone {
        let mut z = Zone::new(origin.clone());
        for i in 0..n {
            let v = usize::from(every > 0 && i % every == 0);
            let (t, f) = match i % 5 {
                0 => (
                    RType::A,
                    vec![format!("10.{v}.{}.{}", (i >> 8) & 255, i & 255)],
                ),
                1 => (RType::Aaaa, vec![format!("2001:db8:{v}::{i:x}")]),
                2 => (RType::Txt, vec![format!("record number {i} version {v}")]),
                3 => (
                    RType::Mx,
                    vec![format!("{}", 10 + v), format!("mx{i}.example.net.")],
                ),
                _ => (RType::Cname, vec![format!("h{}.example.net.", i - 1 + v)]),
            };
            let value = RData::parse(t, &f).unwrap();
            z.insert(RecordSet::new(format!("h{i}"), t, 3600, vec![value]).unwrap());
        }
        z
    }

    /// With compressed names a message carries about a thousand typical
    /// changes and their prerequisites: no more messages than octoDNS sends
    /// without prerequisites (1,000 changes each).
    #[test]
    fn compression_packs_a_thousand_changes_per_message() {
        let origin = Name::parse_fqdn("d10000.example.").unwrap();
        let empty = Zone::new(origin.clone());
        for (n, most) in [(1_000, 1), (10_000, 8)] {
            let full = bench_zone(&origin, n, 0);
            let first =
                batches(&plan(&full, &empty, &PlanOptions::default()), MAX_MESSAGE).unwrap();
            assert!(first.len() <= most, "{n} creates: {} messages", first.len());
            let tenth = plan(&bench_zone(&origin, n, 10), &full, &PlanOptions::default());
            assert_eq!(tenth.changes.len(), n / 10);
            let bs = batches(&tenth, MAX_MESSAGE).unwrap();
            assert_eq!(bs.len(), 1, "{n}: 10% changed");
            for b in first.iter().chain(&bs) {
                assert!(b.message(0).len() <= MAX_MESSAGE);
            }
        }
    }

    /// Every record of every message decodes (pointers resolved) to exactly
    /// what RFC 2136 asks for the plan: prerequisites, then deletions and
    /// additions, names and data as planned.
    #[test]
    fn compressed_messages_decode_to_the_planned_records() {
        let origin = Name::parse_fqdn("example.com.").unwrap();
        let n = |s: &str| Name::parse_fqdn(s).unwrap();
        let mut live = bench_zone(&origin, 8_000, 0);
        live.insert(
            RecordSet::new(
                "mail",
                RType::Mx,
                300,
                vec![
                    RData::Mx {
                        preference: 10,
                        exchange: n("mx1.example.com."),
                    },
                    RData::Mx {
                        preference: 20,
                        exchange: n("MX2.Example.com."),
                    },
                ],
            )
            .unwrap(),
        );
        let mut want = bench_zone(&origin, 9_000, 7);
        want.insert(
            RecordSet::new(
                "_sip._tcp",
                RType::Srv,
                60,
                vec![RData::Srv {
                    priority: 1,
                    weight: 2,
                    port: 5060,
                    target: n("sip.example.com."),
                }],
            )
            .unwrap(),
        );
        want.insert(
            RecordSet::new(
                "sub",
                RType::Ns,
                60,
                vec![RData::Ns(n("ns.sub.example.com."))],
            )
            .unwrap(),
        );
        let p = plan(&want, &live, &PlanOptions::default());
        assert!(p.changes.iter().any(|c| c.verb() == "delete"));
        type Rec = (String, u16, u16, u32, Option<RData>);
        let rec = |owner: &str, rtype: RType, class: u16, ttl: u32, v: Option<&RData>| -> Rec {
            (
                owner.to_ascii_lowercase(),
                type_code(rtype),
                class,
                ttl,
                v.cloned(),
            )
        };
        let mut want_pre = Vec::new();
        let mut want_upd = Vec::new();
        for ch in &p.changes {
            let s = ch.set();
            let owner = zone::name::owner_fqdn(&s.name, &origin);
            match ch {
                Change::Create(to) => {
                    want_pre.push(rec(&owner, s.rtype, wire::CLASS_NONE, 0, None));
                    for v in to.values() {
                        want_upd.push(rec(&owner, s.rtype, wire::CLASS_IN, to.ttl, Some(v)));
                    }
                }
                Change::Update { from, to } => {
                    for v in from.values() {
                        want_pre.push(rec(&owner, s.rtype, wire::CLASS_IN, 0, Some(v)));
                    }
                    want_upd.push(rec(&owner, s.rtype, wire::CLASS_ANY, 0, None));
                    for v in to.values() {
                        want_upd.push(rec(&owner, s.rtype, wire::CLASS_IN, to.ttl, Some(v)));
                    }
                }
                Change::Delete(from) => {
                    for v in from.values() {
                        want_pre.push(rec(&owner, s.rtype, wire::CLASS_IN, 0, Some(v)));
                    }
                    want_upd.push(rec(&owner, s.rtype, wire::CLASS_ANY, 0, None));
                }
            }
        }
        let bs = batches(&p, MAX_MESSAGE).unwrap();
        assert!(
            bs.len() > 1,
            "the test wants pointers across messages' worth of data"
        );
        let (mut got_pre, mut got_upd) = (Vec::new(), Vec::new());
        for b in &bs {
            let m = b.message(7);
            assert!(m.len() <= MAX_MESSAGE);
            let msg = wire::parse_message(&m).unwrap();
            assert_eq!(
                msg.questions,
                [(origin.as_str().to_string(), wire::TYPE_SOA, wire::CLASS_IN)]
            );
            for (section, got) in [(&msg.answers, &mut got_pre), (&msg.authority, &mut got_upd)] {
                for rr in section {
                    let v = if rr.rdata.is_empty() {
                        None
                    } else {
                        Some(wire::decode_rdata(&m, rr).unwrap().unwrap())
                    };
                    // RFC 3597 4: names in the data of later types stay whole.
                    if let Some(v) = v.as_ref().filter(|v| {
                        !matches!(v.rtype(), RType::Ns | RType::Cname | RType::Ptr | RType::Mx)
                    }) {
                        assert_eq!(m[rr.rdata.clone()], wire::encode_rdata(v).unwrap()[..]);
                    }
                    got.push((rr.name.clone(), rr.rtype, rr.class, rr.ttl, v));
                }
            }
        }
        // Names in data compare case-insensitively; the wire keeps the case written.
        let fold = |v: Vec<Rec>| -> Vec<String> {
            v.iter()
                .map(|r| format!("{r:?}").to_ascii_lowercase())
                .collect()
        };
        assert_eq!(fold(got_pre), fold(want_pre));
        assert_eq!(fold(got_upd), fold(want_upd));
    }
}
