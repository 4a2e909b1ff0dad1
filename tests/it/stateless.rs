use serde_json::json;

use crate::support::{stateless_body, Server};

#[test]
fn discover_and_stateless_requests() {
    let s = Server::start(&[]);
    let c = s.client();
    let r = c.stateless(1, "server/discover", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        r.header("mcp-session-id").is_none(),
        "2026-07-28 issues no session"
    );
    let d = &r.json()["result"];
    assert_eq!(d["supportedVersions"][0], "2026-07-28");
    assert!(d["supportedVersions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "2025-11-25"));
    assert_eq!(d["resultType"], "complete");
    assert_eq!(d["cacheScope"], "public");
    assert!(d["ttlMs"].as_u64().is_some());
    assert_eq!(d["capabilities"]["tools"]["listChanged"], false);
    assert_eq!(
        d["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "hubspot-mcp"
    );

    let r = c.stateless(2, "tools/list", json!({}));
    let l = &r.json()["result"];
    assert_eq!(l["resultType"], "complete");
    assert!(l["ttlMs"].is_number() && l["cacheScope"].is_string());
    assert!(l["tools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "echo"));

    let r = c.stateless(
        3,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "s"}}),
    );
    let t = &r.json()["result"];
    assert_eq!(
        (t["content"][0]["text"].clone(), t["resultType"].clone()),
        (json!("s"), json!("complete"))
    );

    // Removed and unknown methods: 404 + -32601.
    for m in ["ping", "logging/setLevel", "initialize", "no/such"] {
        let r = c.stateless(4, m, json!({}));
        assert_eq!((r.status, r.code()), (404, -32601), "{m}");
    }
    let r = c.stateless(5, "initialize", json!({}));
    assert!(
        r.json()["error"]["data"]["supported"].is_array(),
        "initialize error names the versions"
    );
    // Bad params of a known method stay in-band.
    let r = c.stateless(6, "tools/call", json!({"name": "nope"}));
    assert_eq!((r.status, r.code()), (200, -32602));
    assert_eq!(
        c.request("GET", "/health", &[], "").json()["sessions"]["total"],
        0
    );
}

#[test]
fn meta_and_header_rules() {
    let s = Server::start(&[]);
    let c = s.client();
    let body = stateless_body(1, "tools/list", json!({}));
    let std = [
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/list"),
    ];

    // _meta without clientCapabilities, or server/discover without _meta: 400 -32602.
    let mut no_caps = body.clone();
    no_caps["params"]["_meta"]
        .as_object_mut()
        .unwrap()
        .remove("io.modelcontextprotocol/clientCapabilities");
    let r = c.post(&std, &no_caps);
    assert_eq!((r.status, r.code()), (400, -32602));
    let r = c.post(
        &[
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "server/discover"),
        ],
        &json!({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{}}),
    );
    assert_eq!((r.status, r.code()), (400, -32602));
    let mut bad_level = body.clone();
    bad_level["params"]["_meta"]["io.modelcontextprotocol/logLevel"] = json!("loud");
    assert_eq!(c.post(&std, &bad_level).code(), -32602);

    // Header and _meta disagree, or the header is missing: 400 -32020.
    let r = c.post(
        &[
            ("MCP-Protocol-Version", "2025-11-25"),
            ("Mcp-Method", "tools/list"),
        ],
        &body,
    );
    assert_eq!((r.status, r.code()), (400, -32020));
    let r = c.post(&[("Mcp-Method", "tools/list")], &body);
    assert_eq!((r.status, r.code()), (400, -32020));

    // A version we do not serve statelessly: 400 -32022 with the supported list.
    let mut old = body.clone();
    old["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let r = c.post(
        &[
            ("MCP-Protocol-Version", "2099-01-01"),
            ("Mcp-Method", "tools/list"),
        ],
        &old,
    );
    assert_eq!((r.status, r.code()), (400, -32022));
    assert_eq!(r.json()["error"]["data"]["requested"], "2099-01-01");
    assert!(
        r.json()["error"]["data"]["supported"]
            .as_array()
            .unwrap()
            .len()
            >= 4
    );

    // Mcp-Method missing or different; Mcp-Name missing, different or base64.
    let r = c.post(&[("MCP-Protocol-Version", "2026-07-28")], &body);
    assert_eq!((r.status, r.code()), (400, -32020));
    let r = c.post(
        &[
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "TOOLS/LIST"),
        ],
        &body,
    );
    assert_eq!((r.status, r.code()), (400, -32020));
    let call = stateless_body(
        2,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "x"}}),
    );
    let base = [
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
    ];
    assert_eq!(c.post(&base, &call).code(), -32020);
    let mut h = base.to_vec();
    h.push(("Mcp-Name", "other"));
    assert_eq!(c.post(&h, &call).code(), -32020);
    let mut h = base.to_vec();
    h.push(("mcp-name", "  echo  "));
    assert_eq!(c.post(&h, &call).status, 200);
    let mut h = base.to_vec();
    h.push(("MCP-NAME", "=?base64?ZWNobw==?="));
    assert_eq!(c.post(&h, &call).status, 200, "base64 form of 'echo'");

    // No batches, and no GET / DELETE in 2026-07-28.
    let r = c.post(&std, &json!([body]));
    assert_eq!(r.status, 400);
    let r = c.request(
        "DELETE",
        "/mcp",
        &[("MCP-Protocol-Version", "2026-07-28")],
        "",
    );
    assert_eq!(r.status, 405);
    let r = c.request(
        "GET",
        "/mcp",
        &[
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Accept", "text/event-stream"),
        ],
        "",
    );
    assert_eq!(r.status, 405);
    // A notification in the stateless form is accepted (202, no body).
    let r = c.post(
        &std,
        &json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{
        "requestId": 1, "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}),
    );
    assert_eq!((r.status, r.body.as_str()), (202, ""));
}

#[test]
fn sessions_and_stateless_requests_coexist() {
    let s = Server::start(&[]);
    let c = s.client();
    let (sid, _) = c.initialize("2025-11-25");
    assert_eq!(c.stateless(1, "tools/list", json!({})).status, 200);
    assert_eq!(c.call(&sid, "2025-11-25", 2, "ping", json!({})).status, 200);
}
