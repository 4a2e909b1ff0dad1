//! The operators' view against the real binary: `/metrics` (checked by the real `promtool`), `/health`
//! fed by background dependency checks, `/scaling`, gzip, and request ids on every log line.

use std::collections::HashMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{wait_health, Crm, SandboxProc, Server, SANDBOX_TOKEN};

/// `promtool` from `PROMTOOL`, else from PATH (Debian's `prometheus` package; scripts/test.sh installs it).
fn promtool() -> String {
    let p = std::env::var("PROMTOOL").unwrap_or_else(|_| "promtool".into());
    let found = Command::new(&p)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "promtool not found: apt-get install prometheus (scripts/test.sh does), or set PROMTOOL"
    );
    p
}

/// `promtool check metrics` on `text`: (exit ok, its output).
fn promtool_check(text: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(promtool())
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let msg = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), msg)
}

/// Samples of an exposition: `name{labels}` (labels as written) -> value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            let v = if v == "+Inf" {
                f64::INFINITY
            } else {
                v.parse().ok()?
            };
            Some((k.to_string(), v))
        })
        .collect()
}

fn get(s: &HashMap<String, f64>, key: &str) -> f64 {
    *s.get(key)
        .unwrap_or_else(|| panic!("no sample {key}; have: {:#?}", s.keys().collect::<Vec<_>>()))
}

fn metrics(server: &Server) -> String {
    let r = server.client().request("GET", "/metrics", &[], "");
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{r:?}"
    );
    r.body
}

