//! Mutation fuzzing of every parser, on stable Rust, bounded in count and time.
//!
//! Each target starts from a corpus of valid inputs (what real clients send) and feeds it mutated
//! versions: bit flips, byte insertions and deletions, splices of other corpus entries, and tokens from a
//! dictionary (JSON punctuation, MCP field names, huge numbers, deep nesting, odd Unicode, header
//! separators). The whole request path is fuzzed in memory through `http::server::handle`, the real
//! entry point of every request: Host / Origin / Accept / Content-Type checks, bearer tokens, session and
//! protocol headers, `Mcp-Name` base64, the JSON-RPC envelope, `_meta`, cursors, every tool's arguments,
//! resources and prompts. Invariants: no panic (the handler counts caught panics: it must stay 0), a
//! status from the set this server sends, JSON bodies that parse, JSON-RPC error codes from the set it
//! uses. The standalone parsers (configuration, JWKS, JWT headers, CLI, header values, X-Forwarded-For,
//! Accept-Encoding, Redis replies and URLs) get their own targets, and the HTTP layer (tiny_http's head parsing, our body
//! limits) and the HubSpot sandbox are fuzzed over loopback against running servers, which must keep
//! answering afterwards.
//!
//! `FUZZ_ITERS` (per target, default 25,000; an eighth of it for the loopback targets) and `FUZZ_SEED` (default: fixed, so CI is reproducible; set
//! it to explore) bound and steer a run; a failing input is printed with the seed that found it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    dead_code
)]

#[path = "../it/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubspot_mcp::app::App;
use hubspot_mcp::config::{Config, Purpose, RawEnv};
use hubspot_mcp::http::message::{ReplyBody, Req, Verb};
use serde_json::{json, Value};
use support::Server;

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn iters() -> usize {
    std::env::var("FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25_000)
}

fn seed(target: &str) -> u64 {
    let base = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_0001u64);
    target.bytes().fold(base, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Tokens worth splicing in: JSON structure, MCP and HubSpot names, edge values.
const DICT: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "false", "0", "-1",
    "1e309", "-0", "18446744073709551616", "9007199254740993", "0.0000001", "\"jsonrpc\"", "\"2.0\"",
    "\"id\"", "\"method\"", "\"params\"", "\"_meta\"", "\"tools/call\"", "\"tools/list\"", "\"initialize\"",
    "\"name\"", "\"arguments\"", "\"cursor\"", "\"uri\"", "\"progressToken\"", "\"objectType\"",
    "\"contacts\"", "\"filterGroups\"", "\"properties\"", "\"limit\"", "\"after\"", "\"ids\"",
    "\"io.modelcontextprotocol/protocolVersion\"", "\"2026-07-28\"", "\"2025-03-26\"",
    "\"hubspot://\"", "é", "\u{202e}", "\u{fffd}", "𝕏", "\r\n", "\n", "\0", " ", "=", ";", "q=0", "*",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "%00", "%2e%2e/", "../", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
];

/// One mutation of `input`, sometimes several stacked.
fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let t = rng.pick(DICT).as_bytes();
                out.splice(i..i, t.iter().copied());
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(16)).min(len);
                out.drain(a..b);
            }
            4 if !corpus.is_empty() => {
                // Splice: our head, another entry's tail.
                let other = rng.pick(corpus);
                let a = rng.below(len + 1);
                let b = rng.below(other.len() + 1);
                out.truncate(a);
                out.extend_from_slice(&other[b..]);
            }
            5 if len > 0 => {
                // Duplicate a slice (repetition breaks length and nesting assumptions).
                let a = rng.below(len);
                let b = (a + 1 + rng.below(32)).min(len);
                let piece = out[a..b].to_vec();
                out.splice(b..b, piece);
            }
            6 => out.truncate(rng.below(len + 1)),
            _ => {
                let i = rng.below(len + 1);
                out.insert(i, rng.next() as u8);
            }
        }
    }
    out
}

/// A structural mutant: the JSON part of `input` (all of it, or the body after a blank line) with one
/// node changed; `None` when there is no JSON to change.
fn mutate_structured(rng: &mut Rng, input: &[u8]) -> Option<Vec<u8>> {
    let t = std::str::from_utf8(input).ok()?;
    let (head, body) = match t.split_once("\n\n") {
        Some((h, b)) => (Some(h), b),
        None => (None, t),
    };
    let mut v: Value = serde_json::from_str(body).ok()?;
    for _ in 0..1 + rng.below(3) {
        mutate_json(rng, &mut v);
    }
    let body = v.to_string();
    Some(match head {
        // Keep the protocol headers in step with the body half the time, so the body reaches dispatch.
        Some(h) => format!("{h}\n\n{body}").into_bytes(),
        None => body.into_bytes(),
    })
}

