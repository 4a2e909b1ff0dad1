//! The Streamable HTTP transport on `/mcp`, for every revision: session-based (2025-03-26, 2025-06-18,
//! 2025-11-25) and stateless (2026-07-28) on one endpoint.
//!
//! A POST is classified by its body first: a request whose `params._meta` claims a protocol version
//! (or `server/discover`) is served statelessly; everything else follows the session rules
//! (`initialize` opens a session, later requests name it in `Mcp-Session-Id`). Each refusal has its
//! status and JSON-RPC code from the specification; see ARCHITECTURE.md for the table.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use crate::app::App;
use crate::auth::Principal;
use crate::http::message::{Reply, Req, Verb};
use crate::http::sse::SseWriter;
use crate::mcp::dispatch::{self, Call, NotifyFn, Payload};
use crate::mcp::jsonrpc::{self, code, Body, Message, Request, RpcError};
use crate::mcp::method::Method;
use crate::mcp::session::{now_ms, Session, SessionId, StoreError};
use crate::mcp::version::Revision;
use crate::obs::log as obslog;
use crate::tools::profile::Chosen;
use crate::tools::RequestBudget;

/// The authenticated caller, when auth is on.
type Who<'a> = Option<&'a Principal>;

/// Most messages one JSON-RPC batch may hold.
const MAX_BATCH: usize = 100;

/// Serves a POST (messages) or DELETE (end a session) to `/mcp`. The HTTP layer has already made
/// every HTTP check (Host, Origin, verb, Accept, Content-Type, body size) and authenticated the
/// caller: this maps protocol outcomes to statuses and nothing else.
pub(crate) fn handle(app: &Arc<App>, req: &Req, who: Who<'_>, pf: Chosen) -> Reply {
    match req.verb {
        Verb::Delete => delete(app, req, who, pf),
        _ => post(app, req, who, pf),
    }
}

/// A transport-level refusal: the status, and a JSON-RPC error body without an id.
fn transport_error(status: u16, code: i32, message: &str) -> Reply {
    Reply::json(
        status,
        jsonrpc::error_without_id(&RpcError::new(code, message)),
    )
}

fn rpc_error(status: u16, id: &Value, e: &RpcError) -> Reply {
    Reply::json(status, jsonrpc::error_response(id, e))
}

/// The `MCP-Protocol-Version` header, checked against the versions this server speaks (400 otherwise).
fn header_revision(req: &Req) -> Result<Option<Revision>, Reply> {
    match req.get("mcp-protocol-version") {
        None => Ok(None),
        Some(v) => Revision::parse(v).map(Some).ok_or_else(|| {
            transport_error(
                400,
                code::SERVER_ERROR,
                &format!(
                    "Bad Request: unsupported MCP-Protocol-Version {v:?}; supported: {}",
                    Revision::supported_strings().join(", ")
                ),
            )
        }),
    }
}

/// 503 + `Retry-After` when the session store cannot be reached: the session may well exist, so the
/// client must not be told it does not (which would make it start over).
fn store_unavailable(e: &StoreError) -> Reply {
    log::warn!(error = e.to_string(); "session store unavailable");
    transport_error(
        503,
        code::SERVER_ERROR,
        &format!("Service Unavailable: {e}; retry shortly"),
    )
    .with_header("Retry-After", "2")
}

/// The session a request names: 400 when it names none, 404 when it is unknown or expired, 503 when
/// the session store cannot be reached.
fn require_session(app: &App, req: &Req, who: Who<'_>, pf: Chosen) -> Result<Session, Reply> {
    let Some(raw) = req.get("mcp-session-id") else {
        return Err(transport_error(
            400,
            code::SERVER_ERROR,
            "Bad Request: Mcp-Session-Id header is required; send initialize first to open a session",
        ));
    };
    let not_found = || {
        transport_error(
            404,
            code::SESSION_NOT_FOUND,
            "Session not found: it expired or was ended; send initialize to open a new one",
        )
    };
    let id = SessionId::parse(raw).ok_or_else(not_found)?;
    obslog::note(|n| n.session = Some(id.hint()));
    match app.sessions.touch(&id, now_ms()) {
        // A session belongs to the principal that opened it: to anyone else it does not exist.
        // Compared as typed ids: `sub:alice` is not `client_id:alice`.
        Ok(Some(s)) if s.principal.as_ref() == who.map(|p| &p.id) => {
            // A profile is static for the connection: the session's tools are the ones it opened with.
            let name = profile_key(app, pf);
            if *s.profile != *name {
                let opened = if s.profile.is_empty() {
                    "/mcp".to_string()
                } else {
                    format!("/mcp/{}", s.profile)
                };
                return Err(transport_error(
                    400,
                    code::SERVER_ERROR,
                    &format!("Bad Request: this session was opened on {opened} (its tool profile); send its requests there, or initialize a new session here"),
                ));
            }
            Ok(s)
        }
        Ok(_) => Err(not_found()),
        Err(e) => Err(store_unavailable(&e)),
    }
}

