//! A small HTTP/1.1 server: keep-alive, `Content-Length` bodies, JSON answers.

use crate::{decide, log_status, route, Decision, Req, Resp, State};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 256 * 1024 * 1024;

pub(crate) async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    loop {
        if let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(stream, state.clone()));
        }
    }
}

async fn connection(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        let Some((head_len, head)) = read_head(&mut stream, &mut buf).await else {
            return;
        };
        let Some((method, target, version, headers)) = parse_head(&head) else {
            let bad = Resp {
                status: 400,
                body: serde_json::json!({"success": false, "errors": [{"code": 400, "message": "bad request"}], "messages": [], "result": null}),
                retry_after: None,
                ratelimit: None,
                location: None,
            };
            let _ = write(&mut stream, &bad, true).await;
            return;
        };
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let len: usize = match header("content-length").map(str::parse) {
            None => 0,
            Some(Ok(n)) if n <= MAX_BODY => n,
            _ => return,
        };
        let close = header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
            || version == "HTTP/1.0";
        buf.drain(..head_len);
        while buf.len() < len {
            let mut chunk = [0u8; 65536];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buf.drain(..len).collect();
        let auth = header("authorization")
            .and_then(|a| {
                a.strip_prefix("Bearer ")
                    .or_else(|| a.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string());
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), parse_query(q)),
            None => (target.clone(), Vec::new()),
        };
        let req = Req {
            method: method.clone(),
            path,
            query,
            auth,
            body,
        };
        let resp = match decide(&state, &method, &target, req.auth.as_deref()) {
            Decision::Reset => return,
            Decision::Endless => {
                endless(&mut stream).await;
                return;
            }
            Decision::Respond(r) => r,
            Decision::Handle {
                delay,
                reset_after,
                ratelimit,
            } => {
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                let r = route(&state, &req);
                log_status(
                    &state,
                    &method,
                    &target,
                    if reset_after { 0 } else { r.status },
                );
                if reset_after {
                    return;
                }
                let mut r = r;
                r.ratelimit = ratelimit;
                r
            }
        };
        if write(&mut stream, &resp, close).await.is_err() || close {
            return;
        }
    }
}

/// A 200 answer whose body never ends: no length, then JSON-looking bytes
/// until the client hangs up.
async fn endless(stream: &mut TcpStream) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"result\": [";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk =
        b"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",".repeat(1024);
    while stream.write_all(&chunk).await.is_ok() {}
}

async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(usize, String)> {
    loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).into_owned();
            return Some((i + 4, head));
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

type Head = (String, String, String, Vec<(String, String)>);

fn parse_head(head: &str) -> Option<Head> {
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target, version) = (
        first.next()?.to_string(),
        first.next()?.to_string(),
        first.next()?.to_string(),
    );
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some((method, target, version, headers))
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decoding of a query component (`+` is a space).
pub(crate) fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

async fn write(stream: &mut TcpStream, resp: &Resp, close: bool) -> std::io::Result<()> {
    let (status, retry_after) = (resp.status, resp.retry_after);
    let body = serde_json::to_vec(&resp.body).unwrap_or_default();
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\ncf-ray: 0000000000000000-EMU\r\n",
        reason(status),
        body.len()
    );
    if let Some(s) = retry_after {
        head.push_str(&format!("retry-after: {s}\r\n"));
    }
    if let Some(l) = &resp.location {
        head.push_str(&format!("location: {l}\r\n"));
    }
    if let Some((limit, policy)) = &resp.ratelimit {
        head.push_str(&format!(
            "ratelimit: {limit}\r\nratelimit-policy: {policy}\r\n"
        ));
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&body);
    stream.write_all(&out).await?;
    stream.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        assert_eq!(decode("a%2Eb+c"), "a.b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(
            parse_query("name=www.example.com&type=A"),
            vec![
                ("name".into(), "www.example.com".into()),
                ("type".into(), "A".into())
            ]
        );
    }
}
