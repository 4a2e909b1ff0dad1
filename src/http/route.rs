//! The route table and the gate in front of it, in two steps so that a body is never read for a
//! request the gate refuses: [`admit`] sees only the head (Host on every route; on `/mcp`: Origin,
//! the per-client limit, the bearer token, the per-principal limit, the verb, `Accept`,
//! `Content-Type`, the declared body size) and answers everything that needs no body; [`serve`]
//! runs what was admitted once its body has arrived. [`route`] is both, in memory.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde_json::json;

use crate::app::App;
use crate::auth::{self, AuthError, Principal, Verifier};
use crate::http::checks::{self, Refusal};
use crate::http::message::{Reply, Req, Verb};
use crate::http::{pages, prometheus};
use crate::http::{profile, streamable};
use crate::mcp::jsonrpc::{self, RpcError};
use crate::obs::log as obslog;
use crate::obs::metrics::Rejection;
use crate::ratelimit;
use crate::ratelimit::Verdict;
use crate::tools::profile::Chosen;

/// What [`admit`] decided about a request whose body has not been read.
pub(crate) enum Admission {
    /// Answer with this; the body is not read.
    Answer(Reply),
    /// Read the body (at most `MCP_MAX_BODY_BYTES`), then [`serve`] it with this.
    Serve(Admitted),
}

/// A request to `/mcp` that passed the gate: who sent it, and the rate-limit headers its reply carries.
#[derive(Debug)]
pub(crate) struct Admitted {
    principal: Option<Principal>,
    headers: Vec<(&'static str, String)>,
    /// A POST to one of the authorization server's endpoints (`oauth` mode), not to `/mcp`.
    oauth: bool,
    /// A POST of an approval page's form.
    approval: bool,
    /// The tool profile a request to `/mcp` is served with.
    profile: Chosen,
}

impl Admitted {
    /// Whether the body is JSON-RPC, whose values are counted as it arrives (not the forms).
    pub(crate) fn counts_json(&self) -> bool {
        !self.oauth && !self.approval
    }
}

/// Routes a whole request in memory: [`admit`], then [`serve`].
pub(crate) fn route(app: &Arc<App>, req: &Req) -> Reply {
    match admit(app, req) {
        Admission::Answer(reply) => reply,
        Admission::Serve(a) => serve(app, req, a),
    }
}

fn is_health_path(path: &str) -> bool {
    matches!(path, "/health" | "/health/live" | "/healthz")
}

/// The gate and every answer that needs no body. Runs on the connection's thread.
pub(crate) fn admit(app: &Arc<App>, req: &Req) -> Admission {
    if let Err(r) = checks::check_host(&app.config, req.get("host"), is_health_path(&req.path)) {
        app.metrics.record_rejection(Rejection::Host);
        return Admission::Answer(refusal(&r));
    }
    if let Some(o) = &app.oauth {
        if crate::oauth::is_oauth_path(&req.path) {
            return oauth_gate(app, o, req);
        }
    }
    if req.path.starts_with(crate::approval::page::PAGE_PREFIX) {
        return approval_gate(app, req);
    }
    let readable = matches!(req.verb, Verb::Get | Verb::Head);
    Admission::Answer(match (readable, req.path.as_str()) {
        (_, p) if profile::in_path(p).is_some() => return gate(app, req),
        (true, "/health") => pages::health(app),
        (true, p) if p.starts_with("/icons/") => icon(p),
        (true, "/metrics") if app.config.metrics_enabled() => operator_only(app, req, || {
            Reply::text(200, prometheus::CONTENT_TYPE, prometheus::render(app))
        }),
        (true, "/scaling") => operator_only(app, req, || {
            Reply::json(200, pages::scaling(app).to_string())
        }),
        (true, "/health/live" | "/healthz") => Reply::json(200, json!({"status": "alive"}).to_string()),
        (true, auth::METADATA_PATH) => resource_metadata(app, req, None),
        (true, p) if p.strip_prefix(auth::METADATA_PATH).and_then(profile::in_path).is_some() => {
            match p.strip_prefix(auth::METADATA_PATH).and_then(profile::in_path) {
                Some(Some(name)) if app.registry.profiles().find(name).is_some() => {
                    resource_metadata(app, req, Some(name))
                }
                Some(None) => resource_metadata(app, req, None),
                _ => Reply::json(404, json!({"error": "not found", "hint": "no such tool profile"}).to_string()),
            }
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
    })
}

/// The profile a request's URL names (`/mcp/<profile>`), when it is one: its own protected resource
/// (RFC 9728), with its own metadata and audience.
fn url_profile<'a>(app: &'a App, req: &Req) -> Option<&'a str> {
    let profiles = app.registry.profiles();
    let id = profiles.find(profile::in_path(&req.path)??)?;
    Some(profiles.name(id))
}

