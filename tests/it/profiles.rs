//! Tool profiles against the real binary: `/mcp/<profile>` and the `MCP-Tool-Profile` header list and
//! allow exactly their tools, under every revision; the profile is static for a session; a read-only
//! principal on a profile sees only its read tools; each profile is a protected resource of its own
//! (RFC 9728 metadata at the path-inserted URL, the challenge naming it); operators' own profiles;
//! 2026-07-28 cache hints (public for a URL's list, private for a header's or a principal's).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::auth::{claims, hs256, AUD, ISS, SECRET};
use crate::support::{init_body, stateless_body, Client, Resp, Server, ACCEPT};

/// The sales profile: records, associations, engagements, owners, pipelines and lists.
const SALES: &[&str] = &[
    "hubspot_list_records",
    "hubspot_get_record",
    "hubspot_search_records",
    "hubspot_create_record",
    "hubspot_update_record",
    "hubspot_archive_record",
    "hubspot_list_associations",
    "hubspot_create_association",
    "hubspot_remove_association",
    "hubspot_list_association_labels",
    "hubspot_batch_create_associations",
    "hubspot_create_engagement",
    "hubspot_list_engagements",
    "hubspot_list_owners",
    "hubspot_get_owner",
    "hubspot_list_pipelines",
    "hubspot_get_pipeline",
    "hubspot_search_lists",
    "hubspot_get_list",
    "hubspot_list_memberships",
    "hubspot_create_list",
    "hubspot_add_list_members",
    "hubspot_remove_list_members",
];

/// The admin profile: properties, schemas, workflows, pipelines.
const ADMIN: &[&str] = &[
    "hubspot_list_properties",
    "hubspot_get_property",
    "hubspot_create_property",
    "hubspot_update_property",
    "hubspot_archive_property",
    "hubspot_list_property_groups",
    "hubspot_create_property_group",
    "hubspot_list_schemas",
    "hubspot_get_schema",
    "hubspot_list_pipelines",
    "hubspot_get_pipeline",
    "hubspot_list_workflows",
    "hubspot_get_workflow",
];

fn post(c: &Client, path: &str, extra: &[(&str, &str)], body: &Value) -> Resp {
    let mut h = vec![("Content-Type", "application/json"), ("Accept", ACCEPT)];
    h.extend_from_slice(extra);
    c.request("POST", path, &h, &body.to_string())
}

/// Opens a session at `path` and returns its id.
fn open(c: &Client, path: &str, extra: &[(&str, &str)]) -> String {
    let r = post(c, path, extra, &init_body("2025-06-18"));
    assert_eq!(r.status, 200, "{r:?}");
    let sid = r.header("mcp-session-id").unwrap().to_string();
    let mut h = vec![("Mcp-Session-Id", sid.as_str())];
    h.extend_from_slice(extra);
    let n = post(
        c,
        path,
        &h,
        &json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
    );
    assert_eq!(n.status, 202, "{n:?}");
    sid
}