/// Values a JSON leaf is replaced with: wrong types, extremes, odd strings, deep nesting.
fn odd_value(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(u64::MAX),
        4 => json!(1e308),
        5 => json!(""),
        6 => json!("x".repeat(1 + rng.below(70_000))),
        7 => json!(rng.pick(DICT).trim_matches('"')),
        8 => {
            let mut v = json!([]);
            for _ in 0..rng.below(200) {
                v = json!([v]);
            }
            v
        }
        9 => json!({}),
        10 => json!([1, "a", null, {"b": []}]),
        11 => json!(-0.0),
        12 => json!("\u{0}\u{202e}é𝕏"),
        _ => json!(rng.next() as i64),
    }
}

/// Replaces, removes or adds one node of a JSON document.
fn mutate_json(rng: &mut Rng, v: &mut Value) {
    // Collect the paths of every node, pick one.
    fn paths(v: &Value, here: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(here.clone());
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    here.push(k.clone());
                    paths(c, here, out);
                    here.pop();
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    here.push(i.to_string());
                    paths(c, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    let path = rng.pick(&all).clone();
    let pointer: String = path
        .iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect();
    let choice = rng.below(4);
    let odd = odd_value(rng);
    let key = rng
        .pick(&[
            "_meta",
            "cursor",
            "name",
            "arguments",
            "id",
            "uri",
            "properties",
            "limit",
            "after",
            "jsonrpc",
            "method",
        ])
        .to_string();
    if let Some(node) = v.pointer_mut(&pointer) {
        match (choice, node) {
            (0, Value::Object(m)) if !m.is_empty() => {
                let k = m
                    .keys()
                    .nth(rng.below(m.len()))
                    .cloned()
                    .unwrap_or_default();
                m.remove(&k);
            }
            (1, Value::Object(m)) => {
                m.insert(key, odd);
            }
            (2, Value::Array(a)) => a.push(odd),
            (_, n) => *n = odd,
        }
    }
}

/// Runs `f` on `iters()` mutants of the corpus; fails with the input on a panic or a broken invariant.
fn fuzz(target: &str, corpus: &[Vec<u8>], f: impl FnMut(&[u8]) -> Result<(), String>) {
    fuzz_weighted(target, corpus, corpus.len(), f)
}

/// [`fuzz`], drawing half of the mutants from the first `core` corpus entries.
fn fuzz_weighted(
    target: &str,
    corpus: &[Vec<u8>],
    core: usize,
    mut f: impl FnMut(&[u8]) -> Result<(), String>,
) {
    let s = seed(target);
    let mut rng = Rng::new(s);
    let started = Instant::now();
    let n = iters();
    for (i, c) in corpus.iter().enumerate() {
        if let Err(e) = f(c) {
            panic!(
                "{target}: corpus entry {i} breaks an invariant: {e}\ninput: {:?}",
                String::from_utf8_lossy(c)
            );
        }
    }
    for i in 0..n {
        // Half the time from the first `core` entries (the protocol's own shapes), so a corpus with many
        // similar entries (one per tool) does not drown them.
        let base = if rng.below(2) == 0 {
            rng.pick(&corpus[..core.min(corpus.len())]).clone()
        } else {
            rng.pick(corpus).clone()
        };
        let input = if rng.below(2) == 0 {
            mutate_structured(&mut rng, &base).unwrap_or_else(|| mutate(&mut rng, &base, corpus))
        } else {
            mutate(&mut rng, &base, corpus)
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&input)));
        let problem = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(e)) => e,
            Err(_) => "panicked".to_string(),
        };
        panic!(
            "{target}: iteration {i} (FUZZ_SEED base, target seed {s:#x}): {problem}\ninput ({} bytes): {:?}",
            input.len(),
            String::from_utf8_lossy(&input)
        );
    }
    let took = started.elapsed();
    eprintln!(
        "{target}: {n} mutants in {took:.1?} ({:.0} per second, target seed {s:#x})",
        n as f64 / took.as_secs_f64().max(1e-9)
    );
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---------------------------------------------------------------------------------------------------
// The whole request path, in memory.

const STATUSES: &[u16] = &[
    200, 202, 204, 400, 401, 403, 404, 405, 406, 413, 415, 429, 500, 503,
];
const RPC_CODES: &[i64] = &[
    -32700, -32600, -32601, -32602, -32603, -32000, -32001, -32002, -32020, -32022, -32800,
];