fn post(app: &Arc<App>, req: &Req, who: Who<'_>, pf: Chosen) -> Reply {
    // Bounded before it is parsed: a small body of many tiny values would cost far more memory as a
    // tree than its size.
    if let Err(e) = jsonrpc::check_size(&req.body, app.config.max_json_values()) {
        return transport_error(413, code::SERVER_ERROR, &e.message);
    }
    let body = match jsonrpc::parse_body(&req.body) {
        Ok(b) => b,
        Err(e) => return rpc_error(400, &Value::Null, &e),
    };
    match body {
        Body::Batch(items) => post_batch(app, req, items, who, pf),
        Body::Single(v) => match jsonrpc::parse_message(v) {
            Ok(msg) => post_single(app, req, msg, who, pf),
            Err((id, e)) => rpc_error(400, &id, &e),
        },
    }
}

fn is_stateless(req: &Req, msg: &Message) -> bool {
    let claims = match msg {
        Message::Request(r) => {
            dispatch::claims_stateless(&r.params)
                || (r.kind == Some(Method::ServerDiscover) && req.get("mcp-session-id").is_none())
        }
        Message::Notification(n) => dispatch::claims_stateless(&n.params),
        Message::Response(_) => false,
    };
    claims
        || (req.get("mcp-protocol-version") == Some(Revision::V2026_07_28.as_str())
            && req.get("mcp-session-id").is_none())
}