/// `GET /icons/<name>.svg`: the icon, cacheable for a day, inert (no script, no sniffing).
fn icon(path: &str) -> Reply {
    let svg = path
        .strip_prefix("/icons/")
        .and_then(|p| p.strip_suffix(".svg"))
        .and_then(crate::tools::icons::svg);
    match svg {
        Some(body) => Reply::text(200, "image/svg+xml", body)
            .with_header("Cache-Control", "public, max-age=86400")
            .with_header("Content-Security-Policy", "default-src 'none'; sandbox")
            .with_header("X-Content-Type-Options", "nosniff")
            .with_header("Access-Control-Allow-Origin", "*"),
        None => Reply::json(
            404,
            json!({"error": "not found", "hint": "icons are /icons/<family>.svg and /icons/server.svg"})
                .to_string(),
        ),
    }
}

/// RFC 9728 protected-resource metadata of `/mcp` or of a profile's endpoint: public, readable from any
/// origin.
fn resource_metadata(app: &App, req: &Req, profile: Option<&str>) -> Reply {
    let body =
        auth::protected_resource_metadata_for(&app.config, req.get("host"), profile).to_string();
    Reply::json(200, body).with_header("Access-Control-Allow-Origin", "*")
}

/// The authorization server's paths (`oauth` mode): the per-client limit, then every GET answered here
/// (metadata, authorize, the HubSpot callback) and the POSTs admitted to have their body read.
fn oauth_gate(app: &Arc<App>, o: &crate::oauth::AuthServer, req: &Req) -> Admission {
    let key = client_key(app, req);
    let verdict = app.limiter.check(&key, Instant::now());
    if !verdict.allowed {
        app.metrics.record_rejection(Rejection::ClientRateLimit);
        return Admission::Answer(too_many(app, verdict));
    }
    if req.verb == Verb::Post && crate::oauth::takes_body(&req.path) {
        return Admission::Serve(Admitted {
            principal: None,
            headers: Vec::new(),
            oauth: true,
            approval: false,
            profile: Chosen::default(),
        });
    }
    Admission::Answer(oauth_page(app, o, req, &key))
}

/// The approval pages: the per-client limit, then a GET answered here and a POST admitted to have its
/// (small) form read.
fn approval_gate(app: &Arc<App>, req: &Req) -> Admission {
    let key = client_key(app, req);
    let verdict = app.limiter.check(&key, Instant::now());
    if !verdict.allowed {
        app.metrics.record_rejection(Rejection::ClientRateLimit);
        return Admission::Answer(too_many(app, verdict));
    }
    if req.verb == Verb::Post {
        return Admission::Serve(Admitted {
            principal: None,
            headers: Vec::new(),
            oauth: false,
            approval: true,
            profile: Chosen::default(),
        });
    }
    Admission::Answer(approval_page(app, req))
}

/// Runs one approval-page request and writes its page.
fn approval_page(app: &App, req: &Req) -> Reply {
    let method = match &req.verb {
        Verb::Get => "GET",
        Verb::Head => "HEAD",
        Verb::Post => "POST",
        _ => "OTHER",
    };
    let page = app.approvals.page(&crate::approval::PageRequest {
        method,
        path: &req.path,
        body: &req.body,
        cookie: req.get("cookie"),
        origin_header: req.get("origin"),
        fetch_site: req.get("sec-fetch-site"),
        origin: &auth::public_origin(&app.config, req.get("host")),
        person: app.oauth.as_ref().map(|o| o.person(req.get("cookie"))),
    });
    let mut reply = if page.body.is_empty() {
        Reply::empty(page.status)
    } else {
        Reply::text(page.status, page.content_type, page.body)
    };
    for (k, v) in page.headers {
        reply = reply.with_header(k, v);
    }
    reply
}