fn app_with(env: &[(&str, &str)]) -> Arc<App> {
    let mut pairs = vec![("LOG_LEVEL", "error"), ("RATE_LIMIT_MAX", "100000000")];
    pairs.extend_from_slice(env);
    let cfg = Config::from_raw(&RawEnv::from_pairs(pairs), Purpose::Demo).unwrap();
    let verifier = hubspot_mcp::auth::Verifier::from_config(&cfg).unwrap();
    Arc::new(App::new(cfg, None).unwrap().with_verifier(verifier))
}

/// A request as text: `METHOD PATH\nheader: value\n...\n\nbody`, so one byte string mutates all of it.
fn to_req(raw: &[u8]) -> Option<Req> {
    let s = text(raw);
    let (head, body) = s.split_once("\n\n").unwrap_or((&s, ""));
    let mut lines = head.lines();
    let first = lines.next()?;
    let (verb, target) = first.split_once(' ')?;
    let verb = match verb {
        "GET" => Verb::Get,
        "POST" => Verb::Post,
        "DELETE" => Verb::Delete,
        "OPTIONS" => Verb::Options,
        "HEAD" => Verb::Head,
        other => Verb::Other(other.to_string()),
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (target, None),
    };
    let mut req = Req::new(verb, path).body(body.as_bytes().to_vec());
    req.query = query;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            req = req.header(k.trim(), v.trim());
        }
    }
    Some(req)
}

/// How many entries of [`request_corpus`] come before the per-tool ones.
const CORE_REQUESTS: usize = 12;

