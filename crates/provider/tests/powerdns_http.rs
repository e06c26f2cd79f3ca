//! The powerdns provider against small loopback HTTP servers that misbehave:
//! redirects, endless answers, escape sequences in error text.

use provider::powerdns::PowerDnsProvider;
use provider::secret::SecretRef;
use provider::Provider;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zone::Name;

const KEY: &str = "pdns-api-key-never-leaves-api-url";

/// Serves every connection with `answer` (head plus body, or `None` for an
/// endless body); returns the address and the request heads received.
async fn serve(answer: Option<String>) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    serve_each(vec![answer]).await
}

/// Serves the n-th connection with `answers[n]` (the last one from then on).
async fn serve_each(answers: Vec<Option<String>>) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut s, _)) = l.accept().await {
            let answer = answers[n.min(answers.len() - 1)].clone();
            n += 1;
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let n = s.read(&mut buf).await.unwrap_or(0);
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).to_string());
                match answer {
                    Some(a) => {
                        let _ = s.write_all(a.as_bytes()).await;
                    }
                    None => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"rrsets\": [";
                        let _ = s.write_all(head.as_bytes()).await;
                        let chunk = b"{\"name\": \"x\"},".repeat(4096);
                        while s.write_all(&chunk).await.is_ok() {}
                    }
                }
            });
        }
    });
    (addr, heads)
}

fn provider(addr: SocketAddr, var: &str) -> PowerDnsProvider {
    std::env::set_var(var, KEY);
    PowerDnsProvider::new(&format!("http://{addr}"), SecretRef::Env(var.into()))
}

fn origin() -> Name {
    Name::parse_fqdn("example.com.").unwrap()
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_the_api_key_stays_home() {
    let (elsewhere, stolen) = serve(Some(
        "HTTP/1.1 200 OK\r\ncontent-length: 13\r\nconnection: close\r\n\r\n{\"rrsets\": []}".into(),
    ))
    .await;
    let location = format!("http://{elsewhere}/api/v1/servers/localhost/zones/example.com.");
    let (api, _) = serve(Some(format!(
        "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    )))
    .await;
    let e = provider(api, "DNSCTL_T_PDNS_REDIRECT")
        .list(&origin())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("HTTP 302") && e.contains(&location) && e.contains("check the API URL"),
        "{e}"
    );
    assert!(!e.contains(KEY), "{e}");
    let stolen = stolen.lock().unwrap();
    assert!(stolen.is_empty(), "the redirect was followed: {stolen:?}");
}

#[tokio::test]
async fn an_endless_answer_is_cut_off() {
    let (api, _) = serve(None).await;
    let e = provider(api, "DNSCTL_T_PDNS_ENDLESS")
        .list(&origin())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("larger than 64 MiB"), "{e}");
}

#[tokio::test]
async fn error_text_from_the_server_loses_its_escape_sequences() {
    let body = "{\"error\": \"\\u001b[31mRRset www.example.com. IN A: \\u001b]0;pwned\\u0007bad\\r\\ncontent\"}";
    let (api, _) = serve(Some(format!(
        "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )))
    .await;
    let e = provider(api, "DNSCTL_T_PDNS_ANSI")
        .list(&origin())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("HTTP 500: RRset www.example.com. IN A: bad  content"),
        "{e:?}"
    );
    assert!(!e.chars().any(char::is_control), "{e:?}");
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_through_the_shared_layer() {
    let busy = "HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let zone = "{\"rrsets\": []}";
    let ok = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{zone}",
        zone.len()
    );
    let (api, heads) = serve_each(vec![Some(busy.into()), Some(ok)]).await;
    let p = provider(api, "DNSCTL_T_PDNS_429");
    let t = std::time::Instant::now();
    assert!(p.list(&origin()).await.unwrap().is_empty());
    assert!(
        t.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(heads.lock().unwrap().len(), 2);
    assert_eq!(p.requests(), 2);
}