fn post_single(app: &Arc<App>, req: &Req, msg: Message, who: Who<'_>, pf: Chosen) -> Reply {
    if is_stateless(req, &msg) {
        return post_stateless(app, req, msg, who, pf);
    }
    let header = match header_revision(req) {
        Ok(h) => h,
        Err(reply) => return reply,
    };
    if let Message::Request(r) = &msg {
        if r.kind == Some(Method::Initialize) {
            return initialize(app, r, who, pf);
        }
    }
    let session = match require_session(app, req, who, pf) {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    // The header names the revision of this request (clients may send any revision they speak);
    // without it, the one negotiated at initialize.
    let revision = header
        .filter(|r| r.has_sessions())
        .unwrap_or(session.revision);
    match msg {
        Message::Notification(n) => {
            match dispatch::handle_notification(app.as_ref(), Some(session.id), &n) {
                Ok(()) => Reply::empty(202),
                // Not stored: a 202 would tell the client it was.
                Err(e) => store_unavailable(&e),
            }
        }
        Message::Response(v) => {
            // An answer to one of this server's elicitations reaches the call waiting for it (on any
            // replica); anything else is acknowledged and dropped.
            let principal = who.map_or("anonymous", |p| p.id.as_str());
            app.approvals.answer(&session.id.to_string(), principal, &v);
            Reply::empty(202)
        }
        Message::Request(r) => respond(
            app,
            revision,
            Some(session),
            r,
            |_| 200,
            who,
            Allowance::of(app, req, pf),
        ),
    }
}

fn initialize(app: &App, r: &Request, who: Who<'_>, pf: Chosen) -> Reply {
    obslog::note(|n| n.rpc_method = Some(Method::Initialize.name().into()));
    let (revision, result, client_name, asks) = match dispatch::initialize(app, &r.params) {
        Ok(x) => x,
        Err(e) => {
            app.metrics
                .record_rpc_at(Method::Initialize.metric_index(), false);
            return rpc_error(200, &r.id, &e);
        }
    };
    let id = match SessionId::random() {
        Ok(id) => id,
        Err(e) => {
            log::error!(error = e.to_string(); "no randomness for a session id");
            return rpc_error(
                500,
                &r.id,
                &RpcError::internal("could not create a session id"),
            );
        }
    };
    let now = now_ms();
    let session = Session {
        id,
        revision,
        created_ms: now,
        last_seen_ms: now,
        initialized: false,
        log_level: None,
        principal: who.map(|p| p.id.clone()),
        client_name: client_name.into_boxed_str(),
        asks,
        profile: profile_key(app, pf).into(),
    };
    if let Err(e) = app.sessions.insert(session) {
        app.metrics
            .record_rpc_at(Method::Initialize.metric_index(), false);
        log::warn!(error = e.to_string(); "session refused");
        // The principal's own quota is its doing (429, no Retry-After: waiting alone may not help);
        // the server's cap and an unreachable store are the server's (503).
        let status = match e {
            StoreError::PrincipalFull { .. } => 429,
            StoreError::Full { .. } | StoreError::Unavailable(_) => 503,
        };
        let reply = rpc_error(
            status,
            &r.id,
            &RpcError::new(code::SERVER_ERROR, e.to_string()),
        );
        return match e {
            StoreError::Full { .. } => reply.with_header("Retry-After", "5"),
            StoreError::PrincipalFull { .. } | StoreError::Unavailable(_) => reply,
        };
    }
    app.metrics
        .record_rpc_at(Method::Initialize.metric_index(), true);
    app.metrics.session_created();
    obslog::note(|n| n.session = Some(id.hint()));
    log::info!(session = id.hint(), revision = revision.as_str(); "session opened");
    Reply::json(200, jsonrpc::response(&r.id, &result))
        .with_header("Mcp-Session-Id", id.to_string())
}

fn post_batch(app: &Arc<App>, req: &Req, items: Vec<Value>, who: Who<'_>, pf: Chosen) -> Reply {
    let header = match header_revision(req) {
        Ok(h) => h,
        Err(reply) => return reply,
    };
    if header == Some(Revision::V2026_07_28) {
        return transport_error(
            400,
            code::INVALID_REQUEST,
            "Invalid request: 2026-07-28 has no JSON-RPC batches",
        );
    }
    let session = match require_session(app, req, who, pf) {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    let revision = header.unwrap_or(session.revision);
    if !revision.allows_batch() {
        return transport_error(
            400,
            code::INVALID_REQUEST,
            &format!("Invalid request: JSON-RPC batches are not part of protocol revision {revision} (only 2025-03-26)"),
        );
    }
    if items.len() > MAX_BATCH {
        return transport_error(
            400,
            code::INVALID_REQUEST,
            &format!("Invalid request: a batch may hold at most {MAX_BATCH} messages"),
        );
    }
    let allow = Allowance::of(app, req, pf);
    let mut out = Vec::new();
    for item in items {
        // Nobody will read the answer: the rest of the batch is not run.
        if allow.budget.client_gone() {
            log::info!(left = out.len(); "client gone: rest of the batch not run");
            return Reply::empty(202);
        }
        match jsonrpc::parse_message(item) {
            Err((id, e)) => out.push(jsonrpc::error_response(&id, &e)),
            Ok(Message::Request(r)) if r.kind == Some(Method::Initialize) => {
                out.push(jsonrpc::error_response(
                    &r.id,
                    &RpcError::invalid_request("initialize must not be part of a batch"),
                ))
            }
            Ok(Message::Request(mut r)) => out.push(
                match run(app, revision, Some(&session), &mut r, None, who, &allow) {
                    Ok(p) => p.into_response(&r.id),
                    Err(e) => jsonrpc::error_response(&r.id, &e),
                },
            ),
            Ok(Message::Notification(n)) => {
                match dispatch::handle_notification(app.as_ref(), Some(session.id), &n) {
                    Ok(()) => {}
                    // Nothing of the batch has run yet: the whole of it can be retried.
                    Err(e) if out.is_empty() => return store_unavailable(&e),
                    // Requests before it have run: their answers go back, the failure is logged.
                    Err(e) => {
                        log::warn!(error = e.to_string(); "notification not stored (session store unavailable)")
                    }
                }
            }
            Ok(Message::Response(_)) => {}
        }
    }
    if out.is_empty() {
        Reply::empty(202)
    } else {
        Reply::json(200, format!("[{}]", out.join(",")))
    }
}

fn post_stateless(app: &Arc<App>, req: &Req, msg: Message, who: Who<'_>, pf: Chosen) -> Reply {
    let r = match msg {
        // 2026-07-28 defines no notification over HTTP; accepting them is harmless.
        Message::Notification(_) | Message::Response(_) => return Reply::empty(202),
        Message::Request(r) => r,
    };
    let meta = match dispatch::stateless_meta(&r.params) {
        Ok(m) => m,
        Err(e) => return rpc_error(400, &r.id, &e),
    };
    match req.get("mcp-protocol-version") {
        Some(h) if h == meta.version => {}
        Some(h) => {
            return rpc_error(
                400,
                &r.id,
                &header_mismatch(&format!(
                    "MCP-Protocol-Version header {h:?} does not match _meta protocolVersion {:?}",
                    meta.version
                )),
            )
        }
        None => {
            return rpc_error(
                400,
                &r.id,
                &header_mismatch(&format!(
                "MCP-Protocol-Version header is required and must equal _meta protocolVersion {:?}",
                meta.version
            )),
            )
        }
    }
    let revision = match Revision::parse(&meta.version).filter(|r| !r.has_sessions()) {
        Some(rev) => rev,
        None => return rpc_error(400, &r.id, &dispatch::unsupported_version(&meta.version)),
    };
    if let Err(e) = check_standard_headers(req, &r) {
        return rpc_error(400, &r.id, &e);
    }
    respond(
        app,
        revision,
        None,
        r,
        |code| {
            if code == code::METHOD_NOT_FOUND {
                404
            } else {
                200
            }
        },
        who,
        Allowance::of(app, req, pf),
    )
}

fn header_mismatch(detail: &str) -> RpcError {
    RpcError::new(code::HEADER_MISMATCH, format!("Header mismatch: {detail}"))
}

/// 2026-07-28: `Mcp-Method` must equal the body's method; `Mcp-Name` the tool / prompt name or the
/// resource URI where the method has one.
fn check_standard_headers(req: &Req, r: &Request) -> Result<(), RpcError> {
    let method = req
        .get("mcp-method")
        .ok_or_else(|| header_mismatch("Mcp-Method header is required"))?;
    let method = decode_header_value(method)
        .ok_or_else(|| header_mismatch("Mcp-Method header is not valid"))?;
    if method != r.method {
        return Err(header_mismatch(&format!(
            "Mcp-Method header value {method:?} does not match body value {:?}",
            r.method
        )));
    }
    let name_field = r.kind.and_then(Method::name_param);
    if let Some(field) = name_field {
        let expected = r.params.get(field).and_then(Value::as_str).unwrap_or("");
        let got = req.get("mcp-name").ok_or_else(|| {
            header_mismatch(&format!("Mcp-Name header is required for {}", r.method))
        })?;
        let got = decode_header_value(got)
            .ok_or_else(|| header_mismatch("Mcp-Name header is not valid"))?;
        if got != expected {
            return Err(header_mismatch(&format!(
                "Mcp-Name header value {got:?} does not match body value {expected:?}"
            )));
        }
    }
    Ok(())
}

/// Decodes a standard header value: plain visible ASCII, or `=?base64?…?=` around UTF-8.
///
/// ```
/// use hubspot_mcp::http::streamable::decode_header_value;
/// assert_eq!(decode_header_value(" tools/call ").as_deref(), Some("tools/call"));
/// assert_eq!(decode_header_value("=?base64?w6ljaG8=?=").as_deref(), Some("écho"));
/// assert_eq!(decode_header_value("=?base64?***?="), None);
/// ```
pub fn decode_header_value(v: &str) -> Option<String> {
    let v = v.trim();
    match v
        .strip_prefix("=?base64?")
        .and_then(|s| s.strip_suffix("?="))
    {
        Some(b64) => String::from_utf8(base64_decode(b64)?).ok(),
        None if v.bytes().all(|b| (0x20..0x7f).contains(&b)) => Some(v.to_string()),
        None => None,
    }
}

/// Standard or URL-safe alphabet, padded or not, as clients write it.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    use base64::Engine as _;
    const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
    STANDARD.decode(s).or_else(|_| URL_SAFE.decode(s)).ok()
}

/// What one POST may spend, shared by all of its messages: one deadline (`MCP_REQUEST_TIMEOUT_MS`
/// from its arrival, however many messages a batch holds) and one HubSpot call budget
/// (`MCP_MAX_HUBSPOT_CALLS_PER_REQUEST`) that also knows when the client has gone.
#[derive(Clone)]
struct Allowance {
    deadline: Instant,
    budget: Arc<RequestBudget>,
    /// This server's public origin as the client reached it (approval pages' addresses).
    origin: String,
    /// The tool profile of the request.
    profile: Chosen,
}

impl Allowance {
    fn of(app: &App, req: &Req, profile: Chosen) -> Allowance {
        let gone = req
            .client_gone
            .clone()
            .map(|g| Box::new(move || g.gone()) as Box<dyn Fn() -> bool + Send + Sync>);
        Allowance {
            deadline: Instant::now() + app.config.request_timeout(),
            budget: Arc::new(RequestBudget::new(app.config.max_upstream_calls(), gone)),
            origin: crate::auth::public_origin(&app.config, req.get("host")),
            profile,
        }
    }
}

/// The profile as a session keeps it: its name, empty for `all` (no allocation for most sessions).
fn profile_key(app: &App, pf: Chosen) -> &str {
    match app.registry.profiles().name(pf.id) {
        crate::tools::profile::ALL => "",
        name => name,
    }
}

/// Runs one request through the dispatcher with its POST's deadline, budget and cancellation token.
fn run<'a>(
    app: &'a App,
    revision: Revision,
    session: Option<&Session>,
    r: &mut Request,
    notify: Option<&'a mut NotifyFn<'a>>,
    who: Who<'_>,
    allow: &'a Allowance,
) -> Result<Payload, RpcError> {
    let asker = dispatch::asker(revision, session, who, &r.params, &allow.origin);
    let session = session.map(|s| s.id);
    let guard = app.inflight.register(session, &r.id);
    let mut call = Call {
        asker,
        app,
        revision,
        session,
        notify,
        cancel: guard.token.clone(),
        deadline: allow.deadline,
        budget: Arc::clone(&allow.budget),
        can_write: who.is_none_or(|p| p.can_write),
        user: who
            .and_then(|p| p.hubspot.as_ref())
            .map(|g| crate::hubspot::UserToken {
                hub_id: g.hub_id,
                access_token: g.access_token.clone(),
            }),
        profile: allow.profile,
    };
    dispatch::handle_request(&mut call, r)
}

