//! The route table: one `match` on method and path.

use std::sync::Arc;

use serde_json::json;

use crate::app::App;
use crate::health;
use std::time::Instant;

use crate::http::message::{Reply, Req, Verb};
use crate::http::{checks, ratelimit};
use crate::mcp::jsonrpc::{self, RpcError};
use crate::mcp::streamable;

/// `/mcp` behind the per-client request limit (429 + `Retry-After` + `RateLimit` headers when over it).
fn limited(app: &Arc<App>, req: &Req) -> Reply {
    let peer = req.remote.map(|ip| ip.to_string());
    let key = ratelimit::client_key(
        peer.as_deref(),
        req.get("x-forwarded-for"),
        app.config.trust_proxy_hops(),
    );
    let verdict = app.limiter.check(&key, Instant::now());
    let mut reply = if verdict.allowed {
        streamable::handle(app, req)
    } else {
        log::warn!(client = key.as_str(); "rate limit reached");
        Reply::json(
            429,
            jsonrpc::error_without_id(&RpcError::new(
                jsonrpc::code::SERVER_ERROR,
                format!(
                    "Too Many Requests: at most {} requests per {} s per client; retry after {} s",
                    verdict.limit,
                    app.limiter.window().as_secs(),
                    verdict.reset_secs
                ),
            )),
        )
        .with_header("Retry-After", verdict.reset_secs.to_string())
    };
    for (k, v) in verdict.headers(app.limiter.window()) {
        reply = reply.with_header(k, v);
    }
    for (k, v) in checks::cors_headers(&app.config, req.get("origin"), req.get("host")) {
        reply = reply.with_header(k, v);
    }
    reply
}

/// Picks the handler for a request.
pub fn route(app: &Arc<App>, req: &Req) -> Reply {
    let readable = matches!(req.verb, Verb::Get | Verb::Head);
    match (readable, req.path.as_str()) {
        (_, "/mcp" | "/mcp/") => limited(app, req),
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
