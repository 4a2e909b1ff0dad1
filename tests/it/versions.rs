use serde_json::json;

use crate::support::Server;

#[test]
fn protocol_version_header_is_checked() {
    let s = Server::start(&[]);
    let c = s.client();
    let list = json!({"jsonrpc":"2.0","id":1,"method":"tools/list"});
    // Before initialize and after: an unsupported header is 400 (the conformance suite checks both).
    for bad in ["invalid-protocol-version", "2000-01-01", "2099-01-01"] {
        assert_eq!(
            c.post(&[("MCP-Protocol-Version", bad)], &list).status,
            400,
            "{bad}"
        );
    }
    let (sid, _) = c.initialize("2025-11-25");
    for bad in ["invalid-protocol-version", "2000-01-01"] {
        let r = c.post(
            &[("Mcp-Session-Id", &sid), ("MCP-Protocol-Version", bad)],
            &list,
        );
        assert_eq!(r.status, 400, "{bad}");
        assert!(
            r.body.contains("2025-11-25"),
            "error names supported versions: {}",
            r.body
        );
    }
    // Any supported revision is accepted on a session; none at all means the negotiated one.
    for ok in ["2025-03-26", "2025-06-18", "2025-11-25"] {
        assert_eq!(
            c.post(
                &[("Mcp-Session-Id", &sid), ("MCP-Protocol-Version", ok)],
                &list
            )
            .status,
            200
        );
    }
    let r = c.post(&[("Mcp-Session-Id", &sid)], &list);
    assert_eq!(r.status, 200);
}

#[test]
fn batches_only_in_2025_03_26() {
    let s = Server::start(&[]);
    let c = s.client();
    let batch = json!([
        {"jsonrpc":"2.0","id":1,"method":"ping"},
        {"jsonrpc":"2.0","method":"notifications/initialized"},
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"b"}}},
        {"jsonrpc":"2.0","id":3,"method":"nope"},
        {"jsonrpc":"2.0","id":4,"method":"initialize","params":{}},
        {"id":5}
    ]);
    let (old, _) = c.initialize("2025-03-26");
    let r = c.post(&[("Mcp-Session-Id", &old)], &batch);
    assert_eq!(r.status, 200, "{r:?}");
    let out = r.json();
    let out = out.as_array().unwrap();
    assert_eq!(
        out.len(),
        5,
        "one response per request, none for the notification: {out:?}"
    );
    let by_id = |id: i64| out.iter().find(|m| m["id"] == id).cloned().unwrap();
    assert_eq!(by_id(1)["result"], json!({}));
    assert_eq!(by_id(2)["result"]["content"][0]["text"], "b");
    assert_eq!(by_id(3)["error"]["code"], -32601);
    assert_eq!(by_id(4)["error"]["code"], -32600);
    assert_eq!(by_id(5)["error"]["code"], -32600);
    let only_notes = json!([{"jsonrpc":"2.0","method":"notifications/initialized"}]);
    let r = c.post(&[("Mcp-Session-Id", &old)], &only_notes);
    assert_eq!((r.status, r.body.as_str()), (202, ""));

    for v in ["2025-06-18", "2025-11-25"] {
        let (sid, _) = c.initialize(v);
        let r = c.post(
            &[("Mcp-Session-Id", &sid), ("MCP-Protocol-Version", v)],
            &batch,
        );
        assert_eq!((r.status, r.code()), (400, -32600), "{v}");
    }
    // The header decides for the request: 2025-03-26 on a newer session may batch.
    let (sid, _) = c.initialize("2025-11-25");
    let r = c.post(
        &[
            ("Mcp-Session-Id", &sid),
            ("MCP-Protocol-Version", "2025-03-26"),
        ],
        &batch,
    );
    assert_eq!(r.status, 200);
    let big: Vec<_> = (0..101)
        .map(|i| json!({"jsonrpc":"2.0","id":i,"method":"ping"}))
        .collect();
    let r = c.post(&[("Mcp-Session-Id", &old)], &json!(big));
    assert_eq!((r.status, r.code()), (400, -32600));
}