/// Runs one authorization-server request and writes its page.
fn oauth_page(app: &App, o: &crate::oauth::AuthServer, req: &Req, client_key: &str) -> Reply {
    let method = match &req.verb {
        Verb::Get => "GET",
        Verb::Head => "HEAD",
        Verb::Post => "POST",
        Verb::Delete => "DELETE",
        Verb::Options => "OPTIONS",
        Verb::Other(m) => m.as_str(),
    };
    let page = o.handle(&crate::oauth::Request {
        method,
        path: &req.path,
        query: req.query.as_deref().unwrap_or(""),
        body: &req.body,
        content_type: req.get("content-type"),
        cookie: req.get("cookie"),
        authorization: req.get("authorization"),
        issuer: auth::public_origin(&app.config, req.get("host")),
        client_key,
        profiles: &app
            .registry
            .profiles()
            .names()
            .filter(|n| *n != crate::tools::profile::ALL)
            .collect::<Vec<_>>(),
    });
    let mut reply = if page.body.is_empty() {
        Reply::empty(page.status)
    } else {
        Reply::text(page.status, page.content_type, page.body)
    };
    for (k, v) in page.headers {
        reply = reply.with_header(k, v);
    }
    reply
}

fn client_key(app: &App, req: &Req) -> String {
    let peer = req.remote.map(|ip| ip.to_string());
    ratelimit::client_key(
        peer.as_deref(),
        req.get("x-forwarded-for"),
        app.config.trust_proxy_hops(),
    )
}

/// Serves an admitted request once its body has been read: `/mcp`, or an authorization-server POST.
pub(crate) fn serve(app: &Arc<App>, req: &Req, a: Admitted) -> Reply {
    if a.approval {
        return approval_page(app, req);
    }
    if a.oauth {
        if let Some(o) = &app.oauth {
            return oauth_page(app, o, req, &client_key(app, req));
        }
    }
    // A person signed in through HubSpot: the HubSpot token they act with, refreshed if it is due.
    let mut principal = a.principal;
    if let (Some(o), Some(p)) = (&app.oauth, principal.as_mut()) {
        if let Some(g) = p.hubspot.as_mut() {
            let deadline = Instant::now()
                + app
                    .config
                    .request_timeout()
                    .min(std::time::Duration::from_secs(15));
            match o.user_token(g, deadline) {
                Ok(t) => g.access_token = t.access_token,
                Err(e) => {
                    app.metrics.record_rejection(Rejection::Unauthenticated);
                    return with_cors(
                        app,
                        req,
                        auth_reply(app, req, &e, &oauth_scopes(app), 2, url_profile(app, req)),
                    );
                }
            }
        }
    }
    let mut reply = streamable::handle(app, req, principal.as_ref(), a.profile);
    for (k, v) in a.headers {
        reply = reply.with_header(k, v);
    }
    with_cors(app, req, reply)
}

