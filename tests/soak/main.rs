//! A bounded soak: mixed MCP traffic from several clients against the real binary, HubSpot faults
//! injected into the sandbox the whole time, and a restart of the server half-way (SIGTERM, drain,
//! start again on the same port) with sessions kept in a real redis-server.
//!
//! `SOAK_SECONDS` (default 20) bounds it; every wait has a timeout. It passes when: no reply is a 500
//! or anything this server should not send; every session opened before the restart still works
//! after it (Redis kept it); requests fail only as faults explain (tool results with `isError`, 503 or a
//! refused connection in the restart window); the server exits 0 on SIGTERM both times; no handler
//! panicked (`mcp_panics_total` 0, no "panicked" log line); resident memory stays bounded.
//! scripts/test.sh runs it as its own stage; it prints a summary table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    dead_code
)]

#[path = "../it/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use support::redis_server::RedisServer;
use support::{Client, SandboxProc, Server, SANDBOX_TOKEN};

fn soak_seconds() -> u64 {
    std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

#[derive(Default)]
struct Tally {
    /// "op status" -> count.
    outcomes: BTreeMap<String, u64>,
    /// Unexplained answers, with what was sent.
    bad: Vec<String>,
    latencies_ms: Vec<f64>,
}

fn start_server(sb: &SandboxProc, redis: &RedisServer, port: u16) -> Server {
    let url = redis.url();
    let port = port.to_string();
    Server::start_args(
        &["serve"],
        &[
            ("PORT", &port),
            ("HUBSPOT_API_BASE_URL", &sb.base_url),
            ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN),
            ("HUBSPOT_RATE_LIMIT", "200"),
            ("HUBSPOT_SEARCH_RATE_LIMIT", "50"),
            ("REDIS_URL", &url),
            ("HEALTH_CHECK_INTERVAL_MS", "500"),
            ("MCP_REQUEST_TIMEOUT_MS", "5000"),
            ("MCP_DRAIN_TIMEOUT_MS", "5000"),
            ("LOG_LEVEL", "info"),
        ],
    )
}

fn client_for(addr: SocketAddr) -> Client {
    Client {
        addr,
        host: format!("127.0.0.1:{}", addr.port()),
        bearer: None,
    }
}

/// One request of a random kind; returns (op name, HTTP status, JSON body if any). A refused
/// connection is status 0.
fn one_request(c: &Client, sid: &str, n: u64) -> (&'static str, u16, Option<Value>) {
    let call = |name: &str, args: Value| json!({"name": name, "arguments": args});
    let (op, resp) = match n % 6 {
        0 => (
            "list_records",
            c.try_call(
                sid,
                "tools/call",
                call(
                    "hubspot_list_records",
                    json!({"objectType": "contacts", "limit": 5}),
                ),
            ),
        ),
        1 => (
            "get_record",
            c.try_call(
                sid,
                "tools/call",
                call(
                    "hubspot_get_record",
                    json!({"objectType": "contacts", "id": (101 + n % 50).to_string()}),
                ),
            ),
        ),
        2 => (
            "search",
            c.try_call(
                sid,
                "tools/call",
                call(
                    "hubspot_search_records",
                    json!({"objectType": "contacts", "query": "acme", "limit": 3}),
                ),
            ),
        ),
        3 => ("tools_list", c.try_call(sid, "tools/list", json!({}))),
        4 => ("ping", c.try_call(sid, "ping", json!({}))),
        _ => (
            "stateless_list",
            c.try_stateless(n as i64, "tools/list", json!({})),
        ),
    };
    match resp {
        Some(r) => {
            let body = serde_json::from_str::<Value>(&r.body).ok();
            (op, r.status, body)
        }
        None => (op, 0, None),
    }
}

