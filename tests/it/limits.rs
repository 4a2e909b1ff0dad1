use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubspot_mcp::app::App;
use hubspot_mcp::config::{Config, Purpose, RawEnv};
use hubspot_mcp::http::message::{Req, Verb};
use hubspot_mcp::tools::{
    Annotations, Family, MissingDef, Tool, ToolContext, ToolDef, ToolError, ToolOutput,
};
use serde_json::{json, Value};

use crate::support::{Server, ACCEPT};

fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(bytes).unwrap();
    s
}

fn read_all(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads until the server closes the connection (at most the socket's read timeout): everything it
/// answered, and whether the stream ended (EOF or reset) rather than the read timing out.
pub(crate) fn read_until_closed(s: &mut TcpStream) -> (String, bool) {
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

/// The status code of the first response in `resp` (0 when there is none).
pub(crate) fn status_of(resp: &str) -> u16 {
    if !resp.starts_with("HTTP/1.1 ") {
        return 0;
    }
    resp.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// How many responses `resp` holds.
pub(crate) fn responses_in(resp: &str) -> usize {
    resp.matches("HTTP/1.1 ").count()
}

/// The security headers every response carries, refusals written before any handler runs included.
pub(crate) const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    ("cross-origin-resource-policy", "same-origin"),
    ("cache-control", "no-store"),
];

/// Every security header, with its value, in the head of the first response in `resp`.
pub(crate) fn assert_security_headers(resp: &str) {
    let head = resp.split("\r\n\r\n").next().unwrap_or("");
    let lines: Vec<String> = head.lines().map(|l| l.to_ascii_lowercase()).collect();
    for (h, v) in SECURITY_HEADERS {
        let want = format!("{h}: {}", v.to_ascii_lowercase());
        assert!(lines.contains(&want), "{h}: {v} missing in {head}");
    }
}

/// A sample of /metrics (-1 when it is missing).
pub(crate) fn metric(s: &Server, name: &str) -> f64 {
    let m = s.client().request("GET", "/metrics", &[], "");
    assert_eq!(m.status, 200, "{m:?}");
    m.body
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1.0)
}

#[test]
fn a_full_worker_pool_answers_503_at_once_and_recovers() {
    let s = Server::start(&[("MCP_WORKERS", "1"), ("MCP_MAX_QUEUE", "0")]);
    let c = s.client();
    // Stateless requests: one HTTP request each, so no earlier request can still hold the worker.
    let mut body = crate::support::stateless_body(
        2,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "s", "delayMs": 1000, "steps": 10}}),
    );
    body["params"]["_meta"]["progressToken"] = json!(1);
    let headers = [
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "echo"),
    ];
    let mut slow = crate::streaming::Stream::open(&c, &headers, &body);
    assert!(slow.head.starts_with("HTTP/1.1 200"), "{}", slow.head);
    // The first event arrived: the call surely occupies the only worker now.
    assert_eq!(
        slow.next_event().unwrap()["method"],
        "notifications/progress"
    );
    let busy = c.stateless(3, "tools/list", json!({}));
    assert_eq!(busy.status, 503, "{busy:?}");
    assert_eq!(busy.header("retry-after"), Some("1"));
    assert!(busy.body.contains("busy"));
    let mut last = Value::Null;
    while let Some(e) = slow.next_event() {
        last = e;
    }
    assert_eq!(last["result"]["content"][0]["text"], "s");
    // Free again: served (the worker may need a moment to finish writing the stream).
    let served = (0..100).any(|_| {
        let ok = c.stateless(4, "tools/list", json!({})).status == 200;
        if !ok {
            std::thread::sleep(Duration::from_millis(20));
        }
        ok
    });
    assert!(served);
}

