use serde_json::json;

use crate::support::{init_body, Server};

const SESSION_REVISIONS: [&str; 3] = ["2025-03-26", "2025-06-18", "2025-11-25"];

#[test]
fn initialize_negotiates_each_session_revision() {
    let s = Server::start(&[]);
    let c = s.client();
    for v in SESSION_REVISIONS {
        let (sid, r) = c.initialize(v);
        assert_eq!(sid.len(), 32);
        assert!(sid.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        let res = &r.json()["result"];
        assert_eq!(res["protocolVersion"], v);
        assert_eq!(res["serverInfo"]["name"], "hubspot-mcp");
        assert_eq!(
            res["capabilities"],
            json!({"tools": {"listChanged": false}, "logging": {},
                   "resources": {"subscribe": false, "listChanged": false},
                   "prompts": {"listChanged": false}})
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    // Unknown and stateless-only versions are answered with the newest session revision.
    for asked in ["2024-11-05", "1999-01-01", "2026-07-28"] {
        let (_, r) = c.initialize(asked);
        assert_eq!(
            r.json()["result"]["protocolVersion"],
            "2025-11-25",
            "{asked}"
        );
    }
    let (a, _) = c.initialize("2025-06-18");
    let (b, _) = c.initialize("2025-06-18");
    assert_ne!(a, b);
}

#[test]
fn initialize_with_bad_params_is_invalid_params_and_opens_no_session() {
    let s = Server::start(&[]);
    let c = s.client();
    for params in [
        json!({}),
        json!({"protocolVersion": 5, "capabilities": {}, "clientInfo": {"name": "x"}}),
        json!({"protocolVersion": "2025-06-18", "clientInfo": {"name": "x"}}),
        json!({"protocolVersion": "2025-06-18", "capabilities": {}}),
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {}}),
    ] {
        let r = c.post(
            &[],
            &json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":params}),
        );
        assert_eq!(r.code(), -32602, "{params}");
        assert!(r.header("mcp-session-id").is_none());
    }
    let h = c.request("GET", "/health", &[], "").json();
    assert_eq!(h["sessions"]["total"], 0);
}

#[test]
fn methods_and_their_errors_in_every_session_revision() {
    let s = Server::start(&[]);
    let c = s.client();
    for v in SESSION_REVISIONS {
        let (sid, _) = c.initialize(v);
        let r = c.call(&sid, v, 2, "ping", json!({}));
        assert_eq!(
            (r.status, r.json()["result"].clone()),
            (200, json!({})),
            "{v}"
        );
        assert_eq!(r.json()["id"], 2);

        let r = c.call(&sid, v, 3, "tools/list", json!({}));
        let tools = r.json()["result"]["tools"].as_array().unwrap().clone();
        assert!(tools.iter().any(|t| t["name"] == "echo"), "{v}");
        for t in &tools {
            assert!(t["description"].as_str().unwrap().len() > 20);
            assert_eq!(t["inputSchema"]["type"], "object");
            // The same entry in every revision: the hints that differ from the spec's defaults, no
            // title (the name says it) and no outputSchema (docs/performance.md, "The tool list's size").
            let hints = t["annotations"].as_object().cloned().unwrap_or_default();
            assert!(hints.values().all(|h| h.is_boolean()), "{v}: {hints:?}");
            assert!(
                t.get("title").is_none() && t.get("outputSchema").is_none(),
                "{v}: {t}"
            );
        }
        let echo = tools.iter().find(|t| t["name"] == "echo").unwrap();
        assert_eq!(
            echo["annotations"],
            json!({"readOnlyHint": true, "openWorldHint": false}),
            "{v}"
        );
        let r = c.call(&sid, v, 4, "tools/list", json!({"cursor": "not-a-cursor"}));
        assert_eq!(r.code(), -32602);

        let r = c.call(
            &sid,
            v,
            5,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "hello"}}),
        );
        let res = &r.json()["result"];
        assert_eq!(res["content"][0], json!({"type": "text", "text": "hello"}));
        assert_eq!(res["isError"], false);
        // structuredContent exists from 2025-06-18 on.
        assert_eq!(
            res.get("structuredContent").is_some(),
            v != "2025-03-26",
            "{v}"
        );

        // Tool input errors are tool results, not protocol errors.
        let r = c.call(
            &sid,
            v,
            6,
            "tools/call",
            json!({"name": "echo", "arguments": {"txt": 1}}),
        );
        let res = &r.json()["result"];
        assert_eq!(res["isError"], true);
        assert!(res["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Invalid arguments"));

        for (params, what) in [
            (json!({"name": "no_such_tool"}), "Unknown tool"),
            (json!({"arguments": {}}), "name"),
            (json!({"name": "echo", "arguments": [1]}), "arguments"),
        ] {
            let r = c.call(&sid, v, 7, "tools/call", params);
            assert_eq!((r.status, r.code()), (200, -32602));
            assert!(r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains(what));
        }

        let r = c.call(&sid, v, 8, "logging/setLevel", json!({"level": "warning"}));
        assert_eq!(r.json()["result"], json!({}));
        let r = c.call(&sid, v, 9, "logging/setLevel", json!({"level": "loud"}));
        assert_eq!(r.code(), -32602);

        let r = c.call(&sid, v, 10, "completion/complete", json!({}));
        assert_eq!((r.status, r.code()), (200, -32601));
        let r = c.call(&sid, v, 11, "server/discover", json!({}));
        assert_eq!(r.code(), -32601, "server/discover is 2026-07-28 only ({v})");

        // Notifications and client responses: 202, no body.
        for n in [
            json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId": 99}}),
            json!({"jsonrpc":"2.0","method":"notifications/whatever"}),
            json!({"jsonrpc":"2.0","id":"srv-1","result":{}}),
        ] {
            let r = c.post(&[("Mcp-Session-Id", &sid), ("MCP-Protocol-Version", v)], &n);
            assert_eq!((r.status, r.body.as_str()), (202, ""), "{n}");
        }
    }
}

#[test]
fn string_ids_are_echoed_and_init_repeats_are_fine() {
    let s = Server::start(&[]);
    let c = s.client();
    let mut b = init_body("2025-06-18");
    b["id"] = json!("init-α");
    // The same initialize twice, then once more on a session it already opened: each is answered with
    // its id, and each opens a session of its own; none ends or replaces another.
    let first = c.post(&[], &b);
    let again = c.post(&[], &b);
    let sid = |r: &crate::support::Resp| {
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.json()["id"], "init-α");
        assert_eq!(r.json()["result"]["protocolVersion"], "2025-06-18");
        r.header("mcp-session-id").expect("a session").to_string()
    };
    let (a, b2) = (sid(&first), sid(&again));
    let on_a = c.post(&[("Mcp-Session-Id", &a)], &b);
    let c3 = sid(&on_a);
    let ids = [a.clone(), b2.clone(), c3.clone()];
    assert!(a != b2 && a != c3 && b2 != c3, "{ids:?}");
    for (i, sid) in ids.iter().enumerate() {
        let r = c.call(sid, "2025-06-18", 10 + i as i64, "ping", json!({}));
        assert_eq!(
            (r.status, r.json()["id"].clone()),
            (200, json!(10 + i)),
            "{sid}"
        );
        let p = json!({"jsonrpc":"2.0","id": format!("ping-β{i}"),"method":"ping"});
        let r = c.post(&[("Mcp-Session-Id", sid)], &p);
        assert_eq!(r.json()["id"], format!("ping-β{i}"));
    }
    let h = c.request("GET", "/health", &[], "").json();
    assert_eq!(h["sessions"]["total"], 3, "{h}");
}