/// Answers a request: one JSON object, or an SSE stream when a `tools/call` asks for progress.
fn respond(
    app: &Arc<App>,
    revision: Revision,
    session: Option<Session>,
    mut r: Request,
    status_of: fn(i32) -> u16,
    who: Who<'_>,
    allow: Allowance,
) -> Reply {
    // A stream when the call reports progress, or may put a question to the person (a write, from a
    // client that can be asked).
    let asks_on_stream =
        session.as_ref().is_some_and(|s| s.asks.any()) && dispatch::is_write_call(app.as_ref(), &r);
    if r.kind == Some(Method::ToolsCall)
        && (dispatch::progress_token(&r.params).is_some() || asks_on_stream)
    {
        let app = Arc::clone(app);
        let who: Option<Principal> = who.cloned();
        return Reply::sse(Box::new(move |w: &mut SseWriter<'_>| {
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                // An empty line is a keep-alive (an SSE comment) while the call waits for a person.
                let mut notify = |line: &str| {
                    if line.is_empty() {
                        w.keepalive()
                    } else {
                        w.event(line)
                    }
                };
                run(
                    &app,
                    revision,
                    session.as_ref(),
                    &mut r,
                    Some(&mut notify),
                    who.as_ref(),
                    &allow,
                )
            }));
            let text = match outcome {
                Ok(Ok(p)) => p.into_response(&r.id),
                Ok(Err(e)) => jsonrpc::error_response(&r.id, &e),
                Err(_) => {
                    app.metrics.record_panic();
                    log::error!(method = r.method.as_str(); "handler panicked (streamed reply)");
                    jsonrpc::error_response(
                        &r.id,
                        &RpcError::internal("the server failed while handling this request"),
                    )
                }
            };
            w.event(&text);
        }));
    }
    match run(app, revision, session.as_ref(), &mut r, None, who, &allow) {
        Ok(p) => Reply::json(200, p.into_response(&r.id)),
        // A session change that could not be stored: 503 + Retry-After, as for the session lookup.
        Err(e) => match dispatch::retry_after(&e) {
            Some(s) => rpc_error(503, &r.id, &e).with_header("Retry-After", s.to_string()),
            None => rpc_error(status_of(e.code), &r.id, &e),
        },
    }
}

fn delete(app: &App, req: &Req, who: Who<'_>, pf: Chosen) -> Reply {
    match header_revision(req) {
        Err(reply) => return reply,
        Ok(Some(Revision::V2026_07_28)) => {
            return transport_error(
                405,
                code::SERVER_ERROR,
                "Method Not Allowed: 2026-07-28 has no sessions to end",
            )
            .with_header("Allow", "POST")
        }
        Ok(_) => {}
    }
    let session = match require_session(app, req, who, pf) {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    match app.sessions.remove(&session.id) {
        Ok(true) => app.metrics.session_deleted(),
        Ok(false) => {}
        Err(e) => return store_unavailable(&e),
    }
    log::info!(session = session.id.hint(); "session ended by client");
    Reply::empty(204)
}
