//! Test support: a tiny HTTP/1.1 client over `std::net::TcpStream` (one request per connection,
//! `Connection: close`), and a started sandbox with its token.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use hubspot_sandbox::{Sandbox, SandboxOptions};

/// The token the test sandboxes accept.
pub const TOKEN: &str = "pat-na1-test-token";

/// A response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub raw: String,
}

impl Resp {
    /// A header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request; `None` when the connection closed without a response.
pub fn try_send(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Option<Resp> {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let payload = body.map(|b| b.to_string());
    send_raw(base, method, path, &headers, payload.as_deref())
}

/// Sends one request with these headers and body (`Content-Length` is added for a body); `None` when
/// the connection closed without a response.
pub fn send_raw(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Option<Resp> {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let payload = body.unwrap_or_default();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if body.is_some() {
        req.push_str(&format!("Content-Length: {}\r\n", payload.len()));
    }
    req.push_str("\r\n");
    req.push_str(payload);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    if raw.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("head");
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: Option<usize> = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap());
    if let Some(n) = len {
        assert_eq!(body.len(), n, "Content-Length matches the body");
    }
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    Some(Resp {
        status,
        headers,
        body: json,
        raw: body.to_string(),
    })
}

/// A started sandbox and its base URL.
pub struct T {
    pub sb: Sandbox,
    pub base: String,
}

impl T {
    /// A sandbox with the test token and seed 42.
    pub fn start() -> T {
        T::with(SandboxOptions {
            token: Some(TOKEN.into()),
            ..SandboxOptions::default()
        })
    }

    /// A sandbox with the test token and rate limits high enough for tests that make many calls.
    pub fn fast() -> T {
        T::with(SandboxOptions {
            token: Some(TOKEN.into()),
            ten_secondly_limit: 100_000,
            search_per_second: 100_000,
            ..SandboxOptions::default()
        })
    }

    /// A sandbox with these options.
    pub fn with(opts: SandboxOptions) -> T {
        let sb = Sandbox::start(([127, 0, 0, 1], 0).into(), opts).expect("start");
        let base = sb.base_url();
        T { sb, base }
    }

    /// A request with the test token.
    pub fn req(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        try_send(&self.base, method, path, Some(TOKEN), body).expect("a response")
    }

    /// GET with the token.
    pub fn get(&self, path: &str) -> Resp {
        self.req("GET", path, None)
    }

    /// POST with the token.
    pub fn post(&self, path: &str, body: Value) -> Resp {
        self.req("POST", path, Some(&body))
    }
}

pub fn ids(v: &Value) -> Vec<u64> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect()
}