#[test]
fn slow_clients_are_cut_off_while_others_are_served() {
    // Heads are cut at min(MCP_HEAD_TIMEOUT_MS, MCP_READ_TIMEOUT_MS), bodies at MCP_READ_TIMEOUT_MS in all:
    // 400 ms each here.
    let s = Server::start(&[("MCP_READ_TIMEOUT_MS", "400")]);
    let c = s.client();
    // Slow headers: never finished.
    let mut head = raw(s.addr, b"POST /mcp HTTP/1.1\r\nHost: localhost\r\n");
    // Slow body: 10 of 100 bytes.
    let mut body = raw(
        s.addr,
        format!("POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\nContent-Length: 100\r\n\r\n0123456789").as_bytes(),
    );
    // Meanwhile a well-behaved client is served.
    for _ in 0..5 {
        assert_eq!(
            c.post(&[], &crate::support::init_body("2025-06-18")).status,
            200
        );
    }
    // Each is answered 408 with the security headers and closed by the server (end of stream, not
    // this client's own 10 s read timeout).
    let (h, closed) = read_until_closed(&mut head);
    assert_eq!(status_of(&h), 408, "{h:?}");
    assert!(
        closed,
        "the server kept a cut-off head's connection open: {h:?}"
    );
    assert_security_headers(&h);
    assert!(h.contains("head did not arrive in time"), "{h:?}");
    assert_eq!(responses_in(&h), 1, "{h:?}");
    let (b, closed) = read_until_closed(&mut body);
    assert_eq!(status_of(&b), 408, "{b:?}");
    assert!(
        closed,
        "the server kept a cut-off body's connection open: {b:?}"
    );
    assert_security_headers(&b);
    assert!(b.contains("body did not arrive within 400 ms"), "{b:?}");
    assert_eq!(responses_in(&b), 1, "{b:?}");
    assert_eq!(c.request("GET", "/health", &[], "").status, 200);
}

