use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use hubspot_mcp::app::App;
use hubspot_mcp::config::{Config, Purpose, RawEnv};
use hubspot_mcp::http::message::{Req, Verb};
use hubspot_mcp::tools::{Annotations, Family, Tool, ToolContext, ToolDef, ToolError, ToolOutput};
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
    let h = read_all(&mut head);
    assert!(h.is_empty() || h.starts_with("HTTP/1.1 408"), "{h:?}");
    let b = read_all(&mut body);
    assert!(b.starts_with("HTTP/1.1 408"), "{b:?}");
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
    let _a = raw(s.addr, b"");
    let _b = raw(s.addr, b"");
    std::thread::sleep(Duration::from_millis(200));
    let mut third = raw(s.addr, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let r = read_all(&mut third);
    assert!(r.starts_with("HTTP/1.1 503"), "{r:?}");
    assert!(r.contains("Retry-After"));
    drop((_a, _b));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(s.client().request("GET", "/health", &[], "").status, 200);
}

struct Boom;

impl Tool for Boom {
    fn def(&self) -> ToolDef {
        ToolDef {
            name: "boom",
            title: "Boom",
            description:
                "Panics, to prove a panicking handler becomes a 500 and the server lives on.",
            family: Family::Diagnostics,
            annotations: Annotations {
                read_only: true,
                destructive: false,
                idempotent: true,
                open_world: false,
            },
            input_schema: json!({"type":"object","properties":{}}),
            output_schema: None,
        }
    }
    fn call(&self, _: Value, _: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        panic!("boom on purpose")
    }
}

#[test]
fn a_panicking_handler_becomes_500_and_minus_32603() {
    let cfg =
        Config::from_raw(&RawEnv::from_pairs([("LOG_LEVEL", "error")]), Purpose::Demo).unwrap();
    let app = Arc::new(App::with_tools(cfg, vec![Box::new(Boom)], None));
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
fn the_worker_pool_starts_small_and_grows_on_demand() {
    let s = Server::start(&[]);
    let workers = |s: &Server| -> f64 {
        let m = s.client().request("GET", "/metrics", &[], "").body;
        m.lines()
            .find_map(|l| l.strip_prefix("mcp_workers_started "))
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1.0)
    };
    assert_eq!(workers(&s), 4.0, "an idle server starts 4 workers");
    // 20 calls that each hold a worker for 700 ms, all at once: none waits for another.
    let started = std::time::Instant::now();
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let c = s.client();
            std::thread::spawn(move || {
                c.stateless(
                    i,
                    "tools/call",
                    json!({"name": "echo", "arguments": {"text": "x", "delayMs": 700}}),
                )
                .status
            })
        })
        .collect();
    for c in calls {
        assert_eq!(c.join().unwrap(), 200);
    }
    let took = started.elapsed();
    let grown = workers(&s);
    assert!((20.0..=64.0).contains(&grown), "workers started: {grown}");
    // Four workers would have needed five rounds (3.5 s).
    assert!(
        took < Duration::from_millis(3000),
        "the calls queued: {took:?}"
    );
}
