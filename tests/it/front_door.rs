//! The HTTP front door under attack, as an unauthenticated client on loopback would try it: raw
//! sockets, bounded in count and time, against the real binary with small limits. Each test shows the
//! attack answered (or cut off) and a well-behaved client served during it and after it, with no
//! panic. One test per class of defect from the front-door review (issue #9).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{Server, ACCEPT};

/// Every response carries these, refusals written before any handler runs included.
const SECURITY: [&str; 6] = [
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "content-security-policy",
    "cross-origin-resource-policy",
    "cache-control",
];

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Sends `bytes` on a new connection and reads until the server closes it (at most 5 s): everything
/// the server answered, and whether it closed the connection itself.
fn exchange(addr: SocketAddr, bytes: &[u8]) -> (String, bool) {
    let mut s = connect(addr);
    let _ = s.write_all(bytes);
    read_until_closed(&mut s)
}

fn read_until_closed(s: &mut TcpStream) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = loop {
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

fn status_of(resp: &str) -> u16 {
    resp.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn responses_in(resp: &str) -> usize {
    resp.matches("HTTP/1.1 ").count()
}

fn assert_security_headers(resp: &str) {
    let head = resp
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    for h in SECURITY {
        assert!(head.contains(&format!("\r\n{h}:")), "{h} missing in {head}");
    }
}

fn panics(s: &Server) -> u64 {
    let m = s.client().request("GET", "/metrics", &[], "").body;
    m.lines()
        .find(|l| l.starts_with("mcp_panics_total"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX)
}

/// The server answers and works: health, a tool call, no panic so far.
fn assert_serving(s: &Server) {
    let c = s.client();
    assert_eq!(c.request("GET", "/health", &[], "").status, 200);
    let r = c.stateless(
        9,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "still here"}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["result"]["content"][0]["text"], "still here");
    assert_eq!(panics(s), 0);
}

fn stateless_post(body: &Value, extra: &str) -> Vec<u8> {
    let body = body.to_string();
    format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n\
         MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Finding 1: every early reply (505 and every other refusal written before a handler runs) is
/// answered, closes its connection and gives its slot back: far more of them than the connection cap
/// allows at once leave the server serving.
#[test]
fn early_refusals_answer_close_and_release_their_connection() {
    let s = Server::start(&[("MCP_MAX_CONNECTIONS", "6")]);
    let long = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX: {}\r\n\r\n",
        "a".repeat(9000)
    );
    let shapes: Vec<(Vec<u8>, u16)> = vec![
        (b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n".to_vec(), 505),
        (b"GET / HTTP/3.0\r\nHost: localhost\r\n\r\n".to_vec(), 505),
        (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), 505),
        (
            b"GET / HTTP/1.1 extra\r\nHost: localhost\r\n\r\n".to_vec(),
            400,
        ),
        (b"GARBAGE\r\n\r\n".to_vec(), 400),
        (
            b"GET / HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\n\r\n".to_vec(),
            417,
        ),
        (long.into_bytes(), 431),
        (b"GET / HTTP/1.1\r\n\r\n".to_vec(), 400),
    ];
    for round in 0..5 {
        for (bytes, want) in &shapes {
            let (resp, closed) = exchange(s.addr, bytes);
            assert_eq!(status_of(&resp), *want, "round {round}: {resp:?}");
            assert!(closed, "connection left open after {want}");
            assert_security_headers(&resp);
            assert!(resp.contains("\"jsonrpc\":\"2.0\""), "{resp}");
        }
    }
    assert_serving(&s);
}

/// Finding 2: bodies trickled by many clients occupy no worker: tool calls and `/health` are served
/// meanwhile, and each slow body is cut off by the body's total deadline however steadily it trickles.
/// A small request with `Connection: Upgrade` is answered at once, never given the socket as a body.
#[test]
fn slow_bodies_hold_no_worker_and_are_cut_off_by_a_total_deadline() {
    let s = Server::start(&[
        ("MCP_WORKERS", "2"),
        ("MCP_MAX_QUEUE", "0"),
        ("MCP_READ_TIMEOUT_MS", "1500"),
        ("MCP_MAX_PENDING_PER_IP", "100"),
    ]);
    let mut slow: Vec<TcpStream> = (0..12)
        .map(|_| {
            let mut c = connect(s.addr);
            let head = format!(
                "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\nContent-Length: 4000\r\n\r\n{{"
            );
            c.write_all(head.as_bytes()).unwrap();
            c
        })
        .collect();
    let started = Instant::now();
    let mut good = 0;
    let mut cut = vec![false; slow.len()];
    // One byte every 200 ms from each: every read succeeds, so only a total deadline ends them.
    for _ in 0..20 {
        for (i, c) in slow.iter_mut().enumerate() {
            if !cut[i] && c.write_all(b" ").is_err() {
                cut[i] = true;
            }
        }
        let r = s.client().stateless(1, "tools/list", json!({}));
        assert_eq!(r.status, 200, "a good client was refused: {r:?}");
        assert_eq!(s.client().request("GET", "/health", &[], "").status, 200);
        good += 1;
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(good, 20);
    for mut c in slow {
        let (resp, closed) = read_until_closed(&mut c);
        assert_eq!(status_of(&resp), 408, "{resp}");
        assert!(closed);
        assert_security_headers(&resp);
    }
    // They trickled for 4 s; the deadline (1.5 s) ended each long before.
    assert!(started.elapsed() < Duration::from_secs(10));
    let upgrade = stateless_post(
        &crate::support::stateless_body(1, "tools/list", json!({})),
        "Connection: Upgrade\r\nUpgrade: h2c\r\n",
    );
    let mut c = connect(s.addr);
    c.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    c.write_all(&upgrade).unwrap();
    let (resp, closed) = read_until_closed(&mut c);
    assert_eq!(status_of(&resp), 200, "Connection: Upgrade: {resp}");
    assert!(
        closed,
        "an Upgrade request closes its connection after the reply, at once"
    );
    assert_serving(&s);
}

/// `serve` with JWT auth (HubSpot unreachable, no health probe), plus `extra`.
fn jwt_server(extra: &[(&str, &str)]) -> Server {
    let mut env = vec![
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef-secret"),
        ("HUBSPOT_ACCESS_TOKEN", crate::support::TOKEN),
        ("HUBSPOT_API_BASE_URL", "http://127.0.0.1:9"),
        ("HEALTH_CHECK_ENABLED", "false"),
    ];
    env.extend_from_slice(extra);
    Server::start_args(&["serve"], &env)
}

/// Finding 2: what the gate refuses is refused before its body is read (no token: 401 at once for
/// a body that never comes), and a declared body over the limit gets 413 without being read.
#[test]
fn the_gate_refuses_before_the_body_is_read() {
    let s = jwt_server(&[]);
    for (extra, want) in [("", 401), ("Authorization: Bearer not-a-jwt\r\n", 401)] {
        let mut c = connect(s.addr);
        c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let head = format!(
            "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n{extra}Content-Length: 500000\r\n\r\n"
        );
        c.write_all(head.as_bytes()).unwrap();
        let (resp, closed) = read_until_closed(&mut c);
        assert_eq!(status_of(&resp), want, "{resp}");
        assert!(closed, "the unread body must not keep the connection");
    }
    let s = Server::start(&[("MCP_MAX_BODY_BYTES", "2048")]);
    let mut c = connect(s.addr);
    c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\nContent-Length: 999999\r\n\r\n"
    );
    c.write_all(head.as_bytes()).unwrap();
    let (resp, closed) = read_until_closed(&mut c);
    assert_eq!(status_of(&resp), 413, "{resp}");
    assert!(closed);
    assert_serving(&s);
}

/// Finding 3: heads trickled a byte at a time are cut off by the head's total deadline, and one
/// address cannot hold more than its share of connections still sending their first request; an
/// established keep-alive connection from the same address is served all along.
#[test]
fn slowloris_heads_are_bounded_per_address_and_in_time() {
    let s = Server::start(&[
        ("MCP_MAX_CONNECTIONS", "32"),
        ("MCP_MAX_PENDING_PER_IP", "4"),
        ("MCP_HEAD_TIMEOUT_MS", "8000"),
        ("MCP_READ_TIMEOUT_MS", "30000"),
    ]);
    // A client that connected before the attack and keeps its connection.
    let mut keep = connect(s.addr);
    let ping = b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";
    keep.write_all(ping).unwrap();
    assert_eq!(crate::support::read_response(&mut keep).status, 200);

    let mut loris: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut c = connect(s.addr);
            c.write_all(b"GET /health HTTP/1.1\r\n").unwrap();
            c
        })
        .collect();
    let opened = Instant::now();
    std::thread::sleep(Duration::from_millis(100));
    // Over the per-address bound: refused at once, with the security headers.
    let (resp, closed) = exchange(s.addr, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(
        status_of(&resp),
        503,
        "{} ms after the slow heads began: {resp}",
        opened.elapsed().as_millis()
    );
    assert!(closed);
    assert_security_headers(&resp);
    // Trickle a header byte every 200 ms for 5 s while the kept connection is served, then stop (a byte
    // sent after the server closed would make it reset the connection, losing the 408). Without a
    // deadline for the whole head the server would wait MCP_READ_TIMEOUT_MS (30 s) after the last
    // byte; with it, the heads end at 8 s.
    let started = Instant::now();
    let mut alive = loris.len();
    while opened.elapsed() < Duration::from_secs(5) {
        for c in loris.iter_mut() {
            let _ = c.write_all(b"X");
        }
        keep.write_all(ping).unwrap();
        assert_eq!(crate::support::read_response(&mut keep).status, 200);
        std::thread::sleep(Duration::from_millis(200));
    }
    for mut c in loris.drain(..) {
        // Generous, for a loaded machine: the 408 is due 3 s after the trickle stops.
        c.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        let (resp, closed) = read_until_closed(&mut c);
        assert_eq!(
            status_of(&resp),
            408,
            "{} ms after the slow heads began: {resp:?}",
            opened.elapsed().as_millis()
        );
        assert!(closed);
        assert_security_headers(&resp);
        alive -= 1;
    }
    assert_eq!(alive, 0);
    assert!(started.elapsed() < Duration::from_secs(25));
    // The address is free again.
    let (resp, _) = exchange(
        s.addr,
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status_of(&resp), 200, "{resp}");
    assert_serving(&s);
}

/// Finding 4: ambiguous framing is refused with 400 (501 for a coding we do not implement) and the
/// connection closed, so the request smuggled behind it is never answered.
#[test]
fn request_smuggling_shapes_are_refused_and_close_the_connection() {
    let s = Server::start(&[]);
    let smuggled = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let cases: [(&str, &str, u16); 13] = [
        ("Content-Length: abc\r\n", "", 400),
        ("Content-Length: -1\r\n", "", 400),
        ("Content-Length: +2\r\n", "{}", 400),
        ("Content-Length: 99999999999999999999999\r\n", "", 400),
        ("Content-Length: 2\r\nContent-Length: 3\r\n", "{}", 400),
        ("Content-Length: 2, 2\r\n", "{}", 400),
        (
            "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
            "0\r\n\r\n",
            400,
        ),
        (
            "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n",
            "0\r\n\r\n",
            400,
        ),
        ("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n", 501),
        ("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n", 400),
        ("Transfer-Encoding: xchunked\r\n", "0\r\n\r\n", 400),
        (
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            "0\r\n\r\n",
            400,
        ),
        ("Host: evil.example\r\n", "", 400),
    ];
    for (headers, body, want) in cases {
        let req = format!(
            "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n{headers}\r\n{body}{smuggled}"
        );
        let (resp, closed) = exchange(s.addr, req.as_bytes());
        assert_eq!(status_of(&resp), want, "{headers:?}: {resp}");
        assert_eq!(
            responses_in(&resp),
            1,
            "{headers:?}: the smuggled request was answered: {resp}"
        );
        assert!(closed, "{headers:?}: connection left open");
        assert_security_headers(&resp);
    }
    // HTTP/1.0 has no Transfer-Encoding.
    let (resp, closed) = exchange(
        s.addr,
        format!("POST /mcp HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smuggled}").as_bytes(),
    );
    assert_eq!(
        (status_of(&resp), responses_in(&resp), closed),
        (400, 1, true),
        "{resp}"
    );
    // A malformed chunked body: 400, closed, nothing after it served.
    let body = stateless_post(&json!({}), "");
    let head = String::from_utf8_lossy(&body);
    let head = head.split("Content-Length").next().unwrap();
    let (resp, closed) = exchange(
        s.addr,
        format!("{head}Transfer-Encoding: chunked\r\n\r\n+2\r\n{{}}\r\n0\r\n\r\n{smuggled}")
            .as_bytes(),
    );
    assert_eq!(
        (status_of(&resp), responses_in(&resp), closed),
        (400, 1, true),
        "{resp}"
    );
    // A valid chunked body is served, and so is a pipelined request after it.
    let msg = crate::support::stateless_body(5, "tools/list", json!({})).to_string();
    let (resp, _) = exchange(
        s.addr,
        format!("{head}Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{msg}\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", msg.len()).as_bytes(),
    );
    assert_eq!(responses_in(&resp), 2, "{resp}");
    assert_eq!(status_of(&resp), 200, "{resp}");
    assert_serving(&s);
}

/// Finding 4: a body the client stops short of its declared `Content-Length` (then half-closes) is a
/// broken request (400), never served as if it were whole.
#[test]
fn a_body_shorter_than_its_declared_length_is_refused() {
    let s = Server::start(&[]);
    let body = crate::support::stateless_body(1, "tools/list", json!({})).to_string();
    let mut req = stateless_post(&json!(null), "");
    // The head of `stateless_post` with a length 5 bytes longer than the body that follows.
    let head = String::from_utf8_lossy(&req).into_owned();
    let head = head.split("Content-Length").next().unwrap().to_string();
    req = format!("{head}Content-Length: {}\r\n\r\n{body}", body.len() + 5).into_bytes();
    let mut c = connect(s.addr);
    c.write_all(&req).unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let (resp, closed) = read_until_closed(&mut c);
    assert_eq!(status_of(&resp), 400, "{resp}");
    assert!(closed);
    assert_serving(&s);
}

/// Finding 8: header values with control characters are refused when read (an Origin with CR, LF,
/// NUL or another control character never reaches `Access-Control-Allow-Origin`).
#[test]
fn control_characters_in_headers_are_refused_and_never_reflected() {
    let s = Server::start(&[("CORS_ORIGIN", "http://localhost:5173")]);
    for bad in ["\x00", "\x01", "\x0b", "\x7f", "\rSet-Cookie: a=b", "\r"] {
        let req = format!(
            "OPTIONS /mcp HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:5173{bad}\r\n\r\n"
        );
        let (resp, closed) = exchange(s.addr, req.as_bytes());
        assert_eq!(status_of(&resp), 400, "{bad:?}: {resp}");
        assert!(closed);
        assert!(
            !resp
                .to_ascii_lowercase()
                .contains("access-control-allow-origin"),
            "{resp}"
        );
        assert!(!resp.contains("Set-Cookie"), "{resp}");
    }
    // The same allowed origin, clean, is reflected.
    let ok = s.client().request(
        "OPTIONS",
        "/mcp",
        &[("Origin", "http://localhost:5173")],
        "",
    );
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_serving(&s);
}

/// Finding 9: every route checks Host (DNS rebinding), with the platform health checker's host
/// accepted on the health paths, and the host of MCP_PUBLIC_URL accepted everywhere.
#[test]
fn every_route_checks_host_with_health_checkers_and_the_public_url_allowed() {
    let s = Server::start(&[("MCP_PUBLIC_URL", "http://mcp.example.org:3000")]);
    let c = s.client();
    for path in [
        "/",
        "/health",
        "/health/live",
        "/healthz",
        "/metrics",
        "/scaling",
        "/mcp",
        "/nope",
    ] {
        let r = c.request("GET", path, &[("Host", "attacker.example")], "");
        assert_eq!(r.status, 403, "{path}: {r:?}");
        assert!(r.header("x-content-type-options").is_some());
    }
    for path in ["/health", "/health/live", "/healthz"] {
        let r = c.request("GET", path, &[("Host", "healthcheck.railway.app")], "");
        assert_eq!(r.status, 200, "{path}");
    }
    for path in ["/metrics", "/scaling", "/"] {
        let r = c.request("GET", path, &[("Host", "healthcheck.railway.app")], "");
        assert_eq!(r.status, 403, "{path}");
    }
    for path in ["/health", "/metrics", "/"] {
        let r = c.request("GET", path, &[("Host", "mcp.example.org")], "");
        assert_eq!(r.status, 200, "{path}");
    }
    let r = c.request(
        "POST",
        "/mcp",
        &[
            ("Host", "mcp.example.org"),
            ("Content-Type", "application/json"),
            ("Accept", ACCEPT),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "server/discover"),
        ],
        &crate::support::stateless_body(1, "server/discover", json!({})).to_string(),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

/// Finding 10: the connection cap's 503 and the busy 503 carry the security headers too.
#[test]
fn refusals_at_the_caps_carry_the_security_headers() {
    let s = Server::start(&[
        ("MCP_MAX_CONNECTIONS", "2"),
        ("MCP_WORKERS", "1"),
        ("MCP_MAX_QUEUE", "0"),
    ]);
    let held: Vec<TcpStream> = (0..2).map(|_| connect(s.addr)).collect();
    std::thread::sleep(Duration::from_millis(100));
    let (resp, closed) = exchange(s.addr, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(status_of(&resp), 503, "{resp}");
    assert!(closed);
    assert_security_headers(&resp);
    drop(held);
    std::thread::sleep(Duration::from_millis(200));
    // Busy: the only worker runs a slow call; the next call is refused.
    let c = s.client();
    let slow = std::thread::spawn(move || {
        c.stateless(
            1,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "s", "delayMs": 1500}}),
        )
    });
    let mut refused = None;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(30));
        let mut conn = connect(s.addr);
        conn.write_all(&stateless_post(
            &crate::support::stateless_body(2, "tools/list", json!({})),
            "Connection: close\r\n",
        ))
        .unwrap();
        let (resp, _) = read_until_closed(&mut conn);
        if status_of(&resp) == 503 {
            refused = Some(resp);
            break;
        }
    }
    let resp = refused.expect("no busy 503 while the only worker was taken");
    assert_security_headers(&resp);
    assert!(resp.to_ascii_lowercase().contains("retry-after: 1"));
    assert_eq!(slow.join().unwrap().status, 200);
}

