use serde_json::json;

use crate::support::{init_body, Resp, Server, ACCEPT};

/// The security headers on `r`, with their values (`cache-control` is `no-cache, no-transform` on an
/// event stream), and no HSTS outside production.
fn assert_secured(what: &str, r: &Resp) {
    let sse = r
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/event-stream"));
    for (h, v) in crate::limits::SECURITY_HEADERS {
        let v = if sse && h == "cache-control" {
            "no-cache, no-transform"
        } else {
            v
        };
        assert_eq!(r.header(h), Some(v), "{what}: {h} in {:?}", r.headers);
    }
    assert!(
        r.header("strict-transport-security").is_none(),
        "{what}: HSTS only in production"
    );
}

#[test]
fn security_headers_on_every_response() {
    let s = Server::start(&[
        ("CORS_ORIGIN", "https://claude.ai"),
        ("MCP_MAX_BODY_BYTES", "2048"),
    ]);
    let c = s.client();
    let post = |h: &[(&str, &str)], body: &str| {
        let mut all = vec![("Content-Type", "application/json"), ("Accept", ACCEPT)];
        all.extend_from_slice(h);
        c.request("POST", "/mcp", &all, body)
    };
    let init = init_body("2025-11-25").to_string();
    let opened = post(&[], &init);
    let sid = opened.header("mcp-session-id").unwrap().to_string();
    let on = [
        ("Mcp-Session-Id", sid.as_str()),
        ("MCP-Protocol-Version", "2025-11-25"),
    ];
    let mut sse = crate::support::stateless_body(
        3,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "s", "steps": 2}}),
    );
    sse["params"]["_meta"]["progressToken"] = json!(1);
    let responses = vec![
        ("GET /health", 200, c.request("GET", "/health", &[], "")),
        (
            "GET /health/live",
            200,
            c.request("GET", "/health/live", &[], ""),
        ),
        ("GET /metrics", 200, c.request("GET", "/metrics", &[], "")),
        ("GET /", 200, c.request("GET", "/", &[], "")),
        ("GET /nope", 404, c.request("GET", "/nope", &[], "")),
        ("GET /mcp", 405, c.request("GET", "/mcp", &[], "")),
        ("POST /health", 405, c.request("POST", "/health", &[], "")),
        ("initialize", 200, opened.clone()),
        (
            "notification",
            202,
            post(
                &on,
                &json!({"jsonrpc":"2.0","method":"notifications/initialized"}).to_string(),
            ),
        ),
        (
            "ping",
            200,
            post(
                &on,
                &json!({"jsonrpc":"2.0","id":2,"method":"ping"}).to_string(),
            ),
        ),
        (
            "SSE tools/call",
            200,
            post(
                &[
                    ("MCP-Protocol-Version", "2026-07-28"),
                    ("Mcp-Method", "tools/call"),
                    ("Mcp-Name", "echo"),
                ],
                &sse.to_string(),
            ),
        ),
        (
            "preflight",
            204,
            c.request(
                "OPTIONS",
                "/mcp",
                &[
                    ("Origin", "https://claude.ai"),
                    ("Access-Control-Request-Method", "POST"),
                ],
                "",
            ),
        ),
        (
            "foreign preflight",
            403,
            c.request("OPTIONS", "/mcp", &[("Origin", "https://evil.example")], ""),
        ),
        (
            "foreign Host",
            403,
            post(&[("Host", "evil.example")], &init),
        ),
        (
            "foreign Origin",
            403,
            post(&[("Origin", "https://evil.example")], &init),
        ),
        (
            "Accept",
            406,
            c.request(
                "POST",
                "/mcp",
                &[
                    ("Content-Type", "application/json"),
                    ("Accept", "text/html"),
                ],
                &init,
            ),
        ),
        (
            "Content-Type",
            415,
            c.request(
                "POST",
                "/mcp",
                &[("Content-Type", "text/plain"), ("Accept", ACCEPT)],
                &init,
            ),
        ),
        ("oversized", 413, post(&[], &"x".repeat(4096))),
        ("bad JSON", 400, post(&[], "{nope")),
        (
            "no session",
            400,
            post(
                &[],
                &json!({"jsonrpc":"2.0","id":4,"method":"ping"}).to_string(),
            ),
        ),
        (
            "unknown session",
            404,
            post(
                &[("Mcp-Session-Id", "0123456789abcdef0123456789abcdef")],
                &json!({"jsonrpc":"2.0","id":5,"method":"ping"}).to_string(),
            ),
        ),
        ("DELETE", 204, c.delete_session(&sid, "2025-11-25")),
    ];
    for (what, status, r) in &responses {
        assert_eq!(r.status, *status, "{what}: {r:?}");
        assert_secured(what, r);
    }
    assert!(responses
        .iter()
        .any(|(_, _, r)| r.header("content-type") == Some("text/event-stream")));
    // Refused on the head alone, before any handler: the same headers.
    for (what, status, bytes) in [
        (
            "head too large",
            431,
            format!(
                "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
                "a".repeat(10_000)
            ),
        ),
        (
            "HTTP/2.0",
            505,
            "GET /health HTTP/2.0\r\nHost: localhost\r\n\r\n".to_string(),
        ),
        (
            "smuggling",
            400,
            "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                .to_string(),
        ),
        (
            "Expect",
            417,
            "POST /mcp HTTP/1.1\r\nHost: localhost\r\nExpect: later\r\nContent-Length: 2\r\n\r\n{}"
                .to_string(),
        ),
    ] {
        let mut t = std::net::TcpStream::connect(s.addr).unwrap();
        t.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        std::io::Write::write_all(&mut t, bytes.as_bytes()).unwrap();
        let (r, closed) = crate::limits::read_until_closed(&mut t);
        assert_eq!(crate::limits::status_of(&r), status, "{what}: {r:?}");
        assert!(closed, "{what}: the connection stays open");
        crate::limits::assert_security_headers(&r);
    }
    // A token refused (401) and a client over its limit (429).
    let limited = Server::start(&[("JWT_SECRET", crate::auth::SECRET), ("RATE_LIMIT_MAX", "1")]);
    let lc = limited.client();
    let r = lc.post(&[], &init_body("2025-11-25"));
    assert_eq!(r.status, 401, "{r:?}");
    assert_secured("401", &r);
    let r = lc.post(&[], &init_body("2025-11-25"));
    assert_eq!(r.status, 429, "{r:?}");
    assert_secured("429", &r);
}

