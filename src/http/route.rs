//! The route table: one `match` on method and path, and the gate in front of `/mcp` (per-client limits,
//! then bearer-token authentication, then per-principal limits).

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde_json::json;

use crate::app::App;
use crate::auth::{self, AuthError, Verifier};
use crate::health;
use crate::http::message::{Reply, Req, Verb};
use crate::http::ratelimit::Verdict;
use crate::http::{checks, ratelimit};
use crate::mcp::jsonrpc::{self, RpcError};
use crate::mcp::streamable;
use crate::obs::log as obslog;
use crate::obs::metrics::Rejection;
use crate::obs::prometheus;

/// Picks the handler for a request.
pub fn route(app: &Arc<App>, req: &Req) -> Reply {
    let readable = matches!(req.verb, Verb::Get | Verb::Head);
    match (readable, req.path.as_str()) {
        (_, "/mcp" | "/mcp/") => gate(app, req),
        (true, "/health") => health::report(app),
        (true, "/metrics") if app.config.metrics_enabled() => operator_only(app, req, || {
            Reply::text(200, prometheus::CONTENT_TYPE, prometheus::render(app))
        }),
        (true, "/scaling") => operator_only(app, req, || {
            Reply::json(200, crate::scaling::report(app).to_string())
        }),
        (true, "/health/live" | "/healthz") => Reply::json(200, json!({"status": "alive"}).to_string()),
        (true, auth::METADATA_PATH | "/.well-known/oauth-protected-resource/mcp") => {
            // RFC 9728 protected-resource metadata: public, readable from any origin.
            let body = auth::protected_resource_metadata(&app.config, req.get("host")).to_string();
            Reply::json(200, body).with_header("Access-Control-Allow-Origin", "*")
        }
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
        (false, "/health" | "/health/live" | "/healthz" | "/" | "/metrics" | "/scaling") => {
            Reply::json(405, json!({"error": "method not allowed; use GET"}).to_string()).with_header("Allow", "GET, HEAD")
        }
        _ => Reply::json(
            404,
            json!({"error": "not found", "hint": "the MCP endpoint is POST /mcp; health is GET /health, metrics GET /metrics"}).to_string(),
        ),
    }
}

/// `/metrics` and `/scaling`: open, or with `METRICS_TOKEN` set, only to `Authorization: Bearer <it>`
/// (compared in constant time). Nothing else guards them: they reveal load, not data.
fn operator_only(app: &App, req: &Req, serve: impl FnOnce() -> Reply) -> Reply {
    let Some(token) = app.config.metrics_token() else {
        return serve();
    };
    let given = req
        .get("authorization")
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    if constant_time_eq(given.as_bytes(), token.expose().as_bytes()) {
        return serve();
    }
    app.metrics.record_rejection(Rejection::Unauthenticated);
    Reply::json(
        401,
        json!({"error": "unauthorized", "hint": "send Authorization: Bearer <METRICS_TOKEN>"})
            .to_string(),
    )
    .with_header("WWW-Authenticate", "Bearer realm=\"metrics\"")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `/mcp` behind the per-client request limit, authentication (when configured) and the per-principal
/// limit. Over a limit: 429 + `Retry-After` + `RateLimit` headers.
fn gate(app: &Arc<App>, req: &Req) -> Reply {
    let peer = req.remote.map(|ip| ip.to_string());
    let key = ratelimit::client_key(
        peer.as_deref(),
        req.get("x-forwarded-for"),
        app.config.trust_proxy_hops(),
    );
    let mut verdict = app.limiter.check(&key, Instant::now());
    if !verdict.allowed {
        app.metrics.record_rejection(Rejection::ClientRateLimit);
        log::warn!(client = key.as_str(); "rate limit reached");
        return with_cors(app, req, too_many(app, verdict));
    }
    // Never on a CORS preflight: browsers send no credentials there.
    let principal = match (&app.verifier, &req.verb) {
        (Some(v), verb) if *verb != Verb::Options => {
            match v.verify(
                req.get("authorization"),
                req.query.as_deref(),
                SystemTime::now(),
            ) {
                Ok(p) => Some(p),
                Err(e) => {
                    app.metrics.record_rejection(Rejection::Unauthenticated);
                    return with_cors(app, req, auth_error(app, v, req, &e));
                }
            }
        }
        _ => None,
    };
    if let Some(p) = &principal {
        obslog::note(|n| n.principal = Some(p.subject.chars().take(128).collect()));
        let by_principal = app
            .limiter
            .check(&format!("sub:{}", p.subject), Instant::now());
        if !by_principal.allowed {
            app.metrics.record_rejection(Rejection::PrincipalRateLimit);
            log::warn!("rate limit reached for a principal");
            return with_cors(app, req, too_many(app, by_principal));
        }
        if by_principal.remaining < verdict.remaining {
            verdict = by_principal;
        }
    }
    let mut reply = streamable::handle(app, req, principal.as_ref());
    for (k, v) in verdict.headers(app.limiter.window()) {
        reply = reply.with_header(k, v);
    }
    with_cors(app, req, reply)
}

fn too_many(app: &App, verdict: Verdict) -> Reply {
    let mut reply = Reply::json(
        429,
        jsonrpc::error_without_id(&RpcError::new(
            jsonrpc::code::SERVER_ERROR,
            format!(
                "Too Many Requests: at most {} requests per {} s; retry after {} s",
                verdict.limit,
                app.limiter.window().as_secs(),
                verdict.reset_secs
            ),
        )),
    )
    .with_header("Retry-After", verdict.reset_secs.to_string());
    for (k, v) in verdict.headers(app.limiter.window()) {
        reply = reply.with_header(k, v);
    }
    reply
}

fn with_cors(app: &App, req: &Req, mut reply: Reply) -> Reply {
    for (k, v) in checks::cors_headers(&app.config, req.get("origin"), req.get("host")) {
        reply = reply.with_header(k, v);
    }
    reply
}

/// 401 / 400 / 403 / 503 with `WWW-Authenticate` pointing at the protected-resource metadata.
fn auth_error(app: &App, v: &Verifier, req: &Req, e: &AuthError) -> Reply {
    log::info!(reason = e.reason(), status = e.status(); "request refused by authentication");
    let metadata = auth::resource_metadata_url(&app.config, req.get("host"));
    let mut reply = Reply::json(
        e.status(),
        jsonrpc::error_without_id(&RpcError::new(jsonrpc::code::SERVER_ERROR, e.to_string())),
    )
    .with_header(
        "WWW-Authenticate",
        e.www_authenticate(&metadata, Some(&v.scopes_supported())),
    );
    if e.status() == 503 {
        reply = reply.with_header(
            "Retry-After",
            app.config.jwks_min_refresh().as_secs().max(1).to_string(),
        );
    }
    reply
}