fn request_corpus() -> Vec<Vec<u8>> {
    let h = "Host: 127.0.0.1:3000\nContent-Type: application/json\nAccept: application/json, text/event-stream";
    let st = "MCP-Protocol-Version: 2026-07-28";
    let meta = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#;
    let mut c: Vec<String> = vec![
        format!("POST /mcp\n{h}\n\n{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{{}},\"clientInfo\":{{\"name\":\"f\",\"version\":\"1\"}}}}}}"),
        format!("POST /mcp\n{h}\nMCP-Protocol-Version: 2025-03-26\n\n[{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{{}},\"clientInfo\":{{\"name\":\"f\",\"version\":\"1\"}}}}}},{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}}]"),
        format!("POST /mcp\n{h}\n{st}\nMcp-Method: server/discover\n\n{{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"server/discover\",\"params\":{{{meta}}}}}"),
        format!("POST /mcp\n{h}\n{st}\nMcp-Method: tools/list\n\n{{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{{\"cursor\":\"MTAw\",{meta}}}}}"),
        format!("POST /mcp\n{h}\n{st}\nMcp-Method: resources/read\nMcp-Name: hubspot://properties/contacts\n\n{{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\",\"params\":{{\"uri\":\"hubspot://properties/contacts\",{meta}}}}}"),
        format!("POST /mcp\n{h}\n{st}\nMcp-Method: prompts/get\nMcp-Name: =?base64?aHVic3BvdA==?=\n\n{{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/get\",\"params\":{{\"name\":\"pipeline_review\",\"arguments\":{{\"objectType\":\"deals\"}},{meta}}}}}"),
        format!("DELETE /mcp\n{h}\nMcp-Session-Id: 00112233445566778899aabbccddeeff\nMCP-Protocol-Version: 2025-06-18\n\n"),
        format!("POST /mcp\n{h}\nMcp-Session-Id: 00112233445566778899aabbccddeeff\nMCP-Protocol-Version: 2025-11-25\n\n{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{{\"requestId\":7}}}}"),
        "GET /health\nHost: localhost\n\n".into(),
        "GET /metrics?x=1\nHost: localhost\nAccept-Encoding: gzip;q=0.5\n\n".into(),
        "OPTIONS /mcp\nHost: localhost\nOrigin: http://localhost:5173\nAccess-Control-Request-Method: POST\n\n".into(),
        "GET /.well-known/oauth-protected-resource/mcp\nHost: mcp.example.com\nX-Forwarded-For: 1.2.3.4, 10.0.0.1\n\n".into(),
    ];
    // Every tool, with arguments shaped like its schema's properties, through tools/call.
    let app = app_with(&[]);
    for def in app.registry.defs() {
        let mut args = serde_json::Map::new();
        if let Some(props) = def.input_schema.to_value()["properties"].as_object() {
            for (k, schema) in props {
                let v = match schema["type"].as_str() {
                    Some("integer" | "number") => json!(5),
                    Some("boolean") => json!(true),
                    Some("array") => {
                        json!(["101", {"propertyName": "email", "operator": "EQ", "value": "a@b.c"}])
                    }
                    Some("object") => json!({"email": "a@b.c", "firstname": "Ada"}),
                    _ => json!(schema["enum"].get(0).cloned().unwrap_or(json!("contacts"))),
                };
                args.insert(k.clone(), v);
            }
        }
        let body = json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name": def.name, "arguments": args,
            "_meta": {"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}, "progressToken": 1}}});
        c.push(format!(
            "POST /mcp\n{h}\n{st}\nMcp-Method: tools/call\nMcp-Name: {}\n\n{body}",
            def.name
        ));
    }
    c.into_iter().map(String::into_bytes).collect()
}

fn serve_in_memory(app: &Arc<App>, raw: &[u8]) -> Result<(), String> {
    let Some(req) = to_req(raw) else {
        return Ok(());
    };
    let reply = hubspot_mcp::http::server::handle(app, &req);
    if !STATUSES.contains(&reply.status) {
        return Err(format!("unexpected status {}", reply.status));
    }
    match &reply.body {
        ReplyBody::Full(ctype, body) if ctype.starts_with("application/json") => {
            let v: Value = serde_json::from_slice(body)
                .map_err(|e| format!("reply is not JSON ({e}): {}", text(body)))?;
            let errors: Vec<&Value> = match &v {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            for e in errors {
                if let Some(code) = e["error"]["code"].as_i64() {
                    if !RPC_CODES.contains(&code) {
                        return Err(format!("unexpected JSON-RPC code {code}: {v}"));
                    }
                }
            }
        }
        ReplyBody::Sse(_) => {
            // Run the stream into memory: progress events then the result, each valid JSON.
            let mut out = Vec::new();
            reply.stream_to(&mut out);
            let t = text(&out);
            for data in t.lines().filter_map(|l| l.strip_prefix("data: ")) {
                serde_json::from_str::<Value>(data)
                    .map_err(|e| format!("SSE data not JSON ({e}): {data}"))?;
            }
        }
        _ => {}
    }
    if app.metrics.panics() > 0 {
        return Err("a handler panicked (caught by the server, counted in metrics)".into());
    }
    Ok(())
}

#[test]
fn request_path_in_memory() {
    let app = app_with(&[]);
    let corpus = request_corpus();
    fuzz_weighted("request_path", &corpus, CORE_REQUESTS, |raw| {
        serve_in_memory(&app, raw)
    });
}

#[test]
fn request_path_with_bearer_tokens() {
    let secret = "fuzz-secret-0123456789-0123456789-0123456789";
    let app = app_with(&[("JWT_SECRET", secret)]);
    // A valid HS256 token, then mutants of it in the Authorization header.
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let claims =
        json!({"sub": "fuzzer", "exp": 4_102_444_800u64, "scope": "hubspot.read hubspot.write"});
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    let token = jsonwebtoken::encode(
        &serde_json::from_value::<jsonwebtoken::Header>(header).unwrap(),
        &claims,
        &key,
    )
    .unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    let mk = |auth: &str| {
        format!("POST /mcp\nHost: localhost\nContent-Type: application/json\nAccept: application/json, text/event-stream\nMCP-Protocol-Version: 2026-07-28\nMcp-Method: tools/list\nAuthorization: {auth}\n\n{body}")
            .into_bytes()
    };
    let corpus = vec![
        mk(&format!("Bearer {token}")),
        mk("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
        mk("Basic dXNlcjpwYXNz"),
    ];
    let ok = hubspot_mcp::http::server::handle(&app, &to_req(&corpus[0]).unwrap());
    assert_eq!(
        ok.status,
        200,
        "the valid token is accepted: {}",
        ok.body_text()
    );
    fuzz("bearer_tokens", &corpus, |raw| serve_in_memory(&app, raw));
}

// ---------------------------------------------------------------------------------------------------
// Standalone parsers.

// ---------------------------------------------------------------------------------------------------
// The request head and its framing (tiny_http's `head` module, hubspot-mcp's patch), in memory.

/// Heads real clients send, and the ambiguous shapes a smuggler tries.
fn head_corpus() -> Vec<Vec<u8>> {
    [
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 130\r\n\r\n",
        "POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
        "GET /health HTTP/1.0\r\n\r\n",
        "\r\nDELETE /mcp HTTP/1.1\r\nHost: a\r\nMcp-Session-Id: 0123\r\nAuthorization: Bearer x.y.z\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\nOrigin: http://localhost:5173\r\nX: a\tb\r\n\r\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// What a head must look like once the parser accepted it: framing decided by exactly the headers
/// that carry it, never two readings of the same message.
fn check_head(raw: &[u8]) -> Result<(), String> {
    use tiny_http::head::{self, Framing, HeadError};
    let bytes = match head::read_head(&mut &raw[..], || {}) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(()),
        Err(e) => {
            return match e.status() {
                Some(400 | 408 | 417 | 431 | 501 | 505) | None => Ok(()),
                other => Err(format!("read_head: unexpected status {other:?}")),
            }
        }
    };
    if bytes.len() > head::MAX_HEAD + head::MAX_LINE {
        return Err(format!("a head of {} bytes was accepted", bytes.len()));
    }
    let h = match head::parse(&bytes) {
        Ok(h) => h,
        Err(HeadError::Closed | HeadError::TimedOut) => {
            return Err("parse of whole bytes says closed/timed out".into())
        }
        Err(e) => {
            let status = e.status();
            return if matches!(status, Some(400 | 417 | 431 | 501 | 505)) {
                Ok(())
            } else {
                Err(format!("parse: unexpected refusal {e:?}"))
            };
        }
    };
    let values = |name: &str| -> Vec<String> {
        h.headers
            .iter()
            .filter(|x| x.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|x| x.value.as_str().to_string())
            .collect()
    };
    let cl = values("content-length");
    let te = values("transfer-encoding");
    match h.framing {
        // RFC 9110 §5.6.1: empty list elements are ignored (`, chunked` is `chunked`).
        Framing::Chunked
            if !(cl.is_empty()
                && te.len() == 1
                && te[0]
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_ascii_lowercase)
                    .eq(["chunked".to_string()])) =>
        {
            return Err(format!("chunked with CL {cl:?} TE {te:?}"))
        }
        Framing::Length(n)
            if !(te.is_empty() && !cl.is_empty() && cl.iter().all(|v| v.parse() == Ok(n))) =>
        {
            return Err(format!("length {n} with CL {cl:?} TE {te:?}"))
        }
        Framing::None if !te.is_empty() || cl.iter().any(|v| v != "0") => {
            return Err(format!("no body with CL {cl:?} TE {te:?}"))
        }
        _ => {}
    }
    if values("host").len() > 1 {
        return Err("two Host headers accepted".into());
    }
    for x in &h.headers {
        if x.value
            .as_str()
            .bytes()
            .any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return Err(format!("control character accepted in {}", x.field));
        }
    }
    // The chunked decoder: any bytes after the head either decode within the bound or fail cleanly.
    let rest = &raw[bytes.len().min(raw.len())..];
    if let Ok(body) = head::decode_chunked(rest, 1 << 20) {
        if body.len() > rest.len() {
            return Err("the chunked decoder produced more than it read".into());
        }
    }
    Ok(())
}

#[test]
fn request_head_and_framing() {
    let mut corpus = head_corpus();
    // Heads followed by chunked bodies, well-formed and not.
    for body in [
        "5\r\nhello\r\n0\r\n\r\n",
        "+5\r\nhello\r\n0\r\n\r\n",
        "5;ext=1\r\nhello\r\n0\r\nT: x\r\n\r\n",
    ] {
        corpus.push(
            format!("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n{body}")
                .into_bytes(),
        );
    }
    fuzz("head_framing", &corpus, check_head);
}

// ---------------------------------------------------------------------------------------------------
// The JSON-RPC envelope alone (the whole request path has its own target above).

#[test]
fn jsonrpc_envelope() {
    use hubspot_mcp::mcp::jsonrpc;
    let corpus: Vec<Vec<u8>> = request_corpus()
        .into_iter()
        .filter_map(|raw| {
            let text = String::from_utf8_lossy(&raw).into_owned();
            text.split_once("\r\n\r\n").map(|(_, b)| b.as_bytes().to_vec())
        })
        .chain([
            br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"r","result":{}}]"#.to_vec(),
            br#"{"jsonrpc":"2.0","id":null,"method":"x","params":[1,2]}"#.to_vec(),
        ])
        .collect();
    fuzz("jsonrpc_envelope", &corpus, |raw| {
        let counted = jsonrpc::check_size(raw, 20_000).is_ok();
        match jsonrpc::parse_body(raw) {
            Ok(jsonrpc::Body::Single(v)) => {
                let _ = jsonrpc::parse_message(v);
            }
            Ok(jsonrpc::Body::Batch(items)) => {
                for v in items {
                    let _ = jsonrpc::parse_message(v);
                }
            }
            Err(e) if [-32700, -32600].contains(&e.code) => {}
            Err(e) => return Err(format!("parse_body: code {}", e.code)),
        }
        // The count is an upper bound: a body it refuses is never small.
        if !counted && raw.len() < 20_000 {
            return Err("refused a body too short to hold that many values".into());
        }
        Ok(())
    });
}

