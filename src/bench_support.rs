//! Hooks for the criterion benches in `bench/` (docs/performance.md, "Criterion benches"): not an API,
//! hidden from the docs, no promise of stability.
//!
//! The benches drive what they can through the public surface (`http::server::handle`, `Req`,
//! `mcp::jsonrpc`, `App::new`); these few functions reach the `pub(crate)` parts of the hot paths that
//! surface does not show on their own: the bearer-token check, the session store the configuration
//! picks, SSE framing, and the rendering of a page of records, each exactly as the server runs it. They
//! make nothing else `pub`. Nothing in the server calls this module: it sits above every layer
//! (ARCHITECTURE.md, "Layers"), so it may import any module and no module imports it.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::app::App;
use crate::auth::{AuthError, Verifier};
use crate::config::{Config, ConfigErrors, Purpose, RawEnv};
use crate::mcp::session::{Session, SessionId};
use crate::mcp::version::Revision;
use crate::run::RunError;

/// The state `serve` builds from `env` (and nothing of the process's environment): the configuration
/// for `purpose`, the HubSpot client when `HUBSPOT_ACCESS_TOKEN` is set (against
/// `HUBSPOT_API_BASE_URL`), the session store (Redis with `REDIS_URL`, else memory), the tools, and the
/// token verifier when `JWT_SECRET` is set. No socket is bound and no background thread is started.
pub fn app(purpose: Purpose, env: &[(&str, &str)]) -> Result<Arc<App>, RunError> {
    let cfg = Config::from_raw(&RawEnv::from_pairs(env.iter().copied()), purpose)
        .map_err(RunError::Config)?;
    let (hubspot, _no_sandbox) = crate::run::hubspot_client(&cfg, false)?;
    let verifier =
        Verifier::from_config(&cfg).map_err(|e| RunError::Config(ConfigErrors(vec![e])))?;
    let app = App::new(cfg, hubspot)
        .map_err(RunError::Tools)?
        .with_verifier(verifier);
    Ok(Arc::new(app))
}

/// Checks `authorization` (an `Authorization` header value) at `now`, as the gate of `/mcp` does:
/// through the verified-token cache, and the signature and claims on a miss.
pub fn verify(verifier: &Verifier, authorization: &str, now: SystemTime) -> Result<(), AuthError> {
    verifier.verify(Some(authorization), None, now).map(|_| ())
}

/// The clock sessions are stamped with (milliseconds since the process's first call).
pub fn now_ms() -> u64 {
    crate::mcp::session::now_ms()
}

/// Opens a session in `app`'s store as `initialize` does (a fresh random id, revision 2025-11-25,
/// owned by `principal`, e.g. `sub:alice`, or by nobody), stamped `now_ms`.
pub fn open_session(
    app: &App,
    principal: Option<&str>,
    now_ms: u64,
) -> Result<SessionId, impl std::error::Error> {
    let id = match SessionId::random() {
        Ok(id) => id,
        Err(e) => {
            return Err(crate::mcp::session::StoreError::Unavailable(format!(
                "no randomness for a session id: {e}"
            )))
        }
    };
    let session = Session {
        id,
        revision: Revision::V2025_11_25,
        created_ms: now_ms,
        last_seen_ms: now_ms,
        initialized: true,
        log_level: None,
        principal: principal.and_then(crate::auth::PrincipalId::parse),
        client_name: "bench".into(),
        asks: crate::approval::Asks::default(),
        profile: "".into(),
    };
    app.sessions.insert(session).map(|()| id)
}

/// Looks a session up and marks it seen, as every request naming it does; `Ok(false)` when it is
/// unknown or expired.
pub fn touch_session(
    app: &App,
    id: &SessionId,
    now_ms: u64,
) -> Result<bool, impl std::error::Error> {
    app.sessions.touch(id, now_ms).map(|s| s.is_some())
}

/// Ends a session (`DELETE /mcp`); `Ok(false)` when it did not exist.
pub fn close_session(app: &App, id: &SessionId) -> Result<bool, impl std::error::Error> {
    app.sessions.remove(id)
}

/// One pass of the reaper at `now_ms`; how many sessions it ended.
pub fn reap_sessions(app: &App, now_ms: u64) -> usize {
    app.sessions.reap(now_ms)
}

/// Frames `events` (JSON-RPC messages) as the SSE stream of a `tools/call` writes them: each one an
/// `event: message` in its own HTTP/1.1 chunk, then the last chunk.
pub fn sse_frames(out: &mut Vec<u8>, events: &[String]) {
    let mut w = crate::http::sse::SseWriter::new(out, true);
    for e in events {
        w.event(e);
    }
    // Writing into a Vec cannot fail.
    let _ = w.finish();
}

/// What `hubspot_list_records` makes of a HubSpot page of `object_type` records (the answer's text,
/// `{"results": […], "paging": …}`): the page read as it comes (no `Value` tree), each record trimmed
/// (CRM text cleaned and fenced) and written once, the text within `MCP_TOOL_TEXT_LIMIT`, and the
/// `CallToolResult` of `revision` as it goes on the wire.
pub fn render_page(app: &App, object_type: &str, page: &str, revision: Revision) -> String {
    use crate::tools::common;
    let cancel = crate::tools::CancelToken::new();
    let cx = crate::tools::ToolContext::new(None, &cancel, Instant::now(), &app.services);
    let Ok(page) = crate::hubspot::page::parse(page) else {
        return String::new();
    };
    let next = page.next_after.clone();
    let mut records = common::RecordsWriter::default();
    records.add_page(&cx, object_type, page);
    let out = records.into_output(object_type, None, next, app.services.text_limit);
    crate::mcp::dispatch::tool_result(app, out, revision).into_json()
}
