use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::Server;

#[test]
fn missing_unknown_and_malformed_session_ids() {
    let s = Server::start(&[]);
    let c = s.client();
    let ping = json!({"jsonrpc":"2.0","id":1,"method":"ping"});
    let r = c.post(&[], &ping);
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Mcp-Session-Id"));
    let r = c.post(
        &[("Mcp-Session-Id", "0123456789abcdef0123456789abcdef")],
        &ping,
    );
    assert_eq!((r.status, r.code()), (404, -32001));
    let r = c.post(&[("Mcp-Session-Id", "not a session")], &ping);
    assert_eq!(r.status, 404);
    // Notifications need a session too.
    let r = c.post(
        &[],
        &json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn delete_ends_a_session() {
    let s = Server::start(&[]);
    let c = s.client();
    let (sid, _) = c.initialize("2025-11-25");
    let del = |sid: Option<&str>| {
        let mut h = vec![("MCP-Protocol-Version", "2025-11-25")];
        if let Some(s) = sid {
            h.push(("Mcp-Session-Id", s));
        }
        c.request("DELETE", "/mcp", &h, "")
    };
    assert_eq!(del(None).status, 400);
    assert_eq!(del(Some(&sid)).status, 204);
    assert_eq!(del(Some(&sid)).status, 404);
    let r = c.call(&sid, "2025-11-25", 2, "ping", json!({}));
    assert_eq!(r.status, 404);
    assert!(s.wait_log("session ended by client"), "log line never came");
    let logs = s.logs().join("\n");
    assert!(logs.contains("session ended by client"));
    assert!(!logs.contains(&sid), "full session id must never be logged");
}

/// A sample of /metrics (-1 when missing).
fn metric(s: &Server, name: &str) -> f64 {
    crate::limits::metric(s, name)
}

#[test]
fn idle_sessions_expire_and_the_reaper_removes_them() {
    let s = Server::start(&[
        ("SESSION_MAX_AGE", "2000"),
        ("SESSION_CLEANUP_INTERVAL", "100"),
    ]);
    let c = s.client();
    let (kept, _) = c.initialize("2025-06-18");
    let (dropped, _) = c.initialize("2025-06-18");
    let expired = r#"mcp_sessions_terminated_total{reason="expired"}"#;
    assert_eq!(metric(&s, expired), 0.0);
    // Keep one alive with requests while the other idles past SESSION_MAX_AGE, until the reaper has
    // removed exactly one session. Nothing touches `dropped` meanwhile, so only the reaper can have.
    let end = Instant::now() + Duration::from_secs(20);
    while metric(&s, expired) < 1.0 {
        assert!(
            Instant::now() < end,
            "the reaper never removed the idle session"
        );
        assert_eq!(
            c.call(&kept, "2025-06-18", 2, "ping", json!({})).status,
            200
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(metric(&s, expired), 1.0);
    assert_eq!(metric(&s, "mcp_sessions_active"), 1.0);
    assert_eq!(
        c.request("GET", "/health", &[], "").json()["sessions"]["total"],
        1
    );
    assert!(
        s.wait_log("expired sessions removed"),
        "log line never came"
    );
    assert_eq!(
        c.call(&dropped, "2025-06-18", 3, "ping", json!({})).status,
        404
    );
    assert_eq!(
        c.call(&kept, "2025-06-18", 4, "ping", json!({})).status,
        200
    );
    assert_eq!(metric(&s, expired), 1.0, "the kept session never expired");
}

#[test]
fn the_session_cap_answers_503_and_frees_up_on_delete() {
    let s = Server::start(&[("MCP_MAX_SESSIONS", "2")]);
    let c = s.client();
    let (a, _) = c.initialize("2025-06-18");
    c.initialize("2025-06-18");
    let r = c.post(&[], &crate::support::init_body("2025-06-18"));
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.header("retry-after"), Some("5"));
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("maximum of 2 sessions"));
    assert_eq!(
        c.request("DELETE", "/mcp", &[("Mcp-Session-Id", &a)], "")
            .status,
        204
    );
    assert_eq!(
        c.post(&[], &crate::support::init_body("2025-06-18")).status,
        200
    );
}

#[test]
fn each_principal_has_a_session_quota_under_the_cap_and_delete_frees_a_slot() {
    use crate::auth::{token_for, AUD, ISS, SECRET};
    let s = Server::start(&[
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISS),
        ("JWT_AUDIENCE", AUD),
        ("MCP_MAX_SESSIONS", "10"),
        ("MCP_MAX_SESSIONS_PER_PRINCIPAL", "2"),
    ]);
    let as_ = |kind: &str, who: &str| {
        let mut c = s.client();
        c.bearer = Some(token_for(kind, who));
        c
    };
    let (a, b, a_client) = (
        as_("sub", "alice"),
        as_("sub", "bob"),
        as_("client_id", "alice"),
    );
    let (first, _) = a.initialize("2025-06-18");
    a.initialize("2025-06-18");
    let r = a.post(&[], &crate::support::init_body("2025-06-18"));
    assert_eq!(r.status, 429, "{r:?}");
    assert_eq!(
        r.json()["id"],
        1,
        "answered like the cap: a JSON-RPC error for the request"
    );
    assert_eq!(r.json()["error"]["code"], -32000);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("this principal has 2 open sessions, its limit")
            && msg.contains("DELETE /mcp")
            && msg.contains("expire"),
        "{msg}"
    );
    assert_eq!(r.header("retry-after"), None);
    // Other principals are not affected, including the same text under another claim.
    b.initialize("2025-06-18");
    b.initialize("2025-06-18");
    a_client.initialize("2025-06-18");
    // Ending one of alice's sessions gives her one slot back, and only one.
    assert_eq!(a.delete_session(&first, "2025-06-18").status, 204);
    a.initialize("2025-06-18");
    assert_eq!(
        a.post(&[], &crate::support::init_body("2025-06-18")).status,
        429
    );
    let h = s.client().request("GET", "/health", &[], "").json();
    assert_eq!(h["sessions"]["total"], 5, "{h}");
}
