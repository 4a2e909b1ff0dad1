//! The request path in process: the JSON-RPC envelope alone, then whole stateless (2026-07-28) requests
//! through `http::server::handle` (the gate, Streamable HTTP, dispatch, the tool), exactly what a worker
//! runs for a request whose body is read, with no socket on the client's side. The HubSpot tool calls
//! the built-in sandbox over loopback through the real HubSpot client (the sandbox's threads run in
//! this process, as under `serve --demo`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use hubspot_mcp::config::Purpose;
use hubspot_mcp::http::message::{Req, Verb};
use hubspot_mcp::mcp::jsonrpc;
use serde_json::json;

fn envelope(c: &mut Criterion) {
    let body = support::stateless_body(
        7,
        "tools/call",
        json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts", "limit": 10}}),
    );
    let bytes = body.as_bytes();
    c.bench_function("envelope/count + parse + check a tools/call", |b| {
        b.iter(|| {
            jsonrpc::check_size(black_box(bytes), 10_000).unwrap();
            let jsonrpc::Body::Single(v) = jsonrpc::parse_body(black_box(bytes)).unwrap() else {
                panic!("one message")
            };
            black_box(jsonrpc::parse_message(v).unwrap());
        })
    });
}

fn requests(c: &mut Criterion) {
    let sandbox = support::sandbox();
    let env = support::server_env(&sandbox.base_url());
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = hubspot_mcp::bench_support::app(Purpose::Serve, &pairs).unwrap();
    let mut g = c.benchmark_group("dispatch");
    for (i, (label, method, name, params)) in support::requests().into_iter().enumerate() {
        let mut req = Req::new(Verb::Post, "/mcp")
            .header("Host", "127.0.0.1:3000")
            .body(support::stateless_body(i as i64 + 1, method, params));
        for (k, v) in support::stateless_headers(method, name) {
            req = req.header(k, &v);
        }
        let first = hubspot_mcp::http::server::handle(&app, &req);
        let text = first.body_text();
        assert_eq!(first.status, 200, "{label}: {text}");
        assert!(!text.contains("\"isError\":true"), "{label}: {text}");
        g.bench_function(label, |b| {
            b.iter(|| black_box(hubspot_mcp::http::server::handle(&app, black_box(&req))))
        });
    }
    g.finish();
}

criterion_group!(benches, envelope, requests);
criterion_main!(benches);