#[test]
fn cors_preflight_and_exposed_headers() {
    let s = Server::start(&[("CORS_ORIGIN", "https://claude.ai")]);
    let c = s.client();
    let pre = |origin: &str| {
        c.request(
            "OPTIONS",
            "/mcp",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "authorization, content-type, mcp-session-id",
                ),
            ],
            "",
        )
    };
    let r = pre("https://claude.ai");
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://claude.ai")
    );
    let allowed = r
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "authorization",
        "mcp-session-id",
        "mcp-protocol-version",
        "last-event-id",
    ] {
        assert!(allowed.contains(h), "{h} not allowed: {allowed}");
    }
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert_eq!(pre("https://evil.example").status, 403);

    let r = c.request(
        "POST",
        "/mcp",
        &[
            ("Origin", "https://claude.ai"),
            ("Content-Type", "application/json"),
            ("Accept", ACCEPT),
        ],
        &init_body("2025-11-25").to_string(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://claude.ai")
    );
    assert!(r
        .header("access-control-expose-headers")
        .unwrap()
        .contains("Mcp-Session-Id"));
    // No Origin, no CORS headers.
    let r = c.post(&[], &init_body("2025-11-25"));
    assert!(r.header("access-control-allow-origin").is_none());
}

#[test]
fn per_client_rate_limit_with_trusted_forwarding() {
    let s = Server::start(&[("RATE_LIMIT_MAX", "5"), ("RATE_LIMIT_WINDOW_MS", "60000")]);
    let c = s.client();
    let ping = |xff: Option<&str>| {
        let mut h = vec![
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/list"),
        ];
        if let Some(x) = xff {
            h.push(("X-Forwarded-For", x));
        }
        c.post(
            &h,
            &crate::support::stateless_body(1, "tools/list", json!({})),
        )
    };
    for i in 0..5 {
        let r = ping(None);
        assert_eq!(r.status, 200, "request {i}");
        assert_eq!(
            r.header("ratelimit"),
            Some(format!("limit=5, remaining={}, reset=60", 4 - i).as_str())
        );
    }
    let r = ping(None);
    assert_eq!(r.status, 429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(r.header("ratelimit-policy"), Some("5;w=60"));
    assert!(r.body.contains("Too Many Requests"));
    // Without trusted proxies a forged X-Forwarded-For changes nothing.
    assert_eq!(ping(Some("198.51.100.7")).status, 429);
    // Health checks are not limited.
    assert_eq!(c.request("GET", "/health", &[], "").status, 200);

    let s = Server::start(&[("RATE_LIMIT_MAX", "2"), ("MCP_TRUST_PROXY_HOPS", "1")]);
    let c2 = s.client();
    let ping2 = |xff: &str| {
        c2.post(
            &[
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", "tools/list"),
                ("X-Forwarded-For", xff),
            ],
            &crate::support::stateless_body(1, "tools/list", json!({})),
        )
        .status
    };
    assert_eq!(
        (
            ping2("203.0.113.1"),
            ping2("203.0.113.1"),
            ping2("203.0.113.1")
        ),
        (200, 200, 429)
    );
    assert_eq!(
        ping2("203.0.113.2"),
        200,
        "another client behind the proxy has its own budget"
    );
    assert_eq!(
        ping2("9.9.9.9, 203.0.113.1"),
        429,
        "only the entry the trusted proxy wrote counts"
    );
}

#[test]
fn logs_never_show_tokens_secrets_or_session_ids() {
    let token = "pat-na1-PLANTED0-SECRET00-TOKEN000-0000000000000";
    let jwt_secret = "PLANTED-JWT-SECRET-0123456789abcdefghijkl";
    let sb = crate::support::SandboxProc::start();
    let s = Server::start_args(
        &["serve"],
        &[
            ("HUBSPOT_ACCESS_TOKEN", token),
            ("HUBSPOT_API_BASE_URL", sb.base_url.as_str()),
            ("JWT_SECRET", jwt_secret),
            ("HOST", "127.0.0.1"),
            ("LOG_LEVEL", "trace"),
        ],
    );
    let bearer = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "log-test", "exp": 4_000_000_000u64}),
        &jsonwebtoken::EncodingKey::from_secret(jwt_secret.as_bytes()),
    )
    .unwrap();
    let mut c = s.client();
    assert_eq!(
        c.post(&[], &init_body("2025-11-25")).status,
        401,
        "auth is on"
    );
    c.bearer = Some(bearer.clone());
    let (sid, _) = c.initialize("2025-11-25");
    // The sandbox only knows its own token, so HubSpot answers 401: an error path that logs.
    let r = c.call(
        &sid,
        "2025-11-25",
        2,
        "tools/call",
        json!({"name": "hubspot_whoami", "arguments": {}}),
    );
    assert_eq!(r.json()["result"]["isError"], true);
    let r = c.call(
        &sid,
        "2025-11-25",
        3,
        "tools/call",
        json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts"}}),
    );
    assert_eq!(r.json()["result"]["isError"], true);
    let text = r.json()["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !text.contains(token),
        "a tool result must not echo the token"
    );
    c.request("DELETE", "/mcp", &[("Mcp-Session-Id", &sid)], "");
    assert!(s.wait_log("session ended"), "log line never came");
    let logs = s.logs().join("\n");
    assert!(
        logs.contains("session opened") && logs.contains("session ended"),
        "the lines were logged"
    );
    for planted in [token, jwt_secret, sid.as_str(), bearer.as_str()] {
        assert!(
            !logs.contains(planted),
            "a secret or a full session id reached the logs"
        );
    }
}