#[test]
fn metrics_pass_promtool_and_count_exactly_what_happened() {
    let crm = Crm::start(&[("HEALTH_CHECK_ENABLED", "false")]);
    let c = crm.mcp.client();
    for _ in 0..3 {
        crm.ok(
            "hubspot_get_record",
            json!({"objectType": "contacts", "id": "101"}),
        );
    }
    crm.err(
        "hubspot_get_record",
        json!({"objectType": "contacts", "id": "999999"}),
    );
    let unknown = c.stateless(
        9,
        "tools/call",
        json!({"name": "no_such_tool", "arguments": {}}),
    );
    assert_eq!(unknown.code(), -32602);
    let (sid, _) = c.initialize("2025-06-18");
    assert_eq!(c.delete_session(&sid, "2025-06-18").status, 204);
    // A scanner's paths must not become label values.
    for i in 0..20 {
        let r = c.request("GET", &format!("/scan/wp-admin-{i}.php"), &[], "");
        assert_eq!(r.status, 404);
    }

    let text = metrics(&crm.mcp);
    let (ok, msg) = promtool_check(&text);
    assert!(ok, "promtool check metrics failed:\n{msg}\n---\n{text}");
    assert!(
        !text.contains("wp-admin"),
        "request paths leaked into labels"
    );
    let s = samples(&text);

    for (key, want) in [
        (
            r#"mcp_tool_calls_total{tool="hubspot_get_record",outcome="ok"}"#,
            3.0,
        ),
        (
            r#"mcp_tool_calls_total{tool="hubspot_get_record",outcome="error"}"#,
            1.0,
        ),
        (
            r#"mcp_tool_call_duration_seconds_count{tool="hubspot_get_record"}"#,
            4.0,
        ),
        (
            r#"mcp_requests_total{method="tools/call",outcome="ok"}"#,
            4.0,
        ),
        (
            r#"mcp_requests_total{method="tools/call",outcome="error"}"#,
            1.0,
        ),
        (
            r#"mcp_requests_total{method="initialize",outcome="ok"}"#,
            1.0,
        ),
        (
            r#"mcp_requests_total{method="notifications",outcome="ok"}"#,
            1.0,
        ),
        ("mcp_sessions_created_total", 1.0),
        (r#"mcp_sessions_terminated_total{reason="deleted"}"#, 1.0),
        ("mcp_sessions_active", 0.0),
        (
            r#"mcp_http_requests_total{route="other",method="GET",status="404"}"#,
            20.0,
        ),
    ] {
        assert_eq!(get(&s, key), want, "{key}");
    }
    // /mcp: 5 tools/call + initialize + initialized + DELETE, every one in the histogram once.
    let mcp_total: f64 = s
        .iter()
        .filter(|(k, _)| k.starts_with(r#"mcp_http_requests_total{route="/mcp""#))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(mcp_total, 8.0);
    assert_eq!(
        get(
            &s,
            r#"mcp_http_request_duration_seconds_count{route="/mcp"}"#
        ),
        8.0
    );
    let mut buckets: Vec<(f64, f64)> = s
        .iter()
        .filter_map(|(k, v)| {
            let le = k
                .strip_prefix(r#"mcp_http_request_duration_seconds_bucket{route="/mcp",le=""#)?
                .strip_suffix("\"}")?;
            Some((
                if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().ok()?
                },
                *v,
            ))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(buckets.len() >= 10, "{buckets:?}");
    assert!(
        buckets.windows(2).all(|w| w[0].1 <= w[1].1),
        "cumulative: {buckets:?}"
    );
    assert_eq!(buckets.last().map(|b| b.1), Some(8.0));
    // Every HubSpot call the server counted is one the sandbox received, and the reverse.
    let upstream = crm.sb.stats()["total"].as_f64().unwrap();
    assert_eq!(get(&s, "mcp_hubspot_api_calls_total"), upstream);
    assert_eq!(
        get(
            &s,
            r#"mcp_hubspot_request_duration_seconds_count{kind="read"}"#
        ),
        upstream
    );
    assert!(get(&s, "process_resident_memory_bytes") > 1e6);
    assert!(get(&s, "process_threads") >= 2.0);
    assert_eq!(
        get(
            &s,
            r#"mcp_dependency_status{dependency="hubspot",status="healthy"}"#
        ),
        1.0
    );
}

#[test]
fn metrics_token_guards_metrics_and_scaling_and_metrics_can_be_off() {
    let token = "m3tr1cs-t0ken-for-tests-0123456789";
    let s = Server::start(&[("METRICS_TOKEN", token)]);
    let c = s.client();
    for path in ["/metrics", "/scaling"] {
        let r = c.request("GET", path, &[], "");
        assert_eq!(r.status, 401, "{path}: {r:?}");
        assert!(r
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer")));
        let wrong = c.request(
            "GET",
            path,
            &[("Authorization", "Bearer not-the-token-at-all-000")],
            "",
        );
        assert_eq!(wrong.status, 401, "{path}");
        let auth = format!("Bearer {token}");
        let r = c.request("GET", path, &[("Authorization", &auth)], "");
        assert_eq!(r.status, 200, "{path}: {r:?}");
    }
    // /health stays open for the platform's health check.
    assert_eq!(c.request("GET", "/health", &[], "").status, 200);
    assert!(!s.logs().iter().any(|l| l.contains(token)), "token logged");

    let off = Server::start(&[("METRICS_ENABLED", "false")]);
    assert_eq!(off.client().request("GET", "/metrics", &[], "").status, 404);
    assert_eq!(off.client().request("GET", "/scaling", &[], "").status, 200);

    let out = Command::new(crate::support::BIN)
        .args(["check-config", "--demo"])
        .env_clear()
        .env("METRICS_TOKEN", "short")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(
        err.contains("METRICS_TOKEN") && !err.contains("short"),
        "{err}"
    );
}

#[test]
fn health_follows_background_checks_of_hubspot_down_and_back() {
    let crm = Crm::start(&[
        ("HEALTH_CHECK_ENABLED", "true"),
        ("HEALTH_CHECK_INTERVAL_MS", "200"),
        ("HUBSPOT_MAX_RETRIES", "0"),
    ]);
    let (code, v) = wait_health(&crm.mcp, Duration::from_secs(10), |_, v| {
        v["dependencies"]["hubspot"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("answered"))
    });
    assert_eq!((code, v["status"].as_str()), (200, Some("healthy")), "{v}");
    assert!(v["dependencies"]["hubspot"]["responseTime"].is_u64(), "{v}");
    let probes_before = crm.sb.count("GET /crm/v3/objects/{type}");
    assert!(probes_before >= 1);

    // HubSpot fails: degraded first (still 200), unhealthy (503) after three failures in a row.
    crm.sb
        .faults(json!({"status5xx": 503, "fail5xxNext": 1_000_000}));
    let (code, v) = wait_health(&crm.mcp, Duration::from_secs(10), |_, v| {
        v["status"] == "degraded"
    });
    assert_eq!(code, 200, "{v}");
    let (code, v) = wait_health(&crm.mcp, Duration::from_secs(10), |_, v| {
        v["status"] == "unhealthy"
    });
    assert_eq!(code, 503);
    let dep = &v["dependencies"]["hubspot"];
    assert!(
        dep["error"].as_str().is_some_and(|e| e.contains("503")),
        "{v}"
    );
    assert!(dep["consecutiveFailures"].as_u64() >= Some(3), "{v}");
    // Back: healthy again, and the transitions were logged.
    crm.sb.faults(json!({"fail5xxNext": 0}));
    let (code, _) = wait_health(&crm.mcp, Duration::from_secs(20), |_, v| {
        v["status"] == "healthy"
    });
    assert_eq!(code, 200);
    assert!(crm.mcp.wait_log(r#""to":"unhealthy""#));
    assert!(crm.mcp.wait_log(r#""to":"healthy""#));
    assert!(crm.sb.count("GET /crm/v3/objects/{type}") > probes_before + 3);
}

#[test]
fn a_stalled_dependency_never_stalls_health() {
    // HubSpot stalls for 20 s on every call from the start; the first background probe (sent 1 s after
    // start, given min(interval, 10 s)) is stuck in it.
    let sb = SandboxProc::start();
    sb.faults(json!({"latencyMs": 20_000}));
    let mcp = Server::start_args(
        &["serve"],
        &[
            ("HUBSPOT_API_BASE_URL", sb.base_url.as_str()),
            ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN),
            ("HEALTH_CHECK_ENABLED", "true"),
            ("HEALTH_CHECK_INTERVAL_MS", "60000"),
            ("HUBSPOT_MAX_RETRIES", "0"),
        ],
    );
    let end = Instant::now() + Duration::from_secs(10);
    while sb.count("GET /crm/v3/objects/{type}") < 1 {
        assert!(Instant::now() < end, "the probe never reached HubSpot");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The probe is in HubSpot now, and stays there until its 10 s run out. /health answers from what
    // the checker recorded (nothing yet: the first check is pending), and so does /health/live, again
    // and again: neither waits for the probe nor runs one of its own.
    for _ in 0..3 {
        let r = mcp.client().request("GET", "/health", &[], "");
        assert_eq!(r.status, 200, "{r:?}");
        let v = r.json();
        let dep = &v["dependencies"]["hubspot"];
        assert_eq!(dep["status"], "healthy", "{v}");
        // These words are what scripts/railway-common.sh's deploy check waits out.
        assert!(
            dep["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("first check pending")),
            "/health reported a check that cannot have finished: {v}"
        );
        assert!(dep.get("error").is_none_or(Value::is_null), "{v}");
        assert_eq!(
            mcp.client().request("GET", "/health/live", &[], "").status,
            200
        );
    }
    assert_eq!(
        sb.count("GET /crm/v3/objects/{type}"),
        1,
        "/health sent a probe of its own"
    );
    let s = samples(&metrics(&mcp));
    assert_eq!(
        get(&s, r#"mcp_hubspot_api_calls_total"#),
        1.0,
        "only the background probe called HubSpot"
    );
}

#[test]
fn a_refused_token_is_unhealthy_with_a_fix_in_the_report() {
    let crm = Crm::start(&[
        ("HEALTH_CHECK_ENABLED", "true"),
        ("HEALTH_CHECK_INTERVAL_MS", "200"),
        (
            "HUBSPOT_ACCESS_TOKEN",
            "pat-na1-99999999-9999-9999-9999-999999999999",
        ),
    ]);
    assert_ne!(
        SANDBOX_TOKEN,
        "pat-na1-99999999-9999-9999-9999-999999999999"
    );
    let (code, v) = wait_health(&crm.mcp, Duration::from_secs(10), |_, v| {
        v["status"] == "unhealthy"
    });
    assert_eq!(code, 503);
    let dep = &v["dependencies"]["hubspot"];
    assert!(
        dep["detail"]
            .as_str()
            .is_some_and(|d| d.contains("HUBSPOT_ACCESS_TOKEN")),
        "{v}"
    );
    assert!(
        dep["error"].as_str().is_some_and(|e| e.contains("401")),
        "{v}"
    );
    // The healthcheck subcommand (the image's HEALTHCHECK) agrees.
    let out = Command::new(crate::support::BIN)
        .arg("healthcheck")
        .env_clear()
        .env("PORT", crm.mcp.addr.port().to_string())
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "healthcheck passed on an unhealthy server"
    );
}

#[test]
fn health_checks_off_report_unchecked_dependencies() {
    let sb = SandboxProc::start();
    let s = Server::start_args(
        &["serve"],
        &[
            ("HUBSPOT_API_BASE_URL", &sb.base_url),
            ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN),
            ("HEALTH_CHECK_ENABLED", "false"),
        ],
    );
    std::thread::sleep(Duration::from_millis(300));
    let v = s.client().request("GET", "/health", &[], "").json();
    assert_eq!(v["status"], "healthy");
    assert!(v["dependencies"]["hubspot"]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("HEALTH_CHECK_ENABLED=false")));
    assert_eq!(
        sb.stats()["total"],
        0,
        "a check ran although checks are off"
    );
}

fn gunzip(b: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(b)
        .read_to_string(&mut s)
        .expect("valid gzip");
    s
}

#[test]
fn large_replies_are_gzipped_when_the_client_accepts_it() {
    let s = Server::start(&[]);
    let c = s.client();
    let body = crate::support::stateless_body(1, "tools/list", json!({}));
    let mut h = vec![
        ("Content-Type", "application/json"),
        ("Accept", crate::support::ACCEPT),
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/list"),
    ];
    let plain = c.request("POST", "/mcp", &h, &body.to_string());
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
    h.push(("Accept-Encoding", "gzip, br"));
    let z = c.request("POST", "/mcp", &h, &body.to_string());
    assert_eq!(
        z.header("content-encoding"),
        Some("gzip"),
        "{:?}",
        z.headers
    );
    assert!(
        z.bytes.len() * 4 < plain.bytes.len(),
        "{} vs {}",
        z.bytes.len(),
        plain.bytes.len()
    );
    let back: Value = serde_json::from_str(&gunzip(&z.bytes)).unwrap();
    assert_eq!(back, plain.json());
    // Opt-out, refusal by quality, and small bodies: sent as they are.
    let mut no = h.clone();
    no.push(("x-no-compression", "1"));
    assert_eq!(
        c.request("POST", "/mcp", &no, &body.to_string())
            .header("content-encoding"),
        None
    );
    let mut q0 = h.clone();
    q0.retain(|(k, _)| *k != "Accept-Encoding");
    q0.push(("Accept-Encoding", "gzip;q=0, identity"));
    assert_eq!(
        c.request("POST", "/mcp", &q0, &body.to_string())
            .header("content-encoding"),
        None
    );
    let small = c.request("GET", "/health/live", &[("Accept-Encoding", "gzip")], "");
    assert_eq!(small.header("content-encoding"), None);
    // The access log says what was sent.
    assert!(s.wait_log(r#""gzip":true"#));
}

#[test]
fn every_log_line_of_a_request_carries_its_id() {
    let crm = Crm::start(&[("HEALTH_CHECK_ENABLED", "false")]);
    let r = crm.mcp.client().stateless(
        3,
        "tools/call",
        json!({"name": "hubspot_get_record", "arguments": {"objectType": "contacts", "id": "424242"}}),
    );
    assert_eq!(r.json()["result"]["isError"], true);
    let id = r.header("x-request-id").expect("X-Request-Id").to_string();
    assert!(crm.mcp.wait_log(&format!(r#""request_id":"{id}""#)));
    assert!(crm.mcp.wait_log(r#""msg":"request""#));
    let lines: Vec<Value> = crm
        .mcp
        .logs()
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &Value| v["request_id"] == id.as_str())
        .collect();
    let failed = lines
        .iter()
        .find(|v| v["msg"] == "tool call failed")
        .unwrap_or_else(|| panic!("the tool's own log line lacks the request id: {lines:#?}"));
    assert_eq!(failed["tool"], "hubspot_get_record");
    let access = lines
        .iter()
        .find(|v| v["msg"] == "request")
        .expect("access line");
    assert_eq!(access["status"], 200);
    assert_eq!(access["rpc_method"], "tools/call");
    assert_eq!(access["tool"], "hubspot_get_record");
    assert_eq!(access["path"], "/mcp");
    assert!(
        access["duration_ms"].is_f64() && access["bytes"].is_u64(),
        "{access}"
    );
    // Lines outside any request carry none.
    let listening: Value = crm
        .mcp
        .logs()
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["msg"] == "listening")
        .unwrap();
    assert!(listening.get("request_id").is_none());
}

#[test]
fn scaling_advises_scale_up_when_workers_run_out() {
    let crm = Crm::start(&[
        ("MCP_WORKERS", "1"),
        ("MCP_MAX_QUEUE", "0"),
        ("HEALTH_CHECK_ENABLED", "false"),
    ]);
    let v = crm.mcp.client().request("GET", "/scaling", &[], "").json();
    for k in [
        "memoryUsage",
        "heapUsed",
        "heapTotal",
        "uptime",
        "activeSessions",
        "recommendation",
    ] {
        assert!(v["metrics"].get(k).is_some(), "{k} missing: {v}");
    }
    assert!(v["recommendations"]["reason"].is_string());
    assert_eq!(v["policy"]["targetMemoryPercent"], 80.0);

    crm.sb.faults(json!({"latencyMs": 1500}));
    let c = crm.mcp.client();
    let slow = std::thread::spawn(move || {
        // The single worker may still be finishing the /scaling reply above (503): try again then.
        let end = Instant::now() + Duration::from_secs(5);
        loop {
            let r = c.stateless(
                1,
                "tools/call",
                json!({"name": "hubspot_get_record", "arguments": {"objectType": "contacts", "id": "101"}}),
            );
            if r.status != 503 || Instant::now() > end {
                return r;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    // Once the call waits on HubSpot, the only worker is taken: more requests are refused with 503.
    let end = Instant::now() + Duration::from_secs(5);
    while crm.sb.stats()["total"].as_u64() < Some(1) {
        assert!(
            Instant::now() < end,
            "the slow call never reached the sandbox"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut refused = 0;
    let mut seen = Vec::new();
    let end = Instant::now() + Duration::from_secs(5);
    while refused < 3 && Instant::now() < end {
        // Work that needs a worker is refused; health is answered without one, busy or not.
        let r = crm.mcp.client().stateless(2, "tools/list", json!({}));
        seen.push(r.status);
        if r.status == 503 {
            refused += 1;
            assert!(r.header("retry-after").is_some(), "503 without Retry-After");
            let live = crm.mcp.client().request("GET", "/health/live", &[], "");
            assert_eq!(
                live.status, 200,
                "/health/live refused while the workers are busy"
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        refused >= 3,
        "no 503 while the only worker was busy: {seen:?}"
    );
    assert_eq!(slow.join().unwrap().status, 200);
    let v = until_served(&crm.mcp, "/scaling").json();
    assert_eq!(v["recommendations"]["action"], "scale_up", "{v}");
    assert!(v["metrics"]["rejectedBusy"].as_u64() >= Some(3), "{v}");
    let s = samples(&until_served(&crm.mcp, "/metrics").body);
    assert!(get(&s, r#"mcp_http_rejected_total{reason="busy"}"#) >= 3.0);
}

/// GET `path`, again while the single worker is still finishing the previous request (503).
fn until_served(s: &Server, path: &str) -> crate::support::Resp {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let r = s.client().request("GET", path, &[], "");
        if r.status != 503 || Instant::now() > end {
            assert_eq!(r.status, 200, "{r:?}");
            return r;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn host_and_origin_refusals_are_counted() {
    let s = Server::start(&[]);
    let c = s.client();
    let before = samples(&metrics(&s));
    let host = |m: &HashMap<String, f64>, why: &str| {
        m.get(&format!(r#"mcp_http_rejected_total{{reason="{why}"}}"#))
            .copied()
            .unwrap_or(0.0)
    };
    assert_eq!((host(&before, "host"), host(&before, "origin")), (0.0, 0.0));
    for _ in 0..2 {
        let r = c.request(
            "POST",
            "/mcp",
            &[
                ("Host", "evil.example"),
                ("Content-Type", "application/json"),
            ],
            "{}",
        );
        assert_eq!(r.status, 403);
    }
    let r = c.post(
        &[("Origin", "https://evil.example")],
        &crate::support::init_body("2025-06-18"),
    );
    assert_eq!(r.status, 403);
    let after = samples(&metrics(&s));
    assert_eq!(host(&after, "host"), 2.0);
    assert_eq!(host(&after, "origin"), 1.0);
}

/// Issue #14: a HubSpot call looks nothing up and opens no connection once the first one is made (the
/// pooled connection and the cached address are reused), and `/metrics` shows both counts.
#[test]
fn hubspot_calls_reuse_one_connection_and_one_lookup() {
    let s = Server::start(&[
        ("HEALTH_CHECK_ENABLED", "false"),
        ("RATE_LIMIT_MAX", "100000"),
    ]);
    let c = s.client();
    const CALLS: usize = 200;
    for i in 0..CALLS {
        let r = c.stateless(
            i as i64,
            "tools/call",
            json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts", "limit": 1}}),
        );
        assert_eq!(r.json()["result"]["isError"], false, "{r:?}");
    }
    let m = samples(&metrics(&s));
    let calls = get(&m, "mcp_hubspot_api_calls_total");
    assert!(calls >= CALLS as f64, "{calls}");
    // One client calling one after another: one connection, one lookup (health checks could add one
    // of each; they are off here).
    let opened = get(&m, "mcp_hubspot_connections_opened_total");
    let lookups = get(&m, "mcp_hubspot_dns_lookups_total");
    assert!(
        (1.0..=2.0).contains(&opened),
        "connections opened for {calls} calls: {opened}"
    );
    assert_eq!(lookups, 1.0, "lookups for {calls} calls");
}