fn names(list: &Value) -> BTreeSet<String> {
    list["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {list}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// tools/list on a session at `path`.
fn session_list(c: &Client, path: &str, extra: &[(&str, &str)]) -> BTreeSet<String> {
    let sid = open(c, path, extra);
    let mut h = vec![
        ("Mcp-Session-Id", sid.as_str()),
        ("MCP-Protocol-Version", "2025-06-18"),
    ];
    h.extend_from_slice(extra);
    let r = post(
        c,
        path,
        &h,
        &json!({"jsonrpc":"2.0","id":2,"method":"tools/list"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    names(&r.json())
}

/// A 2026-07-28 request at `path`.
fn stateless(c: &Client, path: &str, extra: &[(&str, &str)], method: &str, params: Value) -> Resp {
    let body = stateless_body(7, method, params);
    let name = body["params"]["name"].as_str().map(str::to_string);
    let mut h = vec![
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", method),
    ];
    if let Some(n) = name.as_deref() {
        h.push(("Mcp-Name", n));
    }
    h.extend_from_slice(extra);
    post(c, path, &h, &body)
}

#[test]
fn each_profile_lists_and_allows_exactly_its_tools() {
    let s = Server::start(&[]);
    let c = s.client();
    let all = session_list(&c, "/mcp", &[]);
    assert!(all.len() >= 43, "{all:?}");
    // `read`: every tool the full list marks read-only, and nothing else.
    let full = post(
        &c,
        "/mcp",
        &[
            ("Mcp-Session-Id", &open(&c, "/mcp", &[])),
            ("MCP-Protocol-Version", "2025-06-18"),
        ],
        &json!({"jsonrpc":"2.0","id":2,"method":"tools/list"}),
    )
    .json();
    let read_only: BTreeSet<String> = full["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["annotations"]["readOnlyHint"] == true)
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(read_only.len() >= 20 && read_only.len() < all.len());
    assert_eq!(session_list(&c, "/mcp/read", &[]), read_only);
    assert_eq!(session_list(&c, "/mcp/sales", &[]), set(SALES));
    assert_eq!(session_list(&c, "/mcp/admin/", &[]), set(ADMIN));
    assert_eq!(session_list(&c, "/mcp/all", &[]), all);
    // The header, for clients that can set one but not change the path.
    assert_eq!(
        session_list(&c, "/mcp", &[("MCP-Tool-Profile", "sales")]),
        set(SALES)
    );
    // 2026-07-28 and 2025-03-26 too.
    let r = stateless(&c, "/mcp/admin", &[], "tools/list", json!({}));
    assert_eq!(names(&r.json()), set(ADMIN));
    let sid = {
        let r = post(&c, "/mcp/sales", &[], &init_body("2025-03-26"));
        r.header("mcp-session-id").unwrap().to_string()
    };
    let r = post(
        &c,
        "/mcp/sales",
        &[("Mcp-Session-Id", &sid)],
        &json!([{"jsonrpc":"2.0","id":1,"method":"tools/list"}]),
    );
    let batch = r.json();
    assert_eq!(names(&batch[0]), set(SALES));

    // A tool outside the profile is not callable there: unknown, as if it did not exist.
    let r = stateless(
        &c,
        "/mcp/read",
        &[],
        "tools/call",
        json!({"name": "hubspot_create_record", "arguments": {"objectType": "contacts", "properties": {"email": "x@example.com"}}}),
    );
    let v = r.json();
    assert_eq!(v["error"]["code"], -32602, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Unknown tool"),
        "{v}"
    );
    let r = stateless(
        &c,
        "/mcp/sales",
        &[],
        "tools/call",
        json!({"name": "hubspot_list_properties", "arguments": {"objectType": "contacts"}}),
    );
    assert_eq!(r.json()["error"]["code"], -32602, "{r:?}");
    // ... and callable where it is.
    let r = stateless(
        &c,
        "/mcp/admin",
        &[],
        "tools/call",
        json!({"name": "hubspot_list_properties", "arguments": {"objectType": "contacts"}}),
    );
    assert_eq!(r.json()["result"]["isError"], false, "{r:?}");
    let r = stateless(
        &c,
        "/mcp/sales",
        &[],
        "tools/call",
        json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts", "limit": 1}}),
    );
    assert_eq!(r.json()["result"]["isError"], false, "{r:?}");
}

#[test]
fn unknown_conflicting_and_switched_profiles_are_refused() {
    let s = Server::start(&[]);
    let c = s.client();
    let r = post(&c, "/mcp/marketing", &[], &init_body("2025-06-18"));
    assert_eq!(r.status, 404, "{r:?}");
    let v = r.json();
    assert_eq!(
        v["profiles"],
        json!(["all", "read", "sales", "admin"]),
        "{v}"
    );
    let r = post(
        &c,
        "/mcp",
        &[("MCP-Tool-Profile", "nope")],
        &init_body("2025-06-18"),
    );
    assert_eq!(r.status, 404, "{r:?}");
    let r = post(
        &c,
        "/mcp/sales",
        &[("MCP-Tool-Profile", "admin")],
        &init_body("2025-06-18"),
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body.contains("conflicting"), "{r:?}");
    // Nested paths are not profiles.
    let r = post(&c, "/mcp/sales/x", &[], &init_body("2025-06-18"));
    assert_eq!(r.status, 404, "{r:?}");

    // A session keeps the profile it was opened with.
    let sid = open(&c, "/mcp/read", &[]);
    for path in ["/mcp", "/mcp/sales"] {
        let r = post(
            &c,
            path,
            &[
                ("Mcp-Session-Id", &sid),
                ("MCP-Protocol-Version", "2025-06-18"),
            ],
            &json!({"jsonrpc":"2.0","id":2,"method":"tools/list"}),
        );
        assert_eq!(r.status, 400, "{path}: {r:?}");
        assert!(r.body.contains("/mcp/read"), "{r:?}");
    }
    let r = post(
        &c,
        "/mcp/read/",
        &[
            ("Mcp-Session-Id", &sid),
            ("MCP-Protocol-Version", "2025-06-18"),
        ],
        &json!({"jsonrpc":"2.0","id":2,"method":"ping"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    // The server keeps serving.
    assert_eq!(c.request("GET", "/health", &[], "").status, 200);
}

#[test]
fn stateless_lists_say_who_may_cache_them() {
    let s = Server::start(&[]);
    let c = s.client();
    let by_url = stateless(&c, "/mcp/sales", &[], "tools/list", json!({})).json();
    assert_eq!(by_url["result"]["cacheScope"], "public", "{by_url}");
    assert!(by_url["result"]["ttlMs"].as_u64().unwrap() > 0);
    let by_header = stateless(
        &c,
        "/mcp",
        &[("MCP-Tool-Profile", "sales")],
        "tools/list",
        json!({}),
    )
    .json();
    assert_eq!(by_header["result"]["cacheScope"], "private", "{by_header}");
    assert_eq!(names(&by_header), names(&by_url));
    let full = stateless(&c, "/mcp", &[], "tools/list", json!({})).json();
    assert_eq!(full["result"]["cacheScope"], "public");
}

#[test]
fn a_read_only_principal_on_a_profile_sees_its_read_tools_and_each_profile_is_its_own_resource() {
    let s = Server::start(&[
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISS),
        ("JWT_AUDIENCE", AUD),
        ("MCP_REQUIRE_SCOPES", "true"),
    ]);
    let c = s.client();
    let mut reader = claims("reader");
    reader["scope"] = json!("hubspot.read");
    let bearer = format!("Bearer {}", hs256(SECRET, &reader));
    let r = stateless(
        &c,
        "/mcp/sales",
        &[("Authorization", &bearer)],
        "tools/list",
        json!({}),
    )
    .json();
    let writes = [
        "hubspot_create_record",
        "hubspot_update_record",
        "hubspot_archive_record",
        "hubspot_create_association",
        "hubspot_remove_association",
        "hubspot_batch_create_associations",
        "hubspot_create_engagement",
        "hubspot_create_list",
        "hubspot_add_list_members",
        "hubspot_remove_list_members",
    ];
    let want: BTreeSet<String> = SALES
        .iter()
        .filter(|n| !writes.contains(n))
        .map(|s| s.to_string())
        .collect();
    assert_eq!(want.len(), SALES.len() - writes.len());
    assert_eq!(names(&r), want, "{r}");
    assert_eq!(r["result"]["cacheScope"], "private");
    // A write of the profile is refused to this principal.
    let call = stateless(
        &c,
        "/mcp/sales",
        &[("Authorization", &bearer)],
        "tools/call",
        json!({"name": "hubspot_create_list", "arguments": {"name": "x", "objectType": "contacts"}}),
    )
    .json();
    assert!(
        call["error"]["code"] == -32602 || call["result"]["isError"] == true,
        "{call}"
    );

    // No token: the challenge names the profile's own metadata.
    let r = post(&c, "/mcp/sales", &[], &init_body("2025-11-25"));
    assert_eq!(r.status, 401, "{r:?}");
    let challenge = r.header("www-authenticate").unwrap().to_string();
    let host = &c.host;
    assert!(
        challenge.contains(&format!(
            "resource_metadata=\"http://{host}/.well-known/oauth-protected-resource/mcp/sales\""
        )),
        "{challenge}"
    );
    let meta = c
        .request(
            "GET",
            "/.well-known/oauth-protected-resource/mcp/sales",
            &[],
            "",
        )
        .json();
    assert_eq!(
        meta["resource"],
        format!("http://{host}/mcp/sales"),
        "{meta}"
    );
    assert_eq!(meta["accepted_audiences"], json!([AUD]), "{meta}");
    assert_eq!(meta["authorization_servers"], json!([ISS]));
    let base = c
        .request("GET", "/.well-known/oauth-protected-resource/mcp", &[], "")
        .json();
    assert_eq!(base["resource"], format!("http://{host}/mcp"));
    let r = c.request(
        "GET",
        "/.well-known/oauth-protected-resource/mcp/nope",
        &[],
        "",
    );
    assert_eq!(r.status, 404);
    // /mcp's challenge is unchanged.
    let r = post(&c, "/mcp", &[], &init_body("2025-11-25"));
    assert!(r.header("www-authenticate").unwrap().contains(&format!(
        "resource_metadata=\"http://{host}/.well-known/oauth-protected-resource\""
    )));
}

#[test]
fn operators_define_their_own_profiles_and_a_wrong_one_stops_the_server() {
    let s = Server::start(&[(
        "MCP_TOOL_PROFILES",
        "support=engagements,hubspot_get_owner; read=owners",
    )]);
    let c = s.client();
    assert_eq!(
        session_list(&c, "/mcp/support", &[]),
        set(&[
            "hubspot_create_engagement",
            "hubspot_list_engagements",
            "hubspot_get_owner"
        ])
    );
    // A definition named like a built-in replaces it.
    assert_eq!(
        session_list(&c, "/mcp/read", &[]),
        set(&["hubspot_list_owners", "hubspot_get_owner"])
    );
    // Composes with HUBSPOT_TOOLSETS and HUBSPOT_READ_ONLY: a profile only narrows.
    let s = Server::start(&[
        ("HUBSPOT_TOOLSETS", "records,owners"),
        ("HUBSPOT_READ_ONLY", "true"),
    ]);
    let c = s.client();
    assert_eq!(
        session_list(&c, "/mcp/sales", &[]),
        set(&[
            "hubspot_list_records",
            "hubspot_get_record",
            "hubspot_search_records",
            "hubspot_list_owners",
            "hubspot_get_owner"
        ])
    );
    assert_eq!(session_list(&c, "/mcp/admin", &[]), BTreeSet::new());

    for bad in ["all=records", "x=hubspot_nope", "Bad Name=records", "y="] {
        let out = std::process::Command::new(crate::support::BIN)
            .args(["serve", "--demo"])
            .env_clear()
            .env("PORT", "0")
            .env("HOST", "127.0.0.1")
            .env("MCP_TOOL_PROFILES", bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(78), "{bad}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("MCP_TOOL_PROFILES"), "{bad}: {err}");
    }
}
