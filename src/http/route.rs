//! The route table: one `match` on method and path.

use std::sync::Arc;

use serde_json::json;

use crate::app::App;
use crate::health;
use crate::http::message::{Reply, Req, Verb};
use crate::mcp::streamable;

/// Picks the handler for a request.
pub fn route(app: &Arc<App>, req: &Req) -> Reply {
    let readable = matches!(req.verb, Verb::Get | Verb::Head);
    match (readable, req.path.as_str()) {
        (_, "/mcp" | "/mcp/") => streamable::handle(app, req),
        (true, "/health") => health::report(app),
        (true, "/health/live" | "/healthz") => Reply::json(200, json!({"status": "alive"}).to_string()),
        (true, "/") => Reply::json(
            200,
            json!({
                "name": "hubspot-mcp",
                "version": env!("CARGO_PKG_VERSION"),
                "mcp": "/mcp",
                "health": "/health",
            })
            .to_string(),
        ),
        (false, "/health" | "/health/live" | "/healthz" | "/") => {
            Reply::json(405, json!({"error": "method not allowed; use GET"}).to_string())
                .with_header("Allow", "GET, HEAD")
        }
        _ => Reply::json(
            404,
            json!({"error": "not found", "hint": "the MCP endpoint is POST /mcp; health is GET /health"}).to_string(),
        ),
    }
}