#[test]
fn configuration_values() {
    let corpus: Vec<Vec<u8>> = [
        "PORT=3000\nNODE_ENV=production\nJWT_SECRET=0123456789abcdef0123456789abcdef\nJWT_ISSUER=https://i.example\nJWT_AUDIENCE=a\nHUBSPOT_ACCESS_TOKEN=pat-na1-00000000-0000-0000-0000-000000000000\nCORS_ORIGIN=https://claude.ai,https://cursor.sh",
        "HOST=::1\nRATE_LIMIT_WINDOW_MS=900000\nRATE_LIMIT_MAX=1000\nSESSION_MAX_AGE=1800000\nSESSION_CLEANUP_INTERVAL=300000\nLOG_LEVEL=debug",
        "JWKS_URI=https://i.example/.well-known/jwks.json\nJWKS_CACHE_TTL=3600\nMCP_READ_SCOPES=a,b\nHUBSPOT_TOOLSETS=records,batch\nHUBSPOT_READ_ONLY=yes",
        "REDIS_URL=redis://u:p@h:6379/0\nMETRICS_TOKEN=0123456789abcdef0\nHEALTH_CHECK_INTERVAL_MS=100\nMCP_PUBLIC_URL=https://mcp.example.com\nMCP_ALLOWED_HOSTS=a.example,*",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec();
    fuzz("configuration", &corpus, |raw| {
        let t = text(raw);
        let pairs: Vec<(String, String)> = t
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for purpose in [Purpose::Serve, Purpose::Demo, Purpose::Stdio] {
            if let Err(errs) = Config::from_raw(&RawEnv::from_pairs(pairs.clone()), purpose) {
                let shown = errs.to_string();
                if shown.trim().is_empty() {
                    return Err("an invalid configuration with no message".into());
                }
                let is_secret =
                    |k: &str| k.contains("SECRET") || k.contains("TOKEN") || k == "REDIS_URL";
                for (k, v) in &pairs {
                    // A plain variable's value may be shown, and may happen to contain a secret's text;
                    // short values (such as a bare "redis://") also occur in the messages themselves.
                    let elsewhere = pairs
                        .iter()
                        .any(|(k2, v2)| !is_secret(k2) && v2.contains(v.as_str()));
                    if is_secret(k) && v.len() >= 12 && !elsewhere && shown.contains(v.as_str()) {
                        return Err(format!("{k}'s value appears in the error: {shown}"));
                    }
                }
            }
        }
        Ok(())
    });
}

#[test]
fn jwks_documents_and_jwt_headers() {
    let corpus: Vec<Vec<u8>> = vec![
        json!({"keys": [
            {"kty": "RSA", "kid": "r1", "alg": "RS256", "use": "sig", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "e": "AQAB"},
                {"kty": "EC", "kid": "e1", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                {"kty": "OKP", "kid": "o1", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
                {"kty": "oct", "k": "c2VjcmV0"}]})
        .to_string()
        .into_bytes(),
        b"eyJhbGciOiJSUzI1NiIsImtpZCI6InIxIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.c2ln".to_vec(),
    ];
    fuzz("jwks_and_jwt", &corpus, |raw| {
        let t = text(raw);
        let _ = hubspot_mcp::auth::jwks::parse_key_set(&t);
        let _ = hubspot_mcp::auth::claims::parse_header(&t);
        let _ = hubspot_mcp::auth::claims::b64url_decode(&t);
        Ok(())
    });
}

#[test]
fn header_values_and_command_lines() {
    let corpus: Vec<Vec<u8>> = [
        "=?base64?aHVic3BvdF9nZXRfcmVjb3Jk?=",
        "hubspot_get_record",
        "gzip, deflate, br;q=0.9, *;q=0",
        "203.0.113.9, 10.0.0.1,  ::1",
        "application/json, text/event-stream;q=0.9",
        "serve --demo --port 3000",
        "sandbox --port 0 --token pat-na1-x",
        "00112233445566778899aabbccddeeff",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec();
    fuzz("header_values", &corpus, |raw| {
        let t = text(raw);
        let _ = hubspot_mcp::http::streamable::decode_header_value(&t);
        let _ = hubspot_mcp::http::gzip::accepts(Some(&t), false);
        let key = hubspot_mcp::ratelimit::client_key(Some("127.0.0.1"), Some(&t), 2);
        if key.len() > 128 {
            return Err(format!("rate-limit key grew to {} bytes", key.len()));
        }
        let _ = hubspot_mcp::http::checks::check_accept_post(Some(&t));
        let _ = hubspot_mcp::http::checks::check_content_type(Some(&t));
        let _ = hubspot_mcp::http::checks::host_of(&t);
        let _ = hubspot_mcp::mcp::session::SessionId::parse(&t);
        let _ = hubspot_mcp::mcp::version::Revision::parse(&t);
        let _ = hubspot_mcp::cli::parse(t.split(' '));
        Ok(())
    });
}

#[test]
fn redis_replies() {
    let corpus: Vec<Vec<u8>> = [
        "+OK\r\n",
        "-WRONGPASS invalid username-password pair\r\n",
        ":1795685619385\r\n",
        "$-1\r\n",
        "$12\r\n{\"a\":\"b\r\n\"}\r\n",
        "*2\r\n:3\r\n*2\r\n$1\r\nx\r\n*-1\r\n",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec();
    fuzz("redis_replies", &corpus, |raw| {
        let mut r = std::io::BufReader::new(raw);
        // Several replies back to back, as a pipeline reads them, until the bytes run out.
        for _ in 0..8 {
            if hubspot_mcp::redis::resp::read(&mut r).is_err() {
                break;
            }
        }
        let _ = hubspot_mcp::redis::Target::parse(&text(raw));
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------------
// Over loopback: tiny_http's parser and our limits in the real binary, and the HubSpot sandbox.

/// The real binary (the integration tests' `Server`) with the limits a fuzzer needs: short socket
/// timeouts and no per-client request limit.
fn start(args: &[&str]) -> Server {
    Server::start_args(
        args,
        &[
            ("LOG_LEVEL", "info"),
            ("RATE_LIMIT_MAX", "100000000"),
            ("MCP_READ_TIMEOUT_MS", "2000"),
        ],
    )
}

/// Sends raw bytes, reads whatever comes back within a short time.
fn exchange(addr: std::net::SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return Vec::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn alive(addr: std::net::SocketAddr) -> bool {
    let r = exchange(
        addr,
        b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    r.starts_with(b"HTTP/1.1 200")
}

fn wire_iters() -> usize {
    (iters() / 8).max(50)
}

/// Statuses of the final responses in `out` (interim 1xx left out), in order, each read through its
/// framing (Content-Length or chunked); `None` when `out` is not a sequence of whole responses.
fn final_statuses(out: &[u8]) -> Option<Vec<u16>> {
    let mut rest = out;
    let mut statuses = Vec::new();
    while !rest.is_empty() {
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let head = text(&rest[..end]).to_ascii_lowercase();
        rest = &rest[end..];
        let status: u16 = head.strip_prefix("http/1.1 ")?.get(..3)?.parse().ok()?;
        if status < 200 {
            continue;
        }
        statuses.push(status);
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                .map(str::trim)
        };
        if header("transfer-encoding") == Some("chunked") {
            loop {
                let line = rest.windows(2).position(|w| w == b"\r\n")?;
                let n = usize::from_str_radix(text(&rest[..line]).trim(), 16).ok()?;
                rest = rest.get(line + 2 + n + 2..)?;
                if n == 0 {
                    break;
                }
            }
        } else {
            let n: usize = header("content-length").map_or(Some(0), |v| v.parse().ok())?;
            rest = rest.get(n..)?;
        }
    }
    Some(statuses)
}

/// Sends `bytes` on a connection of its own, closes the sending side, and reads until the server
/// closes (at most 10 s).
fn exchange_whole(addr: std::net::SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(bytes).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

/// Requests this server serves with 200, as real clients send them (a stateless 2026-07-28 call, a
/// chunked initialize, a pipelined pair of GETs, a call waiting for 100-continue): the seeds the wire
/// target mutates, each with how many 200s it must get unmutated.
fn wire_corpus(host: &str) -> Vec<(Vec<u8>, usize)> {
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "fuzz", "version": "1"}
    });
    let post = |extra: &str, body: &str| {
        format!(
            "POST /mcp HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let list = json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta": meta}});
    let echo = json!({"jsonrpc":"2.0","id":2,"method":"tools/call",
        "params":{"name":"echo","arguments":{"text":"wire"},"_meta": meta}});
    let init = json!({"jsonrpc":"2.0","id":3,"method":"initialize","params":{
        "protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}})
    .to_string();
    let (a, b) = init.split_at(init.len() / 2);
    let chunked = format!(
        "POST /mcp HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    vec![
        (
            post(
                "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\n",
                &list.to_string(),
            ),
            1,
        ),
        (chunked, 1),
        (
            format!(
                "GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n\
                 GET /metrics HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip\r\n\r\n"
            ),
            2,
        ),
        (
            post(
                "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: echo\r\n\
                 Expect: 100-continue\r\n",
                &echo.to_string(),
            ),
            1,
        ),
    ]
    .into_iter()
    .map(|(r, n)| (r.into_bytes(), n))
    .collect()
}

#[test]
fn http_wire_of_the_real_binary() {
    let p = start(&["serve", "--demo"]);
    let seeds = wire_corpus(&format!("127.0.0.1:{}", p.addr.port()));
    // Unmutated, every seed is a request this server serves: 200 for each request in it.
    for (i, (seed, n)) in seeds.iter().enumerate() {
        let out = exchange_whole(p.addr, seed);
        assert_eq!(
            final_statuses(&out),
            Some(vec![200; *n]),
            "seed {i} is not served as it is\nseed: {:?}\nanswer: {:?}",
            text(seed),
            text(&out)
        );
    }
    let corpus: Vec<Vec<u8>> = seeds.into_iter().map(|(s, _)| s).collect();
    let mut rng = Rng::new(seed("http_wire"));
    let n = wire_iters();
    let started = Instant::now();
    for i in 0..n {
        let base = rng.pick(&corpus).clone();
        let input = mutate(&mut rng, &base, &corpus);
        let out = exchange(p.addr, &input);
        if !out.is_empty() && !out.starts_with(b"HTTP/1.") {
            panic!(
                "iteration {i}: not an HTTP answer: {:?}\ninput: {:?}",
                text(&out),
                text(&input)
            );
        }
        if out.starts_with(b"HTTP/1.1 500") || out.starts_with(b"HTTP/1.0 500") {
            panic!(
                "iteration {i}: 500\ninput: {:?}\nanswer: {:?}",
                text(&input),
                text(&out)
            );
        }
    }
    assert!(
        alive(p.addr),
        "the server stopped answering after {n} mutated requests"
    );
    eprintln!(
        "http_wire: {n} mutated exchanges in {:?}",
        started.elapsed()
    );
}

#[test]
fn hubspot_sandbox_api() {
    let token = "pat-na1-11111111-2222-3333-4444-555555555555";
    let p = start(&["sandbox", "--port", "0", "--token", token]);
    let req = |method: &str, path: &str, body: &str| {
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            .into_bytes()
    };
    let corpus: Vec<Vec<u8>> = vec![
        req("POST", "/crm/v3/objects/contacts/search", r#"{"filterGroups":[{"filters":[{"propertyName":"email","operator":"CONTAINS_TOKEN","value":"*@acme.example.com"}]}],"sorts":[{"propertyName":"createdate","direction":"DESCENDING"}],"properties":["email"],"limit":5,"after":"0"}"#),
        req("POST", "/crm/v3/objects/contacts/batch/read", r#"{"inputs":[{"id":"101"},{"id":"102"}],"properties":["email"],"idProperty":"email"}"#),
        req("POST", "/crm/v3/objects/contacts", r#"{"properties":{"email":"new@x.example","firstname":"N"},"associations":[{"to":{"id":"401"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]}]}"#),
        req("PATCH", "/crm/v3/objects/contacts/101", r#"{"properties":{"lifecyclestage":"lead"}}"#),
        req("PUT", "/crm/v4/objects/contacts/101/associations/default/companies/401", ""),
        req("GET", "/crm/v3/objects/deals?limit=100&after=5&properties=amount,dealstage&associations=companies", ""),
        req("POST", "/crm/v3/properties/contacts", r#"{"name":"fz","label":"Fz","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{"label":"A","value":"a"}]}"#),
        req("GET", "/crm/v3/pipelines/deals", ""),
    ];
    let mut rng = Rng::new(seed("sandbox"));
    let n = wire_iters();
    for i in 0..n {
        let base = rng.pick(&corpus).clone();
        let input = mutate(&mut rng, &base, &corpus);
        let out = exchange(p.addr, &input);
        if out.starts_with(b"HTTP/1.1 500") {
            panic!(
                "iteration {i}: the sandbox answered 500\ninput: {:?}\nanswer: {:?}",
                text(&input),
                text(&out)
            );
        }
    }
    // Still answering (HubSpot's rate limits may well be exhausted by now: 429 is an answer).
    let r = exchange(p.addr, &req("GET", "/crm/v3/owners?limit=1", ""));
    assert!(
        r.starts_with(b"HTTP/1.1 200") || r.starts_with(b"HTTP/1.1 429"),
        "the sandbox stopped answering: {:?}",
        text(&r)
    );
}