#[test]
fn oversized_request_heads_get_431() {
    let s = Server::start(&[]);
    let long = format!(
        "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "a".repeat(10_000)
    );
    assert!(read_all(&mut raw(s.addr, long.as_bytes())).starts_with("HTTP/1.1 431"));
    let mut many = String::from("GET /health HTTP/1.1\r\nHost: localhost\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    assert!(read_all(&mut raw(s.addr, many.as_bytes())).starts_with("HTTP/1.1 431"));
    assert_eq!(s.client().request("GET", "/health", &[], "").status, 200);
}

#[test]
fn connections_over_the_cap_get_503() {
    let s = Server::start(&[("MCP_MAX_CONNECTIONS", "2")]);
    let a = raw(s.addr, b"");
    let b = raw(s.addr, b"");
    // Once the server has taken both idle connections, a third is refused at once. Until then it may
    // still be served: try again (bounded) rather than guess how long accepting takes.
    let end = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    let refused = loop {
        let mut third = raw(
            s.addr,
            b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        );
        let (r, closed) = read_until_closed(&mut third);
        let status = status_of(&r);
        seen.push(status);
        if status == 503 {
            assert!(closed, "{r:?}");
            break r;
        }
        assert_eq!(status, 200, "{r:?}");
        assert!(Instant::now() < end, "never refused over the cap: {seen:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(refused.contains("Retry-After: "), "{refused:?}");
    assert_security_headers(&refused);
    assert_eq!(responses_in(&refused), 1, "{refused:?}");
    // Both slots come back once the idle connections are gone.
    drop((a, b));
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let mut s1 = raw(s.addr, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        let mut s2 = raw(s.addr, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        let (r1, r2) = (
            crate::support::read_response(&mut s1).status,
            crate::support::read_response(&mut s2).status,
        );
        if (r1, r2) == (200, 200) {
            break;
        }
        assert!(Instant::now() < end, "the slots never came back: {r1} {r2}");
        drop((s1, s2));
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Boom;

impl Tool for Boom {
    fn def(&self) -> Result<ToolDef, MissingDef> {
        Ok(ToolDef {
            name: "boom",
            description:
                "Panics, to prove a panicking handler becomes a 500 and the server lives on.",
            family: Family::Diagnostics,
            annotations: Annotations {
                read_only: true,
                destructive: false,
                idempotent: true,
                open_world: false,
            },
            input_schema: json!({"type":"object","properties":{}}).into(),
        })
    }
    fn call(&self, _: Value, _: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        panic!("boom on purpose")
    }
}

#[test]
fn a_panicking_handler_becomes_500_and_minus_32603() {
    let cfg =
        Config::from_raw(&RawEnv::from_pairs([("LOG_LEVEL", "error")]), Purpose::Demo).unwrap();
    let app = Arc::new(App::with_tools(cfg, vec![Box::new(Boom)], None).unwrap());
    let body = crate::support::stateless_body(77, "tools/call", json!({"name": "boom"}));
    let req = Req::new(Verb::Post, "/mcp")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "boom")
        .body(body.to_string());
    let reply = hubspot_mcp::http::server::handle(&app, &req);
    assert_eq!(reply.status, 500);
    let v: Value = serde_json::from_str(&reply.body_text()).unwrap();
    assert_eq!(
        (v["id"].clone(), v["error"]["code"].clone()),
        (json!(77), json!(-32603))
    );
    assert_eq!(app.metrics.snapshot().panics, 1);
    // The same state keeps serving.
    let ok = hubspot_mcp::http::server::handle(
        &app,
        &Req::new(Verb::Get, "/health/live").header("host", "localhost"),
    );
    assert_eq!(ok.status, 200);
}

#[test]
fn a_huge_declared_body_gets_413_at_once_and_the_server_lives_on() {
    let s = Server::start(&[]);
    let mut c = raw(
        s.addr,
        b"POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000000000000000\r\n\r\n{",
    );
    let r = read_all(&mut c);
    assert!(r.starts_with("HTTP/1.1 413"), "{r:?}");
    assert_eq!(s.client().request("GET", "/health", &[], "").status, 200);
}

#[test]
fn twenty_calls_run_at_once_each_on_the_thread_that_read_it() {
    let s = Server::start(&[]);
    assert_eq!(
        metric(&s, "mcp_workers_started"),
        1.0,
        "an idle server starts 1 pool worker (more on demand)"
    );
    let c = s.client();
    let (sid, _) = c.initialize("2025-06-18");
    // 20 calls that each hold a worker (10 s, until cancelled below), all at once.
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let (c, sid) = (c.clone(), sid.clone());
            std::thread::spawn(move || {
                c.call(
                    &sid,
                    "2025-06-18",
                    100 + i,
                    "tools/call",
                    json!({"name": "echo", "arguments": {"text": "x", "delayMs": 10000}}),
                )
            })
        })
        .collect();
    // None waits for another: all twenty run at the same moment, none is queued. (/metrics is answered
    // on the connection's thread, so it needs no place.)
    let end = Instant::now() + Duration::from_secs(9);
    let (in_flight, queued) = loop {
        let now = (
            metric(&s, "mcp_http_requests_in_flight"),
            metric(&s, "mcp_http_requests_queued"),
        );
        if now.0 >= 20.0 || Instant::now() > end {
            break now;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        (in_flight, queued),
        (20.0, 0.0),
        "the calls did not all run at once"
    );
    // Each ran on its connection's thread (issue #14: one thread per request): the pool, there for
    // requests that must wait for a place, was not needed and did not grow.
    assert_eq!(metric(&s, "mcp_workers_started"), 1.0);
    // Done: cancel them; each is answered (cancelled, or its result if it was already finishing).
    for i in 0..20 {
        let r = c.post(
            &[("Mcp-Session-Id", &sid)],
            &json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId": 100 + i}}),
        );
        assert_eq!(r.status, 202, "{r:?}");
    }
    for (i, t) in calls.into_iter().enumerate() {
        let r = t.join().unwrap();
        assert_eq!(r.status, 200, "call {i}: {r:?}");
        let v = r.json();
        assert!(
            v["error"]["code"] == -32800 || v["result"]["content"][0]["text"] == "x",
            "call {i}: {v}"
        );
    }
}

/// `MCP_WORKERS` bounds the requests served at once, wherever they run (on their connection's thread
/// or, once every place is taken, queued in the pool); `MCP_MAX_QUEUE` bounds the waiting; past both,
/// 503. Then every one is answered.
#[test]
fn workers_bound_what_runs_at_once_and_the_queue_what_waits() {
    let s = Server::start(&[("MCP_WORKERS", "2"), ("MCP_MAX_QUEUE", "3")]);
    let c = s.client();
    let calls: Vec<_> = (0..5)
        .map(|i| {
            let c = c.clone();
            std::thread::spawn(move || {
                c.stateless(
                    10 + i,
                    "tools/call",
                    json!({"name": "echo", "arguments": {"text": "q", "delayMs": 1500}}),
                )
            })
        })
        .collect();
    let end = Instant::now() + Duration::from_secs(5);
    let seen = loop {
        let now = (
            metric(&s, "mcp_http_requests_in_flight"),
            metric(&s, "mcp_http_requests_queued"),
        );
        if now.0 + now.1 >= 5.0 || Instant::now() > end {
            break now;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(seen, (2.0, 3.0), "two served at once, three waiting");
    let busy = c.stateless(20, "tools/list", json!({}));
    assert_eq!(busy.status, 503, "{busy:?}");
    for h in calls {
        let r = h.join().unwrap();
        assert_eq!(r.json()["result"]["content"][0]["text"], "q", "{r:?}");
    }
    assert_eq!(c.stateless(21, "tools/list", json!({})).status, 200);
}
