//! What the benches share: the allocator the binary ships with, a HubSpot sandbox without rate limits,
//! the stateless (2026-07-28) request shape, and the environment of an in-process server.

// Each bench uses a part of this module.
#![allow(dead_code)]

use serde_json::{json, Value};

/// The binary's allocator (`src/main.rs`), so in-process figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A private-app token the bench's sandbox accepts (its shape passes the configuration's check).
pub const HUBSPOT_TOKEN: &str = "pat-na1-00000000-0000-0000-0000-000000000000";

/// The built-in sandbox on 127.0.0.1, port 0, accepting [`HUBSPOT_TOKEN`], with HubSpot's rate
/// limits lifted: a bench calls it thousands of times a second, far past the 190 calls per ten seconds
/// a private app gets (the sandbox's default), and a 429 would measure the retry wait instead.
#[cfg(feature = "sandbox")]
pub fn sandbox() -> hubspot_sandbox::Sandbox {
    let opts = hubspot_sandbox::SandboxOptions {
        token: Some(HUBSPOT_TOKEN.to_string()),
        ten_secondly_limit: u32::MAX,
        search_per_second: u32::MAX,
        daily_limit: u64::MAX,
        ..hubspot_sandbox::SandboxOptions::default()
    };
    hubspot_sandbox::Sandbox::start(([127, 0, 0, 1], 0).into(), opts).expect("start the sandbox")
}

/// The environment of a server calling HubSpot at `base_url` (the sandbox): on loopback, logging
/// errors only, with the per-client limit and the HubSpot pacing lifted (the bench is one client
/// sending as fast as it can).
pub fn server_env(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HOST", "127.0.0.1".to_string()),
        ("LOG_LEVEL", "error".to_string()),
        ("RATE_LIMIT_MAX", "100000000".to_string()),
        ("HUBSPOT_RATE_LIMIT", "100000000".to_string()),
        ("HUBSPOT_SEARCH_RATE_LIMIT", "100000000".to_string()),
        ("HUBSPOT_ACCESS_TOKEN", HUBSPOT_TOKEN.to_string()),
        ("HUBSPOT_API_BASE_URL", base_url.to_string()),
    ]
}

/// A stateless (2026-07-28) request body: the revision and client in `params._meta`.
pub fn stateless_body(id: i64, method: &str, params: Value) -> String {
    let mut p = params;
    p["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "1"}
    });
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": p}).to_string()
}

/// The headers a stateless request carries besides Host and the body's: `MCP-Protocol-Version`,
/// `Mcp-Method`, and `Mcp-Name` for a call.
pub fn stateless_headers(method: &str, name: Option<&str>) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("Content-Type", "application/json".to_string()),
        ("Accept", "application/json, text/event-stream".to_string()),
        ("MCP-Protocol-Version", "2026-07-28".to_string()),
        ("Mcp-Method", method.to_string()),
    ];
    if let Some(n) = name {
        h.push(("Mcp-Name", n.to_string()));
    }
    h
}

/// The three requests the dispatch and end-to-end benches send: (label, method, tool, params).
pub fn requests() -> Vec<(&'static str, &'static str, Option<&'static str>, Value)> {
    vec![
        ("tools/list", "tools/list", None, json!({})),
        (
            "tools/call echo",
            "tools/call",
            Some("echo"),
            json!({"name": "echo", "arguments": {"text": "hello from the bench"}}),
        ),
        (
            "tools/call hubspot_list_records (10 contacts)",
            "tools/call",
            Some("hubspot_list_records"),
            json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts", "limit": 10}}),
        ),
    ]
}