#[test]
fn hostile_traffic_gets_its_answers_while_a_good_client_is_served() {
    use std::io::Write;
    let s = Server::start(&[
        ("MCP_TRUST_PROXY_HOPS", "1"),
        ("RATE_LIMIT_MAX", "20"),
        ("MCP_READ_TIMEOUT_MS", "500"),
        ("MCP_MAX_BODY_BYTES", "4096"),
    ]);
    let addr = s.addr;
    let c = s.client();
    let (sid, _) = c.initialize("2025-11-25");
    let hostile = std::thread::spawn(move || {
        let mut answers = Vec::new();
        let hc = crate::support::Client {
            addr,
            host: format!("127.0.0.1:{}", addr.port()),
            bearer: None,
        };
        let evil = [("X-Forwarded-For", "198.51.100.66")];
        // Slow-loris connections that never finish their headers.
        let mut slow: Vec<std::net::TcpStream> = (0..5)
            .map(|_| {
                let mut t = std::net::TcpStream::connect(addr).unwrap();
                t.write_all(b"POST /mcp HTTP/1.1\r\nHost: localhost\r\n")
                    .unwrap();
                t
            })
            .collect();
        for _ in 0..3 {
            answers.push((
                "bad host",
                hc.request("GET", "/mcp", &[("Host", "evil.example"), evil[0]], "")
                    .status,
            ));
            answers.push((
                "bad origin",
                hc.request(
                    "POST",
                    "/mcp",
                    &[("Origin", "https://evil.example"), evil[0]],
                    "{}",
                )
                .status,
            ));
            answers.push((
                "preflight",
                hc.request(
                    "OPTIONS",
                    "/mcp",
                    &[("Origin", "https://evil.example"), evil[0]],
                    "",
                )
                .status,
            ));
            let big = "x".repeat(10_000);
            answers.push((
                "oversized",
                hc.request(
                    "POST",
                    "/mcp",
                    &[
                        ("Content-Type", "application/json"),
                        ("Accept", ACCEPT),
                        evil[0],
                    ],
                    &big,
                )
                .status,
            ));
        }
        for _ in 0..30 {
            let r = hc.post(
                &[
                    evil[0],
                    ("MCP-Protocol-Version", "2026-07-28"),
                    ("Mcp-Method", "tools/list"),
                ],
                &crate::support::stateless_body(1, "tools/list", json!({})),
            );
            answers.push(("flood", r.status));
        }
        // Cut off after MCP_READ_TIMEOUT_MS (heads get min(MCP_HEAD_TIMEOUT_MS, it)): 408, the
        // security headers, and the end of the stream from the server, well before our 5 s timeout.
        for t in &mut slow {
            t.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            let (resp, closed) = crate::limits::read_until_closed(t);
            crate::limits::assert_security_headers(&resp);
            assert!(closed, "a slow-loris connection was left open: {resp:?}");
            answers.push(("slow-loris", crate::limits::status_of(&resp)));
        }
        answers
    });
    // Meanwhile the good client (its own address) keeps being served (session hijacks: auth.rs).
    for i in 0..10 {
        let r = c.post(
            &[
                ("X-Forwarded-For", "203.0.113.10"),
                ("Mcp-Session-Id", &sid),
            ],
            &json!({"jsonrpc":"2.0","id":i,"method":"ping"}),
        );
        assert_eq!(r.status, 200, "good client refused at {i}: {r:?}");
    }
    let answers = hostile.join().unwrap();
    let status_of = |what: &str| {
        answers
            .iter()
            .filter(|(w, _)| *w == what)
            .map(|(_, s)| *s)
            .collect::<Vec<_>>()
    };
    assert!(status_of("bad host").iter().all(|s| *s == 403));
    assert!(status_of("bad origin").iter().all(|s| *s == 403));
    assert!(status_of("preflight").iter().all(|s| *s == 403));
    assert!(status_of("oversized").iter().all(|s| *s == 413));
    let flood = status_of("flood");
    assert!(
        flood.contains(&429) && flood.iter().all(|s| *s == 200 || *s == 429),
        "{flood:?}"
    );
    assert_eq!(status_of("slow-loris"), vec![408; 5]);
    assert_eq!(c.request("GET", "/health", &[], "").status, 200);
}
