use serde_json::json;

use crate::support::{init_body, Server, ACCEPT};

#[test]
fn host_and_origin_are_checked_before_anything_else() {
    let s = Server::start(&[("CORS_ORIGIN", "https://claude.ai")]);
    let c = s.client();
    let body = init_body("2025-06-18").to_string();
    let hdrs = |extra: Vec<(&'static str, &'static str)>| {
        let mut h = vec![("Content-Type", "application/json"), ("Accept", ACCEPT)];
        h.extend(extra);
        h
    };
    let r = c.request(
        "POST",
        "/mcp",
        &hdrs(vec![("Host", "evil.example.com")]),
        &body,
    );
    assert_eq!(r.status, 403, "{r:?}");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("MCP_ALLOWED_HOSTS"));
    let r = c.request(
        "POST",
        "/mcp",
        &hdrs(vec![("Origin", "http://evil.example.com")]),
        &body,
    );
    assert_eq!(r.status, 403);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("CORS_ORIGIN"));
    // DNS rebinding: a loopback Origin with a foreign Host.
    let r = c.request(
        "POST",
        "/mcp",
        &hdrs(vec![
            ("Host", "evil.example.com"),
            ("Origin", "http://localhost"),
        ]),
        &body,
    );
    assert_eq!(r.status, 403);
    for ok in [
        "https://claude.ai",
        "http://localhost:6274",
        "http://127.0.0.1:9",
    ] {
        let h = vec![
            ("Content-Type", "application/json"),
            ("Accept", ACCEPT),
            ("Origin", ok),
        ];
        assert_eq!(c.request("POST", "/mcp", &h, &body).status, 200, "{ok}");
    }
    let r = c.request(
        "POST",
        "/mcp",
        &hdrs(vec![("Host", "localhost:1234")]),
        &body,
    );
    assert_eq!(r.status, 200);
    // GET and DELETE are checked too, Host and Origin, before their own rules (GET is 405, DELETE
    // without a session 400, on a live session 204).
    let (sid, _) = c.initialize("2025-06-18");
    let on = |extra: &[(&'static str, &'static str)]| {
        let mut h = vec![
            ("Mcp-Session-Id", sid.as_str()),
            ("MCP-Protocol-Version", "2025-06-18"),
        ];
        h.extend_from_slice(extra);
        h
    };
    for verb in ["GET", "DELETE"] {
        for (what, bad) in [
            ("Host", ("Host", "evil.example.com")),
            ("Origin", ("Origin", "http://evil.example.com")),
        ] {
            let r = c.request(verb, "/mcp", &on(&[bad]), "");
            assert_eq!(r.status, 403, "{verb} with a foreign {what}: {r:?}");
            let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
            let names = if what == "Host" {
                "MCP_ALLOWED_HOSTS"
            } else {
                "CORS_ORIGIN"
            };
            assert!(msg.contains(names), "{verb} {what}: {msg}");
        }
    }
    // The refused DELETEs ended nothing: the session still answers, and an allowed DELETE ends it.
    assert_eq!(c.call(&sid, "2025-06-18", 2, "ping", json!({})).status, 200);
    assert_eq!(
        c.request("GET", "/mcp", &on(&[("Origin", "https://claude.ai")]), "")
            .status,
        405
    );
    assert_eq!(
        c.request(
            "DELETE",
            "/mcp",
            &on(&[("Origin", "https://claude.ai")]),
            ""
        )
        .status,
        204
    );
    assert_eq!(c.call(&sid, "2025-06-18", 3, "ping", json!({})).status, 404);
}

