//! The emulator over real TCP, with a minimal HTTP/1.1 client.

use serde_json::{json, Value};
use testkit::{Emulator, Fault, FaultRule, TokenSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "tok-1234567890";

/// Sends one request on a fresh connection; returns (status, retry-after, body), or None if the connection was dropped.
async fn call(
    emu: &Emulator,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Option<(u16, Option<u64>, Value)> {
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let req = format!("{method} /client/v4{path} HTTP/1.1\r\nhost: x\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.ok()?;
    if out.is_empty() {
        return None;
    }
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let retry = head
        .lines()
        .find_map(|l| l.strip_prefix("retry-after: "))
        .map(|v| v.parse().unwrap());
    Some((status, retry, serde_json::from_str(body).unwrap()))
}

fn codes(v: &Value) -> Vec<u64> {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn tokens_zones_and_pagination() {
    let emu = Emulator::start().await;
    emu.add_token(TOKEN);
    emu.add_token_with(
        "expired",
        TokenSpec {
            status: "expired".into(),
            ..Default::default()
        },
    );
    emu.add_token_with(
        "ro",
        TokenSpec {
            write: false,
            zones: Some(vec!["example.com".into()]),
            ..Default::default()
        },
    );
    let zid = emu.add_zone("example.com");
    emu.add_zone("other.org");
    for i in 0..25 {
        emu.add_record("example.com", json!({"type": "A", "name": format!("h{i}"), "content": format!("192.0.2.{i}"), "ttl": 300})).unwrap();
    }
    let (st, _, v) = call(&emu, "GET", "/user/tokens/verify", Some(TOKEN), None)
        .await
        .unwrap();
    assert_eq!(
        (st, v["success"].as_bool(), v["result"]["status"].as_str()),
        (200, Some(true), Some("active"))
    );
    let (st, _, v) = call(&emu, "GET", "/user/tokens/verify", Some("nope"), None)
        .await
        .unwrap();
    assert_eq!((st, codes(&v)), (401, vec![1000]));
    let (_, _, v) = call(&emu, "GET", "/user/tokens/verify", Some("expired"), None)
        .await
        .unwrap();
    assert_eq!(v["result"]["status"], "expired");
    let (st, _, v) = call(
        &emu,
        "GET",
        "/zones?name=example.com",
        Some("expired"),
        None,
    )
    .await
    .unwrap();
    assert_eq!((st, codes(&v)), (403, vec![9109]));
    let (_, _, v) = call(&emu, "GET", "/zones?name=example.com", Some(TOKEN), None)
        .await
        .unwrap();
    assert_eq!(v["result"][0]["id"], zid);
    let (_, _, v) = call(&emu, "GET", "/zones?name=other.org", Some("ro"), None)
        .await
        .unwrap();
    assert_eq!(
        v["result"].as_array().unwrap().len(),
        0,
        "a token sees only its zones"
    );
    let (st, _, v) = call(
        &emu,
        "POST",
        &format!("/zones/{zid}/dns_records"),
        Some("ro"),
        Some(json!({"type": "A", "name": "x", "content": "192.0.2.1"})),
    )
    .await
    .unwrap();
    assert_eq!((st, codes(&v)), (403, vec![10000]));
    let (_, _, v) = call(
        &emu,
        "GET",
        &format!("/zones/{zid}/dns_records?per_page=10&page=3"),
        Some(TOKEN),
        None,
    )
    .await
    .unwrap();
    assert_eq!(v["result"].as_array().unwrap().len(), 5);
    assert_eq!(
        v["result_info"],
        json!({"page": 3, "per_page": 10, "count": 5, "total_count": 25, "total_pages": 3})
    );
    let (_, _, v) = call(
        &emu,
        "GET",
        &format!("/zones/{zid}/dns_records?name=h7.example.com&type=A"),
        Some(TOKEN),
        None,
    )
    .await
    .unwrap();
    assert_eq!(v["result"][0]["content"], "192.0.2.7");
    let (st, _, v) = call(&emu, "GET", "/zones/0000/dns_records", Some(TOKEN), None)
        .await
        .unwrap();
    assert_eq!((st, codes(&v)), (404, vec![7003]));
    assert_eq!(emu.count("GET", "/dns_records"), 3);
}

#[tokio::test]
async fn batch_is_atomic_and_ordered() {
    let emu = Emulator::start().await;
    emu.add_token(TOKEN);
    let zid = emu.add_zone("example.com");
    let a = emu
        .add_record(
            "example.com",
            json!({"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 300}),
        )
        .unwrap();
    let b = emu
        .add_record(
            "example.com",
            json!({"type": "TXT", "name": "t", "content": "one", "ttl": 300}),
        )
        .unwrap();
    // A failing post (identical record) undoes the delete and the patch before it.
    let body = json!({
        "deletes": [{"id": a["id"]}],
        "patches": [{"id": b["id"], "content": "two"}],
        "posts": [{"type": "TXT", "name": "t", "content": "two"}],
    });
    let (st, _, v) = call(
        &emu,
        "POST",
        &format!("/zones/{zid}/dns_records/batch"),
        Some(TOKEN),
        Some(body),
    )
    .await
    .unwrap();
    assert_eq!(
        (st, codes(&v), v["success"].as_bool()),
        (400, vec![81058], Some(false))
    );
    assert_eq!(emu.records("example.com").len(), 2);
    assert_eq!(emu.records("example.com")[1]["content"], "one");
    // Replacing an A with a CNAME in one batch works because deletes run first.
    let body = json!({"deletes": [{"id": a["id"]}], "posts": [{"type": "CNAME", "name": "www", "content": "web.example.net", "proxied": true}]});
    let (st, _, v) = call(
        &emu,
        "POST",
        &format!("/zones/{zid}/dns_records/batch"),
        Some(TOKEN),
        Some(body),
    )
    .await
    .unwrap();
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["result"]["posts"][0]["ttl"], 1);
    assert_eq!(v["result"]["deletes"][0]["id"], a["id"]);
    let body = json!({"deletes": [{"id": a["id"]}]});
    let (st, _, v) = call(
        &emu,
        "POST",
        &format!("/zones/{zid}/dns_records/batch"),
        Some(TOKEN),
        Some(body),
    )
    .await
    .unwrap();
    assert_eq!((st, codes(&v)), (404, vec![81044]));
    emu.set_max_batch(1);
    let body = json!({"posts": [{"type": "A", "name": "x", "content": "192.0.2.9"}, {"type": "A", "name": "y", "content": "192.0.2.9"}]});
    let (st, _, _) = call(
        &emu,
        "POST",
        &format!("/zones/{zid}/dns_records/batch"),
        Some(TOKEN),
        Some(body),
    )
    .await
    .unwrap();
    assert_eq!(st, 400);
}

#[tokio::test]
async fn faults_and_rate_limit() {
    let emu = Emulator::start().await;
    emu.add_token(TOKEN);
    let zid = emu.add_zone("example.com");
    emu.inject(FaultRule::nth(2, Fault::Status(503)));
    emu.inject(FaultRule::nth(1, Fault::RateLimited { retry_after: 7 }).on("POST", "/dns_records"));
    emu.inject(FaultRule::nth(1, Fault::ResetAfterApply).on("DELETE", "/dns_records"));
    assert_eq!(
        call(&emu, "GET", "/user/tokens/verify", Some(TOKEN), None)
            .await
            .unwrap()
            .0,
        200
    );
    assert_eq!(
        call(&emu, "GET", "/user/tokens/verify", Some(TOKEN), None)
            .await
            .unwrap()
            .0,
        503
    );
    assert_eq!(
        call(&emu, "GET", "/user/tokens/verify", Some(TOKEN), None)
            .await
            .unwrap()
            .0,
        200
    );
    let rec = json!({"type": "A", "name": "x", "content": "192.0.2.9"});
    let (st, retry, v) = call(
        &emu,
        "POST",
        &format!("/zones/{zid}/dns_records"),
        Some(TOKEN),
        Some(rec.clone()),
    )
    .await
    .unwrap();
    assert_eq!((st, retry, codes(&v)), (429, Some(7), vec![971]));
    assert!(
        emu.records("example.com").is_empty(),
        "a 429 applies nothing"
    );
    let (st, _, v) = call(
        &emu,
        "POST",
        &format!("/zones/{zid}/dns_records"),
        Some(TOKEN),
        Some(rec),
    )
    .await
    .unwrap();
    assert_eq!(st, 200);
    let id = v["result"]["id"].as_str().unwrap().to_string();
    assert!(
        call(
            &emu,
            "DELETE",
            &format!("/zones/{zid}/dns_records/{id}"),
            Some(TOKEN),
            None
        )
        .await
        .is_none(),
        "connection dropped"
    );
    assert!(
        emu.records("example.com").is_empty(),
        "but the delete happened"
    );

    emu.set_rate_limit(3, std::time::Duration::from_secs(60));
    for _ in 0..3 {
        assert_eq!(
            call(&emu, "GET", "/user/tokens/verify", Some(TOKEN), None)
                .await
                .unwrap()
                .0,
            200
        );
    }
    let (st, retry, _) = call(&emu, "GET", "/user/tokens/verify", Some(TOKEN), None)
        .await
        .unwrap();
    assert_eq!(st, 429);
    assert!(retry.unwrap() >= 59);
}

#[test]
fn runs_on_its_own_thread() {
    let emu = Emulator::start_in_thread();
    emu.add_token(TOKEN);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (st, _, _) = rt
        .block_on(call(&emu, "GET", "/user/tokens/verify", Some(TOKEN), None))
        .unwrap();
    assert_eq!(st, 200);
    drop(emu);
}

/// A DNS query for `name`/`qtype`, optionally with an EDNS OPT record.
fn query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut q = id.to_be_bytes().to_vec();
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for l in name.split('.') {
        q.push(l.len() as u8);
        q.extend_from_slice(l.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&1u16.to_be_bytes());
    q
}

/// (rcode, aa, answers as (type, ttl, rdata), authority count) of a response.
type Answer = (u8, bool, Vec<(u16, u32, Vec<u8>)>, u16);

fn parse(r: &[u8]) -> Answer {
    let an = u16::from_be_bytes([r[6], r[7]]);
    let ns = u16::from_be_bytes([r[8], r[9]]);
    let skip_name = |mut i: usize| {
        while r[i] != 0 {
            i += 1 + r[i] as usize;
        }
        i + 1
    };
    let mut i = skip_name(12) + 4;
    let mut out = Vec::new();
    for _ in 0..an {
        i = skip_name(i);
        let t = u16::from_be_bytes([r[i], r[i + 1]]);
        let ttl = u32::from_be_bytes([r[i + 4], r[i + 5], r[i + 6], r[i + 7]]);
        let len = u16::from_be_bytes([r[i + 8], r[i + 9]]) as usize;
        out.push((t, ttl, r[i + 10..i + 10 + len].to_vec()));
        i += 10 + len;
    }
    (r[3] & 0x0f, r[2] & 0x04 != 0, out, ns)
}

async fn udp(emu: &Emulator, name: &str, qtype: u16) -> Answer {
    let s = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    s.send_to(&query(7, name, qtype), emu.dns_addr())
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(2), s.recv(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&buf[..2], &7u16.to_be_bytes());
    parse(&buf[..n])
}

#[tokio::test]
async fn serves_what_the_api_wrote_over_dns() {
    let emu = Emulator::start().await;
    emu.add_token(TOKEN);
    let zid = emu.add_zone("example.com");
    // Written through the API, as a client would.
    let body = json!({"posts": [
        {"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 120},
        {"type": "A", "name": "www", "content": "192.0.2.2", "ttl": 120},
        {"type": "TXT", "name": "_acme-challenge", "content": "\"token-value\"", "ttl": 60},
        {"type": "CNAME", "name": "alias", "content": "www.example.com", "proxied": true},
        {"type": "MX", "name": "@", "content": "mail.example.com", "priority": 10},
        {"type": "A", "name": "*.lab", "content": "192.0.2.9", "ttl": 300},
    ]});
    let (st, _, _) = call(
        &emu,
        "POST",
        &format!("/zones/{zid}/dns_records/batch"),
        Some(TOKEN),
        Some(body),
    )
    .await
    .unwrap();
    assert_eq!(st, 200);
    let (rcode, aa, ans, _) = udp(&emu, "www.example.com", 1).await;
    assert!(aa && rcode == 0);
    let mut ips: Vec<Vec<u8>> = ans.iter().map(|a| a.2.clone()).collect();
    ips.sort();
    assert_eq!(ips, vec![vec![192, 0, 2, 1], vec![192, 0, 2, 2]]);
    assert_eq!(ans[0].1, 120);
    let (_, _, ans, _) = udp(&emu, "_acme-challenge.example.com", 16).await;
    assert_eq!(ans, vec![(16, 60, b"\x0btoken-value".to_vec())]);
    // A CNAME answers any type; auto TTL is served as 300.
    let (_, _, ans, _) = udp(&emu, "alias.example.com", 1).await;
    assert_eq!((ans[0].0, ans[0].1), (5, 300));
    let (_, _, ans, _) = udp(&emu, "example.com", 15).await;
    assert_eq!(ans[0].2[..2], [0, 10]);
    let (_, _, ans, _) = udp(&emu, "x.lab.example.com", 1).await;
    assert_eq!(ans[0].2, vec![192, 0, 2, 9], "wildcard");
    // NODATA, NXDOMAIN (with the SOA), apex SOA/NS, REFUSED outside the zones.
    let (rcode, _, ans, ns) = udp(&emu, "www.example.com", 28).await;
    assert_eq!((rcode, ans.len(), ns), (0, 0, 1));
    let (rcode, _, _, ns) = udp(&emu, "nope.example.com", 1).await;
    assert_eq!((rcode, ns), (3, 1));
    assert_eq!(udp(&emu, "example.com", 6).await.2[0].0, 6);
    assert_eq!(udp(&emu, "example.com", 2).await.2.len(), 2);
    let (rcode, aa, _, _) = udp(&emu, "example.org", 1).await;
    assert_eq!((rcode, aa), (5, false));
    // A delete is seen at once; TCP gives the same answers.
    let id = emu.records("example.com")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        &emu,
        "DELETE",
        &format!("/zones/{zid}/dns_records/{id}"),
        Some(TOKEN),
        None,
    )
    .await
    .unwrap();
    let mut s = TcpStream::connect(emu.dns_addr()).await.unwrap();
    let q = query(9, "www.example.com", 1);
    let mut framed = (q.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&q);
    s.write_all(&framed).await.unwrap();
    let mut len = [0u8; 2];
    s.read_exact(&mut len).await.unwrap();
    let mut r = vec![0u8; u16::from_be_bytes(len) as usize];
    s.read_exact(&mut r).await.unwrap();
    let (_, _, ans, _) = parse(&r);
    assert_eq!(ans.len(), 1);
}