/// A refusal before any MCP processing: its status and a JSON-RPC error body without an id.
fn refusal(r: &Refusal) -> Reply {
    Reply::json(
        r.status(),
        jsonrpc::error_without_id(&RpcError::new(jsonrpc::code::SERVER_ERROR, r.to_string())),
    )
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

/// `/mcp`: Origin, the per-client request limit, authentication (when configured), the per-principal
/// limit, then the verb and content negotiation, all before the body. Over a limit: 429 +
/// `Retry-After` + `RateLimit` headers.
fn gate(app: &Arc<App>, req: &Req) -> Admission {
    let answer = |reply: Reply| Admission::Answer(with_cors(app, req, reply));
    if let Err(r) = checks::check_origin(&app.config, req.get("origin"), req.get("host")) {
        app.metrics.record_rejection(Rejection::Origin);
        return Admission::Answer(refusal(&r));
    }
    let key = client_key(app, req);
    let mut verdict = app.limiter.check(&key, Instant::now());
    if !verdict.allowed {
        app.metrics.record_rejection(Rejection::ClientRateLimit);
        log::warn!(client = key.as_str(); "rate limit reached");
        return answer(too_many(app, verdict));
    }
    let chosen = match profile::choose(&app.registry, req) {
        Ok(c) => c,
        Err(reply) => return answer(reply),
    };
    let url_profile = url_profile(app, req);
    // Never on a CORS preflight: browsers send no credentials there.
    let principal = match (&app.oauth, &req.verb) {
        (Some(o), verb) if *verb != Verb::Options => {
            let resources = auth::accepted_resources(&app.config, req.get("host"), url_profile);
            match o.verify(req.get("authorization"), req.query.as_deref(), &resources) {
                Ok(p) => Some(p),
                Err(e) => {
                    app.metrics.record_rejection(Rejection::Unauthenticated);
                    return answer(auth_reply(app, req, &e, &oauth_scopes(app), 2, url_profile));
                }
            }
        }
        _ => None,
    };
    let principal = match (&app.verifier, &req.verb) {
        _ if principal.is_some() => principal,
        (Some(v), verb) if *verb != Verb::Options => {
            match v.verify(
                req.get("authorization"),
                req.query.as_deref(),
                SystemTime::now(),
            ) {
                Ok(p) => Some(p),
                Err(e) => {
                    app.metrics.record_rejection(Rejection::Unauthenticated);
                    return answer(auth_error(app, v, req, &e, url_profile));
                }
            }
        }
        _ => None,
    };
    if let Some(p) = &principal {
        obslog::note(|n| n.principal = Some(p.id.as_str().chars().take(128).collect()));
        let by_principal = app
            .limiter
            .check(&format!("principal:{}", p.id.as_str()), Instant::now());
        if !by_principal.allowed {
            app.metrics.record_rejection(Rejection::PrincipalRateLimit);
            log::warn!("rate limit reached for a principal");
            return answer(too_many(app, by_principal));
        }
        if by_principal.remaining < verdict.remaining {
            verdict = by_principal;
        }
    }
    let headers = verdict.headers(app.limiter.window());
    let with_limits = |mut reply: Reply| {
        for (k, v) in &headers {
            reply = reply.with_header(k, v.clone());
        }
        answer(reply)
    };
    match req.verb {
        Verb::Post => {
            if let Err(r) = checks::check_accept_post(req.get("accept"))
                .and_then(|()| checks::check_content_type(req.get("content-type")))
            {
                return with_limits(refusal(&r));
            }
        }
        Verb::Delete => {}
        Verb::Get => return with_limits(
            method_not_allowed(
                "Method Not Allowed: this server sends no server-initiated messages, so it offers no GET stream; POST requests to /mcp",
            ),
        ),
        Verb::Options => {
            // A CORS preflight: the Origin, if any, passed the allowlist above.
            let mut r = Reply::empty(204).with_header("Allow", "GET, POST, DELETE, OPTIONS");
            if req.get("origin").is_some() {
                for (k, v) in checks::PREFLIGHT {
                    r = r.with_header(k, v);
                }
            }
            return with_limits(r);
        }
        _ => return with_limits(method_not_allowed(
            "Method Not Allowed: use POST (or DELETE to end a session)",
        )),
    }
    Admission::Serve(Admitted {
        principal,
        headers: Vec::from(headers),
        oauth: false,
        approval: false,
        profile: chosen,
    })
}

fn method_not_allowed(message: &str) -> Reply {
    Reply::json(
        405,
        jsonrpc::error_without_id(&RpcError::new(jsonrpc::code::SERVER_ERROR, message)),
    )
    .with_header("Allow", "POST, DELETE")
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

/// The scopes of a 401 challenge in `oauth` mode: `MCP_READ_SCOPES` then `MCP_WRITE_SCOPES`.
fn oauth_scopes(app: &App) -> String {
    app.config.scopes_supported().join(" ")
}

/// [`auth_reply`] for tokens of an external issuer (`jwt` mode): a 503 (no signing key) says to retry after
/// the JWKS refresh interval.
fn auth_error(app: &App, v: &Verifier, req: &Req, e: &AuthError, profile: Option<&str>) -> Reply {
    let retry = app.config.jwks_min_refresh().as_secs().max(1);
    auth_reply(app, req, e, &v.scopes_supported(), retry, profile)
}

/// 401 / 400 / 403 / 503 with `WWW-Authenticate` pointing at the protected-resource metadata and naming
/// `scopes`; a 503 carries `Retry-After: retry_secs`.
fn auth_reply(
    app: &App,
    req: &Req,
    e: &AuthError,
    scopes: &str,
    retry_secs: u64,
    profile: Option<&str>,
) -> Reply {
    log::info!(reason = e.reason(), status = e.status(); "request refused by authentication");
    let metadata = auth::resource_metadata_url_for(&app.config, req.get("host"), profile);
    let mut reply = Reply::json(
        e.status(),
        jsonrpc::error_without_id(&RpcError::new(jsonrpc::code::SERVER_ERROR, e.to_string())),
    )
    .with_header(
        "WWW-Authenticate",
        e.www_authenticate(&metadata, Some(scopes)),
    );
    if e.status() == 503 {
        reply = reply.with_header("Retry-After", retry_secs.to_string());
    }
    reply
}