#[test]
fn accept_content_type_size_and_json_errors() {
    let s = Server::start(&[("MCP_MAX_BODY_BYTES", "2048")]);
    let c = s.client();
    let body = init_body("2025-06-18").to_string();
    let r = c.request(
        "POST",
        "/mcp",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ],
        &body,
    );
    assert_eq!(r.status, 406, "{r:?}");
    let r = c.request(
        "POST",
        "/mcp",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(r.status, 406);
    let r = c.request(
        "POST",
        "/mcp",
        &[("Content-Type", "text/plain"), ("Accept", ACCEPT)],
        &body,
    );
    assert_eq!(r.status, 415);
    let r = c.request("POST", "/mcp", &[("Accept", ACCEPT)], &body);
    assert_eq!(r.status, 415);
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(4096)
    );
    let r = c.request(
        "POST",
        "/mcp",
        &[("Content-Type", "application/json"), ("Accept", ACCEPT)],
        &big,
    );
    assert_eq!(r.status, 413, "{r:?}");
    assert!(r.body.contains("2048"));
    let r = c.request(
        "POST",
        "/mcp",
        &[("Content-Type", "application/json"), ("Accept", ACCEPT)],
        "{not json",
    );
    assert_eq!((r.status, r.code()), (400, -32700));
    assert_eq!(r.json()["id"], serde_json::Value::Null);
    let nested = format!("{}{}", "[".repeat(600), "]".repeat(600));
    let r = c.request(
        "POST",
        "/mcp",
        &[("Content-Type", "application/json"), ("Accept", ACCEPT)],
        &nested,
    );
    assert_eq!((r.status, r.code()), (400, -32700));
    for (bad, id) in [
        (json!({"id":7,"method":"ping"}), json!(7)),
        (json!({"jsonrpc":"2.0","id":8,"method":3}), json!(8)),
        (
            json!({"jsonrpc":"2.0","id":9,"method":"ping","params":"x"}),
            json!(9),
        ),
        (
            json!({"jsonrpc":"2.0","id":null,"method":"ping"}),
            json!(null),
        ),
        (json!("just a string"), json!(null)),
        (json!([]), json!(null)),
    ] {
        let r = c.post(&[], &bad);
        assert_eq!((r.status, r.code()), (400, -32600), "{bad}: {r:?}");
        assert_eq!(r.json()["id"], id);
    }
    // The server keeps serving after all of that.
    assert_eq!(c.post(&[], &init_body("2025-06-18")).status, 200);
}

#[test]
fn other_methods_and_paths() {
    let s = Server::start(&[]);
    let c = s.client();
    let r = c.request("GET", "/mcp", &[("Accept", "text/event-stream")], "");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST, DELETE"));
    let r = c.request("PUT", "/mcp", &[], "");
    assert_eq!(r.status, 405);
    assert!(r.header("allow").is_some());
    assert_eq!(c.request("GET", "/nope", &[], "").status, 404);
    assert_eq!(c.request("POST", "/health", &[], "").status, 405);
    let r = c.request("GET", "/", &[], "");
    assert_eq!(r.json()["mcp"], "/mcp");
    assert_eq!(c.request("GET", "/health/live", &[], "").status, 200);
}

#[test]
fn health_reports_the_original_design_shape() {
    let s = Server::start(&[]);
    let c = s.client();
    let (sid, _) = c.initialize("2025-06-18");
    assert_eq!(c.call(&sid, "2025-06-18", 2, "ping", json!({})).status, 200);
    let r = c.request("GET", "/health", &[], "");
    assert_eq!(r.status, 200);
    let h = r.json();
    assert_eq!(h["status"], "healthy");
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(h["environment"], "development");
    assert!(h["uptime"].as_f64().unwrap() >= 0.0);
    assert!(h["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(h["memory"]["used"].as_u64().unwrap() > 0);
    assert!(h["memory"]["total"].as_u64().unwrap() > h["memory"]["used"].as_u64().unwrap());
    assert_eq!(h["sessions"]["total"], 1);
    assert_eq!(h["sessions"]["active"], 1);
    assert_eq!(h["sessions"]["idle"], 0);
    for d in ["hubspot", "auth"] {
        assert_eq!(h["dependencies"][d]["status"], "healthy", "{d}");
        assert!(h["dependencies"][d]["lastChecked"].is_string());
    }
    assert!(h["metrics"]["requestCount"].as_u64().unwrap() >= 3);
    assert!(h["metrics"]["averageResponseTime"].is_number());
    assert!(r.header("x-request-id").is_some());
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
}