#[test]
fn soak_with_faults_and_a_restart() {
    let total = Duration::from_secs(soak_seconds());
    let redis = RedisServer::start(&[]);
    let sb = SandboxProc::start();
    let mut server = start_server(&sb, &redis, 0);
    let port = server.addr.port();
    let addr = Arc::new(RwLock::new(server.addr));
    let restarting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();

    // Clients: each opens a session and keeps using it across the restart.
    let mut clients = Vec::new();
    let sessions: Arc<Mutex<Vec<String>>> = Arc::default();
    for k in 0..6u64 {
        let (addr, restarting, stop, tally, sessions) = (
            Arc::clone(&addr),
            Arc::clone(&restarting),
            Arc::clone(&stop),
            Arc::clone(&tally),
            Arc::clone(&sessions),
        );
        clients.push(std::thread::spawn(move || {
            let c = client_for(*addr.read().unwrap());
            let (sid, _) = c.initialize("2025-06-18");
            sessions.lock().unwrap().push(sid.clone());
            let mut n = k * 1000;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let c = client_for(*addr.read().unwrap());
                let in_restart = restarting.load(Ordering::Relaxed);
                let t = Instant::now();
                let (op, status, body) = one_request(&c, &sid, n);
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                let in_restart = in_restart || restarting.load(Ordering::Relaxed);
                let mut tl = tally.lock().unwrap();
                tl.latencies_ms.push(ms);
                let kind = match (status, &body) {
                    (200, Some(b)) if b["result"]["isError"] == true => "tool error",
                    (200, Some(b)) if b.get("result").is_some() => "ok",
                    (0, _) if in_restart => "refused (restart)",
                    (503, _) if in_restart => "503 (restart)",
                    _ => {
                        tl.bad
                            .push(format!("{op}: {status} {body:?} (restart: {in_restart})"));
                        "UNEXPECTED"
                    }
                };
                *tl.outcomes.entry(format!("{op:<15} {kind}")).or_default() += 1;
                drop(tl);
                if status == 0 {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }));
    }

    // Faults: HubSpot misbehaves in turns the whole time (the server must retry or report, never break).
    let faults = [
        json!({"status5xx": 503, "fail5xxNext": 4}),
        json!({"rate429Next": 3}),
        json!({"latencyMs": 250}),
        json!({"dropNext": 2}),
        json!({"status5xx": 502, "fail5xxNext": 2, "latencyMs": 50}),
    ];
    let mut fault_i = 0;
    let half = started + total / 2;
    let mut restarted = false;
    let mut restart_gap = Duration::ZERO;
    while started.elapsed() < total {
        sb.faults(json!({"latencyMs": 0, "fail5xxNext": 0, "rate429Next": 0, "dropNext": 0}));
        sb.faults(faults[fault_i % faults.len()].clone());
        fault_i += 1;
        if !restarted && Instant::now() >= half {
            // The restart: SIGTERM, the drain, exit 0, then a new process on the same port.
            restarting.store(true, Ordering::Relaxed);
            let t = Instant::now();
            server.signal("TERM");
            let st = server
                .wait_exit(Duration::from_secs(15))
                .expect("no exit within 15 s of SIGTERM");
            assert!(st.success(), "first server exited with {st:?}");
            assert!(server.wait_log("\"msg\":\"stopped\""), "no drain log");
            let logs_before = server.logs();
            assert!(
                !logs_before.iter().any(|l| l.contains("panicked")),
                "a handler panicked before the restart"
            );
            server = start_server(&sb, &redis, port);
            *addr.write().unwrap() = server.addr;
            restart_gap = t.elapsed();
            std::thread::sleep(Duration::from_millis(300));
            restarting.store(false, Ordering::Relaxed);
            restarted = true;
        }
        std::thread::sleep(Duration::from_millis(700));
    }
    sb.faults(json!({"latencyMs": 0, "fail5xxNext": 0, "rate429Next": 0, "dropNext": 0}));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }

    // Sessions opened before the restart still work on the new process.
    let c = server.client();
    for sid in sessions.lock().unwrap().iter() {
        let r = c.call(sid, "2025-06-18", 1, "ping", json!({}));
        assert_eq!(r.status, 200, "session lost across the restart: {r:?}");
    }
    let metrics = c.request("GET", "/metrics", &[], "").body;
    let panics = metrics
        .lines()
        .find(|l| l.starts_with("mcp_panics_total "))
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("?")
        .to_string();
    let rss_mb = metrics
        .lines()
        .find(|l| l.starts_with("process_resident_memory_bytes "))
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1e6;

    let tl = tally.lock().unwrap();
    let mut lat = tl.latencies_ms.clone();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    eprintln!("soak: {} s, {} requests, restart gap {restart_gap:?}, p50 {:.1} ms, p99 {:.1} ms, RSS {rss_mb:.1} MB, panics {panics}",
        total.as_secs(), lat.len(), pct(0.5), pct(0.99));
    for (k, v) in &tl.outcomes {
        eprintln!("  {k:<36} {v}");
    }
    assert!(restarted, "the soak was too short to restart");
    assert!(
        tl.bad.is_empty(),
        "{} unexplained answers, first: {:#?}",
        tl.bad.len(),
        &tl.bad[..tl.bad.len().min(5)]
    );
    assert!(
        lat.len() > 100,
        "too little traffic to mean anything: {}",
        lat.len()
    );
    assert!(
        tl.outcomes.keys().any(|k| k.ends_with(" ok")),
        "nothing succeeded"
    );
    assert_eq!(panics, "0", "handler panics");
    assert!(rss_mb > 0.0 && rss_mb < 128.0, "RSS {rss_mb} MB");
    assert!(!server.logs().iter().any(|l| l.contains("panicked")));
    server.signal("TERM");
    let st = server
        .wait_exit(Duration::from_secs(15))
        .expect("no exit after SIGTERM");
    assert!(st.success(), "second server exited with {st:?}");
}