/// Finding 6: a body of many tiny JSON values is refused before it is parsed, at the default body
/// limit, eight at once; the server's memory after the burst is back near where it was.
#[test]
fn json_amplification_is_refused_before_parsing_and_memory_returns() {
    let s = Server::start(&[("LOG_LEVEL", "info")]);
    let pid = s.child.id();
    assert_serving(&s);
    let before = rss_kib(pid);
    let mut body = String::with_capacity(1024 * 1024);
    body.push('[');
    while body.len() < 1024 * 1024 - 4 {
        body.push_str("0,");
    }
    body.push('0');
    body.push(']');
    assert!(body.len() <= 1024 * 1024);
    for _ in 0..3 {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let addr = s.addr;
                let body = body.clone();
                std::thread::spawn(move || {
                    let req = format!(
                        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    exchange(addr, req.as_bytes()).0
                })
            })
            .collect();
        for h in handles {
            let resp = h.join().unwrap();
            assert_eq!(status_of(&resp), 413, "{}", &resp[..resp.len().min(300)]);
            assert!(resp.contains("MCP_MAX_JSON_VALUES"));
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kib(pid);
    assert!(
        after <= before + before / 5,
        "RSS {before} KiB before the burst, {after} KiB after"
    );
    // Long text in few values is fine: the bound is on values, not on bytes.
    let text = "x".repeat(900 * 1024);
    let r = s.client().stateless(
        3,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": text}}),
    );
    assert_eq!(r.status, 200);
    assert_serving(&s);
}

/// Finding 5: a 2025-03-26 batch runs under one deadline for the whole POST, and all of its messages
/// share one budget of HubSpot calls (MCP_MAX_HUBSPOT_CALLS_PER_REQUEST).
#[test]
fn a_batch_shares_one_deadline_and_one_hubspot_call_budget() {
    let crm = crate::support::Crm::start(&[
        ("MCP_REQUEST_TIMEOUT_MS", "1500"),
        ("MCP_MAX_HUBSPOT_CALLS_PER_REQUEST", "5"),
    ]);
    let c = crm.mcp.client();
    let (sid, _) = c.initialize("2025-03-26");
    let batch = |calls: Vec<Value>| -> Vec<Value> {
        let body: Vec<Value> = calls
            .into_iter()
            .enumerate()
            .map(|(i, p)| json!({"jsonrpc":"2.0","id":i,"method":"tools/call","params":p}))
            .collect();
        let r = c.post(&[("Mcp-Session-Id", &sid)], &Value::Array(body));
        assert_eq!(r.status, 200, "{r:?}");
        r.json().as_array().unwrap().clone()
    };
    // Ten calls of 400 ms each cannot all finish within one 1.5 s deadline.
    let out = batch(
        (0..10)
            .map(|_| json!({"name": "echo", "arguments": {"text": "t", "delayMs": 400}}))
            .collect(),
    );
    assert_eq!(out.len(), 10);
    let done = out
        .iter()
        .filter(|r| r["result"]["isError"] == false)
        .count();
    let late = out
        .iter()
        .filter(|r| {
            r["result"]["content"][0]["text"]
                .as_str()
                .is_some_and(|t| t.contains("ran out of time"))
        })
        .count();
    assert!(
        done <= 4,
        "{done} calls of 400 ms finished under a 1.5 s deadline: {out:?}"
    );
    assert_eq!(done + late, 10, "{out:?}");
    // Forty searches that would each page through results share five HubSpot calls.
    let before = crm.sb.stats()["total"].as_u64().unwrap();
    let out = batch(
        (0..40)
            .map(|_| json!({"name": "hubspot_search_records", "arguments": {"objectType": "contacts", "maxResults": 1000}}))
            .collect(),
    );
    let made = crm.sb.stats()["total"].as_u64().unwrap() - before;
    assert!(
        made <= 5,
        "{made} HubSpot calls for one POST with a budget of 5"
    );
    let spent = out
        .iter()
        .filter(|r| {
            r["result"]["content"][0]["text"]
                .as_str()
                .is_some_and(|t| t.contains("MCP_MAX_HUBSPOT_CALLS_PER_REQUEST"))
        })
        .count();
    assert!(spent >= 35, "{spent} of 40 calls named the spent budget");
    // The next POST has a budget of its own.
    let out = batch(vec![
        json!({"name": "hubspot_get_record", "arguments": {"objectType": "contacts", "id": "101"}}),
    ]);
    assert_eq!(out[0]["result"]["isError"], false, "{out:?}");
}

/// Finding 5: when the client of a batch disconnects, its remaining messages are not run (no more
/// HubSpot calls on its behalf).
#[test]
fn a_batch_stops_when_its_client_disconnects() {
    let crm = crate::support::Crm::start(&[("MCP_REQUEST_TIMEOUT_MS", "30000")]);
    let c = crm.mcp.client();
    let (sid, _) = c.initialize("2025-03-26");
    crm.sb.faults(json!({"latencyMs": 300}));
    let body: Vec<Value> = (0..20)
        .map(|i| json!({"jsonrpc":"2.0","id":i,"method":"tools/call","params":{"name": "hubspot_get_record", "arguments": {"objectType": "contacts", "id": "101"}}}))
        .collect();
    let body = Value::Array(body).to_string();
    let before = crm.sb.stats()["total"].as_u64().unwrap();
    let mut conn = connect(crm.mcp.addr);
    conn.write_all(
        format!(
            "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\nMcp-Session-Id: {sid}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    drop(conn);
    // Twenty calls of 300 ms would take 6 s; wait well past the few that were under way.
    std::thread::sleep(Duration::from_millis(2500));
    let made = crm.sb.stats()["total"].as_u64().unwrap() - before;
    assert!(
        made < 10,
        "{made} of 20 HubSpot calls made for a client that left after 0.7 s"
    );
    crm.sb.faults(json!({}));
    assert!(
        crm.mcp.wait_log("client gone"),
        "no log line says the batch stopped"
    );
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// What a client sees when it reuses a connection after `resp`: the connection must stay open for a
/// next request unless the response said `Connection: close`, and must close when it said so (RFC
/// 9112 §9.6). Returns the follow-up's status (`None`: the connection was closed).
fn follow_up(c: &mut TcpStream) -> Option<u16> {
    let _ = c.write_all(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let mut first = [0u8; 1];
    match c.peek(&mut first) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(crate::support::read_response(c).status),
    }
}

/// Every response after which the server shuts the connection down says `Connection: close`, and every
/// other one leaves the connection serving: a keep-alive client (httpx, undici) reuses a connection
/// whose last response did not say close, and a shut one answers its next request with nothing
/// ("Server disconnected without sending a response"). Refusals before the body is read (401, 413),
/// refusals of the head (400), answers that need no body and full MCP replies alike.
#[test]
fn a_connection_closes_after_a_response_only_when_the_response_says_so() {
    let jwt = jwt_server(&[("MCP_MAX_BODY_BYTES", "2048")]);
    let demo = Server::start(&[("MCP_MAX_BODY_BYTES", "2048")]);
    let list = stateless_post(
        &crate::support::stateless_body(1, "tools/list", json!({})),
        "",
    );
    let post_to = |host: &str, extra: &str, body: &str| {
        format!(
            "POST /mcp HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    let post = |extra: &str, body: &str| post_to("localhost", extra, body);
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
    let cases: Vec<(&str, &Server, Vec<u8>, u16)> = vec![
        ("no token, small body", &jwt, post("", init), 401),
        (
            "a bad token",
            &jwt,
            post("Authorization: Bearer not-a-jwt\r\n", init),
            401,
        ),
        (
            "body over the bound, unread",
            &demo,
            format!(
                "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\nContent-Length: 999999\r\n\r\n"
            )
            .into_bytes(),
            413,
        ),
        (
            "a bad head",
            &demo,
            b"GET / HTTP/1.1 extra\r\nHost: localhost\r\n\r\n".to_vec(),
            400,
        ),
        (
            "health",
            &demo,
            b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
            200,
        ),
        (
            "health without a token",
            &jwt,
            b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
            200,
        ),
        ("tools/list", &demo, list, 200),
        ("not JSON", &demo, post("", "{nope"), 400),
        (
            "an unknown path with a body",
            &demo,
            b"POST /nowhere HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello".to_vec(),
            404,
        ),
        (
            "a wrong Host",
            &demo,
            post_to("evil.example", "", init),
            403,
        ),
    ];
    for (what, s, bytes, want) in cases {
        let mut c = connect(s.addr);
        c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        c.write_all(&bytes).unwrap();
        let resp = crate::support::read_response(&mut c);
        assert_eq!(resp.status, want, "{what}: {}", resp.body);
        let says_close = resp
            .headers
            .get("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let next = follow_up(&mut c);
        if says_close {
            assert_eq!(
                next, None,
                "{what}: said close, then answered on the connection"
            );
        } else {
            assert_eq!(
                next,
                Some(200),
                "{what}: did not say `Connection: close`, then left the next request unanswered"
            );
        }
    }
    assert_serving(&demo);
}
